//! `--fix` and `--diff`: apply the safe fixes to .txt/.md files, written back
//! atomically in the original encoding, BOM and line endings, byte-identical
//! outside the fixed spans, and only over the very file that was read.

mod write_back;

use std::path::Path;

use anyhow::Result;
use gklint_engine::diagnostic::Edit;
use gklint_engine::fix;

pub use write_back::Seen;

use crate::output::FileResult;

/// The edits `--fix` would make in one file: fixes that do not fit its text
/// (from a damaged cache entry) are left out.
pub fn plan(r: &FileResult) -> Vec<Edit> {
    fix::plan_within(&r.source.text, &r.diagnostics)
}

/// A unified diff of the fixes, on the decoded text.
pub fn diff(r: &FileResult, edits: &[Edit]) -> String {
    let fixed = fix::apply(&r.source.text, edits);
    similar::TextDiff::from_lines(&r.source.text, &fixed)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{}", r.path), &format!("b/{}", r.path))
        .to_string()
}

/// The original bytes with each edit spliced in, encoded like the file; an
/// error naming the file when that cannot be done exactly.
pub fn fixed_bytes(r: &FileResult, edits: &[Edit]) -> Result<Vec<u8>> {
    r.source.fixed_bytes(edits).map_err(|e| {
        anyhow::anyhow!(
            "{}：无法安全地写回修复（{e}），文件未修改；请用 --diff 查看修复内容后手工修改",
            r.path
        )
    })
}

/// Replaces the file at `path` (shown as `name`) by `bytes`, if it is still
/// the file `seen` before it was read and still holds `original`. A
/// symbolic link stays a link: the file it led to when read is the one
/// fixed, if the link still leads there.
pub fn write_back(
    path: &Path,
    name: &str,
    seen: &Seen,
    original: &[u8],
    bytes: &[u8],
) -> Result<()> {
    write_back::replace(path, name, seen, original, bytes)
}

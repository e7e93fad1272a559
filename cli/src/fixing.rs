//! `--fix` and `--diff`: apply the safe fixes to .txt/.md files, written back
//! atomically in the original encoding, BOM and line endings, byte-identical
//! outside the fixed spans.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context, Result, bail};
use gklint_engine::diagnostic::Edit;
use gklint_engine::fix;

use crate::output::FileResult;

/// The edits `--fix` would make in one file.
pub fn plan(r: &FileResult) -> Vec<Edit> {
    fix::plan(&r.diagnostics)
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

/// The original bytes with each edit spliced in, encoded like the file.
pub fn fixed_bytes(r: &FileResult, edits: &[Edit]) -> Vec<u8> {
    let src = &r.source;
    let mut out = Vec::with_capacity(src.bytes.len() + 16);
    let mut at = 0;
    for e in edits {
        let start = src.original_offset(e.span.start);
        let end = src.original_offset(e.span.end);
        out.extend_from_slice(&src.bytes[at..start]);
        out.extend_from_slice(&src.encode(&e.replacement));
        at = end;
    }
    out.extend_from_slice(&src.bytes[at..]);
    out
}

/// Writes `bytes` to `path` atomically (a temporary file in the same folder,
/// then a rename), keeping the file's permissions. A read-only file is refused.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    // A symbolic link stays a link: the file it points to is the one fixed.
    let resolved;
    let path = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => {
            resolved = std::fs::canonicalize(path)
                .with_context(|| format!("无法解析符号链接 {}", path.display()))?;
            resolved.as_path()
        }
        _ => path,
    };
    let meta = std::fs::metadata(path).with_context(|| format!("无法读取 {}", path.display()))?;
    if meta.permissions().readonly() {
        bail!("{} 是只读文件，未修改", path.display());
    }
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).with_context(|| {
        format!(
            "无法在 {} 中创建临时文件，{} 未修改",
            dir.display(),
            path.display()
        )
    })?;
    tmp.write_all(bytes)
        .with_context(|| format!("写入临时文件失败，{} 未修改", path.display()))?;
    tmp.as_file().sync_all().ok();
    std::fs::set_permissions(tmp.path(), meta.permissions()).ok();
    #[cfg(unix)]
    {
        // Keep the owner too (possible when running as root or as the owner).
        use std::os::unix::fs::MetadataExt as _;
        std::os::unix::fs::chown(tmp.path(), Some(meta.uid()), Some(meta.gid())).ok();
    }
    tmp.persist(path)
        .map_err(|e| anyhow::anyhow!("无法替换 {}：{}（原文件未修改）", path.display(), e.error))?;
    Ok(())
}

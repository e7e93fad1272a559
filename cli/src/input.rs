//! Reading report files from disk for the engine (the engine itself never
//! touches the file system), and walking folders.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gklint_engine::read::Format;

/// The bytes and format of a report file; a clear error naming the file otherwise.
pub fn read_report(path: &Path) -> Result<(Vec<u8>, Format)> {
    let name = path.display().to_string();
    let Some(format) = Format::from_path(&name) else {
        bail!("{name}：不支持的文件类型（gklint 读取 .txt、.md）");
    };
    let bytes = std::fs::read(path).with_context(|| format!("无法读取文件 {name}"))?;
    Ok((bytes, format))
}

/// The report files under `paths`: files as given, folders walked (honouring
/// .gitignore, skipping hidden files), sorted for a deterministic order.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if !p.exists() {
            bail!("找不到文件或目录：{}", p.display());
        }
        if p.is_file() {
            out.push(p.clone());
            continue;
        }
        // .gitignore counts even outside a git checkout (a reviewer's folder of reports).
        for entry in ignore::WalkBuilder::new(p).require_git(false).build() {
            let entry = entry.with_context(|| format!("遍历目录 {} 时出错", p.display()))?;
            let path = entry.path();
            if entry.file_type().is_some_and(|t| t.is_file())
                && Format::from_path(&path.display().to_string()).is_some()
            {
                out.push(path.to_path_buf());
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

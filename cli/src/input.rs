//! Reading report files from disk for the engine (the engine itself never
//! touches the file system), and walking folders.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gklint_engine::read::Format;

/// The bytes and format of a report file; a clear error naming the file otherwise.
pub fn read_report(path: &Path) -> Result<(Vec<u8>, Format)> {
    let name = path.display().to_string();
    let Some(format) = Format::from_path(&name) else {
        bail!("{name}：不支持的文件类型（gklint 读取 .txt、.md、.html、.htm、.docx、.pdf）");
    };
    let bytes = std::fs::read(path).with_context(|| format!("无法读取文件 {name}"))?;
    Ok((bytes, format))
}

/// The bytes and format of a report file no larger than `max` bytes.
pub fn read_report_within(path: &Path, max: u64) -> Result<(Vec<u8>, Format)> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path).with_context(|| format!("无法读取文件 {name}"))?;
    if !meta.is_file() {
        bail!("{name} 不是普通文件，未读取");
    }
    if meta.len() > max {
        bail!(
            "{name} 大小为 {}，超过单个文件的上限 {}，未检查（可用 --max-file-size 或配置中的 limits.max_file_size 调整）",
            crate::limits::human_size(meta.len()),
            crate::limits::human_size(max)
        );
    }
    read_report(path)
}

/// The bytes and format of a file to lint: standard input's bytes as read
/// (the format from the name given for it), or the file's, within `max`.
pub fn read_input(
    path: &Path,
    name: &str,
    stdin: Option<&Vec<u8>>,
    max: u64,
) -> Result<(Vec<u8>, Format)> {
    match stdin {
        Some(b) => Ok((b.clone(), Format::from_path(name).unwrap_or(Format::Text))),
        None => read_report_within(path, max),
    }
}

/// The report files under `paths`: files as given, folders walked (honouring
/// .gitignore, skipping hidden files), sorted for a deterministic order.
/// A path that does not exist is an error.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let (files, missing) = collect_all(paths)?;
    match missing.first() {
        Some(p) => bail!("找不到文件或目录：{}", p.display()),
        None => Ok(files),
    }
}

/// Like [`collect`], but the paths that do not exist are returned apart, so
/// that the others can still be linted.
pub fn collect_all(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, Vec<PathBuf>)> {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    for p in paths {
        if !p.exists() {
            missing.push(p.clone());
            continue;
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
    Ok((out, missing))
}

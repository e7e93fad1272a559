//! Reading report files from disk for the engine (the engine itself never
//! touches the file system), and walking folders.

use std::path::{Path, PathBuf};

use anyhow::{Result, anyhow, bail};
use gklint_engine::read::Format;

use crate::regular_file::{self, ReadError};

/// The most a command without a size limit (`extract`, `parse`) reads of
/// one report: 1 GiB, so that a device or a runaway file cannot fill memory.
const MAX_REPORT_BYTES: u64 = 1 << 30;

/// The bytes and format of a report file; a clear error naming the file otherwise.
pub fn read_report(path: &Path) -> Result<(Vec<u8>, Format)> {
    read_report_within(path, MAX_REPORT_BYTES)
}

/// The bytes and format of a report file no larger than `max` bytes: a
/// regular file only (a FIFO or a device is refused without blocking or
/// reading it), and never more than `max` bytes read.
pub fn read_report_within(path: &Path, max: u64) -> Result<(Vec<u8>, Format)> {
    let name = path.display().to_string();
    let Some(format) = Format::from_path(&name) else {
        bail!("{name}：不支持的文件类型（gklint 读取 .txt、.md、.html、.htm、.docx、.pdf）");
    };
    match regular_file::read_bytes(path, max) {
        Ok(bytes) => Ok((bytes, format)),
        Err(ReadError::TooLarge { len, max }) => bail!(
            "{name} 大小为 {}，超过单个文件的上限 {}，未检查（可用 --max-file-size 或配置中的 limits.max_file_size 调整）",
            crate::limits::human_size(len),
            crate::limits::human_size(max)
        ),
        Err(e) => bail!("无法读取文件 {name}：{e}"),
    }
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

/// What a walk found: the report files, the paths given that do not exist,
/// and what could not be walked or read (an unreadable folder, a FIFO named
/// like a report), each an error naming the path. The rest is walked.
#[derive(Default)]
pub struct Walked {
    pub files: Vec<PathBuf>,
    pub missing: Vec<PathBuf>,
    pub unreadable: Vec<anyhow::Error>,
}

/// The report files under `paths`: files as given, folders walked (honouring
/// .gitignore, skipping hidden files), sorted for a deterministic order.
/// A path that does not exist is an error; a folder that cannot be read is
/// named on stderr and skipped.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let walked = collect_all(paths);
    if let Some(p) = walked.missing.first() {
        bail!("找不到文件或目录：{}", p.display());
    }
    for e in &walked.unreadable {
        eprintln!("gklint: 警告：{e:#}");
    }
    Ok(walked.files)
}

/// Like [`collect`], but every problem is returned apart, so that the other
/// files can still be linted.
pub fn collect_all(paths: &[PathBuf]) -> Walked {
    let mut w = Walked::default();
    for p in paths {
        let Ok(meta) = std::fs::metadata(p) else {
            w.missing.push(p.clone());
            continue;
        };
        if !meta.is_dir() {
            // Named by the user: read (or refused, if not a regular file) as named.
            w.files.push(p.clone());
            continue;
        }
        // .gitignore counts even outside a git checkout (a reviewer's folder
        // of reports). Symbolic links are not followed: no loops, and no
        // walking out of the folder.
        for entry in ignore::WalkBuilder::new(p).require_git(false).build() {
            let entry = match entry {
                Ok(entry) => entry,
                Err(e) => {
                    walk_problem(&e, p, &mut w.unreadable);
                    continue;
                }
            };
            let path = entry.path();
            let Some(t) = entry.file_type() else { continue };
            if t.is_dir()
                || t.is_symlink()
                || Format::from_path(&path.display().to_string()).is_none()
            {
                continue;
            }
            if t.is_file() {
                w.files.push(path.to_path_buf());
            } else {
                w.unreadable.push(anyhow!(
                    "{} 不是普通文件（是{}），未检查",
                    path.display(),
                    regular_file::kind_name(&t)
                ));
            }
        }
    }
    w.files.sort();
    w.files.dedup();
    w
}

/// Files the walk could not get at (an unreadable folder) become errors
/// naming them; a broken ignore rule is only a warning.
fn walk_problem(e: &ignore::Error, root: &Path, out: &mut Vec<anyhow::Error>) {
    match e {
        ignore::Error::Partial(errors) => {
            for e in errors {
                walk_problem(e, root, out);
            }
        }
        ignore::Error::Loop { child, .. } => eprintln!(
            "gklint: 警告：{} 通过符号链接指回上层目录，已跳过（避免无限循环）",
            child.display()
        ),
        _ => {
            let path = error_path(e).unwrap_or(root);
            match e.io_error() {
                Some(io) => {
                    let why = match io.kind() {
                        std::io::ErrorKind::PermissionDenied => "没有读取权限".to_owned(),
                        _ => io.to_string(),
                    };
                    let what = if path.is_dir() { "目录" } else { "文件" };
                    out.push(anyhow!(
                        "无法读取{what} {}（{why}），其中的报告未检查；请检查它的权限，或在 .gitignore 中排除它",
                        path.display()
                    ));
                }
                None => eprintln!("gklint: 警告：遍历 {} 时忽略规则有误：{e}", path.display()),
            }
        }
    }
}

/// The path an error of the walk is about.
fn error_path(e: &ignore::Error) -> Option<&Path> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

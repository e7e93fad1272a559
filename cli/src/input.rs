//! Reading report files from disk for the engine (the engine itself never
//! touches the file system).

use std::path::Path;

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

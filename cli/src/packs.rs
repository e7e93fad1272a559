//! Loading packs for a run: the built-in ones plus `--pack` paths (a
//! directory of YAML files, or one file), and showing load errors in context.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use gklint_engine::pack::{self, LoadError, PackError, PackInput, PackSet, PackSource};

use super::regular_file::{self, MAX_TEXT_FILE, ReadError};

/// The most YAML one pack directory may hold in all (each file is capped
/// at [`MAX_TEXT_FILE`] too): a folder of many huge files is a mistake.
pub const MAX_PACK_DIR_BYTES: u64 = 64 << 20;

/// The YAML files of a pack directory (sorted), or the one file. Only
/// regular files are read, each within [`MAX_TEXT_FILE`] (a configuration
/// can name any path: a FIFO, a device, a secret): other entries of a
/// directory are skipped with a warning, a named path that is not a regular
/// file is an error.
pub fn read_pack(path: &Path) -> Result<PackInput> {
    let origin = path.display().to_string();
    let mut files = Vec::new();
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .with_context(|| format!("无法读取规则包目录 {origin}，请检查它的权限"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .collect();
        entries.sort();
        let mut total = 0u64;
        for p in entries {
            // A FIFO, device or folder named *.yaml is not a pack file.
            if let Err(e @ (ReadError::NotRegular(_) | ReadError::Directory)) =
                regular_file::check_path(&p, MAX_TEXT_FILE)
            {
                eprintln!("gklint: 警告：跳过规则包目录中的 {}：{e}", p.display());
                continue;
            }
            let source = read_source(&p)?;
            total += source.contents.len() as u64;
            if total > MAX_PACK_DIR_BYTES {
                bail!(
                    "规则包目录 {origin} 中的 YAML 文件合计超过 {} MB，未读取；请检查这个目录是否指错了",
                    MAX_PACK_DIR_BYTES >> 20
                );
            }
            files.push(source);
        }
        if files.is_empty() {
            bail!("规则包目录 {origin} 中没有 .yaml 文件");
        }
    } else {
        files.push(read_source(path)?);
    }
    Ok(PackInput {
        origin,
        files,
        builtin: false,
    })
}

fn read_source(p: &Path) -> Result<PackSource> {
    let contents = regular_file::read_text(p, MAX_TEXT_FILE)
        .map_err(|e| anyhow!("无法读取规则包文件 {}：{e}", p.display()))?;
    if !regular_file::looks_like_yaml_mapping(&contents) {
        // Not quoted: the path may name any file (a key, a log).
        bail!(
            "规则包文件 {} 不是 YAML 规则包（第一行应为 `键: 值` 形式，如 `pack: 本省规则`），未读取；请检查 packs 或 --pack 中的路径",
            p.display()
        );
    }
    Ok(PackSource::yaml(p.display().to_string(), contents))
}

/// A pack load failure, shown with the YAML around the error.
#[derive(Debug)]
pub struct PackLoadFailure(pub LoadError);

impl std::fmt::Display for PackLoadFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            LoadError::Pack(e) => f.write_str(&render_pack_error(e)),
            LoadError::Schema(e) => write!(f, "规则包中的表格布局有误：{e}"),
        }
    }
}

impl std::error::Error for PackLoadFailure {}

/// Characters of the failing line an error shows at most.
const EXCERPT_CHARS: usize = 120;

/// A pack error, with the one failing line under it (cut to
/// [`EXCERPT_CHARS`]): never more of the file, which may not be a pack at all.
pub fn render_pack_error(e: &PackError) -> String {
    let mut out = format!(
        "规则包加载失败：{}:{}:{}：{}\n",
        e.path,
        e.line,
        e.column,
        regular_file::clip(&e.message, 300)
    );
    if let Some(x) = e.offset.and_then(|o| failing_line(&e.contents, o, e.len)) {
        let n = x.number.to_string();
        let pad = " ".repeat(n.len());
        let lead = " ".repeat(columns(&x.line[..x.at.start]));
        let mark = "^".repeat(columns(&x.line[x.at.clone()]).max(1));
        out.push_str(&format!(
            "{pad} │\n{n} │ {}\n{pad} │ {lead}{mark} 此处\n",
            x.line
        ));
    }
    out
}

/// One line of a file as an error shows it.
struct Excerpt {
    /// 1-based.
    number: usize,
    /// Cut to [`EXCERPT_CHARS`], tabs as spaces (so the marks line up).
    line: String,
    /// The bytes of `line` to mark.
    at: std::ops::Range<usize>,
}

/// The line holding byte `offset` of `text`, and the part of the `len`
/// bytes from there that lies in it; `None` when the offset is not in the
/// text or not on a character boundary.
fn failing_line(text: &str, offset: usize, len: usize) -> Option<Excerpt> {
    if offset > text.len() || !text.is_char_boundary(offset) {
        return None;
    }
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = text[start..end].trim_end_matches('\r');
    let cut = line
        .char_indices()
        .nth(EXCERPT_CHARS)
        .map_or(line.len(), |(i, _)| i);
    let shown = &line[..cut];
    let from = (offset - start).min(shown.len());
    let to = (from + len.max(1)).min(shown.len());
    let to = (from..=to)
        .rev()
        .find(|&i| shown.is_char_boundary(i))
        .unwrap_or(from);
    Some(Excerpt {
        number: text[..start].matches('\n').count() + 1,
        line: shown.replace('\t', " "),
        at: from..to,
    })
}

/// The columns `s` takes in a terminal: two for a CJK or full-width character.
fn columns(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let wide = matches!(c as u32,
                0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
                | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD);
            if wide { 2 } else { 1 }
        })
        .sum()
}

/// Pack paths with repeats left out: two paths naming the same file or
/// folder (`pk.yaml` on the command line and `./pk.yaml` in the config) are
/// one pack, loaded once, under the first name given.
pub fn distinct(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut seen = HashSet::new();
    paths
        .iter()
        .filter(|p| {
            let key = std::fs::canonicalize(p)
                .or_else(|_| std::path::absolute(p))
                .unwrap_or_else(|_| p.to_path_buf());
            seen.insert(key)
        })
        .cloned()
        .collect()
}

/// Built-in packs plus the given paths (each pack once), loaded and
/// validated, with every rule's examples.
pub fn load(extra: &[PathBuf]) -> Result<PackSet> {
    compile(&inputs(extra, Builtin::Yaml)?)
}

/// Which form of the built-in packs a command loads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Builtin {
    /// Their YAML, with the rules' examples: for showing and testing rules.
    Yaml,
    /// As parsed when gklint was built, without examples (a lint never
    /// reads them): for linting and extracting, which then parse no
    /// built-in YAML.
    Preparsed,
}

/// The built-in packs and the packs of the given paths.
pub fn inputs(extra: &[PathBuf], builtin: Builtin) -> Result<Vec<PackInput>> {
    let mut inputs = match builtin {
        Builtin::Yaml => pack::builtin_inputs(),
        Builtin::Preparsed => pack::builtin_inputs_preparsed(),
    };
    for p in distinct(extra) {
        inputs.push(read_pack(&p)?);
    }
    Ok(inputs)
}

/// Loads and validates packs read by [`inputs`].
pub fn compile(inputs: &[PackInput]) -> Result<PackSet> {
    pack::load(inputs).map_err(|e| PackLoadFailure(e).into())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn an_error_shows_its_one_line_cut_short() {
        let long = "密".repeat(200);
        let contents: Arc<str> = format!("a: 1\nsecret-2\nkey{long}: 1\nsecret-4\n").into();
        let at = contents.find("key").unwrap();
        let e = PackError::at_offset("p.yaml", &contents, at, 3 + long.len(), "unknown field");
        let shown = render_pack_error(&e);
        assert!(
            shown.starts_with("规则包加载失败：p.yaml:3:1：unknown field\n"),
            "{shown}"
        );
        assert!(
            shown.contains(&format!("3 │ key{}\n", "密".repeat(117))),
            "{shown}"
        );
        assert!(!shown.contains(&"密".repeat(118)), "{shown}");
        assert!(!shown.contains("secret"), "{shown}");
        // Marks line up under the key, two columns per Chinese character.
        assert!(
            shown.contains(&format!("  │ {} 此处", "^".repeat(3 + 2 * 117))),
            "{shown}"
        );
    }

    #[test]
    fn an_offset_off_the_text_or_inside_a_character_shows_no_line() {
        let contents: Arc<str> = "名: 1\n".into();
        for at in [1, 99] {
            let mut e = PackError::at_offset("p.yaml", &contents, at, 1, "m");
            assert_eq!((e.line, e.column), (if at == 1 { 1 } else { 2 }, 1));
            e.offset = Some(at);
            assert!(!render_pack_error(&e).contains('│'));
        }
    }
}

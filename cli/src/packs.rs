//! Loading packs for a run: the built-in ones plus `--pack` paths (a
//! directory of YAML files, or one file), and showing load errors in context.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gklint_engine::pack::{self, LoadError, PackError, PackInput, PackSet, PackSource};

/// The YAML files of a pack directory (sorted), or the one file.
pub fn read_pack(path: &Path) -> Result<PackInput> {
    let origin = path.display().to_string();
    let mut files = Vec::new();
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .with_context(|| format!("无法读取规则包目录 {origin}"))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .collect();
        entries.sort();
        if entries.is_empty() {
            bail!("规则包目录 {origin} 中没有 .yaml 文件");
        }
        for p in entries {
            files.push(read_source(&p)?);
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
    let contents = std::fs::read_to_string(p)
        .with_context(|| format!("无法读取规则包文件 {}", p.display()))?;
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

pub fn render_pack_error(e: &PackError) -> String {
    use miette::{
        GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource,
    };
    let mut out = format!(
        "规则包加载失败：{}:{}:{}：{}\n",
        e.path, e.line, e.column, e.message
    );
    if let Some(offset) = e.offset {
        let diag = MietteDiagnostic::new(e.message.clone()).with_labels(vec![LabeledSpan::at(
            offset..offset + e.len.min(e.contents.len().saturating_sub(offset)),
            "此处",
        )]);
        let report = miette::Report::new(diag)
            .with_source_code(NamedSource::new(&e.path, e.contents.to_string()));
        let handler =
            GraphicalReportHandler::new_themed(GraphicalTheme::unicode_nocolor()).with_width(100);
        let _ = handler.render_report(&mut out, report.as_ref());
    }
    out
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

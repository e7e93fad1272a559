//! `gklint check`: lint files and folders in parallel; print findings in
//! path order; exit 1 when a finding reaches `--fail-on`, 2 on usage, config
//! or I/O errors.

use std::collections::HashMap;
use std::io::{IsTerminal, Read as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use gklint_engine::diagnostic::Severity;
use gklint_engine::lint::{Options, lint};
use gklint_engine::pack::PackSet;
use gklint_engine::read::Format;
use gklint_engine::suppress::Suppressions;
use rayon::prelude::*;

use super::{cross, plugin};
use crate::args::{CheckArgs, FailOn, Lang, OutputFormat};
use crate::config::{Config, Discovery};
use crate::input::{collect, read_report};
use crate::output::{FileResult, github, html, human, json, junit, sarif};
use crate::{baseline, fixing, packs};

/// One file to lint, with its configuration.
struct Job {
    path: PathBuf,
    name: String,
    bytes: Option<Vec<u8>>,
    config: Option<Arc<Config>>,
}

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let lang = args.lang;
    let mut io_failed = false;
    let jobs = jobs(args)?;
    // Pack sets by the extra packs and plugins they need (the built-in ones plus
    // `--pack` and `--plugin`, plus a config's packs and its trusted plugins).
    let mut sets: HashMap<(Vec<PathBuf>, Vec<PathBuf>), Arc<PackSet>> = HashMap::new();
    let base = args.packs.packs.clone();
    let mut host = plugin::Host::default();
    let named = host.named(&args.packs.plugins);
    let mut set_for = |cfg: &Option<Arc<Config>>| -> Result<Arc<PackSet>> {
        let mut extra = base.clone();
        let mut listed = Vec::new();
        if let Some(c) = cfg {
            extra.extend(c.packs.iter().cloned());
            listed.extend(c.plugins.iter().cloned());
        }
        let k = (extra, listed);
        if let Some(s) = sets.get(&k) {
            return Ok(s.clone());
        }
        let mut s = packs::load(&k.0, true)?;
        host.add(&mut s, &named);
        if let Some(c) = cfg {
            let configured = host.configured(&c.dir, &c.plugins);
            host.add(&mut s, &configured);
        }
        let s = Arc::new(s);
        sets.insert(k, s.clone());
        Ok(s)
    };
    let mut work = Vec::new();
    for j in jobs {
        let set = set_for(&j.config)?;
        work.push((j, set));
    }
    let default_set = set_for(&None)?;
    let results: Vec<Result<(FileResult, cross::Seen)>> =
        work.par_iter().map(|(j, set)| lint_one(j, set)).collect();
    let mut ok = Vec::with_capacity(results.len());
    let mut seen = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok((r, s)) => {
                ok.push(r);
                seen.push(s);
            }
            Err(e) => {
                eprintln!(
                    "gklint: {}{e:#}",
                    if lang == Lang::En {
                        "error: "
                    } else {
                        "错误："
                    }
                );
                io_failed = true;
            }
        }
    }
    // Each report against the same office's report of the year before.
    cross::run(&mut ok, &seen, &args.history, &default_set.catalog, lang)?;
    drop(seen);

    if args.fix || args.diff {
        io_failed |= apply_fixes(&mut ok, args.diff, lang);
    }
    if let Some(path) = &args.write_baseline {
        let n = baseline::write(&ok, path)?;
        eprintln!("gklint: 已把 {n} 条问题写入基线 {}", path.display());
    }
    if let Some(path) = &args.baseline {
        let b = baseline::read(path)?;
        let stale = baseline::filter(&mut ok, &b);
        if !stale.is_empty() {
            eprintln!(
                "gklint: 基线 {} 中有 {} 条记录已不再出现，可用 --write-baseline 重新生成：",
                path.display(),
                stale.len()
            );
            for e in stale.iter().take(20) {
                eprintln!("  {} [{}] {}", e.path, e.rule, e.message);
            }
        }
    }

    let mut text = match args.format {
        OutputFormat::Human => human::render(&ok, color(args), lang),
        OutputFormat::Json => json::render(&ok) + "\n",
        OutputFormat::Jsonl => json::render_lines(&ok),
        OutputFormat::Sarif => sarif::render(&ok, &default_set) + "\n",
        OutputFormat::Github => github::render(&ok),
        OutputFormat::Junit => junit::render(&ok),
        OutputFormat::Html => html::render(&ok),
    };
    if args.statistics {
        text.push_str(&statistics(&ok, lang));
    }
    match &args.output {
        Some(path) => std::fs::write(path, text)
            .with_context(|| format!("无法写入输出文件 {}", path.display()))?,
        None => print!("{text}"),
    }
    if io_failed || host.failed {
        return Ok(ExitCode::from(2));
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let fails = threshold.is_some_and(|t| {
        ok.iter()
            .flat_map(|r| &r.diagnostics)
            .any(|d| d.severity >= t)
    });
    Ok(if fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn color(args: &CheckArgs) -> bool {
    args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none()
}

/// The files to lint (or stdin), each with the configuration that governs it.
fn jobs(args: &CheckArgs) -> Result<Vec<Job>> {
    let explicit = match &args.config {
        Some(p) => Some(Arc::new(Config::load(p)?)),
        None => None,
    };
    let mut discovery = Discovery::default();
    let mut config_for = |p: &Path| -> Result<Option<Arc<Config>>> {
        match &explicit {
            Some(c) => Ok(Some(c.clone())),
            None => discovery.for_file(p),
        }
    };
    let mut jobs = Vec::new();
    let (stdin, paths): (Vec<&PathBuf>, Vec<&PathBuf>) =
        args.paths.iter().partition(|p| p.as_os_str() == "-");
    if !stdin.is_empty() {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("无法读取标准输入")?;
        let name = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| "<stdin>.txt".into());
        let path = PathBuf::from(&name);
        jobs.push(Job {
            config: config_for(&path)?,
            path,
            name,
            bytes: Some(bytes),
        });
    }
    let paths: Vec<PathBuf> = paths.into_iter().cloned().collect();
    for path in collect(&paths)? {
        let config = config_for(&path)?;
        if config
            .as_ref()
            .is_some_and(|c| c.ignores(&std::path::absolute(&path).unwrap_or(path.clone())))
        {
            continue;
        }
        let name = path.display().to_string();
        jobs.push(Job {
            path,
            name,
            bytes: None,
            config,
        });
    }
    Ok(jobs)
}

fn lint_one(j: &Job, packs: &PackSet) -> Result<(FileResult, cross::Seen)> {
    let (bytes, format) = match &j.bytes {
        Some(b) => (
            b.clone(),
            Format::from_path(&j.name).unwrap_or(Format::Text),
        ),
        None => read_report(&j.path)?,
    };
    let mut parsed = crate::pdf::parse(&j.name, bytes, format, &packs.catalog)?;
    let abs = std::path::absolute(&j.path).unwrap_or_else(|_| j.path.clone());
    let (options, kind) = j
        .config
        .as_ref()
        .map_or_else(|| (Options::default(), None), |c| c.options_for(&abs));
    if kind.is_some() {
        parsed.report.office_kind = kind;
    }
    let mut diagnostics = lint(packs, &parsed, &options);
    if parsed.source.is_extracted() {
        // Word, HTML and PDF files are read, never written back: no fixes.
        diagnostics.iter_mut().for_each(|d| d.fix = None);
    }
    if format == Format::Markdown {
        let s = Suppressions::parse(&parsed.source.text, &parsed.source.lines);
        if !s.is_empty() {
            diagnostics.retain(|d| !s.suppresses(d));
        }
    }
    let seen = cross::Seen {
        report: parsed.report,
        options,
        markdown: format == Format::Markdown,
    };
    let result = FileResult {
        path: j.name.clone(),
        source: parsed.source,
        diagnostics,
    };
    Ok((result, seen))
}

/// Applies (or shows) fixes; returns whether a file could not be written.
fn apply_fixes(results: &mut [FileResult], diff_only: bool, lang: Lang) -> bool {
    let mut failed = false;
    let mut fixed_total = 0;
    for r in results.iter_mut() {
        let edits = fixing::plan(r);
        if edits.is_empty() {
            continue;
        }
        if r.path.starts_with('<') {
            continue;
        }
        if diff_only {
            print!("{}", fixing::diff(r, &edits));
            continue;
        }
        let bytes = fixing::fixed_bytes(r, &edits);
        match fixing::write_atomically(Path::new(&r.path), &bytes) {
            Ok(()) => {
                let applied: Vec<_> = edits.iter().map(|e| e.span.clone()).collect();
                let before = r.diagnostics.len();
                r.diagnostics.retain(|d| {
                    d.unsafe_fix
                        || d.fix
                            .as_ref()
                            .is_none_or(|f| !f.edits.iter().all(|e| applied.contains(&e.span)))
                });
                fixed_total += before - r.diagnostics.len();
            }
            Err(e) => {
                eprintln!(
                    "gklint: {}{e:#}",
                    if lang == Lang::En {
                        "error: "
                    } else {
                        "错误："
                    }
                );
                failed = true;
            }
        }
    }
    if !diff_only && fixed_total > 0 {
        match lang {
            Lang::Zh => eprintln!("gklint: 已自动修复 {fixed_total} 个问题"),
            Lang::En => eprintln!("gklint: fixed {fixed_total} findings"),
        }
    }
    failed
}

fn statistics(results: &[FileResult], lang: Lang) -> String {
    let mut counts: HashMap<(&str, Severity), usize> = HashMap::new();
    for d in results.iter().flat_map(|r| &r.diagnostics) {
        *counts.entry((d.rule.as_str(), d.severity)).or_default() += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = String::from(if lang == Lang::En {
        "\ncount  severity  rule\n"
    } else {
        "\n数量   严重程度  规则\n"
    });
    for ((rule, sev), n) in rows {
        out.push_str(&format!("{n:>5}  {:<8}  {rule}\n", sev.as_str()));
    }
    out
}

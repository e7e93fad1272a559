//! The cross-document pass of `gklint check`: each report against the same
//! office's report of the year before, among the files of the run and the
//! earlier years' reports given with `--history DIR` (parsed for comparison
//! only: their own findings are not reported). The checks themselves are the
//! engine's (`gklint_engine::cross`); this module reads the history files and
//! applies each file's configuration and suppressions to the findings.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use anyhow::Result;
use gklint_engine::Parsed;
use gklint_engine::cross::{self, Input};
use gklint_engine::lint::Options;
use gklint_engine::model::Report;
use gklint_engine::schema::Catalog;
use gklint_engine::suppress::Suppressions;
use rayon::prelude::*;

use crate::args::Lang;
use crate::input::{collect, read_report};
use crate::output::FileResult;

/// What the pass needs of a linted file besides its result.
pub struct Seen {
    pub report: Report,
    pub options: Options,
    /// Markdown files carry `gklint-disable` comments.
    pub markdown: bool,
}

/// Adds the cross-document findings to `results` (`seen[i]` belongs to
/// `results[i]`). A history folder that does not exist is an error; a
/// history file that cannot be read is skipped with a warning.
pub fn run(
    results: &mut [FileResult],
    seen: &[Seen],
    history: &[PathBuf],
    catalog: &Catalog,
    lang: Lang,
) -> Result<()> {
    let earlier = read_history(results, history, catalog, lang)?;
    let mut inputs: Vec<Input> = results
        .iter()
        .zip(seen)
        .map(|(r, s)| Input {
            source: &r.source,
            report: &s.report,
        })
        .collect();
    inputs.extend(earlier.iter().map(Input::from));
    let findings = cross::check(&inputs);
    drop(inputs);
    let run_files = results.len();
    let mut touched = HashSet::new();
    for f in findings {
        // Findings of a history report are not this run's business.
        if f.report >= run_files {
            continue;
        }
        let mut d = f.diagnostic;
        let options = &seen[f.report].options;
        if options.disabled.contains(&d.rule) {
            continue;
        }
        if let Some(&s) = options.severities.get(&d.rule)
            && !d.not_assessable
        {
            d.severity = s;
        }
        let r = &mut results[f.report];
        gklint_engine::locate::annotate(
            &r.source,
            &seen[f.report].report,
            std::slice::from_mut(&mut d),
        );
        if seen[f.report].markdown {
            let s = Suppressions::parse(&r.source.text, &r.source.lines);
            if s.suppresses(&d) {
                continue;
            }
        }
        r.diagnostics.push(d);
        touched.insert(f.report);
    }
    for i in touched {
        results[i].diagnostics.sort_by(|a, b| {
            (a.span.start, a.span.end, &a.rule).cmp(&(b.span.start, b.span.end, &b.rule))
        });
    }
    Ok(())
}

/// Parses the report files under the history folders, leaving out files
/// that are also part of the run.
fn read_history(
    results: &[FileResult],
    history: &[PathBuf],
    catalog: &Catalog,
    lang: Lang,
) -> Result<Vec<Parsed>> {
    if history.is_empty() {
        return Ok(Vec::new());
    }
    let in_run: HashSet<PathBuf> = results
        .iter()
        .filter_map(|r| std::fs::canonicalize(&r.path).ok())
        .collect();
    let files: Vec<PathBuf> = collect(history)?
        .into_iter()
        .filter(|p| {
            std::fs::canonicalize(p)
                .map(|c| !in_run.contains(&c))
                .unwrap_or(true)
        })
        .collect();
    let parsed: Vec<Result<Parsed>> = files.par_iter().map(|p| parse(p, catalog)).collect();
    let mut out = Vec::new();
    for (p, r) in files.iter().zip(parsed) {
        match r {
            Ok(p) => out.push(p),
            Err(e) => match lang {
                Lang::Zh => eprintln!(
                    "gklint: 警告：跳过历年报告 {}（无法读取，不参与跨年度核对）：{e:#}",
                    p.display()
                ),
                Lang::En => eprintln!(
                    "gklint: warning: skipping history report {} (not compared): {e:#}",
                    p.display()
                ),
            },
        }
    }
    Ok(out)
}

fn parse(path: &Path, catalog: &Catalog) -> Result<Parsed> {
    let (bytes, format) = read_report(path)?;
    crate::pdf::parse(&path.display().to_string(), bytes, format, catalog)
}

//! The cross-document pass of `gklint check`: each report against the same
//! office's report of the year before, among the files of the run and the
//! earlier years' reports given with `--history DIR` (parsed for comparison
//! only: their own findings are not reported). The checks themselves are the
//! engine's (`gklint_engine::cross`).
//!
//! The run does not keep its reports: while linting it keeps only a [`Key`]
//! per file (office and year). Here the files that have a report of the
//! same office a year earlier are read again, one office at a time, so
//! memory stays bounded by the largest office's reports, not the run's.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Result;
use gklint_engine::Parsed;
use gklint_engine::cancel::Cancel;
use gklint_engine::cross::{self, Input, office_key};
use gklint_engine::lint::Options;
use gklint_engine::model::Report;
use gklint_engine::pack::PackSet;
use gklint_engine::read::Format;
use gklint_engine::suppress::Suppressions;
use rayon::prelude::*;

use crate::args::Lang;
use crate::input::{collect, read_report_within};
use crate::limits::Limits;
use crate::output::FileResult;

/// What the pass keeps of a linted file: enough to pair it and read it again.
pub struct Key {
    pub path: PathBuf,
    pub name: String,
    /// Standard input cannot be read twice: its bytes are kept.
    pub stdin: Option<Arc<Vec<u8>>>,
    pub office: String,
    pub year: i32,
    pub options: Options,
    pub packs: Arc<PackSet>,
    pub limits: Limits,
}

impl Key {
    /// The key of a report that names its office and year.
    pub fn of(report: &Report) -> Option<OfficeYear> {
        let office = office_key(report.office.as_deref()?);
        let year = report.year.as_ref()?.value;
        (!office.is_empty()).then_some((office, year))
    }
}

/// An office key and a report year.
type OfficeYear = (String, i32);

/// Files read again at once (several offices' worth, for parallelism).
const BATCH: usize = 64;

/// Finds the cross-document findings and hands each run file that has some
/// to `emit`, as a result holding only those findings. A history folder that
/// does not exist is an error; a file that cannot be read again is skipped
/// with a warning.
pub fn run(
    keys: Vec<Key>,
    history: &[PathBuf],
    default: &Arc<PackSet>,
    lang: Lang,
    limits: Limits,
    emit: &mut dyn FnMut(FileResult),
) -> Result<()> {
    let run_files = keys.len();
    let mut keys = keys;
    keys.extend(history_keys(&keys, history, default, lang, limits)?);
    // One office may be written with the larger areas before its name in
    // one year and without them in another (淮安市洪泽区 / 洪泽区).
    let names: Vec<String> = keys.iter().map(|k| k.office.clone()).collect();
    let grouped = cross::grouping_keys(&names);
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, g) in grouped.iter().enumerate() {
        groups.entry(g.as_str()).or_default().push(i);
    }
    // Per office: the files needed, when a run file has a report a year before.
    let mut jobs: Vec<Vec<usize>> = Vec::new();
    for members in groups.values() {
        let years: HashSet<i32> = members.iter().map(|&i| keys[i].year).collect();
        let current: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&i| i < run_files && years.contains(&(keys[i].year - 1)))
            .collect();
        if current.is_empty() {
            continue;
        }
        // Each year's current reports, with the first few of the year before
        // (the engine compares with no more than that many).
        let mut by_year: BTreeMap<i32, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
        for &i in &current {
            by_year.entry(keys[i].year).or_default().0.push(i);
        }
        for &i in members {
            if let Some(e) = by_year.get_mut(&(keys[i].year + 1))
                && e.1.len() < cross::MAX_PREVIOUS
            {
                e.1.push(i);
            }
        }
        // Years of one office are checked apart, so one office with hundreds
        // of reports is read a year at a time.
        for (_, (now, before)) in by_year {
            let mut need: Vec<usize> = now.into_iter().chain(before).collect();
            need.sort_unstable();
            need.dedup();
            jobs.push(need);
        }
    }
    let mut batch: Vec<Vec<usize>> = Vec::new();
    let mut size = 0;
    for job in jobs {
        size += job.len();
        batch.push(job);
        if size >= BATCH {
            check_batch(&keys, run_files, &std::mem::take(&mut batch), lang, emit);
            size = 0;
        }
    }
    if !batch.is_empty() {
        check_batch(&keys, run_files, &batch, lang, emit);
    }
    Ok(())
}

fn check_batch(
    keys: &[Key],
    run_files: usize,
    groups: &[Vec<usize>],
    lang: Lang,
    emit: &mut dyn FnMut(FileResult),
) {
    let files: Vec<usize> = groups.iter().flatten().copied().collect();
    let parsed: Vec<Option<Parsed>> = files
        .par_iter()
        .map(|&i| match reparse(&keys[i]) {
            Ok(p) => Some(p),
            Err(e) => {
                match lang {
                    Lang::Zh => eprintln!("gklint: 警告：{e:#}（该文件不参与跨年度核对）"),
                    Lang::En => eprintln!("gklint: warning: {e:#} (not compared across years)"),
                }
                None
            }
        })
        .collect();
    let mut at = 0;
    for group in groups {
        let mine = &parsed[at..at + group.len()];
        at += group.len();
        let (idx, inputs): (Vec<usize>, Vec<Input>) = group
            .iter()
            .zip(mine)
            .filter_map(|(&i, p)| Some((i, Input::from(p.as_ref()?))))
            .unzip();
        let mut by_file: BTreeMap<usize, Vec<_>> = BTreeMap::new();
        for f in cross::check(&inputs) {
            let k = idx[f.report];
            // Findings of a history report are not this run's business.
            if k >= run_files {
                continue;
            }
            by_file.entry(f.report).or_default().push(f.diagnostic);
        }
        for (local, found) in by_file {
            let key = &keys[idx[local]];
            let Some(p) = mine
                .iter()
                .zip(group)
                .find(|(_, i)| **i == idx[local])
                .and_then(|(p, _)| p.as_ref())
            else {
                continue;
            };
            let markdown = Format::from_path(&key.name) == Some(Format::Markdown);
            let suppressions =
                markdown.then(|| Suppressions::parse(&p.source.text, &p.source.lines));
            let mut diagnostics: Vec<_> = found
                .into_iter()
                .filter(|d| !key.options.disabled.contains(&d.rule))
                .filter(|d| suppressions.as_ref().is_none_or(|s| !s.suppresses(d)))
                .map(|mut d| {
                    if let Some(&s) = key.options.severities.get(&d.rule)
                        && !d.not_assessable
                    {
                        d.severity = s;
                    }
                    d
                })
                .collect();
            if diagnostics.is_empty() {
                continue;
            }
            // Word, HTML and PDF reports: the place in the original too.
            gklint_engine::locate::annotate(&p.source, &p.report, &mut diagnostics);
            diagnostics.sort_by(|a, b| {
                (a.span.start, a.span.end, &a.rule).cmp(&(b.span.start, b.span.end, &b.rule))
            });
            emit(FileResult {
                path: key.name.clone(),
                source: p.source.clone(),
                diagnostics,
            });
        }
    }
}

/// Reads a file again, the way the run read it the first time.
fn reparse(key: &Key) -> Result<Parsed> {
    let (bytes, format) = match &key.stdin {
        Some(b) => (
            b.as_ref().clone(),
            Format::from_path(&key.name).unwrap_or(Format::Text),
        ),
        None => read_report_within(&key.path, key.limits.max_file_size)?,
    };
    crate::pdf::parse_within(
        &key.name,
        bytes,
        format,
        &key.packs.catalog,
        key.limits.timeout,
        &Cancel::default(),
    )
}

/// The keys of the report files under the history folders, leaving out
/// files that are also part of the run.
fn history_keys(
    run: &[Key],
    history: &[PathBuf],
    packs: &Arc<PackSet>,
    lang: Lang,
    limits: Limits,
) -> Result<Vec<Key>> {
    if history.is_empty() {
        return Ok(Vec::new());
    }
    let in_run: HashSet<PathBuf> = run
        .iter()
        .filter_map(|k| std::fs::canonicalize(&k.path).ok())
        .collect();
    let files: Vec<PathBuf> = collect(history)?
        .into_iter()
        .filter(|p| {
            std::fs::canonicalize(p)
                .map(|c| !in_run.contains(&c))
                .unwrap_or(true)
        })
        .collect();
    let read: Vec<(PathBuf, Result<Option<OfficeYear>>)> = files
        .into_par_iter()
        .map(|p| {
            let k = parse(&p, packs, limits).map(|parsed| Key::of(&parsed.report));
            (p, k)
        })
        .collect();
    let mut out = Vec::new();
    for (p, r) in read {
        match r {
            Ok(Some((office, year))) => out.push(Key {
                name: p.display().to_string(),
                path: p,
                stdin: None,
                office,
                year,
                options: Options::default(),
                packs: packs.clone(),
                limits,
            }),
            Ok(None) => {}
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

fn parse(path: &Path, packs: &PackSet, limits: Limits) -> Result<Parsed> {
    let (bytes, format) = read_report_within(path, limits.max_file_size)?;
    crate::pdf::parse_within(
        &path.display().to_string(),
        bytes,
        format,
        &packs.catalog,
        limits.timeout,
        &Cancel::default(),
    )
}

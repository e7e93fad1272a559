//! The cross-document pass of `gklint check`: each report against the same
//! office's report of the year before, among the files of the run and the
//! earlier years' reports given with `--history DIR` (parsed for comparison
//! only: their own findings are not reported). The checks themselves are the
//! engine's (`gklint_engine::cross`).
//!
//! The run does not keep all its reports: while linting it keeps a [`Key`]
//! per file (office and year) and, while a fixed budget lasts ([`Keep`]),
//! the parsed report itself. Here the files that have a report of the same
//! office a year earlier are taken from what was kept or read again, one
//! office at a time, so memory stays bounded by the budget and the largest
//! office's reports, not the run's.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::Result;
use gklint_engine::Parsed;
use gklint_engine::cancel::Cancel;
use gklint_engine::cross::{self, Input, office_key};
use gklint_engine::lint::Options;
use gklint_engine::model::Report;
use gklint_engine::read::Format;
use gklint_engine::source::SourceFile;
use gklint_engine::suppress::Suppressions;
use rayon::prelude::*;

use super::sets::Set;
use crate::args::Lang;
use crate::cache::{self, Cache, Cached, CrossEntry, FileEntry, HistoryEntry, KeyBuilder};
use crate::input::{collect, read_input, read_report_within};
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
    pub packs: Arc<Set>,
    pub limits: Limits,
    /// The report as first read, when the budget allowed keeping it.
    pub kept: Option<Arc<Kept>>,
    /// The file's place in the result cache, while the file is as it was read.
    pub cached: Option<Cached>,
}

/// What the cross checks read of a report: its text and its model's title,
/// office, year and tables (not the original bytes, the Word/HTML document,
/// or the paragraphs and sections, which copy the text). A file taken from
/// the result cache has no model: its text alone serves to show its cached
/// cross-year findings.
pub struct Kept {
    pub source: SourceFile,
    pub report: Option<Report>,
}

impl Kept {
    fn of(p: Parsed) -> Kept {
        let mut source = p.source;
        source.bytes = Vec::new();
        Kept {
            source,
            report: Some(Self::slim(p.report)),
        }
    }

    fn slim(mut report: Report) -> Report {
        report.paragraphs = Vec::new();
        report.sections = Vec::new();
        // The cells' values and places are compared, never their text.
        for cell in report
            .tables
            .iter_mut()
            .flat_map(|t| &mut t.rows)
            .flat_map(|r| &mut r.cells)
            .flatten()
        {
            cell.raw = String::new();
        }
        report
    }

    /// A copy of `source` without its bytes, with `report`.
    pub fn new(source: &SourceFile, report: Option<Report>) -> Kept {
        Kept {
            source: SourceFile {
                name: source.name.clone(),
                bytes: Vec::new(),
                encoding: source.encoding,
                bom: source.bom,
                text: source.text.clone(),
                line_ending: source.line_ending,
                lines: source.lines.clone(),
                origin: source.origin.clone(),
            },
            report: report.map(Self::slim),
        }
    }

    fn input(&self) -> Option<Input<'_>> {
        Some(Input {
            source: &self.source,
            report: self.report.as_ref()?,
        })
    }
}

/// The memory the run may spend on reports kept for the cross pass; beyond
/// it, files are read again there.
pub struct Keep {
    left: AtomicUsize,
}

impl Keep {
    /// 40 MB: a run of 10,000 reports peaks near 85 MB with it.
    pub const BUDGET: usize = 40 << 20;

    pub fn new(bytes: usize) -> Keep {
        Keep {
            left: AtomicUsize::new(bytes),
        }
    }

    /// Whether the budget has room for the report of `source`, taking it if so.
    pub fn room_for(&self, source: &SourceFile) -> bool {
        // About what a kept report occupies: its text, its line index and
        // the tables' rows and cells; measured at 4 times the text.
        let n = source.text.len() * 4 + 1024;
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |l| l.checked_sub(n))
            .is_ok()
    }
}

impl Key {
    /// The file's bytes and format, read again (standard input's as kept).
    fn bytes(&self) -> Result<(Vec<u8>, Format)> {
        read_input(
            &self.path,
            &self.name,
            self.stdin.as_deref(),
            self.limits.max_file_size,
        )
    }

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
#[allow(clippy::too_many_arguments)]
pub fn run(
    keys: Vec<Key>,
    history: &[PathBuf],
    default: &Arc<Set>,
    lang: Lang,
    limits: Limits,
    keep: &Keep,
    cache: Option<(&Cache, cache::Key)>,
    emit: &mut dyn FnMut(FileResult),
) -> Result<()> {
    let run_files = keys.len();
    let mut keys = keys;
    keys.extend(history_keys(
        &keys, history, default, lang, limits, keep, cache,
    )?);
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
    // What no pair needs is let go before the reading again starts.
    let needed: HashSet<usize> = jobs.iter().flatten().copied().collect();
    for (i, k) in keys.iter_mut().enumerate() {
        if !needed.contains(&i) {
            k.kept = None;
        }
    }
    let cache = cache.map(|c| c.0);
    let mut batch: Vec<Vec<usize>> = Vec::new();
    let mut size = 0;
    for job in jobs {
        size += job.len();
        batch.push(job);
        if size >= BATCH {
            let groups = std::mem::take(&mut batch);
            emit_batch(&keys, run_files, &groups, lang, cache, emit);
            size = 0;
        }
    }
    if !batch.is_empty() {
        emit_batch(&keys, run_files, &batch, lang, cache, emit);
    }
    Ok(())
}

/// A group's findings: each compared run file that has some, by its place
/// in the group.
type Found = Vec<(usize, FileResult)>;

/// Checks a batch of groups, taking from the cache what it has, and emits
/// the findings in group order (the same with the cache as without).
fn emit_batch(
    keys: &[Key],
    run_files: usize,
    groups: &[Vec<usize>],
    lang: Lang,
    cache: Option<&Cache>,
    emit: &mut dyn FnMut(FileResult),
) {
    let cache_keys: Vec<Option<cache::Key>> = groups
        .iter()
        .map(|g| cache.and_then(|_| group_key(keys, run_files, g)))
        .collect();
    let hits: Vec<Option<Found>> = groups
        .par_iter()
        .zip(&cache_keys)
        .map(|(g, k)| from_cache(keys, g, cache?, (*k)?))
        .collect();
    let missed: Vec<Vec<usize>> = groups
        .iter()
        .zip(&hits)
        .filter(|(_, h)| h.is_none())
        .map(|(g, _)| g.clone())
        .collect();
    let mut checked = check_batch(keys, run_files, &missed, lang).into_iter();
    for ((hit, group_key), _) in hits.into_iter().zip(&cache_keys).zip(groups) {
        let found = match hit {
            Some(found) => found,
            None => {
                let (found, complete) = checked.next().unwrap_or_default();
                // A file that could not be read again is not compared: that
                // result is not one to keep.
                if let (Some(c), Some(k), true) = (cache, group_key, complete) {
                    let entry = CrossEntry {
                        found: found
                            .iter()
                            .map(|(i, r)| (*i, r.diagnostics.clone()))
                            .collect(),
                    };
                    c.put(*k, &entry);
                }
                found
            }
        };
        for (_, r) in found {
            emit(r);
        }
    }
}

/// The cache key of comparing a group: its files' own keys, in order, and
/// which of them belong to the run. `None` when a file has none (changed by
/// `--fix`, or the run has no cache).
fn group_key(keys: &[Key], run_files: usize, group: &[usize]) -> Option<cache::Key> {
    let mut k = KeyBuilder::new("cross");
    for &i in group {
        k.key(keys[i].cached?.entry).u64(u64::from(i < run_files));
    }
    Some(k.finish())
}

/// A group's findings from the cache, with each file's source made again
/// from its bytes; `None` when anything is missing.
fn from_cache(keys: &[Key], group: &[usize], cache: &Cache, key: cache::Key) -> Option<Found> {
    let entry: CrossEntry = cache.get(key)?;
    let mut out = Vec::with_capacity(entry.found.len());
    for (local, diagnostics) in entry.found {
        let k = &keys[*group.get(local)?];
        let source = match &k.kept {
            Some(kept) => kept.source.clone(),
            None => {
                let (bytes, format) = k.bytes().ok()?;
                let cached = k.cached?;
                // Changed since it was first read (by someone else): not
                // this entry's.
                if !cached.is_of(&bytes) {
                    return None;
                }
                let file: FileEntry = cache.get(cached.entry)?;
                file.source(&k.name, bytes, format).ok()?
            }
        };
        // Untrusted like any entry: findings that do not fit the text are a miss.
        if !cache::diagnostics_fit(&diagnostics, &source.text) {
            return None;
        }
        out.push((
            local,
            FileResult {
                path: k.name.clone(),
                source,
                diagnostics,
            },
        ));
    }
    Some(out)
}

/// Compares each group's reports; per group, its findings and whether every
/// file of it could be read.
fn check_batch(
    keys: &[Key],
    run_files: usize,
    groups: &[Vec<usize>],
    lang: Lang,
) -> Vec<(Found, bool)> {
    let files: Vec<usize> = groups.iter().flatten().copied().collect();
    let parsed: Vec<Option<Arc<Kept>>> = files
        .par_iter()
        .map(|&i| {
            match keys[i]
                .kept
                .clone()
                .filter(|k| k.report.is_some())
                .map_or_else(|| reparse(&keys[i]), Ok)
            {
                Ok(p) => Some(p),
                Err(e) => {
                    match lang {
                        Lang::Zh => eprintln!("gklint: 警告：{e:#}（该文件不参与跨年度核对）"),
                        Lang::En => eprintln!("gklint: warning: {e:#} (not compared across years)"),
                    }
                    None
                }
            }
        })
        .collect();
    let mut starts = Vec::with_capacity(groups.len());
    let mut at = 0;
    for group in groups {
        starts.push(at);
        at += group.len();
    }
    let local = |g: usize| &parsed[starts[g]..starts[g] + groups[g].len()];
    // The groups' checks in parallel; their findings are written in order.
    let checked: Vec<(Vec<usize>, Vec<cross::Finding>)> = (0..groups.len())
        .into_par_iter()
        .map(|g| {
            let (idx, inputs): (Vec<usize>, Vec<Input>) = groups[g]
                .iter()
                .zip(local(g))
                .filter_map(|(&i, p)| Some((i, p.as_ref()?.input()?)))
                .unzip();
            let found = cross::check(&inputs);
            (idx, found)
        })
        .collect();
    let mut out = Vec::with_capacity(groups.len());
    for ((group, (idx, found)), g) in groups.iter().zip(checked).zip(0..) {
        let mine = local(g);
        let complete = mine.iter().all(Option::is_some);
        let mut results = Vec::new();
        let mut by_file: BTreeMap<usize, Vec<_>> = BTreeMap::new();
        for f in found {
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
            // (Every file compared has its model: the check read it.)
            if let Some(report) = &p.report {
                gklint_engine::locate::annotate(&p.source, report, &mut diagnostics);
            }
            diagnostics.sort_by(|a, b| {
                (a.span.start, a.span.end, &a.rule).cmp(&(b.span.start, b.span.end, &b.rule))
            });
            let place = group.iter().position(|&i| i == idx[local]).unwrap_or(0);
            results.push((
                place,
                FileResult {
                    path: key.name.clone(),
                    source: p.source.clone(),
                    diagnostics,
                },
            ));
        }
        out.push((results, complete));
    }
    out
}

/// Reads a file again, the way the run read it the first time.
fn reparse(key: &Key) -> Result<Arc<Kept>> {
    let (bytes, format) = key.bytes()?;
    let parsed = crate::pdf::parse_within(
        &key.name,
        bytes,
        format,
        &key.packs.packs()?.catalog,
        key.limits,
        &Cancel::default(),
    )?;
    Ok(Arc::new(Kept::of(parsed)))
}

/// The keys of the report files under the history folders, leaving out
/// files that are also part of the run.
#[allow(clippy::too_many_arguments)]
fn history_keys(
    run: &[Key],
    history: &[PathBuf],
    packs: &Arc<Set>,
    lang: Lang,
    limits: Limits,
    keep: &Keep,
    cache: Option<(&Cache, cache::Key)>,
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
    type Read = Result<Option<(OfficeYear, Option<Arc<Kept>>)>>;
    let read: Vec<(PathBuf, Read, Option<Cached>)> = files
        .into_par_iter()
        .map(|p| {
            let (k, entry) = match read_report_within(&p, limits.max_file_size) {
                Ok((bytes, format)) => {
                    history_report(&p, bytes, format, packs, limits, keep, cache)
                }
                Err(e) => (Err(e), None),
            };
            (p, k, entry)
        })
        .collect();
    let mut out = Vec::new();
    for (p, r, entry) in read {
        match r {
            Ok(Some(((office, year), kept))) => out.push(Key {
                cached: entry,
                name: p.display().to_string(),
                path: p,
                stdin: None,
                office,
                year,
                options: Options::default(),
                packs: packs.clone(),
                limits,
                kept,
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

/// The office and year of a history report (from the cache when it has
/// them), the report itself when read and the budget allows keeping it, and
/// its cache key.
#[allow(clippy::type_complexity)]
fn history_report(
    path: &Path,
    bytes: Vec<u8>,
    format: Format,
    packs: &Set,
    limits: Limits,
    keep: &Keep,
    cache: Option<(&Cache, cache::Key)>,
) -> (
    Result<Option<(OfficeYear, Option<Arc<Kept>>)>>,
    Option<Cached>,
) {
    let name = path.display().to_string();
    let cached =
        cache.map(|(c, settings)| (c, Cached::new("history", settings, path, None, &bytes)));
    if let Some((c, key)) = cached
        && let Some(hit) = c.get::<HistoryEntry>(key.entry)
    {
        return (Ok(hit.office_year.map(|k| (k, None))), Some(key));
    }
    let parsed = match packs.packs().and_then(|p| {
        crate::pdf::parse_within(&name, bytes, format, &p.catalog, limits, &Cancel::default())
    }) {
        Ok(p) => p,
        Err(e) => return (Err(e), None),
    };
    let office_year = Key::of(&parsed.report);
    if let Some((c, key)) = cached {
        c.put(
            key.entry,
            &HistoryEntry {
                office_year: office_year.clone(),
            },
        );
    }
    let read = office_year.map(|key| {
        let kept = keep
            .room_for(&parsed.source)
            .then(|| Arc::new(Kept::of(parsed)));
        (key, kept)
    });
    (Ok(read), cached.map(|c| c.1))
}

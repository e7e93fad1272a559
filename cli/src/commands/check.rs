//! `gklint check`: lint files and folders in parallel and write each file's
//! findings as soon as it and those before it are done, in path order (a
//! run over ten thousand reports holds a few hundred at a time); then the
//! findings that compare reports across years. Exit 1 when a finding
//! reaches `--fail-on`, 2 on usage, config or I/O errors.

use std::collections::HashMap;
use std::io::{IsTerminal, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use gklint_engine::cancel::Cancel;
use gklint_engine::diagnostic::Severity;
use gklint_engine::lint::{Options, lint};
use gklint_engine::read::Format;
use gklint_engine::suppress::Suppressions;
use rayon::prelude::*;

use super::cross;
use super::sets::{PackFailure, Set, Sets};
use crate::args::{CheckArgs, FailOn, Lang, OutputFormat};
use crate::cache::{Cache, Cached, FileEntry, Key, KeyBuilder, Miss};
use crate::config::{Config, Discovery};
use crate::input::{Walked, collect_all, read_input};
use crate::limits::{self, Limits};
use crate::output::FileResult;
use crate::output::sink::{self, Totals};
use crate::{baseline, fixing};

/// One file to lint, with its configuration.
struct Job {
    /// The path as the OS spells it: what is read and written back.
    path: PathBuf,
    /// How the path is shown (lossy for a name that is not UTF-8).
    name: String,
    bytes: Option<Arc<Vec<u8>>>,
    config: Option<Arc<Config>>,
}

/// Files linted at once: enough to keep every core busy, few enough that
/// their sources are a small part of memory.
const CHUNK: usize = 256;

/// What the run counts as it goes.
#[derive(Default)]
struct Tally {
    files: usize,
    failed: usize,
    counts: [usize; 3],
    by_rule: HashMap<(String, Severity), usize>,
    worst: Option<Severity>,
    fixed: usize,
}

impl Tally {
    fn add(&mut self, r: &FileResult) {
        for d in &r.diagnostics {
            self.counts[d.severity as usize] += 1;
            *self
                .by_rule
                .entry((d.rule.clone(), d.severity))
                .or_default() += 1;
            self.worst = self.worst.max(Some(d.severity));
        }
    }
}

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let lang = args.lang;
    if args.fix && args.paths.iter().any(|p| p.as_os_str() == "-") {
        bail!(match lang {
            Lang::Zh => "--fix 不能用于标准输入（没有可以写回的文件）；请用 --diff 查看修复内容",
            Lang::En =>
                "--fix cannot be used with standard input (there is no file to write back); use --diff",
        });
    }
    let (jobs, walked) = jobs(args)?;
    let mut tally = Tally::default();
    for p in &walked.missing {
        error(lang, &anyhow::anyhow!("找不到文件或目录：{}", p.display()));
        tally.failed += 1;
    }
    // An unreadable folder is named and skipped; the rest is checked (exit 2).
    for e in &walked.unreadable {
        error(lang, e);
        tally.failed += 1;
    }
    let mut sets = Sets::new(&args.packs.packs, &args.packs.plugins);
    let mut work = Vec::with_capacity(jobs.len());
    for j in jobs {
        let set = sets.for_config(j.config.as_deref())?;
        let limits = limits_for(args, j.config.as_deref());
        let settings = set
            .key
            .map(|k| settings_key(k, j.config.as_deref(), limits));
        work.push((j, set, limits, settings));
    }
    let default_set = sets.for_config(None)?;
    // Only SARIF lists the rules, and so needs every set compiled.
    let rules = if args.format == OutputFormat::Sarif {
        let all = std::iter::once(default_set.packs()?.clone()).chain(sets.compiled()?);
        crate::output::sarif::driver_rules(all.collect::<Vec<_>>().iter().map(Arc::as_ref))
    } else {
        Vec::new()
    };
    let cache = args.cache.root().and_then(|root| Cache::open(&root));
    let color = args.output.is_none()
        && !args.diff
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let mut out: Box<dyn std::io::Write> = match &args.output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("无法写入输出文件 {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    // With --diff, standard output carries the diff alone (like `ruff --diff`).
    let mut sink = sink::new(args.format, color, lang, rules);
    let write = |text: String, out: &mut Box<dyn std::io::Write>| -> Result<()> {
        if args.diff && args.output.is_none() {
            return Ok(());
        }
        out.write_all(text.as_bytes()).context("无法写出检查结果")
    };
    write(sink.begin(), &mut out)?;

    let mut matcher = match &args.baseline {
        Some(p) => Some(baseline::Matcher::new(baseline::read(p)?)),
        None => None,
    };
    let mut recorded = Vec::new();
    let mut keys = Vec::new();
    let keep = cross::Keep::new(cross::Keep::BUDGET);
    for chunk in work.chunks(CHUNK) {
        let results: Vec<Result<Linted>> = chunk
            .par_iter()
            .map(|(j, set, limits, settings)| {
                let cached = cache.as_ref().zip(*settings);
                lint_one(j, set, *limits, &keep, cached)
            })
            .collect();
        // Files are rendered on any thread (miette's excerpts cost more than
        // the linting) and written in order; the HTML page, which keeps every
        // report, and --fix/--diff write as they go.
        let parallel = sink.parallel().is_some() && !(args.fix || args.diff);
        let mut rendered_later = Vec::new();
        for (r, (j, ..)) in results.into_iter().zip(chunk) {
            let (mut r, mut key, seen) = match r {
                Ok(ok) => ok,
                // Packs that do not load stop the run, as they would at start.
                Err(e) if e.is::<PackFailure>() => return Err(e),
                Err(e) => {
                    error(lang, &e);
                    tally.failed += 1;
                    continue;
                }
            };
            tally.files += 1;
            if lang == Lang::En {
                // Packs may word their messages in English too (`message_en`).
                for d in &mut r.diagnostics {
                    if let Some(en) = d.message_en.take() {
                        d.message = en;
                    }
                }
            }
            if args.fix || args.diff {
                match fix_one(&mut r, &j.path, seen.as_ref(), args.diff, &mut out) {
                    Ok(n) => {
                        tally.fixed += n;
                        // The cross pass must read the file as fixed on disk.
                        if n > 0
                            && !args.diff
                            && let Some(k) = &mut key
                        {
                            k.kept = None;
                            k.cached = None;
                        }
                    }
                    Err(e) => {
                        error(lang, &e);
                        tally.failed += 1;
                    }
                }
            }
            finish_one(
                &mut r,
                &mut matcher,
                &mut recorded,
                args.write_baseline.is_some(),
            );
            tally.add(&r);
            keys.extend(key);
            if parallel {
                rendered_later.push(r);
            } else {
                write(sink.file(r), &mut out)?;
            }
        }
        let texts: Vec<String> = match sink.parallel().filter(|_| parallel) {
            Some(render) => rendered_later.par_iter().map(&render).collect(),
            None => Vec::new(),
        };
        for text in texts {
            write(sink.rendered(text), &mut out)?;
        }
    }
    let limits = limits_for(args, None);
    // Written as each office-year is checked, not kept.
    let mut failed_write = None;
    cross::run(
        keys,
        &args.history,
        &default_set,
        lang,
        limits,
        &keep,
        cache
            .as_ref()
            .zip(default_set.key.map(|k| settings_key(k, None, limits))),
        &mut |mut r| {
            finish_one(
                &mut r,
                &mut matcher,
                &mut recorded,
                args.write_baseline.is_some(),
            );
            if r.diagnostics.is_empty() || failed_write.is_some() {
                return;
            }
            tally.add(&r);
            let text = sink.cross() + &sink.file(r);
            if let Err(e) = write(text, &mut out) {
                failed_write = Some(e);
            }
        },
    )?;
    if let Some(e) = failed_write {
        return Err(e);
    }
    write(
        sink.finish(&Totals {
            files: tally.files,
            failed: tally.failed,
            counts: tally.counts,
        }),
        &mut out,
    )?;
    if args.statistics {
        let text = statistics(&tally, lang);
        // Machine-readable output stays parseable: the table goes to stderr.
        if args.format == OutputFormat::Human && !args.diff {
            write(text, &mut out)?;
        } else {
            eprint!("{text}");
        }
    }
    out.flush().context("无法写出检查结果")?;
    drop(out);

    if let Some(path) = &args.write_baseline {
        let n = baseline::write(recorded, path)?;
        eprintln!("gklint: 已把 {n} 条问题写入基线 {}", path.display());
    }
    if let Some(m) = &matcher {
        let stale = m.stale();
        if !stale.is_empty() {
            eprintln!(
                "gklint: 基线 {} 中有 {} 条记录已不再出现，可用 --write-baseline 重新生成：",
                args.baseline
                    .as_ref()
                    .map_or(String::new(), |p| p.display().to_string()),
                stale.len()
            );
            for e in stale.iter().take(20) {
                eprintln!("  {} [{}] {}", e.path, e.rule, e.message);
            }
        }
    }
    if tally.fixed > 0 && !args.diff {
        match lang {
            Lang::Zh => eprintln!("gklint: 已自动修复 {} 个问题", tally.fixed),
            Lang::En => eprintln!("gklint: fixed {} findings", tally.fixed),
        }
    }
    if tally.failed > 0 || sets.failed() {
        return Ok(ExitCode::from(2));
    }
    let threshold = match args.fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Info => Some(Severity::Info),
        FailOn::Never => None,
    };
    let fails = threshold.is_some_and(|t| tally.worst.is_some_and(|w| w >= t));
    Ok(if fails {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn error(lang: Lang, e: &anyhow::Error) {
    eprintln!(
        "gklint: {}{e:#}",
        if lang == Lang::En {
            "error: "
        } else {
            "错误："
        }
    );
}

/// The limits for a file: the command line, else its config, else defaults.
fn limits_for(args: &CheckArgs, config: Option<&Config>) -> Limits {
    let d = Limits::default();
    Limits {
        max_file_size: args
            .max_file_size
            .or(config.and_then(|c| c.max_file_size))
            .unwrap_or(d.max_file_size),
        timeout: args
            .timeout
            .or(config.and_then(|c| c.timeout))
            .unwrap_or(d.timeout),
    }
}

/// What a file's findings depend on besides its name and bytes: the packs
/// and plugins, the config governing it, and the limits.
fn settings_key(packs: Key, config: Option<&Config>, limits: Limits) -> Key {
    let mut k = KeyBuilder::new("settings");
    k.key(packs)
        .u64(limits.max_file_size)
        .u64(limits.timeout.as_nanos() as u64);
    if let Some(c) = config {
        k.path(&c.dir).str(&c.text);
    }
    k.finish()
}

/// Baseline filtering or recording, once a file's findings are final.
fn finish_one(
    r: &mut FileResult,
    matcher: &mut Option<baseline::Matcher>,
    recorded: &mut Vec<baseline::Entry>,
    record: bool,
) {
    if record {
        recorded.extend(baseline::entries(r));
    }
    if let Some(m) = matcher {
        m.filter(r);
    }
}

/// The files to lint (or stdin), each with the configuration that governs
/// it, and what of the paths could not be found or walked.
fn jobs(args: &CheckArgs) -> Result<(Vec<Job>, Walked)> {
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
        let max = args.max_file_size.unwrap_or(limits::DEFAULT_MAX_FILE_SIZE);
        std::io::stdin()
            .take(max + 1)
            .read_to_end(&mut bytes)
            .context("无法读取标准输入")?;
        if bytes.len() as u64 > max {
            bail!(
                "标准输入超过单个文件的上限 {}（可用 --max-file-size 调整）",
                limits::human_size(max)
            );
        }
        let name = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| "<stdin>.txt".into());
        let path = PathBuf::from(&name);
        jobs.push(Job {
            config: config_for(&path)?,
            path,
            name,
            bytes: Some(Arc::new(bytes)),
        });
    }
    let paths: Vec<PathBuf> = paths.into_iter().cloned().collect();
    let mut walked = collect_all(&paths);
    // A config that cannot be loaded is named once; the files it governs
    // are not checked, the others are.
    let mut bad_configs = std::collections::HashSet::new();
    for path in std::mem::take(&mut walked.files) {
        let config = match config_for(&path) {
            Ok(c) => c,
            Err(e) => {
                let shown = format!("{e:#}");
                if bad_configs.insert(shown.clone()) {
                    walked
                        .unreadable
                        .push(anyhow::anyhow!("{shown}；它管辖的文件未检查"));
                }
                continue;
            }
        };
        let named = paths.contains(&path);
        if config
            .as_ref()
            .is_some_and(|c| c.ignores(&std::path::absolute(&path).unwrap_or(path.clone())))
        {
            if named {
                eprintln!(
                    "gklint: 跳过 {}：配置文件的 ignore 排除了它",
                    path.display()
                );
            }
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
    Ok((jobs, walked))
}

/// A linted file: its findings, its key for the cross-year pass, and what
/// its path named when it was read (for `--fix`; none for standard input).
type Linted = (FileResult, Option<cross::Key>, Option<fixing::Seen>);

fn lint_one(
    j: &Job,
    set: &Arc<Set>,
    limits: Limits,
    keep: &cross::Keep,
    cached: Option<(&Cache, Key)>,
) -> Result<Linted> {
    let started = Instant::now();
    // Before the read, so that a change made while reading is caught too.
    let seen = j
        .bytes
        .is_none()
        .then(|| fixing::Seen::capture(&j.path).ok())
        .flatten();
    let (mut bytes, format) =
        read_input(&j.path, &j.name, j.bytes.as_deref(), limits.max_file_size)?;
    let abs = std::path::absolute(&j.path).unwrap_or_else(|_| j.path.clone());
    let cached = cached.map(|(cache, settings)| {
        // Per-path overrides in a config match the absolute path.
        let path = j.config.is_some().then_some(abs.as_path());
        (cache, Cached::new("file", settings, &j.path, path, &bytes))
    });
    let cross_key = |office_year: Option<(String, i32)>, options, kept, entry| {
        office_year.map(|(office, year)| cross::Key {
            path: j.path.clone(),
            name: j.name.clone(),
            stdin: j.bytes.clone(),
            office,
            year,
            options,
            packs: set.clone(),
            limits,
            kept,
            cached: entry,
        })
    };
    if let Some((cache, key)) = cached
        && let Some(hit) = cache.get::<FileEntry>(key.entry)
    {
        // An entry that does not fit the file is a miss: lint afresh.
        match hit.source(&j.name, bytes, format) {
            Ok(source) => {
                let office_year = hit.office_year.map(|(o, y)| (o.into_owned(), y));
                let result = FileResult {
                    path: j.name.clone(),
                    source,
                    diagnostics: hit.diagnostics.into_owned(),
                };
                let options = options_for(j, &abs).0;
                // Its text, for its cached cross-year findings (no model: those
                // are not compared again unless a file of its office changed).
                let kept = (office_year.is_some() && keep.room_for(&result.source))
                    .then(|| Arc::new(cross::Kept::new(&result.source, None)));
                let key = cross_key(office_year, options, kept, Some(key));
                return Ok((result, key, seen));
            }
            Err(Miss::Invalid(b)) => bytes = b,
            Err(Miss::Undecodable(e)) => return Err(e),
        }
    }
    let packs = set.packs()?;
    let timeout = limits.timeout;
    let cancel = Cancel::new(move || started.elapsed() > timeout);
    let timed_out = || {
        anyhow::anyhow!(
            "{} 处理超过 {} 秒，已跳过（可用 --timeout 或配置中的 limits.timeout 调整）",
            j.name,
            timeout.as_secs_f64()
        )
    };
    let mut parsed =
        crate::pdf::parse_within(&j.name, bytes, format, &packs.catalog, limits, &cancel)?;
    if cancel.is_cancelled() {
        return Err(timed_out());
    }
    let (mut options, kind) = options_for(j, &abs);
    if kind.is_some() {
        parsed.report.office_kind = kind;
    }
    options.cancel = cancel.clone();
    let mut diagnostics = lint(packs, &parsed, &options);
    if cancel.is_cancelled() {
        return Err(timed_out());
    }
    options.cancel = Cancel::default();
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
    let office_year = cross::Key::of(&parsed.report);
    if let Some((cache, key)) = cached {
        let entry = FileEntry::new(
            &parsed.source,
            &diagnostics,
            office_year.as_ref().map(|(o, y)| (o.as_str(), *y)),
        );
        cache.put(key.entry, &entry);
    }
    let kept = office_year.is_some() && keep.room_for(&parsed.source);
    let kept = kept.then(|| Arc::new(cross::Kept::new(&parsed.source, Some(parsed.report))));
    let key = cross_key(office_year, options, kept, cached.map(|c| c.1));
    let result = FileResult {
        path: j.name.clone(),
        source: parsed.source,
        diagnostics,
    };
    Ok((result, key, seen))
}

/// The options of a file from the config governing it, and the kind of
/// office the config says it is.
fn options_for(j: &Job, abs: &Path) -> (Options, Option<gklint_engine::model::OfficeKind>) {
    j.config
        .as_ref()
        .map_or_else(|| (Options::default(), None), |c| c.options_for(abs))
}

/// Applies (or, with `diff_only`, shows) one file's fixes to the file at
/// `path`, which was as `seen` when read; the number of findings fixed. A
/// file that cannot be written exactly and safely is an error, left as it was.
fn fix_one(
    r: &mut FileResult,
    path: &Path,
    seen: Option<&fixing::Seen>,
    diff_only: bool,
    out: &mut Box<dyn std::io::Write>,
) -> Result<usize> {
    if r.source.is_extracted() {
        if !diff_only {
            eprintln!(
                "gklint: {} 是 Word、HTML 或 PDF 文件，--fix 不修改它（只修改 .txt 和 .md）；请在原稿中修改。",
                r.path
            );
        }
        return Ok(0);
    }
    let edits = fixing::plan(r);
    if edits.is_empty() {
        return Ok(0);
    }
    if diff_only {
        out.write_all(fixing::diff(r, &edits).as_bytes())
            .context("无法写出修复内容")?;
        return Ok(0);
    }
    let bytes = fixing::fixed_bytes(r, &edits)?;
    let Some(seen) = seen else {
        bail!("{} 读取时无法确认它是哪个文件，未写入；请重新运行", r.path);
    };
    fixing::write_back(path, &r.path, seen, &r.source.bytes, &bytes)?;
    let applied: Vec<_> = edits.iter().map(|e| e.span.clone()).collect();
    let before = r.diagnostics.len();
    r.diagnostics.retain(|d| {
        d.unsafe_fix
            || d.fix
                .as_ref()
                .is_none_or(|f| !f.edits.iter().all(|e| applied.contains(&e.span)))
    });
    Ok(before - r.diagnostics.len())
}

fn statistics(t: &Tally, lang: Lang) -> String {
    let mut rows: Vec<_> = t.by_rule.iter().collect();
    rows.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
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

//! Where a cold run's CPU goes, stage by stage, on one thread: decoding, the
//! report model (with its parts timed apart: reading, the key stream, table
//! recognition, sections, header) and the rules; and, for scale, a byte
//! scan and two single-regex passes over the same texts. Each report goes
//! through every stage and is dropped, as in a run. The pipeline's total is
//! what one core spends per report, before reading files and rendering.
//! The reports are `gen_corpus`'s (seed 1), the ones the CLI is timed on.
//!
//! `cargo run --release -p gklint-tests --example stages -- [N]`

use std::hint::black_box;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use gklint_engine::cancel::Cancel;
use gklint_engine::lint::{Options, lint};
use gklint_engine::read::{self, Format};
use gklint_engine::source::SourceFile;
use gklint_engine::structure::{header, sections, stream::Stream, tables};
use gklint_engine::{pack, parse_source};
use gklint_tests::generate::generate;

/// The stages in the order they are printed; `true` for the pipeline's own
/// (the parts of the model and the scale rows are not added to the total).
const STAGES: [(&str, bool); 11] = [
    ("decode (detect, transcode, lines)", true),
    ("report model (read + structure::build)", true),
    ("  read: fragments, blocks", false),
    ("  key stream: NFKC, per-char spans", false),
    ("  tables::recognise", false),
    ("  sections::find", false),
    ("  header::read", false),
    ("lint (every built-in rule)", true),
    ("for scale: count newlines", false),
    ("for scale: one regex [0-9]+", false),
    ("for scale: one regex \\p{Han}{2,10}局", false),
];

fn main() -> ExitCode {
    let n = match std::env::args().nth(1).map_or(Ok(1000), |s| s.parse()) {
        Ok(n) if n > 0 => n,
        _ => {
            eprintln!("usage: stages [N]   (N > 0 reports, default 1000)");
            return ExitCode::from(2);
        }
    };
    let started = Instant::now();
    let packs = pack::builtin().expect("built-in packs load");
    let compile = started.elapsed();
    let corpus = generate(n, 1);
    let bytes: usize = corpus.iter().map(|g| g.bytes.len()).sum();
    println!(
        "{n} reports, {:.2} MB; built-in packs loaded and compiled in {compile:.1?}",
        bytes as f64 / 1e6
    );
    let cancel = Cancel::default();
    let digits = regex::Regex::new(r"[0-9]+").expect("valid");
    let han = regex::Regex::new(r"\p{Han}{2,10}局").expect("valid");
    let mut spent = [Duration::ZERO; STAGES.len()];
    let mut findings = 0;
    for g in &corpus {
        let mut lap = Lap(Instant::now());
        let source = SourceFile::decode(g.name.clone(), g.bytes.clone()).expect("decodes");
        spent[0] += lap.next();
        // The model as `check` builds it: the engine's own entry point.
        let parsed = parse_source(source, Format::Text, &packs.catalog);
        spent[1] += lap.next();

        // The model's parts again, one by one.
        let (text, document) = (&parsed.source.text, &parsed.document);
        black_box(read::read(text, Format::Text));
        spent[2] += lap.next();
        let stream = Stream::new(text, document);
        spent[3] += lap.next();
        let found = tables::recognise(&stream, &packs.catalog, &cancel);
        spent[4] += lap.next();
        let spans: Vec<_> = found.iter().map(|t| t.span.clone()).collect();
        black_box(sections::find(text, &stream, &packs.catalog, &spans));
        spent[5] += lap.next();
        black_box(header::read(text, document));
        spent[6] += lap.next();
        drop((stream, found));
        lap.next();

        findings += lint(&packs, &parsed, &Options::default()).len();
        spent[7] += lap.next();

        black_box(text.bytes().filter(|&b| b == b'\n').count());
        spent[8] += lap.next();
        black_box(digits.find_iter(text).count());
        spent[9] += lap.next();
        black_box(han.find_iter(text).count());
        spent[10] += lap.next();
    }
    let row = |name: &str, d: Duration| {
        let ms = d.as_secs_f64() * 1000.0;
        println!(
            "{name:<40} {ms:>8.1} ms {:>8.1} µs/report",
            ms * 1000.0 / n as f64
        );
    };
    for ((name, _), d) in STAGES.iter().zip(spent) {
        row(name, d);
    }
    let total = STAGES
        .iter()
        .zip(spent)
        .filter(|((_, own), _)| *own)
        .map(|(_, d)| d)
        .sum();
    row("pipeline: decode + model + lint", total);
    println!("{findings} findings");
    ExitCode::SUCCESS
}

/// Time since the last lap.
struct Lap(Instant);

impl Lap {
    fn next(&mut self) -> Duration {
        let now = Instant::now();
        now - std::mem::replace(&mut self.0, now)
    }
}

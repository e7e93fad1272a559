//! Parsing throughput: decode + read + model, over 1,000 generated reports
//! (about 9 MB, four encodings, LF and CRLF) and over single reports.
//!
//! `cargo bench -p gklint-tests --bench parse`

use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::BytesCount;
use gklint_engine::read::Format;
use gklint_engine::schema::Catalog;
use gklint_engine::source::SourceFile;
use gklint_engine::{Parsed, pack, parse};
use gklint_tests::generate::{Generated, generate};

const REPORTS: usize = 1_000;
const SEED: u64 = 2024;

static CATALOG: LazyLock<Catalog> =
    LazyLock::new(|| pack::builtin_catalog().expect("built-in packs load"));
static CORPUS: LazyLock<Vec<Generated>> = LazyLock::new(|| generate(REPORTS, SEED));

fn main() {
    let total: usize = CORPUS.iter().map(|g| g.bytes.len()).sum();
    eprintln!(
        "corpus: {REPORTS} reports, {total} bytes ({:.2} MB)",
        total as f64 / 1e6
    );
    for which in KINDS {
        let g = pick(which);
        eprintln!("{which}: {} ({} bytes)", g.name, g.bytes.len());
    }
    divan::main();
}

fn parse_one(g: &Generated, bytes: Vec<u8>) -> Parsed {
    parse(&g.name, bytes, Format::Text, &CATALOG).expect("a generated report decodes")
}

/// All 1,000 reports, one after another (the copies of the bytes that
/// `parse` takes by value are made outside the timing).
#[divan::bench(sample_count = 10, sample_size = 1)]
fn all_reports(bencher: Bencher) {
    let corpus = &*CORPUS;
    let total: usize = corpus.iter().map(|g| g.bytes.len()).sum();
    bencher
        .counter(BytesCount::new(total))
        .with_inputs(|| corpus.iter().map(|g| g.bytes.clone()).collect::<Vec<_>>())
        .bench_values(|inputs| {
            inputs
                .into_iter()
                .zip(corpus)
                .map(|(bytes, g)| parse_one(g, bytes))
                .collect::<Vec<_>>()
        });
}

/// `typical`: the report of median size. The corpus has two shapes, timed
/// apart: `lines`, the median of the reports written line by line with their
/// tables in cells (the seeds), and `one-line`, the median of the scraped
/// pages whose text and tables run on one line, digits together.
const KINDS: [&str; 3] = ["typical", "lines", "one-line"];

fn pick(which: &str) -> &'static Generated {
    let lines = |g: &Generated| {
        let text = SourceFile::decode(g.name.clone(), g.bytes.clone())
            .expect("decodes")
            .text;
        text.lines().count()
    };
    let mut chosen: Vec<&Generated> = CORPUS
        .iter()
        .filter(|g| match which {
            "lines" => lines(g) > 30,
            "one-line" => lines(g) <= 30,
            _ => true,
        })
        .collect();
    chosen.sort_by_key(|g| g.bytes.len());
    chosen[chosen.len() / 2]
}

#[divan::bench(args = KINDS)]
fn one_report(bencher: Bencher, which: &str) {
    let g = pick(which);
    bencher
        .counter(BytesCount::new(g.bytes.len()))
        .with_inputs(|| g.bytes.clone())
        .bench_values(|bytes| parse_one(g, bytes));
}

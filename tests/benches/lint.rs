//! Linting throughput: parse and every built-in rule, over 1,000 generated
//! reports (about 9 MB, four encodings, LF and CRLF; see
//! `gklint_tests::generate`) and over one typical report. This is the
//! engine's share of `gklint check`; the CLI adds reading files, threads and
//! rendering.
//!
//! `cargo bench -p gklint-tests --bench lint`

use std::sync::LazyLock;

use divan::Bencher;
use divan::counter::BytesCount;
use gklint_engine::lint::{Options, lint};
use gklint_engine::pack::{self, PackSet};
use gklint_engine::read::Format;
use gklint_engine::{diagnostic::Diagnostic, parse};
use gklint_tests::generate::{Generated, generate};

const REPORTS: usize = 1_000;
const SEED: u64 = 2024;

static PACKS: LazyLock<PackSet> = LazyLock::new(|| pack::builtin().expect("built-in packs load"));
static CORPUS: LazyLock<Vec<Generated>> = LazyLock::new(|| generate(REPORTS, SEED));

fn main() {
    let total: usize = CORPUS.iter().map(|g| g.bytes.len()).sum();
    eprintln!(
        "corpus: {REPORTS} reports, {total} bytes ({:.2} MB)",
        total as f64 / 1e6
    );
    divan::main();
}

fn lint_one(g: &Generated, bytes: Vec<u8>) -> Vec<Diagnostic> {
    let parsed = parse(&g.name, bytes, Format::Text, &PACKS.catalog).expect("decodes");
    lint(&PACKS, &parsed, &Options::default())
}

/// Loading and compiling the built-in packs (once per run).
#[divan::bench(sample_count = 10)]
fn compile_builtin_packs() -> PackSet {
    pack::builtin().expect("built-in packs load")
}

/// All 1,000 reports on one thread.
#[divan::bench(sample_count = 5, sample_size = 1)]
fn all_reports(bencher: Bencher) {
    let corpus = &*CORPUS;
    let _ = &*PACKS;
    let total: usize = corpus.iter().map(|g| g.bytes.len()).sum();
    bencher
        .counter(BytesCount::new(total))
        .with_inputs(|| corpus.iter().map(|g| g.bytes.clone()).collect::<Vec<_>>())
        .bench_values(|inputs| {
            inputs
                .into_iter()
                .zip(corpus)
                .map(|(bytes, g)| lint_one(g, bytes).len())
                .sum::<usize>()
        });
}

/// The report of median size.
#[divan::bench]
fn one_report(bencher: Bencher) {
    let mut sizes: Vec<&Generated> = CORPUS.iter().collect();
    sizes.sort_by_key(|g| g.bytes.len());
    let g = sizes[sizes.len() / 2];
    let _ = &*PACKS;
    bencher
        .counter(BytesCount::new(g.bytes.len()))
        .with_inputs(|| g.bytes.clone())
        .bench_values(|bytes| lint_one(g, bytes));
}

//! From `textDocument/didChange` to the `publishDiagnostics` of that version,
//! on a report of about 30 KB (the test fixture's 2021 tables with the
//! narrative of a real report repeated in section 五): apply the incremental
//! edit, parse, lint, convert positions, publish. The server runs with no
//! debounce here, so the figure is the work itself; an editor adds the
//! debounce (150 ms by default) on top.
//!
//! `engine_parse_and_lint` times the engine alone on the same text (parse,
//! lint), to tell the engine's share from the server's.
//!
//! `cargo bench -p gklint-lsp --bench did_change`

#[path = "../tests/common/mod.rs"]
mod common;

use std::cell::RefCell;
use std::path::Path;

use common::{Client, edit, uri};
use divan::Bencher;
use gklint_engine::lint::{Options, lint};
use gklint_engine::read::Format;
use gklint_engine::source::SourceFile;
use gklint_engine::{pack, parse_source};

const TARGET: usize = 30 * 1024;

fn main() {
    let text = report();
    eprintln!(
        "report: {} bytes, {} lines",
        text.len(),
        text.lines().count()
    );
    divan::main();
}

/// The fixture with real narrative added to section 五 until it is ~30 KB.
fn report() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let base = std::fs::read_to_string(root.join("tests/fixtures/report.txt")).unwrap();
    let prose = std::fs::read_to_string(
        root.join("../tests/fixtures/corpus/seeds/004_c70ffb9ddb659733.txt"),
    )
    .unwrap();
    let paragraphs: Vec<&str> = prose
        .lines()
        .filter(|l| l.chars().count() > 60 && !l.contains('\t'))
        .collect();
    let mut extra = String::new();
    let mut i = 0;
    while base.len() + extra.len() < TARGET {
        extra.push_str(paragraphs[i % paragraphs.len()]);
        extra.push('\n');
        i += 1;
    }
    let at = base.find("六、其他需要报告的事项").unwrap();
    format!("{}{}{}", &base[..at], extra, &base[at..])
}

#[divan::bench(sample_count = 200, sample_size = 1)]
fn did_change_to_publish(bencher: Bencher) {
    let text = report();
    let uri = uri("file:///tmp/gklint-bench/report.txt");
    let mut c = Client::start();
    c.open(&uri, "plaintext", &text);
    // Type a character into section 一 and take it out again, alternately.
    let state = RefCell::new((c, 1));
    bencher.bench_local(|| {
        let (c, version) = &mut *state.borrow_mut();
        *version += 1;
        let change = if *version % 2 == 0 {
            edit((2, 5), (2, 5), "县")
        } else {
            edit((2, 5), (2, 6), "")
        };
        c.change(&uri, *version, vec![change]);
        let p = c.diagnostics(&uri, Some(*version));
        assert!(!p.diagnostics.is_empty());
    });
    let (c, _) = state.into_inner();
    c.exit();
}

#[divan::bench(sample_count = 200, sample_size = 1)]
fn engine_parse_and_lint(bencher: Bencher) {
    let text = report();
    let set = pack::builtin().unwrap();
    bencher
        .with_inputs(|| text.clone())
        .bench_local_values(|text| {
            let parsed = parse_source(
                SourceFile::from_text("report.txt", text),
                Format::Text,
                &set.catalog,
            );
            lint(&set, &parsed, &Options::default())
        });
}

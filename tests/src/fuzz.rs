//! The bodies of the fuzz targets in `fuzz/` (cargo-fuzz, nightly), here so
//! that the inputs the fuzzers found are replayed by the ordinary test suite
//! on stable (`tests/tests/fuzz_regressions.rs`). Each reads the bytes the
//! way gklint would and checks what must hold for any input: no panic, and
//! every finding and fix inside the text, on character boundaries.

use std::sync::LazyLock;

use gklint_engine::lint::{Options, lint};
use gklint_engine::pack::{self, PackInput, PackSet, PackSource};
use gklint_engine::read::Format;

static PACKS: LazyLock<PackSet> = LazyLock::new(|| pack::builtin().expect("built-in packs load"));

/// A plain-text report: decoding (any encoding), the text reader, table
/// recognition and every built-in rule.
pub fn text(data: &[u8]) {
    lint_as(data, Format::Text);
}

/// A Markdown report.
pub fn markdown(data: &[u8]) {
    lint_as(data, Format::Markdown);
}

/// An HTML page.
pub fn html(data: &[u8]) {
    lint_as(data, Format::Html);
}

/// A Word file (a zip archive).
pub fn docx(data: &[u8]) {
    lint_as(data, Format::Docx);
}

/// A rule pack's YAML: loading and validating must give a pack or an error.
pub fn pack(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let input = PackInput {
        origin: "fuzz".into(),
        files: vec![PackSource::yaml("fuzz/pack.yaml", text)],
        builtin: false,
    };
    if let Err(e) = pack::load(&[input]) {
        // The error must render (it is what the user sees).
        let _ = e.to_string();
    }
}

fn lint_as(data: &[u8], format: Format) {
    let Ok(parsed) = gklint_engine::parse("fuzz", data.to_vec(), format, &PACKS.catalog) else {
        return;
    };
    let text = &parsed.source.text;
    let inside = |r: &std::ops::Range<usize>| {
        r.start <= r.end
            && r.end <= text.len()
            && text.is_char_boundary(r.start)
            && text.is_char_boundary(r.end)
    };
    for d in lint(&PACKS, &parsed, &Options::default()) {
        assert!(
            inside(&d.span),
            "{} span {:?} outside the text",
            d.rule,
            d.span
        );
        for r in &d.related {
            assert!(inside(&r.span), "{} related span {:?}", d.rule, r.span);
        }
        for e in d.fix.iter().flat_map(|f| &f.edits) {
            assert!(inside(&e.span), "{} fix span {:?}", d.rule, e.span);
        }
        let _ = parsed.source.position(d.span.start);
    }
}

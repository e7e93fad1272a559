//! Helpers for the rule kinds' unit tests: run one rule of a pack set on a
//! text, and check the built-in rules' own examples.

use std::collections::HashSet;

use crate::diagnostic::Diagnostic;
use crate::lint::{Options, lint};
use crate::pack::PackSet;
use crate::read::Format;
use crate::source::SourceFile;

/// The findings of rule `id` alone on `text`, read as plain text.
pub fn run_only(set: &PackSet, id: &str, text: &str, options: Options) -> Vec<Diagnostic> {
    let src = SourceFile::from_text("t.txt", text);
    let parsed = crate::parse_source(src, Format::Text, &set.catalog);
    let options = Options {
        only: Some(HashSet::from([id.to_owned()])),
        ..options
    };
    lint(set, &parsed, &options)
}

/// Runs the examples of every built-in rule of `kind`: valid ones raise
/// nothing, invalid ones raise something, and no message keeps a
/// placeholder. Returns how many rules were checked.
pub fn builtin_examples(kind: &str) -> usize {
    let set = crate::pack::builtin().unwrap_or_else(|e| panic!("{e}"));
    let mut n = 0;
    for r in set.rules().filter(|r| r.meta.kind == kind) {
        let m = &r.meta;
        assert!(!m.valid.is_empty() && !m.invalid.is_empty(), "{}", m.id);
        let cases = m.valid.iter().map(|t| (t, false));
        for (text, fire) in cases.chain(m.invalid.iter().map(|t| (t, true))) {
            let found = run_only(&set, &m.id, text, Options::default());
            assert_eq!(!found.is_empty(), fire, "{}: {text}\n{found:?}", m.id);
            for d in &found {
                assert!(!d.message.contains('{'), "{}", d.message);
                assert!(!d.help.contains('{'), "{}", d.help);
            }
        }
        n += 1;
    }
    n
}

/// `count` texts, each of up to `max_pieces` pieces drawn from `alphabet`,
/// the same on every run (xorshift from `seed`). One piece in twelve is
/// repeated `run` times, so that long runs of one piece occur too.
pub fn random_texts(
    alphabet: &[&str],
    count: usize,
    max_pieces: u64,
    run: usize,
    mut seed: u64,
) -> Vec<String> {
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    (0..count)
        .map(|_| {
            let pieces = next() % (max_pieces + 1);
            (0..pieces)
                .map(|_| {
                    let r = next();
                    let piece = alphabet[(r % alphabet.len() as u64) as usize];
                    piece.repeat(if r.is_multiple_of(12) { run } else { 1 })
                })
                .collect()
        })
        .collect()
}

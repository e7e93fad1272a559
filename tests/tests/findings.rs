//! The findings a careful reviewer expects on the five seed reports
//! (domain.md §7, typed from that table), and planted faults: each found at
//! its line, and no error a reviewer would reject.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use gklint_engine::diagnostic::{Diagnostic, Severity};
use gklint_engine::lint::{Options, lint};
use gklint_engine::pack::{self, PackSet};
use gklint_engine::read::Format;
use gklint_engine::source::SourceFile;
use gklint_tests::corpus;

static PACKS: LazyLock<PackSet> = LazyLock::new(|| pack::builtin().expect("built-in packs load"));

fn check_text(name: &str, text: &str) -> Vec<(String, u32, Severity, String)> {
    let parsed = gklint_engine::parse_source(
        SourceFile::from_text(name, text),
        Format::Text,
        &PACKS.catalog,
    );
    lint(&PACKS, &parsed, &Options::default())
        .into_iter()
        .map(|d: Diagnostic| {
            (
                d.rule.clone(),
                parsed.source.position(d.span.start).line,
                d.severity,
                d.message,
            )
        })
        .collect()
}

fn seed(name: &str) -> String {
    std::fs::read_to_string(corpus(&format!("seeds/{name}"))).expect("seed readable")
}

/// `expected`: (rule, line) pairs that must be found. `errors_allowed`: the
/// only rules that may raise errors.
fn assert_seed(name: &str, expected: &[(&str, u32)], errors_allowed: &[&str]) {
    let found = check_text(name, &seed(name));
    let got: BTreeSet<(&str, u32)> = found.iter().map(|(r, l, _, _)| (r.as_str(), *l)).collect();
    for e in expected {
        assert!(got.contains(e), "{name}: expected {e:?}; found {found:#?}");
    }
    let bad: Vec<_> = found
        .iter()
        .filter(|(r, _, s, _)| *s == Severity::Error && !errors_allowed.contains(&r.as_str()))
        .collect();
    assert!(
        bad.is_empty(),
        "{name}: errors a reviewer would reject: {bad:#?}"
    );
}

#[test]
fn seed_000_truncated_table_three_headerless_table_four_wrong_office_name() {
    assert_seed(
        "000_548bc2f7026a6c36.txt",
        &[
            // 国务院办公厅政府信息公开与政务公开办公室 (wrong office name)
            ("term-substitution", 6),
            // table 3 stops after (三)5: rows missing, identities not assessable
            ("applications-rows-missing", 81),
            ("applications-balance", 70),
            // heading 四 and table 4's header are gone; 15 zeros remain
            ("section-missing", 86),
            ("review-litigation-headerless", 83),
        ],
        &[
            "applications-rows-missing",
            "section-missing",
            "review-litigation-headerless",
        ],
    );
}

#[test]
fn seed_001_nesting_labels_spaces_and_variant_heading() {
    assert_seed(
        "001_2502c89aab11ed1e.txt",
        &[
            ("punctuation-book-title-nesting", 5),
            ("doc-number-spaces", 9),
            ("term-substitution", 9),
            ("section-variant", 25),
            ("term-substitution", 48),
            ("applications-label-deviation", 60),
        ],
        &["punctuation-book-title-nesting"],
    );
}

#[test]
fn seed_002_missing_heading_three_and_empty_section_six() {
    assert_seed(
        "002_3c9393350f2ebcec.txt",
        &[("section-missing", 543), ("section-empty", 623)],
        &["section-missing", "section-empty"],
    );
}

#[test]
fn seed_003_statistics_table_filled_only_below_a_blank_parent() {
    assert_seed(
        "003_89a4c02431010c13.txt",
        &[("statistics-channels", 70)],
        &[],
    );
}

#[test]
fn seed_004_arabic_heading_numeral_and_conversion_artefact() {
    assert_seed(
        "004_c70ffb9ddb659733.txt",
        &[("conversion-artefact", 4), ("section-numbering", 27)],
        &["section-numbering"],
    );
}

/// One planted fault: replace `from` (first occurrence) by `to` in a corpus report.
struct Plant {
    file: &'static str,
    from: &'static str,
    to: &'static str,
    /// Rules that must newly fire; the first must fire at the planted line.
    rules: &'static [&'static str],
}

const PLANTS: &[Plant] = &[
    Plant {
        file: "seeds/000_548bc2f7026a6c36.txt",
        from: "二、主动公开政府信息情况",
        to: "2、主动公开政府信息情况",
        rules: &["section-numbering"],
    },
    Plant {
        file: "seeds/002_3c9393350f2ebcec.txt",
        from: "一、本年新收政府信息公开申请数量\n\n0",
        to: "一、本年新收政府信息公开申请数量\n\n4",
        rules: &["applications-balance", "applications-row-total"],
    },
    Plant {
        file: "seeds/000_548bc2f7026a6c36.txt",
        from: "勾稽关系",
        to: "钩稽关系",
        rules: &["term-substitution"],
    },
    Plant {
        file: "seeds/001_2502c89aab11ed1e.txt",
        from: "办发〔2021〕2号",
        to: "办发[2021]2号",
        rules: &["doc-number-brackets"],
    },
    Plant {
        file: "seeds/004_c70ffb9ddb659733.txt",
        from: "\t总计\n\n\t0\n",
        to: "\t总计\n\n\t1\n",
        rules: &["review-litigation-review-total"],
    },
    Plant {
        file: "seeds/004_c70ffb9ddb659733.txt",
        from: "三、收到和处理政府信息公开申请情况",
        to: "三、收到和处理政府信息公开申请的情况",
        rules: &["section-variant"],
    },
    Plant {
        file: "real/014_pingtan-2019.txt",
        from: "（七）总计23 0 00 0 023",
        to: "（七）总计24 0 00 0 024",
        rules: &["applications-balance", "applications-results-total"],
    },
];

/// The line of the first character the plant changed.
fn changed_line(original: &str, planted: &str) -> u32 {
    let at = original
        .bytes()
        .zip(planted.bytes())
        .position(|(a, b)| a != b)
        .unwrap_or(original.len());
    planted[..at].matches('\n').count() as u32 + 1
}

#[test]
fn planted_faults_are_found_at_their_line_and_add_no_other_error() {
    for p in PLANTS {
        let original = std::fs::read_to_string(corpus(p.file)).unwrap();
        assert!(
            original.contains(p.from),
            "{}: `{}` not found",
            p.file,
            p.from
        );
        let planted = original.replacen(p.from, p.to, 1);
        let line = changed_line(&original, &planted);
        let before = check_text(p.file, &original);
        let after = check_text(p.file, &planted);
        let is_new =
            |f: &(String, u32, Severity, String)| !before.iter().any(|b| b.0 == f.0 && b.3 == f.3);
        for (k, rule) in p.rules.iter().enumerate() {
            assert!(
                after
                    .iter()
                    .any(|f| f.0 == *rule && is_new(f) && (k > 0 || f.1 == line)),
                "{}: planted `{}` should raise {rule}{}; found {after:#?}",
                p.file,
                p.to,
                if k == 0 {
                    format!(" at line {line}")
                } else {
                    String::new()
                }
            );
        }
        let old_errors: BTreeSet<&str> = before
            .iter()
            .filter(|f| f.2 == Severity::Error)
            .map(|f| f.0.as_str())
            .collect();
        let new_errors: Vec<_> = after
            .iter()
            .filter(|(r, _, s, _)| {
                *s == Severity::Error
                    && !p.rules.contains(&r.as_str())
                    && !old_errors.contains(r.as_str())
            })
            .collect();
        assert!(
            new_errors.is_empty(),
            "{}: the plant raised other errors: {new_errors:#?}",
            p.file
        );
    }
}

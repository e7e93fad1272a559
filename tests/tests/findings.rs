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

fn check_text(name: &str, text: &str) -> Vec<Finding> {
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
            // 总体情况's subsections name neither 依申请公开 nor 政府信息管理
            ("overview-on-request", 8),
            ("overview-management", 8),
            // no contact block, no statistics period (info)
            ("contact-any", 3),
            ("date-period-missing", 1),
            // 制定《县投资促进服务 / 中心 2019 年政务公开工作实施方案》: a page break inside a title
            ("punctuation-page-break", 38),
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
            // table 2 header 本年度制作数量 for 本年新制作数量
            ("active-disclosure-label-deviation", 28),
            // 电子版可在固原市政府信息公开年报栏下载: no URL
            ("contact-download-url", 91),
        ],
        &["punctuation-book-title-nesting"],
    );
}

#[test]
fn seed_002_missing_heading_three_and_empty_section_six() {
    assert_seed(
        "002_3c9393350f2ebcec.txt",
        &[
            ("section-missing", 543),
            ("section-empty", 623),
            // the note cell lost its leading （本: 列数据的勾稽关系…
            ("applications-note-truncated", 143),
        ],
        &["section-missing", "section-empty"],
    );
}

#[test]
fn seed_003_statistics_table_filled_only_below_a_blank_parent() {
    // 政府环境信息公开申请 in a 招商局 report is a copy-paste slip no rule can
    // tell from a real environmental-information request; it is not checked.
    assert_seed(
        "003_89a4c02431010c13.txt",
        &[
            ("statistics-channels", 70),
            // 政府网站公开政府信息数 58 while （一）主动公开政府信息数 is blank
            ("statistics-parent-blank", 80),
            // 区招商局政府信息公开工作2018年度报告 (variant word order, info)
            ("title-year-order", 1),
            ("contact-any", 1),
            ("date-period-missing", 1),
        ],
        &[],
    );
}

#[test]
fn seed_004_arabic_heading_numeral_and_conversion_artefact() {
    assert_seed(
        "004_c70ffb9ddb659733.txt",
        &[
            ("conversion-artefact", 4),
            ("section-numbering", 27),
            // 220号;邮编:255022;电话：…
            ("punctuation-half-width", 4),
            // 采购总金额 1647000, no unit
            ("active-disclosure-unit-missing", 100),
            // custom subsections: none is 监督保障
            ("overview-oversight", 5),
            ("contact-download-url", 4),
        ],
        &["section-numbering"],
    );
}

/// Seed 001 (a 2020 report in the 2019 format) rewritten as a 2021 report in
/// the 2021 format: years moved on by one, table 2 and table 3's （六） in the
/// 2021 layout. The only multi-line 2021-format report the corpus affords.
fn as_2021_format(seed_001: String) -> String {
    const REWRITES: &[(&str, &str)] = &[
        ("2021", "2022"),
        ("2020", "2021"),
        (
            "信息内容\t本年度制作数量\t本年新公开数量\t对外公开总数量",
            "信息内容\t本年制发件数\t本年废止件数\t现行有效件数",
        ),
        ("规范性文件\t0\t0\t0", "行政规范性文件\t0\t0\t0"),
        (
            "第二十条第（五）项\t\t\t\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政许可\t0\t0\t0\n其他对外管理服务事项\t0\t0\t0",
            "第二十条第（五）项\n信息内容\t本年处理决定数量\n行政许可\t0",
        ),
        (
            "第二十条第（六）项\t\t\t\n信息内容\t上一年项目数量\t本年增/减\t处理决定数量\n行政处罚\t0\t0\t0\n行政强制\t0\t0\t0",
            "第二十条第（六）项\n信息内容\t本年处理决定数量\n行政处罚\t0\n行政强制\t0",
        ),
        (
            "第二十条第（八）项\t\t\t\n信息内容\t上一年项目数量\t本年增/减\t\n行政事业性收费\t0\t0\t\n第二十条第（九）项\t\t\t\n信息内容\t采购项目数量\t采购总金额\t\n政府集中采购\t0\t0\t",
            "第二十条第（八）项\n信息内容\t本年收费金额（单位：万元）\n行政事业性收费\t0",
        ),
        (
            "\t(六) 其他处理\t\t0\t0\t0\t0\t0\t0\t0",
            "\t(六) 其他处理\t1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0\n\t\t2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请\t0\t0\t0\t0\t0\t0\t0\n\t\t3.其他\t0\t0\t0\t0\t0\t0\t0",
        ),
    ];
    let mut text = seed_001;
    for (from, to) in REWRITES {
        assert!(text.contains(from), "seed 001 lacks `{from}`");
        text = text.replace(from, to);
    }
    text
}

fn same(text: String) -> String {
    text
}

#[test]
fn seed_001_rewritten_as_a_2021_report_reads_as_the_2021_format() {
    let text = as_2021_format(seed("001_2502c89aab11ed1e.txt"));
    let parsed = gklint_engine::parse_source(
        SourceFile::from_text("001-2021", &text),
        Format::Text,
        &PACKS.catalog,
    );
    assert_eq!(parsed.report.template.as_deref(), Some("2021"));
    let found = check_text("001-2021", &text);
    assert!(!found.iter().any(|f| f.0 == "template-year"), "{found:#?}");
    // 总体情况's five topics are verified for the 2021 format only: a warning
    // there, an info in 2019/2020 reports (seed 000).
    let text = text.replace("（五）监督保障有措施", "（五）督查有措施");
    let oversight = check_text("001-2021", &text)
        .into_iter()
        .find(|f| f.0 == "overview-oversight")
        .expect("overview-oversight in the 2021 report");
    assert_eq!(oversight.2, Severity::Warning);
    let info = check_text("000", &seed("000_548bc2f7026a6c36.txt"))
        .into_iter()
        .find(|f| f.0 == "overview-on-request")
        .expect("overview-on-request in seed 000");
    assert_eq!(info.2, Severity::Info);
}

/// One planted fault: replace `from` (first occurrence) by `to` in a corpus
/// report (after `base` has prepared it).
struct Plant {
    file: &'static str,
    base: fn(String) -> String,
    from: &'static str,
    to: &'static str,
    /// Rules that must newly fire; the first must fire at the planted line.
    rules: &'static [&'static str],
}

const PLANTS: &[Plant] = &[
    Plant {
        file: "seeds/000_548bc2f7026a6c36.txt",
        base: same,
        from: "二、主动公开政府信息情况",
        to: "2、主动公开政府信息情况",
        rules: &["section-numbering"],
    },
    Plant {
        file: "seeds/002_3c9393350f2ebcec.txt",
        base: same,
        from: "一、本年新收政府信息公开申请数量\n\n0",
        to: "一、本年新收政府信息公开申请数量\n\n4",
        rules: &["applications-balance", "applications-row-total"],
    },
    Plant {
        file: "seeds/000_548bc2f7026a6c36.txt",
        base: same,
        from: "勾稽关系",
        to: "钩稽关系",
        rules: &["term-substitution"],
    },
    Plant {
        file: "seeds/001_2502c89aab11ed1e.txt",
        base: same,
        from: "办发〔2021〕2号",
        to: "办发[2021]2号",
        rules: &["doc-number-brackets"],
    },
    Plant {
        file: "seeds/004_c70ffb9ddb659733.txt",
        base: same,
        from: "\t总计\n\n\t0\n",
        to: "\t总计\n\n\t1\n",
        rules: &["review-litigation-review-total"],
    },
    Plant {
        file: "seeds/004_c70ffb9ddb659733.txt",
        base: same,
        from: "三、收到和处理政府信息公开申请情况",
        to: "三、收到和处理政府信息公开申请的情况",
        rules: &["section-variant"],
    },
    Plant {
        file: "real/014_pingtan-2019.txt",
        base: same,
        from: "（七）总计23 0 00 0 023",
        to: "（七）总计24 0 00 0 024",
        rules: &["applications-balance", "applications-results-total"],
    },
    // Dates: a statistics period that is not the report year.
    Plant {
        file: "seeds/004_c70ffb9ddb659733.txt",
        base: same,
        from: "自2020年1月1日至2020年12月31日",
        to: "自2020年1月1日至2020年6月30日",
        rules: &["date-period"],
    },
    // Dates: a day that does not exist.
    Plant {
        file: "seeds/002_3c9393350f2ebcec.txt",
        base: same,
        from: "2020年01月31日",
        to: "2020年02月31日",
        rules: &["date-invalid"],
    },
    // Contact: a fixed-line number without its area code.
    Plant {
        file: "seeds/001_2502c89aab11ed1e.txt",
        base: same,
        from: "0954-2088829",
        to: "2088829",
        rules: &["contact-phone-area-code"],
    },
    // Contact: a five-digit postcode.
    Plant {
        file: "seeds/004_c70ffb9ddb659733.txt",
        base: same,
        from: "255022",
        to: "25502",
        rules: &["contact-postcode"],
    },
    // Text against table 3: 共收到…申请2件 while 一 总计 (and 一 + 二) is 1.
    Plant {
        file: "seeds/000_548bc2f7026a6c36.txt",
        base: same,
        from: "共收到政府信息公开申请1件",
        to: "共收到政府信息公开申请2件",
        rules: &["text-applications-received"],
    },
    // Punctuation: a book title opened with 〈 and closed with 〉 at the outer level.
    Plant {
        file: "seeds/000_548bc2f7026a6c36.txt",
        base: same,
        from: "《关于政府信息公开工作年度报告有关事项的通知》",
        to: "〈关于政府信息公开工作年度报告有关事项的通知〉",
        rules: &["punctuation-book-title-nesting"],
    },
    // Punctuation: a title that is never closed.
    Plant {
        file: "seeds/002_3c9393350f2ebcec.txt",
        base: same,
        from: "》",
        to: "",
        rules: &["punctuation-unbalanced"],
    },
    // Punctuation: half-width marks in Chinese text.
    Plant {
        file: "seeds/000_548bc2f7026a6c36.txt",
        base: same,
        from: "共收到政府信息公开申请1件，",
        to: "共收到政府信息公开申请1件;",
        rules: &["punctuation-half-width"],
    },
    // 2021 format: a row of table 3 that no longer adds up.
    Plant {
        file: "seeds/001_2502c89aab11ed1e.txt",
        base: as_2021_format,
        from: "一、本年新收政府信息公开申请数量\t\t0",
        to: "一、本年新收政府信息公开申请数量\t\t2",
        rules: &["applications-row-total", "applications-balance"],
    },
    // 2021 format: （六）3.其他 exists only in the 2021 table 3.
    Plant {
        file: "seeds/001_2502c89aab11ed1e.txt",
        base: as_2021_format,
        from: "\t\t3.其他\t0\t0\t0\t0\t0\t0\t0",
        to: "\t\t3.其他\t0\t0\t0\t0\t0\t0\t1",
        rules: &["applications-row-total", "applications-results-total"],
    },
    // 2021 format: a 2021 report still citing the 2008 条例.
    Plant {
        file: "seeds/001_2502c89aab11ed1e.txt",
        base: as_2021_format,
        from: "国务院令 第 711 号",
        to: "国务院令第492号",
        rules: &["doc-number-superseded"],
    },
    // The pre-2019 统计表: 三（一）收到申请数 3 whose parts add up to 2.
    Plant {
        file: "seeds/003_89a4c02431010c13.txt",
        base: same,
        from: "（一）收到申请数\n\t件\n\t\n\n\t\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}1.当面申请数\n\t件\n\t\n\n\t\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}2.传真申请数\n\t件\n\t\n\n\t\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}3.网络申请数\n\t件\n\t\n\n\t\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}4.信函申请数\n\t件\n\t\n\n\t          5.其他形式\n\t件\n\t\n",
        to: "（一）收到申请数\n\t件\n\t3\n\n\t\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}1.当面申请数\n\t件\n\t1\n\n\t\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}2.传真申请数\n\t件\n\t0\n\n\t\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}3.网络申请数\n\t件\n\t1\n\n\t\u{3000}\u{3000}\u{3000}\u{3000}\u{3000}4.信函申请数\n\t件\n\t0\n\n\t          5.其他形式\n\t件\n\t0\n",
        rules: &["statistics-applications-received"],
    },
];

/// The line of the first character the plant changed.
fn changed_line(original: &str, planted: &str) -> u32 {
    let at = original
        .char_indices()
        .zip(planted.chars())
        .find(|((_, a), b)| a != b)
        .map_or(original.len().min(planted.len()), |((i, _), _)| i);
    planted[..at].matches('\n').count() as u32 + 1
}

type Finding = (String, u32, Severity, String);

fn errors(found: &[Finding]) -> BTreeSet<(&str, u32)> {
    found
        .iter()
        .filter(|f| f.2 == Severity::Error)
        .map(|f| (f.0.as_str(), f.1))
        .collect()
}

#[test]
fn planted_faults_are_found_at_their_line_and_add_no_other_error() {
    for p in PLANTS {
        let original = (p.base)(std::fs::read_to_string(corpus(p.file)).unwrap());
        assert!(
            original.contains(p.from),
            "{}: `{}` not found",
            p.file,
            p.from
        );
        let planted = original.replacen(p.from, p.to, 1);
        assert_eq!(
            original.lines().count(),
            planted.lines().count(),
            "{}: a plant must keep the lines where they are",
            p.file
        );
        let line = changed_line(&original, &planted);
        let before = check_text(p.file, &original);
        let after = check_text(p.file, &planted);
        let is_new = |f: &Finding| {
            !before
                .iter()
                .any(|b| b.0 == f.0 && b.1 == f.1 && b.3 == f.3)
        };
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
        // Every error after the plant was there before (same rule, same line),
        // or is one the plant should raise.
        let old = errors(&before);
        let extra: Vec<_> = errors(&after)
            .into_iter()
            .filter(|e| !old.contains(e) && !p.rules.contains(&e.0))
            .collect();
        assert!(
            extra.is_empty(),
            "{}: the plant `{}` raised other errors: {extra:?}",
            p.file,
            p.to
        );
    }
}

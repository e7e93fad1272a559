//! Word, HTML and PDF reports: the real ones of the corpus (three PDFs, one
//! web page, the blank 2021 Word template) and a Word fixture with merged
//! cells, against values a person typed by reading them
//! (tests/golden/readers/*.yaml); the faults the 洪泽区 2023 PDF really
//! contains; and hostile files, each a clear error within seconds.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use gklint_engine::diagnostic::{Category, Diagnostic, Severity};
use gklint_engine::lint::{Options, lint};
use gklint_engine::model::{Reading, Table, TableRow};
use gklint_engine::pack::{self, PackSet};
use gklint_engine::read::{ExtractError, Format, Location};
use gklint_engine::{ParseError, Parsed, parse};
use gklint_tests::{Golden, GoldenRow, corpus, label_core, root};
use rust_decimal::prelude::ToPrimitive;

static PACKS: LazyLock<PackSet> = LazyLock::new(|| pack::builtin().expect("built-in packs load"));

fn parse_path(path: &Path) -> Result<Parsed, ParseError> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.display().to_string();
    let format = Format::from_path(&name).expect("a format gklint reads");
    parse(&name, bytes, format, &PACKS.catalog)
}

fn parse_ok(path: &Path) -> Parsed {
    parse_path(path).unwrap_or_else(|e| panic!("{e}"))
}

fn goldens() -> Vec<(String, Golden)> {
    let dir = root().join("golden/readers");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/golden/readers exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable");
            let g: Golden =
                serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, g)
        })
        .collect()
}

fn values(row: &TableRow) -> Vec<Option<f64>> {
    row.cells
        .iter()
        .flatten()
        .map(|c| c.value.and_then(|v| v.to_f64()))
        .collect()
}

fn find_row<'a>(table: &'a Table, label: &str) -> Option<&'a TableRow> {
    let core = label_core(label);
    let schema = PACKS
        .catalog
        .tables
        .iter()
        .find(|t| t.schema_id == table.schema)?;
    let by_alias = schema
        .rows
        .iter()
        .find(|r| r.keys.contains(&core))
        .map(|r| r.id.clone());
    table.rows.iter().find(|r| {
        !r.group && (label_core(&r.label) == core || by_alias.as_deref() == Some(r.id.as_str()))
    })
}

#[derive(Default)]
struct Tally {
    cells: usize,
    failures: Vec<String>,
}

fn check_row(name: &str, table: &Table, want: &GoldenRow, row: Option<&TableRow>, t: &mut Tally) {
    let Some(row) = row else {
        t.failures.push(format!(
            "{name}: {}: row `{}` not found",
            table.id, want.label
        ));
        return;
    };
    if let Reading::Unreadable { reason } = &row.reading {
        t.failures.push(format!(
            "{name}: {} `{}` unreadable ({reason})",
            table.id, want.label
        ));
        return;
    }
    let got = values(row);
    let got = if got.is_empty() {
        vec![None; want.values.len()]
    } else {
        got
    };
    if got == want.values {
        t.cells += got.len();
    } else {
        t.failures.push(format!(
            "{name}: {} `{}`: got {got:?}, want {:?}",
            table.id, want.label, want.values
        ));
    }
}

fn check_golden(name: &str, g: &Golden, parsed: &Parsed, t: &mut Tally) {
    let r = &parsed.report;
    gklint_tests::check_header(name, g, r, &mut t.failures);
    // The format the 表二 layout follows (表三 may deviate: see 010).
    let active = r
        .table("active-disclosure")
        .and_then(|t| t.template.clone());
    if active.as_deref() != Some(g.template.as_str()) {
        t.failures.push(format!(
            "{name}: template (表二): got {active:?}, want {}",
            g.template
        ));
    }
    for (id, gt) in &g.tables {
        let Some(table) = r.table(id) else {
            t.failures.push(format!("{name}: table {id} not found"));
            continue;
        };
        if let Some(values) = &gt.values {
            let row = GoldenRow {
                label: String::new(),
                values: values.clone(),
                unit: None,
                concatenated: false,
                raw: None,
                ambiguous: false,
            };
            check_row(name, table, &row, table.rows.iter().find(|r| !r.group), t);
        }
        for row in &gt.rows {
            check_row(name, table, row, find_row(table, &row.label), t);
        }
    }
}

#[test]
fn word_html_and_pdf_reports_match_their_golden_values() {
    let all = goldens();
    assert!(
        all.len() >= 5,
        "expected five golden files, found {}",
        all.len()
    );
    let mut tally = Tally::default();
    for (name, g) in &all {
        let parsed = parse_ok(&corpus(&g.source));
        check_golden(name, g, &parsed, &mut tally);
    }
    eprintln!("readers: {} cells matched", tally.cells);
    assert!(
        tally.failures.is_empty(),
        "{} mismatches:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    // Every cell of the three PDFs, the Word fixture and the web page,
    // blank cells at a row's end included.
    assert!(tally.cells >= 950, "only {} cells compared", tally.cells);
}

fn findings(parsed: &Parsed) -> Vec<Diagnostic> {
    lint(&PACKS, parsed, &Options::default())
}

#[test]
fn the_faults_of_the_published_hongze_2023_pdf_are_found() {
    let parsed = parse_ok(&corpus("real/010_kirogov-hongze2023.pdf"));
    let found = findings(&parsed);
    let rules: Vec<&str> = found.iter().map(|d| d.rule.as_str()).collect();
    // 表四: 复议 总计 0 while 维持 10 and 纠正 1; 复议后起诉 总计 0 while 维持 5.
    for rule in [
        "review-litigation-review-total",
        "review-litigation-after-review-total",
    ] {
        let d = found
            .iter()
            .find(|d| d.rule == rule)
            .unwrap_or_else(|| panic!("{rule} not found in {rules:?}"));
        assert_eq!(d.severity, Severity::Error, "{d:?}");
        assert_eq!(
            parsed.source.location(d.span.start),
            Some(Location::Page(4))
        );
    }
    // 表三 prints （六）其他处理 as one row, as the 2019 trial layout did,
    // while 表二 follows the 2021 format: the finding says so.
    let template = found
        .iter()
        .find(|d| d.rule == "template-year")
        .unwrap_or_else(|| panic!("template-year not found in {rules:?}"));
    assert!(
        template.message.contains("但表三按2019 年试行格式填写")
            && template.message.contains("“（六）其他处理”只有一行")
            && template.message.contains("“3.其他”3行")
            && template.message.contains("表二已按2021 年格式填写"),
        "{}",
        template.message
    );
    assert_eq!(template.location(), Some("第4页，表三“（六）其他处理”行"));
    let apps = parsed.report.table("applications").expect("表三");
    assert_eq!(
        apps.schema, "applications-2019",
        "（六） read as one data row"
    );
}

/// The Shanghai page's tables are real HTML cell grids whose rows end in
/// blank cells: each number stays in its column, so no row is taken for
/// digits that ran together, and blank cells stay blank (not zero).
#[test]
fn the_shanghai_page_keeps_blank_cells_in_their_columns() {
    let parsed = parse_ok(&corpus("real/025_shanghai-office-2019.html"));
    let found = findings(&parsed);
    let run_together: Vec<&Diagnostic> = found
        .iter()
        .filter(|d| d.message.contains("数字连在一起") || d.rule.ends_with("-unreadable"))
        .collect();
    assert!(run_together.is_empty(), "{run_together:#?}");
    let apps = parsed.report.table("applications").expect("表三");
    let granted = find_row(apps, "（一）予以公开").expect("（一）予以公开");
    assert_eq!(
        values(granted),
        [
            Some(258.0),
            Some(12.0),
            None,
            None,
            Some(1.0),
            Some(1.0),
            None
        ]
    );
    let review = parsed.report.table("review-litigation").expect("表四");
    let row = review.rows.iter().find(|r| !r.group).expect("表四 row");
    assert_eq!(values(row).len(), 15);
    assert_eq!(values(row)[14], None, "the last cell is blank, not zero");
}

#[test]
fn the_huaian_2024_pdf_whose_tables_add_up_gets_no_table_error() {
    let parsed = parse_ok(&corpus("real/012_govnianbao-huaian2024.pdf"));
    let table_findings: Vec<_> = findings(&parsed)
        .into_iter()
        .filter(|d| d.category == Category::Table || d.category == Category::Template)
        .collect();
    assert!(table_findings.is_empty(), "{table_findings:#?}");
}

#[test]
fn the_blank_2021_word_template_reads_as_three_empty_tables() {
    let parsed = parse_ok(&corpus("real/template-2021-blank.docx"));
    let r = &parsed.report;
    for id in ["active-disclosure", "applications", "review-litigation"] {
        let t = r.table(id).unwrap_or_else(|| panic!("{id} not found"));
        assert_eq!(t.template.as_deref().unwrap_or("2021"), "2021", "{id}");
        for row in &t.rows {
            assert!(
                row.cells.iter().flatten().all(|c| c.value.is_none()),
                "{id} {}: a blank cell read as a number",
                row.label
            );
        }
    }
    let apps = r.table("applications").unwrap();
    assert!(apps.rows.len() >= 25, "{} rows", apps.rows.len());
    let levels: Vec<String> = r
        .sections
        .iter()
        .filter(|s| s.level == 1)
        .map(|s| s.number.clone())
        .collect();
    assert_eq!(levels, ["一、", "二、", "三、", "四、", "五、", "六、"]);
    // A table cell's location names the table, row and column in the file.
    let at = parsed.source.text.find("1.属于国家秘密").unwrap();
    assert_eq!(
        parsed.source.location(at).map(|l| l.to_string()).as_deref(),
        Some("第2张表第8行第3列")
    );
    // Findings name it by the report's own table: 表三, not the file's 第2张表.
    assert_eq!(
        gklint_engine::locate::describe(&parsed.source, r, at).as_deref(),
        Some("表三第8行第3列")
    );
    let heading = parsed.source.text.find("一、总体情况").unwrap();
    let place = gklint_engine::locate::describe(&parsed.source, r, heading).unwrap();
    assert!(place.ends_with('段'), "{place}");
}

/// 洪泽区 names itself 洪泽区人民政府 in 2023 and 淮安市洪泽区人民政府 in
/// 2024: one office, so the two years are compared.
#[test]
fn the_hongze_reports_of_2023_and_2024_are_paired() {
    let a = parse_ok(&corpus("real/010_kirogov-hongze2023.pdf"));
    let b = parse_ok(&corpus("real/011_kirogov-hongze2024.pdf"));
    assert_eq!(a.report.office.as_deref(), Some("洪泽区人民政府"));
    assert_eq!(b.report.office.as_deref(), Some("淮安市洪泽区人民政府"));
    let inputs = [
        gklint_engine::cross::Input::from(&b),
        gklint_engine::cross::Input::from(&a),
    ];
    assert_eq!(gklint_engine::cross::pairs(&inputs), [(1, 0)]);
}

/// PDF findings carry their page, and the table row when they fall in one.
#[test]
fn pdf_findings_carry_their_page_and_table_row() {
    let parsed = parse_ok(&corpus("real/010_kirogov-hongze2023.pdf"));
    let found = findings(&parsed);
    let review = found
        .iter()
        .find(|d| d.rule == "review-litigation-review-total")
        .expect("review-litigation-review-total");
    assert_eq!(review.location(), Some("第4页，表四"));
    let apps = parsed.report.table("applications").expect("表三");
    let row = find_row(apps, "（一）予以公开").expect("（一）予以公开");
    let cell = row.cells.iter().flatten().next().expect("a cell");
    let place = gklint_engine::locate::describe(&parsed.source, &parsed.report, cell.span.start);
    assert_eq!(place.as_deref(), Some("第3页，表三“（一）予以公开”行"));
    // Text files have lines and columns only.
    let text = parse_ok(&corpus("real/013_pingtan-2021.txt"));
    assert!(findings(&text).iter().all(|d| d.location().is_none()));
}

#[test]
fn the_merged_cell_fixture_reads_tracked_changes_as_accepted() {
    let parsed = parse_ok(&root().join("fixtures/docx/merged-2021.docx"));
    let text = &parsed.source.text;
    let granted = text.lines().find(|l| l.contains("（一）予以公开")).unwrap();
    assert!(
        granted.ends_with("\t5\t1\t0\t0\t0\t0\t6"),
        "the deleted 4 stays out: {granted:?}"
    );
    assert!(!text.contains("PAGE"), "field codes stay out");
    assert!(text.contains("本页为第3页"), "field results stay in");
    assert!(parsed.source.is_extracted());
    let errors: Vec<_> = findings(&parsed)
        .into_iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let at = text.find("依申请公开答复质量").unwrap();
    assert!(matches!(
        parsed.source.location(at),
        Some(Location::Paragraph(_))
    ));
}

/// Parses `bytes` named `name` and expects an extraction error, quickly.
fn hostile(name: &str, bytes: Vec<u8>) -> ExtractError {
    let format = Format::from_path(name).unwrap();
    let start = Instant::now();
    let result = parse(name, bytes, format, &PACKS.catalog);
    let took = start.elapsed();
    assert!(took < Duration::from_secs(5), "{name}: took {took:?}");
    let err = result.err().unwrap_or_else(|| panic!("{name}: parsed"));
    eprintln!("{name}: {err}");
    err.extract_error().cloned().expect("an extraction error")
}

/// Deterministic noise.
fn noise(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 32) as u8
        })
        .collect()
}

#[test]
fn hostile_files_are_clear_errors_within_seconds() {
    let template = std::fs::read(corpus("real/template-2021-blank.docx")).unwrap();
    let e = hostile("cut.docx", template[..template.len() / 2].to_vec());
    assert!(e.to_string().contains("被截断"), "{e}");

    let bomb = std::fs::read(root().join("fixtures/docx/bomb.docx")).unwrap();
    let e = hostile("bomb.docx", bomb);
    assert!(matches!(e, ExtractError::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("压缩炸弹"), "{e}");

    let e = hostile("random.docx", noise(64 << 10));
    assert!(matches!(e, ExtractError::Docx(_)), "{e}");

    let e = hostile("random.pdf", noise(64 << 10));
    assert!(matches!(e, ExtractError::Pdf(_)), "{e}");
    let mut pdfish = b"%PDF-1.7\n".to_vec();
    pdfish.extend(noise(64 << 10));
    let e = hostile("pdfish.pdf", pdfish);
    assert!(matches!(e, ExtractError::Pdf(_)), "{e}");
    // A real PDF cut in half.
    let real = std::fs::read(corpus("real/012_govnianbao-huaian2024.pdf")).unwrap();
    let cut = real[..real.len() / 2].to_vec();
    let start = Instant::now();
    let _ = parse("cut.pdf", cut, Format::Pdf, &PACKS.catalog);
    assert!(start.elapsed() < Duration::from_secs(5));

    let n = 200_000;
    let page = format!(
        "<html><body>{}政府信息公开{}</body></html>",
        "<div>".repeat(n),
        "</div>".repeat(n)
    );
    let e = hostile("nested.html", page.into_bytes());
    assert!(matches!(e, ExtractError::TooDeep(_)), "{e}");
}

/// The CLI's fallback for garbled PDFs reads `pdftotext -layout` output; on
/// the 洪泽区 2023 report it finds the same tables and faults (skipped when
/// poppler is not installed).
#[test]
fn pdftotext_layout_output_reads_the_same_tables() {
    let path = corpus("real/010_kirogov-hongze2023.pdf");
    let Ok(out) = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8", "-q"])
        .arg(&path)
        .arg("-")
        .output()
    else {
        eprintln!("pdftotext not installed: skipped");
        return;
    };
    assert!(out.status.success());
    let layout = String::from_utf8(out.stdout).expect("UTF-8");
    let ex = gklint_engine::read::pdf::from_layout(&layout).expect("a text layer");
    let bytes = std::fs::read(&path).unwrap();
    let parsed = gklint_engine::parse_extracted("010.pdf", bytes, Format::Pdf, ex, &PACKS.catalog);
    let (_, g) = goldens()
        .into_iter()
        .find(|(n, _)| n.starts_with("010_"))
        .unwrap();
    let mut tally = Tally::default();
    for (id, gt) in &g.tables {
        let table = parsed.report.table(id).unwrap_or_else(|| panic!("{id}"));
        for row in &gt.rows {
            check_row(
                "010 (pdftotext)",
                table,
                row,
                find_row(table, &row.label),
                &mut tally,
            );
        }
    }
    assert!(tally.failures.is_empty(), "{}", tally.failures.join("\n"));
    let rules: Vec<String> = findings(&parsed).into_iter().map(|d| d.rule).collect();
    assert!(
        rules.iter().any(|r| r == "review-litigation-review-total"),
        "{rules:?}"
    );
    let at = parsed.source.text.find("六、其他需要报告的事项").unwrap();
    assert_eq!(parsed.source.location(at), Some(Location::Page(5)));
}

//! Every text report in the corpus against values a person typed by reading
//! it (tests/golden/*.yaml): header fields, level-1 sections and every cell.
//! A row whose digits ran together may be reported unreadable, never wrong.

use std::sync::LazyLock;

use gklint_engine::model::{Reading, Table, TableRow};
use gklint_engine::schema::Catalog;
use gklint_engine::{Parsed, pack, parse, read::Format};
use gklint_tests::{Golden, GoldenRow, corpus, goldens, label_core};
use rust_decimal::prelude::ToPrimitive;

static CATALOG: LazyLock<Catalog> =
    LazyLock::new(|| pack::builtin_catalog().expect("built-in packs load"));

fn parse_golden(g: &Golden) -> Parsed {
    parse_file(&corpus(&g.source))
}

fn parse_file(path: &std::path::Path) -> Parsed {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let name = path.display().to_string();
    let format = Format::from_path(&name).expect("a text format");
    parse(&name, bytes, format, &CATALOG).expect("decodes")
}

#[derive(Default)]
struct Tally {
    cells: usize,
    unreadable_rows: usize,
    failures: Vec<String>,
}

fn row_values(table: &Table, row: &TableRow) -> Vec<Option<f64>> {
    row.cells
        .iter()
        .flatten()
        .map(|c| c.value.and_then(|v| v.to_f64()))
        .collect::<Vec<_>>()
        .into_iter()
        .take(table.columns.len())
        .collect()
}

fn check_row(
    name: &str,
    table: &Table,
    golden: &GoldenRow,
    row: Option<&TableRow>,
    tally: &mut Tally,
) {
    let Some(row) = row else {
        tally.failures.push(format!(
            "{name}: {}: row `{}` not found",
            table.id, golden.label
        ));
        return;
    };
    if let Reading::Unreadable { reason } = &row.reading {
        if golden.concatenated {
            tally.unreadable_rows += 1;
        } else {
            tally.failures.push(format!(
                "{name}: {} `{}` unreadable ({reason}) though its cells stand apart",
                table.id, golden.label
            ));
        }
        return;
    }
    let got = row_values(table, row);
    let want = &golden.values;
    // A row found without numbers reads as all blank.
    let got = if got.is_empty() {
        vec![None; want.len()]
    } else {
        got
    };
    if &got != want {
        tally.failures.push(format!(
            "{name}: {} `{}`: got {got:?}, want {want:?}",
            table.id, golden.label
        ));
    } else {
        tally.cells += want.len();
    }
}

/// The model row for a golden label: by the template label, an alias of the
/// layout, or the label as written when it deviates.
fn find_row<'a>(table: &'a Table, label: &str) -> Option<&'a TableRow> {
    let core = label_core(label);
    let schema = CATALOG
        .tables
        .iter()
        .find(|t| t.schema_id == table.schema)?;
    let by_alias = schema
        .rows
        .iter()
        .find(|r| r.keys.contains(&core))
        .map(|r| r.id.clone());
    table.rows.iter().find(|r| {
        !r.group
            && (label_core(&r.label) == core
                || by_alias.as_deref() == Some(r.id.as_str())
                || r.written_label
                    .as_deref()
                    .is_some_and(|w| label_core(w) == core))
    })
}

#[test]
fn corpus_reports_match_their_golden_values() {
    let mut tally = Tally::default();
    let all = goldens();
    assert!(
        all.len() >= 17,
        "expected every text report of the corpus to have a golden file, found {}",
        all.len()
    );
    for (name, g) in &all {
        let parsed = parse_golden(g);
        check_report(name, g, &parsed, &mut tally);
    }
    eprintln!(
        "golden: {} cells matched, {} run-together rows left unreadable",
        tally.cells, tally.unreadable_rows
    );
    assert!(
        tally.failures.is_empty(),
        "{} mismatches:\n{}",
        tally.failures.len(),
        tally.failures.join("\n")
    );
    assert!(tally.cells > 1500, "only {} cells compared", tally.cells);
}

/// Seed 001 converted to Markdown (headings, GFM pipe tables) reads the same.
#[test]
fn markdown_pipe_tables_read_like_the_text_report() {
    let (name, g) = goldens()
        .into_iter()
        .find(|(n, _)| n.starts_with("001_"))
        .expect("golden 001");
    let parsed = parse_file(&gklint_tests::root().join("fixtures/markdown/001-guyuan-2020.md"));
    let mut tally = Tally::default();
    check_report(&name, &g, &parsed, &mut tally);
    assert!(tally.failures.is_empty(), "{}", tally.failures.join("\n"));
    assert_eq!(
        tally.cells,
        23 * 7 + 15 + 3 * 6 + 2 * 2,
        "every cell of tables 2, 3 and 4"
    );
}

fn check_report(name: &str, g: &Golden, parsed: &Parsed, tally: &mut Tally) {
    let r = &parsed.report;
    gklint_tests::check_header(name, g, r, &mut tally.failures);
    if r.template.as_deref() != Some(&g.template) {
        tally.failures.push(format!(
            "{name}: template: got {:?}, want {}",
            r.template, g.template
        ));
    }
    for (id, gt) in &g.tables {
        let Some(table) = r.table(id) else {
            tally.failures.push(format!("{name}: table {id} not found"));
            continue;
        };
        if let Some(values) = &gt.values {
            let row = table.rows.iter().find(|r| !r.group);
            let as_row = GoldenRow {
                label: String::new(),
                values: values.clone(),
                unit: None,
                concatenated: gt.concatenated,
                raw: None,
                ambiguous: gt.ambiguous,
            };
            check_row(name, table, &as_row, row, tally);
        }
        for gr in &gt.rows {
            check_row(name, table, gr, find_row(table, &gr.label), tally);
        }
        let mut want_missing: Vec<String> = gt.missing.iter().map(|l| label_core(l)).collect();
        let mut got_missing: Vec<String> = table
            .missing
            .iter()
            .filter_map(|id| parsed_label(parsed, &table.schema, id))
            .map(|l| label_core(&l))
            .collect();
        want_missing.sort();
        got_missing.sort();
        if !gt.rows.is_empty()
            && want_missing != got_missing
            && !(gt.missing.is_empty() && id != "applications")
        {
            tally.failures.push(format!(
                "{name}: {id} missing rows: got {got_missing:?}, want {want_missing:?}"
            ));
        }
    }
}

fn parsed_label(_p: &Parsed, schema: &str, row_id: &str) -> Option<String> {
    let s = CATALOG.tables.iter().find(|t| t.schema_id == schema)?;
    s.rows
        .iter()
        .find(|r| r.id == row_id)
        .map(|r| r.display_label())
}

//! Where a finding stands in the original Word, HTML or PDF file, said the
//! way a person looks for it there: 第12段, 表三第5行第2列 (the report's own
//! table names where the table was recognised, the grid's row and column),
//! 第4页，表三“（一）予以公开”行 (a PDF has pages, not a grid: the row is
//! named by its label). Text and Markdown files have lines and columns only.
//!
//! [`annotate`] keeps the place in the finding's values under
//! [`Diagnostic::LOCATION`], so every renderer (JSON, SARIF, human) and
//! every later pass (baselines, filters) sees it.

use crate::diagnostic::Diagnostic;
use crate::model::{Report, Table};
use crate::read::Location;
use crate::source::SourceFile;

/// The recognised table whose span holds `offset`.
fn table_at(report: &Report, offset: usize) -> Option<&Table> {
    report
        .tables
        .iter()
        .find(|t| t.span.start <= offset && offset < t.span.end.max(t.span.start + 1))
}

/// The row of `table` that `offset` falls in: the last row (by position in
/// the text) starting at or before it, whose label or cells reach it or
/// which the next row does not start before it.
fn row_at(table: &Table, offset: usize) -> Option<&crate::model::TableRow> {
    let mut rows: Vec<&crate::model::TableRow> = table.rows.iter().filter(|r| !r.group).collect();
    rows.sort_by_key(|r| r.span.start);
    let i = rows
        .partition_point(|r| r.span.start <= offset)
        .checked_sub(1)?;
    let row = rows[i];
    let next = rows.get(i + 1).map_or(table.span.end, |n| n.span.start);
    let ends = row
        .cells
        .iter()
        .flatten()
        .map(|c| c.span.end)
        .chain([row.span.end])
        .max()
        .unwrap_or(row.span.end);
    (offset < next || offset < ends).then_some(row)
}

/// The number of distinct file tables (第N张表) with cells inside `table`.
fn file_tables(source: &SourceFile, table: &Table) -> usize {
    let Some(origin) = &source.origin else {
        return 0;
    };
    let mut seen: Vec<u32> = origin
        .places
        .iter()
        .filter(|p| table.span.start <= p.start && p.start < table.span.end)
        .filter_map(|p| match p.location {
            Location::Cell { table, .. } => Some(table),
            _ => None,
        })
        .collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// Where byte `offset` of an extracted file's text stands in the original
/// file; `None` for text and Markdown files.
pub fn describe(source: &SourceFile, report: &Report, offset: usize) -> Option<String> {
    let location = source.location(offset)?;
    let table =
        table_at(report, offset).and_then(|t| Some((t, crate::schema::national_caption(&t.id)?)));
    Some(match (location, table) {
        (Location::Cell { table: n, row, col }, Some((t, name))) => {
            if file_tables(source, t) <= 1 {
                format!("{name}第{row}行第{col}列")
            } else {
                // The report's table is spread over several tables of the file.
                format!("{name}（文件第{n}张表）第{row}行第{col}列")
            }
        }
        (Location::Page(page), Some((t, name))) => match row_at(t, offset) {
            // 表四's one row has no label of its own: the table says it all.
            Some(row) if !row.label.is_empty() => format!("第{page}页，{name}“{}”行", row.label),
            _ => format!("第{page}页，{name}"),
        },
        (location, _) => location.to_string(),
    })
}

/// Records the place of each finding's span start under
/// [`Diagnostic::LOCATION`] (when the file was extracted).
pub fn annotate(source: &SourceFile, report: &Report, diagnostics: &mut [Diagnostic]) {
    if source.origin.is_none() {
        return;
    }
    for d in diagnostics {
        if let Some(place) = describe(source, report, d.span.start) {
            d.values.insert(Diagnostic::LOCATION.to_owned(), place);
        }
    }
}

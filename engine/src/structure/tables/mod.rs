//! Table recognition driven by the layouts in the catalog: find each
//! layout's labels, choose the best chain of rows in document order, read
//! each row's numbers, and keep the best layout for each table id.

mod candidates;
mod values;

use candidates::{Candidate, LayoutMatches};
use values::{Fit, FitCell};

use crate::cancel::Cancel;
use crate::model::{Cell, ColumnInfo, Reading, Table, TableRow};
use crate::read::Sep;
use crate::schema::{Catalog, TableSchema};
use crate::structure::stream::Stream;

/// A recognised table with its score (how much of the layout was found).
struct Recognised {
    table: Table,
    score: usize,
}

pub fn recognise(stream: &Stream, catalog: &Catalog, cancel: &Cancel) -> Vec<Table> {
    let matches = candidates::find(stream, catalog);
    let mut best: Vec<Recognised> = Vec::new();
    for (schema, m) in catalog.tables.iter().zip(&matches) {
        if cancel.is_cancelled() {
            return Vec::new();
        }
        let Some(rec) = build(stream, schema, m) else {
            continue;
        };
        match best.iter_mut().find(|b| b.table.id == rec.table.id) {
            Some(b) if b.score >= rec.score => {}
            Some(b) => *b = rec,
            None => best.push(rec),
        }
    }
    // Label-less layouts whose header is gone: a line of exactly their numbers.
    for schema in &catalog.tables {
        if best.iter().any(|b| b.table.id == schema.table_id)
            || !schema.rows.iter().all(|r| r.label.is_none())
        {
            continue;
        }
        let taken: Vec<std::ops::Range<usize>> =
            best.iter().map(|b| b.table.span.clone()).collect();
        if let Some(rec) = headerless(stream, schema, &taken) {
            best.push(rec);
        }
    }
    let mut tables: Vec<Table> = best.into_iter().map(|b| b.table).collect();
    tables.sort_by_key(|t| t.span.start);
    tables
}

/// Rows of one table stand close together; a label further than this (in
/// key characters) from the previous row belongs to prose or another table.
const MAX_ROW_DISTANCE: usize = 300;

/// Longer than any row label of the layouts (in key characters).
const MAX_LABEL: usize = 200;

/// The chain of candidates with the most weight, rows strictly in layout
/// order and positions strictly increasing.
fn chain(stream: &Stream, schema: &TableSchema, cands: &[Candidate]) -> Vec<Candidate> {
    let n = cands.len();
    if n == 0 {
        return Vec::new();
    }
    let weight = |c: &Candidate| {
        let row = &schema.rows[c.row];
        let at = values::skip_unit(stream, c.end, row.unit.as_deref(), stream.len());
        let followed = stream
            .chars
            .get(at)
            .is_some_and(|k| k.ch.is_ascii_digit() || matches!(k.ch, '-' | '/'));
        if !row.group && followed { 3 } else { 1 }
    };
    // best[i] = (score, start of the chain's first element, previous index)
    let mut best: Vec<(usize, usize, Option<usize>)> = Vec::with_capacity(n);
    for i in 0..n {
        let w = weight(&cands[i]);
        let mut entry = (w, cands[i].start, None);
        // Only candidates ending within MAX_ROW_DISTANCE can precede this one;
        // candidates are sorted by start and labels are short, so the window is
        // bounded and the chain stays linear in the document's length.
        let window =
            cands[..i].partition_point(|c| c.start + MAX_ROW_DISTANCE + MAX_LABEL < cands[i].start);
        for j in window..i {
            if cands[j].row < cands[i].row
                && cands[j].end <= cands[i].start
                && cands[i].start - cands[j].end <= MAX_ROW_DISTANCE
            {
                let cand = (best[j].0 + w, best[j].1, Some(j));
                if (cand.0, cand.1) > (entry.0, entry.1) {
                    entry = cand;
                }
            }
        }
        best.push(entry);
    }
    let mut end = 0;
    for i in 1..n {
        if (best[i].0, best[i].1) > (best[end].0, best[end].1) {
            end = i;
        }
    }
    let mut out = Vec::new();
    let mut cur = Some(end);
    while let Some(i) = cur {
        out.push(cands[i]);
        cur = best[i].2;
    }
    out.reverse();
    out
}

fn build(stream: &Stream, schema: &TableSchema, m: &LayoutMatches) -> Option<Recognised> {
    let picked = chain(stream, schema, &m.rows);
    if picked.is_empty() {
        return None;
    }
    // Each row with its index in the layout, the order the table keeps.
    let mut rows: Vec<(usize, TableRow)> = Vec::new();
    let mut found = vec![false; schema.rows.len()];
    let mut table_end = picked[0].end;
    let mut score = 0;
    for (k, c) in picked.iter().enumerate() {
        let row = &schema.rows[c.row];
        let limit = picked.get(k + 1).map_or(stream.len(), |n| n.start);
        let at = values::skip_unit(stream, c.end, row.unit.as_deref(), limit);
        let (pieces, stop) = values::read_pieces(stream, at, limit, row.columns.len());
        let fit = if row.group {
            Fit::Empty
        } else {
            values::fit(&pieces, row, schema)
        };
        if !matches!(fit, Fit::Empty | Fit::Unreadable(_)) {
            score += 2;
        }
        score += 1;
        table_end = table_end.max(if pieces.is_empty() { c.end } else { stop });
        found[c.row] = true;
        rows.push((
            c.row,
            make_row(stream, schema, c.row, None, c.start, c.end, fit),
        ));
        // Rows of the layout skipped between this match and the next one:
        // recognise them by position when their text stands there.
        if let Some(next) = picked.get(k + 1) {
            let skipped: Vec<usize> = (c.row + 1..next.row)
                .filter(|&r| !schema.rows[r].group)
                .collect();
            if !skipped.is_empty() {
                for (r, (ls, le), fit) in by_position(stream, schema, &skipped, stop, next.start) {
                    found[r] = true;
                    score += 2;
                    let written = Some(stream_text(stream, ls, le));
                    rows.push((r, make_row(stream, schema, r, written, ls, le, fit)));
                }
            }
        }
    }
    // Labels mentioned in prose are no table: a table has rows with numbers,
    // or (an unfilled form) most of its layout's labels.
    let data_rows = schema.rows.iter().filter(|r| !r.group).count();
    let with_numbers = rows
        .iter()
        .filter(|(_, r)| !r.group && r.reading != Reading::Empty)
        .count();
    let labels_found = rows.iter().filter(|(_, r)| !r.group).count();
    if data_rows > 1 && with_numbers < 2 && labels_found * 2 < data_rows {
        return None;
    }
    let headers = m
        .headers
        .iter()
        .filter(|&&(a, _)| a + 400 >= picked[0].start && a < table_end)
        .count();
    score += headers.min(8);
    let start = m
        .headers
        .iter()
        // Header cells just above the first row belong to the table; a header
        // word inside prose does not.
        .filter(|&&(a, _)| {
            a < picked[0].start && a + 200 >= picked[0].start && stream.chars[a].sep >= Sep::Space
        })
        .map(|&(a, _)| a)
        .min()
        .unwrap_or(picked[0].start);
    rows.sort_by_key(|&(i, _)| i);
    let rows: Vec<TableRow> = rows.into_iter().map(|(_, r)| r).collect();
    let missing = schema
        .rows
        .iter()
        .enumerate()
        .filter(|&(i, r)| !r.group && !r.optional && !found[i])
        .map(|(_, r)| r.id.clone())
        .collect();
    let span = stream.src_range(start, table_end.max(start + 1));
    let mut table = new_table(schema, span, rows, missing, false);
    table.header_deviations = header_deviations(stream, schema, start, table_end);
    Some(Recognised { table, score })
}

/// Rows whose labels were not found, matched by position: between two found
/// rows, each stretch of text followed by numbers is the next skipped row.
fn by_position(
    stream: &Stream,
    schema: &TableSchema,
    skipped: &[usize],
    from: usize,
    to: usize,
) -> Vec<(usize, (usize, usize), Fit)> {
    let mut segments = Vec::new();
    let mut i = from;
    while i < to {
        let text_start = i;
        while i < to && !stream.chars[i].ch.is_ascii_digit() {
            i += 1;
        }
        // The label's own numbering (`6.`) belongs to the text.
        let mut text_end = i;
        while i < to
            && stream.chars[i].ch.is_ascii_digit()
            && stream
                .chars
                .get(i + 1)
                .is_some_and(|c| matches!(c.ch, '.' | '、'))
            && (i == text_start || stream.chars[i].sep > Sep::None || text_end == text_start)
        {
            i += 2;
            while i < to && !stream.chars[i].ch.is_ascii_digit() {
                i += 1;
            }
            text_end = i;
        }
        if text_end == text_start {
            break;
        }
        let (pieces, stop) = values::read_pieces(stream, i, to, usize::MAX);
        if !pieces.is_empty() {
            segments.push(((text_start, text_end), pieces));
        }
        i = stop.max(i + 1);
    }
    if segments.len() != skipped.len() {
        return Vec::new();
    }
    skipped
        .iter()
        .zip(segments)
        .map(|(&r, (label, pieces))| (r, label, values::fit(&pieces, &schema.rows[r], schema)))
        .collect()
}

fn headerless(
    stream: &Stream,
    schema: &TableSchema,
    taken: &[std::ops::Range<usize>],
) -> Option<Recognised> {
    let row = schema.rows.iter().position(|r| !r.group)?;
    let want = schema.rows[row].columns.len();
    let chars = &stream.chars;
    let mut i = 0;
    while i < chars.len() {
        // A line made only of numbers.
        let start = i;
        let mut j = i + 1;
        while j < chars.len() && chars[j].sep < Sep::Line {
            j += 1;
        }
        let line_is_numbers = chars[start..j]
            .iter()
            .all(|c| c.ch.is_ascii_digit() || c.ch == '.');
        let src = stream.src_range(start, j);
        if line_is_numbers
            && !taken
                .iter()
                .any(|t| t.start <= src.start && src.end <= t.end)
        {
            let (pieces, _) = values::read_pieces(stream, start, j, want);
            if pieces.len() == want {
                let fit = values::fit(&pieces, &schema.rows[row], schema);
                let r = make_row(stream, schema, row, None, start, start, fit);
                let table = new_table(schema, src, vec![r], Vec::new(), true);
                return Some(Recognised { table, score: 1 });
            }
        }
        i = j;
    }
    None
}

/// Headers between `a` and `b` written in a wording the layout lists as a deviation.
fn header_deviations(
    stream: &Stream,
    schema: &TableSchema,
    a: usize,
    b: usize,
) -> Vec<crate::model::HeaderDeviation> {
    let (base, text) = (stream.key_byte(a), stream.key_slice(a, b));
    let mut out = Vec::new();
    for c in &schema.columns {
        for alias in &c.aliases {
            for (i, _) in text.match_indices(alias.as_str()) {
                let from = stream.char_at_key_byte(base + i);
                let to = stream.char_at_key_byte(base + i + alias.len());
                out.push(crate::model::HeaderDeviation {
                    label: c.label.clone(),
                    written: stream_text(stream, from, to),
                    span: stream.src_range(from, to),
                });
            }
        }
    }
    out.sort_by_key(|d| d.span.start);
    out
}

fn new_table(
    schema: &TableSchema,
    span: std::ops::Range<usize>,
    rows: Vec<TableRow>,
    missing: Vec<String>,
    headerless: bool,
) -> Table {
    Table {
        id: schema.table_id.clone(),
        schema: schema.schema_id.clone(),
        template: schema.template.clone(),
        span,
        columns: schema
            .columns
            .iter()
            .map(|c| ColumnInfo {
                id: c.id.clone(),
                label: c.label.clone(),
            })
            .collect(),
        rows,
        missing,
        headerless,
        header_deviations: Vec::new(),
    }
}

fn stream_text(stream: &Stream, a: usize, b: usize) -> String {
    stream.key_slice(a, b).to_owned()
}

fn make_row(
    stream: &Stream,
    schema: &TableSchema,
    r: usize,
    written_label: Option<String>,
    label_start: usize,
    label_end: usize,
    fit: Fit,
) -> TableRow {
    let def = &schema.rows[r];
    let mut cells: Vec<Option<Cell>> = vec![None; schema.columns.len()];
    // The fit is ours: its cells' text moves into the row.
    let to_cell = |f: FitCell| Cell {
        value: f.value,
        span: stream.src_range(f.start, f.end),
        raw: f.raw,
    };
    let (fc, reading) = match fit {
        Fit::Cells(fc) => (fc, Reading::Cells),
        Fit::Split(fc) => (fc, Reading::Split),
        Fit::Unreadable(reason) => (Vec::new(), Reading::Unreadable { reason }),
        Fit::Empty => (Vec::new(), Reading::Empty),
    };
    for (k, f) in fc.into_iter().enumerate() {
        cells[def.columns[k]] = Some(to_cell(f));
    }
    // A row without a label of its own (表四's single row) is where its numbers are.
    let first_cell = cells.iter().flatten().next().map(|c| c.span.clone());
    let span = match (def.label.is_none(), first_cell) {
        (true, Some(cell)) => cell,
        _ => stream.src_range(label_start, label_end.max(label_start)),
    };
    TableRow {
        id: def.id.clone(),
        label: def.display_label(),
        written_label,
        group: def.group,
        span,
        cells,
        reading,
    }
}

//! Where each layout's row labels and headers occur in the key stream.

use crate::read::Sep;
use crate::schema::{Catalog, PatternUse, TableSchema};
use crate::structure::stream::Stream;

/// One place a row's label occurs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub row: usize,
    /// Start of the label including its numbering (char index).
    pub start: usize,
    /// Start of the label text proper.
    pub core: usize,
    pub end: usize,
}

/// Matches per layout: row label candidates and header end positions.
#[derive(Debug, Default, Clone)]
pub struct LayoutMatches {
    pub rows: Vec<Candidate>,
    pub headers: Vec<(usize, usize)>,
}

pub fn find(stream: &Stream, catalog: &Catalog) -> Vec<LayoutMatches> {
    let mut raw: Vec<LayoutMatches> = vec![LayoutMatches::default(); catalog.tables.len()];
    let mut row_hits: Vec<Vec<(usize, usize, usize)>> = vec![Vec::new(); catalog.tables.len()];
    catalog.labels().find(&stream.key, |label, a, b| {
        for u in catalog.pattern_uses(label) {
            match *u {
                PatternUse::Row { schema, row } => row_hits[schema].push((row, a, b)),
                PatternUse::Header { schema } => raw[schema].headers.push((a, b)),
            }
        }
    });
    for (s, hits) in row_hits.into_iter().enumerate() {
        let schema = &catalog.tables[s];
        let mut headers = std::mem::take(&mut raw[s].headers);
        headers.sort_unstable();
        let mut rows = Vec::new();
        for (row, core, end) in hits {
            if let Some(start) = label_start(stream, schema, row, core, &headers) {
                rows.push(Candidate {
                    row,
                    start,
                    core,
                    end,
                });
            }
        }
        rows = dedupe(rows);
        raw[s] = LayoutMatches { rows, headers };
    }
    raw
}

/// Keeps the longest match per (row, start), and drops a match lying inside
/// a longer match of another row (`规范性文件` inside `行政规范性文件`).
fn dedupe(mut rows: Vec<Candidate>) -> Vec<Candidate> {
    rows.sort_by_key(|c| (c.start, c.row, std::cmp::Reverse(c.end)));
    rows.dedup_by(|b, a| a.row == b.row && a.start == b.start);
    // Only matches starting within a label's length before `c` can contain it.
    let snapshot = rows.clone();
    rows.retain(|c| {
        let from = snapshot.partition_point(|o| o.start + MAX_LABEL_CHARS < c.core);
        let to = snapshot.partition_point(|o| o.start <= c.core);
        !snapshot[from..to].iter().any(|o| {
            o.row != c.row
                && o.core <= c.core
                && c.end <= o.end
                && (o.end - o.core) > (c.end - c.core)
        })
    });
    rows
}

const CN_DIGITS: &str = "一二三四五六七八九十";

/// Longer than any row label with its numbering (key characters).
const MAX_LABEL_CHARS: usize = 200;

/// Where a label that starts at `core` really starts (its numbering
/// included), or `None` when it does not stand at a plausible start.
fn label_start(
    stream: &Stream,
    schema: &TableSchema,
    row: usize,
    core: usize,
    headers: &[(usize, usize)],
) -> Option<usize> {
    let row_def = &schema.rows[row];
    let chars = &stream.chars;
    let mut start = core;
    let mut numbered = false;
    if let Some(nk) = &row_def.number_key {
        let n = nk.chars().count();
        if core >= n && stream.key_slice(core - n, core) == nk {
            start = core - n;
            numbered = true;
        }
    }
    if !numbered && let Some(len) = generic_numbering(stream, core) {
        start = core - len;
        numbered = true;
    }
    // 其中：1.… and 其中：… introduce sub-rows.
    if start >= 3 && stream.key_slice(start - 3, start) == "其中:" {
        start -= 3;
    }
    let label_len = row_def.keys.first().map_or(0, |k| k.chars().count());
    let boundary = start == 0
        || chars[start].sep >= Sep::Space
        || is_boundary_char(chars[start - 1].ch)
        || headers.iter().any(|&(_, e)| e == start);
    // A short label the template numbers (`3.其他`) must carry its numbering:
    // `其他` alone is a column header or prose.
    if row_def.number_key.is_some() && label_len < 4 && !numbered {
        return None;
    }
    // Only a mid-text match of a short, unnumbered label is rejected.
    if boundary || numbered || label_len >= 8 {
        Some(start)
    } else {
        None
    }
}

/// Length of a numbering like `（三）`, `三、`, `3.` or `3、` just before `core`.
fn generic_numbering(stream: &Stream, core: usize) -> Option<usize> {
    let chars = &stream.chars;
    let at = |i: usize| chars[i].ch;
    if core == 0 {
        return None;
    }
    let last = at(core - 1);
    if last == ')' {
        let mut i = core - 1;
        while i > 0 && CN_DIGITS.contains(at(i - 1)) && core - i < 5 {
            i -= 1;
        }
        if i > 0 && i < core - 1 && at(i - 1) == '(' {
            return Some(core - (i - 1));
        }
        return None;
    }
    if matches!(last, '、' | '.') && core >= 2 {
        let prev = at(core - 2);
        if prev.is_ascii_digit() {
            // The previous row's digits may run into the numbering: take one digit.
            return Some(2);
        }
        if last == '、' && CN_DIGITS.contains(prev) {
            let mut i = core - 2;
            while i > 0 && CN_DIGITS.contains(at(i - 1)) && core - i < 4 {
                i -= 1;
            }
            return Some(core - i);
        }
    }
    None
}

fn is_boundary_char(c: char) -> bool {
    c.is_ascii_digit()
        || matches!(
            c,
            ')' | ']'
                | '"'
                | '\''
                | '。'
                | ';'
                | ':'
                | '、'
                | ','
                | '.'
                | '》'
                | '>'
                | '|'
                | '-'
                | '/'
                | '%'
        )
}

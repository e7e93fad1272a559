//! Reading a row's numbers: the pieces after its label, fitted to the row's
//! columns. Digits that ran together are split only where exactly one split
//! satisfies the row's own totals; otherwise the row is unreadable.

use rust_decimal::Decimal;

use crate::read::Sep;
use crate::schema::{Row, RowTotal, TableSchema};
use crate::structure::stream::Stream;

/// A run of number characters between separators.
#[derive(Debug, Clone)]
pub struct Piece {
    pub text: String,
    pub start: usize,
    pub end: usize,
    pub sep: Sep,
    pub gap: u16,
    /// Every character stands in a real table cell (Word or HTML grid).
    pub grid: bool,
    /// Blank cells after this piece up to its row's end, when the piece ends
    /// a grid row's last cell (else 0).
    pub trailing: u16,
}

const UNITS: [&str; 11] = [
    "人次", "万元", "条", "件", "次", "个", "元", "人", "篇", "期", "份",
];

fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '.' | '-' | '/' | '+')
}

/// Skips a unit cell right after a label (`主动公开文件数条2069…`).
pub fn skip_unit(stream: &Stream, pos: usize, unit: Option<&str>, limit: usize) -> usize {
    let rest = &stream.key[stream.key_byte(pos)..];
    for u in unit.into_iter().chain(UNITS) {
        if !rest.starts_with(u) {
            continue;
        }
        let n = u.chars().count();
        if pos + n <= limit {
            let next = stream.chars.get(pos + n).map(|c| c.ch);
            if next.is_none_or(is_number_char) || pos + n == limit {
                return pos + n;
            }
        }
    }
    pos
}

/// The number pieces from `pos` up to the first other character or `limit`.
/// Stops after `want` pieces when the next one starts on a new line.
pub fn read_pieces(stream: &Stream, pos: usize, limit: usize, want: usize) -> (Vec<Piece>, usize) {
    let chars = &stream.chars;
    // Sized for a row's cells (`want` is unbounded for rows found by position).
    let mut pieces: Vec<Piece> = Vec::with_capacity(want.min(16));
    let mut i = pos;
    while i < limit {
        let c = chars[i];
        if !is_number_char(c.ch) {
            // A unit written after an amount (`…2895.90元`) ends the row.
            break;
        }
        let new_piece = pieces.is_empty()
            || c.sep > Sep::None
            || (matches!(c.ch, '-' | '+') && chars[i - 1].ch.is_ascii_digit());
        if new_piece {
            // A grid row's numbers end with the row: the next line is another row.
            if (pieces.len() >= want || (c.grid && !pieces.is_empty())) && c.sep >= Sep::Line {
                break;
            }
            pieces.push(Piece {
                text: String::new(),
                start: i,
                end: i,
                sep: c.sep,
                gap: c.gap,
                grid: c.grid,
                trailing: 0,
            });
        }
        let p = pieces.last_mut().expect("a piece was pushed");
        p.text.push(c.ch);
        p.end = i + 1;
        p.grid &= c.grid;
        p.trailing = c.trailing;
        i += 1;
    }
    (pieces, i)
}

/// The outcome of fitting pieces to a row's columns.
#[derive(Debug, Clone, PartialEq)]
pub enum Fit {
    /// One entry per row column: the piece index range and the value (None = blank).
    Cells(Vec<FitCell>),
    Split(Vec<FitCell>),
    Unreadable(String),
    Empty,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FitCell {
    pub value: Option<Decimal>,
    pub raw: String,
    /// Char range in the stream.
    pub start: usize,
    pub end: usize,
}

fn blank_marker(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| matches!(c, '-' | '/'))
}

fn parse_number(s: &str) -> Option<Decimal> {
    if s.starts_with('+') {
        return None;
    }
    let body = s.strip_prefix('-').unwrap_or(s);
    // Whole numbers are nearly every cell, and the split search tries many.
    if !body.is_empty() && body.len() <= 18 && body.bytes().all(|b| b.is_ascii_digit()) {
        let n = body.bytes().fold(0i64, |n, b| n * 10 + i64::from(b - b'0'));
        return Some(Decimal::from(if body.len() < s.len() { -n } else { n }));
    }
    if body.is_empty()
        || body.starts_with('.')
        || body.ends_with('.')
        || body.matches('.').count() > 1
    {
        return None;
    }
    s.parse::<Decimal>().ok()
}

/// Fits `pieces` to the columns of `row`, a row of `schema`.
pub fn fit(pieces: &[Piece], row: &Row, schema: &TableSchema) -> Fit {
    let cols = &row.columns;
    let n = cols.len();
    if pieces.is_empty() {
        return Fit::Empty;
    }
    // Empty cells between pieces on a row (after the first piece) are blanks.
    let mut slots: Vec<Option<&Piece>> = Vec::with_capacity(n.max(pieces.len()));
    for (i, p) in pieces.iter().enumerate() {
        if i > 0 && p.sep == Sep::Cell {
            slots.extend(std::iter::repeat_n(None, p.gap as usize));
        }
        slots.push(Some(p));
    }
    if in_grid_cells(pieces) {
        return match grid_slots(pieces, slots, n) {
            Some(slots) => cells(&slots, pieces, cols, schema),
            None => {
                let found = pieces.len();
                Fit::Unreadable(format!(
                    "表格本行有 {found} 个填了数的单元格，无法与本行的 {n} 列一一对应：请检查该行是否有合并、错位或多出的单元格，使每列的数值各占一格"
                ))
            }
        };
    }
    if slots.len() != n && pieces.len() == n {
        slots = pieces.iter().map(Some).collect();
    }
    if slots.len() == n {
        return cells(&slots, pieces, cols, schema);
    }
    if pieces.len() > n {
        return Fit::Unreadable(format!("本行应有 {n} 个数值，读到 {} 个", pieces.len()));
    }
    split(pieces, row, schema)
}

/// Each piece is a whole cell of one real grid row: the numbers are cells,
/// never digits that ran together.
fn in_grid_cells(pieces: &[Piece]) -> bool {
    pieces.iter().all(|p| p.grid) && pieces[1..].iter().all(|p| p.sep == Sep::Cell)
}

/// The column slots of a grid row's cells, blanks included: the row's value
/// columns are the last `n` slots of the grid (labels, however many slots
/// they span, come first), so trailing blank cells fill the last columns and
/// the missing ones are blank cells before the first number. When cells span
/// several slots (a colspan over number columns) and the row has exactly
/// `n` numbers, they are taken in order.
fn grid_slots<'a>(
    pieces: &'a [Piece],
    inner: Vec<Option<&'a Piece>>,
    n: usize,
) -> Option<Vec<Option<&'a Piece>>> {
    let trailing = pieces.last().map_or(0, |p| p.trailing as usize);
    let mut full = inner.clone();
    full.extend(std::iter::repeat_n(None, trailing));
    if full.len() < n && pieces[0].gap as usize >= n - full.len() {
        let lead = n - full.len();
        full.splice(0..0, std::iter::repeat_n(None, lead));
    }
    if full.len() == n {
        return Some(full);
    }
    if inner.len() == n {
        return Some(inner);
    }
    if pieces.len() == n {
        return Some(pieces.iter().map(Some).collect());
    }
    // More blank slots after the numbers than the layout has columns: the
    // grid is wider than the table (an empty column at the right).
    if inner.len() < n && full.len() > n {
        full.truncate(n);
        return Some(full);
    }
    None
}

/// Reads the slots (one per row column) as cells.
fn cells(slots: &[Option<&Piece>], pieces: &[Piece], cols: &[usize], schema: &TableSchema) -> Fit {
    let mut cells = Vec::with_capacity(slots.len());
    let mut prev_end = pieces[0].start;
    for (k, slot) in slots.iter().enumerate() {
        if let Some(p) = slot {
            prev_end = p.end;
        }
        match slot {
            None => {
                cells.push(FitCell {
                    value: None,
                    raw: String::new(),
                    start: prev_end,
                    end: prev_end,
                });
            }
            Some(p) if blank_marker(&p.text) => {
                cells.push(FitCell {
                    value: None,
                    raw: p.text.clone(),
                    start: p.start,
                    end: p.end,
                });
            }
            Some(p) => match parse_number(&p.text) {
                Some(v) if valid_for(v, &schema.columns[cols[k]]) => cells.push(FitCell {
                    value: Some(v),
                    raw: p.text.clone(),
                    start: p.start,
                    end: p.end,
                }),
                _ => return Fit::Unreadable(format!("无法识别的数值“{}”", p.text)),
            },
        }
    }
    Fit::Cells(cells)
}

fn valid_for(v: Decimal, col: &crate::schema::Column) -> bool {
    (col.signed || !v.is_sign_negative() || v.is_zero())
        && (col.decimal || v.scale() == 0 || v.fract().is_zero())
}

/// Upper bound on split combinations explored for one row.
const SPLIT_BUDGET: usize = 200_000;

/// A cell being tried: its value (None = blank marker) and where it lies
/// in its piece, in chars.
#[derive(Clone, Copy)]
struct Cut {
    value: Option<Decimal>,
    piece: usize,
    from: usize,
    len: usize,
}

/// What the split search shares across its recursion.
struct Search<'a> {
    pieces: &'a [Piece],
    /// Each piece's chars and whether it may be cut (digits only, maybe signed).
    chars: Vec<(Vec<char>, bool)>,
    n: usize,
    cols: &'a [usize],
    schema: &'a TableSchema,
    totals: &'a [RowTotal],
    current: Vec<Cut>,
    found: Vec<Vec<Cut>>,
    budget: usize,
}

fn split(pieces: &[Piece], row: &Row, schema: &TableSchema) -> Fit {
    let cols = &row.columns;
    let n = cols.len();
    let mut s = Search {
        pieces,
        chars: pieces
            .iter()
            .map(|p| {
                let chars: Vec<char> = p.text.chars().collect();
                let digits = chars.strip_prefix(&['-']).unwrap_or(&chars);
                let splittable = !digits.is_empty() && digits.iter().all(char::is_ascii_digit);
                (chars, splittable)
            })
            .collect(),
        n,
        cols,
        schema,
        totals: &row.totals,
        current: Vec::with_capacity(n),
        found: Vec::new(),
        budget: SPLIT_BUDGET,
    };
    if !s.piece(0) {
        return Fit::Unreadable("数字连在一起，可能的拆分过多，无法确定".into());
    }
    match s.found.len() {
        1 => Fit::Split(
            s.found
                .pop()
                .expect("one")
                .into_iter()
                .map(|c| FitCell {
                    value: c.value,
                    raw: pieces[c.piece]
                        .text
                        .chars()
                        .skip(c.from)
                        .take(c.len)
                        .collect(),
                    start: pieces[c.piece].start + c.from,
                    end: pieces[c.piece].start + c.from + c.len,
                })
                .collect(),
        ),
        0 => Fit::Unreadable(format!(
            "数字连在一起，没有任何拆分能满足本行的合计（应有 {n} 个数值）"
        )),
        k => Fit::Unreadable(format!(
            "数字连在一起，有 {k} 种拆分都满足本行的合计，无法确定"
        )),
    }
}

impl Search<'_> {
    /// Depth-first over ways to cut piece `idx` and the ones after it into
    /// parts; false when the budget ran out.
    fn piece(&mut self, idx: usize) -> bool {
        if self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        if idx == self.pieces.len() {
            if self.current.len() == self.n && self.totals_hold() {
                self.found.push(self.current.clone());
            }
            return true;
        }
        let remaining_pieces = self.pieces.len() - idx - 1;
        let chars = std::mem::take(&mut self.chars[idx].0);
        let splittable = self.chars[idx].1;
        let max_parts = self.n.saturating_sub(self.current.len() + remaining_pieces);
        let max_parts = if splittable {
            max_parts.min(chars.len())
        } else {
            max_parts.min(1)
        };
        // The pieces after this one yield at most so many cells: cutting
        // this one into fewer parts than the rest leaves can find nothing.
        let later: usize = self.chars[idx + 1..]
            .iter()
            .map(|(c, splittable)| if *splittable { c.len() } else { 1 })
            .sum();
        let min_parts = self.n.saturating_sub(self.current.len() + later).max(1);
        let mut ok = true;
        for parts in min_parts..=max_parts {
            if !self.cut(&chars, idx, parts, 0) {
                ok = false;
                break;
            }
            if self.found.len() > 1 {
                break;
            }
        }
        // Lent out for the recursion, which never re-enters this piece.
        self.chars[idx].0 = chars;
        ok
    }

    /// Cuts `chars[from..]` of piece `idx` into `parts` numbers, then goes on
    /// with the next piece.
    fn cut(&mut self, chars: &[char], idx: usize, parts: usize, from: usize) -> bool {
        if parts == 0 {
            // A cut that leaves digits over is no solution (but no exhaustion either).
            return from != chars.len() || self.piece(idx + 1);
        }
        let rest = chars.len() - from;
        let min_len = if from == 0 && chars[0] == '-' { 2 } else { 1 };
        let max_len = rest.saturating_sub(parts - 1);
        // The last part takes every digit left.
        let min_len = if parts == 1 {
            max_len.max(min_len)
        } else {
            min_len
        };
        let Some(&col) = self.cols.get(self.current.len()) else {
            return true;
        };
        let splittable = self.chars[idx].1;
        // Only parts that are not plain digits need the text (no allocation otherwise).
        let mut text = String::new();
        for len in min_len..=max_len {
            let part = &chars[from..from + len];
            // A piece that may be cut is digits (a `-` only first): its
            // parts are read as integers here, the hot path of the search.
            let digits = part.strip_prefix(&['-']).unwrap_or(part);
            if splittable && len <= 18 && !digits.is_empty() {
                if digits.len() > 1 && digits[0] == '0' {
                    continue;
                }
                let n = digits
                    .iter()
                    .fold(0i64, |n, &c| n * 10 + i64::from(c as u8 - b'0'));
                let v = Decimal::from(if digits.len() < part.len() { -n } else { n });
                if !valid_for(v, &self.schema.columns[col]) {
                    continue;
                }
                if !self.try_cut(chars, idx, parts, from, len, Some(v)) {
                    return false;
                }
                if self.found.len() > 1 {
                    return true;
                }
                continue;
            }
            text.clear();
            text.extend(part);
            let digits = text.trim_start_matches('-');
            if digits.len() > 1 && digits.starts_with('0') && !digits.contains('.') {
                continue;
            }
            let value = if blank_marker(&text) {
                None
            } else {
                match parse_number(&text) {
                    Some(v) if valid_for(v, &self.schema.columns[col]) => Some(v),
                    _ => continue,
                }
            };
            if !self.try_cut(chars, idx, parts, from, len, value) {
                return false;
            }
            if self.found.len() > 1 {
                return true;
            }
        }
        true
    }

    /// Takes `len` chars at `from` as the next cell and goes on; false when
    /// the budget ran out.
    fn try_cut(
        &mut self,
        chars: &[char],
        idx: usize,
        parts: usize,
        from: usize,
        len: usize,
        value: Option<Decimal>,
    ) -> bool {
        self.current.push(Cut {
            value,
            piece: idx,
            from,
            len,
        });
        // A failed identity ends this branch without a solution.
        let ok = self.identity_fails() || self.cut(chars, idx, parts - 1, from + len);
        self.current.pop();
        ok
    }

    /// An identity whose cells are now all cut does not hold.
    fn identity_fails(&self) -> bool {
        let k = self.current.len() - 1;
        self.totals.iter().any(|id| id.last == k && !self.holds(id))
    }

    fn totals_hold(&self) -> bool {
        self.totals.iter().all(|id| self.holds(id))
    }

    /// The total equals the sum of its parts (blank parts add nothing; a
    /// blank total admits no check).
    fn holds(&self, id: &RowTotal) -> bool {
        let Some(total) = self.current[id.total].value else {
            return true;
        };
        let sum: Decimal = id
            .parts
            .iter()
            .map(|&p| self.current[p].value.unwrap_or(Decimal::ZERO))
            .sum();
        sum == total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::builtin_catalog;

    fn piece(s: &str) -> Piece {
        Piece {
            text: s.into(),
            start: 0,
            end: s.chars().count(),
            sep: Sep::None,
            gap: 0,
            grid: false,
            trailing: 0,
        }
    }

    /// A row of `table` with its first `n` columns (every one, in order).
    fn row_with_columns(table: &TableSchema, n: usize) -> &Row {
        let row = table.rows.iter().find(|r| r.columns.len() == n);
        let row = row.unwrap_or_else(|| panic!("{}: no row with {n} columns", table.schema_id));
        assert_eq!(row.columns, (0..n).collect::<Vec<_>>());
        row
    }

    fn values(fit: &Fit) -> Vec<String> {
        match fit {
            Fit::Cells(c) | Fit::Split(c) => c
                .iter()
                .map(|c| c.value.map_or("_".into(), |v| v.to_string()))
                .collect(),
            other => vec![format!("{other:?}")],
        }
    }

    #[test]
    fn run_together_digits_split_only_when_unique() {
        let catalog = builtin_catalog().unwrap();
        let t3 = catalog
            .tables
            .iter()
            .find(|t| t.schema_id == "applications-2021")
            .unwrap();
        let all = row_with_columns(t3, 7);
        let fit = super::fit(&[piece("640020470")], all, t3);
        assert!(matches!(fit, Fit::Split(_)), "{fit:?}");
        assert_eq!(values(&fit), ["64", "0", "0", "2", "0", "4", "70"]);
        assert_eq!(values(&super::fit(&[piece("0000000")], all, t3)), ["0"; 7]);
        // Stray spaces split the run into pieces, which are cut further.
        let fit = super::fit(&[piece("200"), piece("000121")], all, t3);
        assert_eq!(values(&fit), ["20", "0", "0", "0", "0", "1", "21"]);
        // 1,1,0,0,0,0,1? no: 11 would need 总计 11. Two readings: ambiguous.
        let fit = super::fit(&[piece("1010000")], all, t3);
        assert!(matches!(fit, Fit::Split(_) | Fit::Unreadable(_)), "{fit:?}");
    }

    /// A piece standing in a real grid cell, after `gap` blank cells, with
    /// `trailing` blank cells after it when it ends the row.
    fn cell(s: &str, gap: u16, trailing: u16) -> Piece {
        Piece {
            sep: Sep::Cell,
            gap,
            grid: true,
            trailing,
            ..piece(s)
        }
    }

    #[test]
    fn grid_cells_keep_their_column_slots_blanks_included() {
        let catalog = builtin_catalog().unwrap();
        let t3 = catalog
            .tables
            .iter()
            .find(|t| t.schema_id == "applications-2019")
            .unwrap();
        let all = row_with_columns(t3, 7);
        // 258 12 _ _ 1 1 _ (the label spans two slots: a gap of 1 before 258).
        let row = [
            cell("258", 1, 0),
            cell("12", 0, 0),
            cell("1", 2, 0),
            cell("1", 0, 1),
        ];
        let fit = super::fit(&row, all, t3);
        assert!(matches!(fit, Fit::Cells(_)), "{fit:?}");
        assert_eq!(values(&fit), ["258", "12", "_", "_", "1", "1", "_"]);
        // Only the first column filled: the rest is blank, not zero.
        let fit = super::fit(&[cell("14", 0, 6)], all, t3);
        assert_eq!(values(&fit), ["14", "_", "_", "_", "_", "_", "_"]);
        // A blank first column: the missing slot is before the first number.
        let fit = super::fit(&[cell("5", 2, 5)], all, t3);
        assert_eq!(values(&fit), ["_", "5", "_", "_", "_", "_", "_"]);
        // A real cell is one number, never digits to split.
        let fit = super::fit(&[cell("640020470", 0, 0)], all, t3);
        assert!(matches!(fit, Fit::Unreadable(_)), "{fit:?}");
        // The same digits typed in text are split by the totals.
        let fit = super::fit(&[piece("640020470")], all, t3);
        assert!(matches!(fit, Fit::Split(_)), "{fit:?}");
    }

    #[test]
    fn table_two_rows_without_totals_are_unreadable_when_run_together() {
        let catalog = builtin_catalog().unwrap();
        let t2 = catalog
            .tables
            .iter()
            .find(|t| t.schema_id == "active-disclosure-2021")
            .unwrap();
        let fit = super::fit(&[piece("693665")], row_with_columns(t2, 3), t2);
        assert!(matches!(fit, Fit::Unreadable(_)), "{fit:?}");
        // Only one way to cut three zeros.
        assert_eq!(
            values(&super::fit(&[piece("000")], row_with_columns(t2, 3), t2)),
            ["0", "0", "0"]
        );
    }
}

//! Plain text: every line is a block; tabs separate table cells.

use super::{Block, BlockKind, Document, Fragment, Sep};

pub(super) fn read(text: &str) -> Document {
    let mut doc = Document::default();
    let mut pending = Sep::Block;
    let mut pos = 0;
    let bytes = text.as_bytes();
    while pos < text.len() {
        // Line ends and tabs are ASCII: byte searches find them.
        let end = memchr::memchr2(b'\n', b'\r', &bytes[pos..]).map_or(text.len(), |k| pos + k + 1);
        let line = &text[pos..end];
        let start = pos;
        pos += line.len();
        let content = line.trim_end_matches(['\n', '\r']);
        // "\r\n" splits into "...\r" and "\n": the lone "\n" is no new line.
        if content.is_empty() && line == "\n" && start > 0 && text.as_bytes()[start - 1] == b'\r' {
            continue;
        }
        if content.trim().is_empty() {
            pending = Sep::Block;
            continue;
        }
        let first = doc.fragments.len();
        let mut sep = pending;
        let mut gap = 0u16;
        let mut cell_start = start;
        let mut first_cell = true;
        let mut tabs = false;
        for i in memchr::memchr_iter(b'\t', content.as_bytes()) {
            tabs = true;
            push(
                &mut doc,
                text,
                cell_start..start + i,
                &mut sep,
                &mut gap,
                first_cell,
            );
            first_cell = false;
            sep = sep.max(Sep::Cell);
            cell_start = start + i + 1;
        }
        push(
            &mut doc,
            text,
            cell_start..start + content.len(),
            &mut sep,
            &mut gap,
            first_cell,
        );
        let kind = if tabs {
            // Empty cells after the row's last text (a grid row's blank tail).
            if doc.fragments.len() > first
                && let Some(last) = doc.fragments.last_mut()
            {
                last.trailing = gap;
            }
            BlockKind::TableRow
        } else {
            BlockKind::Line
        };
        if doc.fragments.len() > first {
            doc.blocks.push(Block {
                kind,
                range: start..start + content.len(),
                fragments: first..doc.fragments.len(),
            });
        }
        pending = Sep::Line;
    }
    doc
}

/// Pushes a cell's text (if any), consuming the pending separator. An empty
/// cell is counted as a gap before the next cell on the row (a leading one
/// is indentation, not a cell).
fn push(
    doc: &mut Document,
    text: &str,
    range: std::ops::Range<usize>,
    sep: &mut Sep,
    gap: &mut u16,
    first_cell: bool,
) {
    if text[range.clone()].trim().is_empty() {
        if *sep < Sep::Cell {
            *sep = Sep::Cell;
        }
        if !first_cell && *sep == Sep::Cell {
            *gap = gap.saturating_add(1);
        }
        return;
    }
    doc.fragments.push(Fragment {
        range,
        sep: *sep,
        gap: *gap,
        trailing: 0,
    });
    *sep = Sep::None;
    *gap = 0;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_cells() {
        let text = "标题\r\n\r\n规章\t0\t\t3\n下一行";
        let doc = read(text);
        let frags: Vec<(&str, Sep, u16)> = doc
            .fragments
            .iter()
            .map(|f| (&text[f.range.clone()], f.sep, f.gap))
            .collect();
        assert_eq!(
            frags,
            vec![
                ("标题", Sep::Block, 0),
                ("规章", Sep::Block, 0),
                ("0", Sep::Cell, 0),
                ("3", Sep::Cell, 1),
                ("下一行", Sep::Line, 0)
            ]
        );
        assert_eq!(doc.blocks.len(), 3);
        assert_eq!(doc.blocks[1].kind, BlockKind::TableRow);
    }

    #[test]
    fn blank_cells_at_the_end_of_a_row_are_counted() {
        let text = "规章\t13\t\t\n行政许可\t0\n";
        let doc = read(text);
        let tails: Vec<(&str, u16)> = doc
            .fragments
            .iter()
            .map(|f| (&text[f.range.clone()], f.trailing))
            .collect();
        assert_eq!(
            tails,
            vec![("规章", 0), ("13", 2), ("行政许可", 0), ("0", 0)]
        );
    }
}

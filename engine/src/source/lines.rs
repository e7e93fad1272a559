//! Line starts for text whose lines may end in LF, CRLF or a lone CR, so
//! that every reported position refers to the original file's lines.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LineEnding {
    Lf,
    CrLf,
    Cr,
}

impl LineEnding {
    /// The first line ending in `text` (LF when there is none).
    pub fn detect(text: &str) -> Self {
        let bytes = text.as_bytes();
        match bytes.iter().position(|&b| b == b'\n' || b == b'\r') {
            Some(i) if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') => LineEnding::CrLf,
            Some(i) if bytes[i] == b'\r' => LineEnding::Cr,
            _ => LineEnding::Lf,
        }
    }
}

/// A 1-based line and a 1-based column counted in Unicode scalar values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// Byte offset where each line starts; `starts[0] == 0`.
    starts: Vec<usize>,
    /// Characters before each `BLOCK`-byte boundary of the text, made when
    /// a column far into a long line is first asked for: the column is then
    /// counted from the nearest boundary, not from the line's start (many
    /// findings on one long line made rendering quadratic).
    blocks: std::sync::OnceLock<Vec<usize>>,
}

/// Columns further than this into a line are counted from block boundaries.
const BLOCK: usize = 4096;

/// The characters a byte range holds: its bytes that start one. Defined for
/// any range, and equal to `chars().count()` on character boundaries.
fn chars_in(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        // Line ends are a few per hundred bytes: jump between them.
        let mut ends = memchr::memchr2_iter(b'\n', b'\r', bytes);
        while let Some(i) = ends.next() {
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                ends.next();
                starts.push(i + 2);
            } else {
                starts.push(i + 1);
            }
        }
        LineIndex {
            starts,
            blocks: std::sync::OnceLock::new(),
        }
    }

    /// The characters in `text[..at]`, from the block boundary before `at`.
    fn chars_before(&self, text: &str, at: usize) -> usize {
        let bytes = text.as_bytes();
        let blocks = self.blocks.get_or_init(|| {
            let mut seen = 0;
            std::iter::once(0)
                .chain(bytes.chunks(BLOCK).map(|c| {
                    seen += chars_in(c);
                    seen
                }))
                .collect()
        });
        let k = at / BLOCK;
        blocks[k] + chars_in(&bytes[k * BLOCK..at])
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line containing byte `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }

    /// Byte offset of the start of 0-based `line`.
    pub fn line_start(&self, line: usize) -> usize {
        self.starts[line.min(self.starts.len() - 1)]
    }

    /// Byte range of 0-based `line` without its line ending.
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self.line_start(line);
        let mut end = self.starts.get(line + 1).copied().unwrap_or(text.len());
        let bytes = text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        start..end
    }

    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts[line];
        let column = if offset - start <= 2 * BLOCK {
            text[start..offset].chars().count()
        } else {
            self.chars_before(text, offset) - self.chars_before(text, start)
        } + 1;
        Position {
            line: line as u32 + 1,
            column: column as u32,
        }
    }

    /// The byte offset of a 1-based line and character column (clamped to the line).
    pub fn offset(&self, text: &str, pos: Position) -> usize {
        let line = (pos.line.max(1) - 1) as usize;
        if line >= self.starts.len() {
            return text.len();
        }
        let range = self.line_range(text, line);
        let skip = pos.column.max(1) as usize - 1;
        text[range.clone()]
            .char_indices()
            .nth(skip)
            .map_or(range.end, |(i, _)| range.start + i)
    }
}

pub(crate) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_far_into_a_long_line_count_every_character() {
        // Mixed widths, so block boundaries fall inside characters.
        let line: String = (0..20_000)
            .map(|i| ["a", "中", "😀", "é", "ÿ"][i % 5])
            .collect();
        let text = format!("标题\n{line}\n{line}");
        let idx = LineIndex::new(&text);
        for (offset, _) in text.char_indices().step_by(97).chain([(text.len(), ' ')]) {
            let line = idx.line_of(offset);
            let start = idx.line_start(line);
            let want = Position {
                line: line as u32 + 1,
                column: text[start..offset].chars().count() as u32 + 1,
            };
            assert_eq!(idx.position(&text, offset), want, "offset {offset}");
        }
    }

    #[test]
    fn every_line_ending_counts() {
        for text in ["甲\n乙\n丙", "甲\r\n乙\r\n丙", "甲\r乙\r丙"] {
            let idx = LineIndex::new(text);
            assert_eq!(idx.line_count(), 3, "{text:?}");
            let off = text.find('丙').unwrap();
            assert_eq!(idx.position(text, off), Position { line: 3, column: 1 });
            assert_eq!(idx.offset(text, Position { line: 3, column: 1 }), off);
            assert_eq!(&text[idx.line_range(text, 1)], "乙");
        }
        assert_eq!(LineEnding::detect("a\r\nb"), LineEnding::CrLf);
        assert_eq!(LineEnding::detect("a\rb"), LineEnding::Cr);
        assert_eq!(LineEnding::detect("ab"), LineEnding::Lf);
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "一、总体情况𠀋申请";
        let idx = LineIndex::new(text);
        assert_eq!(idx.position(text, text.find('申').unwrap()).column, 8);
    }
}

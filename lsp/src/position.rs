//! Byte offsets in the decoded text ⇄ LSP positions: a 0-based line and a
//! column in UTF-16 code units (the protocol's default) or UTF-8 bytes (when
//! the client offers it). Lines end in LF, CRLF or a lone CR, as in the
//! engine's [`LineIndex`], which is also what the protocol says.

use gklint_engine::model::Span;
use gklint_engine::source::LineIndex;
use lsp_types::{Position, PositionEncodingKind, Range};

/// The unit of `Position::character` agreed with the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
}

impl Encoding {
    /// UTF-8 when the client lists it among the encodings it supports, else UTF-16.
    pub fn negotiate(offered: Option<&[PositionEncodingKind]>) -> Encoding {
        match offered {
            Some(list) if list.contains(&PositionEncodingKind::UTF8) => Encoding::Utf8,
            _ => Encoding::Utf16,
        }
    }

    pub fn kind(self) -> PositionEncodingKind {
        match self {
            Encoding::Utf8 => PositionEncodingKind::UTF8,
            Encoding::Utf16 => PositionEncodingKind::UTF16,
        }
    }

    fn width(self, c: char) -> u32 {
        match self {
            Encoding::Utf8 => c.len_utf8() as u32,
            Encoding::Utf16 => c.len_utf16() as u32,
        }
    }
}

/// Converts positions for one text.
#[derive(Clone, Copy)]
pub struct Converter<'a> {
    pub text: &'a str,
    pub lines: &'a LineIndex,
    pub encoding: Encoding,
}

impl<'a> Converter<'a> {
    pub fn new(text: &'a str, lines: &'a LineIndex, encoding: Encoding) -> Self {
        Converter {
            text,
            lines,
            encoding,
        }
    }

    /// The position of byte `offset` (clamped to the text, rounded down to a
    /// character boundary).
    pub fn position(&self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.lines.line_of(offset);
        let start = self.lines.line_start(line);
        let character = match self.encoding {
            Encoding::Utf8 => (offset - start) as u32,
            Encoding::Utf16 => self.text[start..offset]
                .chars()
                .map(char::len_utf16)
                .sum::<usize>() as u32,
        };
        Position::new(line as u32, character)
    }

    pub fn range(&self, span: &Span) -> Range {
        let start = self.position(span.start);
        let end = self.position(span.end.max(span.start));
        Range::new(start, end)
    }

    /// The byte offset of a position. As the protocol says, a column past the
    /// end of its line means the end of the line, and a line past the end of
    /// the text means the end of the text. A column inside a character (the
    /// middle of a surrogate pair) falls back to that character's start.
    pub fn offset(&self, pos: Position) -> usize {
        let line = pos.line as usize;
        if line >= self.lines.line_count() {
            return self.text.len();
        }
        let range = self.lines.line_range(self.text, line);
        let mut units = 0u32;
        for (i, c) in self.text[range.clone()].char_indices() {
            let w = self.encoding.width(c);
            if units + w > pos.character {
                return range.start + i;
            }
            units += w;
        }
        range.end
    }

    /// A byte range for an LSP range (start and end in order).
    pub fn span(&self, range: Range) -> Span {
        let a = self.offset(range.start);
        let b = self.offset(range.end);
        a.min(b)..a.max(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(text: &str, enc: Encoding, f: impl FnOnce(Converter)) {
        let lines = LineIndex::new(text);
        f(Converter::new(text, &lines, enc));
    }

    #[test]
    fn chinese_and_astral_characters() {
        let text = "一、总体情况\r\n正文𠀋，钩稽。\n";
        let at = text.find('钩').unwrap();
        conv(text, Encoding::Utf16, |c| {
            assert_eq!(c.position(at), Position::new(1, 5));
            assert_eq!(c.offset(Position::new(1, 5)), at);
            // Inside the surrogate pair of 𠀋: its start.
            let astral = text.find('𠀋').unwrap();
            assert_eq!(c.offset(Position::new(1, 3)), astral);
            // Past the end of a line: its end, before the line break.
            assert_eq!(c.offset(Position::new(0, 99)), text.find('\r').unwrap());
            assert_eq!(c.offset(Position::new(9, 0)), text.len());
            assert_eq!(c.position(text.len()), Position::new(2, 0));
        });
        conv(text, Encoding::Utf8, |c| {
            assert_eq!(c.position(at), Position::new(1, 13));
            assert_eq!(c.offset(Position::new(1, 13)), at);
            assert_eq!(c.offset(Position::new(1, 7)), text.find('𠀋').unwrap());
        });
    }

    #[test]
    fn lone_cr_ends_a_line() {
        let text = "甲\r乙丙";
        conv(text, Encoding::Utf16, |c| {
            assert_eq!(c.position(text.find('丙').unwrap()), Position::new(1, 1));
        });
    }
}

//! The key stream: a document's content as canonical characters (NFKC,
//! whitespace removed, quotes and dashes unified) with, for each character,
//! its source range and the break before it. Labels are matched against this
//! stream, so a label wrapped over lines or cells, or written with half-width
//! brackets, still matches; numbers keep their separators so that `1⇥0` is
//! two cells while `10` is one.

use unicode_normalization::UnicodeNormalization;

use crate::read::{BlockKind, Document, Sep};

#[derive(Debug, Clone, Copy)]
pub struct KeyChar {
    pub ch: char,
    /// Byte range of the source character this came from.
    pub src: u32,
    pub src_end: u32,
    /// The strongest break between this character and the previous one.
    pub sep: Sep,
    /// Empty table cells between this character and the previous one.
    pub gap: u16,
    /// The character stands in a real table cell (a Word or HTML grid row).
    pub grid: bool,
    /// On the last character of a grid row's last cell: the blank cells
    /// after it up to the row's end.
    pub trailing: u16,
}

#[derive(Debug, Default)]
pub struct Stream {
    pub key: String,
    pub chars: Vec<KeyChar>,
    /// Byte offset in `key` of each character (for mapping automaton matches).
    key_offsets: Vec<u32>,
}

impl Stream {
    pub fn new(text: &str, doc: &Document) -> Stream {
        let mut s = Stream::default();
        let mut in_grid = vec![false; doc.fragments.len()];
        if doc.exact_cells {
            for b in doc.blocks.iter().filter(|b| b.kind == BlockKind::TableRow) {
                if let Some(slots) = in_grid.get_mut(b.fragments.clone()) {
                    slots.fill(true);
                }
            }
        }
        for (f, frag) in doc.fragments.iter().enumerate() {
            let grid = in_grid[f];
            let first_char = s.chars.len();
            let mut sep = frag.sep;
            let mut gap = frag.gap;
            let piece = &text[frag.range.clone()];
            if is_page_number(piece) && frag.sep >= Sep::Line {
                continue;
            }
            for (i, ch) in piece.char_indices() {
                let src = (frag.range.start + i) as u32;
                let src_end = src + ch.len_utf8() as u32;
                if ch.is_whitespace() || is_invisible(ch) {
                    sep = sep.max(Sep::Space);
                    continue;
                }
                let mut push = |c: char, s: &mut Stream| {
                    s.key_offsets.push(s.key.len() as u32);
                    s.key.push(c);
                    s.chars.push(KeyChar {
                        ch: c,
                        src,
                        src_end,
                        sep,
                        gap,
                        grid,
                        trailing: 0,
                    });
                    sep = Sep::None;
                    gap = 0;
                };
                if ch.is_ascii() {
                    push(ch, &mut s);
                } else {
                    for c in std::iter::once(ch).nfkc() {
                        if !c.is_whitespace() {
                            push(canonical(c), &mut s);
                        }
                    }
                }
            }
            if grid
                && s.chars.len() > first_char
                && let Some(last) = s.chars.last_mut()
            {
                last.trailing = frag.trailing;
            }
        }
        s
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }

    pub fn is_empty(&self) -> bool {
        self.chars.is_empty()
    }

    /// Character index of a byte offset into `key`.
    pub fn char_at_key_byte(&self, byte: usize) -> usize {
        self.key_offsets.partition_point(|&o| (o as usize) < byte)
    }

    /// The key text of characters `a..b`.
    pub fn key_slice(&self, a: usize, b: usize) -> &str {
        let start = self
            .key_offsets
            .get(a)
            .map_or(self.key.len(), |&o| o as usize);
        let end = self
            .key_offsets
            .get(b)
            .map_or(self.key.len(), |&o| o as usize);
        &self.key[start..end]
    }

    /// Source byte range covered by characters `a..b` (b > a).
    pub fn src_range(&self, a: usize, b: usize) -> std::ops::Range<usize> {
        if a >= b || a >= self.chars.len() {
            let at = self.chars.get(a).map_or(0, |c| c.src as usize);
            return at..at;
        }
        self.chars[a].src as usize..self.chars[b - 1].src_end as usize
    }
}

/// Canonical form of one NFKC character for matching.
pub fn canonical(c: char) -> char {
    match c {
        '“' | '”' | '„' | '‟' | '〝' | '〞' => '"',
        '‘' | '’' => '\'',
        '—' | '–' | '−' | '‒' | '―' | '─' => '-',
        '【' | '〖' => '[',
        '】' | '〗' => ']',
        '︵' => '(',
        '︶' => ')',
        _ => c,
    }
}

/// Canonical key of a label or pattern: NFKC, canonical characters, no whitespace.
pub fn key_of(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace() && !is_invisible(*c))
        .map(canonical)
        .collect()
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// A page number left inside a table by a Word or PDF export: `-3-`, `— 12 —`.
fn is_page_number(s: &str) -> bool {
    let t = s.trim();
    let dash = |c: char| matches!(c, '-' | '—' | '–' | '－' | '−');
    let Some(inner) = t.strip_prefix(dash).and_then(|r| r.strip_suffix(dash)) else {
        return false;
    };
    let inner = inner.trim();
    !inner.is_empty() && inner.len() <= 3 && inner.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::{Format, read};

    #[test]
    fn canonical_keys_fold_width_brackets_and_space() {
        assert_eq!(
            key_of("（二） 部分公开（区分处理的，只计这一情形）"),
            "(二)部分公开(区分处理的,只计这一情形)"
        );
        assert_eq!(key_of("3.危及“三安全一稳定”"), "3.危及\"三安全一稳定\"");
    }

    #[test]
    fn stream_keeps_breaks_and_drops_page_numbers() {
        let text = "规章\t0\t10\n-3-\n行政\n许可";
        let doc = read(text, Format::Text);
        let s = Stream::new(text, &doc);
        assert_eq!(s.key, "规章010行政许可");
        let seps: Vec<Sep> = s.chars.iter().map(|c| c.sep).collect();
        assert_eq!(seps[2], Sep::Cell);
        assert_eq!(seps[3], Sep::Cell);
        assert_eq!(seps[4], Sep::None);
        assert_eq!(seps[5], Sep::Line);
        assert_eq!(&text[s.src_range(5, 9)], "行政\n许可");
        assert_eq!(s.char_at_key_byte("规章010".len()), 5);
    }
}

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
    /// Byte offset in `key` of each character (for mapping matches in `key`).
    key_offsets: Vec<u32>,
    /// For each index, the first index at or after it that starts a line
    /// (computed once, on first use: one scan instead of one per heading).
    line_starts_after: std::sync::OnceLock<Vec<u32>>,
}

/// The NFKC form of one character, passed to `f` char by char. Chinese text
/// is mostly characters NFKC leaves alone, or full-width ASCII that it maps
/// to ASCII: those skip the general (slow) normaliser.
#[inline]
pub fn nfkc_char(ch: char, mut f: impl FnMut(char)) {
    if nfkc_keeps(ch) {
        return f(ch);
    }
    match ch as u32 {
        0xFF01..=0xFF5E => f(char::from_u32(ch as u32 - 0xFEE0).unwrap_or(ch)),
        _ => std::iter::once(ch).nfkc().for_each(f),
    }
}

/// Characters NFKC leaves as they are and that make up most of a report:
/// ASCII, CJK punctuation (U+3001–3035) and common Han. Every fast path
/// around the normaliser asks this (or [`is_common_han`]).
#[inline]
pub fn nfkc_keeps(ch: char) -> bool {
    ch.is_ascii() || matches!(ch, '\u{3001}'..='\u{3035}') || is_common_han(ch)
}

/// The UTF-8 length of the character at byte `i` of `text` when
/// [`nfkc_keeps`] it, else 0: the same set, read from the bytes, for loops
/// that would otherwise decode every character. `i` must start a character.
#[inline]
pub fn kept_len(text: &str, i: usize) -> usize {
    let b = text.as_bytes();
    match b[i] {
        0x00..=0x7F => 1,
        // U+5000–9FFF.
        0xE5..=0xE9 => 3,
        // U+4E00–4FFF.
        0xE4 if b[i + 1] >= 0xB8 => 3,
        // U+3001–3035.
        0xE3 if b[i + 1] == 0x80 && (0x81..=0xB5).contains(&b[i + 2]) => 3,
        _ => 0,
    }
}

/// A common Han ideograph (U+4E00–9FFF): NFKC and [`canonical`] keep it.
#[inline]
pub fn is_common_han(ch: char) -> bool {
    matches!(ch, '\u{4E00}'..='\u{9FFF}')
}

impl Stream {
    /// The end of the line containing `from`: the first index after `from`
    /// whose break is a line break or more, or the end of the stream.
    pub fn line_end(&self, from: usize) -> usize {
        if from >= self.chars.len() {
            return from;
        }
        let next = self.line_starts_after.get_or_init(|| {
            let n = self.chars.len();
            let mut v = vec![n as u32; n + 1];
            for j in (0..n).rev() {
                v[j] = if self.chars[j].sep >= Sep::Line {
                    j as u32
                } else {
                    v[j + 1]
                };
            }
            v
        });
        next[from + 1] as usize
    }

    pub fn new(text: &str, doc: &Document) -> Stream {
        let mut s = Stream::default();
        // A key char per text char, but for white space and the rare NFKC
        // expansion: counting is cheaper than growing the vectors.
        let guess = text.chars().count() + 16;
        s.key.reserve(text.len());
        s.chars.reserve(guess);
        s.key_offsets.reserve(guess);
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
                // ASCII and common Han are their own key: no normalising.
                // (CJK punctuation is not: `canonical` maps some of it.)
                let plain = ch.is_ascii() || is_common_han(ch);
                if plain && !ch.is_ascii_whitespace() && ch != '\u{0B}' {
                    s.push_key(ch, src, src_end, sep, gap, grid);
                    sep = Sep::None;
                    gap = 0;
                    continue;
                }
                if ch.is_whitespace() || is_invisible(ch) {
                    sep = sep.max(Sep::Space);
                    continue;
                }
                nfkc_char(ch, |c| {
                    if !c.is_whitespace() {
                        s.push_key(canonical(c), src, src_end, sep, gap, grid);
                        sep = Sep::None;
                        gap = 0;
                    }
                });
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

    fn push_key(&mut self, ch: char, src: u32, src_end: u32, sep: Sep, gap: u16, grid: bool) {
        self.key_offsets.push(self.key.len() as u32);
        self.key.push(ch);
        self.chars.push(KeyChar {
            ch,
            src,
            src_end,
            sep,
            gap,
            grid,
            trailing: 0,
        });
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

    /// Byte offset into `key` of character `a` (the key's length past the end).
    pub fn key_byte(&self, a: usize) -> usize {
        self.key_offsets
            .get(a)
            .map_or(self.key.len(), |&o| o as usize)
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
    // Headings and labels are nearly always characters that NFKC maps one
    // by one and that never combine or reorder: those skip the normaliser.
    if s.chars().all(folds_alone) {
        let mut out = String::with_capacity(s.len());
        for ch in s.chars() {
            nfkc_char(ch, |c| {
                if !c.is_whitespace() {
                    out.push(canonical(c));
                }
            });
        }
        return out;
    }
    s.nfkc()
        .filter(|c| !c.is_whitespace() && !is_invisible(*c))
        .map(canonical)
        .collect()
}

/// A character whose NFKC form in any string is its NFKC form alone: kept
/// or full-width ASCII, and no combining mark (U+302A–302F are: NFKC may
/// reorder them).
fn folds_alone(ch: char) -> bool {
    (nfkc_keeps(ch) && !matches!(ch, '\u{302A}'..='\u{302F}'))
        || matches!(ch, '\u{FF01}'..='\u{FF5E}')
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

    #[test]
    fn nfkc_fast_path_agrees_with_the_normaliser() {
        for cp in (0x3001..=0x3035)
            .chain(0x4E00..=0x9FFF)
            .chain(0xFF01..=0xFF5E)
        {
            let ch = char::from_u32(cp).unwrap();
            let mut fast = String::new();
            nfkc_char(ch, |c| fast.push(c));
            let slow: String = std::iter::once(ch).nfkc().collect();
            assert_eq!(fast, slow, "U+{cp:04X}");
        }
    }
    use crate::read::{Format, read};

    #[test]
    fn kept_len_is_nfkc_keeps_read_from_bytes() {
        let mut buf = [0u8; 4];
        for ch in (0..=0x10FFFF).filter_map(char::from_u32) {
            let s = ch.encode_utf8(&mut buf);
            let want = if nfkc_keeps(ch) { s.len() } else { 0 };
            assert_eq!(kept_len(s, 0), want, "U+{:04X}", ch as u32);
        }
    }

    #[test]
    fn key_fast_path_agrees_with_the_normaliser() {
        let slow = |s: &str| -> String {
            s.nfkc()
                .filter(|c| !c.is_whitespace() && !is_invisible(*c))
                .map(canonical)
                .collect()
        };
        // Kept, full-width, combining and compatibility characters, mixed.
        let pool: Vec<char> =
            "a Z9（二）、，。“”【】〖〗〝〞〪〭〯〰〵一龥\u{3000}\u{200B}e\u{301}\u{FB01}①ｱ㐀\u{1F600}"
                .chars()
                .collect();
        let mut seed = 7u64;
        for _ in 0..5000 {
            let mut s = String::new();
            for _ in 0..(seed % 9) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                s.push(pool[(seed >> 33) as usize % pool.len()]);
            }
            assert_eq!(key_of(&s), slow(&s), "{s:?}");
        }
    }

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

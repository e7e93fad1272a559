//! Text regions a rule looks at: the whole report, or one level-1 section,
//! optionally with full-width characters folded to half-width.

use serde_saphyr::Spanned;

use super::Compile;
use crate::model::Report;
use crate::pack::PackError;
use crate::pack::file::Scope;
use crate::structure::stream::{nfkc_char, nfkc_keeps};

/// A scope must name a level-1 heading of some template (by number or by
/// title or variant); otherwise the rule would silently never match.
pub fn check_known(cx: &Compile, scope: &Spanned<Scope>) -> Result<(), PackError> {
    let want = crate::structure::stream::key_of(&scope.value.section);
    let known = cx
        .catalog
        .templates
        .iter()
        .flat_map(|t| &t.headings)
        .any(|h| {
            crate::structure::stream::key_of(&h.number).trim_end_matches('、') == want
                || crate::structure::stream::key_of(&h.title) == want
                || h.keys.contains(&want)
        });
    if known {
        return Ok(());
    }
    let names: Vec<String> = cx
        .catalog
        .templates
        .iter()
        .flat_map(|t| &t.headings)
        .map(|h| format!("{}{}", h.number, h.title))
        .collect();
    Err(cx.err(
        scope,
        format!(
            "scope 中的章节 `{}` 不是任何章节模板中的一级标题，规则将永远不会检查任何内容；应写编号或标题，如：{}",
            scope.value.section,
            names.join("；")
        ),
    ))
}

/// The byte range of the level-1 section a scope names (`六` or its title).
pub fn section_range(report: &Report, section: &str) -> Option<std::ops::Range<usize>> {
    let want = crate::structure::stream::key_of(section);
    report
        .sections
        .iter()
        .filter(|s| s.level == 1)
        .find_map(|s| {
            let number = crate::structure::stream::key_of(&s.number);
            let number = number.trim_end_matches('、');
            let title = crate::structure::stream::key_of(&s.title);
            (number == want || title == want).then_some(s.span.start..s.body.end)
        })
}

/// Text folded for matching (NFKC), with each folded byte's original offset.
pub struct Folded {
    pub text: String,
    map: Vec<usize>,
    end: usize,
}

impl Folded {
    pub fn new(text: &str, base: usize) -> Folded {
        let mut out = String::with_capacity(text.len());
        let mut map = Vec::with_capacity(text.len());
        let bytes = text.as_bytes();
        // Runs of characters NFKC keeps are copied whole; every byte of a
        // character maps to the character's start.
        let copy = |run: std::ops::Range<usize>, out: &mut String, map: &mut Vec<usize>| {
            out.push_str(&text[run.clone()]);
            let mut at = base + run.start;
            map.extend(run.map(|j| {
                if bytes[j] & 0xC0 != 0x80 {
                    at = base + j;
                }
                at
            }));
        };
        let mut run = 0;
        for (i, ch) in text.char_indices() {
            if nfkc_keeps(ch) {
                continue;
            }
            if run < i {
                copy(run..i, &mut out, &mut map);
            }
            let (at, start) = (base + i, out.len());
            nfkc_char(ch, |c| out.push(c));
            map.extend(std::iter::repeat_n(at, out.len() - start));
            run = i + ch.len_utf8();
        }
        copy(run..text.len(), &mut out, &mut map);
        Folded {
            text: out,
            map,
            end: base + text.len(),
        }
    }

    /// The folded text of the original byte range `r`, with the folded
    /// offset it starts at (add it to offsets in the slice before
    /// [`Folded::original`]).
    pub fn slice(&self, r: std::ops::Range<usize>) -> (usize, &str) {
        let a = self.map.partition_point(|&o| o < r.start);
        let b = self.map.partition_point(|&o| o < r.end);
        (a, &self.text[a..b.max(a)])
    }

    /// The original byte range of a folded range.
    pub fn original(&self, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let start = self.map.get(r.start).copied().unwrap_or(self.end);
        let end = if r.end >= self.map.len() {
            self.end
        } else {
            // The end is the start of the first original char not in the match.
            self.map[r.end]
        };
        start..end.max(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn runs_fold_as_each_character_alone() {
        let text = "a１２㐀丁\u{4DFF}龥\u{9FFF}\u{A000}ｱ﹙㈠）①，x\u{FB01}中";
        let f = Folded::new(text, 7);
        let (mut want, mut map) = (String::new(), Vec::new());
        for (i, ch) in text.char_indices() {
            let start = want.len();
            want.extend(std::iter::once(ch).nfkc());
            map.extend(std::iter::repeat_n(7 + i, want.len() - start));
        }
        assert_eq!(f.text, want);
        assert_eq!(f.map, map);
    }

    #[test]
    fn folded_offsets_map_back() {
        let text = "电话：０９５４－２０８８８２９";
        let f = Folded::new(text, 10);
        let i = f.text.find("0954").unwrap();
        let r = f.original(i..i + 4);
        assert_eq!(&text[r.start - 10..r.end - 10], "０９５４");
    }
}

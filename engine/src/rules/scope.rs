//! Text regions a rule looks at: the whole report, or one level-1 section,
//! optionally with full-width characters folded to half-width.

use serde_saphyr::Spanned;

use super::Compile;
use crate::model::Report;
use crate::pack::PackError;
use crate::pack::file::Scope;
use crate::structure::stream::{kept_len, nfkc_char};

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

/// Where `\n` stands in a text, found once: the line around an offset is
/// then a binary search, not a scan of the line (many hits on one long line
/// made the rules that look at a hit's line quadratic).
pub struct Newlines<'a> {
    text: &'a str,
    at: Vec<usize>,
}

impl<'a> Newlines<'a> {
    pub fn new(text: &'a str) -> Newlines<'a> {
        Newlines {
            text,
            at: memchr::memchr_iter(b'\n', text.as_bytes()).collect(),
        }
    }

    /// The byte range of the line around `at`, without its `\n`.
    pub fn line_around(&self, at: usize) -> std::ops::Range<usize> {
        let next = self.at.partition_point(|&n| n < at);
        let start = next.checked_sub(1).map_or(0, |k| self.at[k] + 1);
        start..self.at.get(next).copied().unwrap_or(self.text.len())
    }
}

/// Text folded for matching (NFKC), and how to map its offsets back.
pub struct Folded {
    pub text: String,
    /// Where copying and rewriting alternate, in order. Most characters are
    /// copied as they are, so this holds one entry per rewritten character
    /// and per copied run, not one per byte.
    marks: Vec<Mark>,
    end: usize,
}

/// From `folded` on (to the next mark), the folded text is either the
/// original's bytes from `orig` on, copied, or what one character at `orig`
/// was rewritten to.
#[derive(Debug, Clone, Copy)]
struct Mark {
    folded: usize,
    orig: usize,
    copied: bool,
}

impl Folded {
    pub fn new(text: &str, base: usize) -> Folded {
        let mut out = String::with_capacity(text.len());
        let mut marks = vec![Mark {
            folded: 0,
            orig: base,
            copied: true,
        }];
        let (mut run, mut i) = (0, 0);
        while i < text.len() {
            let kept = kept_len(text, i);
            if kept > 0 {
                i += kept;
                continue;
            }
            let Some(ch) = text[i..].chars().next() else {
                break;
            };
            out.push_str(&text[run..i]);
            marks.push(Mark {
                folded: out.len(),
                orig: base + i,
                copied: false,
            });
            nfkc_char(ch, |c| out.push(c));
            i += ch.len_utf8();
            run = i;
            marks.push(Mark {
                folded: out.len(),
                orig: base + run,
                copied: true,
            });
        }
        out.push_str(&text[run..]);
        Folded {
            text: out,
            marks,
            end: base + text.len(),
        }
    }

    /// The original offset of the character that folded byte `f` (< the
    /// folded length) comes from.
    fn orig_at(&self, f: usize) -> usize {
        // The last mark at or before `f`: of marks at one place, the later
        // one (an empty copied run is followed by its rewritten character).
        let m = self.marks[self.marks.partition_point(|m| m.folded <= f) - 1];
        if !m.copied {
            return m.orig;
        }
        let mut f = f;
        while !self.text.is_char_boundary(f) {
            f -= 1;
        }
        m.orig + (f - m.folded)
    }

    /// The first folded offset whose original offset is at least `o` (the
    /// folded length when there is none).
    fn folded_at(&self, o: usize) -> usize {
        let k = self.marks.partition_point(|m| m.orig <= o);
        if k == 0 {
            return 0;
        }
        let m = self.marks[k - 1];
        let next = self.marks.get(k).map_or(self.text.len(), |n| n.folded);
        if !m.copied {
            return if o == m.orig { m.folded } else { next };
        }
        let mut f = (m.folded + (o - m.orig)).min(self.text.len());
        while !self.text.is_char_boundary(f) {
            f += 1;
        }
        f
    }

    /// The folded text of the original byte range `r`, with the folded
    /// offset it starts at (add it to offsets in the slice before
    /// [`Folded::original`]).
    pub fn slice(&self, r: std::ops::Range<usize>) -> (usize, &str) {
        let a = self.folded_at(r.start);
        let b = self.folded_at(r.end);
        (a, &self.text[a..b.max(a)])
    }

    /// The original byte range of a folded range.
    pub fn original(&self, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
        let len = self.text.len();
        let start = if r.start < len {
            self.orig_at(r.start)
        } else {
            self.end
        };
        // The end is the start of the first original char not in the match.
        let end = if r.end >= len {
            self.end
        } else {
            self.orig_at(r.end)
        };
        start..end.max(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use unicode_normalization::UnicodeNormalization;

    #[test]
    fn the_line_around_an_offset_is_the_one_between_its_newlines() {
        let text = "甲\n乙丙\r\n\n丁";
        let lines = Newlines::new(text);
        let naive = |at: usize| {
            let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
            start..text[at..].find('\n').map_or(text.len(), |i| at + i)
        };
        for (at, _) in text.char_indices().chain([(text.len(), ' ')]) {
            assert_eq!(lines.line_around(at), naive(at), "at {at}");
        }
        assert_eq!(&text[lines.line_around(4)], "乙丙\r");
    }

    #[test]
    fn runs_fold_as_each_character_alone() {
        let text = "a１２㐀丁\u{4DFF}龥\u{9FFF}\u{A000}ｱ﹙㈠）①，x\u{FB01}中";
        let f = Folded::new(text, 7);
        let (mut want, mut map) = (String::new(), Vec::<usize>::new());
        for (i, ch) in text.char_indices() {
            let start = want.len();
            want.extend(std::iter::once(ch).nfkc());
            map.extend(std::iter::repeat_n(7 + i, want.len() - start));
        }
        assert_eq!(f.text, want);
        assert_eq!(
            (0..f.text.len()).map(|b| f.orig_at(b)).collect::<Vec<_>>(),
            map
        );
    }

    /// The marks give what one original offset per folded byte gave: the
    /// folded form's previous representation, kept here as the reference.
    #[test]
    fn marks_map_offsets_as_a_map_per_byte_did() {
        let texts = [
            "",
            "plain 中文 only",
            "１２３",
            "ａ中ｂ",
            "a１２㐀丁\u{4DFF}龥\u{9FFF}\u{A000}ｱ﹙㈠）①，x\u{FB01}中",
            "\u{FB01}\u{FB01}末尾①",
            "电话：０９５４－２０８８８２９；\u{1F600}😀ｅｍａｉｌ",
        ];
        for text in texts {
            for base in [0, 5] {
                let f = Folded::new(text, base);
                let mut map = Vec::new();
                for (i, ch) in text.char_indices() {
                    let n = std::iter::once(ch)
                        .nfkc()
                        .map(char::len_utf8)
                        .sum::<usize>();
                    map.extend(std::iter::repeat_n(base + i, n));
                }
                assert_eq!(map.len(), f.text.len(), "{text}");
                for o in 0..base + text.len() + 3 {
                    assert_eq!(
                        f.folded_at(o),
                        map.partition_point(|&m| m < o),
                        "{text:?} base {base} offset {o}"
                    );
                }
                for a in 0..=f.text.len() {
                    for b in a..=f.text.len() {
                        let end = base + text.len();
                        let start = map.get(a).copied().unwrap_or(end);
                        let stop = map.get(b).copied().unwrap_or(end);
                        assert_eq!(
                            f.original(a..b),
                            start..stop.max(start),
                            "{text:?} {a}..{b}"
                        );
                    }
                }
            }
        }
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

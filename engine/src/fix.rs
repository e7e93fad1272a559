//! Applying fixes to the decoded text: non-overlapping edits, first come
//! first served, so one run never produces a garbled mix.

use crate::diagnostic::{Diagnostic, Edit};

/// The edits of the given diagnostics' safe fixes that can be applied
/// together, sorted by position. A fix whose edits overlap an earlier one is
/// skipped whole (a second `--fix` run picks it up).
pub fn plan(diagnostics: &[Diagnostic]) -> Vec<Edit> {
    choose(diagnostics.iter(), |_| true)
}

/// Like [`plan`], leaving out fixes with an edit that does not [`fits`]
/// `text` (diagnostics read back from a cache anyone can write).
pub fn plan_within(text: &str, diagnostics: &[Diagnostic]) -> Vec<Edit> {
    choose(diagnostics.iter(), |e| fits(text, e))
}

/// Whether `edit` can be applied to `text`: its span is ordered, inside the
/// text, and starts and ends on character boundaries.
pub fn fits(text: &str, edit: &Edit) -> bool {
    let span = &edit.span;
    span.start <= span.end && text.is_char_boundary(span.start) && text.is_char_boundary(span.end)
}

fn choose<'a>(
    diagnostics: impl Iterator<Item = &'a Diagnostic>,
    fits: impl Fn(&Edit) -> bool,
) -> Vec<Edit> {
    let mut chosen: Vec<Edit> = Vec::new();
    for d in diagnostics.filter(|d| !d.unsafe_fix) {
        let Some(fix) = &d.fix else { continue };
        if !fix.edits.iter().all(&fits) {
            continue;
        }
        let clash = fix.edits.iter().any(|e| {
            chosen.iter().any(|c| {
                e.span.start < c.span.end && c.span.start < e.span.end
                    || (e.span.is_empty() && e.span == c.span)
            })
        });
        if !clash {
            chosen.extend(fix.edits.iter().cloned());
        }
    }
    chosen.sort_by_key(|e| (e.span.start, e.span.end));
    chosen
}

/// `text` with `edits` (sorted, non-overlapping) applied.
pub fn apply(text: &str, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for e in edits {
        out.push_str(&text[at..e.span.start]);
        out.push_str(&e.replacement);
        at = e.span.end;
    }
    out.push_str(&text[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_in_order_and_skips_overlaps() {
        let text = "钩稽关系，2、主动";
        let edit = |a: usize, b: usize, r: &str| Edit {
            span: a..b,
            replacement: r.into(),
        };
        let i = text.find('2').unwrap();
        let edits = vec![edit(i, i + 4, "二、"), edit(0, 6, "勾稽")];
        let mut sorted = edits.clone();
        sorted.sort_by_key(|e| e.span.start);
        assert_eq!(apply(text, &sorted), "勾稽关系，二、主动");
    }

    #[test]
    fn edits_outside_the_text_or_inside_a_character_do_not_fit() {
        let text = "勾稽";
        let edit = |span: std::ops::Range<usize>| Edit {
            span,
            replacement: String::new(),
        };
        assert!(fits(text, &edit(0..3)) && fits(text, &edit(6..6)));
        // The last one reversed, as a forged cache entry may have it.
        for (a, b) in [(1, 3), (0, 7), (1_000_000, 1_000_003), (3, 0)] {
            assert!(!fits(text, &edit(a..b)), "{a}..{b}");
        }
    }
}

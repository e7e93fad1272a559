//! Applying fixes to the decoded text: non-overlapping edits, first come
//! first served, so one run never produces a garbled mix.

use crate::diagnostic::{Diagnostic, Edit};

/// The edits of the given diagnostics' safe fixes that can be applied
/// together, sorted by position. A fix whose edits overlap an earlier one is
/// skipped whole (a second `--fix` run picks it up).
pub fn plan(diagnostics: &[Diagnostic]) -> Vec<Edit> {
    let mut chosen: Vec<Edit> = Vec::new();
    for d in diagnostics.iter().filter(|d| !d.unsafe_fix) {
        let Some(fix) = &d.fix else { continue };
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
}

//! `punctuation` check `page-break`: a paragraph broken in the middle of a
//! book title, a quotation or a parenthesis (a page break or a line wrap kept
//! by a Word or PDF conversion: `制定《县投资促进服务` / `中心 2019 年…方案》`).
//! Such a mark cannot span paragraphs, so the break sits inside a word; the
//! fix joins the two paragraphs. Table text is left alone: a wrapped cell is
//! no paragraph break.

use std::ops::Range;

use crate::diagnostic::{Edit, Fix};
use crate::model::Paragraph;
use crate::rules::{Context, Findings, RuleMeta};

const PAIRS: &[(char, char)] = &[('《', '》'), ('〈', '〉'), ('“', '”'), ('（', '）')];

/// Characters of context on each side of the break in the message.
const CONTEXT: usize = 10;

/// The opener of `text` left open at its end, if any (the innermost).
fn open_at_end(text: &str) -> Option<(char, char)> {
    let mut stack: Vec<(char, char)> = Vec::new();
    for c in text.chars() {
        if let Some(&p) = PAIRS.iter().find(|p| p.0 == c) {
            stack.push(p);
        } else if let Some(i) = stack.iter().rposition(|p| p.1 == c) {
            stack.truncate(i);
        }
    }
    stack.pop()
}

/// Whether `text` closes `pair` before it opens another of the same kind.
fn closes_first(text: &str, pair: (char, char)) -> bool {
    text.chars()
        .find(|&c| c == pair.0 || c == pair.1)
        .is_some_and(|c| c == pair.1)
}

fn ends_sentence(s: &str) -> bool {
    s.trim_end()
        .ends_with(['。', '！', '？', '；', '…', '：', '.', '!', '?', ';', ':'])
}

fn in_table(cx: &Context, span: &Range<usize>) -> bool {
    cx.report
        .tables
        .iter()
        .any(|t| t.span.start < span.end && span.start < t.span.end)
}

pub fn check(cx: &Context, rule: &RuleMeta, out: &mut Findings) {
    let text = cx.text();
    let paras: &[Paragraph] = &cx.report.paragraphs;
    for w in paras.windows(2) {
        if out.stopped() {
            break;
        }
        let (p, q) = (&w[0], &w[1]);
        let (a, b) = (&text[p.span.clone()], &text[q.span.clone()]);
        if ends_sentence(a) || in_table(cx, &p.span) || in_table(cx, &q.span) {
            continue;
        }
        let Some(pair) = open_at_end(a) else {
            continue;
        };
        if !closes_first(b, pair) {
            continue;
        }
        let gap = p.span.end..q.span.start;
        if !text[gap.clone()].trim().is_empty() {
            continue;
        }
        let tail: String = {
            let mut v: Vec<char> = a.trim_end().chars().rev().take(CONTEXT).collect();
            v.reverse();
            v.into_iter().collect()
        };
        let head: String = b.trim_start().chars().take(CONTEXT).collect();
        let values = [
            ("原文", format!("{tail}⏎{head}")),
            ("应为", format!("{tail}{head}")),
            ("标点", pair.0.to_string()),
            ("配对", pair.1.to_string()),
        ];
        let fix = Fix {
            description: "把断开的两段接成一段".into(),
            edits: vec![Edit {
                span: gap.clone(),
                replacement: String::new(),
            }],
        };
        out.push(rule.diag_with(gap, &values, Vec::new(), Some(fix)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_open_mark_at_a_paragraph_end() {
        assert_eq!(open_at_end("制定《县投资促进服务"), Some(('《', '》')));
        assert_eq!(open_at_end("制定《方案》，编制《指南》"), None);
        assert_eq!(open_at_end("（由《条例》"), Some(('（', '）')));
        assert!(closes_first(
            "中心 2019 年方案》，编制了《指南》",
            ('《', '》')
        ));
        assert!(!closes_first("《指南》", ('《', '》')));
    }
}

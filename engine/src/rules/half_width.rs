//! `punctuation` check `half-width`: ASCII `;` `:` written against Chinese
//! characters in a paragraph that otherwise uses full-width punctuation
//! (`220号;邮编:255022`). Text with no full-width punctuation at all (page
//! metadata such as `来源:时间:`) is left alone: there is nothing it mixes with.

use std::ops::Range;

use crate::diagnostic::{Edit, Fix};
use crate::rules::Findings;
use crate::rules::RuleMeta;

const FULL: &[char] = &['，', '。', '；', '：', '、', '？', '！'];

fn full_width(c: char) -> Option<char> {
    match c {
        ';' => Some('；'),
        ':' => Some('：'),
        _ => None,
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}')
}

/// Characters of context on each side of the mark in the message.
const CONTEXT: usize = 6;

pub fn check(text: &str, span: Range<usize>, rule: &RuleMeta, out: &mut Findings) {
    let para = &text[span.clone()];
    // Most paragraphs have neither mark: that test is the cheaper.
    if memchr::memchr2(b';', b':', para.as_bytes()).is_none() || !para.contains(FULL) {
        return;
    }
    // Only `;` and `:` are looked at: ASCII, so a byte search finds them.
    for i in memchr::memchr2_iter(b';', b':', para.as_bytes()) {
        if out.stopped() {
            break;
        }
        let c = char::from(para.as_bytes()[i]);
        let Some(right) = full_width(c) else {
            continue;
        };
        let (head, tail) = (&para[..i], &para[i + 1..]);
        let before = head.chars().next_back();
        let after = tail.chars().next();
        if !before.is_some_and(is_han) && !after.is_some_and(is_han) {
            continue;
        }
        // CONTEXT characters each side (fewer at the paragraph's ends).
        let from = head
            .char_indices()
            .rev()
            .nth(CONTEXT - 1)
            .map_or(0, |(j, _)| j);
        let to = tail
            .char_indices()
            .nth(CONTEXT)
            .map_or(para.len(), |(j, _)| i + 1 + j);
        let at = span.start + i..span.start + i + c.len_utf8();
        let values = [
            ("原文", para[from..to].trim().to_owned()),
            ("应为", right.to_string()),
            ("标点", c.to_string()),
            ("配对", String::new()),
        ];
        let fix = Fix {
            description: format!("将半角“{c}”改为全角“{right}”"),
            edits: vec![Edit {
                span: at.clone(),
                replacement: right.to_string(),
            }],
        };
        out.push(rule.diag_with(at, &values, Vec::new(), Some(fix)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Category, Severity};

    fn meta() -> RuleMeta {
        RuleMeta {
            id: "t".into(),
            pack: "t".into(),
            kind: "punctuation".into(),
            category: Category::Style,
            severity: Severity::Warning,
            message: "{标点}→{应为}：{原文}".into(),
            message_en: None,
            help: String::new(),
            docs: None,
            valid: Vec::new(),
            invalid: Vec::new(),
            fixable: true,
        }
    }

    fn found(text: &str) -> Vec<String> {
        let mut out = Findings::default();
        check(text, 0..text.len(), &meta(), &mut out);
        out.into_parts().0.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn mixed_marks_next_to_chinese_are_found() {
        let t = "地址：张店区人民西路220号;邮编:255022;电话：0533-3812333。";
        assert_eq!(
            found(t),
            [
                ";→；：西路220号;邮编:255",
                ":→：：20号;邮编:255022",
                ";→；：255022;电话：053"
            ]
        );
    }

    #[test]
    fn ascii_contexts_and_unmixed_text_are_left_alone() {
        assert!(found("网址：http://www.pingtan.gov.cn，时间10:30。").is_empty());
        assert!(found("来源:时间:2020年01月31日").is_empty());
        // Commas are left to other tools: they are everywhere in pasted text.
        assert!(found("全年发布信息239条,其中市政府网站102条。").is_empty());
    }
}

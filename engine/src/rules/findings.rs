//! A rule's findings in one file, kept up to a ceiling. A file that trips
//! one rule everywhere (18 MB of `（` is six million unbalanced marks) would
//! otherwise hold millions of findings, gigabytes, and crash the run; past
//! the ceiling further findings are refused, and the rule may stop looking.
//! [`crate::lint`] then says, in one more finding, that the rest were not
//! listed.

use crate::diagnostic::Diagnostic;
use crate::model::Span;
use crate::rules::RuleMeta;

#[derive(Debug)]
pub struct Findings {
    kept: Vec<Diagnostic>,
    limit: usize,
    refused: bool,
}

impl Findings {
    /// Findings listed per rule and file. Real reports stay far below it.
    pub const LIMIT: usize = 1000;

    pub fn new(limit: usize) -> Findings {
        Findings {
            kept: Vec::new(),
            limit,
            refused: false,
        }
    }

    /// Keeps `d`, unless the ceiling is reached.
    pub fn push(&mut self, d: Diagnostic) {
        if self.kept.len() < self.limit {
            self.kept.push(d);
        } else {
            self.refused = true;
        }
    }

    /// Whether a finding was refused: the rule need not look further.
    pub fn stopped(&self) -> bool {
        self.refused
    }

    /// The kept findings, and whether any were refused.
    pub fn into_parts(self) -> (Vec<Diagnostic>, bool) {
        (self.kept, self.refused)
    }
}

impl Extend<Diagnostic> for Findings {
    fn extend<I: IntoIterator<Item = Diagnostic>>(&mut self, iter: I) {
        for d in iter {
            self.push(d);
        }
    }
}

/// The finding that says a rule's further findings in the file were not
/// listed, placed at `at` (the end of its last listed one).
pub fn not_listed(rule: &RuleMeta, at: Span) -> Diagnostic {
    let limit = Findings::LIMIT;
    let id = &rule.id;
    Diagnostic {
        rule: id.clone(),
        category: rule.category,
        severity: rule.severity,
        message: format!("规则 {id} 在本文件中已列出 {limit} 处问题，其余的不再逐条列出"),
        message_en: Some(format!(
            "rule {id} has listed {limit} findings in this file; the rest are not listed"
        )),
        help: format!(
            "每条规则在一个文件中最多列出 {limit} 处问题，以免异常文件耗尽内存。\
             请先修正已列出的问题（可修复的可用 --fix）后重新检查，其余的会接着列出；\
             若它们都是误报，可在配置中停用此规则"
        ),
        span: at,
        related: Vec::new(),
        fix: None,
        values: [
            ("规则".to_owned(), id.clone()),
            ("上限".to_owned(), limit.to_string()),
        ]
        .into(),
        not_assessable: false,
        unsafe_fix: false,
    }
}

impl Default for Findings {
    fn default() -> Findings {
        Findings::new(Findings::LIMIT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Category, Severity};

    fn finding(at: usize) -> Diagnostic {
        Diagnostic {
            rule: "r".into(),
            category: Category::Style,
            severity: Severity::Warning,
            message: String::new(),
            message_en: None,
            help: String::new(),
            span: at..at + 1,
            related: Vec::new(),
            fix: None,
            values: Default::default(),
            not_assessable: false,
            unsafe_fix: false,
        }
    }

    #[test]
    fn keeps_the_first_findings_up_to_the_limit() {
        let mut f = Findings::new(3);
        for at in 0..3 {
            f.push(finding(at));
        }
        assert!(!f.stopped(), "three of three is not past the limit");
        f.push(finding(3));
        f.push(finding(4));
        assert!(f.stopped());
        let (kept, refused) = f.into_parts();
        assert!(refused);
        let starts: Vec<usize> = kept.iter().map(|d| d.span.start).collect();
        assert_eq!(starts, [0, 1, 2]);
    }
}

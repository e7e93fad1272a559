//! A rule's findings in one file, kept up to a ceiling. A file that trips
//! one rule everywhere (18 MB of `（` is six million unbalanced marks) would
//! otherwise hold millions of findings, gigabytes, and crash the run; past
//! the ceiling further findings are refused, and the rule may stop looking.
//! [`crate::lint`] then says, in one more finding, that the rest were not
//! listed. The sink also carries the file's [`Cancel`], so that a rule going
//! through millions of hits stops when the file's time is up, not after.

use std::cell::Cell;

use crate::cancel::Cancel;
use crate::diagnostic::Diagnostic;
use crate::model::Span;
use crate::rules::RuleMeta;

#[derive(Debug)]
pub struct Findings {
    kept: Vec<Diagnostic>,
    limit: usize,
    refused: bool,
    cancel: Cancel,
    /// Calls of [`Findings::stopped`] since the cancel was last asked.
    asked: Cell<u32>,
    cancelled: Cell<bool>,
}

impl Findings {
    /// Findings listed per rule and file. Real reports stay far below it.
    pub const LIMIT: usize = 1000;

    /// The cancel is asked once in this many [`Findings::stopped`] calls: a
    /// rule calls it for every hit, and the caller's clock is not free.
    const ASK_EVERY: u32 = 256;

    pub fn new(limit: usize) -> Findings {
        Findings {
            kept: Vec::new(),
            limit,
            refused: false,
            cancel: Cancel::default(),
            asked: Cell::new(0),
            cancelled: Cell::new(false),
        }
    }

    /// The same sink, stopping the rule when `cancel` says the file's time is up.
    pub fn cancelled_by(self, cancel: Cancel) -> Findings {
        Findings { cancel, ..self }
    }

    /// Keeps `d`, unless the ceiling is reached.
    pub fn push(&mut self, d: Diagnostic) {
        if self.kept.len() < self.limit {
            self.kept.push(d);
        } else {
            self.refused = true;
        }
    }

    /// Whether the rule need not look further: a finding was refused, or
    /// the file's time is up (then the caller drops the file's findings).
    pub fn stopped(&self) -> bool {
        if self.refused || self.cancelled.get() {
            return true;
        }
        let asked = self.asked.get() + 1;
        if asked < Findings::ASK_EVERY {
            self.asked.set(asked);
            return false;
        }
        self.asked.set(0);
        let cancelled = self.cancel.is_cancelled();
        self.cancelled.set(cancelled);
        cancelled
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

    fn finding(at: usize) -> Diagnostic {
        Diagnostic::bare("r", at)
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

    #[test]
    fn a_rule_is_stopped_soon_after_the_time_is_up_and_the_clock_is_read_rarely() {
        use std::sync::Arc;
        use std::sync::atomic::{AtomicUsize, Ordering};
        let reads = Arc::new(AtomicUsize::new(0));
        let time_up_after = 3;
        let r = reads.clone();
        let cancel = Cancel::new(move || r.fetch_add(1, Ordering::Relaxed) + 1 >= time_up_after);
        let f = Findings::default().cancelled_by(cancel);
        let calls = (1..100_000).find(|_| f.stopped()).expect("stopped");
        assert_eq!(reads.load(Ordering::Relaxed), time_up_after);
        assert!(calls <= 3 * 256, "stopped after {calls} calls");
        assert!(f.stopped(), "and stays stopped");
        let (kept, refused) = f.into_parts();
        assert!(
            kept.is_empty() && !refused,
            "no finding says the rest are not listed"
        );
    }
}

//! Suppression comments in Markdown reports:
//! `<!-- gklint-disable RULE … -->` … `<!-- gklint-enable -->` and
//! `<!-- gklint-disable-next-line RULE … -->`. Without rule ids they cover
//! every rule.

use std::sync::LazyLock;

use regex::Regex;

use crate::diagnostic::Diagnostic;
use crate::source::LineIndex;

static COMMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<!--\s*gklint-(disable-next-line|disable|enable)((?:\s+[A-Za-z0-9_.\-]+)*)\s*-->")
        .expect("valid regex")
});

#[derive(Debug, Clone, PartialEq, Eq)]
struct Region {
    /// Byte range covered.
    range: std::ops::Range<usize>,
    /// Empty: every rule.
    rules: Vec<String>,
}

/// The suppressions a Markdown text declares.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    regions: Vec<Region>,
}

impl Suppressions {
    pub fn parse(text: &str, lines: &LineIndex) -> Suppressions {
        let mut regions = Vec::new();
        let mut open: Vec<(usize, Vec<String>)> = Vec::new();
        for c in COMMENT.captures_iter(text) {
            let whole = c.get(0).expect("match");
            let rules: Vec<String> = c[2].split_whitespace().map(str::to_owned).collect();
            match &c[1] {
                "disable" => open.push((whole.end(), rules)),
                "enable" => {
                    // `enable` closes every open region (or those of the named rules).
                    let (closing, keep): (Vec<_>, Vec<_>) = open.drain(..).partition(|(_, r)| {
                        rules.is_empty() || r.iter().any(|x| rules.contains(x))
                    });
                    open = keep;
                    for (start, r) in closing {
                        regions.push(Region {
                            range: start..whole.start(),
                            rules: r,
                        });
                    }
                }
                _ => {
                    let next = lines.line_of(whole.end()) + 1;
                    if next < lines.line_count() {
                        let range = lines.line_range(text, next);
                        regions.push(Region { range, rules });
                    }
                }
            }
        }
        for (start, r) in open {
            regions.push(Region {
                range: start..text.len(),
                rules: r,
            });
        }
        Suppressions { regions }
    }

    pub fn is_empty(&self) -> bool {
        self.regions.is_empty()
    }

    pub fn suppresses(&self, d: &Diagnostic) -> bool {
        self.regions.iter().any(|r| {
            r.range.start <= d.span.start
                && d.span.start <= r.range.end
                && (r.rules.is_empty() || r.rules.contains(&d.rule))
        })
    }
}

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm() {
    LazyLock::force(&COMMENT);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(rule: &str, at: usize) -> Diagnostic {
        Diagnostic::bare(rule, at)
    }

    #[test]
    fn regions_and_next_line() {
        let text = "甲\n<!-- gklint-disable term-substitution -->\n钩稽\n<!-- gklint-enable -->\n钩稽\n<!-- gklint-disable-next-line -->\n钩稽\n钩稽\n";
        let s = Suppressions::parse(text, &LineIndex::new(text));
        let at = |n: usize| text.match_indices("钩稽").nth(n).unwrap().0;
        assert!(s.suppresses(&diag("term-substitution", at(0))));
        assert!(!s.suppresses(&diag("other-rule", at(0))));
        assert!(!s.suppresses(&diag("term-substitution", at(1))));
        assert!(s.suppresses(&diag("anything", at(2))));
        assert!(!s.suppresses(&diag("anything", at(3))));
    }
}

//! Matching with regexes: what the `regex` crate does, minus a cost it has.

use regex::{Captures, Regex};

/// A regex whose captures are resolved on each match: `captures_iter`
/// gives what `Regex::captures_iter` gives, faster on a long text.
///
/// `Regex::captures_iter` resolves groups over everything from a match's
/// start to the end of the text when the regex ends in a literal (`…号`),
/// so a 10 KB report costs tens of microseconds a match. Here each match is
/// found first, and its groups are resolved on the text up to its end: the
/// same match, since only an assertion that looks past the end (`$`, `\b`,
/// `\B`, `\z`) could tell the two texts apart, and a regex with one (found
/// once, here) takes the plain path. It pays for regexes that end in a
/// literal (the 文号 and `…件` patterns); for others the second, short
/// search costs more than it saves, so they stay plain `Regex`es.
#[derive(Debug, Clone)]
pub struct CapturesOnMatch {
    re: Regex,
    plain: bool,
}

impl CapturesOnMatch {
    pub fn new(re: Regex) -> CapturesOnMatch {
        let plain = looks_past_its_end(re.as_str());
        CapturesOnMatch { re, plain }
    }

    pub fn captures_iter<'h>(&self, text: &'h str) -> impl Iterator<Item = Captures<'h>> {
        let re = &self.re;
        let mut plain = self.plain.then(|| re.captures_iter(text));
        let mut found = (!self.plain).then(|| re.find_iter(text));
        std::iter::from_fn(move || {
            if let Some(all) = &mut plain {
                return all.next();
            }
            let m = found.as_mut()?.next()?;
            re.captures_at(&text[..m.end()], m.start())
                .or_else(|| re.captures_at(text, m.start()))
        })
    }
}

impl std::ops::Deref for CapturesOnMatch {
    type Target = Regex;
    fn deref(&self) -> &Regex {
        &self.re
    }
}

/// The pattern has an assertion that may look at the text after a match.
fn looks_past_its_end(pattern: &str) -> bool {
    pattern.contains('$')
        || ["\\b", "\\B", "\\z", "\\>"]
            .iter()
            .any(|a| pattern.contains(a))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(caps: impl Iterator<Item = Captures<'static>>) -> Vec<Vec<Option<(usize, usize)>>> {
        caps.map(|c| c.iter().map(|g| g.map(|m| (m.start(), m.end()))).collect())
            .collect()
    }

    #[test]
    fn the_same_captures_as_the_regex_crate() {
        let text = "依据潍政发〔2020〕12号和市政府令第3号，令 第 12 号；\
                    结转下年度办理 7 件，3件结转下一年度。x1号 号号 2021年3月 ab";
        let patterns = [
            r"令[ \u{3000}]*第[ \u{3000}]*([0-9]+)[ \u{3000}]*号",
            r"([〔\[])([0-9]{2,4})([〕\]])(第)?([0-9]+)(号)?",
            r"(?P<n>\d+)\s*件(?:结转|转入)下一?年度|结转下一?年度(?:办理)?\s*(?P<n2>\d+)\s*件",
            r"(\d*)号",
            r"(?:(年)|(月))",
            r"x?",
            r"(\d+)年(\d+)月\b",
            r"(\w+)$",
            r"(?m)(\d)号$",
        ];
        for p in patterns {
            let re = Regex::new(p).unwrap();
            let on_match = CapturesOnMatch::new(re.clone());
            assert_eq!(
                groups(on_match.captures_iter(text)),
                groups(re.captures_iter(text)),
                "{p}"
            );
        }
    }

    #[test]
    fn assertions_past_the_end_take_the_plain_path() {
        assert!(looks_past_its_end(r"\d+\b"));
        assert!(looks_past_its_end(r"(?m)号$"));
        assert!(!looks_past_its_end(r"令第(\d+)号"));
    }
}

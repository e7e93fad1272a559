//! `pattern` (text that must or must not appear, optionally within one
//! section) and `substitution` (wrong term → right term, with a fix). Literals
//! compile into one Aho-Corasick automaton; regexes use the linear-time
//! `regex` engine with a size limit, so no pack can make a run hang.

use std::sync::Arc;

use aho_corasick::{AhoCorasick, MatchKind};
use regex::{Regex, RegexBuilder};

use super::scope::{Folded, section_range};
use super::{Check, Compile, Context, Findings, RuleMeta};
use crate::diagnostic::{Edit, Fix};
use crate::pack::PackError;

pub const PATTERN_PLACEHOLDERS: &[&str] = &["匹配", "章节"];
pub const SUBSTITUTION_PLACEHOLDERS: &[&str] = &["错误", "正确"];

/// Compiled regexes may not exceed this many bytes (a pack cannot blow up memory).
const REGEX_SIZE_LIMIT: usize = 1 << 20;

#[derive(Debug)]
enum Matcher {
    Regex(Regex),
    Literals(AhoCorasick),
}

impl Matcher {
    fn find_all(&self, text: &str) -> Vec<std::ops::Range<usize>> {
        match self {
            Matcher::Regex(r) => r
                .find_iter(text)
                .map(|m| m.range())
                .filter(|r| !r.is_empty())
                .collect(),
            Matcher::Literals(a) => a.find_iter(text).map(|m| m.range()).collect(),
        }
    }
}

#[derive(Debug)]
struct Pattern {
    matcher: Matcher,
    must: bool,
    section: Option<String>,
    /// Only the section's level-2 headings, when it has any.
    headings: bool,
    fold: bool,
}

pub fn compile_pattern(cx: &Compile) -> Result<Arc<dyn Check>, PackError> {
    let def = cx.def;
    let matcher = match (&def.pattern, &def.literals) {
        (Some(p), None) => Matcher::Regex(compile_regex(cx, p)?),
        (None, Some(l)) => {
            if l.value.is_empty() || l.value.iter().any(|s| s.is_empty()) {
                return Err(cx.err(l, "literals 不能为空，也不能含空字符串"));
            }
            let lits: Vec<String> = if def.fold_width {
                l.value.iter().map(|s| fold(s)).collect()
            } else {
                l.value.clone()
            };
            Matcher::Literals(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&lits)
                    .map_err(|e| cx.err(l, format!("literals 无法编译：{e}")))?,
            )
        }
        (Some(p), Some(_)) => return Err(cx.err(p, "pattern 与 literals 只能给出一个")),
        (None, None) => {
            return Err(cx.err(
                &def.kind,
                "pattern 规则必须给出 pattern（正则）或 literals（字面量列表）",
            ));
        }
    };
    let must = match def.mode.as_ref() {
        None => false,
        Some(m) if m.value == "must-not" => false,
        Some(m) if m.value == "must" => true,
        Some(m) => {
            return Err(cx.err(
                m,
                format!("mode 应为 must 或 must-not，而不是 `{}`", m.value),
            ));
        }
    };
    Ok(Arc::new(Pattern {
        matcher,
        must,
        section: def.scope.as_ref().map(|s| s.value.section.clone()),
        headings: def.scope.as_ref().is_some_and(|s| s.value.headings),
        fold: def.fold_width,
    }))
}

fn compile_regex(cx: &Compile, p: &serde_saphyr::Spanned<String>) -> Result<Regex, PackError> {
    let source = if cx.def.fold_width {
        fold(&p.value)
    } else {
        p.value.clone()
    };
    let re = RegexBuilder::new(&source)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| cx.err(p, format!("正则表达式无法编译：{e}")))?;
    if re.is_match("") {
        return Err(cx.err(p, "正则表达式能匹配空字符串，会处处命中；请收紧它"));
    }
    Ok(re)
}

fn fold(s: &str) -> String {
    Folded::new(s, 0).text
}

/// The text a rule looks at, and how to map its offsets back.
fn region<'a>(cx: &'a Context, section: Option<&str>) -> Option<(std::ops::Range<usize>, &'a str)> {
    let range = match section {
        Some(s) => section_range(cx.report, s)?,
        None => 0..cx.text().len(),
    };
    Some((range.clone(), &cx.text()[range]))
}

/// The level-2 headings inside `range`, or `range` itself when there are none.
fn heading_parts(cx: &Context, range: &std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
    let titles: Vec<std::ops::Range<usize>> = cx
        .report
        .sections
        .iter()
        .filter(|s| s.level == 2 && range.start <= s.span.start && s.span.end <= range.end)
        .map(|s| s.span.clone())
        .collect();
    if titles.is_empty() {
        vec![range.clone()]
    } else {
        titles
    }
}

impl Pattern {
    fn hits(&self, cx: &Context, range: &std::ops::Range<usize>) -> Vec<std::ops::Range<usize>> {
        let text = &cx.text()[range.clone()];
        match self
            .fold
            .then(|| (cx.folded(), cx.folded().slice(range.clone())))
        {
            Some((f, (at, hay))) => self
                .matcher
                .find_all(hay)
                .into_iter()
                .map(|r| f.original(at + r.start..at + r.end))
                .collect(),
            None => self
                .matcher
                .find_all(text)
                .into_iter()
                .map(|r| range.start + r.start..range.start + r.end)
                .collect(),
        }
    }
}

impl Check for Pattern {
    fn run(&self, cx: &Context, rule: &RuleMeta, out: &mut Findings) {
        let Some((range, _)) = region(cx, self.section.as_deref()) else {
            return;
        };
        let parts = if self.headings {
            heading_parts(cx, &range)
        } else {
            vec![range.clone()]
        };
        let hits: Vec<std::ops::Range<usize>> =
            parts.iter().flat_map(|p| self.hits(cx, p)).collect();
        let section = self.section.clone().unwrap_or_else(|| "全文".into());
        if self.must {
            if hits.is_empty() {
                let at = range.start..range.start;
                out.push(rule.diag(at, &[("章节", section), ("匹配", String::new())]));
            }
            return;
        }
        for h in hits {
            if out.stopped() {
                break;
            }
            let m = cx.text()[h.clone()].to_owned();
            out.push(rule.diag(h, &[("匹配", m), ("章节", section.clone())]));
        }
    }
}

#[derive(Debug)]
struct Substitution {
    automaton: AhoCorasick,
    right: Vec<String>,
    section: Option<String>,
    fold: bool,
}

pub fn compile_substitution(cx: &Compile) -> Result<Arc<dyn Check>, PackError> {
    let def = cx.def;
    let reps = cx.need(&def.replacements, "replacements")?;
    if reps.value.is_empty() {
        return Err(cx.err(reps, "replacements 不能为空"));
    }
    for r in &reps.value {
        if r.wrong.is_empty() || r.wrong == r.right {
            return Err(cx.err(
                reps,
                format!(
                    "替换项 `{}` → `{}` 无效：错误写法不能为空，也不能与正确写法相同",
                    r.wrong, r.right
                ),
            ));
        }
    }
    let wrong: Vec<String> = reps
        .value
        .iter()
        .map(|r| {
            if def.fold_width {
                fold(&r.wrong)
            } else {
                r.wrong.clone()
            }
        })
        .collect();
    let automaton = AhoCorasick::builder()
        .match_kind(MatchKind::LeftmostLongest)
        .build(&wrong)
        .map_err(|e| cx.err(reps, format!("replacements 无法编译：{e}")))?;
    Ok(Arc::new(Substitution {
        automaton,
        right: reps.value.iter().map(|r| r.right.clone()).collect(),
        section: def.scope.as_ref().map(|s| s.value.section.clone()),
        fold: def.fold_width,
    }))
}

impl Check for Substitution {
    fn run(&self, cx: &Context, rule: &RuleMeta, out: &mut Findings) {
        let Some((range, text)) = region(cx, self.section.as_deref()) else {
            return;
        };
        let folded = self
            .fold
            .then(|| (cx.folded(), cx.folded().slice(range.clone())));
        let hay = folded.as_ref().map_or(text, |(_, (_, h))| h);
        for m in self.automaton.find_iter(hay) {
            if out.stopped() {
                break;
            }
            let span = match &folded {
                Some((f, (at, _))) => f.original(at + m.start()..at + m.end()),
                None => range.start + m.start()..range.start + m.end(),
            };
            let k = m.pattern().as_usize();
            let written = cx.text()[span.clone()].to_owned();
            let fix = Fix {
                description: format!("将“{written}”改为“{}”", self.right[k]),
                edits: vec![Edit {
                    span: span.clone(),
                    replacement: self.right[k].clone(),
                }],
            };
            out.push(rule.diag_with(
                span,
                &[("错误", written), ("正确", self.right[k].clone())],
                Vec::new(),
                Some(fix),
            ));
        }
    }
}

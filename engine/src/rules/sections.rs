//! `sections`: the template's level-1 headings: present, numbered as the
//! template numbers them, in order, not repeated, worded canonically, and
//! followed by some text.

use std::sync::Arc;

use super::{Check, Compile, Context, Findings, RuleMeta};
use crate::diagnostic::{Edit, Fix};
use crate::model::Section;
use crate::pack::PackError;
use crate::structure::stream::key_of;

pub const PLACEHOLDERS: &[&str] = &["编号", "标题", "应为", "实为", "上一个"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Missing,
    Numbering,
    Variant,
    Order,
    Duplicate,
    Empty,
}

#[derive(Debug)]
struct Sections {
    what: What,
    template: String,
}

pub fn compile(cx: &Compile) -> Result<Arc<dyn Check>, PackError> {
    let what = cx.choose(
        &cx.def.check,
        "check",
        &[
            ("missing", What::Missing),
            ("numbering", What::Numbering),
            ("variant", What::Variant),
            ("order", What::Order),
            ("duplicate", What::Duplicate),
            ("empty", What::Empty),
        ],
    )?;
    let template = cx.need(&cx.def.template, "template")?;
    if cx.catalog.template(&template.value).is_none() {
        let known: Vec<&str> = cx.catalog.templates.iter().map(|t| t.id.as_str()).collect();
        return Err(cx.err(
            template,
            format!(
                "没有 id 为 `{}` 的模板；已知模板：{}",
                template.value,
                known.join("、")
            ),
        ));
    }
    Ok(Arc::new(Sections {
        what,
        template: template.value.clone(),
    }))
}

/// How close a written title must be to a template title to count as a
/// near-miss of it (normalised Levenshtein similarity over characters).
const NEAR_MISS: f64 = 0.8;

/// Which template heading a written level-1 heading is, and whether by a
/// variant: a listed one, or a near-miss (`收到和处理政府信息公开申请的情况`).
fn identify(template: &crate::schema::Template, s: &Section) -> Option<(usize, bool)> {
    let key = key_of(&s.title);
    let exact = template
        .headings
        .iter()
        .enumerate()
        .find_map(|(i, h)| h.keys.iter().position(|k| *k == key).map(|p| (i, p > 0)));
    exact.or_else(|| {
        template
            .headings
            .iter()
            .enumerate()
            .map(|(i, h)| (i, strsim::normalized_levenshtein(&key, &h.keys[0])))
            .filter(|&(_, sim)| sim >= NEAR_MISS)
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| (i, true))
    })
}

impl Check for Sections {
    fn run(&self, cx: &Context, rule: &RuleMeta, out: &mut Findings) {
        let Some(template) = cx.catalog.template(&self.template) else {
            return;
        };
        let level1: Vec<&Section> = cx.report.sections.iter().filter(|s| s.level == 1).collect();
        let ids: Vec<Option<(usize, bool)>> =
            level1.iter().map(|s| identify(template, s)).collect();
        match self.what {
            What::Missing => {
                for (i, h) in template.headings.iter().enumerate() {
                    if ids.iter().any(|id| id.is_some_and(|(k, _)| k == i)) {
                        continue;
                    }
                    // Point at where it belongs: the next template heading present, else the end.
                    let at = level1
                        .iter()
                        .zip(&ids)
                        .find(|(_, id)| id.is_some_and(|(k, _)| k > i))
                        .map_or(cx.text().len(), |(s, _)| s.span.start);
                    out.push(rule.diag(
                        at..at,
                        &[("编号", h.number.clone()), ("标题", h.title.clone())],
                    ));
                }
            }
            What::Numbering => {
                for (s, id) in level1.iter().zip(&ids) {
                    let Some((k, _)) = id else { continue };
                    let h = &template.headings[*k];
                    if key_of(&s.number) != key_of(&h.number) {
                        let span = s.span.start..s.span.start + s.number.len();
                        let fix = Fix {
                            description: format!("将编号“{}”改为“{}”", s.number, h.number),
                            edits: vec![Edit {
                                span: number_span(cx.text(), s),
                                replacement: h.number.clone(),
                            }],
                        };
                        let values = [
                            ("标题", h.title.clone()),
                            ("应为", h.number.clone()),
                            ("实为", s.number.clone()),
                        ];
                        out.push(rule.diag_with(span, &values, Vec::new(), Some(fix)));
                    }
                }
            }
            What::Variant => {
                for (s, id) in level1.iter().zip(&ids) {
                    let Some((k, true)) = id else { continue };
                    let h = &template.headings[*k];
                    let title_span = title_span(cx.text(), s);
                    let fix = Fix {
                        description: format!("将标题改为“{}”", h.title),
                        edits: vec![Edit {
                            span: title_span.clone(),
                            replacement: h.title.clone(),
                        }],
                    };
                    let values = [
                        ("编号", h.number.clone()),
                        ("应为", h.title.clone()),
                        ("实为", s.title.clone()),
                    ];
                    let mut d = rule.diag_with(title_span, &values, Vec::new(), Some(fix));
                    // Rewording a heading is the author's call: offered, not applied by --fix.
                    d.unsafe_fix = true;
                    out.push(d);
                }
            }
            What::Order => {
                let mut last: Option<(usize, &Section)> = None;
                for (s, id) in level1.iter().zip(&ids) {
                    let Some((k, _)) = id else { continue };
                    if let Some((pk, ps)) = last
                        && *k < pk
                    {
                        let values = [
                            ("标题", template.headings[*k].title.clone()),
                            ("上一个", format!("{}{}", ps.number, ps.title)),
                        ];
                        out.push(rule.diag(s.span.clone(), &values));
                    }
                    last = Some((*k, s));
                }
            }
            What::Duplicate => {
                for (n, (s, id)) in level1.iter().zip(&ids).enumerate() {
                    let Some((k, _)) = id else { continue };
                    if ids[..n].iter().any(|p| p.is_some_and(|(pk, _)| pk == *k)) {
                        out.push(rule.diag(
                            s.span.clone(),
                            &[
                                ("标题", template.headings[*k].title.clone()),
                                ("编号", s.number.clone()),
                            ],
                        ));
                    }
                }
            }
            What::Empty => {
                for s in &level1 {
                    let body = &cx.text()[s.body.clone()];
                    if body.trim().is_empty() {
                        out.push(rule.diag(
                            s.span.clone(),
                            &[("编号", s.number.clone()), ("标题", s.title.clone())],
                        ));
                    }
                }
            }
        }
    }
}

/// The span of a heading's numbering in the source (`2、`, spaces excluded).
fn number_span(text: &str, s: &Section) -> std::ops::Range<usize> {
    let head = &text[s.span.clone()];
    let end = head
        .find('、')
        .map_or(s.number.len(), |i| i + '、'.len_utf8());
    s.span.start..s.span.start + end
}

fn title_span(text: &str, s: &Section) -> std::ops::Range<usize> {
    let head = &text[s.span.clone()];
    match head.rfind(&s.title) {
        Some(i) => s.span.start + i..s.span.start + i + s.title.len(),
        None => s.span.clone(),
    }
}

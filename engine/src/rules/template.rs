//! `template`: the report follows the format its year calls for (a 2021
//! report filled in on the 2019 tables uses an outdated template). The
//! finding names the table that deviates and what shows it: the rows or
//! columns of the year's layout that table lacks (（六）其他处理 without its
//! three sub-rows), and which tables do follow the year's format.

use std::sync::Arc;

use super::{Check, Compile, Context, Findings, RuleMeta};
use crate::model::{Table, TemplateBasis};
use crate::pack::PackError;
use crate::schema::{TableSchema, caption};
use crate::structure::template_for_year;

pub const PLACEHOLDERS: &[&str] = &["年度", "应为", "实为", "表格", "依据"];

#[derive(Debug)]
struct YearFormat;

pub fn compile(cx: &Compile) -> Result<Arc<dyn Check>, PackError> {
    cx.choose(&cx.def.check, "check", &[("year-format", ())])?;
    Ok(Arc::new(YearFormat))
}

fn name(t: &str) -> String {
    match t {
        "pre-2019" => "2019 年以前的".into(),
        "2019" => "2019 年试行".into(),
        "2021" => "2021 年".into(),
        other => other.into(),
    }
}

fn quoted<'a>(labels: impl Iterator<Item = &'a str>) -> String {
    labels
        .map(|l| format!("“{l}”"))
        .collect::<Vec<_>>()
        .join("")
}

/// What shows that `table` (read on layout `actual`) is not on the year's
/// layout `expected`, and the byte offset that shows it best.
fn evidence(
    table: &Table,
    actual: &TableSchema,
    expected: &TableSchema,
    want: &str,
) -> (String, Option<usize>) {
    let has = |id: &str| actual.rows.iter().any(|r| r.id == id);
    let missing: Vec<&crate::schema::Row> = expected.rows.iter().filter(|r| !has(&r.id)).collect();
    if !missing.is_empty() {
        let labels = quoted(
            missing
                .iter()
                .take(4)
                .map(|r| r.display_label())
                .collect::<Vec<_>>()
                .iter()
                .map(String::as_str),
        );
        let more = if missing.len() > 4 { "等" } else { "" };
        let k = missing.len();
        // All missing rows under one row the table has: that row was not split.
        let parent = missing[0]
            .parent
            .filter(|p| missing.iter().all(|r| r.parent == Some(*p)));
        if let Some(p) = parent.map(|p| &expected.rows[p]).filter(|p| has(&p.id)) {
            let at = table.row(&p.id).map(|r| r.span.start);
            return (
                format!(
                    "“{}”只有一行，{want}格式要求其下分为{labels}{more}{k}行",
                    p.display_label()
                ),
                at,
            );
        }
        return (format!("缺少{want}格式的{labels}{more}{k}行"), None);
    }
    let extra: Vec<String> = actual
        .rows
        .iter()
        .filter(|r| !expected.rows.iter().any(|e| e.id == r.id))
        .filter(|r| table.row(&r.id).is_some())
        .map(|r| r.display_label())
        .collect();
    if let Some(first) = extra.first() {
        let at = actual
            .rows
            .iter()
            .find(|r| r.display_label() == *first)
            .and_then(|r| table.row(&r.id))
            .map(|r| r.span.start);
        return (
            format!(
                "有{want}格式没有的{}行",
                quoted(extra.iter().take(4).map(String::as_str))
            ),
            at,
        );
    }
    // The first row the table has whose columns differ from the year's.
    let labels = |s: &TableSchema, r: &crate::schema::Row| {
        quoted(r.columns.iter().map(|&c| s.columns[c].label.as_str()))
    };
    for row in &actual.rows {
        let (Some(read), Some(theirs)) = (
            table.row(&row.id),
            expected.rows.iter().find(|e| e.id == row.id),
        ) else {
            continue;
        };
        let (a, e) = (labels(actual, row), labels(expected, theirs));
        if !row.group && a != e {
            return (
                format!("“{}”一行的列为{a}，{want}格式为{e}", row.display_label()),
                Some(read.span.start),
            );
        }
    }
    (format!("行列与{want}格式不同"), None)
}

impl Check for YearFormat {
    fn run(&self, cx: &Context, rule: &RuleMeta, out: &mut Findings) {
        let r = cx.report;
        let (Some(year), Some(actual), Some(TemplateBasis::Tables)) =
            (&r.year, &r.template, r.template_basis)
        else {
            return;
        };
        let expected = template_for_year(year.value);
        if actual == expected {
            return;
        }
        let want = name(expected);
        // The tables on another format than the year's, and what shows it.
        let mut names = Vec::new();
        let mut reasons = Vec::new();
        let mut at = None;
        for t in &r.tables {
            let Some(layout_template) = t.template.as_deref() else {
                continue;
            };
            if layout_template == expected {
                continue;
            }
            let Some(layout) = cx.catalog.tables.iter().find(|l| l.schema_id == t.schema) else {
                continue;
            };
            let table_name = caption(&t.id);
            let reason = match cx
                .catalog
                .tables
                .iter()
                .find(|l| l.table_id == t.id && l.template.as_deref() == Some(expected))
            {
                Some(year_layout) => {
                    let (why, where_) = evidence(t, layout, year_layout, &want);
                    at = at.or(where_).or(Some(t.span.start));
                    why
                }
                None => {
                    at = at.or(Some(t.span.start));
                    format!("{want}格式没有这样的{table_name}")
                }
            };
            reasons.push((table_name.clone(), reason));
            names.push(table_name);
        }
        // With one table off the format the message has named it already.
        let mut because = match reasons.as_slice() {
            [(_, reason)] => reason.clone(),
            _ => reasons
                .iter()
                .map(|(t, reason)| format!("{t}{reason}"))
                .collect::<Vec<_>>()
                .join("；"),
        };
        let following: Vec<String> = r
            .tables
            .iter()
            .filter(|t| t.template.as_deref() == Some(expected))
            .map(|t| caption(&t.id))
            .collect();
        if because.is_empty() {
            because = format!("表格的版式与{want}格式不同");
        }
        if !following.is_empty() {
            because.push_str(&format!("（{}已按{want}格式填写）", following.join("、")));
        }
        let span = at.map_or(year.span.clone(), |a| a..a);
        let values = [
            ("年度", year.value.to_string()),
            ("应为", want.clone()),
            ("实为", name(actual)),
            (
                "表格",
                if names.is_empty() {
                    "表格".to_owned()
                } else {
                    names.join("、")
                },
            ),
            ("依据", because),
        ];
        out.push(rule.diag(span, &values));
    }
}

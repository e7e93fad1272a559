//! The JSON that crosses the plugin boundary (ABI version 1).
//!
//! **Rules** (`rules()`): an array of objects shaped like a YAML rule:
//! `{"id", "category", "severity", "message", "message_en"?, "help",
//! "docs"?, "examples": {"valid": [..], "invalid": [..]}?, "fixable"?}`.
//!
//! **Input** (`check`'s first argument): `{"abi": 1, "rules": [ids to run],
//! "report": {..}}`. The report is the model `gklint parse --format json`
//! prints, plus byte spans (`{"start", "end"}`) for the title, year, date,
//! sections, paragraphs (with their text), tables, rows and cells (with the
//! text as written), and group rows. The second argument is the decoded
//! source text (UTF-8); every byte offset refers to it.
//!
//! **Findings** (`check`'s result): an array of objects:
//! `{"rule"?, "message"?, "message_en"?, "help"?, "severity"?, "category"?,
//! "values"?: {name: text}, location, "related"?: [{location, "message"}],
//! "fix"?: {"description", "edits": [{"start", "end", "replacement"}], "safe"?},
//! "not_assessable"?}`. `rule` defaults to the rule being run; `message`
//! and `help` default to the rule's, and `{name}` placeholders in them are
//! filled from `values`. The location is either byte offsets `start` (and
//! `end`, default `start`) into the source text, on character boundaries,
//! or `line` (1-based) with optional `column` (1-based, in characters),
//! `end_line` and `end_column`; a line alone covers that line, a column
//! without an end runs to the end of its line. No location means the
//! start of the report. Out-of-range positions are refused, not clamped.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Category, Diagnostic, Edit, Fix, Related, Severity};
use crate::model::{OfficeKind, Reading, Report, Span, TemplateBasis};
use crate::rules::{RuleMeta, message};
use crate::source::{LineEnding, Position, SourceFile};

// ---------------------------------------------------------------- rules

#[derive(Debug, Deserialize)]
pub(crate) struct RuleWire {
    pub id: String,
    pub category: Category,
    pub severity: Severity,
    pub message: String,
    #[serde(default)]
    pub message_en: Option<String>,
    pub help: String,
    #[serde(default)]
    pub docs: Option<String>,
    #[serde(default)]
    pub examples: ExamplesWire,
    #[serde(default)]
    pub fixable: bool,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ExamplesWire {
    #[serde(default)]
    pub valid: Vec<String>,
    #[serde(default)]
    pub invalid: Vec<String>,
}

// ---------------------------------------------------------------- input

#[derive(Debug, Serialize)]
struct Input<'a> {
    abi: u32,
    rules: Vec<&'a str>,
    report: ReportWire<'a>,
}

#[derive(Debug, Clone, Copy, Serialize)]
struct SpanWire {
    start: usize,
    end: usize,
}

impl From<&Span> for SpanWire {
    fn from(s: &Span) -> Self {
        SpanWire {
            start: s.start,
            end: s.end,
        }
    }
}

#[derive(Debug, Serialize)]
struct ReportWire<'a> {
    path: &'a str,
    encoding: &'static str,
    line_ending: LineEnding,
    /// Number of lines in the source text.
    lines: usize,
    title: Option<&'a str>,
    title_span: Option<SpanWire>,
    office: Option<&'a str>,
    office_kind: Option<OfficeKind>,
    year: Option<i32>,
    year_span: Option<SpanWire>,
    template: Option<&'a str>,
    template_basis: Option<TemplateBasis>,
    published: Option<String>,
    published_span: Option<SpanWire>,
    sections: Vec<SectionWire<'a>>,
    paragraphs: Vec<ParagraphWire<'a>>,
    tables: Vec<TableWire<'a>>,
}

#[derive(Debug, Serialize)]
struct SectionWire<'a> {
    number: &'a str,
    title: &'a str,
    level: u8,
    line: u32,
    span: SpanWire,
    body: SpanWire,
}

#[derive(Debug, Serialize)]
struct ParagraphWire<'a> {
    text: &'a str,
    line: u32,
    span: SpanWire,
}

#[derive(Debug, Serialize)]
struct TableWire<'a> {
    id: &'a str,
    schema: &'a str,
    template: Option<&'a str>,
    line: u32,
    end_line: u32,
    span: SpanWire,
    columns: Vec<ColumnWire<'a>>,
    rows: Vec<RowWire<'a>>,
    missing: &'a [String],
    headerless: bool,
}

#[derive(Debug, Serialize)]
struct ColumnWire<'a> {
    id: &'a str,
    label: &'a str,
}

#[derive(Debug, Serialize)]
struct RowWire<'a> {
    id: &'a str,
    label: &'a str,
    written_label: Option<&'a str>,
    group: bool,
    line: u32,
    span: SpanWire,
    values: Vec<Option<serde_json::Number>>,
    cells: Vec<Option<CellWire<'a>>>,
    reading: &'static str,
    reason: Option<&'a str>,
}

#[derive(Debug, Serialize)]
struct CellWire<'a> {
    value: Option<serde_json::Number>,
    raw: &'a str,
    line: u32,
    span: SpanWire,
}

/// The `check` input for running `rules` over a report.
pub(crate) fn input(rules: &[&str], report: &Report, source: &SourceFile) -> Vec<u8> {
    let line = |offset: usize| source.position(offset).line;
    let wire = Input {
        abi: super::abi::ABI_VERSION,
        rules: rules.to_vec(),
        report: ReportWire {
            path: &source.name,
            encoding: source.encoding.name(),
            line_ending: source.line_ending,
            lines: source.lines.line_count(),
            title: report.title.as_ref().map(|t| t.value.as_str()),
            title_span: report.title.as_ref().map(|t| (&t.span).into()),
            office: report.office.as_deref(),
            office_kind: report.office_kind,
            year: report.year.as_ref().map(|y| y.value),
            year_span: report.year.as_ref().map(|y| (&y.span).into()),
            template: report.template.as_deref(),
            template_basis: report.template_basis,
            published: report.published.as_ref().map(|d| d.value.to_string()),
            published_span: report.published.as_ref().map(|d| (&d.span).into()),
            sections: report
                .sections
                .iter()
                .map(|s| SectionWire {
                    number: &s.number,
                    title: &s.title,
                    level: s.level,
                    line: line(s.span.start),
                    span: (&s.span).into(),
                    body: (&s.body).into(),
                })
                .collect(),
            paragraphs: report
                .paragraphs
                .iter()
                .map(|p| ParagraphWire {
                    text: &p.text,
                    line: line(p.span.start),
                    span: (&p.span).into(),
                })
                .collect(),
            tables: report
                .tables
                .iter()
                .map(|t| TableWire {
                    id: &t.id,
                    schema: &t.schema,
                    template: t.template.as_deref(),
                    line: line(t.span.start),
                    end_line: line(t.span.end.saturating_sub(1).max(t.span.start)),
                    span: (&t.span).into(),
                    columns: t
                        .columns
                        .iter()
                        .map(|c| ColumnWire {
                            id: &c.id,
                            label: &c.label,
                        })
                        .collect(),
                    rows: t
                        .rows
                        .iter()
                        .map(|r| {
                            let (reading, reason) = match &r.reading {
                                Reading::Cells => ("cells", None),
                                Reading::Split => ("split", None),
                                Reading::Unreadable { reason } => {
                                    ("unreadable", Some(reason.as_str()))
                                }
                                Reading::Empty => ("empty", None),
                            };
                            RowWire {
                                id: &r.id,
                                label: &r.label,
                                written_label: r.written_label.as_deref(),
                                group: r.group,
                                line: line(r.span.start),
                                span: (&r.span).into(),
                                values: r
                                    .values()
                                    .into_iter()
                                    .map(|v| v.and_then(number))
                                    .collect(),
                                cells: r
                                    .cells
                                    .iter()
                                    .map(|c| {
                                        c.as_ref().map(|c| CellWire {
                                            value: c.value.and_then(number),
                                            raw: &c.raw,
                                            line: line(c.span.start),
                                            span: (&c.span).into(),
                                        })
                                    })
                                    .collect(),
                                reading,
                                reason,
                            }
                        })
                        .collect(),
                    missing: &t.missing,
                    headerless: t.headerless,
                })
                .collect(),
        },
    };
    serde_json::to_vec(&wire).expect("the report model serialises")
}

/// A decimal as a JSON number (integers stay integers).
fn number(v: rust_decimal::Decimal) -> Option<serde_json::Number> {
    let v = v.normalize();
    if v.scale() == 0
        && let Ok(i) = v.to_string().parse::<i64>()
    {
        return Some(i.into());
    }
    serde_json::Number::from_f64(v.to_string().parse().ok()?)
}

// ---------------------------------------------------------------- findings

#[derive(Debug, Default, Deserialize)]
struct LocationWire {
    #[serde(default)]
    start: Option<usize>,
    #[serde(default)]
    end: Option<usize>,
    #[serde(default)]
    line: Option<u32>,
    #[serde(default)]
    column: Option<u32>,
    #[serde(default)]
    end_line: Option<u32>,
    #[serde(default)]
    end_column: Option<u32>,
}

#[derive(Debug, Deserialize)]
struct FindingWire {
    #[serde(default)]
    rule: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    message_en: Option<String>,
    #[serde(default)]
    help: Option<String>,
    #[serde(default)]
    severity: Option<Severity>,
    #[serde(default)]
    category: Option<Category>,
    #[serde(flatten)]
    at: LocationWire,
    #[serde(default)]
    values: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    related: Vec<RelatedWire>,
    #[serde(default)]
    fix: Option<FixWire>,
    #[serde(default)]
    not_assessable: bool,
}

#[derive(Debug, Deserialize)]
struct RelatedWire {
    #[serde(flatten)]
    at: LocationWire,
    #[serde(default)]
    message: String,
}

#[derive(Debug, Deserialize)]
struct FixWire {
    description: String,
    edits: Vec<EditWire>,
    #[serde(default)]
    safe: bool,
}

#[derive(Debug, Deserialize)]
struct EditWire {
    start: usize,
    end: usize,
    replacement: String,
}

/// What a plugin returned for one rule: the findings that hold up, and a
/// description of everything that did not (empty when all was well).
pub(crate) struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub problems: Vec<String>,
}

/// Turns a plugin's findings JSON into diagnostics of `rule`. Findings of the
/// plugin's other rules are dropped (they are asked for in their own call).
pub(crate) fn findings(
    bytes: &[u8],
    rule: &RuleMeta,
    own_rules: &[String],
    source: &SourceFile,
) -> Outcome {
    let mut out = Outcome {
        diagnostics: Vec::new(),
        problems: Vec::new(),
    };
    let list: Vec<FindingWire> = match serde_json::from_slice(bytes) {
        Ok(l) => l,
        Err(e) => {
            let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(80)]).into_owned();
            out.problems.push(format!(
                "返回的结果不是有效的问题列表 JSON（{e}；开头为 `{shown}`）"
            ));
            return out;
        }
    };
    for (i, f) in list.into_iter().enumerate() {
        let n = i + 1;
        if let Some(id) = &f.rule
            && id != &rule.id
        {
            if !own_rules.contains(id) {
                out.problems
                    .push(format!("第 {n} 条结果属于未声明的规则 `{id}`"));
            }
            continue;
        }
        match diagnostic(f, rule, source) {
            Ok(d) => out.diagnostics.push(d),
            Err(e) => out.problems.push(format!("第 {n} 条结果{e}")),
        }
    }
    out
}

fn diagnostic(f: FindingWire, rule: &RuleMeta, source: &SourceFile) -> Result<Diagnostic, String> {
    let place = span(&f.at, source)?;
    let values: Vec<(String, String)> = f
        .values
        .into_iter()
        .map(|(k, v)| {
            let v = match v {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            (k, v)
        })
        .collect();
    let pairs: Vec<(&str, String)> = values
        .iter()
        .map(|(k, v)| (k.as_str(), v.clone()))
        .collect();
    let render = |t: &str| message::render(t, &pairs);
    let mut related = Vec::new();
    for r in &f.related {
        related.push(Related {
            span: span(&r.at, source).map_err(|e| format!("的 related 中{e}"))?,
            message: render(&r.message),
        });
    }
    let mut unsafe_fix = false;
    let fix = match f.fix {
        None => None,
        Some(fx) => {
            let mut edits = Vec::new();
            for e in fx.edits {
                let at = LocationWire {
                    start: Some(e.start),
                    end: Some(e.end),
                    ..LocationWire::default()
                };
                edits.push(Edit {
                    span: span(&at, source).map_err(|m| format!("的修复中{m}"))?,
                    replacement: e.replacement,
                });
            }
            unsafe_fix = !(fx.safe && rule.fixable);
            Some(Fix {
                description: fx.description,
                edits,
            })
        }
    };
    Ok(Diagnostic {
        rule: rule.id.clone(),
        category: f.category.unwrap_or(rule.category),
        severity: f.severity.unwrap_or(rule.severity),
        message: render(f.message.as_deref().unwrap_or(&rule.message)),
        message_en: f
            .message_en
            .as_deref()
            .or(rule.message_en.as_deref())
            .map(render),
        help: render(f.help.as_deref().unwrap_or(&rule.help)),
        span: place,
        related,
        fix,
        values: values.into_iter().collect(),
        not_assessable: f.not_assessable,
        unsafe_fix,
    })
}

/// A location in the source text, checked against it.
fn span(at: &LocationWire, source: &SourceFile) -> Result<Span, String> {
    let text = &source.text;
    if at.start.is_some() || at.end.is_some() {
        let start = at.start.ok_or("给出了 end 却没有 start")?;
        let end = at.end.unwrap_or(start);
        if start > end {
            return Err(format!("的字节范围 {start}..{end} 起点在终点之后"));
        }
        if end > text.len() {
            return Err(format!(
                "的字节范围 {start}..{end} 超出原文（原文共 {} 字节）",
                text.len()
            ));
        }
        for o in [start, end] {
            if !text.is_char_boundary(o) {
                return Err(format!("的字节偏移 {o} 落在一个字符的中间"));
            }
        }
        return Ok(start..end);
    }
    let Some(line) = at.line else {
        if at.column.is_some() || at.end_line.is_some() || at.end_column.is_some() {
            return Err("给出了列号却没有行号".into());
        }
        return Ok(0..0);
    };
    let start = point(source, line, at.column)?;
    let end = match (at.end_line, at.end_column) {
        (None, None) => line_end(source, line),
        (l, c) => point(source, l.unwrap_or(line), c)?,
    };
    if end < start {
        return Err(format!("的结束位置在开始位置（第 {line} 行）之前"));
    }
    Ok(start..end)
}

/// The byte offset of a 1-based line and (1-based, character) column; no
/// column is the start of the line.
fn point(source: &SourceFile, line: u32, column: Option<u32>) -> Result<usize, String> {
    let count = source.lines.line_count();
    if line == 0 || line as usize > count {
        return Err(format!("的行号 {line} 超出原文（原文共 {count} 行）"));
    }
    let range = source.lines.line_range(&source.text, line as usize - 1);
    let Some(column) = column else {
        return Ok(range.start);
    };
    let chars = source.text[range].chars().count();
    if column == 0 || column as usize > chars + 1 {
        return Err(format!(
            "的列号 {column} 超出第 {line} 行（该行共 {chars} 个字符）"
        ));
    }
    Ok(source.lines.offset(&source.text, Position { line, column }))
}

fn line_end(source: &SourceFile, line: u32) -> usize {
    source.lines.line_range(&source.text, line as usize - 1).end
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::{Category, Severity};

    fn meta() -> RuleMeta {
        RuleMeta {
            id: "r".into(),
            pack: "p".into(),
            kind: "plugin".into(),
            category: Category::Table,
            severity: Severity::Warning,
            message: "金额 {金额} 不合理".into(),
            message_en: None,
            help: "核对单位".into(),
            docs: None,
            valid: vec![],
            invalid: vec![],
            fixable: false,
        }
    }

    fn run(json: &str) -> Outcome {
        let src = SourceFile::from_text("t.txt", "第一行\n政府集中采购\t1\t1647000\n");
        findings(
            json.as_bytes(),
            &meta(),
            &["r".into(), "other".into()],
            &src,
        )
    }

    #[test]
    fn byte_offsets_and_lines_become_spans() {
        let o = run(r#"[{"start": 10, "end": 28, "values": {"金额": 1647000}},
                {"line": 2, "column": 8},
                {"line": 1},
                {"rule": "other", "line": 1},
                {}]"#);
        assert!(o.problems.is_empty(), "{:?}", o.problems);
        assert_eq!(o.diagnostics.len(), 4);
        assert_eq!(o.diagnostics[0].span, 10..28);
        assert_eq!(o.diagnostics[0].message, "金额 1647000 不合理");
        assert_eq!(o.diagnostics[0].severity, Severity::Warning);
        // 政府集中采购 is 6 characters of 3 bytes; column 8 is after the tab.
        assert_eq!(o.diagnostics[1].span, 10 + 19..10 + 28);
        assert_eq!(o.diagnostics[2].span, 0..9);
        assert_eq!(o.diagnostics[3].span, 0..0);
    }

    #[test]
    fn out_of_range_and_malformed_results_are_problems() {
        let o = run(
            r#"[{"start": 5, "end": 500}, {"start": 1}, {"line": 9}, {"line": 2, "column": 40}, {"rule": "stranger"}, {"line": 1}]"#,
        );
        assert_eq!(o.diagnostics.len(), 1);
        assert_eq!(o.problems.len(), 5, "{:?}", o.problems);
        assert!(o.problems[0].contains("超出原文"));
        assert!(o.problems[1].contains("字符的中间"));
        assert!(o.problems[2].contains("行号 9"));
        assert!(o.problems[3].contains("列号 40"));
        assert!(o.problems[4].contains("stranger"));
        let o = run("{not json");
        assert!(o.diagnostics.is_empty());
        assert!(o.problems[0].contains("不是有效的问题列表 JSON"));
    }
}

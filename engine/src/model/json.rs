//! The JSON form of the report model printed by `gklint parse --format json`.
//! Field names are a contract other tools read: keep them.

use serde::Serialize;

use super::{OfficeKind, Reading, Report};
use crate::source::SourceFile;

#[derive(Debug, Serialize)]
pub struct ReportJson {
    pub path: String,
    pub encoding: String,
    pub line_ending: crate::source::LineEnding,
    pub title: Option<String>,
    pub office: Option<String>,
    pub office_kind: Option<OfficeKind>,
    pub year: Option<i32>,
    pub template: Option<String>,
    pub template_basis: Option<super::TemplateBasis>,
    pub published: Option<String>,
    pub sections: Vec<SectionJson>,
    pub paragraphs: usize,
    pub tables: Vec<TableJson>,
}

#[derive(Debug, Serialize)]
pub struct SectionJson {
    pub number: String,
    pub title: String,
    pub level: u8,
    pub line: u32,
}

#[derive(Debug, Serialize)]
pub struct TableJson {
    pub id: String,
    pub schema: String,
    pub line: u32,
    pub end_line: u32,
    pub columns: Vec<ColumnJson>,
    pub rows: Vec<RowJson>,
    pub missing: Vec<String>,
    pub headerless: bool,
}

#[derive(Debug, Serialize)]
pub struct ColumnJson {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Serialize)]
pub struct RowJson {
    pub id: String,
    pub label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub written_label: Option<String>,
    pub line: u32,
    /// One per table column: a number, or null (blank, unreadable, or not applicable).
    pub values: Vec<Option<serde_json::Number>>,
    /// `cells`, `split` (digits that ran together, split by the row's totals),
    /// `unreadable` or `empty`.
    pub reading: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

pub fn to_json(report: &Report, source: &SourceFile) -> ReportJson {
    let line = |offset: usize| source.position(offset).line;
    ReportJson {
        path: source.name.clone(),
        encoding: source.encoding.name().to_owned(),
        line_ending: source.line_ending,
        title: report.title.as_ref().map(|t| t.value.clone()),
        office: report.office.clone(),
        office_kind: report.office_kind,
        year: report.year.as_ref().map(|y| y.value),
        template: report.template.clone(),
        template_basis: report.template_basis,
        published: report.published.as_ref().map(|d| d.value.to_string()),
        sections: report
            .sections
            .iter()
            .map(|s| SectionJson {
                number: s.number.clone(),
                title: s.title.clone(),
                level: s.level,
                line: line(s.span.start),
            })
            .collect(),
        paragraphs: report.paragraphs.len(),
        tables: report
            .tables
            .iter()
            .map(|t| TableJson {
                id: t.id.clone(),
                schema: t.schema.clone(),
                line: line(t.span.start),
                end_line: line(t.span.end.saturating_sub(1).max(t.span.start)),
                columns: t
                    .columns
                    .iter()
                    .map(|c| ColumnJson {
                        id: c.id.clone(),
                        label: c.label.clone(),
                    })
                    .collect(),
                rows: t
                    .rows
                    .iter()
                    .filter(|r| !r.group)
                    .map(|r| {
                        let (reading, reason) = match &r.reading {
                            Reading::Cells => ("cells", None),
                            Reading::Split => ("split", None),
                            Reading::Unreadable { reason } => ("unreadable", Some(reason.clone())),
                            Reading::Empty => ("empty", None),
                        };
                        RowJson {
                            id: r.id.clone(),
                            label: r.label.clone(),
                            written_label: r.written_label.clone(),
                            line: line(r.span.start),
                            values: r.values().into_iter().map(|v| v.and_then(number)).collect(),
                            reading,
                            reason,
                        }
                    })
                    .collect(),
                missing: t.missing.clone(),
                headerless: t.headerless,
            })
            .collect(),
    }
}

/// A decimal as a JSON number, exactly as written (integers stay integers).
fn number(v: rust_decimal::Decimal) -> Option<serde_json::Number> {
    let v = v.normalize();
    if v.scale() == 0 {
        return v
            .to_string()
            .parse::<i64>()
            .ok()
            .map(serde_json::Number::from);
    }
    serde_json::Number::from_f64(v.to_string().parse().ok()?)
}

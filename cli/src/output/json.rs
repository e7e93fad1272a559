//! `--format json`: one array, an object per finding. The field names are a
//! contract other tools read; keep them.

use gklint_engine::cross::Elsewhere;
use serde::Serialize;

use super::FileResult;

#[derive(Serialize)]
pub struct FindingJson<'a> {
    pub path: &'a str,
    pub rule: &'a str,
    pub category: &'a str,
    pub severity: &'a str,
    pub message: &'a str,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub help: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<FixJson>,
    /// A cross-document finding's place in the other report (last year's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related_location: Option<RelatedLocationJson>,
    /// Where the finding stands in the original Word, HTML or PDF file
    /// (表三第5行第2列, 第12段, 第3页，表三“（一）予以公开”行).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<&'a str>,
}

#[derive(Serialize)]
pub struct RelatedLocationJson {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub message: String,
}

#[derive(Serialize)]
pub struct FixJson {
    pub description: String,
    pub edits: Vec<EditJson>,
}

#[derive(Serialize)]
pub struct EditJson {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub replacement: String,
}

pub fn findings(results: &[FileResult]) -> Vec<FindingJson<'_>> {
    let mut out = Vec::new();
    for r in results {
        for d in &r.diagnostics {
            let start = r.source.position(d.span.start);
            let end = r.source.position(d.span.end);
            out.push(FindingJson {
                path: &r.path,
                rule: &d.rule,
                category: d.category.as_str(),
                severity: d.severity.as_str(),
                message: &d.message,
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                help: &d.help,
                fix: d.fix.as_ref().map(|f| FixJson {
                    description: f.description.clone(),
                    edits: f
                        .edits
                        .iter()
                        .map(|e| {
                            let s = r.source.position(e.span.start);
                            let t = r.source.position(e.span.end);
                            EditJson {
                                line: s.line,
                                column: s.column,
                                end_line: t.line,
                                end_column: t.column,
                                replacement: e.replacement.clone(),
                            }
                        })
                        .collect(),
                }),
                related_location: Elsewhere::of(d).map(|e| RelatedLocationJson {
                    path: e.path,
                    line: e.line,
                    column: e.column,
                    end_line: e.end_line,
                    end_column: e.end_column,
                    message: e.message,
                }),
                location: d.location(),
            });
        }
    }
    out
}

/// `--format jsonl`: one finding per line.
pub fn render_lines(results: &[FileResult]) -> String {
    findings(results)
        .iter()
        .filter_map(|f| serde_json::to_string(f).ok())
        .map(|l| l + "\n")
        .collect()
}

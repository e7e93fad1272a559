//! `--format human`: each finding with the report text around it (miette),
//! then a summary. The header gives our own line and character column:
//! miette's would count bytes, which misleads on Chinese text.

use std::fmt::Write as _;

use gklint_engine::diagnostic::Severity;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic};

use super::excerpt::Excerpt;

use super::FileResult;
use crate::args::Lang;

/// The miette handler every finding is drawn with.
pub fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    GraphicalReportHandler::new_themed(theme)
        .with_width(110)
        .with_context_lines(1)
}

/// The findings of one file.
pub fn file(r: &FileResult, handler: &GraphicalReportHandler, lang: Lang) -> String {
    let mut out = String::new();
    {
        for d in &r.diagnostics {
            let pos = r.source.position(d.span.start);
            // Word, HTML and PDF files: where to look in the original too.
            let place = match d.location() {
                Some(l) => format!("（位置：{l}）"),
                None => r
                    .source
                    .location(d.span.start)
                    .map(|l| format!("（位置：{l}）"))
                    .unwrap_or_default(),
            };
            let _ = writeln!(
                out,
                "{}:{}:{}: {}[{}] {}{place}",
                r.path,
                pos.line,
                pos.column,
                if lang == Lang::En {
                    d.severity.as_str()
                } else {
                    d.severity.chinese()
                },
                d.rule,
                d.message
            );
            // A cross-document finding: the place in the other report.
            if let Some(o) = gklint_engine::cross::Elsewhere::of(d) {
                let _ = writeln!(
                    out,
                    "  {} {}:{}:{}: {}",
                    if lang == Lang::En { "see" } else { "对照" },
                    o.path,
                    o.line,
                    o.column,
                    o.message
                );
            }
            let span = d.span.start..d.span.end.max(d.span.start);
            let excerpt = Excerpt::around(&r.path, &r.source.text, span.clone());
            let mut labels = Vec::new();
            if let Some(at) = excerpt.span(&span) {
                labels.push(LabeledSpan::new_with_span(
                    Some(d.category.as_str().to_owned()),
                    at,
                ));
            }
            for rel in d.related.iter().take(4) {
                if let Some(at) = excerpt.span(&rel.span) {
                    labels.push(LabeledSpan::new_with_span(Some(rel.message.clone()), at));
                }
            }
            let severity = match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            };
            let diag = MietteDiagnostic::new(d.message.clone())
                .with_severity(severity)
                .with_labels(labels)
                .with_help(match &d.fix {
                    Some(f) => format!("{}（可自动修复：{}）", d.help, f.description),
                    None => d.help.clone(),
                });
            let report = miette::Report::new(diag).with_source_code(excerpt);
            let _ = handler.render_report(&mut out, report.as_ref());
            out.push('\n');
        }
    }
    out
}

/// The closing line: files checked, files that could not be, and counts.
pub fn summary(files: usize, failed: usize, counts: [usize; 3], lang: Lang) -> String {
    let (e, w, i) = (
        counts[Severity::Error as usize],
        counts[Severity::Warning as usize],
        counts[Severity::Info as usize],
    );
    match (lang, failed) {
        (Lang::Zh, 0) => format!("检查了 {files} 个文件：{e} 个错误，{w} 个警告，{i} 个提示。\n"),
        (Lang::Zh, f) => format!(
            "检查了 {files} 个文件，另有 {f} 个文件无法检查（见上方错误信息）：{e} 个错误，{w} 个警告，{i} 个提示。\n"
        ),
        (Lang::En, 0) => format!("Checked {files} files: {e} errors, {w} warnings, {i} notes.\n"),
        (Lang::En, f) => format!(
            "Checked {files} files, {f} could not be checked (see the errors above): {e} errors, {w} warnings, {i} notes.\n"
        ),
    }
}

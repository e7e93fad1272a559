//! `--format human`: each finding with the report text around it (miette),
//! then a summary. The header gives our own line and character column:
//! miette's would count bytes, which misleads on Chinese text.

use std::fmt::Write as _;

use gklint_engine::diagnostic::Severity;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource};

use super::FileResult;
use crate::args::Lang;

pub fn render(results: &[FileResult], color: bool, lang: Lang) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(110)
        .with_context_lines(1);
    let mut out = String::new();
    let mut counts = [0usize; 3];
    for r in results {
        for d in &r.diagnostics {
            counts[d.severity as usize] += 1;
            let pos = r.source.position(d.span.start);
            // Word, HTML and PDF files: where to look in the original too.
            let place = r
                .source
                .location(d.span.start)
                .map(|l| format!("（位置：{l}）"))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{}:{}:{}: {}[{}] {}{place}",
                r.path,
                pos.line,
                pos.column,
                d.severity.chinese(),
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
            let mut labels = vec![LabeledSpan::at(span, d.category.as_str())];
            for rel in d.related.iter().take(4) {
                labels.push(LabeledSpan::at(rel.span.clone(), rel.message.clone()));
            }
            let severity = match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Info => miette::Severity::Advice,
            };
            let mut diag = MietteDiagnostic::new(d.message.clone())
                .with_severity(severity)
                .with_labels(labels);
            diag = diag.with_help(match &d.fix {
                Some(f) => format!("{}（可自动修复：{}）", d.help, f.description),
                None => d.help.clone(),
            });
            let report = miette::Report::new(diag)
                .with_source_code(NamedSource::new(&r.path, r.source.text.clone()));
            let _ = handler.render_report(&mut out, report.as_ref());
            out.push('\n');
        }
    }
    let files = results.len();
    let (e, w, i) = (
        counts[Severity::Error as usize],
        counts[Severity::Warning as usize],
        counts[Severity::Info as usize],
    );
    let _ = match lang {
        Lang::Zh => writeln!(
            out,
            "检查了 {files} 个文件：{e} 个错误，{w} 个警告，{i} 个提示。"
        ),
        Lang::En => writeln!(
            out,
            "Checked {files} files: {e} errors, {w} warnings, {i} notes."
        ),
    };
    out
}

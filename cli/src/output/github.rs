//! `--format github`: GitHub Actions workflow commands, one per finding.

use std::fmt::Write as _;

use super::FileResult;
use gklint_engine::diagnostic::Severity;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(results: &[FileResult]) -> String {
    let mut out = String::new();
    for r in results {
        for d in &r.diagnostics {
            let kind = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let s = r.source.position(d.span.start);
            let e = r.source.position(d.span.end);
            let _ = writeln!(
                out,
                "::{kind} file={},line={},col={},endLine={},endColumn={},title={}::{}",
                escape_property(&r.path),
                s.line,
                s.column,
                e.line,
                e.column,
                escape_property(&d.rule),
                escape_data(&format!("{}（{}）", d.message, d.help))
            );
        }
    }
    out
}

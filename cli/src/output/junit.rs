//! `--format junit`: a test suite per file, a failing test case per finding
//! (a file without findings passes one test case).

use std::fmt::Write as _;

use super::FileResult;

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => o.push(c),
        }
    }
    o
}

pub const BEGIN: &str =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"gklint\">\n";
pub const END: &str = "</testsuites>\n";

/// One file's test suite.
pub fn file(r: &FileResult) -> String {
    let mut out = String::new();
    {
        let n = r.diagnostics.len();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{n}\">",
            esc(&r.path),
            n.max(1)
        );
        if n == 0 {
            let _ = writeln!(
                out,
                "    <testcase classname=\"{}\" name=\"gklint\"/>",
                esc(&r.path)
            );
        }
        for d in &r.diagnostics {
            let p = r.source.position(d.span.start);
            let _ = writeln!(
                out,
                "    <testcase classname=\"{}\" name=\"{} 第{}行\">\n      <failure type=\"{}\" message=\"{}\">{}:{}:{}: {}\n{}</failure>\n    </testcase>",
                esc(&r.path),
                esc(&d.rule),
                p.line,
                d.severity.as_str(),
                esc(&d.message),
                esc(&r.path),
                p.line,
                p.column,
                esc(&d.message),
                esc(&d.help)
            );
        }
        out.push_str("  </testsuite>\n");
    }
    out
}

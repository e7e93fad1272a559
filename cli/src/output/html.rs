//! `--format html`: one self-contained page for a reviewer who would rather
//! look than read. No network and no other files: the CSS, the script and the
//! charts (SVG) are inline.
//!
//! - A summary: the counts of the run, a table of the reports (each with a
//!   bar of its findings) and a chart of the findings per category.
//! - Each report: its findings (message, suggested fix, the other report of a
//!   cross-document finding) and its text with every fault highlighted in
//!   place; the cells of a failed identity (`Diagnostic.related`) are boxed.
//!
//! The counts are also in data attributes (`data-findings`, `data-errors`,
//! `data-warnings`, `data-infos` on `<body>` and on each report, `data-count`
//! on each category, one `li.finding` per finding with `data-path`,
//! `data-rule`, `data-severity`, `data-category`, `data-line`), so tools and
//! tests can compare the page with the JSON output. The inline script adds
//! what the browser built (`data-rendered-findings`, `data-rendered-reports`,
//! `data-rendered-marks` on `<body>`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use gklint_engine::cross::Elsewhere;
use gklint_engine::diagnostic::{Category, Diagnostic, Severity};

use super::FileResult;

const CATEGORIES: [(Category, &str); 9] = [
    (Category::Table, "表格"),
    (Category::Consistency, "一致性"),
    (Category::Section, "章节"),
    (Category::Template, "模板"),
    (Category::DocNumber, "发文字号"),
    (Category::Date, "日期"),
    (Category::Contact, "联系方式"),
    (Category::Style, "文字规范"),
    (Category::Parse, "识别"),
];

const SEVERITIES: [Severity; 3] = [Severity::Error, Severity::Warning, Severity::Info];

fn color(s: Severity) -> &'static str {
    match s {
        Severity::Error => "#c62828",
        Severity::Warning => "#e08a00",
        Severity::Info => "#1e6fb8",
    }
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Errors, warnings and infos.
#[derive(Default, Clone, Copy)]
struct Counts([usize; 3]);

impl Counts {
    fn add(&mut self, s: Severity) {
        self.0[index(s)] += 1;
    }
    fn get(&self, s: Severity) -> usize {
        self.0[index(s)]
    }
    fn total(&self) -> usize {
        self.0.iter().sum()
    }
    fn attrs(&self) -> String {
        format!(
            r#"data-findings="{}" data-errors="{}" data-warnings="{}" data-infos="{}""#,
            self.total(),
            self.get(Severity::Error),
            self.get(Severity::Warning),
            self.get(Severity::Info)
        )
    }
}

fn index(s: Severity) -> usize {
    match s {
        Severity::Error => 0,
        Severity::Warning => 1,
        Severity::Info => 2,
    }
}

fn counts(ds: &[Diagnostic]) -> Counts {
    let mut c = Counts::default();
    for d in ds {
        c.add(d.severity);
    }
    c
}

pub fn render(results: &[FileResult]) -> String {
    let mut total = Counts::default();
    let mut by_category: BTreeMap<Category, Counts> = BTreeMap::new();
    for d in results.iter().flat_map(|r| &r.diagnostics) {
        total.add(d.severity);
        by_category.entry(d.category).or_default().add(d.severity);
    }
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="gklint {version}">
<title>gklint 检查报告</title>
<style>{CSS}</style>
</head>
<body data-files="{files}" {attrs}>
<header>
<h1>政府信息公开工作年度报告检查结果</h1>
<p class="totals">检查了 <b>{files}</b> 份报告：<span class="n-error">{e} 个错误</span>，<span class="n-warning">{w} 个警告</span>，<span class="n-info">{i} 个提示</span>。</p>
<p class="filters">显示：<label><input type="checkbox" data-filter="error" checked> 错误</label> <label><input type="checkbox" data-filter="warning" checked> 警告</label> <label><input type="checkbox" data-filter="info" checked> 提示</label></p>
</header>
<main>
"#,
        version = env!("CARGO_PKG_VERSION"),
        files = results.len(),
        attrs = total.attrs(),
        e = total.get(Severity::Error),
        w = total.get(Severity::Warning),
        i = total.get(Severity::Info),
    );
    summary(&mut out, results, &by_category);
    let anchors: BTreeMap<&str, String> = results
        .iter()
        .enumerate()
        .map(|(i, r)| (r.path.as_str(), format!("r{}", i + 1)))
        .collect();
    for (i, r) in results.iter().enumerate() {
        report(&mut out, r, i + 1, &anchors);
    }
    let _ = write!(
        out,
        "</main>\n<footer>由 gklint {} 生成。本页不引用任何外部文件。</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    out
}

fn summary(out: &mut String, results: &[FileResult], by_category: &BTreeMap<Category, Counts>) {
    out.push_str("<section id=\"summary\">\n<h2>各报告</h2>\n<table class=\"summary\">\n<thead><tr><th>报告</th><th>错误</th><th>警告</th><th>提示</th><th>合计</th><th>分布</th></tr></thead>\n<tbody>\n");
    let max = results
        .iter()
        .map(|r| r.diagnostics.len())
        .max()
        .unwrap_or(0)
        .max(1);
    for (i, r) in results.iter().enumerate() {
        let c = counts(&r.diagnostics);
        let _ = writeln!(
            out,
            r##"<tr class="report-row" data-path="{p}" {attrs}><td><a href="#r{n}">{p}</a></td><td class="num">{e}</td><td class="num">{w}</td><td class="num">{i}</td><td class="num"><b>{t}</b></td><td>{bar}</td></tr>"##,
            p = esc(&r.path),
            attrs = c.attrs(),
            n = i + 1,
            e = c.get(Severity::Error),
            w = c.get(Severity::Warning),
            i = c.get(Severity::Info),
            t = c.total(),
            bar = bar(&c, max, 200.0, 14.0),
        );
    }
    out.push_str("</tbody>\n</table>\n<h2>各类别</h2>\n");
    category_chart(out, by_category);
    out.push_str("<table class=\"categories\">\n<thead><tr><th>类别</th><th>错误</th><th>警告</th><th>提示</th><th>合计</th></tr></thead>\n<tbody>\n");
    for (cat, name) in CATEGORIES {
        let c = by_category.get(&cat).copied().unwrap_or_default();
        let _ = writeln!(
            out,
            r#"<tr data-category="{id}" data-count="{t}"><td>{name}（{id}）</td><td class="num">{e}</td><td class="num">{w}</td><td class="num">{i}</td><td class="num"><b>{t}</b></td></tr>"#,
            id = cat.as_str(),
            e = c.get(Severity::Error),
            w = c.get(Severity::Warning),
            i = c.get(Severity::Info),
            t = c.total(),
        );
    }
    out.push_str("</tbody>\n</table>\n</section>\n");
}

/// A stacked bar (errors, warnings, infos) as inline SVG, `max` findings wide.
fn bar(c: &Counts, max: usize, width: f64, height: f64) -> String {
    let mut s = format!(
        r#"<svg class="bar" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="错误 {} 警告 {} 提示 {}">"#,
        c.get(Severity::Error),
        c.get(Severity::Warning),
        c.get(Severity::Info)
    );
    let _ = write!(
        s,
        r##"<rect x="0" y="0" width="{width}" height="{height}" fill="#eef0f3"/>"##
    );
    let mut x = 0.0;
    for sev in SEVERITIES {
        let w = width * c.get(sev) as f64 / max as f64;
        if w > 0.0 {
            let _ = write!(
                s,
                r#"<rect x="{x:.1}" y="0" width="{w:.1}" height="{height}" fill="{}"/>"#,
                color(sev)
            );
        }
        x += w;
    }
    s.push_str("</svg>");
    s
}

fn category_chart(out: &mut String, by_category: &BTreeMap<Category, Counts>) {
    let max = by_category
        .values()
        .map(Counts::total)
        .max()
        .unwrap_or(0)
        .max(1);
    let (label_w, bar_w, row_h) = (110.0, 420.0, 26.0);
    let height = row_h * CATEGORIES.len() as f64 + 34.0;
    let width = label_w + bar_w + 60.0;
    let _ = write!(
        out,
        r#"<svg id="category-chart" class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img" aria-label="各类别问题数">"#
    );
    for (row, (cat, name)) in CATEGORIES.iter().enumerate() {
        let c = by_category.get(cat).copied().unwrap_or_default();
        let y = row as f64 * row_h + 4.0;
        let _ = write!(
            out,
            r##"<g data-category="{id}"><text x="{tx}" y="{ty:.1}" text-anchor="end" class="label">{name}</text><rect x="{label_w}" y="{y:.1}" width="{bar_w}" height="18" fill="#eef0f3"/>"##,
            id = cat.as_str(),
            tx = label_w - 8.0,
            ty = y + 14.0,
        );
        let mut x = label_w;
        for sev in SEVERITIES {
            let w = bar_w * c.get(sev) as f64 / max as f64;
            if w > 0.0 {
                let _ = write!(
                    out,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="18" fill="{}"><title>{} {}</title></rect>"#,
                    color(sev),
                    sev.chinese(),
                    c.get(sev)
                );
            }
            x += w;
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" class="count">{}</text></g>"#,
            x + 6.0,
            y + 14.0,
            c.total()
        );
    }
    // Legend.
    let ly = row_h * CATEGORIES.len() as f64 + 16.0;
    let mut lx = label_w;
    for sev in SEVERITIES {
        let _ = write!(
            out,
            r#"<rect x="{lx}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{}" y="{ly:.1}" class="label">{}</text>"#,
            ly - 10.0,
            color(sev),
            lx + 16.0,
            sev.chinese()
        );
        lx += 70.0;
    }
    out.push_str("</svg>\n");
}

/// Byte offsets of the line starts of `text` (LF, CRLF and CR), and the end
/// of each line's content.
fn lines(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push((start, i));
                start = i + 1;
            }
            b'\r' => {
                out.push((start, i));
                if b.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push((start, b.len()));
    out
}

fn floor(text: &str, mut i: usize) -> usize {
    i = i.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn report(out: &mut String, r: &FileResult, n: usize, anchors: &BTreeMap<&str, String>) {
    let c = counts(&r.diagnostics);
    let _ = writeln!(
        out,
        r#"<section class="report" id="r{n}" data-path="{p}" {attrs}>
<h2>{p}</h2>
<p class="report-totals">{e} 个错误，{w} 个警告，{i} 个提示</p>"#,
        p = esc(&r.path),
        attrs = c.attrs(),
        e = c.get(Severity::Error),
        w = c.get(Severity::Warning),
        i = c.get(Severity::Info),
    );
    if r.diagnostics.is_empty() {
        out.push_str("<p class=\"clean\">未发现问题。</p>\n");
    } else {
        out.push_str("<ol class=\"findings\">\n");
        for (k, d) in r.diagnostics.iter().enumerate() {
            finding(out, r, n, k + 1, d, anchors);
        }
        out.push_str("</ol>\n");
    }
    source(out, r, n);
    out.push_str("</section>\n");
}

fn finding(
    out: &mut String,
    r: &FileResult,
    n: usize,
    k: usize,
    d: &Diagnostic,
    anchors: &BTreeMap<&str, String>,
) {
    let pos = r.source.position(d.span.start);
    let sev = d.severity.as_str();
    let _ = write!(
        out,
        r##"<li class="finding sev-{sev}" id="r{n}-f{k}" data-path="{p}" data-rule="{rule}" data-severity="{sev}" data-category="{cat}" data-line="{line}" data-column="{col}"><a class="where" href="#r{n}-m{k}">第 {line} 行第 {col} 列</a> <span class="sev">{sevzh}</span> <code>{rule}</code>{na} <span class="message">{msg}</span>"##,
        p = esc(&r.path),
        rule = esc(&d.rule),
        cat = d.category.as_str(),
        line = pos.line,
        col = pos.column,
        sevzh = d.severity.chinese(),
        na = if d.not_assessable {
            " <span class=\"na\">无法核对</span>"
        } else {
            ""
        },
        msg = esc(&d.message),
    );
    if !d.help.is_empty() {
        let _ = write!(out, r#"<div class="help">建议：{}</div>"#, esc(&d.help));
    }
    if let Some(f) = &d.fix {
        let edits: Vec<String> = f
            .edits
            .iter()
            .map(|e| {
                let a = floor(&r.source.text, e.span.start);
                let b = floor(&r.source.text, e.span.end).max(a);
                format!(
                    "<del>{}</del> → <ins>{}</ins>",
                    esc(&r.source.text[a..b]),
                    esc(&e.replacement)
                )
            })
            .collect();
        let _ = write!(
            out,
            r#"<div class="fix">{}：{}（{}）</div>"#,
            if d.unsafe_fix {
                "建议修改（请确认）"
            } else {
                "可自动修复（--fix）"
            },
            esc(&f.description),
            edits.join("；")
        );
    }
    if let Some(e) = Elsewhere::of(d) {
        let link = match anchors.get(e.path.as_str()) {
            Some(a) => format!(r##"<a href="#{a}">{}</a>"##, esc(&e.path)),
            None => esc(&e.path),
        };
        let _ = write!(
            out,
            r#"<div class="elsewhere" data-related-path="{}" data-related-line="{}">对照：{link} 第 {} 行第 {} 列：{}</div>"#,
            esc(&e.path),
            e.line,
            e.line,
            e.column,
            esc(&e.message)
        );
    }
    if !d.related.is_empty() {
        out.push_str("<ul class=\"related\">");
        for rel in d.related.iter().take(12) {
            let p = r.source.position(rel.span.start);
            let _ = write!(
                out,
                "<li>第 {} 行第 {} 列：{}</li>",
                p.line,
                p.column,
                esc(&rel.message)
            );
        }
        if d.related.len() > 12 {
            let _ = write!(out, "<li>…共 {} 处</li>", d.related.len());
        }
        out.push_str("</ul>");
    }
    out.push_str("</li>\n");
}

/// The report's text, line by line, with the findings' spans highlighted and
/// the related cells boxed.
fn source(out: &mut String, r: &FileResult, n: usize) {
    let text = &r.source.text;
    // (start, end, finding number, primary?)
    let mut marks: Vec<(usize, usize, usize, bool)> = Vec::new();
    for (k, d) in r.diagnostics.iter().enumerate() {
        let a = floor(text, d.span.start);
        let b = floor(text, d.span.end).max(a);
        marks.push((a, b, k + 1, true));
        for rel in &d.related {
            let a = floor(text, rel.span.start);
            let b = floor(text, rel.span.end).max(a);
            if b > a {
                marks.push((a, b, k + 1, false));
            }
        }
    }
    let mut cuts: BTreeSet<usize> = BTreeSet::new();
    for &(a, b, _, _) in &marks {
        cuts.insert(a);
        cuts.insert(b);
    }
    let mut anchored: BTreeSet<usize> = BTreeSet::new();
    out.push_str("<div class=\"source\">\n");
    for (ln, (ls, le)) in lines(text).into_iter().enumerate() {
        let _ = write!(
            out,
            r#"<div class="line"><span class="ln">{}</span><span class="tx">"#,
            ln + 1
        );
        // Pins: zero-width findings at a place on this line.
        let pins = |at: usize, out: &mut String, anchored: &mut BTreeSet<usize>| {
            for &(a, b, k, primary) in &marks {
                if primary && a == b && a == at {
                    let d = &r.diagnostics[k - 1];
                    let id = if anchored.insert(k) {
                        format!(r#" id="r{n}-m{k}""#)
                    } else {
                        String::new()
                    };
                    let _ = write!(
                        out,
                        r#"<mark class="pin sev-{}"{id} data-f="{k}" title="{}"></mark>"#,
                        d.severity.as_str(),
                        esc(&d.message)
                    );
                }
            }
        };
        let mut points: Vec<usize> = cuts.range(ls..le).copied().collect();
        if points.first() != Some(&ls) {
            points.insert(0, ls);
        }
        points.push(le);
        points.dedup();
        for (j, &a) in points.iter().enumerate() {
            pins(a, out, &mut anchored);
            let Some(&b) = points.get(j + 1) else {
                break;
            };
            let seg = esc(&text[a..b]);
            let covering: Vec<&(usize, usize, usize, bool)> = marks
                .iter()
                .filter(|m| m.0 <= a && b <= m.1 && m.1 > m.0)
                .collect();
            if covering.is_empty() {
                out.push_str(&seg);
                continue;
            }
            let primary: Vec<usize> = covering.iter().filter(|m| m.3).map(|m| m.2).collect();
            let related: Vec<usize> = covering.iter().filter(|m| !m.3).map(|m| m.2).collect();
            let mut ids: Vec<usize> = covering.iter().map(|m| m.2).collect();
            ids.sort_unstable();
            ids.dedup();
            let worst = primary
                .iter()
                .chain(&related)
                .map(|&k| r.diagnostics[k - 1].severity)
                .max()
                .unwrap_or(Severity::Info);
            let mut class = vec![format!("sev-{}", worst.as_str())];
            if !primary.is_empty() {
                class.push("hit".into());
            }
            if !related.is_empty() {
                class.push("cell".into());
            }
            let anchor = primary
                .iter()
                .chain(&related)
                .find(|&&k| anchored.insert(k))
                .map(|k| format!(r#" id="r{n}-m{k}""#))
                .unwrap_or_default();
            let title: Vec<String> = ids
                .iter()
                .map(|&k| r.diagnostics[k - 1].message.clone())
                .collect();
            let _ = write!(
                out,
                r#"<mark class="{}"{anchor} data-f="{}" title="{}">{seg}</mark>"#,
                class.join(" "),
                ids.iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join(" "),
                esc(&title.join("\n"))
            );
        }
        out.push_str("</span></div>\n");
    }
    out.push_str("</div>\n");
}

const CSS: &str = r#"
:root { --error: #c62828; --warning: #e08a00; --info: #1e6fb8; --muted: #5f6b7a; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.6 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", sans-serif; color: #1d2430; background: #f6f7f9; }
header { background: #23324a; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 6px; font-size: 22px; }
header p { margin: 4px 0; }
.n-error { color: #ff9a9a; } .n-warning { color: #ffd27a; } .n-info { color: #9cc9ff; }
main { padding: 12px 28px 40px; max-width: 1280px; }
section { background: #fff; border: 1px solid #dde1e7; border-radius: 6px; padding: 12px 20px; margin: 16px 0; }
h2 { font-size: 18px; margin: 8px 0 10px; word-break: break-all; }
table { border-collapse: collapse; margin: 6px 0 14px; }
th, td { border-bottom: 1px solid #e6e9ee; padding: 4px 10px; text-align: left; vertical-align: middle; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
svg.chart text.label { font-size: 13px; fill: #1d2430; } svg.chart text.count { font-size: 12px; fill: var(--muted); }
ol.findings { padding-left: 28px; }
li.finding { margin: 8px 0; padding: 6px 10px; border-left: 4px solid var(--info); background: #fafbfc; }
li.finding.sev-error { border-left-color: var(--error); } li.finding.sev-warning { border-left-color: var(--warning); }
li.finding.active { background: #fff7d6; }
.sev { font-weight: bold; } .sev-error .sev { color: var(--error); } .sev-warning .sev { color: var(--warning); } .sev-info .sev { color: var(--info); }
.where { color: var(--muted); font-size: 13px; }
.na { font-size: 12px; border: 1px solid var(--muted); border-radius: 3px; padding: 0 4px; color: var(--muted); }
.help { color: #334; font-size: 14px; margin-top: 2px; }
.fix { font-size: 14px; margin-top: 2px; color: #1b5e20; }
.fix del { background: #fde2e2; } .fix ins { background: #dff5df; text-decoration: none; }
.elsewhere { font-size: 14px; margin-top: 2px; color: #4a3b8f; }
ul.related { margin: 4px 0 0; padding-left: 20px; font-size: 13px; color: var(--muted); }
.source { font-family: "Noto Sans Mono CJK SC", "Noto Sans CJK SC", monospace; font-size: 14px; border: 1px solid #e6e9ee; border-radius: 4px; background: #fcfcfd; }
.line { display: flex; } .ln { flex: none; width: 3.5em; padding-right: 8px; text-align: right; color: #a0a8b4; user-select: none; border-right: 1px solid #eceef2; }
.tx { white-space: pre-wrap; word-break: break-all; padding-left: 8px; flex: 1; }
mark { background: none; color: inherit; cursor: pointer; }
mark.hit { border-bottom: 3px solid var(--info); background: #e6f0fb; }
mark.hit.sev-error { border-bottom-color: var(--error); background: #fde4e4; }
mark.hit.sev-warning { border-bottom-color: var(--warning); background: #fff0d2; }
mark.cell { outline: 2px solid var(--error); outline-offset: 1px; border-radius: 2px; }
mark.cell.sev-warning { outline-color: var(--warning); } mark.cell.sev-info { outline-color: var(--info); }
mark.pin::before { content: "⚑"; color: var(--info); font-size: 12px; }
mark.pin.sev-error::before { color: var(--error); } mark.pin.sev-warning::before { color: var(--warning); }
mark.flash { box-shadow: 0 0 0 3px #ffd54f; }
body.hide-error li.sev-error, body.hide-warning li.sev-warning, body.hide-info li.sev-info { display: none; }
footer { color: var(--muted); font-size: 12px; padding: 0 28px 24px; }
"#;

const SCRIPT: &str = r#"
(function () {
  // What the browser built, for checks against the JSON output.
  var b = document.body;
  b.dataset.renderedFindings = document.querySelectorAll('li.finding').length;
  b.dataset.renderedReports = document.querySelectorAll('section.report').length;
  b.dataset.renderedMarks = document.querySelectorAll('.source mark').length;
  document.querySelectorAll('input[data-filter]').forEach(function (box) {
    box.addEventListener('change', function () {
      document.body.classList.toggle('hide-' + box.dataset.filter, !box.checked);
    });
  });
  document.querySelectorAll('.source mark').forEach(function (m) {
    m.addEventListener('click', function () {
      var section = m.closest('section.report');
      var first = (m.dataset.f || '').split(' ')[0];
      var li = section && section.querySelector('#' + section.id + '-f' + first);
      if (li) {
        document.querySelectorAll('li.finding.active').forEach(function (x) { x.classList.remove('active'); });
        li.classList.add('active');
        li.scrollIntoView({ block: 'center' });
      }
    });
  });
  document.querySelectorAll('a.where').forEach(function (a) {
    a.addEventListener('click', function () {
      var m = document.querySelector(a.getAttribute('href'));
      if (m) { m.classList.add('flash'); setTimeout(function () { m.classList.remove('flash'); }, 1500); }
    });
  });
})();
"#;

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use gklint_engine::diagnostic::{Category, Diagnostic, Related, Severity};
    use gklint_engine::source::SourceFile;

    use super::*;

    fn diag(span: std::ops::Range<usize>, severity: Severity, related: Vec<Related>) -> Diagnostic {
        Diagnostic {
            rule: "r".into(),
            category: Category::Table,
            severity,
            message: "<消息>".into(),
            message_en: None,
            help: "改正".into(),
            span,
            related,
            fix: None,
            values: BTreeMap::new(),
            not_assessable: false,
            unsafe_fix: false,
        }
    }

    #[test]
    fn overlapping_spans_crlf_and_pins() {
        let text = "第一行<b>\r\n合计 12 3\r\n";
        let a = text.find("合计").unwrap();
        let twelve = text.find("12").unwrap();
        let r = FileResult {
            path: "a&b.txt".into(),
            source: SourceFile::from_text("a&b.txt", text),
            diagnostics: vec![
                // Across the line break, overlapping the next.
                diag(3..a + 6, Severity::Warning, Vec::new()),
                diag(
                    a..twelve + 2,
                    Severity::Error,
                    vec![Related {
                        span: twelve..twelve + 2,
                        message: "单元格".into(),
                    }],
                ),
                diag(0..0, Severity::Info, Vec::new()),
            ],
        };
        let html = render(std::slice::from_ref(&r));
        // The text is escaped, lines are CRLF-split, each finding anchored once.
        assert!(html.contains("&lt;b&gt;"));
        assert!(!html.contains("<b>\r"));
        assert_eq!(html.matches("<div class=\"line\">").count(), 3);
        for k in 1..=3 {
            assert_eq!(html.matches(&format!("id=\"r1-m{k}\"")).count(), 1, "{k}");
        }
        assert!(html.contains("<mark class=\"sev-error hit\" id=\"r1-m2\" data-f=\"1 2\""));
        assert!(html.contains("class=\"sev-error hit cell\" data-f=\"2\""));
        assert!(html.contains("<mark class=\"pin sev-info\" id=\"r1-m3\""));
        assert!(html.contains("data-path=\"a&amp;b.txt\""));
        assert!(html.contains(
            "data-findings=\"3\" data-errors=\"1\" data-warnings=\"1\" data-infos=\"1\""
        ));
    }
}

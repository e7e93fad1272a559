//! `gklint parse`: print the report model gklint reads from a file.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use gklint_engine::model::json::{ReportJson, to_json};

use crate::args::ParseFormat;
use crate::input::read_report;

pub fn run(file: &Path, format: ParseFormat) -> Result<ExitCode> {
    let (bytes, fmt) = read_report(file)?;
    let catalog = gklint_engine::pack::builtin_catalog()?;
    let parsed = crate::pdf::parse(&file.display().to_string(), bytes, fmt, &catalog)?;
    let json = to_json(&parsed.report, &parsed.source);
    match format {
        ParseFormat::Json => println!("{}", serde_json::to_string_pretty(&json)?),
        ParseFormat::Text => print!("{}", summary(&json)),
    }
    Ok(ExitCode::SUCCESS)
}

fn summary(r: &ReportJson) -> String {
    let mut out = String::new();
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "—".into());
    let _ = writeln!(out, "文件：{}（{}）", r.path, r.encoding);
    let _ = writeln!(out, "标题：{}", or_dash(r.title.clone()));
    let _ = writeln!(
        out,
        "机关：{}（{}）",
        or_dash(r.office.clone()),
        or_dash(r.office_kind.map(|k| format!("{k:?}").to_lowercase()))
    );
    let _ = writeln!(
        out,
        "年度：{}    模板：{}",
        or_dash(r.year.map(|y| y.to_string())),
        or_dash(r.template.clone())
    );
    let _ = writeln!(out, "发布日期：{}", or_dash(r.published.clone()));
    let _ = writeln!(out, "章节：");
    for s in &r.sections {
        let indent = if s.level == 1 { "  " } else { "      " };
        let _ = writeln!(out, "{indent}{}{}（第 {} 行）", s.number, s.title, s.line);
    }
    for t in &r.tables {
        let _ = writeln!(
            out,
            "表格 {}（{}，第 {}–{} 行）：",
            t.id, t.schema, t.line, t.end_line
        );
        for row in &t.rows {
            let vals: Vec<String> = row.values.iter().flatten().map(|v| v.to_string()).collect();
            let note = match row.reading {
                "unreadable" => format!("  无法读取：{}", row.reason.clone().unwrap_or_default()),
                "split" => "  （数字连写，按合计拆分）".to_owned(),
                _ => String::new(),
            };
            let _ = writeln!(out, "  {:<32} {}{note}", row.label, vals.join(" "));
        }
        if !t.missing.is_empty() {
            let _ = writeln!(out, "  缺少的行：{}", t.missing.join("、"));
        }
    }
    out
}

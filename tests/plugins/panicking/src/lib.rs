//! A plugin with one rule that panics on every report and one that works:
//! the panic must become one `parse` finding naming the plugin, and the
//! other rule (and gklint's own) must still report.

use gklint_plugin::{Category, Finding, Report, Rule, Severity, export_plugin};

fn explode(report: &Report) -> Vec<Finding> {
    let tables: Vec<&str> = report.tables.iter().map(|t| t.id.as_str()).collect();
    panic!("索引越界：表格 {tables:?} 中没有第 9 张")
}

fn title(report: &Report) -> Vec<Finding> {
    match &report.title_span {
        Some(span) => {
            vec![Finding::at(*span).value("标题", report.title.clone().unwrap_or_default())]
        }
        None => vec![],
    }
}

export_plugin! {
    name: "panicking-test",
    version: "0.0.1",
    rules: [
        Rule::new("panicking-test-explode", Category::Table, Severity::Warning, "不会出现", "无", explode),
        Rule::new("panicking-test-title", Category::Style, Severity::Info, "标题是 {标题}", "无", title),
    ],
}

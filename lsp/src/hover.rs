//! Hovers: on a finding, the rule's explanation and the values the message
//! was made from (左 = 17，右 = 18); on a table row, its values and the
//! identities it takes part in, with whether each holds.

use std::fmt::Write as _;

use gklint_engine::diagnostic::{Category, Diagnostic};
use gklint_engine::model::{Reading, Span, Table, TableRow};
use lsp_types::{Hover, HoverContents, MarkupContent, MarkupKind, Range};

use crate::analysis::Analysis;
use crate::diagnostics::converter;
use crate::position::Encoding;

/// The hover at byte `offset`, or `None` when nothing is there.
pub fn hover(a: &Analysis, offset: usize, encoding: Encoding) -> Option<Hover> {
    let conv = converter(a, encoding);
    let mut md = String::new();
    let mut range: Option<Span> = None;
    let here: Vec<&Diagnostic> = a
        .diagnostics
        .iter()
        .filter(|d| d.span.start <= offset && offset <= d.span.end.max(d.span.start + 1))
        .collect();
    for d in &here {
        if !md.is_empty() {
            md.push_str("\n---\n\n");
        }
        finding(a, d, &mut md);
        range = Some(match range {
            None => d.span.clone(),
            Some(r) => r.start.min(d.span.start)..r.end.max(d.span.end),
        });
    }
    if let Some((table, row)) = row_at(a, offset) {
        if !md.is_empty() {
            md.push_str("\n---\n\n");
        }
        row_info(a, table, row, &mut md);
        if range.is_none() {
            range = Some(row_extent(row));
        }
    }
    if md.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: md,
        }),
        range: range.map(|r| -> Range { conv.range(&r) }),
    })
}

/// The values of a finding as `左 = 17，右 = 18`, the usual ones first.
pub fn values_line(d: &Diagnostic) -> String {
    const FIRST: [&str; 8] = ["左", "右", "差", "表", "行", "列", "左式", "右式"];
    let mut keys: Vec<&String> = d.values.keys().collect();
    keys.sort_by_key(|k| {
        (
            FIRST.iter().position(|f| f == k).unwrap_or(FIRST.len()),
            k.as_str(),
        )
    });
    keys.iter()
        .filter(|k| !d.values[k.as_str()].is_empty())
        .map(|k| format!("{k} = {}", d.values[k.as_str()]))
        .collect::<Vec<_>>()
        .join("，")
}

/// A category as users call it.
fn category_words(c: Category) -> &'static str {
    match c {
        Category::Section => "章节",
        Category::Table => "表格",
        Category::Consistency => "前后一致",
        Category::DocNumber => "文号",
        Category::Date => "日期",
        Category::Contact => "联系方式",
        Category::Template => "模板",
        Category::Style => "文字规范",
        Category::Parse => "解析",
    }
}

fn finding(a: &Analysis, d: &Diagnostic, md: &mut String) {
    let _ = writeln!(
        md,
        "**{}** `{}`（{}类）\n\n{}\n",
        d.severity.chinese(),
        d.rule,
        category_words(d.category),
        d.message
    );
    let values = values_line(d);
    if !values.is_empty() {
        let _ = writeln!(md, "{values}\n");
    }
    if !d.related.is_empty() {
        md.push_str("涉及：\n");
        for r in &d.related {
            let _ = writeln!(md, "- {}", r.message);
        }
        md.push('\n');
    }
    if !d.help.is_empty() {
        let _ = writeln!(md, "修改建议：{}\n", d.help);
    }
    if let Some(f) = &d.fix {
        let how = if d.unsafe_fix {
            "可在编辑器中修复（请确认措辞）"
        } else {
            "可自动修复"
        };
        let _ = writeln!(md, "{how}：{}\n", f.description);
    }
    if let Some(rule) = a.packs.set.rule(&d.rule)
        && let Some(docs) = &rule.meta.docs
    {
        let _ = writeln!(md, "{}\n", docs.trim());
    }
    if let Some(link) = a.packs.doc_link(&d.rule, a.docs_url.as_deref()) {
        let _ = writeln!(md, "[规则说明]({})", link.as_str());
    }
}

fn row_at(a: &Analysis, offset: usize) -> Option<(&Table, &TableRow)> {
    a.parsed.report.tables.iter().find_map(|t| {
        t.rows
            .iter()
            .find(|r| {
                let e = row_extent(r);
                e.start <= offset && offset < e.end.max(e.start + 1)
            })
            .map(|r| (t, r))
    })
}

/// A row from its label to its last cell (the model's span is the label's).
pub fn row_extent(row: &TableRow) -> Span {
    row.cells.iter().flatten().fold(row.span.clone(), |acc, c| {
        acc.start.min(c.span.start)..acc.end.max(c.span.end)
    })
}

/// How reports refer to a table: 表二, 表三, 表四, 统计表; for a table of a
/// user's pack, its caption (its id only when the pack gives none).
pub fn caption(a: &Analysis, table: &Table) -> String {
    gklint_engine::schema::national_caption(&table.id)
        .map(str::to_owned)
        .or_else(|| a.packs.captions.get(&table.schema).cloned())
        .unwrap_or_else(|| table.id.clone())
}

/// A table's number and caption: `表三 收到和处理政府信息公开申请情况`.
pub fn title(a: &Analysis, table: &Table) -> String {
    let short = caption(a, table);
    match a.packs.captions.get(&table.schema) {
        Some(c) if *c != short => format!("{short} {c}"),
        _ => short,
    }
}

fn row_info(a: &Analysis, table: &Table, row: &TableRow, md: &mut String) {
    let _ = writeln!(md, "**{} · {}**\n", caption(a, table), row.label);
    if let Some(w) = &row.written_label {
        let _ = writeln!(md, "原文写作“{w}”\n");
    }
    match &row.reading {
        Reading::Split => md.push_str("数字连在一起，已按本行的合计拆分。\n\n"),
        Reading::Unreadable { reason } => {
            let _ = writeln!(md, "本行数字无法确定：{reason}\n");
        }
        Reading::Empty if !row.group => md.push_str("本行没有数字。\n\n"),
        _ => {}
    }
    if !row.group {
        md.push_str("| 列 | 值 |\n|---|---|\n");
        for (i, col) in table.columns.iter().enumerate() {
            let v = match row.cells.get(i) {
                Some(Some(c)) => match c.value {
                    Some(v) => v.normalize().to_string(),
                    None if c.raw.is_empty() => "空白".into(),
                    None => format!("“{}”（不计数）", c.raw),
                },
                Some(None) => continue,
                None => "缺".into(),
            };
            let _ = writeln!(md, "| {} | {v} |", col.label);
        }
        md.push('\n');
    }
    let Some(layout) = a
        .packs
        .set
        .catalog
        .tables
        .iter()
        .find(|t| t.schema_id == table.schema)
    else {
        return;
    };
    let Some(idx) = layout.rows.iter().position(|r| r.id == row.id) else {
        return;
    };
    let ids: Vec<_> = a
        .packs
        .identities
        .iter()
        .filter(|i| a.active_rules.contains(&i.rule) && i.involves(layout, idx))
        .collect();
    if ids.is_empty() {
        return;
    }
    md.push_str("参与的恒等式：\n");
    let extent = row_extent(row);
    for i in ids {
        let findings: Vec<&Diagnostic> =
            a.diagnostics.iter().filter(|d| d.rule == i.rule).collect();
        let failed: Vec<&&Diagnostic> = findings
            .iter()
            .filter(|d| {
                !d.not_assessable
                    && (overlaps(&d.span, &extent)
                        || d.related.iter().any(|r| overlaps(&r.span, &extent)))
            })
            .collect();
        let status = if !failed.is_empty() {
            let parts: Vec<String> = failed
                .iter()
                .map(|d| {
                    let mut p = Vec::new();
                    for k in ["列", "行"] {
                        if let Some(v) = d.values.get(k).filter(|v| !v.is_empty()) {
                            p.push(format!("{k} {v}"));
                        }
                    }
                    for k in ["左", "右"] {
                        if let Some(v) = d.values.get(k) {
                            p.push(format!("{k} = {v}"));
                        }
                    }
                    p.join("，")
                })
                .collect();
            format!("不成立（{}）", parts.join("；"))
        } else if findings.iter().any(|d| d.not_assessable) {
            "无法核对（有单元格缺失、空白或无法读取）".to_owned()
        } else {
            "成立".to_owned()
        };
        let mode = if i.per_row { "每一行" } else { "每一列" };
        let _ = writeln!(
            md,
            "- {}（{mode}，规则 `{}`）：{status}",
            i.in_words(layout),
            i.rule
        );
    }
}

fn overlaps(a: &Span, b: &Span) -> bool {
    a.start < b.end && b.start < a.end
}

//! `table-structure`: what table recognition noticed about a table's shape:
//! a required table absent, template rows missing, a row label that differs
//! from the template, a table without its header, numbers that could not be
//! read with certainty.

use std::sync::Arc;

use super::{Check, Compile, Context, Findings, RuleMeta};
use crate::model::Reading;
use crate::pack::PackError;

pub const PLACEHOLDERS: &[&str] = &["表", "行", "应为", "实为", "原因", "数量"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    MissingTable,
    MissingRows,
    LabelDeviation,
    Headerless,
    Unreadable,
    ParentBlank,
    UnitMissing,
}

#[derive(Debug)]
struct Structure {
    what: What,
    table: String,
}

pub fn compile(cx: &Compile) -> Result<Arc<dyn Check>, PackError> {
    let what = cx.choose(
        &cx.def.check,
        "check",
        &[
            ("missing-table", What::MissingTable),
            ("missing-rows", What::MissingRows),
            ("label-deviation", What::LabelDeviation),
            ("headerless", What::Headerless),
            ("unreadable", What::Unreadable),
            ("parent-blank", What::ParentBlank),
            ("unit-missing", What::UnitMissing),
        ],
    )?;
    let table = cx.need(&cx.def.table, "table")?;
    if !cx.catalog.tables.iter().any(|t| t.table_id == table.value) {
        return Err(cx.err(table, format!("没有 id 为 `{}` 的表格", table.value)));
    }
    Ok(Arc::new(Structure {
        what,
        table: table.value.clone(),
    }))
}

fn caption(id: &str) -> &str {
    match id {
        "active-disclosure" => "表二（主动公开政府信息情况）",
        "applications" => "表三（收到和处理政府信息公开申请情况）",
        "review-litigation" => "表四（政府信息公开行政复议、行政诉讼情况）",
        "statistics" => "统计表",
        other => other,
    }
}

impl Check for Structure {
    fn run(&self, cx: &Context, rule: &RuleMeta, out: &mut Findings) {
        let table = cx.report.table(&self.table);
        let name = caption(&self.table).to_owned();
        let Some(table) = table else {
            if self.what == What::MissingTable {
                // Point at the section the table belongs in, if the report has it.
                let at = cx
                    .report
                    .sections
                    .iter()
                    .find(|s| {
                        s.level == 1
                            && crate::structure::stream::key_of(&s.title)
                                .contains(table_section_key(&self.table))
                    })
                    .map_or(0, |s| s.span.end);
                out.push(rule.diag(at..at, &[("表", name)]));
            }
            return;
        };
        let Some(layout) = cx
            .catalog
            .tables
            .iter()
            .find(|t| t.schema_id == table.schema)
        else {
            return;
        };
        match self.what {
            What::MissingTable => {}
            What::MissingRows => {
                if table.missing.is_empty() {
                    return;
                }
                let labels: Vec<String> = table
                    .missing
                    .iter()
                    .filter_map(|id| {
                        layout
                            .rows
                            .iter()
                            .find(|r| &r.id == id)
                            .map(|r| r.display_label())
                    })
                    .collect();
                let end = table.span.end;
                let values = [
                    ("表", name),
                    ("行", labels.join("、")),
                    ("数量", labels.len().to_string()),
                ];
                out.push(rule.diag(end..end, &values));
            }
            What::LabelDeviation => {
                for h in &table.header_deviations {
                    let values = [
                        ("表", name.clone()),
                        ("应为", h.label.clone()),
                        ("实为", h.written.clone()),
                    ];
                    out.push(rule.diag(h.span.clone(), &values));
                }
                for r in &table.rows {
                    if let Some(w) = &r.written_label {
                        let values = [
                            ("表", name.clone()),
                            ("应为", r.label.clone()),
                            ("实为", w.clone()),
                        ];
                        out.push(rule.diag(r.span.clone(), &values));
                    }
                }
            }
            What::Headerless => {
                if table.headerless {
                    out.push(rule.diag(table.span.clone(), &[("表", name)]));
                }
            }
            What::ParentBlank => {
                // A filled-in child under a parent left blank: 各子栏目数要等于总栏目数量.
                for (i, def) in layout.rows.iter().enumerate() {
                    if def.group {
                        continue;
                    }
                    let Some(parent) = table.row(&def.id) else {
                        continue;
                    };
                    if parent.values().iter().any(Option::is_some)
                        || parent.reading != Reading::Empty
                    {
                        continue;
                    }
                    let filled = parts_of(layout, i)
                        .into_iter()
                        .filter_map(|c| table.row(&layout.rows[c].id))
                        .find(|c| c.values().iter().any(Option::is_some));
                    if let Some(first) = filled {
                        let values = [
                            ("表", name.clone()),
                            ("行", parent.label.clone()),
                            ("实为", first.label.clone()),
                        ];
                        out.push(rule.diag(parent.span.clone(), &values));
                    }
                }
            }
            What::UnitMissing => {
                // An amount with no 元 or 万元 anywhere in its header or table.
                let table_text = &cx.text()[table.span.clone()];
                for (c, col) in layout.columns.iter().enumerate() {
                    if !col.amount || col.label.contains('元') || table_text.contains('元') {
                        continue;
                    }
                    for r in &table.rows {
                        let Some(cell) = r.cells.get(c).and_then(Option::as_ref) else {
                            continue;
                        };
                        if cell.value.is_none_or(|v| v.is_zero()) {
                            continue;
                        }
                        let values = [
                            ("表", name.clone()),
                            ("行", r.label.clone()),
                            ("应为", col.label.clone()),
                            ("实为", cx.text()[cell.span.clone()].to_owned()),
                        ];
                        out.push(rule.diag(cell.span.clone(), &values));
                    }
                }
            }
            What::Unreadable => {
                for r in &table.rows {
                    if let Reading::Unreadable { reason } = &r.reading {
                        let values = [
                            ("表", name.clone()),
                            ("行", r.label.clone()),
                            ("原因", reason.clone()),
                        ];
                        out.push(rule.diag(r.span.clone(), &values));
                    }
                }
            }
        }
    }
}

/// The rows that break down row `p`: its children, and the data rows under
/// any row the layout declares `counted_in` it (through group rows).
fn parts_of(layout: &crate::schema::TableSchema, p: usize) -> Vec<usize> {
    let mut out: Vec<usize> = (0..layout.rows.len())
        .filter(|&c| layout.rows[c].parent == Some(p))
        .collect();
    let mut stack: Vec<usize> = (0..layout.rows.len())
        .filter(|&q| layout.rows[q].counted_in == Some(p))
        .collect();
    while let Some(q) = stack.pop() {
        if layout.rows[q].group {
            stack.extend((0..layout.rows.len()).filter(|&c| layout.rows[c].parent == Some(q)));
        } else {
            out.push(q);
        }
    }
    out.sort_unstable();
    out
}

/// The key of the level-1 title under which a table stands.
fn table_section_key(id: &str) -> &'static str {
    match id {
        "active-disclosure" => "主动公开政府信息",
        "applications" => "收到和处理政府信息公开申请",
        "review-litigation" => "行政复议",
        _ => "\u{0}",
    }
}

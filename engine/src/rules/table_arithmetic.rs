//! `table-arithmetic`: identities over table cells, e.g. `一 + 二 == 三.七 + 四`
//! for every column, or `total == natural-person + … + other-org` for every
//! row. Exact decimal arithmetic. A missing, blank or unreadable cell makes
//! the identity not assessable: a warning that names the cells.

use std::collections::HashMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use super::{Check, Compile, Context, Findings, RuleMeta};
use crate::diagnostic::{Related, Severity};
use crate::model::{Reading, Table};
use crate::pack::PackError;
use crate::schema::TableSchema;
use crate::schema::caption;

pub const PLACEHOLDERS: &[&str] = &["表", "列", "行", "左", "右", "差", "左式", "右式"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Eq,
    Le,
    Ge,
    Lt,
    Gt,
}

impl Cmp {
    fn holds(self, l: Decimal, r: Decimal, tol: Decimal) -> bool {
        match self {
            Cmp::Eq => (l - r).abs() <= tol,
            Cmp::Le => l <= r + tol,
            Cmp::Ge => l + tol >= r,
            Cmp::Lt => l < r + tol,
            Cmp::Gt => l + tol > r,
        }
    }
}

/// A reference as written: a path (`三.七`, `三.三.*`), an id, or a number.
#[derive(Debug, Clone, PartialEq)]
enum Term {
    Ref { name: String, children: bool },
    Number(Decimal),
}

#[derive(Debug, Clone)]
struct Expr {
    lhs: Vec<(i8, Term)>,
    cmp: Cmp,
    rhs: Vec<(i8, Term)>,
}

fn parse_expr(s: &str) -> Result<Expr, String> {
    let ops = [
        ("==", Cmp::Eq),
        ("<=", Cmp::Le),
        (">=", Cmp::Ge),
        ("<", Cmp::Lt),
        (">", Cmp::Gt),
        ("=", Cmp::Eq),
    ];
    let (pos, op, cmp) = ops
        .iter()
        .filter_map(|(o, c)| s.find(o).map(|p| (p, *o, *c)))
        .min_by_key(|(p, o, _)| (*p, std::cmp::Reverse(o.len())))
        .ok_or("恒等式缺少比较符（== <= >= < >）")?;
    let lhs = parse_sum(&s[..pos])?;
    let rhs = parse_sum(&s[pos + op.len()..])?;
    Ok(Expr { lhs, cmp, rhs })
}

fn parse_sum(s: &str) -> Result<Vec<(i8, Term)>, String> {
    let mut out = Vec::new();
    let mut sign = 1i8;
    let mut cur = String::new();
    let flush = |cur: &mut String, sign: i8, out: &mut Vec<(i8, Term)>| -> Result<(), String> {
        let t = cur.trim();
        if t.is_empty() {
            return Err("恒等式中有空的项（两个运算符相连，或以运算符结尾）".into());
        }
        let term = if let Ok(n) = t.parse::<Decimal>() {
            Term::Number(n)
        } else if let Some(base) = t.strip_suffix(".*") {
            Term::Ref {
                name: base.to_owned(),
                children: true,
            }
        } else {
            Term::Ref {
                name: t.to_owned(),
                children: false,
            }
        };
        out.push((sign, term));
        cur.clear();
        Ok(())
    };
    for ch in s.chars() {
        // A minus inside a name (`natural-person`) is part of it; subtraction is ` - `.
        let binary_minus = ch == '-' && cur.ends_with(char::is_whitespace);
        match ch {
            '+' if !cur.trim().is_empty() => {
                flush(&mut cur, sign, &mut out)?;
                sign = 1;
            }
            '-' if binary_minus && !cur.trim().is_empty() => {
                flush(&mut cur, sign, &mut out)?;
                sign = -1;
            }
            '-' if cur.trim().is_empty() && out.is_empty() => sign = -sign,
            _ => cur.push(ch),
        }
    }
    flush(&mut cur, sign, &mut out)?;
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ForEach {
    Column,
    Row,
}

/// An identity resolved against one layout: indices instead of names.
#[derive(Debug, Clone)]
struct Resolved {
    lhs: Vec<(i8, Operand)>,
    rhs: Vec<(i8, Operand)>,
    /// Columns (per-column mode) or rows (per-row mode) to check.
    each: Vec<usize>,
    /// How many cells one check of the identity reads.
    cells: usize,
}

#[derive(Debug, Clone)]
enum Operand {
    /// Per-column mode: rows; per-row mode: columns.
    Indices(Vec<usize>),
    Number(Decimal),
}

#[derive(Debug)]
struct Arithmetic {
    table: String,
    expr: Expr,
    cmp: Cmp,
    for_each: ForEach,
    tolerance: Decimal,
    by_schema: HashMap<String, Resolved>,
}

pub fn compile(cx: &Compile) -> Result<Arc<dyn Check>, PackError> {
    let def = cx.def;
    let table = cx.need(&def.table, "table")?;
    let identity = cx.need(&def.identity, "identity")?;
    let expr = parse_expr(&identity.value)
        .map_err(|m| cx.err(identity, format!("恒等式无法解析：{m}")))?;
    let for_each = match def.for_each.as_ref() {
        None => ForEach::Column,
        Some(f) if f.value == "column" => ForEach::Column,
        Some(f) if f.value == "row" => ForEach::Row,
        Some(f) => {
            return Err(cx.err(
                f,
                format!("for_each 应为 column 或 row，而不是 `{}`", f.value),
            ));
        }
    };
    let tolerance = match &def.tolerance {
        None => Decimal::ZERO,
        Some(t) => t
            .value
            .parse::<Decimal>()
            .map_err(|_| cx.err(t, format!("tolerance 应为数字，而不是 `{}`", t.value)))?,
    };
    // `table` names a table id (every layout of it) or one layout id.
    let layouts: Vec<&TableSchema> = cx
        .catalog
        .tables
        .iter()
        .filter(|t| t.table_id == table.value || t.schema_id == table.value)
        .collect();
    if layouts.is_empty() {
        let ids: Vec<&str> = cx
            .catalog
            .tables
            .iter()
            .map(|t| t.table_id.as_str())
            .collect();
        return Err(cx.err(
            table,
            format!(
                "没有 id 为 `{}` 的表格；已知表格：{}",
                table.value,
                dedup(ids).join("、")
            ),
        ));
    }
    let mut by_schema = HashMap::new();
    for layout in layouts {
        let resolved = resolve(
            &expr,
            for_each,
            layout,
            def.columns.as_ref().map(|c| &c.value),
            def.rows.as_ref().map(|r| &r.value),
        )
        .map_err(|m| cx.err(identity, format!("表格布局 {}：{m}", layout.schema_id)))?;
        by_schema.insert(layout.schema_id.clone(), resolved);
    }
    Ok(Arc::new(Arithmetic {
        table: table.value.clone(),
        cmp: expr.cmp,
        expr,
        for_each,
        tolerance,
        by_schema,
    }))
}

fn dedup(mut v: Vec<&str>) -> Vec<&str> {
    v.sort_unstable();
    v.dedup();
    v
}

fn resolve(
    expr: &Expr,
    for_each: ForEach,
    layout: &TableSchema,
    columns: Option<&Vec<String>>,
    rows: Option<&Vec<String>>,
) -> Result<Resolved, String> {
    let operand = |t: &Term| -> Result<Operand, String> {
        match t {
            Term::Number(n) => Ok(Operand::Number(*n)),
            Term::Ref { name, children } => match for_each {
                ForEach::Column => row_refs(layout, name, *children).map(Operand::Indices),
                ForEach::Row => column_ref(layout, name).map(|c| Operand::Indices(vec![c])),
            },
        }
    };
    let side = |s: &[(i8, Term)]| {
        s.iter()
            .map(|(sg, t)| operand(t).map(|o| (*sg, o)))
            .collect::<Result<Vec<_>, _>>()
    };
    let each = match for_each {
        ForEach::Column => match columns {
            Some(names) => names
                .iter()
                .map(|n| column_ref(layout, n))
                .collect::<Result<_, _>>()?,
            None => (0..layout.columns.len()).collect(),
        },
        ForEach::Row => match rows {
            Some(names) => names
                .iter()
                .map(|n| row_refs(layout, n, false).map(|v| v[0]))
                .collect::<Result<_, _>>()?,
            None => (0..layout.rows.len())
                .filter(|&r| !layout.rows[r].group)
                .collect(),
        },
    };
    let (lhs, rhs) = (side(&expr.lhs)?, side(&expr.rhs)?);
    let cells = lhs
        .iter()
        .chain(&rhs)
        .map(|(_, o)| match o {
            Operand::Indices(ix) => ix.len(),
            Operand::Number(_) => 0,
        })
        .sum();
    Ok(Resolved {
        lhs,
        rhs,
        each,
        cells,
    })
}

fn column_ref(layout: &TableSchema, name: &str) -> Result<usize, String> {
    let by_id = layout.columns.iter().position(|c| c.id == name);
    let by_label: Vec<usize> = layout
        .columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.label == name)
        .map(|(i, _)| i)
        .collect();
    match (by_id, by_label.as_slice()) {
        (Some(i), _) | (None, &[i]) => Ok(i),
        (None, []) => Err(format!("没有名为 `{name}` 的列")),
        (None, _) => Err(format!("列名 `{name}` 不唯一，请用列 id")),
    }
}

/// A row by id, or by its numbering path (`三.三.1`); with `children`, its
/// data rows below (or the row itself when it has none).
fn row_refs(layout: &TableSchema, name: &str, children: bool) -> Result<Vec<usize>, String> {
    let idx = match layout.rows.iter().position(|r| r.id == name) {
        Some(i) => i,
        None => layout
            .row_by_path(name)
            .ok_or_else(|| format!("没有行 `{name}`（行 id 或编号路径，如 三.七）"))?,
    };
    if !children {
        if layout.rows[idx].group {
            return Err(format!(
                "`{name}` 是不填数的分组行；要合计其下各行请写 `{name}.*`"
            ));
        }
        return Ok(vec![idx]);
    }
    // Direct children, looking through group rows (（三）不予公开 1…8), not
    // grandchildren under a data row (其中 items are that row's own parts).
    let mut below = Vec::new();
    let mut stack = vec![idx];
    while let Some(p) = stack.pop() {
        for r in (0..layout.rows.len())
            .rev()
            .filter(|&r| layout.rows[r].parent == Some(p))
        {
            if layout.rows[r].group {
                stack.push(r);
            } else {
                below.push(r);
            }
        }
    }
    below.sort_unstable();
    Ok(if below.is_empty() { vec![idx] } else { below })
}

/// A cell a sum took its value from, labelled only if the identity fails.
struct Used {
    span: std::ops::Range<usize>,
    row: usize,
    column: usize,
    value: Decimal,
}

/// `total + sign·v`, without multiplying (a sign is ±1).
fn add(total: Decimal, sign: i8, v: Decimal) -> Decimal {
    if sign < 0 { total - v } else { total + v }
}

/// One side's sum, or the cells that could not be read.
fn sum(
    table: &Table,
    layout: &TableSchema,
    side: &[(i8, Operand)],
    fixed: usize,
    for_each: ForEach,
    missing: &mut Vec<String>,
    used: &mut Vec<Used>,
) -> Decimal {
    let mut total = Decimal::ZERO;
    for (sign, op) in side {
        match op {
            Operand::Number(n) => total = add(total, *sign, *n),
            Operand::Indices(ix) => {
                for &i in ix {
                    let (row_idx, col_idx) = match for_each {
                        ForEach::Column => (i, fixed),
                        ForEach::Row => (fixed, i),
                    };
                    let def = &layout.rows[row_idx];
                    let name =
                        || format!("{}·{}", def.display_label(), layout.columns[col_idx].label);
                    let row = table.row(&def.id);
                    let cell = row
                        .filter(|r| !matches!(r.reading, Reading::Unreadable { .. }))
                        .and_then(|r| r.cells[col_idx].as_ref());
                    match cell.and_then(|c| c.value.map(|v| (v, c.span.clone()))) {
                        Some((v, span)) => {
                            total = add(total, *sign, v);
                            used.push(Used {
                                span,
                                row: row_idx,
                                column: col_idx,
                                value: v,
                            });
                        }
                        // An optional row this edition of the layout leaves out adds nothing.
                        None if row.is_none() && def.optional => {}
                        None => {
                            let why = match row {
                                None => "缺行",
                                Some(r) if matches!(r.reading, Reading::Unreadable { .. }) => {
                                    "无法读取"
                                }
                                _ => "空白",
                            };
                            missing.push(format!("{}（{why}）", name()));
                        }
                    }
                }
            }
        }
    }
    total
}

impl Check for Arithmetic {
    fn run(&self, cx: &Context, rule: &RuleMeta, out: &mut Findings) {
        let Some(table) = cx
            .report
            .tables
            .iter()
            .find(|t| t.id == self.table || t.schema == self.table)
        else {
            return;
        };
        let Some(resolved) = self.by_schema.get(&table.schema) else {
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
        let mut not_assessable: Vec<String> = Vec::new();
        let mut any_value = false;
        for &fixed in &resolved.each {
            // A row the table lacks (per-row mode) is not this identity's business.
            if self.for_each == ForEach::Row && table.row(&layout.rows[fixed].id).is_none() {
                continue;
            }
            let mut missing = Vec::new();
            let mut used = Vec::with_capacity(resolved.cells);
            let l = sum(
                table,
                layout,
                &resolved.lhs,
                fixed,
                self.for_each,
                &mut missing,
                &mut used,
            );
            let r = sum(
                table,
                layout,
                &resolved.rhs,
                fixed,
                self.for_each,
                &mut missing,
                &mut used,
            );
            any_value |= !used.is_empty();
            if !missing.is_empty() {
                not_assessable.extend(missing);
                continue;
            }
            if self.cmp.holds(l, r, self.tolerance) {
                continue;
            }
            let (col, row) = match self.for_each {
                ForEach::Column => (layout.columns[fixed].label.clone(), String::new()),
                ForEach::Row => (String::new(), layout.rows[fixed].display_label()),
            };
            let values = [
                ("表", caption(&self.table)),
                ("列", col),
                ("行", row),
                ("左", l.normalize().to_string()),
                ("右", r.normalize().to_string()),
                ("差", (l - r).normalize().to_string()),
                ("左式", side_text(&self.expr.lhs, layout, self.for_each)),
                ("右式", side_text(&self.expr.rhs, layout, self.for_each)),
            ];
            // Per row: the row's label; per column: the first cell of the left side.
            let row_span = match self.for_each {
                ForEach::Row => table.row(&layout.rows[fixed].id).map(|r| r.span.clone()),
                ForEach::Column => None,
            };
            let span = row_span
                .or_else(|| used.first().map(|u| u.span.clone()))
                .unwrap_or(table.span.clone());
            let related = used
                .iter()
                .map(|u| Related {
                    span: u.span.clone(),
                    message: format!(
                        "{}·{} = {}",
                        layout.rows[u.row].display_label(),
                        layout.columns[u.column].label,
                        u.value
                    ),
                })
                .collect();
            out.push(rule.diag_with(span, &values, related, None));
        }
        // An identity none of whose cells is filled in is a blank form, which
        // the table-structure rules report; only a partly filled one is unassessable.
        if !not_assessable.is_empty() && any_value {
            not_assessable.dedup();
            let shown: Vec<&str> = not_assessable.iter().take(6).map(String::as_str).collect();
            let more = if not_assessable.len() > 6 {
                format!("等 {} 处", not_assessable.len())
            } else {
                String::new()
            };
            let mut d = rule.diag(
                table.span.start..table.span.start,
                &[("表", caption(&self.table))],
            );
            d.severity = Severity::Warning;
            d.not_assessable = true;
            d.message = format!(
                "无法核对{}的恒等式“{}”：{}{}缺少可读的数值",
                caption(&self.table),
                identity_text(&self.expr, layout, self.for_each),
                shown.join("、"),
                more
            );
            d.help =
                "补全表格中缺失、空白或无法读取的单元格（填 0 而不是留空），再重新检查。".into();
            d.values.insert("缺少".into(), not_assessable.join("、"));
            out.push(d);
        }
    }
}

/// One side as a reader of the table would write it: the printed row labels
/// (per column) or column labels (per row), never the pack's internal ids.
fn side_text(side: &[(i8, Term)], layout: &TableSchema, for_each: ForEach) -> String {
    let mut s = String::new();
    for (i, (sign, t)) in side.iter().enumerate() {
        if i > 0 || *sign < 0 {
            s.push_str(if *sign < 0 { " − " } else { " + " });
        }
        match t {
            Term::Number(n) => s.push_str(&n.to_string()),
            Term::Ref { name, children } => {
                s.push_str(&term_label(layout, for_each, name, *children))
            }
        }
    }
    s
}

fn term_label(layout: &TableSchema, for_each: ForEach, name: &str, children: bool) -> String {
    match for_each {
        ForEach::Row => column_ref(layout, name)
            .map_or_else(|_| name.to_owned(), |c| layout.columns[c].label.clone()),
        ForEach::Column => {
            let idx = layout
                .rows
                .iter()
                .position(|r| r.id == name)
                .or_else(|| layout.row_by_path(name));
            match idx {
                Some(i) => {
                    let label = layout.rows[i].display_label();
                    let has_children = layout.rows.iter().any(|r| r.parent == Some(i));
                    if children && has_children {
                        format!("{label}各项")
                    } else {
                        label
                    }
                }
                None => name.to_owned(),
            }
        }
    }
}

fn identity_text(e: &Expr, layout: &TableSchema, for_each: ForEach) -> String {
    let op = match e.cmp {
        Cmp::Eq => "=",
        Cmp::Le => "≤",
        Cmp::Ge => "≥",
        Cmp::Lt => "<",
        Cmp::Gt => ">",
    };
    format!(
        "{} {op} {}",
        side_text(&e.lhs, layout, for_each),
        side_text(&e.rhs, layout, for_each)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_identities() {
        let e = parse_expr("一 + 二 == 三.七 + 四").unwrap();
        assert_eq!(e.cmp, Cmp::Eq);
        assert_eq!(e.lhs.len(), 2);
        assert_eq!(
            e.rhs[0].1,
            Term::Ref {
                name: "三.七".into(),
                children: false
            }
        );
        let e = parse_expr("total == natural-person + other-org").unwrap();
        assert_eq!(
            e.rhs[0].1,
            Term::Ref {
                name: "natural-person".into(),
                children: false
            }
        );
        let e = parse_expr("三.七 == 三.一 + 三.三.* - 3").unwrap();
        assert_eq!(
            e.rhs[1].1,
            Term::Ref {
                name: "三.三".into(),
                children: true
            }
        );
        assert_eq!(e.rhs[2], (-1, Term::Number(Decimal::from(3))));
        assert!(parse_expr("一 + + 二").is_err());
        assert!(parse_expr("一 + 二").is_err());
    }

    #[test]
    fn identities_are_shown_with_the_printed_labels() {
        let catalog = crate::pack::builtin_catalog().unwrap();
        let t = catalog
            .tables
            .iter()
            .find(|t| t.schema_id == "applications-2019")
            .unwrap();
        let e = parse_expr("total == natural-person + commercial + other-org").unwrap();
        assert_eq!(
            identity_text(&e, t, ForEach::Row),
            "总计 = 自然人 + 商业企业 + 其他"
        );
        let e = parse_expr("一 + 二 == 三.七 + 四").unwrap();
        assert_eq!(
            identity_text(&e, t, ForEach::Column),
            "一、本年新收政府信息公开申请数量 + 二、上年结转政府信息公开申请数量 = （七）总计 + 四、结转下年度继续办理"
        );
        let e = parse_expr("三.三.* <= 一").unwrap();
        assert!(
            identity_text(&e, t, ForEach::Column).starts_with("（三）不予公开各项 ≤"),
            "{}",
            identity_text(&e, t, ForEach::Column)
        );
    }

    #[test]
    fn paths_resolve_in_both_layouts() {
        let catalog = crate::pack::builtin_catalog().unwrap();
        for id in ["applications-2019", "applications-2021"] {
            let t = catalog.tables.iter().find(|t| t.schema_id == id).unwrap();
            let seven = t.row_by_path("三.七").unwrap();
            assert_eq!(t.rows[seven].id, "results-total");
            let refused = row_refs(t, "三.三", true).unwrap();
            assert_eq!(refused.len(), 8);
            let other = row_refs(t, "三.六", true).unwrap();
            assert_eq!(other.len(), if id.ends_with("2019") { 1 } else { 3 });
            assert!(
                row_refs(t, "三.三", false).is_err(),
                "a group row has no numbers"
            );
        }
    }
}

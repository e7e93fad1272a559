//! The table identities across two years: 表三's carry-over and 表二's
//! documents in force (2021 format).

use rust_decimal::Decimal;

use super::{CARRY_OVER, IN_FORCE, Pair};
use crate::diagnostic::{Diagnostic, Related, Severity};
use crate::model::{Cell, Reading, Table, TableRow};

const APPLICATIONS: &str = "applications";
const CARRIED_OVER: &str = "carried-over";
const CARRIED_FORWARD: &str = "carried-forward";
const ACTIVE: &str = "active-disclosure";

/// A cell of a row by column id: `None` when the table lacks the column or
/// the column does not apply to the row.
fn cell<'t>(table: &Table, row: &'t TableRow, column: &str) -> Option<&'t Cell> {
    let i = table.column_index(column)?;
    row.cells.get(i)?.as_ref()
}

/// Why a cell gives no number (for not-assessable messages).
fn why(row: &TableRow, cell: Option<&Cell>) -> &'static str {
    match (&row.reading, cell) {
        (Reading::Unreadable { .. }, _) => "无法读取",
        (_, None) => "缺少",
        _ => "空白",
    }
}

fn fmt(v: Decimal) -> String {
    v.normalize().to_string()
}

/// This year's 二、上年结转 = last year's 四、结转下年度继续办理, per column.
pub(super) fn carry_over(pair: &Pair, out: &mut Vec<Diagnostic>) {
    let (Some(pt), Some(ct)) = (
        pair.previous.report.table(APPLICATIONS),
        pair.current.report.table(APPLICATIONS),
    ) else {
        return;
    };
    let (prev_year, this_file, prev_file) = (
        Pair::year(&pair.previous),
        pair.current.source.name.as_str(),
        pair.previous.source.name.as_str(),
    );
    let (over, forward) = (ct.row(CARRIED_OVER), pt.row(CARRIED_FORWARD));
    let (Some(over), Some(forward)) = (over, forward) else {
        // A row the layout has but the document lacks: not assessable.
        let lacking = match (over, forward) {
            (None, None) => {
                "本年报告缺“二、上年结转”行，上年报告缺“四、结转下年度继续办理”行".to_owned()
            }
            (None, _) => "本年报告缺“二、上年结转政府信息公开申请数量”行".to_owned(),
            _ => "上年报告缺“四、结转下年度继续办理”行".to_owned(),
        };
        let span = over.map_or(ct.span.start..ct.span.start, |r| r.span.clone());
        let there = forward.map_or(pt.span.clone(), |r| r.span.clone());
        let e = pair.elsewhere(&there, "上年表三".into());
        let mut d = pair.diagnostic(
            CARRY_OVER,
            span,
            format!(
                "无法核对 {this_file} 的上年结转与上年报告 {prev_file}（{prev_year}年度）的结转下年度：{lacking}"
            ),
            format!(
                "Cannot compare the carry-over of {this_file} with last year's report {prev_file} ({prev_year}): a row is missing"
            ),
            "补全表三缺少的行（填 0 而不是省略），再重新检查。",
            Vec::new(),
            e,
            &[("缺少", lacking.clone())],
        );
        d.severity = Severity::Warning;
        d.not_assessable = true;
        out.push(d);
        return;
    };
    let mut missing = Vec::new();
    let mut any_value = false;
    for (i, col) in ct.columns.iter().enumerate() {
        let c = over.cells.get(i).and_then(Option::as_ref);
        let p = cell(pt, forward, &col.id);
        if c.is_none() && p.is_none() {
            continue;
        }
        let (cv, pv) = (c.and_then(|c| c.value), p.and_then(|p| p.value));
        any_value |= cv.is_some() || pv.is_some();
        let (Some(cv), Some(pv)) = (cv, pv) else {
            let mut parts = Vec::new();
            if cv.is_none() {
                parts.push(format!("本年{}", why(over, c)));
            }
            if pv.is_none() {
                parts.push(format!("上年{}", why(forward, p)));
            }
            missing.push(format!("{}（{}）", col.label, parts.join("、")));
            continue;
        };
        if cv == pv {
            continue;
        }
        // Both cells exist here (they hold values).
        let (Some(c), Some(p)) = (c, p) else { continue };
        let e = pair.elsewhere(
            &p.span,
            format!("上年“四、结转下年度继续办理”{}：{}", col.label, fmt(pv)),
        );
        let related = vec![Related {
            span: c.span.clone(),
            message: format!(
                "本年“二、上年结转”{}：{}，上年结转下年度：{}",
                col.label,
                fmt(cv),
                fmt(pv)
            ),
        }];
        out.push(pair.diagnostic(
            CARRY_OVER,
            c.span.clone(),
            format!(
                "表三“二、上年结转政府信息公开申请数量”的“{}”为 {}，与上年报告 {prev_file}（{prev_year}年度）“四、结转下年度继续办理”的 {} 不一致（本年报告 {this_file}）",
                col.label,
                fmt(cv),
                fmt(pv),
            ),
            format!(
                "Table 3 row 2 (carried over), column {}, is {} in {this_file}, but last year's report {prev_file} ({prev_year}) carries forward {} in row 4",
                col.id,
                fmt(cv),
                fmt(pv),
            ),
            "本年“上年结转政府信息公开申请数量”应等于上年报告“结转下年度继续办理”：核对两份报告，改正填错的一方；上年数字确有错误的，应在本年报告中说明。",
            related,
            e,
            &[
                ("列", col.label.clone()),
                ("本年值", fmt(cv)),
                ("上年值", fmt(pv)),
            ],
        ));
    }
    if !missing.is_empty() && any_value {
        let e = pair.elsewhere(&forward.span, "上年“四、结转下年度继续办理”".into());
        let mut d = pair.diagnostic(
            CARRY_OVER,
            over.span.clone(),
            format!(
                "无法核对表三上年结转与上年报告 {prev_file}（{prev_year}年度）的结转下年度：{}缺少可读的数值（本年报告 {this_file}）",
                missing.join("、")
            ),
            format!(
                "Cannot compare the carry-over of {this_file} with last year's report {prev_file} ({prev_year}): cells are missing, blank or unreadable"
            ),
            "补全表格中缺失、空白或无法读取的单元格（填 0 而不是留空），再重新检查。",
            Vec::new(),
            e,
            &[("缺少", missing.join("、"))],
        );
        d.severity = Severity::Warning;
        d.not_assessable = true;
        out.push(d);
    }
}

/// 2021 format 表二: 现行有效件数 = last year's + 本年制发件数 − 本年废止件数, per row.
pub(super) fn in_force(pair: &Pair, out: &mut Vec<Diagnostic>) {
    let (Some(pt), Some(ct)) = (
        pair.previous.report.table(ACTIVE),
        pair.current.report.table(ACTIVE),
    ) else {
        return;
    };
    // Both in a layout with 现行有效件数 (the 2021 format, or a province's
    // layout with the same columns); the 2019 format's 对外公开总数量 is another measure.
    let cols = ["issued", "repealed", "in-force"];
    if cols.iter().any(|c| ct.column_index(c).is_none()) || pt.column_index("in-force").is_none() {
        return;
    }
    let (prev_year, this_file, prev_file) = (
        Pair::year(&pair.previous),
        pair.current.source.name.as_str(),
        pair.previous.source.name.as_str(),
    );
    let mut missing = Vec::new();
    let mut any_value = false;
    let mut first_row = None;
    for row in ct.rows.iter().filter(|r| !r.group) {
        // Rows the in-force column applies to (规章, 行政规范性文件).
        let Some(now) = cell(ct, row, "in-force") else {
            continue;
        };
        first_row.get_or_insert(row);
        let issued = cell(ct, row, "issued");
        let repealed = cell(ct, row, "repealed");
        let prev_row = pt.row(&row.id);
        let before = prev_row.and_then(|r| cell(pt, r, "in-force"));
        let vals = [
            before.and_then(|c| c.value),
            issued.and_then(|c| c.value),
            repealed.and_then(|c| c.value),
            now.value,
        ];
        any_value |= vals.iter().any(Option::is_some);
        let [Some(b), Some(i), Some(r), Some(n)] = vals else {
            let mut parts = Vec::new();
            if vals[0].is_none() {
                parts.push(match prev_row {
                    Some(pr) => format!("上年现行有效件数{}", why(pr, before)),
                    None => "上年缺此行".to_owned(),
                });
            }
            for (v, name, c) in [
                (vals[1], "本年制发件数", issued),
                (vals[2], "本年废止件数", repealed),
                (vals[3], "现行有效件数", Some(now)),
            ] {
                if v.is_none() {
                    parts.push(format!("{name}{}", why(row, c)));
                }
            }
            missing.push(format!("{}（{}）", row.label, parts.join("、")));
            continue;
        };
        let expected = b + i - r;
        if expected == n {
            continue;
        }
        let (Some(before), Some(issued), Some(repealed)) = (before, issued, repealed) else {
            continue;
        };
        let e = pair.elsewhere(
            &before.span,
            format!("上年“{}”现行有效件数：{}", row.label, fmt(b)),
        );
        let related = vec![
            Related {
                span: issued.span.clone(),
                message: format!("本年制发件数：{}", fmt(i)),
            },
            Related {
                span: repealed.span.clone(),
                message: format!("本年废止件数：{}", fmt(r)),
            },
            Related {
                span: now.span.clone(),
                message: format!("现行有效件数：{}，按上年推算应为 {}", fmt(n), fmt(expected)),
            },
        ];
        out.push(pair.diagnostic(
            IN_FORCE,
            now.span.clone(),
            format!(
                "表二“{}”现行有效件数为 {}，而上年报告 {prev_file}（{prev_year}年度）的 {} 加本年制发 {} 减本年废止 {} 得 {}（本年报告 {this_file}）",
                row.label,
                fmt(n),
                fmt(b),
                fmt(i),
                fmt(r),
                fmt(expected),
            ),
            format!(
                "Table 2 row {}: {} documents in force in {this_file}, but last year's {} in {prev_file} ({prev_year}) + {} issued − {} repealed = {}",
                row.id,
                fmt(n),
                fmt(b),
                fmt(i),
                fmt(r),
                fmt(expected),
            ),
            "现行有效件数应等于上年现行有效件数加本年制发件数减本年废止件数：核对这几个数字；如有文件因有效期届满等原因失效，请在报告中说明。",
            related,
            e,
            &[
                ("行", row.label.clone()),
                ("上年现行有效", fmt(b)),
                ("本年制发", fmt(i)),
                ("本年废止", fmt(r)),
                ("现行有效", fmt(n)),
                ("应为", fmt(expected)),
            ],
        ));
    }
    if let Some(row) = first_row
        && !missing.is_empty()
        && any_value
    {
        let there = pt.row(&row.id).map_or(pt.span.clone(), |r| r.span.clone());
        let e = pair.elsewhere(&there, "上年表二".into());
        let mut d = pair.diagnostic(
            IN_FORCE,
            row.span.clone(),
            format!(
                "无法按上年报告 {prev_file}（{prev_year}年度）核对表二现行有效件数：{}（本年报告 {this_file}）",
                missing.join("、")
            ),
            format!(
                "Cannot check the documents in force of {this_file} against last year's report {prev_file} ({prev_year}): cells are missing, blank or unreadable"
            ),
            "补全表格中缺失、空白或无法读取的单元格（填 0 而不是留空），再重新检查。",
            Vec::new(),
            e,
            &[("缺少", missing.join("、"))],
        );
        d.severity = Severity::Warning;
        d.not_assessable = true;
        out.push(d);
    }
}

//! An example gklint plugin with two rules YAML cannot express:
//!
//! - `example-procurement-amount-unit` judges whether the 政府集中采购 amount
//!   (table 2 of the 2019 format) is plausible in the unit it is written in:
//!   it reads the unit after the number or in the header (元, 万元, 亿元),
//!   and flags an average per project no purchase could have.
//! - `example-disputes-exceed-applications` reads tables 3 and 4 together:
//!   more administrative reconsiderations and lawsuits than applications
//!   received and carried over usually means table 4 counts cases that did
//!   not arise from information-disclosure applications.
//!
//! Build with `cargo build --release -p plugin-example`, then
//! `gklint check 报告.txt --plugin target/release/libplugin_example.so`.

use gklint_plugin::{Category, Finding, Report, Rule, Severity, Span, Table, export_plugin};

// ------------------------------------------------------------ procurement

#[derive(Debug, Clone, Copy, PartialEq)]
enum Unit {
    Yuan,
    Wan,
    Yi,
}

impl Unit {
    fn name(self) -> &'static str {
        match self {
            Unit::Yuan => "元",
            Unit::Wan => "万元",
            Unit::Yi => "亿元",
        }
    }

    /// How many 万元 one of this unit is.
    fn in_wan(self) -> f64 {
        match self {
            Unit::Yuan => 0.0001,
            Unit::Wan => 1.0,
            Unit::Yi => 10000.0,
        }
    }
}

/// A unit written at the start of `text` (after spaces); with its length in bytes.
fn unit_at(text: &str) -> Option<(Unit, usize)> {
    let trimmed = text.trim_start_matches([' ', '\u{3000}']);
    let skipped = text.len() - trimmed.len();
    [("万元", Unit::Wan), ("亿元", Unit::Yi), ("元", Unit::Yuan)]
        .into_iter()
        .find(|(s, _)| trimmed.starts_with(s))
        .map(|(s, u)| (u, skipped + s.len()))
}

/// A unit the table's header gives for the amount: `采购总金额（万元）`,
/// `（单位：元）` and the like.
fn unit_in_header(report: &Report, table: &Table) -> Option<Unit> {
    let text = report.slice(table.span);
    let after_label = text.find("采购总金额").map(|i| {
        let rest = &text[i + "采购总金额".len()..];
        let end = rest.find(['\t', '\n', '\r']).unwrap_or(rest.len());
        &rest[..end]
    });
    let unit_note = text.find("单位").map(|i| {
        let rest = &text[i + "单位".len()..];
        let end = rest.char_indices().nth(6).map_or(rest.len(), |(j, _)| j);
        &rest[..end]
    });
    for hay in [after_label, unit_note].into_iter().flatten() {
        for (s, u) in [("万元", Unit::Wan), ("亿元", Unit::Yi), ("元", Unit::Yuan)] {
            if hay.contains(s) {
                return Some(u);
            }
        }
    }
    None
}

/// An amount in 万元, shown in the unit a reader would use.
fn money(wan: f64) -> String {
    if wan >= 10000.0 {
        format!("{:.2} 亿元", wan / 10000.0)
    } else if wan >= 1.0 {
        format!("{wan:.2} 万元")
    } else {
        format!("{:.0} 元", wan * 10000.0)
    }
}

/// No 政府集中采购 project averages more than this (5 亿元) …
const MAX_AVERAGE_WAN: f64 = 50_000.0;
/// … or less than this (500 元).
const MIN_AVERAGE_WAN: f64 = 0.05;

fn procurement_amount_unit(report: &Report) -> Vec<Finding> {
    let Some(table) = report.table("active-disclosure") else {
        return vec![];
    };
    let (Some(items), Some(amount), Some(cell)) = (
        table.value("procurement", "purchase-items"),
        table.value("procurement", "purchase-amount"),
        table.cell("procurement", "purchase-amount"),
    ) else {
        // Missing or unreadable cells are reported by the built-in rules.
        return vec![];
    };
    let written = report.slice(cell.span);
    let after = report.text.get(cell.span.end..).unwrap_or("");
    let (unit, span, unit_shown) = match unit_at(after) {
        Some((u, len)) => (
            u,
            Span::new(cell.span.start, cell.span.end + len),
            u.name().to_owned(),
        ),
        None => match [("万元", Unit::Wan), ("亿元", Unit::Yi), ("元", Unit::Yuan)]
            .into_iter()
            .find(|(s, _)| cell.raw.ends_with(s))
        {
            Some((_, u)) => (u, cell.span, u.name().to_owned()),
            None => match unit_in_header(report, table) {
                Some(u) => (u, cell.span, format!("{}，见表头", u.name())),
                None => (Unit::Wan, cell.span, "未注明，按万元理解".to_owned()),
            },
        },
    };
    let amount_shown = written.trim_end_matches(['元', '万', '亿', ' ']).to_owned();
    let finding = || {
        Finding::at(span)
            .value("项目数", items)
            .value("金额", &amount_shown)
            .value("单位", &unit_shown)
    };
    if items == 0.0 {
        if amount > 0.0 {
            return vec![finding().message(format!(
                "政府集中采购项目数量为 0，采购总金额却为 {amount_shown}（单位：{unit_shown}）"
            ))];
        }
        return vec![];
    }
    let average = amount * unit.in_wan() / items;
    let verdict = if average > MAX_AVERAGE_WAN {
        if unit == Unit::Yuan {
            "不合常理，请核对金额".to_owned()
        } else {
            format!(
                "不合常理：金额很可能是以元填写的（按元计平均每项约 {}）",
                money(amount * Unit::Yuan.in_wan() / items)
            )
        }
    } else if average < MIN_AVERAGE_WAN && amount > 0.0 {
        if unit == Unit::Yuan {
            format!(
                "不合常理：金额很可能是以万元填写的（按万元计平均每项约 {}）",
                money(amount / items)
            )
        } else {
            "不合常理，请核对金额".to_owned()
        }
    } else {
        return vec![];
    };
    vec![
        finding()
            .value("平均", money(average))
            .value("判断", verdict),
    ]
}

// ------------------------------------------------------------ tables 3 and 4

fn disputes_exceed_applications(report: &Report) -> Vec<Finding> {
    let (Some(apps), Some(cases)) = (
        report.table("applications"),
        report.table("review-litigation"),
    ) else {
        return vec![];
    };
    let (Some(new), Some(carried), Some(review), Some(direct)) = (
        apps.value("new-received", "total"),
        apps.value("carried-over", "total"),
        cases.value("cases", "review-total"),
        cases.value("cases", "direct-total"),
    ) else {
        return vec![];
    };
    let applications = new + carried;
    let disputes = review + direct;
    if disputes <= applications {
        return vec![];
    }
    let at = cases.row("cases").map_or(cases.span, |r| r.span);
    let mut f = Finding::at(at)
        .value("复议", review)
        .value("起诉", direct)
        .value("争议", disputes)
        .value("申请", applications);
    if let Some(r) = apps.row("new-received") {
        f = f.related(r.span, format!("本年新收申请 {new} 件"));
    }
    if let Some(r) = apps.row("carried-over") {
        f = f.related(r.span, format!("上年结转申请 {carried} 件"));
    }
    vec![f]
}

// ------------------------------------------------------------ examples

const TABLE_2_OK: &str = "XX县财政局2020年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（八）项
信息内容\t上一年项目数量\t本年增/减
行政事业性收费\t0\t0
第二十条第（九）项
信息内容\t采购项目数量\t采购总金额
政府集中采购\t2\t356.5
";

const TABLE_2_YUAN_AS_WAN: &str = "XX县财政局2020年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（八）项
信息内容\t上一年项目数量\t本年增/减
行政事业性收费\t0\t0
第二十条第（九）项
信息内容\t采购项目数量\t采购总金额
政府集中采购\t1\t1647000
";

const TABLE_2_WAN_AS_YUAN: &str = "XX县财政局2020年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（八）项
信息内容\t上一年项目数量\t本年增/减
行政事业性收费\t0\t0
第二十条第（九）项
信息内容\t采购项目数量\t采购总金额
政府集中采购\t12\t356.5元
";

export_plugin! {
    name: "plugin-example",
    version: env!("CARGO_PKG_VERSION"),
    rules: [
        Rule::new(
            "example-procurement-amount-unit",
            Category::Table,
            Severity::Warning,
            "政府集中采购 {项目数} 个项目共 {金额}（单位：{单位}），平均每项约 {平均}，{判断}",
            "核对采购总金额的数值与单位：在数字后或表头写明单位（元或万元），并确认数值是按该单位填写的。",
            procurement_amount_unit,
        )
        .docs(
            "表二“第二十条第（九）项 政府集中采购”一行的采购总金额常以元填写却按万元理解（或相反），\
             差一万倍。本规则读出金额的单位（数字后或表头的元、万元、亿元；都没有时按万元理解），\
             算出平均每个项目的金额，超过 5 亿元或不足 500 元时报告。YAML 规则无法读单位和做这种判断，\
             所以由插件实现（示例插件 examples/plugin-example）。",
        )
        .examples(&[TABLE_2_OK], &[TABLE_2_YUAN_AS_WAN, TABLE_2_WAN_AS_YUAN]),
        Rule::new(
            "example-disputes-exceed-applications",
            Category::Consistency,
            Severity::Warning,
            "表四中行政复议 {复议} 件、未经复议直接起诉 {起诉} 件，共 {争议} 件，多于表三中本年新收与上年结转的申请 {申请} 件",
            "表四只统计因政府信息公开申请引起的行政复议和行政诉讼：请核对是否填入了其他案件，或表三的申请数是否漏填；确由往年申请引起的，可忽略本提示。",
            disputes_exceed_applications,
        )
        .docs(
            "同时读表三（收到和处理政府信息公开申请情况）与表四（行政复议、行政诉讼情况）：\
             复议与直接起诉的案件数多于当年新收与上年结转的申请数时报告。",
        )
        .examples(&[TABLES_3_4_OK], &[TABLES_3_4_TOO_MANY]),
    ],
}

const TABLES_3_4_OK: &str = include_str!("../fixtures/tables-3-4-ok.txt");
const TABLES_3_4_TOO_MANY: &str = include_str!("../fixtures/tables-3-4-too-many.txt");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_are_read_after_the_number() {
        assert_eq!(unit_at(" 万元\t"), Some((Unit::Wan, 7)));
        assert_eq!(unit_at("元"), Some((Unit::Yuan, 3)));
        assert_eq!(unit_at("\t3"), None);
        assert_eq!(money(1647000.0), "164.70 亿元");
        assert_eq!(money(0.003), "30 元");
    }
}

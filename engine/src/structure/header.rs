//! The report's identity: title, year, issuing office and its kind, and the
//! publication date it states.

use std::sync::LazyLock;

use regex::Regex;

use super::dates::find_dates;
use crate::model::{Date, Located, OfficeKind};
use crate::read::{BlockKind, Document};

static YEAR_IN_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)\d{2})\s*年").expect("valid regex"));
static HEADER_TITLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*标题\s*[:：]\s*(\S.*?)\s*$").expect("valid regex"));
static PUBLISHED_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:发布|印发|成文|公开)?(?:日期|时间)\s*[:：]\s*").expect("valid regex")
});
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"自\s*((?:19|20)\d{2})\s*年\s*1\s*月\s*1\s*日").expect("valid regex")
});

/// How many leading lines may hold the title.
const TITLE_LINES: usize = 12;

pub struct Header {
    pub title: Option<Located<String>>,
    pub year: Option<Located<i32>>,
    pub office: Option<String>,
    pub office_kind: Option<OfficeKind>,
    pub published: Option<Located<Date>>,
}

pub fn read(text: &str, doc: &Document) -> Header {
    let title = find_title(text, doc);
    let mut year = None;
    let mut office = None;
    if let Some(t) = &title {
        let clean: String = t.value.chars().filter(|c| !c.is_whitespace()).collect();
        if let Some(c) = YEAR_IN_TITLE.captures(&clean) {
            let y: i32 = c[1].parse().unwrap_or(0);
            // The span of the year within the title's source text.
            let span = text[t.span.clone()]
                .find(&c[1])
                .map_or(t.span.clone(), |i| t.span.start + i..t.span.start + i + 4);
            year = Some(Located { value: y, span });
            let whole = c.get(0).expect("group 0");
            let before = &clean[..whole.start()];
            // 区招商局政府信息公开工作2018年度报告: the office ends before 政府信息公开.
            let before = before.find("政府信息公开").map_or(before, |i| &before[..i]);
            office = office_name(before).or_else(|| office_after_year(&clean[whole.end()..]));
        } else if let Some(i) = clean.find("政府信息公开") {
            office = office_name(&clean[..i]);
        }
    }
    if year.is_none()
        && let Some(c) = PERIOD.captures(text)
    {
        let m = c.get(1).expect("group 1");
        year = Some(Located {
            value: c[1].parse().unwrap_or(0),
            span: m.range(),
        });
    }
    let office_kind = office.as_deref().and_then(office_kind);
    let published = find_published(text, doc);
    Header {
        title,
        year,
        office,
        office_kind,
        published,
    }
}

/// A title that starts with its year names the office after it:
/// 2019年上海市人民政府办公厅政府信息公开工作年度报告 → 上海市人民政府办公厅
/// (`after` is the title after `2019年`).
fn office_after_year(after: &str) -> Option<String> {
    let after = after.strip_prefix('度').unwrap_or(after);
    let end = ["政府信息公开", "政务公开", "信息公开"]
        .iter()
        .filter_map(|w| after.find(w))
        .min()?;
    let name = after[..end].trim_end_matches("关于");
    // The office is a name, not a phrase about the report (`本机关`, `全市`).
    (name.chars().count() >= 2 && !name.contains(['的', '年']) && office_kind(name).is_some())
        .then(|| name.to_owned())
}

fn office_name(before_year: &str) -> Option<String> {
    let name = before_year.trim_end_matches(['关', '于']).trim();
    (!name.is_empty()).then(|| name.to_owned())
}

/// `government` for a 人民政府 or its office, `department` for a 局/委/中心…
pub fn office_kind(office: &str) -> Option<OfficeKind> {
    const GOV_SUFFIXES: [&str; 9] = [
        "人民政府",
        "政府",
        "办公厅",
        "办公室",
        "管委会",
        "管理委员会",
        "街道办事处",
        "办事处",
        "人民政府办公室",
    ];
    const DEPT_SUFFIXES: [&str; 18] = [
        "局",
        "委",
        "委员会",
        "办",
        "中心",
        "厅",
        "署",
        "院",
        "所",
        "站",
        "队",
        "部",
        "会",
        "处",
        "社",
        "馆",
        "司",
        "行",
    ];
    const AREA_SUFFIXES: [&str; 10] =
        ["省", "市", "县", "区", "旗", "州", "盟", "镇", "乡", "街道"];
    let ends = |list: &[&str]| list.iter().any(|s| office.ends_with(s));
    if ends(&GOV_SUFFIXES) {
        // A department's own office (`XX局办公室`) is still a department.
        let stem = office.trim_end_matches("办公室").trim_end_matches("办公厅");
        if stem != office && ["局", "委", "中心"].iter().any(|s| stem.ends_with(s)) {
            return Some(OfficeKind::Department);
        }
        return Some(OfficeKind::Government);
    }
    if ends(&DEPT_SUFFIXES) {
        return Some(OfficeKind::Department);
    }
    if ends(&AREA_SUFFIXES) {
        return Some(OfficeKind::Government);
    }
    None
}

fn find_title(text: &str, doc: &Document) -> Option<Located<String>> {
    let blocks: Vec<_> = doc
        .blocks
        .iter()
        .filter(|b| b.kind != BlockKind::Markup)
        .take(TITLE_LINES)
        .collect();
    // Scraped pages carry a `标题:` header line.
    for b in &blocks {
        let line = &text[b.range.clone()];
        if let Some(c) = HEADER_TITLE.captures(line) {
            let m = c.get(1).expect("group 1");
            return Some(Located {
                value: m.as_str().to_owned(),
                span: b.range.start + m.start()..b.range.start + m.end(),
            });
        }
    }
    let is_title = |s: &str| {
        let s = s.trim();
        s.chars().count() <= 80
            && s.contains("报告")
            && (s.contains("信息公开") || s.contains("年度") || s.contains("年报"))
    };
    for (i, b) in blocks.iter().enumerate() {
        let line = text[b.range.clone()].trim_start_matches('#').trim();
        // The office on a line of its own above the rest of the title:
        // 固原市投资促进服务中心 / 2020年政府信息公开工作年度报告
        if let Some(next) = blocks.get(i + 1) {
            let second = text[next.range.clone()].trim_start_matches('#').trim();
            let office = line.chars().count() <= 30
                && !line.contains("报告")
                && !YEAR_IN_TITLE.is_match(line)
                && line
                    .chars()
                    .all(|c| !c.is_ascii_punctuation() && !"，。：；、".contains(c))
                && office_kind(line).is_some();
            if office && is_title(second) && second.starts_with(|c: char| c.is_ascii_digit()) {
                let span = trimmed(text, b.range.start..next.range.end);
                return Some(Located {
                    value: format!("{line}{second}"),
                    span,
                });
            }
        }
        if is_title(line) {
            let span = trimmed(text, b.range.clone());
            return Some(Located {
                value: text[span.clone()].trim_start_matches('#').trim().to_owned(),
                span,
            });
        }
        // A title wrapped onto a second line: 张店区投资促进局2020年政府信息 / 公开工作年度报告
        if let Some(next) = blocks.get(i + 1) {
            let second = text[next.range.clone()].trim();
            if !line.contains("报告")
                && YEAR_IN_TITLE.is_match(line)
                && line.chars().count() <= 40
                && second.ends_with("报告")
                && second.chars().count() <= 30
            {
                let joined = format!("{line}{second}");
                if is_title(&joined) {
                    let span = trimmed(text, b.range.start..next.range.end);
                    return Some(Located {
                        value: joined,
                        span,
                    });
                }
            }
        }
    }
    None
}

fn trimmed(text: &str, r: std::ops::Range<usize>) -> std::ops::Range<usize> {
    let s = &text[r.clone()];
    let start = r.start + (s.len() - s.trim_start().len());
    let end = r.end - (s.len() - s.trim_end().len());
    start..end.max(start)
}

/// The publication date: a `发布时间：`/`日期：` line near the top, else a
/// date standing alone on one of the last lines (the date under the signature).
fn find_published(text: &str, doc: &Document) -> Option<Located<Date>> {
    for b in doc.blocks.iter().take(TITLE_LINES) {
        let line = &text[b.range.clone()];
        if let Some(m) = PUBLISHED_LABEL.find(line) {
            let rest = &line[m.end()..];
            if let Some(d) = find_dates(rest).into_iter().find(|d| d.range.start == 0) {
                let base = b.range.start + m.end();
                return d.date().map(|v| Located {
                    value: v,
                    span: base + d.range.start..base + d.range.end,
                });
            }
        }
    }
    for b in doc.blocks.iter().rev().take(6) {
        let line = text[b.range.clone()].trim();
        let dates = find_dates(line);
        if let [d] = dates.as_slice()
            && d.range.len() + 6 >= line.len()
        {
            let base = b.range.start
                + (text[b.range.clone()].len() - text[b.range.clone()].trim_start().len());
            return d.date().map(|v| Located {
                value: v,
                span: base + d.range.start..base + d.range.end,
            });
        }
    }
    None
}

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm() {
    LazyLock::force(&YEAR_IN_TITLE);
    LazyLock::force(&HEADER_TITLE);
    LazyLock::force(&PUBLISHED_LABEL);
    LazyLock::force(&PERIOD);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office_of(title: &str) -> Option<String> {
        let text = format!("{title}\n一、总体情况\n");
        let doc = crate::read::read(&text, crate::read::Format::Text);
        read(&text, &doc).office
    }

    #[test]
    fn the_office_is_read_before_or_after_the_year() {
        assert_eq!(
            office_of("2019年上海市人民政府办公厅政府信息公开工作年度报告").as_deref(),
            Some("上海市人民政府办公厅")
        );
        assert_eq!(
            office_of("2023年度淮安市洪泽区人民政府政府信息公开工作年度报告").as_deref(),
            Some("淮安市洪泽区人民政府")
        );
        assert_eq!(
            office_of("区招商局政府信息公开工作2018年度报告").as_deref(),
            Some("区招商局")
        );
        assert_eq!(
            office_of("淮安市洪泽区人民政府2024年政府信息公开工作年度报告").as_deref(),
            Some("淮安市洪泽区人民政府")
        );
        // The office on its own line above the year.
        assert_eq!(
            office_of("固原市投资促进服务中心\n2020年政府信息公开工作年度报告").as_deref(),
            Some("固原市投资促进服务中心")
        );
        // No office named: none is made up.
        assert_eq!(office_of("2019年政府信息公开工作年度报告"), None);
        assert_eq!(office_of("2019年度信息公开工作年度报告"), None);
    }

    #[test]
    fn office_kinds() {
        assert_eq!(
            office_kind("上海市人民政府办公厅"),
            Some(OfficeKind::Government)
        );
        assert_eq!(office_kind("平潭综合实验区"), Some(OfficeKind::Government));
        assert_eq!(office_kind("区招商局"), Some(OfficeKind::Department));
        assert_eq!(
            office_kind("汶上县投资促进服务中心"),
            Some(OfficeKind::Department)
        );
        assert_eq!(
            office_kind("平潭综合实验区管委会办公室"),
            Some(OfficeKind::Government)
        );
        assert_eq!(
            office_kind("某市统计局办公室"),
            Some(OfficeKind::Department)
        );
    }
}

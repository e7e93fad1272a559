//! `dates`: dates that cannot exist, the statistics period, the publication
//! deadline, and years that do not belong to the report (domain.md §2).
//! Every check reads the text with full-width digits folded.

use std::ops::Range;
use std::sync::{Arc, LazyLock};

use regex::Regex;

use super::scope::{Folded, Newlines, section_range};
use super::{Check, Compile, Context, Findings, RuleMeta};
use crate::model::{Date, OfficeKind};
use crate::pack::PackError;
use crate::structure::dates::{
    DateMention, ImpossibleDate, days_in_month, find_dates, find_impossible_dates_among,
};

/// The full dates of the folded text, read once for the date rules.
struct FullDates(Vec<DateMention>);

fn dates_of(cx: &Context) -> std::sync::Arc<FullDates> {
    cx.memo.get(|| FullDates(find_dates(&cx.folded().text)))
}
use crate::structure::numerals::year_value;
use crate::structure::stream::key_of;

pub const PLACEHOLDERS: &[&str] = &[
    "日期",
    "年度",
    "起始",
    "终止",
    "应为",
    "发布日期",
    "截止日期",
    "年份",
    "说明",
];

/// The 2019 条例 set the department deadline (1月31日) from the 2019 report
/// on; before, every office had the one 2008 条例 deadline (3月31日).
const FIRST_YEAR_OF_DEPARTMENT_DEADLINE: i32 = 2019;

/// 统计期限/统计时限/统计数据的时限…自Y年M月D日(起)至(Y年)M月D日(止).
static PERIOD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"统计(?:期限|时限|期间|区间|时间|周期|范围|数据)[^。;；\n]{0,40}?",
        r"((?:19|20)[0-9]{2})\s*(?:年|\.|-|/)\s*([0-9]{1,2})\s*(?:月|\.|-|/)\s*([0-9]{1,2})\s*日?",
        r"\s*起?\s*(?:至|到|~|～|-{1,2}|—{1,2}|－)\s*",
        r"(?:((?:19|20)[0-9]{2})\s*(?:年|\.|-|/)\s*)?([0-9]{1,2})\s*(?:月|\.|-|/)\s*([0-9]{1,2})\s*日?",
    ))
    .expect("valid regex")
});
/// A year as written in running text: 2023年, 二〇二三年.
/// A year written before 年, in digits or in Chinese numerals: two patterns,
/// because one alternation of both can no longer look for its rare first
/// characters (一, 二 … are everywhere) and scans eight times slower.
static YEAR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"((?:19|20)[0-9]{2})\s*年").expect("valid regex"));
static YEAR_CN: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([〇零一二三四五六七八九]{4})\s*年").expect("valid regex"));
/// A metadata line's label: 发布时间：, 成文日期：
static DATE_LABEL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:日期|时间)\s*[:：]").expect("valid regex"));

/// What follows a future-tense 将 (a disposal 将 is followed by a noun).
const FUTURE_AFTER_JIANG: &[&str] = &[
    "继续",
    "进一步",
    "持续",
    "加大",
    "加强",
    "加快",
    "重点",
    "着力",
    "按照",
    "根据",
    "依照",
    "采取",
    "不断",
    "切实",
    "全面",
    "积极",
    "围绕",
    "坚持",
    "严格",
    "认真",
    "努力",
    "力争",
    "做好",
    "抓好",
    "推进",
    "推动",
    "完善",
    "健全",
    "提高",
    "提升",
    "强化",
    "深化",
    "扎实",
    "结合",
    "针对",
    "聚焦",
    "紧紧",
    "进行",
    "开展",
    "建立",
    "以",
    "在",
    "从",
    "把",
    "对",
    "于",
    "会",
    "要",
    "重视",
    "注重",
    "更加",
    "大力",
    "及时",
    "逐步",
    "规范",
    "优化",
    "加以",
    "组织",
    "落实",
];
/// Words between the year and 将 that make the clause a past one.
const PAST_MARKERS: &[&str] = &["以来", "已", "曾", "了", "期间"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Invalid,
    Period,
    Deadline,
    FutureYear,
}

#[derive(Debug)]
struct Dates {
    what: What,
    /// future-year: the section holding the improvement plans (`五` or a
    /// title); by default the level-1 section about problems and improvements.
    plans: Option<String>,
}

pub fn compile(cx: &Compile) -> Result<Arc<dyn Check>, PackError> {
    let what = cx.choose(
        &cx.def.check,
        "check",
        &[
            ("invalid", What::Invalid),
            ("period", What::Period),
            ("deadline", What::Deadline),
            ("future-year", What::FutureYear),
        ],
    )?;
    let plans = match &cx.def.scope {
        Some(s) if what != What::FutureYear => {
            return Err(cx.err(
                s,
                "只有 check: future-year 的 dates 规则可以给出 scope（改进计划所在的章节）",
            ));
        }
        Some(s) if s.value.section.trim().is_empty() => {
            return Err(cx.err(s, "scope 的 section 不能为空"));
        }
        Some(s) => Some(s.value.section.clone()),
        None => None,
    };
    Ok(Arc::new(Dates { what, plans }))
}

/// The values of a finding: every placeholder, empty unless given.
fn values(given: Vec<(&'static str, String)>) -> Vec<(&'static str, String)> {
    let mut out: Vec<(&'static str, String)> =
        PLACEHOLDERS.iter().map(|p| (*p, String::new())).collect();
    for (k, v) in given {
        if let Some(slot) = out.iter_mut().find(|(n, _)| *n == k) {
            slot.1 = v;
        }
    }
    out
}

fn chinese_date(d: Date) -> String {
    format!("{}年{}月{}日", d.year, d.month, d.day)
}

impl Check for Dates {
    fn run(&self, cx: &Context, rule: &RuleMeta, out: &mut Findings) {
        match self.what {
            What::Invalid => invalid(cx, rule, out),
            What::Period => period(cx, rule, out),
            What::Deadline => deadline(cx, rule, out),
            What::FutureYear => future_year(cx, rule, out, self.plans.as_deref()),
        }
    }
}

fn why_impossible(d: &ImpossibleDate) -> String {
    match (days_in_month(d.year, d.month), d.day) {
        (None, _) => format!("一年只有12个月，没有{}月", d.month),
        (Some(28), Some(29)) => format!("{}年不是闰年，2月只有28日", d.year.unwrap_or_default()),
        (Some(days), Some(0)) => format!("日期不能为0日，{}月共{days}日", d.month),
        (Some(days), _) => format!("{}月只有{days}日", d.month),
    }
}

fn invalid(cx: &Context, rule: &RuleMeta, out: &mut Findings) {
    let folded = cx.folded();
    let year = cx.report.year.as_ref().map(|y| y.value.to_string());
    for d in find_impossible_dates_among(&folded.text, &dates_of(cx).0) {
        if out.stopped() {
            break;
        }
        let span = folded.original(d.range.clone());
        let written = cx.text()[span.clone()].to_owned();
        let v = values(vec![
            ("日期", written),
            ("说明", why_impossible(&d)),
            ("年度", year.clone().unwrap_or_default()),
        ]);
        out.push(rule.diag(span, &v));
    }
}

fn period(cx: &Context, rule: &RuleMeta, out: &mut Findings) {
    let Some(y) = cx.report.year.as_ref().map(|y| y.value) else {
        return;
    };
    let folded = cx.folded();
    for c in PERIOD.captures_iter(&folded.text) {
        if out.stopped() {
            break;
        }
        let num = |i: usize| c.get(i).and_then(|m| m.as_str().parse::<i32>().ok());
        let (Some(y1), Some(m1), Some(d1), Some(m2), Some(d2)) =
            (num(1), num(2), num(3), num(5), num(6))
        else {
            continue;
        };
        let y2 = num(4).unwrap_or(y1);
        let mut problems = Vec::new();
        if y1 != y || y2 != y {
            let years = if y1 == y2 {
                format!("{y1}年")
            } else {
                format!("{y1}年至{y2}年")
            };
            problems.push(format!("写成了{years}，报告年度是{y}年"));
        }
        if (m1, d1) != (1, 1) || (m2, d2) != (12, 31) || y1 != y2 {
            problems.push("统计期限应为完整的一个自然年".to_owned());
        }
        if problems.is_empty() {
            continue;
        }
        let start = c.get(1).expect("group 1").start();
        let end = c.get(0).expect("group 0").end();
        let span = folded.original(start..end);
        let day_end = c.get(3).expect("group 3").end();
        let start_end = if folded.text[day_end..].starts_with('日') {
            day_end + '日'.len_utf8()
        } else {
            day_end
        };
        let end_start = c.get(4).or(c.get(5)).expect("group 5").start();
        let written_start = cx.text()[folded.original(start..start_end)].to_owned();
        let written_end = cx.text()[folded.original(end_start..end)].to_owned();
        let v = values(vec![
            ("年度", y.to_string()),
            ("起始", written_start),
            ("终止", written_end),
            ("日期", cx.text()[span.clone()].to_owned()),
            ("应为", format!("{y}年1月1日至{y}年12月31日")),
            ("说明", problems.join("；")),
        ]);
        out.push(rule.diag(span, &v));
    }
}

/// The last day a report for `year` may be published (inclusive).
fn deadline_for(cx: &Context, year: i32) -> Date {
    let s = cx.settings;
    let (month, day) = match cx.report.office_kind {
        Some(OfficeKind::Department) if year >= FIRST_YEAR_OF_DEPARTMENT_DEADLINE => {
            s.department_deadline
        }
        // A government, a pre-2019 report (one deadline for all), or an office
        // of unknown kind (the later deadline, so nothing on time is flagged).
        _ => s.government_deadline,
    };
    Date {
        year: year + 1,
        month,
        day,
    }
}

fn deadline(cx: &Context, rule: &RuleMeta, out: &mut Findings) {
    let (Some(year), Some(published)) = (cx.report.year.as_ref(), cx.report.published.as_ref())
    else {
        return;
    };
    let y = year.value;
    let last = deadline_for(cx, y);
    let p = published.value;
    let why = if p.year <= y {
        format!("早于报告年度结束（{y}年12月31日），报告应在{}年发布", y + 1)
    } else if p > last {
        format!("晚于截止日期{}", chinese_date(last))
    } else {
        return;
    };
    let v = values(vec![
        ("年度", y.to_string()),
        ("发布日期", chinese_date(p)),
        ("日期", cx.text()[published.span.clone()].to_owned()),
        ("截止日期", chinese_date(last)),
        ("说明", why),
    ]);
    out.push(rule.diag(published.span.clone(), &v));
}

/// The level-1 section about problems and improvements (五 in the national formats).
fn plans_range(cx: &Context, scope: Option<&str>) -> Option<std::ops::Range<usize>> {
    if let Some(s) = scope {
        return section_range(cx.report, s);
    }
    cx.report
        .sections
        .iter()
        .filter(|s| s.level == 1)
        .find(|s| {
            let t = key_of(&s.title);
            t.contains("问题")
                && ["改进", "整改", "措施", "不足"]
                    .iter()
                    .any(|w| t.contains(w))
        })
        .map(|s| s.span.start..s.body.end)
}

/// Whether a year at `range` (folded) is part of a range or a target
/// (2021-2025年, 到2025年) or a long-term goal (2035年远景目标).
fn is_range_or_target(text: &str, range: &std::ops::Range<usize>) -> bool {
    let before = text[..range.start].trim_end();
    let after = &text[range.end..];
    ["-", "—", "–", "~", "～", "至", "到", "－"]
        .iter()
        .any(|p| before.ends_with(p))
        || after
            .trim_start()
            .trim_start_matches('年')
            .trim_start()
            .starts_with("远景")
}

fn future_year(cx: &Context, rule: &RuleMeta, out: &mut Findings, scope: Option<&str>) {
    let Some(y) = cx.report.year.as_ref().map(|y| y.value) else {
        return;
    };
    let folded = cx.folded();
    let text = folded.text.as_str();
    let published = cx.report.published.as_ref().map(|p| p.span.clone());
    // Metadata and signature lines carry the publication date, which the
    // deadline rule judges. Hits come in order: a line's answer is kept for
    // its next hits (each would search the whole line again).
    let lines = Newlines::new(text);
    let mut last: Option<(usize, bool)> = None;
    let mut is_metadata = |at: usize| {
        let range = lines.line_around(at);
        if let Some((start, metadata)) = last
            && start == range.start
        {
            return metadata;
        }
        let line = &text[range.clone()];
        let metadata = DATE_LABEL.is_match(line)
            || find_dates(line)
                .first()
                .is_some_and(|d| d.range.len() + 6 >= line.trim().len());
        last = Some((range.start, metadata));
        metadata
    };
    let mut hits: Vec<(std::ops::Range<usize>, i32)> = Vec::new();
    // The two never overlap (digits and numerals are different characters).
    let digits = YEAR.captures_iter(text).map(|c| (c, false));
    let numerals = YEAR_CN.captures_iter(text).map(|c| (c, true));
    for (c, chinese) in digits.chain(numerals) {
        let m = c.get(0).expect("group 0");
        let d = c.get(1).expect("group 1");
        let value = if chinese {
            year_value(d.as_str())
        } else {
            d.as_str().parse().ok()
        };
        let (Some(value), digits) = (value, d.range()) else {
            continue;
        };
        if text[..m.start()]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_digit())
        {
            continue;
        }
        hits.push((digits, value));
    }
    // Dates written without 年 (2023-01-05), but not within a web address
    // (/art/2023/5/15/).
    let mut starts: std::collections::HashSet<usize> = hits.iter().map(|(r, _)| r.start).collect();
    for d in &dates_of(cx).0 {
        let in_url = text[..d.range.start]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric() || "/_=".contains(c))
            || text[d.range.end..].starts_with('/');
        if !in_url && starts.insert(d.range.start) {
            hits.push((d.range.start..d.range.start + 4, d.year));
        }
    }
    hits.sort_by_key(|(r, _)| r.start);
    for (range, value) in hits {
        if out.stopped() {
            break;
        }
        if value < y + 2 || is_range_or_target(text, &range) || is_metadata(range.start) {
            continue;
        }
        let span = folded.original(range);
        if published
            .as_ref()
            .is_some_and(|p| p.start <= span.start && span.end <= p.end)
        {
            continue;
        }
        let v = values(vec![
            ("年度", y.to_string()),
            ("年份", value.to_string()),
            ("日期", cx.text()[span.clone()].to_owned()),
            (
                "说明",
                format!("{value}年比报告年度{y}年晚两年以上，可能是笔误或沿用了其他年度的报告"),
            ),
        ]);
        out.push(rule.diag(span, &v));
    }

    // Plans for the report year itself, written as the future.
    let Some(region) = plans_range(cx, scope) else {
        return;
    };
    let folded = Folded::new(&cx.text()[region.clone()], region.start);
    for plan in plans(&folded.text) {
        if out.stopped() {
            break;
        }
        let Ok(value) = folded.text[plan.year.clone()].parse::<i32>() else {
            continue;
        };
        let gap = &folded.text[plan.gap];
        let marker = &folded.text[plan.marker.clone()];
        let after = folded.text[plan.marker.end..].trim_start();
        let future = marker == "拟" || FUTURE_AFTER_JIANG.iter().any(|w| after.starts_with(w));
        if value != y
            || !future
            || PAST_MARKERS.iter().any(|w| gap.contains(w))
            || YEAR.is_match(gap)
            || YEAR_CN.is_match(gap)
        {
            continue;
        }
        let span = folded.original(plan.year);
        let v = values(vec![
            ("年度", y.to_string()),
            ("年份", value.to_string()),
            ("日期", cx.text()[span.clone()].to_owned()),
            ("应为", (y + 1).to_string()),
            (
                "说明",
                format!(
                    "改进计划写的是报告年度{y}年本身，报告发布时该年已经结束，应为{}年",
                    y + 1
                ),
            ),
        ]);
        out.push(rule.diag(span, &v));
    }
}

/// A plan, 2019年，我们将… / 2019年拟…: the year's digits, the text between
/// 年 (or 年度) and the marker, and the marker.
struct Plan {
    year: Range<usize>,
    gap: Range<usize>,
    marker: Range<usize>,
}

/// What the regex `((?:19|20)[0-9]{2})\s*年度?([^。;；!！?？\n]{0,40}?)(将|拟)`
/// finds, leftmost and without overlaps: after each year before 年, the
/// first 将 or 拟 within 40 characters that cross no sentence end. By hand,
/// because that regex's forty copies of its class took 0.8 ms to compile in
/// every run. (Years cannot overlap one another, so each place the regex
/// could start at is a find of `YEAR`.)
fn plans(text: &str) -> impl Iterator<Item = Plan> + '_ {
    let mut done = 0;
    YEAR.captures_iter(text).filter_map(move |c| {
        let (whole, year) = (c.get(0)?, c.get(1)?);
        if whole.start() < done {
            return None;
        }
        let from = whole.end()
            + if text[whole.end()..].starts_with('度') {
                '度'.len_utf8()
            } else {
                0
            };
        for (k, (i, ch)) in text[from..].char_indices().enumerate() {
            if ch == '将' || ch == '拟' {
                let at = from + i;
                done = at + ch.len_utf8();
                return Some(Plan {
                    year: year.range(),
                    gap: from..at,
                    marker: at..done,
                });
            }
            if k == 40 || "。;；!！?？\n".contains(ch) {
                return None;
            }
        }
        None
    })
}

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm() {
    LazyLock::force(&PERIOD);
    LazyLock::force(&YEAR);
    LazyLock::force(&YEAR_CN);
    LazyLock::force(&DATE_LABEL);
}

#[cfg(test)]
mod plan_tests {
    use super::*;

    #[test]
    fn plans_are_found_as_the_regex_finds_them() {
        let regex =
            Regex::new(r"((?:19|20)[0-9]{2})\s*年度?([^。;；!！?？\n]{0,40}?)(将|拟)").unwrap();
        let alphabet = [
            "2019",
            "2020年",
            "1999年度",
            "2",
            "0",
            "年",
            "度",
            "将",
            "拟",
            "将",
            "。",
            "；",
            "!",
            "？",
            "\n",
            " ",
            "a",
            "中",
            "工作",
        ];
        let mut texts = vec![
            format!("2020年{}将", "中".repeat(40)),
            format!("2020年{}将", "中".repeat(41)),
            format!("2020年度{}拟", "中".repeat(40)),
            "2020年度将2021年拟".to_owned(),
            "2020年2021年将".to_owned(),
            "2020 \n 年\n将".to_owned(),
        ];
        // Long runs reach the 40-character limit.
        texts.extend(crate::rules::testing::random_texts(
            &alphabet,
            4000,
            40,
            15,
            0x2545_f491_4f6c_dd1d,
        ));
        let mut found = 0;
        for t in &texts {
            let expected: Vec<_> = regex
                .captures_iter(t)
                .map(|c| {
                    (
                        c.get(1).unwrap().range(),
                        c.get(2).unwrap().range(),
                        c.get(3).unwrap().range(),
                    )
                })
                .collect();
            found += expected.len();
            let got: Vec<_> = plans(t).map(|p| (p.year, p.gap, p.marker)).collect();
            assert_eq!(got, expected, "{t:?}");
        }
        assert!(found > 1000, "{found} plans");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostic;
    use crate::lint::Options;
    use crate::pack::{PackInput, PackSet, PackSource, builtin_inputs, load};

    use crate::source::SourceFile;

    fn pack(rules: &str) -> PackSet {
        let mut inputs = builtin_inputs();
        inputs.push(PackInput {
            origin: "t".into(),
            files: vec![PackSource::yaml(
                "t.yaml",
                format!("pack: t\nrules:\n{rules}"),
            )],
            builtin: false,
        });
        load(&inputs).unwrap()
    }

    fn rule(id: &str, check: &str) -> String {
        format!(
            "  - id: {id}\n    kind: dates\n    category: date\n    severity: warning\n    message: \"{{日期}} {{说明}}\"\n    help: h\n    check: {check}\n"
        )
    }

    fn run_with(set: &PackSet, id: &str, text: &str, options: Options) -> Vec<Diagnostic> {
        crate::rules::testing::run_only(set, id, text, options)
    }

    fn run(check: &str, text: &str) -> Vec<Diagnostic> {
        let set = pack(&rule("x", check));
        run_with(&set, "x", text, Options::default())
    }

    fn seed(prefix: &str) -> String {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/corpus/seeds"
        );
        let name = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .unwrap();
        let bytes = std::fs::read(name).unwrap();
        SourceFile::decode("seed", bytes).unwrap().text
    }

    const GOV_2020: &str = "XX县人民政府2020年政府信息公开工作年度报告\n";
    const DEPT_2019: &str = "XX市统计局2019年政府信息公开工作年度报告\n";

    #[test]
    fn compile_errors_are_in_chinese_and_located() {
        let mut inputs = builtin_inputs();
        inputs.push(PackInput {
            origin: "t".into(),
            files: vec![PackSource::yaml(
                "t.yaml",
                format!("pack: t\nrules:\n{}", rule("x", "someday")),
            )],
            builtin: false,
        });
        let Err(crate::pack::LoadError::Pack(e)) = load(&inputs) else {
            panic!("expected an error");
        };
        assert_eq!(e.line, 9, "{e}");
        assert!(e.message.contains("future-year"), "{e}");

        inputs.last_mut().unwrap().files[0].contents = format!(
            "pack: t\nrules:\n{}    scope: {{ section: 五 }}\n",
            rule("x", "period")
        );
        let Err(crate::pack::LoadError::Pack(e)) = load(&inputs) else {
            panic!("expected an error");
        };
        assert_eq!(e.line, 10, "{e}");
    }

    #[test]
    fn invalid_dates() {
        let text = format!(
            "{GOV_2020}会议于2020年2月30日召开，2020年13月完成，12月32日前报送。\n2020年2月29日、２０２０年４月３１日。\n"
        );
        let found = run("invalid", &text);
        let written: Vec<&str> = found.iter().map(|d| &text[d.span.clone()]).collect();
        assert_eq!(
            written,
            [
                "2020年2月30日",
                "2020年13月",
                "12月32日",
                "２０２０年４月３１日"
            ]
        );
        assert!(
            found[0].message.contains("2月只有29日"),
            "{}",
            found[0].message
        );
        assert!(
            found[1].message.contains("没有13月"),
            "{}",
            found[1].message
        );
        assert!(
            run("invalid", &format!("{GOV_2020}2019年2月29日"))[0]
                .message
                .contains("不是闰年")
        );
    }

    #[test]
    fn statistics_period() {
        let ok =
            format!("{GOV_2020}本报告中所列数据的统计期限自2020年1月1日起至2020年12月31日止。");
        assert!(run("period", &ok).is_empty());
        let ok = format!("{GOV_2020}统计数据的时限自２０２０年１月１日至１２月３１日。");
        assert!(run("period", &ok).is_empty());
        let wrong =
            format!("{GOV_2020}本报告中所列数据的统计期限自2019年1月1日起至2019年12月31日止。");
        let found = run("period", &wrong);
        assert_eq!(found.len(), 1);
        assert_eq!(
            &wrong[found[0].span.clone()],
            "2019年1月1日起至2019年12月31日"
        );
        assert!(found[0].message.contains("2019年"), "{}", found[0].message);
        assert_eq!(found[0].values["起始"], "2019年1月1日");
        assert_eq!(found[0].values["终止"], "2019年12月31日");
        let partial = format!("{GOV_2020}统计时限为2020年1月1日至2020年6月30日。");
        let found = run("period", &partial);
        assert_eq!(found.len(), 1);
        assert!(found[0].message.contains("完整"), "{}", found[0].message);
    }

    #[test]
    fn publication_deadline() {
        // A department: 1月31日 is the last day.
        assert!(run("deadline", &format!("{DEPT_2019}发布时间：2020-01-31\n")).is_empty());
        let late = run("deadline", &format!("{DEPT_2019}发布时间：2020-02-01\n"));
        assert_eq!(late.len(), 1);
        assert!(
            late[0].message.contains("2020年1月31日"),
            "{}",
            late[0].message
        );
        // A government: 3月31日.
        assert!(run("deadline", &format!("{GOV_2020}发布时间：2021-03-31\n")).is_empty());
        assert_eq!(
            run("deadline", &format!("{GOV_2020}发布时间：2021-04-01\n")).len(),
            1
        );
        // Published before the year ended.
        let early = run("deadline", &format!("{GOV_2020}发布时间：2020-12-30\n"));
        assert_eq!(early.len(), 1);
        assert!(early[0].message.contains("早于"), "{}", early[0].message);
        // Before 2019 one deadline applied to all: 3月31日.
        let dept_2018 = "XX市统计局2018年政府信息公开工作年度报告\n发布时间：2019-03-20\n";
        assert!(run("deadline", dept_2018).is_empty());
        // The run's settings decide.
        let set = pack(&rule("x", "deadline"));
        let options = Options {
            settings: crate::rules::RunSettings {
                department_deadline: (2, 28),
                ..Default::default()
            },
            ..Options::default()
        };
        let text = format!("{DEPT_2019}发布时间：2020-02-20\n");
        assert!(run_with(&set, "x", &text, options).is_empty());
        // No publication date, nothing to judge.
        assert!(run("deadline", DEPT_2019).is_empty());
    }

    #[test]
    fn future_years() {
        let text = format!(
            "{GOV_2020}发布时间：2022-02-08\n一、总体情况\n根据《关于做好2023年度政府信息公开工作年度报告编制发布工作的通知》（X政办发〔2023〕1号）要求，\
             结合《XX规划（2021-2025年）》和2035年远景目标，到2025年基本建成。2021年继续推进，2022.03.01印发。\n\
             原文链接：https://x.gov.cn/art/2023/5/15/art_1.html\n"
        );
        let found = run("future-year", &text);
        let written: Vec<&str> = found.iter().map(|d| &text[d.span.clone()]).collect();
        assert_eq!(written, ["2023", "2022"], "{found:?}");
    }

    #[test]
    fn plans_for_the_report_year_itself() {
        let body = |plan: &str| {
            format!(
                "XX县人民政府2019年政府信息公开工作年度报告\n一、总体情况\n2019年，我县将政务公开纳入绩效考核。\n\
                 五、存在的主要问题及改进情况\n存在问题：公开不够全面。{plan}\n六、其他需要报告的事项\n无。\n"
            )
        };
        let found = run("future-year", &body("2019年，我们将进一步加大公开力度。"));
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].values["应为"], "2020");
        assert!(run("future-year", &body("2020年，我们将进一步加大公开力度。")).is_empty());
        // 将 as a disposal marker, or a past clause.
        assert!(run("future-year", &body("2019年，我县将公开工作纳入考核。")).is_empty());
        assert!(
            run(
                "future-year",
                &body("2019年以来已将问题逐步整改，将继续推进。")
            )
            .is_empty()
        );
        assert_eq!(run("future-year", &body("2019年拟新建公开专栏。")).len(), 1);
    }

    /// domain.md §7: what the seeds hold.
    #[test]
    fn seeds() {
        // 002: a department published 2020-01-31, on the deadline.
        let s002 = seed("002_");
        assert!(run("deadline", &s002).is_empty());
        let later = s002.replace("2020年01月31日", "2020年02月01日");
        assert_eq!(run("deadline", &later).len(), 1);
        // 001 and 004 state the report year as the statistics period.
        for s in ["001_", "004_"] {
            let text = seed(s);
            assert!(PERIOD.is_match(&Folded::new(&text, 0).text), "{s}");
            assert!(run("period", &text).is_empty(), "{s}");
        }
        for s in ["000_", "001_", "002_", "003_", "004_"] {
            let text = seed(s);
            assert!(run("invalid", &text).is_empty(), "{s}");
            assert!(run("future-year", &text).is_empty(), "{s}");
        }
    }

    /// A real 2016 report plans for 2016 itself in its improvement section.
    #[test]
    fn real_report_plans_for_its_own_year() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/fixtures/corpus/real/024_pingtan-2016.txt"
        );
        let text = SourceFile::decode("024", std::fs::read(path).unwrap())
            .unwrap()
            .text;
        let found = run("future-year", &text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(text[found[0].span.end..].starts_with("年，我们将采取以下措施"));
        assert_eq!(found[0].values["应为"], "2017");
    }

    /// The built-in rules' examples: valid ones raise nothing, invalid ones do.
    #[test]
    fn builtin_examples() {
        assert!(crate::rules::testing::builtin_examples("dates") >= 4);
    }
}

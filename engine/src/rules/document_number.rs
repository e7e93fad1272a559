//! `document-number`: 发文字号 as GB/T 9704-2012 §7.2.5 prescribes them,
//! 机关代字〔YYYY〕N号 (六角括号, full year, no 第, no leading zeros, no
//! spaces), and 令号 (`国务院令第711号`, where 第 is right). One rule per
//! `check`, so each error has its own id, severity and wording; `superseded`
//! also knows documents by number and title from the rule's `registry`.

use std::ops::Range;
use std::sync::{Arc, LazyLock};

use crate::patterns::CapturesOnMatch;

use regex::Regex;

use super::scope::Newlines;
use super::{Check, Compile, Context, Findings, RuleMeta};
use crate::diagnostic::{Edit, Fix};
use crate::model::Report;
use crate::pack::PackError;

pub const PLACEHOLDERS: &[&str] = &["文号", "应为", "年份", "上限", "报告年度", "标题", "替代"];

/// A bracketed year and a number, with any bracket pair (checked afterwards).
/// Spaces are plain, ideographic or no-break spaces; never a line break or tab.
const BRACKETED_PATTERN: &str = r"([〔\[【（(［〖])[ \u{3000}\u{a0}]*([0-9０-９]{2,4})[ \u{3000}\u{a0}]*([〕\]】）)］〗])(?:[ \u{3000}\u{a0}]*(第))?[ \u{3000}\u{a0}]*([0-9０-９]+)(?:[ \u{3000}\u{a0}]*(号))?";

/// [`BRACKETED_PATTERN`] at the start of the text, tried only where
/// [`bracketed`] finds an opener.
static BRACKETED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(&format!("^(?:{BRACKETED_PATTERN})")).expect("valid regex"));

/// [`BRACKETED_PATTERN`]'s matches in `text`, as the regex's own search
/// would find them, each with the offset its captures are relative to. A
/// match starts at an opener followed, after spaces, by a digit. `(` and `（`
/// are everywhere, so the regex's search stopped at each one; this scan
/// passes them by and tries the anchored regex only where a match can start.
fn bracketed(text: &str) -> Vec<(usize, regex::Captures<'_>)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        // 〔 【 〖 are E3 80 94/90/96; （ ［ are EF BC 88/BB (a lead byte
        // starts a whole character, so the two after it exist).
        let len = match b[i] {
            b'(' | b'[' => 1,
            0xE3 if b[i + 1] == 0x80 && matches!(b[i + 2], 0x90 | 0x94 | 0x96) => 3,
            0xEF if b[i + 1] == 0xBC && matches!(b[i + 2], 0x88 | 0xBB) => 3,
            _ => {
                i += 1;
                continue;
            }
        };
        let digit_next = text[i + len..]
            .chars()
            .find(|c| !matches!(c, ' ' | '\u{3000}' | '\u{a0}'))
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '０'..='９'));
        if digit_next && let Some(c) = BRACKETED.captures(&text[i..]) {
            let end = i + c.get(0).map_or(len, |m| m.end());
            out.push((i, c));
            i = end;
            continue;
        }
        i += len;
    }
    out
}

/// 令号: 国务院令第711号, possibly spaced.
static LING: LazyLock<CapturesOnMatch> = LazyLock::new(|| {
    CapturesOnMatch::new(
        Regex::new(r"令[ \u{3000}\u{a0}]*第[ \u{3000}\u{a0}]*([0-9０-９]+)[ \u{3000}\u{a0}]*号")
            .expect("valid regex"),
    )
});

/// An opening 〔 and digits, to see whether its 〕 follows.
static OPEN_DIGITS: LazyLock<CapturesOnMatch> = LazyLock::new(|| {
    CapturesOnMatch::new(Regex::new(r"〔[ \u{3000}\u{a0}]*([0-9０-９]{2,})").expect("valid regex"))
});

/// Digits and a closing 〕, to see whether its 〔 precedes.
static DIGITS_CLOSE: LazyLock<CapturesOnMatch> = LazyLock::new(|| {
    CapturesOnMatch::new(Regex::new(r"([0-9０-９]{2,})[ \u{3000}\u{a0}]*〕").expect("valid regex"))
});

/// A registry entry as written: 国办公开办函〔2019〕60号 or 国务院令第711号.
static CANON_BRACKETED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\p{Han}+)〔((?:19|20)[0-9]{2})〕([1-9][0-9]*)号$").expect("valid regex")
});
static CANON_LING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\p{Han}*令)第([1-9][0-9]*)号$").expect("valid regex"));

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Brackets,
    YearDigits,
    LeadingZero,
    Di,
    Spaces,
    Unbalanced,
    FutureYear,
    Superseded,
    Premature,
}

const CHECKS: &[(&str, What)] = &[
    ("brackets", What::Brackets),
    ("year-digits", What::YearDigits),
    ("leading-zero", What::LeadingZero),
    ("di", What::Di),
    ("spaces", What::Spaces),
    ("unbalanced", What::Unbalanced),
    ("future-year", What::FutureYear),
    ("superseded", What::Superseded),
    ("premature", What::Premature),
];

/// A number in canonical form: its 代字, year (none for 令号) and sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Number {
    code: String,
    year: Option<i32>,
    seq: u64,
}

impl Number {
    fn parse(s: &str) -> Option<Number> {
        if let Some(c) = CANON_BRACKETED.captures(s) {
            return Some(Number {
                code: c[1].to_owned(),
                year: c[2].parse().ok(),
                seq: c[3].parse().ok()?,
            });
        }
        let c = CANON_LING.captures(s)?;
        Some(Number {
            code: c[1].to_owned(),
            year: None,
            seq: c[2].parse().ok()?,
        })
    }
}

/// A known document whose citation is wrong from some report year on
/// (superseded), or before it (premature: not yet in force).
#[derive(Debug)]
struct Known {
    number: Number,
    written: String,
    title: String,
    /// Whether no other registry entry has the same title, so that the title
    /// alone identifies it (the 2008 and 2019 条例 share theirs).
    title_unique: bool,
    from: i32,
    /// The document to cite instead: the successor, or the predecessor.
    by: String,
    by_number: Number,
}

impl Known {
    fn applies(&self, what: What, year: i32) -> bool {
        match what {
            What::Premature => year < self.from,
            _ => year >= self.from,
        }
    }
}

#[derive(Debug)]
struct DocumentNumbers {
    what: What,
    registry: Vec<Known>,
}

pub fn compile(cx: &Compile) -> Result<Arc<dyn Check>, PackError> {
    let what = cx.choose(&cx.def.check, "check", CHECKS)?;
    let mut registry = Vec::new();
    let uses_registry = matches!(what, What::Superseded | What::Premature);
    match (&cx.def.registry, uses_registry) {
        (Some(r), false) => {
            return Err(cx.err(
                r,
                "registry 只用于 check: superseded 或 premature，不适用于其他 check",
            ));
        }
        (None, true) => {
            cx.need(&cx.def.registry, "registry")?;
        }
        (Some(r), true) => {
            if r.value.is_empty() {
                return Err(cx.err(r, "registry 不能为空"));
            }
            let (from_name, by_name) = if what == What::Premature {
                ("in_force_from", "preceded_by")
            } else {
                ("superseded_from", "superseded_by")
            };
            let titles: Vec<&str> = r.value.iter().map(|d| bare_title(&d.title)).collect();
            for d in &r.value {
                let Some(number) = Number::parse(&d.number) else {
                    return Err(cx.err(
                        r,
                        format!(
                            "registry 中的文号 `{}` 不是规范写法：应写作 机关代字〔年份〕序号号（如 国办公开办函〔2019〕60号）或 令号（如 国务院令第711号）",
                            d.number
                        ),
                    ));
                };
                let title = bare_title(&d.title);
                if title.is_empty() {
                    return Err(cx.err(r, format!("registry 中 `{}` 的 title 不能为空", d.number)));
                }
                let (from, by) = if what == What::Premature {
                    (d.in_force_from, &d.preceded_by)
                } else {
                    (d.superseded_from, &d.superseded_by)
                };
                let Some(from) = from else {
                    if by.is_some() {
                        return Err(cx.err(
                            r,
                            format!(
                                "registry 中 `{}` 给出了 {by_name}，却没有 {from_name}（报告年度）",
                                d.number
                            ),
                        ));
                    }
                    continue;
                };
                if !(1949..=2100).contains(&from) {
                    return Err(cx.err(
                        r,
                        format!(
                            "registry 中 `{}` 的 {from_name} 应为报告年度（如 2021），而不是 {from}",
                            d.number
                        ),
                    ));
                }
                let Some(by) = by else {
                    return Err(cx.err(
                        r,
                        format!(
                            "registry 中 `{}` 给出了 {from_name}，还须用 {by_name} 写明应改为引用的文号",
                            d.number
                        ),
                    ));
                };
                let Some(by_number) = Number::parse(by) else {
                    return Err(cx.err(
                        r,
                        format!(
                            "registry 中 `{}` 的 {by_name} `{by}` 不是规范的发文字号或令号",
                            d.number
                        ),
                    ));
                };
                registry.push(Known {
                    number,
                    written: d.number.clone(),
                    title: title.to_owned(),
                    title_unique: titles.iter().filter(|t| **t == title).count() == 1,
                    from,
                    by: by.clone(),
                    by_number,
                });
            }
            if registry.is_empty() {
                return Err(cx.err(
                    r,
                    format!("registry 中没有任何文件给出 {from_name} 与 {by_name}，规则不会有结果"),
                ));
            }
        }
        (None, false) => {}
    }
    Ok(Arc::new(DocumentNumbers { what, registry }))
}

fn bare_title(t: &str) -> &str {
    t.trim().trim_start_matches('《').trim_end_matches('》')
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{3000}' | '\u{a0}')
}

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FFFF}')
}

/// ASCII digits of a run that may hold full-width ones.
fn ascii_digits(s: &str) -> String {
    s.chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            _ => None,
        })
        .collect()
}

/// Words after which a 机关代字 starts (`根据国办公开办函…`).
const LEAD_INS: &[&str] = &[
    "根据", "按照", "依据", "依照", "参照", "执行", "落实", "贯彻", "印发", "转发", "改为", "的",
    "及", "与", "见", "号和", "号",
];
/// At most this many characters of 代字 are shown.
const MAX_CODE: usize = 10;

/// The Han run just before `at`: the whole run (for registry matching) and
/// the part shown as the 代字 (lead-in words cut off, at most `MAX_CODE` long).
fn code_before(text: &str, at: usize) -> (Range<usize>, Range<usize>) {
    let mut start = at;
    for (i, c) in text[..at].char_indices().rev().take(20) {
        if !is_han(c) {
            break;
        }
        start = i;
    }
    let run = &text[start..at];
    let mut shown = start;
    for w in LEAD_INS {
        if let Some(i) = run.rfind(w) {
            shown = shown.max(start + i + w.len());
        }
    }
    // `…号和国办发〔…`, `…）和国办发〔…`: a conjunction between two citations.
    if shown == start && text[shown..at].starts_with(['和', '或']) && at - shown > 3 {
        shown += '和'.len_utf8();
    }
    if let Some((i, _)) = text[shown..at].char_indices().rev().nth(MAX_CODE - 1) {
        shown += i;
    }
    (start..at, shown..at)
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Form {
    /// 代字〔年份〕序号号, with any brackets.
    Bracketed {
        open: Range<usize>,
        year: Range<usize>,
        close: Range<usize>,
    },
    /// 国务院令第711号.
    Ling,
}

/// A 文号 as written.
#[derive(Debug, Clone)]
struct Candidate {
    /// From the shown 代字 to the end (号, or the number without it).
    span: Range<usize>,
    /// The whole Han run before the bracket (or up to and including 令).
    code_run: Range<usize>,
    code: Range<usize>,
    form: Form,
    di: Option<Range<usize>>,
    seq: Range<usize>,
    /// Runs of spaces inside.
    spaces: Vec<Range<usize>>,
}

/// Whether the last character of a 代字 is one numbers commonly end with.
fn code_like_end(code: &str) -> bool {
    code.ends_with([
        '发', '函', '字', '办', '文', '令', '通', '电', '规', '复', '呈',
    ])
}

fn space_runs(text: &str, r: Range<usize>) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for (i, c) in text[r.clone()].char_indices() {
        if is_space(c) {
            let at = r.start + i;
            match out.last_mut() {
                Some(last) if last.end == at => last.end = at + c.len_utf8(),
                _ => out.push(at..at + c.len_utf8()),
            }
        }
    }
    out
}

/// Every 文号 in `text`, in order.
/// The 文号 candidates of one report.
struct Candidates(Vec<Candidate>);

fn candidates(text: &str) -> Vec<Candidate> {
    let mut out = Vec::new();
    for (at, c) in bracketed(text) {
        let range = |m: regex::Match| at + m.start()..at + m.end();
        let open_m = c.get(1).expect("group 1");
        let year_m = c.get(2).expect("group 2");
        let close_m = c.get(3).expect("group 3");
        let seq_m = c.get(5).expect("group 5");
        let hao = c.get(6);
        let whole = range(c.get(0).expect("group 0"));
        let year = ascii_digits(year_m.as_str());
        match year.len() {
            2 => {}
            4 if year.starts_with("19") || year.starts_with("20") => {}
            _ => continue,
        }
        let (code_run, code) = code_before(text, at + open_m.start());
        let proper = open_m.as_str() == "〔" && close_m.as_str() == "〕";
        if !proper {
            // Other brackets make a 文号 only with a 代字 before and 号 after.
            let code_text = &text[code.clone()];
            if code.is_empty() || hao.is_none() {
                continue;
            }
            if year.len() == 2 && !code_like_end(code_text) {
                continue;
            }
        }
        out.push(Candidate {
            span: code.start..whole.end,
            code_run,
            code,
            form: Form::Bracketed {
                open: range(open_m),
                year: range(year_m),
                close: range(close_m),
            },
            di: c.get(4).map(range),
            seq: range(seq_m),
            spaces: space_runs(text, at + open_m.start()..whole.end),
        });
    }
    for c in LING.captures_iter(text) {
        let whole = c.get(0).expect("group 0");
        let ling_end = whole.start() + '令'.len_utf8();
        let (code_run, code) = code_before(text, ling_end);
        // `令` alone is no 令号: something must name the issuer (国务院令).
        if code.len() <= '令'.len_utf8() {
            continue;
        }
        let di = text[whole.range()]
            .find('第')
            .map(|i| whole.start() + i..whole.start() + i + '第'.len_utf8());
        out.push(Candidate {
            span: code.start..whole.end(),
            code_run,
            code,
            form: Form::Ling,
            di,
            seq: c.get(1).expect("group 1").range(),
            spaces: space_runs(text, whole.range()),
        });
    }
    out.sort_by_key(|c| c.span.start);
    out
}

/// The latest year a cited document may carry: the publication year, else
/// the report year + 1.
fn year_limit(report: &Report) -> Option<i32> {
    report
        .published
        .as_ref()
        .map(|p| p.value.year)
        .or_else(|| report.year.as_ref().map(|y| y.value + 1))
}

/// A two-digit year in full: 20yy unless that is later than the limit.
fn full_year(yy: &str, limit: Option<i32>) -> String {
    let n: i32 = yy.parse().unwrap_or(0);
    let century = match limit {
        Some(l) if 2000 + n > l => 1900,
        Some(_) => 2000,
        None if n <= 50 => 2000,
        None => 1900,
    };
    (century + n).to_string()
}

impl Candidate {
    fn year_text(&self, text: &str) -> Option<String> {
        match &self.form {
            Form::Bracketed { year, .. } => Some(ascii_digits(&text[year.clone()])),
            Form::Ling => None,
        }
    }

    /// The number written as it should be.
    fn canonical(&self, text: &str, limit: Option<i32>) -> String {
        let code = &text[self.code.clone()];
        let seq = ascii_digits(&text[self.seq.clone()]);
        let seq = match seq.trim_start_matches('0') {
            "" => seq.as_str(),
            s => s,
        };
        match self.year_text(text) {
            Some(y) => {
                let y = if y.len() == 2 {
                    full_year(&y, limit)
                } else {
                    y
                };
                format!("{code}〔{y}〕{seq}号")
            }
            None => format!("{code}第{seq}号"),
        }
    }

    fn number(&self, text: &str) -> Option<Number> {
        let seq = ascii_digits(&text[self.seq.clone()]).parse().ok()?;
        let year = match self.year_text(text) {
            Some(y) if y.len() == 4 => Some(y.parse().ok()?),
            Some(_) => return None,
            None => None,
        };
        Some(Number {
            code: String::new(),
            year,
            seq,
        })
    }

    /// Whether this cites `n` (the 代字 written may carry lead-in words).
    fn cites(&self, text: &str, n: &Number) -> bool {
        self.number(text)
            .is_some_and(|m| m.year == n.year && m.seq == n.seq)
            && text[self.code_run.clone()].ends_with(n.code.as_str())
    }
}

impl Check for DocumentNumbers {
    fn run(&self, cx: &Context, rule: &RuleMeta, out: &mut Findings) {
        let text = cx.text();
        let limit = year_limit(cx.report);
        if self.what == What::Unbalanced {
            unbalanced(text, limit, rule, out);
            return;
        }
        // The nine document-number rules read the same candidates.
        let all = cx.memo.get(|| Candidates(candidates(text)));
        let all = &all.0;
        if matches!(self.what, What::Superseded | What::Premature) {
            self.superseded(cx, all, rule, out);
            return;
        }
        for c in all {
            if out.stopped() {
                break;
            }
            // Made only for a finding: most candidates give none in most rules.
            let values = |extra: &[(&'static str, String)]| {
                let mut v = vec![
                    ("文号", text[c.span.clone()].to_owned()),
                    ("应为", c.canonical(text, limit)),
                ];
                v.extend(extra.iter().cloned());
                v
            };
            let fix = |description: String, edits: Vec<Edit>| Some(Fix { description, edits });
            match (self.what, &c.form) {
                (What::Brackets, Form::Bracketed { open, close, .. }) => {
                    let mut edits = Vec::new();
                    for (r, want) in [(open, "〔"), (close, "〕")] {
                        if &text[r.clone()] != want {
                            edits.push(Edit {
                                span: r.clone(),
                                replacement: want.to_owned(),
                            });
                        }
                    }
                    if edits.is_empty() {
                        continue;
                    }
                    let pair = format!("{}{}", &text[open.clone()], &text[close.clone()]);
                    let d = format!("将年份的括号“{pair}”改为六角括号“〔〕”");
                    out.push(rule.diag_with(
                        c.span.clone(),
                        &values(&[]),
                        Vec::new(),
                        fix(d, edits),
                    ));
                }
                (What::YearDigits, Form::Bracketed { year, .. }) => {
                    let y = ascii_digits(&text[year.clone()]);
                    if y.len() != 2 {
                        continue;
                    }
                    let full = full_year(&y, limit);
                    let d = format!("将年份“{y}”写全为“{full}”");
                    let edits = vec![Edit {
                        span: year.clone(),
                        replacement: full.clone(),
                    }];
                    out.push(rule.diag_with(
                        c.span.clone(),
                        &values(&[("年份", full)]),
                        Vec::new(),
                        fix(d, edits),
                    ));
                }
                (What::LeadingZero, Form::Bracketed { .. }) => {
                    let seq = &text[c.seq.clone()];
                    let digits = ascii_digits(seq);
                    let kept = digits.trim_start_matches('0');
                    if kept.is_empty() || kept.len() == digits.len() {
                        continue;
                    }
                    // Drop the leading zeros as written (full-width zeros are 3 bytes).
                    let zeros: usize = seq
                        .chars()
                        .take(digits.len() - kept.len())
                        .map(char::len_utf8)
                        .sum();
                    let d = format!("删去序号“{seq}”前的“0”");
                    let edits = vec![Edit {
                        span: c.seq.start..c.seq.start + zeros,
                        replacement: String::new(),
                    }];
                    out.push(rule.diag_with(
                        c.span.clone(),
                        &values(&[]),
                        Vec::new(),
                        fix(d, edits),
                    ));
                }
                (What::Di, Form::Bracketed { .. }) => {
                    let Some(di) = &c.di else { continue };
                    let edits = vec![Edit {
                        span: di.clone(),
                        replacement: String::new(),
                    }];
                    out.push(rule.diag_with(
                        c.span.clone(),
                        &values(&[]),
                        Vec::new(),
                        fix("删去序号前的“第”".to_owned(), edits),
                    ));
                }
                (What::Spaces, _) => {
                    if c.spaces.is_empty() {
                        continue;
                    }
                    let edits = c
                        .spaces
                        .iter()
                        .map(|r| Edit {
                            span: r.clone(),
                            replacement: String::new(),
                        })
                        .collect();
                    out.push(rule.diag_with(
                        c.span.clone(),
                        &values(&[]),
                        Vec::new(),
                        fix("删去文号中的空格".to_owned(), edits),
                    ));
                }
                (What::FutureYear, Form::Bracketed { year, .. }) => {
                    let Some(limit) = limit else { continue };
                    let y = ascii_digits(&text[year.clone()]);
                    let Ok(n) = y.parse::<i32>() else { continue };
                    if y.len() != 4 || n <= limit {
                        continue;
                    }
                    let report_year = cx
                        .report
                        .year
                        .as_ref()
                        .map_or_else(String::new, |r| r.value.to_string());
                    out.push(rule.diag(
                        c.span.clone(),
                        &values(&[
                            ("年份", y),
                            ("上限", limit.to_string()),
                            ("报告年度", report_year),
                        ]),
                    ));
                }
                _ => {}
            }
        }
    }
}

impl DocumentNumbers {
    fn superseded(&self, cx: &Context, all: &[Candidate], rule: &RuleMeta, out: &mut Findings) {
        let text = cx.text();
        let Some(year) = cx.report.year.as_ref().map(|y| y.value) else {
            return;
        };
        let lines = Newlines::new(text);
        for k in self.registry.iter().filter(|k| k.applies(self.what, year)) {
            // A line that also cites the successor compares the two; leave it.
            let cites_successor = |line: &Range<usize>| {
                all.iter().any(|c| {
                    line.start <= c.span.start
                        && c.span.end <= line.end
                        && c.cites(text, &k.by_number)
                })
            };
            let values = |written: String| {
                vec![
                    ("文号", written),
                    ("应为", k.by.clone()),
                    ("替代", k.by.clone()),
                    ("标题", k.title.clone()),
                    ("年份", k.from.to_string()),
                    ("报告年度", year.to_string()),
                ]
            };
            let mut lines_hit: Vec<Range<usize>> = Vec::new();
            for c in all.iter().filter(|c| c.cites(text, &k.number)) {
                if out.stopped() {
                    break;
                }
                let line = lines.line_around(c.span.start);
                if cites_successor(&line) {
                    continue;
                }
                lines_hit.push(line);
                out.push(rule.diag(c.span.clone(), &values(text[c.span.clone()].to_owned())));
            }
            // Cited by title alone: the full title, or from 关于 on after 国务院办公厅/国办.
            let short = k
                .title
                .find("关于")
                .map(|i| &k.title[i..])
                .filter(|s| s.chars().count() >= 10 && *s != k.title);
            let mut seen: Vec<Range<usize>> = Vec::new();
            let keys = std::iter::once(k.title.as_str()).chain(short);
            for key in keys.filter(|_| k.title_unique) {
                for (i, _) in text.match_indices(key) {
                    let span = i..i + key.len();
                    if seen
                        .iter()
                        .any(|s| s.start <= span.start && span.end <= s.end)
                    {
                        continue;
                    }
                    let line = lines.line_around(i);
                    if key != k.title {
                        let before = &text[line.start..i];
                        if !before.contains("国务院办公厅") && !before.contains("国办") {
                            continue;
                        }
                    }
                    if lines_hit.contains(&line) || cites_successor(&line) {
                        continue;
                    }
                    // A number cited elsewhere on the line settles which document it is.
                    seen.push(span.clone());
                    let span = widen_to_marks(text, span);
                    out.push(rule.diag(span, &values(k.written.clone())));
                }
            }
        }
    }
}

/// `span` with the 《》 around it, when they are there.
fn widen_to_marks(text: &str, span: Range<usize>) -> Range<usize> {
    if text[..span.start].ends_with('《') && text[span.end..].starts_with('》') {
        span.start - '《'.len_utf8()..span.end + '》'.len_utf8()
    } else {
        span
    }
}

/// 〔 with no 〕 after its digits (`裕政〔201510号`), and 〕 with no 〔 before them.
fn unbalanced(text: &str, limit: Option<i32>, rule: &RuleMeta, out: &mut Findings) {
    let closers = ['〕', ']', '】', '）', ')', '］', '〗'];
    let openers = ['〔', '[', '【', '（', '(', '［', '〖'];
    let mut found: Vec<(Range<usize>, String, Option<Edit>)> = Vec::new();
    for c in OPEN_DIGITS.captures_iter(text) {
        let whole = c.get(0).expect("group 0");
        let digits_m = c.get(1).expect("group 1");
        let after = text[whole.end()..].trim_start_matches(is_space);
        // A 〔 closed a little later (`〔2019年〕`) is odd, but not unbalanced.
        let near: String = after
            .chars()
            .take_while(|&ch| ch != '\n' && ch != '〔')
            .take(8)
            .collect();
        let digits = ascii_digits(digits_m.as_str());
        // Year and number run together (〔201510）): only a 〕 would close it.
        let closed = if digits.len() > 4 {
            near.contains('〕')
        } else {
            near.contains(closers)
        };
        if closed {
            continue;
        }
        let mut end = whole.end();
        if after.starts_with('号') {
            end = text.len() - after.len() + '号'.len_utf8();
        }
        let (_, code) = code_before(text, whole.start());
        let year = &digits[..4.min(digits.len())];
        let year_ok = digits.len() >= 4
            && (year.starts_with("19") || year.starts_with("20"))
            && limit.is_none_or(|l| year.parse::<i32>().is_ok_and(|y| y <= l));
        let rest_ok = digits.len() > 4 || after.starts_with(|ch: char| ch.is_ascii_digit());
        let (right, edit) = if year_ok && rest_ok {
            // Insert 〕 after the fourth digit as written.
            let at = digits_m.start()
                + digits_m
                    .as_str()
                    .chars()
                    .take(4)
                    .map(char::len_utf8)
                    .sum::<usize>();
            let mut fixed = text[code.start..end].to_owned();
            fixed.insert(at - code.start, '〕');
            (
                fixed,
                Some(Edit {
                    span: at..at,
                    replacement: "〕".to_owned(),
                }),
            )
        } else {
            (String::new(), None)
        };
        found.push((code.start..end, right, edit));
    }
    for c in DIGITS_CLOSE.captures_iter(text) {
        let digits_m = c.get(1).expect("group 1");
        let whole = c.get(0).expect("group 0");
        let before = text[..digits_m.start()].trim_end_matches(is_space);
        if before.ends_with(openers) || before.ends_with(|ch: char| ch.is_ascii_digit()) {
            continue;
        }
        let digits = ascii_digits(digits_m.as_str());
        let (_, code) = code_before(text, digits_m.start());
        let after = text[whole.end()..].trim_start_matches(is_space);
        let mut end = whole.end();
        if let Some(rest) =
            after.strip_prefix(|ch: char| ch.is_ascii_digit() || ('０'..='９').contains(&ch))
        {
            let rest = rest
                .trim_start_matches(|ch: char| ch.is_ascii_digit() || ('０'..='９').contains(&ch));
            end = text.len() - rest.len();
            if rest.starts_with('号') {
                end += '号'.len_utf8();
            }
        }
        let year_ok = digits.len() == 4 && (digits.starts_with("19") || digits.starts_with("20"));
        let (right, edit) = if year_ok && !code.is_empty() {
            let mut fixed = text[code.start..end].to_owned();
            fixed.insert(digits_m.start() - code.start, '〔');
            (
                fixed,
                Some(Edit {
                    span: digits_m.start()..digits_m.start(),
                    replacement: "〔".to_owned(),
                }),
            )
        } else {
            (String::new(), None)
        };
        found.push((code.start..end, right, edit));
    }
    found.sort_by_key(|f| f.0.start);
    for (span, right, edit) in found {
        if out.stopped() {
            break;
        }
        let fix = edit.map(|e| Fix {
            description: format!("补上缺失的“{}”", e.replacement),
            edits: vec![e],
        });
        let values = [("文号", text[span.clone()].to_owned()), ("应为", right)];
        out.push(rule.diag_with(span, &values, Vec::new(), fix));
    }
}

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm() {
    LazyLock::force(&BRACKETED);
    LazyLock::force(&LING);
    LazyLock::force(&OPEN_DIGITS);
    LazyLock::force(&DIGITS_CLOSE);
    LazyLock::force(&CANON_BRACKETED);
    LazyLock::force(&CANON_LING);
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::diagnostic::Diagnostic;

    #[test]
    fn bracket_scan_finds_what_the_regex_search_finds() {
        let search = Regex::new(BRACKETED_PATTERN).unwrap();
        let groups = |c: &regex::Captures, at: usize| -> Vec<Option<Range<usize>>> {
            c.iter()
                .map(|m| m.map(|m| at + m.start()..at + m.end()))
                .collect()
        };
        // Openers, closers, digits, spaces, 第/号 and other text, mixed.
        let pool: Vec<&str> = "〔 [ 【 （ ( ［ 〖 〕 ] 】 ） ) ］ 〗 2019 20 1 ０ ２０２３ 12345 第 号 国办发 中 ， 。 a \
             〔2019〕 （20 (２０２３ 19] 〕12 第3号 8号"
            .split(' ')
            .chain([" ", "\u{3000}", "\u{a0}", "\t", "\n"])
            .collect();
        let mut seed = 11u64;
        let mut matched = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            for _ in 0..(seed >> 60) + 2 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pool[(seed >> 33) as usize % pool.len()]);
            }
            let want: Vec<_> = search.captures_iter(&text).map(|c| groups(&c, 0)).collect();
            let got: Vec<_> = bracketed(&text)
                .iter()
                .map(|(at, c)| groups(c, *at))
                .collect();
            assert_eq!(got, want, "{text:?}");
            matched += want.len();
        }
        // The strings must reach the matching path, not only the scan.
        assert!(matched > 1_000, "{matched} matches");
    }
    use crate::lint::Options;
    use crate::pack::{PackInput, PackSet, PackSource, builtin_inputs, load};

    fn with_pack(yaml: &str) -> PackSet {
        let mut v = builtin_inputs();
        v.push(PackInput {
            origin: "t.yaml".into(),
            files: vec![PackSource::yaml("t.yaml", yaml)],
            builtin: false,
        });
        load(&v).unwrap_or_else(|e| panic!("{e}"))
    }

    fn pack_error(yaml: &str) -> String {
        let mut v = builtin_inputs();
        v.push(PackInput {
            origin: "t.yaml".into(),
            files: vec![PackSource::yaml("t.yaml", yaml)],
            builtin: false,
        });
        match load(&v) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("expected an error"),
        }
    }

    fn run(set: &PackSet, id: &str, text: &str) -> Vec<Diagnostic> {
        crate::rules::testing::run_only(set, id, text, Options::default())
    }

    fn apply(text: &str, d: &Diagnostic) -> String {
        let mut out = text.to_owned();
        let mut edits = d.fix.as_ref().expect("a fix").edits.clone();
        edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
        for e in edits {
            out.replace_range(e.span, &e.replacement);
        }
        out
    }

    fn builtin() -> PackSet {
        load(&builtin_inputs()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn hits<'a>(ds: &'a [Diagnostic], text: &'a str) -> Vec<&'a str> {
        ds.iter().map(|d| &text[d.span.clone()]).collect()
    }

    #[test]
    fn recognises_numbers_cjk_safely() {
        let text = "根据国办公开办函〔2019〕60号和（汶政办发[2019]第018 号）及国务院令 第 711 号，第（一）项（2019）12月";
        let cs = candidates(text);
        let shown: Vec<&str> = cs.iter().map(|c| &text[c.span.clone()]).collect();
        assert_eq!(
            shown,
            [
                "国办公开办函〔2019〕60号",
                "汶政办发[2019]第018 号",
                "国务院令 第 711 号"
            ]
        );
        assert_eq!(cs[1].canonical(text, None), "汶政办发〔2019〕18号");
        assert_eq!(cs[2].canonical(text, None), "国务院令第711号");
        // Court case numbers and bare parenthesised years are not 文号.
        assert!(candidates("（2019）京0105行初123号").is_empty());
        assert!(candidates("截至（2019）12月").is_empty());
        assert!(candidates("令第3号").is_empty());
    }

    #[test]
    fn each_check_finds_its_error_and_fixes_it() {
        let set = builtin();
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "doc-number-brackets",
                "依据国办发[2019]3号。",
                "依据国办发〔2019〕3号。",
                "国办发[2019]3号",
            ),
            (
                "doc-number-year-digits",
                "依据国办发〔19〕3号。",
                "依据国办发〔2019〕3号。",
                "国办发〔19〕3号",
            ),
            (
                "doc-number-leading-zero",
                "依据国办公开办函〔2019〕060号。",
                "依据国办公开办函〔2019〕60号。",
                "国办公开办函〔2019〕060号",
            ),
            (
                "doc-number-di",
                "依据国办公开办函〔2019〕第60号。",
                "依据国办公开办函〔2019〕60号。",
                "国办公开办函〔2019〕第60号",
            ),
            (
                "doc-number-spaces",
                "（国办公开办函〔2019〕60 号）",
                "（国办公开办函〔2019〕60号）",
                "国办公开办函〔2019〕60 号",
            ),
            (
                "doc-number-unbalanced",
                "依据裕政〔201510号文件",
                "依据裕政〔2015〕10号文件",
                "裕政〔201510号",
            ),
        ];
        for (id, text, fixed, hit) in cases {
            let ds = run(&set, id, text);
            assert_eq!(hits(&ds, text), [*hit], "{id}: {ds:?}");
            assert_eq!(apply(text, &ds[0]), *fixed, "{id}");
        }
        let text = "依据国办发（2020）5号。";
        let ds = run(&set, "doc-number-brackets", text);
        assert_eq!(apply(text, &ds[0]), "依据国办发〔2020〕5号。");
    }

    #[test]
    fn ling_numbers_keep_their_di() {
        let set = builtin();
        let text = "根据《中华人民共和国政府信息公开条例》（国务院令第711号）编制。";
        assert!(run(&set, "doc-number-di", text).is_empty());
        assert!(run(&set, "doc-number-spaces", text).is_empty());
    }

    #[test]
    fn seed_001_spaces() {
        let set = builtin();
        let text = "根据《中华人民共和国政府信息公开条例》（国务院令 第 711 号，以下简称《条例》）和《国务院办公厅政府信息公开办公室关于政府信息公开工作年度报告有关事项的通知》（国办公开办函〔2019〕60 号）要求";
        let ds = run(&set, "doc-number-spaces", text);
        assert_eq!(
            hits(&ds, text),
            ["国务院令 第 711 号", "国办公开办函〔2019〕60 号"]
        );
        assert_eq!(
            apply(text, &ds[0]),
            text.replace("国务院令 第 711 号", "国务院令第711号")
        );
        assert_eq!(ds[1].values["应为"], "国办公开办函〔2019〕60号");
        for id in [
            "doc-number-di",
            "doc-number-brackets",
            "doc-number-leading-zero",
        ] {
            assert!(run(&set, id, text).is_empty(), "{id}");
        }
    }

    #[test]
    fn full_width_digits_and_unbalanced_forms() {
        let set = builtin();
        let text = "见國辦公開辦函〔202130、国办发2019〕3号。";
        let ds = run(&set, "doc-number-unbalanced", text);
        assert_eq!(hits(&ds, text), ["國辦公開辦函〔202130", "国办发2019〕3号"]);
        assert_eq!(
            apply(text, &ds[1]),
            "见國辦公開辦函〔202130、国办发〔2019〕3号。"
        );
        let text = "依据国办发〔２０１９〕０６号。";
        let ds = run(&set, "doc-number-leading-zero", text);
        assert_eq!(apply(text, &ds[0]), "依据国办发〔２０１９〕６号。");
        assert!(run(&set, "doc-number-unbalanced", "〔注〕与〔2019〕60号").is_empty());
    }

    #[test]
    fn future_years_use_the_publication_year() {
        let set = builtin();
        let cite = "根据某政发〔2020〕1号和某政发〔2021〕2号要求。\n";
        let y2019 = "XX县人民政府2019年政府信息公开工作年度报告\n";
        let y2020 = "XX县人民政府2020年政府信息公开工作年度报告\n";
        let text = format!("{y2019}{cite}");
        let ds = run(&set, "doc-number-future-year", &text);
        assert_eq!(hits(&ds, &text), ["某政发〔2021〕2号"]);
        assert_eq!(ds[0].values["上限"], "2020");
        let text = format!("{y2020}{cite}");
        assert!(run(&set, "doc-number-future-year", &text).is_empty());
        // Published in January 2021: a 2021 number is possible.
        let text = format!("{y2020}{cite}\n2021年1月20日\n");
        assert!(run(&set, "doc-number-future-year", &text).is_empty());
        // Published in 2020 (a late 2019 report): it is not.
        let text = format!("{y2019}{cite}\n2020年3月20日\n");
        let ds = run(&set, "doc-number-future-year", &text);
        assert_eq!(hits(&ds, &text), ["某政发〔2021〕2号"]);
        // Without a year nothing can be judged.
        assert!(run(&set, "doc-number-future-year", "某政发〔2099〕1号").is_empty());
    }

    #[test]
    fn the_2008_and_2019_regulations_by_report_year() {
        let set = builtin();
        let cite =
            |n: &str| format!("根据《中华人民共和国政府信息公开条例》（国务院令第{n}号）编制。\n");
        let head = |y: i32| format!("XX区招商局{y}年政府信息公开工作年度报告\n");
        let t = format!("{}{}", head(2019), cite("492"));
        let ds = run(&set, "doc-number-superseded", &t);
        assert_eq!(hits(&ds, &t), ["国务院令第492号"]);
        assert!(
            ds[0].message.contains("国务院令第711号"),
            "{}",
            ds[0].message
        );
        assert!(
            run(
                &set,
                "doc-number-superseded",
                &format!("{}{}", head(2018), cite("492"))
            )
            .is_empty()
        );
        let t = format!("{}{}", head(2018), cite("711"));
        let ds = run(&set, "doc-number-premature", &t);
        assert_eq!(hits(&ds, &t), ["国务院令第711号"]);
        assert_eq!(
            ds[0].message,
            "2018年度报告引用了“国务院令第711号”，但该文件自2019年度起才适用"
        );
        assert!(
            run(
                &set,
                "doc-number-premature",
                &format!("{}{}", head(2019), cite("711"))
            )
            .is_empty()
        );
        // The title alone does not say which version: no finding either way.
        let bare = "根据《中华人民共和国政府信息公开条例》编制。\n";
        for y in [2015, 2022] {
            for r in ["doc-number-superseded", "doc-number-premature"] {
                assert!(
                    run(&set, r, &format!("{}{bare}", head(y))).is_empty(),
                    "{r} {y}"
                );
            }
        }
        // History on one line names both.
        let history =
            "条例于2007年4月5日以国务院令第492号公布，2019年4月3日以国务院令第711号修订。\n";
        assert!(
            run(
                &set,
                "doc-number-superseded",
                &format!("{}{history}", head(2020))
            )
            .is_empty()
        );
        assert!(
            run(
                &set,
                "doc-number-premature",
                &format!("{}{history}", head(2018))
            )
            .is_empty()
        );
    }

    #[test]
    fn superseded_by_number_or_title() {
        let set = builtin();
        let y2021 = "XX县人民政府2021年政府信息公开工作年度报告\n";
        let y2020 = "XX县人民政府2020年政府信息公开工作年度报告\n";
        let cite = "根据《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的通知》（国办公开办函〔2019〕60 号）要求编制。\n";
        let ds = run(&set, "doc-number-superseded", &format!("{y2021}{cite}"));
        assert_eq!(ds.len(), 1, "{ds:?}");
        assert_eq!(ds[0].values["替代"], "国办公开办函〔2021〕30号");
        assert!(run(&set, "doc-number-superseded", &format!("{y2020}{cite}")).is_empty());
        let by_title = "根据国务院办公厅政府信息公开与政务公开办公室《关于政府信息公开工作年度报告有关事项的通知》要求编制。\n";
        let text = format!("{y2021}{by_title}");
        let ds = run(&set, "doc-number-superseded", &text);
        assert_eq!(
            hits(&ds, &text),
            ["《关于政府信息公开工作年度报告有关事项的通知》"]
        );
        let both = "格式由国办公开办函〔2019〕60号改为国办公开办函〔2021〕30号。\n";
        assert!(run(&set, "doc-number-superseded", &format!("{y2021}{both}")).is_empty());
        // Another office's number 60 of 2019 is not the national notice.
        let other = "根据X政办函〔2019〕60号要求。\n";
        assert!(run(&set, "doc-number-superseded", &format!("{y2021}{other}")).is_empty());
    }

    #[test]
    fn a_pack_registry_can_name_ling_numbers() {
        let set = with_pack(
            "pack: t\nrules:\n  - id: t-old-tiaoli\n    kind: document-number\n    category: doc-number\n    severity: warning\n    message: \"{报告年度}年度报告引用了{文号}，应为{替代}\"\n    help: h\n    check: superseded\n    registry:\n      - number: 国务院令第492号\n        title: 中华人民共和国政府信息公开条例\n        superseded_from: 2019\n        superseded_by: 国务院令第711号\n",
        );
        let text = "XX县人民政府2019年政府信息公开工作年度报告\n根据《中华人民共和国政府信息公开条例》（国务院令 第492号）编制。\n";
        let ds = run(&set, "t-old-tiaoli", text);
        assert_eq!(hits(&ds, text), ["国务院令 第492号"]);
        assert_eq!(
            ds[0].message,
            "2019年度报告引用了国务院令 第492号，应为国务院令第711号"
        );
        // The title alone is shared by both versions: a line citing 711 is fine.
        let text = "XX县人民政府2019年政府信息公开工作年度报告\n根据《中华人民共和国政府信息公开条例》（国务院令第711号）编制。\n";
        assert!(run(&set, "t-old-tiaoli", text).is_empty());
    }

    #[test]
    fn compile_errors_are_located() {
        let base = "pack: t\nrules:\n  - id: t1\n    kind: document-number\n    category: doc-number\n    severity: error\n    message: m\n    help: h\n";
        let e = pack_error(&format!("{base}    check: braces\n"));
        assert!(e.contains("brackets") && e.contains(":9:"), "{e}");
        let e = pack_error(&format!("{base}    check: superseded\n"));
        assert!(e.contains("registry"), "{e}");
        let e = pack_error(&format!(
            "{base}    check: brackets\n    registry:\n      - {{ number: 国办发〔2019〕1号, title: t }}\n"
        ));
        assert!(e.contains("superseded"), "{e}");
        let e = pack_error(&format!(
            "{base}    check: superseded\n    registry:\n      - {{ number: \"国办发[2019]1号\", title: t, superseded_from: 2021, superseded_by: 国办发〔2021〕1号 }}\n"
        ));
        assert!(e.contains("国办发[2019]1号"), "{e}");
        let e = pack_error(&format!(
            "{base}    check: superseded\n    registry:\n      - {{ number: 国办发〔2019〕1号, title: t, superseded_from: 2021 }}\n"
        ));
        assert!(e.contains("superseded_by"), "{e}");
        let e = pack_error(&base.replace("message: m", "message: \"{文号}与{左}\""));
        assert!(e.contains("{左}"), "{e}");
    }

    /// Every built-in document-number rule's examples behave as they say.
    #[test]
    fn builtin_examples() {
        assert_eq!(
            crate::rules::testing::builtin_examples("document-number"),
            CHECKS.len()
        );
    }
}

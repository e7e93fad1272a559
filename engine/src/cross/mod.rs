//! Checks across reports: one office's report of year N against its report
//! of year N−1. No linter of single files can see these; reviewers do them by
//! hand.
//!
//! - [`CARRY_OVER`] (error, `consistency`): 表三 row 二、上年结转政府信息公开申请数量
//!   of year N equals row 四、结转下年度继续办理 of year N−1, in every column.
//! - [`IN_FORCE`] (warning, `consistency`): in the 2021 format's 表二, each
//!   row's 现行有效件数 equals last year's 现行有效件数 + 本年制发件数 −
//!   本年废止件数 (a document may also lapse when its term ends, hence a warning).
//! - [`SIMILAR_TEXT`] (warning, `style`): the prose repeats last year's: the
//!   Jaccard similarity of the two reports' sets of 5-character shingles is
//!   over 50 % (see [`similarity`]).
//!
//! Reports are grouped by office (the name read from the title, normalised by
//! [`office_key`]; a name written with the larger areas it lies in,
//! 淮安市洪泽区人民政府, meets the same name without them, 洪泽区人民政府, see
//! [`extends_office`]) and paired by consecutive report years. A cell that is
//! missing, blank or unreadable is never taken as zero: the identity is then
//! reported as not assessable (a warning flagged `not_assessable`).
//!
//! Every finding belongs to the later report: its span and its `related`
//! spans are in that report's text. The place in the earlier report is kept
//! in the diagnostic's `values` (see [`Elsewhere`]), so it survives
//! baselines and filters and every renderer can show it; the message names
//! both files.
//!
//! Like the rest of the engine this module never touches the file system: the
//! caller parses the reports and passes them in.

mod similarity;
mod tables;

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use crate::diagnostic::{Category, Diagnostic, Related, Severity};
use crate::model::{Report, Span};
use crate::source::SourceFile;

pub use similarity::{SHINGLE, THRESHOLD, prose, similarity};

/// This year's 上年结转 differs from last year's 结转下年度继续办理.
pub const CARRY_OVER: &str = "cross-carry-over";
/// 现行有效件数 ≠ last year's + 本年制发件数 − 本年废止件数.
pub const IN_FORCE: &str = "cross-in-force";
/// The report repeats most of last year's text.
pub const SIMILAR_TEXT: &str = "cross-similar-text";

/// The cross-document rules: id, category, default severity, a one-line
/// description (Chinese) for rule listings.
pub const RULES: &[(&str, Category, Severity, &str)] = &[
    (
        CARRY_OVER,
        Category::Consistency,
        Severity::Error,
        "本年表三“上年结转政府信息公开申请数量”应等于上年报告“结转下年度继续办理”（逐列）",
    ),
    (
        IN_FORCE,
        Category::Consistency,
        Severity::Warning,
        "2021 版表二：现行有效件数应等于上年现行有效件数加本年制发件数减本年废止件数",
    ),
    (
        SIMILAR_TEXT,
        Category::Style,
        Severity::Warning,
        "正文与上年报告相似度超过 50%（5 字片段的 Jaccard 系数，不计表格与数字）",
    ),
];

/// One parsed report given to the cross-document pass.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub source: &'a SourceFile,
    pub report: &'a Report,
}

impl<'a> From<&'a crate::Parsed> for Input<'a> {
    fn from(p: &'a crate::Parsed) -> Self {
        Input {
            source: &p.source,
            report: &p.report,
        }
    }
}

/// A finding of the cross-document pass.
#[derive(Debug, Clone)]
pub struct Finding {
    /// Index (into the inputs) of the report the finding belongs to, the later year.
    pub report: usize,
    /// Index of the earlier year's report it was compared with.
    pub previous: usize,
    /// Span and related spans are in `report`'s text; the place in
    /// `previous` is in the values ([`Elsewhere::of`]).
    pub diagnostic: Diagnostic,
}

/// The key reports of one office share: the office name in NFKC with
/// everything but letters and digits removed, and 管理委员会 shortened to
/// 管委会. `平潭综合实验区管理委员会` and `平潭综合实验区 管委会` meet; a
/// government and its 办公厅 do not (each publishes its own report).
pub fn office_key(office: &str) -> String {
    let s: String = office.nfkc().filter(|c| c.is_alphanumeric()).collect();
    s.replace("管理委员会", "管委会")
}

/// Of several different reports of one office for the previous year, how
/// many each report is compared with.
pub const MAX_PREVIOUS: usize = 3;

/// The larger areas written before an office's own name, one or more of
/// 江苏省, 淮安市, 延边朝鲜族自治州, 锡林郭勒盟 (the whole prefix must be such names).
static LARGER_AREAS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\p{Han}{1,10}?(?:特别行政区|自治区|自治州|地区|省|市|州|盟))+$")
        .expect("valid regex")
});
/// The area an office's own name starts with: 洪泽区, 昆山市, 某某县.
static OWN_AREA: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\p{Han}{1,10}?(?:自治县|自治旗|自治州|新区|市|区|县|旗|州|盟|镇|乡|街道)")
        .expect("valid regex")
});

/// Whether the office key `long` is the key `short` with the larger areas
/// it lies in written before it: `淮安市洪泽区人民政府` extends
/// `洪泽区人民政府`, and `江苏省淮安市洪泽区人民政府` extends both. `short` must
/// itself start with an area's name, so `某市统计局` does not extend
/// `统计局`, and `上海市人民政府办公厅` does not extend `上海市人民政府` (a
/// government and its 办公厅 each publish their own report).
pub fn extends_office(long: &str, short: &str) -> bool {
    let Some(prefix) = long.strip_suffix(short) else {
        return false;
    };
    !prefix.is_empty()
        && OWN_AREA.find(short).is_some_and(|m| m.end() < short.len())
        && LARGER_AREAS.is_match(prefix)
}

/// The key each office is grouped under: its [`office_key`], or the key of
/// the one office among `keys` that writes it with larger areas before it
/// ([`extends_office`]). When several different offices extend it (南京市鼓楼区
/// and 福州市鼓楼区 both extend 鼓楼区), it is left alone: which one it is
/// cannot be told.
pub fn grouping_keys(keys: &[String]) -> Vec<String> {
    let mut distinct: Vec<&String> = keys.iter().collect();
    distinct.sort();
    distinct.dedup();
    // Worked out once per distinct name: a run holds many reports per office.
    let by_name: HashMap<&String, String> = distinct
        .iter()
        .map(|&k| {
            let mut longer: Vec<&String> = distinct
                .iter()
                .copied()
                .filter(|l| extends_office(l, k))
                .collect();
            longer.sort_by_key(|l| l.len());
            // The extensions must form one chain (each extends the one before).
            let chain = longer.windows(2).all(|w| extends_office(w[1], w[0]));
            let g = match longer.last() {
                Some(l) if chain => (*l).clone(),
                _ => k.clone(),
            };
            (k, g)
        })
        .collect();
    keys.iter().map(|k| by_name[k].clone()).collect()
}

/// The consecutive-year pairs among the inputs, as `(previous, current)`
/// indices, by office and year: same office ([`office_key`], with
/// [`extends_office`] among the inputs' names), years N−1 and N. Reports
/// without an office or a year take part in none. Of several earlier reports
/// with the very same text (one file given twice), only the first is used.
pub fn pairs(inputs: &[Input]) -> Vec<(usize, usize)> {
    let mut found: Vec<(usize, String, i32)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let (Some(office), Some(year)) = (&input.report.office, &input.report.year) else {
            continue;
        };
        let key = office_key(office);
        if key.is_empty() {
            continue;
        }
        found.push((i, key, year.value));
    }
    let keys: Vec<String> = found.iter().map(|(_, k, _)| k.clone()).collect();
    let mut groups: BTreeMap<(String, i32), Vec<usize>> = BTreeMap::new();
    for ((i, _, year), key) in found.iter().zip(grouping_keys(&keys)) {
        groups.entry((key, *year)).or_default().push(*i);
    }
    let mut out = Vec::new();
    for ((office, year), current) in &groups {
        let Some(previous) = groups.get(&(office.clone(), year - 1)) else {
            continue;
        };
        let mut seen: Vec<&str> = Vec::new();
        for &p in previous {
            let text = inputs[p].source.text.as_str();
            if seen.contains(&text) {
                continue;
            }
            // One office has one report a year; several are copies or drafts.
            // Comparing with the first few keeps a folder of duplicates linear.
            if seen.len() == MAX_PREVIOUS {
                break;
            }
            seen.push(text);
            for &c in current {
                out.push((p, c));
            }
        }
    }
    out
}

/// Runs every cross-document check on every consecutive-year pair.
pub fn check(inputs: &[Input]) -> Vec<Finding> {
    let mut out = Vec::new();
    let shingles = similarity::Cache::new(inputs);
    for (p, c) in pairs(inputs) {
        let pair = Pair {
            previous: inputs[p],
            current: inputs[c],
        };
        let mut found = Vec::new();
        tables::carry_over(&pair, &mut found);
        tables::in_force(&pair, &mut found);
        similarity::check(&pair, &shingles, (p, c), &mut found);
        out.extend(found.into_iter().map(|diagnostic| Finding {
            report: c,
            previous: p,
            diagnostic,
        }));
    }
    out
}

/// Two reports of one office, a year apart.
pub(crate) struct Pair<'a> {
    pub previous: Input<'a>,
    pub current: Input<'a>,
}

impl Pair<'_> {
    fn year(input: &Input) -> String {
        input
            .report
            .year
            .as_ref()
            .map(|y| y.value.to_string())
            .unwrap_or_default()
    }

    /// The values every cross finding carries: both files and years, and the
    /// place in last year's report.
    fn values(&self, elsewhere: &Elsewhere) -> Vec<(&'static str, String)> {
        vec![
            ("本年报告", self.current.source.name.clone()),
            ("本年", Self::year(&self.current)),
            ("上年报告", self.previous.source.name.clone()),
            ("上年", Self::year(&self.previous)),
            (Elsewhere::POSITION, elsewhere.position()),
            (Elsewhere::MESSAGE, elsewhere.message.clone()),
        ]
    }

    /// The place `span` in last year's report.
    fn elsewhere(&self, span: &Span, message: String) -> Elsewhere {
        let s = self.previous.source;
        let a = s.position(span.start.min(s.text.len()));
        let b = s.position(span.end.min(s.text.len()));
        Elsewhere {
            path: s.name.clone(),
            line: a.line,
            column: a.column,
            end_line: b.line,
            end_column: b.column,
            message,
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn diagnostic(
        &self,
        rule: &str,
        span: Span,
        message: String,
        message_en: String,
        help: &str,
        related: Vec<Related>,
        elsewhere: Elsewhere,
        extra: &[(&str, String)],
    ) -> Diagnostic {
        let (_, category, severity, _) = RULES.iter().find(|r| r.0 == rule).copied().unwrap_or((
            CARRY_OVER,
            Category::Consistency,
            Severity::Warning,
            "",
        ));
        let mut values: BTreeMap<String, String> = self
            .values(&elsewhere)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        values.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), v.clone())));
        Diagnostic {
            rule: rule.to_owned(),
            category,
            severity,
            message,
            message_en: Some(message_en),
            help: help.to_owned(),
            span,
            related,
            fix: None,
            values,
            not_assessable: false,
            unsafe_fix: false,
        }
    }
}

/// The place in the other report (last year's) that takes part in a cross
/// finding. Stored in [`Diagnostic::values`] under [`Elsewhere::FILE`],
/// [`Elsewhere::POSITION`] (`line:column-line:column`, 1-based, columns in
/// characters) and [`Elsewhere::MESSAGE`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elsewhere {
    pub path: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    pub message: String,
}

impl Elsewhere {
    pub const FILE: &'static str = "上年报告";
    pub const POSITION: &'static str = "上年位置";
    pub const MESSAGE: &'static str = "上年说明";

    fn position(&self) -> String {
        format!(
            "{}:{}-{}:{}",
            self.line, self.column, self.end_line, self.end_column
        )
    }

    /// The other report's place named by a cross finding, if `d` is one.
    pub fn of(d: &Diagnostic) -> Option<Elsewhere> {
        let path = d.values.get(Self::FILE)?.clone();
        let pos = d.values.get(Self::POSITION)?;
        let (a, b) = pos.split_once('-')?;
        let pair = |s: &str| -> Option<(u32, u32)> {
            let (l, c) = s.split_once(':')?;
            Some((l.parse().ok()?, c.parse().ok()?))
        };
        let ((line, column), (end_line, end_column)) = (pair(a)?, pair(b)?);
        Some(Elsewhere {
            path,
            line,
            column,
            end_line,
            end_column,
            message: d.values.get(Self::MESSAGE).cloned().unwrap_or_default(),
        })
    }
}

/// Whether a rule id is one of the cross-document rules.
pub fn is_cross_rule(rule: &str) -> bool {
    RULES.iter().any(|r| r.0 == rule)
}

/// Findings grouped by the report they belong to (for callers that keep one
/// list of diagnostics per file).
pub fn by_report(findings: Vec<Finding>) -> HashMap<usize, Vec<Diagnostic>> {
    let mut out: HashMap<usize, Vec<Diagnostic>> = HashMap::new();
    for f in findings {
        out.entry(f.report).or_default().push(f.diagnostic);
    }
    out
}

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm() {
    LazyLock::force(&LARGER_AREAS);
    LazyLock::force(&OWN_AREA);
}

#[cfg(test)]
mod tests;

//! A deterministic generator of many varied reports, built from the real
//! corpus reports, for benchmarks and for measuring the CLI on a directory.
//!
//! Each report starts from one base report (the five seeds and six 平潭
//! reports, embedded below) and then:
//! - names another office of the same kind (a 人民政府/办公室 for a
//!   government's report, a 局/中心 for a department's), in the title and
//!   wherever the base names its own office or area;
//! - shifts the report year, consistently (title, statistics period, the
//!   publication date, the neighbouring years the text mentions), within the
//!   years its template is used for; document numbers (〔2019〕) keep their year;
//! - changes a few numbers of 表三 and 表四 together with every total they
//!   feed, so the tables still add up (only rows whose cells stand apart:
//!   digits that ran together are left alone);
//! - repeats sentences of 一、总体情况 to vary the size;
//! - plants 0–2 faults ([`Planted`]);
//! - is written as UTF-8, UTF-8 with BOM, GB18030 or UTF-16LE with BOM, with
//!   LF or CRLF line endings.
//!
//! Faults the base reports already have (seed 004 numbers a heading `2、`, the
//! 2020 平潭 report's 表三 does not add up) are not listed in `planted`. The
//! prose keeps the base's counts, so it may disagree with a changed table.
//!
//! The generator reads its bases with the engine once, to find the table
//! cells, headings and sentences it edits; the golden tests vouch for those
//! readings.

use std::collections::BTreeMap;
use std::ops::{Range, RangeInclusive};
use std::sync::LazyLock;

use gklint_engine::model::{OfficeKind, Reading};
use gklint_engine::read::Format;
use gklint_engine::structure::numerals::heading_value;
use rust_decimal::prelude::ToPrimitive;

/// One generated report file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Generated {
    /// `gen-00042.txt`.
    pub name: String,
    /// The file as written: encoded, with its line endings and BOM.
    pub bytes: Vec<u8>,
    /// The faults planted in this report, in no particular order.
    pub planted: Vec<Planted>,
}

/// A fault planted in a generated report. `line` is the 1-based line of the
/// generated file where the fault stands; `was`/`now` are the text before
/// and after (`now` is on that line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Planted {
    /// A table cell changed without the totals it feeds: its row's total no
    /// longer adds up (in 表三 nor, for most rows, the balance 一+二 = （七）+四
    /// or （七）总计). `table`, `row` and `column` are the layout's ids.
    BrokenTotal {
        line: usize,
        table: String,
        row: String,
        column: String,
        was: i64,
        now: i64,
    },
    /// A level-1 heading numbered with an Arabic numeral: `2、…` for `二、…`.
    ArabicHeading {
        line: usize,
        was: String,
        now: String,
    },
    /// A document number's year in square brackets: `[2019]` for `〔2019〕`.
    BracketedDocYear {
        line: usize,
        was: String,
        now: String,
    },
    /// A date that does not exist: `2020年2月30日`, `2022-11-31`.
    InvalidDate {
        line: usize,
        was: String,
        now: String,
    },
}

impl Planted {
    pub fn line(&self) -> usize {
        match self {
            Planted::BrokenTotal { line, .. }
            | Planted::ArabicHeading { line, .. }
            | Planted::BracketedDocYear { line, .. }
            | Planted::InvalidDate { line, .. } => *line,
        }
    }

    /// A short name of the fault's kind (`broken-total`, `arabic-heading`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Planted::BrokenTotal { .. } => "broken-total",
            Planted::ArabicHeading { .. } => "arabic-heading",
            Planted::BracketedDocYear { .. } => "bracketed-doc-year",
            Planted::InvalidDate { .. } => "invalid-date",
        }
    }

    /// The text the fault put on its line.
    pub fn now(&self) -> String {
        match self {
            Planted::BrokenTotal { now, .. } => now.to_string(),
            Planted::ArabicHeading { now, .. }
            | Planted::BracketedDocYear { now, .. }
            | Planted::InvalidDate { now, .. } => now.clone(),
        }
    }
}

/// `n` reports, the same for the same `seed`. Report `i` depends only on
/// `seed` and `i`, so a smaller `n` gives a prefix of a larger one.
pub fn generate(n: usize, seed: u64) -> Vec<Generated> {
    (0..n).map(|i| build(i, seed).0).collect()
}

// ---------------------------------------------------------------------------
// Randomness: splitmix64 (deterministic, no dependency).

struct Rng(u64);

impl Rng {
    fn for_report(seed: u64, i: usize) -> Rng {
        let mut r = Rng(seed
            ^ (i as u64)
                .wrapping_add(1)
                .wrapping_mul(0xD1B5_4A32_D192_ED03));
        r.next();
        r
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn within(&mut self, r: RangeInclusive<i64>) -> i64 {
        let span = (r.end() - r.start()) as u64 + 1;
        r.start() + (self.next() % span) as i64
    }

    fn percent(&mut self, p: usize) -> bool {
        self.below(100) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

// ---------------------------------------------------------------------------
// The base reports and the names that replace theirs.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NameUse {
    /// The report's office, as the title names it.
    Office,
    /// The area alone (`汶上县`).
    Area,
    /// The area's government (`汶上县人民政府`).
    AreaGov,
    /// The area government's office (`汶上县人民政府办公室`).
    AreaGovOffice,
}

/// A name in a base report: its text, what replaces it, and whether it only
/// counts right before a year (`平潭综合实验区2021年度…` in the title).
type NameRule = (&'static str, NameUse, bool);

struct Source {
    file: &'static str,
    text: &'static str,
    names: &'static [NameRule],
}

const PINGTAN: &[NameRule] = &[
    ("平潭综合实验区党工委管委会", NameUse::AreaGov, false),
    ("平潭综合实验区管委会办公室", NameUse::AreaGovOffice, false),
    ("平潭综合实验区管委会", NameUse::AreaGov, false),
    ("平潭综合实验区", NameUse::Office, true),
    ("平潭综合实验区", NameUse::Area, false),
    ("平潭县人民政府", NameUse::AreaGov, false),
];

macro_rules! source {
    ($file:literal, $names:expr) => {
        Source {
            file: $file,
            text: include_str!(concat!("../fixtures/corpus/", $file)),
            names: $names,
        }
    };
}

const SOURCES: [Source; 11] = [
    source!(
        "seeds/000_548bc2f7026a6c36.txt",
        &[
            ("汶上县投资促进服务中心", NameUse::Office, false),
            ("汶上县人民政府", NameUse::AreaGov, false),
            ("汶上县", NameUse::Area, false),
        ]
    ),
    source!(
        "seeds/001_2502c89aab11ed1e.txt",
        &[
            ("固原市投资促进服务中心", NameUse::Office, false),
            ("固原市人民政府", NameUse::AreaGov, false),
            ("固原市", NameUse::Area, false),
        ]
    ),
    source!(
        "seeds/002_3c9393350f2ebcec.txt",
        &[("驻马店市招商投资促进局", NameUse::Office, false)]
    ),
    source!(
        "seeds/003_89a4c02431010c13.txt",
        &[
            ("周村区招商局", NameUse::Office, false),
            ("区招商局", NameUse::Office, false),
            ("周村区", NameUse::Area, false),
        ]
    ),
    source!(
        "seeds/004_c70ffb9ddb659733.txt",
        &[
            ("张店区投资促进局", NameUse::Office, false),
            ("张店区人民政府", NameUse::AreaGov, false),
            ("张店区", NameUse::Area, false),
        ]
    ),
    source!("real/013_pingtan-2021.txt", PINGTAN),
    source!("real/014_pingtan-2019.txt", PINGTAN),
    source!("real/017_pingtan-2024.txt", PINGTAN),
    source!("real/021_pingtan-2020.txt", PINGTAN),
    source!("real/022_pingtan-2022.txt", PINGTAN),
    source!("real/023_pingtan-2023.txt", PINGTAN),
];

const AREAS: &[&str] = &[
    "嘉祥县",
    "曲阜市",
    "邹城市",
    "泗水县",
    "宁阳县",
    "肥城市",
    "寿光市",
    "青州市",
    "晋江市",
    "南安市",
    "惠安县",
    "福清市",
    "长乐区",
    "宜兴市",
    "德清县",
    "安吉县",
    "义乌市",
    "平阳县",
    "临朐县",
    "昌乐县",
    "高密市",
    "莱州市",
    "桓台县",
    "沂水县",
    "永登县",
    "榆中县",
    "彭阳县",
    "西吉县",
];

const GOVERNMENT_OFFICES: &[&str] = &["人民政府", "人民政府办公室"];

const DEPARTMENTS: &[&str] = &[
    "投资促进服务中心",
    "商务局",
    "统计局",
    "自然资源和规划局",
    "政务服务中心",
    "医疗保障局",
    "市场监督管理局",
    "生态环境局",
    "教育和体育局",
    "公共资源交易中心",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "水利局",
    "文化和旅游局",
    "大数据中心",
    "退役军人事务局",
    "应急管理局",
];

/// The tables whose numbers are changed.
const EDITED_TABLES: [&str; 2] = ["applications", "review-litigation"];

/// 表三 rows that are not results (a result feeds 三（七）总计 and, through the
/// balance 一+二 = （七）+四, 一、本年新收).
const NOT_RESULTS: [&str; 4] = [
    "new-received",
    "carried-over",
    "results-total",
    "carried-forward",
];

/// A base report as read once: everything the generator may edit, as byte
/// ranges of its text.
struct Base {
    file: &'static str,
    text: &'static str,
    kind: OfficeKind,
    year: i32,
    /// The report years its template is used for.
    years: RangeInclusive<i32>,
    table_ids: Vec<String>,
    rows: Vec<EditRow>,
    names: Vec<(Range<usize>, NameUse)>,
    /// Years to shift with the report year (not document numbers, not in tables).
    year_tokens: Vec<(Range<usize>, i32)>,
    headings: Vec<HeadingSpot>,
    /// `〔2019〕` with its year.
    doc_years: Vec<(Range<usize>, i32)>,
    dates: Vec<DateSpot>,
    /// Sentences of 一、总体情况 that can be repeated.
    sentences: Vec<Range<usize>>,
}

/// A table row whose cells the generator may change.
struct EditRow {
    table: String,
    row: String,
    columns: Vec<String>,
    /// Per table column: its span and value, when it stands alone as digits.
    cells: Vec<Option<(Range<usize>, i64)>>,
    /// Per table column: the column that totals it.
    total: Vec<Option<usize>>,
}

impl EditRow {
    fn editable(&self, col: usize) -> bool {
        self.cells.get(col).is_some_and(Option::is_some)
    }

    /// Columns that can change together with their total.
    fn pairs(&self) -> Vec<(usize, usize)> {
        (0..self.cells.len())
            .filter_map(|c| self.total[c].map(|t| (c, t)))
            .filter(|&(c, t)| self.editable(c) && self.editable(t))
            .collect()
    }
}

struct HeadingSpot {
    /// The Chinese numeral before `、`.
    numeral: Range<usize>,
    value: u32,
    /// The whole heading as written.
    heading: Range<usize>,
}

struct DateSpot {
    year: i32,
    /// From the year's first digit to the end of the day (or `日`).
    whole: Range<usize>,
    month: Range<usize>,
    day: Range<usize>,
}

static BASES: LazyLock<Vec<Base>> = LazyLock::new(|| {
    let catalog = gklint_engine::pack::builtin_catalog().expect("built-in packs load");
    SOURCES.iter().map(|s| analyse(s, &catalog)).collect()
});

fn analyse(src: &Source, catalog: &gklint_engine::schema::Catalog) -> Base {
    let text = src.text;
    let parsed = gklint_engine::parse(src.file, text.as_bytes().to_vec(), Format::Text, catalog)
        .unwrap_or_else(|e| panic!("{}: {e}", src.file));
    let report = &parsed.report;
    let year = report
        .year
        .as_ref()
        .map(|y| y.value)
        .unwrap_or_else(|| panic!("{}: no year", src.file));
    let kind = report
        .office_kind
        .unwrap_or_else(|| panic!("{}: no office kind", src.file));
    let table_spans: Vec<Range<usize>> = report.tables.iter().map(|t| t.span.clone()).collect();
    let in_table = |at: usize| table_spans.iter().any(|t| t.contains(&at));

    let mut rows = Vec::new();
    for table in report
        .tables
        .iter()
        .filter(|t| EDITED_TABLES.contains(&t.id.as_str()))
    {
        let schema = catalog
            .tables
            .iter()
            .find(|s| s.schema_id == table.schema)
            .expect("the table's layout");
        let total: Vec<Option<usize>> = (0..schema.columns.len())
            .map(|c| schema.columns.iter().position(|t| t.total_of.contains(&c)))
            .collect();
        for row in table.rows.iter().filter(|r| !r.group) {
            let cells = if row.reading == Reading::Cells {
                row.cells
                    .iter()
                    .map(|c| {
                        let c = c.as_ref()?;
                        let v = c.value?;
                        let digits = &text[c.span.clone()];
                        (v.fract().is_zero()
                            && !digits.is_empty()
                            && digits.bytes().all(|b| b.is_ascii_digit()))
                        .then(|| (c.span.clone(), v.to_i64().expect("a small count")))
                    })
                    .collect()
            } else {
                vec![None; table.columns.len()]
            };
            rows.push(EditRow {
                table: table.id.clone(),
                row: row.id.clone(),
                columns: table.columns.iter().map(|c| c.id.clone()).collect(),
                cells,
                total: total.clone(),
            });
        }
    }

    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let names = find_names(text, src.names);
    let doc_years = find_doc_years(&chars);
    let max_doc_year = doc_years.iter().map(|d| d.1).max();
    let (year_tokens, dates) = find_years(text, &chars, year, &in_table);

    let template_years = match report.template.as_deref() {
        Some("pre-2019") => 2016..=2018,
        Some("2019") => 2019..=2020,
        Some("2021") => 2021..=2024,
        other => panic!("{}: unexpected template {other:?}", src.file),
    };
    // A document cited from the year after the report is fine; from later, not.
    let lowest = (*template_years.start()).max(max_doc_year.map_or(i32::MIN, |y| y - 1));
    let years = if template_years.contains(&year) {
        lowest.min(year)..=*template_years.end()
    } else {
        year..=year
    };

    let headings = report
        .sections
        .iter()
        .filter(|s| s.level == 1)
        // `2、` right after a table's last number would run into it (`… 0 0 5、`):
        // that makes a second fault, not this one.
        .filter(|s| {
            !text[..s.span.start]
                .trim_end()
                .ends_with(|c: char| c.is_ascii_digit())
        })
        .filter_map(|s| {
            let written = &text[s.span.clone()];
            let idx = written.find('、')?;
            let value = heading_value(&written[..idx])?;
            Some(HeadingSpot {
                numeral: s.span.start..s.span.start + idx,
                value,
                heading: s.span.clone(),
            })
        })
        .collect();

    let overview = report
        .sections
        .iter()
        .find(|s| s.level == 1 && s.number == "一、")
        .or_else(|| report.sections.iter().find(|s| s.level == 1));
    let sentences = overview.map_or_else(Vec::new, |s| {
        find_sentences(text, s.body.clone(), &in_table)
    });

    Base {
        file: src.file,
        text,
        kind,
        year,
        years,
        table_ids: report.tables.iter().map(|t| t.id.clone()).collect(),
        rows,
        names,
        year_tokens,
        headings,
        doc_years,
        dates,
        sentences,
    }
}

/// Every occurrence of the base's names, the first rule that fits at each place.
fn find_names(text: &str, rules: &[NameRule]) -> Vec<(Range<usize>, NameUse)> {
    let mut out = Vec::new();
    let mut at = 0;
    'scan: while at < text.len() {
        for &(pattern, use_, before_year) in rules {
            if text[at..].starts_with(pattern) {
                let end = at + pattern.len();
                if before_year && !text[end..].starts_with(|c: char| c.is_ascii_digit()) {
                    continue;
                }
                out.push((at..end, use_));
                at = end;
                continue 'scan;
            }
        }
        at += text[at..].chars().next().map_or(1, char::len_utf8);
    }
    out
}

fn digits_end(chars: &[(usize, char)], from: usize) -> usize {
    let mut j = from;
    while j < chars.len() && chars[j].1.is_ascii_digit() {
        j += 1;
    }
    j
}

fn skip_space(chars: &[(usize, char)], from: usize) -> usize {
    let mut j = from;
    while j < chars.len() && chars[j].1.is_whitespace() && chars[j].1 != '\n' {
        j += 1;
    }
    j
}

fn byte_at(text: &str, chars: &[(usize, char)], i: usize) -> usize {
    chars.get(i).map_or(text.len(), |c| c.0)
}

/// `〔2019〕` document-number years.
fn find_doc_years(chars: &[(usize, char)]) -> Vec<(Range<usize>, i32)> {
    let mut out = Vec::new();
    for i in 0..chars.len() {
        if chars[i].1 != '〔' {
            continue;
        }
        let end = digits_end(chars, i + 1);
        if end == i + 5 && chars.get(end).is_some_and(|c| c.1 == '〕') {
            let year: String = chars[i + 1..end].iter().map(|c| c.1).collect();
            out.push((
                chars[i].0..chars[end].0 + '〕'.len_utf8(),
                year.parse().expect("four digits"),
            ));
        }
    }
    out
}

/// Years near the report year written as years (`2020年`, `2021-03-05`),
/// outside tables and document numbers, and the full dates among them.
fn find_years(
    text: &str,
    chars: &[(usize, char)],
    year: i32,
    in_table: &dyn Fn(usize) -> bool,
) -> (Vec<(Range<usize>, i32)>, Vec<DateSpot>) {
    let mut tokens = Vec::new();
    let mut dates = Vec::new();
    let digit = |i: usize| chars.get(i).is_some_and(|c| c.1.is_ascii_digit());
    let is = |i: usize, ch: char| chars.get(i).is_some_and(|c| c.1 == ch);
    let mut i = 0;
    while i < chars.len() {
        if !digit(i) || (i > 0 && digit(i - 1)) {
            i += 1;
            continue;
        }
        let end = digits_end(chars, i);
        let start_byte = chars[i].0;
        let value: i32 = if end - i == 4 {
            chars[i..end]
                .iter()
                .map(|c| c.1)
                .collect::<String>()
                .parse()
                .unwrap_or(0)
        } else {
            0
        };
        let bracketed = i > 0 && matches!(chars[i - 1].1, '〔' | '[' | '［');
        if !(1990..2100).contains(&value) || bracketed || in_table(start_byte) {
            i = end;
            continue;
        }
        let after = skip_space(chars, end);
        let with_nian = is(after, '年');
        let with_dash = is(end, '-') && digit(end + 1);
        if !with_nian && !with_dash {
            i = end;
            continue;
        }
        if (year - 1..=year + 1).contains(&value) {
            tokens.push((start_byte..byte_at(text, chars, end), value));
        }
        // A full date after the year?
        let date = if with_nian {
            let m = skip_space(chars, after + 1);
            let m_end = digits_end(chars, m);
            let yue = skip_space(chars, m_end);
            let d = skip_space(chars, yue + 1);
            let d_end = digits_end(chars, d);
            let ri = skip_space(chars, d_end);
            (matches!(m_end - m, 1 | 2)
                && is(yue, '月')
                && matches!(d_end - d, 1 | 2)
                && is(ri, '日'))
            .then_some((m, m_end, d, d_end, ri + 1))
        } else {
            let m = end + 1;
            let m_end = digits_end(chars, m);
            let d = m_end + 1;
            let d_end = digits_end(chars, d);
            (m_end - m == 2 && is(m_end, '-') && d_end - d == 2)
                .then_some((m, m_end, d, d_end, d_end))
        };
        if let Some((m, m_end, d, d_end, stop)) = date {
            dates.push(DateSpot {
                year: value,
                whole: start_byte..byte_at(text, chars, stop),
                month: chars[m].0..byte_at(text, chars, m_end),
                day: chars[d].0..byte_at(text, chars, d_end),
            });
        }
        i = end;
    }
    (tokens, dates)
}

/// Sentences (ending in `。`) within `body` that can be repeated without
/// looking like a heading, a list item, a table row, a label or a date line.
fn find_sentences(
    text: &str,
    body: Range<usize>,
    in_table: &dyn Fn(usize) -> bool,
) -> Vec<Range<usize>> {
    const CN: &str = "一二三四五六七八九十";
    let mut out = Vec::new();
    let mut start = body.start;
    for (i, ch) in text[body.clone()].char_indices() {
        let at = body.start + i;
        if ch == '\n' {
            start = at + 1;
            continue;
        }
        if ch != '。' {
            continue;
        }
        let end = at + ch.len_utf8();
        let s = &text[start..end];
        let trimmed = s.trim_start();
        let sentence = (end - trimmed.len())..end;
        start = end;
        let chars: Vec<char> = trimmed.chars().collect();
        let numbered = chars.windows(2).any(|w| {
            (CN.contains(w[0]) && w[1] == '、')
                || (w[0].is_ascii_digit() && matches!(w[1], '、' | '.' | '．'))
        });
        let bracketed = chars
            .windows(2)
            .any(|w| matches!(w[0], '（' | '(') && CN.contains(w[1]));
        let marked = trimmed.contains([':', '：', '〔', '[', '|', '\t', '日']);
        if (20..=300).contains(&chars.len())
            && !numbered
            && !bracketed
            && !marked
            && !in_table(sentence.start)
        {
            out.push(sentence);
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Building one report.

/// A replacement of a byte range of the base text; `tag` marks a planted fault.
struct Edit {
    range: Range<usize>,
    text: String,
    tag: Option<usize>,
}

/// Applies non-overlapping edits (an overlapping one is dropped) and returns
/// the text and, for each applied tag, its byte offset in the result.
fn apply(text: &str, mut edits: Vec<Edit>) -> (String, Vec<(usize, usize)>) {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out =
        String::with_capacity(text.len() + edits.iter().map(|e| e.text.len()).sum::<usize>());
    let mut tags = Vec::new();
    let mut at = 0;
    for e in edits {
        if e.range.start < at {
            continue;
        }
        out.push_str(&text[at..e.range.start]);
        if let Some(t) = e.tag {
            tags.push((t, out.len()));
        }
        out.push_str(&e.text);
        at = e.range.end;
    }
    out.push_str(&text[at..]);
    (out, tags)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Encoding {
    Utf8,
    Utf8Bom,
    Gb18030,
    Utf16LeBom,
}

fn encode(encoding: Encoding, text: &str) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        Encoding::Gb18030 => {
            let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
            assert!(!unmappable, "GB18030 encodes every character");
            bytes.into_owned()
        }
        Encoding::Utf16LeBom => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
    }
}

/// What a report was made of, for the tests.
#[derive(Debug)]
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) struct Meta {
    pub base: &'static str,
    pub base_tables: Vec<String>,
    pub year: i32,
    pub office: String,
    pub kind: OfficeKind,
    pub encoding: Encoding,
    pub crlf: bool,
    /// Changed cells: (table, row, column index) → value.
    pub cells: BTreeMap<(String, String, usize), i64>,
}

/// UTF-8 size a report is padded to (before encoding), drawn per report.
const PADDED_SIZE: RangeInclusive<i64> = 5_500..=11_500;

enum FaultKind {
    BrokenTotal,
    ArabicHeading,
    BracketedDocYear,
    InvalidDate,
}

const INVALID_DAYS: [(u32, u32); 6] = [(2, 30), (2, 31), (4, 31), (6, 31), (9, 31), (11, 31)];

pub(crate) fn build(i: usize, seed: u64) -> (Generated, Meta) {
    let bases = &*BASES;
    let mut rng = Rng::for_report(seed, i);
    let base = &bases[rng.below(bases.len())];
    let text = base.text;

    // The office, of the base's kind.
    let area = *rng.pick(AREAS);
    let office = match base.kind {
        OfficeKind::Government => format!("{area}{}", rng.pick(GOVERNMENT_OFFICES)),
        OfficeKind::Department => format!("{area}{}", rng.pick(DEPARTMENTS)),
    };
    let year = rng.within(i64::from(*base.years.start())..=i64::from(*base.years.end())) as i32;
    let shift = |y: i32| {
        if (base.year - 1..=base.year + 1).contains(&y) {
            y + year - base.year
        } else {
            y
        }
    };

    let mut edits: Vec<Edit> = Vec::new();
    for (range, use_) in &base.names {
        let name = match use_ {
            NameUse::Office => office.clone(),
            NameUse::Area => area.to_owned(),
            NameUse::AreaGov => format!("{area}人民政府"),
            NameUse::AreaGovOffice => format!("{area}人民政府办公室"),
        };
        edits.push(Edit {
            range: range.clone(),
            text: name,
            tag: None,
        });
    }
    if year != base.year {
        for (range, y) in &base.year_tokens {
            edits.push(Edit {
                range: range.clone(),
                text: shift(*y).to_string(),
                tag: None,
            });
        }
    }

    // Table numbers, changed together with their totals.
    let mut values: BTreeMap<(usize, usize), i64> = BTreeMap::new();
    for _ in 0..rng.below(4) {
        change_consistently(base, &mut rng, &mut values);
    }

    // Faults.
    let mut planted: Vec<Planted> = Vec::new();
    let mut fault_cells: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    let wanted = match rng.below(10) {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    let mut kinds: Vec<FaultKind> = Vec::new();
    if base.rows.iter().any(|r| !r.pairs().is_empty()) {
        kinds.push(FaultKind::BrokenTotal);
    }
    if !base.headings.is_empty() {
        kinds.push(FaultKind::ArabicHeading);
    }
    if !base.doc_years.is_empty() {
        kinds.push(FaultKind::BracketedDocYear);
    }
    if !base.dates.is_empty() {
        kinds.push(FaultKind::InvalidDate);
    }
    for _ in 0..wanted.min(kinds.len()) {
        let kind = kinds.remove(rng.below(kinds.len()));
        let tag = planted.len();
        match kind {
            FaultKind::BrokenTotal => {
                let candidates: Vec<(usize, usize)> = base
                    .rows
                    .iter()
                    .enumerate()
                    .flat_map(|(r, row)| row.pairs().into_iter().map(move |(c, _)| (r, c)))
                    .collect();
                let (r, c) = *rng.pick(&candidates);
                let row = &base.rows[r];
                let was = value_of(base, &values, r, c);
                let now = was + rng.within(1..=3);
                values.insert((r, c), now);
                fault_cells.insert((r, c), tag);
                planted.push(Planted::BrokenTotal {
                    line: 0,
                    table: row.table.clone(),
                    row: row.row.clone(),
                    column: row.columns[c].clone(),
                    was,
                    now,
                });
            }
            FaultKind::ArabicHeading => {
                let h = rng.pick(&base.headings);
                let was = text[h.heading.clone()].to_owned();
                let now = format!("{}{}", h.value, &text[h.numeral.end..h.heading.end]);
                edits.push(Edit {
                    range: h.numeral.clone(),
                    text: h.value.to_string(),
                    tag: Some(tag),
                });
                planted.push(Planted::ArabicHeading { line: 0, was, now });
            }
            FaultKind::BracketedDocYear => {
                let (range, y) = rng.pick(&base.doc_years);
                let now = format!("[{y}]");
                edits.push(Edit {
                    range: range.clone(),
                    text: now.clone(),
                    tag: Some(tag),
                });
                planted.push(Planted::BracketedDocYear {
                    line: 0,
                    was: text[range.clone()].to_owned(),
                    now,
                });
            }
            FaultKind::InvalidDate => {
                let d = rng.pick(&base.dates);
                let (month, day) = *rng.pick(&INVALID_DAYS);
                let width = |r: &Range<usize>| r.len();
                let new_month = format!("{month:0w$}", w = width(&d.month));
                let new_day = format!("{day:0w$}", w = width(&d.day));
                let year_text = shift(d.year).to_string();
                let year_end = d.whole.start + 4;
                let was = format!("{year_text}{}", &text[year_end..d.whole.end]);
                let now = format!(
                    "{year_text}{}{new_month}{}{new_day}{}",
                    &text[year_end..d.month.start],
                    &text[d.month.end..d.day.start],
                    &text[d.day.end..d.whole.end]
                );
                let replaced = format!("{new_month}{}{new_day}", &text[d.month.end..d.day.start]);
                edits.push(Edit {
                    range: d.month.start..d.day.end,
                    text: replaced,
                    tag: Some(tag),
                });
                planted.push(Planted::InvalidDate { line: 0, was, now });
            }
        }
    }
    let mut cells = BTreeMap::new();
    for (&(r, c), &v) in &values {
        let row = &base.rows[r];
        let (span, _) = row.cells[c].clone().expect("only editable cells change");
        edits.push(Edit {
            range: span,
            text: v.to_string(),
            tag: fault_cells.get(&(r, c)).copied(),
        });
        cells.insert((row.table.clone(), row.row.clone(), c), v);
    }

    // Size: repeat sentences of 一、总体情况 (renamed and shifted like the rest).
    let size = text.len() as i64
        + edits
            .iter()
            .map(|e| e.text.len() as i64 - e.range.len() as i64)
            .sum::<i64>();
    let mut missing = rng.within(PADDED_SIZE) - size;
    let mut inserts: BTreeMap<usize, String> = BTreeMap::new();
    while missing > 0 && !base.sentences.is_empty() {
        let s = rng.pick(&base.sentences).clone();
        let inner: Vec<Edit> = edits
            .iter()
            .filter(|e| e.tag.is_none() && s.start <= e.range.start && e.range.end <= s.end)
            .map(|e| Edit {
                range: e.range.start - s.start..e.range.end - s.start,
                text: e.text.clone(),
                tag: None,
            })
            .collect();
        let (copy, _) = apply(&text[s.clone()], inner);
        missing -= copy.len() as i64;
        inserts.entry(s.end).or_default().push_str(&copy);
    }
    edits.extend(inserts.into_iter().map(|(at, text)| Edit {
        range: at..at,
        text,
        tag: None,
    }));

    let (out, tags) = apply(text, edits);
    let applied: Vec<usize> = tags.iter().map(|t| t.0).collect();
    for (tag, offset) in tags {
        let line = out[..offset].matches('\n').count() + 1;
        match &mut planted[tag] {
            Planted::BrokenTotal { line: l, .. }
            | Planted::ArabicHeading { line: l, .. }
            | Planted::BracketedDocYear { line: l, .. }
            | Planted::InvalidDate { line: l, .. } => *l = line,
        }
    }
    let planted: Vec<Planted> = planted
        .into_iter()
        .enumerate()
        .filter(|(t, _)| applied.contains(t))
        .map(|(_, p)| p)
        .collect();

    let encoding = match rng.below(20) {
        0..=7 => Encoding::Utf8,
        8..=10 => Encoding::Utf8Bom,
        11..=15 => Encoding::Gb18030,
        _ => Encoding::Utf16LeBom,
    };
    let crlf = rng.percent(50);
    let out = if crlf { out.replace('\n', "\r\n") } else { out };
    let bytes = encode(encoding, &out);
    let generated = Generated {
        name: format!("gen-{i:05}.txt"),
        bytes,
        planted,
    };
    let meta = Meta {
        base: base.file,
        base_tables: base.table_ids.clone(),
        year,
        office,
        kind: base.kind,
        encoding,
        crlf,
        cells,
    };
    (generated, meta)
}

fn value_of(base: &Base, values: &BTreeMap<(usize, usize), i64>, r: usize, c: usize) -> i64 {
    values
        .get(&(r, c))
        .copied()
        .unwrap_or_else(|| base.rows[r].cells[c].as_ref().expect("an editable cell").1)
}

/// Adds a small number to one cell and to every total it feeds: its row's
/// total, and in 表三 the same columns of 三（七）总计 and 一、本年新收 (so
/// 一+二 = （七）+四 still holds). Does nothing when a total cannot change.
fn change_consistently(base: &Base, rng: &mut Rng, values: &mut BTreeMap<(usize, usize), i64>) {
    let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
    for (r, row) in base.rows.iter().enumerate() {
        if row.table == "applications" && NOT_RESULTS.contains(&row.row.as_str()) {
            continue;
        }
        candidates.extend(row.pairs().into_iter().map(|(c, t)| (r, c, t)));
    }
    if candidates.is_empty() {
        return;
    }
    let (r, c, t) = *rng.pick(&candidates);
    let mut cells = vec![(r, c), (r, t)];
    if base.rows[r].table == "applications" {
        for id in ["results-total", "new-received"] {
            let Some(k) = base
                .rows
                .iter()
                .position(|x| x.table == "applications" && x.row == id)
            else {
                continue;
            };
            if !(base.rows[k].editable(c) && base.rows[k].editable(t)) {
                return;
            }
            cells.extend([(k, c), (k, t)]);
        }
    }
    let delta = rng.within(1..=5);
    for (r, c) in cells {
        let v = value_of(base, values, r, c) + delta;
        values.insert((r, c), v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gklint_engine::source::SourceFile;

    static CATALOG: LazyLock<gklint_engine::schema::Catalog> =
        LazyLock::new(|| gklint_engine::pack::builtin_catalog().expect("built-in packs load"));

    #[test]
    fn deterministic_for_a_seed() {
        let a = generate(60, 7);
        assert_eq!(a, generate(60, 7));
        assert_eq!(a[..20], generate(20, 7)[..]);
        let b = generate(60, 8);
        assert_ne!(
            a.iter().map(|g| &g.bytes).collect::<Vec<_>>(),
            b.iter().map(|g| &g.bytes).collect::<Vec<_>>()
        );
        assert_eq!(a[42].name, "gen-00042.txt");
    }

    #[test]
    fn every_base_is_usable() {
        for b in BASES.iter() {
            assert!(b.years.contains(&b.year), "{}", b.file);
            assert!(!b.sentences.is_empty(), "{}: nothing to repeat", b.file);
            assert!(!b.headings.is_empty(), "{}: no heading", b.file);
        }
        // The seeds' tables stand in cells: their numbers can change.
        for file in ["seeds/000", "seeds/001", "seeds/002", "seeds/004"] {
            let b = BASES.iter().find(|b| b.file.starts_with(file)).unwrap();
            assert!(
                b.rows
                    .iter()
                    .any(|r| r.table == "applications" && !r.pairs().is_empty()),
                "{file}"
            );
        }
    }

    /// Every report decodes and parses, keeps its base's tables (table 3 in
    /// particular) and reads back the office, year and changed numbers.
    #[test]
    fn every_report_parses_and_keeps_its_tables() {
        let catalog = &*CATALOG;
        let mut failures = Vec::new();
        let mut encodings = std::collections::BTreeSet::new();
        for i in 0..300 {
            let (g, meta) = build(i, 2024);
            encodings.insert(format!("{:?}/{}", meta.encoding, meta.crlf));
            let parsed = gklint_engine::parse(&g.name, g.bytes.clone(), Format::Text, catalog)
                .unwrap_or_else(|e| panic!("{} ({}): {e}", g.name, meta.base));
            let r = &parsed.report;
            let who = format!("{} ({}, {:?})", g.name, meta.base, meta.encoding);
            if meta.base_tables.iter().any(|t| t == "applications")
                && r.table("applications").is_none()
            {
                failures.push(format!("{who}: table 3 not found"));
            }
            let tables: Vec<&str> = r.tables.iter().map(|t| t.id.as_str()).collect();
            if tables
                != meta
                    .base_tables
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
            {
                failures.push(format!(
                    "{who}: tables {tables:?}, base had {:?}",
                    meta.base_tables
                ));
            }
            if r.year.as_ref().map(|y| y.value) != Some(meta.year) {
                failures.push(format!(
                    "{who}: year {:?}, want {}",
                    r.year.as_ref().map(|y| y.value),
                    meta.year
                ));
            }
            if r.office.as_deref() != Some(meta.office.as_str()) || r.office_kind != Some(meta.kind)
            {
                failures.push(format!(
                    "{who}: office {:?} {:?}, want {} {:?}",
                    r.office, r.office_kind, meta.office, meta.kind
                ));
            }
            for ((table, row, col), want) in &meta.cells {
                let got = r
                    .table(table)
                    .and_then(|t| t.row(row))
                    .and_then(|row| row.cells.get(*col).cloned().flatten())
                    .and_then(|c| c.value)
                    .and_then(|v| v.to_i64());
                if got != Some(*want) {
                    failures.push(format!(
                        "{who}: {table} {row} column {col}: got {got:?}, want {want}"
                    ));
                }
            }
        }
        assert!(
            failures.is_empty(),
            "{} failures:\n{}",
            failures.len(),
            failures.join("\n")
        );
        assert_eq!(encodings.len(), 8, "{encodings:?}");
    }

    /// Each planted fault stands on the line it names.
    #[test]
    fn planted_faults_are_on_their_lines() {
        let mut kinds = std::collections::BTreeMap::new();
        for g in generate(300, 99) {
            let text = SourceFile::decode(g.name.clone(), g.bytes.clone())
                .expect("decodes")
                .text;
            let lines: Vec<&str> = text.split('\n').collect();
            for p in &g.planted {
                *kinds.entry(p.kind()).or_insert(0) += 1;
                let line = lines[p.line() - 1];
                assert!(
                    line.contains(&p.now()),
                    "{}: {p:?} not on line {}: {line}",
                    g.name,
                    p.line()
                );
            }
        }
        assert_eq!(kinds.len(), 4, "{kinds:?}");
    }

    #[test]
    fn a_thousand_reports_are_about_nine_megabytes() {
        let total: usize = generate(1000, 1).iter().map(|g| g.bytes.len()).sum();
        assert!((8_000_000..=10_000_000).contains(&total), "{total} bytes");
    }
}

//! Level-1 (一、) and level-2 (（一）) headings, with their numbering exactly
//! as written. A heading is found at the start of a line, or inside a long
//! line (scraped pages) where it follows a sentence and continues the sequence.

use super::numerals::heading_value;
use super::stream::{Stream, key_of};
use crate::model::{Section, Span};
use crate::read::Sep;
use crate::schema::Catalog;

/// A Chinese numeral of a heading's number (一 … 十).
fn is_cn_digit(c: char) -> bool {
    matches!(
        c,
        '一' | '二' | '三' | '四' | '五' | '六' | '七' | '八' | '九' | '十'
    )
}
/// Longest plausible heading title, in characters.
const MAX_TITLE: usize = 40;

struct Found {
    number: (usize, usize),
    title: (usize, usize),
    level: u8,
    value: u32,
}

pub fn find(text: &str, stream: &Stream, catalog: &Catalog, tables: &[Span]) -> Vec<Section> {
    let known = catalog.heading_keys();
    let chars = &stream.chars;
    let in_table = |i: usize| {
        let at = chars[i].src as usize;
        tables.iter().any(|t| t.start <= at && at < t.end)
    };
    let table_start_after = |i: usize| {
        let at = chars[i].src as usize;
        tables
            .iter()
            .filter(|t| t.start > at)
            .map(|t| t.start)
            .min()
    };
    let mut found: Vec<Found> = Vec::new();
    let mut last_level1 = 0;
    let mut i = 0;
    while i < chars.len() {
        let line_start = i == 0 || chars[i].sep >= Sep::Line;
        // Headings start with a numeral, or `(` at a line start: skip the
        // rest before the (slower) table test.
        if !may_start_heading(chars, i, line_start) {
            i += 1;
            continue;
        }
        if in_table(i) {
            i += 1;
            continue;
        }
        if let Some(f) = level1_at(
            stream,
            i,
            line_start,
            known,
            last_level1,
            &table_start_after,
        ) {
            last_level1 = f.value;
            i = f.title.1.max(i + 1);
            found.push(f);
            continue;
        }
        if line_start && let Some(f) = level2_at(stream, i) {
            i = f.title.1.max(i + 1);
            found.push(f);
            continue;
        }
        i += 1;
    }
    let mut sections: Vec<Section> = found
        .iter()
        .map(|f| {
            let number_src = stream.src_range(f.number.0, f.number.1);
            let title_src = stream.src_range(f.title.0, f.title.1);
            Section {
                number: text[number_src.clone()].split_whitespace().collect(),
                title: text[title_src.clone()].trim().to_owned(),
                level: f.level,
                span: number_src.start..title_src.end.max(number_src.end),
                body: 0..0,
            }
        })
        .collect();
    // A body runs to the next heading of the same or a higher level.
    for k in 0..sections.len() {
        let end = sections[k + 1..]
            .iter()
            .find(|s| s.level <= sections[k].level)
            .map_or(text.len(), |s| s.span.start);
        sections[k].body = sections[k].span.end..end.max(sections[k].span.end);
    }
    sections
}

fn line_end(stream: &Stream, from: usize) -> usize {
    stream.line_end(from)
}

/// `一、…` (or a wrong `2、…` standing for a template heading) at `i`.
fn level1_at(
    stream: &Stream,
    i: usize,
    line_start: bool,
    known: &[String],
    last: u32,
    next_table: &dyn Fn(usize) -> Option<usize>,
) -> Option<Found> {
    let chars = &stream.chars;
    let mut j = i;
    while j < chars.len() && j - i < 3 && is_cn_digit(chars[j].ch) {
        j += 1;
    }
    let arabic = j == i;
    if arabic {
        while j < chars.len() && j - i < 2 && chars[j].ch.is_ascii_digit() {
            j += 1;
        }
    }
    if j == i || j >= chars.len() || chars[j].ch != '、' || chars[j].sep != Sep::None {
        return None;
    }
    let value = if arabic {
        stream.key_slice(i, j).parse().ok()?
    } else {
        heading_value(stream.key_slice(i, j))?
    };
    let title_start = j + 1;
    if title_start >= chars.len() {
        return None;
    }
    let eol = line_end(stream, title_start);
    let known_len = known
        .iter()
        .filter(|k| {
            stream.key_slice(title_start, (title_start + k.chars().count()).min(eol)) == k.as_str()
        })
        .map(|k| k.chars().count())
        .max();
    if arabic {
        // An Arabic 2、 is a list item unless it names a template heading.
        let n = known_len?;
        if !line_start {
            return None;
        }
        return Some(Found {
            number: (i, j + 1),
            title: (title_start, title_start + n),
            level: 1,
            value,
        });
    }
    if line_start {
        let title = stream.key_slice(title_start, eol);
        let len = eol - title_start;
        if len <= MAX_TITLE && !title.trim_end_matches('。').contains('。') {
            return Some(Found {
                number: (i, j + 1),
                title: (title_start, eol),
                level: 1,
                value,
            });
        }
    }
    // Inside a line: continuing the sequence, and either naming a template
    // heading or following a sentence.
    if value != last + 1 {
        return None;
    }
    let prev_ok = i == 0 || chars[i].sep >= Sep::Space || is_sentence_end(chars[i - 1].ch);
    let end = match known_len {
        Some(n) => title_start + n,
        None if prev_ok => {
            // A table's header may follow the title directly (…统计表指标名称…).
            let eol = next_table(i).map_or(eol, |t| {
                eol.min(chars.partition_point(|c| (c.src as usize) < t))
            });
            let mut e = title_start;
            while e < eol
                && e - title_start < 30
                && (e == title_start || chars[e].sep < Sep::Space)
                && !stops_title(chars[e].ch)
            {
                e += 1;
            }
            // Where text runs on with no break, end at the last heading-like word.
            let key = stream.key_slice(title_start, e);
            let cut = TITLE_ENDINGS
                .iter()
                .filter_map(|w| key.rfind(w).map(|p| key[..p + w.len()].chars().count()))
                .max();
            let e = cut.map_or(e, |n| title_start + n);
            if e - title_start < 2 {
                return None;
            }
            e
        }
        None => return None,
    };
    Some(Found {
        number: (i, j + 1),
        title: (title_start, end),
        level: 1,
        value,
    })
}

/// The shape `level1_at` and `level2_at` start from: `一、`, `2、`, or `(一)`
/// at a line start. Anything else is neither, so the (slower) table test and
/// both readers are skipped.
fn may_start_heading(chars: &[super::stream::KeyChar], i: usize, line_start: bool) -> bool {
    let c = chars[i].ch;
    if line_start && c == '(' {
        let digits = chars[i + 1..]
            .iter()
            .take(4)
            .take_while(|k| is_cn_digit(k.ch))
            .count();
        return digits > 0 && chars.get(i + 1 + digits).is_some_and(|k| k.ch == ')');
    }
    let digits = if is_cn_digit(c) {
        chars[i..]
            .iter()
            .take_while(|k| is_cn_digit(k.ch))
            .take(3)
            .count()
    } else if c.is_ascii_digit() {
        chars[i..]
            .iter()
            .take_while(|k| k.ch.is_ascii_digit())
            .take(2)
            .count()
    } else {
        return false;
    };
    chars
        .get(i + digits)
        .is_some_and(|k| k.ch == '、' && k.sep == Sep::None)
}

/// Words that end a heading title.
const TITLE_ENDINGS: [&str; 10] = [
    "情况",
    "措施",
    "事项",
    "概述",
    "问题",
    "要求",
    "统计表",
    "建设",
    "工作",
    "落实",
];

fn is_sentence_end(c: char) -> bool {
    matches!(c, '。' | ';' | '!' | '?' | ')' | '"' | ':') || c.is_ascii_digit() || c == '>'
}

fn stops_title(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '(' | '。' | ':' | ';' | ',' | '.' | '"')
}

/// `（一）…` at the start of a line; its title runs to the first full stop.
fn level2_at(stream: &Stream, i: usize) -> Option<Found> {
    let chars = &stream.chars;
    if chars[i].ch != '(' {
        return None;
    }
    let mut j = i + 1;
    while j < chars.len() && j - i <= 3 && is_cn_digit(chars[j].ch) {
        j += 1;
    }
    if j == i + 1 || j >= chars.len() || chars[j].ch != ')' {
        return None;
    }
    let value = heading_value(stream.key_slice(i + 1, j))?;
    let title_start = j + 1;
    let eol = line_end(stream, title_start);
    let mut e = title_start;
    while e < eol && !matches!(chars[e].ch, '。' | ':') {
        e += 1;
    }
    if e == title_start || e - title_start > MAX_TITLE {
        return None;
    }
    Some(Found {
        number: (i, j + 1),
        title: (title_start, e),
        level: 2,
        value,
    })
}

/// Canonical key of a heading title, for comparing with the template.
pub fn title_key(title: &str) -> String {
    key_of(title)
}

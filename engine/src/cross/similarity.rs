//! How much of last year's text a report repeats.
//!
//! The measure: each report's prose (its text outside the recognised tables,
//! NFKC-folded, keeping letters only: Chinese characters count, digits,
//! punctuation and white space do not, so a copy with new numbers and a new
//! year still counts as a copy) is cut into overlapping 5-character shingles;
//! the similarity is the Jaccard coefficient |A ∩ B| / |A ∪ B| of the two
//! sets. Five characters is two or three Chinese words: short enough to find
//! reworded copies, long enough that the shared vocabulary of every report
//! (政府信息公开、依申请公开) alone does not make two reports similar. The
//! coefficient is symmetric and drops when either report adds or removes much
//! text, so only a report that is mostly last year's text scores over
//! [`THRESHOLD`]. Reports with fewer than [`MIN_SHINGLES`] shingles of prose
//! (tables only) are not compared.
//!
//! The finding marks, as related spans, the sentences of this year's report
//! that repeat last year's (at least 80 % of their shingles occur there).

use super::{Input, Pair, SIMILAR_TEXT};
use crate::diagnostic::{Diagnostic, Related};
use crate::model::Span;
use crate::structure::stream::is_common_han;

/// Shingle length in characters.
pub const SHINGLE: usize = 5;
/// A report more similar than this to last year's is reported.
pub const THRESHOLD: f64 = 0.5;
/// Below this many shingles a report has too little prose to compare.
pub const MIN_SHINGLES: usize = 50;
/// A sentence repeats last year's when this share of its shingles occurs there.
const SENTENCE_SHARE: f64 = 0.8;
/// Sentences shorter than this (in letters) are not marked.
const SENTENCE_MIN: usize = 12;
/// At most this many repeated passages are marked.
const MAX_MARKED: usize = 40;

/// A set of shingles: their 64-bit hashes, sorted and distinct (a merge
/// counts the common ones; no hashing of hash sets per report).
type Shingles = Vec<u64>;

/// The byte ranges of the text outside every recognised table.
fn outside_tables(input: &Input) -> Vec<Span> {
    let mut tables: Vec<Span> = input.report.tables.iter().map(|t| t.span.clone()).collect();
    tables.sort_by_key(|s| s.start);
    let mut out = Vec::new();
    let mut at = 0;
    for t in tables {
        if t.start > at {
            out.push(at..t.start);
        }
        at = at.max(t.end);
    }
    let len = input.source.text.len();
    if at < len {
        out.push(at..len);
    }
    out
}

fn letters(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len() / 3);
    for ch in text.chars() {
        // Most letters are common Han characters, which NFKC keeps.
        if is_common_han(ch) {
            out.push(ch);
            continue;
        }
        crate::structure::stream::nfkc_char(ch, |c| {
            // Most letters are common Han characters: skip the Unicode table.
            if is_common_han(c) || c.is_alphabetic() {
                out.push(c);
            }
        });
    }
    out
}

/// The report's prose as compared: letters outside the tables, NFKC-folded.
pub fn prose(input: &Input) -> Vec<char> {
    let text = &input.source.text;
    outside_tables(input)
        .into_iter()
        .flat_map(|r| letters(&text[r]))
        .collect()
}

fn shingles(chars: &[char]) -> Shingles {
    let mut out: Shingles = chars
        .windows(SHINGLE)
        .map(|w| {
            // FNV-1a over the characters: stable and fast.
            w.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &c| {
                (h ^ u64::from(u32::from(c))).wrapping_mul(0x0000_0100_0000_01b3)
            })
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn jaccard(a: &Shingles, b: &Shingles) -> f64 {
    let (mut i, mut j, mut common) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    let union = a.len() + b.len() - common;
    if union == 0 {
        0.0
    } else {
        common as f64 / union as f64
    }
}

/// The similarity (0–1) of two reports' prose, or `None` when either has
/// too little prose to judge.
pub fn similarity(a: &Input, b: &Input) -> Option<f64> {
    let (sa, sb) = (shingles(&prose(a)), shingles(&prose(b)));
    if sa.len() < MIN_SHINGLES || sb.len() < MIN_SHINGLES {
        return None;
    }
    Some(jaccard(&sa, &sb))
}

/// The sentences of `input` (outside tables) most of whose shingles occur
/// in `previous`, adjacent ones merged.
fn repeated_sentences(input: &Input, previous: &Shingles) -> Vec<Span> {
    let text = &input.source.text;
    let mut out: Vec<Span> = Vec::new();
    for range in outside_tables(input) {
        let mut start = range.start;
        let part = &text[range.clone()];
        let mut ends: Vec<usize> = part
            .char_indices()
            .filter(|(_, c)| matches!(c, '。' | '！' | '？' | '；' | '!' | '?' | ';' | '\n' | '\r'))
            .map(|(i, c)| range.start + i + c.len_utf8())
            .collect();
        ends.push(range.end);
        for end in ends {
            if end <= start {
                continue;
            }
            let sentence: Vec<char> = letters(&text[start..end]);
            if sentence.len() >= SENTENCE_MIN {
                let own = shingles(&sentence);
                let shared = own
                    .iter()
                    .filter(|s| previous.binary_search(s).is_ok())
                    .count();
                if !own.is_empty() && shared as f64 >= SENTENCE_SHARE * own.len() as f64 {
                    // Trim the white space around the sentence.
                    let s = &text[start..end];
                    let lead = s.len() - s.trim_start().len();
                    let trail = s.len() - s.trim_end().len();
                    let span = start + lead..end - trail;
                    match out.last_mut() {
                        Some(last) if text[last.end..span.start].trim().is_empty() => {
                            last.end = span.end;
                        }
                        _ => out.push(span),
                    }
                }
            }
            start = end;
        }
    }
    out.truncate(MAX_MARKED);
    out
}

/// The shingles of each input, made when first needed: one report takes
/// part in several pairs (with each of up to three reports a year before).
pub(super) struct Cache<'a> {
    inputs: &'a [Input<'a>],
    made: Vec<std::sync::OnceLock<Shingles>>,
}

impl<'a> Cache<'a> {
    pub fn new(inputs: &'a [Input<'a>]) -> Self {
        Cache {
            inputs,
            made: inputs.iter().map(|_| Default::default()).collect(),
        }
    }

    fn get(&self, i: usize) -> &Shingles {
        self.made[i].get_or_init(|| shingles(&prose(&self.inputs[i])))
    }
}

/// Checks the pair of inputs `previous` and `current` (indices into the cache's inputs).
pub(super) fn check(
    pair: &Pair,
    cache: &Cache,
    (previous, current): (usize, usize),
    out: &mut Vec<Diagnostic>,
) {
    let (previous, current) = (cache.get(previous), cache.get(current));
    if previous.len() < MIN_SHINGLES || current.len() < MIN_SHINGLES {
        return;
    }
    let score = jaccard(previous, current);
    if score <= THRESHOLD {
        return;
    }
    let percent = format!("{:.0}", score * 100.0);
    let (prev_year, this_file, prev_file) = (
        Pair::year(&pair.previous),
        pair.current.source.name.as_str(),
        pair.previous.source.name.as_str(),
    );
    let title = |i: &Input| i.report.title.as_ref().map_or(0..0, |t| t.span.clone());
    let related = repeated_sentences(&pair.current, previous)
        .into_iter()
        .map(|span| Related {
            span,
            message: "与上年报告雷同".into(),
        })
        .collect();
    let e = pair.elsewhere(&title(&pair.previous), "上年报告标题".into());
    out.push(pair.diagnostic(
        SIMILAR_TEXT,
        title(&pair.current),
        format!(
            "正文与上年报告 {prev_file}（{prev_year}年度）的相似度为 {percent}%，超过 50%：本年报告 {this_file} 大量沿用上年文字"
        ),
        format!(
            "The prose of {this_file} is {percent}% similar to last year's report {prev_file} ({prev_year}), over 50%"
        ),
        "年度报告应写本年度的工作：重写沿用上年的段落（已标出），写明本年的新情况、新举措和具体数据。相似度按 5 字片段的 Jaccard 系数计算，不计表格与数字。",
        related,
        e,
        &[("相似度", format!("{percent}%"))],
    ));
}

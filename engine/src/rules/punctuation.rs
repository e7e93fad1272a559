//! `punctuation`: paired marks within a paragraph (GB/T 15834-2011).
//! `book-title-nesting`: 《》 outside, 〈〉 inside, alternating with depth, and
//! no doubled marks; `unbalanced`: 《》〈〉（）“” that do not pair up;
//! `title-separator`: a 、 between two book titles (》、《); `half-width`
//! (in `half_width.rs`): ASCII ; : mixed into Chinese text; `page-break`
//! (in `page_break.rs`): a paragraph broken inside a title or quotation.

use std::ops::Range;
use std::sync::Arc;

use super::scope::Newlines;
use super::{Check, Compile, Context, Findings, RuleMeta};
use crate::diagnostic::{Edit, Fix};
use crate::pack::PackError;
use crate::structure::intervals::Intervals;
use crate::structure::stream::is_common_han;

pub const PLACEHOLDERS: &[&str] = &["原文", "应为", "标点", "配对"];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum What {
    Nesting,
    Unbalanced,
    TitleSeparator,
    HalfWidth,
    PageBreak,
}

const CHECKS: &[(&str, What)] = &[
    ("book-title-nesting", What::Nesting),
    ("unbalanced", What::Unbalanced),
    ("title-separator", What::TitleSeparator),
    ("half-width", What::HalfWidth),
    ("page-break", What::PageBreak),
];

#[derive(Debug)]
struct Punctuation {
    what: What,
}

pub fn compile(cx: &Compile) -> Result<Arc<dyn Check>, PackError> {
    let what = cx.choose(&cx.def.check, "check", CHECKS)?;
    Ok(Arc::new(Punctuation { what }))
}

/// Both book-title marks are three bytes in UTF-8.
const MARK: usize = 3;
/// Context shown around an unpaired mark, in characters.
const CONTEXT: usize = 15;
/// Longest text quoted in a message, in characters.
const QUOTE: usize = 80;

/// A pair of book-title marks in one paragraph (byte offsets into the report).
#[derive(Debug, Clone)]
struct Pair {
    open: usize,
    close: usize,
    /// 〈〉 rather than 《》.
    inner: bool,
    /// A mark that did not pair up fell inside it: its structure is unclear.
    tainted: bool,
}

#[derive(Debug, Default)]
struct Titles {
    pairs: Vec<Pair>,
    unclosed: Vec<usize>,
    stray: Vec<usize>,
}

/// The book-title marks of a paragraph, paired as a stack pairs them.
fn parse_titles(text: &str, span: Range<usize>) -> Titles {
    let mut t = Titles::default();
    // (offset, inner, tainted)
    let mut stack: Vec<(usize, bool, bool)> = Vec::new();
    // The four marks are U+3008–U+300B, E3 80 88–8B in UTF-8: the lead
    // byte E3 is rare in Chinese text (ideographs lead with E4–E9).
    let part = &text[span.clone()];
    for i in memchr::memchr_iter(0xE3, part.as_bytes()) {
        let at = span.start + i;
        let Some(c) = part.get(i..i + MARK).and_then(|s| s.chars().next()) else {
            continue;
        };
        match c {
            '《' | '〈' => stack.push((at, c == '〈', false)),
            '》' | '〉' => {
                let inner = c == '〉';
                match stack.iter().rposition(|e| e.1 == inner) {
                    Some(k) => {
                        let tainted = k + 1 < stack.len();
                        for e in stack.drain(k + 1..) {
                            t.unclosed.push(e.0);
                        }
                        if tainted {
                            stack.iter_mut().for_each(|e| e.2 = true);
                        }
                        let (open, _, was) = stack.pop().expect("found");
                        t.pairs.push(Pair {
                            open,
                            close: at,
                            inner,
                            tainted: tainted || was,
                        });
                    }
                    None => {
                        t.stray.push(at);
                        stack.iter_mut().for_each(|e| e.2 = true);
                    }
                }
            }
            _ => {}
        }
    }
    t.unclosed.extend(stack.iter().map(|e| e.0));
    t.unclosed.sort_unstable();
    t.pairs.sort_by_key(|p| p.open);
    t
}

fn quote(s: &str) -> String {
    if s.chars().count() <= QUOTE {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(QUOTE).collect();
    out.push('…');
    out
}

/// `text[span]` with `edits` (inside it) applied.
fn edited(text: &str, span: &Range<usize>, edits: &[Edit]) -> String {
    let mut out = text[span.clone()].to_owned();
    let mut edits: Vec<&Edit> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
    for e in edits {
        out.replace_range(
            e.span.start - span.start..e.span.end - span.start,
            &e.replacement,
        );
    }
    out
}

fn mark(inner: bool, open: bool) -> &'static str {
    match (inner, open) {
        (false, true) => "《",
        (false, false) => "》",
        (true, true) => "〈",
        (true, false) => "〉",
    }
}

impl Check for Punctuation {
    fn run(&self, cx: &Context, rule: &RuleMeta, out: &mut Findings) {
        match self.what {
            What::Nesting => {
                for p in &cx.report.paragraphs {
                    if out.stopped() {
                        break;
                    }
                    nesting(cx.text(), p.span.clone(), rule, out);
                }
            }
            What::TitleSeparator => {
                for p in &cx.report.paragraphs {
                    if out.stopped() {
                        break;
                    }
                    separators(cx.text(), p.span.clone(), rule, out);
                }
            }
            What::Unbalanced => unbalanced(cx, rule, out),
            What::PageBreak => super::page_break::check(cx, rule, out),
            What::HalfWidth => {
                for p in &cx.report.paragraphs {
                    if out.stopped() {
                        break;
                    }
                    super::half_width::check(cx.text(), p.span.clone(), rule, out);
                }
            }
        }
    }
}

fn nesting(text: &str, span: Range<usize>, rule: &RuleMeta, out: &mut Findings) {
    let t = parse_titles(text, span);
    let pairs = &t.pairs;
    // Each pair's innermost enclosing pair; pairs are sorted by their opening
    // mark and, paired by a stack, never cross: the open pairs before one
    // that have not closed yet are its ancestors, the last its parent.
    let mut parent: Vec<Option<usize>> = Vec::with_capacity(pairs.len());
    let mut open: Vec<usize> = Vec::new();
    for p in pairs {
        while open.last().is_some_and(|&q| pairs[q].close < p.open) {
            open.pop();
        }
        parent.push(open.last().copied());
        open.push(parent.len() - 1);
    }
    // 《《…》》: the inner pair only repeats its parent.
    let dup: Vec<bool> = pairs
        .iter()
        .zip(&parent)
        .map(|(p, q)| {
            q.is_some_and(|q| {
                let q = &pairs[q];
                p.inner == q.inner && p.open == q.open + MARK && p.close + MARK == q.close
            })
        })
        .collect();
    let mut depth = vec![0usize; pairs.len()];
    for k in 0..pairs.len() {
        if let Some(q) = parent[k] {
            depth[k] = depth[q] + usize::from(!dup[k]);
        }
    }
    // The pairs under each outermost one, in order (a parent comes first).
    let mut members_of: Vec<Vec<usize>> = vec![Vec::new(); pairs.len()];
    let mut root_of = vec![0usize; pairs.len()];
    for k in 0..pairs.len() {
        root_of[k] = parent[k].map_or(k, |q| root_of[q]);
        members_of[root_of[k]].push(k);
    }
    for (r, root) in pairs
        .iter()
        .enumerate()
        .filter(|(k, _)| parent[*k].is_none())
    {
        let members = &members_of[r];
        if members.iter().any(|&k| pairs[k].tainted) {
            continue;
        }
        let mut edits = Vec::new();
        for &k in members {
            let p = &pairs[k];
            if dup[k] {
                for at in [p.open, p.close] {
                    edits.push(Edit {
                        span: at..at + MARK,
                        replacement: String::new(),
                    });
                }
            } else if p.inner != (depth[k] % 2 == 1) {
                let inner = depth[k] % 2 == 1;
                edits.push(Edit {
                    span: p.open..p.open + MARK,
                    replacement: mark(inner, true).to_owned(),
                });
                edits.push(Edit {
                    span: p.close..p.close + MARK,
                    replacement: mark(inner, false).to_owned(),
                });
            }
        }
        if edits.is_empty() {
            continue;
        }
        let whole = root.open..root.close + MARK;
        let right = edited(text, &whole, &edits);
        let description = if members.iter().any(|&k| dup[k]) {
            "删去重复的书名号，并按外层《》、内层〈〉调整嵌套".to_owned()
        } else {
            "按外层《》、内层〈〉调整书名号".to_owned()
        };
        let values = [
            ("原文", quote(&text[whole.clone()])),
            ("应为", quote(&right)),
            ("标点", String::new()),
            ("配对", String::new()),
        ];
        out.push(rule.diag_with(whole, &values, Vec::new(), Some(Fix { description, edits })));
    }
    // 《《…》 and …》》 with one mark unpaired: the doubled mark is the extra one.
    let clean_pair = |pred: &dyn Fn(&Pair) -> bool| pairs.iter().find(|p| pred(p) && !p.tainted);
    for &at in &t.unclosed {
        let c = &text[at..at + MARK];
        if !text[at + MARK..].starts_with(c) {
            continue;
        }
        let next = clean_pair(&|p: &Pair| p.open == at + MARK);
        let whole = at..next.map_or(at + 2 * MARK, |p| p.close + MARK);
        doubled(text, whole, at, next.is_some(), rule, out);
    }
    for &at in &t.stray {
        let c = &text[at..at + MARK];
        if at < MARK || !text[..at].ends_with(c) {
            continue;
        }
        let prev = clean_pair(&|p: &Pair| p.close + MARK == at);
        let whole = prev.map_or(at - MARK, |p| p.open)..at + MARK;
        doubled(text, whole, at, prev.is_some(), rule, out);
    }
}

/// A doubled mark at `extra` within `whole`; removing it is the fix when the
/// other mark pairs up cleanly.
fn doubled(
    text: &str,
    whole: Range<usize>,
    extra: usize,
    clear: bool,
    rule: &RuleMeta,
    out: &mut Findings,
) {
    let edits = vec![Edit {
        span: extra..extra + MARK,
        replacement: String::new(),
    }];
    let right = edited(text, &whole, &edits);
    let fix = clear.then(|| Fix {
        description: format!("删去重复的“{}”", &text[extra..extra + MARK]),
        edits,
    });
    let values = [
        ("原文", quote(&text[whole.clone()])),
        ("应为", quote(&right)),
        ("标点", text[extra..extra + MARK].to_owned()),
        ("配对", String::new()),
    ];
    out.push(rule.diag_with(whole, &values, Vec::new(), fix));
}

/// 》、《 (and 〉、〈 inside a title): one finding per run of titles.
fn separators(text: &str, span: Range<usize>, rule: &RuleMeta, out: &mut Findings) {
    let para = &text[span.clone()];
    let t = parse_titles(text, span.clone());
    let mut runs: Vec<(Range<usize>, Vec<Edit>)> = Vec::new();
    for pat in ["》、《", "〉、〈"] {
        for (i, _) in para.match_indices(pat) {
            let close = span.start + i;
            let dun = close + MARK;
            let open = dun + '、'.len_utf8();
            let before = t.pairs.iter().find(|p| p.close == close);
            let after = t.pairs.iter().find(|p| p.open == open);
            let whole =
                before.map_or(close, |p| p.open)..after.map_or(open + MARK, |p| p.close + MARK);
            let edit = Edit {
                span: dun..dun + '、'.len_utf8(),
                replacement: String::new(),
            };
            match runs.last_mut() {
                Some((r, edits)) if r.end > close => {
                    r.end = r.end.max(whole.end);
                    edits.push(edit);
                }
                _ => runs.push((whole, vec![edit])),
            }
        }
    }
    runs.sort_by_key(|r| r.0.start);
    for (whole, edits) in runs {
        let right = edited(text, &whole, &edits);
        let values = [
            ("原文", quote(&text[whole.clone()])),
            ("应为", quote(&right)),
            ("标点", "、".to_owned()),
            ("配对", String::new()),
        ];
        let fix = Fix {
            description: "删去书名号之间的顿号".to_owned(),
            edits,
        };
        out.push(rule.diag_with(whole, &values, Vec::new(), Some(fix)));
    }
}

/// The marks `unbalanced` pairs: openers and closers of one kind pair with
/// each other; the kinds of a family share one stack (《〈 nest).
struct Family {
    kinds: &'static [(&'static [char], &'static [char])],
}

const FAMILIES: &[Family] = &[
    Family {
        kinds: &[(&['《'], &['》']), (&['〈'], &['〉'])],
    },
    // Full- and half-width round brackets pair with each other here; mixing
    // widths is another rule's business.
    Family {
        kinds: &[(&['（', '('], &['）', ')'])],
    },
    Family {
        kinds: &[(&['“'], &['”'])],
    },
];

/// A mark of [`FAMILIES`] (a test keeps the two lists the same).
fn is_mark(c: char) -> bool {
    matches!(
        c,
        '《' | '》' | '〈' | '〉' | '（' | '(' | '）' | ')' | '“' | '”'
    )
}

fn partner(c: char) -> char {
    match c {
        '《' => '》',
        '》' => '《',
        '〈' => '〉',
        '〉' => '〈',
        '（' => '）',
        '）' => '（',
        '(' => ')',
        ')' => '(',
        '“' => '”',
        '”' => '“',
        other => other,
    }
}

/// A sentence-final mark: a paragraph ending in one does not run on.
fn ends_sentence(s: &str) -> bool {
    s.trim_end()
        .ends_with(['。', '！', '？', '；', '…', '.', '!', '?', ';', '：', ':'])
}

/// `1）`, `（2）`'s tail, `a)`: a list marker, not a stray closer.
fn list_marker(text: &str, para_start: usize, at: usize) -> bool {
    let before = &text[para_start..at];
    let token: Vec<char> = before
        .chars()
        .rev()
        .take_while(|c| {
            c.is_ascii_alphanumeric()
                || ('０'..='９').contains(c)
                || "一二三四五六七八九十①②③④⑤⑥⑦⑧⑨⑩".contains(*c)
        })
        .collect();
    if token.is_empty() || token.len() > 3 {
        return false;
    }
    let rest: &str = {
        let n: usize = token.iter().map(|c| c.len_utf8()).sum();
        &before[..before.len() - n]
    };
    rest.trim_end().is_empty()
        || rest.ends_with(|c: char| c.is_whitespace() || "，。；：、".contains(c))
}

/// Whether the line before a paragraph, when it is no paragraph itself (a
/// table cell wrapped onto the next line), leaves a mark of `kind` open.
fn opened_on_line_before(
    text: &str,
    para_start: usize,
    paras: &Intervals,
    kind: (&[char], &[char]),
) -> bool {
    let before = text[..para_start].trim_end();
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = &before[start..];
    if line.trim().is_empty() || ends_sentence(line) {
        return false;
    }
    // A paragraph that starts by the line's first character (or holds it).
    let first = start + (line.len() - line.trim_start().len());
    if paras.overlaps(&(start..first + 1)) {
        return false;
    }
    let opened = line.chars().filter(|c| kind.0.contains(c)).count();
    let closed = line.chars().filter(|c| kind.1.contains(c)).count();
    opened > closed
}

fn unbalanced(cx: &Context, rule: &RuleMeta, out: &mut Findings) {
    let text = cx.text();
    let paras = &cx.report.paragraphs;
    let mut found: Vec<(usize, char, bool)> = Vec::new(); // (offset, mark, is opener)
    let para_spans = Intervals::new(paras.iter().map(|p| p.span.clone()));
    // One pass over the text for the marks of every family: (offset, mark), per paragraph.
    let marks: Vec<Vec<(usize, char)>> = paras
        .iter()
        .map(|p| {
            text[p.span.clone()]
                .char_indices()
                // Most characters are Han ideographs, never a mark.
                .filter(|(_, c)| !is_common_han(*c) && is_mark(*c))
                .map(|(i, c)| (p.span.start + i, c))
                .collect()
        })
        .collect();
    for fam in FAMILIES {
        let kind_of = |c: char| {
            fam.kinds.iter().enumerate().find_map(|(k, (o, cl))| {
                if o.contains(&c) {
                    Some((k, true))
                } else if cl.contains(&c) {
                    Some((k, false))
                } else {
                    None
                }
            })
        };
        // (offset, mark, kind, paragraph)
        let mut stack: Vec<(usize, char, usize, usize)> = Vec::new();
        for (n, p) in paras.iter().enumerate() {
            for &(at, c) in &marks[n] {
                let Some((k, open)) = kind_of(c) else {
                    continue;
                };
                if open {
                    stack.push((at, c, k, n));
                    continue;
                }
                match stack.iter().rposition(|e| e.2 == k) {
                    Some(j) => {
                        for e in stack.drain(j + 1..) {
                            found.push((e.0, e.1, true));
                        }
                        stack.pop();
                    }
                    None => {
                        if matches!(c, '）' | ')') && list_marker(text, p.span.start, at) {
                            continue;
                        }
                        if opened_on_line_before(text, p.span.start, &para_spans, fam.kinds[k]) {
                            continue;
                        }
                        found.push((at, c, false));
                    }
                }
            }
            // A paragraph broken mid-sentence (a page break) may close in the next one.
            let runs_on = !ends_sentence(&p.text);
            stack.retain(|e| {
                let keep = e.3 == n && runs_on;
                if !keep {
                    found.push((e.0, e.1, true));
                }
                keep
            });
        }
        found.extend(stack.iter().map(|e| (e.0, e.1, true)));
    }
    found.sort_unstable();
    let lines = Newlines::new(text);
    for (at, c, open) in found {
        if out.stopped() {
            break;
        }
        let len = c.len_utf8();
        // 《《 and 》》 are `book-title-nesting`'s doubled marks.
        if c == '《' || c == '〈' || c == '》' || c == '〉' {
            let mut buf = [0u8; 4];
            let s: &str = c.encode_utf8(&mut buf);
            if (open && text[at + len..].starts_with(s)) || (!open && text[..at].ends_with(s)) {
                continue;
            }
        }
        let std::ops::Range {
            start: line_start,
            end: line_end,
        } = lines.line_around(at);
        let context = if open {
            let end = text[at..line_end]
                .char_indices()
                .nth(CONTEXT)
                .map_or(line_end, |(i, _)| at + i);
            &text[at..end]
        } else {
            let start = text[line_start..at]
                .char_indices()
                .rev()
                .nth(CONTEXT - 1)
                .map_or(line_start, |(i, _)| line_start + i);
            &text[start..at + len]
        };
        let values = [
            ("原文", context.trim().to_owned()),
            ("应为", String::new()),
            ("标点", c.to_string()),
            ("配对", partner(c).to_string()),
        ];
        out.push(rule.diag(at..at + len, &values));
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::diagnostic::Diagnostic;
    use crate::lint::Options;
    use crate::pack::{PackInput, PackSet, PackSource, builtin_inputs, load};

    fn builtin() -> PackSet {
        load(&builtin_inputs()).unwrap_or_else(|e| panic!("{e}"))
    }

    fn run(set: &PackSet, id: &str, text: &str) -> Vec<Diagnostic> {
        crate::rules::testing::run_only(set, id, text, Options::default())
    }

    fn apply(text: &str, d: &Diagnostic) -> String {
        let span = 0..text.len();
        edited(text, &span, &d.fix.as_ref().expect("a fix").edits)
    }

    fn hits<'a>(ds: &'a [Diagnostic], text: &'a str) -> Vec<&'a str> {
        ds.iter().map(|d| &text[d.span.clone()]).collect()
    }

    const NESTING: &str = "punctuation-book-title-nesting";
    const UNBALANCED: &str = "punctuation-unbalanced";
    const SEPARATOR: &str = "punctuation-title-separator";

    #[test]
    fn seed_001_inverted_nesting_is_swapped() {
        let set = builtin();
        let text = "根据〈固原市人民政府政务公开办公室关于印发《政府信息公开工作年度报告编制指南》的通知〉（固政公开办发〔2021〕2号）文件要求";
        let ds = run(&set, NESTING, text);
        assert_eq!(ds.len(), 1, "{ds:?}");
        assert_eq!(
            apply(text, &ds[0]),
            "根据《固原市人民政府政务公开办公室关于印发〈政府信息公开工作年度报告编制指南〉的通知》（固政公开办发〔2021〕2号）文件要求"
        );
        assert!(ds[0].values["应为"].starts_with("《固原市"));
        assert!(run(&set, UNBALANCED, text).is_empty());
    }

    #[test]
    fn nesting_alternates_and_doubled_marks_go() {
        let set = builtin();
        let ok = "根据《国务院办公厅关于印发〈政府信息公开信息处理费管理办法〉的通知》和《关于〈《条例》释义〉的说明》";
        assert!(run(&set, NESTING, ok).is_empty());
        let cases = [
            ("依据《《条例》》编制", "依据《条例》编制"),
            ("依据《《条例》释义》编制", "依据《〈条例〉释义》编制"),
            ("依据〈条例〉编制", "依据《条例》编制"),
            ("依据《《条例》编制", "依据《条例》编制"),
            ("依据《条例》》编制", "依据《条例》编制"),
        ];
        for (text, fixed) in cases {
            let ds = run(&set, NESTING, text);
            assert_eq!(ds.len(), 1, "{text}: {ds:?}");
            assert_eq!(apply(text, &ds[0]), fixed, "{text}");
        }
        // Doubled marks are not reported twice.
        assert!(run(&set, UNBALANCED, "依据《《条例》编制").is_empty());
        // Crossed marks: unclear, left to `unbalanced`.
        let crossed = "依据《关于〈办法》的通知〉编制";
        assert!(run(&set, NESTING, crossed).is_empty());
        assert_eq!(run(&set, UNBALANCED, crossed).len(), 2);
    }

    #[test]
    fn unbalanced_marks_within_a_paragraph() {
        let set = builtin();
        let text = "一是制定《办法（试行）。\n二是公开“五公开”目录）。\n1）主动公开。\n（地址:固原市,电话 0954-2088829)\n";
        let ds = run(&set, UNBALANCED, text);
        assert_eq!(hits(&ds, text), ["《", "）"], "{ds:?}");
        assert_eq!(ds[0].values["配对"], "》");
        assert_eq!(ds[1].values["原文"], "二是公开“五公开”目录）");
    }

    #[test]
    fn a_title_broken_across_lines_is_not_unbalanced() {
        // Seed 000: a page break inside a book title.
        let set = builtin();
        let text = "结合单位工作实际，制定《县投资促进服务\n\n中心 2019 年政务公开工作实施方案》，编制了《指南》。\n";
        assert!(run(&set, UNBALANCED, text).is_empty());
        let text = "制定《县投资促进服务。\n\n中心方案》。\n";
        assert_eq!(run(&set, UNBALANCED, text).len(), 2);
        // Seed 004: a table note wrapped onto the line after the table row.
        let text = "三、收到和处理政府信息公开申请情况\n\t（本列数据的勾稽关系为：第一项加第二项之和，\n等于第三项加第四项之和）\n\t申请人情况\n";
        assert!(run(&set, UNBALANCED, text).is_empty());
        // Seed 002: the note's opening half is lost.
        let text = "列数据的勾稽关系为:第一项加第二项之和,等于第三项加第四项之和)\n";
        assert_eq!(run(&set, UNBALANCED, text).len(), 1);
    }

    #[test]
    fn separators_between_titles() {
        let set = builtin();
        let text = "制定了《目录》、《审核办法》、《责任追究制度》和《实施方案》等文件";
        let ds = run(&set, SEPARATOR, text);
        assert_eq!(
            hits(&ds, text),
            ["《目录》、《审核办法》、《责任追究制度》"]
        );
        assert_eq!(
            apply(text, &ds[0]),
            "制定了《目录》《审核办法》《责任追究制度》和《实施方案》等文件"
        );
        // Seed 002 writes them correctly.
        let ok = "制定下发了《市招商局政府信息公开目录》《市招商局信息公开审核办法》";
        assert!(run(&set, SEPARATOR, ok).is_empty());
    }

    #[test]
    fn compile_errors_are_located() {
        let mut v = builtin_inputs();
        v.push(PackInput {
            origin: "t.yaml".into(),
            files: vec![PackSource::yaml("t.yaml", "pack: t\nrules:\n  - id: t1\n    kind: punctuation\n    category: style\n    severity: error\n    message: m\n    help: h\n    check: nesting\n")],
            builtin: false,
        });
        let e = load(&v).expect_err("unknown check").to_string();
        assert!(e.contains(":9:") && e.contains("book-title-nesting"), "{e}");
    }

    /// Every built-in punctuation rule's examples behave as they say.
    #[test]
    fn is_mark_lists_the_marks_of_the_families() {
        let listed: Vec<char> = FAMILIES
            .iter()
            .flat_map(|f| f.kinds)
            .flat_map(|(open, close)| open.iter().chain(close.iter()))
            .copied()
            .collect();
        for c in listed.iter() {
            assert!(is_mark(*c), "{c}");
        }
        let all = (0..0x11_0000).filter_map(char::from_u32);
        assert_eq!(all.filter(|c| is_mark(*c)).count(), listed.len());
    }

    #[test]
    fn builtin_examples() {
        assert_eq!(
            crate::rules::testing::builtin_examples("punctuation"),
            CHECKS.len()
        );
    }
}

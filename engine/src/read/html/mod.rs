//! Web pages (`.html`, `.htm`) via html5ever (scraper): the charset from the
//! BOM, the `<meta>` declaration when the bytes really are in it, else
//! detection (one detector with text files: [`crate::source`]); block
//! elements as lines; data tables laid out on their real grid (rowspan,
//! colspan); navigation, scripts and styles skipped. Everything the page
//! makes the reader build is counted in the file's budget.

mod sink;

use std::collections::HashSet;
use std::sync::LazyLock;

use ego_tree::iter::Edge;
use ego_tree::{NodeId, NodeRef};
use regex::bytes::Regex;
use scraper::Node;

use super::budget::{Budget, SLOT_COST};
use super::extracted::{ExtractError, Extraction, Writer, clean};

pub use sink::MAX_DEPTH;

/// Cells one table may span (colspan is capped at 1000 as in browsers).
const MAX_GRID_SLOTS: usize = 500_000;

/// Extracts a page within the default limits.
pub fn extract(bytes: &[u8]) -> Result<Extraction, ExtractError> {
    extract_within(bytes, Budget::default())
}

pub(crate) fn extract_within(bytes: &[u8], mut budget: Budget) -> Result<Extraction, ExtractError> {
    let declared = META_CHARSET
        .captures(&bytes[..bytes.len().min(4096)])
        .map(|c| c[1].to_vec());
    let decoded = crate::source::decode_declared(bytes, declared.as_deref());
    budget.work(decoded.text.len())?;
    if let Some(note) = decoded.note {
        budget.warn(note);
    }
    let html = sink::parse(&decoded.text, &mut budget)?;
    drop(decoded.text);
    let mut items = Vec::new();
    let mut title = None;
    collect(html.tree.root(), &mut items, &mut title, &mut budget)?;
    let mut w = Writer::new(budget);
    // The <title> counts only when the page body does not repeat it.
    if let Some(t) = title {
        let key = squash(&t);
        let body_has_it = items.iter().any(|i| match i {
            Item::Paragraph(p) => squash(p).contains(&key),
            Item::Table(_) => false,
        });
        if !key.is_empty() && !body_has_it {
            w.paragraph(&t)?;
        }
    }
    for item in &items {
        match item {
            Item::Paragraph(p) => w.paragraph(p)?,
            Item::Table(grid) => w.table(grid)?,
        }
    }
    let mut out = w.finish();
    out.encoding = decoded.encoding;
    Ok(out)
}

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

enum Item {
    Paragraph(String),
    Table(Vec<Vec<Option<String>>>),
}

/// Elements whose content is never report text.
fn skipped(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "nav"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "math"
            | "select"
            | "button"
            | "textarea"
            | "canvas"
            | "audio"
            | "video"
    )
}

/// Elements that start and end a line.
fn block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "section"
            | "article"
            | "header"
            | "footer"
            | "main"
            | "aside"
            | "blockquote"
            | "pre"
            | "center"
            | "address"
            | "figure"
            | "figcaption"
            | "form"
            | "fieldset"
            | "hr"
            | "table"
            | "caption"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "body"
            | "html"
    )
}

/// Walks the document in order (iteratively: no recursion on depth).
fn collect(
    root: NodeRef<'_, Node>,
    items: &mut Vec<Item>,
    title: &mut Option<String>,
    budget: &mut Budget,
) -> Result<(), ExtractError> {
    let nested = tables_with_tables(root, budget)?;
    let mut para = String::new();
    let flush = |para: &mut String, items: &mut Vec<Item>| {
        if !clean(para).is_empty() {
            items.push(Item::Paragraph(std::mem::take(para)));
        }
        para.clear();
    };
    // While inside a skipped subtree or a data table: the node that opened it.
    let mut skip_until = None;
    for edge in root.traverse() {
        budget.tick()?;
        match edge {
            Edge::Open(node) => {
                if skip_until.is_some() {
                    continue;
                }
                match node.value() {
                    Node::Text(t) => para.push_str(t),
                    Node::Element(e) => {
                        let name = e.name();
                        if name == "head" && title.is_none() {
                            *title = node
                                .descendants()
                                .find(|n| element_name(*n) == Some("title"))
                                .map(text_of);
                        }
                        if skipped(name) {
                            skip_until = Some(node.id());
                        } else if name == "table" && !nested.contains(&node.id()) {
                            flush(&mut para, items);
                            for cap in node
                                .children()
                                .filter(|c| element_name(*c) == Some("caption"))
                            {
                                items.push(Item::Paragraph(text_of(cap)));
                            }
                            items.push(Item::Table(grid(node, budget)?));
                            skip_until = Some(node.id());
                        } else if name == "br" || block(name) {
                            flush(&mut para, items);
                        } else if matches!(name, "img" | "input") {
                            para.push(' ');
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(node) => {
                if skip_until == Some(node.id()) {
                    skip_until = None;
                    continue;
                }
                if skip_until.is_none() && element_name(node).is_some_and(block) {
                    flush(&mut para, items);
                }
            }
        }
    }
    flush(&mut para, items);
    Ok(())
}

fn element_name<'a>(node: NodeRef<'a, Node>) -> Option<&'a str> {
    node.value().as_element().map(|e| e.name())
}

/// The tables holding another table (layout tables, not data), found in one
/// walk: each table marks the table it is directly inside, which was marked
/// in turn by its own table when that one opened.
fn tables_with_tables(
    root: NodeRef<'_, Node>,
    budget: &mut Budget,
) -> Result<HashSet<NodeId>, ExtractError> {
    let mut open: Vec<NodeId> = Vec::new();
    let mut nested = HashSet::new();
    for edge in root.traverse() {
        budget.tick()?;
        match edge {
            Edge::Open(n) if element_name(n) == Some("table") => {
                if let Some(&outer) = open.last() {
                    nested.insert(outer);
                }
                open.push(n.id());
            }
            Edge::Close(n) if element_name(n) == Some("table") => {
                open.pop();
            }
            _ => {}
        }
    }
    Ok(nested)
}

/// A subtree's text, block boundaries and `<br>` as spaces, scripts skipped.
fn text_of(node: NodeRef<'_, Node>) -> String {
    let mut out = String::new();
    let mut skip_until = None;
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) if skip_until.is_none() => match n.value() {
                Node::Text(t) => out.push_str(t),
                Node::Element(e) if skipped(e.name()) && n != node => skip_until = Some(n.id()),
                Node::Element(e) if e.name() == "br" || block(e.name()) => out.push(' '),
                _ => {}
            },
            Edge::Close(n) => {
                if skip_until == Some(n.id()) {
                    skip_until = None;
                } else if skip_until.is_none() && element_name(n).is_some_and(block) {
                    out.push(' ');
                }
            }
            Edge::Open(_) => {}
        }
    }
    out
}

fn span_attr(e: &scraper::node::Element, name: &str) -> Option<usize> {
    let v = e.attr(name)?.trim();
    let digits: String = v.chars().take_while(|c| c.is_ascii_digit()).collect();
    digits.parse().ok()
}

/// The table's cells on their grid: each cell's text in its first slot, the
/// other slots it spans empty. Slots are counted in the file's budget; once
/// its allowance for spanned slots is used, a cell takes one slot.
fn grid(
    table: NodeRef<'_, Node>,
    budget: &mut Budget,
) -> Result<Vec<Vec<Option<String>>>, ExtractError> {
    let rows: Vec<NodeRef<'_, Node>> = table
        .descendants()
        .filter(|n| element_name(*n) == Some("tr"))
        .collect();
    budget.work(rows.len().saturating_mul(2 * size_of::<Vec<u8>>()))?;
    let mut grid: Vec<Vec<Option<String>>> = vec![Vec::new(); rows.len()];
    // Slots taken by cells of earlier rows (rowspan).
    let mut taken: Vec<Vec<bool>> = vec![Vec::new(); rows.len()];
    let mut slots = 0usize;
    for (r, tr) in rows.iter().enumerate() {
        let mut col = 0;
        for cell in tr.children() {
            let Some(e) = cell.value().as_element() else {
                continue;
            };
            if !matches!(e.name(), "td" | "th") {
                continue;
            }
            while taken[r].get(col).copied().unwrap_or(false) {
                col += 1;
            }
            let mut colspan = span_attr(e, "colspan").unwrap_or(1).clamp(1, 1000);
            let mut rowspan = match span_attr(e, "rowspan") {
                Some(0) => rows.len() - r,
                Some(n) => n.clamp(1, rows.len() - r),
                None => 1,
            };
            // The slots this cell adds to the rows it spans (a cell far
            // right adds the gap before it too), counted before they are
            // built; judging costs a step per row spanned.
            budget.work(SLOT_COST + rowspan)?;
            let end = col + colspan;
            let added: usize = (r..r + rowspan)
                .map(|rr| end.saturating_sub(grid[rr].len()))
                .sum::<usize>()
                .saturating_sub(1);
            if !budget.span_slots(added)? {
                (colspan, rowspan) = (1, 1);
            }
            slots += colspan * rowspan;
            if slots > MAX_GRID_SLOTS {
                budget.warn(format!(
                    "有表格超过 {MAX_GRID_SLOTS} 格，只读取了它的前 {MAX_GRID_SLOTS} 格"
                ));
                return Ok(grid);
            }
            for rr in r..r + rowspan {
                let t = &mut taken[rr];
                if t.len() < col + colspan {
                    t.resize(col + colspan, false);
                }
                t[col..col + colspan].fill(true);
                let g = &mut grid[rr];
                if g.len() < col + colspan {
                    g.resize(col + colspan, None);
                }
            }
            let text = text_of(cell);
            grid[r][col] = Some(text);
            col += colspan;
        }
    }
    Ok(grid)
}

static META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_\-:.]+)"#).expect("valid regex")
});

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm() {
    LazyLock::force(&META_CHARSET);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Encoding;

    fn text(html: &str) -> String {
        extract(html.as_bytes()).unwrap().text
    }

    #[test]
    fn blocks_are_lines_and_chrome_is_skipped() {
        let t = text(
            "<html><head><title>T</title><style>p{}</style></head><body>\
             <nav>首页 | 导航</nav><script>var x = '<p>';</script>\
             <div>一、总体情况<br>第二行</div><p>正文<b>加粗</b>。</p></body></html>",
        );
        assert_eq!(t, "T\n一、总体情况\n第二行\n正文加粗。\n");
    }

    #[test]
    fn rowspan_and_colspan_lay_out_on_the_grid() {
        let t = text(
            "<table><tr><td rowspan=2>三、结果</td><td colspan=2>（一）予以公开</td><td>5</td></tr>\
             <tr><td>1.</td><td>属于</td><td>&nbsp;</td></tr>\
             <tr><td>总计</td><td>1</td><td colspan=\"2\">2</td></tr></table>",
        );
        // Blank cells at a row's end keep their slots (the trailing tabs).
        assert_eq!(
            t,
            "三、结果\t（一）予以公开\t\t5\n\t1.\t属于\t\n总计\t1\t2\t\n"
        );
    }

    #[test]
    fn a_layout_table_around_the_content_is_no_data_table() {
        let t = text(
            "<table><tr><td><p>标题</p><table><tr><td>规章</td><td>0</td></tr></table>\
             <p>后文</p></td></tr></table>",
        );
        assert_eq!(t, "标题\n\n规章\t0\n\n后文\n");
    }

    #[test]
    fn charset_from_meta_only_when_it_decodes_cleanly() {
        let body = "<p>政府信息公开工作年度报告</p>";
        let (gbk, _, _) = encoding_rs::GBK.encode(body);
        let mut page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\"></head><body>".to_vec();
        page.extend_from_slice(&gbk);
        let ex = extract(&page).unwrap();
        assert_eq!(ex.text, "政府信息公开工作年度报告\n");
        assert_eq!(ex.encoding, Some(Encoding::Gb18030));
        // Declared UTF-8, written in GBK.
        let mut wrong = b"<meta charset=\"utf-8\">".to_vec();
        wrong.extend_from_slice(&gbk);
        assert_eq!(extract(&wrong).unwrap().text, "政府信息公开工作年度报告\n");
        // Declared GBK, written in UTF-8.
        let stale = format!("<meta charset=gbk>{body}");
        let ex = extract(stale.as_bytes()).unwrap();
        assert_eq!(ex.text, "政府信息公开工作年度报告\n");
        assert_eq!(ex.encoding, Some(Encoding::Utf8));
        assert!(ex.warnings[0].contains("实为 UTF-8"), "{:?}", ex.warnings);
    }

    /// GBK bytes declared as Latin-1, windows-1252 or Big5 decode without
    /// an error in some of them, to mojibake: the page is read as GB18030
    /// and the reader says so. Real pages in those encodings stay as they
    /// are, silently.
    #[test]
    fn a_declared_charset_that_makes_mojibake_is_overruled_and_said() {
        let body = "<p>本机关2023年政府信息公开工作年度报告：收到申请12件，予以公开8件。</p>";
        let (gbk, _, _) = encoding_rs::GBK.encode(body);
        for label in ["iso-8859-1", "windows-1252", "latin1", "big5"] {
            let mut page = format!("<meta charset=\"{label}\">").into_bytes();
            page.extend_from_slice(&gbk);
            let ex = extract(&page).unwrap();
            assert_eq!(
                ex.text, "本机关2023年政府信息公开工作年度报告：收到申请12件，予以公开8件。\n",
                "{label}"
            );
            assert_eq!(ex.encoding, Some(Encoding::Gb18030), "{label}");
            assert_eq!(ex.warnings.len(), 1, "{label}: {:?}", ex.warnings);
            assert!(
                ex.warnings[0].contains(label) && ex.warnings[0].contains("GB18030"),
                "{:?}",
                ex.warnings
            );
        }
        let mut latin = b"<meta charset=\"windows-1252\"><p>Caf".to_vec();
        latin.extend_from_slice(b"\xe9 na\xefve r\xe9sum\xe9, \xa9 2023 \xabd\xe9j\xe0 vu\xbb</p>");
        let ex = extract(&latin).unwrap();
        assert_eq!(ex.text, "Café naïve résumé, © 2023 «déjà vu»\n");
        assert!(ex.warnings.is_empty(), "{:?}", ex.warnings);
        let (big5, _, _) = encoding_rs::BIG5
            .encode("<p>本機關政府資訊公開工作年度報告：收到申請12件，予以公開8件。</p>");
        let mut page = b"<meta charset=big5>".to_vec();
        page.extend_from_slice(&big5);
        let ex = extract(&page).unwrap();
        assert_eq!(
            ex.text,
            "本機關政府資訊公開工作年度報告：收到申請12件，予以公開8件。\n"
        );
        assert_eq!(ex.encoding, Some(Encoding::Big5));
        assert!(ex.warnings.is_empty(), "{:?}", ex.warnings);
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        let n = 200_000;
        // Written nesting, and nesting HTML makes of self-closed divs (the
        // slash means nothing on a <div>): the tree is as deep either way.
        for page in [
            format!("{}x{}", "<div>".repeat(n), "</div>".repeat(n)),
            format!("<body>{}x</body>", "<div/>".repeat(n)),
            format!("<body>{}x</body>", "<span><table><tr><td>".repeat(n / 4)),
        ] {
            let t = std::time::Instant::now();
            assert_eq!(
                extract(page.as_bytes()).unwrap_err(),
                ExtractError::TooDeep(MAX_DEPTH)
            );
            assert!(t.elapsed().as_secs() < 5);
        }
        // Unclosed paragraphs, cells and list items nest nothing.
        let flat = format!(
            "<table>{}</table><ul>{}</ul>{}",
            "<tr><td><font>1<td>2".repeat(2000),
            "<li><b>x".repeat(2000),
            "<p><span>y".repeat(2000)
        );
        assert!(extract(flat.as_bytes()).is_ok());
    }

    #[test]
    fn spans_past_the_file_allowance_are_read_as_one_cell_with_a_warning() {
        let page = format!(
            "<p>标题</p>{}",
            "<table><tr><td colspan=1000>1</td><td>2</td></table>".repeat(4000)
        );
        let ex = extract(page.as_bytes()).unwrap();
        assert!(ex.text.len() < 8 << 20, "{}", ex.text.len());
        assert!(
            ex.text.ends_with("\n1\t2\n"),
            "{:?}",
            &ex.text[ex.text.len() - 20..]
        );
        assert_eq!(ex.warnings.len(), 1, "{:?}", ex.warnings);
        assert!(ex.warnings[0].contains("合并单元格"), "{:?}", ex.warnings);
    }
}

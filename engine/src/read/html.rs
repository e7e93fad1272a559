//! Web pages (`.html`, `.htm`) via html5ever (scraper): the charset from the
//! BOM, the `<meta>` declaration when the bytes decode cleanly with it, else
//! detection; block elements as lines; data tables laid out on their real
//! grid (rowspan, colspan); navigation, scripts and styles skipped.

use std::sync::LazyLock;

use ego_tree::NodeRef;
use ego_tree::iter::Edge;
use regex::bytes::Regex;
use scraper::{Html, Node};

use super::extracted::{ExtractError, Extraction, Writer, clean};
use crate::source::Encoding;

/// Pages larger than this are refused (a report page is well under 1 MiB).
const MAX_BYTES: usize = 16 << 20;
/// Deeper element nesting is refused before parsing: real pages nest a few
/// dozen levels, and html5ever's scope checks grow with the depth.
pub const MAX_DEPTH: usize = 512;
/// Cells one table may span (colspan is capped at 1000 as in browsers).
const MAX_GRID_SLOTS: usize = 500_000;

pub fn extract(bytes: &[u8]) -> Result<Extraction, ExtractError> {
    if bytes.len() > MAX_BYTES {
        return Err(ExtractError::FileTooLarge {
            size: bytes.len(),
            limit: MAX_BYTES,
        });
    }
    let (text, encoding) = decode(bytes);
    check_depth(&text)?;
    let html = Html::parse_document(&text);
    let mut items = Vec::new();
    let mut title = None;
    collect(html.tree.root(), &mut items, &mut title);
    let mut w = Writer::default();
    // The <title> counts only when the page body does not repeat it.
    if let Some(t) = title {
        let key = squash(&t);
        let body_has_it = items.iter().any(|i| match i {
            Item::Paragraph(p) => squash(p).contains(&key),
            Item::Table(_) => false,
        });
        if !key.is_empty() && !body_has_it {
            w.paragraph(&t);
        }
    }
    for item in &items {
        match item {
            Item::Paragraph(p) => w.paragraph(p),
            Item::Table(grid) => w.table(grid),
        }
    }
    let mut out = w.finish();
    out.encoding = encoding;
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
fn collect(root: NodeRef<'_, Node>, items: &mut Vec<Item>, title: &mut Option<String>) {
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
                        } else if name == "table" && !has_nested_table(node) {
                            flush(&mut para, items);
                            for cap in node
                                .children()
                                .filter(|c| element_name(*c) == Some("caption"))
                            {
                                items.push(Item::Paragraph(text_of(cap)));
                            }
                            items.push(Item::Table(grid(node)));
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
}

fn element_name<'a>(node: NodeRef<'a, Node>) -> Option<&'a str> {
    node.value().as_element().map(|e| e.name())
}

fn has_nested_table(table: NodeRef<'_, Node>) -> bool {
    table
        .descendants()
        .skip(1)
        .any(|n| element_name(n) == Some("table"))
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
/// other slots it spans empty.
fn grid(table: NodeRef<'_, Node>) -> Vec<Vec<Option<String>>> {
    let rows: Vec<NodeRef<'_, Node>> = table
        .descendants()
        .filter(|n| element_name(*n) == Some("tr"))
        .collect();
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
            let colspan = span_attr(e, "colspan").unwrap_or(1).clamp(1, 1000);
            let rowspan = match span_attr(e, "rowspan") {
                Some(0) => rows.len() - r,
                Some(n) => n.min(rows.len() - r),
                None => 1,
            };
            slots += colspan * rowspan;
            if slots > MAX_GRID_SLOTS {
                return grid;
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
    grid
}

/// Refuses pages nested deeper than [`MAX_DEPTH`] before html5ever sees them,
/// with a light tokenizer that mimics the implied end tags of HTML.
fn check_depth(html: &str) -> Result<(), ExtractError> {
    let b = html.as_bytes();
    let mut stack: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(off) = b[i..].iter().position(|&c| c == b'<') {
        i += off + 1;
        if b[i..].starts_with(b"!--") {
            i = find(b, i + 3, b"-->").map_or(b.len(), |j| j + 3);
            continue;
        }
        if matches!(b.get(i), Some(b'!' | b'?')) {
            i = find(b, i, b">").map_or(b.len(), |j| j + 1);
            continue;
        }
        let closing = b.get(i) == Some(&b'/');
        if closing {
            i += 1;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'-' | b':')) {
            i += 1;
        }
        if i == start || !b[start].is_ascii_alphabetic() {
            continue;
        }
        let name = html[start..i].to_ascii_lowercase();
        let end = find(b, i, b">").unwrap_or(b.len());
        let self_closing = end > i && b[end - 1] == b'/';
        i = end.min(b.len());
        if closing {
            if let Some(p) = stack.iter().rposition(|n| *n == name) {
                stack.truncate(p);
            }
            continue;
        }
        if matches!(
            name.as_str(),
            "script" | "style" | "textarea" | "title" | "xmp" | "iframe" | "noembed" | "noframes"
        ) {
            let close = format!("</{name}");
            i = find_ci(b, i, close.as_bytes()).unwrap_or(b.len());
            continue;
        }
        if self_closing || void(&name) {
            continue;
        }
        if let Some(bounds) = implied_end(&name) {
            for p in (0..stack.len()).rev() {
                if stack[p] == name {
                    stack.truncate(p);
                    break;
                }
                if bounds.contains(&stack[p].as_str()) {
                    break;
                }
            }
        }
        stack.push(name);
        if stack.len() > MAX_DEPTH {
            return Err(ExtractError::TooDeep(MAX_DEPTH));
        }
    }
    Ok(())
}

fn void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "param"
            | "source"
            | "track"
            | "wbr"
            | "frame"
            | "basefont"
            | "bgsound"
            | "keygen"
    )
}

/// Elements whose start tag closes an open element of the same name, and the
/// elements that stop that search.
fn implied_end(name: &str) -> Option<&'static [&'static str]> {
    const TABLE: &[&str] = &["table"];
    Some(match name {
        "p" => &[
            "table", "td", "th", "caption", "button", "object", "marquee", "applet", "template",
        ],
        "li" => &["ul", "ol", "table", "td", "th"],
        "dt" | "dd" => &["dl", "table", "td", "th"],
        "td" | "th" | "tr" | "thead" | "tbody" | "tfoot" | "colgroup" => TABLE,
        "option" | "optgroup" => &["select"],
        _ => return None,
    })
}

fn find(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    if from >= b.len() {
        return None;
    }
    b[from..]
        .windows(pat.len())
        .position(|w| w == pat)
        .map(|j| from + j)
}

fn find_ci(b: &[u8], from: usize, pat: &[u8]) -> Option<usize> {
    if from >= b.len() {
        return None;
    }
    b[from..]
        .windows(pat.len())
        .position(|w| w.eq_ignore_ascii_case(pat))
        .map(|j| from + j)
}

static META_CHARSET: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i-u)<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_\-:.]+)"#).expect("valid regex")
});

/// The page's text and the encoding it was read in.
fn decode(bytes: &[u8]) -> (String, Option<Encoding>) {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return (text.into_owned(), ours(enc));
    }
    let head = &bytes[..bytes.len().min(4096)];
    let declared = META_CHARSET
        .captures(head)
        .and_then(|c| encoding_rs::Encoding::for_label(&c[1]))
        // A page that says UTF-16 in ASCII bytes is not UTF-16.
        .map(|e| e.output_encoding());
    let utf8 = std::str::from_utf8(bytes).ok();
    let non_ascii = !bytes.is_ascii();
    if let Some(enc) = declared {
        // Valid UTF-8 with Chinese text is UTF-8, whatever a stale
        // declaration says; otherwise the declaration wins when it decodes.
        let utf8_instead = enc != encoding_rs::UTF_8 && non_ascii && utf8.is_some();
        if !utf8_instead {
            let (text, had_errors) = enc.decode_without_bom_handling(bytes);
            if !had_errors {
                return (text.into_owned(), ours(enc));
            }
        }
    }
    if let Some(text) = utf8 {
        return (text.to_owned(), Some(Encoding::Utf8));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
    let (text, had_errors) = guess.decode_without_bom_handling(bytes);
    if had_errors && guess != encoding_rs::GB18030 {
        let (gb, gb_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
        if !gb_errors {
            return (gb.into_owned(), Some(Encoding::Gb18030));
        }
    }
    (text.into_owned(), ours(guess))
}

fn ours(enc: &'static encoding_rs::Encoding) -> Option<Encoding> {
    if enc == encoding_rs::UTF_8 {
        Some(Encoding::Utf8)
    } else if enc == encoding_rs::GBK || enc == encoding_rs::GB18030 {
        Some(Encoding::Gb18030)
    } else if enc == encoding_rs::BIG5 {
        Some(Encoding::Big5)
    } else if enc == encoding_rs::UTF_16LE {
        Some(Encoding::Utf16Le)
    } else if enc == encoding_rs::UTF_16BE {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

/// Compiles this module's patterns now (see [`crate::warm_up`]).
pub(crate) fn warm() {
    LazyLock::force(&META_CHARSET);
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn deep_nesting_is_refused_quickly() {
        let n = 200_000;
        let page = format!("{}x{}", "<div>".repeat(n), "</div>".repeat(n));
        let t = std::time::Instant::now();
        assert_eq!(
            extract(page.as_bytes()).unwrap_err(),
            ExtractError::TooDeep(MAX_DEPTH)
        );
        assert!(t.elapsed().as_secs() < 5);
        // Unclosed paragraphs, cells and list items nest nothing.
        let flat = format!(
            "<table>{}</table><ul>{}</ul>{}",
            "<tr><td><font>1<td>2".repeat(2000),
            "<li><b>x".repeat(2000),
            "<p><span>y".repeat(2000)
        );
        assert!(check_depth(&flat).is_ok());
    }
}

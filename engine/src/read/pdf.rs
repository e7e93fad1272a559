//! PDF reports: the text layer with positions (pdf-extract over lopdf), laid
//! out again from coordinates. Ruled tables are rebuilt on their grid from
//! the drawn cell borders (merged cells found where a border is missing);
//! other text becomes lines by baseline, wide gaps as cell breaks. A PDF
//! whose fonts lack a Unicode map comes out garbled: that is detected and
//! reported, so the caller can use another extractor's output
//! ([`from_layout`], for `pdftotext -layout`).

use std::collections::HashSet;
use std::panic::{AssertUnwindSafe, catch_unwind};

use lopdf::{Dictionary, Document, Object, ObjectId};
use pdf_extract::{ColorSpace, MediaBox, OutputDev, OutputError, Path, PathOp, Transform};

use super::budget::Budget;
use super::extracted::{ExtractError, Extraction, Location, Writer, clean};

/// Larger files are refused (a report is a few MiB at most).
const MAX_BYTES: usize = 128 << 20;
/// Glyphs read from one file before giving up.
const MAX_GLYPHS: usize = 2_000_000;
/// Form XObjects nested deeper than this (or in a cycle) are refused.
const MAX_FORM_DEPTH: usize = 16;

/// Extracts a PDF's text layer within the default limits.
pub fn extract(bytes: &[u8]) -> Result<Extraction, ExtractError> {
    extract_within(bytes, Budget::default())
}

pub(crate) fn extract_within(bytes: &[u8], budget: Budget) -> Result<Extraction, ExtractError> {
    if bytes.len() > MAX_BYTES {
        return Err(ExtractError::FileTooLarge {
            size: bytes.len(),
            limit: MAX_BYTES,
        });
    }
    if !bytes[..bytes.len().min(1024)]
        .windows(5)
        .any(|w| w == b"%PDF-")
    {
        return Err(ExtractError::Pdf("文件开头没有 %PDF- 标记".into()));
    }
    let (pages, budget, cycle) = guarded(|| collect(bytes, budget))?;
    let extraction = layout(&pages, budget)?;
    match check_text(&extraction.text) {
        // No text because the pages cannot be reached: say why.
        Err(ExtractError::NoText) if cycle.is_some() => Err(ExtractError::Pdf(format!(
            "文件中的对象循环引用（{}），页面无法读取（文件已损坏或被恶意构造；请用原稿重新导出 PDF）",
            cycle.unwrap_or_default()
        ))),
        Err(e) => Err(e),
        Ok(()) => Ok(extraction),
    }
}

/// Runs the third-party parser, turning its panics into errors.
fn guarded<T>(f: impl FnOnce() -> Result<T, ExtractError>) -> Result<T, ExtractError> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(ExtractError::Pdf(format!("PDF 内容无法解析（{why}）")))
    })
}

/// The pages' glyphs and rules, the budget they were counted in, and a
/// reference cycle met on the way to the pages (described), if any.
type Collected = (Vec<Page>, Budget, Option<String>);

fn collect(bytes: &[u8], budget: Budget) -> Result<Collected, ExtractError> {
    let mut doc = Document::load_mem(bytes).map_err(|e| match e {
        lopdf::Error::ReferenceCycle(_) | lopdf::Error::ReferenceLimit => ExtractError::Pdf(
            format!("文件中的对象循环引用（{e}），无法读取（文件已损坏或被恶意构造）"),
        ),
        e => ExtractError::Pdf(format!("无法解析（{e}）")),
    })?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err(ExtractError::Encrypted);
    }
    budget.check_cancel()?;
    let cycle = reference_cycle(&doc);
    check_forms(&doc)?;
    let mut dev = Collector {
        budget,
        ..Collector::default()
    };
    match pdf_extract::output_doc(&doc, &mut dev) {
        Ok(()) => {}
        Err(_) if dev.stop.is_some() => return Err(dev.stop.unwrap_or(ExtractError::Cancelled)),
        Err(_) if dev.too_many => {
            return Err(ExtractError::Pdf(format!(
                "文字超过 {MAX_GLYPHS} 个字符，已停止读取"
            )));
        }
        Err(e) => return Err(ExtractError::Pdf(format!("内容无法解析（{e:?}）"))),
    }
    dev.finish_page();
    Ok((dev.pages, dev.budget, cycle))
}

/// A cycle in the references from the trailer to the pages (`1 0 R` that
/// leads back to itself, a page tree whose Kids hold an ancestor), which
/// leaves the pages unreachable; described for the message.
fn reference_cycle(doc: &Document) -> Option<String> {
    /// Page-tree nodes visited at most (a real tree has one per page and a few more).
    const MAX_NODES: usize = 100_000;
    // Follows a chain of references to an object; the id met twice on a cycle.
    fn follow<'a>(doc: &'a Document, mut obj: &'a Object) -> Result<Option<&'a Object>, ObjectId> {
        let mut seen = HashSet::new();
        while let Ok(id) = obj.as_reference() {
            if !seen.insert(id) {
                return Err(id);
            }
            match doc.objects.get(&id) {
                Some(o) => obj = o,
                None => return Ok(None),
            }
        }
        Ok(Some(obj))
    }
    let describe =
        |id: ObjectId, what: &str| format!("{what}中的 {} {} R 最终又指回自身", id.0, id.1);
    let root = match follow(doc, doc.trailer.get(b"Root").ok()?) {
        Err(id) => return Some(describe(id, "文件目录（Root）的引用链")),
        Ok(root) => root?.as_dict().ok()?,
    };
    let pages = root.get(b"Pages").ok()?;
    // Depth-first over the page tree, with each node's ancestors.
    let mut stack: Vec<(&Object, Vec<ObjectId>)> = vec![(pages, Vec::new())];
    let mut visited = 0usize;
    while let Some((node, ancestors)) = stack.pop() {
        visited += 1;
        if visited > MAX_NODES {
            return None;
        }
        let id = node.as_reference().ok();
        if let Some(id) = id
            && ancestors.contains(&id)
        {
            return Some(describe(id, "页面树（Pages/Kids）"));
        }
        let dict = match follow(doc, node) {
            Err(id) => return Some(describe(id, "页面树的引用链")),
            Ok(Some(Object::Dictionary(d))) => d,
            Ok(_) => continue,
        };
        let Ok(kids) = dict.get(b"Kids").and_then(Object::as_array) else {
            continue;
        };
        let mut path = ancestors.clone();
        path.extend(id);
        for kid in kids {
            stack.push((kid, path.clone()));
        }
    }
    None
}

/// Refuses form XObjects that draw themselves (directly or in a cycle) or
/// nest too deep: the text extractor would recurse without end.
fn check_forms(doc: &Document) -> Result<(), ExtractError> {
    let mut budget = 20_000usize;
    for (_, page) in doc.get_pages() {
        let Some(res) = page_resources(doc, page) else {
            continue;
        };
        let mut path = Vec::new();
        for id in called_forms(doc, None, res) {
            visit_form(doc, id, res, &mut path, &mut budget)?;
        }
    }
    Ok(())
}

fn visit_form(
    doc: &Document,
    id: ObjectId,
    inherited: &Dictionary,
    path: &mut Vec<ObjectId>,
    budget: &mut usize,
) -> Result<(), ExtractError> {
    if path.contains(&id) || path.len() >= MAX_FORM_DEPTH || *budget == 0 {
        return Err(ExtractError::Pdf(
            "表单对象循环引用或嵌套过深，已停止读取".into(),
        ));
    }
    *budget -= 1;
    let Ok(stream) = doc.get_object(id).and_then(Object::as_stream) else {
        return Ok(());
    };
    if stream.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form") {
        return Ok(());
    }
    let res = stream
        .dict
        .get(b"Resources")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
        .unwrap_or(inherited);
    path.push(id);
    for child in called_forms(doc, Some(&stream.content_or_plain()), res) {
        visit_form(doc, child, res, path, budget)?;
    }
    path.pop();
    Ok(())
}

trait PlainContent {
    fn content_or_plain(&self) -> Vec<u8>;
}

impl PlainContent for lopdf::Stream {
    fn content_or_plain(&self) -> Vec<u8> {
        self.decompressed_content()
            .unwrap_or_else(|_| self.content.clone())
    }
}

/// The XObjects of `res` a content stream draws (`Do`); every XObject of
/// `res` when no content is given (a page's own content is checked by name
/// only through its forms).
fn called_forms(doc: &Document, content: Option<&[u8]>, res: &Dictionary) -> Vec<ObjectId> {
    let Some(xobjects) = res
        .get(b"XObject")
        .ok()
        .and_then(|o| doc.dereference(o).ok())
        .and_then(|(_, o)| o.as_dict().ok())
    else {
        return Vec::new();
    };
    let names: Option<HashSet<Vec<u8>>> = content.map(|c| {
        lopdf::content::Content::decode(c)
            .map(|c| {
                c.operations
                    .iter()
                    .filter(|op| op.operator == "Do")
                    .filter_map(|op| op.operands.first()?.as_name().ok().map(<[u8]>::to_vec))
                    .collect()
            })
            .unwrap_or_default()
    });
    xobjects
        .iter()
        .filter(|(k, _)| names.as_ref().is_none_or(|n| n.contains(k.as_slice())))
        .filter_map(|(_, v)| v.as_reference().ok())
        .collect()
}

fn page_resources(doc: &Document, page: ObjectId) -> Option<&Dictionary> {
    let mut dict = doc.get_dictionary(page).ok()?;
    for _ in 0..32 {
        if let Ok(r) = dict.get(b"Resources") {
            return doc.dereference(r).ok()?.1.as_dict().ok();
        }
        let parent = dict.get(b"Parent").ok()?.as_reference().ok()?;
        dict = doc.get_dictionary(parent).ok()?;
    }
    None
}

#[derive(Debug, Clone)]
struct Glyph {
    x: f64,
    /// Baseline, from the top of the page.
    y: f64,
    /// Advance width, capped at the font size (some fonts lack widths).
    w: f64,
    size: f64,
    text: String,
}

impl Glyph {
    fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    fn cy(&self) -> f64 {
        self.y - self.size * 0.35
    }
}

/// A ruling line: horizontal (`y`, `x1..x2`) or vertical (`x`, `y1..y2`).
#[derive(Debug, Clone, Copy)]
struct Rule {
    horizontal: bool,
    at: f64,
    from: f64,
    to: f64,
}

#[derive(Debug, Default)]
struct Page {
    number: u32,
    height: f64,
    glyphs: Vec<Glyph>,
    rules: Vec<Rule>,
}

#[derive(Default)]
struct Collector {
    pages: Vec<Page>,
    current: Option<Page>,
    height: f64,
    glyphs: usize,
    too_many: bool,
    budget: Budget,
    /// Why collecting stopped early, when the budget or the cancel said so.
    stop: Option<ExtractError>,
}

impl Collector {
    fn finish_page(&mut self) {
        if let Some(p) = self.current.take() {
            self.pages.push(p);
        }
    }

    /// Top-down page coordinates of a point in user space under `ctm`.
    fn point(&self, ctm: &Transform, x: f64, y: f64) -> (f64, f64) {
        let px = x * ctm.m11 + y * ctm.m21 + ctm.m31;
        let py = x * ctm.m12 + y * ctm.m22 + ctm.m32;
        (px, self.height - py)
    }

    /// Counts the rules a path may add (four per rectangle at most).
    fn charge_path(&mut self, path: &Path) -> Result<(), OutputError> {
        let cost = path.ops.len().saturating_mul(4 * size_of::<Rule>());
        if let Err(e) = self.budget.work(cost) {
            self.stop = Some(e);
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        Ok(())
    }

    fn add_path(&mut self, ctm: &Transform, path: &Path, filled: bool) {
        let mut rules = Vec::new();
        let mut at = None;
        let mut start = None;
        for op in &path.ops {
            match *op {
                PathOp::MoveTo(x, y) => {
                    at = Some(self.point(ctm, x, y));
                    start = at;
                }
                PathOp::LineTo(x, y) => {
                    let p = self.point(ctm, x, y);
                    if let Some(a) = at
                        && !filled
                    {
                        rules.extend(rule(a, p));
                    }
                    at = Some(p);
                }
                PathOp::CurveTo(.., x, y) => at = Some(self.point(ctm, x, y)),
                PathOp::Rect(x, y, w, h) => {
                    let a = self.point(ctm, x, y);
                    let b = self.point(ctm, x + w, y + h);
                    let (x1, x2) = (a.0.min(b.0), a.0.max(b.0));
                    let (y1, y2) = (a.1.min(b.1), a.1.max(b.1));
                    if filled {
                        // A thin filled rectangle is a drawn border.
                        if y2 - y1 <= 2.5 && x2 - x1 > 2.0 {
                            rules.extend(rule(((x1), (y1 + y2) / 2.0), (x2, (y1 + y2) / 2.0)));
                        } else if x2 - x1 <= 2.5 && y2 - y1 > 2.0 {
                            rules.extend(rule(((x1 + x2) / 2.0, y1), ((x1 + x2) / 2.0, y2)));
                        }
                    } else {
                        rules.extend(rule((x1, y1), (x2, y1)));
                        rules.extend(rule((x1, y2), (x2, y2)));
                        rules.extend(rule((x1, y1), (x1, y2)));
                        rules.extend(rule((x2, y1), (x2, y2)));
                    }
                }
                PathOp::Close => {
                    if let (Some(a), Some(s)) = (at, start)
                        && !filled
                    {
                        rules.extend(rule(a, s));
                    }
                    at = start;
                }
            }
        }
        if let Some(p) = &mut self.current {
            p.rules.extend(rules);
        }
    }
}

fn rule(a: (f64, f64), b: (f64, f64)) -> Option<Rule> {
    let (dx, dy) = ((a.0 - b.0).abs(), (a.1 - b.1).abs());
    if dy < 1.0 && dx >= 2.0 {
        Some(Rule {
            horizontal: true,
            at: (a.1 + b.1) / 2.0,
            from: a.0.min(b.0),
            to: a.0.max(b.0),
        })
    } else if dx < 1.0 && dy >= 2.0 {
        Some(Rule {
            horizontal: false,
            at: (a.0 + b.0) / 2.0,
            from: a.1.min(b.1),
            to: a.1.max(b.1),
        })
    } else {
        None
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        number: u32,
        media_box: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.finish_page();
        self.height = media_box.ury;
        self.current = Some(Page {
            number,
            height: media_box.ury - media_box.lly,
            ..Page::default()
        });
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        self.finish_page();
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        self.glyphs += 1;
        if self.glyphs > MAX_GLYPHS {
            self.too_many = true;
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        if let Err(e) = self
            .budget
            .text(text.len())
            .and_then(|()| self.budget.work(size_of::<Glyph>()))
        {
            self.stop = Some(e);
            return Err(OutputError::FormatError(std::fmt::Error));
        }
        if text.trim().is_empty() {
            return Ok(());
        }
        let (x, y) = self.point(trm, 0.0, 0.0);
        let vx = font_size * (trm.m11 + trm.m21);
        let vy = font_size * (trm.m12 + trm.m22);
        let size = (vx * vy).abs().sqrt().max(1.0);
        if !(x.is_finite() && y.is_finite() && size.is_finite()) {
            return Ok(());
        }
        let w = (width * size).clamp(0.0, size);
        if let Some(p) = &mut self.current {
            p.glyphs.push(Glyph {
                x,
                y,
                w,
                size,
                text: text.to_owned(),
            });
        }
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn stroke(
        &mut self,
        ctm: &Transform,
        _: &ColorSpace,
        _: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        self.charge_path(path)?;
        self.add_path(ctm, path, false);
        Ok(())
    }

    fn fill(
        &mut self,
        ctm: &Transform,
        _: &ColorSpace,
        _: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        self.charge_path(path)?;
        self.add_path(ctm, path, true);
        Ok(())
    }
}

/// Something placed on a page, in reading order by its top.
enum Item {
    Line(Line),
    Table(u32, Vec<Vec<Option<String>>>),
}

/// A line of text outside tables, with what paragraph joining needs.
struct Line {
    page: u32,
    cells: Vec<String>,
    size: f64,
    /// Reaches the page's right text margin (a wrapped line).
    full: bool,
    /// Starts right of the page's left text margin (a paragraph's first line).
    indented: bool,
    /// Set much larger than the page's body text (a title).
    large: bool,
}

fn layout(pages: &[Page], budget: Budget) -> Result<Extraction, ExtractError> {
    // Tables and the lines of text outside them, page by page.
    let mut placed: Vec<Vec<(f64, Item)>> = Vec::new();
    let mut free_lines: Vec<Vec<Vec<&Glyph>>> = Vec::new();
    for page in pages {
        let mut tables = Vec::new();
        let mut free: Vec<&Glyph> = page.glyphs.iter().collect();
        for grid in grids(&page.rules) {
            let (inside, outside): (Vec<&Glyph>, Vec<&Glyph>) =
                free.into_iter().partition(|g| grid.contains(g));
            free = outside;
            if !inside.is_empty() {
                tables.push((grid.top(), Item::Table(page.number, grid.fill(&inside))));
            }
        }
        placed.push(tables);
        free_lines.push(lines(&free));
    }
    // The body text's size and margins, over the whole document.
    let body = median(free_lines.iter().flatten().flatten().map(|g| g.size)).unwrap_or(10.0);
    let long = || {
        free_lines
            .iter()
            .flatten()
            .filter(|l| l.len() >= 8 && l.iter().all(|g| g.size < body * 1.2))
    };
    let left = long().map(|l| l[0].x).min_by(f64::total_cmp);
    let right = long()
        .map(|l| l[l.len() - 1].x + l[l.len() - 1].w)
        .max_by(f64::total_cmp);
    let mut items: Vec<Item> = Vec::new();
    for ((page, mut on_page), lines) in pages.iter().zip(placed).zip(&free_lines) {
        for line in lines {
            let size = line.iter().map(|g| g.size).fold(0.0, f64::max);
            let top = line[0].y;
            let cells = cells(line);
            // Running page numbers (-3-, 第3页) in the top or bottom margin.
            let margin = top < page.height * 0.1 || top > page.height * 0.88;
            if margin && cells.len() == 1 && is_page_number(&cells[0]) {
                continue;
            }
            let first = line[0].x;
            let end = line[line.len() - 1].x + line[line.len() - 1].w;
            on_page.push((
                top,
                Item::Line(Line {
                    page: page.number,
                    cells,
                    size,
                    full: right.is_some_and(|r| end >= r - 1.5 * size),
                    indented: left.is_none_or(|l| first > l + 0.8 * size),
                    large: size >= body * 1.2,
                }),
            ));
        }
        on_page.sort_by(|a, b| a.0.total_cmp(&b.0));
        items.extend(on_page.into_iter().map(|(_, i)| i));
    }
    let mut w = Writer::new(budget);
    let mut page = 0;
    let mut prev: Option<Line> = None;
    for item in items {
        match item {
            Item::Line(line) => {
                prev = match prev {
                    Some(mut p) if joins(&p, &line) => {
                        let cell = line.cells.into_iter().next().unwrap_or_default();
                        let last = p.cells.last_mut().expect("one cell");
                        if last.ends_with(|c: char| c.is_ascii_alphanumeric())
                            && cell.starts_with(|c: char| c.is_ascii_alphanumeric())
                        {
                            last.push(' ');
                        }
                        last.push_str(&cell);
                        p.full = line.full;
                        Some(p)
                    }
                    Some(p) => {
                        emit_line(&mut w, &mut page, p)?;
                        Some(line)
                    }
                    None => Some(line),
                };
            }
            Item::Table(number, grid) => {
                if let Some(p) = prev.take() {
                    emit_line(&mut w, &mut page, p)?;
                }
                if number != page {
                    w.block();
                    page = number;
                }
                w.table_at(&grid, Location::Page(number))?;
            }
        }
    }
    if let Some(p) = prev.take() {
        emit_line(&mut w, &mut page, p)?;
    }
    Ok(w.finish())
}

fn emit_line(w: &mut Writer, page: &mut u32, line: Line) -> Result<(), ExtractError> {
    if line.page != *page {
        w.block();
        *page = line.page;
    }
    let loc = Location::Page(line.page);
    w.line(&line.cells, |_| loc)
}

/// Whether `next` continues the paragraph of `prev`: a title set large over
/// two lines, or a wrapped body line (the previous one runs to the margin,
/// this one is not indented and starts no numbered heading).
fn joins(prev: &Line, next: &Line) -> bool {
    if prev.cells.len() != 1 || next.cells.len() != 1 || (prev.size - next.size).abs() > 1.0 {
        return false;
    }
    if prev.large && next.large && prev.page == next.page {
        return true;
    }
    let text = &next.cells[0];
    let ends = prev.cells[0].ends_with(['。', '！', '？']);
    prev.full && !next.indented && !ends && !prev.large && !heading_start(text)
}

/// `一、` `（二）` `3.` `4、` at the start of a line.
fn heading_start(s: &str) -> bool {
    let s = s.trim_start();
    let cn = |c: char| "一二三四五六七八九十".contains(c);
    let digits = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || cn(*c))
        .count();
    if digits > 0 {
        return matches!(s.chars().nth(digits), Some('、' | '.' | '．'));
    }
    if let Some(rest) = s.strip_prefix(['（', '(']) {
        let n = rest
            .chars()
            .take_while(|c| cn(*c) || c.is_ascii_digit())
            .count();
        return n > 0 && matches!(rest.chars().nth(n), Some('）' | ')'));
    }
    false
}

/// `-3-`, `— 12 —`, `第3页`, `3`.
fn is_page_number(s: &str) -> bool {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.trim_matches(|c| matches!(c, '-' | '—' | '–' | '－' | '−'));
    let t = t
        .strip_prefix('第')
        .and_then(|r| r.strip_suffix('页'))
        .unwrap_or(t);
    !t.is_empty() && t.len() <= 4 && t.bytes().all(|b| b.is_ascii_digit())
}

fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// Groups glyphs into lines by baseline, each sorted left to right.
fn lines<'a>(glyphs: &[&'a Glyph]) -> Vec<Vec<&'a Glyph>> {
    let mut sorted: Vec<&Glyph> = glyphs.to_vec();
    sorted.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut out: Vec<Vec<&Glyph>> = Vec::new();
    for g in sorted {
        match out.last_mut() {
            Some(line) if (g.y - line[0].y).abs() <= line[0].size.min(g.size) * 0.5 => line.push(g),
            _ => out.push(vec![g]),
        }
    }
    for line in &mut out {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    out
}

/// A line's text split into cells at wide gaps; narrower gaps are spaces.
fn cells(line: &[&Glyph]) -> Vec<String> {
    let mut out = vec![String::new()];
    let mut prev: Option<&Glyph> = None;
    for g in line {
        if let Some(p) = prev {
            let gap = g.x - (p.x + p.w);
            let size = p.size.max(g.size);
            if gap > size * 1.5 {
                out.push(String::new());
            } else if gap > size * 0.3 {
                out.last_mut().expect("one cell").push(' ');
            }
        }
        out.last_mut().expect("one cell").push_str(&g.text);
        prev = Some(g);
    }
    out.iter().map(|c| clean(c)).collect()
}

/// The text of glyphs in one cell: its lines joined by spaces.
fn cell_text(glyphs: &[&Glyph]) -> String {
    lines(glyphs)
        .iter()
        .map(|l| cells(l).join(" "))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A ruled table: its row and column borders and which slots are merged.
struct Grid {
    ys: Vec<f64>,
    xs: Vec<f64>,
    /// For each slot, the slot its merged cell starts at.
    root: Vec<Vec<(usize, usize)>>,
}

impl Grid {
    fn top(&self) -> f64 {
        self.ys[0]
    }

    fn contains(&self, g: &Glyph) -> bool {
        let (x, y) = (g.cx(), g.cy());
        self.xs[0] - 1.0 <= x
            && x <= self.xs[self.xs.len() - 1] + 1.0
            && self.ys[0] - 1.0 <= y
            && y <= self.ys[self.ys.len() - 1] + 1.0
    }

    fn slot(bounds: &[f64], v: f64) -> usize {
        bounds[1..bounds.len() - 1]
            .iter()
            .take_while(|&&b| b < v)
            .count()
    }

    fn fill(&self, glyphs: &[&Glyph]) -> Vec<Vec<Option<String>>> {
        let rows = self.ys.len() - 1;
        let cols = self.xs.len() - 1;
        let mut per: Vec<Vec<Vec<&Glyph>>> = vec![vec![Vec::new(); cols]; rows];
        for g in glyphs {
            let (r, c) = (Self::slot(&self.ys, g.cy()), Self::slot(&self.xs, g.cx()));
            let (r, c) = self.root[r][c];
            per[r][c].push(g);
        }
        per.iter()
            .map(|row| {
                row.iter()
                    .map(|gs| (!gs.is_empty()).then(|| cell_text(gs)))
                    .collect()
            })
            .collect()
    }
}

/// The ruled tables of a page: groups of crossing rules with at least two
/// borders each way.
fn grids(rules: &[Rule]) -> Vec<Grid> {
    const TOL: f64 = 2.0;
    let n = rules.len().min(5000);
    let rules = &rules[..n];
    let mut parent: Vec<usize> = (0..n).collect();
    fn find(p: &mut [usize], mut i: usize) -> usize {
        while p[i] != i {
            p[i] = p[p[i]];
            i = p[i];
        }
        i
    }
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (rules[i], rules[j]);
            if a.horizontal == b.horizontal {
                continue;
            }
            let (h, v) = if a.horizontal { (a, b) } else { (b, a) };
            if v.at >= h.from - TOL
                && v.at <= h.to + TOL
                && h.at >= v.from - TOL
                && h.at <= v.to + TOL
            {
                let (ri, rj) = (find(&mut parent, i), find(&mut parent, j));
                parent[ri] = rj;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<Rule>> = Default::default();
    for (i, r) in rules.iter().enumerate() {
        let root = find(&mut parent, i);
        groups.entry(root).or_default().push(*r);
    }
    let mut out = Vec::new();
    for group in groups.values_mut() {
        let xs = distinct(group.iter().filter(|r| !r.horizontal).map(|r| r.at));
        // A table cut by a page break has borders only on its sides there:
        // where the side borders run past the last rule, that is an edge.
        let ends = |top: bool| {
            let v = group.iter().filter(|r| !r.horizontal);
            if top {
                v.map(|r| r.from).min_by(f64::total_cmp)
            } else {
                v.map(|r| r.to).max_by(f64::total_cmp)
            }
        };
        let ys0 = distinct(group.iter().filter(|r| r.horizontal).map(|r| r.at));
        if let (Some(&first), Some(&last), Some(top), Some(bottom), Some(&x0), Some(&x1)) = (
            ys0.first(),
            ys0.last(),
            ends(true),
            ends(false),
            xs.first(),
            xs.last(),
        ) {
            for (edge, beyond) in [(top, first - top > 3.0), (bottom, bottom - last > 3.0)] {
                if beyond {
                    group.push(Rule {
                        horizontal: true,
                        at: edge,
                        from: x0,
                        to: x1,
                    });
                }
            }
        }
        let group = &*group;
        let ys = distinct(group.iter().filter(|r| r.horizontal).map(|r| r.at));
        if ys.len() < 2 || xs.len() < 2 || ys.len() > 500 || xs.len() > 200 {
            continue;
        }
        let rows = ys.len() - 1;
        let cols = xs.len() - 1;
        let covered = |horizontal: bool, at: f64, along: f64| {
            group.iter().any(|r| {
                r.horizontal == horizontal
                    && (r.at - at).abs() <= TOL
                    && r.from - TOL <= along
                    && along <= r.to + TOL
            })
        };
        let mut root: Vec<Vec<(usize, usize)>> = (0..rows)
            .map(|r| (0..cols).map(|c| (r, c)).collect())
            .collect();
        for r in 0..rows {
            let mid_y = (ys[r] + ys[r + 1]) / 2.0;
            for c in 0..cols {
                let mid_x = (xs[c] + xs[c + 1]) / 2.0;
                // No border above: the slot continues the cell above.
                if r > 0 && !covered(true, ys[r], mid_x) {
                    root[r][c] = root[r - 1][c];
                } else if c > 0 && !covered(false, xs[c], mid_y) {
                    root[r][c] = root[r][c - 1];
                }
            }
        }
        out.push(Grid { ys, xs, root });
    }
    out
}

/// Sorted values with near-equal ones (within 1.5 pt) merged.
fn distinct(values: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    let mut out: Vec<f64> = Vec::new();
    for x in v {
        match out.last() {
            Some(&l) if x - l <= 1.5 => {}
            _ => out.push(x),
        }
    }
    out
}

/// Text from `pdftotext -layout` (pages separated by form feeds, columns
/// aligned with spaces) as an extraction: runs of two or more spaces
/// separate cells.
pub fn from_layout(text: &str) -> Result<Extraction, ExtractError> {
    let mut w = Writer::default();
    for (p, page) in text.split('\u{c}').enumerate() {
        let loc = Location::Page(p as u32 + 1);
        w.block();
        for line in page.lines() {
            let line = line.trim();
            if line.is_empty() {
                w.block();
                continue;
            }
            let cells: Vec<String> = line
                .split("  ")
                .map(clean)
                .filter(|c| !c.is_empty())
                .collect();
            w.line(&cells, |_| loc)?;
        }
    }
    let out = w.finish();
    check_text(&out.text)?;
    Ok(out)
}

/// Refuses text that is empty (a scan) or garbled (fonts without a Unicode
/// map come out as symbols, private-use characters or random ideographs).
pub fn check_text(text: &str) -> Result<(), ExtractError> {
    let mut total = 0usize;
    let mut bad = 0usize;
    let mut han = 0usize;
    let mut common = 0usize;
    for c in text.chars().filter(|c| !c.is_whitespace()) {
        total += 1;
        let u = c as u32;
        if c == '\u{FFFD}'
            || (0xE000..=0xF8FF).contains(&u)
            || c.is_control()
            || (0x80..=0x24F).contains(&u)
        {
            bad += 1;
        }
        if (0x4E00..=0x9FFF).contains(&u) || (0x3400..=0x4DBF).contains(&u) {
            han += 1;
            if crate::source::is_common_chinese(c) {
                common += 1;
            }
        }
    }
    if total < 20 {
        return Err(ExtractError::NoText);
    }
    if bad * 10 > total
        || (han >= 50 && common * 100 < han * 12)
        || (han * 10 < total && bad * 20 > total)
    {
        return Err(ExtractError::Garbled);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glyphs(s: &str, x: f64, y: f64, size: f64) -> Vec<Glyph> {
        s.chars()
            .enumerate()
            .map(|(i, c)| Glyph {
                x: x + i as f64 * size,
                y,
                w: size,
                size,
                text: c.to_string(),
            })
            .collect()
    }

    fn h(at: f64, from: f64, to: f64) -> Rule {
        Rule {
            horizontal: true,
            at,
            from,
            to,
        }
    }

    fn v(at: f64, from: f64, to: f64) -> Rule {
        Rule {
            horizontal: false,
            at,
            from,
            to,
        }
    }

    #[test]
    fn ruled_tables_are_rebuilt_on_their_grid_with_merged_cells() {
        // Three rows, three columns; the first column's cell spans rows 2-3
        // (no border between them there), its label wrapped over two lines.
        let rules = vec![
            h(100.0, 0.0, 300.0),
            h(120.0, 0.0, 300.0),
            h(140.0, 100.0, 300.0),
            h(160.0, 0.0, 300.0),
            v(0.0, 100.0, 160.0),
            v(100.0, 100.0, 160.0),
            v(200.0, 100.0, 160.0),
            v(300.0, 100.0, 160.0),
        ];
        let mut g = glyphs("信息内容", 5.0, 115.0, 10.0);
        g.extend(glyphs("本年", 205.0, 115.0, 10.0));
        g.extend(glyphs("不予公", 5.0, 135.0, 10.0));
        g.extend(glyphs("开", 5.0, 147.0, 10.0));
        g.extend(glyphs("1.秘密", 105.0, 135.0, 10.0));
        g.extend(glyphs("3", 205.0, 135.0, 10.0));
        g.extend(glyphs("2.其他", 105.0, 155.0, 10.0));
        g.extend(glyphs("0", 205.0, 155.0, 10.0));
        g.extend(glyphs("正文在表格下面", 5.0, 200.0, 10.0));
        g.extend(glyphs("-2-", 150.0, 20.0, 10.0));
        let page = Page {
            number: 2,
            height: 800.0,
            glyphs: g,
            rules,
        };
        let ex = layout(&[page], Budget::default()).unwrap();
        assert_eq!(
            ex.text,
            "信息内容\t\t本年\n不予公 开\t1.秘密\t3\n\t2.其他\t0\n\n正文在表格下面\n"
        );
        assert_eq!(ex.location(5), Some(Location::Page(2)));
    }

    #[test]
    fn wrapped_lines_join_into_paragraphs_and_page_numbers_go() {
        let mut g = glyphs("洪泽区人民政府", 40.0, 60.0, 20.0);
        g.extend(glyphs("2023年年度报告", 20.0, 90.0, 20.0));
        g.extend(glyphs("一、总体情况", 20.0, 130.0, 10.0));
        g.extend(glyphs(
            "本报告由办公室根据《条例》（国令",
            20.0,
            150.0,
            10.0,
        ));
        g.extend(glyphs("第711号）要求编制。", 0.0, 165.0, 10.0));
        g.extend(glyphs(
            "（一）主动公开情况。主要通过网站",
            20.0,
            180.0,
            10.0,
        ));
        g.extend(glyphs("-1-", 100.0, 780.0, 10.0));
        let page = Page {
            number: 1,
            height: 800.0,
            glyphs: g,
            rules: Vec::new(),
        };
        let ex = layout(&[page], Budget::default()).unwrap();
        assert_eq!(
            ex.text,
            "洪泽区人民政府2023年年度报告\n一、总体情况\n本报告由办公室根据《条例》（国令第711号）要求编制。\n（一）主动公开情况。主要通过网站\n"
        );
    }

    #[test]
    fn wide_gaps_are_cells_outside_tables() {
        let mut g = glyphs("规章", 0.0, 50.0, 10.0);
        g.extend(glyphs("0", 100.0, 50.0, 10.0));
        g.extend(glyphs("5", 150.0, 51.0, 10.0));
        let refs: Vec<&Glyph> = g.iter().collect();
        let l = lines(&refs);
        assert_eq!(l.len(), 1);
        assert_eq!(cells(&l[0]), vec!["规章", "0", "5"]);
    }

    #[test]
    fn garbled_and_empty_text_layers_are_detected() {
        let real = "本报告由淮安市洪泽区人民政府办公室根据《中华人民共和国政府信息公开条例》要求编制此报告。".repeat(3);
        assert!(check_text(&real).is_ok());
        assert_eq!(check_text("  - 1 -  "), Err(ExtractError::NoText));
        let symbols = "ÄãºÃ£¬Õþ¸®ÐÅÏ¢¹«¿ª¹¤×÷Äê¶È±¨¸æ".repeat(5);
        assert_eq!(check_text(&symbols), Err(ExtractError::Garbled));
        let pua: String = (0xE100u32..0xE180).filter_map(char::from_u32).collect();
        assert_eq!(check_text(&pua), Err(ExtractError::Garbled));
        let random: String = (0..200u32)
            .filter_map(|i| char::from_u32(0x7000 + i * 37))
            .collect();
        assert_eq!(check_text(&random), Err(ExtractError::Garbled));
    }

    #[test]
    fn layout_text_columns_become_cells() {
        let t = "一、总体情况\n规章               0          0       5\n\u{c}  二、主动公开政府信息情况\n";
        let ex = from_layout(&format!("{t}{}", "政府信息公开".repeat(5))).unwrap();
        assert!(
            ex.text
                .starts_with("一、总体情况\n规章\t0\t0\t5\n\n二、主动公开政府信息情况\n")
        );
        let at = ex.text.find("二、").unwrap();
        assert_eq!(ex.location(at), Some(Location::Page(2)));
    }

    #[test]
    fn not_a_pdf_is_a_clear_error() {
        assert!(matches!(extract(b"hello"), Err(ExtractError::Pdf(_))));
        let mut junk = b"%PDF-1.7\n".to_vec();
        junk.extend((0..5000u32).map(|i| (i.wrapping_mul(2654435761) >> 24) as u8));
        assert!(matches!(extract(&junk), Err(ExtractError::Pdf(_))));
    }
}

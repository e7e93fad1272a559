//! Word documents (`.docx`): `word/document.xml` read with quick-xml.
//! Paragraphs with Word's automatic numbering written out (numbering.xml,
//! also through paragraph styles), tables on their real grid (gridSpan,
//! vMerge, gridBefore, gridAfter), tracked changes read as accepted (insertions kept,
//! deletions dropped), content controls and field results kept, field codes
//! dropped. Bytes read from any zip entry are capped (zip bombs) and counted
//! in the file's budget with the text, labels and table slots built; every
//! part is read with a depth limit; broken or ambiguous archives (two
//! entries of one name) and broken XML are clear errors.

use std::collections::{HashMap, HashSet};
use std::io::{Cursor, Read};

use quick_xml::events::{BytesStart, Event};
use quick_xml::reader::Reader;

use super::budget::{Budget, SLOT_COST};
use super::extracted::{ExtractError, Extraction, Writer, chinese_number};
use crate::cancel::Cancel;

/// At most this many bytes are decompressed from `word/document.xml` (and
/// less when the file's budget has less room, see [`Budget`]).
pub const MAX_DOCUMENT_BYTES: u64 = 64 << 20;
/// At most this many from numbering.xml or styles.xml.
const MAX_PART_BYTES: u64 = 16 << 20;
/// Widest grid span accepted for one cell or row.
const MAX_SPAN: usize = 1000;
/// Deeper element nesting in any part is refused: real documents nest a few
/// dozen levels (tables in tables, text boxes in drawings).
pub const MAX_XML_DEPTH: usize = 256;
/// Longest automatic-numbering label written (Word's own lvlText is at most
/// 255 characters; a real label is a few).
const MAX_LABEL_CHARS: usize = 64;
/// The parts read, in the order read.
const DOCUMENT: &str = "word/document.xml";
const NUMBERING: &str = "word/numbering.xml";
const STYLES: &str = "word/styles.xml";

/// Extracts a Word document within the default limits.
pub fn extract(bytes: &[u8]) -> Result<Extraction, ExtractError> {
    extract_within(bytes, Budget::default())
}

pub(crate) fn extract_within(bytes: &[u8], mut budget: Budget) -> Result<Extraction, ExtractError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        ExtractError::Docx(format!(
            "文件不是 zip 压缩包，或已损坏、被截断（{}）",
            zip_reason(&e)
        ))
    })?;
    if zip.has_duplicate_names()
        && let Some(entry) = duplicated_part(bytes, zip.central_directory_start())
    {
        return Err(ExtractError::DuplicateEntry { entry });
    }
    let document =
        read_part(&mut zip, DOCUMENT, MAX_DOCUMENT_BYTES, &mut budget)?.ok_or_else(|| {
            ExtractError::Docx("压缩包中没有 word/document.xml，不是 Word 文档".into())
        })?;
    let mut numbering = Numbering::default();
    if let Some(xml) = read_part(&mut zip, NUMBERING, MAX_PART_BYTES, &mut budget)? {
        numbering.read_definitions(&xml, budget.cancel())?;
    }
    if let Some(xml) = read_part(&mut zip, STYLES, MAX_PART_BYTES, &mut budget)? {
        numbering.read_styles(&xml, budget.cancel())?;
    }
    Body::new(numbering, budget).read(&document)
}

/// The part gklint reads that the zip's central directory lists more than
/// once (which copy a program reads differs: the file is ambiguous).
fn duplicated_part(bytes: &[u8], directory: u64) -> Option<String> {
    let mut seen: Vec<&[u8]> = Vec::new();
    let mut at = usize::try_from(directory).ok()?;
    let u16_at = |i: usize| -> Option<usize> {
        Some(u16::from_le_bytes(bytes.get(i..i + 2)?.try_into().ok()?) as usize)
    };
    while bytes.get(at..at + 4) == Some(b"PK\x01\x02") {
        let (name_len, extra, comment) = (u16_at(at + 28)?, u16_at(at + 30)?, u16_at(at + 32)?);
        let name = bytes.get(at + 46..at + 46 + name_len)?;
        if [DOCUMENT, NUMBERING, STYLES]
            .iter()
            .any(|p| p.as_bytes() == name)
        {
            if seen.contains(&name) {
                return Some(String::from_utf8_lossy(name).into_owned());
            }
            seen.push(name);
        }
        at += 46 + name_len + extra + comment;
    }
    None
}

fn zip_reason(e: &zip::result::ZipError) -> String {
    use zip::result::ZipError;
    match e {
        ZipError::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => "数据提前结束".into(),
        ZipError::UnsupportedArchive(m) if *m == ZipError::PASSWORD_REQUIRED => "文档已加密".into(),
        ZipError::CompressionMethodNotSupported(m) => format!("不支持的压缩方式 {m}"),
        other => other.to_string(),
    }
}

/// One part of the package as text, reading at most `cap` bytes (or what
/// the file's budget has left), counted in the budget.
fn read_part(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    cap: u64,
    budget: &mut Budget,
) -> Result<Option<String>, ExtractError> {
    budget.check_cancel()?;
    let limit = cap.min(budget.work_left());
    let file = match zip.by_name(name) {
        Ok(f) => f,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => {
            return Err(ExtractError::Docx(format!(
                "无法读取 {name}（{}）",
                zip_reason(&e)
            )));
        }
    };
    let mut buf = Vec::new();
    file.take(limit + 1).read_to_end(&mut buf).map_err(|e| {
        ExtractError::Docx(format!("{name} 无法解压，文件可能已损坏或被截断（{e}）"))
    })?;
    if buf.len() as u64 > limit {
        if limit < cap {
            // What is left of the file's budget ran out first.
            return Err(budget
                .work(buf.len())
                .err()
                .unwrap_or(ExtractError::TooLarge {
                    entry: name.to_owned(),
                    limit,
                }));
        }
        return Err(ExtractError::TooLarge {
            entry: name.to_owned(),
            limit,
        });
    }
    budget.work(buf.len())?;
    let text = match encoding_rs::Encoding::for_bom(&buf) {
        Some((enc, bom)) => enc.decode_without_bom_handling(&buf[bom..]).0.into_owned(),
        None => String::from_utf8(buf).map_err(|e| ExtractError::Xml {
            entry: name.to_owned(),
            offset: e.utf8_error().valid_up_to() as u64,
            message: "不是 UTF-8 编码".into(),
        })?,
    };
    Ok(Some(text))
}

/// An XML event reduced to what the readers need.
enum Ev<'a> {
    Start(&'a BytesStart<'a>),
    End(&'a str),
    Text(&'a str),
}

/// Streams `xml` to `on`, with local element names; empty elements give a
/// start and an end. Malformed or truncated XML is an error, and so is
/// nesting deeper than [`MAX_XML_DEPTH`]; `cancel` is asked every few
/// thousand events. `on` stops the walk by returning an error.
fn walk(
    xml: &str,
    entry: &str,
    cancel: &Cancel,
    mut on: impl FnMut(&[String], Ev<'_>) -> Result<(), ExtractError>,
) -> Result<(), ExtractError> {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<String> = Vec::new();
    let mut events = 0u32;
    let err = |reader: &Reader<&[u8]>, message: String| ExtractError::Xml {
        entry: entry.to_owned(),
        offset: reader.error_position(),
        message,
    };
    loop {
        let event = reader
            .read_event()
            .map_err(|e| err(&reader, e.to_string()))?;
        events = events.wrapping_add(1);
        if events.is_multiple_of(4096) && cancel.is_cancelled() {
            return Err(ExtractError::Cancelled);
        }
        if matches!(event, Event::Start(_)) && stack.len() >= MAX_XML_DEPTH {
            return Err(ExtractError::XmlTooDeep {
                entry: entry.to_owned(),
                depth: MAX_XML_DEPTH,
            });
        }
        match event {
            Event::Start(e) => {
                on(&stack, Ev::Start(&e))?;
                stack.push(local(&e));
            }
            Event::Empty(e) => {
                on(&stack, Ev::Start(&e))?;
                let name = local(&e);
                stack.push(name);
                let name = stack.pop().unwrap_or_default();
                on(&stack, Ev::End(&name))?;
            }
            Event::End(_) => {
                let name = stack.pop().unwrap_or_default();
                on(&stack, Ev::End(&name))?;
            }
            Event::Text(t) => on(&stack, Ev::Text(&t.xml10_content()))?,
            Event::CData(t) => on(&stack, Ev::Text(&t.xml10_content()))?,
            Event::GeneralRef(r) => {
                let ch = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    Ok(None) => match &*r.xml10_content() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                    Err(e) => return Err(err(&reader, e.to_string())),
                };
                if let Some(c) = ch {
                    on(&stack, Ev::Text(c.encode_utf8(&mut [0; 4])))?;
                }
            }
            Event::Eof => {
                if let Some(open) = stack.last() {
                    return Err(ExtractError::Xml {
                        entry: entry.to_owned(),
                        offset: reader.buffer_position(),
                        message: format!("文件在元素 <{open}> 结束前就结束了（被截断）"),
                    });
                }
                return Ok(());
            }
            _ => {}
        }
    }
}

fn local(e: &BytesStart<'_>) -> String {
    let n = e.local_name();
    let s: &str = n.as_ref();
    s.to_owned()
}

/// The value of the attribute with this local name (`w:val` → `val`).
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| {
            let k = a.key.local_name();
            let k: &str = k.as_ref();
            k == name
        })
        .map(|a| a.value.into_owned())
}

fn attr_num(e: &BytesStart<'_>, name: &str) -> Option<usize> {
    attr(e, name)?.trim().parse().ok()
}

fn parent(stack: &[String]) -> &str {
    stack.last().map_or("", |s| s.as_str())
}

#[derive(Debug, Clone)]
struct Level {
    start: u32,
    format: String,
    text: String,
}

impl Level {
    /// The level without its lvlText (which may be long: not copied per label).
    fn clone_short(&self) -> Level {
        Level {
            start: self.start,
            format: self.format.clone(),
            text: String::new(),
        }
    }
}

impl Default for Level {
    fn default() -> Self {
        Level {
            start: 1,
            format: "decimal".into(),
            text: String::new(),
        }
    }
}

#[derive(Debug, Default)]
struct Num {
    abstract_id: String,
    start_overrides: HashMap<usize, u32>,
}

#[derive(Debug, Default)]
struct StyleNum {
    num_id: Option<String>,
    level: Option<usize>,
    based_on: Option<String>,
}

/// Word's automatic numbering: definitions, styles that carry numbering, and
/// the running counters.
#[derive(Debug, Default)]
struct Numbering {
    abstracts: HashMap<String, Vec<Level>>,
    nums: HashMap<String, Num>,
    styles: HashMap<String, StyleNum>,
    counters: HashMap<String, [Option<u32>; 9]>,
    overridden: HashSet<(String, usize)>,
}

impl Numbering {
    fn read_definitions(&mut self, xml: &str, cancel: &Cancel) -> Result<(), ExtractError> {
        let mut abs: Option<String> = None;
        let mut num: Option<String> = None;
        let mut level: Option<usize> = None;
        let mut override_level: Option<usize> = None;
        // Open <w:num> elements (a count: asking the stack costs its depth).
        let mut in_num = 0usize;
        walk(xml, NUMBERING, cancel, |stack, ev| {
            let e = match ev {
                Ev::Start(e) => e,
                Ev::End("num") => {
                    in_num = in_num.saturating_sub(1);
                    return Ok(());
                }
                _ => return Ok(()),
            };
            let name = local(e);
            if name == "num" {
                in_num += 1;
            }
            match name.as_str() {
                "abstractNum" => {
                    abs = attr(e, "abstractNumId");
                    num = None;
                }
                "num" => {
                    num = attr(e, "numId");
                    abs = None;
                    if let Some(id) = &num {
                        self.nums.entry(id.clone()).or_default();
                    }
                }
                "lvl" if parent(stack) == "abstractNum" => {
                    level = attr_num(e, "ilvl").filter(|&l| l < 9);
                }
                "abstractNumId" if parent(stack) == "num" => {
                    if let (Some(n), Some(v)) = (&num, attr(e, "val")) {
                        self.nums.entry(n.clone()).or_default().abstract_id = v;
                    }
                }
                "lvlOverride" => override_level = attr_num(e, "ilvl").filter(|&l| l < 9),
                "startOverride" => {
                    if let (Some(n), Some(l), Some(v)) = (&num, override_level, attr_num(e, "val"))
                    {
                        let entry = self.nums.entry(n.clone()).or_default();
                        entry.start_overrides.insert(l, v as u32);
                    }
                }
                "start" | "numFmt" | "lvlText" if parent(stack) == "lvl" => {
                    let (Some(a), Some(l)) = (&abs, level) else {
                        return Ok(());
                    };
                    if in_num > 0 {
                        return Ok(());
                    }
                    let levels = self.abstracts.entry(a.clone()).or_default();
                    if levels.len() <= l {
                        levels.resize(l + 1, Level::default());
                    }
                    let val = attr(e, "val").unwrap_or_default();
                    match name.as_str() {
                        "start" => levels[l].start = val.trim().parse().unwrap_or(1),
                        "numFmt" => levels[l].format = val,
                        _ => levels[l].text = val,
                    }
                }
                _ => {}
            }
            Ok(())
        })
    }

    fn read_styles(&mut self, xml: &str, cancel: &Cancel) -> Result<(), ExtractError> {
        let mut style: Option<String> = None;
        // Open tracked-change elements (w:pPrChange…): a count, as above.
        let mut changes = 0usize;
        walk(xml, STYLES, cancel, |stack, ev| {
            let e = match ev {
                Ev::Start(e) => e,
                Ev::End(name) if name.ends_with("Change") => {
                    changes = changes.saturating_sub(1);
                    return Ok(());
                }
                _ => return Ok(()),
            };
            let name = local(e);
            let in_change = changes > 0;
            if name.ends_with("Change") {
                changes += 1;
            }
            if name == "style" {
                style = attr(e, "styleId");
                return Ok(());
            }
            let Some(id) = &style else { return Ok(()) };
            match name.as_str() {
                "basedOn" => self.styles.entry(id.clone()).or_default().based_on = attr(e, "val"),
                "numId" if parent(stack) == "numPr" && !in_change => {
                    self.styles.entry(id.clone()).or_default().num_id = attr(e, "val");
                }
                "ilvl" if parent(stack) == "numPr" && !in_change => {
                    self.styles.entry(id.clone()).or_default().level = attr_num(e, "val");
                }
                _ => {}
            }
            Ok(())
        })
    }

    /// The numbering a paragraph gets from its own properties or its style.
    fn resolve(
        &self,
        num_id: Option<&str>,
        level: Option<usize>,
        style: Option<&str>,
    ) -> Option<(String, usize)> {
        if let Some(n) = num_id {
            return Some((n.to_owned(), level.unwrap_or(0)));
        }
        let mut s = style?;
        for _ in 0..16 {
            let def = self.styles.get(s)?;
            if let Some(n) = &def.num_id {
                return Some((n.clone(), level.or(def.level).unwrap_or(0)));
            }
            s = def.based_on.as_deref()?;
        }
        None
    }

    /// The label Word shows before a numbered paragraph (`一、`, `（二）`, `3.`),
    /// at most [`MAX_LABEL_CHARS`] long; what was changed to keep it short is
    /// said in `budget`'s warnings.
    fn label(&mut self, num_id: &str, level: usize, budget: &mut Budget) -> String {
        let Some(num) = self.nums.get(num_id) else {
            return String::new();
        };
        let Some(levels) = self.abstracts.get(&num.abstract_id) else {
            return String::new();
        };
        let level = level.min(8);
        let Some(def) = levels.get(level) else {
            return String::new();
        };
        if def.format == "bullet" || def.format == "none" {
            return String::new();
        }
        let counters = self.counters.entry(num.abstract_id.clone()).or_default();
        let restart = num
            .start_overrides
            .get(&level)
            .filter(|_| self.overridden.insert((num_id.to_owned(), level)));
        counters[level] = Some(match (restart, counters[level]) {
            (Some(&s), _) => s,
            (None, Some(n)) => n.saturating_add(1),
            (None, None) => def.start,
        });
        for c in counters.iter_mut().skip(level + 1) {
            *c = None;
        }
        let mut out = String::new();
        let mut chars = def.text.chars().peekable();
        while let Some(c) = chars.next() {
            if out.chars().count() > MAX_LABEL_CHARS {
                break;
            }
            if c == '%'
                && let Some(d) = chars.peek().and_then(|d| d.to_digit(10))
                && (1..=9).contains(&d)
            {
                chars.next();
                let k = d as usize - 1;
                let lv = levels
                    .get(k)
                    .map_or_else(Level::default, Level::clone_short);
                let n = counters[k].unwrap_or(lv.start);
                match format_number(n, &lv.format) {
                    Some(label) => out.push_str(&label),
                    None => {
                        budget.warn(format!(
                            "自动编号列表（w:numId=\"{num_id}\"）第 {} 级的序号过大（起始值 {}），无法按 {} 格式写出，已改用阿拉伯数字（请检查该级编号的起始值 w:start）",
                            k + 1,
                            lv.start,
                            lv.format
                        ));
                        out.push_str(&n.to_string());
                    }
                }
            } else {
                out.push(c);
            }
        }
        if out.chars().count() > MAX_LABEL_CHARS {
            out = out.chars().take(MAX_LABEL_CHARS).collect();
            budget.warn(format!(
                "自动编号写出的编号超过 {MAX_LABEL_CHARS} 个字符，已截断（正常编号只有几个字符，请检查编号定义 lvlText）"
            ));
        }
        out
    }
}

/// `n` written in a numbering format; `None` when that format cannot write
/// it in a few characters (a letter label for n is n/26 letters, a Roman
/// numeral past 3999 is a run of Ms).
fn format_number(n: u32, format: &str) -> Option<String> {
    /// Letter labels up to ZZ…Z twenty times (Word's own lists stop sooner).
    const MAX_LETTER_REPEAT: usize = 20;
    const CIRCLED: &str = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳";
    const STEMS: &str = "甲乙丙丁戊己庚辛壬癸";
    const BRANCHES: &str = "子丑寅卯辰巳午未申酉戌亥";
    const LEGAL: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
    let nth = |set: &str| {
        set.chars()
            .nth((n as usize).wrapping_sub(1))
            .map_or(n.to_string(), String::from)
    };
    Some(match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "japaneseCounting"
        | "taiwaneseCounting"
        | "taiwaneseCountingThousand"
        | "ideographDigital" => chinese_number(n),
        "chineseLegalSimplified" => chinese_number(n)
            .chars()
            .map(|c| match c {
                '十' => '拾',
                c => "零一二三四五六七八九"
                    .chars()
                    .position(|d| d == c)
                    .map_or(c, |i| LEGAL[i]),
            })
            .collect(),
        "ideographTraditional" => nth(STEMS),
        "ideographZodiac" => nth(BRANCHES),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" => nth(CIRCLED),
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .map(|c| char::from_u32(c as u32 - '0' as u32 + '０' as u32).unwrap_or(c))
            .collect(),
        "decimalZero" => format!("{n:02}"),
        "upperLetter" | "lowerLetter" => {
            let base = if format == "upperLetter" { b'A' } else { b'a' };
            let k = (n.max(1) - 1) as usize;
            if k / 26 + 1 > MAX_LETTER_REPEAT {
                return None;
            }
            let letter = (base + (k % 26) as u8) as char;
            letter.to_string().repeat(k / 26 + 1)
        }
        "upperRoman" | "lowerRoman" => {
            if n > 3999 {
                return None;
            }
            let r = roman(n);
            if format == "lowerRoman" {
                r.to_lowercase()
            } else {
                r
            }
        }
        _ => n.to_string(),
    })
}

fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (v, s) in TABLE {
        while n >= v {
            out.push_str(s);
            n -= v;
        }
    }
    out
}

/// Elements whose content is not part of the accepted text.
fn dropped(name: &str) -> bool {
    matches!(
        name,
        "del"
            | "moveFrom"
            | "instrText"
            | "delText"
            | "delInstrText"
            | "sdtPr"
            | "sdtEndPr"
            | "Fallback"
            | "pPrChange"
            | "rPrChange"
            | "tblPrChange"
            | "tcPrChange"
            | "trPrChange"
            | "sectPrChange"
            | "numberingChange"
            | "tblGridChange"
            | "footnoteReference"
            | "endnoteReference"
            | "commentReference"
    )
}

#[derive(Debug, Default)]
struct Para {
    text: String,
    num_id: Option<String>,
    level: Option<usize>,
    style: Option<String>,
}

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Merge {
    None,
    Continue,
}

#[derive(Debug)]
struct CellBuild {
    text: String,
    span: usize,
    merge: Merge,
}

#[derive(Debug, Default)]
struct RowBuild {
    before: usize,
    /// Grid columns left empty after the row's last cell (w:gridAfter).
    after: usize,
    cells: Vec<CellBuild>,
    deleted: bool,
}

#[derive(Debug, Default)]
struct TableBuild {
    rows: Vec<RowBuild>,
    row: Option<RowBuild>,
    cell: Option<CellBuild>,
    /// Depth of tables nested inside this table's cells (their text is flattened).
    nested: usize,
}

struct Body {
    numbering: Numbering,
    out: Writer,
    /// Depth inside an element whose content is dropped.
    skip: usize,
    para: Option<Para>,
    para_depth: usize,
    table: Option<TableBuild>,
    /// For each open content control: whether it shows its placeholder.
    sdt: Vec<bool>,
}

impl Body {
    fn new(numbering: Numbering, budget: Budget) -> Body {
        Body {
            numbering,
            out: Writer::new(budget),
            skip: 0,
            para: None,
            para_depth: 0,
            table: None,
            sdt: Vec::new(),
        }
    }

    fn read(mut self, xml: &str) -> Result<Extraction, ExtractError> {
        let cancel = self.out.budget().cancel().clone();
        walk(xml, DOCUMENT, &cancel, |stack, ev| match ev {
            Ev::Start(e) => self.start(stack, e),
            Ev::End(name) => self.end(name),
            Ev::Text(t) => {
                if self.skip == 0
                    && parent(stack) == "t"
                    && let Some(p) = &mut self.para
                {
                    self.out.budget().text(t.len())?;
                    p.text.push_str(t);
                }
                Ok(())
            }
        })?;
        if let Some(t) = self.table.take() {
            self.flush_table(t)?;
        }
        Ok(self.out.finish())
    }

    /// Counts one character the reader adds to a paragraph (a space, a hyphen).
    fn push(&mut self, c: char) -> Result<(), ExtractError> {
        if let Some(p) = &mut self.para {
            self.out.budget().text(c.len_utf8())?;
            p.text.push(c);
        }
        Ok(())
    }

    fn start(&mut self, stack: &[String], e: &BytesStart<'_>) -> Result<(), ExtractError> {
        let name = local(e);
        if self.skip > 0 {
            self.skip += 1;
            if name == "showingPlcHdr"
                && let Some(top) = self.sdt.last_mut()
            {
                *top = true;
            }
            return Ok(());
        }
        let up = parent(stack);
        match name.as_str() {
            n if dropped(n) => {
                // A deleted table row (w:trPr/w:del) is dropped whole.
                if n == "del"
                    && up == "trPr"
                    && let Some(row) = self.table.as_mut().and_then(|t| t.row.as_mut())
                {
                    row.deleted = true;
                }
                self.skip = 1;
            }
            "sdt" => {
                self.out.budget().work(1)?;
                self.sdt.push(false);
            }
            "sdtContent" if self.sdt.last() == Some(&true) => self.skip = 1,
            "p" => {
                if self.para_depth == 0 {
                    self.para = Some(Para::default());
                } else {
                    self.push(' ')?;
                }
                self.para_depth += 1;
            }
            "pStyle" | "numId" | "ilvl" if self.para_depth == 1 => {
                let in_ppr = stack.iter().rev().take(3).any(|s| s == "pPr");
                if let (true, Some(p)) = (in_ppr, &mut self.para) {
                    match name.as_str() {
                        "pStyle" => p.style = attr(e, "val"),
                        "numId" => p.num_id = attr(e, "val"),
                        _ => p.level = attr_num(e, "val"),
                    }
                }
            }
            "tab" | "br" | "cr" if up == "r" => self.push(' ')?,
            "noBreakHyphen" if up == "r" => self.push('-')?,
            "tbl" => match &mut self.table {
                Some(t) => t.nested += 1,
                None => self.table = Some(TableBuild::default()),
            },
            "tr" => {
                self.out.budget().work(size_of::<RowBuild>())?;
                if let Some(t) = self.table.as_mut().filter(|t| t.nested == 0) {
                    t.row = Some(RowBuild::default());
                }
            }
            "gridBefore" | "gridAfter" if up == "trPr" => {
                if let Some(row) = self.outer_table().and_then(|t| t.row.as_mut()) {
                    let n = attr_num(e, "val").unwrap_or(0).min(MAX_SPAN);
                    if name == "gridBefore" {
                        row.before = n;
                    } else {
                        row.after = n;
                    }
                }
            }
            "tc" => {
                self.out.budget().work(size_of::<CellBuild>())?;
                if let Some(t) = self.outer_table() {
                    t.cell = Some(CellBuild {
                        text: String::new(),
                        span: 1,
                        merge: Merge::None,
                    });
                }
            }
            "gridSpan" | "vMerge" | "hMerge" if up == "tcPr" => {
                if let Some(cell) = self.outer_table().and_then(|t| t.cell.as_mut()) {
                    match name.as_str() {
                        "gridSpan" => {
                            cell.span = attr_num(e, "val").unwrap_or(1).clamp(1, MAX_SPAN)
                        }
                        _ => {
                            let v = attr(e, "val").unwrap_or_default();
                            if v != "restart" {
                                cell.merge = Merge::Continue;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn outer_table(&mut self) -> Option<&mut TableBuild> {
        self.table.as_mut().filter(|t| t.nested == 0)
    }

    fn end(&mut self, name: &str) -> Result<(), ExtractError> {
        if self.skip > 0 {
            self.skip -= 1;
            return Ok(());
        }
        match name {
            "sdt" => {
                self.sdt.pop();
            }
            "p" => {
                self.para_depth = self.para_depth.saturating_sub(1);
                if self.para_depth == 0
                    && let Some(p) = self.para.take()
                {
                    self.finish_paragraph(p)?;
                }
            }
            "tc" => {
                if let Some(t) = self.outer_table()
                    && let (Some(cell), Some(row)) = (t.cell.take(), t.row.as_mut())
                {
                    row.cells.push(cell);
                }
            }
            "tr" => {
                if let Some(t) = self.outer_table()
                    && let Some(row) = t.row.take()
                    && !row.deleted
                {
                    t.rows.push(row);
                }
            }
            "tbl" => match &mut self.table {
                Some(t) if t.nested > 0 => t.nested -= 1,
                Some(_) => {
                    if let Some(t) = self.table.take() {
                        self.flush_table(t)?;
                    }
                }
                None => {}
            },
            _ => {}
        }
        Ok(())
    }

    fn finish_paragraph(&mut self, p: Para) -> Result<(), ExtractError> {
        let label = match self
            .numbering
            .resolve(p.num_id.as_deref(), p.level, p.style.as_deref())
        {
            Some((id, _)) if id == "0" => String::new(),
            Some((id, level)) if !p.text.trim().is_empty() => {
                self.numbering.label(&id, level, self.out.budget())
            }
            _ => String::new(),
        };
        self.out.budget().text(label.len())?;
        let text = label + &p.text;
        match &mut self.table {
            Some(t) => {
                if let Some(cell) = &mut t.cell {
                    if !cell.text.is_empty() {
                        cell.text.push(' ');
                    }
                    cell.text.push_str(&text);
                }
            }
            None => self.out.paragraph(&text)?,
        }
        Ok(())
    }

    /// Lays the table out on its grid, counting every slot in the file's
    /// budget before it is built; the slots spans and grid gaps add stop
    /// being built once the file's allowance for them is used (see
    /// [`Budget::span_slots`]).
    fn flush_table(&mut self, t: TableBuild) -> Result<(), ExtractError> {
        let mut grid: Vec<Vec<Option<String>>> = Vec::with_capacity(t.rows.len());
        for row in t.rows {
            let budget = self.out.budget();
            let before = if budget.span_slots(row.before)? {
                row.before
            } else {
                0
            };
            let mut slots: Vec<Option<String>> = vec![None; before];
            for cell in row.cells {
                if slots.len() >= MAX_SPAN {
                    break;
                }
                let at = slots.len();
                budget.work(SLOT_COST)?;
                let span = if budget.span_slots(cell.span - 1)? {
                    cell.span
                } else {
                    1
                };
                slots.resize(at + span, None);
                if cell.merge == Merge::None {
                    slots[at] = Some(cell.text);
                }
            }
            // The grid columns the row leaves out at its end are blank slots.
            let width = (slots.len() + row.after).min(MAX_SPAN).max(slots.len());
            if budget.span_slots(width - slots.len())? {
                slots.resize(width, None);
            }
            grid.push(slots);
        }
        self.out.table(&grid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(xml: &str) -> String {
        let doc = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{xml}</w:body></w:document>"#
        );
        Body::new(Numbering::default(), Budget::default())
            .read(&doc)
            .unwrap()
            .text
    }

    #[test]
    fn tracked_changes_read_as_accepted_and_field_codes_dropped() {
        let t = body(
            r#"<w:p><w:r><w:t>本年</w:t></w:r><w:ins><w:r><w:t>新收</w:t></w:r></w:ins><w:del><w:r><w:delText>受理</w:delText></w:r></w:del><w:r><w:t xml:space="preserve">申请 &amp; </w:t></w:r></w:p>
               <w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>PAGE</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>3</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r></w:p>
               <w:sdt><w:sdtPr><w:alias w:val="x"/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>控件内容</w:t></w:r></w:p></w:sdtContent></w:sdt>
               <w:sdt><w:sdtPr><w:showingPlcHdr/></w:sdtPr><w:sdtContent><w:p><w:r><w:t>单击此处输入文字</w:t></w:r></w:p></w:sdtContent></w:sdt>"#,
        );
        assert_eq!(t, "本年新收申请 &\n3\n控件内容\n");
    }

    #[test]
    fn merged_cells_lay_out_on_the_grid() {
        let cell = |text: &str, pr: &str| {
            format!("<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>")
        };
        let t = body(&format!(
            "<w:tbl><w:tr>{}{}{}</w:tr><w:tr><w:trPr><w:gridBefore w:val=\"1\"/></w:trPr>{}{}{}</w:tr>\
             <w:tr><w:trPr><w:del/></w:trPr>{}</w:tr></w:tbl>",
            cell("三、结果", "<w:vMerge w:val=\"restart\"/>"),
            cell("（一）予以公开", "<w:gridSpan w:val=\"2\"/>"),
            cell("5", ""),
            cell("1.", ""),
            cell("属于", ""),
            cell("", ""),
            cell("删除的行", ""),
        ));
        assert_eq!(t, "三、结果\t（一）予以公开\t\t5\n\t1.\t属于\t\n");
    }

    /// A row that stops short of the grid (w:gridAfter) keeps blank slots
    /// for the columns it leaves out, so its numbers stay in their columns.
    #[test]
    fn grid_after_leaves_blank_slots_at_the_row_end() {
        let cell = |text: &str| format!("<w:tc><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>");
        let row = |pr: &str, cells: &[&str]| {
            let cells: String = cells.iter().map(|c| cell(c)).collect();
            format!("<w:tr>{pr}{cells}</w:tr>")
        };
        let cols = [
            "自然人",
            "商业企业",
            "科研机构",
            "社会公益组织",
            "法律服务机构",
            "其他",
            "总计",
        ];
        let mut header = vec!["申请人情况"];
        header.extend(cols);
        let xml = format!(
            "<w:p><w:r><w:t>三、收到和处理政府信息公开申请情况</w:t></w:r></w:p><w:tbl>{}{}{}{}</w:tbl>",
            row("", &header),
            row(
                "",
                &[
                    "一、本年新收政府信息公开申请数量",
                    "3",
                    "1",
                    "0",
                    "0",
                    "0",
                    "0",
                    "4"
                ]
            ),
            row(
                "<w:trPr><w:gridAfter w:val=\"5\"/></w:trPr>",
                &["二、上年结转政府信息公开申请数量", "2", "1"],
            ),
            row(
                "<w:trPr><w:gridBefore w:val=\"1\"/><w:gridAfter w:val=\"2\"/></w:trPr>",
                &["7", "0", "0", "0", "1"],
            ),
        );
        let doc = format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>{xml}</w:body></w:document>"#
        );
        let ex = Body::new(Numbering::default(), Budget::default())
            .read(&doc)
            .unwrap();
        assert!(
            ex.text
                .contains("二、上年结转政府信息公开申请数量\t2\t1\t\t\t\t\t\n"),
            "{:?}",
            ex.text
        );
        assert!(ex.text.contains("\n\t7\t0\t0\t0\t1\t\t\n"), "{:?}", ex.text);
        let catalog = crate::pack::builtin_catalog().unwrap();
        let parsed = crate::parse_extracted(
            "t.docx",
            Vec::new(),
            crate::read::Format::Docx,
            ex,
            &catalog,
        );
        let table = parsed.report.table("applications").expect("表三");
        let row = table
            .rows
            .iter()
            .find(|r| r.label.starts_with("二、上年结转"))
            .expect("二、上年结转");
        let values: Vec<Option<String>> = row
            .cells
            .iter()
            .flatten()
            .map(|c| c.value.map(|v| v.to_string()))
            .collect();
        let two = |a: &str, b: &str| vec![Some(a.to_owned()), Some(b.to_owned())];
        let mut want = two("2", "1");
        want.extend(vec![None; 5]);
        assert_eq!(
            values, want,
            "blank cells after the row's end are blank, not zero"
        );
    }

    #[test]
    fn malformed_and_truncated_xml_are_errors() {
        let bad = "<w:document><w:body><w:p></w:body></w:document>";
        assert!(matches!(
            Body::new(Numbering::default(), Budget::default()).read(bad),
            Err(ExtractError::Xml { .. })
        ));
        let cut = "<w:document><w:body><w:p><w:r><w:t>半";
        assert!(matches!(
            Body::new(Numbering::default(), Budget::default()).read(cut),
            Err(ExtractError::Xml { .. })
        ));
    }

    #[test]
    fn automatic_numbering_is_written_out() {
        let mut n = Numbering::default();
        n.read_definitions(
            r#"<w:numbering xmlns:w="w"><w:abstractNum w:abstractNumId="0">
                <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
                <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
               </w:abstractNum><w:num w:numId="3"><w:abstractNumId w:val="0"/></w:num></w:numbering>"#,
            &Cancel::default(),
        )
        .unwrap();
        n.read_styles(
            r#"<w:styles xmlns:w="w"><w:style w:styleId="H1"><w:pPr><w:numPr><w:numId w:val="3"/></w:numPr></w:pPr></w:style>
               <w:style w:styleId="H1b"><w:basedOn w:val="H1"/></w:style></w:styles>"#,
            &Cancel::default(),
        )
        .unwrap();
        let doc = r#"<w:document xmlns:w="w"><w:body>
            <w:p><w:pPr><w:pStyle w:val="H1b"/></w:pPr><w:r><w:t>总体情况</w:t></w:r></w:p>
            <w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>主动公开</w:t></w:r></w:p>
            <w:p><w:pPr><w:numPr><w:ilvl w:val="1"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>依申请公开</w:t></w:r></w:p>
            <w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="3"/></w:numPr></w:pPr><w:r><w:t>主动公开政府信息情况</w:t></w:r></w:p>
            </w:body></w:document>"#;
        let t = Body::new(n, Budget::default()).read(doc).unwrap().text;
        assert_eq!(
            t,
            "一、总体情况\n（一）主动公开\n（二）依申请公开\n二、主动公开政府信息情况\n"
        );
    }

    #[test]
    fn number_formats() {
        let f = |n, format| format_number(n, format).unwrap();
        assert_eq!(f(12, "chineseCounting"), "十二");
        assert_eq!(f(3, "chineseLegalSimplified"), "叁");
        assert_eq!(f(2, "ideographTraditional"), "乙");
        assert_eq!(f(3, "decimalEnclosedCircle"), "③");
        assert_eq!(f(4, "lowerRoman"), "iv");
        assert_eq!(f(28, "upperLetter"), "BB");
        assert_eq!(f(7, "decimalFullWidth"), "７");
        // Formats that would write a huge number at length give up on it.
        assert_eq!(format_number(u32::MAX, "upperLetter"), None);
        assert_eq!(format_number(u32::MAX, "lowerRoman"), None);
        assert_eq!(f(u32::MAX, "chineseCounting"), "4294967295");
    }

    #[test]
    fn not_a_zip_is_a_clear_error() {
        let e = extract(b"PK\x03\x04 truncated").unwrap_err();
        assert!(e.to_string().contains("zip"), "{e}");
        let e = extract(&[0x17; 300]).unwrap_err();
        assert!(matches!(e, ExtractError::Docx(_)));
    }
}

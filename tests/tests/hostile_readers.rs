//! Hostile Word, HTML and PDF files, generated here: each is read within
//! bounded time and memory, with a clear error or a warning saying what
//! was left out. The readers count everything they build in one budget per
//! file that follows the file-size limit, and stop when the file's cancel
//! says so. (The same attacks through the binary, with its memory capped:
//! cli/tests/hostile_readers.rs.)

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use gklint_engine::cancel::Cancel;
use gklint_engine::read::{ExtractError, Extraction, Format, ReadLimits, extract_within};

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
const TITLE: &str = "某某县统计局2020年政府信息公开工作年度报告";
/// A guard against hangs only (debug builds are slow): the limits under
/// test stop these inputs in well under a second in a release build.
const SLOW: Duration = Duration::from_secs(20);

fn para(text: &str) -> String {
    format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
}

fn document(body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>{body}</w:body></w:document>"#
    )
}

/// A .docx holding these parts (deflated, as Word writes them).
fn docx(parts: &[(&str, &str)]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, text) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// Reads `bytes` with a limit, timing it.
fn read_within(bytes: &[u8], format: Format, max_bytes: u64) -> Result<Extraction, ExtractError> {
    let start = Instant::now();
    let out = extract_within(
        bytes,
        format,
        &ReadLimits::new(max_bytes),
        &Cancel::default(),
    );
    assert!(start.elapsed() < SLOW, "took {:?}", start.elapsed());
    out
}

fn read(bytes: &[u8], format: Format) -> Result<Extraction, ExtractError> {
    read_within(bytes, format, ReadLimits::default().max_bytes)
}

fn numbering(format: &str, start: &str, text: &str) -> String {
    format!(
        r#"<w:numbering {W}><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="{start}"/><w:numFmt w:val="{format}"/><w:lvlText w:val="{text}"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#
    )
}

const NUMBERED: &str = r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>总体情况</w:t></w:r></w:p>"#;

/// A list starting at 4294967295 in letters (a label n/26 letters long) or
/// Roman numerals (millions of Ms) is written in digits, with a warning;
/// a level text repeating its number is cut short, with a warning.
#[test]
fn numbering_labels_are_bounded() {
    for format in ["upperLetter", "lowerLetter", "upperRoman", "lowerRoman"] {
        let bytes = docx(&[
            (
                "word/document.xml",
                &document(&(para(TITLE) + &NUMBERED.repeat(50))),
            ),
            (
                "word/numbering.xml",
                &numbering(format, "4294967295", "%1、"),
            ),
        ]);
        let ex = read(&bytes, Format::Docx).unwrap();
        assert!(
            ex.text.contains("\n4294967295、总体情况\n"),
            "{format}: {}",
            &ex.text[..ex.text.len().min(200)]
        );
        assert!(ex.text.len() < 4096, "{format}: {} bytes", ex.text.len());
        assert_eq!(ex.warnings.len(), 1, "{format}: {:?}", ex.warnings);
        assert!(
            ex.warnings[0].contains("序号过大") && ex.warnings[0].contains(format),
            "{:?}",
            ex.warnings
        );
    }
    let bytes = docx(&[
        ("word/document.xml", &document(&NUMBERED.repeat(50))),
        (
            "word/numbering.xml",
            &numbering("decimal", "1", &"%1".repeat(1_000_000)),
        ),
    ]);
    let ex = read(&bytes, Format::Docx).unwrap();
    let first = ex.text.lines().next().unwrap();
    assert!(first.chars().count() < 100, "{first}");
    assert!(ex.warnings[0].contains("已截断"), "{:?}", ex.warnings);
}

/// 200,000 one-cell rows each padded to 1,000 grid columns (gridAfter): the
/// padding stops at the file's allowance for spanned slots, with a warning;
/// every row's text is still read.
#[test]
fn grid_gaps_are_built_within_the_allowance() {
    let row = r#"<w:tr><w:trPr><w:gridAfter w:val="1000"/></w:trPr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>"#;
    let body = format!("{}<w:tbl>{}</w:tbl>", para(TITLE), row.repeat(200_000));
    let ex = read(
        &docx(&[("word/document.xml", &document(&body))]),
        Format::Docx,
    )
    .unwrap();
    assert_eq!(ex.text.matches("\n1").count(), 200_000);
    // 2.6 million slots allowed for 20 MiB (one tab each), not 200 million.
    assert!(ex.text.len() < 8 << 20, "{} bytes", ex.text.len());
    assert!(ex.warnings[0].contains("合并单元格"), "{:?}", ex.warnings);
    // gridSpan and gridBefore are the same attack.
    let row = r#"<w:tr><w:trPr><w:gridBefore w:val="999"/></w:trPr><w:tc><w:tcPr><w:gridSpan w:val="1000"/></w:tcPr><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>"#;
    let body = format!("<w:tbl>{}</w:tbl>", row.repeat(50_000));
    let ex = read(
        &docx(&[("word/document.xml", &document(&body))]),
        Format::Docx,
    )
    .unwrap();
    assert!(ex.text.len() < 8 << 20, "{} bytes", ex.text.len());
    assert!(ex.warnings[0].contains("合并单元格"), "{:?}", ex.warnings);
}

/// Every part read stops at the depth limit at once: styles.xml with a
/// million nested elements (7 minutes before), numbering.xml, and a
/// document of unclosed elements (which built a stack of them all).
#[test]
fn deep_xml_in_any_part_is_refused_at_the_depth_limit() {
    let n = 1_000_000;
    let deep = format!("{}{}", "<b>".repeat(n), "</b>".repeat(n));
    let styles = format!(r#"<w:styles {W}><w:style w:styleId="a">{deep}</w:style></w:styles>"#);
    let numbering = format!(r#"<w:numbering {W}>{deep}</w:numbering>"#);
    let body = document(&para(TITLE));
    for (part, bytes) in [
        (
            "word/styles.xml",
            docx(&[("word/document.xml", &body), ("word/styles.xml", &styles)]),
        ),
        (
            "word/numbering.xml",
            docx(&[
                ("word/document.xml", &body),
                ("word/numbering.xml", &numbering),
            ]),
        ),
        (
            "word/document.xml",
            docx(&[(
                "word/document.xml",
                &format!("<w:document {W}>{}", "<a>".repeat(5_000_000)),
            )]),
        ),
    ] {
        let e = read(&bytes, Format::Docx).unwrap_err();
        assert_eq!(
            e,
            ExtractError::XmlTooDeep {
                entry: part.into(),
                depth: 256
            }
        );
        assert!(
            e.to_string().contains(part) && e.to_string().contains("嵌套超过 256 层"),
            "{e}"
        );
    }
}

/// One text run larger than the file-size limit: the extracted text counts
/// against that limit (the .docx itself is tiny).
#[test]
fn text_past_the_file_size_limit_is_refused() {
    let run = "本机关依法主动公开政府信息，收到申请12件，".repeat(50_000);
    let body = format!("{}<w:p><w:r><w:t>{run}</w:t></w:r></w:p>", para(TITLE));
    let bytes = docx(&[("word/document.xml", &document(&body))]);
    assert!(bytes.len() < 64 << 10, "{}", bytes.len());
    let e = read_within(&bytes, Format::Docx, 1 << 20).unwrap_err();
    assert_eq!(e, ExtractError::TextTooLong { limit: 1 << 20 });
    assert!(e.to_string().contains("--max-file-size"), "{e}");
    // Within a larger limit it is read.
    assert!(read_within(&bytes, Format::Docx, 8 << 20).is_ok());
}

/// Inflated parts count in the budget too: a part that inflates past what
/// the file's budget allows is refused before it is read in full.
#[test]
fn inflated_parts_count_against_the_budget() {
    let body = document(&(para(TITLE) + &"<w:p/>".repeat(2_000_000)));
    let bytes = docx(&[("word/document.xml", &body)]);
    let e = read_within(&bytes, Format::Docx, 1 << 20).unwrap_err();
    assert_eq!(e, ExtractError::TooMuchWork { limit: 8 << 20 });
}

/// Two entries named word/document.xml: which one a program reads differs,
/// so the file is refused, naming the entry.
#[test]
fn duplicate_parts_are_refused_naming_the_entry() {
    let mut bytes = docx(&[
        ("word/document.xml", &document(&para("第一份"))),
        ("word/document.xmX", &document(&para("第二份"))),
    ]);
    // Rename the second entry in its local header and the central directory.
    let from = b"word/document.xmX";
    let mut at = 0;
    while let Some(i) = bytes[at..].windows(from.len()).position(|w| w == from) {
        bytes[at + i + from.len() - 1] = b'l';
        at += i + from.len();
    }
    let e = read(&bytes, Format::Docx).unwrap_err();
    assert_eq!(
        e,
        ExtractError::DuplicateEntry {
            entry: "word/document.xml".into()
        }
    );
    assert!(
        e.to_string().contains("多个同名的 word/document.xml"),
        "{e}"
    );
}

/// The reader asks the file's cancel in its loops: a file that takes too
/// long is abandoned while it is read, whatever the format.
#[test]
fn readers_stop_when_cancelled() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    // Says stop from its 3rd question on.
    let cancel = Cancel::new(move || c.fetch_add(1, Ordering::Relaxed) >= 2);
    let body = document(&(para(TITLE) + &para("正文").repeat(200_000)));
    let bytes = docx(&[("word/document.xml", &body)]);
    let e = extract_within(&bytes, Format::Docx, &ReadLimits::default(), &cancel).unwrap_err();
    assert_eq!(e, ExtractError::Cancelled);
    assert!(e.to_string().contains("--timeout"), "{e}");
    let stop = Arc::new(AtomicBool::new(true));
    let s = stop.clone();
    let cancel = Cancel::new(move || s.load(Ordering::Relaxed));
    let page = format!("<h1>{TITLE}</h1>{}", "<p>正文</p>".repeat(10_000));
    let e = extract_within(
        page.as_bytes(),
        Format::Html,
        &ReadLimits::default(),
        &cancel,
    );
    assert_eq!(e.unwrap_err(), ExtractError::Cancelled);
}

/// The depth guard counts the tree html5ever builds: `<div/>` nests like
/// `<div>` (the slash means nothing on a div), and so do formatting
/// elements and tables inside cells.
#[test]
fn html_nesting_is_counted_on_the_parsed_tree() {
    let n = 200_000;
    for page in [
        format!(
            "<html><body><h1>{TITLE}</h1>{}政府信息公开</body></html>",
            "<div/>".repeat(n)
        ),
        format!("<body>{}x", "<div>".repeat(n)),
        format!("<body>{}x", "<section/><article>".repeat(n / 2)),
        format!("<body>{}x", "<table><tr><td>".repeat(n / 3)),
    ] {
        let e = read(page.as_bytes(), Format::Html).unwrap_err();
        assert_eq!(e, ExtractError::TooDeep(512));
    }
}

/// 30,000 one-cell tables with colspan=1000 (30 million slots if each is
/// expanded): spans stop being expanded at the file's allowance, with a
/// warning, and every table's text is read.
#[test]
fn html_spans_are_built_within_the_allowance() {
    let page = format!(
        "<html><body><h1>{TITLE}</h1>{}</body></html>",
        "<table><tr><td colspan=1000>1</table>".repeat(30_000)
    );
    let ex = read(page.as_bytes(), Format::Html).unwrap();
    assert_eq!(ex.text.matches("\n1").count(), 30_000);
    assert!(ex.text.len() < 8 << 20, "{} bytes", ex.text.len());
    assert_eq!(ex.warnings.len(), 1, "{:?}", ex.warnings);
    assert!(ex.warnings[0].contains("合并单元格"), "{:?}", ex.warnings);
    // Rowspans are the same attack, down the table: a cell spanning all
    // rows at the right of a wide row widens every row below it.
    let page = format!(
        "<table><tr>{}<td rowspan=0>1</td></tr>{}</table>",
        "<td>1</td>".repeat(999),
        "<tr><td>2</td></tr>".repeat(20_000)
    );
    let ex = read(page.as_bytes(), Format::Html).unwrap();
    assert!(ex.text.len() < 8 << 20, "{} bytes", ex.text.len());
    assert!(ex.warnings[0].contains("合并单元格"), "{:?}", ex.warnings);
    let page = format!(
        "<table>{}</table>",
        "<tr><td rowspan=0 colspan=1000>1</td></tr>".repeat(5_000)
    );
    let ex = read(page.as_bytes(), Format::Html).unwrap();
    assert!(ex.text.len() < 8 << 20, "{} bytes", ex.text.len());
    assert!(ex.warnings[0].contains("合并单元格"), "{:?}", ex.warnings);
}

/// Many small elements cost far more parsed than written: the nodes count
/// against the budget, which follows the file-size limit.
#[test]
fn html_nodes_count_against_the_budget() {
    let page = format!("<p>{TITLE}</p>{}", "<br>".repeat(200_000));
    let e = read_within(page.as_bytes(), Format::Html, 1 << 20).unwrap_err();
    assert_eq!(e, ExtractError::TooMuchWork { limit: 8 << 20 });
    assert!(read(page.as_bytes(), Format::Html).is_ok());
}

/// GBK bytes declared as windows-1252 decode without an error, to mojibake:
/// read as GB18030 and said.
#[test]
fn html_mojibake_from_a_wrong_charset_is_read_right_and_said() {
    let body = format!("<h1>{TITLE}</h1><p>一、总体情况</p><p>本机关依法主动公开政府信息。</p>");
    let (gbk, _, _) = encoding_rs::GBK.encode(&body);
    let mut page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"></head><body>".to_vec();
    page.extend_from_slice(&gbk);
    let ex = read(&page, Format::Html).unwrap();
    assert!(ex.text.starts_with(TITLE), "{}", ex.text);
    assert!(
        ex.warnings[0].contains("windows-1252") && ex.warnings[0].contains("乱码"),
        "{:?}",
        ex.warnings
    );
}

/// A minimal PDF with these objects (numbered from 1) and a correct xref.
fn pdf(objects: &[&str], root: usize) -> Vec<u8> {
    let mut out = b"%PDF-1.7\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n{o}\nendobj\n", i + 1).bytes());
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).bytes());
    for o in offsets {
        out.extend(format!("{o:010} 00000 n \n").bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .bytes(),
    );
    out
}

/// A page tree whose Kids lead back to an ancestor, or a reference chain
/// that leads back to itself, leaves no page to read: said as a cycle, not
/// as a scan without text.
#[test]
fn pdf_reference_cycles_are_named() {
    let kids_cycle = pdf(
        &[
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Pages /Kids [2 0 R] /Count 1 /Parent 2 0 R >>",
        ],
        1,
    );
    let chain_cycle = pdf(&["<< /Type /Catalog /Pages 2 0 R >>", "3 0 R", "2 0 R"], 1);
    let root_cycle = pdf(&["2 0 R", "1 0 R"], 1);
    for (name, bytes) in [
        ("kids", kids_cycle),
        ("chain", chain_cycle),
        ("root", root_cycle),
    ] {
        let e = read(&bytes, Format::Pdf).unwrap_err();
        assert!(
            matches!(&e, ExtractError::Pdf(m) if m.contains("循环引用")),
            "{name}: {e}"
        );
    }
}

//! Hostile Word and HTML files through the binary, generated here, each
//! given before a good report: the run ends in bounded time under a 1 GB
//! address-space limit, names the hostile file on stderr (an error, or a
//! warning saying what was left out), leaves every file as it was, and
//! still checks the good report. (The readers' own limits, case by case:
//! tests/tests/hostile_readers.rs.)

#![cfg(unix)]

use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

mod support;

const W: &str = r#"xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main""#;
const TITLE: &str = "某某县统计局2020年政府信息公开工作年度报告";
const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>"#;
const TAIL: &str = "</w:body></w:document>";

fn para(text: &str) -> String {
    format!("<w:p><w:r><w:t>{text}</w:t></w:r></w:p>")
}

/// Writes a .docx of these parts; `stream` is one part written as a head, a
/// unit repeated, and a tail, without building it in memory.
fn docx(path: &Path, parts: &[(&str, String)], stream: Option<(&str, &str, &str, usize, &str)>) {
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for (name, text) in parts {
        zip.start_file(*name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    if let Some((name, head, unit, count, tail)) = stream {
        zip.start_file(name, options).unwrap();
        zip.write_all(head.as_bytes()).unwrap();
        let block = unit.repeat((1 << 20) / unit.len());
        let per = (1 << 20) / unit.len();
        for _ in 0..count / per {
            zip.write_all(block.as_bytes()).unwrap();
        }
        zip.write_all(unit.repeat(count % per).as_bytes()).unwrap();
        zip.write_all(tail.as_bytes()).unwrap();
    }
    zip.finish().unwrap();
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// `gklint check --no-cache --format json NAME good.txt` in `dir` under a
/// 1 GB address-space limit; checks no file changed and good.txt was checked.
fn check(dir: &Path, name: &str, extra: &[&str]) -> Run {
    use std::os::unix::process::CommandExt;
    let good = support::corpus(support::SEED_001);
    std::fs::copy(&good, dir.join("good.txt")).unwrap();
    let before: Vec<(String, Vec<u8>)> = [name, "good.txt"]
        .iter()
        .map(|n| (n.to_string(), std::fs::read(dir.join(n)).unwrap()))
        .collect();
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("gklint"));
    cmd.current_dir(dir)
        .args(["check", "--no-cache", "--format", "json"])
        .args(extra)
        .args([name, "good.txt"]);
    // SAFETY: the closure runs in the child before exec and only calls
    // setrlimit, which is async-signal-safe.
    unsafe {
        cmd.pre_exec(|| {
            let gb = 1 << 30;
            let lim = libc::rlimit {
                rlim_cur: gb,
                rlim_max: gb,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let start = Instant::now();
    let out = assert_cmd::Command::from_std(cmd)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    // A guard against hangs: the per-file limit (10 s) ends a file sooner.
    assert!(
        start.elapsed() < Duration::from_secs(40),
        "{name}: {:?}",
        start.elapsed()
    );
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(
        matches!(run.code, 1 | 2),
        "{name}: exit {} (killed, or out of memory?): {}",
        run.code,
        run.stderr
    );
    assert!(
        !run.stderr.contains("panicked") && !run.stderr.contains("memory allocation of"),
        "{name}: {}",
        run.stderr
    );
    for (n, bytes) in before {
        assert!(
            std::fs::read(dir.join(&n)).unwrap() == bytes,
            "{n} was written"
        );
    }
    assert!(
        run.stdout.contains("\"path\": \"good.txt\""),
        "{name}: good.txt not checked: {}",
        run.stderr
    );
    run
}

/// The line of stderr naming `name` (`gklint: 错误：NAME: …`, or the
/// time-out message `NAME 处理超过…`).
fn said<'a>(run: &'a Run, name: &str) -> &'a str {
    run.stderr
        .lines()
        .find(|l| l.contains(&format!("{name}:")) || l.contains(&format!("{name} 处理超过")))
        .unwrap_or_else(|| panic!("nothing said about {name}: {}", run.stderr))
}

#[test]
fn numbering_with_a_huge_start_is_written_in_digits() {
    let dir = tempfile::tempdir().unwrap();
    let numbering = format!(
        r#"<w:numbering {W}><w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="4294967295"/><w:numFmt w:val="upperLetter"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum><w:num w:numId="1"><w:abstractNumId w:val="1"/></w:num></w:numbering>"#
    );
    let p = r#"<w:p><w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr><w:r><w:t>总体情况</w:t></w:r></w:p>"#;
    let body = format!("{HEAD}{}{}{TAIL}", para(TITLE), p.repeat(50));
    docx(
        &dir.path().join("numbering.docx"),
        &[
            ("word/document.xml", body),
            ("word/numbering.xml", numbering),
        ],
        None,
    );
    let run = check(dir.path(), "numbering.docx", &[]);
    let line = said(&run, "numbering.docx");
    assert!(line.contains("警告") && line.contains("序号过大"), "{line}");
    assert!(
        run.stdout.contains("\"path\": \"numbering.docx\""),
        "{}",
        run.stderr
    );
}

#[test]
fn grid_gaps_of_200_000_rows_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let row = r#"<w:tr><w:trPr><w:gridAfter w:val="1000"/></w:trPr><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc></w:tr>"#;
    let head = format!("{HEAD}{}<w:tbl>", para(TITLE));
    let tail = format!("</w:tbl>{TAIL}");
    docx(
        &dir.path().join("grid.docx"),
        &[],
        Some(("word/document.xml", &head, row, 200_000, &tail)),
    );
    let run = check(dir.path(), "grid.docx", &[]);
    // The padding stops at the allowance (a warning); on a slow debug
    // build the time limit may end the file first.
    let line = said(&run, "grid.docx");
    assert!(
        line.contains("合并单元格和空白网格") || line.contains("处理超过 10 秒"),
        "{line}"
    );
}

#[test]
fn deep_parts_stop_at_the_depth_limit_within_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let n = 1_000_000;
    let styles = format!(
        r#"<w:styles {W}><w:style w:styleId="a">{}{}</w:style></w:styles>"#,
        "<b>".repeat(n),
        "</b>".repeat(n)
    );
    let body = format!("{HEAD}{}{TAIL}", para(TITLE));
    docx(
        &dir.path().join("styles.docx"),
        &[("word/document.xml", body), ("word/styles.xml", styles)],
        None,
    );
    let run = check(dir.path(), "styles.docx", &["--timeout", "1"]);
    assert_eq!(run.code, 2);
    let line = said(&run, "styles.docx");
    assert!(
        line.contains("word/styles.xml 元素嵌套超过 256 层"),
        "{line}"
    );

    docx(
        &dir.path().join("deep.docx"),
        &[],
        Some(("word/document.xml", HEAD, "<a>", 10_000_000, "")),
    );
    let run = check(dir.path(), "deep.docx", &[]);
    let line = said(&run, "deep.docx");
    assert!(
        line.contains("word/document.xml 元素嵌套超过 256 层"),
        "{line}"
    );
}

/// A 60 MB text run in a small .docx is past the 20 MB file-size limit.
#[test]
fn inflated_text_counts_against_the_file_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let s = "本机关依法主动公开政府信息，收到申请12件，";
    let head = format!("{HEAD}{}<w:p><w:r><w:t>", para(TITLE));
    let tail = format!("</w:t></w:r></w:p>{TAIL}");
    docx(
        &dir.path().join("big.docx"),
        &[],
        Some(("word/document.xml", &head, s, (60 << 20) / s.len(), &tail)),
    );
    assert!(
        std::fs::metadata(dir.path().join("big.docx"))
            .unwrap()
            .len()
            < 1 << 20
    );
    let run = check(dir.path(), "big.docx", &[]);
    assert_eq!(run.code, 2);
    let line = said(&run, "big.docx");
    assert!(line.contains("提取出的文字超过 20 MiB"), "{line}");
}

#[test]
fn self_closed_divs_meet_the_depth_guard() {
    let dir = tempfile::tempdir().unwrap();
    let page = format!(
        "<html><body><h1>{TITLE}</h1>{}政府信息公开</body></html>",
        "<div/>".repeat(200_000)
    );
    std::fs::write(dir.path().join("selfclosing.html"), page).unwrap();
    let run = check(dir.path(), "selfclosing.html", &[]);
    assert_eq!(run.code, 2);
    let line = said(&run, "selfclosing.html");
    assert!(line.contains("嵌套超过 512 层"), "{line}");
}

/// 30,000 one-cell tables with colspan=1000: spans stop being expanded at
/// the file's allowance (2.6 million slots for 20 MB), said once; the
/// tables' text is still checked.
#[test]
fn colspan_tables_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let page = format!(
        "<html><body><h1>{TITLE}</h1>{}</body></html>",
        "<table><tr><td colspan=1000>1</table>".repeat(30_000)
    );
    std::fs::write(dir.path().join("colspan.html"), page).unwrap();
    let run = check(dir.path(), "colspan.html", &["--timeout", "30"]);
    let line = said(&run, "colspan.html");
    assert!(
        line.contains("警告") && line.contains("合并单元格"),
        "{line}"
    );
    assert_eq!(
        run.stderr.matches("colspan.html").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(
        run.stdout.contains("\"path\": \"colspan.html\""),
        "{}",
        run.stderr
    );
}

/// GBK bytes declared as windows-1252: read as GB18030, and said.
#[test]
fn a_wrong_declared_charset_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let body = format!("<h1>{TITLE}</h1><p>一、总体情况</p><p>本机关依法主动公开政府信息。</p>");
    let (gbk, _, _) = encoding_rs::GBK.encode(&body);
    let mut page = b"<meta charset=\"windows-1252\">".to_vec();
    page.extend_from_slice(&gbk);
    std::fs::write(dir.path().join("latin.html"), page).unwrap();
    let run = check(dir.path(), "latin.html", &[]);
    let line = said(&run, "latin.html");
    assert!(
        line.contains("windows-1252") && line.contains("GB18030"),
        "{line}"
    );
}

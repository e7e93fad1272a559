//! Hostile input through the whole command line: each gives findings or a
//! clear error naming the file (exit 2) within a bounded time, never a
//! panic, and never a written file. (Word, PDF and deeply nested HTML files
//! are in tests/tests/readers.rs.)

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

mod support;

fn gklint() -> Command {
    let mut c = support::gklint();
    // Generous for a debug build on a busy 2-core machine; the per-file
    // limit (10 s by default) ends a file long before.
    c.timeout(Duration::from_secs(60));
    c
}

/// Runs `gklint check` on `file` and returns (exit code, stdout, stderr),
/// asserting no panic and that the file was not written.
fn check(file: &Path, extra: &[&str]) -> (i32, String, String) {
    let before = std::fs::read(file).unwrap();
    let out = gklint()
        .arg("check")
        .args(extra)
        .arg(file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{}: {stderr}", file.display());
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("{} killed (timeout?): {stderr}", file.display()));
    assert!(
        std::fs::read(file).unwrap() == before,
        "{} was written",
        file.display()
    );
    (
        code,
        String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr,
    )
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// Deterministic noise.
fn noise(n: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

#[test]
fn empty_binary_nul_and_invalid_utf8_files() {
    let dir = tempfile::tempdir().unwrap();
    let empty = write(dir.path(), "empty.txt", b"");
    let (code, out, _) = check(&empty, &["--format", "json"]);
    assert_ne!(code, 2, "an empty report is linted: {out}");
    let findings: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(!findings.as_array().unwrap().is_empty(), "{out}");

    let binary = write(dir.path(), "binary.txt", &noise(256 << 10));
    let (code, _, err) = check(&binary, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("binary.txt"), "{err}");

    let mut nul = "某某局2020年政府信息公开工作年度报告\n".as_bytes().to_vec();
    nul.extend([0u8; 64]);
    nul.extend("一、总体情况\n".as_bytes());
    let nul = write(dir.path(), "nul.txt", &nul);
    let (code, _, err) = check(&nul, &[]);
    assert!(code == 2 && err.contains("nul.txt"), "{code} {err}");
    // Named once, not twice.
    assert_eq!(err.matches("nul.txt").count(), 1, "{err}");

    // Bytes that are neither UTF-8 nor GB18030.
    let mut bad = "某某局2020年政府信息公开工作年度报告\n".as_bytes().to_vec();
    bad.extend([0xFF, 0xFE, 0x80, 0x81, 0xFF, 0x30, 0xFF]);
    let bad = write(dir.path(), "bad.txt", &bad);
    let (code, _, err) = check(&bad, &[]);
    assert!(code == 2 && err.contains("bad.txt"), "{code} {err}");
}

#[test]
fn a_fifty_megabyte_report_is_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.txt");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(50 << 20).unwrap();
    let (code, _, err) = check(&big, &[]);
    assert_eq!(code, 2);
    assert!(err.contains("big.txt") && err.contains("50.0 MB"), "{err}");
}

#[test]
fn a_five_megabyte_single_line_and_a_million_lines() {
    let dir = tempfile::tempdir().unwrap();
    let sentence = "本机关依法主动公开政府信息，收到申请12件，";
    let mut line = String::from("某某局2020年政府信息公开工作年度报告");
    while line.len() < 5 << 20 {
        line.push_str(sentence);
    }
    let one = write(dir.path(), "one-line.txt", line.as_bytes());
    let (code, out, err) = check(&one, &["--format", "json"]);
    assert!(
        code != 2 || err.contains("--timeout"),
        "findings or the time limit: {err}"
    );
    assert!(out.len() < 10 << 20);

    let mut many = String::from("某某局2020年政府信息公开工作年度报告\n");
    for i in 0..1_000_000 {
        many.push_str(if i % 2 == 0 { "测\n" } else { "\n" });
    }
    let many = write(dir.path(), "million.txt", many.as_bytes());
    let (code, _, err) = check(&many, &["--format", "json"]);
    assert!(code != 2 || err.contains("--timeout"), "{err}");
}

#[test]
fn a_line_full_of_findings_lists_a_thousand_per_rule_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    // A report whose second line repeats `piece`: its JSON lines, after
    // asserting that the run gave findings (exit 1), not an error.
    let one_line = |name: &str, piece: &str, times: usize| {
        let text = format!(
            "某某局2020年政府信息公开工作年度报告\n{}\n",
            piece.repeat(times)
        );
        let file = write(dir.path(), name, text.as_bytes());
        let (code, out, err) = check(&file, &["--format", "jsonl"]);
        assert_eq!(code, 1, "{name}: {err}");
        out
    };
    let count = |out: &str, rule: &str| {
        let rule = format!("\"{rule}\"");
        out.lines().filter(|l| l.contains(&rule)).count()
    };
    // 50,000 unbalanced marks on one 300 KB line. Placing each in its line
    // once searched the line (quadratic: a 3 MB line took two minutes), and
    // keeping every finding took 2 KB each (18 MB of marks crashed the run
    // at 5 GB): the first 1,000 are listed, then one finding says so.
    let out = one_line("marks.txt", "（２", 50_000);
    assert_eq!(count(&out, "punctuation-unbalanced"), 1_001);
    assert!(
        out.contains("\"line\":2,\"column\":1999,"),
        "the 1,000th mark is listed"
    );
    assert!(!out.contains("\"column\":2001,"), "the 1,001st is not");
    let note = out
        .lines()
        .find(|l| l.contains("其余的不再逐条列出"))
        .expect("a finding says the rest are not listed");
    assert!(note.contains("punctuation-unbalanced"), "{note}");
    // Each future year looked at its whole line again (28 s for this one).
    let out = one_line("years.txt", "2025年，", 20_000);
    assert_eq!(count(&out, "date-future-year"), 1_001);
}

/// Many dates, e-mail addresses, phone numbers, headings, stray closing
/// brackets and book titles. Each was looked up among all the others (a date
/// among the full dates, an address among the labelled ones, a line among the
/// headings, a bracket's line among the paragraphs, a title among the titles
/// of its line): quadratic, past the 15 s limit here in a debug build, where
/// it now takes about 6 s.
#[test]
fn many_hits_of_each_kind_end_within_the_time_limit() {
    let dir = tempfile::tempdir().unwrap();
    let n = 30_000;
    let text = format!(
        "某某局2020年政府信息公开工作年度报告\n{}\n{}\n{}\n{}\n{}{}",
        "2020年2月30日，".repeat(n),
        "《甲》".repeat(n),
        "邮箱：a@b.cn，".repeat(n),
        "电话：010-12345678，".repeat(n),
        "一、总体情况\n".repeat(n),
        "）\n".repeat(n),
    );
    let file = write(dir.path(), "many.txt", text.as_bytes());
    let (code, out, err) = check(&file, &["--format", "jsonl", "--timeout", "15"]);
    assert_eq!(code, 1, "findings, not the time limit: {err}");
    let count = |rule: &str| {
        let rule = format!("\"rule\":\"{rule}\"");
        out.lines().filter(|l| l.contains(&rule)).count()
    };
    assert_eq!(count("date-invalid"), 1_001);
    assert_eq!(count("section-duplicate"), 1_001);
    assert_eq!(count("punctuation-unbalanced"), 1_001);
}

/// A million findings of one rule fit in bounded memory: run under a 1 GB
/// address-space limit, where keeping them all (2 GB) aborted the run.
#[cfg(unix)]
#[test]
fn a_million_findings_of_one_rule_fit_in_a_gigabyte() {
    use std::os::unix::process::CommandExt;
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "某某局2020年政府信息公开工作年度报告\n{}\n",
        "（２".repeat(1_000_000)
    );
    let file = write(dir.path(), "million-marks.txt", text.as_bytes());
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("gklint"));
    cmd.args([
        "check",
        "--no-cache",
        "--timeout",
        "60",
        "--format",
        "jsonl",
    ])
    .arg(&file);
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
    let out = cmd.output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "findings, not a crash: {stderr}"
    );
    let listed = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.contains("\"punctuation-unbalanced\""))
        .count();
    assert_eq!(listed, 1_001);
}

#[test]
fn a_page_that_declares_the_wrong_charset_is_read_as_what_it_is() {
    let dir = tempfile::tempdir().unwrap();
    // Declares GB2312 but is UTF-8, as some CMS templates do.
    let page = "<html><head><meta charset=\"gb2312\"><title>x</title></head><body>\
        <h1>某某县统计局2020年政府信息公开工作年度报告</h1><p>一、总体情况</p><p>本机关依法公开政府信息。</p></body></html>";
    let file = write(dir.path(), "wrong-charset.html", page.as_bytes());
    let out = gklint()
        .args(["parse", "--format", "json"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let model: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(model["year"], 2020, "{model}");
    assert!(
        model["title"].as_str().unwrap_or("").contains("统计局"),
        "{model}"
    );
}

/// A pack that must not load: exit 2, the pack file and line in the message.
fn refused_pack(yaml: &str, line: u32, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let pack = write(dir.path(), "bad-pack.yaml", yaml.as_bytes());
    let report = write(
        dir.path(),
        "r.txt",
        "某某局2020年政府信息公开工作年度报告\n".as_bytes(),
    );
    let (code, _, err) = check(&report, &["--pack", pack.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains(&format!("bad-pack.yaml:{line}:")),
        "{what}: want line {line}: {err}"
    );
}

const HEAD: &str = "pack: hostile\nname: t\nversion: \"1\"\ndescription: t\nrules:\n";

fn rule(body: &str) -> String {
    format!(
        "{HEAD}  - id: r\n    kind: pattern\n    category: style\n    severity: warning\n    message: m\n    help: h\n    mode: must-not\n{body}    examples:\n      valid: [\"x\"]\n      invalid: [\"aaaa\"]\n"
    )
}

#[test]
fn broken_and_malicious_packs_are_refused_at_their_place() {
    refused_pack(&format!("{HEAD}  - id: [unclosed\n"), 6, "bad YAML");
    refused_pack(
        &rule("    colour: red\n    pattern: \"a\"\n"),
        13,
        "unknown key",
    );
    // A regex whose compiled program is far too large.
    refused_pack(
        &rule("    pattern: \"(\\\\w{100}){100}\"\n"),
        13,
        "huge regex",
    );
}

#[test]
fn a_pattern_catastrophic_for_backtracking_engines_runs_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let pack = write(
        dir.path(),
        "pack.yaml",
        rule("    pattern: \"(a+)+$\"\n").as_bytes(),
    );
    let text = format!(
        "某某局2020年政府信息公开工作年度报告\n{}b\n",
        "a".repeat(200_000)
    );
    let report = write(dir.path(), "r.txt", text.as_bytes());
    let started = std::time::Instant::now();
    let (code, _, err) = check(&report, &["--pack", pack.to_str().unwrap()]);
    assert_ne!(code, 2, "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

/// A 233 KB PDF whose fonts make pure-Rust extraction allocate gigabytes:
/// the child that reads it is capped at 1 GB and the file is named.
#[test]
fn a_pdf_that_would_take_gigabytes_is_stopped_at_the_memory_cap() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/hostile/glyphbomb.pdf");
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("glyphbomb.pdf");
    std::fs::copy(src, &file).unwrap();
    let started = std::time::Instant::now();
    let (code, _, err) = check(&file, &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("glyphbomb.pdf"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(30));
}

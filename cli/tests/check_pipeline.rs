//! `gklint check` in pipelines and over awkward input: machine-readable
//! output stays parseable, limits name the bad file while the rest is
//! linted, stdin is never written back, and paths are matched however they
//! are spelt.

mod support;

use predicates::prelude::*;
use support::{SEED_001, SEED_004, corpus, folder, gklint, json_of};

#[test]
fn statistics_and_diff_leave_json_parseable() {
    let file = corpus(SEED_001);
    let out = gklint()
        .args(["check", "--format", "json", "--statistics"])
        .arg(&file)
        .output()
        .unwrap();
    let json = json_of(&out.stdout);
    assert!(!json.as_array().unwrap().is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("严重程度"), "{stderr}");
    // --diff: standard output is the diff alone.
    let out = gklint()
        .args(["check", "--format", "json", "--diff"])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("--- a/"), "{text}");
    assert!(text.contains("+(本列数据的勾稽关系为"));
    assert!(!text.contains("\"rule\""));
}

#[test]
fn fix_refuses_stdin_and_never_writes_the_named_file() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "x").unwrap();
    gklint()
        .current_dir(dir.path())
        .args(["check", "--fix", "-", "--stdin-filename", "victim.txt"])
        .pipe_stdin(corpus(SEED_001))
        .unwrap()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("标准输入"));
    assert_eq!(std::fs::read(&victim).unwrap(), b"x");
}

#[test]
fn a_missing_path_is_named_and_the_others_are_still_linted() {
    let file = corpus(SEED_004);
    let out = gklint()
        .args(["check", "--format", "json", "没有这个文件.txt"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("没有这个文件.txt"), "{stderr}");
    let json = json_of(&out.stdout);
    assert!(
        json.as_array()
            .unwrap()
            .iter()
            .any(|f| f["rule"] == "section-numbering"),
        "{json}"
    );
}

#[test]
fn an_oversized_file_is_named_and_skipped() {
    let dir = folder(&[("a.txt", SEED_004), ("b.txt", SEED_001)]);
    let big = dir.path().join("big.txt");
    std::fs::write(&big, "一".repeat(400_000)).unwrap();
    let out = gklint()
        .args(["check", "--format", "json", "--max-file-size", "1MB"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("big.txt") && stderr.contains("上限"),
        "{stderr}"
    );
    let json = json_of(&out.stdout);
    let paths: std::collections::BTreeSet<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    // The same limit from a config file.
    std::fs::write(
        dir.path().join("gklint.yaml"),
        "limits:\n  max_file_size: 1MB\n",
    )
    .unwrap();
    gklint()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("big.txt"));
}

#[test]
fn a_file_over_the_time_limit_is_named_and_skipped() {
    let dir = folder(&[("a.txt", SEED_004)]);
    // Hundreds of thousands of table-like lines take longer than 1 ms.
    let mut slow = String::new();
    for i in 0..40_000 {
        slow.push_str(&format!("（{}）第{i}行\t{i}\t{i}\t{i}\n", i % 7));
    }
    std::fs::write(dir.path().join("slow.txt"), slow).unwrap();
    let out = gklint()
        .args(["check", "--format", "json", "--timeout", "0.001"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("slow.txt") && stderr.contains("--timeout"),
        "{stderr}"
    );
}

#[test]
fn relative_config_paths_still_apply_ignore_and_overrides() {
    let dir = folder(&[("drafts/d.txt", SEED_004), ("sub/deeper/r.txt", SEED_004)]);
    std::fs::write(
        dir.path().join("gklint.yaml"),
        "ignore: [\"drafts/**\"]\noverrides:\n  - files: [\"sub/deeper/**\"]\n    rules: { section-numbering: off }\n",
    )
    .unwrap();
    let out = gklint()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--config", "gklint.yaml", "."])
        .output()
        .unwrap();
    let json = json_of(&out.stdout);
    let all = json.as_array().unwrap();
    assert!(
        all.iter()
            .all(|f| !f["path"].as_str().unwrap().contains("drafts"))
    );
    assert!(
        !all.iter().any(|f| f["rule"] == "section-numbering"),
        "{json}"
    );
    assert!(!all.is_empty());
}

#[test]
fn a_baseline_matches_however_the_path_is_spelt() {
    let dir = folder(&[("d/r.txt", SEED_001)]);
    let base = dir.path().join("base.json");
    gklint()
        .current_dir(dir.path())
        .args(["check", "--write-baseline"])
        .arg(&base)
        .arg("d/r.txt")
        .assert()
        .code(predicate::ne(2));
    for spelt in ["./d/r.txt", "d/../d/r.txt"] {
        let out = gklint()
            .current_dir(dir.path())
            .args(["check", "--format", "json", "--baseline"])
            .arg(&base)
            .arg(spelt)
            .output()
            .unwrap();
        assert_eq!(json_of(&out.stdout), serde_json::json!([]), "{spelt}");
    }
}

#[test]
fn fix_on_a_web_page_says_it_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("t.html");
    let html = "<html><body><h1>某某局2020年政府信息公开工作年度报告</h1><p>本列数据的钩稽关系</p></body></html>";
    std::fs::write(&page, html).unwrap();
    gklint()
        .args(["check", "--fix"])
        .arg(&page)
        .assert()
        .stderr(predicate::str::contains("不修改"));
    assert_eq!(std::fs::read_to_string(&page).unwrap(), html);
}

#[test]
fn human_output_gives_character_columns_and_cuts_long_lines() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one-line.txt");
    // One scraped 600 KB line with a wrong term in the middle.
    let filler = "本机关依法公开政府信息".repeat(20_000);
    std::fs::write(&file, format!("{filler}钩稽关系{filler}\n")).unwrap();
    let out = gklint().args(["check"]).arg(&file).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.len() < 100_000, "{} bytes of output", text.len());
    let column = filler.chars().count() + 1;
    assert!(
        text.contains(&format!("one-line.txt:1:{column}")),
        "{}",
        &text[..text.len().min(3000)]
    );
}

#[cfg(unix)]
#[test]
fn fix_through_a_symbolic_link_fixes_the_target_and_keeps_the_link() {
    let dir = folder(&[("real.txt", SEED_001)]);
    let link = dir.path().join("link.txt");
    std::os::unix::fs::symlink("real.txt", &link).unwrap();
    gklint()
        .args(["check", "--fix"])
        .arg(&link)
        .assert()
        .code(predicate::ne(2));
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let fixed = std::fs::read_to_string(dir.path().join("real.txt")).unwrap();
    assert!(
        fixed.contains("勾稽关系") && !fixed.contains("钩稽"),
        "not fixed"
    );
}

#[test]
fn english_messages_come_from_message_en() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("pk.yaml"),
        "pack: en-test\nname: t\nversion: \"1\"\ndescription: t\nrules:\n  - id: en-word\n    kind: pattern\n    category: style\n    severity: warning\n    message: 出现了“测试词”\n    message_en: \"found the test word\"\n    help: 删去\n    mode: must-not\n    literals: [测试词]\n    examples:\n      valid: [\"没有\"]\n      invalid: [\"有测试词\"]\n",
    )
    .unwrap();
    let file = dir.path().join("r.txt");
    std::fs::write(&file, "某某局2020年政府信息公开工作年度报告\n测试词\n").unwrap();
    let out = gklint()
        .args(["check", "--lang", "en", "--format", "json", "--pack"])
        .arg(dir.path().join("pk.yaml"))
        .arg(&file)
        .output()
        .unwrap();
    let json = json_of(&out.stdout);
    let f = json
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "en-word")
        .unwrap_or_else(|| panic!("{json} {}", String::from_utf8_lossy(&out.stderr)));
    assert_eq!(f["message"], "found the test word");
}

//! The command line as a user runs it: formats, exit codes, pack errors.

use predicates::prelude::*;

mod support;

use support::gklint;

/// A corpus file's path as a string, for argument lists.
fn corpus(rel: &str) -> String {
    support::corpus(rel).display().to_string()
}

#[test]
fn check_json_lists_findings_with_positions_and_exits_1_on_errors() {
    let out = gklint()
        .args([
            "check",
            "--format",
            "json",
            &corpus("seeds/004_c70ffb9ddb659733.txt"),
        ])
        .assert()
        .code(1);
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON");
    let findings = json.as_array().expect("an array");
    let numbering = findings
        .iter()
        .find(|f| f["rule"] == "section-numbering")
        .expect("the 2、 heading is found");
    assert_eq!(numbering["line"], 27);
    assert_eq!(numbering["column"], 1);
    assert_eq!(numbering["category"], "section");
    assert_eq!(numbering["severity"], "error");
    assert_eq!(numbering["fix"]["edits"][0]["replacement"], "二、");
    for key in ["path", "message", "end_line", "end_column", "help"] {
        assert!(numbering.get(key).is_some(), "{key} missing");
    }
}

#[test]
fn a_clean_report_exits_0_and_human_output_summarises() {
    gklint()
        .args(["check", &corpus("real/014_pingtan-2019.txt")])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("检查了 1 个文件：0 个错误"));
}

#[test]
fn human_output_shows_the_line_and_the_fix() {
    gklint()
        .args(["check", &corpus("seeds/001_2502c89aab11ed1e.txt")])
        .assert()
        .stdout(predicate::str::contains(
            "001_2502c89aab11ed1e.txt:48:7: 警告[term-substitution] 用语“钩稽”应为“勾稽”",
        ))
        .stdout(predicate::str::contains("可自动修复"));
}

#[test]
fn a_missing_file_is_exit_2_with_its_path() {
    gklint()
        .args(["check", "没有这个文件.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("没有这个文件.txt"));
}

#[test]
fn a_broken_pack_is_exit_2_pointing_at_the_yaml() {
    let dir = std::env::temp_dir().join(format!("gklint-bad-pack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pack = dir.join("pack.yaml");
    std::fs::write(&pack, "pack: bad\nrules:\n  - id: r\n    kind: pattern\n    category: style\n    severity: warning\n    message: m\n    help: h\n    pattern: \"(未闭合\"\n").unwrap();
    gklint()
        .args([
            "check",
            "--pack",
            pack.to_str().unwrap(),
            &corpus("seeds/001_2502c89aab11ed1e.txt"),
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pack.yaml:9:"))
        .stderr(predicate::str::contains("正则表达式无法编译"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn every_builtin_rule_and_the_example_pack_pass_their_examples() {
    let example = format!(
        "{}/../rules/examples/province-pack",
        env!("CARGO_MANIFEST_DIR")
    );
    gklint()
        .args(["test-pack", "--builtin", &example])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(" 0 failed"));
}

#[test]
fn test_pack_reports_an_example_that_does_not_fire() {
    let dir = std::env::temp_dir().join(format!("gklint-weak-pack-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pack = dir.join("pack.yaml");
    std::fs::write(
        &pack,
        "pack: weak\nrules:\n  - id: weak-rule\n    kind: pattern\n    category: style\n    severity: warning\n    message: m\n    help: h\n    literals: [甲乙丙]\n    examples:\n      valid: [\"无\"]\n      invalid: [\"也没有\"]\n",
    )
    .unwrap();
    gklint()
        .args(["test-pack", pack.to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "weak-rule（weak）：invalid 示例 1 没有触发规则",
        ));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn rules_and_explain() {
    gklint()
        .args(["rules"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("applications-balance"))
        .stdout(predicate::str::contains("national"));
    // Which format each rule applies to: the national rules live in `national`,
    // which the per-format packs bring along.
    let out = gklint().args(["rules"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let line = |id: &str| {
        text.lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("{id} not listed: {text}"))
            .split_whitespace()
            .collect::<Vec<_>>()
    };
    assert_eq!(
        line("applications-balance")[..3],
        ["applications-balance", "national", "2019,2021"]
    );
    assert_eq!(line("statistics-reviews")[2], "pre-2019");
    assert_eq!(line("template-year")[2], "全部");
    let pack_line = text
        .lines()
        .find(|l| l.trim_start().starts_with("national-2021 "))
        .unwrap();
    assert!(
        pack_line.contains("同时启用 national 的规则"),
        "{pack_line}"
    );
    assert!(pack_line.contains("applications-2021"), "{pack_line}");
    gklint()
        .args(["explain", "applications-balance"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("第一项加第二项之和"))
        .stdout(predicate::str::contains("错误示例"));
    gklint().args(["explain", "no-such-rule"]).assert().code(2);
}

#[test]
fn parse_json_keeps_the_contract_fields() {
    let out = gklint()
        .args([
            "parse",
            "--format",
            "json",
            &corpus("seeds/002_3c9393350f2ebcec.txt"),
        ])
        .assert()
        .code(0);
    let json: serde_json::Value = serde_json::from_slice(&out.get_output().stdout).expect("JSON");
    for key in [
        "title",
        "office",
        "office_kind",
        "year",
        "template",
        "published",
        "sections",
        "tables",
    ] {
        assert!(json.get(key).is_some(), "{key} missing");
    }
    assert_eq!(json["published"], "2020-01-31");
    let t3 = json["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "applications")
        .unwrap();
    let row = &t3["rows"][0];
    for key in ["id", "label", "line", "values"] {
        assert!(row.get(key).is_some(), "row {key} missing");
    }
    assert_eq!(row["values"].as_array().unwrap().len(), 7);
    assert!(
        json["sections"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s.get("number").is_some()
                && s.get("level").is_some()
                && s.get("line").is_some())
    );
}

//! `gklint check` for pipelines: every output format, exit codes, config
//! discovery and overrides, suppressions, baselines, and `--fix` writing files
//! back byte for byte in their own encoding.

mod support;

use predicates::prelude::*;
use support::{SEED_001, SEED_004, corpus, folder, gklint, json_of};

fn rules_in(json: &serde_json::Value) -> Vec<String> {
    json.as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn jsonl_has_one_finding_per_line_like_json() {
    let file = corpus(SEED_004);
    let json = json_of(
        &gklint()
            .args(["check", "--format", "json"])
            .arg(&file)
            .output()
            .unwrap()
            .stdout,
    );
    let out = gklint()
        .args(["check", "--format", "jsonl"])
        .arg(&file)
        .output()
        .unwrap();
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), json.as_array().unwrap().len());
    assert!(!lines.is_empty());
}

#[test]
fn sarif_is_valid_2_1_0_and_lists_every_rule() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/sarif-schema-2.1.0.json"))
            .expect("schema JSON");
    let out = gklint()
        .args(["check", "--format", "sarif"])
        .arg(corpus(SEED_004))
        .arg(corpus(SEED_001))
        .output()
        .unwrap();
    let sarif = json_of(&out.stdout);
    let validator = jsonschema::draft7::new(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(errors.is_empty(), "SARIF invalid:\n{}", errors.join("\n"));
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(
        rules.iter().any(|r| r["id"] == "applications-balance"),
        "rules with no finding are listed too"
    );
    let results = run["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "section-numbering"));
    assert!(results.iter().all(|r| r["partialFingerprints"].is_object()));
}

#[test]
fn github_annotations_and_junit() {
    let out = gklint()
        .args(["check", "--format", "github"])
        .arg(corpus(SEED_004))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().any(|l| l.starts_with("::error file=")
        && l.contains(",line=27,col=1,")
        && l.contains("title=section-numbering::")));
    let out = gklint()
        .args(["check", "--format", "junit"])
        .arg(corpus(SEED_004))
        .output()
        .unwrap();
    let xml = String::from_utf8(out.stdout).unwrap();
    assert!(xml.starts_with("<?xml"));
    assert!(xml.contains("<failure type=\"error\""));
    assert_eq!(xml.matches("<testsuite ").count(), 1);
}

#[test]
fn fail_on_output_file_and_statistics() {
    let dir = tempfile::tempdir().unwrap();
    let out_file = dir.path().join("out.json");
    // A text with one warning only (no year: no national template applies).
    let warn = dir.path().join("w.txt");
    std::fs::write(
        &warn,
        "（本列数据的钩稽关系为：第一项加第二项之和，等于第三项加第四项之和）\n",
    )
    .unwrap();
    gklint()
        .args(["check", "--fail-on", "warning"])
        .arg(&warn)
        .assert()
        .code(1);
    gklint()
        .args(["check", "--fail-on", "info"])
        .arg(&warn)
        .assert()
        .code(1);
    gklint().args(["check"]).arg(&warn).assert().code(0);
    gklint()
        .args(["check", "--fail-on", "never"])
        .arg(corpus(SEED_004))
        .assert()
        .code(0);
    gklint()
        .args(["check", "--format", "json", "--output"])
        .arg(&out_file)
        .arg(corpus(SEED_004))
        .assert()
        .code(1)
        .stdout("");
    assert!(!rules_in(&json_of(&std::fs::read(&out_file).unwrap())).is_empty());
    gklint()
        .args(["check", "--statistics"])
        .arg(corpus(SEED_004))
        .assert()
        .stdout(predicate::str::contains("error     section-numbering"));
}

#[test]
fn config_is_found_upwards_nearest_wins_and_overrides_apply() {
    let dir = folder(&[
        ("a/r.txt", SEED_004),
        ("a/b/r.txt", SEED_004),
        ("a/old/r.txt", SEED_004),
    ]);
    let root = dir.path();
    std::fs::write(
        root.join("a/gklint.yaml"),
        "rules:\n  section-numbering: warning\noverrides:\n  - files: [\"old/**\"]\n    rules:\n      section-numbering: off\n",
    )
    .unwrap();
    std::fs::write(
        root.join("a/b/.gklint.yaml"),
        "rules:\n  section-numbering: info\n",
    )
    .unwrap();
    let out = gklint()
        .args(["check", "--format", "json"])
        .arg(root.join("a"))
        .output()
        .unwrap();
    let json = json_of(&out.stdout);
    let sev = |p: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|f| f["rule"] == "section-numbering" && f["path"].as_str().unwrap().ends_with(p))
            .map(|f| f["severity"].clone())
    };
    assert_eq!(sev("a/r.txt"), Some("warning".into()));
    assert_eq!(
        sev("b/r.txt"),
        Some("info".into()),
        "the nearest config wins"
    );
    assert_eq!(
        sev("old/r.txt"),
        None,
        "a per-path override turns the rule off"
    );
    // --config replaces discovery.
    let cfg = root.join("strict.yaml");
    std::fs::write(
        &cfg,
        "rules:\n  section-numbering: error\nignore: [\"a/old/**\"]\n",
    )
    .unwrap();
    let out = gklint()
        .current_dir(root)
        .args(["check", "--format", "json", "--config"])
        .arg(&cfg)
        .arg("a")
        .output()
        .unwrap();
    let json = json_of(&out.stdout);
    let paths: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "section-numbering")
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths.len(), 2, "{paths:?}");
    assert!(paths.iter().all(|p| !p.contains("old")));
}

#[test]
fn a_bad_config_is_exit_2_naming_it() {
    let dir = folder(&[("r.txt", SEED_004)]);
    std::fs::write(
        dir.path().join("gklint.yaml"),
        "rules:\n  section-numbering: loud\n",
    )
    .unwrap();
    gklint()
        .arg("check")
        .arg(dir.path().join("r.txt"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gklint.yaml"))
        .stderr(predicate::str::contains("loud"));
}

#[test]
fn gitignored_and_hidden_files_are_skipped() {
    let dir = folder(&[
        ("keep.txt", SEED_004),
        ("drafts/skip.txt", SEED_004),
        (".hidden.txt", SEED_004),
    ]);
    std::fs::write(dir.path().join(".gitignore"), "drafts/\n").unwrap();
    let out = gklint()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .unwrap();
    let json = json_of(&out.stdout);
    let mut paths: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), 1, "{paths:?}");
    assert!(paths[0].ends_with("keep.txt"));
}

#[test]
fn markdown_suppressions() {
    let dir = tempfile::tempdir().unwrap();
    let md = dir.path().join("r.md");
    std::fs::write(
        &md,
        "# XX县人民政府2020年政府信息公开工作年度报告\n\n<!-- gklint-disable-next-line term-substitution -->\n钩稽一处。\n\n<!-- gklint-disable term-substitution -->\n钩稽二处。\n\n钩稽三处。\n<!-- gklint-enable -->\n\n钩稽四处。\n",
    )
    .unwrap();
    let out = gklint()
        .args(["check", "--format", "json"])
        .arg(&md)
        .output()
        .unwrap();
    let json = json_of(&out.stdout);
    let lines: Vec<u64> = json
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "term-substitution")
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![12]);
}

#[test]
fn baseline_round_trip_reports_only_new_findings_and_stale_entries() {
    let dir = folder(&[("r.txt", SEED_001)]);
    let report = dir.path().join("r.txt");
    let base = dir.path().join("baseline.json");
    gklint()
        .current_dir(dir.path())
        .args(["check", "--write-baseline"])
        .arg(&base)
        .arg("r.txt")
        .assert()
        .stderr(predicate::str::contains("写入基线"));
    gklint()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--baseline"])
        .arg(&base)
        .arg("r.txt")
        .assert()
        .code(0)
        .stdout("[]\n");
    // Edits elsewhere shift every line; the old 钩稽 is fixed; a new one appears at the end.
    let text = std::fs::read_to_string(&report).unwrap();
    let text = format!(
        "新增的一行。\n\n{}\n附：本表钩稽关系已核对。\n",
        text.replace("钩稽", "勾稽")
    );
    std::fs::write(&report, text).unwrap();
    let out = gklint()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--baseline"])
        .arg(&base)
        .arg("r.txt")
        .output()
        .unwrap();
    let json = json_of(&out.stdout);
    let found: Vec<(String, u64)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_owned(),
                f["line"].as_u64().unwrap(),
            )
        })
        .collect();
    let last_line = std::fs::read_to_string(&report).unwrap().lines().count() as u64;
    assert_eq!(
        found,
        vec![("term-substitution".to_owned(), last_line)],
        "only the new finding"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("已不再出现") && stderr.contains("term-substitution"),
        "{stderr}"
    );
}

fn encode(text: &str, enc: &str) -> Vec<u8> {
    match enc {
        "utf-8" => text.as_bytes().to_vec(),
        "utf-8-bom" => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        "gb18030" => encoding_rs::GB18030.encode(text).0.into_owned(),
        "utf-16le" => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        "utf-16be" => [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
        _ => unreachable!(),
    }
}

#[test]
fn fix_writes_back_byte_exact_in_every_encoding_and_line_ending() {
    let original = std::fs::read_to_string(corpus(SEED_001)).unwrap();
    // Only the term substitutions: keep the test about encodings, not about every rule.
    let cfg = "rules:\n  doc-number-spaces: off\n  punctuation-book-title-nesting: off\n  punctuation-half-width: off\n";
    for enc in ["utf-8", "utf-8-bom", "gb18030", "utf-16le", "utf-16be"] {
        for eol in ["\n", "\r\n"] {
            let text = original.replace("\r\n", "\n").replace('\n', eol);
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("gklint.yaml"), cfg).unwrap();
            let file = dir.path().join("r.txt");
            std::fs::write(&file, encode(&text, enc)).unwrap();
            gklint()
                .arg("check")
                .arg("--fix")
                .arg(&file)
                .assert()
                .code(0);
            let fixed = text.replace("钩稽", "勾稽").replace(
                "国务院办公厅政府信息公开办公室",
                "国务院办公厅政府信息与政务公开办公室",
            );
            let want = encode(&fixed, enc);
            let got = std::fs::read(&file).unwrap();
            assert!(
                got == want,
                "{enc} {eol:?}: the file differs beyond the fix"
            );
        }
    }
}

#[test]
fn diff_writes_nothing_and_a_read_only_file_is_left_alone() {
    let dir = folder(&[("r.txt", SEED_001)]);
    let file = dir.path().join("r.txt");
    let before = std::fs::read(&file).unwrap();
    gklint()
        .args(["check", "--diff"])
        .arg(&file)
        .assert()
        .stdout(predicate::str::contains("-(本列数据的钩稽关系为"))
        .stdout(predicate::str::contains("+(本列数据的勾稽关系为"));
    assert_eq!(std::fs::read(&file).unwrap(), before);
    let mut perm = std::fs::metadata(&file).unwrap().permissions();
    perm.set_readonly(true);
    std::fs::set_permissions(&file, perm).unwrap();
    gklint()
        .args(["check", "--fix"])
        .arg(&file)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("只读"));
    assert_eq!(std::fs::read(&file).unwrap(), before);
}

#[test]
fn stdin_init_and_english() {
    let text = std::fs::read(corpus(SEED_004)).unwrap();
    let out = gklint()
        .args(["check", "--format", "json", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    assert!(rules_in(&json_of(&out.stdout)).contains(&"section-numbering".to_owned()));
    let dir = tempfile::tempdir().unwrap();
    gklint()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(0);
    assert!(
        std::fs::read_to_string(dir.path().join("gklint.yaml"))
            .unwrap()
            .contains("rules:")
    );
    gklint()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(2);
    gklint()
        .args(["check", "--lang", "en"])
        .arg(corpus(SEED_004))
        .assert()
        .stdout(predicate::str::contains("Checked 1 files"));
}

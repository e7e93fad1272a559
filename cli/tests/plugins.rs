//! Native plugins end to end: the example plugin and the misbehaving test
//! plugins (tests/plugins/) are built with cargo into this test's own target
//! directory, then loaded with `--plugin`, through a config plus the trust
//! file, and by `gklint lsp` (a real process over stdio) from a config.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;
use std::sync::OnceLock;

use assert_cmd::Command;
use predicates::prelude::*;
use support::lsp_stdio::{Server, file_uri};

const EXAMPLE: &str = "plugin_example";
const WRONG_ABI: &str = "gklint_test_plugin_wrong_abi";
const RAW: &str = "gklint_test_plugin_raw";
const PANICKING: &str = "gklint_test_plugin_panicking";

/// Builds the plugin libraries once per test binary (same target directory
/// and profile as this test) and returns the folder they are in.
fn built() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let exe = std::env::current_exe().expect("test path");
        // target/<profile>/deps/plugins-…
        let profile_dir = exe
            .parent()
            .and_then(Path::parent)
            .expect("target/<profile>")
            .to_path_buf();
        let target = profile_dir.parent().expect("target dir");
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut cmd = StdCommand::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.arg("build")
            .arg("--quiet")
            .arg("--manifest-path")
            .arg(workspace.join("Cargo.toml"))
            .arg("--target-dir")
            .arg(target);
        for p in [
            "plugin-example",
            "gklint-test-plugin-wrong-abi",
            "gklint-test-plugin-raw",
            "gklint-test-plugin-panicking",
        ] {
            cmd.args(["-p", p]);
        }
        match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => {}
            Some("release") => {
                cmd.arg("--release");
            }
            Some(other) => {
                cmd.args(["--profile", other]);
            }
        }
        let status = cmd.status().expect("cargo runs");
        assert!(status.success(), "building the plugins failed");
        profile_dir
    })
}

fn lib(name: &str) -> PathBuf {
    let p = built().join(format!(
        "{}{name}{}",
        std::env::consts::DLL_PREFIX,
        std::env::consts::DLL_SUFFIX
    ));
    assert!(p.is_file(), "{} was not built", p.display());
    p
}

fn corpus(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/corpus")
        .join(rel)
}

/// A report whose 政府集中采购 amount (1647000, no unit, one project) the example plugin flags.
fn report() -> PathBuf {
    corpus("seeds/004_c70ffb9ddb659733.txt")
}

fn gklint() -> Command {
    let mut c = Command::cargo_bin("gklint").expect("binary built");
    // Never read or write the real user's trust file.
    c.env(
        "GKLINT_TRUST_FILE",
        std::env::temp_dir().join("gklint-plugins-test-no-such-trust-file.json"),
    );
    c
}

fn findings(out: &[u8]) -> Vec<serde_json::Value> {
    serde_json::from_slice::<serde_json::Value>(out)
        .expect("JSON")
        .as_array()
        .expect("array")
        .clone()
}

fn by_rule<'a>(f: &'a [serde_json::Value], rule: &str) -> Vec<&'a serde_json::Value> {
    f.iter().filter(|d| d["rule"] == rule).collect()
}

#[test]
fn a_plugin_named_on_the_command_line_reports_its_findings() {
    let out = gklint()
        .args(["check", "--format", "json", "--plugin"])
        .arg(lib(EXAMPLE))
        .arg(report())
        .assert()
        .code(1);
    let f = findings(&out.get_output().stdout);
    let p = by_rule(&f, "example-procurement-amount-unit");
    assert_eq!(p.len(), 1, "{f:#?}");
    assert_eq!(p[0]["line"], 100);
    assert_eq!(p[0]["column"], 2);
    assert_eq!(p[0]["category"], "table");
    assert_eq!(p[0]["severity"], "warning");
    let m = p[0]["message"].as_str().unwrap();
    assert!(
        m.contains("1647000") && m.contains("164.70 亿元") && m.contains("以元填写"),
        "{m}"
    );
    // The built-in rules ran as well.
    assert!(
        f.iter()
            .any(|d| d["rule"] != "example-procurement-amount-unit")
    );
}

#[test]
fn rules_explain_and_test_pack_show_the_plugin_rules() {
    gklint()
        .arg("rules")
        .arg("--plugin")
        .arg(lib(EXAMPLE))
        .assert()
        .success()
        .stdout(
            predicate::str::is_match(
                r"example-procurement-amount-unit\s+plugin-example\s+全部\s+table\s+warning",
            )
            .unwrap(),
        )
        .stdout(predicate::str::contains(
            "example-disputes-exceed-applications",
        ))
        .stdout(predicate::str::contains("applications-balance"));
    gklint()
        .args([
            "explain",
            "example-disputes-exceed-applications",
            "--plugin",
        ])
        .arg(lib(EXAMPLE))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "规则包 plugin-example；类型 plugin",
        ))
        .stdout(predicate::str::contains("同时读表三"))
        .stdout(predicate::str::contains("错误示例（应当报告）"));
    gklint()
        .args(["test-pack", "--plugin"])
        .arg(lib(EXAMPLE))
        .assert()
        .success()
        .stdout(predicate::str::contains("2 passed, 0 failed"));
}

/// A project folder: the report, a plugin copied into it, and a config listing it.
fn project() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("插件");
    std::fs::create_dir_all(&plugins).unwrap();
    let name = lib(EXAMPLE).file_name().unwrap().to_owned();
    let copy = plugins.join(&name);
    std::fs::copy(lib(EXAMPLE), &copy).unwrap();
    std::fs::write(
        dir.path().join("gklint.yaml"),
        format!("plugins: [\"插件/{}\"]\n", name.to_str().unwrap()),
    )
    .unwrap();
    let report = dir.path().join("报告.txt");
    std::fs::copy(self::report(), &report).unwrap();
    (dir, copy, report)
}

#[test]
fn a_config_loads_a_plugin_only_once_the_user_trusts_it() {
    let (dir, plugin, report) = project();
    let home = tempfile::tempdir().unwrap();
    let trust = home.path().join("gklint").join("trusted-plugins.json");
    let run = || {
        let mut c = gklint();
        c.env("GKLINT_TRUST_FILE", &trust)
            .args(["check", "--format", "json"])
            .arg(&report);
        c
    };
    // Untrusted: refused with the way to trust it; the rest of the run goes on.
    let out = run()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("未被信任"))
        .stderr(predicate::str::contains("gklint plugin trust"))
        .stderr(
            predicate::str::contains("libplugin_example")
                .or(predicate::str::contains("plugin_example")),
        );
    let f = findings(&out.get_output().stdout);
    assert!(by_rule(&f, "example-procurement-amount-unit").is_empty());
    assert!(!f.is_empty(), "built-in rules still ran");
    assert!(!trust.exists(), "a refusal writes nothing");

    gklint()
        .env("GKLINT_TRUST_FILE", &trust)
        .args(["plugin", "trust"])
        .arg(&plugin)
        .assert()
        .success()
        .stdout(predicate::str::contains("已信任插件"));
    let saved = std::fs::read_to_string(&trust).unwrap();
    assert!(saved.contains("sha256"), "{saved}");

    let out = run().assert().code(1);
    let f = findings(&out.get_output().stdout);
    assert_eq!(by_rule(&f, "example-procurement-amount-unit").len(), 1);

    // A changed file is a different plugin: trusted no longer.
    let mut bytes = std::fs::read(&plugin).unwrap();
    bytes.extend_from_slice(b"tampered");
    std::fs::write(&plugin, bytes).unwrap();
    run()
        .assert()
        .code(2)
        .stderr(predicate::str::contains("未被信任"));
    drop(dir);
}

/// Trusts a plugin file as the user does, in the trust file `trust`.
fn trust_plugin(trust: &Path, plugin: &Path) {
    gklint()
        .env("GKLINT_TRUST_FILE", trust)
        .args(["plugin", "trust"])
        .arg(plugin)
        .assert()
        .success();
}

fn has_rule(diagnostics: &[serde_json::Value], rule: &str) -> bool {
    diagnostics.iter().any(|d| d["code"] == rule)
}

#[test]
fn the_language_server_publishes_the_findings_of_a_trusted_config_plugin() {
    let (dir, plugin, report) = project();
    let home = tempfile::tempdir().unwrap();
    let trust = home.path().join("trusted-plugins.json");
    trust_plugin(&trust, &plugin);

    let mut server = Server::start(
        Path::new(env!("CARGO_BIN_EXE_gklint")),
        &[("GKLINT_TRUST_FILE", &trust)],
        dir.path(),
        serde_json::json!({ "debounceMs": 0 }),
    );
    let uri = file_uri(&report);
    server.open(&uri, &std::fs::read_to_string(&report).unwrap());
    let published = server.diagnostics(&uri, |d| has_rule(d, "example-procurement-amount-unit"));
    let found: Vec<_> = published
        .iter()
        .filter(|d| d["code"] == "example-procurement-amount-unit")
        .collect();
    assert_eq!(found.len(), 1, "{published:#?}");
    // Line 100, column 2 in `gklint check`'s 1-based terms.
    assert_eq!(found[0]["range"]["start"]["line"], 99);
    assert_eq!(found[0]["range"]["start"]["character"], 1);
    assert_eq!(found[0]["severity"], 2, "a warning");
    let m = found[0]["message"].as_str().unwrap();
    assert!(m.contains("1647000") && m.contains("164.70 亿元"), "{m}");
    assert!(published.len() > 1, "the built-in rules ran as well");
    assert!(
        !server
            .seen
            .iter()
            .any(|n| n["method"] == "window/showMessage"),
        "{:#?}",
        server.seen
    );
    server.shutdown();
}

#[test]
fn the_language_server_refuses_an_untrusted_config_plugin_and_loads_it_once_trusted() {
    let (dir, plugin, report) = project();
    let home = tempfile::tempdir().unwrap();
    let trust = home.path().join("gklint").join("trusted-plugins.json");
    let mut server = Server::start(
        Path::new(env!("CARGO_BIN_EXE_gklint")),
        &[("GKLINT_TRUST_FILE", &trust)],
        dir.path(),
        serde_json::json!({ "debounceMs": 0 }),
    );
    let uri = file_uri(&report);
    let text = std::fs::read_to_string(&report).unwrap();
    server.open(&uri, &text);

    // Refused, saying how to trust it: a message, and an error where the config lists it.
    let shown = server.wait_for("window/showMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("未被信任"))
    });
    let m = shown["message"].as_str().unwrap();
    assert!(m.contains("gklint plugin trust"), "{m}");
    assert!(m.contains(plugin.to_str().unwrap()), "{m}");
    assert!(
        m.contains(trust.to_str().unwrap()),
        "names the trust file: {m}"
    );
    let config = file_uri(&dir.path().join("gklint.yaml"));
    let on_config = server.diagnostics(&config, |d| !d.is_empty());
    assert_eq!(on_config.len(), 1, "{on_config:#?}");
    assert_eq!(on_config[0]["code"], "plugin");
    assert_eq!(on_config[0]["range"]["start"]["line"], 0);
    assert!(
        on_config[0]["message"]
            .as_str()
            .unwrap()
            .contains("gklint plugin trust"),
        "{on_config:#?}"
    );
    // The report is still linted, by the built-in rules.
    let published = server.diagnostics(&uri, |d| !d.is_empty());
    assert!(!has_rule(&published, "example-procurement-amount-unit"));
    assert!(!trust.exists(), "a refusal writes nothing");

    // Trusted from a terminal while the editor runs: the next edit uses it,
    // and the error on the config goes away. No restart.
    trust_plugin(&trust, &plugin);
    server.notify(
        "textDocument/didChange",
        serde_json::json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "text": text }],
        }),
    );
    let published = server.diagnostics(&uri, |d| has_rule(d, "example-procurement-amount-unit"));
    assert_eq!(
        published
            .iter()
            .filter(|d| d["code"] == "example-procurement-amount-unit")
            .count(),
        1
    );
    server.diagnostics(&config, <[serde_json::Value]>::is_empty);
    server.shutdown();
}

#[test]
fn the_language_server_treats_plugins_in_its_settings_like_config_ones() {
    // Settings can come from the project (.vscode/settings.json): trust is required.
    let (dir, plugin, report) = project();
    std::fs::write(dir.path().join("gklint.yaml"), "rules: {}\n").unwrap();
    let home = tempfile::tempdir().unwrap();
    let trust = home.path().join("trusted-plugins.json");
    let relative = plugin.strip_prefix(dir.path()).unwrap().to_str().unwrap();
    let start = || {
        Server::start(
            Path::new(env!("CARGO_BIN_EXE_gklint")),
            &[("GKLINT_TRUST_FILE", &trust)],
            dir.path(),
            serde_json::json!({ "debounceMs": 0, "plugins": [relative] }),
        )
    };
    let uri = file_uri(&report);
    let text = std::fs::read_to_string(&report).unwrap();

    let mut server = start();
    server.open(&uri, &text);
    let shown = server.wait_for("window/showMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("未被信任"))
    });
    let m = shown["message"].as_str().unwrap();
    assert!(
        m.starts_with("编辑器设置 gklint.plugins 列出的插件") && m.contains("gklint plugin trust"),
        "{m}"
    );
    let published = server.diagnostics(&uri, |d| !d.is_empty());
    assert!(!has_rule(&published, "example-procurement-amount-unit"));
    server.shutdown();

    trust_plugin(&trust, &plugin);
    let mut server = start();
    server.open(&uri, &text);
    server.diagnostics(&uri, |d| has_rule(d, "example-procurement-amount-unit"));
    server.shutdown();
}

#[test]
fn the_language_server_refuses_a_listed_folder_or_device_at_once_and_keeps_linting() {
    let (dir, _, report) = project();
    let mut listed = vec!["插件".to_owned()];
    if cfg!(unix) {
        listed.push("/dev/zero".to_owned());
    }
    std::fs::write(
        dir.path().join("gklint.yaml"),
        format!("plugins: {}\n", serde_json::to_string(&listed).unwrap()),
    )
    .unwrap();
    let home = tempfile::tempdir().unwrap();
    let trust = home.path().join("trusted-plugins.json");
    let mut server = Server::start(
        Path::new(env!("CARGO_BIN_EXE_gklint")),
        &[("GKLINT_TRUST_FILE", &trust)],
        dir.path(),
        serde_json::json!({ "debounceMs": 0 }),
    );
    let uri = file_uri(&report);
    server.open(&uri, &std::fs::read_to_string(&report).unwrap());
    let config = file_uri(&dir.path().join("gklint.yaml"));
    let on_config = server.diagnostics(&config, |d| d.len() == listed.len());
    assert!(
        on_config[0]["message"]
            .as_str()
            .unwrap()
            .contains("这是一个目录，不是插件库文件"),
        "{on_config:#?}"
    );
    if cfg!(unix) {
        let m = on_config[1]["message"].as_str().unwrap();
        assert!(m.contains("/dev/zero") && m.contains("不是普通文件"), "{m}");
    }
    let published = server.diagnostics(&uri, |d| !d.is_empty());
    assert!(published.len() > 1, "the built-in rules still ran");
    server.shutdown();
}

#[test]
fn rules_and_explain_show_the_nearest_configs_plugins_once_trusted() {
    let (dir, plugin, _) = project();
    let home = tempfile::tempdir().unwrap();
    let trust = home.path().join("trusted-plugins.json");
    let sub = dir.path().join("年报");
    std::fs::create_dir_all(&sub).unwrap();
    let in_project = |args: &[&str]| {
        let mut c = gklint();
        c.env("GKLINT_TRUST_FILE", &trust)
            .current_dir(&sub)
            .args(args);
        c
    };
    // Untrusted: a note saying how to trust it; the listing itself succeeds.
    in_project(&["rules"])
        .assert()
        .success()
        .stdout(predicate::str::contains("applications-balance"))
        .stdout(predicate::str::contains("example-procurement-amount-unit").not())
        .stderr(predicate::str::contains("注意"))
        .stderr(predicate::str::contains("未被信任"))
        .stderr(predicate::str::contains("gklint plugin trust"));
    in_project(&["explain", "example-disputes-exceed-applications"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("gklint plugin trust"))
        .stderr(predicate::str::contains("没有规则"));

    trust_plugin(&trust, &plugin);
    in_project(&["rules"])
        .assert()
        .success()
        .stdout(
            predicate::str::is_match(
                r"example-procurement-amount-unit\s+plugin-example\s+全部\s+table\s+warning",
            )
            .unwrap(),
        )
        .stderr(predicate::str::is_empty());
    in_project(&["explain", "example-disputes-exceed-applications"])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "规则包 plugin-example；类型 plugin",
        ));
}

#[test]
fn a_pack_named_on_the_command_line_and_in_the_config_is_loaded_once() {
    let dir = tempfile::tempdir().unwrap();
    let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/examples/province-pack");
    let pack = dir.path().join("pk");
    std::fs::create_dir_all(&pack).unwrap();
    for f in ["pack.yaml", "rules.yaml"] {
        std::fs::copy(example.join(f), pack.join(f)).unwrap();
    }
    std::fs::write(dir.path().join("gklint.yaml"), "packs: [./pk]\n").unwrap();
    // A report whose part six does not mention 信息处理费, as the pack requires.
    let report = dir.path().join("report.txt");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../lsp/tests/fixtures/report.txt"),
        &report,
    )
    .unwrap();
    let out = gklint()
        .current_dir(dir.path())
        .args(["check", "--format", "json", "--pack", "pk/", "report.txt"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("重复加载").not());
    let f = findings(&out.get_output().stdout);
    assert!(
        !by_rule(&f, "example-province-fee-statement").is_empty(),
        "{f:#?}"
    );
}

#[test]
fn a_plugin_of_another_abi_version_is_refused_and_the_run_goes_on() {
    let out = gklint()
        .args(["check", "--format", "json", "--plugin"])
        .arg(lib(WRONG_ABI))
        .arg("--plugin")
        .arg(lib(EXAMPLE))
        .arg(report())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("接口版本是 2"))
        .stderr(predicate::str::contains("只支持接口版本 1"));
    let f = findings(&out.get_output().stdout);
    assert_eq!(by_rule(&f, "example-procurement-amount-unit").len(), 1);
    gklint()
        .arg("rules")
        .arg("--plugin")
        .arg(lib(WRONG_ABI))
        .assert()
        .code(2)
        .stdout(predicate::str::contains("applications-balance"))
        .stderr(predicate::str::contains("接口版本是 2"));
}

#[test]
fn a_panicking_plugin_gives_one_parse_finding_and_the_run_goes_on() {
    let out = gklint()
        .args(["check", "--format", "json", "--plugin"])
        .arg(lib(PANICKING))
        .arg(report())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("panicked").not());
    let f = findings(&out.get_output().stdout);
    let p = by_rule(&f, "panicking-test-explode");
    assert_eq!(p.len(), 1, "{f:#?}");
    assert_eq!(p[0]["category"], "parse");
    assert_eq!(p[0]["severity"], "error");
    let m = p[0]["message"].as_str().unwrap();
    assert!(
        m.contains("panicking-test") && m.contains("panic") && m.contains("索引越界"),
        "{m}"
    );
    // Its other rule and the built-in rules still report.
    assert_eq!(by_rule(&f, "panicking-test-title").len(), 1);
    assert!(f.iter().any(|d| d["rule"] == "section-numbering"));
}

#[test]
fn invalid_json_out_of_range_and_null_results_are_clear_errors() {
    let run = |mode: &str| {
        let out = gklint()
            .env("GKLINT_TEST_PLUGIN_MODE", mode)
            .args(["check", "--format", "json", "--plugin"])
            .arg(lib(RAW))
            .arg(report())
            .assert()
            .code(1);
        let f = findings(&out.get_output().stdout);
        assert!(f.iter().any(|d| d["rule"] == "section-numbering"));
        by_rule(&f, "raw-test-rule")
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()
    };
    // A plugin written against the bare C ABI, without the SDK, works.
    let ok = run("ok");
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0]["message"], "raw plugin finding 1");
    assert_eq!(ok[0]["line"], 1);

    for (mode, says) in [
        ("invalid-json", "不是有效的问题列表 JSON"),
        ("bounds", "超出原文"),
        ("null", "空指针"),
    ] {
        let f = run(mode);
        assert_eq!(f.len(), 1, "{mode}: {f:#?}");
        assert_eq!(f[0]["category"], "parse");
        let m = f[0]["message"].as_str().unwrap();
        assert!(m.contains("raw-test") && m.contains(says), "{mode}: {m}");
    }
}

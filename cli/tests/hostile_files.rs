//! Files that a configuration, the command line or the cache folder names
//! are untrusted: a FIFO, a device, a huge sparse file, a secret, a config
//! raising the limits, a forged cache entry. Each run must end at once with
//! an error naming the file (in Chinese), never hang, never read without
//! bound, never echo a file that is not its input, and leave every file's
//! bytes as they must be.
#![cfg(unix)]

#[path = "support/bounded.rs"]
mod bounded;
mod support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use bounded::{Opts, Run, mkfifo, run};

/// Every run here is refused or done in well under this (debug build).
const QUICK: Duration = Duration::from_secs(20);

const MARKER: &str = "FAKE-SECRET-MARKER-7f3a";

fn seed() -> Vec<u8> {
    std::fs::read(support::corpus(support::SEED_001)).unwrap()
}

/// A repository folder: `r.txt` (a real report) and a `gklint.yaml`.
fn repo(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("r.txt"), seed()).unwrap();
    std::fs::write(dir.path().join("gklint.yaml"), config).unwrap();
    dir
}

fn check(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["check", "--no-cache", "--format", "json"];
    args.extend_from_slice(extra);
    args.push("r.txt");
    run(dir, &args, QUICK, &Opts::default())
}

fn assert_refused(r: &Run, names: &[&str], why: &str) {
    assert_eq!(r.code, 2, "exit code; stderr: {}", r.err);
    for n in names {
        assert!(r.err.contains(n), "stderr names {n}: {}", r.err);
    }
    assert!(r.err.contains(why), "stderr says {why}: {}", r.err);
    assert!(r.took < QUICK, "took {:?}", r.took);
}

fn assert_unchanged(dir: &Path) {
    assert_eq!(std::fs::read(dir.join("r.txt")).unwrap(), seed(), "r.txt");
}

#[test]
fn pack_fifo_is_refused_without_blocking() {
    let d = repo("packs: [\"./p.yaml\"]\n");
    mkfifo(&d.path().join("p.yaml"));
    let r = check(d.path(), &[]);
    assert_refused(&r, &["p.yaml"], "命名管道");
    assert_unchanged(d.path());
}

#[test]
fn pack_devzero_is_refused_unread() {
    let d = repo("packs: [\"./p.yaml\"]\n");
    std::os::unix::fs::symlink("/dev/zero", d.path().join("p.yaml")).unwrap();
    let r = check(d.path(), &[]);
    assert_refused(&r, &["p.yaml"], "设备");
    // Also on the command line, and as a folder entry (skipped, named).
    let r = check(d.path(), &["--pack", "/dev/zero"]);
    assert_refused(&r, &["/dev/zero"], "设备");
}

#[test]
fn pack_secret_file_is_never_echoed() {
    let d = tempfile::tempdir().unwrap();
    let key = d.path().join("id_ed25519");
    let mut text = String::from("-----BEGIN OPENSSH PRIVATE KEY-----\n");
    for i in 0..6 {
        text += &format!("b3BlbnNzaC1rZXktdjEAAAAA{MARKER}{i}AAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtz\n");
    }
    text += "-----END OPENSSH PRIVATE KEY-----\n";
    std::fs::write(&key, &text).unwrap();
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o600)).unwrap();
    let repo = repo(&format!("packs: [\"{}\"]\n", key.display()));
    for format in ["human", "json"] {
        let r = run(
            repo.path(),
            &["check", "--no-cache", "--format", format, "r.txt"],
            QUICK,
            &Opts::default(),
        );
        assert_refused(&r, &["id_ed25519"], "不是 YAML 规则包");
        assert!(
            !r.err.contains(MARKER) && !r.out.contains(MARKER),
            "{}",
            r.err
        );
        assert!(!r.err.contains("BEGIN OPENSSH"), "{}", r.err);
    }
    // A file that is all one YAML scalar (the lines folded into one string).
    std::fs::write(&key, text.replace("-----", "xx")).unwrap();
    let r = check(repo.path(), &[]);
    assert_refused(&r, &["id_ed25519"], "不是 YAML 规则包");
    assert!(!r.err.contains(MARKER), "{}", r.err);
    // Not UTF-8 at all: no excerpt either.
    std::fs::write(
        &key,
        [b"pack: x\n".as_slice(), &[0xff, 0xfe], MARKER.as_bytes()].concat(),
    )
    .unwrap();
    let r = check(repo.path(), &[]);
    assert_refused(&r, &["id_ed25519"], "不是 UTF-8 文本");
    assert!(!r.err.contains(MARKER), "{}", r.err);
    assert_unchanged(repo.path());
}

#[test]
fn a_pack_error_quotes_one_line_cut_short() {
    // YAML-shaped, each line a secret: the error at line 3 (an unknown
    // key) may show that line cut to 120 characters, and no other.
    let long = "秘".repeat(300);
    let repo = repo("");
    std::fs::write(
        repo.path().join("p.yaml"),
        format!("pack: p\nname: {MARKER}-line2\n{MARKER}-line3{long}: 1\nx: {MARKER}-line4\n"),
    )
    .unwrap();
    let r = check(repo.path(), &["--pack", "p.yaml"]);
    assert_refused(&r, &["p.yaml:3:"], "此处");
    assert!(
        !r.err.contains("-line2") && !r.err.contains("-line4"),
        "{}",
        r.err
    );
    // The message and the excerpt each quote a little of the key, no more.
    assert!(!r.err.contains(&"秘".repeat(121)), "{}", r.err);
    let longest = r.err.lines().map(|l| l.chars().count()).max().unwrap_or(0);
    assert!(longest < 400, "a line of {longest} characters: {}", r.err);
}

#[test]
fn a_pack_folder_skips_what_is_not_a_regular_file() {
    let d = repo("packs: [\"./packs\"]\n");
    let packs = d.path().join("packs");
    std::fs::create_dir(&packs).unwrap();
    mkfifo(&packs.join("a-fifo.yaml"));
    std::os::unix::fs::symlink("/dev/zero", packs.join("b-zero.yaml")).unwrap();
    std::fs::write(
        packs.join("c.yaml"),
        "pack: local\nname: 本地\nversion: \"1\"\ndescription: d\nrules: []\n",
    )
    .unwrap();
    let r = check(d.path(), &[]);
    assert!(
        r.err.contains("a-fifo.yaml") && r.err.contains("命名管道"),
        "{}",
        r.err
    );
    assert!(
        r.err.contains("b-zero.yaml") && r.err.contains("设备"),
        "{}",
        r.err
    );
    assert!(matches!(r.code, 0 | 1), "{}", r.err);
    assert!(
        r.out.contains("\"path\": \"r.txt\""),
        "r.txt checked: {}",
        r.out
    );
}

#[test]
fn a_two_gigabyte_sparse_config_is_refused_unread() {
    let d = repo("");
    let cfg = d.path().join("gklint.yaml");
    // Sparse: takes no disk space.
    std::fs::File::create(&cfg)
        .unwrap()
        .set_len(2 << 30)
        .unwrap();
    let r = check(d.path(), &[]);
    assert_refused(&r, &["gklint.yaml"], "超过上限 16.0 MB");
    assert_eq!(std::fs::metadata(&cfg).unwrap().len(), 2 << 30);
    assert_unchanged(d.path());
}

#[test]
fn a_config_cannot_raise_the_limits_past_the_ceiling() {
    let d = repo("limits:\n  max_file_size: 1GB\n  timeout: 100000\n");
    // 201 MiB of nothing (sparse): over the 200 MB ceiling, under 1 GB.
    let big = d.path().join("big.txt");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(201 << 20)
        .unwrap();
    let r = run(
        d.path(),
        &[
            "check",
            "--no-cache",
            "--format",
            "json",
            "big.txt",
            "r.txt",
        ],
        QUICK,
        &Opts::default(),
    );
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(
        r.err
            .contains("gklint.yaml:2 的 limits.max_file_size 超过配置允许的上限 200.0 MB"),
        "{}",
        r.err
    );
    assert!(
        r.err
            .contains("gklint.yaml:3 的 limits.timeout 超过配置允许的上限 120 秒"),
        "{}",
        r.err
    );
    assert!(r.err.contains("--max-file-size"), "{}", r.err);
    assert!(
        r.err
            .contains("big.txt 大小为 201.0 MB，超过单个文件的上限 200.0 MB"),
        "{}",
        r.err
    );
    assert!(
        r.out.contains("\"path\": \"r.txt\""),
        "r.txt checked: {}",
        r.out
    );
    // Lowering stays the config's to do.
    std::fs::write(
        d.path().join("gklint.yaml"),
        "limits:\n  max_file_size: 1KB\n",
    )
    .unwrap();
    let r = check(d.path(), &[]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.err.contains("超过单个文件的上限 1.0 KB"), "{}", r.err);
    assert!(!r.err.contains("警告"), "{}", r.err);
    assert_unchanged(d.path());
}

#[test]
fn a_config_fifo_is_refused_and_the_rest_is_checked() {
    let d = tempfile::tempdir().unwrap();
    for sub in ["a", "b"] {
        std::fs::create_dir(d.path().join(sub)).unwrap();
        std::fs::write(d.path().join(sub).join("r.txt"), seed()).unwrap();
    }
    mkfifo(&d.path().join("a/gklint.yaml"));
    let r = run(
        d.path(),
        &["check", "--no-cache", "--format", "json", "a", "b"],
        QUICK,
        &Opts::default(),
    );
    assert_refused(&r, &["a/gklint.yaml"], "命名管道");
    assert!(
        r.out.contains("\"path\": \"b/r.txt\""),
        "b/r.txt checked: {}",
        r.out
    );
    assert!(!r.out.contains("\"path\": \"a/r.txt\""), "{}", r.out);
    // Named with --config.
    let r = run(
        d.path(),
        &[
            "check",
            "--no-cache",
            "--config",
            "a/gklint.yaml",
            "b/r.txt",
        ],
        QUICK,
        &Opts::default(),
    );
    assert_refused(&r, &["a/gklint.yaml"], "命名管道");
}

#[test]
fn a_baseline_fifo_is_refused_without_blocking() {
    let d = repo("");
    std::fs::remove_file(d.path().join("gklint.yaml")).unwrap();
    mkfifo(&d.path().join("base.json"));
    let r = check(d.path(), &["--baseline", "base.json"]);
    assert_refused(&r, &["base.json"], "命名管道");
    assert_unchanged(d.path());
}

#[test]
fn a_report_that_is_a_device_is_refused_unread() {
    let d = repo("");
    std::fs::remove_file(d.path().join("gklint.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.path().join("z.txt")).unwrap();
    mkfifo(&d.path().join("f.txt"));
    let r = run(
        d.path(),
        &[
            "check",
            "--no-cache",
            "--format",
            "json",
            "z.txt",
            "f.txt",
            "r.txt",
        ],
        QUICK,
        &Opts::default(),
    );
    assert_refused(&r, &["z.txt", "f.txt"], "不是普通文件");
    assert!(r.out.contains("\"path\": \"r.txt\""), "{}", r.out);
}

// The result cache.

/// The one entry file under a cache root.
fn entry_of(cache: &Path) -> PathBuf {
    let mut found = Vec::new();
    let mut stack = vec![cache.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().unwrap() != "CACHEDIR.TAG" {
                found.push(p);
            }
        }
    }
    assert_eq!(found.len(), 1, "{found:?}");
    found.pop().unwrap()
}

/// A folder with r.txt and a cache primed with its entry, and the output of
/// a fresh lint in `format`.
fn primed(format: &str) -> (tempfile::TempDir, PathBuf, String) {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("r.txt"), seed()).unwrap();
    let cache = d.path().join("cache");
    let c = cache.to_str().unwrap();
    let first = run(
        d.path(),
        &["check", "--cache-dir", c, "--format", format, "r.txt"],
        QUICK,
        &Opts::default(),
    );
    assert_eq!(first.code, 1, "{}", first.err);
    let entry = entry_of(&cache);
    (d, entry, first.out)
}

fn rewrite(entry: &Path, change: &dyn Fn(&mut serde_json::Value)) {
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(entry).unwrap()).unwrap();
    change(&mut v["diagnostics"][0]);
    std::fs::write(entry, serde_json::to_vec(&v).unwrap()).unwrap();
}

fn span(start: u64, end: u64) -> serde_json::Value {
    serde_json::json!({ "start": start, "end": end })
}

#[test]
fn a_cache_entry_with_bad_spans_is_a_miss() {
    // A byte inside the report's first multi-byte character.
    let text = String::from_utf8(seed()).unwrap();
    let (at, c) = text.char_indices().find(|(_, c)| c.len_utf8() > 1).unwrap();
    let mid = (at + 1) as u64;
    let end = (at + c.len_utf8()) as u64;
    type Change = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: [(&str, Change); 6] = [
        (
            "out of range",
            Box::new(|d| d["span"] = span(1_000_000_000, 1_000_000_005)),
        ),
        (
            "ends inside a character",
            Box::new(move |d| d["span"] = span(0, mid)),
        ),
        ("reversed", Box::new(|d| d["span"] = span(50, 3))),
        (
            "starts inside a character",
            Box::new(move |d| {
                d["span"] = span(mid, end + 6);
                d["rule"] = "applications-balance".into();
                d["severity"] = "error".into();
            }),
        ),
        (
            "related out of range",
            Box::new(|d| {
                d["related"] = serde_json::json!([{ "span": span(5, 99_999_999), "message": "m" }]);
            }),
        ),
        (
            "fix edit inside a character",
            Box::new(move |d| {
                d["fix"] = serde_json::json!({ "description": "x",
                    "edits": [{ "span": span(mid, end), "replacement": "PWN" }] });
            }),
        ),
    ];
    for format in ["human", "sarif", "json"] {
        for (what, change) in &cases {
            let (d, entry, fresh) = primed(format);
            rewrite(&entry, change);
            let cache = d.path().join("cache");
            let r = run(
                d.path(),
                &[
                    "check",
                    "--cache-dir",
                    cache.to_str().unwrap(),
                    "--format",
                    format,
                    "r.txt",
                ],
                QUICK,
                &Opts::default(),
            );
            assert_eq!(r.code, 1, "{format}/{what}: {}", r.err);
            assert_eq!(r.out, fresh, "{format}/{what}: linted afresh");
            assert!(!r.out.contains("PWN"), "{format}/{what}");
            assert_eq!(std::fs::read(d.path().join("r.txt")).unwrap(), seed());
        }
    }
}

#[test]
fn a_forged_fix_is_never_written() {
    // The right bytes: a fresh --fix.
    let reference = tempfile::tempdir().unwrap();
    std::fs::write(reference.path().join("r.txt"), seed()).unwrap();
    let r = run(
        reference.path(),
        &["check", "--no-cache", "--fix", "r.txt"],
        QUICK,
        &Opts::default(),
    );
    assert!(matches!(r.code, 0 | 1), "{}", r.err);
    let fixed = std::fs::read(reference.path().join("r.txt")).unwrap();
    assert_ne!(fixed, seed(), "the seed has fixes");

    // The report's first multi-byte character: a span a fix could take.
    let text = String::from_utf8(seed()).unwrap();
    let (at, c) = text.char_indices().find(|(_, c)| c.len_utf8() > 1).unwrap();
    let (at, end) = (at as u64, (at + c.len_utf8()) as u64);
    let out_of_range = |d: &mut serde_json::Value| {
        d["fix"] = serde_json::json!({ "description": "x",
            "edits": [{ "span": span(1_000_000, 1_000_003), "replacement": "PWN" }] });
    };
    // In range, but the entry is writable by anyone: not this user's word.
    let in_range = move |d: &mut serde_json::Value| {
        d["span"] = span(at, end);
        d["unsafe_fix"] = false.into();
        d["fix"] = serde_json::json!({ "description": "x",
            "edits": [{ "span": span(at, end), "replacement": "PWN" }] });
    };
    type Change = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: [(&str, Change, u32); 2] = [
        ("edit out of range", Box::new(out_of_range), 0o600),
        ("world-writable entry", Box::new(in_range), 0o666),
    ];
    for (what, change, mode) in cases {
        let (d, entry, _) = primed("json");
        rewrite(&entry, &change);
        std::fs::set_permissions(&entry, std::fs::Permissions::from_mode(mode)).unwrap();
        let cache = d.path().join("cache");
        let r = run(
            d.path(),
            &[
                "check",
                "--cache-dir",
                cache.to_str().unwrap(),
                "--fix",
                "r.txt",
            ],
            QUICK,
            &Opts::default(),
        );
        assert!(matches!(r.code, 0 | 1), "{what}: {}", r.err);
        assert_eq!(
            std::fs::read(d.path().join("r.txt")).unwrap(),
            fixed,
            "{what}: r.txt holds the right fix"
        );
    }
}

#[test]
fn cache_folders_are_private_whatever_the_umask() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("r.txt"), seed()).unwrap();
    let cache = d.path().join("c/deeper");
    let r = run(
        d.path(),
        &["check", "--cache-dir", cache.to_str().unwrap(), "r.txt"],
        QUICK,
        &Opts {
            umask: Some(0),
            ..Opts::default()
        },
    );
    assert_eq!(r.code, 1, "{}", r.err);
    let entry = entry_of(&cache);
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&entry), 0o600, "{}", entry.display());
    let mut dir = entry.parent().unwrap();
    while dir != d.path() {
        assert_eq!(mode(dir), 0o700, "{}", dir.display());
        dir = dir.parent().unwrap();
    }
}

#[test]
fn a_link_planted_in_the_cache_folder_is_not_written_through() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("r.txt"), seed()).unwrap();
    let victim = d.path().join("victim");
    std::fs::write(&victim, "untouched").unwrap();
    let cache = d.path().join("cache");
    std::fs::create_dir(&cache).unwrap();
    std::os::unix::fs::symlink(&victim, cache.join("CACHEDIR.TAG")).unwrap();
    let r = run(
        d.path(),
        &["check", "--cache-dir", cache.to_str().unwrap(), "r.txt"],
        QUICK,
        &Opts::default(),
    );
    assert_eq!(r.code, 1, "{}", r.err);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    assert_unchanged(d.path());
}

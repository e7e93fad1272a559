//! The result cache of `gklint check`: a second run says exactly what the
//! first said, reading it from the cache; anything a file's findings depend
//! on (its bytes, a pack, the config) makes it a miss; a damaged entry is a
//! miss; `--no-cache` writes nothing; `gklint clean` empties it.

mod support;

use std::path::{Path, PathBuf};

use support::{corpus, folder, gklint};

/// What every cached message is rewritten to, to see which findings came
/// from the cache.
const MARK: &str = "〔来自缓存〕";

/// Reports of every format, with two office-year pairs (text and PDF).
fn reports() -> tempfile::TempDir {
    let dir = folder(&[
        // 2022's carry-over from 2021 does not hold: a finding across years.
        ("a/2021.txt", "real/013_pingtan-2021.txt"),
        (
            "a/2022.txt",
            "../cross/broken-carry-over/022_pingtan-2022-broken.txt",
        ),
        ("b/2023.pdf", "real/010_kirogov-hongze2023.pdf"),
        ("b/2024.pdf", "real/011_kirogov-hongze2024.pdf"),
        ("c/shanghai.html", "real/025_shanghai-office-2019.html"),
        ("d/seed.txt", support::SEED_004),
    ]);
    let docx =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures/docx/merged-2021.docx");
    std::fs::create_dir_all(dir.path().join("e")).unwrap();
    std::fs::copy(docx, dir.path().join("e/merged.docx")).unwrap();
    dir
}

fn check(cache: &Path, args: &[&str], paths: &[&Path]) -> (String, String) {
    let out = gklint()
        .env("GKLINT_CACHE_DIR", cache)
        .env_remove("GKLINT_NO_CACHE")
        .arg("check")
        .args(args)
        .args(paths)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2), "{out:?}");
    (
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn entries(cache: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![cache.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().is_some_and(|n| n != "CACHEDIR.TAG") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Rewrites every message kept in the cache to [`MARK`].
fn mark(cache: &Path) -> usize {
    let mut n = 0;
    for p in entries(cache) {
        let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        // A file's entry has its findings; a comparison's, each file's.
        let lists: Vec<&mut serde_json::Value> = match v.get_mut("found") {
            Some(found) => found
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .map(|pair| &mut pair[1])
                .collect(),
            None => v.get_mut("diagnostics").into_iter().collect(),
        };
        for d in lists.into_iter().flat_map(|l| l.as_array_mut().unwrap()) {
            d["message"] = MARK.into();
            n += 1;
        }
        std::fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
    }
    n
}

fn messages(json: &str) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v.as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap().to_owned(),
                f["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn a_second_run_says_what_the_first_said_and_reads_it_from_the_cache() {
    let dir = reports();
    let cache = tempfile::tempdir().unwrap();
    let root = [dir.path()];
    for format in ["json", "human", "sarif"] {
        let args = ["--format", format];
        let fresh = check(cache.path(), &["--no-cache", "--format", format], &root);
        let first = check(cache.path(), &args, &root);
        let second = check(cache.path(), &args, &root);
        assert_eq!(first, fresh, "{format}: the run that fills the cache");
        assert_eq!(second, fresh, "{format}: the run that reads it");
    }
    let (json, _) = check(cache.path(), &["--format", "json"], &root);
    let found = messages(&json);
    // Every kind of file has findings (2021's report has none), and there
    // are findings across years.
    for f in [
        "2022.txt",
        "2023.pdf",
        "2024.pdf",
        "shanghai.html",
        "seed.txt",
        "merged.docx",
    ] {
        assert!(found.iter().any(|(p, _)| p.ends_with(f)), "{f}: {found:?}");
    }
    assert!(json.contains("\"rule\": \"cross-"), "{json}");

    // The findings do come from the cache: marked there, marked in the output.
    assert!(mark(cache.path()) > 20);
    let (json, _) = check(cache.path(), &["--format", "json"], &root);
    let found = messages(&json);
    assert!(found.iter().all(|(_, m)| m == MARK), "{found:?}");

    // A file edited is linted again (and so is its office's comparison);
    // the others still come from the cache.
    let edited = dir.path().join("d/seed.txt");
    let mut text = std::fs::read(&edited).unwrap();
    text.extend_from_slice("\n联系电话：0591-12345678\n".as_bytes());
    std::fs::write(&edited, text).unwrap();
    let (json, _) = check(cache.path(), &["--format", "json"], &root);
    for (path, message) in messages(&json) {
        assert_eq!(
            message == MARK,
            !path.ends_with("seed.txt"),
            "{path}: {message}"
        );
    }
    let (json, _) = check(cache.path(), &["--no-cache", "--format", "json"], &root);
    assert!(!json.contains(MARK));
}

#[test]
fn a_changed_pack_or_config_is_not_read_from_the_cache() {
    let dir = folder(&[("r/2023.txt", "real/023_pingtan-2023.txt")]);
    let cache = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.yaml");
    let write_pack = |message: &str| {
        std::fs::write(
            &pack,
            format!(
                "pack: cache-test\nname: 缓存测试\nversion: 0.1.0\nrules:\n  - id: cache-test-word\n    kind: pattern\n    category: style\n    severity: warning\n    message: \"{message}\"\n    help: \"测试用\"\n    pattern: \"平潭\"\n"
            ),
        )
        .unwrap();
    };
    write_pack("第一版");
    let report = dir.path().join("r/2023.txt");
    let args = ["--format", "json", "--pack", pack.to_str().unwrap()];
    let (first, _) = check(cache.path(), &args, &[&report]);
    assert!(first.contains("第一版"), "{first}");
    mark(cache.path());
    let (marked, _) = check(cache.path(), &args, &[&report]);
    assert!(!marked.contains("第一版") && marked.contains(MARK));

    write_pack("第二版");
    let (second, _) = check(cache.path(), &args, &[&report]);
    assert!(
        second.contains("第二版") && !second.contains(MARK),
        "{second}"
    );

    // A config beside the report turning the rule off: linted again.
    std::fs::write(
        dir.path().join("r/gklint.yaml"),
        "rules:\n  cache-test-word: off\n",
    )
    .unwrap();
    let (third, _) = check(cache.path(), &args, &[&report]);
    assert!(
        !third.contains("第二版") && !third.contains(MARK),
        "{third}"
    );
    assert!(
        third.contains("\"rule\""),
        "the other rules still report: {third}"
    );
}

#[test]
fn a_damaged_entry_is_linted_again() {
    let dir = reports();
    let cache = tempfile::tempdir().unwrap();
    let root = [dir.path()];
    let (want, _) = check(cache.path(), &["--format", "json"], &root);
    let kept = entries(cache.path());
    assert!(kept.len() >= 7, "{kept:?}");
    for (i, p) in kept.iter().enumerate() {
        let bytes = std::fs::read(p).unwrap();
        // Cut short, emptied, or not JSON at all.
        let damaged = match i % 3 {
            0 => bytes[..bytes.len() / 2].to_vec(),
            1 => Vec::new(),
            _ => b"\xff\xfe not json".to_vec(),
        };
        std::fs::write(p, damaged).unwrap();
    }
    let (got, _) = check(cache.path(), &["--format", "json"], &root);
    assert_eq!(got, want);
    // And written again whole.
    mark(cache.path());
}

#[test]
fn fixing_from_the_cache_writes_what_fixing_afresh_writes() {
    // 钩稽 → 勾稽 is a safe fix of the built-in packs.
    let text = std::fs::read_to_string(corpus(support::SEED_004)).unwrap()
        + "\n本报告的表格钩稽关系已核对。\n";
    let warm = tempfile::tempdir().unwrap();
    let cold = tempfile::tempdir().unwrap();
    for d in [&warm, &cold] {
        std::fs::write(d.path().join("report.txt"), &text).unwrap();
    }
    let cache = tempfile::tempdir().unwrap();
    let file = warm.path().join("report.txt");
    check(cache.path(), &["--format", "json"], &[&file]);
    mark(cache.path());
    let (out, _) = check(cache.path(), &["--format", "json", "--fix"], &[&file]);
    assert!(out.contains(MARK), "the fix run read the cache: {out}");
    check(
        cache.path(),
        &["--no-cache", "--fix"],
        &[&cold.path().join("report.txt")],
    );
    let fixed = std::fs::read_to_string(&file).unwrap();
    assert!(fixed.contains("勾稽") && !fixed.contains("钩稽"));
    assert_eq!(
        fixed,
        std::fs::read_to_string(cold.path().join("report.txt")).unwrap()
    );
}

#[test]
fn no_cache_writes_nothing_and_clean_empties_the_cache() {
    let dir = folder(&[("r.txt", support::SEED_001)]);
    let cache = tempfile::tempdir().unwrap();
    let root = cache.path().join("gk");
    let file = dir.path().join("r.txt");
    check(&root, &["--no-cache"], &[&file]);
    let out = gklint()
        .env("GKLINT_CACHE_DIR", &root)
        .env("GKLINT_NO_CACHE", "1")
        .arg("check")
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.code().is_some_and(|c| c < 2));
    assert!(
        !root.exists(),
        "--no-cache and GKLINT_NO_CACHE write no cache"
    );

    check(&root, &[], &[&file]);
    assert!(!entries(&root).is_empty());
    assert!(root.join("CACHEDIR.TAG").is_file());
    let other = root.join("报告.txt");
    std::fs::write(&other, "not ours").unwrap();
    let out = gklint()
        .arg("clean")
        .arg("--cache-dir")
        .arg(&root)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert!(String::from_utf8_lossy(&out.stdout).contains("已清除缓存"));
    assert_eq!(
        entries(&root),
        vec![other],
        "only the cache's own folders are removed"
    );
}

#[test]
fn a_cache_that_cannot_be_written_is_said_once_and_the_run_goes_on() {
    let dir = folder(&[("r.txt", support::SEED_001), ("s.txt", support::SEED_004)]);
    let blocker = tempfile::NamedTempFile::new().unwrap();
    // A file where the cache folder should be: nothing can be made under it.
    let root = blocker.path().join("cache");
    let (with, err) = check(&root, &["--format", "json"], &[dir.path()]);
    let (without, _) = check(&root, &["--no-cache", "--format", "json"], &[dir.path()]);
    assert_eq!(with, without);
    assert_eq!(
        err.lines().filter(|l| l.contains("缓存")).count(),
        1,
        "{err}"
    );
}

#[test]
fn a_pack_that_does_not_load_stops_the_run_before_any_output() {
    let dir = folder(&[("r.txt", support::SEED_001)]);
    let cache = tempfile::tempdir().unwrap();
    let pack = dir.path().join("bad.yaml");
    std::fs::write(
        &pack,
        "pack: bad\nname: 坏\nversion: \"1\"\nrules:\n  - id: [unclosed\n",
    )
    .unwrap();
    for _ in 0..2 {
        let out = gklint()
            .env("GKLINT_CACHE_DIR", cache.path())
            .args(["check", "--format", "json", "--pack"])
            .arg(&pack)
            .arg(dir.path().join("r.txt"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(
            out.stdout.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(String::from_utf8_lossy(&out.stderr).contains("bad.yaml:5:"));
    }
}

#[test]
fn comparisons_with_history_reports_are_cached_and_follow_their_changes() {
    let dir = folder(&[
        ("history/2021.txt", "real/013_pingtan-2021.txt"),
        (
            "now/2022.txt",
            "../cross/broken-carry-over/022_pingtan-2022-broken.txt",
        ),
    ]);
    let cache = tempfile::tempdir().unwrap();
    let history = dir.path().join("history");
    let args = ["--format", "json", "--history", history.to_str().unwrap()];
    let now = dir.path().join("now");
    let (fresh, _) = check(
        cache.path(),
        &[
            "--no-cache",
            "--format",
            "json",
            "--history",
            history.to_str().unwrap(),
        ],
        &[&now],
    );
    let (first, _) = check(cache.path(), &args, &[&now]);
    let (second, _) = check(cache.path(), &args, &[&now]);
    assert_eq!(first, fresh);
    assert_eq!(second, fresh);
    assert!(fresh.contains("\"rule\": \"cross-carry-over\""), "{fresh}");

    mark(cache.path());
    let (marked, _) = check(cache.path(), &args, &[&now]);
    assert!(messages(&marked).iter().all(|(_, m)| m == MARK), "{marked}");

    // The history folder's report replaced by another year's: no pair is
    // left, so the cached comparison must not be shown; the file's own
    // findings still come from the cache.
    std::fs::copy(
        support::fixture("cross/broken-carry-over/022_pingtan-2022-broken.txt"),
        history.join("2021.txt"),
    )
    .unwrap();
    let (after, _) = check(cache.path(), &args, &[&now]);
    let v: serde_json::Value = serde_json::from_str(&after).unwrap();
    let found = v.as_array().unwrap();
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|f| f["message"] == MARK && !f["rule"].as_str().unwrap().starts_with("cross-")),
        "{after}"
    );
}

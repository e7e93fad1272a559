//! The folder walk on hostile trees: an unreadable subfolder, a FIFO or a
//! device named like a report, a symbolic-link loop. Each is named on
//! stderr (in Chinese) and skipped; the other reports are checked; the run
//! ends at once with exit code 2 (files not checked).
#![cfg(unix)]

#[path = "support/bounded.rs"]
mod bounded;
mod support;

use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;
use std::time::Duration;

use bounded::{Opts, mkfifo, run};

const QUICK: Duration = Duration::from_secs(20);

fn seed() -> Vec<u8> {
    std::fs::read(support::corpus(support::SEED_001)).unwrap()
}

/// `walk/ok/r.txt`, `walk/z.txt` and `walk/locked/r.txt`.
fn tree(root: &Path) {
    let w = root.join("walk");
    std::fs::create_dir_all(w.join("ok")).unwrap();
    std::fs::create_dir_all(w.join("locked")).unwrap();
    for p in ["ok/r.txt", "z.txt", "locked/r.txt"] {
        std::fs::write(w.join(p), seed()).unwrap();
    }
}

fn checked(out: &str, path: &str) -> bool {
    out.contains(&format!("\"path\": \"{path}\""))
}

#[test]
fn an_unreadable_folder_is_named_and_the_rest_checked() {
    // Root reads a mode-000 folder anyway: run gklint as `nobody` then.
    let as_nobody = bounded::is_root();
    if as_nobody && !bounded::can_run_as_nobody() {
        eprintln!("skipped: running as root and `setpriv` cannot switch to nobody");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    tree(d.path());
    if as_nobody {
        std::fs::set_permissions(d.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        bounded::give_to_nobody(d.path());
    }
    let locked = d.path().join("walk/locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let r = run(
        d.path(),
        &["check", "--no-cache", "--format", "json", "walk"],
        QUICK,
        &Opts {
            as_nobody,
            ..Opts::default()
        },
    );
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(
        r.err
            .contains("无法读取目录 walk/locked（没有读取权限），其中的报告未检查"),
        "{}",
        r.err
    );
    assert!(checked(&r.out, "walk/ok/r.txt"), "{}", r.out);
    assert!(checked(&r.out, "walk/z.txt"), "{}", r.out);
    assert!(!checked(&r.out, "walk/locked/r.txt"), "{}", r.out);
    assert!(r.took < QUICK);
    assert_eq!(std::fs::read(locked.join("r.txt")).unwrap(), seed());
}

#[test]
fn fifos_devices_and_link_loops_in_a_walk_never_block() {
    let d = tempfile::tempdir().unwrap();
    tree(d.path());
    let w = d.path().join("walk");
    mkfifo(&w.join("fifo.txt"));
    mkfifo(&w.join("ok/pipe.docx"));
    std::os::unix::fs::symlink("/dev/zero", w.join("zero.txt")).unwrap();
    std::os::unix::fs::symlink("..", w.join("ok/up")).unwrap();
    std::os::unix::fs::symlink(".", w.join("self")).unwrap();
    let r = run(
        d.path(),
        &["check", "--no-cache", "--format", "json", "walk"],
        QUICK,
        &Opts::default(),
    );
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(
        r.err
            .contains("walk/fifo.txt 不是普通文件（是命名管道），未检查"),
        "{}",
        r.err
    );
    assert!(r.err.contains("walk/ok/pipe.docx"), "{}", r.err);
    // Each report once: links are not followed (no loop, no way out).
    let paths: std::collections::BTreeSet<String> = support::json_of(r.out.as_bytes())
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        paths.into_iter().collect::<Vec<_>>(),
        ["walk/locked/r.txt", "walk/ok/r.txt", "walk/z.txt"]
    );

    // Named on the command line: refused by name, without blocking.
    let r = run(
        d.path(),
        &[
            "check",
            "--no-cache",
            "--format",
            "json",
            "walk/fifo.txt",
            "walk/zero.txt",
            "walk/z.txt",
        ],
        QUICK,
        &Opts::default(),
    );
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(
        r.err.contains("walk/fifo.txt") && r.err.contains("命名管道"),
        "{}",
        r.err
    );
    assert!(
        r.err.contains("walk/zero.txt") && r.err.contains("设备"),
        "{}",
        r.err
    );
    assert!(checked(&r.out, "walk/z.txt"), "{}", r.out);
}

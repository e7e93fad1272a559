//! `--fix` on files that are not what they seem, and `gklint init` over a
//! link: every file involved ends with exactly the bytes it must hold.

mod support;

use std::path::Path;

use predicates::prelude::*;
use support::gklint;

/// Only the term substitutions: the tests are about bytes, not rules.
const TERMS_ONLY: &str = "rules:\n  doc-number-spaces: off\n  punctuation-book-title-nesting: off\n  punctuation-half-width: off\n";

/// Every entry of `dir` with its bytes (a link as `-> TARGET`), sorted.
fn listing(dir: &Path) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let p = e.unwrap().path();
            let name = p.file_name().unwrap().as_encoded_bytes().to_vec();
            let m = std::fs::symlink_metadata(&p).unwrap();
            let bytes = if m.file_type().is_symlink() {
                let mut b = b"-> ".to_vec();
                b.extend(
                    std::fs::read_link(&p)
                        .unwrap()
                        .as_os_str()
                        .as_encoded_bytes(),
                );
                b
            } else if m.is_dir() {
                b"<dir>".to_vec()
            } else {
                std::fs::read(&p).unwrap()
            };
            (name, bytes)
        })
        .collect();
    out.sort();
    out
}

fn entry(name: &[u8], bytes: &[u8]) -> (Vec<u8>, Vec<u8>) {
    (name.to_vec(), bytes.to_vec())
}

fn hex(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap())
        .collect()
}

/// A folder with the terms-only config and `r.txt` holding `bytes`.
fn report(bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gklint.yaml"), TERMS_ONLY).unwrap();
    std::fs::write(dir.path().join("r.txt"), bytes).unwrap();
    dir
}

/// 本列数据的钩稽关系。 CRLF, then 国务院办公厅政府信息公开办公室 CRLF, in GBK,
/// with the single byte 0x80 (the cp936 euro sign) twice before the first
/// fix and once before the second.
fn gbk_euro() -> Vec<u8> {
    hex(
        "80 80 b1 be c1 d0 ca fd be dd b5 c4 b9 b3 bb fc b9 d8 cf b5 a1 a3 0d 0a \
         80 b9 fa ce f1 d4 ba b0 ec b9 ab cc fc d5 fe b8 ae d0 c5 cf a2 b9 ab bf aa b0 ec b9 ab ca d2 0d 0a",
    )
}

#[test]
fn gbk_euro_bytes_stay_where_they_were_and_fixes_land_on_their_words() {
    let dir = report(&gbk_euro());
    gklint()
        .current_dir(dir.path())
        .args(["check", "--no-cache", "--fix", "r.txt"])
        .assert()
        .code(0)
        .stderr(predicate::str::contains("已自动修复 2 个问题"));
    // 钩 b9b3 -> 勾 b9b4; 信息公开 -> 信息与政务公开 (与 d3eb 政 d5fe 务 cef1).
    let want = hex(
        "80 80 b1 be c1 d0 ca fd be dd b5 c4 b9 b4 bb fc b9 d8 cf b5 a1 a3 0d 0a \
         80 b9 fa ce f1 d4 ba b0 ec b9 ab cc fc d5 fe b8 ae d0 c5 cf a2 d3 eb d5 fe ce f1 b9 ab bf aa b0 ec b9 ab ca d2 0d 0a",
    );
    assert_eq!(
        listing(dir.path()),
        [
            entry(b"gklint.yaml", TERMS_ONLY.as_bytes()),
            entry(b"r.txt", &want)
        ]
    );
}

#[test]
fn utf16_with_bom_surrogates_and_crlf_is_fixed_in_utf16() {
    let utf16 = |text: &str| -> Vec<u8> {
        let mut b = vec![0xFF, 0xFE];
        b.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
        b
    };
    // 𠀀 is a surrogate pair: two UTF-16 units, four bytes of UTF-8.
    let dir = report(&utf16("𠀀𠀀本列数据的钩稽关系。\r\n𠀀钩稽\r\n"));
    gklint()
        .current_dir(dir.path())
        .args(["check", "--no-cache", "--fix", "r.txt"])
        .assert()
        .code(0);
    assert_eq!(
        listing(dir.path()),
        [
            entry(b"gklint.yaml", TERMS_ONLY.as_bytes()),
            entry(b"r.txt", &utf16("𠀀𠀀本列数据的勾稽关系。\r\n𠀀勾稽\r\n"))
        ]
    );
}

#[cfg(unix)]
#[test]
fn a_name_that_is_not_utf8_is_fixed_and_its_lossy_twin_never_touched() {
    use std::os::unix::ffi::OsStrExt as _;
    let text = "本列数据的钩稽关系。\n";
    for cache in [false, true] {
        let dir = report(text.as_bytes());
        std::fs::rename(
            dir.path().join("r.txt"),
            dir.path().join(std::ffi::OsStr::from_bytes(b"r\xff.txt")),
        )
        .unwrap();
        std::fs::write(dir.path().join("r\u{fffd}.txt"), text).unwrap();
        let cache_dir = tempfile::tempdir().unwrap();
        let mut cmd = gklint();
        cmd.current_dir(dir.path()).arg("check");
        if cache {
            cmd.arg("--cache-dir").arg(cache_dir.path());
        } else {
            cmd.arg("--no-cache");
        }
        cmd.arg("--fix")
            .arg(std::ffi::OsStr::from_bytes(b"r\xff.txt"))
            .assert()
            .code(0);
        assert_eq!(
            listing(dir.path()),
            [
                entry(b"gklint.yaml", TERMS_ONLY.as_bytes()),
                entry(b"r\xef\xbf\xbd.txt", text.as_bytes()),
                entry(b"r\xff.txt", "本列数据的勾稽关系。\n".as_bytes()),
            ],
            "cache: {cache}"
        );
    }
}

#[cfg(unix)]
#[test]
fn a_hard_linked_file_is_refused_and_both_names_keep_their_bytes() {
    let text = "本列数据的钩稽关系。\n";
    let dir = report(text.as_bytes());
    std::fs::hard_link(dir.path().join("r.txt"), dir.path().join("h.txt")).unwrap();
    gklint()
        .current_dir(dir.path())
        .args(["check", "--no-cache", "--fix", "r.txt"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("r.txt 有 2 个硬链接"))
        .stderr(predicate::str::contains("--diff"));
    assert_eq!(
        listing(dir.path()),
        [
            entry(b"gklint.yaml", TERMS_ONLY.as_bytes()),
            entry(b"h.txt", text.as_bytes()),
            entry(b"r.txt", text.as_bytes()),
        ]
    );
}

#[cfg(unix)]
fn is_root() -> bool {
    // SAFETY: no arguments, no memory.
    unsafe { libc::geteuid() == 0 }
}

#[cfg(unix)]
#[test]
fn setuid_setgid_owner_and_extended_attributes_are_kept() {
    use std::os::unix::fs::{MetadataExt as _, PermissionsExt as _};
    let dir = report("本列数据的钩稽关系。\n".as_bytes());
    let r = dir.path().join("r.txt");
    if is_root() {
        // Another owner than the one running gklint.
        std::os::unix::fs::chown(&r, Some(65534), Some(65534)).unwrap();
    }
    std::fs::set_permissions(&r, std::fs::Permissions::from_mode(0o6754)).unwrap();
    let before = std::fs::metadata(&r).unwrap();
    let c = std::ffi::CString::new(r.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: NUL-terminated name and path, a live value buffer.
    let xattr = unsafe {
        libc::setxattr(
            c.as_ptr(),
            c"user.gklint".as_ptr(),
            b"v1".as_ptr().cast(),
            2,
            0,
        )
    } == 0;
    if !xattr {
        eprintln!("this file system has no user extended attributes: not checked");
    }
    gklint()
        .current_dir(dir.path())
        .args(["check", "--no-cache", "--fix", "r.txt"])
        .assert()
        .code(0);
    let after = std::fs::metadata(&r).unwrap();
    assert_eq!(after.mode() & 0o7777, 0o6754);
    assert_eq!((after.uid(), after.gid()), (before.uid(), before.gid()));
    assert_ne!(after.ino(), before.ino(), "written as a new file");
    if xattr {
        let mut buf = [0u8; 16];
        // SAFETY: as above, with a buffer of the size given.
        let n = unsafe {
            libc::getxattr(
                c.as_ptr(),
                c"user.gklint".as_ptr(),
                buf.as_mut_ptr().cast(),
                16,
            )
        };
        assert_eq!(n, 2);
        assert_eq!(&buf[..2], b"v1");
    }
    assert_eq!(
        listing(dir.path()),
        [
            entry(b"gklint.yaml", TERMS_ONLY.as_bytes()),
            entry(b"r.txt", "本列数据的勾稽关系。\n".as_bytes()),
        ]
    );
}

/// As root, runs gklint as `nobody` on a root-owned file that `nobody` may
/// write: the new file could not be given back to root, so it is refused.
#[cfg(unix)]
#[test]
fn an_owner_that_cannot_be_kept_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    if !is_root()
        || std::process::Command::new("setpriv")
            .arg("--help")
            .output()
            .is_err()
    {
        eprintln!("needs root and setpriv: not checked");
        return;
    }
    let text = "本列数据的钩稽关系。\n";
    let dir = report(text.as_bytes());
    let perm = |p: &Path, mode| std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode));
    perm(dir.path(), 0o777).unwrap();
    perm(&dir.path().join("r.txt"), 0o666).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("gklint");
    let out = std::process::Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .arg(&bin)
        .args(["check", "--no-cache", "--fix", "r.txt"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    if err.contains("Permission denied") && !err.contains("r.txt") {
        eprintln!("nobody cannot run {}: not checked", bin.display());
        return;
    }
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("r.txt 的所有者（uid 0，gid 0）无法保留"),
        "{err}"
    );
    assert_eq!(
        listing(dir.path()),
        [
            entry(b"gklint.yaml", TERMS_ONLY.as_bytes()),
            entry(b"r.txt", text.as_bytes()),
        ]
    );
}

#[cfg(unix)]
#[test]
fn init_never_writes_through_a_symbolic_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::fs::write(dir.path().join("kept.yaml"), "mine\n").unwrap();
    for (target, force) in [
        ("sub/made.yaml", false),
        ("sub/made.yaml", true),
        ("kept.yaml", false),
        ("kept.yaml", true),
    ] {
        let link = dir.path().join("gklint.yaml");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(target, &link).unwrap();
        let mut cmd = gklint();
        cmd.current_dir(dir.path()).arg("init");
        if force {
            cmd.arg("--force");
        }
        cmd.assert()
            .code(2)
            .stderr(predicate::str::contains("gklint.yaml 是符号链接"));
        assert_eq!(
            listing(dir.path()),
            [
                entry(b"gklint.yaml", format!("-> {target}").as_bytes()),
                entry(b"kept.yaml", b"mine\n"),
                entry(b"sub", b"<dir>"),
            ],
            "{target} force={force}"
        );
    }
}

#[test]
fn init_refuses_an_existing_file_unless_forced_and_then_replaces_it() {
    let fresh = tempfile::tempdir().unwrap();
    gklint()
        .current_dir(fresh.path())
        .arg("init")
        .assert()
        .code(0);
    let starter = std::fs::read(fresh.path().join("gklint.yaml")).unwrap();
    assert!(starter.len() > 100);

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("gklint.yaml"), "old\n").unwrap();
    gklint()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("已存在；要覆盖请加 --force"));
    assert_eq!(listing(dir.path()), [entry(b"gklint.yaml", b"old\n")]);
    gklint()
        .current_dir(dir.path())
        .args(["init", "--force"])
        .assert()
        .code(0);
    assert_eq!(listing(dir.path()), [entry(b"gklint.yaml", &starter)]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("gklint.yaml"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o044, 0o044, "readable like any config: {mode:o}");
    }
}

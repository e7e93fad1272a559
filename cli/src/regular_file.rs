//! Reading a file that a configuration, a cache folder or the command line
//! names: only a regular file, never more than a cap, and never a blocking
//! open. A repository's `gklint.yaml` can name any path on the machine (a
//! FIFO nobody writes, `/dev/zero`, a 2 GB file, someone's SSH key), so the
//! kind and size are checked before a byte is read, and again on the opened
//! handle, and the read itself stops one byte past the cap whatever the
//! file does meanwhile.

use std::fs::{File, Metadata, OpenOptions};
use std::io::Read as _;
use std::path::Path;

/// The cap for YAML packs, configuration files and baselines: 16 MiB (the
/// largest real pack is a few hundred KiB).
pub const MAX_TEXT_FILE: u64 = 16 << 20;

/// Why a file was not read; shown after the file's name and role, in Chinese.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    Directory,
    /// A FIFO, device or socket: `what` names which.
    NotRegular(&'static str),
    TooLarge {
        len: u64,
        max: u64,
    },
    NotUtf8,
    /// Owned by another user, or writable by others.
    NotOwn,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => match e.kind() {
                std::io::ErrorKind::NotFound => f.write_str("文件不存在，请检查路径"),
                std::io::ErrorKind::PermissionDenied => f.write_str("没有读取权限，请检查文件权限"),
                _ => write!(f, "{e}"),
            },
            ReadError::Directory => f.write_str("这是一个目录，不是文件"),
            ReadError::NotRegular(what) => {
                write!(f, "这不是普通文件（是{what}），未读取；请改为指向普通文件")
            }
            ReadError::TooLarge { len, max } => write!(
                f,
                "文件大小为 {}，超过上限 {}，未读取；请检查路径是否指错了文件",
                human(*len),
                human(*max)
            ),
            ReadError::NotUtf8 => f.write_str("不是 UTF-8 文本，未读取；请把它另存为 UTF-8 编码"),
            ReadError::NotOwn => f.write_str("文件不属于当前用户，或其他用户可以改写它，未使用"),
        }
    }
}

impl std::error::Error for ReadError {}

impl From<std::io::Error> for ReadError {
    fn from(e: std::io::Error) -> Self {
        ReadError::Io(e)
    }
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

/// The bytes of a regular file of at most `max` bytes.
pub fn read_bytes(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open(path, max)?;
    read_open(file, meta.len(), max)
}

/// Like [`read_bytes`], for a file gklint wrote itself (a cache entry):
/// refused unless this user owns it and no one else may write it, so that
/// another user cannot put words in it.
pub fn read_own_bytes(path: &Path, max: u64) -> Result<Vec<u8>, ReadError> {
    let (file, meta) = open(path, max)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        if meta.uid() != me || meta.mode() & 0o022 != 0 {
            return Err(ReadError::NotOwn);
        }
    }
    read_open(file, meta.len(), max)
}

fn read_open(file: File, len: u64, max: u64) -> Result<Vec<u8>, ReadError> {
    // The size can change after fstat: the capacity is a hint, the take() the bound.
    let mut bytes = Vec::with_capacity(usize::try_from(len.min(max)).unwrap_or(0));
    file.take(max.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge {
            len: bytes.len() as u64,
            max,
        });
    }
    Ok(bytes)
}

/// The text of a regular UTF-8 file of at most `max` bytes (a leading BOM
/// dropped, as editors on Windows write one).
pub fn read_text(path: &Path, max: u64) -> Result<String, ReadError> {
    let mut bytes = read_bytes(path, max)?;
    if bytes.starts_with(b"\xEF\xBB\xBF") {
        bytes.drain(..3);
    }
    String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)
}

/// Checks, without opening it, that `path` is a regular file within `max`
/// (symlinks followed): an open of a device can have effects of its own.
pub fn check_path(path: &Path, max: u64) -> Result<u64, ReadError> {
    check(&std::fs::metadata(path)?, max)
}

/// Opens a regular file for reading, never blocking: the kind is checked
/// before the open and again on the handle (a FIFO swapped in between is
/// opened non-blocking, then refused).
fn open(path: &Path, max: u64) -> Result<(File, Metadata), ReadError> {
    check_path(path, max)?;
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        // O_NONBLOCK makes no difference to reading a regular file, and the
        // fstat below refuses anything else.
        options.custom_flags(libc::O_NONBLOCK | libc::O_CLOEXEC);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    check(&meta, max)?;
    Ok((file, meta))
}

fn check(meta: &Metadata, max: u64) -> Result<u64, ReadError> {
    let t = meta.file_type();
    if t.is_dir() {
        return Err(ReadError::Directory);
    }
    if !t.is_file() {
        return Err(ReadError::NotRegular(kind_name(&t)));
    }
    if meta.len() > max {
        return Err(ReadError::TooLarge {
            len: meta.len(),
            max,
        });
    }
    Ok(meta.len())
}

/// The kind of a file that is not regular, in Chinese.
pub fn kind_name(t: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if t.is_fifo() {
            return "命名管道";
        }
        if t.is_char_device() || t.is_block_device() {
            return "设备";
        }
        if t.is_socket() {
            return "套接字";
        }
    }
    if t.is_symlink() {
        return "符号链接";
    }
    if t.is_dir() {
        return "目录";
    }
    "特殊文件"
}

/// Whether `text` plausibly is a YAML mapping (a pack or a configuration):
/// its first line that is not blank, a comment, a directive or a document
/// marker starts with `key:` or `{`. A file that is not (a private key, a
/// binary, a log) is refused before parsing, so that no parser message
/// quotes it. A file with no such line at all (empty) passes.
pub fn looks_like_yaml_mapping(text: &str) -> bool {
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
    {
        return false;
    }
    let Some(first) = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('%') && *l != "---")
    else {
        return true;
    };
    let first = first.strip_prefix("--- ").unwrap_or(first).trim_start();
    if first.starts_with('{') {
        return true;
    }
    // A key, plain (not starting with a YAML indicator) or quoted, then `:`
    // and a space or the end of the line.
    let after_key = if let Some(rest) = first.strip_prefix('"') {
        rest.find('"').map(|i| &rest[i + 1..])
    } else if let Some(rest) = first.strip_prefix('\'') {
        rest.find('\'').map(|i| &rest[i + 1..])
    } else if first.starts_with(['-', '[', '!', '&', '*', '|', '>', '@', '`', '?']) {
        None
    } else {
        first
            .find(": ")
            .or_else(|| first.strip_suffix(':').map(str::len))
            .map(|i| &first[i..])
    };
    after_key.is_some_and(|a| {
        a.trim_start()
            .strip_prefix(':')
            .is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t']))
    })
}

/// `s` cut to at most `max` characters (on a character boundary), with `…`
/// when cut: an error message quotes no more of a file than that.
pub fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    fn within_seconds<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(Duration::from_secs(5))
            .expect("finished within five seconds")
    }

    #[test]
    fn a_regular_file_is_read_and_a_bom_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        std::fs::write(&p, "\u{feff}id: x\n").unwrap();
        assert_eq!(read_text(&p, 100).unwrap(), "id: x\n");
        assert_eq!(read_bytes(&p, 100).unwrap().len(), 9);
    }

    #[test]
    fn too_large_is_refused_before_reading() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.yaml");
        let f = File::create(&p).unwrap();
        f.set_len(MAX_TEXT_FILE + 1).unwrap();
        let e = read_text(&p, MAX_TEXT_FILE).unwrap_err();
        assert!(matches!(e, ReadError::TooLarge { .. }), "{e}");
        assert!(e.to_string().contains("超过上限 16.0 MB"), "{e}");
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_and_a_device_are_refused_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("p.yaml");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates the node.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = within_seconds(move || read_text(&fifo, MAX_TEXT_FILE).unwrap_err());
        assert!(e.to_string().contains("命名管道"), "{e}");
        let e = within_seconds(|| read_bytes(Path::new("/dev/zero"), 10).unwrap_err());
        assert!(e.to_string().contains("设备"), "{e}");
        let d = dir.path().to_path_buf();
        let e = within_seconds(move || read_bytes(&d, 10).unwrap_err());
        assert!(matches!(e, ReadError::Directory), "{e}");
    }

    #[test]
    fn not_utf8_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.yaml");
        std::fs::write(&p, b"id: \xff\n").unwrap();
        assert!(matches!(read_text(&p, 100), Err(ReadError::NotUtf8)));
    }

    #[test]
    fn yaml_mappings_are_told_from_other_text() {
        for yes in [
            "",
            "# c\n\nid: x\n",
            "---\nrules: []\n",
            "--- \n%YAML 1.2\nid: x",
            "\"a b\": 1",
            "packs:\n  - x",
            "{a: 1}",
            "规则: 1",
            "key :\n",
        ] {
            assert!(looks_like_yaml_mapping(yes), "{yes:?}");
        }
        for no in [
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n",
            "- a\n- b\n",
            "just some words\n",
            "http://x.y/z\n",
            "a\0b: 1",
            "[1, 2]",
            "ssh-ed25519 AAAA x@y\n",
        ] {
            assert!(!looks_like_yaml_mapping(no), "{no:?}");
        }
    }

    #[test]
    fn clip_cuts_on_a_char_boundary() {
        assert_eq!(clip("报告年度", 2), "报告…");
        assert_eq!(clip("ab", 2), "ab");
    }
}

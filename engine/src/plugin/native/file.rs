//! Reading a plugin file safely: only a regular file, at most
//! [`MAX_PLUGIN_BYTES`], read once. A named pipe, a device (`/dev/zero`), a
//! socket or a directory is refused before anything is read from it, and
//! opening never blocks (a FIFO is opened non-blocking on Unix), so a
//! configuration cannot make gklint hang or fill its memory.

use std::fs::{File, Metadata, OpenOptions};
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

/// The largest plugin file gklint reads: 256 MiB (real plugins are a few MiB).
pub const MAX_PLUGIN_BYTES: u64 = 256 * 1024 * 1024;

/// The bytes of a plugin file, read once, with their SHA-256.
#[derive(Debug, Clone)]
pub struct PluginFile {
    pub bytes: Vec<u8>,
    /// The SHA-256 of `bytes`, in lowercase hex.
    pub sha256: String,
}

/// Reads a plugin file whole. Errors (in Chinese) say what the path is when
/// it is not a regular file, or how large it is when it is too large.
pub fn read_plugin_file(path: &Path) -> io::Result<PluginFile> {
    let file = open_regular(path)?;
    let expected = file.metadata()?.len();
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    // One byte more than the cap tells a file that grew past it while read.
    file.take(MAX_PLUGIN_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_PLUGIN_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    let sha256 = sha256_hex(&bytes);
    Ok(PluginFile { bytes, sha256 })
}

/// The SHA-256 of a plugin file (read as [`read_plugin_file`] reads it), in lowercase hex.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    read_plugin_file(path).map(|f| f.sha256)
}

/// The SHA-256 of some bytes, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Refuses, without opening it, a path that is not a regular file (the
/// check for a library opened by path, `--plugin`).
pub fn ensure_regular(path: &Path) -> io::Result<()> {
    check(&std::fs::metadata(path)?)
}

/// Opens a regular file for reading. The kind is checked before opening
/// (so a FIFO is never opened for a blocking read) and again on the opened
/// handle (so a file swapped in between is caught).
fn open_regular(path: &Path) -> io::Result<File> {
    ensure_regular(path)?;
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    check(&file.metadata()?)?;
    Ok(file)
}

fn check(meta: &Metadata) -> io::Result<()> {
    let t = meta.file_type();
    if t.is_dir() {
        return Err(io::Error::other("这是一个目录，不是插件库文件"));
    }
    if !t.is_file() {
        return Err(io::Error::other(
            "这不是普通文件（是命名管道、设备或套接字），不能作为插件库",
        ));
    }
    if meta.len() > MAX_PLUGIN_BYTES {
        return Err(too_large(meta.len()));
    }
    Ok(())
}

fn too_large(len: u64) -> io::Error {
    io::Error::other(format!(
        "文件有 {} MiB，超过插件库文件的上限 {} MiB，不像是插件库",
        len.div_ceil(1024 * 1024),
        MAX_PLUGIN_BYTES / (1024 * 1024)
    ))
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;

    /// Runs `f` on another thread and fails the test if it takes more than
    /// five seconds (rather than hanging the test run).
    fn within_seconds<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(f());
        });
        rx.recv_timeout(Duration::from_secs(5))
            .expect("finished within five seconds")
    }

    #[test]
    fn a_regular_file_is_read_once_and_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("libx.so");
        std::fs::write(&p, b"abc").unwrap();
        let f = read_plugin_file(&p).unwrap();
        assert_eq!(f.bytes, b"abc");
        assert_eq!(
            f.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256_file(&p).unwrap(), f.sha256);
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let e = within_seconds(move || read_plugin_file(&path).unwrap_err());
        assert!(e.to_string().contains("目录"), "{e}");
        assert!(ensure_regular(dir.path()).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("libfifo.so");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid C string; mkfifo only creates the node.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let p = fifo.clone();
        let e = within_seconds(move || read_plugin_file(&p).unwrap_err());
        assert!(e.to_string().contains("命名管道"), "{e}");
        let p = fifo.clone();
        assert!(within_seconds(move || sha256_file(&p)).is_err());
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_refused_without_reading_it() {
        let e = within_seconds(|| read_plugin_file(Path::new("/dev/zero")).unwrap_err());
        assert!(e.to_string().contains("不是普通文件"), "{e}");
    }

    #[test]
    fn a_huge_file_is_refused_before_it_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("libhuge.so");
        let f = std::fs::File::create(&p).unwrap();
        // Sparse: takes no disk space.
        f.set_len(MAX_PLUGIN_BYTES + 1).unwrap();
        let e = within_seconds(move || read_plugin_file(&p).unwrap_err());
        assert!(
            e.to_string().contains("超过插件库文件的上限 256 MiB"),
            "{e}"
        );
    }
}

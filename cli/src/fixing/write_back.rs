//! Writing a fixed file back in place, only if it is still the file that was
//! read. Between the read and the write (seconds for a large report) the path
//! may have been edited, replaced, or swapped for a symbolic link to a file
//! that must not be touched; an atomic rename over a hard link would also
//! quietly split it. So the file's identity is noted before it is read
//! ([`Seen`]) and checked again, through a handle on its folder, right before
//! the rename; anything that differs is refused and nothing is written.

use std::path::{Path, PathBuf};

use anyhow::Result;

/// A file's identity on disk: a replaced, edited or touched file differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Identity {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
}

/// A symbolic link named on the command line, as it was when read.
#[derive(Debug, Clone)]
struct Link {
    /// What the link says (compared, not followed, at write time).
    text: PathBuf,
    /// The file it led to, which is the one fixed.
    resolved: PathBuf,
}

/// What a path named when its file was read.
#[derive(Debug, Clone)]
pub struct Seen {
    link: Option<Link>,
    id: Identity,
}

impl Seen {
    /// Notes what `path` names; call it before reading the file, so that any
    /// change made after this (even during the read) is caught at write time.
    pub fn capture(path: &Path) -> std::io::Result<Seen> {
        let link = if std::fs::symlink_metadata(path)?.file_type().is_symlink() {
            Some(Link {
                text: std::fs::read_link(path)?,
                resolved: std::fs::canonicalize(path)?,
            })
        } else {
            None
        };
        let id = identity(&std::fs::metadata(path)?);
        Ok(Seen { link, id })
    }
}

fn changed(name: &str) -> anyhow::Error {
    anyhow::anyhow!("{name} 在检查期间被修改或替换，未写入；请重新运行 gklint check --fix")
}

/// The file `path` leads to now, if that is still the one seen (a link must
/// still say the same and lead to the same place).
fn target<'a>(path: &'a Path, name: &str, seen: &'a Seen) -> Result<&'a Path> {
    let Some(link) = &seen.link else {
        return Ok(path);
    };
    let same = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink())
        && std::fs::read_link(path).is_ok_and(|t| t == link.text)
        && std::fs::canonicalize(path).is_ok_and(|r| r == link.resolved);
    if !same {
        return Err(changed(name));
    }
    Ok(&link.resolved)
}

#[cfg(unix)]
fn identity(m: &std::fs::Metadata) -> Identity {
    use std::os::unix::fs::MetadataExt as _;
    Identity {
        dev: m.dev(),
        ino: m.ino(),
        size: m.size(),
        mtime: (m.mtime(), m.mtime_nsec()),
    }
}

#[cfg(not(unix))]
fn identity(m: &std::fs::Metadata) -> Identity {
    let mtime = m
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or((0, 0), |d| {
            (d.as_secs() as i64, i64::from(d.subsec_nanos()))
        });
    Identity {
        dev: 0,
        ino: 0,
        size: m.len(),
        mtime,
    }
}

/// Replaces the file at `path` (named `name` in messages) by `new`, if it
/// still is the file `seen` noted and still holds `original`; else an error
/// and nothing written. The owner, mode (setuid/setgid included) and
/// extended attributes are kept, or the write is refused; no temporary file
/// is left behind.
pub fn replace(path: &Path, name: &str, seen: &Seen, original: &[u8], new: &[u8]) -> Result<()> {
    let file = target(path, name, seen)?;
    imp::replace(file, name, seen.id, original, new)
}

/// Whether `file` holds exactly `original` (read no further than one byte
/// past it).
fn holds(file: &std::fs::File, original: &[u8]) -> std::io::Result<bool> {
    use std::io::{Read as _, Seek as _};
    let mut file = file;
    file.rewind()?;
    let mut now = Vec::with_capacity(original.len() + 1);
    file.take(original.len() as u64 + 1).read_to_end(&mut now)?;
    Ok(now == original)
}

#[cfg(unix)]
mod imp {
    use std::ffi::{CStr, CString};
    use std::fs::File;
    use std::io::Write as _;
    use std::os::fd::{AsRawFd as _, FromRawFd as _};
    use std::os::unix::ffi::OsStrExt as _;
    use std::os::unix::fs::{MetadataExt as _, OpenOptionsExt as _, PermissionsExt as _};
    use std::path::Path;

    use anyhow::{Context as _, Result, bail};

    use super::{Identity, changed, holds};

    pub fn replace(
        file: &Path,
        name: &str,
        id: Identity,
        original: &[u8],
        new: &[u8],
    ) -> Result<()> {
        let Some(base) = file.file_name() else {
            bail!("{name} 不是文件路径，未写入");
        };
        let dir_path = file
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        // Every later step goes through this handle, so swapping a folder
        // on the way cannot send the write elsewhere.
        let dir = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_DIRECTORY | libc::O_CLOEXEC)
            .open(dir_path)
            .with_context(|| format!("无法打开 {name} 所在的目录，未写入"))?;
        let base = CString::new(base.as_bytes()).map_err(|_| changed(name))?;
        let st = stat_at(&dir, &base).map_err(|_| changed(name))?;
        if !st.regular || st.id != id {
            return Err(changed(name));
        }
        if st.nlink > 1 {
            bail!(
                "{name} 有 {} 个硬链接；写回会换成新文件，使其他链接仍指向旧内容（断开硬链接），未写入；请用 --diff 查看修复内容后手工修改",
                st.nlink
            );
        }
        if st.mode & 0o222 == 0 {
            bail!("{name} 是只读文件，未修改");
        }
        let old = open_at(&dir, &base, libc::O_RDONLY).map_err(|_| changed(name))?;
        let meta = old.metadata().map_err(|_| changed(name))?;
        if super::identity(&meta) != id {
            return Err(changed(name));
        }
        let mut tmp = Temp::create(&dir, name)?;
        let unwritten = |what: &str| format!("写入临时文件失败（{what}），{name} 未修改");
        tmp.file.write_all(new).with_context(|| unwritten("写入"))?;
        keep_attributes(&old, &meta, &tmp.file, name)?;
        tmp.file
            .sync_all()
            .with_context(|| unwritten("同步到磁盘"))?;
        // The last look, as close to the rename as can be: the name still
        // names the file read, unchanged.
        let now = stat_at(&dir, &base).map_err(|_| changed(name))?;
        let same_meta = old.metadata().map(|m| super::identity(&m) == id);
        if !now.regular
            || now.id != id
            || now.nlink != 1
            || !same_meta.unwrap_or(false)
            || !holds(&old, original).unwrap_or(false)
        {
            return Err(changed(name));
        }
        // SAFETY: both names are NUL-terminated and `dir` is an open folder.
        let rc = unsafe {
            libc::renameat(
                dir.as_raw_fd(),
                tmp.name.as_ptr(),
                dir.as_raw_fd(),
                base.as_ptr(),
            )
        };
        if rc != 0 {
            let e = std::io::Error::last_os_error();
            bail!("无法替换 {name}：{e}（原文件未修改）");
        }
        tmp.done = true;
        // The rename is durable once the folder is (best effort: some file
        // systems refuse fsync on a folder).
        dir.sync_all().ok();
        Ok(())
    }

    /// Owner, mode bits (setuid, setgid, sticky) and extended attributes of
    /// `old`, given to `new`; an error when any of them cannot be kept.
    fn keep_attributes(old: &File, meta: &std::fs::Metadata, new: &File, name: &str) -> Result<()> {
        let mine = new.metadata().context("无法读取临时文件的属性")?;
        if (mine.uid(), mine.gid()) != (meta.uid(), meta.gid()) {
            std::os::unix::fs::fchown(new, Some(meta.uid()), Some(meta.gid())).map_err(|e| {
                anyhow::anyhow!(
                    "{name} 的所有者（uid {}，gid {}）无法保留（{e}），未写入；请以文件所有者或 root 身份运行，或用 --diff 查看修复内容",
                    meta.uid(),
                    meta.gid()
                )
            })?;
        }
        // After the chown, which clears setuid and setgid.
        let mode = meta.mode() & 0o7777;
        new.set_permissions(std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("无法为 {name} 的新内容设置权限 {mode:o}，未写入"))?;
        xattrs::copy(old, new, name)?;
        let got = new.metadata().context("无法读取临时文件的属性")?;
        if (got.uid(), got.gid(), got.mode() & 0o7777) != (meta.uid(), meta.gid(), mode) {
            bail!(
                "{name} 的所有者或权限位（{mode:o}，含 setuid/setgid）无法在新文件上保留，未写入；请用 --diff 查看修复内容后手工修改"
            );
        }
        Ok(())
    }

    /// What `fstatat` says of a folder entry itself (a link is not followed).
    struct Entry {
        /// A regular file (not a link, FIFO, folder…).
        regular: bool,
        mode: u32,
        nlink: u64,
        id: Identity,
    }

    // The field types of `struct stat` differ between platforms.
    #[allow(clippy::unnecessary_cast)]
    fn stat_at(dir: &File, name: &CStr) -> std::io::Result<Entry> {
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: `name` is NUL-terminated and `st` is written on success.
        let rc = unsafe {
            libc::fstatat(
                dir.as_raw_fd(),
                name.as_ptr(),
                st.as_mut_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        if rc != 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: fstatat succeeded.
        let st = unsafe { st.assume_init() };
        Ok(Entry {
            regular: (st.st_mode as u32) & (libc::S_IFMT as u32) == libc::S_IFREG as u32,
            mode: (st.st_mode as u32) & 0o7777,
            nlink: st.st_nlink as u64,
            id: Identity {
                dev: st.st_dev as u64,
                ino: st.st_ino as u64,
                size: st.st_size as u64,
                mtime: (st.st_mtime as i64, st.st_mtime_nsec as i64),
            },
        })
    }

    /// Opens a folder entry without following a link and without waiting
    /// on a FIFO that might have been put there.
    fn open_at(dir: &File, name: &CStr, flags: libc::c_int) -> std::io::Result<File> {
        let flags = flags | libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC;
        // SAFETY: `name` is NUL-terminated; the fd returned is owned below.
        let fd = unsafe { libc::openat(dir.as_raw_fd(), name.as_ptr(), flags, 0o600) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: `fd` is a fresh descriptor nobody else owns.
        Ok(unsafe { File::from_raw_fd(fd) })
    }

    /// A new file in the folder, removed again unless it was renamed.
    struct Temp<'a> {
        dir: &'a File,
        name: CString,
        file: File,
        done: bool,
    }

    impl<'a> Temp<'a> {
        fn create(dir: &'a File, shown: &str) -> Result<Temp<'a>> {
            use std::sync::atomic::{AtomicU64, Ordering};
            static COUNT: AtomicU64 = AtomicU64::new(0);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let mut last = None;
            for _ in 0..16 {
                let n = COUNT.fetch_add(1, Ordering::Relaxed);
                let name = format!(".gklint-fix-{}-{n}-{nanos:08x}.tmp", std::process::id());
                let name = CString::new(name).expect("no NUL in a generated name");
                match open_at(dir, &name, libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL) {
                    Ok(file) => {
                        return Ok(Temp {
                            dir,
                            name,
                            file,
                            done: false,
                        });
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
                    Err(e) => {
                        last = Some(e);
                        break;
                    }
                }
            }
            let e = last.map_or_else(String::new, |e| e.to_string());
            bail!("无法在 {shown} 所在的目录中创建临时文件（{e}），{shown} 未修改")
        }
    }

    impl Drop for Temp<'_> {
        fn drop(&mut self) {
            if !self.done {
                // SAFETY: `name` is NUL-terminated and `dir` an open folder.
                unsafe { libc::unlinkat(self.dir.as_raw_fd(), self.name.as_ptr(), 0) };
            }
        }
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    mod xattrs {
        //! Extended attributes (SELinux labels, ACLs, user metadata) copied
        //! from the old file to its replacement, so none is lost silently.

        use std::ffi::{CStr, CString};
        use std::fs::File;
        use std::os::fd::AsRawFd as _;

        use anyhow::{Result, bail};

        pub fn copy(old: &File, new: &File, name: &str) -> Result<()> {
            let fail = |what: &str, e: std::io::Error| {
                anyhow::anyhow!(
                    "{name} 的扩展属性 {what} 无法复制到新文件（{e}），未写入；请用 --diff 查看修复内容后手工修改"
                )
            };
            let wanted = list(old).map_err(|e| fail("列表", e))?;
            // A new file may get attributes of its own (a folder's default
            // ACL): those the old file lacks go.
            for attr in list(new).map_err(|e| fail("列表", e))? {
                if !wanted.contains(&attr) {
                    // SAFETY: `attr` is NUL-terminated.
                    if unsafe { libc::fremovexattr(new.as_raw_fd(), attr.as_ptr()) } != 0 {
                        let e = std::io::Error::last_os_error();
                        bail!(fail(&attr.to_string_lossy(), e));
                    }
                }
            }
            for attr in &wanted {
                let shown = attr.to_string_lossy();
                let value = get(old, attr).map_err(|e| fail(&shown, e))?;
                if get(new, attr).ok().as_ref() == Some(&value) {
                    continue;
                }
                // SAFETY: `attr` is NUL-terminated, `value` a live buffer.
                let rc = unsafe {
                    libc::fsetxattr(
                        new.as_raw_fd(),
                        attr.as_ptr(),
                        value.as_ptr().cast(),
                        value.len(),
                        0,
                    )
                };
                if rc != 0 {
                    return Err(fail(&shown, std::io::Error::last_os_error()));
                }
            }
            Ok(())
        }

        /// Calls `f(buffer, size)` the way the xattr calls want: first for
        /// the size, then to fill the buffer.
        fn sized(f: impl Fn(*mut libc::c_char, usize) -> isize) -> std::io::Result<Vec<u8>> {
            let n = f(std::ptr::null_mut(), 0);
            if n < 0 {
                return Err(std::io::Error::last_os_error());
            }
            let mut buf = vec![0u8; n as usize];
            let got = f(buf.as_mut_ptr().cast(), buf.len());
            if got < 0 {
                // ERANGE when it grew meanwhile: refuse rather than guess.
                return Err(std::io::Error::last_os_error());
            }
            buf.truncate(got as usize);
            Ok(buf)
        }

        fn list(file: &File) -> std::io::Result<Vec<CString>> {
            // SAFETY: the buffer and its size come from `sized`.
            let names = match sized(|b, n| unsafe { libc::flistxattr(file.as_raw_fd(), b, n) }) {
                Ok(n) => n,
                // A file system without extended attributes has none to lose.
                Err(e) if e.raw_os_error() == Some(libc::ENOTSUP) => return Ok(Vec::new()),
                Err(e) => return Err(e),
            };
            Ok(names
                .split(|&b| b == 0)
                .filter(|n| !n.is_empty())
                .filter_map(|n| CString::new(n).ok())
                .collect())
        }

        fn get(file: &File, attr: &CStr) -> std::io::Result<Vec<u8>> {
            // SAFETY: `attr` is NUL-terminated; buffer and size come from `sized`.
            sized(|b, n| unsafe { libc::fgetxattr(file.as_raw_fd(), attr.as_ptr(), b.cast(), n) })
        }
    }

    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    mod xattrs {
        // Other systems spell the calls differently; their extended
        // attributes are not read here.
        pub fn copy(_: &std::fs::File, _: &std::fs::File, _: &str) -> anyhow::Result<()> {
            Ok(())
        }
    }
}

#[cfg(not(unix))]
mod imp {
    use std::io::Write as _;
    use std::path::Path;

    use anyhow::{Context as _, Result, bail};

    use super::{Identity, changed, holds};

    pub fn replace(
        file: &Path,
        name: &str,
        id: Identity,
        original: &[u8],
        new: &[u8],
    ) -> Result<()> {
        let meta = std::fs::symlink_metadata(file).map_err(|_| changed(name))?;
        if !meta.is_file() || super::identity(&meta) != id {
            return Err(changed(name));
        }
        if meta.permissions().readonly() {
            bail!("{name} 是只读文件，未修改");
        }
        let dir = file
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut tmp = tempfile::NamedTempFile::new_in(dir)
            .with_context(|| format!("无法在 {name} 所在的目录中创建临时文件，{name} 未修改"))?;
        tmp.write_all(new)
            .with_context(|| format!("写入临时文件失败，{name} 未修改"))?;
        tmp.as_file().sync_all().ok();
        std::fs::set_permissions(tmp.path(), meta.permissions()).ok();
        let old = std::fs::File::open(file).map_err(|_| changed(name))?;
        let now = std::fs::symlink_metadata(file).map_err(|_| changed(name))?;
        if super::identity(&now) != id || !holds(&old, original).unwrap_or(false) {
            return Err(changed(name));
        }
        drop(old);
        tmp.persist(file)
            .map_err(|e| anyhow::anyhow!("无法替换 {name}：{}（原文件未修改）", e.error))?;
        Ok(())
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// The names and bytes of every entry of `dir` (links as their text).
    fn listing(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut out: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                let name = p.file_name().unwrap().to_string_lossy().into_owned();
                let m = std::fs::symlink_metadata(&p).unwrap();
                let bytes = if m.file_type().is_symlink() {
                    let t = std::fs::read_link(&p).unwrap();
                    format!("-> {}", t.display()).into_bytes()
                } else {
                    std::fs::read(&p).unwrap()
                };
                (name, bytes)
            })
            .collect();
        out.sort();
        out
    }

    fn entry(name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
        (name.to_owned(), bytes.to_vec())
    }

    #[test]
    fn a_file_swapped_for_a_symlink_after_the_read_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let (t, v) = (dir.path().join("t.txt"), dir.path().join("victim.txt"));
        std::fs::write(&t, "钩稽").unwrap();
        std::fs::write(&v, "VICTIM").unwrap();
        let seen = Seen::capture(&t).unwrap();
        let original = std::fs::read(&t).unwrap();
        std::fs::rename(&t, dir.path().join("t.orig")).unwrap();
        std::os::unix::fs::symlink("victim.txt", &t).unwrap();
        let e = replace(&t, "t.txt", &seen, &original, "勾稽".as_bytes()).unwrap_err();
        assert!(
            e.to_string().contains("t.txt 在检查期间被修改或替换"),
            "{e}"
        );
        assert_eq!(
            listing(dir.path()),
            [
                entry("t.orig", "钩稽".as_bytes()),
                entry("t.txt", b"-> victim.txt"),
                entry("victim.txt", b"VICTIM"),
            ]
        );
    }

    #[test]
    fn an_edit_after_the_read_is_refused_even_with_size_and_time_restored() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("t.txt");
        std::fs::write(&t, "钩稽一").unwrap();
        let seen = Seen::capture(&t).unwrap();
        let original = std::fs::read(&t).unwrap();
        let mtime = std::fs::metadata(&t).unwrap().modified().unwrap();
        // Same inode, same size, same modification time: only the bytes differ.
        let f = std::fs::OpenOptions::new().write(true).open(&t).unwrap();
        std::io::Write::write_all(&mut &f, "钩稽二".as_bytes()).unwrap();
        f.set_modified(mtime).unwrap();
        drop(f);
        let e = replace(&t, "t.txt", &seen, &original, "勾稽一".as_bytes()).unwrap_err();
        assert!(e.to_string().contains("在检查期间被修改或替换"), "{e}");
        assert_eq!(listing(dir.path()), [entry("t.txt", "钩稽二".as_bytes())]);
    }

    #[test]
    fn a_link_retargeted_after_the_read_is_refused_and_a_steady_one_fixes_its_target() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("link.txt");
        std::fs::write(dir.path().join("a.txt"), "钩稽").unwrap();
        std::fs::write(dir.path().join("b.txt"), "钩稽").unwrap();
        std::os::unix::fs::symlink("a.txt", &link).unwrap();
        let seen = Seen::capture(&link).unwrap();
        std::fs::remove_file(&link).unwrap();
        std::os::unix::fs::symlink("b.txt", &link).unwrap();
        let e = replace(&link, "link.txt", &seen, "钩稽".as_bytes(), b"x").unwrap_err();
        assert!(e.to_string().contains("link.txt 在检查期间"), "{e}");
        let seen = Seen::capture(&link).unwrap();
        replace(
            &link,
            "link.txt",
            &seen,
            "钩稽".as_bytes(),
            "勾稽".as_bytes(),
        )
        .unwrap();
        assert_eq!(
            listing(dir.path()),
            [
                entry("a.txt", "钩稽".as_bytes()),
                entry("b.txt", "勾稽".as_bytes()),
                entry("link.txt", b"-> b.txt"),
            ]
        );
    }

    #[test]
    fn a_file_replaced_by_a_fifo_is_refused_without_waiting() {
        let dir = tempfile::tempdir().unwrap();
        let t = dir.path().join("t.txt");
        std::fs::write(&t, "钩稽").unwrap();
        let seen = Seen::capture(&t).unwrap();
        std::fs::remove_file(&t).unwrap();
        let c = std::ffi::CString::new(t.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = replace(&t, "t.txt", &seen, "钩稽".as_bytes(), b"x").unwrap_err();
        assert!(e.to_string().contains("在检查期间被修改或替换"), "{e}");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "a temporary file was left behind");
    }
}

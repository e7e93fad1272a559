//! The result cache of `gklint check`, as in Ruff: a file's findings are
//! kept under a key made of everything they depend on (its name and bytes,
//! the packs and plugins, its configuration, the limits), in a folder of the
//! user's cache directory that belongs to one gklint build. A file that has
//! not changed is then not read into a report again, nor an office's years
//! compared again.
//!
//! Entries are content-addressed files written atomically; one that cannot
//! be read or understood is a miss, never an error. A run that cannot write
//! the cache says so once and goes on.

use std::borrow::Cow;
use std::hash::Hasher as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use gklint_engine::diagnostic::Diagnostic;
use gklint_engine::pack::PackInput;
use gklint_engine::read::{Extraction, Format, Place};
use gklint_engine::source::{Encoding, SourceFile};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use siphasher::sip128::{Hasher128, SipHasher13};

/// Where the cache lives when neither `--cache-dir` nor `GKLINT_CACHE_DIR`
/// says: the platform's per-user cache folder.
pub fn default_root() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    if cfg!(windows) {
        return var("LOCALAPPDATA").map(|d| PathBuf::from(d).join("gklint").join("cache"));
    }
    var("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .map(|d| d.join("gklint"))
}

/// A cache key: 128 bits of SipHash-1-3 over length-prefixed parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Key(u128);

/// Builds a [`Key`]; every part is length-prefixed, so ("ab", "c") and
/// ("a", "bc") differ.
pub struct KeyBuilder(SipHasher13);

impl KeyBuilder {
    /// A key of one kind (`file`, `cross` …): kinds never collide.
    pub fn new(kind: &str) -> KeyBuilder {
        let mut b = KeyBuilder(SipHasher13::new());
        b.str(kind);
        b
    }

    pub fn bytes(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.write_u64(bytes.len() as u64);
        self.0.write(bytes);
        self
    }

    pub fn str(&mut self, s: &str) -> &mut Self {
        self.bytes(s.as_bytes())
    }

    pub fn u64(&mut self, n: u64) -> &mut Self {
        self.0.write_u64(n);
        self
    }

    pub fn key(&mut self, k: Key) -> &mut Self {
        self.0.write_u128(k.0);
        self
    }

    pub fn path(&mut self, p: &Path) -> &mut Self {
        self.bytes(p.as_os_str().as_encoded_bytes())
    }

    /// A file's length and modification time (for files too large to hash
    /// on every run, such as gklint itself); zeros when it cannot be read.
    pub fn file_stamp(&mut self, p: &Path) -> &mut Self {
        let meta = std::fs::metadata(p).ok();
        let len = meta.as_ref().map_or(0, std::fs::Metadata::len);
        let nanos = meta
            .and_then(|m| m.modified().ok())
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos() as u64);
        self.path(p).u64(len).u64(nanos)
    }

    pub fn finish(&self) -> Key {
        Key(self.0.finish128().into())
    }
}

/// The key of a pack set: every pack file's name and text.
pub fn packs_key(inputs: &[PackInput]) -> Key {
    let mut key = KeyBuilder::new("packs");
    for i in inputs {
        key.str(&i.origin).u64(u64::from(i.builtin));
        for f in &i.files {
            key.str(&f.path).str(&f.contents);
        }
    }
    key.finish()
}

/// A file's place in the cache: the key of its entry, and the key of its
/// bytes alone (to tell, when the file is read again, that it is the same).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cached {
    pub entry: Key,
    pub bytes: Key,
}

impl Cached {
    /// `kind` (`file`, `history`) with what else the entry depends on, then the bytes.
    pub fn new(
        kind: &str,
        settings: Key,
        name: impl AsRef<std::ffi::OsStr>,
        extra: Option<&Path>,
        bytes: &[u8],
    ) -> Cached {
        let bytes = KeyBuilder::new("bytes").bytes(bytes).finish();
        let mut k = KeyBuilder::new(kind);
        // The OS bytes of the name: two names shown alike (one not UTF-8)
        // are two files.
        k.key(settings).bytes(name.as_ref().as_encoded_bytes());
        if let Some(p) = extra {
            k.path(p);
        }
        Cached {
            entry: k.key(bytes).finish(),
            bytes,
        }
    }

    /// Whether `bytes` are the bytes this entry was made from.
    pub fn is_of(&self, bytes: &[u8]) -> bool {
        KeyBuilder::new("bytes").bytes(bytes).finish() == self.bytes
    }
}

/// What the cache keeps of one linted file.
#[derive(Serialize, Deserialize)]
pub struct FileEntry<'a> {
    /// The file's findings as linted: before `--lang`, fixes and baselines.
    pub diagnostics: Cow<'a, [Diagnostic]>,
    /// Its office key and year, for the cross-year pass.
    pub office_year: Option<(Cow<'a, str>, i32)>,
    /// For Word, HTML and PDF files, the extracted text the findings refer to.
    pub extracted: Option<Extracted<'a>>,
}

/// The extracted text of a Word, HTML or PDF file, and its places.
#[derive(Serialize, Deserialize)]
pub struct Extracted<'a> {
    pub text: Cow<'a, str>,
    pub places: Cow<'a, [Place]>,
    pub encoding: Encoding,
}

impl<'a> FileEntry<'a> {
    pub fn new(
        source: &'a SourceFile,
        diagnostics: &'a [Diagnostic],
        office_year: Option<(&'a str, i32)>,
    ) -> FileEntry<'a> {
        FileEntry {
            diagnostics: Cow::Borrowed(diagnostics),
            office_year: office_year.map(|(o, y)| (Cow::Borrowed(o), y)),
            extracted: source.origin.as_ref().map(|o| Extracted {
                text: Cow::Borrowed(&source.text),
                places: Cow::Borrowed(&o.places),
                encoding: source.encoding,
            }),
        }
    }

    /// The source the findings refer to, made again from the file's bytes
    /// (and, for an extracted file, the text kept), once every place the
    /// entry names is checked against it: an entry is untrusted input
    /// (anyone who can write the cache folder can write one), and one that
    /// does not fit is a miss.
    pub fn source(&self, name: &str, bytes: Vec<u8>, format: Format) -> Result<SourceFile, Miss> {
        if self.extracted.is_some() != format.is_extracted() {
            return Err(Miss::Invalid(bytes));
        }
        let source = match &self.extracted {
            Some(e) => {
                if !places_fit(&e.places, &e.text) {
                    return Err(Miss::Invalid(bytes));
                }
                SourceFile::extracted(
                    name,
                    bytes,
                    format,
                    Extraction {
                        text: e.text.to_string(),
                        places: e.places.to_vec(),
                        encoding: Some(e.encoding),
                        ..Default::default()
                    },
                )
            }
            None => SourceFile::decode(name, bytes)
                .map_err(|e| Miss::Undecodable(anyhow::anyhow!("{name}：无法解码：{e}")))?,
        };
        if diagnostics_fit(&self.diagnostics, &source.text) {
            Ok(source)
        } else {
            Err(Miss::Invalid(source.bytes))
        }
    }
}

/// Why a cached entry was not used.
pub enum Miss {
    /// It does not fit the file: lint the file afresh (its bytes are given back).
    Invalid(Vec<u8>),
    /// The file's bytes cannot be decoded as text (linting it afresh fails the same way).
    Undecodable(anyhow::Error),
}

/// Whether every byte range `diagnostics` name (their spans, related
/// places and fix edits) lies in `text`, in order, on character
/// boundaries: what rendering, fingerprints and `--fix` slice by.
pub fn diagnostics_fit(diagnostics: &[Diagnostic], text: &str) -> bool {
    let fits = |s: &std::ops::Range<usize>| {
        s.start <= s.end
            && s.end <= text.len()
            && text.is_char_boundary(s.start)
            && text.is_char_boundary(s.end)
    };
    diagnostics.iter().all(|d| {
        fits(&d.span)
            && d.related.iter().all(|r| fits(&r.span))
            && d.fix
                .as_ref()
                .is_none_or(|f| f.edits.iter().all(|e| fits(&e.span)))
    })
}

/// Whether places are in order and each starts on a character boundary of `text`.
fn places_fit(places: &[Place], text: &str) -> bool {
    places.windows(2).all(|w| w[0].start <= w[1].start)
        && places
            .iter()
            .all(|p| p.start <= text.len() && text.is_char_boundary(p.start))
}

/// One office-year comparison: each compared file's findings, by its place
/// among the files compared.
#[derive(Serialize, Deserialize)]
pub struct CrossEntry {
    pub found: Vec<(usize, Vec<Diagnostic>)>,
}

/// What the cache keeps of a history report: its office key and year.
#[derive(Serialize, Deserialize)]
pub struct HistoryEntry {
    pub office_year: Option<(String, i32)>,
}

/// The cache folder of this gklint build.
pub struct Cache {
    dir: PathBuf,
    warned: AtomicBool,
}

/// Marks the folder as a cache for backup tools (see bford.info/cachedir).
const CACHEDIR_TAG: &str = "Signature: 8a477f597d28d172789f06886806bc55\n# gklint 的结果缓存，可随时删除（gklint clean）。\n";

impl Cache {
    /// The cache under `root` for this build. Folders of other builds are
    /// removed when this build first uses the root: their entries cannot
    /// match any more. `None` when the folder cannot be made (the run then
    /// goes without a cache, after saying so).
    pub fn open(root: &Path) -> Option<Cache> {
        let build = build_id()?;
        let dir = root.join(format!(
            "{}-{:016x}",
            env!("CARGO_PKG_VERSION"),
            build.0 as u64
        ));
        if !dir.is_dir() {
            if let Err(e) = create_private_dir(&dir) {
                eprintln!(
                    "gklint: 警告：无法创建缓存目录 {}：{e}；本次不使用缓存（可用 --cache-dir 另选位置，或 --no-cache 关闭缓存）",
                    dir.display()
                );
                return None;
            }
            // create_new: never through a link someone put there, never over a file.
            if let Ok(mut tag) = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(root.join("CACHEDIR.TAG"))
            {
                let _ = tag.write_all(CACHEDIR_TAG.as_bytes());
            }
            remove_other_builds(root, &dir);
        }
        Some(Cache {
            dir,
            warned: AtomicBool::new(false),
        })
    }

    fn path(&self, key: Key) -> PathBuf {
        let hex = format!("{:032x}", key.0);
        self.dir.join(&hex[..2]).join(&hex[2..])
    }

    /// The entry under `key`, if there is one that can be read: a regular
    /// file of this user's, no one else can write, within
    /// [`MAX_ENTRY_BYTES`] (what it says is checked by its user, see
    /// [`FileEntry::source`]).
    pub fn get<T: DeserializeOwned>(&self, key: Key) -> Option<T> {
        let bytes = crate::regular_file::read_own_bytes(&self.path(key), MAX_ENTRY_BYTES).ok()?;
        // Checked as UTF-8 once, not string by string.
        serde_json::from_str(std::str::from_utf8(&bytes).ok()?).ok()
    }

    /// Keeps `value` under `key`, atomically: a reader sees the whole entry or none.
    pub fn put<T: Serialize>(&self, key: Key, value: &T) {
        if let Err(e) = self.try_put(key, value)
            && !self.warned.swap(true, Ordering::Relaxed)
        {
            eprintln!(
                "gklint: 警告：无法写入缓存 {}：{e}；结果照常输出，只是下次不能复用（可用 --no-cache 关闭缓存）",
                self.dir.display()
            );
        }
    }

    fn try_put<T: Serialize>(&self, key: Key, value: &T) -> std::io::Result<()> {
        let path = self.path(key);
        let dir = path.parent().unwrap_or(&self.dir);
        create_private_dir(dir)?;
        // Made 0600 by tempfile, whatever the umask.
        let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
        serde_json::to_writer(std::io::BufWriter::new(tmp.as_file_mut()), value)?;
        tmp.as_file_mut().flush()?;
        tmp.persist(&path).map_err(|e| e.error)?;
        Ok(())
    }
}

/// The largest entry read: 256 MiB (an entry holds a report's findings
/// and, for Word, HTML and PDF, its extracted text).
pub const MAX_ENTRY_BYTES: u64 = 256 << 20;

/// Creates a cache folder (and its parents) readable by this user alone,
/// whatever the umask: the findings quote the reports.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt as _;
        b.mode(0o700);
    }
    b.create(dir)
}

/// This build of gklint: its version and the executable's size and time, so
/// that a rebuilt binary (new rules, same version) starts a fresh cache.
fn build_id() -> Option<Key> {
    let exe = std::env::current_exe().ok()?;
    Some(
        KeyBuilder::new("build")
            .str(env!("CARGO_PKG_VERSION"))
            .file_stamp(&exe)
            .finish(),
    )
}

fn remove_other_builds(root: &Path, keep: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let ours = p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(is_build_dir_name);
        if ours && p != keep && p.is_dir() {
            let _ = std::fs::remove_dir_all(&p);
        }
    }
}

/// `0.1.0-0123456789abcdef`: a folder this module made (nothing else in the
/// root is ever removed).
fn is_build_dir_name(name: &str) -> bool {
    name.rsplit_once('-').is_some_and(|(version, hex)| {
        !version.is_empty()
            && version.chars().all(|c| c.is_ascii_digit() || c == '.')
            && hex.len() == 16
            && hex.chars().all(|c| c.is_ascii_hexdigit())
    })
}

/// `gklint clean`: removes the cache folder's build folders and its tag.
pub fn clean(root: &Path) -> anyhow::Result<usize> {
    let entries = match std::fs::read_dir(root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => anyhow::bail!("无法读取缓存目录 {}：{e}", root.display()),
    };
    let mut removed = 0;
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        let name = name.to_string_lossy();
        if is_build_dir_name(&name) && p.is_dir() {
            std::fs::remove_dir_all(&p)
                .map_err(|err| anyhow::anyhow!("无法删除缓存 {}：{err}", p.display()))?;
            removed += 1;
        } else if name == "CACHEDIR.TAG" {
            let _ = std::fs::remove_file(&p);
        }
    }
    let _ = std::fs::remove_dir(root);
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_length_prefixed() {
        let a = KeyBuilder::new("t").str("ab").str("c").finish();
        let b = KeyBuilder::new("t").str("a").str("bc").finish();
        assert_ne!(a, b);
    }

    #[test]
    fn an_entry_knows_its_bytes() {
        let settings = KeyBuilder::new("t").finish();
        let c = Cached::new("file", settings, "a.txt", None, "报告".as_bytes());
        assert!(c.is_of("报告".as_bytes()));
        assert!(!c.is_of("报告。".as_bytes()));
        let elsewhere = Cached::new("file", settings, "b.txt", None, "报告".as_bytes());
        assert_eq!(c.bytes, elsewhere.bytes);
        assert_ne!(c.entry, elsewhere.entry, "the name is part of the key");
    }

    #[test]
    fn a_damaged_entry_is_a_miss() {
        let root = tempfile::tempdir().unwrap();
        let cache = Cache::open(root.path()).unwrap();
        let key = KeyBuilder::new("t").str("x").finish();
        cache.put(key, &CrossEntry { found: vec![] });
        assert!(cache.get::<CrossEntry>(key).is_some());
        std::fs::write(cache.path(key), b"{\"found\": [[0,").unwrap();
        assert!(cache.get::<CrossEntry>(key).is_none());
    }

    fn finding(span: (usize, usize), fix: Option<(usize, usize)>) -> Diagnostic {
        serde_json::from_value(serde_json::json!({
            "rule": "r", "category": "style", "severity": "warning", "message": "m",
            "help": "h", "span": { "start": span.0, "end": span.1 }, "related": [],
            "fix": fix.map(|(a, b)| serde_json::json!({ "description": "d",
                "edits": [{ "span": { "start": a, "end": b }, "replacement": "x" }] })),
            "values": {}
        }))
        .unwrap()
    }

    #[test]
    fn an_entry_that_does_not_fit_its_file_is_a_miss() {
        let text = "报告（一）\n";
        let source = SourceFile::decode("r.txt", text.as_bytes().to_vec()).unwrap();
        let fits = |d: Diagnostic| {
            let list = [d];
            let entry = FileEntry::new(&source, &list, None);
            match entry.source("r.txt", text.as_bytes().to_vec(), Format::Text) {
                Ok(s) => s.text == text,
                Err(Miss::Invalid(bytes)) => {
                    assert_eq!(bytes, text.as_bytes(), "the bytes come back");
                    false
                }
                Err(Miss::Undecodable(e)) => panic!("{e}"),
            }
        };
        assert!(fits(finding((0, 6), Some((3, 6)))));
        assert!(fits(finding((16, 16), None)), "an empty span at the end");
        assert!(!fits(finding((0, 17), None)), "past the end");
        assert!(!fits(finding((6, 3), None)), "reversed");
        assert!(!fits(finding((1, 6), None)), "starts inside a character");
        assert!(!fits(finding((0, 5), None)), "ends inside a character");
        assert!(
            !fits(finding((0, 3), Some((0, 1_000_000)))),
            "fix edit out of range"
        );
        assert!(
            !fits(finding((0, 3), Some((4, 6)))),
            "fix edit inside a character"
        );
        let mut related = finding((0, 3), None);
        related.related.push(gklint_engine::diagnostic::Related {
            span: 2..3,
            message: String::new(),
        });
        assert!(!fits(related), "related place inside a character");
    }

    #[test]
    fn an_extracted_entry_must_match_its_format_and_places() {
        let entry = |places: serde_json::Value| -> FileEntry<'static> {
            serde_json::from_value(serde_json::json!({
                "diagnostics": [], "office_year": null,
                "extracted": { "text": "报告\n表", "places": places, "encoding": "utf8" }
            }))
            .unwrap()
        };
        let place =
            |start: usize| serde_json::json!({ "start": start, "location": { "Paragraph": 1 } });
        let ok = entry(serde_json::json!([place(0), place(7)]));
        assert!(ok.source("r.html", b"<p>".to_vec(), Format::Html).is_ok());
        // Kept text for a text file: the entry is not of this file.
        assert!(ok.source("r.txt", b"x".to_vec(), Format::Text).is_err());
        for bad in [
            serde_json::json!([place(7), place(0)]),
            serde_json::json!([place(1)]),
            serde_json::json!([place(99)]),
        ] {
            let e = entry(bad.clone());
            assert!(
                e.source("r.html", b"<p>".to_vec(), Format::Html).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn only_build_folders_are_removed() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("0.0.9-00000000000000ff")).unwrap();
        std::fs::create_dir(root.path().join("报告")).unwrap();
        let cache = Cache::open(root.path()).unwrap();
        let mut left: Vec<_> = std::fs::read_dir(root.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        let ours = cache.dir.file_name().unwrap().to_str().unwrap().to_owned();
        assert_eq!(left, vec![ours, "CACHEDIR.TAG".into(), "报告".into()]);
        assert_eq!(clean(root.path()).unwrap(), 1);
        assert!(root.path().join("报告").is_dir());
    }
}

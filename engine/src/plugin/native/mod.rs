//! Loading plugin libraries from files, and deciding which may be loaded
//! (feature `native-plugins`; the rest of the engine opens no file).
//!
//! A plugin runs with the user's rights, and the language server opens
//! folders that may come from anyone, so a plugin loads only when
//!
//! - it is named on the command line (`--plugin PATH`: the user chose it), or
//! - a configuration (or an editor's settings, which a project can ship in
//!   `.vscode/settings.json`) lists it **and** the user's own trust file,
//!   outside any project, holds the SHA-256 of the file (`gklint plugin trust PATH`).
//!
//! A listed plugin is read once ([`file`]: a regular file of sane size,
//! never a FIFO or device), those bytes are hashed, and, when trusted,
//! exactly those bytes are written to a private temporary file that is
//! loaded: the file cannot be swapped between the hash and the load.
//!
//! Loaded libraries stay loaded until the process exits (unloading a Rust
//! library that has run on worker threads is not safe everywhere); a trusted
//! file is loaded once per process however often it is asked for (by its
//! SHA-256), so the language server's reloads cost nothing.

mod file;
mod trust;

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};

pub use file::{MAX_PLUGIN_BYTES, PluginFile, read_plugin_file, sha256_file, sha256_hex};
pub use trust::{TRUST_FILE_ENV, TrustEntry, TrustStore, trust_file_path};

use super::abi::{PluginV1, SYMBOL};
use super::{Plugin, PluginError, PluginErrorKind};

/// Loads a plugin library from its path. This runs the library's
/// initialisers: call it only for a file the user chose (`--plugin`). A
/// path that is not a regular file is refused before it is opened.
pub fn load_library(path: &Path) -> Result<Plugin, PluginError> {
    let shown = path.display().to_string();
    let open = |m: String| PluginError::new(&shown, PluginErrorKind::Open, m);
    let abs =
        std::fs::canonicalize(path).map_err(|e| open(format!("找不到插件文件 {shown}：{e}")))?;
    file::ensure_regular(&abs).map_err(|e| open(format!("插件 {shown} 无法加载：{e}")))?;
    let origin = abs.display().to_string();
    open_library(&abs, &origin)
}

/// Loads the plugins a configuration or the editor's settings list (paths
/// already resolved), each only if `trust` holds the SHA-256 of the file as
/// it is read now. `listed_by` says who listed them, for messages
/// (“配置文件 /项目/gklint.yaml”). An untrusted plugin is refused, without
/// being opened as a library, with a message saying how to trust it.
/// Returns what loaded and one error per plugin refused.
pub fn load_configured(
    listed_by: &str,
    plugins: &[PathBuf],
    trust: &TrustStore,
) -> (Vec<Plugin>, Vec<PluginError>) {
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for p in plugins {
        match load_trusted(listed_by, p, trust) {
            Ok(plugin) => loaded.push(plugin),
            Err(e) => errors.push(e),
        }
    }
    (loaded, errors)
}

/// Trusted plugins loaded so far in this process, by SHA-256.
static LOADED: LazyLock<Mutex<HashMap<String, Result<Plugin, PluginError>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

fn load_trusted(listed_by: &str, path: &Path, trust: &TrustStore) -> Result<Plugin, PluginError> {
    let shown = path.display().to_string();
    let read = read_plugin_file(path).map_err(|e| {
        PluginError::new(
            &shown,
            PluginErrorKind::Open,
            format!("{listed_by}列出的插件 {shown} 无法读取：{e}。请检查 plugins 中的路径"),
        )
    })?;
    if !trust.is_trusted(&read.sha256) {
        return Err(untrusted(listed_by, &shown, &read.sha256, trust));
    }
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(done) = loaded.get(&read.sha256) {
        return done.clone();
    }
    let origin = std::fs::canonicalize(path)
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string();
    let result = load_bytes(&read.bytes, &origin);
    loaded.insert(read.sha256, result.clone());
    result
}

/// Loads exactly `bytes` as a library: written to a new temporary file
/// (private to the user, with a random name), which is opened and then
/// removed (on Windows a loaded library cannot be removed and stays in the
/// temporary folder).
fn load_bytes(bytes: &[u8], origin: &str) -> Result<Plugin, PluginError> {
    let fail = |m: String| PluginError::new(origin, PluginErrorKind::Open, m);
    let write = || -> std::io::Result<tempfile::TempPath> {
        let mut tmp = tempfile::Builder::new()
            .prefix("gklint-plugin-")
            .suffix(std::env::consts::DLL_SUFFIX)
            .tempfile()?;
        tmp.write_all(bytes)?;
        tmp.flush()?;
        Ok(tmp.into_temp_path())
    };
    let copy = write().map_err(|e| {
        fail(format!(
            "无法把插件 {origin} 复制到临时目录 {} 以便加载：{e}。请检查该目录可写且有剩余空间（可用 TMPDIR 换一个目录）",
            std::env::temp_dir().display()
        ))
    })?;
    open_library(&copy, origin)
}

/// Opens a library file and adapts its descriptor; `origin` names it in messages.
fn open_library(file: &Path, origin: &str) -> Result<Plugin, PluginError> {
    let open = |m: String| PluginError::new(origin, PluginErrorKind::Open, m);
    // SAFETY: loading a library runs its initialisers; the caller has
    // established that the user trusts this file.
    let lib = unsafe { libloading::Library::new(file) }
        .map_err(|e| open(format!("无法把 {origin} 作为插件库加载：{e}")))?;
    // Never unloaded: see the module documentation.
    let lib: &'static libloading::Library = Box::leak(Box::new(lib));
    // SAFETY: by contract the symbol is `const PluginV1 *gklint_plugin_v1(void)`.
    let entry = unsafe { lib.get::<unsafe extern "C" fn() -> *const PluginV1>(SYMBOL.as_bytes()) }
        .map(|s| *s)
        .map_err(|_| {
            open(format!(
                "{origin} 不是 gklint 插件：库中没有导出函数 `{SYMBOL}`"
            ))
        })?;
    // SAFETY: a call with no arguments that returns a pointer to static data.
    let desc = unsafe { entry() };
    if desc.is_null() {
        return Err(open(format!(
            "{origin} 的 `{SYMBOL}()` 返回了空指针，不是有效的 gklint 插件"
        )));
    }
    // SAFETY: `gklint_plugin_v1` is the plugin descriptor by contract; the
    // version is checked before anything else is read; the library is never unloaded.
    unsafe { Plugin::from_descriptor(desc, origin, Arc::new(())) }
}

fn untrusted(listed_by: &str, shown: &str, sha256: &str, trust: &TrustStore) -> PluginError {
    let file = trust.path.as_ref().map_or_else(
        || format!("（尚无位置：请设置 HOME 或 {TRUST_FILE_ENV}）"),
        |p| p.display().to_string(),
    );
    PluginError::new(
        shown,
        PluginErrorKind::Untrusted {
            sha256: sha256.to_owned(),
        },
        format!(
            "{listed_by}列出的插件 {shown} 未被信任，未加载。原生插件以你的权限运行，项目中的配置不能自行加载它。\
             确认该插件可信后运行：gklint plugin trust {}（记入你的信任文件 {file}，按文件的 SHA-256 {}… 记录，插件文件改变后须重新信任）。",
            shell_word(shown),
            &sha256[..16.min(sha256.len())],
        ),
    )
}

/// A path as one shell word, quoted only when it needs to be.
pub fn shell_word(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| !c.is_ascii() || c.is_ascii_alphanumeric() || "/._-+:@%,=".contains(c));
    if plain {
        s.to_owned()
    } else if cfg!(windows) {
        format!("\"{s}\"")
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_is_keyed_by_content_and_saved() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("libx.so");
        std::fs::write(&lib, b"not really a library").unwrap();
        let store_path = dir.path().join("sub").join("trusted.json");
        let mut store = TrustStore::load(&store_path).unwrap();
        assert!(store.entries().is_empty());
        let listed = vec![lib.clone()];
        let by = "配置文件 gklint.yaml ";

        let (_, errors) = load_configured(by, &listed, &store);
        assert!(matches!(errors[0].kind, PluginErrorKind::Untrusted { .. }));
        let m = &errors[0].message;
        assert!(m.contains("gklint plugin trust"), "{m}");
        assert!(m.contains(store_path.to_str().unwrap()), "{m}");

        let hash = store.trust(&lib).unwrap();
        assert_eq!(hash.len(), 64);
        store.save().unwrap();
        let store = TrustStore::load(&store_path).unwrap();
        assert!(store.is_trusted(&hash));
        // Trusted now, so it is opened, and found not to be a library.
        let (_, errors) = load_configured(by, &listed, &store);
        assert_eq!(errors[0].kind, PluginErrorKind::Open);
        assert!(
            errors[0].message.contains("无法把"),
            "{}",
            errors[0].message
        );
        // A changed file is no longer trusted.
        std::fs::write(&lib, b"changed").unwrap();
        let (_, errors) = load_configured(by, &listed, &store);
        assert!(matches!(errors[0].kind, PluginErrorKind::Untrusted { .. }));
    }

    #[test]
    fn listed_paths_that_are_not_regular_files_are_refused_with_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let store = TrustStore::default();
        let mut listed = vec![dir.path().to_path_buf(), dir.path().join("missing.so")];
        if cfg!(unix) {
            listed.push(PathBuf::from("/dev/zero"));
        }
        let (loaded, errors) = load_configured("配置文件 c.yaml ", &listed, &store);
        assert!(loaded.is_empty());
        assert_eq!(errors.len(), listed.len());
        for (e, p) in errors.iter().zip(&listed) {
            assert_eq!(e.kind, PluginErrorKind::Open);
            assert!(e.message.contains(p.to_str().unwrap()), "{}", e.message);
            assert!(
                e.message.contains("请检查 plugins 中的路径"),
                "{}",
                e.message
            );
        }
        assert!(load_library(dir.path()).is_err());
    }

    #[test]
    fn paths_are_quoted_for_the_shell_only_when_needed() {
        assert_eq!(shell_word("./插件/libx.so"), "./插件/libx.so");
        if cfg!(unix) {
            assert_eq!(shell_word("/a b/it's.so"), r"'/a b/it'\''s.so'");
        }
    }
}

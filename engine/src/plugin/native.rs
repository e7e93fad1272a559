//! Loading plugin libraries from files, and deciding which may be loaded
//! (feature `native-plugins`; the rest of the engine opens no file).
//!
//! A plugin runs with the user's rights, and the language server opens
//! folders that may come from anyone, so a plugin loads only when
//!
//! - it is named on the command line (`--plugin PATH`: the user chose it), or
//! - a configuration lists it **and** the user's own trust file, outside any
//!   project, holds the SHA-256 of the file (`gklint plugin trust PATH`).
//!
//! A configuration inside a linted folder can never load native code by
//! itself: [`load_configured`] hashes each listed file and refuses one the
//! trust file does not know, before the file is opened as a library.
//!
//! Loaded libraries stay loaded until the process exits (unloading a Rust
//! library that has run on worker threads is not safe everywhere).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::abi::{PluginV1, SYMBOL};
use super::{Plugin, PluginError, PluginErrorKind, add_plugins};
use crate::pack::PackSet;

/// Overrides where the trust file is (tests, or a managed machine).
pub const TRUST_FILE_ENV: &str = "GKLINT_TRUST_FILE";

/// Loads a plugin library. This runs the library's initialisers: call it
/// only for a file the user chose or trusts (see [`load_configured`]).
pub fn load_library(path: &Path) -> Result<Plugin, PluginError> {
    let shown = path.display().to_string();
    let open = |m: String| PluginError::new(&shown, PluginErrorKind::Open, m);
    let abs =
        std::fs::canonicalize(path).map_err(|e| open(format!("找不到插件文件 {shown}：{e}")))?;
    let origin = abs.display().to_string();
    // SAFETY: loading a library runs its initialisers; the caller has
    // established that the user trusts this file.
    let lib = unsafe { libloading::Library::new(&abs) }
        .map_err(|e| open(format!("无法把 {origin} 作为插件库加载：{e}")))?;
    // Never unloaded: see the module documentation.
    let lib: &'static libloading::Library = Box::leak(Box::new(lib));
    // SAFETY: the symbol is a data symbol; we only take its address.
    let desc: *const PluginV1 = unsafe { lib.get::<*const PluginV1>(SYMBOL.as_bytes()) }
        .map(|s| *s)
        .map_err(|_| {
            open(format!(
                "{origin} 不是 gklint 插件：库中没有导出符号 `{SYMBOL}`"
            ))
        })?;
    // SAFETY: `gklint_plugin_v1` is the plugin descriptor by contract; the
    // version is checked before anything else is read; the library is never unloaded.
    unsafe { Plugin::from_descriptor(desc, &origin, Arc::new(())) }
}

/// The SHA-256 of a file, in lowercase hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let bytes = std::fs::read(path)?;
    let digest = Sha256::digest(&bytes);
    Ok(digest.iter().map(|b| format!("{b:02x}")).collect())
}

/// The user's trust file: `$GKLINT_TRUST_FILE`, else
/// `$XDG_CONFIG_HOME/gklint/trusted-plugins.json`, else (Windows)
/// `%APPDATA%\gklint\trusted-plugins.json`, else
/// `~/.config/gklint/trusted-plugins.json`.
pub fn trust_file_path() -> Option<PathBuf> {
    let var = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    if let Some(p) = var(TRUST_FILE_ENV) {
        return Some(p);
    }
    let base = var("XDG_CONFIG_HOME")
        .filter(|p| p.is_absolute())
        .or_else(|| if cfg!(windows) { var("APPDATA") } else { None })
        .or_else(|| var("HOME").map(|h| h.join(".config")))?;
    Some(base.join("gklint").join("trusted-plugins.json"))
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct TrustFile {
    #[serde(default = "one")]
    version: u32,
    #[serde(default)]
    plugins: Vec<TrustEntry>,
}

fn one() -> u32 {
    1
}

/// One trusted plugin file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustEntry {
    /// The file's SHA-256 (lowercase hex): what trust is keyed by.
    pub sha256: String,
    /// Where the file was when it was trusted (for the user's reference).
    pub path: String,
}

/// The plugins the user trusts, read from their trust file.
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    /// Where it is read from and saved to; `None` when no home is known.
    pub path: Option<PathBuf>,
    file: TrustFile,
}

impl TrustStore {
    /// The user's trust file ([`trust_file_path`]); empty when it does not exist.
    pub fn load_default() -> Result<TrustStore, String> {
        match trust_file_path() {
            Some(p) => TrustStore::load(&p),
            None => Ok(TrustStore::default()),
        }
    }

    /// A trust file at `path`; empty when it does not exist.
    pub fn load(path: &Path) -> Result<TrustStore, String> {
        let file = match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text)
                .map_err(|e| format!("插件信任文件 {} 有误：{e}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => TrustFile {
                version: 1,
                plugins: Vec::new(),
            },
            Err(e) => return Err(format!("无法读取插件信任文件 {}：{e}", path.display())),
        };
        Ok(TrustStore {
            path: Some(path.to_path_buf()),
            file,
        })
    }

    pub fn entries(&self) -> &[TrustEntry] {
        &self.file.plugins
    }

    pub fn is_trusted(&self, sha256: &str) -> bool {
        self.file
            .plugins
            .iter()
            .any(|e| e.sha256.eq_ignore_ascii_case(sha256))
    }

    /// Trusts the file as it is now; returns its SHA-256. Call [`save`](Self::save) after.
    pub fn trust(&mut self, file: &Path) -> std::io::Result<String> {
        let hash = sha256_file(file)?;
        let path = std::fs::canonicalize(file)
            .unwrap_or_else(|_| file.to_path_buf())
            .display()
            .to_string();
        self.file.plugins.retain(|e| e.sha256 != hash);
        self.file.plugins.push(TrustEntry {
            sha256: hash.clone(),
            path,
        });
        Ok(hash)
    }

    /// Writes the trust file (creating its folder), replacing it atomically.
    pub fn save(&self) -> std::io::Result<PathBuf> {
        let path = self.path.clone().ok_or_else(|| {
            std::io::Error::other(format!(
                "不知道信任文件应放在哪里：请设置 HOME 或 {TRUST_FILE_ENV}"
            ))
        })?;
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let mut text = serde_json::to_string_pretty(&self.file).map_err(std::io::Error::other)?;
        text.push('\n');
        let tmp = dir.join(format!(
            ".{}.{}.tmp",
            path.file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("trusted-plugins.json"),
            std::process::id()
        ));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, &path)?;
        Ok(path)
    }
}

#[derive(Debug, Default, Deserialize)]
struct PluginsOnly {
    #[serde(default)]
    plugins: Vec<String>,
}

/// The `plugins:` a configuration file lists, resolved against its folder.
/// Other fields are not looked at.
pub fn plugins_listed_in(config: &Path) -> Result<Vec<PathBuf>, PluginError> {
    let shown = config.display().to_string();
    let err = |m: String| PluginError::new(&shown, PluginErrorKind::Open, m);
    let text = std::fs::read_to_string(config)
        .map_err(|e| err(format!("无法读取配置文件 {shown}：{e}")))?;
    let file: PluginsOnly = serde_saphyr::from_str(&text)
        .map_err(|e| err(format!("配置文件 {shown} 的 plugins 有误：{e}")))?;
    let dir = config.parent().unwrap_or(Path::new(""));
    Ok(file.plugins.iter().map(|p| dir.join(p)).collect())
}

/// Loads the plugins a configuration lists (`plugins` already resolved
/// against the config's folder; `config` names the config file or its
/// folder in messages), each only if `trust` holds the SHA-256 of
/// the file as it is now. An untrusted plugin is refused, without being
/// opened, with a message saying how to trust it. Returns what loaded and
/// one error per plugin refused.
pub fn load_configured(
    config: &Path,
    plugins: &[PathBuf],
    trust: &TrustStore,
) -> (Vec<Plugin>, Vec<PluginError>) {
    let mut loaded = Vec::new();
    let mut errors = Vec::new();
    for p in plugins {
        match check_trust(config, p, trust).and_then(|()| load_library(p)) {
            Ok(plugin) => loaded.push(plugin),
            Err(e) => errors.push(e),
        }
    }
    (loaded, errors)
}

/// For the language server (and any other host): reads the `plugins:` of the
/// configuration file at `config`, loads those the user's trust file trusts,
/// and adds their rules to `set`. Returns one error per plugin refused
/// (untrusted, unloadable, wrong ABI version, clashing rule ids); the others
/// are added all the same.
pub fn add_configured(set: &mut PackSet, config: &Path, trust: &TrustStore) -> Vec<PluginError> {
    let listed = match plugins_listed_in(config) {
        Ok(l) => l,
        Err(e) => return vec![e],
    };
    let (plugins, mut errors) = load_configured(config, &listed, trust);
    errors.extend(add_plugins(set, &plugins));
    errors
}

fn check_trust(config: &Path, plugin: &Path, trust: &TrustStore) -> Result<(), PluginError> {
    let shown = plugin.display().to_string();
    let hash = sha256_file(plugin).map_err(|e| {
        PluginError::new(
            &shown,
            PluginErrorKind::Open,
            format!(
                "{} 中的 gklint 配置列出的插件 {shown} 无法读取：{e}",
                config.display()
            ),
        )
    })?;
    if trust.is_trusted(&hash) {
        return Ok(());
    }
    let file = trust.path.as_ref().map_or_else(
        || format!("（请设置 {TRUST_FILE_ENV}）"),
        |p| p.display().to_string(),
    );
    Err(PluginError::new(
        &shown,
        PluginErrorKind::Untrusted {
            sha256: hash.clone(),
        },
        format!(
            "{} 中的 gklint 配置列出的插件 {shown} 未被信任，未加载。原生插件以你的权限运行，项目中的配置不能自行加载它。\
             确认该插件可信后运行：gklint plugin trust {shown}（记入你的信任文件 {file}，按文件的 SHA-256 {} 记录，插件文件改变后须重新信任）；\
             或在命令行用 --plugin {shown} 明确指定。",
            config.display(),
            &hash[..16],
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_is_keyed_by_content_and_saved() {
        let dir = std::env::temp_dir().join(format!("gklint-trust-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lib = dir.join("libx.so");
        std::fs::write(&lib, b"not really a library").unwrap();
        let store_path = dir.join("sub").join("trusted.json");
        let mut store = TrustStore::load(&store_path).unwrap();
        assert!(store.entries().is_empty());
        let cfg = dir.join("gklint.yaml");
        std::fs::write(&cfg, "rules: {}\nplugins: [libx.so]\n").unwrap();
        let listed = plugins_listed_in(&cfg).unwrap();
        assert_eq!(listed, vec![dir.join("libx.so")]);

        let (_, errors) = load_configured(&cfg, &listed, &store);
        assert!(matches!(errors[0].kind, PluginErrorKind::Untrusted { .. }));
        assert!(
            errors[0].message.contains("gklint plugin trust"),
            "{}",
            errors[0].message
        );

        let hash = store.trust(&lib).unwrap();
        assert_eq!(hash.len(), 64);
        store.save().unwrap();
        let store = TrustStore::load(&store_path).unwrap();
        assert!(store.is_trusted(&hash));
        // Trusted now, so it is opened, and found not to be a library.
        let (_, errors) = load_configured(&cfg, &listed, &store);
        assert_eq!(errors[0].kind, PluginErrorKind::Open);
        // A changed file is no longer trusted.
        std::fs::write(&lib, b"changed").unwrap();
        let (_, errors) = load_configured(&cfg, &listed, &store);
        assert!(matches!(errors[0].kind, PluginErrorKind::Untrusted { .. }));
        let _ = std::fs::remove_dir_all(&dir);
    }
}

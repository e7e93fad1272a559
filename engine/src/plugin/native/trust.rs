//! The user's trust file: the SHA-256 of each plugin file they trusted
//! (`gklint plugin trust PATH`), kept outside any project.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::file::sha256_file;

/// Overrides where the trust file is (tests, or a managed machine).
pub const TRUST_FILE_ENV: &str = "GKLINT_TRUST_FILE";

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
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                format!(
                    "插件信任文件 {} 有误：{e}。请修正该 JSON 文件，或删除它后重新运行 gklint plugin trust",
                    path.display()
                )
            })?,
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

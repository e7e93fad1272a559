//! Native plugins for the documents, loaded as `gklint check` loads a
//! configuration's: those the configuration lists (`plugins:`) and those the
//! editor's settings list (`plugins`), each only when the user's trust file
//! holds the file's SHA-256. Settings count as configuration, not as
//! `--plugin`: a project can ship them in `.vscode/settings.json`.
//!
//! The trust file and every listed plugin file are watched by modification
//! time and size, so trusting a plugin (`gklint plugin trust`) or rebuilding
//! one takes effect without restarting the server.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use gklint_engine::plugin::native::{TrustStore, load_configured, trust_file_path};
use gklint_engine::plugin::{Plugin, PluginError};

use crate::cli_shared::regular_file::{MAX_TEXT_FILE, ReadError, check_path};

/// Who listed a plugin: where a refusal is shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Lister {
    /// A configuration file's `plugins:`.
    Config(PathBuf),
    /// The editor's settings (`gklint.plugins`).
    Settings,
}

impl Lister {
    /// The words for messages: “配置文件 /a/gklint.yaml ”.
    fn words(&self) -> String {
        match self {
            Lister::Config(file) => format!("配置文件 {} ", file.display()),
            Lister::Settings => "编辑器设置 gklint.plugins ".to_owned(),
        }
    }
}

/// One plugin path, resolved, with who listed it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Listed {
    pub path: PathBuf,
    pub by: Lister,
}

/// What [`PluginHost::load`] made of a list: each plugin with who listed it.
#[derive(Default)]
pub struct Loaded {
    pub plugins: Vec<(Listed, Plugin)>,
    pub refused: Vec<(Listed, PluginError)>,
    /// The trust file could not be read (said once per generation; then
    /// nothing listed is trusted).
    pub trust_error: Option<String>,
}

/// The plugins loaded in one configuration generation (until the next reload).
pub struct PluginHost {
    /// The user's trust file, read when a plugin is first listed.
    trust: Option<TrustStore>,
    loaded: HashMap<Listed, Result<Plugin, PluginError>>,
    stamps: Stamps,
}

impl PluginHost {
    /// A new generation: nothing loaded, the trust file not read yet (only
    /// its modification time noted, to see when it changes).
    pub fn new() -> PluginHost {
        let mut stamps = Stamps::default();
        if let Some(p) = trust_file_path() {
            stamps.watch(&p);
        }
        PluginHost {
            trust: None,
            loaded: HashMap::new(),
            stamps,
        }
    }

    /// Loads each listed plugin the user trusts (once per generation);
    /// returns those loaded and those refused, each with who listed it.
    pub fn load(&mut self, list: &[Listed]) -> Loaded {
        let mut out = Loaded::default();
        for l in list {
            if !self.loaded.contains_key(l) {
                self.stamps.watch(&l.path);
                let trust = self.trust.get_or_insert_with(|| {
                    load_trust().unwrap_or_else(|e| {
                        out.trust_error = Some(e);
                        TrustStore::default()
                    })
                });
                let (mut got, mut errors) =
                    load_configured(&l.by.words(), std::slice::from_ref(&l.path), trust);
                let result = match (got.pop(), errors.pop()) {
                    (Some(p), _) => Ok(p),
                    (None, Some(e)) => Err(e),
                    (None, None) => continue,
                };
                self.loaded.insert(l.clone(), result);
            }
            match &self.loaded[l] {
                Ok(p) => out.plugins.push((l.clone(), p.clone())),
                Err(e) => out.refused.push((l.clone(), e.clone())),
            }
        }
        out
    }

    /// The trust file or a plugin file changed since it was read.
    pub fn stale(&self) -> bool {
        self.stamps.changed()
    }
}

/// The user's trust file. Checked first without opening it: one that is
/// not a regular file of sane size (a FIFO would stop the server for good)
/// is refused, and then nothing listed is trusted.
fn load_trust() -> Result<TrustStore, String> {
    if let Some(p) = trust_file_path() {
        match check_path(&p, MAX_TEXT_FILE) {
            Ok(_) => {}
            Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(format!(
                    "插件信任文件 {} 无法使用：{e}。在修正之前，所列插件一律不加载",
                    p.display()
                ));
            }
        }
    }
    TrustStore::load_default()
}

type Stamp = Option<(SystemTime, u64)>;

/// Files with their modification time and size when they were read.
#[derive(Debug, Default)]
struct Stamps(Vec<(PathBuf, Stamp)>);

impl Stamps {
    fn watch(&mut self, path: &Path) {
        if !self.0.iter().any(|(p, _)| p == path) {
            self.0.push((path.to_path_buf(), stamp(path)));
        }
    }

    fn changed(&self) -> bool {
        self.0.iter().any(|(p, s)| stamp(p) != *s)
    }
}

fn stamp(path: &Path) -> Stamp {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_listed_file_that_changes_makes_the_generation_stale() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("libx.so");
        std::fs::write(&lib, b"x").unwrap();
        let mut s = Stamps::default();
        s.watch(&lib);
        s.watch(&dir.path().join("missing.json"));
        assert!(!s.changed());
        std::fs::write(&lib, b"longer").unwrap();
        assert!(s.changed());
    }

    #[test]
    fn untrusted_plugins_are_refused_naming_who_listed_them() {
        let dir = tempfile::tempdir().unwrap();
        let lib = dir.path().join("libx.so");
        std::fs::write(&lib, b"x").unwrap();
        let mut host = PluginHost {
            trust: Some(TrustStore::default()),
            loaded: HashMap::new(),
            stamps: Stamps::default(),
        };
        let list = [
            Listed {
                path: lib.clone(),
                by: Lister::Settings,
            },
            Listed {
                path: lib.clone(),
                by: Lister::Config(dir.path().join("gklint.yaml")),
            },
        ];
        let Loaded {
            plugins, refused, ..
        } = host.load(&list);
        assert!(plugins.is_empty());
        assert_eq!(refused.len(), 2);
        assert!(
            refused[0]
                .1
                .message
                .starts_with("编辑器设置 gklint.plugins 列出的插件"),
            "{}",
            refused[0].1.message
        );
        assert!(refused[1].1.message.contains("gklint.yaml 列出的插件"));
        assert!(refused[1].1.message.contains("gklint plugin trust"));
    }
}

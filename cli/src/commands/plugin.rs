//! Native plugins for a run: `--plugin PATH` (named, so trusted), the
//! `plugins:` of a config (loaded only when the user's trust file holds the
//! file's SHA-256), and `gklint plugin trust PATH`. Loading and trust live in
//! `gklint_engine::plugin::native`, shared with the language server.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Result, anyhow, bail};
use gklint_engine::pack::PackSet;
use gklint_engine::plugin::native::{TrustStore, load_configured, load_library};
use gklint_engine::plugin::{Plugin, PluginError, PluginErrorKind, add_plugins};

use crate::args::PluginCommand;

pub fn run(command: PluginCommand) -> Result<ExitCode> {
    match command {
        PluginCommand::Trust { path } => trust(&path),
    }
}

/// `gklint plugin trust PATH`: records the file's SHA-256 in the user's trust file.
fn trust(path: &Path) -> Result<ExitCode> {
    if !path.is_file() {
        bail!("找不到插件文件 {}", path.display());
    }
    let mut store = TrustStore::load_default().map_err(|e| anyhow!(e))?;
    let hash = store.trust(path)?;
    let saved = store
        .save()
        .map_err(|e| anyhow!("无法写入插件信任文件：{e}"))?;
    let shown = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    println!(
        "已信任插件 {}\nSHA-256 {hash}\n已记入 {}。列出它的配置文件（plugins: [..]）从此可以加载它；插件文件一旦改变，须重新信任。",
        shown.display(),
        saved.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// The plugins of one run: each loaded once, each refusal printed once.
#[derive(Default)]
pub struct Host {
    /// By canonical path: the plugin, or `None` when it was refused.
    loaded: HashMap<PathBuf, Option<Plugin>>,
    trust: Option<TrustStore>,
    printed: HashSet<String>,
    /// A plugin was refused: the run goes on, and exits 2 at the end.
    pub failed: bool,
}

fn key(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| std::path::absolute(p).unwrap_or(p.to_path_buf()))
}

impl Host {
    /// Plugins named with `--plugin`: naming one is trusting it.
    pub fn named(&mut self, paths: &[PathBuf]) -> Vec<Plugin> {
        let mut out = Vec::new();
        for p in paths {
            let k = key(p);
            if !self.loaded.contains_key(&k) {
                let got = match load_library(p) {
                    Ok(plugin) => Some(plugin),
                    Err(e) => {
                        self.report(&e);
                        None
                    }
                };
                self.loaded.insert(k.clone(), got);
            }
            out.extend(self.loaded[&k].clone());
        }
        out
    }

    /// Plugins a config (in `dir`) lists: loaded only when trusted (or
    /// already named on the command line). A refusal is an error.
    pub fn configured(&mut self, dir: &Path, paths: &[PathBuf]) -> Vec<Plugin> {
        self.load_listed(dir, paths, false)
    }

    /// Like [`configured`](Self::configured), for commands that only show
    /// rules (`rules`, `explain`): an untrusted plugin is a note saying how
    /// to trust it, not an error.
    pub fn configured_for_listing(&mut self, dir: &Path, paths: &[PathBuf]) -> Vec<Plugin> {
        self.load_listed(dir, paths, true)
    }

    fn load_listed(&mut self, dir: &Path, paths: &[PathBuf], note_untrusted: bool) -> Vec<Plugin> {
        let listed_by = format!("{} 中的 gklint 配置", dir.display());
        let mut out = Vec::new();
        for p in paths {
            let k = key(p);
            if !self.loaded.contains_key(&k) {
                let store = self.trust_store();
                let (mut plugins, errors) =
                    load_configured(&listed_by, std::slice::from_ref(p), &store);
                for e in &errors {
                    match e.kind {
                        PluginErrorKind::Untrusted { .. } if note_untrusted => {
                            self.note(&format!("{}其规则未列出。", e.message));
                        }
                        PluginErrorKind::Untrusted { .. } => self.print(&format!(
                            "{}在 CI 中也可以用 --plugin {} 明确指定它。",
                            e.message,
                            p.display()
                        )),
                        _ => self.report(e),
                    }
                }
                self.loaded.insert(k.clone(), plugins.pop());
            }
            out.extend(self.loaded.get(&k).cloned().flatten());
        }
        out
    }

    /// Adds plugins to a pack set; a clash is printed and that plugin left out.
    pub fn add(&mut self, set: &mut PackSet, plugins: &[Plugin]) {
        for e in add_plugins(set, plugins) {
            self.report(&e);
        }
    }

    fn trust_store(&mut self) -> TrustStore {
        if self.trust.is_none() {
            let store = match TrustStore::load_default() {
                Ok(s) => s,
                Err(e) => {
                    self.print(&e);
                    TrustStore::default()
                }
            };
            self.trust = Some(store);
        }
        self.trust.clone().unwrap_or_default()
    }

    fn report(&mut self, e: &PluginError) {
        self.print(&e.message);
    }

    fn note(&mut self, message: &str) {
        if self.printed.insert(message.to_owned()) {
            eprintln!("gklint: 注意：{message}");
        }
    }

    fn print(&mut self, message: &str) {
        self.failed = true;
        if self.printed.insert(message.to_owned()) {
            eprintln!("gklint: 错误：{message}");
        }
    }
}

//! Configuration and packs for each document, found as `gklint check` finds
//! them: the nearest `gklint.yaml` / `.gklint.yaml` above the file (or one
//! file the client names, like `--config`), its packs plus the client's extra
//! packs (like `--pack`), on top of the built-in ones. A configuration or pack
//! that fails to load becomes a diagnostic on its own file, and documents are
//! linted with what did load: the server keeps running.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use gklint_engine::lint::Options;
use gklint_engine::model::OfficeKind;
use gklint_engine::pack::{self, LoadError, PackError, PackInput, PackSet};
use gklint_engine::source::{LineIndex, Position as CharPosition};
use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString, Range, Uri};
use serde_json::Value;

use crate::cli_shared::config::{Config, Discovery, NAMES};
use crate::cli_shared::packs::read_pack;
use crate::identities::IdentityDef;
use crate::position::{Converter, Encoding};

/// What the client may set (`initializationOptions`, `workspace/didChangeConfiguration`),
/// the editor's counterparts of the CLI's flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Like `--config`: this configuration file for every document.
    pub config: Option<PathBuf>,
    /// Like `--pack`: extra packs for every document.
    pub packs: Vec<PathBuf>,
    /// Quiet time after a change before the document is linted again.
    pub debounce_ms: Option<u64>,
}

impl Settings {
    /// Reads `{"gklint": {…}}` or `{…}` with the keys `config`, `packs` and
    /// `debounceMs`; relative paths are taken from `root`. `None` when the
    /// value says nothing about gklint.
    pub fn from_json(v: &Value, root: Option<&Path>) -> Option<Settings> {
        let v = v.get("gklint").unwrap_or(v);
        let obj = v.as_object()?;
        if !["config", "packs", "debounceMs"]
            .iter()
            .any(|k| obj.contains_key(*k))
        {
            return None;
        }
        let resolve = |s: &str| {
            let p = PathBuf::from(s);
            match root {
                Some(r) if p.is_relative() => r.join(p),
                _ => p,
            }
        };
        Some(Settings {
            config: v
                .get("config")
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(resolve),
            packs: v
                .get("packs")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(Value::as_str).map(resolve).collect())
                .unwrap_or_default(),
            debounce_ms: v.get("debounceMs").and_then(Value::as_u64),
        })
    }
}

/// Where a rule is written, for the link to its documentation.
#[derive(Debug, Clone)]
struct RuleHome {
    path: String,
    line: u64,
    builtin: bool,
}

/// A loaded set of packs with what the server needs beside the compiled rules.
#[derive(Debug)]
pub struct Packs {
    pub set: PackSet,
    /// The same packs with their rules dealt out in turn, one set per core
    /// (none on a single core): a document's rules run on all cores at once.
    pub shards: Vec<PackSet>,
    homes: HashMap<String, RuleHome>,
    pub identities: Vec<IdentityDef>,
}

enum PackFailure {
    Read { path: PathBuf, message: String },
    Load(LoadError),
}

impl Packs {
    pub fn builtin() -> Packs {
        match Packs::load(&[]) {
            Ok(p) => p,
            Err(_) => panic!("the built-in packs always load (their tests say so)"),
        }
    }

    fn load(extra: &[PathBuf]) -> Result<Packs, PackFailure> {
        let mut inputs = pack::builtin_inputs();
        for p in extra {
            inputs.push(read_pack(p).map_err(|e| PackFailure::Read {
                path: p.clone(),
                message: format!("{e:#}"),
            })?);
        }
        let set = pack::load(&inputs).map_err(PackFailure::Load)?;
        let (homes, identities) = index(&inputs);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        Ok(Packs {
            shards: shards(&set, cores),
            set,
            homes,
            identities,
        })
    }

    /// A link to where the rule is defined and documented: the built-in
    /// pack's file in the repository, or the user's pack file.
    pub fn doc_link(&self, rule: &str) -> Option<Uri> {
        let home = self.homes.get(rule)?;
        if home.builtin {
            let base = env!("CARGO_PKG_REPOSITORY").trim_end_matches('/');
            Uri::from_str(&format!("{base}/blob/main/{}#L{}", home.path, home.line)).ok()
        } else {
            let uri = crate::uri::from_path(Path::new(&home.path))?;
            Uri::from_str(&format!("{}#L{}", uri.as_str(), home.line)).ok()
        }
    }
}

/// `n` copies of the set, each pack keeping every `n`th of its rules (the
/// packs' applicability, extensions and overrides unchanged).
pub(crate) fn shards(set: &PackSet, n: usize) -> Vec<PackSet> {
    if n < 2 {
        return Vec::new();
    }
    let mut dealt = 0usize;
    let mut out: Vec<PackSet> = (0..n)
        .map(|_| PackSet {
            packs: Vec::new(),
            catalog: set.catalog.clone(),
        })
        .collect();
    for p in &set.packs {
        let mut parts: Vec<Vec<_>> = vec![Vec::new(); n];
        for r in &p.rules {
            parts[dealt % n].push(r.clone());
            dealt += 1;
        }
        for (shard, rules) in out.iter_mut().zip(parts) {
            let mut q = p.clone();
            q.rules = rules;
            shard.packs.push(q);
        }
    }
    out
}

/// Rule locations and identities, read from the packs' YAML.
fn index(inputs: &[PackInput]) -> (HashMap<String, RuleHome>, Vec<IdentityDef>) {
    let mut homes = HashMap::new();
    let mut identities = Vec::new();
    for input in inputs {
        for src in &input.files {
            let contents: Arc<str> = Arc::from(src.contents.as_str());
            let Ok(file) = pack::parse_file(&src.path, &contents) else {
                continue;
            };
            for r in &file.rules {
                let def = &r.value;
                homes.insert(
                    def.id.value.clone(),
                    RuleHome {
                        path: src.path.clone(),
                        line: def.id.referenced.line(),
                        builtin: input.builtin,
                    },
                );
                if def.kind.value == "table-arithmetic"
                    && let (Some(table), Some(identity)) = (&def.table, &def.identity)
                {
                    identities.push(IdentityDef::new(
                        &def.id.value,
                        &table.value,
                        &identity.value,
                        def.for_each.as_ref().map(|f| f.value.as_str()),
                        def.rows.as_ref().map(|r| r.value.clone()),
                    ));
                }
            }
        }
    }
    (homes, identities)
}

/// What governs one document.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub packs: Arc<Packs>,
    pub options: Options,
    pub kind: Option<OfficeKind>,
    /// The configuration's `ignore` covers the file: no findings, as `gklint check` skips it.
    pub ignored: bool,
}

enum ConfigSource {
    /// Walk up from each file.
    Discover,
    /// The client named one file (`None` when it failed to load).
    Fixed(Option<Arc<Config>>),
}

pub struct Workspace {
    pub root: Option<PathBuf>,
    pub settings: Settings,
    encoding: Encoding,
    source: ConfigSource,
    discovery: Discovery,
    builtin: Arc<Packs>,
    sets: HashMap<Vec<PathBuf>, Arc<Packs>>,
    by_file: HashMap<PathBuf, Resolved>,
    /// Configuration and pack errors by file, as they stand.
    problems: BTreeMap<Uri, Vec<Diagnostic>>,
    /// What was last published for those files.
    shown: BTreeMap<Uri, Vec<Diagnostic>>,
    /// Problems without a file to show them on (a missing pack named in the settings).
    messages: Vec<String>,
}

impl Workspace {
    pub fn new(root: Option<PathBuf>, settings: Settings, encoding: Encoding) -> Workspace {
        let builtin = Arc::new(Packs::builtin());
        let mut ws = Workspace {
            root,
            settings,
            encoding,
            source: ConfigSource::Discover,
            discovery: Discovery::default(),
            builtin,
            sets: HashMap::new(),
            by_file: HashMap::new(),
            problems: BTreeMap::new(),
            shown: BTreeMap::new(),
            messages: Vec::new(),
        };
        ws.reload();
        ws
    }

    /// Forgets every configuration and pack read so far (they are read again
    /// on the next lint), and every problem found in them.
    pub fn reload(&mut self) {
        self.discovery = Discovery::default();
        self.sets.clear();
        self.sets.insert(Vec::new(), self.builtin.clone());
        self.by_file.clear();
        self.problems.clear();
        self.source = match self.settings.config.clone() {
            None => ConfigSource::Discover,
            Some(path) => match Config::load(&path) {
                Ok(c) => ConfigSource::Fixed(Some(Arc::new(c))),
                Err(e) => {
                    self.config_problem(&path, &format!("{e:#}"));
                    ConfigSource::Fixed(None)
                }
            },
        };
    }

    /// The configuration, packs and options for a document (`None`: not a local file).
    pub fn resolve(&mut self, path: Option<&Path>) -> Resolved {
        let abs = path.map(|p| std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf()));
        if let Some(r) = abs.as_ref().and_then(|a| self.by_file.get(a)) {
            return r.clone();
        }
        let config = match (&self.source, &abs) {
            (ConfigSource::Fixed(c), _) => c.clone(),
            (ConfigSource::Discover, Some(p)) => match self.discovery.for_file(p) {
                Ok(c) => c,
                Err(e) => {
                    if let Some(file) = nearest_config(p) {
                        self.config_problem(&file, &format!("{e:#}"));
                    }
                    None
                }
            },
            (ConfigSource::Discover, None) => None,
        };
        let mut extra = self.settings.packs.clone();
        if let Some(c) = &config {
            extra.extend(c.packs.iter().cloned());
        }
        let packs = self.packs_for(extra, config.as_deref());
        let (options, kind, ignored) = match &config {
            Some(c) => {
                let file = abs.clone().unwrap_or_default();
                let (o, k) = c.options_for(&file);
                (o, k, abs.is_some() && c.ignores(&file))
            }
            None => (Options::default(), None, false),
        };
        let r = Resolved {
            packs,
            options,
            kind,
            ignored,
        };
        if let Some(a) = abs {
            self.by_file.insert(a, r.clone());
        }
        r
    }

    fn packs_for(&mut self, extra: Vec<PathBuf>, config: Option<&Config>) -> Arc<Packs> {
        if let Some(s) = self.sets.get(&extra) {
            return s.clone();
        }
        let packs = match Packs::load(&extra) {
            Ok(p) => Arc::new(p),
            Err(failure) => {
                self.pack_problem(failure, config);
                self.builtin.clone()
            }
        };
        self.sets.insert(extra, packs.clone());
        packs
    }

    /// The configuration and pack diagnostics that changed since the last
    /// call: files with new problems, and files whose problems went away (empty).
    pub fn problem_updates(&mut self) -> Vec<(Uri, Vec<Diagnostic>)> {
        let mut out = Vec::new();
        for (uri, diags) in &self.problems {
            if self.shown.get(uri) != Some(diags) {
                out.push((uri.clone(), diags.clone()));
            }
        }
        for uri in self.shown.keys() {
            if !self.problems.contains_key(uri) {
                out.push((uri.clone(), Vec::new()));
            }
        }
        self.shown = self.problems.clone();
        out
    }

    pub fn take_messages(&mut self) -> Vec<String> {
        std::mem::take(&mut self.messages)
    }

    fn add_problem(&mut self, file: &Path, range: Range, code: &str, message: String) {
        crate::log(&format!("{}: {message}", file.display()));
        let Some(uri) = crate::uri::from_path(file) else {
            self.messages.push(message);
            return;
        };
        let d = Diagnostic {
            range,
            severity: Some(DiagnosticSeverity::ERROR),
            code: Some(NumberOrString::String(code.to_owned())),
            source: Some("gklint".into()),
            message,
            ..Diagnostic::default()
        };
        let list = self.problems.entry(uri).or_default();
        if !list.contains(&d) {
            list.push(d);
        }
    }

    fn config_problem(&mut self, file: &Path, message: &str) {
        let text = std::fs::read_to_string(file).unwrap_or_default();
        let range = locate(message, file)
            .map(|(line, column)| self.char_range(&text, line, column))
            .unwrap_or_default();
        self.add_problem(file, range, "config", message.to_owned());
    }

    fn pack_problem(&mut self, failure: PackFailure, config: Option<&Config>) {
        match failure {
            PackFailure::Load(LoadError::Pack(e)) => {
                let range = self.pack_error_range(&e);
                self.add_problem(Path::new(&e.path), range, "pack", e.message.clone());
            }
            PackFailure::Load(LoadError::Schema(e)) => {
                let message = format!("规则包中的表格布局有误：{e}");
                match config.and_then(|c| self.config_file(c)) {
                    Some(file) => self.add_problem(&file, Range::default(), "pack", message),
                    None => {
                        crate::log(&message);
                        self.messages.push(message);
                    }
                }
            }
            PackFailure::Read { path, message } => {
                // Shown where the pack is named: in the configuration, else in the settings.
                let file = config
                    .filter(|c| c.packs.contains(&path))
                    .and_then(|c| self.config_file(c));
                match file {
                    Some(file) => {
                        let text = std::fs::read_to_string(&file).unwrap_or_default();
                        let dir = file.parent().unwrap_or(Path::new(""));
                        let named = path.strip_prefix(dir).unwrap_or(&path).to_string_lossy();
                        let range = text
                            .find(named.trim_start_matches("./"))
                            .map(|at| {
                                let lines = LineIndex::new(&text);
                                let conv = Converter::new(&text, &lines, self.encoding);
                                conv.range(&(at..at + named.trim_start_matches("./").len()))
                            })
                            .unwrap_or_default();
                        self.add_problem(&file, range, "pack", message);
                    }
                    None => {
                        crate::log(&message);
                        self.messages.push(message);
                    }
                }
            }
        }
    }

    /// The file a loaded configuration came from.
    fn config_file(&self, c: &Config) -> Option<PathBuf> {
        if let ConfigSource::Fixed(_) = self.source {
            return self.settings.config.clone();
        }
        NAMES.iter().map(|n| c.dir.join(n)).find(|p| p.is_file())
    }

    fn pack_error_range(&self, e: &PackError) -> Range {
        let text = &*e.contents;
        match e.offset {
            Some(offset) if offset <= text.len() => {
                let lines = LineIndex::new(text);
                let conv = Converter::new(text, &lines, self.encoding);
                conv.range(&(offset..(offset + e.len).min(text.len())))
            }
            _ => self.char_range(text, e.line as u32, e.column as u32),
        }
    }

    /// A one-character range at a 1-based line and character column.
    fn char_range(&self, text: &str, line: u32, column: u32) -> Range {
        let lines = LineIndex::new(text);
        let at = lines.offset(text, CharPosition { line, column });
        let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        Converter::new(text, &lines, self.encoding).range(&(at..end))
    }
}

/// The configuration file `Discovery` would have tried for `file`.
fn nearest_config(file: &Path) -> Option<PathBuf> {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if let Some(p) = NAMES.iter().map(|n| d.join(n)).find(|p| p.is_file()) {
            return Some(p);
        }
        dir = d.parent();
    }
    None
}

/// `…{path}:LINE:COLUMN…` in a configuration error message.
fn locate(message: &str, file: &Path) -> Option<(u32, u32)> {
    let prefix = format!("{}:", file.display());
    let rest = &message[message.find(&prefix)? + prefix.len()..];
    let (line, rest) = rest.split_once(':')?;
    let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
    Some((line.parse().ok()?, column.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_from_either_shape() {
        let root = Path::new("/w");
        let s = Settings::from_json(
            &serde_json::json!({"gklint": {"config": "c.yaml", "packs": ["/p", "q"], "debounceMs": 0}}),
            Some(root),
        )
        .unwrap();
        assert_eq!(s.config, Some(PathBuf::from("/w/c.yaml")));
        assert_eq!(s.packs, vec![PathBuf::from("/p"), PathBuf::from("/w/q")]);
        assert_eq!(s.debounce_ms, Some(0));
        assert!(Settings::from_json(&serde_json::json!({"other": 1}), None).is_none());
        let s = Settings::from_json(&serde_json::json!({"config": ""}), None).unwrap();
        assert_eq!(s.config, None);
    }

    #[test]
    fn config_error_location() {
        let msg = "配置文件 /a/gklint.yaml:3:7 有误：unknown field";
        assert_eq!(locate(msg, Path::new("/a/gklint.yaml")), Some((3, 7)));
        assert_eq!(
            locate("配置文件 /a/gklint.yaml：坏", Path::new("/a/gklint.yaml")),
            None
        );
    }

    #[test]
    fn builtin_rules_link_to_their_yaml() {
        let p = Packs::builtin();
        let link = p.doc_link("applications-balance").unwrap();
        assert!(
            link.as_str().contains("rules/national/rules.yaml#L"),
            "{}",
            link.as_str()
        );
        assert!(
            p.identities
                .iter()
                .any(|i| i.rule == "applications-balance")
        );
    }
}

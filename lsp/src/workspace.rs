//! Configuration, packs and plugins for each document, found as `gklint
//! check` finds them: the nearest `gklint.yaml` / `.gklint.yaml` above the
//! file (or one file the client names, like `--config`), its packs plus the
//! client's extra packs (like `--pack`), on top of the built-in ones, and the
//! trusted plugins the configuration and the settings list (`plugins.rs`). A
//! configuration, pack or plugin that fails to load becomes a diagnostic on
//! the file that names it (or a message), and documents are linted with what
//! did load: the server keeps running.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;

use gklint_engine::lint::Options;
use gklint_engine::model::OfficeKind;
use gklint_engine::pack::{self, LoadError, PackError, PackInput, PackSet};
use gklint_engine::plugin::{Plugin, PluginError, add_plugins};
use gklint_engine::source::{LineIndex, Position as CharPosition};
use lsp_types::{Diagnostic, DiagnosticSeverity, MessageType, NumberOrString, Range, Uri};
use serde_json::Value;

use crate::cli_shared::config::{Config, Discovery, NAMES};
use crate::cli_shared::packs::{distinct, read_pack};
use crate::cli_shared::regular_file;
use crate::identities::IdentityDef;
use crate::plugins::{Listed, Lister, PluginHost};
use crate::position::{Converter, Encoding};

/// What the client may set (`initializationOptions`, `workspace/didChangeConfiguration`),
/// the editor's counterparts of the CLI's flags.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    /// Like `--config`: this configuration file for every document.
    pub config: Option<PathBuf>,
    /// Like `--pack`: extra packs for every document.
    pub packs: Vec<PathBuf>,
    /// Plugins for every document. Like a configuration's `plugins:` (not
    /// like `--plugin`): each loads only when the user trusts it, since a
    /// project can ship settings (`.vscode/settings.json`).
    pub plugins: Vec<PathBuf>,
    /// Where the built-in rules' documentation is published: the link of
    /// each finding. No link when unset.
    pub docs_url: Option<String>,
    /// Quiet time after a change before the document is linted again,
    /// within `0..=MAX_DEBOUNCE_MS`.
    pub debounce_ms: Option<u64>,
    /// Values that were out of range (clamped) or of the wrong kind
    /// (ignored), for the user.
    pub notes: Vec<String>,
}

/// The longest quiet time accepted: 10 s. Longer would look like a server
/// that stopped linting.
pub const MAX_DEBOUNCE_MS: u64 = 10_000;

/// The most packs or plugins the settings may list: each is read, and each
/// failure is shown; a real setup lists a handful.
pub const MAX_LISTED: usize = 100;

/// The longest `docsUrl`: it goes into every finding's link.
pub const MAX_URL: usize = 2048;

/// The first [`MAX_LISTED`] of a list, with a note when there were more.
fn capped(mut list: Vec<PathBuf>, key: &str, notes: &mut Vec<String>) -> Vec<PathBuf> {
    if list.len() > MAX_LISTED {
        notes.push(format!(
            "编辑器设置 gklint.{key} 列了 {} 项，超过上限 {MAX_LISTED} 项，只使用前 {MAX_LISTED} 项；\
             请删去多余的项",
            list.len()
        ));
        list.truncate(MAX_LISTED);
    }
    list
}

/// `debounceMs` as a number of milliseconds in range, and a note when it
/// was clamped or refused.
fn debounce_ms(v: Option<&Value>) -> (Option<u64>, Option<String>) {
    let Some(v) = v.filter(|v| !v.is_null()) else {
        return (None, None);
    };
    let Some(f) = v.as_f64().filter(|f| f.is_finite()) else {
        return (
            None,
            Some(format!(
                "编辑器设置 gklint.debounceMs 的值 {v} 不是数字，已忽略，使用默认值 150 毫秒。\
                 请写成 0 到 {MAX_DEBOUNCE_MS} 之间的毫秒数"
            )),
        );
    };
    let ms = f.round().clamp(0.0, MAX_DEBOUNCE_MS as f64) as u64;
    let exact = v.as_u64() == Some(ms);
    let note = (!exact).then(|| {
        format!(
            "编辑器设置 gklint.debounceMs 的值 {v} 不在 0 到 {MAX_DEBOUNCE_MS} 毫秒之间（或不是整数），\
             已按 {ms} 毫秒处理。请改为此范围内的整数"
        )
    });
    (Some(ms), note)
}

impl Settings {
    /// Reads `{"gklint": {…}}` or `{…}` with the keys `config`, `packs`,
    /// `plugins`, `docsUrl` and `debounceMs`; relative paths are taken from
    /// `root`. `None` when the value says nothing about gklint.
    pub fn from_json(v: &Value, root: Option<&Path>) -> Option<Settings> {
        let v = v.get("gklint").unwrap_or(v);
        let obj = v.as_object()?;
        if !["config", "packs", "plugins", "docsUrl", "debounceMs"]
            .iter()
            .any(|k| obj.contains_key(*k))
        {
            return None;
        }
        let (debounce_ms, note) = debounce_ms(v.get("debounceMs"));
        let resolve = |s: &str| {
            let p = PathBuf::from(s);
            match root {
                Some(r) if p.is_relative() => r.join(p),
                _ => p,
            }
        };
        let mut notes: Vec<String> = note.into_iter().collect();
        let mut paths = |key: &str| -> Vec<PathBuf> {
            let list: Vec<PathBuf> = v
                .get(key)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .filter(|s| !s.trim().is_empty())
                        .map(resolve)
                        .collect()
                })
                .unwrap_or_default();
            capped(list, key, &mut notes)
        };
        let (packs, plugins) = (paths("packs"), paths("plugins"));
        let docs_url = v
            .get("docsUrl")
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .filter(|s| {
                let fits = s.len() <= MAX_URL;
                if !fits {
                    notes.push(format!(
                        "编辑器设置 gklint.docsUrl 长达 {} 字节，超过上限 {MAX_URL} 字节，已忽略；\
                         请填写规则文档的网址",
                        s.len()
                    ));
                }
                fits
            })
            .map(str::to_owned);
        Some(Settings {
            config: v
                .get("config")
                .and_then(Value::as_str)
                .filter(|s| !s.trim().is_empty())
                .map(resolve),
            packs,
            plugins,
            docs_url,
            debounce_ms,
            notes,
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
    /// Each table layout's caption (`收到和处理政府信息公开申请情况`), by layout id.
    pub captions: HashMap<String, String>,
}

enum PackFailure {
    Read { path: PathBuf, message: String },
    Load(LoadError),
}

impl Packs {
    pub fn builtin() -> Packs {
        match Packs::load(&[], &[]) {
            Ok((p, _)) => p,
            Err(_) => panic!("the built-in packs always load (their tests say so)"),
        }
    }

    /// The built-in packs, the `extra` ones, then the plugins; with, for each
    /// plugin left out because its rule ids clash, its index and the error.
    fn load(
        extra: &[PathBuf],
        plugins: &[Plugin],
    ) -> Result<(Packs, Vec<(usize, PluginError)>), PackFailure> {
        // Parsed at build time (the index below reads the YAML text for the
        // rules' places itself; the server shows no examples).
        let mut inputs = pack::builtin_inputs_preparsed();
        for p in extra {
            inputs.push(read_pack(p).map_err(|e| PackFailure::Read {
                path: p.clone(),
                message: format!("{e:#}"),
            })?);
        }
        let mut set = pack::load(&inputs).map_err(PackFailure::Load)?;
        let mut clashes = Vec::new();
        for (i, p) in plugins.iter().enumerate() {
            clashes.extend(
                add_plugins(&mut set, std::slice::from_ref(p))
                    .into_iter()
                    .map(|e| (i, e)),
            );
        }
        let Index {
            homes,
            identities,
            captions,
        } = index(&inputs);
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
        let packs = Packs {
            shards: shards(&set, cores),
            set,
            homes,
            identities,
            captions,
        };
        Ok((packs, clashes))
    }

    /// A link to where the rule is defined and documented: for a built-in
    /// rule, its pack file under `docs_url` (`{rule}`, `{path}` and `{line}`
    /// in it are replaced; otherwise `{docs_url}/{path}#L{line}`), none
    /// without `docs_url`; for a rule of the user's pack, the pack file.
    pub fn doc_link(&self, rule: &str, docs_url: Option<&str>) -> Option<Uri> {
        let home = self.homes.get(rule)?;
        if home.builtin {
            docs_link(docs_url?, rule, &home.path, home.line)
        } else {
            let uri = crate::uri::from_path(Path::new(&home.path))?;
            Uri::from_str(&format!("{}#L{}", uri.as_str(), home.line)).ok()
        }
    }
}

/// The documentation link of a built-in rule under the settings' `docsUrl`;
/// characters outside ASCII are percent-encoded (`/你的组织/`).
fn docs_link(base: &str, rule: &str, path: &str, line: u64) -> Option<Uri> {
    if !base.contains("://") {
        return None;
    }
    let link = if base.contains('{') {
        base.replace("{rule}", rule)
            .replace("{path}", path)
            .replace("{line}", &line.to_string())
    } else {
        format!("{}/{path}#L{line}", base.trim_end_matches('/'))
    };
    let mut encoded = String::with_capacity(link.len());
    for c in link.chars() {
        if c.is_ascii() && !c.is_ascii_whitespace() {
            encoded.push(c);
        } else {
            let mut buf = [0; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                encoded.push_str(&format!("%{b:02X}"));
            }
        }
    }
    Uri::from_str(&encoded).ok()
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

/// What the packs' YAML says beyond the compiled rules.
#[derive(Default)]
struct Index {
    homes: HashMap<String, RuleHome>,
    identities: Vec<IdentityDef>,
    captions: HashMap<String, String>,
}

/// Rule locations, identities and table captions, read from the packs' YAML.
fn index(inputs: &[PackInput]) -> Index {
    let mut homes = HashMap::new();
    let mut identities = Vec::new();
    let mut captions = HashMap::new();
    for input in inputs {
        for src in &input.files {
            let contents: Arc<str> = Arc::from(src.contents.as_str());
            let Ok(file) = pack::parse_file(&src.path, &contents) else {
                continue;
            };
            for t in &file.tables {
                if let Some(c) = t.caption.as_ref().filter(|c| !c.trim().is_empty()) {
                    captions.insert(t.schema.clone(), c.trim().to_owned());
                }
            }
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
    Index {
        homes,
        identities,
        captions,
    }
}

/// What governs one document.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub packs: Arc<Packs>,
    pub options: Options,
    pub kind: Option<OfficeKind>,
    /// The configuration's `ignore` covers the file: no findings, as `gklint check` skips it.
    pub ignored: bool,
    /// The settings' `docsUrl`.
    pub docs_url: Option<String>,
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
    plugins: PluginHost,
    /// Loaded sets by their extra packs and listed plugins.
    sets: HashMap<(Vec<PathBuf>, Vec<Listed>), Arc<Packs>>,
    by_file: HashMap<PathBuf, Resolved>,
    /// Configuration and pack errors by file, as they stand.
    problems: BTreeMap<Uri, Vec<Diagnostic>>,
    /// What was last published for those files.
    shown: BTreeMap<Uri, Vec<Diagnostic>>,
    /// Messages to show (problems without a file to show them on, such as a
    /// missing pack named in the settings; refused plugins).
    messages: Vec<(MessageType, String)>,
    /// Plugin refusals shown already this session (not shown at every reload).
    said: HashSet<String>,
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
            plugins: PluginHost::new(),
            sets: HashMap::new(),
            by_file: HashMap::new(),
            problems: BTreeMap::new(),
            shown: BTreeMap::new(),
            messages: Vec::new(),
            said: HashSet::new(),
        };
        ws.reload();
        ws
    }

    /// Forgets every configuration, pack and plugin read so far, and the
    /// trust file (they are read again on the next lint), and every problem
    /// found in them.
    pub fn reload(&mut self) {
        self.discovery = Discovery::default();
        self.sets.clear();
        self.sets
            .insert((Vec::new(), Vec::new()), self.builtin.clone());
        self.by_file.clear();
        self.problems.clear();
        self.plugins = PluginHost::new();
        if let Some(url) = &self.settings.docs_url
            && docs_link(url, "rule", "rules/common/rules.yaml", 1).is_none()
        {
            let m = format!(
                "编辑器设置 gklint.docsUrl 的值“{url}”不是有效的网址，规则编号上不带文档链接。\
                 请写成以 https:// 开头的地址，例如 https://github.com/你的组织/gklint/blob/main"
            );
            if self.said.insert(m.clone()) {
                self.messages.push((MessageType::WARNING, m));
            }
        }
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
        let mut listed: Vec<Listed> = self
            .settings
            .plugins
            .iter()
            .map(|p| Listed {
                path: p.clone(),
                by: Lister::Settings,
            })
            .collect();
        if let Some(c) = &config {
            extra.extend(c.packs.iter().cloned());
            let file = self.config_file(c).unwrap_or_else(|| c.dir.join(NAMES[0]));
            listed.extend(c.plugins.iter().map(|p| Listed {
                path: p.clone(),
                by: Lister::Config(file.clone()),
            }));
        }
        let packs = self.packs_for(distinct(&extra), listed, config.as_deref());
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
            docs_url: self.settings.docs_url.clone(),
        };
        if let Some(a) = abs {
            self.by_file.insert(a, r.clone());
        }
        r
    }

    fn packs_for(
        &mut self,
        extra: Vec<PathBuf>,
        listed: Vec<Listed>,
        config: Option<&Config>,
    ) -> Arc<Packs> {
        let key = (extra, listed);
        if let Some(s) = self.sets.get(&key) {
            return s.clone();
        }
        let loaded = self.plugins.load(&key.1);
        if let Some(e) = loaded.trust_error {
            crate::log(&e);
            self.messages.push((MessageType::ERROR, e));
        }
        for (l, e) in &loaded.refused {
            self.plugin_problem(l, e);
        }
        let (from, plugins): (Vec<Listed>, Vec<Plugin>) = loaded.plugins.into_iter().unzip();
        let packs = match Packs::load(&key.0, &plugins) {
            Ok((p, clashes)) => {
                for (i, e) in &clashes {
                    self.plugin_problem(&from[*i], e);
                }
                Arc::new(p)
            }
            Err(failure) => {
                self.pack_problem(failure, config);
                // The plugins without the packs, as `gklint check` would have none.
                Packs::load(&[], &plugins)
                    .map(|(p, _)| Arc::new(p))
                    .unwrap_or_else(|_| self.builtin.clone())
            }
        };
        self.sets.insert(key, packs.clone());
        packs
    }

    /// The trust file or a listed plugin file changed: plugins must be loaded again.
    pub fn plugins_stale(&self) -> bool {
        self.plugins.stale()
    }

    /// A refused plugin: an error on the configuration where it is listed,
    /// and (once a session) a message, since a plugin's rules that silently
    /// do not run would be worse.
    fn plugin_problem(&mut self, listed: &Listed, e: &PluginError) {
        if let Lister::Config(file) = &listed.by {
            let range = self.name_range(file, &listed.path);
            self.add_problem(file, range, "plugin", e.message.clone());
        } else {
            crate::log(&e.message);
        }
        if self.said.insert(e.message.clone()) {
            let hint = match e.kind {
                gklint_engine::plugin::PluginErrorKind::Untrusted { .. } => {
                    "信任后无须重启编辑器，gklint 会自动重新加载。"
                }
                _ => "",
            };
            self.messages
                .push((MessageType::WARNING, format!("{}{hint}", e.message)));
        }
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

    pub fn take_messages(&mut self) -> Vec<(MessageType, String)> {
        std::mem::take(&mut self.messages)
    }

    fn add_problem(&mut self, file: &Path, range: Range, code: &str, message: String) {
        crate::log(&format!("{}: {message}", file.display()));
        let Some(uri) = crate::uri::from_path(file) else {
            self.messages.push((MessageType::ERROR, message));
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
        let text = read_config_text(file);
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
                        self.messages.push((MessageType::ERROR, message));
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
                        let range = self.name_range(&file, &path);
                        self.add_problem(&file, range, "pack", message);
                    }
                    None => {
                        crate::log(&message);
                        self.messages.push((MessageType::ERROR, message));
                    }
                }
            }
        }
    }

    /// Where a configuration file names `path` (resolved against its folder).
    fn name_range(&self, file: &Path, path: &Path) -> Range {
        let text = read_config_text(file);
        let dir = file.parent().unwrap_or(Path::new(""));
        let named = path.strip_prefix(dir).unwrap_or(path).to_string_lossy();
        let named = named.trim_start_matches("./");
        text.find(named)
            .map(|at| {
                let lines = LineIndex::new(&text);
                let conv = Converter::new(&text, &lines, self.encoding);
                conv.range(&(at..at + named.len()))
            })
            .unwrap_or_default()
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

/// A configuration file's text for placing a problem in it; empty when it
/// cannot be read safely (not a regular file, too large): a repository's
/// configuration may be a FIFO, which a plain read would wait on forever.
fn read_config_text(file: &Path) -> String {
    regular_file::read_text(file, regular_file::MAX_TEXT_FILE).unwrap_or_default()
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
        assert!(s.plugins.is_empty());
        assert_eq!(s.docs_url, None);
        let s = Settings::from_json(
            &serde_json::json!({"plugins": ["插件/libx.so", ""], "docsUrl": " https://d.example.org "}),
            Some(root),
        )
        .unwrap();
        assert_eq!(s.plugins, vec![PathBuf::from("/w/插件/libx.so")]);
        assert_eq!(s.docs_url.as_deref(), Some("https://d.example.org"));
        assert!(Settings::from_json(&serde_json::json!({"other": 1}), None).is_none());
        let s = Settings::from_json(&serde_json::json!({"config": ""}), None).unwrap();
        assert_eq!(s.config, None);
    }

    #[test]
    fn debounce_is_clamped_or_refused_with_a_note() {
        let ms = |v: Value| {
            let s = Settings::from_json(&serde_json::json!({ "debounceMs": v }), None).unwrap();
            (s.debounce_ms, s.notes.len())
        };
        assert_eq!(ms(serde_json::json!(0)), (Some(0), 0));
        assert_eq!(ms(serde_json::json!(10_000)), (Some(10_000), 0));
        assert_eq!(ms(serde_json::json!(u64::MAX)), (Some(MAX_DEBOUNCE_MS), 1));
        assert_eq!(ms(serde_json::json!(1e300)), (Some(MAX_DEBOUNCE_MS), 1));
        assert_eq!(ms(serde_json::json!(-5)), (Some(0), 1));
        assert_eq!(ms(serde_json::json!(i64::MIN)), (Some(0), 1));
        assert_eq!(ms(serde_json::json!(149.6)), (Some(150), 1));
        assert_eq!(ms(serde_json::json!("150")), (None, 1));
        assert_eq!(ms(serde_json::json!(true)), (None, 1));
        assert_eq!(ms(Value::Null), (None, 0));
    }

    #[test]
    fn long_lists_and_urls_are_cut_with_a_note() {
        let many: Vec<String> = (0..1000).map(|i| format!("/p{i}.yaml")).collect();
        let s = Settings::from_json(
            &serde_json::json!({"packs": many, "plugins": many, "docsUrl": format!("https://x/{}", "a".repeat(5000))}),
            None,
        )
        .unwrap();
        assert_eq!((s.packs.len(), s.plugins.len()), (MAX_LISTED, MAX_LISTED));
        assert_eq!(s.docs_url, None);
        assert_eq!(s.notes.len(), 3, "{:?}", s.notes);
        assert!(
            s.notes[0].contains("gklint.packs 列了 1000 项"),
            "{:?}",
            s.notes
        );
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
    fn builtin_rules_link_to_their_yaml_only_under_a_docs_url() {
        let p = Packs::builtin();
        assert_eq!(p.doc_link("applications-balance", None), None);
        let link = p
            .doc_link(
                "applications-balance",
                Some("https://git.example.org/gklint/blob/v1/"),
            )
            .unwrap();
        assert!(
            link.as_str()
                .starts_with("https://git.example.org/gklint/blob/v1/rules/national/rules.yaml#L"),
            "{}",
            link.as_str()
        );
        let link = p
            .doc_link(
                "applications-balance",
                Some("https://docs.example.org/rules/{rule}.html"),
            )
            .unwrap();
        assert_eq!(
            link.as_str(),
            "https://docs.example.org/rules/applications-balance.html"
        );
        let link = p
            .doc_link(
                "applications-balance",
                Some("https://github.com/你的组织/gklint/blob/main"),
            )
            .unwrap();
        assert!(
            link.as_str()
                .starts_with("https://github.com/%E4%BD%A0%E7%9A%84%E7%BB%84%E7%BB%87/gklint/"),
            "{}",
            link.as_str()
        );
        assert_eq!(p.doc_link("applications-balance", Some("规则文档")), None);
        assert!(
            p.identities
                .iter()
                .any(|i| i.rule == "applications-balance")
        );
    }
}

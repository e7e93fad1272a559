//! The pack sets of a `check` run: the built-in packs plus `--pack` and
//! `--plugin`, plus a config's packs and its trusted plugins. Each set is
//! keyed for the result cache by its packs' text, and
//! compiled when a file first needs it: a run with the built-in packs whose
//! files are all in the cache compiles nothing. Sets with plugins are not
//! cached.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use anyhow::Result;
use gklint_engine::pack::{PackInput, PackSet};

use super::plugin;
use crate::cache::{self, Key};
use crate::config::Config;
use crate::packs;

/// One pack set of the run.
pub struct Set {
    inputs: Vec<PackInput>,
    /// The cache key of the packs; `None` with plugins: native code may
    /// read anything (the environment, files, the clock), so what its
    /// findings depend on cannot be known, and they are never cached.
    pub key: Option<Key>,
    compiled: OnceLock<Result<Arc<PackSet>, String>>,
}

/// Packs that failed to load: the run stops, as when they fail at start.
#[derive(Debug)]
pub struct PackFailure(pub String);

impl std::fmt::Display for PackFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PackFailure {}

impl Set {
    /// The compiled packs; the first call compiles them.
    pub fn packs(&self) -> Result<&Arc<PackSet>> {
        self.compiled
            .get_or_init(|| {
                compile(&self.inputs)
                    .map(Arc::new)
                    .map_err(|e| format!("{e:#}"))
            })
            .as_ref()
            .map_err(|e| PackFailure(e.clone()).into())
    }
}

/// The extra packs and the config's plugins a set is made of.
type Needs = (Vec<PathBuf>, Vec<PathBuf>);

/// Compiles packs, first setting the engine's own patterns compiling on
/// another thread (the report that needs the packs will need those too).
fn compile(inputs: &[PackInput]) -> Result<PackSet> {
    rayon::spawn(gklint_engine::warm_up);
    packs::compile(inputs)
}

/// The run's sets by the extra packs and plugins they need.
pub struct Sets {
    base: Vec<PathBuf>,
    host: plugin::Host,
    named: Vec<gklint_engine::plugin::Plugin>,
    /// In the order first needed (few: one per distinct config).
    sets: Vec<(Needs, Arc<Set>)>,
}

impl Sets {
    pub fn new(packs: &[PathBuf], plugins: &[PathBuf]) -> Sets {
        let mut host = plugin::Host::default();
        let named = host.named(plugins);
        Sets {
            base: packs.to_vec(),
            host,
            named,
            sets: Vec::new(),
        }
    }

    /// The set for files governed by `config`. Its packs' files are read
    /// now (a missing pack is an error at start). A set with a user's pack
    /// or a plugin is compiled now too, so that a pack that does not load,
    /// or a plugin refused or clashing, is said at start whatever the cache
    /// holds; the built-in packs alone wait for a file that needs them.
    pub fn for_config(&mut self, config: Option<&Config>) -> Result<Arc<Set>> {
        let mut extra = self.base.clone();
        let mut listed = Vec::new();
        if let Some(c) = config {
            extra.extend(c.packs.iter().cloned());
            listed.extend(c.plugins.iter().cloned());
        }
        let k = (extra, listed);
        if let Some((_, s)) = self.sets.iter().find(|(have, _)| *have == k) {
            return Ok(s.clone());
        }
        let inputs = packs::inputs(&k.0, packs::Builtin::Preparsed)?;
        let configured = match config {
            Some(c) => self.host.configured(&c.dir, &c.plugins),
            None => Vec::new(),
        };
        let plugins: Vec<_> = self.named.iter().chain(&configured).collect();
        let set = Set {
            key: plugins.is_empty().then(|| cache::packs_key(&inputs)),
            compiled: OnceLock::new(),
            inputs,
        };
        // Built-in packs always load (a test sees to it); a user's pack may
        // not, and is said at start, before any output, as without a cache.
        if !plugins.is_empty() || !k.0.is_empty() {
            let mut s = compile(&set.inputs)?;
            self.host.add(&mut s, &self.named);
            self.host.add(&mut s, &configured);
            let _ = set.compiled.set(Ok(Arc::new(s)));
        }
        let set = Arc::new(set);
        self.sets.push((k, set.clone()));
        Ok(set)
    }

    /// Every set, compiled (SARIF lists every rule the run could report).
    pub fn compiled(&self) -> Result<Vec<Arc<PackSet>>> {
        self.sets.iter().map(|(_, s)| s.packs().cloned()).collect()
    }

    /// A plugin was refused: the run goes on, and exits 2 at the end.
    pub fn failed(&self) -> bool {
        self.host.failed
    }
}

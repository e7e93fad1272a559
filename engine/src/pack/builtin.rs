//! The built-in packs as loader input, in two forms: their YAML, with every
//! rule's examples and source locations (for `test-pack` and `gklint
//! rules`), or the same files already parsed, for linting (`check`,
//! `extract`, the language server). Both carry the YAML text, for cache keys
//! and for what reads it itself (the language server's index of rule homes).
//!
//! Parsing the built-in YAML took a third of a one-report run (7.6 ms of
//! it, on the path every other step waits for); reading the same files back
//! from JSON takes 0.7 ms. The JSON (`rules/generated/packs.json`) is made
//! from the YAML by this module's test, which rewrites it and fails when it
//! is out of date. It records a hash of the YAML it was made from: if the
//! YAML has changed since, the YAML is parsed instead, so a lint never runs
//! stale rules.

use std::hash::Hasher as _;
use std::sync::Arc;

use serde::Deserialize;
use siphasher::sip::SipHasher13;

use super::file::PackFile;
use super::{PackInput, PackSource};

/// The built-in packs as written: YAML, parsed by the loader.
pub fn builtin_inputs() -> Vec<PackInput> {
    group(gklint_rules::BUILTIN.iter().map(|f| (f, None)))
}

/// The built-in packs parsed when gklint was built, without their rules'
/// examples (a lint never reads them) and without source locations (the
/// built-in packs are tested to load, so no error needs them). Falls back
/// to [`builtin_inputs`] when the parse is not of these files.
pub fn builtin_inputs_preparsed() -> Vec<PackInput> {
    match preparsed(gklint_rules::PREPARSED) {
        Some(files) => group(
            gklint_rules::BUILTIN
                .iter()
                .zip(files.into_iter().map(Some)),
        ),
        None => builtin_inputs(),
    }
}

/// What `rules/generated/packs.json` holds.
#[derive(Deserialize)]
struct Preparsed {
    /// [`yaml_hash`] of the files parsed.
    yaml: String,
    /// One per built-in file, in `BUILTIN` order.
    files: Vec<PackFile>,
}

/// The files of `json`, when it is a parse of the built-in YAML as it is.
fn preparsed(json: &str) -> Option<Vec<Arc<PackFile>>> {
    let p: Preparsed = serde_json::from_str(json).ok()?;
    (p.yaml == yaml_hash() && p.files.len() == gklint_rules::BUILTIN.len())
        .then(|| p.files.into_iter().map(Arc::new).collect())
}

/// A hash of every built-in file's path and text (SipHash-1-3 with fixed
/// keys, the same on every build).
fn yaml_hash() -> String {
    let mut h = SipHasher13::new();
    for f in gklint_rules::BUILTIN {
        for part in [f.path, f.contents] {
            h.write_usize(part.len());
            h.write(part.as_bytes());
        }
    }
    format!("{:016x}", h.finish())
}

fn group<'a>(
    files: impl Iterator<Item = (&'a gklint_rules::BuiltinFile, Option<Arc<PackFile>>)>,
) -> Vec<PackInput> {
    let mut out: Vec<PackInput> = Vec::new();
    for (f, parsed) in files {
        let src = PackSource {
            path: format!("rules/{}", f.path),
            contents: f.contents.to_owned(),
            parsed,
        };
        match out.iter_mut().find(|p| p.origin == f.pack) {
            Some(p) => p.files.push(src),
            None => out.push(PackInput {
                origin: f.pack.to_owned(),
                files: vec![src],
                builtin: true,
            }),
        }
    }
    out
}

/// The JSON `rules/generated/packs.json` should hold.
#[cfg(test)]
fn preparsed_json() -> String {
    // A line per file, so a change to one pack shows as a change to its line.
    let lines: Vec<String> = gklint_rules::BUILTIN
        .iter()
        .map(|f| {
            let path = format!("rules/{}", f.path);
            let mut file = super::parse_file(&path, &Arc::from(f.contents))
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            for r in &mut file.rules {
                r.value.examples = Default::default();
            }
            serde_json::to_string(&file).expect("a pack file serialises")
        })
        .collect();
    format!(
        "{{\"yaml\":\"{}\",\"files\":[\n{}\n]}}\n",
        yaml_hash(),
        lines.join(",\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pack::load;

    #[test]
    fn the_preparsed_builtin_packs_are_those_of_the_yaml() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/generated/packs.json");
        let fresh = preparsed_json();
        if gklint_rules::PREPARSED != fresh {
            std::fs::write(&path, &fresh).unwrap();
            panic!(
                "{} did not match the built-in YAML and has been rewritten: \
                 build again and commit it",
                path.display()
            );
        }
        assert!(preparsed(gklint_rules::PREPARSED).is_some());
    }

    /// Each loaded rule (and the catalog) as the multiset of its Debug
    /// output's parts: equal however hash maps inside happen to order their
    /// entries, different for any changed value. Without the examples, which
    /// the parsed form leaves out.
    fn shape(inputs: &[PackInput]) -> Vec<(String, Vec<String>)> {
        let parts = |debug: String| {
            let mut v: Vec<String> = debug
                .split([',', '{', '}'])
                .map(|t| t.trim().to_owned())
                .collect();
            v.sort_unstable();
            v
        };
        let mut set = load(inputs).unwrap_or_else(|e| panic!("{e}"));
        let mut out = vec![("catalog".to_owned(), parts(format!("{:?}", set.catalog)))];
        for p in &mut set.packs {
            let rules = std::mem::take(&mut p.rules);
            out.push((p.id.clone(), parts(format!("{p:?}"))));
            for mut r in rules {
                r.meta.valid.clear();
                r.meta.invalid.clear();
                out.push((r.meta.id.clone(), parts(format!("{r:?}"))));
            }
        }
        out
    }

    #[test]
    fn the_preparsed_packs_load_as_the_yaml_does() {
        let inputs = builtin_inputs_preparsed();
        assert!(
            inputs
                .iter()
                .flat_map(|i| &i.files)
                .all(|f| f.parsed.is_some())
        );
        let (yaml, parsed) = (shape(&builtin_inputs()), shape(&inputs));
        assert!(yaml.len() > 50, "{} rules", yaml.len());
        assert_eq!(yaml.len(), parsed.len());
        for (a, b) in yaml.iter().zip(&parsed) {
            assert_eq!(a.0, b.0);
            assert!(a.1 == b.1, "{} loads otherwise from the parsed form", a.0);
        }
    }

    #[test]
    fn a_parse_of_other_yaml_is_not_used() {
        let json = preparsed_json();
        assert!(preparsed(&json).is_some());
        let edited = json.replacen(&yaml_hash(), "0123456789abcdef", 1);
        assert!(preparsed(&edited).is_none(), "a parse of edited YAML");
        let last = json.rfind(",\n").unwrap();
        let short = format!("{}\n]}}\n", &json[..last]);
        assert!(serde_json::from_str::<Preparsed>(&short).is_ok());
        assert!(preparsed(&short).is_none(), "a file missing");
        assert!(preparsed("{").is_none(), "not JSON");
    }
}

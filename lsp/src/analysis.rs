//! Linting one version of a document, as `gklint check` lints a file: parse,
//! the packs and options its configuration gives, Markdown suppressions.

use std::collections::HashSet;
use std::sync::Arc;

use gklint_engine::diagnostic::Diagnostic;
use gklint_engine::lint::{Options, lint};
use gklint_engine::read::Format;
use gklint_engine::source::SourceFile;
use gklint_engine::suppress::Suppressions;
use gklint_engine::{Parsed, parse_source};
use lsp_types::Uri;

use crate::workspace::{Packs, Resolved};

/// What linting needs, taken from the document and workspace at one version.
pub struct Job {
    pub uri: Uri,
    pub version: i32,
    pub name: String,
    pub text: String,
    pub format: Format,
    pub resolved: Resolved,
}

/// One version of a document, linted.
pub struct Analysis {
    pub version: i32,
    pub format: Format,
    pub parsed: Parsed,
    pub diagnostics: Vec<Diagnostic>,
    pub packs: Arc<Packs>,
    /// The rules that ran (their packs apply, the configuration leaves them on).
    pub active_rules: HashSet<String>,
    /// Where the built-in rules' documentation is (the settings' `docsUrl`).
    pub docs_url: Option<String>,
}

/// What `lint` returns, the rules run on every core: each shard's findings,
/// then `lint`'s own order (by place, then rule; a rule's findings stay in
/// one shard, in their order) and its removal of repeats.
pub fn lint_parallel(packs: &Packs, parsed: &Parsed, options: &Options) -> Vec<Diagnostic> {
    if packs.shards.is_empty() {
        return lint(&packs.set, parsed, options);
    }
    let parts: Vec<Vec<Diagnostic>> = std::thread::scope(|s| {
        let handles: Vec<_> = packs.shards[1..]
            .iter()
            .map(|shard| s.spawn(move || lint(shard, parsed, options)))
            .collect();
        let mut parts = vec![lint(&packs.shards[0], parsed, options)];
        for h in handles {
            match h.join() {
                Ok(p) => parts.push(p),
                Err(e) => std::panic::resume_unwind(e),
            }
        }
        parts
    });
    let mut out: Vec<Diagnostic> = parts.into_iter().flatten().collect();
    out.sort_by(|a, b| {
        (a.span.start, a.span.end, &a.rule).cmp(&(b.span.start, b.span.end, &b.rule))
    });
    out.dedup_by(|a, b| a.rule == b.rule && a.span == b.span && a.message == b.message);
    out
}

pub fn analyse(job: Job) -> Analysis {
    let Job {
        version,
        name,
        text,
        format,
        resolved,
        ..
    } = job;
    let packs = resolved.packs;
    let mut parsed = parse_source(
        SourceFile::from_text(name, text),
        format,
        &packs.set.catalog,
    );
    if resolved.kind.is_some() {
        parsed.report.office_kind = resolved.kind;
    }
    let mut diagnostics = if resolved.ignored {
        Vec::new()
    } else {
        lint_parallel(&packs, &parsed, &resolved.options)
    };
    if format == Format::Markdown {
        let s = Suppressions::parse(&parsed.source.text, &parsed.source.lines);
        if !s.is_empty() {
            diagnostics.retain(|d| !s.suppresses(d));
        }
    }
    let report = &parsed.report;
    let mut active_rules = HashSet::new();
    if !resolved.ignored {
        let active = packs.set.active(
            report.year.as_ref().map(|y| y.value),
            report.template.as_deref(),
            report.office_kind,
        );
        let mut disabled: HashSet<&str> = HashSet::new();
        for p in &active {
            for o in p.overrides.iter().filter(|o| o.disabled) {
                disabled.insert(&o.rule);
            }
        }
        let options = &resolved.options;
        for p in &active {
            for r in &p.rules {
                let id = r.meta.id.as_str();
                let off = options.disabled.contains(id)
                    || (disabled.contains(id) && !options.severities.contains_key(id));
                if !off {
                    active_rules.insert(id.to_owned());
                }
            }
        }
    }
    Analysis {
        version,
        format,
        parsed,
        diagnostics,
        packs,
        active_rules,
        docs_url: resolved.docs_url,
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::workspace::shards;

    #[test]
    fn rules_on_several_cores_find_what_lint_finds() {
        let mut packs = Packs::builtin();
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files: Vec<_> = std::fs::read_dir(root.join("tests/fixtures/corpus/seeds"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.push(root.join("lsp/tests/fixtures/report.txt"));
        files.sort();
        for n in [2, 3] {
            packs.shards = shards(&packs.set, n);
            for f in &files {
                let text = std::fs::read_to_string(f).unwrap();
                let parsed = parse_source(
                    SourceFile::from_text("r.txt", text),
                    Format::Text,
                    &packs.set.catalog,
                );
                let options = Options::default();
                let one = lint(&packs.set, &parsed, &options);
                assert!(!one.is_empty());
                assert_eq!(
                    lint_parallel(&packs, &parsed, &options),
                    one,
                    "{}",
                    f.display()
                );
            }
        }
    }
}

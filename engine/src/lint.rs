//! Running the rules of the packs that apply to a report.

use std::collections::{HashMap, HashSet};

use crate::Parsed;
use crate::cancel::Cancel;
use crate::diagnostic::{Diagnostic, Severity};
use crate::pack::PackSet;
use crate::rules::{Context, Findings, RunSettings, findings};

/// What a run's configuration changes on top of the packs.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub settings: RunSettings,
    /// Rule id → severity.
    pub severities: HashMap<String, Severity>,
    pub disabled: HashSet<String>,
    /// Rules to run whatever the packs' `applies` say (used by `test-pack`).
    pub only: Option<HashSet<String>>,
    /// Checked between rules: a run's per-file time limit.
    pub cancel: Cancel,
}

/// Lints a parsed report with the packs that apply to it.
pub fn lint(packs: &PackSet, parsed: &Parsed, options: &Options) -> Vec<Diagnostic> {
    let report = &parsed.report;
    let active = match &options.only {
        Some(_) => packs.packs.iter().collect(),
        None => packs.active(
            report.year.as_ref().map(|y| y.value),
            report.template.as_deref(),
            report.office_kind,
        ),
    };
    // Overrides from active packs, then the run's own settings.
    let mut severity: HashMap<&str, Severity> = HashMap::new();
    let mut disabled: HashSet<&str> = HashSet::new();
    for p in &active {
        for o in &p.overrides {
            if let Some(s) = o.severity {
                severity.insert(&o.rule, s);
            }
            if o.disabled {
                disabled.insert(&o.rule);
            }
        }
    }
    let cx = Context {
        source: &parsed.source,
        document: &parsed.document,
        report,
        catalog: &packs.catalog,
        settings: &options.settings,
        folded: Default::default(),
        memo: Default::default(),
    };
    let mut out = Vec::new();
    for p in &active {
        for rule in &p.rules {
            if options.cancel.is_cancelled() {
                return out;
            }
            let id = rule.meta.id.as_str();
            if options.only.as_ref().is_some_and(|only| !only.contains(id)) {
                continue;
            }
            if options.disabled.contains(id)
                || (disabled.contains(id) && !options.severities.contains_key(id))
            {
                continue;
            }
            let mut found = Findings::default().cancelled_by(options.cancel.clone());
            rule.check.run(&cx, &rule.meta, &mut found);
            let (found, refused) = found.into_parts();
            let end = found.last().map_or(0, |d| d.span.end);
            let more = refused.then(|| findings::not_listed(&rule.meta, end..end));
            let sev = options.severities.get(id).or(severity.get(id)).copied();
            for mut d in found.into_iter().chain(more) {
                // A not-assessable warning stays a warning whatever the rule's severity.
                if let Some(s) = sev
                    && !d.not_assessable
                {
                    d.severity = s;
                }
                out.push(d);
            }
        }
    }
    out.sort_by(|a, b| {
        (a.span.start, a.span.end, &a.rule).cmp(&(b.span.start, b.span.end, &b.rule))
    });
    out.dedup_by(|a, b| a.rule == b.rule && a.span == b.span && a.message == b.message);
    crate::locate::annotate(&parsed.source, report, &mut out);
    out
}

//! `--format sarif`: SARIF 2.1.0. Every rule of the run is listed in the
//! driver, so code scanning can close alerts whose findings disappear.

use serde_json::{Value, json};

use super::FileResult;
use crate::fingerprint;
use gklint_engine::diagnostic::Severity;
use gklint_engine::pack::PackSet;

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// The driver's rules: those of every pack set of the run, once each, and
/// the cross-document rules.
pub fn driver_rules<'a>(sets: impl IntoIterator<Item = &'a PackSet>) -> Vec<Value> {
    let mut seen = std::collections::HashSet::new();
    let mut rules: Vec<Value> = sets
        .into_iter()
        .flat_map(|p| p.rules())
        .filter(|r| seen.insert(r.meta.id.clone()))
        .map(|r| {
            let m = &r.meta;
            json!({
                "id": m.id,
                "name": m.id,
                "shortDescription": { "text": m.message },
                "fullDescription": { "text": m.docs.clone().unwrap_or_else(|| m.help.clone()) },
                "help": { "text": m.help },
                "defaultConfiguration": { "level": level(m.severity) },
                "properties": { "category": m.category.as_str(), "pack": m.pack },
            })
        })
        .collect();
    // The cross-document rules (not in any pack).
    for (id, category, severity, description) in gklint_engine::cross::RULES {
        rules.push(json!({
            "id": id,
            "name": id,
            "shortDescription": { "text": description },
            "defaultConfiguration": { "level": level(*severity) },
            "properties": { "category": category.as_str(), "pack": "cross-document" },
        }));
    }
    rules
}

/// The results of one file.
pub fn results(r: &FileResult, rules: &[Value]) -> Vec<Value> {
    let index = |id: &str| rules.iter().position(|r| r["id"] == id);
    let mut out = Vec::new();
    {
        let prints = fingerprint::of_file(r);
        for (d, print) in r.diagnostics.iter().zip(prints) {
            let s = r.source.position(d.span.start);
            let e = r.source.position(d.span.end);
            let mut result = json!({
                "ruleId": d.rule,
                "level": level(d.severity),
                "message": { "text": d.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&r.path) },
                        "region": { "startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": e.column }
                    }
                }],
                "partialFingerprints": { "gklint/content/v1": print },
                "properties": { "category": d.category.as_str(), "help": d.help },
            });
            if let Some(i) = index(&d.rule) {
                result["ruleIndex"] = json!(i);
            }
            // Word, HTML and PDF files: the place in the original file.
            if let Some(place) = d.location() {
                result["locations"][0]["logicalLocations"] = json!([{ "name": place }]);
            }
            // A cross-document finding: the place in the other report.
            if let Some(o) = gklint_engine::cross::Elsewhere::of(d) {
                result["relatedLocations"] = json!([{
                    "id": 1,
                    "message": { "text": o.message },
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&o.path) },
                        "region": { "startLine": o.line, "startColumn": o.column, "endLine": o.end_line, "endColumn": o.end_column }
                    }
                }]);
            }
            if let Some(f) = &d.fix {
                let replacements: Vec<Value> = f
                    .edits
                    .iter()
                    .map(|ed| {
                        let a = r.source.position(ed.span.start);
                        let b = r.source.position(ed.span.end);
                        json!({
                            "deletedRegion": { "startLine": a.line, "startColumn": a.column, "endLine": b.line, "endColumn": b.column },
                            "insertedContent": { "text": ed.replacement }
                        })
                    })
                    .collect();
                result["fixes"] = json!([{
                    "description": { "text": f.description },
                    "artifactChanges": [{ "artifactLocation": { "uri": uri(&r.path) }, "replacements": replacements }]
                }]);
            }
            out.push(result);
        }
    }
    out
}

/// The opening of the log, up to the results array.
pub fn begin() -> String {
    "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [{\n    \"columnKind\": \"unicodeCodePoints\",\n    \"results\": [\n".to_owned()
}

/// The close of the results array and the tool, with its rules (the key
/// order of a JSON object carries no meaning, so the results, written as
/// files are linted, may come first).
pub fn finish(rules: Vec<Value>) -> String {
    let tool = json!({ "driver": {
        "name": "gklint",
        "version": env!("CARGO_PKG_VERSION"),
        "rules": rules
    }});
    format!(
        "\n    ],\n    \"tool\": {}\n  }}]\n}}\n",
        serde_json::to_string(&tool).unwrap_or_else(|_| "{}".into())
    )
}

/// A relative path as a URI reference (forward slashes, spaces and non-ASCII percent-encoded).
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.replace('\\', "/").bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

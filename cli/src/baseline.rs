//! Baselines: today's findings recorded by rule and content fingerprint, so
//! that later runs report only new findings (and say which entries are stale).

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::fingerprint;
use crate::output::FileResult;

#[derive(Debug, Serialize, Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Hash)]
pub struct Entry {
    pub path: String,
    pub rule: String,
    pub fingerprint: String,
    /// For people reading the file; not used for matching.
    pub message: String,
}

pub fn write(results: &[FileResult], path: &Path) -> Result<usize> {
    let mut entries = Vec::new();
    for r in results {
        for (d, f) in r.diagnostics.iter().zip(fingerprint::of_file(r)) {
            entries.push(Entry {
                path: r.path.clone(),
                rule: d.rule.clone(),
                fingerprint: f,
                message: d.message.clone(),
            });
        }
    }
    let n = entries.len();
    let json = serde_json::to_string_pretty(&Baseline {
        version: 1,
        entries,
    })?;
    std::fs::write(path, json + "\n")
        .with_context(|| format!("无法写入基线文件 {}", path.display()))?;
    Ok(n)
}

pub fn read(path: &Path) -> Result<Baseline> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("无法读取基线文件 {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("基线文件 {} 格式有误", path.display()))
}

/// Drops findings the baseline knows; returns the baseline entries no finding matched.
pub fn filter(results: &mut [FileResult], baseline: &Baseline) -> Vec<Entry> {
    let mut known: HashMap<(&str, &str, &str), usize> = HashMap::new();
    for (i, e) in baseline.entries.iter().enumerate() {
        known.insert(
            (e.path.as_str(), e.rule.as_str(), e.fingerprint.as_str()),
            i,
        );
    }
    let mut used = vec![false; baseline.entries.len()];
    for r in results.iter_mut() {
        let prints = fingerprint::of_file(r);
        let mut keep = Vec::new();
        for (d, f) in r.diagnostics.drain(..).zip(prints) {
            match known.get(&(r.path.as_str(), d.rule.as_str(), f.as_str())) {
                Some(&i) => used[i] = true,
                None => keep.push(d),
            }
        }
        r.diagnostics = keep;
    }
    // Entries of files not linted this time are not stale: they were not looked at.
    let linted: std::collections::HashSet<&str> = results.iter().map(|r| r.path.as_str()).collect();
    baseline
        .entries
        .iter()
        .zip(used)
        .filter(|(e, u)| !u && linted.contains(e.path.as_str()))
        .map(|(e, _)| e.clone())
        .collect()
}

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

/// The path a baseline records: relative to the current folder when the
/// file lies under it (however it was named: `./d/r.txt`, `d/r.txt`, an
/// absolute path), with forward slashes.
pub fn key_path(path: &str) -> String {
    let p = Path::new(path);
    let rel = std::fs::canonicalize(p).ok().and_then(|abs| {
        let cwd = std::env::current_dir().ok()?.canonicalize().ok()?;
        abs.strip_prefix(&cwd).ok().map(Path::to_path_buf)
    });
    let shown = rel
        .as_deref()
        .unwrap_or(p)
        .to_string_lossy()
        .replace('\\', "/");
    shown.trim_start_matches("./").to_owned()
}

/// The entries of one file's findings.
pub fn entries(r: &FileResult) -> Vec<Entry> {
    let path = key_path(&r.path);
    r.diagnostics
        .iter()
        .zip(fingerprint::of_file(r))
        .map(|(d, f)| Entry {
            path: path.clone(),
            rule: d.rule.clone(),
            fingerprint: f,
            message: d.message.clone(),
        })
        .collect()
}

pub fn write(entries: Vec<Entry>, path: &Path) -> Result<usize> {
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
    let text = crate::regular_file::read_text(path, crate::regular_file::MAX_TEXT_FILE)
        .map_err(|e| anyhow::anyhow!("无法读取基线文件 {}：{e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        // serde_json's message can quote a string of the file: cut short.
        anyhow::anyhow!(
            "基线文件 {} 格式有误：{}（可用 --write-baseline 重新生成）",
            path.display(),
            crate::regular_file::clip(&e.to_string(), 120)
        )
    })
}

/// Matches findings against a baseline file by file, remembering which
/// entries were used, to name the stale ones at the end.
pub struct Matcher {
    baseline: Baseline,
    known: HashMap<(String, String, String), usize>,
    used: Vec<bool>,
    linted: std::collections::HashSet<String>,
}

impl Matcher {
    pub fn new(baseline: Baseline) -> Matcher {
        let known = baseline
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                (
                    (key_path(&e.path), e.rule.clone(), e.fingerprint.clone()),
                    i,
                )
            })
            .collect();
        let used = vec![false; baseline.entries.len()];
        Matcher {
            baseline,
            known,
            used,
            linted: Default::default(),
        }
    }

    /// Drops the findings the baseline knows.
    pub fn filter(&mut self, r: &mut FileResult) {
        let path = key_path(&r.path);
        let prints = fingerprint::of_file(r);
        let mut keep = Vec::new();
        for (d, f) in r.diagnostics.drain(..).zip(prints) {
            match self.known.get(&(path.clone(), d.rule.clone(), f)) {
                Some(&i) => self.used[i] = true,
                None => keep.push(d),
            }
        }
        r.diagnostics = keep;
        self.linted.insert(path);
    }

    /// The entries no finding matched, among the files linted (entries of
    /// files not linted this time were not looked at, so they are not stale).
    pub fn stale(&self) -> Vec<Entry> {
        self.baseline
            .entries
            .iter()
            .zip(&self.used)
            .filter(|(e, u)| !**u && self.linted.contains(&key_path(&e.path)))
            .map(|(e, _)| e.clone())
            .collect()
    }
}

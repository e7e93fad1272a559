//! Shared helpers for gklint's end-to-end tests: fixture paths and golden files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub mod fuzz;
pub mod generate;

/// `tests/` in the repository.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A corpus report under `tests/fixtures/corpus/`.
pub fn corpus(rel: &str) -> PathBuf {
    root().join("fixtures/corpus").join(rel)
}

/// The golden values typed by reading a report (see tests/golden/README.md).
#[derive(Debug, Deserialize)]
pub struct Golden {
    pub source: String,
    pub title: String,
    pub office: String,
    pub office_kind: String,
    pub year: i32,
    pub template: String,
    pub published: Option<String>,
    pub sections: Vec<GoldenSection>,
    #[serde(default)]
    pub tables: BTreeMap<String, GoldenTable>,
    #[serde(default)]
    pub notes: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct GoldenSection {
    pub number: String,
    pub title: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldenTable {
    #[serde(default)]
    pub rows: Vec<GoldenRow>,
    #[serde(default)]
    pub missing: Vec<String>,
    #[serde(default)]
    pub values: Option<Vec<Option<f64>>>,
    #[serde(default)]
    pub concatenated: bool,
    #[serde(default)]
    pub raw: Option<String>,
    #[serde(default)]
    pub ambiguous: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GoldenRow {
    pub label: String,
    pub values: Vec<Option<f64>>,
    #[serde(default)]
    pub unit: Option<String>,
    #[serde(default)]
    pub concatenated: bool,
    #[serde(default)]
    pub raw: Option<String>,
    #[serde(default)]
    pub ambiguous: bool,
}

/// Every golden file, with its name.
pub fn goldens() -> Vec<(String, Golden)> {
    let dir = root().join("golden");
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/golden exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("readable golden file");
        let golden: Golden =
            serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        out.push((name_of(&path), golden));
    }
    out
}

fn name_of(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A label without its numbering (`1.`, `（三）`, `一、`) and whitespace, in key form.
pub fn label_core(label: &str) -> String {
    let key = gklint_engine::structure::stream::key_of(label);
    let key = key.strip_prefix("其中:").unwrap_or(&key).to_owned();
    let chars: Vec<char> = key.chars().collect();
    let cn = "一二三四五六七八九十";
    let mut i = 0;
    if chars.first() == Some(&'(') {
        while i + 1 < chars.len() && chars[i + 1] != ')' {
            i += 1;
        }
        if chars[1..=i].iter().all(|c| cn.contains(*c)) {
            return chars[i + 2..].iter().collect();
        }
        return key;
    }
    while i < chars.len() && (chars[i].is_ascii_digit() || cn.contains(chars[i])) {
        i += 1;
    }
    if i > 0 && i < chars.len() && matches!(chars[i], '.' | '、') {
        return chars[i + 1..].iter().collect();
    }
    key
}

/// Text with its whitespace removed (line wraps in titles and labels).
pub fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Compares a report's title, year, office, office kind,
/// publication date and level-1 sections with its golden values, adding a
/// line to `failures` for each that differs.
pub fn check_header(
    name: &str,
    g: &Golden,
    r: &gklint_engine::model::Report,
    failures: &mut Vec<String>,
) {
    let mut expect = |what: &str, ok: bool, got: String, want: String| {
        if !ok {
            failures.push(format!("{name}: {what}: got {got}, want {want}"));
        }
    };
    let title = r
        .title
        .as_ref()
        .map(|t| squash(&t.value))
        .unwrap_or_default();
    expect(
        "title",
        title == squash(&g.title),
        title.clone(),
        g.title.clone(),
    );
    let year = r.year.as_ref().map(|y| y.value);
    expect(
        "year",
        year == Some(g.year),
        format!("{year:?}"),
        g.year.to_string(),
    );
    let kind = r.office_kind.map(|k| format!("{k:?}").to_lowercase());
    expect(
        "office_kind",
        kind.as_deref() == Some(&g.office_kind),
        format!("{kind:?}"),
        g.office_kind.clone(),
    );
    // The title names the office, sometimes shorter than its full name.
    let office = r.office.clone().unwrap_or_default();
    expect(
        "office",
        !office.is_empty() && squash(&g.office).starts_with(&squash(&office)),
        office,
        g.office.clone(),
    );
    let published = r.published.as_ref().map(|d| d.value.to_string());
    expect(
        "published",
        published == g.published,
        format!("{published:?}"),
        format!("{:?}", g.published),
    );
    let got: Vec<(String, String)> = r
        .sections
        .iter()
        .filter(|s| s.level == 1)
        .map(|s| (squash(&s.number), squash(&s.title)))
        .collect();
    let want: Vec<(String, String)> = g
        .sections
        .iter()
        .map(|s| (squash(&s.number), squash(&s.title)))
        .collect();
    expect(
        "sections",
        got == want,
        format!("{got:?}"),
        format!("{want:?}"),
    );
}

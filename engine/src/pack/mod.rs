//! Pack files: the YAML that carries table layouts, templates and rules.
//! A pack is a directory of YAML files (or one file); built-in packs are
//! embedded by the `gklint-rules` crate.

use serde::Deserialize;

use crate::schema::{Catalog, SchemaError, TableDef, TemplateDef};

/// One YAML file of a pack, as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    #[serde(default)]
    pub pack: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub extends: Vec<String>,
    #[serde(default)]
    pub template: Option<TemplateDef>,
    #[serde(default)]
    pub tables: Vec<TableDef>,
}

/// A pack file that failed to load, with the place in the YAML.
#[derive(Debug, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct PackError {
    pub path: String,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

pub fn parse_file(path: &str, contents: &str) -> Result<PackFile, PackError> {
    serde_saphyr::from_str::<PackFile>(contents).map_err(|e| {
        let (line, column) = e.location().map_or((1, 1), |l| (l.line(), l.column()));
        PackError { path: path.to_owned(), line, column, message: e.to_string() }
    })
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Pack(#[from] PackError),
    #[error(transparent)]
    Schema(#[from] SchemaError),
}

/// The catalog of every table layout and template in the built-in packs.
pub fn builtin_catalog() -> Result<Catalog, LoadError> {
    let mut tables = Vec::new();
    let mut templates = Vec::new();
    for file in gklint_rules::BUILTIN {
        let parsed = parse_file(file.path, file.contents)?;
        tables.extend(parsed.tables);
        templates.extend(parsed.template);
    }
    Ok(Catalog::new(&tables, &templates)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_packs_load() {
        let catalog = builtin_catalog().unwrap();
        let ids: Vec<&str> = catalog.tables.iter().map(|t| t.schema_id.as_str()).collect();
        assert!(ids.contains(&"applications-2021"), "{ids:?}");
        let t3 = catalog.tables.iter().find(|t| t.schema_id == "applications-2019").unwrap();
        assert_eq!(t3.rows.iter().filter(|r| !r.group).count(), 23);
        let t3 = catalog.tables.iter().find(|t| t.schema_id == "applications-2021").unwrap();
        assert_eq!(t3.rows.iter().filter(|r| !r.group).count(), 25);
    }

    #[test]
    fn unknown_key_is_reported_with_its_place() {
        let err = parse_file("p.yaml", "pack: x\ntabels: []\n").unwrap_err();
        assert_eq!((err.path.as_str(), err.line), ("p.yaml", 2));
        assert!(err.message.contains("tabels"), "{}", err.message);
    }
}

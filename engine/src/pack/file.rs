//! The YAML shape of a pack file, as pack authors write it. Fields a rule
//! kind does not use are rejected when the rule is compiled.

use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use crate::schema::{TableDef, TemplateDef};

/// One YAML file of a pack.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PackFile {
    #[serde(default)]
    pub pack: Option<Spanned<String>>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub extends: Vec<Spanned<String>>,
    #[serde(default)]
    pub applies: Option<Applies>,
    #[serde(default)]
    pub template: Option<TemplateDef>,
    #[serde(default)]
    pub tables: Vec<TableDef>,
    #[serde(default)]
    pub rules: Vec<Spanned<RuleDef>>,
    /// Changes to rules of the packs this one extends.
    #[serde(default)]
    pub overrides: Vec<Spanned<Override>>,
}

/// Which reports a pack applies to; every field given must match.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Applies {
    /// `2019..2020`, `2021..`, `..2018` or one year.
    #[serde(default)]
    pub years: Option<Spanned<String>>,
    #[serde(default)]
    pub templates: Vec<String>,
    #[serde(default)]
    pub office_kinds: Vec<Spanned<String>>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Override {
    pub rule: Spanned<String>,
    #[serde(default)]
    pub severity: Option<Spanned<String>>,
    #[serde(default)]
    pub disabled: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    #[serde(default)]
    pub valid: Vec<String>,
    #[serde(default)]
    pub invalid: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Replacement {
    pub wrong: String,
    pub right: String,
}

/// A document the registry knows (domain.md §5.1), for superseded citations.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDocument {
    /// The document number as it should be written, e.g. 国办公开办函〔2019〕60号.
    pub number: String,
    pub title: String,
    /// From this report year on, citing it as the format basis is outdated.
    #[serde(default)]
    pub superseded_from: Option<i32>,
    #[serde(default)]
    pub superseded_by: Option<String>,
    /// Before this report year the document was not yet in force, so citing
    /// it is an anachronism (`check: premature`).
    #[serde(default)]
    pub in_force_from: Option<i32>,
    /// What a report before `in_force_from` cites instead.
    #[serde(default)]
    pub preceded_by: Option<String>,
}

/// Where a pattern applies: a level-1 section, by its template number.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scope {
    /// The level-1 section number (`六`) or title (`其他需要报告的事项`).
    pub section: String,
    /// pattern: look only at the section's level-2 headings (（一）…), or at
    /// its whole text when it has none.
    #[serde(default)]
    pub headings: bool,
}

/// One rule as written. The fields after `examples` belong to particular kinds.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleDef {
    pub id: Spanned<String>,
    pub kind: Spanned<String>,
    pub category: Spanned<String>,
    pub severity: Spanned<String>,
    pub message: Spanned<String>,
    #[serde(default)]
    pub message_en: Option<String>,
    pub help: String,
    /// A longer explanation for `gklint explain`.
    #[serde(default)]
    pub docs: Option<String>,
    #[serde(default)]
    pub examples: Examples,

    #[serde(default)]
    pub check: Option<Spanned<String>>,
    #[serde(default)]
    pub table: Option<Spanned<String>>,
    #[serde(default)]
    pub identity: Option<Spanned<String>>,
    #[serde(default)]
    pub for_each: Option<Spanned<String>>,
    #[serde(default)]
    pub columns: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub rows: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub tolerance: Option<Spanned<String>>,
    #[serde(default)]
    pub template: Option<Spanned<String>>,
    #[serde(default)]
    pub pattern: Option<Spanned<String>>,
    #[serde(default)]
    pub literals: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub mode: Option<Spanned<String>>,
    #[serde(default)]
    pub scope: Option<Spanned<Scope>>,
    #[serde(default)]
    pub replacements: Option<Spanned<Vec<Replacement>>>,
    #[serde(default)]
    pub fold_width: bool,
    #[serde(default)]
    pub registry: Option<Spanned<Vec<KnownDocument>>>,
    #[serde(default)]
    pub item: Option<Spanned<String>>,
    /// consistency: the cell a number in the text must equal (`applications/new-received/total`).
    #[serde(default)]
    pub cell: Option<Spanned<String>>,
    /// consistency: other cells (or sums) the stated number may equal instead.
    #[serde(default)]
    pub accept: Option<Spanned<Vec<String>>>,
}

//! Packs: YAML files that carry table layouts, templates and rules. A pack
//! is a directory of YAML files (or one file); built-in packs are embedded by
//! the `gklint-rules` crate. Loading validates everything once, with errors
//! that point at file, line and column; nothing is compiled per report.

mod builtin;
mod error;
pub mod file;
mod locate;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use builtin::{builtin_inputs, builtin_inputs_preparsed};
pub use error::PackError;
use file::{Applies, PackFile};

use crate::diagnostic::Severity;
use crate::model::OfficeKind;
use crate::rules::{Compile, Rule};
use crate::schema::{Catalog, TableDef, TemplateDef};

/// One YAML file handed to the loader (the engine reads no files itself).
#[derive(Debug, Clone)]
pub struct PackSource {
    /// Where it came from, for messages (`rules/national/pack.yaml`).
    pub path: String,
    pub contents: String,
    /// `contents` already parsed, so the loader need not parse it again
    /// (the built-in packs, parsed when gklint was built).
    pub parsed: Option<Arc<PackFile>>,
}

impl PackSource {
    /// A YAML file the loader parses.
    pub fn yaml(path: impl Into<String>, contents: impl Into<String>) -> PackSource {
        PackSource {
            path: path.into(),
            contents: contents.into(),
            parsed: None,
        }
    }
}

/// The files of one pack: a directory's YAML files, or a single file.
#[derive(Debug, Clone)]
pub struct PackInput {
    pub origin: String,
    pub files: Vec<PackSource>,
    pub builtin: bool,
}

/// A loaded pack.
#[derive(Debug, Clone)]
pub struct Pack {
    pub id: String,
    pub name: String,
    pub version: String,
    pub description: String,
    pub origin: String,
    pub builtin: bool,
    pub extends: Vec<String>,
    pub applies: AppliesTo,
    pub rules: Vec<Rule>,
    pub overrides: Vec<RuleOverride>,
    /// The ids of the table layouts the pack defines.
    pub layouts: Vec<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AppliesTo {
    pub years: Option<(Option<i32>, Option<i32>)>,
    pub templates: Vec<String>,
    pub office_kinds: Vec<OfficeKind>,
}

impl AppliesTo {
    pub fn matches(
        &self,
        year: Option<i32>,
        template: Option<&str>,
        kind: Option<OfficeKind>,
    ) -> bool {
        if let Some((lo, hi)) = self.years {
            let Some(y) = year else { return false };
            if lo.is_some_and(|lo| y < lo) || hi.is_some_and(|hi| y > hi) {
                return false;
            }
        }
        if !self.templates.is_empty()
            && !template.is_some_and(|t| self.templates.iter().any(|x| x == t))
        {
            return false;
        }
        if !self.office_kinds.is_empty() && !kind.is_some_and(|k| self.office_kinds.contains(&k)) {
            return false;
        }
        true
    }
}

#[derive(Debug, Clone)]
pub struct RuleOverride {
    pub rule: String,
    pub severity: Option<Severity>,
    pub disabled: bool,
}

/// The report formats a pack can name in `applies.templates`.
pub const TEMPLATES: &[&str] = &["pre-2019", "2019", "2021"];

/// Every pack of a run, compiled, with the catalog of their layouts.
#[derive(Debug, Clone)]
pub struct PackSet {
    pub packs: Vec<Pack>,
    pub catalog: Catalog,
}

impl PackSet {
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.packs.iter().flat_map(|p| p.rules.iter())
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules().find(|r| r.meta.id == id)
    }

    /// The formats whose reports a pack's rules can apply to: those its own
    /// `applies.templates` allows, and those of every pack extending it
    /// (whose activation brings it along). Years and office kinds are not
    /// considered; an empty result means no format (the pack never applies).
    pub fn templates_of(&self, pack: &str) -> Vec<&'static str> {
        TEMPLATES
            .iter()
            .copied()
            .filter(|t| {
                self.packs.iter().any(|p| {
                    let own = p.applies.templates.is_empty()
                        || p.applies.templates.iter().any(|x| x == t);
                    own && (p.id == pack
                        || reaches_id(&self.packs, &p.id, pack, &mut HashSet::new()))
                })
            })
            .collect()
    }

    /// The packs that apply to a report, with the packs they extend.
    pub fn active(
        &self,
        year: Option<i32>,
        template: Option<&str>,
        kind: Option<OfficeKind>,
    ) -> Vec<&Pack> {
        let mut on: HashSet<&str> = HashSet::new();
        let mut stack: Vec<&str> = self
            .packs
            .iter()
            .filter(|p| p.applies.matches(year, template, kind))
            .map(|p| p.id.as_str())
            .collect();
        while let Some(id) = stack.pop() {
            if on.insert(id)
                && let Some(p) = self.packs.iter().find(|p| p.id == id)
            {
                stack.extend(p.extends.iter().map(String::as_str));
            }
        }
        self.packs
            .iter()
            .filter(|p| on.contains(p.id.as_str()))
            .collect()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Pack(#[from] PackError),
    #[error(transparent)]
    Schema(#[from] crate::schema::SchemaError),
}

/// Loads and compiles `inputs` (built-in packs first, then the user's).
pub fn load(inputs: &[PackInput]) -> Result<PackSet, LoadError> {
    struct Parsed {
        path: String,
        contents: Arc<str>,
        file: Arc<PackFile>,
    }
    let mut packs_files: Vec<(usize, Vec<Parsed>)> = Vec::new();
    let mut tables: Vec<TableDef> = Vec::new();
    let mut templates: Vec<TemplateDef> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        let mut parsed = Vec::new();
        for src in &input.files {
            let contents: Arc<str> = Arc::from(src.contents.as_str());
            let file = match &src.parsed {
                Some(file) => file.clone(),
                None => Arc::new(parse_file(&src.path, &contents)?),
            };
            tables.extend(file.tables.iter().cloned());
            templates.extend(file.template.iter().cloned());
            parsed.push(Parsed {
                path: src.path.clone(),
                contents,
                file,
            });
        }
        packs_files.push((i, parsed));
    }
    let catalog = Catalog::new(&tables, &templates).map_err(|e| {
        let files: Vec<locate::FileText> = packs_files
            .iter()
            .flat_map(|(_, files)| files.iter())
            .map(|p| locate::FileText {
                path: &p.path,
                contents: &p.contents,
            })
            .collect();
        locate::schema_error(&e, &files)
    })?;

    let mut packs: Vec<Pack> = Vec::new();
    let mut rule_home: HashMap<String, String> = HashMap::new();
    for (i, files) in &packs_files {
        let input = &inputs[*i];
        let named: Vec<&Parsed> = files.iter().filter(|p| p.file.pack.is_some()).collect();
        let head = match named.as_slice() {
            [one] => *one,
            [] => {
                let first = files.first().map(|p| (p.path.clone(), p.contents.clone()));
                let (path, contents) =
                    first.unwrap_or_else(|| (input.origin.clone(), Arc::from("")));
                return Err(PackError::file(
                    &path,
                    &contents,
                    "规则包缺少 `pack` 字段（包的 id），请在包的主文件中写 `pack: 包名`",
                )
                .into());
            }
            [_, second, ..] => {
                let id = second.file.pack.as_ref().expect("named");
                return Err(PackError::at(
                    &second.path,
                    &second.contents,
                    &id.referenced,
                    "一个规则包只能有一个文件给出 `pack` 字段",
                )
                .into());
            }
        };
        let id_spanned = head.file.pack.as_ref().expect("named");
        let id = id_spanned.value.clone();
        if packs.iter().any(|p| p.id == id) {
            return Err(PackError::at(
                &head.path,
                &head.contents,
                &id_spanned.referenced,
                format!("规则包 `{id}` 重复加载"),
            )
            .into());
        }
        let applies = match &head.file.applies {
            Some(a) => parse_applies(a, &head.path, &head.contents)?,
            None => AppliesTo::default(),
        };
        let mut rules = Vec::new();
        let mut overrides = Vec::new();
        for f in files {
            for def in &f.file.rules {
                let cx = Compile {
                    def: &def.value,
                    path: &f.path,
                    contents: &f.contents,
                    catalog: &catalog,
                };
                let rule = crate::rules::compile(&cx, &id)?;
                if let Some(other) = rule_home.get(&rule.meta.id) {
                    return Err(PackError::at(
                        &f.path,
                        &f.contents,
                        &def.value.id.referenced,
                        format!(
                            "规则 id `{}` 已在规则包 `{other}` 中定义；要修改它请用 overrides",
                            rule.meta.id
                        ),
                    )
                    .into());
                }
                rule_home.insert(rule.meta.id.clone(), id.clone());
                rules.push(rule);
            }
            for o in &f.file.overrides {
                let severity = match &o.value.severity {
                    Some(s) => {
                        let def_cx = severity_cx(&f.path, &f.contents);
                        Some(def_cx.parse(s)?)
                    }
                    None => None,
                };
                overrides.push((f.path.clone(), f.contents.clone(), o.clone(), severity));
            }
        }
        packs.push(Pack {
            id,
            name: head.file.name.clone().unwrap_or_default(),
            version: head.file.version.clone().unwrap_or_default(),
            description: head.file.description.clone().unwrap_or_default(),
            origin: input.origin.clone(),
            builtin: input.builtin,
            extends: head.file.extends.iter().map(|e| e.value.clone()).collect(),
            applies,
            rules,
            layouts: files
                .iter()
                .flat_map(|f| f.file.tables.iter().map(|t| t.schema.clone()))
                .collect(),
            overrides: overrides
                .iter()
                .map(|(_, _, o, sev)| RuleOverride {
                    rule: o.value.rule.value.clone(),
                    severity: *sev,
                    disabled: o.value.disabled,
                })
                .collect(),
        });
        // Overrides must name a rule the pack can see.
        for (path, contents, o, _) in &overrides {
            if !rule_home.contains_key(&o.value.rule.value) {
                return Err(PackError::at(
                    path,
                    contents,
                    &o.value.rule.referenced,
                    format!("overrides 引用了不存在的规则 `{}`", o.value.rule.value),
                )
                .into());
            }
        }
    }
    // Every `extends` names a loaded pack, and there is no cycle.
    for (i, files) in &packs_files {
        let head = files
            .iter()
            .find(|p| p.file.pack.is_some())
            .expect("checked above");
        for e in &head.file.extends {
            if !packs.iter().any(|p| p.id == e.value) {
                let known: Vec<&str> = packs.iter().map(|p| p.id.as_str()).collect();
                return Err(PackError::at(
                    &head.path,
                    &head.contents,
                    &e.referenced,
                    format!(
                        "extends 引用了未加载的规则包 `{}`；已加载：{}",
                        e.value,
                        known.join("、")
                    ),
                )
                .into());
            }
        }
        let me = &packs
            .iter()
            .find(|p| p.origin == inputs[*i].origin)
            .expect("loaded")
            .id;
        if reaches(&packs, me, me, &mut HashSet::new()) {
            let e = &head.file.extends[0];
            return Err(PackError::at(
                &head.path,
                &head.contents,
                &e.referenced,
                format!("规则包 `{me}` 的 extends 形成了循环"),
            )
            .into());
        }
    }
    Ok(PackSet { packs, catalog })
}

fn reaches_id(packs: &[Pack], from: &str, target: &str, seen: &mut HashSet<String>) -> bool {
    let Some(p) = packs.iter().find(|p| p.id == from) else {
        return false;
    };
    p.extends
        .iter()
        .any(|e| e == target || (seen.insert(e.clone()) && reaches_id(packs, e, target, seen)))
}

fn reaches<'a>(
    packs: &'a [Pack],
    from: &'a str,
    target: &str,
    seen: &mut HashSet<&'a str>,
) -> bool {
    let Some(p) = packs.iter().find(|p| p.id == from) else {
        return false;
    };
    for e in &p.extends {
        if e == target || (seen.insert(e.as_str()) && reaches(packs, e, target, seen)) {
            return true;
        }
    }
    false
}

struct SeverityCx<'a> {
    path: &'a str,
    contents: &'a Arc<str>,
}

fn severity_cx<'a>(path: &'a str, contents: &'a Arc<str>) -> SeverityCx<'a> {
    SeverityCx { path, contents }
}

impl SeverityCx<'_> {
    fn parse(&self, s: &serde_saphyr::Spanned<String>) -> Result<Severity, PackError> {
        match s.value.as_str() {
            "error" => Ok(Severity::Error),
            "warning" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            other => Err(PackError::at(
                self.path,
                self.contents,
                &s.referenced,
                format!("未知的 severity `{other}`，应为 error、warning 或 info"),
            )),
        }
    }
}

fn parse_applies(a: &Applies, path: &str, contents: &Arc<str>) -> Result<AppliesTo, PackError> {
    let years = match &a.years {
        None => None,
        Some(y) => Some(parse_years(&y.value).ok_or_else(|| {
            PackError::at(
                path,
                contents,
                &y.referenced,
                format!(
                    "years 应写作 2019、2019..2020、2021.. 或 ..2018，而不是 `{}`",
                    y.value
                ),
            )
        })?),
    };
    let mut office_kinds = Vec::new();
    for k in &a.office_kinds {
        office_kinds.push(match k.value.as_str() {
            "government" => OfficeKind::Government,
            "department" => OfficeKind::Department,
            other => {
                return Err(PackError::at(
                    path,
                    contents,
                    &k.referenced,
                    format!("office_kinds 只能是 government 或 department，而不是 `{other}`"),
                ));
            }
        });
    }
    Ok(AppliesTo {
        years,
        templates: a.templates.clone(),
        office_kinds,
    })
}

fn parse_years(s: &str) -> Option<(Option<i32>, Option<i32>)> {
    let s = s.trim();
    let year = |t: &str| -> Option<Option<i32>> {
        let t = t.trim();
        if t.is_empty() {
            Some(None)
        } else {
            t.parse().ok().map(Some)
        }
    };
    match s.split_once("..") {
        Some((a, b)) => Some((year(a)?, year(b)?)),
        None => {
            let y = s.parse().ok()?;
            Some((Some(y), Some(y)))
        }
    }
}

pub fn parse_file(path: &str, contents: &Arc<str>) -> Result<PackFile, PackError> {
    use serde_saphyr::MessageFormatter;
    // Our errors show their own snippet, so none is rendered here.
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    serde_saphyr::from_str_with_options::<PackFile>(contents, options).map_err(|e| {
        // The bare message: the location is ours to show, once, with our snippet.
        let message = serde_saphyr::DefaultMessageFormatter
            .format_message(e.without_snippet())
            .into_owned();
        match e.location() {
            Some(loc) => PackError::at(path, contents, &loc, message),
            None => PackError::file(path, contents, message),
        }
    })
}

/// The built-in packs, loaded (they are tested to load).
pub fn builtin() -> Result<PackSet, LoadError> {
    load(&builtin_inputs())
}

/// The catalog of every table layout and template in the built-in packs.
pub fn builtin_catalog() -> Result<Catalog, LoadError> {
    Ok(builtin()?.catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(path: &str, yaml: &str) -> Vec<PackInput> {
        let mut v = builtin_inputs();
        v.push(PackInput {
            origin: path.into(),
            files: vec![PackSource::yaml(path, yaml)],
            builtin: false,
        });
        v
    }

    #[test]
    fn builtin_packs_load() {
        let set = builtin().unwrap();
        let ids: Vec<&str> = set
            .catalog
            .tables
            .iter()
            .map(|t| t.schema_id.as_str())
            .collect();
        assert!(ids.contains(&"applications-2021"), "{ids:?}");
        let t3 = set
            .catalog
            .tables
            .iter()
            .find(|t| t.schema_id == "applications-2019")
            .unwrap();
        assert_eq!(t3.rows.iter().filter(|r| !r.group).count(), 23);
        let t3 = set
            .catalog
            .tables
            .iter()
            .find(|t| t.schema_id == "applications-2021")
            .unwrap();
        assert_eq!(t3.rows.iter().filter(|r| !r.group).count(), 25);
    }

    fn err(yaml: &str) -> PackError {
        match load(&one("p.yaml", yaml)) {
            Err(LoadError::Pack(e)) => e,
            other => panic!("expected a pack error, got {other:?}"),
        }
    }

    #[test]
    fn load_errors_point_at_the_yaml() {
        let e = err("pack: x\ntabels: []\n");
        assert_eq!((e.path.as_str(), e.line), ("p.yaml", 2));
        assert!(e.message.contains("tabels"), "{}", e.message);

        let base = "pack: x\nrules:\n  - id: r1\n    kind: pattern\n    category: style\n    severity: warning\n    message: m\n    help: h\n";
        let e = err(&format!("{base}    pattern: \"(unclosed\"\n"));
        assert_eq!(e.line, 9, "{e}");
        assert!(e.message.contains("正则"), "{e}");

        let e = err(
            "pack: x\nrules:\n  - id: r1\n    kind: table-arithmetic\n    category: table\n    severity: error\n    message: m\n    help: h\n    table: applications\n    identity: 一 + 九 == 四\n",
        );
        assert_eq!(e.line, 10, "{e}");
        assert!(e.message.contains("九"), "{e}");

        let e = err(&base.replace("severity: warning", "severity: 严重"));
        assert_eq!(e.line, 6, "{e}");

        let e = err(&format!(
            "{base}    pattern: 钩稽\n    table: applications\n"
        ));
        assert!(e.message.contains("table"), "{e}");

        let e = err("pack: x\nextends: [nowhere]\n");
        assert!(e.message.contains("nowhere"), "{e}");

        let e = err(&base.replace("message: m", "message: 值为{左}"));
        assert!(e.message.contains("{左}"), "{e}");
    }

    #[test]
    fn yaml_errors_are_reported_once() {
        let e = err("pack: x\nrules:\n  - id: r1\n    hlep: h\n");
        assert_eq!((e.line, e.column), (4, 5), "{e}");
        assert_eq!(e.message.matches("hlep").count(), 1, "{}", e.message);
        assert!(!e.message.contains("line 4"), "{}", e.message);
    }

    #[test]
    fn office_kind_errors_point_at_the_value() {
        let e = err("pack: x\napplies:\n  office_kinds: [department, 政府]\n");
        assert_eq!((e.line, e.column), (3, 30), "{e}");
        assert!(e.message.contains("政府"), "{e}");
    }

    #[test]
    fn layout_errors_point_at_the_row_or_column() {
        let layout = |rows: &str| {
            format!(
                "pack: x\ntables:\n  - id: applications\n    schema: x-2021\n    columns:\n      - {{ id: total, label: 总计, total_of: [sum] }}\n    rows:\n{rows}"
            )
        };
        let e = err(&layout("      - { id: a, label: 甲 }\n"));
        assert_eq!((e.line, e.column), (6, 44), "{e}");
        assert!(e.message.contains("sum"), "{e}");

        let fixed = |rows: &str| layout(rows).replace(", total_of: [sum]", "");
        let e = err(&fixed(
            "      - { id: a, label: 甲 }\n      - id: b\n        label: 乙\n      - { id: a, label: 丙 }\n",
        ));
        assert_eq!((e.line, e.column), (11, 15), "{e}");
        assert!(e.message.contains("重复"), "{e}");

        let e = err(&fixed(
            "      - { id: a, label: 甲 }\n      - id: b\n        label: 乙\n        columns: [total, sum]\n",
        ));
        assert_eq!((e.line, e.column), (11, 26), "{e}");

        let e =
            err(&fixed("      - { id: a, label: 甲 }\n").replace("x-2021", "applications-2021"));
        assert_eq!((e.line, e.column), (4, 13), "{e}");
    }

    #[test]
    fn a_scope_naming_no_known_section_is_a_load_error() {
        let rule = |section: &str| {
            format!(
                "pack: x\nrules:\n  - id: r1\n    kind: pattern\n    category: style\n    severity: warning\n    message: m\n    help: h\n    pattern: 费\n    mode: must\n    scope:\n      section: {section}\n"
            )
        };
        let e = err(&rule("七"));
        assert_eq!(e.line, 12, "{e}");
        assert!(e.message.contains("`七`"), "{e}");
        for ok in ["六", "其他需要报告的事项"] {
            assert!(load(&one("p.yaml", &rule(ok))).is_ok(), "{ok}");
        }
    }

    #[test]
    fn national_rules_apply_to_both_national_formats() {
        let set = builtin().unwrap();
        assert_eq!(set.templates_of("national"), ["2019", "2021"]);
        assert_eq!(set.templates_of("national-2019"), ["2019"]);
        assert_eq!(set.templates_of("national-2021"), ["2021"]);
        assert_eq!(set.templates_of("pre-2019"), ["pre-2019"]);
        assert_eq!(set.templates_of("common"), TEMPLATES);
    }

    #[test]
    fn year_ranges() {
        assert_eq!(parse_years("2019..2020"), Some((Some(2019), Some(2020))));
        assert_eq!(parse_years("2021.."), Some((Some(2021), None)));
        assert_eq!(parse_years("..2018"), Some((None, Some(2018))));
        assert_eq!(parse_years("x"), None);
    }
}

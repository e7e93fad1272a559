//! Rule kinds: each compiles its YAML once into a small matcher and checks
//! a report. None is hard-coded to one template; the packs say what to check.

pub mod findings;
pub use findings::Findings;
mod consistency;
mod contact;
mod dates;
mod document_number;
mod half_width;
pub mod message;
mod page_break;
mod punctuation;
mod scope;
mod sections;
mod table_arithmetic;
mod table_structure;
mod template;
#[cfg(test)]
mod testing;
mod text_patterns;
// kind modules: new lines above this line

use std::any::{Any, TypeId};
use std::collections::BTreeMap;
use std::sync::Arc;

use serde_saphyr::Spanned;

use crate::diagnostic::{Category, Diagnostic, Fix, Related, Severity};
use crate::model::{Report, Span};
use crate::pack::PackError;
use crate::pack::file::RuleDef;
use crate::read::Document;
use crate::schema::Catalog;
use crate::source::SourceFile;

/// Settings a run supplies that rules may need (deadlines by office kind).
#[derive(Debug, Clone)]
pub struct RunSettings {
    /// Publication deadline (month, day) of the year after the report year.
    pub department_deadline: (u32, u32),
    pub government_deadline: (u32, u32),
}

impl Default for RunSettings {
    fn default() -> Self {
        RunSettings {
            department_deadline: (1, 31),
            government_deadline: (3, 31),
        }
    }
}

/// What a check sees.
pub struct Context<'a> {
    pub source: &'a SourceFile,
    pub document: &'a Document,
    pub report: &'a Report,
    pub catalog: &'a Catalog,
    pub settings: &'a RunSettings,
    /// The whole text folded (NFKC), made once for all the rules that fold.
    pub folded: std::sync::OnceLock<scope::Folded>,
    /// What several rules of one kind read from the report, made once.
    pub memo: Memo,
}

/// Compiles the rule kinds' own patterns (see [`crate::warm_up`]).
pub(crate) fn warm() {
    consistency::warm();
    contact::warm();
    dates::warm();
    document_number::warm();
}

/// Per-report results shared by the rules of one kind (the nine
/// document-number rules read the same 文号 candidates), one per type.
#[derive(Default)]
pub struct Memo(std::sync::Mutex<Vec<(TypeId, Arc<dyn Any + Send + Sync>)>>);

impl Memo {
    /// The value of type `T`, made by `make` the first time it is asked for.
    pub fn get<T: Any + Send + Sync>(&self, make: impl FnOnce() -> T) -> Arc<T> {
        let id = TypeId::of::<T>();
        let cached = |v: &[(TypeId, Arc<dyn Any + Send + Sync>)]| {
            v.iter()
                .find(|(t, _)| *t == id)
                .and_then(|(_, a)| a.clone().downcast::<T>().ok())
        };
        if let Some(v) = cached(&self.lock()) {
            return v;
        }
        // Made without the lock held: `make` may itself ask for another value.
        let made = Arc::new(make());
        let mut all = self.lock();
        if let Some(v) = cached(&all) {
            return v;
        }
        all.push((id, made.clone()));
        made
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(TypeId, Arc<dyn Any + Send + Sync>)>> {
        // A rule that panicked cannot leave a half-made value: values are pushed whole.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl std::fmt::Debug for Memo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Memo")
    }
}

impl Context<'_> {
    pub fn text(&self) -> &str {
        &self.source.text
    }

    pub fn folded(&self) -> &scope::Folded {
        self.folded
            .get_or_init(|| scope::Folded::new(&self.source.text, 0))
    }
}

/// A rule's identity and wording, shared by all kinds.
#[derive(Debug, Clone)]
pub struct RuleMeta {
    pub id: String,
    pub pack: String,
    pub kind: String,
    pub category: Category,
    pub severity: Severity,
    pub message: String,
    pub message_en: Option<String>,
    pub help: String,
    pub docs: Option<String>,
    pub valid: Vec<String>,
    pub invalid: Vec<String>,
    /// Whether the kind can offer a fix.
    pub fixable: bool,
}

impl RuleMeta {
    /// A finding of this rule at `span`, its message filled from `values`.
    pub fn diag(&self, span: Span, values: &[(&str, String)]) -> Diagnostic {
        Diagnostic {
            rule: self.id.clone(),
            category: self.category,
            severity: self.severity,
            message: message::render(&self.message, values),
            message_en: self
                .message_en
                .as_deref()
                .map(|m| message::render(m, values)),
            help: message::render(&self.help, values),
            span,
            related: Vec::new(),
            fix: None,
            values: values
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
            not_assessable: false,
            unsafe_fix: false,
        }
    }

    pub fn diag_with(
        &self,
        span: Span,
        values: &[(&str, String)],
        related: Vec<Related>,
        fix: Option<Fix>,
    ) -> Diagnostic {
        let mut d = self.diag(span, values);
        d.related = related;
        d.fix = fix;
        d
    }
}

pub trait Check: Send + Sync + std::fmt::Debug {
    fn run(&self, cx: &Context, rule: &RuleMeta, out: &mut Findings);
}

/// A compiled rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub meta: RuleMeta,
    pub check: Arc<dyn Check>,
}

/// Compiling one rule: the YAML, where it came from, and the catalog.
pub struct Compile<'a> {
    pub def: &'a RuleDef,
    pub path: &'a str,
    pub contents: &'a Arc<str>,
    pub catalog: &'a Catalog,
}

impl Compile<'_> {
    pub fn err<T>(&self, at: &Spanned<T>, message: impl Into<String>) -> PackError {
        PackError::at(self.path, self.contents, &at.referenced, message)
    }

    /// A required field whose value is one of `options` (`check: form`), as
    /// the value it stands for; otherwise an error at the field listing them.
    pub fn choose<T: Copy>(
        &self,
        field: &Option<Spanned<String>>,
        name: &str,
        options: &[(&str, T)],
    ) -> Result<T, PackError> {
        let f = self.need(field, name)?;
        if let Some((_, v)) = options.iter().find(|(n, _)| *n == f.value) {
            return Ok(*v);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        let list = match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} 或 {last}", rest.join("、")),
            None => String::new(),
        };
        Err(self.err(
            f,
            format!(
                "{} 规则的 {name} 应为 {list}，而不是 `{}`",
                self.def.kind.value, f.value
            ),
        ))
    }

    /// A required kind-specific field, or an error at the rule's `kind`.
    pub fn need<'b, T>(
        &self,
        field: &'b Option<Spanned<T>>,
        name: &str,
    ) -> Result<&'b Spanned<T>, PackError> {
        field.as_ref().ok_or_else(|| {
            self.err(
                &self.def.kind,
                format!("{} 规则必须给出 `{name}` 字段", self.def.kind.value),
            )
        })
    }
}

/// The kinds, the optional fields each accepts, and the placeholders each supplies.
struct KindSpec {
    name: &'static str,
    fields: &'static [&'static str],
    placeholders: &'static [&'static str],
    fixable: bool,
    compile: fn(&Compile) -> Result<Arc<dyn Check>, PackError>,
}

const KINDS: &[KindSpec] = &[
    KindSpec {
        name: "sections",
        fields: &["check", "template"],
        placeholders: sections::PLACEHOLDERS,
        fixable: true,
        compile: sections::compile,
    },
    KindSpec {
        name: "table-arithmetic",
        fields: &[
            "table",
            "identity",
            "for_each",
            "columns",
            "rows",
            "tolerance",
        ],
        placeholders: table_arithmetic::PLACEHOLDERS,
        fixable: false,
        compile: table_arithmetic::compile,
    },
    KindSpec {
        name: "template",
        fields: &["check"],
        placeholders: template::PLACEHOLDERS,
        fixable: false,
        compile: template::compile,
    },
    KindSpec {
        name: "pattern",
        fields: &["pattern", "literals", "mode", "scope", "fold_width"],
        placeholders: text_patterns::PATTERN_PLACEHOLDERS,
        fixable: false,
        compile: text_patterns::compile_pattern,
    },
    KindSpec {
        name: "substitution",
        fields: &["replacements", "scope", "fold_width"],
        placeholders: text_patterns::SUBSTITUTION_PLACEHOLDERS,
        fixable: true,
        compile: text_patterns::compile_substitution,
    },
    KindSpec {
        name: "table-structure",
        fields: &["check", "table"],
        placeholders: table_structure::PLACEHOLDERS,
        fixable: false,
        compile: table_structure::compile,
    },
    KindSpec {
        name: "dates",
        fields: &["check", "scope"],
        placeholders: dates::PLACEHOLDERS,
        fixable: false,
        compile: dates::compile,
    },
    KindSpec {
        name: "contact",
        fields: &["check", "item"],
        placeholders: contact::PLACEHOLDERS,
        fixable: false,
        compile: contact::compile,
    },
    KindSpec {
        name: "document-number",
        fields: &["check", "registry"],
        placeholders: document_number::PLACEHOLDERS,
        fixable: true,
        compile: document_number::compile,
    },
    KindSpec {
        name: "punctuation",
        fields: &["check"],
        placeholders: punctuation::PLACEHOLDERS,
        fixable: true,
        compile: punctuation::compile,
    },
    KindSpec {
        name: "consistency",
        fields: &["check", "pattern", "cell", "accept", "scope", "tolerance"],
        placeholders: consistency::PLACEHOLDERS,
        fixable: false,
        compile: consistency::compile,
    },
    // kinds: new entries above this line
];

/// Every kind name, for error messages and docs.
pub fn kind_names() -> Vec<&'static str> {
    KINDS.iter().map(|k| k.name).collect()
}

fn parse_enum<T: Copy>(
    cx: &Compile,
    at: &Spanned<String>,
    what: &str,
    options: &[(&str, T)],
) -> Result<T, PackError> {
    options
        .iter()
        .find(|(n, _)| *n == at.value)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
            cx.err(
                at,
                format!(
                    "未知的 {what} `{}`，应为以下之一：{}",
                    at.value,
                    names.join("、")
                ),
            )
        })
}

pub fn parse_severity(cx: &Compile, at: &Spanned<String>) -> Result<Severity, PackError> {
    parse_enum(
        cx,
        at,
        "severity",
        &[
            ("error", Severity::Error),
            ("warning", Severity::Warning),
            ("info", Severity::Info),
        ],
    )
}

/// Compiles one rule of `pack`.
pub fn compile(cx: &Compile, pack: &str) -> Result<Rule, PackError> {
    let def = cx.def;
    let Some(spec) = KINDS.iter().find(|k| k.name == def.kind.value) else {
        return Err(cx.err(
            &def.kind,
            format!(
                "未知的规则类型 `{}`，应为以下之一：{}",
                def.kind.value,
                kind_names().join("、")
            ),
        ));
    };
    if def.id.value.trim().is_empty() || def.id.value.chars().any(char::is_whitespace) {
        return Err(cx.err(&def.id, "规则 id 不能为空，也不能含空白字符"));
    }
    let category = parse_enum(
        cx,
        &def.category,
        "category",
        &[
            ("section", Category::Section),
            ("table", Category::Table),
            ("consistency", Category::Consistency),
            ("doc-number", Category::DocNumber),
            ("date", Category::Date),
            ("contact", Category::Contact),
            ("template", Category::Template),
            ("style", Category::Style),
            ("parse", Category::Parse),
        ],
    )?;
    let severity = parse_severity(cx, &def.severity)?;
    reject_foreign_fields(cx, spec)?;
    if let Some(scope) = &def.scope {
        scope::check_known(cx, scope)?;
        if scope.value.headings && spec.name != "pattern" {
            return Err(cx.err(
                scope,
                format!(
                    "scope 的 `headings` 只用于 pattern 规则，不适用于 {} 规则",
                    spec.name
                ),
            ));
        }
    }
    let english = def.message_en.as_deref().unwrap_or("");
    for p in message::placeholders(&def.message.value)
        .into_iter()
        .chain(message::placeholders(english))
    {
        if !spec.placeholders.contains(&p) {
            return Err(cx.err(
                &def.message,
                format!(
                    "消息中的占位符 {{{p}}} 不是 {} 规则提供的值；可用：{}",
                    spec.name,
                    braces(spec.placeholders)
                ),
            ));
        }
    }
    let check = (spec.compile)(cx)?;
    Ok(Rule {
        meta: RuleMeta {
            id: def.id.value.clone(),
            pack: pack.to_owned(),
            kind: spec.name.to_owned(),
            category,
            severity,
            message: def.message.value.clone(),
            message_en: def.message_en.clone(),
            help: def.help.clone(),
            docs: def.docs.clone(),
            valid: def.examples.valid.clone(),
            invalid: def.examples.invalid.clone(),
            fixable: spec.fixable,
        },
        check,
    })
}

fn braces(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{{{n}}}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A field that belongs to another kind is a mistake the author should hear of.
fn reject_foreign_fields(cx: &Compile, spec: &KindSpec) -> Result<(), PackError> {
    let d = cx.def;
    let present: Vec<(&str, Option<&serde_saphyr::Location>)> = vec![
        ("check", d.check.as_ref().map(|s| &s.referenced)),
        ("table", d.table.as_ref().map(|s| &s.referenced)),
        ("identity", d.identity.as_ref().map(|s| &s.referenced)),
        ("for_each", d.for_each.as_ref().map(|s| &s.referenced)),
        ("columns", d.columns.as_ref().map(|s| &s.referenced)),
        ("rows", d.rows.as_ref().map(|s| &s.referenced)),
        ("tolerance", d.tolerance.as_ref().map(|s| &s.referenced)),
        ("template", d.template.as_ref().map(|s| &s.referenced)),
        ("pattern", d.pattern.as_ref().map(|s| &s.referenced)),
        ("literals", d.literals.as_ref().map(|s| &s.referenced)),
        ("mode", d.mode.as_ref().map(|s| &s.referenced)),
        ("scope", d.scope.as_ref().map(|s| &s.referenced)),
        (
            "replacements",
            d.replacements.as_ref().map(|s| &s.referenced),
        ),
        ("registry", d.registry.as_ref().map(|s| &s.referenced)),
        ("item", d.item.as_ref().map(|s| &s.referenced)),
        ("cell", d.cell.as_ref().map(|s| &s.referenced)),
        ("accept", d.accept.as_ref().map(|s| &s.referenced)),
    ];
    for (name, loc) in present {
        if let Some(loc) = loc
            && !spec.fields.contains(&name)
        {
            return Err(PackError::at(
                cx.path,
                cx.contents,
                loc,
                format!(
                    "`{name}` 字段不适用于 {} 规则；可用字段：{}",
                    spec.name,
                    spec.fields.join("、")
                ),
            ));
        }
    }
    if d.fold_width && !spec.fields.contains(&"fold_width") {
        return Err(cx.err(
            &d.kind,
            format!("`fold_width` 字段不适用于 {} 规则", spec.name),
        ));
    }
    Ok(())
}

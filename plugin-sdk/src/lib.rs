//! # gklint-plugin
//!
//! Write gklint rules that YAML cannot express as ordinary Rust functions,
//! and build them into a native plugin (a `cdylib`) that gklint loads with
//! `--plugin PATH`, or from a config once the user trusts it.
//!
//! ```ignore
//! use gklint_plugin::{Category, Finding, Report, Rule, Severity, export_plugin};
//!
//! fn no_tables(report: &Report) -> Vec<Finding> {
//!     if report.tables.is_empty() {
//!         vec![Finding::report()]
//!     } else {
//!         vec![]
//!     }
//! }
//!
//! export_plugin! {
//!     name: "my-province",
//!     version: env!("CARGO_PKG_VERSION"),
//!     rules: [
//!         Rule::new("my-no-tables", Category::Table, Severity::Warning,
//!                   "报告中没有识别出任何表格", "请按模板填写统计表格", no_tables)
//!             .examples(&["…valid report…"], &["…invalid report…"]),
//!     ],
//! }
//! ```
//!
//! A rule's function receives the [`Report`] (the model gklint read, with
//! the source text) and returns [`Finding`]s. A panic inside it is caught at
//! the plugin boundary and becomes one finding of category `parse` naming
//! the plugin and the rule; gklint goes on with the other rules.
//!
//! Functions must be thread-safe (gklint lints files in parallel) and should
//! not touch global state.

pub mod abi;
pub mod model;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};

use serde::{Deserialize, Serialize};

pub use model::{Cell, Column, Paragraph, Report, Row, Section, Span, Table};

/// The category a rule's findings are grouped under (the same set as YAML rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Section,
    Table,
    Consistency,
    DocNumber,
    Date,
    Contact,
    Template,
    Style,
    Parse,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// A rule's check: the report in, findings out.
pub type CheckFn = fn(&Report) -> Vec<Finding>;

/// A rule: its identity and wording (as a YAML rule has them) and its function.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub id: &'static str,
    pub category: Category,
    pub severity: Severity,
    /// The message; `{name}` placeholders are filled from each finding's values.
    pub message: &'static str,
    pub message_en: Option<&'static str>,
    pub help: &'static str,
    pub docs: Option<&'static str>,
    /// Report texts the rule must not fire on (`gklint test-pack` runs them).
    pub valid: &'static [&'static str],
    /// Report texts the rule must fire on.
    pub invalid: &'static [&'static str],
    /// Whether findings may carry a fix.
    pub fixable: bool,
    pub check: CheckFn,
}

impl Rule {
    pub const fn new(
        id: &'static str,
        category: Category,
        severity: Severity,
        message: &'static str,
        help: &'static str,
        check: CheckFn,
    ) -> Rule {
        Rule {
            id,
            category,
            severity,
            message,
            message_en: None,
            help,
            docs: None,
            valid: &[],
            invalid: &[],
            fixable: false,
            check,
        }
    }

    pub const fn docs(mut self, docs: &'static str) -> Rule {
        self.docs = Some(docs);
        self
    }

    pub const fn message_en(mut self, message: &'static str) -> Rule {
        self.message_en = Some(message);
        self
    }

    pub const fn examples(
        mut self,
        valid: &'static [&'static str],
        invalid: &'static [&'static str],
    ) -> Rule {
        self.valid = valid;
        self.invalid = invalid;
        self
    }

    pub const fn fixable(mut self) -> Rule {
        self.fixable = true;
        self
    }
}

/// A plugin: what [`export_plugin!`] exports.
#[derive(Debug)]
pub struct Plugin {
    pub name: &'static str,
    pub version: &'static str,
    pub rules: &'static [Rule],
}

/// One finding. Build it with [`Finding::at`], [`Finding::at_line`] or
/// [`Finding::report`], then add values and, if needed, another message.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Finding {
    /// Set by the SDK to the rule whose function returned it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// Replaces the rule's message (placeholders are still filled).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_en: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_column: Option<u32>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub values: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Related>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub not_assessable: bool,
}

/// Another place that takes part in a finding.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Related {
    pub start: usize,
    pub end: usize,
    pub message: String,
}

/// Text replacements that fix a finding (byte offsets into the text).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fix {
    pub description: String,
    pub edits: Vec<Edit>,
    /// Safe fixes are applied by `gklint check --fix` (when the rule is
    /// `fixable`); others are only offered in the editor.
    pub safe: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub replacement: String,
}

impl Finding {
    /// A finding at a span of the text (a cell, a row, a table, a heading).
    pub fn at(span: Span) -> Finding {
        Finding {
            start: Some(span.start),
            end: Some(span.end),
            ..Finding::default()
        }
    }

    /// A finding covering 1-based `line`.
    pub fn at_line(line: u32) -> Finding {
        Finding {
            line: Some(line),
            ..Finding::default()
        }
    }

    /// A finding about the report as a whole (shown at its start).
    pub fn report() -> Finding {
        Finding::default()
    }

    /// A value for the message's `{name}` placeholder.
    pub fn value(mut self, name: &str, value: impl ToString) -> Finding {
        self.values.insert(name.to_owned(), value.to_string());
        self
    }

    pub fn message(mut self, message: impl Into<String>) -> Finding {
        self.message = Some(message.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }

    pub fn severity(mut self, severity: Severity) -> Finding {
        self.severity = Some(severity);
        self
    }

    pub fn category(mut self, category: Category) -> Finding {
        self.category = Some(category);
        self
    }

    pub fn related(mut self, span: Span, message: impl Into<String>) -> Finding {
        self.related.push(Related {
            start: span.start,
            end: span.end,
            message: message.into(),
        });
        self
    }

    /// The data do not allow a verdict (a cell missing or unreadable).
    pub fn not_assessable(mut self) -> Finding {
        self.not_assessable = true;
        self
    }

    pub fn fix(mut self, description: impl Into<String>, edits: Vec<Edit>, safe: bool) -> Finding {
        self.fix = Some(Fix {
            description: description.into(),
            edits,
            safe,
        });
        self
    }
}

/// Exports a plugin: its name, version and rules. Use it once, in a crate
/// built as `crate-type = ["cdylib"]`.
#[macro_export]
macro_rules! export_plugin {
    (name: $name:expr, version: $version:expr, rules: [$($rule:expr),* $(,)?] $(,)?) => {
        #[doc(hidden)]
        static __GKLINT_PLUGIN: $crate::Plugin = $crate::Plugin {
            name: $name,
            version: $version,
            rules: &[$($rule),*],
        };

        #[doc(hidden)]
        unsafe extern "C" fn __gklint_plugin_rules() -> $crate::abi::Buffer {
            $crate::__private::rules(&__GKLINT_PLUGIN)
        }

        #[doc(hidden)]
        unsafe extern "C" fn __gklint_plugin_check(
            input: $crate::abi::Str,
            source: $crate::abi::Str,
        ) -> $crate::abi::Buffer {
            // SAFETY: gklint passes valid slices that outlive the call.
            unsafe { $crate::__private::check(&__GKLINT_PLUGIN, input, source) }
        }

        static __GKLINT_PLUGIN_V1: $crate::abi::PluginV1 = $crate::abi::PluginV1 {
            abi_version: $crate::abi::ABI_VERSION,
            name: $crate::abi::Str::from_static($name),
            version: $crate::abi::Str::from_static($version),
            rules: Some(__gklint_plugin_rules),
            check: Some(__gklint_plugin_check),
            free: Some($crate::abi::free),
        };

        /// The function gklint looks for: the plugin's descriptor.
        #[unsafe(no_mangle)]
        pub extern "C" fn gklint_plugin_v1() -> *const $crate::abi::PluginV1 {
            &__GKLINT_PLUGIN_V1
        }
    };
}

/// Runs a plugin's rules on a report the way gklint would (panics become
/// findings), without the C boundary: for a plugin's own unit tests.
pub fn run_rules(plugin: &Plugin, report: &Report) -> Vec<Finding> {
    __private::run_all(plugin, plugin.rules.iter().collect(), report)
}

#[doc(hidden)]
pub mod __private {
    use super::*;
    use crate::abi::{ABI_VERSION, Buffer, Str};

    #[derive(Serialize)]
    struct RuleJson<'a> {
        id: &'a str,
        category: Category,
        severity: Severity,
        message: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        message_en: Option<&'a str>,
        help: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        docs: Option<&'a str>,
        examples: Examples<'a>,
        fixable: bool,
    }

    #[derive(Serialize)]
    struct Examples<'a> {
        valid: &'a [&'a str],
        invalid: &'a [&'a str],
    }

    #[derive(Deserialize)]
    struct Input {
        abi: u32,
        #[serde(default)]
        rules: Vec<String>,
        report: Report,
    }

    pub fn rules(plugin: &Plugin) -> Buffer {
        let json = catch_unwind(|| {
            let list: Vec<RuleJson> = plugin
                .rules
                .iter()
                .map(|r| RuleJson {
                    id: r.id,
                    category: r.category,
                    severity: r.severity,
                    message: r.message,
                    message_en: r.message_en,
                    help: r.help,
                    docs: r.docs,
                    examples: Examples {
                        valid: r.valid,
                        invalid: r.invalid,
                    },
                    fixable: r.fixable,
                })
                .collect();
            serde_json::to_vec(&list).unwrap_or_default()
        })
        .unwrap_or_default();
        Buffer::from_vec(json)
    }

    /// # Safety
    /// `input` and `source` must be valid for reads for the call.
    pub unsafe fn check(plugin: &Plugin, input: Str, source: Str) -> Buffer {
        quiet_panics();
        // SAFETY: guaranteed by the caller.
        let (input, source) = unsafe { (input.as_bytes(), source.as_bytes()) };
        let findings = catch_unwind(AssertUnwindSafe(|| run(plugin, input, source)))
            .unwrap_or_else(|payload| vec![panicked(plugin, None, payload.as_ref())]);
        let json = serde_json::to_vec(&findings).unwrap_or_else(|_| b"[]".to_vec());
        Buffer::from_vec(json)
    }

    fn run(plugin: &Plugin, input: &[u8], source: &[u8]) -> Vec<Finding> {
        let failed = |what: String| {
            vec![
                Finding::report()
                    .category(Category::Parse)
                    .severity(Severity::Error)
                    .message(format!("插件 `{}` {what}", plugin.name))
                    .help("插件与 gklint 的版本可能不配套：请用与所用 gklint 配套的 gklint-plugin 重新编译插件。"),
            ]
        };
        let Ok(text) = std::str::from_utf8(source) else {
            return failed("收到的原文不是 UTF-8".into());
        };
        let input: Input = match serde_json::from_slice(input) {
            Ok(i) => i,
            Err(e) => return failed(format!("无法读取 gklint 传来的报告：{e}")),
        };
        if input.abi != ABI_VERSION {
            return failed(format!(
                "按接口版本 {ABI_VERSION} 编译，gklint 传来的是版本 {}",
                input.abi
            ));
        }
        let mut report = input.report;
        report.text = text.to_owned();
        let wanted: Vec<&Rule> = plugin
            .rules
            .iter()
            .filter(|r| input.rules.is_empty() || input.rules.iter().any(|w| w == r.id))
            .collect();
        run_all(plugin, wanted, &report)
    }

    pub fn run_all(plugin: &Plugin, rules: Vec<&Rule>, report: &Report) -> Vec<Finding> {
        let mut out = Vec::new();
        quiet_panics();
        for rule in rules {
            IN_RULE.with(|r| r.set(true));
            let result = catch_unwind(AssertUnwindSafe(|| (rule.check)(report)));
            IN_RULE.with(|r| r.set(false));
            match result {
                Ok(found) => out.extend(found.into_iter().map(|mut f| {
                    f.rule.get_or_insert_with(|| rule.id.to_owned());
                    f
                })),
                Err(payload) => out.push(panicked(plugin, Some(rule), payload.as_ref())),
            }
        }
        out
    }

    thread_local! {
        static PANIC_AT: RefCell<Option<String>> = const { RefCell::new(None) };
        static IN_RULE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    /// A panic in a rule becomes a finding: record where it happened instead
    /// of printing over gklint's output (set GKLINT_PLUGIN_DEBUG to also
    /// print). Panics elsewhere go to the previous hook. In a plugin library
    /// the hook is the library's own (a cdylib has its own std).
    fn quiet_panics() {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            let previous = std::panic::take_hook();
            std::panic::set_hook(Box::new(move |info| {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()));
                let in_rule = IN_RULE.with(|r| r.get());
                if in_rule {
                    PANIC_AT.with(|p| *p.borrow_mut() = at);
                }
                if !in_rule || std::env::var_os("GKLINT_PLUGIN_DEBUG").is_some() {
                    previous(info);
                }
            }));
        });
    }

    fn panicked(
        plugin: &Plugin,
        rule: Option<&Rule>,
        payload: &(dyn std::any::Any + Send),
    ) -> Finding {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "（无说明）".to_owned());
        let at = PANIC_AT
            .with(|p| p.borrow_mut().take())
            .map_or(String::new(), |a| format!("（位置 {a}）"));
        let rule_text = rule.map_or(String::new(), |r| format!("的规则 `{}`", r.id));
        let mut f = Finding::report()
            .category(Category::Parse)
            .severity(Severity::Error)
            .message(format!(
                "插件 `{}`{rule_text} 运行时崩溃（panic）：{what}{at}",
                plugin.name
            ))
            .help(format!(
                "这是插件的缺陷，不是报告的问题：本报告未能用该规则检查，其他规则照常运行。请把此消息转告插件 `{}`（版本 {}）的作者。",
                plugin.name, plugin.version
            ));
        f.message_en = Some(format!(
            "plugin `{}` panicked{}: {what}",
            plugin.name,
            rule.map_or(String::new(), |r| format!(" in rule `{}`", r.id))
        ));
        f.rule = rule.map(|r| r.id.to_owned());
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fine(report: &Report) -> Vec<Finding> {
        vec![Finding::at_line(1).value("年", report.year.unwrap_or(0))]
    }

    fn broken(_: &Report) -> Vec<Finding> {
        panic!("坏了")
    }

    export_plugin! {
        name: "sdk-test",
        version: "0.0.1",
        rules: [
            Rule::new("fine", Category::Date, Severity::Info, "年度 {年}", "h", fine)
                .examples(&["a"], &["b"]),
            Rule::new("broken", Category::Table, Severity::Error, "m", "h", broken),
        ],
    }

    fn call(input: &str, source: &str) -> serde_json::Value {
        let d = unsafe { &*gklint_plugin_v1() };
        let b = unsafe {
            (d.check.unwrap())(
                abi::Str::from_static(Box::leak(input.to_owned().into_boxed_str())),
                abi::Str::from_static(Box::leak(source.to_owned().into_boxed_str())),
            )
        };
        let bytes = unsafe { std::slice::from_raw_parts(b.ptr, b.len) }.to_vec();
        unsafe { (d.free.unwrap())(b) };
        serde_json::from_slice(&bytes).unwrap()
    }

    #[test]
    fn the_exported_descriptor_runs_rules_and_catches_panics() {
        let d = unsafe { &*gklint_plugin_v1() };
        assert_eq!(d.abi_version, abi::ABI_VERSION);
        let b = unsafe { (d.rules.unwrap())() };
        let rules: serde_json::Value =
            serde_json::from_slice(unsafe { std::slice::from_raw_parts(b.ptr, b.len) }).unwrap();
        unsafe { (d.free.unwrap())(b) };
        assert_eq!(rules[0]["id"], "fine");
        assert_eq!(rules[0]["category"], "date");
        assert_eq!(rules[0]["examples"]["invalid"][0], "b");

        let out = call(
            r#"{"abi":1,"rules":["fine"],"report":{"year":2020}}"#,
            "x\n",
        );
        assert_eq!(out[0]["rule"], "fine");
        assert_eq!(out[0]["values"]["年"], "2020");
        assert_eq!(out.as_array().unwrap().len(), 1);

        let out = call(r#"{"abi":1,"rules":["broken"],"report":{}}"#, "");
        assert_eq!(out[0]["rule"], "broken");
        assert_eq!(out[0]["category"], "parse");
        let m = out[0]["message"].as_str().unwrap();
        assert!(
            m.contains("sdk-test") && m.contains("坏了") && m.contains("lib.rs"),
            "{m}"
        );

        let out = call("not json", "");
        assert_eq!(out[0]["category"], "parse");
        assert!(out[0]["message"].as_str().unwrap().contains("无法读取"));
    }

    #[test]
    fn the_abi_types_match_the_host() {
        use gklint_engine::plugin::abi as host;
        use std::mem::{align_of, offset_of, size_of};
        assert_eq!(abi::ABI_VERSION, host::ABI_VERSION);
        assert_eq!(size_of::<abi::PluginV1>(), size_of::<host::PluginV1>());
        assert_eq!(align_of::<abi::PluginV1>(), align_of::<host::PluginV1>());
        assert_eq!(size_of::<abi::Str>(), size_of::<host::Str>());
        assert_eq!(size_of::<abi::Buffer>(), size_of::<host::Buffer>());
        assert_eq!(
            offset_of!(abi::PluginV1, name),
            offset_of!(host::PluginV1, name)
        );
        assert_eq!(
            offset_of!(abi::PluginV1, version),
            offset_of!(host::PluginV1, version)
        );
        assert_eq!(
            offset_of!(abi::PluginV1, rules),
            offset_of!(host::PluginV1, rules)
        );
        assert_eq!(
            offset_of!(abi::PluginV1, check),
            offset_of!(host::PluginV1, check)
        );
        assert_eq!(
            offset_of!(abi::PluginV1, free),
            offset_of!(host::PluginV1, free)
        );
        assert_eq!(offset_of!(abi::Buffer, len), offset_of!(host::Buffer, len));
    }
}

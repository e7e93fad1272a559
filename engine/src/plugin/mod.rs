//! Native plugins: compiled rules a province ships where YAML cannot say
//! them. This module is the host side of the C ABI ([`abi`]) and the adapter
//! that turns a plugin's descriptor into ordinary [`Rule`]s whose check calls
//! the plugin. It opens no file and loads no library: the `native-plugins`
//! feature's [`native`] module (used by the CLI and the language server)
//! does that, and decides what is trusted.

pub mod abi;
#[cfg(feature = "native-plugins")]
pub mod native;
mod wire;

use std::any::Any;
use std::collections::HashSet;
use std::sync::Arc;

use crate::diagnostic::{Category, Diagnostic, Severity};
use crate::pack::{AppliesTo, Pack, PackSet};
use crate::rules::{Check, Context, Findings, Rule, RuleMeta};
use abi::{ABI_VERSION, Buffer, CheckFn, FreeFn, PluginV1, Str};

/// The `kind` shown for a plugin's rules (`gklint explain`).
pub const KIND: &str = "plugin";

/// Why a plugin was not loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginErrorKind {
    /// The file could not be read or opened as a library, or lacks the symbol.
    Open,
    /// The descriptor speaks another ABI version.
    Abi { found: u32 },
    /// The descriptor or its rules JSON is malformed.
    Invalid,
    /// Its rule ids or name clash with rules already loaded.
    Conflict,
    /// Named by a config but not in the user's trust file.
    Untrusted { sha256: String },
}

/// A plugin that was refused, with a message in Chinese naming it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PluginError {
    /// The library's path, as given.
    pub path: String,
    pub kind: PluginErrorKind,
    pub message: String,
}

impl PluginError {
    pub fn new(path: &str, kind: PluginErrorKind, message: impl Into<String>) -> Self {
        PluginError {
            path: path.to_owned(),
            kind,
            message: message.into(),
        }
    }
}

/// A loaded plugin: its identity and its rules, ready to add to a [`PackSet`].
#[derive(Debug, Clone)]
pub struct Plugin {
    pub name: String,
    pub version: String,
    /// Where it was loaded from (a path), for messages.
    pub origin: String,
    pub rules: Vec<Rule>,
}

impl Plugin {
    /// Adapts a plugin's descriptor. The ABI version is read first; nothing
    /// else is read or called when it differs. Then the plugin's rules are
    /// asked for and checked.
    ///
    /// # Safety
    ///
    /// `desc` must be null or point to a value whose first field is a `u32`
    /// ABI version and which, when that version is [`ABI_VERSION`], is a valid
    /// [`PluginV1`] whose strings and functions stay valid as long as `keep`
    /// lives (`keep` is held by every rule; it is usually the library).
    pub unsafe fn from_descriptor(
        desc: *const PluginV1,
        origin: &str,
        keep: Arc<dyn Any + Send + Sync>,
    ) -> Result<Plugin, PluginError> {
        let invalid = |m: String| PluginError::new(origin, PluginErrorKind::Invalid, m);
        if desc.is_null() {
            return Err(invalid(format!(
                "插件 {origin} 的 {} 为空指针",
                abi::SYMBOL
            )));
        }
        // SAFETY: the caller guarantees a readable u32 at the start.
        let found = unsafe { std::ptr::read(desc.cast::<u32>()) };
        if found != ABI_VERSION {
            return Err(PluginError::new(
                origin,
                PluginErrorKind::Abi { found },
                format!(
                    "插件 {origin} 的接口版本是 {found}，本版 gklint 只支持接口版本 {ABI_VERSION}，未加载该插件。\
                     请用与本版 gklint 配套的 gklint-plugin SDK 重新编译插件，或换用与插件配套的 gklint。"
                ),
            ));
        }
        // SAFETY: the version matches, so the caller guarantees a PluginV1.
        let d = unsafe { &*desc };
        // SAFETY: strings of a valid descriptor.
        let name =
            unsafe { text(d.name) }.map_err(|e| invalid(format!("插件 {origin} 的名称{e}")))?;
        let version = unsafe { text(d.version) }
            .map_err(|e| invalid(format!("插件 {origin} 的版本号{e}")))?;
        if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid(format!(
                "插件 {origin} 的名称 `{name}` 无效：不能为空，也不能含空白字符"
            )));
        }
        let (Some(rules_fn), Some(check), Some(free)) = (d.rules, d.check, d.free) else {
            return Err(invalid(format!(
                "插件 `{name}`（{origin}）缺少 rules、check 或 free 函数"
            )));
        };
        // SAFETY: a function of a valid descriptor, and its own free.
        let bytes = unsafe { take(rules_fn(), free) }
            .ok_or_else(|| invalid(format!("插件 `{name}`（{origin}）没有返回规则说明")))?;
        let defs: Vec<wire::RuleWire> = serde_json::from_slice(&bytes).map_err(|e| {
            invalid(format!(
                "插件 `{name}`（{origin}）的规则说明不是有效的 JSON：{e}"
            ))
        })?;
        if defs.is_empty() {
            return Err(invalid(format!(
                "插件 `{name}`（{origin}）没有声明任何规则"
            )));
        }
        let mut seen = HashSet::new();
        for r in &defs {
            if r.id.trim().is_empty() || r.id.chars().any(char::is_whitespace) {
                return Err(invalid(format!(
                    "插件 `{name}`（{origin}）的规则 id `{}` 无效：不能为空，也不能含空白字符",
                    r.id
                )));
            }
            if !seen.insert(r.id.clone()) {
                return Err(invalid(format!(
                    "插件 `{name}`（{origin}）重复声明了规则 `{}`",
                    r.id
                )));
            }
        }
        let shared = Arc::new(Shared {
            name: name.clone(),
            origin: origin.to_owned(),
            check,
            free,
            rule_ids: defs.iter().map(|r| r.id.clone()).collect(),
            _keep: keep,
        });
        let check: Arc<dyn Check> = Arc::new(PluginCheck(shared));
        let rules = defs
            .into_iter()
            .map(|r| Rule {
                meta: RuleMeta {
                    id: r.id,
                    pack: name.clone(),
                    kind: KIND.to_owned(),
                    category: r.category,
                    severity: r.severity,
                    message: r.message,
                    message_en: r.message_en,
                    help: r.help,
                    docs: r.docs,
                    valid: r.examples.valid,
                    invalid: r.examples.invalid,
                    fixable: r.fixable,
                },
                check: check.clone(),
            })
            .collect();
        Ok(Plugin {
            name,
            version,
            origin: origin.to_owned(),
            rules,
        })
    }

    /// The plugin as a pack: its rules apply to every report (a rule that
    /// does not concern a report returns nothing for it).
    pub fn pack(&self) -> Pack {
        Pack {
            id: self.name.clone(),
            name: self.name.clone(),
            version: self.version.clone(),
            description: format!("原生插件 {}", self.origin),
            origin: self.origin.clone(),
            builtin: false,
            extends: Vec::new(),
            applies: AppliesTo::default(),
            rules: self.rules.clone(),
            overrides: Vec::new(),
            layouts: Vec::new(),
        }
    }
}

/// Adds plugins to a loaded pack set, refusing one whose name or rule ids
/// are already taken (a plugin added twice from the same path is skipped).
/// On error nothing of that plugin is added; the others still are.
pub fn add_plugins(set: &mut PackSet, plugins: &[Plugin]) -> Vec<PluginError> {
    let mut errors = Vec::new();
    for p in plugins {
        if let Some(existing) = set.packs.iter().find(|k| k.id == p.name) {
            if existing.origin != p.origin {
                errors.push(PluginError::new(
                    &p.origin,
                    PluginErrorKind::Conflict,
                    format!(
                        "插件 `{}`（{}）与已加载的规则包 `{}`（{}）同名，未加载该插件",
                        p.name, p.origin, existing.id, existing.origin
                    ),
                ));
            }
            continue;
        }
        if let Some((rule, pack)) = p.rules.iter().find_map(|r| {
            set.rule(&r.meta.id)
                .map(|old| (r.meta.id.clone(), old.meta.pack.clone()))
        }) {
            errors.push(PluginError::new(
                &p.origin,
                PluginErrorKind::Conflict,
                format!(
                    "插件 `{}`（{}）的规则 `{rule}` 已在规则包 `{pack}` 中定义，未加载该插件",
                    p.name, p.origin
                ),
            ));
            continue;
        }
        set.packs.push(p.pack());
    }
    errors
}

/// What every rule of one plugin shares: the plugin's functions and the
/// handle that keeps its library loaded.
struct Shared {
    name: String,
    origin: String,
    check: CheckFn,
    free: FreeFn,
    rule_ids: Vec<String>,
    _keep: Arc<dyn Any + Send + Sync>,
}

struct PluginCheck(Arc<Shared>);

impl std::fmt::Debug for PluginCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PluginCheck")
            .field("plugin", &self.0.name)
            .field("origin", &self.0.origin)
            .finish()
    }
}

impl Check for PluginCheck {
    fn run(&self, cx: &Context, rule: &RuleMeta, out: &mut Findings) {
        let p = &self.0;
        let input = wire::input(&[rule.id.as_str()], cx.report, cx.source);
        // SAFETY: the descriptor's check and free, kept loaded by `_keep`;
        // the arguments outlive the call.
        let bytes = unsafe {
            take(
                (p.check)(Str::of(&input), Str::of(cx.source.text.as_bytes())),
                p.free,
            )
        };
        let Some(bytes) = bytes else {
            out.push(failure(p, rule, "没有返回结果（空指针）"));
            return;
        };
        let outcome = wire::findings(&bytes, rule, &p.rule_ids, cx.source);
        out.extend(outcome.diagnostics);
        if let Some(first) = outcome.problems.first() {
            let more = match outcome.problems.len() {
                1 => String::new(),
                n => format!("（另有 {} 处问题）", n - 1),
            };
            out.push(failure(p, rule, &format!("{first}{more}")));
        }
    }
}

/// The one finding that says a plugin failed on this report.
fn failure(p: &Shared, rule: &RuleMeta, what: &str) -> Diagnostic {
    let mut d = rule.diag(0..0, &[]);
    d.category = Category::Parse;
    d.severity = Severity::Error;
    d.message = format!("插件 `{}` 的规则 `{}` 出错：{what}", p.name, rule.id);
    d.message_en = Some(format!(
        "plugin `{}` failed in rule `{}`: {what}",
        p.name, rule.id
    ));
    d.help = format!(
        "这是插件的问题，不是报告的问题：本报告未能用规则 {} 检查，其他规则照常运行。请把此消息转告插件 `{}`（{}）的作者。",
        rule.id, p.name, p.origin
    );
    d
}

/// Reads a borrowed UTF-8 string of the descriptor.
///
/// # Safety
/// `s` must be null with length 0, or point to `len` readable bytes.
unsafe fn text(s: Str) -> Result<String, &'static str> {
    if s.ptr.is_null() {
        return if s.len == 0 {
            Ok(String::new())
        } else {
            Err("为空指针")
        };
    }
    // SAFETY: guaranteed by the caller.
    let bytes = unsafe { std::slice::from_raw_parts(s.ptr, s.len) };
    std::str::from_utf8(bytes)
        .map(str::to_owned)
        .map_err(|_| "不是 UTF-8 文本")
}

/// Copies a buffer the plugin returned and hands it back to its `free`.
/// `None` for a null buffer.
///
/// # Safety
/// `b` must come from the plugin whose `free` this is.
unsafe fn take(b: Buffer, free: FreeFn) -> Option<Vec<u8>> {
    if b.ptr.is_null() {
        return None;
    }
    // SAFETY: a non-null buffer of `len` bytes from the plugin.
    let copy = unsafe { std::slice::from_raw_parts(b.ptr, b.len) }.to_vec();
    // SAFETY: returned to the plugin's own free, once.
    unsafe { free(b) };
    Some(copy)
}

#[cfg(test)]
mod tests {
    //! A plugin written in Rust inside the test, exported the C way.
    use super::*;
    use crate::read::Format;

    unsafe extern "C" fn rules() -> Buffer {
        leak(
            br#"[{"id":"in-test","category":"table","severity":"warning","message":"m {x}","help":"h"}]"#
                .to_vec(),
        )
    }
    unsafe extern "C" fn check(input: Str, source: Str) -> Buffer {
        // SAFETY: the host passes valid slices.
        let input = unsafe { std::slice::from_raw_parts(input.ptr, input.len) };
        let source = unsafe { std::slice::from_raw_parts(source.ptr, source.len) };
        let v: serde_json::Value = serde_json::from_slice(input).unwrap();
        assert_eq!(v["rules"][0], "in-test");
        let out = if source.starts_with(b"bad") {
            b"[{".to_vec()
        } else {
            format!(
                r#"[{{"line":1,"values":{{"x":"{}"}}}}]"#,
                v["report"]["lines"]
            )
            .into_bytes()
        };
        leak(out)
    }
    unsafe extern "C" fn free(b: Buffer) {
        // SAFETY: made by `leak`.
        drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(b.ptr, b.len)) });
    }
    fn leak(v: Vec<u8>) -> Buffer {
        let len = v.len();
        Buffer {
            ptr: Box::into_raw(v.into_boxed_slice()).cast::<u8>(),
            len,
        }
    }

    fn descriptor(abi_version: u32) -> PluginV1 {
        PluginV1 {
            abi_version,
            name: Str::of(b"in-test-plugin"),
            version: Str::of(b"1.0"),
            rules: Some(rules),
            check: Some(check),
            free: Some(free),
        }
    }

    #[test]
    fn a_descriptor_becomes_rules_that_call_it() {
        let d = descriptor(ABI_VERSION);
        let p = unsafe { Plugin::from_descriptor(&d, "mem", Arc::new(())) }.unwrap();
        assert_eq!(p.name, "in-test-plugin");
        assert_eq!(p.rules[0].meta.pack, "in-test-plugin");
        let mut set = crate::pack::load(&crate::pack::builtin_inputs()).unwrap();
        assert!(add_plugins(&mut set, std::slice::from_ref(&p)).is_empty());
        // Adding it again from the same place is a no-op; a clash is refused.
        assert!(add_plugins(&mut set, std::slice::from_ref(&p)).is_empty());
        let mut other = p.clone();
        other.origin = "elsewhere".into();
        assert_eq!(
            add_plugins(&mut set, &[other])[0].kind,
            PluginErrorKind::Conflict
        );

        let lint = |text: &str| {
            let src = crate::source::SourceFile::from_text("t.txt", text);
            let parsed = crate::parse_source(src, Format::Text, &set.catalog);
            crate::lint::lint(&set, &parsed, &Default::default())
                .into_iter()
                .filter(|d| d.rule == "in-test")
                .collect::<Vec<_>>()
        };
        let found = lint("一行\n两行\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "m 3");
        assert_eq!(found[0].span, 0..6);
        let found = lint("bad\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].category, Category::Parse);
        assert!(
            found[0].message.contains("in-test-plugin"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn another_abi_version_is_refused_before_anything_is_called() {
        let mut d = descriptor(2);
        d.rules = None; // would be an error if it were looked at
        let e = unsafe { Plugin::from_descriptor(&d, "old.so", Arc::new(())) }.unwrap_err();
        assert_eq!(e.kind, PluginErrorKind::Abi { found: 2 });
        assert!(e.message.contains("接口版本是 2"), "{}", e.message);
    }
}

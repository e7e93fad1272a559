//! What a check reports: a finding with its rule, place, message and fix.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::Span;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn chinese(self) -> &'static str {
        match self {
            Severity::Info => "提示",
            Severity::Warning => "警告",
            Severity::Error => "错误",
        }
    }
}

/// The fixed set of categories; other tools group findings by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Section => "section",
            Category::Table => "table",
            Category::Consistency => "consistency",
            Category::DocNumber => "doc-number",
            Category::Date => "date",
            Category::Contact => "contact",
            Category::Template => "template",
            Category::Style => "style",
            Category::Parse => "parse",
        }
    }
}

/// A text replacement in the decoded text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// What the fix does, in Chinese (`将“钩稽”改为“勾稽”`).
    pub description: String,
    pub edits: Vec<Edit>,
}

/// Another place that takes part in a finding (the other cells of an identity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Related {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub rule: String,
    pub category: Category,
    pub severity: Severity,
    pub message: String,
    /// The English message, when the rule's pack gives `message_en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message_en: Option<String>,
    pub help: String,
    /// Byte range in the decoded text.
    pub span: Span,
    pub related: Vec<Related>,
    pub fix: Option<Fix>,
    /// The values the message was made from (左, 右, 列 …), for hovers and reports.
    pub values: BTreeMap<String, String>,
    /// The rule could not be assessed (cells missing, blank or unreadable):
    /// a warning about the data, not a verdict of the rule.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub not_assessable: bool,
    /// The fix changes wording a person should confirm (offered in the editor,
    /// never applied by `--fix`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unsafe_fix: bool,
}

impl Diagnostic {
    /// A finding of `rule` over one byte at `at`, with nothing else said: for tests.
    #[cfg(test)]
    pub(crate) fn bare(rule: &str, at: usize) -> Diagnostic {
        Diagnostic {
            rule: rule.into(),
            category: Category::Style,
            severity: Severity::Warning,
            message: String::new(),
            message_en: None,
            help: String::new(),
            span: at..at + 1,
            related: Vec::new(),
            fix: None,
            values: Default::default(),
            not_assessable: false,
            unsafe_fix: false,
        }
    }

    /// The key in [`Diagnostic::values`] of the finding's place in the
    /// original Word, HTML or PDF file (表三第5行第2列, 第3页), see
    /// [`crate::locate`].
    pub const LOCATION: &'static str = "位置";

    /// The finding's place in the original Word, HTML or PDF file, when it
    /// was extracted from one.
    pub fn location(&self) -> Option<&str> {
        self.values.get(Self::LOCATION).map(String::as_str)
    }
}

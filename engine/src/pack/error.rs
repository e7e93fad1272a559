//! Pack load errors, each pointing at a file, line and column in the YAML.

use std::sync::Arc;

use serde_saphyr::Location;

#[derive(Clone, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct PackError {
    pub path: String,
    pub line: u64,
    pub column: u64,
    /// Byte offset and length of the offending YAML, for underlining it.
    pub offset: Option<usize>,
    pub len: usize,
    pub message: String,
    /// The YAML text, so the error can be shown in context.
    pub contents: Arc<str>,
}

impl PackError {
    pub fn at(path: &str, contents: &Arc<str>, loc: &Location, message: impl Into<String>) -> Self {
        let span = loc.span();
        PackError {
            path: path.to_owned(),
            line: loc.line(),
            column: loc.column(),
            offset: span.byte_offset().map(|o| o as usize),
            len: span.byte_len().map_or(1, |l| l as usize).max(1),
            message: message.into(),
            contents: contents.clone(),
        }
    }

    /// An error at a byte range of `contents`.
    pub fn at_offset(
        path: &str,
        contents: &Arc<str>,
        offset: usize,
        len: usize,
        message: impl Into<String>,
    ) -> Self {
        let before = &contents[..offset.min(contents.len())];
        let line = before.matches('\n').count() as u64 + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() as u64 + 1;
        PackError {
            path: path.to_owned(),
            line,
            column,
            offset: Some(offset),
            len: len.max(1),
            message: message.into(),
            contents: contents.clone(),
        }
    }

    pub fn file(path: &str, contents: &Arc<str>, message: impl Into<String>) -> Self {
        PackError {
            path: path.to_owned(),
            line: 1,
            column: 1,
            offset: None,
            len: 1,
            message: message.into(),
            contents: contents.clone(),
        }
    }
}

impl std::fmt::Debug for PackError {
    // The YAML text is left out: it would drown the message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PackError({self})")
    }
}

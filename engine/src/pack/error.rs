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
            message: clip(message.into()),
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
        // Floored onto a character boundary: slicing inside one would panic.
        let mut end = offset.min(contents.len());
        while !contents.is_char_boundary(end) {
            end -= 1;
        }
        let before = &contents[..end];
        let line = before.matches('\n').count() as u64 + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before[line_start..].chars().count() as u64 + 1;
        PackError {
            path: path.to_owned(),
            line,
            column,
            offset: Some(offset),
            len: len.max(1),
            message: clip(message.into()),
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
            message: clip(message.into()),
            contents: contents.clone(),
        }
    }
}

/// Characters of a message kept, and of each part of it in `…` or "…":
/// a parser's message can quote the text it choked on, and a pack path may
/// name a file that is not a pack at all.
const MAX_MESSAGE_CHARS: usize = 300;
const MAX_QUOTED_CHARS: usize = 40;

fn clip(message: String) -> String {
    let mut out = String::with_capacity(message.len().min(4 * MAX_MESSAGE_CHARS));
    let mut quote = None;
    let mut quoted = 0;
    let mut kept = 0;
    for c in message.chars() {
        if kept == MAX_MESSAGE_CHARS {
            out.push('…');
            break;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {
                quoted += 1;
                if quoted > MAX_QUOTED_CHARS {
                    if quoted == MAX_QUOTED_CHARS + 1 {
                        out.push('…');
                    }
                    continue;
                }
            }
            None if c == '`' || c == '"' => {
                quote = Some(c);
                quoted = 0;
            }
            None => {}
        }
        out.push(c);
        kept += 1;
    }
    out
}

impl std::fmt::Debug for PackError {
    // The YAML text is left out: it would drown the message.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "PackError({self})")
    }
}

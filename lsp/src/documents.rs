//! Open documents: their text and version, kept in step with the client's
//! full and incremental changes (a change older than the text held is
//! ignored). Only reports are linted: plain text and Markdown, by language
//! or by file extension; other documents the client opens are held but never
//! linted.

use std::collections::HashMap;
use std::path::PathBuf;

use gklint_engine::read::Format;
use gklint_engine::source::LineIndex;
use lsp_types::{TextDocumentContentChangeEvent, Uri};

use crate::position::{Converter, Encoding};

#[derive(Debug, Clone)]
pub struct Document {
    pub uri: Uri,
    /// The local file, when the URI is a `file:` one.
    pub path: Option<PathBuf>,
    pub version: i32,
    pub format: Format,
    /// A report to lint: plain text or Markdown.
    pub lintable: bool,
    pub text: String,
    pub lines: LineIndex,
}

impl Document {
    pub fn new(uri: Uri, language_id: &str, version: i32, text: String) -> Self {
        let path = crate::uri::to_path(&uri);
        let format = format_of(&uri, language_id);
        let lintable = is_report(&uri, language_id);
        let lines = LineIndex::new(&text);
        Document {
            uri,
            path,
            version,
            format,
            lintable,
            text,
            lines,
        }
    }

    /// The name the engine and messages use: the path, else the URI.
    pub fn name(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| self.uri.as_str().to_owned(), |p| p.display().to_string())
    }

    pub fn converter(&self, encoding: Encoding) -> Converter<'_> {
        Converter::new(&self.text, &self.lines, encoding)
    }

    /// Applies the changes of one `didChange`, in order (each range refers to
    /// the text as the previous change left it). A change that is not newer
    /// than the text held is ignored (returns `false`): its ranges refer to
    /// an older text.
    pub fn apply(
        &mut self,
        version: i32,
        changes: Vec<TextDocumentContentChangeEvent>,
        encoding: Encoding,
    ) -> bool {
        if version <= self.version {
            return false;
        }
        for change in changes {
            match change.range {
                None => self.text = change.text,
                Some(range) => {
                    let span = self.converter(encoding).span(range);
                    self.text.replace_range(span, &change.text);
                }
            }
            self.lines = LineIndex::new(&self.text);
        }
        self.version = version;
        true
    }
}

/// Plain text or Markdown: by the client's language id (`text` is Neovim's
/// for plain text), else by the file's extension.
fn is_report(uri: &Uri, language_id: &str) -> bool {
    const LANGUAGES: [&str; 3] = ["plaintext", "text", "markdown"];
    if LANGUAGES
        .iter()
        .any(|l| language_id.eq_ignore_ascii_case(l))
    {
        return true;
    }
    let path = uri.as_str().split(['?', '#']).next().unwrap_or_default();
    matches!(
        Format::from_path(path),
        Some(Format::Text | Format::Markdown)
    )
}

/// Markdown for `markdown` documents and .md files; plain text otherwise.
fn format_of(uri: &Uri, language_id: &str) -> Format {
    if language_id.eq_ignore_ascii_case("markdown") {
        return Format::Markdown;
    }
    let path = uri.as_str().split(['?', '#']).next().unwrap_or_default();
    // An editor holds the text itself: anything but Markdown is read as plain text.
    match Format::from_path(path) {
        Some(Format::Markdown) => Format::Markdown,
        _ => Format::Text,
    }
}

#[derive(Debug, Default)]
pub struct Documents {
    open: HashMap<Uri, Document>,
}

impl Documents {
    pub fn open(&mut self, doc: Document) {
        self.open.insert(doc.uri.clone(), doc);
    }

    pub fn close(&mut self, uri: &Uri) -> Option<Document> {
        self.open.remove(uri)
    }

    pub fn get(&self, uri: &Uri) -> Option<&Document> {
        self.open.get(uri)
    }

    pub fn get_mut(&mut self, uri: &Uri) -> Option<&mut Document> {
        self.open.get_mut(uri)
    }

    pub fn uris(&self) -> Vec<Uri> {
        let mut v: Vec<Uri> = self.open.keys().cloned().collect();
        v.sort();
        v
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use lsp_types::{Position, Range};

    use super::*;

    fn change(r: Option<((u32, u32), (u32, u32))>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: r.map(|(a, b)| Range::new(Position::new(a.0, a.1), Position::new(b.0, b.1))),
            range_length: None,
            text: text.into(),
        }
    }

    #[test]
    fn incremental_edits_in_utf16() {
        let uri = Uri::from_str("file:///tmp/a.md").unwrap();
        let mut d = Document::new(uri, "markdown", 1, "正文𠀋，钩稽。\n二行\n".into());
        assert_eq!(d.format, Format::Markdown);
        // Replace 钩 (after 𠀋, two UTF-16 units) with 勾, then insert on line 2.
        d.apply(
            2,
            vec![
                change(Some(((0, 5), (0, 6))), "勾"),
                change(Some(((1, 2), (1, 2))), "，第三"),
                change(Some(((2, 0), (2, 0))), "末行"),
            ],
            Encoding::Utf16,
        );
        assert_eq!(d.text, "正文𠀋，勾稽。\n二行，第三\n末行");
        assert_eq!(d.version, 2);
        assert!(d.apply(3, vec![change(None, "全新")], Encoding::Utf16));
        assert_eq!(d.text, "全新");
        assert_eq!(d.lines.line_count(), 1);
        // A late change of an older version is ignored.
        assert!(!d.apply(2, vec![change(None, "旧")], Encoding::Utf16));
        assert!(!d.apply(3, vec![change(None, "旧")], Encoding::Utf16));
        assert_eq!((d.text.as_str(), d.version), ("全新", 3));
    }

    #[test]
    fn only_plain_text_and_markdown_are_reports() {
        let u = |s: &str| Uri::from_str(s).unwrap();
        assert!(is_report(&u("file:///a/report"), "plaintext"));
        assert!(is_report(&u("untitled:Untitled-1"), "markdown"));
        assert!(is_report(&u("file:///a/r.TXT"), "gklint-text"));
        assert!(is_report(&u("file:///a/r.md"), ""));
        assert!(!is_report(&u("file:///a/gklint.yaml"), "yaml"));
        assert!(!is_report(&u("file:///a/main.rs"), "rust"));
        assert!(!is_report(&u("file:///a/r.html"), "html"));
    }
}

//! Open documents: their text and version, kept in step with the client's
//! full and incremental changes (a change older than the text held is
//! ignored). Only reports are linted: plain text and Markdown, by language
//! or by file extension; other documents the client opens are held but never
//! linted. A document larger than the CLI's file-size limit is not held
//! (nor linted), and one whose change could not be read is out of step with
//! the editor: either waits for a full replacement or a reopen, and says so.

use std::collections::HashMap;
use std::path::PathBuf;

use gklint_engine::read::Format;
use gklint_engine::source::LineIndex;
use lsp_types::{TextDocumentContentChangeEvent, Uri};

use crate::cli_shared::limits::{DEFAULT_MAX_FILE_SIZE, human_size};
use crate::position::{Converter, Encoding};

/// Why a document's text is not held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Untracked {
    /// Its text is this many bytes, over the size limit.
    TooLarge(u64),
    /// A change to it could not be read (why): the text held is not the editor's.
    Lost(String),
}

impl Untracked {
    /// For the user: what happened and how to go on.
    pub fn message(&self) -> String {
        match self {
            Untracked::TooLarge(n) => format!(
                "文档有 {}，超过 gklint 检查的大小上限 {}，未检查。年度报告一般不到 1 MB：\
                 请确认打开的是报告本身；确需检查的，请拆分成较小的文件",
                human_size(*n),
                human_size(DEFAULT_MAX_FILE_SIZE)
            ),
            Untracked::Lost(why) => format!(
                "编辑器发来的一次修改无法读取（{why}），gklint 手中的文本已与编辑器不一致，暂停检查此文档。\
                 请删除文中的无效字符（如不成对的 UTF-16 代理项），然后关闭并重新打开此文档"
            ),
        }
    }
}

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
    /// Set when the text is not held: then it is empty and not linted.
    pub untracked: Option<Untracked>,
}

impl Document {
    pub fn new(uri: Uri, language_id: &str, version: i32, text: String) -> Self {
        let path = crate::uri::to_path(&uri);
        let format = format_of(&uri, language_id);
        let lintable = is_report(&uri, language_id);
        let mut doc = Document {
            uri,
            path,
            version,
            format,
            lintable,
            text,
            lines: LineIndex::new(""),
            untracked: None,
        };
        doc.check_size();
        doc.lines = LineIndex::new(&doc.text);
        doc
    }

    /// Marks the text out of step with the editor's (a change was lost).
    pub fn lose(&mut self, why: String) {
        self.untrack(Untracked::Lost(why));
    }

    fn untrack(&mut self, why: Untracked) {
        self.text = String::new();
        self.lines = LineIndex::new("");
        self.untracked = Some(why);
    }

    /// Drops a text over the size limit (it is never linted, and holding it
    /// would let memory grow with each edit).
    fn check_size(&mut self) {
        let len = self.text.len() as u64;
        if len > DEFAULT_MAX_FILE_SIZE {
            self.untrack(Untracked::TooLarge(len));
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
                None => {
                    self.text = change.text;
                    self.untracked = None;
                }
                // A range into a text not held: only a full replacement helps.
                Some(_) if self.untracked.is_some() => continue,
                Some(range) => {
                    let span = self.converter(encoding).span(range);
                    self.text.replace_range(span, &change.text);
                }
            }
            self.check_size();
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
    fn a_text_over_the_limit_is_dropped_until_replaced() {
        let uri = Uri::from_str("file:///tmp/big.txt").unwrap();
        let big = "字".repeat(DEFAULT_MAX_FILE_SIZE as usize / 3 + 1);
        let mut d = Document::new(uri, "plaintext", 1, big.clone());
        assert!(matches!(d.untracked, Some(Untracked::TooLarge(n)) if n == big.len() as u64));
        assert!(d.text.is_empty());
        // Edits into a text not held change nothing.
        assert!(d.apply(
            2,
            vec![change(Some(((0, 0), (0, 1))), "x")],
            Encoding::Utf16
        ));
        assert!(d.text.is_empty() && d.untracked.is_some());
        assert!(d.apply(
            3,
            vec![change(None, "小"), change(Some(((0, 1), (0, 1))), "的")],
            Encoding::Utf16
        ));
        assert_eq!((d.text.as_str(), d.untracked.as_ref()), ("小的", None));
        // Growing past the limit by edits drops it again.
        let half = "a".repeat(DEFAULT_MAX_FILE_SIZE as usize / 2 + 1);
        d.apply(
            4,
            vec![
                change(Some(((0, 0), (0, 0))), &half),
                change(Some(((0, 0), (0, 0))), &half),
            ],
            Encoding::Utf16,
        );
        assert!(matches!(d.untracked, Some(Untracked::TooLarge(_))));
        assert!(d.text.is_empty());
        assert!(d.untracked.as_ref().unwrap().message().contains("20.0 MB"));
        d.lose("x".into());
        assert!(d.untracked.as_ref().unwrap().message().contains("重新打开"));
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

//! Readers turn a decoded file into a [`Document`]: the text's content
//! fragments, each with its source range and the kind of break before it.
//! Readers know nothing of reports or rules.
//!
//! Word, HTML and PDF files are first extracted ([`extract`]) into plain text
//! (paragraphs and visual lines as lines, table cells separated by tabs, one
//! grid slot per cell) which the text reader then reads; that text is what
//! positions refer to. What extracting one file builds is bounded by one
//! budget that follows the caller's file-size limit ([`ReadLimits`]), and
//! the readers stop when the file's [`Cancel`] says so.

mod budget;
pub mod docx;
mod extracted;
pub mod html;
mod markdown;
pub mod pdf;
mod text;

pub use budget::{DEFAULT_MAX_BYTES, ReadLimits, WORK_FACTOR};
pub use extracted::{ExtractError, Extraction, Location, Place};

use crate::cancel::Cancel;

use std::ops::Range;

/// The input formats the engine reads from bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Text,
    Markdown,
    Html,
    Docx,
    Pdf,
}

impl Format {
    /// The format for a file name, by its extension (`None` when gklint does not read it).
    pub fn from_path(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "txt" | "text" => Some(Format::Text),
            "md" | "markdown" => Some(Format::Markdown),
            "html" | "htm" => Some(Format::Html),
            "docx" => Some(Format::Docx),
            "pdf" => Some(Format::Pdf),
            _ => None,
        }
    }

    /// Whether the file is extracted into text first (its bytes are not
    /// the text, so it is never written back).
    pub fn is_extracted(self) -> bool {
        matches!(self, Format::Html | Format::Docx | Format::Pdf)
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Markdown => "markdown",
            Format::Html => "html",
            Format::Docx => "docx",
            Format::Pdf => "pdf",
        }
    }
}

/// What separates a fragment from the one before it. Ordered by strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Sep {
    /// Directly adjacent (text that ran together).
    None,
    /// Spaces inside a line.
    Space,
    /// A table cell boundary (a tab, a `|`).
    Cell,
    /// A line break.
    Line,
    /// A blank line or a new block.
    Block,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fragment {
    /// Byte range in the decoded text.
    pub range: Range<usize>,
    pub sep: Sep,
    /// Empty table cells skipped just before this fragment on the same row.
    pub gap: u16,
    /// Empty table cells after this fragment up to the end of its row (set
    /// on the last fragment of a tab-separated row, else 0).
    pub trailing: u16,
}

/// A line-level block: a text line, a Markdown heading or paragraph line, a table row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// Byte range of the whole block in the decoded text.
    pub range: Range<usize>,
    /// Index range into [`Document::fragments`].
    pub fragments: Range<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    Line,
    /// A Markdown heading of the given level (1–6).
    Heading(u8),
    TableRow,
    /// A Markdown table's delimiter row or other markup with no content.
    Markup,
}

#[derive(Debug, Clone, Default)]
pub struct Document {
    pub fragments: Vec<Fragment>,
    pub blocks: Vec<Block>,
    /// The table rows are real cell grids (a Word or HTML table written one
    /// slot per grid column, blank slots included up to the row's end), so a
    /// row's numbers stand in their column slots and trailing blank cells
    /// count; in typed text and PDF lines a cell boundary is only a guess.
    pub exact_cells: bool,
}

/// Reads decoded text in the given format. The text of an extracted format
/// is the extraction's output, which is read as plain text.
pub fn read(text: &str, format: Format) -> Document {
    match format {
        Format::Text | Format::Pdf => text::read(text),
        Format::Html | Format::Docx => Document {
            exact_cells: true,
            ..text::read(text)
        },
        Format::Markdown => markdown::read(text),
    }
}

/// Extracts the text of a Word, HTML or PDF file (pure Rust; a PDF whose
/// text comes out garbled is an error the caller may answer with another
/// extractor, see [`pdf::from_layout`]), within the default limits.
pub fn extract(bytes: &[u8], format: Format) -> Result<Extraction, ExtractError> {
    extract_within(bytes, format, &ReadLimits::default(), &Cancel::default())
}

/// [`extract`] within the caller's limits: what reading the file builds is
/// bounded by `limits` (see [`ReadLimits`]), and the readers stop with
/// [`ExtractError::Cancelled`] soon after `cancel` says so.
pub fn extract_within(
    bytes: &[u8],
    format: Format,
    limits: &ReadLimits,
    cancel: &Cancel,
) -> Result<Extraction, ExtractError> {
    let budget = budget::Budget::new(limits, cancel);
    let out = match format {
        Format::Html => html::extract_within(bytes, budget),
        Format::Docx => docx::extract_within(bytes, budget),
        Format::Pdf => pdf::extract_within(bytes, budget),
        Format::Text | Format::Markdown => Err(ExtractError::NotExtracted),
    };
    // A reader stopped by a failed step may report that step; the caller
    // asked to stop, so say that.
    match out {
        Err(e) if e != ExtractError::Cancelled && cancel.is_cancelled() => {
            Err(ExtractError::Cancelled)
        }
        out => out,
    }
}

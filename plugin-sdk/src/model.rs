//! The report as gklint read it: the model `gklint parse --format json`
//! prints, with byte spans into [`Report::text`] for everything a finding
//! may point at. Every field has a default, so a plugin built with this SDK
//! keeps working when gklint adds fields.

use serde::{Deserialize, Serialize};

/// A byte range in [`Report::text`] (the decoded source, UTF-8).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    pub fn is_empty(&self) -> bool {
        self.end <= self.start
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Report {
    /// The file name gklint was given.
    pub path: String,
    pub encoding: String,
    /// `lf`, `crlf` or `cr`.
    pub line_ending: String,
    /// Number of lines of the text.
    pub lines: usize,
    pub title: Option<String>,
    pub title_span: Option<Span>,
    pub office: Option<String>,
    /// `government` or `department`.
    pub office_kind: Option<String>,
    /// The report year.
    pub year: Option<i32>,
    pub year_span: Option<Span>,
    /// `"2021"`, `"2019"`, or an older layout's id.
    pub template: Option<String>,
    /// `tables` (read from the tables' layout) or `year`.
    pub template_basis: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub published: Option<String>,
    pub published_span: Option<Span>,
    pub sections: Vec<Section>,
    pub paragraphs: Vec<Paragraph>,
    pub tables: Vec<Table>,
    /// The decoded source text; every span points into it.
    #[serde(skip)]
    pub text: String,
}

impl Report {
    /// A table by its id (`active-disclosure`, `applications`, `review-litigation`, …).
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }

    /// The text of a span (empty when out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.start..span.end).unwrap_or("")
    }

    /// The text of 1-based `line`, without its line ending.
    pub fn line_text(&self, line: u32) -> &str {
        self.text
            .split_inclusive('\n')
            .nth((line as usize).saturating_sub(1))
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    /// A section whose title contains `words`.
    pub fn section(&self, words: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.title.contains(words))
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Section {
    /// The numbering as written (`二、`).
    pub number: String,
    pub title: String,
    /// 1 for 一、, 2 for （一）.
    pub level: u8,
    pub line: u32,
    /// The heading.
    pub span: Span,
    /// From the end of the heading to the next heading of the same or a higher level.
    pub body: Span,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Paragraph {
    pub text: String,
    pub line: u32,
    pub span: Span,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Table {
    pub id: String,
    /// The layout it was recognised as (`active-disclosure-2019`).
    pub schema: String,
    pub template: Option<String>,
    pub line: u32,
    pub end_line: u32,
    pub span: Span,
    pub columns: Vec<Column>,
    /// Group rows (`group: true`) carry no numbers.
    pub rows: Vec<Row>,
    /// Ids of the layout's rows the document lacks (missing, never zero).
    pub missing: Vec<String>,
    /// The numbers were found without the table's heading and header rows.
    pub headerless: bool,
}

impl Table {
    pub fn row(&self, id: &str) -> Option<&Row> {
        self.rows.iter().find(|r| r.id == id)
    }

    pub fn column(&self, id: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.id == id)
    }

    /// The cell of row `row` in column `column`, when the document has one.
    pub fn cell(&self, row: &str, column: &str) -> Option<&Cell> {
        let i = self.column(column)?;
        self.row(row)?.cells.get(i)?.as_ref()
    }

    /// The number in row `row`, column `column` (`None`: missing, blank,
    /// unreadable or not applicable — never read that as zero).
    pub fn value(&self, row: &str, column: &str) -> Option<f64> {
        let i = self.column(column)?;
        self.row(row)?.values.get(i).copied().flatten()
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Column {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Row {
    pub id: String,
    /// The template's label.
    pub label: String,
    /// The label as written, when it deviates from the template.
    pub written_label: Option<String>,
    pub group: bool,
    pub line: u32,
    pub span: Span,
    /// One per table column.
    pub values: Vec<Option<f64>>,
    /// One per table column: `None` where the column does not apply to the row.
    pub cells: Vec<Option<Cell>>,
    /// `cells`, `split` (run-together digits split by the row's totals),
    /// `unreadable` or `empty`.
    pub reading: String,
    /// Why the row is unreadable.
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Cell {
    /// `None` for a blank cell or a `/`, `—`, `-` cell.
    pub value: Option<f64>,
    /// The text as written (normalised: full-width folded, no spaces).
    pub raw: String,
    pub line: u32,
    pub span: Span,
}

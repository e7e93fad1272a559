//! The report model: what a report says, every item with its source span
//! (byte offsets into the decoded text; the source file maps them to lines).

pub mod json;

use rust_decimal::Decimal;

pub type Span = std::ops::Range<usize>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OfficeKind {
    /// A 人民政府 or its 办公厅/办公室 (deadline 3月31日).
    Government,
    /// A 局/委/办/中心 and the like (deadline 1月31日).
    Department,
}

/// Where the template was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum TemplateBasis {
    /// From the layout of the tables the report contains.
    Tables,
    /// No table told: from the report year.
    Year,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Report {
    pub title: Option<Located<String>>,
    pub office: Option<String>,
    pub office_kind: Option<OfficeKind>,
    pub year: Option<Located<i32>>,
    pub template: Option<String>,
    pub template_basis: Option<TemplateBasis>,
    pub published: Option<Located<Date>>,
    pub sections: Vec<Section>,
    pub paragraphs: Vec<Paragraph>,
    pub tables: Vec<Table>,
}

impl Report {
    pub fn table(&self, id: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.id == id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// The numbering exactly as written (`二、`, or a wrong `2、`).
    pub number: String,
    pub title: String,
    /// 1 for 一、, 2 for （一）.
    pub level: u8,
    /// The heading's span.
    pub span: Span,
    /// From the end of the heading to the next heading of the same or a higher level.
    pub body: Span,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paragraph {
    pub span: Span,
    pub text: String,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub id: String,
    /// The layout it was recognised as (`applications-2019`).
    pub schema: String,
    pub template: Option<String>,
    pub span: Span,
    pub columns: Vec<ColumnInfo>,
    pub rows: Vec<TableRow>,
    /// Ids of the layout's data rows that the document lacks (missing, never zero).
    pub missing: Vec<String>,
    /// The table's numbers were found without its heading and header rows.
    pub headerless: bool,
    /// Header cells written in a wording the layout lists as a deviation.
    pub header_deviations: Vec<HeaderDeviation>,
}

/// A column header written differently from the template (`本年度制作数量`
/// for `本年新制作数量`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderDeviation {
    /// The template's header.
    pub label: String,
    /// The header as written.
    pub written: String,
    pub span: Span,
}

impl Table {
    pub fn row(&self, id: &str) -> Option<&TableRow> {
        self.rows.iter().find(|r| r.id == id)
    }

    pub fn column_index(&self, id: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.id == id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnInfo {
    pub id: String,
    pub label: String,
}

#[derive(Debug, Clone)]
pub struct TableRow {
    pub id: String,
    /// The template's canonical label, numbering included.
    pub label: String,
    /// The label as written, when it deviates from the template (recognised by position).
    pub written_label: Option<String>,
    /// A group row carries no numbers of its own.
    pub group: bool,
    pub span: Span,
    /// One entry per table column; `None` where the column does not apply to this row.
    pub cells: Vec<Option<Cell>>,
    pub reading: Reading,
}

impl TableRow {
    /// The numbers in table column order (`None` for blank, unreadable or not applicable).
    pub fn values(&self) -> Vec<Option<Decimal>> {
        self.cells
            .iter()
            .map(|c| c.as_ref().and_then(|c| c.value))
            .collect()
    }
}

/// How a row's numbers were read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reading {
    /// Each number stood in its own cell.
    Cells,
    /// The digits ran together; exactly one split satisfied the row's own totals.
    Split,
    /// The numbers could not be read with certainty; no value is given.
    Unreadable { reason: String },
    /// A group row, or a row whose label was found without any numbers after it.
    Empty,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// `None` for a blank cell or a `/`, `—`, `-` cell.
    pub value: Option<Decimal>,
    /// The text as written (key form).
    pub raw: String,
    pub span: Span,
}

//! The YAML shape of table schemas and report templates, as pack authors write them.

use serde::{Deserialize, Serialize};

/// The report format a national pack describes: its level-1 headings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateDef {
    /// `pre-2019`, `2019` or `2021`.
    pub id: String,
    #[serde(default)]
    pub headings: Vec<HeadingDef>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HeadingDef {
    /// The numeral as the template prints it, e.g. `二、`.
    pub number: String,
    pub title: String,
    /// Other wordings seen in real reports (accepted, with a warning by the section rule).
    #[serde(default)]
    pub variants: Vec<String>,
}

/// One table layout: its rows, columns and nesting.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TableDef {
    /// The table's id in the report model (`applications`, `active-disclosure`, …).
    pub id: String,
    /// The id of this layout, unique across packs (`applications-2019`).
    pub schema: String,
    /// The template this layout belongs to; absent when it is the same in several.
    #[serde(default)]
    pub template: Option<String>,
    #[serde(default)]
    pub caption: Option<String>,
    /// Header cell texts; they help tell layouts apart and mark where labels may start.
    #[serde(default)]
    pub headers: Vec<String>,
    pub columns: Vec<ColumnDef>,
    pub rows: Vec<RowDef>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnDef {
    pub id: String,
    pub label: String,
    /// The header above this column when columns are nested (`法人或其他组织`).
    #[serde(default)]
    pub group: Option<String>,
    /// This column is the sum of these columns (the row's own total).
    #[serde(default)]
    pub total_of: Vec<String>,
    /// Values may be negative (`本年增/减`).
    #[serde(default)]
    pub signed: bool,
    /// Values may have decimals (amounts in 万元).
    #[serde(default)]
    pub decimal: bool,
    #[serde(default)]
    pub unit: Option<String>,
    /// A sum of money whose unit (元 or 万元) the report must state.
    #[serde(default)]
    pub amount: bool,
    /// Wrong or variant header wordings seen in reports (`本年度制作数量`): they
    /// identify the column and are reported as label deviations.
    #[serde(default)]
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RowDef {
    pub id: String,
    /// The numbering printed before the label (`一、`, `（三）`, `1.`).
    #[serde(default)]
    pub number: Option<String>,
    /// The canonical label; absent for a row that follows the header directly.
    #[serde(default)]
    pub label: Option<String>,
    /// Other wordings that identify the same row.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// A merged label cell that carries no numbers of its own.
    #[serde(default)]
    pub group: bool,
    /// Absent in some editions of the layout; its absence is not a fault.
    #[serde(default)]
    pub optional: bool,
    /// The columns this row has (default: the parent's, else all the table's).
    #[serde(default)]
    pub columns: Option<Vec<String>>,
    /// A unit cell printed between the label and the values (`条`, `件`).
    #[serde(default)]
    pub unit: Option<String>,
    /// The row (by id) that this row's data rows break down, when it is not
    /// their parent: 一（二）'s channel counts are counted in 一（一）.
    #[serde(default)]
    pub counted_in: Option<String>,
    #[serde(default)]
    pub children: Vec<RowDef>,
}

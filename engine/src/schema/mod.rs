//! Table schemas and templates compiled once from YAML: every label and
//! header of every layout goes into one label index.

mod def;
mod labels;

use std::collections::HashMap;

use crate::structure::numerals::heading_value;

pub use def::{ColumnDef, HeadingDef, RowDef, TableDef, TemplateDef};
pub use labels::Labels;

use crate::structure::stream::key_of;

/// A compiled table layout.
#[derive(Debug, Clone)]
pub struct TableSchema {
    pub table_id: String,
    pub schema_id: String,
    pub template: Option<String>,
    pub columns: Vec<Column>,
    /// Rows in document order (parents before their children).
    pub rows: Vec<Row>,
    pub headers: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Column {
    pub id: String,
    pub label: String,
    pub group: Option<String>,
    /// Indices of the columns this one totals.
    pub total_of: Vec<usize>,
    pub signed: bool,
    pub decimal: bool,
    /// Keys of header wordings that deviate from the label.
    pub aliases: Vec<String>,
    /// A sum of money: its unit must be stated.
    pub amount: bool,
}

#[derive(Debug, Clone)]
pub struct Row {
    pub id: String,
    pub number: Option<String>,
    pub label: Option<String>,
    /// Canonical keys: the label's first, then its aliases'.
    pub keys: Vec<String>,
    pub number_key: Option<String>,
    pub group: bool,
    pub optional: bool,
    pub parent: Option<usize>,
    pub depth: usize,
    /// Indices into the table's columns, in order.
    pub columns: Vec<usize>,
    /// The column totals among this row's own cells (made at load).
    pub totals: Vec<RowTotal>,
    pub unit: Option<String>,
    /// The row whose count this row's data rows break down (besides its parent).
    pub counted_in: Option<usize>,
}

/// A column total among one row's cells, by position in the row's columns:
/// the split search checks it as soon as the last of its cells is cut.
#[derive(Debug, Clone)]
pub struct RowTotal {
    pub total: usize,
    pub parts: Vec<usize>,
    /// The position after which every cell of the total is known.
    pub last: usize,
}

/// The totals among the cells of a row with the columns `cols`.
fn row_totals(cols: &[usize], columns: &[Column]) -> Vec<RowTotal> {
    let mut out = Vec::new();
    for (k, &c) in cols.iter().enumerate() {
        let col = &columns[c];
        if col.total_of.is_empty() {
            continue;
        }
        let parts: Vec<usize> = col
            .total_of
            .iter()
            .filter_map(|part| cols.iter().position(|x| x == part))
            .collect();
        let last = parts.iter().copied().chain([k]).max().unwrap_or(k);
        out.push(RowTotal {
            total: k,
            parts,
            last,
        });
    }
    out
}

impl Row {
    /// The label as the template prints it, numbering included.
    pub fn display_label(&self) -> String {
        // Made for every row of every table read: no formatting machinery.
        let (number, label) = (
            self.number.as_deref().unwrap_or(""),
            self.label.as_deref().unwrap_or(""),
        );
        let mut out = String::with_capacity(number.len() + label.len());
        out.push_str(number);
        out.push_str(label);
        out
    }
}

#[derive(Debug, Clone)]
pub struct Template {
    pub id: String,
    pub headings: Vec<Heading>,
}

#[derive(Debug, Clone)]
pub struct Heading {
    pub number: String,
    pub title: String,
    /// Canonical keys of the title and its variants.
    pub keys: Vec<String>,
}

/// What a label in the index stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatternUse {
    Row { schema: usize, row: usize },
    Header { schema: usize },
}

#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("{schema}: 列 `{column}` 的 total_of 引用了不存在的列 `{missing}`")]
    UnknownColumn {
        schema: String,
        column: String,
        missing: String,
    },
    #[error("{schema}: 行 `{row}` 的 columns 引用了不存在的列 `{missing}`")]
    UnknownRowColumn {
        schema: String,
        row: String,
        missing: String,
    },
    #[error("{schema}: 行 `{row}` 的 counted_in 引用了不存在的行 `{missing}`")]
    UnknownCountedIn {
        schema: String,
        row: String,
        missing: String,
    },
    #[error("{schema}: 行 id `{row}` 重复")]
    DuplicateRow { schema: String, row: String },
    #[error("表格布局 id `{0}` 重复")]
    DuplicateSchema(String),
    #[error(
        "{schema}: 行 `{row}` 没有 label，只有表头后紧跟数值的行可以省略 label，且表格须给出 headers"
    )]
    UnanchoredRow { schema: String, row: String },
}

/// Every table layout and template known to a run, compiled.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub tables: Vec<TableSchema>,
    pub templates: Vec<Template>,
    labels: Labels,
    /// For each label, what it stands for.
    uses: Vec<Vec<PatternUse>>,
    /// Every template's heading keys, for finding level-1 sections.
    heading_keys: Vec<String>,
}

impl TableSchema {
    /// A row by its numbering path (`一`, `三.七`, `三.三.1`): each part the
    /// number printed before a row, under the row the previous part found.
    pub fn row_by_path(&self, path: &str) -> Option<usize> {
        let mut parent: Option<usize> = None;
        let mut found = None;
        for part in path.split('.') {
            let want: u32 = part.parse().ok().or_else(|| heading_value(part))?;
            found = self.rows.iter().position(|r| {
                r.parent == parent && r.number.as_deref().and_then(number_value) == Some(want)
            });
            parent = Some(found?);
        }
        found
    }
}

/// The value of a printed numbering: `三、` → 3, `（七）` → 7, `2.` → 2.
fn number_value(n: &str) -> Option<u32> {
    let core: String = n
        .chars()
        .filter(|c| !matches!(c, '、' | '（' | '）' | '(' | ')' | '.' | '．'))
        .collect();
    core.parse().ok().or_else(|| heading_value(&core))
}

/// How reports name a national table (`表三`), by table id or layout id
/// (`applications-2021`); `None` for other tables.
pub fn national_caption(table: &str) -> Option<&'static str> {
    const NAMED: [(&str, &str); 4] = [
        ("active-disclosure", "表二"),
        ("applications", "表三"),
        ("review-litigation", "表四"),
        ("statistics", "统计表"),
    ];
    NAMED
        .iter()
        .find(|(id, _)| table.starts_with(id))
        .map(|(_, c)| *c)
}

/// How reports name a table: [`national_caption`], else its id.
pub fn caption(table: &str) -> String {
    national_caption(table).map_or_else(|| table.to_owned(), str::to_owned)
}

impl Catalog {
    pub fn new(tables: &[TableDef], templates: &[TemplateDef]) -> Result<Catalog, SchemaError> {
        let mut compiled = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for def in tables {
            if !seen.insert(def.schema.clone()) {
                return Err(SchemaError::DuplicateSchema(def.schema.clone()));
            }
            compiled.push(compile_table(def)?);
        }
        let templates: Vec<Template> = templates.iter().map(compile_template).collect();

        let mut patterns: Vec<String> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut uses: Vec<Vec<PatternUse>> = Vec::new();
        let mut add = |key: &str, u: PatternUse| {
            if key.is_empty() {
                return;
            }
            let id = *index.entry(key.to_owned()).or_insert_with(|| {
                patterns.push(key.to_owned());
                uses.push(Vec::new());
                patterns.len() - 1
            });
            uses[id].push(u);
        };
        for (s, table) in compiled.iter().enumerate() {
            for (r, row) in table.rows.iter().enumerate() {
                for key in &row.keys {
                    add(key, PatternUse::Row { schema: s, row: r });
                }
            }
            for h in table
                .headers
                .iter()
                .chain(table.columns.iter().flat_map(|c| &c.aliases))
            {
                add(h, PatternUse::Header { schema: s });
            }
        }
        let labels = Labels::new(&patterns);
        let heading_keys = templates
            .iter()
            .flat_map(|t| t.headings.iter().flat_map(|h| h.keys.iter().cloned()))
            .collect();
        Ok(Catalog {
            tables: compiled,
            templates,
            labels,
            uses,
            heading_keys,
        })
    }

    /// Every template's heading keys (made once, at pack load).
    pub fn heading_keys(&self) -> &[String] {
        &self.heading_keys
    }

    pub fn labels(&self) -> &Labels {
        &self.labels
    }

    pub fn pattern_uses(&self, pattern: usize) -> &[PatternUse] {
        &self.uses[pattern]
    }

    pub fn template(&self, id: &str) -> Option<&Template> {
        self.templates.iter().find(|t| t.id == id)
    }
}

fn compile_template(def: &TemplateDef) -> Template {
    Template {
        id: def.id.clone(),
        headings: def
            .headings
            .iter()
            .map(|h| Heading {
                number: h.number.clone(),
                title: h.title.clone(),
                keys: std::iter::once(&h.title)
                    .chain(&h.variants)
                    .map(|t| key_of(t))
                    .collect(),
            })
            .collect(),
    }
}

fn compile_table(def: &TableDef) -> Result<TableSchema, SchemaError> {
    let col_index = |name: &str| def.columns.iter().position(|c| c.id == name);
    let mut columns = Vec::new();
    for c in &def.columns {
        let mut total_of = Vec::new();
        for t in &c.total_of {
            total_of.push(col_index(t).ok_or_else(|| SchemaError::UnknownColumn {
                schema: def.schema.clone(),
                column: c.id.clone(),
                missing: t.clone(),
            })?);
        }
        columns.push(Column {
            id: c.id.clone(),
            label: c.label.clone(),
            group: c.group.clone(),
            total_of,
            signed: c.signed,
            decimal: c.decimal,
            aliases: c.aliases.iter().map(|a| key_of(a)).collect(),
            amount: c.amount,
        });
    }
    let mut rows = Vec::new();
    let all: Vec<usize> = (0..columns.len()).collect();
    for r in &def.rows {
        flatten(def, r, None, 0, &all, &mut rows)?;
    }
    for r in &mut rows {
        r.totals = row_totals(&r.columns, &columns);
    }
    let mut ids = std::collections::HashSet::new();
    for r in &rows {
        if !ids.insert(r.id.clone()) {
            return Err(SchemaError::DuplicateRow {
                schema: def.schema.clone(),
                row: r.id.clone(),
            });
        }
        if r.label.is_none() && def.headers.is_empty() {
            return Err(SchemaError::UnanchoredRow {
                schema: def.schema.clone(),
                row: r.id.clone(),
            });
        }
    }
    let mut defs = Vec::new();
    collect_defs(&def.rows, &mut defs);
    for (i, d) in defs.iter().enumerate() {
        if let Some(target) = &d.counted_in {
            let at = rows.iter().position(|r| &r.id == target).ok_or_else(|| {
                SchemaError::UnknownCountedIn {
                    schema: def.schema.clone(),
                    row: d.id.clone(),
                    missing: target.clone(),
                }
            })?;
            rows[i].counted_in = Some(at);
        }
    }
    Ok(TableSchema {
        table_id: def.id.clone(),
        schema_id: def.schema.clone(),
        template: def.template.clone(),
        columns,
        rows,
        headers: def.headers.iter().map(|h| key_of(h)).collect(),
    })
}

/// Row definitions in the same (document) order as `flatten` produces rows.
fn collect_defs<'a>(rows: &'a [RowDef], out: &mut Vec<&'a RowDef>) {
    for r in rows {
        out.push(r);
        collect_defs(&r.children, out);
    }
}

fn flatten(
    def: &TableDef,
    r: &RowDef,
    parent: Option<usize>,
    depth: usize,
    inherited: &[usize],
    out: &mut Vec<Row>,
) -> Result<(), SchemaError> {
    let columns = match &r.columns {
        Some(names) => names
            .iter()
            .map(|n| {
                def.columns.iter().position(|c| &c.id == n).ok_or_else(|| {
                    SchemaError::UnknownRowColumn {
                        schema: def.schema.clone(),
                        row: r.id.clone(),
                        missing: n.clone(),
                    }
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
        None => inherited.to_vec(),
    };
    let keys = r
        .label
        .iter()
        .chain(&r.aliases)
        .map(|l| key_of(l))
        .collect();
    let me = out.len();
    out.push(Row {
        id: r.id.clone(),
        number: r.number.clone(),
        label: r.label.clone(),
        keys,
        number_key: r.number.as_deref().map(key_of),
        group: r.group,
        optional: r.optional,
        parent,
        depth,
        columns: columns.clone(),
        totals: Vec::new(),
        unit: r.unit.as_deref().map(key_of),
        counted_in: None,
    });
    for c in &r.children {
        flatten(def, c, Some(me), depth + 1, &columns, out)?;
    }
    Ok(())
}

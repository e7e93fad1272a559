//! Which `table-arithmetic` identities a table row takes part in, for the
//! hover on a row. Compiled rules are opaque, so the identities are read from
//! the packs' YAML (the same files the engine compiled) and their row
//! references resolved against the layout the way the engine resolves them:
//! a row id, or a numbering path such as `三.七`, with `.*` for the data rows
//! below a row.

use gklint_engine::schema::TableSchema;

#[derive(Debug, Clone)]
pub struct IdentityDef {
    pub rule: String,
    /// A table id (every layout of it) or one layout id.
    pub table: String,
    /// The identity as the pack writes it.
    pub text: String,
    /// `for_each: row`: checked along each row rather than down each column.
    pub per_row: bool,
    /// Row references (per-column mode): name and whether `.*` follows it.
    terms: Vec<(String, bool)>,
    /// Per-row mode: the rows checked (all data rows when absent).
    rows: Option<Vec<String>>,
}

impl IdentityDef {
    pub fn new(
        rule: &str,
        table: &str,
        identity: &str,
        for_each: Option<&str>,
        rows: Option<Vec<String>>,
    ) -> Self {
        IdentityDef {
            rule: rule.to_owned(),
            table: table.to_owned(),
            text: identity.to_owned(),
            per_row: for_each == Some("row"),
            terms: terms(identity),
            rows,
        }
    }

    /// The identity in the report's own words: each row (or, checked along
    /// a row, each column) by its label as the table prints it, `==` as `=`:
    /// `一、本年新收… + 二、上年结转… = （七）总计 + 四、结转下年度继续办理`.
    pub fn in_words(&self, layout: &TableSchema) -> String {
        let mut out: Vec<String> = Vec::new();
        for token in tokens(&self.text) {
            let word = match token {
                "==" | "=" => "=".to_owned(),
                "<=" => "≤".to_owned(),
                ">=" => "≥".to_owned(),
                "+" | "-" | "<" | ">" => token.to_owned(),
                name if name.parse::<f64>().is_ok() => name.to_owned(),
                name if self.per_row => layout
                    .columns
                    .iter()
                    .find(|c| c.id == name)
                    .map_or_else(|| name.to_owned(), |c| c.label.clone()),
                name => {
                    let (base, children) = match name.strip_suffix(".*") {
                        Some(b) => (b, true),
                        None => (name, false),
                    };
                    match find_row(layout, base) {
                        Some(i) => {
                            let label = row_words(layout, i);
                            if children {
                                format!("{label}下各项")
                            } else {
                                label
                            }
                        }
                        None => name.to_owned(),
                    }
                }
            };
            out.push(word);
        }
        out.join(" ")
    }

    pub fn applies_to(&self, layout: &TableSchema) -> bool {
        self.table == layout.table_id || self.table == layout.schema_id
    }

    /// Whether row `row` (an index into the layout's rows) takes part.
    pub fn involves(&self, layout: &TableSchema, row: usize) -> bool {
        if !self.applies_to(layout) || row >= layout.rows.len() {
            return false;
        }
        if self.per_row {
            return match &self.rows {
                Some(names) => names
                    .iter()
                    .any(|n| find_row(layout, n) == Some(row) && !layout.rows[row].group),
                None => !layout.rows[row].group,
            };
        }
        self.terms.iter().any(|(name, children)| {
            let Some(i) = find_row(layout, name) else {
                return false;
            };
            if *children {
                data_rows_below(layout, i).contains(&row)
            } else {
                i == row
            }
        })
    }
}

/// An identity's operators and names, in order. `-` inside a name
/// (`natural-person`) is part of it; subtraction is a `-` standing alone or
/// in front of a name.
fn tokens(identity: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for word in identity.split_whitespace() {
        let mut rest = word;
        while !rest.is_empty() {
            let op = ["==", "<=", ">=", "=", "<", ">", "+"]
                .into_iter()
                .find(|op| rest.starts_with(op))
                .or_else(|| (rest.starts_with('-')).then_some("-"));
            if let Some(op) = op {
                out.push(op);
                rest = &rest[op.len()..];
                continue;
            }
            let end = rest.find(['=', '<', '>', '+']).unwrap_or(rest.len());
            out.push(&rest[..end]);
            rest = &rest[end..];
        }
    }
    out
}

/// A row as the table prints it: its number and label (`（七）总计`).
fn row_words(layout: &TableSchema, i: usize) -> String {
    let row = &layout.rows[i];
    let words = format!(
        "{}{}",
        row.number.as_deref().unwrap_or_default(),
        row.label.as_deref().unwrap_or_default()
    );
    if words.is_empty() {
        row.id.clone()
    } else {
        words
    }
}

/// The names an identity refers to (numbers left out).
fn terms(identity: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    for side in identity.split(['=', '<', '>']) {
        // `-` inside a name (`natural-person`) is part of it; subtraction is ` - `.
        for part in side.split(" - ").flat_map(|p| p.split('+')) {
            let t = part.trim().trim_start_matches('-').trim();
            if t.is_empty() || t.parse::<f64>().is_ok() {
                continue;
            }
            match t.strip_suffix(".*") {
                Some(base) => out.push((base.to_owned(), true)),
                None => out.push((t.to_owned(), false)),
            }
        }
    }
    out
}

fn find_row(layout: &TableSchema, name: &str) -> Option<usize> {
    layout
        .rows
        .iter()
        .position(|r| r.id == name)
        .or_else(|| layout.row_by_path(name))
}

/// The data rows directly below a row, looking through group rows; the row
/// itself when it has none.
fn data_rows_below(layout: &TableSchema, idx: usize) -> Vec<usize> {
    let mut below = Vec::new();
    let mut stack = vec![idx];
    while let Some(p) = stack.pop() {
        for (r, row) in layout.rows.iter().enumerate() {
            if row.parent == Some(p) {
                if row.group {
                    stack.push(r);
                } else {
                    below.push(r);
                }
            }
        }
    }
    if below.is_empty() { vec![idx] } else { below }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_of_the_balance_identity() {
        let catalog = gklint_engine::pack::builtin_catalog().unwrap();
        let layout = catalog
            .tables
            .iter()
            .find(|t| t.schema_id == "applications-2021")
            .unwrap();
        let row = |id: &str| layout.rows.iter().position(|r| r.id == id).unwrap();
        let balance = IdentityDef::new(
            "applications-balance",
            "applications",
            "一 + 二 == 三.七 + 四",
            None,
            None,
        );
        assert!(balance.involves(layout, row("results-total")));
        assert!(!balance.involves(layout, row("granted")));
        let total = IdentityDef::new(
            "applications-results-total",
            "applications",
            "三.七 == 三.一 + 三.二 + 三.三.* + 三.四.* + 三.五.* + 三.六.*",
            None,
            None,
        );
        assert!(total.involves(layout, row("refused-state-secret")));
        assert!(!total.involves(layout, row("new-received")));
        let per_row = IdentityDef::new(
            "applications-row-total",
            "applications",
            "total = natural-person + commercial",
            Some("row"),
            None,
        );
        assert!(per_row.involves(layout, row("granted")));
        assert!(!per_row.involves(layout, row("refused")), "a group row");

        let words = balance.in_words(layout);
        assert!(
            words.starts_with("一、本年新收政府信息公开申请数量 + 二、上年结转"),
            "{words}"
        );
        assert!(
            words.ends_with("= （七）总计 + 四、结转下年度继续办理"),
            "{words}"
        );
        let words = total.in_words(layout);
        assert!(words.contains("+ （三）不予公开下各项 +"), "{words}");
        let words = per_row.in_words(layout);
        assert!(!words.contains("natural-person"), "{words}");
        assert!(words.starts_with("总计 = 自然人 + "), "{words}");
    }
}

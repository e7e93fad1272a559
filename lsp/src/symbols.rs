//! The outline: level-1 sections (一、) with their level-2 ones (（一）),
//! and each table under the section it stands in, its rows below it.

use gklint_engine::model::{Span, Table};
use lsp_types::{DocumentSymbol, SymbolKind};

use crate::analysis::Analysis;
use crate::diagnostics::converter;
use crate::hover::{row_extent, title};
use crate::position::{Converter, Encoding};

struct Node {
    name: String,
    detail: Option<String>,
    kind: SymbolKind,
    /// The whole extent, and the part to select (the heading).
    range: Span,
    selection: Span,
    level: u8,
    children: Vec<Node>,
}

pub fn outline(a: &Analysis, encoding: Encoding) -> Vec<DocumentSymbol> {
    let report = &a.parsed.report;
    let mut roots: Vec<Node> = Vec::new();
    for s in &report.sections {
        let node = Node {
            name: format!("{}{}", s.number, s.title),
            detail: None,
            kind: if s.level == 1 {
                SymbolKind::MODULE
            } else {
                SymbolKind::NAMESPACE
            },
            range: s.span.start..s.body.end.max(s.span.end),
            selection: s.span.clone(),
            level: s.level,
            children: Vec::new(),
        };
        // A level-2 section goes under the level-1 section it follows.
        match roots.last_mut() {
            Some(parent) if parent.level < node.level && parent.range.end >= node.range.start => {
                parent.range.end = parent.range.end.max(node.range.end);
                parent.children.push(node);
            }
            _ => roots.push(node),
        }
    }
    for t in &report.tables {
        let node = table_node(a, t);
        place(&mut roots, node);
    }
    let conv = converter(a, encoding);
    roots.into_iter().map(|n| to_symbol(n, &conv)).collect()
}

fn table_node(a: &Analysis, t: &Table) -> Node {
    let mut range = t.span.clone();
    let rows: Vec<Node> = t
        .rows
        .iter()
        .map(|r| {
            let extent = row_extent(r);
            range.start = range.start.min(extent.start);
            range.end = range.end.max(extent.end);
            let values: Vec<String> = r
                .cells
                .iter()
                .flatten()
                .map(|c| {
                    c.value
                        .map_or_else(|| "空".into(), |v| v.normalize().to_string())
                })
                .collect();
            Node {
                name: r.written_label.clone().unwrap_or_else(|| r.label.clone()),
                detail: (!values.is_empty()).then(|| values.join(" / ")),
                kind: SymbolKind::FIELD,
                range: extent,
                selection: r.span.clone(),
                level: u8::MAX,
                children: Vec::new(),
            }
        })
        .collect();
    Node {
        name: title(a, t),
        detail: (!t.missing.is_empty()).then(|| format!("缺 {} 行", t.missing.len())),
        kind: SymbolKind::STRUCT,
        selection: t.span.start..t.span.start,
        range,
        level: u8::MAX,
        children: rows,
    }
}

/// Puts a table under the innermost section that holds its start.
fn place(nodes: &mut Vec<Node>, node: Node) {
    let at = node.range.start;
    if let Some(parent) = nodes
        .iter_mut()
        .find(|n| n.kind != SymbolKind::STRUCT && n.range.start <= at && at < n.range.end)
    {
        parent.range.end = parent.range.end.max(node.range.end);
        place(&mut parent.children, node);
        return;
    }
    let i = nodes.partition_point(|n| n.range.start <= at);
    nodes.insert(i, node);
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be given, as None.
fn to_symbol(n: Node, conv: &Converter) -> DocumentSymbol {
    let range = conv.range(&n.range);
    let mut selection = conv.range(&n.selection);
    if selection.start < range.start || selection.end > range.end {
        selection = lsp_types::Range::new(range.start, range.start);
    }
    DocumentSymbol {
        name: if n.name.trim().is_empty() {
            "（无标题）".into()
        } else {
            n.name
        },
        detail: n.detail,
        kind: n.kind,
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: (!n.children.is_empty())
            .then(|| n.children.into_iter().map(|c| to_symbol(c, conv)).collect()),
    }
}

//! Builds the report model from a read document: title, year, office,
//! sections, paragraphs and tables.

pub mod dates;
pub mod header;
pub mod intervals;
pub mod numerals;
pub mod sections;
pub mod stream;
pub mod tables;

use crate::cancel::Cancel;
use crate::model::{Paragraph, Report, TemplateBasis};
use crate::read::{BlockKind, Document};
use crate::schema::Catalog;
use intervals::Intervals;

pub fn build(text: &str, doc: &Document, catalog: &Catalog, cancel: &Cancel) -> Report {
    let stream = stream::Stream::new(text, doc);
    if cancel.is_cancelled() {
        return Report::default();
    }
    let tables = tables::recognise(&stream, catalog, cancel);
    if cancel.is_cancelled() {
        return Report::default();
    }
    let spans: Vec<_> = tables.iter().map(|t| t.span.clone()).collect();
    let sections = sections::find(text, &stream, catalog, &spans);
    let head = header::read(text, doc);

    // As before: a line counts as a heading's when it ends within three bytes
    // (one CJK character) past the heading's span.
    let in_table = Intervals::new(spans.iter().cloned());
    let in_heading = Intervals::new(sections.iter().map(|s| s.span.start..s.span.end + 3));
    let paragraphs = doc
        .blocks
        .iter()
        .filter(|b| matches!(b.kind, BlockKind::Line | BlockKind::Heading(_)))
        .filter(|b| !in_table.contains(&b.range) && !in_heading.contains(&b.range))
        .map(|b| Paragraph {
            span: b.range.clone(),
            text: text[b.range.clone()].to_owned(),
        })
        .collect();

    // The template the tables follow; only without tables does the year decide.
    let by_tables = ["applications", "active-disclosure", "statistics"]
        .iter()
        .find_map(|id| {
            tables
                .iter()
                .find(|t| t.id == *id)
                .and_then(|t| t.template.clone())
        });
    let (template, template_basis) = match (by_tables, head.year.as_ref().map(|y| y.value)) {
        (Some(t), _) => (Some(t), Some(TemplateBasis::Tables)),
        (None, Some(y)) => (
            Some(template_for_year(y).to_owned()),
            Some(TemplateBasis::Year),
        ),
        (None, None) => (None, None),
    };
    Report {
        title: head.title,
        office: head.office,
        office_kind: head.office_kind,
        year: head.year,
        template,
        template_basis,
        published: head.published,
        sections,
        paragraphs,
        tables,
    }
}

/// The national format a report year calls for (domain.md §1.0).
pub fn template_for_year(year: i32) -> &'static str {
    match year {
        ..=2018 => "pre-2019",
        2019 | 2020 => "2019",
        _ => "2021",
    }
}

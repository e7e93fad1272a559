//! Finds where in the pack YAML a table-layout error lies. Layouts are
//! deserialised without positions (they are compiled into the catalog, which
//! knows nothing of files), so the place is recovered from the text: the
//! layout's `schema:` line, then the row or column the error names inside it.

use std::sync::Arc;

use regex::Regex;

use super::PackError;
use crate::schema::SchemaError;

/// One pack file, as the loader read it.
pub struct FileText<'a> {
    pub path: &'a str,
    pub contents: &'a Arc<str>,
}

/// A layout's text: the file it is in and the byte range from its `schema:` line
/// to the next layout's (or the end of the file).
struct Block<'a> {
    file: &'a FileText<'a>,
    start: usize,
    /// Where the layout id is written on the `schema:` line.
    name: usize,
    end: usize,
}

fn schema_blocks<'a>(files: &'a [FileText<'a>], schema: &str) -> Vec<Block<'a>> {
    let any = Regex::new(r"(?m)^[ \t-]*schema:").expect("static regex");
    let this = Regex::new(&format!(
        r#"(?m)^[ \t-]*schema:[ \t]*["']?({})["']?[ \t]*(?:#.*)?$"#,
        regex::escape(schema)
    ))
    .expect("escaped regex");
    let mut out = Vec::new();
    for f in files {
        for c in this.captures_iter(f.contents) {
            let (m, name) = (c.get(0).expect("match"), c.get(1).expect("group"));
            let end = any
                .find_at(f.contents, m.end())
                .map_or(f.contents.len(), |n| n.start());
            out.push(Block {
                file: f,
                start: m.start(),
                name: name.start(),
                end,
            });
        }
    }
    out
}

/// The offsets of `id: <id>` (block or flow style) inside `block`.
fn id_offsets(block: &Block, id: &str) -> Vec<usize> {
    let re = Regex::new(&format!(
        r#"(?m)(?:^|[\s{{,])id:[ \t]*["']?({})["']?[ \t]*(?:[,}}#]|$)"#,
        regex::escape(id)
    ))
    .expect("escaped regex");
    let text = &block.file.contents[block.start..block.end];
    re.captures_iter(text)
        .filter_map(|c| c.get(1))
        .map(|m| block.start + m.start())
        .collect()
}

/// The offset of `word` on the first line at or after `from` that starts with `key:`.
fn field_mention(block: &Block, from: usize, key: &str, word: &str) -> Option<usize> {
    let re = Regex::new(&format!(
        r#"(?m){}:[^\n]*?[\s\[,"']({})(?:[\s\],"']|$)"#,
        regex::escape(key),
        regex::escape(word)
    ))
    .expect("escaped regex");
    let text = &block.file.contents[from..block.end];
    re.captures(text)
        .and_then(|c| c.get(1))
        .map(|m| from + m.start())
}

fn at(file: &FileText, offset: usize, len: usize, message: String) -> PackError {
    PackError::at_offset(file.path, file.contents, offset, len, message)
}

/// A layout error as a located pack error; at the first file if the text
/// cannot be found (a layout written in an unusual YAML style).
pub fn schema_error(err: &SchemaError, files: &[FileText]) -> PackError {
    let message = format!("表格布局有误：{err}");
    let fallback = || match files.first() {
        Some(f) => PackError::file(f.path, f.contents, message.clone()),
        None => PackError::file("", &Arc::from(""), message.clone()),
    };
    let first_block = |schema: &str| schema_blocks(files, schema).into_iter().next();
    let found = match err {
        SchemaError::DuplicateSchema(schema) => schema_blocks(files, schema)
            .get(1)
            .map(|b| at(b.file, b.name, schema.len(), message.clone())),
        SchemaError::DuplicateRow { schema, row } => first_block(schema).and_then(|b| {
            id_offsets(&b, row)
                .get(1)
                .map(|&o| at(b.file, o, row.len(), message.clone()))
        }),
        SchemaError::UnanchoredRow { schema, row } => first_block(schema).and_then(|b| {
            id_offsets(&b, row)
                .first()
                .map(|&o| at(b.file, o, row.len(), message.clone()))
        }),
        SchemaError::UnknownColumn {
            schema,
            column,
            missing,
        } => first_block(schema).and_then(|b| {
            let from = id_offsets(&b, column).first().copied().unwrap_or(b.start);
            field_mention(&b, from, "total_of", missing)
                .map(|o| at(b.file, o, missing.len(), message.clone()))
        }),
        SchemaError::UnknownRowColumn {
            schema,
            row,
            missing,
        } => first_block(schema).and_then(|b| {
            let from = id_offsets(&b, row).first().copied().unwrap_or(b.start);
            field_mention(&b, from, "columns", missing)
                .map(|o| at(b.file, o, missing.len(), message.clone()))
        }),
        SchemaError::UnknownCountedIn {
            schema,
            row,
            missing,
        } => first_block(schema).and_then(|b| {
            let from = id_offsets(&b, row).first().copied().unwrap_or(b.start);
            field_mention(&b, from, "counted_in", missing)
                .map(|o| at(b.file, o, missing.len(), message.clone()))
        }),
    };
    found.unwrap_or_else(fallback)
}

//! gklint's engine: bytes in, a faithful [`model::Report`] and diagnostics
//! out. No file system, threads or processes here (the CLI and language
//! server own those), so the engine can also run in a browser.

pub mod diagnostic;
pub mod fix;
pub mod lint;
pub mod model;
pub mod pack;
pub mod read;
pub mod rules;
pub mod schema;
pub mod source;
pub mod structure;
pub mod suppress;

use read::{Document, Format};
use schema::Catalog;
use source::{DecodeError, SourceFile};

/// A parsed report: the source it came from, the read document and the model.
#[derive(Debug)]
pub struct Parsed {
    pub source: SourceFile,
    pub document: Document,
    pub report: model::Report,
}

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("{path}: {source}")]
    Decode { path: String, source: DecodeError },
}

/// Decodes `bytes` (any supported encoding), reads them as `format` and
/// builds the report model with the catalog's layouts.
pub fn parse(
    name: &str,
    bytes: Vec<u8>,
    format: Format,
    catalog: &Catalog,
) -> Result<Parsed, ParseError> {
    let source = SourceFile::decode(name, bytes).map_err(|source| ParseError::Decode {
        path: name.to_owned(),
        source,
    })?;
    Ok(parse_source(source, format, catalog))
}

/// Builds the model of an already decoded source (an editor buffer).
pub fn parse_source(source: SourceFile, format: Format, catalog: &Catalog) -> Parsed {
    let document = read::read(&source.text, format);
    let report = structure::build(&source.text, &document, catalog);
    Parsed {
        source,
        document,
        report,
    }
}

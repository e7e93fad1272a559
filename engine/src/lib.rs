//! gklint's engine: bytes in, a faithful [`model::Report`] and diagnostics
//! out. No file system, threads or processes here (the CLI and language
//! server own those), so the engine can also run in a browser.

pub mod cancel;
pub mod cross;
pub mod diagnostic;
pub mod fix;
pub mod lint;
pub mod locate;
pub mod model;
pub mod pack;
pub mod patterns;
pub mod plugin;
pub mod read;
pub mod rules;
pub mod schema;
pub mod source;
pub mod structure;
pub mod suppress;

use read::{Document, ExtractError, Extraction, Format, ReadLimits};

/// Compiles the engine's own patterns (dates, contact details, 文号, …)
/// now rather than at their first use. Nothing depends on it: a caller with
/// a spare thread runs it while it loads packs, so a run over one file does
/// not wait for both one after the other.
pub fn warm_up() {
    structure::header::warm();
    structure::dates::warm();
    rules::warm();
    read::html::warm();
    cross::warm();
    suppress::warm();
}
use schema::Catalog;
use source::{DecodeError, SourceFile};

/// A parsed report: the source it came from, the read document and the model.
#[derive(Debug)]
pub struct Parsed {
    pub source: SourceFile,
    pub document: Document,
    pub report: model::Report,
    /// What the reader of a Word, HTML or PDF file left out or changed to
    /// stay within its limits, or noticed about the file (for the user, in
    /// Chinese, without the file's name).
    pub warnings: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ParseError {
    #[error("{path}: {source}")]
    Decode { path: String, source: DecodeError },
    #[error("{path}: {error}")]
    Extract { path: String, error: ExtractError },
}

impl ParseError {
    /// The extraction error, when a Word, HTML or PDF file could not be read.
    pub fn extract_error(&self) -> Option<&ExtractError> {
        match self {
            ParseError::Extract { error, .. } => Some(error),
            ParseError::Decode { .. } => None,
        }
    }
}

/// Decodes `bytes` (any supported encoding), reads them as `format` and
/// builds the report model with the catalog's layouts. Word, HTML and PDF
/// files are extracted into text first (see [`read::extract`]); that text is
/// the source every position refers to.
pub fn parse(
    name: &str,
    bytes: Vec<u8>,
    format: Format,
    catalog: &Catalog,
) -> Result<Parsed, ParseError> {
    parse_within(
        name,
        bytes,
        format,
        catalog,
        &ReadLimits::default(),
        &cancel::Cancel::default(),
    )
}

/// [`parse`] within the caller's limits: reading a Word, HTML or PDF file
/// builds at most what `limits` allows (see [`ReadLimits`]: it follows the
/// file-size limit), and reading and building the model stop soon after
/// `cancel` says so (a reader then fails with [`ExtractError::Cancelled`];
/// a model is incomplete and the caller discards it).
pub fn parse_within(
    name: &str,
    bytes: Vec<u8>,
    format: Format,
    catalog: &Catalog,
    limits: &ReadLimits,
    cancel: &cancel::Cancel,
) -> Result<Parsed, ParseError> {
    if format.is_extracted() {
        let extraction = read::extract_within(&bytes, format, limits, cancel).map_err(|error| {
            ParseError::Extract {
                path: name.to_owned(),
                error,
            }
        })?;
        return Ok(parse_extracted_cancellable(
            name, bytes, format, extraction, catalog, cancel,
        ));
    }
    let source = SourceFile::decode(name, bytes).map_err(|source| ParseError::Decode {
        path: name.to_owned(),
        source,
    })?;
    Ok(parse_source_cancellable(source, format, catalog, cancel))
}

/// Builds the model of text extracted from a Word, HTML or PDF file (by
/// [`read::extract`], or from another extractor's output such as
/// [`read::pdf::from_layout`]), keeping the original bytes.
pub fn parse_extracted(
    name: &str,
    bytes: Vec<u8>,
    format: Format,
    extraction: Extraction,
    catalog: &Catalog,
) -> Parsed {
    parse_extracted_cancellable(
        name,
        bytes,
        format,
        extraction,
        catalog,
        &cancel::Cancel::default(),
    )
}

/// [`parse_extracted`] that stops building the model once `cancel` says so.
pub fn parse_extracted_cancellable(
    name: &str,
    bytes: Vec<u8>,
    format: Format,
    mut extraction: Extraction,
    catalog: &Catalog,
    cancel: &cancel::Cancel,
) -> Parsed {
    let warnings = std::mem::take(&mut extraction.warnings);
    let source = SourceFile::extracted(name, bytes, format, extraction);
    Parsed {
        warnings,
        ..parse_source_cancellable(source, format, catalog, cancel)
    }
}

/// Builds the model of an already decoded source (an editor buffer).
pub fn parse_source(source: SourceFile, format: Format, catalog: &Catalog) -> Parsed {
    parse_source_cancellable(source, format, catalog, &cancel::Cancel::default())
}

/// [`parse_source`] that stops building the model early once `cancel` says
/// so (the caller then discards the result: it is incomplete).
pub fn parse_source_cancellable(
    source: SourceFile,
    format: Format,
    catalog: &Catalog,
    cancel: &cancel::Cancel,
) -> Parsed {
    let document = read::read(&source.text, format);
    let report = structure::build(&source.text, &document, catalog, cancel);
    Parsed {
        source,
        document,
        report,
        warnings: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    /// Every pattern the engine compiles at first use is valid (a bad one
    /// would otherwise panic in the middle of some user's run).
    #[test]
    fn every_built_in_pattern_compiles() {
        super::warm_up();
    }
}

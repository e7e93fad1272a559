//! Renderers: one per output format. They see findings, never file formats.

pub mod excerpt;
pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod sink;

use gklint_engine::diagnostic::Diagnostic;
use gklint_engine::source::SourceFile;

/// The findings of one linted file.
pub struct FileResult {
    pub path: String,
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
}

//! Engine findings as LSP diagnostics: the rule id as `code` with a link to
//! its documentation (only when there is one: the settings' `docsUrl` for a
//! built-in rule, the pack file for a user's), and the other cells of a
//! failed identity as related information.

use gklint_engine::diagnostic::{self, Severity};
use lsp_types::{
    CodeDescription, Diagnostic, DiagnosticRelatedInformation, DiagnosticSeverity, Location,
    NumberOrString, Uri,
};

use crate::analysis::Analysis;
use crate::position::{Converter, Encoding};

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
    }
}

pub fn converter(a: &Analysis, encoding: Encoding) -> Converter<'_> {
    Converter::new(&a.parsed.source.text, &a.parsed.source.lines, encoding)
}

pub fn to_lsp(
    d: &diagnostic::Diagnostic,
    a: &Analysis,
    uri: &Uri,
    encoding: Encoding,
) -> Diagnostic {
    let conv = converter(a, encoding);
    let related: Vec<DiagnosticRelatedInformation> = d
        .related
        .iter()
        .map(|r| DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), conv.range(&r.span)),
            message: r.message.clone(),
        })
        .collect();
    Diagnostic {
        range: conv.range(&d.span),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.clone())),
        code_description: a
            .packs
            .doc_link(&d.rule, a.docs_url.as_deref())
            .map(|href| CodeDescription { href }),
        source: Some("gklint".into()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// Every finding of an analysis, for `textDocument/publishDiagnostics`.
pub fn all(a: &Analysis, uri: &Uri, encoding: Encoding) -> Vec<Diagnostic> {
    a.diagnostics
        .iter()
        .map(|d| to_lsp(d, a, uri, encoding))
        .collect()
}

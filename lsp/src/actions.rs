//! Code actions: apply a finding's fix; fix every finding of that rule in the
//! file; suppress the finding with a Markdown comment; and, as a source
//! action, every safe fix (what `gklint check --fix` would do).

use std::collections::{HashMap, HashSet};

use gklint_engine::diagnostic::{Diagnostic, Edit};
use gklint_engine::fix;
use gklint_engine::model::Span;
use gklint_engine::read::Format;
use gklint_engine::source::LineEnding;
use lsp_types::{CodeAction, CodeActionKind, CodeActionOrCommand, TextEdit, Uri, WorkspaceEdit};

use crate::analysis::Analysis;
use crate::diagnostics::{converter, to_lsp};
use crate::position::Encoding;

pub fn source_fix_all_kind() -> CodeActionKind {
    CodeActionKind::new("source.fixAll.gklint")
}

/// The actions for the findings that touch `range` (a byte range of the analysed text).
pub fn code_actions(
    a: &Analysis,
    uri: &Uri,
    range: Span,
    only: Option<&[CodeActionKind]>,
    encoding: Encoding,
) -> Vec<CodeActionOrCommand> {
    let wants = |kind: &CodeActionKind| {
        only.is_none_or(|o| {
            o.iter().any(|k| {
                kind.as_str() == k.as_str()
                    || kind.as_str().starts_with(&format!("{}.", k.as_str()))
            })
        })
    };
    let mut out = Vec::new();
    let quickfix = wants(&CodeActionKind::QUICKFIX);
    let mut fix_all_done: HashSet<&str> = HashSet::new();
    let mut fixable_by_rule: HashMap<&str, Vec<&Diagnostic>> = HashMap::new();
    for d in a.diagnostics.iter().filter(|d| d.fix.is_some()) {
        fixable_by_rule.entry(&d.rule).or_default().push(d);
    }
    let touching = a
        .diagnostics
        .iter()
        .filter(|d| d.span.start <= range.end && range.start <= d.span.end);
    for d in touching {
        if !quickfix {
            break;
        }
        let lsp_diag = to_lsp(d, a, uri, encoding);
        if let Some(f) = &d.fix {
            let title = if d.unsafe_fix {
                format!("修复：{}（请确认措辞）", f.description)
            } else {
                format!("修复：{}", f.description)
            };
            out.push(action(
                title,
                CodeActionKind::QUICKFIX,
                Some(vec![lsp_diag.clone()]),
                edit(a, uri, &f.edits, encoding),
                !d.unsafe_fix,
            ));
        }
        let same = fixable_by_rule.get(d.rule.as_str());
        if let Some(same) = same
            && same.len() > 1
            && d.fix.is_some()
            && fix_all_done.insert(&d.rule)
        {
            // Each finding's fix, skipping one that overlaps an earlier fix.
            let forced: Vec<Diagnostic> = same
                .iter()
                .map(|x| Diagnostic {
                    unsafe_fix: false,
                    ..(*x).clone()
                })
                .collect();
            let edits = fix::plan(&forced);
            out.push(action(
                format!("修复本文件中全部 {} 处 {} 问题", same.len(), d.rule),
                CodeActionKind::QUICKFIX,
                Some(vec![lsp_diag.clone()]),
                edit(a, uri, &edits, encoding),
                false,
            ));
        }
        if a.format == Format::Markdown {
            out.push(suppress(a, uri, d, lsp_diag, encoding));
        }
    }
    let fix_all = source_fix_all_kind();
    if wants(&fix_all) {
        let edits = fix::plan(&a.diagnostics);
        if !edits.is_empty() {
            out.push(action(
                "gklint：修复全部可安全修复的问题".into(),
                fix_all,
                None,
                edit(a, uri, &edits, encoding),
                false,
            ));
        }
    }
    out
}

fn action(
    title: String,
    kind: CodeActionKind,
    diagnostics: Option<Vec<lsp_types::Diagnostic>>,
    edit: WorkspaceEdit,
    preferred: bool,
) -> CodeActionOrCommand {
    CodeActionOrCommand::CodeAction(CodeAction {
        title,
        kind: Some(kind),
        diagnostics,
        edit: Some(edit),
        is_preferred: preferred.then_some(true),
        ..CodeAction::default()
    })
}

fn edit(a: &Analysis, uri: &Uri, edits: &[Edit], encoding: Encoding) -> WorkspaceEdit {
    let conv = converter(a, encoding);
    let edits = edits
        .iter()
        .map(|e| TextEdit::new(conv.range(&e.span), e.replacement.clone()))
        .collect();
    WorkspaceEdit::new(HashMap::from([(uri.clone(), edits)]))
}

/// `<!-- gklint-disable-next-line RULE -->` above the finding's line; inside
/// a pipe table, where a comment line would split the table, a
/// `gklint-disable RULE` … `gklint-enable RULE` pair around the table instead.
fn suppress(
    a: &Analysis,
    uri: &Uri,
    d: &Diagnostic,
    lsp_diag: lsp_types::Diagnostic,
    encoding: Encoding,
) -> CodeActionOrCommand {
    let src = &a.parsed.source;
    let text = &src.text;
    let lines = &src.lines;
    let eol = match src.line_ending {
        LineEnding::Lf => "\n",
        LineEnding::CrLf => "\r\n",
        LineEnding::Cr => "\r",
    };
    let line = lines.line_of(d.span.start);
    let is_table_line = |l: usize| {
        let t = text[lines.line_range(text, l)].trim();
        !t.is_empty() && t.contains('|')
    };
    let (title, edits) = if is_table_line(line) {
        let mut first = line;
        while first > 0 && is_table_line(first - 1) {
            first -= 1;
        }
        let mut last = line;
        while last + 1 < lines.line_count() && is_table_line(last + 1) {
            last += 1;
        }
        let start = lines.line_start(first);
        let end = lines.line_range(text, last).end;
        (
            format!("在此表格中忽略 {}（gklint-disable 注释）", d.rule),
            vec![
                Edit {
                    span: start..start,
                    replacement: format!("<!-- gklint-disable {} -->{eol}", d.rule),
                },
                Edit {
                    span: end..end,
                    replacement: format!("{eol}<!-- gklint-enable {} -->", d.rule),
                },
            ],
        )
    } else {
        let start = lines.line_start(line);
        (
            format!("忽略此处的 {}（gklint-disable-next-line 注释）", d.rule),
            vec![Edit {
                span: start..start,
                replacement: format!("<!-- gklint-disable-next-line {} -->{eol}", d.rule),
            }],
        )
    };
    action(
        title,
        CodeActionKind::QUICKFIX,
        Some(vec![lsp_diag]),
        edit(a, uri, &edits, encoding),
        false,
    )
}

//! The server over in-memory channels: initialize, didOpen, didChange with
//! incremental edits, codeAction, hover, documentSymbol, configuration and
//! pack reloads, bad input, shutdown.

mod common;

use std::time::Duration;

use common::*;
use gklint_lsp::Exit;
use lsp_types::notification::{DidChangeWatchedFiles, Notification as _, PublishDiagnostics};
use lsp_types::request::{CodeActionRequest, DocumentSymbolRequest, HoverRequest, Shutdown};
use lsp_types::{
    CodeActionContext, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    DidChangeWatchedFilesParams, DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse,
    FileChangeType, FileEvent, HoverContents, HoverParams, NumberOrString, Position,
    PositionEncodingKind, Range, SymbolKind, TextDocumentIdentifier, TextDocumentPositionParams,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextEdit,
};
use serde_json::{Value, json};

const REPORT_URI: &str = "file:///tmp/gklint-lsp-test/report.txt";

fn rule_of(d: &lsp_types::Diagnostic) -> &str {
    match &d.code {
        Some(NumberOrString::String(s)) => s,
        _ => "",
    }
}

fn by_rule<'a>(
    p: &'a lsp_types::PublishDiagnosticsParams,
    rule: &str,
) -> Vec<&'a lsp_types::Diagnostic> {
    p.diagnostics
        .iter()
        .filter(|d| rule_of(d) == rule)
        .collect()
}

fn hover_text(c: &mut Client, uri: &lsp_types::Uri, pos: Position) -> Option<String> {
    let h = c.request::<HoverRequest>(HoverParams {
        text_document_position_params: TextDocumentPositionParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            position: pos,
        },
        work_done_progress_params: Default::default(),
    })?;
    match h.contents {
        HoverContents::Markup(m) => Some(m.value),
        other => panic!("unexpected hover {other:?}"),
    }
}

fn actions(
    c: &mut Client,
    uri: &lsp_types::Uri,
    range: Range,
    only: Option<Vec<CodeActionKind>>,
) -> Vec<lsp_types::CodeAction> {
    let r = c.request::<CodeActionRequest>(CodeActionParams {
        text_document: TextDocumentIdentifier::new(uri.clone()),
        range,
        context: CodeActionContext {
            diagnostics: Vec::new(),
            only,
            trigger_kind: None,
        },
        work_done_progress_params: Default::default(),
        partial_result_params: Default::default(),
    });
    r.unwrap_or_default()
        .into_iter()
        .map(|a| match a {
            CodeActionOrCommand::CodeAction(a) => a,
            CodeActionOrCommand::Command(c) => panic!("unexpected command {c:?}"),
        })
        .collect()
}

fn edits_of(a: &lsp_types::CodeAction, uri: &lsp_types::Uri) -> Vec<TextEdit> {
    a.edit.as_ref().unwrap().changes.as_ref().unwrap()[uri].clone()
}

#[test]
fn initialize_negotiates_positions_and_capabilities() {
    let c = Client::start();
    let caps = &c.init.capabilities;
    assert_eq!(caps.position_encoding, Some(PositionEncodingKind::UTF16));
    match &caps.text_document_sync {
        Some(TextDocumentSyncCapability::Options(o)) => {
            assert_eq!(o.change, Some(TextDocumentSyncKind::INCREMENTAL));
            assert_eq!(o.open_close, Some(true));
            assert!(o.save.is_some());
        }
        other => panic!("sync {other:?}"),
    }
    assert!(caps.hover_provider.is_some());
    assert!(caps.code_action_provider.is_some());
    assert!(caps.document_symbol_provider.is_some());
    assert_eq!(c.init.server_info.as_ref().unwrap().name, "gklint");
    assert_eq!(c.exit(), Exit::WithoutShutdown);

    let c = Client::with(Setup {
        utf8: true,
        ..Setup::default()
    });
    assert_eq!(
        c.init.capabilities.position_encoding,
        Some(PositionEncodingKind::UTF8)
    );
    c.exit();
}

#[test]
fn did_open_publishes_findings_at_utf16_columns() {
    let text = fixture("report.txt");
    let uri = uri(REPORT_URI);
    let mut c = Client::start();
    let p = c.open(&uri, "plaintext", &text);
    assert_eq!(p.version, Some(1));
    let terms = by_rule(&p, "term-substitution");
    assert_eq!(terms.len(), 2, "{:#?}", p.diagnostics);
    // After Chinese text only.
    let first = text.find("钩稽").unwrap();
    assert_eq!(
        terms[0].range.start,
        Position::new(line_of(&text, first), utf16_col(&text, first))
    );
    assert_eq!(terms[0].range.start, Position::new(2, 25));
    assert_eq!(terms[0].range.end, Position::new(2, 27));
    // After 𠀋, outside the BMP: two UTF-16 code units.
    let second = text.rfind("钩稽").unwrap();
    assert_eq!(terms[1].range.start, Position::new(35, 5));
    assert_eq!(utf16_col(&text, second), 5);
    assert_eq!(terms[1].source.as_deref(), Some("gklint"));
    // No documentation link unless the settings say where the docs are.
    assert!(
        p.diagnostics.iter().all(|d| d.code_description.is_none()),
        "{:#?}",
        p.diagnostics
    );

    let balance = by_rule(&p, "applications-balance");
    assert_eq!(balance.len(), 2);
    let related = balance[0]
        .related_information
        .as_ref()
        .expect("the identity's other cells");
    assert_eq!(related.len(), 4);
    assert!(related.iter().all(|r| r.location.uri == uri));
    assert!(
        related
            .iter()
            .any(|r| r.message.contains("（七）总计·自然人 = 18"))
    );
    assert_eq!(
        balance[0].severity,
        Some(lsp_types::DiagnosticSeverity::ERROR)
    );
    c.exit();
}

#[test]
fn utf8_positions_when_the_client_offers_them() {
    let text = fixture("report.txt");
    let uri = uri(REPORT_URI);
    let mut c = Client::with(Setup {
        utf8: true,
        ..Setup::default()
    });
    let p = c.open(&uri, "plaintext", &text);
    let terms = by_rule(&p, "term-substitution");
    // 正文𠀋， is 3 + 3 + 4 + 3 bytes.
    assert_eq!(terms[1].range.start, Position::new(35, 13));
    assert_eq!(terms[1].range.end, Position::new(35, 19));
    c.exit();
}

#[test]
fn incremental_edits_are_applied_and_relinted() {
    let text = fixture("report.txt");
    let uri = uri(REPORT_URI);
    let mut c = Client::start();
    c.open(&uri, "plaintext", &text);
    // Two edits in one notification: fix 钩稽 after 𠀋 (line 35, UTF-16
    // columns 5..7), then put 𠀋 at the start of line 2, which moves the
    // other 钩稽 two code units to the right.
    c.change(
        &uri,
        2,
        vec![edit((35, 5), (35, 7), "勾稽"), edit((2, 0), (2, 0), "𠀋")],
    );
    let p = c.diagnostics(&uri, Some(2));
    let terms = by_rule(&p, "term-substitution");
    assert_eq!(terms.len(), 1, "{:#?}", p.diagnostics);
    assert_eq!(terms[0].range.start, Position::new(2, 27));
    // Break the arithmetic no more: 17 → 18 in the first row's 自然人 and 总计 cells.
    let line7 = text.lines().nth(7).unwrap();
    let a = line7.find("17").unwrap();
    let b = line7.rfind("17").unwrap();
    let col = |at: usize| line7[..at].encode_utf16().count() as u32;
    c.change(
        &uri,
        3,
        vec![
            edit((7, col(b)), (7, col(b) + 2), "18"),
            edit((7, col(a)), (7, col(a) + 2), "18"),
        ],
    );
    let p = c.diagnostics(&uri, Some(3));
    assert!(
        by_rule(&p, "applications-balance").is_empty(),
        "{:#?}",
        p.diagnostics
    );
    // A full replacement.
    c.change(
        &uri,
        4,
        vec![lsp_types::TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: "钩稽".into(),
        }],
    );
    let p = c.diagnostics(&uri, Some(4));
    assert_eq!(
        by_rule(&p, "term-substitution")[0].range.end,
        Position::new(0, 2)
    );
    c.exit();
}

#[test]
fn debounced_changes_publish_only_the_newest_version() {
    let text = fixture("report.txt");
    let uri = uri(REPORT_URI);
    let mut c = Client::with(Setup {
        options: json!({ "gklint": { "debounceMs": 200 } }),
        ..Setup::default()
    });
    c.open(&uri, "plaintext", &text);
    for v in 2..=6 {
        c.change(&uri, v, vec![edit((4, 0), (4, 0), "正")]);
    }
    let p = c.diagnostics(&uri, Some(6));
    assert!(!p.diagnostics.is_empty());
    let rest = c.drain(Duration::from_millis(400));
    let versions: Vec<Value> = rest
        .iter()
        .filter(|n| n.method == PublishDiagnostics::METHOD)
        .map(|n| n.params["version"].clone())
        .collect();
    assert!(versions.is_empty(), "published again: {versions:?}");
    c.exit();
}

#[test]
fn code_actions_fix_fix_all_and_source_fix_all() {
    let text = fixture("report.txt");
    let uri = uri(REPORT_URI);
    let mut c = Client::start();
    c.open(&uri, "plaintext", &text);
    let at = Range::new(Position::new(35, 5), Position::new(35, 6));
    let list = actions(&mut c, &uri, at, None);
    let fix = list
        .iter()
        .find(|a| a.title.contains("将“钩稽”改为“勾稽”"))
        .unwrap_or_else(|| panic!("{list:#?}"));
    assert_eq!(fix.kind, Some(CodeActionKind::QUICKFIX));
    assert_eq!(fix.is_preferred, Some(true));
    assert_eq!(
        edits_of(fix, &uri),
        vec![TextEdit::new(
            Range::new(Position::new(35, 5), Position::new(35, 7)),
            "勾稽".into()
        )]
    );
    assert_eq!(fix.diagnostics.as_ref().unwrap().len(), 1);
    let all = list
        .iter()
        .find(|a| a.title.contains("全部 2 处 term-substitution"))
        .unwrap_or_else(|| panic!("{list:#?}"));
    let edits = edits_of(all, &uri);
    assert_eq!(edits.len(), 2);
    assert_eq!(edits[0].range.start, Position::new(2, 25));
    // Plain text has no suppression comments.
    assert!(!list.iter().any(|a| a.title.contains("gklint-disable")));
    // No finding on line 0: no quick fix there.
    let none = actions(
        &mut c,
        &uri,
        Range::new(Position::new(0, 0), Position::new(0, 0)),
        Some(vec![CodeActionKind::QUICKFIX]),
    );
    assert!(none.is_empty(), "{none:#?}");
    // The source action: every safe fix.
    let src = actions(
        &mut c,
        &uri,
        Range::new(Position::new(0, 0), Position::new(0, 0)),
        Some(vec![CodeActionKind::SOURCE_FIX_ALL]),
    );
    assert_eq!(src.len(), 1, "{src:#?}");
    assert_eq!(edits_of(&src[0], &uri).len(), 2);
    c.exit();
}

#[test]
fn markdown_suppression_actions() {
    let uri = uri("file:///tmp/gklint-lsp-test/report.md");
    let text = "# XX县人民政府2021年政府信息公开工作年度报告\n\n正文𠀋，钩稽。\n\n| 项目 | 说明 |\n| --- | --- |\n| 钩稽 | 1 |\n\n结尾。\n";
    let mut c = Client::start();
    let p = c.open(&uri, "markdown", text);
    let terms = by_rule(&p, "term-substitution");
    assert_eq!(terms.len(), 2, "{:#?}", p.diagnostics);
    assert_eq!(terms[0].range.start, Position::new(2, 5));

    // On a paragraph line: a disable-next-line comment above it.
    let list = actions(&mut c, &uri, terms[0].range, None);
    let sup = list
        .iter()
        .find(|a| a.title.contains("gklint-disable-next-line"))
        .unwrap_or_else(|| panic!("{list:#?}"));
    let e = edits_of(sup, &uri);
    assert_eq!(
        e,
        vec![TextEdit::new(
            Range::new(Position::new(2, 0), Position::new(2, 0)),
            "<!-- gklint-disable-next-line term-substitution -->\n".into()
        )]
    );
    // In a table: disable before and enable after the table, which stays whole.
    let list = actions(&mut c, &uri, terms[1].range, None);
    let sup = list
        .iter()
        .find(|a| a.title.contains("在此表格中"))
        .unwrap_or_else(|| panic!("{list:#?}"));
    let t = edits_of(sup, &uri);
    assert_eq!(t.len(), 2);
    assert_eq!(t[0].range.start, Position::new(4, 0));
    assert_eq!(t[0].new_text, "<!-- gklint-disable term-substitution -->\n");
    assert_eq!(t[1].range.start, Position::new(6, 10));
    assert_eq!(t[1].new_text, "\n<!-- gklint-enable term-substitution -->");

    // Applying both (the later one first) silences both findings.
    c.change(
        &uri,
        2,
        vec![
            common::edit((6, 10), (6, 10), &t[1].new_text),
            common::edit((4, 0), (4, 0), &t[0].new_text),
            common::edit((2, 0), (2, 0), &e[0].new_text),
        ],
    );
    let p = c.diagnostics(&uri, Some(2));
    assert!(
        by_rule(&p, "term-substitution").is_empty(),
        "{:#?}",
        p.diagnostics
    );
    c.exit();
}

#[test]
fn hover_on_a_finding_and_on_a_table_row() {
    let text = fixture("report.txt");
    let uri = uri(REPORT_URI);
    let mut c = Client::start();
    c.open(&uri, "plaintext", &text);
    // On the 17 of 一、本年新收 · 自然人.
    let line7 = text.lines().nth(7).unwrap();
    let col = line7[..line7.find("17").unwrap()].encode_utf16().count() as u32;
    let h = hover_text(&mut c, &uri, Position::new(7, col)).expect("a hover");
    assert!(h.contains("applications-balance"), "{h}");
    assert!(h.contains("左 = 17，右 = 18"), "{h}");
    assert!(h.contains("表三每一列都应满足"), "{h}");
    assert!(h.contains("（七）总计·自然人 = 18"), "{h}");
    // The row's values and identities, under the finding.
    assert!(h.contains("| 自然人 | 17 |"), "{h}");

    // On the label of （七）总计: its values and the identities it takes part in.
    let h = hover_text(&mut c, &uri, Position::new(30, 1)).expect("a hover on the row");
    assert!(h.contains("表三 · （七）总计"), "{h}");
    assert!(h.contains("| 自然人 | 18 |"), "{h}");
    // Identities in the table's own words, not the pack's row and column ids.
    assert!(
        h.contains(
            "- 一、本年新收政府信息公开申请数量 + 二、上年结转政府信息公开申请数量 = （七）总计 + 四、结转下年度继续办理（每一列，规则 `applications-balance`）：\
             不成立（列 自然人，左 = 17，右 = 18；列 总计，左 = 17，右 = 18）"
        ),
        "{h}"
    );
    assert!(
        h.contains("+ （三）不予公开下各项 +")
            && h.contains("（每一列，规则 `applications-results-total`）：成立"),
        "{h}"
    );
    assert!(
        h.contains(
            "- 总计 = 自然人 + 商业企业 + 科研机构 + 社会公益组织 + 法律服务机构 + 其他（每一行，规则 `applications-row-total`）：成立"
        ),
        "{h}"
    );
    for internal in ["natural-person", "三.七", "==", "applications-2021"] {
        assert!(!h.contains(internal), "{internal} in {h}");
    }

    // A row whose identities hold.
    let h = hover_text(&mut c, &uri, Position::new(10, 1)).expect("a hover on （二）");
    assert!(h.contains("（二）部分公开"), "{h}");
    assert!(
        h.contains("（每一列，规则 `applications-results-total`）：成立"),
        "{h}"
    );
    assert!(!h.contains("不成立"), "{h}");

    // Nothing on a plain line.
    assert_eq!(hover_text(&mut c, &uri, Position::new(4, 0)), None);
    c.exit();
}

#[test]
fn document_symbols_outline_sections_and_tables() {
    let text = fixture("report.txt");
    let uri = uri(REPORT_URI);
    let mut c = Client::start();
    c.open(&uri, "plaintext", &text);
    let r = c
        .request::<DocumentSymbolRequest>(DocumentSymbolParams {
            text_document: TextDocumentIdentifier::new(uri.clone()),
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        })
        .expect("symbols");
    let DocumentSymbolResponse::Nested(top) = r else {
        panic!("nested symbols expected");
    };
    let names: Vec<&str> = top.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "一、总体情况",
            "二、主动公开政府信息情况",
            "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况",
            "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项"
        ]
    );
    let three = &top[2];
    let tables: Vec<&DocumentSymbol> = three
        .children
        .iter()
        .flatten()
        .filter(|s| s.kind == SymbolKind::STRUCT)
        .collect();
    assert_eq!(tables.len(), 1, "{three:#?}");
    assert_eq!(tables[0].name, "表三 收到和处理政府信息公开申请情况");
    let rows = tables[0].children.as_ref().unwrap();
    assert!(rows.iter().any(|r| r.name.contains("（七）总计")
        && r.detail.as_deref() == Some("18 / 0 / 0 / 0 / 0 / 0 / 18")));
    // Every child lies inside its parent.
    fn check(s: &DocumentSymbol) {
        assert!(s.range.start <= s.selection_range.start && s.selection_range.end <= s.range.end);
        for c in s.children.iter().flatten() {
            assert!(
                s.range.start <= c.range.start && c.range.end <= s.range.end,
                "{} ⊄ {}",
                c.name,
                s.name
            );
            check(c);
        }
    }
    top.iter().for_each(check);
    c.exit();
}

#[test]
fn unknown_requests_bad_params_and_bad_documents_do_not_stop_the_server() {
    let uri = uri("file:///tmp/gklint-lsp-test/odd.txt");
    let mut c = Client::start();
    let e = c.request_raw("gklint/nonsense", json!({})).unwrap_err();
    assert_eq!(e.code, lsp_server::ErrorCode::MethodNotFound as i32);
    let e = c
        .request_raw("textDocument/hover", json!({ "nonsense": true }))
        .unwrap_err();
    assert_eq!(e.code, lsp_server::ErrorCode::InvalidParams as i32);
    // A document never opened.
    assert_eq!(
        c.request_raw(
            "textDocument/hover",
            json!({ "textDocument": { "uri": "file:///nowhere.txt" }, "position": { "line": 0, "character": 0 } })
        )
        .unwrap(),
        Value::Null
    );
    // Unknown notifications, and garbage in known ones.
    c.notify("gklint/whatever", json!([1, 2, 3]));
    c.notify("textDocument/didChange", json!({ "bad": 1 }));
    // Odd documents: stray table bars, lone CRs, numbers everywhere.
    let odd = "|||\r\r| 1 | 2 |\n一、\n（一）\n\t\t\t9999999999999999999999999\u{feff}\u{0}𠀋\r\n";
    let p = c.open(&uri, "plaintext", odd);
    assert_eq!(p.version, Some(1));
    // Edits far outside the text are clamped.
    c.change(
        &uri,
        2,
        vec![
            edit((999, 999), (1000, 0), "钩稽"),
            edit((0, 999), (0, 1), ""),
        ],
    );
    let p = c.diagnostics(&uri, Some(2));
    assert!(
        p.diagnostics
            .iter()
            .any(|d| rule_of(d) == "term-substitution")
    );
    let md = uri_md();
    c.open(
        &md,
        "markdown",
        "| a |\n|---|\n| 1 |\n<!-- gklint-disable\n# 一、\n",
    );
    // Still answering.
    let h = c.request_raw(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": uri.as_str() } }),
    );
    assert!(h.is_ok());
    c.exit();
}

fn uri_md() -> lsp_types::Uri {
    uri("file:///tmp/gklint-lsp-test/odd.md")
}

#[test]
fn shutdown_then_exit() {
    let mut c = Client::start();
    c.request::<Shutdown>(());
    let e = c
        .request_raw(
            "textDocument/documentSymbol",
            json!({ "textDocument": { "uri": REPORT_URI } }),
        )
        .unwrap_err();
    assert_eq!(e.code, lsp_server::ErrorCode::InvalidRequest as i32);
    assert_eq!(c.exit(), Exit::Clean);
}

#[test]
fn configuration_is_found_and_reloaded_like_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("年报").join("report.txt");
    std::fs::create_dir_all(report.parent().unwrap()).unwrap();
    std::fs::write(&report, fixture("report.txt")).unwrap();
    let uri = gklint_lsp::uri::from_path(&report).unwrap();
    let mut c = Client::with(Setup {
        watch: true,
        root: Some(dir.path().to_path_buf()),
        ..Setup::default()
    });
    let p = c.open(&uri, "plaintext", &fixture("report.txt"));
    assert_eq!(by_rule(&p, "term-substitution").len(), 2);
    // The server asked to watch configuration and pack files.
    assert!(
        c.server_requests
            .iter()
            .any(|r| r.method == "client/registerCapability"
                && r.params.to_string().contains("gklint.yaml")),
        "{:?}",
        c.server_requests
    );

    // A configuration above the file turns the rule off.
    let config = dir.path().join("gklint.yaml");
    std::fs::write(&config, "rules:\n  term-substitution: off\n").unwrap();
    c.clear();
    watched(&mut c, &config);
    let p = c.diagnostics(&uri, Some(1));
    assert!(
        by_rule(&p, "term-substitution").is_empty(),
        "{:#?}",
        p.diagnostics
    );

    // A broken configuration: an error on it, and the report linted without it.
    std::fs::write(&config, "rules:\n  term-substitution: loud\n").unwrap();
    c.clear();
    watched(&mut c, &config);
    let config_uri = gklint_lsp::uri::from_path(&config).unwrap();
    let p = c.diagnostics(&config_uri, None);
    assert_eq!(p.diagnostics.len(), 1);
    assert!(
        p.diagnostics[0].message.contains("loud"),
        "{}",
        p.diagnostics[0].message
    );
    let p = c.diagnostics(&uri, Some(1));
    assert_eq!(by_rule(&p, "term-substitution").len(), 2);

    // A pack named by the configuration, with an error in it.
    let pack = dir.path().join("本省规则包");
    std::fs::create_dir_all(&pack).unwrap();
    let root =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/examples/province-pack");
    std::fs::copy(root.join("pack.yaml"), pack.join("pack.yaml")).unwrap();
    let rules = std::fs::read_to_string(root.join("rules.yaml")).unwrap();
    std::fs::write(
        pack.join("rules.yaml"),
        rules.replace("kind: pattern", "kind: patern"),
    )
    .unwrap();
    std::fs::write(&config, "packs: [./本省规则包]\n").unwrap();
    c.clear();
    watched(&mut c, &config);
    let p = c.diagnostics(&config_uri, None);
    assert!(p.diagnostics.is_empty(), "the configuration is fine again");
    let pack_uri = gklint_lsp::uri::from_path(&pack.join("rules.yaml")).unwrap();
    let p = c.diagnostics(&pack_uri, None);
    assert_eq!(p.diagnostics.len(), 1, "{:#?}", p.diagnostics);
    let d = &p.diagnostics[0];
    assert!(d.message.contains("patern"), "{}", d.message);
    assert_eq!(d.range.start, Position::new(2, 10));
    // The report is still linted (built-in packs).
    let p = c.diagnostics(&uri, Some(1));
    assert_eq!(by_rule(&p, "term-substitution").len(), 2);

    // The pack mended: its error goes, and its rule runs.
    std::fs::write(pack.join("rules.yaml"), rules).unwrap();
    c.clear();
    watched(&mut c, &pack.join("rules.yaml"));
    let p = c.diagnostics(&pack_uri, None);
    assert!(p.diagnostics.is_empty());
    let p = c.diagnostics(&uri, Some(1));
    assert_eq!(
        by_rule(&p, "example-province-fee-statement").len(),
        1,
        "{:#?}",
        p.diagnostics
    );
    c.exit();
}

#[test]
fn settings_name_a_configuration_like_dash_dash_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("elsewhere.yaml");
    std::fs::write(&config, "rules:\n  term-substitution: error\n").unwrap();
    let uri = uri(REPORT_URI);
    let mut c = Client::with(Setup {
        options: json!({ "debounceMs": 0 }),
        ..Setup::default()
    });
    let p = c.open(&uri, "plaintext", &fixture("report.txt"));
    assert_eq!(
        by_rule(&p, "term-substitution")[0].severity,
        Some(lsp_types::DiagnosticSeverity::WARNING)
    );
    c.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "gklint": { "config": config.to_str().unwrap(), "debounceMs": 0 } } }),
    );
    let p = c.diagnostics(&uri, Some(1));
    assert_eq!(
        by_rule(&p, "term-substitution")[0].severity,
        Some(lsp_types::DiagnosticSeverity::ERROR)
    );
    c.exit();
}

fn watched(c: &mut Client, path: &std::path::Path) {
    c.notify(
        DidChangeWatchedFiles::METHOD,
        DidChangeWatchedFilesParams {
            changes: vec![FileEvent::new(
                gklint_lsp::uri::from_path(path).unwrap(),
                FileChangeType::CHANGED,
            )],
        },
    );
}

#[test]
fn documentation_links_follow_the_docs_url_setting() {
    let uri = uri(REPORT_URI);
    let mut c = Client::with(Setup {
        options: json!({ "debounceMs": 0, "docsUrl": "https://git.example.org/gklint/blob/v1" }),
        ..Setup::default()
    });
    let p = c.open(&uri, "plaintext", &fixture("report.txt"));
    let term = by_rule(&p, "term-substitution")[0];
    let href = term
        .code_description
        .as_ref()
        .expect("a link")
        .href
        .as_str();
    assert!(
        href.starts_with("https://git.example.org/gklint/blob/v1/rules/") && href.contains("#L"),
        "{href}"
    );
    let line7 = fixture("report.txt").lines().nth(7).unwrap().to_owned();
    let col = line7[..line7.find("17").unwrap()].encode_utf16().count() as u32;
    let h = hover_text(&mut c, &uri, Position::new(7, col)).unwrap();
    assert!(
        h.contains("[规则说明](https://git.example.org/gklint/blob/v1/rules/"),
        "{h}"
    );
    c.exit();

    // Not a URL: said once, and no dead link.
    let mut c = Client::with(Setup {
        options: json!({ "debounceMs": 0, "docsUrl": "规则文档" }),
        ..Setup::default()
    });
    let shown = c.wait_for("window/showMessage", |p| {
        p["message"]
            .as_str()
            .is_some_and(|m| m.contains("gklint.docsUrl"))
    });
    assert!(
        shown["message"].as_str().unwrap().contains("https://"),
        "{shown}"
    );
    let p = c.open(&uri, "plaintext", &fixture("report.txt"));
    assert!(p.diagnostics.iter().all(|d| d.code_description.is_none()));
    c.exit();
}

#[test]
fn only_plain_text_and_markdown_documents_are_linted() {
    let mut c = Client::start();
    let yaml = uri("file:///tmp/gklint-lsp-test/notes.yaml");
    let rust = uri("file:///tmp/gklint-lsp-test/main.rs");
    for (u, lang) in [(&yaml, "yaml"), (&rust, "rust")] {
        c.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": u.as_str(), "languageId": lang, "version": 1,
                    "text": "XX县人民政府2021年政府信息公开工作年度报告\n钩稽\n" } }),
        );
    }
    // A report opened after them is linted, and nothing was published for them.
    let report = uri("file:///tmp/gklint-lsp-test/untitled");
    let p = c.open(&report, "plaintext", "钩稽\n");
    assert_eq!(by_rule(&p, "term-substitution").len(), 1);
    let others: Vec<_> = c
        .drain(Duration::from_millis(300))
        .into_iter()
        .filter(|n| n.method == PublishDiagnostics::METHOD && n.params["uri"] != report.as_str())
        .collect();
    assert!(others.is_empty(), "{others:?}");
    assert_eq!(
        hover_text(&mut c, &yaml, Position::new(1, 0)),
        None,
        "no hover on a file that is not a report"
    );
    c.exit();
}

#[test]
fn a_change_older_than_the_text_held_is_ignored() {
    let uri = uri("file:///tmp/gklint-lsp-test/versions.txt");
    let mut c = Client::start();
    c.open(&uri, "plaintext", "正文。\n");
    c.change(&uri, 3, vec![edit((0, 0), (0, 0), "钩稽")]);
    let p = c.diagnostics(&uri, Some(3));
    assert_eq!(by_rule(&p, "term-substitution").len(), 1);
    // Version 2 arrives late: applying it would put 钩稽 at the wrong place.
    c.change(&uri, 2, vec![edit((0, 2), (0, 2), "钩稽")]);
    c.change(&uri, 4, vec![edit((0, 0), (0, 2), "勾稽")]);
    let p = c.diagnostics(&uri, Some(4));
    assert!(
        by_rule(&p, "term-substitution").is_empty(),
        "{:#?}",
        p.diagnostics
    );
    let stale: Vec<_> = c
        .drain(Duration::from_millis(200))
        .into_iter()
        .filter(|n| n.method == PublishDiagnostics::METHOD && n.params["version"] == 2)
        .collect();
    assert!(stale.is_empty(), "{stale:?}");
    c.exit();
}

#[test]
fn a_pack_named_in_both_the_settings_and_the_configuration_loads_once() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("本省规则包");
    std::fs::create_dir_all(&pack).unwrap();
    let example =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../rules/examples/province-pack");
    for f in ["pack.yaml", "rules.yaml"] {
        std::fs::copy(example.join(f), pack.join(f)).unwrap();
    }
    std::fs::write(dir.path().join("gklint.yaml"), "packs: [./本省规则包]\n").unwrap();
    let report = dir.path().join("report.txt");
    std::fs::write(&report, fixture("report.txt")).unwrap();
    let uri = gklint_lsp::uri::from_path(&report).unwrap();
    let mut c = Client::with(Setup {
        root: Some(dir.path().to_path_buf()),
        // The same folder, written another way.
        options: json!({ "debounceMs": 0, "packs": ["./本省规则包/"] }),
        ..Setup::default()
    });
    let p = c.open(&uri, "plaintext", &fixture("report.txt"));
    assert_eq!(
        by_rule(&p, "example-province-fee-statement").len(),
        1,
        "{:#?}",
        p.diagnostics
    );
    let shown: Vec<_> = c
        .drain(Duration::from_millis(200))
        .into_iter()
        .filter(|n| n.method == "window/showMessage")
        .collect();
    assert!(shown.is_empty(), "{shown:?}");
    c.exit();
}

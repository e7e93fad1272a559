//! The main loop: messages from the client, finished lints from the worker,
//! and the debounce timer. Requests are answered on this thread from the
//! analysis of the document's current version (made on the spot when the
//! worker has not caught up yet).

use std::collections::{HashMap, HashSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, after, never, select};
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeConfiguration, DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument,
    DidOpenTextDocument, DidSaveTextDocument, Exit as ExitNotification, Notification as _,
    PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, DocumentSymbolRequest, HoverRequest, RegisterCapability, Request as _,
    Shutdown,
};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    DidChangeConfigurationParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidChangeWatchedFilesRegistrationOptions, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, DocumentSymbolParams,
    DocumentSymbolResponse, FileSystemWatcher, GlobPattern, HoverParams, HoverProviderCapability,
    InitializeParams, InitializeResult, MessageType, OneOf, PublishDiagnosticsParams, Registration,
    RegistrationParams, RelativePattern, SaveOptions, ServerCapabilities, ServerInfo,
    ShowMessageParams, TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, Uri,
};
use serde_json::Value;

use crate::actions::{code_actions, source_fix_all_kind};
use crate::analysis::{Analysis, Job};
use crate::documents::{Document, Documents};
use crate::position::Encoding;
use crate::worker::{Done, Worker, lint_guarded};
use crate::workspace::{Settings, Workspace};

/// The default quiet time after a change before linting again.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(150);

/// How the session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `shutdown` then `exit`.
    Clean,
    /// `exit` without `shutdown` (the protocol's exit code 1).
    WithoutShutdown,
    /// The client went away.
    Disconnected,
    /// The stream from the client broke beyond resynchronising (logged).
    Broken,
}

impl Exit {
    /// The process's exit code: 0 only after `shutdown` then `exit`.
    pub fn code(self) -> std::process::ExitCode {
        match self {
            Exit::Clean => std::process::ExitCode::SUCCESS,
            _ => std::process::ExitCode::from(1),
        }
    }
}

pub struct Server {
    sender: Sender<Message>,
    receiver: Receiver<Message>,
    encoding: Encoding,
    docs: Documents,
    workspace: Workspace,
    analyses: HashMap<Uri, Arc<Analysis>>,
    /// The version last published for each document.
    published: HashMap<Uri, i32>,
    /// Debounced lints waiting for their time.
    pending: HashMap<Uri, Instant>,
    worker: Worker,
    /// Documents whose last lint failed (the engine panicked on them).
    failing: HashSet<String>,
    debounce: Duration,
    shut_down: bool,
    next_id: i32,
}

pub fn serve(connection: lsp_server::Connection) -> anyhow::Result<Exit> {
    let (id, params) = match connection.initialize_start() {
        Ok(x) => x,
        Err(e) if e.channel_is_disconnected() => return Ok(Exit::Disconnected),
        Err(e) => return Err(e.into()),
    };
    let init: InitializeParams = match serde_json::from_value(params) {
        Ok(p) => p,
        Err(e) => {
            crate::log(&format!(
                "initialize: unreadable parameters ({e}); using defaults"
            ));
            InitializeParams::default()
        }
    };
    let encoding = Encoding::negotiate(
        init.capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    #[allow(deprecated)] // root_uri: older clients give only this
    let root = init
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| &f.uri)
        .or(init.root_uri.as_ref())
        .and_then(crate::uri::to_path);
    let settings = init
        .initialization_options
        .as_ref()
        .and_then(|v| Settings::from_json(v, root.as_deref()))
        .unwrap_or_default();
    let watch = init
        .capabilities
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "gklint".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    match connection.initialize_finish(id, serde_json::to_value(result)?) {
        Ok(()) => {}
        Err(e) if e.channel_is_disconnected() => return Ok(Exit::Disconnected),
        Err(e) => return Err(e.into()),
    }
    crate::log(&format!(
        "started ({} positions; root {})",
        if encoding == Encoding::Utf8 {
            "UTF-8"
        } else {
            "UTF-16"
        },
        root.as_ref()
            .map_or("none".into(), |r| r.display().to_string())
    ));
    let debounce = settings
        .debounce_ms
        .map_or(DEFAULT_DEBOUNCE, Duration::from_millis);
    let notes = settings.notes.clone();
    let workspace = Workspace::new(root, settings, encoding);
    let mut server = Server {
        sender: connection.sender,
        receiver: connection.receiver,
        encoding,
        docs: Documents::default(),
        workspace,
        analyses: HashMap::new(),
        published: HashMap::new(),
        pending: HashMap::new(),
        worker: Worker::spawn(),
        failing: HashSet::new(),
        debounce,
        shut_down: false,
        next_id: 0,
    };
    for note in notes {
        server.note(note);
    }
    if watch {
        server.register_watchers();
    }
    server.publish_problems();
    Ok(server.run())
}

pub fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                will_save: None,
                will_save_wait_until: None,
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
            },
        )),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, source_fix_all_kind()]),
            resolve_provider: Some(false),
            work_done_progress_options: Default::default(),
        })),
        document_symbol_provider: Some(OneOf::Left(true)),
        ..ServerCapabilities::default()
    }
}

impl Server {
    fn run(mut self) -> Exit {
        loop {
            let deadline = self.pending.values().min().copied();
            let timer = match deadline {
                Some(d) => after(d.saturating_duration_since(Instant::now())),
                None => never(),
            };
            select! {
                recv(self.receiver) -> msg => match msg {
                    Ok(msg) => {
                        if let Some(exit) = self.handle(msg) {
                            return exit;
                        }
                    }
                    Err(_) => return Exit::Disconnected,
                },
                recv(self.worker.results) -> done => {
                    if let Ok(done) = done {
                        self.finished(done);
                    }
                },
                recv(timer) -> _ => self.flush_due(),
            }
        }
    }

    fn handle(&mut self, msg: Message) -> Option<Exit> {
        match msg {
            Message::Request(req) => {
                let id = req.id.clone();
                let method = req.method.clone();
                let resp =
                    catch_unwind(AssertUnwindSafe(|| self.request(req))).unwrap_or_else(|_| {
                        crate::log(&format!("request {method} failed (a bug; see above)"));
                        Some(Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            format!("gklint 处理 {method} 时出错"),
                        ))
                    });
                if let Some(resp) = resp {
                    self.send(resp.into());
                }
                None
            }
            Message::Notification(n) => {
                if n.method == crate::stdio::FATAL {
                    return Some(Exit::Broken);
                }
                if n.method == crate::stdio::LOST {
                    self.lost(&n.params);
                    return None;
                }
                if n.method == ExitNotification::METHOD {
                    return Some(if self.shut_down {
                        Exit::Clean
                    } else {
                        Exit::WithoutShutdown
                    });
                }
                let method = n.method.clone();
                if catch_unwind(AssertUnwindSafe(|| self.notification(n))).is_err() {
                    crate::log(&format!("notification {method} failed (a bug; see above)"));
                }
                None
            }
            // Answers to our own requests (registerCapability): nothing to do.
            Message::Response(_) => None,
        }
    }

    fn request(&mut self, req: Request) -> Option<Response> {
        let Request { id, method, params } = req;
        if self.shut_down {
            return Some(Response::new_err(
                id,
                ErrorCode::InvalidRequest as i32,
                "服务已关闭（shutdown）".into(),
            ));
        }
        macro_rules! parse {
            ($ty:ty) => {
                match serde_json::from_value::<$ty>(params) {
                    Ok(p) => p,
                    Err(e) => {
                        return Some(Response::new_err(
                            id,
                            ErrorCode::InvalidParams as i32,
                            format!("{method}: 参数无效：{e}"),
                        ));
                    }
                }
            };
        }
        let result: Value = match method.as_str() {
            Shutdown::METHOD => {
                self.shut_down = true;
                Value::Null
            }
            HoverRequest::METHOD => {
                let p = parse!(HoverParams);
                let pos = p.text_document_position_params;
                self.analysis(&pos.text_document.uri)
                    .and_then(|a| {
                        let offset =
                            crate::diagnostics::converter(&a, self.encoding).offset(pos.position);
                        crate::hover::hover(&a, offset, self.encoding)
                    })
                    .map_or(Value::Null, |h| {
                        serde_json::to_value(h).unwrap_or(Value::Null)
                    })
            }
            CodeActionRequest::METHOD => {
                let p = parse!(CodeActionParams);
                let uri = p.text_document.uri;
                match self.analysis(&uri) {
                    Some(a) => {
                        let span = crate::diagnostics::converter(&a, self.encoding).span(p.range);
                        let actions =
                            code_actions(&a, &uri, span, p.context.only.as_deref(), self.encoding);
                        serde_json::to_value(actions).unwrap_or(Value::Null)
                    }
                    None => Value::Null,
                }
            }
            DocumentSymbolRequest::METHOD => {
                let p = parse!(DocumentSymbolParams);
                match self.analysis(&p.text_document.uri) {
                    Some(a) => serde_json::to_value(DocumentSymbolResponse::Nested(
                        crate::symbols::outline(&a, self.encoding),
                    ))
                    .unwrap_or(Value::Null),
                    None => Value::Null,
                }
            }
            _ => {
                return Some(Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("gklint 不支持 {method}"),
                ));
            }
        };
        Some(Response::new_ok(id, result))
    }

    fn notification(&mut self, n: Notification) {
        fn parse<T: serde::de::DeserializeOwned>(n: Notification) -> Option<T> {
            let method = n.method.clone();
            serde_json::from_value(n.params)
                .map_err(|e| crate::log(&format!("{method}: unreadable parameters: {e}")))
                .ok()
        }
        match n.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Some(p) = parse::<DidOpenTextDocumentParams>(n) else {
                    return;
                };
                let d = p.text_document;
                let uri = d.uri.clone();
                self.docs
                    .open(Document::new(d.uri, &d.language_id, d.version, d.text));
                self.lint_now(&uri);
            }
            DidChangeTextDocument::METHOD => {
                let Some(p) = parse::<DidChangeTextDocumentParams>(n) else {
                    return;
                };
                let uri = p.text_document.uri;
                let Some(doc) = self.docs.get_mut(&uri) else {
                    crate::log(&format!(
                        "didChange for a document not open: {}",
                        uri.as_str()
                    ));
                    return;
                };
                if !doc.apply(p.text_document.version, p.content_changes, self.encoding) {
                    crate::log(&format!(
                        "didChange of version {} for {} ignored: version {} is held already",
                        p.text_document.version,
                        uri.as_str(),
                        doc.version
                    ));
                    return;
                }
                self.schedule(uri);
            }
            DidSaveTextDocument::METHOD => {
                let Some(p) = parse::<DidSaveTextDocumentParams>(n) else {
                    return;
                };
                let uri = p.text_document.uri;
                if is_config_or_pack(&uri) {
                    self.reload();
                } else if self.docs.get(&uri).is_some() {
                    self.lint_now(&uri);
                }
            }
            DidCloseTextDocument::METHOD => {
                let Some(p) = parse::<DidCloseTextDocumentParams>(n) else {
                    return;
                };
                let uri = p.text_document.uri;
                self.docs.close(&uri);
                self.analyses.remove(&uri);
                self.pending.remove(&uri);
                self.published.remove(&uri);
                self.publish(uri, Vec::new(), None);
            }
            DidChangeWatchedFiles::METHOD => {
                let Some(p) = parse::<DidChangeWatchedFilesParams>(n) else {
                    return;
                };
                if p.changes.iter().any(|c| is_config_or_pack(&c.uri))
                    || self.workspace.plugins_stale()
                {
                    self.reload();
                }
            }
            DidChangeConfiguration::METHOD => {
                let Some(p) = parse::<DidChangeConfigurationParams>(n) else {
                    return;
                };
                if let Some(s) = Settings::from_json(&p.settings, self.workspace.root.as_deref()) {
                    if let Some(ms) = s.debounce_ms {
                        self.debounce = Duration::from_millis(ms);
                    }
                    for note in s.notes.clone() {
                        self.note(note);
                    }
                    self.workspace.settings = s;
                }
                self.reload();
            }
            _ => {}
        }
    }

    /// A document notification that could not be read (`stdio::LOST`): a
    /// lost change or opening leaves the text out of step with the editor's,
    /// which the document's diagnostics then say.
    fn lost(&mut self, params: &Value) {
        let (Some(method), Some(uri)) = (
            params["method"].as_str(),
            params["uri"].as_str().and_then(|u| Uri::from_str(u).ok()),
        ) else {
            return;
        };
        let why = params["why"].as_str().unwrap_or_default().to_owned();
        match method {
            DidChangeTextDocument::METHOD => match self.docs.get_mut(&uri) {
                Some(doc) => doc.lose(why),
                None => return,
            },
            DidOpenTextDocument::METHOD => {
                let mut doc = Document::new(uri.clone(), "", 0, String::new());
                doc.lose(why);
                self.docs.open(doc);
            }
            _ => return,
        }
        self.analyses.remove(&uri);
        // Said even though the version held is the one published already.
        self.published.remove(&uri);
        self.lint_now(&uri);
    }

    /// Reads configuration, packs and plugins again and re-lints every open document.
    fn reload(&mut self) {
        crate::log("configuration or packs changed: reloading");
        self.forget_configuration();
        self.flush_due();
    }

    /// Forgets what was read and makes every open document due now.
    fn forget_configuration(&mut self) {
        self.workspace.reload();
        self.analyses.clear();
        self.published.clear();
        let now = Instant::now();
        for uri in self.docs.uris() {
            self.pending.insert(uri, now);
        }
    }

    fn schedule(&mut self, uri: Uri) {
        let due = Instant::now() + self.debounce;
        self.pending.insert(uri, due);
        if self.debounce.is_zero() {
            self.flush_due();
        }
    }

    fn lint_now(&mut self, uri: &Uri) {
        self.pending.insert(uri.clone(), Instant::now());
        self.flush_due();
    }

    /// Sends the documents whose quiet time is over to the worker. First, if
    /// the trust file or a plugin file changed, everything is reloaded.
    fn flush_due(&mut self) {
        if self.workspace.plugins_stale() {
            crate::log("the plugin trust file or a plugin changed: reloading");
            self.forget_configuration();
        }
        let now = Instant::now();
        let due: Vec<Uri> = self
            .pending
            .iter()
            .filter(|(_, t)| **t <= now)
            .map(|(u, _)| u.clone())
            .collect();
        for uri in due {
            self.pending.remove(&uri);
            if self.publish_untracked(&uri) {
                continue;
            }
            if let Some(job) = self.job(&uri) {
                self.worker.submit(job);
            }
        }
        self.publish_problems();
    }

    /// A report whose text is not held (too large, or a change was lost):
    /// instead of a lint, one diagnostic saying why. `true` when so.
    fn publish_untracked(&mut self, uri: &Uri) -> bool {
        let Some(doc) = self.docs.get(uri) else {
            return false;
        };
        let Some(why) = &doc.untracked else {
            return false;
        };
        if !doc.lintable {
            return true;
        }
        let version = doc.version;
        let message = why.message();
        let code = match why {
            crate::documents::Untracked::TooLarge(_) => "file-too-large",
            crate::documents::Untracked::Lost(_) => "change-unreadable",
        };
        self.analyses.remove(uri);
        if self.published.get(uri) == Some(&version) {
            return true;
        }
        crate::log(&format!("{}: {message}", uri.as_str()));
        let d = lsp_types::Diagnostic {
            range: lsp_types::Range::default(),
            severity: Some(lsp_types::DiagnosticSeverity::WARNING),
            code: Some(lsp_types::NumberOrString::String(code.into())),
            source: Some("gklint".into()),
            message,
            ..Default::default()
        };
        self.published.insert(uri.clone(), version);
        self.publish(uri.clone(), vec![d], Some(version));
        true
    }

    fn job(&mut self, uri: &Uri) -> Option<Job> {
        let doc = self
            .docs
            .get(uri)
            .filter(|d| d.lintable && d.untracked.is_none())?;
        let (name, text, format, version, path) = (
            doc.name(),
            doc.text.clone(),
            doc.format,
            doc.version,
            doc.path.clone(),
        );
        let resolved = self.workspace.resolve(path.as_deref());
        Some(Job {
            uri: uri.clone(),
            version,
            name,
            text,
            format,
            resolved,
        })
    }

    /// A lint came back: kept and published if it is of the current version, dropped if stale.
    fn finished(&mut self, done: Done) {
        // A document whose text is no longer held keeps the diagnostic saying so.
        let current = self
            .docs
            .get(&done.uri)
            .filter(|d| d.untracked.is_none())
            .map(|d| d.version);
        if current != Some(done.version) {
            return;
        }
        match done.result {
            Ok(a) => {
                self.failing.remove(done.uri.as_str());
                self.accept(done.uri, a);
            }
            // Said once, not at every keystroke while the document stays so.
            Err(why) => {
                if self.failing.insert(done.uri.as_str().to_owned()) {
                    self.show(
                        MessageType::ERROR,
                        format!("gklint 无法检查 {}：{why}", done.uri.as_str()),
                    );
                }
            }
        }
    }

    fn accept(&mut self, uri: Uri, a: Arc<Analysis>) {
        let version = a.version;
        self.analyses.insert(uri.clone(), a.clone());
        if self.published.get(&uri) == Some(&version) {
            return;
        }
        let diags = crate::diagnostics::all(&a, &uri, self.encoding);
        self.published.insert(uri.clone(), version);
        self.publish(uri, diags, Some(version));
    }

    /// The analysis of the document's current version, made now if need be.
    fn analysis(&mut self, uri: &Uri) -> Option<Arc<Analysis>> {
        let version = self.docs.get(uri)?.version;
        if let Some(a) = self.analyses.get(uri).filter(|a| a.version == version) {
            return Some(a.clone());
        }
        let job = self.job(uri)?;
        self.pending.remove(uri);
        let done = lint_guarded(job);
        match done.result {
            Ok(a) => {
                self.accept(uri.clone(), a.clone());
                self.publish_problems();
                Some(a)
            }
            Err(_) => None,
        }
    }

    fn publish(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        self.send(Notification::new(PublishDiagnostics::METHOD.into(), params).into());
    }

    /// Publishes configuration and pack errors that changed, and shows the
    /// ones that have no file.
    fn publish_problems(&mut self) {
        for (uri, diags) in self.workspace.problem_updates() {
            self.publish(uri, diags, None);
        }
        for (typ, m) in self.workspace.take_messages() {
            self.show(typ, m);
        }
    }

    /// A setting that was clamped or refused: on stderr and to the user.
    fn note(&self, message: String) {
        crate::log(&message);
        self.show(MessageType::WARNING, message);
    }

    fn show(&self, typ: MessageType, message: String) {
        self.send(
            Notification::new(
                ShowMessage::METHOD.into(),
                ShowMessageParams { typ, message },
            )
            .into(),
        );
    }

    /// Asks the client to watch configuration and pack files in the
    /// workspace, and the user's plugin trust file wherever it is (changes
    /// to it are also noticed before each lint, for clients that cannot watch it).
    fn register_watchers(&mut self) {
        let mut watchers: Vec<FileSystemWatcher> =
            ["**/gklint.yaml", "**/.gklint.yaml", "**/*.yaml", "**/*.yml"]
                .iter()
                .map(|g| FileSystemWatcher {
                    glob_pattern: GlobPattern::String((*g).into()),
                    kind: None,
                })
                .collect();
        let trust = gklint_engine::plugin::native::trust_file_path().and_then(|p| {
            Some((
                crate::uri::from_path(p.parent()?)?,
                p.file_name()?.to_str()?.to_owned(),
            ))
        });
        if let Some((dir, name)) = trust {
            watchers.push(FileSystemWatcher {
                glob_pattern: GlobPattern::Relative(RelativePattern {
                    base_uri: OneOf::Right(dir),
                    pattern: name,
                }),
                kind: None,
            });
        }
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "gklint-watch-config".into(),
                method: DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.next_id += 1;
        let id = RequestId::from(format!("gklint-{}", self.next_id));
        self.send(Request::new(id, RegisterCapability::METHOD.into(), params).into());
    }

    fn send(&self, msg: Message) {
        if self.sender.send(msg).is_err() {
            crate::log("the client has gone; message not sent");
        }
    }
}

/// A configuration file or a pack's YAML.
fn is_config_or_pack(uri: &Uri) -> bool {
    let path = uri.as_str().split(['?', '#']).next().unwrap_or_default();
    let name = path.rsplit('/').next().unwrap_or_default();
    name.ends_with(".yaml") || name.ends_with(".yml")
}

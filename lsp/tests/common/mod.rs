//! A test client: drives the server over in-memory channels.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::path::Path;
use std::str::FromStr;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use gklint_lsp::{Exit, serve};
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response, ResponseError};
use lsp_types::notification::{
    DidChangeTextDocument, DidOpenTextDocument, Initialized, Notification as _, PublishDiagnostics,
};
use lsp_types::request::{Initialize, Request as _};
use lsp_types::{
    ClientCapabilities, DidChangeTextDocumentParams, DidChangeWatchedFilesClientCapabilities,
    DidOpenTextDocumentParams, GeneralClientCapabilities, InitializeParams, InitializeResult,
    InitializedParams, Position, PositionEncodingKind, PublishDiagnosticsParams, Range,
    TextDocumentContentChangeEvent, TextDocumentItem, Uri, VersionedTextDocumentIdentifier,
    WorkspaceClientCapabilities,
};
use serde_json::{Value, json};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct Client {
    pub conn: Connection,
    server: Option<JoinHandle<anyhow::Result<Exit>>>,
    next: i32,
    inbox: VecDeque<Notification>,
    /// Requests the server sent us (registerCapability), answered already.
    pub server_requests: Vec<Request>,
    pub init: InitializeResult,
}

pub struct Setup {
    pub utf8: bool,
    pub options: Value,
    pub root: Option<std::path::PathBuf>,
    pub watch: bool,
}

impl Default for Setup {
    fn default() -> Self {
        Setup {
            utf8: false,
            options: json!({ "debounceMs": 0 }),
            root: None,
            watch: false,
        }
    }
}

impl Client {
    pub fn start() -> Client {
        Client::with(Setup::default())
    }

    pub fn with(setup: Setup) -> Client {
        let (server_side, client_side) = Connection::memory();
        let server = std::thread::spawn(move || serve(server_side));
        let mut c = Client {
            conn: client_side,
            server: Some(server),
            next: 0,
            inbox: VecDeque::new(),
            server_requests: Vec::new(),
            init: InitializeResult::default(),
        };
        let mut caps = ClientCapabilities::default();
        if setup.utf8 {
            caps.general = Some(GeneralClientCapabilities {
                position_encodings: Some(vec![
                    PositionEncodingKind::UTF8,
                    PositionEncodingKind::UTF16,
                ]),
                ..Default::default()
            });
        }
        if setup.watch {
            caps.workspace = Some(WorkspaceClientCapabilities {
                did_change_watched_files: Some(DidChangeWatchedFilesClientCapabilities {
                    dynamic_registration: Some(true),
                    relative_pattern_support: None,
                }),
                ..Default::default()
            });
        }
        #[allow(deprecated)]
        let params = InitializeParams {
            capabilities: caps,
            initialization_options: Some(setup.options),
            root_uri: setup.root.as_deref().and_then(gklint_lsp::uri::from_path),
            ..Default::default()
        };
        let init: InitializeResult = c
            .request_raw(Initialize::METHOD, serde_json::to_value(params).unwrap())
            .map(|v| serde_json::from_value(v).unwrap())
            .expect("initialize succeeds");
        c.init = init;
        c.notify(Initialized::METHOD, InitializedParams {});
        c
    }

    pub fn notify(&self, method: &str, params: impl serde::Serialize) {
        self.conn
            .sender
            .send(Notification::new(method.into(), params).into())
            .unwrap();
    }

    /// Sends a request and waits for its response (notifications are kept for later).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Result<Value, ResponseError> {
        self.next += 1;
        let id = RequestId::from(self.next);
        self.conn
            .sender
            .send(Request::new(id.clone(), method.into(), params).into())
            .unwrap();
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.recv(deadline) {
                Message::Response(Response {
                    id: rid,
                    response_result,
                }) if rid == id => return response_result,
                Message::Response(_) => {}
                Message::Notification(n) => self.inbox.push_back(n),
                Message::Request(r) => self.answer(r),
            }
        }
    }

    pub fn request<R: lsp_types::request::Request>(&mut self, params: R::Params) -> R::Result {
        let v = self
            .request_raw(R::METHOD, serde_json::to_value(params).unwrap())
            .unwrap_or_else(|e| panic!("{} failed: {e:?}", R::METHOD));
        serde_json::from_value(v).unwrap()
    }

    fn answer(&mut self, r: Request) {
        self.conn
            .sender
            .send(Response::new_ok(r.id.clone(), Value::Null).into())
            .unwrap();
        self.server_requests.push(r);
    }

    fn recv(&mut self, deadline: Instant) -> Message {
        let left = deadline.saturating_duration_since(Instant::now());
        self.conn
            .receiver
            .recv_timeout(left)
            .expect("the server answers in time")
    }

    /// The first notification of `method` that `pred` accepts, received
    /// already or yet to come (the others are kept for later waits).
    pub fn wait_for(&mut self, method: &str, mut pred: impl FnMut(&Value) -> bool) -> Value {
        let deadline = Instant::now() + TIMEOUT;
        if let Some(i) = self
            .inbox
            .iter()
            .position(|n| n.method == method && pred(&n.params))
        {
            return self.inbox.remove(i).unwrap().params;
        }
        loop {
            match self.recv(deadline) {
                Message::Notification(n) if n.method == method && pred(&n.params) => {
                    return n.params;
                }
                Message::Notification(n) => self.inbox.push_back(n),
                Message::Request(r) => self.answer(r),
                Message::Response(_) => {}
            }
        }
    }

    /// Forgets the notifications received so far.
    pub fn clear(&mut self) {
        self.inbox.clear();
    }

    /// Every notification received so far (waiting `quiet` for more).
    pub fn drain(&mut self, quiet: Duration) -> Vec<Notification> {
        let mut out: Vec<Notification> = self.inbox.drain(..).collect();
        while let Ok(m) = self.conn.receiver.recv_timeout(quiet) {
            match m {
                Message::Notification(n) => out.push(n),
                Message::Request(r) => self.answer(r),
                Message::Response(_) => {}
            }
        }
        out
    }

    pub fn diagnostics(&mut self, uri: &Uri, version: Option<i32>) -> PublishDiagnosticsParams {
        let want = uri.as_str().to_owned();
        let v = self.wait_for(PublishDiagnostics::METHOD, |p| {
            p["uri"] == want.as_str() && version.is_none_or(|v| p["version"] == v)
        });
        serde_json::from_value(v).unwrap()
    }

    pub fn open(&mut self, uri: &Uri, language: &str, text: &str) -> PublishDiagnosticsParams {
        self.notify(
            DidOpenTextDocument::METHOD,
            DidOpenTextDocumentParams {
                text_document: TextDocumentItem::new(uri.clone(), language.into(), 1, text.into()),
            },
        );
        self.diagnostics(uri, Some(1))
    }

    pub fn change(&self, uri: &Uri, version: i32, changes: Vec<TextDocumentContentChangeEvent>) {
        self.notify(
            DidChangeTextDocument::METHOD,
            DidChangeTextDocumentParams {
                text_document: VersionedTextDocumentIdentifier::new(uri.clone(), version),
                content_changes: changes,
            },
        );
    }

    /// Sends `exit` and returns how the server ended.
    pub fn exit(mut self) -> Exit {
        self.notify("exit", Value::Null);
        let h = self.server.take().unwrap();
        h.join().expect("the server thread ends").expect("no error")
    }
}

pub fn edit(start: (u32, u32), end: (u32, u32), text: &str) -> TextDocumentContentChangeEvent {
    TextDocumentContentChangeEvent {
        range: Some(Range::new(
            Position::new(start.0, start.1),
            Position::new(end.0, end.1),
        )),
        range_length: None,
        text: text.into(),
    }
}

pub fn uri(s: &str) -> Uri {
    Uri::from_str(s).unwrap()
}

pub fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    std::fs::read_to_string(p).unwrap()
}

/// The UTF-16 column of byte `at` in its line.
pub fn utf16_col(text: &str, at: usize) -> u32 {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[start..at].encode_utf16().count() as u32
}

pub fn line_of(text: &str, at: usize) -> u32 {
    text[..at].matches('\n').count() as u32
}

//! A language-server client over a real `gklint lsp` process: JSON-RPC
//! messages framed with `Content-Length` on its stdin and stdout, as an
//! editor speaks to it. Only what the tests need.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const TIMEOUT: Duration = Duration::from_secs(60);

pub struct Server {
    child: Child,
    stdin: ChildStdin,
    inbox: Receiver<Value>,
    /// Notifications received while waiting for something else.
    pub seen: Vec<Value>,
    next: i64,
}

impl Server {
    /// Starts `gklint lsp` with `env` set, and initializes it with `root` as
    /// the workspace folder and `options` as `initializationOptions`.
    pub fn start(gklint: &Path, env: &[(&str, &Path)], root: &Path, options: Value) -> Server {
        let mut cmd = Command::new(gklint);
        cmd.arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("gklint lsp starts");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, inbox) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut r) {
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        let mut s = Server {
            child,
            stdin,
            inbox,
            seen: Vec::new(),
            next: 0,
        };
        let root_uri = file_uri(root);
        s.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": root_uri,
                "capabilities": {},
                "initializationOptions": options,
            }),
        );
        s.notify("initialized", json!({}));
        s
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its result (notifications meanwhile are kept).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let m = self.recv(deadline);
            if m["id"] == id && m.get("method").is_none() {
                return m["result"].clone();
            }
            self.keep(m);
        }
    }

    /// The first notification of `method` that `pred` accepts, seen already or to come.
    pub fn wait_for(&mut self, method: &str, pred: impl Fn(&Value) -> bool) -> Value {
        if let Some(i) = self
            .seen
            .iter()
            .position(|m| m["method"] == method && pred(&m["params"]))
        {
            return self.seen.remove(i)["params"].clone();
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let m = self.recv(deadline);
            if m["method"] == method && pred(&m["params"]) {
                return m["params"].clone();
            }
            self.keep(m);
        }
    }

    /// The diagnostics published for `uri` that `pred` accepts.
    pub fn diagnostics(&mut self, uri: &str, pred: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let p = self.wait_for("textDocument/publishDiagnostics", |p| {
            p["uri"] == uri && p["diagnostics"].as_array().is_some_and(|d| pred(d))
        });
        p["diagnostics"].as_array().cloned().unwrap_or_default()
    }

    pub fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "plaintext", "version": 1, "text": text } }),
        );
    }

    /// Ends the session cleanly and waits for the process.
    pub fn shutdown(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                assert!(status.success(), "gklint lsp exited with {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        panic!("gklint lsp did not exit after shutdown and exit");
    }

    fn keep(&mut self, m: Value) {
        if m.get("method").is_some() && m.get("id").is_some() {
            // A request from the server (registerCapability): accept it.
            let id = m["id"].clone();
            self.send(json!({ "jsonrpc": "2.0", "id": id, "result": null }));
        } else if m.get("method").is_some() {
            self.seen.push(m);
        }
    }

    fn recv(&mut self, deadline: Instant) -> Value {
        let left = deadline.saturating_duration_since(Instant::now());
        match self.inbox.recv_timeout(left) {
            Ok(m) => m,
            Err(_) => {
                let _ = self.child.kill();
                panic!(
                    "gklint lsp sent nothing expected in time; received: {:#?}",
                    self.seen
                );
            }
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len())
            .and_then(|()| self.stdin.flush())
            .expect("gklint lsp reads its stdin");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A `file:` URI for an absolute path, percent-encoding what needs it (as
/// the server writes URIs, so they compare equal).
pub fn file_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    let mut s = path.to_string_lossy().replace('\\', "/");
    if !s.starts_with('/') {
        s.insert(0, '/');
    }
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

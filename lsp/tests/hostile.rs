//! Hostile clients against the server as `gklint lsp` runs it: this test
//! binary starts itself as a child that runs `gklint_lsp::run_stdio()` over
//! real pipes (`GKLINT_LSP_SERVE=1`; `harness = false`, so nothing but the
//! protocol is on its stdout), under an address-space limit, and speaks to
//! it as a client would. Each case asserts that the server either stays
//! alive and answers `shutdown` within 10 s, then exits 0 after `exit`; or
//! exits 1 with a message on stderr. Never a silent exit 0, a hang, an abort.
//! Inputs are generated here; nothing large is committed.

use std::io::{Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, unbounded};
use gklint_lsp::transport::{Frame, Reader};
use lsp_server::{Message, Notification};
use serde_json::{Value, json};

const LIMIT: Duration = Duration::from_secs(10);
/// The child's address-space limit: 1 GiB.
const ADDRESS_SPACE: u64 = 1 << 30;

fn main() {
    if std::env::var_os("GKLINT_LSP_SERVE").is_some() {
        serve_child();
    }
    // libtest's own flags are accepted and ignored (with their values).
    let mut filter: Vec<String> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        const WITH_VALUE: [&str; 5] = ["--test-threads", "--skip", "--format", "--color", "-Z"];
        if WITH_VALUE.contains(&a.as_str()) {
            args.next();
        } else if !a.starts_with('-') {
            filter.push(a);
        }
    }
    let cases: [(&str, fn()); 11] = [
        (
            "garbage_is_logged_and_skipped",
            garbage_is_logged_and_skipped,
        ),
        (
            "every_shape_of_bad_framing_resynchronises",
            every_shape_of_bad_framing_resynchronises,
        ),
        (
            "a_lone_surrogate_is_answered_or_reported",
            a_lone_surrogate_is_answered_or_reported,
        ),
        (
            "a_huge_content_length_exits_1_without_allocating",
            a_huge_content_length_exits_1_without_allocating,
        ),
        (
            "a_cut_body_or_closed_stdin_exits_1_saying_why",
            a_cut_body_or_closed_stdin_exits_1_saying_why,
        ),
        (
            "a_huge_document_is_not_linted_and_requests_go_on",
            a_huge_document_is_not_linted_and_requests_go_on,
        ),
        (
            "a_fifo_pack_in_the_settings_is_reported",
            a_fifo_pack_in_the_settings_is_reported,
        ),
        (
            "a_fifo_pack_in_the_configuration_is_reported",
            a_fifo_pack_in_the_configuration_is_reported,
        ),
        (
            "other_files_that_cannot_be_read_never_block",
            other_files_that_cannot_be_read_never_block,
        ),
        (
            "an_endless_debounce_is_clamped",
            an_endless_debounce_is_clamped,
        ),
        (
            "shutdown_and_exit_is_the_only_exit_0",
            shutdown_and_exit_is_the_only_exit_0,
        ),
    ];
    let mut failed = Vec::new();
    let mut ran = 0;
    for (name, case) in cases {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        ran += 1;
        let start = Instant::now();
        let result = std::panic::catch_unwind(case);
        let took = start.elapsed();
        match result {
            Ok(()) => println!("test {name} ... ok ({took:.1?})"),
            Err(_) => {
                println!("test {name} ... FAILED ({took:.1?})");
                failed.push(name);
            }
        }
    }
    println!("{ran} run, {} failed", failed.len());
    if !failed.is_empty() {
        println!("failed: {failed:?}");
        std::process::exit(1);
    }
}

/// The child: the server on stdin/stdout, with the address space capped.
fn serve_child() -> ! {
    #[cfg(target_os = "linux")]
    {
        let limit = libc::rlimit {
            rlim_cur: ADDRESS_SPACE,
            rlim_max: ADDRESS_SPACE,
        };
        // SAFETY: setrlimit reads a valid struct; lowering a limit is always allowed.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) }, 0);
    }
    let code = match gklint_lsp::run_stdio() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("gklint-lsp: {e:#}");
            std::process::ExitCode::from(2)
        }
    };
    // Exit without waiting for the reader thread (blocked on stdin).
    std::process::exit(if code == std::process::ExitCode::SUCCESS {
        0
    } else {
        1
    })
}

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    seen: Vec<Value>,
    stderr: Arc<Mutex<Vec<u8>>>,
    next: i32,
}

impl Server {
    fn start(options: Value, root: Option<&Path>) -> Server {
        Server::start_with(options, root, &[])
    }

    fn start_with(options: Value, root: Option<&Path>, env: &[(&str, &Path)]) -> Server {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .env("GKLINT_LSP_SERVE", "1")
            // No user's trust file or plugins.
            .env(
                "XDG_CONFIG_HOME",
                std::env::temp_dir().join("gklint-hostile-no-config"),
            )
            .envs(env.iter().copied())
            .current_dir(root.unwrap_or(&std::env::temp_dir()))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut stderr_pipe = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0; 4096];
            while let Ok(n) = stderr_pipe.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let (tx, messages) = unbounded();
        std::thread::spawn(move || {
            let mut r = Reader::new(stdout);
            while let Ok(Some(f)) = r.next_frame() {
                match f {
                    Frame::Message(m) => {
                        if tx.send(serde_json::to_value(m).unwrap()).is_err() {
                            return;
                        }
                    }
                    other => panic!("the server wrote a bad frame: {other:?}"),
                }
            }
        });
        let mut s = Server {
            stdin: child.stdin.take(),
            child,
            messages,
            seen: Vec::new(),
            stderr,
            next: 0,
        };
        let root_uri = root.map(|r| format!("file://{}", r.display()));
        let init = s.request(
            "initialize",
            json!({"processId": null, "rootUri": root_uri, "capabilities": {}, "initializationOptions": options}),
        );
        assert!(init.get("result").is_some(), "initialize: {init}");
        s.notify("initialized", json!({}));
        s
    }

    fn raw(&mut self, bytes: &[u8]) {
        // The server may have gone (that is what some cases check).
        let _ = self.stdin.as_mut().unwrap().write_all(bytes);
        let _ = self.stdin.as_mut().unwrap().flush();
    }

    fn send(&mut self, v: &Value) {
        let body = serde_json::to_vec(v).unwrap();
        self.raw(format!("Content-Length: {}\r\n\r\n", body.len()).as_bytes());
        self.raw(&body);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait(LIMIT, |m| m["id"] == id && m.get("method").is_none())
            .unwrap_or_else(|| {
                panic!(
                    "{method} not answered within {LIMIT:?}; stderr: {}",
                    self.stderr()
                )
            })
    }

    /// The first message (received already or within `limit`) that `pred` accepts.
    fn wait(&mut self, limit: Duration, pred: impl Fn(&Value) -> bool) -> Option<Value> {
        if let Some(m) = self.seen.iter().find(|m| pred(m)) {
            return Some(m.clone());
        }
        let end = Instant::now() + limit;
        loop {
            let m = self.messages.recv_deadline(end).ok()?;
            self.seen.push(m.clone());
            if pred(&m) {
                return Some(m);
            }
        }
    }

    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.stderr.lock().unwrap()).into_owned()
    }

    /// Alive: answers shutdown within the limit, then exits 0 on exit.
    fn shutdown(mut self) -> String {
        let r = self.request("shutdown", Value::Null);
        assert_eq!(r["result"], Value::Null, "{r}");
        self.notify("exit", Value::Null);
        let code = self.wait_exit();
        let err = self.stderr();
        assert_eq!(code, Some(0), "stderr: {err}");
        err
    }

    /// The exit code within the limit (`None`: killed by a signal); kills
    /// and fails when it does not exit.
    fn wait_exit(&mut self) -> Option<i32> {
        let end = Instant::now() + LIMIT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                // Let the stderr thread catch up.
                std::thread::sleep(Duration::from_millis(100));
                return status.code();
            }
            if Instant::now() > end {
                let _ = self.child.kill();
                panic!(
                    "the server did not exit within {LIMIT:?}; stderr: {}",
                    self.stderr()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Exited 1 within the limit, with `says` on stderr.
    fn exits_1_saying(mut self, says: &str) -> String {
        let code = self.wait_exit();
        let err = self.stderr();
        assert_eq!(code, Some(1), "stderr: {err}");
        assert!(err.contains(says), "stderr lacks {says:?}: {err}");
        assert!(
            !err.contains("panicked") && !err.contains("memory allocation"),
            "{err}"
        );
        err
    }

    fn log_messages(&self) -> Vec<String> {
        self.seen
            .iter()
            .filter(|m| m["method"] == "window/logMessage" || m["method"] == "window/showMessage")
            .map(|m| {
                m["params"]["message"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            })
            .collect()
    }

    /// Asks for the outline of a document: any answer shows the main loop is free.
    fn answers(&mut self, uri: &str) -> Value {
        self.request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": uri}}),
        )
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Bytes from a small xorshift generator: the same for a seed, every run.
fn noise(seed: u64, len: usize) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

const REPORT: &str = "一、总体情况\n本年度共收到政府信息公开申请 12 件。\n";

fn garbage_is_logged_and_skipped() {
    let mut s = Server::start(Value::Null, None);
    let mut bytes = noise(7, 4096);
    bytes.extend_from_slice(b"\r\n\r\n");
    s.raw(&bytes);
    s.answers("file:///tmp/none.txt");
    assert!(
        s.log_messages().iter().any(|m| m.contains("分帧格式")),
        "no window/logMessage: {:?}",
        s.log_messages()
    );
    let err = s.shutdown();
    assert!(err.contains("分帧格式"), "{err}");
}

fn every_shape_of_bad_framing_resynchronises() {
    let mut s = Server::start(Value::Null, None);
    let shapes: Vec<Vec<u8>> = vec![
        noise(1, 10_000),
        noise(2, 100),
        b"no newline, straight into the next header".to_vec(),
        vec![b'x'; 200_000],
        b"Content-Length: abc\r\n\r\n{}".to_vec(),
        b"Content-Length: -1\r\n\r\n".to_vec(),
        b"Content-Length: 5\r\nContent-Length: 6\r\n\r\n".to_vec(),
        b"Content-Type: text/plain\r\n\r\n{}".to_vec(),
        format!("X-Long: {}\r\n\r\n", "y".repeat(100_000)).into_bytes(),
        "X: 1\r\n".repeat(10_000).into_bytes(),
        b"Content-Len".to_vec(),
        b"\r\n\r\n\r\n".to_vec(),
        // Framed bodies that are not messages.
        b"Content-Length: 2\r\n\r\n[]".to_vec(),
        b"Content-Length: 0\r\n\r\n".to_vec(),
        b"Content-Length: 3\r\n\r\n\xff\xfe{".to_vec(),
        b"Content-Length: 35\r\n\r\n{\"id\":1.5,\"method\":\"shutdown\"}     ".to_vec(),
        format!("Content-Length: 200000\r\n\r\n{}", "[".repeat(200_000)).into_bytes(),
    ];
    for (i, shape) in shapes.iter().enumerate() {
        s.raw(shape);
        let r = s.answers(&format!("file:///tmp/none-{i}.txt"));
        assert_eq!(r["result"], Value::Null, "shape {i}: {r}");
    }
    s.shutdown();
}

fn a_lone_surrogate_is_answered_or_reported() {
    let mut s = Server::start(json!({"debounceMs": 0}), None);
    let uri = "file:///tmp/gklint-hostile/r.txt";
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": REPORT}}),
    );
    s.wait(LIMIT, |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 1
    })
    .expect("version 1 linted");
    let change = format!(
        r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{uri}","version":2}},"contentChanges":[{{"text":"a\ud800b"}}]}}}}"#
    );
    s.raw(format!("Content-Length: {}\r\n\r\n{change}", change.len()).as_bytes());
    // The document is said to be out of step, not linted as if it were not.
    let d = s
        .wait(LIMIT, |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["diagnostics"][0]["code"] == "change-unreadable"
        })
        .unwrap_or_else(|| panic!("no diagnostic for the lost change; stderr: {}", s.stderr()));
    assert!(
        d["params"]["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("重新打开"),
        "{d}"
    );
    // A request that cannot be read is answered with its id.
    let hover = r#"{"jsonrpc":"2.0","id":99,"method":"textDocument/hover","params":{"textDocument":{"uri":"\udc00"},"position":{"line":0,"character":0}}}"#;
    s.raw(format!("Content-Length: {}\r\n\r\n{hover}", hover.len()).as_bytes());
    let r = s
        .wait(LIMIT, |m| m["id"] == 99)
        .expect("the bad request is answered");
    assert_eq!(r["error"]["code"], -32700, "{r}");
    // A full replacement brings the document back.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": REPORT}]}),
    );
    let d = s
        .wait(LIMIT, |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 3
        })
        .expect("version 3 linted");
    assert!(
        d["params"]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["code"] != "change-unreadable"),
        "{d}"
    );
    let err = s.shutdown();
    assert!(err.contains("代理项"), "{err}");
}

fn a_huge_content_length_exits_1_without_allocating() {
    for n in [
        "10737418240",
        "3221225472",
        "67108865",
        "184467440737095516160",
    ] {
        let mut s = Server::start(Value::Null, None);
        s.raw(format!("Content-Length: {n}\r\n\r\n{{\"jsonrpc\":\"2.0\"").as_bytes());
        let err = s.exits_1_saying("超过上限");
        assert!(err.contains("64 MiB"), "{n}: {err}");
    }
}

fn a_cut_body_or_closed_stdin_exits_1_saying_why() {
    let mut s = Server::start(Value::Null, None);
    s.raw(b"Content-Length: 1000\r\n\r\n{\"jsonrpc\":");
    s.stdin = None;
    s.exits_1_saying("中途关闭");
    let mut s = Server::start(Value::Null, None);
    s.stdin = None;
    s.exits_1_saying("没有发送 shutdown");
    let mut s = Server::start(Value::Null, None);
    s.notify("exit", Value::Null);
    s.exits_1_saying("尚未收到 shutdown");
}

fn a_huge_document_is_not_linted_and_requests_go_on() {
    let mut s = Server::start(json!({"debounceMs": 0}), None);
    let uri = "file:///tmp/gklint-hostile/big.txt";
    // 44 MB of text: over the 20 MiB file-size limit, under the 64 MiB message limit.
    let text = REPORT.repeat(44_000_000 / REPORT.len());
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": text}}),
    );
    drop(text);
    let start = Instant::now();
    let r = s.answers(uri);
    assert_eq!(r["result"], Value::Null, "{r}");
    let d = s
        .wait(LIMIT, |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri
        })
        .expect("a diagnostic for the huge document");
    assert_eq!(
        d["params"]["diagnostics"][0]["code"], "file-too-large",
        "{d}"
    );
    assert!(
        d["params"]["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("20.0 MB"),
        "{d}"
    );
    // Edits into it are ignored, another document is linted meanwhile.
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x"}]}),
    );
    let small = "file:///tmp/gklint-hostile/small.txt";
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": small, "languageId": "plaintext", "version": 1, "text": REPORT}}),
    );
    s.wait(LIMIT, |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == small
    })
    .expect("the small document is linted");
    assert!(start.elapsed() < LIMIT, "{:?}", start.elapsed());
    s.shutdown();
}

fn fifo(dir: &Path, name: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    // SAFETY: a valid C string; mkfifo only creates the node.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    p
}

fn fifo_case(in_settings: bool) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let pack = fifo(&root, "p.yaml");
    std::fs::write(root.join("r.txt"), REPORT).unwrap();
    let options = if in_settings {
        json!({"packs": [pack], "debounceMs": 0})
    } else {
        std::fs::write(root.join("gklint.yaml"), "packs: [\"./p.yaml\"]\n").unwrap();
        json!({"debounceMs": 0})
    };
    let mut s = Server::start(options, Some(&root));
    let uri = format!("file://{}", root.join("r.txt").display());
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": REPORT}}),
    );
    let r = s.answers(&uri);
    assert!(
        r["result"].is_array(),
        "the document is linted without the pack: {r}"
    );
    let said = |m: &Value| m.to_string().contains("命名管道");
    s.wait(LIMIT, said)
        .unwrap_or_else(|| panic!("the FIFO pack is not reported; stderr: {}", s.stderr()));
    if !in_settings {
        let config = format!("file://{}", root.join("gklint.yaml").display());
        assert!(
            s.seen
                .iter()
                .any(|m| m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == config.as_str()
                    && said(m)),
            "the error is on gklint.yaml"
        );
    }
    s.shutdown();
}

fn a_fifo_pack_in_the_settings_is_reported() {
    fifo_case(true);
}

fn a_fifo_pack_in_the_configuration_is_reported() {
    fifo_case(false);
}

/// The configuration the settings name, and the plugin trust file, as a
/// FIFO or a device: reported, never waited on or read without end.
fn other_files_that_cannot_be_read_never_block() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let trust = fifo(&root, "trusted-plugins.json");
    std::fs::write(root.join("libx.so"), b"not a library").unwrap();
    for config in [fifo(&root, "c.yaml"), "/dev/zero".into()] {
        let options = json!({"config": config, "plugins": [root.join("libx.so")], "debounceMs": 0});
        let mut s = Server::start_with(options, Some(&root), &[("GKLINT_TRUST_FILE", &trust)]);
        let uri = format!("file://{}", root.join("r.txt").display());
        s.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": REPORT}}),
        );
        let r = s.answers(&uri);
        assert!(r["result"].is_array(), "{}: {r}", config.display());
        for says in ["c.yaml", "trusted-plugins.json"] {
            if config.ends_with("zero") && says == "c.yaml" {
                continue;
            }
            s.wait(LIMIT, |m| m.to_string().contains(says))
                .unwrap_or_else(|| panic!("{says} not reported; stderr: {}", s.stderr()));
        }
        s.shutdown();
    }
}

fn an_endless_debounce_is_clamped() {
    let mut s = Server::start(json!({"debounceMs": u64::MAX}), None);
    s.wait(LIMIT, |m| {
        m["method"] == "window/showMessage" && m.to_string().contains("debounceMs")
    })
    .expect("the clamped setting is reported");
    let uri = "file:///tmp/gklint-hostile/d.txt";
    s.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "plaintext", "version": 1, "text": REPORT}}),
    );
    s.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": "二、主动公开\n"}]}),
    );
    // Linted again after at most the 10 s ceiling, not never.
    s.wait(Duration::from_secs(20), |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["version"] == 2
    })
    .expect("the change is linted within the debounce ceiling");
    s.shutdown();
}

fn shutdown_and_exit_is_the_only_exit_0() {
    let s = Server::start(Value::Null, None);
    s.shutdown();
    // Messages not meant for it are ignored, the internal ones too.
    let mut s = Server::start(Value::Null, None);
    let fake = Notification::new("$/gklint/streamBroken".into(), json!({"message": "x"}));
    s.send(&serde_json::to_value(Message::from(fake)).unwrap());
    s.shutdown();
}

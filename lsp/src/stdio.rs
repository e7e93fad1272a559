//! The connection over stdin and stdout: a reader thread turns frames
//! ([`crate::transport`]) into messages for the main loop, and a writer
//! thread writes the main loop's messages. What the reader cannot take as a
//! message it answers or logs itself (stderr and `window/logMessage`); what
//! the main loop must know of (a lost change, a broken stream) it sends as
//! one of the internal notifications below, in order with the messages.

use std::io::{self, Write};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded, select};
use lsp_server::{Connection, Message, Notification, Response};
use lsp_types::notification::{LogMessage, Notification as _};
use lsp_types::{LogMessageParams, MessageType};
use serde_json::json;

use crate::transport::{Frame, Invalid, Reader};

/// The reader can read no further: `params.message` says why (already logged).
pub const FATAL: &str = "$/gklint/streamBroken";
/// A notification that could not be read: `params.method`, `params.uri`.
pub const LOST: &str = "$/gklint/notificationLost";

/// At most this many `window/logMessage` of framing errors per minute; the
/// rest go to stderr only (a client that floods garbage is not flooded back).
const LOG_BURST: u32 = 20;

/// The connection, and the writer thread to wait for at the end.
pub struct Stdio {
    pub connection: Connection,
    writer: JoinHandle<()>,
}

impl Stdio {
    pub fn start() -> Stdio {
        let (to_main, from_reader) = bounded::<Message>(0);
        let (to_writer, from_main) = bounded::<Message>(0);
        // The reader's own answers and logs; dropped when full (see `Notices`).
        let (notices, from_notices) = bounded::<Message>(64);
        let writer = std::thread::Builder::new()
            .name("gklint-lsp-writer".into())
            .spawn(move || write_loop(from_main, from_notices, io::stdout().lock()))
            .expect("spawn the writer thread");
        std::thread::Builder::new()
            .name("gklint-lsp-reader".into())
            .spawn(move || {
                read_loop(
                    Reader::new(io::stdin().lock()),
                    to_main,
                    Notices::new(notices),
                )
            })
            .expect("spawn the reader thread");
        Stdio {
            connection: Connection {
                sender: to_writer,
                receiver: from_reader,
            },
            writer,
        }
    }

    /// Waits until what the main loop sent is written (the reader thread,
    /// maybe blocked on stdin, is left to the process's end).
    pub fn finish(self) {
        drop(self.connection);
        let _ = self.writer.join();
    }
}

/// Writes the main loop's messages and the reader's notices until the main
/// loop is done (or stdout is closed).
fn write_loop(main: Receiver<Message>, notices: Receiver<Message>, mut out: impl Write) {
    let mut closed = false;
    loop {
        let msg = select! {
            recv(main) -> m => match m {
                Ok(m) => m,
                Err(_) => return,
            },
            recv(notices) -> m => match m {
                Ok(m) => m,
                Err(_) => continue,
            },
        };
        if !closed && let Err(e) = msg.write(&mut out) {
            // Keep draining: the main loop must not block on a dead client.
            crate::log(&format!(
                "writing to stdout failed: {e}; the client has gone"
            ));
            closed = true;
        }
    }
}

/// The reader's messages to the client, rate-limited, never blocking.
pub struct Notices {
    sender: Sender<Message>,
    window: Instant,
    sent: u32,
}

impl Notices {
    pub fn new(sender: Sender<Message>) -> Notices {
        Notices {
            sender,
            window: Instant::now(),
            sent: 0,
        }
    }

    /// An answer the client waits for: waits for room.
    fn answer(&self, msg: Message) {
        let _ = self.sender.send(msg);
    }

    /// A `window/logMessage`, within the per-minute budget.
    fn log(&mut self, typ: MessageType, message: String) {
        if self.window.elapsed() > Duration::from_secs(60) {
            self.window = Instant::now();
            self.sent = 0;
        }
        self.sent += 1;
        if self.sent > LOG_BURST {
            return;
        }
        let params = LogMessageParams { typ, message };
        // Full means the client is not reading; stderr has it anyway.
        let _ = self
            .sender
            .try_send(Notification::new(LogMessage::METHOD.into(), params).into());
    }
}

/// Reads frames until the stream ends or breaks; messages go to the main
/// loop, the rest is answered or logged here.
pub fn read_loop(mut reader: Reader<impl io::Read>, main: Sender<Message>, mut notices: Notices) {
    loop {
        let frame = match reader.next_frame() {
            Ok(Some(f)) => f,
            // The client closed stdin: the main loop sees the channel close.
            Ok(None) => return,
            Err(fatal) => {
                let message = fatal.to_string();
                crate::log(&message);
                let n = Notification::new(FATAL.into(), json!({ "message": message }));
                let _ = main.send(n.into());
                return;
            }
        };
        match frame {
            Frame::Message(m) => {
                if internal(&m) {
                    crate::log("ignored a client message using gklint's internal method names");
                    continue;
                }
                if main.send(m).is_err() {
                    return;
                }
            }
            Frame::Skipped { why } => {
                let message = format!(
                    "收到的数据不符合语言服务器协议的分帧格式（{why}），已跳过，直到下一个 Content-Length 消息头。\
                     如果反复出现，请检查启动 gklint lsp 的编辑器插件：标准输入只能传送 LSP 消息"
                );
                crate::log(&message);
                notices.log(MessageType::ERROR, message);
            }
            Frame::Invalid(inv) => {
                if !invalid(inv, &main, &mut notices) {
                    return;
                }
            }
        }
    }
}

/// A message gklint made for itself, coming from the client.
fn internal(m: &Message) -> bool {
    match m {
        Message::Notification(n) => n.method.starts_with("$/gklint/"),
        Message::Request(r) => r.method.starts_with("$/gklint/"),
        Message::Response(_) => false,
    }
}

/// Answers a request that could not be read (its id was), logs anything
/// else, and tells the main loop of a lost document notification. `false`
/// when the main loop has gone.
fn invalid(inv: Invalid, main: &Sender<Message>, notices: &mut Notices) -> bool {
    let what = inv.method.as_deref().unwrap_or("（方法名无法读取）");
    let message = format!(
        "无法读取客户端发来的一条消息（{what}）：{}。这条消息已被忽略",
        inv.why
    );
    crate::log(&message);
    match (&inv.id, &inv.method) {
        (Some(id), Some(_)) => {
            notices.answer(Response::new_err(id.clone(), inv.code, message).into());
        }
        _ => {
            notices.log(MessageType::ERROR, message);
            if let (Some(method), None) = (&inv.method, &inv.id) {
                let n = Notification::new(
                    LOST.into(),
                    json!({ "method": method, "uri": inv.uri, "why": inv.why }),
                );
                return main.send(n.into()).is_ok();
            }
        }
    }
    true
}

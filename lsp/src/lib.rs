//! gklint's language server: `gklint lsp` speaks the Language Server Protocol
//! over stdio, so that an editor marks a report's faults while it is typed.
//!
//! Synchronous (lsp-server and crossbeam channels, no async runtime): the main
//! loop keeps the documents and answers requests; one worker thread lints.
//! Logs go to stderr only; stdout carries the protocol.

mod actions;
mod analysis;
mod cli_shared;
mod diagnostics;
mod documents;
mod hover;
mod identities;
mod plugins;
pub mod position;
mod server;
mod stdio;
mod symbols;
pub mod transport;
pub mod uri;
mod worker;
mod workspace;

use std::process::ExitCode;

pub use server::{DEFAULT_DEBOUNCE, Exit, capabilities, serve};

/// Runs the server over stdin/stdout until the client says `exit` (or goes away).
/// Exit code 0 only after `shutdown` + `exit`; 1, with a line on stderr
/// saying why, for every other end (an `exit` without `shutdown`, stdin
/// closed, a stream that cannot be read on).
pub fn run_stdio() -> anyhow::Result<ExitCode> {
    // Compiled while the client initializes, not on the first keystroke's lint.
    std::thread::spawn(gklint_engine::warm_up);
    let io = stdio::Stdio::start();
    let connection = lsp_server::Connection {
        sender: io.connection.sender.clone(),
        receiver: io.connection.receiver.clone(),
    };
    let exit = serve(connection);
    io.finish();
    let exit = exit?;
    match exit {
        Exit::Clean => {}
        Exit::WithoutShutdown => log("收到 exit 时尚未收到 shutdown，按协议以退出码 1 结束"),
        Exit::Disconnected => {
            log("客户端没有发送 shutdown 和 exit 就关闭了连接（标准输入已结束），以退出码 1 结束")
        }
        // The reason is on stderr already.
        Exit::Broken => log("无法继续读取客户端的消息，以退出码 1 结束"),
    }
    Ok(exit.code())
}

/// A line on stderr (the only place the server writes to besides the protocol).
pub(crate) fn log(message: &str) {
    eprintln!("gklint-lsp: {message}");
}

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
mod symbols;
pub mod uri;
mod worker;
mod workspace;

use std::process::ExitCode;

pub use server::{DEFAULT_DEBOUNCE, Exit, capabilities, serve};

/// Runs the server over stdin/stdout until the client says `exit` (or goes away).
/// Exit code 0 after `shutdown` + `exit`, 1 for an `exit` without `shutdown`.
pub fn run_stdio() -> anyhow::Result<ExitCode> {
    // Compiled while the client initializes, not on the first keystroke's lint.
    std::thread::spawn(gklint_engine::warm_up);
    let (connection, io_threads) = lsp_server::Connection::stdio();
    let exit = serve(connection)?;
    if exit != Exit::Disconnected {
        io_threads.join()?;
    }
    Ok(match exit {
        Exit::Clean | Exit::Disconnected => ExitCode::SUCCESS,
        Exit::WithoutShutdown => ExitCode::from(1),
    })
}

/// A line on stderr (the only place the server writes to besides the protocol).
pub(crate) fn log(message: &str) {
    eprintln!("gklint-lsp: {message}");
}

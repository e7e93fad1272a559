//! The `gklint` command line.

mod args;
mod baseline;
mod cache;
mod commands;
mod config;
mod fingerprint;
mod fixing;
mod input;
mod limits;
mod output;
mod packs;
mod pdf;
mod regular_file;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    // A child started to read one PDF in isolation (see pdf.rs).
    if let Some(code) = pdf::worker() {
        return code;
    }
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("gklint: 错误：{err:#}");
            ExitCode::from(2)
        }
    }
}

//! One module per subcommand.

mod parse;

use std::process::ExitCode;

use anyhow::Result;

use crate::args::{Cli, Command};

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Parse { file, format } => parse::run(&file, format),
    }
}

//! One module per subcommand.

mod check;
mod parse;
mod rules;
mod test_pack;

use std::process::ExitCode;

use anyhow::Result;

use crate::args::{Cli, Command};

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Parse { file, format } => parse::run(&file, format),
        Command::TestPack { paths, builtin } => test_pack::run(&paths, builtin),
        Command::Explain { rule, packs } => rules::explain(&rule, &packs),
        Command::Rules { packs } => rules::list(&packs),
    }
}

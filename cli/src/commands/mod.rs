//! One module per subcommand.

mod check;
mod cross;
mod extract;
mod parse;
mod plugin;
mod rules;
mod test_pack;

use std::process::ExitCode;

use anyhow::Result;

use crate::args::{Cli, Command};

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Parse { file, format } => parse::run(&file, format),
        Command::Extract {
            files,
            format,
            output,
            packs,
        } => extract::run(&files, format, output.as_ref(), &packs),
        Command::TestPack {
            paths,
            builtin,
            plugins,
        } => test_pack::run(&paths, builtin, &plugins),
        Command::Explain { rule, packs } => rules::explain(&rule, &packs),
        Command::Rules { packs } => rules::list(&packs),
        Command::Lsp { .. } => gklint_lsp::run_stdio(),
        Command::Plugin { command } => plugin::run(command),
        Command::Init { force } => init(force),
    }
}

/// `gklint init`: a commented starter configuration in the current folder.
fn init(force: bool) -> Result<ExitCode> {
    let path = std::path::Path::new(crate::config::NAMES[0]);
    if path.exists() && !force {
        anyhow::bail!("{} 已存在；要覆盖请加 --force", path.display());
    }
    std::fs::write(path, crate::config::STARTER)?;
    println!("已写入 {}", path.display());
    Ok(ExitCode::SUCCESS)
}

//! One module per subcommand.

mod check;
mod cross;
mod extract;
mod parse;
mod plugin;
mod rules;
mod sets;
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
        Command::Clean { cache_dir } => clean(cache_dir),
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

/// `gklint clean`: empties the result cache of `gklint check`.
fn clean(dir: Option<std::path::PathBuf>) -> Result<ExitCode> {
    let Some(root) = dir.or_else(crate::cache::default_root) else {
        anyhow::bail!("找不到缓存目录（HOME 与 XDG_CACHE_HOME 均未设置）；请用 --cache-dir 指定");
    };
    let n = crate::cache::clean(&root)?;
    println!("已清除缓存 {}（{n} 个版本的缓存目录）", root.display());
    Ok(ExitCode::SUCCESS)
}

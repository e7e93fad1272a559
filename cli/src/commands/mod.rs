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
/// Written to a new temporary file and renamed into place, so an existing
/// entry, a symbolic link (dangling or not) above all, is never written
/// through: without --force anything there is refused, with it a link or a
/// folder still is.
fn init(force: bool) -> Result<ExitCode> {
    use std::io::Write as _;

    use anyhow::Context as _;
    let path = std::path::Path::new(crate::config::NAMES[0]);
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => anyhow::bail!(
            "{} 是符号链接，gklint init 不会通过它写入（那会创建或覆盖它指向的文件）；请先删除该链接再运行",
            path.display()
        ),
        Ok(_) if !force => anyhow::bail!("{} 已存在；要覆盖请加 --force", path.display()),
        Ok(m) if !m.is_file() => anyhow::bail!(
            "{} 已存在且不是普通文件，未覆盖；请先移走它再运行",
            path.display()
        ),
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => anyhow::bail!("无法检查 {}：{e}", path.display()),
    }
    // Created new (O_EXCL) with the usual mode, then renamed over the name:
    // a rename replaces the entry itself, never what a link points to.
    let mut builder = tempfile::Builder::new();
    builder.prefix(".gklint-init-");
    // What `fs::write` would give (the umask still applies), not 0600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder
        .tempfile_in(".")
        .with_context(|| format!("无法在当前目录创建临时文件，{} 未写入", path.display()))?;
    tmp.write_all(crate::config::STARTER.as_bytes())
        .with_context(|| format!("写入临时文件失败，{} 未写入", path.display()))?;
    tmp.persist(path)
        .map_err(|e| anyhow::anyhow!("无法写入 {}：{}", path.display(), e.error))?;
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

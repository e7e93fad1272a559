//! `gklint check`: lint files and folders in parallel; print findings in
//! path order; exit 1 when an error is found.

use std::io::IsTerminal;
use std::process::ExitCode;

use anyhow::Result;
use gklint_engine::diagnostic::Severity;
use gklint_engine::lint::{Options, lint};
use rayon::prelude::*;

use crate::args::{CheckArgs, OutputFormat};
use crate::input::{collect, read_report};
use crate::output::{FileResult, human, json};
use crate::packs;

pub fn run(args: &CheckArgs) -> Result<ExitCode> {
    let packs = packs::load(&args.packs.packs, true)?;
    let files = collect(&args.paths)?;
    let options = Options::default();
    let results: Vec<Result<FileResult>> = files
        .par_iter()
        .map(|path| {
            let (bytes, format) = read_report(path)?;
            let name = path.display().to_string();
            let parsed = gklint_engine::parse(&name, bytes, format, &packs.catalog)?;
            let diagnostics = lint(&packs, &parsed, &options);
            Ok(FileResult {
                path: name,
                source: parsed.source,
                diagnostics,
            })
        })
        .collect();
    let mut ok = Vec::with_capacity(results.len());
    let mut failed = false;
    for r in results {
        match r {
            Ok(r) => ok.push(r),
            Err(e) => {
                eprintln!("gklint: 错误：{e:#}");
                failed = true;
            }
        }
    }
    match args.format {
        OutputFormat::Json => println!("{}", json::render(&ok)),
        OutputFormat::Human => print!("{}", human::render(&ok, std::io::stdout().is_terminal())),
    }
    if failed {
        return Ok(ExitCode::from(2));
    }
    let errors = ok
        .iter()
        .flat_map(|r| &r.diagnostics)
        .any(|d| d.severity == Severity::Error);
    Ok(if errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

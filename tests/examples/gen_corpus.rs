//! Writes generated reports into a directory, for measuring the CLI.
//!
//! `cargo run -p gklint-tests --example gen_corpus -- N DIR [SEED]`
//!
//! Writes `DIR/gen-00000.txt` … and prints the planted faults to stdout, one
//! per line: `file<TAB>line<TAB>kind<TAB>was<TAB>now`.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use gklint_tests::generate::{Planted, generate};

const USAGE: &str = "usage: gen_corpus N DIR [SEED]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (n, dir, seed) = match args.as_slice() {
        [n, dir] => (n.parse::<usize>(), PathBuf::from(dir), Ok(1)),
        [n, dir, seed] => (n.parse::<usize>(), PathBuf::from(dir), seed.parse::<u64>()),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let (Ok(n), Ok(seed)) = (n, seed) else {
        eprintln!("{USAGE}\nN and SEED are non-negative integers");
        return ExitCode::from(2);
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("cannot create {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let mut total = 0;
    let mut faults = 0;
    let mut out = std::io::stdout().lock();
    for g in generate(n, seed) {
        let path = dir.join(&g.name);
        if let Err(e) = std::fs::write(&path, &g.bytes) {
            eprintln!("cannot write {}: {e}", path.display());
            return ExitCode::FAILURE;
        }
        total += g.bytes.len();
        for p in &g.planted {
            faults += 1;
            let (was, now) = match p {
                Planted::BrokenTotal {
                    table,
                    row,
                    column,
                    was,
                    now,
                    ..
                } => (format!("{table}/{row}/{column}={was}"), now.to_string()),
                Planted::ArabicHeading { was, now, .. }
                | Planted::BracketedDocYear { was, now, .. }
                | Planted::InvalidDate { was, now, .. } => (was.clone(), now.clone()),
            };
            let _ = writeln!(out, "{}\t{}\t{}\t{was}\t{now}", g.name, p.line(), p.kind());
        }
    }
    eprintln!(
        "wrote {n} reports ({total} bytes, {faults} planted faults) to {}",
        dir.display()
    );
    ExitCode::SUCCESS
}

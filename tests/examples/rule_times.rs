//! Where linting time goes, rule by rule: parses N generated reports once,
//! then runs each built-in rule alone over all of them.
//!
//! `cargo run --release -p gklint-tests --example rule_times -- [N] [TOP]`
//!
//! A rule run alone also pays the per-report work its kind shares with
//! others (the NFKC fold, the 文号 candidates, the dates), so the times add
//! up to more than one run of every rule; the first line gives that run.

use std::collections::HashSet;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use gklint_engine::lint::{Options, lint};
use gklint_engine::read::Format;
use gklint_engine::{pack, parse};
use gklint_tests::generate::generate;

const USAGE: &str = "usage: rule_times [N] [TOP]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let number = |i: usize, default: usize| args.get(i).map_or(Ok(default), |s| s.parse());
    let (Ok(n), Ok(top)) = (number(0, 300), number(1, 25)) else {
        eprintln!("{USAGE}\nN and TOP are non-negative integers");
        return ExitCode::from(2);
    };
    // As in the benchmarks: the built-in packs are tested to load.
    let packs = pack::builtin().expect("built-in packs load");
    let started = Instant::now();
    let mut parsed = Vec::new();
    for g in generate(n, 2024) {
        match parse(&g.name, g.bytes, Format::Text, &packs.catalog) {
            Ok(p) => parsed.push(p),
            Err(e) => eprintln!("{}: {e}", g.name),
        }
    }
    println!("parse, {} reports: {:.1?}", parsed.len(), started.elapsed());
    let started = Instant::now();
    for p in &parsed {
        lint(&packs, p, &Options::default());
    }
    println!("every rule at once: {:.1?}", started.elapsed());
    let mut times: Vec<(Duration, String)> = packs
        .rules()
        .map(|r| {
            let options = Options {
                only: Some(HashSet::from([r.meta.id.clone()])),
                ..Options::default()
            };
            let started = Instant::now();
            for p in &parsed {
                lint(&packs, p, &options);
            }
            (
                started.elapsed(),
                format!("{} ({})", r.meta.id, r.meta.kind),
            )
        })
        .collect();
    times.sort_by(|a, b| b.cmp(a));
    for (d, rule) in times.iter().take(top) {
        println!("{:>10.2?}  {rule}", d);
    }
    ExitCode::SUCCESS
}

//! Whether any path of the engine is worse than linear: texts that repeat
//! one shape (a date, an e-mail address, a heading line, a table row…) at
//! two sizes, four times apart, parsed and linted with every built-in rule.
//! A linear path takes about four times as long on the larger text, a
//! quadratic one sixteen times; a shape whose ratio is over 8 is flagged,
//! and the exit code is 1 when one is.
//!
//! `cargo run --release -p gklint-tests --example scaling -- [--lines] [--md | --html] [BYTES] [SHAPE…]`
//!
//! With `--lines`, each repetition stands on a line of its own; with `--md`
//! or `--html`, the texts go through the Markdown or the HTML reader.
//! BYTES is the smaller size (default 500000). Each shape follows a report
//! title, so that the rules for reports apply. Looking up each hit among all
//! the others once made a 2 MB line of dates take 19 s: this finds such paths.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use gklint_engine::lint::{Options, lint};
use gklint_engine::read::Format;
use gklint_engine::{pack, parse};

const USAGE: &str = "usage: scaling [--lines] [--md | --html] [BYTES] [SHAPE…]";

/// Ratio of the two times above which a shape is flagged.
const FLAG: f64 = 8.0;

const TITLE: &str = "某某局2020年政府信息公开工作年度报告\n";

/// (name, the repeated text)
const SHAPES: &[(&str, &str)] = &[
    ("year", "2019年"),
    ("date", "2020年1月31日"),
    ("impossible-date", "2020年2月30日，"),
    ("month-13", "2020年13月"),
    ("chinese-date", "二〇一九年十月一日"),
    ("month-day", "3月5日"),
    ("period", "本报告统计期限为2019年1月1日至2019年12月31日。"),
    ("plan", "2020年将继续"),
    ("document-number", "国办发〔2019〕12号"),
    ("order-number", "令第12号"),
    ("article", "第十二条"),
    ("tab-cell", "\t1"),
    ("digits", "1234567890"),
    ("percent", "12.5%"),
    ("table-row", "（一）予以公开 5 3 2 1 0 0 8\n"),
    ("markdown-row", "| 1 | 2 | 3 |\n"),
    ("total", "合计 12 "),
    ("heading", "一、总体情况\n"),
    ("subheading", "（一）主动公开\n"),
    ("numbered", "1. "),
    ("phone", "电话：010-12345678 "),
    ("e-mail", "邮箱：a@b.cn，"),
    ("website", "http://www.gov.cn/a/b "),
    ("office", "北京市人民政府办公厅"),
    ("received", "收到申请12件，"),
    ("carried-over", "12件结转下年度"),
    ("of-which", "其中："),
    ("newline", "\n"),
    ("carriage-return", "\r"),
    ("space", " "),
    ("tab-newline", "\t\n"),
    ("form-feed", "\u{c}"),
    ("open-quote", "“"),
    ("open-paren", "（"),
    ("close-paren", "）"),
    ("close-quote", "”"),
    ("book-title", "《"),
    ("book-title-end", "》"),
    ("book-title-pair", "《甲》"),
    ("quotation", "“甲”"),
    ("semicolon", ";"),
    ("comma", "，"),
    ("ellipsis", "……"),
    ("html-tag", "<div>"),
];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `--lines`: each repetition on a line of its own (paragraph-wise paths).
    let one_per_line = args.iter().any(|a| a == "--lines");
    // `--md`, `--html`: the same texts through the Markdown or HTML reader.
    let format = if args.iter().any(|a| a == "--md") {
        Format::Markdown
    } else if args.iter().any(|a| a == "--html") {
        Format::Html
    } else {
        Format::Text
    };
    let args: Vec<String> = args
        .into_iter()
        .filter(|a| !matches!(a.as_str(), "--lines" | "--md" | "--html"))
        .collect();
    let (bytes, wanted) = match args.first().map(|s| s.parse::<usize>()) {
        Some(Ok(b)) => (b, &args[1..]),
        Some(Err(_)) if SHAPES.iter().any(|(n, _)| *n == args[0]) => (500_000, &args[..]),
        Some(Err(_)) => {
            eprintln!("{USAGE}\nBYTES is a positive integer; shapes: {}", names());
            return ExitCode::from(2);
        }
        None => (500_000, &args[..]),
    };
    if let Some(bad) = wanted.iter().find(|w| !SHAPES.iter().any(|(n, _)| n == w)) {
        eprintln!("{USAGE}\nno shape {bad}; shapes: {}", names());
        return ExitCode::from(2);
    }
    // As in the benchmarks: the built-in packs are tested to load.
    let packs = pack::builtin().expect("built-in packs load");
    let time = |shape: &str, size: usize| -> Duration {
        let unit = if one_per_line && !shape.ends_with('\n') {
            format!("{shape}\n")
        } else {
            shape.to_owned()
        };
        let text = format!("{TITLE}{}", unit.repeat(size / unit.len() + 1));
        let started = Instant::now();
        match parse("scaling", text.into_bytes(), format, &packs.catalog) {
            Ok(p) => {
                lint(&packs, &p, &Options::default());
            }
            Err(e) => eprintln!("{e}"),
        }
        started.elapsed()
    };
    println!("{:<16} {:>10} {:>10}  ratio", "shape", bytes, bytes * 4);
    let mut flagged = Vec::new();
    for (name, shape) in SHAPES {
        if !wanted.is_empty() && !wanted.iter().any(|w| w == name) {
            continue;
        }
        let small = time(shape, bytes);
        let large = time(shape, bytes * 4);
        let ratio = large.as_secs_f64() / small.as_secs_f64().max(1e-6);
        let flag = if ratio > FLAG {
            "  <- worse than linear"
        } else {
            ""
        };
        println!("{name:<16} {small:>10.2?} {large:>10.2?}  {ratio:>5.1}{flag}");
        if ratio > FLAG {
            flagged.push(*name);
        }
    }
    if flagged.is_empty() {
        ExitCode::SUCCESS
    } else {
        println!("worse than linear: {}", flagged.join(", "));
        ExitCode::FAILURE
    }
}

fn names() -> String {
    SHAPES
        .iter()
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

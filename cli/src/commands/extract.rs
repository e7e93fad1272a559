//! `gklint extract --format csv FILE...`: the table values of many reports as
//! one CSV, for the offices that compile provincial statistics.
//!
//! One line per table cell: `office,year,table,row,column,value`, with the
//! ids of `gklint parse --format json` (table `applications`, row
//! `carried-over`, column `natural-person`) and the number exactly as
//! written (`9116.36`), then `path` (the file as given, so that reports
//! whose title names no office stay apart) and `row_label`, `column_label`
//! (the template's Chinese labels: 二、上年结转政府信息公开申请数量, 自然人). A cell that is blank, `/` or unreadable has an empty
//! value (never 0); a cell the template leaves out of a row (表二's 规章 has
//! no 本年处理决定数量) has no line. Group rows carry no numbers and have no
//! line. Reports are read in path order; a file that cannot be read is named
//! on standard error, the others are still extracted, and the exit code is 2.

use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use gklint_engine::model::{Reading, Report};
use gklint_engine::schema::Catalog;
use rayon::prelude::*;

use crate::args::{ExtractFormat, PackArgs};
use crate::input::{collect, read_report};
use crate::packs;

pub const HEADER: [&str; 9] = [
    "office",
    "year",
    "table",
    "row",
    "column",
    "value",
    "path",
    "row_label",
    "column_label",
];

pub fn run(
    files: &[PathBuf],
    format: ExtractFormat,
    output: Option<&PathBuf>,
    pack_args: &PackArgs,
) -> Result<ExitCode> {
    let ExtractFormat::Csv = format;
    let set = packs::compile(&packs::inputs(&pack_args.packs, packs::Builtin::Preparsed)?)?;
    let paths = collect(files)?;
    let parsed: Vec<Result<(String, Report)>> = paths
        .par_iter()
        .map(|p| {
            let (bytes, format) = read_report(p)?;
            let path = p.display().to_string();
            let parsed = crate::pdf::parse(&path, bytes, format, &set.catalog)?;
            Ok((path, parsed.report))
        })
        .collect();
    let mut failed = false;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for r in parsed {
        match r {
            Ok((path, report)) => write_report(&mut w, &path, &report, &set.catalog)?,
            Err(e) => {
                eprintln!("gklint: 错误：{e:#}");
                failed = true;
            }
        }
    }
    let bytes = w.into_inner().context("无法生成 CSV")?;
    match output {
        Some(path) => std::fs::write(path, &bytes)
            .with_context(|| format!("无法写入输出文件 {}", path.display()))?,
        None => std::io::stdout().write_all(&bytes)?,
    }
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_report<W: std::io::Write>(
    w: &mut csv::Writer<W>,
    path: &str,
    report: &Report,
    catalog: &Catalog,
) -> Result<()> {
    let office = report.office.clone().unwrap_or_default();
    let year = report
        .year
        .as_ref()
        .map(|y| y.value.to_string())
        .unwrap_or_default();
    for t in &report.tables {
        let layout = catalog.tables.iter().find(|l| l.schema_id == t.schema);
        for row in t.rows.iter().filter(|r| !r.group) {
            // An unreadable or empty row has no cells: its columns come from the layout.
            let applies: Vec<usize> = match row.reading {
                Reading::Unreadable { .. } | Reading::Empty => layout
                    .and_then(|l| l.rows.iter().find(|r| r.id == row.id))
                    .map(|r| r.columns.clone())
                    .unwrap_or_default(),
                Reading::Cells | Reading::Split => Vec::new(),
            };
            for (i, (col, cell)) in t.columns.iter().zip(&row.cells).enumerate() {
                let value = match cell {
                    Some(cell) => cell
                        .value
                        .map(|v| v.normalize().to_string())
                        .unwrap_or_default(),
                    None if applies.contains(&i) => String::new(),
                    None => continue,
                };
                w.write_record([
                    office.as_str(),
                    year.as_str(),
                    t.id.as_str(),
                    row.id.as_str(),
                    col.id.as_str(),
                    value.as_str(),
                    path,
                    row.label.as_str(),
                    col.label.as_str(),
                ])?;
            }
        }
    }
    Ok(())
}

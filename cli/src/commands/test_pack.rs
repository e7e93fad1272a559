//! `gklint test-pack`: every rule's examples, the way `ast-grep test` runs
//! them: a valid example must raise nothing from its rule, an invalid one must.

use std::collections::HashSet;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Result, bail};
use gklint_engine::lint::{Options, lint};
use gklint_engine::read::Format;
use gklint_engine::source::SourceFile;

use super::plugin::Host;
use crate::packs;

pub fn run(paths: &[PathBuf], builtin: bool, plugins: &[PathBuf]) -> Result<ExitCode> {
    if paths.is_empty() && !builtin && plugins.is_empty() {
        bail!("请给出规则包路径或 --plugin 插件，或用 --builtin 检验内置规则包");
    }
    // User packs may extend the built-in ones, so those are always loaded.
    let mut set = packs::load(paths)?;
    let mut host = Host::default();
    let loaded = host.named(plugins);
    host.add(&mut set, &loaded);
    let mut failures = Vec::new();
    let mut passed = 0usize;
    let mut tested = 0usize;
    for pack in set.packs.iter().filter(|p| builtin || !p.builtin) {
        for rule in &pack.rules {
            let m = &rule.meta;
            tested += 1;
            if m.valid.is_empty() || m.invalid.is_empty() {
                failures.push(format!(
                    "{}（{}）：缺少示例，valid 与 invalid 各至少需要一个",
                    m.id, pack.id
                ));
                continue;
            }
            let options = Options {
                only: Some(HashSet::from([m.id.clone()])),
                ..Options::default()
            };
            let mut ok = true;
            for (k, (text, should_fire)) in m
                .valid
                .iter()
                .map(|t| (t, false))
                .chain(m.invalid.iter().map(|t| (t, true)))
                .enumerate()
            {
                let src = SourceFile::from_text(format!("{}#{}", m.id, k + 1), text.clone());
                let parsed = gklint_engine::parse_source(src, Format::Text, &set.catalog);
                let found: Vec<_> = lint(&set, &parsed, &options)
                    .into_iter()
                    .filter(|d| d.rule == m.id && !d.not_assessable)
                    .collect();
                if should_fire && found.is_empty() {
                    ok = false;
                    failures.push(format!(
                        "{}（{}）：invalid 示例 {} 没有触发规则",
                        m.id,
                        pack.id,
                        k + 1 - m.valid.len()
                    ));
                } else if !should_fire && !found.is_empty() {
                    ok = false;
                    failures.push(format!(
                        "{}（{}）：valid 示例 {} 触发了规则：{}",
                        m.id,
                        pack.id,
                        k + 1,
                        found[0].message
                    ));
                }
            }
            if ok {
                passed += 1;
            }
        }
    }
    for f in &failures {
        println!("失败  {f}");
    }
    println!("{passed} passed, {} failed", tested - passed);
    Ok(if host.failed {
        ExitCode::from(2)
    } else if failures.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

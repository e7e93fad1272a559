//! `gklint rules` and `gklint explain RULE`.

use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::{Result, bail};

use super::plugin::Host;
use crate::args::PackArgs;
use crate::config::{Config, NAMES};
use crate::packs;

/// The built-in packs, `--pack` and `--plugin`, and the trusted plugins the
/// nearest config above the current folder lists (an untrusted one is a note
/// saying how to trust it); the host tells whether a plugin was refused.
fn load(args: &PackArgs) -> Result<(gklint_engine::pack::PackSet, Host)> {
    let mut set = packs::load(&args.packs)?;
    let mut host = Host::default();
    let plugins = host.named(&args.plugins);
    host.add(&mut set, &plugins);
    if let Some(config) = nearest_config() {
        let listed = host.configured_for_listing(&config.dir, &config.plugins);
        host.add(&mut set, &listed);
    }
    Ok((set, host))
}

/// The config `gklint check` would use for a file in the current folder.
fn nearest_config() -> Option<Config> {
    let cwd = std::env::current_dir().ok()?;
    let path = cwd
        .ancestors()
        .flat_map(|d| NAMES.iter().map(move |n| d.join(n)))
        .find(|p| p.is_file())?;
    match Config::load(&path) {
        Ok(c) => Some(c),
        Err(e) => {
            eprintln!("gklint: 注意：{e:#}；未读取其中列出的插件，请修正该配置文件。");
            None
        }
    }
}

pub fn list(args: &PackArgs) -> Result<ExitCode> {
    let (set, host) = load(args)?;
    let mut out = String::new();
    let _ = writeln!(out, "规则包：");
    for p in &set.packs {
        let _ = writeln!(
            out,
            "  {:<16} {:>3} 条规则  适用格式：{}  {}",
            p.id,
            p.rules.len(),
            formats(&set, &p.id),
            pack_note(p)
        );
    }
    let _ = writeln!(
        out,
        "\n{:<40} {:<16} {:<16} {:<12} {:<8} 可修复",
        "规则", "规则包", "适用格式", "类别", "严重程度"
    );
    for p in &set.packs {
        let templates = formats(&set, &p.id);
        for r in &p.rules {
            let m = &r.meta;
            let _ = writeln!(
                out,
                "{:<40} {:<16} {:<16} {:<12} {:<8} {}",
                m.id,
                m.pack,
                templates,
                m.category.as_str(),
                m.severity.as_str(),
                if m.fixable { "是" } else { "" }
            );
        }
    }
    print!("{out}");
    Ok(exit(&host))
}

/// The formats a pack's rules apply to, as `2019,2021` (or `全部`, `无`).
fn formats(set: &gklint_engine::pack::PackSet, pack: &str) -> String {
    let t = set.templates_of(pack);
    if t.len() == gklint_engine::pack::TEMPLATES.len() {
        "全部".into()
    } else if t.is_empty() {
        "无".into()
    } else {
        t.join(",")
    }
}

/// What else decides whether a pack applies, and whose rules it brings along.
fn pack_note(p: &gklint_engine::pack::Pack) -> String {
    let mut notes = Vec::new();
    if let Some((lo, hi)) = p.applies.years {
        let y = |v: Option<i32>| v.map_or(String::new(), |v| v.to_string());
        notes.push(format!("年度 {}..{}", y(lo), y(hi)));
    }
    if !p.applies.office_kinds.is_empty() {
        let kinds: Vec<&str> = p
            .applies
            .office_kinds
            .iter()
            .map(|k| match k {
                gklint_engine::model::OfficeKind::Government => "government",
                gklint_engine::model::OfficeKind::Department => "department",
            })
            .collect();
        notes.push(format!("机关 {}", kinds.join(",")));
    }
    if !p.extends.is_empty() {
        notes.push(format!("同时启用 {} 的规则", p.extends.join("、")));
    }
    if !p.layouts.is_empty() {
        let only = if p.rules.is_empty() {
            "只含"
        } else {
            "另含"
        };
        notes.push(format!("{only}表格布局 {}", p.layouts.join("、")));
    }
    notes.join("；")
}

fn exit(host: &Host) -> ExitCode {
    if host.failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    }
}

pub fn explain(rule: &str, args: &PackArgs) -> Result<ExitCode> {
    let (set, host) = load(args)?;
    let Some(r) = set.rule(rule) else {
        let near: Vec<&str> = set
            .rules()
            .map(|r| r.meta.id.as_str())
            .filter(|id| id.contains(rule) || rule.contains(*id))
            .collect();
        if near.is_empty() {
            bail!("没有规则 `{rule}`；用 gklint rules 查看全部规则");
        }
        bail!("没有规则 `{rule}`；是否要找：{}", near.join("、"));
    };
    let m = &r.meta;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}（规则包 {}；类型 {}；类别 {}；默认严重程度 {}）\n",
        m.id,
        m.pack,
        m.kind,
        m.category.as_str(),
        m.severity.chinese()
    );
    if let Some(d) = &m.docs {
        let _ = writeln!(out, "{d}\n");
    }
    let _ = writeln!(out, "消息：{}", m.message);
    let _ = writeln!(out, "修改建议：{}", m.help);
    if m.fixable {
        let _ = writeln!(out, "可用 --fix 自动修复。");
    }
    for (title, list) in [
        ("正确示例（不应报告）", &m.valid),
        ("错误示例（应当报告）", &m.invalid),
    ] {
        if list.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title}：");
        for ex in list {
            for line in ex.lines() {
                let _ = writeln!(out, "    {line}");
            }
            out.push('\n');
        }
    }
    print!("{out}");
    Ok(exit(&host))
}

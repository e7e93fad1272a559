//! `gklint.yaml` / `.gklint.yaml`: found by walking up from each file
//! (nearest wins), or given with `--config`. Packs to add, rule severities
//! and disables, per-path overrides by glob, the office kind, deadlines, and
//! files to ignore.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Result, anyhow, bail};
use gklint_engine::diagnostic::Severity;
use gklint_engine::lint::Options;
use gklint_engine::model::OfficeKind;
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;

pub const NAMES: [&str; 2] = ["gklint.yaml", ".gklint.yaml"];

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    /// Extra pack paths, relative to the config file.
    #[serde(default)]
    packs: Vec<String>,
    /// Native plugin libraries, relative to the config file; each loads only
    /// when the user's trust file trusts it (`gklint plugin trust`).
    #[serde(default)]
    plugins: Vec<String>,
    /// Rule id → error | warning | info | off.
    #[serde(default)]
    rules: HashMap<String, String>,
    #[serde(default)]
    overrides: Vec<OverrideFile>,
    #[serde(default)]
    office_kind: Option<String>,
    #[serde(default)]
    deadlines: Option<DeadlinesFile>,
    #[serde(default)]
    ignore: Vec<String>,
    #[serde(default)]
    limits: Option<LimitsFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LimitsFile {
    /// `20MB`, `512KB`, or bytes.
    #[serde(default)]
    max_file_size: Option<String>,
    /// Seconds per file.
    #[serde(default)]
    timeout: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideFile {
    files: Vec<String>,
    #[serde(default)]
    rules: HashMap<String, String>,
    #[serde(default)]
    office_kind: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeadlinesFile {
    #[serde(default)]
    department: Option<String>,
    #[serde(default)]
    government: Option<String>,
}

/// A loaded configuration, paths resolved against its directory.
#[derive(Debug, Default)]
pub struct Config {
    /// The YAML as read (the result cache keys on it).
    pub text: String,
    pub dir: PathBuf,
    pub packs: Vec<PathBuf>,
    pub plugins: Vec<PathBuf>,
    rules: Vec<(String, Setting)>,
    overrides: Vec<PathOverride>,
    pub office_kind: Option<OfficeKind>,
    /// (department, government) deadlines as (month, day).
    deadlines: [Option<(u32, u32)>; 2],
    ignore: Option<GlobSet>,
    /// Per-file limits set by this config (the command line wins).
    pub max_file_size: Option<u64>,
    pub timeout: Option<std::time::Duration>,
}

/// Settings for the files matching a glob set.
type PathOverride = (GlobSet, Vec<(String, Setting)>, Option<OfficeKind>);

#[derive(Debug, Clone, Copy)]
enum Setting {
    Severity(Severity),
    Off,
}

impl Config {
    pub fn load(path: &Path) -> Result<Config> {
        let text = super::regular_file::read_text(path, super::regular_file::MAX_TEXT_FILE)
            .map_err(|e| anyhow!("无法读取配置文件 {}：{e}", path.display()))?;
        if !super::regular_file::looks_like_yaml_mapping(&text) {
            // Not quoted: whatever the file is, it is not shown.
            bail!(
                "配置文件 {} 不是 YAML 配置（第一行应为 `键: 值` 形式，如 `packs: []`）；请检查这个文件，或用 `gklint init` 生成一个",
                path.display()
            );
        }
        let file: ConfigFile = serde_saphyr::from_str(&text).map_err(|e| {
            let at = e
                .location()
                .map_or(String::new(), |l| format!(":{}:{}", l.line(), l.column()));
            anyhow!(
                "配置文件 {}{at} 有误：{}",
                path.display(),
                parser_message(&e.to_string())
            )
        })?;
        // Absolute, so that globs match however the config was named (`--config gklint.yaml`).
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
        let dir = std::path::absolute(parent.unwrap_or(Path::new(".")))
            .unwrap_or_else(|_| parent.map(Path::to_path_buf).unwrap_or_default());
        let bad = |what: String| anyhow!("配置文件 {}：{what}", path.display());
        let settings = |m: &HashMap<String, String>| -> Result<Vec<(String, Setting)>> {
            let mut v: Vec<(String, Setting)> = m
                .iter()
                .map(|(k, s)| {
                    Ok((
                        k.clone(),
                        parse_setting(s).ok_or_else(|| {
                            bad(format!(
                                "规则 {k} 的设置应为 error、warning、info 或 off，而不是 `{s}`"
                            ))
                        })?,
                    ))
                })
                .collect::<Result<_>>()?;
            v.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(v)
        };
        let kind = |k: &Option<String>| -> Result<Option<OfficeKind>> {
            match k.as_deref() {
                None => Ok(None),
                Some("government") => Ok(Some(OfficeKind::Government)),
                Some("department") => Ok(Some(OfficeKind::Department)),
                Some(o) => Err(bad(format!(
                    "office_kind 应为 government 或 department，而不是 `{o}`"
                ))),
            }
        };
        let globs = |pats: &[String]| -> Result<GlobSet> {
            let mut b = GlobSetBuilder::new();
            for p in pats {
                b.add(Glob::new(p).map_err(|e| bad(format!("无效的文件模式 `{p}`：{e}")))?);
            }
            b.build().map_err(|e| bad(e.to_string()))
        };
        let deadline = |d: &Option<String>| -> Result<Option<(u32, u32)>> {
            let Some(d) = d else { return Ok(None) };
            let (m, day) = d
                .split_once('-')
                .ok_or_else(|| bad(format!("截止日期应写作 MM-DD，而不是 `{d}`")))?;
            let md = (m.parse().ok(), day.parse().ok());
            match md {
                (Some(m), Some(day)) if (1..=12).contains(&m) && (1..=31).contains(&day) => {
                    Ok(Some((m, day)))
                }
                _ => Err(bad(format!("截止日期应写作 MM-DD，而不是 `{d}`"))),
            }
        };
        let mut overrides = Vec::new();
        for o in &file.overrides {
            overrides.push((globs(&o.files)?, settings(&o.rules)?, kind(&o.office_kind)?));
        }
        let limits = file.limits.as_ref();
        let max_file_size = match limits.and_then(|l| l.max_file_size.as_deref()) {
            Some(s) => Some(
                super::limits::parse_size(s)
                    .map_err(|e| bad(format!("limits.max_file_size：{e}")))?,
            ),
            None => None,
        };
        let timeout = match limits.and_then(|l| l.timeout) {
            Some(t) => Some(
                super::limits::parse_timeout(&t.to_string())
                    .map_err(|e| bad(format!("limits.timeout：{e}")))?,
            ),
            None => None,
        };
        // A repository's config may lower the limits, not raise them past
        // the ceilings: that is the user's own word (--max-file-size, --timeout).
        let max_file_size = max_file_size.map(|n| {
            let ceiling = super::limits::CONFIG_MAX_FILE_SIZE_CEILING;
            if n > ceiling {
                warn_ceiling(
                    path,
                    &text,
                    "max_file_size",
                    &super::limits::human_size(ceiling),
                    "--max-file-size",
                );
            }
            n.min(ceiling)
        });
        let timeout = timeout.map(|t| {
            let ceiling = super::limits::CONFIG_TIMEOUT_CEILING;
            if t > ceiling {
                warn_ceiling(
                    path,
                    &text,
                    "timeout",
                    &format!("{} 秒", ceiling.as_secs()),
                    "--timeout",
                );
            }
            t.min(ceiling)
        });
        Ok(Config {
            max_file_size,
            timeout,
            packs: file.packs.iter().map(|p| dir.join(p)).collect(),
            plugins: file.plugins.iter().map(|p| dir.join(p)).collect(),
            rules: settings(&file.rules)?,
            overrides,
            office_kind: kind(&file.office_kind)?,
            deadlines: match &file.deadlines {
                Some(d) => [deadline(&d.department)?, deadline(&d.government)?],
                None => [None, None],
            },
            ignore: if file.ignore.is_empty() {
                None
            } else {
                Some(globs(&file.ignore)?)
            },
            dir,
            text,
        })
    }

    fn relative<'a>(&self, file: &'a Path) -> &'a Path {
        file.strip_prefix(&self.dir).unwrap_or(file)
    }

    pub fn ignores(&self, file: &Path) -> bool {
        self.ignore
            .as_ref()
            .is_some_and(|g| g.is_match(self.relative(file)))
    }

    /// Lint options for one file: base settings, then matching overrides in order.
    pub fn options_for(&self, file: &Path) -> (Options, Option<OfficeKind>) {
        let mut o = Options::default();
        if let Some(d) = self.deadlines[0] {
            o.settings.department_deadline = d;
        }
        if let Some(g) = self.deadlines[1] {
            o.settings.government_deadline = g;
        }
        let mut kind = self.office_kind;
        let apply = |list: &[(String, Setting)], o: &mut Options| {
            for (rule, s) in list {
                match s {
                    Setting::Off => {
                        o.disabled.insert(rule.clone());
                    }
                    Setting::Severity(sev) => {
                        o.disabled.remove(rule);
                        o.severities.insert(rule.clone(), *sev);
                    }
                }
            }
        };
        apply(&self.rules, &mut o);
        let rel = self.relative(file);
        for (globs, rules, k) in &self.overrides {
            if globs.is_match(rel) {
                apply(rules, &mut o);
                if k.is_some() {
                    kind = *k;
                }
            }
        }
        (o, kind)
    }
}

/// A YAML parser's message, without any excerpt of the file it may carry:
/// its first line, cut short.
fn parser_message(m: &str) -> String {
    super::regular_file::clip(m.lines().next().unwrap_or_default(), 160)
}

/// Says that a limit of the config at `path` was lowered to its ceiling,
/// naming the line of the key when it can be found.
fn warn_ceiling(path: &Path, text: &str, key: &str, ceiling: &str, flag: &str) {
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with(&format!("{key}:")))
        .map_or(String::new(), |i| format!(":{}", i + 1));
    eprintln!(
        "gklint: 警告：配置文件 {}{line} 的 limits.{key} 超过配置允许的上限 {ceiling}，已改用 {ceiling}（需要更大的值时请在命令行用 {flag} 指定）",
        path.display()
    );
}

fn parse_setting(s: &str) -> Option<Setting> {
    Some(match s {
        "error" => Setting::Severity(Severity::Error),
        "warning" => Setting::Severity(Severity::Warning),
        "info" => Setting::Severity(Severity::Info),
        "off" => Setting::Off,
        _ => return None,
    })
}

/// Finds the nearest config above each file, loading each once.
#[derive(Default)]
pub struct Discovery {
    by_dir: HashMap<PathBuf, Option<Arc<Config>>>,
    loaded: HashMap<PathBuf, Arc<Config>>,
    /// Configs that failed to load, with the message: read once, not once per file.
    failed: HashMap<PathBuf, String>,
}

impl Discovery {
    pub fn for_file(&mut self, file: &Path) -> Result<Option<Arc<Config>>> {
        let abs = std::path::absolute(file).unwrap_or_else(|_| file.to_path_buf());
        let start = abs.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut dir = Some(start.as_path());
        let mut visited = Vec::new();
        let mut found = None;
        while let Some(d) = dir {
            if let Some(cached) = self.by_dir.get(d) {
                found = cached.clone();
                break;
            }
            visited.push(d.to_path_buf());
            // Anything by that name but a folder is the config: a FIFO or a
            // device is then refused by name rather than passed over silently.
            if let Some(path) = NAMES
                .iter()
                .map(|n| d.join(n))
                .find(|p| std::fs::metadata(p).is_ok_and(|m| !m.is_dir()))
            {
                if let Some(m) = self.failed.get(&path) {
                    bail!("{m}");
                }
                let cfg = match self.loaded.get(&path) {
                    Some(c) => c.clone(),
                    None => {
                        let c = match Config::load(&path) {
                            Ok(c) => Arc::new(c),
                            Err(e) => {
                                self.failed.insert(path.clone(), format!("{e:#}"));
                                return Err(e);
                            }
                        };
                        self.loaded.insert(path.clone(), c.clone());
                        c
                    }
                };
                found = Some(cfg);
                break;
            }
            dir = d.parent();
        }
        for v in visited {
            self.by_dir.insert(v, found.clone());
        }
        Ok(found)
    }
}

pub const STARTER: &str = r#"# gklint 配置文件。gklint 从被检查文件所在目录向上查找最近的 gklint.yaml 或 .gklint.yaml。
# 所有字段都可省略。

# 追加的规则包（目录或 YAML 文件，相对本文件）：
packs: []
#  - ./本省规则包

# 原生插件（动态库，相对本文件）。插件以你的权限运行：只有先用
# `gklint plugin trust 路径` 信任过的插件文件才会加载。
# plugins:
#   - ./插件/libmy_province.so

# 调整规则的严重程度：error、warning、info，或 off 关闭。用 `gklint rules` 查看全部规则。
rules: {}
#  section-variant: error
#  contact-any: off

# 按路径调整（glob 模式，相对本文件）：
overrides: []
#  - files: ["历年报告/2018/**"]
#    rules:
#      template-year: off

# 报告机关类型：government（人民政府及其办公厅/室）或 department（政府部门）。
# 不写时由报告标题判断。发布截止日期因类型而不同。
# office_kind: department

# 发布截止日期（报告年度的次年，MM-DD），默认部门 01-31、政府 03-31：
# deadlines:
#   department: "01-31"
#   government: "03-31"

# 不检查的文件（glob 模式，相对本文件）：
ignore: []
#  - "草稿/**"

# 单个文件的上限：超过大小的文件不读取，超过时间的文件跳过；都会报错并继续检查其他文件。
# 命令行的 --max-file-size、--timeout 优先。
# limits:
#   max_file_size: 20MB
#   timeout: 10
"#;

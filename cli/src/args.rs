//! Command-line arguments (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "gklint",
    version,
    about = "政府信息公开工作年度报告检查工具（gklint）",
    long_about = "检查政府信息公开工作年度报告：表格勾稽关系、章节结构、模板版本、发文字号、日期与联系方式。",
    after_help = "示例：\n  gklint check 报告.txt\n  gklint check 年报目录/ --format json\n  gklint parse 报告.txt --format json\n  gklint explain applications-balance"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 检查报告（文件或目录），列出发现的问题。
    #[command(
        after_help = "示例：\n  gklint check 报告.txt\n  gklint check 年报目录/ --format json\n  gklint check 报告.txt --pack 本省规则包/\n\n退出码：0 无错误；1 发现错误；2 用法、规则包或读写错误。"
    )]
    Check(CheckArgs),
    /// 读取一份报告，输出识别出的报告模型（标题、年度、章节、表格数值）。
    #[command(after_help = "示例：\n  gklint parse 报告.txt\n  gklint parse 报告.md --format json")]
    Parse {
        /// 报告文件（.txt、.md）。
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = ParseFormat::Text)]
        format: ParseFormat,
    },
    /// 运行规则包中每条规则的示例：valid 示例不得触发，invalid 示例必须触发。
    #[command(
        name = "test-pack",
        after_help = "示例：\n  gklint test-pack rules/examples/province-pack\n  gklint test-pack --builtin"
    )]
    TestPack {
        /// 规则包目录或 YAML 文件。
        paths: Vec<PathBuf>,
        /// 同时检验内置规则包。
        #[arg(long)]
        builtin: bool,
    },
    /// 显示一条规则的说明、消息与示例。
    #[command(after_help = "示例：\n  gklint explain applications-balance")]
    Explain {
        rule: String,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// 在当前目录写一个带注释的配置文件 gklint.yaml。
    Init {
        /// 已存在时覆盖。
        #[arg(long)]
        force: bool,
    },
    /// 列出所有规则及其所属规则包、类别与严重程度。
    Rules {
        #[command(flatten)]
        packs: PackArgs,
    },
}

#[derive(Debug, Args)]
pub struct PackArgs {
    /// 追加规则包（目录或 YAML 文件），可重复。
    #[arg(long = "pack", value_name = "PATH")]
    pub packs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// 要检查的文件或目录；`-` 表示从标准输入读取。
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    #[arg(long, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// 输出写入文件而不是标准输出。
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// 额外输出每条规则的问题数。
    #[arg(long)]
    pub statistics: bool,
    /// 出现此严重程度（或更高）的问题时退出码为 1。
    #[arg(long, value_enum, default_value_t = FailOn::Error)]
    pub fail_on: FailOn,
    /// 使用此配置文件，而不是逐目录查找 gklint.yaml。
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    pub packs: PackArgs,
    /// 自动修复可安全修复的问题（只改 .txt/.md，保持原编码与换行符）。
    #[arg(long)]
    pub fix: bool,
    /// 以统一差异格式显示修复内容，不写文件。
    #[arg(long)]
    pub diff: bool,
    /// 把当前的问题记录为基线文件。
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// 只报告基线文件中没有的新问题。
    #[arg(long, value_name = "FILE", conflicts_with = "write_baseline")]
    pub baseline: Option<PathBuf>,
    /// 从标准输入读取时使用的文件名（决定格式与配置查找）。
    #[arg(long, value_name = "NAME")]
    pub stdin_filename: Option<String>,
    /// 工具自身消息的语言。
    #[arg(long, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// 供人阅读：逐条显示问题及其所在原文。
    Human,
    /// 一个 JSON 数组，每条问题一个对象。
    Json,
    /// 每行一个 JSON 对象。
    Jsonl,
    /// SARIF 2.1.0（代码扫描）。
    Sarif,
    /// GitHub Actions 工作流注释。
    Github,
    /// JUnit XML。
    Junit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    Zh,
    En,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    /// 供人阅读的摘要。
    Text,
    /// 完整的报告模型（JSON）。
    Json,
}

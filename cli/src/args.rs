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
        /// 加载原生插件（动态库）并检验其规则的示例；在命令行指定即表示信任，可重复。
        #[arg(long = "plugin", value_name = "PATH")]
        plugins: Vec<PathBuf>,
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
    /// 把多份报告的表格数值导出为一个 CSV（机关、年度、表、行、列、数值、文件、行名、列名），供汇总统计。
    #[command(
        after_help = "示例：\n  gklint extract --format csv 年报目录/ > 汇总.csv\n  gklint extract 2023/*.txt --output 汇总.csv\n\n列：office,year,table,row,column,value（行列用 gklint parse --format json 的 id），\npath（所给的文件路径，标题中没有机关名称的报告也能区分），row_label,column_label（模板中的行名与列名）；\n空白、“/”或无法读取的单元格数值为空（不是 0）。"
    )]
    Extract {
        /// 报告文件或目录。
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ExtractFormat::Csv)]
        format: ExtractFormat,
        /// 输出写入文件而不是标准输出。
        #[arg(long, short = 'o', value_name = "FILE")]
        output: Option<PathBuf>,
        #[command(flatten)]
        packs: PackArgs,
    },
    /// 列出所有规则及其所属规则包、类别与严重程度。
    Rules {
        #[command(flatten)]
        packs: PackArgs,
    },
    /// 启动语言服务器（LSP，经标准输入输出），供编辑器在输入时标出问题。
    #[command(
        after_help = "由编辑器启动，不需手动运行。配置方法见 README 的“编辑器”一节。\n配置文件与规则包的查找方式与 gklint check 相同。"
    )]
    Lsp {
        /// 经标准输入输出通信（默认方式；为兼容编辑器插件而接受此参数）。
        #[arg(long)]
        stdio: bool,
    },
    /// 删除 gklint check 的结果缓存。
    #[command(after_help = "示例：\n  gklint clean\n  gklint clean --cache-dir 缓存目录/")]
    Clean {
        /// 缓存所在目录（默认与 gklint check 相同）。
        #[arg(long, value_name = "DIR", env = "GKLINT_CACHE_DIR")]
        cache_dir: Option<PathBuf>,
    },
    /// 管理原生插件：信任配置文件中列出的插件。
    #[command(
        after_help = "示例：\n  gklint plugin trust 插件/libmy_province.so\n\n配置文件（plugins: [..]）列出的插件只有在你的信任文件中记有其 SHA-256 时才会加载；\n信任文件位于 $XDG_CONFIG_HOME/gklint/trusted-plugins.json（或 ~/.config/gklint/，可用 GKLINT_TRUST_FILE 指定）。"
    )]
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// 信任一个插件文件（按其 SHA-256 记入你的信任文件），使配置文件可以加载它。
    Trust {
        /// 插件动态库（.so、.dylib、.dll）。
        path: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct PackArgs {
    /// 追加规则包（目录或 YAML 文件），可重复。
    #[arg(long = "pack", value_name = "PATH")]
    pub packs: Vec<PathBuf>,
    /// 加载原生插件（动态库），可重复；在命令行指定即表示信任它。
    #[arg(long = "plugin", value_name = "PATH")]
    pub plugins: Vec<PathBuf>,
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
    /// 单个文件的大小上限（如 20MB、512KB），超过的文件不读取、报错并继续检查其他文件；默认 20MB。
    #[arg(long, value_name = "SIZE", value_parser = crate::limits::parse_size)]
    pub max_file_size: Option<u64>,
    /// 单个文件的处理时间上限（秒），超时的文件报错并跳过，其他文件照常检查；默认 10。
    #[arg(long, value_name = "SECONDS", value_parser = crate::limits::parse_timeout)]
    pub timeout: Option<std::time::Duration>,
    /// 历年报告所在目录（可重复）：只用于跨年度核对（上年结转、现行有效件数、文字雷同），不报告其自身的问题。
    #[arg(long, value_name = "DIR")]
    pub history: Vec<PathBuf>,
    #[command(flatten)]
    pub cache: CacheArgs,
}

/// Where `check` keeps its results for unchanged files (`gklint clean` empties it).
#[derive(Debug, Args)]
pub struct CacheArgs {
    /// 不读也不写结果缓存（也可设环境变量 GKLINT_NO_CACHE=1）。
    #[arg(long, env = "GKLINT_NO_CACHE", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_cache: bool,
    /// 结果缓存所在目录；默认 $XDG_CACHE_HOME/gklint（或 ~/.cache/gklint，Windows 为 %LOCALAPPDATA%\gklint\cache），也可设 GKLINT_CACHE_DIR。
    #[arg(long, value_name = "DIR", env = "GKLINT_CACHE_DIR")]
    pub cache_dir: Option<PathBuf>,
}

impl CacheArgs {
    /// The cache folder to use, or `None` when caching is off or there is no place for it.
    pub fn root(&self) -> Option<PathBuf> {
        if self.no_cache {
            return None;
        }
        self.cache_dir.clone().or_else(crate::cache::default_root)
    }
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
    /// 一个独立的 HTML 页面（汇总、图表、原文中标出问题），配合 --output 使用。
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExtractFormat {
    /// 逗号分隔值（UTF-8，首行为列名）。
    Csv,
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

//! Command-line arguments (clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "gklint",
    version,
    about = "政府信息公开工作年度报告检查工具（gklint）",
    long_about = "检查政府信息公开工作年度报告：表格勾稽关系、章节结构、模板版本、发文字号、日期与联系方式。",
    after_help = "示例：\n  gklint check 报告.txt\n  gklint check 年报目录/ --format json\n  gklint parse 报告.txt --format json"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 读取一份报告，输出识别出的报告模型（标题、年度、章节、表格数值）。
    #[command(after_help = "示例：\n  gklint parse 报告.txt\n  gklint parse 报告.md --format json")]
    Parse {
        /// 报告文件（.txt、.md）。
        file: PathBuf,
        #[arg(long, value_enum, default_value_t = ParseFormat::Text)]
        format: ParseFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ParseFormat {
    /// 供人阅读的摘要。
    Text,
    /// 完整的报告模型（JSON）。
    Json,
}

//! Per-file limits, so that one huge or pathological file cannot stall a
//! folder run: a file over the size limit is not read, and one that takes
//! longer than the time limit is abandoned at the engine's next checkpoint.
//! Either way the file is named and the run goes on (exit code 2).

use std::time::Duration;

use anyhow::{Result, bail};

/// 20 MiB: the largest real report in the corpus is under 1 MB; a 50 MB
/// "report" is a scan, a log or a mistake.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 20 << 20;
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The most a project's config may set (a repository is not trusted to
/// make gklint read a 2 GB file or spend an hour on one); the command line
/// may set more.
pub const CONFIG_MAX_FILE_SIZE_CEILING: u64 = 200 << 20;
pub const CONFIG_TIMEOUT_CEILING: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_file_size: u64,
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// `20MB`, `512KB`, `1GB` or a number of bytes (units are powers of 1024).
pub fn parse_size(s: &str) -> Result<u64> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let Ok(n) = num.parse::<u64>() else {
        bail!("大小应写作数字加单位，如 20MB、512KB，而不是 `{s}`");
    };
    let shift = match unit.trim().to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        _ => bail!("大小的单位应为 B、KB、MB 或 GB，而不是 `{unit}`"),
    };
    n.checked_mul(1 << shift)
        .ok_or_else(|| anyhow::anyhow!("大小 `{s}` 太大"))
}

/// Seconds, as a whole or decimal number (`10`, `2.5`).
pub fn parse_timeout(s: &str) -> Result<Duration> {
    match s.trim().parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() && v < 1e6 => Ok(Duration::from_secs_f64(v)),
        _ => bail!("时间上限应为正的秒数，如 10 或 2.5，而不是 `{s}`"),
    }
}

/// A size for people: `52.4 MB`.
pub fn human_size(bytes: u64) -> String {
    const MB: f64 = (1u64 << 20) as f64;
    if bytes >= 1 << 20 {
        format!("{:.1} MB", bytes as f64 / MB)
    } else {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_timeouts_parse() {
        assert_eq!(parse_size("20MB").unwrap(), 20 << 20);
        assert_eq!(parse_size("512 kb").unwrap(), 512 << 10);
        assert_eq!(parse_size("1000").unwrap(), 1000);
        assert!(parse_size("20 parsecs").is_err());
        assert!(parse_size("MB").is_err());
        assert_eq!(parse_timeout("2.5").unwrap(), Duration::from_millis(2500));
        assert!(parse_timeout("0").is_err());
        assert!(parse_timeout("-1").is_err());
    }
}

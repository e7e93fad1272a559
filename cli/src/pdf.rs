//! Reading PDFs without letting one stall or crash the run. The engine's
//! pure-Rust extraction runs in a child process (this binary, as a worker)
//! with a time limit; when it fails (a garbled text layer from fonts without
//! a Unicode map, or a file it cannot parse), poppler's `pdftotext -layout`
//! is tried, also with a time limit. Other formats go straight to the engine.

use std::io::{Read, Write};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use gklint_engine::cancel::Cancel;
use gklint_engine::read::{ExtractError, Extraction, Format, Location, Place, ReadLimits};
use gklint_engine::schema::Catalog;
use gklint_engine::{Parsed, parse_extracted_cancellable};

use crate::limits::Limits;

/// Set in the environment of the worker process (to the file-size limit,
/// which bounds what reading the PDF may build).
const WORKER_ENV: &str = "GKLINT_PDF_WORKER";
/// Time one PDF may take in the worker, and in pdftotext, unless the run
/// sets its own per-file limit.
const TIME_LIMIT: Duration = Duration::from_secs(30);

thread_local! {
    /// The limit of the file this thread is reading, and when it runs out
    /// (set by [`parse_within`]): the worker and pdftotext share one budget.
    static LIMIT: std::cell::Cell<Duration> = const { std::cell::Cell::new(TIME_LIMIT) };
    static DEADLINE: std::cell::Cell<Option<Instant>> = const { std::cell::Cell::new(None) };
}

fn limit() -> Duration {
    LIMIT.with(|l| l.get())
}
/// Output read from a child at most (the extracted text of a report is small).
const MAX_OUTPUT: u64 = 256 << 20;

/// Parses a report file; a PDF through the guarded extraction above.
pub fn parse(name: &str, bytes: Vec<u8>, format: Format, catalog: &Catalog) -> Result<Parsed> {
    let limits = Limits {
        timeout: TIME_LIMIT,
        ..Limits::default()
    };
    parse_within(name, bytes, format, catalog, limits, &Cancel::default())
}

/// [`parse`] within the run's per-file limits: what reading a Word, HTML or
/// PDF file builds follows the file-size limit; a PDF's child processes are
/// killed after the time limit; reading and building the model stop when
/// `cancel` says so. What a reader left out is said on stderr.
pub fn parse_within(
    name: &str,
    bytes: Vec<u8>,
    format: Format,
    catalog: &Catalog,
    limits: Limits,
    cancel: &Cancel,
) -> Result<Parsed> {
    let limit = limits.timeout;
    if format != Format::Pdf {
        let read = ReadLimits::new(limits.max_file_size);
        let parsed = gklint_engine::parse_within(name, bytes, format, catalog, &read, cancel)
            .map_err(|e| match e.extract_error() {
                Some(ExtractError::Cancelled) => timed_out(name, limit),
                _ => e.into(),
            })?;
        warn(name, &parsed.warnings);
        return Ok(parsed);
    }
    LIMIT.with(|l| l.set(limit));
    DEADLINE.with(|d| d.set(Some(Instant::now() + limit)));
    let parse_extracted = |bytes, ex: Extraction| {
        let parsed = parse_extracted_cancellable(name, bytes, format, ex, catalog, cancel);
        warn(name, &parsed.warnings);
        parsed
    };
    let first = match extract_in_worker(&bytes, limits.max_file_size) {
        Ok(ex) => return Ok(parse_extracted(bytes, ex)),
        Err(why) => why,
    };
    match pdftotext(&bytes) {
        Ok(text) => match gklint_engine::read::pdf::from_layout(&text) {
            Ok(ex) => Ok(parse_extracted(bytes, ex)),
            Err(e) => bail!("{name}: {first}；改用 pdftotext 提取后仍无法使用：{e}"),
        },
        Err(Poppler::Missing) => bail!(
            "{name}: {first}；也没有找到 pdftotext 可以改用（请安装 poppler：Debian/Ubuntu 上 apt install poppler-utils）"
        ),
        Err(Poppler::Failed(e)) => bail!(
            "{name}: {first}；改用 pdftotext 也失败：{e}。可改用报告的 Word 原稿或文本版本检查"
        ),
    }
}

/// The same words as the check command's own time-out message.
fn timed_out(name: &str, limit: Duration) -> anyhow::Error {
    anyhow::anyhow!(
        "{name} 处理超过 {} 秒，已跳过（可用 --timeout 或配置中的 limits.timeout 调整）",
        limit.as_secs_f64()
    )
}

/// Says on stderr what reading `name` left out or changed.
fn warn(name: &str, warnings: &[String]) {
    for w in warnings {
        eprintln!("gklint: 警告：{name}: {w}");
    }
}

/// In the worker process: reads a PDF on stdin, writes its extraction on
/// stdout. `None` when this process is no worker.
pub fn worker() -> Option<ExitCode> {
    let max_bytes = std::env::var(WORKER_ENV).ok()?;
    let limits = max_bytes
        .parse()
        .map_or_else(|_| ReadLimits::default(), ReadLimits::new);
    let mut bytes = Vec::new();
    if std::io::stdin().read_to_end(&mut bytes).is_err() {
        return Some(ExitCode::from(2));
    }
    let out =
        match gklint_engine::read::extract_within(&bytes, Format::Pdf, &limits, &Cancel::default())
        {
            Ok(ex) => encode(&ex),
            Err(e) => format!("ERR\n{e}"),
        };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return Some(ExitCode::from(2));
    }
    Some(ExitCode::SUCCESS)
}

/// The pure-Rust extraction in a child process; the reason as text on failure.
fn extract_in_worker(bytes: &[u8], max_bytes: u64) -> std::result::Result<Extraction, String> {
    let Ok(exe) = std::env::current_exe() else {
        // No way to isolate it: extract here (panics are caught by the
        // engine), stopping at the file's deadline.
        let deadline = DEADLINE
            .with(|d| d.get())
            .unwrap_or_else(|| Instant::now() + limit());
        let cancel = Cancel::new(move || Instant::now() >= deadline);
        return gklint_engine::read::extract_within(
            bytes,
            Format::Pdf,
            &ReadLimits::new(max_bytes),
            &cancel,
        )
        .map_err(|e| e.to_string());
    };
    let mut cmd = Command::new(exe);
    cmd.env(WORKER_ENV, max_bytes.to_string());
    match run(cmd, bytes) {
        Ok(out) if out.success => decode(&out.stdout),
        Ok(out) if out.out_of_memory => Err(format!(
            "读取 PDF 的子进程超过 {} MB 内存上限，已中止",
            MEMORY_LIMIT >> 20
        )),
        Ok(out) => Err(format!("读取 PDF 的子进程异常退出（{}）", out.stderr_tail)),
        Err(Run::TimedOut) => Err(format!("读取 PDF 超过 {} 秒，已中止", limit().as_secs())),
        Err(Run::Spawn(e)) | Err(Run::Io(e)) => Err(format!("无法启动读取 PDF 的子进程（{e}）")),
    }
}

enum Poppler {
    Missing,
    Failed(String),
}

/// `pdftotext -layout` of the bytes.
fn pdftotext(bytes: &[u8]) -> std::result::Result<String, Poppler> {
    let mut cmd = Command::new("pdftotext");
    cmd.args(["-layout", "-enc", "UTF-8", "-q", "-", "-"]);
    match run(cmd, bytes) {
        Ok(out) if out.success => {
            String::from_utf8(out.stdout).map_err(|_| Poppler::Failed("输出不是 UTF-8".into()))
        }
        Ok(out) if out.out_of_memory => Err(Poppler::Failed(format!(
            "超过 {} MB 内存上限，已中止",
            MEMORY_LIMIT >> 20
        ))),
        Ok(out) => Err(Poppler::Failed(if out.stderr_tail.is_empty() {
            "无法解析该文件".into()
        } else {
            out.stderr_tail
        })),
        Err(Run::Spawn(e)) if e.kind() == std::io::ErrorKind::NotFound => Err(Poppler::Missing),
        Err(Run::TimedOut) => Err(Poppler::Failed(format!(
            "超过 {} 秒，已中止",
            limit().as_secs()
        ))),
        Err(Run::Spawn(e)) | Err(Run::Io(e)) => Err(Poppler::Failed(e.to_string())),
    }
}

struct Output {
    success: bool,
    stdout: Vec<u8>,
    /// The last line of standard error.
    stderr_tail: String,
    /// The child ran out of memory (its allocator said so).
    out_of_memory: bool,
}

enum Run {
    Spawn(std::io::Error),
    Io(std::io::Error),
    TimedOut,
}

/// Address space a PDF child may use: reports are small, and a hostile
/// file (a font or path bomb) would otherwise take gigabytes.
const MEMORY_LIMIT: u64 = 1 << 30;

/// Limits the child's address space (Unix); elsewhere only the time limit holds.
fn limit_memory(cmd: &mut Command) {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt as _;
        // SAFETY: the closure runs in the child between fork and exec and
        // only calls setrlimit, which is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                let lim = libc::rlimit {
                    rlim_cur: MEMORY_LIMIT as libc::rlim_t,
                    rlim_max: MEMORY_LIMIT as libc::rlim_t,
                };
                if libc::setrlimit(libc::RLIMIT_AS, &lim) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
    }
    #[cfg(not(unix))]
    let _ = cmd;
}

/// Runs `cmd` with `input` on stdin, killing it after the file's time limit,
/// with its memory limited.
fn run(mut cmd: Command, input: &[u8]) -> std::result::Result<Output, Run> {
    limit_memory(&mut cmd);
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(Run::Spawn)?;
    let (Some(mut stdin), Some(stdout), Some(stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        let _ = child.kill();
        let _ = child.wait();
        return Err(Run::Io(std::io::Error::other("no pipes")));
    };
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        // A child that stops reading early (it failed) closes the pipe.
        let _ = stdin.write_all(&input);
    });
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stdout.take(MAX_OUTPUT).read_to_end(&mut buf);
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = stderr.take(1 << 20).read_to_end(&mut buf);
        buf
    });
    let deadline = DEADLINE
        .with(|d| d.get())
        .unwrap_or_else(|| Instant::now() + limit());
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Run::TimedOut);
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(Run::Io(e));
            }
        }
    };
    let _ = writer.join();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let stderr = String::from_utf8_lossy(&stderr);
    let tail = stderr
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_owned();
    // Rust's allocator and poppler both say so on stderr.
    let out_of_memory = stderr.contains("memory allocation of") || stderr.contains("Out of memory");
    Ok(Output {
        success: status.success(),
        stdout,
        stderr_tail: tail,
        out_of_memory,
    })
}

/// The worker's answer: `OK`, one line per place (`offset kind numbers…`)
/// and per warning (`warn text`, on one line), `TEXT`, then the text; or
/// `ERR` and the message.
fn encode(ex: &Extraction) -> String {
    let mut out = String::from("OK\n");
    for w in &ex.warnings {
        out.push_str("warn ");
        out.push_str(&w.replace('\n', " "));
        out.push('\n');
    }
    for p in &ex.places {
        let line = match p.location {
            Location::Page(n) => format!("{} page {n}\n", p.start),
            Location::Paragraph(n) => format!("{} para {n}\n", p.start),
            Location::Cell { table, row, col } => {
                format!("{} cell {table} {row} {col}\n", p.start)
            }
        };
        out.push_str(&line);
    }
    out.push_str("TEXT\n");
    out.push_str(&ex.text);
    out
}

fn decode(bytes: &[u8]) -> std::result::Result<Extraction, String> {
    let s = std::str::from_utf8(bytes).map_err(|_| "读取 PDF 的子进程输出无效".to_owned())?;
    if let Some(msg) = s.strip_prefix("ERR\n") {
        return Err(msg.to_owned());
    }
    let bad = || "读取 PDF 的子进程输出无效".to_owned();
    let body = s.strip_prefix("OK\n").ok_or_else(bad)?;
    let (head, text) = body.split_once("TEXT\n").ok_or_else(bad)?;
    let mut places = Vec::new();
    let mut warnings = Vec::new();
    for line in head.lines() {
        if let Some(w) = line.strip_prefix("warn ") {
            warnings.push(w.to_owned());
            continue;
        }
        let f: Vec<&str> = line.split(' ').collect();
        let n = |i: usize| f.get(i).and_then(|v| v.parse::<u32>().ok()).ok_or_else(bad);
        let start: usize = f.first().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let location = match f.get(1).copied() {
            Some("page") => Location::Page(n(2)?),
            Some("para") => Location::Paragraph(n(2)?),
            Some("cell") => Location::Cell {
                table: n(2)?,
                row: n(3)?,
                col: n(4)?,
            },
            _ => return Err(bad()),
        };
        if start > text.len() || !text.is_char_boundary(start) {
            return Err(bad());
        }
        places.push(Place { start, location });
    }
    Ok(Extraction {
        text: text.to_owned(),
        places,
        encoding: None,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_answers_round_trip() {
        let ex = Extraction {
            text: "一、总体情况\n规章\t0\n".into(),
            places: vec![
                Place {
                    start: 0,
                    location: Location::Page(1),
                },
                Place {
                    start: 19,
                    location: Location::Cell {
                        table: 2,
                        row: 3,
                        col: 4,
                    },
                },
            ],
            encoding: None,
            warnings: vec!["表格过大".into()],
        };
        let back = decode(encode(&ex).as_bytes()).unwrap();
        assert_eq!(back.text, ex.text);
        assert_eq!(back.places, ex.places);
        assert_eq!(back.warnings, ex.warnings);
        assert_eq!(decode(b"ERR\nbad").unwrap_err(), "bad");
        assert!(decode(b"OK\n99 page 1\nTEXT\nab").is_err());
    }
}

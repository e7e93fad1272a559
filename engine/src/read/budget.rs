//! One allowance per document for everything the Word, HTML and PDF readers
//! build: the text they collect (runs, list labels, glyphs), and the memory
//! behind it (bytes inflated from the package, parsed nodes, table slots
//! including the ones spans and grid gaps create, text written out). Both
//! follow the caller's file-size limit, so a small hostile file cannot make
//! the readers build gigabytes. The readers also ask the file's [`Cancel`]
//! here every few thousand steps, so the caller's time limit holds while a
//! file is read, not only while its model is built.

use super::extracted::ExtractError;
use crate::cancel::Cancel;

/// The file-size limit the CLI applies by default (`--max-file-size`).
pub const DEFAULT_MAX_BYTES: u64 = 20 << 20;
/// Memory the readers may build per byte of the file-size limit: markup is
/// verbose (a real report's document.xml is 5-10 times its text), and a
/// parsed node or a table slot costs more than the bytes that wrote it.
pub const WORK_FACTOR: u64 = 8;
/// Steps between two questions to the [`Cancel`] (it may read a clock).
const TICKS_PER_CHECK: u32 = 4096;
/// Warnings kept per file (the rest are counted in the last one).
const MAX_WARNINGS: usize = 20;
/// Bytes of the file-size limit per table slot that spans and grid gaps may
/// add (20 MiB: 2.6 million slots; a real report's tables have a few
/// thousand).
const BYTES_PER_SPAN_SLOT: u64 = 8;
/// Memory one table slot takes (its text, or none).
pub(crate) const SLOT_COST: usize = std::mem::size_of::<Option<String>>();

/// What the caller allows reading one file to cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadLimits {
    /// The file-size limit: the text collected from the file may be at most
    /// this long, and everything built while reading it at most
    /// [`WORK_FACTOR`] times this.
    pub max_bytes: u64,
}

impl Default for ReadLimits {
    fn default() -> Self {
        ReadLimits {
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

impl ReadLimits {
    /// Limits following a file-size limit of `max_bytes`.
    pub fn new(max_bytes: u64) -> ReadLimits {
        ReadLimits { max_bytes }
    }

    fn work_limit(&self) -> u64 {
        self.max_bytes.saturating_mul(WORK_FACTOR)
    }
}

/// A size for messages: `20 MiB`, `512 KiB`, `100 字节`.
pub(crate) fn size_text(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{} MiB", bytes >> 20)
    } else if bytes >= 1 << 10 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} 字节")
    }
}

/// The running account of one file's reading.
#[derive(Debug)]
pub(crate) struct Budget {
    limits: ReadLimits,
    text_used: u64,
    work_used: u64,
    span_slots_used: u64,
    cancel: Cancel,
    ticks: u32,
    warnings: Vec<String>,
    /// Hashes of the warnings not kept (each counted once).
    dropped_warnings: std::collections::HashSet<u64>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget::new(&ReadLimits::default(), &Cancel::default())
    }
}

impl Budget {
    pub fn new(limits: &ReadLimits, cancel: &Cancel) -> Budget {
        Budget {
            limits: *limits,
            text_used: 0,
            work_used: 0,
            span_slots_used: 0,
            cancel: cancel.clone(),
            ticks: 0,
            warnings: Vec::new(),
            dropped_warnings: Default::default(),
        }
    }

    /// Counts `n` bytes of text collected from the file (or generated for
    /// it, such as a list label).
    pub fn text(&mut self, n: usize) -> Result<(), ExtractError> {
        self.text_used = self.text_used.saturating_add(n as u64);
        if self.text_used > self.limits.max_bytes {
            return Err(ExtractError::TextTooLong {
                limit: self.limits.max_bytes,
            });
        }
        self.work(n)
    }

    /// Counts `n` bytes (or byte-equivalents) of memory built while reading.
    pub fn work(&mut self, n: usize) -> Result<(), ExtractError> {
        self.work_used = self.work_used.saturating_add(n as u64);
        if self.work_used > self.limits.work_limit() {
            return Err(ExtractError::TooMuchWork {
                limit: self.limits.work_limit(),
            });
        }
        self.tick()
    }

    /// Whether `n` table slots that a span or a grid gap adds may be built
    /// (they are then counted); past the file's allowance the caller leaves
    /// them out (a span is read as one cell), which is said once.
    pub fn span_slots(&mut self, n: usize) -> Result<bool, ExtractError> {
        let allowance = self.limits.max_bytes / BYTES_PER_SPAN_SLOT;
        if self.span_slots_used.saturating_add(n as u64) > allowance {
            self.warn(format!(
                "表格的合并单元格和空白网格合计超过 {allowance} 格（本文件的上限，随 --max-file-size 调整），其余的不再展开：之后的表格中合并单元格按一格读取，列位置可能不准"
            ));
            return Ok(false);
        }
        self.span_slots_used += n as u64;
        self.work(n.saturating_mul(SLOT_COST))?;
        Ok(true)
    }

    /// Memory still allowed (a cap for a part about to be inflated).
    pub fn work_left(&self) -> u64 {
        self.limits.work_limit().saturating_sub(self.work_used)
    }

    /// One step of a reader's loop: every few thousand steps, asks whether
    /// the caller wants the file abandoned.
    pub fn tick(&mut self) -> Result<(), ExtractError> {
        self.ticks += 1;
        if self.ticks >= TICKS_PER_CHECK {
            self.ticks = 0;
            self.check_cancel()?;
        }
        Ok(())
    }

    /// Asks the [`Cancel`] now.
    pub fn check_cancel(&self) -> Result<(), ExtractError> {
        if self.cancel.is_cancelled() {
            return Err(ExtractError::Cancelled);
        }
        Ok(())
    }

    pub fn cancel(&self) -> &Cancel {
        &self.cancel
    }

    /// Notes something the reader left out or changed (each said once).
    pub fn warn(&mut self, warning: String) {
        if self.warnings.contains(&warning) {
            return;
        }
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(warning);
        } else {
            use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
            let hash = BuildHasherDefault::<DefaultHasher>::default().hash_one(&warning);
            self.dropped_warnings.insert(hash);
        }
    }

    pub fn into_warnings(mut self) -> Vec<String> {
        if !self.dropped_warnings.is_empty() {
            self.warnings
                .push(format!("另有 {} 条提示未列出", self.dropped_warnings.len()));
        }
        self.warnings
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    #[test]
    fn text_and_work_follow_the_file_size_limit() {
        let mut b = Budget::new(&ReadLimits::new(100), &Cancel::default());
        assert!(b.text(100).is_ok());
        assert_eq!(b.text(1), Err(ExtractError::TextTooLong { limit: 100 }));
        let mut b = Budget::new(&ReadLimits::new(100), &Cancel::default());
        assert!(b.work(800).is_ok());
        assert_eq!(b.work_left(), 0);
        assert_eq!(b.work(1), Err(ExtractError::TooMuchWork { limit: 800 }));
    }

    #[test]
    fn spans_past_the_allowance_are_refused_with_one_warning() {
        let mut b = Budget::new(&ReadLimits::new(800), &Cancel::default());
        assert_eq!(b.span_slots(100), Ok(true));
        assert_eq!(b.span_slots(1), Ok(false));
        assert_eq!(b.span_slots(1), Ok(false));
        let w = b.into_warnings();
        assert_eq!(w.len(), 1);
        assert!(w[0].contains("100 格"), "{w:?}");
    }

    #[test]
    fn the_cancel_is_asked_within_a_few_thousand_steps() {
        let stop = Arc::new(AtomicBool::new(false));
        let s = stop.clone();
        let mut b = Budget::new(
            &ReadLimits::default(),
            &Cancel::new(move || s.load(Ordering::Relaxed)),
        );
        for _ in 0..10_000 {
            b.tick().unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        let stopped = (0..TICKS_PER_CHECK).find_map(|_| b.tick().err());
        assert_eq!(stopped, Some(ExtractError::Cancelled));
    }

    #[test]
    fn warnings_are_said_once_and_bounded() {
        let mut b = Budget::default();
        for i in 0..100 {
            b.warn(format!("w{}", i % 30));
        }
        let w = b.into_warnings();
        assert_eq!(w.len(), MAX_WARNINGS + 1);
        assert_eq!(w.last().unwrap(), "另有 10 条提示未列出");
    }
}

//! The text extracted from a Word, HTML or PDF file, written the way the
//! text reader reads it: one line per paragraph (or PDF line), table rows as
//! lines with one tab-separated slot per grid column (a merged cell's text in
//! its first slot, the others empty; a Word or HTML row with data is written
//! out to the table's full width, blank cells at its end included), a blank
//! line around each table. Each
//! piece of text keeps a human [`Location`] in the original file.

use std::fmt;

use super::budget::Budget;

/// Extracted text and where each piece of it stands in the original file.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Extraction {
    pub text: String,
    /// Sorted by `start`; a place covers the text up to the next place.
    pub places: Vec<Place>,
    /// The character encoding the file declared or was detected in (HTML).
    pub encoding: Option<crate::source::Encoding>,
    /// What the reader left out or changed to stay within its limits, or
    /// noticed about the file (in Chinese, for the user; the file's name is
    /// not included).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Place {
    /// Byte offset in the extracted text.
    pub start: usize,
    pub location: Location,
}

/// A place a person can find in the original file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Location {
    /// The n-th paragraph outside tables (1-based): 第12段.
    Paragraph(u32),
    /// A cell of the n-th table of the file, by grid row and column (1-based):
    /// 第3张表第5行第2列 (counted in the file, not the report's own 表一…表四).
    Cell { table: u32, row: u32, col: u32 },
    /// A PDF page (1-based): 第3页.
    Page(u32),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Location::Paragraph(n) => write!(f, "第{n}段"),
            Location::Cell { table, row, col } => {
                write!(f, "第{table}张表第{row}行第{col}列")
            }
            Location::Page(n) => write!(f, "第{n}页"),
        }
    }
}

/// 1 → 一, 12 → 十二, 25 → 二十五 (larger numbers stay in digits).
pub(crate) fn chinese_number(n: u32) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    match n {
        0..=9 => DIGITS[n as usize].to_string(),
        10 => "十".to_owned(),
        11..=19 => format!("十{}", DIGITS[(n - 10) as usize]),
        20..=99 => {
            let ones = if n.is_multiple_of(10) {
                String::new()
            } else {
                DIGITS[(n % 10) as usize].to_string()
            };
            format!("{}十{ones}", DIGITS[(n / 10) as usize])
        }
        _ => n.to_string(),
    }
}

impl Extraction {
    /// The location of a byte offset into the text.
    pub fn location(&self, offset: usize) -> Option<Location> {
        let i = self.places.partition_point(|p| p.start <= offset);
        i.checked_sub(1).map(|i| self.places[i].location)
    }
}

/// Why a file could not be extracted. Messages name what went wrong in terms
/// a reviewer understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtractError {
    #[error("不是有效的 Word 文档（.docx）：{0}")]
    Docx(String),
    #[error(
        "Word 文档中的 {entry} 解压后超过 {} MiB 的上限（可能是压缩炸弹），已停止读取", .limit >> 20
    )]
    TooLarge { entry: String, limit: u64 },
    #[error("Word 文档中的 {entry} 不是格式正确的 XML（第 {offset} 字节附近）：{message}")]
    Xml {
        entry: String,
        offset: u64,
        message: String,
    },
    #[error("HTML 页面的元素嵌套超过 {0} 层（正常网页不会这样深），已停止读取")]
    TooDeep(usize),
    #[error(
        "Word 文档中的 {entry} 元素嵌套超过 {depth} 层（正常文档不会这样深，文件可能是恶意构造的），已停止读取"
    )]
    XmlTooDeep { entry: String, depth: usize },
    #[error(
        "Word 文档的压缩包中有多个同名的 {entry}，无法确定应读取哪一个（文件可能被篡改，或由有缺陷的程序生成）；请用 Word 打开后另存为新文件再检查"
    )]
    DuplicateEntry { entry: String },
    #[error(
        "提取出的文字超过 {}（单个文件的大小上限），已停止读取；如确为正常报告，可用 --max-file-size 或配置中的 limits.max_file_size 调大上限", crate::read::budget::size_text(*.limit)
    )]
    TextTooLong { limit: u64 },
    #[error(
        "读取时生成的内容（解压的数据、元素、表格单元格等）超过 {} 的上限（单个文件大小上限的 8 倍），文件可能是恶意构造的，已停止读取；如确为正常报告，可用 --max-file-size 调大上限", crate::read::budget::size_text(*.limit)
    )]
    TooMuchWork { limit: u64 },
    #[error("读取用时超过单个文件的时限，已停止（可用 --timeout 或配置中的 limits.timeout 调整）")]
    Cancelled,
    #[error("不是有效的 PDF 文件：{0}")]
    Pdf(String),
    #[error("PDF 文件已加密，无法提取文字")]
    Encrypted,
    #[error("PDF 没有文字层（可能是扫描件），无法提取文字")]
    NoText,
    #[error("PDF 的文字层提取出来是乱码（字体缺少 Unicode 映射）")]
    Garbled,
    #[error("文件过大（{} MiB，上限 {} MiB）", .size >> 20, .limit >> 20)]
    FileTooLarge { size: usize, limit: usize },
    #[error("该格式是文本格式，无需提取")]
    NotExtracted,
}

/// Builds an [`Extraction`], counting what it writes in the file's [`Budget`].
#[derive(Debug, Default)]
pub(crate) struct Writer {
    out: Extraction,
    paragraphs: u32,
    tables: u32,
    /// A blank line goes before the next content (after a table).
    blank: bool,
    budget: Budget,
}

impl Writer {
    pub fn new(budget: Budget) -> Writer {
        Writer {
            budget,
            ..Writer::default()
        }
    }

    /// The file's budget, for what the reader builds before writing.
    pub fn budget(&mut self) -> &mut Budget {
        &mut self.budget
    }

    /// A paragraph outside tables: whitespace folded, empty ones skipped.
    pub fn paragraph(&mut self, text: &str) -> Result<(), ExtractError> {
        let clean = clean(text);
        if clean.is_empty() {
            return Ok(());
        }
        self.paragraphs += 1;
        let loc = Location::Paragraph(self.paragraphs);
        self.cells(&[clean], |_| loc)
    }

    /// A table as a grid: one entry per slot, `None` or empty for an empty
    /// slot. Rows without any text are left out; every other row is written
    /// out to the table's full width, so blank cells at the end of a row
    /// keep their slots (trailing tabs).
    pub fn table(&mut self, grid: &[Vec<Option<String>>]) -> Result<(), ExtractError> {
        self.grid(grid, None)
    }

    /// A table whose cells are all located by one place (a PDF page).
    pub fn table_at(
        &mut self,
        grid: &[Vec<Option<String>>],
        at: Location,
    ) -> Result<(), ExtractError> {
        self.grid(grid, Some(at))
    }

    fn grid(
        &mut self,
        grid: &[Vec<Option<String>>],
        at: Option<Location>,
    ) -> Result<(), ExtractError> {
        if grid.iter().all(|r| {
            r.iter()
                .all(|c| c.as_deref().is_none_or(|c| clean(c).is_empty()))
        }) {
            return Ok(());
        }
        self.tables += 1;
        let table = self.tables;
        self.blank = true;
        // A real grid (Word, HTML) keeps every slot; a PDF page's grid is
        // only as wide as the text found on each line.
        let width = match at {
            None => grid.iter().map(Vec::len).max().unwrap_or(0),
            Some(_) => 0,
        };
        for (r, row) in grid.iter().enumerate() {
            // One row's cells at a time (its slots were counted when the
            // grid was built): only what is written stays.
            self.budget.tick()?;
            let mut cells: Vec<String> = row
                .iter()
                .map(|c| c.as_deref().map(clean).unwrap_or_default())
                .collect();
            let filled: Vec<&String> = cells.iter().filter(|c| !c.is_empty()).collect();
            if filled.is_empty() {
                continue;
            }
            // A row of one text cell (a heading or note spanning the table)
            // stays a line of text; a row with data keeps its blank tail.
            let data = filled.len() >= 2 || filled.iter().any(|c| numeric(c));
            let whole = at.is_none() && data;
            // The padding is built here: count it before building it.
            if whole && cells.len() < width && self.budget.span_slots(width - cells.len())? {
                cells.resize(width, String::new());
            }
            self.write_cells(&cells, whole, |c| {
                at.unwrap_or(Location::Cell {
                    table,
                    row: r as u32 + 1,
                    col: c as u32 + 1,
                })
            })?;
        }
        self.blank = true;
        Ok(())
    }

    /// One visual line of cells already cleaned (PDF).
    pub fn line(
        &mut self,
        cells: &[String],
        loc: impl Fn(usize) -> Location,
    ) -> Result<(), ExtractError> {
        self.cells(cells, loc)
    }

    fn cells(
        &mut self,
        cells: &[String],
        loc: impl Fn(usize) -> Location,
    ) -> Result<(), ExtractError> {
        self.write_cells(cells, false, loc)
    }

    /// Starts a new block (a blank line before the next content).
    pub fn block(&mut self) {
        self.blank = true;
    }

    /// Writes one line of cells; `whole` keeps the empty cells after the
    /// last text (a grid row's blank tail), else they are left out.
    fn write_cells(
        &mut self,
        cells: &[String],
        whole: bool,
        loc: impl Fn(usize) -> Location,
    ) -> Result<(), ExtractError> {
        let Some(last) = cells.iter().rposition(|c| !c.is_empty()) else {
            return Ok(());
        };
        let last = if whole { cells.len() - 1 } else { last };
        let kept = &cells[..=last];
        let written = kept.iter().map(String::len).sum::<usize>() + kept.len() + 1;
        let places = kept.iter().filter(|c| !c.is_empty()).count();
        self.budget
            .work(written + places * std::mem::size_of::<Place>())?;
        let text = &mut self.out.text;
        if !text.is_empty() {
            text.push('\n');
            if self.blank {
                text.push('\n');
            }
        }
        self.blank = false;
        for (i, cell) in kept.iter().enumerate() {
            if i > 0 {
                self.out.text.push('\t');
            }
            if !cell.is_empty() {
                self.out.places.push(Place {
                    start: self.out.text.len(),
                    location: loc(i),
                });
                self.out.text.push_str(cell);
            }
        }
        Ok(())
    }

    pub fn finish(mut self) -> Extraction {
        if !self.out.text.is_empty() {
            self.out.text.push('\n');
        }
        self.out.warnings = self.budget.into_warnings();
        self.out
    }
}

/// A cell holding a number (or a blank marker such as `/` or `-`).
fn numeric(cell: &str) -> bool {
    cell.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | '-' | '/' | '+' | ','))
}

/// Folds whitespace (tabs, line breaks, no-break and ideographic spaces) to
/// single spaces, drops control and zero-width characters, trims.
pub(crate) fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            space = !out.is_empty();
        } else if c.is_control() || matches!(c, '\u{200B}' | '\u{FEFF}' | '\u{00AD}') {
            continue;
        } else {
            if space {
                out.push(' ');
                space = false;
            }
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_read_like_a_person_would_say_them() {
        assert_eq!(Location::Paragraph(12).to_string(), "第12段");
        assert_eq!(
            Location::Cell {
                table: 3,
                row: 5,
                col: 2
            }
            .to_string(),
            "第3张表第5行第2列"
        );
        assert_eq!(Location::Page(3).to_string(), "第3页");
        assert_eq!(chinese_number(10), "十");
        assert_eq!(chinese_number(12), "十二");
        assert_eq!(chinese_number(20), "二十");
        assert_eq!(chinese_number(25), "二十五");
    }

    #[test]
    fn tables_are_tab_separated_grids_between_blank_lines() {
        let mut w = Writer::default();
        w.paragraph("  一、总体情况\n ").unwrap();
        w.table(&[
            vec![
                Some("规章".into()),
                Some("0".into()),
                None,
                Some("3".into()),
            ],
            vec![None, None, None, None],
            vec![None, Some("1.\t属于".into()), Some("2".into()), None],
            vec![Some("注：本表数据截至12月31日".into()), None, None, None],
        ])
        .unwrap();
        w.paragraph("正文").unwrap();
        let ex = w.finish();
        assert_eq!(
            ex.text,
            "一、总体情况\n\n规章\t0\t\t3\n\t1. 属于\t2\t\n注：本表数据截至12月31日\n\n正文\n"
        );
        let at = ex.text.find("属于").unwrap();
        assert_eq!(
            ex.location(at).map(|l| l.to_string()).as_deref(),
            Some("第1张表第3行第2列")
        );
        let at = ex.text.find("正文").unwrap();
        assert_eq!(ex.location(at), Some(Location::Paragraph(2)));
    }
}

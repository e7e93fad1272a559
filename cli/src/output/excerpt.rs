//! The report text miette draws a finding on. miette counts columns in
//! bytes (3 per Chinese character) and would be handed the whole report even
//! when it is one 5 MB line; an [`Excerpt`] reports character columns and,
//! for very long lines, holds only the part around the finding while keeping
//! the real line and column numbers.

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// Lines longer than this (bytes) are cut around the finding.
pub const MAX_LINE: usize = 2_000;

pub struct Excerpt {
    name: String,
    text: String,
    /// Where `text` starts in the report: byte offset, 0-based line, and
    /// character column.
    offset: usize,
    line: usize,
    column: usize,
}

impl Excerpt {
    /// The text around `span` (byte offsets into `text`): the whole text, or
    /// a window of the line when that line is very long.
    pub fn around(name: &str, text: &str, span: std::ops::Range<usize>) -> Excerpt {
        let start = floor(text, span.start.min(text.len()));
        let end = floor(text, span.end.min(text.len()).max(start));
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
        let (a, b) = if line_end - line_start <= MAX_LINE {
            // Whole lines around the finding: a few above and below are all
            // miette shows.
            let a = nth_line_back(text, line_start, 3);
            let b = nth_line_forward(text, line_end, 3);
            (a, b)
        } else {
            (
                floor(text, start.saturating_sub(MAX_LINE / 2).max(line_start)),
                floor(text, (end + MAX_LINE / 2).min(line_end)),
            )
        };
        let before = &text[..a];
        let line = before.matches('\n').count();
        let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
            .chars()
            .count();
        Excerpt {
            name: name.to_owned(),
            text: text[a..b.max(a)].to_owned(),
            offset: a,
            line,
            column,
        }
    }

    /// A span of the report moved into the excerpt, if it lies inside.
    pub fn span(&self, r: &std::ops::Range<usize>) -> Option<SourceSpan> {
        let end = self.offset + self.text.len();
        (r.start >= self.offset && r.end <= end && r.start <= r.end)
            .then(|| SourceSpan::from(r.start - self.offset..r.end - self.offset))
    }
}

fn floor(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn nth_line_back(text: &str, mut at: usize, n: usize) -> usize {
    for _ in 0..n {
        if at == 0 {
            break;
        }
        at = text[..at - 1].rfind('\n').map_or(0, |i| i + 1);
    }
    at
}

fn nth_line_forward(text: &str, mut at: usize, n: usize) -> usize {
    for _ in 0..n {
        if at >= text.len() {
            break;
        }
        at = text[at + 1..].find('\n').map_or(text.len(), |i| at + 1 + i);
    }
    at
}

impl SourceCode for Excerpt {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let c = self.text.as_str().read_span(span, before, after)?;
        let start = c.span().offset().min(self.text.len());
        let line_start = self.text[..start].rfind('\n').map_or(0, |i| i + 1);
        let mut column = self.text[line_start..start].chars().count();
        if c.line() == 0 {
            column += self.column;
        }
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.clone(),
            c.data(),
            *c.span(),
            c.line() + self.line,
            column,
            c.line_count(),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_and_long_lines_are_cut() {
        let text = format!(
            "一行\n第二行有数字１２件\n{}错{}\n",
            "长".repeat(5000),
            "长".repeat(5000)
        );
        let at = text.find("１２").unwrap();
        let e = Excerpt::around("r.txt", &text, at..at + 6);
        let c = e.read_span(&e.span(&(at..at + 6)).unwrap(), 0, 0).unwrap();
        assert_eq!((c.line(), c.column()), (1, 6));
        let at = text.find('错').unwrap();
        let e = Excerpt::around("r.txt", &text, at..at + 3);
        assert!(e.text.len() <= MAX_LINE + 8, "{}", e.text.len());
        let c = e.read_span(&e.span(&(at..at + 3)).unwrap(), 0, 0).unwrap();
        assert_eq!((c.line(), c.column()), (2, 5000));
    }
}

//! Output written as files are linted, so that a run over ten thousand
//! reports never holds them all: each format's text for one file, plus what
//! comes before the first and after the last. Only the HTML page, which
//! shows every report, keeps them until the end.

use miette::GraphicalReportHandler;
use serde_json::Value;

use super::{FileResult, github, html, human, json, junit, sarif};
use crate::args::{Lang, OutputFormat};

/// What the closing text needs to know about the run.
pub struct Totals {
    pub files: usize,
    pub failed: usize,
    /// By severity (info, warning, error).
    pub counts: [usize; 3],
}

pub trait Sink {
    fn begin(&mut self) -> String {
        String::new()
    }
    /// The text of one file's findings.
    fn file(&mut self, r: FileResult) -> String;
    /// When a file's text depends on nothing written before it: a renderer
    /// that makes the same text as [`Sink::file`] on any thread.
    fn parallel(&self) -> Option<Render<'_>> {
        None
    }
    /// The output of a text made by [`Sink::parallel`]'s renderer, the
    /// files' texts given in order: what depends on the files before (a
    /// separator) is settled here.
    fn rendered(&mut self, text: String) -> String {
        text
    }
    /// Before the findings that compare reports across years.
    fn cross(&mut self) -> String {
        String::new()
    }
    fn finish(&mut self, totals: &Totals) -> String;
}

/// Renders one file's findings (see [`Sink::parallel`]).
pub type Render<'a> = Box<dyn Fn(&FileResult) -> String + Sync + 'a>;

pub fn new(format: OutputFormat, color: bool, lang: Lang, rules: Vec<Value>) -> Box<dyn Sink> {
    match format {
        OutputFormat::Human => Box::new(Human {
            handler: human::handler(color),
            lang,
            cross_said: false,
        }),
        OutputFormat::Json => Box::new(Json { items: 0 }),
        OutputFormat::Jsonl => Box::new(Lines(json::render_lines)),
        OutputFormat::Github => Box::new(Lines(github::render)),
        OutputFormat::Sarif => Box::new(Sarif { rules, items: 0 }),
        OutputFormat::Junit => Box::new(Junit),
        OutputFormat::Html => Box::new(Html(Vec::new())),
    }
}

struct Human {
    handler: GraphicalReportHandler,
    lang: Lang,
    cross_said: bool,
}

impl Sink for Human {
    fn file(&mut self, r: FileResult) -> String {
        human::file(&r, &self.handler, self.lang)
    }
    fn parallel(&self) -> Option<Render<'_>> {
        Some(Box::new(|r| human::file(r, &self.handler, self.lang)))
    }
    fn cross(&mut self) -> String {
        if std::mem::replace(&mut self.cross_said, true) {
            return String::new();
        }
        match self.lang {
            Lang::Zh => "—— 跨年度核对（同一机关相邻年度的报告对照）——\n\n".into(),
            Lang::En => "-- Across years (reports of one office, consecutive years) --\n\n".into(),
        }
    }
    fn finish(&mut self, t: &Totals) -> String {
        human::summary(t.files, t.failed, t.counts, self.lang)
    }
}

/// One JSON array, written an object at a time.
struct Json {
    items: usize,
}

impl Sink for Json {
    fn begin(&mut self) -> String {
        "[".into()
    }
    fn file(&mut self, r: FileResult) -> String {
        let text = Self::render(&r);
        self.rendered(text)
    }
    fn parallel(&self) -> Option<Render<'_>> {
        Some(Box::new(Self::render))
    }
    fn rendered(&mut self, text: String) -> String {
        first_without_comma(&mut self.items, text, 1)
    }
    fn finish(&mut self, _: &Totals) -> String {
        if self.items == 0 { "]\n" } else { "\n]\n" }.into()
    }
}

impl Json {
    /// A file's objects, each after ",\n" (the first comma of the array is
    /// taken off in order).
    fn render(r: &FileResult) -> String {
        let mut out = String::new();
        for f in json::findings(std::slice::from_ref(r)) {
            out.push_str(",\n");
            let text = serde_json::to_string_pretty(&f).unwrap_or_else(|_| "{}".into());
            for (i, line) in text.lines().enumerate() {
                if i > 0 {
                    out.push('\n');
                }
                out.push_str("  ");
                out.push_str(line);
            }
        }
        out
    }
}

/// `text` (items each after ",\n") with the first `cut` bytes taken off
/// when it holds the list's first item.
fn first_without_comma(items: &mut usize, mut text: String, cut: usize) -> String {
    if !text.is_empty() {
        if *items == 0 {
            text.drain(..cut);
        }
        *items += 1;
    }
    text
}

/// Formats whose every finding is a line of its own.
struct Lines(fn(&[FileResult]) -> String);

impl Sink for Lines {
    fn file(&mut self, r: FileResult) -> String {
        (self.0)(std::slice::from_ref(&r))
    }
    fn parallel(&self) -> Option<Render<'_>> {
        let render = self.0;
        Some(Box::new(move |r| render(std::slice::from_ref(r))))
    }
    fn finish(&mut self, _: &Totals) -> String {
        String::new()
    }
}

struct Sarif {
    rules: Vec<Value>,
    items: usize,
}

impl Sink for Sarif {
    fn begin(&mut self) -> String {
        sarif::begin()
    }
    fn file(&mut self, r: FileResult) -> String {
        let text = self.render(&r);
        self.rendered(text)
    }
    fn parallel(&self) -> Option<Render<'_>> {
        Some(Box::new(|r| self.render(r)))
    }
    fn rendered(&mut self, text: String) -> String {
        first_without_comma(&mut self.items, text, 2)
    }
    fn finish(&mut self, _: &Totals) -> String {
        sarif::finish(std::mem::take(&mut self.rules))
    }
}

impl Sarif {
    /// A file's results, each after ",\n".
    fn render(&self, r: &FileResult) -> String {
        let mut out = String::new();
        for v in sarif::results(r, &self.rules) {
            out.push_str(",\n      ");
            out.push_str(&serde_json::to_string(&v).unwrap_or_else(|_| "{}".into()));
        }
        out
    }
}

struct Junit;

impl Sink for Junit {
    fn begin(&mut self) -> String {
        junit::BEGIN.into()
    }
    fn file(&mut self, r: FileResult) -> String {
        junit::file(&r)
    }
    fn parallel(&self) -> Option<Render<'_>> {
        Some(Box::new(junit::file))
    }
    fn finish(&mut self, _: &Totals) -> String {
        junit::END.into()
    }
}

/// The HTML page shows every report, so it keeps them; a file's findings
/// across years join the file's own.
struct Html(Vec<FileResult>);

impl Sink for Html {
    fn file(&mut self, r: FileResult) -> String {
        match self.0.iter_mut().find(|o| o.path == r.path) {
            Some(o) => {
                o.diagnostics.extend(r.diagnostics);
                o.diagnostics.sort_by(|a, b| {
                    (a.span.start, a.span.end, &a.rule).cmp(&(b.span.start, b.span.end, &b.rule))
                });
            }
            None => self.0.push(r),
        }
        String::new()
    }
    fn finish(&mut self, _: &Totals) -> String {
        html::render(&self.0)
    }
}

//! Markdown (CommonMark + GFM pipe tables) via pulldown-cmark, keeping the
//! source offset of every piece of text.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use super::{Block, BlockKind, Document, Fragment, Sep};

pub(super) fn read(text: &str) -> Document {
    let mut doc = Document::default();
    let parser = Parser::new_ext(text, Options::ENABLE_TABLES).into_offset_iter();
    let mut sep = Sep::Block;
    let mut gap = 0u16;
    let mut cell_empty = false;
    let mut block: Option<(BlockKind, std::ops::Range<usize>, usize)> = None;
    for (event, range) in parser {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                block = Some((BlockKind::Heading(level as u8), range, doc.fragments.len()));
                sep = Sep::Block;
            }
            Event::Start(Tag::Paragraph) => {
                block = Some((BlockKind::Line, range, doc.fragments.len()));
                sep = Sep::Block;
            }
            Event::Start(Tag::TableHead) | Event::Start(Tag::TableRow) => {
                block = Some((BlockKind::TableRow, range, doc.fragments.len()));
                sep = sep.max(Sep::Line);
                gap = 0;
            }
            Event::Start(Tag::TableCell) => {
                sep = sep.max(Sep::Cell);
                cell_empty = true;
            }
            // An empty cell after the row's first text is a blank value.
            Event::End(TagEnd::TableCell)
                if cell_empty
                    && doc
                        .fragments
                        .last()
                        .is_some_and(|f| f.range.start >= block_start(&block)) =>
            {
                gap = gap.saturating_add(1);
            }
            Event::Start(Tag::Table(_)) => sep = Sep::Block,
            Event::End(
                TagEnd::Heading(_) | TagEnd::Paragraph | TagEnd::TableHead | TagEnd::TableRow,
            ) => {
                if let Some((kind, range, first)) = block.take()
                    && doc.fragments.len() > first
                {
                    doc.blocks.push(Block {
                        kind,
                        range,
                        fragments: first..doc.fragments.len(),
                    });
                }
                sep = sep.max(Sep::Line);
            }
            Event::Text(_) | Event::Code(_) => {
                if text[range.clone()].trim().is_empty() {
                    continue;
                }
                cell_empty = false;
                doc.fragments.push(Fragment {
                    range,
                    sep,
                    gap,
                    trailing: 0,
                });
                sep = Sep::None;
                gap = 0;
            }
            Event::SoftBreak | Event::HardBreak => sep = sep.max(Sep::Line),
            Event::Start(Tag::Item) => sep = sep.max(Sep::Line),
            _ => {}
        }
    }
    doc
}

fn block_start(block: &Option<(BlockKind, std::ops::Range<usize>, usize)>) -> usize {
    block.as_ref().map_or(usize::MAX, |b| b.1.start)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_paragraphs_and_pipe_tables_keep_offsets() {
        let text = "# 一、总体情况\n\n正文一段。\n\n| 信息内容 | 本年 | 累计 |\n|---|---|---|\n| 规章 |  | 3 |\n";
        let doc = read(text);
        let frags: Vec<(&str, Sep, u16)> = doc
            .fragments
            .iter()
            .map(|f| (&text[f.range.clone()], f.sep, f.gap))
            .collect();
        assert_eq!(
            frags,
            vec![
                ("一、总体情况", Sep::Block, 0),
                ("正文一段。", Sep::Block, 0),
                ("信息内容", Sep::Block, 0),
                ("本年", Sep::Cell, 0),
                ("累计", Sep::Cell, 0),
                ("规章", Sep::Line, 0),
                ("3", Sep::Cell, 1),
            ]
        );
        assert_eq!(doc.blocks[0].kind, BlockKind::Heading(1));
        assert_eq!(
            doc.blocks
                .iter()
                .filter(|b| b.kind == BlockKind::TableRow)
                .count(),
            2
        );
    }
}

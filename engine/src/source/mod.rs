//! A report file as bytes and as decoded text, with everything needed to map
//! positions back to the original file and to write it back unchanged.

mod bytes_map;
mod decode;
mod lines;

pub use bytes_map::SpliceError;
pub use decode::{DecodeError, Encoding};
pub(crate) use decode::{decode_declared, is_common_chinese};
pub use lines::{LineEnding, LineIndex, Position};

use crate::read::{Extraction, Format, Location, Place};

/// One input file: the original bytes, how they were decoded, and the text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// A display name (usually the path); never opened by the engine.
    pub name: String,
    /// The bytes exactly as read, kept so a fix can be spliced in without
    /// re-encoding anything outside the fixed span.
    pub bytes: Vec<u8>,
    pub encoding: Encoding,
    /// Whether the file started with a byte-order mark (kept on write-back).
    pub bom: bool,
    /// The decoded text without the BOM; line endings are kept as they are.
    pub text: String,
    pub line_ending: LineEnding,
    pub lines: LineIndex,
    /// Set when `text` was extracted from a Word, HTML or PDF file: such a
    /// file is never written back.
    pub origin: Option<Origin>,
}

/// What an extracted text came from, and where each piece of it stands there.
#[derive(Debug, Clone)]
pub struct Origin {
    pub format: Format,
    /// Sorted by offset into `text`.
    pub places: Vec<Place>,
}

impl SourceFile {
    /// Decodes `bytes`, detecting the encoding (BOM, then strict UTF-8, then
    /// a Chinese legacy encoding). Never asks the user.
    pub fn decode(name: impl Into<String>, bytes: Vec<u8>) -> Result<Self, DecodeError> {
        let name = name.into();
        let decoded = decode::decode(&bytes)?;
        let lines = LineIndex::new(&decoded.text);
        let line_ending = LineEnding::detect(&decoded.text);
        Ok(SourceFile {
            name,
            bytes,
            encoding: decoded.encoding,
            bom: decoded.bom,
            text: decoded.text,
            line_ending,
            lines,
            origin: None,
        })
    }

    /// A file whose text was extracted from its bytes (Word, HTML, PDF): the
    /// original bytes are kept, the extracted text is what positions refer to.
    pub fn extracted(
        name: impl Into<String>,
        bytes: Vec<u8>,
        format: Format,
        extraction: Extraction,
    ) -> Self {
        let text = extraction.text;
        let lines = LineIndex::new(&text);
        let line_ending = LineEnding::detect(&text);
        SourceFile {
            name: name.into(),
            bytes,
            encoding: extraction.encoding.unwrap_or(Encoding::Utf8),
            bom: false,
            text,
            line_ending,
            lines,
            origin: Some(Origin {
                format,
                places: extraction.places,
            }),
        }
    }

    /// Whether the text was extracted (and the file must not be written back).
    pub fn is_extracted(&self) -> bool {
        self.origin.is_some()
    }

    /// Where a byte offset into `text` stands in the original Word, HTML or
    /// PDF file (第12段, 表三第5行第2列, 第3页); `None` for text files.
    pub fn location(&self, offset: usize) -> Option<Location> {
        let places = &self.origin.as_ref()?.places;
        let i = places.partition_point(|p| p.start <= offset);
        i.checked_sub(1).map(|i| places[i].location)
    }

    /// A file built from text already in memory (an editor buffer): UTF-8, no BOM.
    pub fn from_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = text.into();
        let lines = LineIndex::new(&text);
        let line_ending = LineEnding::detect(&text);
        SourceFile {
            name: name.into(),
            bytes: text.clone().into_bytes(),
            encoding: Encoding::Utf8,
            bom: false,
            text,
            line_ending,
            lines,
            origin: None,
        }
    }

    /// 1-based line and character column of a byte offset into `text`.
    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(&self.text, offset)
    }

    /// Encodes `text` the way the original file was encoded (no BOM).
    pub fn encode(&self, text: &str) -> Vec<u8> {
        decode::encode(self.encoding, text)
    }
}

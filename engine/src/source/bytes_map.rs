//! Splicing fixes made on the decoded text into the original bytes.
//!
//! Re-encoding a decoded prefix does not give its original length: GBK's
//! single byte 0x80 decodes to '€', which GB18030 encodes in two bytes, and a
//! few Big5 pairs decode to two characters. So the original byte offset of
//! each edit boundary is found by decoding the original bytes themselves,
//! and the result is checked before anyone writes it.

use super::{Encoding, SourceFile};
use crate::diagnostic::Edit;

/// Why fixed bytes could not be made safely; the file must then be left as it is.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SpliceError {
    #[error("修复位置 {start}..{end} 超出文本范围、顺序颠倒或不在字符边界上")]
    BadEdit { start: usize, end: usize },
    #[error(
        "第 {line} 行的修复位置在原文件中没有对应的字节位置（{encoding} 的一个字节序列解码为多个字符）"
    )]
    Unmappable { line: u32, encoding: Encoding },
    #[error("修复后的文字“{text}”无法用文件的编码 {encoding} 表示")]
    Unencodable { text: String, encoding: Encoding },
    #[error("按 {encoding} 写回的字节重新解码后与修复后的文本不一致")]
    Mismatch { encoding: Encoding },
    #[error("文本是从 Word、HTML 或 PDF 文件中提取的，不能写回原文件")]
    Extracted,
}

impl SourceFile {
    /// The original bytes with each edit (sorted, non-overlapping, on the
    /// decoded text) spliced in, encoded like the file: the BOM and every
    /// byte outside the edits are the original ones. Verified: the result
    /// decodes to `fix::apply(text, edits)`.
    pub fn fixed_bytes(&self, edits: &[Edit]) -> Result<Vec<u8>, SpliceError> {
        if self.is_extracted() {
            return Err(SpliceError::Extracted);
        }
        check_edits(&self.text, edits)?;
        let encoding = self.encoding;
        let bom = if self.bom { encoding.bom_len() } else { 0 };
        let body = self
            .bytes
            .get(bom..)
            .ok_or(SpliceError::Mismatch { encoding })?;
        let mut map = Mapper::new(encoding, body);
        let unmappable = |offset: usize| SpliceError::Unmappable {
            line: self.position(offset).line,
            encoding,
        };
        let mut out = Vec::with_capacity(self.bytes.len() + 64);
        out.extend_from_slice(&self.bytes[..bom]);
        let mut at = 0;
        for e in edits {
            let start = map
                .offset_of(e.span.start)
                .ok_or_else(|| unmappable(e.span.start))?;
            let end = map
                .offset_of(e.span.end)
                .ok_or_else(|| unmappable(e.span.end))?;
            out.extend_from_slice(&body[at..start]);
            out.extend_from_slice(&encode_strict(encoding, &e.replacement)?);
            at = end;
        }
        out.extend_from_slice(&body[at..]);
        let expected = crate::fix::apply(&self.text, edits);
        match rs(encoding).decode_without_bom_handling_and_without_replacement(&out[bom..]) {
            Some(text) if text == expected => Ok(out),
            _ => Err(SpliceError::Mismatch { encoding }),
        }
    }
}

/// Edits must lie in the text, on character boundaries, sorted and apart:
/// they may come from a cache entry anyone could have written.
fn check_edits(text: &str, edits: &[Edit]) -> Result<(), SpliceError> {
    let mut at = 0;
    for e in edits {
        let (start, end) = (e.span.start, e.span.end);
        if start < at || !crate::fix::fits(text, e) {
            return Err(SpliceError::BadEdit { start, end });
        }
        at = end;
    }
    Ok(())
}

fn rs(encoding: Encoding) -> &'static encoding_rs::Encoding {
    match encoding {
        Encoding::Utf8 => encoding_rs::UTF_8,
        Encoding::Utf16Le => encoding_rs::UTF_16LE,
        Encoding::Utf16Be => encoding_rs::UTF_16BE,
        Encoding::Gb18030 => encoding_rs::GB18030,
        Encoding::Big5 => encoding_rs::BIG5,
    }
}

/// `text` in `encoding`, refusing characters the encoding cannot hold
/// (encoding_rs would write them as `&#NNNN;`).
fn encode_strict(encoding: Encoding, text: &str) -> Result<Vec<u8>, SpliceError> {
    Ok(match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        // encoding_rs encodes UTF-16 targets as UTF-8, so do it here.
        Encoding::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Encoding::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        Encoding::Gb18030 | Encoding::Big5 => {
            let (bytes, _, unmappable) = rs(encoding).encode(text);
            if unmappable {
                return Err(SpliceError::Unencodable {
                    text: text.chars().take(20).collect(),
                    encoding,
                });
            }
            bytes.into_owned()
        }
    })
}

/// Input bytes fed at once while far from the next boundary.
const CHUNK: usize = 64 << 10;

/// Walks the original bytes once, front to back, finding the byte offset
/// where the decoded text reaches each requested (ascending) offset.
struct Mapper<'a> {
    /// `None` for UTF-8, whose text offsets are byte offsets.
    decoder: Option<encoding_rs::Decoder>,
    bytes: &'a [u8],
    /// Input consumed and UTF-8 output produced so far. Between calls the
    /// decoder holds no partial character when `written` is a boundary
    /// returned before; otherwise `written` is below every later target.
    read: usize,
    written: usize,
    scratch: Vec<u8>,
}

impl<'a> Mapper<'a> {
    fn new(encoding: Encoding, bytes: &'a [u8]) -> Self {
        let decoder =
            (encoding != Encoding::Utf8).then(|| rs(encoding).new_decoder_without_bom_handling());
        Mapper {
            decoder,
            bytes,
            read: 0,
            written: 0,
            scratch: Vec::new(),
        }
    }

    /// The original byte offset (after any BOM) at which the decoded text
    /// reaches `target`; `None` when no byte boundary falls there (one input
    /// byte completed several characters) or the input ends first.
    fn offset_of(&mut self, target: usize) -> Option<usize> {
        let Some(decoder) = self.decoder.as_mut() else {
            return (target <= self.bytes.len()).then_some(target);
        };
        if target < self.written {
            return None;
        }
        if self.scratch.is_empty() {
            self.scratch = vec![0; 4 * CHUNK + 16];
        }
        while self.written < target {
            let need = target - self.written;
            // One input byte completes at most 4 bytes of UTF-8 (a 4-byte
            // character, or a Big5 pair giving two 2-byte characters), so
            // this many bytes stay strictly below the target...
            let bulk = ((need - 1) / 4).min(CHUNK);
            // ...and the last few are fed one at a time, so that the first
            // byte after which the output reaches the target is found.
            let n = bulk.max(1);
            let src = self.bytes.get(self.read..self.read + n)?;
            let (result, read, written) =
                decoder.decode_to_utf8_without_replacement(src, &mut self.scratch, false);
            if matches!(result, encoding_rs::DecoderResult::Malformed(..)) {
                return None;
            }
            self.read += read;
            self.written += written;
            if bulk == 0 && self.written > target {
                return None;
            }
        }
        (self.written == target).then_some(self.read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Big5 file, as the CLI would read it once the encoding is known.
    fn big5(bytes: Vec<u8>) -> SourceFile {
        let text = encoding_rs::BIG5
            .decode_without_bom_handling_and_without_replacement(&bytes)
            .unwrap()
            .into_owned();
        SourceFile {
            bytes,
            encoding: Encoding::Big5,
            ..SourceFile::from_text("r.txt", text)
        }
    }

    fn edit(text: &str, wrong: &str, right: &str) -> Edit {
        let i = text.find(wrong).unwrap();
        Edit {
            span: i..i + wrong.len(),
            replacement: right.into(),
        }
    }

    #[test]
    fn gbk_euro_bytes_before_a_fix_stay_where_they_were() {
        // 0x80 is '€' in GBK (one byte) but two bytes when GB18030 encodes it.
        let mut bytes = b"\x80\x80".to_vec();
        bytes.extend(encode_strict(Encoding::Gb18030, "本列数据的钩稽关系\r\n").unwrap());
        bytes.push(0x80);
        let src = SourceFile::decode("r.txt", bytes.clone()).unwrap();
        assert_eq!(src.encoding, Encoding::Gb18030);
        let fixed = src.fixed_bytes(&[edit(&src.text, "钩稽", "勾稽")]).unwrap();
        let mut want = b"\x80\x80".to_vec();
        // 本列数据的 勾稽 关系 in GBK, typed from the code chart.
        want.extend(
            b"\xb1\xbe\xc1\xd0\xca\xfd\xbe\xdd\xb5\xc4\xb9\xb4\xbb\xfc\xb9\xd8\xcf\xb5\r\n\x80",
        );
        assert_eq!(fixed, want);
    }

    #[test]
    fn utf16_with_bom_and_surrogates() {
        let text = "𠀀钩稽\r\n";
        let mut bytes = vec![0xFF, 0xFE];
        bytes.extend(encode_strict(Encoding::Utf16Le, text).unwrap());
        let src = SourceFile::decode("r.txt", bytes).unwrap();
        let fixed = src.fixed_bytes(&[edit(text, "钩稽", "勾稽")]).unwrap();
        let mut want = vec![0xFF, 0xFE];
        want.extend(encode_strict(Encoding::Utf16Le, "𠀀勾稽\r\n").unwrap());
        assert_eq!(fixed, want);
    }

    #[test]
    fn big5_pair_that_decodes_to_two_characters_cannot_be_split() {
        // 0x88 0x62 decodes to "Ê̄" (U+00CA U+0304): no byte lies between them.
        let mut bytes = encode_strict(Encoding::Big5, "報告").unwrap();
        bytes.extend([0x88, 0x62]);
        let src = big5(bytes);
        let i = src.text.find('\u{304}').unwrap();
        let e = Edit {
            span: i..i,
            replacement: "x".into(),
        };
        assert!(matches!(
            src.fixed_bytes(&[e]),
            Err(SpliceError::Unmappable { .. })
        ));
        // Replacing both characters maps to the pair's bytes.
        let e = Edit {
            span: i - 2..i + 2,
            replacement: "告".into(),
        };
        assert_eq!(
            src.fixed_bytes(&[e]).unwrap(),
            encode_strict(Encoding::Big5, "報告告").unwrap()
        );
    }

    #[test]
    fn unencodable_replacement_and_bad_edits_are_refused() {
        let src = big5(encode_strict(Encoding::Big5, "報告鉤稽").unwrap());
        // 勾 exists in Big5; the emoji does not.
        assert!(matches!(
            src.fixed_bytes(&[edit("報告鉤稽", "鉤", "😀")]),
            Err(SpliceError::Unencodable { .. })
        ));
        for (a, b) in [(1, 3), (0, 100), (6, 3)] {
            let e = Edit {
                span: a..b,
                replacement: String::new(),
            };
            assert!(matches!(
                src.fixed_bytes(&[e]),
                Err(SpliceError::BadEdit { .. })
            ));
        }
    }

    #[test]
    fn long_gbk_text_maps_every_boundary() {
        let line = "€本年收到申请12件，钩稽。\n";
        let text = line.repeat(5000);
        let mut bytes = Vec::new();
        for _ in 0..5000 {
            bytes.push(0x80);
            bytes.extend(encode_strict(Encoding::Gb18030, &line['€'.len_utf8()..]).unwrap());
        }
        let src = SourceFile::decode("r.txt", bytes.clone()).unwrap();
        assert_eq!(src.text, text);
        let edits: Vec<Edit> = text
            .match_indices("钩稽")
            .map(|(i, w)| Edit {
                span: i..i + w.len(),
                replacement: "勾稽".into(),
            })
            .collect();
        let fixed = src.fixed_bytes(&edits).unwrap();
        let want: Vec<u8> = bytes
            .split(|&b| b == b'\n')
            .map(|l| {
                let mut l = l.to_vec();
                if let Some(i) = l.windows(4).position(|w| w == b"\xb9\xb3\xbb\xfc") {
                    l[i..i + 2].copy_from_slice(b"\xb9\xb4");
                }
                l
            })
            .collect::<Vec<_>>()
            .join(&b'\n');
        assert_eq!(fixed, want);
    }
}

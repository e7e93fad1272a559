//! Encoding detection and decoding. Reports come from Word on Chinese Windows
//! (GBK/GB18030, UTF-16 with BOM) as often as from modern editors (UTF-8).

use std::fmt;

/// The encodings gklint reads and writes back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    Utf8,
    Utf16Le,
    Utf16Be,
    /// GB18030, a superset of GBK and GB2312.
    Gb18030,
    Big5,
}

impl Encoding {
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
            Encoding::Gb18030 => "GB18030",
            Encoding::Big5 => "Big5",
        }
    }

    pub(crate) fn bom_len(self) -> usize {
        match self {
            Encoding::Utf8 => 3,
            Encoding::Utf16Le | Encoding::Utf16Be => 2,
            Encoding::Gb18030 | Encoding::Big5 => 0,
        }
    }

    fn rs(self) -> &'static encoding_rs::Encoding {
        match self {
            Encoding::Utf8 => encoding_rs::UTF_8,
            Encoding::Utf16Le => encoding_rs::UTF_16LE,
            Encoding::Utf16Be => encoding_rs::UTF_16BE,
            Encoding::Gb18030 => encoding_rs::GB18030,
            Encoding::Big5 => encoding_rs::BIG5,
        }
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DecodeError {
    #[error("文件不是文本（第 {offset} 字节处有 NUL 字符），无法按文本报告读取")]
    Binary { offset: usize },
    #[error("文件按 {encoding} 解码时在第 {offset} 字节处遇到无效字节序列")]
    Malformed { encoding: Encoding, offset: usize },
}

pub(crate) struct Decoded {
    pub text: String,
    pub encoding: Encoding,
    pub bom: bool,
}

pub(crate) fn decode(bytes: &[u8]) -> Result<Decoded, DecodeError> {
    if let Some((enc, bom_len)) = encoding_rs::Encoding::for_bom(bytes) {
        let encoding = if enc == encoding_rs::UTF_8 {
            Encoding::Utf8
        } else if enc == encoding_rs::UTF_16LE {
            Encoding::Utf16Le
        } else {
            Encoding::Utf16Be
        };
        let text = strict(encoding, &bytes[bom_len..], bom_len)?;
        return Ok(Decoded {
            text,
            encoding,
            bom: true,
        });
    }
    // A NUL byte never occurs in UTF-8 or GB18030 text: this is a binary file.
    if let Some(offset) = memchr::memchr(0, bytes) {
        return Err(DecodeError::Binary { offset });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.to_owned(),
            encoding: Encoding::Utf8,
            bom: false,
        });
    }
    let encoding = guess_legacy(bytes);
    let text = strict(encoding, bytes, 0)?;
    Ok(Decoded {
        text,
        encoding,
        bom: false,
    })
}

/// Not UTF-8: ask chardetng, restricted to the encodings a Chinese report can
/// plausibly use; anything else is read as GB18030 (what Chinese Windows saves).
fn guess_legacy(bytes: &[u8]) -> Encoding {
    // The first 16 KiB tell as well as the whole file and keep detection
    // linear in nothing; cut after an ASCII byte so no character is split.
    const SAMPLE: usize = 16 << 10;
    let sample = if bytes.len() > SAMPLE {
        let cut = bytes[..SAMPLE]
            .iter()
            .rposition(|b| b.is_ascii())
            .map_or(SAMPLE, |i| i + 1);
        &bytes[..cut]
    } else {
        bytes
    };
    // GBK text nearly always has trail bytes (0x80–0xA0) that Big5 lacks:
    // when the sample is no Big5 at all, there is nothing to ask chardetng,
    // whose statistics cost more than decoding the whole file.
    if encoding_rs::BIG5
        .decode_without_bom_handling_and_without_replacement(sample)
        .is_none()
    {
        return Encoding::Gb18030;
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(sample, true);
    let guess = detector.guess(Some(b"cn"), chardetng::Utf8Detection::Deny);
    if guess == encoding_rs::BIG5 {
        Encoding::Big5
    } else {
        Encoding::Gb18030
    }
}

fn strict(encoding: Encoding, bytes: &[u8], base: usize) -> Result<String, DecodeError> {
    let (text, had_errors) = encoding.rs().decode_without_bom_handling(bytes);
    if had_errors {
        let offset = first_error_offset(encoding, bytes).map_or(base, |o| base + o);
        return Err(DecodeError::Malformed { encoding, offset });
    }
    Ok(text.into_owned())
}

fn first_error_offset(encoding: Encoding, bytes: &[u8]) -> Option<usize> {
    let mut decoder = encoding.rs().new_decoder_without_bom_handling();
    let mut out = String::with_capacity(bytes.len() * 2 + 16);
    let mut read = 0;
    loop {
        let (result, n) =
            decoder.decode_to_string_without_replacement(&bytes[read..], &mut out, true);
        match result {
            encoding_rs::DecoderResult::Malformed(bad, _) => {
                return Some((read + n).saturating_sub(bad as usize));
            }
            encoding_rs::DecoderResult::InputEmpty => return None,
            encoding_rs::DecoderResult::OutputFull => {
                read += n;
                out.reserve(bytes.len());
            }
        }
    }
}

pub(crate) fn encode(encoding: Encoding, text: &str) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        // encoding_rs only encodes to UTF-8 for UTF-16 targets, so do it here.
        Encoding::Utf16Le => text.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Encoding::Utf16Be => text.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        Encoding::Gb18030 | Encoding::Big5 => encoding.rs().encode(text).0.into_owned(),
    }
}

pub(crate) fn encoded_len(encoding: Encoding, text: &str) -> usize {
    match encoding {
        Encoding::Utf8 => text.len(),
        Encoding::Utf16Le | Encoding::Utf16Be => text.encode_utf16().count() * 2,
        Encoding::Gb18030 | Encoding::Big5 => encode(encoding, text).len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_each_encoding() {
        let text = "一、总体情况\r\n本年新收申请1件。";
        let gb = encode(Encoding::Gb18030, text);
        let d = decode(&gb).unwrap();
        assert_eq!(
            (d.encoding, d.bom, d.text.as_str()),
            (Encoding::Gb18030, false, text)
        );

        let mut le = vec![0xFF, 0xFE];
        le.extend(encode(Encoding::Utf16Le, text));
        let d = decode(&le).unwrap();
        assert_eq!(
            (d.encoding, d.bom, d.text.as_str()),
            (Encoding::Utf16Le, true, text)
        );

        let mut be = vec![0xFE, 0xFF];
        be.extend(encode(Encoding::Utf16Be, text));
        assert_eq!(decode(&be).unwrap().encoding, Encoding::Utf16Be);

        let mut bom8 = vec![0xEF, 0xBB, 0xBF];
        bom8.extend(text.as_bytes());
        let d = decode(&bom8).unwrap();
        assert_eq!(
            (d.encoding, d.bom, d.text.as_str()),
            (Encoding::Utf8, true, text)
        );
    }

    #[test]
    fn binary_and_malformed_input_are_errors_with_offsets() {
        assert_eq!(
            decode(b"abc\0def").err(),
            Some(DecodeError::Binary { offset: 3 })
        );
        // An odd trailing byte in UTF-16 is malformed.
        let err = decode(&[0xFF, 0xFE, 0x41, 0x00, 0x42]).err().unwrap();
        assert!(matches!(
            err,
            DecodeError::Malformed {
                encoding: Encoding::Utf16Le,
                ..
            }
        ));
    }
}

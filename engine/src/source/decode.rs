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

/// A document read in the encoding it declares (an HTML page's `<meta
/// charset>`), unless its bytes say otherwise.
pub(crate) struct Declared {
    pub text: String,
    /// `None` for an encoding gklint does not write (a page is never written).
    pub encoding: Option<Encoding>,
    /// Why the declaration was not followed, for the user.
    pub note: Option<String>,
}

/// Decodes a document that may declare its encoding (`label`). The bytes
/// decide, with the detector text files use: a BOM; valid UTF-8 (a stale
/// declaration is common); else the declared encoding, unless it does not
/// decode or decodes to mojibake while the detected Chinese encoding reads
/// as Chinese text. Never fails: a page is read as well as it can be.
pub(crate) fn decode_declared(bytes: &[u8], label: Option<&[u8]>) -> Declared {
    if let Some((enc, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, _) = enc.decode_without_bom_handling(&bytes[bom..]);
        return Declared {
            text: text.into_owned(),
            encoding: ours(enc),
            note: None,
        };
    }
    // A page that says UTF-16 in ASCII bytes is not UTF-16.
    let declared = label
        .and_then(encoding_rs::Encoding::for_label)
        .map(|e| e.output_encoding());
    let said = String::from_utf8_lossy(label.unwrap_or_default()).into_owned();
    if let Ok(text) = std::str::from_utf8(bytes) {
        let stale = declared.is_some_and(|d| d != encoding_rs::UTF_8) && !bytes.is_ascii();
        return Declared {
            text: text.to_owned(),
            encoding: Some(Encoding::Utf8),
            note: stale.then(|| {
                format!("页面声明的字符编码是 {said}，但内容实为 UTF-8，已按 UTF-8 读取（请把页面的 <meta charset> 改为 utf-8）")
            }),
        };
    }
    let guess = guess_legacy(bytes);
    let mut note = None;
    if let Some(enc) = declared
        && enc != encoding_rs::UTF_8
    {
        let (text, had_errors) = enc.decode_without_bom_handling(bytes);
        if !had_errors {
            if enc == guess.rs() || !mojibake(&text, bytes, guess) {
                return Declared {
                    text: text.into_owned(),
                    encoding: ours(enc),
                    note: None,
                };
            }
            note = Some(format!(
                "页面声明的字符编码是 {said}，但按它解码是乱码，内容实为 {guess}，已按 {guess} 读取（请把页面的 <meta charset> 改为 {guess}）"
            ));
        } else {
            note = Some(format!(
                "页面声明的字符编码是 {said}，但内容按它解码有无效字节，已按检测出的 {guess} 读取（请把页面的 <meta charset> 改为实际的编码）"
            ));
        }
    } else if declared.is_some() {
        note = Some(format!(
            "页面声明的字符编码是 {said}，但内容不是有效的 UTF-8，已按检测出的 {guess} 读取（请把页面的 <meta charset> 改为实际的编码）"
        ));
    }
    let (text, had_errors) = guess.rs().decode_without_bom_handling(bytes);
    if had_errors && guess != Encoding::Gb18030 {
        let (gb, gb_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
        if !gb_errors {
            return Declared {
                text: gb.into_owned(),
                encoding: Some(Encoding::Gb18030),
                note,
            };
        }
    }
    Declared {
        text: text.into_owned(),
        encoding: Some(guess),
        note,
    }
}

fn ours(enc: &'static encoding_rs::Encoding) -> Option<Encoding> {
    [
        Encoding::Utf8,
        Encoding::Utf16Le,
        Encoding::Utf16Be,
        Encoding::Gb18030,
        Encoding::Big5,
    ]
    .into_iter()
    .find(|e| e.rs() == enc || (*e == Encoding::Gb18030 && enc == encoding_rs::GBK))
}

/// Whether `text` (the bytes decoded as declared) is mojibake of Chinese text
/// in `guess`: the guess decodes cleanly, most of its characters are common
/// Chinese ones, and far fewer of the declared decoding's are. Judged on a
/// sample (statistics of the first 64 KiB are those of the page).
fn mojibake(text: &str, bytes: &[u8], guess: Encoding) -> bool {
    const SAMPLE: usize = 64 << 10;
    let cut = |s: &str| {
        let mut end = s.len().min(SAMPLE);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s[..end].to_owned()
    };
    let sample = &bytes[..bytes.len().min(SAMPLE)];
    // The sample may end inside a character: only the end may be malformed.
    let (alt, _) = guess.rs().decode_without_bom_handling(sample);
    let alt = alt.trim_end_matches('\u{FFFD}');
    if alt.contains('\u{FFFD}') {
        return false;
    }
    let (alt_common, alt_all) = chinese_share(alt);
    let (own_common, own_all) = chinese_share(&cut(text));
    // Enough Chinese to judge, most of it common, and the declared reading
    // at most a third as Chinese.
    alt_all >= 8
        && alt_common * 10 >= alt_all * 4
        && own_common * 3 * alt_all < alt_common * own_all.max(1)
}

/// Of the non-ASCII characters of `text`: how many are common Chinese
/// characters or Chinese punctuation, and how many there are.
fn chinese_share(text: &str) -> (usize, usize) {
    let mut common = 0;
    let mut all = 0;
    for c in text.chars().filter(|c| !c.is_ascii()) {
        all += 1;
        if is_common_chinese(c)
            || ('\u{3000}'..='\u{303F}').contains(&c)
            || ('\u{FF01}'..='\u{FF5E}').contains(&c)
        {
            common += 1;
        }
    }
    (common, all)
}

/// Characters frequent in any Chinese text, and in these reports.
const COMMON: &str = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研质信息申请依公开政务办告报予以复议诉讼况况年月日万元条件次项";

/// Whether `c` is among the few hundred most frequent Chinese characters.
pub(crate) fn is_common_chinese(c: char) -> bool {
    (c as u32) >= 0x4E00 && COMMON.contains(c)
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

//! A report saved in another encoding, or with other line endings, is the
//! same report: the same model with the same line numbers.

use gklint_engine::model::json::to_json;
use gklint_engine::read::Format;
use gklint_engine::{pack, parse};
use gklint_tests::corpus;
use proptest::prelude::*;

/// Every text report of the corpus (seeds and real), by path under
/// `tests/fixtures/corpus/`.
fn reports() -> Vec<String> {
    let mut out = Vec::new();
    for dir in ["seeds", "real"] {
        for e in std::fs::read_dir(corpus(dir)).expect("corpus folder") {
            let name = e.expect("entry").file_name().to_string_lossy().into_owned();
            if name.ends_with(".txt") {
                out.push(format!("{dir}/{name}"));
            }
        }
    }
    out.sort();
    out
}

#[derive(Debug, Clone, Copy)]
enum Enc {
    Utf8,
    Utf8Bom,
    Gb18030,
    Utf16Le,
    Utf16Be,
}

fn encode(text: &str, enc: Enc) -> Vec<u8> {
    match enc {
        Enc::Utf8 => text.as_bytes().to_vec(),
        Enc::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        Enc::Gb18030 => encoding_rs::GB18030.encode(text).0.into_owned(),
        Enc::Utf16Le => [0xFF, 0xFE]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_le_bytes))
            .collect(),
        Enc::Utf16Be => [0xFE, 0xFF]
            .into_iter()
            .chain(text.encode_utf16().flat_map(u16::to_be_bytes))
            .collect(),
    }
}

static CATALOG: std::sync::LazyLock<gklint_engine::schema::Catalog> =
    std::sync::LazyLock::new(|| pack::builtin_catalog().expect("built-in packs"));

fn model(name: &str, bytes: Vec<u8>) -> serde_json::Value {
    let parsed = parse(name, bytes, Format::Text, &CATALOG).expect("decodes");
    let mut json =
        serde_json::to_value(to_json(&parsed.report, &parsed.source)).expect("serializes");
    // Only what describes the file itself may differ.
    for key in ["encoding", "line_ending"] {
        json.as_object_mut().expect("object").remove(key);
    }
    json
}

fn enc_strategy() -> impl Strategy<Value = Enc> {
    prop_oneof![
        Just(Enc::Utf8),
        Just(Enc::Utf8Bom),
        Just(Enc::Gb18030),
        Just(Enc::Utf16Le),
        Just(Enc::Utf16Be)
    ]
}

/// Every report, in every encoding and with every line ending: 17 reports ×
/// 5 encodings × 3 line endings, all compared (not sampled).
#[test]
fn same_model_in_every_encoding_and_line_ending() {
    let all = reports();
    assert!(all.len() >= 17, "{all:?}");
    let encs = [
        Enc::Utf8,
        Enc::Utf8Bom,
        Enc::Gb18030,
        Enc::Utf16Le,
        Enc::Utf16Be,
    ];
    for name in &all {
        let original = std::fs::read_to_string(corpus(name)).expect("UTF-8 fixture");
        let reference = model(name, original.clone().into_bytes());
        for eol in ["\n", "\r\n", "\r"] {
            let text = original.replace("\r\n", "\n").replace('\n', eol);
            for enc in encs {
                let variant = model(name, encode(&text, enc));
                assert!(
                    variant == reference,
                    "{name} {enc:?} {eol:?}: the model differs"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn decoding_round_trips_any_text(text in "[一-龥a-z0-9，。、（）\\n\\r\\t ]{0,200}", enc in enc_strategy()) {
        let bytes = encode(&text, enc);
        // Bytes that are valid UTF-8 are read as UTF-8 (ARCHITECTURE.md: strict
        // UTF-8, else GB18030): a few GB18030 characters can form valid UTF-8
        // (苹 is C6 BB, which is UTF-8 for ƻ) and no detector can tell.
        prop_assume!(!matches!(enc, Enc::Gb18030) || std::str::from_utf8(&bytes).is_err());
        let src = gklint_engine::source::SourceFile::decode("t", bytes).expect("decodes");
        prop_assert_eq!(src.text, text);
    }
}

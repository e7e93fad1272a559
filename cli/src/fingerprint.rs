//! Content fingerprints of findings: the rule, the file name and the text
//! around the finding, not its line number, so edits elsewhere in the report
//! leave the fingerprint unchanged (baselines, SARIF partialFingerprints).

use std::collections::HashMap;

use crate::output::FileResult;

/// Characters of context taken on each side of a finding.
const CONTEXT: usize = 12;

/// FNV-1a: small, and stable across Rust versions (unlike `DefaultHasher`).
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// One fingerprint per finding of `r`, in order; identical findings are
/// numbered so that each keeps its own fingerprint.
pub fn of_file(r: &FileResult) -> Vec<String> {
    let text = &r.source.text;
    let mut seen: HashMap<u64, u32> = HashMap::new();
    r.diagnostics
        .iter()
        .map(|d| {
            let before: String = text[..d.span.start]
                .chars()
                .rev()
                .filter(|c| !c.is_whitespace())
                .take(CONTEXT)
                .collect();
            let inside: String = text[d.span.clone()]
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            let after: String = text[d.span.end..]
                .chars()
                .filter(|c| !c.is_whitespace())
                .take(CONTEXT)
                .collect();
            let key = format!(
                "{}\u{1}{}\u{1}{before}\u{1}{inside}\u{1}{after}\u{1}{}",
                d.rule,
                file_name(&r.path),
                d.message
            );
            let h = fnv1a(key.as_bytes());
            let n = seen.entry(h).or_insert(0);
            *n += 1;
            format!("{h:016x}-{n}")
        })
        .collect()
}

//! Where the catalog's labels and headers occur in a key stream: every
//! occurrence of every one, overlapping ones included (`规范性文件` inside
//! `行政规范性文件`).
//!
//! Labels are a few hundred short strings over a few dozen first
//! characters, and most characters of a report start none: a bit per
//! character answers that, and only the rest compare the labels that start
//! there. That is several times less work than an overlapping Aho-Corasick
//! search, which must follow the automaton through every byte.

#[derive(Debug, Clone, Default)]
pub struct Labels {
    labels: Vec<Label>,
    /// For each Basic Multilingual Plane character, 1 + the index in
    /// `buckets` of the labels starting with it, or 0 when none does.
    bucket_of: Vec<u16>,
    /// Labels by first character (longest first), and the first characters
    /// beyond the BMP.
    buckets: Vec<Vec<usize>>,
    astral: Vec<(char, usize)>,
}

const BMP: usize = 0x1_0000;

#[derive(Debug, Clone)]
struct Label {
    text: String,
    /// Length in characters.
    chars: usize,
    /// The first (up to) eight bytes, little-endian, and which bytes count:
    /// one comparison rejects nearly every label that does not match.
    head: u64,
    mask: u64,
}

impl Label {
    fn new(text: &str) -> Label {
        let n = text.len().min(8);
        Label {
            text: text.to_owned(),
            chars: text.chars().count(),
            head: word(text.as_bytes()),
            mask: if n == 8 {
                u64::MAX
            } else {
                (1u64 << (8 * n)) - 1
            },
        }
    }

    fn starts(&self, rest: &[u8], rest_word: u64) -> bool {
        rest_word & self.mask == self.head
            && rest.len() >= self.text.len()
            && rest[8.min(self.text.len())..self.text.len()]
                == self.text.as_bytes()[8.min(self.text.len())..]
    }
}

/// The first (up to) eight bytes of `b`, little-endian, zero-padded.
fn word(b: &[u8]) -> u64 {
    let mut buf = [0u8; 8];
    let n = b.len().min(8);
    buf[..n].copy_from_slice(&b[..n]);
    u64::from_le_bytes(buf)
}

impl Labels {
    /// `labels` must be distinct and non-empty; a label's index is its id.
    pub fn new(labels: &[String]) -> Labels {
        let mut out = Labels {
            labels: labels.iter().map(|l| Label::new(l)).collect(),
            bucket_of: vec![0; BMP],
            buckets: Vec::new(),
            astral: Vec::new(),
        };
        for (id, label) in labels.iter().enumerate() {
            let Some(first) = label.chars().next() else {
                continue;
            };
            let c = first as usize;
            let slot = if c < BMP {
                if out.bucket_of[c] == 0 {
                    out.buckets.push(Vec::new());
                    // More distinct first characters than u16 holds cannot
                    // come from YAML packs of any sensible size; keep them apart.
                    out.bucket_of[c] = u16::try_from(out.buckets.len()).unwrap_or(0);
                }
                usize::from(out.bucket_of[c]).checked_sub(1)
            } else {
                None
            };
            let slot =
                slot.unwrap_or_else(|| match out.astral.iter().find(|(ch, _)| *ch == first) {
                    Some(&(_, k)) => k,
                    None => {
                        out.buckets.push(Vec::new());
                        out.astral.push((first, out.buckets.len() - 1));
                        out.buckets.len() - 1
                    }
                });
            out.buckets[slot].push(id);
        }
        for ids in &mut out.buckets {
            ids.sort_by_key(|&id| std::cmp::Reverse(out.labels[id].text.len()));
        }
        out
    }

    fn bucket(&self, c: char) -> Option<&[usize]> {
        let n = c as usize;
        if n < BMP {
            match self.bucket_of[n] {
                0 => None,
                k => Some(self.buckets[usize::from(k) - 1].as_slice()),
            }
            .or_else(|| self.astral_bucket(c))
        } else {
            self.astral_bucket(c)
        }
    }

    fn astral_bucket(&self, c: char) -> Option<&[usize]> {
        if self.astral.is_empty() {
            return None;
        }
        let (_, k) = self.astral.iter().find(|(ch, _)| *ch == c)?;
        Some(self.buckets[*k].as_slice())
    }

    /// Calls `found(label, start, end)` (char indices into `key`) for every
    /// occurrence of every label: by start, then longest first.
    pub fn find(&self, key: &str, mut found: impl FnMut(usize, usize, usize)) {
        for (i, (at, c)) in key.char_indices().enumerate() {
            let Some(ids) = self.bucket(c) else {
                continue;
            };
            let rest = &key.as_bytes()[at..];
            let rest_word = word(rest);
            for &id in ids {
                let label = &self.labels[id];
                if label.starts(rest, rest_word) {
                    found(id, i, i + label.chars);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    #[test]
    fn finds_what_an_overlapping_automaton_finds() {
        let labels: Vec<String> = [
            "规范性文件",
            "行政规范性文件",
            "其他",
            "3.其他",
            "𠀀字",
            "文件",
            "件",
        ]
        .map(String::from)
        .to_vec();
        let key = "行政规范性文件3.其他𠀀字件规范性文件其他其他";
        let mut ours = Vec::new();
        Labels::new(&labels).find(key, |id, a, b| ours.push((a, b, id)));
        let ac = AhoCorasick::new(&labels).unwrap();
        let char_at = |byte: usize| key[..byte].chars().count();
        let mut theirs: Vec<(usize, usize, usize)> = ac
            .find_overlapping_iter(key)
            .map(|m| (char_at(m.start()), char_at(m.end()), m.pattern().as_usize()))
            .collect();
        theirs.sort_by_key(|&(a, b, _)| (a, std::cmp::Reverse(b)));
        assert_eq!(ours, theirs);
    }
}

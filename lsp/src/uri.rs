//! `file:` URIs ⇄ paths (percent-encoding, Windows drive letters), so that
//! configuration can be looked up beside a document and pack errors can be
//! shown on the pack's file.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use lsp_types::Uri;

/// The local path of a `file:` URI (`None` for other schemes: untitled buffers and the like).
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let s = uri.as_str();
    let rest = strip_prefix_ignore_case(s, "file://")?;
    // An authority: empty or `localhost`; anything else is a network share.
    let (authority, path) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => return None,
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = percent_decode(path)?;
    let decoded = String::from_utf8(bytes).ok()?;
    let authority = percent_decode(authority).and_then(|b| String::from_utf8(b).ok())?;
    if cfg!(windows) {
        let p = decoded.strip_prefix('/').unwrap_or(&decoded);
        let is_drive = p.len() >= 2 && p.as_bytes()[1] == b':';
        let local = if authority.is_empty() || authority.eq_ignore_ascii_case("localhost") {
            if is_drive {
                p.to_owned()
            } else {
                decoded.clone()
            }
        } else {
            format!(r"\\{authority}{decoded}")
        };
        return Some(PathBuf::from(local.replace('/', r"\")));
    }
    if !authority.is_empty() && !authority.eq_ignore_ascii_case("localhost") {
        return None;
    }
    Some(PathBuf::from(decoded))
}

/// The `file:` URI of a path (made absolute).
pub fn from_path(path: &Path) -> Option<Uri> {
    let abs = std::path::absolute(path).ok()?;
    let s = abs.to_str()?;
    let mut out = String::from("file://");
    let s = if cfg!(windows) {
        let s = s.replace('\\', "/");
        if s.starts_with("//") {
            // \\server\share → file://server/share
            out.truncate(5);
            s
        } else {
            format!("/{s}")
        }
    } else {
        s.to_owned()
    };
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else if cfg!(windows) && b == b':' {
            out.push_str("%3A");
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Uri::from_str(&out).ok()
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len() && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn round_trip_with_chinese_names() {
        let p = Path::new("/tmp/年报 2021/报告#1.txt");
        let uri = from_path(p).unwrap();
        assert_eq!(
            uri.as_str(),
            "file:///tmp/%E5%B9%B4%E6%8A%A5%202021/%E6%8A%A5%E5%91%8A%231.txt"
        );
        assert_eq!(to_path(&uri).unwrap(), p);
        let vscode = Uri::from_str("file:///tmp/%e5%b9%b4%e6%8a%a5").unwrap();
        assert_eq!(to_path(&vscode).unwrap(), Path::new("/tmp/年报"));
        let untitled = Uri::from_str("untitled:Untitled-1").unwrap();
        assert_eq!(to_path(&untitled), None);
    }
}

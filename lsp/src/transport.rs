//! The LSP base protocol read from a byte stream, defensively: a client (or
//! whatever is on the other end of stdin) may send anything. Headers are read
//! line by line with a cap on each line and on the whole header; only a
//! plain decimal `Content-Length` is accepted; a length above
//! [`MAX_MESSAGE`] is refused before anything is allocated for it, and the
//! body is read as it arrives (never allocated ahead of the bytes). Bytes
//! that are not a frame are skipped up to the next `Content-Length` header
//! (the stream is resynchronised); a frame whose body is not a JSON-RPC
//! message is handed back as [`Frame::Invalid`], with what could still be
//! recovered of it (its id, method and document), so that it can be answered
//! or logged and the session goes on.

use std::io::{self, Read};

use lsp_server::{ErrorCode, Message, RequestId};
use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;

/// The largest message body accepted: 64 MiB. The largest document gklint
/// lints is 20 MiB (`limits::DEFAULT_MAX_FILE_SIZE`); a JSON string may
/// escape it to several times that, and a larger document is still taken in
/// (and told too large to lint) rather than killing the session.
pub const MAX_MESSAGE: u64 = 64 << 20;

/// The longest header line (`Content-Length: 67108864` is 24 bytes).
const MAX_LINE: usize = 1024;

/// The most header bytes before the blank line that ends them.
const MAX_HEADER: usize = 8 * 1024;

/// The header every frame must carry; found again after garbage.
const MARKER: &[u8] = b"content-length";

/// The read buffer: headers are looked at in it before they are consumed.
const BUFFER: usize = 16 * 1024;

/// What the next frame of the stream was.
#[derive(Debug)]
pub enum Frame {
    /// A well-formed message.
    Message(Message),
    /// A well-framed body that is not a JSON-RPC message.
    Invalid(Invalid),
    /// Bytes that are not a frame (`why`), skipped up to the next
    /// `Content-Length` header.
    Skipped { why: String },
}

/// A framed body that could not be taken as a message.
#[derive(Debug, Clone, PartialEq)]
pub struct Invalid {
    /// The JSON-RPC error code: parse error (not JSON) or invalid request.
    pub code: i32,
    /// Why, for people.
    pub why: String,
    /// The request's id, when it could be read: the error is its answer.
    pub id: Option<RequestId>,
    /// The method, when it could be read.
    pub method: Option<String>,
    /// `params.textDocument.uri`, when it could be read (a lost change).
    pub uri: Option<String>,
}

/// Why reading cannot go on: the stream is closed, broken or cannot be
/// resynchronised.
#[derive(Debug)]
pub enum Fatal {
    /// A `Content-Length` above [`MAX_MESSAGE`]: its body cannot be skipped
    /// in reasonable time, so nothing after it can be found.
    TooLarge(u64),
    /// The stream ended inside a frame.
    Truncated {
        expected: u64,
        got: u64,
    },
    Io(io::Error),
}

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fatal::TooLarge(n) => write!(
                f,
                "客户端发来的消息声明长度 {n} 字节（Content-Length），超过上限 {} 字节（{} MiB），\
                 无法接收；其后的数据无法再分帧，语言服务器退出。请检查编辑器或客户端插件是否\
                 发送了过大的文档或损坏的数据",
                MAX_MESSAGE,
                MAX_MESSAGE >> 20
            ),
            Fatal::Truncated { expected, got } => write!(
                f,
                "连接在一条消息中途关闭：声明 {expected} 字节（Content-Length），只收到 {got} 字节。\
                 客户端可能已崩溃或被终止"
            ),
            Fatal::Io(e) => write!(f, "读取标准输入失败：{e}"),
        }
    }
}

/// Frames read from a byte stream.
pub struct Reader<R> {
    inner: R,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    eof: bool,
    /// After a framing error: skip to the next `Content-Length`.
    resync: bool,
}

impl<R: Read> Reader<R> {
    pub fn new(inner: R) -> Reader<R> {
        Reader {
            inner,
            buf: vec![0; BUFFER].into_boxed_slice(),
            start: 0,
            end: 0,
            eof: false,
            resync: false,
        }
    }

    /// The next frame; `None` at the end of the stream between frames.
    pub fn next_frame(&mut self) -> Result<Option<Frame>, Fatal> {
        if self.resync && !self.skip_to_marker()? {
            return Ok(None);
        }
        self.resync = false;
        Ok(match self.headers()? {
            Headers::End => None,
            Headers::Bad(why) => {
                self.resync = true;
                Some(Frame::Skipped { why })
            }
            Headers::Length(n) => {
                let body = self.body(n)?;
                Some(parse_body(&body))
            }
        })
    }

    fn pending(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    fn consume(&mut self, n: usize) {
        self.start += n;
        debug_assert!(self.start <= self.end);
    }

    /// Reads more into the buffer (moving what is pending to its front);
    /// `false` at the end of the stream.
    fn fill(&mut self) -> Result<bool, Fatal> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            // Callers never ask for more than a full buffer.
            return Ok(true);
        }
        loop {
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Fatal::Io(e)),
            }
        }
    }

    /// Skips to the next `Content-Length` (any case), leaving it pending;
    /// `false` when the stream ends first.
    fn skip_to_marker(&mut self) -> Result<bool, Fatal> {
        loop {
            if let Some(at) = find_marker(self.pending()) {
                self.consume(at);
                return Ok(true);
            }
            // Keep a tail that may be the start of a marker cut by the read.
            let keep = self.pending().len().min(MARKER.len() - 1);
            self.consume(self.pending().len() - keep);
            if !self.fill()? {
                return Ok(false);
            }
        }
    }

    /// The next header line, without its line ending, and the bytes it
    /// takes with its line ending; not consumed yet.
    fn line(&mut self) -> Result<Line, Fatal> {
        let mut scanned = 0;
        loop {
            let pending = self.pending();
            if let Some(i) = pending[scanned..].iter().position(|&b| b == b'\n') {
                let len = scanned + i;
                if len > MAX_LINE {
                    return Ok(Line::Bad(format!("消息头的一行超过 {MAX_LINE} 字节")));
                }
                let mut line = pending[..len].to_vec();
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Ok(Line::Text(line, len + 1));
            }
            scanned = pending.len();
            if scanned > MAX_LINE {
                return Ok(Line::Bad(format!("消息头的一行超过 {MAX_LINE} 字节")));
            }
            if !self.fill()? {
                return Ok(if self.pending().is_empty() {
                    Line::End
                } else {
                    Line::Bad("连接在消息头中途关闭".to_owned())
                });
            }
        }
    }

    /// Reads the headers. A line that is not a header is left but for its
    /// first byte, so that resynchronising finds a `Content-Length` that
    /// garbage ran into (`…xyzContent-Length: 52`).
    fn headers(&mut self) -> Result<Headers, Fatal> {
        let mut length: Option<u64> = None;
        let mut total = 0usize;
        let mut first = true;
        loop {
            let (line, len) = match self.line()? {
                Line::Text(l, len) => (l, len),
                Line::End if first => return Ok(Headers::End),
                Line::End => return Ok(Headers::Bad("连接在消息头中途关闭".into())),
                Line::Bad(why) => {
                    self.consume(1);
                    return Ok(Headers::Bad(why));
                }
            };
            if line.is_empty() {
                self.consume(len);
                if first {
                    // Blank lines between frames are harmless.
                    continue;
                }
                break;
            }
            let name_end = line.iter().position(|&b| b == b':');
            let Some(colon) = name_end.filter(|&c| c > 0 && line[..c].iter().all(|&b| is_token(b)))
            else {
                self.consume(1);
                return Ok(Headers::Bad(not_a_header(&line)));
            };
            if !line[..colon].eq_ignore_ascii_case(MARKER) && find_marker(&line).is_some() {
                // Garbage ran into a header (`xyzContent-Length: 52`): resynchronise on it.
                self.consume(1);
                return Ok(Headers::Bad(not_a_header(&line)));
            }
            self.consume(len);
            first = false;
            total += len;
            if total > MAX_HEADER {
                return Ok(Headers::Bad(format!("消息头超过 {MAX_HEADER} 字节")));
            }
            let (name, value) = (&line[..colon], &line[colon + 1..]);
            if !name.eq_ignore_ascii_case(MARKER) {
                // Content-Type and the like: only UTF-8 JSON is spoken anyway.
                continue;
            }
            let n = match parse_length(value) {
                Ok(n) => n,
                Err(why) => return Ok(Headers::Bad(why)),
            };
            if length.is_some_and(|m| m != n) {
                return Ok(Headers::Bad("消息头中有两个不同的 Content-Length".into()));
            }
            if n > MAX_MESSAGE {
                return Err(Fatal::TooLarge(n));
            }
            length = Some(n);
        }
        Ok(match length {
            Some(n) => Headers::Length(n),
            None => Headers::Bad("消息头中没有 Content-Length".into()),
        })
    }

    /// The body of `n` bytes, taken as it arrives.
    fn body(&mut self, n: u64) -> Result<Vec<u8>, Fatal> {
        // n <= MAX_MESSAGE, which fits in usize on every target gklint runs on.
        let n = usize::try_from(n).map_err(|_| Fatal::TooLarge(n))?;
        let mut body = Vec::with_capacity(n.min(BUFFER));
        loop {
            let take = self.pending().len().min(n - body.len());
            body.extend_from_slice(&self.pending()[..take]);
            self.consume(take);
            if body.len() == n {
                return Ok(body);
            }
            if !self.fill()? {
                return Err(Fatal::Truncated {
                    expected: n as u64,
                    got: body.len() as u64,
                });
            }
        }
    }
}

enum Line {
    /// A line and the bytes it takes with its line ending.
    Text(Vec<u8>, usize),
    /// The stream ended.
    End,
    Bad(String),
}

enum Headers {
    Length(u64),
    End,
    Bad(String),
}

/// Why a line is not a header, showing its start.
fn not_a_header(line: &[u8]) -> String {
    let shown: String = String::from_utf8_lossy(&line[..line.len().min(40)])
        .chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect();
    format!("“{shown}”不是消息头（应为“名称: 值”）")
}

/// HTTP's token characters (header names).
fn is_token(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Where `Content-Length` (any case) starts in `bytes`.
fn find_marker(bytes: &[u8]) -> Option<usize> {
    bytes
        .windows(MARKER.len())
        .position(|w| w.eq_ignore_ascii_case(MARKER))
}

/// A header value that is a plain decimal number (spaces around it allowed).
fn parse_length(value: &[u8]) -> Result<u64, String> {
    let v = value.trim_ascii();
    let shown = || String::from_utf8_lossy(&v[..v.len().min(30)]).into_owned();
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return Err(format!("Content-Length 的值“{}”不是十进制整数", shown()));
    }
    // Too many digits for a u64 is simply too large.
    Ok(std::str::from_utf8(v)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .unwrap_or(u64::MAX))
}

/// A frame's body: a JSON-RPC message, or why it is not one.
pub fn parse_body(body: &[u8]) -> Frame {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(e) => {
            // serde_json's words for it ("unexpected end of hex escape") do not help.
            let why = match lone_surrogate(body) {
                Some(at) => format!(
                    "消息第 {} 字节处有不成对的 UTF-16 代理项转义（如 \\ud800），不是有效的 Unicode 字符",
                    at + 1
                ),
                None => format!("消息不是有效的 UTF-8 JSON：{e}"),
            };
            return Frame::Invalid(invalid(body, ErrorCode::ParseError, why));
        }
    };
    if let Some(why) = not_a_message(&value) {
        return Frame::Invalid(invalid(body, ErrorCode::InvalidRequest, why));
    }
    match serde_json::from_value::<Message>(value) {
        Ok(m) => Frame::Message(m),
        Err(e) => Frame::Invalid(invalid(
            body,
            ErrorCode::InvalidRequest,
            format!("消息不是 JSON-RPC 请求、响应或通知：{e}"),
        )),
    }
}

/// Where the first `\\uD800`–`\\uDFFF` escape that is not half of a pair is.
fn lone_surrogate(body: &[u8]) -> Option<usize> {
    let hex = |at: usize| -> Option<u16> {
        let digits = body.get(at..at + 4)?;
        u16::from_str_radix(std::str::from_utf8(digits).ok()?, 16).ok()
    };
    let escape = |at: usize| -> Option<u16> {
        (body.get(at) == Some(&b'\\') && body.get(at + 1) == Some(&b'u'))
            .then(|| hex(at + 2))
            .flatten()
    };
    let mut i = 0;
    while i < body.len() {
        if body[i] != b'\\' {
            i += 1;
            continue;
        }
        match escape(i) {
            Some(0xD800..=0xDBFF) => match escape(i + 6) {
                Some(0xDC00..=0xDFFF) => i += 12,
                _ => return Some(i),
            },
            Some(0xDC00..=0xDFFF) => return Some(i),
            Some(_) => i += 6,
            None => i += 2,
        }
    }
    None
}

/// What the untagged `Message` would wrongly accept: a request whose id is
/// neither an integer nor a string would pass as a notification (and then
/// never be answered).
fn not_a_message(v: &Value) -> Option<String> {
    let Some(obj) = v.as_object() else {
        return Some("消息应为 JSON 对象（不支持批量请求）".into());
    };
    let id = obj.get("id").filter(|id| !id.is_null());
    if let Some(id) = id
        && serde_json::from_value::<RequestId>(id.clone()).is_err()
    {
        return Some(format!("请求的 id 应为 32 位整数或字符串，而不是 {id}"));
    }
    if obj.get("method").is_some_and(|m| !m.is_string()) {
        return Some("method 应为字符串".into());
    }
    None
}

/// What can still be read of a body that is not a message: its id, method
/// and document, if its JSON is well-formed enough to find them (a lone
/// surrogate in a text, say, fails the message but not this).
fn invalid(body: &[u8], code: ErrorCode, why: String) -> Invalid {
    let code = code as i32;
    // Two probes: a bad string in the document's uri must not hide the id.
    #[derive(Deserialize)]
    struct Head {
        #[serde(default)]
        id: Option<IdOrOther>,
        #[serde(default)]
        method: Option<StringOrOther>,
    }
    #[derive(Deserialize)]
    struct Doc {
        #[serde(default)]
        params: Option<ParamsProbe>,
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum IdOrOther {
        Id(RequestId),
        #[allow(dead_code)]
        Other(IgnoredAny),
    }
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum StringOrOther {
        String(String),
        #[allow(dead_code)]
        Other(IgnoredAny),
    }
    #[derive(Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct ParamsProbe {
        #[serde(default)]
        text_document: Option<DocProbe>,
    }
    #[derive(Deserialize)]
    struct DocProbe {
        #[serde(default)]
        uri: Option<StringOrOther>,
    }
    let string = |s: Option<StringOrOther>| match s {
        Some(StringOrOther::String(s)) => Some(s),
        _ => None,
    };
    let (id, method) = match serde_json::from_slice::<Head>(body) {
        Ok(h) => (
            match h.id {
                Some(IdOrOther::Id(id)) => Some(id),
                _ => None,
            },
            string(h.method),
        ),
        Err(_) => (None, None),
    };
    let uri = serde_json::from_slice::<Doc>(body)
        .ok()
        .and_then(|d| string(d.params?.text_document?.uri));
    Invalid {
        code,
        why,
        id,
        method,
        uri,
    }
}

/// The fuzz target's body (`fuzz/fuzz_targets/lsp_message.rs`): any bytes
/// read as a stream of frames must end (each frame consumes input), never
/// panic, and never hold more than a frame's worth of memory.
pub fn fuzz_stream(data: &[u8]) {
    let mut reader = Reader::new(data);
    // Every frame, even a skipped one, consumes at least one byte.
    for _ in 0..=data.len() {
        match reader.next_frame() {
            Ok(Some(Frame::Invalid(inv))) => assert!(!inv.why.is_empty()),
            Ok(Some(Frame::Skipped { why })) => assert!(!why.is_empty()),
            Ok(Some(Frame::Message(m))) => {
                // What is read can be written back and read again the same.
                let mut out = Vec::new();
                m.write(&mut out).expect("writing to memory");
                let mut again = Reader::new(out.as_slice());
                match again.next_frame() {
                    Ok(Some(Frame::Message(n))) => {
                        assert_eq!(serde_json::to_value(&m).ok(), serde_json::to_value(&n).ok());
                    }
                    other => panic!("a message written back reads as {other:?}"),
                }
            }
            Ok(None) | Err(_) => return,
        }
    }
    panic!("the reader made no progress");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(data: &[u8]) -> (Vec<Frame>, Option<Fatal>) {
        let mut r = Reader::new(data);
        let mut out = Vec::new();
        loop {
            match r.next_frame() {
                Ok(Some(f)) => out.push(f),
                Ok(None) => return (out, None),
                Err(e) => return (out, Some(e)),
            }
        }
    }

    fn frame(body: &str) -> Vec<u8> {
        format!("Content-Length: {}\r\n\r\n{body}", body.len()).into_bytes()
    }

    const SHUTDOWN: &str = r#"{"jsonrpc":"2.0","id":7,"method":"shutdown"}"#;

    fn is_shutdown(f: &Frame) -> bool {
        matches!(f, Frame::Message(Message::Request(r)) if r.method == "shutdown")
    }

    #[test]
    fn messages_in_a_row_with_any_header_case_and_other_headers() {
        let mut data = frame(SHUTDOWN);
        data.extend(
            format!(
                "content-length:{}\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{SHUTDOWN}",
                SHUTDOWN.len()
            )
            .bytes(),
        );
        let (f, fatal) = frames(&data);
        assert!(fatal.is_none());
        assert_eq!(f.len(), 2);
        assert!(f.iter().all(is_shutdown));
    }

    #[test]
    fn garbage_is_skipped_up_to_the_next_header() {
        for garbage in [
            b"\x00\xff random \r\n\r\n".to_vec(),
            b"no newline at all".to_vec(),
            vec![b'x'; 5000],
            b"Content-Length: abc\r\n\r\n".to_vec(),
            b"Content-Length: -5\r\n\r\n".to_vec(),
            b"X-Other: 1\r\n\r\n".to_vec(),
            b"Content-Length: 3\r\nContent-Length: 4\r\n\r\n".to_vec(),
            b"Content-Len".to_vec(),
        ] {
            let mut data = garbage.clone();
            data.extend(frame(SHUTDOWN));
            let (f, fatal) = frames(&data);
            assert!(fatal.is_none(), "{garbage:?}: {fatal:?}");
            assert!(
                matches!(f.first(), Some(Frame::Skipped { .. })),
                "{garbage:?}: {f:?}"
            );
            assert!(f.last().is_some_and(is_shutdown), "{garbage:?}: {f:?}");
        }
    }

    #[test]
    fn a_huge_length_is_fatal_before_anything_is_allocated() {
        for n in ["10737418240", "67108865", "99999999999999999999999999"] {
            let data = format!("Content-Length: {n}\r\n\r\n{{\"jsonrpc\":\"2.0\"");
            let (f, fatal) = frames(data.as_bytes());
            assert!(f.is_empty());
            assert!(matches!(fatal, Some(Fatal::TooLarge(_))), "{n}: {fatal:?}");
        }
    }

    #[test]
    fn a_body_cut_short_is_fatal_and_says_how_much_came() {
        let (_, fatal) = frames(b"Content-Length: 100\r\n\r\n{\"a\":");
        match fatal {
            Some(Fatal::Truncated { expected, got }) => assert_eq!((expected, got), (100, 5)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_lone_surrogate_is_an_invalid_message_with_its_id_method_and_uri() {
        let body = r#"{"jsonrpc":"2.0","id":3,"method":"textDocument/hover","params":{"textDocument":{"uri":"file:///a.txt"},"x":"a\ud800b"}}"#;
        let mut data = frame(body);
        data.extend(frame(SHUTDOWN));
        let (f, fatal) = frames(&data);
        assert!(fatal.is_none());
        match &f[0] {
            Frame::Invalid(inv) => {
                assert_eq!(inv.code, ErrorCode::ParseError as i32);
                assert_eq!(inv.id, Some(RequestId::from(3)));
                assert_eq!(inv.method.as_deref(), Some("textDocument/hover"));
                assert_eq!(inv.uri.as_deref(), Some("file:///a.txt"));
                assert!(inv.why.contains("代理项"), "{}", inv.why);
            }
            other => panic!("{other:?}"),
        }
        assert!(is_shutdown(&f[1]));
    }

    #[test]
    fn lone_surrogates_are_found_and_pairs_are_not() {
        assert_eq!(lone_surrogate(br#""a\ud800b""#), Some(2));
        assert_eq!(lone_surrogate(br#""\udc00""#), Some(1));
        assert_eq!(lone_surrogate(br#""\\ud800 \ud83d\ude00 \u0041""#), None);
        assert_eq!(lone_surrogate(br#""\ud83d\u0041""#), Some(1));
        assert_eq!(lone_surrogate(br#""\ud8"#), None);
    }

    #[test]
    fn bodies_that_are_not_messages() {
        for (body, code) in [
            ("[1,2]", ErrorCode::InvalidRequest),
            (
                r#"{"id":1.5,"method":"shutdown"}"#,
                ErrorCode::InvalidRequest,
            ),
            (r#"{"id":1,"method":7}"#, ErrorCode::InvalidRequest),
            ("", ErrorCode::ParseError),
            ("\u{feff}{}", ErrorCode::ParseError),
            (&"[".repeat(100_000), ErrorCode::ParseError),
        ] {
            match parse_body(body.as_bytes()) {
                Frame::Invalid(inv) => assert_eq!(inv.code, code as i32, "{body:.40}: {}", inv.why),
                other => panic!("{body:.40}: {other:?}"),
            }
        }
        assert!(matches!(
            parse_body(&[0xff, b'{', b'}']),
            Frame::Invalid(Invalid { code: -32700, .. })
        ));
    }

    #[test]
    fn the_body_is_read_as_it_arrives() {
        /// Yields one byte per read.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let Some((&b, rest)) = self.0.split_first() else {
                    return Ok(0);
                };
                buf[0] = b;
                self.0 = rest;
                Ok(1)
            }
        }
        let mut data = b"\r\ngarbage\r\n".to_vec();
        data.extend(frame(SHUTDOWN));
        data.extend(frame(SHUTDOWN));
        let mut r = Reader::new(Trickle(&data));
        let mut n = 0;
        while let Some(f) = r.next_frame().unwrap() {
            n += usize::from(is_shutdown(&f));
        }
        assert_eq!(n, 2);
    }

    #[test]
    fn fuzz_body_holds_on_samples() {
        fuzz_stream(b"");
        fuzz_stream(&frame(SHUTDOWN));
        fuzz_stream(b"Content-Length: 2\r\n\r\n{}Content-Length: 1\r\n\r\n");
    }
}

//! HTTP/1 framing without I/O: where a message head ends, what it says, how its body is
//! delimited, whether the connection stays open, and how a response is encoded.
//!
//! Everything here works on byte slices and is tested (and fuzzed) without sockets; the
//! connection code only moves bytes between these functions and an `IOStream`. The rules
//! are Tornado 6.5's, with the later security fixes: strict integers for lengths and chunk
//! sizes, `Transfer-Encoding` exactly `chunked` and never with `Content-Length`.

use std::fmt;
use std::time::SystemTime;

use bytes::Bytes;
use http::Method;
use tornado_httputil::{
    Error, HTTPHeaders, HTTPVersion, RequestStartLine, latin1_encode, parse_request_start_line,
    parse_request_start_line_bytes,
};

/// The end of the first `\r?\n\r?\n` in `data` (where a message head ends), searching
/// from `from` (bytes before it were searched already). Tornado reads the head with the
/// regex `\r?\n\r?\n`; this finds the end of its first match.
pub fn find_head_end(data: &[u8], from: usize) -> Option<usize> {
    // A match ending past `from` can start up to 3 bytes before it.
    let mut start = from.saturating_sub(3).min(data.len());
    while let Some(lf) = find_lf(data, start) {
        match (data.get(lf + 1), data.get(lf + 2)) {
            (Some(b'\n'), _) => return Some(lf + 2),
            (Some(b'\r'), Some(b'\n')) => return Some(lf + 3),
            _ => start = lf + 1,
        }
    }
    None
}

/// The first LF at or after `from`. Head lines are short, so eight bytes are tested at
/// a time in a register rather than through a vectorised search, whose setup costs more
/// than a line.
fn find_lf(data: &[u8], mut from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const LFS: u64 = u64::from_ne_bytes([b'\n'; 8]);
    while let Some(word) = data.get(from..).and_then(<[u8]>::first_chunk::<8>) {
        let x = u64::from_le_bytes(*word) ^ LFS;
        // The lowest flagged byte is the first zero byte of `x`: the first LF.
        let found = x.wrapping_sub(ONES) & !x & HIGHS;
        if found != 0 {
            return Some(from + (found.trailing_zeros() / 8) as usize);
        }
        from += 8;
    }
    let rest = data.get(from..)?;
    rest.iter().position(|&b| b == b'\n').map(|i| from + i)
}

/// Parses a request head (what [`find_head_end`] delimited) into its start line and
/// headers, as Tornado's `_parse_headers` and `parse_request_start_line` do: leading
/// CR and LF bytes are skipped (stray line ends between keep-alive requests), the start
/// line is everything up to the first LF (without a trailing CR), and the rest is the
/// header block.
pub fn parse_request_head(head: &[u8]) -> Result<(RequestStartLine, HTTPHeaders), Error> {
    let skip = head
        .iter()
        .position(|&b| b != b'\r' && b != b'\n')
        .unwrap_or(head.len());
    let head = &head[skip..];
    if head.is_ascii()
        && let Ok(text) = std::str::from_utf8(head)
    {
        // ASCII reads the same as ISO-8859-1 and as UTF-8: check it as text once.
        let (line, rest) = match memchr::memchr(b'\n', text.as_bytes()) {
            Some(eol) => (text.get(..eol), text.get(eol + 1..)),
            None => (Some(text), Some("")),
        };
        let (line, rest) = (line.unwrap_or_default(), rest.unwrap_or_default());
        let line = line.strip_suffix('\r').unwrap_or(line);
        let start_line = parse_request_start_line(line)?;
        let headers = HTTPHeaders::parse(rest)?;
        return Ok((start_line, headers));
    }
    let (line, rest) = match memchr::memchr(b'\n', head) {
        Some(eol) => (&head[..eol], &head[eol + 1..]),
        None => (head, &head[head.len()..]),
    };
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let start_line = parse_request_start_line_bytes(line)?;
    let headers = HTTPHeaders::parse_bytes(rest)?;
    Ok((start_line, headers))
}

/// The headers the HTTP/1 code acts on, found in one pass over a head.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HeadFacts<'a> {
    /// `Host`.
    pub host: Option<&'a str>,
    /// `Content-Length` (repeated values joined with `,`).
    pub content_length: Option<&'a str>,
    /// `Transfer-Encoding`.
    pub transfer_encoding: Option<&'a str>,
    /// `Connection`.
    pub connection: Option<&'a str>,
    /// `Expect`.
    pub expect: Option<&'a str>,
    /// `Content-Encoding`.
    pub content_encoding: Option<&'a str>,
}

impl<'a> HeadFacts<'a> {
    /// Looks through `headers` once.
    pub fn of(headers: &'a HTTPHeaders) -> Self {
        let mut facts = HeadFacts::default();
        // Names come out in their normalised form, so plain comparisons suffice.
        for (name, value) in headers.items() {
            let slot = match name {
                "Host" => &mut facts.host,
                "Content-Length" => &mut facts.content_length,
                "Transfer-Encoding" => &mut facts.transfer_encoding,
                "Connection" => &mut facts.connection,
                "Expect" => &mut facts.expect,
                "Content-Encoding" => &mut facts.content_encoding,
                _ => continue,
            };
            *slot = Some(value);
        }
        facts
    }
}

/// How a request body is delimited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyFraming {
    /// No body.
    Empty,
    /// Exactly this many bytes.
    Length(u64),
    /// `Transfer-Encoding: chunked`.
    Chunked,
}

/// Why a message's framing was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FramingError {
    /// Malformed framing: answer `400 Bad Request` and close.
    Malformed(Error),
    /// A body larger than allowed: answer `413 Payload Too Large` and close.
    TooLarge(Error),
}

impl FramingError {
    /// The underlying `HTTPInputError`.
    pub fn error(&self) -> &Error {
        match self {
            FramingError::Malformed(e) | FramingError::TooLarge(e) => e,
        }
    }
}

impl fmt::Display for FramingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error().fmt(f)
    }
}

impl std::error::Error for FramingError {}

/// Python's `str.isspace` over the characters a header value can hold (ISO-8859-1).
fn is_py_space(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\r' | '\x0b' | '\x0c' | '\x1c'..='\x1f' | '\u{85}' | '\u{a0}'
    )
}

/// Python's `repr` of a string, for error messages (`'a, b'`).
fn py_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20
                || c as u32 == 0x7f
                || (0x80..0xa1).contains(&(c as u32))
                || c == '\u{ad}' =>
            {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Parses a non-negative decimal integer as Tornado's `parse_int` does (`[0-9]+`, the
/// whole string); `None` if it is not one, `Some(u64::MAX)` if it is too large for `u64`.
pub fn parse_int(s: &str) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut value: u64 = 0;
    for b in s.bytes() {
        let digit = b.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        value = value.saturating_mul(10).saturating_add(u64::from(digit));
    }
    Some(value)
}

/// Parses a non-negative hexadecimal integer as Tornado's `parse_hex_int` does
/// (`[0-9a-fA-F]+`); `None` if it is not one, `Some(u64::MAX)` if it is too large.
pub fn parse_hex_int(s: &[u8]) -> Option<u64> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let mut value: u64 = 0;
    for &b in s {
        let digit = (b as char).to_digit(16).unwrap_or(0);
        value = match value
            .checked_mul(16)
            .and_then(|v| v.checked_add(u64::from(digit)))
        {
            Some(v) => v,
            None => return Some(u64::MAX),
        };
    }
    Some(value)
}

/// Decides how a request's body is delimited (Tornado's `_read_body` on a server), and
/// collapses equal repeated `Content-Length` values into one, as Tornado does.
///
/// `max_body_size` bounds a declared length; a chunked body is bounded as it is read.
pub fn request_framing(
    headers: &mut HTTPHeaders,
    max_body_size: u64,
) -> Result<BodyFraming, FramingError> {
    let (framing, collapsed) = body_framing(&HeadFacts::of(headers), max_body_size)?;
    if let Some(length) = collapsed {
        headers
            .set("Content-Length", &length)
            .map_err(FramingError::Malformed)?;
    }
    Ok(framing)
}

/// [`request_framing`] from a head's facts. When repeated equal `Content-Length` values
/// must be collapsed into one, the one value comes back to be set.
pub fn body_framing(
    facts: &HeadFacts<'_>,
    max_body_size: u64,
) -> Result<(BodyFraming, Option<String>), FramingError> {
    let mut length = None;
    let mut collapsed = None;
    if let Some(mut value) = facts.content_length {
        if value.contains(',') {
            // Proxies sometimes repeat the header; equal values are fine.
            let mut pieces = Vec::new();
            let mut rest = value;
            loop {
                match rest.find(',') {
                    Some(comma) => {
                        pieces.push(&rest[..comma]);
                        rest = rest[comma + 1..].trim_start_matches(is_py_space);
                    }
                    None => {
                        pieces.push(rest);
                        break;
                    }
                }
            }
            if pieces.iter().any(|p| *p != pieces[0]) {
                return Err(FramingError::Malformed(Error::input(format!(
                    "Multiple unequal Content-Lengths: {}",
                    py_repr(value)
                ))));
            }
            value = pieces[0];
            collapsed = Some(value.to_owned());
        }
        let Some(n) = parse_int(value) else {
            return Err(FramingError::Malformed(Error::input(format!(
                "Only integer Content-Length is allowed: {value}"
            ))));
        };
        if n > max_body_size {
            return Err(FramingError::TooLarge(Error::input(
                "Content-Length too long",
            )));
        }
        length = Some(n);
    }
    if transfer_encoding_chunked(facts)? {
        return Ok((BodyFraming::Chunked, collapsed));
    }
    let framing = match length {
        Some(0) | None => BodyFraming::Empty,
        Some(n) => BodyFraming::Length(n),
    };
    Ok((framing, collapsed))
}

/// True if the headers say `Transfer-Encoding: chunked`; any other transfer coding, or
/// one together with `Content-Length`, is refused (Tornado's
/// `is_transfer_encoding_chunked`, strict against request smuggling).
pub fn is_transfer_encoding_chunked(headers: &HTTPHeaders) -> Result<bool, FramingError> {
    transfer_encoding_chunked(&HeadFacts::of(headers))
}

fn transfer_encoding_chunked(facts: &HeadFacts<'_>) -> Result<bool, FramingError> {
    let Some(value) = facts.transfer_encoding else {
        return Ok(false);
    };
    if facts.content_length.is_some() {
        return Err(FramingError::Malformed(Error::input(
            "Message with both Transfer-Encoding and Content-Length",
        )));
    }
    if value.eq_ignore_ascii_case("chunked") {
        return Ok(true);
    }
    Err(FramingError::Malformed(Error::input(format!(
        "Unsupported Transfer-Encoding {value}"
    ))))
}

/// Whether the connection may carry another request after this one (Tornado's
/// `_can_keep_alive` on a server).
pub fn can_keep_alive(
    start_line: &RequestStartLine,
    headers: &HTTPHeaders,
    no_keep_alive: bool,
) -> bool {
    keep_alive(start_line, &HeadFacts::of(headers), no_keep_alive)
}

/// [`can_keep_alive`] from a head's facts.
pub fn keep_alive(
    start_line: &RequestStartLine,
    facts: &HeadFacts<'_>,
    no_keep_alive: bool,
) -> bool {
    if no_keep_alive {
        return false;
    }
    let connection = facts.connection;
    if start_line.version == HTTPVersion::HTTP_11 {
        return !connection.is_some_and(|c| c.eq_ignore_ascii_case("close"));
    }
    // Every other version (HTTP/1.0, and HTTP/1.2 to 1.9, which Tornado accepts too)
    // keeps the connection only for a framed request that asks for it.
    let framed = facts.content_length.is_some()
        || facts
            .transfer_encoding
            .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
        || start_line.method == Method::HEAD
        || start_line.method == Method::GET;
    framed && connection.is_some_and(|c| c.eq_ignore_ascii_case("keep-alive"))
}

/// What the HTTP/1 code adds to a response, decided from the request and the headers
/// the application gave (Tornado's `write_headers` on a server).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ResponsePlan {
    /// The body goes out in chunks (`Transfer-Encoding: chunked` is added).
    pub chunked: bool,
    /// How many body bytes may still be written: `Some(0)` for HEAD and 304 responses,
    /// the declared `Content-Length` if there is one, else no limit.
    pub expected: Option<u64>,
    /// The `Connection` value to set, if any (`close`, or `Keep-Alive` for an HTTP/1.0
    /// client that asked for it).
    pub connection: Option<&'static str>,
    /// The `Content-Length` to add: the length of a whole body given at once, for a
    /// response whose headers have none (see [`plan_whole_response`]).
    pub add_length: Option<u64>,
    /// Add a `Date` header with this time (a whole response whose headers have none).
    pub add_date: Option<SystemTime>,
}

/// What the response needs to know about its request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestFacts {
    /// The request's version.
    pub version: HTTPVersion,
    /// The request's method.
    pub method: Method,
    /// The request said `Connection: keep-alive` (case-insensitive).
    pub asked_keep_alive: bool,
    /// The connection closes after this response.
    pub disconnect_on_finish: bool,
}

impl RequestFacts {
    /// The facts of a request.
    pub fn new(
        start_line: &RequestStartLine,
        headers: &HTTPHeaders,
        disconnect_on_finish: bool,
    ) -> Self {
        Self::from_facts(start_line, &HeadFacts::of(headers), disconnect_on_finish)
    }

    /// The facts of a request whose head was looked through already.
    pub fn from_facts(
        start_line: &RequestStartLine,
        facts: &HeadFacts<'_>,
        disconnect_on_finish: bool,
    ) -> Self {
        RequestFacts {
            version: start_line.version,
            method: start_line.method.clone(),
            asked_keep_alive: facts
                .connection
                .is_some_and(|c| c.eq_ignore_ascii_case("keep-alive")),
            disconnect_on_finish,
        }
    }
}

/// Plans a response with status `code` and the application's `headers`.
pub fn plan_response(
    request: &RequestFacts,
    code: u16,
    headers: &HTTPHeaders,
) -> Result<ResponsePlan, Error> {
    plan(request, code, headers, None)
}

/// Plans a response whose whole body (`body_len` bytes) is given with its headers at
/// time `now`: as [`plan_response`], and also what a Tornado `RequestHandler` adds when
/// it finishes. `Content-Length` is the body's length unless the headers declare one
/// (and never for 1xx, 204 and 304 answers); `Date` is `now` unless the headers carry
/// one.
pub fn plan_whole_response(
    request: &RequestFacts,
    code: u16,
    headers: &HTTPHeaders,
    body_len: u64,
    now: SystemTime,
) -> Result<ResponsePlan, Error> {
    plan(request, code, headers, Some((body_len, now)))
}

fn plan(
    request: &RequestFacts,
    code: u16,
    headers: &HTTPHeaders,
    whole: Option<(u64, SystemTime)>,
) -> Result<ResponsePlan, Error> {
    let whole_body = whole.map(|(length, _)| length);
    let http11 = request.version == HTTPVersion::HTTP_11;
    let length = headers.get("Content-Length");
    let bodiless = code == 204 || code == 304 || (100..200).contains(&code);
    let add_length = whole_body.filter(|_| length.is_none() && !bodiless);
    let has_length = length.is_some() || add_length.is_some();
    let chunked = http11 && request.method != Method::HEAD && !bodiless && !has_length;
    let connection = if http11 && request.disconnect_on_finish {
        Some("close")
    } else if request.version == HTTPVersion::HTTP_10 && request.asked_keep_alive {
        Some("Keep-Alive")
    } else {
        None
    };
    let expected = if request.method == Method::HEAD || code == 304 {
        Some(0)
    } else if let Some(value) = length {
        match parse_int(value) {
            Some(n) => Some(n),
            None => {
                return Err(Error::output(format!("not an integer: {}", py_repr(value))));
            }
        }
    } else {
        add_length
    };
    Ok(ResponsePlan {
        chunked,
        expected,
        connection,
        add_length,
        add_date: whole
            .map(|(_, now)| now)
            .filter(|_| !headers.contains("Date")),
    })
}

/// Encodes a response head: `HTTP/1.1 <code> <reason>`, the application's headers in
/// order (with `Connection` and `Transfer-Encoding` replaced or appended as `plan`
/// says, as Tornado assigns them), and the blank line. Header values are written as
/// ISO-8859-1; a value with characters beyond it is an `HTTPOutputError`, and so is a
/// CR or LF anywhere (Tornado's "Illegal characters (CR or LF) in header").
pub fn encode_response_head(
    out: &mut Vec<u8>,
    code: u16,
    reason: &str,
    headers: &HTTPHeaders,
    plan: &ResponsePlan,
) -> Result<(), Error> {
    let start = out.len();
    let result = encode_head_lines(out, code, reason, headers, plan);
    if result.is_err() {
        out.truncate(start);
    }
    result
}

fn encode_head_lines(
    out: &mut Vec<u8>,
    code: u16,
    reason: &str,
    headers: &HTTPHeaders,
    plan: &ResponsePlan,
) -> Result<(), Error> {
    if code == 200 && reason == "OK" {
        // The answer to nearly every request.
        out.extend_from_slice(b"HTTP/1.1 200 OK\r\n");
    } else {
        if (100..1000).contains(&code) {
            let mut line = *b"HTTP/1.1 000 ";
            line[9] = b'0' + (code / 100) as u8;
            line[10] = b'0' + (code / 10 % 10) as u8;
            line[11] = b'0' + (code % 10) as u8;
            out.extend_from_slice(&line);
        } else {
            out.extend_from_slice(b"HTTP/1.1 ");
            push_decimal(out, u64::from(code));
            out.push(b' ');
        }
        push_text(out, reason, "HTTP/1.1")?;
        out.extend_from_slice(b"\r\n");
    }
    // Tornado's h[name] = value replaces every value of the name where it stands, or
    // adds the name at the end.
    let mut overrides = [("", ""); 2];
    let mut n = 0;
    if let Some(connection) = plan.connection {
        overrides[n] = ("Connection", connection);
        n += 1;
    }
    if plan.chunked {
        overrides[n] = ("Transfer-Encoding", "chunked");
        n += 1;
    }
    let overrides = &overrides[..n];
    headers.write_http1(out, overrides)?;
    for &(name, value) in overrides {
        if !headers.contains(name) {
            push_header(out, name, value)?;
        }
    }
    if let Some(length) = plan.add_length {
        out.extend_from_slice(b"Content-Length: ");
        push_decimal(out, length);
        out.extend_from_slice(b"\r\n");
    }
    if let Some(now) = plan.add_date {
        out.extend_from_slice(b"Date: ");
        crate::date::with_http_date_at(now, |date| out.extend_from_slice(date.as_bytes()));
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"\r\n");
    Ok(())
}

fn push_header(out: &mut Vec<u8>, name: &str, value: &str) -> Result<(), Error> {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    push_text(out, value, name)?;
    out.extend_from_slice(b"\r\n");
    Ok(())
}

fn push_text(out: &mut Vec<u8>, text: &str, context: &str) -> Result<(), Error> {
    if text.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        // Printable ASCII, the common case: nothing to check or encode.
        out.extend_from_slice(text.as_bytes());
        return Ok(());
    }
    if text.bytes().any(|b| b == b'\r' || b == b'\n') {
        return Err(Error::output(format!(
            "Illegal characters (CR or LF) in header: {}",
            py_repr(&format!("{context}: {text}"))
        )));
    }
    if text.is_ascii() {
        out.extend_from_slice(text.as_bytes());
    } else {
        out.extend_from_slice(&latin1_encode(text)?);
    }
    Ok(())
}

fn push_decimal(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Encodes one chunk of a chunked body: `<hex length>\r\n<data>\r\n`. An empty chunk
/// encodes to nothing (an empty chunk would end the body).
pub fn encode_chunk(out: &mut Vec<u8>, data: &[u8]) {
    if data.is_empty() {
        return;
    }
    encode_chunk_header(out, data.len());
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

/// The line that precedes a chunk's data: `<hex length>\r\n`.
pub fn encode_chunk_header(out: &mut Vec<u8>, len: usize) {
    let mut digits = [0u8; 16];
    let mut i = digits.len();
    let mut n = len;
    loop {
        i -= 1;
        digits[i] = b"0123456789abcdef"[n % 16];
        n /= 16;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
    out.extend_from_slice(b"\r\n");
}

/// The end of a chunked body.
pub const LAST_CHUNK: &[u8] = b"0\r\n\r\n";

/// The longest chunk-size line, CRLF included (Tornado reads it with `max_bytes=64`).
pub const MAX_CHUNK_SIZE_LINE: usize = 64;

/// What [`ChunkedDecoder::decode`] found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Chunk {
    /// Body bytes: `input[start..end]`.
    Data(usize, usize),
    /// Framing was consumed; call again with more input.
    Progress,
    /// The body ended.
    End,
}

/// Why a chunked body was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChunkError {
    /// Malformed framing: answer 400.
    Malformed(Error),
    /// The chunks add up to more than allowed: answer 413.
    TooLarge(Error),
    /// A chunk-size line longer than [`MAX_CHUNK_SIZE_LINE`]: Tornado closes the
    /// connection without an answer.
    LineTooLong,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ChunkState {
    SizeLine,
    Data(u64),
    DataEnd,
    LastLine,
    Done,
}

/// Decodes a chunked body incrementally, without I/O (Tornado's `_read_chunked_body`):
/// sizes must be hexadecimal digits only (no extensions), each chunk's data must be
/// followed by CRLF, the last chunk by a bare CRLF (no trailers), and the total must stay
/// within `max_body_size`.
#[derive(Clone, Debug)]
pub struct ChunkedDecoder {
    state: ChunkState,
    total: u64,
    max_body_size: u64,
}

impl ChunkedDecoder {
    /// A decoder for one body of at most `max_body_size` bytes.
    pub fn new(max_body_size: u64) -> Self {
        ChunkedDecoder {
            state: ChunkState::SizeLine,
            total: 0,
            max_body_size,
        }
    }

    /// The body has ended.
    pub fn is_done(&self) -> bool {
        self.state == ChunkState::Done
    }

    /// Decodes from `input`: returns how many bytes were used and what they were, or
    /// `Ok(None)` if more input is needed (nothing was used). Data comes out in pieces of
    /// at most `max_piece` bytes.
    pub fn decode(
        &mut self,
        input: &[u8],
        max_piece: usize,
    ) -> Result<Option<(usize, Chunk)>, ChunkError> {
        match self.state {
            ChunkState::SizeLine => {
                let window = &input[..input.len().min(MAX_CHUNK_SIZE_LINE)];
                let Some(cr) = memchr::memmem::find(window, b"\r\n") else {
                    return if input.len() >= MAX_CHUNK_SIZE_LINE {
                        Err(ChunkError::LineTooLong)
                    } else {
                        Ok(None)
                    };
                };
                let Some(size) = parse_hex_int(&input[..cr]) else {
                    return Err(ChunkError::Malformed(Error::input("invalid chunk size")));
                };
                if size == 0 {
                    self.state = ChunkState::LastLine;
                } else {
                    self.total = self.total.saturating_add(size);
                    // Beyond 2^63 - 1 is beyond any body we could hold, whatever the limit.
                    if self.total > self.max_body_size || self.total > i64::MAX as u64 {
                        return Err(ChunkError::TooLarge(Error::input("chunked body too large")));
                    }
                    self.state = ChunkState::Data(size);
                }
                Ok(Some((cr + 2, Chunk::Progress)))
            }
            ChunkState::Data(remaining) => {
                if input.is_empty() {
                    return Ok(None);
                }
                let n = (input.len() as u64)
                    .min(remaining)
                    .min(max_piece.max(1) as u64) as usize;
                let left = remaining - n as u64;
                self.state = if left == 0 {
                    ChunkState::DataEnd
                } else {
                    ChunkState::Data(left)
                };
                Ok(Some((n, Chunk::Data(0, n))))
            }
            ChunkState::DataEnd | ChunkState::LastLine => {
                if input.len() < 2 {
                    return Ok(None);
                }
                if &input[..2] != b"\r\n" {
                    let message = if self.state == ChunkState::LastLine {
                        "improperly terminated chunked request"
                    } else {
                        "improperly terminated chunk"
                    };
                    return Err(ChunkError::Malformed(Error::input(message)));
                }
                if self.state == ChunkState::LastLine {
                    self.state = ChunkState::Done;
                    Ok(Some((2, Chunk::End)))
                } else {
                    self.state = ChunkState::SizeLine;
                    Ok(Some((2, Chunk::Progress)))
                }
            }
            ChunkState::Done => Ok(Some((0, Chunk::End))),
        }
    }
}

/// The body of a response the server writes itself on a framing error: no headers,
/// then the connection closes (Tornado's raw 400).
pub const BAD_REQUEST: &[u8] = b"HTTP/1.1 400 Bad Request\r\n\r\n";

/// The raw answer to a body over `max_body_size` (Tornado answers 400; see the crate
/// documentation).
pub const PAYLOAD_TOO_LARGE: &[u8] = b"HTTP/1.1 413 Payload Too Large\r\n\r\n";

/// The interim answer to `Expect: 100-continue`, byte for byte as Tornado writes it.
pub const CONTINUE: &[u8] = b"HTTP/1.1 100 (Continue)\r\n\r\n";

/// A body piece as owned bytes (for the chunked decoder's output over borrowed input).
pub(crate) fn piece(input: &[u8], start: usize, end: usize) -> Bytes {
    Bytes::copy_from_slice(&input[start..end])
}

#[cfg(test)]
mod tests;

//! Target `request_head`: arbitrary bytes as a request head, read as the server reads
//! one (see [`super::model::HeadReader`] and [`super::model::prepare`]).

use http::Method;
use tornado_http1::framing::{self, BodyFraming, HeadFacts};
use tornado_httputil::{HTTPHeaders, HTTPVersion, RequestStartLine};

use super::model::{self, HeadRead, HeadReader};

/// The server's default `max_header_size`.
pub const MAX_HEADER_SIZE: usize = 64 * 1024;

/// The whole input is the bytes a client sent. Checks:
///
/// - nothing panics; the head end found by resuming the search after any prefix is the
///   one found at once, and it is the first `\r?\n\r?\n`;
/// - `max_header_size` decides by the head's end alone (one byte less than the head
///   refuses it, exactly its size accepts it);
/// - a parsed head has a token method, a target without spaces or controls, version
///   1.0 to 1.9, token header names and values without CR, LF or NUL;
/// - a head the server accepts obeys the `Host` rules (exactly one `Host`, or none for
///   HTTP/1.0) and
///   the framing rules (`Content-Length` XOR chunked; chunked only as the single value
///   `chunked`; a length that every `Content-Length` value agrees on);
/// - `request_framing` agrees with `body_framing`, and keep-alive follows the version
///   and `Connection`.
pub fn run(data: &[u8]) {
    let mut reader = HeadReader::new(MAX_HEADER_SIZE);
    let read = reader.read(data);
    check_resumed_search(data);
    match read {
        HeadRead::NeedMore => {
            assert!(data.len() <= MAX_HEADER_SIZE);
            assert_eq!(framing::find_head_end(data, 0), None);
        }
        HeadRead::TooLong => assert!(data.len() > MAX_HEADER_SIZE),
        HeadRead::Malformed(e) => assert!(!e.to_string().is_empty()),
        HeadRead::Parsed {
            end,
            start_line,
            mut headers,
        } => {
            check_head_end(data, end);
            check_limit(data, end);
            check_start_line(&start_line);
            check_headers(&headers);
            check_framing_agrees(&headers);
            let facts_before = owned_facts(&headers);
            if let Ok(prepared) = model::prepare(&start_line, &mut headers, false) {
                check_host(&start_line, &headers);
                check_framing(&facts_before, &headers, prepared.framing);
                check_keep_alive(&start_line, &headers, prepared.keep_alive);
                let closed = model::prepare(&start_line, &mut headers.clone(), true);
                assert!(closed.is_ok_and(|p| !p.keep_alive));
            }
        }
    }
}

/// Resuming the search after any prefix finds what searching at once finds.
fn check_resumed_search(data: &[u8]) {
    let whole = framing::find_head_end(data, 0);
    let limit = whole.unwrap_or(data.len()).min(data.len());
    let step = if limit <= 512 { 1 } else { limit / 256 };
    for cut in (0..=limit).step_by(step) {
        let prefix = framing::find_head_end(&data[..cut], 0);
        if prefix.is_none() {
            assert_eq!(framing::find_head_end(data, cut), whole, "resumed at {cut}");
        } else {
            assert_eq!(prefix, whole, "a prefix of {cut} bytes ends elsewhere");
        }
    }
}

/// `end` is just past the first `\r?\n\r?\n`.
fn check_head_end(data: &[u8], end: usize) {
    let head = &data[..end];
    assert!(head.ends_with(b"\n\n") || head.ends_with(b"\n\r\n"));
    assert_eq!(framing::find_head_end(&head[..end - 1], 0), None);
}

/// The limit is decided by where the head ends.
fn check_limit(data: &[u8], end: usize) {
    assert!(matches!(
        HeadReader::new(end - 1).read(data),
        HeadRead::TooLong
    ));
    assert!(matches!(
        HeadReader::new(end).read(data),
        HeadRead::Parsed { end: e, .. } if e == end
    ));
}

fn is_tchar(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn check_start_line(line: &RequestStartLine) {
    let method = line.method.as_str();
    assert!(
        !method.is_empty() && method.chars().all(is_tchar),
        "{method:?}"
    );
    assert!(!line.path.is_empty());
    assert!(
        !line.path.chars().any(|c| c <= ' ' || c == '\x7f'),
        "{:?}",
        line.path
    );
    // HTTP/1.0 to HTTP/1.9, as Tornado's request-line rule.
    assert!(line.version.to_string().starts_with("HTTP/1."));
}

fn check_headers(headers: &HTTPHeaders) {
    for (name, value) in headers.get_all() {
        assert!(!name.is_empty() && name.chars().all(is_tchar), "{name:?}");
        assert!(!value.contains(['\r', '\n', '\0']), "{name}: {value:?}");
    }
}

/// `request_framing` (which collapses repeated lengths in place) and `body_framing`
/// decide alike, and what is left is one `Content-Length` value.
fn check_framing_agrees(headers: &HTTPHeaders) {
    let (by_facts, collapsed) = match framing::body_framing(&HeadFacts::of(headers), u64::MAX) {
        Ok(decided) => decided,
        Err(e) => {
            let mut copy = headers.clone();
            assert_eq!(framing::request_framing(&mut copy, u64::MAX), Err(e));
            return;
        }
    };
    let mut copy = headers.clone();
    assert_eq!(framing::request_framing(&mut copy, u64::MAX), Ok(by_facts));
    if let Some(value) = collapsed {
        assert_eq!(copy.get("Content-Length"), Some(value.as_str()));
        assert_eq!(copy.get_list("Content-Length").count(), 1);
    }
}

#[derive(Debug)]
struct Facts {
    content_length: Vec<String>,
    transfer_encoding: Vec<String>,
}

fn owned_facts(headers: &HTTPHeaders) -> Facts {
    let all = |name| headers.get_list(name).map(str::to_owned).collect();
    Facts {
        content_length: all("Content-Length"),
        transfer_encoding: all("Transfer-Encoding"),
    }
}

/// An accepted request has exactly one `Host`, a plain one; HTTP/1.0 may have none.
fn check_host(start_line: &RequestStartLine, headers: &HTTPHeaders) {
    let hosts: Vec<&str> = headers.get_list("Host").collect();
    if start_line.version != HTTPVersion::HTTP_10 {
        assert_eq!(hosts.len(), 1, "HTTP/1.1 accepted with Host {hosts:?}");
    }
    assert!(hosts.len() <= 1, "accepted with Host {hosts:?}");
    for host in hosts {
        assert!(
            !host.contains([',', ' ', '\t', '/', '\\', '@', '?', '#']),
            "accepted Host {host:?}"
        );
        assert!(
            !host.chars().any(|c| c.is_control()),
            "accepted Host {host:?}"
        );
    }
}

/// Content-Length XOR chunked, and each exactly as the headers say.
fn check_framing(before: &Facts, after: &HTTPHeaders, decided: BodyFraming) {
    let has_length = !before.content_length.is_empty();
    let has_te = !before.transfer_encoding.is_empty();
    assert!(
        !(has_length && has_te),
        "accepted both framings: {before:?}"
    );
    match decided {
        BodyFraming::Chunked => {
            assert_eq!(before.transfer_encoding.len(), 1, "{before:?}");
            assert!(before.transfer_encoding[0].eq_ignore_ascii_case("chunked"));
        }
        BodyFraming::Length(n) => {
            assert!(n > 0 && !has_te);
            for value in &before.content_length {
                for piece in value.split(',') {
                    let piece = piece.trim_start_matches(is_py_space);
                    assert_eq!(framing::parse_int(piece), Some(n), "{before:?}");
                }
            }
            let left: Vec<&str> = after.get_list("Content-Length").collect();
            assert_eq!(left.len(), 1);
            assert_eq!(framing::parse_int(left[0]), Some(n));
        }
        BodyFraming::Empty => {
            assert!(!has_te);
            if has_length {
                assert_eq!(
                    after.get("Content-Length").and_then(framing::parse_int),
                    Some(0)
                );
            }
        }
    }
}

/// Python's `str.isspace` on ISO-8859-1 text (what `body_framing` trims after a comma).
fn is_py_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

fn check_keep_alive(start_line: &RequestStartLine, headers: &HTTPHeaders, keep_alive: bool) {
    let connection = headers.get("Connection");
    let says = |word: &str| connection.is_some_and(|c| c.eq_ignore_ascii_case(word));
    if says("close") {
        assert!(!keep_alive);
    }
    if start_line.version == HTTPVersion::HTTP_11 {
        assert_eq!(keep_alive, !says("close"));
    } else {
        let framed = headers.contains("Content-Length")
            || headers.contains("Transfer-Encoding")
            || start_line.method == Method::GET
            || start_line.method == Method::HEAD;
        assert_eq!(keep_alive, says("keep-alive") && framed);
    }
}

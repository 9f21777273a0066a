//! HTTP/1 start lines: `RequestStartLine`, `ResponseStartLine` and their parsers.

use std::borrow::Cow;
use std::fmt;

use http::{Method, StatusCode};

use crate::abnf;
use crate::error::{Error, Result, py_repr};
use crate::spare::{self, Spares};

/// The version in an HTTP/1.x start line: `HTTP/1.` and one digit.
///
/// Tornado keeps the version as the string it read and accepts any `HTTP/1.d`
/// (`HTTP/1.2` included, then treated like HTTP/1.0 where it matters: only the exact
/// string `HTTP/1.1` gets HTTP/1.1 keep-alive and chunked responses). `http::Version`
/// has no `HTTP/1.2`, so this small type keeps the digit; [`HTTPVersion::to_http`]
/// gives the `http` crate's value where one exists.
///
/// ```
/// use tornado_httputil::HTTPVersion;
/// assert_eq!(HTTPVersion::HTTP_11.as_str(), "HTTP/1.1");
/// assert_eq!(HTTPVersion::HTTP_10, "HTTP/1.0");
/// assert_eq!(HTTPVersion::from_minor(2).unwrap().to_string(), "HTTP/1.2");
/// assert_eq!(HTTPVersion::HTTP_11.to_http(), Some(http::Version::HTTP_11));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HTTPVersion {
    minor: u8,
}

impl HTTPVersion {
    /// `HTTP/1.0` (also the default version of a request built without one, as in
    /// Tornado).
    pub const HTTP_10: HTTPVersion = HTTPVersion { minor: 0 };
    /// `HTTP/1.1`.
    pub const HTTP_11: HTTPVersion = HTTPVersion { minor: 1 };

    /// `HTTP/1.<minor>`, for a minor version from 0 to 9.
    pub fn from_minor(minor: u8) -> Option<Self> {
        (minor <= 9).then_some(HTTPVersion { minor })
    }

    /// The minor version digit.
    pub fn minor(self) -> u8 {
        self.minor
    }

    /// The version as Tornado's string: `"HTTP/1.1"`.
    pub fn as_str(self) -> &'static str {
        const ALL: [&str; 10] = [
            "HTTP/1.0", "HTTP/1.1", "HTTP/1.2", "HTTP/1.3", "HTTP/1.4", "HTTP/1.5", "HTTP/1.6",
            "HTTP/1.7", "HTTP/1.8", "HTTP/1.9",
        ];
        ALL.get(usize::from(self.minor))
            .copied()
            .unwrap_or("HTTP/1.0")
    }

    /// The `http` crate's version: `HTTP_10` or `HTTP_11`; `None` for 1.2 to 1.9.
    pub fn to_http(self) -> Option<http::Version> {
        match self.minor {
            0 => Some(http::Version::HTTP_10),
            1 => Some(http::Version::HTTP_11),
            _ => None,
        }
    }

    /// Reads `HTTP/1.d`; anything else (`HTTP/2.0`, `HTTP/1.10`, `http/1.1`) is `None`.
    pub fn parse(text: &str) -> Option<Self> {
        match text.as_bytes() {
            [b'H', b'T', b'T', b'P', b'/', b'1', b'.', d] if d.is_ascii_digit() => {
                Some(HTTPVersion { minor: d - b'0' })
            }
            _ => None,
        }
    }
}

impl Default for HTTPVersion {
    fn default() -> Self {
        HTTPVersion::HTTP_10
    }
}

impl fmt::Display for HTTPVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<str> for HTTPVersion {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for HTTPVersion {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl TryFrom<http::Version> for HTTPVersion {
    type Error = Error;

    fn try_from(version: http::Version) -> Result<Self> {
        match version {
            http::Version::HTTP_10 => Ok(HTTPVersion::HTTP_10),
            http::Version::HTTP_11 => Ok(HTTPVersion::HTTP_11),
            other => Err(Error::input(format!("Unexpected HTTP version {other:?}"))),
        }
    }
}

/// The first line of an HTTP/1 request: Tornado's `RequestStartLine(method, path,
/// version)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestStartLine {
    /// The method: any token is valid (`http::Method` keeps extension methods).
    pub method: Method,
    /// The request target as sent (for an origin-form target, path and query).
    pub path: String,
    /// The HTTP version.
    pub version: HTTPVersion,
}

impl fmt::Display for RequestStartLine {
    /// `METHOD path HTTP/1.x`, the line as it goes on the wire.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.method, self.path, self.version)
    }
}

/// The first line of an HTTP/1 response: Tornado's `ResponseStartLine(version, code,
/// reason)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseStartLine {
    /// The HTTP version.
    pub version: HTTPVersion,
    /// The status code: any three digits, as Tornado reads it (`000` included, which
    /// `http::StatusCode` refuses; see [`ResponseStartLine::status`]).
    pub code: u16,
    /// The reason phrase; empty when the line had none (Tornado gives `None`). A
    /// server usually writes a static phrase (`responses(code)`), so no allocation is
    /// needed for it.
    pub reason: Cow<'static, str>,
}

impl ResponseStartLine {
    /// The code as an [`http::StatusCode`], when it is one (100 to 999).
    pub fn status(&self) -> Option<StatusCode> {
        StatusCode::from_u16(self.code).ok()
    }
}

/// Parses an HTTP/1 request line: Tornado's `parse_request_start_line`.
///
/// The line must be exactly `method SP request-target SP HTTP/d.d` (RFC 9112, as
/// Tornado 6.5 reads it): the method a token, the target one or more visible or
/// obs-text characters (no space, no control), single spaces. Otherwise it is an
/// `HTTPInputError` "Malformed HTTP request line"; a version other than `HTTP/1.x` is
/// "Unexpected HTTP version".
///
/// ```
/// use tornado_httputil::{parse_request_start_line, HTTPVersion};
/// let line = parse_request_start_line("GET /foo?x=1 HTTP/1.1").unwrap();
/// assert_eq!(line.method, http::Method::GET);
/// assert_eq!(line.path, "/foo?x=1");
/// assert_eq!(line.version, HTTPVersion::HTTP_11);
/// assert!(parse_request_start_line("GET /a\u{1} HTTP/1.1").is_err());
/// assert!(parse_request_start_line("FOO,BAR / HTTP/1.1").is_err());
/// assert_eq!(
///     parse_request_start_line("GET / HTTP/2.0").unwrap_err().to_string(),
///     "Unexpected HTTP version 'HTTP/2.0'"
/// );
/// ```
pub fn parse_request_start_line(line: &str) -> Result<RequestStartLine> {
    if let Some((method, target, version)) = split_common_request(line.as_bytes()) {
        // The target is visible ASCII, so it starts and ends on character boundaries.
        let start = line.len() - 9 - target.len();
        if let Some(path) = line.get(start..start + target.len()) {
            return Ok(RequestStartLine {
                method,
                path: target_string(path),
                version,
            });
        }
    }
    parse_request(line.as_bytes(), false).map(|(method, path, version)| RequestStartLine {
        method,
        path: path.into_owned(),
        version,
    })
}

/// The same as [`parse_request_start_line`] over wire bytes (ISO-8859-1), for the
/// HTTP/1 code.
pub fn parse_request_start_line_bytes(line: &[u8]) -> Result<RequestStartLine> {
    if let Some(parsed) = parse_common_request(line) {
        return Ok(parsed);
    }
    let (method, path, version) = parse_request(line, true)?;
    Ok(RequestStartLine {
        method,
        path: path.into_owned(),
        version,
    })
}

thread_local! {
    /// The target buffers of dropped requests (see [`target_string`]).
    static TARGETS: Spares<String> = const { Spares::new(Vec::new()) };
}

/// `target` in a buffer a dropped request gave back, if the thread has one: a server
/// makes a target string for each request and drops it with the request, and reusing
/// the buffer saves an allocation and a free each time.
fn target_string(target: &str) -> String {
    let mut text = spare::take(&TARGETS).unwrap_or_default();
    text.push_str(target);
    text
}

/// Keeps the buffer of a request's target for [`target_string`] (unless it is large).
pub(crate) fn recycle_target(mut target: String) {
    if target.capacity() == 0 || target.capacity() > 4096 {
        return;
    }
    target.clear();
    spare::keep(&TARGETS, target);
}

/// The common case at speed: a common method, a target of visible ASCII and
/// `HTTP/1.1` or `HTTP/1.0`, which [`parse_request`] would read the same way. `None`
/// for anything else.
#[inline]
fn parse_common_request(line: &[u8]) -> Option<RequestStartLine> {
    let (method, target, version) = split_common_request(line)?;
    let path = target_string(std::str::from_utf8(target).ok()?);
    Some(RequestStartLine {
        method,
        path,
        version,
    })
}

/// The method, target and version of a request line of the common kind (see
/// [`parse_common_request`]); the target is the line's last bytes but nine.
#[inline]
fn split_common_request(line: &[u8]) -> Option<(Method, &[u8], HTTPVersion)> {
    let (method, rest) = match line {
        [b'G', b'E', b'T', b' ', rest @ ..] => (Method::GET, rest),
        [b'P', b'O', b'S', b'T', b' ', rest @ ..] => (Method::POST, rest),
        [b'H', b'E', b'A', b'D', b' ', rest @ ..] => (Method::HEAD, rest),
        [b'P', b'U', b'T', b' ', rest @ ..] => (Method::PUT, rest),
        [b'P', b'A', b'T', b'C', b'H', b' ', rest @ ..] => (Method::PATCH, rest),
        [b'D', b'E', b'L', b'E', b'T', b'E', b' ', rest @ ..] => (Method::DELETE, rest),
        [b'O', b'P', b'T', b'I', b'O', b'N', b'S', b' ', rest @ ..] => (Method::OPTIONS, rest),
        _ => return None,
    };
    let (target, version) = rest.split_last_chunk::<9>()?;
    let version = match version {
        b" HTTP/1.1" => HTTPVersion::HTTP_11,
        b" HTTP/1.0" => HTTPVersion::HTTP_10,
        _ => return None,
    };
    if target.is_empty() || abnf::skip_visible(target, 0) != target.len() {
        return None;
    }
    Some((method, target, version))
}

/// Splits and checks a request line; `latin1` says whether the bytes are wire bytes or
/// the UTF-8 of a `&str`. The target comes back as text.
fn parse_request(
    line: &[u8],
    latin1: bool,
) -> Result<(Method, std::borrow::Cow<'_, str>, HTTPVersion)> {
    let malformed = || Error::input("Malformed HTTP request line");
    let mut parts = line.splitn(3, |&b| b == b' ');
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let target_ok = if latin1 {
        abnf::request_target_latin1(target)
    } else {
        abnf::request_target_utf8(target)
    };
    if !abnf::is_token(method) || !target_ok || !is_version_syntax(version) {
        return Err(malformed());
    }
    let method = Method::from_bytes(method).map_err(|_| malformed())?;
    let version = check_version(version)?;
    let target = if latin1 {
        latin1_text(target)
    } else {
        std::str::from_utf8(target)
            .map(std::borrow::Cow::Borrowed)
            .map_err(|_| malformed())?
    };
    Ok((method, target, version))
}

/// RFC 9112 `HTTP-version` syntax: `HTTP/` digit `.` digit.
fn is_version_syntax(v: &[u8]) -> bool {
    matches!(v, [b'H', b'T', b'T', b'P', b'/', a, b'.', b] if a.is_ascii_digit() && b.is_ascii_digit())
}

/// A syntactically valid version that must be HTTP/1.x.
fn check_version(v: &[u8]) -> Result<HTTPVersion> {
    std::str::from_utf8(v)
        .ok()
        .and_then(HTTPVersion::parse)
        .ok_or_else(|| {
            Error::input(format!(
                "Unexpected HTTP version {}",
                py_repr(&String::from_utf8_lossy(v))
            ))
        })
}

fn latin1_text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(text) if bytes.is_ascii() => std::borrow::Cow::Borrowed(text),
        _ => std::borrow::Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect()),
    }
}

/// Parses an HTTP/1 status line: Tornado's `parse_response_start_line`.
///
/// The line must be exactly `HTTP/d.d SP 3DIGIT SP [reason-phrase]`; note the space
/// after the code is required even without a reason, as in Tornado. Otherwise it is an
/// `HTTPInputError` "Error parsing response start line"; a version other than
/// `HTTP/1.x` is "Unexpected HTTP version".
///
/// ```
/// use tornado_httputil::{parse_response_start_line, HTTPVersion};
/// let line = parse_response_start_line("HTTP/1.1 200 OK").unwrap();
/// assert_eq!((line.version, line.code, &*line.reason), (HTTPVersion::HTTP_11, 200, "OK"));
/// assert_eq!(parse_response_start_line("HTTP/1.1 204 ").unwrap().reason, "");
/// assert!(parse_response_start_line("HTTP/1.1 200").is_err());
/// ```
pub fn parse_response_start_line(line: &str) -> Result<ResponseStartLine> {
    parse_response(line.as_bytes(), false)
}

/// The same as [`parse_response_start_line`] over wire bytes (ISO-8859-1).
pub fn parse_response_start_line_bytes(line: &[u8]) -> Result<ResponseStartLine> {
    parse_response(line, true)
}

fn parse_response(line: &[u8], latin1: bool) -> Result<ResponseStartLine> {
    let malformed = || Error::input("Error parsing response start line");
    let mut parts = line.splitn(3, |&b| b == b' ');
    let (Some(version), Some(code), Some(reason)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(malformed());
    };
    let reason_ok = reason.is_empty()
        || if latin1 {
            abnf::reason_phrase_latin1(reason)
        } else {
            abnf::reason_phrase_utf8(reason)
        };
    let code_ok = code.len() == 3 && code.iter().all(u8::is_ascii_digit);
    if !is_version_syntax(version) || !code_ok || !reason_ok {
        return Err(malformed());
    }
    let version = check_version(version)?;
    let code = code.iter().fold(0u16, |n, &d| n * 10 + u16::from(d - b'0'));
    let reason = Cow::Owned(if latin1 {
        latin1_text(reason).into_owned()
    } else {
        String::from_utf8_lossy(reason).into_owned()
    });
    Ok(ResponseStartLine {
        version,
        code,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_lines() {
        let l = parse_request_start_line("FOO /x HTTP/1.2").unwrap();
        assert_eq!(l.method.as_str(), "FOO");
        assert_eq!(l.version.minor(), 2);
        assert_eq!(l.to_string(), "FOO /x HTTP/1.2");
        for bad in [
            "",
            "GET",
            "GET /",
            "GET  / HTTP/1.1",
            "GET / HTTP/1.1 ",
            "GET / http/1.1",
            "GET / HTTP/1.10",
            " GET / HTTP/1.1",
            "GET\t/ HTTP/1.1",
            "G(T / HTTP/1.1",
        ] {
            let err = parse_request_start_line(bad).unwrap_err();
            assert_eq!(err.message(), "Malformed HTTP request line", "{bad:?}");
        }
        assert!(parse_request_start_line("GET / HTTP/0.9").is_err());
        let l = parse_request_start_line_bytes(b"GET /caf\xe9 HTTP/1.0").unwrap();
        assert_eq!(l.path, "/caf\u{e9}");
        assert!(parse_request_start_line("GET /\u{100} HTTP/1.1").is_err());
    }

    #[test]
    fn common_lines_read_as_every_line_is_read() {
        let lines: [&[u8]; 16] = [
            b"GET / HTTP/1.1",
            b"GET /a?b=c&d=%20#x HTTP/1.0",
            b"POST /upload HTTP/1.1",
            b"HEAD * HTTP/1.1",
            b"PUT http://example.com/x HTTP/1.1",
            b"PATCH /p HTTP/1.0",
            b"DELETE /d HTTP/1.1",
            b"OPTIONS * HTTP/1.1",
            b"GET  / HTTP/1.1",
            b"GET / HTTP/1.1 ",
            b"GET HTTP/1.1",
            b"GET  HTTP/1.1",
            b"GET /caf\xe9 HTTP/1.1",
            b"GET /a\x7f HTTP/1.1",
            b"GET / HTTP/1.2",
            b"get / HTTP/1.1",
        ];
        for line in lines {
            let general =
                parse_request(line, true).map(|(method, path, version)| RequestStartLine {
                    method,
                    path: path.into_owned(),
                    version,
                });
            if let Some(common) = parse_common_request(line) {
                assert_eq!(Ok(common), general, "{line:?}");
            }
            assert_eq!(parse_request_start_line_bytes(line), general, "{line:?}");
            if let Ok(text) = std::str::from_utf8(line) {
                let general =
                    parse_request(line, false).map(|(method, path, version)| RequestStartLine {
                        method,
                        path: path.into_owned(),
                        version,
                    });
                assert_eq!(parse_request_start_line(text), general, "{line:?}");
            }
        }
        assert!(parse_common_request(b"GET /x HTTP/1.1").is_some());
    }

    #[test]
    fn response_lines() {
        let l = parse_response_start_line("HTTP/1.0 000 x").unwrap();
        assert_eq!((l.code, l.status()), (0, None));
        let l = parse_response_start_line("HTTP/1.1 404 Not  Found\t").unwrap();
        assert_eq!(l.reason, "Not  Found\t");
        assert_eq!(l.status(), Some(StatusCode::NOT_FOUND));
        for bad in [
            "HTTP/1.1 20 OK",
            "HTTP/1.1 2000 OK",
            "HTTP/1.1 200\tOK",
            "HTTP/1.1 200 O\rK",
            "HTTP/1.1 +20 x",
        ] {
            assert!(parse_response_start_line(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            parse_response_start_line("HTTP/2.0 200 OK")
                .unwrap_err()
                .message(),
            "Unexpected HTTP version 'HTTP/2.0'"
        );
        let l = parse_response_start_line_bytes(b"HTTP/1.1 200 \xe9").unwrap();
        assert_eq!(l.reason, "\u{e9}");
    }
}

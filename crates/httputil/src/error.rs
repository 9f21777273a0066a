//! The one error type of this crate: Tornado's `HTTPInputError` and `HTTPOutputError`.

use std::borrow::Cow;
use std::fmt;

/// What went wrong in a fallible function of this crate.
///
/// Tornado raises two exceptions from `httputil`: `HTTPInputError` for malformed input
/// from the peer (a bad header line, a bad start line, a bad form body, a bad `Host`)
/// and `HTTPOutputError` for output that cannot be sent (a header value that has no
/// ISO-8859-1 form). Both are this one type, told apart by [`Error::kind`],
/// [`Error::is_input`] and [`Error::is_output`]. [`Display`](fmt::Display) prints the
/// message alone, as `str(e)` does in Python, so log lines read as Tornado's.
///
/// ```
/// use tornado_httputil::HTTPHeaders;
/// let err = HTTPHeaders::parse("No colon here\r\n").unwrap_err();
/// assert!(err.is_input());
/// assert_eq!(err.to_string(), "no colon in header line");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: Cow<'static, str>,
}

/// Which of Tornado's exceptions an [`Error`] stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// Tornado's `HTTPInputError`: malformed HTTP from a remote peer. A server answers
    /// it with `400 Bad Request`.
    HTTPInputError,
    /// Tornado's `HTTPOutputError`: something this side tried to send is not valid HTTP.
    HTTPOutputError,
    /// The connection closed before the write could be made (Tornado's
    /// `StreamClosedError`, as seen through an `HTTPConnection`).
    StreamClosed,
}

/// `std::result::Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An `HTTPInputError` with the given message. Public so that the HTTP/1 code can
    /// report its own framing errors ("Only integer Content-Length is allowed", ...)
    /// with the same type.
    pub fn input(message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            kind: ErrorKind::HTTPInputError,
            message: message.into(),
        }
    }

    /// An `HTTPOutputError` with the given message.
    pub fn output(message: impl Into<Cow<'static, str>>) -> Self {
        Error {
            kind: ErrorKind::HTTPOutputError,
            message: message.into(),
        }
    }

    /// A write to a connection that has closed.
    pub fn stream_closed() -> Self {
        Error {
            kind: ErrorKind::StreamClosed,
            message: Cow::Borrowed("Stream is closed"),
        }
    }

    /// True when the connection closed under a write.
    pub fn is_stream_closed(&self) -> bool {
        self.kind == ErrorKind::StreamClosed
    }

    /// Which Tornado exception this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// True for Tornado's `HTTPInputError` (malformed input: answer 400).
    pub fn is_input(&self) -> bool {
        self.kind == ErrorKind::HTTPInputError
    }

    /// True for Tornado's `HTTPOutputError`.
    pub fn is_output(&self) -> bool {
        self.kind == ErrorKind::HTTPOutputError
    }

    /// The message, as Python's `str(e)` gives it.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The same error with `prefix` put before its message (Tornado wraps errors as
    /// `"Invalid multipart/form-data: %s" % e`).
    pub(crate) fn prefixed(self, prefix: &str) -> Self {
        Error {
            kind: self.kind,
            message: Cow::Owned(format!("{prefix}{}", self.message)),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

/// Python's `repr()` of a `str`, for error messages that Tornado formats with `%r`.
///
/// Quotes with `'` unless the text holds a `'` and no `"`; escapes `\\`, `\t`, `\n`,
/// `\r`, the quote, and characters Python does not print (controls as `\xNN`, a few
/// invisible or separator characters as `\xNN`/`\uNNNN`). Python's full rule uses the
/// Unicode database; this covers every character that can reach these messages from
/// ISO-8859-1 input, and the common separators beyond it.
pub(crate) fn py_repr(text: &str) -> String {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !py_printable(c) => {
                let code = u32::from(c);
                if code <= 0xff {
                    out.push_str(&format!("\\x{code:02x}"));
                } else if code <= 0xffff {
                    out.push_str(&format!("\\u{code:04x}"));
                } else {
                    out.push_str(&format!("\\U{code:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python's `str.isprintable` for one character, for the characters that matter here.
fn py_printable(c: char) -> bool {
    match u32::from(c) {
        0x20..=0x7e => true,
        0x00..=0x1f | 0x7f..=0xa0 | 0xad => false,
        // Separators (Zs, Zl, Zp) and the common format characters (Cf).
        0x1680 | 0x2000..=0x200f | 0x2028..=0x202f | 0x205f..=0x2064 | 0x3000 | 0xfeff => false,
        0xd800..=0xdfff | 0xfff9..=0xfffb => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repr_matches_python() {
        assert_eq!(py_repr("foo bar"), "'foo bar'");
        assert_eq!(py_repr("a'b"), "\"a'b\"");
        assert_eq!(py_repr("a'b\""), "'a\\'b\"'");
        assert_eq!(py_repr("x\ty\r\n\0"), "'x\\ty\\r\\n\\x00'");
        assert_eq!(
            py_repr("\u{e9}\u{a0}\u{85}\u{2028}"),
            "'\u{e9}\\xa0\\x85\\u2028'"
        );
        assert_eq!(py_repr("\\"), "'\\\\'");
    }

    #[test]
    fn kinds_and_display() {
        let e = Error::input("bad");
        assert!(e.is_input() && !e.is_output());
        assert_eq!(e.kind(), ErrorKind::HTTPInputError);
        assert_eq!(e.to_string(), "bad");
        let e = Error::output(String::from("worse")).prefixed("x: ");
        assert!(e.is_output());
        assert_eq!(e.message(), "x: worse");
    }
}

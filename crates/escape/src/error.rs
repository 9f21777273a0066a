//! The one error type of this crate.

use std::fmt;

/// What went wrong in a fallible function of this crate.
///
/// The cases mirror the Python exceptions Tornado lets through: `UnicodeDecodeError`
/// ([`Error::is_utf8`]), `json.JSONDecodeError` and `TypeError` from `json.dumps`
/// ([`Error::is_json`]), and the `ValueError` of a strict query-string parse
/// ([`Error::is_query`]).
#[derive(Debug)]
pub struct Error {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// Bytes that were not valid UTF-8.
    Utf8 { valid_up_to: usize, len: usize },
    /// JSON that could not be decoded.
    JsonDecode(serde_json::Error),
    /// A value that cannot be written as JSON (a map key that is not a string, a
    /// number, a bool or null, or a `Serialize` impl that failed).
    JsonEncode(String),
    /// A query-string field rejected by `strict_parsing`.
    Query { field: String },
}

/// `std::result::Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn utf8(err: std::str::Utf8Error, len: usize) -> Self {
        Error {
            kind: Kind::Utf8 {
                valid_up_to: err.valid_up_to(),
                len,
            },
        }
    }

    pub(crate) fn json_decode(err: serde_json::Error) -> Self {
        Error {
            kind: Kind::JsonDecode(err),
        }
    }

    pub(crate) fn json_encode(msg: impl Into<String>) -> Self {
        Error {
            kind: Kind::JsonEncode(msg.into()),
        }
    }

    pub(crate) fn query(field: &[u8]) -> Self {
        Error {
            kind: Kind::Query {
                field: String::from_utf8_lossy(field).into_owned(),
            },
        }
    }

    /// True when bytes that had to be UTF-8 were not (Python's `UnicodeDecodeError`).
    pub fn is_utf8(&self) -> bool {
        matches!(self.kind, Kind::Utf8 { .. })
    }

    /// True for JSON that could not be decoded or a value that could not be encoded.
    pub fn is_json(&self) -> bool {
        matches!(self.kind, Kind::JsonDecode(_) | Kind::JsonEncode(_))
    }

    /// True when a strict query-string parse met a field without `=` or an empty field.
    pub fn is_query(&self) -> bool {
        matches!(self.kind, Kind::Query { .. })
    }

    /// For a UTF-8 error: the length of the valid prefix of the input, in bytes.
    pub fn utf8_valid_up_to(&self) -> Option<usize> {
        match self.kind {
            Kind::Utf8 { valid_up_to, .. } => Some(valid_up_to),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Utf8 { valid_up_to, len } => write!(
                f,
                "invalid UTF-8 at byte {valid_up_to} of a {len}-byte value"
            ),
            Kind::JsonDecode(err) => write!(f, "invalid JSON: {err}"),
            Kind::JsonEncode(msg) => write!(f, "cannot encode as JSON: {msg}"),
            Kind::Query { field } => write!(f, "bad query field: {field:?}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            Kind::JsonDecode(err) => Some(err),
            _ => None,
        }
    }
}

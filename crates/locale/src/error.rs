//! The crate's one error type.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// What went wrong in `tornado-locale`.
///
/// Every message names the problem: the file (and line, for CSV files), the offending
/// expression or format string, or the out-of-range date. Use the predicates
/// (`is_io()`, `is_csv()`, ...) to tell the kinds apart.
#[derive(Debug)]
pub struct Error {
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    /// Reading a directory or a file failed.
    Io { path: PathBuf, source: io::Error },
    /// A translation file is not valid in its text encoding.
    Decode {
        path: PathBuf,
        line: u64,
        detail: String,
    },
    /// A CSV file could not be parsed.
    Csv {
        path: PathBuf,
        line: u64,
        detail: String,
    },
    /// An unknown text encoding name.
    Encoding { name: String },
    /// A `.mo` file is malformed (the path is unknown when bytes were parsed).
    Mo {
        path: Option<PathBuf>,
        detail: String,
    },
    /// A `Plural-Forms` expression is malformed.
    Plural { expr: String, detail: String },
    /// A `%`-format string (an English message or a translation) is malformed or
    /// does not fit its arguments.
    Format { format: String, detail: String },
    /// A date or timestamp is outside the range that can be represented.
    Date { detail: String },
}

/// `std::result::Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn io(path: &Path, source: io::Error) -> Error {
        Error {
            kind: Kind::Io {
                path: path.to_owned(),
                source,
            },
        }
    }

    pub(crate) fn decode(path: &Path, line: u64, detail: impl Into<String>) -> Error {
        Error {
            kind: Kind::Decode {
                path: path.to_owned(),
                line,
                detail: detail.into(),
            },
        }
    }

    pub(crate) fn csv(path: &Path, line: u64, detail: impl Into<String>) -> Error {
        Error {
            kind: Kind::Csv {
                path: path.to_owned(),
                line,
                detail: detail.into(),
            },
        }
    }

    pub(crate) fn encoding(name: &str) -> Error {
        Error {
            kind: Kind::Encoding {
                name: name.to_owned(),
            },
        }
    }

    pub(crate) fn mo(detail: impl Into<String>) -> Error {
        Error {
            kind: Kind::Mo {
                path: None,
                detail: detail.into(),
            },
        }
    }

    /// The same error, about the file `path`.
    pub(crate) fn in_file(mut self, file: &Path) -> Error {
        if let Kind::Mo { path, .. } = &mut self.kind {
            *path = Some(file.to_owned());
        }
        self
    }

    pub(crate) fn plural(expr: &str, detail: impl Into<String>) -> Error {
        Error {
            kind: Kind::Plural {
                expr: expr.to_owned(),
                detail: detail.into(),
            },
        }
    }

    pub(crate) fn format(format: &str, detail: impl Into<String>) -> Error {
        Error {
            kind: Kind::Format {
                format: format.to_owned(),
                detail: detail.into(),
            },
        }
    }

    pub(crate) fn date(detail: impl Into<String>) -> Error {
        Error {
            kind: Kind::Date {
                detail: detail.into(),
            },
        }
    }

    /// Reading a directory or a file failed (see [`std::error::Error::source`]).
    pub fn is_io(&self) -> bool {
        matches!(self.kind, Kind::Io { .. })
    }

    /// A translation file is not valid UTF-8 / UTF-16 (or the encoding it was read with).
    pub fn is_decode(&self) -> bool {
        matches!(self.kind, Kind::Decode { .. })
    }

    /// A CSV translation file could not be parsed.
    pub fn is_csv(&self) -> bool {
        matches!(self.kind, Kind::Csv { .. })
    }

    /// An encoding name that this crate does not know.
    pub fn is_encoding(&self) -> bool {
        matches!(self.kind, Kind::Encoding { .. })
    }

    /// A `.mo` file is malformed (bad magic number, truncated tables, bad headers...).
    pub fn is_mo(&self) -> bool {
        matches!(self.kind, Kind::Mo { .. })
    }

    /// A `Plural-Forms` expression does not parse.
    pub fn is_plural(&self) -> bool {
        matches!(self.kind, Kind::Plural { .. })
    }

    /// A `%`-format string is malformed, or names a key or a conversion its arguments
    /// do not fit (Python would raise `KeyError`, `ValueError` or `TypeError`).
    pub fn is_format(&self) -> bool {
        matches!(self.kind, Kind::Format { .. })
    }

    /// A date, timestamp or offset is outside the representable range.
    pub fn is_date(&self) -> bool {
        matches!(self.kind, Kind::Date { .. })
    }

    /// The file the error is about, if any.
    pub fn path(&self) -> Option<&Path> {
        match &self.kind {
            Kind::Io { path, .. } | Kind::Decode { path, .. } | Kind::Csv { path, .. } => {
                Some(path)
            }
            Kind::Mo { path, .. } => path.as_deref(),
            _ => None,
        }
    }

    /// The 1-based line of the file the error is about, if known.
    pub fn line(&self) -> Option<u64> {
        match &self.kind {
            Kind::Decode { line, .. } | Kind::Csv { line, .. } => Some(*line),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Kind::Decode { path, line, detail } => {
                write!(f, "{} line {line}: {detail}", path.display())
            }
            Kind::Csv { path, line, detail } => {
                write!(f, "{} line {line}: {detail}", path.display())
            }
            Kind::Encoding { name } => write!(f, "unknown encoding {name:?}"),
            Kind::Mo {
                path: Some(path),
                detail,
            } => write!(f, "{}: {detail}", path.display()),
            Kind::Mo { path: None, detail } => write!(f, "bad .mo file: {detail}"),
            Kind::Plural { expr, detail } => {
                write!(f, "bad plural form expression {expr:?}: {detail}")
            }
            Kind::Format { format, detail } => write!(f, "bad format string {format:?}: {detail}"),
            Kind::Date { detail } => write!(f, "date out of range: {detail}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            Kind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

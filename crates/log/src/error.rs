//! The crate's error type.

use std::fmt;
use std::path::PathBuf;

/// Errors of this crate.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Reading the logging options failed (an option missing or of the wrong type).
    Options(tornado_options::Error),
    /// The `logging` option names no level (Tornado raises `AttributeError`).
    InvalidLevel(String),
    /// `log_rotate_mode` is neither `size` nor `time` (Tornado's `ValueError`, same text).
    RotateMode(String),
    /// A bad `when` for time rotation (Python's `ValueError` texts).
    InvalidRotation(String),
    /// A log file could not be opened.
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// Another logger is already installed with `log::set_logger`.
    LoggerAlreadySet,
}

impl Error {
    /// True for a bad `logging` level.
    pub fn is_invalid_level(&self) -> bool {
        matches!(self, Error::InvalidLevel(_))
    }

    /// True for a bad `log_rotate_mode`.
    pub fn is_rotate_mode(&self) -> bool {
        matches!(self, Error::RotateMode(_))
    }

    /// True when a log file could not be opened.
    pub fn is_io(&self) -> bool {
        matches!(self, Error::Io { .. })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Options(e) => fmt::Display::fmt(e, f),
            Error::InvalidLevel(level) => write!(
                f,
                "unknown logging level {level:?} (expected debug, info, warning, error, critical, trace or none)"
            ),
            Error::RotateMode(mode) => write!(
                f,
                "The value of log_rotate_mode option should be \"size\" or \"time\", not \"{mode}\"."
            ),
            Error::InvalidRotation(msg) => f.write_str(msg),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::LoggerAlreadySet => {
                f.write_str("another logger is already installed with log::set_logger")
            }
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Options(e) => Some(e),
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl From<tornado_options::Error> for Error {
    fn from(e: tornado_options::Error) -> Self {
        Error::Options(e)
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

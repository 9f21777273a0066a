//! The crate's error type.

use std::fmt;
use std::path::PathBuf;

/// Errors of this crate: Tornado's `tornado.options.Error`, plus `--help` (which Tornado
/// handles by printing and exiting) and file errors.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// `--help` was given (or `help` was set true in a config file). Holds the help text;
    /// the Tornado-like [`parse_command_line`](crate::parse_command_line) prints it to
    /// stderr and exits with status 0.
    Help(String),
    /// A command-line argument named no defined option (holds the normalised name).
    Unrecognized(String),
    /// A definition, value or type error, with Tornado's message
    /// (`Option 'foo' already defined in ...`, `Option 'port' requires a value`, ...).
    Option(String),
    /// An error in a config file, with its path and (1-based) line.
    Config {
        /// The config file.
        path: PathBuf,
        /// The line of the offending statement.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A config file could not be read.
    Io {
        /// The config file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An error returned by an option callback or a parse callback that is not one of
    /// ours (see [`Error::callback`]).
    Callback(Box<dyn std::error::Error + Send + Sync>),
}

impl Error {
    /// Wraps any error for return from a callback.
    pub fn callback(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Error {
        Error::Callback(err.into())
    }

    /// True when `--help` was asked for.
    pub fn is_help(&self) -> bool {
        matches!(self, Error::Help(_))
    }

    /// The help text, when `--help` was asked for.
    pub fn help_text(&self) -> Option<&str> {
        match self {
            Error::Help(text) => Some(text),
            _ => None,
        }
    }

    /// True for an unknown command-line option.
    pub fn is_unrecognized(&self) -> bool {
        matches!(self, Error::Unrecognized(_))
    }

    /// True for an error inside a config file (see [`Error::line`]).
    pub fn is_config(&self) -> bool {
        matches!(self, Error::Config { .. })
    }

    /// True when a config file could not be read.
    pub fn is_io(&self) -> bool {
        matches!(self, Error::Io { .. })
    }

    /// The config-file line the error is on.
    pub fn line(&self) -> Option<usize> {
        match self {
            Error::Config { line, .. } => Some(*line),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Help(text) => f.write_str(text),
            Error::Unrecognized(name) => {
                write!(
                    f,
                    "Unrecognized command line option: {}",
                    crate::value::py_repr_str(name)
                )
            }
            Error::Option(message) => f.write_str(message),
            Error::Config {
                path,
                line,
                message,
            } => write!(f, "{}:{line}: {message}", path.display()),
            Error::Io { path, source } => write!(f, "{}: {source}", path.display()),
            Error::Callback(err) => fmt::Display::fmt(err, f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Callback(err) => Some(&**err),
            _ => None,
        }
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

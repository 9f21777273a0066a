//! The crate's error type.

use std::fmt;

/// Why an [`HTTPServer`](crate::HTTPServer) could not be set up or started.
#[derive(Debug)]
pub enum Error {
    /// Binding, listening, TLS configuration: an error of the TCP layer.
    Tcp(tornado_tcp::Error),
}

impl Error {
    /// The underlying TCP-layer error.
    pub fn tcp(&self) -> &tornado_tcp::Error {
        match self {
            Error::Tcp(error) => error,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Tcp(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Tcp(error) => Some(error),
        }
    }
}

impl From<tornado_tcp::Error> for Error {
    fn from(error: tornado_tcp::Error) -> Error {
        Error::Tcp(error)
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

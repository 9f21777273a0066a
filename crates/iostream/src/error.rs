//! The crate's error type, with Tornado's named errors as small types.

use std::fmt;
use std::io;
use std::sync::Arc;

/// The stream is closed (Tornado's `StreamClosedError`). `real_error` is why it closed,
/// when it closed because of an error (a reset, a TLS alert...), rather than because
/// someone called `close` or the peer closed cleanly.
#[derive(Clone, Debug, Default)]
pub struct StreamClosedError {
    /// The error that closed the stream, if one did.
    pub real_error: Option<Arc<io::Error>>,
}

impl fmt::Display for StreamClosedError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.real_error {
            Some(err) => write!(f, "Stream is closed: {err}"),
            None => f.write_str("Stream is closed"),
        }
    }
}

impl std::error::Error for StreamClosedError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.real_error
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// A read that can never be satisfied, such as a delimiter not found within `max_bytes`
/// (Tornado's `UnsatisfiableReadError`). The stream is closed when this happens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsatisfiableReadError {
    /// What went wrong.
    pub message: String,
}

impl fmt::Display for UnsatisfiableReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for UnsatisfiableReadError {}

/// Why a stream operation failed.
#[derive(Clone, Debug)]
pub enum Error {
    /// The stream is closed ([`StreamClosedError`]).
    Closed(StreamClosedError),
    /// The read can never be satisfied ([`UnsatisfiableReadError`]); the stream closed.
    Unsatisfiable(UnsatisfiableReadError),
    /// The read buffer would grow past `max_buffer_size` (Tornado's
    /// `StreamBufferFullError` for reads); the stream closed.
    ReadBufferFull(usize),
    /// The write buffer would grow past `max_write_buffer_size` (Tornado's
    /// `StreamBufferFullError`); nothing was queued.
    WriteBufferFull(usize),
    /// A read was started while another one is in flight on the same stream.
    AlreadyReading,
    /// Connecting or setting up the stream failed.
    Io(Arc<io::Error>),
    /// `start_tls` on a stream with a read in flight, buffered data or queued writes
    /// (Tornado's `ValueError("IOStream is not idle; cannot convert to SSL")`).
    NotIdle,
    /// `wait_for_handshake` while another wait for the same handshake is pending
    /// (Tornado's `RuntimeError("Already waiting")`).
    AlreadyWaiting,
    /// TLS options that cannot make a configuration: a missing or unreadable file, a bad
    /// PEM, a client configuration where a server one is needed... The message says which.
    TlsConfig(String),
}

impl Error {
    pub(crate) fn closed(real_error: Option<Arc<io::Error>>) -> Error {
        Error::Closed(StreamClosedError { real_error })
    }

    /// The stream is closed.
    pub fn is_closed(&self) -> bool {
        matches!(self, Error::Closed(_))
    }

    /// The read could never be satisfied.
    pub fn is_unsatisfiable(&self) -> bool {
        matches!(self, Error::Unsatisfiable(_))
    }

    /// A buffer limit was reached.
    pub fn is_buffer_full(&self) -> bool {
        matches!(self, Error::ReadBufferFull(_) | Error::WriteBufferFull(_))
    }

    /// The TLS options were unusable ([`Error::TlsConfig`]).
    pub fn is_tls_config(&self) -> bool {
        matches!(self, Error::TlsConfig(_))
    }

    /// The underlying I/O error: the cause of a close, or a failure to connect.
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            Error::Closed(closed) => closed.real_error.as_deref(),
            Error::Io(err) => Some(err),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Closed(closed) => closed.fmt(f),
            Error::Unsatisfiable(unsatisfiable) => unsatisfiable.fmt(f),
            Error::ReadBufferFull(limit) => {
                write!(f, "Reached maximum read buffer size ({limit} bytes)")
            }
            Error::WriteBufferFull(limit) => {
                write!(f, "Reached maximum write buffer size ({limit} bytes)")
            }
            Error::AlreadyReading => f.write_str("Already reading: one read at a time per stream"),
            Error::Io(err) => err.fmt(f),
            Error::NotIdle => f.write_str("IOStream is not idle; cannot convert to SSL"),
            Error::AlreadyWaiting => f.write_str("Already waiting"),
            Error::TlsConfig(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Closed(closed) => closed.source(),
            Error::Io(err) => Some(&**err),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Error {
        Error::Io(Arc::new(err))
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> io::Error {
        let kind = match &err {
            Error::Closed(StreamClosedError {
                real_error: Some(cause),
            }) => cause.kind(),
            Error::Closed(_) => io::ErrorKind::NotConnected,
            Error::Unsatisfiable(_) | Error::ReadBufferFull(_) => io::ErrorKind::InvalidData,
            Error::WriteBufferFull(_) => io::ErrorKind::WouldBlock,
            Error::AlreadyReading | Error::NotIdle | Error::AlreadyWaiting => io::ErrorKind::Other,
            Error::TlsConfig(_) => io::ErrorKind::InvalidInput,
            Error::Io(cause) => cause.kind(),
        };
        io::Error::new(kind, err)
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_errors_carry_their_cause() {
        let reset = Arc::new(io::Error::from(io::ErrorKind::ConnectionReset));
        let err = Error::closed(Some(reset));
        assert!(err.is_closed());
        assert_eq!(
            err.io_error().map(io::Error::kind),
            Some(io::ErrorKind::ConnectionReset)
        );
        assert!(err.to_string().starts_with("Stream is closed: "));
        assert_eq!(io::Error::from(err).kind(), io::ErrorKind::ConnectionReset);
        assert_eq!(Error::closed(None).to_string(), "Stream is closed");
        assert_eq!(
            io::Error::from(Error::closed(None)).kind(),
            io::ErrorKind::NotConnected
        );
    }
}

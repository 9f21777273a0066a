//! The crate's error types.
//!
//! System calls fail with `std::io::Error`. What is Tornado's own — a timeout, a loop
//! stopped before its future finished, a panicking task — is an [`Error`], or the small
//! [`TimeoutError`] where a timeout is the only way to fail.

use std::fmt;
use std::io;
use std::time::Duration;

use crate::task::JoinError;

/// An operation did not finish before its deadline (Tornado's `TimeoutError`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TimeoutError;

impl fmt::Display for TimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Timeout")
    }
}

impl std::error::Error for TimeoutError {}

impl From<TimeoutError> for io::Error {
    fn from(_: TimeoutError) -> io::Error {
        io::Error::new(io::ErrorKind::TimedOut, TimeoutError)
    }
}

/// Why running a future on the loop did not produce its output.
#[derive(Debug)]
pub enum Error {
    /// [`IOLoop::run_sync`](crate::IOLoop::run_sync)'s timeout passed first.
    Timeout(Duration),
    /// The loop was stopped before the future finished.
    Stopped,
    /// The future panicked (the loop went on).
    Panicked(String),
    /// The future was cancelled, or its promise was dropped unresolved.
    Cancelled,
    /// The loop could not run: it is closed, already running, or its poller failed.
    Io(io::Error),
}

impl Error {
    /// A timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout(_))
    }

    /// The loop stopped first.
    pub fn is_stopped(&self) -> bool {
        matches!(self, Error::Stopped)
    }

    /// A panic.
    pub fn is_panic(&self) -> bool {
        matches!(self, Error::Panicked(_))
    }

    /// A cancellation.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Error::Cancelled)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Timeout(after) => {
                write!(
                    f,
                    "Operation timed out after {} seconds",
                    after.as_secs_f64()
                )
            }
            Error::Stopped => f.write_str("Event loop stopped before Future completed."),
            Error::Panicked(message) => write!(f, "panicked: {message}"),
            Error::Cancelled => f.write_str("the future was cancelled"),
            Error::Io(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(err) => Some(err),
            _ => None,
        }
    }
}

impl From<io::Error> for Error {
    fn from(err: io::Error) -> Error {
        Error::Io(err)
    }
}

impl From<JoinError> for Error {
    fn from(err: JoinError) -> Error {
        match err {
            JoinError::Cancelled => Error::Cancelled,
            JoinError::Panicked(message) => Error::Panicked(message),
        }
    }
}

impl From<TimeoutError> for Error {
    fn from(_: TimeoutError) -> Error {
        Error::Timeout(Duration::ZERO)
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_tornados() {
        assert_eq!(
            Error::Timeout(Duration::from_millis(1500)).to_string(),
            "Operation timed out after 1.5 seconds"
        );
        assert_eq!(
            Error::Stopped.to_string(),
            "Event loop stopped before Future completed."
        );
        assert_eq!(TimeoutError.to_string(), "Timeout");
        let io: io::Error = TimeoutError.into();
        assert_eq!(io.kind(), io::ErrorKind::TimedOut);
        assert!(Error::from(JoinError::Panicked("x".into())).is_panic());
        assert!(Error::from(JoinError::Cancelled).is_cancelled());
    }
}

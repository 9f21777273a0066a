//! The crate's error type.

use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Why a `netutil`, `TCPServer` or `TCPClient` operation failed.
///
/// Tornado raises `OSError`/`IOError` for most of these; here each cause is a variant, and
/// [`io_error`](Error::io_error) gives the underlying system error where there is one.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A system call failed; `context` says what was being done ("cannot bind
    /// 127.0.0.1:80").
    Io {
        /// What was being done.
        context: String,
        /// The system's error.
        source: io::Error,
    },
    /// A host name could not be resolved (Tornado's `IOError` from `Resolver.resolve`).
    Resolve {
        /// The name that was looked up.
        host: String,
        /// The port that was asked for.
        port: u16,
        /// Why resolution failed.
        source: io::Error,
    },
    /// Every address a host resolved to refused or failed the connection. Each attempt
    /// is listed, in the order they failed.
    Connect {
        /// The host that was asked for.
        host: String,
        /// The port that was asked for.
        port: u16,
        /// Each address tried and why it failed.
        attempts: Vec<(SocketAddr, tornado_iostream::Error)>,
    },
    /// A deadline passed first (Tornado's `tornado.gen.TimeoutError`).
    Timeout,
    /// A stream operation failed (while setting up a connection's stream).
    Stream(tornado_iostream::Error),
    /// `bind_unix_socket` found something that is not a socket at its path, and refuses
    /// to remove it.
    NotASocket(PathBuf),
    /// The request is valid but cannot be done here (such as `start(num_processes)` with
    /// more than one process before `tornado-process` exists).
    Unsupported(String),
    /// An argument was refused (a malformed address, an unknown option...).
    InvalidArgument(String),
}

impl Error {
    pub(crate) fn io(context: impl Into<String>, source: io::Error) -> Error {
        Error::Io {
            context: context.into(),
            source,
        }
    }

    /// A deadline passed.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout)
    }

    /// A name could not be resolved.
    pub fn is_resolve(&self) -> bool {
        matches!(self, Error::Resolve { .. })
    }

    /// No connection could be made to any of the host's addresses.
    pub fn is_connect(&self) -> bool {
        matches!(self, Error::Connect { .. })
    }

    /// The underlying system error, if there is one: for [`Error::Connect`], that of the
    /// last attempt (the error Tornado raises).
    pub fn io_error(&self) -> Option<&io::Error> {
        match self {
            Error::Io { source, .. } | Error::Resolve { source, .. } => Some(source),
            Error::Connect { attempts, .. } => attempts.last().and_then(|(_, e)| e.io_error()),
            Error::Stream(err) => err.io_error(),
            _ => None,
        }
    }

    /// The kind of the underlying system error, or the kind that fits best.
    pub fn kind(&self) -> io::ErrorKind {
        match self {
            Error::Timeout => io::ErrorKind::TimedOut,
            Error::NotASocket(_) => io::ErrorKind::AlreadyExists,
            Error::Unsupported(_) => io::ErrorKind::Unsupported,
            Error::InvalidArgument(_) => io::ErrorKind::InvalidInput,
            _ => self
                .io_error()
                .map_or(io::ErrorKind::Other, io::Error::kind),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Resolve { host, port, source } => {
                write!(f, "cannot resolve {host:?} (port {port}): {source}")
            }
            Error::Connect {
                host,
                port,
                attempts,
            } => {
                write!(f, "cannot connect to {host:?} port {port}")?;
                if attempts.is_empty() {
                    return f.write_str(": no address to try");
                }
                for (i, (address, err)) in attempts.iter().enumerate() {
                    let sep = if i == 0 { ": " } else { "; " };
                    write!(f, "{sep}{address}: {err}")?;
                }
                Ok(())
            }
            Error::Timeout => f.write_str("Timeout"),
            Error::Stream(err) => err.fmt(f),
            Error::NotASocket(path) => write!(
                f,
                "File {} exists and is not a socket; refusing to remove it",
                path.display()
            ),
            Error::Unsupported(what) | Error::InvalidArgument(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } | Error::Resolve { source, .. } => Some(source),
            Error::Connect { attempts, .. } => attempts
                .last()
                .map(|(_, e)| e as &(dyn std::error::Error + 'static)),
            Error::Stream(err) => Some(err),
            _ => None,
        }
    }
}

impl From<tornado_iostream::Error> for Error {
    fn from(err: tornado_iostream::Error) -> Error {
        Error::Stream(err)
    }
}

impl From<tornado_ioloop::TimeoutError> for Error {
    fn from(_: tornado_ioloop::TimeoutError) -> Error {
        Error::Timeout
    }
}

impl From<Error> for io::Error {
    fn from(err: Error) -> io::Error {
        io::Error::new(err.kind(), err)
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_errors_list_every_attempt_and_expose_the_last() {
        let refused =
            || tornado_iostream::Error::from(io::Error::from(io::ErrorKind::ConnectionRefused));
        let err = Error::Connect {
            host: "localhost".into(),
            port: 8,
            attempts: vec![
                ("[::1]:8".parse().unwrap(), refused()),
                ("127.0.0.1:8".parse().unwrap(), refused()),
            ],
        };
        let text = err.to_string();
        assert!(text.starts_with("cannot connect to \"localhost\" port 8: [::1]:8: "));
        assert!(text.contains("; 127.0.0.1:8: "), "{text}");
        assert_eq!(err.kind(), io::ErrorKind::ConnectionRefused);
        assert!(err.is_connect() && !err.is_timeout());
        assert_eq!(
            io::Error::from(Error::Timeout).kind(),
            io::ErrorKind::TimedOut
        );
    }
}

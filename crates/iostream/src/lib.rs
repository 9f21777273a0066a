//! # tornado-iostream
//!
//! Tornado's `iostream` for Rust: buffered, non-blocking streams over TCP and Unix sockets
//! and pipes, driven by a [`tornado_ioloop::IOLoop`]. An [`IOStream`] offers Tornado's
//! reads — [`read_bytes`](IOStream::read_bytes), [`read_until`](IOStream::read_until),
//! [`read_until_regex`](IOStream::read_until_regex),
//! [`read_until_close`](IOStream::read_until_close), [`read_into`](IOStream::read_into) —
//! as `async` methods, and [`write`](IOStream::write), which queues data at once and
//! returns a future of its delivery to the kernel.
//!
//! ```
//! use std::net::TcpListener;
//! use tornado_ioloop::IOLoop;
//! use tornado_iostream::IOStream;
//!
//! let io_loop = IOLoop::new()?;
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! let address = listener.local_addr()?;
//! let reply = io_loop.run_sync(async move {
//!     let client = IOStream::connect(address).await?;
//!     let (accepted, _) = listener.accept()?;
//!     let server = IOStream::from_tcp(accepted)?;
//!     client.write("ping\r\n");
//!     let request = server.read_until(b"\r\n", Some(1024)).await?;
//!     server.write(format!("pong to {}", String::from_utf8_lossy(&request).trim())).await?;
//!     server.close();
//!     client.read_until_close().await
//! }, None)??;
//! assert_eq!(&reply[..], b"pong to ping");
//! io_loop.close(false)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Memory
//!
//! Every read(2) lands in one scratch buffer per thread; a stream keeps only the bytes
//! that arrived beyond what was asked for. An idle stream owns no read buffer and no write
//! buffer. The read buffer is bounded by `max_buffer_size` (100 MiB by default): a peer
//! cannot make it grow without limit.
//!
//! ## Differences from Tornado
//!
//! - Reads are `async fn`s that start when first polled; dropping a read's future cancels
//!   it without losing data (what was read stays buffered), except for the bytes
//!   [`read_into`](IOStream::read_into) already placed in the caller's buffer.
//! - `close(exc_info)` is [`close`](IOStream::close) and
//!   [`close_with_error`](IOStream::close_with_error); `error` is
//!   [`error()`](IOStream::error).
//! - The close callback is a boxed `FnOnce` set with
//!   [`set_close_callback`](IOStream::set_close_callback).
//! - `PipeIOStream(fd)` is [`IOStream::from_pipe`]; an unconnected `IOStream(socket)` plus
//!   `connect(address)` is [`IOStream::connect`].
//! - `StreamBufferFullError` is two variants: [`Error::ReadBufferFull`] and
//!   [`Error::WriteBufferFull`].
//! - Dropping every handle of an open stream closes it once its queued writes are sent.

mod connect;
mod error;
mod io_traits;
mod read;
mod stream;
#[cfg(feature = "tls")]
mod tls;
mod transport;
mod write;

pub use crate::error::{Error, Result, StreamClosedError, UnsatisfiableReadError};
pub use crate::stream::{IOStream, IOStreamOptions, PipeIOStream};
pub use crate::transport::Transport;
pub use crate::write::WriteFuture;

#[cfg(feature = "tls")]
pub use crate::tls::{
    CertReqs, HandshakeFuture, SSLIOStream, SslConfig, SslOptions, ssl_options_to_client_config,
    ssl_options_to_server_config,
};
/// rustls, whose `ServerConfig` and `ClientConfig` the TLS constructors accept.
#[cfg(feature = "tls")]
pub use rustls;

//! # tornado-iostream
//!
//! Tornado's `iostream` for Rust: buffered, non-blocking streams over TCP and Unix sockets
//! and pipes, driven by a [`tornado_ioloop::IOLoop`]. An [`IOStream`] offers Tornado's
//! reads — [`read_bytes`](IOStream::read_bytes), [`read_until`](IOStream::read_until),
//! [`read_until_regex`](IOStream::read_until_regex),
//! [`read_until_close`](IOStream::read_until_close), [`read_into`](IOStream::read_into) —
//! as `async` methods, and [`write`](IOStream::write), which queues data at once and
//! returns a future of its delivery to the kernel. With the `tls` feature (on by
//! default), the same stream runs over TLS — Tornado's `SSLIOStream` — on rustls with the
//! ring provider: see [TLS](#tls) below.
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
//! ## TLS
//!
//! [`IOStream::connect_tls`] connects and completes a client handshake;
//! [`IOStream::from_tcp_tls_server`] wraps an accepted connection; [`IOStream::start_tls`]
//! upgrades a plain stream in place (`STARTTLS`). Options are Tornado's `ssl_options`
//! as [`SslOptions`] (certfile, keyfile, ca_certs, cert_reqs, plus ALPN and
//! check_hostname), or a ready rustls configuration, through [`SslConfig`];
//! [`ssl_options_to_server_config`] and [`ssl_options_to_client_config`] are netutil's
//! `ssl_options_to_context`. Clients verify the server against the webpki roots and
//! check its name by default, as Tornado 6.2+ does.
//!
//! ```
//! # #[cfg(feature = "tls")] {
//! use std::net::TcpListener;
//! use tornado_ioloop::IOLoop;
//! use tornado_iostream::{IOStream, SslOptions, ssl_options_to_server_config};
//!
//! let data = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/");
//! let server_config = ssl_options_to_server_config(SslOptions::server(
//!     format!("{data}server.crt"),
//!     format!("{data}server.key"),
//! ))?;
//! let io_loop = IOLoop::new()?;
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! let address = listener.local_addr()?;
//! let reply = io_loop.run_sync(async move {
//!     // The server: it accepts once the client below has started connecting.
//!     IOLoop::current().spawn(async move {
//!         let (accepted, _) = listener.accept()?;
//!         let server = IOStream::from_tcp_tls_server(accepted, server_config)?;
//!         let request = server.read_until(b"\n", Some(1024)).await?;
//!         assert_eq!(server.sni_hostname().as_deref(), Some("localhost"));
//!         server.write(format!("pong to {}", String::from_utf8_lossy(&request))).await
//!     });
//!     // The client trusts the test CA; the server's certificate names "localhost".
//!     let options = SslOptions {
//!         ca_certs: Some(format!("{data}ca.crt").into()),
//!         ..SslOptions::default()
//!     };
//!     let client = IOStream::connect_tls(address, Some("localhost"), options).await?;
//!     client.write("ping\n");
//!     client.read_until(b"\n", None).await
//! }, None)??;
//! assert_eq!(&reply[..], b"pong to ping\n");
//! io_loop.close(false)?;
//! # }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The handshake runs in the background from the moment the stream exists; reads and
//! writes made meanwhile wait for it, and [`IOStream::wait_for_handshake`] waits for it
//! explicitly. A failed handshake closes the stream: its [`error`](IOStream::error), and
//! the cause carried by every later [`StreamClosedError`], is an `io::Error` wrapping the
//! rustls error ("invalid peer certificate: UnknownIssuer", "received fatal alert:
//! BadCertificate"...), and it is logged as Tornado does ("SSL Error on 7
//! 127.0.0.1:5555: ..." on `tornado.general`). Closing sends a `close_notify`.
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
//!
//! And for TLS:
//!
//! - `SSLIOStream` is not a subclass: it is [`IOStream`] with a TLS transport
//!   ([`SSLIOStream`] is an alias). [`start_tls`](IOStream::start_tls) converts the
//!   stream in place, so every handle carries over (the close callback too); its future
//!   resolves to the same stream. A refused `start_tls` (a busy stream, bad options) is
//!   an immediate `Err`, as Tornado raises at once.
//! - `ssl_options` dicts are [`SslOptions`]; `SSLContext`s are rustls
//!   `ServerConfig`/`ClientConfig`s. The `ssl_version` and `ciphers` keys do not exist:
//!   rustls offers TLS 1.2 and 1.3 with its own safe suites. `check_hostname` and
//!   `alpn_protocols`, which Python sets on a context, are options here.
//! - A client's default trust store is the webpki roots (Mozilla's list, built in), not
//!   the system's; `ca_certs` replaces it rather than adding to it. `CertReqs::Optional`
//!   on a client means `Required`, as in Python. A server verifying client
//!   certificates needs `ca_certs`.
//! - A client given no `server_hostname` checks the certificate against the peer's IP
//!   address (Python would refuse to connect).
//! - A handshake failure is a [`StreamClosedError`] whose `real_error` is the TLS error
//!   (Python raises `ssl.SSLError` subclasses).
//! - A second concurrent `wait_for_handshake` returns a future that fails with
//!   [`Error::AlreadyWaiting`] rather than raising at the call.
//! - A peer closing without `close_notify` ends the stream cleanly, as Python's
//!   `suppress_ragged_eofs` does; closing sends our `close_notify` (Python just closes
//!   the socket).
//! - The peer's certificate is available in DER form only
//!   ([`get_ssl_certificate`](IOStream::get_ssl_certificate),
//!   [`peer_certificates`](IOStream::peer_certificates)); Python's parsed dict form is
//!   not offered.

mod connect;
mod error;
mod io_traits;
mod read;
mod read_with;
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

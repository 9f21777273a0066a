//! # tornado-tcp
//!
//! Tornado's `netutil`, `tcpserver` and `tcpclient` modules for Rust: listening sockets
//! and name resolution ([`netutil`]), a TCP server that hands each connection to an
//! `async` handler ([`tcpserver::TCPServer`]), and a TCP client that connects the "Happy
//! Eyeballs" way ([`tcpclient::TCPClient`]). Everything runs on a
//! [`tornado_ioloop::IOLoop`] and speaks [`tornado_iostream::IOStream`].
//!
//! ```
//! use tornado_ioloop::IOLoop;
//! use tornado_tcp::tcpclient::TCPClient;
//! use tornado_tcp::tcpserver::TCPServer;
//!
//! let io_loop = IOLoop::new()?;
//! let greeting = io_loop.run_sync(async {
//!     // A server that greets each client and hangs up.
//!     let server = TCPServer::from_fn(|stream, address| async move {
//!         stream.write(format!("hello, {}\n", address.ip().unwrap())).await?;
//!         stream.close();
//!         Ok(())
//!     });
//!     server.listen(0, Some("127.0.0.1"))?;
//!     let port = server.local_addrs()[0].port();
//!
//!     let stream = TCPClient::new().connect("127.0.0.1", port).await?;
//!     let greeting = stream.read_until_close().await?;
//!     server.stop();
//!     Ok::<_, Box<dyn std::error::Error>>(greeting)
//! }, None)??;
//! assert_eq!(&greeting[..], b"hello, 127.0.0.1\n");
//! io_loop.close(false)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The accept path
//!
//! A listener accepts up to 128 connections per readiness event, each with one
//! `accept4` call that makes it non-blocking and close-on-exec; a connection costs its
//! stream and one task, nothing more. When the process runs out of descriptors the
//! listener pauses for 100 ms instead of spinning (logged once per burst). For one loop
//! per thread, bind with [`netutil::BindOptions::reuse_port`] in each thread.
//!
//! ## Differences from Tornado
//!
//! - `TCPServer` is not subclassed: `handle_stream` is the one method of the
//!   [`tcpserver::StreamHandler`] trait (or a closure, [`tcpserver::TCPServer::from_fn`]).
//!   It returns a `Result`; an error or a panic is logged as "Error in connection
//!   callback". Each connection runs as a task; accepting never waits for it.
//! - Keyword arguments are option structs with Tornado's defaults:
//!   [`netutil::BindOptions`] (`family`, `backlog`, `flags`, `reuse_port`),
//!   [`tcpserver::TCPServerOptions`], [`tcpclient::ConnectOptions`].
//! - `TCPServerOptions::max_connections` is new: at the limit the server stops accepting
//!   and connections wait in the listen backlog.
//! - `start(num_processes)` accepts only 1 until `tornado-process` provides
//!   `fork_processes`; other values return [`Error::Unsupported`]. `max_restarts` is not
//!   taken.
//! - Sockets are [`netutil::Listener`]s (any `std` or `socket2` listener converts into
//!   one). A peer's address is a [`netutil::Address`]: a `SocketAddr`, or a Unix-socket
//!   address where Tornado passes `""`.
//! - [`netutil::listen_fds`] (systemd socket activation) is new.
//! - `Resolver.resolve` gives `SocketAddr`s (their variant is the family) rather than
//!   `(family, address)` pairs. `Resolver` is a trait; `<dyn Resolver>::new()` builds
//!   the configured implementation ([`tornado_util::Configurable`]), by Tornado's class
//!   names. `DefaultLoopResolver` is the same as `DefaultExecutorResolver` (there is no
//!   asyncio), and it is the default. `CaresResolver` is not provided.
//! - `TCPClient.connect` fails with [`Error::Connect`], which lists every address tried
//!   and its error, where Tornado raises the last error alone.
//! - `add_accept_handler` returns an [`netutil::AcceptHandler`] whose `remove_handler`
//!   is Tornado's returned callable; it can also pause and resume accepting.
//! - Accepting pauses on `EMFILE`/`ENFILE` (Tornado logs the error on every iteration
//!   of the loop).
//! - TLS is rustls (through tornado-iostream), behind the `tls` feature (on by default):
//!   `ssl_options` is an
//!   [`netutil::SslOptions`] (Tornado's dict) or a ready rustls configuration (Tornado's
//!   `SSLContext`), checked when the server is made. A server completes each handshake
//!   before calling `handle_stream` (Tornado may call it during the handshake).
//!   `ssl_wrap_socket` is not provided: `IOStream::start_tls` does that job.

#![forbid(unsafe_code)]

mod error;
pub mod netutil;
pub mod tcpclient;
pub mod tcpserver;

pub use crate::error::{Error, Result};

//! # tornado-httpserver
//!
//! Tornado's `httpserver` for Rust: [`HTTPServer`], a [`TCPServer`](tornado_tcp::tcpserver::TCPServer)
//! whose connections speak HTTP/1.x (through [`tornado_http1`]) to a delegate — a web
//! `Application`, anything implementing
//! [`HTTPServerConnectionDelegate`](tornado_httputil::HTTPServerConnectionDelegate) — or to
//! a plain request callback ([`HTTPServer::from_fn`]).
//!
//! Beyond what Tornado's constructor takes ([`HTTPServerOptions`]: keep-alive, `xheaders`
//! with `trusted_downstream`, TLS, `protocol`, gzip request bodies, size limits and
//! timeouts), a server can [`shutdown`](HTTPServer::shutdown) gracefully: it stops
//! accepting, closes idle keep-alive connections at once, lets requests in flight finish
//! with `Connection: close`, and closes the rest when the grace period ends.
//!
//! A panic in the delegate (or a delegate that drops a request without answering) becomes
//! a `500 Internal Server Error` for that request alone; the server and its other
//! connections carry on. A delegate that needs the raw connection for a protocol upgrade
//! (WebSockets) takes it with `HTTP1Connection::detach`, reached through
//! `connection.as_any()`.
//!
//! ## Differences from Tornado
//!
//! - The request callback of [`HTTPServer::from_fn`] answers through
//!   `request.connection`, as in Tornado; [`respond`] writes a whole response. A body
//!   whose arguments cannot be parsed is answered `400` (Tornado closes the connection
//!   and logs an uncaught exception).
//! - `trusted_downstream` takes CIDR ranges as well as addresses, and with `xheaders` the
//!   RFC 7239 `Forwarded` header is read when the `X-` headers are absent.
//! - `HTTPServer` is not a `Configurable`: a program chooses its delegate when it builds
//!   the server. `start(num_processes)` serves one process until `tornado-process` exists.
//! - [`shutdown`](HTTPServer::shutdown) and `max_connections` are new.

#![forbid(unsafe_code)]

mod callable;
mod error;
mod server;
mod xheaders;

pub use crate::callable::{
    AsyncCallback, CallableAdapter, CallableMessage, RequestCallback, SyncCallback, respond,
};
pub use crate::error::{Error, Result};
pub use crate::server::{HTTPServer, HTTPServerOptions, HTTPStreamHandler, ServerMessage};
pub use crate::xheaders::{ProxyMessage, TrustedProxy};
/// Tornado's `httpserver.HTTPRequest`, an alias of `httputil.HTTPServerRequest`.
pub type HTTPRequest = tornado_httputil::HTTPServerRequest;

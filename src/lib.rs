//! # tornado
//!
//! The umbrella crate of tornado-rs: every module of Python Tornado, re-exported under the
//! name a Tornado user knows (`tornado::ioloop`, `tornado::locks`, `tornado::web`, ...).
//! Each module is its own crate in `crates/`; this one only gathers them. The crate map and
//! what works today are in the README.
//!
//! ## Features
//!
//! - `tls` (on by default): TLS streams, servers and clients (Tornado's `SSLIOStream` and
//!   `ssl_options`), with rustls on the ring provider; it turns on the `tls` features of
//!   `tornado-iostream`, `tornado-tcp` and `tornado-httpserver`. With
//!   `default-features = false` rustls is not compiled at all.

pub use tornado_escape as escape;
pub use tornado_http1 as http1;
pub use tornado_httpserver as httpserver;
pub use tornado_httputil as httputil;
pub use tornado_ioloop as ioloop;
/// Tornado's `tornado.gen` (`gen` is a reserved word in Rust 2024).
pub use tornado_ioloop::r#gen;
pub use tornado_ioloop::{concurrent, locks, queues};
pub use tornado_iostream as iostream;
pub use tornado_locale as locale;
pub use tornado_log as log;
pub use tornado_options as options;
pub use tornado_tcp as tcp;
/// Tornado's `tornado.netutil`, `tornado.tcpserver` and `tornado.tcpclient`.
pub use tornado_tcp::{netutil, tcpclient, tcpserver};
pub use tornado_template as template;
pub use tornado_util as util;

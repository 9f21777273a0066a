//! # tornado-http1
//!
//! Tornado's `http1connection` for Rust: HTTP/1.x on an [`IOStream`](tornado_iostream::IOStream).
//!
//! The crate has two halves. [`framing`] is the protocol without I/O — where a head ends,
//! what it says, how a body is delimited (`Content-Length`, chunked), whether the
//! connection stays open, how a response is encoded — tested and fuzzed on byte slices
//! (the cargo-fuzz targets are in the crate's `fuzz/` folder).
//! [`HTTP1ServerConnection`] is the loop that moves bytes between a stream and those
//! functions, handing each request to an
//! [`HTTPServerConnectionDelegate`](tornado_httputil::HTTPServerConnectionDelegate) and
//! writing its answer through an [`HTTP1Connection`].
//!
//! ```
//! use std::rc::Rc;
//! use bytes::Bytes;
//! use tornado_httputil::{
//!     HTTPConnection, HTTPHeaders, HTTPMessageDelegate, HTTPServerConnectionDelegate,
//!     ResponseStartLine, ServerConnection, StartLine, HTTPVersion,
//! };
//! use tornado_http1::{HTTP1ConnectionParameters, HTTP1ServerConnection};
//! use tornado_ioloop::IOLoop;
//! use tornado_iostream::IOStream;
//!
//! /// Answers every request with its path.
//! struct Echo;
//! struct EchoRequest(Rc<dyn HTTPConnection>, String);
//!
//! impl HTTPServerConnectionDelegate for Echo {
//!     type Message = EchoRequest;
//!     fn start_request(&self, _: &ServerConnection, connection: Rc<dyn HTTPConnection>) -> EchoRequest {
//!         EchoRequest(connection, String::new())
//!     }
//! }
//!
//! impl HTTPMessageDelegate for EchoRequest {
//!     async fn headers_received(&mut self, start_line: StartLine, _: HTTPHeaders) {
//!         if let StartLine::Request(line) = start_line {
//!             self.1 = line.path;
//!         }
//!     }
//!     async fn data_received(&mut self, _: Bytes) {}
//!     fn finish(&mut self) {
//!         let mut headers = HTTPHeaders::new();
//!         headers.add("Content-Length", &self.1.len().to_string()).unwrap();
//!         let status = ResponseStartLine { version: HTTPVersion::HTTP_11, code: 200, reason: "OK".into() };
//!         let body = Bytes::from(self.1.clone());
//!         self.0.write_headers(&StartLine::Response(status), &headers, Some(body)).unwrap();
//!         self.0.finish().unwrap();
//!     }
//!     fn on_connection_close(&mut self) {}
//! }
//!
//! let io_loop = IOLoop::new()?;
//! let answer = io_loop.run_sync(async {
//!     let (server, client) = std::os::unix::net::UnixStream::pair()?;
//!     let server = IOStream::from_unix(server)?;
//!     let client = IOStream::from_unix(client)?;
//!     HTTP1ServerConnection::new(server, Rc::new(HTTP1ConnectionParameters::default()), Default::default())
//!         .start_serving(Rc::new(Echo));
//!     client.write("GET /hello HTTP/1.0\r\n\r\n");
//!     client.read_until_close().await
//! }, None)??;
//! assert_eq!(&answer[..], b"HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n/hello");
//! io_loop.close(false)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Answers to bad input
//!
//! A malformed request (start line, header, `Host`, `Content-Length`,
//! `Transfer-Encoding`, chunk framing) is answered with exactly
//! `HTTP/1.1 400 Bad Request\r\n\r\n` and the connection closes; a head that does not end
//! within `max_header_size`, or a chunk-size line over 64 bytes, closes the connection
//! without an answer; a head that does not come within `header_timeout` closes it too.
//! The malformed message is logged at INFO on `tornado.general`, as Tornado does.
//!
//! ## Differences from Tornado
//!
//! - A body larger than `max_body_size` (declared, chunked, or once decompressed) is
//!   answered `413 Payload Too Large` (raw, then closed) where Tornado answers 400.
//! - A chunk whose data is not followed by CRLF, and a corrupt gzip body (with
//!   `decompress`), are answered 400 where Tornado fails an assertion or a zlib call and
//!   closes without an answer.
//! - `TCP_NODELAY` is set once per connection (every answer goes out in one write)
//!   instead of being switched on and off around each response.
//! - A delegate that panics, or drops its connection without finishing the answer, gets
//!   `500 Internal Server Error` sent for it (if no headers were written) and the
//!   connection closes; Tornado logs "Uncaught exception" and closes.
//! - The `Host` header and the framing headers are checked before `headers_received`;
//!   the body size limit (which the delegate may change) after it.
//! - An `HTTP1Connection` kept after its request is over (the connection went on to the
//!   next request) fails its writes with an `HTTPOutputError`; Tornado's would write
//!   into the stream, in the middle of the next answer.
//! - [`write_response`](tornado_httputil::HTTPConnection::write_response) (a whole
//!   answer at once, which `tornado-httpserver`'s `respond` uses) adds `Content-Length`
//!   and `Date` as a Tornado `RequestHandler` adds them; `write_headers` adds neither,
//!   as in Tornado.
//! - The clocks are read once per loop iteration ([`tornado_ioloop::clock`]), as nginx
//!   reads them once per event-loop turn: the requests taken up in one iteration (a
//!   pipelined batch, or many keep-alive connections that became readable together)
//!   share their [`start_time`](tornado_httputil::HTTPConnection::start_time), their
//!   `Date` second and the start of their idle timeout. Tornado reads `time.time()`
//!   for each. An answer written after a wait is in a later iteration and so reads
//!   the clocks afresh.

#![forbid(unsafe_code)]

mod connection;
pub mod date;
pub mod framing;
mod gzip;
mod params;
mod server;

pub use crate::connection::HTTP1Connection;
pub use crate::params::HTTP1ConnectionParameters;
pub use crate::server::{ConnectionHandle, HTTP1ServerConnection};

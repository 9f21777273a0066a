//! The interfaces between an HTTP connection and what handles its messages: Tornado's
//! `HTTPServerConnectionDelegate`, `HTTPMessageDelegate` and `HTTPConnection`.
//!
//! The HTTP/1 code (`tornado-http1`) implements [`HTTPConnection`] and drives the two
//! delegates; the web framework implements the delegates. As in Tornado, a connection
//! asks its [`HTTPServerConnectionDelegate`] for an [`HTTPMessageDelegate`] per request,
//! hands it the start line and headers, the body in pieces, and then `finish`; the
//! message delegate (or whatever it starts) answers through the request's
//! [`HTTPConnection`].

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::error::Result;
use crate::headers::HTTPHeaders;
use crate::start_line::{RequestStartLine, ResponseStartLine};

/// The first line of a message: a request's (on a server) or a response's (on a client).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StartLine {
    /// `GET /path HTTP/1.1`
    Request(RequestStartLine),
    /// `HTTP/1.1 200 OK`
    Response(ResponseStartLine),
}

/// What a server knows about the connection a request arrived on (Tornado's
/// `_HTTPRequestContext`, `connection.context`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ConnectionContext {
    /// The peer's address: an IP for TCP, `"0.0.0.0"` for a Unix socket (Tornado's
    /// `request.remote_ip`; the server's `xheaders` may replace it per request).
    pub remote_ip: Rc<str>,
    /// `"http"` or `"https"` (borrowed, so that copying it into each request costs
    /// nothing).
    pub protocol: Cow<'static, str>,
    /// The peer's socket address, for TCP.
    pub address: Option<SocketAddr>,
}

impl fmt::Display for ConnectionContext {
    /// The peer as log lines name it ("Malformed HTTP message from 10.0.0.1: ...").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.remote_ip)
    }
}

/// A future returned by an [`HTTPConnection`] (which must be usable as a trait object).
pub type ConnectionFuture = Pin<Box<dyn Future<Output = Result<()>>>>;

/// The writing side of one HTTP message exchange (Tornado's `HTTPConnection`): on a
/// server, where the response to a request goes.
///
/// Writes are queued at once and sent as soon as the connection can; [`flush`] gives a
/// future that resolves once everything written so far has reached the kernel. Writing
/// after the connection closed is an error of kind [`crate::ErrorKind::StreamClosed`].
///
/// [`flush`]: HTTPConnection::flush
pub trait HTTPConnection {
    /// Writes the start line and headers, and optionally the first piece of the body.
    /// On a server the HTTP/1 code adds what the protocol needs (`Content-Length` or
    /// chunked framing, `Connection`, `Date`) as Tornado does.
    fn write_headers(
        &self,
        start_line: &StartLine,
        headers: &HTTPHeaders,
        chunk: Option<Bytes>,
    ) -> Result<()>;

    /// Writes a whole response at once and finishes it: [`write_headers`] with `body`
    /// as its only piece, then [`finish`], adding what a Tornado `RequestHandler` adds
    /// when it finishes: `Content-Length` (the body's length) unless `headers` declare
    /// one or the status is 1xx, 204 or 304, and `Date` (now) unless `headers` carry one.
    ///
    /// The HTTP/1 connection writes the added headers straight into its output, and
    /// answers a HEAD request with the `Content-Length` of `body` but not the body; this
    /// provided version copies `headers` to add them.
    ///
    /// [`write_headers`]: HTTPConnection::write_headers
    /// [`finish`]: HTTPConnection::finish
    fn write_response(
        &self,
        start_line: &ResponseStartLine,
        headers: &HTTPHeaders,
        body: Bytes,
    ) -> Result<()> {
        let code = start_line.code;
        let bodiless = code == 204 || code == 304 || (100..200).contains(&code);
        let mut headers = headers.clone();
        if !bodiless && !headers.contains("Content-Length") {
            headers.add("Content-Length", &body.len().to_string())?;
        }
        if !headers.contains("Date") {
            headers.add(
                "Date",
                &crate::format_timestamp(std::time::SystemTime::now()),
            )?;
        }
        self.write_headers(
            &StartLine::Response(start_line.clone()),
            &headers,
            Some(body),
        )?;
        self.finish()
    }

    /// Writes a piece of the body.
    fn write(&self, chunk: Bytes) -> Result<()>;

    /// Ends the message. Writing less than a declared `Content-Length` is an
    /// `HTTPOutputError` (and the connection closes).
    fn finish(&self) -> Result<()>;

    /// Resolves when everything written so far has been handed to the kernel.
    fn flush(&self) -> ConnectionFuture;

    /// Runs `callback` if the connection closes before the message is finished (the
    /// client went away while the application was producing its answer). `None`
    /// removes it.
    fn set_close_callback(&self, callback: Option<Box<dyn FnOnce()>>);

    /// What the server knows about the connection.
    fn context(&self) -> &ConnectionContext;

    /// When the request arrived, for [`crate::HTTPServerRequest::request_time`]: now,
    /// unless the connection knows better (the HTTP/1 server reads the clock once per
    /// loop iteration, for all the requests that came in together).
    fn start_time(&self) -> Instant {
        Instant::now()
    }

    /// Changes the body size limit for this request only (Tornado's
    /// `set_max_body_size`); only meaningful before the body is read.
    fn set_max_body_size(&self, max_body_size: usize);

    /// Changes the body timeout for this request only (Tornado's `set_body_timeout`).
    fn set_body_timeout(&self, timeout: Option<Duration>);

    /// The connection as `Any`, to reach what a particular implementation offers (the
    /// HTTP/1 connection's `detach`, for WebSockets).
    fn as_any(&self) -> &dyn Any;
}

/// Receives one HTTP message as it is read (Tornado's `HTTPMessageDelegate`).
///
/// After [`headers_received`](Self::headers_received), exactly one of
/// [`finish`](Self::finish) (the whole message was read) and
/// [`on_connection_close`](Self::on_connection_close) (the connection closed first) is
/// called. The `async` methods let a delegate hold back reading (flow control): the
/// connection waits for each future before reading on.
pub trait HTTPMessageDelegate {
    /// The start line and headers have been read.
    fn headers_received(
        &mut self,
        start_line: StartLine,
        headers: HTTPHeaders,
    ) -> impl Future<Output = ()>;

    /// A piece of the body has been read.
    fn data_received(&mut self, chunk: Bytes) -> impl Future<Output = ()>;

    /// The whole message has been read.
    fn finish(&mut self);

    /// The connection closed before the message was complete.
    fn on_connection_close(&mut self);
}

/// Makes an [`HTTPMessageDelegate`] for each request of a server's connections
/// (Tornado's `HTTPServerConnectionDelegate`: an `HTTPServer`'s `request_callback`,
/// usually the web `Application`).
pub trait HTTPServerConnectionDelegate {
    /// The delegate of one request.
    type Message: HTTPMessageDelegate;

    /// A new request arrived on `connection`; returns its delegate. `request_connection`
    /// is where its response goes.
    fn start_request(
        &self,
        connection: &ServerConnection,
        request_connection: Rc<dyn HTTPConnection>,
    ) -> Self::Message;

    /// The connection closed.
    fn on_close(&self, _connection: &ServerConnection) {}
}

/// Identifies one server connection to an [`HTTPServerConnectionDelegate`] (Tornado
/// passes the `HTTP1ServerConnection` object itself).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerConnection {
    /// Unique among the connections of one process.
    pub id: u64,
    /// What the server knows about the connection.
    pub context: ConnectionContext,
}

#[cfg(test)]
mod tests {
    use std::cell::RefCell;

    use super::*;
    use crate::HTTPVersion;

    /// A written head: the code, the header pairs, the body piece.
    type Head = (u16, Vec<(String, String)>, Option<Bytes>);

    /// Records what is written to it.
    #[derive(Default)]
    struct Recorder {
        context: ConnectionContext,
        heads: RefCell<Vec<Head>>,
        finished: RefCell<u32>,
    }

    impl HTTPConnection for Recorder {
        fn write_headers(
            &self,
            start_line: &StartLine,
            headers: &HTTPHeaders,
            chunk: Option<Bytes>,
        ) -> Result<()> {
            let StartLine::Response(line) = start_line else {
                panic!("a response");
            };
            let pairs = headers
                .get_all()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect();
            self.heads.borrow_mut().push((line.code, pairs, chunk));
            Ok(())
        }
        fn write(&self, _: Bytes) -> Result<()> {
            Ok(())
        }
        fn finish(&self) -> Result<()> {
            *self.finished.borrow_mut() += 1;
            Ok(())
        }
        fn flush(&self) -> ConnectionFuture {
            Box::pin(async { Ok(()) })
        }
        fn set_close_callback(&self, _: Option<Box<dyn FnOnce()>>) {}
        fn context(&self) -> &ConnectionContext {
            &self.context
        }
        fn set_max_body_size(&self, _: usize) {}
        fn set_body_timeout(&self, _: Option<Duration>) {}
        fn as_any(&self) -> &dyn Any {
            self
        }
    }

    fn line(code: u16) -> ResponseStartLine {
        ResponseStartLine {
            version: HTTPVersion::HTTP_11,
            code,
            reason: "".into(),
        }
    }

    /// The provided `write_response` adds `Content-Length` and `Date` to a copy of the
    /// headers, as the HTTP/1 connection does in its output.
    #[test]
    fn provided_write_response_adds_length_and_date() {
        let recorder = Recorder::default();
        let mut headers = HTTPHeaders::new();
        headers.add("Server", "test").unwrap();
        recorder
            .write_response(&line(200), &headers, Bytes::from_static(b"hello"))
            .unwrap();
        recorder
            .write_response(&line(204), &headers, Bytes::new())
            .unwrap();
        headers.add("Content-Length", "9").unwrap();
        headers.add("Date", "then").unwrap();
        recorder
            .write_response(&line(200), &headers, Bytes::from_static(b"hello"))
            .unwrap();
        let heads = recorder.heads.borrow();
        let names = |i: usize| {
            heads[i]
                .1
                .iter()
                .map(|(n, _)| n.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(names(0), ["Server", "Content-Length", "Date"]);
        assert_eq!(heads[0].1[1].1, "5");
        assert!(heads[0].1[2].1.ends_with(" GMT"));
        assert_eq!(heads[0].2.as_deref(), Some(&b"hello"[..]));
        assert_eq!(names(1), ["Server", "Date"]);
        assert_eq!(
            heads[2].1,
            [
                ("Server", "test"),
                ("Content-Length", "9"),
                ("Date", "then")
            ]
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
        assert_eq!(*recorder.finished.borrow(), 3);
        // The caller's headers are untouched.
        assert_eq!(headers.len(), 3);
    }
}

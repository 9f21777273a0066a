//! A test server for tornado-http1: an accept loop on 127.0.0.1 handing each connection to
//! an `HTTP1ServerConnection`, a delegate that buffers the body and calls a closure, and a
//! blocking raw-socket client run off the loop.

#![allow(dead_code)]

use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::rc::Rc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use tornado_http1::{HTTP1ConnectionParameters, HTTP1ServerConnection};
use tornado_httputil::{
    ConnectionContext, HTTPConnection, HTTPHeaders, HTTPMessageDelegate,
    HTTPServerConnectionDelegate, HTTPVersion, RequestStartLine, ResponseStartLine,
    ServerConnection, StartLine,
};
use tornado_ioloop::{Events, IOLoop, Registration};
use tornado_iostream::IOStream;

pub const LIMIT: Duration = Duration::from_secs(10);

/// A request as the test delegate saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub start_line: RequestStartLine,
    pub headers: HTTPHeaders,
    pub body: Vec<u8>,
    /// The size of each `data_received` piece.
    pub pieces: Vec<usize>,
}

type Respond = dyn Fn(&Seen, &Rc<dyn HTTPConnection>);
type HeadersHook = Rc<dyn Fn(&RequestStartLine, &Rc<dyn HTTPConnection>)>;

/// Buffers each request and calls `respond` at `finish`.
pub struct Callback {
    respond: Rc<Respond>,
    /// Called in `headers_received` (to change limits per request).
    on_headers: Option<HeadersHook>,
    pub log: Rc<RefCell<Vec<String>>>,
}

impl Callback {
    pub fn new(respond: impl Fn(&Seen, &Rc<dyn HTTPConnection>) + 'static) -> Rc<Callback> {
        Rc::new(Callback {
            respond: Rc::new(respond),
            on_headers: None,
            log: Rc::new(RefCell::new(Vec::new())),
        })
    }

    pub fn with_headers_hook(
        respond: impl Fn(&Seen, &Rc<dyn HTTPConnection>) + 'static,
        hook: impl Fn(&RequestStartLine, &Rc<dyn HTTPConnection>) + 'static,
    ) -> Rc<Callback> {
        Rc::new(Callback {
            respond: Rc::new(respond),
            on_headers: Some(Rc::new(hook)),
            log: Rc::new(RefCell::new(Vec::new())),
        })
    }
}

pub struct CallbackMessage {
    connection: Rc<dyn HTTPConnection>,
    respond: Rc<Respond>,
    on_headers: Option<HeadersHook>,
    log: Rc<RefCell<Vec<String>>>,
    seen: Option<Seen>,
}

impl HTTPServerConnectionDelegate for Callback {
    type Message = CallbackMessage;

    fn start_request(
        &self,
        _: &ServerConnection,
        connection: Rc<dyn HTTPConnection>,
    ) -> CallbackMessage {
        CallbackMessage {
            connection,
            respond: self.respond.clone(),
            on_headers: self.on_headers.clone(),
            log: self.log.clone(),
            seen: None,
        }
    }

    fn on_close(&self, _: &ServerConnection) {
        self.log.borrow_mut().push("on_close".into());
    }
}

impl HTTPMessageDelegate for CallbackMessage {
    async fn headers_received(&mut self, start_line: StartLine, headers: HTTPHeaders) {
        let StartLine::Request(start_line) = start_line else {
            panic!("a server gets requests");
        };
        self.log
            .borrow_mut()
            .push(format!("headers {}", start_line.path));
        if let Some(hook) = &self.on_headers {
            hook(&start_line, &self.connection);
        }
        self.seen = Some(Seen {
            start_line,
            headers,
            body: Vec::new(),
            pieces: Vec::new(),
        });
    }

    async fn data_received(&mut self, chunk: Bytes) {
        if let Some(seen) = self.seen.as_mut() {
            seen.pieces.push(chunk.len());
            seen.body.extend_from_slice(&chunk);
        }
    }

    fn finish(&mut self) {
        self.log.borrow_mut().push("finish".into());
        if let Some(seen) = &self.seen {
            (self.respond)(seen, &self.connection);
        }
    }

    fn on_connection_close(&mut self) {
        self.log.borrow_mut().push("on_connection_close".into());
    }
}

/// Writes a complete response with a Content-Length.
pub fn respond(connection: &Rc<dyn HTTPConnection>, code: u16, body: &[u8]) {
    let mut headers = HTTPHeaders::new();
    headers
        .add("Content-Length", &body.len().to_string())
        .unwrap();
    let status = ResponseStartLine {
        version: HTTPVersion::HTTP_11,
        code,
        reason: tornado_httputil::responses(code)
            .unwrap_or("Unknown")
            .into(),
    };
    connection
        .write_headers(
            &StartLine::Response(status),
            &headers,
            Some(Bytes::copy_from_slice(body)),
        )
        .unwrap();
    connection.finish().unwrap();
}

/// "ok" with Content-Length 2, as the Python oracle's callback answers.
pub fn ok(_: &Seen, connection: &Rc<dyn HTTPConnection>) {
    let mut headers = HTTPHeaders::new();
    headers.add("Content-Length", "2").unwrap();
    let status = ResponseStartLine {
        version: HTTPVersion::HTTP_11,
        code: 200,
        reason: "OK".into(),
    };
    let _ = connection.write_headers(
        &StartLine::Response(status),
        &headers,
        Some(Bytes::from_static(b"ok")),
    );
    let _ = connection.finish();
}

/// Starts accepting on 127.0.0.1 (on the current loop); returns the address.
pub fn serve<D: HTTPServerConnectionDelegate + 'static>(
    delegate: Rc<D>,
    params: HTTP1ConnectionParameters,
) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap();
    let params = Rc::new(params);
    let io_loop = IOLoop::current();
    io_loop.spawn_callback(async move {
        let registration = Registration::new(&IOLoop::current(), listener.as_raw_fd()).unwrap();
        loop {
            match listener.accept() {
                Ok((socket, peer)) => {
                    let stream = IOStream::from_tcp(socket).unwrap();
                    let context = ConnectionContext {
                        remote_ip: peer.ip().to_string().into(),
                        protocol: "http".into(),
                        address: Some(peer),
                    };
                    HTTP1ServerConnection::new(stream, params.clone(), context)
                        .start_serving(delegate.clone());
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    registration.clear_ready(Events::READ);
                    registration.readable().await.unwrap();
                }
                Err(e) => panic!("accept: {e}"),
            }
        }
    });
    address
}

/// How a raw exchange ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    /// The server closed the connection.
    Closed,
    /// The server said nothing more for `quiet` and kept the connection open.
    Open,
}

/// Sends `request` on a fresh connection and reads until the server closes or stays
/// quiet for `quiet`. Blocking: run it with `run_in_executor`.
pub fn raw_exchange(address: SocketAddr, request: &[u8], quiet: Duration) -> (Vec<u8>, End) {
    let mut socket = TcpStream::connect(address).unwrap();
    socket.write_all(request).unwrap();
    socket.set_read_timeout(Some(quiet)).unwrap();
    let mut received = Vec::new();
    let mut buffer = [0u8; 65536];
    loop {
        match socket.read(&mut buffer) {
            Ok(0) => return (received, End::Closed),
            Ok(n) => received.extend_from_slice(&buffer[..n]),
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return (received, End::Open);
            }
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return (received, End::Closed);
            }
            Err(e) => panic!("read: {e}"),
        }
    }
}

/// `raw_exchange` off the loop.
pub async fn exchange(
    address: SocketAddr,
    request: impl Into<Vec<u8>>,
    quiet: Duration,
) -> (Vec<u8>, End) {
    let request = request.into();
    IOLoop::current()
        .run_in_executor(move || raw_exchange(address, &request, quiet))
        .await
        .unwrap()
}

/// Runs a test body on a fresh loop, bounded by [`LIMIT`].
pub fn run<F: std::future::Future + 'static>(future: F) -> F::Output {
    let io_loop = IOLoop::new().expect("create the IOLoop");
    let output = io_loop
        .run_sync(future, Some(LIMIT))
        .expect("finishes in time");
    io_loop.close(false).unwrap();
    output
}

/// A `Bytes` buffer of `n` repeated bytes.
pub fn filler(n: usize) -> Bytes {
    let mut b = BytesMut::with_capacity(n);
    b.resize(n, b'x');
    b.freeze()
}

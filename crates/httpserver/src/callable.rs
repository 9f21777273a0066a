//! A plain request callback as a server delegate (Tornado's `_CallableAdapter`).

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::rc::Rc;
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use tornado_httputil::{
    HTTPConnection, HTTPHeaders, HTTPMessageDelegate, HTTPServerConnectionDelegate,
    HTTPServerRequest, HTTPVersion, RequestStartLine, ResponseStartLine, ServerConnection,
    StartLine,
};
use tornado_ioloop::IOLoop;

/// What a request callback is: called with the whole request once its body has been
/// read; it answers through `request.connection` (see [`respond`]).
pub trait RequestCallback: 'static {
    /// Handles one request.
    fn call(&self, request: HTTPServerRequest);
}

/// A synchronous callback, `Fn(HTTPServerRequest)`.
pub struct SyncCallback<F>(pub F);

impl<F: Fn(HTTPServerRequest) + 'static> RequestCallback for SyncCallback<F> {
    fn call(&self, request: HTTPServerRequest) {
        (self.0)(request);
    }
}

/// An `async` callback: its future runs as a task of the loop.
pub struct AsyncCallback<F>(pub F);

impl<F, Fut> RequestCallback for AsyncCallback<F>
where
    F: Fn(HTTPServerRequest) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    fn call(&self, request: HTTPServerRequest) {
        IOLoop::current().spawn_callback((self.0)(request));
    }
}

impl<F> fmt::Debug for SyncCallback<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SyncCallback")
    }
}

impl<F> fmt::Debug for AsyncCallback<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AsyncCallback")
    }
}

/// The delegate that turns a [`RequestCallback`] into an
/// [`HTTPServerConnectionDelegate`]: it gathers each request and its body, parses the
/// body's arguments, and calls the callback.
pub struct CallableAdapter<C> {
    callback: Rc<C>,
}

impl<C: RequestCallback> CallableAdapter<C> {
    /// Wraps `callback`.
    pub fn new(callback: C) -> Self {
        CallableAdapter {
            callback: Rc::new(callback),
        }
    }
}

impl<C> fmt::Debug for CallableAdapter<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CallableAdapter")
    }
}

impl<C: RequestCallback> HTTPServerConnectionDelegate for CallableAdapter<C> {
    type Message = CallableMessage<C>;

    fn start_request(
        &self,
        _: &ServerConnection,
        connection: Rc<dyn HTTPConnection>,
    ) -> CallableMessage<C> {
        CallableMessage {
            callback: self.callback.clone(),
            connection,
            head: None,
            body: BytesMut::new(),
        }
    }
}

/// One request being gathered for a [`RequestCallback`].
///
/// The `HTTPServerRequest` is built once the body is complete, from the head kept
/// until then (a message stays small while the server moves it around); its
/// `request_time` still counts from the arrival of the head.
pub struct CallableMessage<C> {
    callback: Rc<C>,
    connection: Rc<dyn HTTPConnection>,
    head: Option<(RequestStartLine, HTTPHeaders, Instant)>,
    body: BytesMut,
}

impl<C> fmt::Debug for CallableMessage<C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CallableMessage")
            .field("start_line", &self.head.as_ref().map(|head| &head.0))
            .finish_non_exhaustive()
    }
}

impl<C: RequestCallback> HTTPMessageDelegate for CallableMessage<C> {
    async fn headers_received(&mut self, start_line: StartLine, headers: HTTPHeaders) {
        if let StartLine::Request(start_line) = start_line {
            self.head = Some((start_line, headers, self.connection.start_time()));
        }
    }

    async fn data_received(&mut self, chunk: Bytes) {
        self.body.extend_from_slice(&chunk);
    }

    fn finish(&mut self) {
        // The HTTP/1 code has checked the Host header already; a request that fails
        // here came from some other connection type.
        let Some((start_line, headers, start)) = self.head.take() else {
            respond_raw(&self.connection, 400, b"");
            return;
        };
        let Ok(mut request) = HTTPServerRequest::from_start_line_at(start_line, headers, start)
        else {
            respond_raw(&self.connection, 400, b"");
            return;
        };
        let context = self.connection.context();
        request.remote_ip = Some(context.remote_ip.clone());
        request.protocol = match &context.protocol {
            // The usual case: no copy, and no call.
            Cow::Borrowed(protocol) => Cow::Borrowed(protocol),
            Cow::Owned(protocol) => Cow::Owned(protocol.clone()),
        };
        request.connection = Some(self.connection.clone());
        request.body = std::mem::take(&mut self.body).freeze();
        // Without a body and a Content-Type (a GET) the parser has nothing to do.
        let plain = request.body.is_empty() && request.headers.get("Content-Type").is_none();
        if !plain && let Err(error) = request.parse_body() {
            // Tornado logs this once, with the request, and answers 400.
            log::warn!(target: "tornado.general", "Invalid body from {}: {error}", self.connection.context());
            respond_raw(&self.connection, 400, b"");
            return;
        }
        // One call site: the request is moved once.
        self.callback.call(request);
    }

    fn on_connection_close(&mut self) {
        self.head = None;
        self.body = BytesMut::new();
    }
}

fn respond_raw(connection: &Rc<dyn HTTPConnection>, code: u16, body: &'static [u8]) {
    let _ = respond(
        connection,
        code,
        &HTTPHeaders::new(),
        Bytes::from_static(body),
    );
}

/// Writes a whole response — status line, `headers`, `body` — and finishes it: the usual
/// end of a request callback. The reason phrase is the standard one for `code`.
///
/// As a Tornado `RequestHandler` does when it finishes, `Content-Length` (the body's
/// length) and `Date` are added unless `headers` have them (see
/// [`HTTPConnection::write_response`]): a fixed set of headers can be shared by every
/// answer.
///
/// ```
/// use bytes::Bytes;
/// use tornado_httputil::{HTTPHeaders, HTTPServerRequest};
/// use tornado_httpserver::respond;
///
/// fn hello(request: HTTPServerRequest) {
///     let mut headers = HTTPHeaders::new();
///     headers.add("Content-Type", "text/plain").unwrap();
///     // Content-Length: 5 and Date are added.
///     if let Some(connection) = &request.connection {
///         let _ = respond(connection, 200, &headers, Bytes::from_static(b"hello"));
///     }
/// }
/// # let _ = hello;
/// ```
pub fn respond(
    connection: &Rc<dyn HTTPConnection>,
    code: u16,
    headers: &HTTPHeaders,
    body: Bytes,
) -> tornado_httputil::Result<()> {
    let status = ResponseStartLine {
        version: HTTPVersion::HTTP_11,
        code,
        reason: tornado_httputil::responses(code)
            .unwrap_or("Unknown")
            .into(),
    };
    connection.write_response(&status, headers, body)
}

//! `HTTPServer`: a `TCPServer` whose connections speak HTTP/1.x.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::rc::Rc;
use std::task::{Poll, Waker};
use std::time::Duration;

use bytes::Bytes;
use tornado_http1::{ConnectionHandle, HTTP1ConnectionParameters, HTTP1ServerConnection};
use tornado_httputil::{
    ConnectionContext, HTTPConnection, HTTPHeaders, HTTPMessageDelegate,
    HTTPServerConnectionDelegate, HTTPServerRequest, ServerConnection, StartLine,
};
use tornado_ioloop::{IOLoop, timeout};
use tornado_iostream::IOStream;
#[cfg(feature = "tls")]
use tornado_tcp::netutil::SslConfig;
use tornado_tcp::netutil::{Address, BindOptions, Listener};
use tornado_tcp::tcpserver::{HandlerResult, StreamHandler, TCPServer, TCPServerOptions};

use crate::callable::{AsyncCallback, CallableAdapter, SyncCallback};
use crate::error::Result;
use crate::xheaders::{ProxyConnection, ProxyMessage, TrustedProxy};

/// The options of an [`HTTPServer`]: Tornado's `HTTPServer` keyword arguments, plus a
/// connection limit. `Default` gives Tornado's defaults.
#[derive(Clone, Debug, Default)]
pub struct HTTPServerOptions {
    /// Close each connection after one request.
    pub no_keep_alive: bool,
    /// Take the client's address and scheme from `X-Real-Ip` / `X-Forwarded-For` /
    /// `X-Scheme` / `X-Forwarded-Proto` (and RFC 7239 `Forwarded`): for a server behind a
    /// proxy that sets them. Only valid IPs and `http`/`https` are taken.
    pub xheaders: bool,
    /// Proxies whose hops in `X-Forwarded-For` are skipped (addresses or CIDR ranges).
    pub trusted_downstream: Vec<TrustedProxy>,
    /// Serve HTTPS with this TLS configuration (with the `tls` feature, on by default).
    #[cfg(feature = "tls")]
    pub ssl_options: Option<SslConfig>,
    /// The scheme requests report (`"https"` behind a proxy that ends TLS); by default
    /// `"https"` with `ssl_options`, else `"http"`.
    pub protocol: Option<String>,
    /// Decompress request bodies sent with `Content-Encoding: gzip`.
    pub decompress_request: bool,
    /// The largest piece of body handed to the delegate at once (64 KiB).
    pub chunk_size: Option<usize>,
    /// The longest request head (64 KiB).
    pub max_header_size: Option<usize>,
    /// How long a connection may wait for its next request (3600 s).
    pub idle_connection_timeout: Option<Duration>,
    /// How long reading a body may take (no limit).
    pub body_timeout: Option<Duration>,
    /// The largest request body (`max_buffer_size`, 100 MiB).
    pub max_body_size: Option<usize>,
    /// The read buffer limit of each connection (100 MiB).
    pub max_buffer_size: Option<usize>,
    /// The most connections served at once (no limit, as Tornado).
    pub max_connections: Option<usize>,
}

impl HTTPServerOptions {
    fn connection_parameters(&self) -> HTTP1ConnectionParameters {
        let defaults = HTTP1ConnectionParameters::default();
        HTTP1ConnectionParameters {
            no_keep_alive: self.no_keep_alive,
            chunk_size: self.chunk_size.unwrap_or(defaults.chunk_size),
            max_header_size: self.max_header_size.unwrap_or(defaults.max_header_size),
            header_timeout: Some(
                self.idle_connection_timeout
                    .unwrap_or(Duration::from_secs(3600)),
            ),
            max_body_size: self
                .max_body_size
                .or(self.max_buffer_size)
                .unwrap_or(defaults.max_body_size),
            body_timeout: self.body_timeout,
            decompress: self.decompress_request,
        }
    }
}

/// What every connection of a server shares.
struct Shared<D> {
    delegate: D,
    params: Rc<HTTP1ConnectionParameters>,
    protocol: Cow<'static, str>,
    /// `Some` with `xheaders`.
    trusted: Option<Rc<[TrustedProxy]>>,
    connections: RefCell<HashMap<u64, ConnectionHandle>>,
    /// Waiting for `connections` to empty.
    waiters: RefCell<Vec<Waker>>,
    /// Shutting down: new connections are drained at once.
    draining: Cell<bool>,
}

impl<D> Shared<D> {
    fn forget(&self, id: u64) {
        self.connections.borrow_mut().remove(&id);
        let waiters = std::mem::take(&mut *self.waiters.borrow_mut());
        waiters.into_iter().for_each(Waker::wake);
    }

    async fn all_closed(&self) {
        poll_fn(|cx| {
            if self.connections.borrow().is_empty() {
                Poll::Ready(())
            } else {
                self.waiters.borrow_mut().push(cx.waker().clone());
                Poll::Pending
            }
        })
        .await;
    }
}

/// Serves the connections of an [`HTTPServer`]: the `TCPServer` handler.
pub struct HTTPStreamHandler<D> {
    shared: Rc<Shared<D>>,
}

impl<D> fmt::Debug for HTTPStreamHandler<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HTTPStreamHandler")
            .field("connections", &self.shared.connections.borrow().len())
            .finish()
    }
}

impl<D: HTTPServerConnectionDelegate + 'static> StreamHandler for HTTPStreamHandler<D> {
    async fn handle_stream(&self, stream: IOStream, address: Address) -> HandlerResult {
        let shared = &self.shared;
        let context = ConnectionContext {
            // Tornado's _HTTPRequestContext: the peer's IP, "0.0.0.0" for Unix sockets.
            remote_ip: match &address {
                Address::Inet(peer) => peer.ip().to_string().into(),
                Address::Unix(_) => "0.0.0.0".into(),
            },
            protocol: shared.protocol.clone(),
            address: address.as_inet(),
        };
        let connection = HTTP1ServerConnection::new(stream, shared.params.clone(), context);
        let handle = connection.handle();
        let id = handle.id();
        shared.connections.borrow_mut().insert(id, handle.clone());
        if shared.draining.get() {
            handle.drain();
        }
        let delegate = ServerDelegate {
            inner: &shared.delegate,
            trusted: shared.trusted.clone(),
        };
        connection.serve(&delegate).await;
        shared.forget(id);
        Ok(())
    }
}

/// The server's own delegate: the application's, wrapped for `xheaders`.
struct ServerDelegate<'a, D> {
    inner: &'a D,
    trusted: Option<Rc<[TrustedProxy]>>,
}

impl<D: HTTPServerConnectionDelegate> HTTPServerConnectionDelegate for ServerDelegate<'_, D> {
    type Message = ServerMessage<D::Message>;

    fn start_request(
        &self,
        connection: &ServerConnection,
        request_connection: Rc<dyn HTTPConnection>,
    ) -> Self::Message {
        match &self.trusted {
            None => ServerMessage::Plain(self.inner.start_request(connection, request_connection)),
            Some(trusted) => {
                let proxy = ProxyConnection::new(request_connection);
                let inner = self.inner.start_request(connection, proxy.clone());
                ServerMessage::Proxy(ProxyMessage {
                    inner,
                    connection: proxy,
                    trusted: trusted.clone(),
                })
            }
        }
    }

    fn on_close(&self, connection: &ServerConnection) {
        self.inner.on_close(connection);
    }
}

/// A request's delegate, as the server hands requests on.
pub enum ServerMessage<M> {
    /// Without `xheaders`.
    Plain(M),
    /// With `xheaders`.
    Proxy(ProxyMessage<M>),
}

impl<M> fmt::Debug for ServerMessage<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerMessage::Plain(_) => f.write_str("ServerMessage::Plain"),
            ServerMessage::Proxy(proxy) => proxy.fmt(f),
        }
    }
}

impl<M: HTTPMessageDelegate> HTTPMessageDelegate for ServerMessage<M> {
    async fn headers_received(&mut self, start_line: StartLine, headers: HTTPHeaders) {
        match self {
            ServerMessage::Plain(m) => m.headers_received(start_line, headers).await,
            ServerMessage::Proxy(m) => m.headers_received(start_line, headers).await,
        }
    }

    async fn data_received(&mut self, chunk: Bytes) {
        match self {
            ServerMessage::Plain(m) => m.data_received(chunk).await,
            ServerMessage::Proxy(m) => m.data_received(chunk).await,
        }
    }

    fn finish(&mut self) {
        match self {
            ServerMessage::Plain(m) => m.finish(),
            ServerMessage::Proxy(m) => m.finish(),
        }
    }

    fn on_connection_close(&mut self) {
        match self {
            ServerMessage::Plain(m) => m.on_connection_close(),
            ServerMessage::Proxy(m) => m.on_connection_close(),
        }
    }
}

/// A non-blocking, single-threaded HTTP server (Tornado's `HTTPServer`).
///
/// It accepts connections as a [`TCPServer`] does and serves HTTP/1.0 and HTTP/1.1 on
/// them (keep-alive, pipelining, chunked bodies, `Expect: 100-continue`, optional gzip
/// request bodies), handing each request to a delegate: anything that implements
/// [`HTTPServerConnectionDelegate`] (a web `Application`), or a plain request callback
/// ([`from_fn`](Self::from_fn)).
///
/// ```
/// use bytes::Bytes;
/// use tornado_httputil::{HTTPHeaders, HTTPServerRequest};
/// use tornado_httpserver::{HTTPServer, respond};
/// use tornado_ioloop::IOLoop;
/// use tornado_iostream::IOStream;
///
/// fn hello(request: HTTPServerRequest) {
///     let body = format!("Hello, {}", request.path());
///     let mut headers = HTTPHeaders::new();
///     headers.add("Content-Length", &body.len().to_string()).unwrap();
///     if let Some(connection) = &request.connection {
///         let _ = respond(connection, 200, &headers, Bytes::from(body));
///     }
/// }
///
/// let io_loop = IOLoop::new()?;
/// let answer = io_loop.run_sync(async {
///     let server = HTTPServer::from_fn(hello);
///     server.listen(0, Some("127.0.0.1"))?;
///     let client = IOStream::connect(server.local_addrs()[0]).await?;
///     client.write("GET /world HTTP/1.0\r\n\r\n");
///     let answer = client.read_until_close().await?;
///     server.stop();
///     Ok::<_, Box<dyn std::error::Error>>(answer)
/// }, None)??;
/// assert!(answer.ends_with(b"\r\n\r\nHello, /world"));
/// io_loop.close(false)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct HTTPServer<D: HTTPServerConnectionDelegate + 'static> {
    tcp: TCPServer<HTTPStreamHandler<D>>,
    shared: Rc<Shared<D>>,
}

impl<D: HTTPServerConnectionDelegate + 'static> Clone for HTTPServer<D> {
    fn clone(&self) -> Self {
        HTTPServer {
            tcp: self.tcp.clone(),
            shared: self.shared.clone(),
        }
    }
}

impl<F> HTTPServer<CallableAdapter<SyncCallback<F>>>
where
    F: Fn(HTTPServerRequest) + 'static,
{
    /// A server calling `callback` with each request (Tornado's
    /// `HTTPServer(request_callback)`); it answers through `request.connection`.
    pub fn from_fn(callback: F) -> Self {
        HTTPServer::new(CallableAdapter::new(SyncCallback(callback)))
    }
}

impl<F, Fut> HTTPServer<CallableAdapter<AsyncCallback<F>>>
where
    F: Fn(HTTPServerRequest) -> Fut + 'static,
    Fut: Future<Output = ()> + 'static,
{
    /// A server calling an `async` callback with each request; each call runs as a task.
    pub fn from_async_fn(callback: F) -> Self {
        HTTPServer::new(CallableAdapter::new(AsyncCallback(callback)))
    }
}

impl<D: HTTPServerConnectionDelegate + 'static> HTTPServer<D> {
    /// A server with Tornado's default options.
    pub fn new(delegate: D) -> Self {
        match HTTPServer::with_options(delegate, HTTPServerOptions::default()) {
            Ok(server) => server,
            // The default options have nothing that can fail.
            Err(error) => unreachable!("default options: {error}"),
        }
    }

    /// A server with `options`. TLS files are read now: a missing or bad one is an error.
    pub fn with_options(delegate: D, options: HTTPServerOptions) -> Result<Self> {
        #[cfg(feature = "tls")]
        let tls = options.ssl_options.is_some();
        #[cfg(not(feature = "tls"))]
        let tls = false;
        let protocol = match options.protocol.as_deref() {
            Some("http") => Cow::Borrowed("http"),
            Some("https") => Cow::Borrowed("https"),
            Some(other) => Cow::Owned(other.to_owned()),
            None if tls => Cow::Borrowed("https"),
            None => Cow::Borrowed("http"),
        };
        let shared = Rc::new(Shared {
            delegate,
            params: Rc::new(options.connection_parameters()),
            protocol,
            trusted: options
                .xheaders
                .then(|| options.trusted_downstream.clone().into()),
            connections: RefCell::new(HashMap::new()),
            waiters: RefCell::new(Vec::new()),
            draining: Cell::new(false),
        });
        let tcp_options = TCPServerOptions {
            #[cfg(feature = "tls")]
            ssl_options: options.ssl_options.clone(),
            max_buffer_size: options.max_buffer_size,
            read_chunk_size: options.chunk_size,
            max_connections: options.max_connections,
        };
        let handler = HTTPStreamHandler {
            shared: shared.clone(),
        };
        let tcp = TCPServer::with_options(handler, tcp_options)?;
        Ok(HTTPServer { tcp, shared })
    }

    /// Serves on `io_loop` instead of the loop running when sockets are added.
    pub fn on_loop(self, io_loop: &IOLoop) -> Self {
        HTTPServer {
            tcp: self.tcp.on_loop(io_loop),
            shared: self.shared,
        }
    }

    /// The delegate requests go to.
    pub fn delegate(&self) -> &D {
        &self.shared.delegate
    }

    /// Binds `port` on `address` (all interfaces when `None`) and serves.
    pub fn listen(&self, port: u16, address: Option<&str>) -> Result<()> {
        Ok(self.tcp.listen(port, address)?)
    }

    /// [`listen`](Self::listen) with bind options (family, backlog, `SO_REUSEPORT`...).
    pub fn listen_with(
        &self,
        port: u16,
        address: Option<&str>,
        options: &BindOptions,
    ) -> Result<()> {
        Ok(self.tcp.listen_with(port, address, options)?)
    }

    /// Serves on listening sockets made elsewhere (`bind_sockets`, `bind_unix_socket`,
    /// systemd's `listen_fds`).
    pub fn add_sockets<L: Into<Listener>>(
        &self,
        sockets: impl IntoIterator<Item = L>,
    ) -> Result<()> {
        Ok(self.tcp.add_sockets(sockets)?)
    }

    /// Serves on one listening socket.
    pub fn add_socket(&self, socket: impl Into<Listener>) -> Result<()> {
        Ok(self.tcp.add_socket(socket)?)
    }

    /// Binds, to [`start`](Self::start) later.
    pub fn bind(&self, port: u16, address: Option<&str>) -> Result<()> {
        Ok(self.tcp.bind(port, address)?)
    }

    /// Starts serving what [`bind`](Self::bind) bound.
    pub fn start(&self, num_processes: usize) -> Result<()> {
        Ok(self.tcp.start(num_processes)?)
    }

    /// Stops accepting connections; open ones carry on.
    pub fn stop(&self) {
        self.tcp.stop();
    }

    /// The addresses being served.
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.tcp.local_addrs()
    }

    /// The connections open now.
    pub fn connection_count(&self) -> usize {
        self.shared.connections.borrow().len()
    }

    /// Closes every open connection and waits until they are gone (Tornado's
    /// `close_all_connections`). What was written is still sent.
    pub async fn close_all_connections(&self) {
        let handles: Vec<ConnectionHandle> =
            self.shared.connections.borrow().values().cloned().collect();
        for handle in handles {
            handle.close();
        }
        self.shared.all_closed().await;
    }

    /// Shuts down gracefully: stops accepting, closes idle keep-alive connections at once,
    /// lets the requests in flight finish (answered with `Connection: close`) until
    /// `grace` has passed, then closes whatever is left. Resolves once every connection is
    /// gone.
    pub async fn shutdown(&self, grace: Duration) {
        self.tcp.stop();
        self.shared.draining.set(true);
        let handles: Vec<ConnectionHandle> =
            self.shared.connections.borrow().values().cloned().collect();
        for handle in handles {
            handle.drain();
        }
        if timeout(grace, self.shared.all_closed()).await.is_err() {
            log::info!(
                target: "tornado.general",
                "closing {} connection(s) still open after the shutdown grace period",
                self.connection_count()
            );
            self.close_all_connections().await;
        }
    }
}

impl<D: HTTPServerConnectionDelegate + 'static> fmt::Debug for HTTPServer<D> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HTTPServer")
            .field("addresses", &self.local_addrs())
            .field("connections", &self.connection_count())
            .finish()
    }
}

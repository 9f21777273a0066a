//! Tornado's `tornado.tcpserver`: a non-blocking, single-threaded TCP server.
//!
//! A [`TCPServer`] accepts connections on its listening sockets and hands each one, as an
//! [`IOStream`], to a [`StreamHandler`]: a type with an `async fn handle_stream`, or a
//! closure given to [`TCPServer::from_fn`]. Each connection runs as its own task on the
//! loop, so a slow connection never holds up accepting or the others.
//!
//! ```
//! use std::rc::Rc;
//! use tornado_ioloop::IOLoop;
//! use tornado_iostream::IOStream;
//! use tornado_tcp::netutil::Address;
//! use tornado_tcp::tcpserver::{HandlerResult, StreamHandler, TCPServer};
//!
//! /// Echoes every line back (Tornado's `EchoServer` example).
//! #[derive(Debug)]
//! struct EchoServer;
//!
//! impl StreamHandler for EchoServer {
//!     async fn handle_stream(&self, stream: IOStream, _address: Address) -> HandlerResult {
//!         loop {
//!             match stream.read_until(b"\n", None).await {
//!                 Ok(line) => stream.write(line).await?,
//!                 Err(e) if e.is_closed() => return Ok(()),
//!                 Err(e) => return Err(e.into()),
//!             }
//!         }
//!     }
//! }
//!
//! let io_loop = IOLoop::new()?;
//! let reply = io_loop.run_sync(async {
//!     let server = TCPServer::new(EchoServer);
//!     server.listen(0, Some("127.0.0.1"))?;
//!     let address = server.local_addrs()[0];
//!     let client = IOStream::connect(address).await?;
//!     client.write("hello\n");
//!     let reply = client.read_until(b"\n", None).await?;
//!     server.stop();
//!     Ok::<_, Box<dyn std::error::Error>>(reply)
//! }, None)??;
//! assert_eq!(&reply[..], b"hello\n");
//! io_loop.close(false)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::future::{Future, poll_fn};
use std::net::SocketAddr;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::pin;
use std::rc::{Rc, Weak};
#[cfg(feature = "tls")]
use std::sync::Arc;

use tornado_ioloop::IOLoop;
use tornado_iostream::{IOStream, IOStreamOptions};
#[cfg(feature = "tls")]
use tornado_iostream::{SslConfig, rustls::ServerConfig, ssl_options_to_server_config};

use crate::error::{Error, Result};

/// A server's TLS configuration (none can exist without the `tls` feature).
#[cfg(feature = "tls")]
type TlsConfig = Arc<ServerConfig>;
#[cfg(not(feature = "tls"))]
type TlsConfig = std::convert::Infallible;
use crate::netutil::{
    AcceptHandler, Address, BindOptions, Connection, Listener, add_accept_handler_on,
    bind_sockets_with,
};

/// What `handle_stream` returns: an error is logged ("Error in connection callback") and
/// the server goes on.
pub type HandlerResult = std::result::Result<(), Box<dyn std::error::Error>>;

/// Serves the connections of a [`TCPServer`] (Tornado's `TCPServer.handle_stream`,
/// which subclasses override).
///
/// `handle_stream` is called once per connection, with the connection's stream and the
/// peer's address, and its future runs as a task of its own: it may take as long as the
/// connection lasts. The futures need not be `Send`. A returned error or a panic is
/// logged on `tornado.application` as "Error in connection callback"; the server goes on.
pub trait StreamHandler: 'static {
    /// Serves one connection.
    fn handle_stream(
        &self,
        stream: IOStream,
        address: Address,
    ) -> impl Future<Output = HandlerResult>;
}

/// A [`StreamHandler`] made of a closure; see [`TCPServer::from_fn`].
pub struct FnHandler<F>(F);

impl<F> FnHandler<F> {
    /// A handler calling `handle_stream` for each connection (for
    /// [`TCPServer::with_options`]; [`TCPServer::from_fn`] is the shortcut).
    pub fn new<Fut>(handle_stream: F) -> FnHandler<F>
    where
        F: Fn(IOStream, Address) -> Fut + 'static,
        Fut: Future<Output = HandlerResult>,
    {
        FnHandler(handle_stream)
    }
}

impl<F> fmt::Debug for FnHandler<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FnHandler")
    }
}

impl<F, Fut> StreamHandler for FnHandler<F>
where
    F: Fn(IOStream, Address) -> Fut + 'static,
    Fut: Future<Output = HandlerResult>,
{
    fn handle_stream(
        &self,
        stream: IOStream,
        address: Address,
    ) -> impl Future<Output = HandlerResult> {
        (self.0)(stream, address)
    }
}

/// The options of a [`TCPServer`] (Tornado's constructor arguments, plus a connection
/// limit). Every field defaults to Tornado's behaviour.
#[derive(Clone, Debug, Default)]
pub struct TCPServerOptions {
    /// Serve TLS: [`SslOptions`](crate::netutil::SslOptions) (Tornado's `ssl_options`
    /// dict: `certfile`, `keyfile`, `ca_certs`, `cert_reqs`) or a ready rustls
    /// `ServerConfig` (Tornado's `SSLContext`). The configuration is built (and its files
    /// read) when the server is made; each connection's handshake completes before
    /// `handle_stream` is called, and a connection whose handshake fails is closed
    /// (protocol errors are logged as "SSL Error on ...", a client that hangs up is not).
    /// With the `tls` feature (on by default).
    #[cfg(feature = "tls")]
    pub ssl_options: Option<SslConfig>,
    /// The read buffer limit of each connection's stream (100 MiB).
    pub max_buffer_size: Option<usize>,
    /// How much each read(2) of a connection asks for (64 KiB, or half of
    /// `max_buffer_size` if smaller).
    pub read_chunk_size: Option<usize>,
    /// The most connections served at once; `None` for no limit (Tornado has none).
    ///
    /// At the limit the server stops accepting: new connections wait in the listen
    /// backlog (where the kernel holds up to `backlog` of them, then makes clients retry)
    /// until a connection ends. A connection counts from its accept until its
    /// `handle_stream` future finishes.
    pub max_connections: Option<usize>,
}

impl TCPServerOptions {
    /// The stream options these server options give each connection.
    pub fn stream_options(&self) -> IOStreamOptions {
        let mut options = match self.max_buffer_size {
            Some(max) => IOStreamOptions::with_max_buffer_size(max),
            None => IOStreamOptions::default(),
        };
        if let Some(chunk) = self.read_chunk_size {
            options.read_chunk_size = chunk.max(1);
        }
        options
    }
}

struct ServerInner<H: StreamHandler> {
    handler: Rc<H>,
    options: TCPServerOptions,
    /// The TLS configuration built from `options.ssl_options`.
    #[cfg(feature = "tls")]
    tls: Option<Arc<ServerConfig>>,
    stream_options: IOStreamOptions,
    io_loop: RefCell<Option<IOLoop>>,
    /// The listeners being served.
    accepting: RefCell<Vec<AcceptHandler>>,
    /// Bound by `bind`, waiting for `start`.
    pending: RefCell<Vec<Listener>>,
    started: Cell<bool>,
    stopped: Cell<bool>,
    /// Connections whose `handle_stream` has not finished.
    active: Cell<usize>,
    /// Accepting is paused at `max_connections`.
    held: Cell<bool>,
}

/// A non-blocking, single-threaded TCP server (Tornado's `TCPServer`): see the
/// [module documentation](self) for an example.
///
/// Three ways to start one, as in Tornado:
/// 1. [`listen`](Self::listen): bind and serve at once;
/// 2. [`add_sockets`](Self::add_sockets) with sockets from
///    [`bind_sockets`](crate::netutil::bind_sockets),
///    [`bind_unix_socket`](crate::netutil::bind_unix_socket) or
///    [`listen_fds`](crate::netutil::listen_fds) (systemd socket activation);
/// 3. [`bind`](Self::bind) then [`start`](Self::start).
///
/// The server accepts on the loop that is running when sockets are added (or the one
/// given to [`on_loop`](Self::on_loop)). `TCPServer` is a cheap handle: clones share the
/// server. Dropping the last handle stops it, as [`stop`](Self::stop) does.
pub struct TCPServer<H: StreamHandler> {
    inner: Rc<ServerInner<H>>,
}

impl<H: StreamHandler> Clone for TCPServer<H> {
    fn clone(&self) -> Self {
        TCPServer {
            inner: self.inner.clone(),
        }
    }
}

impl<F, Fut> TCPServer<FnHandler<F>>
where
    F: Fn(IOStream, Address) -> Fut + 'static,
    Fut: Future<Output = HandlerResult>,
{
    /// A server whose connections are served by the closure `handle_stream`.
    ///
    /// ```
    /// use tornado_tcp::tcpserver::TCPServer;
    ///
    /// let server = TCPServer::from_fn(|stream, _address| async move {
    ///     stream.write("hello\n").await?;
    ///     Ok(())
    /// });
    /// # drop(server);
    /// ```
    pub fn from_fn(handle_stream: F) -> TCPServer<FnHandler<F>> {
        TCPServer::new(FnHandler(handle_stream))
    }
}

impl<H: StreamHandler> TCPServer<H> {
    /// A server with the default options.
    pub fn new(handler: H) -> TCPServer<H> {
        TCPServer::build(handler, TCPServerOptions::default(), None)
    }

    /// A server with `options`. Fails when `ssl_options` do not make a server
    /// configuration (Tornado's checks: `missing key "certfile" in ssl_options`,
    /// `certfile "..." does not exist`, then the files' contents).
    pub fn with_options(handler: H, options: TCPServerOptions) -> Result<TCPServer<H>> {
        if options.max_connections == Some(0) {
            return Err(Error::InvalidArgument(
                "max_connections must be at least 1 (None for no limit)".into(),
            ));
        }
        #[cfg(feature = "tls")]
        let tls = match &options.ssl_options {
            Some(ssl) => Some(ssl_options_to_server_config(ssl.clone())?),
            None => None,
        };
        #[cfg(not(feature = "tls"))]
        let tls = None;
        Ok(TCPServer::build(handler, options, tls))
    }

    fn build(handler: H, options: TCPServerOptions, tls: Option<TlsConfig>) -> TCPServer<H> {
        #[cfg(not(feature = "tls"))]
        let _: Option<TlsConfig> = tls;
        TCPServer {
            inner: Rc::new(ServerInner {
                handler: Rc::new(handler),
                #[cfg(feature = "tls")]
                tls,
                stream_options: options.stream_options(),
                options,
                io_loop: RefCell::new(IOLoop::try_current()),
                accepting: RefCell::new(Vec::new()),
                pending: RefCell::new(Vec::new()),
                started: Cell::new(false),
                stopped: Cell::new(false),
                active: Cell::new(0),
                held: Cell::new(false),
            }),
        }
    }

    /// Serves on `io_loop` instead of the loop running when sockets are added (for a
    /// server set up before its loop starts).
    pub fn on_loop(self, io_loop: &IOLoop) -> TCPServer<H> {
        *self.inner.io_loop.borrow_mut() = Some(io_loop.clone());
        self
    }

    /// The handler.
    pub fn handler(&self) -> &H {
        &self.inner.handler
    }

    /// The options.
    pub fn options(&self) -> &TCPServerOptions {
        &self.inner.options
    }

    /// Binds `port` on `address` (see [`bind_sockets`](crate::netutil::bind_sockets))
    /// and starts accepting at once (Tornado's `listen`). May be called more than once.
    pub fn listen(&self, port: u16, address: Option<&str>) -> Result<()> {
        self.listen_with(port, address, &BindOptions::default())
    }

    /// [`listen`](Self::listen) with `bind_sockets`' other arguments (`family`,
    /// `backlog`, `flags`, `reuse_port`).
    pub fn listen_with(
        &self,
        port: u16,
        address: Option<&str>,
        options: &BindOptions,
    ) -> Result<()> {
        let sockets = bind_sockets_with(port, address, options)?;
        self.add_sockets(sockets)
    }

    /// Starts accepting connections on `sockets` (listening sockets, such as
    /// `bind_sockets` makes).
    pub fn add_sockets<L: Into<Listener>>(
        &self,
        sockets: impl IntoIterator<Item = L>,
    ) -> Result<()> {
        let io_loop = self.io_loop()?;
        if self.inner.stopped.get() {
            return Err(Error::InvalidArgument(
                "this TCPServer was stopped; make a new one".into(),
            ));
        }
        for socket in sockets {
            let weak = Rc::downgrade(&self.inner);
            let handler =
                add_accept_handler_on(&io_loop, socket.into(), move |connection, address| {
                    if let Some(inner) = weak.upgrade() {
                        inner.handle_connection(connection, address);
                    }
                })
                .map_err(|e| Error::io("cannot accept on a listening socket", e))?;
            if self.inner.held.get() {
                handler.hold();
            }
            self.inner.accepting.borrow_mut().push(handler);
        }
        Ok(())
    }

    /// Starts accepting connections on one listening socket, such as a
    /// `std::net::TcpListener` or a socket from [`listen_fds`](crate::netutil::listen_fds).
    pub fn add_socket(&self, socket: impl Into<Listener>) -> Result<()> {
        self.add_sockets([socket.into()])
    }

    /// Binds `port` on `address` without accepting yet: [`start`](Self::start) does
    /// (Tornado's deprecated `bind`). After `start`, binding accepts at once.
    pub fn bind(&self, port: u16, address: Option<&str>) -> Result<()> {
        self.bind_with(port, address, &BindOptions::default())
    }

    /// [`bind`](Self::bind) with `bind_sockets`' other arguments.
    pub fn bind_with(&self, port: u16, address: Option<&str>, options: &BindOptions) -> Result<()> {
        let sockets = bind_sockets_with(port, address, options)?;
        if self.inner.started.get() {
            self.add_sockets(sockets)
        } else {
            self.inner.pending.borrow_mut().extend(sockets);
            Ok(())
        }
    }

    /// Starts accepting on the sockets of [`bind`](Self::bind) (Tornado's `start`).
    ///
    /// `num_processes` must be 1: forking worker processes (0 for one per CPU, or N)
    /// needs `tornado-process`'s `fork_processes`, which this version does not have; any
    /// other value is refused with [`Error::Unsupported`]. Starting twice is an error.
    pub fn start(&self, num_processes: usize) -> Result<()> {
        if num_processes != 1 {
            return Err(Error::Unsupported(format!(
                "TCPServer.start(num_processes={num_processes}): forking worker processes \
                 needs tornado-process's fork_processes, which does not exist yet; only \
                 num_processes=1 works (or use one IOLoop per thread with \
                 BindOptions::reuse_port)"
            )));
        }
        if self.inner.started.replace(true) {
            return Err(Error::InvalidArgument(
                "TCPServer.start called twice".into(),
            ));
        }
        let sockets = std::mem::take(&mut *self.inner.pending.borrow_mut());
        self.add_sockets(sockets)
    }

    /// Stops accepting new connections and closes the listening sockets (Tornado's
    /// `stop`). Connections already accepted go on. Calling it again does nothing; it is
    /// safe from inside `handle_stream` or any callback.
    pub fn stop(&self) {
        self.inner.stop();
    }

    /// The local addresses of the TCP sockets being served (for a server on port 0).
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        let accepting = self.inner.accepting.borrow();
        let pending = self.inner.pending.borrow();
        accepting
            .iter()
            .map(|h| h.listener())
            .chain(pending.iter())
            .filter_map(Listener::local_addr)
            .collect()
    }

    /// The number of connections whose `handle_stream` has not finished.
    pub fn active_connections(&self) -> usize {
        self.inner.active.get()
    }

    /// At least one listener is accepting: not stopped, not paused at
    /// `max_connections`.
    pub fn is_accepting(&self) -> bool {
        self.inner
            .accepting
            .borrow()
            .iter()
            .any(AcceptHandler::is_accepting)
    }

    fn io_loop(&self) -> Result<IOLoop> {
        let mut slot = self.inner.io_loop.borrow_mut();
        if let Some(io_loop) = slot.as_ref() {
            return Ok(io_loop.clone());
        }
        match IOLoop::try_current() {
            Some(io_loop) => {
                *slot = Some(io_loop.clone());
                Ok(io_loop)
            }
            None => Err(Error::InvalidArgument(
                "TCPServer needs an IOLoop: add sockets while the loop runs (inside \
                 run_sync or a task), or give one with TCPServer::on_loop"
                    .into(),
            )),
        }
    }
}

impl<H: StreamHandler> ServerInner<H> {
    fn stop(&self) {
        if self.stopped.replace(true) {
            return;
        }
        let accepting = std::mem::take(&mut *self.accepting.borrow_mut());
        for handler in &accepting {
            handler.remove_handler();
        }
        // Dropping the handlers (and the loop's references, already removed) closes the
        // listeners.
        drop(accepting);
        self.pending.borrow_mut().clear();
    }

    /// One accepted connection: make its stream and run `handle_stream` as a task.
    fn handle_connection(self: &Rc<Self>, connection: Connection, address: Address) {
        let Some(io_loop) = self.io_loop.borrow().clone() else {
            return;
        };
        let stream = match connection.into_iostream(&io_loop, self.stream_options) {
            Ok(stream) => stream,
            Err(err) => {
                log::error!(target: "tornado.application", "Error in connection callback: {err}");
                return;
            }
        };
        let active = self.active.get() + 1;
        self.active.set(active);
        if self
            .options
            .max_connections
            .is_some_and(|max| active >= max)
        {
            self.set_held(true);
        }
        let guard = ConnectionGuard {
            server: Rc::downgrade(self),
        };
        let handler = self.handler.clone();
        #[cfg(feature = "tls")]
        let tls = self.tls.clone();
        io_loop.spawn_callback(async move {
            let _guard = guard;
            #[cfg(feature = "tls")]
            if let Some(config) = tls {
                // The handshake comes first. A failure closes the stream; the stream
                // logs protocol errors ("SSL Error on ..."), not clients that hang up.
                let handshake = match stream.start_tls(true, config, None) {
                    Ok(handshake) => handshake,
                    Err(err) => {
                        log::error!(target: "tornado.application", "Error in connection callback: {err}");
                        return;
                    }
                };
                if let Err(err) = handshake.await {
                    log::debug!(target: "tornado.general", "TLS handshake with {address} failed: {err}");
                    return;
                }
            }
            let outcome = {
                let mut serving = pin!(handler.handle_stream(stream, address));
                poll_fn(|cx| match catch_unwind(AssertUnwindSafe(|| serving.as_mut().poll(cx))) {
                    Ok(poll) => poll.map(Ok),
                    Err(payload) => std::task::Poll::Ready(Err(payload)),
                })
                .await
            };
            match outcome {
                Ok(Ok(())) => {}
                Ok(Err(err)) => {
                    log::error!(target: "tornado.application", "Error in connection callback: {err}");
                }
                Err(payload) => {
                    log::error!(
                        target: "tornado.application",
                        "Error in connection callback: panicked at {:?}",
                        panic_message(&*payload)
                    );
                }
            }
        });
    }

    fn set_held(&self, held: bool) {
        if self.held.replace(held) == held {
            return;
        }
        for handler in self.accepting.borrow().iter() {
            if held {
                handler.hold();
            } else {
                handler.resume();
            }
        }
    }
}

/// Counts a connection as active until its task ends (or is dropped with the loop).
struct ConnectionGuard<H: StreamHandler> {
    server: Weak<ServerInner<H>>,
}

impl<H: StreamHandler> Drop for ConnectionGuard<H> {
    fn drop(&mut self) {
        if let Some(server) = self.server.upgrade() {
            let active = server.active.get().saturating_sub(1);
            server.active.set(active);
            if server.held.get()
                && server
                    .options
                    .max_connections
                    .is_none_or(|max| active < max)
            {
                server.set_held(false);
            }
        }
    }
}

impl<H: StreamHandler> Drop for ServerInner<H> {
    fn drop(&mut self) {
        self.stop();
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a non-string panic payload".to_owned()
    }
}

impl<H: StreamHandler> fmt::Debug for TCPServer<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TCPServer")
            .field("listeners", &self.local_addrs())
            .field("active_connections", &self.inner.active.get())
            .field("stopped", &self.inner.stopped.get())
            .finish_non_exhaustive()
    }
}

//! `IOStream`: the handle, its shared state, construction and closing.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::net::{SocketAddr, TcpStream};
use std::os::fd::{OwnedFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::task::Waker;

use bytes::{Bytes, BytesMut};
use tornado_ioloop::{Events, IOLoop, Registration};

use crate::error::{Error, Result};
use crate::transport::{Pipe, Transport};

/// Limits of one stream, Tornado's `max_buffer_size`, `read_chunk_size` and
/// `max_write_buffer_size`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IOStreamOptions {
    /// The most bytes the read buffer may hold (100 MiB by default). A peer sending more
    /// than a read asks for, faster than it is consumed, closes the stream instead of
    /// growing our memory.
    pub max_buffer_size: usize,
    /// How much one read(2) asks for (64 KiB, or half of `max_buffer_size` if smaller).
    pub read_chunk_size: usize,
    /// The most bytes queued for writing; `None` (the default) for no limit.
    pub max_write_buffer_size: Option<usize>,
}

impl Default for IOStreamOptions {
    fn default() -> Self {
        IOStreamOptions::with_max_buffer_size(100 * 1024 * 1024)
    }
}

impl IOStreamOptions {
    /// The defaults, with this `max_buffer_size` and the read chunk size that follows
    /// from it (Tornado: `min(65536, max_buffer_size // 2)`).
    pub fn with_max_buffer_size(max_buffer_size: usize) -> Self {
        IOStreamOptions {
            max_buffer_size,
            read_chunk_size: (max_buffer_size / 2).clamp(1, 64 * 1024),
            max_write_buffer_size: None,
        }
    }
}

/// The descriptor and what reads and writes it; `None` once the stream is closed.
pub(crate) struct Io {
    /// Declared first so that it is dropped first: it must leave the loop before the
    /// descriptor closes.
    pub(crate) registration: Registration,
    pub(crate) transport: Box<dyn Transport>,
}

impl Io {
    /// Notes a read of `n` bytes into a buffer of `len`: a short one from a transport
    /// that says so drained the descriptor, whose readiness is then forgotten.
    #[inline]
    pub(crate) fn note_read(&self, n: usize, len: usize) {
        if n < len && self.transport.partial_read_drains() {
            self.registration.clear_ready(Events::READ);
        }
    }
}

/// Everything about a stream that changes.
#[derive(Default)]
pub(crate) struct State {
    /// Bytes read and not yet consumed. Empty, and owning no allocation, when idle.
    pub(crate) buffer: BytesMut,
    /// A read is in flight.
    pub(crate) reading: bool,
    /// The task waiting in that read.
    pub(crate) reader_waker: Option<Waker>,
    pub(crate) closed: bool,
    /// Why the stream closed, if an error closed it.
    pub(crate) error: Option<Arc<io::Error>>,
    /// Data waiting to be written, and how many bytes that is.
    pub(crate) queue: VecDeque<Bytes>,
    pub(crate) queued_bytes: usize,
    /// Bytes ever accepted for writing, and ever written: a write is done when
    /// `written_total` reaches the total at its end.
    pub(crate) queued_total: u64,
    pub(crate) written_total: u64,
    /// Tasks waiting for the writes up to some total to be done.
    pub(crate) write_waiters: Vec<(u64, Waker)>,
    /// The task that flushes the queue when the socket is full is running.
    pub(crate) flushing: bool,
    pub(crate) close_callback: Option<Box<dyn FnOnce()>>,
    /// Close once the queued writes are sent.
    pub(crate) close_when_flushed: bool,
    /// The task that notices a peer's close while nobody reads is running.
    pub(crate) watching: bool,
    pub(crate) watcher_waker: Option<Waker>,
    /// Tasks waiting for the transport's handshake to end (readers, the flusher, the
    /// watcher, `wait_for_handshake`).
    pub(crate) handshake_waiters: Vec<Waker>,
    /// A `wait_for_handshake` future is pending (Tornado allows one at a time).
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    pub(crate) handshake_claimed: bool,
}

pub(crate) struct Inner {
    pub(crate) io_loop: IOLoop,
    pub(crate) options: IOStreamOptions,
    pub(crate) io: RefCell<Option<Io>>,
    pub(crate) state: RefCell<State>,
}

/// A buffered, non-blocking stream over a socket or a pipe: Tornado's `IOStream`.
///
/// Reads are `async` and at most one is in flight at a time (starting a second is an
/// [`Error::AlreadyReading`]); data that arrives before anyone asks for it waits in the
/// stream's buffer, and an idle stream holds no buffer at all. [`write`](Self::write)
/// queues data at once and returns a future that resolves when the data has reached the
/// kernel; the data is sent whether or not the future is awaited.
///
/// `IOStream` is a cheap handle (`Rc`): clones share the stream, so one task can read
/// while another writes. It lives on the loop that was running when it was made. The
/// stream closes when [`close`](Self::close) is called, when the peer closes it, on an
/// error, or when the last handle is dropped and its writes are flushed.
///
/// ```
/// use std::os::unix::net::UnixStream;
/// use tornado_ioloop::IOLoop;
/// use tornado_iostream::IOStream;
///
/// let io_loop = IOLoop::new()?;
/// let line = io_loop.run_sync(async {
///     let (a, b) = UnixStream::pair()?;
///     let (a, b) = (IOStream::from_unix(a)?, IOStream::from_unix(b)?);
///     a.write("hello\nworld\n").await?;
///     let line = b.read_until(b"\n", None).await?;
///     Ok::<_, tornado_iostream::Error>(line)
/// }, None)??;
/// assert_eq!(&line[..], b"hello\n");
/// io_loop.close(false)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct IOStream {
    pub(crate) inner: Rc<Inner>,
}

/// Tornado's `PipeIOStream` is an [`IOStream`] made with [`IOStream::from_pipe`].
pub type PipeIOStream = IOStream;

impl IOStream {
    /// A stream over any [`Transport`], on the current loop.
    ///
    /// # Panics
    ///
    /// Outside a running loop; use [`with_loop`](Self::with_loop) there.
    pub fn new(transport: Box<dyn Transport>, options: IOStreamOptions) -> Result<IOStream> {
        IOStream::with_loop(&IOLoop::current(), transport, options)
    }

    /// A stream over any [`Transport`], on `io_loop`.
    pub fn with_loop(
        io_loop: &IOLoop,
        transport: Box<dyn Transport>,
        options: IOStreamOptions,
    ) -> Result<IOStream> {
        let registration = Registration::new(io_loop, transport.fd())?;
        Ok(IOStream::with_registration(
            io_loop,
            registration,
            transport,
            options,
        ))
    }

    /// A stream over `transport`, whose descriptor `registration` already watches (a
    /// socket that waited on the loop for its connection keeps its place in the poller's
    /// set, and what it knows about the descriptor's readiness).
    pub(crate) fn with_registration(
        io_loop: &IOLoop,
        registration: Registration,
        transport: Box<dyn Transport>,
        options: IOStreamOptions,
    ) -> IOStream {
        debug_assert_eq!(registration.fd(), transport.fd());
        IOStream {
            inner: Rc::new(Inner {
                io_loop: io_loop.clone(),
                options,
                io: RefCell::new(Some(Io {
                    registration,
                    transport,
                })),
                state: RefCell::new(State::default()),
            }),
        }
    }

    /// A stream over a connected TCP socket (made non-blocking), on the current loop.
    pub fn from_tcp(stream: TcpStream) -> Result<IOStream> {
        IOStream::from_tcp_with(stream, IOStreamOptions::default())
    }

    /// [`from_tcp`](Self::from_tcp) with limits.
    pub fn from_tcp_with(stream: TcpStream, options: IOStreamOptions) -> Result<IOStream> {
        stream.set_nonblocking(true)?;
        IOStream::new(Box::new(stream), options)
    }

    /// A stream over a connected Unix socket (made non-blocking), on the current loop.
    pub fn from_unix(stream: UnixStream) -> Result<IOStream> {
        stream.set_nonblocking(true)?;
        IOStream::new(Box::new(stream), IOStreamOptions::default())
    }

    /// A stream over one end of a pipe, or any descriptor used with read(2) and write(2)
    /// (Tornado's `PipeIOStream`). The descriptor is made non-blocking.
    pub fn from_pipe(fd: OwnedFd) -> Result<IOStream> {
        IOStream::new(Box::new(Pipe::new(fd)?), IOStreamOptions::default())
    }

    /// Connects to a TCP address without blocking the loop, and returns the stream.
    pub async fn connect(address: SocketAddr) -> Result<IOStream> {
        crate::connect::connect_tcp(address, None, IOStreamOptions::default()).await
    }

    /// Connects to a Unix socket. (A local connect completes at once or fails.)
    pub async fn connect_unix(path: impl AsRef<Path>) -> Result<IOStream> {
        IOStream::from_unix(UnixStream::connect(path)?)
    }

    /// The loop the stream lives on.
    pub fn io_loop(&self) -> &IOLoop {
        &self.inner.io_loop
    }

    /// The stream's limits.
    pub fn options(&self) -> IOStreamOptions {
        self.inner.options
    }

    /// The descriptor, while the stream is open (Tornado's `fileno()`).
    pub fn fileno(&self) -> Option<RawFd> {
        self.inner.io.borrow().as_ref().map(|io| io.transport.fd())
    }

    /// The local address, for a TCP stream.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.inner.io.borrow().as_ref()?.transport.local_addr()
    }

    /// The peer's address, for a TCP stream.
    pub fn peer_addr(&self) -> Option<SocketAddr> {
        self.inner.io.borrow().as_ref()?.transport.peer_addr()
    }

    /// Sets `TCP_NODELAY`: small writes go out at once instead of waiting to be
    /// coalesced. Tornado's HTTP server sets it for responses.
    pub fn set_nodelay(&self, nodelay: bool) -> Result<()> {
        match self.inner.io.borrow().as_ref() {
            Some(io) => Ok(io.transport.set_nodelay(nodelay)?),
            None => Err(self.closed_error()),
        }
    }

    /// The stream is closed.
    pub fn closed(&self) -> bool {
        self.inner.state.borrow().closed
    }

    /// Why the stream closed, if an error closed it (Tornado's `error` attribute).
    pub fn error(&self) -> Option<Arc<io::Error>> {
        self.inner.state.borrow().error.clone()
    }

    /// A read is in flight.
    pub fn reading(&self) -> bool {
        self.inner.state.borrow().reading
    }

    /// Written data is waiting to be sent.
    pub fn writing(&self) -> bool {
        !self.inner.state.borrow().queue.is_empty()
    }

    /// The number of bytes read from the peer and not yet consumed.
    pub fn buffered(&self) -> usize {
        self.inner.state.borrow().buffer.len()
    }

    /// Runs `callback` once, on the loop, when the stream closes (for whatever reason);
    /// `None` removes it. A stream that already closed runs it on the next iteration.
    ///
    /// While a callback is set and no read is in flight, the stream watches for the peer
    /// closing, buffering (up to `max_buffer_size`) whatever the peer sends meanwhile.
    pub fn set_close_callback(&self, callback: Option<Box<dyn FnOnce()>>) {
        let closed = {
            let mut state = self.inner.state.borrow_mut();
            state.close_callback = callback;
            state.closed
        };
        if closed {
            self.inner.run_close_callback();
        } else {
            crate::read::ensure_watcher(&self.inner);
        }
    }

    /// Closes the stream: pending and later operations fail with a closed error, the
    /// descriptor is closed, and the close callback runs. Unsent data is dropped. Closing
    /// twice does nothing.
    pub fn close(&self) {
        self.inner.close(None);
    }

    /// Closes the stream once everything written so far has been sent (at once if
    /// nothing is queued): what a server does after its last answer on a connection.
    pub fn close_after_writes(&self) {
        {
            let mut state = self.inner.state.borrow_mut();
            if state.closed {
                return;
            }
            if !state.queue.is_empty() {
                state.close_when_flushed = true;
                drop(state);
                crate::write::ensure_flusher(&self.inner);
                return;
            }
        }
        self.close();
    }

    /// Closes the stream because of `error`, which later operations report as the cause.
    pub fn close_with_error(&self, error: io::Error) {
        self.inner.close(Some(error));
    }

    pub(crate) fn closed_error(&self) -> Error {
        Error::closed(self.inner.state.borrow().error.clone())
    }
}

impl Inner {
    /// Closes the stream (see [`IOStream::close`]).
    pub(crate) fn close(&self, error: Option<io::Error>) {
        let (wakers, io) = {
            let mut state = self.state.borrow_mut();
            if state.closed {
                return;
            }
            state.closed = true;
            if state.error.is_none() {
                state.error = error.map(Arc::new);
            }
            // Unsent data goes; everyone waiting hears about the close.
            state.queue.clear();
            state.queued_bytes = 0;
            let mut wakers: Vec<Waker> = state.write_waiters.drain(..).map(|(_, w)| w).collect();
            wakers.extend(state.reader_waker.take());
            wakers.extend(state.watcher_waker.take());
            wakers.append(&mut state.handshake_waiters);
            (wakers, self.io.borrow_mut().take())
        };
        // The registration leaves the loop, then the descriptor closes.
        drop(io);
        wakers.into_iter().for_each(Waker::wake);
        self.run_close_callback();
    }

    /// Schedules the close callback, if there is one, on the next iteration.
    pub(crate) fn run_close_callback(&self) {
        let callback = self.state.borrow_mut().close_callback.take();
        if let Some(callback) = callback {
            self.io_loop.add_callback(callback);
        }
    }

    pub(crate) fn closed_error(&self) -> Error {
        Error::closed(self.state.borrow().error.clone())
    }

    /// Waits-for-readiness helper: registers `cx` for `interest` on the descriptor, or,
    /// while the transport is handshaking, for the end of the handshake.
    pub(crate) fn poll_ready(
        &self,
        cx: &mut std::task::Context<'_>,
        interest: Events,
    ) -> std::task::Poll<()> {
        match self.io.borrow().as_ref() {
            Some(io) if io.transport.handshaking() => {
                self.wait_for_handshake_end(cx);
                std::task::Poll::Pending
            }
            Some(io) => {
                io.registration.clear_ready(interest);
                match io.registration.poll_ready(cx, interest) {
                    std::task::Poll::Ready(_) => std::task::Poll::Ready(()),
                    std::task::Poll::Pending => std::task::Poll::Pending,
                }
            }
            None => std::task::Poll::Ready(()),
        }
    }
}

impl Inner {
    /// Registers `cx` to be woken when the handshake ends (or the stream closes).
    pub(crate) fn wait_for_handshake_end(&self, cx: &std::task::Context<'_>) {
        let mut state = self.state.borrow_mut();
        if !state
            .handshake_waiters
            .iter()
            .any(|waker| waker.will_wake(cx.waker()))
        {
            state.handshake_waiters.push(cx.waker().clone());
        }
    }

    /// Wakes everyone waiting for the handshake to end.
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    pub(crate) fn wake_handshake_waiters(&self) {
        let wakers = std::mem::take(&mut self.state.borrow_mut().handshake_waiters);
        wakers.into_iter().for_each(Waker::wake);
    }
}

impl fmt::Debug for IOStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.inner.state.borrow();
        f.debug_struct("IOStream")
            .field("fd", &self.fileno())
            .field("closed", &state.closed)
            .field("buffered", &state.buffer.len())
            .field("queued", &state.queued_bytes)
            .finish()
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        // The last handle is gone (and the flusher, which holds one, has finished).
        self.close(None);
    }
}

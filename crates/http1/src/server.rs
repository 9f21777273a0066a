//! `HTTP1ServerConnection`: the loop that reads requests from one connection and hands
//! them to a delegate.

use std::fmt;
use std::future::{Future, poll_fn};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::{Pin, pin};
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use tornado_httputil::{
    ConnectionContext, Error, HTTPConnection, HTTPHeaders, HTTPMessageDelegate,
    HTTPServerConnectionDelegate, RequestStartLine, ServerConnection, StartLine, validate_host,
};
use tornado_ioloop::{JoinHandle, Sleep, clock, sleep_until, timeout};
use tornado_iostream::IOStream;

use crate::connection::{ConnState, HTTP1Connection};
use crate::framing::{
    self, BodyFraming, Chunk, ChunkError, ChunkedDecoder, FramingError, HeadFacts, RequestFacts,
};
use crate::gzip::{Gunzip, GunzipError};
use crate::params::HTTP1ConnectionParameters;

static NEXT_CONNECTION_ID: AtomicU64 = AtomicU64::new(1);

/// An HTTP/1.x server connection (Tornado's `HTTP1ServerConnection`): reads requests
/// one after the other from a stream, and hands each to a delegate made by an
/// [`HTTPServerConnectionDelegate`].
pub struct HTTP1ServerConnection {
    conn: Rc<ConnState>,
    params: Rc<HTTP1ConnectionParameters>,
    info: ServerConnection,
}

/// What the connection learnt from a request head it checked.
struct Prepared {
    framing: BodyFraming,
    expect_continue: bool,
    /// Boxed: a decompressor is large, and rare.
    gunzip: Option<Box<Gunzip>>,
}

/// The timer of `header_timeout`, kept for the life of a connection.
///
/// A timer per request (armed when the read of a head waits, removed when the head
/// arrives) would cost two timer-table updates per request. Instead one timer is armed
/// and left in place: each wait only computes its own deadline, and when the timer
/// fires early (for a deadline an earlier request set) it is moved to the current one.
/// The timer fires at most once per `header_timeout` on a busy connection.
#[derive(Default)]
struct IdleTimer {
    sleep: Option<Sleep>,
}

impl IdleTimer {
    /// Awaits `read` for at most `limit` from when it first has to wait; `None` if the
    /// time runs out first.
    async fn limit<F: Future>(&mut self, limit: Duration, read: F) -> Option<F::Output> {
        let mut read = pin!(read);
        let mut deadline = None;
        poll_fn(|cx| {
            if let Poll::Ready(output) = read.as_mut().poll(cx) {
                return Poll::Ready(Some(output));
            }
            let now = clock::instant();
            let deadline = *deadline.get_or_insert(now + limit);
            if now >= deadline {
                return Poll::Ready(None);
            }
            match &mut self.sleep {
                // Armed for this deadline or an earlier one: it wakes us no later than
                // needed.
                Some(sleep) if sleep.deadline() > now => {}
                Some(sleep) => {
                    sleep.reset(deadline);
                    // Registers the timer: the deadline is ahead, so it is pending.
                    let _ = Pin::new(sleep).poll(cx);
                }
                None => {
                    let mut sleep = sleep_until(deadline);
                    let _ = Pin::new(&mut sleep).poll(cx);
                    self.sleep = Some(sleep);
                }
            }
            Poll::Pending
        })
        .await
    }
}

/// A parsed request head.
type Head = (RequestStartLine, HTTPHeaders);

/// What the head parser makes of the buffered bytes (see [`head_parser`]).
type HeadParse = Result<Option<(usize, ())>, Option<Error>>;

/// The parser of request heads for `read_with`: the head goes into `slot` (so that the
/// read's result, moved through a few layers, stays small); `Err(None)` for a head
/// beyond `max` bytes (closed without an answer), `Err(Some(_))` for a malformed head.
fn head_parser(max: usize, slot: &mut Option<Head>) -> impl FnMut(&[u8]) -> HeadParse + '_ {
    let mut searched = 0;
    move |data: &[u8]| match framing::find_head_end(data, searched) {
        Some(end) if end > max => Err(None),
        Some(end) => {
            *slot = Some(framing::parse_request_head(&data[..end]).map_err(Some)?);
            Ok(Some((end, ())))
        }
        None => {
            searched = data.len();
            Ok(None)
        }
    }
}

impl HTTP1ServerConnection {
    /// A server connection over `stream`.
    pub fn new(
        stream: IOStream,
        params: Rc<HTTP1ConnectionParameters>,
        context: ConnectionContext,
    ) -> Self {
        // Each answer goes out in one write; Nagle's algorithm would only delay it.
        let _ = stream.set_nodelay(true);
        let info = ServerConnection {
            id: NEXT_CONNECTION_ID.fetch_add(1, Ordering::Relaxed),
            context: context.clone(),
        };
        HTTP1ServerConnection {
            conn: ConnState::new(stream, context),
            params,
            info,
        }
    }

    /// What the delegate is told about this connection.
    pub fn info(&self) -> &ServerConnection {
        &self.info
    }

    /// A handle that closes or drains the connection from outside (a server shutting
    /// down).
    pub fn handle(&self) -> ConnectionHandle {
        ConnectionHandle {
            conn: self.conn.clone(),
            id: self.info.id,
        }
    }

    /// Serves requests until the connection closes, as a task on the stream's loop
    /// (Tornado's `start_serving`).
    pub fn start_serving<D>(self, delegate: Rc<D>) -> JoinHandle<()>
    where
        D: HTTPServerConnectionDelegate + 'static,
    {
        let io_loop = match self.conn.stream() {
            Some(stream) => stream.io_loop().clone(),
            None => tornado_ioloop::IOLoop::current(),
        };
        io_loop.spawn(async move { self.serve(&*delegate).await })
    }

    /// Serves requests until the connection closes.
    pub async fn serve<D: HTTPServerConnectionDelegate>(self, delegate: &D) {
        // One async body for the whole loop: the common request (a head already
        // buffered or read at once, no body, an answer written in `finish`) awaits
        // nothing but the delegate's `headers_received`.
        let mut idle = IdleTimer::default();
        while !self.conn.draining.get() {
            let mut head = None;
            let parsed = match self.buffered_head(&mut head) {
                Some(parsed) => parsed,
                None => {
                    // Nothing complete is buffered: the batch is over.
                    self.conn.end_batch();
                    self.conn.flush();
                    let Some(stream) = self.conn.stream() else {
                        break;
                    };
                    let max = self.params.max_header_size;
                    let read = stream.read_with(Some(max), head_parser(max, &mut head));
                    let result = match self.params.header_timeout {
                        None => read.await,
                        Some(limit) => match idle.limit(limit, read).await {
                            Some(result) => result,
                            None => break,
                        },
                    };
                    // A stream error (closed, or a head beyond max_header_size): close,
                    // no answer.
                    let Ok(parsed) = result else {
                        break;
                    };
                    parsed
                }
            };
            match parsed {
                Ok(()) => {}
                Err(Some(error)) => {
                    self.malformed(&error);
                    break;
                }
                Err(None) => {
                    self.head_too_long();
                    break;
                }
            }
            let Some((start_line, mut headers)) = head else {
                break;
            };
            self.conn.busy.set(true);
            let Prepared {
                framing,
                expect_continue,
                mut gunzip,
            } = match self.prepare(&start_line, &mut headers) {
                Ok(prepared) => prepared,
                Err(error) => {
                    self.malformed(&error);
                    break;
                }
            };
            let exchange = &self.conn.exchange;
            self.conn.start_batch();
            let request_connection: Rc<dyn HTTPConnection> = Rc::new(HTTP1Connection {
                conn: self.conn.clone(),
                request: self.conn.request(),
            });
            let Some(mut message) =
                guard_sync(|| delegate.start_request(&self.info, request_connection))
            else {
                self.failed();
                break;
            };
            let received = {
                let future = message.headers_received(StartLine::Request(start_line), headers);
                let mut future = pin!(future);
                poll_fn(|cx| poll_guarded(future.as_mut(), cx)).await
            };
            if received.is_none() {
                self.failed();
                break;
            }
            if exchange.detached.get() {
                break;
            }
            if expect_continue && !exchange.write_finished.get() {
                self.conn.flush();
                if let Some(stream) = self.conn.stream() {
                    drop(stream.write_slice(framing::CONTINUE));
                }
            }
            let max_body_size = exchange.max_body_size.get() as u64;
            if matches!(framing, BodyFraming::Length(n) if n > max_body_size) {
                message_closed(&mut message);
                self.too_large(&Error::input("Content-Length too long"));
                break;
            }
            if framing != BodyFraming::Empty || gunzip.is_some() {
                if let Some(gunzip) = gunzip.as_mut() {
                    gunzip.set_limit(max_body_size);
                }
                // Boxed: the body's future is large, and an idle connection should not
                // carry its room.
                let body = Box::pin(self.read_body(
                    framing,
                    max_body_size,
                    &mut message,
                    gunzip.as_deref_mut(),
                ));
                let body_result = match exchange.body_timeout.get() {
                    None => body.await,
                    Some(limit) => match timeout(limit, body).await {
                        Ok(result) => result,
                        Err(_) => BodyResult::TimedOut,
                    },
                };
                match body_result {
                    BodyResult::Done => {}
                    BodyResult::TimedOut => {
                        log::info!(target: "tornado.general", "Timeout reading body from {}", self.conn.context);
                        message_closed(&mut message);
                        self.conn.close();
                        break;
                    }
                    BodyResult::Closed => {
                        message_closed(&mut message);
                        break;
                    }
                    BodyResult::Malformed(error) => {
                        message_closed(&mut message);
                        self.malformed(&error);
                        break;
                    }
                    BodyResult::TooLarge(error) => {
                        message_closed(&mut message);
                        self.too_large(&error);
                        break;
                    }
                    BodyResult::Panicked => {
                        self.failed();
                        break;
                    }
                }
            }
            exchange.read_finished.set(true);
            if !exchange.write_finished.get() && guard_sync(|| message.finish()).is_none() {
                self.failed();
                break;
            }
            drop(message);
            if !exchange.write_finished.get() {
                self.wait_for_response().await;
            }
            if exchange.detached.get() {
                break;
            }
            if exchange.abandoned.get() && !exchange.write_finished.get() {
                self.failed();
                break;
            }
            if exchange.disconnect_on_finish.get() || self.conn.stream_closed() {
                self.conn.close();
                break;
            }
            self.conn.busy.set(false);
        }
        self.conn.busy.set(false);
        self.conn.close();
        delegate.on_close(&self.info);
    }

    /// Closes the connection; the serving loop ends.
    pub fn close(&self) {
        self.conn.close();
    }

    fn malformed(&self, error: &Error) {
        log::info!(target: "tornado.general", "Malformed HTTP message from {}: {}", self.conn.context, error);
        self.conn.write_raw(framing::BAD_REQUEST);
        self.conn.close();
    }

    fn too_large(&self, error: &Error) {
        log::info!(target: "tornado.general", "Malformed HTTP message from {}: {}", self.conn.context, error);
        self.conn.write_raw(framing::PAYLOAD_TOO_LARGE);
        self.conn.close();
    }

    /// Parses the next request head into `slot` if it is complete in what is buffered
    /// (the answers of a pipelined batch keep building up meanwhile); `None` if more
    /// must be read.
    fn buffered_head(&self, slot: &mut Option<Head>) -> Option<Result<(), Option<Error>>> {
        self.conn
            .stream
            .borrow()
            .as_ref()?
            .try_read_with(head_parser(self.params.max_header_size, slot))
    }

    /// A head beyond `max_header_size` (even if it ended in the same packet, as
    /// Tornado): the connection closes without an answer.
    fn head_too_long(&self) {
        log::info!(
            target: "tornado.general",
            "Unsatisfiable read, closing connection: request head longer than {} bytes",
            self.params.max_header_size
        );
    }

    /// Checks a request head and sets up its exchange; an error is answered with 400.
    fn prepare(
        &self,
        start_line: &RequestStartLine,
        headers: &mut HTTPHeaders,
    ) -> Result<Prepared, Error> {
        // Everything the connection needs from the head, in one pass over it.
        let facts = HeadFacts::of(headers);
        validate_host(facts.host, start_line.version)?;
        // The framing is checked now; its size against the limit once the delegate had
        // its chance to change the limit.
        let (framing, collapsed) = match framing::body_framing(&facts, u64::MAX) {
            Ok(framing) => framing,
            Err(FramingError::Malformed(error) | FramingError::TooLarge(error)) => {
                return Err(error);
            }
        };
        let keep_alive = framing::keep_alive(start_line, &facts, self.params.no_keep_alive);
        let request_facts = RequestFacts::from_facts(start_line, &facts, !keep_alive);
        let expect_continue = facts.expect == Some("100-continue");
        let gzip = self.params.decompress && facts.content_encoding.is_some();
        if let Some(length) = collapsed {
            headers.set("Content-Length", &length)?;
        }
        let gunzip = if gzip {
            Gunzip::for_headers(
                headers,
                self.params.max_body_size as u64,
                self.params.chunk_size,
            )
            .map(Box::new)
        } else {
            None
        };
        self.conn.begin_request(
            request_facts,
            self.params.max_body_size,
            self.params.body_timeout,
        );
        Ok(Prepared {
            framing,
            expect_continue,
            gunzip,
        })
    }

    /// Waits until the response is finished, abandoned, or the client goes away.
    async fn wait_for_response(&self) {
        self.conn.end_batch();
        self.conn.flush();
        let Some(stream) = self.conn.stream() else {
            return;
        };
        // Only now does a close matter: the application is producing the answer.
        let watched = Rc::downgrade(&self.conn);
        let request = self.conn.request();
        stream.set_close_callback(Some(Box::new(move || {
            if let Some(conn) = watched.upgrade()
                && conn.request() == request
            {
                conn.on_stream_closed();
            }
        })));
        let exchange = &self.conn.exchange;
        poll_fn(|cx| {
            let done = exchange.write_finished.get()
                || exchange.abandoned.get()
                || exchange.detached.get()
                || stream.closed();
            if done {
                Poll::Ready(())
            } else {
                *exchange.waker.borrow_mut() = Some(cx.waker().clone());
                Poll::Pending
            }
        })
        .await;
        stream.set_close_callback(None);
    }

    /// The delegate panicked or dropped the request without answering: answer 500 if
    /// nothing was written yet, and close.
    fn failed(&self) {
        let exchange = &self.conn.exchange;
        if !exchange.headers_written.get() && !exchange.detached.get() {
            self.conn
                .write_raw(b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
        self.conn.close();
    }

    async fn read_body<M: HTTPMessageDelegate>(
        &self,
        framing: BodyFraming,
        max_body_size: u64,
        message: &mut M,
        mut gunzip: Option<&mut Gunzip>,
    ) -> BodyResult {
        let exchange = &self.conn.exchange;
        let Some(stream) = self.conn.stream() else {
            return BodyResult::Closed;
        };
        let chunk_size = self.params.chunk_size.max(1);
        match framing {
            BodyFraming::Empty => {}
            BodyFraming::Length(mut remaining) => {
                while remaining > 0 {
                    self.conn.end_batch();
                    self.conn.flush();
                    let want = remaining.min(chunk_size as u64) as usize;
                    let piece = match stream.read_bytes(want, true).await {
                        Ok(piece) => piece,
                        Err(_) => return BodyResult::Closed,
                    };
                    remaining -= piece.len() as u64;
                    if let Some(result) = self.deliver(message, gunzip.as_deref_mut(), piece).await
                    {
                        return result;
                    }
                }
            }
            BodyFraming::Chunked => {
                let mut decoder = ChunkedDecoder::new(max_body_size);
                loop {
                    self.conn.end_batch();
                    self.conn.flush();
                    let decoded = stream
                        .read_with(None, |data| match decoder.decode(data, chunk_size) {
                            Ok(None) => Ok(None),
                            Ok(Some((used, Chunk::Data(start, end)))) => {
                                Ok(Some((used, Some(framing::piece(data, start, end)))))
                            }
                            Ok(Some((used, Chunk::Progress))) => Ok(Some((used, None))),
                            Ok(Some((used, Chunk::End))) => Ok(Some((used, Some(Bytes::new())))),
                            Err(e) => Err(e),
                        })
                        .await;
                    let piece = match decoded {
                        Err(_) => return BodyResult::Closed,
                        Ok(Err(ChunkError::Malformed(e))) => return BodyResult::Malformed(e),
                        Ok(Err(ChunkError::TooLarge(e))) => return BodyResult::TooLarge(e),
                        Ok(Err(ChunkError::LineTooLong)) => {
                            log::info!(
                                target: "tornado.general",
                                "Unsatisfiable read, closing connection: chunk size line longer than {} bytes",
                                framing::MAX_CHUNK_SIZE_LINE
                            );
                            self.conn.close();
                            return BodyResult::Closed;
                        }
                        Ok(Ok(None)) => continue,
                        Ok(Ok(Some(piece))) if piece.is_empty() && decoder.is_done() => break,
                        Ok(Ok(Some(piece))) => piece,
                    };
                    if let Some(result) = self.deliver(message, gunzip.as_deref_mut(), piece).await
                    {
                        return result;
                    }
                }
            }
        }
        if let Some(gunzip) = gunzip {
            match gunzip.finish() {
                Ok(pieces) => {
                    for piece in pieces {
                        if !exchange.write_finished.get()
                            && guard(message.data_received(piece)).await.is_none()
                        {
                            return BodyResult::Panicked;
                        }
                    }
                }
                Err(GunzipError::TooLarge(e)) => return BodyResult::TooLarge(e),
                Err(GunzipError::Malformed(e)) => return BodyResult::Malformed(e),
            }
        }
        BodyResult::Done
    }

    /// Hands a body piece to the delegate (through the decompressor, if any). Pieces that
    /// arrive after the application finished its answer are dropped, as Tornado does.
    async fn deliver<M: HTTPMessageDelegate>(
        &self,
        message: &mut M,
        gunzip: Option<&mut Gunzip>,
        piece: Bytes,
    ) -> Option<BodyResult> {
        let exchange = &self.conn.exchange;
        let pieces = match gunzip {
            None => vec![piece],
            Some(gunzip) => match gunzip.feed(&piece) {
                Ok(pieces) => pieces,
                Err(GunzipError::TooLarge(e)) => return Some(BodyResult::TooLarge(e)),
                Err(GunzipError::Malformed(e)) => return Some(BodyResult::Malformed(e)),
            },
        };
        for piece in pieces {
            if exchange.write_finished.get() {
                continue;
            }
            if guard(message.data_received(piece)).await.is_none() {
                return Some(BodyResult::Panicked);
            }
        }
        None
    }
}

/// Closes or drains a serving connection from outside: what an `HTTPServer` keeps of
/// each of its connections, for `close_all_connections` and graceful shutdown.
#[derive(Clone)]
pub struct ConnectionHandle {
    conn: Rc<ConnState>,
    id: u64,
}

impl ConnectionHandle {
    /// The connection's id (as in its [`ServerConnection`]).
    pub fn id(&self) -> u64 {
        self.id
    }

    /// No request is in flight: the connection waits for the next one.
    pub fn is_idle(&self) -> bool {
        !self.conn.busy.get()
    }

    /// The connection has closed.
    pub fn is_closed(&self) -> bool {
        self.conn.stream().is_none_or(|s| s.closed())
    }

    /// Ends the connection gracefully: an idle connection closes at once; a request in
    /// flight is answered (with `Connection: close` if its headers are not written yet)
    /// and then the connection closes.
    pub fn drain(&self) {
        self.conn.draining.set(true);
        if self.is_idle() {
            self.conn.close();
        }
    }

    /// Closes the connection now (what was written is still sent).
    pub fn close(&self) {
        self.conn.draining.set(true);
        self.conn.close();
    }
}

impl fmt::Debug for ConnectionHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionHandle")
            .field("id", &self.id)
            .field("idle", &self.is_idle())
            .finish()
    }
}

enum BodyResult {
    Done,
    TimedOut,
    Closed,
    Malformed(Error),
    TooLarge(Error),
    Panicked,
}

/// Tells the delegate the connection closed before its message was complete.
fn message_closed<M: HTTPMessageDelegate>(message: &mut M) {
    let _ = guard_sync(|| message.on_connection_close());
}

/// Runs a delegate call, turning a panic into `None` (logged on `tornado.application`,
/// as Tornado logs exceptions from delegates).
fn guard_sync<T>(f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(value) => Some(value),
        Err(payload) => {
            log_panic(&*payload);
            None
        }
    }
}

/// Polls a delegate future, turning a panic into `Ready(None)`.
fn poll_guarded<F: Future>(future: Pin<&mut F>, cx: &mut Context<'_>) -> Poll<Option<F::Output>> {
    match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
        Ok(Poll::Ready(value)) => Poll::Ready(Some(value)),
        Ok(Poll::Pending) => Poll::Pending,
        Err(payload) => {
            log_panic(&*payload);
            Poll::Ready(None)
        }
    }
}

/// Awaits a delegate future, turning a panic into `None`.
async fn guard<F: Future>(future: F) -> Option<F::Output> {
    let mut future = pin!(future);
    poll_fn(|cx| poll_guarded(future.as_mut(), cx)).await
}

fn log_panic(payload: &(dyn std::any::Any + Send)) {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic with a non-string payload".to_owned());
    log::error!(target: "tornado.application", "Uncaught exception: panicked at {message:?}");
}

impl fmt::Debug for HTTP1ServerConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HTTP1ServerConnection")
            .field("info", &self.info)
            .finish_non_exhaustive()
    }
}

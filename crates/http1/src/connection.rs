//! `HTTP1Connection`: where one response goes (the `HTTPConnection` a delegate writes to).

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::rc::Rc;
use std::task::Waker;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Method;
use tornado_httputil::{
    ConnectionContext, ConnectionFuture, Error, HTTPConnection, HTTPHeaders, ResponseStartLine,
    Result, StartLine,
};
use tornado_ioloop::clock;
use tornado_iostream::IOStream;

use crate::framing::{self, RequestFacts, ResponsePlan};

/// Bodies at least this large are written from their own `Bytes`, not copied into the
/// output buffer.
const COPY_LIMIT: usize = 16 * 1024;

/// Output beyond this is flushed even while a batch of pipelined answers builds up.
const BATCH_LIMIT: usize = 64 * 1024;

thread_local! {
    /// Output buffers between uses, so that answering a request allocates nothing while
    /// an idle connection keeps no buffer.
    static SPARE: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

fn take_buffer() -> Vec<u8> {
    SPARE
        .with(|spare| spare.borrow_mut().pop())
        .unwrap_or_else(|| Vec::with_capacity(4096))
}

fn give_back(mut buffer: Vec<u8>) {
    if buffer.capacity() > 256 * 1024 {
        return;
    }
    buffer.clear();
    SPARE.with(|spare| {
        let mut spare = spare.borrow_mut();
        if spare.len() < 16 {
            spare.push(buffer);
        }
    });
}

/// What one connection's requests share: the stream, the output being built, and the
/// state of the request in flight (one at a time: the next request is read once this
/// one's answer is finished).
pub(crate) struct ConnState {
    /// `None` once detached.
    pub(crate) stream: RefCell<Option<IOStream>>,
    pub(crate) context: ConnectionContext,
    /// Output not yet handed to the stream. Empty (no allocation) when idle.
    out: RefCell<Vec<u8>>,
    /// The serving loop is running through requests that were already buffered:
    /// answers wait in `out` and go out together. Set with [`start_batch`] and
    /// [`end_batch`](Self::end_batch).
    ///
    /// [`start_batch`]: Self::start_batch
    batching: Cell<bool>,
    /// The server is shutting down: the request in flight is the last.
    pub(crate) draining: Cell<bool>,
    /// A request is in flight (its head was read and its answer is not finished).
    pub(crate) busy: Cell<bool>,
    /// The number of the request whose state `exchange` holds (from 1; 0 before the
    /// first). An [`HTTP1Connection`] of an earlier request is stale.
    request: Cell<u64>,
    pub(crate) exchange: Exchange,
}

impl ConnState {
    pub(crate) fn new(stream: IOStream, context: ConnectionContext) -> Rc<ConnState> {
        Rc::new(ConnState {
            stream: RefCell::new(Some(stream)),
            context,
            out: RefCell::new(Vec::new()),
            batching: Cell::new(false),
            draining: Cell::new(false),
            busy: Cell::new(false),
            request: Cell::new(0),
            exchange: Exchange::default(),
        })
    }

    pub(crate) fn stream(&self) -> Option<IOStream> {
        self.stream.borrow().clone()
    }

    /// The stream is gone or closed.
    pub(crate) fn stream_closed(&self) -> bool {
        self.stream.borrow().as_ref().is_none_or(IOStream::closed)
    }

    /// The serving loop goes through requests that are already buffered, without
    /// waiting: answers are gathered and go out together.
    pub(crate) fn start_batch(&self) {
        self.batching.set(true);
    }

    /// The serving loop is about to wait (for bytes or for an answer).
    pub(crate) fn end_batch(&self) {
        self.batching.set(false);
    }

    /// Appends to the output with `f`, taking a spare buffer if the output is empty.
    fn append<T>(&self, f: impl FnOnce(&mut Vec<u8>) -> T) -> T {
        let mut out = self.out.borrow_mut();
        if out.capacity() == 0 {
            *out = take_buffer();
        }
        f(&mut out)
    }

    /// Hands the pending output to the stream.
    pub(crate) fn flush(&self) {
        let buffer = {
            let mut out = self.out.borrow_mut();
            if out.is_empty() {
                return;
            }
            std::mem::take(&mut *out)
        };
        if let Some(stream) = self.stream.borrow().as_ref() {
            drop(stream.write_slice(&buffer));
        }
        give_back(buffer);
    }

    /// Flushes unless a batch is building (and is not too big yet).
    fn maybe_flush(&self) {
        if !self.batching.get() || self.out.borrow().len() >= BATCH_LIMIT {
            self.flush();
        }
    }

    /// Writes `data` directly (after what is pending), answering 400/413/500 and such.
    pub(crate) fn write_raw(&self, data: &'static [u8]) {
        self.append(|out| out.extend_from_slice(data));
        self.flush();
    }

    /// The length of the pending output, to cut back to with [`truncate`](Self::truncate).
    fn mark(&self) -> usize {
        self.out.borrow().len()
    }

    fn truncate(&self, mark: usize) {
        self.out.borrow_mut().truncate(mark);
    }

    /// Closes the connection once what was written has been sent.
    pub(crate) fn close(&self) {
        self.flush();
        if let Some(stream) = self.stream() {
            stream.close_after_writes();
        }
    }

    /// Starts the next request: resets the exchange and returns the request's number.
    pub(crate) fn begin_request(
        &self,
        facts: RequestFacts,
        max_body_size: usize,
        body_timeout: Option<Duration>,
    ) -> u64 {
        let request = self.request.get() + 1;
        self.request.set(request);
        let exchange = &self.exchange;
        exchange
            .disconnect_on_finish
            .set(facts.disconnect_on_finish);
        *exchange.facts.borrow_mut() = facts;
        exchange.plan.set(None);
        exchange.remaining.set(None);
        exchange.headers_written.set(false);
        exchange.write_finished.set(false);
        exchange.read_finished.set(false);
        exchange.abandoned.set(false);
        exchange.detached.set(false);
        exchange.max_body_size.set(max_body_size);
        exchange.body_timeout.set(body_timeout);
        let callback = exchange.close_callback.borrow_mut().take();
        drop(callback);
        exchange.waker.borrow_mut().take();
        request
    }

    /// The number of the request in flight.
    pub(crate) fn request(&self) -> u64 {
        self.request.get()
    }

    /// Wakes the serving loop if it waits for the response.
    pub(crate) fn wake(&self) {
        let waker = self.exchange.waker.borrow_mut().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    /// The stream closed while the response was being produced: the application's
    /// close callback runs, and the serving loop stops waiting.
    pub(crate) fn on_stream_closed(&self) {
        let callback = self.exchange.close_callback.borrow_mut().take();
        if let Some(callback) = callback {
            callback();
        }
        self.wake();
    }

    fn check_open(&self) -> Result<()> {
        if self.stream_closed() {
            Err(Error::stream_closed())
        } else {
            Ok(())
        }
    }

    /// Frames one piece of body into the output (or writes it directly if large). On
    /// a framing error the output is cut back to `mark` (what this write added is not
    /// sent) and the connection closes.
    fn body(&self, chunk: Bytes, mark: usize) -> Result<()> {
        let exchange = &self.exchange;
        if let Some(remaining) = exchange.remaining.get() {
            let len = chunk.len() as u64;
            if len > remaining {
                // Stop further framing errors: the response is beyond repair.
                self.truncate(mark);
                self.close();
                return Err(Error::output(
                    "Tried to write more data than Content-Length",
                ));
            }
            exchange.remaining.set(Some(remaining - len));
        }
        if chunk.is_empty() {
            return Ok(());
        }
        let chunked = exchange.plan.get().is_some_and(|p| p.chunked);
        if chunk.len() >= COPY_LIMIT {
            // A large body goes out from where it is; only the framing is copied.
            if chunked {
                self.append(|out| framing::encode_chunk_header(out, chunk.len()));
            }
            self.flush();
            if let Some(stream) = self.stream() {
                drop(stream.write(chunk));
            }
            if chunked {
                self.append(|out| out.extend_from_slice(b"\r\n"));
            }
            return Ok(());
        }
        self.append(|out| {
            if chunked {
                framing::encode_chunk(out, &chunk);
            } else {
                out.extend_from_slice(&chunk);
            }
        });
        Ok(())
    }
}

/// The state of the request in flight and its response, shared by the serving loop
/// and the [`HTTP1Connection`] handed to the delegate; reset for each request.
#[derive(Default)]
pub(crate) struct Exchange {
    facts: RefCell<RequestFacts>,
    pub(crate) disconnect_on_finish: Cell<bool>,
    plan: Cell<Option<ResponsePlan>>,
    /// Body bytes the response may still carry (from its Content-Length).
    remaining: Cell<Option<u64>>,
    pub(crate) headers_written: Cell<bool>,
    pub(crate) write_finished: Cell<bool>,
    pub(crate) read_finished: Cell<bool>,
    /// The delegate dropped its connection without finishing the response.
    pub(crate) abandoned: Cell<bool>,
    pub(crate) detached: Cell<bool>,
    pub(crate) max_body_size: Cell<usize>,
    pub(crate) body_timeout: Cell<Option<Duration>>,
    close_callback: RefCell<Option<Box<dyn FnOnce()>>>,
    /// The serving loop waiting for the response to finish.
    pub(crate) waker: RefCell<Option<Waker>>,
}

/// The `HTTPConnection` of one request on an HTTP/1 server: where its delegate writes
/// the response (Tornado's `HTTP1Connection`, server side).
///
/// Writes are framed as Tornado frames them (chunked for HTTP/1.1 when no
/// `Content-Length` is given, `Connection: close` when the connection will close, no
/// body for HEAD and 304) and handed to the stream as soon as possible; the answers to
/// requests that were pipelined together go out in one write.
///
/// If every handle is dropped before [`finish`](HTTPConnection::finish), the server
/// answers `500 Internal Server Error` (if no headers were written yet) and closes the
/// connection: a request is never left hanging.
///
/// A handle kept after its request is over (the connection has gone on to the next
/// request) writes nothing: `write_headers` and `write` fail with an `HTTPOutputError`,
/// `finish` does nothing, and `detach` gives `None`.
pub struct HTTP1Connection {
    pub(crate) conn: Rc<ConnState>,
    pub(crate) request: u64,
}

impl HTTP1Connection {
    /// The exchange, if this handle's request is the one in flight.
    fn exchange(&self) -> Option<&Exchange> {
        (self.conn.request.get() == self.request).then_some(&self.conn.exchange)
    }

    /// Takes over the connection's stream, ending HTTP processing on it: for protocols
    /// that start with an HTTP handshake (WebSockets). Only meaningful while the delegate
    /// handles `headers_received`; `None` if the stream was already taken.
    pub fn detach(&self) -> Option<IOStream> {
        let exchange = self.exchange()?;
        let conn = &self.conn;
        conn.flush();
        let stream = conn.stream.borrow_mut().take()?;
        stream.set_close_callback(None);
        exchange.detached.set(true);
        exchange.write_finished.set(true);
        conn.wake();
        Some(stream)
    }

    /// The stream, while the connection has it.
    pub fn stream(&self) -> Option<IOStream> {
        self.conn.stream()
    }
}

fn request_over() -> Error {
    Error::output("the request this connection was for is over")
}

impl HTTP1Connection {
    /// `write_headers`, for a whole response when `whole` holds its body's length.
    fn write_head(
        &self,
        start_line: &ResponseStartLine,
        headers: &HTTPHeaders,
        chunk: Option<Bytes>,
        whole: Option<u64>,
    ) -> Result<()> {
        let conn = &*self.conn;
        let exchange = self.exchange().ok_or_else(request_over)?;
        conn.check_open()?;
        if exchange.headers_written.get() {
            return Err(Error::output("Response headers were already written"));
        }
        let mark = conn.mark();
        if conn.draining.get() {
            exchange.disconnect_on_finish.set(true);
        }
        let (plan, head) = {
            let mut facts = exchange.facts.borrow_mut();
            facts.disconnect_on_finish = exchange.disconnect_on_finish.get();
            let plan = match whole {
                None => framing::plan_response(&facts, start_line.code, headers),
                Some(length) => {
                    let now = clock::system_time();
                    framing::plan_whole_response(&facts, start_line.code, headers, length, now)
                }
            };
            (plan, facts.method == Method::HEAD)
        };
        let plan = match plan {
            Ok(plan) => plan,
            Err(err) => {
                conn.close();
                return Err(err);
            }
        };
        conn.append(|out| {
            framing::encode_response_head(out, start_line.code, &start_line.reason, headers, &plan)
        })?;
        exchange.plan.set(Some(plan));
        exchange.remaining.set(plan.expected);
        exchange.headers_written.set(true);
        // A whole answer to HEAD: its length was declared, its body is not sent.
        let chunk = chunk.filter(|_| !(head && whole.is_some()));
        if let Some(chunk) = chunk {
            conn.body(chunk, mark)?;
        }
        conn.maybe_flush();
        Ok(())
    }
}

impl HTTPConnection for HTTP1Connection {
    fn write_headers(
        &self,
        start_line: &StartLine,
        headers: &HTTPHeaders,
        chunk: Option<Bytes>,
    ) -> Result<()> {
        let StartLine::Response(start_line) = start_line else {
            // Checked after the request: a stale handle reports that first.
            self.exchange().ok_or_else(request_over)?;
            return Err(Error::output("a server writes a response start line"));
        };
        self.write_head(start_line, headers, chunk, None)
    }

    fn write_response(
        &self,
        start_line: &ResponseStartLine,
        headers: &HTTPHeaders,
        body: Bytes,
    ) -> Result<()> {
        let length = body.len() as u64;
        self.write_head(start_line, headers, Some(body), Some(length))?;
        self.finish()
    }

    fn write(&self, chunk: Bytes) -> Result<()> {
        let conn = &*self.conn;
        let exchange = self.exchange().ok_or_else(request_over)?;
        conn.check_open()?;
        if !exchange.headers_written.get() {
            return Err(Error::output("write() before write_headers()"));
        }
        let mark = conn.mark();
        conn.body(chunk, mark)?;
        conn.maybe_flush();
        Ok(())
    }

    fn finish(&self) -> Result<()> {
        let conn = &*self.conn;
        let Some(exchange) = self.exchange() else {
            return Ok(());
        };
        if exchange.write_finished.get() {
            return Ok(());
        }
        let open = !conn.stream_closed();
        if let Some(remaining) = exchange.remaining.get().filter(|&r| r != 0 && open) {
            conn.close();
            exchange.write_finished.set(true);
            conn.wake();
            return Err(Error::output(format!(
                "Tried to write {remaining} bytes less than Content-Length"
            )));
        }
        if open && exchange.plan.get().is_some_and(|p| p.chunked) {
            conn.append(|out| out.extend_from_slice(framing::LAST_CHUNK));
        }
        exchange.write_finished.set(true);
        if !exchange.read_finished.get() {
            // The body is still coming: closing is the only way not to read it all.
            exchange.disconnect_on_finish.set(true);
        }
        conn.maybe_flush();
        conn.wake();
        Ok(())
    }

    fn flush(&self) -> ConnectionFuture {
        let conn = &self.conn;
        conn.flush();
        match conn.stream() {
            Some(stream) => {
                let flushed = stream.flush();
                Box::pin(async move { flushed.await.map_err(|_| Error::stream_closed()) })
            }
            None => Box::pin(async { Err(Error::stream_closed()) }),
        }
    }

    fn set_close_callback(&self, callback: Option<Box<dyn FnOnce()>>) {
        if let Some(exchange) = self.exchange() {
            let old = std::mem::replace(&mut *exchange.close_callback.borrow_mut(), callback);
            drop(old);
        }
    }

    fn context(&self) -> &ConnectionContext {
        &self.conn.context
    }

    fn start_time(&self) -> Instant {
        clock::instant()
    }

    fn set_max_body_size(&self, max_body_size: usize) {
        if let Some(exchange) = self.exchange() {
            exchange.max_body_size.set(max_body_size);
        }
    }

    fn set_body_timeout(&self, timeout: Option<Duration>) {
        if let Some(exchange) = self.exchange() {
            exchange.body_timeout.set(timeout);
        }
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

impl Drop for HTTP1Connection {
    fn drop(&mut self) {
        if let Some(exchange) = self.exchange()
            && !exchange.write_finished.get()
        {
            exchange.abandoned.set(true);
            self.conn.wake();
        }
    }
}

impl fmt::Debug for HTTP1Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let exchange = self.exchange();
        f.debug_struct("HTTP1Connection")
            .field("context", &self.conn.context)
            .field("current", &exchange.is_some())
            .field(
                "headers_written",
                &exchange.is_none_or(|e| e.headers_written.get()),
            )
            .field("finished", &exchange.is_none_or(|e| e.write_finished.get()))
            .finish()
    }
}

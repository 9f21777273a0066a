//! `read_with`: a read that a parser decides, for protocol code (the HTTP/1 head).

use std::future::poll_fn;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::error::{Error, Result, UnsatisfiableReadError};
use crate::stream::{IOStream, Inner};

impl IOStream {
    /// Reads until `parse` makes something of the buffered bytes.
    ///
    /// `parse` is called with everything buffered, each time more arrives. It returns
    /// `Ok(None)` to ask for more, `Ok(Some((consumed, value)))` when it is done — the
    /// first `consumed` bytes are dropped from the buffer and the read returns
    /// `Ok(Ok(value))` — or `Err(e)`, which ends the read with `Ok(Err(e))` and consumes
    /// nothing. `parse` may keep state between calls (how far it has searched), since
    /// bytes only ever get appended while it waits.
    ///
    /// If more than `max_bytes` are buffered and `parse` still wants more, the read fails
    /// with [`Error::Unsatisfiable`] and the stream closes, as for
    /// [`read_until`](IOStream::read_until). Stream errors are the outer `Err`.
    ///
    /// ```
    /// use std::os::unix::net::UnixStream;
    /// use tornado_ioloop::IOLoop;
    /// use tornado_iostream::IOStream;
    ///
    /// let io_loop = IOLoop::new()?;
    /// let number = io_loop.run_sync(async {
    ///     let (a, b) = UnixStream::pair()?;
    ///     let (a, b) = (IOStream::from_unix(a)?, IOStream::from_unix(b)?);
    ///     a.write("1234;rest").await?;
    ///     // A decimal number ended by ';'.
    ///     let parsed = b.read_with(Some(16), |data| {
    ///         match data.iter().position(|&c| c == b';') {
    ///             None => Ok(None),
    ///             Some(end) => std::str::from_utf8(&data[..end])
    ///                 .ok()
    ///                 .and_then(|s| s.parse::<u32>().ok())
    ///                 .map(|n| Some((end + 1, n)))
    ///                 .ok_or("not a number"),
    ///         }
    ///     }).await?;
    ///     Ok::<_, tornado_iostream::Error>(parsed)
    /// }, None)??;
    /// assert_eq!(number, Ok(1234));
    /// io_loop.close(false)?;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn read_with<T, E>(
        &self,
        max_bytes: Option<usize>,
        mut parse: impl FnMut(&[u8]) -> std::result::Result<Option<(usize, T)>, E>,
    ) -> Result<std::result::Result<T, E>> {
        let _guard = self.inner.start_read()?;
        poll_fn(|cx| self.inner.poll_read_with(cx, max_bytes, &mut parse)).await
    }
}

impl IOStream {
    /// Runs `parse` on what is already buffered, without reading from the socket:
    /// `Some(value)` (its bytes consumed) if it made something of it, `None` if it wants
    /// more (or nothing is buffered). Lets protocol code tell whether the next message
    /// is already here before deciding to flush and wait.
    pub fn try_read_with<T, E>(
        &self,
        mut parse: impl FnMut(&[u8]) -> std::result::Result<Option<(usize, T)>, E>,
    ) -> Option<std::result::Result<T, E>> {
        let mut state = self.inner.state.borrow_mut();
        if state.reading || state.buffer.is_empty() {
            return None;
        }
        match parse(&state.buffer) {
            Err(err) => Some(Err(err)),
            Ok(None) => None,
            Ok(Some((consumed, value))) => {
                let consumed = consumed.min(state.buffer.len());
                // Advancing keeps the buffer's own storage (a split would make it shared).
                bytes::Buf::advance(&mut state.buffer, consumed);
                if state.buffer.is_empty() {
                    state.buffer = bytes::BytesMut::new();
                }
                Some(Ok(value))
            }
        }
    }
}

/// How many times one poll may read from the transport before yielding.
const MAX_READS_PER_POLL: usize = 32;

/// What one read into the scratch buffer led to.
enum Scratch<T> {
    /// The parser made something of it (or refused it); leftovers are buffered.
    Done(T),
    /// It was all buffered: the parser wants more.
    Buffered,
    /// Nothing to read now.
    WouldBlock,
    /// The end of the stream, or an error: the stream is closed now.
    Closed,
}

impl Inner {
    fn unsatisfiable(&self, max: usize) -> Error {
        let err = Error::Unsatisfiable(UnsatisfiableReadError {
            message: format!("message not complete within {max} bytes"),
        });
        log::info!(target: "tornado.general", "Unsatisfiable read, closing connection: {err}");
        self.close(None);
        err
    }

    /// Reads once into the scratch buffer and runs `parse` on what came.
    fn read_scratch<T, E>(
        &self,
        parse: &mut impl FnMut(&[u8]) -> std::result::Result<Option<(usize, T)>, E>,
    ) -> Scratch<std::result::Result<T, E>> {
        let chunk = self.options.read_chunk_size.max(1);
        crate::read::with_scratch(chunk, |scratch| {
            let result = match self.io.borrow_mut().as_mut() {
                Some(io) => {
                    let result = io.transport.read(scratch);
                    if let Ok(n) = result {
                        io.note_read(n, scratch.len());
                    }
                    result
                }
                None => Ok(0),
            };
            let n = match result {
                Ok(0) => {
                    self.close(None);
                    return Scratch::Closed;
                }
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return Scratch::WouldBlock,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => return Scratch::Buffered,
                Err(e) => {
                    self.close(Some(e));
                    return Scratch::Closed;
                }
            };
            let data = &scratch[..n];
            match parse(data) {
                Ok(Some((consumed, value))) => {
                    let consumed = consumed.min(n);
                    if consumed < n {
                        self.state
                            .borrow_mut()
                            .buffer
                            .extend_from_slice(&data[consumed..]);
                    }
                    Scratch::Done(Ok(value))
                }
                Ok(None) => {
                    self.state.borrow_mut().buffer.extend_from_slice(data);
                    Scratch::Buffered
                }
                Err(err) => {
                    self.state.borrow_mut().buffer.extend_from_slice(data);
                    Scratch::Done(Err(err))
                }
            }
        })
    }

    fn poll_read_with<T, E>(
        self: &Rc<Self>,
        cx: &mut Context<'_>,
        max_bytes: Option<usize>,
        parse: &mut impl FnMut(&[u8]) -> std::result::Result<Option<(usize, T)>, E>,
    ) -> Poll<Result<std::result::Result<T, E>>> {
        for _ in 0..MAX_READS_PER_POLL {
            let (buffered, closed) = {
                let state = self.state.borrow();
                (!state.buffer.is_empty(), state.closed)
            };
            if buffered {
                let mut state = self.state.borrow_mut();
                match parse(&state.buffer) {
                    Err(err) => return Poll::Ready(Ok(Err(err))),
                    Ok(Some((consumed, value))) => {
                        let consumed = consumed.min(state.buffer.len());
                        bytes::Buf::advance(&mut state.buffer, consumed);
                        if state.buffer.is_empty() {
                            state.buffer = bytes::BytesMut::new();
                        }
                        return Poll::Ready(Ok(Ok(value)));
                    }
                    Ok(None) => {}
                }
                let size = state.buffer.len();
                drop(state);
                if let Some(max) = max_bytes.filter(|&max| size > max) {
                    return Poll::Ready(Err(self.unsatisfiable(max)));
                }
            } else if !closed {
                // Nothing buffered: read into the scratch buffer and parse there, so
                // that a message that arrives whole is never copied into the stream.
                if self.poll_read_ready(cx).is_pending() {
                    return Poll::Pending;
                }
                match self.read_scratch(parse) {
                    Scratch::Done(result) => return Poll::Ready(Ok(result)),
                    Scratch::Buffered => {
                        let size = self.state.borrow().buffer.len();
                        if let Some(max) = max_bytes.filter(|&max| size > max) {
                            return Poll::Ready(Err(self.unsatisfiable(max)));
                        }
                        continue;
                    }
                    Scratch::Closed => continue,
                    Scratch::WouldBlock => match self.pend_read(cx) {
                        Poll::Ready(()) => continue,
                        Poll::Pending => return Poll::Pending,
                    },
                }
            }
            if self.state.borrow().closed {
                let error = self.state.borrow().error.clone();
                return Poll::Ready(Err(Error::closed(error)));
            }
            match self.fill(cx, None) {
                Poll::Ready(Ok(_)) => {}
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

//! Writing: data is queued at once and written at once if the socket takes it; what it
//! does not take is sent by a flusher task as the socket drains, whether or not anyone
//! awaits the write.

use std::future::Future;
use std::io::IoSlice;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use bytes::Bytes;
use tornado_ioloop::Events;

use crate::error::{Error, Result};
use crate::stream::{IOStream, Inner};

/// The most buffers handed to one writev(2).
const MAX_IOVECS: usize = 64;

/// The future of [`IOStream::write`]: resolves when the data has been handed to the kernel,
/// or fails if the stream closes first. Dropping it does not cancel the write.
#[must_use = "the write happens anyway; await the future to know when it is done"]
pub struct WriteFuture {
    inner: Rc<Inner>,
    outcome: WriteOutcome,
}

enum WriteOutcome {
    /// Waits for `written_total` to reach this.
    Until(u64),
    /// Failed before anything was queued.
    Failed(Option<Error>),
}

impl Future for WriteFuture {
    type Output = Result<()>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<()>> {
        let end = match &mut self.outcome {
            WriteOutcome::Failed(error) => {
                return Poll::Ready(Err(error.take().unwrap_or_else(|| Error::closed(None))));
            }
            WriteOutcome::Until(end) => *end,
        };
        let mut state = self.inner.state.borrow_mut();
        if state.written_total >= end {
            return Poll::Ready(Ok(()));
        }
        if state.closed {
            return Poll::Ready(Err(Error::closed(state.error.clone())));
        }
        match state.write_waiters.iter_mut().find(|(e, _)| *e == end) {
            Some((_, waker)) if waker.will_wake(cx.waker()) => {}
            Some((_, waker)) => *waker = cx.waker().clone(),
            None => state.write_waiters.push((end, cx.waker().clone())),
        }
        Poll::Pending
    }
}

impl std::fmt::Debug for WriteFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WriteFuture").finish_non_exhaustive()
    }
}

impl IOStream {
    /// Writes `data` to the stream.
    ///
    /// The data is queued (and written, as far as the socket takes it) now; the returned
    /// future resolves once all of it has reached the kernel. Writes go out in the order
    /// they were made. Large `Bytes` are not copied: they are written straight from where
    /// they are, several at a time with writev(2).
    pub fn write(&self, data: impl Into<Bytes>) -> WriteFuture {
        let data = data.into();
        let inner = &self.inner;
        let outcome = inner.queue_write(data);
        WriteFuture {
            inner: inner.clone(),
            outcome,
        }
    }

    /// Writes a copy of `data`: as much as the socket takes is written straight from
    /// the slice, with no allocation, and only what it does not take is copied into the
    /// queue. For small messages built in a reused buffer (HTTP responses).
    pub fn write_slice(&self, data: &[u8]) -> WriteFuture {
        let inner = &self.inner;
        let idle = {
            let state = inner.state.borrow();
            !state.closed && state.queue.is_empty() && !state.flushing
        };
        let mut sent = 0;
        if idle && !data.is_empty() {
            loop {
                let result = match inner.io.borrow_mut().as_mut() {
                    Some(io) => io.transport.write(&data[sent..]),
                    None => break,
                };
                match result {
                    Ok(0) => break,
                    Ok(n) => {
                        let mut state = inner.state.borrow_mut();
                        state.queued_total += n as u64;
                        state.written_total += n as u64;
                        sent += n;
                        if sent == data.len() {
                            let end = state.queued_total;
                            return WriteFuture {
                                inner: inner.clone(),
                                outcome: WriteOutcome::Until(end),
                            };
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(_) => break,
                }
            }
        }
        // What the socket did not take (or an error, which the queued write reports).
        self.write(Bytes::copy_from_slice(&data[sent..]))
    }

    /// Waits until everything written so far has reached the kernel.
    pub fn flush(&self) -> WriteFuture {
        let end = self.inner.state.borrow().queued_total;
        WriteFuture {
            inner: self.inner.clone(),
            outcome: WriteOutcome::Until(end),
        }
    }
}

impl Inner {
    fn queue_write(self: &Rc<Self>, data: Bytes) -> WriteOutcome {
        let mut state = self.state.borrow_mut();
        if state.closed {
            return WriteOutcome::Failed(Some(Error::closed(state.error.clone())));
        }
        if let Some(limit) = self
            .options
            .max_write_buffer_size
            .filter(|&limit| state.queued_bytes + data.len() > limit)
        {
            return WriteOutcome::Failed(Some(Error::WriteBufferFull(limit)));
        }
        state.queued_total += data.len() as u64;
        let end = state.queued_total;
        if data.is_empty() {
            return WriteOutcome::Until(end);
        }
        let first = state.queue.is_empty() && !state.flushing;
        state.queued_bytes += data.len();
        state.queue.push_back(data);
        drop(state);
        if first {
            // Nothing ahead of this write: try the socket now.
            self.write_some();
        }
        if !self.state.borrow().queue.is_empty() {
            ensure_flusher(self);
        }
        WriteOutcome::Until(end)
    }

    /// Writes from the queue until it is empty or the socket is full. Returns true when
    /// the socket is full (`WouldBlock`) and data remains.
    pub(crate) fn write_some(&self) -> bool {
        loop {
            let (result, full) = {
                let state = self.state.borrow();
                let mut io = self.io.borrow_mut();
                let Some(io) = io.as_mut() else {
                    return false;
                };
                let (result, offered) = match state.queue.len() {
                    0 => break,
                    // The common case (one message) without building an iovec array.
                    1 => (io.transport.write(&state.queue[0]), state.queue[0].len()),
                    _ => {
                        let mut slices = [IoSlice::new(&[]); MAX_IOVECS];
                        let mut count = 0;
                        let mut offered = 0;
                        for chunk in state.queue.iter().take(MAX_IOVECS) {
                            slices[count] = IoSlice::new(chunk);
                            count += 1;
                            offered += chunk.len();
                        }
                        (io.transport.write_vectored(&slices[..count]), offered)
                    }
                };
                // A socket that took less than it was offered is full: wait for it to
                // drain rather than try a write that would fail with EAGAIN.
                let full =
                    matches!(result, Ok(n) if n < offered) && io.transport.partial_read_drains();
                if full {
                    io.registration.clear_ready(Events::WRITE);
                }
                (result, full)
            };
            match result {
                Ok(0) => {
                    self.close(Some(std::io::ErrorKind::WriteZero.into()));
                    return false;
                }
                Ok(n) => {
                    self.consume_written(n);
                    if full {
                        return true;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return true,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    self.close(Some(e));
                    return false;
                }
            }
        }
        // The transport may hold data of its own (TLS records) to push out.
        let flushed = match self.io.borrow_mut().as_mut() {
            Some(io) if io.transport.wants_flush() => io.transport.flush(),
            _ => Ok(()),
        };
        match flushed {
            Ok(()) => false,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => true,
            Err(e) => {
                self.close(Some(e));
                false
            }
        }
    }

    /// Drops `n` written bytes from the front of the queue and wakes the writes that are
    /// now done.
    fn consume_written(&self, mut n: usize) {
        let mut state = self.state.borrow_mut();
        state.written_total += n as u64;
        state.queued_bytes -= n;
        while n > 0 {
            let Some(front) = state.queue.front_mut() else {
                break;
            };
            if front.len() <= n {
                n -= front.len();
                state.queue.pop_front();
            } else {
                let _ = front.split_to(n);
                n = 0;
            }
        }
        let written = state.written_total;
        let mut i = 0;
        while i < state.write_waiters.len() {
            if state.write_waiters[i].0 <= written {
                let (_, waker) = state.write_waiters.swap_remove(i);
                waker.wake();
            } else {
                i += 1;
            }
        }
    }
}

impl Inner {
    /// Before a write from the flusher: `Pending` (the task registered) if a short write
    /// showed the socket full and it has not drained since; `Ready` to try the write.
    fn poll_write_ready(&self, cx: &mut Context<'_>) -> Poll<()> {
        match self.io.borrow().as_ref() {
            Some(io) if io.transport.partial_read_drains() && !io.transport.handshaking() => {
                io.registration.poll_ready(cx, Events::WRITE).map(drop)
            }
            _ => Poll::Ready(()),
        }
    }
}

/// Starts the flusher task if it is not running.
pub(crate) fn ensure_flusher(inner: &Rc<Inner>) {
    {
        let mut state = inner.state.borrow_mut();
        if state.flushing || state.closed {
            return;
        }
        state.flushing = true;
    }
    // A strong reference: queued data is sent even if every handle is dropped, and the
    // stream closes once it is.
    let inner = inner.clone();
    let io_loop = inner.io_loop.clone();
    io_loop.spawn_callback(async move {
        std::future::poll_fn(|cx| {
            loop {
                if inner.state.borrow().closed {
                    break;
                }
                if inner.poll_write_ready(cx).is_pending() {
                    // A short write filled the socket: nothing to try until it drains.
                    return Poll::Pending;
                }
                if !inner.write_some() {
                    let wants_flush = inner
                        .io
                        .borrow()
                        .as_ref()
                        .is_some_and(|io| io.transport.wants_flush());
                    if inner.state.borrow().queue.is_empty() && !wants_flush {
                        break;
                    }
                }
                if inner.poll_ready(cx, Events::WRITE).is_pending() {
                    return Poll::Pending;
                }
            }
            let close = {
                let mut state = inner.state.borrow_mut();
                state.flushing = false;
                state.close_when_flushed && !state.closed
            };
            if close {
                inner.close(None);
            }
            Poll::Ready(())
        })
        .await
    });
}

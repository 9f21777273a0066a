//! Reading: the read operations, the shared scratch buffer, and the close watcher.
//!
//! Every read(2) goes into one buffer per thread (the loop's scratch), and only the bytes
//! not consumed at once are copied into the stream's own buffer. A read that finishes
//! leaves the stream's buffer empty and without an allocation, so an idle connection
//! costs no buffer memory.

use std::cell::RefCell;
use std::future::poll_fn;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll};

use bytes::{Bytes, BytesMut};
use regex::bytes::Regex;
use tornado_ioloop::Events;

use crate::error::{Error, Result, UnsatisfiableReadError};
use crate::stream::{IOStream, Inner, State};

/// Reads from the transport per poll before yielding to the loop: a peer sending faster
/// than we read cannot monopolise the thread.
const MAX_READS_PER_POLL: usize = 32;

thread_local! {
    /// The loop-wide scratch buffer every read(2) lands in.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with the thread's scratch buffer, at least `len` bytes long.
pub(crate) fn with_scratch<R>(len: usize, f: impl FnOnce(&mut [u8]) -> R) -> R {
    SCRATCH.with(|scratch| {
        let mut scratch = scratch.borrow_mut();
        if scratch.len() < len {
            scratch.resize(len, 0);
        }
        f(&mut scratch[..len])
    })
}

/// What a read waits for.
pub(crate) enum Want<'a> {
    Bytes {
        n: usize,
        partial: bool,
    },
    Until {
        delimiter: &'a [u8],
        max: Option<usize>,
        searched: usize,
    },
    Regex {
        regex: &'a Regex,
        max: Option<usize>,
    },
    UntilClose,
}

/// Python's `repr` of a byte string, for Tornado's error messages.
fn bytes_repr(bytes: &[u8]) -> String {
    let mut out = String::from("b'");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\'' => out.push_str("\\'"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('\'');
    out
}

/// Takes the first `n` buffered bytes, releasing the buffer's allocation when nothing is
/// left so an idle stream holds none.
fn take(state: &mut State, n: usize) -> Bytes {
    let taken = state.buffer.split_to(n).freeze();
    if state.buffer.is_empty() {
        state.buffer = BytesMut::new();
    }
    taken
}

/// Satisfies `want` from the buffer if it can: `None` means more data is needed.
fn satisfy(state: &mut State, want: &mut Want<'_>) -> Option<Result<Bytes>> {
    Some(find(want, &state.buffer)?.map(|end| take(state, end)))
}

/// Where the data that satisfies `want` ends in `buffer`, if it is there: `None` means
/// more data is needed.
fn find(want: &mut Want<'_>, buffer: &[u8]) -> Option<Result<usize>> {
    match want {
        Want::Bytes { n, partial } => {
            let available = buffer.len();
            if available >= *n || (*partial && available > 0) {
                Some(Ok((*n).min(available)))
            } else {
                None
            }
        }
        Want::Until {
            delimiter,
            max,
            searched,
        } => {
            // Only the bytes not searched before, plus a delimiter's length of overlap.
            let start = searched.saturating_sub(delimiter.len().saturating_sub(1));
            let found = memchr::memmem::find(&buffer[start.min(buffer.len())..], delimiter)
                .map(|pos| start + pos + delimiter.len());
            let size = found.unwrap_or(buffer.len());
            if max.is_some_and(|max| size > max) {
                return Some(Err(Error::Unsatisfiable(UnsatisfiableReadError {
                    message: format!(
                        "delimiter {} not found within {} bytes",
                        bytes_repr(delimiter),
                        max.unwrap_or_default()
                    ),
                })));
            }
            *searched = buffer.len();
            found.map(Ok)
        }
        Want::Regex { regex, max } => {
            let found = regex.find(buffer).map(|m| m.end());
            let size = found.unwrap_or(buffer.len());
            if max.is_some_and(|max| size > max) {
                return Some(Err(Error::Unsatisfiable(UnsatisfiableReadError {
                    message: format!(
                        "regex {} not found within {} bytes",
                        bytes_repr(regex.as_str().as_bytes()),
                        max.unwrap_or_default()
                    ),
                })));
            }
            found.map(Ok)
        }
        Want::UntilClose => None,
    }
}

impl Inner {
    /// Drives a read: from the buffer if it can, else from the transport.
    pub(crate) fn poll_read(
        self: &Rc<Self>,
        cx: &mut Context<'_>,
        want: &mut Want<'_>,
    ) -> Poll<Result<Bytes>> {
        for _ in 0..MAX_READS_PER_POLL {
            {
                let mut state = self.state.borrow_mut();
                match satisfy(&mut state, want) {
                    Some(Ok(bytes)) => return Poll::Ready(Ok(bytes)),
                    Some(Err(err)) => {
                        drop(state);
                        log::info!(target: "tornado.general", "Unsatisfiable read, closing connection: {err}");
                        self.close(None);
                        return Poll::Ready(Err(err));
                    }
                    None => {}
                }
                if state.closed {
                    return Poll::Ready(match want {
                        Want::UntilClose => {
                            let n = state.buffer.len();
                            Ok(take(&mut state, n))
                        }
                        _ => Err(Error::closed(state.error.clone())),
                    });
                }
            }
            match self.fill(cx, Some(want)) {
                Poll::Ready(Ok(Some(bytes))) => return Poll::Ready(Ok(bytes)),
                Poll::Ready(Ok(None)) => {}
                Poll::Ready(Err(err)) => return Poll::Ready(Err(err)),
                Poll::Pending => return Poll::Pending,
            }
        }
        // Plenty came in one go: let the rest of the loop run, then carry on.
        cx.waker().wake_by_ref();
        Poll::Pending
    }

    /// Reads once from the transport into the buffer. `Ready(Ok)` when something changed
    /// (data, end of stream, an error that closed the stream); `Pending` with the task
    /// registered for readability when there is nothing to read.
    ///
    /// With a `want`, and nothing buffered, data that satisfies it is returned at once
    /// (`Ready(Ok(Some))`), copied once out of the scratch buffer; only what is left over
    /// goes into the stream's buffer.
    pub(crate) fn fill(
        self: &Rc<Self>,
        cx: &mut Context<'_>,
        want: Option<&mut Want<'_>>,
    ) -> Poll<Result<Option<Bytes>>> {
        if self.poll_read_ready(cx).is_pending() {
            return Poll::Pending;
        }
        let chunk = self.options.read_chunk_size.max(1);
        let mut wants_flush = false;
        let mut taken = None;
        let outcome = SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            if scratch.len() < chunk {
                scratch.resize(chunk, 0);
            }
            let mut io = self.io.borrow_mut();
            let Some(io) = io.as_mut() else {
                return Ok(0);
            };
            let result = io.transport.read(&mut scratch[..chunk]);
            if let Ok(n) = result {
                io.note_read(n, chunk);
            }
            if let Ok(n @ 1..) = result {
                let data = &scratch[..n];
                let mut state = self.state.borrow_mut();
                let end = match want {
                    Some(want) if state.buffer.is_empty() => match find(want, data) {
                        Some(Ok(end)) => Some(end),
                        _ => None,
                    },
                    _ => None,
                };
                match end {
                    Some(end) => {
                        taken = Some(Bytes::copy_from_slice(&data[..end]));
                        if end < n {
                            state.buffer.extend_from_slice(&data[end..]);
                        }
                    }
                    None => state.buffer.extend_from_slice(data),
                }
            }
            wants_flush = io.transport.wants_flush();
            result
        });
        if wants_flush {
            // The read produced records to send (a TLS key update, say).
            crate::write::ensure_flusher(self);
        }
        match outcome {
            Ok(0) => {
                // The end of the stream: the peer closed (or we already had).
                self.close(None);
                Poll::Ready(Ok(None))
            }
            Ok(_) => {
                let size = self.state.borrow().buffer.len();
                if size > self.options.max_buffer_size {
                    log::error!(target: "tornado.general", "Reached maximum read buffer size");
                    self.close(None);
                    return Poll::Ready(Err(Error::ReadBufferFull(self.options.max_buffer_size)));
                }
                Poll::Ready(Ok(taken))
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                self.pend_read(cx).map(|()| Ok(None))
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Poll::Ready(Ok(None)),
            Err(e) => {
                self.close(Some(e));
                Poll::Ready(Ok(None))
            }
        }
    }

    /// Before a read: `Pending` (the task registered as the reader) if the descriptor
    /// is known to have nothing to read, since a short read drained it; `Ready` to try
    /// the read.
    pub(crate) fn poll_read_ready(self: &Rc<Self>, cx: &mut Context<'_>) -> Poll<()> {
        let ready = match self.io.borrow().as_ref() {
            Some(io) if io.transport.partial_read_drains() => {
                io.registration.poll_ready(cx, Events::READ).is_ready()
            }
            _ => true,
        };
        if ready {
            return Poll::Ready(());
        }
        let mut state = self.state.borrow_mut();
        match &mut state.reader_waker {
            Some(old) if old.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }

    /// After a read would block: waits for readability (registering the task), or is
    /// ready at once if readiness came back meanwhile.
    pub(crate) fn pend_read(self: &Rc<Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.wants_flush() {
            crate::write::ensure_flusher(self);
        }
        match self.poll_ready(cx, Events::READ) {
            Poll::Ready(()) => Poll::Ready(()),
            Poll::Pending => {
                let mut state = self.state.borrow_mut();
                match &mut state.reader_waker {
                    Some(old) if old.will_wake(cx.waker()) => {}
                    slot => *slot = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
        }
    }

    fn wants_flush(&self) -> bool {
        self.io
            .borrow()
            .as_ref()
            .is_some_and(|io| io.transport.wants_flush())
    }

    /// Marks a read as started; a second concurrent read is an error.
    pub(crate) fn start_read(self: &Rc<Self>) -> Result<ReadGuard> {
        let mut state = self.state.borrow_mut();
        if state.reading {
            return Err(Error::AlreadyReading);
        }
        state.reading = true;
        Ok(ReadGuard {
            inner: self.clone(),
        })
    }
}

/// Ends a read, however it ends (finished or its future dropped).
pub(crate) struct ReadGuard {
    inner: Rc<Inner>,
}

impl Drop for ReadGuard {
    fn drop(&mut self) {
        let watcher = {
            let mut state = self.inner.state.borrow_mut();
            state.reading = false;
            // The reader's waker stays: the next read (most often by the same task)
            // finds it in place, and a stale one only wakes its task once for nothing.
            state.watcher_waker.take()
        };
        // The close watcher steps aside while a read runs; it resumes now.
        if let Some(waker) = watcher {
            waker.wake();
        }
    }
}

impl IOStream {
    async fn read_want(&self, mut want: Want<'_>) -> Result<Bytes> {
        let _guard = self.inner.start_read()?;
        poll_fn(|cx| self.inner.poll_read(cx, &mut want)).await
    }

    /// Reads `n` bytes; with `partial`, returns as soon as any bytes are available (at
    /// most `n`). A closed stream still returns what it had buffered, if that satisfies
    /// the read.
    pub async fn read_bytes(&self, n: usize, partial: bool) -> Result<Bytes> {
        self.read_want(Want::Bytes { n, partial }).await
    }

    /// Reads up to and including `delimiter`. If it is not found within `max_bytes`, the
    /// read fails with [`Error::Unsatisfiable`] and the stream closes.
    pub async fn read_until(&self, delimiter: &[u8], max_bytes: Option<usize>) -> Result<Bytes> {
        self.read_want(Want::Until {
            delimiter,
            max: max_bytes,
            searched: 0,
        })
        .await
    }

    /// Reads up to the end of the first match of `regex` (everything before it included).
    /// If it does not match within `max_bytes`, the read fails and the stream closes.
    pub async fn read_until_regex(&self, regex: &Regex, max_bytes: Option<usize>) -> Result<Bytes> {
        self.read_want(Want::Regex {
            regex,
            max: max_bytes,
        })
        .await
    }

    /// Reads everything until the peer closes the stream, and returns it (bounded by
    /// `max_buffer_size`; for more, loop over `read_bytes(n, true)`).
    pub async fn read_until_close(&self) -> Result<Bytes> {
        self.read_want(Want::UntilClose).await
    }

    /// Reads into `buf`: until it is full, or with `partial` as soon as any bytes are
    /// available; returns how many bytes were read. When the stream's buffer is empty the
    /// data goes straight from the kernel into `buf`, with no copy in between.
    ///
    /// If the future is dropped before it finishes, the bytes already placed in `buf` are
    /// no longer in the stream.
    pub async fn read_into(&self, buf: &mut [u8], partial: bool) -> Result<usize> {
        let _guard = self.inner.start_read()?;
        let mut filled = 0;
        poll_fn(|cx| self.inner.poll_read_into(cx, buf, &mut filled, partial)).await
    }
}

impl Inner {
    pub(crate) fn poll_read_into(
        self: &Rc<Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
        filled: &mut usize,
        partial: bool,
    ) -> Poll<Result<usize>> {
        // Buffered bytes first.
        {
            let mut state = self.state.borrow_mut();
            let n = state.buffer.len().min(buf.len() - *filled);
            if n > 0 {
                buf[*filled..*filled + n].copy_from_slice(&state.buffer[..n]);
                drop(take(&mut state, n));
                *filled += n;
            }
        }
        for _ in 0..MAX_READS_PER_POLL {
            if *filled == buf.len() || (partial && *filled > 0) {
                return Poll::Ready(Ok(*filled));
            }
            if self.state.borrow().closed {
                return Poll::Ready(Err(self.closed_error()));
            }
            if self.poll_read_ready(cx).is_pending() {
                return Poll::Pending;
            }
            let (result, wants_flush) = match self.io.borrow_mut().as_mut() {
                Some(io) => {
                    let want = buf.len() - *filled;
                    let result = io.transport.read(&mut buf[*filled..]);
                    if let Ok(n) = result {
                        io.note_read(n, want);
                    }
                    (result, io.transport.wants_flush())
                }
                None => (Ok(0), false),
            };
            if wants_flush {
                // The read produced records to send (a TLS key update, say).
                crate::write::ensure_flusher(self);
            }
            match result {
                Ok(0) => self.close(None),
                Ok(n) => *filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if self.wants_flush() {
                        crate::write::ensure_flusher(self);
                    }
                    if self.poll_ready(cx, Events::READ).is_pending() {
                        self.state.borrow_mut().reader_waker = Some(cx.waker().clone());
                        return Poll::Pending;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => self.close(Some(e)),
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Starts the close watcher if a close callback is set and it is not running.
///
/// While nobody reads, the watcher waits for the descriptor to become readable and reads
/// into the buffer, so that a peer's close (or a reset) is noticed and the close callback
/// runs, as Tornado does for streams with a close callback.
pub(crate) fn ensure_watcher(inner: &Rc<Inner>) {
    {
        let mut state = inner.state.borrow_mut();
        if state.watching || state.closed || state.close_callback.is_none() {
            return;
        }
        state.watching = true;
    }
    let weak = Rc::downgrade(inner);
    inner.io_loop.spawn_callback(watch(weak));
}

async fn watch(weak: Weak<Inner>) {
    poll_fn(|cx| {
        let Some(inner) = weak.upgrade() else {
            return Poll::Ready(());
        };
        loop {
            {
                let mut state = inner.state.borrow_mut();
                if state.closed || state.close_callback.is_none() {
                    state.watching = false;
                    return Poll::Ready(());
                }
                if state.reading {
                    // The reader notices the close; wait for it to finish.
                    state.watcher_waker = Some(cx.waker().clone());
                    return Poll::Pending;
                }
                if state.buffer.len() >= inner.options.max_buffer_size {
                    // Enough is buffered; let a reader take it before reading more.
                    state.watcher_waker = Some(cx.waker().clone());
                    return Poll::Pending;
                }
            }
            match inner.fill(cx, None) {
                Poll::Ready(_) => continue,
                Poll::Pending => {
                    // `fill` registered us as the reader; we are the watcher.
                    let mut state = inner.state.borrow_mut();
                    state.reader_waker = None;
                    state.watcher_waker = Some(cx.waker().clone());
                    return Poll::Pending;
                }
            }
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_reprs_follow_python() {
        assert_eq!(bytes_repr(b"\r\n\r\n"), "b'\\r\\n\\r\\n'");
        assert_eq!(bytes_repr(b"a'b\\\x00\xff"), "b'a\\'b\\\\\\x00\\xff'");
    }

    #[test]
    fn delimiters_straddling_reads_are_found_without_rescanning() {
        let mut state = State::default();
        let mut want = Want::Until {
            delimiter: b"\r\n\r\n",
            max: None,
            searched: 0,
        };
        state.buffer.extend_from_slice(b"GET / HTTP/1.1\r\n\r");
        assert!(satisfy(&mut state, &mut want).is_none());
        state.buffer.extend_from_slice(b"\nrest");
        let got = satisfy(&mut state, &mut want).unwrap().unwrap();
        assert_eq!(&got[..], b"GET / HTTP/1.1\r\n\r\n");
        assert_eq!(&state.buffer[..], b"rest");
    }

    #[test]
    fn max_bytes_makes_reads_unsatisfiable() {
        let mut state = State::default();
        state.buffer.extend_from_slice(b"abcdef");
        let mut want = Want::Until {
            delimiter: b"\n",
            max: Some(5),
            searched: 0,
        };
        let err = satisfy(&mut state, &mut want).unwrap().unwrap_err();
        assert_eq!(err.to_string(), "delimiter b'\\n' not found within 5 bytes");
        let regex = Regex::new("z+").unwrap();
        let mut want = Want::Regex {
            regex: &regex,
            max: Some(3),
        };
        assert!(satisfy(&mut state, &mut want).unwrap().is_err());
        let mut want = Want::Until {
            delimiter: b"f",
            max: Some(6),
            searched: 0,
        };
        assert_eq!(
            &satisfy(&mut state, &mut want).unwrap().unwrap()[..],
            b"abcdef"
        );
        assert_eq!(
            state.buffer.capacity(),
            0,
            "an emptied buffer owns no allocation"
        );
    }
}

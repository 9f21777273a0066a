//! `futures-io`'s `AsyncRead` and `AsyncWrite`, for code written against those traits.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_io::{AsyncRead, AsyncWrite};

use crate::error::Error;
use crate::stream::IOStream;

/// Above this many queued bytes, `poll_write` waits for the socket to drain.
const HIGH_WATER_MARK: usize = 64 * 1024;

impl AsyncRead for IOStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut [u8],
    ) -> Poll<io::Result<usize>> {
        if buf.is_empty() {
            return Poll::Ready(Ok(0));
        }
        if self.reading() {
            return Poll::Ready(Err(Error::AlreadyReading.into()));
        }
        let mut filled = 0;
        match self.inner.poll_read_into(cx, buf, &mut filled, true) {
            Poll::Ready(Ok(n)) => Poll::Ready(Ok(n)),
            // End of stream is a zero-length read, not an error.
            Poll::Ready(Err(Error::Closed(closed))) if closed.real_error.is_none() => {
                Poll::Ready(Ok(0))
            }
            Poll::Ready(Err(err)) => Poll::Ready(Err(err.into())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for IOStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        {
            let mut state = self.inner.state.borrow_mut();
            if state.closed {
                return Poll::Ready(Err(Error::closed(state.error.clone()).into()));
            }
            if state.queued_bytes >= HIGH_WATER_MARK {
                // Wake when what is queued now has gone out.
                let end = state.queued_total;
                state.write_waiters.push((end, cx.waker().clone()));
                return Poll::Pending;
            }
        }
        let write = self.write(bytes::Bytes::copy_from_slice(buf));
        drop(write);
        Poll::Ready(Ok(buf.len()))
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let mut flush = self.flush();
        Pin::new(&mut flush).poll(cx).map_err(io::Error::from)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.as_mut().poll_flush(cx) {
            Poll::Ready(_) => {
                self.close();
                Poll::Ready(Ok(()))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}

use std::future::Future;

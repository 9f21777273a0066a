//! Tornado's `concurrent` module: a future resolved from any thread.
//!
//! [`future_pair`] makes a [`Promise`] (the writing end, `Send` when the value is) and a
//! [`Future`] (the reading end, awaited on a loop). The thread pool behind
//! [`IOLoop::run_in_executor`](crate::IOLoop::run_in_executor) resolves its futures this
//! way, from its worker threads.
//!
//! ```
//! use tornado_ioloop::{IOLoop, concurrent};
//!
//! let io_loop = IOLoop::new().unwrap();
//! let (promise, future) = concurrent::future_pair();
//! std::thread::spawn(move || promise.set_result(6 * 7));
//! assert_eq!(io_loop.run_sync(future, None).unwrap().unwrap(), 42);
//! io_loop.close(false).unwrap();
//! ```

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use crate::IOLoop;
use crate::error::Error;

enum State<T> {
    Pending(Option<Waker>),
    Done(Result<T, Error>),
    Taken,
}

struct Inner<T> {
    state: Mutex<State<T>>,
    /// The reading end was dropped or cancelled: nobody wants the value.
    cancelled: std::sync::atomic::AtomicBool,
}

impl<T> Inner<T> {
    /// Stores the outcome unless one is already there; wakes the reader.
    fn resolve(&self, outcome: Result<T, Error>) -> bool {
        let waker = {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            match &mut *state {
                State::Pending(waker) => {
                    let waker = waker.take();
                    *state = State::Done(outcome);
                    waker
                }
                _ => return false,
            }
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        true
    }
}

/// Makes a connected [`Promise`] and [`Future`].
pub fn future_pair<T>() -> (Promise<T>, Future<T>) {
    let inner = Arc::new(Inner {
        state: Mutex::new(State::Pending(None)),
        cancelled: std::sync::atomic::AtomicBool::new(false),
    });
    (
        Promise {
            inner: Some(inner.clone()),
        },
        Future { inner },
    )
}

/// The writing end of a [`future_pair`]. Resolving consumes it; dropping it unresolved
/// resolves the future with [`Error::Cancelled`].
pub struct Promise<T> {
    inner: Option<Arc<Inner<T>>>,
}

impl<T> Promise<T> {
    /// Resolves the future with `value`. Returns false when the future was already
    /// cancelled or dropped (the value is then dropped: Tornado's
    /// `future_set_result_unless_cancelled`).
    pub fn set_result(mut self, value: T) -> bool {
        match self.inner.take() {
            Some(inner) if !inner.cancelled.load(std::sync::atomic::Ordering::Acquire) => {
                inner.resolve(Ok(value))
            }
            _ => false,
        }
    }

    /// Resolves the future with an error (Tornado's `set_exception`).
    pub fn set_error(mut self, error: Error) -> bool {
        match self.inner.take() {
            Some(inner) if !inner.cancelled.load(std::sync::atomic::Ordering::Acquire) => {
                inner.resolve(Err(error))
            }
            _ => false,
        }
    }

    /// The future was cancelled or dropped: nobody will read a value.
    pub fn is_cancelled(&self) -> bool {
        self.inner
            .as_ref()
            .is_none_or(|inner| inner.cancelled.load(std::sync::atomic::Ordering::Acquire))
    }
}

impl<T> Drop for Promise<T> {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.take() {
            inner.resolve(Err(Error::Cancelled));
        }
    }
}

impl<T> fmt::Debug for Promise<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Promise")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// The reading end of a [`future_pair`]: resolves to the promised value, or to an
/// [`Error`] (cancelled, a dropped promise, a panic in the thread that should have
/// resolved it).
pub struct Future<T> {
    inner: Arc<Inner<T>>,
}

impl<T> Future<T> {
    /// A future already resolved with `value`.
    pub fn ready(value: T) -> Future<T> {
        let (promise, future) = future_pair();
        promise.set_result(value);
        future
    }

    /// Gives up on the value: the promise sees [`Promise::is_cancelled`] and awaiting this
    /// future gives [`Error::Cancelled`]. Returns false if it was already resolved.
    pub fn cancel(&self) -> bool {
        self.inner
            .cancelled
            .store(true, std::sync::atomic::Ordering::Release);
        self.inner.resolve(Err(Error::Cancelled))
    }

    /// The future holds its outcome (or it was already taken).
    pub fn is_done(&self) -> bool {
        !matches!(
            *self
                .inner
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
            State::Pending(_)
        )
    }
}

impl<T> std::future::Future for Future<T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut state = self
            .inner
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        match &mut *state {
            State::Pending(waker) => {
                match waker {
                    Some(old) if old.will_wake(cx.waker()) => {}
                    slot => *slot = Some(cx.waker().clone()),
                }
                Poll::Pending
            }
            State::Done(_) => match std::mem::replace(&mut *state, State::Taken) {
                State::Done(outcome) => Poll::Ready(outcome),
                _ => Poll::Pending,
            },
            State::Taken => Poll::Ready(Err(Error::Cancelled)),
        }
    }
}

impl<T> Drop for Future<T> {
    fn drop(&mut self) {
        self.inner
            .cancelled
            .store(true, std::sync::atomic::Ordering::Release);
    }
}

impl<T> fmt::Debug for Future<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Future")
            .field("done", &self.is_done())
            .finish()
    }
}

/// Copies the outcome of `source` into `target` once it finishes (Tornado's
/// `chain_future`). Runs on the current loop.
///
/// # Panics
///
/// Outside a running loop.
pub fn chain_future<T: 'static>(
    source: impl std::future::Future<Output = Result<T, Error>> + 'static,
    target: Promise<T>,
) {
    IOLoop::current().spawn_callback(async move {
        match source.await {
            Ok(value) => target.set_result(value),
            Err(error) => target.set_error(error),
        };
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::task::Wake;

    struct CountingWaker(AtomicUsize);

    impl Wake for CountingWaker {
        fn wake(self: Arc<Self>) {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }

    fn poll_once<T>(future: &mut Future<T>, waker: &Waker) -> Poll<Result<T, Error>> {
        let mut cx = Context::from_waker(waker);
        Pin::new(future).poll(&mut cx)
    }

    #[test]
    fn resolves_from_another_thread_and_wakes_once() {
        let counter = Arc::new(CountingWaker(AtomicUsize::new(0)));
        let waker = Waker::from(counter.clone());
        let (promise, mut future) = future_pair();
        assert!(poll_once(&mut future, &waker).is_pending());
        std::thread::spawn(move || assert!(promise.set_result("hi")))
            .join()
            .unwrap();
        assert_eq!(counter.0.load(Ordering::SeqCst), 1);
        assert!(future.is_done());
        match poll_once(&mut future, &waker) {
            Poll::Ready(Ok(value)) => assert_eq!(value, "hi"),
            other => panic!("unexpected {:?}", other.map(|r| r.is_ok())),
        }
    }

    #[test]
    fn dropped_promise_cancels_and_cancelled_future_refuses_results() {
        let waker = Waker::from(Arc::new(CountingWaker(AtomicUsize::new(0))));
        let (promise, mut future) = future_pair::<u8>();
        drop(promise);
        assert!(matches!(
            poll_once(&mut future, &waker),
            Poll::Ready(Err(Error::Cancelled))
        ));

        let (promise, future) = future_pair::<u8>();
        assert!(!promise.is_cancelled());
        assert!(future.cancel());
        assert!(promise.is_cancelled());
        assert!(!promise.set_result(1), "set_result_unless_cancelled");

        let (promise, future) = future_pair::<u8>();
        drop(future);
        assert!(promise.is_cancelled());
        assert!(!promise.set_error(Error::Stopped));
    }

    #[test]
    fn ready_future_is_done() {
        let waker = Waker::from(Arc::new(CountingWaker(AtomicUsize::new(0))));
        let mut future = Future::ready(3);
        assert!(future.is_done());
        assert!(matches!(poll_once(&mut future, &waker), Poll::Ready(Ok(3))));
        assert!(!future.cancel(), "already resolved");
    }
}

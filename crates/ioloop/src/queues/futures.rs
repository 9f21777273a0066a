//! The futures of [`Queue::get`](super::Queue::get) and [`Queue::put`](super::Queue::put)
//! and their `_timeout` twins.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use super::Core;
use crate::error::TimeoutError;
use crate::locks::waiters::Wait;

/// What both get futures share: the wait, and the queue to give an item back to if the
/// future is dropped after being handed one.
struct GetInner<T> {
    core: Rc<Core<T>>,
    wait: Wait<T, ()>,
}

impl<T> Drop for GetInner<T> {
    fn drop(&mut self) {
        if let Some(item) = self.wait.abandon() {
            // Handed an item it will never return: the queue keeps it.
            self.core.give_back(item);
        }
    }
}

/// The future of [`Queue::get`](super::Queue::get): the next item, whenever one comes.
///
/// Dropped before it finishes, it leaves the line; an item it had already been handed goes
/// back to the front of the queue (or to the next getter), never lost.
#[must_use = "futures do nothing unless awaited"]
pub struct Get<T> {
    inner: GetInner<T>,
}

impl<T> Get<T> {
    pub(super) fn new(core: Rc<Core<T>>, wait: Wait<T, ()>) -> Get<T> {
        Get {
            inner: GetInner { core, wait },
        }
    }
}

// The item is only ever moved, never pinned.
impl<T> Unpin for Get<T> {}

impl<T> Future for Get<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        match self.get_mut().inner.wait.poll_wait(cx) {
            Poll::Ready(Ok(item)) => Poll::Ready(item),
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(())) => unreachable!("a get without a deadline cannot time out"),
        }
    }
}

impl<T> fmt::Debug for Get<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Get")
            .field("state", &self.inner.wait.state())
            .finish()
    }
}

/// The future of [`Queue::get_timeout`](super::Queue::get_timeout): the next item, or
/// [`TimeoutError`] once the deadline passes. Dropping it is safe, as for [`Get`].
#[must_use = "futures do nothing unless awaited"]
pub struct GetTimeout<T> {
    inner: GetInner<T>,
}

impl<T> GetTimeout<T> {
    pub(super) fn new(core: Rc<Core<T>>, wait: Wait<T, ()>) -> GetTimeout<T> {
        GetTimeout {
            inner: GetInner { core, wait },
        }
    }
}

impl<T> Unpin for GetTimeout<T> {}

impl<T> Future for GetTimeout<T> {
    type Output = Result<T, TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<T, TimeoutError>> {
        self.get_mut()
            .inner
            .wait
            .poll_wait(cx)
            .map(|served| served.map_err(|()| TimeoutError))
    }
}

impl<T> fmt::Debug for GetTimeout<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GetTimeout")
            .field("state", &self.inner.wait.state())
            .field("deadline", &self.inner.wait.deadline())
            .finish()
    }
}

/// The future of [`Queue::put`](super::Queue::put): done once the item is in the queue.
///
/// While the queue is full the future holds the item; dropped before it finishes, it
/// leaves the line and drops the item, which never entered the queue.
#[must_use = "futures do nothing unless awaited"]
pub struct Put<T> {
    wait: Wait<(), T>,
}

impl<T> Put<T> {
    pub(super) fn new(wait: Wait<(), T>) -> Put<T> {
        Put { wait }
    }
}

impl<T> Unpin for Put<T> {}

impl<T> Future for Put<T> {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.get_mut().wait.poll_wait(cx) {
            Poll::Ready(Ok(())) => Poll::Ready(()),
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(_)) => unreachable!("a put without a deadline cannot time out"),
        }
    }
}

impl<T> Drop for Put<T> {
    fn drop(&mut self) {
        self.wait.abandon();
    }
}

impl<T> fmt::Debug for Put<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Put")
            .field("state", &self.wait.state())
            .finish()
    }
}

/// The future of [`Queue::put_timeout`](super::Queue::put_timeout): done once the item is
/// in the queue, or [`TimeoutError`] once the deadline passes while the queue stays full.
/// The item of a put that timed out is dropped, as in Tornado it never enters the queue.
#[must_use = "futures do nothing unless awaited"]
pub struct PutTimeout<T> {
    wait: Wait<(), T>,
}

impl<T> PutTimeout<T> {
    pub(super) fn new(wait: Wait<(), T>) -> PutTimeout<T> {
        PutTimeout { wait }
    }
}

impl<T> Unpin for PutTimeout<T> {}

impl<T> Future for PutTimeout<T> {
    type Output = Result<(), TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), TimeoutError>> {
        self.get_mut()
            .wait
            .poll_wait(cx)
            .map(|served| served.map_err(|_item| TimeoutError))
    }
}

impl<T> Drop for PutTimeout<T> {
    fn drop(&mut self) {
        self.wait.abandon();
    }
}

impl<T> fmt::Debug for PutTimeout<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PutTimeout")
            .field("state", &self.wait.state())
            .field("deadline", &self.wait.deadline())
            .finish()
    }
}

//! [`Event`]: a flag tasks can wait for.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Instant;

use super::waiters::{Wait, WaitList, wake_all};
use crate::error::TimeoutError;
use crate::timer::Deadline;

#[derive(Default)]
struct State {
    set: bool,
    waiters: WaitList<(), ()>,
}

/// A flag that tasks can wait for (Tornado's `locks.Event`, like `threading.Event`).
///
/// While the flag is clear, [`wait`](Self::wait) blocks; [`set`](Self::set) releases
/// every waiter, and waits that start while it is set finish at once. An `Event` is a
/// cheap handle: clones share the flag.
///
/// ```
/// use std::time::Duration;
/// use tornado_ioloop::{IOLoop, TimeoutError, locks::Event};
///
/// let io_loop = IOLoop::new()?;
/// io_loop.run_sync(async {
///     let event = Event::new();
///     // Nobody sets it: the wait times out.
///     assert_eq!(event.wait_timeout(Duration::from_millis(5)).await, Err(TimeoutError));
///     IOLoop::current().call_later(Duration::from_millis(5), {
///         let event = event.clone();
///         move || event.set()
///     });
///     event.wait().await;
///     assert!(event.is_set());
/// }, None)?;
/// io_loop.close(false)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default)]
pub struct Event {
    state: Rc<RefCell<State>>,
}

impl Event {
    /// A clear event.
    pub fn new() -> Event {
        Event::default()
    }

    /// The flag is set.
    pub fn is_set(&self) -> bool {
        self.state.borrow().set
    }

    /// Sets the flag and releases every waiter (they resume on the loop's next
    /// iteration). Setting a set event does nothing.
    pub fn set(&self) {
        let wakers = {
            let mut state = self.state.borrow_mut();
            if state.set {
                return;
            }
            state.set = true;
            state.waiters.serve_all(|| ())
        };
        wake_all(wakers);
    }

    /// Clears the flag: waits started from now on block until the next [`set`](Self::set).
    /// Waiters already released by a `set` stay released.
    pub fn clear(&self) {
        self.state.borrow_mut().set = false;
    }

    /// Waits until the flag is set (at once if it is).
    pub fn wait(&self) -> EventWait {
        EventWait {
            wait: self.wait_until(None),
        }
    }

    /// Waits until the flag is set, or fails with [`TimeoutError`] once `deadline` passes
    /// (Tornado's `wait(timeout)`). The deadline is a `Duration` from now, an `Instant`, or
    /// an absolute `f64` on [`IOLoop::time`](crate::IOLoop::time)'s clock.
    pub fn wait_timeout(&self, deadline: impl Into<Deadline>) -> EventWaitTimeout {
        EventWaitTimeout {
            wait: self.wait_until(Some(deadline.into().to_instant())),
        }
    }

    fn wait_until(&self, deadline: Option<Instant>) -> Wait<(), ()> {
        let mut state = self.state.borrow_mut();
        if state.set {
            Wait::Ready(())
        } else {
            state.waiters.push(deadline, ())
        }
    }
}

/// Tornado's repr: `<Event set>` or `<Event clear>`.
impl fmt::Debug for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let flag = if self.is_set() { "set" } else { "clear" };
        write!(f, "<Event {flag}>")
    }
}

/// The future of [`Event::wait`] (and of [`Queue::join`](crate::queues::Queue::join)).
#[must_use = "futures do nothing unless awaited"]
pub struct EventWait {
    wait: Wait<(), ()>,
}

impl Future for EventWait {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        // Without a deadline a wait can only end by being served.
        self.get_mut().wait.poll_wait(cx).map(|_| ())
    }
}

impl Drop for EventWait {
    fn drop(&mut self) {
        self.wait.abandon();
    }
}

impl fmt::Debug for EventWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWait")
            .field("state", &self.wait.state())
            .finish()
    }
}

/// The future of [`Event::wait_timeout`] (and of
/// [`Queue::join_timeout`](crate::queues::Queue::join_timeout)).
#[must_use = "futures do nothing unless awaited"]
pub struct EventWaitTimeout {
    wait: Wait<(), ()>,
}

impl Future for EventWaitTimeout {
    type Output = Result<(), TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), TimeoutError>> {
        self.get_mut()
            .wait
            .poll_wait(cx)
            .map(|served| served.map_err(|()| TimeoutError))
    }
}

impl Drop for EventWaitTimeout {
    fn drop(&mut self) {
        self.wait.abandon();
    }
}

impl fmt::Debug for EventWaitTimeout {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EventWaitTimeout")
            .field("state", &self.wait.state())
            .field("deadline", &self.wait.deadline())
            .finish()
    }
}

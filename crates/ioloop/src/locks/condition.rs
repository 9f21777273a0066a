//! [`Condition`]: tasks wait until another task notifies them.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Instant;

use super::waiters::{Wait, WaitList, wake_all};
use crate::timer::Deadline;

/// What a notified waiter receives: whether its notification was one of `notify(n)`'s
/// (and so passes to the next waiter if this one goes away before it runs).
type Counted = bool;

/// Lets tasks wait until another task notifies them (Tornado's `locks.Condition`).
///
/// Unlike `threading.Condition` there is no lock to hold: everything runs on one loop.
/// Waiters are notified in the order they started waiting, and a notified waiter resumes
/// on the loop's next iteration, never inside [`notify`](Self::notify).
///
/// A `Condition` is a cheap handle: clones share the same waiters.
///
/// ```
/// use tornado_ioloop::{IOLoop, locks::Condition};
///
/// let io_loop = IOLoop::new()?;
/// let woken = io_loop.run_sync(async {
///     let condition = Condition::new();
///     let waiter = IOLoop::current().spawn({
///         let condition = condition.clone();
///         async move { condition.wait().await }
///     });
///     tornado_ioloop::moment().await; // let the waiter start waiting
///     condition.notify(1);
///     waiter.await.unwrap()
/// }, None)?;
/// assert!(woken);
/// io_loop.close(false)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default)]
pub struct Condition {
    waiters: Rc<RefCell<WaitList<Counted, ()>>>,
}

impl Condition {
    /// A condition nobody waits on.
    pub fn new() -> Condition {
        Condition::default()
    }

    /// Waits for a notification; resolves to `true` (Tornado's `wait()`).
    ///
    /// The waiter joins the line when this is called, not when first polled, so a
    /// [`notify`](Self::notify) between the call and the first poll is not lost.
    pub fn wait(&self) -> ConditionWait {
        self.wait_until(None)
    }

    /// Waits for a notification until `deadline`: `true` if notified, `false` once the
    /// deadline passes (Tornado's `wait(timeout)`). The deadline is a `Duration` from now,
    /// an `Instant`, or an absolute `f64` on [`IOLoop::time`](crate::IOLoop::time)'s
    /// clock; one already past gives `false` at once.
    pub fn wait_timeout(&self, deadline: impl Into<Deadline>) -> ConditionWait {
        self.wait_until(Some(deadline.into().to_instant()))
    }

    fn wait_until(&self, deadline: Option<Instant>) -> ConditionWait {
        let wait = self.waiters.borrow_mut().push(deadline, ());
        ConditionWait {
            waiters: self.waiters.clone(),
            wait,
        }
    }

    /// Wakes the first `n` waiters (Tornado's `notify(n=1)`). Waiters that timed out or
    /// were dropped do not count.
    pub fn notify(&self, n: usize) {
        let mut wakers = Vec::new();
        {
            let mut waiters = self.waiters.borrow_mut();
            for _ in 0..n {
                match waiters.serve(true) {
                    Ok(((), waker)) => wakers.extend(waker),
                    Err(_) => break,
                }
            }
        }
        wake_all(wakers);
    }

    /// Wakes every waiter (Tornado's `notify_all`).
    pub fn notify_all(&self) {
        let wakers = self.waiters.borrow_mut().serve_all(|| false);
        wake_all(wakers);
    }
}

/// Tornado's repr: `<Condition>`, or `<Condition waiters[N]>` while tasks wait.
impl fmt::Debug for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.waiters.borrow().live_len() {
            0 => f.write_str("<Condition>"),
            n => write!(f, "<Condition waiters[{n}]>"),
        }
    }
}

/// The future of [`Condition::wait`] and [`Condition::wait_timeout`]: `true` when
/// notified, `false` when the deadline passed first.
///
/// Dropping it leaves the line. If a [`notify`](Condition::notify) had already picked it
/// and it is dropped before resuming, the notification goes to the next waiter instead of
/// being lost.
#[must_use = "futures do nothing unless awaited"]
pub struct ConditionWait {
    waiters: Rc<RefCell<WaitList<Counted, ()>>>,
    wait: Wait<Counted, ()>,
}

impl Future for ConditionWait {
    type Output = bool;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<bool> {
        self.get_mut()
            .wait
            .poll_wait(cx)
            .map(|served| served.is_ok())
    }
}

impl Drop for ConditionWait {
    fn drop(&mut self) {
        if self.wait.abandon() == Some(true) {
            Condition {
                waiters: self.waiters.clone(),
            }
            .notify(1);
        }
    }
}

impl fmt::Debug for ConditionWait {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConditionWait")
            .field("state", &self.wait.state())
            .field("deadline", &self.wait.deadline())
            .finish()
    }
}

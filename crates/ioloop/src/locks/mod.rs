//! Tornado's `locks` module: [`Condition`], [`Event`], [`Semaphore`],
//! [`BoundedSemaphore`] and [`Lock`] for tasks of one loop.
//!
//! Like Tornado's, these are not thread-safe: they coordinate the tasks of one
//! [`IOLoop`](crate::IOLoop), and are `!Send`. Each type is a cheap handle (an `Rc`):
//! clone it into every task that uses it.
//!
//! - **Fair.** Waiters are served first come, first served. `release` hands its permit
//!   straight to the first waiter, so a task that asks later cannot take it first.
//! - **Timeouts.** Each waiting method has a `_timeout` twin taking a deadline: a
//!   `Duration` from now (Tornado's `timedelta`), an absolute `f64` on
//!   [`IOLoop::time`](crate::IOLoop::time)'s clock (Tornado's float), or an `Instant`. A
//!   waiter whose deadline passed is skipped, never served. A future with a deadline
//!   still ahead sets a timer on the running loop when polled (polled outside a running
//!   loop, it panics, as [`sleep`](crate::sleep) does); everything else works anywhere.
//! - **Cancellation.** Dropping a waiting future leaves the line. If it had already been
//!   handed a permit or a notification it never saw, that goes to the next waiter.
//! - **RAII.** [`Semaphore::acquire`] and [`Lock::acquire`] give a [`SemaphoreGuard`] that
//!   releases when dropped, as Tornado's `async with`.
//! - Notified waiters resume on the loop's next iteration, never inside `notify`, `set`
//!   or `release`.
//!
//! ```
//! use std::time::Duration;
//! use tornado_ioloop::{IOLoop, TimeoutError, locks::Lock};
//!
//! let io_loop = IOLoop::new()?;
//! io_loop.run_sync(async {
//!     let lock = Lock::new();
//!     let guard = lock.acquire().await;
//!     // Held: a second acquire times out.
//!     let second = lock.acquire_timeout(Duration::from_millis(5)).await;
//!     assert_eq!(second.err(), Some(TimeoutError));
//!     drop(guard);
//!     let _again = lock.acquire_timeout(Duration::from_millis(5)).await.unwrap();
//! }, None)?;
//! io_loop.close(false)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Differences from Tornado
//!
//! - `wait(timeout=...)` and `acquire(timeout=...)` are `wait_timeout(deadline)` and
//!   `acquire_timeout(deadline)`; without a timeout `acquire` gives the guard itself and
//!   `Event::wait` gives `()`. `Condition::wait` gives `bool` either way.
//! - A deadline of zero, or one already past, means "now": the call succeeds only if it
//!   can at once (the behaviour of Tornado after 6.5.2; 6.5.2 itself read a zero timeout
//!   as none).
//! - As in Tornado, a future takes its place in line when the method is called, not when
//!   it is first polled, so `let w = condition.wait(); condition.notify(1);` wakes `w`. A
//!   waiter counts as timed out from its deadline on, even if its task has not run since.
//! - Tornado's errors are values: [`ReleaseError::TooManyReleases`] (its `ValueError`)
//!   and [`ReleaseError::Unlocked`] (its `RuntimeError`). Misuses Tornado catches at run
//!   time (a negative initial value, `with` instead of `async with`) do not compile.
//! - A notification handed to a [`ConditionWait`] dropped before it resumed passes to the
//!   next waiter (Tornado loses it when the future is cancelled).
//! - Timed-out waiters are purged by the line itself, amortised over later calls, rather
//!   than by a sweep every 100 timeouts; `Debug` counts only live waiters.
//! - `Debug` prints Tornado's repr: `<Semaphore [locked,waiters:2]>`, `<Event set>`.

#![forbid(unsafe_code)]

mod condition;
mod event;
mod semaphore;
pub(crate) mod waiters;

pub use condition::{Condition, ConditionWait};
pub use event::{Event, EventWait, EventWaitTimeout};
pub use semaphore::{
    Acquire, AcquireTimeout, BoundedSemaphore, Lock, LockGuard, ReleaseError, Semaphore,
    SemaphoreGuard,
};

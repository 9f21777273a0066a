//! [`Semaphore`], [`BoundedSemaphore`] and [`Lock`], with their RAII guard.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Instant;

use super::waiters::{Wait, WaitList};
use crate::error::TimeoutError;
use crate::timer::Deadline;

/// Why a `release` was refused (Tornado's `ValueError` and `RuntimeError`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReleaseError {
    /// A [`BoundedSemaphore`] would go above its initial value.
    TooManyReleases,
    /// A [`Lock`] that is not locked was released.
    Unlocked,
}

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ReleaseError::TooManyReleases => "Semaphore released too many times",
            ReleaseError::Unlocked => "release unlocked lock",
        })
    }
}

impl std::error::Error for ReleaseError {}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Semaphore,
    Bounded(usize),
    Lock,
}

struct State {
    value: usize,
    kind: Kind,
    waiters: WaitList<(), ()>,
}

/// The counter and the line, shared by handles, futures and guards.
struct Core {
    state: RefCell<State>,
}

impl Core {
    fn new(value: usize, kind: Kind) -> Rc<Core> {
        Rc::new(Core {
            state: RefCell::new(State {
                value,
                kind,
                waiters: WaitList::default(),
            }),
        })
    }

    fn acquire(&self, deadline: Option<Instant>) -> Wait<(), ()> {
        let mut state = self.state.borrow_mut();
        if state.value > 0 {
            state.value -= 1;
            Wait::Ready(())
        } else {
            state.waiters.push(deadline, ())
        }
    }

    /// Hands the permit to the first live waiter, or adds it to the counter.
    fn release(&self) -> Result<(), ReleaseError> {
        let waker = {
            let mut state = self.state.borrow_mut();
            match state.kind {
                Kind::Bounded(bound) if state.value >= bound => {
                    return Err(ReleaseError::TooManyReleases);
                }
                Kind::Lock if state.value >= 1 => return Err(ReleaseError::Unlocked),
                _ => {}
            }
            match state.waiters.serve(()) {
                Ok(((), waker)) => waker,
                Err(()) => {
                    state.value = state.value.saturating_add(1);
                    None
                }
            }
        };
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    /// Gives back a permit nobody can return any more (a dropped guard or future).
    fn release_dropped(&self) {
        if let Err(err) = self.release() {
            log::error!(
                target: "tornado.application",
                "releasing the permit of a dropped guard or future failed: {err} (was it also released by hand?)"
            );
        }
    }

    /// Tornado's repr of a semaphore: `<Semaphore [unlocked,value:2]>`,
    /// `<BoundedSemaphore [locked,waiters:3]>`.
    fn fmt_semaphore(&self, f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
        let state = self.state.borrow();
        write!(f, "<{name} [")?;
        match state.value {
            0 => f.write_str("locked")?,
            value => write!(f, "unlocked,value:{value}")?,
        }
        match state.waiters.live_len() {
            0 => {}
            waiters => write!(f, ",waiters:{waiters}")?,
        }
        f.write_str("]>")
    }

    fn wait_until(self: &Rc<Self>, deadline: Option<Instant>) -> AcquireInner {
        AcquireInner {
            wait: self.acquire(deadline),
            core: self.clone(),
        }
    }
}

/// A counter of permits: [`acquire`](Self::acquire) takes one, waiting while there are
/// none; [`release`](Self::release) gives one back (Tornado's `locks.Semaphore`).
///
/// Waiters are served in the order they started waiting: a release hands its permit
/// straight to the first one, so a later `acquire` cannot take it first. The acquire
/// future gives a [`SemaphoreGuard`] that releases when dropped (Tornado's `async with`).
/// A `Semaphore` is a cheap handle: clones share the counter.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use tornado_ioloop::{IOLoop, join_all, locks::Semaphore, sleep};
///
/// let io_loop = IOLoop::new()?;
/// let log = io_loop.run_sync(async {
///     let semaphore = Semaphore::new(2); // two workers at a time
///     let log = Rc::new(RefCell::new(Vec::new()));
///     join_all((0..3).map(|worker| {
///         let (semaphore, log) = (semaphore.clone(), log.clone());
///         async move {
///             let _permit = semaphore.acquire().await;
///             log.borrow_mut().push(format!("{worker} works"));
///             sleep(Duration::from_millis(5 + 5 * worker)).await;
///             log.borrow_mut().push(format!("{worker} done"));
///         } // the guard releases here
///     }))
///     .await;
///     log.take()
/// }, None)?;
/// assert_eq!(log, ["0 works", "1 works", "0 done", "2 works", "1 done", "2 done"]);
/// io_loop.close(false)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Semaphore {
    core: Rc<Core>,
}

impl Semaphore {
    /// A semaphore with `value` permits (Tornado's default is 1; a negative value, a
    /// `ValueError` there, cannot be written here).
    pub fn new(value: usize) -> Semaphore {
        Semaphore {
            core: Core::new(value, Kind::Semaphore),
        }
    }

    /// Takes a permit, waiting for one if there is none. The place in line is taken when
    /// this is called; the guard releases the permit when dropped.
    pub fn acquire(&self) -> Acquire {
        Acquire {
            inner: self.core.wait_until(None),
        }
    }

    /// Takes a permit, or fails with [`TimeoutError`] once `deadline` passes (Tornado's
    /// `acquire(timeout)`). The deadline is a `Duration` from now, an `Instant`, or an
    /// absolute `f64` on [`IOLoop::time`](crate::IOLoop::time)'s clock; with one already
    /// past, this succeeds only if a permit is free now.
    pub fn acquire_timeout(&self, deadline: impl Into<Deadline>) -> AcquireTimeout {
        AcquireTimeout {
            inner: self.core.wait_until(Some(deadline.into().to_instant())),
        }
    }

    /// Gives a permit back: to the first waiter, or to the counter. An unbounded
    /// semaphore may be released more often than acquired; each release adds a permit.
    pub fn release(&self) {
        // An unbounded semaphore never refuses.
        let _ = self.core.release();
    }
}

impl Default for Semaphore {
    /// One permit, as Tornado's `Semaphore()`.
    fn default() -> Semaphore {
        Semaphore::new(1)
    }
}

/// Tornado's repr: `<Semaphore [unlocked,value:1]>`, `<Semaphore [locked,waiters:2]>`.
impl fmt::Debug for Semaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.fmt_semaphore(f, "Semaphore")
    }
}

/// A [`Semaphore`] that refuses to be released above its initial value (Tornado's
/// `locks.BoundedSemaphore`): such a release is a bug, and comes back as
/// [`ReleaseError::TooManyReleases`].
///
/// ```
/// use tornado_ioloop::locks::{BoundedSemaphore, ReleaseError};
///
/// let semaphore = BoundedSemaphore::new(1);
/// assert_eq!(semaphore.release(), Err(ReleaseError::TooManyReleases));
/// assert_eq!(format!("{semaphore:?}"), "<BoundedSemaphore [unlocked,value:1]>");
/// ```
#[derive(Clone)]
pub struct BoundedSemaphore {
    core: Rc<Core>,
}

impl BoundedSemaphore {
    /// A semaphore with `value` permits, which is also its ceiling.
    pub fn new(value: usize) -> BoundedSemaphore {
        BoundedSemaphore {
            core: Core::new(value, Kind::Bounded(value)),
        }
    }

    /// Takes a permit, waiting for one if there is none (see [`Semaphore::acquire`]).
    pub fn acquire(&self) -> Acquire {
        Acquire {
            inner: self.core.wait_until(None),
        }
    }

    /// Takes a permit, or fails with [`TimeoutError`] once `deadline` passes (see
    /// [`Semaphore::acquire_timeout`]).
    pub fn acquire_timeout(&self, deadline: impl Into<Deadline>) -> AcquireTimeout {
        AcquireTimeout {
            inner: self.core.wait_until(Some(deadline.into().to_instant())),
        }
    }

    /// Gives a permit back, to the first waiter or to the counter; a release that would
    /// raise the counter above the initial value is refused.
    pub fn release(&self) -> Result<(), ReleaseError> {
        self.core.release()
    }
}

impl Default for BoundedSemaphore {
    /// One permit, as Tornado's `BoundedSemaphore()`.
    fn default() -> BoundedSemaphore {
        BoundedSemaphore::new(1)
    }
}

/// Tornado's repr: `<BoundedSemaphore [unlocked,value:1]>`.
impl fmt::Debug for BoundedSemaphore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.fmt_semaphore(f, "BoundedSemaphore")
    }
}

/// A lock for tasks (Tornado's `locks.Lock`): one holder at a time, the others served in
/// the order they asked.
///
/// [`acquire`](Self::acquire) gives a [`LockGuard`] that unlocks when dropped (Tornado's
/// `async with lock:`); [`release`](Self::release) unlocks by hand, after
/// [`SemaphoreGuard::forget`]. A `Lock` is a cheap handle: clones share the lock.
///
/// ```
/// use std::cell::RefCell;
/// use std::rc::Rc;
/// use tornado_ioloop::{IOLoop, join_all, locks::Lock, moment};
///
/// let io_loop = IOLoop::new()?;
/// let order = io_loop.run_sync(async {
///     let lock = Lock::new();
///     let order = Rc::new(RefCell::new(Vec::new()));
///     join_all((0..3).map(|task| {
///         let (lock, order) = (lock.clone(), order.clone());
///         async move {
///             let _guard = lock.acquire().await;
///             order.borrow_mut().push(task);
///             moment().await; // others queue up meanwhile
///         }
///     }))
///     .await;
///     order.take()
/// }, None)?;
/// assert_eq!(order, [0, 1, 2]);
/// io_loop.close(false)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Lock {
    core: Rc<Core>,
}

impl Lock {
    /// An unlocked lock.
    pub fn new() -> Lock {
        Lock {
            core: Core::new(1, Kind::Lock),
        }
    }

    /// Locks, waiting in line while another task holds the lock. The place in line is
    /// taken when this is called; the guard unlocks when dropped.
    pub fn acquire(&self) -> Acquire {
        Acquire {
            inner: self.core.wait_until(None),
        }
    }

    /// Locks, or fails with [`TimeoutError`] once `deadline` passes (Tornado's
    /// `acquire(timeout)`; see [`Semaphore::acquire_timeout`] for the deadline).
    pub fn acquire_timeout(&self, deadline: impl Into<Deadline>) -> AcquireTimeout {
        AcquireTimeout {
            inner: self.core.wait_until(Some(deadline.into().to_instant())),
        }
    }

    /// Unlocks: the first task in line gets the lock. Releasing an unlocked lock is
    /// refused with [`ReleaseError::Unlocked`].
    pub fn release(&self) -> Result<(), ReleaseError> {
        self.core.release()
    }
}

impl Default for Lock {
    fn default() -> Lock {
        Lock::new()
    }
}

/// Tornado's repr: `<Lock _block=<BoundedSemaphore [locked]>>`.
impl fmt::Debug for Lock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<Lock _block=")?;
        self.core.fmt_semaphore(f, "BoundedSemaphore")?;
        f.write_str(">")
    }
}

/// A permit of a [`Semaphore`] or [`BoundedSemaphore`], or the hold on a [`Lock`]:
/// released when dropped (Tornado's `_ReleasingContextManager`).
#[must_use = "dropping the guard releases at once"]
pub struct SemaphoreGuard {
    core: Option<Rc<Core>>,
}

/// The guard of a [`Lock`]: it unlocks when dropped.
pub type LockGuard = SemaphoreGuard;

impl SemaphoreGuard {
    /// Keeps the permit without releasing it on drop: the owner releases it later with
    /// `release()`, Tornado's explicit style (`await sem.acquire()` ... `sem.release()`).
    pub fn forget(mut self) {
        self.core = None;
    }
}

impl Drop for SemaphoreGuard {
    fn drop(&mut self) {
        if let Some(core) = self.core.take() {
            core.release_dropped();
        }
    }
}

impl fmt::Debug for SemaphoreGuard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SemaphoreGuard")
            .field("armed", &self.core.is_some())
            .finish()
    }
}

/// What both acquire futures share: the wait, and the semaphore to give a permit back to
/// if the future is dropped after being handed one.
struct AcquireInner {
    core: Rc<Core>,
    wait: Wait<(), ()>,
}

impl AcquireInner {
    fn poll_acquire(&mut self, cx: &mut Context<'_>) -> Poll<Result<SemaphoreGuard, TimeoutError>> {
        self.wait.poll_wait(cx).map(|served| {
            served
                .map(|()| SemaphoreGuard {
                    core: Some(self.core.clone()),
                })
                .map_err(|()| TimeoutError)
        })
    }
}

impl Drop for AcquireInner {
    fn drop(&mut self) {
        if self.wait.abandon().is_some() {
            // Handed a permit it will never use: pass it on.
            self.core.release_dropped();
        }
    }
}

impl fmt::Debug for AcquireInner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acquire")
            .field("state", &self.wait.state())
            .field("deadline", &self.wait.deadline())
            .finish()
    }
}

/// The future of `acquire()`: a guard once a permit is ours. Dropped before that, it
/// leaves the line (and passes on a permit it was handed).
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct Acquire {
    inner: AcquireInner,
}

impl Future for Acquire {
    type Output = SemaphoreGuard;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<SemaphoreGuard> {
        match self.get_mut().inner.poll_acquire(cx) {
            Poll::Ready(Ok(guard)) => Poll::Ready(guard),
            Poll::Pending => Poll::Pending,
            Poll::Ready(Err(TimeoutError)) => {
                unreachable!("an acquire without a deadline cannot time out")
            }
        }
    }
}

/// The future of `acquire_timeout()`: a guard, or [`TimeoutError`] once the deadline
/// passes without a permit.
#[must_use = "futures do nothing unless awaited"]
#[derive(Debug)]
pub struct AcquireTimeout {
    inner: AcquireInner,
}

impl Future for AcquireTimeout {
    type Output = Result<SemaphoreGuard, TimeoutError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.get_mut().inner.poll_acquire(cx)
    }
}

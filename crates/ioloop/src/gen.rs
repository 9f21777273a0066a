//! Tornado's `gen` module for `async` Rust: [`sleep`], [`with_timeout`], [`multi`],
//! [`moment`] and [`WaitIterator`].
//!
//! `gen` is a reserved word in Rust 2024, so this module is `r#gen`; everything in it is
//! also exported at the crate root (`tornado_ioloop::sleep`).
//!
//! [`multi`], [`with_timeout`] and [`WaitIterator`] run their futures as tasks of the
//! current loop, as Tornado does: a child keeps running when the combinator gives up on it
//! (a timeout, another child's error). A child that panics makes the combinator panic in
//! turn, as an awaited future would have.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::{Future, poll_fn};
use std::pin::{Pin, pin};
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use crate::IOLoop;
use crate::error::TimeoutError;
use crate::task::{JoinError, Runnable, Sink, Task};
use crate::timer::{Deadline, TimeoutHandle};

/// A future that finishes at a deadline ([`sleep`], [`sleep_until`]).
///
/// It registers its timer with the loop that first polls it.
pub struct Sleep {
    deadline: Instant,
    timer: Option<(IOLoop, TimeoutHandle)>,
}

/// Waits for `duration` (Tornado's `gen.sleep`).
///
/// # Panics
///
/// When polled outside a running loop.
pub fn sleep(duration: Duration) -> Sleep {
    sleep_until(Deadline::After(duration))
}

/// Waits until `deadline`: a `Duration` from now, an `Instant`, or an absolute time on
/// [`IOLoop::time`]'s clock.
pub fn sleep_until(deadline: impl Into<Deadline>) -> Sleep {
    Sleep {
        deadline: deadline.into().to_instant(),
        timer: None,
    }
}

impl Sleep {
    /// When this sleep ends.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Moves the deadline (and forgets any timer already registered).
    pub fn reset(&mut self, deadline: impl Into<Deadline>) {
        self.cancel_timer();
        self.deadline = deadline.into().to_instant();
    }

    fn cancel_timer(&mut self) {
        if let Some((io_loop, handle)) = self.timer.take() {
            io_loop.remove_timeout(handle);
        }
    }
}

impl Future for Sleep {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if let Some((io_loop, handle)) = &self.timer {
            // Registered: the loop's timer says when the deadline has passed, no clock
            // read needed.
            let pending = io_loop
                .core()
                .timers
                .borrow_mut()
                .update_waker(*handle, cx.waker());
            if pending {
                return Poll::Pending;
            }
            // The timer fired (or its loop closed).
            self.timer = None;
            return Poll::Ready(());
        }
        if Instant::now() >= self.deadline {
            return Poll::Ready(());
        }
        let io_loop = IOLoop::current();
        let handle = io_loop.add_waker_timer(self.deadline, cx.waker());
        self.timer = Some((io_loop, handle));
        Poll::Pending
    }
}

impl Drop for Sleep {
    fn drop(&mut self) {
        self.cancel_timer();
    }
}

impl fmt::Debug for Sleep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sleep")
            .field("deadline", &self.deadline)
            .finish()
    }
}

/// Gives way to the loop once: the task runs again on the next iteration, after I/O and
/// other tasks had their turn (Tornado's `gen.moment`).
pub fn moment() -> Moment {
    Moment { yielded: false }
}

/// The future of [`moment`].
#[derive(Debug)]
pub struct Moment {
    yielded: bool,
}

impl Future for Moment {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.yielded {
            return Poll::Ready(());
        }
        self.yielded = true;
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}

/// Awaits `future` until `deadline`; on time, `Ok(output)`, else `Err(TimeoutError)`
/// (Tornado's `gen.with_timeout`).
///
/// As in Tornado, the future is **not** cancelled on timeout: it runs on as a task of the
/// current loop and its output is dropped. Use [`timeout`] to drop it instead (and for
/// futures that borrow).
///
/// ```
/// use std::time::Duration;
/// use tornado_ioloop::{IOLoop, TimeoutError, sleep, with_timeout};
///
/// let io_loop = IOLoop::new().unwrap();
/// let outcome = io_loop.run_sync(async {
///     with_timeout(Duration::from_millis(5), sleep(Duration::from_secs(60))).await
/// }, None).unwrap();
/// assert_eq!(outcome, Err(TimeoutError));
/// io_loop.close(false).unwrap();
/// ```
pub async fn with_timeout<F>(
    deadline: impl Into<Deadline>,
    future: F,
) -> Result<F::Output, TimeoutError>
where
    F: Future + 'static,
{
    let deadline = deadline.into();
    let handle = IOLoop::current().spawn(future);
    match timeout(deadline, handle).await {
        Ok(Ok(output)) => Ok(output),
        Ok(Err(JoinError::Panicked(message))) => panic!("{message}"),
        Ok(Err(JoinError::Cancelled)) | Err(TimeoutError) => Err(TimeoutError),
    }
}

/// Awaits `future` until `deadline`, dropping it if the deadline comes first. Unlike
/// [`with_timeout`], the future may borrow.
pub async fn timeout<F: Future>(
    deadline: impl Into<Deadline>,
    future: F,
) -> Result<F::Output, TimeoutError> {
    let mut future = pin!(future);
    let mut sleep = sleep_until(deadline);
    poll_fn(|cx| {
        if let Poll::Ready(output) = future.as_mut().poll(cx) {
            return Poll::Ready(Ok(output));
        }
        match Pin::new(&mut sleep).poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(TimeoutError)),
            Poll::Pending => Poll::Pending,
        }
    })
    .await
}

/// The outputs of spawned children, in the order they finish.
struct Completions<T> {
    done: RefCell<VecDeque<(usize, Result<T, JoinError>)>>,
    waker: RefCell<Option<Waker>>,
    /// Children not yet handed out.
    pending: Cell<usize>,
}

impl<T> Completions<T> {
    fn push(&self, index: usize, result: Result<T, JoinError>) {
        self.done.borrow_mut().push_back((index, result));
        let waker = self.waker.borrow_mut().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn poll_next(&self, cx: &mut Context<'_>) -> Poll<Option<(usize, Result<T, JoinError>)>> {
        if let Some(next) = self.done.borrow_mut().pop_front() {
            self.pending.set(self.pending.get() - 1);
            return Poll::Ready(Some(next));
        }
        if self.pending.get() == 0 {
            return Poll::Ready(None);
        }
        let mut waker = self.waker.borrow_mut();
        match &mut *waker {
            Some(old) if old.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

/// Tells a [`Completions`] that a child ended without an output.
struct ChildSink<T> {
    index: usize,
    completions: Weak<Completions<T>>,
}

impl<T> Sink<T> for ChildSink<T> {
    fn complete(&self, result: Result<T, JoinError>) {
        if let Some(completions) = self.completions.upgrade() {
            completions.push(self.index, result);
        }
    }
}

/// Spawns every child on the current loop; their outputs arrive in a [`Completions`].
fn spawn_children<T, F>(children: impl IntoIterator<Item = F>) -> Rc<Completions<T>>
where
    T: 'static,
    F: Future<Output = T> + 'static,
{
    let io_loop = IOLoop::current();
    let completions = Rc::new(Completions {
        done: RefCell::new(VecDeque::new()),
        waker: RefCell::new(None),
        pending: Cell::new(0),
    });
    for (index, child) in children.into_iter().enumerate() {
        let sink = ChildSink {
            index,
            completions: Rc::downgrade(&completions),
        };
        let task = Task::new(child, sink);
        if io_loop.spawn_task(task.clone()).is_some() {
            completions.pending.set(completions.pending.get() + 1);
        } else {
            task.drop_future();
        }
    }
    completions
}

/// Unwraps a child's result, re-raising its panic in the caller.
fn child_output<T>(result: Result<T, JoinError>) -> Option<T> {
    match result {
        Ok(output) => Some(output),
        Err(JoinError::Panicked(message)) => panic!("{message}"),
        Err(JoinError::Cancelled) => None,
    }
}

/// Runs every child concurrently and waits for all of them; their outputs in order.
///
/// # Panics
///
/// Outside a running loop, or when a child panics.
pub async fn join_all<T, F>(children: impl IntoIterator<Item = F>) -> Vec<T>
where
    T: 'static,
    F: Future<Output = T> + 'static,
{
    let completions = spawn_children(children);
    let mut outputs: Vec<Option<T>> = (0..completions.pending.get()).map(|_| None).collect();
    while let Some((index, result)) = poll_fn(|cx| completions.poll_next(cx)).await {
        outputs[index] = child_output(result);
    }
    outputs.into_iter().flatten().collect()
}

/// Runs every child concurrently; `Ok` with their outputs in order once all succeed, or the
/// first error (Tornado's `gen.multi` on a list).
///
/// As in Tornado, the first error is returned as soon as it arrives, the other children run
/// on, and the errors that follow it are logged (target `tornado.application`,
/// "Multiple exceptions in yield list") rather than lost.
///
/// ```
/// use tornado_ioloop::{IOLoop, multi, sleep};
/// use std::time::Duration;
///
/// let io_loop = IOLoop::new().unwrap();
/// let sums = io_loop.run_sync(async {
///     multi((1..=3).map(|i| async move {
///         sleep(Duration::from_millis(10 - 3 * i)).await;
///         Ok::<u64, String>(i * 10)
///     }))
///     .await
/// }, None).unwrap();
/// assert_eq!(sums, Ok(vec![10, 20, 30]));
/// io_loop.close(false).unwrap();
/// ```
pub async fn multi<T, E, F>(children: impl IntoIterator<Item = F>) -> Result<Vec<T>, E>
where
    T: 'static,
    E: fmt::Display + 'static,
    F: Future<Output = Result<T, E>> + 'static,
{
    let failed = Rc::new(Cell::new(false));
    let completions = spawn_children(children.into_iter().map(|child| {
        let failed = failed.clone();
        async move {
            let output = child.await;
            if let (Err(error), true) = (&output, failed.get()) {
                log_extra_error(error);
            }
            output
        }
    }));
    let mut outputs: Vec<Option<T>> = (0..completions.pending.get()).map(|_| None).collect();
    while let Some((index, result)) = poll_fn(|cx| completions.poll_next(cx)).await {
        match child_output(result) {
            Some(Ok(output)) => outputs[index] = Some(output),
            Some(Err(error)) => {
                failed.set(true);
                // Errors that arrived together with this one are logged, not lost.
                for (_, queued) in completions.done.borrow_mut().drain(..) {
                    if let Ok(Err(extra)) = queued {
                        log_extra_error(&extra);
                    }
                }
                return Err(error);
            }
            None => {}
        }
    }
    Ok(outputs.into_iter().flatten().collect())
}

/// [`multi`] on keyed children: the outputs come back with their keys, in the order given
/// (Tornado's `gen.multi` on a dict).
pub async fn multi_keyed<K, T, E, F>(
    children: impl IntoIterator<Item = (K, F)>,
) -> Result<Vec<(K, T)>, E>
where
    T: 'static,
    E: fmt::Display + 'static,
    F: Future<Output = Result<T, E>> + 'static,
{
    let (keys, futures): (Vec<K>, Vec<F>) = children.into_iter().unzip();
    let outputs = multi(futures).await?;
    Ok(keys.into_iter().zip(outputs).collect())
}

fn log_extra_error(error: &dyn fmt::Display) {
    log::error!(target: "tornado.application", "Multiple exceptions in yield list: {error}");
}

/// Hands out the outputs of several futures in the order they finish, each with its key
/// (Tornado's `gen.WaitIterator`). Keys are indices with [`new`](Self::new), or your own
/// with [`keyed`](Self::keyed). It is also a `futures_core::Stream`.
///
/// ```
/// use std::time::Duration;
/// use tornado_ioloop::{IOLoop, WaitIterator, sleep};
///
/// let io_loop = IOLoop::new().unwrap();
/// let order = io_loop.run_sync(async {
///     let mut waiting = WaitIterator::new([30u64, 10, 20].map(|ms| async move {
///         sleep(Duration::from_millis(ms)).await;
///         ms
///     }));
///     let mut order = Vec::new();
///     while let Some((index, ms)) = waiting.next().await {
///         assert_eq!(waiting.current_index(), Some(&index));
///         order.push((index, ms));
///     }
///     order
/// }, None).unwrap();
/// assert_eq!(order, vec![(1, 10), (2, 20), (0, 30)]);
/// io_loop.close(false).unwrap();
/// ```
pub struct WaitIterator<T, K = usize> {
    completions: Rc<Completions<T>>,
    keys: Vec<Option<K>>,
    current: Option<K>,
}

impl<T: 'static> WaitIterator<T, usize> {
    /// Starts every future on the current loop; keys are their positions.
    ///
    /// # Panics
    ///
    /// Outside a running loop.
    pub fn new<F>(futures: impl IntoIterator<Item = F>) -> Self
    where
        F: Future<Output = T> + 'static,
    {
        let completions = spawn_children(futures);
        let keys = (0..completions.pending.get()).map(Some).collect();
        WaitIterator {
            completions,
            keys,
            current: None,
        }
    }
}

impl<T: 'static, K: Clone> WaitIterator<T, K> {
    /// Starts every future on the current loop, each known by its key.
    ///
    /// # Panics
    ///
    /// Outside a running loop.
    pub fn keyed<F>(futures: impl IntoIterator<Item = (K, F)>) -> Self
    where
        F: Future<Output = T> + 'static,
    {
        let (keys, futures): (Vec<K>, Vec<F>) = futures.into_iter().unzip();
        WaitIterator {
            completions: spawn_children(futures),
            keys: keys.into_iter().map(Some).collect(),
            current: None,
        }
    }

    /// Every output has been handed out.
    pub fn done(&self) -> bool {
        self.completions.pending.get() == 0
    }

    /// The key of the output handed out last.
    pub fn current_index(&self) -> Option<&K> {
        self.current.as_ref()
    }

    /// The next output to finish, with its key; `None` once all were handed out.
    ///
    /// # Panics
    ///
    /// When the future behind the output panicked.
    pub async fn next(&mut self) -> Option<(K, T)> {
        poll_fn(|cx| self.poll_next_item(cx)).await
    }

    fn poll_next_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<(K, T)>> {
        loop {
            match self.completions.poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some((index, result))) => {
                    let Some(output) = child_output(result) else {
                        continue;
                    };
                    let key = self.keys.get_mut(index).and_then(Option::take);
                    let Some(key) = key else {
                        continue;
                    };
                    self.current = Some(key.clone());
                    return Poll::Ready(Some((key, output)));
                }
            }
        }
    }
}

impl<T: 'static, K: Clone + Unpin> futures_core::Stream for WaitIterator<T, K> {
    type Item = (K, T);

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<(K, T)>> {
        self.get_mut().poll_next_item(cx)
    }
}

impl<T, K: fmt::Debug> fmt::Debug for WaitIterator<T, K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WaitIterator")
            .field("pending", &self.completions.pending.get())
            .field("current_index", &self.current)
            .finish()
    }
}

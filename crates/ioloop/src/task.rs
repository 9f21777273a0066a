//! The executor's tasks: one allocation per task, woken through thread-safe wakers.
//!
//! A spawned future lives in a [`Task`], an `Rc` that also holds where its output goes
//! (the [`JoinHandle`]'s state, a combinator's slot, or nowhere): spawning allocates that
//! one block. The loop's [`TaskTable`] keeps each live task in a slot.
//!
//! A task's waker is an `Arc<TaskHeader>` kept by its slot; waking clones nothing and
//! allocates nothing. When a task ends and no waker of it is left, its slot keeps the
//! header for the next task, so a loop that spawns and finishes tasks steadily makes no
//! new headers. A `scheduled` flag makes a task that is woken twice run once. A waker woken
//! on the thread that runs its loop pushes the task onto that loop's ready queue (found
//! through a thread-local); one woken from any other thread goes through the loop's remote
//! queue and wakes the poller. Each key carries the slot's generation, so a wake-up for a
//! task that has finished, and whose slot was reused, is dropped.

use std::any::Any;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use crate::ioloop::{Core, Shared};

/// A task's key: slot index in the low half, the slot's generation in the high half.
pub(crate) type TaskKey = u64;

fn key(index: u32, generation: u32) -> TaskKey {
    (u64::from(generation) << 32) | u64::from(index)
}

fn index_of(key: TaskKey) -> usize {
    (key & 0xffff_ffff) as usize
}

fn generation_of(key: TaskKey) -> u32 {
    (key >> 32) as u32
}

/// What a waker knows about its task. `Send + Sync`: wakers may travel to other threads.
pub(crate) struct TaskHeader {
    key: TaskKey,
    scheduled: AtomicBool,
    shared: Arc<Shared>,
}

impl Wake for TaskHeader {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        if self.scheduled.swap(true, Ordering::AcqRel) {
            return;
        }
        if !push_local(self.shared.id, self.key) {
            self.shared.push_remote_wake(self.key);
        }
    }
}

/// The ready queue of the loop running on this thread, if any.
pub(crate) type ReadyQueue = Rc<RefCell<VecDeque<TaskKey>>>;

thread_local! {
    static RUNNING: RefCell<Option<(usize, ReadyQueue)>> = const { RefCell::new(None) };
}

/// Marks the loop `id` as the one running on this thread (or none).
pub(crate) fn set_running(running: Option<(usize, ReadyQueue)>) {
    RUNNING.with(|r| *r.borrow_mut() = running);
}

/// Pushes a woken task onto its loop's ready queue if that loop runs on this thread.
fn push_local(loop_id: usize, key: TaskKey) -> bool {
    RUNNING
        .try_with(|r| match &*r.borrow() {
            Some((id, queue)) if *id == loop_id => {
                queue.borrow_mut().push_back(key);
                true
            }
            _ => false,
        })
        .unwrap_or(false)
}

/// Where a task's output goes.
pub(crate) trait Sink<T> {
    /// The task ended: with its output, or without one (panicked or cancelled).
    fn complete(&self, result: Result<T, JoinError>);
}

/// A sink for tasks nobody waits for ([`IOLoop::spawn_callback`](crate::IOLoop::spawn_callback)).
pub(crate) struct Discard;

impl<T> Sink<T> for Discard {
    fn complete(&self, _: Result<T, JoinError>) {}
}

/// A spawned future and where its output goes, in one allocation.
pub(crate) struct Task<F, S> {
    sink: S,
    /// `None` once the future finished or was dropped. The future never moves: it is
    /// polled where it lies and dropped in place.
    future: RefCell<Option<F>>,
}

impl<F, S> Task<F, S> {
    pub(crate) fn new(future: F, sink: S) -> Rc<Task<F, S>> {
        Rc::new(Task {
            sink,
            future: RefCell::new(Some(future)),
        })
    }
}

/// A task as the loop sees it, whatever its future and output.
pub(crate) trait Runnable {
    /// Polls the future once; `true` once it has finished and its output was delivered
    /// (or it was dropped before).
    fn poll_task(&self, cx: &mut Context<'_>) -> bool;
    /// Drops the future where it lies (the task was cancelled, panicked, or its loop
    /// closed). Doing it twice, or from inside the future's own drop, does nothing.
    fn drop_future(&self);
    /// Tells whoever waits that the task ended without an output.
    fn fail(&self, error: JoinError);
}

impl<F, S> Runnable for Task<F, S>
where
    F: Future,
    S: Sink<F::Output>,
{
    fn poll_task(&self, cx: &mut Context<'_>) -> bool {
        let output = {
            let Ok(mut slot) = self.future.try_borrow_mut() else {
                // Only reachable from inside the future's own drop: nothing to poll.
                return false;
            };
            let Some(future) = slot.as_mut() else {
                return true;
            };
            // SAFETY: the future lives inside an `Rc` allocation that is never moved, and
            // it is never moved out of its `Option`: it is polled in place and dropped in
            // place (by assigning `None`, or when the `Task` itself is dropped), so the
            // pinning guarantee holds from this first poll until its drop.
            let pinned = unsafe { Pin::new_unchecked(future) };
            match pinned.poll(cx) {
                Poll::Pending => return false,
                Poll::Ready(output) => {
                    *slot = None;
                    output
                }
            }
        };
        self.sink.complete(Ok(output));
        true
    }

    fn drop_future(&self) {
        if let Ok(mut slot) = self.future.try_borrow_mut() {
            *slot = None;
        }
    }

    fn fail(&self, error: JoinError) {
        self.sink.complete(Err(error));
    }
}

/// The task behind a [`JoinHandle`], seen through its output type only.
pub(crate) trait JoinCell<T> {
    fn state(&self) -> &JoinState<T>;
}

impl<F: Future> JoinCell<F::Output> for Task<F, JoinState<F::Output>> {
    fn state(&self) -> &JoinState<F::Output> {
        &self.sink
    }
}

struct TaskEntry {
    /// `None` while the task is being polled.
    task: Option<Rc<dyn Runnable>>,
    /// The task's waker, moved out while the task is being polled.
    waker: Option<Waker>,
    /// Cancelled while being polled: its future is dropped once the poll returns.
    cancelled: bool,
}

struct Slot {
    generation: u32,
    /// The waker target of the slot's current task, kept for the next one when no waker
    /// of the last task is left.
    header: Option<Arc<TaskHeader>>,
    entry: Option<TaskEntry>,
}

/// Every live task of one loop.
#[derive(Default)]
pub(crate) struct TaskTable {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
}

impl TaskTable {
    pub(crate) fn insert(&mut self, shared: &Arc<Shared>, task: Rc<dyn Runnable>) -> TaskKey {
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    header: None,
                    entry: None,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = &mut self.slots[index as usize];
        let key = key(index, slot.generation);
        // Reuse the slot's header if nothing else holds it, else make a new one.
        let reused = slot.header.as_mut().and_then(Arc::get_mut).map(|header| {
            header.key = key;
            *header.scheduled.get_mut() = true;
        });
        let header = match (reused, &slot.header) {
            (Some(()), Some(header)) => header.clone(),
            _ => {
                let header = Arc::new(TaskHeader {
                    key,
                    scheduled: AtomicBool::new(true),
                    shared: shared.clone(),
                });
                slot.header = Some(header.clone());
                header
            }
        };
        slot.entry = Some(TaskEntry {
            task: Some(task),
            waker: Some(Waker::from(header)),
            cancelled: false,
        });
        self.live += 1;
        key
    }

    fn entry_mut(&mut self, key: TaskKey) -> Option<&mut TaskEntry> {
        let slot = self.slots.get_mut(index_of(key))?;
        if slot.generation != generation_of(key) {
            return None;
        }
        slot.entry.as_mut()
    }

    fn release(&mut self, key: TaskKey) -> Option<TaskEntry> {
        let slot = self.slots.get_mut(index_of(key))?;
        if slot.generation != generation_of(key) {
            return None;
        }
        let entry = slot.entry.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(index_of(key) as u32);
        self.live -= 1;
        Some(entry)
    }

    /// Takes a task out for polling, with its waker.
    pub(crate) fn begin_poll(&mut self, key: TaskKey) -> Option<(Rc<dyn Runnable>, Waker)> {
        let slot = self.slots.get_mut(index_of(key))?;
        if slot.generation != generation_of(key) {
            return None;
        }
        let entry = slot.entry.as_mut()?;
        let task = entry.task.take()?;
        // Wake-ups from now on schedule the task again.
        if let Some(header) = &slot.header {
            header.scheduled.store(false, Ordering::Release);
        }
        match entry.waker.take() {
            Some(waker) => Some((task, waker)),
            None => {
                entry.task = Some(task);
                None
            }
        }
    }

    /// Puts a polled task back (`Ok`); or, if it finished or was cancelled meanwhile,
    /// releases its slot and hands the task back as `Err`, for the caller to drop what is
    /// left of it outside any borrow.
    pub(crate) fn end_poll(
        &mut self,
        key: TaskKey,
        task: Rc<dyn Runnable>,
        waker: Waker,
        ready: bool,
    ) -> Result<(), Rc<dyn Runnable>> {
        let Some(entry) = self.entry_mut(key) else {
            return Err(task);
        };
        if ready || entry.cancelled {
            let released = self.release(key);
            drop(released);
            return Err(task);
        }
        entry.task = Some(task);
        entry.waker = Some(waker);
        Ok(())
    }

    /// Releases a task whose poll panicked.
    pub(crate) fn panicked(&mut self, key: TaskKey) {
        let released = self.release(key);
        drop(released);
    }

    /// Cancels a task: `Some(Some(task))` if it was released (the caller drops its future
    /// and tells its sink), `Some(None)` if it is being polled right now (the poll's end
    /// drops it), `None` if it is gone.
    pub(crate) fn cancel(&mut self, key: TaskKey) -> Option<Option<Rc<dyn Runnable>>> {
        let entry = self.entry_mut(key)?;
        if entry.task.is_none() {
            entry.cancelled = true;
            return Some(None);
        }
        let entry = self.release(key)?;
        Some(entry.task)
    }

    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Every task, for dropping when the loop closes.
    pub(crate) fn drain(&mut self) -> Vec<Rc<dyn Runnable>> {
        let mut tasks = Vec::with_capacity(self.live);
        for (index, slot) in self.slots.iter_mut().enumerate() {
            if let Some(entry) = slot.entry.take() {
                slot.generation = slot.generation.wrapping_add(1);
                self.free.push(index as u32);
                tasks.extend(entry.task);
            }
        }
        self.live = 0;
        tasks
    }
}

/// Why a task ended without an output.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinError {
    /// [`JoinHandle::cancel`] was called, or the loop closed first.
    Cancelled,
    /// The task panicked with this message.
    Panicked(String),
}

impl JoinError {
    /// The task was cancelled.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, JoinError::Cancelled)
    }

    /// The task panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self, JoinError::Panicked(_))
    }
}

impl fmt::Display for JoinError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JoinError::Cancelled => f.write_str("task was cancelled"),
            JoinError::Panicked(message) => write!(f, "task panicked: {message}"),
        }
    }
}

impl std::error::Error for JoinError {}

/// The text of a panic payload.
pub(crate) fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_owned()
    }
}

/// Where a task's output waits for its [`JoinHandle`].
pub(crate) struct JoinState<T> {
    result: RefCell<Option<Result<T, JoinError>>>,
    waker: RefCell<Option<Waker>>,
    finished: Cell<bool>,
}

impl<T> JoinState<T> {
    pub(crate) fn new() -> JoinState<T> {
        JoinState {
            result: RefCell::new(None),
            waker: RefCell::new(None),
            finished: Cell::new(false),
        }
    }

    pub(crate) fn complete(&self, result: Result<T, JoinError>) {
        if self.finished.replace(true) {
            return;
        }
        *self.result.borrow_mut() = Some(result);
        let waker = self.waker.borrow_mut().take();
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Sink<T> for JoinState<T> {
    fn complete(&self, result: Result<T, JoinError>) {
        JoinState::complete(self, result);
    }
}

/// A spawned task, and a future of its output ([`IOLoop::spawn`](crate::IOLoop::spawn)).
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] if the task panicked or was
/// cancelled. Dropping the handle detaches the task: it runs on, as Tornado's tasks do.
pub struct JoinHandle<T> {
    pub(crate) cell: Rc<dyn JoinCell<T>>,
    pub(crate) key: TaskKey,
    pub(crate) core: Weak<Core>,
}

impl<T> JoinHandle<T> {
    fn state(&self) -> &JoinState<T> {
        self.cell.state()
    }

    /// A second handle on the same task, for the crate's own combinators.
    pub(crate) fn clone_ref(&self) -> JoinHandle<T> {
        JoinHandle {
            cell: self.cell.clone(),
            key: self.key,
            core: self.core.clone(),
        }
    }

    /// Stops the task: its future is dropped (at once, or when its current poll returns)
    /// and awaiting the handle gives [`JoinError::Cancelled`]. Cancelling a finished task
    /// does nothing; returns whether the task was still running.
    pub fn cancel(&self) -> bool {
        if self.state().finished.get() {
            return false;
        }
        if let Some(core) = self.core.upgrade() {
            core.cancel_task(self.key);
        }
        self.state().complete(Err(JoinError::Cancelled));
        true
    }

    /// The task has finished (with an output, a panic, or cancelled).
    pub fn is_finished(&self) -> bool {
        self.state().finished.get()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(result) = self.state().result.borrow_mut().take() {
            return Poll::Ready(result);
        }
        if self.state().finished.get() {
            // The output was already taken: polling a finished handle again.
            return Poll::Ready(Err(JoinError::Cancelled));
        }
        let mut waker = self.state().waker.borrow_mut();
        match &mut *waker {
            Some(old) if old.will_wake(cx.waker()) => {}
            slot => *slot = Some(cx.waker().clone()),
        }
        Poll::Pending
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle")
            .field("finished", &self.state().finished.get())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_pack_index_and_generation() {
        let k = key(7, 3);
        assert_eq!(index_of(k), 7);
        assert_eq!(generation_of(k), 3);
        assert_eq!(generation_of(key(u32::MAX, u32::MAX)), u32::MAX);
    }

    /// Sets a flag when dropped.
    struct DropFlag(Rc<Cell<bool>>);

    impl Drop for DropFlag {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }

    #[test]
    fn a_stale_waker_does_not_wake_the_next_task_in_its_slot() {
        let io_loop = crate::IOLoop::new().unwrap();
        let polls = Rc::new(Cell::new(0));
        let counted = polls.clone();
        io_loop
            .run_sync(
                async move {
                    let io_loop = crate::IOLoop::current();
                    let kept = Rc::new(RefCell::new(None));
                    let keeper = kept.clone();
                    io_loop
                        .spawn(std::future::poll_fn(move |cx| {
                            *keeper.borrow_mut() = Some(cx.waker().clone());
                            Poll::Ready(())
                        }))
                        .await
                        .unwrap();
                    // Takes the finished task's slot; its waker is another.
                    let next = io_loop.spawn(std::future::poll_fn(move |_| {
                        counted.set(counted.get() + 1);
                        Poll::<()>::Pending
                    }));
                    crate::moment().await;
                    assert_eq!(polls.get(), 1);
                    let stale: Waker = kept.borrow_mut().take().unwrap();
                    stale.wake();
                    crate::moment().await;
                    crate::moment().await;
                    assert_eq!(polls.get(), 1, "woken through a finished task's waker");
                    assert!(next.cancel());
                },
                None,
            )
            .unwrap();
        io_loop.close(false).unwrap();
    }

    #[test]
    fn a_finished_task_drops_its_future_before_its_handle_goes() {
        let io_loop = crate::IOLoop::new().unwrap();
        let dropped = Rc::new(Cell::new(false));
        let flag = DropFlag(dropped.clone());
        let handle = io_loop.spawn(std::future::poll_fn(move |_| {
            let _held = &flag;
            Poll::Ready(7)
        }));
        assert!(!dropped.get());
        let check = dropped.clone();
        let output = io_loop
            .run_sync(
                async move {
                    crate::moment().await;
                    assert!(check.get(), "the future outlived its task");
                    handle.await
                },
                None,
            )
            .unwrap();
        assert_eq!(output, Ok(7));
        io_loop.close(false).unwrap();
    }

    #[test]
    fn closing_the_loop_drops_pending_futures_held_by_handles() {
        let io_loop = crate::IOLoop::new().unwrap();
        let dropped = Rc::new(Cell::new(false));
        let flag = DropFlag(dropped.clone());
        let handle = io_loop.spawn(async move {
            let _held = flag;
            std::future::pending::<()>().await;
        });
        io_loop.close(false).unwrap();
        assert!(dropped.get());
        assert!(!handle.is_finished());
    }

    #[test]
    fn panic_messages() {
        assert_eq!(panic_message(&"boom"), "boom");
        assert_eq!(panic_message(&String::from("bang")), "bang");
        assert_eq!(panic_message(&42), "a panic with a non-string payload");
    }
}

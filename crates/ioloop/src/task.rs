//! The executor's tasks: a slab of boxed futures, woken through thread-safe wakers.
//!
//! A task's waker is an `Arc<TaskHeader>` made once, when the task is spawned; waking
//! clones nothing and allocates nothing. A `scheduled` flag makes a task that is woken
//! twice run once. A waker woken on the thread that runs its loop pushes the task onto that
//! loop's ready queue (found through a thread-local); one woken from any other thread goes
//! through the loop's remote queue and wakes the poller. Each key carries the slot's
//! generation, so a wake-up for a task that has finished, and whose slot was reused, is
//! dropped.

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

pub(crate) type BoxFuture = Pin<Box<dyn Future<Output = ()>>>;

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

/// Receives the end of a task that was spawned with a [`JoinHandle`].
pub(crate) trait JoinSink {
    /// The task ended without an output: it panicked or was cancelled.
    fn fail(&self, error: JoinError);
}

struct TaskEntry {
    /// `None` while the task is being polled.
    future: Option<BoxFuture>,
    header: Arc<TaskHeader>,
    /// The task's waker, moved out while the task is being polled.
    waker: Option<Waker>,
    join: Option<Rc<dyn JoinSink>>,
    /// Cancelled while being polled: dropped once the poll returns.
    cancelled: bool,
}

struct Slot {
    generation: u32,
    entry: Option<TaskEntry>,
}

/// Every live task of one loop.
#[derive(Default)]
pub(crate) struct TaskTable {
    slots: Vec<Slot>,
    free: Vec<u32>,
    live: usize,
}

/// What cancelling a task leaves to drop and to tell, outside the table's borrow.
pub(crate) type Cancelled = (Option<BoxFuture>, Option<Rc<dyn JoinSink>>);

/// What polling a task led to.
pub(crate) enum Polled {
    /// The task is waiting again.
    Pending,
    /// The task finished or was cancelled; its future is handed back to be dropped
    /// outside any borrow.
    Done(BoxFuture),
}

impl TaskTable {
    pub(crate) fn insert(
        &mut self,
        shared: &Arc<Shared>,
        future: BoxFuture,
        join: Option<Rc<dyn JoinSink>>,
    ) -> TaskKey {
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    entry: None,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = &mut self.slots[index as usize];
        let key = key(index, slot.generation);
        let header = Arc::new(TaskHeader {
            key,
            scheduled: AtomicBool::new(true),
            shared: shared.clone(),
        });
        slot.entry = Some(TaskEntry {
            future: Some(future),
            waker: Some(Waker::from(header.clone())),
            header: header.clone(),
            join,
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

    /// Takes a task's future out for polling.
    pub(crate) fn begin_poll(&mut self, key: TaskKey) -> Option<(BoxFuture, Waker)> {
        let entry = self.entry_mut(key)?;
        let future = entry.future.take()?;
        // Wake-ups from now on schedule the task again.
        entry.header.scheduled.store(false, Ordering::Release);
        let waker = entry.waker.take()?;
        Some((future, waker))
    }

    /// Puts a polled future back, or releases its slot if it finished or was cancelled
    /// meanwhile.
    pub(crate) fn end_poll(
        &mut self,
        key: TaskKey,
        future: BoxFuture,
        waker: Waker,
        ready: bool,
    ) -> Polled {
        let cancelled = match self.entry_mut(key) {
            Some(entry) => entry.cancelled,
            None => return Polled::Done(future),
        };
        if ready || cancelled {
            self.release(key);
            return Polled::Done(future);
        }
        if let Some(entry) = self.entry_mut(key) {
            entry.future = Some(future);
            entry.waker = Some(waker);
        }
        Polled::Pending
    }

    /// The join sink of a task that panicked, releasing the task.
    pub(crate) fn panicked(&mut self, key: TaskKey) -> Option<Rc<dyn JoinSink>> {
        self.release(key).and_then(|entry| entry.join)
    }

    /// Cancels a task: its future (if not being polled) is handed back to be dropped, and
    /// the join sink to be told.
    pub(crate) fn cancel(&mut self, key: TaskKey) -> Option<Cancelled> {
        let entry = self.entry_mut(key)?;
        if entry.future.is_none() {
            // Being polled right now: the poll's end drops it.
            entry.cancelled = true;
            return Some((None, entry.join.take()));
        }
        let entry = self.release(key)?;
        Some((entry.future, entry.join))
    }

    pub(crate) fn len(&self) -> usize {
        self.live
    }

    /// Every future, for dropping when the loop closes.
    pub(crate) fn drain(&mut self) -> Vec<BoxFuture> {
        let mut futures = Vec::with_capacity(self.live);
        for (index, slot) in self.slots.iter_mut().enumerate() {
            if let Some(entry) = slot.entry.take() {
                slot.generation = slot.generation.wrapping_add(1);
                self.free.push(index as u32);
                futures.extend(entry.future);
            }
        }
        self.live = 0;
        futures
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
    pub(crate) fn new() -> Rc<JoinState<T>> {
        Rc::new(JoinState {
            result: RefCell::new(None),
            waker: RefCell::new(None),
            finished: Cell::new(false),
        })
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

impl<T> JoinSink for JoinState<T> {
    fn fail(&self, error: JoinError) {
        self.complete(Err(error));
    }
}

/// A spawned task, and a future of its output ([`IOLoop::spawn`](crate::IOLoop::spawn)).
///
/// Awaiting it gives `Ok(output)`, or a [`JoinError`] if the task panicked or was
/// cancelled. Dropping the handle detaches the task: it runs on, as Tornado's tasks do.
pub struct JoinHandle<T> {
    pub(crate) state: Rc<JoinState<T>>,
    pub(crate) key: TaskKey,
    pub(crate) core: Weak<Core>,
}

impl<T> JoinHandle<T> {
    /// A second handle on the same task, for the crate's own combinators.
    pub(crate) fn clone_ref(&self) -> JoinHandle<T> {
        JoinHandle {
            state: self.state.clone(),
            key: self.key,
            core: self.core.clone(),
        }
    }

    /// Stops the task: its future is dropped (at once, or when its current poll returns)
    /// and awaiting the handle gives [`JoinError::Cancelled`]. Cancelling a finished task
    /// does nothing; returns whether the task was still running.
    pub fn cancel(&self) -> bool {
        if self.state.finished.get() {
            return false;
        }
        if let Some(core) = self.core.upgrade() {
            core.cancel_task(self.key);
        }
        self.state.complete(Err(JoinError::Cancelled));
        true
    }

    /// The task has finished (with an output, a panic, or cancelled).
    pub fn is_finished(&self) -> bool {
        self.state.finished.get()
    }
}

impl<T> Future for JoinHandle<T> {
    type Output = Result<T, JoinError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Some(result) = self.state.result.borrow_mut().take() {
            return Poll::Ready(result);
        }
        if self.state.finished.get() {
            // The output was already taken: polling a finished handle again.
            return Poll::Ready(Err(JoinError::Cancelled));
        }
        let mut waker = self.state.waker.borrow_mut();
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
            .field("finished", &self.state.finished.get())
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

    #[test]
    fn panic_messages() {
        assert_eq!(panic_message(&"boom"), "boom");
        assert_eq!(panic_message(&String::from("bang")), "bang");
        assert_eq!(panic_message(&42), "a panic with a non-string payload");
    }
}

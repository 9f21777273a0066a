//! Tornado's `queues` module: [`Queue`], [`PriorityQueue`] and [`LifoQueue`] to hand items
//! from producer tasks to consumer tasks on one loop.
//!
//! Like Tornado's (and unlike `std::sync::mpsc`), these are not thread-safe: they
//! coordinate the tasks of one [`IOLoop`](crate::IOLoop). To feed one from another
//! thread, send a callback with [`LoopHandle::add_callback`](crate::LoopHandle::add_callback)
//! that puts the item. Each queue is a cheap handle: clones share the queue, so a producer
//! and a consumer task each hold one.
//!
//! ```
//! use std::time::Duration;
//! use tornado_ioloop::{IOLoop, queues::Queue, sleep};
//!
//! let io_loop = IOLoop::new()?;
//! let done = io_loop.run_sync(async {
//!     let queue = Queue::new(2); // at most two items waiting
//!     let consumer = queue.clone();
//!     IOLoop::current().spawn_callback(async move {
//!         loop {
//!             let item: u32 = consumer.get().await;
//!             println!("doing work on {item}");
//!             sleep(Duration::from_millis(1)).await;
//!             consumer.task_done().unwrap();
//!         }
//!     });
//!     for item in 0..5 {
//!         queue.put(item).await; // waits while the queue is full
//!     }
//!     queue.join().await; // until every item is task_done()
//!     queue.empty()
//! }, None)?;
//! assert!(done);
//! io_loop.close(false)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Differences from Tornado
//!
//! - `put(item, timeout)`, `get(timeout)` and `join(timeout)` are `put_timeout`,
//!   `get_timeout` and `join_timeout`, taking a deadline: a `Duration` from now (Tornado's
//!   `timedelta`), an absolute `f64` on [`IOLoop::time`](crate::IOLoop::time)'s clock
//!   (Tornado's float) or an `Instant`. Without a timeout, `get` gives the item itself and
//!   `put` and `join` give `()`. A zero or past deadline means "now": the call succeeds
//!   only if it can at once (Tornado after 6.5.2; 6.5.2 read a zero timeout as none).
//!   A future whose deadline is still ahead sets a timer on the running loop when polled
//!   (outside a running loop it panics, as [`sleep`](crate::sleep) does).
//! - As in Tornado, `put` and `get` act when called: an item goes in, or is taken, or
//!   the future takes its place in line, before the future is first polled.
//! - Dropping a future leaves the line. A `get` future dropped after being handed an item
//!   gives it back: to the next getter, or to the queue, where it comes out next (a
//!   priority queue files it by its order), even if that puts the queue over `maxsize`. A waiting `put` future dropped, or timed out, drops its
//!   item, which never entered the queue.
//! - `put_nowait` gives the item back inside [`QueueFull`]; `task_done` called too often
//!   is a [`TaskDoneError`] (Tornado's `ValueError`). `maxsize` is a `usize`, so Tornado's
//!   `TypeError`/`ValueError` for `None` or negative sizes, and float sizes, cannot occur.
//! - `async for item in queue` is the [`futures_core::Stream`] implementation of the
//!   queue handle, which never ends by itself.
//! - [`PriorityQueue`] runs Python's `heapq` algorithm on the items' [`Ord`], so items
//!   that compare equal come out in Tornado's order; there are no `_init`/`_put`/`_get`
//!   hooks to override.
//! - `Debug` prints Tornado's `str()` (no address):
//!   `<Queue maxsize=2 queue=deque([1, 2]) putters[1] tasks=2>`; it counts live waiters.

#![forbid(unsafe_code)]

mod futures;
mod store;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Instant;

pub use self::futures::{Get, GetTimeout, Put, PutTimeout};
use self::store::Store;
use crate::locks::waiters::{Wait, WaitList};
use crate::locks::{Event, EventWait, EventWaitTimeout};
use crate::timer::Deadline;

/// [`Queue::put_nowait`] found the queue full; the item comes back inside (Tornado's
/// `QueueFull`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct QueueFull<T>(pub T);

impl<T> QueueFull<T> {
    /// The item that did not fit.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("QueueFull(..)")
    }
}

impl<T> fmt::Display for QueueFull<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is full")
    }
}

impl<T> std::error::Error for QueueFull<T> {}

/// [`Queue::get_nowait`] found the queue empty (Tornado's `QueueEmpty`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct QueueEmpty;

impl fmt::Display for QueueEmpty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the queue is empty")
    }
}

impl std::error::Error for QueueEmpty {}

/// [`Queue::task_done`] was called more times than items were put (Tornado's
/// `ValueError`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TaskDoneError;

impl fmt::Display for TaskDoneError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("task_done() called too many times")
    }
}

impl std::error::Error for TaskDoneError {}

struct State<T> {
    maxsize: usize,
    store: Store<T>,
    /// Waiting for an item.
    getters: WaitList<T, ()>,
    /// Waiting, each with its item, for room.
    putters: WaitList<(), T>,
    /// Items put and not yet `task_done()`.
    unfinished: usize,
}

impl<T> State<T> {
    fn is_full(&self) -> bool {
        self.maxsize != 0 && self.store.len() >= self.maxsize
    }
}

/// One queue, shared by its handles and futures.
struct Core<T> {
    state: RefCell<State<T>>,
    /// Set while no task is unfinished.
    finished: Event,
}

impl<T> Core<T> {
    fn new(maxsize: usize, store: Store<T>) -> Rc<Core<T>> {
        let finished = Event::new();
        finished.set();
        Rc::new(Core {
            state: RefCell::new(State {
                maxsize,
                store,
                getters: WaitList::default(),
                putters: WaitList::default(),
                unfinished: 0,
            }),
            finished,
        })
    }

    fn put_nowait(&self, item: T) -> Result<(), QueueFull<T>> {
        let waker = {
            let mut state = self.state.borrow_mut();
            // A live getter means an empty store: the item goes straight to it.
            let waker = match state.getters.serve(item) {
                Ok(((), waker)) => waker,
                Err(item) if state.is_full() => return Err(QueueFull(item)),
                Err(item) => {
                    state.store.push(item);
                    None
                }
            };
            state.unfinished += 1;
            waker
        };
        self.finished.clear();
        if let Some(waker) = waker {
            waker.wake();
        }
        Ok(())
    }

    fn put(&self, item: T, deadline: Option<Instant>) -> Wait<(), T> {
        match self.put_nowait(item) {
            Ok(()) => Wait::Ready(()),
            Err(QueueFull(item)) => self.state.borrow_mut().putters.push(deadline, item),
        }
    }

    fn get_nowait(&self) -> Result<T, QueueEmpty> {
        let (item, served_putter) = {
            let mut state = self.state.borrow_mut();
            match state.putters.serve(()) {
                // A live putter means a full store: its item goes in, then one comes out.
                Ok((item, waker)) => {
                    state.store.push(item);
                    state.unfinished += 1;
                    (state.store.pop(), Some(waker))
                }
                Err(()) => (state.store.pop(), None),
            }
        };
        if let Some(waker) = served_putter {
            self.finished.clear();
            if let Some(waker) = waker {
                waker.wake();
            }
        }
        item.ok_or(QueueEmpty)
    }

    fn get(&self, deadline: Option<Instant>) -> Wait<T, ()> {
        match self.get_nowait() {
            Ok(item) => Wait::Ready(item),
            Err(QueueEmpty) => self.state.borrow_mut().getters.push(deadline, ()),
        }
    }

    /// Takes back an item handed to a getter that went away without it.
    fn give_back(&self, item: T) {
        let waker = {
            let mut state = self.state.borrow_mut();
            match state.getters.serve(item) {
                Ok(((), waker)) => waker,
                Err(item) => {
                    state.store.unpop(item);
                    None
                }
            }
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }

    fn task_done(&self) -> Result<(), TaskDoneError> {
        let all_done = {
            let mut state = self.state.borrow_mut();
            if state.unfinished == 0 {
                return Err(TaskDoneError);
            }
            state.unfinished -= 1;
            state.unfinished == 0
        };
        if all_done {
            self.finished.set();
        }
        Ok(())
    }
}

/// Tornado's `str(queue)`: `<Queue maxsize=0 queue=deque([1]) getters[1] putters[2] tasks=1>`.
impl<T: fmt::Debug> fmt::Debug for Core<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        write!(f, "<{} maxsize={}", state.store.class_name(), state.maxsize)?;
        if state.store.len() > 0 {
            f.write_str(" queue=")?;
            state.store.fmt_items(f)?;
        }
        match state.getters.live_len() {
            0 => {}
            n => write!(f, " getters[{n}]")?,
        }
        match state.putters.live_len() {
            0 => {}
            n => write!(f, " putters[{n}]")?,
        }
        if state.unfinished > 0 {
            write!(f, " tasks={}", state.unfinished)?;
        }
        f.write_str(">")
    }
}

/// Hands items from producers to consumers, first in first out (Tornado's
/// `queues.Queue`).
///
/// With a `maxsize` (0 is unbounded), [`put`](Self::put) waits while the queue is full;
/// [`get`](Self::get) waits while it is empty. Waiting getters and putters are served in
/// the order they came. Every item put counts as an unfinished task until a consumer calls
/// [`task_done`](Self::task_done); [`join`](Self::join) waits until none is left.
///
/// The handle is a [`futures_core::Stream`] of items that never ends (Tornado's
/// `async for item in queue`). Clones share the queue; a clone does not share the
/// stream's pending get.
///
/// ```
/// use tornado_ioloop::{IOLoop, queues::{Queue, QueueEmpty, QueueFull}};
///
/// let io_loop = IOLoop::new()?;
/// io_loop.run_sync(async {
///     let queue = Queue::new(1);
///     queue.put_nowait("a").unwrap();
///     assert_eq!(queue.put_nowait("b"), Err(QueueFull("b")));
///     let waiting_put = queue.put("b"); // takes its place in line now
///     assert_eq!(format!("{queue:?}"), r#"<Queue maxsize=1 queue=deque(["a"]) putters[1] tasks=1>"#);
///     assert_eq!(queue.get().await, "a"); // which lets "b" in
///     waiting_put.await;
///     assert_eq!(queue.get_nowait(), Ok("b"));
///     assert_eq!(queue.get_nowait(), Err(QueueEmpty));
/// }, None)?;
/// io_loop.close(false)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Queue<T> {
    core: Rc<Core<T>>,
    /// The get the stream is waiting on.
    next: Option<Get<T>>,
}

impl<T> Queue<T> {
    /// A FIFO queue holding at most `maxsize` items; 0 means no limit.
    pub fn new(maxsize: usize) -> Queue<T> {
        Queue::with_store(maxsize, Store::Fifo(VecDeque::new()))
    }

    fn with_store(maxsize: usize, store: Store<T>) -> Queue<T> {
        Queue {
            core: Core::new(maxsize, store),
            next: None,
        }
    }

    /// How many items the queue holds at most; 0 is unbounded.
    pub fn maxsize(&self) -> usize {
        self.core.state.borrow().maxsize
    }

    /// How many items the queue holds.
    pub fn qsize(&self) -> usize {
        self.core.state.borrow().store.len()
    }

    /// The queue holds no item.
    pub fn empty(&self) -> bool {
        self.qsize() == 0
    }

    /// The queue holds `maxsize` items (never, for an unbounded queue).
    pub fn full(&self) -> bool {
        self.core.state.borrow().is_full()
    }

    /// Puts `item` in the queue, waiting while it is full. The item goes in, or takes its
    /// place in line, when this is called.
    pub fn put(&self, item: T) -> Put<T> {
        Put::new(self.core.put(item, None))
    }

    /// Puts `item` in the queue, or fails with [`TimeoutError`](crate::TimeoutError) (and
    /// drops the item) if the queue is still full at `deadline`: a `Duration` from now, an
    /// `Instant`, or an absolute `f64` on [`IOLoop::time`](crate::IOLoop::time)'s clock.
    pub fn put_timeout(&self, item: T, deadline: impl Into<Deadline>) -> PutTimeout<T> {
        PutTimeout::new(self.core.put(item, Some(deadline.into().to_instant())))
    }

    /// Puts `item` in the queue at once, or gives it back in [`QueueFull`]. A waiting
    /// getter receives it directly (and resumes on the loop's next iteration).
    pub fn put_nowait(&self, item: T) -> Result<(), QueueFull<T>> {
        self.core.put_nowait(item)
    }

    /// Takes the next item, waiting while the queue is empty. The item is taken, or the
    /// getter takes its place in line, when this is called.
    pub fn get(&self) -> Get<T> {
        Get::new(self.core.clone(), self.core.get(None))
    }

    /// Takes the next item, or fails with [`TimeoutError`](crate::TimeoutError) if none
    /// came by `deadline` (see [`put_timeout`](Self::put_timeout) for the deadline).
    pub fn get_timeout(&self, deadline: impl Into<Deadline>) -> GetTimeout<T> {
        let wait = self.core.get(Some(deadline.into().to_instant()));
        GetTimeout::new(self.core.clone(), wait)
    }

    /// Takes the next item at once, or fails with [`QueueEmpty`]. If putters wait on a
    /// full queue, the first one's item goes in.
    pub fn get_nowait(&self) -> Result<T, QueueEmpty> {
        self.core.get_nowait()
    }

    /// Marks one item taken from the queue as processed. When every item put has been
    /// marked, [`join`](Self::join) returns. Calling it more often than items were put is
    /// a [`TaskDoneError`].
    pub fn task_done(&self) -> Result<(), TaskDoneError> {
        self.core.task_done()
    }

    /// Waits until every item put has been marked with [`task_done`](Self::task_done).
    pub fn join(&self) -> EventWait {
        self.core.finished.wait()
    }

    /// Waits until every item put has been marked done, or fails with
    /// [`TimeoutError`](crate::TimeoutError) at `deadline`.
    pub fn join_timeout(&self, deadline: impl Into<Deadline>) -> EventWaitTimeout {
        self.core.finished.wait_timeout(deadline)
    }
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Queue<T> {
        Queue {
            core: self.core.clone(),
            next: None,
        }
    }
}

impl<T> Default for Queue<T> {
    /// An unbounded FIFO queue.
    fn default() -> Queue<T> {
        Queue::new(0)
    }
}

/// The items of the queue, forever (Tornado's `async for item in queue`).
impl<T> futures_core::Stream for Queue<T> {
    type Item = T;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
        let this = self.get_mut();
        let core = &this.core;
        let next = this
            .next
            .get_or_insert_with(|| Get::new(core.clone(), core.get(None)));
        let item = std::task::ready!(Pin::new(next).poll(cx));
        this.next = None;
        Poll::Ready(Some(item))
    }
}

/// Tornado's `str(queue)`: `<Queue maxsize=2 queue=deque([1, 2]) putters[1] tasks=2>`.
impl<T: fmt::Debug> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.core.fmt(f)
    }
}

/// A [`Queue`] that hands out the smallest item first (Tornado's `queues.PriorityQueue`,
/// built on Python's `heapq`). Items are typically `(priority, value)` tuples.
///
/// It dereferences to [`Queue`], which has every method.
///
/// ```
/// use tornado_ioloop::queues::PriorityQueue;
///
/// let queue = PriorityQueue::new(0);
/// queue.put_nowait((1, "medium-priority item")).unwrap();
/// queue.put_nowait((0, "high-priority item")).unwrap();
/// queue.put_nowait((10, "low-priority item")).unwrap();
/// assert_eq!(queue.get_nowait(), Ok((0, "high-priority item")));
/// assert_eq!(queue.get_nowait(), Ok((1, "medium-priority item")));
/// assert_eq!(queue.get_nowait(), Ok((10, "low-priority item")));
/// ```
pub struct PriorityQueue<T>(Queue<T>);

impl<T: Ord> PriorityQueue<T> {
    /// A priority queue holding at most `maxsize` items; 0 means no limit.
    pub fn new(maxsize: usize) -> PriorityQueue<T> {
        PriorityQueue(Queue::with_store(maxsize, Store::priority()))
    }
}

/// A [`Queue`] that hands out the newest item first (Tornado's `queues.LifoQueue`).
///
/// It dereferences to [`Queue`], which has every method.
///
/// ```
/// use tornado_ioloop::queues::LifoQueue;
///
/// let queue = LifoQueue::new(0);
/// for item in [3, 2, 1] {
///     queue.put_nowait(item).unwrap();
/// }
/// assert_eq!(queue.get_nowait(), Ok(1));
/// assert_eq!(queue.get_nowait(), Ok(2));
/// assert_eq!(queue.get_nowait(), Ok(3));
/// ```
pub struct LifoQueue<T>(Queue<T>);

impl<T> LifoQueue<T> {
    /// A LIFO queue holding at most `maxsize` items; 0 means no limit.
    pub fn new(maxsize: usize) -> LifoQueue<T> {
        LifoQueue(Queue::with_store(maxsize, Store::Lifo(Vec::new())))
    }
}

impl<T: Ord> Default for PriorityQueue<T> {
    /// An unbounded priority queue.
    fn default() -> PriorityQueue<T> {
        PriorityQueue::new(0)
    }
}

impl<T> Default for LifoQueue<T> {
    /// An unbounded LIFO queue.
    fn default() -> LifoQueue<T> {
        LifoQueue::new(0)
    }
}

macro_rules! queue_wrapper {
    ($name:ident) => {
        impl<T> Deref for $name<T> {
            type Target = Queue<T>;

            fn deref(&self) -> &Queue<T> {
                &self.0
            }
        }

        impl<T> Clone for $name<T> {
            fn clone(&self) -> $name<T> {
                $name(self.0.clone())
            }
        }

        impl<T> From<$name<T>> for Queue<T> {
            /// The same queue, as a plain [`Queue`] handle (it keeps its order).
            fn from(queue: $name<T>) -> Queue<T> {
                queue.0
            }
        }

        /// The items of the queue, forever (Tornado's `async for`).
        impl<T> futures_core::Stream for $name<T> {
            type Item = T;

            fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
                Pin::new(&mut self.get_mut().0).poll_next(cx)
            }
        }

        /// Tornado's `str(queue)`.
        impl<T: fmt::Debug> fmt::Debug for $name<T> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

queue_wrapper!(PriorityQueue);
queue_wrapper!(LifoQueue);

#[cfg(test)]
mod tests {
    use super::*;
    use std::task::Waker;

    fn poll_once<F: std::future::Future + Unpin>(future: &mut F) -> Poll<F::Output> {
        Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn a_getter_dropped_with_an_item_gives_it_back() {
        let queue = Queue::new(0);
        let first = queue.get();
        let second = queue.get();
        queue.put_nowait(1).unwrap();
        queue.put_nowait(2).unwrap();
        assert!(queue.empty(), "both items went to the getters");
        // Each item handed out goes back to the front of the queue.
        drop(second);
        drop(first);
        assert_eq!(queue.get_nowait(), Ok(1));
        assert_eq!(queue.get_nowait(), Ok(2));
        assert_eq!(queue.core.state.borrow().unfinished, 2);
        // An item taken at once by `get()` goes back too if the future is never polled.
        queue.put_nowait(3).unwrap();
        drop(queue.get());
        assert_eq!(queue.qsize(), 1);
    }

    #[test]
    fn a_given_back_item_goes_to_the_next_live_getter() {
        let queue = Queue::new(0);
        let handed = queue.get();
        let mut next = queue.get();
        queue.put_nowait("x").unwrap();
        assert_eq!(queue.qsize(), 0);
        drop(handed);
        assert_eq!(poll_once(&mut next), Poll::Ready("x"));
        assert!(queue.empty());
    }

    #[test]
    fn dead_putters_are_purged() {
        let queue = Queue::new(1);
        queue.put_nowait(0).unwrap();
        for i in 0..1000 {
            drop(queue.put(i));
        }
        let state = queue.core.state.borrow();
        assert!(state.putters.raw_len() < 40, "{}", state.putters.raw_len());
        assert_eq!(state.putters.live_len(), 0);
    }
}

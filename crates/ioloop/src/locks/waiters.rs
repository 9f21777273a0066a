//! The FIFO line of waiters behind every lock and queue.
//!
//! A waiter is a [`Node`] shared between the line ([`WaitList`]) and the future that waits
//! ([`Wait`]). The owner *serves* the first live waiter of the line: it hands the waiter a
//! value (a permit, an item, a notification) and gets back what the waiter carried (a
//! putter's item). A waiter is live while its future exists and its deadline has not
//! passed; the line skips the others, so a value is never handed to a waiter that has gone.
//!
//! A waiter that times out or whose future is dropped stays in the line as a dead node
//! until the line pops it from the front or compacts: [`WaitList::push`] compacts when the
//! line has doubled since the last compaction, so the line holds at most twice its live
//! waiters (plus a small constant) and every operation costs `O(1)` amortised.
//!
//! Whoever serves collects the wakers and wakes them once its own borrows are released,
//! and nothing here drops a user's value while a line is borrowed.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::mem;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use crate::r#gen::{Sleep, sleep_until};

/// Below this length a line is never compacted.
const MIN_COMPACT: usize = 16;

/// One waiter. `R` is what serving it hands over, `P` what it carries while it waits.
pub(crate) struct Node<R, P> {
    slot: RefCell<Slot<R, P>>,
    deadline: Option<Instant>,
}

enum Slot<R, P> {
    /// In line, with the waker of its task and its payload.
    Waiting { waker: Option<Waker>, payload: P },
    /// Served: the value waits for the future to take it.
    Ready(R),
    /// The future finished or was dropped.
    Done,
}

/// Computes `Instant::now()` at most once per operation, and only if a deadline needs it.
#[derive(Default)]
struct Now(Option<Instant>);

impl Now {
    fn passed(&mut self, deadline: Option<Instant>) -> bool {
        match deadline {
            None => false,
            Some(deadline) => *self.0.get_or_insert_with(Instant::now) >= deadline,
        }
    }
}

impl<R, P> Node<R, P> {
    fn is_live(&self, now: &mut Now) -> bool {
        matches!(&*self.slot.borrow(), Slot::Waiting { .. }) && !now.passed(self.deadline)
    }

    /// Hands `value` to this waiter if it is live; its payload and waker come back.
    fn try_serve(&self, value: R, now: &mut Now) -> Result<(P, Option<Waker>), R> {
        if now.passed(self.deadline) {
            return Err(value);
        }
        let mut slot = self.slot.borrow_mut();
        match mem::replace(&mut *slot, Slot::Done) {
            Slot::Waiting { waker, payload } => {
                *slot = Slot::Ready(value);
                Ok((payload, waker))
            }
            other => {
                *slot = other;
                Err(value)
            }
        }
    }
}

/// A FIFO line of waiters.
pub(crate) struct WaitList<R, P> {
    nodes: VecDeque<Rc<Node<R, P>>>,
    compact_at: usize,
}

impl<R, P> Default for WaitList<R, P> {
    fn default() -> Self {
        WaitList {
            nodes: VecDeque::new(),
            compact_at: MIN_COMPACT,
        }
    }
}

impl<R, P> WaitList<R, P> {
    /// Puts a new waiter at the back of the line and returns the future's side of it. A
    /// waiter whose deadline has already passed is not put in line: it times out when
    /// first polled.
    pub(crate) fn push(&mut self, deadline: Option<Instant>, payload: P) -> Wait<R, P> {
        let node = Rc::new(Node {
            slot: RefCell::new(Slot::Waiting {
                waker: None,
                payload,
            }),
            deadline,
        });
        if !Now::default().passed(deadline) {
            if self.nodes.len() >= self.compact_at {
                self.compact();
            }
            self.nodes.push_back(node.clone());
        }
        Wait::Pending { node, sleep: None }
    }

    /// Drops every dead waiter; the next compaction waits until the line doubles.
    fn compact(&mut self) {
        let mut now = Now::default();
        self.nodes.retain(|node| node.is_live(&mut now));
        self.compact_at = (2 * self.nodes.len()).max(MIN_COMPACT);
    }

    /// Hands `value` to the first live waiter, dropping the dead ones before it from the
    /// line. `Err(value)` when nobody live is waiting.
    pub(crate) fn serve(&mut self, mut value: R) -> Result<(P, Option<Waker>), R> {
        let mut now = Now::default();
        while let Some(node) = self.nodes.pop_front() {
            match node.try_serve(value, &mut now) {
                Ok(served) => return Ok(served),
                Err(back) => value = back,
            }
        }
        Err(value)
    }

    /// How many live waiters are in line (`O(n)`, for `Debug`).
    pub(crate) fn live_len(&self) -> usize {
        let mut now = Now::default();
        self.nodes.iter().filter(|n| n.is_live(&mut now)).count()
    }

    /// How many nodes the line holds, live or dead.
    #[cfg(test)]
    pub(crate) fn raw_len(&self) -> usize {
        self.nodes.len()
    }
}

impl<R> WaitList<R, ()> {
    /// Serves every live waiter, each with a value from `make`; their wakers come back.
    /// (Only for lines without payloads: no user value is dropped under the caller's
    /// borrow.)
    pub(crate) fn serve_all(&mut self, mut make: impl FnMut() -> R) -> Vec<Waker> {
        let mut now = Now::default();
        let mut wakers = Vec::new();
        for node in mem::take(&mut self.nodes) {
            if let Ok((_payload, Some(waker))) = node.try_serve(make(), &mut now) {
                wakers.push(waker);
            }
        }
        self.compact_at = MIN_COMPACT;
        wakers
    }
}

/// The waiting side: resolved at once, or a node in some line.
pub(crate) enum Wait<R, P> {
    /// Served when created (the fast path): no node, no allocation.
    Ready(R),
    /// In line; `sleep` wakes the task at the node's deadline.
    Pending {
        node: Rc<Node<R, P>>,
        sleep: Option<Sleep>,
    },
    /// The value was taken, or the wait timed out.
    Done,
}

impl<R, P> Wait<R, P> {
    /// The served value, or `Err(payload)` once the deadline has passed without service.
    ///
    /// # Panics
    ///
    /// When polled again after it returned `Ready`, as any finished future.
    pub(crate) fn poll_wait(&mut self, cx: &mut Context<'_>) -> Poll<Result<R, P>> {
        let (node, mut sleep) = match mem::replace(self, Wait::Done) {
            Wait::Ready(value) => return Poll::Ready(Ok(value)),
            Wait::Pending { node, sleep } => (node, sleep),
            Wait::Done => panic!("a lock or queue future was polled after it completed"),
        };
        loop {
            let outcome = {
                let mut slot = node.slot.borrow_mut();
                match mem::replace(&mut *slot, Slot::Done) {
                    Slot::Ready(value) => Some(Ok(value)),
                    Slot::Waiting { payload, .. } if Now::default().passed(node.deadline) => {
                        Some(Err(payload))
                    }
                    Slot::Waiting { waker, payload } => {
                        let waker = match waker {
                            Some(old) if old.will_wake(cx.waker()) => old,
                            _ => cx.waker().clone(),
                        };
                        *slot = Slot::Waiting {
                            waker: Some(waker),
                            payload,
                        };
                        None
                    }
                    // Only `abandon` marks a node done, and it leaves `self` done too.
                    Slot::Done => panic!("a lock or queue future was polled after it completed"),
                }
            };
            if let Some(outcome) = outcome {
                return Poll::Ready(outcome);
            }
            if let Some(deadline) = node.deadline {
                let timer = sleep.get_or_insert_with(|| sleep_until(deadline));
                if Pin::new(timer).poll(cx).is_ready() {
                    // The deadline passed between the two looks: look again.
                    continue;
                }
            }
            *self = Wait::Pending { node, sleep };
            return Poll::Pending;
        }
    }

    /// Gives up waiting. A value served but never taken comes back to the caller, who
    /// must hand it on; a payload still carried is dropped here (after every borrow).
    pub(crate) fn abandon(&mut self) -> Option<R> {
        match mem::replace(self, Wait::Done) {
            Wait::Ready(value) => Some(value),
            Wait::Pending { node, sleep } => {
                drop(sleep);
                let old = mem::replace(&mut *node.slot.borrow_mut(), Slot::Done);
                match old {
                    Slot::Ready(value) => Some(value),
                    Slot::Waiting { .. } | Slot::Done => None,
                }
            }
            Wait::Done => None,
        }
    }

    /// `ready`, `pending` or `done`, for `Debug`.
    pub(crate) fn state(&self) -> &'static str {
        match self {
            Wait::Ready(_) => "ready",
            Wait::Pending { node, .. } => match &*node.slot.borrow() {
                Slot::Ready(_) => "ready",
                Slot::Waiting { .. } => "pending",
                Slot::Done => "done",
            },
            Wait::Done => "done",
        }
    }

    /// The deadline of a waiter in line.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        match self {
            Wait::Pending { node, .. } => node.deadline,
            Wait::Ready(_) | Wait::Done => None,
        }
    }
}

impl<R, P> fmt::Debug for Wait<R, P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Wait")
            .field("state", &self.state())
            .field("deadline", &self.deadline())
            .finish()
    }
}

/// Wakes every waker (after the caller released its borrows).
pub(crate) fn wake_all(wakers: impl IntoIterator<Item = Waker>) {
    for waker in wakers {
        waker.wake();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn poll<R, P>(wait: &mut Wait<R, P>) -> Poll<Result<R, P>> {
        wait.poll_wait(&mut Context::from_waker(Waker::noop()))
    }

    #[test]
    fn serves_in_order_and_skips_the_dead() {
        let mut list: WaitList<u32, &str> = WaitList::default();
        let mut a = list.push(None, "a");
        let mut b = list.push(None, "b");
        let mut c = list.push(None, "c");
        assert!(poll(&mut a).is_pending());
        assert_eq!(b.abandon(), None);
        assert_eq!(list.live_len(), 2);
        assert!(matches!(list.serve(1), Ok(("a", _))));
        assert!(matches!(list.serve(2), Ok(("c", _))));
        assert!(matches!(list.serve(3), Err(3)));
        assert!(matches!(poll(&mut a), Poll::Ready(Ok(1))));
        assert!(matches!(poll(&mut c), Poll::Ready(Ok(2))));
        assert_eq!(a.state(), "done");
    }

    #[test]
    fn an_expired_waiter_is_never_served() {
        let mut list: WaitList<u32, u8> = WaitList::default();
        let past = Instant::now();
        let mut expired = list.push(Some(past), 7);
        assert_eq!(list.raw_len(), 0, "already expired: not put in line");
        let mut later = list.push(Some(Instant::now() + Duration::from_secs(60)), 8);
        assert_eq!(list.live_len(), 1);
        assert!(matches!(list.serve(5), Ok((8, None))));
        assert!(matches!(poll(&mut expired), Poll::Ready(Err(7))));
        assert!(matches!(poll(&mut later), Poll::Ready(Ok(5))));
    }

    #[test]
    fn a_served_value_comes_back_when_abandoned() {
        let mut list: WaitList<String, ()> = WaitList::default();
        let mut waiter = list.push(None, ());
        assert!(list.serve("item".to_string()).is_ok());
        assert_eq!(waiter.abandon().as_deref(), Some("item"));
        let mut ready: Wait<u8, ()> = Wait::Ready(4);
        assert_eq!(ready.abandon(), Some(4));
        assert_eq!(ready.abandon(), None);
    }

    #[test]
    fn dead_waiters_do_not_accumulate() {
        let mut list: WaitList<(), ()> = WaitList::default();
        let keeper = list.push(None, ());
        for _ in 0..10_000 {
            let mut gone = list.push(None, ());
            gone.abandon();
            assert!(list.raw_len() <= MIN_COMPACT + 1);
        }
        // Live waiters are never compacted away.
        let mut live: Vec<_> = (0..1000).map(|_| list.push(None, ())).collect();
        assert_eq!(list.live_len(), 1001);
        assert!(list.raw_len() <= 2 * 1001 + MIN_COMPACT);
        for w in &mut live {
            w.abandon();
        }
        for _ in 0..3000 {
            list.push(None, ()).abandon();
        }
        assert!(list.raw_len() < 64, "{}", list.raw_len());
        drop(keeper);
    }

    #[test]
    fn serve_all_serves_only_the_live() {
        let mut list: WaitList<u8, ()> = WaitList::default();
        let mut a = list.push(None, ());
        let mut b = list.push(None, ());
        b.abandon();
        let mut n = 0;
        let wakers = list.serve_all(|| {
            n += 1;
            n
        });
        assert!(wakers.is_empty(), "no waiter was polled, so no waker");
        assert!(matches!(poll(&mut a), Poll::Ready(Ok(1 | 2))));
        assert_eq!(list.live_len(), 0);
    }
}

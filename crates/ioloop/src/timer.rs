//! Timers: an ordered map keyed by `(deadline, sequence)`, split at "now" each iteration.
//!
//! The first key is the next deadline, which becomes the poller's timeout. Equal deadlines
//! fire in the order they were scheduled (the sequence number breaks the tie); cancelling
//! is a map removal, so a million pending timers cost `O(log n)` per operation and nothing
//! per iteration.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::task::Waker;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// When a timer should fire: Tornado accepts an absolute time on [`IOLoop::time`]'s clock
/// (a float) or a relative `timedelta`; Rust code will usually give a [`Duration`] from now
/// or an [`Instant`].
///
/// [`IOLoop::time`]: crate::IOLoop::time
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Deadline {
    /// Seconds since the Unix epoch, on [`IOLoop::time`](crate::IOLoop::time)'s clock. A time in the
    /// past fires on the next iteration.
    At(f64),
    /// This long from now.
    After(Duration),
    /// At this instant of the monotonic clock.
    Instant(Instant),
}

impl Deadline {
    /// The monotonic instant this deadline falls on, measured from now.
    ///
    /// Like Tornado (`call_at` converts to a delay of `max(0, when - time())`), an absolute
    /// deadline is turned into a delay when it is scheduled, so that a wall clock stepping
    /// later does not move timers already scheduled.
    pub fn to_instant(self) -> Instant {
        match self {
            Deadline::Instant(at) => at,
            Deadline::After(delay) => Instant::now() + delay,
            Deadline::At(when) => {
                let delay = when - wall_time();
                let delay = if delay.is_finite() && delay > 0.0 {
                    // Clamp absurd values (a deadline thousands of years away) to a century.
                    Duration::from_secs_f64(delay.min(100.0 * 365.0 * 86400.0))
                } else {
                    Duration::ZERO
                };
                Instant::now() + delay
            }
        }
    }
}

impl From<Duration> for Deadline {
    fn from(delay: Duration) -> Deadline {
        Deadline::After(delay)
    }
}

impl From<Instant> for Deadline {
    fn from(at: Instant) -> Deadline {
        Deadline::Instant(at)
    }
}

impl From<f64> for Deadline {
    fn from(when: f64) -> Deadline {
        Deadline::At(when)
    }
}

/// Seconds since the Unix epoch, as Python's `time.time()`.
pub(crate) fn wall_time() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Identifies a scheduled timer, for [`IOLoop::remove_timeout`](crate::IOLoop::remove_timeout).
/// Removing a timer that already fired or was removed does nothing.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TimeoutHandle {
    pub(crate) deadline: Instant,
    pub(crate) sequence: u64,
}

impl TimeoutHandle {
    /// When the timer fires, on the monotonic clock.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }
}

impl fmt::Debug for TimeoutHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimeoutHandle")
            .field("sequence", &self.sequence)
            .finish_non_exhaustive()
    }
}

/// What a timer does when it fires.
pub(crate) enum TimerAction {
    /// Run a callback.
    Callback(Box<dyn FnOnce()>),
    /// Wake a task waiting on it (a `sleep`, a lock's timeout...).
    Wake(Waker),
}

/// The pending timers of one loop.
#[derive(Default)]
pub(crate) struct Timers {
    map: BTreeMap<(Instant, u64), TimerAction>,
    /// Timers found due at the start of this iteration and not yet run. A timer here can
    /// still be removed by one that runs before it.
    firing: VecDeque<((Instant, u64), TimerAction)>,
    next_sequence: u64,
}

impl Timers {
    pub(crate) fn insert(&mut self, deadline: Instant, action: TimerAction) -> TimeoutHandle {
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        self.map.insert((deadline, sequence), action);
        TimeoutHandle { deadline, sequence }
    }

    pub(crate) fn remove(&mut self, handle: TimeoutHandle) -> Option<TimerAction> {
        let key = (handle.deadline, handle.sequence);
        if let Some(action) = self.map.remove(&key) {
            return Some(action);
        }
        let position = self.firing.iter().position(|(k, _)| *k == key)?;
        self.firing.remove(position).map(|(_, action)| action)
    }

    /// Replaces the waker of a pending `Wake` timer; false if the timer is gone.
    pub(crate) fn update_waker(&mut self, handle: TimeoutHandle, waker: &Waker) -> bool {
        match self.map.get_mut(&(handle.deadline, handle.sequence)) {
            Some(TimerAction::Wake(old)) => {
                if !old.will_wake(waker) {
                    old.clone_from(waker);
                }
                true
            }
            Some(TimerAction::Callback(_)) => true,
            None => false,
        }
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, handle: TimeoutHandle) -> bool {
        self.map.contains_key(&(handle.deadline, handle.sequence))
    }

    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        self.map
            .first_key_value()
            .map(|((deadline, _), _)| *deadline)
    }

    /// True when a timer is scheduled (not counting those set aside to fire).
    pub(crate) fn is_scheduled(&self) -> bool {
        !self.map.is_empty()
    }

    /// Sets aside every timer due at `now`, in firing order, for [`pop_due`](Self::pop_due).
    /// Timers scheduled after this call wait for the next one, even if already due.
    pub(crate) fn take_due(&mut self, now: Instant) {
        while let Some(entry) = self.map.first_entry() {
            if entry.key().0 > now {
                break;
            }
            let key = *entry.key();
            self.firing.push_back((key, entry.remove()));
        }
    }

    /// The next timer set aside by [`take_due`](Self::take_due) that was not removed since.
    pub(crate) fn pop_due(&mut self) -> Option<TimerAction> {
        self.firing.pop_front().map(|(_, action)| action)
    }

    pub(crate) fn len(&self) -> usize {
        self.map.len() + self.firing.len()
    }

    pub(crate) fn drain(&mut self) -> Vec<TimerAction> {
        let mut all: Vec<TimerAction> = self.firing.drain(..).map(|(_, a)| a).collect();
        all.extend(std::mem::take(&mut self.map).into_values());
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(action: &TimerAction) -> u32 {
        match action {
            TimerAction::Callback(_) => 1,
            TimerAction::Wake(_) => 2,
        }
    }

    #[test]
    fn due_timers_come_out_in_deadline_then_sequence_order() {
        let mut timers = Timers::default();
        let base = Instant::now();
        let order = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        for (i, offset) in [(0, 30), (1, 10), (2, 10), (3, 20), (4, 99)] {
            let order = order.clone();
            timers.insert(
                base + Duration::from_millis(offset),
                TimerAction::Callback(Box::new(move || order.borrow_mut().push(i))),
            );
        }
        timers.take_due(base + Duration::from_millis(30));
        assert_eq!(timers.len(), 5);
        while let Some(action) = timers.pop_due() {
            assert_eq!(label(&action), 1);
            if let TimerAction::Callback(f) = action {
                f();
            }
        }
        assert_eq!(*order.borrow(), vec![1, 2, 3, 0]);
        assert_eq!(timers.len(), 1);
        assert_eq!(
            timers.next_deadline(),
            Some(base + Duration::from_millis(99))
        );
    }

    #[test]
    fn a_due_timer_can_be_removed_before_it_runs() {
        let mut timers = Timers::default();
        let at = Instant::now();
        timers.insert(at, TimerAction::Callback(Box::new(|| {})));
        let second = timers.insert(at, TimerAction::Callback(Box::new(|| {})));
        timers.take_due(at);
        assert!(timers.pop_due().is_some());
        assert!(timers.remove(second).is_some());
        assert!(timers.pop_due().is_none());
        // Scheduled after take_due: waits for the next iteration.
        timers.insert(at, TimerAction::Callback(Box::new(|| {})));
        assert!(timers.pop_due().is_none());
    }

    #[test]
    fn removal_is_exact_and_idempotent() {
        let mut timers = Timers::default();
        let at = Instant::now();
        let a = timers.insert(at, TimerAction::Callback(Box::new(|| {})));
        let b = timers.insert(at, TimerAction::Callback(Box::new(|| {})));
        assert!(timers.remove(a).is_some());
        assert!(timers.remove(a).is_none());
        assert!(timers.contains(b));
        assert_eq!(timers.drain().len(), 1);
        assert_eq!(timers.next_deadline(), None);
    }

    #[test]
    fn deadlines_convert_to_instants() {
        let before = Instant::now();
        let past = Deadline::At(wall_time() - 100.0).to_instant();
        assert!(past >= before && past <= Instant::now());
        let later = Deadline::At(wall_time() + 10.0).to_instant();
        assert!(later >= before + Duration::from_secs(9));
        let nan = Deadline::At(f64::NAN).to_instant();
        assert!(nan <= Instant::now());
        let far = Deadline::At(f64::INFINITY).to_instant();
        assert!(far <= Instant::now(), "non-finite deadlines fire at once");
        let huge = Deadline::At(1e300).to_instant();
        assert!(huge > Instant::now() + Duration::from_secs(86400 * 365));
        assert_eq!(
            Deadline::from(Duration::from_secs(1)),
            Deadline::After(Duration::from_secs(1))
        );
    }
}

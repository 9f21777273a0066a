//! Timers: a binary heap ordered by `(deadline, sequence)`, over a slab of actions.
//!
//! The top of the heap is the next deadline, which becomes the poller's timeout. Equal
//! deadlines fire in the order they were scheduled (the sequence number breaks the tie).
//! Each timer's action lives in a slab slot, so removing a timer drops its action at once
//! and costs `O(1)`: the heap entry stays behind, is recognised as stale (its slot no longer
//! carries its sequence number) and is skipped when it reaches the top. Like Tornado's own
//! loop, the heap is rebuilt without its stale entries once they are more than half of it,
//! so timers that are scheduled and cancelled over and over do not pile up. A million
//! pending timers cost `O(log n)` per insertion and nothing per iteration.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
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
    pub(crate) slot: u32,
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

/// A timer's place in the heap. Ordered so that the heap's top is the earliest deadline,
/// and among equal deadlines the first scheduled.
#[derive(Clone, Copy)]
struct Queued {
    /// The deadline in nanoseconds from [`Timers::base`]: integers compare faster than
    /// `Instant`s.
    tick: i64,
    sequence: u64,
    slot: u32,
}

impl PartialEq for Queued {
    fn eq(&self, other: &Queued) -> bool {
        self.sequence == other.sequence
    }
}

impl Eq for Queued {}

impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Queued) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Queued {
    fn cmp(&self, other: &Queued) -> Ordering {
        // Reversed: `BinaryHeap` is a max-heap.
        other
            .tick
            .cmp(&self.tick)
            .then_with(|| other.sequence.cmp(&self.sequence))
    }
}

/// Where a timer's action waits. A slot is free when `action` is `None`.
struct Slot {
    /// The sequence number of the timer in this slot; heap and firing entries that carry
    /// another one are stale.
    sequence: u64,
    action: Option<TimerAction>,
    /// The timer's entry is still in the heap (not yet set aside to fire).
    queued: bool,
}

/// [`Timers::take_due`] sorts the due timers out in one pass once it has popped this many
/// one by one and the heap holds at most `BULK_RATIO` times as many: the pass then costs
/// little more than the pops already made.
const BULK_AFTER: usize = 32;
const BULK_RATIO: usize = 16;

/// Stale heap entries below this count are left for the heap to drop as they surface.
const COMPACT_AFTER: usize = 512;

/// The pending timers of one loop.
pub(crate) struct Timers {
    /// The origin of the heap's ticks.
    base: Instant,
    heap: BinaryHeap<Queued>,
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// Timers scheduled and neither fired nor removed.
    live: usize,
    /// Heap entries whose timer was removed.
    stale: usize,
    /// Timers found due at the start of this iteration and not yet run, as
    /// `(slot, sequence)`. A timer here can still be removed by one that runs before it.
    firing: VecDeque<(u32, u64)>,
    /// A reused buffer for [`take_due_in_bulk`](Self::take_due_in_bulk).
    scratch: Vec<Queued>,
    next_sequence: u64,
}

impl Default for Timers {
    fn default() -> Timers {
        Timers {
            base: Instant::now(),
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            live: 0,
            stale: 0,
            firing: VecDeque::new(),
            scratch: Vec::new(),
            next_sequence: 0,
        }
    }
}

impl Timers {
    /// `at` in nanoseconds from the base, saturating some 292 years away.
    fn tick(&self, at: Instant) -> i64 {
        fn nanos(d: Duration) -> i64 {
            i64::try_from(d.as_secs())
                .ok()
                .and_then(|secs| secs.checked_mul(1_000_000_000))
                .and_then(|n| n.checked_add(i64::from(d.subsec_nanos())))
                .unwrap_or(i64::MAX)
        }
        match at.checked_duration_since(self.base) {
            Some(after) => nanos(after),
            None => -nanos(self.base.duration_since(at)),
        }
    }

    /// The instant of a tick.
    fn instant(&self, tick: i64) -> Instant {
        let offset = Duration::from_nanos(tick.unsigned_abs());
        let at = if tick >= 0 {
            self.base.checked_add(offset)
        } else {
            self.base.checked_sub(offset)
        };
        at.unwrap_or(self.base)
    }

    pub(crate) fn insert(&mut self, deadline: Instant, action: TimerAction) -> TimeoutHandle {
        let sequence = self.next_sequence;
        self.next_sequence += 1;
        let filled = Slot {
            sequence,
            action: Some(action),
            queued: true,
        };
        let slot = match self.free.pop() {
            Some(slot) => {
                if let Some(place) = self.slots.get_mut(slot as usize) {
                    *place = filled;
                }
                slot
            }
            None => {
                self.slots.push(filled);
                (self.slots.len() - 1) as u32
            }
        };
        self.heap.push(Queued {
            tick: self.tick(deadline),
            sequence,
            slot,
        });
        self.live += 1;
        TimeoutHandle {
            deadline,
            sequence,
            slot,
        }
    }

    /// The slot of a timer that is still pending (queued or set aside to fire).
    fn pending_slot(&mut self, slot: u32, sequence: u64) -> Option<&mut Slot> {
        self.slots
            .get_mut(slot as usize)
            .filter(|s| s.sequence == sequence && s.action.is_some())
    }

    /// Empties a pending slot and frees it.
    fn vacate(&mut self, slot: u32, sequence: u64) -> Option<(TimerAction, bool)> {
        let place = self.pending_slot(slot, sequence)?;
        let action = place.action.take()?;
        let queued = std::mem::replace(&mut place.queued, false);
        self.free.push(slot);
        self.live -= 1;
        Some((action, queued))
    }

    pub(crate) fn remove(&mut self, handle: TimeoutHandle) -> Option<TimerAction> {
        let (action, queued) = self.vacate(handle.slot, handle.sequence)?;
        if queued {
            self.stale += 1;
            if self.stale > COMPACT_AFTER && self.stale > self.heap.len() / 2 {
                let slots = &self.slots;
                self.heap.retain(|q| {
                    slots
                        .get(q.slot as usize)
                        .is_some_and(|s| s.sequence == q.sequence && s.queued)
                });
                self.stale = 0;
            }
        }
        Some(action)
    }

    /// Replaces the waker of a pending `Wake` timer; false if the timer is gone.
    pub(crate) fn update_waker(&mut self, handle: TimeoutHandle, waker: &Waker) -> bool {
        match self
            .pending_slot(handle.slot, handle.sequence)
            .and_then(|s| s.action.as_mut())
        {
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
    pub(crate) fn contains(&mut self, handle: TimeoutHandle) -> bool {
        self.pending_slot(handle.slot, handle.sequence).is_some()
    }

    /// Whether a heap entry is stale.
    fn is_stale(&self, queued: &Queued) -> bool {
        self.slots
            .get(queued.slot as usize)
            .is_none_or(|s| s.sequence != queued.sequence || !s.queued)
    }

    /// Drops stale entries from the top of the heap.
    fn clean_top(&mut self) {
        while let Some(top) = self.heap.peek() {
            if !self.is_stale(top) {
                break;
            }
            self.heap.pop();
            self.stale = self.stale.saturating_sub(1);
        }
    }

    pub(crate) fn next_deadline(&mut self) -> Option<Instant> {
        self.clean_top();
        self.heap.peek().map(|q| self.instant(q.tick))
    }

    /// True when a timer is scheduled (not counting those set aside to fire).
    pub(crate) fn is_scheduled(&self) -> bool {
        self.heap.len() > self.stale
    }

    /// Sets aside every timer due at `now`, in firing order, for [`pop_due`](Self::pop_due).
    /// Timers scheduled after this call wait for the next one, even if already due.
    pub(crate) fn take_due(&mut self, now: Instant) {
        let now = self.tick(now);
        let mut taken = 0;
        while let Some(top) = self.heap.peek() {
            if top.tick > now {
                break;
            }
            if taken >= BULK_AFTER && self.heap.len() <= taken * BULK_RATIO {
                // Many are due: sorting them out at once is cheaper than popping each.
                self.take_due_in_bulk(now);
                return;
            }
            let top = *top;
            self.heap.pop();
            taken += 1;
            self.set_aside(top);
        }
    }

    /// Moves a due heap entry to the firing list, unless it is stale.
    fn set_aside(&mut self, due: Queued) {
        match self.slots.get_mut(due.slot as usize) {
            Some(place) if place.sequence == due.sequence && place.queued => {
                place.queued = false;
                self.firing.push_back((due.slot, due.sequence));
            }
            _ => self.stale = self.stale.saturating_sub(1),
        }
    }

    /// [`take_due`](Self::take_due) for a large share of the heap: one pass splits the due
    /// entries from the rest (dropping every stale entry on the way), the due ones are
    /// sorted, and the heap is rebuilt from the rest in linear time.
    fn take_due_in_bulk(&mut self, now: i64) {
        let mut rest = std::mem::take(&mut self.heap).into_vec();
        let mut due = std::mem::take(&mut self.scratch);
        let slots = &self.slots;
        rest.retain(|q| {
            let live = slots
                .get(q.slot as usize)
                .is_some_and(|s| s.sequence == q.sequence && s.queued);
            if live && q.tick <= now {
                due.push(*q);
                return false;
            }
            live
        });
        self.stale = 0;
        // `Queued` orders the earliest deadline greatest: sort in descending order.
        due.sort_unstable_by(|a, b| b.cmp(a));
        for entry in due.drain(..) {
            self.set_aside(entry);
        }
        self.scratch = due;
        self.heap = BinaryHeap::from(rest);
    }

    /// The next timer set aside by [`take_due`](Self::take_due) that was not removed since.
    pub(crate) fn pop_due(&mut self) -> Option<TimerAction> {
        while let Some((slot, sequence)) = self.firing.pop_front() {
            if let Some((action, _)) = self.vacate(slot, sequence) {
                return Some(action);
            }
        }
        None
    }

    pub(crate) fn len(&self) -> usize {
        self.live
    }

    pub(crate) fn drain(&mut self) -> Vec<TimerAction> {
        let all = self.slots.drain(..).filter_map(|s| s.action).collect();
        self.heap.clear();
        self.free.clear();
        self.firing.clear();
        self.live = 0;
        self.stale = 0;
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
    fn removed_timers_never_fire_and_slots_are_reused() {
        let mut timers = Timers::default();
        let at = Instant::now();
        let first = timers.insert(at, TimerAction::Callback(Box::new(|| {})));
        assert!(timers.remove(first).is_some());
        // Reuses the slot with a new sequence: the old handle no longer reaches it.
        let second = timers.insert(at, TimerAction::Callback(Box::new(|| {})));
        assert_eq!(second.slot, first.slot);
        assert!(timers.remove(first).is_none());
        assert!(timers.contains(second));
        assert_eq!(timers.len(), 1);
        timers.take_due(at);
        assert!(timers.pop_due().is_some());
        assert!(timers.pop_due().is_none());
        assert!(!timers.contains(second));
        assert_eq!(timers.next_deadline(), None);
        assert!(!timers.is_scheduled());
    }

    #[test]
    fn stale_entries_are_compacted() {
        let mut timers = Timers::default();
        let base = Instant::now();
        let keep = timers.insert(
            base + Duration::from_secs(5),
            TimerAction::Callback(Box::new(|| {})),
        );
        // Schedule and cancel far timers over and over: the heap must not grow with them.
        for i in 0..100_000u64 {
            let handle = timers.insert(
                base + Duration::from_secs(3600 + i),
                TimerAction::Callback(Box::new(|| {})),
            );
            assert!(timers.remove(handle).is_some());
            assert!(timers.heap.len() <= 2 * COMPACT_AFTER + 4);
        }
        assert_eq!(timers.len(), 1);
        assert_eq!(timers.next_deadline(), Some(keep.deadline()));
        assert!(timers.slots.len() <= 2);
    }

    #[test]
    fn stale_tops_do_not_hide_the_next_deadline() {
        let mut timers = Timers::default();
        let base = Instant::now();
        let early = timers.insert(base, TimerAction::Callback(Box::new(|| {})));
        let late = timers.insert(
            base + Duration::from_millis(10),
            TimerAction::Callback(Box::new(|| {})),
        );
        assert_eq!(timers.next_deadline(), Some(base));
        timers.remove(early);
        assert!(timers.is_scheduled());
        assert_eq!(timers.next_deadline(), Some(late.deadline()));
        timers.remove(late);
        assert!(!timers.is_scheduled());
        assert_eq!(timers.next_deadline(), None);
        timers.take_due(base + Duration::from_secs(1));
        assert!(timers.pop_due().is_none());
    }

    /// Many due timers at once (the bulk path), with ties, stale entries and timers not yet
    /// due: they come out in deadline then scheduling order, the removed ones never.
    #[test]
    fn bulk_firing_keeps_the_order() {
        let mut timers = Timers::default();
        let base = Instant::now();
        let fired = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
        let mut expected = Vec::new();
        let mut handles = Vec::new();
        for i in 0..5_000u64 {
            // Scrambled offsets with many ties; a tenth fall after `now`.
            let offset = (i * 7919) % 1_000;
            let fired = fired.clone();
            let handle = timers.insert(
                base + Duration::from_micros(offset),
                TimerAction::Callback(Box::new(move || fired.borrow_mut().push(i))),
            );
            handles.push((offset, i, handle));
        }
        for (n, (offset, i, handle)) in handles.iter().enumerate() {
            if n % 7 == 3 {
                assert!(timers.remove(*handle).is_some());
            } else if *offset < 900 {
                expected.push((*offset, *i));
            }
        }
        expected.sort();
        timers.take_due(base + Duration::from_micros(899));
        while let Some(action) = timers.pop_due() {
            if let TimerAction::Callback(f) = action {
                f();
            }
        }
        let expected: Vec<u64> = expected.into_iter().map(|(_, i)| i).collect();
        assert_eq!(*fired.borrow(), expected);
        let left = timers.len();
        assert!(left > 0);
        assert_eq!(
            timers.next_deadline(),
            Some(base + Duration::from_micros(900))
        );
        assert_eq!(
            timers.heap.len(),
            left,
            "stale entries dropped by the bulk pass"
        );
    }

    #[test]
    fn ticks_round_trip() {
        let timers = Timers::default();
        let base = timers.base;
        for offset in [0, 1, 999_999_999, 1_000_000_000, 86_400_123_456_789] {
            let later = base + Duration::from_nanos(offset);
            assert_eq!(timers.tick(later), offset as i64);
            assert_eq!(timers.instant(timers.tick(later)), later);
            if let Some(earlier) = base.checked_sub(Duration::from_nanos(offset)) {
                assert_eq!(timers.tick(earlier), -(offset as i64));
                assert_eq!(timers.instant(timers.tick(earlier)), earlier);
            }
        }
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

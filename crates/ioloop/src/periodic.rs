//! [`PeriodicCallback`]: Tornado's repeating timer.

use std::cell::RefCell;
use std::collections::hash_map::RandomState;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use crate::IOLoop;
use crate::task::panic_message;
use crate::timer::TimeoutHandle;

type Callback = Box<dyn FnMut() -> Option<Pin<Box<dyn Future<Output = ()>>>>>;

struct State {
    callback: Rc<RefCell<Callback>>,
    /// The period in seconds.
    period: f64,
    jitter: f64,
    running: bool,
    /// When the next call is due, on `IOLoop::time()`'s clock.
    next_timeout: f64,
    timeout: Option<TimeoutHandle>,
    io_loop: Option<IOLoop>,
}

/// Calls a function every `period`, on the loop it was started on (Tornado's
/// `PeriodicCallback`).
///
/// The period is measured from the start of one call to the start of the next. If a call
/// overruns, the calls it made late are skipped, not bunched: the next call falls on the
/// next multiple of the period. An `async` callback is awaited before the next one is
/// scheduled, so calls never overlap. A callback that panics is logged and keeps its
/// schedule.
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use tornado_ioloop::{IOLoop, PeriodicCallback};
///
/// let io_loop = IOLoop::new().unwrap();
/// let ticks = Rc::new(Cell::new(0));
/// let counter = ticks.clone();
/// let periodic = PeriodicCallback::new(move || counter.set(counter.get() + 1), Duration::from_millis(5)).unwrap();
/// periodic.start_on(&io_loop);
/// let probe = ticks.clone();
/// io_loop.run_sync(async move {
///     while probe.get() < 3 {
///         tornado_ioloop::sleep(Duration::from_millis(1)).await;
///     }
/// }, None).unwrap();
/// periodic.stop();
/// assert!(ticks.get() >= 3);
/// io_loop.close(false).unwrap();
/// ```
#[derive(Clone)]
pub struct PeriodicCallback {
    state: Rc<RefCell<State>>,
}

impl PeriodicCallback {
    /// A periodic call of `callback` every `period`. A zero period is an error.
    pub fn new(mut callback: impl FnMut() + 'static, period: Duration) -> io::Result<Self> {
        Self::build(
            Box::new(move || {
                callback();
                None
            }),
            period,
        )
    }

    /// A periodic call of an `async` callback: each call's future finishes before the next
    /// call is scheduled.
    pub fn new_async<F>(
        mut callback: impl FnMut() -> F + 'static,
        period: Duration,
    ) -> io::Result<Self>
    where
        F: Future<Output = ()> + 'static,
    {
        Self::build(
            Box::new(move || Some(Box::pin(callback()) as Pin<Box<dyn Future<Output = ()>>>)),
            period,
        )
    }

    fn build(callback: Callback, period: Duration) -> io::Result<Self> {
        if period.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "Periodic callback must have a positive callback_time",
            ));
        }
        Ok(PeriodicCallback {
            state: Rc::new(RefCell::new(State {
                callback: Rc::new(RefCell::new(callback)),
                period: period.as_secs_f64(),
                jitter: 0.0,
                running: false,
                next_timeout: 0.0,
                timeout: None,
                io_loop: None,
            })),
        })
    }

    /// Varies each period by up to `jitter / 2` of it, either way (`0.1`: ±5 %), so that
    /// many processes started together do not call in step.
    pub fn with_jitter(self, jitter: f64) -> Self {
        self.state.borrow_mut().jitter = if jitter.is_finite() {
            jitter.abs()
        } else {
            0.0
        };
        self
    }

    /// Starts calling on the loop running on this thread.
    ///
    /// # Panics
    ///
    /// Outside a running loop; use [`start_on`](Self::start_on) before a loop starts.
    pub fn start(&self) {
        self.start_on(&IOLoop::current());
    }

    /// Starts calling on `io_loop`. The first call comes one period from now.
    pub fn start_on(&self, io_loop: &IOLoop) {
        {
            let mut state = self.state.borrow_mut();
            if state.running {
                return;
            }
            state.running = true;
            state.io_loop = Some(io_loop.clone());
            state.next_timeout = io_loop.time();
        }
        self.schedule_next();
    }

    /// Stops calling. A call in progress finishes.
    pub fn stop(&self) {
        let (timeout, io_loop) = {
            let mut state = self.state.borrow_mut();
            state.running = false;
            (state.timeout.take(), state.io_loop.take())
        };
        if let (Some(timeout), Some(io_loop)) = (timeout, io_loop) {
            io_loop.remove_timeout(timeout);
        }
    }

    /// Started and not stopped.
    pub fn is_running(&self) -> bool {
        self.state.borrow().running
    }

    fn schedule_next(&self) {
        let mut state = self.state.borrow_mut();
        if !state.running {
            return;
        }
        let Some(io_loop) = state.io_loop.clone() else {
            return;
        };
        if io_loop.is_closed() {
            return;
        }
        let period = jittered(state.period, state.jitter, random_unit());
        state.next_timeout = next_time(state.next_timeout, io_loop.time(), period);
        let this = self.clone();
        state.timeout = Some(io_loop.call_at(state.next_timeout, move || this.run()));
    }

    fn run(&self) {
        let (callback, io_loop) = {
            let mut state = self.state.borrow_mut();
            state.timeout = None;
            if !state.running {
                return;
            }
            (state.callback.clone(), state.io_loop.clone())
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| (callback.borrow_mut())()));
        match outcome {
            Ok(Some(future)) => {
                let this = self.clone();
                if let Some(io_loop) = io_loop {
                    io_loop.spawn_callback(async move {
                        // The task is the callback's: a panic inside it is logged by the
                        // loop, and the guard still schedules the next call.
                        let _next = ScheduleOnDrop(this);
                        future.await;
                    });
                }
            }
            Ok(None) => self.schedule_next(),
            Err(payload) => {
                log::error!(
                    target: "tornado.application",
                    "Exception in callback: panicked at {:?}",
                    panic_message(&*payload)
                );
                self.schedule_next();
            }
        }
    }
}

/// Schedules the next call when an async call ends, however it ends.
struct ScheduleOnDrop(PeriodicCallback);

impl Drop for ScheduleOnDrop {
    fn drop(&mut self) {
        self.0.schedule_next();
    }
}

impl fmt::Debug for PeriodicCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self.state.borrow();
        f.debug_struct("PeriodicCallback")
            .field("period", &Duration::from_secs_f64(state.period))
            .field("jitter", &state.jitter)
            .field("running", &state.running)
            .finish()
    }
}

/// A number in `[0, 1)`, fresh from the standard library's per-process random keys.
fn random_unit() -> f64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(0);
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// The period with Tornado's jitter applied: `period * (1 + jitter * (random - 0.5))`.
fn jittered(period: f64, jitter: f64, random: f64) -> f64 {
    if jitter == 0.0 {
        period
    } else {
        period * (1.0 + jitter * (random - 0.5))
    }
}

/// When the next call is due, given when the last one was due and the time now.
///
/// On time or late, the next due time is the first multiple of the period after `now`
/// (missed calls are skipped, not bunched). If the clock went backwards, one period after
/// the last due time.
fn next_time(next_timeout: f64, now: f64, period: f64) -> f64 {
    if next_timeout <= now {
        next_timeout + (((now - next_timeout) / period).floor() + 1.0) * period
    } else {
        next_timeout + period
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tornado's `test_basic`: a 10 s period started at t = 1000.
    #[test]
    fn on_time_calls_fall_every_period() {
        let mut next = 1000.0;
        let mut now = 1000.0;
        let mut calls = Vec::new();
        for _ in 0..3 {
            next = next_time(next, now, 10.0);
            calls.push(next);
            now = next;
        }
        assert_eq!(calls, vec![1010.0, 1020.0, 1030.0]);
    }

    /// Tornado's `test_overrun`: callbacks taking these many seconds.
    #[test]
    fn overruns_skip_missed_calls() {
        let durations = [9.0, 9.0, 10.0, 11.0, 20.0, 20.0, 35.0, 35.0, 0.0, 0.0, 0.0];
        let expected = [
            1010.0, 1020.0, 1030.0, 1050.0, 1070.0, 1100.0, 1130.0, 1170.0, 1210.0, 1220.0, 1230.0,
        ];
        let mut next = 1000.0;
        let mut now = 1000.0;
        let mut calls = Vec::new();
        for duration in durations {
            next = next_time(next, now, 10.0);
            calls.push(next);
            now = next + duration;
        }
        assert_eq!(calls, expected);
    }

    /// Tornado's `test_clock_backwards`.
    #[test]
    fn clock_going_backwards_adds_one_period() {
        assert_eq!(next_time(1010.0, 1000.0, 10.0), 1020.0);
        assert_eq!(next_time(1010.0, 1010.0, 10.0), 1020.0);
        assert_eq!(next_time(1020.0, 990.0, 10.0), 1030.0);
    }

    /// Tornado's `test_jitter`: randoms [0.5, 1, 0, 0.75] with jitter 0.5.
    #[test]
    fn jitter_follows_tornados_formula() {
        let randoms = [0.5, 1.0, 0.0, 0.75];
        let expected = [1010.0, 1022.5, 1030.0, 1041.25];
        let mut next = 1000.0;
        let mut calls = Vec::new();
        for random in randoms {
            next = next_time(next, next, jittered(10.0, 0.5, random));
            calls.push(next);
        }
        assert_eq!(calls, expected);
    }

    #[test]
    fn random_unit_is_in_range() {
        for _ in 0..100 {
            let r = random_unit();
            assert!((0.0..1.0).contains(&r));
        }
    }

    #[test]
    fn zero_period_is_refused() {
        let err = PeriodicCallback::new(|| {}, Duration::ZERO).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}

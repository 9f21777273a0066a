//! The clocks as read once per loop iteration.
//!
//! A server answering many small requests in one iteration would otherwise read the
//! clocks several times per request (when the request began, its `Date` header, its idle
//! timeout), and on a virtual machine a clock read can cost as much as parsing a small
//! request. On a thread running an [`IOLoop`](crate::IOLoop), [`instant`] and
//! [`system_time`] read their clock at the first call of each iteration and give that
//! reading to every later call of the same iteration, as nginx's cached time and libuv's
//! `uv_now` do. The reading is behind the true time by at most how long the iteration's
//! callbacks and tasks have run so far. Elsewhere both simply read the clock.
//!
//! Use them where a reading taken when the iteration's work began is as good as a fresh
//! one: timestamps of requests, `Date` headers, timeouts measured in seconds. Timers
//! scheduled with [`call_later`](crate::IOLoop::call_later) or [`sleep`](crate::sleep)
//! keep reading the clock afresh.
//!
//! ```
//! use tornado_ioloop::{IOLoop, clock};
//!
//! let io_loop = IOLoop::new()?;
//! let (a, b) = io_loop.run_sync(async { (clock::instant(), clock::instant()) }, None)?;
//! assert_eq!(a, b, "one iteration, one reading");
//! assert!(clock::instant() >= b, "outside a loop the clock is read afresh");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::cell::Cell;
use std::time::{Instant, SystemTime};

/// This thread's loop clocks. `running` is false on threads without a running loop,
/// where nothing is cached.
struct IterationClock {
    running: Cell<bool>,
    instant: Cell<Option<Instant>>,
    system: Cell<Option<SystemTime>>,
}

thread_local! {
    static CLOCK: IterationClock = const {
        IterationClock {
            running: Cell::new(false),
            instant: Cell::new(None),
            system: Cell::new(None),
        }
    };
}

/// Reads through `cell` while a loop runs on this thread.
fn cached<T: Copy>(pick: impl Fn(&IterationClock) -> &Cell<Option<T>>, read: impl Fn() -> T) -> T {
    CLOCK
        .try_with(|clock| {
            if !clock.running.get() {
                return read();
            }
            let cell = pick(clock);
            cell.get().unwrap_or_else(|| {
                let now = read();
                cell.set(Some(now));
                now
            })
        })
        // The thread is exiting and its locals are gone: read the clock.
        .unwrap_or_else(|_| read())
}

/// The monotonic clock, read once per loop iteration (see the [module documentation](self)).
pub fn instant() -> Instant {
    cached(|clock| &clock.instant, Instant::now)
}

/// The wall clock, read once per loop iteration (see the [module documentation](self)).
pub fn system_time() -> SystemTime {
    cached(|clock| &clock.system, SystemTime::now)
}

/// A loop starts or stops running on this thread.
pub(crate) fn set_running(running: bool) {
    let _ = CLOCK.try_with(|clock| clock.running.set(running));
    new_iteration();
}

/// A new iteration begins: forget the last one's readings.
pub(crate) fn new_iteration() {
    let _ = CLOCK.try_with(|clock| {
        clock.instant.set(None);
        clock.system.set(None);
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::IOLoop;
    use std::time::Duration;

    #[test]
    fn one_reading_per_iteration() {
        let io_loop = IOLoop::new().unwrap();
        let (first, second, later, wall) = io_loop
            .run_sync(
                async {
                    let first = instant();
                    std::thread::sleep(Duration::from_millis(5));
                    let second = instant();
                    let wall = (system_time(), system_time());
                    // The next iteration reads the clock again.
                    crate::sleep(Duration::from_millis(2)).await;
                    (first, second, instant(), wall)
                },
                None,
            )
            .unwrap();
        assert_eq!(first, second);
        assert!(
            later >= first + Duration::from_millis(7),
            "{later:?} {first:?}"
        );
        assert_eq!(wall.0, wall.1);
        io_loop.close(false).unwrap();
    }

    #[test]
    fn outside_a_loop_the_clock_is_read_each_time() {
        let a = instant();
        std::thread::sleep(Duration::from_millis(2));
        assert!(instant() >= a + Duration::from_millis(2));
        let w = system_time();
        std::thread::sleep(Duration::from_millis(2));
        assert!(system_time() > w);
    }
}

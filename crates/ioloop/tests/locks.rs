//! Port of Tornado's `test/locks_test.py`, plus cancellation (dropped waiters), fairness
//! under contention and deadline forms.
//!
//! Every test runs a real loop (`IOLoop::new()`, so `TORNADO_POLLER` picks the backend)
//! under `run_sync` with a timeout, and closes it. Timings leave wide margins: an event
//! meant to come before a deadline comes at most a fifth of the way to it.
//!
//! Not ported, because Rust rejects them at compile time: a negative semaphore value
//! (`test_negative_value`), `with sem:` / `with lock:` instead of `async with`
//! (`test_context_manager_misuse`), and yielding the lock itself (`test_yield_sem`,
//! `test_yield_lock`).

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use tornado_ioloop::locks::{BoundedSemaphore, Condition, Event, Lock, ReleaseError, Semaphore};
use tornado_ioloop::{IOLoop, JoinHandle, TimeoutError, join_all, moment, sleep};

/// Runs `test` on a fresh loop, bounded in time, and closes the loop.
fn run<F: Future + 'static>(test: F) -> F::Output {
    let io_loop = IOLoop::new().expect("a new IOLoop");
    let outcome = io_loop.run_sync(test, Some(Duration::from_secs(20)));
    io_loop.close(false).expect("close the loop");
    outcome.expect("the test finished in time")
}

/// Polls once with a waker that does nothing: "is it done now?".
fn poll_once<F: Future + Unpin>(future: &mut F) -> Poll<F::Output> {
    Pin::new(future).poll(&mut Context::from_waker(Waker::noop()))
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

type History = Rc<RefCell<Vec<String>>>;

fn spawn<F: Future + 'static>(future: F) -> JoinHandle<F::Output> {
    IOLoop::current().spawn(future)
}

/// Tornado's `record_done`: a task awaits the wait and logs its key, or "timeout".
fn record(history: &History, wait: impl Future<Output = bool> + 'static, key: impl ToString) {
    let (history, key) = (history.clone(), key.to_string());
    IOLoop::current().spawn_callback(async move {
        let notified = wait.await;
        history
            .borrow_mut()
            .push(if notified { key } else { "timeout".into() });
    });
}

fn seen(history: &History) -> Vec<String> {
    history.borrow().clone()
}

fn strs(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

// ----- Condition -----

#[test]
fn condition_repr() {
    let c = Condition::new();
    assert_eq!(format!("{c:?}"), "<Condition>");
    let waiting = c.wait();
    assert_eq!(format!("{c:?}"), "<Condition waiters[1]>");
    drop(waiting);
    assert_eq!(format!("{c:?}"), "<Condition>");
}

#[test]
fn condition_notify() {
    run(async {
        let c = Condition::new();
        let notifier = c.clone();
        IOLoop::current().call_later(ms(10), move || notifier.notify(1));
        assert!(c.wait().await);
    });
}

#[test]
fn condition_notify_1() {
    run(async {
        let c = Condition::new();
        let history = History::default();
        record(&history, c.wait(), "wait1");
        record(&history, c.wait(), "wait2");
        c.notify(1);
        moment().await;
        history.borrow_mut().push("notify1".into());
        c.notify(1);
        moment().await;
        history.borrow_mut().push("notify2".into());
        assert_eq!(
            seen(&history),
            strs(&["wait1", "notify1", "wait2", "notify2"])
        );
    });
}

#[test]
fn condition_notify_n() {
    run(async {
        let c = Condition::new();
        let history = History::default();
        for i in 0..6 {
            record(&history, c.wait(), i);
        }
        c.notify(3);
        moment().await;
        // Waiters resume in the order they started waiting.
        assert_eq!(seen(&history), strs(&["0", "1", "2"]));
        c.notify(1);
        moment().await;
        assert_eq!(seen(&history), strs(&["0", "1", "2", "3"]));
        c.notify(2);
        moment().await;
        assert_eq!(seen(&history), strs(&["0", "1", "2", "3", "4", "5"]));
    });
}

#[test]
fn condition_notify_all() {
    run(async {
        let c = Condition::new();
        let history = History::default();
        for i in 0..4 {
            record(&history, c.wait(), i);
        }
        c.notify_all();
        moment().await;
        history.borrow_mut().push("notify_all".into());
        assert_eq!(seen(&history), strs(&["0", "1", "2", "3", "notify_all"]));
    });
}

#[test]
fn condition_wait_timeout() {
    run(async {
        let c = Condition::new();
        let wait = c.wait_timeout(ms(10));
        let notifier = c.clone();
        IOLoop::current().call_later(ms(50), move || notifier.notify(1)); // too late
        sleep(ms(60)).await;
        assert!(!wait.await);
    });
}

#[test]
fn condition_wait_timeout_preempted() {
    run(async {
        let c = Condition::new();
        // This fires long before the wait times out.
        let notifier = c.clone();
        IOLoop::current().call_later(ms(10), move || notifier.notify(1));
        let wait = c.wait_timeout(ms(500));
        sleep(ms(30)).await;
        assert!(wait.await, "no timeout");
    });
}

#[test]
fn condition_notify_n_with_timeout() {
    run(async {
        // Waiter 1 times out; notify(2) must then wake 0 and 2: a timed-out waiter does
        // not count against n.
        let c = Condition::new();
        let history = History::default();
        record(&history, c.wait(), 0);
        record(&history, c.wait_timeout(ms(10)), 1);
        record(&history, c.wait(), 2);
        record(&history, c.wait(), 3);
        sleep(ms(50)).await;
        assert_eq!(seen(&history), strs(&["timeout"]));
        c.notify(2);
        sleep(ms(10)).await;
        assert_eq!(seen(&history), strs(&["timeout", "0", "2"]));
        c.notify(1);
        moment().await;
        assert_eq!(seen(&history), strs(&["timeout", "0", "2", "3"]));
    });
}

#[test]
fn condition_notify_all_with_timeout() {
    run(async {
        let c = Condition::new();
        let history = History::default();
        record(&history, c.wait(), 0);
        record(&history, c.wait_timeout(ms(10)), 1);
        record(&history, c.wait(), 2);
        sleep(ms(50)).await;
        assert_eq!(seen(&history), strs(&["timeout"]));
        c.notify_all();
        moment().await;
        assert_eq!(seen(&history), strs(&["timeout", "0", "2"]));
    });
}

#[test]
fn condition_nested_notify() {
    run(async {
        // No notification is lost when a woken waiter notifies in turn.
        let c = Condition::new();
        let waiters: Vec<_> = (0..3).map(|_| c.wait()).collect();
        let mut handles = Vec::new();
        for (i, wait) in waiters.into_iter().enumerate() {
            let c = c.clone();
            handles.push(spawn(async move {
                let woken = wait.await;
                if i == 1 {
                    c.notify(1);
                }
                woken
            }));
        }
        c.notify(2);
        moment().await;
        moment().await;
        assert!(handles.iter().all(JoinHandle::is_finished));
        for handle in handles {
            assert_eq!(handle.await, Ok(true));
        }
    });
}

#[test]
fn condition_garbage_collection() {
    run(async {
        // Timed-out waiters leave the line.
        let c = Condition::new();
        let history = History::default();
        for _ in 0..101 {
            record(&history, c.wait_timeout(ms(10)), "never");
        }
        let mut last = c.wait();
        assert_eq!(format!("{c:?}"), "<Condition waiters[102]>");
        sleep(ms(50)).await;
        assert_eq!(format!("{c:?}"), "<Condition waiters[1]>");
        assert_eq!(history.borrow().len(), 101);
        assert!(history.borrow().iter().all(|h| h == "timeout"));
        // The last waiter is still waiting.
        assert_eq!(poll_once(&mut last), Poll::Pending);
        c.notify(1);
        assert_eq!(poll_once(&mut last), Poll::Ready(true));
    });
}

#[test]
fn condition_skips_dropped_waiters() {
    run(async {
        let c = Condition::new();
        let history = History::default();
        let dropped = c.wait();
        record(&history, c.wait(), "kept");
        drop(dropped);
        c.notify(1);
        moment().await;
        assert_eq!(seen(&history), strs(&["kept"]));
    });
}

#[test]
fn condition_notification_of_a_cancelled_waiter_passes_on() {
    run(async {
        let c = Condition::new();
        let first = spawn(c.wait());
        let history = History::default();
        record(&history, c.wait(), "second");
        c.notify(1); // picks `first`...
        first.cancel(); // ...which goes away before it resumes
        moment().await;
        assert_eq!(seen(&history), strs(&["second"]));
        // A notify_all wakes everyone already, so nothing is passed on.
        let a = c.wait();
        let b = c.wait();
        c.notify_all();
        drop(a);
        assert_eq!(format!("{c:?}"), "<Condition>");
        assert!(b.await);
    });
}

#[test]
fn condition_wait_registers_when_called() {
    run(async {
        let c = Condition::new();
        let wait = c.wait();
        c.notify(1); // before the first poll
        assert!(wait.await);
    });
}

#[test]
fn condition_zero_and_past_deadlines_time_out_at_once() {
    run(async {
        let c = Condition::new();
        let zero = c.wait_timeout(Duration::ZERO);
        let past = c.wait_timeout(0.0); // Tornado's `timeout=0`, an absolute time
        let instant = c.wait_timeout(Instant::now());
        c.notify_all(); // too late: their deadlines have passed
        assert!(!zero.await);
        assert!(!past.await);
        assert!(!instant.await);
        // An absolute deadline in the future on IOLoop::time()'s clock.
        let started = Instant::now();
        assert!(!c.wait_timeout(IOLoop::current().time() + 0.02).await);
        assert!(started.elapsed() >= ms(15));
    });
}

// ----- Event -----

#[test]
fn event_repr() {
    let event = Event::new();
    assert_eq!(format!("{event:?}"), "<Event clear>");
    event.set();
    assert_eq!(format!("{event:?}"), "<Event set>");
}

#[test]
fn event_set_and_clear() {
    run(async {
        let e = Event::new();
        let mut future_0 = e.wait();
        e.set();
        let mut future_1 = e.wait();
        e.clear();
        let mut future_2 = e.wait();
        assert_eq!(poll_once(&mut future_0), Poll::Ready(()));
        assert_eq!(poll_once(&mut future_1), Poll::Ready(()));
        assert_eq!(poll_once(&mut future_2), Poll::Pending);
    });
}

#[test]
fn event_timeout() {
    run(async {
        let e = Event::new();
        assert_eq!(e.wait_timeout(ms(10)).await, Err(TimeoutError));
        // After a timed-out waiter, normal operation works.
        let setter = e.clone();
        IOLoop::current().add_timeout(ms(10), move || setter.set());
        assert_eq!(e.wait_timeout(Duration::from_secs(5)).await, Ok(()));
    });
}

#[test]
fn event_set_multiple() {
    let e = Event::new();
    e.set();
    e.set();
    assert!(e.is_set());
}

#[test]
fn event_wait_clear() {
    run(async {
        let e = Event::new();
        let mut f0 = e.wait();
        e.clear();
        let mut f1 = e.wait();
        e.set();
        assert_eq!(poll_once(&mut f0), Poll::Ready(()));
        assert_eq!(poll_once(&mut f1), Poll::Ready(()));
    });
}

#[test]
fn event_waiters_resume_on_the_next_iteration() {
    run(async {
        let e = Event::new();
        let history = History::default();
        for i in 0..3 {
            let (wait, history) = (e.wait(), history.clone());
            IOLoop::current().spawn_callback(async move {
                wait.await;
                history.borrow_mut().push(i.to_string());
            });
        }
        moment().await;
        e.set();
        assert!(history.borrow().is_empty(), "set() runs no waiter itself");
        moment().await;
        assert_eq!(seen(&history), strs(&["0", "1", "2"]));
        // A zero timeout on a set event succeeds at once.
        assert_eq!(e.wait_timeout(Duration::ZERO).await, Ok(()));
    });
}

#[test]
fn event_dropped_waiters_do_not_accumulate() {
    run(async {
        let e = Event::new();
        for _ in 0..10_000 {
            drop(e.wait_timeout(ms(1)));
        }
        let mut kept = e.wait();
        assert_eq!(poll_once(&mut kept), Poll::Pending);
        e.set();
        assert_eq!(poll_once(&mut kept), Poll::Ready(()));
    });
}

// ----- Semaphore -----

#[test]
fn semaphore_repr() {
    let sem = Semaphore::default();
    assert_eq!(format!("{sem:?}"), "<Semaphore [unlocked,value:1]>");
    let first = sem.acquire();
    assert_eq!(format!("{sem:?}"), "<Semaphore [locked]>");
    let second = sem.acquire();
    assert_eq!(format!("{sem:?}"), "<Semaphore [locked,waiters:1]>");
    drop(second);
    drop(first);
    assert_eq!(format!("{sem:?}"), "<Semaphore [unlocked,value:1]>");
}

#[test]
fn semaphore_acquire() {
    run(async {
        let sem = Semaphore::default();
        let mut f0 = sem.acquire();
        let Poll::Ready(_g0) = poll_once(&mut f0) else {
            panic!("a free permit")
        };
        // Wait for release().
        let mut f1 = sem.acquire();
        assert!(poll_once(&mut f1).is_pending());
        let mut f2 = sem.acquire();
        sem.release();
        let Poll::Ready(g1) = poll_once(&mut f1) else {
            panic!("release() hands the permit to the first waiter")
        };
        assert!(poll_once(&mut f2).is_pending());
        sem.release();
        let Poll::Ready(g2) = poll_once(&mut f2) else {
            panic!("and then to the second")
        };
        sem.release();
        // Now acquire() is instant.
        assert!(poll_once(&mut sem.acquire()).is_ready());
        assert_eq!(format!("{sem:?}"), "<Semaphore [unlocked,value:1]>");
        // Tornado's explicit style: keep the permits, release by hand.
        g1.forget();
        g2.forget();
        assert_eq!(format!("{sem:?}"), "<Semaphore [unlocked,value:1]>");
    });
}

#[test]
fn semaphore_acquire_timeout() {
    run(async {
        let sem = Semaphore::new(2);
        sem.acquire().await.forget();
        sem.acquire().await.forget();
        let acquire = sem.acquire_timeout(ms(10));
        let releaser = sem.clone();
        IOLoop::current().call_later(ms(50), move || releaser.release()); // too late
        sleep(ms(100)).await;
        assert_eq!(acquire.await.err(), Some(TimeoutError));
        // The late release added a permit; it is taken, then the next acquire waits.
        sem.acquire().await.forget();
        let mut f = sem.acquire();
        assert!(poll_once(&mut f).is_pending());
        sem.release();
        assert!(poll_once(&mut f).is_ready());
    });
}

#[test]
fn semaphore_acquire_timeout_preempted() {
    run(async {
        let sem = Semaphore::new(1);
        sem.acquire().await.forget();
        // This fires long before the acquire times out.
        let releaser = sem.clone();
        IOLoop::current().call_later(ms(10), move || releaser.release());
        let acquire = sem.acquire_timeout(ms(500));
        sleep(ms(30)).await;
        assert!(acquire.await.is_ok(), "no timeout");
    });
}

#[test]
fn semaphore_release_unacquired() {
    run(async {
        // Unbounded releases are allowed and raise the value.
        let sem = Semaphore::default();
        sem.release();
        sem.release();
        // Now the value is 3: three acquires succeed before one blocks.
        let mut guards = Vec::new();
        for _ in 0..3 {
            let Poll::Ready(guard) = poll_once(&mut sem.acquire()) else {
                panic!("a free permit")
            };
            guards.push(guard);
        }
        assert!(poll_once(&mut sem.acquire()).is_pending());
    });
}

#[test]
fn semaphore_garbage_collection() {
    run(async {
        // Timed-out waiters leave the line.
        let sem = Semaphore::new(0);
        let timed: Vec<_> = (0..101)
            .map(|_| spawn(sem.acquire_timeout(ms(10))))
            .collect();
        let mut last = sem.acquire();
        assert_eq!(format!("{sem:?}"), "<Semaphore [locked,waiters:102]>");
        sleep(ms(50)).await;
        assert_eq!(format!("{sem:?}"), "<Semaphore [locked,waiters:1]>");
        // The last waiter is still waiting.
        assert!(poll_once(&mut last).is_pending());
        sem.release();
        assert!(poll_once(&mut last).is_ready());
        for handle in timed {
            assert!(matches!(handle.await, Ok(Err(TimeoutError))));
        }
    });
}

#[test]
fn semaphore_guard_releases() {
    run(async {
        // Tornado's `with (yield sem.acquire())` and `async with sem`.
        let sem = Semaphore::default();
        {
            let _guard = sem.acquire().await;
            assert!(poll_once(&mut sem.acquire()).is_pending());
        }
        // Released: it can be acquired again.
        assert!(poll_once(&mut sem.acquire()).is_ready());
    });
}

#[test]
fn semaphore_guard_releases_on_panic() {
    run(async {
        let sem = Semaphore::default();
        let holder = spawn({
            let sem = sem.clone();
            async move {
                let _guard = sem.acquire().await;
                moment().await;
                panic!("boom while holding the permit");
            }
        });
        assert!(holder.await.is_err_and(|err| err.is_panic()));
        assert!(poll_once(&mut sem.acquire()).is_ready());
    });
}

#[test]
fn semaphore_guard_with_timeout() {
    run(async {
        let sem = Semaphore::default();
        {
            let _guard = sem.acquire_timeout(ms(10)).await.expect("a free permit");
        }
        assert!(poll_once(&mut sem.acquire()).is_ready());
    });
}

#[test]
fn semaphore_guard_timeout_error() {
    run(async {
        let sem = Semaphore::new(0);
        assert_eq!(sem.acquire_timeout(ms(10)).await.err(), Some(TimeoutError));
        // The value is still 0.
        assert!(poll_once(&mut sem.acquire()).is_pending());
    });
}

#[test]
fn semaphore_guard_contended() {
    run(async {
        let sem = Semaphore::default();
        let history = History::default();
        join_all((0..2).map(|i| {
            let (sem, history) = (sem.clone(), history.clone());
            async move {
                let _guard = sem.acquire().await;
                history.borrow_mut().push(format!("acquired {i}"));
                sleep(ms(10)).await;
                history.borrow_mut().push(format!("release {i}"));
            }
        }))
        .await;
        assert_eq!(
            seen(&history),
            strs(&["acquired 0", "release 0", "acquired 1", "release 1"])
        );
    });
}

#[test]
fn semaphore_release_cannot_be_taken_by_a_later_acquire() {
    run(async {
        let sem = Semaphore::new(0);
        let waiter = spawn(sem.acquire());
        moment().await; // the waiter is in line (it was already, from the call)
        sem.release();
        // Same iteration, before the waiter runs: a newcomer must wait.
        let mut newcomer = sem.acquire();
        assert!(poll_once(&mut newcomer).is_pending());
        let guard = waiter.await.expect("the waiter got the permit");
        drop(guard);
        assert!(poll_once(&mut newcomer).is_ready());
    });
}

#[test]
fn semaphore_zero_timeout_takes_only_a_free_permit() {
    run(async {
        let sem = Semaphore::new(1);
        let guard = sem.acquire_timeout(Duration::ZERO).await.expect("free now");
        let busy = sem.acquire_timeout(Duration::ZERO);
        drop(guard); // released before `busy` is first polled, yet after its deadline
        assert_eq!(busy.await.err(), Some(TimeoutError));
        assert_eq!(format!("{sem:?}"), "<Semaphore [unlocked,value:1]>");
        let _again = sem.acquire_timeout(0.0).await.expect("free now");
    });
}

#[test]
fn semaphore_permit_of_a_cancelled_waiter_passes_on() {
    run(async {
        let sem = Semaphore::new(0);
        let history = History::default();
        let mut waiters = Vec::new();
        for i in 0..4 {
            let (acquire, history) = (sem.acquire(), history.clone());
            waiters.push(spawn(async move {
                let _guard = acquire.await;
                history.borrow_mut().push(i.to_string());
                moment().await;
            }));
        }
        moment().await;
        waiters[0].cancel(); // cancelled while waiting: skipped
        sem.release(); // handed to waiter 1...
        waiters[1].cancel(); // ...cancelled before it ran: the permit goes to 2
        for waiter in waiters.drain(2..) {
            assert_eq!(waiter.await, Ok(()));
        }
        assert_eq!(seen(&history), strs(&["2", "3"]));
        assert_eq!(format!("{sem:?}"), "<Semaphore [unlocked,value:1]>");
    });
}

#[test]
fn semaphore_fair_under_contention() {
    run(async {
        // Five tasks each take the semaphore (two permits) three times. Served in
        // arrival order, the acquisitions go round in the order of the first requests.
        let sem = Semaphore::new(2);
        let order = Rc::new(RefCell::new(Vec::new()));
        join_all((0..5).map(|task| {
            let (sem, order) = (sem.clone(), order.clone());
            async move {
                for _ in 0..3 {
                    let _guard = sem.acquire().await;
                    order.borrow_mut().push(task);
                    moment().await;
                }
            }
        }))
        .await;
        let order = order.take();
        assert_eq!(order.len(), 15);
        for round in order.chunks(5) {
            let mut sorted = round.to_vec();
            sorted.sort_unstable();
            assert_eq!(
                sorted,
                [0, 1, 2, 3, 4],
                "every task once per round: {order:?}"
            );
        }
        assert_eq!(&order[..5], [0, 1, 2, 3, 4]);
    });
}

// ----- BoundedSemaphore -----

#[test]
fn bounded_semaphore_release_unacquired() {
    run(async {
        let sem = BoundedSemaphore::default();
        assert_eq!(sem.release(), Err(ReleaseError::TooManyReleases));
        assert_eq!(
            ReleaseError::TooManyReleases.to_string(),
            "Semaphore released too many times"
        );
        // Value is 0.
        sem.acquire().await.forget();
        // Block on acquire().
        let mut future = sem.acquire();
        assert!(poll_once(&mut future).is_pending());
        assert_eq!(sem.release(), Ok(()));
        let Poll::Ready(guard) = poll_once(&mut future) else {
            panic!("released to the waiter")
        };
        guard.forget();
        // Value is 1.
        assert_eq!(sem.release(), Ok(()));
        assert_eq!(sem.release(), Err(ReleaseError::TooManyReleases));
        assert_eq!(format!("{sem:?}"), "<BoundedSemaphore [unlocked,value:1]>");
    });
}

// ----- Lock -----

#[test]
fn lock_repr() {
    let lock = Lock::new();
    assert_eq!(
        format!("{lock:?}"),
        "<Lock _block=<BoundedSemaphore [unlocked,value:1]>>"
    );
    let held = lock.acquire();
    assert_eq!(
        format!("{lock:?}"),
        "<Lock _block=<BoundedSemaphore [locked]>>"
    );
    let waiting = lock.acquire();
    assert_eq!(
        format!("{lock:?}"),
        "<Lock _block=<BoundedSemaphore [locked,waiters:1]>>"
    );
    drop((held, waiting));
}

#[test]
fn lock_acquire_release() {
    run(async {
        let lock = Lock::new();
        let Poll::Ready(first) = poll_once(&mut lock.acquire()) else {
            panic!("an unlocked lock")
        };
        first.forget();
        let mut future = lock.acquire();
        assert!(poll_once(&mut future).is_pending());
        assert_eq!(lock.release(), Ok(()));
        assert!(poll_once(&mut future).is_ready());
    });
}

#[test]
fn lock_acquire_fifo() {
    run(async {
        // Tornado's explicit style: acquire, then release() by hand.
        let lock = Lock::new();
        lock.acquire().await.forget();
        let history = Rc::new(RefCell::new(Vec::new()));
        let tasks: Vec<_> = (0..5)
            .map(|i| {
                let (lock, history, acquire) = (lock.clone(), history.clone(), lock.acquire());
                spawn(async move {
                    acquire.await.forget();
                    history.borrow_mut().push(i);
                    lock.release().expect("held");
                })
            })
            .collect();
        moment().await;
        assert!(!tasks.iter().any(JoinHandle::is_finished));
        lock.release().expect("held");
        for task in tasks {
            task.await.expect("the task ran");
        }
        assert_eq!(history.take(), [0, 1, 2, 3, 4]);
    });
}

#[test]
fn lock_acquire_fifo_with_guards() {
    run(async {
        // Tornado's `async with lock:`.
        let lock = Lock::new();
        let held = lock.acquire().await;
        let history = Rc::new(RefCell::new(Vec::new()));
        let tasks: Vec<_> = (0..5)
            .map(|i| {
                let (history, acquire) = (history.clone(), lock.acquire());
                spawn(async move {
                    let _guard = acquire.await;
                    history.borrow_mut().push(i);
                })
            })
            .collect();
        drop(held);
        for task in tasks {
            task.await.expect("the task ran");
        }
        assert_eq!(history.take(), [0, 1, 2, 3, 4]);
    });
}

#[test]
fn lock_acquire_timeout() {
    run(async {
        let lock = Lock::new();
        let _held = lock.acquire().await;
        assert_eq!(lock.acquire_timeout(ms(10)).await.err(), Some(TimeoutError));
        // Still locked.
        assert!(poll_once(&mut lock.acquire()).is_pending());
    });
}

#[test]
fn lock_multi_release() {
    run(async {
        let lock = Lock::new();
        assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
        assert_eq!(ReleaseError::Unlocked.to_string(), "release unlocked lock");
        lock.acquire().await.forget();
        assert_eq!(lock.release(), Ok(()));
        assert_eq!(lock.release(), Err(ReleaseError::Unlocked));
    });
}

#[test]
fn lock_guard_after_a_manual_release_does_not_panic() {
    run(async {
        let lock = Lock::new();
        let guard = lock.acquire().await;
        assert_eq!(lock.release(), Ok(()));
        drop(guard); // refused and logged, not a panic
        assert_eq!(
            format!("{lock:?}"),
            "<Lock _block=<BoundedSemaphore [unlocked,value:1]>>"
        );
    });
}

#[test]
fn lock_fair_under_contention() {
    run(async {
        // Three tasks hammer the lock; each holds it across an await. Served FIFO, they
        // alternate strictly, and no task runs twice in a row while others wait.
        let lock = Lock::new();
        let order = Rc::new(RefCell::new(Vec::new()));
        join_all((0..3).map(|task| {
            let (lock, order) = (lock.clone(), order.clone());
            async move {
                for _ in 0..20 {
                    let _guard = lock.acquire().await;
                    order.borrow_mut().push(task);
                    moment().await;
                }
            }
        }))
        .await;
        let order = order.take();
        let expected: Vec<i32> = (0..60).map(|i| i % 3).collect();
        assert_eq!(order, expected);
    });
}

#[test]
fn lock_timed_out_and_cancelled_waiters_never_get_the_lock() {
    run(async {
        let lock = Lock::new();
        let held = lock.acquire().await;
        let timed = spawn(lock.acquire_timeout(ms(10)));
        let cancelled = spawn(lock.acquire());
        let history = History::default();
        let last = {
            let (acquire, history) = (lock.acquire(), history.clone());
            spawn(async move {
                let _guard = acquire.await;
                history.borrow_mut().push("last".into());
            })
        };
        moment().await;
        cancelled.cancel();
        sleep(ms(50)).await;
        assert!(matches!(timed.await, Ok(Err(TimeoutError))));
        drop(held);
        last.await.expect("the live waiter got the lock");
        assert_eq!(seen(&history), strs(&["last"]));
        assert!(poll_once(&mut lock.acquire()).is_ready());
    });
}

#[test]
fn lock_timeout_deadline_forms() {
    run(async {
        let lock = Lock::new();
        let _held = lock.acquire().await;
        let io_loop = IOLoop::current();
        let started = Instant::now();
        assert!(lock.acquire_timeout(io_loop.time() + 0.02).await.is_err());
        assert!(lock.acquire_timeout(Instant::now() + ms(20)).await.is_err());
        assert!(started.elapsed() >= ms(35));
    });
}

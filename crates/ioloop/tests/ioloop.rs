//! Ports of Tornado's ioloop_test.py, each test body run on epoll, poll and select.

mod util;

use std::cell::{Cell, RefCell};
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, IntoRawFd, RawFd};
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tornado_ioloop::{
    Error, Events, IOLoop, JoinError, PeriodicCallback, PollerKind, Registration, moment, sleep,
};
use util::{LIMIT, is_open, new_loop, raise_fd_limit, run, socketpair};

/// Instantiates each test body once per backend.
macro_rules! on_every_backend {
    ($($name:ident),* $(,)?) => {
        mod epoll {
            $(#[test] fn $name() {
                let _fds = crate::util::descriptors(stringify!($name));
                super::$name(tornado_ioloop::PollerKind::Epoll)
            })*
        }
        mod poll {
            $(#[test] fn $name() {
                let _fds = crate::util::descriptors(stringify!($name));
                super::$name(tornado_ioloop::PollerKind::Poll)
            })*
        }
        mod select {
            $(#[test] fn $name() {
                let _fds = crate::util::descriptors(stringify!($name));
                super::$name(tornado_ioloop::PollerKind::Select)
            })*
        }
    };
}

on_every_backend!(
    add_callback_wakes_a_sleeping_loop_from_another_thread,
    add_callback_from_many_threads,
    callbacks_run_in_order_and_new_ones_wait_for_the_next_iteration,
    a_busy_task_does_not_starve_timers_or_io,
    timers_fire_in_deadline_order_with_ties_in_scheduling_order,
    removed_timers_never_fire,
    remove_timeout_after_firing_and_from_another_timeout,
    call_at_in_the_past_runs_on_the_next_iteration,
    many_removed_timeouts_do_not_leak,
    handler_sees_readable_data_level_triggered,
    handler_sees_writable,
    update_handler_changes_interest,
    remove_handler_from_inside_the_handler,
    adding_a_descriptor_twice_is_an_error,
    removing_an_unknown_descriptor_is_fine,
    pipes_work_like_sockets,
    peer_hangup_is_reported,
    closed_descriptor_does_not_stop_the_loop,
    run_sync_returns_values_and_errors,
    run_sync_times_out,
    run_sync_reports_a_stopped_loop,
    current_is_the_running_loop,
    starting_a_running_loop_is_an_error,
    panics_in_callbacks_tasks_and_handlers_are_contained,
    spawn_returns_output_and_cancel_drops_the_task,
    add_future_calls_back_with_the_output,
    run_in_executor_runs_elsewhere_and_resolves_here,
    wakers_work_from_other_threads,
    registration_waits_for_readiness,
    registration_reports_errors_and_stops_watching,
    periodic_callback_skips_missed_calls,
    periodic_async_callbacks_never_overlap,
    close_drops_tasks_and_closes_descriptors,
    thousand_registered_sockets,
);

fn add_callback_wakes_a_sleeping_loop_from_another_thread(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let handle = io_loop.handle();
    let done = Rc::new(Cell::new(false));
    // Nothing else would wake the loop for a minute.
    io_loop.call_later(Duration::from_secs(60), || {});
    let flag = done.clone();
    let started = Instant::now();
    let thread = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(20));
        handle.add_callback(|| IOLoop::current().stop());
    });
    io_loop.add_callback(move || flag.set(true));
    io_loop.start().unwrap();
    thread.join().unwrap();
    assert!(done.get());
    assert!(started.elapsed() < LIMIT, "the loop woke up");
    io_loop.close(false).unwrap();
}

fn add_callback_from_many_threads(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let handle = io_loop.handle();
    let (sender, receiver) = std::sync::mpsc::channel();
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let handle = handle.clone();
            let sender = sender.clone();
            std::thread::spawn(move || {
                for i in 0..250 {
                    let sender = sender.clone();
                    handle.add_callback(move || sender.send(t * 1000 + i).unwrap());
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    run(&io_loop, async {
        for _ in 0..3 {
            moment().await;
        }
    });
    let mut got: Vec<i32> = receiver.try_iter().collect();
    assert_eq!(got.len(), 1000);
    // Each thread's callbacks run in the order it sent them.
    for t in 0..4 {
        let mine: Vec<i32> = got.iter().copied().filter(|v| v / 1000 == t).collect();
        assert_eq!(mine, (0..250).map(|i| t * 1000 + i).collect::<Vec<_>>());
    }
    got.sort();
    got.dedup();
    assert_eq!(got.len(), 1000);
    io_loop.close(false).unwrap();
}

fn callbacks_run_in_order_and_new_ones_wait_for_the_next_iteration(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let log = Rc::new(RefCell::new(Vec::new()));
    for i in 0..3 {
        let log = log.clone();
        let inner_loop = io_loop.clone();
        io_loop.add_callback(move || {
            log.borrow_mut().push(format!("cb{i}"));
            let log = log.clone();
            inner_loop.add_callback(move || log.borrow_mut().push(format!("next{i}")));
        });
    }
    let stopper = io_loop.clone();
    io_loop.add_callback(move || stopper.stop());
    io_loop.start().unwrap();
    // stop() ends the loop after the iteration: callbacks added during it have not run.
    assert_eq!(*log.borrow(), vec!["cb0", "cb1", "cb2"]);
    let stopper = io_loop.clone();
    io_loop.add_callback(move || stopper.stop());
    io_loop.start().unwrap();
    assert_eq!(log.borrow()[3..], ["next0", "next1", "next2"]);
    io_loop.close(false).unwrap();
}

fn a_busy_task_does_not_starve_timers_or_io(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let (reader, mut writer) = socketpair();
    let timer_fired = Rc::new(Cell::new(false));
    let io_seen = Rc::new(Cell::new(false));
    let flag = timer_fired.clone();
    io_loop.call_later(Duration::from_millis(5), move || flag.set(true));
    let flag = io_seen.clone();
    io_loop
        .add_handler(reader.as_raw_fd(), move |_, _| flag.set(true), Events::READ)
        .unwrap();
    writer.write_all(b"x").unwrap();
    let (t, i) = (timer_fired.clone(), io_seen.clone());
    let spins = run(&io_loop, async move {
        // Yields to the loop on every turn but never waits: only fairness lets the timer
        // and the handler run.
        let mut spins = 0u64;
        while !(t.get() && i.get()) {
            moment().await;
            spins += 1;
        }
        spins
    });
    assert!(spins > 0);
    io_loop.remove_handler(reader.as_raw_fd());
    io_loop.close(false).unwrap();
}

fn timers_fire_in_deadline_order_with_ties_in_scheduling_order(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let order = Rc::new(RefCell::new(Vec::new()));
    let base = Instant::now() + Duration::from_millis(20);
    for (label, offset) in [("c", 10), ("a", 0), ("b", 0), ("d", 10), ("e", 5)] {
        let order = order.clone();
        io_loop.add_timeout(base + Duration::from_millis(offset), move || {
            order.borrow_mut().push(label)
        });
    }
    let stopper = io_loop.clone();
    io_loop.add_timeout(base + Duration::from_millis(11), move || stopper.stop());
    io_loop.start().unwrap();
    assert_eq!(*order.borrow(), vec!["a", "b", "e", "c", "d"]);
    io_loop.close(false).unwrap();
}

fn removed_timers_never_fire(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let fired = Rc::new(Cell::new(0));
    let flag = fired.clone();
    let handle = io_loop.call_later(Duration::from_millis(5), move || flag.set(flag.get() + 1));
    io_loop.remove_timeout(handle);
    io_loop.remove_timeout(handle);
    run(&io_loop, sleep(Duration::from_millis(20)));
    assert_eq!(fired.get(), 0);
    assert_eq!(io_loop.pending_timeouts(), 0);
    io_loop.close(false).unwrap();
}

fn remove_timeout_after_firing_and_from_another_timeout(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let fired = Rc::new(RefCell::new(Vec::new()));
    // The first timer cancels the second, due at the same time.
    let second = Rc::new(Cell::new(None));
    let (log, slot, l2) = (fired.clone(), second.clone(), io_loop.clone());
    let at = Instant::now() + Duration::from_millis(5);
    let first = io_loop.add_timeout(at, move || {
        log.borrow_mut().push("first");
        if let Some(handle) = slot.take() {
            l2.remove_timeout(handle);
        }
    });
    let log = fired.clone();
    second.set(Some(
        io_loop.add_timeout(at, move || log.borrow_mut().push("second")),
    ));
    run(&io_loop, sleep(Duration::from_millis(20)));
    // Removing a timer that already fired does nothing.
    io_loop.remove_timeout(first);
    assert_eq!(*fired.borrow(), vec!["first"]);
    io_loop.close(false).unwrap();
}

fn call_at_in_the_past_runs_on_the_next_iteration(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let fired = Rc::new(Cell::new(false));
    let flag = fired.clone();
    let past = io_loop.time() - 3600.0;
    io_loop.call_at(past, move || flag.set(true));
    let flag = fired.clone();
    let seen_on_first_turn = run(&io_loop, async move {
        // The timer was already due when the loop started: it ran in the first iteration.
        flag.get()
    });
    assert!(fired.get());
    let _ = seen_on_first_turn;
    assert!(
        (io_loop.time()
            - std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_secs_f64())
        .abs()
            < 5.0
    );
    io_loop.close(false).unwrap();
}

fn many_removed_timeouts_do_not_leak(kind: PollerKind) {
    let io_loop = new_loop(kind);
    for _ in 0..10_000 {
        let handle = io_loop.call_later(Duration::from_secs(3600), || {});
        io_loop.remove_timeout(handle);
    }
    assert_eq!(io_loop.pending_timeouts(), 0);
    io_loop.close(false).unwrap();
}

fn handler_sees_readable_data_level_triggered(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let (reader, mut writer) = socketpair();
    let calls = Rc::new(Cell::new(0));
    let counter = calls.clone();
    let stopper = io_loop.clone();
    io_loop
        .add_handler(
            reader.as_raw_fd(),
            move |_, events| {
                assert!(events.is_readable());
                counter.set(counter.get() + 1);
                // Never reads: level-triggered pollers report the same data again.
                if counter.get() == 3 {
                    stopper.stop();
                }
            },
            Events::READ,
        )
        .unwrap();
    writer.write_all(b"hello").unwrap();
    io_loop.call_later(LIMIT, || IOLoop::current().stop());
    io_loop.start().unwrap();
    assert_eq!(calls.get(), 3);
    io_loop.remove_handler(reader.as_raw_fd());
    io_loop.close(false).unwrap();
}

fn handler_sees_writable(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let (a, _b) = socketpair();
    let seen = Rc::new(Cell::new(Events::NONE));
    let (slot, stopper) = (seen.clone(), io_loop.clone());
    io_loop
        .add_handler(
            a.as_raw_fd(),
            move |fd, events| {
                assert_eq!(fd, fd.as_raw_fd());
                slot.set(events);
                stopper.stop();
            },
            Events::READ | Events::WRITE,
        )
        .unwrap();
    io_loop.start().unwrap();
    assert_eq!(seen.get(), Events::WRITE, "writable, nothing to read");
    io_loop.remove_handler(a.as_raw_fd());
    io_loop.close(false).unwrap();
}

fn update_handler_changes_interest(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let (a, mut b) = socketpair();
    b.write_all(b"data").unwrap();
    let seen = Rc::new(RefCell::new(Vec::new()));
    let (log, l2) = (seen.clone(), io_loop.clone());
    io_loop
        .add_handler(
            a.as_raw_fd(),
            move |fd, events| {
                log.borrow_mut().push(events);
                if events.is_writable() {
                    l2.update_handler(fd, Events::READ).unwrap();
                } else {
                    l2.stop();
                }
            },
            Events::WRITE,
        )
        .unwrap();
    io_loop.start().unwrap();
    assert_eq!(*seen.borrow(), vec![Events::WRITE, Events::READ]);
    let err = io_loop.update_handler(12345, Events::READ).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);
    io_loop.remove_handler(a.as_raw_fd());
    io_loop.close(false).unwrap();
}

fn remove_handler_from_inside_the_handler(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let (a, mut b) = socketpair();
    let (c, mut d) = socketpair();
    b.write_all(b"1").unwrap();
    d.write_all(b"2").unwrap();
    let calls = Rc::new(Cell::new(0));
    // Each handler removes both: whichever runs first, the other must not run in the
    // same iteration, although its event was already reported.
    let fds = [a.as_raw_fd(), c.as_raw_fd()];
    for fd in fds {
        let (counter, l2) = (calls.clone(), io_loop.clone());
        io_loop
            .add_handler(
                fd,
                move |_, _| {
                    counter.set(counter.get() + 1);
                    for fd in fds {
                        l2.remove_handler(fd);
                    }
                },
                Events::READ,
            )
            .unwrap();
    }
    run(&io_loop, async {
        for _ in 0..3 {
            moment().await;
        }
    });
    assert_eq!(calls.get(), 1);
    assert_eq!(io_loop.watched_fds(), 0);
    drop((a, c));
    io_loop.close(false).unwrap();
}

fn adding_a_descriptor_twice_is_an_error(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let (a, _b) = socketpair();
    io_loop
        .add_handler(a.as_raw_fd(), |_, _| {}, Events::READ)
        .unwrap();
    let err = io_loop
        .add_handler(a.as_raw_fd(), |_, _| {}, Events::READ)
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    assert!(err.to_string().contains("already registered"), "{err}");
    assert!(Registration::new(&io_loop, a.as_raw_fd()).is_err());
    io_loop.remove_handler(a.as_raw_fd());
    // A descriptor that is not open cannot be added, and leaves nothing behind.
    let bad = io_loop.add_handler(987_654, |_, _| {}, Events::READ);
    assert!(bad.is_err());
    assert_eq!(io_loop.watched_fds(), 0);
    io_loop.close(false).unwrap();
}

fn removing_an_unknown_descriptor_is_fine(kind: PollerKind) {
    let io_loop = new_loop(kind);
    io_loop.remove_handler(4242);
    io_loop.remove_handler(-1);
    io_loop.close(false).unwrap();
}

fn pipes_work_like_sockets(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let mut fds = [0 as RawFd; 2];
    // SAFETY: pipe2 fills the two-element array we pass.
    let created = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_NONBLOCK | libc::O_CLOEXEC) };
    assert_eq!(created, 0);
    let [read_end, write_end] = fds;
    let got = Rc::new(RefCell::new(Vec::new()));
    let (sink, l2) = (got.clone(), io_loop.clone());
    io_loop
        .add_handler(
            read_end,
            move |fd, _| {
                let mut buffer = [0u8; 16];
                // SAFETY: reads into a live local buffer from a pipe we own.
                let n = unsafe { libc::read(fd, buffer.as_mut_ptr().cast(), buffer.len()) };
                if n > 0 {
                    sink.borrow_mut().extend_from_slice(&buffer[..n as usize]);
                }
                if n == 0 || sink.borrow().len() >= 5 {
                    l2.remove_handler(fd);
                    l2.stop();
                }
            },
            Events::READ,
        )
        .unwrap();
    let l2 = io_loop.clone();
    io_loop.add_callback(move || {
        // SAFETY: writes from a static buffer to a pipe we own.
        let n = unsafe { libc::write(write_end, b"pipes".as_ptr().cast(), 5) };
        assert_eq!(n, 5);
        let _ = l2;
    });
    io_loop.call_later(LIMIT, || IOLoop::current().stop());
    io_loop.start().unwrap();
    assert_eq!(&*got.borrow(), b"pipes");
    // SAFETY: closing the two ends we created above, once each.
    unsafe {
        libc::close(read_end);
        libc::close(write_end);
    }
    io_loop.close(false).unwrap();
}

fn peer_hangup_is_reported(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let (a, b) = socketpair();
    drop(b);
    let seen = Rc::new(Cell::new(Events::NONE));
    let (slot, l2) = (seen.clone(), io_loop.clone());
    io_loop
        .add_handler(
            a.as_raw_fd(),
            move |fd, events| {
                slot.set(events);
                l2.remove_handler(fd);
                l2.stop();
            },
            Events::READ,
        )
        .unwrap();
    io_loop.start().unwrap();
    // A hung-up socket is readable (read returns 0); epoll and poll add the error bits.
    assert!(seen.get().is_readable(), "{:?}", seen.get());
    let mut buffer = [0u8; 4];
    assert_eq!((&a).read(&mut buffer).unwrap(), 0);
    io_loop.close(false).unwrap();
}

fn closed_descriptor_does_not_stop_the_loop(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let (a, _b) = socketpair();
    let fd = a.into_raw_fd();
    let calls = Rc::new(Cell::new(0));
    let counter = calls.clone();
    let l2 = io_loop.clone();
    io_loop
        .add_handler(
            fd,
            move |fd, events| {
                counter.set(counter.get() + 1);
                // A backend that notices the closed descriptor reports an error; the
                // handler does what Tornado's users do: removes itself.
                assert!(events.is_error() || events.is_readable(), "{events:?}");
                l2.remove_handler(fd);
            },
            Events::READ,
        )
        .unwrap();
    // Closed behind the loop's back, without remove_handler.
    // SAFETY: we own this descriptor (from into_raw_fd) and close it once.
    unsafe { libc::close(fd) };
    let fired = run(&io_loop, async {
        sleep(Duration::from_millis(20)).await;
        true
    });
    assert!(fired, "timers still fire");
    assert!(calls.get() <= 1);
    io_loop.remove_handler(fd);
    assert_eq!(io_loop.watched_fds(), 0);
    io_loop.close(false).unwrap();
}

fn run_sync_returns_values_and_errors(kind: PollerKind) {
    let io_loop = new_loop(kind);
    assert_eq!(io_loop.run_sync(async { 7 }, None).unwrap(), 7);
    let failed: Result<Result<(), String>, Error> =
        io_loop.run_sync(async { Err("boom".to_owned()) }, None);
    assert_eq!(failed.unwrap(), Err("boom".to_owned()));
    let value = io_loop
        .run_sync(
            async {
                sleep(Duration::from_millis(2)).await;
                "after a sleep"
            },
            Some(LIMIT),
        )
        .unwrap();
    assert_eq!(value, "after a sleep");
    io_loop.close(false).unwrap();
    let closed = io_loop.run_sync(async {}, None).unwrap_err();
    assert!(matches!(closed, Error::Io(_)), "{closed}");
}

fn run_sync_times_out(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let dropped = Rc::new(Cell::new(false));
    let guard = DropFlag(dropped.clone());
    let err = io_loop
        .run_sync(
            async move {
                let _guard = guard;
                sleep(Duration::from_secs(60)).await;
            },
            Some(Duration::from_millis(10)),
        )
        .unwrap_err();
    assert!(err.is_timeout());
    assert_eq!(err.to_string(), "Operation timed out after 0.01 seconds");
    assert!(dropped.get(), "the future was cancelled");
    // The loop is usable afterwards.
    assert_eq!(io_loop.run_sync(async { 1 }, Some(LIMIT)).unwrap(), 1);
    io_loop.close(false).unwrap();
}

fn run_sync_reports_a_stopped_loop(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let err = io_loop
        .run_sync(
            async {
                IOLoop::current().stop();
                sleep(Duration::from_secs(60)).await;
            },
            None,
        )
        .unwrap_err();
    assert!(err.is_stopped());
    assert_eq!(
        err.to_string(),
        "Event loop stopped before Future completed."
    );
    io_loop.close(false).unwrap();
}

fn current_is_the_running_loop(kind: PollerKind) {
    assert!(IOLoop::try_current().is_none());
    let io_loop = new_loop(kind);
    let kind_inside = run(&io_loop, async { IOLoop::current().poller_kind() });
    assert_eq!(kind_inside, kind);
    assert!(
        IOLoop::try_current().is_none(),
        "cleared after the loop returns"
    );
    let panicked = std::panic::catch_unwind(IOLoop::current);
    assert!(panicked.is_err());
    io_loop.close(false).unwrap();
}

fn starting_a_running_loop_is_an_error(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let other = new_loop(kind);
    let (inner, other_inner) = (io_loop.clone(), other.clone());
    let (same, different) = run(&io_loop, async move {
        let same = inner.start().map_err(|e| e.to_string());
        let different = other_inner
            .run_sync(async {}, None)
            .map_err(|e| e.to_string());
        (same, different)
    });
    assert_eq!(
        same.unwrap_err(),
        "an IOLoop is already running on this thread"
    );
    assert!(different.unwrap_err().contains("already running"));
    assert!(io_loop.close(false).is_ok());
    other.close(false).unwrap();
}

fn panics_in_callbacks_tasks_and_handlers_are_contained(kind: PollerKind) {
    let io_loop = new_loop(kind);
    io_loop.add_callback(|| panic!("callback panics"));
    io_loop.call_later(Duration::from_millis(1), || panic!("timer panics"));
    let (a, mut b) = socketpair();
    b.write_all(b"!").unwrap();
    let l2 = io_loop.clone();
    io_loop
        .add_handler(
            a.as_raw_fd(),
            move |fd, _| {
                l2.remove_handler(fd);
                panic!("handler panics");
            },
            Events::READ,
        )
        .unwrap();
    let task = io_loop.spawn(async {
        moment().await;
        panic!("task panics");
    });
    let outcome = run(&io_loop, async move {
        let joined = task.await;
        sleep(Duration::from_millis(5)).await;
        joined
    });
    assert_eq!(outcome, Err(JoinError::Panicked("task panics".into())));
    let err = io_loop
        .run_sync(async { panic!("run_sync panics") }, Some(LIMIT))
        .map(|_: ()| ())
        .unwrap_err();
    assert!(err.is_panic());
    assert_eq!(run(&io_loop, async { "still running" }), "still running");
    io_loop.close(false).unwrap();
}

struct DropFlag(Rc<Cell<bool>>);

impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

fn spawn_returns_output_and_cancel_drops_the_task(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let dropped = Rc::new(Cell::new(false));
    let guard = DropFlag(dropped.clone());
    let (output, cancelled) = run(&io_loop, async move {
        let io_loop = IOLoop::current();
        let quick = io_loop.spawn(async { 40 + 2 });
        let slow = io_loop.spawn(async move {
            let _guard = guard;
            sleep(Duration::from_secs(60)).await;
        });
        moment().await;
        assert!(!slow.is_finished());
        assert!(slow.cancel());
        assert!(!slow.cancel(), "only once");
        (quick.await, slow.await)
    });
    assert_eq!(output, Ok(42));
    assert_eq!(cancelled, Err(JoinError::Cancelled));
    assert!(dropped.get());
    io_loop.close(false).unwrap();
}

fn add_future_calls_back_with_the_output(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let got = Rc::new(Cell::new(0));
    let slot = got.clone();
    io_loop.add_future(
        async {
            sleep(Duration::from_millis(1)).await;
            5
        },
        move |value| slot.set(value),
    );
    let probe = got.clone();
    run(&io_loop, async move {
        while probe.get() == 0 {
            sleep(Duration::from_millis(1)).await;
        }
    });
    assert_eq!(got.get(), 5);
    io_loop.close(false).unwrap();
}

fn run_in_executor_runs_elsewhere_and_resolves_here(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let here = std::thread::current().id();
    let (there, failure) = run(&io_loop, async move {
        let io_loop = IOLoop::current();
        let there = io_loop
            .run_in_executor(|| {
                std::thread::sleep(Duration::from_millis(5));
                std::thread::current().id()
            })
            .await
            .unwrap();
        let failure = io_loop
            .run_in_executor(|| -> u8 { panic!("worker panics") })
            .await;
        (there, failure)
    });
    assert_ne!(there, here);
    assert!(matches!(failure, Err(Error::Panicked(ref m)) if m == "worker panics"));
    // A pool of one thread runs jobs one after the other.
    io_loop.set_default_executor(Arc::new(tornado_ioloop::ThreadPoolExecutor::new(1)));
    let ids = run(&io_loop, async {
        let io_loop = IOLoop::current();
        let a = io_loop.run_in_executor(|| std::thread::current().id());
        let b = io_loop.run_in_executor(|| std::thread::current().id());
        (a.await.unwrap(), b.await.unwrap())
    });
    assert_eq!(ids.0, ids.1);
    io_loop.close(false).unwrap();
}

fn wakers_work_from_other_threads(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let results = run(&io_loop, async {
        let mut futures = Vec::new();
        let mut threads = Vec::new();
        for i in 0..8u32 {
            let (promise, future) = tornado_ioloop::concurrent::future_pair();
            futures.push(future);
            threads.push(std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(u64::from(i)));
                promise.set_result(i * i);
            }));
        }
        let mut results = Vec::new();
        for future in futures {
            results.push(future.await.unwrap());
        }
        for thread in threads {
            thread.join().unwrap();
        }
        results
    });
    assert_eq!(results, (0..8).map(|i| i * i).collect::<Vec<_>>());
    io_loop.close(false).unwrap();
}

fn registration_waits_for_readiness(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let (a, b) = socketpair();
    let got = run(&io_loop, async move {
        let io_loop = IOLoop::current();
        let registration = Registration::new(&io_loop, a.as_raw_fd()).unwrap();
        // Fresh registrations are assumed ready: the first attempt goes straight through.
        assert!(registration.writable().await.unwrap().is_writable());
        let mut buffer = [0u8; 8];
        assert_eq!(
            (&a).read(&mut buffer).unwrap_err().kind(),
            std::io::ErrorKind::WouldBlock
        );
        registration.clear_ready(Events::READ);
        // The peer writes a little later, from a timer.
        let mut b = b;
        io_loop.call_later(Duration::from_millis(5), move || {
            b.write_all(b"ping").unwrap();
        });
        let ready = registration.readable().await.unwrap();
        assert!(ready.is_readable());
        let n = (&a).read(&mut buffer).unwrap();
        drop(registration);
        buffer[..n].to_vec()
    });
    assert_eq!(got, b"ping");
    assert_eq!(io_loop.watched_fds(), 0);
    io_loop.close(false).unwrap();
}

fn registration_reports_errors_and_stops_watching(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let (a, b) = socketpair();
    let ready = run(&io_loop, async move {
        let io_loop = IOLoop::current();
        let registration = Registration::new(&io_loop, a.as_raw_fd()).unwrap();
        registration.clear_ready(Events::READ);
        io_loop.call_later(Duration::from_millis(2), move || drop(b));
        let ready = registration.readable().await.unwrap();
        // Nobody waits now; a hung-up socket must not make the loop spin. Let a few
        // iterations pass with a timer, then check that the loop went to sleep between.
        for _ in 0..3 {
            sleep(Duration::from_millis(2)).await;
        }
        drop(registration);
        ready
    });
    assert!(ready.is_readable() || ready.is_error(), "{ready:?}");
    io_loop.close(false).unwrap();
}

fn periodic_callback_skips_missed_calls(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let starts = Rc::new(RefCell::new(Vec::new()));
    let log = starts.clone();
    let periodic = PeriodicCallback::new(
        move || {
            log.borrow_mut().push(Instant::now());
            // Overruns its 20 ms period by half.
            std::thread::sleep(Duration::from_millis(30));
        },
        Duration::from_millis(20),
    )
    .unwrap();
    periodic.start_on(&io_loop);
    assert!(periodic.is_running());
    let probe = starts.clone();
    run(&io_loop, async move {
        while probe.borrow().len() < 4 {
            sleep(Duration::from_millis(5)).await;
        }
    });
    periodic.stop();
    assert!(!periodic.is_running());
    let starts = starts.borrow();
    let gaps: Vec<Duration> = starts.windows(2).map(|pair| pair[1] - pair[0]).collect();
    // Calls are never bunched: after a 30 ms call the next falls on the next multiple
    // of the period, 40 ms after the start. A call that starts late (a busy machine)
    // shortens the gap before the next one, so only the overlap is checked for every
    // gap, and the full 40 ms for one of them. (`next_time`'s unit tests check the
    // arithmetic exactly.)
    assert!(
        gaps.iter().all(|gap| *gap >= Duration::from_millis(30)),
        "{gaps:?}"
    );
    assert!(
        gaps.iter().any(|gap| *gap >= Duration::from_millis(39)),
        "{gaps:?}"
    );
    io_loop.close(false).unwrap();
}

fn periodic_async_callbacks_never_overlap(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let active = Rc::new(Cell::new(false));
    let calls = Rc::new(Cell::new(0));
    let (flag, counter) = (active.clone(), calls.clone());
    let periodic = PeriodicCallback::new_async(
        move || {
            let (flag, counter) = (flag.clone(), counter.clone());
            async move {
                assert!(!flag.get(), "overlapping calls");
                flag.set(true);
                sleep(Duration::from_millis(15)).await;
                counter.set(counter.get() + 1);
                flag.set(false);
            }
        },
        Duration::from_millis(5),
    )
    .unwrap()
    .with_jitter(0.1);
    periodic.start_on(&io_loop);
    let probe = calls.clone();
    run(&io_loop, async move {
        while probe.get() < 3 {
            sleep(Duration::from_millis(5)).await;
        }
    });
    periodic.stop();
    assert!(calls.get() >= 3);
    io_loop.close(false).unwrap();
}

fn close_drops_tasks_and_closes_descriptors(kind: PollerKind) {
    let io_loop = new_loop(kind);
    let dropped = Rc::new(Cell::new(false));
    let guard = DropFlag(dropped.clone());
    io_loop.spawn_callback(async move {
        let _guard = guard;
        sleep(Duration::from_secs(60)).await;
    });
    let (a, mut b) = socketpair();
    let fd = a.into_raw_fd();
    io_loop.add_handler(fd, |_, _| {}, Events::READ).unwrap();
    let handle = io_loop.handle();
    run(&io_loop, moment());
    io_loop.close(true).unwrap();
    assert!(dropped.get(), "pending tasks are dropped");
    // Asked through the peer: the number itself may already belong to a descriptor
    // another test (a thread of this process) has just opened.
    assert!(
        matches!(std::io::Read::read(&mut b, &mut [0u8; 1]), Ok(0)),
        "close(all_fds) closes handler descriptors"
    );
    assert!(io_loop.is_closed());
    assert!(handle.is_closed());
    // Sending to a closed loop is not an error.
    handle.add_callback(|| {});
    io_loop.add_callback(|| {});
    assert!(io_loop.start().is_err());
    let never = io_loop.spawn(async { 1 });
    assert!(never.is_finished());
    io_loop.close(false).unwrap();
}

fn thousand_registered_sockets(kind: PollerKind) {
    let limit = raise_fd_limit();
    assert!(
        limit >= 2200,
        "this test needs 2200 descriptors, the limit is {limit}"
    );
    let io_loop = new_loop(kind);
    let pairs: Vec<_> = (0..1000).map(|_| socketpair()).collect();
    let mut refused = 0;
    for (a, _) in &pairs {
        match io_loop.add_handler(a.as_raw_fd(), |_, _| {}, Events::READ) {
            Ok(()) => {}
            Err(err) => {
                assert_eq!(kind, PollerKind::Select, "{err}");
                assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
                assert!(err.to_string().contains("FD_SETSIZE"), "{err}");
                assert!(a.as_raw_fd() >= 1024);
                refused += 1;
            }
        }
    }
    if kind == PollerKind::Select {
        assert!(
            refused > 0,
            "descriptors above 1023 exist and select refuses them"
        );
    } else {
        assert_eq!(io_loop.watched_fds(), 1000);
    }
    // One socket of the set becomes readable; its handler is found among the others.
    let target = pairs
        .iter()
        .position(|(a, _)| a.as_raw_fd() < 1000)
        .unwrap();
    let target_fd = pairs[target].0.as_raw_fd();
    io_loop.remove_handler(target_fd);
    let seen = Rc::new(Cell::new(false));
    let (flag, l2) = (seen.clone(), io_loop.clone());
    io_loop
        .add_handler(
            target_fd,
            move |_, _| {
                flag.set(true);
                l2.stop();
            },
            Events::READ,
        )
        .unwrap();
    (&pairs[target].1).write_all(b"x").unwrap();
    io_loop.call_later(LIMIT, || IOLoop::current().stop());
    io_loop.start().unwrap();
    assert!(seen.get());
    for (a, _) in &pairs {
        io_loop.remove_handler(a.as_raw_fd());
    }
    assert_eq!(io_loop.watched_fds(), 0);
    assert!(pairs.iter().all(|(a, _)| is_open(a)));
    io_loop.close(false).unwrap();
}

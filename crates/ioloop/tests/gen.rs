//! Ports of what applies of Tornado's gen_test.py: sleep, moment, with_timeout, multi,
//! WaitIterator. These run on the backend `IOLoop::new()` builds (`TORNADO_POLLER`).

mod util;

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use futures_core::Stream;
use tornado_ioloop::{
    IOLoop, TimeoutError, WaitIterator, join_all, moment, multi, multi_keyed, sleep, sleep_until,
    timeout, with_timeout,
};
use util::LIMIT;

fn new_loop() -> IOLoop {
    IOLoop::new().expect("create the IOLoop")
}

fn run<F: std::future::Future + 'static>(future: F) -> F::Output {
    let io_loop = new_loop();
    let output = io_loop
        .run_sync(future, Some(LIMIT))
        .expect("finishes in time");
    io_loop.close(false).unwrap();
    output
}

#[test]
fn sleep_waits_at_least_its_duration() {
    let elapsed = run(async {
        let start = Instant::now();
        sleep(Duration::from_millis(15)).await;
        start.elapsed()
    });
    assert!(elapsed >= Duration::from_millis(15), "{elapsed:?}");
}

#[test]
fn sleep_until_an_absolute_time_and_in_the_past() {
    run(async {
        let io_loop = IOLoop::current();
        let start = Instant::now();
        sleep_until(io_loop.time() + 0.01).await;
        assert!(start.elapsed() >= Duration::from_millis(9));
        let start = Instant::now();
        sleep_until(io_loop.time() - 100.0).await;
        sleep(Duration::ZERO).await;
        assert!(start.elapsed() < LIMIT);
    });
}

#[test]
fn dropping_a_sleep_removes_its_timer() {
    run(async {
        let io_loop = IOLoop::current();
        let before = io_loop.pending_timeouts();
        let outcome = timeout(Duration::from_millis(1), sleep(Duration::from_secs(3600))).await;
        assert_eq!(outcome, Err(TimeoutError));
        assert_eq!(io_loop.pending_timeouts(), before);
    });
}

#[test]
fn sleep_can_be_reset() {
    run(async {
        let mut nap = sleep(Duration::from_secs(3600));
        nap.reset(Duration::from_millis(1));
        let start = Instant::now();
        nap.await;
        assert!(start.elapsed() < LIMIT);
    });
}

#[test]
fn moment_lets_other_tasks_run_once() {
    let order = run(async {
        let order = Rc::new(RefCell::new(Vec::new()));
        let other = order.clone();
        IOLoop::current().spawn_callback(async move { other.borrow_mut().push("other") });
        order.borrow_mut().push("before");
        moment().await;
        order.borrow_mut().push("after");
        Rc::try_unwrap(order).unwrap().into_inner()
    });
    assert_eq!(order, vec!["before", "other", "after"]);
}

#[test]
fn with_timeout_completes_before_the_deadline() {
    let value = run(async {
        with_timeout(Duration::from_secs(5), async {
            sleep(Duration::from_millis(1)).await;
            "done"
        })
        .await
    });
    assert_eq!(value, Ok("done"));
}

#[test]
fn with_timeout_does_not_cancel_the_future() {
    let finished = Rc::new(Cell::new(false));
    let flag = finished.clone();
    run(async move {
        let inner = flag.clone();
        let outcome = with_timeout(Duration::from_millis(5), async move {
            sleep(Duration::from_millis(20)).await;
            inner.set(true);
        })
        .await;
        assert_eq!(outcome, Err(TimeoutError));
        assert!(!flag.get());
        // As in Tornado, the future runs on after the timeout.
        sleep(Duration::from_millis(40)).await;
        assert!(flag.get());
    });
    assert!(finished.get());
}

#[test]
fn with_timeout_on_an_already_finished_future_and_an_absolute_deadline() {
    run(async {
        let io_loop = IOLoop::current();
        // A deadline already passed still lets a ready future through? Tornado checks the
        // future first only if it is already done; ours runs it as a task, so a ready
        // future beats a deadline in the past only by a race: use one in the future.
        assert_eq!(with_timeout(io_loop.time() + 5.0, async { 3 }).await, Ok(3));
        let outcome = with_timeout(io_loop.time() + 0.005, sleep(Duration::from_secs(60))).await;
        assert_eq!(outcome, Err(TimeoutError));
    });
}

#[test]
fn timeout_drops_a_borrowing_future() {
    run(async {
        let mut counter = 0;
        let outcome = timeout(Duration::from_millis(5), async {
            counter += 1;
            sleep(Duration::from_secs(60)).await;
            counter += 1;
        })
        .await;
        assert_eq!(outcome, Err(TimeoutError));
        assert_eq!(counter, 1);
    });
}

#[test]
fn multi_keeps_input_order() {
    let results = run(async {
        multi((0..5u64).map(|i| async move {
            sleep(Duration::from_millis(10 - 2 * i)).await;
            Ok::<_, String>(i)
        }))
        .await
    });
    assert_eq!(results, Ok(vec![0, 1, 2, 3, 4]));
}

#[test]
fn multi_of_nothing_is_empty() {
    let results = run(async { multi(Vec::<std::future::Ready<Result<u8, String>>>::new()).await });
    assert_eq!(results, Ok(vec![]));
    let keyed = run(async {
        multi_keyed(Vec::<(&str, std::future::Ready<Result<u8, String>>)>::new()).await
    });
    assert_eq!(keyed, Ok(vec![]));
}

#[test]
fn multi_returns_the_first_error_and_the_rest_run_on() {
    let finished = Rc::new(Cell::new(0));
    let counter = finished.clone();
    // Children 2 and 3 wait for `release`, set only once the error is back: however
    // late the loop runs, they are still running when `multi` returns.
    let release = tornado_ioloop::locks::Event::new();
    let outcome = run(async move {
        let children = (0..4u64).map(|i| {
            let counter = counter.clone();
            let release = release.clone();
            async move {
                if i >= 2 {
                    release.wait().await;
                }
                sleep(Duration::from_millis(5 * i)).await;
                counter.set(counter.get() + 1);
                if i == 1 {
                    Err(format!("child {i} failed"))
                } else {
                    Ok(i)
                }
            }
        });
        let outcome = multi(children).await;
        // The first error came back while children 2 and 3 were still running.
        let at_error = counter.get();
        release.set();
        sleep(Duration::from_millis(40)).await;
        (outcome, at_error, counter.get())
    });
    assert_eq!(outcome.0, Err("child 1 failed".to_owned()));
    assert_eq!(outcome.1, 2);
    assert_eq!(outcome.2, 4);
    assert_eq!(finished.get(), 4);
}

#[test]
fn multi_keyed_pairs_outputs_with_their_keys() {
    let results = run(async {
        multi_keyed([("b", 2u64), ("a", 1)].map(|(key, ms)| {
            (key, async move {
                sleep(Duration::from_millis(ms)).await;
                Ok::<_, String>(ms * 100)
            })
        }))
        .await
    });
    assert_eq!(results, Ok(vec![("b", 200), ("a", 100)]));
}

#[test]
fn many_futures_join_quickly() {
    // gen_test's performance case: 2000 futures.
    let total = run(async {
        let outputs = join_all((0..2000u64).map(|i| async move {
            moment().await;
            i
        }))
        .await;
        outputs.into_iter().sum::<u64>()
    });
    assert_eq!(total, 1999 * 2000 / 2);
}

#[test]
fn join_all_propagates_a_childs_panic() {
    let io_loop = new_loop();
    let err = io_loop
        .run_sync(
            async {
                join_all([
                    Box::pin(async { 1 })
                        as std::pin::Pin<Box<dyn std::future::Future<Output = i32>>>,
                    Box::pin(async { panic!("child panics") }),
                ])
                .await
            },
            Some(LIMIT),
        )
        .unwrap_err();
    assert!(err.is_panic(), "{err}");
    assert!(err.to_string().contains("child panics"), "{err}");
    io_loop.close(false).unwrap();
}

#[test]
fn wait_iterator_yields_in_completion_order() {
    let order = run(async {
        let mut waiting = WaitIterator::new([30u64, 10, 20].map(|ms| async move {
            sleep(Duration::from_millis(ms)).await;
            ms
        }));
        let mut order = Vec::new();
        assert!(!waiting.done());
        assert_eq!(waiting.current_index(), None);
        while let Some((index, value)) = waiting.next().await {
            assert_eq!(waiting.current_index(), Some(&index));
            order.push((index, value));
        }
        assert!(waiting.done());
        assert_eq!(waiting.next().await, None);
        order
    });
    assert_eq!(order, vec![(1, 10), (2, 20), (0, 30)]);
}

#[test]
fn wait_iterator_on_nothing_and_on_finished_futures() {
    run(async {
        let mut empty = WaitIterator::new(Vec::<std::future::Ready<u8>>::new());
        assert!(empty.done());
        assert_eq!(empty.next().await, None);
        let mut ready = WaitIterator::new([1, 2, 3].map(std::future::ready));
        let mut seen = Vec::new();
        while let Some((_, value)) = ready.next().await {
            seen.push(value);
        }
        seen.sort();
        assert_eq!(seen, vec![1, 2, 3]);
    });
}

#[test]
fn wait_iterator_keyed_and_as_a_stream() {
    let order = run(async {
        let mut waiting = WaitIterator::keyed([("slow", 20u64), ("fast", 5)].map(|(k, ms)| {
            (k, async move {
                sleep(Duration::from_millis(ms)).await;
                ms
            })
        }));
        let mut order = Vec::new();
        let mut pinned = std::pin::Pin::new(&mut waiting);
        while let Some(item) = std::future::poll_fn(|cx| pinned.as_mut().poll_next(cx)).await {
            order.push(item);
        }
        order
    });
    assert_eq!(order, vec![("fast", 5), ("slow", 20)]);
}

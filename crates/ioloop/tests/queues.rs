//! Port of Tornado's `test/queues_test.py`, plus differential vectors from Tornado 6.5.2,
//! cancellation (dropped getters and putters), fairness and deadline forms.
//!
//! Every test runs a real loop (`IOLoop::new()`, so `TORNADO_POLLER` picks the backend)
//! under `run_sync` with a timeout, and closes it. Timings leave wide margins.
//!
//! Not ported: `maxsize=None`, a negative or a float `maxsize` (`test_maxsize`,
//! `test_float_maxsize`), which `usize` rules out, and the address in `repr()`.

use std::cell::{Cell, RefCell};
use std::future::{Future, poll_fn};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use futures_core::Stream;
use tornado_ioloop::queues::{
    Get, LifoQueue, PriorityQueue, Put, Queue, QueueEmpty, QueueFull, TaskDoneError,
};
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

fn spawn<F: Future + 'static>(future: F) -> JoinHandle<F::Output> {
    IOLoop::current().spawn(future)
}

/// The next item of a stream (what `async for` does each turn).
async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    poll_fn(|cx| Pin::new(&mut *stream).poll_next(cx)).await
}

// ----- QueueBasicTest -----

#[test]
fn repr_and_str() {
    run(async {
        let q: Queue<()> = Queue::new(1);
        let get = q.get();
        let repr = format!("{q:?}");
        assert!(repr.starts_with("<Queue"), "{repr}");
        assert!(repr.contains("maxsize=1"));
        assert!(repr.contains("getters[1]"));
        assert!(!repr.contains("putters"));
        assert!(!repr.contains("tasks"));
        assert_eq!(repr, "<Queue maxsize=1 getters[1]>");

        q.put_nowait(()).unwrap(); // to the getter
        q.put_nowait(()).unwrap();
        // Now the queue is full: this putter waits.
        let put = q.put(());
        let repr = format!("{q:?}");
        assert!(!repr.contains("getters"));
        assert!(repr.contains("putters[1]"));
        assert!(repr.contains("tasks=2"));
        assert_eq!(
            repr,
            "<Queue maxsize=1 queue=deque([()]) putters[1] tasks=2>"
        );
        drop((get, put));
    });
}

#[test]
fn order() {
    let q = Queue::new(0);
    for i in [1, 3, 2] {
        q.put_nowait(i).unwrap();
    }
    let items: Vec<_> = (0..3).map(|_| q.get_nowait().unwrap()).collect();
    assert_eq!(items, [1, 3, 2]);
}

#[test]
fn maxsize() {
    run(async {
        let q = Queue::new(2);
        assert!(q.empty());
        assert!(!q.full());
        assert_eq!(q.maxsize(), 2);
        assert_eq!(poll_once(&mut q.put(0)), Poll::Ready(()));
        assert_eq!(poll_once(&mut q.put(1)), Poll::Ready(()));
        assert!(!q.empty());
        assert!(q.full());
        let mut put2 = q.put(2);
        assert_eq!(poll_once(&mut put2), Poll::Pending);
        assert_eq!(q.get().await, 0); // makes room
        assert_eq!(poll_once(&mut put2), Poll::Ready(()));
        assert!(!q.empty());
        assert!(q.full());
        assert_eq!(q.qsize(), 2);
    });
}

#[test]
fn unbounded_is_never_full() {
    let q = Queue::default();
    for i in 0..10_000 {
        q.put_nowait(i).unwrap();
    }
    assert!(!q.full());
    assert_eq!(q.qsize(), 10_000);
    assert_eq!(q.maxsize(), 0);
}

// ----- QueueGetTest -----

#[test]
fn blocking_get() {
    run(async {
        let q = Queue::new(0);
        q.put_nowait(0).unwrap();
        assert_eq!(q.get().await, 0);
    });
}

#[test]
fn nonblocking_get() {
    let q = Queue::new(0);
    q.put_nowait(0).unwrap();
    assert_eq!(q.get_nowait(), Ok(0));
}

#[test]
fn nonblocking_get_exception() {
    let q: Queue<i32> = Queue::new(0);
    assert_eq!(q.get_nowait(), Err(QueueEmpty));
    assert_eq!(QueueEmpty.to_string(), "the queue is empty");
}

#[test]
fn get_with_putters() {
    run(async {
        let q = Queue::new(1);
        q.put_nowait(0).unwrap();
        let put = q.put(1);
        assert_eq!(q.get().await, 0);
        put.await;
        assert_eq!(q.get_nowait(), Ok(1));
    });
}

#[test]
fn blocking_get_wait() {
    run(async {
        let q = Queue::new(0);
        q.put_nowait(0).unwrap();
        let io_loop = IOLoop::current();
        let (q1, q2) = (q.clone(), q.clone());
        io_loop.call_later(ms(10), move || q1.put_nowait(1).unwrap());
        io_loop.call_later(ms(20), move || q2.put_nowait(2).unwrap());
        assert_eq!(q.get_timeout(Duration::from_secs(5)).await, Ok(0));
        assert_eq!(q.get_timeout(Duration::from_secs(5)).await, Ok(1));
    });
}

#[test]
fn get_timeout() {
    run(async {
        let q = Queue::new(0);
        let get_timeout = q.get_timeout(ms(10));
        let get = q.get();
        assert_eq!(get_timeout.await, Err(TimeoutError));
        q.put_nowait(0).unwrap();
        assert_eq!(get.await, 0);
    });
}

#[test]
fn get_timeout_preempted() {
    run(async {
        let q = Queue::new(0);
        let get = q.get_timeout(ms(500));
        q.put_nowait(0).unwrap();
        sleep(ms(30)).await;
        assert_eq!(get.await, Ok(0));
    });
}

#[test]
fn get_clears_timed_out_putters() {
    run(async {
        let q = Queue::new(1);
        // The first putter succeeds, the others wait.
        let putters: Vec<_> = (0..10).map(|i| q.put_timeout(i, ms(10))).collect();
        let mut put = q.put(10);
        assert_eq!(
            format!("{q:?}"),
            "<Queue maxsize=1 queue=deque([0]) putters[10] tasks=1>"
        );
        sleep(ms(50)).await;
        // Only the live putter is left.
        assert_eq!(
            format!("{q:?}"),
            "<Queue maxsize=1 queue=deque([0]) putters[1] tasks=1>"
        );
        assert_eq!(poll_once(&mut put), Poll::Pending);
        let eleven = q.put(11);
        assert_eq!(q.get().await, 0); // lets 10 in, skipping the timed-out putters
        assert_eq!(
            format!("{q:?}"),
            "<Queue maxsize=1 queue=deque([10]) putters[1] tasks=2>"
        );
        assert_eq!(poll_once(&mut put), Poll::Ready(()));
        let mut putters = putters.into_iter();
        assert_eq!(
            putters.next().map(|mut p| poll_once(&mut p)),
            Some(Poll::Ready(Ok(())))
        );
        for mut putter in putters {
            assert_eq!(poll_once(&mut putter), Poll::Ready(Err(TimeoutError)));
        }
        drop(eleven);
    });
}

#[test]
fn get_clears_timed_out_getters() {
    run(async {
        let q: Queue<i32> = Queue::new(0);
        let getters: Vec<_> = (0..10).map(|_| spawn(q.get_timeout(ms(10)))).collect();
        let get = spawn(q.get());
        assert_eq!(format!("{q:?}"), "<Queue maxsize=0 getters[11]>");
        sleep(ms(50)).await;
        assert_eq!(format!("{q:?}"), "<Queue maxsize=0 getters[1]>");
        assert!(!get.is_finished(), "the last getter still waits");
        let extra = q.get();
        assert_eq!(format!("{q:?}"), "<Queue maxsize=0 getters[2]>");
        for getter in getters {
            assert_eq!(getter.await, Ok(Err(TimeoutError)));
        }
        drop((get, extra));
    });
}

#[test]
fn async_for() {
    run(async {
        let mut q = Queue::new(0);
        for i in 0..5 {
            q.put_nowait(i).unwrap();
        }
        let mut results = Vec::new();
        while let Some(i) = next(&mut q).await {
            results.push(i);
            if i == 4 {
                break;
            }
        }
        assert_eq!(results, [0, 1, 2, 3, 4]);
    });
}

// ----- QueuePutTest -----

#[test]
fn blocking_put() {
    run(async {
        let q = Queue::new(0);
        q.put(0).await;
        assert_eq!(q.get_nowait(), Ok(0));
    });
}

#[test]
fn nonblocking_put_exception() {
    let q = Queue::new(1);
    q.put_nowait(0).unwrap();
    let full = q.put_nowait(1).unwrap_err();
    assert_eq!(full, QueueFull(1));
    assert_eq!(full.to_string(), "the queue is full");
    assert_eq!(full.into_inner(), 1, "the item comes back");
}

#[test]
fn put_with_getters() {
    run(async {
        let q = Queue::new(0);
        let get0 = q.get();
        let get1 = q.get();
        q.put(0).await;
        assert_eq!(get0.await, 0);
        q.put(1).await;
        assert_eq!(get1.await, 1);
    });
}

#[test]
fn nonblocking_put_with_getters() {
    run(async {
        let q = Queue::new(0);
        let get0 = spawn(q.get());
        let get1 = spawn(q.get());
        q.put_nowait(0).unwrap();
        // put_nowait does not run the getter itself: it resumes on the next iteration.
        assert!(!get0.is_finished());
        moment().await;
        assert!(get0.is_finished());
        assert_eq!(get0.await, Ok(0));
        q.put_nowait(1).unwrap();
        moment().await;
        assert_eq!(get1.await, Ok(1));
    });
}

#[test]
fn blocking_put_wait() {
    run(async {
        let q = Queue::new(1);
        q.put_nowait(0).unwrap();
        for delay in [10, 20] {
            let q = q.clone();
            IOLoop::current().call_later(ms(delay), move || {
                q.get_nowait().unwrap();
            });
        }
        let mut futures = [q.put(0), q.put(1)];
        assert!(futures.iter_mut().all(|f| poll_once(f).is_pending()));
        join_all(futures).await;
        assert_eq!(q.get_nowait(), Ok(1));
    });
}

#[test]
fn put_timeout() {
    run(async {
        let q = Queue::new(1);
        q.put_nowait(0).unwrap(); // now it's full
        let put_timeout = q.put_timeout(1, ms(10));
        let put = q.put(2);
        assert_eq!(put_timeout.await, Err(TimeoutError));
        assert_eq!(q.get_nowait(), Ok(0));
        // 1 was never put in the queue.
        assert_eq!(q.get().await, 2);
        // The last get() let this putter in.
        put.await;
    });
}

#[test]
fn put_timeout_preempted() {
    run(async {
        let q = Queue::new(1);
        q.put_nowait(0).unwrap();
        let put = q.put_timeout(1, ms(500));
        assert_eq!(q.get_nowait(), Ok(0));
        sleep(ms(30)).await;
        assert_eq!(put.await, Ok(())); // no timeout
    });
}

#[test]
fn put_clears_timed_out_putters() {
    run(async {
        let q = Queue::new(1);
        // The first putter succeeds, the others wait.
        let putters: Vec<_> = (0..10).map(|i| q.put_timeout(i, ms(10))).collect();
        let mut put = q.put(10);
        assert_eq!(
            format!("{q:?}"),
            "<Queue maxsize=1 queue=deque([0]) putters[10] tasks=1>"
        );
        sleep(ms(50)).await;
        assert_eq!(
            format!("{q:?}"),
            "<Queue maxsize=1 queue=deque([0]) putters[1] tasks=1>"
        );
        assert_eq!(poll_once(&mut put), Poll::Pending);
        let eleven = q.put(11);
        assert_eq!(
            format!("{q:?}"),
            "<Queue maxsize=1 queue=deque([0]) putters[2] tasks=1>"
        );
        for mut putter in putters.into_iter().skip(1) {
            assert_eq!(poll_once(&mut putter), Poll::Ready(Err(TimeoutError)));
        }
        drop(eleven);
    });
}

#[test]
fn put_clears_timed_out_getters() {
    run(async {
        let q = Queue::new(0);
        let getters: Vec<_> = (0..10).map(|_| spawn(q.get_timeout(ms(10)))).collect();
        let get = spawn(q.get());
        let extra = q.get();
        assert_eq!(format!("{q:?}"), "<Queue maxsize=0 getters[12]>");
        sleep(ms(50)).await;
        assert_eq!(format!("{q:?}"), "<Queue maxsize=0 getters[2]>");
        assert!(!get.is_finished(), "the live getters still wait");
        q.put(0).await; // to the first live getter, past the timed-out ones
        assert_eq!(format!("{q:?}"), "<Queue maxsize=0 getters[1] tasks=1>");
        assert_eq!(get.await, Ok(0));
        for getter in getters {
            assert_eq!(getter.await, Ok(Err(TimeoutError)));
        }
        drop(extra);
    });
}

// ----- QueueJoinTest, for each kind of queue -----

/// A kind of queue: its name, and how to make an unbounded one.
type Kind = (&'static str, fn() -> Queue<i32>);

fn each_kind() -> [Kind; 3] {
    [
        ("Queue", || Queue::new(0)),
        ("PriorityQueue", || PriorityQueue::new(0).into()),
        ("LifoQueue", || LifoQueue::new(0).into()),
    ]
}

#[test]
fn task_done_underflow() {
    for (_, new) in each_kind() {
        let q = new();
        assert_eq!(q.task_done(), Err(TaskDoneError));
    }
    assert_eq!(
        TaskDoneError.to_string(),
        "task_done() called too many times"
    );
}

#[test]
fn task_done() {
    for (kind, new) in each_kind() {
        let total = run(async move {
            let q = new();
            for i in 0..100 {
                q.put_nowait(i).unwrap();
            }
            let accumulator = Rc::new(Cell::new(0));
            // Two workers share the work.
            for worker in 0..2u64 {
                let (q, accumulator) = (q.clone(), accumulator.clone());
                IOLoop::current().spawn_callback(async move {
                    for round in 0u64.. {
                        let item = q.get().await;
                        accumulator.set(accumulator.get() + item);
                        q.task_done().unwrap();
                        sleep(Duration::from_micros((round * 7 + worker * 3) % 10 * 100)).await;
                    }
                });
            }
            q.join().await;
            accumulator.get()
        });
        assert_eq!(total, (0..100).sum::<i32>(), "{kind}");
    }
}

#[test]
fn task_done_delay() {
    for (kind, new) in each_kind() {
        run(async move {
            // It is task_done(), not get(), that releases join().
            let q = new();
            q.put_nowait(0).unwrap();
            let mut join = q.join();
            assert_eq!(poll_once(&mut join), Poll::Pending, "{kind}");
            q.get().await;
            assert_eq!(poll_once(&mut join), Poll::Pending, "{kind}");
            moment().await;
            assert_eq!(poll_once(&mut join), Poll::Pending, "{kind}");
            q.task_done().unwrap();
            assert_eq!(poll_once(&mut join), Poll::Ready(()), "{kind}");
        });
    }
}

#[test]
fn join_empty_queue() {
    for (_, new) in each_kind() {
        run(async move {
            let q = new();
            q.join().await;
            q.join().await;
        });
    }
}

#[test]
fn join_timeout() {
    for (kind, new) in each_kind() {
        run(async move {
            let q = new();
            q.put_nowait(0).unwrap();
            assert_eq!(q.join_timeout(ms(10)).await, Err(TimeoutError), "{kind}");
            // An absolute deadline on IOLoop::time()'s clock.
            let deadline = IOLoop::current().time() + 0.01;
            assert_eq!(q.join_timeout(deadline).await, Err(TimeoutError), "{kind}");
            q.get_nowait().unwrap();
            q.task_done().unwrap();
            assert_eq!(q.join_timeout(Duration::ZERO).await, Ok(()), "{kind}");
        });
    }
}

// ----- PriorityQueue and LifoQueue -----

#[test]
fn priority_queue_order() {
    run(async {
        let q = PriorityQueue::new(2);
        q.put_nowait((1, "a")).unwrap();
        q.put_nowait((0, "b")).unwrap();
        assert!(q.full());
        let put_c = q.put((3, "c"));
        let put_d = q.put((2, "d"));
        assert_eq!(q.get_nowait(), Ok((0, "b")));
        assert_eq!(q.get().await, (1, "a"));
        assert_eq!(q.get_nowait(), Ok((2, "d")));
        assert_eq!(q.get().await, (3, "c"));
        assert!(q.empty());
        join_all([put_c, put_d]).await;
    });
}

#[test]
fn lifo_queue_order() {
    run(async {
        let q = LifoQueue::new(2);
        q.put_nowait(1).unwrap();
        q.put_nowait(0).unwrap();
        assert!(q.full());
        let put_3 = q.put(3);
        let put_2 = q.put(2);
        assert_eq!(q.get_nowait(), Ok(3));
        assert_eq!(q.get().await, 2);
        assert_eq!(q.get_nowait(), Ok(0));
        assert_eq!(q.get().await, 1);
        assert!(q.empty());
        join_all([put_3, put_2]).await;
    });
}

/// Compares on the priority alone, so equal priorities show which item heapq picks.
#[derive(Debug)]
struct Job(u8, u8);

impl PartialEq for Job {
    fn eq(&self, other: &Job) -> bool {
        self.0 == other.0
    }
}

impl Eq for Job {}

impl PartialOrd for Job {
    fn partial_cmp(&self, other: &Job) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Job {
    fn cmp(&self, other: &Job) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
}

#[test]
fn priority_queue_ties_come_out_as_in_tornado() {
    // python3 -c "
    // import heapq
    // class Job:
    //     def __init__(s, p, i): s.p, s.i = p, i
    //     def __lt__(s, o): return s.p < o.p
    // h = []
    // for p, i in [(1,0),(0,1),(1,2),(0,3),(1,4),(0,5),(1,6),(0,7)]: heapq.heappush(h, Job(p, i))
    // print([heapq.heappop(h).i for _ in range(8)])"
    // [1, 5, 3, 7, 6, 2, 4, 0]
    let q = PriorityQueue::new(0);
    for (p, i) in [
        (1, 0),
        (0, 1),
        (1, 2),
        (0, 3),
        (1, 4),
        (0, 5),
        (1, 6),
        (0, 7),
    ] {
        q.put_nowait(Job(p, i)).unwrap();
    }
    let order: Vec<u8> = (0..8).map(|_| q.get_nowait().unwrap().1).collect();
    assert_eq!(order, [1, 5, 3, 7, 6, 2, 4, 0]);
}

// ----- ProducerConsumerTest -----

#[test]
fn producer_consumer() {
    run(async {
        let q = Queue::new(3);
        let history = Rc::new(RefCell::new(Vec::new()));
        {
            let (q, history) = (q.clone(), history.clone());
            IOLoop::current().spawn_callback(async move {
                loop {
                    let item = q.get().await;
                    history.borrow_mut().push(item);
                    q.task_done().unwrap();
                }
            });
        }
        for item in 0..10 {
            q.put(item).await;
        }
        q.join().await;
        assert_eq!(history.take(), (0..10).collect::<Vec<_>>());
    });
}

// ----- Cancellation, fairness, deadlines -----

#[test]
fn an_item_handed_to_a_cancelled_getter_stays_in_the_queue() {
    run(async {
        let q = Queue::new(0);
        let getter = spawn(q.get());
        let next = spawn(q.get());
        moment().await;
        q.put_nowait("first").unwrap(); // handed to `getter`...
        getter.cancel(); // ...which goes away before it runs: `next` gets it instead
        assert_eq!(next.await, Ok("first"));
        // With nobody else waiting, a handed item goes back to the front.
        let getter = spawn(q.get());
        moment().await;
        q.put_nowait("second").unwrap();
        q.put_nowait("third").unwrap();
        getter.cancel();
        assert_eq!(q.get_nowait(), Ok("second"));
        assert_eq!(q.get_nowait(), Ok("third"));
        assert_eq!(format!("{q:?}"), "<Queue maxsize=0 tasks=3>");
    });
}

#[test]
fn a_cancelled_stream_keeps_its_item() {
    run(async {
        let q = Queue::new(0);
        let consumer = spawn({
            let mut q = q.clone();
            async move { next(&mut q).await }
        });
        moment().await; // the stream now waits on a get
        assert_eq!(format!("{q:?}"), "<Queue maxsize=0 getters[1]>");
        q.put_nowait(7).unwrap();
        consumer.cancel();
        assert_eq!(q.get_nowait(), Ok(7));
    });
}

#[test]
fn a_cancelled_putter_leaves_the_line_with_its_item() {
    run(async {
        let q = Queue::new(1);
        q.put_nowait(Rc::new(0)).unwrap();
        let item = Rc::new(1);
        let putter = spawn(q.put(item.clone()));
        let kept = q.put(Rc::new(2));
        moment().await;
        assert_eq!(Rc::strong_count(&item), 2);
        putter.cancel();
        assert_eq!(Rc::strong_count(&item), 1, "the withdrawn item was dropped");
        assert_eq!(*q.get_nowait().unwrap(), 0);
        assert_eq!(*q.get_nowait().unwrap(), 2, "the next live putter got in");
        kept.await;
    });
}

#[test]
fn a_timed_out_putter_drops_its_item() {
    run(async {
        let q = Queue::new(1);
        q.put_nowait(Rc::new(0)).unwrap();
        let item = Rc::new(1);
        assert_eq!(q.put_timeout(item.clone(), ms(10)).await, Err(TimeoutError));
        assert_eq!(Rc::strong_count(&item), 1);
        // Zero and past deadlines give up at once on a full queue...
        assert_eq!(
            q.put_timeout(item.clone(), Duration::ZERO).await,
            Err(TimeoutError)
        );
        assert_eq!(q.put_timeout(item.clone(), 0.0).await, Err(TimeoutError));
        // ...and succeed at once when there is room.
        q.get_nowait().unwrap();
        assert_eq!(q.put_timeout(item.clone(), Instant::now()).await, Ok(()));
        assert_eq!(Rc::strong_count(&item), 2);
    });
}

#[test]
fn zero_timeout_get() {
    run(async {
        let q = Queue::new(0);
        let empty = q.get_timeout(Duration::ZERO);
        q.put_nowait(1).unwrap(); // after its deadline: not handed to it
        assert_eq!(empty.await, Err(TimeoutError));
        assert_eq!(q.get_timeout(Duration::ZERO).await, Ok(1));
    });
}

#[test]
fn getters_are_served_in_line_order() {
    run(async {
        let q = Queue::new(0);
        // Eight getters take their places in this order; two of them go away.
        let getters: Vec<_> = (0..8).map(|_| spawn(q.get())).collect();
        moment().await;
        getters[2].cancel();
        getters[5].cancel();
        for item in 0..6 {
            q.put_nowait(item).unwrap();
        }
        let mut got = Vec::new();
        for (i, getter) in getters.into_iter().enumerate() {
            if i != 2 && i != 5 {
                got.push(getter.await.expect("served"));
            }
        }
        assert_eq!(got, [0, 1, 2, 3, 4, 5]);
        assert!(q.empty());
    });
}

#[test]
fn getters_share_fairly_under_contention() {
    run(async {
        let q = Queue::new(0);
        let seen = Rc::new(RefCell::new(Vec::new()));
        let consumers: Vec<_> = (0..4)
            .map(|consumer| {
                let (q, seen) = (q.clone(), seen.clone());
                spawn(async move {
                    for _ in 0..5 {
                        let item = q.get().await;
                        seen.borrow_mut().push((consumer, item));
                        moment().await;
                    }
                })
            })
            .collect();
        moment().await;
        for item in 0..20 {
            q.put(item).await;
            if item % 3 == 0 {
                moment().await;
            }
        }
        join_all(consumers).await;
        let seen = seen.take();
        let mut items: Vec<_> = seen.iter().map(|&(_, item)| item).collect();
        items.sort_unstable();
        assert_eq!(items, (0..20).collect::<Vec<_>>(), "every item once");
        for consumer in 0..4 {
            assert_eq!(seen.iter().filter(|(c, _)| *c == consumer).count(), 5);
        }
        assert_eq!(&seen[..4], [(0, 0), (1, 1), (2, 2), (3, 3)]);
    });
}

#[test]
fn putters_are_served_in_line_order_under_contention() {
    run(async {
        let q = Queue::new(1);
        let producers: Vec<_> = (0..4)
            .map(|producer| {
                let q = q.clone();
                spawn(async move {
                    for round in 0..3 {
                        q.put(producer * 10 + round).await;
                    }
                })
            })
            .collect();
        // Producer 0 fills the queue, then everyone waits in line: 0:1, 1:10, 2:20, 3:30.
        moment().await;
        let mut items = Vec::new();
        for _ in 0..12 {
            items.push(q.get().await);
            moment().await; // the producer let in puts its next item at the back
        }
        join_all(producers).await;
        assert_eq!(items, [0, 1, 10, 20, 30, 2, 11, 21, 31, 12, 22, 32]);
    });
}

#[test]
fn futures_act_when_created() {
    run(async {
        // Like Tornado's, put() and get() act at the call, before any poll.
        let q = Queue::new(1);
        let put: Put<i32> = q.put(1);
        assert_eq!(q.qsize(), 1, "the item went in at the call");
        let get: Get<i32> = q.get();
        assert_eq!(q.qsize(), 0, "the item was taken at the call");
        assert_eq!(get.await, 1);
        put.await;
    });
}

// ----- Differential vectors from Tornado 6.5.2 -----

enum Kept {
    Put(Put<i32>),
    Get(Get<i32>),
}

/// Replays one vector: what each step returned, and what each kept future holds.
fn replay(kind: &str, maxsize: usize, ops: &str) -> (Vec<String>, Vec<String>) {
    let q: Queue<i32> = match kind {
        "fifo" => Queue::new(maxsize),
        "lifo" => LifoQueue::new(maxsize).into(),
        "priority" => PriorityQueue::new(maxsize).into(),
        other => panic!("unknown kind {other}"),
    };
    let mut out = Vec::new();
    let mut kept = Vec::new();
    for op in ops.split(';') {
        let (code, arg) = op.split_once(' ').unwrap_or((op, ""));
        let number = || arg.parse::<i32>().expect("a number");
        out.push(match code {
            "p" => match q.put_nowait(number()) {
                Ok(()) => "ok".to_string(),
                Err(QueueFull(_)) => "full".to_string(),
            },
            "P" => {
                kept.push(Kept::Put(q.put(number())));
                "ok".to_string()
            }
            "g" => match q.get_nowait() {
                Ok(item) => item.to_string(),
                Err(QueueEmpty) => "empty".to_string(),
            },
            "G" => {
                kept.push(Kept::Get(q.get()));
                "ok".to_string()
            }
            "t" => match q.task_done() {
                Ok(()) => "ok".to_string(),
                Err(TaskDoneError) => "too many".to_string(),
            },
            "s" => format!("{q:?}"),
            other => panic!("unknown op {other}"),
        });
    }
    let futures = kept
        .iter_mut()
        .map(|future| match future {
            Kept::Put(put) => match poll_once(put) {
                Poll::Ready(()) => "done".to_string(),
                Poll::Pending => "pending".to_string(),
            },
            Kept::Get(get) => match poll_once(get) {
                Poll::Ready(item) => item.to_string(),
                Poll::Pending => "pending".to_string(),
            },
        })
        .collect();
    (out, futures)
}

fn split(list: &str) -> Vec<String> {
    if list.is_empty() {
        Vec::new()
    } else {
        list.split(';').map(str::to_string).collect()
    }
}

#[test]
fn vectors_from_tornado() {
    for (i, &(kind, maxsize, ops, out, futures)) in VECTORS.iter().enumerate() {
        let (got_out, got_futures) = run(async move { replay(kind, maxsize, ops) });
        assert_eq!(
            got_out,
            split(out),
            "vector {i}: {kind} maxsize={maxsize} {ops}"
        );
        assert_eq!(got_futures, split(futures), "vector {i} futures: {ops}");
    }
}

// Generated by the script at the end of this file, from Tornado 6.5.2.
const VECTORS: &[(&str, usize, &str, &str, &str)] = &[
    (
        "fifo",
        3,
        "P 4;g;g;p 4;s;s;g;g;P 9;g;G;P 4;s",
        "ok;4;empty;ok;<Queue maxsize=3 queue=deque([4]) tasks=2>;<Queue maxsize=3 queue=deque([4]) tasks=2>;4;empty;ok;9;ok;ok;<Queue maxsize=3 tasks=4>",
        "done;done;4;done",
    ),
    (
        "lifo",
        1,
        "t;G;p 3;g;p 4;P 4;g;P 2;g;P 2;P 8;s;p 8;g;t;p 6;s",
        "too many;ok;ok;empty;ok;ok;4;ok;2;ok;ok;<LifoQueue maxsize=1 queue=[4] putters[2] tasks=4>;full;2;ok;full;<LifoQueue maxsize=1 queue=[4] putters[1] tasks=4>",
        "3;done;done;done;pending",
    ),
    (
        "priority",
        0,
        "P 2;g;P 3;p 7;s;s",
        "ok;2;ok;ok;<PriorityQueue maxsize=0 queue=[3, 7] tasks=3>;<PriorityQueue maxsize=0 queue=[3, 7] tasks=3>",
        "done;done",
    ),
    (
        "fifo",
        3,
        "p 2;t;s;p 3;g;s",
        "ok;ok;<Queue maxsize=3 queue=deque([2])>;ok;2;<Queue maxsize=3 queue=deque([3]) tasks=1>",
        "",
    ),
    (
        "lifo",
        3,
        "g;g;g;P 2;p 9;G;p 6;p 8;s;G;g;g;P 5;g;s;s;P 8;p 2;s",
        "empty;empty;empty;ok;ok;ok;ok;ok;<LifoQueue maxsize=3 queue=[2, 6, 8] tasks=4>;ok;6;2;ok;5;<LifoQueue maxsize=3 tasks=5>;<LifoQueue maxsize=3 tasks=5>;ok;ok;<LifoQueue maxsize=3 queue=[8, 2] tasks=7>",
        "done;9;8;done;done",
    ),
    (
        "priority",
        3,
        "s;G;g;g;g;P 8;t;p 7;p 5;p 6;t;g;p 8;g;t;g;G;s",
        "<PriorityQueue maxsize=3>;ok;empty;empty;empty;ok;ok;ok;ok;ok;ok;5;ok;6;ok;7;ok;<PriorityQueue maxsize=3 tasks=2>",
        "8;done;8",
    ),
    (
        "fifo",
        1,
        "P 2;G;p 0;P 9;s;t;g;t;p 9;p 3;p 1;g;G;s;p 4;g;p 8;s",
        "ok;ok;ok;ok;<Queue maxsize=1 queue=deque([0]) putters[1] tasks=2>;ok;0;ok;full;full;full;9;ok;<Queue maxsize=1 getters[1] tasks=1>;ok;empty;ok;<Queue maxsize=1 queue=deque([8]) tasks=3>",
        "done;2;done;4",
    ),
    (
        "lifo",
        3,
        "t;s;p 4;p 9;p 0;p 9;p 7;p 4;p 4;t;p 0;g;p 6;g;p 0;P 0;G;s",
        "too many;<LifoQueue maxsize=3>;ok;ok;ok;full;full;full;full;ok;full;0;ok;6;ok;ok;ok;<LifoQueue maxsize=3 queue=[4, 9, 0] tasks=5>",
        "done;0",
    ),
    (
        "priority",
        2,
        "p 2;p 4;p 1;g;p 5;t;s",
        "ok;ok;full;2;ok;ok;<PriorityQueue maxsize=2 queue=[4, 5] tasks=2>",
        "",
    ),
    (
        "fifo",
        0,
        "p 7;p 4;t;g;g;p 0;g;p 9;t;s",
        "ok;ok;ok;7;4;ok;0;ok;ok;<Queue maxsize=0 queue=deque([9]) tasks=2>",
        "",
    ),
    (
        "lifo",
        1,
        "p 0;s;g;P 9;p 8;t;P 9;s",
        "ok;<LifoQueue maxsize=1 queue=[0] tasks=1>;0;ok;full;ok;ok;<LifoQueue maxsize=1 queue=[9] putters[1] tasks=1>",
        "done;pending",
    ),
    (
        "priority",
        0,
        "s;p 9;p 3;s;G;s",
        "<PriorityQueue maxsize=0>;ok;ok;<PriorityQueue maxsize=0 queue=[3, 9] tasks=2>;ok;<PriorityQueue maxsize=0 queue=[9] tasks=2>",
        "3",
    ),
    (
        "fifo",
        2,
        "p 5;s;P 9;s;s;p 9;G;g;t;g;p 7;g;p 8;s;P 5;s;p 5;g;g;g;s",
        "ok;<Queue maxsize=2 queue=deque([5]) tasks=1>;ok;<Queue maxsize=2 queue=deque([5, 9]) tasks=2>;<Queue maxsize=2 queue=deque([5, 9]) tasks=2>;full;ok;9;ok;empty;ok;7;ok;<Queue maxsize=2 queue=deque([8]) tasks=3>;ok;<Queue maxsize=2 queue=deque([8, 5]) tasks=4>;full;8;5;empty;<Queue maxsize=2 tasks=4>",
        "done;5;done",
    ),
    (
        "lifo",
        3,
        "g;G;P 9;P 7;P 2;s;G;t;g;p 7;p 3;t;p 5;s",
        "empty;ok;ok;ok;ok;<LifoQueue maxsize=3 queue=[7, 2] tasks=3>;ok;ok;7;ok;ok;ok;ok;<LifoQueue maxsize=3 queue=[7, 3, 5] tasks=4>",
        "9;done;done;done;2",
    ),
    (
        "priority",
        0,
        "p 2;s;s;p 7;G;p 9;P 7;s;P 1;p 7;g;g;s;t;p 5;G;s",
        "ok;<PriorityQueue maxsize=0 queue=[2] tasks=1>;<PriorityQueue maxsize=0 queue=[2] tasks=1>;ok;ok;ok;ok;<PriorityQueue maxsize=0 queue=[7, 9, 7] tasks=4>;ok;ok;1;7;<PriorityQueue maxsize=0 queue=[7, 7, 9] tasks=6>;ok;ok;ok;<PriorityQueue maxsize=0 queue=[7, 7, 9] tasks=6>",
        "2;done;done;5",
    ),
    (
        "fifo",
        1,
        "g;P 3;g;s;p 8;p 5;s;g;g;t;P 1;s;g;p 8;t;p 3;t;p 8;s",
        "empty;ok;3;<Queue maxsize=1 tasks=1>;ok;full;<Queue maxsize=1 queue=deque([8]) tasks=2>;8;empty;ok;ok;<Queue maxsize=1 queue=deque([1]) tasks=2>;1;ok;ok;full;ok;full;<Queue maxsize=1 queue=deque([8]) tasks=1>",
        "done;done",
    ),
    (
        "lifo",
        0,
        "p 4;P 0;p 8;P 3;s;t;s;p 5;g;G;P 9;t;G;p 4;s",
        "ok;ok;ok;ok;<LifoQueue maxsize=0 queue=[4, 0, 8, 3] tasks=4>;ok;<LifoQueue maxsize=0 queue=[4, 0, 8, 3] tasks=3>;ok;5;ok;ok;ok;ok;ok;<LifoQueue maxsize=0 queue=[4, 0, 8, 4] tasks=5>",
        "done;done;3;done;9",
    ),
    (
        "priority",
        1,
        "P 2;g;p 1;s;g;p 6;G;s;g;s;s;p 9;p 6;g;g;p 4;G;g;s",
        "ok;2;ok;<PriorityQueue maxsize=1 queue=[1] tasks=2>;1;ok;ok;<PriorityQueue maxsize=1 tasks=3>;empty;<PriorityQueue maxsize=1 tasks=3>;<PriorityQueue maxsize=1 tasks=3>;ok;full;9;empty;ok;ok;empty;<PriorityQueue maxsize=1 tasks=5>",
        "done;6;4",
    ),
    (
        "fifo",
        2,
        "P 9;s;p 8;s;g;p 3;g;p 5;s;g;G;s;s",
        "ok;<Queue maxsize=2 queue=deque([9]) tasks=1>;ok;<Queue maxsize=2 queue=deque([9, 8]) tasks=2>;9;ok;8;ok;<Queue maxsize=2 queue=deque([3, 5]) tasks=4>;3;ok;<Queue maxsize=2 tasks=4>;<Queue maxsize=2 tasks=4>",
        "done;5",
    ),
    (
        "lifo",
        3,
        "G;s;g;s;s;p 8;s;t;t;s;s",
        "ok;<LifoQueue maxsize=3 getters[1]>;empty;<LifoQueue maxsize=3 getters[1]>;<LifoQueue maxsize=3 getters[1]>;ok;<LifoQueue maxsize=3 tasks=1>;ok;too many;<LifoQueue maxsize=3>;<LifoQueue maxsize=3>",
        "8",
    ),
    (
        "priority",
        3,
        "p 6;g;g;p 0;p 2;G;P 7;s",
        "ok;6;empty;ok;ok;ok;ok;<PriorityQueue maxsize=3 queue=[2, 7] tasks=4>",
        "0;done",
    ),
    (
        "fifo",
        1,
        "s;t;g;P 8;g;p 7;p 3;G;g;g;P 4;p 1;G;P 6;s;s;s",
        "<Queue maxsize=1>;too many;empty;ok;8;ok;full;ok;empty;empty;ok;full;ok;ok;<Queue maxsize=1 queue=deque([6]) tasks=4>;<Queue maxsize=1 queue=deque([6]) tasks=4>;<Queue maxsize=1 queue=deque([6]) tasks=4>",
        "done;7;done;4;done",
    ),
    (
        "lifo",
        0,
        "p 1;s;g;p 7;t;s;s;G;G;t;g;s;t;p 2;s;s;p 6;s",
        "ok;<LifoQueue maxsize=0 queue=[1] tasks=1>;1;ok;ok;<LifoQueue maxsize=0 queue=[7] tasks=1>;<LifoQueue maxsize=0 queue=[7] tasks=1>;ok;ok;ok;empty;<LifoQueue maxsize=0 getters[1]>;too many;ok;<LifoQueue maxsize=0 tasks=1>;<LifoQueue maxsize=0 tasks=1>;ok;<LifoQueue maxsize=0 queue=[6] tasks=2>",
        "7;2",
    ),
    (
        "priority",
        3,
        "p 8;s;t;G;s;g;t;G;s;g;g;G;p 7;s;s;g;s;P 2;p 4;g;s;s",
        "ok;<PriorityQueue maxsize=3 queue=[8] tasks=1>;ok;ok;<PriorityQueue maxsize=3>;empty;too many;ok;<PriorityQueue maxsize=3 getters[1]>;empty;empty;ok;ok;<PriorityQueue maxsize=3 getters[1] tasks=1>;<PriorityQueue maxsize=3 getters[1] tasks=1>;empty;<PriorityQueue maxsize=3 getters[1] tasks=1>;ok;ok;4;<PriorityQueue maxsize=3 tasks=3>;<PriorityQueue maxsize=3 tasks=3>",
        "8;7;2;done",
    ),
    (
        "fifo",
        2,
        "p 7;s;G;p 1;G;s;p 9;g;g;g;P 1;P 2;P 9;t;g;g;s;s",
        "ok;<Queue maxsize=2 queue=deque([7]) tasks=1>;ok;ok;ok;<Queue maxsize=2 tasks=2>;ok;9;empty;empty;ok;ok;ok;ok;1;2;<Queue maxsize=2 queue=deque([9]) tasks=5>;<Queue maxsize=2 queue=deque([9]) tasks=5>",
        "7;1;done;done;done",
    ),
    (
        "lifo",
        2,
        "P 8;s;t;G;p 8;P 0;t;t;p 5;P 5;G;t;t;s;g;p 7;G;G;s;p 4;G;p 1;t;s",
        "ok;<LifoQueue maxsize=2 queue=[8] tasks=1>;ok;ok;ok;ok;ok;ok;full;ok;ok;ok;too many;<LifoQueue maxsize=2 queue=[8, 0]>;0;ok;ok;ok;<LifoQueue maxsize=2 tasks=1>;ok;ok;ok;ok;<LifoQueue maxsize=2 queue=[1] tasks=2>",
        "done;8;done;done;5;7;8;4",
    ),
    (
        "priority",
        3,
        "g;G;p 6;P 2;s;s;P 7;p 4;p 7;G;s;P 9;p 9;s;s",
        "empty;ok;ok;ok;<PriorityQueue maxsize=3 queue=[2] tasks=2>;<PriorityQueue maxsize=3 queue=[2] tasks=2>;ok;ok;full;ok;<PriorityQueue maxsize=3 queue=[4, 7] tasks=4>;ok;full;<PriorityQueue maxsize=3 queue=[4, 7, 9] tasks=5>;<PriorityQueue maxsize=3 queue=[4, 7, 9] tasks=5>",
        "6;done;done;2;done",
    ),
    (
        "fifo",
        2,
        "s;p 3;P 7;G;p 9;p 7;g;t;g;g;g;s;P 2;g;g;p 5;G;p 2;G;p 8;t;s",
        "<Queue maxsize=2>;ok;ok;ok;ok;full;7;ok;9;empty;empty;<Queue maxsize=2 tasks=2>;ok;2;empty;ok;ok;ok;ok;ok;ok;<Queue maxsize=2 queue=deque([8]) tasks=5>",
        "done;3;done;5;2",
    ),
    (
        "lifo",
        3,
        "p 5;G;G;P 4;s;t;P 5;s;G;P 7;g;p 2;p 3;s;t;t;g;t;p 3;P 9;p 1;t;s;s",
        "ok;ok;ok;ok;<LifoQueue maxsize=3 tasks=2>;ok;ok;<LifoQueue maxsize=3 queue=[5] tasks=2>;ok;ok;7;ok;ok;<LifoQueue maxsize=3 queue=[2, 3] tasks=5>;ok;ok;3;ok;ok;ok;full;ok;<LifoQueue maxsize=3 queue=[2, 3, 9] tasks=3>;<LifoQueue maxsize=3 queue=[2, 3, 9] tasks=3>",
        "5;4;done;done;5;done;done",
    ),
    (
        "priority",
        2,
        "g;g;t;t;g;p 4;p 4;t;G;P 9;p 1;P 6;s",
        "empty;empty;too many;too many;empty;ok;ok;ok;ok;ok;full;ok;<PriorityQueue maxsize=2 queue=[4, 9] putters[1] tasks=2>",
        "4;done;pending",
    ),
    (
        "fifo",
        2,
        "p 1;P 9;P 4;P 8;g;P 9;g;s;s;p 6;p 6;P 9;s;p 7;G;s;p 4;t;G;s;t;p 9;s",
        "ok;ok;ok;ok;1;ok;9;<Queue maxsize=2 queue=deque([4, 8]) putters[1] tasks=4>;<Queue maxsize=2 queue=deque([4, 8]) putters[1] tasks=4>;full;full;ok;<Queue maxsize=2 queue=deque([4, 8]) putters[2] tasks=4>;full;ok;<Queue maxsize=2 queue=deque([8, 9]) putters[1] tasks=5>;full;ok;ok;<Queue maxsize=2 queue=deque([9, 9]) tasks=5>;ok;full;<Queue maxsize=2 queue=deque([9, 9]) tasks=4>",
        "done;done;done;done;done;4;8",
    ),
    (
        "lifo",
        3,
        "s;s;g;g;p 2;p 1;p 5;s;g;G;g;G;P 3;s;g;g;g;G;g;g;s;s",
        "<LifoQueue maxsize=3>;<LifoQueue maxsize=3>;empty;empty;ok;ok;ok;<LifoQueue maxsize=3 queue=[2, 1, 5] tasks=3>;5;ok;2;ok;ok;<LifoQueue maxsize=3 tasks=4>;empty;empty;empty;ok;empty;empty;<LifoQueue maxsize=3 getters[1] tasks=4>;<LifoQueue maxsize=3 getters[1] tasks=4>",
        "1;3;done;pending",
    ),
    (
        "priority",
        2,
        "p 4;P 5;p 8;s;P 5;t;p 6;P 0;G;t;p 8;g;t;P 0;g;t;s;P 2;p 2;s",
        "ok;ok;full;<PriorityQueue maxsize=2 queue=[4, 5] tasks=2>;ok;ok;full;ok;ok;ok;full;0;ok;ok;0;ok;<PriorityQueue maxsize=2 queue=[5, 5] tasks=1>;ok;full;<PriorityQueue maxsize=2 queue=[5, 5] putters[1] tasks=1>",
        "done;done;done;4;done;pending",
    ),
    (
        "fifo",
        3,
        "p 2;p 0;G;t;s;p 5;g;P 7;P 8;s;p 2;g;s;p 2;g;s",
        "ok;ok;ok;ok;<Queue maxsize=3 queue=deque([0]) tasks=1>;ok;0;ok;ok;<Queue maxsize=3 queue=deque([5, 7, 8]) tasks=4>;full;5;<Queue maxsize=3 queue=deque([7, 8]) tasks=4>;ok;7;<Queue maxsize=3 queue=deque([8, 2]) tasks=5>",
        "2;done;done",
    ),
    (
        "lifo",
        1,
        "g;p 0;p 1;P 4;p 7;g;s;P 4;g;g;t;P 9;s;P 2;s",
        "empty;ok;full;ok;full;4;<LifoQueue maxsize=1 queue=[0] tasks=2>;ok;4;0;ok;ok;<LifoQueue maxsize=1 queue=[9] tasks=3>;ok;<LifoQueue maxsize=1 queue=[9] putters[1] tasks=3>",
        "done;done;done;pending",
    ),
    (
        "priority",
        1,
        "p 2;s;P 2;G;g;g;s;g;p 0;s;s",
        "ok;<PriorityQueue maxsize=1 queue=[2] tasks=1>;ok;ok;2;empty;<PriorityQueue maxsize=1 tasks=2>;empty;ok;<PriorityQueue maxsize=1 queue=[0] tasks=3>;<PriorityQueue maxsize=1 queue=[0] tasks=3>",
        "done;2",
    ),
    (
        "fifo",
        3,
        "p 4;s;G;p 9;G;p 9;p 0;t;P 5;G;s;P 5;s;P 0;p 9;s;s;t;s;s;p 1;s;s",
        "ok;<Queue maxsize=3 queue=deque([4]) tasks=1>;ok;ok;ok;ok;ok;ok;ok;ok;<Queue maxsize=3 queue=deque([0, 5]) tasks=4>;ok;<Queue maxsize=3 queue=deque([0, 5, 5]) tasks=5>;ok;full;<Queue maxsize=3 queue=deque([0, 5, 5]) putters[1] tasks=5>;<Queue maxsize=3 queue=deque([0, 5, 5]) putters[1] tasks=5>;ok;<Queue maxsize=3 queue=deque([0, 5, 5]) putters[1] tasks=4>;<Queue maxsize=3 queue=deque([0, 5, 5]) putters[1] tasks=4>;full;<Queue maxsize=3 queue=deque([0, 5, 5]) putters[1] tasks=4>;<Queue maxsize=3 queue=deque([0, 5, 5]) putters[1] tasks=4>",
        "4;9;done;9;done;pending",
    ),
    (
        "lifo",
        0,
        "G;s;p 4;s;P 9;g;P 7;s;g;p 7;p 5;p 6;g;s;P 6;t;G;g;s",
        "ok;<LifoQueue maxsize=0 getters[1]>;ok;<LifoQueue maxsize=0 tasks=1>;ok;9;ok;<LifoQueue maxsize=0 queue=[7] tasks=3>;7;ok;ok;ok;6;<LifoQueue maxsize=0 queue=[7, 5] tasks=6>;ok;ok;ok;5;<LifoQueue maxsize=0 queue=[7] tasks=6>",
        "4;done;done;done;6",
    ),
    (
        "priority",
        1,
        "P 8;g;P 9;t;G;s;P 9;G;g;g;G;p 7;G;g;g;g;G;s",
        "ok;8;ok;ok;ok;<PriorityQueue maxsize=1 tasks=1>;ok;ok;empty;empty;ok;ok;ok;empty;empty;empty;ok;<PriorityQueue maxsize=1 getters[2] tasks=3>",
        "done;done;9;done;9;7;pending;pending",
    ),
    (
        "fifo",
        2,
        "t;P 9;g;s;s;G;s;g;P 3;P 7;G;s;s;g;p 5;p 9;g;p 4;s;P 0;p 7;s",
        "too many;ok;9;<Queue maxsize=2 tasks=1>;<Queue maxsize=2 tasks=1>;ok;<Queue maxsize=2 getters[1] tasks=1>;empty;ok;ok;ok;<Queue maxsize=2 tasks=3>;<Queue maxsize=2 tasks=3>;empty;ok;ok;5;ok;<Queue maxsize=2 queue=deque([9, 4]) tasks=6>;ok;full;<Queue maxsize=2 queue=deque([9, 4]) putters[1] tasks=6>",
        "done;3;done;done;7;pending",
    ),
    (
        "lifo",
        0,
        "p 8;G;s;g;p 4;s",
        "ok;ok;<LifoQueue maxsize=0 tasks=1>;empty;ok;<LifoQueue maxsize=0 queue=[4] tasks=2>",
        "8",
    ),
    (
        "priority",
        2,
        "P 8;s;P 1;s;s;s",
        "ok;<PriorityQueue maxsize=2 queue=[8] tasks=1>;ok;<PriorityQueue maxsize=2 queue=[1, 8] tasks=2>;<PriorityQueue maxsize=2 queue=[1, 8] tasks=2>;<PriorityQueue maxsize=2 queue=[1, 8] tasks=2>",
        "done;done",
    ),
    (
        "fifo",
        2,
        "g;P 9;p 6;s;t;G;P 4;g;p 2;t;P 1;s;G;p 9;s;g;g;g;p 6;G;s;s",
        "empty;ok;ok;<Queue maxsize=2 queue=deque([9, 6]) tasks=2>;ok;ok;ok;6;ok;ok;ok;<Queue maxsize=2 queue=deque([4, 2]) putters[1] tasks=2>;ok;full;<Queue maxsize=2 queue=deque([2, 1]) tasks=3>;2;1;empty;ok;ok;<Queue maxsize=2 tasks=4>;<Queue maxsize=2 tasks=4>",
        "done;9;done;done;4;6",
    ),
    (
        "lifo",
        3,
        "s;g;p 0;p 5;g;P 1;P 1;G;p 9;t;p 1;p 3;P 3;s",
        "<LifoQueue maxsize=3>;empty;ok;ok;5;ok;ok;ok;ok;ok;full;full;ok;<LifoQueue maxsize=3 queue=[0, 1, 9] putters[1] tasks=4>",
        "done;done;1;pending",
    ),
    (
        "priority",
        0,
        "t;t;G;G;P 9;t;s;p 6;t;P 4;p 3;P 1;g;P 1;G;g;P 9;t;P 6;s",
        "too many;too many;ok;ok;ok;ok;<PriorityQueue maxsize=0 getters[1]>;ok;ok;ok;ok;ok;1;ok;ok;3;ok;ok;ok;<PriorityQueue maxsize=0 queue=[4, 9, 6] tasks=5>",
        "9;6;done;done;done;done;1;done;done",
    ),
    (
        "fifo",
        3,
        "P 9;p 0;t;G;g;p 7;P 9;s;G;P 6;G;g;p 1;g;g;P 5;p 2;s",
        "ok;ok;ok;ok;0;ok;ok;<Queue maxsize=3 queue=deque([7, 9]) tasks=3>;ok;ok;ok;6;ok;1;empty;ok;ok;<Queue maxsize=3 queue=deque([5, 2]) tasks=7>",
        "done;9;done;7;done;9;done",
    ),
    (
        "lifo",
        0,
        "P 5;s;s;G;s;s;g;s;g;G;p 7;g;P 5;s",
        "ok;<LifoQueue maxsize=0 queue=[5] tasks=1>;<LifoQueue maxsize=0 queue=[5] tasks=1>;ok;<LifoQueue maxsize=0 tasks=1>;<LifoQueue maxsize=0 tasks=1>;empty;<LifoQueue maxsize=0 tasks=1>;empty;ok;ok;empty;ok;<LifoQueue maxsize=0 queue=[5] tasks=3>",
        "done;5;7;done",
    ),
    (
        "priority",
        2,
        "g;G;s;s;g;G;p 2;p 2;G;p 3;p 7;s;g;s",
        "empty;ok;<PriorityQueue maxsize=2 getters[1]>;<PriorityQueue maxsize=2 getters[1]>;empty;ok;ok;ok;ok;ok;ok;<PriorityQueue maxsize=2 queue=[7] tasks=4>;7;<PriorityQueue maxsize=2 tasks=4>",
        "2;2;3",
    ),
    (
        "fifo",
        3,
        "s;G;g;P 4;g;g;g;s",
        "<Queue maxsize=3>;ok;empty;ok;empty;empty;empty;<Queue maxsize=3 tasks=1>",
        "4;done",
    ),
    (
        "lifo",
        0,
        "s;s;s;g;s;p 1;p 9;s;p 4;s;s;t;t;s;s",
        "<LifoQueue maxsize=0>;<LifoQueue maxsize=0>;<LifoQueue maxsize=0>;empty;<LifoQueue maxsize=0>;ok;ok;<LifoQueue maxsize=0 queue=[1, 9] tasks=2>;ok;<LifoQueue maxsize=0 queue=[1, 9, 4] tasks=3>;<LifoQueue maxsize=0 queue=[1, 9, 4] tasks=3>;ok;ok;<LifoQueue maxsize=0 queue=[1, 9, 4] tasks=1>;<LifoQueue maxsize=0 queue=[1, 9, 4] tasks=1>",
        "",
    ),
    (
        "priority",
        0,
        "g;p 9;P 1;P 6;t;g;t;P 9;p 8;s;P 5;s;G;p 9;s",
        "empty;ok;ok;ok;ok;1;ok;ok;ok;<PriorityQueue maxsize=0 queue=[6, 8, 9, 9] tasks=3>;ok;<PriorityQueue maxsize=0 queue=[5, 6, 9, 9, 8] tasks=4>;ok;ok;<PriorityQueue maxsize=0 queue=[6, 8, 9, 9, 9] tasks=5>",
        "done;done;done;done;5",
    ),
    (
        "fifo",
        1,
        "g;s;s;p 8;g;p 7;s;s;p 5;g;s;p 0;p 3;t;g;p 1;s",
        "empty;<Queue maxsize=1>;<Queue maxsize=1>;ok;8;ok;<Queue maxsize=1 queue=deque([7]) tasks=2>;<Queue maxsize=1 queue=deque([7]) tasks=2>;full;7;<Queue maxsize=1 tasks=2>;ok;full;ok;0;ok;<Queue maxsize=1 queue=deque([1]) tasks=3>",
        "",
    ),
    (
        "lifo",
        3,
        "t;p 1;s;p 5;G;p 5;G;t;P 9;s;G;p 4;P 1;p 2;p 5;g;G;P 8;g;s;s;g;s;G;s",
        "too many;ok;<LifoQueue maxsize=3 queue=[1] tasks=1>;ok;ok;ok;ok;ok;ok;<LifoQueue maxsize=3 queue=[1, 9] tasks=3>;ok;ok;ok;full;full;1;ok;ok;8;<LifoQueue maxsize=3 queue=[1] tasks=6>;<LifoQueue maxsize=3 queue=[1] tasks=6>;1;<LifoQueue maxsize=3 tasks=6>;ok;<LifoQueue maxsize=3 getters[1] tasks=6>",
        "5;5;done;9;done;4;done;pending",
    ),
    (
        "priority",
        1,
        "p 8;p 0;g;p 8;P 3;s;G;g;s",
        "ok;full;8;ok;ok;<PriorityQueue maxsize=1 queue=[8] putters[1] tasks=2>;ok;8;<PriorityQueue maxsize=1 tasks=3>",
        "done;3",
    ),
    (
        "fifo",
        3,
        "P 7;p 3;s;s;G;g;p 0;s;G;g;P 7;p 2;s;s",
        "ok;ok;<Queue maxsize=3 queue=deque([7, 3]) tasks=2>;<Queue maxsize=3 queue=deque([7, 3]) tasks=2>;ok;3;ok;<Queue maxsize=3 queue=deque([0]) tasks=3>;ok;empty;ok;ok;<Queue maxsize=3 queue=deque([7, 2]) tasks=5>;<Queue maxsize=3 queue=deque([7, 2]) tasks=5>",
        "done;7;0;done",
    ),
    (
        "lifo",
        1,
        "p 6;p 7;G;t;p 5;g;p 0;s",
        "ok;full;ok;ok;ok;5;ok;<LifoQueue maxsize=1 queue=[0] tasks=2>",
        "6",
    ),
    (
        "priority",
        2,
        "G;p 5;P 7;t;P 7;s;p 5;s;P 1;t;p 2;p 0;g;g;s",
        "ok;ok;ok;ok;ok;<PriorityQueue maxsize=2 queue=[7, 7] tasks=2>;full;<PriorityQueue maxsize=2 queue=[7, 7] tasks=2>;ok;ok;full;full;1;7;<PriorityQueue maxsize=2 queue=[7] tasks=2>",
        "5;done;done;done",
    ),
    (
        "fifo",
        0,
        "s;p 9;g;p 0;g;s",
        "<Queue maxsize=0>;ok;9;ok;0;<Queue maxsize=0 tasks=2>",
        "",
    ),
    (
        "lifo",
        3,
        "p 4;P 3;p 5;P 6;s;s;G;s;s;s;P 3;p 7;p 7;p 7;s;p 5;s",
        "ok;ok;ok;ok;<LifoQueue maxsize=3 queue=[4, 3, 5] putters[1] tasks=3>;<LifoQueue maxsize=3 queue=[4, 3, 5] putters[1] tasks=3>;ok;<LifoQueue maxsize=3 queue=[4, 3, 5] tasks=4>;<LifoQueue maxsize=3 queue=[4, 3, 5] tasks=4>;<LifoQueue maxsize=3 queue=[4, 3, 5] tasks=4>;ok;full;full;full;<LifoQueue maxsize=3 queue=[4, 3, 5] putters[1] tasks=4>;full;<LifoQueue maxsize=3 queue=[4, 3, 5] putters[1] tasks=4>",
        "done;done;6;pending",
    ),
    (
        "priority",
        3,
        "p 9;P 6;p 8;P 7;t;s;G;P 4;s;t;P 3;g;p 8;g;p 5;g;s;P 8;G;P 6;s;s",
        "ok;ok;ok;ok;ok;<PriorityQueue maxsize=3 queue=[6, 9, 8] putters[1] tasks=2>;ok;ok;<PriorityQueue maxsize=3 queue=[7, 9, 8] putters[1] tasks=3>;ok;ok;4;full;3;full;7;<PriorityQueue maxsize=3 queue=[8, 9] tasks=4>;ok;ok;ok;<PriorityQueue maxsize=3 queue=[6, 9, 8] tasks=6>;<PriorityQueue maxsize=3 queue=[6, 9, 8] tasks=6>",
        "done;done;6;done;done;done;8;done",
    ),
];

// `VECTORS` was generated by `tests/data/queue_vectors.py` (Python Tornado 6.5.2); the
// script says how to re-run it.

//! Benchmarks of the IOLoop, per backend, beside tokio's current-thread runtime doing the
//! same work in the same run:
//!
//! - `callbacks`: callbacks (ours) / local tasks (tokio) run per second;
//! - `timers`: timers scheduled and fired per second;
//! - `ping_pong`: round trips per second over one Unix socketpair.
//!
//! The same ping-pong with N idle sockets registered is `examples/idle_connections.rs`,
//! which prints the table (and draws the plot) of `benches/README.md`.
//!
//! `cargo bench -p tornado-ioloop --bench ioloop`; figures in `benches/README.md`.

use std::cell::Cell;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::rc::Rc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use tornado_ioloop::{Events, IOLoop, PollerKind, Registration, sleep};

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

const CALLBACKS: u64 = 10_000;

fn callbacks(c: &mut Criterion) {
    let mut group = c.benchmark_group("callbacks");
    group.throughput(Throughput::Elements(CALLBACKS));
    for kind in PollerKind::ALL {
        group.bench_function(BenchmarkId::new("add_callback", kind), |b| {
            let io_loop = IOLoop::with_poller(kind).unwrap();
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    let count = Rc::new(Cell::new(0u64));
                    for _ in 0..CALLBACKS {
                        let count = count.clone();
                        io_loop.add_callback(move || count.set(count.get() + 1));
                    }
                    let stopper = io_loop.clone();
                    io_loop.add_callback(move || stopper.stop());
                    io_loop.start().unwrap();
                    assert_eq!(count.get(), CALLBACKS);
                }
                start.elapsed()
            });
            io_loop.close(false).unwrap();
        });
        group.bench_function(BenchmarkId::new("spawn", kind), |b| {
            let io_loop = IOLoop::with_poller(kind).unwrap();
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    let count = Rc::new(Cell::new(0u64));
                    for _ in 0..CALLBACKS {
                        let count = count.clone();
                        io_loop.spawn_callback(async move { count.set(count.get() + 1) });
                    }
                    let stopper = io_loop.clone();
                    io_loop.add_callback(move || stopper.stop());
                    io_loop.start().unwrap();
                    assert_eq!(count.get(), CALLBACKS);
                }
                start.elapsed()
            });
            io_loop.close(false).unwrap();
        });
    }
    // The same callbacks while a million timers wait: an iteration must not notice them.
    group.bench_function("add_callback/epoll/1M_pending_timers", |b| {
        let io_loop = IOLoop::with_poller(PollerKind::Epoll).unwrap();
        for i in 0..1_000_000u64 {
            io_loop.call_later(Duration::from_secs(3600 + i % 7200), || {});
        }
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let count = Rc::new(Cell::new(0u64));
                for _ in 0..CALLBACKS {
                    let count = count.clone();
                    io_loop.add_callback(move || count.set(count.get() + 1));
                }
                let stopper = io_loop.clone();
                io_loop.add_callback(move || stopper.stop());
                io_loop.start().unwrap();
                assert_eq!(count.get(), CALLBACKS);
            }
            start.elapsed()
        });
        io_loop.close(false).unwrap();
    });
    // The same with a million pending timers. tokio keeps timers only inside futures: one
    // task holds a million `tokio::time::sleep`s, each polled once so that it is registered.
    group.bench_function("tokio/spawn_local/1M_pending_sleeps", |b| {
        let runtime = tokio_runtime();
        let local = tokio::task::LocalSet::new();
        local.block_on(&runtime, async {
            let mut sleeps: Vec<_> = (0..1_000_000u64)
                .map(|i| Box::pin(tokio::time::sleep(Duration::from_secs(3600 + i % 7200))))
                .collect();
            std::future::poll_fn(|cx| {
                for sleep in &mut sleeps {
                    assert!(sleep.as_mut().poll(cx).is_pending());
                }
                std::task::Poll::Ready(())
            })
            .await;
            tokio::task::spawn_local(async move {
                let _keep = sleeps;
                std::future::pending::<()>().await;
            });
        });
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let count = Rc::new(Cell::new(0u64));
                local.block_on(&runtime, async {
                    for _ in 0..CALLBACKS {
                        let count = count.clone();
                        tokio::task::spawn_local(async move { count.set(count.get() + 1) });
                    }
                    // Tasks run in spawning order: when this one runs, all the others have.
                    tokio::task::spawn_local(async {}).await.unwrap();
                });
                assert_eq!(count.get(), CALLBACKS);
            }
            start.elapsed()
        });
    });
    // tokio has no callback queue: a closure runs as a task (`spawn_local`), so this row is
    // the counterpart of both `add_callback` and `spawn`.
    group.bench_function("tokio/spawn_local", |b| {
        let runtime = tokio_runtime();
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let local = tokio::task::LocalSet::new();
                let count = Rc::new(Cell::new(0u64));
                local.block_on(&runtime, async {
                    for _ in 0..CALLBACKS {
                        let count = count.clone();
                        tokio::task::spawn_local(async move { count.set(count.get() + 1) });
                    }
                    tokio::task::yield_now().await;
                });
                runtime.block_on(local);
                assert_eq!(count.get(), CALLBACKS);
            }
            start.elapsed()
        });
    });
    group.finish();
}

const TIMERS: u64 = 10_000;

fn timers(c: &mut Criterion) {
    let mut group = c.benchmark_group("timers");
    group.throughput(Throughput::Elements(TIMERS));
    for kind in PollerKind::ALL {
        group.bench_function(BenchmarkId::new("call_later", kind), |b| {
            let io_loop = IOLoop::with_poller(kind).unwrap();
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    let count = Rc::new(Cell::new(0u64));
                    for i in 0..TIMERS {
                        let count = count.clone();
                        // Deadlines spread over a millisecond, in scrambled order.
                        let delay = Duration::from_nanos((i * 7919) % 1_000_000);
                        io_loop.call_later(delay, move || count.set(count.get() + 1));
                    }
                    let stopper = io_loop.clone();
                    io_loop.call_later(Duration::from_millis(1), move || stopper.stop());
                    io_loop.start().unwrap();
                    assert_eq!(count.get(), TIMERS);
                }
                start.elapsed()
            });
            io_loop.close(false).unwrap();
        });
        group.bench_function(BenchmarkId::new("sleep", kind), |b| {
            let io_loop = IOLoop::with_poller(kind).unwrap();
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    let count = Rc::new(Cell::new(0u64));
                    let tasks = count.clone();
                    io_loop
                        .run_sync(
                            async move {
                                let io_loop = IOLoop::current();
                                let handles: Vec<_> = (0..TIMERS)
                                    .map(|i| {
                                        let count = tasks.clone();
                                        let delay = Duration::from_nanos((i * 7919) % 1_000_000);
                                        io_loop.spawn(async move {
                                            sleep(delay).await;
                                            count.set(count.get() + 1);
                                        })
                                    })
                                    .collect();
                                for handle in handles {
                                    handle.await.unwrap();
                                }
                            },
                            None,
                        )
                        .unwrap();
                    assert_eq!(count.get(), TIMERS);
                }
                start.elapsed()
            });
            io_loop.close(false).unwrap();
        });
    }
    // tokio has no `call_later`: its way to run a closure at a deadline is a detached
    // task that sleeps and then calls it.
    group.bench_function("tokio/call_later", |b| {
        let runtime = tokio_runtime();
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let local = tokio::task::LocalSet::new();
                let count = Rc::new(Cell::new(0u64));
                for i in 0..TIMERS {
                    let count = count.clone();
                    let delay = Duration::from_nanos((i * 7919) % 1_000_000);
                    local.spawn_local(async move {
                        tokio::time::sleep(delay).await;
                        count.set(count.get() + 1);
                    });
                }
                runtime.block_on(local);
                assert_eq!(count.get(), TIMERS);
            }
            start.elapsed()
        });
    });
    // Spawned tasks that sleep, their JoinHandles awaited, as the `sleep` rows.
    group.bench_function("tokio/sleep", |b| {
        let runtime = tokio_runtime();
        b.iter_custom(|iters| {
            let start = Instant::now();
            for _ in 0..iters {
                let local = tokio::task::LocalSet::new();
                let count = Rc::new(Cell::new(0u64));
                let tasks = count.clone();
                local.block_on(&runtime, async move {
                    let handles: Vec<_> = (0..TIMERS)
                        .map(|i| {
                            let count = tasks.clone();
                            let delay = Duration::from_nanos((i * 7919) % 1_000_000);
                            tokio::task::spawn_local(async move {
                                tokio::time::sleep(delay).await;
                                count.set(count.get() + 1);
                            })
                        })
                        .collect();
                    for handle in handles {
                        handle.await.unwrap();
                    }
                });
                assert_eq!(count.get(), TIMERS);
            }
            start.elapsed()
        });
    });
    group.finish();
}

const ROUND_TRIPS: u64 = 1_000;

/// One side of the ping-pong: reads a byte, waiting on the loop when there is none.
async fn read_byte(registration: &Registration, stream: &UnixStream) {
    let mut byte = [0u8; 1];
    loop {
        match (&*stream).read(&mut byte) {
            Ok(1) => return,
            Ok(_) => panic!("peer closed"),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                registration.clear_ready(Events::READ);
                registration.readable().await.unwrap();
            }
            Err(e) => panic!("{e}"),
        }
    }
}

/// Ping-pong round trips on `io_loop` between two tasks over a socketpair.
fn ping_pong_ours(io_loop: &IOLoop, pair: &(UnixStream, UnixStream), rounds: u64) -> Duration {
    let a = pair.0.try_clone().unwrap();
    let b = pair.1.try_clone().unwrap();
    let start = Instant::now();
    io_loop
        .run_sync(
            async move {
                let io_loop = IOLoop::current();
                let echo = io_loop.spawn(async move {
                    let registration =
                        Registration::new(&IOLoop::current(), b.as_raw_fd()).unwrap();
                    for _ in 0..rounds {
                        read_byte(&registration, &b).await;
                        (&b).write_all(b"o").unwrap();
                    }
                });
                let registration = Registration::new(&io_loop, a.as_raw_fd()).unwrap();
                for _ in 0..rounds {
                    (&a).write_all(b"i").unwrap();
                    read_byte(&registration, &a).await;
                }
                echo.await.unwrap();
            },
            None,
        )
        .unwrap();
    start.elapsed()
}

fn ping_pong_tokio(runtime: &tokio::runtime::Runtime, rounds: u64) -> Duration {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    runtime.block_on(async {
        let (mut a, mut b) = tokio::net::UnixStream::pair().unwrap();
        let start = Instant::now();
        let echo = tokio::spawn(async move {
            let mut byte = [0u8; 1];
            for _ in 0..rounds {
                b.read_exact(&mut byte).await.unwrap();
                b.write_all(b"o").await.unwrap();
            }
        });
        let mut byte = [0u8; 1];
        for _ in 0..rounds {
            a.write_all(b"i").await.unwrap();
            a.read_exact(&mut byte).await.unwrap();
        }
        echo.await.unwrap();
        start.elapsed()
    })
}

fn nonblocking_pair() -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().unwrap();
    a.set_nonblocking(true).unwrap();
    b.set_nonblocking(true).unwrap();
    (a, b)
}

fn ping_pong(c: &mut Criterion) {
    let mut group = c.benchmark_group("ping_pong");
    group.throughput(Throughput::Elements(ROUND_TRIPS));
    for kind in PollerKind::ALL {
        group.bench_function(BenchmarkId::new("ours", kind), |b| {
            let io_loop = IOLoop::with_poller(kind).unwrap();
            let pair = nonblocking_pair();
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| ping_pong_ours(&io_loop, &pair, ROUND_TRIPS))
                    .sum()
            });
            io_loop.close(false).unwrap();
        });
    }
    group.bench_function("tokio", |b| {
        let runtime = tokio_runtime();
        b.iter_custom(|iters| {
            (0..iters)
                .map(|_| ping_pong_tokio(&runtime, ROUND_TRIPS))
                .sum()
        });
    });
    group.finish();
}

fn configure() -> Criterion {
    Criterion::default()
        .sample_size(15)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
}

criterion_group! {
    name = benches;
    config = configure();
    targets = callbacks, timers, ping_pong
}
criterion_main!(benches);

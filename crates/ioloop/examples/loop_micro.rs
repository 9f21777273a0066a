//! Two workloads of the loop benchmarks outside criterion, for instruction counts
//! (`valgrind --tool=callgrind`, deterministic where wall-clock times on a shared machine
//! are not) and quick timings:
//!
//! - `sleep`: rounds of 10 000 spawned tasks, each sleeping 0–1 ms from its first poll,
//!   their JoinHandles awaited;
//! - `ping_pong`: 20 000 round trips of one byte over a Unix socketpair between two tasks.
//!
//! ```sh
//! cargo build --release -p tornado-ioloop --example loop_micro
//! valgrind --tool=callgrind target/release/examples/loop_micro ours sleep 20
//! valgrind --tool=callgrind target/release/examples/loop_micro tokio sleep 20
//! target/release/examples/loop_micro ours ping_pong
//! ```
//!
//! Prints the best and the median round time.

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use tornado_ioloop::{Events, IOLoop, Registration, sleep};

const TASKS: u64 = 10_000;
const ROUND_TRIPS: u64 = 20_000;

/// The deadlines of the `sleep` workload: spread over a millisecond, in scrambled order.
fn delay(i: u64) -> Duration {
    Duration::from_nanos((i * 7919) % 1_000_000)
}

fn ours_sleep(io_loop: &IOLoop) {
    io_loop
        .run_sync(
            async {
                let io_loop = IOLoop::current();
                let handles: Vec<_> = (0..TASKS)
                    .map(|i| io_loop.spawn(async move { sleep(delay(i)).await }))
                    .collect();
                for handle in handles {
                    handle.await.expect("a sleep task failed");
                }
            },
            None,
        )
        .expect("the loop failed");
}

fn tokio_sleep(runtime: &tokio::runtime::Runtime) {
    let local = tokio::task::LocalSet::new();
    local.block_on(runtime, async {
        let handles: Vec<_> = (0..TASKS)
            .map(|i| tokio::task::spawn_local(async move { tokio::time::sleep(delay(i)).await }))
            .collect();
        for handle in handles {
            handle.await.expect("a sleep task failed");
        }
    });
}

/// Reads one byte, waiting on the loop when there is none.
async fn read_byte(registration: &Registration, stream: &UnixStream) {
    let mut byte = [0u8; 1];
    loop {
        match (&*stream).read(&mut byte) {
            Ok(1) => return,
            Ok(_) => panic!("peer closed"),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                registration.clear_ready(Events::READ);
                registration.readable().await.expect("readable");
            }
            Err(e) => panic!("{e}"),
        }
    }
}

fn ours_ping_pong(io_loop: &IOLoop) {
    let (a, b) = UnixStream::pair().expect("socketpair");
    a.set_nonblocking(true).expect("nonblocking");
    b.set_nonblocking(true).expect("nonblocking");
    io_loop
        .run_sync(
            async move {
                let io_loop = IOLoop::current();
                let echo = io_loop.spawn(async move {
                    let registration =
                        Registration::new(&IOLoop::current(), b.as_raw_fd()).expect("register");
                    for _ in 0..ROUND_TRIPS {
                        read_byte(&registration, &b).await;
                        (&b).write_all(b"o").expect("write");
                    }
                });
                let registration = Registration::new(&io_loop, a.as_raw_fd()).expect("register");
                for _ in 0..ROUND_TRIPS {
                    (&a).write_all(b"i").expect("write");
                    read_byte(&registration, &a).await;
                }
                echo.await.expect("the echo task failed");
            },
            None,
        )
        .expect("the loop failed");
}

fn tokio_ping_pong(runtime: &tokio::runtime::Runtime) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    runtime.block_on(async {
        let (mut a, mut b) = tokio::net::UnixStream::pair().expect("socketpair");
        let echo = tokio::spawn(async move {
            let mut byte = [0u8; 1];
            for _ in 0..ROUND_TRIPS {
                b.read_exact(&mut byte).await.expect("read");
                b.write_all(b"o").await.expect("write");
            }
        });
        let mut byte = [0u8; 1];
        for _ in 0..ROUND_TRIPS {
            a.write_all(b"i").await.expect("write");
            a.read_exact(&mut byte).await.expect("read");
        }
        echo.await.expect("the echo task failed");
    });
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: loop_micro ours|tokio sleep|ping_pong [rounds]";
    let (Some(side), Some(work)) = (args.get(1), args.get(2)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let rounds: usize = args
        .get(3)
        .and_then(|r| r.parse().ok())
        .unwrap_or(20)
        .max(1);
    let io_loop = IOLoop::new().expect("a loop");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let mut times = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        match (side.as_str(), work.as_str()) {
            ("ours", "sleep") => ours_sleep(&io_loop),
            ("tokio", "sleep") => tokio_sleep(&runtime),
            ("ours", "ping_pong") => ours_ping_pong(&io_loop),
            ("tokio", "ping_pong") => tokio_ping_pong(&runtime),
            _ => {
                eprintln!("{usage}");
                std::process::exit(2);
            }
        }
        times.push(start.elapsed());
    }
    times.sort();
    println!(
        "{side} {work}: {rounds} rounds, best {:?}, median {:?}",
        times[0],
        times[rounds / 2]
    );
}

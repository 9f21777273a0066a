//! Echo benchmarks of `TCPServer` and `TCPClient`, beside tokio doing the same work in
//! the same run:
//!
//! - `echo_round_trips`: 64-byte messages echoed over one open connection;
//! - `connections`: connect, one 64-byte echo, close (accepts per second).
//!
//! Each is measured two ways:
//! - `server/…`: the server on a thread of its own (our `TCPServer` on an `IOLoop`, or a
//!   tokio `TcpListener` on a current-thread runtime), driven by the same plain blocking
//!   client on the bench thread, so that only the servers differ;
//! - `full/…`: client and server on one loop (our `TCPClient`/`IOStream` and
//!   `TCPServer`, or tokio's `TcpStream` and `TcpListener` on one current-thread runtime).
//!
//! Closed connections must not leave `TIME_WAIT`s on the client's ephemeral ports, which
//! would run out: the blocking client closes with `SO_LINGER` 0, and in `full/…` the
//! server answers one echo and closes first.
//!
//! `cargo bench -p tornado-tcp --bench echo`; figures in `benches/README.md`.
//!
//! On a shared machine whose load changes from one second to the next, criterion's
//! one-contender-after-the-other runs can mislead. `ECHO_INTERLEAVED=9 cargo bench -p
//! tornado-tcp --bench echo` instead runs 9 rounds in which the contenders take turns
//! (in a rotating order), and prints each one's median rate and the ratios to tokio.
//! `ECHO_ONLY="connections full/tokio"` (any part of a name) runs only the contenders whose
//! names contain it, one after the other: for `strace -f -c` or callgrind.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput, criterion_group};
use tornado_ioloop::{IOLoop, LoopHandle};
use tornado_iostream::IOStream;
use tornado_tcp::netutil::Address;
use tornado_tcp::tcpclient::TCPClient;
use tornado_tcp::tcpserver::{HandlerResult, StreamHandler, TCPServer};

const MESSAGE: [u8; 64] = [b'x'; 64];

/// Echoes whatever arrives until the peer closes.
struct Echo;

impl StreamHandler for Echo {
    async fn handle_stream(&self, stream: IOStream, _address: Address) -> HandlerResult {
        loop {
            match stream.read_bytes(64 * 1024, true).await {
                Ok(data) => stream.write(data).await?,
                Err(_) => return Ok(()),
            }
        }
    }
}

/// Answers one message and hangs up (the server closes first).
struct EchoOnce;

impl StreamHandler for EchoOnce {
    async fn handle_stream(&self, stream: IOStream, _address: Address) -> HandlerResult {
        let data = stream.read_bytes(64, false).await?;
        stream.write(data).await?;
        stream.close();
        Ok(())
    }
}

async fn tokio_echo_once(mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = [0u8; 64];
    if stream.read_exact(&mut buf).await.is_ok() {
        let _ = stream.write_all(&buf).await;
    }
}

async fn tokio_echo(mut stream: tokio::net::TcpStream) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                if stream.write_all(&buf[..n]).await.is_err() {
                    return;
                }
            }
        }
    }
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

// ----- servers on their own thread -----

struct Running {
    address: SocketAddr,
    stop: Box<dyn FnOnce()>,
}

fn start_ours() -> Running {
    let (tx, rx) = std::sync::mpsc::channel::<(SocketAddr, LoopHandle)>();
    let thread = std::thread::spawn(move || {
        let io_loop = IOLoop::new().unwrap();
        let handle = io_loop.handle();
        let _ = io_loop.run_sync(
            async move {
                let server = TCPServer::new(Echo);
                server.listen(0, Some("127.0.0.1")).unwrap();
                tx.send((server.local_addrs()[0], handle)).unwrap();
                std::future::pending::<()>().await;
            },
            None,
        );
    });
    let (address, handle) = rx.recv().unwrap();
    Running {
        address,
        stop: Box::new(move || {
            handle.stop();
            thread.join().unwrap();
        }),
    }
}

fn start_tokio() -> Running {
    let (tx, rx) = std::sync::mpsc::channel();
    let stopping = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop_flag = stopping.clone();
    let thread = std::thread::spawn(move || {
        tokio_runtime().block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(listener.local_addr().unwrap()).unwrap();
            let accept = async {
                loop {
                    let (stream, _) = listener.accept().await.unwrap();
                    tokio::spawn(tokio_echo(stream));
                }
            };
            let stop = async {
                while !stop_flag.load(std::sync::atomic::Ordering::Acquire) {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            };
            tokio::select! {
                _ = accept => {}
                _ = stop => {}
            }
        });
    });
    let address = rx.recv().unwrap();
    Running {
        address,
        stop: Box::new(move || {
            stopping.store(true, std::sync::atomic::Ordering::Release);
            thread.join().unwrap();
        }),
    }
}

fn blocking_client(address: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(address).unwrap();
    stream.set_nodelay(true).unwrap();
    stream
}

fn echo_blocking(stream: &mut TcpStream) {
    stream.write_all(&MESSAGE).unwrap();
    let mut reply = [0u8; 64];
    stream.read_exact(&mut reply).unwrap();
}

/// Closes with an RST (`SO_LINGER` 0): no `TIME_WAIT` left behind.
fn abort(stream: TcpStream) {
    socket2::SockRef::from(&stream)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
}

fn round_trips_against(running: &Running, iters: u64) -> Duration {
    let mut client = blocking_client(running.address);
    let start = Instant::now();
    for _ in 0..iters {
        echo_blocking(&mut client);
    }
    let elapsed = start.elapsed();
    abort(client);
    elapsed
}

fn connections_against(running: &Running, iters: u64) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        let mut client = blocking_client(running.address);
        echo_blocking(&mut client);
        abort(client);
    }
    start.elapsed()
}

// ----- client and server on one loop -----

fn full_ours(io_loop: &IOLoop, iters: u64, connections: bool) -> Duration {
    io_loop
        .run_sync(
            async move {
                let client = TCPClient::new();
                if connections {
                    let server = TCPServer::new(EchoOnce);
                    server.listen(0, Some("127.0.0.1")).unwrap();
                    let port = server.local_addrs()[0].port();
                    let start = Instant::now();
                    for _ in 0..iters {
                        let stream = client.connect("127.0.0.1", port).await.unwrap();
                        echo_ours(&stream).await;
                        stream.close();
                    }
                    start.elapsed()
                } else {
                    let server = TCPServer::new(Echo);
                    server.listen(0, Some("127.0.0.1")).unwrap();
                    let port = server.local_addrs()[0].port();
                    let stream = client.connect("127.0.0.1", port).await.unwrap();
                    stream.set_nodelay(true).unwrap();
                    let start = Instant::now();
                    for _ in 0..iters {
                        echo_ours(&stream).await;
                    }
                    let elapsed = start.elapsed();
                    stream.close();
                    elapsed
                }
            },
            None,
        )
        .unwrap()
}

async fn echo_ours(stream: &IOStream) {
    stream.write(&MESSAGE[..]).await.unwrap();
    stream.read_bytes(64, false).await.unwrap();
}

fn full_tokio(runtime: &tokio::runtime::Runtime, iters: u64, connections: bool) -> Duration {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                if connections {
                    tokio::spawn(tokio_echo_once(stream));
                } else {
                    tokio::spawn(tokio_echo(stream));
                }
            }
        });
        let echo = |mut stream: tokio::net::TcpStream| async move {
            stream.write_all(&MESSAGE).await.unwrap();
            let mut reply = [0u8; 64];
            stream.read_exact(&mut reply).await.unwrap();
            stream
        };
        let elapsed = if connections {
            let start = Instant::now();
            for _ in 0..iters {
                let stream = tokio::net::TcpStream::connect(address).await.unwrap();
                drop(echo(stream).await);
            }
            start.elapsed()
        } else {
            let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
            stream.set_nodelay(true).unwrap();
            let start = Instant::now();
            for _ in 0..iters {
                stream = echo(stream).await;
            }
            start.elapsed()
        };
        server.abort();
        elapsed
    })
}

// ----- the benchmarks -----

fn echo_round_trips(c: &mut Criterion) {
    let mut group = c.benchmark_group("echo_round_trips");
    group.throughput(Throughput::Elements(1));
    let ours = start_ours();
    group.bench_function("server/tornado-tcp", |b| {
        b.iter_custom(|iters| round_trips_against(&ours, iters))
    });
    (ours.stop)();
    let tokio = start_tokio();
    group.bench_function("server/tokio", |b| {
        b.iter_custom(|iters| round_trips_against(&tokio, iters))
    });
    (tokio.stop)();
    let io_loop = IOLoop::new().unwrap();
    group.bench_function("full/tornado-tcp", |b| {
        b.iter_custom(|iters| full_ours(&io_loop, iters, false))
    });
    io_loop.close(false).unwrap();
    let runtime = tokio_runtime();
    group.bench_function("full/tokio", |b| {
        b.iter_custom(|iters| full_tokio(&runtime, iters, false))
    });
    group.finish();
}

fn connections(c: &mut Criterion) {
    let mut group = c.benchmark_group("connections");
    group.throughput(Throughput::Elements(1));
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(4));
    let ours = start_ours();
    group.bench_function("server/tornado-tcp", |b| {
        b.iter_custom(|iters| connections_against(&ours, iters))
    });
    (ours.stop)();
    let tokio = start_tokio();
    group.bench_function("server/tokio", |b| {
        b.iter_custom(|iters| connections_against(&tokio, iters))
    });
    (tokio.stop)();
    let io_loop = IOLoop::new().unwrap();
    group.bench_function("full/tornado-tcp", |b| {
        b.iter_custom(|iters| full_ours(&io_loop, iters, true))
    });
    io_loop.close(false).unwrap();
    let runtime = tokio_runtime();
    group.bench_function("full/tokio", |b| {
        b.iter_custom(|iters| full_tokio(&runtime, iters, true))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1));
    targets = echo_round_trips, connections
}

// ----- contenders taking turns -----

const ROUND_TRIPS: u64 = 20_000;
const CONNECTIONS: u64 = 2_000;

/// One measurement: what, how many, how long.
type Contender<'a> = (&'static str, u64, Box<dyn FnMut() -> Duration + 'a>);

fn interleaved(rounds: usize) {
    let ours = start_ours();
    let tokio = start_tokio();
    let io_loop = IOLoop::new().unwrap();
    let runtime = tokio_runtime();
    let mut contenders: Vec<Contender<'_>> = vec![
        (
            "echo server/tornado-tcp",
            ROUND_TRIPS,
            Box::new(|| round_trips_against(&ours, ROUND_TRIPS)),
        ),
        (
            "echo server/tokio",
            ROUND_TRIPS,
            Box::new(|| round_trips_against(&tokio, ROUND_TRIPS)),
        ),
        (
            "echo full/tornado-tcp",
            ROUND_TRIPS,
            Box::new(|| full_ours(&io_loop, ROUND_TRIPS, false)),
        ),
        (
            "echo full/tokio",
            ROUND_TRIPS,
            Box::new(|| full_tokio(&runtime, ROUND_TRIPS, false)),
        ),
        (
            "connections server/tornado-tcp",
            CONNECTIONS,
            Box::new(|| connections_against(&ours, CONNECTIONS)),
        ),
        (
            "connections server/tokio",
            CONNECTIONS,
            Box::new(|| connections_against(&tokio, CONNECTIONS)),
        ),
        (
            "connections full/tornado-tcp",
            CONNECTIONS,
            Box::new(|| full_ours(&io_loop, CONNECTIONS, true)),
        ),
        (
            "connections full/tokio",
            CONNECTIONS,
            Box::new(|| full_tokio(&runtime, CONNECTIONS, true)),
        ),
    ];
    if let Ok(only) = std::env::var("ECHO_ONLY") {
        // One contender (or a few) alone, for strace or callgrind.
        for (name, count, run) in contenders.iter_mut().filter(|(n, _, _)| n.contains(&*only)) {
            for _ in 0..rounds {
                let elapsed = run();
                println!(
                    "  {name:32} {:>9.1} k/s",
                    *count as f64 / elapsed.as_secs_f64() / 1e3
                );
            }
        }
        drop(contenders);
        (ours.stop)();
        (tokio.stop)();
        io_loop.close(false).unwrap();
        return;
    }
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); contenders.len()];
    for round in 0..rounds {
        // Pairs (ours, tokio) take turns, the first of each pair alternating by round.
        for pair in 0..contenders.len() / 2 {
            let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for i in order.map(|o| pair * 2 + o) {
                let (_, count, run) = &mut contenders[i];
                let count = *count;
                let elapsed = run();
                rates[i].push(count as f64 / elapsed.as_secs_f64());
            }
        }
    }
    println!("median of {rounds} interleaved rounds:");
    let mut medians = Vec::new();
    for (i, (name, _, _)) in contenders.iter().enumerate() {
        let mut r = rates[i].clone();
        r.sort_by(f64::total_cmp);
        let median = r[r.len() / 2];
        medians.push(median);
        println!(
            "  {name:32} {:>9.1} k/s  (min {:.1}, max {:.1})",
            median / 1e3,
            r[0] / 1e3,
            r[r.len() - 1] / 1e3
        );
    }
    for pair in 0..contenders.len() / 2 {
        println!(
            "  {:32} ours/tokio = {:.2}",
            contenders[pair * 2].0.replace("/tornado-tcp", ""),
            medians[pair * 2] / medians[pair * 2 + 1]
        );
    }
    drop(contenders);
    (ours.stop)();
    (tokio.stop)();
    io_loop.close(false).unwrap();
}

fn main() {
    if let Ok(rounds) = std::env::var("ECHO_INTERLEAVED") {
        interleaved(rounds.parse().unwrap_or(9).max(1));
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}

//! Bulk throughput over loopback TCP: 1 GiB written with `IOStream::write` (1 MiB `Bytes`
//! chunks, zero-copy) and read with `read_into` (partial) into a 256 KiB buffer, over
//! plain TCP and over TLS (TLS 1.3, AES-256-GCM, rustls on ring), beside the same
//! transfer with blocking `std::net` sockets (the practical limit) and with tokio's
//! `TcpStream` on current-thread runtimes, all in one run.
//!
//! Two layouts: each end on its own thread (its own `IOLoop` or tokio runtime; std's
//! two blocking threads), and both ends on one thread (one loop or runtime; std has
//! no such layout).
//!
//! ```text
//! cargo bench -p tornado-iostream --bench throughput
//! THROUGHPUT_MIB=256 THROUGHPUT_CHUNK_KIB=64 THROUGHPUT_RUNS=5 cargo bench ...
//! THROUGHPUT_ONLY="IOStream TLS, 1 thread" THROUGHPUT_MIB=64 valgrind --tool=callgrind \
//!     target/release/deps/throughput-*
//! ```
//!
//! Prints a table of MB/s (best of the runs) and ratios to std; figures are in
//! `benches/README.md`.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tornado_ioloop::IOLoop;
use tornado_iostream::{IOStream, SslOptions, ssl_options_to_server_config};

const READ_BUFFER: usize = 256 * 1024;

/// One transfer of the table, run once per round.
type Transfer = Box<dyn Fn() -> Duration>;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[derive(Clone, Copy)]
struct Setup {
    total: usize,
    chunk: usize,
}

/// A listener and a connected pair of blocking std sockets.
fn socket_pair() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (server, _) = listener.accept().unwrap();
    (client, server)
}

fn std_blocking(setup: Setup) -> Duration {
    let (mut writer, mut reader) = socket_pair();
    let chunk = vec![0x5a_u8; setup.chunk];
    let start = Instant::now();
    let sender = std::thread::spawn(move || {
        let mut sent = 0;
        while sent < setup.total {
            let n = setup.chunk.min(setup.total - sent);
            writer.write_all(&chunk[..n]).unwrap();
            sent += n;
        }
    });
    let mut buf = vec![0; READ_BUFFER];
    let mut received = 0;
    while received < setup.total {
        let n = reader.read(&mut buf).unwrap();
        assert!(n > 0, "early end of stream");
        received += n;
    }
    sender.join().unwrap();
    start.elapsed()
}

fn tokio_runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

async fn tokio_write(mut stream: tokio::net::TcpStream, setup: Setup) {
    use tokio::io::AsyncWriteExt;
    let chunk = vec![0x5a_u8; setup.chunk];
    let mut sent = 0;
    while sent < setup.total {
        let n = setup.chunk.min(setup.total - sent);
        stream.write_all(&chunk[..n]).await.unwrap();
        sent += n;
    }
}

async fn tokio_read(mut stream: tokio::net::TcpStream, setup: Setup) {
    use tokio::io::AsyncReadExt;
    let mut buf = vec![0; READ_BUFFER];
    let mut received = 0;
    while received < setup.total {
        let n = stream.read(&mut buf).await.unwrap();
        assert!(n > 0, "early end of stream");
        received += n;
    }
}

fn tokio_tcp(setup: Setup, threads: usize) -> Duration {
    let (writer, reader) = socket_pair();
    writer.set_nonblocking(true).unwrap();
    reader.set_nonblocking(true).unwrap();
    let start = Instant::now();
    if threads == 1 {
        let runtime = tokio_runtime();
        runtime.block_on(async move {
            let writer = tokio::net::TcpStream::from_std(writer).unwrap();
            let reader = tokio::net::TcpStream::from_std(reader).unwrap();
            let local = tokio::task::LocalSet::new();
            local
                .run_until(async move {
                    let sender = tokio::task::spawn_local(tokio_write(writer, setup));
                    tokio_read(reader, setup).await;
                    sender.await.unwrap();
                })
                .await;
        });
    } else {
        let sender = std::thread::spawn(move || {
            tokio_runtime().block_on(async move {
                tokio_write(tokio::net::TcpStream::from_std(writer).unwrap(), setup).await;
            });
        });
        tokio_runtime().block_on(async move {
            tokio_read(tokio::net::TcpStream::from_std(reader).unwrap(), setup).await;
        });
        sender.join().unwrap();
    }
    start.elapsed()
}

/// What a stream end runs over.
#[derive(Clone)]
enum Mode {
    Plain,
    Tls(Arc<tornado_iostream::rustls::ServerConfig>),
}

/// Writes `total` bytes with `IOStream::write`, keeping a few chunks in flight. Gives the
/// stream back: it must stay open until the reader is done, since a TLS client that
/// closes with the server's session tickets unread in its socket makes the kernel reset
/// the connection (RST), and the reader would lose the tail of the data.
async fn ours_write(stream: IOStream, setup: Setup) -> IOStream {
    let chunk = Bytes::from(vec![0x5a_u8; setup.chunk]);
    let mut in_flight = std::collections::VecDeque::new();
    let mut sent = 0;
    while sent < setup.total {
        let n = setup.chunk.min(setup.total - sent);
        in_flight.push_back(stream.write(chunk.slice(..n)));
        sent += n;
        if in_flight.len() > 4 {
            in_flight.pop_front().unwrap().await.unwrap();
        }
    }
    for write in in_flight {
        write.await.unwrap();
    }
    stream
}

async fn ours_read(stream: IOStream, setup: Setup) {
    let mut buf = vec![0; READ_BUFFER];
    let mut received = 0;
    while received < setup.total {
        received += stream.read_into(&mut buf, true).await.unwrap();
    }
}

/// Our streams for the two ends: the writer is the client, the reader the server.
async fn ours_streams(writer: TcpStream, reader: TcpStream, mode: &Mode) -> (IOStream, IOStream) {
    let writer = IOStream::from_tcp(writer).unwrap();
    let reader = match mode {
        Mode::Plain => IOStream::from_tcp(reader).unwrap(),
        Mode::Tls(config) => IOStream::from_tcp_tls_server(reader, config.clone()).unwrap(),
    };
    if let Mode::Tls(_) = mode {
        let writer = writer
            .start_tls(false, SslOptions::insecure(), Some("localhost"))
            .unwrap();
        let (writer, reader) = (
            writer.await.unwrap(),
            reader.wait_for_handshake().await.unwrap(),
        );
        return (writer, reader);
    }
    (writer, reader)
}

fn ours(setup: Setup, threads: usize, mode: Mode) -> Duration {
    let (writer, reader) = socket_pair();
    if threads == 1 {
        let io_loop = IOLoop::new().unwrap();
        let elapsed = io_loop
            .run_sync(
                async move {
                    let (writer, reader) = ours_streams(writer, reader, &mode).await;
                    let start = Instant::now();
                    let sender = IOLoop::current().spawn(ours_write(writer, setup));
                    ours_read(reader, setup).await;
                    let elapsed = start.elapsed();
                    drop(sender.await.unwrap());
                    elapsed
                },
                None,
            )
            .unwrap();
        io_loop.close(false).unwrap();
        return elapsed;
    }
    // Two loops; the TLS handshake spans both, so each side does its own half.
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let (go_tx, go_rx) = std::sync::mpsc::channel::<()>();
    let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
    let tls = matches!(mode, Mode::Tls(_));
    let sender = std::thread::spawn(move || {
        let io_loop = IOLoop::new().unwrap();
        io_loop
            .run_sync(
                async move {
                    let writer = IOStream::from_tcp(writer).unwrap();
                    let writer = if tls {
                        let handshake = writer
                            .start_tls(false, SslOptions::insecure(), Some("localhost"))
                            .unwrap();
                        handshake.await.unwrap()
                    } else {
                        writer
                    };
                    ready_tx.send(()).unwrap();
                    go_rx.recv().unwrap();
                    let writer = ours_write(writer, setup).await;
                    while done_rx.try_recv().is_err() {
                        tornado_ioloop::sleep(Duration::from_millis(1)).await;
                    }
                    drop(writer);
                },
                None,
            )
            .unwrap();
        io_loop.close(false).unwrap();
    });
    let io_loop = IOLoop::new().unwrap();
    let elapsed = io_loop
        .run_sync(
            async move {
                let reader = match &mode {
                    Mode::Plain => IOStream::from_tcp(reader).unwrap(),
                    Mode::Tls(config) => {
                        let reader = IOStream::from_tcp_tls_server(reader, config.clone()).unwrap();
                        reader.wait_for_handshake().await.unwrap()
                    }
                };
                // The writer's side of the handshake finished too.
                while ready_rx.try_recv().is_err() {
                    tornado_ioloop::sleep(Duration::from_millis(1)).await;
                }
                let start = Instant::now();
                go_tx.send(()).unwrap();
                ours_read(reader, setup).await;
                let elapsed = start.elapsed();
                done_tx.send(()).unwrap();
                elapsed
            },
            None,
        )
        .unwrap();
    io_loop.close(false).unwrap();
    sender.join().unwrap();
    elapsed
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported.
    let setup = Setup {
        total: env_usize("THROUGHPUT_MIB", 1024) * 1024 * 1024,
        chunk: env_usize("THROUGHPUT_CHUNK_KIB", 1024) * 1024,
    };
    let runs = env_usize("THROUGHPUT_RUNS", 5).max(1);
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let tls = ssl_options_to_server_config(SslOptions::server(
        data.join("server.crt"),
        data.join("server.key"),
    ))
    .unwrap();
    let mb_per_s = |elapsed: Duration| setup.total as f64 / elapsed.as_secs_f64() / 1e6;

    println!(
        "{} MiB over loopback, {} KiB writes, {} KiB reads, best of {runs}",
        setup.total >> 20,
        setup.chunk >> 10,
        READ_BUFFER >> 10
    );
    // Round after round of every transfer, keeping each one's best: a machine whose load
    // changes during the run then hurts all of them alike.
    let variants: Vec<(&str, Transfer)> = vec![
        (
            "std::net blocking, 2 threads",
            Box::new(move || std_blocking(setup)),
        ),
        (
            "tokio TcpStream, 2 threads",
            Box::new(move || tokio_tcp(setup, 2)),
        ),
        (
            "IOStream plain, 2 threads",
            Box::new(move || ours(setup, 2, Mode::Plain)),
        ),
        ("IOStream TLS, 2 threads", {
            let tls = tls.clone();
            Box::new(move || ours(setup, 2, Mode::Tls(tls.clone())))
        }),
        (
            "tokio TcpStream, 1 thread",
            Box::new(move || tokio_tcp(setup, 1)),
        ),
        (
            "IOStream plain, 1 thread",
            Box::new(move || ours(setup, 1, Mode::Plain)),
        ),
        ("IOStream TLS, 1 thread", {
            let tls = tls.clone();
            Box::new(move || ours(setup, 1, Mode::Tls(tls.clone())))
        }),
    ];
    // THROUGHPUT_ONLY=<name> runs one transfer alone (for a profiler), printing its rate.
    if let Ok(only) = std::env::var("THROUGHPUT_ONLY") {
        for (name, run) in variants.iter().filter(|(name, _)| *name == only) {
            println!("{name}: {:.0} MB/s", mb_per_s(run()));
        }
        return;
    }
    let mut best = vec![Duration::MAX; variants.len()];
    for _ in 0..runs {
        for (slot, (_, run)) in best.iter_mut().zip(&variants) {
            *slot = (*slot).min(run());
        }
    }
    let rates: Vec<f64> = best.iter().map(|&d| mb_per_s(d)).collect();
    let std_rate = rates[0];
    for (layout, tokio, plain, secure) in [("2 threads", 1, 2, 3), ("1 thread", 4, 5, 6)] {
        println!(
            "{layout}: plain/std {:.2}, plain/tokio {:.2}, TLS/plain {:.2}",
            rates[plain] / std_rate,
            rates[plain] / rates[tokio],
            rates[secure] / rates[plain]
        );
    }
    let rows = variants
        .iter()
        .map(|(name, _)| *name)
        .zip(rates.iter().copied());
    println!();
    println!("| transfer | MB/s | vs std |");
    println!("|---|---:|---:|");
    for (name, rate) in rows {
        println!("| {name} | {rate:.0} | {:.2} |", rate / std_rate);
    }
}

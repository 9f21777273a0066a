//! Ports of what applies of Tornado's concurrent_test.py: futures resolved across threads,
//! chain_future, executors, and the "capitalize" client/server built on futures (over a
//! real TCP socket on 127.0.0.1, driven by a `Registration`).

mod util;

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::Arc;
use std::time::Duration;

use tornado_ioloop::concurrent::{Future, chain_future, future_pair};
use tornado_ioloop::{Error, IOLoop, Registration, ThreadPoolExecutor, sleep};
use util::LIMIT;

fn run<F: std::future::Future + 'static>(future: F) -> F::Output {
    let io_loop = IOLoop::new().expect("create the IOLoop");
    let output = io_loop
        .run_sync(future, Some(LIMIT))
        .expect("finishes in time");
    io_loop.close(false).unwrap();
    output
}

#[test]
fn set_result_unless_cancelled() {
    let (promise, future) = future_pair::<u8>();
    future.cancel();
    assert!(!promise.set_result(1));
    let (promise, future) = future_pair::<u8>();
    assert!(promise.set_result(2));
    assert_eq!(run(future).unwrap(), 2);
}

#[test]
fn chain_future_copies_results_and_errors() {
    let (ok, err) = run(async {
        let (target, chained) = future_pair();
        chain_future(async { Ok(5) }, target);
        let (failing_target, failing) = future_pair::<u8>();
        chain_future(
            async { Err(Error::Panicked("source failed".into())) },
            failing_target,
        );
        (chained.await, failing.await)
    });
    assert_eq!(ok.unwrap(), 5);
    assert!(matches!(err, Err(Error::Panicked(m)) if m == "source failed"));
}

#[test]
fn ready_futures_and_dropped_promises() {
    assert_eq!(run(Future::ready("now")).unwrap(), "now");
    let (promise, future) = future_pair::<()>();
    std::thread::spawn(move || drop(promise)).join().unwrap();
    assert!(run(future).unwrap_err().is_cancelled());
}

#[test]
fn executor_runs_on_workers_and_reports_panics() {
    let executor = Arc::new(ThreadPoolExecutor::new(2));
    assert_eq!(executor.max_workers(), 2);
    let pool = executor.clone();
    let (sum, panic) = run(async move {
        let jobs: Vec<_> = (0..10u64)
            .map(|i| {
                pool.submit(move || {
                    std::thread::sleep(Duration::from_millis(1));
                    i * 2
                })
            })
            .collect();
        let mut sum = 0;
        for job in jobs {
            sum += job.await.unwrap();
        }
        let panic = pool.submit(|| -> u8 { panic!("job panics") }).await;
        (sum, panic)
    });
    assert_eq!(sum, 90);
    assert!(matches!(panic, Err(Error::Panicked(m)) if m == "job panics"));
    assert!(format!("{executor:?}").contains("max_workers: 2"));
}

/// Reads one line from a non-blocking socket, waiting on the loop between attempts.
async fn read_line(registration: &Registration, stream: &TcpStream) -> io::Result<String> {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        match (&*stream).read(&mut byte) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(_) if byte[0] == b'\n' => return Ok(String::from_utf8_lossy(&line).into()),
            Ok(_) => line.push(byte[0]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                registration.clear_ready(tornado_ioloop::Events::READ);
                registration.readable().await?;
            }
            Err(e) => return Err(e),
        }
    }
}

async fn write_all(
    registration: &Registration,
    stream: &TcpStream,
    mut data: &[u8],
) -> io::Result<()> {
    while !data.is_empty() {
        match (&*stream).write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                registration.clear_ready(tornado_ioloop::Events::WRITE);
                registration.writable().await?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// concurrent_test's capitalize protocol: the server answers `ok CAPS` or `error ...`.
async fn capitalize_server(listener: TcpListener) -> io::Result<()> {
    let io_loop = IOLoop::current();
    let accept = Registration::new(&io_loop, listener.as_raw_fd())?;
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                accept.clear_ready(tornado_ioloop::Events::READ);
                accept.readable().await?;
                continue;
            }
            Err(e) => return Err(e),
        };
        stream.set_nonblocking(true)?;
        io_loop.spawn_callback(async move {
            let io_loop = IOLoop::current();
            let registration = Registration::new(&io_loop, stream.as_raw_fd()).unwrap();
            while let Ok(line) = read_line(&registration, &stream).await {
                let answer = if line.chars().any(|c| c.is_ascii_uppercase()) {
                    "error already capitalized\n".to_owned()
                } else {
                    sleep(Duration::from_millis(1)).await;
                    format!("ok {}\n", line.to_uppercase())
                };
                if write_all(&registration, &stream, answer.as_bytes())
                    .await
                    .is_err()
                {
                    break;
                }
            }
        });
    }
}

async fn capitalize_client(port: u16, text: &str) -> io::Result<Result<String, String>> {
    let stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_nonblocking(true)?;
    let registration = Registration::new(&IOLoop::current(), stream.as_raw_fd())?;
    write_all(&registration, &stream, format!("{text}\n").as_bytes()).await?;
    let answer = read_line(&registration, &stream).await?;
    drop(registration);
    Ok(match answer.strip_prefix("ok ") {
        Some(caps) => Ok(caps.to_owned()),
        None => Err(answer),
    })
}

#[test]
fn capitalize_client_and_server_over_tcp() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let port = listener.local_addr().unwrap().port();
    let (good, bad) = run(async move {
        let server = IOLoop::current().spawn(capitalize_server(listener));
        let good = capitalize_client(port, "hello").await.unwrap();
        let bad = capitalize_client(port, "HELLO").await.unwrap();
        server.cancel();
        (good, bad)
    });
    assert_eq!(good, Ok("HELLO".to_owned()));
    assert_eq!(bad, Err("error already capitalized".to_owned()));
}

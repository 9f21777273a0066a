//! The IOLoop at work, before there is an HTTP server: a line echo server on TCP, a
//! periodic report, timers, a thread-pool job, and a clean stop on Ctrl-C or SIGTERM.
//!
//! ```sh
//! cargo run --release --example ioloop_demo -- --port=8888 --logging=info
//! # in another terminal:
//! printf 'hello\nworld\n' | nc -q1 127.0.0.1 8888
//! ```
//!
//! Everything below runs on one thread, the loop's: the connection counter is a plain
//! `Rc<Cell<_>>`, shared by tasks without any lock.

use std::cell::Cell;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::rc::Rc;
use std::time::Duration;

use tornado::ioloop::{Events, IOLoop, PeriodicCallback, Registration};

/// Reads what the peer sent, waiting on the loop (not blocking the thread) when there is
/// nothing yet. `Ok(0)` means the peer closed.
async fn read_some(
    registration: &Registration,
    stream: &TcpStream,
    buffer: &mut [u8],
) -> io::Result<usize> {
    loop {
        match (&*stream).read(buffer) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                // Nothing to read: tell the registration, and sleep until the poller says
                // the socket is readable.
                registration.clear_ready(Events::READ);
                registration.readable().await?;
            }
            other => return other,
        }
    }
}

/// Writes everything, waiting on the loop whenever the socket's buffer is full.
async fn write_all(
    registration: &Registration,
    stream: &TcpStream,
    mut data: &[u8],
) -> io::Result<()> {
    while !data.is_empty() {
        match (&*stream).write(data) {
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                registration.clear_ready(Events::WRITE);
                registration.writable().await?;
            }
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Serves one connection: echoes every byte back until the peer closes.
async fn echo(stream: TcpStream, open: Rc<Cell<usize>>) -> io::Result<()> {
    // The registration must be dropped before the socket: fields and locals drop in
    // reverse order of declaration, so declare it after.
    let registration = Registration::new(&IOLoop::current(), stream.as_raw_fd())?;
    open.set(open.get() + 1);
    let mut buffer = [0u8; 4096];
    let result = async {
        loop {
            let n = read_some(&registration, &stream, &mut buffer).await?;
            if n == 0 {
                return Ok(());
            }
            write_all(&registration, &stream, &buffer[..n]).await?;
        }
    }
    .await;
    open.set(open.get() - 1);
    result
}

/// Accepts connections forever, one task per connection.
async fn serve(listener: TcpListener, open: Rc<Cell<usize>>) -> io::Result<()> {
    let io_loop = IOLoop::current();
    let registration = Registration::new(&io_loop, listener.as_raw_fd())?;
    loop {
        match listener.accept() {
            Ok((stream, peer)) => {
                stream.set_nonblocking(true)?;
                log::info!(target: "tornado.general", "connection from {peer}");
                let open = open.clone();
                io_loop.spawn_callback(async move {
                    if let Err(err) = echo(stream, open).await {
                        log::info!(target: "tornado.general", "connection from {peer} failed: {err}");
                    }
                });
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                registration.clear_ready(Events::READ);
                registration.readable().await?;
            }
            // Out of descriptors and the like: say so, wait a little, try again.
            Err(e) => {
                log::error!(target: "tornado.general", "accept failed: {e}");
                tornado::ioloop::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Tornado's way: define options, parse the command line (which also sets up logging
    // from --logging, --log-file-prefix...), then read them. `--help` lists them all.
    let options = tornado::log::options();
    tornado::options::define(
        tornado::options::Opt::new("port")
            .default(8888)
            .help("the TCP port to echo on"),
    )?;
    tornado::options::parse_command_line();
    let port: i64 = options.get("port")?;
    let port = u16::try_from(port).map_err(|_| format!("--port={port} is not a TCP port"))?;
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    listener.set_nonblocking(true)?;
    println!("echoing on {} — Ctrl-C to stop", listener.local_addr()?);

    let io_loop = IOLoop::new()?;
    let open = Rc::new(Cell::new(0));

    // A report every five seconds.
    let counter = open.clone();
    let report = PeriodicCallback::new(
        move || log::info!(target: "tornado.general", "{} connection(s) open", counter.get()),
        Duration::from_secs(5),
    )?;
    report.start_on(&io_loop);

    // A one-off timer, and blocking work sent to the thread pool.
    io_loop.call_later(Duration::from_millis(100), || {
        let io_loop = IOLoop::current();
        let job = io_loop.run_in_executor(|| (1..=20u64).product::<u64>());
        io_loop.spawn_callback(async move {
            if let Ok(value) = job.await {
                log::info!(target: "tornado.general", "20! = {value}, computed on the thread pool");
            }
        });
    });

    // Ctrl-C and SIGTERM stop the loop between two iterations.
    for signal in [libc::SIGINT, libc::SIGTERM] {
        io_loop.add_signal_handler(signal, move || {
            log::info!(target: "tornado.general", "signal {signal}: stopping");
            IOLoop::current().stop();
        })?;
    }

    io_loop.spawn_callback(async move {
        if let Err(err) = serve(listener, open).await {
            log::error!(target: "tornado.general", "the server stopped: {err}");
            IOLoop::current().stop();
        }
    });
    io_loop.start()?;
    report.stop();
    io_loop.close(false)?;
    Ok(())
}

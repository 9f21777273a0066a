//! Ports of what applies of Tornado's iostream_test.py, over real TCP sockets on
//! 127.0.0.1, Unix sockets and pipes. The loop is `IOLoop::new()`, so CI runs these on
//! every backend through `TORNADO_POLLER`.

use std::cell::Cell;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::os::fd::OwnedFd;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use regex::bytes::Regex;
use tornado_ioloop::{IOLoop, sleep};
use tornado_iostream::{Error, IOStream, IOStreamOptions};

const LIMIT: Duration = Duration::from_secs(10);

fn run<F: std::future::Future + 'static>(future: F) -> F::Output {
    let io_loop = IOLoop::new().expect("create the IOLoop");
    let output = io_loop
        .run_sync(future, Some(LIMIT))
        .expect("finishes in time");
    io_loop.close(false).unwrap();
    output
}

/// A connected pair: our stream, and the peer as a plain blocking socket.
fn tcp_pair_raw(options: IOStreamOptions) -> (IOStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let peer = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
    let (ours, _) = listener.accept().unwrap();
    (IOStream::from_tcp_with(ours, options).unwrap(), peer)
}

/// Two connected streams on the current loop.
async fn stream_pair() -> (IOStream, IOStream) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let client = IOStream::connect(listener.local_addr().unwrap())
        .await
        .unwrap();
    let (accepted, _) = listener.accept().unwrap();
    (IOStream::from_tcp(accepted).unwrap(), client)
}

#[test]
fn read_bytes_across_packets_and_a_byte_at_a_time() {
    run(async {
        let (server, client) = stream_pair().await;
        let io_loop = IOLoop::current();
        io_loop.spawn_callback(async move {
            for byte in b"abcdefghij" {
                client.write(vec![*byte]).await.unwrap();
                sleep(Duration::from_millis(1)).await;
            }
            client.close();
        });
        assert_eq!(&server.read_bytes(3, false).await.unwrap()[..], b"abc");
        assert_eq!(&server.read_bytes(0, false).await.unwrap()[..], b"");
        let partial = server.read_bytes(100, true).await.unwrap();
        assert!(!partial.is_empty() && partial.len() <= 7);
        let rest = server.read_until_close().await.unwrap();
        assert_eq!([&partial[..], &rest[..]].concat(), b"defghij");
    });
}

#[test]
fn read_until_finds_delimiters_that_straddle_reads() {
    run(async {
        let (server, client) = stream_pair().await;
        IOLoop::current().spawn_callback(async move {
            for piece in [
                &b"GET / HTTP/1.1\r"[..],
                b"\n",
                b"Host: x\r\n\r",
                b"\nnext\r\n\r\n",
            ] {
                client.write(Bytes::from_static(piece)).await.unwrap();
                sleep(Duration::from_millis(2)).await;
            }
        });
        let head = server.read_until(b"\r\n\r\n", None).await.unwrap();
        assert_eq!(&head[..], b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
        let next = server.read_until(b"\r\n\r\n", Some(64)).await.unwrap();
        assert_eq!(&next[..], b"next\r\n\r\n");
        assert_eq!(server.buffered(), 0);
    });
}

#[test]
fn read_until_beyond_max_bytes_is_unsatisfiable_and_closes() {
    run(async {
        let (server, client) = stream_pair().await;
        client.write("0123456789abcdef\n").await.unwrap();
        let err = server.read_until(b"\n", Some(8)).await.unwrap_err();
        assert!(err.is_unsatisfiable(), "{err}");
        assert_eq!(err.to_string(), "delimiter b'\\n' not found within 8 bytes");
        assert!(server.closed());
        // The peer sees the close.
        assert_eq!(client.read_until_close().await.unwrap().len(), 0);
    });
    run(async {
        // The delimiter arrives, but past the limit.
        let (server, client) = stream_pair().await;
        client.write("abcdefgh\n").await.unwrap();
        sleep(Duration::from_millis(5)).await;
        assert!(
            server
                .read_until(b"\n", Some(8))
                .await
                .unwrap_err()
                .is_unsatisfiable()
        );
    });
}

#[test]
fn read_until_regex_and_its_max_bytes() {
    run(async {
        let (server, client) = stream_pair().await;
        client.write("header: 1\r\nbody").await.unwrap();
        let line = Regex::new(r"\r?\n").unwrap();
        assert_eq!(
            &server.read_until_regex(&line, None).await.unwrap()[..],
            b"header: 1\r\n"
        );
        let digits = Regex::new(r"[0-9]+").unwrap();
        let err = server.read_until_regex(&digits, Some(3)).await.unwrap_err();
        assert!(err.is_unsatisfiable());
    });
}

#[test]
fn read_until_close_returns_what_was_buffered() {
    run(async {
        let (server, client) = stream_pair().await;
        client.write("all of it").await.unwrap();
        client.close();
        // The data came, then the close: both are seen.
        assert_eq!(&server.read_until_close().await.unwrap()[..], b"all of it");
        assert!(server.closed());
        assert!(server.error().is_none(), "a clean close has no error");
        // A closed stream answers read_until_close at once, with nothing.
        assert_eq!(server.read_until_close().await.unwrap().len(), 0);
    });
}

#[test]
fn buffered_data_still_satisfies_reads_after_the_peer_closes() {
    run(async {
        let (server, client) = stream_pair().await;
        client.write("line one\nline two\n").await.unwrap();
        client.close();
        sleep(Duration::from_millis(10)).await;
        assert_eq!(
            &server.read_until(b"\n", None).await.unwrap()[..],
            b"line one\n"
        );
        assert_eq!(
            &server.read_until(b"\n", None).await.unwrap()[..],
            b"line two\n"
        );
        let err = server.read_until(b"\n", None).await.unwrap_err();
        assert!(err.is_closed());
        let err = server.read_bytes(1, false).await.unwrap_err();
        assert!(err.is_closed());
    });
}

/// The socket that waited for its connection becomes the stream's, readiness and all:
/// data the server sends before the client asks for anything is read, and after a
/// short read the stream waits for the rest instead of missing it.
#[test]
fn a_connected_stream_reads_what_the_server_sends_first() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let (mut peer, _) = listener.accept().unwrap();
        peer.write_all(b"hello").unwrap();
        let mut ask = [0u8; 3];
        peer.read_exact(&mut ask).unwrap();
        std::thread::sleep(Duration::from_millis(20));
        peer.write_all(b"world").unwrap();
        std::thread::sleep(Duration::from_millis(20));
        peer.write_all(b"!").unwrap();
        ask
    });
    run(async move {
        let client = IOStream::connect(address).await.unwrap();
        assert_eq!(&client.read_bytes(5, false).await.unwrap()[..], b"hello");
        client.write("ask").await.unwrap();
        let mut buf = [0u8; 100];
        let n = client.read_into(&mut buf, true).await.unwrap();
        assert_eq!(&buf[..n], b"world");
        let n = client.read_into(&mut buf, true).await.unwrap();
        assert_eq!(&buf[..n], b"!");
    });
    assert_eq!(&server.join().unwrap(), b"ask");
}

#[test]
fn read_into_fills_the_buffer_or_returns_partial() {
    run(async {
        let (server, client) = stream_pair().await;
        client.write("0123456789").await.unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(server.read_into(&mut buf, false).await.unwrap(), 4);
        assert_eq!(&buf, b"0123");
        let mut big = [0u8; 100];
        let n = server.read_into(&mut big, true).await.unwrap();
        assert_eq!(&big[..n], b"456789");
        // A full read_into waits for more.
        let writer = client.clone();
        IOLoop::current().call_later(Duration::from_millis(5), move || {
            drop(writer.write("abcdef"));
        });
        let mut six = [0u8; 6];
        assert_eq!(server.read_into(&mut six, false).await.unwrap(), 6);
        assert_eq!(&six, b"abcdef");
    });
}

#[test]
fn close_during_a_read_fails_it_and_runs_the_close_callback_once() {
    run(async {
        let (server, _client) = stream_pair().await;
        let calls = Rc::new(Cell::new(0));
        let counter = calls.clone();
        server.set_close_callback(Some(Box::new(move || counter.set(counter.get() + 1))));
        let closer = server.clone();
        IOLoop::current().call_later(Duration::from_millis(5), move || closer.close());
        let err = server.read_bytes(10, false).await.unwrap_err();
        assert!(err.is_closed());
        server.close();
        sleep(Duration::from_millis(5)).await;
        assert_eq!(calls.get(), 1);
        // Writes after the close fail.
        assert!(server.write("late").await.unwrap_err().is_closed());
        assert!(server.set_nodelay(true).is_err());
    });
}

#[test]
fn close_callback_notices_a_peer_closing_while_nobody_reads() {
    run(async {
        let (server, client) = stream_pair().await;
        let closed = Rc::new(Cell::new(false));
        let flag = closed.clone();
        server.set_close_callback(Some(Box::new(move || flag.set(true))));
        client.write("some data first").await.unwrap();
        client.close();
        for _ in 0..1000 {
            if closed.get() {
                break;
            }
            sleep(Duration::from_millis(1)).await;
        }
        assert!(closed.get(), "the close callback ran");
        // What the peer sent before closing was kept.
        assert_eq!(
            &server.read_until_close().await.unwrap()[..],
            b"some data first"
        );
    });
}

#[test]
fn setting_a_close_callback_on_a_closed_stream_runs_it() {
    run(async {
        let (server, _client) = stream_pair().await;
        server.close();
        let ran = Rc::new(Cell::new(false));
        let flag = ran.clone();
        server.set_close_callback(Some(Box::new(move || flag.set(true))));
        sleep(Duration::from_millis(1)).await;
        assert!(ran.get());
    });
}

#[test]
fn a_reset_is_reported_with_its_cause() {
    run(async {
        let (server, peer) = tcp_pair_raw(IOStreamOptions::default());
        // SO_LINGER of zero makes close send a reset.
        let peer = socket2::Socket::from(peer);
        peer.set_linger(Some(Duration::ZERO)).unwrap();
        drop(peer);
        sleep(Duration::from_millis(10)).await;
        let err = server.read_bytes(1, false).await.unwrap_err();
        assert!(err.is_closed());
        let cause = err.io_error().expect("the reset is the cause");
        assert_eq!(cause.kind(), std::io::ErrorKind::ConnectionReset);
        assert!(server.error().is_some());
    });
}

#[test]
fn a_second_concurrent_read_is_an_error() {
    run(async {
        let (server, client) = stream_pair().await;
        let reader = server.clone();
        let first = IOLoop::current().spawn(async move { reader.read_bytes(4, false).await });
        sleep(Duration::from_millis(2)).await;
        assert!(server.reading());
        let err = server.read_bytes(1, false).await.unwrap_err();
        assert!(matches!(err, Error::AlreadyReading));
        client.write("data").await.unwrap();
        assert_eq!(&first.await.unwrap().unwrap()[..], b"data");
        assert!(!server.reading());
        // A read whose future was dropped frees the stream for the next one.
        let dropped =
            tornado_ioloop::timeout(Duration::from_millis(2), server.read_bytes(1, false)).await;
        assert!(dropped.is_err());
        client.write("x").await.unwrap();
        assert_eq!(&server.read_bytes(1, false).await.unwrap()[..], b"x");
    });
}

#[test]
fn max_buffer_size_bounds_the_read_buffer() {
    run(async {
        let options = IOStreamOptions::with_max_buffer_size(1024);
        assert_eq!(options.read_chunk_size, 512);
        let (server, mut peer) = tcp_pair_raw(options);
        std::thread::spawn(move || {
            let _ = peer.write_all(&[b'x'; 8192]);
            std::thread::sleep(Duration::from_millis(200));
        });
        let err = server.read_until(b"\n", None).await.unwrap_err();
        assert!(matches!(err, Error::ReadBufferFull(1024)), "{err}");
        assert!(server.closed());
    });
}

#[test]
fn large_writes_are_flushed_in_the_background() {
    run(async {
        let (server, client) = stream_pair().await;
        let payload: Vec<u8> = (0..8 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
        let expected = payload.clone();
        // Not awaited: the flusher sends it while the reader drains the socket.
        let write = client.write(payload);
        assert!(client.writing());
        let reader = IOLoop::current().spawn(async move {
            let mut got = Vec::new();
            while got.len() < expected.len() {
                let chunk = server.read_bytes(1 << 16, true).await.unwrap();
                got.extend_from_slice(&chunk);
            }
            got == expected
        });
        write.await.unwrap();
        assert!(!client.writing());
        assert!(reader.await.unwrap());
    });
}

#[test]
fn dropping_the_stream_still_delivers_queued_data() {
    run(async {
        let (server, client) = stream_pair().await;
        let payload = vec![7u8; 4 * 1024 * 1024];
        drop(client.write(payload));
        drop(client);
        let got = server.read_until_close().await.unwrap();
        assert_eq!(got.len(), 4 * 1024 * 1024);
    });
}

#[test]
fn max_write_buffer_size_refuses_more() {
    run(async {
        let options = IOStreamOptions {
            max_write_buffer_size: Some(1000),
            ..IOStreamOptions::default()
        };
        let (stream, _peer) = tcp_pair_raw(options);
        // Fill the kernel's buffers first, so that writes stay queued.
        let mut accepted = 0;
        loop {
            match stream.write(vec![0u8; 900]).await_or_queued() {
                Ok(()) => accepted += 1,
                Err(err) => {
                    assert!(matches!(err, Error::WriteBufferFull(1000)), "{err}");
                    break;
                }
            }
            assert!(accepted < 100_000, "never filled");
        }
    });
}

/// Polls a write once: done, queued (pending) or refused.
trait AwaitOrQueued {
    fn await_or_queued(self) -> Result<(), Error>;
}

impl AwaitOrQueued for tornado_iostream::WriteFuture {
    fn await_or_queued(mut self) -> Result<(), Error> {
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        match std::pin::Pin::new(&mut self).poll(&mut cx) {
            std::task::Poll::Ready(result) => result,
            std::task::Poll::Pending => Ok(()),
        }
    }
}

use std::future::Future;

#[test]
fn write_after_peer_closed_eventually_fails() {
    run(async {
        let (server, peer) = tcp_pair_raw(IOStreamOptions::default());
        drop(peer);
        sleep(Duration::from_millis(5)).await;
        let mut failed = false;
        for _ in 0..100 {
            if server.write(vec![0u8; 65536]).await.is_err() {
                failed = true;
                break;
            }
        }
        assert!(failed);
        assert!(server.closed());
    });
}

#[test]
fn pipes_carry_data_both_ways() {
    run(async {
        let mut fds = [0; 2];
        // SAFETY: pipe2 fills the array we pass with two new descriptors.
        let created = unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) };
        assert_eq!(created, 0);
        // SAFETY: both descriptors are new and owned by nothing else.
        let (read_end, write_end) = unsafe {
            use std::os::fd::FromRawFd;
            (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))
        };
        let reader = IOStream::from_pipe(read_end).unwrap();
        let writer = IOStream::from_pipe(write_end).unwrap();
        writer.write("through a pipe\n").await.unwrap();
        assert_eq!(
            &reader.read_until(b"\n", None).await.unwrap()[..],
            b"through a pipe\n"
        );
        writer.close();
        assert_eq!(reader.read_until_close().await.unwrap().len(), 0);
        assert!(reader.peer_addr().is_none());
    });
}

#[test]
fn unix_sockets_work_like_tcp() {
    run(async {
        let dir = std::env::temp_dir().join(format!("tornado-iostream-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("sock");
        let _ = std::fs::remove_file(&path);
        let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
        let client = IOStream::connect_unix(&path).await.unwrap();
        let (accepted, _) = listener.accept().unwrap();
        let server = IOStream::from_unix(accepted).unwrap();
        client.write("hi").await.unwrap();
        assert_eq!(&server.read_bytes(2, false).await.unwrap()[..], b"hi");
        std::fs::remove_dir_all(&dir).unwrap();
    });
}

#[test]
fn connecting_to_a_closed_port_fails_with_the_cause() {
    run(async {
        let address = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        let err = IOStream::connect(address).await.unwrap_err();
        assert_eq!(
            err.io_error().map(|e| e.kind()),
            Some(std::io::ErrorKind::ConnectionRefused)
        );
    });
}

#[test]
fn addresses_and_nodelay() {
    run(async {
        let (server, client) = stream_pair().await;
        assert_eq!(server.peer_addr(), client.local_addr());
        assert_eq!(client.peer_addr(), server.local_addr());
        server.set_nodelay(true).unwrap();
        assert!(server.fileno().is_some());
        server.close();
        assert!(server.fileno().is_none());
    });
}

#[test]
fn futures_io_traits_read_and_write() {
    use futures_io::{AsyncRead, AsyncWrite};
    run(async {
        let (server, client) = stream_pair().await;
        let mut writer = client.clone();
        let n = std::future::poll_fn(|cx| {
            std::pin::Pin::new(&mut writer).poll_write(cx, b"trait data")
        })
        .await
        .unwrap();
        assert_eq!(n, 10);
        std::future::poll_fn(|cx| std::pin::Pin::new(&mut writer).poll_close(cx))
            .await
            .unwrap();
        let mut reader = server.clone();
        let mut got = Vec::new();
        let mut buf = [0u8; 4];
        loop {
            let n =
                std::future::poll_fn(|cx| std::pin::Pin::new(&mut reader).poll_read(cx, &mut buf))
                    .await
                    .unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert_eq!(got, b"trait data");
    });
}

#[test]
fn blocking_peer_byte_at_a_time_interop() {
    run(async {
        let (server, mut peer) = tcp_pair_raw(IOStreamOptions::default());
        let thread = std::thread::spawn(move || {
            for byte in b"slow line\n" {
                peer.write_all(&[*byte]).unwrap();
                std::thread::sleep(Duration::from_millis(1));
            }
            let mut reply = String::new();
            peer.read_to_string(&mut reply).unwrap();
            reply
        });
        let line = server.read_until(b"\n", Some(100)).await.unwrap();
        server.write(line).await.unwrap();
        server.close();
        // The blocking thread is joined off the loop.
        let reply = IOLoop::current()
            .run_in_executor(move || thread.join().unwrap())
            .await
            .unwrap();
        assert_eq!(reply, "slow line\n");
    });
}

#[test]
fn close_after_writes_sends_everything_first() {
    run(async {
        let (server, client) = stream_pair().await;
        drop(client.write(vec![9u8; 8 * 1024 * 1024]));
        client.close_after_writes();
        assert!(!client.closed(), "still sending");
        let got = server.read_until_close().await.unwrap();
        assert_eq!(got.len(), 8 * 1024 * 1024);
        assert!(client.closed());
        // With nothing queued it closes at once.
        let (a, _b) = stream_pair().await;
        a.close_after_writes();
        assert!(a.closed());
    });
}

#[test]
fn read_with_across_pieces_and_whole() {
    run(async {
        let (server, client) = stream_pair().await;
        let writer = client.clone();
        IOLoop::current().spawn_callback(async move {
            for piece in [&b"12"[..], b"34", b";5", b"6;78;"] {
                writer.write(Bytes::from_static(piece)).await.unwrap();
                sleep(Duration::from_millis(3)).await;
            }
        });
        let mut numbers = Vec::new();
        for _ in 0..3 {
            let parsed = server
                .read_with(Some(64), |data| {
                    match data.iter().position(|&c| c == b';') {
                        None => Ok::<_, ()>(None),
                        Some(end) => Ok(Some((
                            end + 1,
                            String::from_utf8_lossy(&data[..end]).into_owned(),
                        ))),
                    }
                })
                .await
                .unwrap()
                .unwrap();
            numbers.push(parsed);
        }
        assert_eq!(numbers, ["1234", "56", "78"]);
        assert_eq!(server.buffered(), 0);
        // Over the limit without a delimiter: unsatisfiable, and the stream closes.
        client.write(vec![b'x'; 100]).await.unwrap();
        sleep(Duration::from_millis(5)).await;
        let err = server
            .read_with(Some(64), |_| Ok::<Option<(usize, ())>, ()>(None))
            .await
            .unwrap_err();
        assert!(err.is_unsatisfiable());
        assert!(server.closed());
    });
}

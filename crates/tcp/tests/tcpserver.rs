//! Ports of Tornado's tcpserver_test.py, and what the port adds: a server stopped with
//! connections open, the connection limit, Unix sockets, stream options, systemd socket
//! activation (`LISTEN_FDS`, in a child process), and `SO_REUSEPORT` with one loop per
//! thread. The multi-process tests of tcpserver_test.py wait for `tornado-process`:
//! `start(num_processes)` with more than one process is checked to refuse clearly.

mod util;

use std::cell::{Cell, RefCell};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::rc::Rc;
use std::time::{Duration, Instant};

use tornado_ioloop::{IOLoop, moment, sleep};
use tornado_iostream::IOStream;
use tornado_tcp::Error;
use tornado_tcp::netutil::{
    Address, BindOptions, UnixAddress, bind_sockets, bind_sockets_with, bind_unix_socket,
    listen_fds,
};
#[cfg(feature = "tls")]
use tornado_tcp::tcpclient::{ConnectOptions, TCPClient};
#[cfg(feature = "tls")]
use tornado_tcp::tcpserver::FnHandler;
use tornado_tcp::tcpserver::{HandlerResult, StreamHandler, TCPServer, TCPServerOptions};
use util::{connect, logged, run};

/// Echoes lines until the peer closes.
#[derive(Debug)]
struct Echo;

/// For closures that echo after looking at the connection.
static ECHO: Echo = Echo;

impl StreamHandler for Echo {
    async fn handle_stream(&self, stream: IOStream, _address: Address) -> HandlerResult {
        loop {
            match stream.read_until(b"\n", None).await {
                Ok(line) => stream.write(line).await?,
                Err(e) if e.is_closed() => return Ok(()),
                Err(e) => return Err(e.into()),
            }
        }
    }
}

async fn echo_once(address: SocketAddr, line: &str) -> String {
    let client = IOStream::connect(address).await.unwrap();
    drop(client.write(format!("{line}\n")));
    let reply = client.read_until(b"\n", Some(1024)).await.unwrap();
    client.close();
    String::from_utf8(reply.to_vec()).unwrap()
}

fn refused(address: SocketAddr) -> bool {
    matches!(TcpStream::connect(address), Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused)
}

#[test]
fn handle_stream_errors_are_logged_and_the_server_goes_on() {
    // Tornado's test_handle_stream_coroutine_logging.
    run(async {
        let server = TCPServer::from_fn(|stream, _address| async move {
            stream.read_bytes(5, false).await?;
            stream.close();
            Err("1 / 0: division by zero".into())
        });
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        for _ in 0..2 {
            let client = IOStream::connect(address).await.unwrap();
            client.write("hello").await.unwrap();
            client.read_until_close().await.unwrap();
            moment().await;
        }
        let errors = logged(log::Level::Error, "Error in connection callback");
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert_eq!(errors[0].target, "tornado.application");
        assert!(errors[0].message.ends_with("1 / 0: division by zero"));
        server.stop();
    });
}

#[test]
fn handle_stream_panics_are_logged_and_the_server_goes_on() {
    run(async {
        let served = Rc::new(Cell::new(0));
        let count = served.clone();
        let server = TCPServer::from_fn(move |stream, _address| {
            count.set(count.get() + 1);
            let first = count.get() == 1;
            async move {
                if first {
                    panic!("handler bug");
                }
                stream.write("fine\n").await?;
                Ok(())
            }
        });
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        let first = IOStream::connect(address).await.unwrap();
        // The panicking connection is dropped, so closed.
        assert_eq!(&first.read_until_close().await.unwrap()[..], b"");
        assert_eq!(echo_once(address, "x").await, "fine\n");
        let errors = logged(log::Level::Error, "Error in connection callback");
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(errors[0].message.contains("handler bug"), "{errors:?}");
        assert_eq!(served.get(), 2);
    });
}

#[test]
fn handle_stream_may_be_an_async_fn() {
    // Tornado's test_handle_stream_native_coroutine.
    run(async {
        let server = TCPServer::from_fn(|stream, _address| async move {
            stream.write("data").await?;
            stream.close();
            Ok(())
        });
        server.listen(0, Some("127.0.0.1")).unwrap();
        let client = IOStream::connect(server.local_addrs()[0]).await.unwrap();
        assert_eq!(&client.read_until_close().await.unwrap()[..], b"data");
        server.stop();
    });
}

#[test]
fn stop_twice() {
    run(async {
        let server = TCPServer::new(Echo);
        server
            .add_socket(TcpListener::bind("127.0.0.1:0").unwrap())
            .unwrap();
        let address = server.local_addrs()[0];
        server.stop();
        server.stop();
        assert!(refused(address));
        assert!(server.local_addrs().is_empty());
        // A stopped server takes no more sockets.
        assert!(matches!(
            server.listen(0, Some("127.0.0.1")),
            Err(Error::InvalidArgument(_))
        ));
    });
}

/// Stops its server from `handle_stream` (Tornado's test_stop_in_callback).
struct StopInHandler {
    server: RefCell<Option<TCPServer<StopInHandler>>>,
    calls: Cell<usize>,
}

impl StreamHandler for StopInHandler {
    async fn handle_stream(&self, stream: IOStream, _address: Address) -> HandlerResult {
        self.calls.set(self.calls.get() + 1);
        let server = self.server.borrow().clone();
        if let Some(server) = server {
            server.stop();
        }
        stream.read_until_close().await?;
        Ok(())
    }
}

#[test]
fn stop_in_handle_stream() {
    run(async {
        let server = TCPServer::new(StopInHandler {
            server: RefCell::new(None),
            calls: Cell::new(0),
        });
        *server.handler().server.borrow_mut() = Some(server.clone());
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        let io_loop = IOLoop::current();
        let clients: Vec<_> = (0..40)
            .map(|_| io_loop.spawn(IOStream::connect(address)))
            .collect();
        let mut connected = Vec::new();
        for client in clients {
            if let Ok(Ok(stream)) = client.await {
                connected.push(stream);
            }
        }
        assert!(!connected.is_empty(), "all clients failed connecting");
        sleep(Duration::from_millis(50)).await;
        for client in &connected {
            client.close();
        }
        sleep(Duration::from_millis(20)).await;
        // Stopping while accepting makes no noise (Tornado's issue #2069: EBADF).
        let problems: Vec<_> = util::logs()
            .into_iter()
            .filter(|r| r.level <= log::Level::Warn)
            .collect();
        assert!(problems.is_empty(), "{problems:?}");
        assert!(server.handler().calls.get() >= 1);
        assert!(refused(address));
        // Break the handler's cycle back to its server.
        server.handler().server.borrow_mut().take();
    });
}

#[test]
fn a_server_stopped_with_connections_open_keeps_serving_them() {
    run(async {
        let server = TCPServer::new(Echo);
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        let client = IOStream::connect(address).await.unwrap();
        drop(client.write("before\n"));
        assert_eq!(
            &client.read_until(b"\n", None).await.unwrap()[..],
            b"before\n"
        );
        assert_eq!(server.active_connections(), 1);

        server.stop();
        assert!(refused(address), "stopped: no new connections");
        drop(client.write("after\n"));
        assert_eq!(
            &client.read_until(b"\n", None).await.unwrap()[..],
            b"after\n"
        );
        client.close();
        let deadline = Instant::now() + Duration::from_secs(5);
        while server.active_connections() > 0 && Instant::now() < deadline {
            sleep(Duration::from_millis(1)).await;
        }
        assert_eq!(server.active_connections(), 0);
    });
}

#[test]
fn dropping_the_server_stops_it() {
    run(async {
        let server = TCPServer::new(Echo);
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        let copy = server.clone();
        drop(server);
        assert_eq!(echo_once(address, "still here").await, "still here\n");
        drop(copy);
        assert!(refused(address));
    });
}

#[test]
fn bind_then_start_one_process() {
    // Tornado's test_listen_single / test_bind_start, in one process.
    run(async {
        let server = TCPServer::new(Echo);
        server.bind(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        assert!(!server.is_accepting());
        for n in [0, 3] {
            let err = server.start(n).unwrap_err();
            assert!(matches!(err, Error::Unsupported(_)), "{err}");
            assert!(err.to_string().contains("fork_processes"), "{err}");
        }
        server.start(1).unwrap();
        assert!(server.is_accepting());
        assert_eq!(echo_once(address, "one").await, "one\n");
        assert!(matches!(server.start(1), Err(Error::InvalidArgument(_))));
        // After start, bind serves at once.
        server.bind(0, Some("127.0.0.1")).unwrap();
        let second = server.local_addrs()[1];
        assert_eq!(echo_once(second, "two").await, "two\n");
        server.stop();
    });
}

#[test]
fn add_sockets_takes_bound_sockets_and_std_listeners() {
    run(async {
        let server = TCPServer::new(Echo);
        server
            .add_sockets(bind_sockets(0, Some("127.0.0.1")).unwrap())
            .unwrap();
        server
            .add_socket(TcpListener::bind("127.0.0.1:0").unwrap())
            .unwrap();
        let addresses = server.local_addrs();
        assert_eq!(addresses.len(), 2);
        for (i, address) in addresses.into_iter().enumerate() {
            assert_eq!(echo_once(address, &i.to_string()).await, format!("{i}\n"));
        }
    });
}

#[test]
fn servers_listen_on_ipv6_too() {
    let options = BindOptions {
        family: tornado_tcp::netutil::AF_INET6,
        ..BindOptions::default()
    };
    let sockets = match bind_sockets_with(0, Some("::1"), &options) {
        Ok(sockets) => sockets,
        Err(err) => {
            return util::expect_no_ipv6(&err, err.io_error().and_then(|e| e.raw_os_error()));
        }
    };
    run(async move {
        let peers = Rc::new(RefCell::new(Vec::new()));
        let seen = peers.clone();
        let server = TCPServer::from_fn(move |stream, address| {
            seen.borrow_mut().push(address.clone());
            ECHO.handle_stream(stream, address)
        });
        server.add_sockets(sockets).unwrap();
        let address = server.local_addrs()[0];
        assert!(address.is_ipv6());
        assert_eq!(echo_once(address, "six").await, "six\n");
        assert!(peers.borrow()[0].ip().unwrap().is_loopback());
        assert!(peers.borrow()[0].as_inet().unwrap().is_ipv6());
    });
}

#[test]
fn unix_socket_servers() {
    let path = std::env::temp_dir().join(format!("tornado-tcp-server-{}.sock", std::process::id()));
    let listener = bind_unix_socket(&path).unwrap();
    let reply = run({
        let path = path.clone();
        async move {
            let peers = Rc::new(RefCell::new(Vec::new()));
            let seen = peers.clone();
            let server = TCPServer::from_fn(move |stream, address| {
                seen.borrow_mut().push(address.clone());
                ECHO.handle_stream(stream, address)
            });
            server.add_socket(listener).unwrap();
            assert!(server.local_addrs().is_empty(), "no TCP address");
            let client = IOStream::connect_unix(&path).await.unwrap();
            drop(client.write("over unix\n"));
            let reply = client.read_until(b"\n", None).await.unwrap();
            assert_eq!(peers.borrow()[0], Address::Unix(UnixAddress::Unnamed));
            assert_eq!(peers.borrow()[0].to_string(), "");
            reply
        }
    });
    assert_eq!(&reply[..], b"over unix\n");
    let _ = std::fs::remove_file(path);
}

#[test]
fn stream_options_reach_each_connection() {
    run(async {
        let seen = Rc::new(Cell::new(None));
        let sink = seen.clone();
        let server = TCPServer::with_options(
            FnOnceServer(sink),
            TCPServerOptions {
                max_buffer_size: Some(1000),
                read_chunk_size: Some(100),
                ..TCPServerOptions::default()
            },
        )
        .unwrap();
        server.listen(0, Some("127.0.0.1")).unwrap();
        let client = IOStream::connect(server.local_addrs()[0]).await.unwrap();
        drop(client.write(vec![b'x'; 2000]));
        // The server's read buffer limit closes the connection.
        client.read_until_close().await.unwrap();
        let options = seen.get().unwrap();
        assert_eq!(options.max_buffer_size, 1000);
        assert_eq!(options.read_chunk_size, 100);
        assert!(
            TCPServer::with_options(
                Echo,
                TCPServerOptions {
                    max_connections: Some(0),
                    ..TCPServerOptions::default()
                }
            )
            .is_err()
        );
    });
}

/// Records the stream's options, then reads more than they allow.
struct FnOnceServer(Rc<Cell<Option<tornado_iostream::IOStreamOptions>>>);

impl StreamHandler for FnOnceServer {
    async fn handle_stream(&self, stream: IOStream, _address: Address) -> HandlerResult {
        self.0.set(Some(stream.options()));
        let err = stream.read_bytes(2000, false).await.unwrap_err();
        assert!(err.is_buffer_full(), "{err}");
        Ok(())
    }
}

#[test]
fn the_connection_limit_leaves_connections_in_the_backlog() {
    run(async {
        let server = TCPServer::with_options(
            Echo,
            TCPServerOptions {
                max_connections: Some(2),
                ..TCPServerOptions::default()
            },
        )
        .unwrap();
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        let a = IOStream::connect(address).await.unwrap();
        let b = IOStream::connect(address).await.unwrap();
        for s in [&a, &b] {
            drop(s.write("hi\n"));
            assert_eq!(&s.read_until(b"\n", None).await.unwrap()[..], b"hi\n");
        }
        assert_eq!(server.active_connections(), 2);
        assert!(!server.is_accepting(), "at the limit");

        // A third client connects (the kernel completes the handshake) but is not served.
        let c = IOStream::connect(address).await.unwrap();
        drop(c.write("third\n"));
        sleep(Duration::from_millis(100)).await;
        assert_eq!(server.active_connections(), 2);
        assert_eq!(c.buffered(), 0);

        // One connection ends: the waiting one is accepted and served.
        a.close();
        assert_eq!(&c.read_until(b"\n", None).await.unwrap()[..], b"third\n");
        assert_eq!(server.active_connections(), 2);
        b.close();
        c.close();
        let deadline = Instant::now() + Duration::from_secs(5);
        while server.active_connections() > 0 && Instant::now() < deadline {
            sleep(Duration::from_millis(1)).await;
        }
        assert!(server.is_accepting());
        assert_eq!(echo_once(address, "again").await, "again\n");
    });
}

#[test]
fn a_server_can_be_set_up_before_its_loop_runs() {
    let io_loop = IOLoop::new().unwrap();
    // Outside a running loop, a server must be told its loop.
    let lost = TCPServer::new(Echo);
    assert!(matches!(
        lost.listen(0, Some("127.0.0.1")),
        Err(Error::InvalidArgument(_))
    ));
    let server = TCPServer::new(Echo).on_loop(&io_loop);
    server.listen(0, Some("127.0.0.1")).unwrap();
    let address = server.local_addrs()[0];
    let reply = io_loop
        .run_sync(echo_once(address, "early"), Some(util::LIMIT))
        .unwrap();
    assert_eq!(reply, "early\n");
    drop(server);
    io_loop.close(false).unwrap();
}

// ----- SO_REUSEPORT, one loop per thread -----

#[test]
fn reuse_port_with_one_loop_per_thread() {
    let options = BindOptions {
        reuse_port: true,
        ..BindOptions::default()
    };
    let port = bind_sockets_with(0, Some("127.0.0.1"), &options).unwrap()[0]
        .port()
        .unwrap();
    let (ready_tx, ready_rx) = std::sync::mpsc::channel();
    let mut workers = Vec::new();
    for worker in 0..2u8 {
        let ready = ready_tx.clone();
        workers.push(std::thread::spawn(move || {
            let io_loop = IOLoop::new().unwrap();
            let handle = io_loop.handle();
            io_loop
                .run_sync(
                    async move {
                        // Each worker answers with its number and hangs up.
                        let server = TCPServer::from_fn(move |stream, _| async move {
                            stream.write(vec![b'0' + worker]).await?;
                            stream.close();
                            Ok(())
                        });
                        server
                            .listen_with(port, Some("127.0.0.1"), &options)
                            .unwrap();
                        ready.send(handle).unwrap();
                        std::future::pending::<()>().await;
                    },
                    Some(util::LIMIT),
                )
                .unwrap_err();
        }));
    }
    let handles: Vec<_> = (0..2).map(|_| ready_rx.recv().unwrap()).collect();
    let mut answers = [0usize; 2];
    for _ in 0..40 {
        let mut client = connect(SocketAddr::from(([127, 0, 0, 1], port)));
        let mut reply = Vec::new();
        client.read_to_end(&mut reply).unwrap();
        answers[usize::from(reply[0] - b'0')] += 1;
    }
    for handle in handles {
        handle.stop();
    }
    for worker in workers {
        worker.join().unwrap();
    }
    assert_eq!(answers.iter().sum::<usize>(), 40, "{answers:?}");
    // The kernel spreads connections over the group (all 40 to one: odds of 2^-39).
    assert!(answers.iter().all(|&n| n > 0), "{answers:?}");
}

// ----- systemd socket activation -----

const LISTEN_FDS_TEST: &str = "systemd_socket_activation";

/// The parent hands a listening socket to a child as descriptor 3, with `LISTEN_PID`
/// and `LISTEN_FDS` set as systemd does; the child serves on it.
#[test]
fn systemd_socket_activation() {
    if util::is_child(LISTEN_FDS_TEST) {
        return socket_activation_child();
    }
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // An inheritable duplicate, for the child only.
    let inherited = socket2::Socket::from(listener.try_clone().unwrap());
    inherited.set_cloexec(false).unwrap();
    let fd = inherited.as_raw_fd();
    let script = if fd == 3 {
        "export LISTEN_PID=$$; exec \"$0\" \"$@\"".to_owned()
    } else {
        format!("export LISTEN_PID=$$; exec \"$0\" \"$@\" 3<&{fd} {fd}<&-")
    };
    // The child answers on the inherited socket: connect before it runs, the
    // connection waits in the backlog.
    let mut client = connect(listener.local_addr().unwrap());
    client.write_all(b"ping\n").unwrap();
    let output = util::run_child(
        LISTEN_FDS_TEST,
        &script,
        &[
            ("LISTEN_FDS", "1".into()),
            ("EXPECTED_PORT", port.to_string()),
        ],
    );
    drop(inherited);
    let mut reply = String::new();
    client.read_to_string(&mut reply).unwrap();
    assert_eq!(reply, "ping\n");
    assert!(String::from_utf8_lossy(&output.stdout).contains("served on fd 3"));

    // Variables meant for another process are ignored: LISTEN_PID names the parent.
    let output = util::run_child(
        LISTEN_FDS_TEST,
        "exec \"$0\" \"$@\"",
        &[
            ("LISTEN_FDS", "1".into()),
            ("LISTEN_PID", std::process::id().to_string()),
            ("EXPECTED_PORT", "none".into()),
        ],
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("no sockets for this process"));
}

fn socket_activation_child() {
    let expected = std::env::var("EXPECTED_PORT").unwrap();
    let sockets = listen_fds().unwrap();
    if expected == "none" {
        assert!(sockets.is_empty());
        assert!(std::env::var("LISTEN_FDS").is_ok(), "not ours: left alone");
        println!("no sockets for this process");
        return;
    }
    assert!(std::env::var("LISTEN_FDS").is_err(), "removed once read");
    assert_eq!(sockets.len(), 1);
    assert_eq!(sockets[0].fileno(), 3);
    assert_eq!(sockets[0].port().unwrap().to_string(), expected);
    assert!(sockets[0].socket().nonblocking().unwrap());
    run(async move {
        let done = Rc::new(Cell::new(false));
        let finished = done.clone();
        let server = TCPServer::from_fn(move |stream, _| {
            let finished = finished.clone();
            async move {
                let line = stream.read_until(b"\n", None).await?;
                stream.write(line).await?;
                stream.close();
                finished.set(true);
                Ok(())
            }
        });
        server.add_sockets(sockets).unwrap();
        while !done.get() {
            sleep(Duration::from_millis(1)).await;
        }
    });
    println!("served on fd 3");
}

#[test]
fn unix_clients_of_plain_sockets() {
    // A std UnixListener converts into a Listener too.
    let path = std::env::temp_dir().join(format!("tornado-tcp-std-{}.sock", std::process::id()));
    let _ = std::fs::remove_file(&path);
    let listener = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let reply = run({
        let path = path.clone();
        async move {
            let server = TCPServer::new(Echo);
            server.add_socket(listener).unwrap();
            let mut client = UnixStream::connect(&path).unwrap();
            client.write_all(b"std\n").unwrap();
            client.set_nonblocking(true).unwrap();
            let mut reply = Vec::new();
            let mut buf = [0u8; 16];
            while !reply.ends_with(b"\n") {
                match client.read(&mut buf) {
                    Ok(n) => reply.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                        sleep(Duration::from_millis(1)).await;
                    }
                    Err(e) => panic!("{e}"),
                }
            }
            reply
        }
    });
    assert_eq!(reply, b"std\n");
    let _ = std::fs::remove_file(path);
}

// ----- TLS -----

#[cfg(feature = "tls")]
fn tls_server<H: StreamHandler>(handler: H) -> TCPServer<H> {
    TCPServer::with_options(
        handler,
        TCPServerOptions {
            ssl_options: Some(util::server_ssl().into()),
            ..TCPServerOptions::default()
        },
    )
    .unwrap()
}

#[cfg(feature = "tls")]
#[test]
fn tls_servers_handshake_before_handle_stream() {
    run(async {
        let server = tls_server(FnHandler::new(|stream, _| async move {
            // The handshake is over: the session's details are there.
            assert!(stream.is_tls());
            let version = stream.tls_version().unwrap_or_default();
            let line = stream.read_until(b"\n", None).await?;
            stream
                .write(format!("{version} {}", String::from_utf8_lossy(&line)))
                .await?;
            Ok(())
        }));
        server.listen(0, Some("127.0.0.1")).unwrap();
        let port = server.local_addrs()[0].port();
        let client = TCPClient::new();
        let stream = client
            .connect_with(
                "localhost",
                port,
                &ConnectOptions {
                    ssl_options: Some(util::client_ssl().into()),
                    ..ConnectOptions::default()
                },
            )
            .await
            .unwrap();
        assert!(stream.is_tls());
        drop(stream.write("secret\n"));
        let reply = stream.read_until(b"\n", None).await.unwrap();
        assert!(reply.ends_with(b" secret\n"), "{reply:?}");
        assert!(reply.starts_with(b"TLS"), "{reply:?}");
    });
}

#[cfg(feature = "tls")]
#[test]
fn tls_options_are_checked_when_the_server_is_made() {
    // Tornado's checks, with its messages.
    let options = |ssl: tornado_tcp::netutil::SslOptions| TCPServerOptions {
        ssl_options: Some(ssl.into()),
        ..TCPServerOptions::default()
    };
    let err = TCPServer::with_options(Echo, options(Default::default())).unwrap_err();
    assert_eq!(err.to_string(), "missing key \"certfile\" in ssl_options");
    let missing = tornado_tcp::netutil::SslOptions::server("/nowhere.crt", "/nowhere.key");
    let err = TCPServer::with_options(Echo, options(missing)).unwrap_err();
    assert_eq!(err.to_string(), "certfile \"/nowhere.crt\" does not exist");
}

#[cfg(feature = "tls")]
#[test]
fn failed_handshakes_are_logged_and_dropped() {
    run(async {
        let served = Rc::new(Cell::new(0));
        let count = served.clone();
        let server = tls_server(FnHandler::new(move |stream, _| {
            count.set(count.get() + 1);
            async move {
                stream.write("hi\n").await?;
                Ok(())
            }
        }));
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];

        // A client that does not speak TLS: an SSL error, logged; the connection closes.
        let plain = IOStream::connect(address).await.unwrap();
        drop(plain.write("GET / HTTP/1.0\r\n\r\n"));
        plain.read_until_close().await.ok();
        // A client that connects and hangs up at once: closed without noise.
        IOStream::connect(address).await.unwrap().close();
        sleep(Duration::from_millis(50)).await;
        let warnings = logged(log::Level::Warn, "SSL Error on");
        assert_eq!(warnings.len(), 1, "{:?}", util::logs());
        assert_eq!(served.get(), 0, "handle_stream runs only after a handshake");

        // The server goes on.
        let stream = TCPClient::new()
            .connect_with(
                "127.0.0.1",
                address.port(),
                &ConnectOptions {
                    ssl_options: Some(util::client_ssl().into()),
                    ..ConnectOptions::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(&stream.read_until(b"\n", None).await.unwrap()[..], b"hi\n");
        assert_eq!(served.get(), 1);
        assert_eq!(
            util::logged(log::Level::Warn, "").len(),
            1,
            "{:?}",
            util::logs()
        );
    });
}

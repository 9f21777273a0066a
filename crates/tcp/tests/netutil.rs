//! Ports of Tornado's netutil_test.py (resolvers, `is_valid_ip`, port allocation,
//! `SO_REUSEPORT`), plus what the port adds: both address families, Unix sockets,
//! `add_accept_handler` batches, and running out of descriptors (`EMFILE`) in a child
//! process with a low limit. The loop is `IOLoop::new()`, so CI runs these on every
//! backend through `TORNADO_POLLER`.

mod util;

use std::cell::{Cell, RefCell};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixStream;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tornado_ioloop::{IOLoop, ThreadPoolExecutor, sleep};
use tornado_tcp::Error;
use tornado_tcp::netutil::{
    AF_INET, AF_INET6, AF_UNSPEC, AI_NUMERICHOST, BindOptions, BlockingResolver,
    DefaultExecutorResolver, ExecutorResolver, Listener, OverrideMapping, OverrideResolver,
    Resolver, ResolverOptions, ThreadedResolver, UnixAddress, add_accept_handler, bind_sockets,
    bind_sockets_with, bind_unix_socket, bind_unix_socket_with, is_valid_ip,
};
use tornado_util::Configurable;
use util::{connect, expect_no_ipv6, run};

// ----- resolvers -----

fn resolvers() -> Vec<Rc<dyn Resolver>> {
    vec![
        Rc::new(DefaultExecutorResolver),
        Rc::new(BlockingResolver),
        Rc::new(ThreadedResolver::default()),
        Rc::new(ExecutorResolver::new(Arc::new(ThreadPoolExecutor::new(2)))),
        Rc::new(OverrideResolver::new(
            Rc::new(BlockingResolver),
            OverrideMapping::new().host("google.com", "1.2.3.4"),
        )),
    ]
}

#[test]
fn every_resolver_finds_localhost() {
    for resolver in resolvers() {
        let found = run({
            let resolver = resolver.clone();
            async move { resolver.resolve("localhost", 80, AF_UNSPEC).await }
        })
        .unwrap();
        let v4: SocketAddr = "127.0.0.1:80".parse().unwrap();
        let v6: SocketAddr = "[::1]:80".parse().unwrap();
        assert!(
            found.contains(&v4) || found.contains(&v6),
            "{resolver:?}: loopback address not found in {found:?}"
        );
        resolver.close();
    }
}

#[test]
fn every_resolver_fails_on_a_bad_host() {
    for resolver in resolvers() {
        let err = run({
            let resolver = resolver.clone();
            async move { resolver.resolve("an invalid domain", 80, AF_UNSPEC).await }
        })
        .unwrap_err();
        assert!(err.is_resolve(), "{resolver:?}: {err}");
        assert!(err.to_string().contains("an invalid domain"), "{err}");
    }
}

#[test]
fn resolvers_honour_the_family() {
    for resolver in resolvers() {
        let r = resolver.clone();
        let (v4, v6) = run(async move {
            (
                r.resolve("127.0.0.1", 8, AF_INET).await,
                r.resolve("127.0.0.1", 8, AF_INET6).await,
            )
        });
        assert_eq!(v4.unwrap(), ["127.0.0.1:8".parse::<SocketAddr>().unwrap()]);
        assert!(v6.unwrap_err().is_resolve(), "{resolver:?}");
        let r = resolver.clone();
        let v6 = run(async move { r.resolve("::1", 8, AF_INET6).await }).unwrap();
        assert_eq!(v6, ["[::1]:8".parse::<SocketAddr>().unwrap()]);
    }
}

#[test]
fn override_resolver_maps_hosts_ports_and_families() {
    // Tornado's OverrideResolverTest.test_resolve_multiaddr.
    let mapping = OverrideMapping::new()
        .host_port(("google.com", 80), ("1.2.3.4", 80))
        .host_port_family(("google.com", 80, AF_INET), ("1.2.3.4", 80))
        .host_port_family(
            ("google.com", 80, AF_INET6),
            ("2a02:6b8:7c:40c:c51e:495f:e23a:3", 80),
        );
    let resolver = OverrideResolver::new(Rc::new(BlockingResolver), mapping);
    let (v4, v6, other) = run(async move {
        (
            resolver.resolve("google.com", 80, AF_INET).await,
            resolver.resolve("google.com", 80, AF_INET6).await,
            resolver.resolve("localhost", 80, AF_INET).await,
        )
    });
    assert!(v4.unwrap().contains(&"1.2.3.4:80".parse().unwrap()));
    assert!(
        v6.unwrap()
            .contains(&"[2a02:6b8:7c:40c:c51e:495f:e23a:3]:80".parse().unwrap())
    );
    // Names without a mapping go to the wrapped resolver.
    assert_eq!(other.unwrap(), ["127.0.0.1:80".parse().unwrap()]);
}

#[test]
fn the_configured_resolver_is_built_by_name() {
    // One test drives the process-wide configuration, so no two tests race on it.
    let saved = <dyn Resolver>::save_configuration();
    assert_eq!(
        <dyn Resolver>::configured_class().name(),
        "DefaultExecutorResolver"
    );
    for (name, shown) in [
        ("BlockingResolver", "BlockingResolver"),
        ("DefaultLoopResolver", "DefaultExecutorResolver"),
        ("DefaultExecutorResolver", "DefaultExecutorResolver"),
        ("ThreadedResolver", "ThreadedResolver"),
        ("ExecutorResolver", "DefaultExecutorResolver"),
    ] {
        <dyn Resolver>::configure_by_name(name, ResolverOptions::default()).unwrap();
        let built = format!("{:?}", <dyn Resolver>::new());
        assert!(built.starts_with(shown), "{name} built {built}");
    }
    // Options reach the implementation, as Tornado's configure(**kwargs).
    <dyn Resolver>::configure_by_name(
        "OverrideResolver",
        ResolverOptions {
            resolver: <dyn Resolver>::implementation("BlockingResolver"),
            mapping: OverrideMapping::new().host("example.test", "127.0.0.1"),
            ..ResolverOptions::default()
        },
    )
    .unwrap();
    let resolver = <dyn Resolver>::new();
    let found = run(async move { resolver.resolve("example.test", 81, AF_INET).await }).unwrap();
    assert_eq!(found, ["127.0.0.1:81".parse().unwrap()]);

    let err =
        <dyn Resolver>::configure_by_name("CaresResolver", ResolverOptions::default()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("Resolver has no implementation named \"CaresResolver\"")
    );
    <dyn Resolver>::restore_configuration(saved);
    assert_eq!(
        format!("{:?}", <dyn Resolver>::new()),
        "DefaultExecutorResolver"
    );
}

// ----- is_valid_ip -----

#[test]
fn is_valid_ip_as_tornado() {
    for ip in ["127.0.0.1", "4.4.4.4", "::1", "2620:0:1cfe:face:b00c::3"] {
        assert!(is_valid_ip(ip), "{ip}");
    }
    let long = "a".repeat(100);
    for ip in [
        "www.google.com",
        "localhost",
        "4.4.4.4<",
        " 127.0.0.1",
        "",
        " ",
        "\n",
        "\x00",
        &long,
    ] {
        assert!(!is_valid_ip(ip), "{ip:?}");
    }
}

/// Vectors from Python Tornado 6.5.2 (tests/data/make_is_valid_ip_vectors.py).
#[test]
fn is_valid_ip_matches_python_tornado_vectors() {
    let text = include_str!("data/is_valid_ip.tsv");
    let mut checked = 0;
    for (number, line) in text.lines().enumerate() {
        let mut fields = line.split('\t');
        let (Some(hex), Some(answer)) = (fields.next(), fields.next()) else {
            panic!("line {}: malformed", number + 1);
        };
        let bytes: Vec<u8> = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect();
        let case = String::from_utf8(bytes).unwrap();
        assert_eq!(
            is_valid_ip(&case),
            answer == "1",
            "line {}: is_valid_ip({case:?})",
            number + 1
        );
        checked += 1;
    }
    assert!(checked > 3000, "{checked} vectors");
}

// ----- bind_sockets -----

fn ports(sockets: &[Listener]) -> Vec<u16> {
    sockets.iter().map(|s| s.port().unwrap()).collect()
}

#[test]
fn port_zero_gives_one_port_to_every_socket() {
    // Tornado's TestPortAllocation.test_same_port_allocation.
    let sockets = bind_sockets(0, Some("localhost")).unwrap();
    let port = sockets[0].port().unwrap();
    assert_ne!(port, 0);
    assert!(ports(&sockets).iter().all(|&p| p == port));
}

#[test]
fn no_address_binds_both_families_on_one_port() {
    let sockets = bind_sockets(0, None).unwrap();
    let addresses: Vec<SocketAddr> = sockets.iter().filter_map(Listener::local_addr).collect();
    assert!(addresses[0].is_ipv4() && addresses[0].ip().is_unspecified());
    let port = addresses[0].port();
    connect(SocketAddr::from(([127, 0, 0, 1], port)));
    if !util::ipv6_configured() {
        // A system without IPv6 refuses the socket (EAFNOSUPPORT) and it is skipped.
        assert_eq!(addresses.len(), 1, "no IPv6: {addresses:?}");
        eprintln!("no IPv6 on this machine: bound IPv4 alone");
        return;
    }
    assert_eq!(addresses.len(), 2, "{addresses:?}");
    assert!(addresses[1].is_ipv6() && addresses[1].ip().is_unspecified());
    assert_eq!(addresses[1].port(), port, "one port for both families");
    // Both accept: IPV6_V6ONLY keeps the families apart.
    connect(format!("[::1]:{port}").parse().unwrap());
}

#[test]
fn families_can_be_chosen() {
    let v4 = bind_sockets_with(
        0,
        None,
        &BindOptions {
            family: AF_INET,
            ..BindOptions::default()
        },
    )
    .unwrap();
    assert_eq!(v4.len(), 1);
    assert!(v4[0].local_addr().unwrap().is_ipv4());

    match bind_sockets_with(
        0,
        Some("::1"),
        &BindOptions {
            family: AF_INET6,
            ..BindOptions::default()
        },
    ) {
        Ok(v6) => {
            assert_eq!(v6.len(), 1);
            let address = v6[0].local_addr().unwrap();
            assert_eq!(address.ip(), "::1".parse::<std::net::IpAddr>().unwrap());
            connect(address);
        }
        Err(err) => expect_no_ipv6(&err, err.io_error().and_then(|e| e.raw_os_error())),
    }

    // An address of the other family is refused, not silently ignored.
    let err = bind_sockets_with(
        0,
        Some("127.0.0.1"),
        &BindOptions {
            family: AF_INET6,
            ..BindOptions::default()
        },
    )
    .unwrap_err();
    assert!(err.is_resolve(), "{err}");
}

#[test]
fn inet_aton_forms_and_numeric_flags() {
    let sockets = bind_sockets(0, Some("127.1")).unwrap();
    assert_eq!(
        sockets[0].local_addr().unwrap().ip().to_string(),
        "127.0.0.1"
    );
    let numeric_only = BindOptions {
        flags: Some(AI_NUMERICHOST),
        ..BindOptions::default()
    };
    assert!(
        bind_sockets_with(0, Some("localhost"), &numeric_only)
            .unwrap_err()
            .is_resolve()
    );
    // Without AI_PASSIVE, no address means loopback rather than every interface.
    let loopback = bind_sockets_with(
        0,
        None,
        &BindOptions {
            flags: Some(0),
            family: AF_INET,
            ..BindOptions::default()
        },
    )
    .unwrap();
    assert!(loopback[0].local_addr().unwrap().ip().is_loopback());
}

#[test]
fn a_port_in_use_is_an_error_naming_it() {
    let first = bind_sockets(0, Some("127.0.0.1")).unwrap();
    let port = first[0].port().unwrap();
    let err = bind_sockets(port, Some("127.0.0.1")).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse, "{err}");
    assert!(
        err.to_string()
            .starts_with(&format!("cannot bind 127.0.0.1:{port}: ")),
        "{err}"
    );
}

#[test]
fn reuse_port_lets_sockets_share_a_port() {
    // Tornado's TestPortAllocation.test_reuse_port.
    let options = BindOptions {
        reuse_port: true,
        ..BindOptions::default()
    };
    let first = bind_sockets_with(0, Some("127.0.0.1"), &options).unwrap();
    let port = first[0].port().unwrap();
    let second = bind_sockets_with(port, Some("127.0.0.1"), &options).unwrap();
    assert!(ports(&second).iter().all(|&p| p == port));
}

#[test]
fn bound_sockets_are_nonblocking_listeners() {
    let sockets = bind_sockets(0, Some("127.0.0.1")).unwrap();
    assert!(sockets[0].socket().is_listener().unwrap());
    assert!(sockets[0].socket().nonblocking().unwrap());
    // Nobody connected: accept must not block.
    let err = sockets[0].accept().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock);
}

// ----- Unix sockets -----

fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("tornado-tcp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("sock")
}

#[test]
fn unix_sockets_are_made_with_their_mode() {
    let path = temp_path("mode");
    let listener = bind_unix_socket(&path).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert_eq!(listener.local_addr(), None);
    assert_eq!(listener.unix_addr(), Some(UnixAddress::Path(path.clone())));
    drop(listener);
    // A stale socket file from an earlier run is replaced.
    let again = bind_unix_socket_with(&path, 0o644, 16).unwrap();
    let mode = std::fs::metadata(&path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o644);
    UnixStream::connect(&path).unwrap();
    drop(again);
    let _ = std::fs::remove_dir_all(path.parent().unwrap());
}

#[test]
fn unix_sockets_refuse_to_replace_other_files() {
    let path = temp_path("file");
    std::fs::write(&path, b"precious").unwrap();
    let err = bind_unix_socket(&path).unwrap_err();
    assert!(
        matches!(err, Error::NotASocket(ref p) if p == &path),
        "{err}"
    );
    assert!(err.to_string().contains("is not a socket"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"precious");
    let dir = path.parent().unwrap().to_owned();
    assert!(matches!(bind_unix_socket(&dir), Err(Error::NotASocket(_))));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn abstract_unix_sockets_need_no_file() {
    let name = format!("\0tornado-tcp-test-{}", std::process::id());
    let listener = bind_unix_socket(&name).unwrap();
    let address = listener.unix_addr().unwrap();
    assert_eq!(
        address,
        UnixAddress::Abstract(name.as_bytes()[1..].to_vec())
    );
    assert_eq!(address.to_string(), format!("@{}", &name[1..]));
    let received = run(async move {
        let got = Rc::new(RefCell::new(Vec::new()));
        let sink = got.clone();
        let handler = add_accept_handler(listener, move |connection, address| {
            sink.borrow_mut().push((connection, address));
        })
        .unwrap();
        let addr = socket2::SockAddr::unix(&name).unwrap();
        let client =
            socket2::Socket::new(socket2::Domain::UNIX, socket2::Type::STREAM, None).unwrap();
        client.connect(&addr).unwrap();
        while got.borrow().is_empty() {
            sleep(Duration::from_millis(1)).await;
        }
        handler.remove_handler();
        let (connection, address) = got.borrow_mut().pop().unwrap();
        assert!(address.as_inet().is_none());
        assert_eq!(address.to_string(), "");
        matches!(connection, tornado_tcp::netutil::Connection::Unix(_))
    });
    assert!(received);
}

// ----- add_accept_handler -----

#[test]
fn accepts_in_batches_and_stops_when_removed() {
    let options = BindOptions {
        backlog: 1024,
        ..BindOptions::default()
    };
    let listener = bind_sockets_with(0, Some("127.0.0.1"), &options)
        .unwrap()
        .remove(0);
    let address = listener.local_addr().unwrap();
    let (first_batch, accepted, after_remove) = run(async move {
        // 200 connections waiting before the loop looks: more than one batch of 128.
        let clients: Vec<TcpStream> = (0..200).map(|_| connect(address)).collect();
        let count = Rc::new(Cell::new(0usize));
        let first_batch = Rc::new(Cell::new(0usize));
        let handler = Rc::new(RefCell::new(None::<tornado_tcp::netutil::AcceptHandler>));
        let (sink, batch, me) = (count.clone(), first_batch.clone(), handler.clone());
        let accept = add_accept_handler(listener, move |connection, peer| {
            assert!(peer.ip().unwrap().is_loopback());
            drop(connection);
            sink.set(sink.get() + 1);
            if sink.get() == 1 {
                // Runs once this batch is over: it sees the batch's size.
                let (sink, batch) = (sink.clone(), batch.clone());
                IOLoop::current().add_callback(move || batch.set(sink.get()));
            }
            if sink.get() == 150
                && let Some(h) = me.borrow().as_ref()
            {
                // Removing from inside the callback: no connection is accepted after.
                h.remove_handler();
            }
        })
        .unwrap();
        *handler.borrow_mut() = Some(accept);
        let deadline = Instant::now() + Duration::from_secs(5);
        while count.get() < 150 && Instant::now() < deadline {
            sleep(Duration::from_millis(1)).await;
        }
        let accepted = count.get();
        sleep(Duration::from_millis(50)).await;
        let h = handler.borrow_mut().take().unwrap();
        assert!(!h.is_accepting());
        drop(clients);
        (first_batch.get(), accepted, count.get())
    });
    assert_eq!(first_batch, 128, "one readiness event accepts 128 at most");
    assert_eq!(accepted, 150);
    assert_eq!(after_remove, 150);
}

#[test]
fn accept_handlers_hold_and_resume() {
    let listener = bind_sockets(0, Some("127.0.0.1")).unwrap().remove(0);
    let address = listener.local_addr().unwrap();
    run(async move {
        let count = Rc::new(Cell::new(0usize));
        let sink = count.clone();
        let handler = add_accept_handler(listener, move |_, _| sink.set(sink.get() + 1)).unwrap();
        handler.hold();
        assert!(!handler.is_accepting());
        let _a = connect(address);
        sleep(Duration::from_millis(50)).await;
        assert_eq!(count.get(), 0, "held: the connection waits in the backlog");
        handler.resume();
        while count.get() == 0 {
            sleep(Duration::from_millis(1)).await;
        }
        handler.remove_handler();
        handler.remove_handler();
        handler.resume();
        assert!(!handler.is_accepting(), "removed for good");
    });
}

#[test]
fn dropping_the_handle_keeps_accepting_until_removed() {
    let listener = bind_sockets(0, Some("127.0.0.1")).unwrap().remove(0);
    let address = listener.local_addr().unwrap();
    run(async move {
        let count = Rc::new(Cell::new(0usize));
        let sink = count.clone();
        drop(add_accept_handler(listener, move |_, _| sink.set(sink.get() + 1)).unwrap());
        let _a = connect(address);
        while count.get() == 0 {
            sleep(Duration::from_millis(1)).await;
        }
    });
    // The loop closed: the listener is gone with it.
    let refused = TcpStream::connect(address).unwrap_err();
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
}

// ----- EMFILE -----

const EMFILE_TEST: &str = "running_out_of_descriptors_pauses_accepting";

/// Runs in a child process whose descriptor limit is 64 (`ulimit -n`); the parent
/// checks that it passed. Never lower the limit of the process running the other tests.
#[test]
fn running_out_of_descriptors_pauses_accepting() {
    if !util::is_child(EMFILE_TEST) {
        let output = util::run_child(EMFILE_TEST, "ulimit -n 64 && exec \"$0\" \"$@\"", &[]);
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(stdout.contains("EMFILE child done"), "{stdout}");
        return;
    }
    util::install_logger();
    let io_loop = IOLoop::new().unwrap();
    let outcome = io_loop.run_sync(emfile_child(), Some(Duration::from_secs(20)));
    io_loop.close(false).unwrap();
    outcome.unwrap();
    println!("EMFILE child done");
}

async fn emfile_child() {
    let mut clock = util::CpuClock::open();
    let listener = bind_sockets(0, Some("127.0.0.1")).unwrap().remove(0);
    let address = listener.local_addr().unwrap();

    // Connect until this process has no descriptor left: the connections wait in the
    // listener's backlog, and there is no descriptor to accept them with.
    let mut clients = Vec::new();
    loop {
        match TcpStream::connect(address) {
            Ok(client) => clients.push(client),
            Err(e) if e.raw_os_error() == Some(libc::EMFILE) => break,
            Err(e) => panic!("connect: {e}"),
        }
    }
    let connections = clients.len();
    assert!(connections > 10, "{connections} clients");

    let accepted = Rc::new(RefCell::new(Vec::new()));
    let total = Rc::new(Cell::new(0usize));
    let (sink, counter) = (accepted.clone(), total.clone());
    let handler = add_accept_handler(listener, move |connection, _| {
        sink.borrow_mut().push(connection);
        counter.set(counter.get() + 1);
    })
    .unwrap();

    // The listener stays readable. A loop spinning on it would burn a whole CPU for the
    // next second; a paused one costs next to nothing.
    let before = clock.now();
    sleep(Duration::from_secs(1)).await;
    let spent = clock.now() - before;
    assert!(
        spent < Duration::from_millis(300),
        "the loop spun: {spent:?} of CPU in 1 s"
    );
    assert!(accepted.borrow().is_empty());
    let errors = util::logged(log::Level::Error, "Too many open files");
    assert_eq!(errors.len(), 1, "logged once per burst: {errors:?}");
    assert_eq!(errors[0].target, "tornado.general");
    assert!(
        errors[0].message.contains("pausing accepts for 100 ms"),
        "{errors:?}"
    );

    // Free four descriptors: accepting resumes after the back-off and takes four of the
    // waiting connections, then pauses again.
    clients.truncate(clients.len() - 4);
    let deadline = Instant::now() + Duration::from_secs(5);
    while accepted.borrow().len() < 4 && Instant::now() < deadline {
        sleep(Duration::from_millis(5)).await;
    }
    sleep(Duration::from_millis(250)).await;
    assert_eq!(accepted.borrow().len(), 4);
    assert_eq!(util::logged(log::Level::Warn, "accepting again").len(), 1);
    assert_eq!(
        util::logged(log::Level::Error, "Too many open files").len(),
        2,
        "a new burst is logged once more"
    );

    // With descriptors to spare, every connection still queued is accepted (those whose
    // client already closed too).
    clients.clear();
    accepted.borrow_mut().clear();
    let deadline = Instant::now() + Duration::from_secs(5);
    while total.get() < connections && Instant::now() < deadline {
        sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(total.get(), connections);
    handler.remove_handler();
}

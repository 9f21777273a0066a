//! Ports of Tornado's tcpclient_test.py over real sockets (the `_Connector` state
//! machine tests live beside it, in `src/tcpclient/connector.rs`), plus Happy Eyeballs
//! with a first address that never answers, connect timeouts, and the error that lists
//! every attempt. The loop is `IOLoop::new()`, so CI runs these on every backend through
//! `TORNADO_POLLER`.
//!
//! `localhost` resolves to `127.0.0.1` alone on some machines (this one among them), so
//! the dual-stack cases resolve `dualhost` with a resolver that answers both loopback
//! addresses, rather than skip when `localhost` has no IPv6 address.

mod util;

use std::net::{IpAddr, SocketAddr};
use std::rc::Rc;
use std::time::{Duration, Instant};

use tornado_ioloop::IOLoop;
use tornado_ioloop::queues::Queue;
use tornado_iostream::IOStream;
use tornado_tcp::netutil::{
    AF_INET, AF_INET6, AF_UNSPEC, AddressFamily, BindOptions, Resolver, bind_sockets_with,
};
use tornado_tcp::tcpclient::{ConnectOptions, INITIAL_CONNECT_TIMEOUT, TCPClient};
use tornado_tcp::tcpserver::{FnHandler, TCPServer};
use util::{NeverResolver, black_hole, fixed, refusing_port, run};

/// A server whose accepted streams arrive in a queue (Tornado's `TestTCPServer`), on
/// `host`, or on both loopback addresses (one port) when `host` is `None`.
fn test_server(
    family: AddressFamily,
    host: Option<&str>,
) -> Option<(impl Drop + use<>, Queue<IOStream>, u16)> {
    let options = BindOptions {
        family,
        // Without AI_PASSIVE, no address means the loopback addresses.
        flags: Some(0),
        ..BindOptions::default()
    };
    let sockets = match bind_sockets_with(0, host, &options) {
        Ok(sockets) => sockets,
        Err(err) if family == AF_INET6 => {
            util::expect_no_ipv6(&err, err.io_error().and_then(|e| e.raw_os_error()));
            return None;
        }
        Err(err) => panic!("bind {host:?}: {err}"),
    };
    let port = sockets[0].port().unwrap();
    let queue = Queue::new(0);
    let sink = queue.clone();
    let server = TCPServer::from_fn(move |stream, _address| {
        let sink = sink.clone();
        async move {
            sink.put(stream).await;
            Ok(())
        }
    });
    server.add_sockets(sockets).unwrap();
    Some((Stopper(server), queue, port))
}

/// Stops a server when dropped (as Tornado's tearDown).
struct Stopper<F>(TCPServer<FnHandler<F>>)
where
    FnHandler<F>: tornado_tcp::tcpserver::StreamHandler;

impl<F> Drop for Stopper<F>
where
    FnHandler<F>: tornado_tcp::tcpserver::StreamHandler,
{
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// Both loopback addresses, IPv6 first, for any name.
fn dual_resolver() -> Rc<dyn Resolver> {
    fixed(&["[::1]:0", "127.0.0.1:0"])
}

/// Tornado's `do_test_connect`: connect, write "hello", read it on the server side.
fn do_test_connect(
    family: AddressFamily,
    host: &'static str,
    resolver: Option<Rc<dyn Resolver>>,
    options: ConnectOptions,
) -> tornado_tcp::Result<SocketAddr> {
    let server_host = match family {
        AF_INET6 => Some("::1"),
        AF_INET => Some("127.0.0.1"),
        _ => None,
    };
    run(async move {
        let Some((_server, queue, port)) = test_server(family, server_host) else {
            return Ok("[::1]:0".parse().unwrap());
        };
        let client = match resolver {
            Some(resolver) => TCPClient::with_resolver(resolver),
            None => TCPClient::new(),
        };
        let options = ConnectOptions {
            af: family,
            ..options
        };
        let stream = client.connect_with(host, port, &options).await?;
        let server_stream = queue.get().await;
        drop(stream.write("hello"));
        let data = server_stream.read_bytes(5, false).await.unwrap();
        assert_eq!(&data[..], b"hello");
        let local = stream.local_addr().unwrap();
        stream.close();
        client.close();
        Ok(local)
    })
}

#[test]
fn connect_ipv4_ipv4() {
    do_test_connect(AF_INET, "127.0.0.1", None, ConnectOptions::default()).unwrap();
}

#[test]
fn connect_ipv4_dual() {
    do_test_connect(AF_INET, "localhost", None, ConnectOptions::default()).unwrap();
    do_test_connect(
        AF_INET,
        "dualhost",
        Some(dual_resolver()),
        ConnectOptions::default(),
    )
    .unwrap();
}

#[test]
fn connect_ipv6_ipv6() {
    do_test_connect(AF_INET6, "::1", None, ConnectOptions::default()).unwrap();
}

#[test]
fn connect_ipv6_dual() {
    do_test_connect(
        AF_INET6,
        "dualhost",
        Some(dual_resolver()),
        ConnectOptions::default(),
    )
    .unwrap();
}

#[test]
fn connect_unspec_ipv4() {
    do_test_connect(AF_UNSPEC, "127.0.0.1", None, ConnectOptions::default()).unwrap();
}

#[test]
fn connect_unspec_ipv6() {
    do_test_connect(AF_UNSPEC, "::1", None, ConnectOptions::default()).unwrap();
}

#[test]
fn connect_unspec_dual() {
    let local = do_test_connect(
        AF_UNSPEC,
        "dualhost",
        Some(dual_resolver()),
        ConnectOptions::default(),
    )
    .unwrap();
    if util::ipv6_configured() {
        assert!(local.is_ipv6(), "the first address's family wins: {local}");
    }
    do_test_connect(AF_UNSPEC, "localhost", None, ConnectOptions::default()).unwrap();
}

#[test]
fn a_refused_first_family_starts_the_other_at_once() {
    run(async {
        // The server listens on IPv4 only; IPv6 is tried first and refused, and the
        // failure starts IPv4 without waiting for the 0.3 s timer.
        let (_server, queue, port) = test_server(AF_INET, Some("127.0.0.1")).unwrap();
        let started = Instant::now();
        let stream = TCPClient::with_resolver(dual_resolver())
            .connect("dualhost", port)
            .await
            .unwrap();
        assert!(
            started.elapsed() < INITIAL_CONNECT_TIMEOUT,
            "{:?}",
            started.elapsed()
        );
        assert!(stream.peer_addr().unwrap().is_ipv4());
        queue.get().await;
    });
}

#[test]
fn refused_ipv4() {
    let address = refusing_port("127.0.0.1");
    let err = run(async move { TCPClient::new().connect("127.0.0.1", address.port()).await })
        .unwrap_err();
    assert!(err.is_connect(), "{err}");
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
}

#[test]
fn every_failed_address_is_reported() {
    let v4 = refusing_port("127.0.0.1");
    let v6 = refusing_port("::1");
    let resolver = fixed(&[&v6.to_string(), &v4.to_string()]);
    let err = run(async move {
        TCPClient::with_resolver(resolver)
            .connect("twice-refused", 1)
            .await
    })
    .unwrap_err();
    let tornado_tcp::Error::Connect { host, attempts, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(host, "twice-refused");
    let tried: Vec<SocketAddr> = attempts.iter().map(|(a, _)| *a).collect();
    assert_eq!(tried, [v6, v4]);
    for (_, e) in attempts {
        assert_eq!(
            e.io_error().map(std::io::Error::kind),
            Some(std::io::ErrorKind::ConnectionRefused)
        );
    }
    let text = err.to_string();
    assert!(
        text.contains(&v6.to_string()) && text.contains(&v4.to_string()),
        "{text}"
    );
}

#[test]
fn source_ip_fail() {
    // 192.0.2.1 (TEST-NET-1) is no address of this machine: binding it fails, and no
    // packet is sent anywhere.
    let err = do_test_connect(
        AF_INET,
        "127.0.0.1",
        None,
        ConnectOptions {
            source_ip: Some("192.0.2.1".parse().unwrap()),
            ..ConnectOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrNotAvailable, "{err}");
}

#[test]
fn source_ip_success() {
    let local = do_test_connect(
        AF_INET,
        "127.0.0.1",
        None,
        ConnectOptions {
            source_ip: Some("127.0.0.1".parse().unwrap()),
            ..ConnectOptions::default()
        },
    )
    .unwrap();
    assert_eq!(local.ip(), "127.0.0.1".parse::<IpAddr>().unwrap());
}

#[test]
fn source_port_in_use_fails() {
    // Tornado uses port 1 and skips as root; a port held by a listener fails for anyone.
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = held.local_addr().unwrap().port();
    let err = do_test_connect(
        AF_INET,
        "127.0.0.1",
        None,
        ConnectOptions {
            source_port: Some(port),
            ..ConnectOptions::default()
        },
    )
    .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AddrInUse, "{err}");
}

#[test]
fn source_port_success() {
    let free = refusing_port("127.0.0.1").port();
    let local = do_test_connect(
        AF_INET,
        "127.0.0.1",
        None,
        ConnectOptions {
            source_port: Some(free),
            ..ConnectOptions::default()
        },
    )
    .unwrap();
    // A port alone binds the loopback address of the family.
    assert_eq!(local, SocketAddr::from(([127, 0, 0, 1], free)));
}

#[test]
fn connect_timeout_while_resolving() {
    // Tornado's test_connect_timeout: a resolver that never answers.
    let started = Instant::now();
    let err = run(async {
        TCPClient::with_resolver(Rc::new(NeverResolver))
            .connect_with(
                "1.2.3.4",
                12345,
                &ConnectOptions {
                    timeout: Some(Duration::from_millis(50).into()),
                    ..ConnectOptions::default()
                },
            )
            .await
    })
    .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn connect_timeout_while_connecting() {
    let hole = black_hole("127.0.0.1");
    let resolver = fixed(&[&hole.address.to_string()]);
    let started = Instant::now();
    let err = run(async move {
        // An absolute deadline on IOLoop::time()'s clock, as Tornado's float.
        let at = IOLoop::current().time() + 0.1;
        TCPClient::with_resolver(resolver)
            .connect_with(
                "hole",
                0,
                &ConnectOptions {
                    timeout: Some(at.into()),
                    ..ConnectOptions::default()
                },
            )
            .await
    })
    .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(80) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
}

/// Happy Eyeballs: the first address never answers; the other family is tried after
/// 0.3 s and wins.
fn happy_eyeballs(hole_ip: &str, server_family: AddressFamily, server_host: &str) {
    let hole = black_hole(hole_ip);
    let hole_address = hole.address;
    let server_host = server_host.to_owned();
    run(async move {
        let _keep = &hole;
        let Some((_server, queue, port)) = test_server(server_family, Some(&server_host)) else {
            return;
        };
        let good = SocketAddr::new(server_host.parse().unwrap(), port);
        let resolver = fixed(&[&hole_address.to_string(), &good.to_string()]);
        let started = Instant::now();
        let stream = TCPClient::with_resolver(resolver)
            .connect("eyeballs", 0)
            .await
            .unwrap();
        let elapsed = started.elapsed();
        assert_eq!(stream.peer_addr(), Some(good));
        assert!(
            elapsed >= INITIAL_CONNECT_TIMEOUT - Duration::from_millis(20)
                && elapsed < Duration::from_secs(3),
            "{elapsed:?}"
        );
        let server_stream = queue.get().await;
        drop(stream.write("hello"));
        assert_eq!(
            &server_stream.read_bytes(5, false).await.unwrap()[..],
            b"hello"
        );
    });
}

#[test]
fn happy_eyeballs_ipv6_never_answers() {
    if !util::ipv6_configured() {
        let err = std::net::TcpListener::bind("[::1]:0").unwrap_err();
        return util::expect_no_ipv6(&err, err.raw_os_error());
    }
    happy_eyeballs("::1", AF_INET, "127.0.0.1");
}

#[test]
fn happy_eyeballs_ipv4_never_answers() {
    if !util::ipv6_configured() {
        let err = std::net::TcpListener::bind("[::1]:0").unwrap_err();
        return util::expect_no_ipv6(&err, err.raw_os_error());
    }
    happy_eyeballs("127.0.0.1", AF_INET6, "::1");
}

#[test]
fn resolution_failures_are_resolve_errors() {
    let err = run(async { TCPClient::new().connect("an invalid domain", 80).await }).unwrap_err();
    assert!(err.is_resolve(), "{err}");
    // A family the name does not have.
    let err = run(async {
        TCPClient::new()
            .connect_with(
                "127.0.0.1",
                80,
                &ConnectOptions {
                    af: AF_INET6,
                    ..ConnectOptions::default()
                },
            )
            .await
    })
    .unwrap_err();
    assert!(err.is_resolve(), "{err}");
}

#[test]
fn max_buffer_size_reaches_the_stream() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let options = run(async move {
        let stream = TCPClient::new()
            .connect_with(
                "127.0.0.1",
                port,
                &ConnectOptions {
                    max_buffer_size: Some(4096),
                    ..ConnectOptions::default()
                },
            )
            .await
            .unwrap();
        stream.options()
    });
    assert_eq!(options.max_buffer_size, 4096);
    assert_eq!(options.read_chunk_size, 2048);
}

#[test]
fn the_configured_resolver_is_used_and_closed() {
    let client = TCPClient::new();
    assert_eq!(
        format!("{:?}", client.resolver()),
        "DefaultExecutorResolver"
    );
    client.close();
    let shared = fixed(&["127.0.0.1:0"]);
    let client = TCPClient::with_resolver(shared.clone());
    client.close();
    assert_eq!(Rc::strong_count(&shared), 2);
}

// ----- TLS -----

/// A TLS echo-once server with the test certificate.
#[cfg(feature = "tls")]
fn tls_server() -> (TCPServer<impl tornado_tcp::tcpserver::StreamHandler>, u16) {
    let server = TCPServer::with_options(
        tornado_tcp::tcpserver::FnHandler::new(|stream, _| async move {
            let line = stream.read_until(b"\n", None).await?;
            stream.write(line).await?;
            Ok(())
        }),
        tornado_tcp::tcpserver::TCPServerOptions {
            ssl_options: Some(util::server_ssl().into()),
            ..Default::default()
        },
    )
    .unwrap();
    server.listen(0, Some("127.0.0.1")).unwrap();
    let port = server.local_addrs()[0].port();
    (server, port)
}

#[cfg(feature = "tls")]
fn tls_options(ssl: tornado_tcp::netutil::SslOptions) -> ConnectOptions {
    ConnectOptions {
        ssl_options: Some(ssl.into()),
        ..ConnectOptions::default()
    }
}

#[cfg(feature = "tls")]
#[test]
fn tls_connections_check_the_host_name() {
    run(async {
        let (_server, port) = tls_server();
        // The certificate names localhost and 127.0.0.1.
        for host in ["localhost", "127.0.0.1"] {
            let stream = TCPClient::new()
                .connect_with(host, port, &tls_options(util::client_ssl()))
                .await
                .unwrap();
            assert!(stream.is_tls());
            drop(stream.write("ping\n"));
            assert_eq!(
                &stream.read_until(b"\n", None).await.unwrap()[..],
                b"ping\n"
            );
        }
        // A name the certificate does not have: the handshake fails.
        let client = TCPClient::with_resolver(fixed(&["127.0.0.1:0"]));
        let err = client
            .connect_with("wrong.example", port, &tls_options(util::client_ssl()))
            .await
            .unwrap_err();
        assert!(
            err.to_string().to_lowercase().contains("certificate"),
            "{err}"
        );
        // Unless verification is off (Python's cert_reqs=CERT_NONE).
        let stream = client
            .connect_with(
                "wrong.example",
                port,
                &tls_options(tornado_tcp::netutil::SslOptions::insecure()),
            )
            .await
            .unwrap();
        assert!(stream.is_tls());
        // The default trusts the webpki roots only, not the test CA.
        let err = TCPClient::new()
            .connect_with("localhost", port, &tls_options(Default::default()))
            .await
            .unwrap_err();
        assert!(
            err.to_string().to_lowercase().contains("certificate"),
            "{err}"
        );
    });
}

#[cfg(feature = "tls")]
#[test]
fn tls_handshakes_are_bounded_by_the_timeout() {
    // A plain server that accepts and never answers the handshake.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let started = Instant::now();
    let err = run(async move {
        TCPClient::new()
            .connect_with(
                "127.0.0.1",
                port,
                &ConnectOptions {
                    timeout: Some(Duration::from_millis(100).into()),
                    ..tls_options(util::client_ssl())
                },
            )
            .await
    })
    .unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(listener);
}

#[cfg(feature = "tls")]
#[test]
fn bad_tls_options_fail_before_connecting() {
    let err = run(async {
        // Port 9 on a resolver that is never asked: the options are read first.
        TCPClient::with_resolver(Rc::new(NeverResolver))
            .connect_with(
                "localhost",
                9,
                &tls_options(tornado_tcp::netutil::SslOptions {
                    ca_certs: Some("/nowhere/ca.crt".into()),
                    ..Default::default()
                }),
            )
            .await
    })
    .unwrap_err();
    assert!(err.to_string().contains("/nowhere/ca.crt"), "{err}");
}

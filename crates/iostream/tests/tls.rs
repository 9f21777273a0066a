//! TLS: ports of the SSL parts of Tornado's iostream_test.py (`TestIOStreamStartTLS`,
//! `WaitForHandshakeTest`, `TestIOStreamCheckHostname`, the SSL read/write mixin) plus
//! what rustls adds (ALPN, SNI, client certificates), over real sockets on 127.0.0.1
//! with `IOLoop::new()`, so CI runs them on every poller backend. Interoperability is
//! checked against Python's `ssl` module.
//!
//! Fixtures in `tests/data/`: Tornado's own `test.crt`/`test.key` (self-signed,
//! foo.example.com), and a CA with server and client certificates made by
//! `tests/data/gen-certs.sh`.
#![cfg(feature = "tls")]

use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::time::Duration;

use bytes::Bytes;
use tornado_ioloop::{IOLoop, sleep};
use tornado_iostream::{Error, IOStream, SslOptions, ssl_options_to_server_config};

const LIMIT: Duration = Duration::from_secs(20);

fn run<F: std::future::Future + 'static>(future: F) -> F::Output {
    let io_loop = IOLoop::new().expect("create the IOLoop");
    let output = io_loop
        .run_sync(future, Some(LIMIT))
        .expect("finishes in time");
    io_loop.close(false).unwrap();
    output
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// The CA-signed server certificate (localhost, foo.example.com, 127.0.0.1).
fn server_options() -> SslOptions {
    SslOptions::server(data("server.crt"), data("server.key"))
}

/// A client trusting the test CA.
fn client_options() -> SslOptions {
    SslOptions {
        ca_certs: Some(data("ca.crt")),
        ..SslOptions::default()
    }
}

/// Tornado's self-signed test certificate as the server's.
fn tornado_server_options() -> SslOptions {
    SslOptions::server(data("test.crt"), data("test.key"))
}

fn listen() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let address = listener.local_addr().unwrap();
    (listener, address)
}

/// Accepts one connection without blocking the loop.
async fn accept(listener: &TcpListener) -> TcpStream {
    loop {
        match listener.accept() {
            Ok((stream, _)) => {
                stream.set_nonblocking(false).unwrap();
                return stream;
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                sleep(Duration::from_millis(1)).await;
            }
            Err(e) => panic!("accept: {e}"),
        }
    }
}

/// A TLS server stream and the outcome of a client's `connect_tls` to it; the server's
/// handshake is not awaited.
async fn tls_pair(
    server: SslOptions,
    client: SslOptions,
    hostname: Option<&'static str>,
) -> (IOStream, tornado_iostream::Result<IOStream>) {
    let config = ssl_options_to_server_config(server).unwrap();
    let (listener, address) = listen();
    let client = IOLoop::current()
        .spawn(async move { IOStream::connect_tls(address, hostname, client).await });
    let server = IOStream::from_tcp_tls_server(accept(&listener).await, config).unwrap();
    let client = client.await.unwrap();
    (server, client)
}

/// A pair whose handshake succeeded on both sides.
async fn connected_pair(
    server: SslOptions,
    client: SslOptions,
    hostname: Option<&'static str>,
) -> (IOStream, IOStream) {
    let (server, client) = tls_pair(server, client, hostname).await;
    let client = client.expect("the client's handshake");
    let server = server
        .wait_for_handshake()
        .await
        .expect("the server's handshake");
    (server, client)
}

/// The message of the error that closed a stream.
fn cause(err: &Error) -> String {
    assert!(err.is_closed(), "expected a closed error, got {err}");
    err.io_error()
        .map(ToString::to_string)
        .unwrap_or_else(|| panic!("{err} carries no cause"))
}

#[test]
fn handshake_then_reads_and_writes_both_ways() {
    run(async {
        let (server, client) =
            connected_pair(server_options(), client_options(), Some("localhost")).await;
        assert!(server.is_tls() && client.is_tls());
        assert_eq!(server.sni_hostname().as_deref(), Some("localhost"));
        assert_eq!(client.tls_version().as_deref(), Some("TLSv1_3"));
        assert!(client.cipher().is_some_and(|c| c.starts_with("TLS13_")));
        let server_cert = std::fs::read_to_string(data("server.crt")).unwrap();
        assert!(!server_cert.is_empty());
        let der = client
            .get_ssl_certificate()
            .expect("the server's certificate");
        assert_eq!(client.peer_certificates().unwrap()[0].as_ref(), &der[..]);
        assert_eq!(server.get_ssl_certificate(), None, "no client certificate");

        client.write("EHLO mail.example.com\r\n").await.unwrap();
        let line = server.read_until(b"\r\n", Some(1024)).await.unwrap();
        assert_eq!(&line[..], b"EHLO mail.example.com\r\n");
        server.write("250 welcome\r\n").await.unwrap();
        assert_eq!(
            &client.read_bytes(13, false).await.unwrap()[..],
            b"250 welcome\r\n"
        );
        let mut buf = [0; 64];
        server.write("partial").await.unwrap();
        let n = client.read_into(&mut buf, true).await.unwrap();
        assert_eq!(&buf[..n], b"partial");
        client.close();
        assert_eq!(&server.read_until_close().await.unwrap()[..], b"");
        assert!(
            server.error().is_none(),
            "a clean close: {:?}",
            server.error()
        );
    });
}

#[test]
fn large_transfers_in_both_directions_at_once() {
    const SIZE: usize = 6 * 1024 * 1024;
    run(async {
        let (server, client) =
            connected_pair(server_options(), client_options(), Some("localhost")).await;
        let pattern = |seed: u8| -> Bytes {
            (0..SIZE)
                .map(|i| (i % 251) as u8 ^ seed)
                .collect::<Vec<u8>>()
                .into()
        };
        let (up, down) = (pattern(0x5a), pattern(0xa5));
        // Both sides write everything first: neither reads until its own writes are
        // queued, so the transfer only finishes if both directions flow at once.
        let client_write = client.write(up.clone());
        let server_write = server.write(down.clone());
        let io_loop = IOLoop::current();
        let reader = {
            let server = server.clone();
            io_loop.spawn(async move { server.read_bytes(SIZE, false).await })
        };
        let received = client.read_bytes(SIZE, false).await.unwrap();
        assert!(received == down, "the server's data arrived intact");
        assert!(
            reader.await.unwrap().unwrap() == up,
            "the client's data arrived intact"
        );
        client_write.await.unwrap();
        server_write.await.unwrap();
    });
}

#[test]
fn untrusted_certificates_fail_on_both_sides() {
    run(async {
        // The default client trusts only the webpki roots, not our CA (Tornado's
        // test_handshake_fail).
        let (server, client) =
            tls_pair(server_options(), SslOptions::default(), Some("localhost")).await;
        let err = client.unwrap_err();
        assert_eq!(
            cause(&err),
            "invalid peer certificate: UnknownIssuer",
            "the client's error"
        );
        let err = server.wait_for_handshake().await.unwrap_err();
        assert!(
            cause(&err).starts_with("received fatal alert"),
            "the server's error: {}",
            cause(&err)
        );
        // Later operations fail with the same cause.
        let err = server.read_bytes(1, false).await.unwrap_err();
        assert!(cause(&err).starts_with("received fatal alert"));
        assert!(server.write("x").await.unwrap_err().is_closed());
    });
}

#[test]
fn tornado_check_hostname_match_mismatch_and_disabled() {
    run(async {
        // Tornado's self-signed certificate is its own CA.
        let trust_it = || SslOptions {
            ca_certs: Some(data("test.crt")),
            ..SslOptions::default()
        };
        connected_pair(
            tornado_server_options(),
            trust_it(),
            Some("foo.example.com"),
        )
        .await;

        let (_server, client) = tls_pair(
            tornado_server_options(),
            trust_it(),
            Some("bar.example.com"),
        )
        .await;
        let message = cause(&client.unwrap_err());
        assert!(
            message.starts_with("invalid peer certificate: certificate not valid for name"),
            "{message}"
        );

        let unchecked = SslOptions {
            check_hostname: Some(false),
            ..trust_it()
        };
        connected_pair(tornado_server_options(), unchecked, Some("bar.example.com")).await;
    });
}

#[test]
fn hostnames_and_addresses_are_checked_against_the_certificate() {
    run(async {
        // The server certificate names 127.0.0.1: connecting by address checks it.
        connected_pair(server_options(), client_options(), None).await;
        let (_server, client) =
            tls_pair(server_options(), client_options(), Some("bar.example.com")).await;
        assert!(cause(&client.unwrap_err()).contains("not valid for name"));
        // Tornado's certificate does not name 127.0.0.1 (test_check_hostname).
        let trust_it = SslOptions {
            ca_certs: Some(data("test.crt")),
            ..SslOptions::default()
        };
        let (_server, client) = tls_pair(tornado_server_options(), trust_it, None).await;
        assert!(cause(&client.unwrap_err()).contains("not valid for name"));
    });
}

#[test]
fn cert_none_accepts_any_certificate() {
    run(async {
        let (server, client) = connected_pair(
            tornado_server_options(),
            SslOptions::insecure(),
            Some("localhost"),
        )
        .await;
        client.write("ok").await.unwrap();
        assert_eq!(&server.read_bytes(2, false).await.unwrap()[..], b"ok");
    });
}

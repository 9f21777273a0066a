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

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use tornado_ioloop::{IOLoop, sleep};
use tornado_iostream::rustls;
use tornado_iostream::{
    CertReqs, Error, IOStream, SslOptions, ssl_options_to_client_config,
    ssl_options_to_server_config,
};

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
fn small_reads_from_large_records() {
    // Each read(2) brings many 16 KiB records; reads of a few bytes take them apart.
    const SIZE: usize = 300 * 1024;
    run(async {
        let (server, client) =
            connected_pair(server_options(), client_options(), Some("localhost")).await;
        let data: Vec<u8> = (0..SIZE).map(|i| (i % 253) as u8).collect();
        server.write(data.clone()).await.unwrap();
        sleep(Duration::from_millis(5)).await;
        let mut received = Vec::with_capacity(SIZE);
        let mut buf = [0; 7];
        while received.len() < SIZE / 2 {
            let n = client.read_into(&mut buf, true).await.unwrap();
            received.extend_from_slice(&buf[..n]);
        }
        while received.len() < SIZE {
            let chunk = client
                .read_bytes(1000.min(SIZE - received.len()), false)
                .await;
            received.extend_from_slice(&chunk.unwrap());
        }
        assert!(received == data);
        server.close();
        assert_eq!(&client.read_until_close().await.unwrap()[..], b"");
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

/// Log records of `tornado.general`, from every test of this binary.
static LOGGED: std::sync::Mutex<Vec<(log::Level, String)>> = std::sync::Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target() == "tornado.general"
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            let message = record.args().to_string();
            LOGGED.lock().unwrap().push((record.level(), message));
        }
    }

    fn flush(&self) {}
}

#[test]
fn handshake_failures_are_logged_as_ssl_errors() {
    static CAPTURE: Capture = Capture;
    let _ = log::set_logger(&CAPTURE);
    log::set_max_level(log::LevelFilter::Info);
    run(async {
        let (server, client) =
            tls_pair(server_options(), SslOptions::default(), Some("localhost")).await;
        assert!(client.unwrap_err().is_closed());
        assert!(server.wait_for_handshake().await.is_err());
    });
    let logged = LOGGED.lock().unwrap();
    let ssl_errors: Vec<_> = logged
        .iter()
        .filter(|(level, message)| {
            *level == log::Level::Warn && message.starts_with("SSL Error on ")
        })
        .collect();
    assert!(
        ssl_errors.iter().any(|(_, m)| m.contains("127.0.0.1:")
            && m.ends_with("invalid peer certificate: UnknownIssuer")),
        "{logged:?}"
    );
    assert!(
        ssl_errors
            .iter()
            .any(|(_, m)| m.contains("received fatal alert")),
        "{logged:?}"
    );
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

fn client_auth_server(reqs: CertReqs) -> SslOptions {
    SslOptions {
        cert_reqs: Some(reqs),
        ca_certs: Some(data("ca.crt")),
        ..server_options()
    }
}

fn client_with_cert(name: &str) -> SslOptions {
    SslOptions {
        certfile: Some(data(&format!("{name}.crt"))),
        keyfile: Some(data(&format!("{name}.key"))),
        ..client_options()
    }
}

fn pem_der(name: &str) -> Vec<u8> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    CertificateDer::from_pem_file(data(name)).unwrap().to_vec()
}

#[test]
fn required_client_certificates() {
    run(async {
        let (server, client) = connected_pair(
            client_auth_server(CertReqs::Required),
            client_with_cert("client"),
            Some("localhost"),
        )
        .await;
        assert_eq!(server.get_ssl_certificate(), Some(pem_der("client.crt")));
        assert_eq!(client.get_ssl_certificate(), Some(pem_der("server.crt")));

        // No certificate: the server refuses; with TLS 1.3 the client learns it from the
        // alert, on its next read.
        let (server, client) = tls_pair(
            client_auth_server(CertReqs::Required),
            client_options(),
            Some("localhost"),
        )
        .await;
        let err = server.wait_for_handshake().await.unwrap_err();
        assert_eq!(cause(&err), "peer sent no certificates");
        let err = match client {
            Ok(client) => client.read_bytes(1, false).await.unwrap_err(),
            Err(err) => err,
        };
        assert!(
            cause(&err).contains("CertificateRequired"),
            "{}",
            cause(&err)
        );

        // A certificate from a CA the server does not trust.
        let (server, _client) = tls_pair(
            client_auth_server(CertReqs::Required),
            client_with_cert("untrusted-client"),
            Some("localhost"),
        )
        .await;
        let err = server.wait_for_handshake().await.unwrap_err();
        assert_eq!(cause(&err), "invalid peer certificate: UnknownIssuer");
    });
}

#[test]
fn optional_client_certificates() {
    run(async {
        let (server, _client) = connected_pair(
            client_auth_server(CertReqs::Optional),
            client_options(),
            Some("localhost"),
        )
        .await;
        assert_eq!(server.get_ssl_certificate(), None);
        let (server, _client) = connected_pair(
            client_auth_server(CertReqs::Optional),
            client_with_cert("client"),
            Some("localhost"),
        )
        .await;
        assert_eq!(server.get_ssl_certificate(), Some(pem_der("client.crt")));
    });
}

#[test]
fn alpn_negotiation() {
    run(async {
        let alpn = |protocols: &[&[u8]], options: SslOptions| SslOptions {
            alpn_protocols: protocols.iter().map(|p| p.to_vec()).collect(),
            ..options
        };
        let (server, client) = connected_pair(
            alpn(&[b"h2", b"http/1.1"], server_options()),
            alpn(&[b"http/1.1"], client_options()),
            Some("localhost"),
        )
        .await;
        assert_eq!(
            server.selected_alpn_protocol().as_deref(),
            Some(&b"http/1.1"[..])
        );
        assert_eq!(
            client.selected_alpn_protocol().as_deref(),
            Some(&b"http/1.1"[..])
        );

        // No ALPN on one side: nothing selected, the connection works.
        let (server, client) = connected_pair(
            alpn(&[b"h2"], server_options()),
            client_options(),
            Some("localhost"),
        )
        .await;
        assert_eq!(server.selected_alpn_protocol(), None);
        assert_eq!(client.selected_alpn_protocol(), None);

        // No protocol in common: the server refuses.
        let (server, client) = tls_pair(
            alpn(&[b"h2"], server_options()),
            alpn(&[b"spdy/1"], client_options()),
            Some("localhost"),
        )
        .await;
        let err = server.wait_for_handshake().await.unwrap_err();
        assert!(cause(&err).contains("protocol"), "{}", cause(&err));
        assert!(cause(&client.unwrap_err()).contains("NoApplicationProtocol"));
    });
}

#[test]
fn sni_is_seen_by_the_server() {
    run(async {
        let (server, _client) =
            connected_pair(server_options(), client_options(), Some("foo.example.com")).await;
        assert_eq!(server.sni_hostname().as_deref(), Some("foo.example.com"));
        // An IP address is not sent as SNI.
        let (server, _client) = connected_pair(server_options(), client_options(), None).await;
        assert_eq!(server.sni_hostname(), None);
        assert_eq!(_client.sni_hostname(), None, "a client sees no SNI");
    });
}

#[test]
fn a_plaintext_client_gets_a_clean_error_from_a_tls_server() {
    run(async {
        let config = ssl_options_to_server_config(server_options()).unwrap();
        let (listener, address) = listen();
        let client = IOStream::connect(address).await.unwrap();
        let server = IOStream::from_tcp_tls_server(accept(&listener).await, config).unwrap();
        // A read is pending on the server when the handshake fails.
        let pending = {
            let server = server.clone();
            IOLoop::current().spawn(async move { server.read_bytes(1, false).await })
        };
        client.write("GET / HTTP/1.0\r\n\r\n").await.unwrap();
        // The client hears an alert (or nothing) and the end of the stream: no hang.
        client.read_until_close().await.unwrap();
        let err = pending.await.unwrap().unwrap_err();
        let message = cause(&err);
        assert!(message.contains("corrupt message"), "{message}");
        assert_eq!(
            err.io_error().map(io::Error::kind),
            Some(io::ErrorKind::InvalidData)
        );
        assert!(server.closed());
        assert_eq!(
            cause(&server.wait_for_handshake().await.unwrap_err()),
            message
        );
    });
}

#[test]
fn a_tls_client_gets_a_clean_error_from_a_plaintext_server() {
    run(async {
        // A server answering in plain HTTP.
        let (listener, address) = listen();
        let client = IOLoop::current().spawn(async move {
            IOStream::connect_tls(address, Some("localhost"), client_options()).await
        });
        let server = IOStream::from_tcp(accept(&listener).await).unwrap();
        server.read_bytes(5, true).await.unwrap();
        server
            .write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
            .await
            .unwrap();
        let message = cause(&client.await.unwrap().unwrap_err());
        assert!(message.contains("corrupt message"), "{message}");
        server.close();

        // A server that closes without a word.
        let client = IOLoop::current().spawn(async move {
            IOStream::connect_tls(address, Some("localhost"), client_options()).await
        });
        let server = IOStream::from_tcp(accept(&listener).await).unwrap();
        server.read_bytes(5, true).await.unwrap();
        server.close();
        let err = client.await.unwrap().unwrap_err();
        assert_eq!(
            cause(&err),
            "peer closed the connection during the TLS handshake"
        );
        assert_eq!(
            err.io_error().map(io::Error::kind),
            Some(io::ErrorKind::UnexpectedEof)
        );
    });
}

#[test]
fn a_peer_reset_during_the_handshake_is_the_cause() {
    run(async {
        let (listener, address) = listen();
        let client = IOLoop::current().spawn(async move {
            IOStream::connect_tls(address, Some("localhost"), client_options()).await
        });
        let accepted = accept(&listener).await;
        // Wait (without blocking the loop, which runs the client) for the ClientHello.
        accepted.set_nonblocking(true).unwrap();
        let mut hello = [0; 5];
        loop {
            match (&accepted).read(&mut hello) {
                Ok(n) => {
                    assert!(n > 0, "the client closed");
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    sleep(Duration::from_millis(1)).await;
                }
                Err(e) => panic!("read: {e}"),
            }
        }
        assert_eq!(hello[0], 0x16, "a TLS handshake record");
        // Close with a reset (SO_LINGER 0) instead of a FIN.
        socket2::SockRef::from(&accepted)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(accepted);
        let err = client.await.unwrap().unwrap_err();
        assert_eq!(
            err.io_error().map(io::Error::kind),
            Some(io::ErrorKind::ConnectionReset),
            "{err}"
        );
    });
}

/// A blocking rustls client in a thread, reading everything our server sends.
#[test]
fn close_sends_close_notify() {
    run(async {
        let config = ssl_options_to_server_config(server_options()).unwrap();
        let client_config = ssl_options_to_client_config(client_options()).unwrap();
        let (listener, address) = listen();
        let peer = std::thread::spawn(move || {
            let name = "localhost".try_into().unwrap();
            let conn = rustls::ClientConnection::new(client_config, name).unwrap();
            let tcp = TcpStream::connect(address).unwrap();
            tcp.set_read_timeout(Some(LIMIT)).unwrap();
            let mut tls = rustls::StreamOwned::new(conn, tcp);
            tls.write_all(b"hi").unwrap();
            let mut received = Vec::new();
            // Without a close_notify, rustls would fail with UnexpectedEof.
            let outcome = tls.read_to_end(&mut received);
            (outcome.map_err(|e| e.to_string()), received)
        });
        let server = IOStream::from_tcp_tls_server(accept(&listener).await, config).unwrap();
        assert_eq!(&server.read_bytes(2, false).await.unwrap()[..], b"hi");
        server.write("bye").await.unwrap();
        server.close();
        let (outcome, received) = loop {
            if peer.is_finished() {
                break peer.join().unwrap();
            }
            sleep(Duration::from_millis(2)).await;
        };
        assert_eq!(outcome, Ok(3));
        assert_eq!(received, b"bye");
    });
}

#[test]
fn reading_a_close_notify_is_a_clean_end_of_stream() {
    run(async {
        let (server, client) =
            connected_pair(server_options(), client_options(), Some("localhost")).await;
        server.write("last words").await.unwrap();
        server.close();
        assert_eq!(&client.read_until_close().await.unwrap()[..], b"last words");
        assert!(client.closed());
        assert!(client.error().is_none(), "{:?}", client.error());
    });
}

/// A plain pair, as Tornado's TestIOStreamStartTLS sets up.
async fn plain_pair() -> (IOStream, IOStream) {
    let (listener, address) = listen();
    let client = IOStream::connect(address).await.unwrap();
    let server = IOStream::from_tcp(accept(&listener).await).unwrap();
    (server, client)
}

async fn send_line(from: &IOStream, to: &IOStream, line: &'static str) {
    drop(from.write(line));
    let received = to.read_until(b"\r\n", None).await.unwrap();
    assert_eq!(&received[..], line.as_bytes());
}

#[test]
fn start_tls_smtp_dialogue() {
    run(async {
        let (server, client) = plain_pair().await;
        let closed = Rc::new(std::cell::Cell::new(false));
        let flag = closed.clone();
        server.set_close_callback(Some(Box::new(move || flag.set(true))));
        send_line(&server, &client, "220 mail.example.com ready\r\n").await;
        send_line(&client, &server, "EHLO mail.example.com\r\n").await;
        send_line(&server, &client, "250-mail.example.com welcome\r\n").await;
        send_line(&server, &client, "250 STARTTLS\r\n").await;
        send_line(&client, &server, "STARTTLS\r\n").await;
        send_line(&server, &client, "220 Go ahead\r\n").await;
        assert!(!client.is_tls());
        let client_handshake = client
            .start_tls(false, SslOptions::insecure(), None)
            .unwrap();
        let server_handshake = server.start_tls(true, server_options(), None).unwrap();
        let client = client_handshake.await.unwrap();
        let server = server_handshake.await.unwrap();
        assert!(client.is_tls() && server.is_tls());
        send_line(&client, &server, "EHLO mail.example.com\r\n").await;
        send_line(&server, &client, "250 mail.example.com welcome\r\n").await;
        // The close callback set before the switch still runs.
        client.close();
        server.read_until_close().await.unwrap();
        sleep(Duration::from_millis(5)).await;
        assert!(closed.get());
    });
}

#[test]
fn start_tls_handshake_failures() {
    run(async {
        // Tornado's test_handshake_fail: the default client does not trust our CA.
        let (server, client) = plain_pair().await;
        let server_handshake = server.start_tls(true, server_options(), None).unwrap();
        let client_handshake = client
            .start_tls(false, SslOptions::default(), Some("localhost"))
            .unwrap();
        let err = client_handshake.await.unwrap_err();
        assert_eq!(cause(&err), "invalid peer certificate: UnknownIssuer");
        assert!(server_handshake.await.unwrap_err().is_closed());

        // Tornado's test_check_hostname: server_hostname is what gets checked.
        let (server, client) = plain_pair().await;
        let server_handshake = server.start_tls(true, server_options(), None).unwrap();
        let client_handshake = client
            .start_tls(false, client_options(), Some("bar.example.com"))
            .unwrap();
        assert!(cause(&client_handshake.await.unwrap_err()).contains("not valid for name"));
        assert!(server_handshake.await.is_err());
    });
}

#[test]
fn start_tls_refuses_a_stream_that_is_not_idle() {
    run(async {
        let not_idle = |result: tornado_iostream::Result<_>| match result {
            Err(err @ Error::NotIdle) => {
                assert_eq!(
                    err.to_string(),
                    "IOStream is not idle; cannot convert to SSL"
                );
            }
            Err(err) => panic!("unexpected error {err}"),
            Ok(_) => panic!("start_tls accepted a busy stream"),
        };
        // A read in flight.
        let (server, client) = plain_pair().await;
        let reader = {
            let server = server.clone();
            IOLoop::current().spawn(async move { server.read_bytes(1, false).await })
        };
        sleep(Duration::from_millis(2)).await;
        assert!(server.reading());
        not_idle(server.start_tls(true, server_options(), None));
        reader.cancel();

        // Buffered data.
        client.write("ab").await.unwrap();
        sleep(Duration::from_millis(2)).await;
        assert_eq!(&server.read_bytes(1, false).await.unwrap()[..], b"a");
        assert_eq!(server.buffered(), 1);
        not_idle(server.start_tls(true, server_options(), None));
        server.read_bytes(1, false).await.unwrap();

        // Queued writes: more than the socket takes, to a peer that does not read.
        let write = server.write(vec![0u8; 32 * 1024 * 1024]);
        assert!(server.writing());
        not_idle(server.start_tls(true, server_options(), None));
        drop(write);

        // A closed stream.
        client.close();
        not_idle(client.start_tls(false, client_options(), None));

        // A bad configuration is refused before anything changes.
        let (server, _client) = plain_pair().await;
        let err = server
            .start_tls(true, SslOptions::default(), None)
            .unwrap_err();
        assert_eq!(err.to_string(), "missing key \"certfile\" in ssl_options");
        assert!(!server.is_tls());
    });
}

#[test]
fn wait_for_handshake_once_at_a_time() {
    run(async {
        let config = ssl_options_to_server_config(server_options()).unwrap();
        let (listener, address) = listen();
        let client = IOLoop::current().spawn(async move {
            IOStream::connect_tls(address, Some("localhost"), client_options()).await
        });
        let server = IOStream::from_tcp_tls_server(accept(&listener).await, config).unwrap();
        assert!(server.cipher().is_none(), "no cipher before the handshake");
        // Tornado's test_wait_for_handshake_already_waiting_error.
        let first = server.wait_for_handshake();
        let second = server.wait_for_handshake();
        assert!(matches!(second.await, Err(Error::AlreadyWaiting)));
        let server = first.await.unwrap();
        assert!(server.cipher().is_some());
        // test_wait_for_handshake_already_connected: later waits resolve at once.
        server.wait_for_handshake().await.unwrap();
        server.wait_for_handshake().await.unwrap();
        let client = client.await.unwrap().unwrap();
        client.wait_for_handshake().await.unwrap();
        // A plain stream has no handshake to wait for.
        let (plain, _peer) = plain_pair().await;
        plain.wait_for_handshake().await.unwrap();
        assert!(!plain.is_tls());
        assert_eq!(plain.cipher(), None);
    });
}

#[test]
fn writes_before_the_handshake_wait_for_it() {
    run(async {
        let config = ssl_options_to_server_config(server_options()).unwrap();
        let (listener, address) = listen();
        let plain = IOStream::connect(address).await.unwrap();
        let server = IOStream::from_tcp_tls_server(accept(&listener).await, config).unwrap();
        // Queued while the handshake has not even begun on the client's side.
        let greeting = server.write("220 ready\r\n");
        let client = plain.start_tls(false, client_options(), None).unwrap();
        let client = client.await.unwrap();
        greeting.await.unwrap();
        assert_eq!(
            &client.read_until(b"\r\n", None).await.unwrap()[..],
            b"220 ready\r\n"
        );
    });
}

/// Python's interpreter for the interoperability tests: `/usr/bin/python3`, else
/// `python3` on the PATH. CI installs it, so a missing one fails the test.
fn python() -> std::process::Command {
    let path = ["/usr/bin/python3", "python3"]
        .into_iter()
        .find(|p| {
            std::process::Command::new(p)
                .arg("-c")
                .arg("import ssl")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("the TLS interoperability tests need python3 with its ssl module");
    std::process::Command::new(path)
}

/// Waits on the loop for a child process, killing it past `LIMIT`.
async fn wait_for(mut child: std::process::Child) -> (String, String) {
    let deadline = std::time::Instant::now() + LIMIT;
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if std::time::Instant::now() > deadline {
            child.kill().unwrap();
            panic!("python did not finish within {LIMIT:?}");
        }
        sleep(Duration::from_millis(5)).await;
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "python failed: {stdout}\n{stderr}");
    (stdout, stderr)
}

const PYTHON_CLIENT: &str = r#"
import socket, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
ctx = ssl.create_default_context(cafile=ca)
ctx.set_alpn_protocols(["h2", "http/1.1"])
with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
    # A peer closing without close_notify would raise SSLEOFError here.
    with ctx.wrap_socket(sock, server_hostname="localhost", suppress_ragged_eofs=False) as tls:
        tls.sendall(b"hello from python\n")
        data = b""
        while True:
            chunk = tls.recv(4096)
            if not chunk:
                break
            data += chunk
        print(tls.version(), tls.selected_alpn_protocol(), data.decode().strip())
"#;

#[test]
fn python_ssl_client_against_our_server() {
    run(async {
        let config = ssl_options_to_server_config(SslOptions {
            alpn_protocols: vec![b"http/1.1".to_vec()],
            ..server_options()
        })
        .unwrap();
        let (listener, address) = listen();
        let child = python()
            .arg("-c")
            .arg(PYTHON_CLIENT)
            .arg(address.port().to_string())
            .arg(data("ca.crt"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let server = IOStream::from_tcp_tls_server(accept(&listener).await, config).unwrap();
        let line = server.read_until(b"\n", Some(1024)).await.unwrap();
        assert_eq!(&line[..], b"hello from python\n");
        server.write("hello from rust\n").await.unwrap();
        server.close();
        let (stdout, _) = wait_for(child).await;
        assert_eq!(stdout.trim(), "TLSv1.3 http/1.1 hello from rust");
    });
}

const PYTHON_SERVER: &str = r#"
import socket, ssl, sys
crt, key, ca = sys.argv[1:4]
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(crt, key)
ctx.load_verify_locations(ca)
ctx.verify_mode = ssl.CERT_REQUIRED
ctx.maximum_version = ssl.TLSVersion.TLSv1_2
ctx.set_alpn_protocols(["http/1.1"])
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
srv.settimeout(10)
print(srv.getsockname()[1], flush=True)
conn, _ = srv.accept()
conn.settimeout(10)
tls = ctx.wrap_socket(conn, server_side=True, suppress_ragged_eofs=False)
line = b""
while not line.endswith(b"\n"):
    line += tls.recv(4096)
subject = dict(x[0] for x in tls.getpeercert()["subject"])
version = tls.version()
tls.sendall(b"echo: " + line)
# Sends our close_notify, then waits for the peer's.
tls.unwrap().close()
print(version, subject["commonName"], flush=True)
"#;

#[test]
fn our_client_against_a_python_ssl_server() {
    run(async {
        let mut child = python()
            .arg("-c")
            .arg(PYTHON_SERVER)
            .arg(data("server.crt"))
            .arg(data("server.key"))
            .arg(data("ca.crt"))
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut port = String::new();
        {
            let stdout = child.stdout.as_mut().unwrap();
            let mut byte = [0; 1];
            while stdout.read(&mut byte).unwrap() == 1 && byte[0] != b'\n' {
                port.push(byte[0] as char);
            }
        }
        let port: u16 = port.trim().parse().expect("python printed its port");
        let options = SslOptions {
            alpn_protocols: vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            ..client_with_cert("client")
        };
        let address = SocketAddr::from(([127, 0, 0, 1], port));
        let client = IOStream::connect_tls(address, Some("localhost"), options)
            .await
            .unwrap();
        assert_eq!(client.tls_version().as_deref(), Some("TLSv1_2"));
        assert_eq!(
            client.selected_alpn_protocol().as_deref(),
            Some(&b"http/1.1"[..])
        );
        client.write("hello\n").await.unwrap();
        // Python's close_notify ends the stream cleanly; closing answers with ours.
        assert_eq!(
            &client.read_until_close().await.unwrap()[..],
            b"echo: hello\n"
        );
        assert!(client.error().is_none(), "{:?}", client.error());
        let (stdout, _) = wait_for(child).await;
        assert_eq!(stdout.trim(), "TLSv1.2 tornado-rs test client");
    });
}

//! Ports of what applies of Tornado's httpserver_test.py to `HTTPServer` (the protocol
//! details are tested in tornado-http1), and interop with clients no one here wrote: curl
//! and Python's `http.client`.

use std::cell::{Cell, RefCell};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::rc::Rc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tornado_httpserver::{HTTPServer, HTTPServerOptions, TrustedProxy, respond};
use tornado_httputil::{HTTPHeaders, HTTPServerRequest};
use tornado_ioloop::{IOLoop, sleep};
use tornado_tcp::netutil::bind_unix_socket;

const LIMIT: Duration = Duration::from_secs(20);

fn run<F: std::future::Future + 'static>(future: F) -> F::Output {
    let io_loop = IOLoop::new().expect("create the IOLoop");
    let output = io_loop
        .run_sync(future, Some(LIMIT))
        .expect("finishes in time");
    io_loop.close(false).unwrap();
    output
}

fn text_response(request: &HTTPServerRequest, code: u16, body: String) {
    let mut headers = HTTPHeaders::new();
    headers.add("Content-Type", "text/plain").unwrap();
    headers
        .add("Content-Length", &body.len().to_string())
        .unwrap();
    if let Some(connection) = &request.connection {
        respond(connection, code, &headers, Bytes::from(body)).unwrap();
    }
}

/// Describes the request in a stable text form.
fn describe(request: HTTPServerRequest) {
    let mut lines = vec![
        format!("{} {} {}", request.method, request.path(), request.version),
        format!(
            "remote_ip={}",
            request.remote_ip.clone().unwrap_or_default()
        ),
        format!("protocol={}", request.protocol),
        format!("host={}", request.host),
    ];
    let show = |args: &tornado_httputil::Arguments| {
        args.iter()
            .map(|(k, vs)| {
                let vs: Vec<String> = vs
                    .iter()
                    .map(|v| String::from_utf8_lossy(v).into_owned())
                    .collect();
                format!("{k}={vs:?}")
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    lines.push(format!("query: {}", show(&request.query_arguments)));
    lines.push(format!("body: {}", show(&request.body_arguments)));
    for (name, files) in request.files.iter() {
        for file in files {
            lines.push(format!(
                "file {name}: {} {} {}",
                file.filename,
                file.content_type,
                String::from_utf8_lossy(&file.body)
            ));
        }
    }
    lines.push(format!("body bytes={}", request.body.len()));
    text_response(&request, 200, lines.join("\n"));
}

/// Sends raw bytes on a fresh connection, reads until the server closes (or 2 s of
/// silence). Blocking: run it off the loop.
fn raw(address: SocketAddr, request: &[u8]) -> String {
    let mut socket = TcpStream::connect(address).unwrap();
    socket.write_all(request).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    let mut got = Vec::new();
    let _ = socket.read_to_end(&mut got);
    String::from_utf8_lossy(&got).into_owned()
}

async fn off_loop<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    IOLoop::current().run_in_executor(f).await.unwrap()
}

fn body_of(response: &str) -> &str {
    response.split_once("\r\n\r\n").map_or("", |(_, body)| body)
}

#[test]
fn the_callback_sees_tornados_request() {
    run(async {
        let server = HTTPServer::from_fn(describe);
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        let got = off_loop(move || {
            raw(
                address,
                "GET //double/slash?foo=%C3%A9&foo=&bar=1 HTTP/1.0\r\nHost: Example.com:80\r\n\r\n"
                    .as_bytes(),
            )
        })
        .await;
        let body = body_of(&got);
        assert!(body.starts_with("GET //double/slash HTTP/1.0\n"), "{body}");
        assert!(
            body.contains("remote_ip=127.0.0.1\nprotocol=http\nhost=Example.com:80\n"),
            "{body}"
        );
        assert!(
            body.contains("query: foo=[\"é\", \"\"] bar=[\"1\"]"),
            "{body}"
        );
        // Form bodies, urlencoded and multipart.
        let form = "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 13\r\n\r\nfoo=bar&baz=&";
        let got = off_loop(move || raw(address, form.as_bytes())).await;
        assert!(
            body_of(&got).contains("body: foo=[\"bar\"] baz=[\"\"]"),
            "{got}"
        );
        let multipart = "--1234\r\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\r\n\r\nFoo\r\n--1234--\r\n";
        let upload = format!(
            "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=1234\r\nContent-Length: {}\r\n\r\n{multipart}",
            multipart.len()
        );
        let got = off_loop(move || raw(address, upload.as_bytes())).await;
        assert!(
            body_of(&got).contains("file files: ab.txt application/unknown Foo"),
            "{got}"
        );
        // A body whose arguments cannot be parsed: 400.
        let bad = "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; boundary=1234\r\nContent-Length: 7\r\n\r\nbroken!";
        let got = off_loop(move || raw(address, bad.as_bytes())).await;
        assert!(got.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{got}");
        server.stop();
    });
}

fn xheaders_server(
    trusted: &[&str],
) -> HTTPServer<impl tornado_httputil::HTTPServerConnectionDelegate> {
    HTTPServer::with_options(
        tornado_httpserver::CallableAdapter::new(tornado_httpserver::SyncCallback(describe)),
        HTTPServerOptions {
            xheaders: true,
            trusted_downstream: trusted
                .iter()
                .map(|t| t.parse::<TrustedProxy>().unwrap())
                .collect(),
            ..HTTPServerOptions::default()
        },
    )
    .unwrap()
}

#[test]
fn xheaders_give_the_address_and_scheme_behind_a_proxy() {
    run(async {
        let server = xheaders_server(&["10.0.0.0/8"]);
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        let ask = |headers: &'static str| async move {
            let request = format!("GET / HTTP/1.0\r\n{headers}\r\n");
            let got = off_loop(move || raw(address, request.as_bytes())).await;
            let body = body_of(&got).to_owned();
            let ip = body
                .lines()
                .find_map(|l| l.strip_prefix("remote_ip="))
                .unwrap_or_default()
                .to_owned();
            let proto = body
                .lines()
                .find_map(|l| l.strip_prefix("protocol="))
                .unwrap_or_default()
                .to_owned();
            (ip, proto)
        };
        assert_eq!(ask("X-Real-Ip: 4.4.4.4\r\n").await.0, "4.4.4.4");
        assert_eq!(
            ask("X-Real-Ip: 2620:0:1cfe:face:b00c::3\r\n").await.0,
            "2620:0:1cfe:face:b00c::3"
        );
        assert_eq!(
            ask("X-Forwarded-For: 4.4.4.4, 10.1.1.1\r\n").await.0,
            "4.4.4.4"
        );
        assert_eq!(ask("X-Real-Ip: www.google.com\r\n").await.0, "127.0.0.1");
        assert_eq!(ask("X-Scheme: https\r\n").await.1, "https");
        assert_eq!(ask("X-Forwarded-Proto: https, http\r\n").await.1, "http");
        assert_eq!(ask("X-Forwarded-Proto: gopher\r\n").await.1, "http");
        assert_eq!(
            ask("Forwarded: for=5.6.7.8;proto=https\r\n").await,
            ("5.6.7.8".into(), "https".into())
        );
        // The override is for one request only: the next on the connection is itself.
        let both = "GET / HTTP/1.1\r\nHost: x\r\nX-Real-Ip: 4.4.4.4\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        let got = off_loop(move || raw(address, both.as_bytes())).await;
        assert!(
            got.contains("remote_ip=4.4.4.4") && got.contains("remote_ip=127.0.0.1"),
            "{got}"
        );
        server.stop();
        // Without xheaders they are ignored.
        let plain = HTTPServer::from_fn(describe);
        plain.listen(0, Some("127.0.0.1")).unwrap();
        let address = plain.local_addrs()[0];
        let got =
            off_loop(move || raw(address, b"GET / HTTP/1.0\r\nX-Real-Ip: 4.4.4.4\r\n\r\n")).await;
        assert!(got.contains("remote_ip=127.0.0.1"), "{got}");
    });
}

#[cfg(feature = "tls")]
fn tls_data(name: &str) -> String {
    format!(
        "{}/../iostream/tests/data/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[cfg(feature = "tls")]
#[test]
fn https_with_curl_and_bad_tls_options() {
    run(async {
        let server = HTTPServer::with_options(
            tornado_httpserver::CallableAdapter::new(tornado_httpserver::SyncCallback(describe)),
            HTTPServerOptions {
                ssl_options: Some(
                    tornado_tcp::netutil::SslOptions::server(
                        tls_data("server.crt"),
                        tls_data("server.key"),
                    )
                    .into(),
                ),
                ..HTTPServerOptions::default()
            },
        )
        .unwrap();
        server.listen(0, Some("127.0.0.1")).unwrap();
        let port = server.local_addrs()[0].port();
        let ca = tls_data("ca.crt");
        let output = off_loop(move || {
            Command::new("curl")
                .args(["-sS", "--max-time", "10", "--cacert", &ca])
                .arg(format!("https://localhost:{port}/secure?x=1"))
                .output()
                .expect("curl is installed (CI installs it)")
        })
        .await;
        let body = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(body.starts_with("GET /secure HTTP/1.1\n"), "{body}");
        assert!(body.contains("protocol=https"), "{body}");
        // A plain-HTTP request to the TLS port is closed quickly, without an answer.
        let address = server.local_addrs()[0];
        let started = Instant::now();
        let got = off_loop(move || raw(address, b"GET / HTTP/1.0\r\n\r\n")).await;
        assert!(!got.contains("HTTP/1.1 200"), "{got}");
        assert!(started.elapsed() < Duration::from_secs(2));
        server.stop();
    });
    // Tornado checks TLS options when the server is made.
    let missing = HTTPServer::with_options(
        tornado_httpserver::CallableAdapter::new(tornado_httpserver::SyncCallback(describe)),
        HTTPServerOptions {
            ssl_options: Some(
                tornado_tcp::netutil::SslOptions::server("/nowhere.crt", "/nowhere.key").into(),
            ),
            ..HTTPServerOptions::default()
        },
    );
    assert_eq!(
        missing.unwrap_err().to_string(),
        "certfile \"/nowhere.crt\" does not exist"
    );
}

#[test]
fn unix_sockets_answer_and_refuse_garbage() {
    run(async {
        let dir = std::env::temp_dir().join(format!("tornado-httpserver-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("http.sock");
        let server = HTTPServer::from_fn(describe);
        server.add_socket(bind_unix_socket(&path).unwrap()).unwrap();
        let socket_path = path.clone();
        let (good, bad) = off_loop(move || {
            let exchange = |request: &[u8]| {
                let mut s = std::os::unix::net::UnixStream::connect(&socket_path).unwrap();
                s.write_all(request).unwrap();
                s.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
                let mut got = Vec::new();
                let _ = s.read_to_end(&mut got);
                String::from_utf8_lossy(&got).into_owned()
            };
            (
                exchange(b"GET /hello HTTP/1.0\r\n\r\n"),
                exchange(b"garbage\r\n\r\n"),
            )
        })
        .await;
        assert!(
            body_of(&good).starts_with("GET /hello HTTP/1.0\nremote_ip=0.0.0.0\n"),
            "{good}"
        );
        assert_eq!(bad, "HTTP/1.1 400 Bad Request\r\n\r\n");
        server.stop();
        std::fs::remove_dir_all(&dir).unwrap();
    });
}

#[test]
fn a_panicking_callback_costs_one_request() {
    run(async {
        let server = HTTPServer::from_fn(|request: HTTPServerRequest| {
            if request.path() == "/boom" {
                panic!("the callback panics");
            }
            text_response(&request, 200, "fine".into());
        });
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        let got = off_loop(move || raw(address, b"GET /boom HTTP/1.1\r\nHost: x\r\n\r\n")).await;
        assert!(
            got.starts_with("HTTP/1.1 500 Internal Server Error\r\n"),
            "{got}"
        );
        let got = off_loop(move || raw(address, b"GET / HTTP/1.0\r\n\r\n")).await;
        assert_eq!(body_of(&got), "fine");
        server.stop();
    });
}

/// A server whose `/slow` answers after `delay`.
fn slow_server(delay: Duration) -> HTTPServer<impl tornado_httputil::HTTPServerConnectionDelegate> {
    HTTPServer::from_async_fn(move |request: HTTPServerRequest| async move {
        if request.path() == "/slow" {
            sleep(delay).await;
        }
        text_response(&request, 200, format!("done {}", request.path()));
    })
}

#[test]
fn graceful_shutdown_finishes_requests_in_flight() {
    run(async {
        let server = slow_server(Duration::from_millis(300));
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        // An idle keep-alive connection, and a request in flight.
        let idle = off_loop(move || {
            let mut s = TcpStream::connect(address).unwrap();
            s.write_all(b"GET /fast HTTP/1.1\r\nHost: x\r\n\r\n")
                .unwrap();
            s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut first = [0u8; 256];
            let n = s.read(&mut first).unwrap();
            assert!(first[..n].starts_with(b"HTTP/1.1 200"));
            s
        })
        .await;
        let in_flight = IOLoop::current()
            .run_in_executor(move || raw(address, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
        sleep(Duration::from_millis(50)).await;
        assert_eq!(server.connection_count(), 2);
        let started = Instant::now();
        let shutdown = {
            let server = server.clone();
            IOLoop::current().spawn(async move { server.shutdown(Duration::from_secs(5)).await })
        };
        // The idle connection closes at once.
        let idle_closed = off_loop(move || {
            let mut s = idle;
            let mut rest = Vec::new();
            s.read_to_end(&mut rest)
                .map(|_| rest.is_empty())
                .unwrap_or(true)
        })
        .await;
        assert!(idle_closed);
        // The request in flight is answered, with Connection: close, then closed.
        let answer = in_flight.await.unwrap();
        assert!(answer.contains("Connection: close\r\n"), "{answer}");
        assert_eq!(body_of(&answer), "done /slow");
        shutdown.await.unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(server.connection_count(), 0);
        // No new connections are accepted.
        let refused = off_loop(move || TcpStream::connect(address).is_err()).await;
        assert!(refused);
    });
}

#[test]
fn shutdown_grace_ends_and_close_all_connections() {
    run(async {
        let server = slow_server(Duration::from_secs(30));
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        let stuck = IOLoop::current()
            .run_in_executor(move || raw(address, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
        sleep(Duration::from_millis(50)).await;
        let started = Instant::now();
        server.shutdown(Duration::from_millis(100)).await;
        assert!(started.elapsed() < Duration::from_secs(5));
        assert_eq!(stuck.await.unwrap(), "", "closed without an answer");
        // close_all_connections on a running server.
        let server = slow_server(Duration::from_secs(30));
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        let stuck = IOLoop::current()
            .run_in_executor(move || raw(address, b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"));
        sleep(Duration::from_millis(50)).await;
        server.close_all_connections().await;
        assert_eq!(stuck.await.unwrap(), "");
        assert_eq!(server.connection_count(), 0);
        server.stop();
    });
}

#[test]
fn curl_keep_alive_chunked_upload_and_100_continue() {
    run(async {
        let server = HTTPServer::from_fn(|request: HTTPServerRequest| {
            let body = format!("{} {} bytes", request.path(), request.body.len());
            text_response(&request, 200, body);
        });
        server.listen(0, Some("127.0.0.1")).unwrap();
        let port = server.local_addrs()[0].port();
        let output = off_loop(move || {
            let big = "x".repeat(100_000);
            Command::new("curl")
                .args(["-sS", "-v", "--max-time", "10"])
                .arg(format!("http://127.0.0.1:{port}/one"))
                .arg(format!("http://127.0.0.1:{port}/two"))
                .output()
                .and_then(|keep| {
                    let chunked = Command::new("curl")
                        .args([
                            "-sS",
                            "--max-time",
                            "10",
                            "-H",
                            "Transfer-Encoding: chunked",
                            "--data-binary",
                            &big,
                        ])
                        .arg(format!("http://127.0.0.1:{port}/chunked"))
                        .output()?;
                    let expect = Command::new("curl")
                        .args([
                            "-sS",
                            "-v",
                            "--max-time",
                            "10",
                            "-H",
                            "Expect: 100-continue",
                            "--data-binary",
                            &big,
                        ])
                        .arg(format!("http://127.0.0.1:{port}/expect"))
                        .output()?;
                    Ok((keep, chunked, expect))
                })
                .expect("curl is installed (CI installs it)")
        })
        .await;
        let (keep, chunked, expect) = output;
        let out = String::from_utf8_lossy(&keep.stdout);
        assert_eq!(out, "/one 0 bytes/two 0 bytes");
        let log = String::from_utf8_lossy(&keep.stderr);
        assert!(
            log.contains("Re-using existing connection") || log.contains("Reusing existing"),
            "{log}"
        );
        assert_eq!(
            String::from_utf8_lossy(&chunked.stdout),
            "/chunked 100000 bytes"
        );
        assert_eq!(
            String::from_utf8_lossy(&expect.stdout),
            "/expect 100000 bytes"
        );
        assert!(String::from_utf8_lossy(&expect.stderr).contains("HTTP/1.1 100 (Continue)"));
        server.stop();
    });
}

#[test]
fn python_http_client_keep_alive_and_chunked_upload() {
    run(async {
        let served = Rc::new(Cell::new(0));
        let count = served.clone();
        let server = HTTPServer::from_fn(move |request: HTTPServerRequest| {
            count.set(count.get() + 1);
            let body = format!(
                "{}:{}",
                request.path(),
                String::from_utf8_lossy(&request.body)
            );
            text_response(&request, 200, body);
        });
        server.listen(0, Some("127.0.0.1")).unwrap();
        let port = server.local_addrs()[0].port();
        let script = format!(
            r#"
import http.client
c = http.client.HTTPConnection("127.0.0.1", {port}, timeout=10)
c.request("GET", "/a"); r = c.getresponse(); first = r.read()
sock = c.sock
c.request("POST", "/b", body=iter([b"chunk1-", b"chunk2"]), encode_chunked=True,
          headers={{"Transfer-Encoding": "chunked"}})
r = c.getresponse(); second = r.read()
print(first.decode(), second.decode(), c.sock is sock)
"#
        );
        let output = run_python(script).await;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            "/a: /b:chunk1-chunk2 True"
        );
        assert_eq!(served.get(), 2);
        server.stop();
    });
}

#[test]
fn max_connections_holds_further_connections_back() {
    run(async {
        let server = HTTPServer::with_options(
            tornado_httpserver::CallableAdapter::new(tornado_httpserver::SyncCallback(describe)),
            HTTPServerOptions {
                max_connections: Some(1),
                ..HTTPServerOptions::default()
            },
        )
        .unwrap();
        server.listen(0, Some("127.0.0.1")).unwrap();
        let address = server.local_addrs()[0];
        let log = Rc::new(RefCell::new(Vec::new()));
        // The first connection stays open; the second is served once it closes.
        let first = off_loop(move || {
            let mut s = TcpStream::connect(address).unwrap();
            s.write_all(b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
            let mut buf = [0u8; 512];
            let _ = s.read(&mut buf).unwrap();
            s
        })
        .await;
        let second =
            IOLoop::current().run_in_executor(move || raw(address, b"GET /2 HTTP/1.0\r\n\r\n"));
        sleep(Duration::from_millis(100)).await;
        log.borrow_mut().push(server.connection_count());
        drop(first);
        let answer = second.await.unwrap();
        assert!(answer.contains("GET /2 HTTP/1.0"), "{answer}");
        assert_eq!(*log.borrow(), vec![1]);
        server.stop();
    });
}

/// The Python the tests run: `.ci/test`'s venv (with `requests`), else `python3`.
fn python() -> String {
    std::env::var("TORNADO_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Runs a Python script on another thread (the loop serves it meanwhile).
async fn run_python(script: String) -> std::process::Output {
    off_loop(move || {
        Command::new(python())
            .args(["-c", &script])
            .output()
            .expect("python3 is installed")
    })
    .await
}

#[test]
fn python_requests_session_keep_alive_and_uploads() {
    run(async {
        let server = HTTPServer::from_fn(describe);
        server.listen(0, Some("127.0.0.1")).unwrap();
        let port = server.local_addrs()[0].port();
        let script = format!(
            r#"
import requests
s = requests.Session()
base = "http://127.0.0.1:{port}"
a = s.get(base + "/a?x=1", timeout=10)
b = s.post(base + "/b", data={{"k": "v"}}, files={{"up": ("f.txt", b"file body", "text/plain")}}, timeout=10)
# A generator body goes out chunked.
c = s.post(base + "/c", data=(p for p in [b"k=", b"chunked"]), headers={{"Content-Type": "application/x-www-form-urlencoded"}}, timeout=10)
print(a.status_code, b.status_code, c.status_code)
print("file up: f.txt text/plain file body" in b.text, 'k=["v"]' in b.text, 'k=["chunked"]' in c.text)
print(len(s.adapters["http://"].poolmanager.pools))
"#
        );
        let output = run_python(script).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "{stderr}\n(requests comes from .ci/test's venv: run the tests with .ci/test)"
        );
        assert_eq!(
            String::from_utf8_lossy(&output.stdout).trim(),
            "200 200 200\nTrue True True\n1"
        );
        server.stop();
    });
}

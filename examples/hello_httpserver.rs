//! The smallest useful server: an `HTTPServer` with a request callback and no web
//! framework, answering the two TechEmpower shapes the benchmarks use.
//!
//! ```sh
//! cargo run --release --example hello_httpserver -- --port=8080
//! curl -i http://127.0.0.1:8080/plaintext
//! curl -i http://127.0.0.1:8080/json
//! ```
//!
//! - `GET /plaintext` → `Hello, World!` (text/plain)
//! - `GET /json` → `{"message":"Hello, World!"}` (application/json, serialized per request)
//! - anything else → 404
//!
//! `--backlog=N` sets the listen backlog (1024 here, as tokio's listeners use; Tornado's
//! default of 128 makes a benchmark that opens thousands of connections at once wait for
//! SYN retries).

use bytes::Bytes;
use serde::Serialize;
use tornado::httpserver::{HTTPServer, respond};
use tornado::httputil::{HTTPHeaders, HTTPServerRequest};
use tornado::ioloop::IOLoop;
use tornado::netutil::BindOptions;

#[derive(Serialize)]
struct Message {
    message: &'static str,
}

thread_local! {
    /// The headers every answer of a kind carries (what a Tornado `RequestHandler`
    /// sends by default), checked once per thread; `respond` adds `Date` and
    /// `Content-Length`.
    static PLAIN: HTTPHeaders = standard_headers("text/plain");
    static JSON: HTTPHeaders = standard_headers("application/json");
}

fn standard_headers(content_type: &str) -> HTTPHeaders {
    let mut headers = HTTPHeaders::new();
    // Valid constants: neither add can fail.
    let _ = headers.add("Server", "TornadoServer/6.5.2");
    let _ = headers.add("Content-Type", content_type);
    headers
}

/// Answers one request. The callback runs on the loop's thread; it writes the whole
/// response through `request.connection`.
fn hello(request: HTTPServerRequest) {
    let (code, kind, body) = match request.path() {
        "/plaintext" => (200, &PLAIN, Bytes::from_static(b"Hello, World!")),
        "/json" => {
            let json = serde_json::to_vec(&Message {
                message: "Hello, World!",
            })
            .unwrap_or_default();
            (200, &JSON, Bytes::from(json))
        }
        _ => (404, &PLAIN, Bytes::new()),
    };
    if let Some(connection) = &request.connection {
        // A client that went away is not worth a log line in a benchmark server.
        let _ = kind.with(|headers| respond(connection, code, headers, body));
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    tornado::options::define(
        tornado::options::Opt::new("port")
            .default(8080)
            .help("the TCP port to listen on"),
    )?;
    tornado::options::define(
        tornado::options::Opt::new("backlog")
            .default(1024)
            .help("the listen(2) backlog (Tornado's default is 128; benchmarks open thousands of connections at once)"),
    )?;
    tornado::options::parse_command_line();
    let port: i64 = tornado::options::options().get("port")?;
    let port = u16::try_from(port).map_err(|_| format!("--port={port} is not a TCP port"))?;
    let backlog: i64 = tornado::options::options().get("backlog")?;
    let backlog =
        i32::try_from(backlog).map_err(|_| format!("--backlog={backlog} is too large"))?;
    // Many benchmark connections need more descriptors than the usual soft limit.
    tornado::ioloop::raise_fd_limit()?;

    let io_loop = IOLoop::new()?;
    let server = HTTPServer::from_fn(hello).on_loop(&io_loop);
    let bind = BindOptions {
        backlog,
        ..BindOptions::default()
    };
    server.listen_with(port, Some("127.0.0.1"), &bind)?;
    eprintln!("hello_httpserver listening on 127.0.0.1:{port}");
    io_loop.add_signal_handler(libc::SIGTERM, || IOLoop::current().stop())?;
    io_loop.add_signal_handler(libc::SIGINT, || IOLoop::current().stop())?;
    io_loop.start()?;
    Ok(())
}

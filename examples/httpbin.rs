//! An httpbin-like server on the bare `HTTPServer` and `tornado::httputil`, for trying a
//! server by hand and for conformance runs.
//!
//! ```sh
//! cargo run --release --example httpbin -- --port=8000
//! curl -i http://127.0.0.1:8000/headers
//! curl -i 'http://127.0.0.1:8000/args?a=1&a=2' -F 'file=@README.md'
//! curl -N http://127.0.0.1:8000/stream?n=5\&delay=0.2
//! ```
//!
//! Options (`--help` lists them): `--port`, `--max-body-size=BYTES`,
//! `--max-header-size=BYTES`, `--idle-connection-timeout=SECONDS`,
//! `--body-timeout=SECONDS`. It listens on 127.0.0.1 only.
//!
//! | route | answer |
//! |---|---|
//! | `GET`/`HEAD /` | `Hello, world` (text/plain; HEAD: same headers, no body) |
//! | `POST /echo` | the request body, with its `Content-Type` (default `application/octet-stream`) |
//! | `GET /headers` | JSON: lower-case header name → values in the order received |
//! | `GET`/`POST /args` | JSON: method, query and body arguments, uploaded files |
//! | `GET /cookie` | JSON: the request's cookies (first 50); sets two cookies |
//! | `GET /redirect?to=URL` | 302 to `URL` (missing, or with control characters: 400) |
//! | `GET /stream?n=5&delay=0.1` | `chunk 0\n` … `chunk 4\n`, each flushed `delay` s apart |
//! | `GET /sleep?ms=N` | `slept N`, after a non-blocking sleep (N ≤ 5000) |
//! | `GET /error` | the callback panics: a 500, and the server keeps serving |
//! | anything else | 404 |

use std::time::Duration;

use bytes::Bytes;
use serde_json::{Map, Value, json};
use tornado::httpserver::{HTTPServer, HTTPServerOptions, respond};
use tornado::httputil::{
    Arguments, HTTPHeaders, HTTPServerRequest, HTTPVersion, ResponseStartLine, StartLine,
};
use tornado::ioloop::{IOLoop, sleep};
use tornado::options::{Opt, define, options, parse_command_line};

/// Writes a complete response, with the headers every route shares.
fn answer(request: &HTTPServerRequest, code: u16, headers: &mut HTTPHeaders, body: Bytes) {
    let Some(connection) = &request.connection else {
        return;
    };
    let length = body.len().to_string();
    let ok = headers
        .setdefault("Content-Type", "text/plain; charset=UTF-8")
        .map(drop)
        .and_then(|()| headers.set("Content-Length", &length));
    // HEAD: the same headers, no body.
    let body = if request.method == http::Method::HEAD {
        Bytes::new()
    } else {
        body
    };
    if ok.is_ok() {
        let _ = respond(connection, code, headers, body);
    }
}

fn text(request: &HTTPServerRequest, code: u16, body: impl Into<String>) {
    answer(
        request,
        code,
        &mut HTTPHeaders::new(),
        Bytes::from(body.into()),
    );
}

fn json_answer(request: &HTTPServerRequest, value: &Value) {
    let mut headers = HTTPHeaders::new();
    let _ = headers.add("Content-Type", "application/json");
    let body = serde_json::to_vec_pretty(value).unwrap_or_default();
    answer(request, 200, &mut headers, Bytes::from(body));
}

/// Arguments as JSON: name → values, decoded as UTF-8 with U+FFFD for bad bytes.
fn arguments_json(arguments: &Arguments) -> Value {
    let mut map = Map::new();
    for (name, values) in arguments.iter() {
        let values: Vec<Value> = values
            .iter()
            .map(|v| Value::String(String::from_utf8_lossy(v).into_owned()))
            .collect();
        map.insert(name.clone(), Value::Array(values));
    }
    Value::Object(map)
}

/// The first value of a query argument, as text.
fn query(request: &HTTPServerRequest, name: &str) -> Option<String> {
    request
        .query_arguments
        .get(name)
        .and_then(|values| values.first())
        .map(|v| String::from_utf8_lossy(v).into_owned())
}

fn headers_route(request: &HTTPServerRequest) {
    let mut map = Map::new();
    for (name, value) in request.headers.get_all() {
        let entry = map
            .entry(name.to_ascii_lowercase())
            .or_insert_with(|| Value::Array(Vec::new()));
        if let Value::Array(values) = entry {
            values.push(Value::String(value.to_owned()));
        }
    }
    json_answer(request, &Value::Object(map));
}

fn args_route(request: &HTTPServerRequest) {
    let mut files = Map::new();
    for (name, list) in request.files.iter() {
        let list: Vec<Value> = list
            .iter()
            .map(|f| {
                json!({"filename": f.filename, "size": f.body.len(), "content_type": f.content_type})
            })
            .collect();
        files.insert(name.clone(), Value::Array(list));
    }
    json_answer(
        request,
        &json!({
            "method": request.method.as_str(),
            "query": arguments_json(&request.query_arguments),
            "body": arguments_json(&request.body_arguments),
            "files": Value::Object(files),
        }),
    );
}

fn cookie_route(request: &HTTPServerRequest) {
    let cookies = request.cookies();
    let mut first = Map::new();
    for (name, value) in cookies.iter().take(50) {
        first.insert(name.clone(), Value::String(value.clone()));
    }
    let mut headers = HTTPHeaders::new();
    let _ = headers.add("Content-Type", "application/json");
    let _ = headers.add("Set-Cookie", "session=abc123; Path=/; HttpOnly");
    let _ = headers.add("Set-Cookie", "theme=dark; Path=/");
    let body = json!({"count": cookies.len(), "cookies": Value::Object(first)});
    answer(
        request,
        200,
        &mut headers,
        Bytes::from(serde_json::to_vec_pretty(&body).unwrap_or_default()),
    );
}

fn redirect_route(request: &HTTPServerRequest) {
    match query(request, "to") {
        Some(to) if !to.is_empty() && !to.chars().any(char::is_control) => {
            let mut headers = HTTPHeaders::new();
            if headers.add("Location", &to).is_ok() {
                answer(request, 302, &mut headers, Bytes::new());
            } else {
                text(request, 400, "bad redirect target\n");
            }
        }
        _ => text(
            request,
            400,
            "?to= is missing or holds control characters\n",
        ),
    }
}

/// Streams `n` chunks, each written and flushed `delay` seconds apart: chunked on
/// HTTP/1.1, the connection's end on HTTP/1.0.
async fn stream_route(request: HTTPServerRequest) {
    let Some(connection) = request.connection.clone() else {
        return;
    };
    let n: usize = query(&request, "n")
        .and_then(|n| n.parse().ok())
        .unwrap_or(5)
        .min(1000);
    let delay: f64 = query(&request, "delay")
        .and_then(|d| d.parse().ok())
        .filter(|d: &f64| d.is_finite() && *d >= 0.0)
        .unwrap_or(0.1)
        .min(10.0);
    let mut headers = HTTPHeaders::new();
    let _ = headers.add("Content-Type", "text/plain; charset=UTF-8");
    let status = StartLine::Response(ResponseStartLine {
        version: HTTPVersion::HTTP_11,
        code: 200,
        reason: "OK".into(),
    });
    if connection.write_headers(&status, &headers, None).is_err() {
        return;
    }
    for i in 0..n {
        if i > 0 {
            sleep(Duration::from_secs_f64(delay)).await;
        }
        if connection
            .write(Bytes::from(format!("chunk {i}\n")))
            .is_err()
            || connection.flush().await.is_err()
        {
            return;
        }
    }
    let _ = connection.finish();
}

async fn sleep_route(request: HTTPServerRequest) {
    match query(&request, "ms").and_then(|ms| ms.parse::<u64>().ok()) {
        Some(ms) if ms <= 5000 => {
            sleep(Duration::from_millis(ms)).await;
            text(&request, 200, format!("slept {ms}"));
        }
        _ => text(
            &request,
            400,
            "?ms= must be a number of milliseconds up to 5000\n",
        ),
    }
}

/// Routes one request.
async fn httpbin(request: HTTPServerRequest) {
    use http::Method;
    let method = request.method.clone();
    match (request.path(), method) {
        ("/", Method::GET | Method::HEAD) => text(&request, 200, "Hello, world"),
        ("/echo", Method::POST) => {
            let mut headers = HTTPHeaders::new();
            let content_type = request
                .headers
                .get("Content-Type")
                .unwrap_or("application/octet-stream")
                .to_owned();
            let _ = headers.add("Content-Type", &content_type);
            let body = request.body.clone();
            answer(&request, 200, &mut headers, body);
        }
        ("/headers", Method::GET) => headers_route(&request),
        ("/args", Method::GET | Method::POST) => args_route(&request),
        ("/cookie", Method::GET) => cookie_route(&request),
        ("/redirect", Method::GET) => redirect_route(&request),
        ("/stream", Method::GET) => stream_route(request).await,
        ("/sleep", Method::GET) => sleep_route(request).await,
        ("/error", Method::GET) => panic!("/error panics on purpose"),
        _ => text(&request, 404, "not found\n"),
    }
}

fn seconds(name: &str) -> Result<Option<Duration>, Box<dyn std::error::Error>> {
    let value: f64 = options().get(name)?;
    if !value.is_finite() || value < 0.0 {
        return Err(format!("--{name} must be a number of seconds, not {value}").into());
    }
    Ok((value > 0.0).then(|| Duration::from_secs_f64(value)))
}

fn bytes_option(name: &str) -> Result<Option<usize>, Box<dyn std::error::Error>> {
    let value: i64 = options().get(name)?;
    if value < 0 {
        return Err(format!("--{name} must not be negative").into());
    }
    Ok((value > 0).then_some(value as usize))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let _ = tornado::log::options();
    define(
        Opt::new("port")
            .default(8000)
            .help("the TCP port to listen on"),
    )?;
    define(
        Opt::new("max_body_size")
            .default(0)
            .help("largest request body in bytes (0: 100 MiB)"),
    )?;
    define(
        Opt::new("max_header_size")
            .default(0)
            .help("longest request head in bytes (0: 64 KiB)"),
    )?;
    define(
        Opt::new("idle_connection_timeout")
            .default(0.0)
            .help("seconds a connection may wait for a request (0: 3600)"),
    )?;
    define(
        Opt::new("body_timeout")
            .default(0.0)
            .help("seconds reading a body may take (0: no limit)"),
    )?;
    parse_command_line();
    let port: i64 = options().get("port")?;
    let port = u16::try_from(port).map_err(|_| format!("--port={port} is not a TCP port"))?;
    let server_options = HTTPServerOptions {
        max_body_size: bytes_option("max_body_size")?,
        max_header_size: bytes_option("max_header_size")?,
        idle_connection_timeout: seconds("idle_connection_timeout")?,
        body_timeout: seconds("body_timeout")?,
        ..HTTPServerOptions::default()
    };

    let io_loop = IOLoop::new()?;
    let server = HTTPServer::with_options(
        tornado::httpserver::CallableAdapter::new(tornado::httpserver::AsyncCallback(httpbin)),
        server_options,
    )?
    .on_loop(&io_loop);
    server.listen(port, Some("127.0.0.1"))?;
    log::info!(target: "tornado.general", "httpbin listening on 127.0.0.1:{port}");
    eprintln!("httpbin listening on 127.0.0.1:{port}");
    // Ctrl-C or SIGTERM: stop accepting, let requests in flight finish (5 s at most).
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let server = server.clone();
        io_loop.add_signal_handler(signal, move || {
            let server = server.clone();
            IOLoop::current().spawn_callback(async move {
                server.shutdown(Duration::from_secs(5)).await;
                IOLoop::current().stop();
            });
        })?;
    }
    io_loop.start()?;
    Ok(())
}

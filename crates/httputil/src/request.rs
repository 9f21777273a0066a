//! `HTTPServerRequest`: one HTTP request as a server sees it, and the `Host` rules.

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::Method;
use tornado_escape::parse_qs_bytes;

use crate::abnf;
use crate::body::{Arguments, Files, parse_body_arguments};
use crate::cookie::{Cookies, request_cookies};
use crate::delegate::HTTPConnection;
use crate::error::{Error, Result, py_repr};
use crate::headers::HTTPHeaders;
use crate::start_line::{HTTPVersion, RequestStartLine};
use crate::url::split_host_and_port;

/// Checks the `Host` header of a request as Tornado 6.5 does, and returns the host.
///
/// * No `Host`: an HTTP/1.0 request gets `"127.0.0.1"`; any other version is an
///   `HTTPInputError` "Missing Host header".
/// * A host that is not `uri-host [":" port]` (RFC 3986 characters, `%XX` escapes,
///   `[`, `]`, `:`) is "Invalid Host header: ...". The empty host passes.
/// * A comma anywhere, which is what two `Host` headers become once joined, is
///   "Multiple host headers not allowed: ...".
///
/// The HTTP/1 code calls this before building the request, to answer 400.
///
/// ```
/// use tornado_httputil::{validate_host_header, HTTPHeaders, HTTPVersion};
/// let mut h = HTTPHeaders::new();
/// assert_eq!(validate_host_header(&h, HTTPVersion::HTTP_10).unwrap(), "127.0.0.1");
/// assert_eq!(validate_host_header(&h, HTTPVersion::HTTP_11).unwrap_err().to_string(), "Missing Host header");
/// h.add("Host", "example.com:8080").unwrap();
/// assert_eq!(validate_host_header(&h, HTTPVersion::HTTP_11).unwrap(), "example.com:8080");
/// h.add("Host", "evil.com").unwrap();
/// assert_eq!(
///     validate_host_header(&h, HTTPVersion::HTTP_11).unwrap_err().to_string(),
///     "Multiple host headers not allowed: 'example.com:8080,evil.com'"
/// );
/// ```
pub fn validate_host_header(headers: &HTTPHeaders, version: HTTPVersion) -> Result<&str> {
    validate_host(headers.get("Host"), version)
}

/// [`validate_host_header`] on the `Host` value itself (`None` when there is none), for
/// code that has already looked it up.
pub fn validate_host(host: Option<&str>, version: HTTPVersion) -> Result<&str> {
    let host = match host {
        Some(host) => host,
        None if version == HTTPVersion::HTTP_10 => "127.0.0.1",
        None => return Err(Error::input("Missing Host header")),
    };
    if is_last_host(host) || abnf::is_plain_host(host) {
        return Ok(host);
    }
    if !abnf::is_valid_host(host) {
        return Err(Error::input(format!(
            "Invalid Host header: {}",
            py_repr(host)
        )));
    }
    if host.contains(',') {
        return Err(Error::input(format!(
            "Multiple host headers not allowed: {}",
            py_repr(host)
        )));
    }
    Ok(host)
}

/// A request target's path and query (empty without a `?`). Targets are short: a plain
/// loop beats a vectorised search.
fn split_uri(uri: &str) -> (&str, &str) {
    match uri.bytes().position(|b| b == b'?') {
        Some(at) => (&uri[..at], &uri[at + 1..]),
        None => (uri, ""),
    }
}

thread_local! {
    /// The last host a request of this thread named, checked, with its host name.
    static LAST_HOST: RefCell<Option<(Rc<str>, Rc<str>)>> = const { RefCell::new(None) };
}

/// `host` is the one the last request named (so it was checked then).
fn is_last_host(host: &str) -> bool {
    LAST_HOST.with_borrow(|last| last.as_ref().is_some_and(|(last, _)| **last == *host))
}

/// The checked host of a request (see [`validate_host`]) and its host name, shared with
/// the previous request when it named the same host.
fn host_and_name(host: Option<&str>, version: HTTPVersion) -> Result<(Rc<str>, Rc<str>)> {
    let cached = LAST_HOST.with_borrow(|last| {
        last.as_ref()
            .filter(|(last, _)| host.is_some_and(|host| **last == *host))
            .cloned()
    });
    if let Some(both) = cached {
        return Ok(both);
    }
    let host = validate_host(host, version)?;
    // Tornado splits the lower-cased host; lower-casing ASCII moves no ':', so
    // splitting first and lower-casing the name alone gives the same.
    let name = split_host_and_port(host).0;
    let name: Rc<str> = if name.bytes().any(|b| b.is_ascii_uppercase()) {
        name.to_ascii_lowercase().into()
    } else {
        name.into()
    };
    let both = (Rc::<str>::from(host), name);
    LAST_HOST.set(Some(both.clone()));
    Ok(both)
}

/// One HTTP request received by a server: Tornado's `HTTPServerRequest`, which web
/// handlers see as `self.request`.
///
/// The fields are Tornado's attributes. The body's form arguments and files are
/// filled by [`parse_body`](Self::parse_body) (Tornado's `_parse_body`), which the
/// server calls once the body has arrived; cookies are parsed on first use.
///
/// Tornado's `connection` and `server_connection` attributes, and the delegate
/// interfaces (`HTTPServerConnectionDelegate`, `HTTPMessageDelegate`,
/// `HTTPConnection`) that a request travels through, belong with the HTTP/1 connection
/// code on the event loop and are not part of this crate yet; `remote_ip` and
/// `protocol`, which Tornado reads from the connection's context, are plain fields
/// here that the server sets.
///
/// ```
/// use http::Method;
/// use tornado_httputil::{HTTPHeaders, HTTPServerRequest, HTTPVersion};
/// let headers = HTTPHeaders::parse("Host: Example.com:8000\r\nCookie: a=1; b=\"x\"\r\n").unwrap();
/// let request = HTTPServerRequest::new(Method::GET, "/p?q=1&q=2", HTTPVersion::HTTP_11, headers).unwrap();
/// assert_eq!((request.path(), request.query()), ("/p", "q=1&q=2"));
/// assert_eq!(&*request.host_name, "example.com");
/// assert_eq!(request.arguments["q"], [b"1".to_vec(), b"2".to_vec()]);
/// assert_eq!(request.cookies()["b"], "x");
/// assert_eq!(request.full_url(), "http://Example.com:8000/p?q=1&q=2");
/// ```
#[derive(Clone)]
pub struct HTTPServerRequest {
    /// The method (`GET`, `POST`, or any other token).
    pub method: Method,
    /// The request target as sent: path and query.
    pub uri: String,
    /// The HTTP version of the request.
    pub version: HTTPVersion,
    /// The request headers.
    pub headers: HTTPHeaders,
    /// The request body (empty until the server has read it).
    pub body: Bytes,
    /// The client's IP address, set by the server (from `X-Real-Ip` /
    /// `X-Forwarded-For` when `xheaders` is on); `None` until then, as in Tornado when
    /// there is no connection.
    pub remote_ip: Option<Rc<str>>,
    /// `"http"` or `"https"`, set by the server (from `X-Scheme` /
    /// `X-Forwarded-Proto` when `xheaders` is on).
    pub protocol: Cow<'static, str>,
    /// The requested host: the `Host` header, or `127.0.0.1` for HTTP/1.0 without one.
    /// (Shared: the requests of a server nearly always name the same host, so the
    /// string is kept from one request to the next.)
    pub host: Rc<str>,
    /// The host lower-cased, without the port.
    pub host_name: Rc<str>,
    /// Query and body arguments together, query first (Tornado's `arguments`).
    pub arguments: Arguments,
    /// Arguments from the query string.
    pub query_arguments: Arguments,
    /// Arguments from the body (after [`parse_body`](Self::parse_body)).
    pub body_arguments: Arguments,
    /// Uploaded files by field name (after [`parse_body`](Self::parse_body)).
    pub files: Files,
    /// Where the response goes: set by the server (Tornado's `request.connection`).
    pub connection: Option<Rc<dyn HTTPConnection>>,
    start_time: Instant,
    finish_time: Option<Instant>,
    cookies: OnceLock<Box<Cookies>>,
}

impl HTTPServerRequest {
    /// A request with the given start line and headers, checked and prepared as
    /// Tornado's constructor does: the `Host` header is checked
    /// ([`validate_host_header`]), `host_name` derived, and the query string parsed
    /// into `arguments` and `query_arguments` (blank values kept).
    pub fn new(
        method: Method,
        uri: impl Into<String>,
        version: HTTPVersion,
        headers: HTTPHeaders,
    ) -> Result<Self> {
        Self::build(method, uri.into(), version, headers, Instant::now())
    }

    fn build(
        method: Method,
        uri: String,
        version: HTTPVersion,
        headers: HTTPHeaders,
        start_time: Instant,
    ) -> Result<Self> {
        let (host, host_name) = host_and_name(headers.get("Host"), version)?;
        let query = split_uri(&uri).1;
        // Non-strict parsing does not fail.
        let arguments = if query.is_empty() {
            Arguments::new()
        } else {
            parse_qs_bytes(query, true, false).unwrap_or_default()
        };
        Ok(HTTPServerRequest {
            method,
            version,
            headers,
            body: Bytes::new(),
            remote_ip: None,
            protocol: Cow::Borrowed("http"),
            host,
            host_name,
            query_arguments: if arguments.is_empty() {
                Arguments::new()
            } else {
                arguments.clone()
            },
            arguments,
            body_arguments: Arguments::new(),
            files: Files::new(),
            connection: None,
            start_time,
            finish_time: None,
            cookies: OnceLock::new(),
            uri,
        })
    }

    /// A request from a parsed start line (Tornado's `start_line=` argument).
    pub fn from_start_line(start_line: RequestStartLine, headers: HTTPHeaders) -> Result<Self> {
        Self::from_start_line_at(start_line, headers, Instant::now())
    }

    /// [`from_start_line`](Self::from_start_line) for a request that arrived at `start`
    /// (where [`request_time`](Self::request_time) counts from): for a server that
    /// builds the request once it has read the body.
    pub fn from_start_line_at(
        start_line: RequestStartLine,
        headers: HTTPHeaders,
        start: Instant,
    ) -> Result<Self> {
        Self::build(
            start_line.method,
            start_line.path,
            start_line.version,
            headers,
            start,
        )
    }

    /// The same request with this body.
    pub fn with_body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = body.into();
        self
    }

    /// The path part of `uri` (before the first `?`).
    pub fn path(&self) -> &str {
        split_uri(&self.uri).0
    }

    /// The query part of `uri` (after the first `?`; empty without one).
    pub fn query(&self) -> &str {
        split_uri(&self.uri).1
    }

    /// The cookies of the `Cookie` header, parsed on first use: Tornado's
    /// `request.cookies`, by [`crate::request_cookies`] (names Python's `http.cookies`
    /// refuses, such as `path` or `/`, are dropped).
    pub fn cookies(&self) -> &Cookies {
        self.cookies.get_or_init(|| {
            self.headers
                .get("Cookie")
                .map(request_cookies)
                .unwrap_or_default()
                .into()
        })
    }

    /// `protocol://host` followed by `uri`: Tornado's `full_url()`.
    pub fn full_url(&self) -> String {
        format!("{}://{}{}", self.protocol, self.host, self.uri)
    }

    /// How long the request has taken: from its creation to
    /// [`mark_finished`](Self::mark_finished), or to now (Tornado's `request_time()`,
    /// in seconds there; `.as_secs_f64()` here).
    pub fn request_time(&self) -> Duration {
        self.finish_time
            .unwrap_or_else(Instant::now)
            .saturating_duration_since(self.start_time)
    }

    /// Starts the clock of [`request_time`](Self::request_time) at `start` instead of
    /// at the request's creation: for a server that builds the request after it has
    /// read the body, from the moment the head arrived.
    pub fn set_start_time(&mut self, start: Instant) {
        self.start_time = start;
    }

    /// Stops the clock of [`request_time`](Self::request_time).
    pub fn mark_finished(&mut self) {
        self.finish_time = Some(Instant::now());
    }

    /// Parses the body's form arguments and files into `body_arguments` and `files`,
    /// then appends the body arguments to `arguments`: Tornado's `_parse_body`, with
    /// the process-wide [`crate::ParseBodyConfig`]. See [`parse_body_arguments`].
    pub fn parse_body(&mut self) -> Result<()> {
        let content_type = self.headers.get("Content-Type").unwrap_or_default();
        parse_body_arguments(
            content_type,
            &self.body,
            &mut self.body_arguments,
            &mut self.files,
            Some(&self.headers),
        )?;
        for (name, values) in &self.body_arguments {
            self.arguments
                .entry(name.clone())
                .or_default()
                .extend(values.iter().cloned());
        }
        Ok(())
    }
}

/// The target's buffer goes back to the thread, for the target of a request parsed
/// later.
impl Drop for HTTPServerRequest {
    fn drop(&mut self) {
        crate::start_line::recycle_target(std::mem::take(&mut self.uri));
    }
}

/// Tornado's `repr`: protocol, host, method, uri, version and remote IP, never the
/// headers (they may hold credentials).
impl fmt::Debug for HTTPServerRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HTTPServerRequest")
            .field("protocol", &self.protocol)
            .field("host", &self.host)
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("version", &self.version.as_str())
            .field("remote_ip", &self.remote_ip)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(text: &str) -> HTTPHeaders {
        HTTPHeaders::parse(text).unwrap()
    }

    #[test]
    fn host_rules() {
        let ok =
            |t: &str| validate_host_header(&headers(t), HTTPVersion::HTTP_11).map(str::to_owned);
        assert_eq!(ok("Host: \r\n").unwrap(), "");
        assert_eq!(ok("Host: [::1]:80\r\n").unwrap(), "[::1]:80");
        assert_eq!(
            ok("Host: foo bar\r\n").unwrap_err().message(),
            "Invalid Host header: 'foo bar'"
        );
        assert_eq!(
            ok("Host: x,y\r\n").unwrap_err().message(),
            "Multiple host headers not allowed: 'x,y'"
        );
        let empty = HTTPHeaders::new();
        assert!(validate_host_header(&empty, HTTPVersion::from_minor(2).unwrap()).is_err());
    }

    #[test]
    fn default_request() {
        let r = HTTPServerRequest::new(Method::GET, "/", HTTPVersion::HTTP_10, HTTPHeaders::new())
            .unwrap();
        assert_eq!(&*r.host, "127.0.0.1");
        assert!(r.body.is_empty());
        assert!(r.cookies().is_empty());
        let repr = format!("{r:?}");
        assert!(repr.contains("127.0.0.1") && repr.contains("HTTP/1.0"));
    }

    #[test]
    fn hosts_are_shared_between_requests_naming_the_same() {
        let request = |host: &str| {
            HTTPServerRequest::new(
                Method::GET,
                "/",
                HTTPVersion::HTTP_11,
                headers(&format!("Host: {host}\r\n")),
            )
        };
        let a = request("Example.COM:80").unwrap();
        let b = request("Example.COM:80").unwrap();
        assert!(Rc::ptr_eq(&a.host, &b.host) && Rc::ptr_eq(&a.host_name, &b.host_name));
        assert_eq!((&*b.host, &*b.host_name), ("Example.COM:80", "example.com"));
        // Each new host is checked and named afresh.
        assert!(request("bad host").is_err());
        let c = request("other").unwrap();
        assert_eq!((&*c.host, &*c.host_name), ("other", "other"));
        assert!(request("x,y").is_err());
        assert_eq!(&*request("[::1]:8").unwrap().host_name, "[::1]");
    }

    #[test]
    fn target_buffers_pass_cleanly_from_request_to_request() {
        for path in ["/first?x=1", "/b", "/third/and/a/longer/path", "/"] {
            let line = crate::parse_request_start_line(&format!("GET {path} HTTP/1.1")).unwrap();
            let r = HTTPServerRequest::from_start_line(line, headers("Host: h\r\n")).unwrap();
            assert_eq!(r.uri, path);
        }
    }

    #[test]
    fn repr_hides_headers() {
        let r = HTTPServerRequest::new(
            Method::GET,
            "/",
            HTTPVersion::HTTP_11,
            headers("Host: h\r\nCanary: Coal Mine\r\n"),
        )
        .unwrap();
        assert!(!format!("{r:?}").contains("Canary"));
    }

    #[test]
    fn body_arguments_follow_query_arguments() {
        let mut r = HTTPServerRequest::new(
            Method::POST,
            "/?a=1",
            HTTPVersion::HTTP_11,
            headers("Host: h\r\nContent-Type: application/x-www-form-urlencoded\r\n"),
        )
        .unwrap()
        .with_body(&b"a=2&b=3"[..]);
        r.parse_body().unwrap();
        assert_eq!(r.arguments["a"], [b"1".to_vec(), b"2".to_vec()]);
        assert_eq!(r.query_arguments["a"], [b"1".to_vec()]);
        assert_eq!(r.body_arguments["b"], [b"3".to_vec()]);
        r.mark_finished();
        assert_eq!(r.request_time(), r.request_time());
    }

    #[test]
    fn request_time_counts_from_the_given_start() {
        let mut r = HTTPServerRequest::new(
            Method::GET,
            "/",
            HTTPVersion::HTTP_11,
            headers("Host: h\r\n"),
        )
        .unwrap();
        let earlier = Instant::now()
            .checked_sub(Duration::from_secs(5))
            .unwrap_or_else(Instant::now);
        r.set_start_time(earlier);
        r.mark_finished();
        assert!(
            r.request_time() >= Duration::from_secs(5)
                || earlier.elapsed() < Duration::from_secs(5)
        );
        assert_eq!(r.request_time(), r.request_time());
        let line = RequestStartLine {
            method: Method::GET,
            path: "/".into(),
            version: HTTPVersion::HTTP_11,
        };
        let mut at =
            HTTPServerRequest::from_start_line_at(line, headers("Host: h\r\n"), earlier).unwrap();
        at.mark_finished();
        assert_eq!(at.request_time(), r.request_time().max(at.request_time()));
        assert!(at.request_time() >= earlier.elapsed().saturating_sub(Duration::from_secs(1)));
    }
}

//! # tornado-httputil
//!
//! Tornado's `httputil` module in Rust: the HTTP pieces that clients and servers
//! share, as pure functions and types over bytes and text, with no I/O. It holds
//! [`HTTPHeaders`] (case-insensitive, multi-valued, ordered, Tornado's
//! `Http-Header-Case` names), the start lines ([`parse_request_start_line`],
//! [`parse_response_start_line`]), [`HTTPServerRequest`], form bodies
//! ([`parse_body_arguments`], [`parse_multipart_form_data`], [`HTTPFile`]) with
//! Tornado 6.5.5's limits ([`ParseBodyConfig`]), request cookies ([`parse_cookie`]),
//! header parameters ([`parse_header_params`]), `Range` helpers, dates
//! ([`format_timestamp`]), [`url_concat`] and the status phrases ([`responses`]).
//!
//! Every parser is linear in its input and returns an [`Error`] (Tornado's
//! `HTTPInputError`) on malformed input, never panics; the checks are those of Tornado
//! 6.5 with the fixes of 6.5.3 to 6.5.7 (lazy joining of repeated headers, linear
//! parameter parsing, limits on multipart parts and part headers, no CR in part
//! headers).
//!
//! ```
//! use http::Method;
//! use tornado_httputil::{HTTPHeaders, HTTPServerRequest, parse_request_start_line};
//!
//! # fn main() -> tornado_httputil::Result<()> {
//! let start = parse_request_start_line("POST /login?next=/home HTTP/1.1")?;
//! let headers = HTTPHeaders::parse_bytes(
//!     b"Host: example.com\r\n\
//!       Content-Type: application/x-www-form-urlencoded\r\n\
//!       Cookie: session=abc\r\n\r\n",
//! )?;
//! let mut request = HTTPServerRequest::from_start_line(start, headers)?
//!     .with_body(&b"user=ann&remember=1"[..]);
//! request.parse_body()?;
//! assert_eq!(request.method, Method::POST);
//! assert_eq!(request.path(), "/login");
//! assert_eq!(request.arguments["user"], [b"ann".to_vec()]);
//! assert_eq!(request.arguments["next"], [b"/home".to_vec()]);
//! assert_eq!(request.cookies()["session"], "abc");
//! # Ok(()) }
//! ```
//!
//! ## Differences from Tornado
//!
//! * Header values are `&str`, as in Tornado; wire bytes are read as ISO-8859-1
//!   ([`HTTPHeaders::parse_bytes`]) and written back the same way ([`latin1_encode`]).
//!   [`HTTPHeaders::set`] (Tornado's `h[name] = value`, which checks nothing) rejects
//!   names that are not tokens and values with control characters.
//!   [`HTTPHeaders::get_list`] and [`HTTPHeaders::get_all`] return iterators.
//!   Tornado's dict constructors are [`HTTPHeaders::update`] and
//!   [`HTTPHeaders::extend`]; `copy()` is `Clone`; there is no pickling.
//! * The method is an [`http::Method`]; the version an [`HTTPVersion`] (`HTTP/1.0` to
//!   `HTTP/1.9`, which Tornado accepts and `http::Version` cannot hold); a response
//!   code a `u16` (Tornado accepts `000`, which [`http::StatusCode`] refuses); a
//!   missing reason phrase is the empty string rather than `None`.
//! * The delegate interfaces ([`HTTPServerConnectionDelegate`],
//!   [`HTTPMessageDelegate`], [`HTTPConnection`]) are traits; the message delegate's
//!   methods that may wait are `async`. [`HTTPServerRequest::connection`] is an
//!   `Rc<dyn HTTPConnection>`; there is no `server_connection`. `remote_ip` and
//!   `protocol` are plain fields the server sets. `host` and `host_name` are shared
//!   `Rc<str>`s (consecutive requests naming the same host share one string).
//!   `path()` and `query()` are methods over `uri`. `request_time()` is a
//!   [`std::time::Duration`] on a monotonic clock, counted from the request's arrival
//!   ([`HTTPServerRequest::from_start_line_at`]). The request gives its `uri` buffer
//!   back to the thread when dropped, so its fields are taken out with
//!   `std::mem::take`, not moved out. `get_ssl_certificate` belongs to the TLS stream
//!   and is not here.
//! * Cookies are a map of name to value ([`Cookies`]), not `http.cookies.Morsel`s;
//!   the names `SimpleCookie` refuses are dropped, as Tornado drops them.
//! * `parse_body_arguments` and `parse_multipart_form_data` leave `arguments` and
//!   `files` untouched when they fail (Tornado may have added the parts before the bad
//!   one); file bodies are [`bytes::Bytes`] slices of the request body. Only the media
//!   type `multipart/form-data` itself is parsed as multipart (6.5.5);
//!   `ParseMultipartConfig { enabled: false, .. }` makes a multipart body an error.
//! * [`url_concat`] takes any pairs of text or bytes (Tornado: a dict, a list or
//!   `None`); for `None`, do not call it. It fails, as Python's `urlparse` does, on a
//!   URL with unbalanced brackets.
//! * [`format_timestamp`] takes anything that converts to a [`Timestamp`] and clamps
//!   to years 1–9999 where Python raises. [`split_host_and_port`] returns a `u16`
//!   port (`None` above 65535) and reads ASCII digits only.
//! * [`parse_header_params`] decodes RFC 2231 values in UTF-8, ISO-8859-1 and ASCII,
//!   the charsets of real forms; a value in another charset is returned as Python
//!   returns a value in a charset it does not know.
//! * Python's `int()` and `str.strip()` rules are followed in the range and parameter
//!   parsers, except that only ASCII digits count as digits.
//! * Errors are one type, [`Error`], with [`ErrorKind::HTTPInputError`] and
//!   [`ErrorKind::HTTPOutputError`]; messages are Tornado's, with `%r` values written as
//!   Python's `repr` writes them.

#![forbid(unsafe_code)]

mod abnf;
mod body;
mod cookie;
mod delegate;
mod error;
mod headers;
mod params;
mod range;
mod request;
mod responses;
mod spare;
mod start_line;
mod timestamp;
mod url;

pub use abnf::{is_valid_header_name, is_valid_header_value};
pub use body::{
    Arguments, Files, HTTPFile, ParseBodyConfig, ParseMultipartConfig, parse_body_arguments,
    parse_body_arguments_with_config, parse_body_config, parse_multipart_form_data,
    parse_multipart_form_data_with_config, set_parse_body_config,
};
pub use cookie::{Cookies, is_legal_cookie_name, parse_cookie, request_cookies};
pub use delegate::{
    ConnectionContext, ConnectionFuture, HTTPConnection, HTTPMessageDelegate,
    HTTPServerConnectionDelegate, ServerConnection, StartLine,
};
pub use error::{Error, ErrorKind, Result};
pub use headers::{GetAll, GetList, HTTPHeaders, latin1_encode, normalize_header};
pub use params::{HeaderParams, encode_header_params, parse_header_params};
pub use range::{get_content_range, parse_request_range};
pub use request::{HTTPServerRequest, validate_host, validate_host_header};
pub use responses::{RESPONSES, responses};
pub use start_line::{
    HTTPVersion, RequestStartLine, ResponseStartLine, parse_request_start_line,
    parse_request_start_line_bytes, parse_response_start_line, parse_response_start_line_bytes,
};
pub use timestamp::{Timestamp, format_timestamp};
pub use tornado_escape::parse_qs_bytes;
pub use url::{encode_username_password, qs_to_qsl, split_host_and_port, url_concat};

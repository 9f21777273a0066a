//! URL helpers: `url_concat`, `qs_to_qsl`, `split_host_and_port`,
//! `encode_username_password`.

use std::net::{Ipv4Addr, Ipv6Addr};

use indexmap::IndexMap;
use tornado_escape::{url_escape_into, url_unescape};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Result};

/// The five parts of a URL as Python's `urlsplit` cuts them, plus `urlparse`'s params.
#[derive(Debug, Default, PartialEq, Eq)]
struct ParsedUrl {
    scheme: String,
    netloc: String,
    path: String,
    params: String,
    query: String,
    fragment: String,
}

const SCHEMES_WITH_NETLOC: [&str; 26] = [
    "", "ftp", "http", "gopher", "nntp", "telnet", "imap", "wais", "file", "mms", "https", "shttp",
    "snews", "prospero", "rtsp", "rtsps", "rtspu", "rsync", "svn", "svn+ssh", "sftp", "nfs", "git",
    "git+ssh", "ws", "wss",
];

const SCHEMES_WITH_PARAMS: [&str; 16] = [
    "", "ftp", "hdl", "prospero", "http", "imap", "https", "shttp", "rtsp", "rtsps", "rtspu",
    "sip", "sips", "mms", "sftp", "tel",
];

fn invalid(message: &str) -> Error {
    Error::input(format!("Invalid URL: {message}"))
}

/// Python 3.11's `urllib.parse.urlparse`, the parts `url_concat` takes apart and puts
/// back together.
fn urlparse(url: &str) -> Result<ParsedUrl> {
    // Leading C0 controls and spaces go; tabs and newlines anywhere go.
    let url: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
        .collect();
    let mut parts = ParsedUrl::default();
    let mut rest = url.as_str();
    if let Some(colon) = rest.find(':') {
        let candidate = rest.get(..colon).unwrap_or_default();
        let scheme_ok = candidate.starts_with(|c: char| c.is_ascii_alphabetic())
            && candidate
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if scheme_ok {
            parts.scheme = candidate.to_ascii_lowercase();
            rest = rest.get(colon + 1..).unwrap_or_default();
        }
    }
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find(['/', '?', '#']).unwrap_or(after.len());
        let (netloc, tail) = after.split_at(end);
        check_netloc(netloc)?;
        parts.netloc = netloc.to_owned();
        rest = tail;
    }
    if let Some((before, fragment)) = rest.split_once('#') {
        parts.fragment = fragment.to_owned();
        rest = before;
    }
    if let Some((before, query)) = rest.split_once('?') {
        parts.query = query.to_owned();
        rest = before;
    }
    if SCHEMES_WITH_PARAMS.contains(&parts.scheme.as_str()) && rest.contains(';') {
        let search_from = rest.rfind('/').unwrap_or(0);
        if let Some(i) = rest.get(search_from..).and_then(|s| s.find(';')) {
            let (path, params) = rest.split_at(search_from + i);
            parts.params = params.get(1..).unwrap_or_default().to_owned();
            rest = path;
        }
    }
    parts.path = rest.to_owned();
    Ok(parts)
}

/// The checks `urlsplit` makes of a netloc: balanced brackets holding an IPv6 address
/// or an IPvFuture, and no character that NFKC turns into a URL delimiter.
fn check_netloc(netloc: &str) -> Result<()> {
    let (open, close) = (netloc.contains('['), netloc.contains(']'));
    if open != close {
        return Err(invalid("Invalid IPv6 URL"));
    }
    if open {
        let host = netloc
            .split_once('[')
            .map(|(_, r)| r.split_once(']').map_or(r, |(h, _)| h))
            .unwrap_or_default();
        if let Some(future) = host.strip_prefix('v') {
            let valid = future.split_once('.').is_some_and(|(hex, tail)| {
                !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()) && !tail.is_empty()
            });
            if !valid {
                return Err(invalid("IPvFuture address is invalid"));
            }
        } else if host.parse::<Ipv4Addr>().is_ok() {
            return Err(invalid("An IPv4 address cannot be in brackets"));
        } else {
            let (addr, scope) = match host.split_once('%') {
                Some((addr, scope)) => (addr, Some(scope)),
                None => (host, None),
            };
            let scope_ok = scope.is_none_or(|s| !s.is_empty() && !s.contains('%'));
            if !scope_ok || addr.parse::<Ipv6Addr>().is_err() {
                return Err(invalid(&format!(
                    "{host:?} does not appear to be an IPv4 or IPv6 address"
                )));
            }
        }
    }
    if !netloc.is_ascii() {
        let n: String = netloc
            .chars()
            .filter(|c| !matches!(c, '@' | ':' | '#' | '?'))
            .collect();
        let normalized: String = n.nfkc().collect();
        if n != normalized && normalized.contains(['/', '?', '#', '@', ':']) {
            return Err(invalid(&format!(
                "netloc '{netloc}' contains invalid characters under NFKC normalization"
            )));
        }
    }
    Ok(())
}

/// Python's `urlunparse`.
fn urlunparse(parts: &ParsedUrl) -> String {
    let mut path = parts.path.clone();
    if !parts.params.is_empty() {
        path = format!("{path};{}", parts.params);
    }
    let mut out = String::new();
    if !parts.netloc.is_empty()
        || (!parts.scheme.is_empty()
            && SCHEMES_WITH_NETLOC.contains(&parts.scheme.as_str())
            && !path.starts_with("//"))
    {
        if !path.is_empty() && !path.starts_with('/') {
            path.insert(0, '/');
        }
        path = format!("//{}{path}", parts.netloc);
    }
    if !parts.scheme.is_empty() {
        out.push_str(&parts.scheme);
        out.push(':');
    }
    out.push_str(&path);
    if !parts.query.is_empty() {
        out.push('?');
        out.push_str(&parts.query);
    }
    if !parts.fragment.is_empty() {
        out.push('#');
        out.push_str(&parts.fragment);
    }
    out
}

/// Adds query arguments to a URL whether or not it already has a query: Tornado's
/// `url_concat`.
///
/// The URL is taken apart and put back together as Python's `urlparse` and
/// `urlunparse` do, its existing query is decoded (`parse_qsl` with blank values kept)
/// and re-encoded together with `args` (`urlencode`: `quote_plus` on each name and
/// value), and the fragment stays last. Names and values may be text or bytes. (Tornado
/// returns the URL untouched for `args=None`; here, just do not call it.)
///
/// An `HTTPInputError` for a URL Python refuses (unbalanced brackets, a bad address in
/// brackets).
///
/// ```
/// use tornado_httputil::url_concat;
/// # fn main() -> tornado_httputil::Result<()> {
/// assert_eq!(url_concat("http://example.com/foo", [("c", "d")])?, "http://example.com/foo?c=d");
/// assert_eq!(
///     url_concat("http://example.com/foo?a=b", [("c", "d"), ("c", "d2")])?,
///     "http://example.com/foo?a=b&c=d&c=d2"
/// );
/// assert_eq!(url_concat("https://localhost/path?x", [("y", "/y")])?, "https://localhost/path?x=&y=%2Fy");
/// assert_eq!(url_concat("https://localhost/path#tab", [("y", "y")])?, "https://localhost/path?y=y#tab");
/// # Ok(()) }
/// ```
pub fn url_concat<I, K, V>(url: &str, args: I) -> Result<String>
where
    I: IntoIterator<Item = (K, V)>,
    K: AsRef<[u8]>,
    V: AsRef<[u8]>,
{
    let mut parts = urlparse(url)?;
    let mut query = String::new();
    let mut push = |name: &[u8], value: &[u8]| {
        if !query.is_empty() {
            query.push('&');
        }
        url_escape_into(name, true, &mut query);
        query.push('=');
        url_escape_into(value, true, &mut query);
    };
    for field in parts.query.split('&').filter(|f| !f.is_empty()) {
        let (name, value) = field.split_once('=').unwrap_or((field, ""));
        push(
            url_unescape(name, true).as_bytes(),
            url_unescape(value, true).as_bytes(),
        );
    }
    for (name, value) in args {
        push(name.as_ref(), value.as_ref());
    }
    parts.query = query;
    Ok(urlunparse(&parts))
}

/// Turns a parsed query (name → values) back into `(name, value)` pairs: Tornado's
/// `qs_to_qsl`.
///
/// ```
/// use tornado_httputil::qs_to_qsl;
/// let args = tornado_escape::parse_qs_bytes("a=1&b=2&a=3", false, false).unwrap();
/// let pairs: Vec<(&str, &[u8])> = qs_to_qsl(&args).map(|(k, v)| (k, v.as_slice())).collect();
/// assert_eq!(pairs, [("a", &b"1"[..]), ("a", b"3"), ("b", b"2")]);
/// ```
pub fn qs_to_qsl<V>(qs: &IndexMap<String, Vec<V>>) -> impl Iterator<Item = (&str, &V)> {
    qs.iter()
        .flat_map(|(name, values)| values.iter().map(move |v| (name.as_str(), v)))
}

/// Splits `host:port` into the host and the port: Tornado's `split_host_and_port`.
///
/// The port is the digits after the last `:`, when there are only digits after it
/// (Python's `^(.+):(\d+)$`); otherwise the whole text is the host. Tornado returns a
/// port above 65535 as a large integer; here the host is split off the same way and the
/// port is `None`.
///
/// ```
/// use tornado_httputil::split_host_and_port;
/// assert_eq!(split_host_and_port("example.com:8080"), ("example.com", Some(8080)));
/// assert_eq!(split_host_and_port("example.com"), ("example.com", None));
/// assert_eq!(split_host_and_port("[::1]:80"), ("[::1]", Some(80)));
/// assert_eq!(split_host_and_port("[::1]"), ("[::1]", None));
/// ```
pub fn split_host_and_port(netloc: &str) -> (&str, Option<u16>) {
    // Python's `$` also matches before one final newline.
    let body = netloc.strip_suffix('\n').unwrap_or(netloc);
    let bytes = body.as_bytes();
    // The digits at the end, and the ':' before them (the last one, as `.+` is greedy).
    let mut port_at = bytes.len();
    while let Some(b'0'..=b'9') = bytes.get(port_at.wrapping_sub(1)) {
        port_at -= 1;
    }
    if port_at < bytes.len() && port_at >= 2 && bytes[port_at - 1] == b':' {
        let host = &body[..port_at - 1];
        if !host.as_bytes().contains(&b'\n') {
            let port = bytes[port_at..].iter().try_fold(0u16, |n, &d| {
                n.checked_mul(10)?.checked_add(u16::from(d - b'0'))
            });
            return (host, port);
        }
    }
    (netloc, None)
}

/// The `username:password` bytes of HTTP Basic authentication: Tornado's
/// `encode_username_password`. Both are normalised to Unicode NFC, then UTF-8 encoded.
///
/// ```
/// use tornado_httputil::encode_username_password;
/// assert_eq!(encode_username_password("user", "pa:ss"), b"user:pa:ss");
/// // "e" + combining acute accent is composed to "é".
/// assert_eq!(encode_username_password("e\u{301}", ""), "\u{e9}:".as_bytes());
/// ```
pub fn encode_username_password(username: &str, password: &str) -> Vec<u8> {
    let mut out: String = username.nfc().collect();
    out.push(':');
    out.extend(password.nfc());
    out.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn concat(url: &str, args: &[(&str, &str)]) -> String {
        url_concat(url, args.iter().copied()).unwrap()
    }

    #[test]
    fn tornado_cases() {
        let yz = [("y", "y"), ("z", "z")];
        assert_eq!(
            concat("https://localhost/path", &yz),
            "https://localhost/path?y=y&z=z"
        );
        assert_eq!(
            concat("https://localhost/path?", &yz),
            "https://localhost/path?y=y&z=z"
        );
        assert_eq!(
            concat("https://localhost/path?x", &yz),
            "https://localhost/path?x=&y=y&z=z"
        );
        assert_eq!(
            concat("https://localhost/path?x&", &yz),
            "https://localhost/path?x=&y=y&z=z"
        );
        assert_eq!(
            concat("https://localhost/path?a=1&b=2", &yz),
            "https://localhost/path?a=1&b=2&y=y&z=z"
        );
        assert_eq!(
            concat("https://localhost/path?r=1&t=2", &[]),
            "https://localhost/path?r=1&t=2"
        );
        assert_eq!(
            concat("https://localhost/path?r=1&r=2", &[("y", "y")]),
            "https://localhost/path?r=1&r=2&y=y"
        );
    }

    #[test]
    fn python_reassembly_quirks() {
        assert_eq!(concat("HTTP://Host/a", &[]), "http://Host/a");
        assert_eq!(concat("http:path", &[]), "http:///path");
        assert_eq!(concat("/a/b;", &[]), "/a/b");
        assert_eq!(concat("/a;x/b?q=%7e+1", &[]), "/a;x/b?q=~+1");
        assert_eq!(concat("  \tx\ny", &[]), "xy");
        assert_eq!(concat("mailto:a@b", &[("s", "t")]), "mailto:a@b?s=t");
        assert!(url_concat("http://[::1/", [("a", "b")]).is_err());
        assert!(url_concat("http://[1.2.3.4]/", [("a", "b")]).is_err());
        assert_eq!(
            concat("http://[fe80::1%25eth0]:80/", &[]),
            "http://[fe80::1%25eth0]:80/"
        );
        assert_eq!(concat("http://[v1.x]/", &[]), "http://[v1.x]/");
    }

    #[test]
    fn bytes_args() {
        let url = url_concat("/r", [(&b"a"[..], &b"\xe9 \xff"[..])]).unwrap();
        assert_eq!(url, "/r?a=%E9+%FF");
    }

    #[test]
    fn host_and_port() {
        assert_eq!(split_host_and_port(":80"), (":80", None));
        assert_eq!(split_host_and_port("a:"), ("a:", None));
        assert_eq!(split_host_and_port("a:b:12"), ("a:b", Some(12)));
        assert_eq!(split_host_and_port("a:99999"), ("a", None));
        assert_eq!(split_host_and_port("a:80\n"), ("a", Some(80)));
        assert_eq!(split_host_and_port("a\nb:80"), ("a\nb:80", None));
    }
}

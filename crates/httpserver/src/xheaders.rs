//! `xheaders`: the client's address and scheme as a proxy in front reports them
//! (Tornado's `_HTTPRequestContext._apply_xheaders` and `_ProxyAdapter`).

use std::any::Any;
use std::borrow::Cow;
use std::fmt;
use std::net::IpAddr;
use std::rc::Rc;
use std::str::FromStr;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tornado_httputil::{
    ConnectionContext, ConnectionFuture, HTTPConnection, HTTPHeaders, HTTPMessageDelegate,
    ResponseStartLine, Result, StartLine,
};
use tornado_tcp::netutil::is_valid_ip;

/// A downstream proxy whose hop in `X-Forwarded-For` (or `Forwarded`) is skipped: one
/// address, as Tornado's `trusted_downstream`, or a CIDR range such as `10.0.0.0/8`
/// (beyond Tornado).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrustedProxy {
    network: IpAddr,
    prefix: u8,
}

impl TrustedProxy {
    /// One address.
    pub fn address(ip: IpAddr) -> TrustedProxy {
        let prefix = if ip.is_ipv4() { 32 } else { 128 };
        TrustedProxy {
            network: ip,
            prefix,
        }
    }

    /// Whether `ip` is this proxy (or in its range).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let bits = u32::from(self.prefix.min(32));
                let mask = if bits == 0 {
                    0
                } else {
                    u32::MAX << (32 - bits)
                };
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let bits = u32::from(self.prefix.min(128));
                let mask = if bits == 0 {
                    0
                } else {
                    u128::MAX << (128 - bits)
                };
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for TrustedProxy {
    type Err = String;

    /// `10.1.2.3`, `10.0.0.0/8`, `::1`, `2001:db8::/32`.
    fn from_str(s: &str) -> std::result::Result<TrustedProxy, String> {
        let bad = || format!("not an IP address or CIDR range: {s:?}");
        let (ip, prefix) = match s.trim().split_once('/') {
            Some((ip, prefix)) => (ip, Some(prefix)),
            None => (s.trim(), None),
        };
        let network: IpAddr = ip.parse().map_err(|_| bad())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p.parse::<u8>().ok().filter(|&p| p <= max).ok_or_else(bad)?,
        };
        Ok(TrustedProxy { network, prefix })
    }
}

/// The client's address and scheme for one request, from the proxy headers, with
/// Tornado's rules: the address is the last `X-Forwarded-For` hop that is not a trusted
/// proxy, or `X-Real-Ip`, and is kept only if it is a valid IP; the scheme is the last
/// entry of `X-Scheme` or `X-Forwarded-Proto`, kept only if it is `http` or `https`.
/// Without those headers, RFC 7239's `Forwarded` (its `for=` and `proto=`) is read the
/// same way.
pub(crate) fn apply(
    context: &ConnectionContext,
    headers: &HTTPHeaders,
    trusted: &[TrustedProxy],
) -> ConnectionContext {
    let mut context = context.clone();
    let is_trusted = |hop: &str| {
        hop.parse::<IpAddr>()
            .is_ok_and(|ip| trusted.iter().any(|t| t.contains(ip)))
    };
    let forwarded = headers
        .get("Forwarded")
        .map(parse_forwarded)
        .unwrap_or_default();
    let hops: Vec<String> = match headers.get("X-Forwarded-For") {
        Some(list) => list.split(',').map(|hop| hop.trim().to_owned()).collect(),
        None => forwarded.iter().filter_map(|f| f.for_.clone()).collect(),
    };
    // Walk from the right, skipping trusted proxies; if every hop is trusted, the
    // leftmost one is what is left (as Tornado's loop leaves it).
    let mut ip = hops.last().cloned();
    for hop in hops.iter().rev() {
        ip = Some(hop.clone());
        if !is_trusted(hop) {
            break;
        }
    }
    let ip = headers.get("X-Real-Ip").map(str::to_owned).or(ip);
    if let Some(ip) = ip.filter(|ip| is_valid_ip(ip)) {
        context.remote_ip = ip.into();
    }
    let proto = headers
        .get("X-Scheme")
        .or_else(|| headers.get("X-Forwarded-Proto"))
        .map(str::to_owned)
        .or_else(|| forwarded.iter().rev().find_map(|f| f.proto.clone()));
    if let Some(proto) = proto {
        let last = proto.rsplit(',').next().unwrap_or_default().trim();
        match last {
            "http" => context.protocol = Cow::Borrowed("http"),
            "https" => context.protocol = Cow::Borrowed("https"),
            _ => {}
        }
    }
    context
}

/// One element of a `Forwarded` header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct ForwardedElement {
    for_: Option<String>,
    proto: Option<String>,
}

/// Parses RFC 7239's `Forwarded`: elements separated by `,`, pairs by `;`, values
/// quoted or not; `for=` values lose their brackets and port (`"[2001:db8::1]:4711"` is
/// `2001:db8::1`). Anything malformed is skipped.
fn parse_forwarded(value: &str) -> Vec<ForwardedElement> {
    let mut elements = Vec::new();
    for element in split_outside_quotes(value, ',') {
        let mut parsed = ForwardedElement::default();
        for pair in split_outside_quotes(element, ';') {
            let Some((key, raw)) = pair.split_once('=') else {
                continue;
            };
            let value = raw.trim().trim_matches('"').to_owned();
            match key.trim().to_ascii_lowercase().as_str() {
                "for" => parsed.for_ = Some(node_ip(&value)),
                "proto" => parsed.proto = Some(value.to_ascii_lowercase()),
                _ => {}
            }
        }
        elements.push(parsed);
    }
    elements
}

/// The IP of a `for=` node: `[v6]:port` → `v6`, `v4:port` → `v4`.
fn node_ip(node: &str) -> String {
    if let Some(rest) = node.strip_prefix('[') {
        return rest.split(']').next().unwrap_or_default().to_owned();
    }
    match node.split_once(':') {
        Some((ip, _)) if !ip.contains(':') => ip.to_owned(),
        _ => node.to_owned(),
    }
}

fn split_outside_quotes(s: &str, separator: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            c if c == separator && !quoted => {
                parts.push(&s[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&s[start..]);
    parts
}

/// The connection a request's delegate sees when `xheaders` is on: the real connection,
/// with the context the proxy headers give (set once the headers are read).
pub(crate) struct ProxyConnection {
    inner: Rc<dyn HTTPConnection>,
    context: std::cell::OnceCell<ConnectionContext>,
}

impl ProxyConnection {
    pub(crate) fn new(inner: Rc<dyn HTTPConnection>) -> Rc<ProxyConnection> {
        Rc::new(ProxyConnection {
            inner,
            context: std::cell::OnceCell::new(),
        })
    }
}

impl HTTPConnection for ProxyConnection {
    fn write_headers(
        &self,
        start_line: &StartLine,
        headers: &HTTPHeaders,
        chunk: Option<Bytes>,
    ) -> Result<()> {
        self.inner.write_headers(start_line, headers, chunk)
    }

    fn write_response(
        &self,
        start_line: &ResponseStartLine,
        headers: &HTTPHeaders,
        body: Bytes,
    ) -> Result<()> {
        self.inner.write_response(start_line, headers, body)
    }

    fn write(&self, chunk: Bytes) -> Result<()> {
        self.inner.write(chunk)
    }

    fn finish(&self) -> Result<()> {
        self.inner.finish()
    }

    fn flush(&self) -> ConnectionFuture {
        self.inner.flush()
    }

    fn set_close_callback(&self, callback: Option<Box<dyn FnOnce()>>) {
        self.inner.set_close_callback(callback);
    }

    fn context(&self) -> &ConnectionContext {
        self.context.get().unwrap_or_else(|| self.inner.context())
    }

    fn start_time(&self) -> Instant {
        self.inner.start_time()
    }

    fn set_max_body_size(&self, max_body_size: usize) {
        self.inner.set_max_body_size(max_body_size);
    }

    fn set_body_timeout(&self, timeout: Option<Duration>) {
        self.inner.set_body_timeout(timeout);
    }

    fn as_any(&self) -> &dyn Any {
        // Protocol code reaches the HTTP/1 connection underneath (for `detach`).
        self.inner.as_any()
    }
}

impl fmt::Debug for ProxyConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyConnection")
            .field("context", self.context())
            .finish()
    }
}

/// Wraps a request's delegate to apply the proxy headers before it sees the request
/// (Tornado's `_ProxyAdapter`).
pub struct ProxyMessage<M> {
    pub(crate) inner: M,
    pub(crate) connection: Rc<ProxyConnection>,
    pub(crate) trusted: Rc<[TrustedProxy]>,
}

impl<M: HTTPMessageDelegate> HTTPMessageDelegate for ProxyMessage<M> {
    async fn headers_received(&mut self, start_line: StartLine, headers: HTTPHeaders) {
        let context = apply(self.connection.inner.context(), &headers, &self.trusted);
        let _ = self.connection.context.set(context);
        self.inner.headers_received(start_line, headers).await;
    }

    async fn data_received(&mut self, chunk: Bytes) {
        self.inner.data_received(chunk).await;
    }

    fn finish(&mut self) {
        self.inner.finish();
    }

    fn on_connection_close(&mut self) {
        self.inner.on_connection_close();
    }
}

impl<M> fmt::Debug for ProxyMessage<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProxyMessage")
            .field("connection", &self.connection)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> ConnectionContext {
        ConnectionContext {
            remote_ip: "10.0.0.1".into(),
            protocol: "http".into(),
            address: None,
        }
    }

    fn applied(headers: &str, trusted: &[&str]) -> (String, String) {
        let headers = HTTPHeaders::parse(headers).unwrap();
        let trusted: Vec<TrustedProxy> = trusted.iter().map(|t| t.parse().unwrap()).collect();
        let c = apply(&context(), &headers, &trusted);
        (c.remote_ip.to_string(), c.protocol.into_owned())
    }

    #[test]
    fn tornados_rules() {
        assert_eq!(applied("X-Real-Ip: 4.4.4.4\r\n", &[]).0, "4.4.4.4");
        assert_eq!(
            applied("X-Real-Ip: 2620:0:1cfe:face:b00c::3\r\n", &[]).0,
            "2620:0:1cfe:face:b00c::3"
        );
        assert_eq!(applied("X-Forwarded-For: 4.4.4.4\r\n", &[]).0, "4.4.4.4");
        assert_eq!(
            applied("X-Forwarded-For: 5.5.5.5, 4.4.4.4\r\n", &[]).0,
            "4.4.4.4"
        );
        // Invalid addresses are ignored.
        assert_eq!(applied("X-Real-Ip: 4.4.4.4<script>\r\n", &[]).0, "10.0.0.1");
        assert_eq!(
            applied("X-Forwarded-For: www.google.com\r\n", &[]).0,
            "10.0.0.1"
        );
        // Trusted proxies are skipped from the right.
        assert_eq!(
            applied("X-Forwarded-For: 5.5.5.5, 127.0.0.1\r\n", &["127.0.0.1"]).0,
            "5.5.5.5"
        );
        assert_eq!(
            applied("X-Forwarded-For: 127.0.0.1, 127.0.0.1\r\n", &["127.0.0.1"]).0,
            "127.0.0.1"
        );
        // Scheme: the last entry, http or https only.
        assert_eq!(applied("X-Scheme: https\r\n", &[]).1, "https");
        assert_eq!(applied("X-Forwarded-Proto: https\r\n", &[]).1, "https");
        assert_eq!(
            applied("X-Forwarded-Proto: https , http\r\n", &[]).1,
            "http"
        );
        assert_eq!(applied("X-Forwarded-Proto: unknown\r\n", &[]).1, "http");
        assert_eq!(
            applied("X-Scheme: http\r\nX-Forwarded-Proto: https\r\n", &[]).1,
            "http"
        );
    }

    #[test]
    fn cidr_ranges_and_forwarded() {
        assert_eq!(
            applied(
                "X-Forwarded-For: 5.5.5.5, 10.1.2.3, 10.9.9.9\r\n",
                &["10.0.0.0/8"]
            )
            .0,
            "5.5.5.5"
        );
        assert_eq!(
            applied(
                "X-Forwarded-For: 2001:db8::7, 2001:db8:1::1\r\n",
                &["2001:db8:1::/48"]
            )
            .0,
            "2001:db8::7"
        );
        let forwarded = "Forwarded: for=192.0.2.60;proto=https;by=203.0.113.43, for=\"[2001:db8:cafe::17]:4711\"\r\n";
        assert_eq!(
            applied(forwarded, &[]),
            ("2001:db8:cafe::17".into(), "https".into())
        );
        assert_eq!(applied(forwarded, &["2001:db8:cafe::/48"]).0, "192.0.2.60");
        assert!("10.0.0.0/33".parse::<TrustedProxy>().is_err());
        assert!("nope".parse::<TrustedProxy>().is_err());
        assert!(TrustedProxy::address("::1".parse().unwrap()).contains("::1".parse().unwrap()));
        assert!(
            !"10.0.0.0/8"
                .parse::<TrustedProxy>()
                .unwrap()
                .contains("::1".parse().unwrap())
        );
    }
}

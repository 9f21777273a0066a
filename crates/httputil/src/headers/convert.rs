//! Conversions between [`HTTPHeaders`] and the `http` crate's [`HeaderMap`].

use std::borrow::Cow;

use http::HeaderMap;
use http::header::{HeaderName, HeaderValue};

use super::{HTTPHeaders, Mode};
use crate::error::{Error, Result, py_repr};

/// Encodes text as ISO-8859-1 (Python's `s.encode("latin1")`), the encoding of HTTP/1
/// header bytes: each character up to U+00FF becomes one byte. Borrows when the text is
/// ASCII. A character above U+00FF cannot be sent and is an `HTTPOutputError`.
///
/// ```
/// use tornado_httputil::latin1_encode;
/// assert_eq!(&*latin1_encode("caf\u{e9}").unwrap(), b"caf\xe9");
/// assert!(latin1_encode("\u{2603}").unwrap_err().is_output());
/// ```
pub fn latin1_encode(text: &str) -> Result<Cow<'_, [u8]>> {
    if text.is_ascii() {
        return Ok(Cow::Borrowed(text.as_bytes()));
    }
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).ok())
        .collect::<Option<Vec<u8>>>()
        .map(Cow::Owned)
        .ok_or_else(|| Error::output(format!("header text is not ISO-8859-1: {}", py_repr(text))))
}

impl HTTPHeaders {
    /// The same headers as an [`http::HeaderMap`] (names lower-cased, as `http` keeps
    /// them; values encoded as ISO-8859-1). A value with a character above U+00FF (only
    /// possible in multipart part headers) is an `HTTPOutputError`.
    ///
    /// ```
    /// use tornado_httputil::HTTPHeaders;
    /// let h = HTTPHeaders::parse("Set-Cookie: a=1\r\nSet-Cookie: b=2\r\n").unwrap();
    /// let map = h.to_header_map().unwrap();
    /// assert_eq!(map.get_all("set-cookie").iter().count(), 2);
    /// ```
    pub fn to_header_map(&self) -> Result<HeaderMap> {
        let mut map = HeaderMap::with_capacity(self.len());
        for (name, value) in self.get_all() {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::output(format!("Invalid header name {}", py_repr(name))))?;
            let value = HeaderValue::from_bytes(&latin1_encode(value)?)
                .map_err(|_| Error::output(format!("Invalid header value {}", py_repr(value))))?;
            map.append(name, value);
        }
        Ok(map)
    }

    /// Headers from an [`http::HeaderMap`], its bytes read as ISO-8859-1 and its
    /// names re-cased to Tornado's `Http-Header-Case`, in the map's order.
    ///
    /// ```
    /// use http::{HeaderMap, HeaderValue, header};
    /// use tornado_httputil::HTTPHeaders;
    /// let mut map = HeaderMap::new();
    /// map.insert(header::ETAG, HeaderValue::from_static("\"x\""));
    /// let h = HTTPHeaders::from_header_map(&map);
    /// assert_eq!(h.get_all().collect::<Vec<_>>(), [("Etag", "\"x\"")]);
    /// ```
    pub fn from_header_map(map: &HeaderMap) -> Self {
        let mut headers = HTTPHeaders::with_capacity(map.len(), 0);
        for (name, value) in map {
            let value: String = value.as_bytes().iter().map(|&b| char::from(b)).collect();
            // A HeaderName is a token and a HeaderValue has no control character but
            // HTAB, so the relaxed check cannot fail.
            let _ = headers.add_text(name.as_str(), &value, Mode::Relaxed);
        }
        headers.last_field = None;
        headers
    }
}

impl TryFrom<&HTTPHeaders> for HeaderMap {
    type Error = Error;

    fn try_from(headers: &HTTPHeaders) -> Result<HeaderMap> {
        headers.to_header_map()
    }
}

impl From<&HeaderMap> for HTTPHeaders {
    fn from(map: &HeaderMap) -> Self {
        HTTPHeaders::from_header_map(map)
    }
}

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

impl HTTPHeaders {
    /// Appends the headers to `out` as HTTP/1 header lines, `Name: value\r\n` in
    /// [`get_all`](Self::get_all) order, each value encoded as ISO-8859-1. A header
    /// whose name is in `overrides` gets one line with the override's value in place of
    /// all of its values (how the HTTP/1 code sets `Connection` and
    /// `Transfer-Encoding`). A value with a character beyond ISO-8859-1 (only possible
    /// through [`from_header_map`](Self::from_header_map) or multipart part headers) is
    /// an `HTTPOutputError`, and what was appended is then incomplete.
    ///
    /// ```
    /// use tornado_httputil::HTTPHeaders;
    /// let mut h = HTTPHeaders::new();
    /// h.add("Content-Type", "text/plain").unwrap();
    /// h.add("connection", "keep-alive").unwrap();
    /// let mut out = Vec::new();
    /// h.write_http1(&mut out, &[("Connection", "close")]).unwrap();
    /// assert_eq!(out, b"Content-Type: text/plain\r\nConnection: close\r\n");
    /// ```
    pub fn write_http1(&self, out: &mut Vec<u8>, overrides: &[(&str, &str)]) -> Result<()> {
        if !self.wire_broken && overrides.iter().all(|(name, _)| !self.contains(name)) {
            // The text is the lines already.
            out.extend_from_slice(self.text.as_bytes());
            return Ok(());
        }
        out.reserve(self.text.len() + 24 * self.fields.len());
        for field in &self.fields {
            let name = self.field_name(field);
            let replaced = overrides
                .iter()
                .find(|(other, _)| super::names::eq_name(other.as_bytes(), name.as_bytes()));
            if let Some(&(_, value)) = replaced {
                write_line(out, name, value)?;
                continue;
            }
            if field.count > 0 {
                write_line(out, name, self.span_str(field.value))?;
            }
            let mut next = field.rest;
            while let Some(v) = self.value_at(next) {
                write_line(out, name, self.span_str(v.span))?;
                next = v.next;
            }
        }
        Ok(())
    }
}

/// One `Name: value\r\n` line, the value as ISO-8859-1.
#[inline]
fn write_line(out: &mut Vec<u8>, name: &str, value: &str) -> Result<()> {
    out.extend_from_slice(name.as_bytes());
    out.extend_from_slice(b": ");
    if value.is_ascii() {
        out.extend_from_slice(value.as_bytes());
    } else {
        out.extend_from_slice(&latin1_encode(value)?);
    }
    out.extend_from_slice(b"\r\n");
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `write_http1` as `get_all` says it should be.
    fn reference(h: &HTTPHeaders, overrides: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut last: Option<&str> = None;
        for (name, value) in h.get_all() {
            let replaced = overrides.iter().find(|(n, _)| n.eq_ignore_ascii_case(name));
            let value = match replaced {
                Some(_) if last == Some(name) => continue,
                Some(&(_, v)) => v,
                None => value,
            };
            last = Some(name);
            out.extend_from_slice(format!("{name}: ").as_bytes());
            out.extend_from_slice(&latin1_encode(value).unwrap());
            out.extend_from_slice(b"\r\n");
        }
        out
    }

    #[test]
    fn wire_form_matches_get_all() {
        type Step = fn(&mut HTTPHeaders);
        let steps: [(&str, Step); 12] = [
            ("add", |h| h.add("Server", "x").unwrap()),
            ("add again", |h| h.add("server", "y").unwrap()),
            ("add new", |h| h.add("x-custom-NAME", "z z").unwrap()),
            ("add static", |h| {
                h.add("content-type", "text/plain").unwrap()
            }),
            ("add earlier", |h| h.add("SERVER", "w").unwrap()),
            ("set new", |h| h.set("Date", " spaced ").unwrap()),
            ("set old", |h| h.set("Server", "v").unwrap()),
            ("latin1", |h| h.add("X-Caf", "caf\u{e9}").unwrap()),
            ("tab", |h| h.add("X-Tab", "a\tb").unwrap()),
            ("remove", |h| {
                h.remove("Date");
            }),
            ("line", |h| h.parse_line("X-Line:  v1  ").unwrap()),
            ("fold", |h| {
                let _ = h.parse_line(" more");
            }),
        ];
        for start in 0..steps.len() {
            for len in 1..=steps.len() - start {
                let mut h = HTTPHeaders::new();
                for (what, step) in &steps[start..start + len] {
                    step(&mut h);
                    for overrides in [&[][..], &[("Connection", "close")], &[("server", "S")]] {
                        let mut out = b"HEAD\r\n".to_vec();
                        h.write_http1(&mut out, overrides).unwrap();
                        let mut want = b"HEAD\r\n".to_vec();
                        want.extend(reference(&h, overrides));
                        assert_eq!(
                            String::from_utf8_lossy(&out),
                            String::from_utf8_lossy(&want),
                            "after {what}"
                        );
                    }
                }
                h.clear();
                h.add("A", "b").unwrap();
                let mut out = Vec::new();
                h.write_http1(&mut out, &[]).unwrap();
                assert_eq!(out, b"A: b\r\n");
            }
        }
        let parsed = HTTPHeaders::parse("a:1\r\nB:  2 \r\na: 3\r\n").unwrap();
        let mut out = Vec::new();
        parsed.write_http1(&mut out, &[]).unwrap();
        assert_eq!(out, b"A: 1\r\nA: 3\r\nB: 2\r\n");
    }
}

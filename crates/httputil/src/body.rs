//! Form bodies: `parse_body_arguments`, `parse_multipart_form_data`, `HTTPFile`, and
//! the limits of Tornado 6.5.5 (`ParseBodyConfig`, `ParseMultipartConfig`,
//! `set_parse_body_config`).

use std::sync::RwLock;

use bytes::Bytes;
use indexmap::IndexMap;
use tornado_escape::parse_qs_bytes;

use crate::error::{Error, Result};
use crate::headers::HTTPHeaders;
use crate::params::parse_header_params;

/// Arguments by name, each with its values in order: Tornado's `Dict[str,
/// List[bytes]]` for `arguments`, `query_arguments` and `body_arguments`.
pub type Arguments = tornado_escape::QueryArguments;

/// Uploaded files by form field name: Tornado's `Dict[str, List[HTTPFile]]`.
pub type Files = IndexMap<String, Vec<HTTPFile>>;

/// A file uploaded through a `multipart/form-data` form: Tornado's `HTTPFile`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HTTPFile {
    /// The file name the client gave (`filename` or RFC 2231 `filename*`).
    pub filename: String,
    /// The content, a slice of the request body (no copy).
    pub body: Bytes,
    /// The part's `Content-Type`, `application/unknown` when it had none.
    pub content_type: String,
}

/// Limits on `multipart/form-data` parsing: Tornado 6.5.5's `ParseMultipartConfig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParseMultipartConfig {
    /// Whether multipart bodies are parsed at all. When false, a `multipart/form-data`
    /// body is an `HTTPInputError` ("multipart/form-data parsing is disabled").
    pub enabled: bool,
    /// The most parts a body may have (default 100); more is an `HTTPInputError`
    /// ("multipart/form-data has too many parts"), found before any part is read.
    pub max_parts: usize,
    /// The most bytes of headers one part may have (default 10 KiB); more is an
    /// `HTTPInputError` ("multipart/form-data part header too large").
    pub max_part_header_size: usize,
}

impl ParseMultipartConfig {
    /// Tornado's defaults: enabled, 100 parts, 10240 bytes of headers per part.
    pub const DEFAULT: ParseMultipartConfig = ParseMultipartConfig {
        enabled: true,
        max_parts: 100,
        max_part_header_size: 10 * 1024,
    };
}

impl Default for ParseMultipartConfig {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// How request bodies are parsed: Tornado 6.5.5's `ParseBodyConfig`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ParseBodyConfig {
    /// The `multipart/form-data` limits.
    pub multipart: ParseMultipartConfig,
}

impl ParseBodyConfig {
    /// Tornado's defaults.
    pub const DEFAULT: ParseBodyConfig = ParseBodyConfig {
        multipart: ParseMultipartConfig::DEFAULT,
    };
}

static GLOBAL_CONFIG: RwLock<ParseBodyConfig> = RwLock::new(ParseBodyConfig::DEFAULT);

/// Sets the process-wide default [`ParseBodyConfig`], used by
/// [`parse_body_arguments`], [`parse_multipart_form_data`] and
/// `HTTPServerRequest::parse_body`: Tornado's `set_parse_body_config`.
///
/// ```
/// use tornado_httputil::{parse_body_config, set_parse_body_config, ParseBodyConfig};
/// let mut config = ParseBodyConfig::default();
/// config.multipart.max_parts = 1000;
/// set_parse_body_config(config);
/// assert_eq!(parse_body_config().multipart.max_parts, 1000);
/// set_parse_body_config(ParseBodyConfig::default());
/// ```
pub fn set_parse_body_config(config: ParseBodyConfig) {
    let mut global = GLOBAL_CONFIG.write().unwrap_or_else(|e| e.into_inner());
    *global = config;
}

/// The process-wide default [`ParseBodyConfig`].
pub fn parse_body_config() -> ParseBodyConfig {
    *GLOBAL_CONFIG.read().unwrap_or_else(|e| e.into_inner())
}

/// Parses a form body into `arguments` and `files`: Tornado's `parse_body_arguments`,
/// with the process-wide [`ParseBodyConfig`].
///
/// * `application/x-www-form-urlencoded...` (any content type that starts so): the
///   body is a query string; every name with at least one value is added.
/// * `multipart/form-data` (the media type exactly, parameters after `;`): the
///   `boundary` parameter is found and [`parse_multipart_form_data`] does the rest;
///   errors come back as "Invalid multipart/form-data: ...".
/// * anything else: the body is left alone.
///
/// For both form types a `Content-Encoding` header in `headers` is an
/// `HTTPInputError` ("Unsupported Content-Encoding: ..."). Nothing is logged here: the
/// caller reports the one error (Tornado's web layer answers 400 and logs one line).
///
/// ```
/// use bytes::Bytes;
/// use tornado_httputil::{parse_body_arguments, Arguments, Files};
/// let (mut args, mut files) = (Arguments::new(), Files::new());
/// let body = Bytes::from_static(b"a=1&b=&a=%E9");
/// parse_body_arguments("application/x-www-form-urlencoded", &body, &mut args, &mut files, None).unwrap();
/// assert_eq!(args["a"], [b"1".to_vec(), b"\xe9".to_vec()]);
/// assert_eq!(args["b"], [b"".to_vec()]);
/// ```
pub fn parse_body_arguments(
    content_type: &str,
    body: &Bytes,
    arguments: &mut Arguments,
    files: &mut Files,
    headers: Option<&HTTPHeaders>,
) -> Result<()> {
    parse_body_arguments_with_config(
        content_type,
        body,
        arguments,
        files,
        headers,
        &parse_body_config(),
    )
}

/// [`parse_body_arguments`] with an explicit configuration (Tornado's `config=`
/// argument).
pub fn parse_body_arguments_with_config(
    content_type: &str,
    body: &Bytes,
    arguments: &mut Arguments,
    files: &mut Files,
    headers: Option<&HTTPHeaders>,
    config: &ParseBodyConfig,
) -> Result<()> {
    let check_encoding = || match headers.and_then(|h| h.get("Content-Encoding")) {
        Some(encoding) => Err(Error::input(format!(
            "Unsupported Content-Encoding: {encoding}"
        ))),
        None => Ok(()),
    };
    if content_type.starts_with("application/x-www-form-urlencoded") {
        check_encoding()?;
        // Without strict parsing, parse_qs_bytes does not fail.
        let parsed = parse_qs_bytes(body, true, false)
            .map_err(|e| Error::input(format!("Invalid x-www-form-urlencoded body: {e}")))?;
        for (name, values) in parsed {
            if !values.is_empty() {
                arguments.entry(name).or_default().extend(values);
            }
        }
    } else if media_type(content_type) == "multipart/form-data" {
        check_encoding()?;
        if !config.multipart.enabled {
            return Err(Error::input("multipart/form-data parsing is disabled"));
        }
        let boundary = content_type.split(';').find_map(|field| {
            let (k, v) = py_strip(field).split_once('=').unwrap_or((field, ""));
            (k == "boundary" && !v.is_empty()).then_some(v)
        });
        let result = match boundary {
            Some(boundary) => parse_multipart_form_data_with_config(
                boundary.as_bytes(),
                body,
                arguments,
                files,
                &config.multipart,
            ),
            None => Err(Error::input("multipart boundary not found")),
        };
        result.map_err(|e| e.prefixed("Invalid multipart/form-data: "))?;
    }
    Ok(())
}

/// The media type of a `Content-Type` value: the text before any `;`, stripped.
fn media_type(content_type: &str) -> &str {
    py_strip(content_type.split(';').next().unwrap_or_default())
}

/// Python's `str.strip()` with no argument.
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// Parses a `multipart/form-data` body: Tornado's `parse_multipart_form_data`, with
/// the process-wide [`ParseMultipartConfig`].
///
/// `boundary` may be quoted. The body must hold the final `--boundary--` (the last
/// one counts; anything after it is ignored). Each part needs headers ending in a
/// blank line, a `Content-Disposition: form-data` with a non-empty `name`, and a
/// closing CRLF; a part with a `filename` becomes an [`HTTPFile`] in `files`, any
/// other an argument value. Part headers are UTF-8 (so non-ASCII file names work) and
/// may not hold control characters (CR included, as in 6.5.5).
///
/// The first malformed part fails the whole body, and then neither `arguments` nor
/// `files` is changed. Linear in the size of the body, whatever the boundary.
///
/// ```
/// use bytes::Bytes;
/// use tornado_httputil::{parse_multipart_form_data, Arguments, Files};
/// let body = Bytes::from_static(
///     b"--1234\r\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\r\n\r\nFoo\r\n\
///       --1234\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--1234--",
/// );
/// let (mut args, mut files) = (Arguments::new(), Files::new());
/// parse_multipart_form_data(b"1234", &body, &mut args, &mut files).unwrap();
/// assert_eq!(files["files"][0].filename, "ab.txt");
/// assert_eq!(files["files"][0].body, "Foo");
/// assert_eq!(files["files"][0].content_type, "application/unknown");
/// assert_eq!(args["x"], [b"1".to_vec()]);
/// ```
pub fn parse_multipart_form_data(
    boundary: &[u8],
    data: &Bytes,
    arguments: &mut Arguments,
    files: &mut Files,
) -> Result<()> {
    let config = parse_body_config().multipart;
    parse_multipart_form_data_with_config(boundary, data, arguments, files, &config)
}

/// [`parse_multipart_form_data`] with explicit limits.
pub fn parse_multipart_form_data_with_config(
    boundary: &[u8],
    data: &Bytes,
    arguments: &mut Arguments,
    files: &mut Files,
    config: &ParseMultipartConfig,
) -> Result<()> {
    let boundary = match boundary {
        [b'"', inner @ .., b'"'] => inner,
        [b'"'] => &[][..],
        other => other,
    };
    let mut final_delim = Vec::with_capacity(boundary.len() + 4);
    final_delim.extend_from_slice(b"--");
    final_delim.extend_from_slice(boundary);
    final_delim.extend_from_slice(b"--");
    let final_index = Finder::new(&final_delim)
        .rfind(data)
        .ok_or_else(|| Error::input("Invalid multipart/form-data: no final boundary found"))?;
    let body = data.get(..final_index).unwrap_or_default();
    let mut delim = Vec::with_capacity(boundary.len() + 4);
    delim.extend_from_slice(b"--");
    delim.extend_from_slice(boundary);
    delim.extend_from_slice(b"\r\n");
    let finder = Finder::new(&delim);

    // Count the parts first, so that a body with too many fails before any work.
    let parts = finder.split(body).filter(|r| !r.is_empty()).count();
    if parts > config.max_parts {
        return Err(Error::input("multipart/form-data has too many parts"));
    }

    let mut new_arguments: Vec<(String, Vec<u8>)> = Vec::new();
    let mut new_files: Vec<(String, HTTPFile)> = Vec::new();
    for range in finder.split(body).filter(|r| !r.is_empty()) {
        let part = data.slice(range.clone());
        let eoh = part
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| Error::input("multipart/form-data missing headers"))?;
        if eoh > config.max_part_header_size {
            return Err(Error::input("multipart/form-data part header too large"));
        }
        let header_bytes = part.get(..eoh).unwrap_or_default();
        let header_text = std::str::from_utf8(header_bytes)
            .map_err(|e| Error::input(python_utf8_error(header_bytes, e)))?;
        let headers = HTTPHeaders::parse_relaxed(header_text)?;
        let (disposition, params) =
            parse_header_params(headers.get("Content-Disposition").unwrap_or_default())?;
        if disposition != "form-data" || !part.ends_with(b"\r\n") {
            return Err(Error::input("Invalid multipart/form-data"));
        }
        let value_start = eoh + 4;
        let value_end = part.len() - 2;
        let value = if value_start <= value_end {
            part.slice(value_start..value_end)
        } else {
            Bytes::new()
        };
        let name = match params.get("name") {
            Some(name) if !name.is_empty() => name.clone(),
            _ => return Err(Error::input("multipart/form-data missing name")),
        };
        match params.get("filename") {
            Some(filename) if !filename.is_empty() => {
                let content_type = headers
                    .get("Content-Type")
                    .unwrap_or("application/unknown")
                    .to_owned();
                new_files.push((
                    name,
                    HTTPFile {
                        filename: filename.clone(),
                        body: value,
                        content_type,
                    },
                ));
            }
            _ => new_arguments.push((name, value.to_vec())),
        }
    }
    for (name, value) in new_arguments {
        arguments.entry(name).or_default().push(value);
    }
    for (name, file) in new_files {
        files.entry(name).or_default().push(file);
    }
    Ok(())
}

/// Python's message for a failed `bytes.decode("utf-8")`.
fn python_utf8_error(bytes: &[u8], err: std::str::Utf8Error) -> String {
    let pos = err.valid_up_to();
    let byte = bytes.get(pos).copied().unwrap_or_default();
    match err.error_len() {
        None if bytes.len() - pos > 1 => format!(
            "'utf-8' codec can't decode bytes in position {pos}-{}: unexpected end of data",
            bytes.len() - 1
        ),
        None => format!(
            "'utf-8' codec can't decode byte {byte:#04x} in position {pos}: unexpected end of data"
        ),
        Some(_) => {
            let reason = if (0xc2..=0xf4).contains(&byte) {
                "invalid continuation byte"
            } else {
                "invalid start byte"
            };
            format!("'utf-8' codec can't decode byte {byte:#04x} in position {pos}: {reason}")
        }
    }
}

/// Substring search in linear time (Knuth–Morris–Pratt), so that a hostile boundary
/// cannot make the search quadratic.
struct Finder<'n> {
    needle: &'n [u8],
    /// `fail[i]`: the length of the longest proper border of `needle[..=i]`.
    fail: Vec<usize>,
}

impl<'n> Finder<'n> {
    fn new(needle: &'n [u8]) -> Self {
        let mut fail = vec![0; needle.len()];
        let mut k = 0;
        for i in 1..needle.len() {
            while k > 0 && needle.get(i) != needle.get(k) {
                k = fail.get(k - 1).copied().unwrap_or(0);
            }
            if needle.get(i) == needle.get(k) {
                k += 1;
            }
            if let Some(f) = fail.get_mut(i) {
                *f = k;
            }
        }
        Finder { needle, fail }
    }

    /// The start of the first match at or after `from`.
    fn find_from(&self, haystack: &[u8], from: usize) -> Option<usize> {
        if self.needle.is_empty() {
            return (from <= haystack.len()).then_some(from);
        }
        let mut k = 0;
        for (i, &b) in haystack.iter().enumerate().skip(from) {
            while k > 0 && self.needle.get(k) != Some(&b) {
                k = self.fail.get(k - 1).copied().unwrap_or(0);
            }
            if self.needle.get(k) == Some(&b) {
                k += 1;
            }
            if k == self.needle.len() {
                return Some(i + 1 - k);
            }
        }
        None
    }

    /// The start of the last match (matches may overlap, as `bytes.rfind` finds them).
    fn rfind(&self, haystack: &[u8]) -> Option<usize> {
        if self.needle.is_empty() {
            return Some(haystack.len());
        }
        let mut last = None;
        let mut k = 0;
        for (i, &b) in haystack.iter().enumerate() {
            while k > 0 && self.needle.get(k) != Some(&b) {
                k = self.fail.get(k - 1).copied().unwrap_or(0);
            }
            if self.needle.get(k) == Some(&b) {
                k += 1;
            }
            if k == self.needle.len() {
                last = Some(i + 1 - k);
                k = self.fail.get(k - 1).copied().unwrap_or(0);
            }
        }
        last
    }

    /// The ranges between non-overlapping matches, as `bytes.split(needle)`.
    fn split<'h>(
        &'h self,
        haystack: &'h [u8],
    ) -> impl Iterator<Item = std::ops::Range<usize>> + 'h {
        let mut start = Some(0);
        std::iter::from_fn(move || {
            let from = start?;
            match self.find_from(haystack, from) {
                Some(at) if !self.needle.is_empty() => {
                    start = Some(at + self.needle.len());
                    Some(from..at)
                }
                _ => {
                    start = None;
                    Some(from..haystack.len())
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finder_matches_naive() {
        let hay = b"abababcabababcab--ab";
        for needle in [&b"ab"[..], b"abab", b"abc", b"c", b"x", b"ababcab", b"--ab"] {
            let f = Finder::new(needle);
            let naive_last = hay.windows(needle.len()).rposition(|w| w == needle);
            assert_eq!(f.rfind(hay), naive_last, "{needle:?}");
            let naive_first = hay.windows(needle.len()).position(|w| w == needle);
            assert_eq!(f.find_from(hay, 0), naive_first, "{needle:?}");
        }
        let f = Finder::new(b"aa");
        let parts: Vec<_> = f.split(b"aaaba").collect();
        assert_eq!(parts, [0..0, 2..5]);
        assert_eq!(Finder::new(b"").rfind(b"abc"), Some(3));
    }

    #[test]
    fn utf8_messages() {
        let utf8_err = |b: &[u8]| std::str::from_utf8(b).unwrap_err();
        let e = utf8_err(b"a\xff");
        assert_eq!(
            python_utf8_error(b"a\xff", e),
            "'utf-8' codec can't decode byte 0xff in position 1: invalid start byte"
        );
        let e = utf8_err(b"\xe9x");
        assert_eq!(
            python_utf8_error(b"\xe9x", e),
            "'utf-8' codec can't decode byte 0xe9 in position 0: invalid continuation byte"
        );
        let e = utf8_err(b"\xe2\x82");
        assert_eq!(
            python_utf8_error(b"\xe2\x82", e),
            "'utf-8' codec can't decode bytes in position 0-1: unexpected end of data"
        );
    }

    #[test]
    fn media_types() {
        assert_eq!(
            media_type("multipart/form-data; boundary=x"),
            "multipart/form-data"
        );
        assert_eq!(
            media_type(" multipart/form-dataxyz"),
            "multipart/form-dataxyz"
        );
    }
}

//! Header parameters (`Content-Disposition: form-data; name="a"; filename*=UTF-8''b`):
//! Tornado's private `_parse_header` / `_encode_header`, with RFC 2231.
//!
//! Tornado splits the parameters with a loop that re-counts quotes from the start of
//! the rest of the line for every `;` (quadratic, CVE-2025-67726, fixed in 6.5.3) and
//! then runs Python's `email.utils.decode_params` and `collapse_rfc2231_value`. This
//! module reproduces the results of that pipeline, quirks included, in one linear
//! pass per step.

use std::cmp::Ordering;

use indexmap::IndexMap;

use crate::error::{Error, Result};

/// The parameters of a header value, in order of first appearance, names lower-cased.
pub type HeaderParams = IndexMap<String, String>;

/// Python's `str.isspace`.
fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python's `str.strip()` with no argument.
fn py_strip(s: &str) -> &str {
    s.trim_matches(py_isspace)
}

/// Splits `line` at each `;` that has an even number of unescaped `"` (a `"` not
/// preceded by `\`) between it and the previous split: Tornado's `_parseparam`, in one
/// pass. The pieces are stripped.
fn split_params(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let mut prev = None;
    for (i, c) in line.char_indices() {
        match c {
            '"' if prev != Some('\\') => in_quotes = !in_quotes,
            ';' if !in_quotes => {
                out.push(py_strip(line.get(start..i).unwrap_or_default()));
                start = i + 1;
                prev = None;
                continue;
            }
            _ => {}
        }
        prev = Some(c);
    }
    out.push(py_strip(line.get(start..).unwrap_or_default()));
    out
}

/// `email.utils.unquote`: strips one pair of surrounding `"` (then turns `\\` into `\`
/// and `\"` into `"`, one replacement pass after the other) or of `<` `>`.
fn email_unquote(s: &str) -> String {
    if s.chars().count() > 1 {
        if let Some(inner) = s.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
            return inner.replace("\\\\", "\\").replace("\\\"", "\"");
        }
        if let Some(inner) = s.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
            return inner.to_owned();
        }
    }
    s.to_owned()
}

/// `email.utils.quote`: escapes `\` and `"` with a backslash.
fn email_quote(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

/// `urllib.parse.unquote(s, encoding="latin-1")`: each valid `%XX` becomes the
/// character U+00XX; everything else stays.
fn percent_decode_latin1(s: &str) -> String {
    let bytes = s.as_bytes();
    let hex = |i: usize| bytes.get(i).and_then(|b| (*b as char).to_digit(16));
    let mut out = String::with_capacity(s.len());
    let mut chars = s.char_indices();
    while let Some((i, c)) = chars.next() {
        if let ('%', Some(hi), Some(lo)) = (c, hex(i + 1), hex(i + 2)) {
            out.push(char::from((hi * 16 + lo) as u8));
            chars.next();
            chars.next();
            continue;
        }
        out.push(c);
    }
    out
}

/// `bytes(text, "raw-unicode-escape")`: characters up to U+00FF as one byte, others as
/// `\uXXXX` / `\UXXXXXXXX`.
fn raw_unicode_escape(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for c in text.chars() {
        let code = u32::from(c);
        match u8::try_from(code) {
            Ok(b) => out.push(b),
            Err(_) if code <= 0xffff => out.extend_from_slice(format!("\\u{code:04x}").as_bytes()),
            Err(_) => out.extend_from_slice(format!("\\U{code:08x}").as_bytes()),
        }
    }
    out
}

/// The charsets RFC 2231 values are decoded with, by Python codec name.
enum Charset {
    Utf8,
    Latin1,
    Ascii,
}

fn lookup_charset(name: &str) -> Option<Charset> {
    let norm: String = name
        .trim()
        .chars()
        .map(|c| match c {
            '-' | ' ' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    match norm.as_str() {
        "utf_8" | "utf8" | "u8" | "utf" | "cp65001" => Some(Charset::Utf8),
        "latin_1" | "latin1" | "l1" | "latin" | "iso_8859_1" | "iso8859_1" | "8859" | "cp819"
        | "iso_ir_100" | "csisolatin1" | "iso_8859_1:1987" | "ibm819" => Some(Charset::Latin1),
        "ascii" | "us_ascii" | "646" | "us" | "cp367" | "csascii" | "ibm367" | "iso646_us"
        | "iso_ir_6" | "ansi_x3.4_1968" | "ansi_x3_4_1968" | "ansi_x3.4_1986" => {
            Some(Charset::Ascii)
        }
        _ => None,
    }
}

/// `email.utils.collapse_rfc2231_value` for an extended value `(charset, text)`.
fn collapse_extended(charset: Option<&str>, text: &str) -> String {
    let raw = raw_unicode_escape(text);
    match lookup_charset(charset.unwrap_or("us-ascii")) {
        Some(Charset::Utf8) => String::from_utf8_lossy(&raw).into_owned(),
        Some(Charset::Latin1) => raw.iter().map(|&b| char::from(b)).collect(),
        Some(Charset::Ascii) => raw
            .iter()
            .map(|&b| {
                if b.is_ascii() {
                    char::from(b)
                } else {
                    '\u{fffd}'
                }
            })
            .collect(),
        // Python's LookupError path (a charset it does not know; we know fewer).
        None => email_unquote(text),
    }
}

/// A parameter name of the form `name*`, `name*N` or `name*N*` (RFC 2231): the base
/// name and the section number, if any. Python's `rfc2231_continuation`.
fn rfc2231_name(name: &str) -> Option<(&str, Option<&str>)> {
    let star = name.find('*')?;
    let (base, rest) = (name.get(..star)?, name.get(star + 1..)?);
    let word = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !word(base) {
        return None;
    }
    if rest.is_empty() {
        return Some((base, None));
    }
    let digits = rest.strip_suffix('*').unwrap_or(rest);
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .then_some((base, Some(digits)))
}

/// Compares two decimal digit strings by value (Python compares the `int`s).
fn cmp_decimal(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// One RFC 2231 section: `(number, text, encoded)`.
type Section<'a> = (Option<&'a str>, String, bool);

/// Parses a header value with parameters, such as `Content-Type` or
/// `Content-Disposition`: Tornado's `_parse_header`. Returns the main value and the
/// parameters.
///
/// The value is split at each `;` outside double quotes; each piece is stripped; the
/// first piece is the main value (kept as it is, case included). Other pieces without
/// `=` are dropped; the rest become parameters, names lower-cased and values unquoted.
/// RFC 2231 extended parameters (`filename*=UTF-8''%C3%A1b.txt`, sections `name*0`,
/// `name*1*`) are decoded and replace a plain parameter of the same name. The results
/// match Python's `email.utils` step for step (its double unquoting included), except
/// that only the UTF-8, ISO-8859-1 and ASCII charsets are decoded; a value in another
/// charset is left percent-decoded, as Python leaves a charset it does not know.
///
/// Linear in the length of `line`, whatever its quotes and semicolons.
///
/// An `HTTPInputError` only for sections numbered and unnumbered under one name
/// (Python raises a `TypeError` comparing them).
///
/// ```
/// use tornado_httputil::parse_header_params;
/// let (value, params) =
///     parse_header_params(r#"form-data; name="files"; filename="a\"b;c.txt""#).unwrap();
/// assert_eq!(value, "form-data");
/// assert_eq!(params["name"], "files");
/// assert_eq!(params["filename"], "a\"b;c.txt");
/// let (_, params) =
///     parse_header_params("attachment; filename=x; filename*=UTF-8''T%C3%A4st").unwrap();
/// assert_eq!(params["filename"], "T\u{e4}st");
/// ```
pub fn parse_header_params(line: &str) -> Result<(String, HeaderParams)> {
    let mut pieces = split_params(line).into_iter();
    let key = pieces.next().unwrap_or_default().to_owned();
    // Every `name=value` piece: lower-cased name, value unquoted once.
    let entries: Vec<(String, String)> = pieces
        .filter_map(|piece| piece.split_once('='))
        .map(|(name, value)| {
            (
                py_strip(name).to_lowercase(),
                email_unquote(py_strip(value)),
            )
        })
        .collect();
    // Plain parameters in order, then the RFC 2231 ones, as `decode_params` orders them.
    let mut decoded: Vec<(String, String)> = Vec::with_capacity(entries.len());
    let mut sections: IndexMap<&str, Vec<Section<'_>>> = IndexMap::new();
    for (name, value) in &entries {
        match rfc2231_name(name) {
            Some((base, num)) => {
                let encoded = name.ends_with('*');
                sections
                    .entry(base)
                    .or_default()
                    .push((num, value.clone(), encoded));
            }
            None => {
                let requoted = format!("\"{}\"", email_quote(value));
                decoded.push((name.clone(), email_unquote(&requoted)));
            }
        }
    }
    for (name, mut parts) in sections {
        let numbered = parts.iter().filter(|p| p.0.is_some()).count();
        if numbered != 0 && numbered != parts.len() {
            return Err(Error::input(format!(
                "Invalid header parameters: sections of {name:?} are both numbered and not"
            )));
        }
        parts.sort_by(|a, b| {
            let by_num = match (a.0, b.0) {
                (Some(x), Some(y)) => cmp_decimal(x, y),
                _ => Ordering::Equal,
            };
            by_num
                .then_with(|| a.1.cmp(&b.1))
                .then_with(|| a.2.cmp(&b.2))
        });
        let mut joined = String::new();
        let mut extended = false;
        for (_, text, encoded) in &parts {
            if *encoded {
                joined.push_str(&percent_decode_latin1(text));
                extended = true;
            } else {
                joined.push_str(text);
            }
        }
        let joined = email_quote(&joined);
        let value = if extended {
            let mut split = joined.splitn(3, '\'');
            match (split.next(), split.next(), split.next()) {
                (Some(charset), Some(_language), Some(text)) => {
                    collapse_extended(Some(charset), &format!("\"{text}\""))
                }
                _ => collapse_extended(None, &format!("\"{joined}\"")),
            }
        } else {
            email_unquote(&format!("\"{joined}\""))
        };
        decoded.push((name.to_owned(), value));
    }
    let mut params = HeaderParams::with_capacity(decoded.len());
    for (name, value) in decoded {
        let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
            Some(inner) if value.len() >= 2 => inner.to_owned(),
            _ => value,
        };
        params.insert(name, value);
    }
    Ok((key, params))
}

/// Writes a main value and parameters as a header value, parameters sorted by name:
/// Tornado's `_encode_header`, the inverse of [`parse_header_params`] for simple
/// values. A parameter without a value is written as its bare name. Values are not
/// quoted.
///
/// ```
/// use tornado_httputil::encode_header_params;
/// assert_eq!(
///     encode_header_params(
///         "permessage-deflate",
///         [("client_max_window_bits", Some("15")), ("client_no_context_takeover", None)],
///     ),
///     "permessage-deflate; client_max_window_bits=15; client_no_context_takeover"
/// );
/// assert_eq!(encode_header_params("x", Vec::<(&str, Option<&str>)>::new()), "x");
/// ```
pub fn encode_header_params<I, K, V>(key: &str, params: I) -> String
where
    I: IntoIterator<Item = (K, Option<V>)>,
    K: AsRef<str>,
    V: AsRef<str>,
{
    let mut params: Vec<(K, Option<V>)> = params.into_iter().collect();
    params.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
    let mut out = key.to_owned();
    for (name, value) in &params {
        out.push_str("; ");
        out.push_str(name.as_ref());
        if let Some(value) = value {
            out.push('=');
            out.push_str(value.as_ref());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_like_tornado() {
        assert_eq!(split_params("a; b=\"x;y\"; c"), ["a", "b=\"x;y\"", "c"]);
        assert_eq!(
            split_params("a; b=\"x\\\";y\"; c"),
            ["a", "b=\"x\\\";y\"", "c"]
        );
        assert_eq!(split_params(";;"), ["", "", ""]);
        assert_eq!(split_params("\"a;b"), ["\"a;b"]);
    }

    #[test]
    fn doctest_of_tornado() {
        let (key, params) =
            parse_header_params("form-data; foo=\"b\\\\a\\\"r\"; file*=utf-8''T%C3%A4st").unwrap();
        assert_eq!(key, "form-data");
        assert_eq!(params["file"], "T\u{e4}st");
        assert_eq!(params["foo"], "b\\a\"r");
    }

    #[test]
    fn valueless_and_sections() {
        let (key, params) =
            parse_header_params("permessage-deflate; client_max_window_bits; a=1").unwrap();
        assert_eq!(key, "permessage-deflate");
        assert_eq!(params.len(), 1);
        let (_, params) = parse_header_params("x; t*1=b; t*0=a; t*10=c").unwrap();
        assert_eq!(params["t"], "abc");
        assert!(parse_header_params("x; t*=a; t*0=b").is_err());
        let (_, params) = parse_header_params("x; a=<b>; c=\"\\\"d\\\"\"").unwrap();
        assert_eq!(params["a"], "b");
        assert_eq!(params["c"], "d");
    }

    #[test]
    fn charsets() {
        let (_, p) = parse_header_params(
            "x; a*=iso-8859-1'en'%E9; b*=us-ascii''%E9; c*=''%41; d*=koi8-r''%41",
        )
        .unwrap();
        assert_eq!(p["a"], "\u{e9}");
        assert_eq!(p["b"], "\u{fffd}");
        assert_eq!(p["c"], "A");
        assert_eq!(p["d"], "A");
    }

    #[test]
    fn decimal_order() {
        assert_eq!(cmp_decimal("10", "9"), Ordering::Greater);
        assert_eq!(cmp_decimal("007", "7"), Ordering::Equal);
        assert_eq!(cmp_decimal("0", ""), Ordering::Equal);
    }
}

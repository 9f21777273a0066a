//! `url_escape`, `url_unescape` and `parse_qs_bytes`: Python's `urllib.parse.quote`,
//! `quote_plus`, `unquote`, `unquote_plus`, `unquote_to_bytes` and `parse_qs`.

use indexmap::IndexMap;

use crate::error::{Error, Result};

const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// Bytes `quote` never escapes: ASCII letters, digits and `_.-~`.
fn always_safe(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'~')
}

/// Percent-encodes `value` for a URL, as Tornado's `url_escape` does.
///
/// With `plus` (Tornado's default, Python's `quote_plus`), a space becomes `+` and `/`
/// is escaped: the form for query strings. Without it (Python's `quote`), a space
/// becomes `%20` and `/` is kept: the form for path segments. Letters, digits and
/// `_.-~` are never escaped; every other byte becomes `%XX` with upper-case hex.
/// A `&str` is escaped as its UTF-8 bytes, bytes as they are.
///
/// ```
/// use tornado_escape::url_escape;
/// assert_eq!(url_escape("a b/c?d=\u{e9}", true), "a+b%2Fc%3Fd%3D%C3%A9");
/// assert_eq!(url_escape("a b/c", false), "a%20b/c");
/// assert_eq!(url_escape(b"\xe9", true), "%E9");
/// ```
pub fn url_escape(value: impl AsRef<[u8]>, plus: bool) -> String {
    let mut out = String::new();
    url_escape_into(value, plus, &mut out);
    out
}

/// Appends [`url_escape`]`(value, plus)` to `out`.
pub fn url_escape_into(value: impl AsRef<[u8]>, plus: bool, out: &mut String) {
    let value = value.as_ref();
    out.reserve(value.len());
    for &b in value {
        if always_safe(b) || (!plus && b == b'/') {
            out.push(char::from(b));
        } else if plus && b == b' ' {
            out.push('+');
        } else {
            out.push('%');
            out.push(char::from(HEX_UPPER[usize::from(b >> 4)]));
            out.push(char::from(HEX_UPPER[usize::from(b & 15)]));
        }
    }
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Appends the percent-decoded `value` to `out`; with `plus`, `+` becomes a space first.
/// A `%` not followed by two hex digits is kept as it is, as Python does.
fn percent_decode_into(value: &[u8], plus: bool, out: &mut Vec<u8>) {
    out.reserve(value.len());
    let mut i = 0;
    while let Some(&b) = value.get(i) {
        match b {
            b'%' => {
                let hi = value.get(i + 1).copied().and_then(hex_value);
                let lo = value.get(i + 2).copied().and_then(hex_value);
                if let (Some(hi), Some(lo)) = (hi, lo) {
                    out.push(hi << 4 | lo);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b'+' if plus => out.push(b' '),
            _ => out.push(b),
        }
        i += 1;
    }
}

/// Decodes a percent-encoded `value` to text, as Tornado's `url_unescape` with its
/// default `encoding="utf-8"`.
///
/// With `plus` (Tornado's default, Python's `unquote_plus`), `+` means a space; without
/// it (Python's `unquote`), `+` stays. Like Python, a `%` that does not start two hex
/// digits is kept, and bytes that are not UTF-8 become U+FFFD (`errors="replace"`).
///
/// ```
/// use tornado_escape::url_unescape;
/// assert_eq!(url_unescape("%2B+%23%25", true), "+ #%");
/// assert_eq!(url_unescape("%2B+%23%25", false), "++#%");
/// assert_eq!(url_unescape("%C3%A9%E9%zz", true), "\u{e9}\u{fffd}%zz");
/// ```
pub fn url_unescape(value: impl AsRef<[u8]>, plus: bool) -> String {
    let bytes = url_unescape_bytes(value, plus);
    match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    }
}

/// Decodes a percent-encoded `value` to bytes: Tornado's `url_unescape(value,
/// encoding=None, plus)` (Python's `unquote_to_bytes`, with `+` as a space when `plus`).
///
/// ```
/// use tornado_escape::url_unescape_bytes;
/// assert_eq!(url_unescape_bytes("%C3%A9+%E9", true), b"\xc3\xa9 \xe9");
/// assert_eq!(url_unescape_bytes("a+b%2", false), b"a+b%2");
/// ```
pub fn url_unescape_bytes(value: impl AsRef<[u8]>, plus: bool) -> Vec<u8> {
    let mut out = Vec::new();
    percent_decode_into(value.as_ref(), plus, &mut out);
    out
}

/// The arguments of a query string: each name, in order of first appearance, with all
/// its values in order. Names are text, values bytes (see [`parse_qs_bytes`]).
pub type QueryArguments = IndexMap<String, Vec<Vec<u8>>>;

/// Text whose characters are the given bytes (ISO-8859-1, Python's `latin1`).
pub(crate) fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

/// Parses a query string (or an `application/x-www-form-urlencoded` body) as Tornado's
/// `parse_qs_bytes`: Python's `parse_qs` over the bytes, with values kept as bytes.
///
/// Fields are separated by `&` only (not `;`). Each is split at its first `=`; `+`
/// means a space and `%XX` a byte, in names and values alike. Names are decoded as
/// ISO-8859-1 (each byte one character, as Tornado does); values stay bytes.
///
/// Empty fields are skipped. A field without `=`, or with an empty value, is kept with
/// an empty value only when `keep_blank_values` is true. With `strict_parsing`, an empty
/// field or a field without `=` is an error ([`Error::is_query`]).
///
/// ```
/// use tornado_escape::parse_qs_bytes;
/// let args = parse_qs_bytes("a=1&b=x+y&a=%E9&c=", false, false).unwrap();
/// assert_eq!(args["a"], [b"1".to_vec(), b"\xe9".to_vec()]);
/// assert_eq!(args["b"], [b"x y".to_vec()]);
/// assert!(!args.contains_key("c"));
/// assert!(parse_qs_bytes("a=1&&b", false, true).unwrap_err().is_query());
/// ```
pub fn parse_qs_bytes(
    qs: impl AsRef<[u8]>,
    keep_blank_values: bool,
    strict_parsing: bool,
) -> Result<QueryArguments> {
    let qs = qs.as_ref();
    let mut result = QueryArguments::new();
    if qs.is_empty() {
        return Ok(result);
    }
    let mut name = Vec::new();
    for field in qs.split(|&b| b == b'&') {
        if field.is_empty() && !strict_parsing {
            continue;
        }
        let (raw_name, raw_value) = match field.iter().position(|&b| b == b'=') {
            Some(eq) => (&field[..eq], &field[eq + 1..]),
            None if strict_parsing => return Err(Error::query(field)),
            None if keep_blank_values => (field, &b""[..]),
            None => continue,
        };
        if raw_value.is_empty() && !keep_blank_values {
            continue;
        }
        name.clear();
        percent_decode_into(raw_name, true, &mut name);
        let value = url_unescape_bytes(raw_value, true);
        result.entry(latin1(&name)).or_default().push(value);
    }
    Ok(result)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_every_byte() {
        for b in 0..=255u8 {
            let plus = url_escape([b], true);
            let path = url_escape([b], false);
            if always_safe(b) {
                assert_eq!(plus, char::from(b).to_string());
            } else if b == b' ' {
                assert_eq!((plus.as_str(), path.as_str()), ("+", "%20"));
            } else if b == b'/' {
                assert_eq!((plus.as_str(), path.as_str()), ("%2F", "/"));
            } else {
                assert_eq!(plus, format!("%{b:02X}"));
                assert_eq!(path, plus);
            }
            assert_eq!(url_unescape_bytes(&plus, true), [b]);
            assert_eq!(url_unescape_bytes(&path, false), [b]);
        }
    }

    #[test]
    fn broken_percent_sequences_stay() {
        assert_eq!(url_unescape_bytes("%", true), b"%");
        assert_eq!(url_unescape_bytes("%4", true), b"%4");
        assert_eq!(url_unescape_bytes("%4g%41%%41", true), b"%4gA%A");
        assert_eq!(url_unescape_bytes("%aF%Af", true), b"\xaf\xaf");
    }

    #[test]
    fn query_blank_and_strict() {
        let args = parse_qs_bytes("a&b=&=c&&d=1", true, false).unwrap();
        let keys: Vec<&str> = args.keys().map(String::as_str).collect();
        assert_eq!(keys, ["a", "b", "", "d"]);
        assert_eq!(args[""], [b"c".to_vec()]);
        let args = parse_qs_bytes("a&b=&=c&&d=1", false, false).unwrap();
        let keys: Vec<&str> = args.keys().map(String::as_str).collect();
        assert_eq!(keys, ["", "d"]);
        assert!(parse_qs_bytes("a=1&", false, true).is_err());
        assert!(parse_qs_bytes("a=1&b", true, true).is_err());
        assert_eq!(parse_qs_bytes("", false, true).unwrap().len(), 0);
        assert_eq!(
            parse_qs_bytes("%E9=%E9", false, true).unwrap()["\u{e9}"],
            [vec![0xe9]]
        );
    }
}

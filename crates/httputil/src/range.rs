//! `Range` and `Content-Range`: Tornado's private `_parse_request_range` and
//! `_get_content_range`, which `StaticFileHandler` uses.

/// Python's `str.strip()` with no argument.
fn py_strip(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c))
}

/// Python's `int(s)` for base-10 text (an optional sign, ASCII digits with single `_`
/// between them), saturating at the ends of `i64` where Python's integers grow.
fn py_int(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    if digits.is_empty()
        || digits.starts_with('_')
        || digits.ends_with('_')
        || digits.contains("__")
    {
        return None;
    }
    let mut value: i64 = 0;
    for b in digits.bytes().filter(|&b| b != b'_') {
        if !b.is_ascii_digit() {
            return None;
        }
        value = value.saturating_mul(10).saturating_add(i64::from(b - b'0'));
    }
    Some(if negative { -value } else { value })
}

/// `None` for blank text, else Python's `int()`; `Err` when that fails.
fn int_or_none(s: &str) -> Result<Option<i64>, ()> {
    let s = py_strip(s);
    if s.is_empty() {
        Ok(None)
    } else {
        py_int(s).map(Some).ok_or(())
    }
}

/// Parses a `Range` header of one byte range: Tornado's `_parse_request_range`.
///
/// Returns `None` when the header is not a single `bytes=` range Tornado understands,
/// else `(start, end)` as slice indexes (end exclusive): `bytes=1-2` is `(Some(1),
/// Some(3))`, `bytes=6-` is `(Some(6), None)`, the suffix `bytes=-6` is `(Some(-6),
/// None)` (negative: from the end), `bytes=-0` is `(None, Some(0))`. Numbers are read
/// as Python's `int()` reads them, saturating at the ends of `i64`.
///
/// ```
/// use tornado_httputil::parse_request_range;
/// assert_eq!(parse_request_range("bytes=1-2"), Some((Some(1), Some(3))));
/// assert_eq!(parse_request_range("bytes=6-"), Some((Some(6), None)));
/// assert_eq!(parse_request_range("bytes=-6"), Some((Some(-6), None)));
/// assert_eq!(parse_request_range("bytes=-0"), Some((None, Some(0))));
/// assert_eq!(parse_request_range("bytes="), Some((None, None)));
/// assert_eq!(parse_request_range("foo=42"), None);
/// assert_eq!(parse_request_range("bytes=1-2,6-10"), None);
/// ```
pub fn parse_request_range(range_header: &str) -> Option<(Option<i64>, Option<i64>)> {
    let (unit, value) = range_header.split_once('=').unwrap_or((range_header, ""));
    if py_strip(unit) != "bytes" {
        return None;
    }
    let value = py_strip(value);
    let (start, end) = value.split_once('-').unwrap_or((value, ""));
    let mut start = int_or_none(start).ok()?;
    let mut end = int_or_none(end).ok()?;
    if let Some(e) = end {
        match start {
            None if e != 0 => {
                start = Some(e.saturating_neg());
                end = None;
            }
            None => {}
            Some(_) => end = Some(e.saturating_add(1)),
        }
    }
    Some((start, end))
}

/// The `Content-Range` value for the slice `start..end` of `total` bytes: Tornado's
/// `_get_content_range` (a missing or zero `end` means `total`).
///
/// ```
/// use tornado_httputil::get_content_range;
/// assert_eq!(get_content_range(None, Some(1), 4), "bytes 0-0/4");
/// assert_eq!(get_content_range(Some(1), Some(3), 4), "bytes 1-2/4");
/// assert_eq!(get_content_range(None, None, 4), "bytes 0-3/4");
/// ```
pub fn get_content_range(start: Option<i64>, end: Option<i64>, total: i64) -> String {
    let start = start.unwrap_or(0);
    let end = match end {
        Some(e) if e != 0 => e,
        _ => total,
    };
    format!("bytes {start}-{}/{total}", end.saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_int_rules() {
        assert_eq!(py_int("010"), Some(10));
        assert_eq!(py_int("+5"), Some(5));
        assert_eq!(py_int("-0"), Some(0));
        assert_eq!(py_int("1_000"), Some(1000));
        for bad in ["", "_1", "1_", "1__0", "0x10", "+", "-", "1.0", "1 2"] {
            assert_eq!(py_int(bad), None, "{bad}");
        }
        assert_eq!(py_int("99999999999999999999999"), Some(i64::MAX));
    }

    #[test]
    fn odd_ranges() {
        assert_eq!(
            parse_request_range(" bytes = 1 - 2 "),
            Some((Some(1), Some(3)))
        );
        assert_eq!(parse_request_range("bytes=--6"), Some((Some(6), None)));
        assert_eq!(parse_request_range("bytes"), Some((None, None)));
        assert_eq!(parse_request_range("bytes=5"), Some((Some(5), None)));
        assert_eq!(parse_request_range("bytes=a-"), None);
        assert_eq!(parse_request_range("bytes=1-2-3"), None);
        assert_eq!(get_content_range(Some(0), Some(0), 5), "bytes 0-4/5");
    }
}

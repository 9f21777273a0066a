//! The character classes of RFC 9110/9112 and RFC 3986 that Tornado validates against
//! (its private `_ABNF` class), as 256-entry byte tables: one lookup per byte, no regex.
//!
//! Text reaches these checks in one of two forms. Wire bytes are ISO-8859-1: every
//! byte is one character. A `&str` from a caller stands for the same characters, so a
//! character above U+00FF cannot be a header byte; in UTF-8 the characters U+0080 to
//! U+00FF are exactly the two-byte sequences led by `0xC2` or `0xC3`, which lets the
//! `&str` checks stay byte-wise as well.

/// Builds, at compile time, a table that marks the bytes for which the expression holds.
macro_rules! table {
    (|$b:ident| $e:expr) => {{
        let mut t = [false; 256];
        let mut i = 0;
        while i < 256 {
            let $b = i as u8;
            t[i] = $e;
            i += 1;
        }
        t
    }};
}

const fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'!' | b'#'
                | b'$'
                | b'%'
                | b'&'
                | b'\''
                | b'*'
                | b'+'
                | b'-'
                | b'.'
                | b'^'
                | b'_'
                | b'`'
                | b'|'
                | b'~'
        )
}

/// RFC 9110 `tchar`: the characters of a token (header names, methods).
pub(crate) static TCHAR: [bool; 256] = table!(|b| is_tchar(b));

/// RFC 9110 `field-vchar` (VCHAR or obs-text) over ISO-8859-1 bytes.
const fn is_field_vchar(b: u8) -> bool {
    matches!(b, 0x21..=0x7e | 0x80..=0xff)
}

/// `field-vchar`, SP or HTAB: any byte of a field value.
pub(crate) static FIELD_BYTE: [bool; 256] =
    table!(|b| is_field_vchar(b) || b == b' ' || b == b'\t');

/// The bytes of a `&str` that may appear in a field value: ASCII field bytes, UTF-8
/// continuation bytes, and the lead bytes of U+0080..U+00FF.
pub(crate) static FIELD_BYTE_UTF8: [bool; 256] = table!(|b| match b {
    0x80..=0xbf | 0xc2 | 0xc3 => true,
    0x80..=0xff => false,
    _ => is_field_vchar(b) || b == b' ' || b == b'\t',
});

/// What Tornado 6.5.5 forbids in `multipart/form-data` part headers (decoded as
/// UTF-8): the C0 controls except HTAB, and DEL. CR is forbidden since 6.5.5.
pub(crate) static FORBIDDEN_RELAXED: [bool; 256] =
    table!(|b| matches!(b, 0x00..=0x08 | 0x0a..=0x1f | 0x7f));

/// RFC 3986 `unreserved`, `sub-delims`, and `[`, `]`, `:` (Tornado's simplified
/// `uri-host`, which also covers `":" port`). `%` is handled apart (pct-encoded).
static HOST_CHAR: [bool; 256] = table!(|b| {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b'['
                | b']'
                | b':'
        )
});

fn is_ws(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// True when `name` is an RFC 9110 token: one or more `tchar`.
///
/// This is the rule Tornado 6.5 applies to header names and request methods.
///
/// ```
/// use tornado_httputil::is_valid_header_name;
/// assert!(is_valid_header_name("X-Forwarded-For"));
/// assert!(!is_valid_header_name("foo bar"));
/// assert!(!is_valid_header_name(""));
/// assert!(!is_valid_header_name("\u{e9}"));
/// ```
pub fn is_valid_header_name(name: &str) -> bool {
    is_token(name.as_bytes())
}

pub(crate) fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| TCHAR[usize::from(b)])
}

/// True when `value` matches RFC 9110's `field-value`, as Tornado 6.5 checks each
/// header it parses or `add`s: visible characters and obs-text (U+0021..U+007E,
/// U+0080..U+00FF) with spaces and tabs allowed only between them. The empty value is
/// valid.
///
/// ```
/// use tornado_httputil::is_valid_header_value;
/// assert!(is_valid_header_value("text/html; charset=UTF-8"));
/// assert!(is_valid_header_value("caf\u{e9}"));
/// assert!(is_valid_header_value(""));
/// assert!(!is_valid_header_value(" leading space"));
/// assert!(!is_valid_header_value("a\r\nInjected: 1"));
/// assert!(!is_valid_header_value("\u{2603}"));
/// ```
pub fn is_valid_header_value(value: &str) -> bool {
    field_value_utf8(value.as_bytes())
}

/// `field-value` over the UTF-8 bytes of a `&str` (characters above U+00FF fail).
#[inline]
pub(crate) fn field_value_utf8(bytes: &[u8]) -> bool {
    field_value_from(bytes, skip_printable(bytes, 0))
}

/// [`field_value_utf8`] for bytes whose first `printable_end` are printable ASCII.
#[inline]
pub(crate) fn field_value_from(bytes: &[u8], printable_end: usize) -> bool {
    match (bytes.first(), bytes.last()) {
        (Some(&first), Some(&last)) if is_ws(first) || is_ws(last) => false,
        _ => bytes
            .get(printable_end..)
            .is_some_and(|rest| rest.iter().all(|&b| FIELD_BYTE_UTF8[usize::from(b)])),
    }
}

/// A mask with the high bit of each byte of `x` that is not in `low..=0x7E` set, exact
/// for the lowest such byte (bytes above it may be flagged spuriously): where a run of
/// ASCII from `low` on ends. `low` is at most 0x80.
#[inline]
const fn ascii_outside(x: u64, low: u8) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // A byte below `low` (the borrow trick is exact for the lowest such byte).
    let below = x.wrapping_sub(ONES * low as u64) & !x & HIGH;
    // A 0x7F byte: a zero byte in x ^ 0x7F...
    let del = x ^ (ONES * 0x7f);
    let del = del.wrapping_sub(ONES) & !del & HIGH;
    below | del | (x & HIGH)
}

/// The index of the first byte of `b` from `j` on that is a colon or not printable
/// ASCII (0x20..=0x7E), or `b.len()`: where a header name ends, if it is simple.
#[inline]
pub(crate) fn find_colon(b: &[u8], mut j: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(word) = b.get(j..).and_then(<[u8]>::first_chunk::<8>) {
        let x = u64::from_le_bytes(*word);
        let colon = x ^ (ONES * u64::from(b':'));
        let colon = colon.wrapping_sub(ONES) & !colon & HIGH;
        let mask = non_printable(x) | colon;
        if mask != 0 {
            return j + (mask.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while let Some(&c) = b.get(j) {
        if c == b':' || !(0x20..0x7f).contains(&c) {
            break;
        }
        j += 1;
    }
    j
}

/// [`ascii_outside`] for printable ASCII (0x20..=0x7E).
#[inline]
pub(crate) const fn non_printable(x: u64) -> u64 {
    ascii_outside(x, 0x20)
}

/// The index of the first byte of `b` from `j` on that is not in `low..=0x7E` (or
/// `b.len()`).
#[inline]
fn skip_ascii_from(b: &[u8], mut j: usize, low: u8) -> usize {
    while let Some(word) = b.get(j..).and_then(<[u8]>::first_chunk::<8>) {
        let mask = ascii_outside(u64::from_le_bytes(*word), low);
        if mask != 0 {
            return j + (mask.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    while let Some(&c) = b.get(j) {
        if !(low..0x7f).contains(&c) {
            break;
        }
        j += 1;
    }
    j
}

/// True when every byte of `b` is printable ASCII (0x20..=0x7E): words of eight bytes,
/// the last one overlapping the one before, and a short slice in one or two loads.
#[inline]
pub(crate) fn all_printable(b: &[u8]) -> bool {
    let word = |at: usize| {
        b.get(at..)
            .and_then(<[u8]>::first_chunk::<8>)
            .map_or(u64::MAX, |w| u64::from_le_bytes(*w))
    };
    let n = b.len();
    if n >= 8 {
        let mut at = 0;
        while at + 8 < n {
            if non_printable(word(at)) != 0 {
                return false;
            }
            at += 8;
        }
        non_printable(word(n - 8)) == 0
    } else if let (Some(head), Some(tail)) = (b.first_chunk::<4>(), b.last_chunk::<4>()) {
        let x = u64::from(u32::from_le_bytes(*head)) | u64::from(u32::from_le_bytes(*tail)) << 32;
        non_printable(x) == 0
    } else {
        b.iter().all(|&c| (0x20..0x7f).contains(&c))
    }
}

/// The index of the first byte of `b` from `j` on that is not visible ASCII
/// (0x21..=0x7E), or `b.len()`.
#[inline]
pub(crate) fn skip_visible(b: &[u8], j: usize) -> usize {
    skip_ascii_from(b, j, 0x21)
}

/// The index of the first byte of `b` from `j` on that is not printable ASCII
/// (0x20..=0x7E), or `b.len()`.
#[inline]
pub(crate) fn skip_printable(b: &[u8], j: usize) -> usize {
    skip_ascii_from(b, j, 0x20)
}

/// True when `bytes` holds a character Tornado forbids in multipart part headers.
pub(crate) fn has_forbidden_relaxed(bytes: &[u8]) -> bool {
    bytes.iter().any(|&b| FORBIDDEN_RELAXED[usize::from(b)])
}

/// RFC 9112 `request-target` as Tornado 6.5 simplifies it: one or more `field-vchar`
/// (no space, no control character). Works on ISO-8859-1 bytes.
pub(crate) fn request_target_latin1(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| is_field_vchar(b))
}

/// The same over the UTF-8 bytes of a `&str`.
pub(crate) fn request_target_utf8(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|&b| b != b' ' && b != b'\t' && FIELD_BYTE_UTF8[usize::from(b)])
}

/// RFC 9112 `reason-phrase`: one or more of HTAB, SP, VCHAR, obs-text (ISO-8859-1).
pub(crate) fn reason_phrase_latin1(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| FIELD_BYTE[usize::from(b)])
}

/// The same over the UTF-8 bytes of a `&str`.
pub(crate) fn reason_phrase_utf8(bytes: &[u8]) -> bool {
    !bytes.is_empty() && bytes.iter().all(|&b| FIELD_BYTE_UTF8[usize::from(b)])
}

/// The host characters but `,`: a host of these alone is valid and holds no comma.
static PLAIN_HOST_CHAR: [bool; 256] = table!(|b| HOST_CHAR[b as usize] && b != b',');

/// True when `host` is made of host characters other than `,` and `%` only: valid
/// (see [`is_valid_host`]) and not a list. The common case, in one pass.
#[inline]
pub(crate) fn is_plain_host(host: &str) -> bool {
    let ok = |b: u8| PLAIN_HOST_CHAR[usize::from(b)];
    // Four bytes a step, their verdicts combined: one branch per step.
    let mut chunks = host.as_bytes().chunks_exact(4);
    let words = chunks
        .by_ref()
        .all(|c| c.iter().fold(true, |all, &b| all & ok(b)));
    words && chunks.remainder().iter().all(|&b| ok(b))
}

/// True when `host` matches Tornado 6.5's `uri-host [":" port]` rule: unreserved
/// characters, sub-delims, `%XX` escapes and `[`, `]`, `:` anywhere. The empty string
/// matches. (Commas pass this rule; [`crate::validate_host_header`] rejects them apart.)
pub(crate) fn is_valid_host(host: &str) -> bool {
    let bytes = host.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = |j: usize| bytes.get(j).is_some_and(|c| c.is_ascii_hexdigit());
            if !(hex(i + 1) && hex(i + 2)) {
                return false;
            }
            i += 3;
        } else if HOST_CHAR[usize::from(b)] {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(is_token(b"!#$%&'*+-.^_`|~09azAZ"));
        for bad in [
            &b""[..],
            b"a b",
            b"a\tb",
            b"a:b",
            b"a\"",
            b"(",
            b"\xe9",
            b"a/b",
        ] {
            assert!(!is_token(bad), "{bad:?}");
        }
    }

    #[test]
    fn printable_words() {
        for b in 0..=255u8 {
            for pos in 0..8 {
                for after in [b'a', 0x00, 0x7f, 0xff, b'\r'] {
                    let mut word = *b"abcdefgh";
                    word[pos] = b;
                    if pos < 7 {
                        word[pos + 1] = after;
                    }
                    let want = (0x20..=0x7e).contains(&b);
                    let mask = non_printable(u64::from_le_bytes(word));
                    let first = (mask.trailing_zeros() / 8) as usize;
                    if want {
                        assert!(first > pos, "{b:#x} at {pos}");
                    } else {
                        assert_eq!(first, pos, "{b:#x} at {pos}");
                    }
                    let mut line = word.to_vec();
                    line.extend_from_slice(b"0123456789");
                    let stop = line.iter().position(|c| !(0x20..0x7f).contains(c));
                    assert_eq!(skip_printable(&line, 0), stop.unwrap_or(line.len()));
                    let stop = line.iter().position(|c| !(0x21..0x7f).contains(c));
                    assert_eq!(skip_visible(&line, 0), stop.unwrap_or(line.len()));
                    let stop = line
                        .iter()
                        .position(|&c| c == b':' || !(0x20..0x7f).contains(&c));
                    assert_eq!(find_colon(&line, 0), stop.unwrap_or(line.len()));
                    line[pos] = b':';
                    assert_eq!(find_colon(&line, 0), pos);
                    for len in 0..line.len() {
                        let part = &line[..len];
                        let want = part.iter().all(|c| (0x20..0x7f).contains(c));
                        assert_eq!(all_printable(part), want, "{part:?}");
                        for from in 0..=len {
                            let part = &word[..len.min(8)];
                            let stop = part[from.min(part.len())..]
                                .iter()
                                .position(|c| !(0x20..0x7f).contains(c))
                                .map_or(part.len(), |i| i + from.min(part.len()));
                            assert_eq!(skip_printable(part, from.min(part.len())), stop);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn field_values() {
        assert!(field_value_utf8(b""));
        assert!(field_value_utf8(b"x"));
        assert!(field_value_utf8(b"a \t b"));
        assert!(!field_value_utf8(b" a"));
        assert!(!field_value_utf8(b"a\t"));
        assert!(!field_value_utf8(b"\t"));
        assert!(!field_value_utf8(b"a\x7fb"));
        assert!(!field_value_utf8(b"a\rb"));
        assert!(field_value_utf8("\u{80}\u{ff}é".as_bytes()));
        assert!(!field_value_utf8("\u{100}".as_bytes()));
        assert!(!field_value_utf8("\u{2028}".as_bytes()));
        assert!(!field_value_utf8("😀".as_bytes()));
    }

    #[test]
    fn every_byte_in_a_value() {
        for b in 0..=255u8 {
            let ok = b == b'\t' || (b >= 0x20 && b != 0x7f);
            assert_eq!(reason_phrase_latin1(&[b'a', b, b'z']), ok, "{b:#x}");
            let text: String = ['a', char::from(b), 'z'].into_iter().collect();
            assert_eq!(field_value_utf8(text.as_bytes()), ok, "{b:#x}");
            let forbidden = b < 0x20 && b != b'\t' || b == 0x7f;
            assert_eq!(has_forbidden_relaxed(&[b]), forbidden, "{b:#x}");
        }
    }

    #[test]
    fn hosts() {
        for good in [
            "",
            "example.com",
            "EXAMPLE.com:8080",
            "[::1]:80",
            "a%2fb",
            "a,b",
            "x_y~z",
        ] {
            assert!(is_valid_host(good), "{good}");
        }
        for bad in ["foo bar", "a/b", "a%2", "a%zz", "é", "a@b", "a\tb"] {
            assert!(!is_valid_host(bad), "{bad}");
        }
        for b in 0..=255u8 {
            for at in 0..10 {
                let mut host: Vec<char> = "example.co".chars().collect();
                host[at] = char::from(b);
                let host: String = host.into_iter().collect();
                let plain = is_valid_host(&host) && !host.contains(',') && !host.contains('%');
                assert_eq!(is_plain_host(&host), plain, "{b:#x} at {at}");
            }
        }
    }

    #[test]
    fn targets_and_reasons() {
        assert!(request_target_latin1(b"/a?b=\xe9"));
        assert!(!request_target_latin1(b""));
        assert!(!request_target_latin1(b"/a b"));
        assert!(!request_target_latin1(b"/a\x01"));
        assert!(request_target_utf8("/é".as_bytes()));
        assert!(!request_target_utf8("/\u{100}".as_bytes()));
        assert!(reason_phrase_latin1(b"Not Found \t"));
        assert!(!reason_phrase_latin1(b""));
        assert!(!reason_phrase_utf8("a\rb".as_bytes()));
    }
}

//! Header-name normalisation: Tornado's `_normalize_header`, with a fast path.
//!
//! Tornado re-cases every header name as `"-".join(w.capitalize() for w in
//! name.split("-"))` (`content-TYPE` → `Content-Type`, `ETag` → `Etag`, `x-xsrftoken`
//! → `X-Xsrftoken`) and keeps a 1000-entry cache of the results. Here the common names
//! live in a static table, found by a hash of their bytes and compared eight bytes at a
//! time without regard to case, so the names of a typical request are matched without
//! allocating or writing a byte; other names are written, re-cased, into the header
//! set's own text buffer (or re-cased where they are, in a parsed block).

use std::borrow::Cow;

/// Common header names, already normalised, sorted by length (then by name).
pub(crate) static NAMES: [&str; 90] = [
    "Te",
    "Age",
    "Dnt",
    "Via",
    "Date",
    "Etag",
    "From",
    "Host",
    "Link",
    "Vary",
    "Allow",
    "Range",
    "Accept",
    "Cookie",
    "Expect",
    "Origin",
    "Pragma",
    "Server",
    "Expires",
    "Referer",
    "Sec-Gpc",
    "Trailer",
    "Upgrade",
    "If-Match",
    "If-Range",
    "Location",
    "Priority",
    "X-Scheme",
    "Forwarded",
    "Sec-Ch-Ua",
    "X-Real-Ip",
    "Connection",
    "Keep-Alive",
    "Set-Cookie",
    "User-Agent",
    "Retry-After",
    "X-Csrftoken",
    "X-Xsrftoken",
    "Content-Type",
    "Accept-Ranges",
    "Authorization",
    "Cache-Control",
    "Content-Range",
    "If-None-Match",
    "Last-Modified",
    "Accept-Charset",
    "Content-Length",
    "Sec-Fetch-Dest",
    "Sec-Fetch-Mode",
    "Sec-Fetch-Site",
    "Sec-Fetch-User",
    "Accept-Encoding",
    "Accept-Language",
    "Referrer-Policy",
    "X-Forwarded-For",
    "X-Frame-Options",
    "Content-Encoding",
    "Content-Language",
    "Content-Location",
    "Sec-Ch-Ua-Mobile",
    "Www-Authenticate",
    "X-Forwarded-Host",
    "X-Requested-With",
    "X-Xss-Protection",
    "If-Modified-Since",
    "Sec-Websocket-Key",
    "Transfer-Encoding",
    "X-Forwarded-Proto",
    "Proxy-Authenticate",
    "Sec-Ch-Ua-Platform",
    "Content-Disposition",
    "If-Unmodified-Since",
    "Proxy-Authorization",
    "Sec-Websocket-Accept",
    "Sec-Websocket-Version",
    "Access-Control-Max-Age",
    "Sec-Websocket-Protocol",
    "X-Content-Type-Options",
    "Content-Security-Policy",
    "Sec-Websocket-Extensions",
    "Strict-Transport-Security",
    "Upgrade-Insecure-Requests",
    "Access-Control-Allow-Origin",
    "X-Consumed-Content-Encoding",
    "Access-Control-Allow-Headers",
    "Access-Control-Allow-Methods",
    "Access-Control-Expose-Headers",
    "Access-Control-Request-Method",
    "Access-Control-Request-Headers",
    "Access-Control-Allow-Credentials",
];

/// Where the names of [`NAMES`] are found: an open-addressed table indexed by the top
/// bits of a name's fingerprint, holding the index in [`NAMES`] plus one (0 for an
/// empty slot). Less than half full, so a search ends after a probe or two.
static TABLE: [u8; 256] = table();

const fn table() -> [u8; 256] {
    assert!(NAMES.len() < 128, "the table must stay less than half full");
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < NAMES.len() {
        let bytes = NAMES[i].as_bytes();
        let mut j = 0;
        while j < bytes.len() {
            assert!(
                bytes[j].is_ascii_alphabetic() || bytes[j] == b'-',
                "NAMES hold letters and dashes only"
            );
            j += 1;
        }
        let mut slot = slot_of(fingerprint_const(bytes));
        while table[slot] != 0 {
            slot = (slot + 1) % 256;
        }
        table[slot] = (i + 1) as u8;
        i += 1;
    }
    table
}

/// The first slot of [`TABLE`] to look at for a fingerprint.
#[inline]
const fn slot_of(hash: u32) -> usize {
    (hash >> 24) as usize
}

/// A cheap fingerprint of a name that ignores ASCII case: its length and some of its
/// bytes (the first and last eight, or all of a short name) with the case bit set,
/// mixed. Names are compared by fingerprint first and byte by byte only when the
/// fingerprints agree. It is no defence against chosen collisions, and needs none: a
/// collision costs one more comparison, and the hash index of large header sets uses
/// SipHash.
#[inline]
pub(crate) fn fingerprint(name: &[u8]) -> u32 {
    let x = if let (Some(head), Some(tail)) = (name.first_chunk::<8>(), name.last_chunk::<8>()) {
        fold(u64::from_le_bytes(*head)) ^ fold(u64::from_le_bytes(*tail)).rotate_left(29)
    } else if let (Some(head), Some(tail)) = (name.first_chunk::<4>(), name.last_chunk::<4>()) {
        fold(u64::from(u32::from_le_bytes(*head)) | u64::from(u32::from_le_bytes(*tail)) << 32)
    } else {
        fold(short_word(name))
    };
    mix(x, name.len())
}

/// [`fingerprint`] as a `const fn`, for the static table: the same bytes, read one at
/// a time.
const fn fingerprint_const(name: &[u8]) -> u32 {
    let n = name.len();
    let x = if n >= 8 {
        fold(le_at(name, 0, 8)) ^ fold(le_at(name, n - 8, 8)).rotate_left(29)
    } else if n >= 4 {
        fold(le_at(name, 0, 4) | le_at(name, n - 4, 4) << 32)
    } else {
        fold(short_word(name))
    };
    mix(x, n)
}

/// The `len` bytes of `name` from `at`, little-endian.
const fn le_at(name: &[u8], at: usize, len: usize) -> u64 {
    let mut x = 0u64;
    let mut i = 0;
    while i < len {
        x |= (name[at + i] as u64) << (8 * i);
        i += 1;
    }
    x
}

/// A name of fewer than four bytes as a word.
#[inline]
const fn short_word(name: &[u8]) -> u64 {
    match name {
        [a] => *a as u64,
        [a, b] => *a as u64 | (*b as u64) << 8,
        [a, b, c] => *a as u64 | (*b as u64) << 8 | (*c as u64) << 16,
        _ => 0,
    }
}

/// Sets the ASCII case bit of every byte.
#[inline]
const fn fold(x: u64) -> u64 {
    x | 0x2020_2020_2020_2020
}

#[inline]
const fn mix(x: u64, n: usize) -> u32 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    ((x ^ n as u64).wrapping_mul(K) >> 32) as u32
}

/// ASCII-case-insensitive equality, as a plain loop: header names are short, and the
/// standard library's chunked version costs more to set up than to run here.
#[inline]
pub(crate) fn eq_name(a: &[u8], b: &[u8]) -> bool {
    // Most names arrive in the case they are stored in.
    a == b || a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

/// `name` equals `known`, a name of [`NAMES`] (ASCII letters and `-` only), but for
/// the case of letters; eight bytes at a time. A byte of `name` may differ from the
/// byte of `known` in the case bit (0x20) only, and only where `known` has a letter
/// (bit 0x40 set): exactly ASCII case-insensitive equality, whatever `name` holds.
#[inline]
fn eq_static(known: &[u8], name: &[u8]) -> bool {
    #[inline]
    fn word_eq(known: u64, name: u64) -> bool {
        let case_bits = (known & 0x4040_4040_4040_4040) >> 1;
        (known ^ name) & !case_bits == 0
    }
    let n = known.len();
    if n != name.len() {
        return false;
    }
    if n < 8 {
        let word = |b: &[u8]| match (b.first_chunk::<4>(), b.last_chunk::<4>()) {
            (Some(head), Some(tail)) => {
                u64::from(u32::from_le_bytes(*head)) | u64::from(u32::from_le_bytes(*tail)) << 32
            }
            _ => short_word(b),
        };
        return word_eq(word(known), word(name));
    }
    let (known_words, name_words) = (known.chunks_exact(8), name.chunks_exact(8));
    let all_words = known_words.zip(name_words).all(|(k, b)| {
        match (k.first_chunk::<8>(), b.first_chunk::<8>()) {
            (Some(k), Some(b)) => word_eq(u64::from_le_bytes(*k), u64::from_le_bytes(*b)),
            _ => false,
        }
    });
    all_words
        && match (known.last_chunk::<8>(), name.last_chunk::<8>()) {
            (Some(k), Some(b)) => word_eq(u64::from_le_bytes(*k), u64::from_le_bytes(*b)),
            _ => false,
        }
}

/// The fingerprints of [`NAMES`].
static FINGERPRINTS: [u32; NAMES.len()] = {
    let mut out = [0u32; NAMES.len()];
    let mut i = 0;
    while i < NAMES.len() {
        out[i] = fingerprint_const(NAMES[i].as_bytes());
        i += 1;
    }
    out
};

/// The index in [`NAMES`] of `name` (whose [`fingerprint`] is `hash`), compared
/// without regard to ASCII case.
#[inline]
pub(crate) fn lookup_static(name: &[u8], hash: u32) -> Option<u16> {
    let mut slot = slot_of(hash);
    loop {
        let id = usize::from(*TABLE.get(slot % 256)?);
        let i = id.checked_sub(1)?;
        if FINGERPRINTS.get(i) == Some(&hash) && eq_static(NAMES.get(i)?.as_bytes(), name) {
            return Some(i as u16);
        }
        slot += 1;
    }
}

/// `name` is the name at `id` in the static table, in any case.
#[inline]
pub(crate) fn is_static(id: u16, name: &[u8]) -> bool {
    NAMES
        .get(usize::from(id))
        .is_some_and(|known| eq_static(known.as_bytes(), name))
}

/// The normalised name at `id` in the static table.
#[inline]
pub(crate) fn static_name(id: u16) -> &'static str {
    NAMES.get(usize::from(id)).copied().unwrap_or("")
}

/// True when `name` is already in `Http-Header-Case`.
pub(crate) fn is_normalized(name: &[u8]) -> bool {
    let mut upper = true;
    name.iter().all(|&b| {
        let ok = if upper {
            !b.is_ascii_lowercase()
        } else {
            !b.is_ascii_uppercase()
        };
        upper = b == b'-';
        ok
    })
}

/// Re-cases an ASCII `name` to its normalised form where it is.
pub(crate) fn normalize_in_place(name: &mut str) {
    name.make_ascii_lowercase();
    let mut upper = true;
    for i in 0..name.len() {
        if upper && let Some(first) = name.get_mut(i..i + 1) {
            first.make_ascii_uppercase();
        }
        upper = name.as_bytes().get(i) == Some(&b'-');
    }
}

/// Appends the normalised form of `name` (ASCII letters re-cased, anything else kept)
/// to `out`.
pub(crate) fn push_normalized(name: &str, out: &mut String) {
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        });
        upper = c == '-';
    }
}

/// Maps a header name to `Http-Header-Case`, as Tornado's `_normalize_header`: each
/// `-`-separated word gets an upper-case first letter and lower-case rest.
///
/// Common names come from a static table and names already in that case are returned
/// as they are, both without allocating.
///
/// ```
/// use tornado_httputil::normalize_header;
/// assert_eq!(normalize_header("coNtent-TYPE"), "Content-Type");
/// assert_eq!(normalize_header("ETag"), "Etag");
/// assert_eq!(normalize_header("x-xsrftoken"), "X-Xsrftoken");
/// assert_eq!(normalize_header("sec-websocket-accept"), "Sec-Websocket-Accept");
/// assert_eq!(normalize_header("x--a"), "X--A");
/// ```
pub fn normalize_header(name: &str) -> Cow<'_, str> {
    if let Some(id) = lookup_static(name.as_bytes(), fingerprint(name.as_bytes())) {
        return Cow::Borrowed(static_name(id));
    }
    if is_normalized(name.as_bytes()) {
        return Cow::Borrowed(name);
    }
    let mut out = String::with_capacity(name.len());
    push_normalized(name, &mut out);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn python_normalize(name: &str) -> String {
        name.split('-')
            .map(|w| {
                let mut chars = w.chars();
                match chars.next() {
                    Some(first) => {
                        first.to_ascii_uppercase().to_string()
                            + &chars.as_str().to_ascii_lowercase()
                    }
                    None => String::new(),
                }
            })
            .collect::<Vec<_>>()
            .join("-")
    }

    #[test]
    fn table_is_normalized_sorted_and_found() {
        for (i, name) in NAMES.iter().enumerate() {
            assert_eq!(python_normalize(name), *name);
            let find = |n: &str| lookup_static(n.as_bytes(), fingerprint(n.as_bytes()));
            assert_eq!(find(name), Some(i as u16));
            assert_eq!(find(&name.to_ascii_lowercase()), Some(i as u16));
            assert_eq!(find(&name.to_ascii_uppercase()), Some(i as u16));
        }
        let find = |n: &[u8]| lookup_static(n, fingerprint(n));
        assert_eq!(find(b"X-Unknown"), None);
        assert_eq!(find(b""), None);
        assert_eq!(find(&[b'a'; 100]), None);
    }

    #[test]
    fn fingerprints_agree_and_ignore_case() {
        for name in [
            "",
            "a",
            "Host",
            "Content-Type",
            "abcdefgh",
            "abcdefghi",
            "X-Very-Long-Header-Name",
        ] {
            let n = name.as_bytes();
            assert_eq!(fingerprint(n), fingerprint_const(n), "{name}");
            assert_eq!(
                fingerprint(n),
                fingerprint(name.to_ascii_uppercase().as_bytes())
            );
        }
        assert!(eq_name(b"Content-Type", b"content-TYPE"));
        for name in [
            "a",
            "ab",
            "abc",
            "abcd",
            "abcdefg",
            "abcdefgh",
            "abcdefghijklmnop",
        ] {
            let n = name.as_bytes();
            assert_eq!(fingerprint(n), fingerprint_const(n), "{name}");
        }
        assert!(!eq_name(b"Content-Type", b"Content-Typo"));
        assert!(!eq_name(b"a", b"ab"));
        // eq_static is eq_name for the static names, whatever the other side holds.
        for known in NAMES {
            let k = known.as_bytes();
            for i in 0..k.len() {
                for b in 0..=255u8 {
                    let mut other = k.to_vec();
                    other[i] = b;
                    assert_eq!(
                        eq_static(k, &other),
                        eq_name(k, &other),
                        "{known} {i} {b:#x}"
                    );
                }
            }
            assert!(!eq_static(k, &k[1..]));
        }
    }

    #[test]
    fn normalize_matches_python_rule() {
        for name in [
            "a",
            "A-b-C",
            "-x",
            "x-",
            "--",
            "ETAG",
            "WWW-authenticate",
            "x_y-z.w",
            "1a-2B",
        ] {
            assert_eq!(normalize_header(name), python_normalize(name), "{name}");
            assert_eq!(
                is_normalized(name.as_bytes()),
                python_normalize(name) == name
            );
            let mut in_place = name.to_owned();
            normalize_in_place(&mut in_place);
            assert_eq!(in_place, python_normalize(name), "{name}");
        }
    }
}

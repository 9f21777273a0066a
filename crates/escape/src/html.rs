//! `xhtml_escape` and `xhtml_unescape`: Python's `html.escape` and `html.unescape`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use crate::tables::{ENTITIES, INVALID_CHARREFS, INVALID_CODEPOINTS, LONGEST_ENTITY};

/// The most characters Python's reference pattern takes for a name (`{1,32}`).
const MAX_NAME_CHARS: usize = 32;

/// The five replacements `html.escape` makes; index 0 means "keep the byte".
const REPLACEMENTS: [&str; 6] = ["", "&amp;", "&lt;", "&gt;", "&quot;", "&#x27;"];

/// For each byte, its index in [`REPLACEMENTS`].
static CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b'&' as usize] = 1;
    table[b'<' as usize] = 2;
    table[b'>' as usize] = 3;
    table[b'"' as usize] = 4;
    table[b'\'' as usize] = 5;
    table
};

/// Index of the first byte that needs escaping.
#[inline]
fn first_special(bytes: &[u8]) -> Option<usize> {
    // Eight bytes at a time: a byte needs escaping only if it is one of five values,
    // which a word-wide "has a zero byte" test finds without looking at each byte.
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    #[inline(always)]
    fn has(word: u64, byte: u8) -> bool {
        let x = word ^ (LO * u64::from(byte));
        x.wrapping_sub(LO) & !x & HI != 0
    }
    let mut i = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut array = [0u8; 8];
        array.copy_from_slice(chunk);
        let word = u64::from_le_bytes(array);
        if has(word, b'&')
            || has(word, b'<')
            || has(word, b'>')
            || has(word, b'"')
            || has(word, b'\'')
        {
            break;
        }
        i += 8;
    }
    bytes
        .get(i..)?
        .iter()
        .position(|&b| CLASS[usize::from(b)] != 0)
        .map(|p| i + p)
}

/// A piece of escaped output: a range of the input to copy, or a replacement.
enum Piece {
    Copy(usize, usize),
    Insert(&'static str),
}

/// Calls `push` with each piece of the escaped form of `value`, whose first special
/// byte is at `first`. Only ASCII bytes are special, so every `Copy` range starts and
/// ends at a char boundary when `value` is UTF-8.
#[inline]
fn escape_pieces(value: &[u8], first: usize, mut push: impl FnMut(Piece)) {
    push(Piece::Copy(0, first));
    let mut start = first;
    for (i, &b) in value.iter().enumerate().skip(first) {
        let class = CLASS[usize::from(b)];
        if class != 0 {
            push(Piece::Copy(start, i));
            push(Piece::Insert(REPLACEMENTS[usize::from(class)]));
            start = i + 1;
        }
    }
    push(Piece::Copy(start, value.len()));
}

fn escape_bytes_from(value: &[u8], first: usize, out: &mut Vec<u8>) {
    out.reserve(value.len() + 16);
    escape_pieces(value, first, |piece| match piece {
        Piece::Copy(a, b) => out.extend_from_slice(&value[a..b]),
        Piece::Insert(text) => out.extend_from_slice(text.as_bytes()),
    });
}

fn escape_str_from(value: &str, first: usize, out: &mut String) {
    out.reserve(value.len() + 16);
    escape_pieces(value.as_bytes(), first, |piece| match piece {
        Piece::Copy(a, b) => out.push_str(&value[a..b]),
        Piece::Insert(text) => out.push_str(text),
    });
}

/// Escapes `& < > " '` as `&amp; &lt; &gt; &quot; &#x27;`, exactly as Python's
/// `html.escape` (and so Tornado's `xhtml_escape`) does.
///
/// Borrows the input when nothing needs escaping, so the common case allocates nothing.
///
/// ```
/// use tornado_escape::xhtml_escape;
/// assert_eq!(xhtml_escape("<a href='x'>&</a>"), "&lt;a href=&#x27;x&#x27;&gt;&amp;&lt;/a&gt;");
/// assert!(matches!(xhtml_escape("plain"), std::borrow::Cow::Borrowed("plain")));
/// ```
pub fn xhtml_escape(value: &str) -> Cow<'_, str> {
    match first_special(value.as_bytes()) {
        None => Cow::Borrowed(value),
        Some(first) => {
            let mut out = String::with_capacity(value.len() + value.len() / 8 + 8);
            escape_str_from(value, first, &mut out);
            Cow::Owned(out)
        }
    }
}

/// Appends the escaped form of `value` to `out` (see [`xhtml_escape`]).
///
/// ```
/// let mut page = String::from("<p>");
/// tornado_escape::xhtml_escape_into("1 < 2", &mut page);
/// assert_eq!(page, "<p>1 &lt; 2");
/// ```
pub fn xhtml_escape_into(value: &str, out: &mut String) {
    match first_special(value.as_bytes()) {
        None => out.push_str(value),
        Some(first) => escape_str_from(value, first, out),
    }
}

/// [`xhtml_escape`] over bytes: the five ASCII characters are replaced and every other
/// byte is copied, so UTF-8 input gives the UTF-8 of the escaped text.
///
/// Tornado decodes `bytes` as UTF-8 first and fails on invalid input; this function
/// does not look at the other bytes, so invalid UTF-8 passes through unchanged.
///
/// ```
/// assert_eq!(&*tornado_escape::xhtml_escape_bytes("<\u{e9}>".as_bytes()), "&lt;\u{e9}&gt;".as_bytes());
/// ```
pub fn xhtml_escape_bytes(value: &[u8]) -> Cow<'_, [u8]> {
    match first_special(value) {
        None => Cow::Borrowed(value),
        Some(first) => {
            let mut out = Vec::with_capacity(value.len() + value.len() / 8 + 8);
            escape_bytes_from(value, first, &mut out);
            Cow::Owned(out)
        }
    }
}

/// Appends the escaped form of `value` to `out` (see [`xhtml_escape_bytes`]). This is
/// the form the template engine uses for every `{{ expression }}`.
///
/// ```
/// let mut page = b"<b>".to_vec();
/// tornado_escape::xhtml_escape_bytes_into(b"Tom & Jerry", &mut page);
/// assert_eq!(page, b"<b>Tom &amp; Jerry");
/// ```
pub fn xhtml_escape_bytes_into(value: &[u8], out: &mut Vec<u8>) {
    match first_special(value) {
        None => out.extend_from_slice(value),
        Some(first) => escape_bytes_from(value, first, out),
    }
}

/// Replaces HTML character references by the characters they stand for, exactly as
/// Python's `html.unescape` (and so Tornado's `xhtml_unescape`) does.
///
/// That follows the HTML5 rules: every named reference of the HTML5 table, with or
/// without its `;` where the standard allows it, the longest known name when the text
/// runs on (`&ampx` → `&x`), decimal and hexadecimal references, the Windows-1252
/// remapping of `&#128;`..`&#159;`, U+FFFD for surrogates and numbers past U+10FFFF, and
/// nothing at all for the few code points the standard forbids. Anything else, such as
/// `&#xyz;`, is left as it was.
///
/// ```
/// use tornado_escape::xhtml_unescape;
/// assert_eq!(xhtml_unescape("&lt;&#x27;&#39;&amp;&gt;"), "<''&>");
/// assert_eq!(xhtml_unescape("&notit; &#150; &#xyz;"), "\u{ac}it; \u{2013} &#xyz;");
/// ```
pub fn xhtml_unescape(value: &str) -> Cow<'_, str> {
    let Some(first) = value.find('&') else {
        return Cow::Borrowed(value);
    };
    let mut out = String::with_capacity(value.len());
    out.push_str(&value[..first]);
    let mut rest = &value[first..];
    // Loop invariant: `rest` starts with '&'.
    loop {
        let consumed = replace_reference(rest, &mut out);
        rest = &rest[consumed..];
        match rest.find('&') {
            Some(next) => {
                out.push_str(&rest[..next]);
                rest = &rest[next..];
            }
            None => {
                out.push_str(rest);
                return Cow::Owned(out);
            }
        }
    }
}

/// `text` starts with `&`. Appends what the reference there stands for (or the `&` alone
/// when there is none) and returns how many bytes of `text` that used.
fn replace_reference(text: &str, out: &mut String) -> usize {
    let bytes = text.as_bytes();
    if bytes.get(1) == Some(&b'#') {
        let (hex, digits_at) = match bytes.get(2) {
            Some(b'x' | b'X') => (true, 3),
            _ => (false, 2),
        };
        let digits = bytes[digits_at..]
            .iter()
            .take_while(|b| {
                if hex {
                    b.is_ascii_hexdigit()
                } else {
                    b.is_ascii_digit()
                }
            })
            .count();
        if digits == 0 {
            out.push('&');
            return 1;
        }
        let end = digits_at + digits;
        let number = parse_number(&bytes[digits_at..end], if hex { 16 } else { 10 });
        push_numeric(number, out);
        return if bytes.get(end) == Some(&b';') {
            end + 1
        } else {
            end
        };
    }
    // A name: 1 to 32 characters other than tab, newline, form feed, space, <, &, # and ;,
    // then an optional ';'.
    let mut end = 1;
    for (count, c) in text[1..].chars().enumerate() {
        if count == MAX_NAME_CHARS
            || matches!(c, '\t' | '\n' | '\x0c' | ' ' | '<' | '&' | '#' | ';')
        {
            break;
        }
        end += c.len_utf8();
    }
    if end == 1 {
        out.push('&');
        return 1;
    }
    if bytes.get(end) == Some(&b';') {
        end += 1;
    }
    let name = &text[1..end];
    if let Some(value) = entity(name) {
        out.push_str(value);
        return end;
    }
    // The longest known prefix of at least two characters, followed by the rest as is.
    let chars = name.chars().count();
    for (cut, _) in name.char_indices().rev().take(chars.saturating_sub(2)) {
        if let Some(value) = entity(&name[..cut]) {
            out.push_str(value);
            out.push_str(&name[cut..]);
            return end;
        }
    }
    out.push_str(&text[..end]);
    end
}

/// FNV-1a: a small, fast hash for the entity names (a fixed table: no flooding risk).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = hash;
    }
}

static ENTITY_MAP: LazyLock<HashMap<&'static str, &'static str, BuildHasherDefault<Fnv>>> =
    LazyLock::new(|| ENTITIES.iter().copied().collect());

fn entity(name: &str) -> Option<&'static str> {
    if name.len() > LONGEST_ENTITY {
        return None;
    }
    ENTITY_MAP.get(name).copied()
}

/// The value of ASCII digits in `radix`, saturating just above the largest code point.
fn parse_number(digits: &[u8], radix: u32) -> u32 {
    let mut n: u32 = 0;
    for &d in digits {
        let v = char::from(d).to_digit(radix).unwrap_or(0);
        n = n.saturating_mul(radix).saturating_add(v).min(0x11_0000);
    }
    n
}

fn push_numeric(number: u32, out: &mut String) {
    if let Ok(i) = INVALID_CHARREFS.binary_search_by_key(&number, |&(n, _)| n) {
        out.push_str(INVALID_CHARREFS[i].1);
        return;
    }
    if (0xD800..=0xDFFF).contains(&number) || number > 0x10_FFFF {
        out.push('\u{FFFD}');
        return;
    }
    if INVALID_CODEPOINTS
        .iter()
        .any(|&(lo, hi)| (lo..=hi).contains(&number))
    {
        return;
    }
    out.push(char::from_u32(number).unwrap_or('\u{FFFD}'));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_borrows_clean_text() {
        assert!(matches!(
            xhtml_escape("hello world, long clean text"),
            Cow::Borrowed(_)
        ));
        assert!(matches!(xhtml_escape_bytes(b""), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_finds_specials_at_every_offset() {
        for len in 0..40 {
            for pos in 0..len {
                for special in ["&", "<", ">", "\"", "'"] {
                    let mut s = "a".repeat(len);
                    s.replace_range(pos..=pos, special);
                    let expected = s
                        .replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;")
                        .replace('"', "&quot;")
                        .replace('\'', "&#x27;");
                    assert_eq!(xhtml_escape(&s), expected, "{s:?}");
                    assert_eq!(&*xhtml_escape_bytes(s.as_bytes()), expected.as_bytes());
                }
            }
        }
    }

    #[test]
    fn unescape_named_prefixes() {
        assert_eq!(xhtml_unescape("&ampamp;"), "&amp;");
        assert_eq!(xhtml_unescape("&amp"), "&");
        assert_eq!(xhtml_unescape("&a"), "&a");
        assert_eq!(xhtml_unescape("&"), "&");
        assert_eq!(xhtml_unescape("&;"), "&;");
        assert_eq!(xhtml_unescape("&#"), "&#");
        assert_eq!(xhtml_unescape("&nosuch;"), "&nosuch;");
    }

    #[test]
    fn unescape_numbers() {
        assert_eq!(xhtml_unescape("&#0;"), "\u{FFFD}");
        assert_eq!(xhtml_unescape("&#x80;"), "\u{20AC}");
        assert_eq!(xhtml_unescape("&#xD800;"), "\u{FFFD}");
        assert_eq!(xhtml_unescape("&#x110000;"), "\u{FFFD}");
        assert_eq!(xhtml_unescape("&#99999999999999999999;"), "\u{FFFD}");
        assert_eq!(xhtml_unescape("&#1;x"), "x");
        assert_eq!(xhtml_unescape("&#x1F600"), "\u{1F600}");
    }
}

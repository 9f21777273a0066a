//! `squeeze`, `utf8`, `to_unicode` and `recursive_unicode`.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;

use indexmap::IndexMap;

use crate::error::{Error, Result};
use crate::tables::PY_SPACE;

/// True for the characters Python's `str.isspace()` accepts (what `str.strip()` removes).
pub(crate) fn is_py_space(c: char) -> bool {
    PY_SPACE.binary_search(&c).is_ok()
}

/// Python's `str.strip()` with no argument.
pub(crate) fn py_strip(s: &str) -> &str {
    s.trim_matches(is_py_space)
}

/// Replaces every run of characters from U+0000 to U+0020 (spaces and ASCII control
/// characters) by one space, then strips whitespace from both ends, as Tornado's
/// `squeeze` does (the strip is Python's: any Unicode whitespace).
///
/// ```
/// use tornado_escape::squeeze;
/// assert_eq!(squeeze("  sequences \t\n of    whitespace\u{0}chars  "), "sequences of whitespace chars");
/// ```
pub fn squeeze(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut start = 0;
    let mut in_run = false;
    for (i, b) in value.bytes().enumerate() {
        if b <= b' ' {
            if !in_run {
                out.push_str(&value[start..i]);
                out.push(' ');
                in_run = true;
            }
            start = i + 1;
        } else {
            in_run = false;
        }
    }
    out.push_str(&value[start..]);
    let stripped = py_strip(&out);
    if stripped.len() == out.len() {
        out
    } else {
        stripped.to_owned()
    }
}

/// Tornado's `utf8`: the UTF-8 bytes of a string, or bytes as they are.
///
/// In Rust this is a view, never a copy: `&str` and `String` give their bytes, `&[u8]`
/// and `Vec<u8>` themselves. Tornado's `None` passthrough is `Option::map(utf8)`, and
/// its `TypeError` for other types is a compile error here.
///
/// ```
/// use tornado_escape::utf8;
/// assert_eq!(utf8("\u{e9}"), b"\xc3\xa9");
/// assert_eq!(utf8(b"\xe9"), b"\xe9");
/// assert_eq!(Some("a").map(utf8), Some(&b"a"[..]));
/// ```
pub fn utf8<T: AsRef<[u8]> + ?Sized>(value: &T) -> &[u8] {
    value.as_ref()
}

/// Tornado's `to_unicode` (also `native_str`, `to_basestring`, `_unicode`): bytes
/// decoded as UTF-8, or a string as it is.
///
/// Returns a borrowed `&str`; invalid UTF-8 is an error ([`Error::is_utf8`], Python's
/// `UnicodeDecodeError`) that says where the valid prefix ends.
///
/// ```
/// use tornado_escape::to_unicode;
/// assert_eq!(to_unicode(b"caf\xc3\xa9").unwrap(), "caf\u{e9}");
/// assert_eq!(to_unicode("already text").unwrap(), "already text");
/// let err = to_unicode(b"caf\xe9").unwrap_err();
/// assert_eq!(err.utf8_valid_up_to(), Some(3));
/// ```
pub fn to_unicode<T: AsRef<[u8]> + ?Sized>(value: &T) -> Result<&str> {
    let bytes = value.as_ref();
    std::str::from_utf8(bytes).map_err(|err| Error::utf8(err, bytes.len()))
}

/// Decodes every byte string inside a data structure as UTF-8, as Tornado's
/// `recursive_unicode` walks dicts, lists and tuples.
///
/// What maps to what:
///
/// | Python | Rust input | Rust output |
/// |---|---|---|
/// | `bytes` | `Vec<u8>`, `&[u8]` | `String` |
/// | `str` | `String`, `&str` | `String` |
/// | `list` | `Vec<T>` | `Vec<T::Output>` |
/// | `tuple` | `(A, B, ...)` up to 8 items | `(A::Output, B::Output, ...)` |
/// | `dict` | `HashMap`, `BTreeMap`, `IndexMap` | the same map of outputs |
/// | `None` / optional | `Option<T>` | `Option<T::Output>` |
/// | anything else | numbers, `bool`, `char`, `()`, `serde_json::Value` | unchanged |
///
/// A `Vec<u8>` is always a byte string: a list of small numbers is a `Vec<u16>` or
/// wider. The first invalid byte string makes the whole call fail
/// ([`Error::is_utf8`]), as the `UnicodeDecodeError` does in Python.
pub trait RecursiveUnicode {
    /// The same structure with text in place of bytes.
    type Output;

    /// Converts `self`; see the trait's documentation.
    fn recursive_unicode(self) -> Result<Self::Output>;
}

/// Tornado's `recursive_unicode`: decodes the byte strings inside `value` (see
/// [`RecursiveUnicode`] for what maps to what).
///
/// ```
/// use std::collections::BTreeMap;
/// use tornado_escape::recursive_unicode;
/// let args: BTreeMap<Vec<u8>, Vec<Vec<u8>>> = [(b"foo".to_vec(), vec![b"bar".to_vec()])].into();
/// let text = recursive_unicode(args).unwrap();
/// assert_eq!(text["foo"], ["bar"]);
/// assert_eq!(recursive_unicode((b"a".to_vec(), 1, None::<Vec<u8>>)).unwrap(), ("a".to_string(), 1, None));
/// ```
pub fn recursive_unicode<T: RecursiveUnicode>(value: T) -> Result<T::Output> {
    value.recursive_unicode()
}

impl RecursiveUnicode for Vec<u8> {
    type Output = String;
    fn recursive_unicode(self) -> Result<String> {
        String::from_utf8(self).map_err(|err| {
            let len = err.as_bytes().len();
            Error::utf8(err.utf8_error(), len)
        })
    }
}

impl RecursiveUnicode for &[u8] {
    type Output = String;
    fn recursive_unicode(self) -> Result<String> {
        to_unicode(self).map(str::to_owned)
    }
}

impl RecursiveUnicode for String {
    type Output = String;
    fn recursive_unicode(self) -> Result<String> {
        Ok(self)
    }
}

impl RecursiveUnicode for &str {
    type Output = String;
    fn recursive_unicode(self) -> Result<String> {
        Ok(self.to_owned())
    }
}

impl<T: RecursiveUnicode> RecursiveUnicode for Vec<T> {
    type Output = Vec<T::Output>;
    fn recursive_unicode(self) -> Result<Self::Output> {
        self.into_iter().map(T::recursive_unicode).collect()
    }
}

impl<T: RecursiveUnicode> RecursiveUnicode for Option<T> {
    type Output = Option<T::Output>;
    fn recursive_unicode(self) -> Result<Self::Output> {
        self.map(T::recursive_unicode).transpose()
    }
}

impl<K, V, S> RecursiveUnicode for HashMap<K, V, S>
where
    K: RecursiveUnicode,
    K::Output: Eq + Hash,
    V: RecursiveUnicode,
{
    type Output = HashMap<K::Output, V::Output>;
    fn recursive_unicode(self) -> Result<Self::Output> {
        self.into_iter()
            .map(|(k, v)| Ok((k.recursive_unicode()?, v.recursive_unicode()?)))
            .collect()
    }
}

impl<K, V, S> RecursiveUnicode for IndexMap<K, V, S>
where
    K: RecursiveUnicode,
    K::Output: Eq + Hash,
    V: RecursiveUnicode,
{
    type Output = IndexMap<K::Output, V::Output>;
    fn recursive_unicode(self) -> Result<Self::Output> {
        self.into_iter()
            .map(|(k, v)| Ok((k.recursive_unicode()?, v.recursive_unicode()?)))
            .collect()
    }
}

impl<K, V> RecursiveUnicode for BTreeMap<K, V>
where
    K: RecursiveUnicode,
    K::Output: Ord,
    V: RecursiveUnicode,
{
    type Output = BTreeMap<K::Output, V::Output>;
    fn recursive_unicode(self) -> Result<Self::Output> {
        self.into_iter()
            .map(|(k, v)| Ok((k.recursive_unicode()?, v.recursive_unicode()?)))
            .collect()
    }
}

macro_rules! unchanged {
    ($($ty:ty),*) => {
        $(impl RecursiveUnicode for $ty {
            type Output = $ty;
            fn recursive_unicode(self) -> Result<$ty> {
                Ok(self)
            }
        })*
    };
}

// `u8` is missing on purpose: `Vec<u8>` is a byte string.
unchanged!(
    (),
    bool,
    char,
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u16,
    u32,
    u64,
    u128,
    usize,
    f32,
    f64,
    serde_json::Value
);

macro_rules! tuples {
    ($(($($name:ident),+)),*) => {
        $(impl<$($name: RecursiveUnicode),+> RecursiveUnicode for ($($name,)+) {
            type Output = ($($name::Output,)+);
            #[allow(non_snake_case)]
            fn recursive_unicode(self) -> Result<Self::Output> {
                let ($($name,)+) = self;
                Ok(($($name.recursive_unicode()?,)+))
            }
        })*
    };
}

tuples!(
    (A),
    (A, B),
    (A, B, C),
    (A, B, C, D),
    (A, B, C, D, E),
    (A, B, C, D, E, F),
    (A, B, C, D, E, F, G),
    (A, B, C, D, E, F, G, H)
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn squeeze_edges() {
        assert_eq!(squeeze(""), "");
        assert_eq!(squeeze(" \t\n "), "");
        assert_eq!(squeeze("\u{a0} a \u{3000}"), "a");
        assert_eq!(squeeze("a\u{1f}\u{1c}b"), "a b");
        assert_eq!(squeeze("\u{85}x\u{2029}"), "x");
        assert_eq!(squeeze("é  è"), "é è");
    }

    #[test]
    fn python_space_table() {
        for c in [
            '\t', '\n', '\u{b}', '\u{c}', '\r', '\u{1c}', '\u{1f}', ' ', '\u{85}', '\u{a0}',
            '\u{3000}',
        ] {
            assert!(is_py_space(c), "{c:?}");
        }
        for c in ['a', '\u{0}', '\u{8}', '\u{200b}', '\u{180e}', '\u{feff}'] {
            assert!(!is_py_space(c), "{c:?}");
        }
    }

    #[test]
    fn recursive_unicode_errors() {
        let err = recursive_unicode(vec![b"ok".to_vec(), b"\xff".to_vec()]).unwrap_err();
        assert!(err.is_utf8());
        assert_eq!(err.utf8_valid_up_to(), Some(0));
    }
}

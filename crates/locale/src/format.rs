//! Python's `format % mapping` for translated messages (`"%(name)s liked this"`).

use std::borrow::Cow;
use std::fmt::Write as _;

use crate::error::{Error, Result};

/// A value to substitute into a message with [`interpolate`]: a string or an integer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg<'a> {
    /// A string, for `%(key)s`.
    Str(Cow<'a, str>),
    /// An integer, for `%(key)d` (and `%(key)s`).
    Int(i128),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Arg<'a> {
        Arg::Str(Cow::Borrowed(s))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Arg<'a> {
        Arg::Str(Cow::Borrowed(s))
    }
}

impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Str(Cow::Owned(s))
    }
}

macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(v: $t) -> Self {
                Arg::Int(i128::from(v))
            }
        }
    )*};
}
int_arg!(i8, i16, i32, i64, i128, u8, u16, u32, u64);

impl From<usize> for Arg<'_> {
    fn from(v: usize) -> Self {
        // usize is at most 64 bits on every supported target.
        Arg::Int(i128::try_from(v).unwrap_or(i128::MAX))
    }
}

/// Fills the `%(key)` placeholders of `format` from `args`, as Python's
/// `format % {"key": value, ...}` does; Tornado's messages are written this way
/// (`"%(name)s liked this"`, `"%(seconds)d seconds ago"`).
///
/// Supported: `%%`, and `%(key)` followed by optional flags (`-`, `0`, `+`, space,
/// `#`), a width, a precision and one of the conversions `s`, `d`, `i`, `u`, `x`, `X`,
/// `o`, `c`, `f`, `F`, `r`, `a`. A missing key, a `%d` given a string, a truncated `%`
/// or another conversion (`e`, `g`...) is an error, where Python raises; so are a
/// placeholder without a key (Python would format the whole mapping) and `%r` of a
/// string holding non-ASCII symbols (Python's output depends on its Unicode tables).
///
/// ```
/// use tornado_locale::interpolate;
///
/// let text = interpolate("%(name)s has %(n)d new messages", &[("name", "Ana".into()), ("n", 3.into())])?;
/// assert_eq!(text, "Ana has 3 new messages");
/// assert_eq!(interpolate("%(n)05.1f%%", &[("n", 7.into())])?, "007.0%");
/// # Ok::<(), tornado_locale::Error>(())
/// ```
pub fn interpolate(format: &str, args: &[(&str, Arg<'_>)]) -> Result<String> {
    let mut out = String::with_capacity(format.len() + 16);
    let mut rest = format;
    while let Some(pos) = rest.find('%') {
        out.push_str(&rest[..pos]);
        let spec = &rest[pos + 1..];
        let (piece, used) = one_placeholder(format, spec, args)?;
        out.push_str(&piece);
        rest = &spec[used..];
    }
    out.push_str(rest);
    Ok(out)
}

#[derive(Default)]
struct Spec {
    left: bool,
    zero: bool,
    plus: bool,
    space: bool,
    alternate: bool,
    width: usize,
    precision: Option<usize>,
}

/// Formats the placeholder that starts right after a `%`; returns its text and the
/// number of bytes of `spec` it used.
fn one_placeholder(format: &str, spec: &str, args: &[(&str, Arg<'_>)]) -> Result<(String, usize)> {
    let bytes = spec.as_bytes();
    let mut i = 0;
    let incomplete = || Error::format(format, "incomplete format");
    if bytes.first() == Some(&b'%') {
        return Ok(("%".to_owned(), 1));
    }
    let mut key = None;
    if bytes.first() == Some(&b'(') {
        // The key runs to the matching parenthesis, as in Python.
        let mut depth = 1usize;
        let mut j = 1;
        while depth > 0 {
            match bytes.get(j) {
                Some(b'(') => depth += 1,
                Some(b')') => depth -= 1,
                Some(_) => {}
                None => return Err(Error::format(format, "incomplete format key")),
            }
            j += 1;
        }
        key = Some(&spec[1..j - 1]);
        i = j;
    }
    let mut s = Spec::default();
    while let Some(&b) = bytes.get(i) {
        match b {
            b'-' => s.left = true,
            b'0' => s.zero = true,
            b'+' => s.plus = true,
            b' ' => s.space = true,
            b'#' => s.alternate = true,
            _ => break,
        }
        i += 1;
    }
    let number = |i: &mut usize| -> Result<usize> {
        let start = *i;
        while bytes.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        spec[start..*i]
            .parse::<usize>()
            .ok()
            .filter(|v| *v <= 1 << 20)
            .map_or_else(
                || Err(Error::format(format, "width or precision too big")),
                Ok,
            )
    };
    if bytes.get(i) == Some(&b'*') {
        return Err(Error::format(format, "'*' needs a positional argument"));
    }
    if bytes.get(i).is_some_and(u8::is_ascii_digit) {
        s.width = number(&mut i)?;
    }
    if bytes.get(i) == Some(&b'.') {
        i += 1;
        if bytes.get(i) == Some(&b'*') {
            return Err(Error::format(format, "'*' needs a positional argument"));
        }
        s.precision = Some(if bytes.get(i).is_some_and(u8::is_ascii_digit) {
            number(&mut i)?
        } else {
            0
        });
    }
    // Length modifiers are accepted and ignored, as in Python.
    while matches!(bytes.get(i), Some(b'h' | b'l' | b'L')) {
        i += 1;
    }
    let conv = spec[i..].chars().next().ok_or_else(incomplete)?;
    i += conv.len_utf8();
    let Some(key) = key else {
        return Err(Error::format(
            format,
            "a placeholder without a (key) needs positional arguments",
        ));
    };
    let value = args
        .iter()
        .rev()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
        .ok_or_else(|| Error::format(format, format!("no value for key {key:?}")))?;
    let body = convert(format, conv, &s, value)?;
    Ok((pad(body, &s, conv), i))
}

fn convert(format: &str, conv: char, s: &Spec, value: &Arg<'_>) -> Result<String> {
    let int = |what: &str| match value {
        Arg::Int(v) => Ok(*v),
        Arg::Str(_) => Err(Error::format(
            format,
            format!("%{conv} format: {what} is required, not str"),
        )),
    };
    Ok(match conv {
        's' => {
            let text = match value {
                Arg::Str(v) => Cow::Borrowed(v.as_ref()),
                Arg::Int(v) => Cow::Owned(v.to_string()),
            };
            match s.precision {
                Some(p) => text.chars().take(p).collect(),
                None => text.into_owned(),
            }
        }
        'd' | 'i' | 'u' => signed(int("a real number")?, s, "", |v| v.to_string()),
        'x' => signed(int("an integer")?, s, "0x", |v| format!("{v:x}")),
        'X' => signed(int("an integer")?, s, "0X", |v| format!("{v:X}")),
        'o' => signed(int("an integer")?, s, "0o", |v| format!("{v:o}")),
        'f' | 'F' => {
            let v = int("a real number")?;
            let p = s.precision.unwrap_or(6);
            let sign = sign_of(v < 0, s);
            // Python converts the integer to a float first; so do we.
            let mut digits = format!("{:.*}", p, (v as f64).abs());
            if s.alternate && p == 0 {
                digits.push('.');
            }
            format!("{sign}{digits}")
        }
        'r' | 'a' => match value {
            Arg::Int(v) => v.to_string(),
            Arg::Str(v) => py_repr(v, conv == 'a').ok_or_else(|| {
                Error::format(format, "%r of a string with symbols outside ASCII")
            })?,
        },
        'c' => match value {
            Arg::Int(v) => u32::try_from(*v)
                .ok()
                .and_then(char::from_u32)
                .map(String::from)
                .ok_or_else(|| Error::format(format, "%c arg not in range(0x110000)"))?,
            Arg::Str(v) if v.chars().count() == 1 => v.to_string(),
            Arg::Str(_) => return Err(Error::format(format, "%c requires an int or a char")),
        },
        other => {
            return Err(Error::format(
                format,
                format!("unsupported format character {other:?}"),
            ));
        }
    })
}

/// Python's `repr` (or `ascii` when `ascii_only`) of a string. `None` for `repr` of a
/// string with a non-ASCII character that is not a letter or digit, whose printability
/// depends on Unicode tables this crate does not carry.
fn py_repr(text: &str, ascii_only: bool) -> Option<String> {
    let quote = if text.contains('\'') && !text.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            ' '..='~' => out.push(c),
            c if (c as u32) < 0x100 && (ascii_only || (c as u32) < 0xa1 || c == '\u{ad}') => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if ascii_only && (c as u32) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if ascii_only => {
                let _ = write!(out, "\\U{:08x}", c as u32);
            }
            c if c.is_alphanumeric() => out.push(c),
            _ => return None,
        }
    }
    out.push(quote);
    Some(out)
}

fn sign_of(negative: bool, s: &Spec) -> &'static str {
    if negative {
        "-"
    } else if s.plus {
        "+"
    } else if s.space {
        " "
    } else {
        ""
    }
}

/// An integer conversion: sign, optional radix prefix, digits padded to the precision.
fn signed(v: i128, s: &Spec, prefix: &str, digits: impl Fn(u128) -> String) -> String {
    let mut body = digits(v.unsigned_abs());
    if let Some(p) = s.precision
        && body.len() < p
    {
        body = format!("{}{body}", "0".repeat(p - body.len()));
    }
    let prefix = if s.alternate { prefix } else { "" };
    format!("{}{prefix}{body}", sign_of(v < 0, s))
}

/// Pads to the width: left-justified, zero-filled after the sign (numbers only), or
/// right-justified with spaces.
fn pad(body: String, s: &Spec, conv: char) -> String {
    let len = body.chars().count();
    if len >= s.width {
        return body;
    }
    let fill = s.width - len;
    if s.left {
        let mut out = body;
        out.extend(std::iter::repeat_n(' ', fill));
        out
    } else if s.zero && conv != 's' && conv != 'c' {
        // Zeros go after a sign and a radix prefix.
        let mut split = 0;
        if body.starts_with(['-', '+', ' ']) {
            split = 1;
        }
        if s.alternate && body[split..].starts_with(['0']) && body[split..].len() > 1 {
            let second = body[split + 1..].chars().next();
            if matches!(second, Some('x' | 'X' | 'o')) {
                split += 2;
            }
        }
        let mut out = String::with_capacity(body.len() + fill);
        out.push_str(&body[..split]);
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(&body[split..]);
        out
    } else {
        let mut out = String::with_capacity(body.len() + fill);
        out.extend(std::iter::repeat_n(' ', fill));
        let _ = write!(out, "{body}");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(f: &str) -> Result<String> {
        interpolate(
            f,
            &[
                ("s", "héllo".into()),
                ("n", 42.into()),
                ("neg", (-7).into()),
                ("z", 0.into()),
            ],
        )
    }

    #[test]
    fn basics() {
        assert_eq!(fmt("plain").unwrap(), "plain");
        assert_eq!(fmt("%(s)s!").unwrap(), "héllo!");
        assert_eq!(fmt("%(n)d%%").unwrap(), "42%");
        assert_eq!(fmt("%(n)s and %(s)s").unwrap(), "42 and héllo");
        assert_eq!(
            fmt("[%(s)8s][%(s)-8s][%(s).2s]").unwrap(),
            "[   héllo][héllo   ][hé]"
        );
        assert_eq!(fmt("%(neg)05d|%(n)+d|%(n) d").unwrap(), "-0007|+42| 42");
        assert_eq!(
            fmt("%(n)#x %(n)X %(n)#o %(n)#08x").unwrap(),
            "0x2a 2A 0o52 0x00002a"
        );
        assert_eq!(fmt("%(n).4d|%(z)d|%(n)c").unwrap(), "0042|0|*");
        assert_eq!(fmt("%(n).2f|%(neg)f").unwrap(), "42.00|-7.000000");
        assert_eq!(fmt("%(n)ld").unwrap(), "42");
    }

    #[test]
    fn errors() {
        for bad in [
            "%(x)s",
            "%s",
            "%(s)d",
            "%(s",
            "trailing %",
            "%(n)",
            "%(n)*d",
            "%(n)q",
            "%(n)e",
        ] {
            let err = fmt(bad).unwrap_err();
            assert!(err.is_format(), "{bad}");
            assert!(err.to_string().contains(bad), "{err}");
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(f in "\\PC{0,40}") {
            let _ = fmt(&f);
        }

        #[test]
        fn never_panics_on_placeholders(f in "(%[-0+ #(sn)0-9.hlL*dsxXocfFr%]{0,8}|[a-z é]){0,8}") {
            let _ = fmt(&f);
        }
    }
}

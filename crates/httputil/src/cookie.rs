//! Request cookies: Tornado's `parse_cookie` and the filter `HTTPServerRequest.cookies`
//! applies through Python's `http.cookies`.

use indexmap::IndexMap;

/// Cookies by name, in order of first appearance (a later duplicate replaces the value
/// but keeps the place, as a Python `dict` does).
pub type Cookies = IndexMap<String, String>;

/// Python's `str.isspace`.
fn py_isspace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Parses a `Cookie` header the way browsers do: Tornado's `parse_cookie` (the
/// algorithm of Django 1.9.10), not RFC 6265.
///
/// The header is split at every `;` (even inside quotes); each piece is split at its
/// first `=` (a piece without one is a value with the empty name); both halves are
/// stripped of whitespace; a piece with an empty name and value is skipped; a later
/// duplicate name wins. A value in double quotes is unquoted as Python's
/// `http.cookies` does: the quotes go, `\ooo` (octal, `\000`..`\377`) becomes that
/// character and `\` before any other character but a newline is dropped.
///
/// Linear time on any input (Tornado 6.4.2's fix for CVE-2024-7592).
///
/// ```
/// use tornado_httputil::parse_cookie;
/// let c = parse_cookie("chips=ahoy; vienna=finger; a=\"b=\\\"\\012\"");
/// assert_eq!(c["chips"], "ahoy");
/// assert_eq!(c["a"], "b=\"\n");
/// assert_eq!(parse_cookie("a=b; h=i; a=c").into_iter().collect::<Vec<_>>(),
///            [("a".to_owned(), "c".to_owned()), ("h".to_owned(), "i".to_owned())]);
/// assert_eq!(parse_cookie("unnamed")[""], "unnamed");
/// ```
pub fn parse_cookie(cookie: &str) -> Cookies {
    let mut out = Cookies::new();
    for chunk in cookie.split(';') {
        let (key, value) = chunk.split_once('=').unwrap_or(("", chunk));
        let key = key.trim_matches(py_isspace);
        let value = value.trim_matches(py_isspace);
        if !key.is_empty() || !value.is_empty() {
            out.insert(key.to_owned(), unquote_cookie(value));
        }
    }
    out
}

/// Python's `http.cookies._unquote`, linear: see [`parse_cookie`].
fn unquote_cookie(value: &str) -> String {
    let Some(inner) = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|_| value.len() >= 2)
    else {
        return value.to_owned();
    };
    let mut out = String::with_capacity(inner.len());
    let mut rest = inner;
    while let Some(pos) = rest.find('\\') {
        out.push_str(rest.get(..pos).unwrap_or_default());
        let after = rest.get(pos + 1..).unwrap_or_default();
        let octal = after.as_bytes().get(..3).and_then(|d| match d {
            [a @ b'0'..=b'3', b @ b'0'..=b'7', c @ b'0'..=b'7'] => {
                Some(u32::from(a - b'0') * 64 + u32::from(b - b'0') * 8 + u32::from(c - b'0'))
            }
            _ => None,
        });
        if let Some(code) = octal.and_then(char::from_u32) {
            out.push(code);
            rest = after.get(3..).unwrap_or_default();
            continue;
        }
        match after.chars().next() {
            Some(c) if c != '\n' => {
                out.push(c);
                rest = after.get(c.len_utf8()..).unwrap_or_default();
            }
            _ => {
                out.push('\\');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// True when Python's `http.cookies.SimpleCookie` accepts `name`: one or more of
/// ASCII letters, digits and ``!#$%&'*+-.^_`|~:``, and not a cookie attribute name
/// (`expires`, `path`, `comment`, `domain`, `max-age`, `secure`, `httponly`,
/// `version`, `samesite`, in any case).
pub fn is_legal_cookie_name(name: &str) -> bool {
    const RESERVED: [&str; 9] = [
        "expires", "path", "comment", "domain", "max-age", "secure", "httponly", "version",
        "samesite",
    ];
    !name.is_empty()
        && name.bytes().all(|b| {
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
                        | b':'
                )
        })
        && !RESERVED.iter().any(|r| r.eq_ignore_ascii_case(name))
}

/// The cookies of a `Cookie` header as `HTTPServerRequest.cookies` holds them:
/// [`parse_cookie`], then only the names Python's `http.cookies` accepts
/// ([`is_legal_cookie_name`]); the others are dropped silently, as Tornado drops them.
///
/// ```
/// use tornado_httputil::request_cookies;
/// let c = request_cookies("a=1; path=/; /=2; Domain=x; b:c=3; =4");
/// assert_eq!(c.keys().collect::<Vec<_>>(), ["a", "b:c"]);
/// ```
pub fn request_cookies(header: &str) -> Cookies {
    let mut cookies = parse_cookie(header);
    cookies.retain(|name, _| is_legal_cookie_name(name));
    cookies
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unquote_cases_of_cpython() {
        let cases = [
            (r#"a="b=\"""#, "b=\""),
            (r#"a="b=\\""#, "b=\\"),
            (r#"a="b=\=""#, "b=="),
            (r#"a="b=\n""#, "b=n"),
            (r#"a="b=\042""#, "b=\""),
            (r#"a="b=\134""#, "b=\\"),
            (r#"a="b=\377""#, "b=\u{ff}"),
            (r#"a="b=\400""#, "b=400"),
            (r#"a="b=\42""#, "b=42"),
            (r#"a="b=\\042""#, "b=\\042"),
            (r#"a="b=\\134""#, "b=\\134"),
            (r#"a="b=\\\"""#, "b=\\\""),
            (r#"a="b=\\\042""#, "b=\\\""),
            (r#"a="b=\134\"""#, "b=\\\""),
            (r#"a="b=\134\042""#, "b=\\\""),
        ];
        for (encoded, decoded) in cases {
            assert_eq!(parse_cookie(encoded)["a"], decoded, "{encoded}");
        }
    }

    #[test]
    fn odd_escapes() {
        assert_eq!(unquote_cookie("\"a\\\""), "a\\");
        assert_eq!(unquote_cookie("\"a\\\nb\""), "a\\\nb");
        assert_eq!(unquote_cookie("\"\\\u{e9}\""), "\u{e9}");
        assert_eq!(unquote_cookie("\""), "\"");
        assert_eq!(unquote_cookie("\"\""), "");
    }

    #[test]
    fn legal_names() {
        assert!(is_legal_cookie_name("a:b"));
        assert!(!is_legal_cookie_name("Max-Age"));
        assert!(!is_legal_cookie_name("a b"));
        assert!(!is_legal_cookie_name("\u{e9}"));
        assert!(!is_legal_cookie_name(""));
    }
}

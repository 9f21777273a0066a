//! The cases of Tornado's `tornado/test/escape_test.py`, ported.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use serde_json::json;
use tornado_escape::{
    ExtraParams, LinkifyOptions, json_decode, json_encode, linkify, native_str, recursive_unicode,
    squeeze, to_basestring, to_unicode, url_escape, url_unescape, url_unescape_bytes, utf8,
    xhtml_escape, xhtml_escape_bytes, xhtml_unescape,
};

fn protocols(list: &[&'static str]) -> Vec<Cow<'static, str>> {
    list.iter().map(|p| Cow::Borrowed(*p)).collect()
}

/// Tornado's `linkify_tests` (input, options, expected output), but for the two whose
/// `extra_params` is a callable, which `test_linkify` adds.
fn linkify_cases() -> Vec<(&'static str, LinkifyOptions<'static>, &'static str)> {
    let default = LinkifyOptions::default;
    vec![
        (
            "hello http://world.com/!",
            default(),
            r#"hello <a href="http://world.com/">http://world.com/</a>!"#,
        ),
        (
            "hello http://world.com/with?param=true&stuff=yes",
            default(),
            r#"hello <a href="http://world.com/with?param=true&amp;stuff=yes">http://world.com/with?param=true&amp;stuff=yes</a>"#,
        ),
        // An opening parenthesis followed by many characters killed Gruber's regex.
        (
            "http://url.com/w(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            default(),
            r#"<a href="http://url.com/w">http://url.com/w</a>(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"#,
        ),
        // As did too many dots at the end.
        (
            "http://url.com/withmany.......................................",
            default(),
            r#"<a href="http://url.com/withmany">http://url.com/withmany</a>......................................."#,
        ),
        (
            "http://url.com/withmany((((((((((((((((((((((((((((((((((a)",
            default(),
            r#"<a href="http://url.com/withmany">http://url.com/withmany</a>((((((((((((((((((((((((((((((((((a)"#,
        ),
        // From daringfireball.net's liberal URL regex examples, plus a few extras.
        (
            "http://foo.com/blah_blah",
            default(),
            r#"<a href="http://foo.com/blah_blah">http://foo.com/blah_blah</a>"#,
        ),
        (
            "http://foo.com/blah_blah/",
            default(),
            r#"<a href="http://foo.com/blah_blah/">http://foo.com/blah_blah/</a>"#,
        ),
        (
            "(Something like http://foo.com/blah_blah)",
            default(),
            r#"(Something like <a href="http://foo.com/blah_blah">http://foo.com/blah_blah</a>)"#,
        ),
        (
            "http://foo.com/blah_blah_(wikipedia)",
            default(),
            r#"<a href="http://foo.com/blah_blah_(wikipedia)">http://foo.com/blah_blah_(wikipedia)</a>"#,
        ),
        (
            "http://foo.com/blah_(blah)_(wikipedia)_blah",
            default(),
            r#"<a href="http://foo.com/blah_(blah)_(wikipedia)_blah">http://foo.com/blah_(blah)_(wikipedia)_blah</a>"#,
        ),
        (
            "(Something like http://foo.com/blah_blah_(wikipedia))",
            default(),
            r#"(Something like <a href="http://foo.com/blah_blah_(wikipedia)">http://foo.com/blah_blah_(wikipedia)</a>)"#,
        ),
        (
            "http://foo.com/blah_blah.",
            default(),
            r#"<a href="http://foo.com/blah_blah">http://foo.com/blah_blah</a>."#,
        ),
        (
            "http://foo.com/blah_blah/.",
            default(),
            r#"<a href="http://foo.com/blah_blah/">http://foo.com/blah_blah/</a>."#,
        ),
        (
            "<http://foo.com/blah_blah>",
            default(),
            r#"&lt;<a href="http://foo.com/blah_blah">http://foo.com/blah_blah</a>&gt;"#,
        ),
        (
            "<http://foo.com/blah_blah/>",
            default(),
            r#"&lt;<a href="http://foo.com/blah_blah/">http://foo.com/blah_blah/</a>&gt;"#,
        ),
        (
            "http://foo.com/blah_blah,",
            default(),
            r#"<a href="http://foo.com/blah_blah">http://foo.com/blah_blah</a>,"#,
        ),
        (
            "http://www.example.com/wpstyle/?p=364.",
            default(),
            r#"<a href="http://www.example.com/wpstyle/?p=364">http://www.example.com/wpstyle/?p=364</a>."#,
        ),
        (
            "rdar://1234",
            LinkifyOptions {
                permitted_protocols: protocols(&["http", "rdar"]),
                ..default()
            },
            r#"<a href="rdar://1234">rdar://1234</a>"#,
        ),
        (
            "rdar:/1234",
            LinkifyOptions {
                permitted_protocols: protocols(&["rdar"]),
                ..default()
            },
            r#"<a href="rdar:/1234">rdar:/1234</a>"#,
        ),
        (
            "http://userid:password@example.com:8080",
            default(),
            r#"<a href="http://userid:password@example.com:8080">http://userid:password@example.com:8080</a>"#,
        ),
        (
            "http://userid@example.com",
            default(),
            r#"<a href="http://userid@example.com">http://userid@example.com</a>"#,
        ),
        (
            "http://userid@example.com:8080",
            default(),
            r#"<a href="http://userid@example.com:8080">http://userid@example.com:8080</a>"#,
        ),
        (
            "http://userid:password@example.com",
            default(),
            r#"<a href="http://userid:password@example.com">http://userid:password@example.com</a>"#,
        ),
        (
            "message://%3c330e7f8409726r6a4ba78dkf1fd71420c1bf6ff@mail.gmail.com%3e",
            LinkifyOptions {
                permitted_protocols: protocols(&["http", "message"]),
                ..default()
            },
            concat!(
                r#"<a href="message://%3c330e7f8409726r6a4ba78dkf1fd71420c1bf6ff@mail.gmail.com%3e">"#,
                "message://%3c330e7f8409726r6a4ba78dkf1fd71420c1bf6ff@mail.gmail.com%3e</a>"
            ),
        ),
        (
            "http://\u{27a1}.ws/\u{4a39}",
            default(),
            "<a href=\"http://\u{27a1}.ws/\u{4a39}\">http://\u{27a1}.ws/\u{4a39}</a>",
        ),
        (
            "<tag>http://example.com</tag>",
            default(),
            r#"&lt;tag&gt;<a href="http://example.com">http://example.com</a>&lt;/tag&gt;"#,
        ),
        (
            "Just a www.example.com link.",
            default(),
            r#"Just a <a href="http://www.example.com">www.example.com</a> link."#,
        ),
        (
            "Just a www.example.com link.",
            LinkifyOptions {
                require_protocol: true,
                ..default()
            },
            "Just a www.example.com link.",
        ),
        (
            "A http://reallylong.com/link/that/exceedsthelenglimit.html",
            LinkifyOptions {
                require_protocol: true,
                shorten: true,
                ..default()
            },
            concat!(
                r#"A <a href="http://reallylong.com/link/that/exceedsthelenglimit.html""#,
                r#" title="http://reallylong.com/link/that/exceedsthelenglimit.html">http://reallylong.com/link...</a>"#
            ),
        ),
        (
            "A http://reallylongdomainnamethatwillbetoolong.com/hi!",
            LinkifyOptions {
                shorten: true,
                ..default()
            },
            concat!(
                r#"A <a href="http://reallylongdomainnamethatwillbetoolong.com/hi""#,
                r#" title="http://reallylongdomainnamethatwillbetoolong.com/hi">http://reallylongdomainnametha...</a>!"#
            ),
        ),
        (
            "A file:///passwords.txt and http://web.com link",
            default(),
            r#"A file:///passwords.txt and <a href="http://web.com">http://web.com</a> link"#,
        ),
        (
            "A file:///passwords.txt and http://web.com link",
            LinkifyOptions {
                permitted_protocols: protocols(&["file"]),
                ..default()
            },
            r#"A <a href="file:///passwords.txt">file:///passwords.txt</a> and http://web.com link"#,
        ),
        (
            "www.external-link.com",
            LinkifyOptions {
                extra_params: r#"rel="nofollow" class="external""#.into(),
                ..default()
            },
            r#"<a href="http://www.external-link.com" rel="nofollow" class="external">www.external-link.com</a>"#,
        ),
    ]
}

#[test]
fn test_linkify() {
    let internal_or_external = |href: &str| -> String {
        if href.starts_with("http://www.internal-link.com") {
            r#"class="internal""#.to_string()
        } else {
            r#"rel="nofollow" class="external""#.to_string()
        }
    };
    let padded = |_href: &str| -> String { r#"    rel="nofollow" class="external"  "#.to_string() };
    let cases = linkify_cases();
    // The two cases whose extra_params is a callable borrow the closures above.
    let callable_cases: Vec<(&str, LinkifyOptions<'_>, &str)> = vec![
        (
            "www.external-link.com and www.internal-link.com/blogs extra",
            LinkifyOptions {
                extra_params: ExtraParams::Callable(&internal_or_external),
                ..LinkifyOptions::default()
            },
            concat!(
                r#"<a href="http://www.external-link.com" rel="nofollow" class="external">www.external-link.com</a>"#,
                r#" and <a href="http://www.internal-link.com/blogs" class="internal">www.internal-link.com/blogs</a> extra"#
            ),
        ),
        (
            "www.external-link.com",
            LinkifyOptions {
                extra_params: (&padded).into(),
                ..LinkifyOptions::default()
            },
            r#"<a href="http://www.external-link.com" rel="nofollow" class="external">www.external-link.com</a>"#,
        ),
    ];
    let mut count = 0;
    for (text, options, expected) in cases {
        assert_eq!(linkify(text, &options), expected, "{text:?} {options:?}");
        count += 1;
    }
    for (text, options, expected) in callable_cases {
        assert_eq!(linkify(text, &options), expected, "{text:?} {options:?}");
        count += 1;
    }
    assert_eq!(count, 35, "Tornado has 35 linkify cases");
}

#[test]
fn test_xhtml_escape() {
    let cases: [(&str, &str); 6] = [
        ("<foo>", "&lt;foo&gt;"),
        ("<foo>", "&lt;foo&gt;"),
        ("<>&\"'", "&lt;&gt;&amp;&quot;&#x27;"),
        ("&amp;", "&amp;amp;"),
        ("<\u{e9}>", "&lt;\u{e9}&gt;"),
        ("<\u{e9}>", "&lt;\u{e9}&gt;"),
    ];
    for (unescaped, escaped) in cases {
        assert_eq!(xhtml_escape(unescaped), escaped);
        assert_eq!(xhtml_unescape(escaped), unescaped);
    }
    // The bytes cases of the Python test: b"<foo>" and b"<\xc3\xa9>".
    let byte_cases: [(&[u8], &[u8]); 2] = [
        (b"<foo>", b"&lt;foo&gt;"),
        (b"<\xc3\xa9>", b"&lt;\xc3\xa9&gt;"),
    ];
    for (unescaped, escaped) in byte_cases {
        assert_eq!(&*xhtml_escape_bytes(unescaped), escaped);
        let text = to_unicode(escaped).unwrap();
        assert_eq!(utf8(&*xhtml_unescape(text)), unescaped);
    }
}

#[test]
fn test_xhtml_unescape_numeric() {
    let cases = [
        ("foo&#32;bar", "foo bar"),
        ("foo&#x20;bar", "foo bar"),
        ("foo&#X20;bar", "foo bar"),
        ("foo&#xabc;bar", "foo\u{abc}bar"),
        ("foo&#xyz;bar", "foo&#xyz;bar"), // invalid encoding
        ("foo&#;bar", "foo&#;bar"),       // invalid encoding
        ("foo&#x;bar", "foo&#x;bar"),     // invalid encoding
    ];
    for (escaped, unescaped) in cases {
        assert_eq!(xhtml_unescape(escaped), unescaped);
    }
}

#[test]
fn test_url_escape_unicode() {
    // Bytes are escaped as they are; text as its UTF-8.
    assert_eq!(url_escape("\u{e9}".as_bytes(), true), "%C3%A9");
    assert_eq!(url_escape(b"\xe9", true), "%E9");
    assert_eq!(url_escape("\u{e9}", true), "%C3%A9");
}

#[test]
fn test_url_unescape_unicode() {
    // Both text and bytes are accepted as input.
    for escaped in [&b"%C3%A9"[..], "%C3%A9".as_bytes()] {
        assert_eq!(url_unescape(escaped, true), "\u{e9}");
        // encoding="latin1": each byte one character.
        let latin1: String = url_unescape_bytes(escaped, true)
            .iter()
            .map(|&b| char::from(b))
            .collect();
        assert_eq!(latin1, "\u{c3}\u{a9}");
        assert_eq!(url_unescape_bytes(escaped, true), utf8("\u{e9}"));
    }
}

#[test]
fn test_url_escape_quote_plus() {
    let unescaped = "+ #%";
    let plus_escaped = "%2B+%23%25";
    let escaped = "%2B%20%23%25";
    assert_eq!(url_escape(unescaped, true), plus_escaped);
    assert_eq!(url_escape(unescaped, false), escaped);
    assert_eq!(url_unescape(plus_escaped, true), unescaped);
    assert_eq!(url_unescape(escaped, false), unescaped);
    assert_eq!(url_unescape_bytes(plus_escaped, true), utf8(unescaped));
    assert_eq!(url_unescape_bytes(escaped, false), utf8(unescaped));
}

#[test]
fn test_escape_return_types() {
    // Python checks that xhtml_escape returns str; here the type says so, and clean
    // text is borrowed rather than copied.
    let escaped: Cow<'_, str> = xhtml_escape("foo");
    assert!(matches!(escaped, Cow::Borrowed("foo")));
}

#[test]
fn test_json_decode() {
    // json_decode accepts text and bytes; strings it returns are text.
    assert_eq!(json_decode(b"\"foo\"").unwrap(), json!("foo"));
    assert_eq!(json_decode("\"foo\"").unwrap(), json!("foo"));
    // Non-ASCII bytes are read as UTF-8.
    assert_eq!(json_decode(utf8("\"\u{e9}\"")).unwrap(), json!("\u{e9}"));
}

#[test]
fn test_json_encode() {
    assert_eq!(
        json_decode(json_encode("\u{e9}").unwrap()).unwrap(),
        json!("\u{e9}")
    );
    // Python refuses bytes in json.dumps; in Rust, bytes that are not UTF-8 cannot be a
    // str at all, and to_unicode says so.
    assert!(to_unicode(b"\xe9").unwrap_err().is_utf8());
}

#[test]
fn test_squeeze() {
    assert_eq!(
        squeeze("sequences     of    whitespace   chars"),
        "sequences of whitespace chars"
    );
}

#[test]
fn test_recursive_unicode() {
    let dict: HashMap<Vec<u8>, Vec<u8>> = [(b"foo".to_vec(), b"bar".to_vec())].into();
    let expected: HashMap<String, String> = [("foo".into(), "bar".into())].into();
    assert_eq!(recursive_unicode(dict).unwrap(), expected);

    let list = vec![b"foo".to_vec(), b"bar".to_vec()];
    assert_eq!(recursive_unicode(list).unwrap(), ["foo", "bar"]);

    let tuple = (b"foo".to_vec(), b"bar".to_vec());
    assert_eq!(
        recursive_unicode(tuple).unwrap(),
        ("foo".to_string(), "bar".to_string())
    );

    assert_eq!(recursive_unicode(b"foo".to_vec()).unwrap(), "foo");

    // Nested structures and non-text leaves.
    type Row<'a> = (Vec<&'a [u8]>, i32, Option<Vec<u8>>);
    let nested: BTreeMap<&str, Row<'_>> = [("k", (vec![&b"v"[..]], 7, None))].into();
    let out = recursive_unicode(nested).unwrap();
    assert_eq!(out["k"], (vec!["v".to_string()], 7, None));
}

#[test]
fn to_unicode_aliases() {
    assert_eq!(native_str(b"a").unwrap(), "a");
    assert_eq!(to_basestring("b").unwrap(), "b");
    let err = to_unicode(b"ab\xff").unwrap_err();
    assert!(err.to_string().contains("byte 2"), "{err}");
}

//! A port of Tornado's `tornado/test/httputil_test.py` (and of the doctests of
//! `tornado/httputil.py`), plus the tests of the 6.5.3–6.5.5 fixes.

use bytes::Bytes;
use http::Method;
use tornado_httputil::{
    Arguments, Files, HTTPHeaders, HTTPServerRequest, HTTPVersion, ParseMultipartConfig,
    encode_header_params, format_timestamp, get_content_range, normalize_header,
    parse_body_arguments_with_config, parse_cookie, parse_header_params, parse_multipart_form_data,
    parse_multipart_form_data_with_config, parse_qs_bytes, parse_request_range,
    parse_request_start_line, parse_response_start_line, qs_to_qsl, url_concat,
};

// ---------------------------------------------------------------- TestUrlConcat

fn concat(url: &str, args: &[(&str, &str)]) -> String {
    url_concat(url, args.iter().copied()).unwrap()
}

#[test]
fn url_concat_no_query_params() {
    let url = concat("https://localhost/path", &[("y", "y"), ("z", "z")]);
    assert_eq!(url, "https://localhost/path?y=y&z=z");
}

#[test]
fn url_concat_encode_args() {
    let url = concat("https://localhost/path", &[("y", "/y"), ("z", "z")]);
    assert_eq!(url, "https://localhost/path?y=%2Fy&z=z");
}

#[test]
fn url_concat_trailing_q() {
    let url = concat("https://localhost/path?", &[("y", "y"), ("z", "z")]);
    assert_eq!(url, "https://localhost/path?y=y&z=z");
}

#[test]
fn url_concat_q_with_no_trailing_amp() {
    let url = concat("https://localhost/path?x", &[("y", "y"), ("z", "z")]);
    assert_eq!(url, "https://localhost/path?x=&y=y&z=z");
}

#[test]
fn url_concat_trailing_amp() {
    let url = concat("https://localhost/path?x&", &[("y", "y"), ("z", "z")]);
    assert_eq!(url, "https://localhost/path?x=&y=y&z=z");
}

#[test]
fn url_concat_mult_params() {
    let url = concat("https://localhost/path?a=1&b=2", &[("y", "y"), ("z", "z")]);
    assert_eq!(url, "https://localhost/path?a=1&b=2&y=y&z=z");
}

#[test]
fn url_concat_no_params() {
    let url = concat("https://localhost/path?r=1&t=2", &[]);
    assert_eq!(url, "https://localhost/path?r=1&t=2");
}

#[test]
fn url_concat_none_params() {
    // Tornado's `args=None` returns the URL unchanged; in Rust the caller simply does
    // not call url_concat. With no arguments the URL comes back re-encoded.
    let url = concat("https://localhost/path?r=1&t=2", &[]);
    assert_eq!(url, "https://localhost/path?r=1&t=2");
}

#[test]
fn url_concat_with_frag() {
    let url = concat("https://localhost/path#tab", &[("y", "y")]);
    assert_eq!(url, "https://localhost/path?y=y#tab");
}

#[test]
fn url_concat_multi_same_params() {
    let url = concat("https://localhost/path", &[("y", "y1"), ("y", "y2")]);
    assert_eq!(url, "https://localhost/path?y=y1&y=y2");
}

#[test]
fn url_concat_multi_same_query_params() {
    let url = concat("https://localhost/path?r=1&r=2", &[("y", "y")]);
    assert_eq!(url, "https://localhost/path?r=1&r=2&y=y");
}

#[test]
fn url_concat_dict_params() {
    let args: std::collections::BTreeMap<&str, &str> = [("y", "y")].into_iter().collect();
    let url = url_concat("https://localhost/path", args).unwrap();
    assert_eq!(url, "https://localhost/path?y=y");
}

// ---------------------------------------------------------------- QsParseTest

#[test]
fn qs_parsing() {
    let qs = parse_qs_bytes("a=1&b=2&a=3", false, false).unwrap();
    let qsl: Vec<(&str, &[u8])> = qs_to_qsl(&qs).map(|(k, v)| (k, v.as_slice())).collect();
    assert!(qsl.contains(&("a", b"1")));
    assert!(qsl.contains(&("a", b"3")));
    assert!(qsl.contains(&("b", b"2")));
}

// ---------------------------------------------------------------- MultipartFormDataTest

/// The Python tests write bodies with `\n` and replace it by `\r\n`.
fn crlf(text: &str) -> Bytes {
    Bytes::from(text.replace('\n', "\r\n"))
}

fn parse(boundary: &[u8], data: &Bytes) -> tornado_httputil::Result<(Arguments, Files)> {
    let (mut args, mut files) = (Arguments::new(), Files::new());
    parse_multipart_form_data(boundary, data, &mut args, &mut files)?;
    Ok((args, files))
}

#[test]
fn multipart_file_upload() {
    let data = crlf(
        "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\nFoo\n--1234--",
    );
    let (_, files) = parse(b"1234", &data).unwrap();
    let file = &files["files"][0];
    assert_eq!(file.filename, "ab.txt");
    assert_eq!(file.body, "Foo");
}

#[test]
fn multipart_unquoted_names() {
    // Quotes are optional unless special characters are present.
    let data = crlf(
        "--1234\nContent-Disposition: form-data; name=files; filename=ab.txt\n\nFoo\n--1234--",
    );
    let (_, files) = parse(b"1234", &data).unwrap();
    let file = &files["files"][0];
    assert_eq!(file.filename, "ab.txt");
    assert_eq!(file.body, "Foo");
}

#[test]
fn multipart_special_filenames() {
    let filenames = [
        "a;b.txt",
        "a\"b.txt",
        "a\";b.txt",
        "a;\"b.txt",
        "a\";\";.txt",
        "a\\\"b.txt",
        "a\\b.txt",
    ];
    for filename in filenames {
        let escaped = filename.replace('\\', "\\\\").replace('"', "\\\"");
        let data = crlf(&format!(
            "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"{escaped}\"\n\nFoo\n--1234--"
        ));
        let (_, files) = parse(b"1234", &data).unwrap();
        let file = &files["files"][0];
        assert_eq!(file.filename, filename);
        assert_eq!(file.body, "Foo");
    }
}

#[test]
fn multipart_non_ascii_filename_rfc5987() {
    let data = crlf(
        "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"; filename*=UTF-8''%C3%A1b.txt\n\nFoo\n--1234--",
    );
    let (_, files) = parse(b"1234", &data).unwrap();
    let file = &files["files"][0];
    assert_eq!(file.filename, "\u{e1}b.txt");
    assert_eq!(file.body, "Foo");
}

#[test]
fn multipart_non_ascii_filename_raw() {
    let data = crlf(
        "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"测试.txt\"\n\nFoo\n--1234--",
    );
    let (_, files) = parse(b"1234", &data).unwrap();
    let file = &files["files"][0];
    assert_eq!(file.filename, "测试.txt");
    assert_eq!(file.body, "Foo");
}

#[test]
fn multipart_boundary_starts_and_ends_with_quotes() {
    let data = crlf(
        "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\nFoo\n--1234--",
    );
    let (_, files) = parse(b"\"1234\"", &data).unwrap();
    let file = &files["files"][0];
    assert_eq!(file.filename, "ab.txt");
    assert_eq!(file.body, "Foo");
}

#[test]
fn multipart_missing_headers() {
    let data = crlf("--1234\n\nFoo\n--1234--");
    let err = parse(b"1234", &data).unwrap_err();
    assert!(err.is_input());
    assert_eq!(err.message(), "multipart/form-data missing headers");
}

#[test]
fn multipart_invalid_content_disposition() {
    let data = crlf(
        "--1234\nContent-Disposition: invalid; name=\"files\"; filename=\"ab.txt\"\n\nFoo\n--1234--",
    );
    let err = parse(b"1234", &data).unwrap_err();
    assert_eq!(err.message(), "Invalid multipart/form-data");
}

#[test]
fn multipart_line_does_not_end_with_correct_line_break() {
    let data = crlf(
        "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\nFoo--1234--",
    );
    let err = parse(b"1234", &data).unwrap_err();
    assert_eq!(err.message(), "Invalid multipart/form-data");
}

#[test]
fn multipart_content_disposition_header_without_name_parameter() {
    let data = crlf("--1234\nContent-Disposition: form-data; filename=\"ab.txt\"\n\nFoo\n--1234--");
    let err = parse(b"1234", &data).unwrap_err();
    assert_eq!(err.message(), "multipart/form-data missing name");
}

#[test]
fn multipart_data_after_final_boundary() {
    // Data after the final boundary is ignored (some clients add a CRLF).
    let data = crlf(
        "--1234\nContent-Disposition: form-data; name=\"files\"; filename=\"ab.txt\"\n\nFoo\n--1234--\n",
    );
    let (_, files) = parse(b"1234", &data).unwrap();
    let file = &files["files"][0];
    assert_eq!(file.filename, "ab.txt");
    assert_eq!(file.body, "Foo");
}

// 6.5.0: the first bad part fails the body (CVE-2025-47287): no per-part log line,
// no partial result.
#[test]
fn multipart_first_error_fails_everything() {
    let mut text = String::new();
    for i in 0..50 {
        text.push_str(&format!(
            "--1234\nContent-Disposition: form-data; name=\"a{i}\"\n\n{i}\n"
        ));
    }
    text.push_str("--1234\nBroken\n--1234--");
    let data = crlf(&text);
    let (mut args, mut files) = (Arguments::new(), Files::new());
    args.insert("kept".into(), vec![b"1".to_vec()]);
    let err = parse_multipart_form_data(b"1234", &data, &mut args, &mut files).unwrap_err();
    assert_eq!(err.message(), "multipart/form-data missing headers");
    assert_eq!(args.len(), 1);
    assert!(files.is_empty());
}

// 6.5.5: limits on parts and part headers, CR in part headers.
#[test]
fn multipart_limits() {
    let part = "--1234\nContent-Disposition: form-data; name=\"a\"\n\nx\n";
    let config = ParseMultipartConfig::default();
    assert_eq!(
        (config.max_parts, config.max_part_header_size),
        (100, 10240)
    );
    let run = |parts: usize, config: &ParseMultipartConfig| {
        let data = crlf(&format!("{}--1234--", part.repeat(parts)));
        let (mut args, mut files) = (Arguments::new(), Files::new());
        parse_multipart_form_data_with_config(b"1234", &data, &mut args, &mut files, config)
            .map(|()| args["a"].len())
    };
    assert_eq!(run(100, &config).unwrap(), 100);
    assert_eq!(
        run(101, &config).unwrap_err().message(),
        "multipart/form-data has too many parts"
    );
    let lax = ParseMultipartConfig {
        max_parts: 1000,
        ..config
    };
    assert_eq!(run(101, &lax).unwrap(), 101);

    let long_header = format!(
        "--1234\nContent-Disposition: form-data; name=\"a\"\nX-Long: {}\n\nx\n--1234--",
        "a".repeat(10240)
    );
    let (mut args, mut files) = (Arguments::new(), Files::new());
    let err = parse_multipart_form_data_with_config(
        b"1234",
        &crlf(&long_header),
        &mut args,
        &mut files,
        &config,
    )
    .unwrap_err();
    assert_eq!(err.message(), "multipart/form-data part header too large");

    let cr = Bytes::from_static(
        b"--1234\r\nContent-Disposition: form-data; name=\"a\"\r\nX: a\rb\r\n\r\nx\r\n--1234--",
    );
    let err = parse(b"1234", &cr).unwrap_err();
    assert_eq!(err.message(), "Invalid header value 'a\\rb'");
}

#[test]
fn multipart_content_type_handling() {
    let data = crlf("--1234\nContent-Disposition: form-data; name=\"a\"\n\nx\n--1234--");
    let run = |content_type: &str, config: &tornado_httputil::ParseBodyConfig| {
        let (mut args, mut files) = (Arguments::new(), Files::new());
        parse_body_arguments_with_config(content_type, &data, &mut args, &mut files, None, config)
            .map(|()| args.len())
    };
    let config = tornado_httputil::ParseBodyConfig::default();
    assert_eq!(
        run("multipart/form-data; boundary=1234", &config).unwrap(),
        1
    );
    assert_eq!(
        run("multipart/form-data; boundary=\"1234\"", &config).unwrap(),
        1
    );
    // 6.5.5: only the media type itself is multipart.
    assert_eq!(
        run("multipart/form-dataxyz; boundary=1234", &config).unwrap(),
        0
    );
    assert_eq!(
        run("multipart/form-data", &config).unwrap_err().message(),
        "Invalid multipart/form-data: multipart boundary not found"
    );
    assert_eq!(
        run("multipart/form-data; boundary=9", &config)
            .unwrap_err()
            .message(),
        "Invalid multipart/form-data: Invalid multipart/form-data: no final boundary found"
    );
    let mut off = config;
    off.multipart.enabled = false;
    assert_eq!(
        run("multipart/form-data; boundary=1234", &off)
            .unwrap_err()
            .message(),
        "multipart/form-data parsing is disabled"
    );
    let mut headers = HTTPHeaders::new();
    headers.add("Content-Encoding", "gzip").unwrap();
    let (mut args, mut files) = (Arguments::new(), Files::new());
    let err = parse_body_arguments_with_config(
        "application/x-www-form-urlencoded",
        &Bytes::from_static(b"a=1"),
        &mut args,
        &mut files,
        Some(&headers),
        &config,
    )
    .unwrap_err();
    assert_eq!(err.message(), "Unsupported Content-Encoding: gzip");
}

// ---------------------------------------------------------------- HTTPHeadersTest

#[test]
fn headers_multi_line() {
    // Lines beginning with whitespace are appended to the previous line with any
    // leading whitespace replaced by a single space.
    let data = "Foo: bar\n baz\nAsdf: qwer\n\tzxcv\nFoo: even\n     more\n     lines\n"
        .replace('\n', "\r\n");
    let headers = HTTPHeaders::parse(&data).unwrap();
    assert_eq!(headers.get("asdf"), Some("qwer zxcv"));
    assert_eq!(headers.get_list("asdf").collect::<Vec<_>>(), ["qwer zxcv"]);
    assert_eq!(headers.get("Foo"), Some("bar baz,even more lines"));
    assert_eq!(
        headers.get_list("foo").collect::<Vec<_>>(),
        ["bar baz", "even more lines"]
    );
    let mut all: Vec<_> = headers.get_all().collect();
    all.sort();
    assert_eq!(
        all,
        [
            ("Asdf", "qwer zxcv"),
            ("Foo", "bar baz"),
            ("Foo", "even more lines")
        ]
    );
}

#[test]
fn headers_continuation() {
    let headers = HTTPHeaders::parse("Foo: bar\r\n\tasdf").unwrap();
    assert_eq!(headers.get("Foo"), Some("bar asdf"));
    // A first line that starts with whitespace continues nothing.
    let err = HTTPHeaders::parse(" Foo: bar").unwrap_err();
    assert_eq!(
        err.message(),
        "first header line cannot start with whitespace"
    );
    // \f is whitespace to str.isspace, not to HTTP.
    assert!(HTTPHeaders::parse("Foo: bar\r\n\u{c}asdf").is_err());
}

#[test]
fn headers_forbidden_ascii_characters() {
    // Control characters and ASCII whitespace other than space, tab and CRLF are not
    // allowed in headers.
    for c in 0u8..0xff {
        let ch = char::from(c);
        let data = format!("Foo: bar{ch}baz\r\n");
        if c == 0x09 || (c >= 0x20 && c != 0x7f) {
            let headers = HTTPHeaders::parse(&data).unwrap();
            assert_eq!(headers.get("Foo"), Some(format!("bar{ch}baz").as_str()));
        } else {
            assert!(HTTPHeaders::parse(&data).is_err(), "{c:#x}");
        }
    }
}

#[test]
fn headers_unicode_newlines() {
    // Only \r\n (and \n) separate header lines, not the other newline-like characters.
    for newline in ['\u{85}', '\u{2028}', '\u{2029}'] {
        let utf8 = newline.to_string().into_bytes();
        let latin1 = u8::try_from(u32::from(newline)).ok().map(|b| vec![b]);
        for encoded in [Some(utf8), latin1].into_iter().flatten() {
            let mut data = b"Cookie: foo=".to_vec();
            data.extend_from_slice(&encoded);
            data.extend_from_slice(b"bar");
            let headers = HTTPHeaders::parse_bytes(&data).unwrap();
            let decoded: String = encoded.iter().map(|&b| char::from(b)).collect();
            let expected = format!("foo={decoded}bar");
            assert_eq!(
                headers.get_all().collect::<Vec<_>>(),
                [("Cookie", expected.as_str())]
            );
        }
    }
}

#[test]
fn headers_unicode_whitespace() {
    // Only tabs and spaces are stripped.
    for (c, stripped) in [
        (' ', true),
        ('\t', true),
        ('\u{a0}', false),
        ('\u{85}', false),
    ] {
        let headers = HTTPHeaders::parse(&format!("Transfer-Encoding: {c}chunked")).unwrap();
        let expected = if stripped {
            "chunked".to_owned()
        } else {
            format!("{c}chunked")
        };
        assert_eq!(
            headers.get_all().collect::<Vec<_>>(),
            [("Transfer-Encoding", expected.as_str())]
        );
    }
}

#[test]
fn headers_optional_cr() {
    // A bare CR is not a line separator.
    assert!(HTTPHeaders::parse("CRLF: crlf\r\nLF: lf\nCR: cr\rMore: more\r\n").is_err());
    // CRLF and LF both are; a CR before LF is not data.
    let headers = HTTPHeaders::parse("CRLF: crlf\r\nLF: lf\nMore: more\r\n").unwrap();
    let mut all: Vec<_> = headers.get_all().collect();
    all.sort();
    assert_eq!(all, [("Crlf", "crlf"), ("Lf", "lf"), ("More", "more")]);
}

#[test]
fn headers_copy() {
    let all_pairs = [("A", "1"), ("A", "2"), ("B", "c")];
    let mut h1 = HTTPHeaders::new();
    for (k, v) in all_pairs {
        h1.add(k, v).unwrap();
    }
    let mut h2 = h1.clone();
    for headers in [&h1, &h2] {
        let mut all: Vec<_> = headers.get_all().collect();
        all.sort();
        assert_eq!(all, all_pairs);
    }
    // The copy is independent.
    h2.add("A", "3").unwrap();
    assert_eq!(h1.get_list("A").count(), 2);
    assert_eq!(h2.get_list("A").count(), 3);
}

#[test]
fn headers_pickle_roundtrip() {
    // No pickle in Rust: the text form is the serialisation, and it round-trips.
    let mut headers = HTTPHeaders::new();
    headers.add("Set-Cookie", "a=b").unwrap();
    headers.add("Set-Cookie", "c=d").unwrap();
    headers.add("Content-Type", "text/html").unwrap();
    let restored = HTTPHeaders::parse(&headers.to_string()).unwrap();
    let sorted = |h: &HTTPHeaders| {
        let mut v: Vec<(String, String)> = h
            .get_all()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        v.sort();
        v
    };
    assert_eq!(sorted(&headers), sorted(&restored));
    assert_eq!(headers, restored);
}

#[test]
fn headers_setdefault() {
    let mut headers = HTTPHeaders::new();
    headers.set("foo", "bar").unwrap();
    // A present value is returned unchanged.
    assert_eq!(headers.setdefault("foo", "baz").unwrap(), "bar");
    assert_eq!(headers.get("foo"), Some("bar"));
    // An absent one is set.
    assert_eq!(headers.setdefault("quux", "xyzzy").unwrap(), "xyzzy");
    assert_eq!(headers.get("quux"), Some("xyzzy"));
    let mut all: Vec<_> = headers.get_all().collect();
    all.sort();
    assert_eq!(all, [("Foo", "bar"), ("Quux", "xyzzy")]);
}

#[test]
fn headers_string() {
    let mut headers = HTTPHeaders::new();
    headers.add("Foo", "1").unwrap();
    headers.add("Foo", "2").unwrap();
    headers.add("Foo", "3").unwrap();
    let headers2 = HTTPHeaders::parse(&headers.to_string()).unwrap();
    assert_eq!(headers, headers2);
}

#[test]
fn headers_invalid_header_names() {
    for name in [
        "", "foo bar", "foo\tbar", "foo\nbar", "foo\0bar", "foo ", " foo", "é",
    ] {
        let mut headers = HTTPHeaders::new();
        let err = headers.add(name, "bar").unwrap_err();
        assert!(err.is_input(), "{name:?}");
        assert!(
            err.message().starts_with("Invalid header name "),
            "{name:?}"
        );
    }
}

#[test]
fn headers_dict_behaviour() {
    // The class doctest of HTTPHeaders.
    let mut h = HTTPHeaders::new();
    h.update([("content-type", "text/html")]).unwrap();
    assert_eq!(h.keys().collect::<Vec<_>>(), ["Content-Type"]);
    assert_eq!(h.get("Content-Type"), Some("text/html"));
    h.add("Set-Cookie", "A=B").unwrap();
    h.add("Set-Cookie", "C=D").unwrap();
    assert_eq!(h.get("set-cookie"), Some("A=B,C=D"));
    assert_eq!(h.get_list("set-cookie").collect::<Vec<_>>(), ["A=B", "C=D"]);
    let mut all: Vec<_> = h.get_all().collect();
    all.sort();
    assert_eq!(
        all,
        [
            ("Content-Type", "text/html"),
            ("Set-Cookie", "A=B"),
            ("Set-Cookie", "C=D")
        ]
    );
    // __setitem__ replaces every value but keeps the place; del removes.
    h.set("CONTENT-TYPE", "text/plain").unwrap();
    assert_eq!(h.keys().collect::<Vec<_>>(), ["Content-Type", "Set-Cookie"]);
    assert!(h.remove("content-type"));
    assert!(!h.contains("Content-Type"));
    assert!(!h.remove("content-type"));
    assert_eq!(h.len(), 1);
    // The parse_line doctest.
    let mut h = HTTPHeaders::new();
    h.parse_line("Content-Type: text/html").unwrap();
    assert_eq!(h.get("content-type"), Some("text/html"));
    h.parse_line("Content-Length: 42\r\n").unwrap();
    assert_eq!(h.get("content-type"), Some("text/html"));
    // The parse doctest.
    let h = HTTPHeaders::parse("Content-Type: text/html\r\nContent-Length: 42\r\n").unwrap();
    let mut items: Vec<_> = h.items().collect();
    items.sort();
    assert_eq!(
        items,
        [("Content-Length", "42"), ("Content-Type", "text/html")]
    );
}

#[test]
fn normalize_header_doctest() {
    assert_eq!(normalize_header("coNtent-TYPE"), "Content-Type");
    assert_eq!(normalize_header("etag"), "Etag");
    assert_eq!(normalize_header("x-xsrftoken"), "X-Xsrftoken");
    let mut h = HTTPHeaders::new();
    h.add("ETag", "\"x\"").unwrap();
    h.add("WWW-Authenticate", "Basic").unwrap();
    h.add("my-CUSTOM-header", "1").unwrap();
    assert_eq!(
        h.keys().collect::<Vec<_>>(),
        ["Etag", "Www-Authenticate", "My-Custom-Header"]
    );
}

// ---------------------------------------------------------------- FormatTimestampTest

const EXPECTED: &str = "Sun, 27 Jan 2013 18:43:20 GMT";
const TIMESTAMP: f64 = 1359312200.503611;

#[test]
fn format_unix_time_float() {
    assert_eq!(format_timestamp(TIMESTAMP), EXPECTED);
}

#[test]
fn format_unix_time_int() {
    assert_eq!(format_timestamp(TIMESTAMP as i64), EXPECTED);
}

#[test]
fn format_struct_time() {
    // Python's struct_time: UTC calendar fields.
    let t = chrono::NaiveDate::from_ymd_opt(2013, 1, 27)
        .unwrap()
        .and_hms_opt(18, 43, 20)
        .unwrap();
    assert_eq!(format_timestamp(t), EXPECTED);
}

#[test]
fn format_time_tuple() {
    let t = chrono::DateTime::from_timestamp(TIMESTAMP as i64, 0)
        .unwrap()
        .naive_utc();
    assert_eq!(format_timestamp(t), EXPECTED);
}

#[test]
fn format_utc_naive_datetime() {
    let t = chrono::DateTime::from_timestamp_micros((TIMESTAMP * 1e6) as i64)
        .unwrap()
        .naive_utc();
    assert_eq!(format_timestamp(t), EXPECTED);
}

#[test]
fn format_system_time() {
    let t = std::time::UNIX_EPOCH + std::time::Duration::from_secs_f64(TIMESTAMP);
    assert_eq!(format_timestamp(t), EXPECTED);
}

#[test]
fn format_utc_aware_datetime() {
    let t = chrono::DateTime::from_timestamp_micros((TIMESTAMP * 1e6) as i64).unwrap();
    assert_eq!(format_timestamp(t), EXPECTED);
}

#[test]
fn format_other_aware_datetime() {
    // Other time zones are converted; the result is always GMT.
    let tz = chrono::FixedOffset::west_opt(4 * 3600).unwrap();
    let t = chrono::DateTime::from_timestamp(TIMESTAMP as i64, 0)
        .unwrap()
        .with_timezone(&tz);
    assert_eq!(format_timestamp(t), EXPECTED);
}

// ---------------------------------------------------------------- HTTPServerRequestTest

#[test]
fn request_default_constructor() {
    // Only the URI is needed.
    HTTPServerRequest::new(Method::GET, "/", HTTPVersion::default(), HTTPHeaders::new()).unwrap();
}

#[test]
fn request_body_is_a_byte_string() {
    let request =
        HTTPServerRequest::new(Method::GET, "/", HTTPVersion::default(), HTTPHeaders::new())
            .unwrap();
    let body: &Bytes = &request.body;
    assert!(body.is_empty());
}

#[test]
fn request_repr_does_not_contain_headers() {
    let mut headers = HTTPHeaders::new();
    headers.add("Canary", "Coal Mine").unwrap();
    let request =
        HTTPServerRequest::new(Method::GET, "/", HTTPVersion::default(), headers).unwrap();
    assert!(!format!("{request:?}").contains("Canary"));
}

#[test]
fn request_host_rules() {
    // 6.5: a missing, invalid or repeated Host is an HTTPInputError.
    let build = |version: HTTPVersion, text: &str| {
        HTTPServerRequest::new(Method::GET, "/", version, HTTPHeaders::parse(text).unwrap())
    };
    let v11 = HTTPVersion::HTTP_11;
    assert_eq!(build(v11, "").unwrap_err().message(), "Missing Host header");
    assert_eq!(&*build(HTTPVersion::HTTP_10, "").unwrap().host, "127.0.0.1");
    assert_eq!(
        build(v11, "Host: foo bar\r\n").unwrap_err().message(),
        "Invalid Host header: 'foo bar'"
    );
    assert_eq!(
        build(v11, "Host: a\r\nHost: b\r\n").unwrap_err().message(),
        "Multiple host headers not allowed: 'a,b'"
    );
    let r = build(v11, "Host: WWW.Example.COM:8080\r\n").unwrap();
    assert_eq!(
        (&*r.host, &*r.host_name),
        ("WWW.Example.COM:8080", "www.example.com")
    );
}

#[test]
fn request_cookies_drop_illegal_names() {
    let headers =
        HTTPHeaders::parse("Host: h\r\nCookie: a=1; path=/; /=x; b=\"2\"; Expires=3\r\n").unwrap();
    let r = HTTPServerRequest::new(Method::GET, "/", HTTPVersion::HTTP_11, headers).unwrap();
    let cookies: Vec<(&str, &str)> = r
        .cookies()
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(cookies, [("a", "1"), ("b", "2")]);
}

// ---------------------------------------------------------------- ParseRequestStartLineTest

#[test]
fn parse_request_start_line_test() {
    let parsed = parse_request_start_line("GET /foo HTTP/1.1").unwrap();
    assert_eq!(parsed.method, Method::GET);
    assert_eq!(parsed.path, "/foo");
    assert_eq!(parsed.version, "HTTP/1.1");
}

#[test]
fn start_line_doctests() {
    let r = parse_response_start_line("HTTP/1.1 200 OK").unwrap();
    assert_eq!(
        (r.version, r.code, &*r.reason),
        (HTTPVersion::HTTP_11, 200, "OK")
    );
    // 6.5: strict request lines.
    assert!(parse_request_start_line("GET /a\u{1} HTTP/1.1").is_err());
    assert!(parse_request_start_line("FOO,BAR / HTTP/1.1").is_err());
    assert_eq!(
        parse_request_start_line("GET / HTTP/2.0")
            .unwrap_err()
            .message(),
        "Unexpected HTTP version 'HTTP/2.0'"
    );
    assert_eq!(
        parse_request_start_line("FOO / HTTP/1.1")
            .unwrap()
            .method
            .as_str(),
        "FOO"
    );
}

// ---------------------------------------------------------------- ParseCookieTest

fn cookie_pairs(header: &str) -> Vec<(String, String)> {
    parse_cookie(header).into_iter().collect()
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn cookie_python_cookies() {
    // The cases of CPython's test_http_cookies.py.
    assert_eq!(
        cookie_pairs("chips=ahoy; vienna=finger"),
        owned(&[("chips", "ahoy"), ("vienna", "finger")])
    );
    // Unlike Python's cookie parser, every semicolon is a delimiter, even in quotes.
    assert_eq!(
        cookie_pairs("keebler=\"E=mc2; L=\\\"Loves\\\"; fudge=\\012;\""),
        owned(&[
            ("keebler", "\"E=mc2"),
            ("L", "\\\"Loves\\\""),
            ("fudge", "\\012"),
            ("", "\"")
        ])
    );
    // Illegal cookies with an '=' in an unquoted value.
    assert_eq!(
        cookie_pairs("keebler=E=mc2"),
        owned(&[("keebler", "E=mc2")])
    );
    // ':' in names.
    assert_eq!(
        cookie_pairs("key:term=value:term"),
        owned(&[("key:term", "value:term")])
    );
    // '[' and ']'.
    assert_eq!(
        cookie_pairs("a=b; c=[; d=r; f=h"),
        owned(&[("a", "b"), ("c", "["), ("d", "r"), ("f", "h")])
    );
}

#[test]
fn cookie_edgecases() {
    // Cookies RFC 6265 allows.
    assert_eq!(
        cookie_pairs("a=b; Domain=example.com"),
        owned(&[("a", "b"), ("Domain", "example.com")])
    );
    // The last cookie of a name wins.
    assert_eq!(
        cookie_pairs("a=b; h=i; a=c"),
        owned(&[("a", "c"), ("h", "i")])
    );
}

#[test]
fn cookie_invalid_cookies() {
    // Pieces without '=' are values with an empty name.
    assert!(parse_cookie("abc=def; unnamed; django_language=en").contains_key("django_language"));
    // Even a double quote.
    assert_eq!(
        cookie_pairs("a=b; \"; c=d"),
        owned(&[("a", "b"), ("", "\""), ("c", "d")])
    );
    // Spaces in names and values, '=' in values.
    assert_eq!(
        cookie_pairs("a b c=d e = f; gh=i"),
        owned(&[("a b c", "d e = f"), ("gh", "i")])
    );
    // More characters the spec forbids.
    assert_eq!(
        cookie_pairs("a   b,c<>@:/[]?{}=d  \"  =e,f g"),
        owned(&[("a   b,c<>@:/[]?{}", "d  \"  =e,f g")])
    );
    // Non-ASCII.
    assert_eq!(
        cookie_pairs("saint=André Bessette"),
        owned(&[("saint", "André Bessette")])
    );
    // Whitespace as document.cookie parses it.
    assert_eq!(
        cookie_pairs("  =  b  ;  ;  =  ;   c  =  ;  "),
        owned(&[("", "b"), ("c", "")])
    );
}

#[test]
fn cookie_unquote() {
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
fn cookie_unquote_large() {
    // Tornado's performance regression test for CVE-2024-7592; the linearity itself is
    // checked in httputil_linear.rs.
    let n = 100_000;
    for encoded in ["\\\\", "\\134"] {
        let data = format!("a=\"b={}\"", encoded.repeat(n));
        let value = &parse_cookie(&data)["a"];
        assert_eq!(&value[..3], "b=\\");
        assert_eq!(&value[value.len() - 3..], "\\\\\\");
        assert_eq!(value.len(), n + 2);
    }
}

// ---------------------------------------------------------------- module doctests

#[test]
fn range_and_param_doctests() {
    let (start, end) = parse_request_range("bytes=1-2").unwrap();
    assert_eq!((start, end), (Some(1), Some(3)));
    let v = [0, 1, 2, 3, 4];
    assert_eq!(&v[start.unwrap() as usize..end.unwrap() as usize], [1, 2]);
    assert_eq!(parse_request_range("bytes=6-"), Some((Some(6), None)));
    assert_eq!(parse_request_range("bytes=-6"), Some((Some(-6), None)));
    assert_eq!(parse_request_range("bytes=-0"), Some((None, Some(0))));
    assert_eq!(parse_request_range("bytes="), Some((None, None)));
    assert_eq!(parse_request_range("foo=42"), None);
    assert_eq!(parse_request_range("bytes=1-2,6-10"), None);
    assert_eq!(get_content_range(None, Some(1), 4), "bytes 0-0/4");
    assert_eq!(get_content_range(Some(1), Some(3), 4), "bytes 1-2/4");
    assert_eq!(get_content_range(None, None, 4), "bytes 0-3/4");

    let (key, params) =
        parse_header_params("form-data; foo=\"b\\\\a\\\"r\"; file*=utf-8''T%C3%A4st").unwrap();
    assert_eq!(key, "form-data");
    assert_eq!(params["file"], "T\u{e4}st");
    assert_eq!(params["foo"], "b\\a\"r");
    assert_eq!(
        encode_header_params(
            "permessage-deflate",
            [
                ("client_max_window_bits", Some("15")),
                ("client_no_context_takeover", None)
            ]
        ),
        "permessage-deflate; client_max_window_bits=15; client_no_context_takeover"
    );
}

//! Property tests: no parser panics on any input, and the round trips hold.

use bytes::Bytes;
use proptest::collection::vec;
use proptest::prelude::*;
use tornado_httputil::{
    Arguments, Files, HTTPHeaders, HTTPVersion, ParseBodyConfig, encode_header_params,
    format_timestamp, get_content_range, latin1_encode, normalize_header, parse_body_arguments,
    parse_body_arguments_with_config, parse_cookie, parse_header_params, parse_multipart_form_data,
    parse_request_range, parse_request_start_line, parse_request_start_line_bytes,
    parse_response_start_line, parse_response_start_line_bytes, request_cookies,
    split_host_and_port, url_concat, validate_host_header,
};

/// Text made mostly of the characters that matter to these parsers.
fn tricky_text() -> impl Strategy<Value = String> {
    vec(
        prop_oneof![
            4 => prop::sample::select(vec![
                ' ', '\t', '\r', '\n', ':', ';', '=', '"', '\\', ',', '-', '%', '?', '#', '/',
                '[', ']', '@', '*', '\'', 'a', 'Z', '0', '7', '\u{0}', '\u{7f}', '\u{85}',
                '\u{a0}', '\u{e9}', '\u{ff}', '\u{2028}', '测',
            ]),
            1 => any::<char>(),
        ],
        0..80,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn token() -> impl Strategy<Value = String> {
    "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,12}"
}

/// A valid header value: no leading or trailing space, no control characters.
fn field_value() -> impl Strategy<Value = String> {
    "[\\x21-\\x7e\u{80}-\u{ff}]([\\x20-\\x7e\\t\u{80}-\u{ff}]{0,20}[\\x21-\\x7e\u{80}-\u{ff}])?|"
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn header_parsers_never_panic(bytes in vec(any::<u8>(), 0..200), text in tricky_text()) {
        let _ = HTTPHeaders::parse_bytes(&bytes);
        let _ = HTTPHeaders::parse(&text);
        let mut h = HTTPHeaders::new();
        for line in text.split_inclusive('\n') {
            let _ = h.parse_line(line);
        }
        let _ = h.add(&text, &text);
        let _ = h.set(&text, &text);
        let _ = h.get(&text);
        let _ = h.to_header_map();
        let _ = normalize_header(&text);
        let _ = latin1_encode(&text);
        let _ = validate_host_header(&h, HTTPVersion::HTTP_11);
    }

    #[test]
    fn parse_bytes_is_parse_of_latin1(bytes in vec(prop_oneof![
        3 => prop::sample::select(b"ab: \t\r\n-\x00\x7f\xe9\xff".to_vec()),
        1 => any::<u8>(),
    ], 0..120)) {
        let text: String = bytes.iter().map(|&b| char::from(b)).collect();
        let from_bytes = HTTPHeaders::parse_bytes(&bytes);
        let from_text = HTTPHeaders::parse(&text);
        match (from_bytes, from_text) {
            (Ok(a), Ok(b)) => {
                let a: Vec<_> = a.get_all().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
                let b: Vec<_> = b.get_all().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
                prop_assert_eq!(a, b);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
        }
    }

    #[test]
    fn block_parse_is_line_by_line_parse(lines in vec(prop_oneof![
        3 => (token(), field_value(), prop::sample::select(vec!["\r\n", "\n", ""]))
            .prop_map(|(n, v, eol)| format!("{n}: {v}{eol}")),
        1 => tricky_text(),
    ], 0..12)) {
        // HTTPHeaders::parse reads plain lines on a fast path; parse_line reads every
        // line the general way. They must agree, errors included.
        let text: String = lines.concat();
        let block = HTTPHeaders::parse(&text);
        let mut by_line = HTTPHeaders::new();
        let mut line_result = Ok(());
        for line in text.split_inclusive('\n') {
            line_result = by_line.parse_line(line);
            if line_result.is_err() {
                break;
            }
        }
        match (block, line_result) {
            (Ok(block), Ok(())) => {
                let a: Vec<_> = block.get_all().collect();
                let b: Vec<_> = by_line.get_all().collect();
                prop_assert_eq!(a, b);
            }
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            (a, b) => prop_assert!(false, "{a:?} vs {b:?}"),
        }
    }

    #[test]
    fn headers_text_round_trip(pairs in vec((token(), field_value()), 0..30)) {
        let mut h = HTTPHeaders::new();
        for (name, value) in &pairs {
            h.add(name, value).unwrap();
        }
        let text = h.to_string();
        let back = HTTPHeaders::parse(&text).unwrap();
        let all = |h: &HTTPHeaders| -> Vec<(String, String)> {
            h.get_all().map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
        };
        prop_assert_eq!(all(&h), all(&back));
        prop_assert_eq!(&h, &back);
        // Wire bytes too.
        let wire = latin1_encode(&text).unwrap();
        prop_assert_eq!(all(&HTTPHeaders::parse_bytes(&wire).unwrap()), all(&h));
        // And through http::HeaderMap.
        let map = h.to_header_map().unwrap();
        prop_assert_eq!(all(&HTTPHeaders::from_header_map(&map)), all(&h));
    }

    #[test]
    fn start_lines_never_panic(bytes in vec(any::<u8>(), 0..60), text in tricky_text()) {
        let _ = parse_request_start_line_bytes(&bytes);
        let _ = parse_response_start_line_bytes(&bytes);
        let _ = parse_request_start_line(&text);
        let _ = parse_response_start_line(&text);
    }

    #[test]
    fn request_line_round_trip(
        method in token(),
        target in "[\\x21-\\x7e\u{80}-\u{ff}]{1,30}",
        minor in 0u8..10,
    ) {
        let line = format!("{method} {target} HTTP/1.{minor}");
        let parsed = parse_request_start_line(&line).unwrap();
        prop_assert_eq!(parsed.method.as_str(), method.as_str());
        prop_assert_eq!(&parsed.path, &target);
        prop_assert_eq!(parsed.to_string(), line);
    }

    #[test]
    fn cookies_never_panic(text in tricky_text()) {
        let _ = parse_cookie(&text);
        let _ = request_cookies(&text);
    }

    #[test]
    fn cookie_round_trip(pairs in vec(("[a-zA-Z0-9_!#$%&'*+.^`|~:-]{1,8}", "[a-zA-Z0-9_!#$%&'*+./:<>?@^`|~-]{0,12}"), 0..10)) {
        let header = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("; ");
        let parsed = parse_cookie(&header);
        for (k, v) in &pairs {
            // The last value of a name wins.
            let last = pairs.iter().rev().find(|(k2, _)| k2 == k).map(|(_, v)| v);
            prop_assert_eq!(parsed.get(k), last);
            let _ = v;
        }
    }

    #[test]
    fn header_params_never_panic(text in tricky_text()) {
        let _ = parse_header_params(&text);
    }

    #[test]
    fn header_params_round_trip(
        key in token(),
        params in vec(("[a-z][a-z0-9_]{0,8}", "[a-zA-Z0-9._-]{1,10}"), 0..6),
    ) {
        let line = encode_header_params(&key, params.iter().map(|(k, v)| (k, Some(v))));
        let (k, parsed) = parse_header_params(&line).unwrap();
        prop_assert_eq!(k, key);
        for (name, value) in &params {
            let last = params.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v);
            prop_assert_eq!(parsed.get(name), last);
            let _ = value;
        }
    }

    #[test]
    fn bodies_never_panic(
        content_type in prop_oneof![
            Just("application/x-www-form-urlencoded".to_owned()),
            Just("multipart/form-data; boundary=b".to_owned()),
            Just("multipart/form-data; boundary=\"b\"".to_owned()),
            tricky_text(),
        ],
        body in vec(prop_oneof![
            3 => prop::sample::select(b"-b\r\n:;=\"&%+aZ \xff".to_vec()),
            1 => any::<u8>(),
        ], 0..200),
        boundary in vec(any::<u8>(), 0..6),
    ) {
        let body = Bytes::from(body);
        let (mut args, mut files) = (Arguments::new(), Files::new());
        let _ = parse_body_arguments(&content_type, &body, &mut args, &mut files, None);
        let (mut args, mut files) = (Arguments::new(), Files::new());
        let _ = parse_multipart_form_data(&boundary, &body, &mut args, &mut files);
    }

    #[test]
    fn multipart_round_trip(
        fields in vec(("[a-z]{1,6}", vec(any::<u8>(), 0..40), prop::option::of("[a-zA-Z0-9 ._;-]{1,10}")), 0..8),
    ) {
        let boundary = "----tornado-rs-boundary-7MA4YWxk";
        let mut body = Vec::new();
        for (name, value, filename) in &fields {
            body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            match filename {
                Some(f) => body.extend_from_slice(format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/plain\r\n\r\n"
                ).as_bytes()),
                None => body.extend_from_slice(format!(
                    "Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"
                ).as_bytes()),
            }
            body.extend_from_slice(value);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let body = Bytes::from(body);
        let (mut args, mut files) = (Arguments::new(), Files::new());
        let content_type = format!("multipart/form-data; boundary={boundary}");
        // An explicit configuration: another test changes the process-wide one.
        let config = ParseBodyConfig::default();
        parse_body_arguments_with_config(&content_type, &body, &mut args, &mut files, None, &config)
            .unwrap();
        let mut want_args = Arguments::new();
        let mut want_files: Vec<(String, String, Vec<u8>)> = Vec::new();
        for (name, value, filename) in &fields {
            match filename {
                Some(f) => want_files.push((name.clone(), f.clone(), value.clone())),
                None => want_args.entry(name.clone()).or_default().push(value.clone()),
            }
        }
        prop_assert_eq!(args, want_args);
        let mut got_files: Vec<(String, String, Vec<u8>)> = Vec::new();
        for (name, list) in &files {
            for f in list {
                prop_assert_eq!(f.content_type.as_str(), "text/plain");
                got_files.push((name.clone(), f.filename.clone(), f.body.to_vec()));
            }
        }
        want_files.sort();
        got_files.sort();
        prop_assert_eq!(got_files, want_files);
    }

    #[test]
    fn urls_never_panic(url in tricky_text(), name in tricky_text(), value in vec(any::<u8>(), 0..10)) {
        let _ = url_concat(&url, [(name.as_bytes(), value.as_slice())]);
        let _ = split_host_and_port(&url);
    }

    #[test]
    fn url_concat_appends_encoded_args(path in "/[a-z/]{0,10}", args in vec(("[a-z]{1,4}", "[a-z /&=]{0,6}"), 0..5)) {
        let url = url_concat(&path, args.iter().map(|(k, v)| (k, v))).unwrap();
        let query = url.split_once('?').map_or("", |(_, q)| q);
        let decoded = tornado_httputil::parse_qs_bytes(query, true, false).unwrap();
        for (k, v) in &args {
            prop_assert!(decoded[k.as_str()].contains(&v.as_bytes().to_vec()));
        }
    }

    #[test]
    fn ranges_never_panic(text in tricky_text(), start in any::<Option<i64>>(), end in any::<Option<i64>>(), total in any::<i64>()) {
        let _ = parse_request_range(&text);
        let _ = get_content_range(start, end, total);
    }

    #[test]
    fn range_round_trip(start in 0i64..1_000_000, len in 1i64..1_000_000) {
        let end = start + len - 1;
        let parsed = parse_request_range(&format!("bytes={start}-{end}")).unwrap();
        prop_assert_eq!(parsed, (Some(start), Some(end + 1)));
        let total = end + 10;
        prop_assert_eq!(
            get_content_range(parsed.0, parsed.1, total),
            format!("bytes {start}-{end}/{total}")
        );
    }

    #[test]
    fn timestamps_never_panic(secs in any::<i64>(), float in any::<f64>()) {
        let a = format_timestamp(secs);
        let b = format_timestamp(float);
        prop_assert_eq!(a.len(), 29);
        prop_assert_eq!(b.len(), 29);
        prop_assert!(a.ends_with(" GMT"));
    }
}

/// The header set against a plain model, through every mutating call, with enough
/// names to use the hash index and enough churn to compact.
#[derive(Debug, Clone)]
enum Op {
    Add(usize, String),
    Set(usize, String),
    Remove(usize),
    Continue(String),
}

fn op(names: usize) -> impl Strategy<Value = Op> {
    let value = "[a-z0-9]{0,4}";
    prop_oneof![
        4 => (0..names, value).prop_map(|(n, v)| Op::Add(n, v)),
        2 => (0..names, value).prop_map(|(n, v)| Op::Set(n, v)),
        1 => (0..names).prop_map(Op::Remove),
        1 => "[a-z0-9]{1,4}".prop_map(Op::Continue),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn headers_match_a_model(ops in vec(op(60), 0..400)) {
        let name = |i: usize| if i.is_multiple_of(2) { format!("x-name-{i}") } else { format!("X-NAME-{i}") };
        let mut h = HTTPHeaders::new();
        let mut model: Vec<(String, Vec<String>)> = Vec::new();
        let mut last: Option<String> = None;
        for op in ops {
            match op {
                Op::Add(i, v) => {
                    let key = normalize_header(&name(i)).into_owned();
                    h.add(&name(i), &v).unwrap();
                    match model.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, values)) => values.push(v),
                        None => model.push((key.clone(), vec![v])),
                    }
                    last = Some(key);
                }
                Op::Set(i, v) => {
                    let key = normalize_header(&name(i)).into_owned();
                    h.set(&name(i), &v).unwrap();
                    match model.iter_mut().find(|(k, _)| *k == key) {
                        Some((_, values)) => *values = vec![v],
                        None => model.push((key, vec![v])),
                    }
                }
                Op::Remove(i) => {
                    let key = normalize_header(&name(i)).into_owned();
                    let present = model.iter().any(|(k, _)| *k == key);
                    prop_assert_eq!(h.remove(&name(i)), present);
                    model.retain(|(k, _)| *k != key);
                    if last.as_deref() == Some(key.as_str()) {
                        last = None;
                    }
                }
                Op::Continue(part) => {
                    let result = h.parse_line(&format!(" {part}"));
                    match last.as_ref().and_then(|l| model.iter_mut().find(|(k, _)| k == l)) {
                        Some((_, values)) => {
                            prop_assert!(result.is_ok());
                            if let Some(v) = values.last_mut() {
                                v.push(' ');
                                v.push_str(&part);
                            }
                        }
                        None => prop_assert!(result.is_err()),
                    }
                }
            }
            prop_assert_eq!(h.len(), model.len());
        }
        let all: Vec<(String, String)> = h.get_all().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        let want: Vec<(String, String)> = model
            .iter()
            .flat_map(|(k, vs)| vs.iter().map(move |v| (k.clone(), v.clone())))
            .collect();
        prop_assert_eq!(all, want);
        for (k, vs) in &model {
            let joined = vs.join(",");
            prop_assert_eq!(h.get(&k.to_lowercase()), Some(joined.as_str()));
            prop_assert_eq!(h.get_list(k).collect::<Vec<_>>(), vs.iter().map(String::as_str).collect::<Vec<_>>());
        }
    }
}

#[test]
fn global_body_config_is_used() {
    // The process-wide default applies to parse_multipart_form_data.
    let original = tornado_httputil::parse_body_config();
    let mut config = ParseBodyConfig::default();
    config.multipart.max_parts = 1;
    tornado_httputil::set_parse_body_config(config);
    let body = Bytes::from_static(
        b"--b\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n--b\r\nContent-Disposition: form-data; name=a\r\n\r\n2\r\n--b--",
    );
    let (mut args, mut files) = (Arguments::new(), Files::new());
    let result = parse_multipart_form_data(b"b", &body, &mut args, &mut files);
    tornado_httputil::set_parse_body_config(original);
    assert_eq!(
        result.unwrap_err().message(),
        "multipart/form-data has too many parts"
    );
}

//! Target `response_head`: `plan_response` and `encode_response_head` on an arbitrary
//! status, reason and headers.

use http::{HeaderMap, HeaderName, HeaderValue, Method};
use tornado_http1::framing::{self, RequestFacts, ResponsePlan};
use tornado_httputil::{HTTPHeaders, HTTPVersion, is_valid_header_value};

use super::input::Input;

/// A field's bytes as text: UTF-8 if they are (so characters beyond ISO-8859-1 occur),
/// else each byte as the ISO-8859-1 character.
fn text(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(_) => bytes.iter().map(|&b| char::from(b)).collect(),
    }
}

/// A length-prefixed field: one byte of length, then that many bytes.
fn field<'a>(input: &mut Input<'a>) -> &'a [u8] {
    let len = usize::from(input.byte());
    input.take(len)
}

/// The headers an input describes, built one of four ways (`mode`): `add` (strict),
/// `set` (relaxed), parsed from the rest of the input as a header block, or through an
/// `http::HeaderMap`. Headers the builder refuses are left out.
fn build_headers(mode: u8, mut input: Input<'_>) -> HTTPHeaders {
    let mut headers = HTTPHeaders::new();
    match mode {
        2 => return HTTPHeaders::parse_bytes(input.rest()).unwrap_or_default(),
        3 => {
            let mut map = HeaderMap::new();
            while let (Some(name), Some(value)) = (
                Some(field(&mut input)).filter(|n| !n.is_empty()),
                Some(field(&mut input)),
            ) {
                if let (Ok(name), Ok(value)) =
                    (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
                {
                    map.append(name, value);
                }
            }
            return HTTPHeaders::from_header_map(&map);
        }
        _ => {}
    }
    loop {
        let name = field(&mut input);
        if name.is_empty() {
            return headers;
        }
        let (name, value) = (text(name), text(field(&mut input)));
        let _ = if mode == 0 {
            headers.add(&name, &value)
        } else {
            headers.set(&name, &value)
        };
    }
}

/// The request a response answers, from a flags byte.
fn request(flags: u8) -> RequestFacts {
    const METHODS: [Method; 4] = [Method::GET, Method::HEAD, Method::POST, Method::OPTIONS];
    RequestFacts {
        version: if flags & 3 == 1 {
            HTTPVersion::HTTP_10
        } else {
            HTTPVersion::HTTP_11
        },
        method: METHODS[usize::from((flags >> 2) & 3)].clone(),
        asked_keep_alive: flags & 0x10 != 0,
        disconnect_on_finish: flags & 0x20 != 0,
    }
}

/// Input: the status code (two bytes, little-endian), a flags byte (bits 0–1 the
/// request's version, 2–3 its method, 4 it asked for keep-alive, 5 the connection closes
/// after it, 6–7 how headers are built), the reason (a length-prefixed field), then the
/// headers (length-prefixed name and value fields, or a raw header block). Checks:
///
/// - the plan follows Tornado's rules (chunked only for HTTP/1.1 bodies without
///   `Content-Length`; nothing to write for HEAD and 304; `Connection` as the request
///   and the server decide);
/// - an encoded head is `HTTP/1.1 <code> <reason>\r\n`, header lines, and a blank line,
///   with CR and LF nowhere but in those line ends, every header line `token: value`;
/// - it reads back as the given headers with `plan`'s overrides; and a refused head
///   (CR or LF, or a character beyond ISO-8859-1) leaves the output untouched.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let code = u16::from_le_bytes([input.byte(), input.byte()]);
    let flags = input.byte();
    let reason = text(field(&mut input));
    let headers = build_headers(flags >> 6, input);
    let request = request(flags);

    let plan = match framing::plan_response(&request, code, &headers) {
        Ok(plan) => plan,
        Err(e) => {
            // Only a Content-Length that is no integer is refused.
            let length = headers.get("Content-Length");
            assert!(
                length.is_some_and(|l| framing::parse_int(l).is_none()),
                "refused: {e}"
            );
            return;
        }
    };
    check_plan(&request, code, &headers, &plan);

    let prefix = b"previous answer".to_vec();
    let mut out = prefix.clone();
    let encoded = framing::encode_response_head(&mut out, code, &reason, &headers, &plan);
    let latin1 = |s: &str| s.chars().all(|c| u32::from(c) <= 0xff);
    let encodable = !reason.contains(['\r', '\n'])
        && latin1(&reason)
        && expected_lines(&headers, &plan)
            .iter()
            .all(|(_, v)| latin1(v));
    if let Err(e) = encoded {
        assert!(!encodable, "refused a head it could write: {e}");
        assert_eq!(out, prefix, "a refused head left bytes behind");
        return;
    }
    assert!(encodable, "wrote a head with reason {reason:?}");
    assert!(out.starts_with(&prefix));
    check_head(&out[prefix.len()..], code, &reason, &headers, &plan);
}

fn check_plan(request: &RequestFacts, code: u16, headers: &HTTPHeaders, plan: &ResponsePlan) {
    let http11 = request.version == HTTPVersion::HTTP_11;
    let head = request.method == Method::HEAD;
    let has_length = headers.contains("Content-Length");
    let bodiless = head || code == 204 || code == 304 || (100..200).contains(&code);
    assert_eq!(plan.chunked, http11 && !bodiless && !has_length);
    if head || code == 304 {
        assert_eq!(plan.expected, Some(0));
    } else if has_length {
        assert_eq!(
            plan.expected,
            headers.get("Content-Length").and_then(framing::parse_int)
        );
    } else {
        assert_eq!(plan.expected, None);
    }
    let expected_connection = if http11 && request.disconnect_on_finish {
        Some("close")
    } else if !http11 && request.asked_keep_alive {
        Some("Keep-Alive")
    } else {
        None
    };
    assert_eq!(plan.connection, expected_connection);
}

/// The header lines `encode_response_head` should have written.
fn expected_lines(headers: &HTTPHeaders, plan: &ResponsePlan) -> Vec<(String, String)> {
    let mut overrides = Vec::new();
    if let Some(connection) = plan.connection {
        overrides.push(("Connection", connection));
    }
    if plan.chunked {
        overrides.push(("Transfer-Encoding", "chunked"));
    }
    let mut lines = Vec::new();
    for name in headers.keys() {
        match overrides.iter().find(|(o, _)| o.eq_ignore_ascii_case(name)) {
            Some((_, value)) => lines.push((name.to_owned(), (*value).to_owned())),
            None => {
                for value in headers.get_list(name) {
                    lines.push((name.to_owned(), value.to_owned()));
                }
            }
        }
    }
    for (name, value) in overrides {
        if !headers.contains(name) {
            lines.push((name.to_owned(), value.to_owned()));
        }
    }
    lines
}

fn check_head(head: &[u8], code: u16, reason: &str, headers: &HTTPHeaders, plan: &ResponsePlan) {
    assert!(head.ends_with(b"\r\n\r\n"), "{head:?}");
    for (i, &b) in head.iter().enumerate() {
        if b == b'\r' {
            assert_eq!(head.get(i + 1), Some(&b'\n'), "a bare CR in {head:?}");
        }
        if b == b'\n' {
            assert!(i > 0 && head[i - 1] == b'\r', "a bare LF in {head:?}");
        }
    }
    let body = &head[..head.len() - 4];
    let mut lines = body
        .split(|&b| b == b'\n')
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l));
    let status = lines.next().unwrap_or_default();
    let mut want = format!("HTTP/1.1 {code} ").into_bytes();
    want.extend(reason.chars().map(|c| c as u8));
    assert_eq!(status, &want[..]);
    let written: Vec<(String, String)> = lines
        .map(|line| {
            let colon = line.iter().position(|&b| b == b':').unwrap_or(line.len());
            assert!(line.get(colon..colon + 2) == Some(b": "), "{line:?}");
            let (name, value) = (&line[..colon], &line[colon + 2..]);
            let name = std::str::from_utf8(name).unwrap_or_default();
            assert!(tornado_httputil::is_valid_header_name(name), "{name:?}");
            (
                name.to_owned(),
                value.iter().map(|&b| char::from(b)).collect(),
            )
        })
        .collect();
    let expected = expected_lines(headers, plan);
    assert_eq!(written, expected, "the header lines differ");
    // What a client parses back, when every value is one a parser accepts.
    if expected.iter().all(|(_, v)| is_valid_header_value(v)) {
        let block = &head[status.len() + 2..];
        let parsed = HTTPHeaders::parse_bytes(block).expect("the written headers parse");
        let trim = |v: &str| v.trim_matches([' ', '\t']).to_owned();
        let parsed: Vec<(String, String)> = parsed
            .get_all()
            .map(|(n, v)| (n.to_ascii_lowercase(), trim(v)))
            .collect();
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, v)| (n.to_ascii_lowercase(), trim(v)))
            .collect();
        assert_eq!(sorted_by_name(parsed), sorted_by_name(expected));
    }
}

/// Lines grouped by name (stable, so each name's values keep their order): a parser
/// groups repeated names, the writer keeps them where they are.
fn sorted_by_name(mut lines: Vec<(String, String)>) -> Vec<(String, String)> {
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    lines
}

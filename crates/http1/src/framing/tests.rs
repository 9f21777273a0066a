use super::*;

fn headers(text: &str) -> HTTPHeaders {
    HTTPHeaders::parse(text).unwrap()
}

#[test]
fn head_end_is_the_first_blank_line_of_any_style() {
    assert_eq!(
        find_head_end(b"GET / HTTP/1.1\r\nHost: a\r\n\r\nrest", 0),
        Some(27)
    );
    assert_eq!(
        find_head_end(b"GET / HTTP/1.1\nHost: a\n\nrest", 0),
        Some(24)
    );
    assert_eq!(find_head_end(b"a\r\n\nb", 0), Some(4));
    assert_eq!(find_head_end(b"a\n\r\nb", 0), Some(4));
    assert_eq!(find_head_end(b"a\r\n\r", 0), None);
    assert_eq!(find_head_end(b"a\r\nb\r\n", 0), None);
    // A stray blank line at the very start ends an (empty) head at once, as Tornado's
    // regex does.
    assert_eq!(find_head_end(b"\r\n\r\nGET", 0), Some(4));
    // One stray CRLF before a request does not.
    assert_eq!(find_head_end(b"\r\nGET / HTTP/1.1\r\n\r\n", 0), Some(20));
}

#[test]
fn head_end_search_resumes_without_missing_a_straddling_match() {
    let data = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n";
    for split in 0..data.len() {
        let first = find_head_end(&data[..split], 0);
        let resumed = first.or_else(|| find_head_end(data, split));
        assert_eq!(resumed, Some(data.len()), "split at {split}");
    }
}

#[test]
fn request_heads_parse_as_tornado_reads_them() {
    let (start, h) =
        parse_request_head(b"\r\nPOST /p?q=1 HTTP/1.0\r\nHost: x\r\nContent-Length: 3\r\n\r\n")
            .unwrap();
    assert_eq!(start.method, Method::POST);
    assert_eq!(start.path, "/p?q=1");
    assert_eq!(start.version, HTTPVersion::HTTP_10);
    assert_eq!(h.get("content-length"), Some("3"));
    // Bare LF line ends.
    let (start, h) = parse_request_head(b"GET / HTTP/1.1\nHost: y\n\n").unwrap();
    assert_eq!(start.path, "/");
    assert_eq!(h.get("Host"), Some("y"));
    // An empty start line (a request starting with a blank line) is malformed.
    let err = parse_request_head(b"\r\n\r\n").unwrap_err();
    assert_eq!(err.to_string(), "Malformed HTTP request line");
    assert!(parse_request_head(b"GET /a\x01 HTTP/1.1\r\n\r\n").is_err());
    assert_eq!(
        parse_request_head(b"GET / HTTP/2.0\r\n\r\n")
            .unwrap_err()
            .to_string(),
        "Unexpected HTTP version 'HTTP/2.0'"
    );
    assert_eq!(
        parse_request_head(b"GET / HTTP/1.1\r\nNo colon\r\n\r\n")
            .unwrap_err()
            .to_string(),
        "no colon in header line"
    );
}

fn framing(text: &str) -> Result<BodyFraming, FramingError> {
    request_framing(&mut headers(text), 1000)
}

fn malformed(text: &str) -> String {
    match framing(text) {
        Err(FramingError::Malformed(e)) => e.to_string(),
        other => panic!("{text:?}: expected a malformed framing, got {other:?}"),
    }
}

#[test]
fn content_length_must_be_digits_only() {
    assert_eq!(
        framing("Content-Length: 10\r\n"),
        Ok(BodyFraming::Length(10))
    );
    assert_eq!(framing("Content-Length: 0\r\n"), Ok(BodyFraming::Empty));
    assert_eq!(framing(""), Ok(BodyFraming::Empty));
    for bad in ["+10", "1_0", "0x10", "foo", "-1", "1.0", "\u{b2}"] {
        assert_eq!(
            malformed(&format!("Content-Length: {bad}\r\n")),
            format!("Only integer Content-Length is allowed: {bad}")
        );
    }
    // Surrounding whitespace is not part of the value (header parsing strips SP/HTAB).
    assert_eq!(
        framing("Content-Length:  10 \r\n"),
        Ok(BodyFraming::Length(10))
    );
}

#[test]
fn repeated_content_lengths_must_agree() {
    let mut h = headers("Content-Length: 2\r\nContent-Length: 2\r\n");
    assert_eq!(request_framing(&mut h, 1000), Ok(BodyFraming::Length(2)));
    assert_eq!(h.get("Content-Length"), Some("2"));
    assert_eq!(
        framing("Content-Length: 2, 2\r\n"),
        Ok(BodyFraming::Length(2))
    );
    assert_eq!(
        malformed("Content-Length: 2, 3\r\n"),
        "Multiple unequal Content-Lengths: '2, 3'"
    );
    assert_eq!(
        malformed("Content-Length: 2\r\nContent-Length: 3\r\n"),
        "Multiple unequal Content-Lengths: '2,3'"
    );
}

#[test]
fn declared_lengths_beyond_the_limit_are_too_large() {
    match framing("Content-Length: 1001\r\n") {
        Err(FramingError::TooLarge(e)) => assert_eq!(e.to_string(), "Content-Length too long"),
        other => panic!("{other:?}"),
    }
    match framing("Content-Length: 99999999999999999999999999\r\n") {
        Err(FramingError::TooLarge(_)) => {}
        other => panic!("{other:?}"),
    }
}

#[test]
fn transfer_encoding_must_be_exactly_chunked() {
    assert_eq!(
        framing("Transfer-Encoding: chunked\r\n"),
        Ok(BodyFraming::Chunked)
    );
    assert_eq!(
        framing("Transfer-Encoding: Chunked\r\n"),
        Ok(BodyFraming::Chunked)
    );
    for bad in [
        "gzip, chunked",
        "identity",
        "xchunked",
        "chunked, chunked",
        "\u{a0}chunked",
    ] {
        assert_eq!(
            malformed(&format!("Transfer-Encoding: {bad}\r\n")),
            format!("Unsupported Transfer-Encoding {bad}")
        );
    }
    assert_eq!(
        malformed("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
        "Unsupported Transfer-Encoding chunked,chunked"
    );
    assert_eq!(
        malformed("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n"),
        "Message with both Transfer-Encoding and Content-Length"
    );
    // Content-Length errors come first, as in Tornado.
    assert_eq!(
        malformed("Transfer-Encoding: chunked\r\nContent-Length: x\r\n"),
        "Only integer Content-Length is allowed: x"
    );
}

fn start(line: &str) -> RequestStartLine {
    tornado_httputil::parse_request_start_line(line).unwrap()
}

#[test]
fn keep_alive_follows_tornado() {
    let get11 = start("GET / HTTP/1.1");
    let get10 = start("GET / HTTP/1.0");
    let post10 = start("POST / HTTP/1.0");
    assert!(can_keep_alive(&get11, &headers(""), false));
    assert!(!can_keep_alive(&get11, &headers(""), true));
    assert!(!can_keep_alive(
        &get11,
        &headers("Connection: Close\r\n"),
        false
    ));
    assert!(!can_keep_alive(&get10, &headers(""), false));
    assert!(can_keep_alive(
        &get10,
        &headers("Connection: Keep-Alive\r\n"),
        false
    ));
    assert!(!can_keep_alive(
        &post10,
        &headers("Connection: keep-alive\r\n"),
        false
    ));
    assert!(can_keep_alive(
        &post10,
        &headers("Connection: keep-alive\r\nContent-Length: 1\r\n"),
        false
    ));
    assert!(!can_keep_alive(
        &start("GET / HTTP/1.2"),
        &headers(""),
        false
    ));
}

/// Found by the `request_head` fuzz target: HTTP/1.2 to 1.9 parse (as in Tornado) and
/// follow the HTTP/1.0 rule, so a framed request asking for keep-alive keeps the
/// connection (Python Tornado 6.5.2 leaves `GET / HTTP/1.5` with `Connection:
/// keep-alive` open, and closes after a `POST` without a length).
#[test]
fn keep_alive_of_other_minor_versions_follows_http10() {
    let get15 = start("GET / HTTP/1.5");
    let post19 = start("POST / HTTP/1.9");
    let ask = headers("Connection: keep-alive\r\n");
    assert!(can_keep_alive(&get15, &ask, false));
    assert!(!can_keep_alive(&get15, &ask, true));
    assert!(!can_keep_alive(&get15, &headers(""), false));
    assert!(!can_keep_alive(&post19, &ask, false));
    assert!(can_keep_alive(
        &post19,
        &headers("Connection: keep-alive\r\nContent-Length: 0\r\n"),
        false
    ));
}

fn facts(line: &str, h: &str, disconnect: bool) -> RequestFacts {
    RequestFacts::new(&start(line), &headers(h), disconnect)
}

fn encoded(request: &RequestFacts, code: u16, reason: &str, h: &str) -> Result<String, Error> {
    let h = headers(h);
    let plan = plan_response(request, code, &h)?;
    let mut out = Vec::new();
    encode_response_head(&mut out, code, reason, &h, &plan)?;
    Ok(String::from_utf8(out).unwrap())
}

#[test]
fn responses_are_chunked_only_when_they_must_be() {
    let get11 = facts("GET / HTTP/1.1", "", false);
    assert_eq!(
        encoded(&get11, 200, "OK", "Content-Type: text/plain\r\n").unwrap(),
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
    assert_eq!(
        encoded(&get11, 200, "OK", "Content-Length: 5\r\n").unwrap(),
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"
    );
    for code in [204, 304, 101, 199] {
        let plan = plan_response(&get11, code, &headers("")).unwrap();
        assert!(!plan.chunked, "{code}");
    }
    let head = facts("HEAD / HTTP/1.1", "", false);
    let plan = plan_response(&head, 200, &headers("")).unwrap();
    assert_eq!((plan.chunked, plan.expected), (false, Some(0)));
    let plan = plan_response(&get11, 304, &headers("Content-Length: 10\r\n")).unwrap();
    assert_eq!(plan.expected, Some(0));
    // HTTP/1.0 is never chunked: the body ends with the connection.
    let get10 = facts("GET / HTTP/1.0", "", true);
    assert_eq!(
        encoded(&get10, 200, "OK", "").unwrap(),
        "HTTP/1.1 200 OK\r\n\r\n"
    );
}

#[test]
fn connection_header_is_set_where_tornado_sets_it() {
    let closing = facts("GET / HTTP/1.1", "Connection: close", true);
    assert_eq!(
        encoded(
            &closing,
            200,
            "OK",
            "Content-Length: 0\r\nConnection: keep-alive\r\nX: y\r\n"
        )
        .unwrap(),
        "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\nX: y\r\n\r\n"
    );
    let keep10 = facts("GET / HTTP/1.0", "Connection: keep-alive", false);
    assert_eq!(
        encoded(&keep10, 200, "OK", "Content-Length: 2\r\n").unwrap(),
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: Keep-Alive\r\n\r\n"
    );
    // Repeated names collapse to the one value, where the name first stood.
    let closing = facts("GET / HTTP/1.1", "", true);
    assert_eq!(
        encoded(
            &closing,
            200,
            "OK",
            "Connection: a\r\nX: 1\r\nConnection: b\r\n"
        )
        .unwrap(),
        "HTTP/1.1 200 OK\r\nConnection: close\r\nX: 1\r\nTransfer-Encoding: chunked\r\n\r\n"
    );
}

#[test]
fn outgoing_content_length_must_be_an_integer() {
    let get11 = facts("GET / HTTP/1.1", "", false);
    for bad in ["foo", "+10", "1_0"] {
        let err = encoded(&get11, 200, "OK", &format!("Content-Length: {bad}\r\n")).unwrap_err();
        assert!(err.is_output(), "{bad}");
    }
}

#[test]
fn status_lines_and_latin1_values() {
    let get11 = facts("GET / HTTP/1.1", "", false);
    let h = headers("Content-Length: 0\r\n");
    let plan = plan_response(&get11, 599, &h).unwrap();
    let mut out = Vec::new();
    encode_response_head(&mut out, 599, "", &h, &plan).unwrap();
    assert!(out.starts_with(b"HTTP/1.1 599 \r\n"));
    let mut h = HTTPHeaders::new();
    h.add("X-Name", "caf\u{e9}").unwrap();
    h.add("Content-Length", "0").unwrap();
    let mut out = Vec::new();
    encode_response_head(
        &mut out,
        200,
        "OK",
        &h,
        &plan_response(&get11, 200, &h).unwrap(),
    )
    .unwrap();
    assert!(out.windows(11).any(|w| w == b"X-Name: caf"));
    assert!(out.contains(&0xe9));
    // A reason beyond ISO-8859-1, or with CR/LF, is refused and leaves nothing behind
    // (header values cannot be: HTTPHeaders refuses them).
    let mut out = b"kept".to_vec();
    let h = HTTPHeaders::new();
    let plan = plan_response(&get11, 200, &h).unwrap();
    assert!(encode_response_head(&mut out, 200, "OK\r\nX: 1", &h, &plan).is_err());
    assert!(encode_response_head(&mut out, 200, "\u{263a}", &h, &plan).is_err());
    assert_eq!(out, b"kept");
}

#[test]
fn chunks_encode_in_lowercase_hex() {
    let mut out = Vec::new();
    encode_chunk(&mut out, b"");
    assert!(out.is_empty());
    encode_chunk(&mut out, &[b'x'; 26]);
    assert!(out.starts_with(b"1a\r\n"));
    assert!(out.ends_with(b"x\r\n"));
    let mut out = Vec::new();
    encode_chunk_header(&mut out, 0x10000);
    assert_eq!(out, b"10000\r\n");
}

/// Decodes `input` fed in pieces of `step` bytes, as a stream would deliver it.
fn decode_all(
    input: &[u8],
    step: usize,
    max_piece: usize,
    max_body: u64,
) -> Result<Vec<u8>, ChunkError> {
    let mut decoder = ChunkedDecoder::new(max_body);
    let mut buffer = Vec::new();
    let mut body = Vec::new();
    let mut fed = 0;
    loop {
        match decoder.decode(&buffer, max_piece)? {
            Some((used, event)) => {
                if let Chunk::Data(s, e) = event {
                    assert!(e - s <= max_piece.max(1));
                    body.extend_from_slice(&buffer[s..e]);
                }
                buffer.drain(..used);
                if event == Chunk::End {
                    assert!(decoder.is_done());
                    return Ok(body);
                }
            }
            None => {
                if fed == input.len() {
                    panic!("input ended before the body");
                }
                let next = (fed + step).min(input.len());
                buffer.extend_from_slice(&input[fed..next]);
                fed = next;
            }
        }
    }
}

#[test]
fn chunked_bodies_decode_whatever_the_packet_boundaries() {
    let input = b"4\r\nfoo=\r\n3\r\nbar\r\n0\r\n\r\n";
    for step in 1..=input.len() {
        assert_eq!(
            decode_all(input, step, 64, 1000).unwrap(),
            b"foo=bar",
            "step {step}"
        );
    }
    // Pieces are bounded by max_piece.
    assert_eq!(
        decode_all(b"14\r\n01234567890123456789\r\n0\r\n\r\n", 100, 16, 1000).unwrap(),
        b"01234567890123456789"
    );
    assert_eq!(
        decode_all(b"A\r\n0123456789\r\n0\r\n\r\n", 3, 64, 1000).unwrap(),
        b"0123456789"
    );
}

fn decode_error(input: &[u8], max_body: u64) -> ChunkError {
    let mut decoder = ChunkedDecoder::new(max_body);
    let mut offset = 0;
    loop {
        match decoder.decode(&input[offset..], 1 << 20) {
            Err(e) => return e,
            Ok(Some((used, Chunk::End))) => panic!("{input:?} decoded (used {used})"),
            Ok(Some((used, _))) => offset += used,
            Ok(None) => panic!("{input:?} wants more input"),
        }
    }
}

#[test]
fn malformed_chunked_bodies_are_refused() {
    for bad in [
        &b"1_a\r\n"[..],
        b"0x1f\r\n",
        b"+1\r\n",
        b" 1\r\n",
        b"1;ext=x\r\n",
        b"\r\n",
        b"g\r\n",
    ] {
        match decode_error(bad, 1000) {
            ChunkError::Malformed(e) => assert_eq!(e.to_string(), "invalid chunk size"),
            other => panic!("{bad:?}: {other:?}"),
        }
    }
    match decode_error(b"3\r\nabcXY", 1000) {
        ChunkError::Malformed(e) => assert_eq!(e.to_string(), "improperly terminated chunk"),
        other => panic!("{other:?}"),
    }
    match decode_error(b"0\r\nTrailer: x\r\n\r\n", 1000) {
        ChunkError::Malformed(e) => {
            assert_eq!(e.to_string(), "improperly terminated chunked request")
        }
        other => panic!("{other:?}"),
    }
    match decode_error(b"400\r\n", 1000) {
        ChunkError::TooLarge(e) => assert_eq!(e.to_string(), "chunked body too large"),
        other => panic!("{other:?}"),
    }
    // 2^64 and beyond: too large, never an overflow.
    assert!(matches!(
        decode_error(b"10000000000000000\r\n", u64::MAX),
        ChunkError::TooLarge(_)
    ));
    assert!(matches!(
        decode_error(b"8000000000000000\r\n", u64::MAX),
        ChunkError::TooLarge(_)
    ));
    let mut decoder = ChunkedDecoder::new(u64::MAX);
    assert_eq!(
        decoder.decode(b"7fffffffffffffff\r\n", 16),
        Ok(Some((18, Chunk::Progress)))
    );
    // A size line longer than 64 bytes.
    let long = format!("{}1\r\n", "0".repeat(70));
    assert_eq!(decode_error(long.as_bytes(), 1000), ChunkError::LineTooLong);
    let exactly = format!("{}1\r\nx\r\n0\r\n\r\n", "0".repeat(61));
    assert_eq!(decode_all(exactly.as_bytes(), 7, 64, 1000).unwrap(), b"x");
}

#[test]
fn integers_parse_strictly() {
    assert_eq!(parse_int("0"), Some(0));
    assert_eq!(parse_int("007"), Some(7));
    assert_eq!(parse_int(""), None);
    assert_eq!(parse_int(" 1"), None);
    assert_eq!(parse_int("99999999999999999999"), Some(u64::MAX));
    assert_eq!(parse_int("99999999999999999999x"), None);
    assert_eq!(parse_int("18446744073709551615"), Some(u64::MAX));
    assert_eq!(parse_int("18446744073709551614"), Some(u64::MAX - 1));
    assert_eq!(parse_hex_int(b"fF"), Some(255));
    assert_eq!(parse_hex_int(b"x"), None);
    assert_eq!(parse_hex_int(b"1ffffffffffffffff"), Some(u64::MAX));
}

#[test]
fn python_reprs() {
    assert_eq!(py_repr("2, 3"), "'2, 3'");
    assert_eq!(py_repr("it's"), "\"it's\"");
    assert_eq!(py_repr("a\u{a0}b"), "'a\\xa0b'");
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The word-at-a-time search finds what a plain search for LF, then LF or
        /// CRLF, finds, from any starting point.
        #[test]
        fn head_end_matches_a_plain_search(
            data in proptest::collection::vec(prop_oneof![Just(b'\r'), Just(b'\n'), Just(b'a'), Just(0x8a_u8)], 0..80),
            from in 0usize..90,
        ) {
            let from = from.min(data.len());
            let plain = (from.saturating_sub(3)..data.len()).find_map(|lf| {
                match (data[lf], data.get(lf + 1), data.get(lf + 2)) {
                    (b'\n', Some(b'\n'), _) => Some(lf + 2),
                    (b'\n', Some(b'\r'), Some(b'\n')) => Some(lf + 3),
                    _ => None,
                }
            });
            prop_assert_eq!(find_head_end(&data, from), plain);
        }

        #[test]
        fn head_parsing_never_panics(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = find_head_end(&data, 0);
            let _ = parse_request_head(&data);
        }

        #[test]
        fn chunked_decoding_never_panics(data in proptest::collection::vec(any::<u8>(), 0..256), step in 1usize..16) {
            let mut decoder = ChunkedDecoder::new(1 << 20);
            let mut buffer: Vec<u8> = Vec::new();
            let mut fed = 0;
            for _ in 0..10_000 {
                match decoder.decode(&buffer, 7) {
                    Ok(Some((used, Chunk::End))) => { buffer.drain(..used); break; }
                    Ok(Some((used, _))) => { prop_assert!(used <= buffer.len()); buffer.drain(..used); }
                    Ok(None) if fed < data.len() => {
                        let next = (fed + step).min(data.len());
                        buffer.extend_from_slice(&data[fed..next]);
                        fed = next;
                    }
                    Ok(None) | Err(_) => break,
                }
            }
        }

        #[test]
        fn chunked_round_trip(pieces in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..100), 0..8), step in 1usize..32) {
            let mut wire = Vec::new();
            let mut body = Vec::new();
            for p in &pieces {
                encode_chunk(&mut wire, p);
                body.extend_from_slice(p);
            }
            wire.extend_from_slice(LAST_CHUNK);
            prop_assert_eq!(decode_all(&wire, step, 13, 1 << 20).unwrap(), body);
        }
    }
}

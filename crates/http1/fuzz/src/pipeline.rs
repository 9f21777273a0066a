//! Target `pipeline`: a connection's bytes, many requests in a row, through the
//! sans-io model of the server loop ([`super::model`]).

use tornado_http1::framing::BodyFraming;
use tornado_httputil::HTTPVersion;

use super::input::{BYTEWISE_LIMIT, Input, bytewise, pieces};
use super::model::{Limits, Transcript, Verdict, run_connection};

/// The limits a fuzz input chooses from (its config byte).
pub fn limits(config: u8) -> Limits {
    const HEADER: [usize; 4] = [64 * 1024, 64, 200, 1];
    const BODY: [u64; 4] = [100 * 1024 * 1024, 10, 0, 1000];
    const CHUNK: [usize; 2] = [64 * 1024, 3];
    Limits {
        max_header_size: HEADER[usize::from(config & 3)],
        max_body_size: BODY[usize::from((config >> 2) & 3)],
        chunk_size: CHUNK[usize::from((config >> 4) & 1)],
        no_keep_alive: config & 0x20 != 0,
    }
}

/// Input: cut points ([`Input::cuts`]), a config byte ([`limits`]), then the bytes a
/// client sent on one connection. Checks:
///
/// - no request smuggling: the requests seen (start line, headers, body, whether
///   complete), how the connection ends, and how many bytes were used are the same
///   whether the bytes arrive at once, at the cuts, a byte at a time, or with each
///   request's bytes arriving separately;
/// - every request seen was framed one way, and a complete one has the body its
///   `Content-Length` declared, within `max_body_size`;
/// - only the last request may be incomplete, and only the last may close the
///   connection; requests other than HTTP/1.0 carry exactly one `Host`.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let cuts = input.cuts();
    let limits = limits(input.byte());
    let stream = input.rest();

    let whole = run_connection(limits, &[stream]);
    check_transcript(&whole, stream, &limits);
    let split = run_connection(limits, &pieces(stream, &cuts));
    assert_eq!(split, whole, "cut at {cuts:?}");
    if stream.len() <= BYTEWISE_LIMIT {
        let bytes = run_connection(limits, &bytewise(stream));
        assert_eq!(bytes, whole, "a byte at a time");
    }
    // Cut just before, at and just after where each request ends.
    let near: Vec<usize> = whole
        .requests
        .iter()
        .filter_map(|r| r.end)
        .flat_map(|end| [end.saturating_sub(1), end, end + 1])
        .collect();
    if !near.is_empty() {
        let bounded = run_connection(limits, &pieces(stream, &near));
        assert_eq!(
            bounded, whole,
            "cut at {near:?}, near where the requests end"
        );
    }
}

fn check_transcript(t: &Transcript, stream: &[u8], limits: &Limits) {
    assert!(t.consumed <= stream.len());
    let last = t.requests.len().saturating_sub(1);
    for (i, seen) in t.requests.iter().enumerate() {
        assert_eq!(seen.complete, seen.end.is_some());
        if i < last {
            assert!(
                seen.complete,
                "request {i} of {} incomplete",
                t.requests.len()
            );
            assert!(seen.keep_alive, "request {i} closed, yet another followed");
        }
        let hosts = seen
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Host"))
            .count();
        if !seen.start_line.ends_with(&HTTPVersion::HTTP_10.to_string()) {
            assert_eq!(hosts, 1, "{seen:?}");
        }
        let lengths = seen
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Content-Length"))
            .count();
        let encodings = seen
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case("Transfer-Encoding"))
            .count();
        assert!(lengths <= 1 && encodings <= 1 && lengths + encodings <= 1);
        assert!(seen.body.len() as u64 <= limits.max_body_size);
        match seen.framing {
            BodyFraming::Empty => assert!(seen.body.is_empty()),
            BodyFraming::Length(n) if seen.complete => assert_eq!(seen.body.len() as u64, n),
            BodyFraming::Length(n) => assert!((seen.body.len() as u64) < n),
            BodyFraming::Chunked => assert!(encodings == 1),
        }
        if limits.no_keep_alive {
            assert!(!seen.keep_alive);
        }
    }
    match t.verdict {
        Verdict::Idle => assert_eq!(t.consumed, stream.len()),
        Verdict::Closed => assert!(t.requests.last().is_some_and(|r| !r.keep_alive)),
        Verdict::MidBody => assert!(t.requests.last().is_some_and(|r| !r.complete)),
        _ => {}
    }
    if t.requests.last().is_some_and(|r| !r.complete) {
        assert!(matches!(
            t.verdict,
            Verdict::MidBody
                | Verdict::BadRequest(_)
                | Verdict::TooLarge(_)
                | Verdict::ChunkLineTooLong
        ));
    }
}

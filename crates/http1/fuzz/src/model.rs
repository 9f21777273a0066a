//! A sans-io model of what `HTTP1ServerConnection` does with the bytes of one
//! connection, built from the same public `framing` functions in the same order.
//!
//! The serving loop itself needs an `IOStream`; this model is the smallest surface that
//! runs without one. It mirrors `server.rs`: the head parser given to `read_with`
//! (`find_head_end` resumed where the last search stopped, the `max_header_size` checks
//! of the parser and of the read), `prepare` (`validate_host`, `body_framing`,
//! `keep_alive`), the 413 check against `max_body_size`, the body read by
//! `Content-Length` in pieces of at most `chunk_size`, or through `ChunkedDecoder`.
//! `tests/fuzz_corpus.rs` checks the model against the real server on the seed corpus.

use tornado_http1::framing::{
    self, BodyFraming, Chunk, ChunkError, ChunkedDecoder, FramingError, HeadFacts,
};
use tornado_httputil::{Error, HTTPHeaders, RequestStartLine, validate_host};

/// The limits of a connection (the fields of `HTTP1ConnectionParameters` that framing
/// depends on).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `max_header_size`.
    pub max_header_size: usize,
    /// `max_body_size`.
    pub max_body_size: u64,
    /// `chunk_size`: the largest body piece handed on at once.
    pub chunk_size: usize,
    /// `no_keep_alive`.
    pub no_keep_alive: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_header_size: 64 * 1024,
            max_body_size: 100 * 1024 * 1024,
            chunk_size: 64 * 1024,
            no_keep_alive: false,
        }
    }
}

/// What the server makes of the bytes buffered for a head.
#[derive(Debug)]
pub enum HeadRead {
    /// No head end yet, and no more than `max_header_size` bytes: read more.
    NeedMore,
    /// The head does not end within `max_header_size`: close without an answer.
    TooLong,
    /// A malformed head: answer 400.
    Malformed(Error),
    /// A head of `end` bytes.
    Parsed {
        /// Where the head ends.
        end: usize,
        /// Its start line.
        start_line: RequestStartLine,
        /// Its headers.
        headers: HTTPHeaders,
    },
}

/// Reads one request head as the server's head parser and `read_with` do together: call
/// [`read`](Self::read) with everything buffered each time more arrives.
#[derive(Debug, Clone)]
pub struct HeadReader {
    max: usize,
    searched: usize,
}

impl HeadReader {
    /// A reader for heads of at most `max` bytes.
    pub fn new(max: usize) -> Self {
        HeadReader { max, searched: 0 }
    }

    /// What the buffered `data` (all of it, from the head's first byte) amounts to.
    pub fn read(&mut self, data: &[u8]) -> HeadRead {
        match framing::find_head_end(data, self.searched) {
            Some(end) if end > self.max => HeadRead::TooLong,
            Some(end) => match framing::parse_request_head(&data[..end]) {
                Ok((start_line, headers)) => HeadRead::Parsed {
                    end,
                    start_line,
                    headers,
                },
                Err(e) => HeadRead::Malformed(e),
            },
            None => {
                self.searched = data.len();
                // read_with's own limit, once the parser wants more.
                if data.len() > self.max {
                    HeadRead::TooLong
                } else {
                    HeadRead::NeedMore
                }
            }
        }
    }
}

/// What the server learns from a parsed head it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Prepared {
    /// How the body is delimited (its size not yet checked against the limit).
    pub framing: BodyFraming,
    /// The connection may carry another request after this one.
    pub keep_alive: bool,
}

/// The server's `prepare`: the `Host` rules, the body framing (collapsing equal repeated
/// `Content-Length` values in `headers`) and keep-alive. An error is answered 400.
pub fn prepare(
    start_line: &RequestStartLine,
    headers: &mut HTTPHeaders,
    no_keep_alive: bool,
) -> Result<Prepared, Error> {
    let facts = HeadFacts::of(headers);
    validate_host(facts.host, start_line.version)?;
    let (body, collapsed) = match framing::body_framing(&facts, u64::MAX) {
        Ok(framing) => framing,
        Err(FramingError::Malformed(e) | FramingError::TooLarge(e)) => return Err(e),
    };
    let keep_alive = framing::keep_alive(start_line, &facts, no_keep_alive);
    if let Some(length) = collapsed {
        headers.set("Content-Length", &length)?;
    }
    Ok(Prepared {
        framing: body,
        keep_alive,
    })
}

/// One request as a delegate would see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    /// The start line, as text.
    pub start_line: String,
    /// Every header, in order.
    pub headers: Vec<(String, String)>,
    /// How its body was delimited.
    pub framing: BodyFraming,
    /// The connection stays open after it.
    pub keep_alive: bool,
    /// Its body.
    pub body: Vec<u8>,
    /// The whole body arrived (`finish` would be called).
    pub complete: bool,
    /// Where in the stream its bytes ended, once complete.
    pub end: Option<usize>,
}

/// How a connection's bytes ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every byte was used, at a request boundary: the server waits for the next head.
    Idle,
    /// Part of a head is buffered: the server waits for the rest.
    MidHead,
    /// Part of a body arrived: the server waits for the rest.
    MidBody,
    /// The last request did not keep the connection open: closed after it.
    Closed,
    /// Answered `400 Bad Request` (with the error's message) and closed.
    BadRequest(String),
    /// Answered `413 Payload Too Large` and closed.
    TooLarge(String),
    /// A head beyond `max_header_size`: closed without an answer.
    HeadTooLong,
    /// A chunk-size line over 64 bytes: closed without an answer.
    ChunkLineTooLong,
}

/// Everything a connection did with its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcript {
    /// The requests the delegate saw, in order.
    pub requests: Vec<Seen>,
    /// How it ended.
    pub verdict: Verdict,
    /// How many bytes were used (the rest were never read as anything).
    pub consumed: usize,
}

#[derive(Debug)]
enum State {
    Head(HeadReader),
    Length(u64),
    Chunked(ChunkedDecoder),
    Over(Verdict),
}

/// One connection: [`feed`](Self::feed) it bytes as they arrive, then
/// [`finish`](Self::finish).
#[derive(Debug)]
pub struct Connection {
    limits: Limits,
    buf: Vec<u8>,
    pos: usize,
    state: State,
    requests: Vec<Seen>,
    /// Calls to the decoder and the head reader, to catch a loop that makes no progress.
    steps: usize,
}

impl Connection {
    /// A new connection with these limits.
    pub fn new(limits: Limits) -> Self {
        Connection {
            limits,
            buf: Vec::new(),
            pos: 0,
            state: State::Head(HeadReader::new(limits.max_header_size)),
            requests: Vec::new(),
            steps: 0,
        }
    }

    /// Bytes arrive.
    pub fn feed(&mut self, bytes: &[u8]) {
        if matches!(self.state, State::Over(_)) {
            return;
        }
        self.buf.extend_from_slice(bytes);
        self.advance();
    }

    /// The stream is over: what happened.
    pub fn finish(self) -> Transcript {
        let verdict = match self.state {
            State::Over(verdict) => verdict,
            State::Head(_) if self.pos == self.buf.len() => Verdict::Idle,
            State::Head(_) => Verdict::MidHead,
            State::Length(_) | State::Chunked(_) => Verdict::MidBody,
        };
        Transcript {
            requests: self.requests,
            verdict,
            consumed: self.pos,
        }
    }

    fn step(&mut self) {
        self.steps += 1;
        // Each step uses a byte, or waits, or ends: more steps than bytes (plus one per
        // feed and a few per request) would mean a loop going nowhere.
        assert!(
            self.steps <= 4 * self.buf.len() + 16 * (self.requests.len() + 1) + 64,
            "no progress after {} steps on {} bytes",
            self.steps,
            self.buf.len()
        );
    }

    fn request_done(&mut self, keep_alive: bool) {
        if let Some(last) = self.requests.last_mut() {
            last.complete = true;
            last.end = Some(self.pos);
        }
        self.state = if keep_alive {
            State::Head(HeadReader::new(self.limits.max_header_size))
        } else {
            State::Over(Verdict::Closed)
        };
    }

    fn keep_alive(&self) -> bool {
        self.requests.last().is_some_and(|r| r.keep_alive)
    }

    fn advance(&mut self) {
        loop {
            self.step();
            let data = &self.buf[self.pos..];
            match &mut self.state {
                State::Over(_) => return,
                State::Head(reader) => {
                    if data.is_empty() {
                        return;
                    }
                    match reader.read(data) {
                        HeadRead::NeedMore => return,
                        HeadRead::TooLong => self.state = State::Over(Verdict::HeadTooLong),
                        HeadRead::Malformed(e) => {
                            self.state = State::Over(Verdict::BadRequest(e.to_string()));
                        }
                        HeadRead::Parsed {
                            end,
                            start_line,
                            mut headers,
                        } => {
                            self.pos += end;
                            self.start(&start_line, &mut headers);
                        }
                    }
                }
                State::Length(remaining) => {
                    if data.is_empty() {
                        return;
                    }
                    let n = (data.len() as u64)
                        .min(*remaining)
                        .min(self.limits.chunk_size.max(1) as u64)
                        as usize;
                    *remaining -= n as u64;
                    let left = *remaining;
                    if let Some(last) = self.requests.last_mut() {
                        last.body.extend_from_slice(&data[..n]);
                    }
                    self.pos += n;
                    if left == 0 {
                        self.request_done(self.keep_alive());
                    }
                }
                State::Chunked(decoder) => {
                    match decoder.decode(data, self.limits.chunk_size.max(1)) {
                        Ok(None) => return,
                        Ok(Some((used, chunk))) => {
                            assert!(used <= data.len(), "the decoder used more than it had");
                            if let Chunk::Data(start, end) = chunk {
                                assert!(start <= end && end <= used);
                                if let Some(last) = self.requests.last_mut() {
                                    last.body.extend_from_slice(&data[start..end]);
                                }
                            }
                            self.pos += used;
                            if chunk == Chunk::End {
                                self.request_done(self.keep_alive());
                            }
                        }
                        Err(ChunkError::Malformed(e)) => {
                            self.state = State::Over(Verdict::BadRequest(e.to_string()));
                        }
                        Err(ChunkError::TooLarge(e)) => {
                            self.state = State::Over(Verdict::TooLarge(e.to_string()));
                        }
                        Err(ChunkError::LineTooLong) => {
                            self.state = State::Over(Verdict::ChunkLineTooLong);
                        }
                    }
                }
            }
        }
    }

    /// A head arrived: check it as `prepare` does, and set up its body.
    fn start(&mut self, start_line: &RequestStartLine, headers: &mut HTTPHeaders) {
        let prepared = match prepare(start_line, headers, self.limits.no_keep_alive) {
            Ok(prepared) => prepared,
            Err(e) => {
                self.state = State::Over(Verdict::BadRequest(e.to_string()));
                return;
            }
        };
        self.requests.push(Seen {
            start_line: start_line.to_string(),
            headers: headers
                .get_all()
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
                .collect(),
            framing: prepared.framing,
            keep_alive: prepared.keep_alive,
            body: Vec::new(),
            complete: false,
            end: None,
        });
        // The delegate has seen the head; only then is the declared size checked.
        match prepared.framing {
            BodyFraming::Length(n) if n > self.limits.max_body_size => {
                self.state = State::Over(Verdict::TooLarge("Content-Length too long".into()));
            }
            BodyFraming::Length(n) => self.state = State::Length(n),
            BodyFraming::Chunked => {
                self.state = State::Chunked(ChunkedDecoder::new(self.limits.max_body_size));
            }
            BodyFraming::Empty => self.request_done(prepared.keep_alive),
        }
    }
}

/// Runs `pieces` through a new connection.
pub fn run_connection(limits: Limits, pieces: &[&[u8]]) -> Transcript {
    let mut connection = Connection::new(limits);
    for piece in pieces {
        connection.feed(piece);
    }
    connection.finish()
}

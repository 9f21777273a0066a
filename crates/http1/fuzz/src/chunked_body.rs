//! Target `chunked_body`: a chunked body through `ChunkedDecoder`, fed in pieces.

use tornado_http1::framing::{self, Chunk, ChunkError, ChunkedDecoder, MAX_CHUNK_SIZE_LINE};

use super::input::{BYTEWISE_LIMIT, Input, bytewise, pieces};

/// How a decode ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// The last chunk and its CRLF arrived.
    Done,
    /// The input ran out first.
    NeedMore,
    /// Malformed framing, with the message.
    Malformed(String),
    /// Over the body size limit, with the message.
    TooLarge(String),
    /// A chunk-size line over 64 bytes.
    LineTooLong,
}

/// What decoding a body produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The body's data, all pieces joined.
    pub data: Vec<u8>,
    /// The bytes of input used.
    pub consumed: usize,
    /// How it ended.
    pub end: End,
}

/// Runs `pieces` through a decoder the way the server does: everything buffered is
/// offered each time; `Ok(None)` waits for the next piece.
pub fn decode_pieces(pieces: &[&[u8]], max_body_size: u64, max_piece: usize) -> Decoded {
    let mut decoder = ChunkedDecoder::new(max_body_size);
    let mut buffer = Vec::new();
    let mut next = pieces.iter();
    let mut pos = 0;
    let mut data = Vec::new();
    let mut calls = 0usize;
    let end = loop {
        calls += 1;
        assert!(
            calls <= 4 * (buffer.len() + pieces.len()) + 8,
            "the decoder makes no progress"
        );
        let input = &buffer[pos..];
        match decoder.decode(input, max_piece) {
            Ok(None) => match next.next() {
                Some(piece) => buffer.extend_from_slice(piece),
                None => break End::NeedMore,
            },
            Ok(Some((used, chunk))) => {
                assert!(used <= input.len(), "used {used} of {}", input.len());
                match chunk {
                    Chunk::Data(start, end) => {
                        assert!(start <= end && end <= used);
                        assert!(end > start, "an empty data piece");
                        assert!(end - start <= max_piece.max(1), "a piece over max_piece");
                        data.extend_from_slice(&input[start..end]);
                        pos += used;
                    }
                    Chunk::Progress => {
                        assert!(used > 0, "progress without using a byte");
                        pos += used;
                    }
                    Chunk::End => {
                        pos += used;
                        assert!(decoder.is_done());
                        // Done stays done, and uses nothing more.
                        assert_eq!(
                            decoder.decode(&buffer[pos..], max_piece),
                            Ok(Some((0, Chunk::End)))
                        );
                        break End::Done;
                    }
                }
            }
            Err(ChunkError::Malformed(e)) => break End::Malformed(e.to_string()),
            Err(ChunkError::TooLarge(e)) => break End::TooLarge(e.to_string()),
            Err(ChunkError::LineTooLong) => break End::LineTooLong,
        }
    };
    if end != End::Done {
        assert!(!decoder.is_done());
    }
    Decoded {
        data,
        consumed: pos,
        end,
    }
}

/// A plain decoder of a whole body, written from the rules rather than from the
/// incremental one: hex sizes only, CRLF after each size line (within 64 bytes) and after
/// each chunk's data, a bare CRLF after the last chunk, at most `max_body_size` bytes.
pub fn reference(body: &[u8], max_body_size: u64) -> Decoded {
    let mut pos = 0;
    let mut total: u128 = 0;
    let mut data = Vec::new();
    let result = |data, consumed, end| Decoded {
        data,
        consumed,
        end,
    };
    loop {
        let window = &body[pos..body.len().min(pos + MAX_CHUNK_SIZE_LINE)];
        let Some(line) = window.windows(2).position(|w| w == b"\r\n") else {
            let end = if body.len() - pos >= MAX_CHUNK_SIZE_LINE {
                End::LineTooLong
            } else {
                End::NeedMore
            };
            return result(data, pos, end);
        };
        let digits = &body[pos..pos + line];
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_hexdigit) {
            return result(data, pos, End::Malformed("invalid chunk size".into()));
        }
        let size = digits.iter().fold(0u128, |n, &d| {
            let digit = (d as char).to_digit(16).unwrap_or(0);
            n.saturating_mul(16).saturating_add(u128::from(digit))
        });
        if size == 0 {
            let after = pos + line + 2;
            return match body.get(after..after + 2) {
                None => result(data, after, End::NeedMore),
                Some(b"\r\n") => result(data, after + 2, End::Done),
                Some(_) => result(
                    data,
                    after,
                    End::Malformed("improperly terminated chunked request".into()),
                ),
            };
        }
        total = total.saturating_add(size);
        if total > u128::from(max_body_size) || total > i64::MAX as u128 {
            return result(data, pos, End::TooLarge("chunked body too large".into()));
        }
        pos += line + 2;
        let available = (body.len() - pos) as u128;
        if available < size {
            data.extend_from_slice(&body[pos..]);
            return result(data, body.len(), End::NeedMore);
        }
        let size = size as usize;
        data.extend_from_slice(&body[pos..pos + size]);
        pos += size;
        match body.get(pos..pos + 2) {
            None => return result(data, pos, End::NeedMore),
            Some(b"\r\n") => pos += 2,
            Some(_) => {
                return result(
                    data,
                    pos,
                    End::Malformed("improperly terminated chunk".into()),
                );
            }
        }
    }
}

/// The size limits a fuzz input chooses from.
pub const MAX_BODY_SIZES: [u64; 5] = [100 * 1024 * 1024, 0, 16, 1024, u64::MAX];

/// The `max_piece` values a fuzz input chooses from.
pub const MAX_PIECES: [usize; 4] = [64 * 1024, 1, 3, 0];

/// Input: cut points ([`Input::cuts`]), a byte choosing the limits (low nibble: body
/// size limit, high nibble: largest piece), then the body. Checks that the decoder gives
/// the same data, bytes used, and ending (with the same error message) whether the body
/// comes at once, at the cuts, or a byte at a time; that this is what the plain
/// [`reference`] decoder gives; that data never exceeds the input nor the limit; and that
/// a decoded body re-encoded with `encode_chunk` decodes to the same data.
pub fn run(data: &[u8]) {
    let mut input = Input::new(data);
    let cuts = input.cuts();
    let config = input.byte();
    let max_body_size = MAX_BODY_SIZES[usize::from(config & 0x0f) % MAX_BODY_SIZES.len()];
    let max_piece = MAX_PIECES[usize::from(config >> 4) % MAX_PIECES.len()];
    let body = input.rest();

    let whole = decode_pieces(&[body], max_body_size, max_piece);
    assert!(whole.data.len() <= whole.consumed && whole.consumed <= body.len());
    assert!(whole.data.len() as u64 <= max_body_size);
    assert_eq!(
        whole,
        reference(body, max_body_size),
        "differs from the reference"
    );
    let split = decode_pieces(&pieces(body, &cuts), max_body_size, max_piece);
    assert_eq!(split, whole, "cut at {cuts:?}");
    if body.len() <= BYTEWISE_LIMIT {
        let bytes = decode_pieces(&bytewise(body), max_body_size, max_piece);
        assert_eq!(bytes, whole, "a byte at a time");
    }

    if whole.end == End::Done {
        // Encode the data again, in pieces of sizes the cuts give, and decode that.
        let mut encoded = Vec::new();
        for piece in pieces(&whole.data, &cuts) {
            framing::encode_chunk(&mut encoded, piece);
        }
        encoded.extend_from_slice(framing::LAST_CHUNK);
        let again = decode_pieces(&[&encoded], max_body_size, max_piece);
        assert_eq!(again.end, End::Done);
        assert_eq!(again.data, whole.data);
        assert_eq!(again.consumed, encoded.len());
    }
}

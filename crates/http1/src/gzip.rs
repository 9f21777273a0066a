//! Decompressing `Content-Encoding: gzip` request bodies (Tornado's
//! `_GzipMessageDelegate`), bounded by the body size limit once decompressed.

use std::io::Write;

use bytes::Bytes;
use flate2::write::GzDecoder;
use tornado_httputil::{Error, HTTPHeaders};

/// How much compressed input is fed at a time: what one step can inflate is bounded by
/// this times deflate's largest ratio (about 1032), so a bomb is caught early.
const FEED: usize = 4096;

/// Why a gzip body was refused.
#[derive(Debug)]
pub(crate) enum GunzipError {
    /// Corrupt data: answer 400.
    Malformed(Error),
    /// More than the body size limit once inflated: answer 413.
    TooLarge(Error),
}

/// Inflates a gzip body piece by piece.
pub(crate) struct Gunzip {
    decoder: GzDecoder<Vec<u8>>,
    total: u64,
    max_body_size: u64,
    chunk_size: usize,
    ended: bool,
    /// The first bytes seen, until the gzip magic number is checked.
    magic: Vec<u8>,
}

impl Gunzip {
    /// If the headers say the body is gzip, renames `Content-Encoding` to
    /// `X-Consumed-Content-Encoding` (downstream sees a plain body) and returns a
    /// decompressor.
    pub(crate) fn for_headers(
        headers: &mut HTTPHeaders,
        max_body_size: u64,
        chunk_size: usize,
    ) -> Option<Gunzip> {
        let encoding = headers.get("Content-Encoding")?.to_owned();
        if !encoding.eq_ignore_ascii_case("gzip") {
            return None;
        }
        headers.add("X-Consumed-Content-Encoding", &encoding).ok()?;
        headers.remove("Content-Encoding");
        Some(Gunzip {
            decoder: GzDecoder::new(Vec::new()),
            total: 0,
            max_body_size,
            chunk_size: chunk_size.max(1),
            ended: false,
            magic: Vec::new(),
        })
    }

    /// Inflates `compressed`, returning the plain bytes in pieces of at most
    /// `chunk_size`. More than `max_body_size` plain bytes in all is an error ("decompressed
    /// body too large", Tornado 6.5.6), and so is corrupt data. Data after the end of the
    /// gzip stream is ignored, as Python's decompressor ignores it.
    pub(crate) fn feed(&mut self, compressed: &[u8]) -> Result<Vec<Bytes>, GunzipError> {
        // Refuse a body that does not start as gzip at once, as zlib does, rather than
        // after the decoder has buffered its whole header.
        if self.magic.len() < 2 {
            let need = 2 - self.magic.len();
            self.magic
                .extend_from_slice(&compressed[..need.min(compressed.len())]);
            if !b"\x1f\x8b".starts_with(&self.magic) {
                return Err(GunzipError::Malformed(Error::input(
                    "invalid gzip body: incorrect header check",
                )));
            }
        }
        let mut pieces = Vec::new();
        for slice in compressed.chunks(FEED) {
            if self.ended {
                break;
            }
            let mut offset = 0;
            while offset < slice.len() {
                match self.decoder.write(&slice[offset..]) {
                    Ok(0) => {
                        // The gzip stream is complete.
                        self.ended = true;
                        break;
                    }
                    Ok(n) => offset += n,
                    Err(e) => {
                        return Err(GunzipError::Malformed(Error::input(format!(
                            "invalid gzip body: {e}"
                        ))));
                    }
                }
                self.take_output(&mut pieces)?;
            }
        }
        Ok(pieces)
    }

    /// Changes the limit on the inflated size (the delegate may change the body limit).
    pub(crate) fn set_limit(&mut self, max_body_size: u64) {
        self.max_body_size = max_body_size;
    }

    fn take_output(&mut self, pieces: &mut Vec<Bytes>) -> Result<(), GunzipError> {
        let out = self.decoder.get_mut();
        if out.is_empty() {
            return Ok(());
        }
        self.total += out.len() as u64;
        if self.total > self.max_body_size {
            return Err(GunzipError::TooLarge(Error::input(
                "decompressed body too large",
            )));
        }
        for piece in out.chunks(self.chunk_size) {
            pieces.push(Bytes::copy_from_slice(piece));
        }
        out.clear();
        Ok(())
    }

    /// The end of the body: whatever the decompressor still holds.
    pub(crate) fn finish(&mut self) -> Result<Vec<Bytes>, GunzipError> {
        let mut pieces = Vec::new();
        if !self.ended {
            // A truncated stream yields what it had, as Python's flush() does.
            let _ = self.decoder.flush();
        }
        self.take_output(&mut pieces)?;
        Ok(pieces)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    fn gunzip(headers: &str, max: u64, chunk: usize) -> Option<Gunzip> {
        let mut h = HTTPHeaders::parse(headers).unwrap();
        let g = Gunzip::for_headers(&mut h, max, chunk);
        if g.is_some() {
            assert!(!h.contains("Content-Encoding"));
            assert!(h.get("X-Consumed-Content-Encoding").is_some());
        }
        g
    }

    #[test]
    fn only_gzip_in_any_case_is_decompressed() {
        assert!(gunzip("Content-Encoding: GZIP\r\n", 100, 16).is_some());
        assert!(gunzip("Content-Encoding: deflate\r\n", 100, 16).is_none());
        assert!(gunzip("", 100, 16).is_none());
    }

    #[test]
    fn pieces_are_bounded_and_never_empty() {
        let body: Vec<u8> = (0..50u8).collect();
        let compressed = gzip(&body);
        let mut g = gunzip("Content-Encoding: gzip\r\n", 1000, 16).unwrap();
        let mut out = Vec::new();
        for byte in &compressed {
            for piece in g.feed(std::slice::from_ref(byte)).unwrap() {
                assert!(!piece.is_empty() && piece.len() <= 16);
                out.extend_from_slice(&piece);
            }
        }
        for piece in g.finish().unwrap() {
            out.extend_from_slice(&piece);
        }
        assert_eq!(out, body);
    }

    #[test]
    fn bombs_stop_at_the_limit() {
        let compressed = gzip(&vec![0u8; 10 * 1024 * 1024]);
        assert!(compressed.len() < 20 * 1024);
        let mut g = gunzip("Content-Encoding: gzip\r\n", 1024 * 1024, 65536).unwrap();
        match g.feed(&compressed) {
            Err(GunzipError::TooLarge(e)) => {
                assert_eq!(e.to_string(), "decompressed body too large")
            }
            _ => panic!("the bomb went off"),
        }
    }

    #[test]
    fn corrupt_data_is_an_input_error() {
        let mut g = gunzip("Content-Encoding: gzip\r\n", 1000, 16).unwrap();
        let result = g.feed(b"this is not gzip at all, not even close");
        assert!(matches!(result, Err(GunzipError::Malformed(e)) if e.is_input()));
    }
}

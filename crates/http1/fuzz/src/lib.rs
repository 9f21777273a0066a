//! The bodies of tornado-http1's fuzz targets, as plain functions.
//!
//! Each module has a `run(data: &[u8])` that panics when a property fails. The
//! cargo-fuzz binaries in `fuzz_targets/` call them under libFuzzer (nightly);
//! `crates/http1/tests/fuzz_corpus.rs` includes this file as a module and calls them on
//! stable over the seed corpus (`corpus/<target>/`) and on proptest's inputs, so every
//! target also runs in normal CI.
//!
//! - [`request_head`]: bytes as a request head, through what the server does with a
//!   head (find its end within `max_header_size`, parse it, check `Host` and framing).
//! - [`chunked_body`]: a chunked body fed to `ChunkedDecoder` in pieces cut where the
//!   input says: the same result whatever the cuts, and the same as a plain decoder.
//! - [`pipeline`]: a byte stream of pipelined requests through a sans-io model of the
//!   server's loop ([`model`]): the requests seen never depend on how the bytes arrive.
//! - [`response_head`]: `plan_response` and `encode_response_head` on arbitrary status,
//!   reason and headers: the head is well formed and reads back as what was given.

#![forbid(unsafe_code)]

pub mod chunked_body;
pub mod input;
pub mod model;
pub mod pipeline;
pub mod request_head;
pub mod response_head;

//! `HTTP1ConnectionParameters`: the limits and switches of an HTTP/1 connection.

use std::time::Duration;

/// Tornado's `HTTP1ConnectionParameters`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HTTP1ConnectionParameters {
    /// Close the connection after each request.
    pub no_keep_alive: bool,
    /// The most body bytes handed to the delegate at once (64 KiB).
    pub chunk_size: usize,
    /// The most bytes of start line and headers (64 KiB). A head that does not end
    /// within it closes the connection, with no answer (as Tornado).
    pub max_header_size: usize,
    /// How long to wait for a request head, on a new connection or between requests
    /// (the server's `idle_connection_timeout`, 3600 s); `None` for ever.
    pub header_timeout: Option<Duration>,
    /// The largest body accepted (100 MiB, the stream's `max_buffer_size`); a delegate
    /// may change it per request. A larger body is answered `413 Payload Too Large`.
    pub max_body_size: usize,
    /// How long reading a body may take; `None` for ever.
    pub body_timeout: Option<Duration>,
    /// Decompress `Content-Encoding: gzip` bodies (the server's `decompress_request`),
    /// bounded by `max_body_size` once decompressed.
    pub decompress: bool,
}

impl Default for HTTP1ConnectionParameters {
    fn default() -> Self {
        HTTP1ConnectionParameters {
            no_keep_alive: false,
            chunk_size: 64 * 1024,
            max_header_size: 64 * 1024,
            header_timeout: None,
            max_body_size: 100 * 1024 * 1024,
            body_timeout: None,
            decompress: false,
        }
    }
}

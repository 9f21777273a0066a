//! TLS for [`IOStream`](crate::IOStream): Tornado's `SSLIOStream`, `start_tls` and
//! netutil's `ssl_options_to_context`, on rustls with the ring provider.
//!
//! A TLS stream is an ordinary [`IOStream`](crate::IOStream) whose transport encrypts:
//! every read and write method works the same. The handshake starts as soon as the
//! stream exists and runs in the background; reads and writes made meanwhile wait for it.
//! [`IOStream::wait_for_handshake`](crate::IOStream::wait_for_handshake) waits for it
//! explicitly. A handshake that fails (an untrusted certificate, a wrong host name, a
//! peer that does not speak TLS, a TLS alert) closes the stream, and the error is the
//! stream's [`error`](crate::IOStream::error): every pending and later operation fails
//! with a [`StreamClosedError`](crate::StreamClosedError) carrying it.
//!
//! Configurations come from [`SslOptions`] (Tornado's `ssl_options` dict) or are given
//! ready made as rustls `ServerConfig`/`ClientConfig` (Tornado's `SSLContext`); see
//! [`SslConfig`].
//!
//! ```no_run
//! use tornado_iostream::{IOStream, SslOptions};
//! # async fn demo() -> tornado_iostream::Result<()> {
//! // A client, verifying the server against the webpki roots (Tornado 6.2+'s default).
//! let stream = IOStream::connect_tls(
//!     "93.184.215.14:443".parse().unwrap(),
//!     Some("example.com"),
//!     SslOptions::default(),
//! )
//! .await?;
//! stream.write("GET / HTTP/1.0\r\nHost: example.com\r\n\r\n");
//! let response = stream.read_until_close().await?;
//! # Ok(()) }
//! ```

mod config;
mod stream;
mod transport;

use std::path::PathBuf;
use std::sync::Arc;

pub use self::config::{ssl_options_to_client_config, ssl_options_to_server_config};
pub use self::stream::HandshakeFuture;

/// Whether a peer must present a certificate: Python's `ssl.CERT_NONE`, `CERT_OPTIONAL`
/// and `CERT_REQUIRED`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CertReqs {
    /// No certificate is asked for (a server) or checked (a client: no verification at
    /// all, and so no host name check either).
    None,
    /// A server asks for a client certificate and verifies one if given, but accepts
    /// clients without one. For a client this is the same as `Required`, as in Python.
    Optional,
    /// The peer must present a certificate that verifies.
    Required,
}

/// Tornado's `ssl_options` dictionary, the keys Tornado accepts plus ALPN and the host
/// name checks.
///
/// The default is Tornado 6.2+'s client default: verify the server's certificate
/// against the webpki roots (Mozilla's CA list) and check that it names the host.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SslOptions {
    /// A PEM file with the certificate chain (leaf first) to present. Required for a
    /// server; for a client, a client certificate.
    pub certfile: Option<PathBuf>,
    /// A PEM file with the private key (PKCS#8, PKCS#1 or SEC1); `None` reads the key
    /// from `certfile`, as Python's `load_cert_chain` does.
    pub keyfile: Option<PathBuf>,
    /// A PEM file of trusted CA certificates: for a client, they replace the webpki
    /// roots; for a server, they verify client certificates.
    pub ca_certs: Option<PathBuf>,
    /// Whether the peer must present a certificate; `None` is the side's default
    /// (a client requires one, a server asks for none).
    pub cert_reqs: Option<CertReqs>,
    /// Whether a client checks that the certificate names `server_hostname`; `None`
    /// means yes unless `cert_reqs` is [`CertReqs::None`] (Python's `check_hostname`).
    pub check_hostname: Option<bool>,
    /// ALPN protocols to offer (client) or accept (server), in order of preference
    /// (Python's `set_alpn_protocols`).
    pub alpn_protocols: Vec<Vec<u8>>,
}

impl SslOptions {
    /// Options for a server presenting `certfile`, with its key in `keyfile`.
    pub fn server(certfile: impl Into<PathBuf>, keyfile: impl Into<PathBuf>) -> SslOptions {
        SslOptions {
            certfile: Some(certfile.into()),
            keyfile: Some(keyfile.into()),
            ..SslOptions::default()
        }
    }

    /// Client options that do not verify the server at all (Python's
    /// `dict(cert_reqs=ssl.CERT_NONE)`): for tests and private networks only.
    pub fn insecure() -> SslOptions {
        SslOptions {
            cert_reqs: Some(CertReqs::None),
            ..SslOptions::default()
        }
    }
}

/// What a TLS constructor accepts: options to build a configuration from (Tornado's
/// dict), or a ready rustls configuration (Tornado's `SSLContext`).
///
/// `From` conversions exist for [`SslOptions`] and for rustls configurations, bare or in
/// an `Arc`, so any of them can be passed where an `impl Into<SslConfig>` is asked for.
#[derive(Clone, Debug)]
pub enum SslConfig {
    /// Options, turned into a configuration for the side that uses them.
    Options(SslOptions),
    /// A server configuration, used as it is.
    Server(Arc<rustls::ServerConfig>),
    /// A client configuration, used as it is.
    Client(Arc<rustls::ClientConfig>),
}

impl Default for SslConfig {
    fn default() -> Self {
        SslConfig::Options(SslOptions::default())
    }
}

impl From<SslOptions> for SslConfig {
    fn from(options: SslOptions) -> Self {
        SslConfig::Options(options)
    }
}

impl From<Arc<rustls::ServerConfig>> for SslConfig {
    fn from(config: Arc<rustls::ServerConfig>) -> Self {
        SslConfig::Server(config)
    }
}

impl From<rustls::ServerConfig> for SslConfig {
    fn from(config: rustls::ServerConfig) -> Self {
        SslConfig::Server(Arc::new(config))
    }
}

impl From<Arc<rustls::ClientConfig>> for SslConfig {
    fn from(config: Arc<rustls::ClientConfig>) -> Self {
        SslConfig::Client(config)
    }
}

impl From<rustls::ClientConfig> for SslConfig {
    fn from(config: rustls::ClientConfig) -> Self {
        SslConfig::Client(Arc::new(config))
    }
}

/// Tornado's `SSLIOStream`: an [`IOStream`](crate::IOStream) over TLS. There is one
/// stream type; a TLS stream is made by
/// [`IOStream::connect_tls`](crate::IOStream::connect_tls),
/// [`IOStream::from_tcp_tls_server`](crate::IOStream::from_tcp_tls_server) or
/// [`IOStream::start_tls`](crate::IOStream::start_tls), and offers, besides the usual
/// methods, [`wait_for_handshake`](crate::IOStream::wait_for_handshake) and the session's
/// details ([`selected_alpn_protocol`](crate::IOStream::selected_alpn_protocol),
/// [`get_ssl_certificate`](crate::IOStream::get_ssl_certificate),
/// [`sni_hostname`](crate::IOStream::sni_hostname), [`cipher`](crate::IOStream::cipher)).
pub type SSLIOStream = crate::IOStream;

//! Tornado's `tornado.netutil`: listening sockets, accepting connections, address checks
//! and name resolution.
//!
//! - [`bind_sockets`] / [`bind_sockets_with`] and [`bind_unix_socket`] make listening
//!   sockets; [`listen_fds`] takes those handed over by systemd socket activation.
//! - [`add_accept_handler`] accepts connections on a listener from the loop.
//! - [`is_valid_ip`] checks an address literal.
//! - [`Resolver`] resolves names asynchronously; [`DefaultExecutorResolver`] (the
//!   default), [`ExecutorResolver`], [`ThreadedResolver`], [`BlockingResolver`] and
//!   [`OverrideResolver`] implement it.
//! - [`ssl_options_to_context`] turns Tornado-style [`SslOptions`] into a rustls
//!   configuration (tornado-iostream's builders, re-exported here under Tornado's names).

mod accept;
mod bind;
mod ip;
mod resolver;
mod socket;

pub use accept::{ACCEPT_BACKOFF, AcceptHandler, add_accept_handler, add_accept_handler_on};
pub use bind::{
    AI_NUMERICHOST, AI_PASSIVE, BindOptions, DEFAULT_BACKLOG, bind_sockets, bind_sockets_with,
    bind_unix_socket, bind_unix_socket_with, listen_fds,
};
pub use ip::is_valid_ip;
pub use resolver::{
    BlockingResolver, DefaultExecutorResolver, DefaultLoopResolver, ExecutorResolver,
    OverrideMapping, OverrideResolver, ResolveFuture, Resolver, ResolverOptions, ThreadedResolver,
};
pub use socket::{
    AF_INET, AF_INET6, AF_UNSPEC, Address, AddressFamily, Connection, Listener, UnixAddress,
};

#[cfg(feature = "tls")]
pub use tornado_iostream::{
    CertReqs, SslConfig, SslOptions, ssl_options_to_client_config, ssl_options_to_server_config,
};

/// Builds the TLS configuration for one side from Tornado-style options (Tornado's
/// `ssl_options_to_context(ssl_options, server_side)`): a rustls `ServerConfig` when
/// `server_side`, else a `ClientConfig`, as an [`SslConfig`]. A ready configuration of
/// the right side is returned as it is.
///
/// ```
/// use tornado_tcp::netutil::{SslConfig, SslOptions, ssl_options_to_context};
///
/// let client = ssl_options_to_context(SslOptions::insecure(), false)?;
/// assert!(matches!(client, SslConfig::Client(_)));
/// let err = ssl_options_to_context(SslOptions::default(), true).unwrap_err();
/// assert_eq!(err.to_string(), "missing key \"certfile\" in ssl_options");
/// # Ok::<(), tornado_tcp::Error>(())
/// ```
#[cfg(feature = "tls")]
pub fn ssl_options_to_context(
    ssl_options: impl Into<SslConfig>,
    server_side: bool,
) -> crate::Result<SslConfig> {
    Ok(if server_side {
        SslConfig::Server(ssl_options_to_server_config(ssl_options)?)
    } else {
        SslConfig::Client(ssl_options_to_client_config(ssl_options)?)
    })
}

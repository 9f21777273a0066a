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

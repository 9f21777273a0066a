//! Tornado's `tornado.tcpclient`: a non-blocking TCP connection factory.
//!
//! [`TCPClient::connect`] resolves a host with the client's [`Resolver`] and connects to
//! its addresses the "Happy Eyeballs" way (RFC 6555): the family of the first address
//! first, the other family 0.3 s later (or as soon as the first attempt fails), first
//! success wins.
//!
//! ```
//! use std::net::TcpListener;
//! use tornado_ioloop::IOLoop;
//! use tornado_tcp::tcpclient::TCPClient;
//!
//! let listener = TcpListener::bind("127.0.0.1:0")?;
//! let port = listener.local_addr()?.port();
//! let io_loop = IOLoop::new()?;
//! let stream = io_loop.run_sync(async move {
//!     TCPClient::new().connect("localhost", port).await
//! }, None)??;
//! assert_eq!(stream.peer_addr().map(|a| a.port()), Some(port));
//! # drop(stream);
//! io_loop.close(false)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod connector;

use std::fmt;
use std::future::{Future, poll_fn};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::rc::Rc;
use std::task::Poll;
use std::time::Instant;

use tornado_ioloop::{Deadline, Sleep, sleep, sleep_until};
use tornado_iostream::{IOStream, IOStreamOptions};
#[cfg(feature = "tls")]
use tornado_iostream::{SslConfig, ssl_options_to_client_config};

pub use connector::INITIAL_CONNECT_TIMEOUT;
use connector::{Command, Connector, Outcome};

use crate::error::{Error, Result};
use crate::netutil::{AddressFamily, Resolver};

/// The keyword arguments of Tornado's `TCPClient.connect`; every field defaults as there.
#[derive(Clone, Debug, Default)]
pub struct ConnectOptions {
    /// Which address family to connect over (`AF_UNSPEC`: any the host has).
    pub af: AddressFamily,
    /// Speak TLS: [`SslOptions`](crate::netutil::SslOptions) (Tornado's `ssl_options`
    /// dict; the default verifies the server against the webpki roots and checks that
    /// its certificate names `host`) or a ready rustls `ClientConfig`. The connection is
    /// made in clear, then the handshake runs with `host` as the server name (Tornado's
    /// `start_tls(server_hostname=host)`), within `timeout`. With the `tls` feature (on
    /// by default).
    #[cfg(feature = "tls")]
    pub ssl_options: Option<SslConfig>,
    /// The new stream's read buffer limit (100 MiB).
    pub max_buffer_size: Option<usize>,
    /// The local address to connect from.
    pub source_ip: Option<IpAddr>,
    /// The local port to connect from. Without `source_ip`, the loopback address of the
    /// target's family is used (`127.0.0.1` or `::1`), as in Tornado.
    pub source_port: Option<u16>,
    /// When to give up, resolution and connection included: an absolute time on
    /// `IOLoop::time()`'s clock, a `Duration` from now, or an `Instant` (Tornado's float
    /// or `timedelta`). Fails with [`Error::Timeout`].
    pub timeout: Option<Deadline>,
}

/// A non-blocking TCP connection factory (Tornado's `TCPClient`).
pub struct TCPClient {
    resolver: Rc<dyn Resolver>,
    own_resolver: bool,
}

impl TCPClient {
    /// A client with the configured resolver (`<dyn Resolver>::new()`), which
    /// [`close`](Self::close) closes.
    pub fn new() -> TCPClient {
        TCPClient {
            resolver: <dyn Resolver>::new(),
            own_resolver: true,
        }
    }

    /// A client resolving names with `resolver`, which stays open when the client
    /// closes.
    pub fn with_resolver(resolver: Rc<dyn Resolver>) -> TCPClient {
        TCPClient {
            resolver,
            own_resolver: false,
        }
    }

    /// The resolver.
    pub fn resolver(&self) -> &Rc<dyn Resolver> {
        &self.resolver
    }

    /// Closes the resolver, if the client made it.
    pub fn close(&self) {
        if self.own_resolver {
            self.resolver.close();
        }
    }

    /// Connects to `host` (a name or an IP address) on `port` with the default options.
    /// See [`connect_with`](Self::connect_with).
    pub async fn connect(&self, host: &str, port: u16) -> Result<IOStream> {
        self.connect_with(host, port, &ConnectOptions::default())
            .await
    }

    /// Connects to `host` on `port` (Tornado's `connect`).
    ///
    /// The host is resolved, then its addresses are raced as Happy Eyeballs: the family
    /// of the first address first; the other family after
    /// [`INITIAL_CONNECT_TIMEOUT`] or as soon as an attempt fails; one attempt per family
    /// at a time; the first connection wins and the others are dropped. When every
    /// address fails, [`Error::Connect`] lists each address and its error. A resolution
    /// failure is [`Error::Resolve`], a passed deadline [`Error::Timeout`].
    pub async fn connect_with(
        &self,
        host: &str,
        port: u16,
        options: &ConnectOptions,
    ) -> Result<IOStream> {
        let deadline = options.timeout.map(Deadline::to_instant);
        // Bad TLS options fail before anything is resolved or connected.
        #[cfg(feature = "tls")]
        let tls = match &options.ssl_options {
            Some(ssl) => Some(ssl_options_to_client_config(ssl.clone())?),
            None => None,
        };
        let resolving = self.resolver.resolve(host, port, options.af);
        let addresses = match deadline {
            Some(at) => tornado_ioloop::timeout(at, resolving).await??,
            None => resolving.await?,
        };
        let stream_options = match options.max_buffer_size {
            Some(max) => IOStreamOptions::with_max_buffer_size(max),
            None => IOStreamOptions::default(),
        };
        let source_ip = options.source_ip;
        let source_port = options.source_port.unwrap_or(0);
        let connect = move |address: SocketAddr| {
            let source = source_address(&address, source_ip, source_port);
            IOStream::connect_with(address, source, stream_options)
        };
        let stream = match race(addresses, deadline, connect).await {
            Outcome::Connected(_, stream) => stream,
            Outcome::Failed(attempts) => {
                return Err(Error::Connect {
                    host: host.to_owned(),
                    port,
                    attempts,
                });
            }
            Outcome::TimedOut(_) => return Err(Error::Timeout),
        };
        #[cfg(feature = "tls")]
        if let Some(config) = tls {
            return handshake(stream, config, host, deadline).await;
        }
        Ok(stream)
    }
}

/// Runs the client handshake on a new connection (with `host` as the server name) within
/// `deadline`.
#[cfg(feature = "tls")]
async fn handshake(
    stream: IOStream,
    config: std::sync::Arc<tornado_iostream::rustls::ClientConfig>,
    host: &str,
    deadline: Option<Instant>,
) -> Result<IOStream> {
    let handshake = stream.start_tls(false, config, Some(host))?;
    Ok(match deadline {
        Some(at) => match tornado_ioloop::timeout(at, handshake).await {
            Ok(result) => result?,
            Err(timed_out) => {
                stream.close();
                return Err(timed_out.into());
            }
        },
        None => handshake.await?,
    })
}

impl Default for TCPClient {
    fn default() -> Self {
        TCPClient::new()
    }
}

impl fmt::Debug for TCPClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TCPClient")
            .field("resolver", &self.resolver)
            .finish()
    }
}

/// The local address to bind before connecting to `target` (Tornado's
/// `_create_stream`): the given IP and port; a port alone binds the loopback address of
/// the target's family.
fn source_address(target: &SocketAddr, ip: Option<IpAddr>, port: u16) -> Option<SocketAddr> {
    match ip {
        Some(ip) => Some(SocketAddr::new(ip, port)),
        None if port != 0 => {
            let loopback = match target {
                SocketAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                SocketAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
            };
            Some(SocketAddr::new(loopback, port))
        }
        None => None,
    }
}

type Attempt = Pin<Box<dyn Future<Output = tornado_iostream::Result<IOStream>>>>;

/// Races connections to `addresses` with the [`Connector`] until one wins, all fail or
/// `deadline` passes.
async fn race<F, Fut>(
    addresses: Vec<SocketAddr>,
    deadline: Option<Instant>,
    connect: F,
) -> Outcome<SocketAddr, IOStream, tornado_iostream::Error>
where
    F: Fn(SocketAddr) -> Fut,
    Fut: Future<Output = tornado_iostream::Result<IOStream>> + 'static,
{
    if let ([address], None) = (&addresses[..], deadline) {
        // One address and no deadline: nothing to race, nothing to time (the short timer
        // only ever starts a second family). The outcome is the one the connector gives.
        let address = *address;
        return match connect(address).await {
            Ok(stream) => Outcome::Connected(address, stream),
            Err(err) => Outcome::Failed(vec![(address, err)]),
        };
    }
    let mut connector: Connector<SocketAddr, IOStream, tornado_iostream::Error> =
        Connector::new(addresses);
    connector.start();
    let mut attempts: Vec<(usize, Attempt)> = Vec::with_capacity(2);
    // The short timer starts the second family: without one, it has nothing to do.
    let mut timer: Option<Sleep> = connector
        .has_secondary()
        .then(|| sleep(INITIAL_CONNECT_TIMEOUT));
    let mut overall: Option<Sleep> = deadline.map(sleep_until);
    poll_fn(move |cx| {
        loop {
            for command in connector.take_commands() {
                match command {
                    Command::Connect { id, address } => {
                        attempts.push((id, Box::pin(connect(address))));
                    }
                    Command::Cancel { id } => attempts.retain(|(a, _)| *a != id),
                    Command::Close(stream) => stream.close(),
                }
            }
            if let Some(outcome) = connector.take_outcome() {
                return Poll::Ready(outcome);
            }
            if !connector.timer_armed() {
                timer = None;
            }
            let finished = attempts
                .iter_mut()
                .enumerate()
                .find_map(|(i, (_, attempt))| match attempt.as_mut().poll(cx) {
                    Poll::Ready(result) => Some((i, result)),
                    Poll::Pending => None,
                });
            if let Some((i, result)) = finished {
                let (id, _) = attempts.swap_remove(i);
                connector.on_connect_done(id, result);
                continue;
            }
            if let Some(t) = timer.as_mut()
                && Pin::new(t).poll(cx).is_ready()
            {
                timer = None;
                connector.on_timeout();
                continue;
            }
            if let Some(t) = overall.as_mut()
                && Pin::new(t).poll(cx).is_ready()
            {
                overall = None;
                connector.on_connect_timeout();
                continue;
            }
            return Poll::Pending;
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_addresses_follow_tornado() {
        let v4: SocketAddr = "10.0.0.1:80".parse().unwrap();
        let v6: SocketAddr = "[2001:db8::1]:80".parse().unwrap();
        assert_eq!(source_address(&v4, None, 0), None);
        assert_eq!(
            source_address(&v4, None, 5000),
            Some("127.0.0.1:5000".parse().unwrap())
        );
        assert_eq!(
            source_address(&v6, None, 5000),
            Some("[::1]:5000".parse().unwrap())
        );
        let ip: IpAddr = "127.0.0.2".parse().unwrap();
        assert_eq!(
            source_address(&v4, Some(ip), 0),
            Some("127.0.0.2:0".parse().unwrap())
        );
    }
}

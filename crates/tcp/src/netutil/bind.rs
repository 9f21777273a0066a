//! `bind_sockets`, `bind_unix_socket` and sockets inherited through systemd's `LISTEN_FDS`.

use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV6, ToSocketAddrs};
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::Path;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};

use crate::error::{Error, Result};
use crate::netutil::ip::{NumericHost, parse_numeric_host};
use crate::netutil::socket::{AddressFamily, Listener};

/// The listen backlog Tornado uses by default (`_DEFAULT_BACKLOG`), and the most
/// connections accepted per readiness event.
pub const DEFAULT_BACKLOG: i32 = 128;

/// `getaddrinfo`'s `AI_PASSIVE`: with no address, bind the wildcard addresses (the
/// default of [`BindOptions::flags`]).
pub const AI_PASSIVE: i32 = libc::AI_PASSIVE;
/// `getaddrinfo`'s `AI_NUMERICHOST`: the address must be numeric; no name is looked up.
pub const AI_NUMERICHOST: i32 = libc::AI_NUMERICHOST;

/// The keyword arguments of Tornado's `bind_sockets` (and `TCPServer.listen`/`bind`):
/// every field defaults as in Tornado.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BindOptions {
    /// Which families to bind (`AF_UNSPEC`: every family the address has).
    pub family: AddressFamily,
    /// The `listen(2)` backlog (128).
    pub backlog: i32,
    /// `AI_*` flags as for `getaddrinfo`; `None` means [`AI_PASSIVE`]. Only
    /// [`AI_PASSIVE`] and [`AI_NUMERICHOST`] change anything.
    pub flags: Option<i32>,
    /// Sets `SO_REUSEPORT`, so several processes (or threads, each with its own loop) may
    /// listen on the same port and share its connections.
    pub reuse_port: bool,
}

impl Default for BindOptions {
    fn default() -> Self {
        BindOptions {
            family: AddressFamily::Unspec,
            backlog: DEFAULT_BACKLOG,
            flags: None,
            reuse_port: false,
        }
    }
}

/// Listening sockets bound to `port` on every address `address` stands for: Tornado's
/// `bind_sockets` with its defaults. See [`bind_sockets_with`].
pub fn bind_sockets(port: u16, address: Option<&str>) -> Result<Vec<Listener>> {
    bind_sockets_with(port, address, &BindOptions::default())
}

/// Listening, non-blocking sockets bound to `port` on every address `address` stands for
/// (Tornado's `bind_sockets`).
///
/// `address` may be an IP address or a host name (every address of the name is bound);
/// `None` or `""` binds every interface (`0.0.0.0` and `::`). IPv6 sockets are
/// `IPV6_V6ONLY`, so IPv4 and IPv6 get a socket each; `SO_REUSEADDR` is set. With port 0
/// the system picks a free port for the first socket and every other socket gets the
/// same one. Addresses are bound IPv4 first. A family the system does not support is
/// skipped, and so is `::1` when `address` is `"localhost"` and IPv6 is switched off
/// (containers), as in Tornado.
///
/// ```
/// use tornado_tcp::netutil::bind_sockets;
///
/// let sockets = bind_sockets(0, Some("localhost"))?;
/// let port = sockets[0].port().unwrap();
/// assert!(sockets.iter().all(|s| s.port() == Some(port)));
/// # Ok::<(), tornado_tcp::Error>(())
/// ```
pub fn bind_sockets_with(
    port: u16,
    address: Option<&str>,
    options: &BindOptions,
) -> Result<Vec<Listener>> {
    let address = address.filter(|a| !a.is_empty());
    let flags = options.flags.unwrap_or(AI_PASSIVE);
    let mut addresses = resolve_for_bind(address, port, options.family, flags)?;
    // Tornado sorts getaddrinfo's results by family (AF_INET before AF_INET6) and skips
    // duplicates.
    addresses.sort_by_key(AddressFamily::of);
    let mut unique: Vec<SocketAddr> = Vec::with_capacity(addresses.len());
    for a in addresses {
        if !unique.contains(&a) {
            unique.push(a);
        }
    }

    let mut sockets = Vec::with_capacity(unique.len());
    let mut bound_port: Option<u16> = None;
    for mut sockaddr in unique {
        let socket = match Socket::new(
            Domain::for_address(sockaddr),
            Type::STREAM.nonblocking().cloexec(),
            Some(Protocol::TCP),
        ) {
            Ok(socket) => socket,
            Err(e) if e.raw_os_error() == Some(libc::EAFNOSUPPORT) => continue,
            Err(e) => {
                return Err(Error::io(
                    format!("cannot create a socket for {sockaddr}"),
                    e,
                ));
            }
        };
        let shown = sockaddr;
        let context = |what: &str| format!("cannot {what} on {shown}");
        socket
            .set_reuse_address(true)
            .map_err(|e| Error::io(context("set SO_REUSEADDR"), e))?;
        if options.reuse_port {
            socket
                .set_reuse_port(true)
                .map_err(|e| Error::io(context("set SO_REUSEPORT"), e))?;
        }
        if sockaddr.is_ipv6() {
            // Linux lets IPv6 sockets take IPv4 too, which would stop a second socket
            // binding 0.0.0.0 on the same port; keep the families apart, as Tornado does.
            socket
                .set_only_v6(true)
                .map_err(|e| Error::io(context("set IPV6_V6ONLY"), e))?;
        }
        if sockaddr.port() == 0
            && let Some(port) = bound_port
        {
            sockaddr.set_port(port);
        }
        if let Err(e) = socket.bind(&SockAddr::from(sockaddr)) {
            let loopback_v6 = sockaddr.ip() == Ipv6Addr::LOCALHOST;
            if e.raw_os_error() == Some(libc::EADDRNOTAVAIL)
                && address == Some("localhost")
                && loopback_v6
            {
                // IPv6 half switched off (Docker's default): "localhost" still resolves
                // to ::1, which cannot be bound. Tornado skips it in this case only.
                continue;
            }
            return Err(Error::io(format!("cannot bind {sockaddr}"), e));
        }
        bound_port = socket
            .local_addr()
            .ok()
            .and_then(|a| a.as_socket())
            .map(|a| a.port());
        socket
            .listen(options.backlog)
            .map_err(|e| Error::io(context("listen"), e))?;
        sockets.push(Listener::from(socket));
    }
    if sockets.is_empty() {
        return Err(Error::io(
            format!(
                "no socket could be bound for {:?} port {port} ({})",
                address.unwrap_or(""),
                options.family
            ),
            io::Error::from_raw_os_error(libc::EADDRNOTAVAIL),
        ));
    }
    Ok(sockets)
}

/// What `getaddrinfo(address, port, family, SOCK_STREAM, 0, flags)` gives for binding.
fn resolve_for_bind(
    address: Option<&str>,
    port: u16,
    family: AddressFamily,
    flags: i32,
) -> Result<Vec<SocketAddr>> {
    let admitted = |addresses: Vec<SocketAddr>| -> Vec<SocketAddr> {
        addresses.into_iter().filter(|a| family.admits(a)).collect()
    };
    let Some(host) = address else {
        let (v4, v6) = if flags & AI_PASSIVE != 0 {
            (Ipv4Addr::UNSPECIFIED, Ipv6Addr::UNSPECIFIED)
        } else {
            (Ipv4Addr::LOCALHOST, Ipv6Addr::LOCALHOST)
        };
        return Ok(admitted(vec![
            SocketAddr::from((v4, port)),
            SocketAddr::from((v6, port)),
        ]));
    };
    let found = match parse_numeric_host(host) {
        Some(NumericHost::V4(ip)) => vec![SocketAddr::from((ip, port))],
        Some(NumericHost::V6(ip, scope)) => {
            vec![SocketAddr::V6(SocketAddrV6::new(ip, port, 0, scope))]
        }
        None if flags & AI_NUMERICHOST != 0 => {
            return Err(Error::Resolve {
                host: host.to_owned(),
                port,
                source: io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "not a numeric address (AI_NUMERICHOST)",
                ),
            });
        }
        None => (host, port)
            .to_socket_addrs()
            .map_err(|source| Error::Resolve {
                host: host.to_owned(),
                port,
                source,
            })?
            .collect(),
    };
    let kept = admitted(found);
    if kept.is_empty() {
        return Err(Error::Resolve {
            host: host.to_owned(),
            port,
            source: io::Error::new(
                io::ErrorKind::NotFound,
                format!("no {family} address for this name"),
            ),
        });
    }
    Ok(kept)
}

/// A listening, non-blocking Unix socket at `path` (Tornado's `bind_unix_socket`), with
/// file mode 0o600 and a backlog of 128. See [`bind_unix_socket_with`].
pub fn bind_unix_socket(path: impl AsRef<Path>) -> Result<Listener> {
    bind_unix_socket_with(path, 0o600, DEFAULT_BACKLOG)
}

/// A listening, non-blocking Unix socket at `path`, with file mode `mode`.
///
/// A socket file left at `path` by an earlier run is removed first; anything else there
/// (a regular file, a directory) is left alone and [`Error::NotASocket`] returned. A path
/// beginning with a NUL byte is a Linux abstract name: no file is made, and `mode` does
/// not apply.
pub fn bind_unix_socket_with(path: impl AsRef<Path>, mode: u32, backlog: i32) -> Result<Listener> {
    let path = path.as_ref();
    let abstract_name = path.as_os_str().as_encoded_bytes().first() == Some(&0);
    let socket = Socket::new(Domain::UNIX, Type::STREAM.nonblocking().cloexec(), None)
        .map_err(|e| Error::io("cannot create a Unix socket", e))?;
    let address = SockAddr::unix(path)
        .map_err(|e| Error::io(format!("cannot bind {}", path.display()), e))?;
    if !abstract_name {
        match std::fs::metadata(path) {
            Ok(meta) if meta.file_type().is_socket() => std::fs::remove_file(path)
                .map_err(|e| Error::io(format!("cannot remove {}", path.display()), e))?,
            Ok(_) => return Err(Error::NotASocket(path.to_owned())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(format!("cannot stat {}", path.display()), e)),
        }
    }
    socket
        .bind(&address)
        .map_err(|e| Error::io(format!("cannot bind {}", path.display()), e))?;
    if !abstract_name {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(|e| Error::io(format!("cannot chmod {}", path.display()), e))?;
    }
    socket
        .listen(backlog)
        .map_err(|e| Error::io(format!("cannot listen on {}", path.display()), e))?;
    Ok(Listener::from(socket))
}

/// Listening sockets handed to this process by systemd socket activation (or any
/// supervisor that follows the `LISTEN_FDS` protocol), ready for
/// `TCPServer::add_sockets`.
///
/// The protocol: `LISTEN_PID` is this process's id and `LISTEN_FDS` the number of
/// sockets, which are descriptors 3, 4, .... When `LISTEN_PID` is missing or names
/// another process (the variables were meant for a parent), the result is empty. The
/// sockets must be listening stream sockets (TCP or Unix); they are made close-on-exec
/// and non-blocking. When they are ours, the variables are removed from the environment
/// once read, so that a child process does not take them for its own (call this before
/// starting threads that read the environment); variables meant for another process are
/// left alone.
pub fn listen_fds() -> Result<Vec<Listener>> {
    let Ok(pid) = std::env::var("LISTEN_PID") else {
        return Ok(Vec::new());
    };
    if pid.trim().parse::<u32>().ok() != Some(std::process::id()) {
        return Ok(Vec::new());
    }
    let count: usize = match std::env::var("LISTEN_FDS") {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| Error::InvalidArgument(format!("LISTEN_FDS is not a number: {text:?}")))?,
        Err(_) => return Ok(Vec::new()),
    };
    // listenfd reads the same variables (and removes them); the fds start at 3.
    let mut fds = listenfd::ListenFd::from_env();
    if fds.len() != count {
        return Err(Error::InvalidArgument(format!(
            "LISTEN_FDS={count} but {} descriptors were handed over (LISTEN_FDS_FIRST_FD \
             must not be set)",
            fds.len()
        )));
    }
    let mut listeners = Vec::with_capacity(count);
    for index in 0..count {
        let fd = index + 3;
        let socket: Socket =
            match fds.take_custom(index, libc::AF_INET, libc::SOCK_STREAM, "TCP socket") {
                Ok(Some(socket)) => socket,
                Ok(None) => continue,
                Err(_) => match fds.take_custom(
                    index,
                    libc::AF_UNIX,
                    libc::SOCK_STREAM,
                    "Unix stream socket",
                ) {
                    Ok(Some(socket)) => socket,
                    Ok(None) => continue,
                    Err(e) => {
                        return Err(Error::io(
                            format!("inherited descriptor {fd} is not a TCP or Unix stream socket"),
                            e,
                        ));
                    }
                },
            };
        match socket.is_listener() {
            Ok(true) => {}
            Ok(false) => {
                return Err(Error::InvalidArgument(format!(
                    "inherited descriptor {fd} is not listening"
                )));
            }
            Err(e) => {
                return Err(Error::io(
                    format!("cannot query inherited descriptor {fd}"),
                    e,
                ));
            }
        }
        socket
            .set_nonblocking(true)
            .map_err(|e| Error::io(format!("cannot make descriptor {fd} non-blocking"), e))?;
        listeners.push(Listener::from(socket));
    }
    Ok(listeners)
}

//! Listening sockets, accepted connections and peer addresses.

use std::fmt;
use std::io;
use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, RawFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use socket2::{SockAddr, Socket};
use tornado_ioloop::IOLoop;
use tornado_iostream::{IOStream, IOStreamOptions};

/// An address family, as Tornado's `socket.AF_*` arguments: which addresses a name may
/// resolve to, or which sockets `bind_sockets` makes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AddressFamily {
    /// Any family (`AF_UNSPEC`).
    #[default]
    Unspec,
    /// IPv4 (`AF_INET`).
    Inet,
    /// IPv6 (`AF_INET6`).
    Inet6,
}

/// Tornado's `socket.AF_UNSPEC`.
pub const AF_UNSPEC: AddressFamily = AddressFamily::Unspec;
/// Tornado's `socket.AF_INET`.
pub const AF_INET: AddressFamily = AddressFamily::Inet;
/// Tornado's `socket.AF_INET6`.
pub const AF_INET6: AddressFamily = AddressFamily::Inet6;

impl AddressFamily {
    /// The family of an address.
    pub fn of(address: &SocketAddr) -> AddressFamily {
        match address {
            SocketAddr::V4(_) => AddressFamily::Inet,
            SocketAddr::V6(_) => AddressFamily::Inet6,
        }
    }

    /// `address` belongs to this family (every address belongs to `Unspec`).
    pub fn admits(self, address: &SocketAddr) -> bool {
        self == AddressFamily::Unspec || self == AddressFamily::of(address)
    }
}

impl fmt::Display for AddressFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressFamily::Unspec => "AF_UNSPEC",
            AddressFamily::Inet => "AF_INET",
            AddressFamily::Inet6 => "AF_INET6",
        })
    }
}

/// The address of a peer that connected to a listener: what `handle_stream` and
/// `add_accept_handler`'s callback receive.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Address {
    /// A TCP peer.
    Inet(SocketAddr),
    /// A Unix-socket peer (usually unnamed: Tornado passes `""` for these).
    Unix(UnixAddress),
}

/// The address of a Unix socket.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UnixAddress {
    /// No name (the usual client side).
    Unnamed,
    /// A path in the file system.
    Path(PathBuf),
    /// A Linux abstract name (without its leading NUL byte).
    Abstract(Vec<u8>),
}

impl UnixAddress {
    fn from_sockaddr(address: &SockAddr) -> Option<UnixAddress> {
        if !address.is_unix() {
            return None;
        }
        if let Some(path) = address.as_pathname() {
            return Some(UnixAddress::Path(path.to_owned()));
        }
        if let Some(name) = address.as_abstract_namespace() {
            return Some(UnixAddress::Abstract(name.to_vec()));
        }
        Some(UnixAddress::Unnamed)
    }

    /// The path, for a socket in the file system.
    pub fn as_pathname(&self) -> Option<&Path> {
        match self {
            UnixAddress::Path(path) => Some(path),
            _ => None,
        }
    }
}

impl fmt::Display for UnixAddress {
    /// The path, `@name` for an abstract name (as `ss` shows them), nothing when unnamed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnixAddress::Unnamed => Ok(()),
            UnixAddress::Path(path) => path.display().fmt(f),
            UnixAddress::Abstract(name) => write!(f, "@{}", String::from_utf8_lossy(name)),
        }
    }
}

impl Address {
    /// The TCP address, if this is one.
    pub fn as_inet(&self) -> Option<SocketAddr> {
        match self {
            Address::Inet(address) => Some(*address),
            Address::Unix(_) => None,
        }
    }

    /// The peer's IP address, for a TCP peer.
    pub fn ip(&self) -> Option<IpAddr> {
        self.as_inet().map(|a| a.ip())
    }

    fn from_sockaddr(address: &SockAddr) -> Option<Address> {
        if let Some(inet) = address.as_socket() {
            return Some(Address::Inet(inet));
        }
        UnixAddress::from_sockaddr(address).map(Address::Unix)
    }
}

impl From<SocketAddr> for Address {
    fn from(address: SocketAddr) -> Address {
        Address::Inet(address)
    }
}

impl fmt::Display for Address {
    /// `1.2.3.4:80`, `[::1]:80`, a Unix socket's path, or `""` for an unnamed Unix peer
    /// (as Tornado shows it).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Inet(address) => address.fmt(f),
            Address::Unix(address) => address.fmt(f),
        }
    }
}

/// A connection accepted from a [`Listener`]: a non-blocking, close-on-exec socket.
#[derive(Debug)]
pub enum Connection {
    /// Over TCP.
    Tcp(TcpStream),
    /// Over a Unix socket.
    Unix(UnixStream),
}

impl Connection {
    /// The connection's descriptor.
    pub fn fileno(&self) -> RawFd {
        match self {
            Connection::Tcp(s) => s.as_raw_fd(),
            Connection::Unix(s) => s.as_raw_fd(),
        }
    }

    /// Wraps the connection in an [`IOStream`] on `io_loop` (the socket is already
    /// non-blocking).
    pub fn into_iostream(
        self,
        io_loop: &IOLoop,
        options: IOStreamOptions,
    ) -> tornado_iostream::Result<IOStream> {
        match self {
            Connection::Tcp(s) => IOStream::with_loop(io_loop, Box::new(s), options),
            Connection::Unix(s) => IOStream::with_loop(io_loop, Box::new(s), options),
        }
    }
}

/// A listening socket (TCP or Unix), as `bind_sockets` and `bind_unix_socket` make and
/// `TCPServer::add_sockets` takes. Closed when dropped.
///
/// Any listening `std::net::TcpListener`, `std::os::unix::net::UnixListener` or
/// `socket2::Socket` converts into one.
pub struct Listener {
    socket: Socket,
}

impl Listener {
    /// The local TCP address, or `None` for a Unix socket.
    pub fn local_addr(&self) -> Option<SocketAddr> {
        self.socket.local_addr().ok()?.as_socket()
    }

    /// The local port, for a TCP socket.
    pub fn port(&self) -> Option<u16> {
        self.local_addr().map(|a| a.port())
    }

    /// The local address of a Unix socket.
    pub fn unix_addr(&self) -> Option<UnixAddress> {
        UnixAddress::from_sockaddr(&self.socket.local_addr().ok()?)
    }

    /// The descriptor (Tornado's `fileno()`).
    pub fn fileno(&self) -> RawFd {
        self.socket.as_raw_fd()
    }

    /// The socket, for options this type does not cover.
    pub fn socket(&self) -> &Socket {
        &self.socket
    }

    /// Gives back the socket.
    pub fn into_socket(self) -> Socket {
        self.socket
    }

    /// Accepts one connection: non-blocking and close-on-exec from the start (one system
    /// call, `accept4`).
    pub fn accept(&self) -> io::Result<(Connection, Address)> {
        let (socket, address) = self
            .socket
            .accept4(libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC)?;
        let Some(peer) = Address::from_sockaddr(&address) else {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                "accepted a connection of an unknown address family",
            ));
        };
        let connection = match peer {
            Address::Inet(_) => Connection::Tcp(socket.into()),
            Address::Unix(_) => Connection::Unix(socket.into()),
        };
        Ok((connection, peer))
    }
}

impl From<Socket> for Listener {
    fn from(socket: Socket) -> Listener {
        Listener { socket }
    }
}

impl From<TcpListener> for Listener {
    fn from(listener: TcpListener) -> Listener {
        Listener {
            socket: listener.into(),
        }
    }
}

impl From<UnixListener> for Listener {
    fn from(listener: UnixListener) -> Listener {
        Listener {
            socket: listener.into(),
        }
    }
}

impl AsFd for Listener {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

impl AsRawFd for Listener {
    fn as_raw_fd(&self) -> RawFd {
        self.socket.as_raw_fd()
    }
}

impl fmt::Debug for Listener {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = f.debug_struct("Listener");
        s.field("fd", &self.fileno());
        match self.local_addr() {
            Some(inet) => s.field("addr", &inet),
            None => s.field("unix", &self.unix_addr()),
        };
        s.finish()
    }
}

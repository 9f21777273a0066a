//! Connecting without blocking the loop.

use std::net::{SocketAddr, TcpStream};
use std::task::Poll;

use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use tornado_ioloop::{Events, IOLoop, Registration};

use crate::error::Result;
use crate::stream::{IOStream, IOStreamOptions};

/// Connects a TCP socket to `address` (from `source` if given), waiting on the current
/// loop for the connection to complete.
pub(crate) async fn connect_tcp(
    address: SocketAddr,
    source: Option<SocketAddr>,
    options: IOStreamOptions,
) -> Result<IOStream> {
    let socket = connecting_socket(address, source)?;
    let io_loop = IOLoop::current();
    // One registration for the whole life of the socket: the wait for the connection puts
    // the descriptor in the poller's set, and the stream keeps it there (taking it out and
    // putting it back in would cost two epoll_ctl(2) per connection).
    let registration = Registration::new(&io_loop, std::os::fd::AsRawFd::as_raw_fd(&socket))?;
    // A socket still connecting has nothing to read either: the stream's first read waits
    // for the peer's data instead of trying a recv(2) that would fail with EAGAIN.
    registration.clear_ready(Events::READ | Events::WRITE);
    // Writable means the connection attempt finished, one way or the other.
    std::future::poll_fn(|cx| match registration.poll_ready(cx, Events::WRITE) {
        Poll::Ready(result) => Poll::Ready(result.map(drop)),
        Poll::Pending => Poll::Pending,
    })
    .await?;
    if let Some(err) = socket.take_error()? {
        return Err(err.into());
    }
    let stream: TcpStream = socket.into();
    Ok(IOStream::with_registration(
        &io_loop,
        registration,
        Box::new(stream),
        options,
    ))
}

/// A non-blocking socket with a connection to `address` under way.
pub(crate) fn connecting_socket(address: SocketAddr, source: Option<SocketAddr>) -> Result<Socket> {
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM.nonblocking().cloexec(),
        Some(Protocol::TCP),
    )?;
    if let Some(source) = source {
        socket.bind(&SockAddr::from(source))?;
    }
    match socket.connect(&SockAddr::from(address)) {
        Ok(()) => {}
        Err(e) if e.raw_os_error() == Some(libc::EINPROGRESS) => {}
        Err(e) => return Err(e.into()),
    }
    Ok(socket)
}

impl IOStream {
    /// Connects to `address` from the local address `source`, with limits: what
    /// `TCPClient` uses. See [`connect`](IOStream::connect).
    pub async fn connect_with(
        address: SocketAddr,
        source: Option<SocketAddr>,
        options: IOStreamOptions,
    ) -> Result<IOStream> {
        connect_tcp(address, source, options).await
    }
}

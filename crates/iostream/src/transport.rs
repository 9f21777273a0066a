//! What an `IOStream` reads from and writes to: a socket, a pipe, or a TLS session over a
//! socket. Every transport is non-blocking: an operation that cannot proceed now fails
//! with `WouldBlock`, and the stream waits on the loop for the descriptor to be ready.

use std::fs::File;
use std::io::{self, IoSlice, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::os::unix::net::UnixStream;

use tornado_ioloop::Events;

/// A non-blocking byte transport.
///
/// Reads wait only for readability and writes only for writability: a transport that must
/// write to make progress on a read (a TLS handshake) queues what it has to send, says so
/// through [`wants_flush`](Self::wants_flush), and the stream's writer sends it.
pub trait Transport: std::fmt::Debug {
    /// The descriptor the loop watches.
    fn fd(&self) -> RawFd;

    /// Reads into `buf`; `Ok(0)` is the end of the stream.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize>;

    /// Writes from `bufs`, returning how much was taken.
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize>;

    /// Writes from one buffer (send(2) on a socket: cheaper in the kernel than a
    /// writev(2) of one slice). By default, [`write_vectored`](Self::write_vectored)
    /// with one slice.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[IoSlice::new(buf)])
    }

    /// A read that returned less than it asked for leaves nothing to read until the
    /// descriptor is readable again, and a write that took less than it was offered
    /// leaves no room until it is writable again (true of plain sockets and pipes; not of
    /// TLS, whose records can hold more than a read takes). The stream then waits for
    /// readiness instead of trying a call that would fail with `WouldBlock`. False by
    /// default.
    fn partial_read_drains(&self) -> bool {
        false
    }

    /// Data the transport holds and must still send (TLS records).
    fn wants_flush(&self) -> bool {
        false
    }

    /// Sends what [`wants_flush`](Self::wants_flush) reported; `WouldBlock` if the
    /// descriptor is not writable.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// Disables Nagle's algorithm, where that means something.
    fn set_nodelay(&self, _nodelay: bool) -> io::Result<()> {
        Ok(())
    }

    /// The local address of a socket.
    fn local_addr(&self) -> Option<SocketAddr> {
        None
    }

    /// The peer's address of a socket.
    fn peer_addr(&self) -> Option<SocketAddr> {
        None
    }

    /// Tells the peer nothing more will be written, if the transport can.
    fn shutdown_write(&mut self) -> io::Result<()> {
        Ok(())
    }

    /// The transport is negotiating (a TLS handshake) and carries no data yet: reads and
    /// writes fail with `WouldBlock`, and the stream's reader and writer wait for the
    /// negotiation to end instead of waiting on the descriptor.
    fn handshaking(&self) -> bool {
        false
    }

    /// Moves the negotiation forward. `Ok(None)` when it is over (or there is none);
    /// `Ok(Some(events))` when it must wait for the descriptor to be readable or writable;
    /// an error when it failed. One task per stream calls this while
    /// [`handshaking`](Self::handshaking) is true.
    fn handshake(&mut self) -> io::Result<Option<Events>> {
        Ok(None)
    }

    /// The TLS session, for a transport that has one.
    #[cfg(feature = "tls")]
    fn tls_connection(&self) -> Option<&rustls::Connection> {
        None
    }
}

impl Transport for TcpStream {
    fn fd(&self) -> RawFd {
        self.as_raw_fd()
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Read::read(self, buf)
    }

    fn partial_read_drains(&self) -> bool {
        true
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        Write::write_vectored(self, bufs)
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Write::write(self, buf)
    }

    fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        TcpStream::set_nodelay(self, nodelay)
    }

    fn local_addr(&self) -> Option<SocketAddr> {
        TcpStream::local_addr(self).ok()
    }

    fn peer_addr(&self) -> Option<SocketAddr> {
        TcpStream::peer_addr(self).ok()
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

impl Transport for UnixStream {
    fn fd(&self) -> RawFd {
        self.as_raw_fd()
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        Read::read(self, buf)
    }

    fn partial_read_drains(&self) -> bool {
        true
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        Write::write_vectored(self, bufs)
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        Write::write(self, buf)
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.shutdown(Shutdown::Write)
    }
}

/// One end of a pipe (or any descriptor read and written with read(2) and write(2)).
#[derive(Debug)]
pub(crate) struct Pipe(File);

impl Pipe {
    /// Takes ownership of `fd` and makes it non-blocking.
    pub(crate) fn new(fd: OwnedFd) -> io::Result<Pipe> {
        let raw = fd.as_raw_fd();
        // SAFETY: F_GETFL and F_SETFL only read and set the status flags of a descriptor
        // we own.
        let set = unsafe {
            let flags = libc::fcntl(raw, libc::F_GETFL);
            flags != -1 && libc::fcntl(raw, libc::F_SETFL, flags | libc::O_NONBLOCK) != -1
        };
        if !set {
            return Err(io::Error::last_os_error());
        }
        Ok(Pipe(File::from(fd)))
    }
}

impl Transport for Pipe {
    fn fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }

    fn partial_read_drains(&self) -> bool {
        true
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0.write_vectored(bufs)
    }

    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }
}

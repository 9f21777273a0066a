//! The TLS transport: a rustls session over a plain transport.
//!
//! The handshake is driven by [`Transport::handshake`], called by the stream's handshake
//! task; meanwhile reads and writes return `WouldBlock` and the stream waits for the
//! handshake to end. Afterwards a read pulls records from the socket, decrypts them and
//! hands out plaintext; a write encrypts and sends the records at once, as far as the
//! socket takes them.
//!
//! A write reports its bytes as taken only once their records have reached the kernel,
//! so that a write's future means the same as on a plain stream. When the socket fills up
//! halfway, the encrypted records wait in rustls and the plaintext is remembered as
//! "taken but unreported"; the stream offers the same bytes again (they stay at the front
//! of its queue), and the next call reports them once their records are out.

use std::fmt;
use std::io::{self, IoSlice, Read, Write};
use std::net::SocketAddr;
use std::os::fd::RawFd;

use rustls::Connection;
use tornado_ioloop::Events;

use crate::transport::Transport;

/// How much plaintext rustls may hold encrypted and unsent: the most one write encrypts.
const SEND_BUFFER_LIMIT: usize = 256 * 1024;

/// A plain transport seen as `std::io::Read + Write`, which rustls reads and writes.
struct Plain<'a>(&'a mut dyn Transport);

impl Read for Plain<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}

impl Write for Plain<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write_vectored(&[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.0.write_vectored(bufs)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Wraps a rustls error as the `io::Error` that closes the stream; its message is
/// rustls' ("invalid peer certificate: ...", "received fatal alert: ...").
pub(crate) fn tls_error(err: rustls::Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, err)
}

/// A TLS session over a plain transport.
pub(crate) struct TlsTransport {
    plain: Box<dyn Transport>,
    conn: Connection,
    /// The handshake is over (and its last records sent).
    established: bool,
    /// The session failed: no close_notify is owed.
    failed: bool,
    /// Plaintext encrypted by an earlier write whose records are not all sent yet.
    unreported: usize,
}

impl TlsTransport {
    pub(crate) fn new(plain: Box<dyn Transport>, mut conn: Connection) -> TlsTransport {
        conn.set_buffer_limit(Some(SEND_BUFFER_LIMIT));
        TlsTransport {
            plain,
            conn,
            established: false,
            failed: false,
            unreported: 0,
        }
    }

    /// Sends pending records until none are left (`Ok`) or the socket is full
    /// (`WouldBlock`).
    fn send_records(&mut self) -> io::Result<()> {
        while self.conn.wants_write() {
            match self.conn.write_tls(&mut Plain(&mut *self.plain)) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    /// Reads records from the socket and processes them. `Ok(true)` when something was
    /// read, `Ok(false)` at the end of the stream.
    fn receive_records(&mut self) -> io::Result<bool> {
        let read = loop {
            match self.conn.read_tls(&mut Plain(&mut *self.plain)) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => break other?,
            }
        };
        if let Err(err) = self.conn.process_new_packets() {
            // rustls has queued an alert telling the peer why; send it if the socket
            // takes it now, and fail.
            self.failed = true;
            let _ = self.send_records();
            return Err(tls_error(err));
        }
        Ok(read > 0)
    }
}

impl Transport for TlsTransport {
    fn fd(&self) -> RawFd {
        self.plain.fd()
    }

    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.established {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        loop {
            match self.conn.reader().read(buf) {
                Ok(n) => return Ok(n),
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                // The peer closed the connection without a close_notify. Python's ssl
                // module (suppress_ragged_eofs) and so Tornado take that as an end of
                // stream, and so do we.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                Err(e) => return Err(e),
            }
            let more = self.receive_records()?;
            if self.conn.wants_write() {
                // Answers to what was read (a key update): send them if we can; the
                // stream's flusher sends the rest.
                match self.send_records() {
                    Err(e) if e.kind() != io::ErrorKind::WouldBlock => return Err(e),
                    _ => {}
                }
            }
            if !more {
                // The end of the stream: the reader now reports it (`Ok(0)` or an
                // unexpected end, handled above).
                match self.conn.reader().read(buf) {
                    Ok(n) => return Ok(n),
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(0),
                    Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(0),
                    Err(e) => return Err(e),
                }
            }
        }
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        if !self.established {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        self.send_records()?;
        if self.unreported > 0 {
            // The records of the bytes taken last time are all out now.
            return Ok(std::mem::take(&mut self.unreported));
        }
        let taken = self.conn.writer().write_vectored(bufs)?;
        if taken == 0 {
            // Nothing to write, or rustls' buffer is full (it was just emptied, so only
            // for empty `bufs`).
            return if bufs.iter().all(|b| b.is_empty()) {
                Ok(0)
            } else {
                Err(io::ErrorKind::WouldBlock.into())
            };
        }
        match self.send_records() {
            Ok(()) => Ok(taken),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                self.unreported = taken;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    fn wants_flush(&self) -> bool {
        self.established && self.conn.wants_write()
    }

    fn flush(&mut self) -> io::Result<()> {
        if !self.established {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        self.send_records()
    }

    fn set_nodelay(&self, nodelay: bool) -> io::Result<()> {
        self.plain.set_nodelay(nodelay)
    }

    fn local_addr(&self) -> Option<SocketAddr> {
        self.plain.local_addr()
    }

    fn peer_addr(&self) -> Option<SocketAddr> {
        self.plain.peer_addr()
    }

    fn shutdown_write(&mut self) -> io::Result<()> {
        self.conn.send_close_notify();
        let _ = self.send_records();
        self.plain.shutdown_write()
    }

    fn handshaking(&self) -> bool {
        !self.established
    }

    fn handshake(&mut self) -> io::Result<Option<Events>> {
        while !self.established {
            match self.send_records() {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Some(Events::WRITE)),
                Err(e) => return Err(e),
            }
            if !self.conn.is_handshaking() {
                self.established = true;
                break;
            }
            match self.receive_records() {
                Ok(true) => {}
                Ok(false) => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "peer closed the connection during the TLS handshake",
                    ));
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(Some(Events::READ)),
                Err(e) => return Err(e),
            }
        }
        Ok(None)
    }

    fn tls_connection(&self) -> Option<&Connection> {
        Some(&self.conn)
    }
}

impl Drop for TlsTransport {
    fn drop(&mut self) {
        // Say goodbye properly (close_notify), and give the records still queued (ours
        // or the alert) one chance to leave; the socket closes right after.
        if self.established && !self.failed {
            self.conn.send_close_notify();
        }
        let _ = self.send_records();
    }
}

impl fmt::Debug for TlsTransport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsTransport")
            .field("plain", &self.plain)
            .field("established", &self.established)
            .field("protocol", &self.conn.protocol_version())
            .finish_non_exhaustive()
    }
}

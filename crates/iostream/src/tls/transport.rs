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

/// How much one read(2) of records asks for. rustls alone reads 4 KiB at a time; we read
/// big and hand it the records from memory.
const RECEIVE_CHUNK: usize = 256 * 1024;

thread_local! {
    /// The buffer every read(2) of records lands in, one per thread.
    static RECORDS: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
}

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
    /// Records read from the socket that rustls could not take yet (its plaintext
    /// buffer was full): `pending[pending_start..]`. Empty and unallocated when idle.
    pending: Vec<u8>,
    pending_start: usize,
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
            pending: Vec::new(),
            pending_start: 0,
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

impl TlsTransport {
    /// Hands rustls records from `data` until it takes no more (its plaintext buffer is
    /// full) or `data` is used up, decrypting them. Returns how much it took.
    fn feed(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut rest = data;
        while !rest.is_empty() {
            match self.conn.read_tls(&mut rest) {
                Ok(0) => break,
                Ok(_) => {}
                // "received plaintext buffer full": the caller drains it first.
                Err(e) if e.kind() == io::ErrorKind::Other => break,
                Err(e) => return Err(e),
            }
            if let Err(err) = self.conn.process_new_packets() {
                self.failed = true;
                let _ = self.send_records();
                return Err(tls_error(err));
            }
        }
        Ok(data.len() - rest.len())
    }

    /// Feeds the records kept from an earlier read. `Ok(true)` if rustls took some.
    fn feed_pending(&mut self) -> io::Result<bool> {
        let pending = std::mem::take(&mut self.pending);
        let taken = self.feed(&pending[self.pending_start..])?;
        self.pending_start += taken;
        if self.pending_start < pending.len() {
            self.pending = pending;
        } else {
            self.pending_start = 0;
        }
        Ok(taken > 0)
    }

    /// Reads records from the socket and feeds them to rustls, keeping what it cannot
    /// take yet. `Ok(true)` if anything was read; at the end of the stream, rustls is
    /// told so and the reader reports it.
    fn read_socket(&mut self) -> io::Result<bool> {
        RECORDS.with(|records| {
            let mut records = records.borrow_mut();
            if records.len() < RECEIVE_CHUNK {
                records.resize(RECEIVE_CHUNK, 0);
            }
            let n = loop {
                match self.plain.read(&mut records[..]) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    other => break other?,
                }
            };
            if n == 0 {
                self.conn.read_tls(&mut &[][..])?;
                if let Err(err) = self.conn.process_new_packets() {
                    self.failed = true;
                    return Err(tls_error(err));
                }
                return Ok(true);
            }
            let taken = self.feed(&records[..n])?;
            if taken < n {
                self.pending.extend_from_slice(&records[taken..n]);
            }
            Ok(true)
        })
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
        let mut filled = 0;
        let mut stalled = false;
        loop {
            // Plaintext rustls has already decrypted.
            match self.conn.reader().read(&mut buf[filled..]) {
                // A close_notify: the end of the stream, after what was read.
                Ok(0) => return Ok(filled),
                Ok(n) => {
                    filled += n;
                    if filled == buf.len() {
                        return Ok(filled);
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                // The peer closed the connection without a close_notify. Python's ssl
                // module (suppress_ragged_eofs) and so Tornado take that as an end of
                // stream, and so do we.
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(filled),
                Err(e) => return Err(e),
            }
            let progress = if self.pending_start < self.pending.len() {
                self.feed_pending()?
            } else {
                match self.read_socket() {
                    Ok(progress) => progress,
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock && filled > 0 => {
                        return Ok(filled);
                    }
                    Err(e) => return Err(e),
                }
            };
            if self.conn.wants_write() {
                // Answers to what was read (a key update): send them if we can; the
                // stream's flusher sends the rest.
                match self.send_records() {
                    Err(e) if e.kind() != io::ErrorKind::WouldBlock => return Err(e),
                    _ => {}
                }
            }
            // rustls refuses records only while it holds plaintext (drained above) or
            // after a close_notify (reported above): twice in a row is a bug, not a
            // reason to spin.
            if progress {
                stalled = false;
            } else if std::mem::replace(&mut stalled, true) {
                return Err(io::Error::other("TLS records could not be processed"));
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

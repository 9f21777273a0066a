//! TLS on `IOStream`: the constructors, `start_tls`, the handshake task,
//! `wait_for_handshake`, and what the session negotiated.

use std::future::{Future, poll_fn};
use std::net::{SocketAddr, TcpStream};
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::sync::Arc;
use std::task::{Context, Poll};

use rustls::{ClientConnection, Connection, ServerConnection};
use rustls_pki_types::{CertificateDer, ServerName};

use super::SslConfig;
use super::config::{server_name, ssl_options_to_client_config, ssl_options_to_server_config};
use super::transport::TlsTransport;
use crate::error::{Error, Result};
use crate::stream::{IOStream, IOStreamOptions, Inner, Io};

impl IOStream {
    /// A server-side TLS stream over an accepted TCP connection (Tornado's
    /// `SSLIOStream(ssl_context.wrap_socket(connection, server_side=True))`), on the
    /// current loop. The handshake starts at once, in the background; reads and writes
    /// wait for it, and [`wait_for_handshake`](Self::wait_for_handshake) waits for it
    /// explicitly.
    ///
    /// Build `config` once with
    /// [`ssl_options_to_server_config`](crate::ssl_options_to_server_config) and share it
    /// between connections.
    pub fn from_tcp_tls_server(
        stream: TcpStream,
        config: Arc<rustls::ServerConfig>,
    ) -> Result<IOStream> {
        IOStream::from_tcp_tls_server_with(stream, config, IOStreamOptions::default())
    }

    /// [`from_tcp_tls_server`](Self::from_tcp_tls_server) with limits.
    pub fn from_tcp_tls_server_with(
        stream: TcpStream,
        config: Arc<rustls::ServerConfig>,
        options: IOStreamOptions,
    ) -> Result<IOStream> {
        let stream = IOStream::from_tcp_with(stream, options)?;
        let conn = ServerConnection::new(config).map_err(|e| Error::TlsConfig(e.to_string()))?;
        stream.inner.wrap_in_tls(conn.into())?;
        Ok(stream)
    }

    /// Connects to `address` over TLS and completes the handshake (Tornado's
    /// `SSLIOStream.connect(address, server_hostname)`).
    ///
    /// `server_hostname` is sent as SNI and checked against the certificate; `None` uses
    /// the address's IP (checked against the certificate's IP addresses). `config` is
    /// [`SslOptions`](crate::SslOptions) (the default verifies against the webpki roots)
    /// or a ready `ClientConfig`. A failed handshake is an [`Error::Closed`] whose cause
    /// is the TLS error ("invalid peer certificate: ...").
    pub async fn connect_tls(
        address: SocketAddr,
        server_hostname: Option<&str>,
        config: impl Into<SslConfig>,
    ) -> Result<IOStream> {
        IOStream::connect_tls_with(address, None, server_hostname, config, Default::default()).await
    }

    /// [`connect_tls`](Self::connect_tls) from the local address `source`, with limits:
    /// what `TCPClient` uses.
    pub async fn connect_tls_with(
        address: SocketAddr,
        source: Option<SocketAddr>,
        server_hostname: Option<&str>,
        config: impl Into<SslConfig>,
        options: IOStreamOptions,
    ) -> Result<IOStream> {
        // Bad options fail before any connection is made.
        let config = ssl_options_to_client_config(config)?;
        let name = match server_hostname {
            Some(host) => server_name(host)?,
            None => ServerName::IpAddress(address.ip().into()),
        };
        let stream = IOStream::connect_with(address, source, options).await?;
        let conn =
            ClientConnection::new(config, name).map_err(|e| Error::TlsConfig(e.to_string()))?;
        stream.inner.wrap_in_tls(conn.into())?;
        stream.wait_for_handshake().await
    }

    /// Switches this plain stream to TLS (Tornado's `start_tls`), for protocols that
    /// begin in clear text and upgrade (SMTP's and IMAP's `STARTTLS`).
    ///
    /// The stream must be idle: no read in flight, nothing buffered, no write queued;
    /// otherwise this fails at once with [`Error::NotIdle`] (data still in the kernel's
    /// buffers is fine). It is converted in place — every handle of it, and its close
    /// callback, carry over — and the returned future resolves to the stream when the
    /// handshake is done. `options` are server options when `server_side`, client
    /// options otherwise (`SslOptions::default()` verifies the server, as Tornado's
    /// defaults do); `server_hostname` is the name a client sends and checks (`None`: the
    /// peer's IP address).
    pub fn start_tls(
        &self,
        server_side: bool,
        options: impl Into<SslConfig>,
        server_hostname: Option<&str>,
    ) -> Result<HandshakeFuture> {
        {
            let state = self.inner.state.borrow();
            if state.closed
                || state.reading
                || !state.buffer.is_empty()
                || !state.queue.is_empty()
                || state.flushing
            {
                return Err(Error::NotIdle);
            }
        }
        if self.is_tls() {
            return Err(Error::TlsConfig("the stream already uses TLS".to_owned()));
        }
        let conn: Connection = if server_side {
            let config = ssl_options_to_server_config(options)?;
            ServerConnection::new(config)
                .map_err(|e| Error::TlsConfig(e.to_string()))?
                .into()
        } else {
            let config = ssl_options_to_client_config(options)?;
            let name = match server_hostname {
                Some(host) => server_name(host)?,
                None => match self.peer_addr() {
                    Some(peer) => ServerName::IpAddress(peer.ip().into()),
                    None => {
                        return Err(Error::TlsConfig(
                            "server_hostname is required for a stream that is not TCP".to_owned(),
                        ));
                    }
                },
            };
            ClientConnection::new(config, name)
                .map_err(|e| Error::TlsConfig(e.to_string()))?
                .into()
        };
        self.inner.wrap_in_tls(conn)?;
        Ok(self.wait_for_handshake())
    }

    /// Waits for the TLS handshake to complete, and gives the stream back (Tornado's
    /// `wait_for_handshake`). For server-side streams and after `start_tls`;
    /// [`connect_tls`](Self::connect_tls) has already waited.
    ///
    /// One wait at a time: calling this while an earlier wait (or `start_tls`'s future)
    /// is pending gives a future that fails with [`Error::AlreadyWaiting`]. Once the
    /// handshake is done, every wait resolves at once, and so it does on a stream without
    /// TLS. A failed handshake fails the wait with the stream's closed error.
    pub fn wait_for_handshake(&self) -> HandshakeFuture {
        let claimed = {
            let mut state = self.inner.state.borrow_mut();
            !std::mem::replace(&mut state.handshake_claimed, true)
        };
        HandshakeFuture {
            inner: self.inner.clone(),
            claimed,
        }
    }

    /// The stream runs over TLS.
    pub fn is_tls(&self) -> bool {
        self.with_tls(|_| ()).is_some()
    }

    /// The ALPN protocol the handshake agreed on, if any (Python's
    /// `SSLSocket.selected_alpn_protocol()`).
    pub fn selected_alpn_protocol(&self) -> Option<Vec<u8>> {
        self.with_tls(|conn| conn.alpn_protocol().map(<[u8]>::to_vec))
            .flatten()
    }

    /// The peer's certificate chain, leaf first, as DER; `None` before the handshake, on
    /// a plain stream, or when the peer sent none.
    pub fn peer_certificates(&self) -> Option<Vec<CertificateDer<'static>>> {
        self.with_tls(|conn| conn.peer_certificates().map(<[_]>::to_vec))
            .flatten()
    }

    /// The peer's certificate in DER form (Tornado's
    /// `get_ssl_certificate(binary_form=True)`): on a server, the client's certificate.
    pub fn get_ssl_certificate(&self) -> Option<Vec<u8>> {
        self.with_tls(|conn| {
            conn.peer_certificates()
                .and_then(|chain| chain.first())
                .map(|cert| cert.to_vec())
        })
        .flatten()
    }

    /// On a server, the host name the client asked for with SNI.
    pub fn sni_hostname(&self) -> Option<String> {
        self.with_tls(|conn| match conn {
            Connection::Server(server) => server.server_name().map(str::to_owned),
            Connection::Client(_) => None,
        })
        .flatten()
    }

    /// The negotiated cipher suite's name (`TLS13_AES_256_GCM_SHA384`...), once the
    /// handshake is done (Python's `SSLSocket.cipher()`, its first item).
    pub fn cipher(&self) -> Option<String> {
        self.with_tls(|conn| {
            conn.negotiated_cipher_suite()
                .and_then(|suite| suite.suite().as_str())
                .map(str::to_owned)
        })
        .flatten()
    }

    /// The negotiated protocol version (`TLSv1_3`...), once the handshake is done.
    pub fn tls_version(&self) -> Option<String> {
        self.with_tls(|conn| {
            conn.protocol_version()
                .and_then(|version| version.as_str())
                .map(str::to_owned)
        })
        .flatten()
    }

    fn with_tls<T>(&self, f: impl FnOnce(&Connection) -> T) -> Option<T> {
        let io = self.inner.io.borrow();
        io.as_ref()?.transport.tls_connection().map(f)
    }
}

impl Inner {
    /// Puts the stream's transport inside a TLS session and starts the handshake.
    fn wrap_in_tls(self: &Rc<Self>, conn: Connection) -> Result<()> {
        {
            let mut io = self.io.borrow_mut();
            let Some(Io {
                registration,
                transport,
            }) = io.take()
            else {
                return Err(self.closed_error());
            };
            *io = Some(Io {
                registration,
                transport: Box::new(TlsTransport::new(transport, conn)),
            });
        }
        self.io_loop
            .spawn_callback(drive_handshake(Rc::downgrade(self)));
        Ok(())
    }
}

/// The handshake task: moves the handshake forward whenever the socket is ready for it,
/// then wakes everyone who waited. A failure closes the stream with the error.
async fn drive_handshake(weak: Weak<Inner>) {
    poll_fn(|cx| {
        let Some(inner) = weak.upgrade() else {
            return Poll::Ready(());
        };
        loop {
            let step = match inner.io.borrow_mut().as_mut() {
                Some(io) => io.transport.handshake(),
                // Closed meanwhile; closing woke the waiters.
                None => return Poll::Ready(()),
            };
            match step {
                Ok(None) => {
                    inner.wake_handshake_waiters();
                    return Poll::Ready(());
                }
                Ok(Some(events)) => {
                    let io = inner.io.borrow();
                    let Some(io) = io.as_ref() else {
                        return Poll::Ready(());
                    };
                    io.registration.clear_ready(events);
                    if io.registration.poll_ready(cx, events).is_pending() {
                        return Poll::Pending;
                    }
                }
                Err(err) => {
                    if err.kind() == std::io::ErrorKind::InvalidData {
                        let fd = inner.io.borrow().as_ref().map(|io| io.transport.fd());
                        let peer = inner
                            .io
                            .borrow()
                            .as_ref()
                            .and_then(|io| io.transport.peer_addr())
                            .map_or_else(|| "(not connected)".to_owned(), |a| a.to_string());
                        log::warn!(
                            target: "tornado.general",
                            "SSL Error on {} {peer}: {err}",
                            fd.unwrap_or(-1)
                        );
                    }
                    inner.close(Some(err));
                    return Poll::Ready(());
                }
            }
        }
    })
    .await
}

/// The future of [`IOStream::wait_for_handshake`] and [`IOStream::start_tls`]: the stream,
/// once its handshake is done.
#[must_use = "the handshake goes on anyway; await the future to know when it is done"]
pub struct HandshakeFuture {
    inner: Rc<Inner>,
    /// This future holds the stream's one wait; otherwise it fails with `AlreadyWaiting`.
    claimed: bool,
}

impl HandshakeFuture {
    fn release(&mut self) {
        if std::mem::take(&mut self.claimed) {
            self.inner.state.borrow_mut().handshake_claimed = false;
        }
    }
}

impl Future for HandshakeFuture {
    type Output = Result<IOStream>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<IOStream>> {
        if !self.claimed {
            return Poll::Ready(Err(Error::AlreadyWaiting));
        }
        let handshaking = {
            if self.inner.state.borrow().closed {
                self.release();
                return Poll::Ready(Err(self.inner.closed_error()));
            }
            self.inner
                .io
                .borrow()
                .as_ref()
                .is_some_and(|io| io.transport.handshaking())
        };
        if handshaking {
            self.inner.wait_for_handshake_end(cx);
            return Poll::Pending;
        }
        self.release();
        Poll::Ready(Ok(IOStream {
            inner: self.inner.clone(),
        }))
    }
}

impl Drop for HandshakeFuture {
    fn drop(&mut self) {
        self.release();
    }
}

impl std::fmt::Debug for HandshakeFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HandshakeFuture")
            .field("claimed", &self.claimed)
            .finish_non_exhaustive()
    }
}

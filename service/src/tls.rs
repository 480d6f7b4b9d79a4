//! TLS over any [`Transport`], driven here once with rustls (ring provider): the server side
//! (after SSLRequest, or direct TLS with ALPN `postgresql`) and the client side.

use std::io::{self, Read, Write};
use std::path::Path;
use std::sync::Arc;

use bytes::{Buf, BufMut, BytesMut};
use pgproto::auth::channel_binding::{tls_server_end_point, EndPoint};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use crate::transport::{read_some, Read as ReadOutcome, Transport};
use core::future::Future;

/// The ALPN protocol name PostgreSQL uses (required for direct TLS).
pub const ALPN_POSTGRESQL: &[u8] = b"postgresql";

/// A server's TLS settings: the rustls configuration and the certificate's channel binding data.
#[derive(Clone)]
pub struct TlsAcceptor {
    config: Arc<rustls::ServerConfig>,
    end_point: Option<EndPoint>,
}

impl core::fmt::Debug for TlsAcceptor {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsAcceptor")
            .field("channel_binding", &self.end_point.is_some())
            .finish_non_exhaustive()
    }
}

/// The ring crypto provider every TLS configuration here uses.
pub fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e.to_string())
}

impl TlsAcceptor {
    /// From a PEM certificate chain (leaf first) and a PEM private key.
    pub fn from_pem_files(cert: &Path, key: &Path) -> io::Result<Self> {
        let certs = CertificateDer::pem_file_iter(cert)
            .map_err(|e| invalid(format!("{}: {e}", cert.display())))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(format!("{}: {e}", cert.display())))?;
        let key = PrivateKeyDer::from_pem_file(key)
            .map_err(|e| invalid(format!("{}: {e}", key.display())))?;
        Self::new(certs, key)
    }

    /// From a DER certificate chain (leaf first) and its private key.
    pub fn new(
        certs: Vec<CertificateDer<'static>>,
        key: PrivateKeyDer<'static>,
    ) -> io::Result<Self> {
        let end_point = certs.first().and_then(|c| tls_server_end_point(c));
        let mut config = rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .map_err(invalid)?
            .with_no_client_auth()
            .with_single_cert(certs, key)
            .map_err(invalid)?;
        config.alpn_protocols = vec![ALPN_POSTGRESQL.to_vec()];
        Ok(Self {
            config: Arc::new(config),
            end_point,
        })
    }

    /// The `tls-server-end-point` data for SCRAM-SHA-256-PLUS, if the certificate allows it.
    pub fn channel_binding(&self) -> Option<&[u8]> {
        self.end_point.as_deref()
    }

    /// Runs the server handshake on `io`; `early` holds bytes already read from it (the start
    /// of a direct-TLS ClientHello). With `direct`, the client must have negotiated ALPN
    /// `postgresql`, as PostgreSQL 17 requires.
    pub async fn accept<T: Transport>(
        &self,
        io: T,
        early: &[u8],
        direct: bool,
    ) -> io::Result<Tls<T>> {
        let conn = rustls::ServerConnection::new(self.config.clone()).map_err(invalid)?;
        let tls = Tls::handshake(io, conn.into(), early).await?;
        if direct && tls.conn.alpn_protocol() != Some(ALPN_POSTGRESQL) {
            return Err(invalid("direct TLS connection without ALPN \"postgresql\""));
        }
        Ok(tls)
    }
}

/// A TLS stream over a transport; itself a [`Transport`].
pub struct Tls<T> {
    io: T,
    conn: rustls::Connection,
    /// Ciphertext read but not yet handed to rustls.
    raw: BytesMut,
    /// Ciphertext to send.
    out: BytesMut,
    /// The peer closed the stream (or sent close_notify).
    eof: bool,
}

impl<T> core::fmt::Debug for Tls<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Tls")
            .field("eof", &self.eof)
            .finish_non_exhaustive()
    }
}

impl<T: Transport> Tls<T> {
    /// Completes a handshake for `tls` over `io`, starting from `early` bytes already read.
    pub async fn handshake(io: T, tls: rustls::Connection, early: &[u8]) -> io::Result<Self> {
        let mut this = Self {
            io,
            conn: tls,
            raw: BytesMut::from(early),
            out: BytesMut::new(),
            eof: false,
        };
        loop {
            let process = this.process();
            this.send_pending().await?;
            process?;
            if !this.conn.is_handshaking() {
                return Ok(this);
            }
            if this.eof {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            if read_some(&mut this.io, &mut this.raw).await? == 0 {
                this.eof = true;
            }
        }
    }

    /// The negotiated ALPN protocol.
    pub fn alpn_protocol(&self) -> Option<&[u8]> {
        self.conn.alpn_protocol()
    }

    /// The peer's certificate chain (leaf first), on the client side.
    pub fn peer_certificates(&self) -> Option<&[CertificateDer<'static>]> {
        self.conn.peer_certificates()
    }

    /// Hands buffered ciphertext to rustls; returns how much plaintext is ready.
    fn process(&mut self) -> io::Result<usize> {
        loop {
            let n = if self.raw.is_empty() {
                0
            } else {
                let mut slice = &self.raw[..];
                let n = self.conn.read_tls(&mut slice)?;
                self.raw.advance(n);
                n
            };
            let state = self.conn.process_new_packets().map_err(invalid)?;
            if state.peer_has_closed() {
                self.eof = true;
            }
            if n == 0 || self.raw.is_empty() {
                return Ok(state.plaintext_bytes_to_read());
            }
        }
    }

    /// Writes what rustls has to send (handshake records, alerts, application data).
    async fn send_pending(&mut self) -> io::Result<()> {
        let mut out = (&mut self.out).writer();
        while self.conn.wants_write() {
            self.conn.write_tls(&mut out)?;
        }
        if self.out.is_empty() {
            return Ok(());
        }
        self.io.write_all(&mut self.out).await
    }
}

impl<T: Transport> Transport for Tls<T> {
    async fn read<S: Future + Unpin>(
        &mut self,
        buf: &mut BytesMut,
        stop: &mut S,
    ) -> ReadOutcome<S::Output> {
        // Only whole plaintext (or the end) completes a read: a partial record reads on.
        loop {
            let ready = match self.process() {
                Ok(n) => n,
                Err(e) => return ReadOutcome::Done(Err(e)),
            };
            if ready > 0 {
                let start = buf.len();
                buf.resize(start + ready, 0);
                let r = self.conn.reader().read(&mut buf[start..]);
                buf.truncate(start + *r.as_ref().unwrap_or(&0));
                return ReadOutcome::Done(r);
            }
            if self.eof {
                return ReadOutcome::Done(Ok(0));
            }
            match self.io.read(&mut self.raw, stop).await {
                ReadOutcome::Done(Ok(0)) => self.eof = true,
                ReadOutcome::Done(Ok(_)) => {}
                other => return other,
            }
        }
    }

    async fn write_all(&mut self, buf: &mut BytesMut) -> io::Result<()> {
        self.conn.writer().write_all(buf)?;
        buf.clear();
        self.send_pending().await
    }
}

/// The transport, before and after TLS.
pub(crate) enum Stream<T> {
    Plain(T),
    Tls(Box<Tls<T>>),
    /// Only while a TLS handshake runs.
    Upgrading,
}

impl<T: Transport> Transport for Stream<T> {
    async fn read<S: Future + Unpin>(
        &mut self,
        buf: &mut BytesMut,
        stop: &mut S,
    ) -> ReadOutcome<S::Output> {
        match self {
            Self::Plain(t) => t.read(buf, stop).await,
            Self::Tls(t) => t.read(buf, stop).await,
            Self::Upgrading => ReadOutcome::Done(Err(io::ErrorKind::NotConnected.into())),
        }
    }

    async fn write_all(&mut self, buf: &mut BytesMut) -> io::Result<()> {
        match self {
            Self::Plain(t) => t.write_all(buf).await,
            Self::Tls(t) => t.write_all(buf).await,
            Self::Upgrading => Err(io::ErrorKind::NotConnected.into()),
        }
    }
}

/// A client's TLS settings.
#[derive(Clone)]
pub struct TlsConnector {
    config: Arc<rustls::ClientConfig>,
    server_name: rustls::pki_types::ServerName<'static>,
}

impl core::fmt::Debug for TlsConnector {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TlsConnector")
            .field("server_name", &self.server_name)
            .finish_non_exhaustive()
    }
}

/// Accepts any server certificate: libpq's `sslmode=require` (encryption without
/// authentication of the server). Signatures are still checked.
#[derive(Debug)]
struct AnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

impl TlsConnector {
    /// With a rustls configuration of the caller's (roots, verification); ALPN `postgresql` is
    /// added. `server_name` is checked against the certificate.
    pub fn new(mut config: rustls::ClientConfig, server_name: &str) -> io::Result<Self> {
        config.alpn_protocols = vec![ALPN_POSTGRESQL.to_vec()];
        let server_name =
            rustls::pki_types::ServerName::try_from(server_name.to_owned()).map_err(invalid)?;
        Ok(Self {
            config: Arc::new(config),
            server_name,
        })
    }

    /// libpq's `sslmode=require`: encrypted, but any certificate is accepted.
    pub fn without_verification() -> io::Result<Self> {
        let provider = provider();
        let config = rustls::ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(invalid)?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(provider)))
            .with_no_client_auth();
        Self::new(config, "localhost")
    }

    /// Runs the client handshake; returns the stream and the server certificate's
    /// `tls-server-end-point` data (for SCRAM-SHA-256-PLUS).
    pub async fn connect<T: Transport>(&self, io: T) -> io::Result<(Tls<T>, Option<EndPoint>)> {
        let conn = rustls::ClientConnection::new(self.config.clone(), self.server_name.clone())
            .map_err(invalid)?;
        let tls = Tls::handshake(io, conn.into(), &[]).await?;
        let end_point = tls
            .peer_certificates()
            .and_then(|c| c.first())
            .and_then(|c| tls_server_end_point(c));
        Ok((tls, end_point))
    }
}

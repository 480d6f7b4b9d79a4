//! [`ServerConnection`]: the state every phase shares, the poll loop, closing and timeouts.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::error::{sqlstate, ServerError};
use super::prepared::{Portal, Statement};
use super::session::Wait;
use super::startup::AuthStep;
use super::{Instant, Progress, Secrets, ServerConfig, ServerConnectionError};
use crate::message::{ProtocolVersion, TransactionStatus};
use crate::WriteBuf;

/// Where the connection stands.
pub(crate) enum Phase {
    /// Expecting a startup-phase packet.
    Startup { ssl_done: bool, gss_done: bool },
    /// SSLRequest received: waiting for `accept_tls` / `refuse_tls`.
    SslAnswer { gss_done: bool },
    /// `S` sent: the caller does the TLS handshake, then `tls_established`.
    TlsHandshake,
    /// StartupMessage accepted: waiting for `authenticate` / `reject`.
    Credentials,
    /// Exchanging authentication messages.
    Auth(AuthStep),
    /// AuthenticationOk sent: waiting for `start_session` (or `terminate`, e.g. for an unknown
    /// database, which PostgreSQL checks after authentication). `announced` once the event went out.
    Authenticated { announced: bool },
    /// Logged in.
    Session(Wait),
    /// Over.
    Closed,
}

/// The server side of one connection, as a state machine: bytes in, events and frames out.
pub struct ServerConnection {
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) secrets: Secrets,
    pub(crate) phase: Phase,
    pub(crate) flush: bool,
    pub(crate) started: Instant,
    pub(crate) idle_since: Option<Instant>,
    pub(crate) tls: bool,
    pub(crate) channel_binding: Option<Vec<u8>>,
    pub(crate) protocol: ProtocolVersion,
    pub(crate) user: Vec<u8>,
    pub(crate) application_name: Option<String>,
    pub(crate) status: TransactionStatus,
    /// After an error in an extended-query batch: skip messages until Sync.
    pub(crate) discard_until_sync: bool,
    pub(crate) unnamed_statement: Option<Box<Statement>>,
    pub(crate) statements: BTreeMap<Vec<u8>, Statement>,
    pub(crate) unnamed_portal: Option<Box<Portal>>,
    pub(crate) portals: BTreeMap<Vec<u8>, Portal>,
    /// Storage kept from dropped unnamed statements and portals, reused to avoid allocating.
    /// Boxed, so that an idle connection that never used them stays small.
    pub(crate) spare_statement: Option<Box<Statement>>,
    pub(crate) spare_portal: Option<Box<Portal>>,
    pub(crate) next_id: u64,
    /// SQLSTATE of the last error the connection sent by itself.
    pub(crate) last_code: &'static str,
}

impl core::fmt::Debug for ServerConnection {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ServerConnection")
            .field("pid", &self.secrets.pid)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl ServerConnection {
    /// A connection that has just been accepted, at time `now`. A server shares one
    /// configuration among its connections (`Arc<ServerConfig>`).
    pub fn new(config: impl Into<Arc<ServerConfig>>, secrets: Secrets, now: Instant) -> Self {
        Self {
            config: config.into(),
            secrets,
            phase: Phase::Startup {
                ssl_done: false,
                gss_done: false,
            },
            flush: false,
            started: now,
            idle_since: None,
            tls: false,
            channel_binding: None,
            protocol: ProtocolVersion::V3_0,
            user: Vec::new(),
            application_name: None,
            status: TransactionStatus::Idle,
            discard_until_sync: false,
            unnamed_statement: None,
            statements: BTreeMap::new(),
            unnamed_portal: None,
            portals: BTreeMap::new(),
            spare_statement: None,
            spare_portal: None,
            next_id: 1,
            last_code: sqlstate::PROTOCOL_VIOLATION,
        }
    }

    /// Handles as much of `input` as possible without the application; returns the next event,
    /// or why it stopped. `now` is the current time (for the idle timeouts).
    pub fn poll_event<'a, B: WriteBuf + ?Sized>(
        &mut self,
        now: Instant,
        input: &'a [u8],
        out: &mut B,
    ) -> Result<Progress<'a>, ServerConnectionError> {
        let progress = match self.phase {
            Phase::Startup { ssl_done, gss_done } => {
                self.poll_startup(input, out, ssl_done, gss_done)?
            }
            Phase::SslAnswer { .. } | Phase::Credentials | Phase::TlsHandshake => {
                Progress::Blocked { consumed: 0 }
            }
            Phase::Auth(_) => self.poll_auth(input, out)?,
            Phase::Authenticated { announced: false } => {
                self.phase = Phase::Authenticated { announced: true };
                Progress::Event {
                    event: super::Event::Authenticated,
                    consumed: 0,
                }
            }
            Phase::Authenticated { announced: true } => Progress::Blocked { consumed: 0 },
            Phase::Session(_) => self.poll_session(input, out)?,
            Phase::Closed => Progress::Closed { consumed: 0 },
        };
        self.idle_since = match (&progress, &self.phase) {
            (Progress::NeedData { .. }, Phase::Session(Wait::Idle)) => {
                Some(self.idle_since.unwrap_or(now))
            }
            _ => None,
        };
        Ok(progress)
    }

    /// The client closed its side: nothing more will arrive.
    pub fn handle_eof(&mut self) {
        self.phase = Phase::Closed;
    }

    /// Whether the output written so far must be sent now (PostgreSQL would flush here): after
    /// ReadyForQuery, Flush, an authentication request, a COPY response, a FATAL error, or an
    /// asynchronous message while idle. Reading it clears it.
    pub fn take_flush(&mut self) -> bool {
        core::mem::take(&mut self.flush)
    }

    /// Whether the connection is over (after flushing the output, close the socket).
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// Whether the session is logged in.
    pub fn is_authenticated(&self) -> bool {
        matches!(self.phase, Phase::Session(_))
    }

    /// The protocol version in use.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.protocol
    }

    /// The transaction status last reported with ReadyForQuery.
    pub fn transaction_status(&self) -> TransactionStatus {
        self.status
    }

    /// When [`ServerConnection::handle_timeout`] must be called next, if ever.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.phase {
            Phase::Startup { .. }
            | Phase::SslAnswer { .. }
            | Phase::TlsHandshake
            | Phase::Credentials
            | Phase::Auth(_)
            | Phase::Authenticated { .. } => {
                Some(self.started.after(self.config.authentication_timeout_us))
            }
            Phase::Session(Wait::Idle) => {
                let since = self.idle_since?;
                let limit = match self.status {
                    TransactionStatus::Idle => self.config.idle_session_timeout_us,
                    _ => self.config.idle_in_transaction_session_timeout_us,
                }?;
                Some(since.after(limit))
            }
            Phase::Session(_) | Phase::Closed => None,
        }
    }

    /// Acts on a deadline from [`ServerConnection::poll_timeout`] that has passed.
    pub fn handle_timeout<B: WriteBuf + ?Sized>(
        &mut self,
        now: Instant,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        let Some(deadline) = self.poll_timeout() else {
            return Ok(());
        };
        if now < deadline {
            return Ok(());
        }
        if !matches!(self.phase, Phase::Session(_)) {
            // PostgreSQL ends an unfinished authentication without a word to the client.
            self.phase = Phase::Closed;
            return Ok(());
        }
        let error = if self.status == TransactionStatus::Idle {
            ServerError::fatal(
                sqlstate::IDLE_SESSION_TIMEOUT,
                "terminating connection due to idle-session timeout",
            )
        } else {
            ServerError::fatal(
                sqlstate::IDLE_IN_TRANSACTION_SESSION_TIMEOUT,
                "terminating connection due to idle-in-transaction timeout",
            )
        };
        error.encode(out)?;
        self.flush = true;
        self.phase = Phase::Closed;
        Ok(())
    }

    /// Ends the session with a FATAL error, e.g. 57P01 at server shutdown.
    pub fn terminate<B: WriteBuf + ?Sized>(
        &mut self,
        error: ServerError,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        let mut error = error;
        error.severity = super::Severity::Fatal;
        error.encode(out)?;
        self.flush = true;
        self.phase = Phase::Closed;
        Ok(())
    }

    /// Sends a FATAL error and closes.
    pub(crate) fn fatal<'a, B: WriteBuf + ?Sized>(
        &mut self,
        error: ServerError,
        out: &mut B,
        consumed: usize,
    ) -> Result<Progress<'a>, ServerConnectionError> {
        self.terminate(error, out)?;
        Ok(Progress::Closed { consumed })
    }

    /// Closes without a word (what PostgreSQL does for the errors it only logs).
    pub(crate) fn close<'a>(&mut self, consumed: usize) -> Progress<'a> {
        self.phase = Phase::Closed;
        Progress::Closed { consumed }
    }
}

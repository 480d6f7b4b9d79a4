//! The backend (server side) of a connection: [`ServerConnection`], a Sans-IO state machine that
//! speaks the protocol the way PostgreSQL does and leaves only the answers to the application.
//!
//! The caller feeds the bytes it read to [`ServerConnection::poll_event`], which consumes what it
//! can and returns an [`Event`] for the application, or says it needs more input, waits for the
//! application's answer, or is closed. Answers (query results, errors, authentication secrets) go
//! through the connection's methods, which write frames to a caller-owned output buffer; the
//! connection says when that buffer must be flushed ([`ServerConnection::take_flush`]), which is
//! exactly when PostgreSQL would flush it.
//!
//! ```
//! use pgproto::backend::{Event, Instant, Progress, Secrets, ServerConfig, ServerConnection};
//! use pgproto::backend::{AuthMethod, Secret};
//!
//! let mut conn = ServerConnection::new(ServerConfig::default(), Secrets::fixed(42), Instant(0));
//! let mut out = Vec::new();
//! // A StartupMessage for user "alice" (protocol 3.0).
//! let startup = b"\0\0\0\x14\0\x03\0\0user\0alice\0\0";
//! match conn.poll_event(Instant(0), startup, &mut out).unwrap() {
//!     Progress::Event { event: Event::Startup(s), .. } => assert_eq!(s.user, "alice"),
//!     other => panic!("{other:?}"),
//! }
//! conn.authenticate(AuthMethod::Trust, Secret::None, &mut out).unwrap();
//! let progress = conn.poll_event(Instant(0), &[], &mut out).unwrap();
//! assert!(matches!(progress, Progress::Event { event: Event::Authenticated, .. }));
//! conn.start_session(&mut out).unwrap();
//! assert!(conn.take_flush());
//! assert_eq!(out.last(), Some(&b'I')); // ReadyForQuery, idle
//! ```

mod connection;
mod error;
mod prepared;
mod session;
mod startup;

pub use error::{sqlstate, ServerError, Severity};
pub use session::{ExecuteOutcome, StatementDescription};
pub use startup::{AuthMethod, Secret, StartupInfo};

use alloc::string::String;
use alloc::vec::Vec;

use crate::message::{Format, SecretKey};
use crate::{EncodeError, List, PgStr};

/// A point in time, in microseconds on any monotonic clock the caller chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(pub u64);

impl Instant {
    /// This instant plus `micros` microseconds, saturating.
    #[must_use]
    pub fn after(self, micros: u64) -> Self {
        Self(self.0.saturating_add(micros))
    }
}

/// Settings of a server connection.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Largest message accepted after authentication (PostgreSQL: 1 GiB − 1).
    pub max_message_len: u32,
    /// The ParameterStatus values sent after authentication (`session_authorization`,
    /// `application_name` and `client_encoding` are filled from the session).
    pub parameters: Vec<(String, String)>,
    /// Time allowed from connection to the end of authentication (PostgreSQL: 60 s).
    pub authentication_timeout_us: u64,
    /// End a session idle inside a transaction for this long (FATAL 25P03); `None` disables.
    pub idle_in_transaction_session_timeout_us: Option<u64>,
    /// End a session idle outside a transaction for this long (FATAL 57P05); `None` disables.
    pub idle_session_timeout_us: Option<u64>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        let p = |k: &str, v: &str| (String::from(k), String::from(v));
        Self {
            max_message_len: crate::frame::MAX_MESSAGE_LEN,
            parameters: alloc::vec![
                p("server_version", "15.0"),
                p("server_encoding", "UTF8"),
                p("client_encoding", "UTF8"),
                p("DateStyle", "ISO, MDY"),
                p("TimeZone", "UTC"),
                p("integer_datetimes", "on"),
                p("IntervalStyle", "postgres"),
                p("is_superuser", "on"),
                p("session_authorization", ""),
                p("standard_conforming_strings", "on"),
                p("application_name", ""),
                p("default_transaction_read_only", "off"),
                p("in_hot_standby", "off"),
            ],
            authentication_timeout_us: 60_000_000,
            idle_in_transaction_session_timeout_us: None,
            idle_session_timeout_us: None,
        }
    }
}

/// The random values a connection needs, drawn by the caller: the core never calls an RNG.
#[derive(Debug, Clone)]
pub struct Secrets {
    /// Process ID announced in BackendKeyData.
    pub pid: i32,
    /// Cancel key: the first 4 bytes on protocol 3.0, all 32 on 3.2.
    pub cancel_key: [u8; 32],
    /// Salt for MD5 authentication.
    pub md5_salt: [u8; 4],
    /// Server nonce for SCRAM.
    pub scram_nonce: [u8; crate::auth::scram::NONCE_RAW_LEN],
    /// Salt for a SCRAM verifier made on the fly from a cleartext password.
    pub scram_salt: [u8; crate::auth::scram::SALT_LEN],
}

impl Secrets {
    /// Deterministic values for tests and examples; never use them on a real server.
    pub fn fixed(pid: i32) -> Self {
        Self {
            pid,
            cancel_key: [7; 32],
            md5_salt: [1, 2, 3, 4],
            scram_nonce: [5; 18],
            scram_salt: [6; 16],
        }
    }
}

/// What [`ServerConnection::poll_event`] did: each variant says how many input bytes it consumed.
#[derive(Debug)]
pub enum Progress<'a> {
    /// Something for the application; `consumed` bytes of input were used up to and including it.
    Event {
        /// The event.
        event: Event<'a>,
        /// Input bytes consumed.
        consumed: usize,
    },
    /// All complete messages were handled; read more input.
    NeedData {
        /// Input bytes consumed.
        consumed: usize,
    },
    /// Waiting for the application's answer to the last event; input is left unread.
    Blocked {
        /// Input bytes consumed.
        consumed: usize,
    },
    /// The connection is over: flush the output, then close.
    Closed {
        /// Input bytes consumed.
        consumed: usize,
    },
}

/// What the application must act on.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event<'a> {
    /// The client asks for TLS: answer [`ServerConnection::accept_tls`] or
    /// [`ServerConnection::refuse_tls`].
    SslRequest,
    /// A request to cancel the query of another session; the connection closes after it.
    CancelRequest {
        /// Process ID of the target session.
        pid: i32,
        /// Its secret key.
        key: SecretKey<'a>,
    },
    /// A client wants to log in: answer [`ServerConnection::authenticate`] with the user's
    /// method and secret, or [`ServerConnection::reject`].
    Startup(StartupInfo<'a>),
    /// Authentication succeeded (AuthenticationOk is queued): answer
    /// [`ServerConnection::start_session`], or refuse with [`ServerConnection::terminate`]
    /// (PostgreSQL checks the database only now, so 3D000 comes after AuthenticationOk).
    Authenticated,
    /// A simple query (possibly several statements): send results, then
    /// [`ServerConnection::ready`].
    Query {
        /// The query text.
        sql: PgStr<'a>,
        /// The unnamed statement a simple query ends, if there was one: free it.
        replaces: Option<u64>,
    },
    /// Parse: prepare `query` as statement `id`; answer [`ServerConnection::parse_complete`] or
    /// [`ServerConnection::error`].
    Parse {
        /// Handle of the new statement, unique in this session.
        id: u64,
        /// The unnamed statement this unnamed Parse replaces, if any: free it (even if this
        /// Parse fails, as in PostgreSQL).
        replaces: Option<u64>,
        /// Its name (empty for the unnamed statement).
        name: PgStr<'a>,
        /// The query text.
        query: PgStr<'a>,
        /// Parameter types the client gave (0 = unspecified).
        param_types: List<'a, u32>,
    },
    /// Bind: make portal `portal` from statement `statement` and these parameters; answer
    /// [`ServerConnection::bind_complete`] or [`ServerConnection::error`].
    Bind {
        /// Handle of the new portal.
        portal: u64,
        /// The unnamed portal this unnamed Bind replaces, if any: free its cursor.
        replaces: Option<u64>,
        /// Handle of the statement (from its Parse event).
        statement: u64,
        /// Parameter formats, as sent: none, one for all, or one each.
        param_formats: List<'a, Format>,
        /// Parameter values.
        params: List<'a, Option<&'a [u8]>>,
        /// Result formats, as sent: the application encodes values accordingly
        /// ([`List::format_for`]).
        result_formats: List<'a, Format>,
    },
    /// Execute: run portal `portal` for up to `max_rows` rows (0 = all); send rows, then
    /// [`ServerConnection::execute_done`] (or start a COPY, or [`ServerConnection::error`]).
    Execute {
        /// Handle of the portal.
        portal: u64,
        /// Row limit; 0 means no limit.
        max_rows: u32,
    },
    /// Sync: end of an extended-query batch; commit an implicit transaction if any, then answer
    /// [`ServerConnection::ready`].
    Sync,
    /// A prepared statement was closed (by Close, or by an empty simple query ending the unnamed
    /// statement): free what the application keeps for it.
    StatementClosed {
        /// Its handle.
        id: u64,
    },
    /// A portal was closed: free its cursor.
    PortalClosed {
        /// Its handle.
        id: u64,
    },
    /// A chunk of COPY FROM STDIN data.
    CopyData(&'a [u8]),
    /// COPY FROM STDIN data is complete: finish the copy and report its command tag.
    CopyDone,
    /// COPY FROM STDIN was aborted: by the client's CopyFail (the connection sent the 57014
    /// error) or by a message not allowed during COPY (the connection sent 08P01). Abandon the
    /// copy; in a simple query, finish with [`ServerConnection::ready`].
    CopyFail {
        /// The client's reason.
        message: PgStr<'a>,
    },
    /// The connection answered a client's protocol error itself (ERROR, not FATAL). If a
    /// transaction block was open it is now failed, as in PostgreSQL: the application must treat
    /// it so. Nothing to answer.
    ProtocolError {
        /// The SQLSTATE sent.
        code: &'static str,
    },
    /// FunctionCall: answer [`ServerConnection::function_result`] or
    /// [`ServerConnection::error`], then [`ServerConnection::ready`].
    FunctionCall {
        /// The function's OID.
        function: u32,
        /// Argument formats, as sent.
        arg_formats: List<'a, Format>,
        /// Argument values.
        args: List<'a, Option<&'a [u8]>>,
        /// Format wanted for the result.
        result_format: Format,
    },
}

/// Errors of the connection's own making: the caller's buffer is full, or an answer came at a
/// time the protocol does not allow (an application bug).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ServerConnectionError {
    /// The output buffer could not take a frame.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The application answered something that was not asked, or in the wrong state.
    #[error("answer not expected now: {0}")]
    Unexpected(&'static str),
}

pub use connection::ServerConnection;

//! The frontend (client side) of a connection: [`ClientConnection`], a Sans-IO state machine for
//! drivers and proxies.
//!
//! It writes the startup packet and answers authentication itself (cleartext, MD5, SCRAM-SHA-256
//! and -PLUS, with libpq's `require_auth` and `channel_binding=require` checks), then lets the
//! caller pipeline requests: every request written through it gets a [`RequestId`], and every
//! backend message that follows is handed back tagged with the request it answers, together with
//! its exact bytes, so a proxy can forward it unchanged. After an error in an extended-query batch
//! the requests up to Sync are reported as skipped, as the server skips them.

mod connection;
mod request;

pub use connection::ClientConnection;
pub use request::RequestId;

use alloc::string::String;
use alloc::vec::Vec;

use crate::message::backend::{BackendMessage, ErrorResponse};
use crate::message::ProtocolVersion;
use crate::{DecodeError, EncodeError, PgStr};

/// Whether to ask for TLS first (libpq's `sslmode`, without certificate checks, which belong to
/// the TLS library).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SslMode {
    /// Never ask.
    #[default]
    Disable,
    /// Ask; go on in cleartext if the server refuses.
    Prefer,
    /// Ask; fail if the server refuses.
    Require,
}

/// Whether to bind SCRAM to the TLS channel (libpq's `channel_binding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChannelBinding {
    /// Never use SCRAM-SHA-256-PLUS.
    Disable,
    /// Use it when the server offers it over TLS.
    #[default]
    Prefer,
    /// Refuse any authentication that is not SCRAM-SHA-256-PLUS.
    Require,
}

/// An authentication method the client accepts (libpq's `require_auth`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    /// No authentication at all (trust).
    None,
    /// Cleartext password.
    Password,
    /// MD5.
    Md5,
    /// SCRAM-SHA-256 (with or without channel binding).
    ScramSha256,
}

/// Settings of a client connection.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The user to log in as.
    pub user: String,
    /// The database; the server defaults it to the user.
    pub database: Option<String>,
    /// The password, for the methods that need one.
    pub password: Option<Vec<u8>>,
    /// More startup parameters (`application_name`, `options`, `client_encoding`, …).
    pub params: Vec<(String, String)>,
    /// The protocol version to ask for; 3.2 by default, negotiated down by older servers.
    pub protocol: ProtocolVersion,
    /// `_pq_.` protocol options to ask for (the server lists those it does not know).
    pub protocol_options: Vec<(String, String)>,
    /// Whether to ask for TLS first.
    pub ssl: SslMode,
    /// Whether to bind SCRAM to the TLS channel.
    pub channel_binding: ChannelBinding,
    /// The authentication methods accepted; `None` accepts any.
    pub require_auth: Option<Vec<AuthKind>>,
    /// Largest backend message accepted.
    pub max_message_len: u32,
}

impl ClientConfig {
    /// Settings for `user`, everything else at its default.
    pub fn new(user: impl Into<String>) -> Self {
        Self {
            user: user.into(),
            database: None,
            password: None,
            params: Vec::new(),
            protocol: ProtocolVersion::V3_2,
            protocol_options: Vec::new(),
            ssl: SslMode::Disable,
            channel_binding: ChannelBinding::Prefer,
            require_auth: None,
            max_message_len: crate::frame::MAX_MESSAGE_LEN,
        }
    }
}

/// What a client connection tells its caller.
#[derive(Debug)]
#[non_exhaustive]
pub enum ClientEvent<'a> {
    /// The server answered the SSLRequest: on `true` perform the TLS handshake and call
    /// [`ClientConnection::tls_established`]; on `false` the startup goes on in cleartext.
    SslResponse {
        /// Whether the server agreed to TLS.
        accepted: bool,
    },
    /// The server speaks an older protocol or lacks options we asked for.
    Negotiated {
        /// The version the session speaks.
        version: ProtocolVersion,
        /// The `_pq_.` options the server does not know.
        unsupported_options: crate::List<'a, PgStr<'a>>,
    },
    /// A startup-phase message the connection handled itself (an authentication request it
    /// answered, BackendKeyData); surfaced for proxies and logs.
    Startup(BackendMessage<'a>),
    /// Authentication succeeded.
    Authenticated,
    /// The connection is ready for requests (the first ReadyForQuery).
    Ready,
    /// A run-time parameter's value (also kept: [`ClientConnection::parameter`]).
    ParameterStatus {
        /// Its name.
        name: PgStr<'a>,
        /// Its value.
        value: PgStr<'a>,
    },
    /// A notice or warning, at any time.
    Notice(crate::message::backend::NoticeResponse<'a>),
    /// A NOTIFY on a channel we listen to, at any time.
    Notification(crate::message::backend::NotificationResponse<'a>),
    /// A message answering request `request`; `done` when it is the request's last.
    Response {
        /// The request answered.
        request: RequestId,
        /// The message.
        message: BackendMessage<'a>,
        /// Whether the request is complete with it.
        done: bool,
    },
    /// The server skipped this request because an earlier one in its batch failed.
    Skipped {
        /// The request skipped.
        request: RequestId,
    },
    /// The server refused the connection or ended the session (a FATAL error).
    Fatal(ErrorResponse<'a>),
}

/// What [`ClientConnection::poll`] did.
#[derive(Debug)]
pub enum ClientProgress<'a> {
    /// An event; `raw` holds the exact bytes of the backend message behind it (empty for events
    /// that no message carried, such as [`ClientEvent::Skipped`]).
    Event {
        /// The event.
        event: ClientEvent<'a>,
        /// The message's bytes, to forward unchanged.
        raw: &'a [u8],
        /// Input bytes consumed.
        consumed: usize,
    },
    /// Read more input.
    NeedData {
        /// Input bytes consumed.
        consumed: usize,
    },
    /// The connection is over.
    Closed {
        /// Input bytes consumed.
        consumed: usize,
    },
}

/// Why the client connection failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The server sent bytes that are not a valid backend message.
    #[error("invalid message from server: {0}")]
    Decode(#[from] DecodeError),
    /// The output buffer could not take a frame.
    #[error(transparent)]
    Encode(#[from] EncodeError),
    /// The server refused TLS and `sslmode` requires it.
    #[error("server does not support SSL, but SSL was required")]
    SslRefused,
    /// The server asked for a password and none was configured.
    #[error("password required by the server, none given")]
    PasswordMissing,
    /// The server chose an authentication method `require_auth` does not allow (or none).
    #[error("authentication method refused by require_auth: {0}")]
    AuthMethodRefused(&'static str),
    /// `channel_binding=require` and the server did not authenticate with SCRAM-SHA-256-PLUS.
    #[error("channel binding required, but the server did not use it")]
    ChannelBindingRequired,
    /// SCRAM failed on our side, e.g. the server's signature is wrong.
    #[error("SCRAM authentication failed: {0}")]
    Scram(crate::auth::scram::ScramError),
    /// An authentication request this client does not implement (GSSAPI, SSPI, Kerberos).
    #[error("unsupported authentication request {0}")]
    UnsupportedAuth(i32),
    /// A message arrived that the protocol does not allow here.
    #[error("unexpected message from server: {0}")]
    Unexpected(&'static str),
    /// Too many requests in flight: wait for responses first.
    #[error("request queue full")]
    QueueFull,
    /// A request was written before the connection was ready, or after it closed.
    #[error("connection not ready for requests")]
    NotReady,
    /// A name, query or password holds a NUL byte, which protocol strings cannot carry.
    #[error("string contains a NUL byte")]
    InteriorNul,
}

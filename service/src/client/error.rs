//! What a client request can fail with.

use std::io;

use pgproto::message::backend::ErrorResponse;
use pgproto::message::FieldCode;

/// An error or notice the server sent, owned.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DbError {
    /// Severity (`ERROR`, `FATAL`, `NOTICE`, …), not localized.
    pub severity: String,
    /// SQLSTATE.
    pub code: String,
    /// Primary message.
    pub message: String,
    /// Detail, if any.
    pub detail: Option<String>,
    /// Hint, if any.
    pub hint: Option<String>,
    /// 1-based character position in the query, if any.
    pub position: Option<u32>,
}

impl DbError {
    pub(crate) fn from_fields(e: &ErrorResponse<'_>) -> Self {
        let text = |c| {
            e.field(c)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        };
        Self {
            severity: e
                .severity()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
                .unwrap_or_default(),
            code: text(FieldCode::CODE).unwrap_or_default(),
            message: text(FieldCode::MESSAGE).unwrap_or_default(),
            detail: text(FieldCode::DETAIL),
            hint: text(FieldCode::HINT),
            position: text(FieldCode::POSITION).and_then(|p| p.parse().ok()),
        }
    }
}

impl core::fmt::Display for DbError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {} ({})", self.severity, self.message, self.code)
    }
}

/// Why a client call failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error (the session goes on unless it was FATAL).
    Db(Box<DbError>),
    /// The protocol went wrong (bad message, refused authentication method, …).
    Protocol(pgproto::frontend::ClientError),
    /// The connection failed.
    Io(io::Error),
    /// The connection is closed.
    Closed,
    /// A value could not be converted to or from the requested type.
    Conversion(String),
}

impl Error {
    /// The SQLSTATE, if the server sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Db(e) => Some(&e.code),
            _ => None,
        }
    }
}

impl core::fmt::Display for Error {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Db(e) => e.fmt(f),
            Self::Protocol(e) => e.fmt(f),
            Self::Io(e) => e.fmt(f),
            Self::Closed => f.write_str("connection closed"),
            Self::Conversion(e) => f.write_str(e),
        }
    }
}

impl std::error::Error for Error {}

impl From<DbError> for Error {
    fn from(e: DbError) -> Self {
        Self::Db(Box::new(e))
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

impl From<pgproto::frontend::ClientError> for Error {
    fn from(e: pgproto::frontend::ClientError) -> Self {
        Self::Protocol(e)
    }
}

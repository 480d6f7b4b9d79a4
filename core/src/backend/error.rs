//! Errors and notices a server sends: severity, SQLSTATE and PostgreSQL's wording.

use alloc::borrow::Cow;
use alloc::vec::Vec;

use crate::message::backend::{ErrorField, ErrorResponse, FieldCode, NoticeResponse};
use crate::message::Encode;
use crate::{EncodeError, PgStr, WriteBuf};

/// How severe an error or notice is; FATAL ends the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    /// The statement failed; the session goes on.
    Error,
    /// The session ends after this error.
    Fatal,
    /// A notice.
    Notice,
    /// A warning (sent as a notice).
    Warning,
    /// Information (sent as a notice).
    Info,
    /// Debug output (sent as a notice).
    Debug,
    /// Log output (sent as a notice).
    Log,
}

impl Severity {
    /// The (non-localized) severity word.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "ERROR",
            Self::Fatal => "FATAL",
            Self::Notice => "NOTICE",
            Self::Warning => "WARNING",
            Self::Info => "INFO",
            Self::Debug => "DEBUG",
            Self::Log => "LOG",
        }
    }
}

/// SQLSTATE codes the protocol layer reports, named as in PostgreSQL's `errcodes.txt`.
pub mod sqlstate {
    /// `08P01` protocol_violation.
    pub const PROTOCOL_VIOLATION: &str = "08P01";
    /// `0A000` feature_not_supported.
    pub const FEATURE_NOT_SUPPORTED: &str = "0A000";
    /// `22023` invalid_parameter_value.
    pub const INVALID_PARAMETER_VALUE: &str = "22023";
    /// `25P02` in_failed_sql_transaction.
    pub const IN_FAILED_SQL_TRANSACTION: &str = "25P02";
    /// `25P03` idle_in_transaction_session_timeout.
    pub const IDLE_IN_TRANSACTION_SESSION_TIMEOUT: &str = "25P03";
    /// `26000` invalid_sql_statement_name.
    pub const INVALID_SQL_STATEMENT_NAME: &str = "26000";
    /// `28000` invalid_authorization_specification.
    pub const INVALID_AUTHORIZATION_SPECIFICATION: &str = "28000";
    /// `28P01` invalid_password.
    pub const INVALID_PASSWORD: &str = "28P01";
    /// `34000` invalid_cursor_name.
    pub const INVALID_CURSOR_NAME: &str = "34000";
    /// `3D000` invalid_catalog_name.
    pub const INVALID_CATALOG_NAME: &str = "3D000";
    /// `42P03` duplicate_cursor.
    pub const DUPLICATE_CURSOR: &str = "42P03";
    /// `42P05` duplicate_prepared_statement.
    pub const DUPLICATE_PREPARED_STATEMENT: &str = "42P05";
    /// `53300` too_many_connections.
    pub const TOO_MANY_CONNECTIONS: &str = "53300";
    /// `57014` query_canceled.
    pub const QUERY_CANCELED: &str = "57014";
    /// `57P01` admin_shutdown.
    pub const ADMIN_SHUTDOWN: &str = "57P01";
    /// `57P05` idle_session_timeout.
    pub const IDLE_SESSION_TIMEOUT: &str = "57P05";
    /// `22P02` invalid_text_representation.
    pub const INVALID_TEXT_REPRESENTATION: &str = "22P02";
    /// `22012` division_by_zero.
    pub const DIVISION_BY_ZERO: &str = "22012";
    /// `22021` character_not_in_repertoire (text that is not valid in the encoding).
    pub const CHARACTER_NOT_IN_REPERTOIRE: &str = "22021";
    /// `54000` program_limit_exceeded.
    pub const PROGRAM_LIMIT_EXCEEDED: &str = "54000";
    /// `42601` syntax_error.
    pub const SYNTAX_ERROR: &str = "42601";
    /// `XX000` internal_error.
    pub const INTERNAL_ERROR: &str = "XX000";
}

/// An error or notice to send: the fields PostgreSQL fills for protocol-level reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    /// Severity.
    pub severity: Severity,
    /// Five-character SQLSTATE.
    pub code: Cow<'static, str>,
    /// Primary message.
    pub message: Cow<'static, str>,
    /// Optional detail.
    pub detail: Option<Cow<'static, str>>,
    /// Optional hint.
    pub hint: Option<Cow<'static, str>>,
    /// Optional 1-based cursor position in the query, in characters.
    pub position: Option<u32>,
}

impl ServerError {
    /// An ERROR with this SQLSTATE and message.
    pub fn error(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(Severity::Error, code, message)
    }

    /// A FATAL error with this SQLSTATE and message: the session ends after it.
    pub fn fatal(code: &'static str, message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(Severity::Fatal, code, message)
    }

    /// A report of any severity.
    pub fn new(
        severity: Severity,
        code: &'static str,
        message: impl Into<Cow<'static, str>>,
    ) -> Self {
        Self {
            severity,
            code: Cow::Borrowed(code),
            message: message.into(),
            detail: None,
            hint: None,
            position: None,
        }
    }

    /// The same report with a detail line.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<Cow<'static, str>>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    /// The same report with a hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<Cow<'static, str>>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Whether the session must end after this report.
    pub fn is_fatal(&self) -> bool {
        self.severity == Severity::Fatal
    }

    /// Encodes as ErrorResponse (errors) or NoticeResponse (everything else).
    pub fn encode<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        let sev = pg_text(self.severity.as_str());
        let position = self.position.map(|p| alloc::format!("{p}"));
        let mut fields: Vec<ErrorField<'_>> = Vec::with_capacity(7);
        fields.push(ErrorField::new(FieldCode::SEVERITY, sev));
        fields.push(ErrorField::new(FieldCode::SEVERITY_NONLOCALIZED, sev));
        fields.push(ErrorField::new(FieldCode::CODE, pg_text(&self.code)));
        fields.push(ErrorField::new(FieldCode::MESSAGE, pg_text(&self.message)));
        if let Some(d) = &self.detail {
            fields.push(ErrorField::new(FieldCode::DETAIL, pg_text(d)));
        }
        if let Some(h) = &self.hint {
            fields.push(ErrorField::new(FieldCode::HINT, pg_text(h)));
        }
        if let Some(p) = &position {
            fields.push(ErrorField::new(FieldCode::POSITION, pg_text(p)));
        }
        match self.severity {
            Severity::Error | Severity::Fatal => ErrorResponse::new(&fields).encode(buf),
            _ => NoticeResponse::new(&fields).encode(buf),
        }
    }
}

/// Text for a String field, which cannot carry a NUL: cut at the first one.
pub(crate) fn pg_text(s: &str) -> PgStr<'_> {
    PgStr::until_nul(s.as_bytes())
}

//! The logged-in session: simple and extended query, COPY, FunctionCall and asynchronous
//! messages, with PostgreSQL's rules for statements, portals, errors and Sync.

use alloc::boxed::Box;
use alloc::format;
use alloc::vec::Vec;

use super::connection::{Phase, ServerConnection};
use super::error::pg_text;
use super::error::{sqlstate, ServerError};
use super::prepared::{Portal, Statement};
use super::{Event, Progress, ServerConnectionError};
use crate::frame::{self, Decoded, Limits};
use crate::message::backend::{
    BindComplete, CloseComplete, CommandComplete, CopyBothResponse, CopyData, CopyDone,
    CopyInResponse, CopyOutResponse, DataRowWriter, EmptyQueryResponse, FieldDescription,
    FunctionCallResponse, NotificationResponse, ParameterDescription, ParameterStatus,
    ParseComplete, PortalSuspended, ReadyForQuery, RowDescription,
};
use crate::message::frontend::{Bind, CopyFail, FrontendMessage, PasswordKind};
use crate::message::{tag, Encode, Format, Message, Target, TransactionStatus};
use crate::{DecodeError, List, PgStr, WriteBuf};

/// What the session waits for.
pub(crate) enum Wait {
    /// Reading the client's messages.
    Idle,
    /// The application runs a simple query; `copy_in` while it receives COPY data.
    Query { copy_in: bool },
    /// The application prepares a statement.
    Parse {
        name: Option<Vec<u8>>,
        statement: Box<Statement>,
    },
    /// The application binds a portal.
    Bind {
        name: Option<Vec<u8>>,
        portal: Box<Portal>,
    },
    /// The application runs a portal.
    Execute { max_rows: u32, copy_in: bool },
    /// The application ends an extended-query batch.
    Sync,
    /// The application runs a FunctionCall.
    FunctionCall,
}

/// What a Parse prepared, as the application describes it.
#[derive(Debug, Clone, Copy)]
pub struct StatementDescription<'a> {
    /// Parameter types, one per parameter (0 if the application leaves one unknown).
    pub param_types: &'a [u32],
    /// Result columns, or `None` for a statement that returns no rows (NoData).
    pub fields: Option<&'a [FieldDescription<'a>]>,
}

/// How an Execute ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExecuteOutcome<'a> {
    /// The portal ran to completion: CommandComplete with this tag.
    Complete(&'a str),
    /// The row limit was reached with rows left: PortalSuspended; a later Execute resumes.
    Suspended,
    /// The statement was empty: EmptyQueryResponse.
    Empty,
}

fn name_key(name: PgStr<'_>) -> Option<Vec<u8>> {
    (!name.is_empty()).then(|| name.as_bytes().to_vec())
}

fn quoted(name: PgStr<'_>) -> alloc::string::String {
    alloc::string::String::from_utf8_lossy(name.as_bytes()).into_owned()
}

/// Whether a simple query holds no statement at all (PostgreSQL then sends EmptyQueryResponse).
fn is_blank(sql: &[u8]) -> bool {
    sql.iter().all(|c| c.is_ascii_whitespace() || *c == b';')
}

impl ServerConnection {
    pub(crate) fn enter_session(&mut self) {
        self.phase = Phase::Session(Wait::Idle);
        self.status = TransactionStatus::Idle;
    }

    fn wait(&self) -> Option<&Wait> {
        match &self.phase {
            Phase::Session(w) => Some(w),
            _ => None,
        }
    }

    /// Marks the running simple query or Execute as receiving COPY data, or not; false when
    /// neither is running.
    fn set_copy_in(&mut self, on: bool) -> bool {
        match &mut self.phase {
            Phase::Session(Wait::Query { copy_in } | Wait::Execute { copy_in, .. }) => {
                *copy_in = on;
                true
            }
            _ => false,
        }
    }

    /// Takes what the session waits for, leaving it idle.
    fn take_wait(&mut self) -> Wait {
        match &mut self.phase {
            Phase::Session(w) => core::mem::replace(w, Wait::Idle),
            _ => Wait::Idle,
        }
    }

    /// Drops the unnamed statement (keeping its storage for reuse); returns its handle.
    fn drop_unnamed_statement(&mut self) -> Option<u64> {
        let s = self.unnamed_statement.take()?;
        let id = s.id;
        self.spare_statement = Some(s);
        Some(id)
    }

    fn set_wait(&mut self, wait: Wait) {
        if let Phase::Session(_) = self.phase {
            self.phase = Phase::Session(wait);
        }
    }

    fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Handles the session's input: every message that needs no application, up to one that does.
    pub(crate) fn poll_session<'a, B: WriteBuf + ?Sized>(
        &mut self,
        input: &'a [u8],
        out: &mut B,
    ) -> Result<Progress<'a>, ServerConnectionError> {
        let mut pos = 0;
        loop {
            let copying = match self.wait() {
                Some(Wait::Idle) => false,
                Some(Wait::Query { copy_in: true } | Wait::Execute { copy_in: true, .. }) => true,
                Some(_) => return Ok(Progress::Blocked { consumed: pos }),
                None => return Ok(Progress::Closed { consumed: pos }),
            };
            let rest = input.get(pos..).unwrap_or_default();
            let (f, len) = match frame::decode(rest, Limits::frontend(self.config.max_message_len))
            {
                Ok(Decoded::Frame { frame, consumed }) => (frame, consumed),
                Ok(Decoded::NeedMore(_)) => return Ok(Progress::NeedData { consumed: pos }),
                Err(DecodeError::UnknownMessageType(t)) => {
                    return self.fatal(
                        ServerError::fatal(
                            sqlstate::PROTOCOL_VIOLATION,
                            format!("invalid frontend message type {t}"),
                        ),
                        out,
                        pos,
                    );
                }
                // PostgreSQL logs "invalid message length" and hangs up.
                Err(_) => return Ok(self.close(pos)),
            };
            pos += len;
            if copying {
                if let Some(event) = self.copy_in_message(f, out)? {
                    return Ok(Progress::Event {
                        event,
                        consumed: pos,
                    });
                }
                continue;
            }
            if f.tag == tag::SYNC {
                self.discard_until_sync = false;
            } else if self.discard_until_sync && f.tag != tag::TERMINATE {
                continue;
            }
            let msg = match FrontendMessage::decode(f, PasswordKind::Password) {
                Ok(m) => m,
                Err(e) => {
                    let code = self.malformed(f.tag, e, out)?;
                    return Ok(Progress::Event {
                        event: Event::ProtocolError { code },
                        consumed: pos,
                    });
                }
            };
            match self.message(msg, out)? {
                Step::Continue => {}
                Step::Event(event) => {
                    return Ok(Progress::Event {
                        event,
                        consumed: pos,
                    })
                }
                Step::Closed => return Ok(Progress::Closed { consumed: pos }),
            }
        }
    }

    /// A message whose body failed to decode: the ERROR PostgreSQL sends for it.
    fn malformed<B: WriteBuf + ?Sized>(
        &mut self,
        t: u8,
        e: DecodeError,
        out: &mut B,
    ) -> Result<&'static str, ServerConnectionError> {
        let (code, text): (&'static str, alloc::string::String) = match e {
            DecodeError::MissingNul => (
                sqlstate::PROTOCOL_VIOLATION,
                "invalid string in message".into(),
            ),
            DecodeError::TrailingBytes(_) => (
                sqlstate::PROTOCOL_VIOLATION,
                "invalid message format".into(),
            ),
            DecodeError::InvalidTarget(b) if t == tag::CLOSE => (
                sqlstate::PROTOCOL_VIOLATION,
                format!("invalid CLOSE message subtype {b}"),
            ),
            DecodeError::InvalidTarget(b) => (
                sqlstate::PROTOCOL_VIOLATION,
                format!("invalid DESCRIBE message subtype {b}"),
            ),
            _ => (
                sqlstate::PROTOCOL_VIOLATION,
                "insufficient data left in message".into(),
            ),
        };
        self.protocol_error(t, &ServerError::error(code, text), out)?;
        Ok(code)
    }

    /// Sends a protocol-level ERROR as PostgreSQL does: an extended-query message starts
    /// discarding until Sync; any other message gets its ReadyForQuery, and a transaction block
    /// becomes failed.
    fn protocol_error<B: WriteBuf + ?Sized>(
        &mut self,
        t: u8,
        error: &ServerError,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        error.encode(out)?;
        if self.status == TransactionStatus::InTransaction {
            self.status = TransactionStatus::Failed;
        }
        if matches!(
            t,
            tag::PARSE | tag::BIND | tag::DESCRIBE | tag::EXECUTE | tag::CLOSE | tag::FLUSH
        ) {
            self.discard_until_sync = true;
        } else {
            self.write_ready(self.status, out)?;
        }
        Ok(())
    }

    fn message<'a, B: WriteBuf + ?Sized>(
        &mut self,
        msg: FrontendMessage<'a>,
        out: &mut B,
    ) -> Result<Step<'a>, ServerConnectionError> {
        Ok(match msg {
            FrontendMessage::Query(q) => {
                // A simple query ends the unnamed statement's life.
                let replaces = self.drop_unnamed_statement();
                if is_blank(q.sql.as_bytes()) {
                    EmptyQueryResponse.encode(out)?;
                    self.write_ready(self.status, out)?;
                    return Ok(match replaces {
                        Some(id) => Step::Event(Event::StatementClosed { id }),
                        None => Step::Continue,
                    });
                }
                self.set_wait(Wait::Query { copy_in: false });
                Step::Event(Event::Query {
                    sql: q.sql,
                    replaces,
                })
            }
            FrontendMessage::Parse(p) => {
                let name = name_key(p.statement);
                let replaces = if name.is_none() {
                    self.drop_unnamed_statement()
                } else {
                    None
                };
                if name.is_some() && self.statements.contains_key(p.statement.as_bytes()) {
                    self.protocol_error(
                        tag::PARSE,
                        &ServerError::error(
                            sqlstate::DUPLICATE_PREPARED_STATEMENT,
                            format!(
                                "prepared statement \"{}\" already exists",
                                quoted(p.statement)
                            ),
                        ),
                        out,
                    )?;
                    return Ok(Step::Event(Event::ProtocolError {
                        code: sqlstate::DUPLICATE_PREPARED_STATEMENT,
                    }));
                }
                let mut statement = self.spare_statement.take().unwrap_or_default();
                statement.id = self.next_id();
                let id = statement.id;
                self.set_wait(Wait::Parse { name, statement });
                Step::Event(Event::Parse {
                    id,
                    replaces,
                    name: p.statement,
                    query: p.query,
                    param_types: p.param_types,
                })
            }
            FrontendMessage::Bind(b) => return self.bind(b, out),
            FrontendMessage::Describe(d) => {
                self.describe(d.target, d.name, out)?;
                if self.discard_until_sync {
                    return Ok(Step::Event(Event::ProtocolError {
                        code: self.last_code,
                    }));
                }
                Step::Continue
            }
            FrontendMessage::Execute(e) => {
                let Some(portal) = self.portal(e.portal) else {
                    let name = quoted(e.portal);
                    return self.extended_error(
                        tag::EXECUTE,
                        sqlstate::INVALID_CURSOR_NAME,
                        format!("portal \"{name}\" does not exist"),
                        out,
                    );
                };
                // PostgreSQL takes any result format code at Bind and refuses it only here.
                let bad = portal
                    .description
                    .columns
                    .iter()
                    .map(|c| c.format)
                    .find(|f| !f.is_supported());
                if let (Some(bad), true) = (bad, portal.description.returns_rows) {
                    return self.extended_error(
                        tag::EXECUTE,
                        sqlstate::INVALID_PARAMETER_VALUE,
                        format!("unsupported format code: {}", bad.code()),
                        out,
                    );
                }
                let id = portal.id;
                let max_rows = u32::try_from(e.max_rows).unwrap_or(0);
                self.set_wait(Wait::Execute {
                    max_rows,
                    copy_in: false,
                });
                Step::Event(Event::Execute {
                    portal: id,
                    max_rows,
                })
            }
            FrontendMessage::Close(c) => {
                CloseComplete.encode(out)?;
                let key = c.name.as_bytes();
                let closed = match c.target {
                    Target::Statement => {
                        let id = if key.is_empty() {
                            self.unnamed_statement.take().map(|s| s.id)
                        } else {
                            self.statements.remove(key).map(|s| s.id)
                        };
                        id.map(|id| Event::StatementClosed { id })
                    }
                    Target::Portal => {
                        let id = if key.is_empty() {
                            self.unnamed_portal.take().map(|p| p.id)
                        } else {
                            self.portals.remove(key).map(|p| p.id)
                        };
                        id.map(|id| Event::PortalClosed { id })
                    }
                };
                match closed {
                    Some(event) => Step::Event(event),
                    None => Step::Continue,
                }
            }
            FrontendMessage::Flush(_) => {
                self.flush = true;
                Step::Continue
            }
            FrontendMessage::Sync(_) => {
                self.discard_until_sync = false;
                self.set_wait(Wait::Sync);
                Step::Event(Event::Sync)
            }
            FrontendMessage::Terminate(_) => {
                self.phase = Phase::Closed;
                Step::Closed
            }
            FrontendMessage::FunctionCall(fc) => {
                let bad_arg = (0..fc.args.len())
                    .map(|i| fc.arg_formats.format_for(i))
                    .find(|f| !f.is_supported());
                let bad = bad_arg
                    .map(|f| (sqlstate::INVALID_PARAMETER_VALUE, f))
                    .or_else(|| {
                        (!fc.result_format.is_supported())
                            .then_some((sqlstate::PROTOCOL_VIOLATION, fc.result_format))
                    });
                if let Some((code, f)) = bad {
                    let error =
                        ServerError::error(code, format!("unsupported format code: {}", f.code()));
                    self.protocol_error(tag::FUNCTION_CALL, &error, out)?;
                    return Ok(Step::Event(Event::ProtocolError { code }));
                }
                self.set_wait(Wait::FunctionCall);
                Step::Event(Event::FunctionCall {
                    function: fc.function,
                    arg_formats: fc.arg_formats,
                    args: fc.args,
                    result_format: fc.result_format,
                })
            }
            // Outside COPY these are ignored, as PostgreSQL does: a COPY failed and the client is
            // still sending its data.
            FrontendMessage::CopyData(_)
            | FrontendMessage::CopyDone(_)
            | FrontendMessage::CopyFail(_) => Step::Continue,
            // Authentication messages after login.
            _ => {
                self.terminate(
                    ServerError::fatal(
                        sqlstate::PROTOCOL_VIOLATION,
                        format!("invalid frontend message type {}", tag::PASSWORD),
                    ),
                    out,
                )?;
                Step::Closed
            }
        })
    }

    fn extended_error<'a, B: WriteBuf + ?Sized>(
        &mut self,
        t: u8,
        code: &'static str,
        message: alloc::string::String,
        out: &mut B,
    ) -> Result<Step<'a>, ServerConnectionError> {
        self.protocol_error(t, &ServerError::error(code, message), out)?;
        Ok(Step::Event(Event::ProtocolError { code }))
    }

    fn statement(&self, name: PgStr<'_>) -> Option<&Statement> {
        if name.is_empty() {
            self.unnamed_statement.as_deref()
        } else {
            self.statements.get(name.as_bytes())
        }
    }

    fn portal(&self, name: PgStr<'_>) -> Option<&Portal> {
        if name.is_empty() {
            self.unnamed_portal.as_deref()
        } else {
            self.portals.get(name.as_bytes())
        }
    }

    fn bind<'a, B: WriteBuf + ?Sized>(
        &mut self,
        b: Bind<'a>,
        out: &mut B,
    ) -> Result<Step<'a>, ServerConnectionError> {
        let Some(statement) = self.statement(b.statement) else {
            let message = if b.statement.is_empty() {
                "unnamed prepared statement does not exist".into()
            } else {
                format!(
                    "prepared statement \"{}\" does not exist",
                    quoted(b.statement)
                )
            };
            return self.extended_error(
                tag::BIND,
                sqlstate::INVALID_SQL_STATEMENT_NAME,
                message,
                out,
            );
        };
        let (n_formats, n_params) = (b.param_formats.len(), b.params.len());
        if n_formats > 1 && n_formats != n_params {
            return self.extended_error(
                tag::BIND,
                sqlstate::PROTOCOL_VIOLATION,
                format!("bind message has {n_formats} parameter formats but {n_params} parameters"),
                out,
            );
        }
        if n_params != statement.param_types.len() {
            return self.extended_error(tag::BIND, sqlstate::PROTOCOL_VIOLATION, format!(
                        "bind message supplies {n_params} parameters, but prepared statement \"{}\" requires {}",
                        quoted(b.statement),
                        statement.param_types.len()
                    ), out);
        }
        let name = name_key(b.portal);
        if name.is_some() && self.portals.contains_key(b.portal.as_bytes()) {
            return self.extended_error(
                tag::BIND,
                sqlstate::DUPLICATE_CURSOR,
                format!("cursor \"{}\" already exists", quoted(b.portal)),
                out,
            );
        }
        if let Some(bad) = (0..n_params)
            .map(|i| b.param_formats.format_for(i))
            .find(|f| !f.is_supported())
        {
            return self.extended_error(
                tag::BIND,
                sqlstate::INVALID_PARAMETER_VALUE,
                format!("unsupported format code: {}", bad.code()),
                out,
            );
        }
        let columns = statement.description.columns.len();
        let statement_id = statement.id;
        let n_results = b.result_formats.len();
        if n_results > 1 && n_results != columns {
            return self.extended_error(
                tag::BIND,
                sqlstate::PROTOCOL_VIOLATION,
                format!(
                    "bind message has {n_results} result formats but query has {columns} columns"
                ),
                out,
            );
        }
        let replaces = match name {
            None => self.unnamed_portal.take().map(|p| {
                let id = p.id;
                self.spare_portal = Some(p);
                id
            }),
            Some(_) => None,
        };
        let mut portal = self.spare_portal.take().unwrap_or_default();
        if let Some(s) = self.statement(b.statement) {
            portal.description.copy_from(&s.description);
        }
        for (i, c) in portal.description.columns.iter_mut().enumerate() {
            c.format = b.result_formats.format_for(i);
        }
        portal.id = self.next_id();
        let id = portal.id;
        self.set_wait(Wait::Bind { name, portal });
        Ok(Step::Event(Event::Bind {
            portal: id,
            replaces,
            statement: statement_id,
            param_formats: b.param_formats,
            params: b.params,
            result_formats: b.result_formats,
        }))
    }

    fn describe<B: WriteBuf + ?Sized>(
        &mut self,
        target: Target,
        name: PgStr<'_>,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        let aborted = self.status == TransactionStatus::Failed;
        let failed_tx = || {
            ServerError::error(
                sqlstate::IN_FAILED_SQL_TRANSACTION,
                "current transaction is aborted, commands ignored until end of transaction block",
            )
        };
        match target {
            Target::Statement => {
                let Some(s) = self.statement(name) else {
                    let message = if name.is_empty() {
                        "unnamed prepared statement does not exist".into()
                    } else {
                        format!("prepared statement \"{}\" does not exist", quoted(name))
                    };
                    self.last_code = sqlstate::INVALID_SQL_STATEMENT_NAME;
                    return self.protocol_error(
                        tag::DESCRIBE,
                        &ServerError::error(sqlstate::INVALID_SQL_STATEMENT_NAME, message),
                        out,
                    );
                };
                if aborted && s.description.returns_rows {
                    self.last_code = sqlstate::IN_FAILED_SQL_TRANSACTION;
                    return self.protocol_error(tag::DESCRIBE, &failed_tx(), out);
                }
                ParameterDescription {
                    types: List::new(&s.param_types),
                }
                .encode(out)?;
                s.description.write(out)?;
            }
            Target::Portal => {
                let Some(p) = self.portal(name) else {
                    self.last_code = sqlstate::INVALID_CURSOR_NAME;
                    let error = ServerError::error(
                        sqlstate::INVALID_CURSOR_NAME,
                        format!("portal \"{}\" does not exist", quoted(name)),
                    );
                    return self.protocol_error(tag::DESCRIBE, &error, out);
                };
                if aborted && p.description.returns_rows {
                    self.last_code = sqlstate::IN_FAILED_SQL_TRANSACTION;
                    return self.protocol_error(tag::DESCRIBE, &failed_tx(), out);
                }
                p.description.write(out)?;
            }
        }
        Ok(())
    }

    /// A message during COPY FROM STDIN.
    fn copy_in_message<'a, B: WriteBuf + ?Sized>(
        &mut self,
        f: frame::Frame<'a>,
        out: &mut B,
    ) -> Result<Option<Event<'a>>, ServerConnectionError> {
        match f.tag {
            tag::COPY_DATA => Ok(Some(Event::CopyData(f.body))),
            tag::COPY_DONE => {
                self.set_copy_in(false);
                Ok(Some(Event::CopyDone))
            }
            // Flush and Sync are ignored during COPY FROM STDIN, as the protocol says.
            tag::FLUSH | tag::SYNC => Ok(None),
            tag::COPY_FAIL => {
                let message = CopyFail::decode_body(f.body)
                    .map(|c| c.message)
                    .unwrap_or_default();
                let extended = matches!(self.wait(), Some(Wait::Execute { .. }));
                ServerError::error(
                    sqlstate::QUERY_CANCELED,
                    format!("COPY from stdin failed: {message}"),
                )
                .encode(out)?;
                self.after_copy_error(extended);
                Ok(Some(Event::CopyFail { message }))
            }
            other => {
                let extended = matches!(self.wait(), Some(Wait::Execute { .. }));
                ServerError::error(
                    sqlstate::PROTOCOL_VIOLATION,
                    format!("unexpected message type 0x{other:02X} during COPY from stdin"),
                )
                .encode(out)?;
                self.after_copy_error(extended);
                Ok(Some(Event::CopyFail {
                    message: PgStr::EMPTY,
                }))
            }
        }
    }

    fn after_copy_error(&mut self, extended: bool) {
        if self.status == TransactionStatus::InTransaction {
            self.status = TransactionStatus::Failed;
        }
        if extended {
            self.discard_until_sync = true;
            self.set_wait(Wait::Idle);
        } else {
            self.set_copy_in(false);
        }
    }

    // ---- the application's answers ----

    /// Answers [`Event::Parse`]: the statement is prepared; ParseComplete is queued.
    pub fn parse_complete<B: WriteBuf + ?Sized>(
        &mut self,
        description: StatementDescription<'_>,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        let (name, mut statement) = match self.take_wait() {
            Wait::Parse { name, statement } => (name, statement),
            other => {
                self.set_wait(other);
                return Err(ServerConnectionError::Unexpected(
                    "parse_complete without Parse",
                ));
            }
        };
        statement.param_types.clear();
        statement
            .param_types
            .extend_from_slice(description.param_types);
        statement.description.set(description.fields);
        match name {
            Some(n) => {
                self.statements.insert(n, *statement);
            }
            None => self.unnamed_statement = Some(statement),
        }
        ParseComplete.encode(out)?;
        Ok(())
    }

    /// Answers [`Event::Bind`]: the portal exists; BindComplete is queued.
    pub fn bind_complete<B: WriteBuf + ?Sized>(
        &mut self,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        let (name, portal) = match self.take_wait() {
            Wait::Bind { name, portal } => (name, portal),
            other => {
                self.set_wait(other);
                return Err(ServerConnectionError::Unexpected(
                    "bind_complete without Bind",
                ));
            }
        };
        match name {
            Some(n) => {
                self.portals.insert(n, *portal);
            }
            None => self.unnamed_portal = Some(portal),
        }
        BindComplete.encode(out)?;
        Ok(())
    }

    /// Answers [`Event::Execute`] after its rows: CommandComplete, PortalSuspended or
    /// EmptyQueryResponse.
    pub fn execute_done<B: WriteBuf + ?Sized>(
        &mut self,
        outcome: ExecuteOutcome<'_>,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        let Some(Wait::Execute { max_rows, .. }) = self.wait() else {
            return Err(ServerConnectionError::Unexpected(
                "execute_done without Execute",
            ));
        };
        match outcome {
            ExecuteOutcome::Complete(t) => CommandComplete::new(pg_text(t)).encode(out)?,
            ExecuteOutcome::Suspended if *max_rows > 0 => PortalSuspended.encode(out)?,
            ExecuteOutcome::Suspended => {
                return Err(ServerConnectionError::Unexpected(
                    "suspended without a row limit",
                ))
            }
            ExecuteOutcome::Empty => EmptyQueryResponse.encode(out)?,
        }
        self.set_wait(Wait::Idle);
        Ok(())
    }

    /// Ends a simple query, a Sync or a FunctionCall: ReadyForQuery with the application's
    /// transaction status. Portals end with their transaction (status idle or failed): the
    /// application drops its cursors likewise.
    pub fn ready<B: WriteBuf + ?Sized>(
        &mut self,
        status: TransactionStatus,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        match self.wait() {
            Some(Wait::Query { .. } | Wait::Sync | Wait::FunctionCall) => {}
            _ => {
                return Err(ServerConnectionError::Unexpected(
                    "ready without a query, Sync or FunctionCall",
                ))
            }
        }
        self.write_ready(status, out)?;
        self.set_wait(Wait::Idle);
        Ok(())
    }

    pub(crate) fn write_ready<B: WriteBuf + ?Sized>(
        &mut self,
        status: TransactionStatus,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        ReadyForQuery { status }.encode(out)?;
        self.status = status;
        self.flush = true;
        if status != TransactionStatus::InTransaction {
            if let Some(p) = self.unnamed_portal.take() {
                self.spare_portal = Some(p);
            }
            self.portals.clear();
        }
        Ok(())
    }

    /// Sends an ERROR (or FATAL, which ends the session) in answer to the current request. In an
    /// extended-query batch the connection then discards messages until Sync.
    pub fn error<B: WriteBuf + ?Sized>(
        &mut self,
        error: ServerError,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        if error.is_fatal() {
            return self.terminate(error, out);
        }
        error.encode(out)?;
        match self.wait() {
            Some(Wait::Parse { .. } | Wait::Bind { .. } | Wait::Execute { .. }) => {
                self.discard_until_sync = true;
                self.set_wait(Wait::Idle);
            }
            Some(Wait::Query { .. }) => {
                self.set_copy_in(false);
            }
            _ => {}
        }
        Ok(())
    }

    /// Sends a NoticeResponse at any time (a notice, warning or info).
    pub fn notice<B: WriteBuf + ?Sized>(
        &mut self,
        notice: &ServerError,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        notice.encode(out)?;
        self.flush_if_idle();
        Ok(())
    }

    /// Sends a NotificationResponse at any time; while idle it is flushed at once.
    pub fn notification<B: WriteBuf + ?Sized>(
        &mut self,
        pid: i32,
        channel: &str,
        payload: &str,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        NotificationResponse {
            pid,
            channel: pg_text(channel),
            payload: pg_text(payload),
        }
        .encode(out)?;
        self.flush_if_idle();
        Ok(())
    }

    /// Sends a ParameterStatus (a reported setting changed).
    pub fn parameter_status<B: WriteBuf + ?Sized>(
        &mut self,
        name: &str,
        value: &str,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        ParameterStatus {
            name: pg_text(name),
            value: pg_text(value),
        }
        .encode(out)?;
        self.flush_if_idle();
        Ok(())
    }

    fn flush_if_idle(&mut self) {
        if matches!(self.wait(), Some(Wait::Idle)) {
            self.flush = true;
        }
    }

    /// Sends the RowDescription of a simple query's result.
    pub fn row_description<B: WriteBuf + ?Sized>(
        &mut self,
        fields: &[FieldDescription<'_>],
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        Ok(RowDescription::new(fields).encode(out)?)
    }

    /// Starts a DataRow, written in place; call `finish` on it.
    pub fn data_row<'b, B: WriteBuf + ?Sized>(
        &self,
        out: &'b mut B,
    ) -> Result<DataRowWriter<'b, B>, ServerConnectionError> {
        Ok(DataRowWriter::new(out)?)
    }

    /// Ends one statement of a simple query with its command tag (`SELECT 3`, `INSERT 0 1`, …).
    pub fn command_complete<B: WriteBuf + ?Sized>(
        &mut self,
        tag: &str,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        Ok(CommandComplete::new(pg_text(tag)).encode(out)?)
    }

    /// Answers an empty statement of a simple query.
    pub fn empty_query<B: WriteBuf + ?Sized>(
        &mut self,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        Ok(EmptyQueryResponse.encode(out)?)
    }

    /// Starts COPY FROM STDIN: CopyInResponse, then the client's data arrives as events.
    pub fn copy_in<B: WriteBuf + ?Sized>(
        &mut self,
        format: Format,
        columns: &[Format],
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        if !self.set_copy_in(true) {
            return Err(ServerConnectionError::Unexpected("copy_in outside a query"));
        }
        CopyInResponse {
            format,
            column_formats: List::new(columns),
        }
        .encode(out)?;
        self.flush = true;
        Ok(())
    }

    /// Starts COPY TO STDOUT: CopyOutResponse; then [`ServerConnection::copy_data`] and
    /// [`ServerConnection::copy_done`].
    pub fn copy_out<B: WriteBuf + ?Sized>(
        &mut self,
        format: Format,
        columns: &[Format],
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        Ok(CopyOutResponse {
            format,
            column_formats: List::new(columns),
        }
        .encode(out)?)
    }

    /// Starts a COPY BOTH (replication streaming): CopyBothResponse.
    pub fn copy_both<B: WriteBuf + ?Sized>(
        &mut self,
        format: Format,
        columns: &[Format],
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        CopyBothResponse {
            format,
            column_formats: List::new(columns),
        }
        .encode(out)?;
        self.flush = true;
        Ok(())
    }

    /// Sends a chunk of COPY TO STDOUT data.
    pub fn copy_data<B: WriteBuf + ?Sized>(
        &mut self,
        data: &[u8],
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        Ok(CopyData { data }.encode(out)?)
    }

    /// Ends COPY TO STDOUT data; then the command tag (`COPY n`).
    pub fn copy_done<B: WriteBuf + ?Sized>(
        &mut self,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        Ok(CopyDone.encode(out)?)
    }

    /// Answers [`Event::FunctionCall`] with its result; then [`ServerConnection::ready`].
    pub fn function_result<B: WriteBuf + ?Sized>(
        &mut self,
        result: Option<&[u8]>,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        let Some(Wait::FunctionCall) = self.wait() else {
            return Err(ServerConnectionError::Unexpected(
                "function_result without FunctionCall",
            ));
        };
        Ok(FunctionCallResponse { result }.encode(out)?)
    }
}

/// What one message led to.
enum Step<'a> {
    /// Handled; read on.
    Continue,
    /// An event for the application; the message is consumed.
    Event(Event<'a>),
    /// The session ended.
    Closed,
}

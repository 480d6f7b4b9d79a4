//! The API an application implements: a [`Handler`] shared by the whole server decides who may
//! log in and opens a [`Session`] per connection, which answers that client's queries.

use core::future::Future;
use std::borrow::Cow;
use std::io;

use pgproto::backend::{sqlstate, AuthMethod, Secret, ServerConnectionError, ServerError};
use pgproto::message::backend::FieldDescription;
use pgproto::message::{Format, ProtocolVersion, TransactionStatus};
use pgproto::{EncodeError, List, PgStr};

use crate::reply::Reply;

/// Why a request failed: an error for the client (the session goes on), or a broken connection.
#[derive(Debug)]
pub enum Error {
    /// Send this ERROR (or FATAL) to the client.
    Sql(ServerError),
    /// The connection failed; the session ends.
    Io(io::Error),
}

impl From<ServerError> for Error {
    fn from(e: ServerError) -> Self {
        Self::Sql(e)
    }
}

impl From<io::Error> for Error {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

impl From<EncodeError> for Error {
    fn from(e: EncodeError) -> Self {
        Self::Sql(ServerError::error(
            sqlstate::PROGRAM_LIMIT_EXCEEDED,
            format!("cannot encode the result: {e}"),
        ))
    }
}

impl From<ServerConnectionError> for Error {
    fn from(e: ServerConnectionError) -> Self {
        match e {
            ServerConnectionError::Encode(e) => e.into(),
            ServerConnectionError::Unexpected(what) => Self::Sql(ServerError::error(
                sqlstate::INTERNAL_ERROR,
                format!("internal error: {what}"),
            )),
        }
    }
}

/// Who is logging in, copied from the StartupMessage.
#[derive(Debug, Clone)]
pub struct Login {
    /// Process ID of the session (also in BackendKeyData).
    pub pid: i32,
    /// User name.
    pub user: String,
    /// Database name.
    pub database: String,
    /// `application_name`, if sent.
    pub application_name: Option<String>,
    /// Every startup parameter as sent (lossily made UTF-8).
    pub params: Vec<(String, String)>,
    /// Protocol version of the session.
    pub protocol: ProtocolVersion,
    /// Whether the connection uses TLS.
    pub tls: bool,
}

fn lossy(s: PgStr<'_>) -> String {
    String::from_utf8_lossy(s.as_bytes()).into_owned()
}

impl Login {
    pub(crate) fn new(pid: i32, info: &pgproto::backend::StartupInfo<'_>, tls: bool) -> Self {
        Self {
            pid,
            user: lossy(info.user),
            database: lossy(info.database),
            application_name: info.param("application_name").map(lossy),
            params: info
                .params
                .iter()
                .map(|p| (lossy(p.name), lossy(p.value)))
                .collect(),
            protocol: info.version,
            tls,
        }
    }
}

/// How a user must authenticate, and against what.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The method (as in `pg_hba.conf`).
    pub method: AuthMethod,
    /// The stored secret; [`Secret::None`] for an unknown user (the exchange then fails the
    /// same way a wrong password does).
    pub secret: Secret,
}

impl Credentials {
    /// No password.
    pub fn trust() -> Self {
        Self {
            method: AuthMethod::Trust,
            secret: Secret::None,
        }
    }
}

/// The server-wide part of an application.
pub trait Handler {
    /// One connection's state.
    type Session: Session;

    /// How `login.user` must authenticate; an error refuses the login (sent as FATAL).
    fn credentials(&self, login: &Login) -> impl Future<Output = Result<Credentials, ServerError>>;

    /// Opens the session once authenticated (PostgreSQL checks the database now: 3D000). The
    /// reply can carry notices, sent before the session's first ReadyForQuery.
    fn open(
        &self,
        login: &Login,
        reply: &mut Reply<'_>,
    ) -> impl Future<Output = Result<Self::Session, ServerError>>;
}

/// A statement's description, filled in by [`Session::parse`] and kept by the connection for
/// Describe. Its storage is reused from one Parse to the next.
#[derive(Debug, Default)]
pub struct Describe {
    params: Vec<u32>,
    returns_rows: bool,
    names: String,
    columns: Vec<(usize, Column)>,
    spare: Vec<FieldDescription<'static>>,
}

/// A result column's type, as RowDescription reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// OID of the data type.
    pub type_oid: u32,
    /// `pg_type.typlen`: negative for variable-width types.
    pub type_size: i16,
    /// Type modifier, -1 for none.
    pub type_modifier: i32,
    /// OID of the source table, or 0.
    pub table_oid: u32,
    /// Attribute number in that table, or 0.
    pub column_id: i16,
}

impl Column {
    /// A column of type `type_oid` with size `type_size`, from no table.
    pub const fn new(type_oid: u32, type_size: i16) -> Self {
        Self {
            type_oid,
            type_size,
            type_modifier: -1,
            table_oid: 0,
            column_id: 0,
        }
    }
}

impl Describe {
    pub(crate) fn reset(&mut self, param_types: List<'_, u32>) {
        self.params.clear();
        self.params.extend(param_types.iter());
        self.returns_rows = false;
        self.names.clear();
        self.columns.clear();
    }

    /// Parameter types: as the client sent them (0 = unspecified) until the application sets
    /// them; one per parameter of the statement.
    pub fn params(&self) -> &[u32] {
        &self.params
    }

    /// Sets the statement's parameter types (0 leaves one unknown).
    pub fn set_params(&mut self, types: &[u32]) {
        self.params.clear();
        self.params.extend_from_slice(types);
    }

    /// Adds a result column; a statement with none returns no rows (NoData) unless
    /// [`Describe::returns_rows`] says otherwise.
    pub fn column(&mut self, name: &str, column: Column) {
        self.returns_rows = true;
        self.names.push_str(name);
        self.columns.push((self.names.len(), column));
    }

    /// Says the statement returns rows even with no columns (`SELECT` with an empty list).
    pub fn returns_rows(&mut self) {
        self.returns_rows = true;
    }

    /// Hands the description to `f` as the core's fields, reusing the storage of the last call.
    pub(crate) fn with_fields<R>(
        &mut self,
        f: impl FnOnce(&[u32], Option<&[FieldDescription<'_>]>) -> R,
    ) -> R {
        // The spare Vec<FieldDescription<'static>> lends its storage at the borrowed lifetime
        // (covariance) and gets it back through an in-place collect over no items, which keeps
        // the allocation: no Parse allocates.
        let mut fields: Vec<FieldDescription<'_>> = core::mem::take(&mut self.spare);
        let mut start = 0;
        for (end, c) in &self.columns {
            let name = PgStr::new(&self.names.as_bytes()[start..*end]).unwrap_or_default();
            start = *end;
            fields.push(FieldDescription {
                name,
                table_oid: c.table_oid,
                column_id: c.column_id,
                type_oid: c.type_oid,
                type_size: c.type_size,
                type_modifier: c.type_modifier,
                format: Format::Text,
            });
        }
        let r = f(&self.params, self.returns_rows.then_some(&fields[..]));
        fields.clear();
        #[allow(clippy::unnecessary_filter_map)] // the item type changes: only its lifetime
        let spare = fields.into_iter().filter_map(|_| None).collect();
        self.spare = spare;
        r
    }
}

/// Parameter values of a Bind or FunctionCall, with their formats.
#[derive(Debug, Clone, Copy)]
pub struct Params<'a> {
    /// Formats as sent: none (all text), one for all, or one each ([`List::format_for`]).
    pub formats: List<'a, Format>,
    /// The values; `None` is NULL.
    pub values: List<'a, Option<&'a [u8]>>,
}

impl<'a> Params<'a> {
    /// Number of values.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Value `i` and its format.
    pub fn get(&self, i: usize) -> Option<(Option<&'a [u8]>, Format)> {
        Some((self.values.get(i)?, self.formats.format_for(i)))
    }
}

/// How an Execute ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Executed {
    /// The portal ran to completion with this command tag (`SELECT 1`, `INSERT 0 5`, …); a
    /// static tag costs no allocation.
    Complete(Cow<'static, str>),
    /// The row limit was reached with rows left; a later Execute resumes the portal.
    Suspended,
    /// The statement was empty.
    Empty,
}

fn unsupported(what: &str) -> ServerError {
    ServerError::error(
        sqlstate::FEATURE_NOT_SUPPORTED,
        format!("{what} is not supported by this server"),
    )
}

/// One connection's session: the application's answers to its queries. Every method has the
/// connection to itself while it runs; a cancel or shutdown may drop a running future.
pub trait Session {
    /// A simple query (possibly several statements): write each statement's results to
    /// `reply` (RowDescription, rows, CommandComplete), or return the error that stops it.
    fn query(
        &mut self,
        sql: &str,
        reply: &mut Reply<'_>,
    ) -> impl Future<Output = Result<(), Error>>;

    /// Parse: prepare `sql` as statement `id`, describing its parameters and result columns.
    fn parse(
        &mut self,
        id: u64,
        sql: &str,
        describe: &mut Describe,
    ) -> impl Future<Output = Result<(), Error>> {
        let _ = (id, sql, describe);
        async { Err(unsupported("the extended query protocol").into()) }
    }

    /// Bind: make portal `portal` from statement `statement` with these parameters; results
    /// go out in `result_formats` ([`List::format_for`] per column).
    fn bind(
        &mut self,
        portal: u64,
        statement: u64,
        params: Params<'_>,
        result_formats: List<'_, Format>,
    ) -> impl Future<Output = Result<(), Error>> {
        let _ = (portal, statement, params, result_formats);
        async { Err(unsupported("the extended query protocol").into()) }
    }

    /// Execute: send up to `max_rows` rows of `portal` (0 = all) to `reply`.
    fn execute(
        &mut self,
        portal: u64,
        max_rows: u32,
        reply: &mut Reply<'_>,
    ) -> impl Future<Output = Result<Executed, Error>> {
        let _ = (portal, max_rows, reply);
        async { Err(unsupported("the extended query protocol").into()) }
    }

    /// Sync: the end of an extended-query batch (commit an implicit transaction).
    fn sync(&mut self) -> impl Future<Output = Result<(), Error>> {
        async { Ok(()) }
    }

    /// Statement `id` is gone (Close, or replaced): free it.
    fn close_statement(&mut self, id: u64) {
        let _ = id;
    }

    /// Portal `id` is gone (Close, replaced, or its transaction ended): free its cursor.
    fn close_portal(&mut self, id: u64) {
        let _ = id;
    }

    /// A chunk of COPY FROM STDIN data (after [`Reply::copy_in`]).
    fn copy_data(&mut self, data: &[u8]) -> impl Future<Output = Result<(), Error>> {
        let _ = data;
        async { Err(unsupported("COPY FROM STDIN").into()) }
    }

    /// COPY FROM STDIN is complete: finish it and return the number of rows (`COPY n`).
    fn copy_done(&mut self) -> impl Future<Output = Result<u64, Error>> {
        async { Err(unsupported("COPY FROM STDIN").into()) }
    }

    /// COPY FROM STDIN was aborted (the client's CopyFail, already answered): abandon it.
    fn copy_fail(&mut self) {}

    /// FunctionCall: the result of function `oid` on `args`, in `result_format`.
    fn function_call(
        &mut self,
        oid: u32,
        args: Params<'_>,
        result_format: Format,
    ) -> impl Future<Output = Result<Option<Vec<u8>>, Error>> {
        let _ = (oid, args, result_format);
        async { Err(unsupported("the function call protocol").into()) }
    }

    /// The transaction status for ReadyForQuery.
    fn transaction_status(&self) -> TransactionStatus {
        TransactionStatus::Idle
    }

    /// An error the application did not raise ended the current statement (a protocol error, a
    /// cancel): a transaction block, if open, is now failed.
    fn aborted(&mut self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_reuses_its_storage() {
        let mut d = Describe::default();
        d.reset(List::new(&[0, 25]));
        d.column("a", Column::new(23, 4));
        d.column("bb", Column::new(25, -1));
        let names = d.with_fields(|params, fields| {
            assert_eq!(params, [0, 25]);
            fields
                .unwrap()
                .iter()
                .map(|f| f.name.to_string())
                .collect::<Vec<_>>()
        });
        assert_eq!(names, ["a", "bb"]);
        let storage = (d.spare.as_ptr(), d.spare.capacity());
        assert!(storage.1 >= 2, "the field storage is kept");
        d.reset(List::new(&[]));
        d.column("c", Column::new(23, 4));
        d.with_fields(|_, fields| assert_eq!(fields.unwrap()[0].name, "c"));
        assert_eq!(
            (d.spare.as_ptr(), d.spare.capacity()),
            storage,
            "and reused"
        );
        d.reset(List::new(&[]));
        d.with_fields(|_, fields| assert!(fields.is_none(), "no columns: NoData"));
    }
}

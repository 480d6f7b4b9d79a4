//! [`Client`]: a PostgreSQL connection over any [`Transport`], on the frontend core. Connects
//! (TLS, every authentication method), runs simple and extended queries with typed parameters,
//! pipelines them (one write, one round trip for many queries), streams COPY both ways, collects
//! notifications, and hands out a [`CancelToken`].

mod error;
mod value;

use std::collections::VecDeque;
use std::io;
use std::sync::Arc;

use bytes::{Buf, BytesMut};
use pgproto::frontend::{ClientConfig, ClientConnection, ClientEvent, ClientProgress};
use pgproto::message::backend::BackendMessage;
use pgproto::message::{Format, TransactionStatus};

pub use error::{DbError, Error};
pub use value::{oid, FromValue, ToParam};

use crate::reply::FLUSH_AT;
use crate::tls::{Stream, TlsConnector};
use crate::transport::{read_some, Transport};

/// A result column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// Its name.
    pub name: String,
    /// Its type's OID.
    pub type_oid: u32,
}

/// One result row, in text format.
#[derive(Debug, Clone)]
pub struct Row {
    columns: Arc<[Column]>,
    data: Vec<u8>,
    cells: Vec<Option<(u32, u32)>>,
}

impl Row {
    /// The columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether the row has no values.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// Value `i` as text (`None` for NULL or out of range).
    pub fn text(&self, i: usize) -> Option<&str> {
        let (start, end) = (*self.cells.get(i)?)?;
        std::str::from_utf8(self.data.get(start as usize..end as usize)?).ok()
    }

    /// Value `i` converted to `T`.
    pub fn get<T: FromValue>(&self, i: usize) -> Result<T, Error> {
        if i >= self.cells.len() {
            return Err(Error::Conversion(format!("no column {i}")));
        }
        T::from_text(self.text(i))
    }

    fn from_wire(columns: &Arc<[Column]>, values: pgproto::List<'_, Option<&[u8]>>) -> Self {
        let mut data = Vec::new();
        let cells = values
            .iter()
            .map(|v| {
                v.map(|v| {
                    let start = data.len() as u32;
                    data.extend_from_slice(v);
                    (start, data.len() as u32)
                })
            })
            .collect();
        Self {
            columns: columns.clone(),
            data,
            cells,
        }
    }
}

/// The result of one statement.
#[derive(Debug, Clone, Default)]
pub struct QueryResult {
    /// Its columns (empty for a statement without rows).
    pub columns: Vec<Column>,
    /// Its rows.
    pub rows: Vec<Row>,
    /// The command tag (`SELECT 2`, `INSERT 0 1`, …); empty for an empty query.
    pub tag: String,
}

impl QueryResult {
    /// Rows affected, from the command tag's last number.
    pub fn rows_affected(&self) -> u64 {
        self.tag
            .rsplit(' ')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    }
}

/// A prepared statement.
#[derive(Debug, Clone)]
pub struct Statement {
    name: String,
    params: Vec<u32>,
    columns: Arc<[Column]>,
}

impl Statement {
    /// Parameter types the server resolved.
    pub fn params(&self) -> &[u32] {
        &self.params
    }

    /// Result columns.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }
}

/// A NOTIFY received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    /// PID of the notifying session.
    pub pid: i32,
    /// Channel.
    pub channel: String,
    /// Payload.
    pub payload: String,
}

/// What cancels a session's running query: a CancelRequest to send on a new connection.
#[derive(Debug, Clone)]
pub struct CancelToken {
    packet: BytesMut,
}

impl CancelToken {
    /// Sends the CancelRequest on `io` (a new connection to the same server) and waits for the
    /// server to close it.
    pub async fn send<T: Transport>(&self, mut io: T) -> io::Result<()> {
        io.write_all(&mut self.packet.clone()).await?;
        let mut buf = BytesMut::new();
        while read_some(&mut io, &mut buf).await? > 0 {
            buf.clear();
        }
        Ok(())
    }
}

/// A query to run: SQL text (prepared unnamed, each time) or a prepared [`Statement`].
#[derive(Debug, Clone, Copy)]
pub enum Query<'q> {
    /// SQL with `$n` parameters.
    Sql(&'q str),
    /// A prepared statement.
    Prepared(&'q Statement),
}

impl<'q> From<&'q str> for Query<'q> {
    fn from(s: &'q str) -> Self {
        Self::Sql(s)
    }
}

impl<'q> From<&'q Statement> for Query<'q> {
    fn from(s: &'q Statement) -> Self {
        Self::Prepared(s)
    }
}

/// Requests in flight at most (the frontend core's queue).
const QUEUE: usize = 256;
/// Requests one pipelined query writes at most (Parse, Bind, Describe, Execute, Sync).
const REQUESTS_PER_QUERY: usize = 5;

/// A connection to a PostgreSQL server.
pub struct Client<T> {
    io: Stream<T>,
    conn: ClientConnection<QUEUE>,
    input: BytesMut,
    out: BytesMut,
    notifications: VecDeque<Notification>,
    next_statement: u64,
    scratch: Vec<u8>,
}

impl<T> core::fmt::Debug for Client<T> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Client")
            .field("pid", &self.conn.backend_pid())
            .finish_non_exhaustive()
    }
}

/// What one query of a pipeline collects.
#[derive(Default)]
struct Collect {
    first: u64,
    columns: Arc<[Column]>,
    results: Vec<QueryResult>,
    current: QueryResult,
    error: Option<DbError>,
    done: bool,
}

impl Collect {
    fn on(&mut self, message: &BackendMessage<'_>) {
        match message {
            BackendMessage::RowDescription(d) => {
                let columns: Vec<Column> = d
                    .fields
                    .iter()
                    .map(|f| Column {
                        name: String::from_utf8_lossy(f.name.as_bytes()).into_owned(),
                        type_oid: f.type_oid,
                    })
                    .collect();
                self.columns = columns.clone().into();
                self.current.columns = columns;
            }
            BackendMessage::DataRow(r) => {
                self.current
                    .rows
                    .push(Row::from_wire(&self.columns, r.columns));
            }
            BackendMessage::CommandComplete(c) => {
                self.current.tag = String::from_utf8_lossy(c.tag.as_bytes()).into_owned();
                self.results.push(core::mem::take(&mut self.current));
            }
            BackendMessage::EmptyQueryResponse(_) | BackendMessage::PortalSuspended(_) => {
                self.results.push(core::mem::take(&mut self.current));
            }
            BackendMessage::ErrorResponse(e) => {
                self.error.get_or_insert_with(|| DbError::from_fields(e));
            }
            BackendMessage::ReadyForQuery(_) => self.done = true,
            _ => {}
        }
    }

    fn finish(self) -> Result<Vec<QueryResult>, Error> {
        match self.error {
            Some(e) => Err(e.into()),
            None => Ok(self.results),
        }
    }
}

fn nonce() -> io::Result<[u8; pgproto::auth::scram::NONCE_RAW_LEN]> {
    let mut n = [0; pgproto::auth::scram::NONCE_RAW_LEN];
    crate::tls::provider()
        .secure_random
        .fill(&mut n)
        .map_err(|_| io::Error::other("no system randomness"))?;
    Ok(n)
}

impl<T: Transport> Client<T> {
    /// Logs in over `io` with `config`; `tls` is used when `config.ssl` asks for TLS and the
    /// server agrees.
    pub async fn connect(
        io: T,
        config: ClientConfig,
        tls: Option<&TlsConnector>,
    ) -> Result<Self, Error> {
        let mut conn = ClientConnection::<QUEUE>::new(config, nonce()?);
        let mut out = BytesMut::new();
        conn.start(&mut out)?;
        let mut client = Self {
            io: Stream::Plain(io),
            conn,
            input: BytesMut::new(),
            out,
            notifications: VecDeque::new(),
            next_statement: 1,
            scratch: Vec::new(),
        };
        loop {
            let step = client
                .drive(None, |e| match e {
                    ClientEvent::SslResponse { accepted } => Ok(Some(Some(accepted))),
                    ClientEvent::Ready => Ok(Some(None)),
                    _ => Ok(None),
                })
                .await?;
            match step {
                None => return Ok(client),
                Some(false) => {}
                Some(true) => client.start_tls(tls).await?,
            }
        }
    }

    async fn start_tls(&mut self, tls: Option<&TlsConnector>) -> Result<(), Error> {
        let connector = match tls {
            Some(t) => t.clone(),
            None => TlsConnector::without_verification()?,
        };
        let Stream::Plain(io) = core::mem::replace(&mut self.io, Stream::Upgrading) else {
            return Err(Error::Closed);
        };
        let (tls, end_point) = connector.connect(io).await?;
        self.io = Stream::Tls(Box::new(tls));
        self.conn
            .tls_established(end_point.as_deref(), &mut self.out)?;
        Ok(())
    }

    /// Writes pending output, then handles server messages until `f` returns a value (or, with
    /// `on_notification`, until a notification arrives: that value is returned). Notices are
    /// dropped, notifications kept; a FATAL error ends the connection.
    async fn drive<R>(
        &mut self,
        mut on_notification: Option<R>,
        mut f: impl FnMut(ClientEvent<'_>) -> Result<Option<R>, Error>,
    ) -> Result<R, Error> {
        loop {
            if !self.out.is_empty() {
                self.io.write_all(&mut self.out).await?;
            }
            loop {
                let (result, consumed) = match self.conn.poll(&self.input, &mut self.out)? {
                    ClientProgress::Event {
                        event, consumed, ..
                    } => {
                        let r = match event {
                            ClientEvent::Notification(n) => {
                                self.notifications.push_back(Notification {
                                    pid: n.pid,
                                    channel: String::from_utf8_lossy(n.channel.as_bytes())
                                        .into_owned(),
                                    payload: String::from_utf8_lossy(n.payload.as_bytes())
                                        .into_owned(),
                                });
                                Ok(None)
                            }
                            ClientEvent::Fatal(e) => Err(DbError::from_fields(&e).into()),
                            other => f(other),
                        };
                        (r, consumed)
                    }
                    ClientProgress::NeedData { consumed } => {
                        self.input.advance(consumed);
                        break;
                    }
                    ClientProgress::Closed { consumed } => {
                        self.input.advance(consumed);
                        return Err(Error::Closed);
                    }
                };
                self.input.advance(consumed);
                if let Some(r) = result? {
                    return Ok(r);
                }
                if !self.notifications.is_empty() {
                    if let Some(r) = on_notification.take() {
                        return Ok(r);
                    }
                }
                if !self.out.is_empty() {
                    break;
                }
            }
            if self.out.is_empty() && read_some(&mut self.io, &mut self.input).await? == 0 {
                self.conn.terminate(&mut self.out).ok();
                self.out.clear();
                return Err(Error::Closed);
            }
        }
    }

    /// Runs a simple query (one or more statements, no parameters); results in order.
    pub async fn simple_query(&mut self, sql: &str) -> Result<Vec<QueryResult>, Error> {
        let id = self.conn.query(sql, &mut self.out)?;
        let mut c = Collect {
            first: id.0,
            ..Collect::default()
        };
        self.drive(None, |e| {
            if let ClientEvent::Response { message, .. } = e {
                c.on(&message);
            }
            Ok(c.done.then_some(()))
        })
        .await?;
        c.finish()
    }

    /// Prepares `sql` as a named statement (the server infers parameter types).
    pub async fn prepare(&mut self, sql: &str) -> Result<Statement, Error> {
        let name = format!("pgproto_s{}", self.next_statement);
        self.next_statement += 1;
        self.conn.parse(&name, sql, &[], &mut self.out)?;
        self.conn.describe_statement(&name, &mut self.out)?;
        self.conn.sync(&mut self.out)?;
        let mut params = Vec::new();
        let mut c = Collect::default();
        self.drive(None, |e| {
            if let ClientEvent::Response { message, .. } = e {
                if let BackendMessage::ParameterDescription(p) = &message {
                    params = p.types.iter().collect();
                }
                c.on(&message);
            }
            Ok(c.done.then_some(()))
        })
        .await?;
        let columns = c.columns.clone();
        c.finish()?;
        Ok(Statement {
            name,
            params,
            columns,
        })
    }

    /// Writes one query of a pipeline: Parse (for SQL), Bind, Describe (for SQL), Execute, Sync.
    fn write_query(&mut self, query: Query<'_>, params: &[&dyn ToParam]) -> Result<Collect, Error> {
        self.scratch.clear();
        let mut spans = Vec::with_capacity(params.len());
        for p in params {
            let start = self.scratch.len();
            spans.push(
                p.encode(&mut self.scratch)
                    .then_some(start..self.scratch.len()),
            );
        }
        let values: Vec<Option<&[u8]>> = spans
            .iter()
            .map(|s| s.clone().map(|r| &self.scratch[r]))
            .collect();
        let formats = [Format::Binary];
        let (statement, columns, parse) = match query {
            Query::Sql(sql) => {
                let types: Vec<u32> = params.iter().map(|p| ToParam::type_oid(*p)).collect();
                let parse = self.conn.parse("", sql, &types, &mut self.out)?;
                ("", None, Some(parse))
            }
            Query::Prepared(s) => (s.name.as_str(), Some(s.columns.clone()), None),
        };
        let bind = self
            .conn
            .bind("", statement, &formats, &values, &[], &mut self.out)?;
        let first = parse.unwrap_or(bind);
        if columns.is_none() {
            self.conn.describe_portal("", &mut self.out)?;
        }
        self.conn.execute("", 0, &mut self.out)?;
        self.conn.sync(&mut self.out)?;
        Ok(Collect {
            first: first.0,
            columns: columns.unwrap_or_else(|| Arc::from(Vec::new())),
            ..Collect::default()
        })
    }

    /// Runs a query with typed parameters (sent in binary); returns its rows.
    pub async fn query<'q>(
        &mut self,
        query: impl Into<Query<'q>>,
        params: &[&dyn ToParam],
    ) -> Result<Vec<Row>, Error> {
        let mut results = self.pipeline(&[(query.into(), params)]).await?;
        match results.pop() {
            Some(r) => r.map(|mut r| r.pop().map(|r| r.rows).unwrap_or_default()),
            None => Err(Error::Closed),
        }
    }

    /// Runs a statement with typed parameters; returns the rows it affected.
    pub async fn execute<'q>(
        &mut self,
        query: impl Into<Query<'q>>,
        params: &[&dyn ToParam],
    ) -> Result<u64, Error> {
        let mut results = self.pipeline(&[(query.into(), params)]).await?;
        match results.pop() {
            Some(r) => r.map(|r| r.last().map_or(0, QueryResult::rows_affected)),
            None => Err(Error::Closed),
        }
    }

    /// Runs several queries in one round trip: all are written at once, each in its own
    /// implicit transaction (a Sync after each), so one failing does not stop the others.
    /// Returns each query's result, in order.
    pub async fn pipeline(
        &mut self,
        queries: &[(Query<'_>, &[&dyn ToParam])],
    ) -> Result<Vec<Result<Vec<QueryResult>, Error>>, Error> {
        let mut collects: Vec<Collect> = Vec::with_capacity(queries.len());
        // Written up to `next`; answered up to `done`; `at` routes responses by request id.
        let (mut next, mut done, mut at) = (0, 0, 0);
        while done < queries.len() {
            while next < queries.len() && self.conn.in_flight() + REQUESTS_PER_QUERY <= QUEUE {
                let (q, params) = queries[next];
                collects.push(self.write_query(q, params)?);
                next += 1;
                if self.out.len() >= FLUSH_AT {
                    self.io.write_all(&mut self.out).await?;
                }
            }
            self.drive(None, |e| {
                if let ClientEvent::Response {
                    request, message, ..
                } = e
                {
                    while at + 1 < collects.len() && request.0 >= collects[at + 1].first {
                        at += 1;
                    }
                    collects[at].on(&message);
                }
                Ok(collects[done].done.then_some(()))
            })
            .await?;
            while done < collects.len() && collects[done].done {
                done += 1;
            }
        }
        Ok(collects.into_iter().map(Collect::finish).collect())
    }

    /// Starts `COPY … FROM STDIN`; send the data through the returned [`CopyIn`].
    pub async fn copy_in(&mut self, sql: &str) -> Result<CopyIn<'_, T>, Error> {
        let started = |m: &BackendMessage<'_>| matches!(m, BackendMessage::CopyInResponse(_));
        self.start_copy(sql, started, "not a COPY FROM STDIN")
            .await?;
        Ok(CopyIn { client: self })
    }

    /// Starts `COPY … TO STDOUT`; read the data from the returned [`CopyOut`].
    pub async fn copy_out(&mut self, sql: &str) -> Result<CopyOut<'_, T>, Error> {
        let started = |m: &BackendMessage<'_>| matches!(m, BackendMessage::CopyOutResponse(_));
        self.start_copy(sql, started, "not a COPY TO STDOUT")
            .await?;
        Ok(CopyOut {
            client: self,
            done: false,
        })
    }

    /// Sends `sql` and reads until the server starts the COPY `started` recognizes, or ends the
    /// query (with its error, or `not_copy`).
    async fn start_copy(
        &mut self,
        sql: &str,
        started: impl Fn(&BackendMessage<'_>) -> bool,
        not_copy: &str,
    ) -> Result<(), Error> {
        self.conn.query(sql, &mut self.out)?;
        let mut error = None;
        let copying = self
            .drive(None, |e| match e {
                ClientEvent::Response { message, .. } => match message {
                    m if started(&m) => Ok(Some(true)),
                    BackendMessage::ErrorResponse(e) => {
                        error = Some(DbError::from_fields(&e));
                        Ok(None)
                    }
                    BackendMessage::ReadyForQuery(_) => Ok(Some(false)),
                    _ => Ok(None),
                },
                _ => Ok(None),
            })
            .await?;
        match (copying, error) {
            (true, _) => Ok(()),
            (false, Some(e)) => Err(e.into()),
            (false, None) => Err(Error::Conversion(not_copy.into())),
        }
    }

    /// The next notification: one already received, or the next to arrive (waiting idle).
    pub async fn notification(&mut self) -> Result<Notification, Error> {
        if self.notifications.is_empty() {
            self.drive(Some(()), |_| Ok(None)).await?;
        }
        self.notifications.pop_front().ok_or(Error::Closed)
    }

    /// Notifications received so far, taken.
    pub fn take_notifications(&mut self) -> Vec<Notification> {
        self.notifications.drain(..).collect()
    }

    /// What cancels this session's running query (send it on a new connection).
    pub fn cancel_token(&self) -> CancelToken {
        let mut packet = Vec::new();
        let _ = self.conn.cancel_request(&mut packet);
        CancelToken {
            packet: BytesMut::from(&packet[..]),
        }
    }

    /// The server's process ID for this session.
    pub fn backend_pid(&self) -> i32 {
        self.conn.backend_pid()
    }

    /// A run-time parameter the server reported (`server_version`, `TimeZone`, …).
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.conn.parameter(name)
    }

    /// The transaction status of the last ReadyForQuery.
    pub fn transaction_status(&self) -> TransactionStatus {
        self.conn.transaction_status()
    }

    /// Whether login used SCRAM-SHA-256-PLUS (channel binding).
    pub fn used_channel_binding(&self) -> bool {
        self.conn.used_channel_binding()
    }

    /// Whether the connection runs over TLS.
    pub fn is_tls(&self) -> bool {
        matches!(self.io, Stream::Tls(_))
    }

    /// Ends the session (Terminate).
    pub async fn close(mut self) -> Result<(), Error> {
        self.conn.terminate(&mut self.out)?;
        self.io.write_all(&mut self.out).await?;
        Ok(())
    }
}

/// COPY FROM STDIN in progress.
#[derive(Debug)]
pub struct CopyIn<'c, T> {
    client: &'c mut Client<T>,
}

impl<T: Transport> CopyIn<'_, T> {
    /// Sends a chunk of data (buffered; written in large batches).
    pub async fn send(&mut self, data: &[u8]) -> Result<(), Error> {
        let c = &mut *self.client;
        c.conn.copy_data(data, &mut c.out)?;
        if c.out.len() >= FLUSH_AT {
            c.io.write_all(&mut c.out).await?;
        }
        Ok(())
    }

    async fn end(self, fail: Option<&str>) -> Result<u64, Error> {
        let c = self.client;
        match fail {
            Some(m) => c.conn.copy_fail(m, &mut c.out)?,
            None => c.conn.copy_done(&mut c.out)?,
        }
        let mut collect = Collect::default();
        c.drive(None, |e| {
            if let ClientEvent::Response { message, .. } = e {
                collect.on(&message);
            }
            Ok(collect.done.then_some(()))
        })
        .await?;
        Ok(collect
            .finish()?
            .last()
            .map_or(0, QueryResult::rows_affected))
    }

    /// Ends the data; returns the number of rows copied.
    pub async fn finish(self) -> Result<u64, Error> {
        self.end(None).await
    }

    /// Aborts the copy with `message` (the server answers with an error, returned here).
    pub async fn abort(self, message: &str) -> Result<u64, Error> {
        self.end(Some(message)).await
    }
}

/// COPY TO STDOUT in progress.
#[derive(Debug)]
pub struct CopyOut<'c, T> {
    client: &'c mut Client<T>,
    done: bool,
}

impl<T: Transport> CopyOut<'_, T> {
    /// The next chunk of data, or `None` at the end.
    pub async fn next(&mut self) -> Result<Option<Vec<u8>>, Error> {
        if self.done {
            return Ok(None);
        }
        let mut error = None;
        let chunk = self
            .client
            .drive(None, |e| match e {
                ClientEvent::Response { message, .. } => match message {
                    BackendMessage::CopyData(d) => Ok(Some(Some(d.data.to_vec()))),
                    BackendMessage::ErrorResponse(e) => {
                        error = Some(DbError::from_fields(&e));
                        Ok(None)
                    }
                    BackendMessage::ReadyForQuery(_) => Ok(Some(None)),
                    _ => Ok(None),
                },
                _ => Ok(None),
            })
            .await?;
        if chunk.is_none() {
            self.done = true;
        }
        match error {
            Some(e) => Err(e.into()),
            None => Ok(chunk),
        }
    }
}

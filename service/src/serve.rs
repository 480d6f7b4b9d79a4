//! [`Server`]: the connection loop, written once for every runtime. It reads into a reusable
//! buffer, hands every complete message to the core and the application, encodes all answers
//! into one output buffer and writes it once per batch; between batches it waits for input, an
//! asynchronous message or a deadline, holding no buffers.

use core::future::{pending, poll_fn, Future};
use core::pin::pin;
use core::task::Poll;
use std::io;
use std::sync::Arc;

use bytes::{Buf, BytesMut};
use pgproto::backend::{
    sqlstate, Event, ExecuteOutcome, Progress, Secrets, ServerConfig, ServerConnection,
    ServerError, StatementDescription,
};
use pgproto::message::{ProtocolVersion, TransactionStatus};
use pgproto::PgStr;

use crate::handler::{Describe, Error, Executed, Handler, Login, Params, Session};
use crate::pool;
use crate::reply::{Reply, FLUSH_AT};
use crate::sessions::{Interrupt, Mailbox, Push, Registration, Sessions};
use crate::tls::{Stream, TlsAcceptor};
use crate::transport::{race, Clock, Read, Transport};

/// A PostgreSQL-compatible server: an application's [`Handler`] with the settings every
/// connection shares. A binding accepts connections and runs [`Server::serve`] on each.
pub struct Server<H> {
    handler: H,
    config: Arc<ServerConfig>,
    tls: Option<TlsAcceptor>,
    sessions: Arc<Sessions>,
    max_connections: usize,
}

impl<H> core::fmt::Debug for Server<H> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Server")
            .field("tls", &self.tls)
            .field("sessions", &self.sessions)
            .field("max_connections", &self.max_connections)
            .finish_non_exhaustive()
    }
}

impl<H: Handler> Server<H> {
    /// A server for `handler` with PostgreSQL's defaults: no TLS, 100 connections.
    pub fn new(handler: H) -> Self {
        Self {
            handler,
            config: Arc::new(ServerConfig::default()),
            tls: None,
            sessions: Arc::new(Sessions::new()),
            max_connections: 100,
        }
    }

    /// Uses these connection settings (ParameterStatus values, timeouts, message size limit).
    #[must_use]
    pub fn with_config(mut self, config: ServerConfig) -> Self {
        self.config = Arc::new(config);
        self
    }

    /// Accepts TLS (after SSLRequest, or direct) with this certificate.
    #[must_use]
    pub fn with_tls(mut self, tls: TlsAcceptor) -> Self {
        self.tls = Some(tls);
        self
    }

    /// Refuses logins beyond `n` open connections with 53300, as PostgreSQL's `max_connections`.
    #[must_use]
    pub fn with_max_connections(mut self, n: usize) -> Self {
        self.max_connections = n;
        self
    }

    /// Shares this session registry (so the application can reach sessions from its handler).
    #[must_use]
    pub fn with_sessions(mut self, sessions: Arc<Sessions>) -> Self {
        self.sessions = sessions;
        self
    }

    /// Applies command-line options: connection settings, TLS and the connection limit.
    pub fn with_args(self, args: &crate::args::ServerArgs) -> io::Result<Self> {
        let mut s = self
            .with_config(args.config())
            .with_max_connections(args.max_connections);
        if let Some(tls) = args.tls_acceptor()? {
            s = s.with_tls(tls);
        }
        Ok(s)
    }

    /// The application.
    pub fn handler(&self) -> &H {
        &self.handler
    }

    /// The live sessions: cancel, notify, terminate.
    pub fn sessions(&self) -> &Arc<Sessions> {
        &self.sessions
    }

    /// Serves one accepted connection to its end. `clock` provides time and timers.
    pub async fn serve<T: Transport, C: Clock>(&self, io: T, clock: &C) -> io::Result<()> {
        let (registration, conn) = self.accept(clock.now())?;
        let mut c = Connection {
            server: self,
            clock,
            pid: registration.pid,
            conn,
            mailbox: &registration.mailbox,
            stream: Stream::Plain(io),
            out: BytesMut::new(),
            session: None,
            login: None,
            describe: None,
            copy: None,
            pushes: Vec::new(),
            portals: Vec::new(),
        };
        c.run().await
    }

    /// Registers a new connection with fresh secrets (outside the async state, which every
    /// idle connection keeps).
    fn accept(
        &self,
        now: pgproto::backend::Instant,
    ) -> io::Result<(Registration, ServerConnection)> {
        let mut random = [0u8; 32 + 4 + 18 + 16];
        crate::tls::provider()
            .secure_random
            .fill(&mut random)
            .map_err(|_| io::Error::other("no system randomness"))?;
        let mut secrets = Secrets::fixed(0);
        secrets.cancel_key.copy_from_slice(&random[..32]);
        secrets.md5_salt.copy_from_slice(&random[32..36]);
        secrets.scram_nonce.copy_from_slice(&random[36..54]);
        secrets.scram_salt.copy_from_slice(&random[54..]);
        let registration = self.sessions.register(secrets.cancel_key);
        secrets.pid = registration.pid;
        let conn = ServerConnection::new(self.config.clone(), secrets, now);
        Ok((registration, conn))
    }
}

/// Which request started the running COPY FROM STDIN.
#[derive(Clone, Copy)]
enum CopyFrom {
    Query,
    Execute,
}

/// What woke an idle connection.
enum Wake {
    Interrupt(Interrupt),
    Deadline,
}

/// What a handler call ended with.
enum Outcome<T> {
    Done(Result<T, Error>),
    Interrupted(Interrupt),
}

struct Connection<'s, H: Handler, T, C> {
    server: &'s Server<H>,
    clock: &'s C,
    pid: i32,
    conn: ServerConnection,
    mailbox: &'s Mailbox,
    stream: Stream<T>,
    out: BytesMut,
    session: Option<H::Session>,
    /// Who logs in, from Startup until the session opens.
    login: Option<Box<Login>>,
    /// Made at the first Parse and reused.
    describe: Option<Box<Describe>>,
    copy: Option<CopyFrom>,
    pushes: Vec<Push>,
    /// Open portals, closed for the session when their transaction ends.
    portals: Vec<u64>,
}

fn connection_error(e: pgproto::backend::ServerConnectionError) -> io::Error {
    io::Error::other(e.to_string())
}

/// The session, once opened (events that need it never come before).
fn opened<S>(session: &mut Option<S>) -> io::Result<&mut S> {
    session
        .as_mut()
        .ok_or_else(|| io::Error::other("a query before the session opened"))
}

fn canceled() -> ServerError {
    ServerError::error(
        sqlstate::QUERY_CANCELED,
        "canceling statement due to user request",
    )
}

/// Completes at `deadline`, or never without one.
async fn until<C: Clock>(clock: &C, deadline: Option<pgproto::backend::Instant>) {
    match deadline {
        Some(d) => clock.sleep_until(d).await,
        None => pending().await,
    }
}

impl<H: Handler, T: Transport, C: Clock> Connection<'_, H, T, C> {
    async fn run(&mut self) -> io::Result<()> {
        let mut input = BytesMut::new();
        if self.server.tls.is_some() {
            self.direct_tls(&mut input).await?;
        }
        // The core reads the time only to start timing idleness: with no idle timeout one
        // reading per batch does; with one, the time after each (possibly slow) request counts.
        let config = &self.server.config;
        let timed = config.idle_session_timeout_us.is_some()
            || config.idle_in_transaction_session_timeout_us.is_some();
        loop {
            pool::borrow(&mut self.out);
            let batch_start = self.clock.now();
            loop {
                let now = if timed { self.clock.now() } else { batch_start };
                let progress = self
                    .conn
                    .poll_event(now, &input, &mut self.out)
                    .map_err(connection_error)?;
                match progress {
                    Progress::Event { event, consumed } => {
                        let r = self.on_event(event).await;
                        input.advance(consumed);
                        r?;
                    }
                    Progress::NeedData { consumed } | Progress::Blocked { consumed } => {
                        input.advance(consumed);
                        break;
                    }
                    Progress::Closed { .. } => return self.write_out().await,
                }
                if self.out.len() >= FLUSH_AT {
                    self.write_out().await?;
                }
            }
            // Notifications held during a transaction block go out once it ends.
            if !self.pushes.is_empty() {
                self.deliver_pushes()?;
            }
            if self.conn.take_flush() {
                self.write_out().await?;
            }
            // Idle: the buffers go back to the pool while nothing is pending.
            pool::give_back(&mut input);
            pool::give_back(&mut self.out);
            if self.wait(&mut input).await? {
                return self.write_out().await;
            }
        }
    }

    /// Sends the output buffer.
    async fn write_out(&mut self) -> io::Result<()> {
        if !self.out.is_empty() {
            self.stream.write_all(&mut self.out).await?;
        }
        Ok(())
    }

    /// Waits for input (read into `input`), an interrupt or the connection's deadline; true when
    /// the connection is over.
    async fn wait(&mut self, input: &mut BytesMut) -> io::Result<bool> {
        let deadline = self.conn.poll_timeout();
        let clock = self.clock;
        let read = {
            let mut interrupt = pin!(self.mailbox.interrupted(false));
            let mut sleep = pin!(until(clock, deadline));
            let mut stop = poll_fn(|cx| {
                if let Poll::Ready(i) = interrupt.as_mut().poll(cx) {
                    return Poll::Ready(Wake::Interrupt(i));
                }
                if deadline.is_some() && sleep.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Wake::Deadline);
                }
                Poll::Pending
            });
            self.stream.read(input, &mut stop).await
        };
        let wake = match read {
            Read::Done(Ok(0)) => {
                self.conn.handle_eof();
                return Ok(true);
            }
            Read::Done(r) => return r.map(|_| false),
            Read::Stopped(wake) => wake,
        };
        match wake {
            Wake::Interrupt(Interrupt::Terminate(e)) => {
                pool::borrow(&mut self.out);
                self.conn
                    .terminate(e, &mut self.out)
                    .map_err(connection_error)?;
                Ok(true)
            }
            Wake::Interrupt(_) => {
                self.deliver_pushes()?;
                Ok(false)
            }
            Wake::Deadline => {
                pool::borrow(&mut self.out);
                let now = self.clock.now();
                self.conn
                    .handle_timeout(now, &mut self.out)
                    .map_err(connection_error)?;
                Ok(self.conn.is_closed())
            }
        }
    }

    /// Encodes the waiting notices, and the notifications unless a transaction block is open:
    /// PostgreSQL holds those until the block ends. Only a logged-in session gets any.
    fn deliver_pushes(&mut self) -> io::Result<()> {
        self.mailbox.take_pushes(&mut self.pushes);
        if !self.conn.is_authenticated() {
            self.pushes.clear();
            return Ok(());
        }
        if self.pushes.is_empty() {
            return Ok(());
        }
        let in_block = self.conn.transaction_status() != TransactionStatus::Idle;
        pool::borrow(&mut self.out);
        let (conn, out) = (&mut self.conn, &mut self.out);
        let mut result = Ok(());
        self.pushes.retain(|push| {
            let sent = match push {
                Push::Notification { .. } if in_block => return true,
                Push::Notification {
                    pid,
                    channel,
                    payload,
                } => conn.notification(*pid, channel, payload, out),
                Push::Notice(n) => conn.notice(n, out),
            };
            if let Err(e) = sent {
                result = Err(connection_error(e));
            }
            false
        });
        result
    }

    /// Direct TLS: a connection that starts with a TLS handshake record instead of a startup
    /// packet (PostgreSQL 17's `sslnegotiation=direct`).
    async fn direct_tls(&mut self, input: &mut BytesMut) -> io::Result<()> {
        pool::borrow(input);
        while input.is_empty() {
            if self.wait(input).await? {
                return Ok(());
            }
        }
        if input.first() == Some(&0x16) {
            let early = input.split();
            Box::pin(self.start_tls(&early, true)).await?;
        }
        Ok(())
    }

    /// Runs the TLS handshake (bounded by the authentication deadline). Callers box this future:
    /// it holds a whole TLS connection, which would otherwise enlarge every connection's task.
    async fn start_tls(&mut self, early: &[u8], direct: bool) -> io::Result<()> {
        let Some(acceptor) = &self.server.tls else {
            return Err(io::ErrorKind::Unsupported.into());
        };
        let Stream::Plain(io) = core::mem::replace(&mut self.stream, Stream::Upgrading) else {
            return Err(io::ErrorKind::InvalidInput.into());
        };
        let deadline = until(self.clock, self.conn.poll_timeout());
        let tls = match race(acceptor.accept(io, early, direct), deadline).await {
            Ok(r) => r?,
            Err(()) => return Err(io::ErrorKind::TimedOut.into()),
        };
        self.stream = Stream::Tls(Box::new(tls));
        self.conn
            .tls_established(acceptor.channel_binding())
            .map_err(connection_error)
    }

    /// Runs `fut` (the application's answer) until it finishes or an interrupt stops it.
    async fn guarded<R>(
        mailbox: &Mailbox,
        fut: impl Future<Output = Result<R, Error>>,
    ) -> Outcome<R> {
        mailbox.clear_cancel();
        let mut fut = pin!(fut);
        let mut interrupt = pin!(mailbox.interrupted(true));
        poll_fn(|cx| {
            if let Poll::Ready(r) = fut.as_mut().poll(cx) {
                return Poll::Ready(Outcome::Done(r));
            }
            interrupt.as_mut().poll(cx).map(Outcome::Interrupted)
        })
        .await
    }

    /// Ends a simple query, Sync or FunctionCall with ReadyForQuery.
    /// Outside a transaction block every portal is gone, as in PostgreSQL: the session hears
    /// of each.
    fn ready(&mut self) -> io::Result<()> {
        let session = opened(&mut self.session)?;
        let status = session.transaction_status();
        if status != TransactionStatus::InTransaction {
            for id in self.portals.drain(..) {
                session.close_portal(id);
            }
        }
        self.conn
            .ready(status, &mut self.out)
            .map_err(connection_error)
    }

    /// Portal `id` is gone: the session hears of it.
    fn close_portal(&mut self, id: u64) -> io::Result<()> {
        self.portals.retain(|p| *p != id);
        opened(&mut self.session)?.close_portal(id);
        Ok(())
    }

    /// Reports how a request ended: `Ok(true)` if it succeeded.
    fn settle<R>(&mut self, outcome: Outcome<R>) -> io::Result<Option<R>> {
        let error = match outcome {
            Outcome::Done(Ok(r)) => return Ok(Some(r)),
            Outcome::Done(Err(Error::Io(e))) => return Err(e),
            Outcome::Done(Err(Error::Sql(e))) => e,
            Outcome::Interrupted(Interrupt::Terminate(e)) => {
                self.conn
                    .terminate(e, &mut self.out)
                    .map_err(connection_error)?;
                return Ok(None);
            }
            Outcome::Interrupted(_) => {
                if let Some(s) = self.session.as_mut() {
                    s.aborted();
                }
                canceled()
            }
        };
        self.conn
            .error(error, &mut self.out)
            .map_err(connection_error)?;
        Ok(None)
    }

    fn text<'a>(&mut self, s: PgStr<'a>) -> io::Result<Option<&'a str>> {
        if let Ok(s) = s.to_str() {
            return Ok(Some(s));
        }
        let e = ServerError::error(
            sqlstate::CHARACTER_NOT_IN_REPERTOIRE,
            "invalid byte sequence for encoding \"UTF8\"",
        );
        self.conn
            .error(e, &mut self.out)
            .map_err(connection_error)?;
        Ok(None)
    }

    #[allow(clippy::too_many_lines)]
    async fn on_event(&mut self, event: Event<'_>) -> io::Result<()> {
        match event {
            Event::SslRequest => {
                if self.server.tls.is_some() && matches!(self.stream, Stream::Plain(_)) {
                    self.conn
                        .accept_tls(&mut self.out)
                        .map_err(connection_error)?;
                    self.write_out().await?;
                    Box::pin(self.start_tls(&[], false)).await?;
                } else {
                    self.conn
                        .refuse_tls(&mut self.out)
                        .map_err(connection_error)?;
                }
            }
            Event::CancelRequest { pid, key } => {
                self.server.sessions.cancel(pid, key.as_bytes());
            }
            Event::Startup(info) => {
                if self.server.sessions.connections() > self.server.max_connections {
                    let e = ServerError::fatal(
                        sqlstate::TOO_MANY_CONNECTIONS,
                        "sorry, too many clients already",
                    );
                    return self.conn.reject(e, &mut self.out).map_err(connection_error);
                }
                let login = Box::new(Login::new(self.pid, &info, self.conn.is_tls()));
                let r = self.server.handler.credentials(&login).await;
                self.login = Some(login);
                match r {
                    Ok(c) => self.conn.authenticate(c.method, c.secret, &mut self.out),
                    Err(e) => self.conn.reject(e, &mut self.out),
                }
                .map_err(connection_error)?;
            }
            Event::Authenticated => {
                let Some(login) = self.login.take() else {
                    return Err(io::Error::other("authenticated without a login"));
                };
                let mut reply = Reply {
                    conn: &mut self.conn,
                    out: &mut self.out,
                    io: &mut self.stream,
                    copy_in: false,
                };
                match self.server.handler.open(&login, &mut reply).await {
                    Ok(s) => {
                        self.session = Some(s);
                        self.conn
                            .start_session(&mut self.out)
                            .map_err(connection_error)?;
                        let key_len = if self.conn.protocol_version() >= ProtocolVersion::V3_2 {
                            32
                        } else {
                            4
                        };
                        self.mailbox.announce_key_len(key_len);
                    }
                    Err(e) => self
                        .conn
                        .terminate(e, &mut self.out)
                        .map_err(connection_error)?,
                }
            }
            Event::Query { sql, replaces } => {
                if let Some(id) = replaces {
                    opened(&mut self.session)?.close_statement(id);
                }
                if let Some(sql) = self.text(sql)? {
                    let session = opened(&mut self.session)?;
                    let mut reply = Reply {
                        conn: &mut self.conn,
                        out: &mut self.out,
                        io: &mut self.stream,
                        copy_in: false,
                    };
                    let outcome = Self::guarded(self.mailbox, session.query(sql, &mut reply)).await;
                    let copy_in = reply.copy_in;
                    if self.settle(outcome)?.is_some() && copy_in {
                        self.copy = Some(CopyFrom::Query);
                        return Ok(());
                    }
                }
                if !self.conn.is_closed() {
                    self.ready()?;
                }
            }
            Event::Parse {
                id,
                replaces,
                query,
                param_types,
                ..
            } => {
                if let Some(old) = replaces {
                    opened(&mut self.session)?.close_statement(old);
                }
                let Some(sql) = self.text(query)? else {
                    return Ok(());
                };
                let describe = self.describe.get_or_insert_with(Box::default);
                describe.reset(param_types);
                let session = opened(&mut self.session)?;
                let outcome = Self::guarded(self.mailbox, session.parse(id, sql, describe)).await;
                if let (Some(()), Some(describe)) = (self.settle(outcome)?, self.describe.as_mut())
                {
                    let (conn, out) = (&mut self.conn, &mut self.out);
                    describe
                        .with_fields(|param_types, fields| {
                            conn.parse_complete(
                                StatementDescription {
                                    param_types,
                                    fields,
                                },
                                out,
                            )
                        })
                        .map_err(connection_error)?;
                }
            }
            Event::Bind {
                portal,
                replaces,
                statement,
                param_formats,
                params,
                result_formats,
            } => {
                if let Some(old) = replaces {
                    self.close_portal(old)?;
                }
                let params = Params {
                    formats: param_formats,
                    values: params,
                };
                let session = opened(&mut self.session)?;
                let outcome = Self::guarded(
                    self.mailbox,
                    session.bind(portal, statement, params, result_formats),
                )
                .await;
                if self.settle(outcome)?.is_some() {
                    self.portals.push(portal);
                    self.conn
                        .bind_complete(&mut self.out)
                        .map_err(connection_error)?;
                }
            }
            Event::Execute { portal, max_rows } => {
                let session = opened(&mut self.session)?;
                let mut reply = Reply {
                    conn: &mut self.conn,
                    out: &mut self.out,
                    io: &mut self.stream,
                    copy_in: false,
                };
                let outcome =
                    Self::guarded(self.mailbox, session.execute(portal, max_rows, &mut reply))
                        .await;
                let copy_in = reply.copy_in;
                if let Some(done) = self.settle(outcome)? {
                    if copy_in {
                        self.copy = Some(CopyFrom::Execute);
                        return Ok(());
                    }
                    let outcome = match &done {
                        Executed::Complete(tag) => ExecuteOutcome::Complete(tag.as_ref()),
                        Executed::Suspended => ExecuteOutcome::Suspended,
                        Executed::Empty => ExecuteOutcome::Empty,
                    };
                    self.conn
                        .execute_done(outcome, &mut self.out)
                        .map_err(connection_error)?;
                }
            }
            Event::Sync => {
                let session = opened(&mut self.session)?;
                let outcome = Self::guarded(self.mailbox, session.sync()).await;
                self.settle(outcome)?;
                if !self.conn.is_closed() {
                    self.ready()?;
                }
            }
            Event::StatementClosed { id } => opened(&mut self.session)?.close_statement(id),
            Event::PortalClosed { id } => self.close_portal(id)?,
            Event::CopyData(data) => {
                let session = opened(&mut self.session)?;
                let outcome = Self::guarded(self.mailbox, session.copy_data(data)).await;
                if self.settle(outcome)?.is_none() {
                    self.copy_failed()?;
                }
            }
            Event::CopyDone => {
                let session = opened(&mut self.session)?;
                let outcome = Self::guarded(self.mailbox, session.copy_done()).await;
                match (self.settle(outcome)?, self.copy.take()) {
                    (Some(rows), Some(CopyFrom::Query)) => {
                        self.conn
                            .command_complete(&format!("COPY {rows}"), &mut self.out)
                            .map_err(connection_error)?;
                        self.ready()?;
                    }
                    (Some(rows), _) => {
                        let tag = format!("COPY {rows}");
                        self.conn
                            .execute_done(ExecuteOutcome::Complete(&tag), &mut self.out)
                            .map_err(connection_error)?;
                    }
                    (None, origin) => {
                        self.copy = origin;
                        self.copy_failed()?;
                    }
                }
            }
            Event::CopyFail { .. } => self.copy_failed()?,
            Event::ProtocolError { .. } => {
                if let Some(s) = self.session.as_mut() {
                    s.aborted();
                }
            }
            Event::FunctionCall {
                function,
                arg_formats,
                args,
                result_format,
            } => {
                let args = Params {
                    formats: arg_formats,
                    values: args,
                };
                let session = opened(&mut self.session)?;
                let outcome = Self::guarded(
                    self.mailbox,
                    session.function_call(function, args, result_format),
                )
                .await;
                if let Some(result) = self.settle(outcome)? {
                    self.conn
                        .function_result(result.as_deref(), &mut self.out)
                        .map_err(connection_error)?;
                }
                if !self.conn.is_closed() {
                    self.ready()?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// A COPY FROM STDIN ended in an error: a simple query then ends with ReadyForQuery (an
    /// Execute's batch is skipped until Sync by the core).
    fn copy_failed(&mut self) -> io::Result<()> {
        if let Some(s) = self.session.as_mut() {
            s.copy_fail();
        }
        if let (Some(CopyFrom::Query), false) = (self.copy.take(), self.conn.is_closed()) {
            self.ready()?;
        }
        Ok(())
    }
}

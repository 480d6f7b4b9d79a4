//! The lab: a test application with a little of everything (sleep, COPY, NOTIFY, transaction
//! blocks, typed parameters), for the real-client scenarios every binding runs.

use std::collections::HashMap;
use std::sync::Arc;

use pgproto_service::args::ServerArgs;
use pgproto_service::pgproto::backend::{ServerError, Severity};
use pgproto_service::pgproto::message::backend::FieldDescription;
use pgproto_service::pgproto::message::{Format, TransactionStatus};
use pgproto_service::pgproto::{List, PgStr};
use pgproto_service::{
    Clock, Column, Credentials, Describe, Error, Executed, Handler, Login, Params, Push, Reply,
    Session, Sessions,
};

const INT4: u32 = 23;

/// The lab, the application the real-client scenarios run against on every binding. Queries it
/// understands: `SELECT pg_sleep(S)` sleeps S seconds (cancellable); `SELECT pg_backend_pid()`;
/// `COPY … FROM STDIN` counts lines; `COPY … TO STDOUT n` sends n lines; `NOTIFY chan,
/// 'payload'` notifies every session; `NOTICE pid text` pushes a notice to session `pid`;
/// `BEGIN`, `COMMIT`, `ROLLBACK`; `FAIL` (22012, failing an open block); anything else is one
/// row `1`. Extended: `$n` parameters are int4 and echoed as columns. Database `nodb` does not
/// exist (3D000).
#[derive(Debug)]
pub struct Lab<C> {
    args: ServerArgs,
    sessions: Arc<Sessions>,
    clock: C,
}

impl<C: Clock + Copy> Lab<C> {
    /// The lab, logging users in as `args` say, pushing through `sessions` (give the server
    /// the same registry), sleeping on `clock`.
    pub fn new(args: ServerArgs, sessions: Arc<Sessions>, clock: C) -> Self {
        Self {
            args,
            sessions,
            clock,
        }
    }
}

/// A bound portal: its SQL, parameter values and formats, and result formats.
type Portal = (String, Vec<Option<Vec<u8>>>, Vec<Format>, Vec<Format>);

/// One lab session.
#[derive(Debug)]
pub struct LabSession<C> {
    clock: C,
    pid: i32,
    sessions: Arc<Sessions>,
    in_tx: bool,
    failed: bool,
    statements: HashMap<u64, (String, usize)>,
    portals: HashMap<u64, Portal>,
    copied: u64,
}

impl<C: Clock + Copy> Handler for Lab<C> {
    type Session = LabSession<C>;

    async fn credentials(&self, login: &Login) -> Result<Credentials, ServerError> {
        self.args.credentials(login)
    }

    async fn open(&self, login: &Login, _: &mut Reply<'_>) -> Result<LabSession<C>, ServerError> {
        if login.database == "nodb" {
            return Err(ServerError::fatal(
                "3D000",
                "database \"nodb\" does not exist",
            ));
        }
        Ok(LabSession {
            clock: self.clock,
            pid: login.pid,
            sessions: self.sessions.clone(),
            in_tx: false,
            failed: false,
            statements: HashMap::new(),
            portals: HashMap::new(),
            copied: 0,
        })
    }
}

fn field(name: &str) -> FieldDescription<'_> {
    FieldDescription {
        name: PgStr::new(name.as_bytes()).unwrap(),
        table_oid: 0,
        column_id: 0,
        type_oid: INT4,
        type_size: 4,
        type_modifier: -1,
        format: Format::Text,
    }
}

fn sleep_seconds(sql: &str) -> Option<f64> {
    let rest = sql.trim().strip_prefix("SELECT pg_sleep(")?;
    rest.split(')').next()?.parse().ok()
}

fn params_in(sql: &str) -> usize {
    (1..100)
        .take_while(|i| sql.contains(&format!("${i}")))
        .count()
}

/// An int4 value in `to` format, from `value` in `from` format.
fn convert(value: &[u8], from: Format, to: Format) -> Vec<u8> {
    let n: i32 = match from {
        Format::Binary => i32::from_be_bytes(value.try_into().unwrap_or([0; 4])),
        _ => std::str::from_utf8(value)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
    };
    match to {
        Format::Binary => n.to_be_bytes().to_vec(),
        _ => n.to_string().into_bytes(),
    }
}

impl<C: Clock + Copy> LabSession<C> {
    async fn sleep(&self, seconds: f64) {
        let micros = (seconds.clamp(0.0, 3600.0) * 1e6) as u64;
        self.clock.sleep_until(self.clock.now().after(micros)).await;
    }

    async fn statement(
        &mut self,
        sql: &str,
        reply: &mut Reply<'_>,
    ) -> Result<Option<String>, Error> {
        let upper = sql.trim().trim_end_matches(';').to_ascii_uppercase();
        if let Some(s) = sleep_seconds(sql) {
            self.sleep(s).await;
        }
        if self.failed && upper != "COMMIT" && upper != "ROLLBACK" {
            return Err(ServerError::error(
                "25P02",
                "current transaction is aborted, commands ignored until end of transaction block",
            )
            .into());
        }
        if upper == "BEGIN" {
            self.in_tx = true;
            return Ok(Some("BEGIN".into()));
        }
        if upper == "COMMIT" || upper == "ROLLBACK" {
            let tag = if self.failed { "ROLLBACK" } else { &upper };
            let tag = tag.to_owned();
            self.in_tx = false;
            self.failed = false;
            return Ok(Some(tag));
        }
        if upper == "SELECT PG_BACKEND_PID()" {
            reply.row_description(&[field("pg_backend_pid")])?;
            let mut row = reply.data_row().await?;
            row.display(self.pid)?;
            row.finish()?;
            return Ok(Some("SELECT 1".into()));
        }
        if let Some(rest) = sql.trim().strip_prefix("NOTICE ") {
            let (pid, text) = rest.split_once(' ').unwrap_or((rest, ""));
            let notice = ServerError::new(Severity::Notice, "00000", text.to_owned());
            let pid = pid.parse().unwrap_or(0);
            if !self.sessions.push(pid, Push::Notice(notice)) {
                return Err(ServerError::error("22023", format!("no session {pid}")).into());
            }
            return Ok(Some("NOTICE".into()));
        }
        if upper == "FAIL" {
            return Err(ServerError::error("22012", "division by zero").into());
        }
        if let Some(rest) = upper.strip_prefix("NOTIFY ") {
            let (chan, payload) = rest.split_once(',').unwrap_or((rest, ""));
            let payload = payload.trim().trim_matches('\'').to_lowercase();
            for pid in self.sessions.pids() {
                self.sessions
                    .notify(pid, self.pid, &chan.trim().to_lowercase(), &payload);
            }
            return Ok(Some("NOTIFY".into()));
        }
        if upper.starts_with("COPY") && upper.contains("FROM STDIN") {
            self.copied = 0;
            reply.copy_in(Format::Text, &[Format::Text])?;
            return Ok(None);
        }
        if upper.starts_with("COPY") && upper.contains("TO STDOUT") {
            let n: u64 = upper
                .rsplit(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            reply.copy_out(Format::Text, &[Format::Text])?;
            for i in 0..n {
                reply.copy_data(format!("{i}\n").as_bytes()).await?;
            }
            reply.copy_done()?;
            return Ok(Some(format!("COPY {n}")));
        }
        reply.row_description(&[field("?column?")])?;
        let mut row = reply.data_row().await?;
        row.value(b"1")?;
        row.finish()?;
        Ok(Some("SELECT 1".into()))
    }
}

impl<C: Clock + Copy> Session for LabSession<C> {
    async fn query(&mut self, sql: &str, reply: &mut Reply<'_>) -> Result<(), Error> {
        for stmt in sql.split(';').filter(|s| !s.trim().is_empty()) {
            match self.statement(stmt, reply).await {
                Ok(Some(tag)) => reply.command_complete(&tag)?,
                Ok(None) => return Ok(()),
                Err(e) => {
                    self.failed = self.in_tx;
                    return Err(e);
                }
            }
        }
        Ok(())
    }

    async fn parse(&mut self, id: u64, sql: &str, describe: &mut Describe) -> Result<(), Error> {
        let n = params_in(sql);
        let mut types = describe.params().to_vec();
        types.resize(n, 0);
        for t in &mut types {
            if *t == 0 {
                *t = INT4;
            }
        }
        describe.set_params(&types);
        let copy = sql.trim_start().to_ascii_uppercase().starts_with("COPY");
        if n == 0 && !copy {
            describe.column("?column?", Column::new(INT4, 4));
        }
        for i in 0..n {
            describe.column(&format!("p{}", i + 1), Column::new(INT4, 4));
        }
        self.statements.insert(id, (sql.to_owned(), n));
        Ok(())
    }

    async fn bind(
        &mut self,
        portal: u64,
        statement: u64,
        params: Params<'_>,
        result_formats: List<'_, Format>,
    ) -> Result<(), Error> {
        let (sql, _) = self.statements.get(&statement).cloned().unwrap_or_default();
        let values = params
            .values
            .iter()
            .map(|v| v.map(<[u8]>::to_vec))
            .collect();
        let formats = (0..params.len())
            .map(|i| params.formats.format_for(i))
            .collect();
        let results = (0..params.len().max(1))
            .map(|i| result_formats.format_for(i))
            .collect();
        self.portals.insert(portal, (sql, values, formats, results));
        Ok(())
    }

    async fn execute(
        &mut self,
        portal: u64,
        _max: u32,
        reply: &mut Reply<'_>,
    ) -> Result<Executed, Error> {
        let Some((sql, values, formats, results)) = self.portals.get(&portal).cloned() else {
            return Err(ServerError::error("34000", "portal does not exist").into());
        };
        if sql.trim_start().to_ascii_uppercase().starts_with("COPY") {
            return Ok(match self.statement(&sql, reply).await? {
                Some(tag) => Executed::Complete(tag.into()),
                None => Executed::Empty, // COPY FROM STDIN: the data follows
            });
        }
        if let Some(s) = sleep_seconds(&sql) {
            self.sleep(s).await;
        }
        let mut row = reply.data_row().await?;
        if values.is_empty() {
            row.value(&convert(b"1", Format::Text, results[0]))?;
        }
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => row.value(&convert(v, formats[i], results[i]))?,
                None => row.null()?,
            }
        }
        row.finish()?;
        Ok(Executed::Complete("SELECT 1".into()))
    }

    fn close_statement(&mut self, id: u64) {
        self.statements.remove(&id);
    }

    fn close_portal(&mut self, id: u64) {
        self.portals.remove(&id);
    }

    async fn copy_data(&mut self, data: &[u8]) -> Result<(), Error> {
        self.copied += data.split(|b| *b == b'\n').count() as u64 - 1;
        Ok(())
    }

    async fn copy_done(&mut self) -> Result<u64, Error> {
        Ok(self.copied)
    }

    fn transaction_status(&self) -> TransactionStatus {
        match (self.in_tx, self.failed) {
            (false, _) => TransactionStatus::Idle,
            (true, false) => TransactionStatus::InTransaction,
            (true, true) => TransactionStatus::Failed,
        }
    }

    fn aborted(&mut self) {
        self.failed = self.in_tx;
    }
}

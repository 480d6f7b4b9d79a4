//! A test application ("lab") served in-process by the tokio binding, and helpers to start it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use pgproto_service::args::ServerArgs;
use pgproto_service::pgproto::backend::{AuthMethod, ServerError};
use pgproto_service::pgproto::message::backend::FieldDescription;
use pgproto_service::pgproto::message::{Format, TransactionStatus};
use pgproto_service::pgproto::{List, PgStr};
use pgproto_service::{
    Column, Credentials, Describe, Error, Executed, Handler, Login, Params, Reply, Server, Session,
    Sessions,
};
use pgproto_tokio::{Listen, Options, Shutdown};

pub const USER: &str = "alice";
pub const PASSWORD: &str = "secret";
const INT4: u32 = 23;

/// The lab: user alice/secret; queries understood:
/// `SELECT pg_sleep(S)` sleeps S seconds; `COPY … FROM STDIN` counts lines; `COPY … TO STDOUT
/// n` sends n lines; `NOTIFY chan, 'payload'` notifies every session; `BEGIN`/`COMMIT`; anything
/// else is one row `1`. Extended: `$n` parameters are int4 and echoed as columns.
pub struct Lab {
    pub args: ServerArgs,
    pub sessions: Arc<Sessions>,
}

/// A bound portal: its SQL, parameter values and formats, and result formats.
type Portal = (String, Vec<Option<Vec<u8>>>, Vec<Format>, Vec<Format>);

pub struct LabSession {
    pid: i32,
    sessions: Arc<Sessions>,
    in_tx: bool,
    failed: bool,
    statements: HashMap<u64, (String, usize)>,
    portals: HashMap<u64, Portal>,
    copied: u64,
}

impl Handler for Lab {
    type Session = LabSession;

    async fn credentials(&self, login: &Login) -> Result<Credentials, ServerError> {
        self.args.credentials(login)
    }

    async fn open(&self, login: &Login, _: &mut Reply<'_>) -> Result<LabSession, ServerError> {
        if login.database == "nodb" {
            return Err(ServerError::fatal(
                "3D000",
                "database \"nodb\" does not exist",
            ));
        }
        Ok(LabSession {
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

impl LabSession {
    async fn statement(
        &mut self,
        sql: &str,
        reply: &mut Reply<'_>,
    ) -> Result<Option<String>, Error> {
        let upper = sql.trim().trim_end_matches(';').to_ascii_uppercase();
        if let Some(s) = sleep_seconds(sql) {
            tokio::time::sleep(Duration::from_secs_f64(s)).await;
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

impl Session for LabSession {
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
            tokio::time::sleep(Duration::from_secs_f64(s)).await;
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

/// A lab server running in this process.
pub struct Running {
    pub port: u16,
    pub shutdown: Shutdown,
    pub sessions: Arc<Sessions>,
    pub unix_dir: PathBuf,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Running {
    /// Stops the server gracefully and waits for it.
    pub fn stop(mut self) {
        self.shutdown.trigger();
        if let Some(t) = self.thread.take() {
            t.join().unwrap().unwrap();
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.shutdown.trigger();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Options as on a command line, e.g. `["--auth", "scram"]` (user alice/secret are added).
pub fn start(flags: &[&str]) -> Running {
    start_with(flags, Duration::from_millis(200))
}

pub fn start_with(flags: &[&str], grace: Duration) -> Running {
    let port = free_port();
    let unix_dir = std::env::temp_dir().join(format!("pgproto-tokio-test-{port}"));
    std::fs::create_dir_all(&unix_dir).unwrap();
    let mut all: Vec<String> = vec![
        "--user".into(),
        USER.into(),
        "--password".into(),
        PASSWORD.into(),
    ];
    all.extend(flags.iter().map(|s| (*s).to_owned()));
    let args = ServerArgs::parse(AuthMethod::ScramSha256, all, |_, _| false).unwrap();
    let sessions = Arc::new(Sessions::new());
    let server = Server::new(Lab {
        args: args.clone(),
        sessions: sessions.clone(),
    })
    .with_sessions(sessions.clone())
    .with_args(&args)
    .unwrap();
    let shutdown = Shutdown::default();
    let options = Options {
        workers: 2,
        shutdown_grace: grace,
        shutdown: shutdown.clone(),
    };
    let listen = vec![
        Listen::Tcp(format!("127.0.0.1:{port}")),
        Listen::Unix(unix_dir.join(format!(".s.PGSQL.{port}"))),
    ];
    let thread = std::thread::spawn(move || pgproto_tokio::run(server, &listen, &options));
    for _ in 0..500 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    Running {
        port,
        shutdown,
        sessions,
        unix_dir,
        thread: Some(thread),
    }
}

/// A self-signed certificate and key (PEM) made with openssl, in a fresh directory.
pub fn certificate() -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("pgproto-tokio-cert-{}", free_port()));
    std::fs::create_dir_all(&dir).unwrap();
    let (crt, key) = (dir.join("server.crt"), dir.join("server.key"));
    let status = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            "/CN=localhost",
            "-days",
            "2",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&crt)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("openssl is required to make the test server's certificate");
    assert!(status.success(), "openssl failed");
    (crt, key)
}

/// tokio-postgres connection string for the lab.
pub fn conninfo(port: u16, extra: &str) -> String {
    format!("host=127.0.0.1 port={port} user={USER} password={PASSWORD} dbname=lab {extra}")
}

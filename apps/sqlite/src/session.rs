//! One client session: PostgreSQL's transaction rules over the session's SQLite connection
//! (blocks, savepoints, the failed state with 25P02), simple and extended queries, and the
//! session settings of SET/SHOW/RESET.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};

use pgproto_service::pgproto::backend::ServerError;
use pgproto_service::pgproto::message::backend::FieldDescription;
use pgproto_service::pgproto::message::{Format, TransactionStatus};
use pgproto_service::pgproto::types::{oid, Oid, Type};
use pgproto_service::pgproto::{List, PgStr};
use pgproto_service::{Column, Describe, Error, Executed, Params, Reply, Session, Sessions};
use rusqlite::types::Value as Sql;

use crate::copy;
use crate::db::{self, Rows, Worker};
use crate::translate::{self, CopySpec, Kind, Translated};

/// A row's columns in their wire form (`None` is NULL).
type Row = Vec<Option<Vec<u8>>>;

/// What SET, SHOW or RESET did: the command tag, and for SHOW the setting's name and value.
type Setting = Result<(String, Option<(String, String)>), ServerError>;

/// Where the session is in a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tx {
    /// No block open: each statement commits on its own.
    Idle,
    /// Inside BEGIN … COMMIT.
    Block,
    /// A statement in the block failed: everything but ROLLBACK is refused (25P02).
    Failed,
}

/// A prepared statement: its translation and the types Describe reported.
struct Prepared {
    translated: Option<Translated>,
    params: Vec<Oid>,
    columns: Vec<Oid>,
}

/// A bound portal: what to run, with what, and the rows not yet sent.
struct Portal {
    translated: Option<Translated>,
    params: Vec<Sql>,
    columns: Vec<Oid>,
    formats: Vec<Format>,
    /// After the first Execute with a row limit: the rest, and the command tag.
    pending: Option<(VecDeque<Row>, String)>,
}

/// A COPY FROM STDIN in progress.
struct CopyIn {
    spec: CopySpec,
    reader: copy::Reader,
    /// `INSERT INTO t (cols) VALUES (?1, …)`.
    insert: String,
    /// The columns: name and type.
    columns: Vec<(String, Oid)>,
    count: u64,
    /// Whether the COPY opened its own transaction (outside a block), to commit at its end.
    own_tx: bool,
}

/// Who listens on which channel, shared by all sessions (LISTEN/NOTIFY between sessions).
#[derive(Debug, Default)]
pub struct Channels {
    listeners: Mutex<HashMap<String, HashSet<i32>>>,
}

impl Channels {
    fn listen(&self, channel: &str, pid: i32) {
        let mut l = self
            .listeners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        l.entry(channel.to_owned()).or_default().insert(pid);
    }

    fn unlisten(&self, channel: Option<&str>, pid: i32) {
        let mut l = self
            .listeners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match channel {
            Some(c) => {
                if let Some(set) = l.get_mut(c) {
                    set.remove(&pid);
                }
            }
            None => l.values_mut().for_each(|set| {
                set.remove(&pid);
            }),
        }
        l.retain(|_, set| !set.is_empty());
    }

    fn listeners(&self, channel: &str) -> Vec<i32> {
        let l = self
            .listeners
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        l.get(channel)
            .map(|set| set.iter().copied().collect())
            .unwrap_or_default()
    }
}

/// What a session shares with the others: the registry pushes go through, and the channels.
#[derive(Debug, Clone)]
pub struct Shared {
    /// Every session, by PID.
    pub sessions: Arc<Sessions>,
    /// The LISTEN registrations.
    pub channels: Arc<Channels>,
}

/// A session of pgproto-sqlite.
pub struct SqliteSession {
    worker: Arc<Worker>,
    pid: i32,
    shared: Shared,
    /// NOTIFYs of the open block, sent at COMMIT (dropped at ROLLBACK), as PostgreSQL does.
    notifies: Vec<(String, String)>,
    /// Notifications `pg_notify()` made in the statement that runs.
    notify_queue: crate::functions::NotifyQueue,
    /// Statements of SQL's PREPARE, by name.
    sql_prepared: HashMap<String, Translated>,
    /// Cursors of DECLARE: their columns and the rows not fetched yet.
    cursors: HashMap<String, Rows>,
    /// Translations of the queries this session ran, so a repeated query is not parsed again.
    translations: HashMap<String, Arc<Vec<Translated>>>,
    tx: Tx,
    copy: Option<CopyIn>,
    statements: HashMap<u64, Prepared>,
    portals: HashMap<u64, Portal>,
    settings: HashMap<String, String>,
}

/// 25P02, for every statement of a failed block but its end.
fn in_failed_transaction() -> ServerError {
    ServerError::error(
        "25P02",
        "current transaction is aborted, commands ignored until end of transaction block",
    )
}

/// The size `pg_type.typlen` gives a column type.
fn type_size(ty: Oid) -> i16 {
    Type::by_oid(ty).map_or(-1, |t| t.len)
}

impl SqliteSession {
    /// A session over its SQLite connection.
    pub fn new(
        worker: Worker,
        pid: i32,
        shared: Shared,
        notify_queue: crate::functions::NotifyQueue,
    ) -> Self {
        Self {
            notify_queue,
            worker: Arc::new(worker),
            pid,
            shared,
            notifies: Vec::new(),
            sql_prepared: HashMap::new(),
            cursors: HashMap::new(),
            translations: HashMap::new(),
            tx: Tx::Idle,
            copy: None,
            statements: HashMap::new(),
            portals: HashMap::new(),
            settings: HashMap::new(),
        }
    }

    /// SET, SHOW and RESET of session settings (kept per session; SQLite has none of them).
    fn setting(&mut self, sql: &str) -> Option<Setting> {
        let trimmed = sql.trim().trim_end_matches(';').trim();
        let mut words = trimmed.splitn(2, char::is_whitespace);
        let verb = words.next()?.to_ascii_uppercase();
        let rest = words.next().unwrap_or("").trim();
        match verb.as_str() {
            "SET" => {
                let rest = rest
                    .strip_prefix("SESSION ")
                    .or_else(|| rest.strip_prefix("LOCAL "))
                    .unwrap_or(rest);
                let (name, value) = rest
                    .split_once('=')
                    .or_else(|| rest.split_once(" TO "))
                    .or_else(|| rest.split_once(" to "))
                    .map(|(n, v)| (n.trim(), v.trim()))
                    .or_else(|| {
                        let (n, v) = rest.split_once(char::is_whitespace)?;
                        n.eq_ignore_ascii_case("names").then_some((n, v.trim()))
                    })?;
                let value = value.trim_matches('\'').to_owned();
                self.settings.insert(setting_name(name), value);
                Some(Ok(("SET".into(), None)))
            }
            "RESET" => {
                self.settings.remove(&setting_name(rest));
                Some(Ok(("RESET".into(), None)))
            }
            "SHOW" => {
                let name = setting_name(rest);
                let value = self
                    .settings
                    .get(&name)
                    .cloned()
                    .or_else(|| default_setting(&name).map(str::to_owned));
                Some(match value {
                    Some(v) => Ok(("SHOW".into(), Some((name, v)))),
                    None => Err(ServerError::error(
                        "42704",
                        format!("unrecognized configuration parameter \"{name}\""),
                    )),
                })
            }
            _ => None,
        }
    }

    /// Runs one statement with its parameters; rows are encoded in `formats`.
    async fn run(
        &mut self,
        t: &Translated,
        params: Vec<Sql>,
        columns: Option<Vec<Oid>>,
        formats: Vec<Format>,
    ) -> Result<(Option<Rows>, String), ServerError> {
        if self.tx == Tx::Failed
            && !matches!(t.kind, Kind::Rollback | Kind::Commit | Kind::RollbackTo(_))
        {
            return Err(in_failed_transaction());
        }
        let result = self.run_unchecked(t, params, columns, formats).await;
        let made: Vec<(String, String)> = std::mem::take(
            &mut *self
                .notify_queue
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner),
        );
        if result.is_err() && self.tx == Tx::Block {
            self.tx = Tx::Failed;
        }
        if result.is_ok() {
            // pg_notify() is NOTIFY: sent now outside a block, at COMMIT inside one.
            for (channel, payload) in made {
                self.notify(channel, payload);
            }
        }
        result
    }

    async fn run_unchecked(
        &mut self,
        t: &Translated,
        params: Vec<Sql>,
        columns: Option<Vec<Oid>>,
        formats: Vec<Format>,
    ) -> Result<(Option<Rows>, String), ServerError> {
        let batch = |sql: String| {
            let w = self.worker.clone();
            async move { w.run(move |db| db.batch(&sql)).await }
        };
        let tag = match &t.kind {
            Kind::Begin => {
                if self.tx == Tx::Idle {
                    // IMMEDIATE: writers queue for the lock (busy timeout) instead of failing.
                    batch("BEGIN IMMEDIATE".into()).await?;
                    self.tx = Tx::Block;
                }
                "BEGIN".into()
            }
            Kind::Commit | Kind::Rollback => {
                let failed = self.tx == Tx::Failed;
                if self.tx != Tx::Idle {
                    let commit = !failed && t.kind == Kind::Commit;
                    let done = batch(if commit { "COMMIT" } else { "ROLLBACK" }.into()).await;
                    self.tx = Tx::Idle;
                    self.cursors.clear();
                    let notifies = std::mem::take(&mut self.notifies);
                    done?;
                    if commit {
                        for (channel, payload) in notifies {
                            self.deliver(&channel, &payload);
                        }
                    }
                }
                if failed || t.kind == Kind::Rollback {
                    "ROLLBACK"
                } else {
                    "COMMIT"
                }
                .into()
            }
            Kind::Savepoint(name) | Kind::Release(name) | Kind::RollbackTo(name) => {
                if self.tx == Tx::Idle {
                    let what = match &t.kind {
                        Kind::Savepoint(_) => "SAVEPOINT",
                        Kind::Release(_) => "RELEASE SAVEPOINT",
                        _ => "ROLLBACK TO SAVEPOINT",
                    };
                    return Err(ServerError::error(
                        "25P01",
                        format!("{what} can only be used in transaction blocks"),
                    ));
                }
                let (sql, tag) = match &t.kind {
                    Kind::Savepoint(_) => (format!("SAVEPOINT \"{name}\""), "SAVEPOINT"),
                    Kind::Release(_) => (format!("RELEASE \"{name}\""), "RELEASE"),
                    _ => (format!("ROLLBACK TO \"{name}\""), "ROLLBACK"),
                };
                batch(sql).await.map_err(|e| {
                    if e.message.contains("no such savepoint") {
                        ServerError::error("3B001", format!("savepoint \"{name}\" does not exist"))
                    } else {
                        e
                    }
                })?;
                if matches!(t.kind, Kind::RollbackTo(_)) {
                    self.tx = Tx::Block;
                }
                tag.into()
            }
            Kind::Setting(sql) => {
                let (tag, shown) = self.setting(sql).unwrap_or(Ok(("SET".into(), None)))?;
                if let Some((name, value)) = shown {
                    let rows = Rows {
                        fields: vec![(name, oid::TEXT)],
                        rows: vec![vec![Some(value.into_bytes())]],
                    };
                    return Ok((Some(rows), tag));
                }
                tag
            }
            Kind::Prepare(name, inner) => {
                if self.sql_prepared.contains_key(name) {
                    return Err(ServerError::error("42P05", format!("prepared statement \"{name}\" already exists")));
                }
                self.sql_prepared.insert(name.clone(), inner.as_ref().clone());
                "PREPARE".into()
            }
            Kind::Execute(name, args) => {
                let Some(inner) = self.sql_prepared.get(name).cloned() else {
                    return Err(ServerError::error("26000", format!("prepared statement \"{name}\" does not exist")));
                };
                let params = match args {
                    Some(select) => {
                        let select = select.clone();
                        self.worker.run(move |db| db.eval_row(&select)).await?
                    }
                    None => Vec::new(),
                };
                return Box::pin(self.run_unchecked(&inner, params, None, formats)).await;
            }
            Kind::Deallocate(name) => {
                match name {
                    Some(n) => {
                        if self.sql_prepared.remove(n).is_none() {
                            return Err(ServerError::error("26000", format!("prepared statement \"{n}\" does not exist")));
                        }
                    }
                    None => self.sql_prepared.clear(),
                }
                if name.is_some() { "DEALLOCATE" } else { "DEALLOCATE ALL" }.into()
            }
            Kind::Declare(name, inner) => {
                if self.tx == Tx::Idle {
                    return Err(ServerError::error("25P01", "DECLARE CURSOR can only be used in transaction blocks"));
                }
                if self.cursors.contains_key(name) {
                    return Err(ServerError::error("42P03", format!("cursor \"{name}\" already exists")));
                }
                let (rows, _) = Box::pin(self.run_unchecked(inner, Vec::new(), None, vec![Format::Text])).await?;
                self.cursors.insert(name.clone(), rows.unwrap_or_default());
                "DECLARE CURSOR".into()
            }
            Kind::Fetch(name, count) => {
                let Some(cursor) = self.cursors.get_mut(name) else {
                    return Err(ServerError::error("34000", format!("cursor \"{name}\" does not exist")));
                };
                let take = count.map_or(cursor.rows.len(), |n| usize::try_from(n).unwrap_or(usize::MAX).min(cursor.rows.len()));
                let rows = Rows {
                    fields: cursor.fields.clone(),
                    rows: cursor.rows.drain(..take).collect(),
                };
                let tag = format!("FETCH {}", rows.rows.len());
                return Ok((Some(rows), tag));
            }
            Kind::Close(name) => {
                match name {
                    Some(n) => {
                        if self.cursors.remove(n).is_none() {
                            return Err(ServerError::error("34000", format!("cursor \"{n}\" does not exist")));
                        }
                    }
                    None => self.cursors.clear(),
                }
                "CLOSE CURSOR".into()
            }
            Kind::Listen(channel) => {
                self.shared.channels.listen(channel, self.pid);
                "LISTEN".into()
            }
            Kind::Unlisten(channel) => {
                self.shared.channels.unlisten(channel.as_deref(), self.pid);
                "UNLISTEN".into()
            }
            Kind::Notify(channel, payload) => {
                if payload.len() >= 8000 {
                    return Err(ServerError::error("22023", "payload string too long"));
                }
                self.notify(channel.clone(), payload.clone());
                "NOTIFY".into()
            }
            Kind::Batch(tag) => {
                batch(t.sql.clone()).await?;
                tag.clone()
            }
            Kind::Copy(_) => {
                return Err(ServerError::error(
                    "0A000",
                    "COPY is supported in simple queries only",
                ))
            }
            Kind::Other(tag) if tag == "COPY FILE" => {
                return Err(ServerError::error(
                    "42501",
                    "must be superuser or have privileges of the pg_read_server_files role to COPY from a file",
                ))
            }
            _ => {
                let w = self.worker.clone();
                let statement = t.clone();
                let outcome = w
                    .run(move |db| {
                        let formats = move |i: usize| {
                            formats
                                .get(i)
                                .or(formats.first())
                                .copied()
                                .unwrap_or(Format::Text)
                        };
                        db.execute(&statement, &params, columns.as_deref(), &formats)
                    })
                    .await?;
                return Ok(match (&t.kind, outcome.rows) {
                    (Kind::Rows(verb), Some(rows)) => {
                        let n = rows.rows.len();
                        let tag = if *verb == "INSERT" {
                            format!("INSERT 0 {n}")
                        } else {
                            format!("{verb} {n}")
                        };
                        (Some(rows), tag)
                    }
                    (Kind::Insert, _) => (None, format!("INSERT 0 {}", outcome.changes)),
                    (Kind::Modify(verb), _) => (None, format!("{verb} {}", outcome.changes)),
                    (Kind::Other(tag), rows) => (rows, tag.clone()),
                    (Kind::Rows(verb), None) => (None, format!("{verb} 0")),
                    (_, rows) => (rows, String::new()),
                });
            }
        };
        Ok((None, tag))
    }

    /// The statements of `sql`, translated once per session and then taken from the cache
    /// (at most [`TRANSLATIONS`] queries are kept).
    fn translated(&mut self, sql: &str) -> Result<Arc<Vec<Translated>>, ServerError> {
        if let Some(t) = self.translations.get(sql) {
            return Ok(t.clone());
        }
        let t = Arc::new(statements(sql)?);
        if self.translations.len() >= TRANSLATIONS {
            self.translations.clear();
        }
        self.translations.insert(sql.to_owned(), t.clone());
        Ok(t)
    }

    /// NOTIFY: sent now outside a block; inside one, held for COMMIT, duplicates within the
    /// transaction sent once, as in PostgreSQL.
    fn notify(&mut self, channel: String, payload: String) {
        if self.tx == Tx::Idle {
            self.deliver(&channel, &payload);
        } else if !self
            .notifies
            .iter()
            .any(|(c, p)| *c == channel && *p == payload)
        {
            self.notifies.push((channel, payload));
        }
    }

    /// Sends a notification to every session listening on `channel` (this one too).
    fn deliver(&self, channel: &str, payload: &str) {
        for pid in self.shared.channels.listeners(channel) {
            self.shared.sessions.notify(pid, self.pid, channel, payload);
        }
    }

    /// An error ended the statement: a block is now failed.
    fn fail(&mut self) {
        if self.tx == Tx::Block {
            self.tx = Tx::Failed;
        }
    }

    /// COPY … TO STDOUT: the query's rows in the text or CSV format.
    async fn copy_out(
        &mut self,
        t: &Translated,
        spec: &CopySpec,
        reply: &mut Reply<'_>,
    ) -> Result<usize, Error> {
        let mut query = t.clone();
        query.kind = Kind::Rows("SELECT");
        let (rows, _) = self
            .run_unchecked(
                &query,
                Vec::new(),
                None,
                vec![if spec.binary() {
                    Format::Binary
                } else {
                    Format::Text
                }],
            )
            .await?;
        let rows = rows.unwrap_or_default();
        let format = if spec.binary() {
            Format::Binary
        } else {
            Format::Text
        };
        reply.copy_out(format, &vec![format; rows.fields.len()])?;
        if spec.binary() {
            let mut data = copy::binary_header();
            for row in &rows.rows {
                let fields: Vec<Option<&[u8]>> = row.iter().map(Option::as_deref).collect();
                copy::write_binary_row(&mut data, &fields);
                if data.len() >= 64 * 1024 {
                    reply.copy_data(&data).await?;
                    data.clear();
                }
            }
            data.extend_from_slice(&copy::BINARY_TRAILER);
            reply.copy_data(&data).await?;
            reply.copy_done()?;
            return Ok(rows.rows.len());
        }
        // One CopyData per row, as PostgreSQL sends them (clients parse them so).
        let mut line = Vec::new();
        if spec.csv() && spec.header {
            let names: Vec<Option<&[u8]>> = rows
                .fields
                .iter()
                .map(|(n, _)| Some(n.as_bytes()))
                .collect();
            copy::write_row(&mut line, &names, spec);
            reply.copy_data(&line).await?;
        }
        let n = rows.rows.len();
        for row in &rows.rows {
            line.clear();
            let fields: Vec<Option<&[u8]>> = row.iter().map(Option::as_deref).collect();
            copy::write_row(&mut line, &fields, spec);
            reply.copy_data(&line).await?;
        }
        reply.copy_done()?;
        Ok(n)
    }

    /// COPY … FROM STDIN: checks the table, opens a transaction if none is, and asks for data.
    async fn copy_in(&mut self, spec: &CopySpec, reply: &mut Reply<'_>) -> Result<(), Error> {
        let table = spec.table.clone().unwrap_or_default();
        let w = self.worker.clone();
        let lookup = table.clone();
        let all = w.run(move |db| db.table_columns(&lookup)).await?;
        let columns: Vec<(String, Oid)> = if spec.columns.is_empty() {
            all
        } else {
            spec.columns
                .iter()
                .map(|c| {
                    all.iter()
                        .find(|(name, _)| name.eq_ignore_ascii_case(c))
                        .cloned()
                        .ok_or_else(|| {
                            ServerError::error(
                                "42703",
                                format!("column \"{c}\" of relation \"{table}\" does not exist"),
                            )
                        })
                })
                .collect::<Result<_, _>>()?
        };
        let names: Vec<String> = columns
            .iter()
            .map(|(n, _)| format!("\"{}\"", n.replace('"', "\"\"")))
            .collect();
        let marks: Vec<String> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let insert = format!(
            "INSERT INTO \"{}\" ({}) VALUES ({})",
            table.replace('"', "\"\""),
            names.join(", "),
            marks.join(", ")
        );
        let own_tx = self.tx == Tx::Idle;
        if own_tx {
            w.run(|db| db.batch("BEGIN IMMEDIATE")).await?;
        }
        let format = if spec.binary() {
            Format::Binary
        } else {
            Format::Text
        };
        reply.copy_in(format, &vec![format; columns.len()])?;
        self.copy = Some(CopyIn {
            spec: spec.clone(),
            reader: copy::Reader::default(),
            insert,
            columns,
            count: 0,
            own_tx,
        });
        Ok(())
    }

    /// Inserts parsed COPY rows.
    async fn copy_rows(&mut self, rows: Vec<copy::Fields>) -> Result<(), ServerError> {
        let Some(c) = &mut self.copy else {
            return Ok(());
        };
        let binary = c.spec.binary();
        let mut values = Vec::with_capacity(rows.len());
        for (line, fields) in rows.into_iter().enumerate() {
            if fields.len() > c.columns.len() {
                return Err(ServerError::error(
                    "22P04",
                    "extra data after last expected column",
                ));
            }
            if fields.len() < c.columns.len() {
                let missing = &c.columns[fields.len()].0;
                return Err(ServerError::error(
                    "22P04",
                    format!("missing data for column \"{missing}\""),
                ));
            }
            let mut row = Vec::with_capacity(fields.len());
            for (field, (_, ty)) in fields.iter().zip(&c.columns) {
                row.push(
                    db::from_wire(
                        field.as_deref(),
                        *ty,
                        if binary { Format::Binary } else { Format::Text },
                    )
                    .map_err(|mut e| {
                        e.message =
                            format!("{} (COPY row {})", e.message, c.count + line as u64 + 1)
                                .into();
                        e
                    })?,
                );
            }
            values.push(row);
        }
        let sql = c.insert.clone();
        let w = self.worker.clone();
        let n = w.run(move |db| db.insert_rows(&sql, &values)).await?;
        c.count += n;
        Ok(())
    }

    /// Ends a COPY FROM STDIN that failed: its own transaction is rolled back, a block fails.
    async fn copy_abandoned(&mut self) {
        if let Some(c) = self.copy.take() {
            if c.own_tx {
                let _ = self.worker.run(|db| db.batch("ROLLBACK")).await;
            }
        }
        self.fail();
    }

    /// Writes rows as DataRow messages.
    async fn send_rows(
        reply: &mut Reply<'_>,
        rows: impl IntoIterator<Item = Row>,
    ) -> Result<(), Error> {
        for row in rows {
            let mut w = reply.data_row().await?;
            for col in &row {
                match col {
                    Some(v) => w.value(v)?,
                    None => w.null()?,
                }
            }
            w.finish()?;
        }
        Ok(())
    }
}

impl Drop for SqliteSession {
    fn drop(&mut self) {
        // A session that ends stops listening (its SQLite thread ends with its Worker).
        self.shared.channels.unlisten(None, self.pid);
    }
}

/// How many translated queries a session keeps.
const TRANSLATIONS: usize = 512;

/// A setting's name as PostgreSQL files it: lower case, with the SQL spellings of some
/// (`TIME ZONE`, `TRANSACTION ISOLATION LEVEL`) mapped to theirs.
fn setting_name(name: &str) -> String {
    let name = name.trim().to_ascii_lowercase();
    match name.as_str() {
        "time zone" => "timezone".into(),
        "transaction isolation level" => "transaction_isolation".into(),
        "session authorization" => "session_authorization".into(),
        _ => name,
    }
}

/// The statements of a query: SET/SHOW/RESET, COPY and VACUUM/ANALYZE as the session runs
/// them, anything else translated for SQLite.
fn statements(sql: &str) -> Result<Vec<Translated>, ServerError> {
    let first_word = sql
        .trim_start()
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_uppercase();
    match first_word.as_str() {
        "SET" | "SHOW" | "RESET" => Ok(vec![Translated::of(
            Kind::Setting(sql.to_owned()),
            String::new(),
        )]),
        "COPY" => Ok(vec![copy::statement(sql)?]),
        // SQLite's ANALYZE refreshes what its planner knows; space is reused without VACUUM.
        "VACUUM" | "ANALYZE" => Ok(vec![Translated::of(
            Kind::Batch(first_word),
            "ANALYZE".into(),
        )]),
        _ => translate::translate(sql).map_err(|e| {
            let mut err = ServerError::error("42601", e.message);
            err.position = e.position;
            err
        }),
    }
}

/// What SHOW says of a setting no SET has changed: PostgreSQL's defaults that clients ask for.
fn default_setting(name: &str) -> Option<&'static str> {
    Some(match name {
        "server_version" => "15.0",
        "server_version_num" => "150000",
        "server_encoding" | "client_encoding" => "UTF8",
        "datestyle" => "ISO, MDY",
        "intervalstyle" => "postgres",
        "timezone" => "UTC",
        "standard_conforming_strings" | "integer_datetimes" => "on",
        "transaction_isolation" | "default_transaction_isolation" => "serializable",
        "search_path" => "\"$user\", public",
        "max_identifier_length" => "63",
        "lc_collate" | "lc_ctype" | "lc_messages" | "lc_monetary" => "C",
        "bytea_output" => "hex",
        "extra_float_digits" => "1",
        "application_name" => "",
        _ => return None,
    })
}

impl Session for SqliteSession {
    async fn query(&mut self, sql: &str, reply: &mut Reply<'_>) -> Result<(), Error> {
        let statements = self.translated(sql)?;
        if statements.is_empty() {
            return reply.empty_query();
        }
        for t in statements.iter() {
            if let Kind::Copy(spec) = &t.kind {
                if self.tx == Tx::Failed {
                    return Err(in_failed_transaction().into());
                }
                if !spec.to {
                    // The client's data follows: COPY FROM STDIN ends the query.
                    return self.copy_in(spec, reply).await.inspect_err(|_| self.fail());
                }
                let n = self
                    .copy_out(t, spec, reply)
                    .await
                    .inspect_err(|_| self.fail())?;
                reply.command_complete(&format!("COPY {n}"))?;
                continue;
            }
            if t.params > 0 {
                // A simple query has no parameters to give.
                return Err(ServerError::error("42P02", "there is no parameter $1").into());
            }
            let (rows, tag) = self.run(t, Vec::new(), None, vec![Format::Text]).await?;
            if let Some(rows) = rows {
                let fields: Vec<FieldDescription<'_>> = rows
                    .fields
                    .iter()
                    .map(|(name, ty)| FieldDescription {
                        name: PgStr::new(name.as_bytes()).unwrap_or_default(),
                        table_oid: 0,
                        column_id: 0,
                        type_oid: *ty,
                        type_size: type_size(*ty),
                        type_modifier: -1,
                        format: Format::Text,
                    })
                    .collect();
                reply.row_description(&fields)?;
                Self::send_rows(reply, rows.rows).await?;
            }
            reply.command_complete(&tag)?;
        }
        Ok(())
    }

    async fn parse(&mut self, id: u64, sql: &str, describe: &mut Describe) -> Result<(), Error> {
        let mut statements = self.translated(sql)?.as_ref().clone();
        // In a failed block only what ends it may be prepared, as in PostgreSQL.
        let ends_block =
            |t: &Translated| matches!(t.kind, Kind::Rollback | Kind::Commit | Kind::RollbackTo(_));
        if self.tx == Tx::Failed && !statements.iter().all(ends_block) {
            return Err(in_failed_transaction().into());
        }
        if statements.len() > 1 {
            return Err(ServerError::error(
                "42601",
                "cannot insert multiple commands into a prepared statement",
            )
            .into());
        }
        let Some(t) = statements.pop() else {
            self.statements.insert(
                id,
                Prepared {
                    translated: None,
                    params: Vec::new(),
                    columns: Vec::new(),
                },
            );
            return Ok(());
        };
        let given: Vec<Oid> = describe.params().to_vec();
        let count = t.params.max(given.len());
        let w = self.worker.clone();
        let probe = t.clone();
        let from_columns = w.run(move |db| db.param_types(&probe)).await;
        let params: Vec<Oid> = (0..count)
            .map(|i| {
                given
                    .get(i)
                    .copied()
                    .filter(|&o| o != 0)
                    .or_else(|| t.param_types.get(i).copied().flatten())
                    .or_else(|| from_columns.get(i).copied().flatten())
                    .unwrap_or(oid::TEXT)
            })
            .collect();
        describe.set_params(&params);
        let mut columns = Vec::new();
        if let Kind::Setting(text) = &t.kind {
            let mut words = text.split_whitespace();
            if words.next().is_some_and(|w| w.eq_ignore_ascii_case("show")) {
                let name = setting_name(words.collect::<Vec<_>>().join(" ").trim_end_matches(';'));
                describe.column(&name, Column::new(oid::TEXT, -1));
                columns.push(oid::TEXT);
            }
        }
        if matches!(t.kind, Kind::Rows(_)) {
            let w = self.worker.clone();
            let probe = t.clone();
            let fields = w.run(move |db| db.describe(&probe)).await?;
            for (i, f) in fields.into_iter().enumerate() {
                // `SELECT $1` is of the parameter's type.
                let param = t.column_params.get(i).copied().flatten();
                let ty = param
                    .and_then(|n| params.get(n - 1).copied())
                    .or(f.oid)
                    .unwrap_or(oid::TEXT);
                describe.column(&f.name, Column::new(ty, type_size(ty)));
                columns.push(ty);
            }
        }
        self.statements.insert(
            id,
            Prepared {
                translated: Some(t),
                params,
                columns,
            },
        );
        Ok(())
    }

    async fn bind(
        &mut self,
        portal: u64,
        statement: u64,
        params: Params<'_>,
        result_formats: List<'_, Format>,
    ) -> Result<(), Error> {
        let Some(p) = self.statements.get(&statement) else {
            return Err(ServerError::error("26000", "prepared statement does not exist").into());
        };
        let mut values = Vec::with_capacity(params.len());
        for i in 0..params.len() {
            let (bytes, format) = params.get(i).unwrap_or((None, Format::Text));
            let ty = p.params.get(i).copied().unwrap_or(oid::TEXT);
            values.push(db::from_wire(bytes, ty, format)?);
        }
        let formats = (0..p.columns.len())
            .map(|i| result_formats.format_for(i))
            .collect();
        self.portals.insert(
            portal,
            Portal {
                translated: p.translated.clone(),
                params: values,
                columns: p.columns.clone(),
                formats,
                pending: None,
            },
        );
        Ok(())
    }

    async fn execute(
        &mut self,
        portal: u64,
        max_rows: u32,
        reply: &mut Reply<'_>,
    ) -> Result<Executed, Error> {
        let Some(p) = self.portals.get_mut(&portal) else {
            return Err(ServerError::error("34000", "portal does not exist").into());
        };
        let limit = if max_rows == 0 {
            usize::MAX
        } else {
            max_rows as usize
        };
        if let Some((rest, tag)) = &mut p.pending {
            let take: Vec<_> = rest.drain(..limit.min(rest.len())).collect();
            let done = rest.is_empty();
            let tag = tag.clone();
            Self::send_rows(reply, take).await?;
            return Ok(if done {
                Executed::Complete(tag.into())
            } else {
                Executed::Suspended
            });
        }
        let Some(t) = p.translated.clone() else {
            return Ok(Executed::Empty);
        };
        if let Kind::Copy(spec) = &t.kind {
            if self.tx == Tx::Failed {
                return Err(in_failed_transaction().into());
            }
            if !spec.to {
                // The client's data follows.
                self.copy_in(spec, reply)
                    .await
                    .inspect_err(|_| self.fail())?;
                return Ok(Executed::Empty);
            }
            let n = self
                .copy_out(&t, spec, reply)
                .await
                .inspect_err(|_| self.fail())?;
            return Ok(Executed::Complete(format!("COPY {n}").into()));
        }
        let (params, columns, formats) = (
            std::mem::take(&mut p.params),
            p.columns.clone(),
            p.formats.clone(),
        );
        let columns = (!columns.is_empty()).then_some(columns);
        let (rows, tag) = self.run(&t, params, columns, formats).await?;
        let Some(rows) = rows else {
            return Ok(Executed::Complete(tag.into()));
        };
        let mut rest: VecDeque<_> = rows.rows.into();
        let take: Vec<_> = rest.drain(..limit.min(rest.len())).collect();
        Self::send_rows(reply, take).await?;
        if rest.is_empty() {
            return Ok(Executed::Complete(tag.into()));
        }
        if let Some(p) = self.portals.get_mut(&portal) {
            p.pending = Some((rest, tag));
        }
        Ok(Executed::Suspended)
    }

    async fn copy_data(&mut self, data: &[u8]) -> Result<(), Error> {
        let Some(c) = &mut self.copy else {
            return Ok(());
        };
        let spec = c.spec.clone();
        let parsed = c.reader.feed(&spec, data);
        let result = match parsed {
            Ok(rows) => self.copy_rows(rows).await,
            Err(e) => Err(ServerError::error("22P04", e)),
        };
        if let Err(e) = result {
            self.copy_abandoned().await;
            return Err(e.into());
        }
        Ok(())
    }

    async fn copy_done(&mut self) -> Result<u64, Error> {
        let Some(c) = &mut self.copy else {
            return Ok(0);
        };
        let spec = c.spec.clone();
        let last = c.reader.finish(&spec);
        let result = match last {
            Ok(rows) => self.copy_rows(rows).await,
            Err(e) => Err(ServerError::error("22P04", e)),
        };
        if let Err(e) = result {
            self.copy_abandoned().await;
            return Err(e.into());
        }
        let Some(c) = self.copy.take() else {
            return Ok(0);
        };
        if c.own_tx {
            self.worker.run(|db| db.batch("COMMIT")).await?;
        }
        Ok(c.count)
    }

    fn copy_fail(&mut self) {
        if let Some(c) = self.copy.take() {
            if c.own_tx {
                // Rolled back by the next job on the connection's thread, before anything else.
                let w = self.worker.clone();
                let _queued = w.send(|db| {
                    let _ = db.batch("ROLLBACK");
                });
            }
        }
        self.fail();
    }

    fn close_statement(&mut self, id: u64) {
        self.statements.remove(&id);
    }

    fn close_portal(&mut self, id: u64) {
        self.portals.remove(&id);
    }

    fn transaction_status(&self) -> TransactionStatus {
        match self.tx {
            Tx::Idle => TransactionStatus::Idle,
            Tx::Block => TransactionStatus::InTransaction,
            Tx::Failed => TransactionStatus::Failed,
        }
    }

    fn aborted(&mut self) {
        if self.tx == Tx::Block {
            self.tx = Tx::Failed;
        }
    }
}

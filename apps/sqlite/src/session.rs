//! One client session: PostgreSQL's transaction rules over the session's SQLite connection
//! (blocks, savepoints, the failed state with 25P02), simple and extended queries, and the
//! session settings of SET/SHOW/RESET.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use pgproto_service::pgproto::backend::ServerError;
use pgproto_service::pgproto::message::backend::FieldDescription;
use pgproto_service::pgproto::message::{Format, TransactionStatus};
use pgproto_service::pgproto::types::{oid, Oid, Type};
use pgproto_service::pgproto::{List, PgStr};
use pgproto_service::{Column, Describe, Error, Executed, Params, Reply, Session};
use rusqlite::types::Value as Sql;

use crate::db::{self, Rows, Worker};
use crate::translate::{self, Kind, Translated};

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

/// A session of pgproto-sqlite.
pub struct SqliteSession {
    worker: Arc<Worker>,
    tx: Tx,
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
    pub fn new(worker: Worker) -> Self {
        Self {
            worker: Arc::new(worker),
            tx: Tx::Idle,
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
                self.settings.insert(name.to_ascii_lowercase(), value);
                Some(Ok(("SET".into(), None)))
            }
            "RESET" => {
                self.settings.remove(&rest.to_ascii_lowercase());
                Some(Ok(("RESET".into(), None)))
            }
            "SHOW" => {
                let name = rest.to_ascii_lowercase();
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
        if result.is_err() && self.tx == Tx::Block {
            self.tx = Tx::Failed;
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
                    let sql = if failed || t.kind == Kind::Rollback {
                        "ROLLBACK"
                    } else {
                        "COMMIT"
                    };
                    let done = batch(sql.into()).await;
                    self.tx = Tx::Idle;
                    done?;
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
        if let Some(setting) = self.setting(sql) {
            if self.tx == Tx::Failed {
                return Err(in_failed_transaction().into());
            }
            let (tag, shown) = setting?;
            if let Some((name, value)) = shown {
                reply.row_description(&[FieldDescription {
                    name: PgStr::new(name.as_bytes()).unwrap_or_default(),
                    table_oid: 0,
                    column_id: 0,
                    type_oid: oid::TEXT,
                    type_size: -1,
                    type_modifier: -1,
                    format: Format::Text,
                }])?;
                Self::send_rows(reply, [vec![Some(value.into_bytes())]]).await?;
            }
            return reply.command_complete(&tag);
        }
        let statements = translate::translate(sql).map_err(|e| {
            let mut err = ServerError::error("42601", e.message);
            err.position = e.position;
            err
        })?;
        if statements.is_empty() {
            return reply.empty_query();
        }
        for t in &statements {
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
        if self.tx == Tx::Failed {
            return Err(in_failed_transaction().into());
        }
        let mut statements = translate::translate(sql).map_err(|e| {
            let mut err = ServerError::error("42601", e.message);
            err.position = e.position;
            err
        })?;
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
        if matches!(t.kind, Kind::Rows(_)) {
            let w = self.worker.clone();
            let probe = t.clone();
            let (_, fields) = w.run(move |db| db.describe(&probe)).await?;
            for f in fields {
                let ty = f.oid.unwrap_or(oid::TEXT);
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

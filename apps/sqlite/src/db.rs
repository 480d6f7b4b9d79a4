//! The SQLite side of a session: one connection on a thread of its own, so SQLite never blocks
//! the runtime's threads. The session sends it jobs (closures over [`Db`]) and awaits the answers.

use std::sync::mpsc;
use std::time::Duration;

use pgproto_service::pgproto::backend::ServerError;
use pgproto_service::pgproto::message::Format;
use pgproto_service::pgproto::types::{oid, Codec, Oid, Type, Value};
use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value as Sql, ValueRef};
use rusqlite::Connection;

use crate::errors::{self, pg_error};
use crate::translate::Translated;

/// What the connection is told when it opens.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The database file, or `:memory:`.
    pub path: String,
    /// How long a writer waits for another's lock before 55P03.
    pub lock_timeout: Duration,
    /// The name `current_database()` returns.
    pub database: String,
    /// The name `current_user` returns.
    pub user: String,
    /// The session's PID.
    pub pid: i32,
    /// Where `pg_notify()` leaves its notifications for the session to send.
    pub notify_queue: crate::functions::NotifyQueue,
}

/// The session's SQLite connection.
pub struct Db {
    /// The connection.
    pub conn: Connection,
}

/// A job for the connection's thread.
type Job = Box<dyn FnOnce(&mut Db) + Send>;

/// The handle the session keeps: jobs go to the connection's thread, which ends when this is
/// dropped (rolling back whatever transaction was open).
pub struct Worker {
    jobs: mpsc::Sender<Job>,
}

impl Worker {
    /// Opens the connection on a new thread.
    pub fn open(settings: Settings) -> Result<Worker, ServerError> {
        let (jobs, inbox) = mpsc::channel::<Job>();
        let (ready, opened) = mpsc::channel();
        std::thread::Builder::new()
            .name(format!("sqlite-{}", settings.pid))
            .spawn(move || {
                let mut db = match open(&settings) {
                    Ok(db) => {
                        let _ = ready.send(Ok(()));
                        db
                    }
                    Err(e) => {
                        let _ = ready.send(Err(e));
                        return;
                    }
                };
                for job in inbox {
                    job(&mut db);
                }
            })
            .map_err(|e| {
                ServerError::fatal("58000", format!("cannot start a session thread: {e}"))
            })?;
        opened
            .recv()
            .map_err(|_| ServerError::fatal("58000", "the session thread ended"))??;
        Ok(Worker { jobs })
    }

    /// Queues `f` on the connection's thread without waiting for it (it runs before any later
    /// job); false if the thread has ended.
    pub fn send(&self, f: impl FnOnce(&mut Db) + Send + 'static) -> bool {
        self.jobs.send(Box::new(f)).is_ok()
    }

    /// Runs `f` on the connection's thread and returns its answer.
    pub async fn run<R: Send + 'static>(&self, f: impl FnOnce(&mut Db) -> R + Send + 'static) -> R {
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |db| {
            let _ = tx.send(f(db));
        });
        assert!(
            self.jobs.send(job).is_ok(),
            "the SQLite thread of this session has ended"
        );
        rx.await
            .expect("the SQLite thread of this session has ended")
    }
}

/// Opens and sets up a connection: WAL, the lock wait, PostgreSQL's functions.
fn open(s: &Settings) -> Result<Db, ServerError> {
    let conn = Connection::open(&s.path).map_err(|e| {
        ServerError::fatal(
            "58030",
            format!("could not open database file \"{}\": {e}", s.path),
        )
    })?;
    let setup = || -> rusqlite::Result<()> {
        if s.path != ":memory:" {
            conn.pragma_update(None, "journal_mode", "wal")?;
        }
        conn.pragma_update(None, "synchronous", "normal")?;
        conn.pragma_update(None, "foreign_keys", "on")?;
        // PostgreSQL's LIKE is case-sensitive (ILIKE is not).
        conn.pragma_update(None, "case_sensitive_like", "on")?;
        conn.busy_timeout(s.lock_timeout)?;
        crate::functions::register(&conn, s)?;
        crate::catalog::install(&conn, &s.database)?;
        Ok(())
    };
    setup()
        .map_err(|e| ServerError::fatal("58030", format!("could not set up the database: {e}")))?;
    Ok(Db { conn })
}

/// A result column: its name and PostgreSQL type.
#[derive(Debug, Clone)]
pub struct Field {
    /// The name.
    pub name: String,
    /// The type, if known before any row.
    pub oid: Option<Oid>,
    /// The scale a `numeric(p,s)` column declares.
    pub scale: Option<u16>,
}

/// The scale of a declared `numeric(p,s)` (or `decimal(p,s)`).
fn declared_scale(decl: &str) -> Option<u16> {
    let (name, args) = decl.split_once('(')?;
    if declared_type(name) != Some(oid::NUMERIC) {
        return None;
    }
    let args = args.trim_end().trim_end_matches(')');
    args.split(',').nth(1).unwrap_or("0").trim().parse().ok()
}

/// Decimal text rounded (half away from zero) or padded to `scale` places, as a value stored
/// into `numeric(p,s)` is.
pub fn with_scale(text: &str, scale: u16) -> String {
    let (negative, digits) = match text.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, text),
    };
    if !digits.bytes().all(|b| b.is_ascii_digit() || b == b'.') || digits.is_empty() {
        return text.to_owned();
    }
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let scale = usize::from(scale);
    let mut all: Vec<u8> = int
        .bytes()
        .chain(frac.bytes().chain(std::iter::repeat(b'0')).take(scale))
        .collect();
    if frac.len() > scale && frac.as_bytes()[scale] >= b'5' {
        let mut i = all.len();
        loop {
            if i == 0 {
                all.insert(0, b'1');
                break;
            }
            i -= 1;
            if all[i] == b'9' {
                all[i] = b'0';
            } else {
                all[i] += 1;
                break;
            }
        }
    }
    let point = all.len() - scale;
    let int_part = String::from_utf8_lossy(&all[..point])
        .trim_start_matches('0')
        .to_owned();
    let int_part = if int_part.is_empty() {
        "0".to_owned()
    } else {
        int_part
    };
    let zero = all.iter().all(|&b| b == b'0');
    let sign = if negative && !zero { "-" } else { "" };
    if scale == 0 {
        format!("{sign}{int_part}")
    } else {
        format!(
            "{sign}{int_part}.{}",
            String::from_utf8_lossy(&all[point..])
        )
    }
}

/// A statement's rows, already in the wire forms the client asked for.
#[derive(Debug, Default)]
pub struct Rows {
    /// The columns, each with its final type.
    pub fields: Vec<(String, Oid)>,
    /// The rows, each column's bytes (`None` is NULL).
    pub rows: Vec<Vec<Option<Vec<u8>>>>,
}

/// What running a statement gave.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Its rows, for statements that return them.
    pub rows: Option<Rows>,
    /// Rows changed, for INSERT/UPDATE/DELETE.
    pub changes: u64,
}

impl Db {
    /// The result columns of a statement, typed from its text and SQLite's declared types.
    pub fn describe(&mut self, t: &Translated) -> Result<Vec<Field>, ServerError> {
        let stmt = self
            .conn
            .prepare_cached(&t.sql)
            .map_err(|e| errors::from_sqlite(&e))?;
        Ok(fields_of(&stmt, t))
    }

    /// The types of the parameters the statement stores into or compares with a column: that
    /// column's declared type, looked up in the tables the statement names.
    pub fn param_types(&mut self, t: &Translated) -> Vec<Option<Oid>> {
        let mut types = vec![None; t.params];
        for (n, column) in &t.param_columns {
            let Some(slot) = types.get_mut(n - 1) else {
                continue;
            };
            if slot.is_some() {
                continue;
            }
            for table in &t.tables {
                let position = column.strip_prefix(crate::translate::POSITION);
                let sql = if position.is_some() {
                    "SELECT type FROM pragma_table_info(?1) WHERE cid = CAST(?2 AS INTEGER)"
                } else {
                    "SELECT type FROM pragma_table_info(?1) WHERE name = ?2 COLLATE NOCASE"
                };
                let Ok(mut stmt) = self.conn.prepare_cached(sql) else {
                    continue;
                };
                let key = position.unwrap_or(column);
                let decl: Option<String> = stmt.query_row((table, key), |r| r.get(0)).ok();
                if let Some(ty) = decl.as_deref().and_then(declared_type) {
                    *slot = Some(ty);
                    break;
                }
            }
        }
        types
    }

    /// Runs a statement with its parameters; rows go out in `formats` (per column), typed as
    /// `types` say where given, else as described, else by the first row's values.
    pub fn execute(
        &mut self,
        t: &Translated,
        params: &[Sql],
        types: Option<&[Oid]>,
        formats: &dyn Fn(usize) -> Format,
    ) -> Result<Outcome, ServerError> {
        let mut stmt = self
            .conn
            .prepare_cached(&t.sql)
            .map_err(|e| errors::from_sqlite(&e))?;
        let described = fields_of(&stmt, t);
        for (i, p) in params.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, p)
                .map_err(|e| errors::from_sqlite(&e))?;
        }
        if stmt.column_count() == 0 {
            let changes = stmt.raw_execute().map_err(|e| errors::from_sqlite(&e))? as u64;
            return Ok(Outcome {
                rows: None,
                changes,
            });
        }
        let scales: Vec<Option<u16>> = described.iter().map(|f| f.scale).collect();
        let mut fields: Vec<(String, Option<Oid>)> = described
            .into_iter()
            .enumerate()
            .map(|(i, f)| (f.name, types.and_then(|t| t.get(i).copied()).or(f.oid)))
            .collect();
        let mut out = Rows::default();
        let mut rows = stmt.raw_query();
        while let Some(row) = rows.next().map_err(|e| errors::from_sqlite(&e))? {
            let mut encoded = Vec::with_capacity(fields.len());
            for (i, field) in fields.iter_mut().enumerate() {
                let value = row.get_ref(i).map_err(|e| errors::from_sqlite(&e))?;
                let oid = *field.1.get_or_insert_with(|| value_type(value));
                encoded.push(match (scales[i], text_of(value, oid)) {
                    (Some(scale), Some(text)) if oid == oid::NUMERIC => {
                        let rounded = with_scale(&text, scale);
                        to_wire(ValueRef::Text(rounded.as_bytes()), oid, formats(i))?
                    }
                    _ => to_wire(value, oid, formats(i))?,
                });
            }
            out.rows.push(encoded);
        }
        out.fields = fields
            .into_iter()
            .map(|(name, oid)| (name, oid.unwrap_or(oid::TEXT)))
            .collect();
        Ok(Outcome {
            rows: Some(out),
            changes: 0,
        })
    }

    /// A table's columns and their types, in order; 42P01 when there is no such table.
    pub fn table_columns(&mut self, table: &str) -> Result<Vec<(String, Oid)>, ServerError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT name, type FROM pragma_table_info(?1) ORDER BY cid")
            .map_err(|e| errors::from_sqlite(&e))?;
        let columns = stmt
            .query_map([table], |r| {
                let name: String = r.get(0)?;
                let decl: String = r.get(1)?;
                Ok((name, declared_type(&decl).unwrap_or(oid::TEXT)))
            })
            .and_then(Iterator::collect::<rusqlite::Result<Vec<_>>>)
            .map_err(|e| errors::from_sqlite(&e))?;
        if columns.is_empty() {
            return Err(ServerError::error(
                "42P01",
                format!("relation \"{table}\" does not exist"),
            ));
        }
        Ok(columns)
    }

    /// Inserts rows with one prepared INSERT; returns how many.
    pub fn insert_rows(&mut self, sql: &str, rows: &[Vec<Sql>]) -> Result<u64, ServerError> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| errors::from_sqlite(&e))?;
        for row in rows {
            stmt.execute(rusqlite::params_from_iter(row.iter()))
                .map_err(|e| errors::from_sqlite(&e))?;
        }
        Ok(rows.len() as u64)
    }

    /// The first row of a query, as SQLite values (EXECUTE's arguments).
    pub fn eval_row(&mut self, sql: &str) -> Result<Vec<Sql>, ServerError> {
        let mut stmt = self
            .conn
            .prepare_cached(sql)
            .map_err(|e| errors::from_sqlite(&e))?;
        let n = stmt.column_count();
        stmt.query_row([], |r| (0..n).map(|i| r.get::<_, Sql>(i)).collect())
            .map_err(|e| errors::from_sqlite(&e))
    }

    /// Runs SQL with no parameters or rows (transaction control).
    pub fn batch(&mut self, sql: &str) -> Result<(), ServerError> {
        self.conn
            .execute_batch(sql)
            .map_err(|e| errors::from_sqlite(&e))
    }
}

/// A prepared statement's result columns, typed from the translation and the declared types.
fn fields_of(stmt: &rusqlite::Statement<'_>, t: &Translated) -> Vec<Field> {
    stmt.columns()
        .iter()
        .enumerate()
        .map(|(i, c)| Field {
            name: c.name().to_owned(),
            oid: t
                .column_types
                .get(i)
                .copied()
                .flatten()
                .or_else(|| c.decl_type().and_then(declared_type)),
            scale: c.decl_type().and_then(declared_scale),
        })
        .collect()
}

/// A built-in type, or `text` for an OID the catalog does not know.
fn type_or_text(oid: Oid) -> &'static Type {
    Type::by_oid(oid)
        .or_else(|| Type::by_oid(oid::TEXT))
        .expect("text is built in")
}

/// The PostgreSQL type of a SQLite declared type: its first word as the DDL wrote it
/// (`numeric text` is numeric, `int` is integer), or SQLite's own names.
pub fn declared_type(decl: &str) -> Option<Oid> {
    let first = decl.split(|c: char| c == '(' || c.is_whitespace()).next()?;
    let t = Type::by_sql_name(first).map(|t| t.oid);
    t.or(match first.to_ascii_uppercase().as_str() {
        "INTEGER" => Some(oid::INT8),
        "REAL" => Some(oid::FLOAT8),
        "TEXT" | "CLOB" => Some(oid::TEXT),
        "BLOB" => Some(oid::BYTEA),
        _ => None,
    })
}

/// The PostgreSQL type of a value whose column has none: by SQLite's storage class.
fn value_type(v: ValueRef<'_>) -> Oid {
    match v {
        ValueRef::Integer(_) => oid::INT8,
        ValueRef::Real(_) => oid::FLOAT8,
        ValueRef::Blob(_) => oid::BYTEA,
        ValueRef::Null | ValueRef::Text(_) => oid::TEXT,
    }
}

/// A SQLite value's text in PostgreSQL's form for type `ty` (floats shortest-exact, booleans
/// `t`/`f`).
pub fn text_of(v: ValueRef<'_>, ty: Oid) -> Option<String> {
    let mut out = Vec::new();
    match v {
        ValueRef::Null => return None,
        ValueRef::Integer(i) if ty == oid::BOOL => out.push(if i != 0 { b't' } else { b'f' }),
        ValueRef::Integer(i) => i.encode_text(&mut out).ok()?,
        ValueRef::Real(f) => f.encode_text(&mut out).ok()?,
        ValueRef::Text(t) => out.extend_from_slice(t),
        ValueRef::Blob(b) => {
            pgproto_service::pgproto::types::bytea::encode_hex(b, &mut out).ok()?;
        }
    }
    String::from_utf8(out).ok()
}

/// A SQLite value as a column of type `ty` in `format`, through the core's codecs.
pub fn to_wire(v: ValueRef<'_>, ty: Oid, format: Format) -> Result<Option<Vec<u8>>, ServerError> {
    let mut out = Vec::new();
    // The common cases directly; everything else through the type's text input.
    match (v, ty, format) {
        (ValueRef::Null, ..) => return Ok(None),
        (ValueRef::Text(t), oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::NAME, _) => {
            return Ok(Some(t.to_vec()))
        }
        (ValueRef::Blob(b), oid::BYTEA, Format::Binary) => return Ok(Some(b.to_vec())),
        (ValueRef::Integer(i), oid::INT8 | oid::INT4 | oid::INT2, Format::Text) => {
            // Integer arithmetic beyond the column's type is PostgreSQL's overflow error.
            let fits = match ty {
                oid::INT4 => i32::try_from(i).is_ok(),
                oid::INT2 => i16::try_from(i).is_ok(),
                _ => true,
            };
            if !fits {
                let name = Type::by_oid(ty).map_or_else(String::new, |t| t.sql_name().to_string());
                return Err(ServerError::error("22003", format!("{name} out of range")));
            }
            i.encode_text(&mut out).ok();
            return Ok(Some(out));
        }
        _ => {}
    }
    let ty = type_or_text(ty);
    let value = match v {
        // An integer result SQLite took to a float (it overflowed): PostgreSQL's range error.
        ValueRef::Real(f) if ty.oid == oid::INT8 || ty.oid == oid::INT4 || ty.oid == oid::INT2 => {
            let text = format!("{}", f.round());
            Value::decode_text(ty, &text).map_err(|_| {
                ServerError::error("22003", format!("{} out of range", ty.sql_name()))
            })?
        }
        ValueRef::Blob(b) if ty.oid == oid::BYTEA => Value::Bytea(b.to_vec()),
        _ => {
            let text = text_of(v, ty.oid).unwrap_or_default();
            Value::decode_text(ty, &text).map_err(|e| pg_error(&e, &text))?
        }
    };
    value
        .encode(ty, format, &mut out)
        .map_err(|e| ServerError::error("XX000", format!("cannot encode a {}: {e}", ty.name)))?;
    Ok(Some(out))
}

/// A parameter's bytes (of type `ty`, in `format`) as the SQLite value that stores it: integers
/// and booleans as INTEGER, floats as REAL, bytea as BLOB, everything else as PostgreSQL's text.
pub fn from_wire(bytes: Option<&[u8]>, ty: Oid, format: Format) -> Result<Sql, ServerError> {
    let Some(bytes) = bytes else {
        return Ok(Sql::Null);
    };
    if format == Format::Text && matches!(ty, 0 | oid::TEXT | oid::VARCHAR | oid::UNKNOWN) {
        let text = std::str::from_utf8(bytes).map_err(|_| {
            ServerError::error("22021", "invalid byte sequence for encoding \"UTF8\"")
        })?;
        return Ok(Sql::Text(text.to_owned()));
    }
    let t = type_or_text(ty);
    let value = Value::decode(t, format, bytes)
        .map_err(|e| pg_error(&e, &String::from_utf8_lossy(bytes)))?;
    Ok(to_sqlite(&value, t))
}

/// A decoded value as the SQLite value that stores it.
pub fn to_sqlite(value: &Value, ty: &Type) -> Sql {
    match value {
        Value::Bool(b) => Sql::Integer(i64::from(*b)),
        Value::Int2(i) => Sql::Integer(i64::from(*i)),
        Value::Int4(i) => Sql::Integer(i64::from(*i)),
        Value::Int8(i) => Sql::Integer(*i),
        Value::Oid(o) => Sql::Integer(i64::from(*o)),
        Value::Float4(f) => Sql::Real(f64::from(*f)),
        Value::Float8(f) => Sql::Real(*f),
        Value::Bytea(b) => Sql::Blob(b.clone()),
        Value::Text(s) => Sql::Text(s.clone()),
        other => {
            let mut out = Vec::new();
            let _ = other.encode_text(ty, &mut out);
            Sql::Text(String::from_utf8(out).unwrap_or_default())
        }
    }
}

/// Registers a scalar function of `n` arguments, deterministic unless said otherwise.
pub fn flags(deterministic: bool) -> FunctionFlags {
    let f = FunctionFlags::SQLITE_UTF8;
    if deterministic {
        f | FunctionFlags::SQLITE_DETERMINISTIC
    } else {
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scales_as_numeric_typmod() {
        assert_eq!(with_scale("12.3", 2), "12.30");
        assert_eq!(with_scale("12.345", 2), "12.35");
        assert_eq!(with_scale("-0.004", 2), "0.00");
        assert_eq!(with_scale("9.995", 2), "10.00");
        assert_eq!(with_scale("-2.5", 0), "-3");
        assert_eq!(with_scale("7", 3), "7.000");
        assert_eq!(declared_scale("numeric(12,2)"), Some(2));
        assert_eq!(declared_scale("NUMERIC(5)"), Some(0));
        assert_eq!(declared_scale("text"), None);
    }
}

//! PostgreSQL's functions and operators that SQLite lacks or does differently, registered on
//! every connection: `pg_cast` (casts with PostgreSQL's input rules), `pg_div` and `pg_mod`
//! (22012 on zero), and the session functions (`version()`, `current_database()`, …).

use std::time::Duration;

use pgproto_service::pgproto::backend::ServerError;
use pgproto_service::pgproto::types::{oid, Type, Value};
use rusqlite::functions::Context;
use rusqlite::types::{Value as Sql, ValueRef};
use rusqlite::Connection;

use crate::db::{flags, text_of, to_sqlite, Settings};
use crate::errors::{pg_error, raise};

/// Notifications `pg_notify()` made during a statement: (channel, payload), for the session to
/// send once the statement ends (or at COMMIT).
pub type NotifyQueue = std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>;

/// PostgreSQL 15's version string, with ours.
pub const VERSION: &str = concat!(
    "PostgreSQL 15.0 (pgproto-sqlite ",
    env!("CARGO_PKG_VERSION"),
    ", SQLite)"
);

/// Registers the functions on a new connection.
pub fn register(conn: &Connection, s: &Settings) -> rusqlite::Result<()> {
    conn.create_scalar_function("pg_cast", 2, flags(true), pg_cast)?;
    conn.create_scalar_function("pg_div", 2, flags(true), |ctx| arith(ctx, true))?;
    conn.create_scalar_function("pg_mod", 2, flags(true), |ctx| arith(ctx, false))?;
    conn.create_scalar_function("version", 0, flags(true), |_| Ok(VERSION))?;
    let db = s.database.clone();
    conn.create_scalar_function("current_database", 0, flags(true), move |_| Ok(db.clone()))?;
    let user = s.user.clone();
    conn.create_scalar_function("current_user", 0, flags(true), move |_| Ok(user.clone()))?;
    conn.create_scalar_function("current_schema", 0, flags(true), |_| Ok("public"))?;
    let pid = s.pid;
    conn.create_scalar_function("pg_backend_pid", 0, flags(true), move |_| Ok(pid))?;
    let queue = s.notify_queue.clone();
    conn.create_scalar_function("pg_notify", 2, flags(false), move |ctx| {
        let channel: String = ctx.get(0)?;
        let payload: Option<String> = ctx.get(1)?;
        if channel.is_empty() {
            return Err(raise(&ServerError::error(
                "22023",
                "channel name cannot be empty",
            )));
        }
        queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((channel, payload.unwrap_or_default()));
        Ok(Sql::Null)
    })?;
    conn.create_scalar_function("to_regtype", 1, flags(true), |ctx| {
        let name: String = ctx.get(0)?;
        Ok(Type::by_sql_name(&name).map(|t| i64::from(t.oid)))
    })?;
    conn.create_scalar_function("format_type", 2, flags(true), |ctx| {
        let oid: Option<i64> = ctx.get(0)?;
        Ok(oid
            .and_then(|o| u32::try_from(o).ok())
            .and_then(Type::by_oid)
            .map(|t| t.sql_name().to_string()))
    })?;
    conn.create_scalar_function("pg_regex", 3, flags(true), |ctx| {
        let (Some(text), Some(pattern)) =
            (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        let insensitive: bool = ctx.get(2)?;
        let re = regex_lite::RegexBuilder::new(&pattern)
            .case_insensitive(insensitive)
            .build()
            .map_err(|e| {
                raise(&ServerError::error(
                    "2201B",
                    format!("invalid regular expression: {e}"),
                ))
            })?;
        Ok(Some(re.is_match(&text)))
    })?;
    let owner = s.user.clone();
    conn.create_scalar_function(
        "pg_get_userbyid",
        1,
        flags(true),
        move |_| Ok(owner.clone()),
    )?;
    for visible in [
        "pg_table_is_visible",
        "pg_type_is_visible",
        "pg_function_is_visible",
    ] {
        conn.create_scalar_function(visible, 1, flags(true), |_| Ok(true))?;
    }
    // now() and friends: the transaction's start in PostgreSQL; here the statement's time.
    for name in [
        "now",
        "transaction_timestamp",
        "statement_timestamp",
        "clock_timestamp",
    ] {
        conn.create_scalar_function(name, 0, flags(false), |_| Ok(now_text()))?;
    }
    conn.create_scalar_function("pg_sleep", 1, flags(false), |ctx| {
        let secs: f64 = ctx.get(0)?;
        if secs.is_finite() && secs > 0.0 {
            std::thread::sleep(Duration::from_secs_f64(secs.min(3600.0)));
        }
        Ok(Sql::Null)
    })?;
    Ok(())
}

/// The current time as `timestamptz` text (UTC, microseconds).
fn now_text() -> String {
    let since_unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    let at = pgproto_service::pgproto::types::datetime::TimestampTz(
        since_unix
            .saturating_add(pgproto_service::pgproto::types::datetime::TimestampTz::UNIX_EPOCH.0),
    );
    at.to_string()
}

/// `pg_cast(value, 'typname')`: the value as PostgreSQL's cast to that type makes it (its text
/// read by the type's input function, stored in SQLite's matching class).
fn pg_cast(ctx: &Context<'_>) -> rusqlite::Result<Sql> {
    let name: String = ctx.get(1)?;
    let Some(ty) = Type::by_name(&name) else {
        return Err(raise(&ServerError::error(
            "42704",
            format!("type \"{name}\" does not exist"),
        )));
    };
    let v = ctx.get_raw(0);
    let value = match v {
        ValueRef::Null => return Ok(Sql::Null),
        ValueRef::Blob(b) if ty.oid == oid::BYTEA => return Ok(Sql::Blob(b.to_vec())),
        // Floats to integers round, as PostgreSQL's casts do.
        ValueRef::Real(f) if matches!(ty.oid, oid::INT2 | oid::INT4 | oid::INT8) => {
            Value::decode_text(ty, &format!("{}", f.round_ties_even()))
        }
        ValueRef::Integer(i) if ty.oid == oid::BOOL => Ok(Value::Bool(i != 0)),
        _ => Value::decode_text(ty, &text_of(v, 0).unwrap_or_default()),
    };
    match value {
        Ok(value) => Ok(to_sqlite(&value, ty)),
        Err(e) => {
            let text = text_of(v, 0).unwrap_or_default();
            Err(raise(&pg_error(&e, &text)))
        }
    }
}

#[allow(clippy::cast_precision_loss)] // an integer with a float: PostgreSQL's int8 → float8
/// `/` (`div`) or `%`, as PostgreSQL: integer operands stay integer (truncating), a zero divisor
/// is 22012, and an integer result beyond bigint is 22003.
fn arith(ctx: &Context<'_>, divide: bool) -> rusqlite::Result<Sql> {
    let zero = || raise(&ServerError::error("22012", "division by zero"));
    let number = |i: usize| -> rusqlite::Result<Option<Sql>> {
        Ok(match ctx.get_raw(i) {
            ValueRef::Null => None,
            ValueRef::Integer(n) => Some(Sql::Integer(n)),
            ValueRef::Real(f) => Some(Sql::Real(f)),
            ValueRef::Text(t) => {
                let t = std::str::from_utf8(t).unwrap_or("").trim();
                Some(match t.parse::<i64>() {
                    Ok(n) => Sql::Integer(n),
                    Err(_) => Sql::Real(t.parse().map_err(|_| {
                        raise(&ServerError::error(
                            "22P02",
                            format!("invalid input syntax for type numeric: \"{t}\""),
                        ))
                    })?),
                })
            }
            ValueRef::Blob(_) => {
                return Err(raise(&ServerError::error(
                    "42883",
                    "operator does not exist: bytea / bytea",
                )))
            }
        })
    };
    let (Some(a), Some(b)) = (number(0)?, number(1)?) else {
        return Ok(Sql::Null);
    };
    match (a, b) {
        (Sql::Integer(_), Sql::Integer(0)) => Err(zero()),
        (Sql::Integer(a), Sql::Integer(b)) => {
            let r = if divide {
                a.checked_div(b)
            } else {
                a.checked_rem(b)
            };
            r.map(Sql::Integer)
                .ok_or_else(|| raise(&ServerError::error("22003", "bigint out of range")))
        }
        (a, b) => {
            let f = |v: Sql| match v {
                Sql::Integer(n) => n as f64,
                Sql::Real(f) => f,
                _ => 0.0,
            };
            let (a, b) = (f(a), f(b));
            if b == 0.0 {
                return Err(zero());
            }
            Ok(Sql::Real(if divide { a / b } else { a % b }))
        }
    }
}

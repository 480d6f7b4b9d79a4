//! SQLite's errors, and the type codecs', as the ErrorResponse PostgreSQL would send: its
//! SQLSTATE and its wording.

use pgproto_service::pgproto::backend::ServerError;
use pgproto_service::pgproto::types::TypeError;
use rusqlite::ErrorCode;

/// The prefix our SQL functions put before `SQLSTATE:message`, so the error survives SQLite.
pub const PREFIX: &str = "pgproto:";

/// A codec's error for `input`, as PostgreSQL reports it.
pub fn pg_error(e: &TypeError, input: &str) -> ServerError {
    let mut err = ServerError::error("22000", e.message(input));
    err.code = e.code.into();
    if !e.detail.is_empty() {
        err = err.with_detail(e.detail);
    }
    err
}

/// An error raised inside a SQL function, carried through SQLite.
pub fn raise(e: &ServerError) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(format!("{PREFIX}{}:{}", e.code, e.message).into())
}

/// The error PostgreSQL would give for what SQLite reported.
pub fn from_sqlite(e: &rusqlite::Error) -> ServerError {
    let (code, text) = match e {
        rusqlite::Error::SqliteFailure(f, msg) => {
            (Some(f.code), msg.clone().unwrap_or_else(|| f.to_string()))
        }
        rusqlite::Error::UserFunctionError(inner) => (None, inner.to_string()),
        other => (None, other.to_string()),
    };
    if let Some(rest) = text.split_once(PREFIX).map(|(_, r)| r) {
        if let Some((sqlstate, message)) = rest.split_once(':') {
            let mut err = ServerError::error("XX000", message.to_owned());
            err.code = sqlstate.to_owned().into();
            return err;
        }
    }
    let after = |prefix: &str| text.strip_prefix(prefix).map(str::trim);
    // Newer SQLite adds where it was: "no such column: x in SELECT x at offset 7".
    let name_after =
        |prefix: &str| after(prefix).map(|rest| rest.split_whitespace().next().unwrap_or(rest));
    if let Some(cols) = after("UNIQUE constraint failed:") {
        let (table, column) = cols.split_once('.').unwrap_or((cols, cols));
        let column = column.split(',').next().unwrap_or(column);
        return ServerError::error(
            "23505",
            format!("duplicate key value violates unique constraint \"{table}_{column}_key\""),
        );
    }
    if let Some(col) = after("NOT NULL constraint failed:") {
        let (table, column) = col.split_once('.').unwrap_or((col, col));
        return ServerError::error(
            "23502",
            format!("null value in column \"{column}\" of relation \"{table}\" violates not-null constraint"),
        );
    }
    if text.starts_with("FOREIGN KEY constraint failed") {
        return ServerError::error("23503", "insert or update violates foreign key constraint");
    }
    if let Some(name) = after("CHECK constraint failed:") {
        return ServerError::error(
            "23514",
            format!("new row violates check constraint \"{name}\""),
        );
    }
    if let Some(name) = name_after("no such table:") {
        return ServerError::error("42P01", format!("relation \"{name}\" does not exist"));
    }
    if let Some(name) = name_after("no such column:") {
        return ServerError::error("42703", format!("column \"{name}\" does not exist"));
    }
    if let Some(name) = name_after("no such function:") {
        return ServerError::error("42883", format!("function {name} does not exist"));
    }
    if let Some(rest) = after("table") {
        if let Some(name) = rest.strip_suffix("already exists") {
            return ServerError::error(
                "42P07",
                format!("relation \"{}\" already exists", name.trim()),
            );
        }
    }
    if let Some(rest) = after("near \"") {
        if let Some((token, _)) = rest.split_once("\": syntax error") {
            return ServerError::error("42601", format!("syntax error at or near \"{token}\""));
        }
    }
    if matches!(
        code,
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    ) {
        if text.contains("snapshot")
            || matches!(&e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == 517)
        {
            return ServerError::error(
                "40001",
                "could not serialize access due to concurrent update",
            );
        }
        return ServerError::error("55P03", "canceling statement due to lock timeout");
    }
    if matches!(code, Some(ErrorCode::ConstraintViolation)) {
        return ServerError::error("23000", text);
    }
    ServerError::error("XX000", text)
}

//! A toy application behind `ServerConnection`: it knows only the SQL of the conformance
//! scripts (`tests/conformance/README.md`) and answers it the way PostgreSQL 15 does, so the
//! protocol machine can be compared with a real server message for message.

use std::collections::HashMap;

use pgproto::backend::{
    sqlstate, AuthMethod, Event, ExecuteOutcome, Instant, Progress, Secret, ServerConnection,
    ServerError, Severity, StatementDescription,
};
use pgproto::message::backend::FieldDescription;
use pgproto::message::{Format, TransactionStatus};
use pgproto::{List, PgStr, WriteBuf};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Tx {
    Implicit,
    Block,
    Failed,
}

/// What a statement of the vocabulary is.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sql {
    Select1,
    Series,
    Param1,
    Param2,
    DivZero,
    Begin,
    Commit,
    Rollback,
    Empty,
    CreateT,
    InsertT,
    CopyIn,
    CopyOut,
    SelectT,
    DoNotice,
    Listen,
    Notify,
    Set,
    Select2,
}

fn classify(sql: &str) -> Option<Sql> {
    let sql = sql.trim();
    let sql = sql.strip_suffix(';').map_or(sql, str::trim_end);
    Some(match sql {
        "SELECT 1" => Sql::Select1,
        "SELECT 2" => Sql::Select2,
        "SELECT generate_series(1,3)" => Sql::Series,
        "SELECT $1::int4" => Sql::Param1,
        "SELECT $1::int4, $2::text" => Sql::Param2,
        "SELECT 1/0" => Sql::DivZero,
        "BEGIN" => Sql::Begin,
        "COMMIT" => Sql::Commit,
        "ROLLBACK" => Sql::Rollback,
        "" => Sql::Empty,
        "CREATE TEMP TABLE t(a int)" => Sql::CreateT,
        "INSERT INTO t VALUES (1)" => Sql::InsertT,
        "COPY t FROM STDIN" => Sql::CopyIn,
        "COPY t TO STDOUT" => Sql::CopyOut,
        "SELECT a FROM t" => Sql::SelectT,
        "DO $$BEGIN RAISE NOTICE 'hi'; END$$" => Sql::DoNotice,
        "LISTEN c" => Sql::Listen,
        "NOTIFY c, 'x'" => Sql::Notify,
        "SET application_name = 'x'" => Sql::Set,
        _ => return None,
    })
}

fn field(name: &'static str, type_oid: u32) -> FieldDescription<'static> {
    FieldDescription {
        name: PgStr::from_static(name),
        table_oid: 0,
        column_id: 0,
        type_oid,
        type_size: if type_oid == 25 { -1 } else { 4 },
        type_modifier: -1,
        format: Format::Text,
    }
}

impl Sql {
    fn params(self) -> &'static [u32] {
        match self {
            Sql::Param1 => &[23],
            Sql::Param2 => &[23, 25],
            _ => &[],
        }
    }

    fn fields(self) -> Option<Vec<FieldDescription<'static>>> {
        Some(match self {
            Sql::Select1 | Sql::Select2 | Sql::DivZero => vec![field("?column?", 23)],
            Sql::Series => vec![field("generate_series", 23)],
            Sql::Param1 => vec![field("int4", 23)],
            Sql::Param2 => vec![field("int4", 23), field("text", 25)],
            Sql::SelectT => vec![field("a", 23)],
            _ => return None,
        })
    }

    fn is_tx_exit(self) -> bool {
        matches!(self, Sql::Commit | Sql::Rollback)
    }
}

/// A bound statement: its rows and how far they were read.
struct Cursor {
    sql: Sql,
    rows: Vec<Vec<Option<Value>>>,
    formats: Vec<Format>,
    pos: usize,
}

/// A value of the toy's two types.
#[derive(Clone, Debug)]
enum Value {
    Int(i32),
    Text(Vec<u8>),
}

/// The toy application's session.
pub struct Toy {
    /// How users log in; trust unless set.
    pub auth: (AuthMethod, Secret),
    tx: Tx,
    database_ok: bool,
    table: Option<Vec<i32>>,
    listening: bool,
    pending_notify: bool,
    statements: HashMap<u64, Sql>,
    portals: HashMap<u64, Cursor>,
    copy: Option<(Vec<u8>, bool)>,
    /// Statements left of a simple query (after the one running a COPY).
    rest: Vec<Sql>,
}

impl Default for Toy {
    fn default() -> Self {
        Self::new()
    }
}

fn err(code: &'static str, msg: impl Into<String>) -> ServerError {
    ServerError::error(code, msg.into())
}

fn aborted() -> ServerError {
    err(
        sqlstate::IN_FAILED_SQL_TRANSACTION,
        "current transaction is aborted, commands ignored until end of transaction block",
    )
}

impl Toy {
    /// A fresh session.
    pub fn new() -> Self {
        Self {
            auth: (AuthMethod::Trust, Secret::None),
            tx: Tx::Implicit,
            database_ok: true,
            table: None,
            listening: false,
            pending_notify: false,
            statements: HashMap::new(),
            portals: HashMap::new(),
            copy: None,
            rest: Vec::new(),
        }
    }

    fn status(&self) -> TransactionStatus {
        match self.tx {
            Tx::Implicit => TransactionStatus::Idle,
            Tx::Block => TransactionStatus::InTransaction,
            Tx::Failed => TransactionStatus::Failed,
        }
    }

    fn fail<B: WriteBuf + ?Sized>(
        &mut self,
        conn: &mut ServerConnection,
        e: ServerError,
        out: &mut B,
    ) {
        if self.tx == Tx::Block {
            self.tx = Tx::Failed;
        }
        self.pending_notify = false;
        conn.error(e, out).unwrap();
    }

    fn ready<B: WriteBuf + ?Sized>(&mut self, conn: &mut ServerConnection, out: &mut B) {
        if self.pending_notify && self.tx == Tx::Implicit {
            conn.notification(4242, "c", "x", out).unwrap();
        }
        self.pending_notify = false;
        if self.tx != Tx::Block {
            self.portals.clear();
        }
        conn.ready(self.status(), out).unwrap();
    }

    /// Answers one event.
    pub fn handle<B: WriteBuf + ?Sized>(
        &mut self,
        conn: &mut ServerConnection,
        event: Event<'_>,
        out: &mut B,
    ) {
        match event {
            Event::SslRequest => conn.refuse_tls(out).unwrap(),
            Event::CancelRequest { .. } => {}
            Event::Startup(s) => {
                self.database_ok = s.database == "test" || s.database == s.user;
                conn.authenticate(self.auth.0, self.auth.1.clone(), out)
                    .unwrap();
            }
            Event::Authenticated => {
                if self.database_ok {
                    conn.start_session(out).unwrap();
                } else {
                    conn.terminate(
                        ServerError::fatal(
                            sqlstate::INVALID_CATALOG_NAME,
                            "database \"nosuchdb\" does not exist",
                        ),
                        out,
                    )
                    .unwrap();
                }
            }
            Event::Query { sql, replaces } => {
                if let Some(id) = replaces {
                    self.statements.remove(&id);
                }
                let text = sql.to_str().unwrap_or_default().to_string();
                // Only the DO block holds a semicolon inside a statement.
                let mut stmts: Vec<Option<Sql>> = match classify(&text) {
                    Some(sql) => vec![Some(sql)],
                    None => text
                        .split(';')
                        .filter(|s| !s.trim().is_empty())
                        .map(classify)
                        .collect(),
                };
                stmts.reverse();
                self.rest = stmts.into_iter().map(|s| s.expect("toy SQL")).collect();
                self.run_simple(conn, out);
            }
            Event::CopyData(d) => {
                if let Some((buf, _)) = &mut self.copy {
                    buf.extend_from_slice(d);
                }
            }
            Event::CopyDone => self.copy_done(conn, out),
            Event::CopyFail { .. } => {
                let extended = self.copy.take().is_some_and(|(_, e)| e);
                if self.tx == Tx::Block {
                    self.tx = Tx::Failed;
                }
                if !extended {
                    self.rest.clear();
                    self.ready(conn, out);
                }
            }
            Event::Parse {
                id,
                query,
                replaces,
                ..
            } => {
                if let Some(old) = replaces {
                    self.statements.remove(&old);
                }
                let text = query.to_str().unwrap_or_default();
                if classify(text).is_none() && text.contains(';') {
                    return self.fail(
                        conn,
                        err(
                            "42601",
                            "cannot insert multiple commands into a prepared statement",
                        ),
                        out,
                    );
                }
                let Some(sql) = classify(text) else {
                    panic!("toy SQL: {text}")
                };
                if self.tx == Tx::Failed && !sql.is_tx_exit() {
                    return self.fail(conn, aborted(), out);
                }
                self.statements.insert(id, sql);
                let fields = sql.fields();
                conn.parse_complete(
                    StatementDescription {
                        param_types: sql.params(),
                        fields: fields.as_deref(),
                    },
                    out,
                )
                .unwrap();
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
                    self.portals.remove(&old);
                }
                let sql = self.statements[&statement];
                if self.tx == Tx::Failed && !sql.is_tx_exit() {
                    return self.fail(conn, aborted(), out);
                }
                match self.rows(sql, &param_formats, &params) {
                    Ok(rows) => {
                        let n = sql.fields().map_or(0, |f| f.len());
                        let formats = (0..n).map(|i| result_formats.format_for(i)).collect();
                        self.portals.insert(
                            portal,
                            Cursor {
                                sql,
                                rows,
                                formats,
                                pos: 0,
                            },
                        );
                        conn.bind_complete(out).unwrap();
                    }
                    Err(e) => self.fail(conn, e, out),
                }
            }
            Event::Execute { portal, max_rows } => self.execute(conn, portal, max_rows, out),
            Event::Sync => {
                if self.tx == Tx::Implicit {
                    self.portals.clear();
                }
                self.ready(conn, out);
            }
            Event::StatementClosed { id } => {
                self.statements.remove(&id);
            }
            Event::PortalClosed { id } => {
                self.portals.remove(&id);
            }
            Event::ProtocolError { .. } => {
                if self.tx == Tx::Block {
                    self.tx = Tx::Failed;
                }
            }
            Event::FunctionCall {
                function,
                arg_formats,
                args,
                result_format,
            } => {
                if self.tx == Tx::Failed {
                    self.fail(conn, aborted(), out);
                } else if function != 1397 {
                    self.fail(
                        conn,
                        err(
                            "42883",
                            format!("function with OID {function} does not exist"),
                        ),
                        out,
                    );
                } else {
                    let arg = args.get(0).flatten().unwrap_or_default();
                    let v = match arg_formats.format_for(0) {
                        Format::Binary => i32::from_be_bytes(arg.try_into().unwrap()),
                        _ => std::str::from_utf8(arg).unwrap().parse().unwrap(),
                    }
                    .abs();
                    let bytes = match result_format {
                        Format::Binary => v.to_be_bytes().to_vec(),
                        _ => v.to_string().into_bytes(),
                    };
                    conn.function_result(Some(&bytes), out).unwrap();
                }
                self.ready(conn, out);
            }
            other => panic!("toy: unexpected event {other:?}"),
        }
    }

    /// Runs the rest of a simple query, up to its end or a COPY FROM STDIN.
    fn run_simple<B: WriteBuf + ?Sized>(&mut self, conn: &mut ServerConnection, out: &mut B) {
        while let Some(sql) = self.rest.pop() {
            if self.tx == Tx::Failed && !sql.is_tx_exit() {
                self.fail(conn, aborted(), out);
                self.rest.clear();
                break;
            }
            if let Err(e) = self.check_table(sql) {
                self.fail(conn, e, out);
                self.rest.clear();
                break;
            }
            if sql == Sql::CopyIn {
                self.copy = Some((Vec::new(), false));
                conn.copy_in(Format::Text, &[Format::Text], out).unwrap();
                return;
            }
            let rows = match self.rows(sql, &List::empty(), &List::empty()) {
                Ok(rows) => rows,
                Err(e) => {
                    self.fail(conn, e, out);
                    self.rest.clear();
                    break;
                }
            };
            if let Some(fields) = sql.fields() {
                conn.row_description(&fields, out).unwrap();
            }
            let formats = vec![Format::Text; sql.fields().map_or(0, |f| f.len())];
            for row in &rows {
                write_row(conn, row, &formats, out);
            }
            self.complete(conn, sql, rows.len(), out, |conn, tag, out| {
                conn.command_complete(tag, out).unwrap()
            });
        }
        self.ready(conn, out);
    }

    /// Statements on `t` need the table.
    fn check_table(&self, sql: Sql) -> Result<(), ServerError> {
        match sql {
            Sql::CopyIn | Sql::CopyOut | Sql::SelectT | Sql::InsertT if self.table.is_none() => {
                Err(err("42P01", "relation \"t\" does not exist"))
            }
            _ => Ok(()),
        }
    }

    fn complete<B, F>(
        &mut self,
        conn: &mut ServerConnection,
        sql: Sql,
        rows: usize,
        out: &mut B,
        send: F,
    ) where
        B: WriteBuf + ?Sized,
        F: Fn(&mut ServerConnection, &str, &mut B),
    {
        let tag = match sql {
            Sql::Select1
            | Sql::Select2
            | Sql::Series
            | Sql::Param1
            | Sql::Param2
            | Sql::SelectT
            | Sql::DivZero => {
                format!("SELECT {rows}")
            }
            Sql::Begin => {
                if self.tx != Tx::Implicit {
                    let w = ServerError::new(
                        Severity::Warning,
                        "25001",
                        "there is already a transaction in progress",
                    );
                    conn.notice(&w, out).unwrap();
                }
                if self.tx == Tx::Implicit {
                    self.tx = Tx::Block;
                }
                "BEGIN".into()
            }
            Sql::Commit | Sql::Rollback => {
                if self.tx == Tx::Implicit {
                    let w = ServerError::new(
                        Severity::Warning,
                        "25P01",
                        "there is no transaction in progress",
                    );
                    conn.notice(&w, out).unwrap();
                }
                let failed = self.tx == Tx::Failed;
                self.tx = Tx::Implicit;
                if sql == Sql::Commit && !failed {
                    "COMMIT".into()
                } else {
                    "ROLLBACK".into()
                }
            }
            Sql::CreateT => {
                self.table = Some(Vec::new());
                "CREATE TABLE".into()
            }
            Sql::InsertT => {
                self.table.get_or_insert_with(Vec::new).push(1);
                "INSERT 0 1".into()
            }
            Sql::CopyOut => {
                let rows = self.table.clone().unwrap_or_default();
                conn.copy_out(Format::Text, &[Format::Text], out).unwrap();
                for r in &rows {
                    conn.copy_data(format!("{r}\n").as_bytes(), out).unwrap();
                }
                conn.copy_done(out).unwrap();
                format!("COPY {}", rows.len())
            }
            Sql::DoNotice => {
                conn.notice(&ServerError::new(Severity::Notice, "00000", "hi"), out)
                    .unwrap();
                "DO".into()
            }
            Sql::Listen => {
                self.listening = true;
                "LISTEN".into()
            }
            Sql::Notify => {
                self.pending_notify |= self.listening;
                "NOTIFY".into()
            }
            Sql::Set => "SET".into(),
            Sql::Empty | Sql::CopyIn => String::new(),
        };
        send(conn, &tag, out);
    }

    /// The rows a statement returns (binding and checking parameters first).
    fn rows(
        &self,
        sql: Sql,
        formats: &List<'_, Format>,
        params: &List<'_, Option<&[u8]>>,
    ) -> Result<Vec<Vec<Option<Value>>>, ServerError> {
        let mut values = Vec::new();
        for (i, p) in params.iter().enumerate() {
            let ty = sql.params().get(i).copied().unwrap_or(25);
            values.push(match (p, formats.format_for(i), ty) {
                (None, _, _) => None,
                (Some(b), Format::Binary, 23) => match b.len() {
                    4 => Some(Value::Int(i32::from_be_bytes(b.try_into().unwrap()))),
                    n if n < 4 => {
                        return Err(err(
                            sqlstate::PROTOCOL_VIOLATION,
                            "insufficient data left in message",
                        ))
                    }
                    _ => {
                        return Err(err(
                            "22P03",
                            format!("incorrect binary data format in bind parameter {}", i + 1),
                        ))
                    }
                },
                (Some(b), Format::Text, 23) => {
                    let s = String::from_utf8_lossy(b);
                    match s.trim().parse() {
                        Ok(v) => Some(Value::Int(v)),
                        Err(_) => {
                            return Err(err(
                                sqlstate::INVALID_TEXT_REPRESENTATION,
                                format!("invalid input syntax for type integer: \"{s}\""),
                            ))
                        }
                    }
                }
                (Some(b), _, _) => Some(Value::Text(b.to_vec())),
            });
        }
        Ok(match sql {
            Sql::Select1 => vec![vec![Some(Value::Int(1))]],
            Sql::Select2 => vec![vec![Some(Value::Int(2))]],
            Sql::Series => (1..=3).map(|i| vec![Some(Value::Int(i))]).collect(),
            Sql::Param1 | Sql::Param2 => vec![values],
            Sql::SelectT => self
                .table
                .clone()
                .unwrap_or_default()
                .into_iter()
                .map(|v| vec![Some(Value::Int(v))])
                .collect(),
            Sql::DivZero => return Err(err(sqlstate::DIVISION_BY_ZERO, "division by zero")),
            _ => Vec::new(),
        })
    }

    fn execute<B: WriteBuf + ?Sized>(
        &mut self,
        conn: &mut ServerConnection,
        portal: u64,
        max_rows: u32,
        out: &mut B,
    ) {
        let Some(cursor) = self.portals.get_mut(&portal) else {
            panic!("toy: no portal {portal}")
        };
        let sql = cursor.sql;
        if sql == Sql::Empty {
            return conn.execute_done(ExecuteOutcome::Empty, out).unwrap();
        }
        if sql == Sql::CopyIn {
            self.copy = Some((Vec::new(), true));
            return conn.copy_in(Format::Text, &[Format::Text], out).unwrap();
        }
        let limit = if max_rows == 0 {
            usize::MAX
        } else {
            max_rows as usize
        };
        let mut sent = 0;
        while sent < limit && cursor.pos < cursor.rows.len() {
            write_row(conn, &cursor.rows[cursor.pos], &cursor.formats, out);
            cursor.pos += 1;
            sent += 1;
        }
        if max_rows > 0 && sent == limit {
            return conn.execute_done(ExecuteOutcome::Suspended, out).unwrap();
        }
        // A resumed or exhausted portal counts only this Execute's rows, as PostgreSQL does.
        self.complete(conn, sql, sent, out, |conn, tag, out| {
            conn.execute_done(ExecuteOutcome::Complete(tag), out)
                .unwrap()
        });
    }

    fn copy_done<B: WriteBuf + ?Sized>(&mut self, conn: &mut ServerConnection, out: &mut B) {
        let Some((data, extended)) = self.copy.take() else {
            return;
        };
        let mut rows = Vec::new();
        for line in String::from_utf8_lossy(&data).lines() {
            match line.trim().parse::<i32>() {
                Ok(v) => rows.push(v),
                Err(_) => {
                    self.fail(
                        conn,
                        err(
                            sqlstate::INVALID_TEXT_REPRESENTATION,
                            format!("invalid input syntax for type integer: \"{line}\""),
                        ),
                        out,
                    );
                    if !extended {
                        self.rest.clear();
                        self.ready(conn, out);
                    }
                    return;
                }
            }
        }
        let n = rows.len();
        self.table.get_or_insert_with(Vec::new).extend(rows);
        let tag = format!("COPY {n}");
        if extended {
            conn.execute_done(ExecuteOutcome::Complete(&tag), out)
                .unwrap();
        } else {
            conn.command_complete(&tag, out).unwrap();
            self.run_simple(conn, out);
        }
    }
}

fn write_row<B: WriteBuf + ?Sized>(
    conn: &ServerConnection,
    row: &[Option<Value>],
    formats: &[Format],
    out: &mut B,
) {
    let mut w = conn.data_row(out).unwrap();
    for (i, v) in row.iter().enumerate() {
        let format = formats.get(i).copied().unwrap_or(Format::Text);
        match (v, format) {
            (None, _) => w.null().unwrap(),
            (Some(Value::Int(n)), Format::Binary) => w.value(&n.to_be_bytes()).unwrap(),
            (Some(Value::Int(n)), _) => w.display(n).unwrap(),
            (Some(Value::Text(t)), _) => w.value(t).unwrap(),
        }
    }
    w.finish().unwrap();
}

/// Handles every complete message of `input` with the toy, draining what was consumed; returns
/// when the connection needs more input or is closed. `now` is the time given to the machine.
pub fn drive<B: WriteBuf + ?Sized>(
    conn: &mut ServerConnection,
    toy: &mut Toy,
    now: Instant,
    input: &mut Vec<u8>,
    out: &mut B,
) {
    loop {
        let progress = conn.poll_event(now, input, out).unwrap();
        let consumed = match progress {
            Progress::Event { event, consumed } => {
                toy.handle(conn, event, out);
                consumed
            }
            Progress::NeedData { consumed } | Progress::Closed { consumed } => {
                input.drain(..consumed);
                return;
            }
            Progress::Blocked { consumed } => {
                panic!("blocked after {consumed} bytes: the toy left an event unanswered")
            }
        };
        input.drain(..consumed);
    }
}

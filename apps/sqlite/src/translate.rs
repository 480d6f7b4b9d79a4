//! PostgreSQL's SQL dialect to SQLite's: each statement parsed with sqlparser, rewritten where
//! the dialects differ, and classified (what it returns, its command tag, its transaction role).
//!
//! Rewrites: `$n` → `?n`; `x::type` and `CAST(x AS type)` → `pg_cast(x, 'type')` (PostgreSQL's
//! input rules through the core's type codecs); `/` and `%` → `pg_div`/`pg_mod` (22012 on zero);
//! column types in DDL to a SQLite type that keeps the PostgreSQL name first (`numeric text`
//! stores numerics exactly); `SERIAL`/`BIGSERIAL` keys to SQLite's rowid alias.

use std::ops::ControlFlow;

use pgproto_service::pgproto::types::{oid, Oid, Type};
use sqlparser::ast::{
    BinaryOperator, CastKind, ColumnOption, DataType, Expr, FunctionArg, FunctionArgExpr,
    FunctionArgumentList, FunctionArguments, Ident, ObjectName, ObjectNamePart, SelectItem,
    SetExpr, Statement, Value, ValueWithSpan, VisitMut, VisitorMut,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Span;

/// What a statement does, for the session's bookkeeping and its command tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    /// Returns rows (SELECT, VALUES, or DML with RETURNING); the tag counts them.
    Rows(&'static str),
    /// INSERT: `INSERT 0 n`.
    Insert,
    /// UPDATE or DELETE: `UPDATE n`, `DELETE n`.
    Modify(&'static str),
    /// Anything else that runs as is and reports a fixed tag (`CREATE TABLE`).
    Other(String),
    /// BEGIN / START TRANSACTION.
    Begin,
    /// COMMIT / END.
    Commit,
    /// ROLLBACK (a whole transaction).
    Rollback,
    /// SAVEPOINT name.
    Savepoint(String),
    /// RELEASE [SAVEPOINT] name.
    Release(String),
    /// ROLLBACK TO [SAVEPOINT] name.
    RollbackTo(String),
    /// Several SQLite statements standing for one of PostgreSQL's (`DROP TABLE a, b`,
    /// `TRUNCATE`), run as a batch, with this tag.
    Batch(String),
    /// COPY FROM STDIN or TO STDOUT.
    Copy(Box<CopySpec>),
    /// LISTEN channel.
    Listen(String),
    /// UNLISTEN channel, or every channel (`*`).
    Unlisten(Option<String>),
    /// NOTIFY channel [, payload].
    Notify(String, String),
    /// SET, SHOW or RESET of a session setting (its text).
    Setting(String),
    /// PREPARE name AS statement.
    Prepare(String, Box<Translated>),
    /// EXECUTE name [(arguments)]: the arguments as a SELECT SQLite evaluates.
    Execute(String, Option<String>),
    /// DEALLOCATE [PREPARE] name, or ALL.
    Deallocate(Option<String>),
    /// DECLARE name CURSOR FOR query.
    Declare(String, Box<Translated>),
    /// FETCH [count] FROM name; no count: all the rest.
    Fetch(String, Option<u64>),
    /// CLOSE name, or ALL.
    Close(Option<String>),
}

/// What a COPY moves and how its data is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySpec {
    /// COPY TO STDOUT (else FROM STDIN).
    pub to: bool,
    /// The table (FROM STDIN, or TO STDOUT of a table).
    pub table: Option<String>,
    /// The columns named, in order (none: all of the table's).
    pub columns: Vec<String>,
    /// How the data is written.
    pub format: CopyFormat,
    /// The field delimiter (tab for text, `,` for CSV).
    pub delimiter: u8,
    /// How NULL is written (`\N` for text, nothing for CSV).
    pub null: String,
    /// CSV: a header line first.
    pub header: bool,
    /// CSV: the quote character.
    pub quote: u8,
    /// CSV: the character that escapes a quote inside quotes.
    pub escape: u8,
}

/// COPY's data formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyFormat {
    /// PostgreSQL's text format: delimited fields, `\N`, backslash escapes.
    Text,
    /// CSV.
    Csv,
    /// PostgreSQL's binary format (`PGCOPY` header, typed binary fields).
    Binary,
}

impl CopySpec {
    /// Whether the data is CSV.
    pub fn csv(&self) -> bool {
        self.format == CopyFormat::Csv
    }

    /// Whether the data is in the binary format.
    pub fn binary(&self) -> bool {
        self.format == CopyFormat::Binary
    }

    /// The defaults: PostgreSQL's text format.
    pub fn new(to: bool) -> Self {
        Self {
            to,
            table: None,
            columns: Vec::new(),
            format: CopyFormat::Text,
            delimiter: b'\t',
            null: "\\N".into(),
            header: false,
            quote: b'"',
            escape: b'"',
        }
    }
}

/// One statement, ready for SQLite.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Translated {
    /// The SQLite SQL.
    pub sql: String,
    /// What it does.
    pub kind: Kind,
    /// The number of parameters (the highest `$n`).
    pub params: usize,
    /// Types the text gives parameters (`$1::int8`), by parameter index.
    pub param_types: Vec<Option<Oid>>,
    /// Types the text gives result columns (a top-level cast), by column.
    pub column_types: Vec<Option<Oid>>,
    /// Columns parameters are stored into or compared with: (parameter index, column name).
    pub param_columns: Vec<(usize, String)>,
    /// Result columns that are a bare parameter (`SELECT $1`), which take its type.
    pub column_params: Vec<Option<usize>>,
    /// The tables the statement names, where those columns are looked up.
    pub tables: Vec<String>,
}

impl Translated {
    /// A statement the session runs itself (or a batch): its kind and SQLite SQL, with no
    /// parameters or typed columns.
    pub fn of(kind: Kind, sql: String) -> Self {
        Self {
            sql,
            kind,
            params: 0,
            param_types: Vec::new(),
            column_types: Vec::new(),
            param_columns: Vec::new(),
            column_params: Vec::new(),
            tables: Vec::new(),
        }
    }
}

/// A statement sqlparser could not read: PostgreSQL's 42601 with the position, in characters.
#[derive(Debug, Clone)]
pub struct SyntaxError {
    /// The message (`syntax error at or near "x"`, or sqlparser's words).
    pub message: String,
    /// 1-based character position in the query, when known.
    pub position: Option<u32>,
}

/// Parses `sql` (one or more statements) and translates each.
pub fn translate(sql: &str) -> Result<Vec<Translated>, SyntaxError> {
    let statements = Parser::parse_sql(&PostgreSqlDialect {}, sql).map_err(|e| syntax(sql, &e))?;
    Ok(statements.into_iter().map(translate_one).collect())
}

/// sqlparser's error as PostgreSQL reports a syntax error.
fn syntax(sql: &str, e: &ParserError) -> SyntaxError {
    let text = match e {
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => m.clone(),
        ParserError::RecursionLimitExceeded => {
            return SyntaxError {
                message: "statement is too deeply nested".into(),
                position: None,
            }
        }
    };
    // "... found: x at Line: 1, Column: 8"
    let found = text.split_once("found: ").map(|(_, rest)| {
        rest.split(" at Line")
            .next()
            .unwrap_or(rest)
            .trim()
            .to_owned()
    });
    let position = text.rsplit_once("Line: ").and_then(|(_, rest)| {
        let (line, col) = rest.split_once(", Column: ")?;
        let line: usize = line.trim().parse().ok()?;
        let col: usize = col
            .trim()
            .trim_end_matches(|c: char| !c.is_ascii_digit())
            .parse()
            .ok()?;
        let before: usize = sql
            .split('\n')
            .take(line - 1)
            .map(|l| l.chars().count() + 1)
            .sum();
        u32::try_from(before + col).ok()
    });
    let message = match found.as_deref() {
        Some("EOF") => "syntax error at end of input".to_owned(),
        Some(token) => format!("syntax error at or near \"{token}\""),
        None => format!("syntax error: {text}"),
    };
    SyntaxError { message, position }
}

/// The PostgreSQL type a SQL type name means, if built in (`int8`, `varchar(10)`, `text[]`).
pub fn type_of(data_type: &DataType) -> Option<&'static Type> {
    let text = data_type.to_string();
    let base = text.split('(').next().unwrap_or(&text).trim();
    let array = text.trim_end().ends_with("[]");
    let base = base.trim_end_matches("[]").trim();
    let t = Type::by_sql_name(base)?;
    if array {
        Type::by_oid(t.array)
    } else {
        Some(t)
    }
}

/// The rewriter: placeholders, casts, division; counts parameters and notes their casts.
#[derive(Default)]
struct Rewrite {
    params: usize,
    param_types: Vec<Option<Oid>>,
    param_columns: Vec<(usize, String)>,
}

impl Rewrite {
    fn note_param(&mut self, n: usize, ty: Option<Oid>) {
        self.params = self.params.max(n);
        if self.param_types.len() < n {
            self.param_types.resize(n, None);
        }
        if ty.is_some() && self.param_types[n - 1].is_none() {
            self.param_types[n - 1] = ty;
        }
    }
}

/// `$n` as a parameter number.
fn placeholder(expr: &Expr) -> Option<usize> {
    match expr {
        Expr::Value(ValueWithSpan {
            value: Value::Placeholder(p),
            ..
        }) => p.strip_prefix('$')?.parse().ok().filter(|&n| n > 0),
        _ => None,
    }
}

/// The column an expression names, if it is a column reference.
fn column_of(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Identifier(i) => Some(i.value.clone()),
        Expr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.clone()),
        _ => None,
    }
}

/// Marks a column given by position (`\0` and its index) where INSERT names none.
pub const POSITION: &str = "\0";

/// Parameters stored into columns: INSERT's VALUES under its column list, UPDATE's SET.
fn stored_params(statement: &Statement) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    match statement {
        Statement::Insert(insert) => {
            let Some(source) = &insert.source else {
                return out;
            };
            let SetExpr::Values(values) = source.body.as_ref() else {
                return out;
            };
            for row in &values.rows {
                for (i, expr) in row.iter().enumerate() {
                    let Some(n) = placeholder(expr) else { continue };
                    // Without a column list, values go to the table's columns in order.
                    let column = insert
                        .columns
                        .get(i)
                        .map_or_else(|| format!("{POSITION}{i}"), |c| c.value.clone());
                    out.push((n, column));
                }
            }
        }
        Statement::Update { assignments, .. } => {
            for a in assignments {
                if let (Some(n), sqlparser::ast::AssignmentTarget::ColumnName(name)) =
                    (placeholder(&a.value), &a.target)
                {
                    if let Some(column) = name.0.last() {
                        out.push((n, column.to_string().trim_matches('"').to_owned()));
                    }
                }
            }
        }
        _ => {}
    }
    out
}

/// A call `name(args…)`.
fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(sqlparser::ast::Function {
        name: ObjectName(vec![ObjectNamePart::Identifier(Ident::new(name))]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|a| FunctionArg::Unnamed(FunctionArgExpr::Expr(a)))
                .collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

/// A string literal.
fn string(s: &str) -> Expr {
    Expr::Value(ValueWithSpan {
        value: Value::SingleQuotedString(s.to_owned()),
        span: Span::empty(),
    })
}

impl VisitorMut for Rewrite {
    type Break = ();

    fn pre_visit_relation(&mut self, relation: &mut ObjectName) -> ControlFlow<()> {
        // The catalogs are each session's temporary tables: `pg_catalog.pg_type` is `pg_type`.
        // `public` is SQLite's main database.
        if relation.0.len() == 2 && is_schema(&relation.0[0].to_string()) {
            relation.0.remove(0);
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        // `column op $n` (either way round): the parameter has the column's type.
        if let Expr::BinaryOp { left, op, right } = expr {
            let comparison = matches!(
                op,
                BinaryOperator::Eq
                    | BinaryOperator::NotEq
                    | BinaryOperator::Lt
                    | BinaryOperator::LtEq
                    | BinaryOperator::Gt
                    | BinaryOperator::GtEq
            );
            if comparison {
                for (a, b) in [
                    (left.as_ref(), right.as_ref()),
                    (right.as_ref(), left.as_ref()),
                ] {
                    if let (Some(n), Some(column)) = (placeholder(a), column_of(b)) {
                        self.param_columns.push((n, column));
                    }
                }
            }
        }
        // Casts of parameters give them their type.
        if let Expr::Cast {
            expr: inner,
            data_type,
            ..
        } = expr
        {
            if let Some(n) = placeholder(inner) {
                self.note_param(n, type_of(data_type).map(|t| t.oid));
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::Function(f) = expr {
            // `pg_catalog.version()` is `version()`; `current_user` is a call without
            // parentheses, which SQLite would read as a column.
            if f.name.0.len() == 2 && f.name.0[0].to_string().eq_ignore_ascii_case("pg_catalog") {
                f.name.0.remove(0);
            }
            let name = f.name.to_string().to_ascii_lowercase();
            if matches!(f.args, FunctionArguments::None)
                && matches!(
                    name.as_str(),
                    "current_user"
                        | "session_user"
                        | "user"
                        | "current_schema"
                        | "current_catalog"
                        | "current_role"
                        | "current_timestamp"
                )
            {
                let called = match name.as_str() {
                    "current_catalog" => "current_database",
                    "current_schema" => "current_schema",
                    "current_timestamp" => "now",
                    _ => "current_user",
                };
                *expr = call(called, vec![]);
                return ControlFlow::Continue(());
            }
        }
        if let Some(n) = placeholder(expr) {
            self.note_param(n, None);
            *expr = Expr::Value(ValueWithSpan {
                value: Value::Placeholder(format!("?{n}")),
                span: Span::empty(),
            });
            return ControlFlow::Continue(());
        }
        // `OPERATOR(pg_catalog.~)` is `~`; `COLLATE pg_catalog.default` means nothing here.
        if let Expr::BinaryOp { op, .. } = expr {
            if let BinaryOperator::PGCustomBinaryOperator(parts) = op {
                let plain = match parts.last().map(String::as_str) {
                    Some("~") => Some(BinaryOperator::PGRegexMatch),
                    Some("~*") => Some(BinaryOperator::PGRegexIMatch),
                    Some("!~") => Some(BinaryOperator::PGRegexNotMatch),
                    Some("!~*") => Some(BinaryOperator::PGRegexNotIMatch),
                    Some("=") => Some(BinaryOperator::Eq),
                    Some("<>") => Some(BinaryOperator::NotEq),
                    _ => None,
                };
                if let Some(plain) = plain {
                    *op = plain;
                    return self.post_visit_expr(expr);
                }
            }
        }
        // Columns named with their schema (`pg_catalog.pg_class.relname`) lose it, as tables do.
        if let Expr::CompoundIdentifier(parts) = expr {
            if parts.len() == 3 && is_schema(&parts[0].value) {
                parts.remove(0);
            }
        }
        // `x = ANY (ARRAY[a, b])` is `x IN (a, b)`; `x <> ALL (ARRAY[…])` is NOT IN.
        let listed = match expr {
            Expr::AnyOp {
                left,
                compare_op: BinaryOperator::Eq,
                right,
                ..
            } => Some((left, right, false)),
            Expr::AllOp {
                left,
                compare_op: BinaryOperator::NotEq,
                right,
            } => Some((left, right, true)),
            _ => None,
        };
        if let Some((left, right, negated)) = listed {
            let inner = match right.as_mut() {
                Expr::Nested(e) => e.as_mut(),
                other => other,
            };
            if let Expr::Array(array) = inner {
                let list = std::mem::take(&mut array.elem);
                let left = std::mem::replace(left.as_mut(), Expr::value(Value::Null));
                *expr = Expr::InList {
                    expr: Box::new(left),
                    list,
                    negated,
                };
                return ControlFlow::Continue(());
            }
        }
        if let Expr::Collate { expr: inner, .. } = expr {
            *expr = std::mem::replace(inner.as_mut(), Expr::value(Value::Null));
            return ControlFlow::Continue(());
        }
        // ILIKE: LIKE on lower-cased operands (SQLite's LIKE is made case-sensitive, as
        // PostgreSQL's is, when the connection opens).
        if let Expr::ILike {
            negated,
            any: false,
            expr: e,
            pattern,
            escape_char,
        } = expr
        {
            let e = std::mem::replace(e.as_mut(), Expr::value(Value::Null));
            let p = std::mem::replace(pattern.as_mut(), Expr::value(Value::Null));
            *expr = Expr::Like {
                negated: *negated,
                any: false,
                expr: Box::new(call("lower", vec![e])),
                pattern: Box::new(call("lower", vec![p])),
                escape_char: escape_char.take(),
            };
            return ControlFlow::Continue(());
        }
        // greatest/least are SQLite's many-argument max/min (NULLs aside).
        if let Expr::Function(f) = expr {
            let name = f.name.to_string().to_ascii_lowercase();
            let renamed = match name.as_str() {
                "greatest" => Some("max"),
                "least" => Some("min"),
                _ => None,
            };
            if let Some(renamed) = renamed {
                f.name = ObjectName(vec![ObjectNamePart::Identifier(Ident::new(renamed))]);
            }
        }
        match expr {
            // SQLite knows only '…' strings: E'…' and $$…$$ are already unescaped.
            Expr::Value(ValueWithSpan { value, .. })
                if matches!(
                    value,
                    Value::EscapedStringLiteral(_) | Value::DollarQuotedString(_)
                ) =>
            {
                let text = match value {
                    Value::EscapedStringLiteral(s) => s.clone(),
                    Value::DollarQuotedString(d) => d.value.clone(),
                    _ => String::new(),
                };
                *value = Value::SingleQuotedString(text);
            }
            Expr::Cast {
                kind: CastKind::Cast | CastKind::DoubleColon,
                expr: inner,
                data_type,
                ..
            } => {
                // A number keeps its exact text into the cast (SQLite would read 1.50 as a float).
                if let Expr::Value(ValueWithSpan {
                    value: Value::Number(n, _),
                    ..
                }) = inner.as_ref()
                {
                    **inner = string(&n.clone());
                }
                let name =
                    type_of(data_type).map_or_else(|| data_type.to_string(), |t| t.name.to_owned());
                let inner = std::mem::replace(inner.as_mut(), Expr::value(Value::Null));
                *expr = call("pg_cast", vec![inner, string(&name)]);
            }
            Expr::BinaryOp { left, op, right }
                if matches!(
                    op,
                    BinaryOperator::PGRegexMatch
                        | BinaryOperator::PGRegexIMatch
                        | BinaryOperator::PGRegexNotMatch
                        | BinaryOperator::PGRegexNotIMatch
                ) =>
            {
                // `~` and friends: POSIX regular expressions, through pg_regex().
                let insensitive = matches!(
                    op,
                    BinaryOperator::PGRegexIMatch | BinaryOperator::PGRegexNotIMatch
                );
                let negated = matches!(
                    op,
                    BinaryOperator::PGRegexNotMatch | BinaryOperator::PGRegexNotIMatch
                );
                let l = std::mem::replace(left.as_mut(), Expr::value(Value::Null));
                let r = std::mem::replace(right.as_mut(), Expr::value(Value::Null));
                let flag = Expr::value(Value::Boolean(insensitive));
                let m = call("pg_regex", vec![l, r, flag]);
                *expr = if negated {
                    Expr::UnaryOp {
                        op: sqlparser::ast::UnaryOperator::Not,
                        expr: Box::new(m),
                    }
                } else {
                    m
                };
            }
            Expr::BinaryOp { left, op, right }
                if matches!(op, BinaryOperator::Divide | BinaryOperator::Modulo) =>
            {
                let name = if *op == BinaryOperator::Divide {
                    "pg_div"
                } else {
                    "pg_mod"
                };
                let l = std::mem::replace(left.as_mut(), Expr::value(Value::Null));
                let r = std::mem::replace(right.as_mut(), Expr::value(Value::Null));
                *expr = call(name, vec![l, r]);
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// The SQLite column type for a PostgreSQL one: its PostgreSQL name first (which the server
/// reads back to type the column), then what gives SQLite the right affinity.
fn sqlite_column_type(data_type: &DataType) -> DataType {
    let Some(t) = type_of(data_type) else {
        return data_type.clone();
    };
    let name = if t.category == b'A' {
        format!("{} text", t.name)
    } else {
        match t.oid {
            // NUMERIC affinity orders and compares numbers as numbers; the declared scale is
            // applied on output.
            oid::INT2 | oid::INT4 | oid::INT8 | oid::OID | oid::NUMERIC => {
                return data_type.clone()
            }
            oid::FLOAT4 | oid::FLOAT8 => format!("{} real", t.name),
            oid::BYTEA => "bytea blob".to_owned(),
            oid::BOOL => "bool integer".to_owned(),
            // Dates and times in ISO text sort as they compare; the rest as their text.
            _ => format!("{} text", t.name),
        }
    };
    DataType::Custom(
        ObjectName(vec![ObjectNamePart::Identifier(Ident::new(name))]),
        vec![],
    )
}

/// Rewrites a CREATE TABLE's column types; a SERIAL/BIGSERIAL key becomes SQLite's rowid alias.
fn rewrite_columns(columns: &mut [sqlparser::ast::ColumnDef]) {
    for c in columns {
        let serial = matches!(
            c.data_type.to_string().to_ascii_lowercase().as_str(),
            "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
        );
        if serial {
            // A key: INTEGER PRIMARY KEY numbers rows itself; otherwise an integer column.
            c.data_type = DataType::Integer(None);
            continue;
        }
        c.data_type = sqlite_column_type(&c.data_type);
        // sqlparser keeps options like GENERATED … AS IDENTITY, which SQLite lacks.
        c.options
            .retain(|o| !matches!(o.option, ColumnOption::Generated { .. }));
    }
}

/// The name PostgreSQL gives an unnamed result column (`FigureColname`): a column's or
/// function's name, a cast's type, `bool` for a boolean literal, else `?column?`. `None` where
/// SQLite already names it the same (a plain column).
fn column_name(expr: &Expr) -> Option<String> {
    match expr {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => None,
        Expr::Nested(e) => column_name(e),
        Expr::Function(f) => f
            .name
            .0
            .last()
            .map(|p| p.to_string().trim_matches('"').to_ascii_lowercase()),
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } => match inner.as_ref() {
            Expr::Identifier(i) => Some(i.value.clone()),
            Expr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.clone()),
            Expr::Function(_) | Expr::Cast { .. } | Expr::Nested(_) => column_name(inner),
            _ => Some(
                type_of(data_type).map_or_else(|| data_type.to_string(), |t| t.name.to_owned()),
            ),
        },
        Expr::Value(ValueWithSpan {
            value: Value::Boolean(_),
            ..
        }) => Some("bool".into()),
        Expr::Case { .. } => Some("case".into()),
        _ => Some("?column?".into()),
    }
}

/// A select item that is a decimal literal keeps its exact text (SQLite would read `12.50` as
/// a float): it becomes a string, typed numeric by the analysis.
fn exact_decimals(statement: &mut Statement) {
    let Statement::Query(q) = statement else {
        return;
    };
    let SetExpr::Select(select) = q.body.as_mut() else {
        return;
    };
    for item in &mut select.projection {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else {
            continue;
        };
        let (negative, literal) = match &*e {
            Expr::UnaryOp {
                op: sqlparser::ast::UnaryOperator::Minus,
                expr,
            } => (true, expr.as_ref()),
            other => (false, other),
        };
        let exact = match literal {
            Expr::Value(ValueWithSpan {
                value: Value::Number(n, _),
                ..
            }) if n.contains(['.', 'e', 'E']) => {
                Some(if negative { format!("-{n}") } else { n.clone() })
            }
            _ => None,
        };
        if let Some(text) = exact {
            *e = call("pg_cast", vec![string(&text), string("numeric")]);
        }
    }
}

/// Names the unnamed result columns of a SELECT as PostgreSQL does.
fn name_columns(statement: &mut Statement) {
    let Statement::Query(q) = statement else {
        return;
    };
    let SetExpr::Select(select) = q.body.as_mut() else {
        return;
    };
    for item in &mut select.projection {
        if let SelectItem::UnnamedExpr(e) = item {
            if let Some(name) = column_name(e) {
                let expr = std::mem::replace(e, Expr::value(Value::Null));
                *item = SelectItem::ExprWithAlias {
                    expr,
                    alias: Ident::with_quote('"', name),
                };
            }
        }
    }
}

fn translate_one(mut statement: Statement) -> Translated {
    if let Some(t) = sql_level(&statement) {
        return t;
    }
    name_columns(&mut statement);
    exact_decimals(&mut statement);
    let mut tables = Vec::new();
    let _ = sqlparser::ast::visit_relations(&statement, |name| {
        if let Some(last) = name.0.last() {
            tables.push(last.to_string().trim_matches('"').to_owned());
        }
        ControlFlow::<()>::Continue(())
    });
    let mut rewrite = Rewrite {
        param_columns: stored_params(&statement),
        ..Rewrite::default()
    };
    let _ = statement.visit(&mut rewrite);
    let mut column_types = Vec::new();
    let mut column_params = Vec::new();
    let kind = match &mut statement {
        Statement::Query(q) => {
            if let SetExpr::Select(select) = q.body.as_ref() {
                let expr_of = |item: &SelectItem| match item {
                    SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                        Some(e.clone())
                    }
                    _ => None,
                };
                column_types = select
                    .projection
                    .iter()
                    .map(|item| expr_of(item).and_then(|e| static_type(&e)))
                    .collect();
                column_params = select
                    .projection
                    .iter()
                    .map(|item| match expr_of(item) {
                        Some(Expr::Value(ValueWithSpan {
                            value: Value::Placeholder(p),
                            ..
                        })) => p.strip_prefix('?').and_then(|n| n.parse().ok()),
                        _ => None,
                    })
                    .collect();
            }
            Kind::Rows("SELECT")
        }
        Statement::Insert(i) if i.returning.is_some() => Kind::Rows("INSERT"),
        Statement::Insert(_) => Kind::Insert,
        Statement::Update {
            returning: Some(_), ..
        } => Kind::Rows("UPDATE"),
        Statement::Update { .. } => Kind::Modify("UPDATE"),
        Statement::Delete(d) if d.returning.is_some() => Kind::Rows("DELETE"),
        Statement::Delete(_) => Kind::Modify("DELETE"),
        Statement::CreateTable(ct) => {
            rewrite_columns(&mut ct.columns);
            // Storage parameters (`WITH (fillfactor = 100)`) mean nothing to SQLite.
            ct.table_options = sqlparser::ast::CreateTableOptions::None;
            Kind::Other(if ct.query.is_some() {
                "SELECT".into()
            } else {
                "CREATE TABLE".into()
            })
        }
        Statement::StartTransaction { .. } => Kind::Begin,
        Statement::Commit { .. } => Kind::Commit,
        Statement::Rollback {
            savepoint: Some(name),
            ..
        } => Kind::RollbackTo(name.value.clone()),
        Statement::Rollback { .. } => Kind::Rollback,
        Statement::Savepoint { name } => Kind::Savepoint(name.value.clone()),
        Statement::ReleaseSavepoint { name } => Kind::Release(name.value.clone()),
        Statement::LISTEN { channel } => Kind::Listen(folded(channel)),
        Statement::UNLISTEN { channel } if channel.value == "*" => Kind::Unlisten(None),
        Statement::UNLISTEN { channel } => Kind::Unlisten(Some(folded(channel))),
        Statement::NOTIFY { channel, payload } => {
            Kind::Notify(folded(channel), payload.clone().unwrap_or_default())
        }
        Statement::Drop {
            object_type,
            if_exists,
            names,
            ..
        } if names.len() > 1 => {
            let if_exists = if *if_exists { " IF EXISTS" } else { "" };
            let sql = names
                .iter()
                .map(|n| format!("DROP {object_type}{if_exists} {n}"))
                .collect::<Vec<_>>()
                .join("; ");
            return batch(sql, format!("DROP {object_type}"), &rewrite);
        }
        Statement::Truncate { table_names, .. } => {
            let sql = table_names
                .iter()
                .map(|t| format!("DELETE FROM {}", t.name))
                .collect::<Vec<_>>()
                .join("; ");
            return batch(sql, "TRUNCATE TABLE".into(), &rewrite);
        }
        Statement::AlterTable {
            name, operations, ..
        } => {
            // SQLite cannot add a primary key to a table: a unique index does its work.
            let mut sql = Vec::new();
            for op in operations.iter() {
                if let sqlparser::ast::AlterTableOperation::AddConstraint {
                    constraint: sqlparser::ast::TableConstraint::PrimaryKey { columns, .. },
                    ..
                } = op
                {
                    let table = name.0.last().map(ToString::to_string).unwrap_or_default();
                    let index = format!("{}_pkey", table.trim_matches('"'));
                    let cols: Vec<String> = columns.iter().map(ToString::to_string).collect();
                    sql.push(format!(
                        "CREATE UNIQUE INDEX \"{index}\" ON {name} ({})",
                        cols.join(", ")
                    ));
                }
            }
            if !sql.is_empty() && sql.len() == operations.len() {
                return batch(sql.join("; "), "ALTER TABLE".into(), &rewrite);
            }
            Kind::Other("ALTER TABLE".into())
        }
        other => Kind::Other(tag_of(other)),
    };
    Translated {
        sql: statement.to_string(),
        kind,
        params: rewrite.params,
        param_types: rewrite.param_types,
        column_types,
        param_columns: rewrite.param_columns,
        column_params,
        tables,
    }
}

/// PREPARE, EXECUTE, DEALLOCATE and the cursor statements, which the session runs itself.
fn sql_level(statement: &Statement) -> Option<Translated> {
    let kind = match statement {
        Statement::Prepare {
            name, statement, ..
        } => Kind::Prepare(
            folded(name),
            Box::new(translate_one(statement.as_ref().clone())),
        ),
        Statement::Execute {
            name: Some(name),
            parameters,
            ..
        } => {
            let name = name
                .0
                .last()
                .map(|p| p.to_string().trim_matches('"').to_lowercase())
                .unwrap_or_default();
            let args = (!parameters.is_empty()).then(|| {
                let select = Statement::Query(Box::new(sqlparser::ast::Query {
                    body: Box::new(SetExpr::Select(Box::new(sqlparser::ast::Select {
                        projection: parameters
                            .iter()
                            .cloned()
                            .map(SelectItem::UnnamedExpr)
                            .collect(),
                        ..empty_select()
                    }))),
                    ..empty_query()
                }));
                translate_one(select).sql
            });
            Kind::Execute(name, args)
        }
        Statement::Deallocate { name, .. } if name.value.eq_ignore_ascii_case("all") => {
            Kind::Deallocate(None)
        }
        Statement::Deallocate { name, .. } => Kind::Deallocate(Some(folded(name))),
        Statement::Declare { stmts } => {
            let d = stmts.first()?;
            let query = d.for_query.as_ref()?;
            let name = folded(d.names.first()?);
            Kind::Declare(
                name,
                Box::new(translate_one(Statement::Query(query.clone()))),
            )
        }
        Statement::Fetch {
            name, direction, ..
        } => {
            use sqlparser::ast::FetchDirection as D;
            let count = |v: &Value| v.to_string().parse::<u64>().ok();
            let n = match direction {
                D::Count { limit } | D::Forward { limit: Some(limit) } => count(limit),
                D::Next | D::Forward { limit: None } => Some(1),
                D::All | D::ForwardAll => None,
                _ => return None,
            };
            Kind::Fetch(folded(name), n)
        }
        Statement::Close { cursor } => match cursor {
            sqlparser::ast::CloseCursor::All => Kind::Close(None),
            sqlparser::ast::CloseCursor::Specific { name } => Kind::Close(Some(folded(name))),
        },
        _ => return None,
    };
    Some(Translated::of(kind, String::new()))
}

/// A `SELECT` with nothing in it, to fill in.
fn empty_select() -> sqlparser::ast::Select {
    match *empty_query().body {
        SetExpr::Select(s) => *s,
        _ => unreachable!("SELECT 1 is a select"),
    }
}

/// A query with nothing in it, to fill in.
fn empty_query() -> sqlparser::ast::Query {
    let Ok(mut parsed) = Parser::parse_sql(&PostgreSqlDialect {}, "SELECT 1") else {
        unreachable!("SELECT 1 parses")
    };
    match parsed.pop() {
        Some(Statement::Query(q)) => *q,
        _ => unreachable!("SELECT 1 is a query"),
    }
}

/// Whether a name is one of the schemas SQLite has no name for (`pg_catalog`, `public`).
fn is_schema(name: &str) -> bool {
    let name = name.trim_matches('"');
    name.eq_ignore_ascii_case("pg_catalog") || name.eq_ignore_ascii_case("public")
}

/// An identifier as PostgreSQL reads it: lower-cased unless quoted.
fn folded(ident: &Ident) -> String {
    if ident.quote_style.is_some() {
        ident.value.clone()
    } else {
        ident.value.to_lowercase()
    }
}

/// A statement run as a batch of SQLite statements.
fn batch(sql: String, tag: String, rewrite: &Rewrite) -> Translated {
    Translated {
        params: rewrite.params,
        ..Translated::of(Kind::Batch(tag), sql)
    }
}

/// The type PostgreSQL gives a result column's expression, where the text alone says it: a
/// cast, a literal, or a function whose result type is fixed. Column references are typed from
/// the table by SQLite's declared types; the rest from their values.
fn static_type(expr: &Expr) -> Option<Oid> {
    match expr {
        Expr::Nested(e) => return static_type(e),
        Expr::Subquery(q) => {
            return match q.body.as_ref() {
                SetExpr::Select(select) => match select.projection.as_slice() {
                    [SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }] => {
                        static_type(e)
                    }
                    _ => None,
                },
                _ => None,
            }
        }
        // Arithmetic on typed operands: integers widen, floats win, numeric over integers.
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Plus | BinaryOperator::Minus | BinaryOperator::Multiply,
            right,
        } => {
            let (l, r) = (static_type(left)?, static_type(right)?);
            let rank = |t: Oid| match t {
                oid::INT2 => Some(0),
                oid::INT4 => Some(1),
                oid::INT8 => Some(2),
                oid::NUMERIC => Some(3),
                oid::FLOAT4 => Some(4),
                oid::FLOAT8 => Some(5),
                _ => None,
            };
            let (rl, rr) = (rank(l)?, rank(r)?);
            let wider = if rl >= rr { l } else { r };
            return Some(wider);
        }
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Minus,
            expr,
        } => return static_type(expr),
        // Predicates are boolean, whatever SQLite makes of them (0 or 1).
        Expr::BinaryOp {
            op:
                BinaryOperator::Eq
                | BinaryOperator::NotEq
                | BinaryOperator::Lt
                | BinaryOperator::LtEq
                | BinaryOperator::Gt
                | BinaryOperator::GtEq
                | BinaryOperator::And
                | BinaryOperator::Or
                | BinaryOperator::PGRegexMatch
                | BinaryOperator::PGRegexIMatch
                | BinaryOperator::PGRegexNotMatch
                | BinaryOperator::PGRegexNotIMatch,
            ..
        }
        | Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Not,
            ..
        }
        | Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsTrue(_)
        | Expr::IsFalse(_)
        | Expr::IsNotTrue(_)
        | Expr::IsNotFalse(_)
        | Expr::IsDistinctFrom(..)
        | Expr::IsNotDistinctFrom(..)
        | Expr::InList { .. }
        | Expr::InSubquery { .. }
        | Expr::Between { .. }
        | Expr::Like { .. }
        | Expr::ILike { .. }
        | Expr::Exists { .. } => return Some(oid::BOOL),
        Expr::Value(ValueWithSpan { value, .. }) => {
            return match value {
                Value::Number(n, _) if n.parse::<i32>().is_ok() => Some(oid::INT4),
                Value::Number(n, _) if n.parse::<i64>().is_ok() => Some(oid::INT8),
                Value::Number(..) => Some(oid::NUMERIC),
                Value::Boolean(_) => Some(oid::BOOL),
                Value::SingleQuotedString(_) | Value::EscapedStringLiteral(_) => Some(oid::TEXT),
                _ => None,
            }
        }
        Expr::Function(f) => {
            let name = f.name.to_string().to_ascii_lowercase();
            let fixed = match name.as_str() {
                "count" => Some(oid::INT8),
                "version" | "current_database" | "current_schema" | "current_user"
                | "session_user" => Some(oid::TEXT),
                "pg_backend_pid" => Some(oid::INT4),
                "pg_regex" | "pg_table_is_visible" => Some(oid::BOOL),
                "now" | "transaction_timestamp" | "statement_timestamp" | "clock_timestamp" => {
                    Some(oid::TIMESTAMPTZ)
                }
                _ => None,
            };
            if fixed.is_some() {
                return fixed;
            }
        }
        _ => {}
    }
    let Expr::Function(f) = expr else { return None };
    if f.name.to_string() != "pg_cast" {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    match list.args.get(1) {
        Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(ValueWithSpan {
            value: Value::SingleQuotedString(name),
            ..
        })))) => Type::by_name(name).map(|t| t.oid),
        _ => None,
    }
}

/// The command tag PostgreSQL gives a statement that reports no count: its leading keywords
/// (`CREATE INDEX`, `DROP TABLE`, `ALTER TABLE`).
fn tag_of(statement: &Statement) -> String {
    let text = statement.to_string();
    let words: Vec<&str> = text.split_whitespace().take(3).collect();
    let upper = |w: &str| w.to_ascii_uppercase();
    match words.as_slice() {
        [a, b, c, ..] if upper(a) == "CREATE" && upper(b) == "UNIQUE" && upper(c) == "INDEX" => {
            "CREATE INDEX".into()
        }
        [a, b, ..] if ["CREATE", "DROP", "ALTER"].contains(&upper(a).as_str()) => {
            format!("{} {}", upper(a), upper(b))
        }
        [a, ..] => upper(a),
        [] => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(sql: &str) -> Translated {
        translate(sql).unwrap().remove(0)
    }

    #[test]
    fn placeholders_casts_and_division() {
        let t = one("SELECT $2::int8, $1 / 0, x % $1 FROM t WHERE a = $1");
        assert_eq!(t.params, 2);
        assert_eq!(t.param_types, vec![None, Some(oid::INT8)]);
        assert_eq!(t.column_types, vec![Some(oid::INT8), None, None]);
        assert_eq!(
            one("SELECT $1::int4 * 2, 1 + 2.5, -1, x + 1").column_types,
            vec![Some(oid::INT4), Some(oid::NUMERIC), Some(oid::INT4), None]
        );
        assert_eq!(
            one("SELECT 12345.678900").sql,
            "SELECT pg_cast('12345.678900', 'numeric') AS \"?column?\""
        );
        assert_eq!(
            one("SELECT a = 1, NOT b, c IS NULL, d IN (1, 2), (e > 1 AND f)").column_types,
            vec![Some(oid::BOOL); 5]
        );
        assert_eq!(
            one("SELECT 1, 1.5, 'x', true, count(*), 99999999999").column_types,
            vec![
                Some(oid::INT4),
                Some(oid::NUMERIC),
                Some(oid::TEXT),
                Some(oid::BOOL),
                Some(oid::INT8),
                Some(oid::INT8)
            ]
        );
        assert_eq!(
            t.sql,
            "SELECT pg_cast(?2, 'int8') AS \"int8\", pg_div(?1, 0) AS \"?column?\", pg_mod(x, ?1) AS \"?column?\" FROM t WHERE a = ?1"
        );
        assert_eq!(t.kind, Kind::Rows("SELECT"));
        assert_eq!(t.param_columns, vec![(1, "a".to_owned())]);
        assert_eq!(t.tables, vec!["t".to_owned()]);
        let t = one("INSERT INTO items (id, name) VALUES ($1, $2)");
        assert_eq!(
            t.param_columns,
            vec![(1, "id".to_owned()), (2, "name".to_owned())]
        );
        let t = one("UPDATE items SET name = $2 WHERE $1 = items.id");
        assert_eq!(
            t.param_columns,
            vec![(2, "name".to_owned()), (1, "id".to_owned())]
        );
    }

    #[test]
    fn ddl_types_keep_their_postgresql_name() {
        let t = one("CREATE TABLE t (id serial PRIMARY KEY, amount numeric(12,2), name varchar(10), ok boolean, at timestamp)");
        assert_eq!(
            t.sql,
            "CREATE TABLE t (id INTEGER PRIMARY KEY, amount NUMERIC(12,2), name varchar text, ok bool integer, at timestamp text)"
        );
        assert_eq!(t.kind, Kind::Other("CREATE TABLE".into()));
    }

    #[test]
    fn kinds_and_syntax_errors() {
        assert_eq!(one("begin").kind, Kind::Begin);
        assert_eq!(
            one("ROLLBACK TO SAVEPOINT a").kind,
            Kind::RollbackTo("a".into())
        );
        assert_eq!(one("INSERT INTO t VALUES (1)").kind, Kind::Insert);
        assert_eq!(one("DELETE FROM t RETURNING *").kind, Kind::Rows("DELETE"));
        assert_eq!(one("DROP TABLE t").kind, Kind::Other("DROP TABLE".into()));
        let e = translate("SELECT 1 +").unwrap_err();
        assert!(e.message.starts_with("syntax error"), "{}", e.message);
        assert_eq!(translate("SELECT 1; SELECT 2").unwrap().len(), 2);
        assert_eq!(one("LISTEN Chan").kind, Kind::Listen("chan".into()));
        let Kind::Prepare(name, inner) = one("PREPARE q (int) AS SELECT $1::int4 * 2").kind else {
            panic!()
        };
        assert_eq!((name.as_str(), inner.params), ("q", 1));
        assert_eq!(
            one("EXECUTE q(21)").kind,
            Kind::Execute("q".into(), Some("SELECT 21 AS \"?column?\"".into()))
        );
        assert_eq!(one("DEALLOCATE ALL").kind, Kind::Deallocate(None));
        assert!(matches!(
            one("DECLARE c CURSOR FOR SELECT 1").kind,
            Kind::Declare(..)
        ));
        assert_eq!(
            one("FETCH 10 FROM c").kind,
            Kind::Fetch("c".into(), Some(10))
        );
        assert_eq!(one("FETCH ALL IN c").kind, Kind::Fetch("c".into(), None));
        assert_eq!(one("CLOSE c").kind, Kind::Close(Some("c".into())));
        assert_eq!(one("UNLISTEN *").kind, Kind::Unlisten(None));
        assert_eq!(
            one("NOTIFY chan, 'hi there'").kind,
            Kind::Notify("chan".into(), "hi there".into())
        );
    }

    #[test]
    fn pgbench_initialisation() {
        let t = one("drop table if exists pgbench_accounts, pgbench_branches");
        assert_eq!(
            t.sql,
            "DROP TABLE IF EXISTS pgbench_accounts; DROP TABLE IF EXISTS pgbench_branches"
        );
        assert_eq!(t.kind, Kind::Batch("DROP TABLE".into()));
        let t = one("create table pgbench_accounts(aid int not null,bid int,abalance int,filler char(84)) with (fillfactor=100)");
        assert!(!t.sql.contains("fillfactor"), "{}", t.sql);
        let t = one("truncate table pgbench_accounts, pgbench_history");
        assert_eq!(
            t.sql,
            "DELETE FROM pgbench_accounts; DELETE FROM pgbench_history"
        );
        let t = one("alter table pgbench_branches add primary key (bid)");
        assert_eq!(
            t.sql,
            "CREATE UNIQUE INDEX \"pgbench_branches_pkey\" ON pgbench_branches (bid)"
        );
    }
}

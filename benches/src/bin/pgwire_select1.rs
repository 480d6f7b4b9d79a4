//! `SELECT 1` server built on the pgwire crate (0.42): the peer of pgproto's `select1` example in
//! the load benchmark (`benches/load/run.sh`).
//!
//! Every query, simple or extended (named or unnamed statements), answers one row of one int4
//! column `?column?` holding 1, with the tag `SELECT 1`, as PostgreSQL answers `SELECT 1`.
//! Authentication is trust (no password). It is written the way pgwire's own examples are: a
//! [`SimpleQueryHandler`], an [`ExtendedQueryHandler`] with a [`QueryParser`] that describes the
//! result, pgwire's no-op (trust) startup handler and [`process_socket`] per connection on tokio's
//! default multi-thread runtime.
//!
//! ```text
//! pgwire_select1 [--listen HOST:PORT] [--auth trust]
//! ```
//!
//! `--listen` defaults to `127.0.0.1:5432`. It prints `listening on HOST:PORT` to stderr once it
//! accepts connections and stops on SIGINT or SIGTERM.

use std::fmt::Debug;
use std::process::ExitCode;
use std::sync::Arc;

use async_trait::async_trait;
use futures::{stream, Sink};
use pgwire::api::auth::noop::NoopStartupHandler;
use pgwire::api::auth::StartupHandler;
use pgwire::api::portal::{Format, Portal};
use pgwire::api::query::{ExtendedQueryHandler, SimpleQueryHandler};
use pgwire::api::results::{DataRowEncoder, FieldFormat, FieldInfo, QueryResponse, Response};
use pgwire::api::stmt::QueryParser;
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, PgWireServerHandlers, Type};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use pgwire::tokio::process_socket;
use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

const USAGE: &str = "usage: pgwire_select1 [--listen HOST:PORT] [--auth trust]";

/// The result's single column, `?column?` int4, in the given format.
fn column(format: FieldFormat) -> FieldInfo {
    FieldInfo::new("?column?".into(), None, None, Type::INT4, format)
}

/// The one-row answer to every query, described by `schema`.
fn select1(schema: Arc<Vec<FieldInfo>>) -> Response {
    let mut encoder = DataRowEncoder::new(schema.clone());
    let row = encoder.encode_field(&1i32).map(|()| encoder.take_row());
    Response::Query(QueryResponse::new(schema, stream::iter([row])))
}

/// The parser for the extended protocol: keeps the SQL text and describes every statement as
/// `SELECT 1` (no parameters, one int4 column).
#[derive(Debug, Default)]
struct Select1Parser;

#[async_trait]
impl QueryParser for Select1Parser {
    type Statement = String;

    async fn parse_sql<C>(
        &self,
        _client: &C,
        sql: &str,
        _types: &[Option<Type>],
    ) -> PgWireResult<Option<String>>
    where
        C: ClientInfo + Unpin + Send + Sync,
    {
        Ok(Some(sql.to_owned()))
    }

    fn get_parameter_types(&self, _stmt: &String) -> PgWireResult<Vec<Type>> {
        Ok(Vec::new())
    }

    fn get_result_schema(
        &self,
        _stmt: &String,
        column_format: Option<&Format>,
    ) -> PgWireResult<Vec<FieldInfo>> {
        // A statement (no portal yet) is described in text, as PostgreSQL does.
        let format = column_format.map_or(FieldFormat::Text, |f| f.format_for(0));
        Ok(vec![column(format)])
    }
}

/// The query handlers: one per server, shared by every connection.
struct Select1 {
    parser: Arc<Select1Parser>,
    /// The result schema in text, the format of simple queries and of pgbench's results.
    text_schema: Arc<Vec<FieldInfo>>,
}

impl Select1 {
    fn new() -> Self {
        Self {
            parser: Arc::new(Select1Parser),
            text_schema: Arc::new(vec![column(FieldFormat::Text)]),
        }
    }
}

// Trust authentication: pgwire's no-op startup handler, with its defaults.
impl NoopStartupHandler for Select1 {}

#[async_trait]
impl SimpleQueryHandler for Select1 {
    async fn do_query<C>(&self, _client: &mut C, _query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        Ok(vec![select1(self.text_schema.clone())])
    }
}

#[async_trait]
impl ExtendedQueryHandler for Select1 {
    type Statement = String;
    type QueryParser = Select1Parser;

    fn query_parser(&self) -> Arc<Select1Parser> {
        self.parser.clone()
    }

    async fn do_query<C>(
        &self,
        _client: &mut C,
        portal: &Portal<String>,
        _max_rows: usize,
    ) -> PgWireResult<Response>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore<Statement = String>,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let schema = match portal.result_column_format.format_for(0) {
            FieldFormat::Text => self.text_schema.clone(),
            FieldFormat::Binary => Arc::new(vec![column(FieldFormat::Binary)]),
        };
        Ok(select1(schema))
    }
}

/// Hands pgwire the handlers of every connection.
struct Handlers(Arc<Select1>);

impl PgWireServerHandlers for Handlers {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        self.0.clone()
    }

    fn extended_query_handler(&self) -> Arc<impl ExtendedQueryHandler> {
        self.0.clone()
    }

    fn startup_handler(&self) -> Arc<impl StartupHandler> {
        self.0.clone()
    }
}

/// The command line: `--listen HOST:PORT` and `--auth trust`.
fn parse_args() -> Result<String, String> {
    let mut listen = String::from("127.0.0.1:5432");
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => {
                (name.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{name} needs a value\n{USAGE}"))
        };
        match name.as_str() {
            "--listen" => listen = value("--listen")?,
            "--auth" => {
                let auth = value("--auth")?;
                if auth != "trust" {
                    return Err(format!("--auth {auth}: this server supports only trust"));
                }
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    Ok(listen)
}

#[tokio::main]
async fn main() -> ExitCode {
    let listen = match parse_args() {
        Ok(listen) => listen,
        Err(message) => {
            eprintln!("pgwire_select1: {message}");
            return ExitCode::from(2);
        }
    };
    let listener = match TcpListener::bind(&listen).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("pgwire_select1: cannot listen on {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let (mut sigint, mut sigterm) = match (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) {
        (Ok(sigint), Ok(sigterm)) => (sigint, sigterm),
        (Err(e), _) | (_, Err(e)) => {
            eprintln!("pgwire_select1: cannot handle signals: {e}");
            return ExitCode::FAILURE;
        }
    };
    let local = listener.local_addr().map_or(listen, |a| a.to_string());
    eprintln!("listening on {local}");

    let handlers = Arc::new(Handlers(Arc::new(Select1::new())));
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((socket, _)) => {
                    let handlers = handlers.clone();
                    tokio::spawn(async move {
                        // A connection's I/O error ends that connection only.
                        let _ = process_socket(socket, None, handlers).await;
                    });
                }
                // Out of descriptors, or the peer gave up before accept: keep serving the others.
                Err(e) => {
                    eprintln!("pgwire_select1: accept: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                }
            },
            _ = sigint.recv() => break,
            _ = sigterm.recv() => break,
        }
    }
    ExitCode::SUCCESS
}

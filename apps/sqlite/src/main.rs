//! `pgproto-sqlite`: a PostgreSQL-compatible database over embedded SQLite. Point any PostgreSQL
//! client, driver or tool at one SQLite file:
//!
//! ```sh
//! pgproto-sqlite --db app.db --listen 127.0.0.1:5432
//! ```
//!
//! It takes the options every pgproto server takes (`--listen`, `--unix-socket`, `--auth`,
//! `--user`, `--password` or `PGPROTO_PASSWORD`, `--tls-cert`/`--tls-key`, `--max-connections`,
//! the timeouts), plus `--db PATH` (default `pgproto.db`; `:memory:` for a database that lives as
//! long as each session) and `--lock-timeout SECONDS` (how long a writer waits for another).
//! Authentication is SCRAM-SHA-256 unless `--auth` says otherwise; with no password given, one is
//! made on first start, printed once, and kept next to the database (`PATH.password`).

mod catalog;
mod copy;
mod db;
mod errors;
mod functions;
mod session;
mod translate;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use pgproto_service::args::ServerArgs;
use pgproto_service::pgproto::backend::{AuthMethod, ServerError};
use pgproto_service::{Credentials, Handler, Login, Reply, Runtime, Server, Sessions};
use pgproto_tokio::Tokio;

use crate::db::{Settings, Worker};
use crate::session::{Channels, Shared, SqliteSession};

/// The server: its options and the database every session opens.
struct Sqlite {
    args: ServerArgs,
    db: String,
    lock_timeout: Duration,
    shared: Shared,
}

impl Handler for Sqlite {
    type Session = SqliteSession;

    async fn credentials(&self, login: &Login) -> Result<Credentials, ServerError> {
        self.args.credentials(login)
    }

    async fn open(&self, login: &Login, _: &mut Reply<'_>) -> Result<SqliteSession, ServerError> {
        let stem = Path::new(&self.db)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if login.database != "postgres" && login.database != stem {
            return Err(ServerError::fatal(
                "3D000",
                format!("database \"{}\" does not exist", login.database),
            ));
        }
        let notify_queue = functions::NotifyQueue::default();
        let worker = Worker::open(Settings {
            path: self.db.clone(),
            lock_timeout: self.lock_timeout,
            database: login.database.clone(),
            user: login.user.clone(),
            pid: login.pid,
            notify_queue: notify_queue.clone(),
        })?;
        Ok(SqliteSession::new(
            worker,
            login.pid,
            self.shared.clone(),
            notify_queue,
        ))
    }
}

/// The password for SCRAM when none is given: the one kept next to the database, or a new one,
/// printed once. `:memory:` gets a new one each start.
fn stored_password(db: &str) -> std::io::Result<String> {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let file = (db != ":memory:").then(|| PathBuf::from(format!("{db}.password")));
    if let Some(f) = &file {
        if let Ok(p) = std::fs::read_to_string(f) {
            return Ok(p.trim().to_owned());
        }
    }
    let mut bytes = [0u8; 18];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut r| std::io::Read::read_exact(&mut r, &mut bytes))?;
    let password: String = bytes
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect();
    if let Some(f) = &file {
        std::fs::write(f, format!("{password}\n"))?;
        #[cfg(unix)]
        std::fs::set_permissions(f, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    }
    eprintln!("pgproto-sqlite: no password given; made one: {password}");
    if let Some(f) = &file {
        eprintln!(
            "pgproto-sqlite: it is kept in {} (remove the file to make a new one)",
            f.display()
        );
    }
    Ok(password)
}

fn main() {
    let mut db = "pgproto.db".to_owned();
    let mut lock_timeout = Duration::from_secs(30);
    let mut command_line: Vec<String> = std::env::args().skip(1).collect();
    let has = |flag: &str| {
        command_line
            .iter()
            .any(|a| a == flag || a.starts_with(&format!("{flag}=")))
    };
    let trust = command_line
        .windows(2)
        .any(|w| w[0] == "--auth" && w[1] == "trust")
        || command_line.iter().any(|a| a == "--auth=trust");
    let mut bad = None;
    // The database path is needed before the password: peek at it.
    for w in command_line.windows(2) {
        if w[0] == "--db" {
            db.clone_from(&w[1]);
        }
    }
    if let Some(v) = command_line.iter().find_map(|a| a.strip_prefix("--db=")) {
        v.clone_into(&mut db);
    }
    if !trust && !has("--password") && std::env::var_os("PGPROTO_PASSWORD").is_none() {
        match stored_password(&db) {
            Ok(p) => command_line.extend(["--password".to_owned(), p]),
            Err(e) => {
                eprintln!("pgproto-sqlite: cannot keep a password next to {db}: {e}");
                std::process::exit(1);
            }
        }
    }
    let args = ServerArgs::parse(
        AuthMethod::ScramSha256,
        command_line,
        |flag, value| match flag {
            "--db" => true,
            "--lock-timeout" => match value.parse::<f64>() {
                Ok(s) if s.is_finite() && s >= 0.0 => {
                    lock_timeout = Duration::from_secs_f64(s);
                    true
                }
                _ => {
                    bad = Some(format!("--lock-timeout: not a number of seconds: {value}"));
                    true
                }
            },
            _ => false,
        },
    )
    .unwrap_or_else(|e| {
        eprintln!("pgproto-sqlite: {e}");
        std::process::exit(2);
    });
    if let Some(e) = bad {
        eprintln!("pgproto-sqlite: {e}");
        std::process::exit(2);
    }
    // A database that cannot be opened is a startup error, not every session's.
    if let Err(e) = rusqlite::Connection::open(&db)
        .and_then(|c| c.pragma_update(None, "journal_mode", "wal").map(|()| c))
    {
        eprintln!("pgproto-sqlite: cannot open database {db}: {e}");
        std::process::exit(1);
    }
    let sessions = Arc::new(Sessions::new());
    let shared = Shared {
        sessions: sessions.clone(),
        channels: Arc::new(Channels::default()),
    };
    let handler = Sqlite {
        args: args.clone(),
        db,
        lock_timeout,
        shared,
    };
    if let Err(e) = Tokio::serve(Server::new(handler).with_sessions(sessions), &args) {
        eprintln!("pgproto-sqlite: {e}");
        std::process::exit(1);
    }
}

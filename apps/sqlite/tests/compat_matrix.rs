//! The real-client matrix (`tests/compat/clients/run.sh`) against pgproto-sqlite: every scenario
//! step of the clients that pass it whole today — psql, psycopg2, asyncpg, pg8000, pgcli,
//! node-postgres, postgres.js and JDBC (SCRAM connect, typed parameters, 1,000 rows, 22012,
//! 25P02, COPY, prepared statements, cursors, LISTEN/NOTIFY). psycopg 3's named cursor and
//! SQLAlchemy's catalog queries do not pass yet. The clients are installed on first use; a
//! missing one fails the test.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn real_clients_pass_every_step() {
    let dir = std::env::temp_dir().join(format!("pgproto-sqlite-matrix-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut server = Command::new(env!("CARGO_BIN_EXE_pgproto-sqlite"))
        .args(["--listen", "127.0.0.1:0", "--password", "matrix-pw", "--db"])
        .arg(dir.join("compat.db"))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    std::thread::spawn(move || for _ in stderr.lines() {});
    let port = line
        .trim()
        .strip_prefix("listening on 127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .to_owned();
    let runner = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/compat/clients/run.sh");
    let out = Command::new("bash")
        .arg(runner)
        .args(["--host", "127.0.0.1", "--port", &port, "--user", "postgres"])
        .args(["--password", "matrix-pw", "--dbname", "compat"])
        .args([
            "psql",
            "psycopg2",
            "asyncpg",
            "pg8000",
            "pgcli",
            "node-postgres",
            "postgres-js",
            "jdbc",
        ])
        .env("COMPAT_TIMEOUT", "120")
        .output()
        .unwrap();
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    let text = String::from_utf8_lossy(&out.stdout);
    let summary = text
        .lines()
        .rev()
        .find(|l| l.starts_with("compat: "))
        .unwrap_or("no summary");
    assert!(
        out.status.success() && summary.ends_with(" 0 failed"),
        "{summary}\n{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    eprintln!("{summary}");
}

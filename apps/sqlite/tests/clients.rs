//! pgproto-sqlite with real clients: psql (simple queries, errors with their SQLSTATE, the
//! failed-transaction rule, numeric scale) and tokio-postgres (the extended protocol, binary
//! parameters and results, 1,000 rows, a reused prepared statement). The server binary runs on
//! a fresh database file with SCRAM authentication.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// The server, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
    _dir: TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A directory removed when dropped.
struct TempDir(std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const PASSWORD: &str = "s3cret";

fn start() -> Server {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("pgproto-sqlite-test-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("app.db");
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgproto-sqlite"))
        .args(["--listen", "127.0.0.1:0", "--password", PASSWORD, "--db"])
        .arg(&db)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    std::thread::spawn(move || {
        for l in stderr.lines().map_while(Result::ok) {
            eprintln!("[pgproto-sqlite] {l}");
        }
    });
    let port = line
        .trim()
        .strip_prefix("listening on 127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    Server {
        child,
        port,
        _dir: TempDir(dir),
    }
}

/// psql's unaligned output (and errors with their SQLSTATE) for `sql`.
fn psql(port: u16, sql: &str) -> String {
    let out = Command::new("psql")
        .args([
            "-X",
            "-A",
            "-t",
            "-v",
            "VERBOSITY=verbose",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "app",
        ])
        .args(["-p", &port.to_string()])
        .env("PGPASSWORD", PASSWORD)
        .env("PGSSLMODE", "disable")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(sql.as_bytes())?;
            c.wait_with_output()
        })
        .expect("psql is required (postgresql-client)");
    format!(
        "{}\0{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn psql_queries_errors_and_transactions() {
    let server = start();
    let out = psql(
        server.port,
        "SELECT 1, 'x', 1.5, true, 2::int8;
         CREATE TABLE t (id serial PRIMARY KEY, name text NOT NULL, amount numeric(12,2), at timestamp);
         INSERT INTO t (name, amount, at) VALUES ('a', 12.30, '2024-02-29 13:45:00.5'), ('b', 9.995, NULL);
         SELECT id, name, amount, at FROM t ORDER BY amount;
         SELECT 1/0;
         SELECT nosuch FROM t;
         SELECT * FROM nosuch;
         INSERT INTO t (id, name) VALUES (1, 'dup');
         INSERT INTO t (name) VALUES (NULL);
         BEGIN;
         SELECT 1/0;
         SELECT 1;
         COMMIT;
         SELECT count(*) FROM t;
         SELECT 2147483647::int4 + 1;
         SELECT 9223372036854775807 + 1;
         SELECT $1;",
    );
    // Results come on stdout and errors on stderr: each in its order.
    let (stdout, stderr) = out.split_once('\0').unwrap();
    let in_order = |text: &str, expected: &[&str]| {
        let mut rest = text;
        for want in expected {
            let at = rest
                .find(want)
                .unwrap_or_else(|| panic!("missing {want:?} in order, in:\n{text}"));
            rest = &rest[at + want.len()..];
        }
    };
    in_order(
        stdout,
        &[
            "1|x|1.5|t|2",
            "CREATE TABLE",
            "INSERT 0 2",
            "2|b|10.00|",
            "1|a|12.30|2024-02-29 13:45:00.5",
            "BEGIN",
            "ROLLBACK",
            "2",
        ],
    );
    in_order(stderr, &[
        "ERROR:  22012: division by zero",
        "ERROR:  42703: column \"nosuch\" does not exist",
        "ERROR:  42P01: relation \"nosuch\" does not exist",
        "ERROR:  23505: duplicate key value violates unique constraint",
        "ERROR:  23502: null value in column \"name\" of relation \"t\" violates not-null constraint",
        "ERROR:  22012: division by zero",
        "ERROR:  25P02: current transaction is aborted, commands ignored until end of transaction block",
    "ERROR:  22003: integer out of range",
            "ERROR:  22003: bigint out of range",
            "ERROR:  42P02: there is no parameter $1",
        ]);
}

#[test]
fn psql_lists_tables_with_its_catalog_queries() {
    let server = start();
    let out = psql(
        server.port,
        "CREATE TABLE items (id int PRIMARY KEY, name text);
         CREATE TABLE orders (id int);
         \\dt
         \\dt ite*
         SELECT 'abc' ~ '^a', 'abc' !~* '^A', typname FROM pg_catalog.pg_type WHERE oid = 1007;",
    );
    let (stdout, stderr) = out.split_once('\0').unwrap();
    assert!(stderr.is_empty(), "{stderr}");
    assert!(stdout.contains("public|items|table|postgres\npublic|orders|table|postgres\npublic|items|table|postgres"), "{stdout}");
    assert!(stdout.contains("t|f|_int4"), "{stdout}");
}

#[test]
fn dialect_like_ilike_greatest_returning_upsert() {
    let server = start();
    let out = psql(
        server.port,
        "CREATE TABLE p (name text);
         INSERT INTO p VALUES ('Apple'), ('apple'), ('Banana');
         SELECT count(*) FROM p WHERE name LIKE 'a%';
         SELECT count(*) FROM p WHERE name ILIKE 'a%';
         SELECT greatest(3, 7, 5), least(3, 7, 5), now() > '2020-01-01'::timestamptz;
         INSERT INTO p VALUES ('x') RETURNING upper(name);
         CREATE TABLE u (id int PRIMARY KEY, v text);
         INSERT INTO u VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET v = excluded.v;
         INSERT INTO u VALUES (1, 'b') ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v;
         SELECT id, v FROM u;",
    );
    let (stdout, stderr) = out.split_once('\0').unwrap();
    assert!(stderr.is_empty(), "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "CREATE TABLE",
            "INSERT 0 3",
            "1",
            "2",
            "7|3|t",
            "X",
            "INSERT 0 1",
            "CREATE TABLE",
            "INSERT 0 1",
            "INSERT 0 1",
            "1|b"
        ],
        "{stdout}"
    );
}

#[test]
fn wrong_password_and_unknown_database() {
    let server = start();
    let out = Command::new("psql")
        .args([
            "-X",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "app",
            "-c",
            "SELECT 1",
        ])
        .args(["-p", &server.port.to_string()])
        .env("PGPASSWORD", "wrong")
        .env("PGSSLMODE", "disable")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("password authentication failed"), "{err}");
    let out = psql(server.port, "");
    assert!(!out.contains("FATAL"), "{out}");
    let out = Command::new("psql")
        .args([
            "-X",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            "other",
            "-c",
            "SELECT 1",
        ])
        .args(["-p", &server.port.to_string()])
        .env("PGPASSWORD", PASSWORD)
        .env("PGSSLMODE", "disable")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("database \"other\" does not exist"), "{err}");
}

#[tokio::test(flavor = "current_thread")]
#[allow(clippy::float_cmp)] // the floats go through exactly: equality is the point
async fn tokio_postgres_extended_protocol() {
    let server = start();
    let (client, conn) = tokio_postgres::connect(
        &format!(
            "host=127.0.0.1 port={} user=postgres password={PASSWORD} dbname=app",
            server.port
        ),
        tokio_postgres::NoTls,
    )
    .await
    .unwrap();
    tokio::spawn(conn);
    client
        .batch_execute("CREATE TABLE items (id int PRIMARY KEY, name text, price float8, data bytea, ok boolean)")
        .await
        .unwrap();
    let insert = client
        .prepare("INSERT INTO items (id, name, price, data, ok) VALUES ($1, $2, $3, $4, $5)")
        .await
        .unwrap();
    assert_eq!(
        insert.params(),
        [
            tokio_postgres::types::Type::INT4,
            tokio_postgres::types::Type::TEXT,
            tokio_postgres::types::Type::FLOAT8,
            tokio_postgres::types::Type::BYTEA,
            tokio_postgres::types::Type::BOOL
        ]
    );
    for i in 0..1000i32 {
        let name = format!("it's ü€😀 {i}");
        let data = vec![0u8, 1, (i % 256) as u8, 0];
        client
            .execute(
                &insert,
                &[&i, &name, &(f64::from(i) / 8.0), &data, &(i % 2 == 0)],
            )
            .await
            .unwrap();
    }
    let rows = client
        .query(
            "SELECT id, name, price, data, ok FROM items WHERE id >= $1 ORDER BY id",
            &[&0i32],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 1000);
    for (i, row) in (0i32..).zip(&rows) {
        assert_eq!(row.get::<_, i32>(0), i);
        assert_eq!(row.get::<_, String>(1), format!("it's ü€😀 {i}"));
        assert_eq!(row.get::<_, f64>(2), f64::from(i) / 8.0);
        assert_eq!(row.get::<_, Vec<u8>>(3), vec![0u8, 1, (i % 256) as u8, 0]);
        assert_eq!(row.get::<_, bool>(4), i % 2 == 0);
    }
    // A bare parameter as a column takes the parameter's type, as in PostgreSQL.
    let echo = client
        .prepare_typed(
            "SELECT $1, $2",
            &[
                tokio_postgres::types::Type::INT4,
                tokio_postgres::types::Type::BOOL,
            ],
        )
        .await
        .unwrap();
    assert_eq!(
        echo.columns()[0].type_(),
        &tokio_postgres::types::Type::INT4
    );
    let row = client.query_one(&echo, &[&41i32, &true]).await.unwrap();
    assert_eq!((row.get::<_, i32>(0), row.get::<_, bool>(1)), (41, true));
    let err = client.query("SELECT 1/0", &[]).await.unwrap_err();
    assert_eq!(
        err.code(),
        Some(&tokio_postgres::error::SqlState::DIVISION_BY_ZERO)
    );
    let n: i64 = client
        .query_one("SELECT count(*) FROM items", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1000);
}

#[test]
fn copy_in_and_out_in_text_and_csv() {
    let server = start();
    let data = (1..=500).fold(String::new(), |mut d, i| {
        use std::fmt::Write;
        let _ = writeln!(d, "{i}\tname {i}\t\\N");
        d
    });
    let script = format!(
        "CREATE TABLE c (id int PRIMARY KEY, name text, note text);
         COPY c FROM STDIN;
{data}\\.
         SELECT count(*), sum(id) FROM c WHERE note IS NULL;
         COPY (SELECT id, name FROM c WHERE id <= 2 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER true);
         COPY c (id, name) FROM STDIN WITH (FORMAT csv);
1001,\"quoted, \"\"name\"\"\"
\\.
         SELECT name FROM c WHERE id = 1001;
         COPY c FROM STDIN;
1\tdup\t\\N
\\.
         SELECT count(*) FROM c;"
    );
    let out = psql(server.port, &script);
    let (stdout, stderr) = out.split_once('\0').unwrap();
    for want in [
        "500|125250",
        "id,name\n1,name 1\n2,name 2",
        "quoted, \"name\"",
        "501",
    ] {
        assert!(
            stdout.contains(want),
            "missing {want:?} in:\n{stdout}\n{stderr}"
        );
    }
    assert!(stderr.contains("23505"), "{stderr}");
}

#[tokio::test(flavor = "current_thread")]
async fn listen_and_notify_between_sessions() {
    let server = start();
    let connect = || async {
        let (client, mut conn) = tokio_postgres::connect(
            &format!(
                "host=127.0.0.1 port={} user=postgres password={PASSWORD} dbname=app",
                server.port
            ),
            tokio_postgres::NoTls,
        )
        .await
        .unwrap();
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut stream = futures_util::stream::poll_fn(move |cx| conn.poll_message(cx));
            while let Some(Ok(m)) = futures_util::StreamExt::next(&mut stream).await {
                if let tokio_postgres::AsyncMessage::Notification(n) = m {
                    let _ = tx.send((n.channel().to_owned(), n.payload().to_owned()));
                }
            }
        });
        (client, rx)
    };
    let (listener, mut notes) = connect().await;
    let (sender, _) = connect().await;
    listener.batch_execute("LISTEN jobs").await.unwrap();
    sender.batch_execute("NOTIFY jobs, 'now'").await.unwrap();
    // Held until COMMIT, dropped at ROLLBACK.
    sender
        .batch_execute("BEGIN; NOTIFY jobs, 'rolled back'; ROLLBACK")
        .await
        .unwrap();
    sender
        .batch_execute("BEGIN; NOTIFY jobs, 'committed'; COMMIT")
        .await
        .unwrap();
    let first = tokio::time::timeout(std::time::Duration::from_secs(5), notes.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first, ("jobs".to_owned(), "now".to_owned()));
    let second = tokio::time::timeout(std::time::Duration::from_secs(5), notes.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second, ("jobs".to_owned(), "committed".to_owned()));
}

#[test]
fn pgbench_tpcb_with_eight_clients_in_every_mode() {
    let server = start();
    let pgbench = |args: &[&str]| {
        let out = Command::new("/usr/lib/postgresql/15/bin/pgbench")
            .args([
                "-h",
                "127.0.0.1",
                "-U",
                "postgres",
                "-p",
                &server.port.to_string(),
            ])
            .args(args)
            .arg("app")
            .env("PGPASSWORD", PASSWORD)
            .env("PGSSLMODE", "disable")
            .output()
            .expect("pgbench is required (postgresql-contrib / postgresql 15)");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "pgbench {args:?} failed:\n{text}");
        text
    };
    pgbench(&["-i", "-s", "1"]);
    for mode in ["simple", "extended", "prepared"] {
        // -n: history is not truncated, so it keeps every transaction's delta.
        let out = pgbench(&["-n", "-c", "8", "-j", "2", "-T", "2", "-M", mode]);
        assert!(
            out.contains("number of failed transactions: 0 (0.000%)"),
            "{mode}:\n{out}"
        );
        let out = pgbench(&["-n", "-S", "-c", "8", "-j", "2", "-T", "1", "-M", mode]);
        assert!(
            out.contains("number of failed transactions: 0 (0.000%)"),
            "{mode} -S:\n{out}"
        );
    }
    let sums = psql(
        server.port,
        "SELECT (SELECT sum(abalance) FROM pgbench_accounts), (SELECT sum(bbalance) FROM pgbench_branches),
                (SELECT sum(tbalance) FROM pgbench_tellers), (SELECT sum(delta) FROM pgbench_history),
                (SELECT count(*) > 100 FROM pgbench_history)",
    );
    let line = sums.lines().next().unwrap_or_default().to_owned();
    let fields: Vec<&str> = line.split('|').collect();
    assert_eq!(fields.len(), 5, "{sums}");
    assert!(
        fields[..4].iter().all(|f| *f == fields[0]),
        "balances do not add up: {line}"
    );
    assert_eq!(fields[4], "t", "{line}");
}

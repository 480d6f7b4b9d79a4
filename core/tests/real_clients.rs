//! Real clients against `ServerConnection`: psql and pgbench (libpq) talk to the backend state
//! machine served by a small blocking TCP driver and the toy application of `support::toy`.
//! psql and pgbench must be installed (`apt-get install postgresql-client`); these tests fail
//! when they are missing.
#![allow(clippy::pedantic)] // test scaffolding: clarity over pedantry

mod support;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Command, Output};
use std::time::Instant as StdInstant;

use pgproto::auth::{md5, scram};
use pgproto::backend::{AuthMethod, Instant, Secret, Secrets, ServerConfig, ServerConnection};
use support::toy::{drive, Toy};

/// Serves connections on a loopback port, each on its own thread, with `auth` for every user.
fn server(auth: fn() -> (AuthMethod, Secret)) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut pid = 100;
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            pid += 1;
            let pid_now = pid;
            std::thread::spawn(move || serve(stream, pid_now, auth()));
        }
    });
    port
}

fn serve(mut stream: TcpStream, pid: i32, auth: (AuthMethod, Secret)) {
    let start = StdInstant::now();
    let now = || Instant(start.elapsed().as_micros() as u64);
    let mut secrets = Secrets::fixed(pid);
    secrets.scram_nonce = [pid as u8; 18];
    let mut conn = ServerConnection::new(ServerConfig::default(), secrets, now());
    let mut toy = Toy::new();
    toy.auth = auth;
    let (mut input, mut out) = (Vec::new(), Vec::new());
    let mut buf = [0u8; 8192];
    loop {
        // Handle every complete message, answering events; then write once.
        drive(&mut conn, &mut toy, now(), &mut input, &mut out);
        if conn.take_flush() || !out.is_empty() {
            if stream.write_all(&out).is_err() {
                return;
            }
            out.clear();
        }
        if conn.is_closed() {
            return;
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => {
                conn.handle_eof();
                return;
            }
            Ok(n) => input.extend_from_slice(&buf[..n]),
        }
    }
}

fn client(bin: &str) -> Command {
    let path = format!("/usr/bin/{bin}");
    assert!(
        std::path::Path::new(&path).exists(),
        "{path} is missing: apt-get install postgresql-client"
    );
    let mut c = Command::new(path);
    c.env_remove("PGPASSWORD")
        .env("PGCONNECT_TIMEOUT", "10")
        .env("PGSSLMODE", "disable");
    c
}

fn psql(port: u16, user: &str, password: Option<&str>, sql: &str) -> Output {
    let mut c = client("psql");
    c.args([
        "-X",
        "-A",
        "-t",
        "-h",
        "127.0.0.1",
        "-p",
        &port.to_string(),
        "-U",
        user,
        "-d",
        "test",
        "-c",
        sql,
    ]);
    if let Some(pw) = password {
        c.env("PGPASSWORD", pw);
    } else {
        c.arg("-w");
    }
    c.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn psql_trust_queries() {
    let port = server(|| (AuthMethod::Trust, Secret::None));
    let o = psql(port, "test", None, "SELECT 1");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "1\n");
    let o = psql(port, "test", None, "SELECT generate_series(1,3)");
    assert_eq!(stdout(&o), "1\n2\n3\n");
    let o = psql(port, "test", None, "SELECT 1/0");
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("ERROR:  division by zero"),
        "{}",
        stderr(&o)
    );
}

fn verifier() -> scram::Verifier {
    scram::Verifier::from_password(b"pencil", b"0123456789abcdef", scram::DEFAULT_ITERATIONS)
}

#[test]
fn psql_scram_sha_256() {
    let port = server(|| (AuthMethod::ScramSha256, Secret::Scram(verifier())));
    let o = psql(port, "alice", Some("pencil"), "SELECT 1");
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(stdout(&o), "1\n");
    let o = psql(port, "alice", Some("wrong"), "SELECT 1");
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("password authentication failed for user \"alice\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn psql_md5_and_cleartext() {
    let port = server(|| {
        (
            AuthMethod::Md5,
            Secret::Md5(md5::secret(b"bob", b"hunter2")),
        )
    });
    let o = psql(port, "bob", Some("hunter2"), "SELECT 1");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = psql(port, "bob", Some("hunter3"), "SELECT 1");
    assert!(
        stderr(&o).contains("password authentication failed for user \"bob\""),
        "{}",
        stderr(&o)
    );

    // MD5 with a SCRAM secret stored switches to SCRAM, as PostgreSQL does.
    let port = server(|| (AuthMethod::Md5, Secret::Scram(verifier())));
    let o = psql(port, "carol", Some("pencil"), "SELECT 1");
    assert!(o.status.success(), "{}", stderr(&o));

    let port = server(|| (AuthMethod::Password, Secret::Password(b"s3cret".to_vec())));
    let o = psql(port, "dave", Some("s3cret"), "SELECT 1");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = psql(port, "dave", Some("nope"), "SELECT 1");
    assert!(
        stderr(&o).contains("password authentication failed for user \"dave\""),
        "{}",
        stderr(&o)
    );
}

#[test]
fn pgbench_all_protocol_modes() {
    let port = server(|| (AuthMethod::Trust, Secret::None));
    let dir = std::env::temp_dir().join(format!("pgproto-pgbench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let script = dir.join("select1.sql");
    std::fs::write(&script, "SELECT 1;\n").unwrap();
    for mode in ["simple", "extended", "prepared"] {
        let o = client("pgbench")
            .args([
                "-n",
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-U",
                "test",
                "-c",
                "4",
                "-j",
                "2",
                "-t",
                "50",
                "-M",
                mode,
                "-f",
            ])
            .arg(&script)
            .arg("test")
            .output()
            .unwrap();
        let text = stdout(&o);
        assert!(
            o.status.success(),
            "pgbench -M {mode}: {}\n{text}",
            stderr(&o)
        );
        assert!(
            text.contains("number of transactions actually processed: 200/200"),
            "pgbench -M {mode}:\n{text}"
        );
        assert!(
            text.contains("number of failed transactions: 0"),
            "pgbench -M {mode}:\n{text}"
        );
    }
}

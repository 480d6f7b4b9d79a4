//! The example servers of every binding with real clients: psql shows greeting's NOTICE, pgbench
//! runs select1 in all three modes without a failed transaction, a server that cannot listen
//! says so, and SIGTERM stops each cleanly.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use pgproto_compat::BINDINGS;

/// An example binary built next to this test (by `cargo build --examples`, which the test
/// command runs first).
fn example(name: &str) -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap().join("examples");
    let path = dir.join(name);
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --examples` first (scripts/test.sh does)",
        path.display()
    );
    path
}

/// Starts an example on a free port; returns it and the port from its `listening on` line.
fn spawn_example(name: &str, args: &[&str]) -> (Child, u16) {
    let mut child = Command::new(example(name))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("listening on 127.0.0.1:")
        .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
        .parse()
        .unwrap();
    (child, port)
}

fn terminate(mut child: Child) {
    let pid = child.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let status = child.wait().unwrap();
    assert!(status.success(), "stops cleanly on SIGTERM: {status}");
}

fn psql(port: u16, args: &[&str]) -> std::process::Output {
    Command::new("psql")
        .args([
            "-X",
            "-h",
            "127.0.0.1",
            "-p",
            &port.to_string(),
            "-U",
            "postgres",
            "-d",
            "postgres",
        ])
        .args(args)
        .env_remove("PGPASSWORD")
        .output()
        .expect("psql is required (postgresql-client)")
}

#[test]
fn greeting_shows_its_notice_in_psql_and_answers_queries() {
    for (binding, greeting, _) in BINDINGS {
        greeting_in_psql(binding, greeting);
    }
}

fn greeting_in_psql(binding: &str, greeting: &str) {
    let (server, port) = spawn_example(greeting, &[]);
    let out = psql(port, &["-c", "SELECT 1"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{binding}: {stderr}");
    assert!(
        stderr.contains("NOTICE:  Welcome to pgproto"),
        "{binding}: {stderr}"
    );
    assert!(
        stdout.contains("?column?") && stdout.contains("(1 row)"),
        "{binding}: {stdout}"
    );
    terminate(server);
}

#[test]
fn select1_serves_pgbench_in_every_mode_without_failures() {
    for (binding, _, select1) in BINDINGS {
        pgbench(binding, select1);
    }
}

fn pgbench(binding: &str, select1: &str) {
    let (server, port) = spawn_example(select1, &[]);
    let script = std::env::temp_dir().join(format!("pgproto-select1-{port}.sql"));
    std::fs::write(&script, "SELECT 1;\n").unwrap();
    for mode in ["simple", "extended", "prepared"] {
        let out = Command::new("pgbench")
            .args([
                "-n",
                "-h",
                "127.0.0.1",
                "-p",
                &port.to_string(),
                "-U",
                "postgres",
            ])
            .args(["-M", mode, "-c", "8", "-j", "2", "-T", "3", "-f"])
            .arg(&script)
            .arg("postgres")
            .output()
            .expect("pgbench is required (postgresql-client)");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{binding} {mode}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("number of failed transactions: 0 (0.000%)"),
            "{binding} {mode}: {stdout}"
        );
        let processed = stdout
            .lines()
            .find_map(|l| l.strip_prefix("number of transactions actually processed: "))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or(0);
        assert!(processed > 100, "{binding} {mode}: {stdout}");
    }
    terminate(server);
}

#[test]
fn a_server_that_cannot_listen_says_so_and_exits_non_zero() {
    for (binding, _, select1) in BINDINGS {
        cannot_listen(binding, select1);
    }
}

fn cannot_listen(binding: &str, select1: &str) {
    let out = Command::new(example(select1))
        .args(["--listen", "203.0.113.1:5432"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "{binding}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot listen on 203.0.113.1:5432"),
        "{binding}: {stderr}"
    );
    let out = Command::new(example(select1))
        .args(["--bogus"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{binding}");
}

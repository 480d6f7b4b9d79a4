//! The example servers of every binding with real clients: psql shows greeting's NOTICE, pgbench
//! runs select1 in all three modes without a failed transaction, a server that cannot listen
//! says so, and SIGTERM stops each cleanly.

use std::process::Command;

use pgproto_compat::{example, Server, BINDINGS};

fn psql(port: u16, args: &[&str]) -> std::process::Output {
    Command::new("psql")
        .args(["-X", "-h", "127.0.0.1", "-p", &port.to_string()])
        .args(["-U", "postgres", "-d", "postgres"])
        .args(args)
        .env_remove("PGPASSWORD")
        .output()
        .expect("psql is required (postgresql-client)")
}

#[test]
fn greeting_shows_its_notice_in_psql_and_answers_queries() {
    for b in BINDINGS {
        let server = Server::start(b.greeting, &[]);
        let out = psql(server.port, &["-c", "SELECT 1"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{}: {stderr}", b.name);
        assert!(
            stderr.contains("NOTICE:  Welcome to pgproto"),
            "{}: {stderr}",
            b.name
        );
        assert!(
            stdout.contains("?column?") && stdout.contains("(1 row)"),
            "{}: {stdout}",
            b.name
        );
        server.stop();
    }
}

#[test]
fn select1_serves_pgbench_in_every_mode_without_failures() {
    for b in BINDINGS {
        let server = Server::start(b.select1, &[]);
        let script = std::env::temp_dir().join(format!("pgproto-select1-{}.sql", server.port));
        std::fs::write(&script, "SELECT 1;\n").unwrap();
        for mode in ["simple", "extended", "prepared"] {
            let out = Command::new("pgbench")
                .args(["-n", "-h", "127.0.0.1", "-p", &server.port.to_string()])
                .args([
                    "-U", "postgres", "-M", mode, "-c", "8", "-j", "2", "-T", "3", "-f",
                ])
                .arg(&script)
                .arg("postgres")
                .output()
                .expect("pgbench is required (postgresql-client)");
            let stdout = String::from_utf8_lossy(&out.stdout);
            let what = format!(
                "{} {mode}: {stdout}{}",
                b.name,
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(out.status.success(), "{what}");
            assert!(
                stdout.contains("number of failed transactions: 0 (0.000%)"),
                "{what}"
            );
            let processed = stdout
                .lines()
                .find_map(|l| l.strip_prefix("number of transactions actually processed: "))
                .and_then(|n| n.trim().parse::<u64>().ok())
                .unwrap_or(0);
            assert!(processed > 100, "{what}");
        }
        server.stop();
    }
}

#[test]
fn a_server_that_cannot_listen_says_so_and_exits_non_zero() {
    for b in BINDINGS {
        let out = Command::new(example(b.select1))
            .args(["--listen", "203.0.113.1:5432"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{}", b.name);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("cannot listen on 203.0.113.1:5432"),
            "{}: {stderr}",
            b.name
        );
        let out = Command::new(example(b.select1))
            .args(["--bogus"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", b.name);
    }
}

/// Where io_uring is unavailable (here `io_uring_setup` fails with ENOSYS, injected by strace)
/// the monoio binding runs on epoll and serves as before.
#[test]
fn monoio_falls_back_to_epoll_without_io_uring() {
    let trace = std::env::temp_dir().join(format!("pgproto-no-uring-{}.trace", std::process::id()));
    let trace_arg = trace.display().to_string();
    let strace = [
        "strace",
        "-f",
        "-o",
        &trace_arg,
        "-e",
        "trace=io_uring_setup,epoll_wait,epoll_pwait",
        "-e",
        "inject=io_uring_setup:error=ENOSYS",
    ];
    let server = Server::start_under(&strace, "select1_monoio", &[]);
    let out = psql(server.port, &["-c", "SELECT 1"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("(1 row)"));
    server.stop_wrapped();
    let trace = std::fs::read_to_string(&trace).expect("strace is required");
    assert!(
        trace.contains("io_uring_setup(") && trace.contains("(INJECTED)"),
        "{trace}"
    );
    assert!(
        trace.contains("epoll_wait(") || trace.contains("epoll_pwait("),
        "{trace}"
    );
}

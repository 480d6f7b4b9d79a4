//! The tokio binding with real clients over TLS: psql (`\\conninfo` with `sslmode=require`, and
//! with `sslnegotiation=direct` on the libpq 17+ of the psycopg-binary wheel) and psycopg 3 with
//! SCRAM-SHA-256-PLUS.

mod support;

use std::path::PathBuf;
use std::process::Command;

/// The workspace root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// The Python venv with psycopg (made by tests/compat/setup-python.sh from the test command).
fn venv_python() -> PathBuf {
    let venv = std::env::var_os("PGPROTO_VENV").map_or_else(
        || PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/pgproto/venv"),
        PathBuf::from,
    );
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "{} is missing: run bash tests/compat/setup-python.sh (scripts/test.sh does)",
        python.display()
    );
    python
}

#[test]
fn tls_with_psql_and_psycopg_scram_plus_and_direct_tls() {
    let (crt, key) = support::certificate();
    let (crt, key) = (crt.display().to_string(), key.display().to_string());
    let server = support::start(&["--auth", "scram", "--tls-cert", &crt, "--tls-key", &key]);
    let port = server.port.to_string();
    for mode in [&[][..], &["direct"][..]] {
        let out = Command::new("bash")
            .arg(root().join("tests/compat/psql_conninfo.sh"))
            .args(["127.0.0.1", &port, support::USER, support::PASSWORD])
            .args(mode)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "psql {mode:?}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = Command::new(venv_python())
        .arg(root().join("tests/compat/psycopg_tls.py"))
        .args([
            "--host",
            "127.0.0.1",
            "--port",
            &port,
            "--user",
            support::USER,
        ])
        .args([
            "--password",
            support::PASSWORD,
            "--dbname",
            "lab",
            "--expect-plus",
        ])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for check in ["tls", "scram-plus", "direct", "bad-password"] {
        assert!(
            stdout.contains(&format!("ok   {check}")),
            "{check}: {stdout}"
        );
    }
    server.stop();
}

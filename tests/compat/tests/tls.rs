//! Every binding's lab over TLS with real clients: psql (`\conninfo` with `sslmode=require`, and
//! with `sslnegotiation=direct` on the libpq 17+ of the psycopg-binary wheel) and psycopg 3 with
//! SCRAM-SHA-256 and -PLUS, direct TLS and a wrong password.

use std::path::PathBuf;
use std::process::Command;

use pgproto_compat::{certificate, root, Server, BINDINGS, PASSWORD, USER};

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
    let (crt, key) = certificate();
    let (crt, key) = (crt.display().to_string(), key.display().to_string());
    for b in BINDINGS {
        let server = Server::lab(b, &["--tls-cert", &crt, "--tls-key", &key]);
        let port = server.port.to_string();
        for mode in [&[][..], &["direct"][..]] {
            let out = Command::new("bash")
                .arg(root().join("tests/compat/psql_conninfo.sh"))
                .args(["127.0.0.1", &port, USER, PASSWORD])
                .args(mode)
                .output()
                .unwrap();
            assert!(
                out.status.success(),
                "{} psql {mode:?}: {}{}",
                b.name,
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let out = Command::new(venv_python())
            .arg(root().join("tests/compat/psycopg_tls.py"))
            .args(["--host", "127.0.0.1", "--port", &port, "--user", USER])
            .args(["--password", PASSWORD, "--dbname", "lab", "--expect-plus"])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let what = format!(
            "{}: {stdout}{}",
            b.name,
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(out.status.success(), "{what}");
        for check in ["tls", "scram-plus", "direct", "bad-password"] {
            assert!(stdout.contains(&format!("ok   {check}")), "{check}: {what}");
        }
        server.stop();
    }
}

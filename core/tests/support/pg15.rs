//! A throw-away PostgreSQL 15 for one test process, started through `tools/pg/with_pg.sh`, with
//! users for each authentication method. It stops when the process ends (its stdin closes).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// The running server.
pub struct Pg15 {
    /// Its TCP port on 127.0.0.1.
    pub port: u16,
    /// Its TLS certificate (PEM), self-signed for `localhost`.
    pub cert_pem: Vec<u8>,
    _child: Child,
}

const HBA: &str = "local all all trust
host all postgres 127.0.0.1/32 trust
host all trust_user 127.0.0.1/32 trust
host all md5_user 127.0.0.1/32 md5
host all scram_user 127.0.0.1/32 scram-sha-256
host all clear_user 127.0.0.1/32 password
";

const SETUP: &str = "
SET password_encryption = 'md5';
CREATE ROLE md5_user LOGIN PASSWORD 'md5-pw';
SET password_encryption = 'scram-sha-256';
CREATE ROLE scram_user LOGIN PASSWORD 'scram-pw';
CREATE ROLE clear_user LOGIN PASSWORD 'clear-pw';
CREATE ROLE trust_user LOGIN SUPERUSER;
";

/// Runs with_pg.sh, creates the roles, prints the port, then holds until stdin closes; removes
/// the work directory (certificate, cluster) when PostgreSQL has stopped.
const RUNNER: &str = r#"bash "$0" bash -c 'psql -qX -v ON_ERROR_STOP=1 -c "$0" >&2 && echo "$PGPORT" && cat >/dev/null' "$1"; rm -rf "$PGPROTO_PG_WORK""#;

/// Makes a self-signed certificate for `localhost` and its key (PEM) with openssl.
pub fn certificate(crt: &std::path::Path, key: &std::path::Path) {
    let status = Command::new("openssl")
        .args(["req", "-x509", "-newkey", "rsa:2048", "-nodes"])
        .args(["-subj", "/CN=localhost", "-days", "2", "-keyout"])
        .arg(key)
        .arg("-out")
        .arg(crt)
        .stderr(Stdio::null())
        .status()
        .expect("openssl is required to make the test server's certificate");
    assert!(status.success(), "openssl failed");
}

/// The server, started on first use; fails loudly if PostgreSQL 15 cannot be started.
pub fn pg15() -> &'static Pg15 {
    static PG: OnceLock<Pg15> = OnceLock::new();
    PG.get_or_init(|| {
        // The workspace's tools, from whichever crate includes this file.
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .map(|d| d.join("tools/pg/with_pg.sh"))
            .find(|p| p.exists())
            .expect("tools/pg/with_pg.sh in the workspace");
        let work = std::env::temp_dir().join(format!("pgproto-pg15-{}", std::process::id()));
        std::fs::create_dir_all(&work).unwrap();
        let (crt, key) = (work.join("server.crt"), work.join("server.key"));
        certificate(&crt, &key);
        assert!(Command::new("chmod")
            .arg("600")
            .arg(&key)
            .status()
            .unwrap()
            .success());
        // PostgreSQL runs as user postgres when the tests run as root: it must own its key.
        let _ = Command::new("chown")
            .arg("postgres:")
            .arg(&key)
            .arg(&crt)
            .stderr(Stdio::null())
            .status();
        let conf = format!(
            "ssl = on\nssl_cert_file = '{}'\nssl_key_file = '{}'\n",
            crt.display(),
            key.display()
        );
        let mut child = Command::new("bash")
            .args(["-c", RUNNER])
            .arg(&script)
            .arg(SETUP)
            .env("PGPROTO_PG_HBA", HBA)
            .env("PGPROTO_PG_WORK", &work)
            .env("PGPROTO_PG_CONF", conf)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect(
                "bash tools/pg/with_pg.sh: PostgreSQL 15 is required (apt-get install postgresql)",
            );
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let port = line
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("PostgreSQL 15 did not start (got {line:?})"));
        let cert_pem = std::fs::read(&crt).unwrap();
        Pg15 {
            port,
            cert_pem,
            _child: child,
        }
    })
}

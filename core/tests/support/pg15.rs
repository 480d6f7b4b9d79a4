//! A throw-away PostgreSQL 15 for one test process, started through `tools/pg/with_pg.sh`, with
//! users for each authentication method. It stops when the process ends (its stdin closes).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

/// The running server.
pub struct Pg15 {
    /// Its TCP port on 127.0.0.1.
    pub port: u16,
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

/// The server, started on first use; fails loudly if PostgreSQL 15 cannot be started.
pub fn pg15() -> &'static Pg15 {
    static PG: OnceLock<Pg15> = OnceLock::new();
    PG.get_or_init(|| {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../tools/pg/with_pg.sh");
        let mut child = Command::new("bash")
            .arg(script)
            .args([
                "bash",
                "-c",
                "psql -qX -v ON_ERROR_STOP=1 -c \"$0\" >&2 && echo \"$PGPORT\" && cat >/dev/null",
                SETUP,
            ])
            .env("PGPROTO_PG_HBA", HBA)
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
        Pg15 {
            port,
            _child: child,
        }
    })
}

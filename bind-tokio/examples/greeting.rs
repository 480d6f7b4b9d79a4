//! `greeting` on tokio: a PostgreSQL-compatible server that greets every session with a NOTICE
//! ("Welcome to pgproto") before its first ReadyForQuery, then answers every query with one row.
//! Trust authentication unless `--auth` says otherwise.
//!
//! ```text
//! cargo run -p pgproto-tokio --example greeting -- --listen 127.0.0.1:5432
//! psql -h 127.0.0.1 -U postgres -c 'SELECT 1'
//! ```

use pgproto_tokio::Runtime as _;

fn main() {
    let args = pgproto_demo::args("greeting");
    let result = pgproto_tokio::Tokio::serve_args(pgproto_demo::Greeting(args.clone()), &args);
    pgproto_demo::exit("greeting", result);
}

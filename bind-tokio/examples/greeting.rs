//! `greeting` on tokio: a PostgreSQL-compatible server that greets every session with a NOTICE
//! ("Welcome to pgproto") before its first ReadyForQuery, then answers every query with one row.
//! Trust authentication unless `--auth` says otherwise.
//!
//! ```text
//! cargo run -p pgproto-tokio --example greeting -- --listen 127.0.0.1:5432
//! psql -h 127.0.0.1 -U postgres -c 'SELECT 1'
//! ```

fn main() {
    pgproto_demo::run::<pgproto_tokio::Tokio>("greeting", pgproto_demo::Demo::Greeting);
}

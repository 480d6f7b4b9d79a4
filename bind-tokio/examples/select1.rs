//! `select1` on tokio: a PostgreSQL-compatible server that answers any query with one row (`1`),
//! for load tests. Trust authentication unless `--auth` says otherwise.
//!
//! ```text
//! cargo run --release -p pgproto-tokio --example select1 -- --listen 127.0.0.1:5432
//! pgbench -n -f select1.sql -M prepared -c 16 -T 10 -h 127.0.0.1 -p 5432 -U postgres
//! ```

fn main() {
    pgproto_demo::run::<pgproto_tokio::Tokio>("select1", pgproto_demo::Demo::Select1);
}

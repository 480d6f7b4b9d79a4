//! `select1` on tokio: a PostgreSQL-compatible server that answers any query with one row (`1`),
//! for load tests. Trust authentication unless `--auth` says otherwise.
//!
//! ```text
//! cargo run --release -p pgproto-tokio --example select1 -- --listen 127.0.0.1:5432
//! pgbench -n -f select1.sql -M prepared -c 16 -T 10 -h 127.0.0.1 -p 5432 -U postgres
//! ```

use pgproto_tokio::Runtime as _;

fn main() {
    let args = pgproto_demo::args("select1");
    let result = pgproto_tokio::Tokio::serve_args(pgproto_demo::Select1(args.clone()), &args);
    pgproto_demo::exit("select1", result);
}

//! `select1` on monoio (io_uring): answers any query with one row, for load tests.
//!
//! ```text
//! cargo run --release -p pgproto-monoio --example select1_monoio -- --listen 127.0.0.1:5432
//! ```

use pgproto_monoio::Runtime as _;

fn main() {
    let args = pgproto_demo::args("select1_monoio");
    let result = pgproto_monoio::Monoio::serve_args(pgproto_demo::Select1(args.clone()), &args);
    pgproto_demo::exit("select1_monoio", result);
}

//! `select1` on async-std: answers any query with one row, for load tests.
//!
//! ```text
//! cargo run --release -p pgproto-smol --example select1_async_std -- --listen 127.0.0.1:5432
//! ```

use pgproto_smol::Runtime as _;

fn main() {
    let args = pgproto_demo::args("select1_async_std");
    let result = pgproto_smol::AsyncStd::serve_args(pgproto_demo::Select1(args.clone()), &args);
    pgproto_demo::exit("select1_async_std", result);
}

//! `greeting` on async-std: greets every session with a NOTICE, then answers every query
//! with one row.
//!
//! ```text
//! cargo run -p pgproto-smol --example greeting_async_std -- --listen 127.0.0.1:5432
//! ```

use pgproto_smol::Runtime as _;

fn main() {
    let args = pgproto_demo::args("greeting_async_std");
    let result = pgproto_smol::AsyncStd::serve_args(pgproto_demo::Greeting(args.clone()), &args);
    pgproto_demo::exit("greeting_async_std", result);
}

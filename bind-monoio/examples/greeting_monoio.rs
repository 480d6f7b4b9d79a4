//! `greeting` on monoio (io_uring): greets every session with a NOTICE, then answers every query
//! with one row.
//!
//! ```text
//! cargo run -p pgproto-monoio --example greeting_monoio -- --listen 127.0.0.1:5432
//! ```

use pgproto_monoio::Runtime as _;

fn main() {
    let args = pgproto_demo::args("greeting_monoio");
    let result = pgproto_monoio::Monoio::serve_args(pgproto_demo::Greeting(args.clone()), &args);
    pgproto_demo::exit("greeting_monoio", result);
}

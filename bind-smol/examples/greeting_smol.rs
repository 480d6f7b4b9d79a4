//! `greeting` on smol (async-io): greets every session with a NOTICE, then answers every query
//! with one row.
//!
//! ```text
//! cargo run -p pgproto-smol --example greeting_smol -- --listen 127.0.0.1:5432
//! ```

use pgproto_smol::Runtime as _;

fn main() {
    let args = pgproto_demo::args("greeting_smol");
    let result = pgproto_smol::Smol::serve_args(pgproto_demo::Greeting(args.clone()), &args);
    pgproto_demo::exit("greeting_smol", result);
}

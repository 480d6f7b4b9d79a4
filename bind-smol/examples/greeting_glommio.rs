//! `greeting` on glommio: greets every session with a NOTICE, then answers every query
//! with one row.
//!
//! ```text
//! cargo run -p pgproto-smol --example greeting_glommio -- --listen 127.0.0.1:5432
//! ```

use pgproto_smol::Runtime as _;

fn main() {
    let args = pgproto_demo::args("greeting_glommio");
    let result = pgproto_smol::Glommio::serve_args(pgproto_demo::Greeting(args.clone()), &args);
    pgproto_demo::exit("greeting_glommio", result);
}

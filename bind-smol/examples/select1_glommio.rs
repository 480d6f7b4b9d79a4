//! `select1` on glommio: answers any query with one row, for load tests.
//!
//! ```text
//! cargo run --release -p pgproto-smol --example select1_glommio -- --listen 127.0.0.1:5432
//! ```

use pgproto_smol::Runtime as _;

fn main() {
    let args = pgproto_demo::args("select1_glommio");
    let result = pgproto_smol::Glommio::serve_args(pgproto_demo::Select1(args.clone()), &args);
    pgproto_demo::exit("select1_glommio", result);
}

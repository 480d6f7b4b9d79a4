//! `select1` on smol (async-io): answers any query with one row, for load tests.
//!
//! ```text
//! cargo run --release -p pgproto-smol --example select1_smol -- --listen 127.0.0.1:5432
//! ```

fn main() {
    pgproto_demo::run::<pgproto_smol::Smol>("select1_smol", pgproto_demo::Demo::Select1);
}

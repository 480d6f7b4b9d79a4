//! `select1` on monoio (io_uring): answers any query with one row, for load tests.
//!
//! ```text
//! cargo run --release -p pgproto-monoio --example select1_monoio -- --listen 127.0.0.1:5432
//! ```

fn main() {
    pgproto_demo::run::<pgproto_monoio::Monoio>("select1_monoio", pgproto_demo::Demo::Select1);
}

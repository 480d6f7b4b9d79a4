//! `select1` on async-std: answers any query with one row, for load tests.
//!
//! ```text
//! cargo run --release -p pgproto-smol --example select1_async_std -- --listen 127.0.0.1:5432
//! ```

fn main() {
    pgproto_demo::run::<pgproto_smol::AsyncStd>("select1_async_std", pgproto_demo::Demo::Select1);
}

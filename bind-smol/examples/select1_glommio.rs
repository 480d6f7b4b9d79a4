//! `select1` on glommio: answers any query with one row, for load tests.
//!
//! ```text
//! cargo run --release -p pgproto-smol --example select1_glommio -- --listen 127.0.0.1:5432
//! ```

fn main() {
    pgproto_demo::run::<pgproto_smol::Glommio>("select1_glommio", pgproto_demo::Demo::Select1);
}

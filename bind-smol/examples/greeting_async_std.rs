//! `greeting` on async-std: greets every session with a NOTICE, then answers every query
//! with one row.
//!
//! ```text
//! cargo run -p pgproto-smol --example greeting_async_std -- --listen 127.0.0.1:5432
//! ```

fn main() {
    pgproto_demo::run::<pgproto_smol::AsyncStd>("greeting_async_std", pgproto_demo::Demo::Greeting);
}

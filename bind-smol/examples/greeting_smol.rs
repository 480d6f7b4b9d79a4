//! `greeting` on smol (async-io): greets every session with a NOTICE, then answers every query
//! with one row.
//!
//! ```text
//! cargo run -p pgproto-smol --example greeting_smol -- --listen 127.0.0.1:5432
//! ```

fn main() {
    pgproto_demo::run::<pgproto_smol::Smol>("greeting_smol", pgproto_demo::Demo::Greeting);
}

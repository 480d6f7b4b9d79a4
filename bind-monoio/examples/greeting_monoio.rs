//! `greeting` on monoio (io_uring): greets every session with a NOTICE, then answers every query
//! with one row.
//!
//! ```text
//! cargo run -p pgproto-monoio --example greeting_monoio -- --listen 127.0.0.1:5432
//! ```

fn main() {
    pgproto_demo::run::<pgproto_monoio::Monoio>("greeting_monoio", pgproto_demo::Demo::Greeting);
}

//! `greeting` on glommio: greets every session with a NOTICE, then answers every query
//! with one row.
//!
//! ```text
//! cargo run -p pgproto-smol --example greeting_glommio -- --listen 127.0.0.1:5432
//! ```

fn main() {
    pgproto_demo::run::<pgproto_smol::Glommio>("greeting_glommio", pgproto_demo::Demo::Greeting);
}

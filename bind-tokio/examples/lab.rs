//! `lab` on tokio: the test application the real-client scenarios of `tests/compat` run
//! against (see `pgproto_demo::Lab`).

fn main() {
    pgproto_demo::run::<pgproto_tokio::Tokio>("lab", pgproto_demo::Demo::Lab);
}

//! `lab_async_std` on async-std: the test application the real-client scenarios of
//! `tests/compat` run against (see `pgproto_demo::Lab`).

fn main() {
    pgproto_demo::run::<pgproto_smol::AsyncStd>("lab_async_std", pgproto_demo::Demo::Lab);
}

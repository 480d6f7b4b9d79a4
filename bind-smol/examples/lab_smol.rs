//! `lab_smol` on smol (async-io): the test application the real-client scenarios of `tests/compat` run
//! against (see `pgproto_demo::Lab`).

fn main() {
    pgproto_demo::run::<pgproto_smol::Smol>("lab_smol", pgproto_demo::Demo::Lab);
}

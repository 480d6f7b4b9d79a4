//! `lab_monoio` on monoio (io_uring): the test application the real-client scenarios of `tests/compat` run
//! against (see `pgproto_demo::Lab`).

fn main() {
    pgproto_demo::run::<pgproto_monoio::Monoio>("lab_monoio", pgproto_demo::Demo::Lab);
}

//! `lab_glommio` on glommio: the test application the real-client scenarios of `tests/compat`
//! run against (see `pgproto_demo::Lab`).

fn main() {
    pgproto_demo::run::<pgproto_smol::Glommio>("lab_glommio", pgproto_demo::Demo::Lab);
}

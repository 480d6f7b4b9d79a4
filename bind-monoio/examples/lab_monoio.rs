//! `lab_monoio` on monoio (io_uring): the test application the real-client scenarios of `tests/compat` run
//! against (see `pgproto_demo::Lab`).

use std::sync::Arc;

use pgproto_monoio::Runtime as _;
use pgproto_service::{Server, Sessions};

fn main() {
    let args = pgproto_demo::args("lab_monoio");
    let sessions = Arc::new(Sessions::new());
    let lab = pgproto_demo::Lab::new(
        args.clone(),
        sessions.clone(),
        pgproto_monoio::MonoioClock::default(),
    );
    let server = Server::new(lab).with_sessions(sessions);
    pgproto_demo::exit("lab_monoio", pgproto_monoio::Monoio::serve(server, &args));
}

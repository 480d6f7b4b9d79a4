//! `lab_async_std` on async-std: the test application the real-client scenarios of
//! `tests/compat` run against (see `pgproto_demo::Lab`).

use std::sync::Arc;

use pgproto_service::{Server, Sessions};
use pgproto_smol::Runtime as _;

fn main() {
    let args = pgproto_demo::args("lab_async_std");
    let sessions = Arc::new(Sessions::new());
    let lab = pgproto_demo::Lab::new(
        args.clone(),
        sessions.clone(),
        pgproto_smol::AsyncStdClock::default(),
    );
    let server = Server::new(lab).with_sessions(sessions);
    pgproto_demo::exit(
        "lab_async_std",
        pgproto_smol::AsyncStd::serve(server, &args),
    );
}

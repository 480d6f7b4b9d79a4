//! `lab` on tokio: the test application the real-client scenarios of `tests/compat` run
//! against (see `pgproto_demo::Lab`).

use std::sync::Arc;

use pgproto_service::{Server, Sessions};
use pgproto_tokio::Runtime as _;

fn main() {
    let args = pgproto_demo::args("lab");
    let sessions = Arc::new(Sessions::new());
    let lab = pgproto_demo::Lab::new(
        args.clone(),
        sessions.clone(),
        pgproto_tokio::TokioClock::default(),
    );
    let server = Server::new(lab).with_sessions(sessions);
    pgproto_demo::exit("lab", pgproto_tokio::Tokio::serve(server, &args));
}

//! `lab_glommio` on glommio: the test application the real-client scenarios of `tests/compat`
//! run against (see `pgproto_demo::Lab`).

use std::sync::Arc;

use pgproto_service::{Server, Sessions};
use pgproto_smol::Runtime as _;

fn main() {
    let args = pgproto_demo::args("lab_glommio");
    let sessions = Arc::new(Sessions::new());
    let lab = pgproto_demo::Lab::new(
        args.clone(),
        sessions.clone(),
        pgproto_smol::GlommioClock::default(),
    );
    let server = Server::new(lab).with_sessions(sessions);
    pgproto_demo::exit("lab_glommio", pgproto_smol::Glommio::serve(server, &args));
}

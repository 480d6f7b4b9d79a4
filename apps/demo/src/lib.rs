//! The demo servers every runtime binding ships as examples, written once: [`Select1`] answers
//! any query with one row, for load tests; [`Greeting`] does the same after greeting each
//! session with a NOTICE ("Welcome to pgproto") before its first ReadyForQuery, the way Neon's
//! proxy greets; [`Lab`] is the application the real-client scenarios run against. All
//! authenticate as their command-line options say (trust by default).

mod lab;
mod one_row;

use std::sync::Arc;

use pgproto_service::args::ServerArgs;
use pgproto_service::pgproto::backend::{sqlstate, AuthMethod, ServerError, Severity};
use pgproto_service::runtime::RuntimeClock;
use pgproto_service::{Credentials, Handler, Login, Reply, Runtime, Server, Sessions};

pub use lab::{Lab, LabSession};
pub use one_row::OneRow;

/// Answers any query with one row.
#[derive(Debug)]
pub struct Select1(pub ServerArgs);

impl Handler for Select1 {
    type Session = OneRow;

    async fn credentials(&self, login: &Login) -> Result<Credentials, ServerError> {
        self.0.credentials(login)
    }

    async fn open(&self, _: &Login, _: &mut Reply<'_>) -> Result<OneRow, ServerError> {
        Ok(OneRow::default())
    }
}

/// Greets every session with a NOTICE, then answers any query with one row.
#[derive(Debug)]
pub struct Greeting(pub ServerArgs);

impl Handler for Greeting {
    type Session = OneRow;

    async fn credentials(&self, login: &Login) -> Result<Credentials, ServerError> {
        self.0.credentials(login)
    }

    async fn open(&self, _: &Login, reply: &mut Reply<'_>) -> Result<OneRow, ServerError> {
        let welcome = ServerError::new(Severity::Notice, "00000", "Welcome to pgproto");
        reply.notice(&welcome).map_err(|_| {
            ServerError::fatal(sqlstate::INTERNAL_ERROR, "cannot send the greeting")
        })?;
        Ok(OneRow::default())
    }
}

/// The demo servers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demo {
    /// [`Select1`].
    Select1,
    /// [`Greeting`].
    Greeting,
    /// [`Lab`], with its own session registry.
    Lab,
}

/// An example's `main`: runs `demo` on runtime `R` as the command line says (trust unless
/// `--auth` says otherwise). A bad command line is printed as `NAME: error` with exit status 2;
/// a server that cannot run, with status 1.
pub fn run<R: Runtime>(name: &str, demo: Demo) {
    let args = ServerArgs::parse(AuthMethod::Trust, std::env::args().skip(1), |_, _| false)
        .unwrap_or_else(|e| {
            eprintln!("{name}: {e}");
            std::process::exit(2);
        });
    let result = match demo {
        Demo::Select1 => R::serve_args(Select1(args.clone()), &args),
        Demo::Greeting => R::serve_args(Greeting(args.clone()), &args),
        Demo::Lab => {
            let sessions = Arc::new(Sessions::new());
            let lab = Lab::new(args.clone(), sessions.clone(), RuntimeClock::<R>::default());
            R::serve(Server::new(lab).with_sessions(sessions), &args)
        }
    };
    if let Err(e) = result {
        eprintln!("{name}: {e}");
        std::process::exit(1);
    }
}

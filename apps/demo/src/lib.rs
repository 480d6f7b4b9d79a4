//! The demo servers every runtime binding ships as examples, written once: [`Select1`] answers
//! any query with one row, for load tests; [`Greeting`] does the same after greeting each
//! session with a NOTICE ("Welcome to pgproto") before its first ReadyForQuery, the way Neon's
//! proxy greets; [`Lab`] is the application the real-client scenarios run against. All
//! authenticate as their command-line options say (trust by default).

mod lab;
mod one_row;

use pgproto_service::args::ServerArgs;
use pgproto_service::pgproto::backend::{sqlstate, AuthMethod, ServerError, Severity};
use pgproto_service::{Credentials, Handler, Login, Reply};

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

/// Parses a demo server's command line (trust unless `--auth` says otherwise); on an error
/// prints it as `NAME: error` and exits with status 2.
pub fn args(name: &str) -> ServerArgs {
    ServerArgs::parse(AuthMethod::Trust, std::env::args().skip(1), |_, _| false).unwrap_or_else(
        |e| {
            eprintln!("{name}: {e}");
            std::process::exit(2);
        },
    )
}

/// Ends a demo server: an error is printed as `NAME: error`, with exit status 1.
pub fn exit(name: &str, result: std::io::Result<()>) {
    if let Err(e) = result {
        eprintln!("{name}: {e}");
        std::process::exit(1);
    }
}

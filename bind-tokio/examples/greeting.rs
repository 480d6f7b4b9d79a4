//! `greeting`: a PostgreSQL-compatible server that greets every session with a NOTICE
//! ("Welcome to pgproto") before its first ReadyForQuery, the way Neon's proxy does, then
//! answers every query with one row. Trust authentication unless `--auth` says otherwise.
//!
//! ```text
//! cargo run -p pgproto-tokio --example greeting -- --listen 127.0.0.1:5432
//! psql -h 127.0.0.1 -U postgres -c 'SELECT 1'
//! ```

mod one_row;

use pgproto_service::args::ServerArgs;
use pgproto_service::pgproto::backend::{AuthMethod, ServerError, Severity};
use pgproto_service::{Credentials, Handler, Login, Reply};

struct Greeting(ServerArgs);

impl Handler for Greeting {
    type Session = one_row::OneRow;

    async fn credentials(&self, login: &Login) -> Result<Credentials, ServerError> {
        self.0.credentials(login)
    }

    async fn open(&self, _: &Login, reply: &mut Reply<'_>) -> Result<Self::Session, ServerError> {
        let welcome = ServerError::new(Severity::Notice, "00000", "Welcome to pgproto");
        reply
            .notice(&welcome)
            .map_err(|_| ServerError::fatal("XX000", "cannot send the greeting"))?;
        Ok(one_row::OneRow::default())
    }
}

fn main() {
    let args = match ServerArgs::parse(AuthMethod::Trust, std::env::args().skip(1), |_, _| false) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("greeting: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = pgproto_tokio::serve_args(Greeting(args.clone()), &args) {
        eprintln!("greeting: {e}");
        std::process::exit(1);
    }
}

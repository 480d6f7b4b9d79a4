//! `select1`: a PostgreSQL-compatible server that answers any query with one row (`1`), for
//! load tests. Trust authentication unless `--auth` says otherwise.
//!
//! ```text
//! cargo run --release -p pgproto-tokio --example select1 -- --listen 127.0.0.1:5432
//! pgbench -n -f select1.sql -M prepared -c 16 -T 10 -h 127.0.0.1 -p 5432 -U postgres
//! ```

mod one_row;

use pgproto_service::args::ServerArgs;
use pgproto_service::pgproto::backend::{AuthMethod, ServerError};
use pgproto_service::{Credentials, Handler, Login, Reply};

struct Select1(ServerArgs);

impl Handler for Select1 {
    type Session = one_row::OneRow;

    async fn credentials(&self, login: &Login) -> Result<Credentials, ServerError> {
        self.0.credentials(login)
    }

    async fn open(&self, _: &Login, _: &mut Reply<'_>) -> Result<Self::Session, ServerError> {
        Ok(one_row::OneRow::default())
    }
}

fn main() {
    let args = match ServerArgs::parse(AuthMethod::Trust, std::env::args().skip(1), |_, _| false) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("select1: {e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = pgproto_tokio::serve_args(Select1(args.clone()), &args) {
        eprintln!("select1: {e}");
        std::process::exit(1);
    }
}

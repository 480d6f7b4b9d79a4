//! pgproto on tokio: run a [`Server`] on TCP and Unix sockets, thread-per-core; or connect to
//! one as a client ([`connect`]).
//!
//! The protocol, TLS, the session registry and the connection loop live in
//! [`pgproto_service`]; this crate only moves bytes: it accepts connections, hands each to a
//! worker thread running a single-threaded tokio runtime (so an application's futures need not
//! be `Send`), provides tokio's timers, and stops on SIGINT/SIGTERM or a [`Shutdown`] handle.
//!
//! ```no_run
//! use pgproto_service::pgproto::backend::ServerError;
//! use pgproto_service::{Credentials, Error, Handler, Login, Reply, Server, Session};
//!
//! struct Hello;
//! struct HelloSession;
//!
//! impl Handler for Hello {
//!     type Session = HelloSession;
//!     async fn credentials(&self, _: &Login) -> Result<Credentials, ServerError> {
//!         Ok(Credentials::trust())
//!     }
//!     async fn open(&self, _: &Login, _: &mut Reply<'_>) -> Result<HelloSession, ServerError> {
//!         Ok(HelloSession)
//!     }
//! }
//!
//! impl Session for HelloSession {
//!     async fn query(&mut self, _sql: &str, reply: &mut Reply<'_>) -> Result<(), Error> {
//!         reply.command_complete("SELECT 0")
//!     }
//! }
//!
//! let listeners = vec![pgproto_tokio::Listen::Tcp("127.0.0.1:5432".into())];
//! pgproto_tokio::run(Server::new(Hello), &listeners, &pgproto_tokio::Options::default()).unwrap();
//! ```

mod client;
mod run;
mod stream;

pub use client::{cancel, connect, Client};

pub use pgproto_service::lifecycle::{Options, Shutdown};
pub use pgproto_service::listen::Listen;
pub use run::{run, serve, serve_args};
pub use stream::{Stream, TokioClock};

//! pgproto on tokio: run a [`Server`](pgproto_service::Server) on TCP and Unix sockets,
//! thread-per-core; or connect to one as a client ([`Runtime::connect`]). [`Tokio`] is the
//! [`Runtime`]: every binding has the same methods, written once in
//! [`pgproto_service::runtime`].
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
//! use pgproto_tokio::{Listen, Options, Runtime, Tokio};
//!
//! let listeners = vec![Listen::Tcp("127.0.0.1:5432".into())];
//! Tokio::run(Server::new(Hello), &listeners, &Options::default()).unwrap();
//! ```

mod runtime;
mod stream;

pub use pgproto_service::lifecycle::{Options, Shutdown};
pub use pgproto_service::listen::Listen;
pub use pgproto_service::Runtime;
pub use runtime::Tokio;
pub use stream::Stream;

/// A PostgreSQL client connection made by [`Runtime::connect`].
pub type Client = pgproto_service::client::Client<Stream>;

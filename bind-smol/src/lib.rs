//! pgproto on futures-io runtimes: run a [`Server`](pgproto_service::Server) on TCP and Unix
//! sockets, thread-per-core with async-io's reactor (what smol and async-std run on); or connect
//! to one as a client ([`Runtime::connect`]). [`Smol`] is the [`Runtime`]: the same methods as
//! every binding's, written once in [`pgproto_service::runtime`].
//!
//! The protocol, TLS, the session registry, the listeners and the shutdown sequence live in
//! [`pgproto_service`]; this crate only moves bytes.

mod runtime;
mod stream;

pub use pgproto_service::lifecycle::{Options, Shutdown};
pub use pgproto_service::listen::Listen;
pub use pgproto_service::Runtime;
pub use runtime::Smol;
pub use stream::Stream;

/// A PostgreSQL client connection on this runtime (made by [`Runtime::connect`]).
pub type Client = pgproto_service::client::Client<Stream>;

/// This runtime's clock.
pub type SmolClock = pgproto_service::runtime::RuntimeClock<Smol>;

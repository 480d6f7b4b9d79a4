//! pgproto on futures-io runtimes: run a [`Server`](pgproto_service::Server) on TCP and Unix
//! sockets, thread-per-core with async-io's reactor (what smol and async-std run on); or connect
//! to one as a client ([`Runtime::connect`]). [`Smol`] and [`AsyncStd`] (feature `async-std`,
//! on by default) are the [`Runtime`]s: the same methods as every binding's, written once in
//! [`pgproto_service::runtime`]. Both run on async-io's reactor; they differ in the executor.
//!
//! The protocol, TLS, the session registry, the listeners and the shutdown sequence live in
//! [`pgproto_service`]; this crate only moves bytes.

mod runtime;
mod stream;

pub use pgproto_service::lifecycle::{Options, Shutdown};
pub use pgproto_service::listen::Listen;
pub use pgproto_service::Runtime;
pub use runtime::{AsyncIo, Executor, Smol, SmolExecutor};
#[cfg(feature = "async-std")]
pub use runtime::{AsyncStd, AsyncStdExecutor};
pub use stream::Stream;

/// A PostgreSQL client connection on this runtime (made by [`Runtime::connect`]).
pub type Client = pgproto_service::client::Client<Stream>;

/// smol's clock.
pub type SmolClock = pgproto_service::runtime::RuntimeClock<Smol>;

/// async-std's clock.
#[cfg(feature = "async-std")]
pub type AsyncStdClock = pgproto_service::runtime::RuntimeClock<AsyncStd>;

//! pgproto on futures-io runtimes: run a [`Server`](pgproto_service::Server) on TCP and Unix
//! sockets, thread-per-core with async-io's reactor (what smol and async-std run on); or connect
//! to one as a client ([`Runtime::connect`]). [`Smol`], [`AsyncStd`] (feature `async-std`) and
//! [`Glommio`] (feature `glommio`, Linux; both on by default) are the [`Runtime`]s: the same
//! methods as every binding's, written once in [`pgproto_service::runtime`]. `Smol` and
//! `AsyncStd` run on async-io's reactor and differ in the executor; `Glommio` runs glommio's
//! executor and sockets through [`FuturesIo`], the transport for any futures-io stream.
//!
//! The protocol, TLS, the session registry, the listeners and the shutdown sequence live in
//! [`pgproto_service`]; this crate only moves bytes.

mod futures_io;
#[cfg(all(feature = "glommio", target_os = "linux"))]
mod glommio;
mod runtime;
mod stream;

pub use futures_io::FuturesIo;
#[cfg(all(feature = "glommio", target_os = "linux"))]
pub use glommio::{Glommio, Socket};
pub use pgproto_service::lifecycle::{Options, Shutdown};
pub use pgproto_service::listen::Listen;
pub use pgproto_service::Runtime;
pub use runtime::{AsyncIo, Executor, Smol, SmolExecutor};
#[cfg(feature = "async-std")]
pub use runtime::{AsyncStd, AsyncStdExecutor};
pub use stream::Stream;

/// A PostgreSQL client connection made by [`Smol`] or [`AsyncStd`] (`Runtime::connect`).
pub type Client = pgproto_service::client::Client<Stream>;

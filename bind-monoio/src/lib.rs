//! pgproto on monoio: run a [`Server`](pgproto_service::Server) on TCP and Unix sockets,
//! thread-per-core on io_uring (with monoio's epoll driver where io_uring is unavailable), or
//! connect to one as a client ([`Runtime::connect`]). [`Monoio`] is the [`Runtime`]: the same
//! methods as every binding's, written once in [`pgproto_service::runtime`].
//!
//! Reads lend the connection's input buffer to the kernel and get it back filled; writes hand
//! over the whole output batch. The protocol, TLS, the session registry, the listeners and the
//! shutdown sequence live in [`pgproto_service`]; this crate only moves bytes.

mod runtime;
mod stream;

pub use pgproto_service::lifecycle::{Options, Shutdown};
pub use pgproto_service::listen::Listen;
pub use pgproto_service::Runtime;
pub use runtime::Monoio;
pub use stream::Stream;

/// A PostgreSQL client connection made by [`Runtime::connect`].
pub type Client = pgproto_service::client::Client<Stream>;

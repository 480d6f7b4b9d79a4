//! pgproto on futures-io runtimes: run a [`Server`](pgproto_service::Server) on TCP and Unix
//! sockets, thread-per-core with async-io's reactor (what smol and async-std run on); or connect
//! to one as a client ([`connect`]). The API matches `pgproto-tokio`'s: [`run`], [`serve_args`],
//! [`Options`], [`Listen`], [`Shutdown`], [`connect`], [`cancel`].
//!
//! The protocol, TLS, the session registry, the listeners and the shutdown sequence live in
//! [`pgproto_service`]; this crate only moves bytes.

mod client;
mod run;
mod stream;

pub use client::{cancel, connect, Client};
pub use pgproto_service::lifecycle::{Options, Shutdown};
pub use pgproto_service::listen::Listen;
pub use run::{run, serve, serve_args};
pub use stream::{SmolClock, Stream};

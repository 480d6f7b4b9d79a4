//! pgproto on monoio: run a [`Server`](pgproto_service::Server) on TCP and Unix sockets,
//! thread-per-core on io_uring (with monoio's epoll driver where io_uring is unavailable), or
//! connect to one as a client ([`connect`]). The API matches `pgproto-tokio`'s: [`run`],
//! [`serve_args`], [`Options`], [`Listen`], [`Shutdown`], [`connect`], [`cancel`].
//!
//! Reads lend the connection's input buffer to the kernel and get it back filled; writes hand
//! over the whole output batch. The protocol, TLS, the session registry, the listeners and the
//! shutdown sequence live in [`pgproto_service`]; this crate only moves bytes.

mod client;
mod run;
mod stream;

pub use client::{cancel, connect, Client};
pub use pgproto_service::lifecycle::{Options, Shutdown};
pub use pgproto_service::listen::Listen;
pub use run::{run, serve, serve_args};
pub use stream::{MonoioClock, Stream};

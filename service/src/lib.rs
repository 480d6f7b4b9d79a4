//! pgproto-service: the runtime-agnostic async layer of pgproto, written once for every binding.
//!
//! An application implements [`Handler`] (who may log in, and a [`Session`] per connection that
//! answers queries). A runtime binding accepts connections and runs [`Server::serve`] on each,
//! providing only a byte stream ([`Transport`]) and timers ([`Clock`]). Everything else lives
//! here once: the connection loop over the Sans-IO core, TLS (rustls), the session registry that
//! routes cancel requests and pushes notifications, connection limits and shutdown.

pub mod args;
pub mod client;
mod handler;
pub mod lifecycle;
pub mod listen;
mod pool;
mod reply;
pub mod runtime;
mod serve;
mod sessions;
pub mod tls;
mod transport;

pub use handler::{
    Column, Credentials, Describe, Error, Executed, Handler, Login, Params, Session,
};
pub use reply::Reply;
pub use runtime::Runtime;
pub use serve::Server;
pub use sessions::{Push, Sessions};
pub use transport::{reserve_read, Clock, ClockBase, Read, Readiness, Transport};

pub use pgproto;

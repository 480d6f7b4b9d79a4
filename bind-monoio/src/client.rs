//! The client on monoio: connect over TCP or a Unix socket, and send cancel requests.

use std::io;

use monoio::net::{TcpStream, UnixStream};
use pgproto_service::client::{CancelToken, Error};
use pgproto_service::pgproto::frontend::ClientConfig;
use pgproto_service::tls::TlsConnector;

use crate::stream::Stream;

/// A PostgreSQL connection on monoio.
pub type Client = pgproto_service::client::Client<Stream>;

/// Opens a socket: `HOST:PORT` for TCP, or a path (starting with `/`) to a Unix socket file.
async fn open(addr: &str) -> io::Result<Stream> {
    if addr.starts_with('/') {
        Ok(Stream::Unix(UnixStream::connect(addr).await?))
    } else {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Stream::Tcp(s))
    }
}

/// Connects to `addr` (`HOST:PORT`, or a Unix socket path) and logs in with `config`; `tls` is
/// used when `config.ssl` asks for TLS (default: encrypt without verifying, as `sslmode=require`).
pub async fn connect(
    addr: &str,
    config: ClientConfig,
    tls: Option<&TlsConnector>,
) -> Result<Client, Error> {
    let io = open(addr).await?;
    Client::connect(io, config, tls).await
}

/// Cancels the running query of the session `token` came from, on a new connection to `addr`.
pub async fn cancel(addr: &str, token: &CancelToken) -> io::Result<()> {
    token.send(open(addr).await?).await
}

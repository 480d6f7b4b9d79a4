//! async-io's sockets as the service layer's [`Transport`] (through [`Readiness`]).

use std::io::{self, Read};
use std::net::TcpStream;
use std::os::unix::net::UnixStream;

use async_io::Async;
use bytes::BytesMut;
use futures_lite::AsyncWriteExt;
use pgproto_service::Readiness;

/// The most one read takes.
const READ_CHUNK: usize = 8 * 1024;

thread_local! {
    /// Where reads land before they are appended: std's reads need initialized memory, and
    /// copying the few bytes a request has costs less than zeroing a buffer's spare capacity.
    static SCRATCH: std::cell::RefCell<Box<[u8; READ_CHUNK]>> =
        std::cell::RefCell::new(Box::new([0; READ_CHUNK]));
}

/// An accepted (or connected) socket: TCP or Unix-domain.
#[derive(Debug)]
pub enum Stream {
    /// TCP (`TCP_NODELAY` set, as PostgreSQL does).
    Tcp(Async<TcpStream>),
    /// Unix-domain socket.
    Unix(Async<UnixStream>),
}

/// Reads what `read` gives into `buf`'s spare capacity (zero-filled first: std's reads take
/// initialized memory).
fn read_into(
    buf: &mut BytesMut,
    read: impl FnOnce(&mut [u8]) -> io::Result<usize>,
) -> io::Result<usize> {
    let start = buf.len();
    let room = buf.capacity().saturating_sub(start).clamp(1, READ_CHUNK);
    buf.resize(start + room, 0);
    let r = read(&mut buf[start..]);
    buf.truncate(start + *r.as_ref().unwrap_or(&0));
    r
}

impl Readiness for Stream {
    async fn readable(&mut self) -> io::Result<()> {
        match self {
            Self::Tcp(s) => s.readable().await,
            Self::Unix(s) => s.readable().await,
        }
    }

    fn try_read(&mut self, buf: &mut BytesMut) -> io::Result<usize> {
        match self {
            Self::Tcp(s) => read_into(buf, |b| s.get_ref().read(b)),
            Self::Unix(s) => read_into(buf, |b| s.get_ref().read(b)),
        }
    }

    async fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            Self::Tcp(s) => s.write_all(data).await,
            Self::Unix(s) => s.write_all(data).await,
        }
    }
}

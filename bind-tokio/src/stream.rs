//! tokio's sockets as the service layer's [`Transport`] (through [`Readiness`]).

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};

use bytes::BytesMut;
use pgproto_service::Readiness;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpStream, UnixStream};
use tokio_util::io::poll_read_buf;

/// An accepted connection: TCP or Unix socket.
#[derive(Debug)]
pub enum Stream {
    /// TCP (`TCP_NODELAY` set, as PostgreSQL does).
    Tcp(TcpStream),
    /// Unix-domain socket.
    Unix(UnixStream),
}

impl Readiness for Stream {
    async fn readable(&mut self) -> io::Result<()> {
        // `try_read` spends the task's coop budget, and a spent budget looks like `WouldBlock`
        // there. Spending it here too makes a task that always finds data (a long COPY, say)
        // yield to the runtime once the budget is gone, instead of spinning on reads that
        // cannot proceed until it does.
        tokio::task::consume_budget().await;
        match self {
            Self::Tcp(s) => s.readable().await,
            Self::Unix(s) => s.readable().await,
        }
    }

    /// Reads through `AsyncRead` rather than `try_read_buf`: after a short read tokio then
    /// knows the socket is drained, which saves the `EAGAIN` read each request would otherwise
    /// cost before the connection waits again. No waker is registered here (`readable` does).
    fn try_read(&mut self, buf: &mut BytesMut) -> io::Result<usize> {
        let mut cx = Context::from_waker(Waker::noop());
        let poll = match self {
            Self::Tcp(s) => poll_read_buf(Pin::new(s), &mut cx, buf),
            Self::Unix(s) => poll_read_buf(Pin::new(s), &mut cx, buf),
        };
        match poll {
            Poll::Ready(r) => r,
            Poll::Pending => Err(io::ErrorKind::WouldBlock.into()),
        }
    }

    async fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            Self::Tcp(s) => s.write_all(data).await,
            Self::Unix(s) => s.write_all(data).await,
        }
    }
}

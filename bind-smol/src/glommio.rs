//! glommio as pgproto's [`Runtime`]: a glommio `LocalExecutor` (io_uring, thread-per-core) per
//! worker thread; its sockets go through [`FuturesIo`].

use core::future::Future;
use core::pin::Pin;
use std::io;
use std::os::fd::{FromRawFd, IntoRawFd};
use std::time::Instant;

use async_io::Async;
use futures_lite::{AsyncRead, AsyncWrite};
use glommio::net::{TcpListener, TcpStream, UnixStream};
use pgproto_service::Runtime;

use crate::futures_io::FuturesIo;

/// A glommio socket, TCP or Unix-domain.
pub trait Socket: AsyncRead + AsyncWrite {}

impl<S: AsyncRead + AsyncWrite> Socket for S {}

/// glommio: run servers with [`Runtime::run`], [`Runtime::serve`] or [`Runtime::serve_args`];
/// connect with [`Runtime::connect`].
#[derive(Debug, Clone, Copy)]
pub struct Glommio;

/// Takes over the socket of a std listener or stream.
macro_rules! adopt {
    ($ty:ty, $std:expr) => {{
        let fd = $std.into_raw_fd();
        // SAFETY: `fd` is an open socket of the right kind that `into_raw_fd` gave up: the new
        // object is its only owner. glommio has no safe constructor from a std socket.
        #[allow(unsafe_code)]
        unsafe {
            <$ty>::from_raw_fd(fd)
        }
    }};
}

impl Runtime for Glommio {
    type Stream = FuturesIo<Pin<Box<dyn Socket>>>;
    type TcpListener = TcpListener;
    /// glommio cannot adopt a Unix listener: it is watched by async-io's reactor, and each
    /// accepted socket is handed to glommio.
    type UnixListener = Async<std::os::unix::net::UnixListener>;

    fn block_on<F: Future>(f: F) -> io::Result<F::Output> {
        let ex = glommio::LocalExecutorBuilder::new(glommio::Placement::Unbound).make()?;
        Ok(ex.run(f))
    }

    async fn sleep_until(deadline: Instant) {
        glommio::timer::sleep(deadline.saturating_duration_since(Instant::now())).await;
    }

    fn spawn(f: impl Future<Output = ()> + 'static) {
        glommio::spawn_local(f).detach();
    }

    /// As smol's: async-signal, on async-io's reactor thread.
    fn signals() -> io::Result<impl Future<Output = ()>> {
        crate::Smol::signals()
    }

    fn tcp_listener(l: std::net::TcpListener) -> io::Result<TcpListener> {
        Ok(adopt!(TcpListener, l))
    }

    fn unix_listener(
        l: std::os::unix::net::UnixListener,
    ) -> io::Result<Async<std::os::unix::net::UnixListener>> {
        Async::new(l)
    }

    async fn accept_tcp(l: &TcpListener) -> io::Result<Self::Stream> {
        let s = l.accept().await?;
        s.set_nodelay(true)?;
        Ok(FuturesIo(Box::pin(s)))
    }

    async fn accept_unix(l: &Async<std::os::unix::net::UnixListener>) -> io::Result<Self::Stream> {
        let (s, _) = l.accept().await?;
        let s = s.into_inner()?;
        Ok(FuturesIo(Box::pin(adopt!(UnixStream, s))))
    }

    async fn connect_tcp(addr: &str) -> io::Result<Self::Stream> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(FuturesIo(Box::pin(s)))
    }

    async fn connect_unix(path: &str) -> io::Result<Self::Stream> {
        Ok(FuturesIo(Box::pin(UnixStream::connect(path).await?)))
    }
}

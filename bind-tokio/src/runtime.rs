//! tokio as pgproto's [`Runtime`]: a current-thread runtime and `LocalSet` per worker thread,
//! so an application's futures need not be `Send`.

use core::future::Future;
use std::io;

use pgproto_service::Runtime;
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use tokio::signal::unix::{signal, SignalKind};

use crate::stream::Stream;

/// tokio: run servers with [`Runtime::run`], [`Runtime::serve`] or [`Runtime::serve_args`];
/// connect with [`Runtime::connect`].
#[derive(Debug, Clone, Copy)]
pub struct Tokio;

impl Runtime for Tokio {
    type Stream = Stream;
    type TcpListener = TcpListener;
    type UnixListener = UnixListener;

    fn block_on<F: Future>(f: F) -> io::Result<F::Output> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        Ok(tokio::task::LocalSet::new().block_on(&rt, f))
    }

    async fn sleep_until(deadline: std::time::Instant) {
        tokio::time::sleep_until(deadline.into()).await;
    }

    fn spawn(f: impl Future<Output = ()> + 'static) {
        tokio::task::spawn_local(f);
    }

    fn signals() -> io::Result<impl Future<Output = ()>> {
        let mut term = signal(SignalKind::terminate())?;
        let mut int = signal(SignalKind::interrupt())?;
        Ok(async move {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        })
    }

    fn tcp_listener(l: std::net::TcpListener) -> io::Result<TcpListener> {
        TcpListener::from_std(l)
    }

    fn unix_listener(l: std::os::unix::net::UnixListener) -> io::Result<UnixListener> {
        UnixListener::from_std(l)
    }

    async fn accept_tcp(l: &TcpListener) -> io::Result<Stream> {
        let (s, _) = l.accept().await?;
        s.set_nodelay(true)?;
        Ok(Stream::Tcp(s))
    }

    async fn accept_unix(l: &UnixListener) -> io::Result<Stream> {
        Ok(Stream::Unix(l.accept().await?.0))
    }

    async fn connect_tcp(addr: &str) -> io::Result<Stream> {
        let s = TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(Stream::Tcp(s))
    }

    async fn connect_unix(path: &str) -> io::Result<Stream> {
        Ok(Stream::Unix(UnixStream::connect(path).await?))
    }
}

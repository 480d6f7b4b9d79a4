//! monoio as pgproto's [`Runtime`]: a runtime per worker thread on io_uring (single-issuer,
//! deferred task work where the kernel has them) or on epoll where io_uring is unavailable.

use core::future::Future;
use std::io;
use std::os::unix::net::UnixStream as StdUnixStream;

use monoio::io::AsyncReadRent;
use monoio::net::{TcpListener, TcpStream, UnixListener, UnixStream};
use monoio::time::TimeDriver;
use monoio::{IoUringDriver, LegacyDriver};
use pgproto_service::Runtime;

use crate::stream::Stream;

/// monoio: run servers with [`Runtime::run`], [`Runtime::serve`] or [`Runtime::serve_args`];
/// connect with [`Runtime::connect`].
#[derive(Debug, Clone, Copy)]
pub struct Monoio;

/// A new runtime with timers for the calling thread. Its ring is used by this thread only and
/// runs completions' kernel work when the runtime waits, not on interrupts (`SINGLE_ISSUER`,
/// `DEFER_TASKRUN`, Linux 6.1+); older kernels get a plain ring, kernels without io_uring epoll.
fn runtime(
) -> io::Result<monoio::FusionRuntime<TimeDriver<IoUringDriver>, TimeDriver<LegacyDriver>>> {
    let mut ring = io_uring::IoUring::builder();
    ring.setup_single_issuer().setup_defer_taskrun();
    let tuned = monoio::RuntimeBuilder::<monoio::FusionDriver>::new()
        .uring_builder(ring)
        .enable_timer()
        .build();
    tuned.or_else(|_| {
        monoio::RuntimeBuilder::<monoio::FusionDriver>::new()
            .enable_timer()
            .build()
    })
}

impl Runtime for Monoio {
    type Stream = Stream;
    type TcpListener = TcpListener;
    type UnixListener = UnixListener;

    fn block_on<F: Future>(f: F) -> io::Result<F::Output> {
        Ok(runtime()?.block_on(f))
    }

    async fn sleep_until(deadline: std::time::Instant) {
        monoio::time::sleep_until(deadline.into()).await;
    }

    fn spawn(f: impl Future<Output = ()> + 'static) {
        monoio::spawn(f);
    }

    /// The signal handler writes to a socket pair (async-signal-safe); the future reads it.
    fn signals() -> io::Result<impl Future<Output = ()>> {
        let (read, write) = StdUnixStream::pair()?;
        read.set_nonblocking(true)?;
        write.set_nonblocking(true)?;
        for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
            signal_hook::low_level::pipe::register(signal, write.try_clone()?)?;
        }
        let mut read = UnixStream::from_std(read)?;
        Ok(async move {
            let _ = read.read(vec![0u8; 16]).await;
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

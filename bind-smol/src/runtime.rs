//! async-io (the reactor smol and async-std run on) as pgproto's [`Runtime`], with smol's
//! executor ([`Smol`]) or async-std's ([`AsyncStd`]): either runs local tasks on each worker
//! thread, so an application's futures need not be `Send`.

use core::future::Future;
use core::marker::PhantomData;
use std::io;
use std::net::{TcpListener, TcpStream, ToSocketAddrs};
use std::os::unix::net::{UnixListener, UnixStream};
use std::rc::Rc;

use async_executor::LocalExecutor;
use async_io::Async;
use futures_lite::StreamExt;
use pgproto_service::Runtime;

use crate::stream::Stream;

/// The executor half of a runtime on async-io's reactor.
pub trait Executor: 'static {
    /// Runs `f` to completion on the calling thread, local tasks with it.
    fn block_on<F: Future>(f: F) -> F::Output;

    /// Runs `f` as a local task of the calling thread's [`Executor::block_on`].
    fn spawn(f: impl Future<Output = ()> + 'static);
}

/// A runtime on async-io's reactor with executor `E`: run servers with [`Runtime::run`],
/// [`Runtime::serve`] or [`Runtime::serve_args`]; connect with [`Runtime::connect`].
#[derive(Debug, Clone, Copy)]
pub struct AsyncIo<E>(PhantomData<E>);

/// smol: async-io with async-executor's `LocalExecutor`.
pub type Smol = AsyncIo<SmolExecutor>;

/// async-std: async-io with async-std's executor.
#[cfg(feature = "async-std")]
pub type AsyncStd = AsyncIo<AsyncStdExecutor>;

thread_local! {
    /// The executor of the thread's [`SmolExecutor::block_on`].
    static EXECUTOR: Rc<LocalExecutor<'static>> = Rc::new(LocalExecutor::new());
}

/// async-executor's `LocalExecutor`, one per thread.
#[derive(Debug, Clone, Copy)]
pub struct SmolExecutor;

impl Executor for SmolExecutor {
    fn block_on<F: Future>(f: F) -> F::Output {
        let ex = EXECUTOR.with(Rc::clone);
        async_io::block_on(ex.run(f))
    }

    fn spawn(f: impl Future<Output = ()> + 'static) {
        EXECUTOR.with(|ex| ex.spawn(f).detach());
    }
}

/// async-std's executor (`task::block_on` and `task::spawn_local`).
#[cfg(feature = "async-std")]
#[derive(Debug, Clone, Copy)]
pub struct AsyncStdExecutor;

#[cfg(feature = "async-std")]
impl Executor for AsyncStdExecutor {
    fn block_on<F: Future>(f: F) -> F::Output {
        async_std::task::block_on(f)
    }

    fn spawn(f: impl Future<Output = ()> + 'static) {
        async_std::task::spawn_local(f);
    }
}

impl<E: Executor> Runtime for AsyncIo<E> {
    type Stream = Stream;
    type TcpListener = Async<TcpListener>;
    type UnixListener = Async<UnixListener>;

    fn block_on<F: Future>(f: F) -> io::Result<F::Output> {
        Ok(E::block_on(f))
    }

    async fn sleep_until(deadline: std::time::Instant) {
        async_io::Timer::at(deadline).await;
    }

    fn spawn(f: impl Future<Output = ()> + 'static) {
        E::spawn(f);
    }

    fn signals() -> io::Result<impl Future<Output = ()>> {
        use async_signal::{Signal, Signals};
        let mut signals = Signals::new([Signal::Term, Signal::Int])?;
        Ok(async move {
            signals.next().await;
        })
    }

    fn tcp_listener(l: TcpListener) -> io::Result<Async<TcpListener>> {
        Async::new(l)
    }

    fn unix_listener(l: UnixListener) -> io::Result<Async<UnixListener>> {
        Async::new(l)
    }

    async fn accept_tcp(l: &Async<TcpListener>) -> io::Result<Stream> {
        let (s, _) = l.accept().await?;
        s.get_ref().set_nodelay(true)?;
        Ok(Stream::Tcp(s))
    }

    async fn accept_unix(l: &Async<UnixListener>) -> io::Result<Stream> {
        Ok(Stream::Unix(l.accept().await?.0))
    }

    async fn connect_tcp(addr: &str) -> io::Result<Stream> {
        let resolved = addr
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| io::Error::from(io::ErrorKind::AddrNotAvailable))?;
        let s = Async::<TcpStream>::connect(resolved).await?;
        s.get_ref().set_nodelay(true)?;
        Ok(Stream::Tcp(s))
    }

    async fn connect_unix(path: &str) -> io::Result<Stream> {
        Ok(Stream::Unix(Async::<UnixStream>::connect(path).await?))
    }
}

//! What a runtime binding supplies ([`Runtime`]: a runtime per thread, tasks, sockets, signals)
//! and what follows from it, written once for every binding: the worker threads, one per core,
//! each accepting on its own listeners; the graceful shutdown; the client's connect and cancel.

use core::future::Future;
use core::marker::PhantomData;
use core::pin::pin;
use std::io;
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::sync::{mpsc, Arc};

use pgproto::backend::Instant;
use pgproto::frontend::ClientConfig;

use crate::args::ServerArgs;
use crate::client::{CancelToken, Client, Error};
use crate::lifecycle::{Options, Phase, Phases};
use crate::listen::{announce, bind_all, remove_unix_sockets, Listen, Listeners};
use crate::tls::TlsConnector;
use crate::transport::{race, Clock, ClockBase, Transport};
use crate::{Handler, Server};

/// An async runtime as a binding drives it: everything else a server or a client needs is
/// written once here, in the provided methods.
pub trait Runtime: Sized + 'static {
    /// An accepted or connected socket.
    type Stream: Transport + 'static;
    /// A TCP listener registered with the runtime.
    type TcpListener: 'static;
    /// A Unix-domain listener registered with the runtime.
    type UnixListener: 'static;

    /// Runs `f` to completion on a new runtime on the calling thread.
    fn block_on<F: Future>(f: F) -> io::Result<F::Output>;

    /// Completes at `deadline` (a timer of the calling thread's runtime).
    fn sleep_until(deadline: std::time::Instant) -> impl Future<Output = ()>;

    /// Runs `f` as a task of the calling thread's runtime (inside [`Runtime::block_on`]).
    fn spawn(f: impl Future<Output = ()> + 'static);

    /// Catches SIGTERM and SIGINT from now on (inside [`Runtime::block_on`]); the future
    /// completes at the first.
    fn signals() -> io::Result<impl Future<Output = ()>>;

    /// Registers a (non-blocking) TCP listener.
    fn tcp_listener(l: TcpListener) -> io::Result<Self::TcpListener>;

    /// Registers a (non-blocking) Unix-domain listener.
    fn unix_listener(l: UnixListener) -> io::Result<Self::UnixListener>;

    /// The next TCP connection (with `TCP_NODELAY`, as PostgreSQL sets it).
    fn accept_tcp(l: &Self::TcpListener) -> impl Future<Output = io::Result<Self::Stream>>;

    /// The next Unix-domain connection.
    fn accept_unix(l: &Self::UnixListener) -> impl Future<Output = io::Result<Self::Stream>>;

    /// Connects over TCP to `HOST:PORT` (with `TCP_NODELAY`).
    fn connect_tcp(addr: &str) -> impl Future<Output = io::Result<Self::Stream>>;

    /// Connects to the Unix socket file at `path`.
    fn connect_unix(path: &str) -> impl Future<Output = io::Result<Self::Stream>>;

    /// Runs `server` on `listen` until SIGINT, SIGTERM or `options.shutdown`; blocks the calling
    /// thread. Prints `listening on ADDRESS` to stderr once per listener when it accepts.
    fn run<H>(server: Server<H>, listen: &[Listen], options: &Options) -> io::Result<()>
    where
        H: Handler + Send + Sync + 'static,
    {
        let (listeners, announced) = bind_all(listen, options.workers)?;
        let server = Arc::new(server);
        let phases = Phases::default();
        let (started, workers_started) = mpsc::channel();
        let mut threads = Vec::new();
        let mut ran = Ok(());
        for (i, listeners) in listeners.into_iter().enumerate() {
            let (server, phases, started) = (server.clone(), phases.clone(), started.clone());
            let worker = move || worker::<Self, H>(&server, listeners, &phases, &started);
            match std::thread::Builder::new()
                .name(format!("pgproto-worker-{i}"))
                .spawn(worker)
            {
                Ok(t) => threads.push(t),
                Err(e) => {
                    ran = Err(e);
                    break;
                }
            }
        }
        drop(started);
        // Every worker accepts before the server says it listens; one that cannot stops all.
        for report in workers_started.iter().take(threads.len()) {
            ran = ran.and(report);
        }
        if ran.is_ok() {
            ran = Self::block_on(async {
                // Signals are caught from before the server says it listens.
                let signals = Self::signals();
                announce(&announced);
                let requested = options.shutdown.requested();
                match signals {
                    Ok(signals) => drop(race(signals, requested).await),
                    Err(_) => requested.await,
                }
                let clock = RuntimeClock::<Self>::default();
                phases
                    .shut_down(server.sessions(), options.shutdown_grace, &clock)
                    .await;
            });
        }
        if ran.is_err() {
            // The shutdown sequence did not run: the workers stop at once.
            phases.exit_now();
        }
        for t in threads {
            let _ = t.join();
        }
        remove_unix_sockets(listen);
        ran
    }

    /// Runs `server` with command-line options applied (listeners, TLS, limits, timeouts).
    fn serve<H>(server: Server<H>, args: &ServerArgs) -> io::Result<()>
    where
        H: Handler + Send + Sync + 'static,
    {
        Self::run(
            server.with_args(args)?,
            &Listen::from_args(args),
            &Options::from_args(args),
        )
    }

    /// Runs a server for `handler` configured by command-line options.
    fn serve_args<H>(handler: H, args: &ServerArgs) -> io::Result<()>
    where
        H: Handler + Send + Sync + 'static,
    {
        Self::serve(Server::new(handler), args)
    }

    /// Opens a socket: `HOST:PORT` for TCP, or a path (starting with `/`) to a Unix socket file.
    fn open(addr: &str) -> impl Future<Output = io::Result<Self::Stream>> {
        async move {
            if addr.starts_with('/') {
                Self::connect_unix(addr).await
            } else {
                Self::connect_tcp(addr).await
            }
        }
    }

    /// Connects to `addr` (`HOST:PORT`, or a Unix socket path) and logs in with `config`; `tls`
    /// is used when `config.ssl` asks for TLS (default: encrypt without verifying, as
    /// `sslmode=require`).
    fn connect(
        addr: &str,
        config: ClientConfig,
        tls: Option<&TlsConnector>,
    ) -> impl Future<Output = Result<Client<Self::Stream>, Error>> {
        async move { Client::connect(Self::open(addr).await?, config, tls).await }
    }

    /// Cancels the running query of the session `token` came from, on a new connection to
    /// `addr`.
    fn cancel(addr: &str, token: &CancelToken) -> impl Future<Output = io::Result<()>> {
        async move { token.send(Self::open(addr).await?).await }
    }
}

/// A runtime's [`Clock`]: microseconds since the clock was made, and the runtime's timers.
pub struct RuntimeClock<R>(ClockBase, PhantomData<fn() -> R>);

impl<R> Default for RuntimeClock<R> {
    fn default() -> Self {
        Self(ClockBase::default(), PhantomData)
    }
}

impl<R> Clone for RuntimeClock<R> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<R> Copy for RuntimeClock<R> {}

impl<R> core::fmt::Debug for RuntimeClock<R> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("RuntimeClock").field(&self.0).finish()
    }
}

impl<R: Runtime> Clock for RuntimeClock<R> {
    fn now(&self) -> Instant {
        self.0.now()
    }

    fn sleep_until(&self, deadline: Instant) -> impl Future<Output = ()> {
        R::sleep_until(self.0.to_std(deadline))
    }
}

/// A worker: its own runtime accepting on its listeners and serving the connections it
/// accepted, until the server exits. It reports on `started` once it accepts, or why it cannot.
fn worker<R: Runtime, H: Handler + 'static>(
    server: &Arc<Server<H>>,
    listeners: Listeners,
    phases: &Phases,
    started: &mpsc::Sender<io::Result<()>>,
) {
    let ran = R::block_on(async move {
        let tcp = listeners.tcp.into_iter().map(R::tcp_listener);
        let tcp = tcp.collect::<io::Result<Vec<_>>>()?;
        let unix = listeners.unix.into_iter().map(R::unix_listener);
        let unix = unix.collect::<io::Result<Vec<_>>>()?;
        for l in tcp {
            let (server, phases) = (server.clone(), phases.clone());
            R::spawn(
                async move { accept_loop::<R, H, _>(server, phases, || R::accept_tcp(&l)).await },
            );
        }
        for l in unix {
            let (server, phases) = (server.clone(), phases.clone());
            R::spawn(
                async move { accept_loop::<R, H, _>(server, phases, || R::accept_unix(&l)).await },
            );
        }
        let _ = started.send(Ok(()));
        phases.reached(Phase::Exiting).await;
        Ok(())
    });
    if let Err(e) = ran.and_then(|r| r) {
        let _ = started.send(Err(e));
    }
}

/// Accepts connections and serves each in its own task, until the server stops accepting.
async fn accept_loop<R, H, F>(server: Arc<Server<H>>, phases: Phases, accept: impl Fn() -> F)
where
    R: Runtime,
    H: Handler + 'static,
    F: Future<Output = io::Result<R::Stream>>,
{
    let clock = RuntimeClock::<R>::default();
    let mut draining = pin!(phases.reached(Phase::Draining));
    loop {
        match race(accept(), draining.as_mut()).await {
            Ok(Ok(stream)) => {
                let server = server.clone();
                R::spawn(async move {
                    let _ = server.serve(stream, &clock).await;
                });
            }
            // Out of file descriptors and the like: back off instead of spinning.
            Ok(Err(_)) => {
                clock.sleep_until(clock.now().after(10_000)).await;
            }
            Err(()) => return,
        }
    }
}

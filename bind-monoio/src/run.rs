//! The worker threads: thread-per-core, one monoio runtime (io_uring, or epoll where io_uring
//! is unavailable) per worker, each accepting on its own listeners (made by
//! [`pgproto_service::listen`]); graceful shutdown as [`pgproto_service::lifecycle`] sequences
//! it.

use core::future::{poll_fn, Future};
use core::pin::pin;
use core::task::Poll;
use std::io;
use std::os::unix::net::UnixStream as StdUnixStream;
use std::sync::Arc;
use std::time::Duration;

use monoio::io::{AsyncReadRent, CancelHandle, Canceller};
use monoio::net::{TcpListener, UnixListener, UnixStream};
use monoio::time::TimeDriver;
use monoio::{IoUringDriver, LegacyDriver};
use pgproto_service::args::ServerArgs;
use pgproto_service::lifecycle::{Options, Phase, Phases, Shutdown};
use pgproto_service::listen::{announce, bind_all, remove_unix_sockets, Listen, Listeners};
use pgproto_service::{Handler, Server};

use crate::stream::{MonoioClock, Stream};

/// Runs `server` on `listen` until SIGINT, SIGTERM or `options.shutdown`; blocks the calling
/// thread. Prints `listening on ADDRESS` to stderr once per listener when it accepts.
pub fn run<H>(server: Server<H>, listen: &[Listen], options: &Options) -> io::Result<()>
where
    H: Handler + Send + Sync + 'static,
{
    let (listeners, announced) = bind_all(listen, options.workers)?;
    let signals = signal_pipe()?;
    let mut rt = runtime()?;
    let server = Arc::new(server);
    let phases = Phases::default();
    let mut threads = Vec::new();
    for (i, listeners) in listeners.into_iter().enumerate() {
        let (server, phases) = (server.clone(), phases.clone());
        threads.push(
            std::thread::Builder::new()
                .name(format!("pgproto-worker-{i}"))
                .spawn(move || worker(&server, listeners, &phases))?,
        );
    }
    announce(&announced);
    rt.block_on(async {
        stop_requested(signals, &options.shutdown).await;
        phases
            .shut_down(
                server.sessions(),
                options.shutdown_grace,
                &MonoioClock::default(),
            )
            .await;
    });
    for t in threads {
        let _ = t.join();
    }
    remove_unix_sockets(listen);
    Ok(())
}

/// Runs a server for `handler` configured by command-line options (listeners, TLS, limits,
/// timeouts).
pub fn serve_args<H>(handler: H, args: &ServerArgs) -> io::Result<()>
where
    H: Handler + Send + Sync + 'static,
{
    serve(Server::new(handler), args)
}

/// Runs `server` with command-line options applied (listeners, TLS, limits, timeouts).
pub fn serve<H>(server: Server<H>, args: &ServerArgs) -> io::Result<()>
where
    H: Handler + Send + Sync + 'static,
{
    run(
        server.with_args(args)?,
        &Listen::from_args(args),
        &Options::from_args(args),
    )
}

/// A monoio runtime with timers: io_uring, or epoll where the kernel does not allow io_uring.
type Runtime = monoio::FusionRuntime<TimeDriver<IoUringDriver>, TimeDriver<LegacyDriver>>;

/// A new [`Runtime`] for the calling thread. Its ring is used by this thread only and runs
/// completions' kernel work when the runtime waits, not on interrupts (`SINGLE_ISSUER`,
/// `DEFER_TASKRUN`, Linux 6.1+); older kernels get a plain ring.
fn runtime() -> io::Result<Runtime> {
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

/// SIGTERM and SIGINT, written to a socket pair by the signal handler: the read end.
fn signal_pipe() -> io::Result<StdUnixStream> {
    let (read, write) = StdUnixStream::pair()?;
    read.set_nonblocking(true)?;
    write.set_nonblocking(true)?;
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGINT] {
        signal_hook::low_level::pipe::register(signal, write.try_clone()?)?;
    }
    Ok(read)
}

/// Completes at the first signal or when `shutdown` is requested.
async fn stop_requested(signals: StdUnixStream, shutdown: &Shutdown) {
    let Ok(mut signals) = UnixStream::from_std(signals) else {
        return shutdown.requested().await;
    };
    let mut signal = pin!(signals.read(vec![0u8; 16]));
    let mut requested = pin!(shutdown.requested());
    poll_fn(|cx| {
        if signal.as_mut().poll(cx).is_ready() || requested.as_mut().poll(cx).is_ready() {
            return Poll::Ready(());
        }
        Poll::Pending
    })
    .await;
}

/// A worker: its own runtime accepting on its listeners and serving the connections it
/// accepted, until the server exits.
fn worker<H: Handler + 'static>(server: &Arc<Server<H>>, listeners: Listeners, phases: &Phases) {
    let Ok(mut rt) = runtime() else {
        return;
    };
    rt.block_on(async move {
        let clock = MonoioClock::default();
        for l in listeners.tcp {
            let Ok(l) = TcpListener::from_std(l) else {
                continue;
            };
            let (server, phases) = (server.clone(), phases.clone());
            monoio::spawn(async move {
                let l = &l;
                let accept = move |c| async move {
                    let (s, _) = l.cancelable_accept(c).await?;
                    s.set_nodelay(true)?;
                    Ok(Stream::Tcp(s))
                };
                accept_loop(server, clock, phases, accept).await;
            });
        }
        for l in listeners.unix {
            let Ok(l) = UnixListener::from_std(l) else {
                continue;
            };
            let (server, phases) = (server.clone(), phases.clone());
            monoio::spawn(async move {
                let l = &l;
                let accept =
                    move |c| async move { Ok(Stream::Unix(l.cancelable_accept(c).await?.0)) };
                accept_loop(server, clock, phases, accept).await;
            });
        }
        phases.reached(Phase::Exiting).await;
    });
}

/// Accepts connections and serves each in its own task, until the server stops accepting
/// (the accept in flight is then cancelled).
async fn accept_loop<H, A, F>(
    server: Arc<Server<H>>,
    clock: MonoioClock,
    phases: Phases,
    mut accept: A,
) where
    H: Handler + 'static,
    A: FnMut(CancelHandle) -> F,
    F: Future<Output = io::Result<Stream>>,
{
    let mut draining = pin!(phases.reached(Phase::Draining));
    loop {
        let canceller = Canceller::new();
        let mut next = pin!(accept(canceller.handle()));
        let accepted = poll_fn(|cx| {
            if let Poll::Ready(r) = next.as_mut().poll(cx) {
                return Poll::Ready(Some(r));
            }
            draining.as_mut().poll(cx).map(|()| None)
        })
        .await;
        match accepted {
            Some(Ok(stream)) => {
                let server = server.clone();
                monoio::spawn(async move {
                    let _ = server.serve(stream, &clock).await;
                });
            }
            // Out of file descriptors and the like: back off instead of spinning.
            Some(Err(_)) => monoio::time::sleep(Duration::from_millis(10)).await,
            None => {
                let _ = canceller.cancel();
                let _ = next.await;
                return;
            }
        }
    }
}

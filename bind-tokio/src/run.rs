//! The worker threads: thread-per-core, one single-threaded tokio runtime per worker, each
//! accepting on its own listeners (made by [`pgproto_service::listen`]); graceful shutdown as
//! [`pgproto_service::lifecycle`] sequences it.

use std::future::Future;
use std::io;
use std::sync::Arc;
use std::time::Duration;

use pgproto_service::args::ServerArgs;
use pgproto_service::lifecycle::{Options, Phase, Phases, Shutdown};
use pgproto_service::listen::{announce, bind_all, remove_unix_sockets, Listen, Listeners};
use pgproto_service::{Handler, Server};
use tokio::net::{TcpListener, UnixListener};
use tokio::signal::unix::{signal, Signal, SignalKind};

use crate::stream::{Stream, TokioClock};

/// Runs `server` on `listen` until SIGINT, SIGTERM or `options.shutdown`; blocks the calling
/// thread. Prints `listening on ADDRESS` to stderr once per listener when it accepts.
pub fn run<H>(server: Server<H>, listen: &[Listen], options: &Options) -> io::Result<()>
where
    H: Handler + Send + Sync + 'static,
{
    let (listeners, announced) = bind_all(listen, options.workers)?;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
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
    // Signals are caught from before the server says it listens.
    let signals = {
        let _rt = rt.enter();
        Signals::new()
    };
    announce(&announced);
    rt.block_on(async {
        signals.or(&options.shutdown).await;
        let clock = TokioClock::default();
        phases
            .shut_down(server.sessions(), options.shutdown_grace, &clock)
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

/// A worker: its own single-threaded runtime accepting on its listeners and serving the
/// connections it accepted, until the server exits.
fn worker<H: Handler + 'static>(server: &Arc<Server<H>>, listeners: Listeners, phases: &Phases) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    let local = tokio::task::LocalSet::new();
    local.block_on(&rt, async move {
        let clock = TokioClock::default();
        for l in listeners.tcp {
            let Ok(l) = TcpListener::from_std(l) else {
                continue;
            };
            let (server, phases) = (server.clone(), phases.clone());
            tokio::task::spawn_local(async move {
                let accept = || async {
                    let (s, _) = l.accept().await?;
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
            tokio::task::spawn_local(async move {
                let accept = || async { Ok(Stream::Unix(l.accept().await?.0)) };
                accept_loop(server, clock, phases, accept).await;
            });
        }
        phases.reached(Phase::Exiting).await;
    });
}

/// Accepts connections and serves each in its own task, until the server stops accepting.
async fn accept_loop<H, A, F>(
    server: Arc<Server<H>>,
    clock: TokioClock,
    phases: Phases,
    mut accept: A,
) where
    H: Handler + 'static,
    A: FnMut() -> F,
    F: Future<Output = io::Result<Stream>>,
{
    loop {
        tokio::select! {
            r = accept() => match r {
                Ok(stream) => {
                    let server = server.clone();
                    tokio::task::spawn_local(async move {
                        let _ = server.serve(stream, &clock).await;
                    });
                }
                // Out of file descriptors and the like: back off instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            () = phases.reached(Phase::Draining) => return,
        }
    }
}

/// SIGTERM and SIGINT, when they can be caught.
struct Signals(Option<(Signal, Signal)>);

impl Signals {
    fn new() -> Self {
        Self(
            signal(SignalKind::terminate())
                .ok()
                .zip(signal(SignalKind::interrupt()).ok()),
        )
    }

    /// Completes at the first signal or when `shutdown` is requested.
    async fn or(self, shutdown: &Shutdown) {
        let Some((mut term, mut int)) = self.0 else {
            return shutdown.requested().await;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
            () = shutdown.requested() => {}
        }
    }
}

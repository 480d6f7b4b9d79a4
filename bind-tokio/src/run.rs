//! The worker threads and graceful shutdown: thread-per-core, one single-threaded tokio runtime
//! per worker, each accepting on its own listeners.

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use pgproto_service::args::ServerArgs;
use pgproto_service::pgproto::backend::{sqlstate, ServerError};
use pgproto_service::{Handler, Server};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::watch;

use crate::stream::{Stream, TokioClock};

/// Where to accept connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listen {
    /// A TCP address, `HOST:PORT` (port 0 picks a free one; the line printed says which).
    Tcp(String),
    /// A Unix socket at this path (PostgreSQL names it `DIR/.s.PGSQL.PORT`).
    Unix(PathBuf),
}

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// Worker threads (default: one per CPU).
    pub workers: usize,
    /// After a shutdown request, how long sessions may finish before they get 57P01.
    pub shutdown_grace: Duration,
    /// Stops the server when triggered (SIGINT and SIGTERM always do).
    pub shutdown: Shutdown,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            workers: std::thread::available_parallelism().map_or(1, usize::from),
            shutdown_grace: Duration::from_secs(5),
            shutdown: Shutdown::default(),
        }
    }
}

/// A handle that stops a running server, gracefully.
#[derive(Debug, Clone)]
pub struct Shutdown(Arc<watch::Sender<bool>>);

impl Default for Shutdown {
    fn default() -> Self {
        Self(Arc::new(watch::Sender::new(false)))
    }
}

impl Shutdown {
    /// Asks the server to stop: no new connections, sessions get the grace period.
    pub fn trigger(&self) {
        self.0.send_replace(true);
    }

    async fn wait(&self) {
        let mut rx = self.0.subscribe();
        let _ = rx.wait_for(|stop| *stop).await;
    }
}

/// Where the workers stand: serving, no longer accepting, or done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Serving,
    Draining,
    Exiting,
}

/// One worker's listening sockets: its own TCP listeners (SO_REUSEPORT: the kernel spreads
/// connections over the workers, no hand-off between threads) and clones of the Unix ones.
#[derive(Default)]
struct Listeners {
    tcp: Vec<std::net::TcpListener>,
    unix: Vec<std::os::unix::net::UnixListener>,
}

/// A TCP listener on `addr` that other workers can share the port with.
fn reuseport_listener(addr: std::net::SocketAddr) -> io::Result<std::net::TcpListener> {
    let socket = if addr.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.set_reuseport(true)?;
    socket.bind(addr)?;
    socket.listen(1024)?.into_std()
}

/// Binds every listener for every worker (so that any failure shows before serving starts);
/// returns them and the addresses to announce.
fn bind_all(listen: &[Listen], workers: usize) -> io::Result<(Vec<Listeners>, Vec<String>)> {
    let mut per_worker: Vec<Listeners> = (0..workers).map(|_| Listeners::default()).collect();
    let mut announced = Vec::new();
    for l in listen {
        match l {
            Listen::Tcp(addr) => {
                let fail = |e: io::Error| {
                    io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}"))
                };
                let resolved = std::net::ToSocketAddrs::to_socket_addrs(addr.as_str())
                    .map_err(fail)?
                    .next()
                    .ok_or_else(|| fail(io::ErrorKind::AddrNotAvailable.into()))?;
                let first = reuseport_listener(resolved).map_err(fail)?;
                let bound = first.local_addr()?;
                announced.push(bound.to_string());
                per_worker[0].tcp.push(first);
                for w in &mut per_worker[1..] {
                    w.tcp.push(reuseport_listener(bound).map_err(fail)?);
                }
            }
            Listen::Unix(path) => {
                let _ = std::fs::remove_file(path);
                let listener = std::os::unix::net::UnixListener::bind(path).map_err(|e| {
                    io::Error::new(
                        e.kind(),
                        format!("cannot listen on {}: {e}", path.display()),
                    )
                })?;
                listener.set_nonblocking(true)?;
                announced.push(path.display().to_string());
                for w in &mut per_worker[1..] {
                    w.unix.push(listener.try_clone()?);
                }
                per_worker[0].unix.push(listener);
            }
        }
    }
    Ok((per_worker, announced))
}

/// Runs `server` on `listen` until SIGINT, SIGTERM or `options.shutdown`; blocks the calling
/// thread. Prints `listening on ADDRESS` to stderr once per listener when it accepts.
pub fn run<H>(server: Server<H>, listen: &[Listen], options: &Options) -> io::Result<()>
where
    H: Handler + Send + Sync + 'static,
{
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let workers = options.workers.max(1);
    let (listeners, announced) = {
        let _enter = rt.enter();
        bind_all(listen, workers)?
    };
    let server = Arc::new(server);
    let phase = Arc::new(watch::Sender::new(Phase::Serving));
    let mut threads = Vec::new();
    for (i, listeners) in listeners.into_iter().enumerate() {
        let (server, phase) = (server.clone(), phase.clone());
        threads.push(
            std::thread::Builder::new()
                .name(format!("pgproto-worker-{i}"))
                .spawn(move || worker(&server, listeners, &phase))?,
        );
    }
    for a in &announced {
        eprintln!("listening on {a}");
    }
    rt.block_on(async {
        stop_requested(&options.shutdown).await;
        // Stop accepting, let sessions finish, then end the rest as PostgreSQL's fast shutdown.
        phase.send_replace(Phase::Draining);
        let sessions = server.sessions();
        if !drained(sessions, options.shutdown_grace).await {
            sessions.terminate_all(&ServerError::fatal(
                sqlstate::ADMIN_SHUTDOWN,
                "terminating connection due to administrator command",
            ));
            drained(sessions, Duration::from_secs(5)).await;
        }
        phase.send_replace(Phase::Exiting);
    });
    for t in threads {
        let _ = t.join();
    }
    for l in listen {
        if let Listen::Unix(path) = l {
            let _ = std::fs::remove_file(path);
        }
    }
    Ok(())
}

/// Runs a server configured by command-line options (listeners, TLS, limits, timeouts).
pub fn serve_args<H>(handler: H, args: &ServerArgs) -> io::Result<()>
where
    H: Handler + Send + Sync + 'static,
{
    let server = Server::new(handler).with_args(args)?;
    let listen: Vec<Listen> = (args.listen.iter().cloned().map(Listen::Tcp))
        .chain(args.unix_socket_paths().into_iter().map(Listen::Unix))
        .collect();
    let options = Options {
        workers: args.workers,
        shutdown_grace: args.shutdown_grace,
        ..Options::default()
    };
    run(server, &listen, &options)
}

/// A worker: its own single-threaded runtime accepting on its listeners and serving the
/// connections it accepted, until the server exits.
fn worker<H: Handler + 'static>(
    server: &Arc<Server<H>>,
    listeners: Listeners,
    phase: &watch::Sender<Phase>,
) {
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
            let (server, phase) = (server.clone(), phase.subscribe());
            tokio::task::spawn_local(async move {
                let accept = || async {
                    let (s, _) = l.accept().await?;
                    s.set_nodelay(true)?;
                    Ok(Stream::Tcp(s))
                };
                accept_loop(server, clock, phase, accept).await;
            });
        }
        for l in listeners.unix {
            let Ok(l) = UnixListener::from_std(l) else {
                continue;
            };
            let (server, phase) = (server.clone(), phase.subscribe());
            tokio::task::spawn_local(async move {
                let accept = || async { Ok(Stream::Unix(l.accept().await?.0)) };
                accept_loop(server, clock, phase, accept).await;
            });
        }
        let _ = phase.subscribe().wait_for(|p| *p == Phase::Exiting).await;
    });
}

/// Accepts connections and serves each in its own task, until the server stops accepting.
async fn accept_loop<H, A, F>(
    server: Arc<Server<H>>,
    clock: TokioClock,
    mut phase: watch::Receiver<Phase>,
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
            _ = phase.wait_for(|p| *p >= Phase::Draining) => return,
        }
    }
}

/// Waits up to `within` for every connection to close; true if they did.
async fn drained(sessions: &pgproto_service::Sessions, within: Duration) -> bool {
    let end = tokio::time::Instant::now() + within;
    while sessions.connections() > 0 {
        if tokio::time::Instant::now() >= end {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    true
}

async fn stop_requested(shutdown: &Shutdown) {
    use tokio::signal::unix::{signal, SignalKind};
    let term = signal(SignalKind::terminate());
    let int = signal(SignalKind::interrupt());
    let (Ok(mut term), Ok(mut int)) = (term, int) else {
        shutdown.wait().await;
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
        () = shutdown.wait() => {}
    }
}

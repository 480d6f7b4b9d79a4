//! The accept loop and the worker threads: thread-per-core, one single-threaded tokio runtime
//! per worker, connections handed out round-robin; graceful shutdown.

use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use pgproto_service::args::ServerArgs;
use pgproto_service::pgproto::backend::{sqlstate, ServerError};
use pgproto_service::{Handler, Server};
use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{mpsc, watch};

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

/// A socket on its way to a worker.
enum Accepted {
    Tcp(std::net::TcpStream),
    Unix(std::os::unix::net::UnixStream),
}

/// Runs `server` on `listen` until SIGINT, SIGTERM or `options.shutdown`; blocks the calling
/// thread. Prints `listening on ADDRESS` to stderr once per listener when it accepts.
pub fn run<H>(server: Server<H>, listen: &[Listen], options: &Options) -> io::Result<()>
where
    H: Handler + Send + Sync + 'static,
{
    let server = Arc::new(server);
    let mut senders = Vec::new();
    let mut workers = Vec::new();
    for i in 0..options.workers.max(1) {
        let (tx, rx) = mpsc::unbounded_channel();
        senders.push(tx);
        let server = server.clone();
        workers.push(
            std::thread::Builder::new()
                .name(format!("pgproto-worker-{i}"))
                .spawn(move || worker(&server, rx))?,
        );
    }
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(accept_all(&server, listen, options, senders));
    for w in workers {
        let _ = w.join();
    }
    result
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

fn worker<H: Handler + 'static>(
    server: &Arc<Server<H>>,
    mut rx: mpsc::UnboundedReceiver<Accepted>,
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
        while let Some(accepted) = rx.recv().await {
            let stream = match accepted {
                Accepted::Tcp(s) => tokio::net::TcpStream::from_std(s).map(Stream::Tcp),
                Accepted::Unix(s) => tokio::net::UnixStream::from_std(s).map(Stream::Unix),
            };
            let Ok(stream) = stream else { continue };
            let server = server.clone();
            tokio::task::spawn_local(async move {
                let _ = server.serve(stream, &clock).await;
            });
        }
    });
}

/// Hands sockets to the workers in turn.
struct Dispatch {
    senders: Vec<mpsc::UnboundedSender<Accepted>>,
    next: AtomicUsize,
}

impl Dispatch {
    fn send(&self, s: Accepted) {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.senders.len();
        let _ = self.senders[i].send(s);
    }
}

async fn accept_all<H: Handler>(
    server: &Server<H>,
    listen: &[Listen],
    options: &Options,
    senders: Vec<mpsc::UnboundedSender<Accepted>>,
) -> io::Result<()> {
    let dispatch = Arc::new(Dispatch {
        senders,
        next: AtomicUsize::new(0),
    });
    let mut tasks = tokio::task::JoinSet::new();
    let mut unix_paths = Vec::new();
    for l in listen {
        match l {
            Listen::Tcp(addr) => {
                let listener = TcpListener::bind(addr).await.map_err(|e| {
                    io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}"))
                })?;
                eprintln!("listening on {}", listener.local_addr()?);
                let d = dispatch.clone();
                tasks.spawn(async move {
                    loop {
                        match listener.accept().await {
                            Ok((s, _)) => {
                                let _ = s.set_nodelay(true);
                                if let Ok(s) = s.into_std() {
                                    d.send(Accepted::Tcp(s));
                                }
                            }
                            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                        }
                    }
                });
            }
            Listen::Unix(path) => {
                let _ = std::fs::remove_file(path);
                let listener = UnixListener::bind(path).map_err(|e| {
                    io::Error::new(
                        e.kind(),
                        format!("cannot listen on {}: {e}", path.display()),
                    )
                })?;
                unix_paths.push(path.clone());
                eprintln!("listening on {}", path.display());
                let d = dispatch.clone();
                tasks.spawn(async move {
                    loop {
                        match listener.accept().await {
                            Ok((s, _)) => {
                                if let Ok(s) = s.into_std() {
                                    d.send(Accepted::Unix(s));
                                }
                            }
                            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                        }
                    }
                });
            }
        }
    }
    stop_requested(&options.shutdown).await;
    // Stop accepting, let sessions finish, then end the rest as PostgreSQL's fast shutdown does.
    tasks.shutdown().await;
    for p in &unix_paths {
        let _ = std::fs::remove_file(p);
    }
    let sessions = server.sessions();
    if !drained(sessions, options.shutdown_grace).await {
        sessions.terminate_all(&ServerError::fatal(
            sqlstate::ADMIN_SHUTDOWN,
            "terminating connection due to administrator command",
        ));
        drained(sessions, Duration::from_secs(5)).await;
    }
    drop(dispatch);
    Ok(())
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

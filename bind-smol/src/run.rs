//! The worker threads: thread-per-core, one async-io reactor and `LocalExecutor` per worker,
//! each accepting on its own listeners (made by [`pgproto_service::listen`]); graceful shutdown
//! as [`pgproto_service::lifecycle`] sequences it.

use std::future::Future;
use std::io;
use std::net::TcpListener;
use std::os::unix::net::UnixListener;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use async_executor::LocalExecutor;
use async_io::{Async, Timer};
use futures_lite::{future, StreamExt};
use pgproto_service::args::ServerArgs;
use pgproto_service::lifecycle::{Options, Phase, Phases};
use pgproto_service::listen::{announce, bind_all, remove_unix_sockets, Listen, Listeners};
use pgproto_service::{Handler, Server};

use crate::stream::{SmolClock, Stream};

/// Runs `server` on `listen` until SIGINT, SIGTERM or `options.shutdown`; blocks the calling
/// thread. Prints `listening on ADDRESS` to stderr once per listener when it accepts.
pub fn run<H>(server: Server<H>, listen: &[Listen], options: &Options) -> io::Result<()>
where
    H: Handler + Send + Sync + 'static,
{
    let (listeners, announced) = bind_all(listen, options.workers)?;
    let signals =
        async_signal::Signals::new([async_signal::Signal::Term, async_signal::Signal::Int])?;
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
    async_io::block_on(async {
        let mut signals = signals;
        future::or(
            async {
                signals.next().await;
            },
            options.shutdown.requested(),
        )
        .await;
        phases
            .shut_down(
                server.sessions(),
                options.shutdown_grace,
                &SmolClock::default(),
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

/// A worker: its own reactor and executor accepting on its listeners and serving the
/// connections it accepted, until the server exits.
fn worker<H: Handler + 'static>(server: &Arc<Server<H>>, listeners: Listeners, phases: &Phases) {
    let ex = Rc::new(LocalExecutor::new());
    let clock = SmolClock::default();
    for l in listeners.tcp {
        let Ok(l) = Async::<TcpListener>::new(l) else {
            continue;
        };
        let (server, phases, spawner) = (server.clone(), phases.clone(), ex.clone());
        ex.spawn(async move {
            let accept = || async {
                let (s, _) = l.accept().await?;
                s.get_ref().set_nodelay(true)?;
                Ok(Stream::Tcp(s))
            };
            accept_loop(&spawner, server, clock, phases, accept).await;
        })
        .detach();
    }
    for l in listeners.unix {
        let Ok(l) = Async::<UnixListener>::new(l) else {
            continue;
        };
        let (server, phases, spawner) = (server.clone(), phases.clone(), ex.clone());
        ex.spawn(async move {
            let accept = || async { Ok(Stream::Unix(l.accept().await?.0)) };
            accept_loop(&spawner, server, clock, phases, accept).await;
        })
        .detach();
    }
    async_io::block_on(ex.run(phases.reached(Phase::Exiting)));
}

/// Accepts connections and serves each in its own task, until the server stops accepting.
async fn accept_loop<H, A, F>(
    ex: &Rc<LocalExecutor<'static>>,
    server: Arc<Server<H>>,
    clock: SmolClock,
    phases: Phases,
    mut accept: A,
) where
    H: Handler + 'static,
    A: FnMut() -> F,
    F: Future<Output = io::Result<Stream>>,
{
    loop {
        let next = future::or(async { Some(accept().await) }, async {
            phases.reached(Phase::Draining).await;
            None
        });
        match next.await {
            Some(Ok(stream)) => {
                let server = server.clone();
                ex.spawn(async move {
                    let _ = server.serve(stream, &clock).await;
                })
                .detach();
            }
            // Out of file descriptors and the like: back off instead of spinning.
            Some(Err(_)) => {
                Timer::after(Duration::from_millis(10)).await;
            }
            None => return,
        }
    }
}

//! A running server's life, shared by its worker threads whatever their runtime: a [`Shutdown`]
//! handle, the [`Phase`] the workers follow, and the graceful end (stop accepting, let sessions
//! finish, then 57P01 to the rest, as PostgreSQL's fast shutdown).

use std::future::poll_fn;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Poll, Waker};
use std::time::Duration;

use pgproto::backend::{sqlstate, ServerError};

use crate::sessions::Sessions;
use crate::transport::Clock;

/// A value many threads wait on; every change wakes them all.
#[derive(Debug)]
struct Watch<T> {
    state: Mutex<(T, Vec<Waker>)>,
}

impl<T: Copy> Watch<T> {
    fn new(value: T) -> Self {
        Self {
            state: Mutex::new((value, Vec::new())),
        }
    }

    fn set(&self, value: T) {
        let wakers = {
            let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            s.0 = value;
            core::mem::take(&mut s.1)
        };
        wakers.into_iter().for_each(Waker::wake);
    }

    async fn wait_for(&self, pred: impl Fn(T) -> bool) {
        poll_fn(|cx| {
            let mut s = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            if pred(s.0) {
                return Poll::Ready(());
            }
            if !s.1.iter().any(|w| w.will_wake(cx.waker())) {
                s.1.push(cx.waker().clone());
            }
            Poll::Pending
        })
        .await;
    }
}

/// How a binding runs a server.
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

impl Options {
    /// The options command-line arguments give (`--workers`, `--shutdown-grace`).
    pub fn from_args(args: &crate::args::ServerArgs) -> Self {
        Self {
            workers: args.workers,
            shutdown_grace: args.shutdown_grace,
            ..Self::default()
        }
    }
}

/// A handle that stops a running server, gracefully (SIGINT and SIGTERM do the same).
#[derive(Debug, Clone)]
pub struct Shutdown(Arc<Watch<bool>>);

impl Default for Shutdown {
    fn default() -> Self {
        Self(Arc::new(Watch::new(false)))
    }
}

impl Shutdown {
    /// Asks the server to stop: no new connections, sessions get the grace period.
    pub fn trigger(&self) {
        self.0.set(true);
    }

    /// Completes once the server was asked to stop.
    pub async fn requested(&self) {
        self.0.wait_for(|stop| stop).await;
    }
}

/// Where the workers stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Accepting and serving.
    Serving,
    /// No longer accepting; sessions finish.
    Draining,
    /// Done: workers stop.
    Exiting,
}

/// The phase every worker of one server follows.
#[derive(Debug, Clone)]
pub struct Phases(Arc<Watch<Phase>>);

impl Default for Phases {
    fn default() -> Self {
        Self(Arc::new(Watch::new(Phase::Serving)))
    }
}

impl Phases {
    /// Ends the workers at once (when the shutdown sequence cannot run).
    pub fn exit_now(&self) {
        self.0.set(Phase::Exiting);
    }

    /// Completes once the server is at `phase` or past it.
    pub async fn reached(&self, phase: Phase) {
        self.0.wait_for(|p| p >= phase).await;
    }

    /// Ends a run gracefully: stops accepting, waits up to `grace` for the sessions to end,
    /// ends the rest with 57P01 (waiting up to 5 s more), then lets the workers exit.
    pub async fn shut_down<C: Clock>(&self, sessions: &Sessions, grace: Duration, clock: &C) {
        self.0.set(Phase::Draining);
        if !drained(sessions, grace, clock).await {
            sessions.terminate_all(&ServerError::fatal(
                sqlstate::ADMIN_SHUTDOWN,
                "terminating connection due to administrator command",
            ));
            drained(sessions, Duration::from_secs(5), clock).await;
        }
        self.0.set(Phase::Exiting);
    }
}

/// Waits up to `within` for every connection to close; true if they did.
async fn drained<C: Clock>(sessions: &Sessions, within: Duration, clock: &C) -> bool {
    let micros = |d: Duration| u64::try_from(d.as_micros()).unwrap_or(u64::MAX);
    let end = clock.now().after(micros(within));
    while sessions.connections() > 0 {
        let now = clock.now();
        if now >= end {
            return false;
        }
        clock
            .sleep_until(now.after(micros(Duration::from_millis(10))).min(end))
            .await;
    }
    true
}

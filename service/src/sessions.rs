//! [`Sessions`]: every live connection of a server, by process ID. It routes CancelRequests,
//! delivers asynchronous messages (NOTIFY, notices) to any session, counts connections for the
//! limit, and ends them all at shutdown.

use std::collections::HashMap;
use std::future::poll_fn;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::task::{Poll, Waker};

use pgproto::backend::ServerError;
use subtle::ConstantTimeEq;

/// An asynchronous message for one session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Push {
    /// A NotificationResponse (LISTEN/NOTIFY).
    Notification {
        /// PID of the notifying session.
        pid: i32,
        /// The channel.
        channel: String,
        /// The payload.
        payload: String,
    },
    /// A NoticeResponse.
    Notice(ServerError),
}

/// What interrupts a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Interrupt {
    /// Asynchronous messages are waiting.
    Push,
    /// Cancel the running query (57014).
    Cancel,
    /// End the session with this FATAL error.
    Terminate(ServerError),
}

#[derive(Default)]
struct MailboxState {
    pushes: Vec<Push>,
    terminate: Option<ServerError>,
    waker: Option<Waker>,
}

/// One session's inbox, shared between its connection loop and everyone else.
pub(crate) struct Mailbox {
    key: Mutex<(usize, [u8; 32])>,
    /// A cancel request arrived (checked without the lock on every request).
    cancel: AtomicBool,
    state: Mutex<MailboxState>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Mailbox {
    fn with(&self, f: impl FnOnce(&mut MailboxState)) {
        let waker = {
            let mut s = lock(&self.state);
            f(&mut s);
            s.waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Waits for an interrupt; `running` says whether a query runs (a cancel only counts then).
    pub(crate) async fn interrupted(&self, running: bool) -> Interrupt {
        poll_fn(|cx| {
            let mut s = lock(&self.state);
            if let Some(e) = s.terminate.clone() {
                return Poll::Ready(Interrupt::Terminate(e));
            }
            if running && self.cancel.swap(false, Ordering::AcqRel) {
                return Poll::Ready(Interrupt::Cancel);
            }
            // A running query is not stopped by a notification or notice: they wait for it
            // to end, as PostgreSQL delivers them between queries.
            if !running && !s.pushes.is_empty() {
                return Poll::Ready(Interrupt::Push);
            }
            if !s.waker.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                s.waker = Some(cx.waker().clone());
            }
            Poll::Pending
        })
        .await
    }

    /// Forgets a cancel that arrived while no query ran (PostgreSQL ignores those).
    pub(crate) fn clear_cancel(&self) {
        if self.cancel.load(Ordering::Relaxed) {
            self.cancel.store(false, Ordering::Release);
        }
    }

    /// Moves the waiting asynchronous messages to the end of `into`.
    pub(crate) fn take_pushes(&self, into: &mut Vec<Push>) {
        into.append(&mut lock(&self.state).pushes);
    }

    /// The cancel key the client was given: 4 bytes on protocol 3.0, 32 on 3.2.
    pub(crate) fn announce_key_len(&self, len: usize) {
        lock(&self.key).0 = len;
    }
}

/// Every live connection of one server.
pub struct Sessions {
    map: Mutex<HashMap<i32, Arc<Mailbox>>>,
    next_pid: AtomicI32,
    connections: AtomicUsize,
}

impl core::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Sessions")
            .field("connections", &self.connections())
            .finish_non_exhaustive()
    }
}

impl Default for Sessions {
    fn default() -> Self {
        Self::new()
    }
}

/// A connection's place in [`Sessions`]; leaving it (drop) removes the connection.
pub(crate) struct Registration {
    sessions: Arc<Sessions>,
    pub(crate) pid: i32,
    pub(crate) mailbox: Arc<Mailbox>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        lock(&self.sessions.map).remove(&self.pid);
        self.sessions.connections.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Sessions {
    /// An empty registry.
    pub fn new() -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
            next_pid: AtomicI32::new(1000),
            connections: AtomicUsize::new(0),
        }
    }

    /// How many connections are open (in any phase).
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::Acquire)
    }

    /// The process IDs of the open connections.
    pub fn pids(&self) -> Vec<i32> {
        lock(&self.map).keys().copied().collect()
    }

    /// Adds a connection with its cancel key; picks a free process ID.
    pub(crate) fn register(self: &Arc<Self>, cancel_key: [u8; 32]) -> Registration {
        let mailbox = Arc::new(Mailbox {
            key: Mutex::new((32, cancel_key)),
            cancel: AtomicBool::new(false),
            state: Mutex::new(MailboxState::default()),
        });
        let mut map = lock(&self.map);
        let pid = loop {
            let pid = self.next_pid.fetch_add(1, Ordering::Relaxed);
            if pid <= 0 {
                self.next_pid.store(1000, Ordering::Relaxed);
                continue;
            }
            if !map.contains_key(&pid) {
                break pid;
            }
        };
        map.insert(pid, mailbox.clone());
        drop(map);
        self.connections.fetch_add(1, Ordering::AcqRel);
        Registration {
            sessions: self.clone(),
            pid,
            mailbox,
        }
    }

    fn mailbox(&self, pid: i32) -> Option<Arc<Mailbox>> {
        lock(&self.map).get(&pid).cloned()
    }

    /// A CancelRequest: cancels the running query of session `pid` if `key` is its secret key
    /// (compared in constant time); otherwise nothing happens, as in PostgreSQL.
    pub fn cancel(&self, pid: i32, key: &[u8]) -> bool {
        let Some(mailbox) = self.mailbox(pid) else {
            return false;
        };
        let ok = {
            let k = lock(&mailbox.key);
            k.0 == key.len() && bool::from(k.1[..k.0].ct_eq(key))
        };
        if ok {
            mailbox.cancel.store(true, Ordering::Release);
            mailbox.with(|_| {});
        }
        ok
    }

    /// Queues a message for session `pid`, delivered at once even while it is idle; false if
    /// there is no such session.
    pub fn push(&self, pid: i32, message: Push) -> bool {
        let Some(mailbox) = self.mailbox(pid) else {
            return false;
        };
        mailbox.with(|s| s.pushes.push(message));
        true
    }

    /// Sends a NotificationResponse to session `pid` (see [`Sessions::push`]).
    pub fn notify(&self, pid: i32, from_pid: i32, channel: &str, payload: &str) -> bool {
        self.push(
            pid,
            Push::Notification {
                pid: from_pid,
                channel: channel.to_owned(),
                payload: payload.to_owned(),
            },
        )
    }

    /// Ends session `pid` with `error` (made FATAL): at once if idle, else its query is stopped.
    pub fn terminate(&self, pid: i32, error: ServerError) -> bool {
        let Some(mailbox) = self.mailbox(pid) else {
            return false;
        };
        mailbox.with(|s| s.terminate = Some(error));
        true
    }

    /// Ends every session with `error` (PostgreSQL's fast shutdown sends 57P01).
    pub fn terminate_all(&self, error: &ServerError) {
        let all: Vec<_> = lock(&self.map).values().cloned().collect();
        for m in all {
            m.with(|s| s.terminate = Some(error.clone()));
        }
    }
}

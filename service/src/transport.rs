//! What a runtime binding provides: a byte stream ([`Transport`]) and a clock with timers
//! ([`Clock`]). Everything above them is written once.
//!
//! [`Transport`] has the shape of a completion-based runtime (io_uring): a read lends the
//! buffer to the stream until it completes or is stopped, and a write hands over the whole
//! batch. Readiness-based runtimes (epoll, kqueue) implement the smaller [`Readiness`] trait
//! instead and get [`Transport`] from it.

use core::convert::Infallible;
use core::future::{poll_fn, Future};
use core::pin::pin;
use core::task::Poll;
use std::io;

use bytes::BytesMut;
use pgproto::backend::Instant;

use crate::pool;

/// How a [`Transport::read`] ended.
#[derive(Debug)]
pub enum Read<W> {
    /// The read completed: bytes appended to the buffer (`Ok(0)` is the end of the stream).
    Done(io::Result<usize>),
    /// `stop` completed first, with this value; nothing was read.
    Stopped(W),
}

/// A connected byte stream.
pub trait Transport {
    /// Reads once, appending to `buf`, unless `stop` completes first. Bytes that arrive are
    /// never lost: a read that completes as it is stopped reports them. Before reading, the
    /// stream makes room with [`reserve_read`] (which lends `buf` storage from a per-thread
    /// pool only when it has none), so an idle connection can hold no buffer at all.
    fn read<S: Future + Unpin>(
        &mut self,
        buf: &mut BytesMut,
        stop: &mut S,
    ) -> impl Future<Output = Read<S::Output>>;

    /// Writes all of `buf` (one `write` for a batch, as far as the OS allows), then clears it;
    /// its storage stays with the caller.
    fn write_all(&mut self, buf: &mut BytesMut) -> impl Future<Output = io::Result<()>>;
}

/// A readiness-based byte stream (epoll, kqueue): [`Transport`] follows from it, and an idle
/// connection waits without any read buffer.
pub trait Readiness {
    /// Waits until [`Readiness::try_read`] can make progress (data, end of stream or an error).
    /// Must be cancel-safe: dropping the future loses nothing.
    fn readable(&mut self) -> impl Future<Output = io::Result<()>>;

    /// Appends what can be read now to `buf` (whose spare capacity the caller reserved), without
    /// waiting: `Ok(0)` is the end of the stream, [`io::ErrorKind::WouldBlock`] means nothing yet.
    fn try_read(&mut self, buf: &mut BytesMut) -> io::Result<usize>;

    /// Writes all of `data`.
    fn write_all(&mut self, data: &[u8]) -> impl Future<Output = io::Result<()>>;
}

impl<T: Readiness> Transport for T {
    async fn read<S: Future + Unpin>(
        &mut self,
        buf: &mut BytesMut,
        stop: &mut S,
    ) -> Read<S::Output> {
        loop {
            match race(self.readable(), &mut *stop).await {
                Err(w) => return Read::Stopped(w),
                Ok(Err(e)) => return Read::Done(Err(e)),
                Ok(Ok(())) => {}
            }
            reserve_read(buf);
            match self.try_read(buf) {
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                other => return Read::Done(other),
            }
        }
    }

    async fn write_all(&mut self, buf: &mut BytesMut) -> io::Result<()> {
        let r = Readiness::write_all(self, buf).await;
        buf.clear();
        r
    }
}

/// Makes room in `buf` for a read: storage from the per-thread pool if it has none, and at
/// least half a pooled buffer of spare capacity.
pub fn reserve_read(buf: &mut BytesMut) {
    pool::borrow(buf);
    buf.reserve(pool::SIZE / 2);
}

/// Polls `a` and `b` together; the first to finish wins and the other is dropped.
pub(crate) async fn race<A: Future, B: Future>(a: A, b: B) -> Result<A::Output, B::Output> {
    let mut a = pin!(a);
    let mut b = pin!(b);
    poll_fn(|cx| {
        if let Poll::Ready(x) = a.as_mut().poll(cx) {
            return Poll::Ready(Ok(x));
        }
        if let Poll::Ready(y) = b.as_mut().poll(cx) {
            return Poll::Ready(Err(y));
        }
        Poll::Pending
    })
    .await
}

/// Reads once with nothing to stop it.
pub(crate) async fn read_some<T: Transport>(io: &mut T, buf: &mut BytesMut) -> io::Result<usize> {
    match io
        .read(buf, &mut core::future::pending::<Infallible>())
        .await
    {
        Read::Done(r) => r,
        Read::Stopped(never) => match never {},
    }
}

/// Time as the runtime keeps it: the core's [`Instant`]s, and sleeping until one.
pub trait Clock {
    /// The current time, in microseconds on a monotonic clock.
    fn now(&self) -> Instant;

    /// Completes at `deadline`.
    fn sleep_until(&self, deadline: Instant) -> impl Future<Output = ()>;
}

/// A [`Clock`]'s arithmetic on a std monotonic base: microseconds since the base, and back.
#[derive(Debug, Clone, Copy)]
pub struct ClockBase(std::time::Instant);

impl Default for ClockBase {
    fn default() -> Self {
        Self(std::time::Instant::now())
    }
}

impl ClockBase {
    /// Microseconds since the base.
    pub fn now(&self) -> Instant {
        Instant(u64::try_from(self.0.elapsed().as_micros()).unwrap_or(u64::MAX))
    }

    /// The std instant of `deadline`.
    pub fn to_std(&self, deadline: Instant) -> std::time::Instant {
        self.0 + std::time::Duration::from_micros(deadline.0)
    }
}

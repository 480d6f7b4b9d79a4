//! What a runtime binding provides: a byte stream ([`Transport`]) and a clock with timers
//! ([`Clock`]). Everything above them is written once.

use core::future::Future;
use std::io;

use bytes::BytesMut;
use pgproto::backend::Instant;

/// A connected byte stream, readiness-based so that an idle connection holds no read buffer.
pub trait Transport {
    /// Waits until [`Transport::try_read`] can make progress (data, end of stream or an error).
    /// Must be cancel-safe: dropping the future loses nothing.
    fn readable(&mut self) -> impl Future<Output = io::Result<()>>;

    /// Appends what can be read now to `buf` (whose spare capacity the caller reserved), without
    /// waiting: `Ok(0)` is the end of the stream, [`io::ErrorKind::WouldBlock`] means nothing yet.
    fn try_read(&mut self, buf: &mut BytesMut) -> io::Result<usize>;

    /// Writes all of `data` (one `write` for a batch, as far as the OS allows).
    fn write_all(&mut self, data: &[u8]) -> impl Future<Output = io::Result<()>>;
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

/// Reads once: waits for readiness, then appends to `buf` (reserving `reserve` bytes first).
pub(crate) async fn read_some<T: Transport>(
    io: &mut T,
    buf: &mut BytesMut,
    reserve: usize,
) -> io::Result<usize> {
    loop {
        io.readable().await?;
        buf.reserve(reserve);
        match io.try_read(buf) {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            other => return other,
        }
    }
}

//! monoio's sockets as the service layer's [`Transport`]: a read lends the spare capacity of the
//! connection's input buffer to the kernel (io_uring) and gets it back with the bytes in place;
//! a write hands over the whole output batch.

use core::future::{poll_fn, Future};
use core::pin::{pin, Pin};
use core::task::Poll;
use std::io;

use bytes::BytesMut;
use monoio::buf::IoBufMut;
use monoio::io::{AsyncWriteRentExt, CancelableAsyncReadRent, Canceller};
use monoio::net::{TcpStream, UnixStream};
use pgproto_service::{reserve_read, Read, Transport};

/// An accepted (or connected) socket: TCP or Unix-domain.
#[derive(Debug)]
pub enum Stream {
    /// TCP (`TCP_NODELAY` set, as PostgreSQL does).
    Tcp(TcpStream),
    /// Unix-domain socket.
    Unix(UnixStream),
}

impl Transport for Stream {
    async fn read<S: Future + Unpin>(
        &mut self,
        buf: &mut BytesMut,
        stop: &mut S,
    ) -> Read<S::Output> {
        match self {
            Self::Tcp(s) => read_owned(s, buf, stop).await,
            Self::Unix(s) => read_owned(s, buf, stop).await,
        }
    }

    async fn write_all(&mut self, buf: &mut BytesMut) -> io::Result<()> {
        let (r, mut owned) = match self {
            Self::Tcp(s) => s.write_all(core::mem::take(buf)).await,
            Self::Unix(s) => s.write_all(core::mem::take(buf)).await,
        };
        owned.clear();
        *buf = owned;
        r.map(drop)
    }
}

/// One read into the spare capacity of `buf`, lent to the kernel and given back. When `stop`
/// completes first the read is cancelled and awaited: a read that completed meanwhile keeps
/// its bytes.
async fn read_owned<R: CancelableAsyncReadRent, S: Future + Unpin>(
    io: &mut R,
    buf: &mut BytesMut,
    stop: &mut S,
) -> Read<S::Output> {
    reserve_read(buf);
    let start = buf.len();
    let canceller = Canceller::new();
    let mut op =
        pin!(io.cancelable_read(core::mem::take(buf).slice_mut(start..), canceller.handle()));
    let first = poll_fn(|cx| {
        if let Poll::Ready(done) = op.as_mut().poll(cx) {
            return Poll::Ready(Ok(done));
        }
        Pin::new(&mut *stop).poll(cx).map(Err)
    })
    .await;
    let (stopped, (r, slice)) = match first {
        Ok(done) => (None, done),
        Err(w) => {
            let _ = canceller.cancel();
            (Some(w), op.await)
        }
    };
    *buf = slice.into_inner();
    match (r, stopped) {
        (Err(e), Some(w)) if e.raw_os_error() == Some(ECANCELED) => Read::Stopped(w),
        (r, _) => Read::Done(r),
    }
}

/// The errno of a cancelled operation (Linux).
const ECANCELED: i32 = 125;

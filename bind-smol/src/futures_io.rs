//! Any futures-io stream as the service layer's [`Transport`]: what glommio's sockets (and any
//! other `AsyncRead + AsyncWrite` type) run through.

use core::cell::RefCell;
use core::future::{poll_fn, Future};
use core::pin::Pin;
use core::task::Poll;
use std::io;

use bytes::BytesMut;
use futures_lite::{AsyncRead, AsyncWrite, AsyncWriteExt};
use pgproto_service::{reserve_read, Read, Transport};

/// The most one read takes.
const READ_CHUNK: usize = 8 * 1024;

thread_local! {
    /// Where reads land before they are appended: futures-io reads need initialized memory,
    /// and an idle connection then holds no buffer while its read is pending.
    static SCRATCH: RefCell<Box<[u8; READ_CHUNK]>> = RefCell::new(Box::new([0; READ_CHUNK]));
}

/// A futures-io byte stream as a [`Transport`].
pub struct FuturesIo<S>(pub S);

impl<S> core::fmt::Debug for FuturesIo<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("FuturesIo").finish_non_exhaustive()
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin> Transport for FuturesIo<S> {
    async fn read<St: Future + Unpin>(
        &mut self,
        buf: &mut BytesMut,
        stop: &mut St,
    ) -> Read<St::Output> {
        poll_fn(|cx| {
            let read = SCRATCH.with(|scratch| {
                let scratch = &mut scratch.borrow_mut()[..];
                Pin::new(&mut self.0).poll_read(cx, scratch).map_ok(|n| {
                    reserve_read(buf);
                    buf.extend_from_slice(&scratch[..n]);
                    n
                })
            });
            if let Poll::Ready(r) = read {
                return Poll::Ready(Read::Done(r));
            }
            Pin::new(&mut *stop).poll(cx).map(Read::Stopped)
        })
        .await
    }

    async fn write_all(&mut self, buf: &mut BytesMut) -> io::Result<()> {
        let r = self.0.write_all(buf).await;
        buf.clear();
        r
    }
}

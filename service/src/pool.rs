//! Buffers on loan: a connection holds its input and output buffers only while it has bytes to
//! handle, and returns them to a per-thread pool while idle, so a thousand idle connections hold
//! no buffers and a busy one never allocates per request.

use std::cell::RefCell;

use bytes::BytesMut;

/// Size of a pooled buffer; a buffer that grew past [`KEEP_UP_TO`] is dropped (shrunk back).
pub(crate) const SIZE: usize = 8 * 1024;
const KEEP_UP_TO: usize = 64 * 1024;
const POOL_MAX: usize = 256;

thread_local! {
    static POOL: RefCell<Vec<BytesMut>> = const { RefCell::new(Vec::new()) };
}

/// Gives `buf` storage from the pool if it has none.
pub(crate) fn borrow(buf: &mut BytesMut) {
    if buf.capacity() == 0 {
        *buf = POOL
            .with(|p| p.borrow_mut().pop())
            .unwrap_or_else(|| BytesMut::with_capacity(SIZE));
    }
}

/// Returns `buf`'s storage to the pool if it is empty, leaving it without any.
pub(crate) fn give_back(buf: &mut BytesMut) {
    if !buf.is_empty() || buf.capacity() == 0 {
        return;
    }
    let mut b = core::mem::take(buf);
    b.clear();
    // Reclaims the space before the read position (no allocation: the storage is unique).
    b.reserve(SIZE);
    if b.capacity() <= KEEP_UP_TO {
        POOL.with(|p| {
            let mut p = p.borrow_mut();
            if p.len() < POOL_MAX {
                p.push(b);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bytes::Buf;

    #[test]
    fn idle_buffers_go_back_and_come_out_again() {
        let mut buf = BytesMut::new();
        borrow(&mut buf);
        assert!(buf.capacity() >= SIZE);
        buf.extend_from_slice(b"hello");
        give_back(&mut buf); // not empty: kept
        assert_eq!(&buf[..], b"hello");
        buf.advance(5);
        let ptr = buf.as_ptr() as usize - 5;
        give_back(&mut buf);
        assert_eq!(buf.capacity(), 0);
        let mut again = BytesMut::new();
        borrow(&mut again);
        assert_eq!(again.as_ptr() as usize, ptr, "the same storage is reused");
        assert!(again.capacity() >= SIZE);
    }

    #[test]
    fn grown_buffers_are_dropped() {
        let mut buf = BytesMut::with_capacity(KEEP_UP_TO * 2);
        give_back(&mut buf);
        let mut next = BytesMut::new();
        borrow(&mut next);
        assert!(next.capacity() < KEEP_UP_TO * 2);
    }
}

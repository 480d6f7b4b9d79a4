//! `WriteBuf`: the small output-buffer trait every encoder writes through.

/// The output buffer is full: a fixed-capacity buffer could not take the whole frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("output buffer full")]
pub struct BufferFull;

/// An append-only byte buffer that encoders write frames into.
///
/// Growable buffers (`Vec<u8>`, `BytesMut`) never fail; fixed ones (`heapless::Vec`, [`SliceBuf`])
/// return [`BufferFull`] instead of panicking. Already written bytes stay addressable so that
/// length prefixes can be patched in place.
pub trait WriteBuf {
    /// Bytes written so far.
    fn written(&self) -> usize;
    /// The bytes written so far, mutable, so a length written earlier can be patched.
    fn written_mut(&mut self) -> &mut [u8];
    /// Append `bytes`, all or nothing.
    fn put_slice(&mut self, bytes: &[u8]) -> Result<(), BufferFull>;
    /// Make room for `additional` more bytes, or fail if a fixed buffer has no room for them.
    fn reserve(&mut self, additional: usize) -> Result<(), BufferFull>;
    /// Drop everything written after `len` (used to roll back a partly written frame).
    fn truncate(&mut self, len: usize);

    /// Append one byte.
    #[inline]
    fn put_u8(&mut self, v: u8) -> Result<(), BufferFull> {
        self.put_slice(&[v])
    }
    /// Append a big-endian `i16`.
    #[inline]
    fn put_i16(&mut self, v: i16) -> Result<(), BufferFull> {
        self.put_slice(&v.to_be_bytes())
    }
    /// Append a big-endian `u16`.
    #[inline]
    fn put_u16(&mut self, v: u16) -> Result<(), BufferFull> {
        self.put_slice(&v.to_be_bytes())
    }
    /// Append a big-endian `i32`.
    #[inline]
    fn put_i32(&mut self, v: i32) -> Result<(), BufferFull> {
        self.put_slice(&v.to_be_bytes())
    }
    /// Append a big-endian `u32`.
    #[inline]
    fn put_u32(&mut self, v: u32) -> Result<(), BufferFull> {
        self.put_slice(&v.to_be_bytes())
    }
    /// Append `bytes` and a terminating NUL (a protocol "String").
    #[inline]
    fn put_cstr(&mut self, bytes: &[u8]) -> Result<(), BufferFull> {
        self.put_slice(bytes)?;
        self.put_u8(0)
    }
}

impl<B: WriteBuf + ?Sized> WriteBuf for &mut B {
    #[inline]
    fn written(&self) -> usize {
        (**self).written()
    }
    #[inline]
    fn written_mut(&mut self) -> &mut [u8] {
        (**self).written_mut()
    }
    #[inline]
    fn put_slice(&mut self, bytes: &[u8]) -> Result<(), BufferFull> {
        (**self).put_slice(bytes)
    }
    #[inline]
    fn put_u8(&mut self, v: u8) -> Result<(), BufferFull> {
        (**self).put_u8(v)
    }
    #[inline]
    fn reserve(&mut self, additional: usize) -> Result<(), BufferFull> {
        (**self).reserve(additional)
    }
    #[inline]
    fn truncate(&mut self, len: usize) {
        (**self).truncate(len);
    }
}

#[cfg(feature = "alloc")]
impl WriteBuf for alloc::vec::Vec<u8> {
    #[inline]
    fn written(&self) -> usize {
        self.len()
    }
    #[inline]
    fn written_mut(&mut self) -> &mut [u8] {
        self
    }
    #[inline]
    fn put_slice(&mut self, bytes: &[u8]) -> Result<(), BufferFull> {
        self.extend_from_slice(bytes);
        Ok(())
    }
    #[inline]
    fn put_u8(&mut self, v: u8) -> Result<(), BufferFull> {
        self.push(v);
        Ok(())
    }
    #[inline]
    fn reserve(&mut self, additional: usize) -> Result<(), BufferFull> {
        alloc::vec::Vec::reserve(self, additional);
        Ok(())
    }
    #[inline]
    fn truncate(&mut self, len: usize) {
        alloc::vec::Vec::truncate(self, len);
    }
}

#[cfg(feature = "alloc")]
impl WriteBuf for bytes::BytesMut {
    #[inline]
    fn written(&self) -> usize {
        self.len()
    }
    #[inline]
    fn written_mut(&mut self) -> &mut [u8] {
        self
    }
    #[inline]
    fn put_slice(&mut self, bytes: &[u8]) -> Result<(), BufferFull> {
        self.extend_from_slice(bytes);
        Ok(())
    }
    #[inline]
    fn put_u8(&mut self, v: u8) -> Result<(), BufferFull> {
        bytes::BufMut::put_u8(self, v);
        Ok(())
    }
    #[inline]
    fn reserve(&mut self, additional: usize) -> Result<(), BufferFull> {
        bytes::BytesMut::reserve(self, additional);
        Ok(())
    }
    #[inline]
    fn truncate(&mut self, len: usize) {
        bytes::BytesMut::truncate(self, len);
    }
}

impl<const N: usize> WriteBuf for heapless::Vec<u8, N> {
    #[inline]
    fn written(&self) -> usize {
        self.len()
    }
    #[inline]
    fn written_mut(&mut self) -> &mut [u8] {
        self
    }
    #[inline]
    fn put_slice(&mut self, bytes: &[u8]) -> Result<(), BufferFull> {
        self.extend_from_slice(bytes).map_err(|_| BufferFull)
    }
    #[inline]
    fn reserve(&mut self, additional: usize) -> Result<(), BufferFull> {
        if N - self.len() >= additional {
            Ok(())
        } else {
            Err(BufferFull)
        }
    }
    #[inline]
    fn truncate(&mut self, len: usize) {
        heapless::Vec::truncate(self, len);
    }
}

/// A cursor writing into a caller-owned `&mut [u8]`; fails with [`BufferFull`] at its end.
#[derive(Debug)]
pub struct SliceBuf<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> SliceBuf<'a> {
    /// A cursor at the start of `buf`.
    pub fn new(buf: &'a mut [u8]) -> Self {
        Self { buf, len: 0 }
    }
    /// The bytes written so far.
    pub fn filled(&self) -> &[u8] {
        &self.buf[..self.len]
    }
    /// Give back the written prefix of the slice.
    pub fn into_filled(self) -> &'a mut [u8] {
        &mut self.buf[..self.len]
    }
}

impl WriteBuf for SliceBuf<'_> {
    #[inline]
    fn written(&self) -> usize {
        self.len
    }
    #[inline]
    fn written_mut(&mut self) -> &mut [u8] {
        &mut self.buf[..self.len]
    }
    #[inline]
    fn put_slice(&mut self, bytes: &[u8]) -> Result<(), BufferFull> {
        let end = self.len.checked_add(bytes.len()).ok_or(BufferFull)?;
        let dst = self.buf.get_mut(self.len..end).ok_or(BufferFull)?;
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }
    #[inline]
    fn reserve(&mut self, additional: usize) -> Result<(), BufferFull> {
        if self.buf.len() - self.len >= additional {
            Ok(())
        } else {
            Err(BufferFull)
        }
    }
    #[inline]
    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_buf_reports_full_without_partial_write() {
        let mut storage = [0u8; 5];
        let mut b = SliceBuf::new(&mut storage);
        b.put_i32(7).unwrap();
        assert_eq!(b.put_i16(1), Err(BufferFull));
        assert_eq!(b.filled(), &[0, 0, 0, 7]);
        b.put_u8(9).unwrap();
        assert_eq!(b.put_u8(1), Err(BufferFull));
        assert_eq!(b.reserve(1), Err(BufferFull));
    }

    #[test]
    fn heapless_reports_full() {
        let mut b: heapless::Vec<u8, 3> = heapless::Vec::new();
        assert_eq!(b.put_i32(1), Err(BufferFull));
        assert!(b.is_empty());
        b.put_i16(2).unwrap();
        assert_eq!(b.reserve(2), Err(BufferFull));
        assert_eq!(b.reserve(1), Ok(()));
    }
}

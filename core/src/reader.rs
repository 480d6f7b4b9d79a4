//! A checked reader over one message body: every read is bounds-checked, none panics.

use crate::error::DecodeError;

/// Reads big-endian protocol fields from the front of a body slice.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    #[inline]
    pub(crate) fn new(body: &'a [u8]) -> Self {
        Self { rest: body }
    }

    #[inline]
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.rest
    }

    #[inline]
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let (head, tail) = self
            .rest
            .split_at_checked(n)
            .ok_or(DecodeError::Truncated)?;
        self.rest = tail;
        Ok(head)
    }

    #[inline]
    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let (head, tail) = self
            .rest
            .split_first_chunk::<N>()
            .ok_or(DecodeError::Truncated)?;
        self.rest = tail;
        Ok(*head)
    }

    #[inline]
    pub(crate) fn u8(&mut self) -> Result<u8, DecodeError> {
        let (&b, tail) = self.rest.split_first().ok_or(DecodeError::Truncated)?;
        self.rest = tail;
        Ok(b)
    }

    #[inline]
    pub(crate) fn i16(&mut self) -> Result<i16, DecodeError> {
        self.array().map(i16::from_be_bytes)
    }

    #[inline]
    pub(crate) fn u16(&mut self) -> Result<u16, DecodeError> {
        self.array().map(u16::from_be_bytes)
    }

    #[inline]
    pub(crate) fn i32(&mut self) -> Result<i32, DecodeError> {
        self.array().map(i32::from_be_bytes)
    }

    #[inline]
    pub(crate) fn u32(&mut self) -> Result<u32, DecodeError> {
        self.array().map(u32::from_be_bytes)
    }

    /// A NUL-terminated String, returned without its terminator.
    #[inline]
    pub(crate) fn cstr(&mut self) -> Result<&'a [u8], DecodeError> {
        let nul = find_nul(self.rest).ok_or(DecodeError::MissingNul)?;
        let (s, tail) = self.rest.split_at(nul);
        self.rest = tail.get(1..).unwrap_or_default();
        Ok(s)
    }

    /// An Int32 length followed by that many bytes; -1 is NULL.
    #[inline]
    pub(crate) fn nullable_bytes(&mut self) -> Result<Option<&'a [u8]>, DecodeError> {
        match self.i32()? {
            -1 => Ok(None),
            n if n < 0 => Err(DecodeError::InvalidValueLength(n)),
            n => self.take(n as usize).map(Some),
        }
    }

    /// Everything left in the body.
    #[inline]
    pub(crate) fn take_rest(&mut self) -> &'a [u8] {
        core::mem::take(&mut self.rest)
    }

    /// Succeeds only if the whole body was read.
    #[inline]
    pub(crate) fn finish(&self) -> Result<(), DecodeError> {
        match self.rest.len() {
            0 => Ok(()),
            n => Err(DecodeError::TrailingBytes(n)),
        }
    }
}

/// Bytes searched a word at a time before handing the rest to `memchr`'s vectorized search.
const INLINE_SEARCH: usize = 32;

/// Position of the first NUL. Protocol strings are mostly short (names, tags): their first bytes
/// are searched a word at a time inline, the rest of longer ones with `memchr`.
#[inline]
pub(crate) fn find_nul(s: &[u8]) -> Option<usize> {
    const LOW: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    let mut rest = s;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        let w = u64::from_le_bytes(*word);
        // The lowest set bit marks the first zero byte (borrows only run upwards).
        let zero = w.wrapping_sub(LOW) & !w & HIGH;
        if zero != 0 {
            return Some(at + (zero.trailing_zeros() / 8) as usize);
        }
        at += 8;
        rest = tail;
        if at == INLINE_SEARCH {
            return memchr::memchr(0, rest).map(|p| p + at);
        }
    }
    rest.iter().position(|&b| b == 0).map(|p| p + at)
}

#[cfg(test)]
mod tests {
    use super::find_nul;

    #[test]
    fn find_nul_agrees_with_a_plain_search() {
        let mut buf = [1u8; 80];
        for len in 0..buf.len() {
            for nul in 0..=len {
                buf.fill(0x80);
                if nul < len {
                    buf[nul] = 0;
                    buf[len - 1] = 0; // a later NUL must not win
                }
                let s = &buf[..len];
                assert_eq!(
                    find_nul(s),
                    s.iter().position(|&b| b == 0),
                    "len {len} nul {nul}"
                );
            }
        }
        assert_eq!(find_nul(b"\x01\x00\xff"), Some(1));
        assert_eq!(find_nul(&[0xff; 40]), None);
    }
}

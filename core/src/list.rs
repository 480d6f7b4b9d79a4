//! `List`: a run of same-shaped fields inside a message, either validated wire bytes or a slice.
//!
//! Decoding keeps the list as the bytes it came in (checked once, iterated without allocating);
//! encoding takes a caller's slice. Both compare equal when their items do.

use core::fmt;

use crate::buf::{BufferFull, WriteBuf};
use crate::error::{DecodeError, EncodeError};
use crate::reader::Reader;

pub(crate) mod sealed {
    use super::{BufferFull, DecodeError, Reader, WriteBuf};

    /// How one list item reads from and writes to the wire.
    pub trait WireItem<'a>: Copy {
        /// Read one item; the reader is positioned at its first byte.
        fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError>;
        /// Bytes the item takes on the wire.
        fn wire_len(&self) -> usize;
        /// Append the item's wire form.
        fn write<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), BufferFull>;
        /// Whether the item would read back as the end of a zero-terminated list.
        fn is_terminator(&self) -> bool {
            false
        }
    }
}

/// A type that can be an item of a [`List`]; implemented by this crate's field types.
pub trait Item<'a>: sealed::WireItem<'a> {}
impl<'a, T: sealed::WireItem<'a>> Item<'a> for T {}

/// A list of protocol fields: validated wire bytes after decoding, or a slice to encode.
#[derive(Clone, Copy)]
pub struct List<'a, T> {
    repr: Repr<'a, T>,
}

#[derive(Clone, Copy)]
enum Repr<'a, T> {
    /// `len` items, already validated, exactly covering `bytes` (terminator excluded).
    Wire {
        len: usize,
        bytes: &'a [u8],
    },
    Items(&'a [T]),
}

impl<'a, T: Item<'a>> List<'a, T> {
    /// A list to encode, borrowing the caller's items.
    pub const fn new(items: &'a [T]) -> Self {
        Self {
            repr: Repr::Items(items),
        }
    }

    /// An empty list.
    pub const fn empty() -> Self {
        Self::new(&[])
    }

    /// Number of items.
    #[inline]
    pub fn len(&self) -> usize {
        match self.repr {
            Repr::Wire { len, .. } => len,
            Repr::Items(items) => items.len(),
        }
    }

    /// Whether the list has no items.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The items, in order. Never fails: wire bytes were validated when decoded.
    #[inline]
    pub fn iter(&self) -> ListIter<'a, T> {
        match self.repr {
            Repr::Wire { len, bytes } => ListIter {
                repr: IterRepr::Wire {
                    left: len,
                    reader: Reader::new(bytes),
                },
            },
            Repr::Items(items) => ListIter {
                repr: IterRepr::Items(items.iter()),
            },
        }
    }

    /// The item at `index`, if any (a scan on decoded lists).
    pub fn get(&self, index: usize) -> Option<T> {
        match self.repr {
            Repr::Items(items) => items.get(index).copied(),
            Repr::Wire { .. } => self.iter().nth(index),
        }
    }

    /// Reads `count` items and keeps the bytes they span.
    pub(crate) fn read_counted(r: &mut Reader<'a>, count: usize) -> Result<Self, DecodeError> {
        let start = r.rest();
        for _ in 0..count {
            T::read(r)?;
        }
        let used = start.len() - r.rest().len();
        Ok(Self {
            repr: Repr::Wire {
                len: count,
                bytes: start.get(..used).unwrap_or_default(),
            },
        })
    }

    /// A list already validated by its message: `len` items exactly covering `bytes`.
    pub(crate) fn from_validated(len: usize, bytes: &'a [u8]) -> Self {
        Self {
            repr: Repr::Wire { len, bytes },
        }
    }

    /// Reads items up to a terminating zero byte, which is consumed but not kept.
    pub(crate) fn read_terminated(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let start = r.rest();
        let mut len = 0;
        loop {
            match r.rest().first() {
                None => return Err(DecodeError::MissingNul),
                Some(0) => break,
                Some(_) => {
                    T::read(r)?;
                    len += 1;
                }
            }
        }
        let used = start.len() - r.rest().len();
        r.take(1)?;
        Ok(Self {
            repr: Repr::Wire {
                len,
                bytes: start.get(..used).unwrap_or_default(),
            },
        })
    }

    /// Refuses an item that would end a zero-terminated list early (an empty name, a zero code).
    pub(crate) fn check_terminable(&self) -> Result<(), EncodeError> {
        match self.repr {
            Repr::Items(items) if items.iter().any(sealed::WireItem::is_terminator) => {
                Err(EncodeError::EmptyListItem)
            }
            _ => Ok(()),
        }
    }

    /// Bytes the items take on the wire (no count, no terminator).
    #[inline]
    pub(crate) fn wire_len(&self) -> usize {
        match self.repr {
            Repr::Wire { bytes, .. } => bytes.len(),
            Repr::Items(items) => items.iter().map(sealed::WireItem::wire_len).sum(),
        }
    }

    /// Appends the items (no count, no terminator); decoded lists are copied as they came.
    #[inline]
    pub(crate) fn write_items<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), BufferFull> {
        match self.repr {
            Repr::Wire { bytes, .. } => buf.put_slice(bytes),
            Repr::Items(items) => items.iter().try_for_each(|item| item.write(buf)),
        }
    }
}

impl<'a, T: Item<'a>> Default for List<'a, T> {
    fn default() -> Self {
        Self::empty()
    }
}

impl<'a, T: Item<'a> + PartialEq> PartialEq for List<'a, T> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl<'a, T: Item<'a> + Eq> Eq for List<'a, T> {}

impl<'a, T: Item<'a> + fmt::Debug> fmt::Debug for List<'a, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a, T: Item<'a>> IntoIterator for List<'a, T> {
    type Item = T;
    type IntoIter = ListIter<'a, T>;
    fn into_iter(self) -> ListIter<'a, T> {
        self.iter()
    }
}

impl<'a, T: Item<'a>> IntoIterator for &List<'a, T> {
    type Item = T;
    type IntoIter = ListIter<'a, T>;
    fn into_iter(self) -> ListIter<'a, T> {
        self.iter()
    }
}

/// Iterator over a [`List`]'s items.
#[derive(Clone)]
pub struct ListIter<'a, T> {
    repr: IterRepr<'a, T>,
}

#[derive(Clone)]
enum IterRepr<'a, T> {
    Wire { left: usize, reader: Reader<'a> },
    Items(core::slice::Iter<'a, T>),
}

impl<'a, T: Item<'a>> Iterator for ListIter<'a, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        match &mut self.repr {
            IterRepr::Wire { left, reader } => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                // Validated at decode time, so this read cannot fail; stop rather than panic.
                T::read(reader).ok()
            }
            IterRepr::Items(items) => items.next().copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = match &self.repr {
            IterRepr::Wire { left, .. } => *left,
            IterRepr::Items(items) => items.len(),
        };
        (n, Some(n))
    }
}

impl<'a, T: Item<'a>> ExactSizeIterator for ListIter<'a, T> {}

// Field types that appear in lists.

/// A value that may be NULL: an Int32 length (-1 for NULL) and that many bytes.
impl<'a> sealed::WireItem<'a> for Option<&'a [u8]> {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.nullable_bytes()
    }
    #[inline]
    fn wire_len(&self) -> usize {
        4 + self.map_or(0, <[u8]>::len)
    }
    #[inline]
    fn write<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), BufferFull> {
        match self {
            None => buf.put_i32(-1),
            Some(v) => {
                buf.put_i32(v.len() as i32)?;
                buf.put_slice(v)
            }
        }
    }
}

/// An object identifier (Int32 on the wire, unsigned in PostgreSQL).
impl<'a> sealed::WireItem<'a> for u32 {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.u32()
    }
    #[inline]
    fn wire_len(&self) -> usize {
        4
    }
    #[inline]
    fn write<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), BufferFull> {
        buf.put_u32(*self)
    }
}

/// A String.
impl<'a> sealed::WireItem<'a> for crate::PgStr<'a> {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        r.cstr().map(crate::PgStr::from_checked)
    }
    #[inline]
    fn wire_len(&self) -> usize {
        crate::PgStr::wire_len(self)
    }
    #[inline]
    fn write<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), BufferFull> {
        buf.put_cstr(self.as_bytes())
    }
    fn is_terminator(&self) -> bool {
        self.is_empty()
    }
}

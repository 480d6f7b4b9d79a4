//! DataRow (`D`): one row of a result, and [`DataRowWriter`], which encodes rows in place.

use core::fmt;

use super::{encode_via_message, put_count, tag, Message};
use crate::buf::{BufferFull, WriteBuf};
use crate::error::{DecodeError, EncodeError};
use crate::list::List;
use crate::reader::Reader;

/// DataRow (`D`): one row; each column is a value or NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DataRow<'a> {
    /// Column values in the row's order; `None` is NULL.
    pub columns: List<'a, Option<&'a [u8]>>,
}

impl<'a> DataRow<'a> {
    /// A row of these values.
    pub const fn new(columns: &'a [Option<&'a [u8]>]) -> Self {
        Self {
            columns: List::new(columns),
        }
    }
}

impl<'a> Message<'a> for DataRow<'a> {
    const TAG: u8 = tag::DATA_ROW;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let n = r.u16()?;
        let columns = List::read_counted(&mut r, n.into())?;
        r.finish()?;
        Ok(Self { columns })
    }
    fn body_len(&self) -> usize {
        2 + self.columns.wire_len()
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        put_count(buf, self.columns.len())?;
        Ok(self.columns.write_items(buf)?)
    }
}
encode_via_message!(DataRow<'_>);

/// Writes one DataRow straight into the output buffer, column by column, then patches its length
/// and column count. Nothing is allocated; a writer dropped before [`DataRowWriter::finish`]
/// removes its partial row.
pub struct DataRowWriter<'b, B: WriteBuf + ?Sized> {
    buf: &'b mut B,
    start: usize,
    columns: usize,
    done: bool,
}

impl<'b, B: WriteBuf + ?Sized> DataRowWriter<'b, B> {
    /// Starts a row at the end of `buf`.
    pub fn new(buf: &'b mut B) -> Result<Self, EncodeError> {
        let start = buf.written();
        let header = buf
            .put_slice(&[tag::DATA_ROW, 0, 0, 0, 0, 0, 0])
            .map_err(EncodeError::from);
        if header.is_err() {
            buf.truncate(start);
        }
        header?;
        Ok(Self {
            buf,
            start,
            columns: 0,
            done: false,
        })
    }

    /// Appends a NULL column.
    pub fn null(&mut self) -> Result<(), EncodeError> {
        self.columns += 1;
        Ok(self.buf.put_i32(-1)?)
    }

    /// Appends a column holding `value`.
    pub fn value(&mut self, value: &[u8]) -> Result<(), EncodeError> {
        let len = i32::try_from(value.len()).map_err(|_| EncodeError::TooLong(value.len()))?;
        self.buf.put_i32(len)?;
        self.buf.put_slice(value)?;
        self.columns += 1;
        Ok(())
    }

    /// Appends a column whose bytes `write` produces in place; its length is patched after.
    pub fn column_with<F>(&mut self, write: F) -> Result<(), EncodeError>
    where
        F: FnOnce(&mut B) -> Result<(), BufferFull>,
    {
        let at = self.buf.written();
        self.buf.put_i32(0)?;
        write(self.buf)?;
        let len = self.buf.written() - at - 4;
        let len = i32::try_from(len).map_err(|_| EncodeError::TooLong(len))?;
        patch(self.buf, at, len);
        self.columns += 1;
        Ok(())
    }

    /// Appends a text column formatted from `value` (integers, floats, anything `Display`).
    pub fn display(&mut self, value: impl fmt::Display) -> Result<(), EncodeError> {
        self.column_with(|buf| {
            let mut w = FmtAdapter { buf, full: false };
            if fmt::write(&mut w, format_args!("{value}")).is_err() || w.full {
                Err(BufferFull)
            } else {
                Ok(())
            }
        })
    }

    /// Columns written so far.
    pub fn columns(&self) -> usize {
        self.columns
    }

    /// Completes the row: patches its length and column count.
    pub fn finish(mut self) -> Result<(), EncodeError> {
        let count =
            u16::try_from(self.columns).map_err(|_| EncodeError::TooManyItems(self.columns))?;
        let len = self.buf.written() - self.start - 1;
        let len = i32::try_from(len).map_err(|_| EncodeError::TooLong(len))?;
        patch(self.buf, self.start + 1, len);
        if let Some(dst) = self
            .buf
            .written_mut()
            .get_mut(self.start + 5..self.start + 7)
        {
            dst.copy_from_slice(&count.to_be_bytes());
        }
        self.done = true;
        Ok(())
    }
}

impl<B: WriteBuf + ?Sized> Drop for DataRowWriter<'_, B> {
    fn drop(&mut self) {
        if !self.done {
            self.buf.truncate(self.start);
        }
    }
}

fn patch<B: WriteBuf + ?Sized>(buf: &mut B, at: usize, v: i32) {
    if let Some(dst) = buf.written_mut().get_mut(at..at + 4) {
        dst.copy_from_slice(&v.to_be_bytes());
    }
}

/// Lets `core::fmt` write into a [`WriteBuf`].
struct FmtAdapter<'w, B: WriteBuf + ?Sized> {
    buf: &'w mut B,
    full: bool,
}

impl<B: WriteBuf + ?Sized> fmt::Write for FmtAdapter<'_, B> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.buf.put_slice(s.as_bytes()).map_err(|_| {
            self.full = true;
            fmt::Error
        })
    }
}

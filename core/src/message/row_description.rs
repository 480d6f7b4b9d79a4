//! RowDescription (`T`): the columns of the rows that follow.

use super::fields::Format;
use super::{encode_via_message, put_count, tag, Message};
use crate::buf::{BufferFull, WriteBuf};
use crate::error::{DecodeError, EncodeError};
use crate::list::{sealed::WireItem, List};
use crate::pgstr::PgStr;
use crate::reader::Reader;

/// One column of a RowDescription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FieldDescription<'a> {
    /// Column name.
    pub name: PgStr<'a>,
    /// OID of the table the column comes from, or 0.
    pub table_oid: u32,
    /// Attribute number of the column in that table, or 0.
    pub column_id: i16,
    /// OID of the column's data type.
    pub type_oid: u32,
    /// The type's size (`pg_type.typlen`); negative for variable-width types.
    pub type_size: i16,
    /// The type modifier (`pg_attribute.atttypmod`); its meaning is type-specific, -1 for none.
    pub type_modifier: i32,
    /// The format the column's values are sent in (always text in a Describe of a statement).
    pub format: Format,
}

impl<'a> WireItem<'a> for FieldDescription<'a> {
    #[inline]
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let name = PgStr::from_checked(r.cstr()?);
        // The 18 fixed bytes in one bounds check.
        let [t0, t1, t2, t3, c0, c1, y0, y1, y2, y3, s0, s1, m0, m1, m2, m3, f0, f1] =
            r.array::<18>()?;
        Ok(Self {
            name,
            table_oid: u32::from_be_bytes([t0, t1, t2, t3]),
            column_id: i16::from_be_bytes([c0, c1]),
            type_oid: u32::from_be_bytes([y0, y1, y2, y3]),
            type_size: i16::from_be_bytes([s0, s1]),
            type_modifier: i32::from_be_bytes([m0, m1, m2, m3]),
            format: Format::from_code(i16::from_be_bytes([f0, f1])),
        })
    }
    fn wire_len(&self) -> usize {
        self.name.wire_len() + 18
    }
    fn write<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), BufferFull> {
        buf.put_cstr(self.name.as_bytes())?;
        buf.put_u32(self.table_oid)?;
        buf.put_i16(self.column_id)?;
        buf.put_u32(self.type_oid)?;
        buf.put_i16(self.type_size)?;
        buf.put_i32(self.type_modifier)?;
        buf.put_i16(self.format.code())
    }
}

/// RowDescription (`T`): the columns of the rows that follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RowDescription<'a> {
    /// The columns, in order.
    pub fields: List<'a, FieldDescription<'a>>,
}

impl<'a> RowDescription<'a> {
    /// A description of these columns.
    pub const fn new(fields: &'a [FieldDescription<'a>]) -> Self {
        Self {
            fields: List::new(fields),
        }
    }
}

impl<'a> Message<'a> for RowDescription<'a> {
    const TAG: u8 = tag::ROW_DESCRIPTION;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let n = r.u16()?;
        let fields = List::read_counted(&mut r, n.into())?;
        r.finish()?;
        Ok(Self { fields })
    }
    fn body_len(&self) -> usize {
        2 + self.fields.wire_len()
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        put_count(buf, self.fields.len())?;
        Ok(self.fields.write_items(buf)?)
    }
}
encode_via_message!(RowDescription<'_>);

//! ErrorResponse (`E`) and NoticeResponse (`N`): typed fields ending with a zero byte.

use super::{encode_via_message, tag, Message};
use crate::buf::{BufferFull, WriteBuf};
use crate::error::{DecodeError, EncodeError};
use crate::list::{sealed::WireItem, List};
use crate::pgstr::PgStr;
use crate::reader::Reader;

/// The type code of an error or notice field. Unknown codes are kept: clients must ignore them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldCode(pub u8);

impl FieldCode {
    /// `S`: severity, possibly localized (ERROR, FATAL, PANIC, WARNING, NOTICE, DEBUG, INFO, LOG).
    pub const SEVERITY: Self = Self(b'S');
    /// `V`: severity, never localized (PostgreSQL 9.6 and later).
    pub const SEVERITY_NONLOCALIZED: Self = Self(b'V');
    /// `C`: the SQLSTATE code.
    pub const CODE: Self = Self(b'C');
    /// `M`: the primary, human-readable message.
    pub const MESSAGE: Self = Self(b'M');
    /// `D`: detail.
    pub const DETAIL: Self = Self(b'D');
    /// `H`: hint.
    pub const HINT: Self = Self(b'H');
    /// `P`: cursor position in the original query string, 1-based, in characters.
    pub const POSITION: Self = Self(b'P');
    /// `p`: cursor position in an internally generated command.
    pub const INTERNAL_POSITION: Self = Self(b'p');
    /// `q`: the internally generated command.
    pub const INTERNAL_QUERY: Self = Self(b'q');
    /// `W`: context, a call stack traceback.
    pub const WHERE: Self = Self(b'W');
    /// `s`: schema name.
    pub const SCHEMA_NAME: Self = Self(b's');
    /// `t`: table name.
    pub const TABLE_NAME: Self = Self(b't');
    /// `c`: column name.
    pub const COLUMN_NAME: Self = Self(b'c');
    /// `d`: data type name.
    pub const DATA_TYPE_NAME: Self = Self(b'd');
    /// `n`: constraint name.
    pub const CONSTRAINT_NAME: Self = Self(b'n');
    /// `F`: source file where the error was reported.
    pub const FILE: Self = Self(b'F');
    /// `L`: source line where the error was reported.
    pub const LINE: Self = Self(b'L');
    /// `R`: source routine that reported the error.
    pub const ROUTINE: Self = Self(b'R');
}

/// One field of an ErrorResponse or NoticeResponse.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorField<'a> {
    /// What the field is; never 0, which ends the list.
    pub code: FieldCode,
    /// Its value.
    pub value: PgStr<'a>,
}

impl<'a> ErrorField<'a> {
    /// A field of type `code` with `value`.
    pub const fn new(code: FieldCode, value: PgStr<'a>) -> Self {
        Self { code, value }
    }
}

impl<'a> WireItem<'a> for ErrorField<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let code = FieldCode(r.u8()?);
        let value = PgStr::from_checked(r.cstr()?);
        Ok(Self { code, value })
    }
    fn wire_len(&self) -> usize {
        1 + self.value.wire_len()
    }
    fn write<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), BufferFull> {
        buf.put_u8(self.code.0)?;
        buf.put_cstr(self.value.as_bytes())
    }
    fn is_terminator(&self) -> bool {
        self.code.0 == 0
    }
}

/// Most fields whose positions a decoded message keeps; longer lists are scanned instead.
const INDEXED_FIELDS: usize = 24;

/// The fields of an ErrorResponse or NoticeResponse.
///
/// Decoding finds every NUL of the body once, a word at a time, which validates the list and
/// records where each field ends: iterating then reads fields without searching again.
#[derive(Clone, Copy)]
pub struct ErrorFields<'a> {
    repr: FieldsRepr<'a>,
}

#[derive(Clone, Copy)]
enum FieldsRepr<'a> {
    /// Decoded: `body` without its terminator; field `i` ends (at its NUL) at `ends[i]`.
    Indexed {
        body: &'a [u8],
        ends: [u16; INDEXED_FIELDS],
        len: u8,
    },
    /// Decoded, too many fields (or too long a body) to index: read field by field.
    Listed(List<'a, ErrorField<'a>>),
    /// To encode.
    Items(&'a [ErrorField<'a>]),
}

impl<'a> ErrorFields<'a> {
    /// Fields to encode.
    pub const fn new(fields: &'a [ErrorField<'a>]) -> Self {
        Self {
            repr: FieldsRepr::Items(fields),
        }
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        match self.repr {
            FieldsRepr::Indexed { len, .. } => len.into(),
            FieldsRepr::Listed(l) => l.len(),
            FieldsRepr::Items(i) => i.len(),
        }
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The fields in the order sent.
    pub fn iter(&self) -> ErrorFieldsIter<'a> {
        ErrorFieldsIter {
            fields: *self,
            at: 0,
            listed: match self.repr {
                FieldsRepr::Listed(l) => Some(l.iter()),
                _ => None,
            },
        }
    }

    /// Reads and validates the fields of a body (terminator included).
    fn decode(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut ends = [0u16; INDEXED_FIELDS];
        let mut len = 0usize;
        let mut previous: Option<usize> = None;
        let mut terminator = None;
        for_each_nul(body, |at| {
            // The list ends at a zero byte where a field code would be: at the start, or right
            // after the previous field's NUL.
            if at == 0 || previous == Some(at - 1) {
                terminator = Some(at);
                return false;
            }
            if let Some(slot) = ends.get_mut(len) {
                *slot = u16::try_from(at).unwrap_or(u16::MAX);
            }
            len += 1;
            previous = Some(at);
            true
        });
        let end = terminator.ok_or(DecodeError::MissingNul)?;
        match body.len() - end - 1 {
            0 => {}
            trailing => return Err(DecodeError::TrailingBytes(trailing)),
        }
        let fields = &body[..end];
        let repr = if len <= INDEXED_FIELDS && u16::try_from(end).is_ok() {
            FieldsRepr::Indexed {
                body: fields,
                ends,
                len: len as u8,
            }
        } else {
            FieldsRepr::Listed(List::from_validated(len, fields))
        };
        Ok(Self { repr })
    }

    fn wire_len(&self) -> usize {
        match self.repr {
            FieldsRepr::Indexed { body, .. } => body.len(),
            FieldsRepr::Listed(l) => l.wire_len(),
            FieldsRepr::Items(i) => i.iter().map(WireItem::wire_len).sum(),
        }
    }

    fn write<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        match self.repr {
            FieldsRepr::Indexed { body, .. } => buf.put_slice(body)?,
            FieldsRepr::Listed(l) => l.write_items(buf)?,
            FieldsRepr::Items(items) => {
                let list = List::new(items);
                list.check_terminable()?;
                list.write_items(buf)?;
            }
        }
        Ok(buf.put_u8(0)?)
    }
}

/// Calls `f` with the position of every NUL in `s`, in order, until it returns `false`. Eight
/// bytes at a time: each word's zero bytes are found exactly with carry-free arithmetic.
fn for_each_nul(s: &[u8], mut f: impl FnMut(usize) -> bool) {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut base = 0;
    let mut rest = s;
    while let Some((word, tail)) = rest.split_first_chunk::<8>() {
        let w = u64::from_le_bytes(*word);
        // High bit set exactly in the zero bytes: (w & 0x7f) + 0x7f overflows into the high bit
        // for any non-zero low part, and `| w` catches bytes whose high bit was already set.
        let mut zeros = !(((w & LOW7).wrapping_add(LOW7)) | w | LOW7);
        while zeros != 0 {
            if !f(base + (zeros.trailing_zeros() / 8) as usize) {
                return;
            }
            zeros &= zeros - 1;
        }
        base += 8;
        rest = tail;
    }
    for (i, &b) in rest.iter().enumerate() {
        if b == 0 && !f(base + i) {
            return;
        }
    }
}

/// Iterator over [`ErrorFields`].
#[derive(Clone)]
pub struct ErrorFieldsIter<'a> {
    fields: ErrorFields<'a>,
    at: usize,
    listed: Option<crate::list::ListIter<'a, ErrorField<'a>>>,
}

impl<'a> Iterator for ErrorFieldsIter<'a> {
    type Item = ErrorField<'a>;

    #[inline]
    fn next(&mut self) -> Option<ErrorField<'a>> {
        if let Some(l) = &mut self.listed {
            return l.next();
        }
        let i = self.at;
        self.at += 1;
        match self.fields.repr {
            FieldsRepr::Items(items) => items.get(i).copied(),
            FieldsRepr::Indexed { body, ends, len } => {
                if i >= usize::from(len) {
                    return None;
                }
                let start = if i == 0 {
                    0
                } else {
                    usize::from(ends[i - 1]) + 1
                };
                let end = usize::from(ends[i]);
                let code = *body.get(start)?;
                let value = body.get(start + 1..end)?;
                Some(ErrorField {
                    code: FieldCode(code),
                    value: PgStr::from_checked(value),
                })
            }
            FieldsRepr::Listed(_) => None,
        }
    }
}

impl<'a> IntoIterator for ErrorFields<'a> {
    type Item = ErrorField<'a>;
    type IntoIter = ErrorFieldsIter<'a>;
    fn into_iter(self) -> ErrorFieldsIter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &ErrorFields<'a> {
    type Item = ErrorField<'a>;
    type IntoIter = ErrorFieldsIter<'a>;
    fn into_iter(self) -> ErrorFieldsIter<'a> {
        self.iter()
    }
}

impl PartialEq for ErrorFields<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for ErrorFields<'_> {}

impl Default for ErrorFields<'_> {
    fn default() -> Self {
        Self::new(&[])
    }
}

impl core::fmt::Debug for ErrorFields<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Defines ErrorResponse and NoticeResponse, which share their layout and accessors.
macro_rules! field_message {
    ($(#[$doc:meta])* $name:ident = $tag:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name<'a> {
            /// The fields, in the order sent; no code may be 0.
            pub fields: ErrorFields<'a>,
        }

        impl<'a> $name<'a> {
            /// A message with these fields.
            pub const fn new(fields: &'a [ErrorField<'a>]) -> Self {
                Self { fields: ErrorFields::new(fields) }
            }

            /// The first field of type `code`, if any.
            pub fn field(&self, code: FieldCode) -> Option<PgStr<'a>> {
                self.fields.iter().find(|f| f.code == code).map(|f| f.value)
            }

            /// The severity, preferring the non-localized `V` field over `S`.
            pub fn severity(&self) -> Option<PgStr<'a>> {
                self.field(FieldCode::SEVERITY_NONLOCALIZED)
                    .or_else(|| self.field(FieldCode::SEVERITY))
            }

            /// The SQLSTATE code (`C`).
            pub fn code(&self) -> Option<PgStr<'a>> {
                self.field(FieldCode::CODE)
            }

            /// The primary message (`M`).
            pub fn message(&self) -> Option<PgStr<'a>> {
                self.field(FieldCode::MESSAGE)
            }
        }

        impl<'a> Message<'a> for $name<'a> {
            const TAG: u8 = $tag;
            fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
                Ok(Self { fields: ErrorFields::decode(body)? })
            }
            fn body_len(&self) -> usize {
                self.fields.wire_len() + 1
            }
            fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
                self.fields.write(buf)
            }
        }
        encode_via_message!($name<'_>);
    };
}

field_message! {
    /// ErrorResponse (`E`): an error, with its severity, SQLSTATE, message and more.
    ErrorResponse = tag::ERROR_RESPONSE
}

field_message! {
    /// NoticeResponse (`N`): a notice or warning, with the same fields as an error.
    NoticeResponse = tag::NOTICE_RESPONSE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_nul_exactly() {
        let mut data = [0u8; 70];
        for seed in 0u32..2000 {
            // Bytes chosen to hit the tricky values: 0x00, 0x01, 0x7f, 0x80, 0xff.
            let mut x = seed.wrapping_mul(2_654_435_761);
            for b in &mut data {
                x ^= x << 13;
                x ^= x >> 17;
                x ^= x << 5;
                *b = [0x00, 0x01, 0x7f, 0x80, 0xff, b'a'][(x % 6) as usize];
            }
            let len = (seed as usize) % data.len();
            let mut found = [0usize; 70];
            let mut n = 0;
            for_each_nul(&data[..len], |at| {
                found[n] = at;
                n += 1;
                true
            });
            let expected = data[..len]
                .iter()
                .enumerate()
                .filter(|(_, &b)| b == 0)
                .map(|(i, _)| i);
            assert!(found[..n].iter().copied().eq(expected), "seed {seed}");
        }
    }

    #[test]
    #[cfg(feature = "alloc")]
    fn long_lists_fall_back_to_scanning() {
        let mut body = alloc::vec::Vec::new();
        for i in 0..40u8 {
            body.extend_from_slice(&[b'a' + (i % 26), b'x', 0]);
        }
        body.push(0);
        let fields = ErrorFields::decode(&body).unwrap();
        assert_eq!(fields.len(), 40);
        assert_eq!(fields.iter().count(), 40);
        assert!(fields.iter().all(|f| f.value == "x"));
    }
}

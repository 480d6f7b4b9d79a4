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

/// Validates a field list in two vectorized passes instead of field by field.
///
/// Fields are a non-zero code and a NUL-terminated string; a zero byte where a code would be ends
/// the list. So the list ends at the first `\0\0` (or at a leading `\0`), which must be the
/// end of the body, and every NUL but the last terminates one field.
fn read_fields(body: &[u8]) -> Result<List<'_, ErrorField<'_>>, DecodeError> {
    let end = match body.first() {
        None => return Err(DecodeError::MissingNul),
        Some(0) => 0,
        Some(_) => memchr::memmem::find(body, b"\0\0").ok_or(DecodeError::MissingNul)? + 1,
    };
    match body.len() - end - 1 {
        0 => {}
        trailing => return Err(DecodeError::TrailingBytes(trailing)),
    }
    let fields = memchr::memchr_iter(0, body).count() - 1;
    Ok(List::from_validated(fields, &body[..end]))
}

/// Defines ErrorResponse and NoticeResponse, which share their layout and accessors.
macro_rules! field_message {
    ($(#[$doc:meta])* $name:ident = $tag:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name<'a> {
            /// The fields, in the order sent; no code may be 0.
            pub fields: List<'a, ErrorField<'a>>,
        }

        impl<'a> $name<'a> {
            /// A message with these fields.
            pub const fn new(fields: &'a [ErrorField<'a>]) -> Self {
                Self { fields: List::new(fields) }
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
                Ok(Self { fields: read_fields(body)? })
            }
            fn body_len(&self) -> usize {
                self.fields.wire_len() + 1
            }
            fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
                self.fields.check_terminable()?;
                self.fields.write_items(buf)?;
                Ok(buf.put_u8(0)?)
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

//! Small field types shared by several messages.

use crate::buf::{BufferFull, WriteBuf};
use crate::error::DecodeError;
use crate::list::sealed::WireItem;
use crate::reader::Reader;

/// A value's wire format: text (0) or binary (1).
///
/// The wire carries any Int16 here, and PostgreSQL accepts any result format code at Bind and
/// refuses it only when rows are sent, so other codes are kept as [`Format::Other`] for the
/// connection to refuse at the right moment (22023 `unsupported format code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Format {
    /// Text format (code 0).
    #[default]
    Text,
    /// Binary format (code 1).
    Binary,
    /// A code PostgreSQL does not define.
    Other(i16),
}

impl Format {
    /// The format code on the wire.
    pub const fn code(self) -> i16 {
        match self {
            Format::Text => 0,
            Format::Binary => 1,
            Format::Other(code) => code,
        }
    }

    /// The format for a wire code.
    pub const fn from_code(code: i16) -> Self {
        match code {
            0 => Format::Text,
            1 => Format::Binary,
            other => Format::Other(other),
        }
    }

    /// Whether this is text or binary, the only formats PostgreSQL defines.
    pub const fn is_supported(self) -> bool {
        !matches!(self, Format::Other(_))
    }

    pub(crate) fn read_i8(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self::from_code(i16::from(r.u8()? as i8)))
    }
}

impl crate::List<'_, Format> {
    /// The format of value `index` under the protocol's rule for format lists: none means all
    /// text, one applies to every value, otherwise one per value.
    pub fn format_for(&self, index: usize) -> Format {
        match self.len() {
            0 => Format::Text,
            1 => self.get(0).unwrap_or_default(),
            _ => self.get(index).unwrap_or_default(),
        }
    }
}

/// An Int16 format code.
impl WireItem<'_> for Format {
    fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        Ok(Self::from_code(r.i16()?))
    }
    fn wire_len(&self) -> usize {
        2
    }
    fn write<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), BufferFull> {
        buf.put_i16(self.code())
    }
}

/// What a Close or Describe refers to: a prepared statement (`S`) or a portal (`P`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    /// A prepared statement.
    Statement,
    /// A portal.
    Portal,
}

impl Target {
    pub(crate) fn read(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        match r.u8()? {
            b'S' => Ok(Target::Statement),
            b'P' => Ok(Target::Portal),
            other => Err(DecodeError::InvalidTarget(other)),
        }
    }

    /// The byte on the wire.
    pub const fn byte(self) -> u8 {
        match self {
            Target::Statement => b'S',
            Target::Portal => b'P',
        }
    }
}

/// The transaction status carried by ReadyForQuery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransactionStatus {
    /// `I`: not in a transaction block.
    Idle,
    /// `T`: in a transaction block.
    InTransaction,
    /// `E`: in a failed transaction block; queries are refused until it ends.
    Failed,
}

impl TransactionStatus {
    /// The byte on the wire.
    pub const fn byte(self) -> u8 {
        match self {
            TransactionStatus::Idle => b'I',
            TransactionStatus::InTransaction => b'T',
            TransactionStatus::Failed => b'E',
        }
    }

    /// The status for a wire byte.
    pub const fn from_byte(b: u8) -> Result<Self, DecodeError> {
        match b {
            b'I' => Ok(TransactionStatus::Idle),
            b'T' => Ok(TransactionStatus::InTransaction),
            b'E' => Ok(TransactionStatus::Failed),
            other => Err(DecodeError::InvalidTransactionStatus(other)),
        }
    }
}

/// A cancel secret key: 4 bytes in protocol 3.0, 4 to 256 bytes in 3.2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SecretKey<'a>(&'a [u8]);

impl<'a> SecretKey<'a> {
    /// Shortest key the protocol allows.
    pub const MIN_LEN: usize = 4;
    /// Longest key the protocol allows.
    pub const MAX_LEN: usize = 256;

    /// A key of 4 to 256 bytes.
    pub const fn new(bytes: &'a [u8]) -> Result<Self, DecodeError> {
        if bytes.len() < Self::MIN_LEN || bytes.len() > Self::MAX_LEN {
            Err(DecodeError::InvalidKeyLength(bytes.len()))
        } else {
            Ok(Self(bytes))
        }
    }

    /// The key bytes.
    pub const fn as_bytes(&self) -> &'a [u8] {
        self.0
    }
}

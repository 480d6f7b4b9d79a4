//! Decode and encode errors, each naming one exact cause.

use crate::buf::BufferFull;

/// Why bytes could not be decoded as a protocol frame or message.
///
/// Incomplete input is never an error: framing reports it as [`crate::frame::Decoded::NeedMore`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The length word is below its minimum: 4 (itself), or 8 for a startup-phase packet.
    #[error("invalid message length {0}")]
    LengthTooShort(i32),
    /// The length word exceeds the limit for this message type or phase.
    #[error("invalid message length {len}: the limit is {limit}")]
    TooLong {
        /// The announced body length, in bytes, excluding the length word.
        len: u32,
        /// The largest body length accepted here.
        limit: u32,
    },
    /// A String field has no NUL terminator before the end of the message.
    #[error("invalid string in message: missing terminator")]
    MissingNul,
    /// A count or length claims more bytes than the message body holds.
    #[error("insufficient data left in message")]
    Truncated,
    /// A value length is negative but not -1 (NULL).
    #[error("invalid value length {0}")]
    InvalidValueLength(i32),
    /// The body has bytes left over after its last field.
    #[error("invalid message format: {0} trailing bytes")]
    TrailingBytes(usize),
    /// The message type byte is not one this direction of the protocol defines.
    #[error("invalid message type {0}")]
    UnknownMessageType(u8),
    /// An Authentication message carries a request code this codec does not know.
    #[error("unknown authentication request code {0}")]
    UnknownAuthentication(i32),
    /// ReadyForQuery carries a status other than `I`, `T` or `E`.
    #[error("invalid transaction status {0}")]
    InvalidTransactionStatus(u8),
    /// Close or Describe names a target other than `S` (statement) or `P` (portal).
    #[error("invalid target type {0}")]
    InvalidTarget(u8),
    /// A cancel secret key is shorter than 4 or longer than 256 bytes.
    #[error("invalid secret key length {0}")]
    InvalidKeyLength(usize),
    /// A startup packet asks for a protocol major version other than 3.
    #[error("unsupported frontend protocol {major}.{minor}")]
    UnsupportedProtocol {
        /// Major version requested.
        major: u16,
        /// Minor version requested.
        minor: u16,
    },
}

/// Why a message could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EncodeError {
    /// A fixed-capacity output buffer has no room for the frame; nothing was written.
    #[error(transparent)]
    BufferFull(#[from] BufferFull),
    /// The message would exceed the protocol's 32-bit length.
    #[error("message too long: {0} bytes")]
    TooLong(usize),
    /// A list has more items than its 16-bit count can say.
    #[error("too many items in one message: {0}")]
    TooManyItems(usize),
    /// A value does not fit its wire field (a COPY overall format code beyond an Int8).
    #[error("value out of range for its wire field: {0}")]
    OutOfRange(i32),
    /// An item of a zero-terminated list would end it early: an empty startup parameter name or
    /// SASL mechanism, or an error field code of 0.
    #[error("list item would read as the list terminator")]
    EmptyListItem,
}

//! Every message of the protocol, decoded from frames by borrowing and encoded into any
//! [`WriteBuf`](crate::WriteBuf).
//!
//! Each message type lives in the module of its direction, under its name in PostgreSQL's
//! "Message Formats" chapter; [`FrontendMessage`] and [`BackendMessage`] dispatch on the type byte.

mod authentication;
pub mod backend;
mod copy;
mod data_row;
mod error_response;
mod fields;
pub mod frontend;
mod row_description;
pub mod startup;

pub use authentication::Authentication;
pub use backend::BackendMessage;
pub use copy::{CopyData, CopyDone};
pub use data_row::{DataRow, DataRowWriter};
pub use error_response::{
    ErrorField, ErrorFields, ErrorFieldsIter, ErrorResponse, FieldCode, NoticeResponse,
};
pub use fields::{Format, SecretKey, Target, TransactionStatus};
pub use frontend::{FrontendMessage, PasswordKind};
pub use row_description::{FieldDescription, RowDescription};
pub use startup::{CancelRequest, ProtocolVersion, StartupMessage, StartupPacket, StartupParam};

use crate::buf::WriteBuf;
use crate::error::{DecodeError, EncodeError};

/// Message type bytes, named as in the protocol documentation.
pub mod tag {
    /// Bind (F).
    pub const BIND: u8 = b'B';
    /// Close (F).
    pub const CLOSE: u8 = b'C';
    /// CopyData (F & B).
    pub const COPY_DATA: u8 = b'd';
    /// CopyDone (F & B).
    pub const COPY_DONE: u8 = b'c';
    /// CopyFail (F).
    pub const COPY_FAIL: u8 = b'f';
    /// Describe (F).
    pub const DESCRIBE: u8 = b'D';
    /// Execute (F).
    pub const EXECUTE: u8 = b'E';
    /// Flush (F).
    pub const FLUSH: u8 = b'H';
    /// FunctionCall (F).
    pub const FUNCTION_CALL: u8 = b'F';
    /// Parse (F).
    pub const PARSE: u8 = b'P';
    /// PasswordMessage, GSSResponse, SASLInitialResponse and SASLResponse (F).
    pub const PASSWORD: u8 = b'p';
    /// Query (F).
    pub const QUERY: u8 = b'Q';
    /// Sync (F).
    pub const SYNC: u8 = b'S';
    /// Terminate (F).
    pub const TERMINATE: u8 = b'X';

    /// Authentication* (B).
    pub const AUTHENTICATION: u8 = b'R';
    /// BackendKeyData (B).
    pub const BACKEND_KEY_DATA: u8 = b'K';
    /// BindComplete (B).
    pub const BIND_COMPLETE: u8 = b'2';
    /// CloseComplete (B).
    pub const CLOSE_COMPLETE: u8 = b'3';
    /// CommandComplete (B).
    pub const COMMAND_COMPLETE: u8 = b'C';
    /// CopyInResponse (B).
    pub const COPY_IN_RESPONSE: u8 = b'G';
    /// CopyOutResponse (B).
    pub const COPY_OUT_RESPONSE: u8 = b'H';
    /// CopyBothResponse (B).
    pub const COPY_BOTH_RESPONSE: u8 = b'W';
    /// DataRow (B).
    pub const DATA_ROW: u8 = b'D';
    /// EmptyQueryResponse (B).
    pub const EMPTY_QUERY_RESPONSE: u8 = b'I';
    /// ErrorResponse (B).
    pub const ERROR_RESPONSE: u8 = b'E';
    /// FunctionCallResponse (B).
    pub const FUNCTION_CALL_RESPONSE: u8 = b'V';
    /// NegotiateProtocolVersion (B).
    pub const NEGOTIATE_PROTOCOL_VERSION: u8 = b'v';
    /// NoData (B).
    pub const NO_DATA: u8 = b'n';
    /// NoticeResponse (B).
    pub const NOTICE_RESPONSE: u8 = b'N';
    /// NotificationResponse (B).
    pub const NOTIFICATION_RESPONSE: u8 = b'A';
    /// ParameterDescription (B).
    pub const PARAMETER_DESCRIPTION: u8 = b't';
    /// ParameterStatus (B).
    pub const PARAMETER_STATUS: u8 = b'S';
    /// ParseComplete (B).
    pub const PARSE_COMPLETE: u8 = b'1';
    /// PortalSuspended (B).
    pub const PORTAL_SUSPENDED: u8 = b's';
    /// ReadyForQuery (B).
    pub const READY_FOR_QUERY: u8 = b'Z';
    /// RowDescription (B).
    pub const ROW_DESCRIPTION: u8 = b'T';
}

/// Anything that encodes to complete frames: a message, or a whole message enum.
pub trait Encode {
    /// Exact number of bytes [`Encode::encode`] appends.
    fn encoded_len(&self) -> usize;
    /// Appends the encoded frame; on error nothing is left written.
    fn encode<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError>;
}

/// A regular message: a type byte and a body that decodes to and encodes from `Self`.
pub trait Message<'a>: Sized {
    /// The message type byte.
    const TAG: u8;
    /// Decodes and validates a body (the bytes after the length word).
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError>;
    /// Length of the body, excluding type byte and length word.
    fn body_len(&self) -> usize;
    /// Appends the body.
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError>;
}

/// Writes a frame: optional type byte, length word, body. All or nothing.
pub(crate) fn write_frame<B, F>(
    buf: &mut B,
    t: Option<u8>,
    body_len: usize,
    body: F,
) -> Result<(), EncodeError>
where
    B: WriteBuf + ?Sized,
    F: FnOnce(&mut B) -> Result<(), EncodeError>,
{
    let len = body_len
        .checked_add(4)
        .filter(|&l| i32::try_from(l).is_ok())
        .ok_or(EncodeError::TooLong(body_len))?;
    let start = buf.written();
    let result = (|| {
        buf.reserve(len + usize::from(t.is_some()))?;
        if let Some(t) = t {
            buf.put_u8(t)?;
        }
        buf.put_i32(len as i32)?;
        body(buf)
    })();
    if result.is_err() {
        buf.truncate(start);
    }
    debug_assert!(result.is_err() || buf.written() - start == len + usize::from(t.is_some()));
    result
}

/// Writes a 16-bit item count, refusing lists too long for it.
pub(crate) fn put_count<B: WriteBuf + ?Sized>(buf: &mut B, n: usize) -> Result<(), EncodeError> {
    let n = u16::try_from(n).map_err(|_| EncodeError::TooManyItems(n))?;
    Ok(buf.put_u16(n)?)
}

/// Implements [`Encode`] for regular messages through their [`Message`] impl.
macro_rules! encode_via_message {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::message::Encode for $ty {
            fn encoded_len(&self) -> usize {
                5 + $crate::message::Message::body_len(self)
            }
            fn encode<B: $crate::WriteBuf + ?Sized>(
                &self,
                buf: &mut B,
            ) -> Result<(), $crate::EncodeError> {
                $crate::message::write_frame(
                    buf,
                    Some(<Self as $crate::message::Message>::TAG),
                    $crate::message::Message::body_len(self),
                    |b| $crate::message::Message::write_body(self, b),
                )
            }
        }
    )*};
}
pub(crate) use encode_via_message;

/// Defines messages whose body is empty: a unit struct per name.
macro_rules! empty_messages {
    ($($(#[$doc:meta])* $name:ident = $tag:expr;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name;

        impl $crate::message::Message<'_> for $name {
            const TAG: u8 = $tag;
            fn decode_body(body: &[u8]) -> Result<Self, $crate::DecodeError> {
                match body.len() {
                    0 => Ok($name),
                    n => Err($crate::DecodeError::TrailingBytes(n)),
                }
            }
            fn body_len(&self) -> usize {
                0
            }
            fn write_body<B: $crate::WriteBuf + ?Sized>(
                &self,
                _buf: &mut B,
            ) -> Result<(), $crate::EncodeError> {
                Ok(())
            }
        }
        $crate::message::encode_via_message!($name);
    )*};
}
pub(crate) use empty_messages;

/// Defines a message enum: one variant per message type, with [`Encode`] and `tag()`.
macro_rules! message_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident($ty:ty),)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[non_exhaustive]
        pub enum $name<'a> {
            $($(#[$vdoc])* $variant($ty),)*
        }

        impl<'a> $name<'a> {
            /// The message type byte.
            pub fn tag(&self) -> u8 {
                match self {
                    $(Self::$variant(_) => <$ty as $crate::message::Message<'a>>::TAG,)*
                }
            }
        }

        impl $crate::message::Encode for $name<'_> {
            fn encoded_len(&self) -> usize {
                match self {
                    $(Self::$variant(m) => $crate::message::Encode::encoded_len(m),)*
                }
            }
            fn encode<B: $crate::WriteBuf + ?Sized>(
                &self,
                buf: &mut B,
            ) -> Result<(), $crate::EncodeError> {
                match self {
                    $(Self::$variant(m) => $crate::message::Encode::encode(m, buf),)*
                }
            }
        }

        $(impl<'a> From<$ty> for $name<'a> {
            fn from(m: $ty) -> Self {
                Self::$variant(m)
            }
        })*
    };
}
pub(crate) use message_enum;

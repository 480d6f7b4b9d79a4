//! Messages a backend (server) sends, and [`BackendMessage`], which decodes any of them.

pub use super::authentication::Authentication;
pub use super::copy::{CopyData, CopyDone};
pub use super::data_row::{DataRow, DataRowWriter};
pub use super::error_response::{
    ErrorField, ErrorFields, ErrorFieldsIter, ErrorResponse, FieldCode, NoticeResponse,
};
pub use super::row_description::{FieldDescription, RowDescription};

use super::fields::{Format, SecretKey, TransactionStatus};
use super::frontend::string_message;
use super::startup::ProtocolVersion;
use super::{empty_messages, encode_via_message, message_enum, put_count, tag, Message};
use crate::buf::WriteBuf;
use crate::error::{DecodeError, EncodeError};
use crate::frame::Frame;
use crate::list::{sealed::WireItem, List};
use crate::pgstr::PgStr;
use crate::reader::Reader;

/// BackendKeyData (`K`): the process ID and secret key a client needs to cancel its queries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BackendKeyData<'a> {
    /// Process ID of this backend.
    pub pid: i32,
    /// Secret key: 4 bytes in protocol 3.0, up to 256 in 3.2.
    pub key: SecretKey<'a>,
}

impl<'a> Message<'a> for BackendKeyData<'a> {
    const TAG: u8 = tag::BACKEND_KEY_DATA;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let pid = r.i32()?;
        let key = SecretKey::new(r.take_rest())?;
        Ok(Self { pid, key })
    }
    fn body_len(&self) -> usize {
        4 + self.key.as_bytes().len()
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_i32(self.pid)?;
        Ok(buf.put_slice(self.key.as_bytes())?)
    }
}

string_message! {
    /// CommandComplete (`C`): a command finished; the tag says which and how many rows.
    CommandComplete {
        /// The command tag, e.g. `SELECT 5` or `INSERT 0 1`.
        tag
    } = tag::COMMAND_COMPLETE
}

/// CopyInResponse, CopyOutResponse and CopyBothResponse share one layout.
macro_rules! copy_response {
    ($(#[$doc:meta])* $name:ident = $tag:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name<'a> {
            /// Overall format: text or binary.
            pub format: Format,
            /// Per-column formats; all text when the overall format is text.
            pub column_formats: List<'a, Format>,
        }

        impl<'a> Message<'a> for $name<'a> {
            const TAG: u8 = $tag;
            fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
                let mut r = Reader::new(body);
                let format = Format::read_i8(&mut r)?;
                let n = r.u16()?;
                let column_formats = List::read_counted(&mut r, n.into())?;
                r.finish()?;
                Ok(Self { format, column_formats })
            }
            fn body_len(&self) -> usize {
                3 + self.column_formats.wire_len()
            }
            fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
                let code = self.format.code();
                let code = i8::try_from(code).map_err(|_| EncodeError::OutOfRange(code.into()))?;
                buf.put_u8(code as u8)?;
                put_count(buf, self.column_formats.len())?;
                Ok(self.column_formats.write_items(buf)?)
            }
        }
        encode_via_message!($name<'_>);
    };
}

copy_response! {
    /// CopyInResponse (`G`): the server is ready for COPY FROM STDIN data.
    CopyInResponse = tag::COPY_IN_RESPONSE
}
copy_response! {
    /// CopyOutResponse (`H`): COPY TO STDOUT data follows.
    CopyOutResponse = tag::COPY_OUT_RESPONSE
}
copy_response! {
    /// CopyBothResponse (`W`): data flows both ways (streaming replication).
    CopyBothResponse = tag::COPY_BOTH_RESPONSE
}

/// FunctionCallResponse (`V`): the result of a FunctionCall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FunctionCallResponse<'a> {
    /// The result value; `None` is NULL.
    pub result: Option<&'a [u8]>,
}

impl<'a> Message<'a> for FunctionCallResponse<'a> {
    const TAG: u8 = tag::FUNCTION_CALL_RESPONSE;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let result = r.nullable_bytes()?;
        r.finish()?;
        Ok(Self { result })
    }
    fn body_len(&self) -> usize {
        self.result.wire_len()
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        Ok(self.result.write(buf)?)
    }
}

/// NegotiateProtocolVersion (`v`): the server supports an older minor version or lacks options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NegotiateProtocolVersion<'a> {
    /// Newest protocol version the server supports. The documentation calls this the newest
    /// minor version; PostgreSQL sends the whole version code (196608 for 3.0), minor in the low
    /// 16 bits, and libpq reads it so.
    pub newest: ProtocolVersion,
    /// Protocol options (`_pq_.…`) the client asked for that the server does not know.
    pub unsupported_options: List<'a, PgStr<'a>>,
}

impl<'a> Message<'a> for NegotiateProtocolVersion<'a> {
    const TAG: u8 = tag::NEGOTIATE_PROTOCOL_VERSION;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let newest = ProtocolVersion::from_code(r.u32()?);
        let n = r.i32()?;
        let n = usize::try_from(n).map_err(|_| DecodeError::InvalidValueLength(n))?;
        let unsupported_options = List::read_counted(&mut r, n)?;
        r.finish()?;
        Ok(Self {
            newest,
            unsupported_options,
        })
    }
    fn body_len(&self) -> usize {
        8 + self.unsupported_options.wire_len()
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        let n = self.unsupported_options.len();
        buf.put_u32(self.newest.code())?;
        buf.put_i32(i32::try_from(n).map_err(|_| EncodeError::TooManyItems(n))?)?;
        Ok(self.unsupported_options.write_items(buf)?)
    }
}

/// NotificationResponse (`A`): a NOTIFY on a channel this session listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NotificationResponse<'a> {
    /// Process ID of the notifying backend.
    pub pid: i32,
    /// The channel name.
    pub channel: PgStr<'a>,
    /// The payload; empty when none was given.
    pub payload: PgStr<'a>,
}

impl<'a> Message<'a> for NotificationResponse<'a> {
    const TAG: u8 = tag::NOTIFICATION_RESPONSE;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let pid = r.i32()?;
        let channel = PgStr::from_checked(r.cstr()?);
        let payload = PgStr::from_checked(r.cstr()?);
        r.finish()?;
        Ok(Self {
            pid,
            channel,
            payload,
        })
    }
    fn body_len(&self) -> usize {
        4 + self.channel.wire_len() + self.payload.wire_len()
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_i32(self.pid)?;
        buf.put_cstr(self.channel.as_bytes())?;
        Ok(buf.put_cstr(self.payload.as_bytes())?)
    }
}

/// ParameterDescription (`t`): the types of a prepared statement's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParameterDescription<'a> {
    /// Parameter type OIDs, in order.
    pub types: List<'a, u32>,
}

impl<'a> Message<'a> for ParameterDescription<'a> {
    const TAG: u8 = tag::PARAMETER_DESCRIPTION;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let n = r.u16()?;
        let types = List::read_counted(&mut r, n.into())?;
        r.finish()?;
        Ok(Self { types })
    }
    fn body_len(&self) -> usize {
        2 + self.types.wire_len()
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        put_count(buf, self.types.len())?;
        Ok(self.types.write_items(buf)?)
    }
}

/// ParameterStatus (`S`): the current value of a run-time parameter the client tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ParameterStatus<'a> {
    /// Parameter name, e.g. `server_version`.
    pub name: PgStr<'a>,
    /// Its current value.
    pub value: PgStr<'a>,
}

impl<'a> Message<'a> for ParameterStatus<'a> {
    const TAG: u8 = tag::PARAMETER_STATUS;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let name = PgStr::from_checked(r.cstr()?);
        let value = PgStr::from_checked(r.cstr()?);
        r.finish()?;
        Ok(Self { name, value })
    }
    fn body_len(&self) -> usize {
        self.name.wire_len() + self.value.wire_len()
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_cstr(self.name.as_bytes())?;
        Ok(buf.put_cstr(self.value.as_bytes())?)
    }
}

/// ReadyForQuery (`Z`): the server awaits a new query cycle; carries the transaction status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadyForQuery {
    /// Transaction status: idle, in a block, or in a failed block.
    pub status: TransactionStatus,
}

impl Message<'_> for ReadyForQuery {
    const TAG: u8 = tag::READY_FOR_QUERY;
    fn decode_body(body: &[u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let status = TransactionStatus::from_byte(r.u8()?)?;
        r.finish()?;
        Ok(Self { status })
    }
    fn body_len(&self) -> usize {
        1
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        Ok(buf.put_u8(self.status.byte())?)
    }
}

empty_messages! {
    /// BindComplete (`2`).
    BindComplete = tag::BIND_COMPLETE;
    /// CloseComplete (`3`).
    CloseComplete = tag::CLOSE_COMPLETE;
    /// EmptyQueryResponse (`I`): the query string was empty.
    EmptyQueryResponse = tag::EMPTY_QUERY_RESPONSE;
    /// NoData (`n`): the statement or portal returns no rows.
    NoData = tag::NO_DATA;
    /// ParseComplete (`1`).
    ParseComplete = tag::PARSE_COMPLETE;
    /// PortalSuspended (`s`): Execute's row limit was reached before the portal completed.
    PortalSuspended = tag::PORTAL_SUSPENDED;
}

encode_via_message!(
    BackendKeyData<'_>,
    FunctionCallResponse<'_>,
    NegotiateProtocolVersion<'_>,
    NotificationResponse<'_>,
    ParameterDescription<'_>,
    ParameterStatus<'_>,
    ReadyForQuery,
);

message_enum! {
    /// Any message a backend sends.
    BackendMessage {
        /// Authentication* (`R`).
        Authentication(Authentication<'a>),
        /// BackendKeyData (`K`).
        BackendKeyData(BackendKeyData<'a>),
        /// BindComplete (`2`).
        BindComplete(BindComplete),
        /// CloseComplete (`3`).
        CloseComplete(CloseComplete),
        /// CommandComplete (`C`).
        CommandComplete(CommandComplete<'a>),
        /// CopyData (`d`).
        CopyData(CopyData<'a>),
        /// CopyDone (`c`).
        CopyDone(CopyDone),
        /// CopyInResponse (`G`).
        CopyInResponse(CopyInResponse<'a>),
        /// CopyOutResponse (`H`).
        CopyOutResponse(CopyOutResponse<'a>),
        /// CopyBothResponse (`W`).
        CopyBothResponse(CopyBothResponse<'a>),
        /// DataRow (`D`).
        DataRow(DataRow<'a>),
        /// EmptyQueryResponse (`I`).
        EmptyQueryResponse(EmptyQueryResponse),
        /// ErrorResponse (`E`).
        ErrorResponse(ErrorResponse<'a>),
        /// FunctionCallResponse (`V`).
        FunctionCallResponse(FunctionCallResponse<'a>),
        /// NegotiateProtocolVersion (`v`).
        NegotiateProtocolVersion(NegotiateProtocolVersion<'a>),
        /// NoData (`n`).
        NoData(NoData),
        /// NoticeResponse (`N`).
        NoticeResponse(NoticeResponse<'a>),
        /// NotificationResponse (`A`).
        NotificationResponse(NotificationResponse<'a>),
        /// ParameterDescription (`t`).
        ParameterDescription(ParameterDescription<'a>),
        /// ParameterStatus (`S`).
        ParameterStatus(ParameterStatus<'a>),
        /// ParseComplete (`1`).
        ParseComplete(ParseComplete),
        /// PortalSuspended (`s`).
        PortalSuspended(PortalSuspended),
        /// ReadyForQuery (`Z`).
        ReadyForQuery(ReadyForQuery),
        /// RowDescription (`T`).
        RowDescription(RowDescription<'a>),
    }
}

impl<'a> BackendMessage<'a> {
    /// Decodes a frame read from a backend.
    pub fn decode(frame: Frame<'a>) -> Result<Self, DecodeError> {
        fn d<'a, M: Message<'a>>(
            body: &'a [u8],
            f: fn(M) -> BackendMessage<'a>,
        ) -> Result<BackendMessage<'a>, DecodeError> {
            M::decode_body(body).map(f)
        }
        let b = frame.body;
        match frame.tag {
            tag::AUTHENTICATION => d(b, Self::Authentication),
            tag::BACKEND_KEY_DATA => d(b, Self::BackendKeyData),
            tag::BIND_COMPLETE => d(b, Self::BindComplete),
            tag::CLOSE_COMPLETE => d(b, Self::CloseComplete),
            tag::COMMAND_COMPLETE => d(b, Self::CommandComplete),
            tag::COPY_DATA => d(b, Self::CopyData),
            tag::COPY_DONE => d(b, Self::CopyDone),
            tag::COPY_IN_RESPONSE => d(b, Self::CopyInResponse),
            tag::COPY_OUT_RESPONSE => d(b, Self::CopyOutResponse),
            tag::COPY_BOTH_RESPONSE => d(b, Self::CopyBothResponse),
            tag::DATA_ROW => d(b, Self::DataRow),
            tag::EMPTY_QUERY_RESPONSE => d(b, Self::EmptyQueryResponse),
            tag::ERROR_RESPONSE => d(b, Self::ErrorResponse),
            tag::FUNCTION_CALL_RESPONSE => d(b, Self::FunctionCallResponse),
            tag::NEGOTIATE_PROTOCOL_VERSION => d(b, Self::NegotiateProtocolVersion),
            tag::NO_DATA => d(b, Self::NoData),
            tag::NOTICE_RESPONSE => d(b, Self::NoticeResponse),
            tag::NOTIFICATION_RESPONSE => d(b, Self::NotificationResponse),
            tag::PARAMETER_DESCRIPTION => d(b, Self::ParameterDescription),
            tag::PARAMETER_STATUS => d(b, Self::ParameterStatus),
            tag::PARSE_COMPLETE => d(b, Self::ParseComplete),
            tag::PORTAL_SUSPENDED => d(b, Self::PortalSuspended),
            tag::READY_FOR_QUERY => d(b, Self::ReadyForQuery),
            tag::ROW_DESCRIPTION => d(b, Self::RowDescription),
            other => Err(DecodeError::UnknownMessageType(other)),
        }
    }
}

//! Messages a frontend (client) sends, and [`FrontendMessage`], which decodes any of them.

pub use super::copy::{CopyData, CopyDone};
use super::fields::{Format, Target};
use super::{empty_messages, encode_via_message, message_enum, put_count, tag, Message};
use crate::buf::WriteBuf;
use crate::error::{DecodeError, EncodeError};
use crate::frame::Frame;
use crate::list::List;
use crate::pgstr::PgStr;
use crate::reader::Reader;

/// Which message a `p` frame is: the server knows from the authentication it asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PasswordKind {
    /// PasswordMessage: a cleartext or MD5-hashed password.
    #[default]
    Password,
    /// GSSResponse: GSSAPI or SSPI data.
    Gss,
    /// SASLInitialResponse: the chosen mechanism and first client message.
    SaslInitial,
    /// SASLResponse: a later SASL client message.
    Sasl,
}

/// Bind (`B`): binds parameters to a prepared statement, creating a portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Bind<'a> {
    /// Destination portal name; empty selects the unnamed portal.
    pub portal: PgStr<'a>,
    /// Source prepared statement name; empty selects the unnamed statement.
    pub statement: PgStr<'a>,
    /// Parameter formats: none (all text), one (applies to all), or one per parameter.
    pub param_formats: List<'a, Format>,
    /// Parameter values; `None` is NULL.
    pub params: List<'a, Option<&'a [u8]>>,
    /// Result column formats: none (all text), one (applies to all), or one per column.
    pub result_formats: List<'a, Format>,
}

impl<'a> Message<'a> for Bind<'a> {
    const TAG: u8 = tag::BIND;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let portal = PgStr::from_checked(r.cstr()?);
        let statement = PgStr::from_checked(r.cstr()?);
        let n = r.u16()?;
        let param_formats = List::read_counted(&mut r, n.into())?;
        let n = r.u16()?;
        let params = List::read_counted(&mut r, n.into())?;
        let n = r.u16()?;
        let result_formats = List::read_counted(&mut r, n.into())?;
        r.finish()?;
        Ok(Self {
            portal,
            statement,
            param_formats,
            params,
            result_formats,
        })
    }
    fn body_len(&self) -> usize {
        self.portal.wire_len()
            + self.statement.wire_len()
            + 6
            + self.param_formats.wire_len()
            + self.params.wire_len()
            + self.result_formats.wire_len()
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_cstr(self.portal.as_bytes())?;
        buf.put_cstr(self.statement.as_bytes())?;
        put_count(buf, self.param_formats.len())?;
        self.param_formats.write_items(buf)?;
        put_count(buf, self.params.len())?;
        self.params.write_items(buf)?;
        put_count(buf, self.result_formats.len())?;
        self.result_formats.write_items(buf)?;
        Ok(())
    }
}

/// Close (`C`): closes a prepared statement or portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Close<'a> {
    /// Whether a statement or a portal is closed.
    pub target: Target,
    /// Its name; empty selects the unnamed one.
    pub name: PgStr<'a>,
}

/// Describe (`D`): asks for the description of a prepared statement or portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Describe<'a> {
    /// Whether a statement or a portal is described.
    pub target: Target,
    /// Its name; empty selects the unnamed one.
    pub name: PgStr<'a>,
}

/// Close and Describe share one layout: a target byte and a name.
macro_rules! target_message {
    ($name:ident, $tag:expr) => {
        impl<'a> Message<'a> for $name<'a> {
            const TAG: u8 = $tag;
            fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
                let mut r = Reader::new(body);
                let target = Target::read(&mut r)?;
                let name = PgStr::from_checked(r.cstr()?);
                r.finish()?;
                Ok(Self { target, name })
            }
            fn body_len(&self) -> usize {
                1 + self.name.wire_len()
            }
            fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
                buf.put_u8(self.target.byte())?;
                Ok(buf.put_cstr(self.name.as_bytes())?)
            }
        }
        encode_via_message!($name<'_>);
    };
}
target_message!(Close, tag::CLOSE);
target_message!(Describe, tag::DESCRIBE);

/// Execute (`E`): runs a portal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Execute<'a> {
    /// Portal name; empty selects the unnamed portal.
    pub portal: PgStr<'a>,
    /// Most rows to return; zero (or below) means no limit.
    pub max_rows: i32,
}

impl<'a> Message<'a> for Execute<'a> {
    const TAG: u8 = tag::EXECUTE;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let portal = PgStr::from_checked(r.cstr()?);
        let max_rows = r.i32()?;
        r.finish()?;
        Ok(Self { portal, max_rows })
    }
    fn body_len(&self) -> usize {
        self.portal.wire_len() + 4
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_cstr(self.portal.as_bytes())?;
        Ok(buf.put_i32(self.max_rows)?)
    }
}

/// FunctionCall (`F`): calls a function by OID (the legacy fast-path interface).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FunctionCall<'a> {
    /// The function's OID.
    pub function: u32,
    /// Argument formats: none (all text), one (applies to all), or one per argument.
    pub arg_formats: List<'a, Format>,
    /// Argument values; `None` is NULL.
    pub args: List<'a, Option<&'a [u8]>>,
    /// Format of the result.
    pub result_format: Format,
}

impl<'a> Message<'a> for FunctionCall<'a> {
    const TAG: u8 = tag::FUNCTION_CALL;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let function = r.u32()?;
        let n = r.u16()?;
        let arg_formats = List::read_counted(&mut r, n.into())?;
        let n = r.u16()?;
        let args = List::read_counted(&mut r, n.into())?;
        let result_format = Format::from_code(r.i16()?);
        r.finish()?;
        Ok(Self {
            function,
            arg_formats,
            args,
            result_format,
        })
    }
    fn body_len(&self) -> usize {
        4 + 2 + self.arg_formats.wire_len() + 2 + self.args.wire_len() + 2
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_u32(self.function)?;
        put_count(buf, self.arg_formats.len())?;
        self.arg_formats.write_items(buf)?;
        put_count(buf, self.args.len())?;
        self.args.write_items(buf)?;
        Ok(buf.put_i16(self.result_format.code())?)
    }
}

/// Parse (`P`): creates a prepared statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Parse<'a> {
    /// Statement name; empty selects the unnamed statement.
    pub statement: PgStr<'a>,
    /// The query text.
    pub query: PgStr<'a>,
    /// Parameter type OIDs the client specifies; 0 leaves a type unspecified.
    pub param_types: List<'a, u32>,
}

impl<'a> Message<'a> for Parse<'a> {
    const TAG: u8 = tag::PARSE;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let statement = PgStr::from_checked(r.cstr()?);
        let query = PgStr::from_checked(r.cstr()?);
        let n = r.u16()?;
        let param_types = List::read_counted(&mut r, n.into())?;
        r.finish()?;
        Ok(Self {
            statement,
            query,
            param_types,
        })
    }
    fn body_len(&self) -> usize {
        self.statement.wire_len() + self.query.wire_len() + 2 + self.param_types.wire_len()
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_cstr(self.statement.as_bytes())?;
        buf.put_cstr(self.query.as_bytes())?;
        put_count(buf, self.param_types.len())?;
        Ok(self.param_types.write_items(buf)?)
    }
}

/// A message whose whole body is one String.
macro_rules! string_message {
    ($(#[$doc:meta])* $name:ident { $(#[$fdoc:meta])* $field:ident } = $tag:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name<'a> {
            $(#[$fdoc])*
            pub $field: PgStr<'a>,
        }

        impl<'a> $name<'a> {
            /// The message with this text.
            pub const fn new($field: PgStr<'a>) -> Self {
                Self { $field }
            }
        }

        impl<'a> Message<'a> for $name<'a> {
            const TAG: u8 = $tag;
            fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
                let mut r = Reader::new(body);
                let $field = PgStr::from_checked(r.cstr()?);
                r.finish()?;
                Ok(Self { $field })
            }
            fn body_len(&self) -> usize {
                self.$field.wire_len()
            }
            fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
                Ok(buf.put_cstr(self.$field.as_bytes())?)
            }
        }
        encode_via_message!($name<'_>);
    };
}
pub(crate) use string_message;

string_message! {
    /// Query (`Q`): a simple query, possibly several statements separated by semicolons.
    Query {
        /// The query text.
        sql
    } = tag::QUERY
}

string_message! {
    /// CopyFail (`f`): the frontend aborts a COPY FROM STDIN.
    CopyFail {
        /// Why the copy failed, reported back in the server's error.
        message
    } = tag::COPY_FAIL
}

string_message! {
    /// PasswordMessage (`p`): a cleartext or MD5-hashed password.
    PasswordMessage {
        /// The password, cleartext or `md5`-prefixed hash as requested.
        password
    } = tag::PASSWORD
}

/// A message whose whole body is opaque bytes.
macro_rules! bytes_message {
    ($(#[$doc:meta])* $name:ident = $tag:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        pub struct $name<'a> {
            /// The message's data.
            pub data: &'a [u8],
        }

        impl<'a> Message<'a> for $name<'a> {
            const TAG: u8 = $tag;
            fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
                Ok(Self { data: body })
            }
            fn body_len(&self) -> usize {
                self.data.len()
            }
            fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
                Ok(buf.put_slice(self.data)?)
            }
        }
        encode_via_message!($name<'_>);
    };
}

bytes_message! {
    /// GSSResponse (`p`): GSSAPI or SSPI data.
    GssResponse = tag::PASSWORD
}

bytes_message! {
    /// SASLResponse (`p`): a SASL client message after the first.
    SaslResponse = tag::PASSWORD
}

/// SASLInitialResponse (`p`): the chosen SASL mechanism and the client's first message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SaslInitialResponse<'a> {
    /// The mechanism chosen, e.g. `SCRAM-SHA-256`.
    pub mechanism: PgStr<'a>,
    /// The initial client response; `None` when the mechanism has none (length -1).
    pub data: Option<&'a [u8]>,
}

impl<'a> Message<'a> for SaslInitialResponse<'a> {
    const TAG: u8 = tag::PASSWORD;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let mechanism = PgStr::from_checked(r.cstr()?);
        let data = r.nullable_bytes()?;
        r.finish()?;
        Ok(Self { mechanism, data })
    }
    fn body_len(&self) -> usize {
        self.mechanism.wire_len() + 4 + self.data.map_or(0, <[u8]>::len)
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_cstr(self.mechanism.as_bytes())?;
        Ok(crate::list::sealed::WireItem::write(&self.data, buf)?)
    }
}

empty_messages! {
    /// Flush (`H`): asks the server to send what it has buffered.
    Flush = tag::FLUSH;
    /// Sync (`S`): ends an extended-query batch; the server answers ReadyForQuery.
    Sync = tag::SYNC;
    /// Terminate (`X`): the client is closing the connection.
    Terminate = tag::TERMINATE;
}

encode_via_message!(
    Bind<'_>,
    Execute<'_>,
    FunctionCall<'_>,
    Parse<'_>,
    SaslInitialResponse<'_>
);

message_enum! {
    /// Any regular message a frontend sends (startup-phase packets are [`super::StartupPacket`]).
    FrontendMessage {
        /// Bind (`B`).
        Bind(Bind<'a>),
        /// Close (`C`).
        Close(Close<'a>),
        /// CopyData (`d`).
        CopyData(CopyData<'a>),
        /// CopyDone (`c`).
        CopyDone(CopyDone),
        /// CopyFail (`f`).
        CopyFail(CopyFail<'a>),
        /// Describe (`D`).
        Describe(Describe<'a>),
        /// Execute (`E`).
        Execute(Execute<'a>),
        /// Flush (`H`).
        Flush(Flush),
        /// FunctionCall (`F`).
        FunctionCall(FunctionCall<'a>),
        /// GSSResponse (`p`).
        GssResponse(GssResponse<'a>),
        /// Parse (`P`).
        Parse(Parse<'a>),
        /// PasswordMessage (`p`).
        PasswordMessage(PasswordMessage<'a>),
        /// Query (`Q`).
        Query(Query<'a>),
        /// SASLInitialResponse (`p`).
        SaslInitialResponse(SaslInitialResponse<'a>),
        /// SASLResponse (`p`).
        SaslResponse(SaslResponse<'a>),
        /// Sync (`S`).
        Sync(Sync),
        /// Terminate (`X`).
        Terminate(Terminate),
    }
}

impl<'a> FrontendMessage<'a> {
    /// Decodes a frame; a `p` frame is read as the `password` kind the caller expects.
    pub fn decode(frame: Frame<'a>, password: PasswordKind) -> Result<Self, DecodeError> {
        fn d<'a, M: Message<'a>>(
            body: &'a [u8],
            f: fn(M) -> FrontendMessage<'a>,
        ) -> Result<FrontendMessage<'a>, DecodeError> {
            M::decode_body(body).map(f)
        }
        let b = frame.body;
        match frame.tag {
            tag::BIND => d(b, Self::Bind),
            tag::CLOSE => d(b, Self::Close),
            tag::COPY_DATA => d(b, Self::CopyData),
            tag::COPY_DONE => d(b, Self::CopyDone),
            tag::COPY_FAIL => d(b, Self::CopyFail),
            tag::DESCRIBE => d(b, Self::Describe),
            tag::EXECUTE => d(b, Self::Execute),
            tag::FLUSH => d(b, Self::Flush),
            tag::FUNCTION_CALL => d(b, Self::FunctionCall),
            tag::PARSE => d(b, Self::Parse),
            tag::PASSWORD => match password {
                PasswordKind::Password => d(b, Self::PasswordMessage),
                PasswordKind::Gss => d(b, Self::GssResponse),
                PasswordKind::SaslInitial => d(b, Self::SaslInitialResponse),
                PasswordKind::Sasl => d(b, Self::SaslResponse),
            },
            tag::QUERY => d(b, Self::Query),
            tag::SYNC => d(b, Self::Sync),
            tag::TERMINATE => d(b, Self::Terminate),
            other => Err(DecodeError::UnknownMessageType(other)),
        }
    }
}

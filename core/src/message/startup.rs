//! Startup-phase packets: StartupMessage, SSLRequest, GSSENCRequest and CancelRequest.
//!
//! These have no type byte; [`crate::frame::decode_startup`] frames them and
//! [`StartupPacket::decode`] tells them apart by the code that starts their body.

use super::fields::SecretKey;
use super::{write_frame, Encode};
use crate::buf::{BufferFull, WriteBuf};
use crate::error::{DecodeError, EncodeError};
use crate::list::{sealed::WireItem, List};
use crate::pgstr::PgStr;
use crate::reader::Reader;

/// A protocol version, as a StartupMessage requests it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProtocolVersion {
    /// Major version; only 3 exists today.
    pub major: u16,
    /// Minor version: 0 or 2 (3.1 was never released).
    pub minor: u16,
}

impl ProtocolVersion {
    /// Protocol 3.0, PostgreSQL 7.4 to 17.
    pub const V3_0: Self = Self { major: 3, minor: 0 };
    /// Protocol 3.2, PostgreSQL 18: variable-length cancel keys.
    pub const V3_2: Self = Self { major: 3, minor: 2 };

    /// The version from its Int32 wire code (major in the high 16 bits).
    pub const fn from_code(code: u32) -> Self {
        Self {
            major: (code >> 16) as u16,
            minor: code as u16,
        }
    }

    /// The Int32 wire code.
    pub const fn code(self) -> u32 {
        (self.major as u32) << 16 | self.minor as u32
    }
}

/// Request code of a CancelRequest (1234.5678).
pub const CANCEL_REQUEST_CODE: u32 = 80_877_102;
/// Request code of an SSLRequest (1234.5679).
pub const SSL_REQUEST_CODE: u32 = 80_877_103;
/// Request code of a GSSENCRequest (1234.5680).
pub const GSSENC_REQUEST_CODE: u32 = 80_877_104;

/// One `name=value` parameter of a StartupMessage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StartupParam<'a> {
    /// Parameter name, e.g. `user`, `database`, or a `_pq_.` protocol option.
    pub name: PgStr<'a>,
    /// Its value.
    pub value: PgStr<'a>,
}

impl<'a> WireItem<'a> for StartupParam<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let name = PgStr::from_checked(r.cstr()?);
        let value = PgStr::from_checked(r.cstr()?);
        Ok(Self { name, value })
    }
    fn wire_len(&self) -> usize {
        self.name.wire_len() + self.value.wire_len()
    }
    fn write<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), BufferFull> {
        buf.put_cstr(self.name.as_bytes())?;
        buf.put_cstr(self.value.as_bytes())
    }
    fn is_terminator(&self) -> bool {
        self.name.is_empty()
    }
}

/// StartupMessage: the protocol version and the session's parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StartupMessage<'a> {
    /// The protocol version requested.
    pub version: ProtocolVersion,
    /// The parameters, in order; an empty name cannot be encoded.
    pub params: List<'a, StartupParam<'a>>,
}

impl<'a> StartupMessage<'a> {
    /// Prefix of protocol options, which the server must negotiate rather than ignore.
    pub const PROTOCOL_OPTION_PREFIX: &'static [u8] = b"_pq_.";

    /// The value of parameter `name`, if sent.
    pub fn param(&self, name: &str) -> Option<PgStr<'a>> {
        self.params
            .iter()
            .find(|p| p.name.as_bytes() == name.as_bytes())
            .map(|p| p.value)
    }

    /// The `user` parameter (required by servers).
    pub fn user(&self) -> Option<PgStr<'a>> {
        self.param("user")
    }

    /// The `database` parameter (defaults to the user name on servers).
    pub fn database(&self) -> Option<PgStr<'a>> {
        self.param("database")
    }

    /// The `_pq_.` protocol options, in order.
    pub fn protocol_options(&self) -> impl Iterator<Item = StartupParam<'a>> + 'a {
        self.params
            .iter()
            .filter(|p| p.name.as_bytes().starts_with(Self::PROTOCOL_OPTION_PREFIX))
    }

    fn decode_params(version: ProtocolVersion, r: &mut Reader<'a>) -> Result<Self, DecodeError> {
        let params = List::read_terminated(r)?;
        r.finish()?;
        Ok(Self { version, params })
    }
}

impl Encode for StartupMessage<'_> {
    fn encoded_len(&self) -> usize {
        4 + 4 + self.params.wire_len() + 1
    }
    fn encode<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        self.params.check_terminable()?;
        write_frame(buf, None, 4 + self.params.wire_len() + 1, |b| {
            b.put_u32(self.version.code())?;
            self.params.write_items(b)?;
            Ok(b.put_u8(0)?)
        })
    }
}

/// CancelRequest: asks the server to cancel the query running in another session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CancelRequest<'a> {
    /// Process ID of the target backend, from its BackendKeyData.
    pub pid: i32,
    /// Its secret key, from the same BackendKeyData.
    pub key: SecretKey<'a>,
}

impl Encode for CancelRequest<'_> {
    fn encoded_len(&self) -> usize {
        4 + 8 + self.key.as_bytes().len()
    }
    fn encode<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        write_frame(buf, None, 8 + self.key.as_bytes().len(), |b| {
            b.put_u32(CANCEL_REQUEST_CODE)?;
            b.put_i32(self.pid)?;
            Ok(b.put_slice(self.key.as_bytes())?)
        })
    }
}

/// Any startup-phase packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartupPacket<'a> {
    /// StartupMessage.
    Startup(StartupMessage<'a>),
    /// SSLRequest: the client asks for TLS; the server answers one byte, `S` or `N`.
    SslRequest,
    /// GSSENCRequest: the client asks for GSSAPI encryption; answered `G` or `N`.
    GssEncRequest,
    /// CancelRequest.
    Cancel(CancelRequest<'a>),
}

impl<'a> StartupPacket<'a> {
    /// Decodes a startup packet body as framed by [`crate::frame::decode_startup`].
    pub fn decode(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let code = r.u32()?;
        let packet = match code {
            CANCEL_REQUEST_CODE => {
                let pid = r.i32()?;
                let key = SecretKey::new(r.take_rest())?;
                Self::Cancel(CancelRequest { pid, key })
            }
            SSL_REQUEST_CODE => Self::SslRequest,
            GSSENC_REQUEST_CODE => Self::GssEncRequest,
            code => {
                let version = ProtocolVersion::from_code(code);
                if version.major != 3 {
                    return Err(DecodeError::UnsupportedProtocol {
                        major: version.major,
                        minor: version.minor,
                    });
                }
                return StartupMessage::decode_params(version, &mut r).map(Self::Startup);
            }
        };
        r.finish()?;
        Ok(packet)
    }
}

impl Encode for StartupPacket<'_> {
    fn encoded_len(&self) -> usize {
        match self {
            Self::Startup(m) => m.encoded_len(),
            Self::SslRequest | Self::GssEncRequest => 8,
            Self::Cancel(c) => c.encoded_len(),
        }
    }
    fn encode<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        let code = match self {
            Self::Startup(m) => return m.encode(buf),
            Self::Cancel(c) => return c.encode(buf),
            Self::SslRequest => SSL_REQUEST_CODE,
            Self::GssEncRequest => GSSENC_REQUEST_CODE,
        };
        write_frame(buf, None, 4, |b| Ok(b.put_u32(code)?))
    }
}

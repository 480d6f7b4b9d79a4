//! Authentication (`R`): every request and result of the authentication exchange.

use super::{encode_via_message, tag, Message};
use crate::buf::WriteBuf;
use crate::error::{DecodeError, EncodeError};
use crate::list::List;
use crate::pgstr::PgStr;
use crate::reader::Reader;

/// An Authentication message; the Int32 code that starts the body picks the variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authentication<'a> {
    /// AuthenticationOk (0): authentication succeeded.
    Ok,
    /// AuthenticationKerberosV5 (2): no longer supported by PostgreSQL.
    KerberosV5,
    /// AuthenticationCleartextPassword (3): send the password in clear.
    CleartextPassword,
    /// AuthenticationMD5Password (5): send the password hashed with this salt.
    Md5Password {
        /// The salt to hash with.
        salt: [u8; 4],
    },
    /// AuthenticationGSS (7): start GSSAPI negotiation.
    Gss,
    /// AuthenticationGSSContinue (8): GSSAPI or SSPI data.
    GssContinue {
        /// The data.
        data: &'a [u8],
    },
    /// AuthenticationSSPI (9): start SSPI negotiation.
    Sspi,
    /// AuthenticationSASL (10): the SASL mechanisms the server offers, in its order of preference.
    Sasl {
        /// Mechanism names; none may be empty.
        mechanisms: List<'a, PgStr<'a>>,
    },
    /// AuthenticationSASLContinue (11): a SASL challenge.
    SaslContinue {
        /// Mechanism-specific data.
        data: &'a [u8],
    },
    /// AuthenticationSASLFinal (12): the SASL outcome, additional data.
    SaslFinal {
        /// Mechanism-specific data.
        data: &'a [u8],
    },
}

impl Authentication<'_> {
    /// The Int32 request code of this variant.
    pub const fn code(&self) -> i32 {
        match self {
            Self::Ok => 0,
            Self::KerberosV5 => 2,
            Self::CleartextPassword => 3,
            Self::Md5Password { .. } => 5,
            Self::Gss => 7,
            Self::GssContinue { .. } => 8,
            Self::Sspi => 9,
            Self::Sasl { .. } => 10,
            Self::SaslContinue { .. } => 11,
            Self::SaslFinal { .. } => 12,
        }
    }
}

impl<'a> Message<'a> for Authentication<'a> {
    const TAG: u8 = tag::AUTHENTICATION;
    fn decode_body(body: &'a [u8]) -> Result<Self, DecodeError> {
        let mut r = Reader::new(body);
        let auth = match r.i32()? {
            0 => Self::Ok,
            2 => Self::KerberosV5,
            3 => Self::CleartextPassword,
            5 => {
                let mut salt = [0u8; 4];
                salt.copy_from_slice(r.take(4)?);
                Self::Md5Password { salt }
            }
            7 => Self::Gss,
            8 => Self::GssContinue {
                data: r.take_rest(),
            },
            9 => Self::Sspi,
            10 => Self::Sasl {
                mechanisms: List::read_terminated(&mut r)?,
            },
            11 => Self::SaslContinue {
                data: r.take_rest(),
            },
            12 => Self::SaslFinal {
                data: r.take_rest(),
            },
            other => return Err(DecodeError::UnknownAuthentication(other)),
        };
        r.finish()?;
        Ok(auth)
    }
    fn body_len(&self) -> usize {
        4 + match self {
            Self::Md5Password { .. } => 4,
            Self::GssContinue { data } | Self::SaslContinue { data } | Self::SaslFinal { data } => {
                data.len()
            }
            Self::Sasl { mechanisms } => mechanisms.wire_len() + 1,
            Self::Ok | Self::KerberosV5 | Self::CleartextPassword | Self::Gss | Self::Sspi => 0,
        }
    }
    fn write_body<B: WriteBuf + ?Sized>(&self, buf: &mut B) -> Result<(), EncodeError> {
        buf.put_i32(self.code())?;
        match self {
            Self::Md5Password { salt } => buf.put_slice(salt)?,
            Self::GssContinue { data } | Self::SaslContinue { data } | Self::SaslFinal { data } => {
                buf.put_slice(data)?;
            }
            Self::Sasl { mechanisms } => {
                mechanisms.check_terminable()?;
                mechanisms.write_items(buf)?;
                buf.put_u8(0)?;
            }
            Self::Ok | Self::KerberosV5 | Self::CleartextPassword | Self::Gss | Self::Sspi => {}
        }
        Ok(())
    }
}
encode_via_message!(Authentication<'_>);

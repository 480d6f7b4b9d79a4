//! The startup phase: SSL/GSS negotiation, the StartupMessage's rules, protocol negotiation and
//! authentication (trust, cleartext, MD5, SCRAM-SHA-256 and -PLUS).

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::connection::{Phase, ServerConnection};
use super::error::{pg_text, sqlstate, ServerError};
use super::{Event, Progress, ServerConnectionError};
use crate::auth::{md5, scram};
use crate::frame::{self, Decoded, Limits, SMALL_FRONTEND_MESSAGE_LEN};
use crate::message::backend::{
    Authentication, BackendKeyData, NegotiateProtocolVersion, ParameterStatus, ReadyForQuery,
};
use crate::message::frontend::{FrontendMessage, PasswordKind};
use crate::message::{
    Encode, ProtocolVersion, SecretKey, StartupMessage, StartupPacket, StartupParam,
    TransactionStatus,
};
use crate::{DecodeError, List, PgStr, WriteBuf};

/// The newest protocol version this server speaks.
pub(crate) const NEWEST: ProtocolVersion = ProtocolVersion::V3_2;

/// Who wants to log in, from the StartupMessage.
#[derive(Debug, Clone, Copy)]
pub struct StartupInfo<'a> {
    /// The user name (always present: a startup without one is refused).
    pub user: PgStr<'a>,
    /// The database; defaults to the user name, as in PostgreSQL.
    pub database: PgStr<'a>,
    /// The `replication` parameter, if sent (`true`, `database`, …): the application decides.
    pub replication: Option<PgStr<'a>>,
    /// The protocol version the session will speak (after negotiation).
    pub version: ProtocolVersion,
    /// Every parameter as sent, including `options`, `application_name` and `_pq_.` options.
    pub params: List<'a, StartupParam<'a>>,
}

impl<'a> StartupInfo<'a> {
    /// The value of startup parameter `name`, if sent.
    pub fn param(&self, name: &str) -> Option<PgStr<'a>> {
        self.params
            .iter()
            .find(|p| p.name.as_bytes() == name.as_bytes())
            .map(|p| p.value)
    }
}

/// How the user must authenticate (a `pg_hba.conf` method).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// No password.
    Trust,
    /// Password in cleartext (`password`): only sensible over TLS.
    Password,
    /// MD5 challenge; PostgreSQL switches to SCRAM when the stored secret is a SCRAM verifier.
    Md5,
    /// SCRAM-SHA-256, with -PLUS offered over TLS.
    ScramSha256,
}

/// The user's stored secret.
#[derive(Debug, Clone)]
pub enum Secret {
    /// The password itself.
    Password(Vec<u8>),
    /// An MD5 secret, `md5` + 32 hex digits (as in `pg_authid`).
    Md5([u8; md5::MD5_LEN]),
    /// A SCRAM verifier (as in `pg_authid`).
    Scram(scram::Verifier),
    /// No secret: the user is unknown. Password methods run to the end and then fail, so a
    /// client cannot tell a missing user from a wrong password.
    None,
}

/// Where an authentication exchange stands.
pub(crate) enum AuthStep {
    Cleartext(Secret),
    Md5(Secret),
    SaslInitial {
        secret: Option<scram::Verifier>,
        plus_offered: bool,
    },
    SaslFinal(Box<scram::ServerExchange>),
}

impl AuthStep {
    fn kind(&self) -> PasswordKind {
        match self {
            Self::Cleartext(_) | Self::Md5(_) => PasswordKind::Password,
            Self::SaslInitial { .. } => PasswordKind::SaslInitial,
            Self::SaslFinal(_) => PasswordKind::Sasl,
        }
    }
}

fn unsupported_protocol(major: u16, minor: u16) -> ServerError {
    ServerError::fatal(
        sqlstate::FEATURE_NOT_SUPPORTED,
        format!(
            "unsupported frontend protocol {major}.{minor}: server supports 3.0 to {}.{}",
            NEWEST.major, NEWEST.minor
        ),
    )
}

fn protocol_violation_fatal(message: &'static str) -> ServerError {
    ServerError::fatal(sqlstate::PROTOCOL_VIOLATION, message)
}

impl ServerConnection {
    /// Reads the next startup-phase packet.
    pub(crate) fn poll_startup<'a, B: WriteBuf + ?Sized>(
        &mut self,
        input: &'a [u8],
        out: &mut B,
        ssl_done: bool,
        gss_done: bool,
    ) -> Result<Progress<'a>, ServerConnectionError> {
        let (body, consumed) = match frame::decode_startup(input) {
            Ok(Decoded::Frame { frame, consumed }) => (frame, consumed),
            Ok(Decoded::NeedMore(_)) => return Ok(Progress::NeedData { consumed: 0 }),
            // PostgreSQL only logs a bad startup length and hangs up.
            Err(_) => return Ok(self.close(0)),
        };
        let packet = match StartupPacket::decode(body) {
            Ok(p) => p,
            Err(DecodeError::UnsupportedProtocol { major, minor }) if major < 3 => {
                // A protocol-2 client reads protocol-2 errors: `E`, the text and a NUL.
                let e = unsupported_protocol(major, minor);
                let text = format!("FATAL:  {}\n", e.message);
                out.put_u8(b'E').map_err(crate::EncodeError::from)?;
                out.put_cstr(pg_text(&text).as_bytes())
                    .map_err(crate::EncodeError::from)?;
                self.flush = true;
                return Ok(self.close(consumed));
            }
            Err(DecodeError::UnsupportedProtocol { major, minor }) => {
                return self.fatal(unsupported_protocol(major, minor), out, consumed);
            }
            // A cancel request with a bad key length is only logged by PostgreSQL.
            Err(DecodeError::InvalidKeyLength(_)) => return Ok(self.close(consumed)),
            Err(_) => {
                return self.fatal(
                    protocol_violation_fatal(
                        "invalid startup packet layout: expected terminator as last byte",
                    ),
                    out,
                    consumed,
                )
            }
        };
        let trailing = input.len() > consumed;
        match packet {
            StartupPacket::Cancel(c) => {
                self.phase = Phase::Closed;
                Ok(Progress::Event {
                    event: Event::CancelRequest {
                        pid: c.pid,
                        key: c.key,
                    },
                    consumed,
                })
            }
            StartupPacket::SslRequest if ssl_done => {
                self.fatal(unsupported_protocol(1234, 5679), out, consumed)
            }
            StartupPacket::GssEncRequest if gss_done => {
                self.fatal(unsupported_protocol(1234, 5680), out, consumed)
            }
            StartupPacket::SslRequest | StartupPacket::GssEncRequest if trailing => {
                // CVE-2021-23214: bytes sent before the answer could be a man in the middle's.
                let what = if packet == StartupPacket::SslRequest {
                    "received unencrypted data after SSL request"
                } else {
                    "received unencrypted data after GSSAPI encryption request"
                };
                out.put_u8(b'N').map_err(crate::EncodeError::from)?;
                self.fatal(
                    protocol_violation_fatal(what).with_detail(
                        "This could be either a client-software bug or evidence of an attempted man-in-the-middle attack.",
                    ),
                    out,
                    consumed,
                )
            }
            StartupPacket::SslRequest => {
                self.phase = Phase::SslAnswer { gss_done };
                Ok(Progress::Event {
                    event: Event::SslRequest,
                    consumed,
                })
            }
            StartupPacket::GssEncRequest => {
                out.put_u8(b'N').map_err(crate::EncodeError::from)?;
                self.flush = true;
                self.phase = Phase::Startup {
                    ssl_done,
                    gss_done: true,
                };
                Ok(Progress::NeedData { consumed })
            }
            StartupPacket::Startup(m) => self.startup_message(m, out, consumed),
        }
    }

    fn startup_message<'a, B: WriteBuf + ?Sized>(
        &mut self,
        m: StartupMessage<'a>,
        out: &mut B,
        consumed: usize,
    ) -> Result<Progress<'a>, ServerConnectionError> {
        if let Some(r) = m.param("replication") {
            let valid = [
                "true", "on", "yes", "1", "false", "off", "no", "0", "database",
            ]
            .iter()
            .any(|v| r.as_bytes().eq_ignore_ascii_case(v.as_bytes()));
            if !valid {
                return self.fatal(
                    ServerError::fatal(
                        sqlstate::INVALID_PARAMETER_VALUE,
                        format!("invalid value for parameter \"replication\": \"{r}\""),
                    )
                    .with_hint("Valid values are: \"false\", 0, \"true\", 1, \"database\"."),
                    out,
                    consumed,
                );
            }
        }
        let Some(user) = m.user().filter(|u| !u.is_empty()) else {
            return self.fatal(
                ServerError::fatal(
                    sqlstate::INVALID_AUTHORIZATION_SPECIFICATION,
                    "no PostgreSQL user name specified in startup packet",
                ),
                out,
                consumed,
            );
        };
        let database = m.database().filter(|d| !d.is_empty()).unwrap_or(user);
        let version = m.version.min(NEWEST);
        let options: Vec<PgStr<'_>> = m.protocol_options().map(|p| p.name).collect();
        if m.version > NEWEST || !options.is_empty() {
            NegotiateProtocolVersion {
                newest: version,
                unsupported_options: List::new(&options),
            }
            .encode(out)?;
        }
        self.protocol = version;
        self.user = user.as_bytes().to_vec();
        self.application_name = m
            .param("application_name")
            .map(|a| String::from_utf8_lossy(a.as_bytes()).into_owned());
        self.phase = Phase::Credentials;
        Ok(Progress::Event {
            event: Event::Startup(StartupInfo {
                user,
                database,
                replication: m.param("replication"),
                version,
                params: m.params,
            }),
            consumed,
        })
    }

    /// Answers an [`Event::SslRequest`]: `S`; the caller then performs the TLS handshake and calls
    /// [`ServerConnection::tls_established`].
    pub fn accept_tls<B: WriteBuf + ?Sized>(
        &mut self,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        let Phase::SslAnswer { .. } = self.phase else {
            return Err(ServerConnectionError::Unexpected(
                "accept_tls without SSLRequest",
            ));
        };
        out.put_u8(b'S').map_err(crate::EncodeError::from)?;
        self.flush = true;
        self.phase = Phase::TlsHandshake;
        Ok(())
    }

    /// Answers an [`Event::SslRequest`]: `N`; the client goes on in cleartext (or hangs up).
    pub fn refuse_tls<B: WriteBuf + ?Sized>(
        &mut self,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        let Phase::SslAnswer { gss_done } = self.phase else {
            return Err(ServerConnectionError::Unexpected(
                "refuse_tls without SSLRequest",
            ));
        };
        out.put_u8(b'N').map_err(crate::EncodeError::from)?;
        self.flush = true;
        self.phase = Phase::Startup {
            ssl_done: true,
            gss_done,
        };
        Ok(())
    }

    /// TLS is up, after [`ServerConnection::accept_tls`] or directly (a direct-TLS connection
    /// with ALPN `postgresql`). `channel_binding` is the `tls-server-end-point` hash of the
    /// server certificate, which enables SCRAM-SHA-256-PLUS.
    pub fn tls_established(
        &mut self,
        channel_binding: Option<&[u8]>,
    ) -> Result<(), ServerConnectionError> {
        match self.phase {
            Phase::TlsHandshake
            | Phase::Startup {
                ssl_done: false, ..
            } => {
                self.tls = true;
                self.channel_binding = channel_binding.map(<[u8]>::to_vec);
                self.phase = Phase::Startup {
                    ssl_done: true,
                    gss_done: true,
                };
                Ok(())
            }
            _ => Err(ServerConnectionError::Unexpected(
                "tls_established outside the startup",
            )),
        }
    }

    /// Whether the connection runs over TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Answers [`Event::Startup`]: authenticate with `method` against the user's `secret`.
    pub fn authenticate<B: WriteBuf + ?Sized>(
        &mut self,
        method: AuthMethod,
        secret: Secret,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        let Phase::Credentials = self.phase else {
            return Err(ServerConnectionError::Unexpected(
                "authenticate without Startup",
            ));
        };
        self.flush = true;
        let step = match (method, secret) {
            (AuthMethod::Trust, _) => return self.authenticated(out),
            (AuthMethod::Password, secret) => {
                Authentication::CleartextPassword.encode(out)?;
                AuthStep::Cleartext(secret)
            }
            (AuthMethod::Md5 | AuthMethod::ScramSha256, Secret::Scram(v)) => {
                self.offer_sasl(Some(v), out)?
            }
            (AuthMethod::ScramSha256, Secret::Password(p)) => {
                let v = scram::Verifier::from_password(
                    &p,
                    &self.secrets.scram_salt,
                    scram::DEFAULT_ITERATIONS,
                );
                self.offer_sasl(Some(v), out)?
            }
            (AuthMethod::ScramSha256, Secret::Md5(_) | Secret::None) => {
                self.offer_sasl(None, out)?
            }
            (AuthMethod::Md5, secret) => {
                Authentication::Md5Password {
                    salt: self.secrets.md5_salt,
                }
                .encode(out)?;
                AuthStep::Md5(secret)
            }
        };
        self.phase = Phase::Auth(step);
        Ok(())
    }

    fn offer_sasl<B: WriteBuf + ?Sized>(
        &mut self,
        secret: Option<scram::Verifier>,
        out: &mut B,
    ) -> Result<AuthStep, ServerConnectionError> {
        let plus = PgStr::from_static(scram::SCRAM_SHA_256_PLUS);
        let plain = PgStr::from_static(scram::SCRAM_SHA_256);
        let plus_offered = self.channel_binding.is_some();
        let both = [plus, plain];
        let mechanisms = if plus_offered { &both[..] } else { &both[1..] };
        Authentication::Sasl {
            mechanisms: List::new(mechanisms),
        }
        .encode(out)?;
        Ok(AuthStep::SaslInitial {
            secret,
            plus_offered,
        })
    }

    /// Answers [`Event::Startup`] with a refusal (unknown database 3D000, unknown role 28000,
    /// too many connections 53300, …); the error is sent as FATAL and the connection closes.
    pub fn reject<B: WriteBuf + ?Sized>(
        &mut self,
        error: ServerError,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        let ServerError {
            code,
            message,
            detail,
            hint,
            position,
            ..
        } = error;
        let fatal = ServerError {
            severity: super::Severity::Fatal,
            code,
            message,
            detail,
            hint,
            position,
        };
        fatal.encode(out)?;
        self.flush = true;
        self.phase = Phase::Closed;
        Ok(())
    }

    /// Handles one message of the authentication exchange.
    pub(crate) fn poll_auth<'a, B: WriteBuf + ?Sized>(
        &mut self,
        input: &'a [u8],
        out: &mut B,
    ) -> Result<Progress<'a>, ServerConnectionError> {
        let Phase::Auth(step) = &self.phase else {
            return Ok(Progress::Blocked { consumed: 0 });
        };
        let kind = step.kind();
        let (f, consumed) = match frame::decode(input, Limits::frontend(SMALL_FRONTEND_MESSAGE_LEN))
        {
            Ok(Decoded::Frame { frame, consumed }) => (frame, consumed),
            Ok(Decoded::NeedMore(_)) => return Ok(Progress::NeedData { consumed: 0 }),
            Err(DecodeError::UnknownMessageType(t)) => {
                return self.expected_password(t, kind, out, 0)
            }
            Err(_) => return Ok(self.close(0)),
        };
        if f.tag != crate::message::tag::PASSWORD {
            return self.expected_password(f.tag, kind, out, consumed);
        }
        let Ok(msg) = FrontendMessage::decode(f, kind) else {
            let text = if kind == PasswordKind::Password {
                "invalid password packet size"
            } else {
                "malformed SASL message"
            };
            return self.fatal(protocol_violation_fatal(text), out, consumed);
        };
        let Phase::Auth(step) = core::mem::replace(&mut self.phase, Phase::Closed) else {
            return Ok(self.close(consumed));
        };
        let result = match (step, msg) {
            (AuthStep::Cleartext(secret), FrontendMessage::PasswordMessage(p)) => {
                if p.password.is_empty() {
                    // PostgreSQL treats an empty password as the client giving up: no report.
                    return Ok(self.close(consumed));
                }
                let pw = p.password.as_bytes();
                let ok = match &secret {
                    Secret::Password(s) => subtle_eq(s, pw),
                    Secret::Md5(s) => subtle_eq(s, &md5::secret(&self.user, pw)),
                    Secret::Scram(v) => v.verify_password(pw),
                    Secret::None => false,
                };
                if ok {
                    Ok(())
                } else {
                    Err(self.password_failed())
                }
            }
            (AuthStep::Md5(secret), FrontendMessage::PasswordMessage(p)) => {
                let stored = match secret {
                    Secret::Password(pw) => Some(md5::secret(&self.user, &pw)),
                    Secret::Md5(s) => Some(s),
                    Secret::Scram(_) | Secret::None => None,
                };
                match stored {
                    Some(s) if md5::verify(&s, self.secrets.md5_salt, p.password.as_bytes()) => {
                        Ok(())
                    }
                    _ => Err(self.password_failed()),
                }
            }
            (
                AuthStep::SaslInitial {
                    secret,
                    plus_offered,
                },
                FrontendMessage::SaslInitialResponse(r),
            ) => {
                let mech = r.mechanism.as_bytes();
                let plus = mech == scram::SCRAM_SHA_256_PLUS.as_bytes() && plus_offered;
                if !plus && mech != scram::SCRAM_SHA_256.as_bytes() {
                    return self.fatal(
                        protocol_violation_fatal(
                            "client selected an invalid SASL authentication mechanism",
                        ),
                        out,
                        consumed,
                    );
                }
                let binding = self.channel_binding.as_deref();
                let mut exchange =
                    scram::ServerExchange::new(secret, plus, binding, &self.secrets.scram_nonce);
                match exchange.client_first(r.data.unwrap_or_default()) {
                    Ok(first) => {
                        Authentication::SaslContinue {
                            data: first.as_bytes(),
                        }
                        .encode(out)?;
                        self.flush = true;
                        self.phase = Phase::Auth(AuthStep::SaslFinal(Box::new(exchange)));
                        return Ok(Progress::NeedData { consumed });
                    }
                    Err(e) => Err(self.scram_error(e)),
                }
            }
            (AuthStep::SaslFinal(mut exchange), FrontendMessage::SaslResponse(r)) => {
                match exchange.client_final(r.data) {
                    Ok(last) => {
                        Authentication::SaslFinal {
                            data: last.as_bytes(),
                        }
                        .encode(out)?;
                        Ok(())
                    }
                    Err(e) => Err(self.scram_error(e)),
                }
            }
            _ => return Ok(self.close(consumed)),
        };
        match result {
            Ok(()) => {
                self.authenticated(out)?;
                self.phase = Phase::Authenticated { announced: true };
                Ok(Progress::Event {
                    event: Event::Authenticated,
                    consumed,
                })
            }
            Err(e) => self.fatal(e, out, consumed),
        }
    }

    fn expected_password<'a, B: WriteBuf + ?Sized>(
        &mut self,
        tag: u8,
        kind: PasswordKind,
        out: &mut B,
        consumed: usize,
    ) -> Result<Progress<'a>, ServerConnectionError> {
        let what = if kind == PasswordKind::Password {
            "password"
        } else {
            "SASL"
        };
        self.fatal(
            ServerError::fatal(
                sqlstate::PROTOCOL_VIOLATION,
                format!("expected {what} response, got message type {tag}"),
            ),
            out,
            consumed,
        )
    }

    fn password_failed(&self) -> ServerError {
        ServerError::fatal(
            sqlstate::INVALID_PASSWORD,
            format!(
                "password authentication failed for user \"{}\"",
                String::from_utf8_lossy(&self.user)
            ),
        )
    }

    fn scram_error(&self, e: scram::ScramError) -> ServerError {
        if e == scram::ScramError::AuthenticationFailed {
            return self.password_failed();
        }
        let code = e.sqlstate();
        let err = ServerError::fatal(code, format!("{e}"));
        match e.detail() {
            Some(d) => err.with_detail(d),
            None => err,
        }
    }

    /// Authentication succeeded: AuthenticationOk; the application then starts the session.
    fn authenticated<B: WriteBuf + ?Sized>(
        &mut self,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        Authentication::Ok.encode(out)?;
        self.flush = true;
        self.phase = Phase::Authenticated { announced: false };
        Ok(())
    }

    /// Answers [`Event::Authenticated`]: the session starts with ParameterStatus, BackendKeyData
    /// and ReadyForQuery. (To refuse instead, e.g. an unknown database with 3D000 as PostgreSQL
    /// does after authentication, call [`ServerConnection::terminate`].)
    pub fn start_session<B: WriteBuf + ?Sized>(
        &mut self,
        out: &mut B,
    ) -> Result<(), ServerConnectionError> {
        let Phase::Authenticated { .. } = self.phase else {
            return Err(ServerConnectionError::Unexpected(
                "start_session before authentication",
            ));
        };
        let user = String::from_utf8_lossy(&self.user).into_owned();
        for (name, value) in &self.config.parameters {
            let value = match name.as_str() {
                "session_authorization" => user.as_str(),
                "application_name" => self.application_name.as_deref().unwrap_or(value),
                _ => value.as_str(),
            };
            ParameterStatus {
                name: pg_text(name),
                value: pg_text(value),
            }
            .encode(out)?;
        }
        let key_len = if self.protocol >= ProtocolVersion::V3_2 {
            32
        } else {
            4
        };
        let key = SecretKey::new(&self.secrets.cancel_key[..key_len])
            .map_err(|_| ServerConnectionError::Unexpected("cancel key"))?;
        BackendKeyData {
            pid: self.secrets.pid,
            key,
        }
        .encode(out)?;
        ReadyForQuery {
            status: TransactionStatus::Idle,
        }
        .encode(out)?;
        self.flush = true;
        self.enter_session();
        Ok(())
    }
}

fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

//! [`ClientConnection`]: startup, authentication and request routing.

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::request::{route, Kind, Request, RequestId, Route};
use super::{
    AuthKind, ChannelBinding, ClientConfig, ClientError, ClientEvent, ClientProgress, SslMode,
};
use crate::auth::{md5, scram};
use crate::frame::{self, Decoded, Limits};
use crate::message::backend::{Authentication, BackendMessage};
use crate::message::frontend::{
    Bind, Close, CopyData, CopyDone, CopyFail, Describe, Execute, Flush, FunctionCall, Parse,
    PasswordMessage, Query, SaslInitialResponse, SaslResponse, Sync, Terminate,
};
use crate::message::{
    CancelRequest, Encode, Format, ProtocolVersion, SecretKey, StartupMessage, StartupPacket,
    StartupParam, Target, TransactionStatus,
};
use crate::{List, PgStr, WriteBuf};

/// Where the connection stands.
enum Phase {
    /// Nothing written yet.
    New,
    /// SSLRequest sent: waiting for `S` or `N`.
    SslSent,
    /// `S` received: the caller performs the TLS handshake.
    TlsHandshake,
    /// StartupMessage sent: authentication and session setup.
    Startup(Auth),
    /// Logged in; requests flow.
    Ready,
    /// Over.
    Closed,
}

/// The authentication exchange.
enum Auth {
    Waiting,
    Scram(Box<scram::ClientExchange>),
    Done,
}

/// The client side of one connection, as a state machine; `N` bounds the requests in flight.
pub struct ClientConnection<const N: usize = 256> {
    config: ClientConfig,
    nonce: [u8; scram::NONCE_RAW_LEN],
    phase: Phase,
    tls: bool,
    channel_binding: Option<Vec<u8>>,
    used: Option<AuthKind>,
    plus: bool,
    version: ProtocolVersion,
    parameters: BTreeMap<String, String>,
    pid: i32,
    key: heapless::Vec<u8, 256>,
    status: TransactionStatus,
    queue: heapless::Deque<Request, N>,
    next_id: u64,
    /// After an error in an extended-query batch: requests up to Sync are skipped.
    skipping: bool,
}

impl<const N: usize> core::fmt::Debug for ClientConnection<N> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientConnection")
            .field("user", &self.config.user)
            .field("in_flight", &self.queue.len())
            .finish_non_exhaustive()
    }
}

fn text(s: &str) -> Result<PgStr<'_>, ClientError> {
    PgStr::new(s.as_bytes()).map_err(|_| ClientError::InteriorNul)
}

impl<const N: usize> ClientConnection<N> {
    /// A connection with these settings; `nonce` is fresh randomness for SCRAM.
    pub fn new(config: ClientConfig, nonce: [u8; scram::NONCE_RAW_LEN]) -> Self {
        let version = config.protocol;
        Self {
            config,
            nonce,
            phase: Phase::New,
            tls: false,
            channel_binding: None,
            used: None,
            plus: false,
            version,
            parameters: BTreeMap::new(),
            pid: 0,
            key: heapless::Vec::new(),
            status: TransactionStatus::Idle,
            queue: heapless::Deque::new(),
            next_id: 1,
            skipping: false,
        }
    }

    /// Writes the first packet: SSLRequest when TLS is wanted, otherwise the StartupMessage.
    pub fn start<B: WriteBuf + ?Sized>(&mut self, out: &mut B) -> Result<(), ClientError> {
        if !matches!(self.phase, Phase::New) {
            return Err(ClientError::Unexpected("start called twice"));
        }
        if self.config.ssl == SslMode::Disable {
            self.send_startup(out)
        } else {
            StartupPacket::SslRequest.encode(out)?;
            self.phase = Phase::SslSent;
            Ok(())
        }
    }

    /// TLS is up (after [`ClientEvent::SslResponse`] accepted, or directly for a direct-TLS
    /// connection before [`ClientConnection::start`]). `channel_binding` is the server
    /// certificate's `tls-server-end-point` hash, for SCRAM-SHA-256-PLUS.
    pub fn tls_established<B: WriteBuf + ?Sized>(
        &mut self,
        channel_binding: Option<&[u8]>,
        out: &mut B,
    ) -> Result<(), ClientError> {
        self.tls = true;
        self.channel_binding = channel_binding.map(<[u8]>::to_vec);
        match self.phase {
            Phase::TlsHandshake | Phase::New => self.send_startup(out),
            _ => Err(ClientError::Unexpected(
                "tls_established outside the startup",
            )),
        }
    }

    fn send_startup<B: WriteBuf + ?Sized>(&mut self, out: &mut B) -> Result<(), ClientError> {
        let c = &self.config;
        let mut params: Vec<StartupParam<'_>> = Vec::with_capacity(c.params.len() + 2);
        params.push(StartupParam {
            name: PgStr::from_static("user"),
            value: text(&c.user)?,
        });
        if let Some(db) = &c.database {
            params.push(StartupParam {
                name: PgStr::from_static("database"),
                value: text(db)?,
            });
        }
        for (k, v) in c.params.iter().chain(&c.protocol_options) {
            params.push(StartupParam {
                name: text(k)?,
                value: text(v)?,
            });
        }
        StartupMessage {
            version: c.protocol,
            params: List::new(&params),
        }
        .encode(out)?;
        self.phase = Phase::Startup(Auth::Waiting);
        Ok(())
    }

    /// Whether requests can be sent.
    pub fn is_ready(&self) -> bool {
        matches!(self.phase, Phase::Ready)
    }

    /// Whether the connection is over.
    pub fn is_closed(&self) -> bool {
        matches!(self.phase, Phase::Closed)
    }

    /// The protocol version the session speaks.
    pub fn protocol_version(&self) -> ProtocolVersion {
        self.version
    }

    /// The last value the server reported for parameter `name`.
    pub fn parameter(&self, name: &str) -> Option<&str> {
        self.parameters.get(name).map(String::as_str)
    }

    /// The backend's process ID, from BackendKeyData.
    pub fn backend_pid(&self) -> i32 {
        self.pid
    }

    /// The transaction status the last ReadyForQuery reported.
    pub fn transaction_status(&self) -> TransactionStatus {
        self.status
    }

    /// Whether SCRAM-SHA-256-PLUS (channel binding) was used to log in.
    pub fn used_channel_binding(&self) -> bool {
        self.plus
    }

    /// Requests written and not yet answered.
    pub fn in_flight(&self) -> usize {
        self.queue.len()
    }

    /// Writes the CancelRequest for this session, to send on a new connection.
    pub fn cancel_request<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), ClientError> {
        let key = SecretKey::new(&self.key).map_err(|_| ClientError::NotReady)?;
        CancelRequest { pid: self.pid, key }.encode(out)?;
        Ok(())
    }

    /// Writes Terminate; the connection is over.
    pub fn terminate<B: WriteBuf + ?Sized>(&mut self, out: &mut B) -> Result<(), ClientError> {
        Terminate.encode(out)?;
        self.phase = Phase::Closed;
        Ok(())
    }

    /// Handles the server's bytes: returns the next event, or why it stopped.
    pub fn poll<'a, B: WriteBuf + ?Sized>(
        &mut self,
        input: &'a [u8],
        out: &mut B,
    ) -> Result<ClientProgress<'a>, ClientError> {
        match self.phase {
            Phase::New | Phase::TlsHandshake => {
                return Ok(ClientProgress::NeedData { consumed: 0 })
            }
            Phase::Closed => return Ok(ClientProgress::Closed { consumed: 0 }),
            Phase::SslSent => return self.ssl_answer(input, out),
            Phase::Startup(_) | Phase::Ready => {}
        }
        // Requests skipped by the server after an error come out one by one, before any input.
        if self.skipping {
            if let Some(head) = self.queue.front().copied() {
                if head.kind.skipped_after_error() {
                    self.queue.pop_front();
                    return Ok(ClientProgress::Event {
                        event: ClientEvent::Skipped { request: head.id },
                        raw: &[],
                        consumed: 0,
                    });
                }
                self.skipping = false;
            }
        }
        let (f, consumed) =
            match frame::decode(input, Limits::backend(self.config.max_message_len))? {
                Decoded::Frame { frame, consumed } => (frame, consumed),
                Decoded::NeedMore(_) => return Ok(ClientProgress::NeedData { consumed: 0 }),
            };
        let raw = &input[..consumed];
        let message = BackendMessage::decode(f)?;
        let event = match message {
            BackendMessage::NoticeResponse(n) => ClientEvent::Notice(n),
            BackendMessage::NotificationResponse(n) => ClientEvent::Notification(n),
            BackendMessage::ParameterStatus(p) => {
                let name = String::from_utf8_lossy(p.name.as_bytes()).into_owned();
                let value = String::from_utf8_lossy(p.value.as_bytes()).into_owned();
                self.parameters.insert(name, value);
                ClientEvent::ParameterStatus {
                    name: p.name,
                    value: p.value,
                }
            }
            m if matches!(self.phase, Phase::Startup(_)) => self.startup_message(m, out)?,
            m => self.response(m)?,
        };
        Ok(ClientProgress::Event {
            event,
            raw,
            consumed,
        })
    }

    fn ssl_answer<'a, B: WriteBuf + ?Sized>(
        &mut self,
        input: &'a [u8],
        out: &mut B,
    ) -> Result<ClientProgress<'a>, ClientError> {
        match input.first() {
            None => Ok(ClientProgress::NeedData { consumed: 0 }),
            Some(b'S') => {
                self.phase = Phase::TlsHandshake;
                Ok(ClientProgress::Event {
                    event: ClientEvent::SslResponse { accepted: true },
                    raw: &input[..1],
                    consumed: 1,
                })
            }
            Some(b'N') if self.config.ssl == SslMode::Require => {
                self.phase = Phase::Closed;
                Err(ClientError::SslRefused)
            }
            Some(b'N') => {
                self.send_startup(out)?;
                Ok(ClientProgress::Event {
                    event: ClientEvent::SslResponse { accepted: false },
                    raw: &input[..1],
                    consumed: 1,
                })
            }
            // A server too old for SSLRequest answers with an error.
            Some(_) => match frame::decode(input, Limits::BACKEND)? {
                Decoded::NeedMore(_) => Ok(ClientProgress::NeedData { consumed: 0 }),
                Decoded::Frame { frame, consumed } => match BackendMessage::decode(frame)? {
                    BackendMessage::ErrorResponse(e) => {
                        self.phase = Phase::Closed;
                        Ok(ClientProgress::Event {
                            event: ClientEvent::Fatal(e),
                            raw: &input[..consumed],
                            consumed,
                        })
                    }
                    _ => Err(ClientError::Unexpected("answer to SSLRequest")),
                },
            },
        }
    }

    fn allowed(&self, kind: AuthKind, name: &'static str) -> Result<(), ClientError> {
        if self.config.channel_binding == ChannelBinding::Require && kind != AuthKind::ScramSha256 {
            return Err(ClientError::ChannelBindingRequired);
        }
        match &self.config.require_auth {
            Some(allowed) if !allowed.contains(&kind) => Err(ClientError::AuthMethodRefused(name)),
            _ => Ok(()),
        }
    }

    fn password(&self) -> Result<&[u8], ClientError> {
        self.config
            .password
            .as_deref()
            .ok_or(ClientError::PasswordMissing)
    }

    fn startup_message<'a, B: WriteBuf + ?Sized>(
        &mut self,
        m: BackendMessage<'a>,
        out: &mut B,
    ) -> Result<ClientEvent<'a>, ClientError> {
        Ok(match m {
            BackendMessage::Authentication(a) => return self.authentication(a, out),
            BackendMessage::NegotiateProtocolVersion(v) => {
                if v.newest.major != 3 || v.newest > self.config.protocol {
                    return Err(ClientError::Unexpected("NegotiateProtocolVersion"));
                }
                self.version = v.newest;
                ClientEvent::Negotiated {
                    version: v.newest,
                    unsupported_options: v.unsupported_options,
                }
            }
            BackendMessage::BackendKeyData(k) => {
                self.pid = k.pid;
                self.key = heapless::Vec::from_slice(k.key.as_bytes()).unwrap_or_default();
                ClientEvent::Startup(BackendMessage::BackendKeyData(k))
            }
            BackendMessage::ReadyForQuery(z) => {
                if !matches!(self.phase, Phase::Startup(Auth::Done)) {
                    return Err(ClientError::Unexpected(
                        "ReadyForQuery before authentication",
                    ));
                }
                self.status = z.status;
                self.phase = Phase::Ready;
                ClientEvent::Ready
            }
            BackendMessage::ErrorResponse(e) => {
                self.phase = Phase::Closed;
                ClientEvent::Fatal(e)
            }
            _ => return Err(ClientError::Unexpected("message during startup")),
        })
    }

    fn authentication<'a, B: WriteBuf + ?Sized>(
        &mut self,
        a: Authentication<'a>,
        out: &mut B,
    ) -> Result<ClientEvent<'a>, ClientError> {
        if !matches!(self.phase, Phase::Startup(_)) {
            return Err(ClientError::Unexpected("authentication"));
        }
        match a {
            Authentication::Ok => {
                // A server that skips authentication must still be one `require_auth` allows.
                if self.used.is_none() {
                    self.allowed(AuthKind::None, "none")?;
                }
                if self.config.channel_binding == ChannelBinding::Require && !self.plus {
                    return Err(ClientError::ChannelBindingRequired);
                }
                if matches!(self.phase, Phase::Startup(Auth::Scram(_))) {
                    return Err(ClientError::Unexpected("AuthenticationOk before SASLFinal"));
                }
                self.phase = Phase::Startup(Auth::Done);
                return Ok(ClientEvent::Authenticated);
            }
            Authentication::CleartextPassword => {
                self.allowed(AuthKind::Password, "password")?;
                self.used = Some(AuthKind::Password);
                let pw = PgStr::new(self.password()?).map_err(|_| ClientError::InteriorNul)?;
                PasswordMessage::new(pw).encode(out)?;
            }
            Authentication::Md5Password { salt } => {
                self.allowed(AuthKind::Md5, "md5")?;
                self.used = Some(AuthKind::Md5);
                let secret = md5::secret(self.config.user.as_bytes(), self.password()?);
                let response = md5::response(&secret, salt);
                PasswordMessage::new(PgStr::new(&response).unwrap_or_default()).encode(out)?;
            }
            Authentication::Sasl { mechanisms } => {
                self.allowed(AuthKind::ScramSha256, "scram-sha-256")?;
                self.used = Some(AuthKind::ScramSha256);
                let offers = |m: &str| mechanisms.iter().any(|x| x.as_bytes() == m.as_bytes());
                let bind = self.tls
                    && self.config.channel_binding != ChannelBinding::Disable
                    && self.channel_binding.is_some()
                    && offers(scram::SCRAM_SHA_256_PLUS);
                if !bind && self.config.channel_binding == ChannelBinding::Require {
                    return Err(ClientError::ChannelBindingRequired);
                }
                if !bind && !offers(scram::SCRAM_SHA_256) {
                    return Err(ClientError::Unexpected("no SASL mechanism in common"));
                }
                let binding = if bind {
                    self.channel_binding.as_deref()
                } else {
                    None
                };
                // Over TLS with channel binding possible but not offered, 'y' tells the server.
                let tls_capable = self.tls
                    && self.channel_binding.is_some()
                    && self.config.channel_binding != ChannelBinding::Disable;
                let exchange =
                    scram::ClientExchange::new(self.password()?, binding, tls_capable, &self.nonce);
                let first = exchange.client_first();
                SaslInitialResponse {
                    mechanism: text(exchange.mechanism())?,
                    data: Some(first.as_bytes()),
                }
                .encode(out)?;
                self.plus = bind;
                self.phase = Phase::Startup(Auth::Scram(Box::new(exchange)));
            }
            Authentication::SaslContinue { data } => {
                let Phase::Startup(Auth::Scram(exchange)) = &mut self.phase else {
                    return Err(ClientError::Unexpected("SASLContinue without SASL"));
                };
                let last = exchange.server_first(data).map_err(ClientError::Scram)?;
                SaslResponse {
                    data: last.as_bytes(),
                }
                .encode(out)?;
            }
            Authentication::SaslFinal { data } => {
                let Phase::Startup(Auth::Scram(exchange)) = &mut self.phase else {
                    return Err(ClientError::Unexpected("SASLFinal without SASL"));
                };
                exchange.server_final(data).map_err(ClientError::Scram)?;
                self.phase = Phase::Startup(Auth::Waiting);
            }
            other => return Err(ClientError::UnsupportedAuth(other.code())),
        }
        Ok(ClientEvent::Startup(BackendMessage::Authentication(a)))
    }

    /// Routes a message of the logged-in session to the request it answers.
    fn response<'a>(&mut self, m: BackendMessage<'a>) -> Result<ClientEvent<'a>, ClientError> {
        if let BackendMessage::ReadyForQuery(z) = m {
            self.status = z.status;
        }
        let Some(head) = self.queue.front().copied() else {
            return match m {
                // The server ends the session (shutdown, timeout, termination).
                BackendMessage::ErrorResponse(e) => {
                    self.phase = Phase::Closed;
                    Ok(ClientEvent::Fatal(e))
                }
                _ => Err(ClientError::Unexpected("message with no request in flight")),
            };
        };
        let done = match route(head.kind, &m) {
            Route::More => false,
            Route::Done => true,
            Route::Failed => {
                self.skipping = true;
                true
            }
            Route::Invalid => {
                return Err(ClientError::Unexpected(
                    "message does not answer the request",
                ))
            }
        };
        if done {
            self.queue.pop_front();
        }
        Ok(ClientEvent::Response {
            request: head.id,
            message: m,
            done,
        })
    }

    /// Writes one request message and queues it as `kind`.
    fn request<B: WriteBuf + ?Sized>(
        &mut self,
        kind: Kind,
        message: &impl Encode,
        out: &mut B,
    ) -> Result<RequestId, ClientError> {
        if !self.is_ready() {
            return Err(ClientError::NotReady);
        }
        if self.queue.is_full() {
            return Err(ClientError::QueueFull);
        }
        message.encode(out)?;
        let id = RequestId(self.next_id);
        self.next_id += 1;
        // Cannot fail: checked for room above.
        let _ = self.queue.push_back(Request { id, kind });
        Ok(id)
    }

    /// Writes a simple Query (one or more statements); answered up to its ReadyForQuery.
    pub fn query<B: WriteBuf + ?Sized>(
        &mut self,
        sql: &str,
        out: &mut B,
    ) -> Result<RequestId, ClientError> {
        self.request(Kind::Query, &Query::new(text(sql)?), out)
    }

    /// Writes Parse.
    pub fn parse<B: WriteBuf + ?Sized>(
        &mut self,
        name: &str,
        sql: &str,
        param_types: &[u32],
        out: &mut B,
    ) -> Result<RequestId, ClientError> {
        self.request(
            Kind::Parse,
            &Parse {
                statement: text(name)?,
                query: text(sql)?,
                param_types: List::new(param_types),
            },
            out,
        )
    }

    /// Writes Bind.
    pub fn bind<B: WriteBuf + ?Sized>(
        &mut self,
        portal: &str,
        statement: &str,
        param_formats: &[Format],
        params: &[Option<&[u8]>],
        result_formats: &[Format],
        out: &mut B,
    ) -> Result<RequestId, ClientError> {
        self.request(
            Kind::Bind,
            &Bind {
                portal: text(portal)?,
                statement: text(statement)?,
                param_formats: List::new(param_formats),
                params: List::new(params),
                result_formats: List::new(result_formats),
            },
            out,
        )
    }

    /// Writes Describe of a statement (ParameterDescription, then RowDescription or NoData).
    pub fn describe_statement<B: WriteBuf + ?Sized>(
        &mut self,
        name: &str,
        out: &mut B,
    ) -> Result<RequestId, ClientError> {
        self.request(
            Kind::DescribeStatement,
            &Describe {
                target: Target::Statement,
                name: text(name)?,
            },
            out,
        )
    }

    /// Writes Describe of a portal (RowDescription or NoData).
    pub fn describe_portal<B: WriteBuf + ?Sized>(
        &mut self,
        name: &str,
        out: &mut B,
    ) -> Result<RequestId, ClientError> {
        self.request(
            Kind::DescribePortal,
            &Describe {
                target: Target::Portal,
                name: text(name)?,
            },
            out,
        )
    }

    /// Writes Execute; `max_rows` 0 runs to completion, otherwise PortalSuspended may end it.
    pub fn execute<B: WriteBuf + ?Sized>(
        &mut self,
        portal: &str,
        max_rows: u32,
        out: &mut B,
    ) -> Result<RequestId, ClientError> {
        let max_rows = i32::try_from(max_rows).unwrap_or(i32::MAX);
        self.request(
            Kind::Execute,
            &Execute {
                portal: text(portal)?,
                max_rows,
            },
            out,
        )
    }

    /// Writes Close of a statement.
    pub fn close_statement<B: WriteBuf + ?Sized>(
        &mut self,
        name: &str,
        out: &mut B,
    ) -> Result<RequestId, ClientError> {
        self.request(
            Kind::Close,
            &Close {
                target: Target::Statement,
                name: text(name)?,
            },
            out,
        )
    }

    /// Writes Close of a portal.
    pub fn close_portal<B: WriteBuf + ?Sized>(
        &mut self,
        name: &str,
        out: &mut B,
    ) -> Result<RequestId, ClientError> {
        self.request(
            Kind::Close,
            &Close {
                target: Target::Portal,
                name: text(name)?,
            },
            out,
        )
    }

    /// Writes Sync; answered by ReadyForQuery.
    pub fn sync<B: WriteBuf + ?Sized>(&mut self, out: &mut B) -> Result<RequestId, ClientError> {
        self.request(Kind::Sync, &Sync, out)
    }

    /// Writes Flush: the server sends what it has buffered. Not a request: nothing answers it.
    pub fn flush<B: WriteBuf + ?Sized>(&mut self, out: &mut B) -> Result<(), ClientError> {
        Flush.encode(out)?;
        Ok(())
    }

    /// Writes FunctionCall; answered by FunctionCallResponse (or an error) and ReadyForQuery.
    pub fn function_call<B: WriteBuf + ?Sized>(
        &mut self,
        function: u32,
        arg_formats: &[Format],
        args: &[Option<&[u8]>],
        result_format: Format,
        out: &mut B,
    ) -> Result<RequestId, ClientError> {
        self.request(
            Kind::FunctionCall,
            &FunctionCall {
                function,
                arg_formats: List::new(arg_formats),
                args: List::new(args),
                result_format,
            },
            out,
        )
    }

    /// Writes a chunk of COPY FROM STDIN data (after a CopyInResponse).
    pub fn copy_data<B: WriteBuf + ?Sized>(
        &mut self,
        data: &[u8],
        out: &mut B,
    ) -> Result<(), ClientError> {
        CopyData { data }.encode(out)?;
        Ok(())
    }

    /// Ends COPY FROM STDIN data.
    pub fn copy_done<B: WriteBuf + ?Sized>(&mut self, out: &mut B) -> Result<(), ClientError> {
        CopyDone.encode(out)?;
        Ok(())
    }

    /// Aborts COPY FROM STDIN; the server answers with an error.
    pub fn copy_fail<B: WriteBuf + ?Sized>(
        &mut self,
        message: &str,
        out: &mut B,
    ) -> Result<(), ClientError> {
        CopyFail::new(text(message)?).encode(out)?;
        Ok(())
    }
}

//! Property tests: every message survives encode → frame → decode → encode unchanged, and a
//! stream decodes to the same messages whole, in random chunks, and one byte at a time.

use pgproto::frame::{self, Decoded, Limits};
use pgproto::message::backend::*;
use pgproto::message::frontend::*;
use pgproto::message::CancelRequest;
use pgproto::message::{
    Encode, Format, ProtocolVersion, SecretKey, StartupMessage, StartupPacket, StartupParam,
    Target, TransactionStatus,
};
use pgproto::{List, PgStr};
use proptest::prelude::*;

// ---- owned models, turned into borrowed messages inside each test ----

type Bytes = Vec<u8>;

fn text() -> impl Strategy<Value = Bytes> {
    prop::collection::vec(1u8..=255, 0..12)
}
fn name() -> impl Strategy<Value = Bytes> {
    prop::collection::vec(1u8..=255, 1..12)
}
fn bytes() -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 0..40)
}
fn nullable() -> impl Strategy<Value = Option<Bytes>> {
    prop::option::of(bytes())
}
fn format() -> impl Strategy<Value = Format> {
    prop_oneof![
        Just(Format::Text),
        Just(Format::Binary),
        any::<i16>().prop_map(Format::from_code)
    ]
}
fn formats() -> impl Strategy<Value = Vec<Format>> {
    prop::collection::vec(format(), 0..6)
}
fn values() -> impl Strategy<Value = Vec<Option<Bytes>>> {
    prop::collection::vec(nullable(), 0..8)
}
fn target() -> impl Strategy<Value = Target> {
    prop_oneof![Just(Target::Statement), Just(Target::Portal)]
}
fn key() -> impl Strategy<Value = Bytes> {
    prop::collection::vec(any::<u8>(), 4..=256)
}

#[derive(Debug, Clone)]
enum F {
    Bind(Bytes, Bytes, Vec<Format>, Vec<Option<Bytes>>, Vec<Format>),
    Close(Target, Bytes),
    CopyData(Bytes),
    CopyDone,
    CopyFail(Bytes),
    Describe(Target, Bytes),
    Execute(Bytes, i32),
    Flush,
    FunctionCall(u32, Vec<Format>, Vec<Option<Bytes>>, Format),
    Gss(Bytes),
    Parse(Bytes, Bytes, Vec<u32>),
    Password(Bytes),
    Query(Bytes),
    SaslInitial(Bytes, Option<Bytes>),
    Sasl(Bytes),
    Sync,
    Terminate,
}

fn frontend() -> impl Strategy<Value = F> {
    prop_oneof![
        (text(), text(), formats(), values(), formats())
            .prop_map(|(a, b, c, d, e)| F::Bind(a, b, c, d, e)),
        (target(), text()).prop_map(|(t, n)| F::Close(t, n)),
        bytes().prop_map(F::CopyData),
        Just(F::CopyDone),
        text().prop_map(F::CopyFail),
        (target(), text()).prop_map(|(t, n)| F::Describe(t, n)),
        (text(), any::<i32>()).prop_map(|(p, n)| F::Execute(p, n)),
        Just(F::Flush),
        (any::<u32>(), formats(), values(), format())
            .prop_map(|(o, f, v, r)| F::FunctionCall(o, f, v, r)),
        bytes().prop_map(F::Gss),
        (text(), text(), prop::collection::vec(any::<u32>(), 0..8))
            .prop_map(|(a, b, c)| F::Parse(a, b, c)),
        text().prop_map(F::Password),
        text().prop_map(F::Query),
        (text(), nullable()).prop_map(|(m, d)| F::SaslInitial(m, d)),
        bytes().prop_map(F::Sasl),
        Just(F::Sync),
        Just(F::Terminate),
    ]
}

fn s(b: &[u8]) -> PgStr<'_> {
    PgStr::new(b).expect("strategy makes no NUL")
}

fn opt(v: &[Option<Bytes>]) -> Vec<Option<&[u8]>> {
    v.iter().map(Option::as_deref).collect()
}

impl F {
    fn password_kind(&self) -> PasswordKind {
        match self {
            F::Gss(_) => PasswordKind::Gss,
            F::SaslInitial(..) => PasswordKind::SaslInitial,
            F::Sasl(_) => PasswordKind::Sasl,
            _ => PasswordKind::Password,
        }
    }

    fn with<R>(&self, f: impl FnOnce(FrontendMessage<'_>) -> R) -> R {
        match self {
            F::Bind(portal, stmt, pf, params, rf) => {
                let params = opt(params);
                f(Bind {
                    portal: s(portal),
                    statement: s(stmt),
                    param_formats: List::new(pf),
                    params: List::new(&params),
                    result_formats: List::new(rf),
                }
                .into())
            }
            F::Close(t, n) => f(Close {
                target: *t,
                name: s(n),
            }
            .into()),
            F::CopyData(d) => f(CopyData { data: d }.into()),
            F::CopyDone => f(CopyDone.into()),
            F::CopyFail(m) => f(CopyFail::new(s(m)).into()),
            F::Describe(t, n) => f(Describe {
                target: *t,
                name: s(n),
            }
            .into()),
            F::Execute(p, n) => f(Execute {
                portal: s(p),
                max_rows: *n,
            }
            .into()),
            F::Flush => f(Flush.into()),
            F::FunctionCall(oid, fm, args, r) => {
                let args = opt(args);
                f(FunctionCall {
                    function: *oid,
                    arg_formats: List::new(fm),
                    args: List::new(&args),
                    result_format: *r,
                }
                .into())
            }
            F::Gss(d) => f(GssResponse { data: d }.into()),
            F::Parse(n, q, t) => f(Parse {
                statement: s(n),
                query: s(q),
                param_types: List::new(t),
            }
            .into()),
            F::Password(p) => f(PasswordMessage::new(s(p)).into()),
            F::Query(q) => f(Query::new(s(q)).into()),
            F::SaslInitial(m, d) => f(SaslInitialResponse {
                mechanism: s(m),
                data: d.as_deref(),
            }
            .into()),
            F::Sasl(d) => f(SaslResponse { data: d }.into()),
            F::Sync => f(Sync.into()),
            F::Terminate => f(Terminate.into()),
        }
    }
}

#[derive(Debug, Clone)]
enum B {
    Auth(u8, Bytes, Vec<Bytes>),
    KeyData(i32, Bytes),
    BindComplete,
    CloseComplete,
    CommandComplete(Bytes),
    CopyData(Bytes),
    CopyDone,
    CopyResponse(u8, Format, Vec<Format>),
    DataRow(Vec<Option<Bytes>>),
    EmptyQuery,
    Error(bool, Vec<(u8, Bytes)>),
    FunctionCallResponse(Option<Bytes>),
    Negotiate(u32, Vec<Bytes>),
    NoData,
    Notification(i32, Bytes, Bytes),
    ParameterDescription(Vec<u32>),
    ParameterStatus(Bytes, Bytes),
    ParseComplete,
    PortalSuspended,
    Ready(TransactionStatus),
    RowDescription(Vec<(Bytes, u32, i16, u32, i16, i32, Format)>),
}

fn backend() -> impl Strategy<Value = B> {
    prop_oneof![
        (0u8..10, bytes(), prop::collection::vec(name(), 0..4))
            .prop_map(|(k, d, m)| B::Auth(k, d, m)),
        (any::<i32>(), key()).prop_map(|(p, k)| B::KeyData(p, k)),
        Just(B::BindComplete),
        Just(B::CloseComplete),
        text().prop_map(B::CommandComplete),
        bytes().prop_map(B::CopyData),
        Just(B::CopyDone),
        (
            0u8..3,
            any::<i8>().prop_map(|c| Format::from_code(c.into())),
            formats()
        )
            .prop_map(|(k, f, c)| B::CopyResponse(k, f, c)),
        values().prop_map(B::DataRow),
        Just(B::EmptyQuery),
        (
            any::<bool>(),
            prop::collection::vec((1u8..=255, text()), 0..8)
        )
            .prop_map(|(n, f)| B::Error(n, f)),
        nullable().prop_map(B::FunctionCallResponse),
        (any::<u32>(), prop::collection::vec(text(), 0..4)).prop_map(|(m, o)| B::Negotiate(m, o)),
        Just(B::NoData),
        (any::<i32>(), text(), text()).prop_map(|(p, c, l)| B::Notification(p, c, l)),
        prop::collection::vec(any::<u32>(), 0..8).prop_map(B::ParameterDescription),
        (text(), text()).prop_map(|(n, v)| B::ParameterStatus(n, v)),
        Just(B::ParseComplete),
        Just(B::PortalSuspended),
        prop_oneof![
            Just(TransactionStatus::Idle),
            Just(TransactionStatus::InTransaction),
            Just(TransactionStatus::Failed)
        ]
        .prop_map(B::Ready),
        prop::collection::vec(
            (
                text(),
                any::<u32>(),
                any::<i16>(),
                any::<u32>(),
                any::<i16>(),
                any::<i32>(),
                format()
            ),
            0..6
        )
        .prop_map(B::RowDescription),
    ]
}

impl B {
    fn with<R>(&self, f: impl FnOnce(BackendMessage<'_>) -> R) -> R {
        match self {
            B::Auth(kind, data, mechs) => {
                let mechs: Vec<PgStr<'_>> = mechs.iter().map(|m| s(m)).collect();
                let salt = [data.first().copied().unwrap_or(7), 1, 2, 3];
                let auth = match kind {
                    0 => Authentication::Ok,
                    1 => Authentication::KerberosV5,
                    2 => Authentication::CleartextPassword,
                    3 => Authentication::Md5Password { salt },
                    4 => Authentication::Gss,
                    5 => Authentication::GssContinue { data },
                    6 => Authentication::Sspi,
                    7 => Authentication::Sasl {
                        mechanisms: List::new(&mechs),
                    },
                    8 => Authentication::SaslContinue { data },
                    _ => Authentication::SaslFinal { data },
                };
                f(auth.into())
            }
            B::KeyData(pid, key) => f(BackendKeyData {
                pid: *pid,
                key: SecretKey::new(key).unwrap(),
            }
            .into()),
            B::BindComplete => f(BindComplete.into()),
            B::CloseComplete => f(CloseComplete.into()),
            B::CommandComplete(t) => f(CommandComplete::new(s(t)).into()),
            B::CopyData(d) => f(CopyData { data: d }.into()),
            B::CopyDone => f(CopyDone.into()),
            B::CopyResponse(kind, format, cols) => {
                let column_formats = List::new(cols);
                let format = *format;
                f(match kind {
                    0 => CopyInResponse {
                        format,
                        column_formats,
                    }
                    .into(),
                    1 => CopyOutResponse {
                        format,
                        column_formats,
                    }
                    .into(),
                    _ => CopyBothResponse {
                        format,
                        column_formats,
                    }
                    .into(),
                })
            }
            B::DataRow(cols) => {
                let cols = opt(cols);
                f(DataRow::new(&cols).into())
            }
            B::EmptyQuery => f(EmptyQueryResponse.into()),
            B::Error(notice, fields) => {
                let fields: Vec<ErrorField<'_>> = fields
                    .iter()
                    .map(|(c, v)| ErrorField::new(FieldCode(*c), s(v)))
                    .collect();
                if *notice {
                    f(NoticeResponse::new(&fields).into())
                } else {
                    f(ErrorResponse::new(&fields).into())
                }
            }
            B::FunctionCallResponse(r) => f(FunctionCallResponse {
                result: r.as_deref(),
            }
            .into()),
            B::Negotiate(minor, opts) => {
                let opts: Vec<PgStr<'_>> = opts.iter().map(|o| s(o)).collect();
                f(NegotiateProtocolVersion {
                    newest: ProtocolVersion::from_code(*minor),
                    unsupported_options: List::new(&opts),
                }
                .into())
            }
            B::NoData => f(NoData.into()),
            B::Notification(pid, c, p) => f(NotificationResponse {
                pid: *pid,
                channel: s(c),
                payload: s(p),
            }
            .into()),
            B::ParameterDescription(t) => f(ParameterDescription {
                types: List::new(t),
            }
            .into()),
            B::ParameterStatus(n, v) => f(ParameterStatus {
                name: s(n),
                value: s(v),
            }
            .into()),
            B::ParseComplete => f(ParseComplete.into()),
            B::PortalSuspended => f(PortalSuspended.into()),
            B::Ready(st) => f(ReadyForQuery { status: *st }.into()),
            B::RowDescription(fields) => {
                let fields: Vec<FieldDescription<'_>> = fields
                    .iter()
                    .map(|(n, t, c, ty, sz, m, fm)| FieldDescription {
                        name: s(n),
                        table_oid: *t,
                        column_id: *c,
                        type_oid: *ty,
                        type_size: *sz,
                        type_modifier: *m,
                        format: *fm,
                    })
                    .collect();
                f(RowDescription::new(&fields).into())
            }
        }
    }
}

#[derive(Debug, Clone)]
enum S {
    Startup(u16, Vec<(Bytes, Bytes)>),
    Ssl,
    Gss,
    Cancel(i32, Bytes),
}

fn startup() -> impl Strategy<Value = S> {
    prop_oneof![
        (0u16..5, prop::collection::vec((name(), text()), 0..6))
            .prop_map(|(m, p)| S::Startup(m, p)),
        Just(S::Ssl),
        Just(S::Gss),
        (any::<i32>(), key()).prop_map(|(p, k)| S::Cancel(p, k)),
    ]
}

impl S {
    fn with<R>(&self, f: impl FnOnce(StartupPacket<'_>) -> R) -> R {
        match self {
            S::Startup(minor, params) => {
                let params: Vec<StartupParam<'_>> = params
                    .iter()
                    .map(|(n, v)| StartupParam {
                        name: s(n),
                        value: s(v),
                    })
                    .collect();
                f(StartupPacket::Startup(StartupMessage {
                    version: ProtocolVersion {
                        major: 3,
                        minor: *minor,
                    },
                    params: List::new(&params),
                }))
            }
            S::Ssl => f(StartupPacket::SslRequest),
            S::Gss => f(StartupPacket::GssEncRequest),
            S::Cancel(pid, key) => f(StartupPacket::Cancel(CancelRequest {
                pid: *pid,
                key: SecretKey::new(key).unwrap(),
            })),
        }
    }
}

// ---- the properties ----

fn encode<M: Encode>(m: &M) -> Vec<u8> {
    let mut out = Vec::new();
    m.encode(&mut out).unwrap();
    assert_eq!(out.len(), m.encoded_len(), "encoded_len must be exact");
    out
}

fn one_frame(bytes: &[u8], limits: Limits) -> frame::Frame<'_> {
    match frame::decode(bytes, limits).unwrap() {
        Decoded::Frame { frame, consumed } => {
            assert_eq!(consumed, bytes.len());
            frame
        }
        Decoded::NeedMore(n) => panic!("complete frame reported as needing {n} more bytes"),
    }
}

/// Decodes a stream of frontend messages fed in `chunks`, the way a server's read loop does.
fn decode_stream(stream: &[u8], cuts: &[usize], kinds: &[PasswordKind]) -> Vec<Vec<u8>> {
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut fed = 0;
    let mut cut_iter = cuts.iter().copied().chain(core::iter::once(stream.len()));
    loop {
        // Decode everything complete in the buffer.
        loop {
            match frame::decode(&buf, Limits::FRONTEND).unwrap() {
                Decoded::Frame { frame, consumed } => {
                    let m = FrontendMessage::decode(frame, kinds[out.len()]).unwrap();
                    out.push(encode(&m));
                    buf.drain(..consumed);
                }
                Decoded::NeedMore(n) => {
                    assert!(n >= 1);
                    break;
                }
            }
        }
        let Some(next) = cut_iter.next() else { break };
        let next = next.clamp(fed, stream.len());
        buf.extend_from_slice(&stream[fed..next]);
        fed = next;
        if fed == stream.len() && buf.is_empty() {
            break;
        }
    }
    assert!(buf.is_empty(), "stream left {} undecoded bytes", buf.len());
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn frontend_round_trip(m in frontend()) {
        m.with(|msg| {
            let bytes = encode(&msg);
            let back = FrontendMessage::decode(one_frame(&bytes, Limits::FRONTEND), m.password_kind()).unwrap();
            assert_eq!(back, msg);
            assert_eq!(back.tag(), msg.tag());
            assert_eq!(encode(&back), bytes);
        });
    }

    #[test]
    fn backend_round_trip(m in backend()) {
        m.with(|msg| {
            let bytes = encode(&msg);
            let back = BackendMessage::decode(one_frame(&bytes, Limits::BACKEND)).unwrap();
            assert_eq!(back, msg);
            assert_eq!(encode(&back), bytes);
        });
    }

    #[test]
    fn startup_round_trip(m in startup()) {
        m.with(|msg| {
            let bytes = encode(&msg);
            let body = match frame::decode_startup(&bytes).unwrap() {
                Decoded::Frame { frame, consumed } => { assert_eq!(consumed, bytes.len()); frame }
                Decoded::NeedMore(n) => panic!("need {n}"),
            };
            let back = StartupPacket::decode(body).unwrap();
            assert_eq!(back, msg);
            assert_eq!(encode(&back), bytes);
        });
    }

    #[test]
    fn chunking_is_invisible(
        msgs in prop::collection::vec(frontend(), 1..20),
        mut cuts in prop::collection::vec(0usize..2000, 0..30),
    ) {
        let mut stream = Vec::new();
        let mut expected = Vec::new();
        let kinds: Vec<PasswordKind> = msgs.iter().map(F::password_kind).collect();
        for m in &msgs {
            m.with(|msg| {
                let b = encode(&msg);
                stream.extend_from_slice(&b);
                expected.push(b);
            });
        }
        cuts.sort_unstable();
        let whole = decode_stream(&stream, &[], &kinds);
        let chunked = decode_stream(&stream, &cuts, &kinds);
        let bytewise: Vec<usize> = (1..stream.len()).collect();
        let one_by_one = decode_stream(&stream, &bytewise, &kinds);
        prop_assert_eq!(&whole, &expected);
        prop_assert_eq!(&chunked, &expected);
        prop_assert_eq!(&one_by_one, &expected);
    }

    /// Any bytes at all: framing and decoding return a value or an error, never panic, and what
    /// decodes re-encodes to the very same bytes.
    #[test]
    fn arbitrary_bytes_never_panic(input in prop::collection::vec(any::<u8>(), 0..64), tag in any::<u8>()) {
        let mut framed = vec![tag];
        framed.extend_from_slice(&((input.len() + 4) as i32).to_be_bytes());
        framed.extend_from_slice(&input);
        if let Ok(Decoded::Frame { frame, .. }) = frame::decode(&framed, Limits::BACKEND) {
            if let Ok(m) = BackendMessage::decode(frame) {
                prop_assert_eq!(encode(&m), framed.clone());
            }
        }
        for kind in [PasswordKind::Password, PasswordKind::Gss, PasswordKind::SaslInitial, PasswordKind::Sasl] {
            if let Ok(Decoded::Frame { frame, .. }) = frame::decode(&framed, Limits::FRONTEND) {
                if let Ok(m) = FrontendMessage::decode(frame, kind) {
                    prop_assert_eq!(encode(&m), framed.clone());
                }
            }
        }
        if let Ok(m) = StartupPacket::decode(&input) {
            prop_assert_eq!(&encode(&m)[4..], &input[..]);
        }
    }
}

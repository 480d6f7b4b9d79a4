//! Real bytes: every frame of real PostgreSQL 15 sessions (captured by `tools/capture`) decodes,
//! and re-encodes to exactly the bytes it came from.
//!
//! The captures in `tests/captures/` are read by default; CI remakes them against a live server
//! and points `PGPROTO_CAPTURE_DIR` at the fresh set.

use std::collections::BTreeSet;
use std::path::PathBuf;

use pgproto::frame::{self, Decoded, Limits};
use pgproto::message::backend::{Authentication, BackendMessage};
use pgproto::message::frontend::{FrontendMessage, PasswordKind};
use pgproto::message::{Encode, StartupPacket};

/// What the frontend stream is expected to carry next.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    /// An untagged startup-phase packet.
    Startup,
    /// Nothing until the server answers an SSLRequest or GSSENCRequest with one byte.
    EncryptionAnswer,
    /// Tagged messages.
    Regular,
    /// The connection switched to TLS or GSSAPI encryption: nothing more to decode.
    Encrypted,
}

#[derive(Default)]
struct Seen {
    frontend: BTreeSet<String>,
    backend: BTreeSet<String>,
    frames: usize,
}

fn name<T: std::fmt::Debug>(m: &T) -> String {
    let d = format!("{m:?}");
    d.split(['(', ' ', '{'])
        .next()
        .unwrap_or_default()
        .to_string()
}

fn reencode<M: Encode>(m: &M) -> Vec<u8> {
    let mut out = Vec::new();
    m.encode(&mut out).expect("re-encode");
    out
}

fn replay(path: &PathBuf, seen: &mut Seen) {
    let data = std::fs::read(path).unwrap();
    let (mut fe, mut be) = (Vec::<u8>::new(), Vec::<u8>::new());
    let mut expect = Expect::Startup;
    let mut password = PasswordKind::Password;
    let mut rest = &data[..];
    while !rest.is_empty() {
        let dir = rest[0];
        let len = u32::from_be_bytes(rest[1..5].try_into().unwrap()) as usize;
        let payload = &rest[5..5 + len];
        rest = &rest[5 + len..];
        match dir {
            b'F' => fe.extend_from_slice(payload),
            b'B' => be.extend_from_slice(payload),
            other => panic!("{}: bad record direction {other}", path.display()),
        }
        // Backend first: an answer may change how the frontend stream reads.
        loop {
            if expect == Expect::Encrypted {
                be.clear();
                break;
            }
            if expect == Expect::EncryptionAnswer {
                let Some(&answer) = be.first() else { break };
                be.remove(0);
                expect = match answer {
                    b'N' => Expect::Startup,
                    b'S' | b'G' => Expect::Encrypted,
                    other => panic!("{}: SSL/GSS answer {other}", path.display()),
                };
                seen.backend
                    .insert(format!("EncryptionAnswer{}", answer as char));
                continue;
            }
            let (msg_len, decoded) = match frame::decode(&be, Limits::BACKEND) {
                Ok(Decoded::Frame { frame, consumed }) => (consumed, frame),
                Ok(Decoded::NeedMore(_)) => break,
                Err(e) => panic!("{}: backend framing: {e}", path.display()),
            };
            let msg = BackendMessage::decode(decoded)
                .unwrap_or_else(|e| panic!("{}: backend {decoded:?}: {e}", path.display()));
            assert_eq!(reencode(&msg), be[..msg_len], "{}: {msg:?}", path.display());
            if let BackendMessage::Authentication(auth) = msg {
                password = match auth {
                    Authentication::Sasl { .. } => PasswordKind::SaslInitial,
                    Authentication::SaslContinue { .. } => PasswordKind::Sasl,
                    Authentication::Gss | Authentication::GssContinue { .. } => PasswordKind::Gss,
                    _ => PasswordKind::Password,
                };
                seen.backend
                    .insert(format!("Authentication::{}", name(&auth)));
            }
            seen.backend.insert(name(&msg));
            seen.frames += 1;
            be.drain(..msg_len);
        }
        loop {
            match expect {
                Expect::Encrypted => {
                    fe.clear();
                    break;
                }
                Expect::EncryptionAnswer => break,
                Expect::Startup => {
                    let (consumed, body) = match frame::decode_startup(&fe) {
                        Ok(Decoded::Frame { frame, consumed }) => (consumed, frame),
                        Ok(Decoded::NeedMore(_)) => break,
                        Err(e) => panic!("{}: startup framing: {e}", path.display()),
                    };
                    let packet = StartupPacket::decode(body)
                        .unwrap_or_else(|e| panic!("{}: startup: {e}", path.display()));
                    assert_eq!(reencode(&packet), fe[..consumed], "{}", path.display());
                    expect = match packet {
                        StartupPacket::SslRequest | StartupPacket::GssEncRequest => {
                            Expect::EncryptionAnswer
                        }
                        StartupPacket::Startup(m) => {
                            if m.protocol_options().next().is_some() {
                                seen.frontend.insert("StartupWithProtocolOption".into());
                            }
                            seen.frontend
                                .insert(format!("StartupV3.{}", m.version.minor));
                            Expect::Regular
                        }
                        StartupPacket::Cancel(_) => Expect::Regular,
                    };
                    seen.frontend.insert(name(&packet));
                    seen.frames += 1;
                    fe.drain(..consumed);
                }
                Expect::Regular => {
                    let (consumed, f) = match frame::decode(&fe, Limits::FRONTEND) {
                        Ok(Decoded::Frame { frame, consumed }) => (consumed, frame),
                        Ok(Decoded::NeedMore(_)) => break,
                        Err(e) => panic!("{}: frontend framing: {e}", path.display()),
                    };
                    let msg = FrontendMessage::decode(f, password)
                        .unwrap_or_else(|e| panic!("{}: frontend {f:?}: {e}", path.display()));
                    assert_eq!(
                        reencode(&msg),
                        fe[..consumed],
                        "{}: {msg:?}",
                        path.display()
                    );
                    seen.frontend.insert(name(&msg));
                    seen.frames += 1;
                    fe.drain(..consumed);
                }
            }
        }
    }
    assert!(
        fe.is_empty(),
        "{}: {} frontend bytes left",
        path.display(),
        fe.len()
    );
    assert!(
        be.is_empty(),
        "{}: {} backend bytes left",
        path.display(),
        be.len()
    );
}

#[test]
fn real_sessions_decode_and_reencode_byte_identically() {
    let dir = std::env::var_os("PGPROTO_CAPTURE_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/captures"),
        PathBuf::from,
    );
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("capture dir {}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pgcap"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "too few captures in {}", dir.display());
    let mut seen = Seen::default();
    for f in &files {
        replay(f, &mut seen);
    }
    eprintln!(
        "{} frames from {} sessions; frontend {:?}; backend {:?}",
        seen.frames,
        files.len(),
        seen.frontend,
        seen.backend
    );
    // The captures must keep exercising what they were made for.
    for want in [
        "Startup",
        "SslRequest",
        "GssEncRequest",
        "Cancel",
        "StartupV3.0",
        "StartupV3.2",
        "StartupWithProtocolOption",
        "Query",
        "Parse",
        "Bind",
        "Describe",
        "Execute",
        "Sync",
        "Flush",
        "Close",
        "CopyData",
        "CopyDone",
        "CopyFail",
        "FunctionCall",
        "PasswordMessage",
        "SaslInitialResponse",
        "SaslResponse",
        "Terminate",
    ] {
        assert!(
            seen.frontend.contains(want),
            "no frontend {want} in the captures"
        );
    }
    for want in [
        "Authentication::Ok",
        "Authentication::CleartextPassword",
        "Authentication::Md5Password",
        "Authentication::Sasl",
        "Authentication::SaslContinue",
        "Authentication::SaslFinal",
        "BackendKeyData",
        "BindComplete",
        "CloseComplete",
        "CommandComplete",
        "CopyData",
        "CopyDone",
        "CopyInResponse",
        "CopyOutResponse",
        "DataRow",
        "EmptyQueryResponse",
        "ErrorResponse",
        "FunctionCallResponse",
        "NegotiateProtocolVersion",
        "NoData",
        "NoticeResponse",
        "NotificationResponse",
        "ParameterDescription",
        "ParameterStatus",
        "ParseComplete",
        "PortalSuspended",
        "ReadyForQuery",
        "RowDescription",
        "EncryptionAnswerN",
    ] {
        assert!(
            seen.backend.contains(want),
            "no backend {want} in the captures"
        );
    }
}

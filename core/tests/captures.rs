//! Real bytes: every frame of real PostgreSQL 15 sessions (captured by `tools/capture`) decodes,
//! and re-encodes to exactly the bytes it came from.
//!
//! The captures in `tests/captures/` are read by default; CI remakes them against a live server
//! and points `PGPROTO_CAPTURE_DIR` at the fresh set.
#![allow(clippy::pedantic)] // test scaffolding: clarity over pedantry

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use pgproto::message::backend::BackendMessage;
use pgproto::message::{Encode, StartupPacket};
use support::capture::{replay, Event};

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
    let (mut frontend, mut backend) = (BTreeSet::new(), BTreeSet::new());
    let mut frames = 0;
    for path in &files {
        let data = std::fs::read(path).unwrap();
        replay(&data, |event, bytes| {
            frames += 1;
            let again = match &event {
                Event::Startup(p) => {
                    if let StartupPacket::Startup(m) = p {
                        frontend.insert(format!("StartupV3.{}", m.version.minor));
                        if m.protocol_options().next().is_some() {
                            frontend.insert("StartupWithProtocolOption".into());
                        }
                    }
                    frontend.insert(name(p));
                    reencode(p)
                }
                Event::Frontend(m) => {
                    frontend.insert(name(m));
                    reencode(m)
                }
                Event::EncryptionAnswer(a) => {
                    backend.insert(format!("EncryptionAnswer{}", *a as char));
                    vec![*a]
                }
                Event::Backend(m) => {
                    if let BackendMessage::Authentication(a) = m {
                        backend.insert(format!("Authentication::{}", name(a)));
                    }
                    backend.insert(name(m));
                    reencode(m)
                }
            };
            assert_eq!(again, bytes, "{}: {event:?}", path.display());
        })
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    eprintln!(
        "{frames} frames from {} sessions; frontend {frontend:?}; backend {backend:?}",
        files.len()
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
            frontend.contains(want),
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
        assert!(backend.contains(want), "no backend {want} in the captures");
    }
}

//! Frontend decoding on arbitrary bytes: never panics, and whatever decodes re-encodes to the
//! exact bytes it came from. The first input byte picks how `p` frames are read and whether the
//! stream starts with a startup-phase packet.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pgproto::frame::{self, Decoded, Limits};
use pgproto::message::{Encode, FrontendMessage, PasswordKind, StartupPacket};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, mut input)) = data.split_first() else {
        return;
    };
    let kind = match mode & 3 {
        0 => PasswordKind::Password,
        1 => PasswordKind::Gss,
        2 => PasswordKind::SaslInitial,
        _ => PasswordKind::Sasl,
    };
    let mut out = Vec::new();
    if mode & 4 != 0 {
        match frame::decode_startup(input) {
            Ok(Decoded::Frame { frame, consumed }) => {
                if let Ok(packet) = StartupPacket::decode(frame) {
                    out.clear();
                    packet.encode(&mut out).unwrap();
                    assert_eq!(out, input[..consumed]);
                    assert_eq!(packet.encoded_len(), consumed);
                }
                input = &input[consumed..];
            }
            Ok(Decoded::NeedMore(n)) => {
                assert!(n > 0);
                return;
            }
            Err(_) => return,
        }
    }
    while let Ok(Decoded::Frame { frame, consumed }) = frame::decode(input, Limits::FRONTEND) {
        if let Ok(msg) = FrontendMessage::decode(frame, kind) {
            out.clear();
            msg.encode(&mut out).unwrap();
            assert_eq!(out, input[..consumed]);
            assert_eq!(msg.encoded_len(), consumed);
        }
        input = &input[consumed..];
    }
});

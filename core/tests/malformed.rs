//! Malformed input: every decode error variant is produced by a crafted input, and incomplete
//! input is "need more", never an error.

use pgproto::frame::{self, Decoded, Limits, MAX_STARTUP_PACKET_LEN};
use pgproto::message::{BackendMessage, FrontendMessage, PasswordKind, StartupPacket};
use pgproto::DecodeError as E;

fn msg(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend_from_slice(&((body.len() + 4) as i32).to_be_bytes());
    v.extend_from_slice(body);
    v
}

fn frontend(tag: u8, body: &[u8]) -> Result<(), E> {
    frontend_as(tag, body, PasswordKind::Password)
}

fn frontend_as(tag: u8, body: &[u8], kind: PasswordKind) -> Result<(), E> {
    let bytes = msg(tag, body);
    match frame::decode(&bytes, Limits::FRONTEND)? {
        Decoded::Frame { frame, .. } => FrontendMessage::decode(frame, kind).map(drop),
        Decoded::NeedMore(n) => panic!("need {n}"),
    }
}

fn backend(tag: u8, body: &[u8]) -> Result<(), E> {
    let bytes = msg(tag, body);
    match frame::decode(&bytes, Limits::BACKEND)? {
        Decoded::Frame { frame, .. } => BackendMessage::decode(frame).map(drop),
        Decoded::NeedMore(n) => panic!("need {n}"),
    }
}

fn startup(body: &[u8]) -> Result<(), E> {
    let mut bytes = ((body.len() + 4) as i32).to_be_bytes().to_vec();
    bytes.extend_from_slice(body);
    match frame::decode_startup(&bytes)? {
        Decoded::Frame { frame, .. } => StartupPacket::decode(frame).map(drop),
        Decoded::NeedMore(n) => panic!("need {n}"),
    }
}

#[test]
fn length_below_four() {
    for len in [i32::MIN, -1, 0, 3] {
        let mut bytes = vec![b'Q'];
        bytes.extend_from_slice(&len.to_be_bytes());
        assert_eq!(
            frame::decode(&bytes, Limits::FRONTEND),
            Err(E::LengthTooShort(len))
        );
    }
    // A startup packet must at least hold its length word and its code.
    assert_eq!(
        frame::decode_startup(&7i32.to_be_bytes()),
        Err(E::LengthTooShort(7))
    );
}

#[test]
fn length_over_the_limit_is_refused_from_the_header_alone() {
    // Only the 5-byte header is present: the body is never needed to refuse it.
    let mut header = vec![b'Q'];
    header.extend_from_slice(&(1_000_004i32).to_be_bytes());
    assert_eq!(
        frame::decode(&header, Limits::frontend(1_000_000 - 1)),
        Err(E::TooLong {
            len: 1_000_000,
            limit: 999_999
        })
    );
    // Sync is a small message in PostgreSQL: more than 10,000 bytes is refused whatever the max.
    let mut sync = vec![b'S'];
    sync.extend_from_slice(&(10_005i32).to_be_bytes());
    assert_eq!(
        frame::decode(&sync, Limits::FRONTEND),
        Err(E::TooLong {
            len: 10_001,
            limit: 10_000
        })
    );
    // Startup packets: at most 10,000 bytes after the length word.
    let len = (MAX_STARTUP_PACKET_LEN + 5) as i32;
    assert_eq!(
        frame::decode_startup(&len.to_be_bytes()),
        Err(E::TooLong {
            len: MAX_STARTUP_PACKET_LEN + 1,
            limit: MAX_STARTUP_PACKET_LEN
        })
    );
}

#[test]
fn incomplete_input_needs_more() {
    let whole = msg(b'Q', b"SELECT 1\0");
    for cut in 0..whole.len() {
        match frame::decode(&whole[..cut], Limits::FRONTEND) {
            Ok(Decoded::NeedMore(n)) => {
                assert!(n >= 1 && cut + n <= whole.len(), "cut {cut}: need {n}");
                if cut >= 5 {
                    assert_eq!(cut + n, whole.len(), "exact once the header is known");
                }
            }
            other => panic!("cut {cut}: {other:?}"),
        }
    }
    let startup = [0, 0, 0, 8, 4, 210, 22, 47];
    for cut in 0..startup.len() {
        assert!(matches!(
            frame::decode_startup(&startup[..cut]),
            Ok(Decoded::NeedMore(_))
        ));
    }
}

#[test]
fn missing_nul() {
    assert_eq!(frontend(b'Q', b"SELECT 1"), Err(E::MissingNul));
    assert_eq!(backend(b'C', b"SELECT 1"), Err(E::MissingNul));
    // Error fields must end with a zero byte.
    assert_eq!(backend(b'E', b"SERROR\0"), Err(E::MissingNul));
    // A startup packet whose parameter list has no terminator.
    assert_eq!(startup(b"\0\x03\0\0user\0bob\0"), Err(E::MissingNul));
}

#[test]
fn counts_that_claim_more_than_the_body() {
    // DataRow with 2 columns but only one present.
    assert_eq!(backend(b'D', &[0, 2, 0, 0, 0, 1, b'x']), Err(E::Truncated));
    // A value length running past the end.
    assert_eq!(backend(b'D', &[0, 1, 0, 0, 0, 9, b'x']), Err(E::Truncated));
    // Bind that announces 3 parameter formats and carries one.
    assert_eq!(frontend(b'B', b"\0\0\0\x03\0\x01"), Err(E::Truncated));
    // Execute without its row limit.
    assert_eq!(frontend(b'E', b"\0"), Err(E::Truncated));
    assert_eq!(backend(b'Z', b""), Err(E::Truncated));
}

#[test]
fn negative_lengths_other_than_null() {
    assert_eq!(
        backend(b'D', &[0, 1, 0xff, 0xff, 0xff, 0xfe]),
        Err(E::InvalidValueLength(-2))
    );
    assert_eq!(
        frontend(b'B', b"\0\0\0\0\0\x01\x80\0\0\0\0\0"),
        Err(E::InvalidValueLength(i32::MIN))
    );
    // NULL itself is fine.
    assert_eq!(backend(b'D', &[0, 1, 0xff, 0xff, 0xff, 0xff]), Ok(()));
}

#[test]
fn trailing_bytes() {
    assert_eq!(frontend(b'S', b"x"), Err(E::TrailingBytes(1)));
    assert_eq!(frontend(b'Q', b"SELECT 1\0\0"), Err(E::TrailingBytes(1)));
    assert_eq!(backend(b'Z', b"Ixy"), Err(E::TrailingBytes(2)));
    assert_eq!(backend(b'D', &[0, 0, 1]), Err(E::TrailingBytes(1)));
    assert_eq!(startup(b"\x04\xd2\x16\x2fxx"), Err(E::TrailingBytes(2)));
    assert_eq!(
        startup(b"\0\x03\0\0user\0bob\0\0junk"),
        Err(E::TrailingBytes(4))
    );
}

#[test]
fn unknown_types_and_codes() {
    // A frontend type PostgreSQL does not know is refused from its first byte.
    assert_eq!(
        frame::decode(b"z", Limits::FRONTEND),
        Err(E::UnknownMessageType(b'z'))
    );
    assert_eq!(backend(b'z', b""), Err(E::UnknownMessageType(b'z')));
    assert_eq!(
        backend(b'R', &6i32.to_be_bytes()),
        Err(E::UnknownAuthentication(6))
    );
    // Any Int16 format code decodes (PostgreSQL refuses unknown ones later, per message).
    assert_eq!(frontend(b'B', b"\0\0\0\x01\0\x02\0\0\0\0"), Ok(()));
    assert_eq!(backend(b'Z', b"X"), Err(E::InvalidTransactionStatus(b'X')));
    assert_eq!(frontend(b'C', b"Xname\0"), Err(E::InvalidTarget(b'X')));
    assert_eq!(frontend(b'D', b"s\0"), Err(E::InvalidTarget(b's')));
}

#[test]
fn secret_key_lengths() {
    let mut cancel = 80_877_102u32.to_be_bytes().to_vec();
    cancel.extend_from_slice(&42i32.to_be_bytes());
    assert_eq!(startup(&cancel), Err(E::InvalidKeyLength(0)));
    cancel.extend_from_slice(&[7; 3]);
    assert_eq!(startup(&cancel), Err(E::InvalidKeyLength(3)));
    cancel.push(7);
    assert_eq!(startup(&cancel), Ok(()));
    cancel.extend_from_slice(&[7; 253]);
    assert_eq!(startup(&cancel), Err(E::InvalidKeyLength(257)));
    let mut key_data = 42i32.to_be_bytes().to_vec();
    key_data.extend_from_slice(&[1; 300]);
    assert_eq!(backend(b'K', &key_data), Err(E::InvalidKeyLength(300)));
}

#[test]
fn protocol_versions() {
    assert_eq!(
        startup(b"\0\x02\0\0user\0bob\0\0"),
        Err(E::UnsupportedProtocol { major: 2, minor: 0 })
    );
    // Unknown 1234.x request codes are not protocol 3 either.
    assert_eq!(
        startup(&80_877_105u32.to_be_bytes()),
        Err(E::UnsupportedProtocol {
            major: 1234,
            minor: 5681
        })
    );
    // A newer 3.x minor decodes: the server negotiates it down.
    assert_eq!(startup(b"\0\x03\0\x09user\0bob\0\0"), Ok(()));
}

#[test]
fn password_kinds_decide_p() {
    // The same bytes are a valid GSSResponse and SASLResponse but not a PasswordMessage.
    let body = b"\x01\x02";
    assert_eq!(frontend(b'p', body), Err(E::MissingNul));
    assert_eq!(frontend_as(b'p', body, PasswordKind::Gss), Ok(()));
    assert_eq!(frontend_as(b'p', body, PasswordKind::Sasl), Ok(()));
    assert_eq!(
        frontend_as(
            b'p',
            b"SCRAM-SHA-256\0\xff\xff\xff\xfe",
            PasswordKind::SaslInitial
        ),
        Err(E::InvalidValueLength(-2))
    );
}

#[test]
fn negotiate_protocol_version_negative_count() {
    assert_eq!(
        backend(b'v', &[0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff]),
        Err(E::InvalidValueLength(-1))
    );
}

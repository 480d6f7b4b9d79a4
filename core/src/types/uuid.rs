//! `uuid`: 16 bytes, written as 32 lower-case hex digits in groups of 8-4-4-4-12.
//!
//! Input follows `uuid_in`: upper or lower case, optionally wrapped in `{…}`, with a hyphen allowed
//! (not required) after any group of four hex digits except the last.

use core::fmt;
use core::str::FromStr;

use super::{fixed, write_display, Codec, TypeError};
use crate::buf::{BufferFull, WriteBuf};

/// The name PostgreSQL uses for the type in messages.
const TYPE_NAME: &str = "uuid";

/// A `uuid` value: its 16 bytes in the order they are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Uuid(pub [u8; 16]);

impl Uuid {
    /// The all-zero UUID, `00000000-0000-0000-0000-000000000000`.
    pub const NIL: Self = Self([0; 16]);

    /// The 16 bytes, most significant first.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }
}

impl From<[u8; 16]> for Uuid {
    fn from(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }
}

impl From<Uuid> for [u8; 16] {
    fn from(uuid: Uuid) -> Self {
        uuid.0
    }
}

/// The value of one ASCII hex digit.
fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Parses `uuid_in`'s accepted forms, or `None`.
fn parse(text: &str) -> Option<[u8; 16]> {
    let (mut rest, braces) = match text.as_bytes() {
        [b'{', inner @ ..] => (inner, true),
        all => (all, false),
    };
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        let [hi, lo, tail @ ..] = rest else {
            return None;
        };
        *byte = (hex_value(*hi)? << 4) | hex_value(*lo)?;
        rest = tail;
        // A hyphen may follow every second byte (a group of four digits), but not the last one.
        if i % 2 == 1 && i < 15 {
            if let [b'-', tail @ ..] = rest {
                rest = tail;
            }
        }
    }
    if braces {
        rest = rest.strip_prefix(b"}")?;
    }
    rest.is_empty().then_some(out)
}

impl Codec for Uuid {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        parse(text).map(Self).ok_or(TypeError::syntax(TYPE_NAME))
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        fixed::<16>(bytes, TYPE_NAME).map(Self)
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        write_display(out, self)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_slice(&self.0)
    }
}

impl fmt::Display for Uuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, byte) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_str("-")?;
            }
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl FromStr for Uuid {
    type Err = TypeError;

    fn from_str(s: &str) -> Result<Self, TypeError> {
        Self::decode_text(s)
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use alloc::string::ToString;
    use alloc::vec::Vec;

    use core::fmt::Write as _;

    use super::*;

    /// Hex of a byte slice, as `uuid_send` shows it in psql (without `\x`).
    fn hex(bytes: &[u8]) -> alloc::string::String {
        bytes
            .iter()
            .fold(alloc::string::String::new(), |mut out, b| {
                let _ = write!(out, "{b:02x}");
                out
            })
    }

    /// (input, PostgreSQL 15's `uuid_out`), all accepted by `uuid_in`.
    const ACCEPTED: &[(&str, &str)] = &[
        (
            "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        ),
        (
            "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        ),
        (
            "a0eebc999c0b4ef8bb6d6bb9bd380a11",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        ),
        (
            "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        ),
        (
            "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}",
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        ),
        (
            "00000000-0000-0000-0000-000000000000",
            "00000000-0000-0000-0000-000000000000",
        ),
        (
            "ffffffffffffffffffffffffffffffff",
            "ffffffff-ffff-ffff-ffff-ffffffffffff",
        ),
    ];

    /// Inputs `uuid_in` rejects with `invalid input syntax for type uuid: "…"` (22P02).
    const REJECTED: &[&str] = &[
        "x",
        "",
        "{}",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11-0",
        "a0eebc9-99c0b-4ef8-bb6d-6bb9bd380a11",
        "a0eebc99--9c0b-4ef8-bb6d-6bb9bd380a11",
        "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
        " a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11 ",
        "-a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}}",
        "g0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "a0eeb-c99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1é",
    ];

    #[test]
    fn text_input_and_output() {
        for (input, output) in ACCEPTED {
            let uuid: Uuid = input.parse().unwrap();
            assert_eq!(uuid.to_string(), *output, "{input}");
        }
        for input in REJECTED {
            let err = Uuid::decode_text(input).unwrap_err();
            assert_eq!(err.code, "22P02");
            assert_eq!(
                err.message(input),
                alloc::format!("invalid input syntax for type uuid: \"{input}\"")
            );
        }
    }

    #[test]
    fn binary_matches_uuid_send() {
        let uuid: Uuid = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11".parse().unwrap();
        let mut out = Vec::new();
        uuid.encode_binary(&mut out).unwrap();
        assert_eq!(hex(&out), "a0eebc999c0b4ef8bb6d6bb9bd380a11");
        let back = Uuid::decode_binary(&out).unwrap();
        assert_eq!(back, uuid);
    }

    #[test]
    fn binary_errors() {
        // 15 bytes: pq_getmsgbytes runs out; 17 bytes: the value does not use the whole field.
        let short = Uuid::decode_binary(&[0; 15]).unwrap_err();
        assert_eq!(
            (short.code, short.message("")),
            ("08P01", "insufficient data left in message".into())
        );
        let long = Uuid::decode_binary(&[0; 17]).unwrap_err();
        assert_eq!(
            (long.code, long.message("")),
            ("22P03", "incorrect binary data format".into())
        );
    }

    #[test]
    fn round_trips() {
        for (input, _) in ACCEPTED {
            let uuid: Uuid = input.parse().unwrap();
            let mut text = Vec::new();
            uuid.encode_text(&mut text).unwrap();
            assert_eq!(
                Uuid::decode(crate::message::Format::Text, &text).unwrap(),
                uuid
            );
            let mut bin = Vec::new();
            uuid.encode_binary(&mut bin).unwrap();
            assert_eq!(Uuid::decode_binary(&bin).unwrap(), uuid);
        }
    }
}

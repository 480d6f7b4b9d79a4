//! `bytea`: text in the hex form (`\x0aff`) or the escape form, binary the raw bytes.

use super::TypeError;
use crate::buf::{BufferFull, WriteBuf};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The value of one hex digit.
fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// Decodes `bytea` text as `byteain` does, appending the bytes to `out` (no allocation of its
/// own): `\x` then hex digit pairs (whitespace allowed between pairs), or the escape form where
/// `\\` is a backslash and `\ooo` an octal byte.
pub fn decode_text_into<B: WriteBuf + ?Sized>(text: &str, out: &mut B) -> Result<(), TypeError> {
    let full = |_| TypeError::new("54000", "out of memory", "bytea");
    let bytes = text.as_bytes();
    if let Some(hex) = bytes.strip_prefix(b"\\x") {
        let mut rest = hex;
        loop {
            match rest {
                [] => return Ok(()),
                [w, tail @ ..] if w.is_ascii_whitespace() => rest = tail,
                [hi, lo, tail @ ..] => {
                    let hi = hex_value(*hi).ok_or(invalid_hex(*hi))?;
                    let lo = hex_value(*lo).ok_or(invalid_hex(*lo))?;
                    out.put_u8((hi << 4) | lo).map_err(full)?;
                    rest = tail;
                }
                [last] => {
                    return Err(if hex_value(*last).is_some() {
                        odd_digits()
                    } else {
                        invalid_hex(*last)
                    })
                }
            }
        }
    }
    let mut rest = bytes;
    loop {
        match rest {
            [] => return Ok(()),
            [b'\\', b'\\', tail @ ..] => {
                out.put_u8(b'\\').map_err(full)?;
                rest = tail;
            }
            [b'\\', a @ b'0'..=b'3', b @ b'0'..=b'7', c @ b'0'..=b'7', tail @ ..] => {
                let v = ((a - b'0') << 6) | ((b - b'0') << 3) | (c - b'0');
                out.put_u8(v).map_err(full)?;
                rest = tail;
            }
            [b'\\', ..] => {
                return Err(TypeError::new(
                    "22P02",
                    "invalid input syntax for type bytea",
                    "bytea",
                ))
            }
            [b, tail @ ..] => {
                out.put_u8(*b).map_err(full)?;
                rest = tail;
            }
        }
    }
}

/// `invalid hexadecimal digit: "g"`.
fn invalid_hex(digit: u8) -> TypeError {
    TypeError::new("22023", "invalid hexadecimal digit: \"{char}\"", "bytea")
        .at_char(char::from(digit))
}

/// An odd count of hex digits.
const fn odd_digits() -> TypeError {
    TypeError::new(
        "22023",
        "invalid hexadecimal data: odd number of digits",
        "bytea",
    )
}

/// Writes `bytes` in the hex form `bytea_output = hex` gives: `\x` and two lower-case digits
/// per byte.
pub fn encode_hex<B: WriteBuf + ?Sized>(bytes: &[u8], out: &mut B) -> Result<(), BufferFull> {
    out.reserve(2 + 2 * bytes.len())?;
    out.put_slice(b"\\x")?;
    for chunk in bytes.chunks(32) {
        let mut pairs = [0u8; 64];
        for (pair, b) in pairs.chunks_exact_mut(2).zip(chunk) {
            pair[0] = HEX[usize::from(b >> 4)];
            pair[1] = HEX[usize::from(b & 15)];
        }
        out.put_slice(&pairs[..2 * chunk.len()])?;
    }
    Ok(())
}

/// Writes `bytes` in the escape form `bytea_output = escape` gives: printable ASCII as is, a
/// backslash doubled, every other byte as `\ooo`.
pub fn encode_escape<B: WriteBuf + ?Sized>(bytes: &[u8], out: &mut B) -> Result<(), BufferFull> {
    for &b in bytes {
        match b {
            b'\\' => out.put_slice(b"\\\\")?,
            0x20..=0x7e => out.put_u8(b)?,
            _ => out.put_slice(&[
                b'\\',
                b'0' + (b >> 6),
                b'0' + ((b >> 3) & 7),
                b'0' + (b & 7),
            ])?,
        }
    }
    Ok(())
}

#[cfg(feature = "alloc")]
impl super::Codec for alloc::vec::Vec<u8> {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        let mut out = alloc::vec::Vec::with_capacity(text.len() / 2);
        decode_text_into(text, &mut out)?;
        Ok(out)
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        Ok(bytes.to_vec())
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        encode_hex(self, out)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_slice(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::test_prelude::*;
    use crate::types::Codec;

    #[test]
    fn hex_and_escape_input() {
        assert_eq!(Vec::decode_text("\\x00ff 0A"), Ok(vec![0, 255, 10]));
        assert_eq!(Vec::decode_text("\\x"), Ok(vec![]));
        assert_eq!(
            Vec::decode_text("a\\\\b\\000\\377"),
            Ok(b"a\\b\0\xff".to_vec())
        );
        assert_eq!(Vec::decode_text(""), Ok(vec![]));
        for (bad, msg) in [
            ("\\x0", "invalid hexadecimal data: odd number of digits"),
            ("\\x0g", "invalid hexadecimal digit: \"g\""),
            ("\\xg0", "invalid hexadecimal digit: \"g\""),
            ("\\x0 1", "invalid hexadecimal digit: \" \""),
            ("a\\b", "invalid input syntax for type bytea"),
            ("\\400", "invalid input syntax for type bytea"),
        ] {
            let e = Vec::decode_text(bad).unwrap_err();
            let code = if bad.starts_with("\\x") {
                "22023"
            } else {
                "22P02"
            };
            assert_eq!((e.code, e.message(bad).as_str()), (code, msg), "{bad:?}");
        }
    }

    #[test]
    fn hex_and_escape_output() {
        let mut out = Vec::new();
        encode_hex(&[0, 0xab, 0x10], &mut out).unwrap();
        assert_eq!(out, b"\\x00ab10");
        out.clear();
        encode_escape(b"a\\\0\xff~", &mut out).unwrap();
        assert_eq!(out, b"a\\\\\\000\\377~");
    }
}

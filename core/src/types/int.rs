//! `int2`, `int4`, `int8` and `oid`: decimal text (input as `pg_strtoint*` and `oidin`), binary
//! big-endian.

use super::{fixed, is_c_space, trim_c_space, Codec, Oid, TypeError};
use crate::buf::{BufferFull, WriteBuf};

/// Parses a decimal integer as PostgreSQL 15's `pg_strtoint64` does: surrounding whitespace, an
/// optional sign, at least one digit. `None` for bad syntax, `Some(Err(()))` on overflow.
fn parse_i64(text: &str) -> Option<Result<i64, ()>> {
    let s = trim_c_space(text.as_bytes());
    let (negative, digits) = match s.first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return None;
    }
    // Accumulate negatively, so that i64::MIN fits; keep checking syntax after an overflow.
    let mut acc: Option<i64> = Some(0);
    for &b in digits {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        acc = acc
            .and_then(|a| a.checked_mul(10))
            .and_then(|a| a.checked_sub(i64::from(d)));
    }
    Some(match acc {
        None => Err(()),
        Some(a) if negative => Ok(a),
        Some(a) => a.checked_neg().ok_or(()),
    })
}

/// Parses an integer of a narrower type, with its name for messages.
fn parse_int<T: TryFrom<i64>>(text: &str, type_name: &'static str) -> Result<T, TypeError> {
    match parse_i64(text) {
        None => Err(TypeError::syntax(type_name)),
        Some(Ok(v)) => T::try_from(v).map_err(|_| TypeError::int_range(type_name)),
        Some(Err(())) => Err(TypeError::int_range(type_name)),
    }
}

/// Writes `v` in decimal, with no formatting machinery.
pub(crate) fn put_decimal<B: WriteBuf + ?Sized>(out: &mut B, v: i64) -> Result<(), BufferFull> {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = v.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    if v < 0 {
        at -= 1;
        digits[at] = b'-';
    }
    out.put_slice(&digits[at..])
}

macro_rules! integer_codec {
    ($t:ty, $name:literal) => {
        impl Codec for $t {
            fn decode_text(text: &str) -> Result<Self, TypeError> {
                parse_int(text, $name)
            }

            fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
                fixed(bytes, $name).map(<$t>::from_be_bytes)
            }

            fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
                put_decimal(out, i64::from(*self))
            }

            fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
                out.put_slice(&self.to_be_bytes())
            }
        }
    };
}

integer_codec!(i16, "smallint");
integer_codec!(i32, "integer");
integer_codec!(i64, "bigint");

/// An `oid` (also the binary and, here, the text form of the `reg*` types): an unsigned 32-bit
/// number whose input, like `oidin`, also takes the negative `int4` spellings (`-1` is 4294967295).
impl Codec for Oid {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        let s = text.trim_start_matches(|c: char| c.is_ascii() && is_c_space(c as u8));
        match parse_i64(s) {
            None => Err(TypeError::syntax("oid")),
            Some(Ok(v)) if (i64::from(i32::MIN)..=i64::from(u32::MAX)).contains(&v) => Ok(v as u32),
            Some(_) => Err(TypeError::int_range("oid")),
        }
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        fixed(bytes, "oid").map(u32::from_be_bytes)
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        put_decimal(out, i64::from(*self))
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_slice(&self.to_be_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::test_prelude::*;

    fn text<T: Codec>(v: &T) -> String {
        let mut out = Vec::new();
        v.encode_text(&mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn edges_round_trip() {
        for v in [i64::MIN, i64::MAX, 0, -1, 1, 1_000_000_007] {
            assert_eq!(i64::decode_text(&text(&v)), Ok(v));
            let mut b = Vec::new();
            v.encode_binary(&mut b).unwrap();
            assert_eq!(i64::decode_binary(&b), Ok(v));
        }
        assert_eq!(text(&i16::MIN), "-32768");
        assert_eq!(text(&i32::MAX), "2147483647");
        assert_eq!(i32::decode_text(" -2147483648\n"), Ok(i32::MIN));
        assert_eq!(i32::decode_text("\x0b7\x0c"), Ok(7));
        assert_eq!(i16::decode_text("+07"), Ok(7));
    }

    #[test]
    fn errors_as_postgresql() {
        let e = i32::decode_text("2147483648").unwrap_err();
        assert_eq!(
            (e.code, e.message("2147483648").as_str()),
            (
                "22003",
                "value \"2147483648\" is out of range for type integer"
            )
        );
        let e = i64::decode_text("99999999999999999999").unwrap_err();
        assert_eq!(e.code, "22003");
        assert_eq!(e.type_name, "bigint");
        for bad in ["", " ", "1.5", "1e3", "--1", "- 1", "1 2", "0x10", "١"] {
            let e = i16::decode_text(bad).unwrap_err();
            assert_eq!(
                (e.code, e.message(bad)),
                (
                    "22P02",
                    format!("invalid input syntax for type smallint: \"{bad}\"")
                ),
                "{bad:?}"
            );
        }
        assert_eq!(i32::decode_binary(&[0, 0, 1]).unwrap_err().code, "08P01");
        assert_eq!(i16::decode_binary(&[0, 0, 1]).unwrap_err().code, "22P03");
    }

    #[test]
    fn oid_takes_negative_int4_spellings() {
        assert_eq!(Oid::decode_text("-1"), Ok(u32::MAX));
        assert_eq!(Oid::decode_text("4294967295"), Ok(u32::MAX));
        assert_eq!(Oid::decode_text("4294967296").unwrap_err().code, "22003");
        assert_eq!(Oid::decode_text("-2147483649").unwrap_err().code, "22003");
        assert_eq!(text(&u32::MAX), "4294967295");
    }
}

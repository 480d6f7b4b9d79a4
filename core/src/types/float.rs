//! `float4` and `float8`: text in PostgreSQL 12+'s shortest exact form (input as `float8in`),
//! binary IEEE 754 big-endian.

use core::fmt::Write as _;

use super::{fixed, Codec, TypeError};
use crate::buf::{BufferFull, WriteBuf};

/// The spellings `float8in` takes for the special values, before asking `strtod`.
const SPECIALS: [(&str, f64); 9] = [
    ("NaN", f64::NAN),
    ("+NaN", f64::NAN),
    ("-NaN", f64::NAN),
    ("Infinity", f64::INFINITY),
    ("+Infinity", f64::INFINITY),
    ("-Infinity", f64::NEG_INFINITY),
    ("inf", f64::INFINITY),
    ("+inf", f64::INFINITY),
    ("-inf", f64::NEG_INFINITY),
];

/// Parses float text as `float4in`/`float8in`: whitespace around, the special words in any case,
/// a decimal number; a finite non-zero number that rounds to zero or infinity is out of range.
fn parse<T>(text: &str, type_name: &'static str) -> Result<T, TypeError>
where
    T: core::str::FromStr + Copy + Into<f64> + From<f32>,
{
    let s = text.trim_matches(|c: char| c.is_ascii_whitespace());
    if let Some((_, v)) = SPECIALS.iter().find(|(w, _)| w.eq_ignore_ascii_case(s)) {
        // The special values of both widths are exact in f32.
        return Ok(T::from(*v as f32));
    }
    let looks_numeric = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        && s.bytes().any(|b| b.is_ascii_digit());
    let v: T = match s.parse() {
        Ok(v) if looks_numeric => v,
        _ => return Err(TypeError::syntax(type_name)),
    };
    let f: f64 = v.into();
    if f.is_infinite() || (f == 0.0 && has_nonzero_mantissa(s)) {
        return Err(TypeError::float_range(type_name));
    }
    Ok(v)
}

/// Whether a decimal number's digits before its exponent are not all zero.
fn has_nonzero_mantissa(s: &str) -> bool {
    s.bytes()
        .take_while(|b| !matches!(b, b'e' | b'E'))
        .any(|b| (b'1'..=b'9').contains(&b))
}

/// Writes a float as `float8out` does with `extra_float_digits` ≥ 1: the shortest digits that
/// read back exactly, fixed-point while the decimal exponent is in `-4..max_fixed_exp`,
/// otherwise `d.ddde±XX`.
fn put_shortest<B: WriteBuf + ?Sized>(
    out: &mut B,
    value: f64,
    exp_form: core::fmt::Arguments<'_>,
    max_fixed_exp: i32,
) -> Result<(), BufferFull> {
    if value.is_nan() {
        return out.put_slice(b"NaN");
    }
    if value.is_infinite() {
        return out.put_slice(if value > 0.0 {
            b"Infinity"
        } else {
            b"-Infinity"
        });
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "-1.2345e-5", "1e300", "-0e0".
    let mut sci = heapless::String::<48>::new();
    if sci.write_fmt(exp_form).is_err() {
        return Err(BufferFull);
    }
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (negative, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => (true, m),
        None => (false, mantissa),
    };
    let mut digits = [0u8; 24];
    let mut n = 0;
    for b in mantissa.bytes().filter(u8::is_ascii_digit) {
        if n < digits.len() {
            digits[n] = b;
            n += 1;
        }
    }
    let digits = &digits[..n];
    if negative {
        out.put_u8(b'-')?;
    }
    if (-4..max_fixed_exp).contains(&exp) {
        if exp < 0 {
            out.put_slice(b"0.")?;
            for _ in 0..(-exp - 1) {
                out.put_u8(b'0')?;
            }
            return out.put_slice(digits);
        }
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.put_slice(digits)?;
            for _ in digits.len()..int_len {
                out.put_u8(b'0')?;
            }
            return Ok(());
        }
        out.put_slice(&digits[..int_len])?;
        out.put_u8(b'.')?;
        return out.put_slice(&digits[int_len..]);
    }
    out.put_slice(&digits[..1])?;
    if digits.len() > 1 {
        out.put_u8(b'.')?;
        out.put_slice(&digits[1..])?;
    }
    out.put_slice(if exp < 0 { b"e-" } else { b"e+" })?;
    let e = exp.unsigned_abs();
    if e >= 100 {
        out.put_u8(b'0' + (e / 100) as u8)?;
    }
    out.put_u8(b'0' + (e / 10 % 10) as u8)?;
    out.put_u8(b'0' + (e % 10) as u8)
}

impl Codec for f64 {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        parse(text, "double precision")
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        fixed(bytes, "double precision").map(f64::from_be_bytes)
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        put_shortest(out, *self, format_args!("{self:e}"), 15)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_slice(&self.to_be_bytes())
    }
}

impl Codec for f32 {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        parse(text, "real")
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        fixed(bytes, "real").map(f32::from_be_bytes)
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        put_shortest(out, f64::from(*self), format_args!("{self:e}"), 6)
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
    fn float8_output_as_postgresql() {
        // PostgreSQL 15: SELECT x::float8::text.
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (0.1, "0.1"),
            (-1.5, "-1.5"),
            (123_456_789_012_345.0, "123456789012345"),
            (1e15, "1e+15"),
            (1_234_567_890_123_456.0, "1.234567890123456e+15"),
            (0.0001, "0.0001"),
            (0.000_12, "0.00012"),
            (0.000_01, "1e-05"),
            (1.0 / 3.0, "0.3333333333333333"),
            (f64::MAX, "1.7976931348623157e+308"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
            (f64::NEG_INFINITY, "-Infinity"),
            (100.0, "100"),
            (1e100, "1e+100"),
        ];
        for (v, want) in cases {
            assert_eq!(text(v), *want, "{v:e}");
        }
    }

    #[test]
    fn float4_output_as_postgresql() {
        let cases: &[(f32, &str)] = &[
            (0.1, "0.1"),
            (123_456.0, "123456"),
            (1_234_567.0, "1.234567e+06"),
            (1e6, "1e+06"),
            (f32::MAX, "3.4028235e+38"),
            (1.0 / 3.0, "0.33333334"),
            (-0.0, "-0"),
        ];
        for (v, want) in cases {
            assert_eq!(text(v), *want, "{v:e}");
        }
    }

    #[test]
    fn input_as_float8in() {
        assert_eq!(f64::decode_text(" 1.5 "), Ok(1.5));
        assert_eq!(f64::decode_text("-INFINITY"), Ok(f64::NEG_INFINITY));
        assert_eq!(f64::decode_text("inf"), Ok(f64::INFINITY));
        assert!(f64::decode_text("nan").unwrap().is_nan());
        assert_eq!(f64::decode_text(".5e1"), Ok(5.0));
        assert_eq!(f64::decode_text("4.9e-324"), Ok(5e-324));
        let e = f64::decode_text("1e400").unwrap_err();
        assert_eq!(
            (e.code, e.message("1e400").as_str()),
            (
                "22003",
                "\"1e400\" is out of range for type double precision"
            )
        );
        assert_eq!(f64::decode_text("1e-400").unwrap_err().code, "22003");
        assert_eq!(f64::decode_text("0e-400"), Ok(0.0));
        assert_eq!(f32::decode_text("1e39").unwrap_err().type_name, "real");
        for bad in ["", "abc", "1.5x", "1e", "infinityx", "1 5", "0x10"] {
            let e = f64::decode_text(bad).unwrap_err();
            assert_eq!(e.code, "22P02", "{bad:?}");
        }
    }

    #[test]
    fn shortest_text_reads_back_exactly() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = f64::from_bits(x);
            if v.is_finite() {
                assert_eq!(f64::decode_text(&text(&v)).unwrap().to_bits(), v.to_bits());
            }
            let w = f32::from_bits(x as u32);
            if w.is_finite() {
                assert_eq!(f32::decode_text(&text(&w)).unwrap().to_bits(), w.to_bits());
            }
        }
    }
}

//! `money`: a 64-bit count of cents, written as in the C locale (`lc_monetary = C`): `$1,234.56`,
//! `-$1,234.56`.
//!
//! Input follows `cash_in` under that locale: leading and trailing blanks, a `$` before or after
//! the sign, `-`, `+` or `(` before the digits and `-`, `+`, `)` or `$` after them, `,` anywhere
//! among the digits, and a third decimal digit that rounds half up (away from zero).

use core::fmt;
use core::str::FromStr;

use super::{fixed, is_c_space, write_display, Codec, TypeError};
use crate::buf::{BufferFull, WriteBuf};

/// The name PostgreSQL uses for the type in messages.
const TYPE_NAME: &str = "money";

/// Digits after the decimal point (`frac_digits`, 2 in the C locale).
const FRAC_DIGITS: u32 = 2;

/// A `money` value in cents (hundredths of the currency unit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(pub i64);

impl Money {
    /// The smallest value, `-$92,233,720,368,547,758.08`.
    pub const MIN: Self = Self(i64::MIN);
    /// The largest value, `$92,233,720,368,547,758.07`.
    pub const MAX: Self = Self(i64::MAX);

    /// The value in cents.
    pub const fn cents(self) -> i64 {
        self.0
    }
}

impl From<i64> for Money {
    fn from(cents: i64) -> Self {
        Self(cents)
    }
}

/// A cursor over the input bytes; reading past the end gives 0, as C's terminating NUL does.
struct Cursor<'a> {
    /// The whole input.
    bytes: &'a [u8],
    /// The next byte to read.
    at: usize,
}

impl Cursor<'_> {
    /// The current byte, or 0 at the end.
    fn peek(&self) -> u8 {
        self.bytes.get(self.at).copied().unwrap_or(0)
    }

    /// Steps over blanks.
    fn skip_spaces(&mut self) {
        while is_c_space(self.peek()) {
            self.at += 1;
        }
    }

    /// Steps over one `byte` if it is next; says whether it was.
    fn eat(&mut self, byte: u8) -> bool {
        let found = self.peek() == byte && self.at < self.bytes.len();
        if found {
            self.at += 1;
        }
        found
    }
}

/// Parses `cash_in`'s input in the C locale, into cents.
fn parse(text: &str) -> Result<i64, TypeError> {
    let range = TypeError::int_range(TYPE_NAME);
    let syntax = TypeError::syntax(TYPE_NAME);
    if text.contains('\0') {
        return Err(syntax);
    }
    let mut s = Cursor {
        bytes: text.as_bytes(),
        at: 0,
    };
    s.skip_spaces();
    s.eat(b'$');
    s.skip_spaces();
    let mut negative = s.eat(b'-') || s.eat(b'(');
    if !negative {
        s.eat(b'+');
    }
    s.skip_spaces();
    s.eat(b'$');
    s.skip_spaces();

    // The amount is built negative, so that the most negative value fits, and flipped at the end.
    let mut value: i64 = 0;
    let mut decimals = 0;
    let mut seen_dot = false;
    loop {
        let c = s.peek();
        if c.is_ascii_digit() && (!seen_dot || decimals < FRAC_DIGITS) {
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_sub(i64::from(c - b'0')))
                .ok_or(range)?;
            if seen_dot {
                decimals += 1;
            }
        } else if c == b'.' && !seen_dot {
            seen_dot = true;
        } else if c != b',' || s.at >= s.bytes.len() {
            break;
        }
        s.at += 1;
    }
    // One more digit rounds the last place, half away from zero.
    if matches!(s.peek(), b'5'..=b'9') {
        value = value.checked_sub(1).ok_or(range)?;
    }
    for _ in decimals..FRAC_DIGITS {
        value = value.checked_mul(10).ok_or(range)?;
    }
    while s.peek().is_ascii_digit() {
        s.at += 1;
    }
    while s.at < s.bytes.len() {
        match s.peek() {
            b'-' => negative = true,
            b')' | b'+' | b'$' => {}
            c if is_c_space(c) => {}
            _ => return Err(syntax),
        }
        s.at += 1;
    }
    if negative {
        Ok(value)
    } else {
        value.checked_neg().ok_or(range)
    }
}

impl Codec for Money {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        parse(text).map(Self)
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        fixed::<8>(bytes, TYPE_NAME).map(|b| Self(i64::from_be_bytes(b)))
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        write_display(out, self)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_slice(&self.0.to_be_bytes())
    }
}

impl fmt::Display for Money {
    /// `cash_out` in the C locale: sign, `$`, whole units grouped by threes with `,`, `.`, cents.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.0.unsigned_abs();
        let units = magnitude / 100;
        let cents = magnitude % 100;
        // u64::MAX has 20 digits; with a separator every three that is at most 26 bytes.
        let mut buf = [0u8; 32];
        let mut start = buf.len();
        let mut rest = units;
        let mut digits = 0;
        loop {
            if digits > 0 && digits % 3 == 0 {
                start -= 1;
                buf[start] = b',';
            }
            start -= 1;
            buf[start] = b'0' + (rest % 10) as u8;
            rest /= 10;
            digits += 1;
            if rest == 0 {
                break;
            }
        }
        let grouped = core::str::from_utf8(&buf[start..]).map_err(|_| fmt::Error)?;
        let sign = if self.0 < 0 { "-" } else { "" };
        write!(f, "{sign}${grouped}.{cents:02}")
    }
}

impl FromStr for Money {
    type Err = TypeError;

    fn from_str(s: &str) -> Result<Self, TypeError> {
        Self::decode_text(s)
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use alloc::format;
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;

    use core::fmt::Write as _;

    use super::*;
    use crate::message::Format;

    /// Hex of a byte slice, as psql shows a `bytea` (without `\x`).
    fn hex(bytes: &[u8]) -> String {
        bytes.iter().fold(String::new(), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
    }

    /// (input, PostgreSQL 15's `cash_out` with `lc_monetary = C`).
    const ACCEPTED: &[(&str, &str)] = &[
        ("1234.56", "$1,234.56"),
        ("-1234.5", "-$1,234.50"),
        ("$1,000.00", "$1,000.00"),
        ("(1.00)", "-$1.00"),
        ("-92233720368547758.08", "-$92,233,720,368,547,758.08"),
        ("92233720368547758.07", "$92,233,720,368,547,758.07"),
        ("92233720368547758.074", "$92,233,720,368,547,758.07"),
        ("", "$0.00"),
        ("$", "$0.00"),
        ("-", "$0.00"),
        ("  $ - $ 1,2,3.456 ", "-$123.46"),
        ("1.999", "$2.00"),
        ("1.995", "$2.00"),
        ("1.994", "$1.99"),
        ("-1.995", "-$2.00"),
        ("1.9951", "$2.00"),
        ("1-", "-$1.00"),
        ("1+", "$1.00"),
        ("1$", "$1.00"),
        ("(1)", "-$1.00"),
        ("1)", "$1.00"),
        (",,1,,.,5", "$1.50"),
        (".5", "$0.50"),
        ("5.", "$5.00"),
        ("0", "$0.00"),
        ("0.01", "$0.01"),
        ("0.1", "$0.10"),
        ("1000", "$1,000.00"),
        ("999999", "$999,999.00"),
        ("-0.01", "-$0.01"),
        ("999,999.99", "$999,999.99"),
        ("-1000000", "-$1,000,000.00"),
        ("$-1", "-$1.00"),
        ("-$1", "-$1.00"),
        ("- 1", "-$1.00"),
        ("+1", "$1.00"),
        ("+$1", "$1.00"),
        ("$+1", "$1.00"),
        ("1 -", "-$1.00"),
        ("1.5 )", "$1.50"),
        ("1.", "$1.00"),
        ("\t1\n", "$1.00"),
        ("123456789.12", "$123,456,789.12"),
        ("12345678.9", "$12,345,678.90"),
        ("1,2", "$12.00"),
    ];

    /// Inputs `cash_in` rejects, with the SQLSTATE.
    const REJECTED: &[(&str, &str)] = &[
        ("92233720368547758.08", "22003"),
        ("-92233720368547758.09", "22003"),
        ("92233720368547758.075", "22003"),
        ("99999999999999999999", "22003"),
        ("99999999999999999999x", "22003"),
        ("1.2.3", "22P02"),
        ("abc", "22P02"),
        ("((1", "22P02"),
        ("1e3", "22P02"),
        ("1  2", "22P02"),
        ("1.5.", "22P02"),
        ("€1", "22P02"),
    ];

    #[test]
    fn text_input_and_output() {
        for (input, output) in ACCEPTED {
            let money: Money = input.parse().unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!(money.to_string(), *output, "{input:?}");
        }
        for (input, code) in REJECTED {
            let err = Money::decode_text(input).unwrap_err();
            assert_eq!(err.code, *code, "{input}");
            let expected = if *code == "22003" {
                format!("value \"{input}\" is out of range for type money")
            } else {
                format!("invalid input syntax for type money: \"{input}\"")
            };
            assert_eq!(err.message(input), expected);
        }
    }

    #[test]
    fn binary_matches_cash_send() {
        for (input, send) in [
            ("1.23", "000000000000007b"),
            ("-0.01", "ffffffffffffffff"),
            ("-92233720368547758.08", "8000000000000000"),
            ("92233720368547758.07", "7fffffffffffffff"),
        ] {
            let money: Money = input.parse().unwrap();
            let mut out = Vec::new();
            money.encode_binary(&mut out).unwrap();
            assert_eq!(hex(&out), send, "{input}");
        }
        assert_eq!(
            Money::decode_binary(&[0, 0, 0, 0, 0, 0, 0, 1]),
            Ok(Money(1))
        );
        assert_eq!(Money::decode_binary(&[0; 7]).unwrap_err().code, "08P01");
        assert_eq!(Money::decode_binary(&[0; 9]).unwrap_err().code, "22P03");
    }

    #[test]
    fn round_trips() {
        let extremes = [Money::MIN, Money::MAX, Money(0), Money(-1), Money(100)];
        let parsed = ACCEPTED.iter().map(|(i, _)| i.parse::<Money>().unwrap());
        for money in parsed.chain(extremes) {
            let mut text = Vec::new();
            money.encode(Format::Text, &mut text).unwrap();
            assert_eq!(Money::decode(Format::Text, &text), Ok(money));
            let mut bin = Vec::new();
            money.encode(Format::Binary, &mut bin).unwrap();
            assert_eq!(Money::decode(Format::Binary, &bin), Ok(money));
        }
    }

    proptest::proptest! {
        /// Any text decodes to a value or an error, never a panic, and accepted values round-trip.
        #[test]
        fn never_panics(text in "[0-9.,$()+ -]{0,30}") {
            if let Ok(value) = Money::decode_text(&text) {
                proptest::prop_assert_eq!(value.to_string().parse::<Money>(), Ok(value));
            }
        }
    }
}

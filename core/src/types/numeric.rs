//! `numeric`: PostgreSQL's arbitrary-precision decimal, kept in PostgreSQL's own representation
//! (base-10000 digits, a weight and a display scale) so that text and binary forms are exact.
//!
//! Text input is `numeric_in`, text output `numeric_out`, binary `numeric_send`/`numeric_recv`;
//! the conversions to and from `f64` go through text as `float8_numeric`/`numeric_float8` do.
//!
//! Text input takes C whitespace around the value; `NaN`, `Infinity`, `inf` (signed or not, any
//! letter case; NaN unsigned); or a sign, digits with at most one point (`5.`, `.5`) and an
//! exponent (`1.5e3`, `1E-2`, `1e +5`). The display scale is the digits after the point minus the
//! exponent, never below 0. Exponents of ±1073741823 or beyond, more than 131072 integer digits
//! or a display scale above 16383 are 22003 `value overflows numeric format`.

use alloc::string::ToString;
use alloc::vec::Vec;
use core::fmt;
use core::str::FromStr;

use super::{is_c_space, trim_c_space, Codec, TypeError};
use crate::buf::{BufferFull, WriteBuf};

/// The base of PostgreSQL's numeric digits.
const NBASE: i16 = 10_000;
/// Decimal digits in one base-10000 digit.
const DEC_DIGITS: i64 = 4;
/// The binary sign word of a positive number.
const SIGN_POS: u16 = 0x0000;
/// The binary sign word of a negative number.
const SIGN_NEG: u16 = 0x4000;
/// The binary sign word of NaN.
const SIGN_NAN: u16 = 0xC000;
/// The binary sign word of +Infinity.
const SIGN_PINF: u16 = 0xD000;
/// The binary sign word of -Infinity.
const SIGN_NINF: u16 = 0xF000;
/// `numeric_in` rejects exponents this large (in magnitude) before anything else (`INT_MAX / 2`).
const EXPONENT_LIMIT: i64 = 1_073_741_823;

/// The errors `numeric_in` raises.
const SYNTAX: TypeError = TypeError::syntax("numeric");
/// 22003, from `make_result` and `set_var_from_str`: the value does not fit the storage format.
const OVERFLOW: TypeError = TypeError::out_of_range("numeric", "value overflows numeric format");
/// 22P03 from `numeric_recv`: a sign word that is none of the five.
const BAD_SIGN: TypeError = TypeError::new(
    "22P03",
    "invalid sign in external \"numeric\" value",
    "numeric",
);
/// 22P03 from `numeric_recv`: a display scale above 16383.
const BAD_SCALE: TypeError = TypeError::new(
    "22P03",
    "invalid scale in external \"numeric\" value",
    "numeric",
);
/// 22P03 from `numeric_recv`: a digit outside 0..=9999.
const BAD_DIGIT: TypeError = TypeError::new(
    "22P03",
    "invalid digit in external \"numeric\" value",
    "numeric",
);

/// The sign word of a numeric: the two signs of a number, or one of the three special values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sign {
    /// A number ≥ 0 (zero is always positive).
    Positive,
    /// A number < 0.
    Negative,
    /// Not a number.
    NaN,
    /// +Infinity.
    Infinity,
    /// -Infinity.
    NegativeInfinity,
}

impl Sign {
    /// The 16-bit sign word of the binary form (0x0000, 0x4000, 0xC000, 0xD000, 0xF000).
    pub const fn to_wire(self) -> u16 {
        match self {
            Self::Positive => SIGN_POS,
            Self::Negative => SIGN_NEG,
            Self::NaN => SIGN_NAN,
            Self::Infinity => SIGN_PINF,
            Self::NegativeInfinity => SIGN_NINF,
        }
    }

    /// The sign a binary sign word stands for, or `None` for any other word.
    pub const fn from_wire(word: u16) -> Option<Self> {
        match word {
            SIGN_POS => Some(Self::Positive),
            SIGN_NEG => Some(Self::Negative),
            SIGN_NAN => Some(Self::NaN),
            SIGN_PINF => Some(Self::Infinity),
            SIGN_NINF => Some(Self::NegativeInfinity),
            _ => None,
        }
    }
}

/// A PostgreSQL `numeric`: NaN, ±Infinity, or a decimal number with a display scale.
///
/// A number is held as PostgreSQL holds it: base-10000 `digits` (no leading or trailing zero
/// digits; none for zero), the `weight` of the first digit (the value is
/// `Σ digits[i] · 10000^(weight − i)`) and `dscale`, the number of decimal places shown.
/// Equality and hashing compare that representation, so `1.0` and `1.00` differ (as their text
/// does), although PostgreSQL's `=` calls them equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Numeric {
    /// What the value is.
    repr: Repr,
}

/// A numeric's value: the special ones carry no digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// Not a number.
    NaN,
    /// +Infinity.
    Infinity,
    /// -Infinity.
    NegativeInfinity,
    /// A number, normalized as PostgreSQL's `make_result` leaves it.
    Finite(Finite),
}

/// A finite numeric: digits 0..=9999, none leading or trailing zero, none beyond `dscale`;
/// zero has no digits, weight 0 and is positive; `dscale` ≤ [`Numeric::MAX_DSCALE`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Finite {
    /// Below zero.
    negative: bool,
    /// The power of 10000 of the first digit.
    weight: i16,
    /// Decimal places in the text form.
    dscale: u16,
    /// The base-10000 digits, most significant first.
    digits: Vec<i16>,
}

impl Numeric {
    /// The largest display scale PostgreSQL stores (`NUMERIC_DSCALE_MAX`).
    pub const MAX_DSCALE: u16 = 0x3FFF;
    /// `NaN`.
    pub const NAN: Self = Self { repr: Repr::NaN };
    /// `Infinity`.
    pub const INFINITY: Self = Self {
        repr: Repr::Infinity,
    };
    /// `-Infinity`.
    pub const NEG_INFINITY: Self = Self {
        repr: Repr::NegativeInfinity,
    };
    /// `0`, with no decimal places.
    pub const ZERO: Self = Self {
        repr: Repr::Finite(Finite {
            negative: false,
            weight: 0,
            dscale: 0,
            digits: Vec::new(),
        }),
    };

    /// Builds a numeric from the fields of its binary form, checking and normalizing them as
    /// `numeric_recv` does: digits hidden by `dscale` are truncated, zero digits stripped.
    pub fn from_parts(
        sign: Sign,
        weight: i16,
        dscale: u16,
        digits: &[i16],
    ) -> Result<Self, TypeError> {
        check_dscale(dscale)?;
        for &digit in digits {
            check_digit(digit)?;
        }
        finish_received(sign, weight, dscale, digits.to_vec())
    }

    /// The sign: `Positive` for zero, the special value's own sign otherwise.
    pub fn sign(&self) -> Sign {
        match &self.repr {
            Repr::NaN => Sign::NaN,
            Repr::Infinity => Sign::Infinity,
            Repr::NegativeInfinity => Sign::NegativeInfinity,
            Repr::Finite(f) if f.negative => Sign::Negative,
            Repr::Finite(_) => Sign::Positive,
        }
    }

    /// The weight of the first base-10000 digit (0 for zero and the special values).
    pub fn weight(&self) -> i16 {
        match &self.repr {
            Repr::Finite(f) => f.weight,
            _ => 0,
        }
    }

    /// The number of decimal places of the text form (0 for the special values).
    pub fn dscale(&self) -> u16 {
        match &self.repr {
            Repr::Finite(f) => f.dscale,
            _ => 0,
        }
    }

    /// The base-10000 digits, most significant first (none for zero and the special values).
    pub fn digits(&self) -> &[i16] {
        match &self.repr {
            Repr::Finite(f) => &f.digits,
            _ => &[],
        }
    }

    /// Whether this is `NaN`.
    pub fn is_nan(&self) -> bool {
        matches!(self.repr, Repr::NaN)
    }

    /// Whether this is a number (neither `NaN` nor an infinity).
    pub fn is_finite(&self) -> bool {
        matches!(self.repr, Repr::Finite(_))
    }

    /// Orders values as PostgreSQL's `numeric_cmp`: -Infinity, the numbers by value (`1.0` equals
    /// `1.00`), +Infinity, then NaN (equal to itself, above everything).
    pub fn compare(&self, other: &Self) -> core::cmp::Ordering {
        let rank = |n: &Self| match n.repr {
            Repr::NegativeInfinity => 0,
            Repr::Finite(_) => 1,
            Repr::Infinity => 2,
            Repr::NaN => 3,
        };
        let (Repr::Finite(a), Repr::Finite(b)) = (&self.repr, &other.repr) else {
            return rank(self).cmp(&rank(other));
        };
        // Zero has no digits; otherwise the sign, then the weight, then the digits decide.
        let signum = |f: &Finite| match (f.digits.is_empty(), f.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        };
        let magnitude = || {
            a.weight
                .cmp(&b.weight)
                .then_with(|| a.digits.cmp(&b.digits))
        };
        match signum(a).cmp(&signum(b)) {
            core::cmp::Ordering::Equal if signum(a) == 0 => core::cmp::Ordering::Equal,
            core::cmp::Ordering::Equal if signum(a) < 0 => magnitude().reverse(),
            core::cmp::Ordering::Equal => magnitude(),
            unequal => unequal,
        }
    }

    /// The nearest `f64`, as `numeric_float8` gives it (through the text form, like `float8in`).
    ///
    /// A finite value that rounds to an infinity, or a nonzero one that rounds to zero, is
    /// 22003 `"…" is out of range for type double precision`, the `…` being this value's text.
    pub fn to_f64(&self) -> Result<f64, TypeError> {
        let finite = match &self.repr {
            Repr::NaN => return Ok(f64::NAN),
            Repr::Infinity => return Ok(f64::INFINITY),
            Repr::NegativeInfinity => return Ok(f64::NEG_INFINITY),
            Repr::Finite(f) => f,
        };
        let text = self.to_string();
        let value: f64 = text
            .parse()
            .map_err(|_| TypeError::syntax("double precision"))?;
        if value.is_infinite() || (value == 0.0 && !finite.digits.is_empty()) {
            return Err(TypeError::float_range("double precision"));
        }
        Ok(value)
    }
}

/// Rejects a display scale that does not fit the 14 bits PostgreSQL keeps for it.
fn check_dscale(dscale: u16) -> Result<(), TypeError> {
    if dscale > Numeric::MAX_DSCALE {
        return Err(BAD_SCALE);
    }
    Ok(())
}

/// Rejects a base-10000 digit outside 0..=9999.
fn check_digit(digit: i16) -> Result<(), TypeError> {
    if !(0..NBASE).contains(&digit) {
        return Err(BAD_DIGIT);
    }
    Ok(())
}

/// The end of `numeric_recv`, on checked fields: special values drop everything but their sign,
/// numbers lose the digits `dscale` hides (`trunc_var`) and their zero digits (`make_result`).
fn finish_received(
    sign: Sign,
    weight: i16,
    dscale: u16,
    mut digits: Vec<i16>,
) -> Result<Numeric, TypeError> {
    let negative = match sign {
        Sign::NaN => return Ok(Numeric::NAN),
        Sign::Infinity => return Ok(Numeric::INFINITY),
        Sign::NegativeInfinity => return Ok(Numeric::NEG_INFINITY),
        Sign::Positive => false,
        Sign::Negative => true,
    };
    truncate_to_scale(&mut digits, i64::from(weight), dscale);
    normalize(negative, i64::from(weight), dscale, digits)
}

/// Drops the decimal digits after `dscale` places (the number is truncated, not rounded).
fn truncate_to_scale(digits: &mut Vec<i16>, weight: i64, dscale: u16) {
    // Decimal digits kept, counted from the top of the first base-10000 digit.
    let kept = (weight + 1) * DEC_DIGITS + i64::from(dscale);
    if kept <= 0 {
        digits.clear();
        return;
    }
    let groups = usize::try_from((kept + DEC_DIGITS - 1) / DEC_DIGITS).unwrap_or(usize::MAX);
    if groups > digits.len() {
        return;
    }
    digits.truncate(groups);
    let kept_in_last = kept % DEC_DIGITS;
    if kept_in_last > 0 {
        // 1000, 100 or 10: the part of the last digit below the kept decimal places.
        let unit: i16 = match kept_in_last {
            1 => 1000,
            2 => 100,
            _ => 10,
        };
        if let Some(last) = digits.last_mut() {
            *last -= *last % unit;
        }
    }
}

/// Strips leading and trailing zero digits and checks the result fits the storage format
/// (`make_result`): 22003 `value overflows numeric format` otherwise.
fn normalize(
    negative: bool,
    mut weight: i64,
    dscale: u16,
    mut digits: Vec<i16>,
) -> Result<Numeric, TypeError> {
    let leading = digits.iter().take_while(|&&d| d == 0).count();
    digits.drain(..leading);
    weight -= i64::try_from(leading).unwrap_or(i64::MAX);
    while digits.last() == Some(&0) {
        digits.pop();
    }
    if dscale > Numeric::MAX_DSCALE {
        return Err(OVERFLOW);
    }
    if digits.is_empty() {
        return Ok(Numeric {
            repr: Repr::Finite(Finite {
                negative: false,
                weight: 0,
                dscale,
                digits,
            }),
        });
    }
    let weight = i16::try_from(weight).map_err(|_| OVERFLOW)?;
    Ok(Numeric {
        repr: Repr::Finite(Finite {
            negative,
            weight,
            dscale,
            digits,
        }),
    })
}

/// The special value a (trimmed) input spells, in any letter case, as `numeric_in` accepts it.
fn special_value(text: &[u8]) -> Option<Numeric> {
    const SPELLINGS: [(&[u8], Numeric); 7] = [
        (b"nan", Numeric::NAN),
        (b"infinity", Numeric::INFINITY),
        (b"+infinity", Numeric::INFINITY),
        (b"-infinity", Numeric::NEG_INFINITY),
        (b"inf", Numeric::INFINITY),
        (b"+inf", Numeric::INFINITY),
        (b"-inf", Numeric::NEG_INFINITY),
    ];
    SPELLINGS
        .into_iter()
        .find(|(spelling, _)| text.eq_ignore_ascii_case(spelling))
        .map(|(_, value)| value)
}

/// The decimal digits of a number's text, before any exponent (read in place, not copied).
struct Mantissa<'a> {
    /// The digits and the point, as written.
    text: &'a [u8],
    /// How many digits there are, leading and trailing zeros included.
    count: usize,
    /// How many of them come before the decimal point.
    before_point: usize,
    /// Zero digits before the first nonzero one (all of them for zero).
    leading: usize,
    /// Where in `text` the nonzero digits start and end (empty for zero).
    significant: core::ops::Range<usize>,
    /// Digits from the first nonzero one to the last, both included.
    significant_count: usize,
}

/// Reads `[.]digit{digit|.}` (one point at most) as `set_var_from_str` does, in one pass.
fn scan_mantissa(text: &[u8]) -> Result<Mantissa<'_>, TypeError> {
    let mut seen_point = text.first() == Some(&b'.');
    let mut at = usize::from(seen_point);
    if !text.get(at).is_some_and(u8::is_ascii_digit) {
        return Err(SYNTAX);
    }
    let mut count = 0;
    let mut before_point = 0;
    let (mut first_nz, mut last_nz) = (None, 0);
    let (mut first_nz_count, mut last_nz_count) = (0, 0);
    while let Some(&byte) = text.get(at) {
        if byte.is_ascii_digit() {
            count += 1;
            if byte != b'0' {
                if first_nz.is_none() {
                    first_nz = Some(at);
                    first_nz_count = count;
                }
                last_nz = at;
                last_nz_count = count;
            }
            if !seen_point {
                before_point += 1;
            }
        } else if byte == b'.' {
            if seen_point {
                return Err(SYNTAX);
            }
            seen_point = true;
        } else {
            break;
        }
        at += 1;
    }
    let (leading, significant, significant_count) = match first_nz {
        None => (count, 0..0, 0),
        Some(first) => (
            first_nz_count - 1,
            first..last_nz + 1,
            last_nz_count - first_nz_count + 1,
        ),
    };
    Ok(Mantissa {
        text: &text[..at],
        count,
        before_point,
        leading,
        significant,
        significant_count,
    })
}

/// Reads an exponent as `strtol` does (C whitespace, a sign, at least one digit), saturating at
/// ±2^62; returns it and the bytes it took.
fn scan_exponent(text: &[u8]) -> Result<(i64, usize), TypeError> {
    let mut at = text.iter().take_while(|&&b| is_c_space(b)).count();
    let negative = match text.get(at) {
        Some(b'-') => {
            at += 1;
            true
        }
        Some(b'+') => {
            at += 1;
            false
        }
        _ => false,
    };
    let digits_start = at;
    let mut magnitude: i64 = 0;
    while let Some(&byte) = text.get(at).filter(|b| b.is_ascii_digit()) {
        magnitude = magnitude
            .saturating_mul(10)
            .saturating_add(i64::from(byte - b'0'))
            .min(1 << 62);
        at += 1;
    }
    if at == digits_start {
        return Err(SYNTAX);
    }
    Ok((if negative { -magnitude } else { magnitude }, at))
}

/// `numeric_in`: parses the text form (the module docs say what it accepts).
fn parse(text: &str) -> Result<Numeric, TypeError> {
    let text = trim_c_space(text.as_bytes());
    // The special values start with a letter, after an optional sign.
    let first = text.iter().find(|b| !matches!(b, b'+' | b'-'));
    if first.is_some_and(u8::is_ascii_alphabetic) {
        if let Some(special) = special_value(text) {
            return Ok(special);
        }
    }
    let (negative, unsigned) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        Some((b'+', rest)) => (false, rest),
        _ => (false, text),
    };
    let mantissa = scan_mantissa(unsigned)?;
    let mut rest = unsigned.get(mantissa.text.len()..).unwrap_or_default();
    let mut exponent = 0;
    if let Some((b'e' | b'E', after)) = rest.split_first() {
        let (value, len) = scan_exponent(after)?;
        if value >= EXPONENT_LIMIT || value <= -EXPONENT_LIMIT {
            return Err(OVERFLOW);
        }
        exponent = value;
        rest = after.get(len..).unwrap_or_default();
    }
    if !rest.is_empty() {
        return Err(SYNTAX);
    }
    from_decimal_digits(negative, &mantissa, exponent)
}

/// Builds a numeric from decimal digits with `before_point` integer digits, times 10^exponent.
fn from_decimal_digits(
    negative: bool,
    mantissa: &Mantissa<'_>,
    exponent: i64,
) -> Result<Numeric, TypeError> {
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    let after_point = count(mantissa.count - mantissa.before_point);
    let dscale = (after_point - exponent).max(0);
    let dscale = u16::try_from(dscale).map_err(|_| OVERFLOW)?;
    if mantissa.significant_count == 0 {
        return normalize(negative, 0, dscale, Vec::new());
    }
    // The power of ten of the first digit written, then of the first nonzero one.
    let dweight = count(mantissa.before_point) - 1 + exponent - count(mantissa.leading);
    let weight = dweight.div_euclid(DEC_DIGITS);
    // Zeros in the first base-10000 digit above the first nonzero decimal digit (0..=3).
    let pad = usize::try_from((weight + 1) * DEC_DIGITS - (dweight + 1)).unwrap_or(0);
    let significant = &mantissa.text[mantissa.significant.clone()];
    let digits = group_digits(significant, mantissa.significant_count, pad);
    normalize(negative, weight, dscale, digits)
}

/// Packs the `count` decimal digits of `text` (digits and at most one point) four to a
/// base-10000 digit, the first one preceded by `pad` zeros and the last one filled with zeros.
fn group_digits(text: &[u8], count: usize, pad: usize) -> Vec<i16> {
    let mut groups = Vec::with_capacity((pad + count).div_ceil(4));
    let mut current: i16 = 0;
    let mut filled = pad;
    for &b in text {
        if b == b'.' {
            continue;
        }
        current = current * 10 + i16::from(b - b'0');
        filled += 1;
        if filled == 4 {
            groups.push(current);
            current = 0;
            filled = 0;
        }
    }
    if filled > 0 {
        while filled < 4 {
            current *= 10;
            filled += 1;
        }
        groups.push(current);
    }
    groups
}

/// A base-10000 digit as its four decimal digits, zero-padded.
fn four_digits(digit: i16) -> [u8; 4] {
    let d = digit.unsigned_abs();
    [
        b'0' + (d / 1000 % 10) as u8,
        b'0' + (d / 100 % 10) as u8,
        b'0' + (d / 10 % 10) as u8,
        b'0' + (d % 10) as u8,
    ]
}

/// `numeric_out`: the special values' names, or every integer digit and exactly `dscale`
/// decimal places, handed to `put` in pieces.
fn write_text<E>(n: &Numeric, put: &mut impl FnMut(&[u8]) -> Result<(), E>) -> Result<(), E> {
    let f = match &n.repr {
        Repr::NaN => return put(b"NaN"),
        Repr::Infinity => return put(b"Infinity"),
        Repr::NegativeInfinity => return put(b"-Infinity"),
        Repr::Finite(f) => f,
    };
    if f.negative {
        put(b"-")?;
    }
    let digit_at = |index: i64| {
        usize::try_from(index)
            .ok()
            .and_then(|i| f.digits.get(i))
            .copied()
            .unwrap_or(0)
    };
    let weight = i64::from(f.weight);
    if weight < 0 {
        put(b"0")?;
    } else {
        // The first digit without its leading zeros (but "0" for zero).
        let first = four_digits(digit_at(0));
        let skip = first.iter().take(3).take_while(|&&d| d == b'0').count();
        put(&first[skip..])?;
        for index in 1..=weight {
            put(&four_digits(digit_at(index)))?;
        }
    }
    if f.dscale == 0 {
        return Ok(());
    }
    put(b".")?;
    let mut remaining = usize::from(f.dscale);
    let mut index = weight + 1;
    while remaining > 0 {
        let chars = four_digits(digit_at(index));
        let take = remaining.min(chars.len());
        put(&chars[..take])?;
        remaining -= take;
        index += 1;
    }
    Ok(())
}

impl fmt::Display for Numeric {
    /// The text form, as `numeric_out` writes it (no exponent, exactly `dscale` decimals).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_text(self, &mut |bytes| {
            f.write_str(core::str::from_utf8(bytes).unwrap_or_default())
        })
    }
}

impl FromStr for Numeric {
    type Err = TypeError;

    /// Parses the text form, as `numeric_in` does.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}

/// Reads big-endian 16-bit words off the front of a binary value.
struct Words<'a> {
    /// The bytes not read yet.
    rest: &'a [u8],
}

impl Words<'_> {
    /// The next word, or 08P01 `insufficient data left in message`.
    fn next(&mut self) -> Result<u16, TypeError> {
        match self.rest {
            [high, low, rest @ ..] => {
                self.rest = rest;
                Ok(u16::from_be_bytes([*high, *low]))
            }
            _ => Err(TypeError::insufficient("numeric")),
        }
    }
}

impl Codec for Numeric {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        parse(text)
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        let mut words = Words { rest: bytes };
        let ndigits = usize::from(words.next()?);
        let weight = words.next()? as i16;
        let sign = Sign::from_wire(words.next()?).ok_or(BAD_SIGN)?;
        let dscale = words.next()?;
        check_dscale(dscale)?;
        let mut digits = Vec::with_capacity(ndigits.min(bytes.len() / 2));
        for _ in 0..ndigits {
            let digit = words.next()? as i16;
            check_digit(digit)?;
            digits.push(digit);
        }
        if !words.rest.is_empty() {
            return Err(TypeError::binary("numeric"));
        }
        finish_received(sign, weight, dscale, digits)
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        let start = out.written();
        write_text(self, &mut |bytes| out.put_slice(bytes)).inspect_err(|_| out.truncate(start))
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        // numeric_send reads the special values' header as a short one, whose scale bits hold
        // 32 for both infinities: PostgreSQL sends that, so we do too.
        let dscale = match self.repr {
            Repr::Infinity | Repr::NegativeInfinity => 32,
            _ => self.dscale(),
        };
        let digits = self.digits();
        out.reserve(8 + 2 * digits.len())?;
        // At most 36864 digits (weight ≤ 32767, dscale ≤ 16383): the count fits 16 bits.
        let ndigits = u16::try_from(digits.len()).unwrap_or(u16::MAX);
        let words = [ndigits, self.weight() as u16, self.sign().to_wire(), dscale]
            .into_iter()
            .chain(digits.iter().map(|&d| d as u16));
        // Gathered in chunks on the stack, so a buffer is called once per 32 words.
        let start = out.written();
        let mut chunk = [0u8; 64];
        let mut filled = 0;
        for word in words {
            chunk[filled..filled + 2].copy_from_slice(&word.to_be_bytes());
            filled += 2;
            if filled == chunk.len() {
                out.put_slice(&chunk).inspect_err(|_| out.truncate(start))?;
                filled = 0;
            }
        }
        out.put_slice(&chunk[..filled])
            .inspect_err(|_| out.truncate(start))
    }
}

impl From<i64> for Numeric {
    /// The integer, with no decimal places (as `int8_numeric`).
    fn from(value: i64) -> Self {
        let mut magnitude = value.unsigned_abs();
        let mut digits = Vec::new();
        while magnitude > 0 {
            digits.push((magnitude % 10_000) as i16);
            magnitude /= 10_000;
        }
        let weight = digits.len() as i64 - 1;
        digits.reverse();
        normalize(value < 0, weight, 0, digits).unwrap_or(Self::ZERO)
    }
}

impl From<i32> for Numeric {
    /// The integer, with no decimal places (as `int4_numeric`).
    fn from(value: i32) -> Self {
        Self::from(i64::from(value))
    }
}

impl From<f64> for Numeric {
    /// The float as `float8_numeric` casts it: rounded to 15 significant digits (`%.15g`),
    /// NaN and the infinities to themselves. It cannot fail, so `TryFrom<f64>` (from this
    /// impl) never does either.
    fn from(value: f64) -> Self {
        if value.is_nan() {
            return Self::NAN;
        }
        if value.is_infinite() {
            return if value > 0.0 {
                Self::INFINITY
            } else {
                Self::NEG_INFINITY
            };
        }
        // `d.dddddddddddddde±x`, 15 significant digits rounded half to even, as `%.15g` rounds;
        // `%g` drops trailing zeros, which would otherwise count as decimal places.
        let text = alloc::format!("{value:.14e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        parse(&alloc::format!("{mantissa}e{exponent}")).unwrap_or(Self::ZERO)
    }
}

/// 0A000 `cannot convert NaN to bigint`.
const NAN_TO_BIGINT: TypeError = TypeError::new("0A000", "cannot convert NaN to bigint", "bigint");
/// 0A000 `cannot convert infinity to bigint`.
const INFINITY_TO_BIGINT: TypeError =
    TypeError::new("0A000", "cannot convert infinity to bigint", "bigint");
/// 22003 `bigint out of range`.
const BIGINT_RANGE: TypeError = TypeError::out_of_range("bigint", "bigint out of range");
/// 22003 for a value with a fractional part: PostgreSQL would round it; Rust conversions do not.
const FRACTION_TO_BIGINT: TypeError = TypeError::out_of_range(
    "bigint",
    "numeric value with a fractional part cannot be converted exactly to bigint",
);

impl TryFrom<&Numeric> for i64 {
    type Error = TypeError;

    /// The integer the value equals exactly (trailing decimal zeros are fine): PostgreSQL's
    /// errors for NaN, infinities and `bigint out of range`, and 22003 for a fractional part.
    fn try_from(value: &Numeric) -> Result<Self, Self::Error> {
        let finite = match &value.repr {
            Repr::NaN => return Err(NAN_TO_BIGINT),
            Repr::Infinity | Repr::NegativeInfinity => return Err(INFINITY_TO_BIGINT),
            Repr::Finite(f) => f,
        };
        let integer_digits = i64::from(finite.weight) + 1;
        if finite.digits.len() as i64 > integer_digits {
            return Err(FRACTION_TO_BIGINT);
        }
        // 10000^5 > 2^63: a larger weight cannot fit.
        if integer_digits > 5 {
            return Err(BIGINT_RANGE);
        }
        let mut magnitude: i128 = 0;
        for index in 0..integer_digits {
            let digit = usize::try_from(index)
                .ok()
                .and_then(|i| finite.digits.get(i))
                .copied()
                .unwrap_or(0);
            magnitude = magnitude * 10_000 + i128::from(digit);
        }
        let signed = if finite.negative {
            -magnitude
        } else {
            magnitude
        };
        i64::try_from(signed).map_err(|_| BIGINT_RANGE)
    }
}

impl TryFrom<Numeric> for i64 {
    type Error = TypeError;

    /// As `TryFrom<&Numeric>`.
    fn try_from(value: Numeric) -> Result<Self, Self::Error> {
        Self::try_from(&value)
    }
}

impl super::range::Subtype for Numeric {
    fn compare(&self, other: &Self) -> core::cmp::Ordering {
        Numeric::compare(self, other)
    }
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    use super::*;
    use crate::message::Format;
    use core::fmt::Write as _;

    /// Bytes as lowercase hex, as `encode(numeric_send(x), 'hex')` prints them.
    fn hex(bytes: &[u8]) -> String {
        bytes.iter().fold(String::new(), |mut text, b| {
            let _ = write!(text, "{b:02x}");
            text
        })
    }

    /// Hex back to bytes.
    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The text and binary forms of a value.
    fn forms(value: &Numeric) -> (String, String) {
        let mut text = Vec::new();
        value.encode_text(&mut text).unwrap();
        let mut binary = Vec::new();
        value.encode_binary(&mut binary).unwrap();
        (String::from_utf8(text).unwrap(), hex(&binary))
    }

    /// Decoding either form of `value` gives `value` back, and re-encodes to the same bytes.
    fn assert_round_trips(value: &Numeric) {
        for format in [Format::Text, Format::Binary] {
            let mut bytes = Vec::new();
            value.encode(format, &mut bytes).unwrap();
            let back = Numeric::decode(format, &bytes).unwrap();
            assert_eq!(&back, value, "{format:?} round trip of {value}");
            let mut again = Vec::new();
            back.encode(format, &mut again).unwrap();
            assert_eq!(again, bytes);
        }
    }

    /// PostgreSQL 15: `SELECT x::numeric, encode(numeric_send(x::numeric), 'hex')`.
    const TEXT_CASES: &[(&str, &str, &str)] = &[
        ("0", "0", "0000000000000000"),
        ("-0", "0", "0000000000000000"),
        ("1", "1", "00010000000000000001"),
        ("-1", "-1", "00010000400000000001"),
        ("0.1", "0.1", "0001ffff0000000103e8"),
        (
            "12345.678900",
            "12345.678900",
            "0003000100000006000109291a85",
        ),
        ("1e-20", "0.00000000000000000001", "0001fffb000000140001"),
        ("9999", "9999", "0001000000000000270f"),
        ("10000", "10000", "00010001000000000001"),
        ("99999999", "99999999", "0002000100000000270f270f"),
        ("0.0001", "0.0001", "0001ffff000000040001"),
        ("0.00001", "0.00001", "0001fffe0000000503e8"),
        ("NaN", "NaN", "00000000c0000000"),
        ("Infinity", "Infinity", "00000000d0000020"),
        ("-Infinity", "-Infinity", "00000000f0000020"),
        ("  1.5  ", "1.5", "000200000000000100011388"),
        ("1.5e3", "1500", "000100000000000005dc"),
        ("1.5e-3", "0.0015", "0001ffff00000004000f"),
        (".5", "0.5", "0001ffff000000011388"),
        ("5.", "5", "00010000000000000005"),
        ("+5", "5", "00010000000000000005"),
        ("-0.000", "0.000", "0000000000000003"),
        ("-12.3400", "-12.3400", "0002000040000004000c0d48"),
        (
            "123456789012345678901234567890.123456789",
            "123456789012345678901234567890.123456789",
            "000b000700000009000c0d801ed204d2162e23340d801ed204d2162e2328",
        ),
        ("0.000000001", "0.000000001", "0001fffd0000000903e8"),
        ("-0.5e-1", "-0.05", "0001ffff4000000201f4"),
        ("1E+2", "100", "00010000000000000064"),
        ("100.00", "100.00", "00010000000000020064"),
        ("1e4", "10000", "00010001000000000001"),
        ("2e-4", "0.0002", "0001ffff000000040002"),
        ("9.999e3", "9999", "0001000000000000270f"),
        ("1e 5", "100000", "0001000100000000000a"),
        ("1e +5", "100000", "0001000100000000000a"),
        ("0e5", "0", "0000000000000000"),
        ("0.0e-3", "0.0000", "0000000000000004"),
        ("-inf", "-Infinity", "00000000f0000020"),
        ("iNfInItY", "Infinity", "00000000d0000020"),
        ("nan", "NaN", "00000000c0000000"),
        ("+inf", "Infinity", "00000000d0000020"),
        ("INF", "Infinity", "00000000d0000020"),
        ("+infinity", "Infinity", "00000000d0000020"),
        ("  -Infinity  ", "-Infinity", "00000000f0000020"),
        ("00012.5000", "12.5000", "0002000000000004000c1388"),
        ("1e0", "1", "00010000000000000001"),
        ("1.e2", "100", "00010000000000000064"),
        (".0", "0.0", "0000000000000001"),
        ("-.5", "-0.5", "0001ffff400000011388"),
        ("+.5e1", "5", "00010000000000000005"),
        ("\t1.5\n", "1.5", "000200000000000100011388"),
        ("\u{b}1\u{c}", "1", "00010000000000000001"),
        ("1\r\n", "1", "00010000000000000001"),
        ("1e131071", "", "00017fff0000000003e8"),
        ("1e-16383", "", "0001f00000003fff000a"),
    ];

    #[test]
    fn text_input_and_both_outputs_match_postgres() {
        for &(input, text, binary) in TEXT_CASES {
            let value: Numeric = input.parse().unwrap_or_else(|e| panic!("{input:?}: {e}"));
            let (out_text, out_binary) = forms(&value);
            if !text.is_empty() {
                assert_eq!(out_text, text, "text of {input:?}");
            }
            assert_eq!(out_binary, binary, "binary of {input:?}");
            assert_eq!(value.to_string(), out_text);
            assert_round_trips(&value);
        }
    }

    #[test]
    fn the_storage_limits_print_in_full() {
        let top: Numeric = "1e131071".parse().unwrap();
        let text = top.to_string();
        assert_eq!(text.len(), 131_072);
        assert!(text.starts_with('1') && text[1..].bytes().all(|b| b == b'0'));
        let bottom: Numeric = "1e-16383".parse().unwrap();
        assert_eq!(bottom.to_string(), format!("0.{}1", "0".repeat(16_382)));
    }

    #[test]
    fn thousand_digit_values_match_postgres() {
        // PostgreSQL 15: 1 followed by 999 zeros is 1000 · 10000^249.
        let big: Numeric = format!("1{}", "0".repeat(999)).parse().unwrap();
        assert_eq!(
            forms(&big),
            (
                format!("1{}", "0".repeat(999)),
                "000100f90000000003e8".into()
            )
        );
        assert_round_trips(&big);

        let fraction_text = format!("0.{}", "1234567890".repeat(100));
        let fraction: Numeric = fraction_text.parse().unwrap();
        let binary = format!("00faffff000003e8{}", "04d2162e23340d801ed2".repeat(50));
        assert_eq!(forms(&fraction), (fraction_text, binary));
        assert_round_trips(&fraction);

        let nines_text = format!("-{}", "9".repeat(1000));
        let nines: Numeric = nines_text.parse().unwrap();
        let binary = format!("00fa00f940000000{}", "270f".repeat(250));
        assert_eq!(forms(&nines), (nines_text, binary));
        assert_round_trips(&nines);
    }

    /// PostgreSQL 15: `SELECT x::numeric` errors (SQLSTATE and message).
    const ERROR_CASES: &[(&str, &str, &str)] = &[
        ("", "22P02", "invalid input syntax for type numeric: \"\""),
        (" ", "22P02", "invalid input syntax for type numeric: \" \""),
        (
            "abc",
            "22P02",
            "invalid input syntax for type numeric: \"abc\"",
        ),
        (
            "1.2.3",
            "22P02",
            "invalid input syntax for type numeric: \"1.2.3\"",
        ),
        (
            "1e",
            "22P02",
            "invalid input syntax for type numeric: \"1e\"",
        ),
        (
            "--1",
            "22P02",
            "invalid input syntax for type numeric: \"--1\"",
        ),
        (
            "1 2",
            "22P02",
            "invalid input syntax for type numeric: \"1 2\"",
        ),
        (".", "22P02", "invalid input syntax for type numeric: \".\""),
        ("-", "22P02", "invalid input syntax for type numeric: \"-\""),
        ("+", "22P02", "invalid input syntax for type numeric: \"+\""),
        (
            "e5",
            "22P02",
            "invalid input syntax for type numeric: \"e5\"",
        ),
        (
            "1e5.5",
            "22P02",
            "invalid input syntax for type numeric: \"1e5.5\"",
        ),
        (
            "1ee5",
            "22P02",
            "invalid input syntax for type numeric: \"1ee5\"",
        ),
        (
            "1e--5",
            "22P02",
            "invalid input syntax for type numeric: \"1e--5\"",
        ),
        (
            "1e-+5",
            "22P02",
            "invalid input syntax for type numeric: \"1e-+5\"",
        ),
        (
            "5e+-1",
            "22P02",
            "invalid input syntax for type numeric: \"5e+-1\"",
        ),
        (
            "1.5 x",
            "22P02",
            "invalid input syntax for type numeric: \"1.5 x\"",
        ),
        (
            "NaNx",
            "22P02",
            "invalid input syntax for type numeric: \"NaNx\"",
        ),
        (
            "-NaN",
            "22P02",
            "invalid input syntax for type numeric: \"-NaN\"",
        ),
        (
            "+NaN",
            "22P02",
            "invalid input syntax for type numeric: \"+NaN\"",
        ),
        (
            "Infinityy",
            "22P02",
            "invalid input syntax for type numeric: \"Infinityy\"",
        ),
        (
            "infin",
            "22P02",
            "invalid input syntax for type numeric: \"infin\"",
        ),
        (
            "- 1",
            "22P02",
            "invalid input syntax for type numeric: \"- 1\"",
        ),
        (
            "0x1",
            "22P02",
            "invalid input syntax for type numeric: \"0x1\"",
        ),
        (
            "1_000",
            "22P02",
            "invalid input syntax for type numeric: \"1_000\"",
        ),
        (
            "1,5",
            "22P02",
            "invalid input syntax for type numeric: \"1,5\"",
        ),
        ("١", "22P02", "invalid input syntax for type numeric: \"١\""),
        (
            "1e200000x",
            "22P02",
            "invalid input syntax for type numeric: \"1e200000x\"",
        ),
        (
            "1e1073741822x",
            "22P02",
            "invalid input syntax for type numeric: \"1e1073741822x\"",
        ),
        ("1e200000", "22003", "value overflows numeric format"),
        ("1e131072", "22003", "value overflows numeric format"),
        ("1e-16384", "22003", "value overflows numeric format"),
        ("1e-20000", "22003", "value overflows numeric format"),
        ("0e-16384", "22003", "value overflows numeric format"),
        ("0e-100000", "22003", "value overflows numeric format"),
        ("1e1073741822", "22003", "value overflows numeric format"),
        ("1e1073741823", "22003", "value overflows numeric format"),
        ("1e-1073741822", "22003", "value overflows numeric format"),
        ("1e-1073741823", "22003", "value overflows numeric format"),
        ("1e2147483648", "22003", "value overflows numeric format"),
        ("1e-2147483649", "22003", "value overflows numeric format"),
        (
            "1e99999999999999999999",
            "22003",
            "value overflows numeric format",
        ),
        (
            "1e-99999999999999999999",
            "22003",
            "value overflows numeric format",
        ),
        // The exponent is checked before what follows it.
        (
            "1e99999999999999999999x",
            "22003",
            "value overflows numeric format",
        ),
    ];

    #[test]
    fn invalid_text_is_rejected_as_postgres_does() {
        for &(input, code, message) in ERROR_CASES {
            let err = input.parse::<Numeric>().unwrap_err();
            assert_eq!(
                (err.code, err.message(input).as_str()),
                (code, message),
                "{input:?}"
            );
        }
        let err = Numeric::decode(Format::Text, b"\xff").unwrap_err();
        assert_eq!(err.code, "22021");
    }

    #[test]
    fn zero_with_the_largest_scale_is_accepted() {
        let value: Numeric = "0e-16383".parse().unwrap();
        assert_eq!(value.dscale(), 16_383);
        assert_eq!(forms(&value).1, "0000000000003fff");
    }

    /// Binary values PostgreSQL 15 received (through binary COPY), and what it made of them:
    /// `Ok((text, numeric_send hex))` or `Err((SQLSTATE, message))`.
    #[allow(clippy::type_complexity)]
    const RECV_CASES: &[(&str, Result<(&str, &str), (&str, &str)>)] = &[
        // 1.5999 with dscale 1 is truncated (not rounded) to 1.5.
        (
            "00020000000000010001176f",
            Ok(("1.5", "000200000000000100011388")),
        ),
        (
            "00020000000000000001176f",
            Ok(("1", "00010000000000000001")),
        ),
        ("0001ffff400000020005", Ok(("0.00", "0000000000000002"))),
        (
            "00030001000000040000000c0d48",
            Ok(("12.3400", "0002000000000004000c0d48")),
        ),
        (
            "0003000000000008000700000000",
            Ok(("7.00000000", "00010000000000080007")),
        ),
        ("0000000040000002", Ok(("0.00", "0000000000000002"))),
        ("0000000500000000", Ok(("0", "0000000000000000"))),
        ("00020007c000000500010002", Ok(("NaN", "00000000c0000000"))),
        ("00000000d0000003", Ok(("Infinity", "00000000d0000020"))),
        ("00000000f0000000", Ok(("-Infinity", "00000000f0000020"))),
        ("0000000000003fff", Ok(("", "0000000000003fff"))),
        ("0002800000003fff00000001", Ok(("", "0000000000003fff"))),
        ("0001800000003fff0001", Ok(("", "0000000000003fff"))),
        ("00017fff000000000001", Ok(("", "00017fff000000000001"))),
        ("0001ffff0000000204d2", Ok(("0.12", "0001ffff0000000204b0"))),
        ("0001fffb0000000304d2", Ok(("0.000", "0000000000000003"))),
        ("000200004000000000000001", Ok(("0", "0000000000000000"))),
        (
            "00000000c0004000",
            Err(("22P03", "invalid scale in external \"numeric\" value")),
        ),
        (
            "0000000012340000",
            Err(("22P03", "invalid sign in external \"numeric\" value")),
        ),
        (
            "0000000080000000",
            Err(("22P03", "invalid sign in external \"numeric\" value")),
        ),
        (
            "0000000000004000",
            Err(("22P03", "invalid scale in external \"numeric\" value")),
        ),
        (
            "00010000000000002710",
            Err(("22P03", "invalid digit in external \"numeric\" value")),
        ),
        (
            "0001000000000000ffff",
            Err(("22P03", "invalid digit in external \"numeric\" value")),
        ),
        (
            "0001000000000000",
            Err(("08P01", "insufficient data left in message")),
        ),
        // The sign is checked before the scale is read.
        (
            "000000001234",
            Err(("22P03", "invalid sign in external \"numeric\" value")),
        ),
        (
            "00000000000000000005",
            Err(("22P03", "incorrect binary data format")),
        ),
        (
            "9000000000000000",
            Err(("08P01", "insufficient data left in message")),
        ),
        ("", Err(("08P01", "insufficient data left in message"))),
    ];

    #[test]
    fn binary_input_is_checked_and_normalized_as_postgres_does() {
        for &(input, expected) in RECV_CASES {
            let got = Numeric::decode_binary(&unhex(input));
            match (got, expected) {
                (Ok(value), Ok((text, binary))) => {
                    let (out_text, out_binary) = forms(&value);
                    if !text.is_empty() {
                        assert_eq!(out_text, text, "text of {input}");
                    }
                    assert_eq!(out_binary, binary, "binary of {input}");
                    assert_round_trips(&value);
                }
                (Err(err), Err((code, message))) => {
                    assert_eq!(
                        (err.code, err.message("").as_str()),
                        (code, message),
                        "{input}"
                    );
                }
                (got, expected) => panic!("{input}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn from_parts_receives_like_numeric_recv() {
        let value = Numeric::from_parts(Sign::Negative, 0, 1, &[1, 5999]).unwrap();
        assert_eq!(value.to_string(), "-1.5");
        assert_eq!(
            (value.sign(), value.weight(), value.dscale()),
            (Sign::Negative, 0, 1)
        );
        assert_eq!(value.digits(), &[1, 5000]);
        assert_eq!(
            Numeric::from_parts(Sign::NaN, 3, 2, &[1]).unwrap(),
            Numeric::NAN
        );
        assert_eq!(
            Numeric::from_parts(Sign::Positive, 0, 0x4000, &[]),
            Err(BAD_SCALE)
        );
        assert_eq!(
            Numeric::from_parts(Sign::Positive, 0, 0, &[10_000]),
            Err(BAD_DIGIT)
        );
        for sign in [
            Sign::Positive,
            Sign::Negative,
            Sign::NaN,
            Sign::Infinity,
            Sign::NegativeInfinity,
        ] {
            assert_eq!(Sign::from_wire(sign.to_wire()), Some(sign));
        }
        assert_eq!(Sign::from_wire(0x8000), None);
    }

    /// PostgreSQL 15: `SELECT x::float8::numeric, encode(numeric_send(x::float8::numeric), 'hex')`.
    const FLOAT_CASES: &[(f64, &str, &str)] = &[
        (0.1, "0.1", "0001ffff0000000103e8"),
        (-1.5, "-1.5", "000200004000000100011388"),
        (
            100_000_000_000_000.5,
            "100000000000000",
            "00010003000000000064",
        ),
        (
            100_000_000_000_001.5,
            "100000000000002",
            "00040003000000000064000000000002",
        ),
        (
            100_000_000_000_002.5,
            "100000000000002",
            "00040003000000000064000000000002",
        ),
        (0.125, "0.125", "0001ffff0000000304e2"),
        (1e-5, "0.00001", "0001fffe0000000503e8"),
        (1e-4, "0.0001", "0001ffff000000040001"),
        (
            1.234_567_890_123_456_8e17,
            "123456789012346000",
            "0005000400000000000c0d801ed204d21770",
        ),
        (-0.0, "0", "0000000000000000"),
        (1e15, "1000000000000000", "000100030000000003e8"),
        (1e14, "100000000000000", "00010003000000000064"),
        (0.300_000_000_000_000_04, "0.3", "0001ffff000000010bb8"),
        (
            core::f64::consts::PI,
            "3.14159265358979",
            "000500000000000e0003058724310e051edc",
        ),
        (12_345.678_9, "12345.6789", "0003000100000004000109291a85"),
        (
            -9_007_199_254_740_993.0,
            "-9007199254740990",
            "0004000340000000232f07c8156203de",
        ),
        (f64::NAN, "NaN", "00000000c0000000"),
        (f64::INFINITY, "Infinity", "00000000d0000020"),
        (f64::NEG_INFINITY, "-Infinity", "00000000f0000020"),
        (1e22, "10000000000000000000000", "00010005000000000064"),
        (1e23, "100000000000000000000000", "000100050000000003e8"),
        (4.35, "4.35", "000200000000000200040dac"),
        (
            0.000_123_456_789_012_345_67,
            "0.000123456789012346",
            "0005ffff00000012000109291a85007b11f8",
        ),
    ];

    #[test]
    fn floats_convert_as_float8_numeric_does() {
        for &(float, text, binary) in FLOAT_CASES {
            let value = Numeric::from(float);
            assert_eq!(forms(&value), (text.into(), binary.into()), "{float:e}");
            // The `TryFrom<f64>` that `From<f64>` brings never fails.
            #[allow(clippy::unnecessary_fallible_conversions)]
            let tried = Numeric::try_from(float);
            assert_eq!(tried, Ok(value));
        }
        let big = Numeric::from(1e300);
        assert_eq!(big.to_string(), format!("1{}", "0".repeat(300)));
        let tiny = Numeric::from(5e-324);
        assert_eq!(
            tiny.to_string(),
            format!("0.{}494065645841247", "0".repeat(323))
        );
        let max = Numeric::from(f64::MAX);
        assert_eq!(
            max.to_string(),
            format!("179769313486232{}", "0".repeat(294))
        );
    }

    #[test]
    fn numerics_convert_to_floats_as_numeric_float8_does() {
        let cases: &[(&str, f64)] = &[
            ("0.1", 0.1),
            ("1e308", 1e308),
            ("1.7976931348623157e308", f64::MAX),
            ("1.7976931348623158e308", f64::MAX),
            ("5e-324", 5e-324),
            ("3e-324", 5e-324),
            ("2.5e-324", 5e-324),
            ("1e-310", 1e-310),
            ("-0.000", 0.0),
            ("123456789012345678901234567890", 1.234_567_890_123_456_8e29),
            ("-2.5", -2.5),
            ("0.30000000000000004441", 0.300_000_000_000_000_04),
            ("-Infinity", f64::NEG_INFINITY),
            ("Infinity", f64::INFINITY),
        ];
        for &(text, float) in cases {
            let got = text.parse::<Numeric>().unwrap().to_f64().unwrap();
            assert_eq!(got.to_bits(), float.to_bits(), "{text}");
        }
        assert!(Numeric::NAN.to_f64().unwrap().is_nan());
        for text in [
            "1.7976931348623159e308",
            "2.4703282292062327e-324",
            "-2e-324",
            "-1e309",
        ] {
            let value: Numeric = text.parse().unwrap();
            let err = value.to_f64().unwrap_err();
            let shown = value.to_string();
            assert_eq!(err.code, "22003");
            assert_eq!(
                err.message(&shown),
                format!("\"{shown}\" is out of range for type double precision")
            );
        }
    }

    #[test]
    fn integers_convert_both_ways() {
        // PostgreSQL 15: `SELECT x::int8::numeric, encode(numeric_send(...), 'hex')`.
        let cases: &[(i64, &str, &str)] = &[
            (
                i64::MIN,
                "-9223372036854775808",
                "0005000440000000039a0d2c0170156516b0",
            ),
            (
                i64::MAX,
                "9223372036854775807",
                "0005000400000000039a0d2c0170156516af",
            ),
            (0, "0", "0000000000000000"),
            (-1, "-1", "00010000400000000001"),
            (10_000, "10000", "00010001000000000001"),
            (123_456_789, "123456789", "0003000200000000000109291a85"),
            (100_000_000, "100000000", "00010002000000000001"),
            (-20_000, "-20000", "00010001400000000002"),
        ];
        for &(int, text, binary) in cases {
            let value = Numeric::from(int);
            assert_eq!(forms(&value), (text.into(), binary.into()), "{int}");
            assert_eq!(i64::try_from(&value), Ok(int));
            assert_eq!(value, text.parse().unwrap());
        }
        assert_eq!(Numeric::from(i32::MIN).to_string(), "-2147483648");
        assert_eq!(Numeric::from(i32::MAX).to_string(), "2147483647");

        let int = |text: &str| i64::try_from(text.parse::<Numeric>().unwrap());
        assert_eq!(int("12.000"), Ok(12));
        assert_eq!(int("1e18"), Ok(1_000_000_000_000_000_000));
        assert_eq!(int("-0.000"), Ok(0));
        assert_eq!(int("9223372036854775808"), Err(BIGINT_RANGE));
        assert_eq!(int("-9223372036854775809"), Err(BIGINT_RANGE));
        assert_eq!(int("1e30"), Err(BIGINT_RANGE));
        assert_eq!(int("2.5"), Err(FRACTION_TO_BIGINT));
        assert_eq!(int("0.0001"), Err(FRACTION_TO_BIGINT));
        assert_eq!(int("1e-20"), Err(FRACTION_TO_BIGINT));
        assert_eq!(BIGINT_RANGE.message(""), "bigint out of range");
        assert_eq!(i64::try_from(Numeric::NAN), Err(NAN_TO_BIGINT));
        assert_eq!(NAN_TO_BIGINT.message(""), "cannot convert NaN to bigint");
        assert_eq!(
            i64::try_from(&Numeric::NEG_INFINITY),
            Err(INFINITY_TO_BIGINT)
        );
        assert_eq!(
            INFINITY_TO_BIGINT.message(""),
            "cannot convert infinity to bigint"
        );
    }

    #[test]
    fn a_full_buffer_gets_nothing() {
        let value: Numeric = "12345.678900".parse().unwrap();
        let mut storage = [0u8; 6];
        let mut buf = crate::SliceBuf::new(&mut storage);
        assert_eq!(value.encode_binary(&mut buf), Err(BufferFull));
        assert_eq!(value.encode_text(&mut buf), Err(BufferFull));
        assert!(buf.filled().is_empty());
    }

    #[test]
    fn constants_and_accessors() {
        assert_eq!(Numeric::ZERO, "0".parse().unwrap());
        assert_eq!(Numeric::ZERO.sign(), Sign::Positive);
        assert!(Numeric::NAN.is_nan() && !Numeric::NAN.is_finite());
        assert!(!Numeric::INFINITY.is_finite() && Numeric::ZERO.is_finite());
        assert_eq!(Numeric::INFINITY.sign(), Sign::Infinity);
        assert_eq!(Numeric::NEG_INFINITY.digits(), &[] as &[i16]);
        assert_eq!((Numeric::NAN.weight(), Numeric::NAN.dscale()), (0, 0));
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses_or_fails_without_panic(text in "\\PC{0,40}") {
            if let Ok(value) = text.parse::<Numeric>() {
                assert_round_trips(&value);
            }
        }

        #[test]
        fn numeric_shaped_text_round_trips(
            sign in "[+-]?",
            int in "[0-9]{0,30}",
            frac in "(\\.[0-9]{0,30})?",
            exp in "([eE][+-]?[0-9]{1,5})?",
        ) {
            let text = format!("{sign}{int}{frac}{exp}");
            if let Ok(value) = text.parse::<Numeric>() {
                assert_round_trips(&value);
                let shown = value.to_string();
                let reparsed: Numeric = shown.parse().unwrap();
                proptest::prop_assert_eq!(reparsed, value);
            }
        }

        #[test]
        fn any_binary_decodes_or_fails_without_panic(bytes in proptest::collection::vec(0u8..=255, 0..40)) {
            if let Ok(value) = Numeric::decode_binary(&bytes) {
                assert_round_trips(&value);
            }
        }

        #[test]
        fn well_formed_binary_round_trips(
            sign in 0usize..5,
            weight in -40i16..40,
            dscale in 0u16..200,
            digits in proptest::collection::vec(0i16..10_000, 0..12),
        ) {
            let signs = [SIGN_POS, SIGN_NEG, SIGN_NAN, SIGN_PINF, SIGN_NINF];
            let mut bytes = Vec::new();
            for word in [digits.len() as u16, weight as u16, signs[sign], dscale] {
                bytes.extend_from_slice(&word.to_be_bytes());
            }
            for d in &digits {
                bytes.extend_from_slice(&d.to_be_bytes());
            }
            let value = Numeric::decode_binary(&bytes).unwrap();
            assert_round_trips(&value);
        }

        #[test]
        fn every_i64_round_trips(int in proptest::num::i64::ANY) {
            let value = Numeric::from(int);
            proptest::prop_assert_eq!(value.to_string(), int.to_string());
            proptest::prop_assert_eq!(i64::try_from(&value), Ok(int));
        }

        #[test]
        fn every_finite_f64_survives(bits in proptest::num::u64::ANY) {
            let float = f64::from_bits(bits);
            let value = Numeric::from(float);
            assert_round_trips(&value);
            if float.is_finite() {
                let back = value.to_f64().unwrap();
                let expected: f64 = format!("{float:.14e}").parse().unwrap();
                proptest::prop_assert_eq!(back.to_bits(), (expected + 0.0).to_bits());
            }
        }
    }
}

#[cfg(test)]
mod compare_tests {
    use super::*;
    use core::cmp::Ordering::{Equal, Greater, Less};

    #[test]
    fn orders_as_numeric_cmp() {
        let n = |s: &str| s.parse::<Numeric>().unwrap();
        let sorted = [
            "-Infinity",
            "-10000",
            "-1.5",
            "-1",
            "0",
            "0.0001",
            "1",
            "1.5",
            "10000",
            "Infinity",
            "NaN",
        ];
        for (i, a) in sorted.iter().enumerate() {
            for (j, b) in sorted.iter().enumerate() {
                assert_eq!(n(a).compare(&n(b)), i.cmp(&j), "{a} vs {b}");
            }
        }
        assert_eq!(n("1.0").compare(&n("1.00")), Equal);
        assert_eq!(n("-0.00").compare(&n("0")), Equal);
        assert_eq!(n("-2").compare(&n("-10")), Greater);
        assert_eq!(n("0.5").compare(&n("0.50001")), Less);
    }
}

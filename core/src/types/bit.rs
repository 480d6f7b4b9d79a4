//! `bit(n)` and `bit varying(n)`: strings of bits, written as `0101`.
//!
//! [`BitStr`] borrows its bits (from a received value, or from a caller's buffer for text input)
//! and needs no allocation; [`BitString`] (with `alloc`) owns them and implements [`Codec`].
//! Both types share one format; the length check against a column's `n` (`bit string length 4
//! does not match type bit(3)`) belongs to the column, not to these codecs.
//!
//! Text input follows `bit_in`/`varbit_in`: binary digits, optionally after `b`/`B`, or hex
//! digits after `x`/`X` (four bits each). The binary form (`bit_send`) is the length in bits as
//! an int32, then the bits, most significant first, padded with zero bits to a whole byte;
//! `bit_recv` clears padding bits that arrive set, and so do these types.

use core::fmt;

#[cfg(feature = "alloc")]
use super::Codec;
use super::{write_display, TypeError};
use crate::buf::{BufferFull, WriteBuf};
#[cfg(feature = "alloc")]
use alloc::vec::Vec;

/// The longest bit string PostgreSQL stores (`VARBITMAXLEN`), in bits.
pub const MAX_LEN: u32 = 2_147_483_640;

/// The name used for these types in messages.
const TYPE_NAME: &str = "bit varying";

/// 22P03: a received length below 0 or above [`MAX_LEN`].
const BAD_LENGTH: TypeError =
    TypeError::new("22P03", "invalid length in external bit string", TYPE_NAME);

/// 54000: hex text input of more than [`MAX_LEN`] bits.
const TOO_LONG: TypeError = TypeError::new(
    "54000",
    "bit string length exceeds the maximum allowed (2147483640)",
    TYPE_NAME,
);

/// 54000: [`BitStr::parse_into`] was given a buffer shorter than [`BitStr::storage_len`].
const BUFFER_TOO_SHORT: TypeError = TypeError::new(
    "54000",
    "bit string does not fit in the buffer given for it",
    TYPE_NAME,
);

/// Builds, for every ASCII character, the message naming it as an invalid digit.
macro_rules! per_ascii_char {
    ($suffix:literal) => {
        per_ascii_char!(@ $suffix;
            "\x00" "\x01" "\x02" "\x03" "\x04" "\x05" "\x06" "\x07" "\x08" "\x09" "\x0a" "\x0b" "\x0c" "\x0d" "\x0e" "\x0f"
            "\x10" "\x11" "\x12" "\x13" "\x14" "\x15" "\x16" "\x17" "\x18" "\x19" "\x1a" "\x1b" "\x1c" "\x1d" "\x1e" "\x1f"
            "\x20" "\x21" "\x22" "\x23" "\x24" "\x25" "\x26" "\x27" "\x28" "\x29" "\x2a" "\x2b" "\x2c" "\x2d" "\x2e" "\x2f"
            "\x30" "\x31" "\x32" "\x33" "\x34" "\x35" "\x36" "\x37" "\x38" "\x39" "\x3a" "\x3b" "\x3c" "\x3d" "\x3e" "\x3f"
            "\x40" "\x41" "\x42" "\x43" "\x44" "\x45" "\x46" "\x47" "\x48" "\x49" "\x4a" "\x4b" "\x4c" "\x4d" "\x4e" "\x4f"
            "\x50" "\x51" "\x52" "\x53" "\x54" "\x55" "\x56" "\x57" "\x58" "\x59" "\x5a" "\x5b" "\x5c" "\x5d" "\x5e" "\x5f"
            "\x60" "\x61" "\x62" "\x63" "\x64" "\x65" "\x66" "\x67" "\x68" "\x69" "\x6a" "\x6b" "\x6c" "\x6d" "\x6e" "\x6f"
            "\x70" "\x71" "\x72" "\x73" "\x74" "\x75" "\x76" "\x77" "\x78" "\x79" "\x7a" "\x7b" "\x7c" "\x7d" "\x7e" "\x7f"
        )
    };
    (@ $suffix:literal; $($c:literal)*) => {
        [$(concat!("\"", $c, "\" ", $suffix)),*]
    };
}

/// `"2" is not a valid binary digit`, by the offending ASCII character.
const BINARY_DIGIT: [&str; 128] = per_ascii_char!("is not a valid binary digit");
/// `"g" is not a valid hexadecimal digit`, by the offending ASCII character.
const HEX_DIGIT: [&str; 128] = per_ascii_char!("is not a valid hexadecimal digit");

/// The error for an invalid digit `c` (22P02).
///
/// PostgreSQL names the character, not the input; for ASCII the template holds it already, for
/// any other character `{input}` stands for it ([`invalid_digit`] finds it).
fn digit_error(c: char, hex: bool) -> TypeError {
    let (table, other) = if hex {
        (&HEX_DIGIT, "\"{input}\" is not a valid hexadecimal digit")
    } else {
        (&BINARY_DIGIT, "\"{input}\" is not a valid binary digit")
    };
    let template = table.get(c as usize).copied().unwrap_or(other);
    TypeError::new("22P02", template, TYPE_NAME)
}

/// The first character of `text` that is not a digit of its form, which PostgreSQL's message
/// names (for ASCII characters the error's template already holds it).
pub fn invalid_digit(text: &str) -> Option<char> {
    let (hex, digits) = split_form(text);
    digits.chars().find(|&c| digit_value(c, hex).is_none())
}

/// The text form's prefix: `(true, digits)` for `x`/`X` (hex), `(false, digits)` otherwise.
fn split_form(text: &str) -> (bool, &str) {
    match text.as_bytes().first() {
        Some(b'x' | b'X') => (true, &text[1..]),
        Some(b'b' | b'B') => (false, &text[1..]),
        _ => (false, text),
    }
}

/// The value of one digit in binary or hex form.
fn digit_value(c: char, hex: bool) -> Option<u8> {
    match (c, hex) {
        ('0', _) => Some(0),
        ('1', _) => Some(1),
        (_, true) => c.to_digit(16).map(|d| d as u8),
        (_, false) => None,
    }
}

/// Bytes that hold `bits` bits.
const fn byte_len(bits: u32) -> usize {
    bits.div_ceil(8) as usize
}

/// The mask of the bits in use in the last byte of a `bits`-bit string.
const fn last_byte_mask(bits: u32) -> u8 {
    match bits % 8 {
        0 => 0xff,
        used => !(0xffu8 >> used),
    }
}

/// The length in bits of a text value, and whether its digits are hex (before checking digits).
fn text_len(text: &str) -> Result<(u32, bool), TypeError> {
    let (hex, digits) = split_form(text);
    let per_digit = if hex { 4 } else { 1 };
    let bits = u32::try_from(digits.len())
        .ok()
        .and_then(|n| n.checked_mul(per_digit))
        .filter(|&bits| bits <= MAX_LEN)
        .ok_or(TOO_LONG)?;
    Ok((bits, hex))
}

/// Writes the bits of `text` into `out` (exactly [`byte_len`] bytes), as `bit_in` reads them.
fn fill(text: &str, hex: bool, out: &mut [u8]) -> Result<(), TypeError> {
    out.fill(0);
    let (_, digits) = split_form(text);
    let per_digit = if hex { 4 } else { 1 };
    for (i, c) in digits.chars().enumerate() {
        let value = digit_value(c, hex).ok_or_else(|| digit_error(c, hex))?;
        // Every valid digit is one byte, so `i` counts digits; it fits, as text_len checked.
        let first_bit = i * per_digit;
        let shift = 8 - per_digit - first_bit % 8;
        if let Some(byte) = out.get_mut(first_bit / 8) {
            *byte |= value << shift;
        }
    }
    Ok(())
}

/// A bit string borrowed from a buffer: `len` bits, the first one the most significant bit of
/// `bytes[0]`.
///
/// The padding bits after the last one in the last byte may be set in a received value; they
/// are ignored everywhere (comparison, output), as `bit_recv` clears them.
#[derive(Debug, Clone, Copy)]
pub struct BitStr<'a> {
    /// The number of bits.
    len: u32,
    /// The bits, exactly `len.div_ceil(8)` bytes.
    bytes: &'a [u8],
}

impl<'a> BitStr<'a> {
    /// The empty bit string.
    pub const EMPTY: BitStr<'static> = BitStr { len: 0, bytes: &[] };

    /// A bit string of `len` bits in `bytes`, which must be exactly `len.div_ceil(8)` bytes
    /// long, with `len` at most [`MAX_LEN`].
    pub fn new(len: u32, bytes: &'a [u8]) -> Option<Self> {
        (len <= MAX_LEN && bytes.len() == byte_len(len)).then_some(Self { len, bytes })
    }

    /// The number of bits.
    pub const fn len(&self) -> u32 {
        self.len
    }

    /// Whether there are no bits.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes holding the bits (the last byte's padding bits as received).
    pub const fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// Bit `index` (0 is the first, leftmost bit), or `None` past the end.
    pub fn get(&self, index: u32) -> Option<bool> {
        if index >= self.len {
            return None;
        }
        let byte = self.bytes.get((index / 8) as usize)?;
        Some(byte & (0x80 >> (index % 8)) != 0)
    }

    /// The bits, first to last.
    pub fn iter(&self) -> impl Iterator<Item = bool> + 'a {
        let this = *self;
        (0..self.len).map(move |i| this.get(i).unwrap_or(false))
    }

    /// The last byte with its padding bits cleared (`None` when empty).
    fn last_byte(&self) -> Option<u8> {
        self.bytes.last().map(|b| b & last_byte_mask(self.len))
    }

    /// All bytes but the last, which need no masking.
    fn full_bytes(&self) -> &'a [u8] {
        self.bytes.split_last().map_or(&[][..], |(_, init)| init)
    }

    /// Parses the binary form (`varbit_recv`), borrowing the bits from `bytes`.
    pub fn decode_binary(bytes: &'a [u8]) -> Result<Self, TypeError> {
        let (len, rest) = match bytes {
            [a, b, c, d, rest @ ..] => (i32::from_be_bytes([*a, *b, *c, *d]), rest),
            _ => return Err(TypeError::insufficient(TYPE_NAME)),
        };
        let len = u32::try_from(len)
            .ok()
            .filter(|&len| len <= MAX_LEN)
            .ok_or(BAD_LENGTH)?;
        let needed = byte_len(len);
        match rest.len() {
            n if n < needed => Err(TypeError::insufficient(TYPE_NAME)),
            n if n > needed => Err(TypeError::binary(TYPE_NAME)),
            _ => Ok(Self { len, bytes: rest }),
        }
    }

    /// Writes the binary form (`varbit_send`), padding bits zero.
    pub fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        let start = out.written();
        let result = self.write_binary(out);
        if result.is_err() {
            out.truncate(start);
        }
        result
    }

    /// The body of [`Self::encode_binary`].
    fn write_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        // len <= MAX_LEN < i32::MAX.
        out.put_i32(self.len as i32)?;
        out.put_slice(self.full_bytes())?;
        match self.last_byte() {
            Some(last) => out.put_u8(last),
            None => Ok(()),
        }
    }

    /// Writes the text form (`varbit_out`): one `0` or `1` per bit.
    pub fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        write_display(out, self)
    }

    /// The number of bytes [`Self::parse_into`] needs for `text` (0 for text it rejects for
    /// length).
    pub fn storage_len(text: &str) -> usize {
        text_len(text).map_or(0, |(bits, _)| byte_len(bits))
    }

    /// Parses the text form (`bit_in`) without allocating, writing the bits into `buf`, which
    /// must hold at least [`Self::storage_len`] bytes.
    pub fn parse_into(text: &str, buf: &'a mut [u8]) -> Result<Self, TypeError> {
        let (len, hex) = text_len(text)?;
        let out = buf.get_mut(..byte_len(len)).ok_or(BUFFER_TOO_SHORT)?;
        fill(text, hex, out)?;
        Ok(Self { len, bytes: out })
    }

    /// An owned copy, with the padding bits cleared.
    #[cfg(feature = "alloc")]
    pub fn to_bit_string(&self) -> BitString {
        let mut bytes = self.full_bytes().to_vec();
        bytes.extend(self.last_byte());
        BitString {
            len: self.len,
            bytes,
        }
    }
}

impl PartialEq for BitStr<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len
            && self.full_bytes() == other.full_bytes()
            && self.last_byte() == other.last_byte()
    }
}

impl Eq for BitStr<'_> {}

impl fmt::Display for BitStr<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut left = self.len;
        for byte in self.bytes {
            let take = left.min(8);
            let mut chars = [b'0'; 8];
            for (i, c) in chars.iter_mut().enumerate() {
                if byte & (0x80 >> i) != 0 {
                    *c = b'1';
                }
            }
            let text = core::str::from_utf8(&chars[..take as usize]).map_err(|_| fmt::Error)?;
            f.write_str(text)?;
            left -= take;
        }
        Ok(())
    }
}

/// An owned bit string, for `bit(n)` and `bit varying(n)`; the padding bits are always zero.
#[cfg(feature = "alloc")]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BitString {
    /// The number of bits.
    len: u32,
    /// The bits, `len.div_ceil(8)` bytes, padding bits zero.
    bytes: Vec<u8>,
}

#[cfg(feature = "alloc")]
impl BitString {
    /// A bit string of `len` bits in `bytes` (exactly `len.div_ceil(8)` bytes, `len` at most
    /// [`MAX_LEN`]); padding bits are cleared.
    pub fn new(len: u32, bytes: Vec<u8>) -> Option<Self> {
        let mut bytes = bytes;
        if len > MAX_LEN || bytes.len() != byte_len(len) {
            return None;
        }
        if let Some(last) = bytes.last_mut() {
            *last &= last_byte_mask(len);
        }
        Some(Self { len, bytes })
    }

    /// The bits, borrowed.
    pub fn as_bit_str(&self) -> BitStr<'_> {
        BitStr {
            len: self.len,
            bytes: &self.bytes,
        }
    }

    /// The number of bits.
    pub const fn len(&self) -> u32 {
        self.len
    }

    /// Whether there are no bits.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The bytes holding the bits, padding bits zero.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Bit `index` (0 is the leftmost), or `None` past the end.
    pub fn get(&self, index: u32) -> Option<bool> {
        self.as_bit_str().get(index)
    }
}

#[cfg(feature = "alloc")]
impl From<BitStr<'_>> for BitString {
    fn from(bits: BitStr<'_>) -> Self {
        bits.to_bit_string()
    }
}

#[cfg(feature = "alloc")]
impl Codec for BitString {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        let (len, hex) = text_len(text)?;
        let mut bytes = alloc::vec![0; byte_len(len)];
        fill(text, hex, &mut bytes)?;
        Ok(Self { len, bytes })
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        BitStr::decode_binary(bytes).map(|bits| bits.to_bit_string())
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        self.as_bit_str().encode_text(out)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        self.as_bit_str().encode_binary(out)
    }
}

#[cfg(feature = "alloc")]
impl fmt::Display for BitString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.as_bit_str(), f)
    }
}

#[cfg(feature = "alloc")]
impl core::str::FromStr for BitString {
    type Err = TypeError;

    fn from_str(s: &str) -> Result<Self, TypeError> {
        Self::decode_text(s)
    }
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
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

    /// Decodes hex test data.
    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Either the text output or (SQLSTATE, message).
    type Answer = Result<&'static str, (&'static str, &'static str)>;

    /// (input, PostgreSQL 15's `varbit_out`, `varbit_send` as hex).
    const ACCEPTED: &[(&str, &str, &str)] = &[
        ("0101", "0101", "0000000450"),
        ("x1F", "00011111", "000000081f"),
        ("X1f", "00011111", "000000081f"),
        ("b0101", "0101", "0000000450"),
        ("B11", "11", "00000002c0"),
        ("", "", "00000000"),
        ("x", "", "00000000"),
        ("b", "", "00000000"),
        ("xabc", "101010111100", "0000000cabc0"),
        ("XfF00", "1111111100000000", "00000010ff00"),
        ("101010101", "101010101", "00000009aa80"),
        (
            "111111111111111100000000",
            "111111111111111100000000",
            "00000018ffff00",
        ),
        ("1", "1", "0000000180"),
        ("0", "0", "0000000100"),
    ];

    /// (input, PostgreSQL 15's message; all 22P02).
    const REJECTED: &[(&str, &str)] = &[
        ("0121", "\"2\" is not a valid binary digit"),
        ("x1G", "\"G\" is not a valid hexadecimal digit"),
        ("xé", "\"é\" is not a valid hexadecimal digit"),
        ("0é", "\"é\" is not a valid binary digit"),
        ("b2", "\"2\" is not a valid binary digit"),
        (" 01", "\" \" is not a valid binary digit"),
        ("01 ", "\" \" is not a valid binary digit"),
        ("bx1", "\"x\" is not a valid binary digit"),
        ("xx1", "\"x\" is not a valid hexadecimal digit"),
        ("y", "\"y\" is not a valid binary digit"),
        ("0\t", "\"\t\" is not a valid binary digit"),
    ];

    /// The message an error gives for `input`, filling `{input}` with the invalid character for
    /// non-ASCII ones as documented.
    fn message(err: &TypeError, input: &str) -> String {
        let c = invalid_digit(input).unwrap();
        err.message(&c.to_string())
    }

    #[test]
    fn text_input_and_output() {
        for (input, text, send) in ACCEPTED {
            let bits: BitString = input.parse().unwrap();
            assert_eq!(bits.to_string(), *text, "{input}");
            let mut out = Vec::new();
            bits.encode_binary(&mut out).unwrap();
            assert_eq!(hex(&out), *send, "{input}");

            // The same without allocating, into a caller's buffer.
            let mut buf = [0xAAu8; 8];
            assert!(BitStr::storage_len(input) <= buf.len());
            let borrowed = BitStr::parse_into(input, &mut buf).unwrap();
            assert_eq!(borrowed, bits.as_bit_str());
            assert_eq!(borrowed.to_string(), *text);
        }
        for (input, expected) in REJECTED {
            let err = BitString::decode_text(input).unwrap_err();
            assert_eq!(err.code, "22P02", "{input}");
            assert_eq!(message(&err, input), *expected, "{input}");
            // ASCII characters are in the template itself.
            if invalid_digit(input).unwrap().is_ascii() {
                assert_eq!(err.message(input), *expected);
            }
            let mut buf = [0u8; 8];
            assert_eq!(BitStr::parse_into(input, &mut buf), Err(err));
        }
    }

    #[test]
    fn parse_into_short_buffer() {
        let mut buf = [0u8; 1];
        assert_eq!(BitStr::storage_len("x123"), 2);
        assert_eq!(
            BitStr::parse_into("x123", &mut buf).unwrap_err().code,
            "54000"
        );
    }

    #[test]
    fn binary_input() {
        // (varbit_recv input, PostgreSQL 15's text output or error SQLSTATE and message).
        let cases: &[(&str, Answer)] = &[
            ("00000004a0", Ok("1010")),
            // Padding bits that arrive set are cleared.
            ("00000004af", Ok("1010")),
            ("00000000", Ok("")),
            ("00000009ffff", Ok("111111111")),
            ("0000000000", Err(("22P03", "incorrect binary data format"))),
            (
                "00000009ffffff",
                Err(("22P03", "incorrect binary data format")),
            ),
            (
                "ffffffff",
                Err(("22P03", "invalid length in external bit string")),
            ),
            (
                "80000000",
                Err(("22P03", "invalid length in external bit string")),
            ),
            (
                "7ffffff9",
                Err(("22P03", "invalid length in external bit string")),
            ),
            (
                "7ffffff8",
                Err(("08P01", "insufficient data left in message")),
            ),
            (
                "00000009ff",
                Err(("08P01", "insufficient data left in message")),
            ),
            (
                "000000",
                Err(("08P01", "insufficient data left in message")),
            ),
            ("", Err(("08P01", "insufficient data left in message"))),
        ];
        for (input, expected) in cases {
            let bytes = unhex(input);
            let got = BitString::decode_binary(&bytes)
                .map(|b| b.to_string())
                .map_err(|e| (e.code, e.message("")));
            let expected = expected
                .map(String::from)
                .map_err(|(code, msg)| (code, String::from(msg)));
            assert_eq!(got, expected, "{input}");
        }
        // The borrowed form sees the raw bytes but compares and writes without the padding.
        let raw = unhex("00000004af");
        let borrowed = BitStr::decode_binary(&raw).unwrap();
        assert_eq!(borrowed.bytes(), &[0xaf]);
        assert_eq!(borrowed, BitStr::new(4, &[0xa0]).unwrap());
        let mut out = Vec::new();
        borrowed.encode_binary(&mut out).unwrap();
        assert_eq!(hex(&out), "00000004a0");
        assert_eq!(
            borrowed.iter().collect::<Vec<_>>(),
            [true, false, true, false]
        );
        assert_eq!(borrowed.get(4), None);
    }

    #[test]
    fn constructors() {
        assert!(BitStr::new(9, &[0, 0]).is_some());
        assert!(BitStr::new(9, &[0]).is_none());
        assert!(BitStr::new(8, &[0, 0]).is_none());
        assert!(BitString::new(MAX_LEN + 1, Vec::new()).is_none());
        let bits = BitString::new(3, alloc::vec![0xff]).unwrap();
        assert_eq!(bits.bytes(), &[0xe0]);
        assert_eq!(bits.to_string(), "111");
        assert_eq!(BitStr::EMPTY.to_string(), "");
    }

    #[test]
    fn round_trips() {
        for (input, _, _) in ACCEPTED {
            let bits: BitString = input.parse().unwrap();
            let mut text = Vec::new();
            bits.encode(Format::Text, &mut text).unwrap();
            assert_eq!(BitString::decode(Format::Text, &text).as_ref(), Ok(&bits));
            let mut bin = Vec::new();
            bits.encode(Format::Binary, &mut bin).unwrap();
            assert_eq!(BitString::decode(Format::Binary, &bin).as_ref(), Ok(&bits));
        }
    }

    proptest::proptest! {
        /// Any text or bytes decode to a value or an error, never a panic, and accepted values
        /// round-trip.
        #[test]
        fn never_panics(text in "[bBxX01a-fA-Gé ]{0,24}", bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..12)) {
            for value in [BitString::decode_text(&text).ok(), BitString::decode_binary(&bytes).ok()].into_iter().flatten() {
                proptest::prop_assert_eq!(value.to_string().parse::<BitString>(), Ok(value));
            }
            let mut buf = [0u8; 4];
            let _ = BitStr::parse_into(&text, &mut buf);
        }
    }
}

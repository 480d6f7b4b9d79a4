//! The string types — `text`, `varchar`, `bpchar`, `name` — whose text and binary forms are both
//! the UTF-8 bytes, and the single-byte `"char"`.

use super::{Codec, TypeError};
use crate::buf::{BufferFull, WriteBuf};

/// `name`'s longest value in bytes (NAMEDATALEN - 1).
pub const NAME_MAX_BYTES: usize = 63;

/// A string value in either format: UTF-8 without NUL bytes, as PostgreSQL's encoding check
/// demands of every text (22021 otherwise). Borrowed: no allocation.
pub fn decode_str(bytes: &[u8]) -> Result<&str, TypeError> {
    if bytes.contains(&0) {
        return Err(TypeError::encoding("text"));
    }
    core::str::from_utf8(bytes).map_err(|_| TypeError::encoding("text"))
}

/// `name` input: the string clipped to 63 bytes at a character boundary, as `namein` does.
pub fn clip_name(s: &str) -> &str {
    let mut end = s.len().min(NAME_MAX_BYTES);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The error `varchar(n)`/`char(n)` give a value longer than `n` characters (22001); PostgreSQL
/// names the length too (`character varying(3)`), which the caller adds to the message.
pub const fn too_long(type_name: &'static str) -> TypeError {
    TypeError::new("22001", "value too long for type {type}", type_name)
}

/// How a value meets a length limit: an explicit cast (`'abcd'::varchar(3)`) cuts it silently;
/// an assignment (INSERT, UPDATE) cuts only trailing spaces and otherwise fails with 22001.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coercion {
    /// `CAST` or `::`.
    Explicit,
    /// Storing into a column.
    Assignment,
}

/// Where `s` must be cut to hold `max_chars` characters under `coercion`, or the 22001 error.
fn cut_at(
    s: &str,
    max_chars: usize,
    coercion: Coercion,
    type_name: &'static str,
) -> Result<Option<usize>, TypeError> {
    match s.char_indices().nth(max_chars) {
        None => Ok(None),
        Some((at, _)) if coercion == Coercion::Explicit || s[at..].bytes().all(|b| b == b' ') => {
            Ok(Some(at))
        }
        Some(_) => Err(too_long(type_name)),
    }
}

/// A value for `varchar(max_chars)`, as PostgreSQL's length coercion makes it.
pub fn fit_varchar(s: &str, max_chars: usize, coercion: Coercion) -> Result<&str, TypeError> {
    let cut = cut_at(s, max_chars, coercion, "character varying")?;
    Ok(cut.map_or(s, |at| &s[..at]))
}

/// A value for `char(chars)`: cut as for `varchar`, then blank-padded to `chars` characters.
#[cfg(feature = "alloc")]
pub fn fit_bpchar(
    s: &str,
    chars: usize,
    coercion: Coercion,
) -> Result<alloc::string::String, TypeError> {
    if let Some(at) = cut_at(s, chars, coercion, "character")? {
        return Ok(s[..at].into());
    }
    let mut padded = alloc::string::String::from(s);
    let have = s.chars().count();
    padded.extend(core::iter::repeat_n(' ', chars - have));
    Ok(padded)
}

#[cfg(feature = "alloc")]
impl Codec for alloc::string::String {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        decode_str(text.as_bytes()).map(Into::into)
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        decode_str(bytes).map(Into::into)
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_slice(self.as_bytes())
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_slice(self.as_bytes())
    }
}

/// A `"char"`: one byte, the internal single-character type of the catalogs (`relkind`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Char(pub u8);

impl Codec for Char {
    /// As `charin`: `\ooo` (three octal digits) is that byte, otherwise the first byte; empty is 0.
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        match text.as_bytes() {
            [b'\\', a @ b'0'..=b'3', b @ b'0'..=b'7', c @ b'0'..=b'7'] => {
                Ok(Self(((a - b'0') << 6) | ((b - b'0') << 3) | (c - b'0')))
            }
            bytes => Ok(Self(bytes.first().copied().unwrap_or(0))),
        }
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        // `charrecv` takes the first byte of whatever it is sent.
        Ok(Self(bytes.first().copied().unwrap_or(0)))
    }

    /// As `charout`: nothing for 0, `\ooo` for a byte above 127, else the byte.
    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        match self.0 {
            0 => Ok(()),
            b if b > 127 => out.put_slice(&[
                b'\\',
                b'0' + (b >> 6),
                b'0' + ((b >> 3) & 7),
                b'0' + (b & 7),
            ]),
            b => out.put_u8(b),
        }
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_u8(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::test_prelude::*;

    #[test]
    fn strings_are_utf8_without_nul() {
        assert_eq!(decode_str("ü€😀 'q'".as_bytes()), Ok("ü€😀 'q'"));
        assert_eq!(decode_str(b"a\0b").unwrap_err().code, "22021");
        assert_eq!(decode_str(b"\xff").unwrap_err().code, "22021");
        assert_eq!(String::decode_binary(b""), Ok(String::new()));
    }

    #[test]
    fn lengths_as_postgresql() {
        use Coercion::{Assignment, Explicit};
        assert_eq!(clip_name(&"é".repeat(40)).len(), 62);
        assert_eq!(fit_varchar("abc  ", 3, Assignment), Ok("abc"));
        assert_eq!(fit_varchar("äöü", 3, Assignment), Ok("äöü"));
        assert_eq!(fit_varchar("abcd", 3, Explicit), Ok("abc"));
        let e = fit_varchar("abcd", 3, Assignment).unwrap_err();
        assert_eq!(
            (e.code, e.message("").as_str()),
            ("22001", "value too long for type character varying")
        );
        assert_eq!(fit_bpchar("ab", 4, Assignment).unwrap(), "ab  ");
        assert_eq!(fit_bpchar("abcd  ", 4, Assignment).unwrap(), "abcd");
        assert_eq!(fit_bpchar("abcdef", 4, Explicit).unwrap(), "abcd");
        assert_eq!(
            fit_bpchar("abcdef", 4, Assignment).unwrap_err().code,
            "22001"
        );
    }

    #[test]
    fn char_as_charin_and_charout() {
        let text = |c: Char| {
            let mut out = Vec::new();
            c.encode_text(&mut out).unwrap();
            out
        };
        assert_eq!(Char::decode_text("abc"), Ok(Char(b'a')));
        assert_eq!(Char::decode_text(""), Ok(Char(0)));
        assert_eq!(Char::decode_text("\\377"), Ok(Char(255)));
        assert_eq!(text(Char(255)), b"\\377");
        assert_eq!(text(Char(0)), b"");
        assert_eq!(text(Char(b'r')), b"r");
    }
}

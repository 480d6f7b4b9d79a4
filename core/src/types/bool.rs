//! `bool`: text `t`/`f` (input as `boolin`), binary one byte.

use super::{Codec, TypeError};
use crate::buf::{BufferFull, WriteBuf};

/// `boolin`'s words: each, or any unambiguous prefix of it, in any case.
const WORDS: [(&str, bool, usize); 6] = [
    // (word, value, shortest accepted prefix)
    ("true", true, 1),
    ("false", false, 1),
    ("yes", true, 1),
    ("no", false, 1),
    ("on", true, 2),
    ("off", false, 2),
];

impl Codec for bool {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        let word = text.trim_matches(|c: char| c.is_ascii_whitespace());
        match word {
            "1" => return Ok(true),
            "0" => return Ok(false),
            _ => {}
        }
        WORDS
            .iter()
            .find(|(full, _, min)| {
                word.len() >= *min
                    && word.len() <= full.len()
                    && full.as_bytes()[..word.len()].eq_ignore_ascii_case(word.as_bytes())
            })
            .map(|(_, value, _)| *value)
            .ok_or(TypeError::syntax("boolean"))
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        match bytes {
            [b] => Ok(*b != 0),
            [] => Err(TypeError::insufficient("boolean")),
            _ => Err(TypeError::binary("boolean")),
        }
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_u8(if *self { b't' } else { b'f' })
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_u8(u8::from(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::test_prelude::*;

    #[test]
    fn input_words_as_boolin() {
        for t in ["t", "TRUE", " tr ", "y", "yes", "on", "1", "True"] {
            assert_eq!(bool::decode_text(t), Ok(true), "{t}");
        }
        for f in ["f", "false", "n", "NO", "off", "of", "0", "\tfa\n"] {
            assert_eq!(bool::decode_text(f), Ok(false), "{f}");
        }
        for bad in ["", "o", "tru e", "yess", "2", "truex", "onn"] {
            let e = bool::decode_text(bad).unwrap_err();
            assert_eq!(e.code, "22P02");
            assert_eq!(
                e.message(bad),
                format!("invalid input syntax for type boolean: \"{bad}\"")
            );
        }
    }

    #[test]
    fn binary_is_one_byte() {
        assert_eq!(bool::decode_binary(&[1]), Ok(true));
        assert_eq!(bool::decode_binary(&[0]), Ok(false));
        assert_eq!(bool::decode_binary(&[]).unwrap_err().code, "08P01");
        assert_eq!(bool::decode_binary(&[1, 0]).unwrap_err().code, "22P03");
        let mut out = Vec::new();
        true.encode_binary(&mut out).unwrap();
        false.encode_text(&mut out).unwrap();
        assert_eq!(out, [1, b'f']);
    }
}

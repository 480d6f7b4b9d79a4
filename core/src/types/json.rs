//! `json` (the text as given, checked) and `jsonb` (parsed and printed back as PostgreSQL
//! prints it: keys sorted by length then bytes, the last of duplicate keys kept, numbers as
//! `numeric`, `", "` and `": "` separators); `jsonb`'s binary form is version 1 then the text.

use alloc::string::String;
use alloc::vec::Vec;

use super::numeric::Numeric;
use super::{Codec, TypeError};
use crate::buf::{BufferFull, WriteBuf};

/// How deep arrays and objects may nest before input is refused (54001), instead of
/// exhausting the stack as PostgreSQL's `check_stack_depth` guards against.
pub const MAX_DEPTH: usize = 1000;

/// `invalid input syntax for type json` with PostgreSQL's DETAIL.
const fn syntax(detail: &'static str) -> TypeError {
    TypeError::new("22P02", "invalid input syntax for type json", "json").with_detail(detail)
}

/// A parsed JSON value, as `jsonb` holds it.
#[derive(Debug, Clone, PartialEq)]
pub enum JsonValue {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, held as `numeric`.
    Number(Numeric),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<JsonValue>),
    /// An object: keys in `jsonb` order, unique.
    Object(Vec<(String, JsonValue)>),
}

/// A `json` value: its text exactly as given, known to be valid JSON.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Json(String);

/// A `jsonb` value: the parsed form.
#[derive(Debug, Clone, PartialEq)]
pub struct Jsonb(pub JsonValue);

impl Json {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Codec for Json {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        Parser::new(text, false).document()?;
        Ok(Self(text.into()))
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        Self::decode_text(super::text::decode_str(bytes)?)
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_slice(self.0.as_bytes())
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_slice(self.0.as_bytes())
    }
}

impl Codec for Jsonb {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        Parser::new(text, true).document().map(Self)
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        match bytes.split_first() {
            Some((1, text)) => Self::decode_text(super::text::decode_str(text)?),
            Some(_) => Err(TypeError::new(
                "22P03",
                "unsupported jsonb version number",
                "jsonb",
            )),
            None => Err(TypeError::insufficient("jsonb")),
        }
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        put_value(out, &self.0)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_u8(1)?;
        put_value(out, &self.0)
    }
}

/// Writes a value as `jsonb_out` does.
fn put_value<B: WriteBuf + ?Sized>(out: &mut B, v: &JsonValue) -> Result<(), BufferFull> {
    match v {
        JsonValue::Null => out.put_slice(b"null"),
        JsonValue::Bool(b) => out.put_slice(if *b { b"true" } else { b"false" }),
        JsonValue::Number(n) => n.encode_text(out),
        JsonValue::String(s) => put_string(out, s),
        JsonValue::Array(items) => {
            out.put_u8(b'[')?;
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.put_slice(b", ")?;
                }
                put_value(out, item)?;
            }
            out.put_u8(b']')
        }
        JsonValue::Object(members) => {
            out.put_u8(b'{')?;
            for (i, (k, item)) in members.iter().enumerate() {
                if i > 0 {
                    out.put_slice(b", ")?;
                }
                put_string(out, k)?;
                out.put_slice(b": ")?;
                put_value(out, item)?;
            }
            out.put_u8(b'}')
        }
    }
}

/// Writes a JSON string as `escape_json` does.
pub fn put_string<B: WriteBuf + ?Sized>(out: &mut B, s: &str) -> Result<(), BufferFull> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.put_u8(b'"')?;
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            0x08 => b"\\b",
            0x0c => b"\\f",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0..=0x1f => &[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 15)],
            ],
            _ => continue,
        };
        out.put_slice(&bytes[start..i])?;
        out.put_slice(escape)?;
        start = i + 1;
    }
    out.put_slice(&bytes[start..])?;
    out.put_u8(b'"')
}

/// A recursive-descent JSON parser with PostgreSQL's rules; with `build` it makes the `jsonb`
/// value (and refuses what `jsonb` cannot hold, `\u0000`), without it only checks.
struct Parser<'a> {
    s: &'a [u8],
    p: usize,
    build: bool,
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, build: bool) -> Self {
        Self {
            s: text.as_bytes(),
            p: 0,
            build,
        }
    }

    fn document(&mut self) -> Result<JsonValue, TypeError> {
        let v = self.value(0)?;
        self.skip_ws();
        if self.p < self.s.len() {
            return Err(syntax("Token is invalid."));
        }
        Ok(v)
    }

    fn skip_ws(&mut self) {
        while matches!(self.s.get(self.p), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.p += 1;
        }
    }

    fn value(&mut self, depth: usize) -> Result<JsonValue, TypeError> {
        if depth > MAX_DEPTH {
            return Err(TypeError::new(
                "54001",
                "stack depth limit exceeded",
                "json",
            ));
        }
        self.skip_ws();
        match self.s.get(self.p) {
            None => Err(syntax("The input string ended unexpectedly.")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(JsonValue::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) => self.word(),
        }
    }

    fn word(&mut self) -> Result<JsonValue, TypeError> {
        let start = self.p;
        while self.s.get(self.p).is_some_and(u8::is_ascii_alphanumeric) {
            self.p += 1;
        }
        match &self.s[start..self.p] {
            b"true" => Ok(JsonValue::Bool(true)),
            b"false" => Ok(JsonValue::Bool(false)),
            b"null" => Ok(JsonValue::Null),
            b"" => Err(syntax("Expected JSON value.")),
            _ => Err(syntax("Token is invalid.")),
        }
    }

    fn number(&mut self) -> Result<JsonValue, TypeError> {
        let start = self.p;
        let digits = |p: &mut usize, s: &[u8]| {
            let from = *p;
            while s.get(*p).is_some_and(u8::is_ascii_digit) {
                *p += 1;
            }
            *p - from
        };
        if self.s.get(self.p) == Some(&b'-') {
            self.p += 1;
        }
        let int_start = self.p;
        let int_len = digits(&mut self.p, self.s);
        let mut ok = int_len > 0 && !(int_len > 1 && self.s[int_start] == b'0');
        if self.s.get(self.p) == Some(&b'.') {
            self.p += 1;
            ok &= digits(&mut self.p, self.s) > 0;
        }
        if matches!(self.s.get(self.p), Some(b'e' | b'E')) {
            self.p += 1;
            if matches!(self.s.get(self.p), Some(b'+' | b'-')) {
                self.p += 1;
            }
            ok &= digits(&mut self.p, self.s) > 0;
        }
        // A number runs into letters or digits only as an invalid token ("01", "1x").
        if !ok
            || self
                .s
                .get(self.p)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'.')
        {
            return Err(syntax("Token is invalid."));
        }
        if !self.build {
            return Ok(JsonValue::Null);
        }
        let text = core::str::from_utf8(&self.s[start..self.p]).unwrap_or("0");
        Numeric::decode_text(text).map(JsonValue::Number)
    }

    fn string(&mut self) -> Result<String, TypeError> {
        self.p += 1; // the opening quote
        let mut out = String::new();
        let mut run = self.p;
        loop {
            let Some(&b) = self.s.get(self.p) else {
                return Err(syntax("The input string ended unexpectedly."));
            };
            match b {
                b'"' => {
                    if self.build {
                        out.push_str(self.text(run, self.p));
                    }
                    self.p += 1;
                    return Ok(out);
                }
                0..=0x1f => return Err(syntax("Character must be escaped.")),
                b'\\' => {
                    if self.build {
                        out.push_str(self.text(run, self.p));
                    }
                    self.p += 1;
                    self.escape(&mut out)?;
                    run = self.p;
                }
                _ => self.p += 1,
            }
        }
    }

    /// The input between two positions that lie on character boundaries.
    fn text(&self, from: usize, to: usize) -> &str {
        core::str::from_utf8(&self.s[from..to]).unwrap_or_default()
    }

    /// One escape after its backslash.
    fn escape(&mut self, out: &mut String) -> Result<(), TypeError> {
        let Some(&c) = self.s.get(self.p) else {
            return Err(syntax("The input string ended unexpectedly."));
        };
        self.p += 1;
        let ch = match c {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode(out),
            _ => return Err(syntax("Escape sequence is invalid.")),
        };
        out.push(ch);
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, TypeError> {
        let digits = self.s.get(self.p..self.p + 4).ok_or(syntax(
            "\"\\u\" must be followed by four hexadecimal digits.",
        ))?;
        let mut v = 0;
        for &d in digits {
            let x = char::from(d).to_digit(16).ok_or(syntax(
                "\"\\u\" must be followed by four hexadecimal digits.",
            ))?;
            v = v * 16 + x;
        }
        self.p += 4;
        Ok(v)
    }

    /// `\uXXXX`, with surrogate pairs joined as PostgreSQL joins them.
    fn unicode(&mut self, out: &mut String) -> Result<(), TypeError> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if self.s.get(self.p..self.p + 2) != Some(b"\\u") {
                    return Err(syntax(
                        "Unicode low surrogate must follow a high surrogate.",
                    ));
                }
                self.p += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(syntax(
                        "Unicode low surrogate must follow a high surrogate.",
                    ));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            0xDC00..=0xDFFF => {
                return Err(syntax(
                    "Unicode low surrogate must follow a high surrogate.",
                ))
            }
            c => c,
        };
        if code == 0 && self.build {
            return Err(
                TypeError::new("22P05", "unsupported Unicode escape sequence", "jsonb")
                    .with_detail("\\u0000 cannot be converted to text."),
            );
        }
        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
        Ok(())
    }

    fn array(&mut self, depth: usize) -> Result<JsonValue, TypeError> {
        self.p += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.s.get(self.p) == Some(&b']') {
            self.p += 1;
            return Ok(JsonValue::Array(items));
        }
        loop {
            if self.s.get(self.p).is_some_and(|b| matches!(b, b']' | b',')) {
                return Err(syntax("Expected JSON value."));
            }
            let v = self.value(depth + 1)?;
            if self.build {
                items.push(v);
            }
            self.skip_ws();
            match self.s.get(self.p) {
                Some(b',') => {
                    self.p += 1;
                    self.skip_ws();
                }
                Some(b']') => {
                    self.p += 1;
                    return Ok(JsonValue::Array(items));
                }
                None => return Err(syntax("The input string ended unexpectedly.")),
                Some(_) => return Err(syntax("Expected \",\" or \"]\".")),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Result<JsonValue, TypeError> {
        self.p += 1;
        let mut members: Vec<(String, JsonValue)> = Vec::new();
        self.skip_ws();
        if self.s.get(self.p) == Some(&b'}') {
            self.p += 1;
            return Ok(JsonValue::Object(members));
        }
        loop {
            match self.s.get(self.p) {
                Some(b'"') => {}
                None => return Err(syntax("The input string ended unexpectedly.")),
                Some(_) => return Err(syntax("Expected string.")),
            }
            let key = self.string()?;
            self.skip_ws();
            match self.s.get(self.p) {
                Some(b':') => self.p += 1,
                None => return Err(syntax("The input string ended unexpectedly.")),
                Some(_) => return Err(syntax("Expected \":\".")),
            }
            let v = self.value(depth + 1)?;
            if self.build {
                members.push((key, v));
            }
            self.skip_ws();
            match self.s.get(self.p) {
                Some(b',') => {
                    self.p += 1;
                    self.skip_ws();
                }
                Some(b'}') => {
                    self.p += 1;
                    return Ok(JsonValue::Object(jsonb_order(members)));
                }
                None => return Err(syntax("The input string ended unexpectedly.")),
                Some(_) => return Err(syntax("Expected \",\" or \"}\".")),
            }
        }
    }
}

/// Sorts keys as `jsonb` does (shorter first, then bytewise) and keeps the last of duplicates.
fn jsonb_order(mut members: Vec<(String, JsonValue)>) -> Vec<(String, JsonValue)> {
    // A stable sort keeps duplicates in input order; the last of each run wins.
    members.sort_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(&b.0)));
    let mut out: Vec<(String, JsonValue)> = Vec::with_capacity(members.len());
    for m in members {
        match out.last_mut() {
            Some(last) if last.0 == m.0 => *last = m,
            _ => out.push(m),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jsonb(s: &str) -> Result<String, TypeError> {
        let v = Jsonb::decode_text(s)?;
        let mut o = Vec::new();
        v.encode_text(&mut o).unwrap();
        Ok(String::from_utf8(o).unwrap())
    }

    #[test]
    fn jsonb_prints_as_postgresql() {
        // PostgreSQL 15: SELECT '…'::jsonb.
        for (input, output) in [
            (
                r#"{"b":1, "a": [1, 2], "aa": {}, "a": 3}"#,
                r#"{"a": 3, "b": 1, "aa": {}}"#,
            ),
            (
                r#"[1, 2.50, 1e2, -0, -0.0, 1E-2, 1.5e+1, "x\u00e9\n\"\\\/\b\f\t\r", true, null, {"bb":1,"a":2,"ab":3}]"#,
                r#"[1, 2.50, 100, 0, 0.0, 0.01, 15, "xé\n\"\\/\b\f\t\r", true, null, {"a": 2, "ab": 3, "bb": 1}]"#,
            ),
            ("  [ ]  ", "[]"),
            (r#""\u0001""#, r#""\u0001""#),
            ("1.0e1", "10"),
            (r#"{"\ud83d\ude00": 1}"#, r#"{"😀": 1}"#),
        ] {
            assert_eq!(jsonb(input).unwrap(), output, "{input}");
        }
        let mut b = Vec::new();
        Jsonb::decode_text(r#"{"a":1}"#)
            .unwrap()
            .encode_binary(&mut b)
            .unwrap();
        assert_eq!(b, b"\x01{\"a\": 1}");
    }

    #[test]
    fn invalid_as_postgresql() {
        for (input, detail) in [
            (r#"{"a":1"#, "The input string ended unexpectedly."),
            ("[1,]", "Expected JSON value."),
            ("\"a\nb\"", "Character must be escaped."),
            ("01", "Token is invalid."),
            (
                r#""\ud83d""#,
                "Unicode low surrogate must follow a high surrogate.",
            ),
            (r#"{"a":1}x"#, "Token is invalid."),
            ("", "The input string ended unexpectedly."),
            ("tru", "Token is invalid."),
        ] {
            let e = Json::decode_text(input).unwrap_err();
            assert_eq!(
                (e.code, e.message(input).as_str()),
                ("22P02", "invalid input syntax for type json"),
                "{input}"
            );
            assert!(e.detail.starts_with(&detail[..8]), "{input}: {}", e.detail);
        }
        let e = Jsonb::decode_text(r#""\u0000""#).unwrap_err();
        assert_eq!(
            (e.code, e.detail),
            ("22P05", "\\u0000 cannot be converted to text.")
        );
        assert!(Json::decode_text(r#""\u0000""#).is_ok());
        assert_eq!(
            Json::decode_text(&"[".repeat(5000)).unwrap_err().code,
            "54001"
        );
    }

    #[test]
    fn json_keeps_its_text() {
        let j = Json::decode_text(r#"  {"a" : 1, "a": 2 }"#).unwrap();
        assert_eq!(j.as_str(), r#"  {"a" : 1, "a": 2 }"#);
    }
}

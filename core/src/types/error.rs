//! `TypeError`: why a value could not be decoded, with the SQLSTATE and wording PostgreSQL uses.

use core::fmt;

/// A value PostgreSQL would reject, with the SQLSTATE and message it would send.
///
/// The message is a template: `{type}` stands for the type's name and `{input}` for the rejected
/// text, which the error does not hold (it needs no allocation). [`TypeError::message`] fills both
/// in; `Display` fills in the type and shows the input as `…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeError {
    /// The SQLSTATE.
    pub code: &'static str,
    /// The message template.
    pub template: &'static str,
    /// The type's name as PostgreSQL words it in messages (`integer`, `double precision`).
    pub type_name: &'static str,
    /// The offending character, for templates that name it as `{char}`.
    pub ch: char,
    /// PostgreSQL's DETAIL line, or empty.
    pub detail: &'static str,
}

/// The message templates and SQLSTATEs of the errors type input functions raise.
impl TypeError {
    /// 22P02: `invalid input syntax for type integer: "x"`.
    pub const fn syntax(type_name: &'static str) -> Self {
        Self::new(
            "22P02",
            "invalid input syntax for type {type}: \"{input}\"",
            type_name,
        )
    }

    /// 22003: `value "99999999999" is out of range for type integer` (integer types).
    pub const fn int_range(type_name: &'static str) -> Self {
        Self::new(
            "22003",
            "value \"{input}\" is out of range for type {type}",
            type_name,
        )
    }

    /// 22003: `"1e400" is out of range for type double precision` (floating point).
    pub const fn float_range(type_name: &'static str) -> Self {
        Self::new(
            "22003",
            "\"{input}\" is out of range for type {type}",
            type_name,
        )
    }

    /// 22003 with a fixed message (`numeric field overflow`, `bigint out of range`).
    pub const fn out_of_range(type_name: &'static str, message: &'static str) -> Self {
        Self::new("22003", message, type_name)
    }

    /// 22007: `invalid input syntax for type date: "x"` (datetime input).
    pub const fn datetime_syntax(type_name: &'static str) -> Self {
        Self::new(
            "22007",
            "invalid input syntax for type {type}: \"{input}\"",
            type_name,
        )
    }

    /// 22008: `date/time field value out of range: "2021-02-30"`.
    pub const fn datetime_field(type_name: &'static str) -> Self {
        Self::new(
            "22008",
            "date/time field value out of range: \"{input}\"",
            type_name,
        )
    }

    /// 22008 with a fixed message (`date out of range: "…"`, `timestamp out of range`).
    pub const fn datetime_overflow(type_name: &'static str, template: &'static str) -> Self {
        Self::new("22008", template, type_name)
    }

    /// 22021: text that is not UTF-8.
    pub const fn encoding(type_name: &'static str) -> Self {
        Self::new(
            "22021",
            "invalid byte sequence for encoding \"UTF8\"",
            type_name,
        )
    }

    /// 22P03: binary input of the wrong length or shape.
    pub const fn binary(type_name: &'static str) -> Self {
        Self::new("22P03", "incorrect binary data format", type_name)
    }

    /// 08P01: binary input that ends before its value does (PostgreSQL's wording for it).
    pub const fn insufficient(type_name: &'static str) -> Self {
        Self::new("08P01", "insufficient data left in message", type_name)
    }

    /// An error with any SQLSTATE and template.
    pub const fn new(code: &'static str, template: &'static str, type_name: &'static str) -> Self {
        Self {
            code,
            template,
            type_name,
            ch: '\0',
            detail: "",
        }
    }

    /// The same error with a DETAIL line.
    #[must_use]
    pub const fn with_detail(mut self, detail: &'static str) -> Self {
        self.detail = detail;
        self
    }

    /// The same error naming the offending character (`{char}` in the template).
    #[must_use]
    pub const fn at_char(mut self, ch: char) -> Self {
        self.ch = ch;
        self
    }

    /// The message PostgreSQL sends, with the rejected text filled in.
    #[cfg(feature = "alloc")]
    pub fn message(&self, input: &str) -> alloc::string::String {
        let mut ch = [0u8; 4];
        self.template
            .replace("{type}", self.type_name)
            .replace("{char}", self.ch.encode_utf8(&mut ch))
            .replace("{input}", input)
    }
}

impl fmt::Display for TypeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.template;
        while let Some(at) = rest.find('{') {
            f.write_str(&rest[..at])?;
            rest = &rest[at..];
            if let Some(tail) = rest.strip_prefix("{type}") {
                f.write_str(self.type_name)?;
                rest = tail;
            } else if let Some(tail) = rest.strip_prefix("{char}") {
                write!(f, "{}", self.ch)?;
                rest = tail;
            } else if let Some(tail) = rest.strip_prefix("{input}") {
                f.write_str("…")?;
                rest = tail;
            } else {
                f.write_str("{")?;
                rest = &rest[1..];
            }
        }
        f.write_str(rest)
    }
}

impl core::error::Error for TypeError {}

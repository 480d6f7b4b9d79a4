//! PostgreSQL's data types: the built-in type catalog, and text and binary codecs for every
//! built-in type, equal byte for byte to what PostgreSQL 15 sends and accepts.
//!
//! * [`Type`] is a row of `pg_type` (by OID, name or SQL spelling); [`oid`] names every OID.
//! * [`Codec`] is one type's text and binary forms. Fixed-size values (`bool`, integers, floats,
//!   dates and times, `uuid`, `inet`) decode and encode with no allocation, into any [`WriteBuf`].
//! * [`Value`] (with `alloc`) holds a value of any built-in type, decoded by OID.
//!
//! Text output follows PostgreSQL's defaults: `DateStyle` ISO, `IntervalStyle` postgres,
//! `bytea_output` hex, `extra_float_digits` 1 (shortest exact floats), `TimeZone` UTC.
//! Invalid input is a [`TypeError`] with PostgreSQL's SQLSTATE and message, never a panic.

use core::fmt;

use crate::buf::{BufferFull, WriteBuf};
use crate::message::Format;

mod catalog;
mod error;
mod pg_type;

pub mod bit;
pub mod bool;
pub mod bytea;
pub mod datetime;
pub mod float;
pub mod inet;
pub mod int;
pub mod money;
pub mod text;
pub mod uuid;

#[cfg(feature = "alloc")]
pub mod array;
#[cfg(feature = "alloc")]
pub mod json;
#[cfg(feature = "alloc")]
pub mod numeric;
#[cfg(feature = "alloc")]
pub mod range;
#[cfg(feature = "alloc")]
mod value;

mod interop;

pub use catalog::{SqlName, Type, TypeKind};
pub use error::TypeError;
pub use pg_type::oid;
#[cfg(feature = "alloc")]
pub use value::Value;

/// A type's object identifier (`pg_type.oid`).
pub type Oid = u32;

/// One PostgreSQL type's text and binary forms, for a Rust type that holds its values.
pub trait Codec: Sized {
    /// Parses the text form, as the type's input function does (`int4in`, `date_in`, …).
    fn decode_text(text: &str) -> Result<Self, TypeError>;
    /// Parses the binary form, as the type's receive function does; the whole slice is the value.
    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError>;
    /// Writes the text form, as the type's output function does.
    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull>;
    /// Writes the binary form, as the type's send function does.
    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull>;

    /// Parses a value in either format; text must be UTF-8 (22021 otherwise).
    fn decode(format: Format, bytes: &[u8]) -> Result<Self, TypeError> {
        match format {
            Format::Text => Self::decode_text(text_input(bytes)?),
            Format::Binary => Self::decode_binary(bytes),
            Format::Other(_) => Err(TypeError::new("22023", "unsupported format code", "")),
        }
    }

    /// Writes the value in either format.
    fn encode<B: WriteBuf + ?Sized>(
        &self,
        format: Format,
        out: &mut B,
    ) -> Result<(), crate::EncodeError> {
        match format {
            Format::Text => Ok(self.encode_text(out)?),
            Format::Binary => Ok(self.encode_binary(out)?),
            Format::Other(code) => Err(crate::EncodeError::OutOfRange(code.into())),
        }
    }
}

/// The text of a text-format value: UTF-8, or 22021.
pub fn text_input(bytes: &[u8]) -> Result<&str, TypeError> {
    core::str::from_utf8(bytes).map_err(|_| TypeError::encoding("text"))
}

/// `isspace` in the C locale: the whitespace PostgreSQL's numeric input functions skip around a
/// value (and `strtol` before an exponent).
pub(crate) fn is_c_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// `text` without the C whitespace around it.
pub(crate) fn trim_c_space(text: &[u8]) -> &[u8] {
    let start = text
        .iter()
        .position(|&b| !is_c_space(b))
        .unwrap_or(text.len());
    let end = text
        .iter()
        .rposition(|&b| !is_c_space(b))
        .map_or(start, |i| i + 1);
    text.get(start..end).unwrap_or_default()
}

/// Writes a value behind its int32 length, as arrays, ranges and multiranges hold their parts:
/// the length is patched in once `write` has written the value.
#[cfg(feature = "alloc")]
pub(crate) fn put_length_prefixed<B: WriteBuf + ?Sized>(
    out: &mut B,
    write: impl FnOnce(&mut B) -> Result<(), BufferFull>,
) -> Result<(), BufferFull> {
    let at = out.written();
    out.put_i32(0)?;
    write(out)?;
    let len = (out.written() - at - 4) as i32;
    out.written_mut()[at..at + 4].copy_from_slice(&len.to_be_bytes());
    Ok(())
}

/// Writes `Display` output into a [`WriteBuf`] (text encoders format through it).
pub(crate) fn write_display<B: WriteBuf + ?Sized>(
    out: &mut B,
    value: impl fmt::Display,
) -> Result<(), BufferFull> {
    use fmt::Write as _;
    let start = out.written();
    let mut w = TextOut { out, full: false };
    if write!(w, "{value}").is_err() || w.full {
        w.out.truncate(start);
        return Err(BufferFull);
    }
    Ok(())
}

/// `fmt::Write` over a [`WriteBuf`], remembering whether it ran out of room.
pub(crate) struct TextOut<'a, B: WriteBuf + ?Sized> {
    /// Where the text goes.
    pub(crate) out: &'a mut B,
    /// Set when a write did not fit.
    pub(crate) full: bool,
}

impl<B: WriteBuf + ?Sized> fmt::Write for TextOut<'_, B> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.out.put_slice(s.as_bytes()).map_err(|_| {
            self.full = true;
            fmt::Error
        })
    }
}

/// Reads exactly `N` bytes, the whole binary value of a fixed-size type.
pub(crate) fn fixed<const N: usize>(
    bytes: &[u8],
    type_name: &'static str,
) -> Result<[u8; N], TypeError> {
    match bytes.len() {
        n if n == N => Ok(bytes.try_into().unwrap_or([0; N])),
        n if n < N => Err(TypeError::insufficient(type_name)),
        _ => Err(TypeError::binary(type_name)),
    }
}

/// What the codec tests use from `alloc` (the crate is `no_std`).
#[cfg(test)]
mod test_prelude {
    pub use alloc::{format, string::String, vec, vec::Vec};
}

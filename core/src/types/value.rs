//! `Value`: a value of any built-in type, decoded and encoded by the type's OID.

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::array::Array;
use super::bit::BitString;
use super::datetime::{Date, Interval, Time, TimeTz, Timestamp, TimestampTz};
use super::inet::{Cidr, Inet};
use super::json::{Json, Jsonb};
use super::money::Money;
use super::numeric::Numeric;
use super::range::{Multirange, Range, Subtype};
use super::text::Char;
use super::uuid::Uuid;
use super::{oid, Codec, Oid, Type, TypeError, TypeKind};
use crate::buf::{BufferFull, WriteBuf};
use crate::message::Format;
use crate::EncodeError;

/// A value of a built-in type. Which variant a type decodes to is fixed by the type: `text`,
/// `varchar`, `bpchar` and `name` are all `Text`, `oid` and the `reg*` types are `Oid`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Value {
    /// `bool`.
    Bool(bool),
    /// `int2`.
    Int2(i16),
    /// `int4`.
    Int4(i32),
    /// `int8`.
    Int8(i64),
    /// `float4`.
    Float4(f32),
    /// `float8`.
    Float8(f64),
    /// `numeric`.
    Numeric(Numeric),
    /// `money`.
    Money(Money),
    /// `text`, `varchar`, `bpchar`, `name`.
    Text(String),
    /// `"char"`.
    Char(Char),
    /// `bytea`.
    Bytea(Vec<u8>),
    /// `oid` and the `reg*` types.
    Oid(Oid),
    /// `date`.
    Date(Date),
    /// `time`.
    Time(Time),
    /// `timetz`.
    TimeTz(TimeTz),
    /// `timestamp`.
    Timestamp(Timestamp),
    /// `timestamptz`.
    TimestampTz(TimestampTz),
    /// `interval`.
    Interval(Interval),
    /// `uuid`.
    Uuid(Uuid),
    /// `json`.
    Json(Json),
    /// `jsonb`.
    Jsonb(Jsonb),
    /// `inet`.
    Inet(Inet),
    /// `cidr`.
    Cidr(Cidr),
    /// `bit` and `varbit`.
    Bit(BitString),
    /// An array of any of these.
    Array(Array<Value>),
    /// A range of a built-in range type.
    Range(alloc::boxed::Box<Range<Value>>),
    /// A multirange of a built-in multirange type.
    Multirange(Multirange<Value>),
}

/// How a type's values are coded: one scalar codec, or a container of another type.
#[derive(Clone, Copy)]
enum Shape {
    Scalar(Scalar),
    Array(&'static Type),
    Range(&'static Type),
    Multirange(&'static Type),
}

/// The scalar codecs, one per `Value` variant (and `Name`, `Reg` for their input rules).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scalar {
    Bool,
    Int2,
    Int4,
    Int8,
    Float4,
    Float8,
    Numeric,
    Money,
    Text,
    Name,
    Char,
    Bytea,
    Oid,
    RegType,
    Reg,
    Date,
    Time,
    TimeTz,
    Timestamp,
    TimestampTz,
    Interval,
    Uuid,
    Json,
    Jsonb,
    Inet,
    Cidr,
    Bit,
}

/// 0A000 for a type this module has no codec for (geometric types, `tsvector`, `xml`, …).
const fn unsupported(type_name: &'static str) -> TypeError {
    TypeError::new("0A000", "type {type} is not supported", type_name)
}

/// The shape of a built-in type's values.
fn shape(ty: &Type) -> Result<Shape, TypeError> {
    if ty.category == b'A' {
        return ty.element().map(Shape::Array).ok_or(unsupported(ty.name));
    }
    match ty.kind {
        TypeKind::Range => {
            return ty
                .range_subtype()
                .map(Shape::Range)
                .ok_or(unsupported(ty.name))
        }
        TypeKind::Multirange => {
            return ty
                .multirange_range()
                .map(Shape::Multirange)
                .ok_or(unsupported(ty.name))
        }
        _ => {}
    }
    let scalar = match ty.oid {
        oid::BOOL => Scalar::Bool,
        oid::INT2 => Scalar::Int2,
        oid::INT4 => Scalar::Int4,
        oid::INT8 => Scalar::Int8,
        oid::FLOAT4 => Scalar::Float4,
        oid::FLOAT8 => Scalar::Float8,
        oid::NUMERIC => Scalar::Numeric,
        oid::MONEY => Scalar::Money,
        oid::TEXT | oid::VARCHAR | oid::BPCHAR | oid::UNKNOWN => Scalar::Text,
        oid::NAME => Scalar::Name,
        oid::CHAR => Scalar::Char,
        oid::BYTEA => Scalar::Bytea,
        oid::OID | oid::XID | oid::CID => Scalar::Oid,
        oid::REGTYPE => Scalar::RegType,
        oid::REGPROC
        | oid::REGPROCEDURE
        | oid::REGOPER
        | oid::REGOPERATOR
        | oid::REGCLASS
        | oid::REGROLE
        | oid::REGNAMESPACE
        | oid::REGCONFIG
        | oid::REGDICTIONARY
        | oid::REGCOLLATION => Scalar::Reg,
        oid::DATE => Scalar::Date,
        oid::TIME => Scalar::Time,
        oid::TIMETZ => Scalar::TimeTz,
        oid::TIMESTAMP => Scalar::Timestamp,
        oid::TIMESTAMPTZ => Scalar::TimestampTz,
        oid::INTERVAL => Scalar::Interval,
        oid::UUID => Scalar::Uuid,
        oid::JSON => Scalar::Json,
        oid::JSONB => Scalar::Jsonb,
        oid::INET => Scalar::Inet,
        oid::CIDR => Scalar::Cidr,
        oid::BIT | oid::VARBIT => Scalar::Bit,
        _ => return Err(unsupported(ty.name)),
    };
    Ok(Shape::Scalar(scalar))
}

/// A `reg*` value's text: an OID in digits; a `regtype` may also be a built-in type's name.
fn reg_in(text: &str, scalar: Scalar, type_name: &'static str) -> Result<Oid, TypeError> {
    let t = text.trim();
    if t.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
        return Oid::decode_text(t);
    }
    if scalar == Scalar::RegType {
        return regtype_in(t).ok_or(TypeError::new(
            "42704",
            "type \"{input}\" does not exist",
            type_name,
        ));
    }
    Err(TypeError::new(
        "0A000",
        "only OIDs are accepted as {type} input here",
        type_name,
    ))
}

/// A built-in type's OID from its name as `regtypein` reads it: a SQL spelling, a quoted
/// `typname` (`"any"`, as `regtypeout` prints it), either with `[]` for its array.
fn regtype_in(name: &str) -> Option<Oid> {
    if let Some(elem) = name.strip_suffix("[]") {
        let array = Type::by_oid(regtype_in(elem)?)?.array;
        return (array != 0).then_some(array);
    }
    match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(quoted) => Type::by_name(&quoted.replace("\"\"", "\"")),
        None => Type::by_sql_name(name),
    }
    .map(|t| t.oid)
}

/// `name` binary input: at most 63 bytes (`namerecv`).
fn name_recv(bytes: &[u8]) -> Result<String, TypeError> {
    if bytes.len() > super::text::NAME_MAX_BYTES {
        return Err(TypeError::new("42622", "identifier too long", "name"));
    }
    String::decode_binary(bytes)
}

/// Applies `$e` to the codec value inside a scalar `Value` (containers are matched before).
macro_rules! each_scalar {
    ($value:expr, $v:ident => $e:expr) => {
        match $value {
            Value::Bool($v) => $e,
            Value::Int2($v) => $e,
            Value::Int4($v) => $e,
            Value::Int8($v) => $e,
            Value::Float4($v) => $e,
            Value::Float8($v) => $e,
            Value::Numeric($v) => $e,
            Value::Money($v) => $e,
            Value::Text($v) => $e,
            Value::Char($v) => $e,
            Value::Bytea($v) => $e,
            Value::Oid($v) => $e,
            Value::Date($v) => $e,
            Value::Time($v) => $e,
            Value::TimeTz($v) => $e,
            Value::Timestamp($v) => $e,
            Value::TimestampTz($v) => $e,
            Value::Interval($v) => $e,
            Value::Uuid($v) => $e,
            Value::Json($v) => $e,
            Value::Jsonb($v) => $e,
            Value::Inet($v) => $e,
            Value::Cidr($v) => $e,
            Value::Bit($v) => $e,
            Value::Array(_) | Value::Range(_) | Value::Multirange(_) => Ok(()),
        }
    };
}

impl Value {
    /// Decodes a value of type `ty` in either format; text must be UTF-8.
    pub fn decode(ty: &Type, format: Format, bytes: &[u8]) -> Result<Self, TypeError> {
        match format {
            Format::Text => Self::decode_text(ty, super::text_input(bytes)?),
            Format::Binary => Self::decode_binary(ty, bytes),
            Format::Other(_) => Err(TypeError::new("22023", "unsupported format code", ty.name)),
        }
    }

    /// Decodes the text form of a value of type `ty`, as its input function does.
    pub fn decode_text(ty: &Type, text: &str) -> Result<Self, TypeError> {
        match shape(ty)? {
            Shape::Array(elem) => {
                let delim = elem.delim;
                Array::decode_text(text, delim, |s| Self::decode_text(elem, s)).map(Self::Array)
            }
            Shape::Range(sub) => Range::decode_text(text, |s| Self::decode_text(sub, s))
                .map(|r| Self::Range(r.into())),
            Shape::Multirange(range) => {
                let sub = range.range_subtype().ok_or(unsupported(range.name))?;
                Multirange::decode_text(text, |s| Self::decode_text(sub, s)).map(Self::Multirange)
            }
            Shape::Scalar(s) => scalar_text(s, text, ty.name),
        }
    }

    /// Decodes the binary form of a value of type `ty`, as its receive function does.
    pub fn decode_binary(ty: &Type, bytes: &[u8]) -> Result<Self, TypeError> {
        match shape(ty)? {
            Shape::Array(elem) => {
                Array::decode_binary(bytes, elem.oid, |b| Self::decode_binary(elem, b))
                    .map(Self::Array)
            }
            Shape::Range(sub) => Range::decode_binary(bytes, |b| Self::decode_binary(sub, b))
                .map(|r| Self::Range(r.into())),
            Shape::Multirange(range) => {
                let sub = range.range_subtype().ok_or(unsupported(range.name))?;
                Multirange::decode_binary(bytes, |b| Self::decode_binary(sub, b))
                    .map(Self::Multirange)
            }
            Shape::Scalar(s) => scalar_binary(s, bytes),
        }
    }

    /// Writes the value, of type `ty`, in either format.
    pub fn encode<B: WriteBuf + ?Sized>(
        &self,
        ty: &Type,
        format: Format,
        out: &mut B,
    ) -> Result<(), EncodeError> {
        match format {
            Format::Text => Ok(self.encode_text(ty, out)?),
            Format::Binary => Ok(self.encode_binary(ty, out)?),
            Format::Other(code) => Err(EncodeError::OutOfRange(code.into())),
        }
    }

    /// Writes the text form, as the output function of `ty` does.
    pub fn encode_text<B: WriteBuf + ?Sized>(
        &self,
        ty: &Type,
        out: &mut B,
    ) -> Result<(), BufferFull> {
        let elem = ty.element().or_else(|| ty.range_subtype()).unwrap_or(ty);
        match self {
            Self::Array(a) => a.encode_text(out, elem.delim, |v, o| v.encode_text(elem, o)),
            Self::Range(r) => r.encode_text(out, |v, o| v.encode_text(elem, o)),
            Self::Multirange(m) => m.encode_text(out, |v, o| v.encode_text(elem, o)),
            Self::Oid(o) if ty.oid == oid::REGTYPE => match Type::by_oid(*o) {
                Some(t) => super::write_display(out, t.sql_name()),
                None => o.encode_text(out),
            },
            scalar => each_scalar!(scalar, v => v.encode_text(out)),
        }
    }

    /// Writes the binary form, as the send function of `ty` does.
    pub fn encode_binary<B: WriteBuf + ?Sized>(
        &self,
        ty: &Type,
        out: &mut B,
    ) -> Result<(), BufferFull> {
        let elem = ty.element().or_else(|| ty.range_subtype()).unwrap_or(ty);
        match self {
            Self::Array(a) => a.encode_binary(out, elem.oid, |v, o| v.encode_binary(elem, o)),
            Self::Range(r) => r.encode_binary(out, |v, o| v.encode_binary(elem, o)),
            Self::Multirange(m) => m.encode_binary(out, |v, o| v.encode_binary(elem, o)),
            scalar => each_scalar!(scalar, v => v.encode_binary(out)),
        }
    }
}

/// Decodes a scalar's text.
fn scalar_text(s: Scalar, text: &str, type_name: &'static str) -> Result<Value, TypeError> {
    Ok(match s {
        Scalar::Bool => Value::Bool(Codec::decode_text(text)?),
        Scalar::Int2 => Value::Int2(Codec::decode_text(text)?),
        Scalar::Int4 => Value::Int4(Codec::decode_text(text)?),
        Scalar::Int8 => Value::Int8(Codec::decode_text(text)?),
        Scalar::Float4 => Value::Float4(Codec::decode_text(text)?),
        Scalar::Float8 => Value::Float8(Codec::decode_text(text)?),
        Scalar::Numeric => Value::Numeric(Codec::decode_text(text)?),
        Scalar::Money => Value::Money(Codec::decode_text(text)?),
        Scalar::Text => Value::Text(Codec::decode_text(text)?),
        Scalar::Name => {
            Value::Text(super::text::clip_name(super::text::decode_str(text.as_bytes())?).into())
        }
        Scalar::Char => Value::Char(Codec::decode_text(text)?),
        Scalar::Bytea => Value::Bytea(Codec::decode_text(text)?),
        Scalar::Oid => Value::Oid(Codec::decode_text(text)?),
        Scalar::RegType | Scalar::Reg => Value::Oid(reg_in(text, s, type_name)?),
        Scalar::Date => Value::Date(Codec::decode_text(text)?),
        Scalar::Time => Value::Time(Codec::decode_text(text)?),
        Scalar::TimeTz => Value::TimeTz(Codec::decode_text(text)?),
        Scalar::Timestamp => Value::Timestamp(Codec::decode_text(text)?),
        Scalar::TimestampTz => Value::TimestampTz(Codec::decode_text(text)?),
        Scalar::Interval => Value::Interval(Codec::decode_text(text)?),
        Scalar::Uuid => Value::Uuid(Codec::decode_text(text)?),
        Scalar::Json => Value::Json(Codec::decode_text(text)?),
        Scalar::Jsonb => Value::Jsonb(Codec::decode_text(text)?),
        Scalar::Inet => Value::Inet(Codec::decode_text(text)?),
        Scalar::Cidr => Value::Cidr(Codec::decode_text(text)?),
        Scalar::Bit => Value::Bit(Codec::decode_text(text)?),
    })
}

/// Decodes a scalar's binary form.
fn scalar_binary(s: Scalar, bytes: &[u8]) -> Result<Value, TypeError> {
    Ok(match s {
        Scalar::Bool => Value::Bool(Codec::decode_binary(bytes)?),
        Scalar::Int2 => Value::Int2(Codec::decode_binary(bytes)?),
        Scalar::Int4 => Value::Int4(Codec::decode_binary(bytes)?),
        Scalar::Int8 => Value::Int8(Codec::decode_binary(bytes)?),
        Scalar::Float4 => Value::Float4(Codec::decode_binary(bytes)?),
        Scalar::Float8 => Value::Float8(Codec::decode_binary(bytes)?),
        Scalar::Numeric => Value::Numeric(Codec::decode_binary(bytes)?),
        Scalar::Money => Value::Money(Codec::decode_binary(bytes)?),
        Scalar::Text => Value::Text(Codec::decode_binary(bytes)?),
        Scalar::Name => Value::Text(name_recv(bytes)?),
        Scalar::Char => Value::Char(Codec::decode_binary(bytes)?),
        Scalar::Bytea => Value::Bytea(Codec::decode_binary(bytes)?),
        Scalar::Oid | Scalar::RegType | Scalar::Reg => Value::Oid(Codec::decode_binary(bytes)?),
        Scalar::Date => Value::Date(Codec::decode_binary(bytes)?),
        Scalar::Time => Value::Time(Codec::decode_binary(bytes)?),
        Scalar::TimeTz => Value::TimeTz(Codec::decode_binary(bytes)?),
        Scalar::Timestamp => Value::Timestamp(Codec::decode_binary(bytes)?),
        Scalar::TimestampTz => Value::TimestampTz(Codec::decode_binary(bytes)?),
        Scalar::Interval => Value::Interval(Codec::decode_binary(bytes)?),
        Scalar::Uuid => Value::Uuid(Codec::decode_binary(bytes)?),
        Scalar::Json => Value::Json(Codec::decode_binary(bytes)?),
        Scalar::Jsonb => Value::Jsonb(Codec::decode_binary(bytes)?),
        Scalar::Inet => Value::Inet(Codec::decode_binary(bytes)?),
        Scalar::Cidr => Value::Cidr(Codec::decode_binary(bytes)?),
        Scalar::Bit => Value::Bit(Codec::decode_binary(bytes)?),
    })
}

/// Range bounds of the built-in range types: ordered, and stepped for the discrete ones.
impl Subtype for Value {
    fn compare(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Int4(a), Self::Int4(b)) => a.cmp(b),
            (Self::Int8(a), Self::Int8(b)) => a.cmp(b),
            (Self::Numeric(a), Self::Numeric(b)) => a.compare(b),
            (Self::Date(a), Self::Date(b)) => a.cmp(b),
            (Self::Timestamp(a), Self::Timestamp(b)) => a.cmp(b),
            (Self::TimestampTz(a), Self::TimestampTz(b)) => a.cmp(b),
            _ => Ordering::Equal,
        }
    }

    fn successor(&self) -> Result<Option<Self>, TypeError> {
        Ok(match self {
            Self::Int4(v) => Subtype::successor(v)?.map(Self::Int4),
            Self::Int8(v) => Subtype::successor(v)?.map(Self::Int8),
            Self::Date(d) => Subtype::successor(d)?.map(Self::Date),
            _ => None,
        })
    }
}

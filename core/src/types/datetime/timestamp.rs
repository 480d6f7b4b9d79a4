//! `timestamp` and `timestamp with time zone`: microseconds since 2000-01-01 00:00.

use core::fmt;
use core::str::FromStr;

use super::calendar::{
    date2j, is_valid_julian, END_TIMESTAMP, MIN_TIMESTAMP, POSTGRES_EPOCH_JDATE, UNIX_EPOCH_JDATE,
    USECS_PER_DAY, USECS_PER_SEC,
};
use super::format::TextBuf;
use super::parse::{decode_datetime, DtErr, Fields, Special, Tm, BUF_TIMESTAMP};
use super::{fast, input_error};
use super::{Date, Time};
use crate::buf::{BufferFull, WriteBuf};
use crate::types::{fixed, Codec, TypeError};

/// A PostgreSQL `timestamp` (without time zone): microseconds since 2000-01-01 00:00:00, from
/// 4714-11-24 00:00:00 BC to 294276-12-31 23:59:59.999999, or `-infinity` / `infinity`
/// (`i64::MIN` / `i64::MAX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// A PostgreSQL `timestamp with time zone`: microseconds since 2000-01-01 00:00:00 UTC, same
/// range and infinities as [`Timestamp`]. Text output is in UTC (`… 13:45:00+00`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimestampTz(pub i64);

/// `timestamp`'s name in PostgreSQL's messages.
const NAME: &str = "timestamp";
/// `timestamptz`'s name in PostgreSQL's messages.
const NAME_TZ: &str = "timestamp with time zone";

/// Microseconds from 2000-01-01 to 1970-01-01 (`epoch` in text input).
const UNIX_EPOCH_MICROS: i64 = (UNIX_EPOCH_JDATE - POSTGRES_EPOCH_JDATE) * USECS_PER_DAY;

/// Whether PostgreSQL accepts this value (`IS_VALID_TIMESTAMP`, or an infinity).
fn in_range(t: i64) -> bool {
    t == i64::MIN || t == i64::MAX || (MIN_TIMESTAMP..END_TIMESTAMP).contains(&t)
}

/// PostgreSQL's `tm2timestamp`: local fields and a zone (seconds west) to microseconds, or
/// `None` out of range.
fn tm2timestamp(tm: &Tm, tz_west: Option<i64>) -> Option<i64> {
    if !is_valid_julian(tm.year, tm.mon) {
        return None;
    }
    let date = date2j(tm.year, tm.mon, tm.mday) - POSTGRES_EPOCH_JDATE;
    let time = i128::from(tm.time_of_day());
    let result = i64::try_from(i128::from(date) * i128::from(USECS_PER_DAY) + time).ok()?;
    // PostgreSQL's check for a time of day that wrapped the result's sign.
    if (result < 0 && date > 0) || (result > 0 && date < -1) {
        return None;
    }
    let result = match tz_west {
        Some(tz) => result.checked_add(tz.checked_mul(USECS_PER_SEC)?)?,
        None => result,
    };
    Some(result).filter(|&t| (MIN_TIMESTAMP..END_TIMESTAMP).contains(&t))
}

/// Reads `timestamp` or `timestamptz` text; `with_zone` applies the input's zone. The usual
/// ISO shape takes the fast path, which answers as the general parser does.
fn decode(text: &str, with_zone: bool, name: &'static str) -> Result<i64, TypeError> {
    match fast::timestamp(text.as_bytes()) {
        Some((tm, tz)) => from_tm(&tm, with_zone.then_some(tz), name),
        None => decode_general(text, with_zone, name),
    }
}

/// Reads `timestamp` or `timestamptz` text with PostgreSQL's general parser.
pub(super) fn decode_general(
    text: &str,
    with_zone: bool,
    name: &'static str,
) -> Result<i64, TypeError> {
    let fields = Fields::parse(text, BUF_TIMESTAMP).map_err(|e| input_error(e, name))?;
    let parsed = decode_datetime(&fields).map_err(|e| input_error(e, name))?;
    match parsed.special {
        Special::Epoch => Ok(UNIX_EPOCH_MICROS),
        Special::Late => Ok(i64::MAX),
        Special::Early => Ok(i64::MIN),
        Special::None => {
            let zone = match (with_zone, parsed.tz) {
                (false, _) => None,
                (true, Some(tz)) => Some(tz),
                // Out of the Julian range PostgreSQL falls back to UTC, and fails below.
                (true, None) if !is_valid_julian(parsed.tm.year, parsed.tm.mon) => None,
                (true, None) => return Err(input_error(DtErr::BadTimezone, name)),
            };
            from_tm(&parsed.tm, zone, name)
        }
    }
}

/// The timestamp of decoded fields in `zone` (seconds west; `None` for local), or
/// `timestamp out of range`.
fn from_tm(tm: &Tm, zone: Option<i64>, name: &'static str) -> Result<i64, TypeError> {
    tm2timestamp(tm, zone).ok_or(TypeError::datetime_overflow(
        name,
        "timestamp out of range: \"{input}\"",
    ))
}

/// Reads the binary form (`timestamp_recv`).
fn decode_bin(bytes: &[u8], name: &'static str) -> Result<i64, TypeError> {
    let t = i64::from_be_bytes(fixed(bytes, name)?);
    if in_range(t) {
        Ok(t)
    } else {
        Err(TypeError::datetime_overflow(name, "timestamp out of range"))
    }
}

/// A timestamp's text, DateStyle ISO, with `zone` (seconds west) when given.
fn iso(micros: i64, zone: Option<i64>) -> TextBuf {
    let mut buf = TextBuf::new();
    match micros {
        i64::MAX => buf.push_str("infinity"),
        i64::MIN => buf.push_str("-infinity"),
        _ => {
            let year = buf.push_date(micros.div_euclid(USECS_PER_DAY) + POSTGRES_EPOCH_JDATE);
            buf.push(b' ');
            buf.push_time(micros.rem_euclid(USECS_PER_DAY));
            if let Some(zone) = zone {
                buf.push_zone(zone);
            }
            if year <= 0 {
                buf.push_str(" BC");
            }
        }
    }
    buf
}

/// Splits microseconds since 2000-01-01 into the day and the time of day.
fn split(t: i64) -> Option<(Date, Time)> {
    if t == i64::MIN || t == i64::MAX {
        return None;
    }
    let days = i32::try_from(t.div_euclid(USECS_PER_DAY)).ok()?;
    Some((Date(days), Time(t.rem_euclid(USECS_PER_DAY))))
}

/// Joins a day and a time of day, if both are finite and the result is in range.
fn join(date: Date, time: Time) -> Option<i64> {
    if !date.is_finite() || !(0..=USECS_PER_DAY).contains(&time.0) {
        return None;
    }
    let t = i64::from(date.0)
        .checked_mul(USECS_PER_DAY)?
        .checked_add(time.0)?;
    Some(t).filter(|&t| (MIN_TIMESTAMP..END_TIMESTAMP).contains(&t))
}

impl Timestamp {
    /// `-infinity`, before every timestamp.
    pub const NEG_INFINITY: Self = Self(i64::MIN);
    /// `infinity`, after every timestamp.
    pub const INFINITY: Self = Self(i64::MAX);
    /// The first timestamp, 4714-11-24 00:00:00 BC.
    pub const MIN: Self = Self(MIN_TIMESTAMP);
    /// The last timestamp, 294276-12-31 23:59:59.999999.
    pub const MAX: Self = Self(END_TIMESTAMP - 1);
    /// 1970-01-01 00:00:00 (`epoch` in text input).
    pub const UNIX_EPOCH: Self = Self(UNIX_EPOCH_MICROS);

    /// The timestamp of `time` on `date`, if both are finite and the result is in range.
    pub fn from_parts(date: Date, time: Time) -> Option<Self> {
        join(date, time).map(Self)
    }

    /// The day and the time of day; `None` for the infinities.
    pub fn to_parts(self) -> Option<(Date, Time)> {
        split(self.0)
    }

    /// Whether the timestamp is neither `infinity` nor `-infinity`.
    pub fn is_finite(self) -> bool {
        self != Self::INFINITY && self != Self::NEG_INFINITY
    }
}

impl TimestampTz {
    /// `-infinity`, before every timestamp.
    pub const NEG_INFINITY: Self = Self(i64::MIN);
    /// `infinity`, after every timestamp.
    pub const INFINITY: Self = Self(i64::MAX);
    /// The first timestamp, 4714-11-24 00:00:00+00 BC.
    pub const MIN: Self = Self(MIN_TIMESTAMP);
    /// The last timestamp, 294276-12-31 23:59:59.999999+00.
    pub const MAX: Self = Self(END_TIMESTAMP - 1);
    /// 1970-01-01 00:00:00+00 (`epoch` in text input).
    pub const UNIX_EPOCH: Self = Self(UNIX_EPOCH_MICROS);

    /// The instant of `time` on `date` in UTC, if both are finite and the result is in range.
    pub fn from_utc_parts(date: Date, time: Time) -> Option<Self> {
        join(date, time).map(Self)
    }

    /// The UTC day and time of day; `None` for the infinities.
    pub fn to_utc_parts(self) -> Option<(Date, Time)> {
        split(self.0)
    }

    /// Whether the timestamp is neither `infinity` nor `-infinity`.
    pub fn is_finite(self) -> bool {
        self != Self::INFINITY && self != Self::NEG_INFINITY
    }

    /// The text form in the zone `utc_offset` seconds EAST of UTC, as a session with that
    /// fixed `TimeZone` prints it (`2024-02-29 15:45:00+02`).
    pub fn display_at_offset(self, utc_offset: i32) -> impl fmt::Display {
        AtOffset {
            at: self,
            east: utc_offset,
        }
    }
}

/// A [`TimestampTz`] shown in a fixed zone.
struct AtOffset {
    /// The instant.
    at: TimestampTz,
    /// The zone, seconds east of UTC.
    east: i32,
}

impl fmt::Display for AtOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let east = i64::from(self.east);
        let local = if self.at.is_finite() {
            self.at.0.saturating_add(east * USECS_PER_SEC)
        } else {
            self.at.0
        };
        f.write_str(iso(local, Some(-east)).as_str())
    }
}

impl Codec for Timestamp {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        decode(text, false, NAME).map(Self)
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        decode_bin(bytes, NAME).map(Self)
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        iso(self.0, None).put(out)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_slice(&self.0.to_be_bytes())
    }
}

impl Codec for TimestampTz {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        decode(text, true, NAME_TZ).map(Self)
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        decode_bin(bytes, NAME_TZ).map(Self)
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        iso(self.0, Some(0)).put(out)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_slice(&self.0.to_be_bytes())
    }
}

/// Text output, DateStyle ISO (`2024-02-29 13:45:00.123456`, `0001-12-31 00:00:00 BC`).
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(iso(self.0, None).as_str())
    }
}

/// Text output in UTC, DateStyle ISO (`2024-02-29 13:45:00+00`).
impl fmt::Display for TimestampTz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(iso(self.0, Some(0)).as_str())
    }
}

/// Text input, as `timestamp_in` reads it (a zone is read and ignored).
impl FromStr for Timestamp {
    type Err = TypeError;

    fn from_str(s: &str) -> Result<Self, TypeError> {
        Self::decode_text(s)
    }
}

/// Text input, as `timestamptz_in` reads it with TimeZone UTC (no zone given: UTC).
impl FromStr for TimestampTz {
    type Err = TypeError;

    fn from_str(s: &str) -> Result<Self, TypeError> {
        Self::decode_text(s)
    }
}

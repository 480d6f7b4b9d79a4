//! `time` and `time with time zone`: microseconds since midnight, and a zone offset.

use core::fmt;
use core::str::FromStr;

use super::calendar::{split_time, TZDISP_LIMIT, USECS_PER_DAY, USECS_PER_SEC};
use super::format::TextBuf;
use super::input_error;
use super::parse::{decode_time_only, DtErr, Fields, BUF_DATE};
use crate::buf::{BufferFull, WriteBuf};
use crate::types::{fixed, Codec, TypeError};

/// A PostgreSQL `time` (without time zone): microseconds since midnight, 00:00:00 ..= 24:00:00.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time(pub i64);

/// The type's name in PostgreSQL's messages.
const NAME: &str = "time";
/// `timetz`'s name in PostgreSQL's messages.
const NAME_TZ: &str = "time with time zone";
/// `time out of range` (22008), from binary input.
const OUT_OF_RANGE: TypeError = TypeError::datetime_overflow(NAME, "time out of range");
/// `time out of range` (22008), from `timetz` binary input.
const OUT_OF_RANGE_TZ: TypeError = TypeError::datetime_overflow(NAME_TZ, "time out of range");
/// `time zone displacement out of range` (22009), from `timetz` binary input.
const ZONE_OUT_OF_RANGE: TypeError =
    TypeError::new("22009", "time zone displacement out of range", NAME_TZ);

impl Time {
    /// 00:00:00.
    pub const MIDNIGHT: Self = Self(0);
    /// 24:00:00, the largest `time`.
    pub const MAX: Self = Self(USECS_PER_DAY);

    /// The time `hour:minute:second.micro`, if it is at most 24:00:00.
    pub fn from_hms_micro(hour: u32, minute: u32, second: u32, micro: u32) -> Option<Self> {
        if minute > 59 || second > 59 || micro > 999_999 {
            return None;
        }
        let micros = ((i64::from(hour) * 60 + i64::from(minute)) * 60 + i64::from(second))
            * USECS_PER_SEC
            + i64::from(micro);
        Some(Self(micros)).filter(|t| t.in_range())
    }

    /// Hour, minute, second and microsecond (hour 24 only for 24:00:00).
    pub fn hms_micro(self) -> (u32, u32, u32, u32) {
        let (h, m, s, us) = split_time(self.0);
        (h as u32, m as u32, s as u32, us as u32)
    }

    /// Whether PostgreSQL accepts this value (`time_recv`'s check).
    fn in_range(self) -> bool {
        (0..=USECS_PER_DAY).contains(&self.0)
    }

    /// The text form (`13:45:00.5`).
    fn text(self) -> TextBuf {
        let mut buf = TextBuf::new();
        buf.push_time(self.0);
        buf
    }
}

impl Codec for Time {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        let fields = Fields::parse(text, BUF_DATE).map_err(|e| input_error(e, NAME))?;
        let parsed = decode_time_only(&fields).map_err(|e| input_error(e, NAME))?;
        Ok(Self(parsed.tm.time_of_day()))
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        let time = Self(i64::from_be_bytes(fixed(bytes, NAME)?));
        if time.in_range() {
            Ok(time)
        } else {
            Err(OUT_OF_RANGE)
        }
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        self.text().put(out)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_slice(&self.0.to_be_bytes())
    }
}

/// Text output (`13:45:00`, `13:45:00.123456`).
impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().as_str())
    }
}

/// Text input, as `time_in` reads it (a zone is read and ignored).
impl FromStr for Time {
    type Err = TypeError;

    fn from_str(s: &str) -> Result<Self, TypeError> {
        Self::decode_text(s)
    }
}

/// A PostgreSQL `time with time zone`: a local time of day and its zone.
///
/// `offset` follows PostgreSQL's convention: seconds WEST of UTC, so `+02` is stored as -7200
/// (see [`TimeTz::utc_offset`] for the usual sign).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TimeTz {
    /// The local time of day.
    pub time: Time,
    /// Seconds west of UTC (`+05:30` is -19800).
    pub offset: i32,
}

impl TimeTz {
    /// `time` at the zone `utc_offset` seconds EAST of UTC (`+02:00` is 7200).
    pub const fn from_utc_offset(time: Time, utc_offset: i32) -> Self {
        Self {
            time,
            offset: utc_offset.wrapping_neg(),
        }
    }

    /// The zone in seconds EAST of UTC (`+02:00` is 7200).
    pub const fn utc_offset(self) -> i32 {
        self.offset.wrapping_neg()
    }

    /// The text form (`13:45:00.5+02`).
    fn text(self) -> TextBuf {
        let mut buf = self.time.text();
        buf.push_zone(i64::from(self.offset));
        buf
    }
}

impl Codec for TimeTz {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        let fields = Fields::parse(text, BUF_DATE).map_err(|e| input_error(e, NAME_TZ))?;
        let parsed = decode_time_only(&fields).map_err(|e| input_error(e, NAME_TZ))?;
        // Zones come from ±15:59:59 or a POSIX offset of at most 167 hours.
        let offset = parsed
            .tz
            .and_then(|tz| i32::try_from(tz).ok())
            .ok_or_else(|| input_error(DtErr::BadTimezone, NAME_TZ))?;
        Ok(Self {
            time: Time(parsed.tm.time_of_day()),
            offset,
        })
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        let b: [u8; 12] = fixed(bytes, NAME_TZ)?;
        let [t0, t1, t2, t3, t4, t5, t6, t7, z0, z1, z2, z3] = b;
        let time = Time(i64::from_be_bytes([t0, t1, t2, t3, t4, t5, t6, t7]));
        if !time.in_range() {
            return Err(OUT_OF_RANGE_TZ);
        }
        let offset = i32::from_be_bytes([z0, z1, z2, z3]);
        if i64::from(offset).abs() >= TZDISP_LIMIT {
            return Err(ZONE_OUT_OF_RANGE);
        }
        Ok(Self { time, offset })
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        self.text().put(out)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        let mut b = [0u8; 12];
        let (time, zone) = b.split_at_mut(8);
        time.copy_from_slice(&self.time.0.to_be_bytes());
        zone.copy_from_slice(&self.offset.to_be_bytes());
        out.put_slice(&b)
    }
}

/// Text output (`12:34:56.789+02`, `12:34:56+05:30`).
impl fmt::Display for TimeTz {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text().as_str())
    }
}

/// Text input, as `timetz_in` reads it (no zone given: UTC, the session's zone here).
impl FromStr for TimeTz {
    type Err = TypeError;

    fn from_str(s: &str) -> Result<Self, TypeError> {
        Self::decode_text(s)
    }
}

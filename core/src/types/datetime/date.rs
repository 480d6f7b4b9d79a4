//! `date`: days since 2000-01-01.

use core::fmt;
use core::str::FromStr;

use super::calendar::{
    date2j, days_in_month, is_valid_julian, j2date, DATE_END_JULIAN, POSTGRES_EPOCH_JDATE,
    UNIX_EPOCH_JDATE,
};
use super::format::TextBuf;
use super::parse::{decode_datetime, Fields, Special, BUF_DATE};
use super::{fast, input_error};
use crate::buf::{BufferFull, WriteBuf};
use crate::types::{fixed, Codec, TypeError};

/// A PostgreSQL `date`: days since 2000-01-01, from 4714-11-24 BC to 5874897-12-31, or
/// `-infinity` / `infinity` (`i32::MIN` / `i32::MAX`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

/// The type's name in PostgreSQL's messages.
const NAME: &str = "date";
/// `date out of range: "…"` (22008), from text input.
const OUT_OF_RANGE_TEXT: TypeError =
    TypeError::datetime_overflow(NAME, "date out of range: \"{input}\"");
/// `date out of range` (22008), from binary input.
const OUT_OF_RANGE: TypeError = TypeError::datetime_overflow(NAME, "date out of range");

impl Date {
    /// `-infinity`, before every date (PostgreSQL's `DATEVAL_NOBEGIN`).
    pub const NEG_INFINITY: Self = Self(i32::MIN);
    /// `infinity`, after every date (PostgreSQL's `DATEVAL_NOEND`).
    pub const INFINITY: Self = Self(i32::MAX);
    /// The first date, 4714-11-24 BC (Julian day 0).
    pub const MIN: Self = Self(-(POSTGRES_EPOCH_JDATE as i32));
    /// The last date, 5874897-12-31.
    pub const MAX: Self = Self((DATE_END_JULIAN - POSTGRES_EPOCH_JDATE - 1) as i32);
    /// 2000-01-01, day 0.
    pub const POSTGRES_EPOCH: Self = Self(0);
    /// 1970-01-01 (`epoch` in text input).
    pub const UNIX_EPOCH: Self = Self((UNIX_EPOCH_JDATE - POSTGRES_EPOCH_JDATE) as i32);

    /// The date `year-month-day` (astronomical year: 0 is 1 BC, -1 is 2 BC), if it exists and
    /// is in range.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Option<Self> {
        let (y, m, d) = (i64::from(year), i64::from(month), i64::from(day));
        if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) || !is_valid_julian(y, m) {
            return None;
        }
        let days = i32::try_from(date2j(y, m, d) - POSTGRES_EPOCH_JDATE).ok()?;
        Some(Self(days)).filter(|date| date.in_range())
    }

    /// Year (astronomical), month and day; `None` for the infinities.
    pub fn ymd(self) -> Option<(i32, u32, u32)> {
        if !self.is_finite() {
            return None;
        }
        let (y, m, d) = j2date(i64::from(self.0) + POSTGRES_EPOCH_JDATE);
        Some((y as i32, m as u32, d as u32))
    }

    /// Whether the date is neither `infinity` nor `-infinity`.
    pub fn is_finite(self) -> bool {
        self != Self::INFINITY && self != Self::NEG_INFINITY
    }

    /// Whether PostgreSQL accepts this value (`date_recv`'s check).
    fn in_range(self) -> bool {
        !self.is_finite() || (Self::MIN.0..=Self::MAX.0).contains(&self.0)
    }

    /// Reads text with PostgreSQL's general parser (`date_in`).
    pub(super) fn decode_general(text: &str) -> Result<Self, TypeError> {
        let fields = Fields::parse(text, BUF_DATE).map_err(|e| input_error(e, NAME))?;
        let parsed = decode_datetime(&fields).map_err(|e| input_error(e, NAME))?;
        match parsed.special {
            Special::Epoch => Ok(Self::UNIX_EPOCH),
            Special::Late => Ok(Self::INFINITY),
            Special::Early => Ok(Self::NEG_INFINITY),
            Special::None => Self::from_fields(parsed.tm.year, parsed.tm.mon, parsed.tm.mday),
        }
    }

    /// The date of decoded fields, or `date out of range`.
    fn from_fields(year: i64, month: i64, day: i64) -> Result<Self, TypeError> {
        if !is_valid_julian(year, month) {
            return Err(OUT_OF_RANGE_TEXT);
        }
        i32::try_from(date2j(year, month, day) - POSTGRES_EPOCH_JDATE)
            .ok()
            .map(Self)
            .filter(|d| d.is_finite() && d.in_range())
            .ok_or(OUT_OF_RANGE_TEXT)
    }

    /// The text form, DateStyle ISO.
    fn iso(self) -> TextBuf {
        let mut buf = TextBuf::new();
        match self {
            Self::INFINITY => buf.push_str("infinity"),
            Self::NEG_INFINITY => buf.push_str("-infinity"),
            Self(days) => {
                if buf.push_date(i64::from(days) + POSTGRES_EPOCH_JDATE) <= 0 {
                    buf.push_str(" BC");
                }
            }
        }
        buf
    }
}

impl Codec for Date {
    /// The usual ISO shape takes the fast path, which answers as the general parser does.
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        match fast::date(text.as_bytes()) {
            Some((year, month, day)) => Self::from_fields(year, month, day),
            None => Self::decode_general(text),
        }
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        let date = Self(i32::from_be_bytes(fixed(bytes, NAME)?));
        if date.in_range() {
            Ok(date)
        } else {
            Err(OUT_OF_RANGE)
        }
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        self.iso().put(out)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        out.put_i32(self.0)
    }
}

/// Text output, DateStyle ISO (`2024-02-29`, `0044-03-15 BC`, `infinity`).
impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.iso().as_str())
    }
}

/// `date` as a range subtype: discrete, so `daterange` is canonical (`[a,b)`).
#[cfg(feature = "alloc")]
impl crate::types::range::Subtype for Date {
    fn compare(&self, other: &Self) -> core::cmp::Ordering {
        self.cmp(other)
    }

    /// The next day (`date_pli(d, 1)`); nothing after the infinities; `date out of range`
    /// after the last date.
    fn successor(&self) -> Result<Option<Self>, TypeError> {
        if !self.is_finite() {
            return Ok(None);
        }
        Some(Self(self.0 + 1))
            .filter(|d| d.0 <= Self::MAX.0)
            .map(Some)
            .ok_or(OUT_OF_RANGE)
    }
}

/// Text input, as `date_in` reads it.
impl FromStr for Date {
    type Err = TypeError;

    fn from_str(s: &str) -> Result<Self, TypeError> {
        Self::decode_text(s)
    }
}

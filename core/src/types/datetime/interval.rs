//! `interval`: months, days and microseconds, kept apart as PostgreSQL keeps them.

use core::fmt;
use core::str::FromStr;

use super::calendar::{rint, USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE, USECS_PER_SEC};
use super::format::TextBuf;
use super::input_error;
use super::parse::{
    bit, decode_time_common, delta_token, parse_fraction, strtod, strtoint, strtol, Delta, DtErr,
    Fields, Kind, Unit, BUF_INTERVAL,
};
use crate::buf::{BufferFull, WriteBuf};
use crate::types::{fixed, write_display, Codec, TypeError};

/// A PostgreSQL `interval`: months, days and microseconds, each with its own sign.
///
/// Months and days are not folded into microseconds, since their length depends on the date
/// they are added to. Text is IntervalStyle `postgres` (`1 year 2 mons 3 days 04:05:06.789`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Interval {
    /// Months (a year is 12).
    pub months: i32,
    /// Days.
    pub days: i32,
    /// Microseconds.
    pub micros: i64,
}

/// The type's name in PostgreSQL's messages.
const NAME: &str = "interval";

impl Interval {
    /// The zero interval, `00:00:00`.
    pub const ZERO: Self = Self::new(0, 0, 0);

    /// An interval of `months`, `days` and `micros`.
    pub const fn new(months: i32, days: i32, micros: i64) -> Self {
        Self {
            months,
            days,
            micros,
        }
    }
}

/// PostgreSQL's `pg_itm_in`: the interval while it is read, years apart from months.
#[derive(Clone, Copy, Debug, Default)]
struct ItmIn {
    /// Microseconds.
    usec: i64,
    /// Days.
    mday: i32,
    /// Months.
    mon: i32,
    /// Years.
    year: i32,
}

impl ItmIn {
    /// Adds `val * scale` microseconds and the fraction `fval * scale` (`AdjustMicroseconds`).
    fn micros(&mut self, val: i64, fval: f64, scale: i64) -> Result<(), DtErr> {
        self.usec = val
            .checked_mul(scale)
            .and_then(|v| self.usec.checked_add(v))
            .ok_or(DtErr::FieldOverflow)?;
        self.fract_micros(fval, scale)
    }

    /// Adds `frac * scale` microseconds, rounded half away from zero
    /// (`AdjustFractMicroseconds`).
    // `scale` is at most a day in microseconds and `usec` a fraction of it: exact in an f64.
    #[allow(clippy::cast_precision_loss)]
    fn fract_micros(&mut self, frac: f64, scale: i64) -> Result<(), DtErr> {
        if frac == 0.0 {
            return Ok(());
        }
        let frac = frac * scale as f64;
        let mut usec = frac as i64;
        let rest = frac - usec as f64;
        if rest > 0.5 {
            usec += 1;
        } else if rest < -0.5 {
            usec -= 1;
        }
        self.usec = self.usec.checked_add(usec).ok_or(DtErr::FieldOverflow)?;
        Ok(())
    }

    /// Adds `frac * scale` days: whole days, then the rest in microseconds (`AdjustFractDays`).
    fn fract_days(&mut self, frac: f64, scale: i32) -> Result<(), DtErr> {
        if frac == 0.0 {
            return Ok(());
        }
        let frac = frac * f64::from(scale);
        let extra = frac as i32;
        self.mday = self.mday.checked_add(extra).ok_or(DtErr::FieldOverflow)?;
        self.fract_micros(frac - f64::from(extra), USECS_PER_DAY)
    }

    /// Adds `frac * scale` years as whole months, rounded (`AdjustFractYears`).
    fn fract_years(&mut self, frac: f64, scale: i32) -> Result<(), DtErr> {
        let extra = rint(frac * f64::from(scale) * 12.0) as i32;
        self.mon = self.mon.checked_add(extra).ok_or(DtErr::FieldOverflow)?;
        Ok(())
    }

    /// Adds `val * scale` days (`AdjustDays`).
    fn days(&mut self, val: i64, scale: i32) -> Result<(), DtErr> {
        self.mday = i32::try_from(val)
            .ok()
            .and_then(|v| v.checked_mul(scale))
            .and_then(|v| self.mday.checked_add(v))
            .ok_or(DtErr::FieldOverflow)?;
        Ok(())
    }

    /// Adds `val` months (`AdjustMonths`).
    fn months(&mut self, val: i64) -> Result<(), DtErr> {
        self.mon = i32::try_from(val)
            .ok()
            .and_then(|v| self.mon.checked_add(v))
            .ok_or(DtErr::FieldOverflow)?;
        Ok(())
    }

    /// Adds `val * scale` years (`AdjustYears`).
    fn years(&mut self, val: i64, scale: i32) -> Result<(), DtErr> {
        self.year = i32::try_from(val)
            .ok()
            .and_then(|v| v.checked_mul(scale))
            .and_then(|v| self.year.checked_add(v))
            .ok_or(DtErr::FieldOverflow)?;
        Ok(())
    }

    /// The value with one unit (`1.5 days`); returns the field's mask.
    fn add_unit(&mut self, unit: Unit, val: i64, fval: f64) -> Result<u32, DtErr> {
        Ok(match unit {
            Unit::Microsec => {
                self.micros(val, fval, 1)?;
                bit::MICROSECOND
            }
            Unit::Millisec => {
                self.micros(val, fval, 1000)?;
                bit::MILLISECOND
            }
            Unit::Second => {
                self.micros(val, fval, USECS_PER_SEC)?;
                // With a fraction, milli- and microseconds count as given too.
                if fval == 0.0 {
                    bit::SECOND
                } else {
                    bit::ALL_SECS
                }
            }
            Unit::Minute => {
                self.micros(val, fval, USECS_PER_MINUTE)?;
                bit::MINUTE
            }
            Unit::Hour => {
                self.micros(val, fval, USECS_PER_HOUR)?;
                bit::HOUR
            }
            Unit::Day => {
                self.days(val, 1)?;
                self.fract_micros(fval, USECS_PER_DAY)?;
                bit::DAY
            }
            Unit::Week => {
                self.days(val, 7)?;
                self.fract_days(fval, 7)?;
                bit::WEEK
            }
            Unit::Month => {
                self.months(val)?;
                self.fract_days(fval, 30)?;
                bit::MONTH
            }
            Unit::Year => {
                self.years(val, 1)?;
                self.fract_years(fval, 1)?;
                bit::YEAR
            }
            Unit::Decade => {
                self.years(val, 10)?;
                self.fract_years(fval, 10)?;
                bit::DECADE
            }
            Unit::Century => {
                self.years(val, 100)?;
                self.fract_years(fval, 100)?;
                bit::CENTURY
            }
            Unit::Millennium => {
                self.years(val, 1000)?;
                self.fract_years(fval, 1000)?;
                bit::MILLENNIUM
            }
            _ => return Err(DtErr::BadFormat),
        })
    }

    /// The stored interval (`itmin2interval`); `None` when the months overflow.
    fn finish(self) -> Option<Interval> {
        let months = i64::from(self.year) * 12 + i64::from(self.mon);
        Some(Interval::new(
            i32::try_from(months).ok()?,
            self.mday,
            self.usec,
        ))
    }
}

/// PostgreSQL's `DecodeTimeForInterval`: `h:m[:s[.f]]` in microseconds.
fn time_for_interval(s: &[u8]) -> Result<i64, DtErr> {
    let (hour, min, sec, usec) = decode_time_common(s)?;
    hour.checked_mul(USECS_PER_HOUR)
        .and_then(|v| v.checked_add(min * USECS_PER_MINUTE))
        .and_then(|v| v.checked_add(sec * USECS_PER_SEC))
        .and_then(|v| v.checked_add(usec))
        .ok_or(DtErr::FieldOverflow)
}

/// PostgreSQL 15's `DecodeInterval`: fields read right to left, units before their numbers.
fn decode_fields(fields: &Fields) -> Result<ItmIn, DtErr> {
    let mut itm = ItmIn::default();
    let mut fmask = 0u32;
    // The unit for the next number to the left; None until a unit or a time is seen.
    let mut unit: Option<Unit> = None;
    let mut ago = false;
    for i in (0..fields.len()).rev() {
        let field = fields.text(i);
        let kind = fields.kind(i);
        let time = match kind {
            Kind::Time => Some(time_for_interval(field)?),
            // A signed `h:m[:s]`; when it is no time, it is read as a number below (and fails).
            Kind::Tz if field.iter().skip(1).any(|&b| b == b':') => {
                match time_for_interval(field.get(1..).unwrap_or_default()) {
                    Ok(usec) if field.first() == Some(&b'-') => Some(-usec),
                    Ok(usec) => Some(usec),
                    Err(_) => None,
                }
            }
            _ => None,
        };
        let tmask = if let Some(usec) = time {
            itm.usec = usec;
            unit = Some(Unit::Day);
            bit::TIME
        } else {
            match kind {
                Kind::Str | Kind::Special => match delta_token(field) {
                    Some(Delta::Ignore) => continue,
                    Some(Delta::Units(u)) => {
                        unit = Some(u);
                        0
                    }
                    Some(Delta::Ago) => {
                        ago = true;
                        unit = Some(Unit::Nothing);
                        0
                    }
                    None => return Err(DtErr::BadFormat),
                },
                _ => {
                    let (val, fval, this_unit) = number(field, unit.unwrap_or(Unit::Second))?;
                    let tmask = itm.add_unit(this_unit, val, fval)?;
                    unit = Some(if this_unit == Unit::Hour {
                        Unit::Day
                    } else {
                        this_unit
                    });
                    tmask
                }
            }
        };
        if tmask & fmask != 0 {
            return Err(DtErr::BadFormat);
        }
        fmask |= tmask;
    }
    if fmask == 0 {
        return Err(DtErr::BadFormat);
    }
    if ago {
        itm.usec = itm.usec.checked_neg().ok_or(DtErr::FieldOverflow)?;
        itm.mday = itm.mday.checked_neg().ok_or(DtErr::FieldOverflow)?;
        itm.mon = itm.mon.checked_neg().ok_or(DtErr::FieldOverflow)?;
        itm.year = itm.year.checked_neg().ok_or(DtErr::FieldOverflow)?;
    }
    Ok(itm)
}

/// A number field of an interval: integer part, fraction, and its unit (`1-2` is in months).
fn number(field: &[u8], unit: Unit) -> Result<(i64, f64, Unit), DtErr> {
    let (val, end, overflow) = strtol(field);
    if overflow {
        return Err(DtErr::FieldOverflow);
    }
    let negative = field.first() == Some(&b'-');
    let rest = field.get(end..).unwrap_or_default();
    match rest.first() {
        Some(b'-') => {
            // SQL's "years-months".
            let after = rest.get(1..).unwrap_or_default();
            let (months, end, overflow) = strtoint(after);
            if overflow || !(0..12).contains(&months) {
                return Err(DtErr::FieldOverflow);
            }
            if end != after.len() {
                return Err(DtErr::BadFormat);
            }
            let months = if negative { -months } else { months };
            let total = val
                .checked_mul(12)
                .and_then(|v| v.checked_add(months))
                .ok_or(DtErr::FieldOverflow)?;
            Ok((total, 0.0, Unit::Month))
        }
        Some(b'.') => {
            let frac = parse_fraction(rest)?;
            Ok((val, if negative { -frac } else { frac }, unit))
        }
        None => Ok((val, 0.0, unit)),
        Some(_) => Err(DtErr::BadFormat),
    }
}

/// PostgreSQL's `ParseISO8601Number`: a decimal (`strtod`), split into integer and fraction.
// The integer part is at most 1e15 in magnitude: exact in an f64.
#[allow(clippy::cast_precision_loss)]
fn iso_number(s: &[u8]) -> Result<(i64, f64, usize), DtErr> {
    if !s
        .first()
        .is_some_and(|&b| b.is_ascii_digit() || b == b'-' || b == b'.')
    {
        return Err(DtErr::BadFormat);
    }
    let (val, end, range_error) = strtod(s);
    if end == 0 || range_error {
        return Err(DtErr::BadFormat);
    }
    if val.is_nan() || !(-1.0e15..=1.0e15).contains(&val) {
        return Err(DtErr::FieldOverflow);
    }
    let ipart = val as i64;
    Ok((ipart, val - ipart as f64, end))
}

/// The integer digits of an ISO 8601 field (sign and fraction left out).
fn iso_width(s: &[u8]) -> usize {
    let s = s.strip_prefix(b"-").unwrap_or(s);
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

/// The byte at `i`, or 0 past the end (C's terminating NUL).
fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

/// PostgreSQL's `DecodeISO8601Interval`: `P1Y2M3DT4H5M6S`, `P0001-02-03T04:05:06`,
/// `P00010203T040506`.
fn decode_iso8601(s: &[u8]) -> Result<ItmIn, DtErr> {
    let mut itm = ItmIn::default();
    if s.len() < 2 || s.first() != Some(&b'P') {
        return Err(DtErr::BadFormat);
    }
    let mut datepart = true;
    let mut havefield = false;
    let mut i = 1;
    while at(s, i) != 0 {
        if at(s, i) == b'T' {
            datepart = false;
            havefield = false;
            i += 1;
            continue;
        }
        let fieldstart = s.get(i..).unwrap_or_default();
        let (val, fval, end) = iso_number(fieldstart)?;
        i += end;
        let unit = at(s, i);
        i += 1;
        if datepart {
            match unit {
                b'Y' => {
                    itm.years(val, 1)?;
                    itm.fract_years(fval, 1)?;
                }
                b'M' => {
                    itm.months(val)?;
                    itm.fract_days(fval, 30)?;
                }
                b'W' => {
                    itm.days(val, 7)?;
                    itm.fract_days(fval, 7)?;
                }
                b'D' => {
                    itm.days(val, 1)?;
                    itm.fract_micros(fval, USECS_PER_DAY)?;
                }
                b'T' | 0 if iso_width(fieldstart) == 8 && !havefield => {
                    // Basic alternative format: YYYYMMDD.
                    itm.years(val / 10000, 1)?;
                    itm.months(val / 100 % 100)?;
                    itm.days(val % 100, 1)?;
                    itm.fract_micros(fval, USECS_PER_DAY)?;
                    if unit == 0 {
                        return Ok(itm);
                    }
                    datepart = false;
                    havefield = false;
                    continue;
                }
                b'T' | 0 | b'-' => {
                    // Extended alternative format: YYYY-MM-DD.
                    if havefield {
                        return Err(DtErr::BadFormat);
                    }
                    itm.years(val, 1)?;
                    itm.fract_years(fval, 1)?;
                    if unit == 0 {
                        return Ok(itm);
                    }
                    if unit == b'T' {
                        datepart = false;
                        havefield = false;
                        continue;
                    }
                    let (val, fval, end) = iso_number(s.get(i..).unwrap_or_default())?;
                    i += end;
                    itm.months(val)?;
                    itm.fract_days(fval, 30)?;
                    match at(s, i) {
                        0 => return Ok(itm),
                        b'T' => {
                            datepart = false;
                            havefield = false;
                            continue;
                        }
                        b'-' => i += 1,
                        _ => return Err(DtErr::BadFormat),
                    }
                    let (val, fval, end) = iso_number(s.get(i..).unwrap_or_default())?;
                    i += end;
                    itm.days(val, 1)?;
                    itm.fract_micros(fval, USECS_PER_DAY)?;
                    match at(s, i) {
                        0 => return Ok(itm),
                        b'T' => {
                            datepart = false;
                            havefield = false;
                            continue;
                        }
                        _ => return Err(DtErr::BadFormat),
                    }
                }
                _ => return Err(DtErr::BadFormat),
            }
        } else {
            match unit {
                b'H' => itm.micros(val, fval, USECS_PER_HOUR)?,
                b'M' => itm.micros(val, fval, USECS_PER_MINUTE)?,
                b'S' => itm.micros(val, fval, USECS_PER_SEC)?,
                0 if iso_width(fieldstart) == 6 && !havefield => {
                    // Basic alternative format: HHMMSS.
                    itm.micros(val / 10000, 0.0, USECS_PER_HOUR)?;
                    itm.micros(val / 100 % 100, 0.0, USECS_PER_MINUTE)?;
                    itm.micros(val % 100, 0.0, USECS_PER_SEC)?;
                    itm.fract_micros(fval, 1)?;
                    return Ok(itm);
                }
                0 | b':' => {
                    // Extended alternative format: HH:MM:SS.
                    if havefield {
                        return Err(DtErr::BadFormat);
                    }
                    itm.micros(val, fval, USECS_PER_HOUR)?;
                    if unit == 0 {
                        return Ok(itm);
                    }
                    let (val, fval, end) = iso_number(s.get(i..).unwrap_or_default())?;
                    i += end;
                    itm.micros(val, fval, USECS_PER_MINUTE)?;
                    match at(s, i) {
                        0 => return Ok(itm),
                        b':' => i += 1,
                        _ => return Err(DtErr::BadFormat),
                    }
                    let (val, fval, end) = iso_number(s.get(i..).unwrap_or_default())?;
                    i += end;
                    itm.micros(val, fval, USECS_PER_SEC)?;
                    return if at(s, i) == 0 {
                        Ok(itm)
                    } else {
                        Err(DtErr::BadFormat)
                    };
                }
                _ => return Err(DtErr::BadFormat),
            }
        }
        havefield = true;
    }
    Ok(itm)
}

/// `interval out of range` (22008): the months do not fit.
const OUT_OF_RANGE: TypeError = TypeError::datetime_overflow(NAME, "interval out of range");
/// `interval field value out of range: "…"` (22015).
const FIELD_OUT_OF_RANGE: TypeError = TypeError::new(
    "22015",
    "interval field value out of range: \"{input}\"",
    NAME,
);

impl Codec for Interval {
    fn decode_text(text: &str) -> Result<Self, TypeError> {
        let decoded = match Fields::parse(text, BUF_INTERVAL).and_then(|f| decode_fields(&f)) {
            Err(DtErr::BadFormat) => decode_iso8601(text.as_bytes()),
            other => other,
        };
        match decoded {
            Ok(itm) => itm.finish().ok_or(OUT_OF_RANGE),
            Err(DtErr::FieldOverflow) => Err(FIELD_OUT_OF_RANGE),
            Err(e) => Err(input_error(e, NAME)),
        }
    }

    fn decode_binary(bytes: &[u8]) -> Result<Self, TypeError> {
        let b: [u8; 16] = fixed(bytes, NAME)?;
        let [m0, m1, m2, m3, m4, m5, m6, m7, d0, d1, d2, d3, n0, n1, n2, n3] = b;
        Ok(Self {
            micros: i64::from_be_bytes([m0, m1, m2, m3, m4, m5, m6, m7]),
            days: i32::from_be_bytes([d0, d1, d2, d3]),
            months: i32::from_be_bytes([n0, n1, n2, n3]),
        })
    }

    fn encode_text<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        write_display(out, self)
    }

    fn encode_binary<B: WriteBuf + ?Sized>(&self, out: &mut B) -> Result<(), BufferFull> {
        let mut b = [0u8; 16];
        let (micros, rest) = b.split_at_mut(8);
        let (days, months) = rest.split_at_mut(4);
        micros.copy_from_slice(&self.micros.to_be_bytes());
        days.copy_from_slice(&self.days.to_be_bytes());
        months.copy_from_slice(&self.months.to_be_bytes());
        out.put_slice(&b)
    }
}

/// Writes one `N unit[s]` part of IntervalStyle postgres (`AddPostgresIntPart`).
fn write_part(
    f: &mut fmt::Formatter<'_>,
    value: i64,
    unit: &str,
    is_zero: &mut bool,
    is_before: &mut bool,
) -> fmt::Result {
    if value == 0 {
        return Ok(());
    }
    let space = if *is_zero { "" } else { " " };
    let plus = if *is_before && value > 0 { "+" } else { "" };
    let plural = if value == 1 { "" } else { "s" };
    write!(f, "{space}{plus}{value} {unit}{plural}")?;
    // Each nonzero part decides whether the next positive one gets a `+`.
    *is_before = value < 0;
    *is_zero = false;
    Ok(())
}

/// Text output, IntervalStyle `postgres` (`interval_out`).
impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let months = i64::from(self.months);
        let mut is_zero = true;
        let mut is_before = false;
        write_part(f, months / 12, "year", &mut is_zero, &mut is_before)?;
        write_part(f, months % 12, "mon", &mut is_zero, &mut is_before)?;
        write_part(f, i64::from(self.days), "day", &mut is_zero, &mut is_before)?;
        if is_zero || self.micros != 0 {
            let minus = self.micros < 0;
            let space = if is_zero { "" } else { " " };
            let sign = if minus {
                "-"
            } else if is_before {
                "+"
            } else {
                ""
            };
            let mut buf = TextBuf::new();
            buf.push_str(space);
            buf.push_str(sign);
            buf.push_time(self.micros);
            f.write_str(buf.as_str())?;
        }
        Ok(())
    }
}

/// Text input, as `interval_in` reads it.
impl FromStr for Interval {
    type Err = TypeError;

    fn from_str(s: &str) -> Result<Self, TypeError> {
        Self::decode_text(s)
    }
}

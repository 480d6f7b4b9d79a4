//! Date/time text input as PostgreSQL 15 reads it: the field splitter (`ParseDateTime`) and the
//! decoders for dates and timestamps (`DecodeDateTime`) and times (`DecodeTimeOnly`), with their
//! helpers. Works on bytes with fixed buffers, so it needs no allocation.
//!
//! PostgreSQL's rules are kept, quirks included, because clients rely on what the server accepts:
//! field masks reject repeated fields, `DateStyle` is `ISO, MDY`, two-digit years are 1970..2069,
//! unit prefixes such as `y2024m02d29` and Julian days (`J2451545`) are read.

use super::calendar::{
    date2j, days_in_month, j2date, rint, USECS_PER_DAY, USECS_PER_HOUR, USECS_PER_MINUTE,
    USECS_PER_SEC,
};
use super::zones::{self, Abbrev, Zone};

/// Why date/time text was rejected: PostgreSQL's `DTERR_*` codes, plus the cases this crate
/// cannot answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DtErr {
    /// `invalid input syntax for type …` (22007).
    BadFormat,
    /// `date/time field value out of range` (22008; 22015 for intervals).
    FieldOverflow,
    /// `time zone displacement out of range` (22009).
    TzDispOverflow,
    /// `time zone "…" not recognized` (22023): a zone that needs the time zone database.
    BadTimezone,
    /// `now`, `today`, `tomorrow`, `yesterday`: they need a clock, which the core has not.
    NeedsClock,
}

/// The most fields PostgreSQL splits an input into (`MAXDATEFIELDS`).
const MAX_FIELDS: usize = 25;
/// PostgreSQL's work buffer for `date`, `time` and `timetz` input (`MAXDATELEN + 1`).
pub(crate) const BUF_DATE: usize = 129;
/// PostgreSQL's work buffer for `timestamp` and `timestamptz` input (`MAXDATELEN + MAXDATEFIELDS`).
pub(crate) const BUF_TIMESTAMP: usize = 153;
/// PostgreSQL's work buffer for `interval` input.
pub(crate) const BUF_INTERVAL: usize = 256;

/// Field-type bits, PostgreSQL's `DTK_M(…)`: which parts of a value a field has set.
pub(crate) mod bit {
    /// A reserved word (`epoch`, `infinity`).
    pub const RESERV: u32 = 1 << 0;
    /// Month.
    pub const MONTH: u32 = 1 << 1;
    /// Year.
    pub const YEAR: u32 = 1 << 2;
    /// Day of month.
    pub const DAY: u32 = 1 << 3;
    /// Time zone.
    pub const TZ: u32 = 1 << 5;
    /// Daylight-saving zone.
    pub const DTZ: u32 = 1 << 6;
    /// Zone abbreviation whose offset depends on the date.
    pub const DYNTZ: u32 = 1 << 7;
    /// AM / PM.
    pub const AMPM: u32 = 1 << 9;
    /// Hour.
    pub const HOUR: u32 = 1 << 10;
    /// Minute.
    pub const MINUTE: u32 = 1 << 11;
    /// Second.
    pub const SECOND: u32 = 1 << 12;
    /// Millisecond.
    pub const MILLISECOND: u32 = 1 << 13;
    /// Microsecond.
    pub const MICROSECOND: u32 = 1 << 14;
    /// Day of year.
    pub const DOY: u32 = 1 << 15;
    /// Day of week.
    pub const DOW: u32 = 1 << 16;
    /// AD / BC.
    pub const ADBC: u32 = 1 << 18;
    /// Week (intervals).
    pub const WEEK: u32 = 1 << 24;
    /// Decade (intervals).
    pub const DECADE: u32 = 1 << 25;
    /// Century (intervals).
    pub const CENTURY: u32 = 1 << 26;
    /// Millennium (intervals).
    pub const MILLENNIUM: u32 = 1 << 27;
    /// The `DST` modifier.
    pub const DTZMOD: u32 = 1 << 28;
    /// A whole date.
    pub const DATE: u32 = YEAR | MONTH | DAY;
    /// Any seconds field.
    pub const ALL_SECS: u32 = SECOND | MILLISECOND | MICROSECOND;
    /// A whole time of day.
    pub const TIME: u32 = HOUR | MINUTE | ALL_SECS;
}

/// What kind of token `ParseDateTime` made of a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Digits, perhaps with one `.`.
    Number,
    /// Digits with two delimiters, or digits and text (`2024-02-29`, `feb-29`, `america/x`).
    Date,
    /// Digits with colons (`12:34:56.7`).
    Time,
    /// Letters.
    Str,
    /// A sign and letters (`-infinity`).
    Special,
    /// A sign and digits (`+02:00`, `-1.5`).
    Tz,
}

/// The input split into lower-cased fields, as PostgreSQL's `ParseDateTime` does.
pub(crate) struct Fields {
    /// The fields' text, back to back.
    buf: [u8; BUF_INTERVAL],
    /// Each field's start, end and kind.
    spans: [(usize, usize, Kind); MAX_FIELDS],
    /// How many fields there are.
    count: usize,
}

/// Appends to a [`Fields`] buffer, failing as PostgreSQL's `APPEND_CHAR` does when it is full.
struct Appender<'a> {
    /// The buffer.
    buf: &'a mut [u8; BUF_INTERVAL],
    /// Bytes used, field terminators included.
    used: usize,
    /// PostgreSQL's buffer size for this type.
    cap: usize,
}

impl Appender<'_> {
    /// Appends one (lower-cased) byte.
    fn push(&mut self, b: u8) -> Result<(), DtErr> {
        if self.used + 1 >= self.cap {
            return Err(DtErr::BadFormat);
        }
        if let Some(slot) = self.buf.get_mut(self.used) {
            *slot = b.to_ascii_lowercase();
        }
        self.used += 1;
        Ok(())
    }
}

/// C's `isspace` in the C locale.
pub(crate) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

/// The byte at `i`, or 0 past the end (C's terminating NUL).
fn at(s: &[u8], i: usize) -> u8 {
    s.get(i).copied().unwrap_or(0)
}

impl Fields {
    /// Splits `text` into fields; `cap` is PostgreSQL's work buffer size for the type.
    pub(crate) fn parse(text: &str, cap: usize) -> Result<Self, DtErr> {
        let s = text.as_bytes();
        let mut buf = [0u8; BUF_INTERVAL];
        let mut spans = [(0, 0, Kind::Number); MAX_FIELDS];
        let mut count = 0;
        let mut out = Appender {
            buf: &mut buf,
            used: 0,
            cap: cap.min(BUF_INTERVAL),
        };
        let mut i = 0;
        while i < s.len() {
            let c = at(s, i);
            if is_space(c) {
                i += 1;
                continue;
            }
            if count >= MAX_FIELDS {
                return Err(DtErr::BadFormat);
            }
            if c.is_ascii_punctuation() && !matches!(c, b'.' | b'+' | b'-') {
                i += 1;
                continue;
            }
            let start = out.used;
            let kind = if c.is_ascii_digit() {
                Self::digits_field(s, &mut i, &mut out)?
            } else if c == b'.' {
                out.push(c)?;
                i += 1;
                while at(s, i).is_ascii_digit() {
                    out.push(at(s, i))?;
                    i += 1;
                }
                Kind::Number
            } else if c.is_ascii_alphabetic() {
                Self::letters_field(s, &mut i, &mut out, start)?
            } else if c == b'+' || c == b'-' {
                out.push(c)?;
                i += 1;
                while is_space(at(s, i)) {
                    i += 1;
                }
                if at(s, i).is_ascii_digit() {
                    while matches!(at(s, i), b'0'..=b'9' | b':' | b'.' | b'-') {
                        out.push(at(s, i))?;
                        i += 1;
                    }
                    Kind::Tz
                } else if at(s, i).is_ascii_alphabetic() {
                    while at(s, i).is_ascii_alphabetic() {
                        out.push(at(s, i))?;
                        i += 1;
                    }
                    Kind::Special
                } else {
                    return Err(DtErr::BadFormat);
                }
            } else {
                return Err(DtErr::BadFormat);
            };
            if let Some(span) = spans.get_mut(count) {
                *span = (start, out.used, kind);
            }
            count += 1;
            // The field's terminating NUL.
            out.used += 1;
        }
        Ok(Self { buf, spans, count })
    }

    /// A field that starts with a digit: a number, a date or a time.
    fn digits_field(s: &[u8], i: &mut usize, out: &mut Appender<'_>) -> Result<Kind, DtErr> {
        while at(s, *i).is_ascii_digit() {
            out.push(at(s, *i))?;
            *i += 1;
        }
        let c = at(s, *i);
        if c == b':' {
            while matches!(at(s, *i), b'0'..=b'9' | b':' | b'.') {
                out.push(at(s, *i))?;
                *i += 1;
            }
            return Ok(Kind::Time);
        }
        if !matches!(c, b'-' | b'/' | b'.') {
            return Ok(Kind::Number);
        }
        let delim = c;
        out.push(c)?;
        *i += 1;
        if !at(s, *i).is_ascii_digit() {
            while at(s, *i).is_ascii_alphanumeric() || at(s, *i) == delim {
                out.push(at(s, *i))?;
                *i += 1;
            }
            return Ok(Kind::Date);
        }
        let mut kind = if delim == b'.' {
            Kind::Number
        } else {
            Kind::Date
        };
        while at(s, *i).is_ascii_digit() {
            out.push(at(s, *i))?;
            *i += 1;
        }
        if at(s, *i) == delim {
            kind = Kind::Date;
            while at(s, *i).is_ascii_digit() || at(s, *i) == delim {
                out.push(at(s, *i))?;
                *i += 1;
            }
        }
        Ok(kind)
    }

    /// A field that starts with a letter: a word, or a zone name / text date with punctuation.
    fn letters_field(
        s: &[u8],
        i: &mut usize,
        out: &mut Appender<'_>,
        start: usize,
    ) -> Result<Kind, DtErr> {
        while at(s, *i).is_ascii_alphabetic() {
            out.push(at(s, *i))?;
            *i += 1;
        }
        let next = at(s, *i);
        let is_date = match next {
            b'-' | b'/' | b'.' => true,
            b'+' | b'0'..=b'9' => {
                let word = out.buf.get(start..out.used).unwrap_or_default();
                date_token(word).is_none()
            }
            _ => false,
        };
        if !is_date {
            return Ok(Kind::Str);
        }
        loop {
            out.push(at(s, *i))?;
            *i += 1;
            if !matches!(at(s, *i), b'+' | b'-' | b'/' | b'_' | b'.' | b':')
                && !at(s, *i).is_ascii_alphanumeric()
            {
                break;
            }
        }
        Ok(Kind::Date)
    }

    /// How many fields there are.
    pub(crate) fn len(&self) -> usize {
        self.count
    }

    /// The kind of field `i`.
    pub(crate) fn kind(&self, i: usize) -> Kind {
        self.spans.get(i).map_or(Kind::Number, |s| s.2)
    }

    /// The lower-cased text of field `i`.
    pub(crate) fn text(&self, i: usize) -> &[u8] {
        self.spans
            .get(i)
            .and_then(|&(a, b, _)| self.buf.get(a..b))
            .unwrap_or_default()
    }
}

// ---------------------------------------------------------------------------------------------
// Numbers, as C's strtol / strtod / atoi read them.

/// C's `strtol` (base 10): white space, a sign, digits. Returns the value (saturated), the index
/// past the digits (0 when there are none, as C leaves the end pointer at the start) and whether
/// it overflowed (`ERANGE`).
pub(crate) fn strtol(s: &[u8]) -> (i64, usize, bool) {
    let mut i = 0;
    while is_space(at(s, i)) {
        i += 1;
    }
    let negative = at(s, i) == b'-';
    if matches!(at(s, i), b'-' | b'+') {
        i += 1;
    }
    let digits_start = i;
    let mut value: i64 = 0;
    let mut overflow = false;
    while let Some(d) = s.get(i).filter(|b| b.is_ascii_digit()) {
        let digit = i64::from(d - b'0');
        let next = value.checked_mul(10).and_then(|v| {
            if negative {
                v.checked_sub(digit)
            } else {
                v.checked_add(digit)
            }
        });
        if let Some(v) = next {
            value = v;
        } else {
            overflow = true;
            value = if negative { i64::MIN } else { i64::MAX };
        }
        i += 1;
    }
    if i == digits_start {
        return (0, 0, false);
    }
    (value, i, overflow)
}

/// PostgreSQL's `strtoint`: `strtol`, with `ERANGE` outside the `int` range.
pub(crate) fn strtoint(s: &[u8]) -> (i64, usize, bool) {
    let (v, end, overflow) = strtol(s);
    (v, end, overflow || i32::try_from(v).is_err())
}

/// C's `atoi`: `strtol` cut to an `int`, without any error.
fn atoi(s: &[u8]) -> i64 {
    i64::from(strtol(s).0 as i32)
}

/// C's `strtod` (decimal forms, `inf`, `infinity`, `nan`): the value, the index past the number
/// (0 when there is none) and whether it over- or underflowed (`ERANGE`).
pub(crate) fn strtod(s: &[u8]) -> (f64, usize, bool) {
    let mut i = 0;
    while is_space(at(s, i)) {
        i += 1;
    }
    let number_start = i;
    if matches!(at(s, i), b'-' | b'+') {
        i += 1;
    }
    let rest = s.get(i..).unwrap_or_default();
    let word = |w: &[u8]| {
        rest.get(..w.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(w))
    };
    let (end, special) = if word(b"infinity") {
        (i + 8, true)
    } else if word(b"inf") || word(b"nan") {
        (i + 3, true)
    } else {
        let mut j = i;
        let mut digits = 0;
        while at(s, j).is_ascii_digit() {
            digits += 1;
            j += 1;
        }
        if at(s, j) == b'.' {
            j += 1;
            while at(s, j).is_ascii_digit() {
                digits += 1;
                j += 1;
            }
        }
        if digits == 0 {
            return (0.0, 0, false);
        }
        if matches!(at(s, j), b'e' | b'E') {
            let mut k = j + 1;
            if matches!(at(s, k), b'-' | b'+') {
                k += 1;
            }
            if at(s, k).is_ascii_digit() {
                while at(s, k).is_ascii_digit() {
                    k += 1;
                }
                j = k;
            }
        }
        (j, false)
    };
    let text = s.get(number_start..end).unwrap_or_default();
    let value = core::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse::<f64>().ok())
        .unwrap_or(0.0);
    // glibc reports ERANGE for overflow and for results too small to be normal.
    let tiny = value > -f64::MIN_POSITIVE && value < f64::MIN_POSITIVE;
    let range_error = !special && (value.is_infinite() || (tiny && !mantissa_zero(text)));
    (value, end, range_error)
}

/// Whether a decimal number's mantissa (before any exponent) is all zeros.
fn mantissa_zero(text: &[u8]) -> bool {
    text.iter()
        .take_while(|&&b| b != b'e' && b != b'E')
        .all(|&b| !(b'1'..=b'9').contains(&b))
}

/// PostgreSQL's `ParseFraction`: `.` and digits to the end of the field.
pub(crate) fn parse_fraction(s: &[u8]) -> Result<f64, DtErr> {
    if s.len() == 1 {
        return Ok(0.0);
    }
    let (v, end, range_error) = strtod(s);
    if end != s.len() || end == 0 || range_error {
        return Err(DtErr::BadFormat);
    }
    Ok(v)
}

/// PostgreSQL's `ParseFractionalSecond`: the fraction in whole microseconds.
fn parse_fractional_second(s: &[u8]) -> Result<i64, DtErr> {
    Ok(rint(parse_fraction(s)? * 1_000_000.0) as i64)
}

// ---------------------------------------------------------------------------------------------
// Keywords.

/// Units named in input (`DTK_YEAR`, …); also the interval units.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Unit {
    /// Microseconds.
    Microsec,
    /// Milliseconds.
    Millisec,
    /// Seconds.
    Second,
    /// Minutes.
    Minute,
    /// Hours.
    Hour,
    /// Days.
    Day,
    /// Weeks.
    Week,
    /// Months.
    Month,
    /// Quarters (accepted as a word, rejected as an interval unit).
    Quarter,
    /// Years.
    Year,
    /// Decades.
    Decade,
    /// Centuries.
    Century,
    /// Millennia.
    Millennium,
    /// `j`: a Julian day follows.
    Julian,
    /// `t`: a time follows.
    Time,
    /// A unit PostgreSQL knows but does not read here (`dow`, `timezone`, …).
    Other,
    /// The state after `ago` in an interval: no unit applies.
    Nothing,
}

/// PostgreSQL's reserved words (`RESERV` tokens).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Reserved {
    /// `-infinity`.
    Early,
    /// `infinity`.
    Late,
    /// `epoch`.
    Epoch,
    /// `allballs`: 00:00:00 UTC.
    Zulu,
    /// `now`.
    Now,
    /// `today`.
    Today,
    /// `tomorrow`.
    Tomorrow,
    /// `yesterday`.
    Yesterday,
}

/// A keyword of PostgreSQL's `datetktbl`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    /// A reserved word.
    Reserved(Reserved),
    /// A month name.
    Month(i64),
    /// A day name.
    Dow,
    /// `ad` (false) or `bc` (true).
    AdBc(bool),
    /// `am` (false) or `pm` (true).
    AmPm(bool),
    /// `at`, `on`: ignored.
    Ignore,
    /// A unit prefix (`y`, `m`, `d`, `h`, `mm`, `s`, `j`, …).
    Units(Unit),
    /// `t`, the ISO date/time separator.
    IsoTime,
    /// `dst`.
    DstMod,
}

/// PostgreSQL 15's `datetktbl`, sorted.
const DATE_TOKENS: &[(&str, Token)] = &[
    ("-infinity", Token::Reserved(Reserved::Early)),
    ("ad", Token::AdBc(false)),
    ("allballs", Token::Reserved(Reserved::Zulu)),
    ("am", Token::AmPm(false)),
    ("apr", Token::Month(4)),
    ("april", Token::Month(4)),
    ("at", Token::Ignore),
    ("aug", Token::Month(8)),
    ("august", Token::Month(8)),
    ("bc", Token::AdBc(true)),
    ("d", Token::Units(Unit::Day)),
    ("dec", Token::Month(12)),
    ("december", Token::Month(12)),
    ("dow", Token::Units(Unit::Other)),
    ("doy", Token::Units(Unit::Other)),
    ("dst", Token::DstMod),
    ("epoch", Token::Reserved(Reserved::Epoch)),
    ("feb", Token::Month(2)),
    ("february", Token::Month(2)),
    ("fri", Token::Dow),
    ("friday", Token::Dow),
    ("h", Token::Units(Unit::Hour)),
    ("infinity", Token::Reserved(Reserved::Late)),
    ("isodow", Token::Units(Unit::Other)),
    ("isoyear", Token::Units(Unit::Other)),
    ("j", Token::Units(Unit::Julian)),
    ("jan", Token::Month(1)),
    ("january", Token::Month(1)),
    ("jd", Token::Units(Unit::Julian)),
    ("jul", Token::Month(7)),
    ("julian", Token::Units(Unit::Julian)),
    ("july", Token::Month(7)),
    ("jun", Token::Month(6)),
    ("june", Token::Month(6)),
    ("m", Token::Units(Unit::Month)),
    ("mar", Token::Month(3)),
    ("march", Token::Month(3)),
    ("may", Token::Month(5)),
    ("mm", Token::Units(Unit::Minute)),
    ("mon", Token::Dow),
    ("monday", Token::Dow),
    ("nov", Token::Month(11)),
    ("november", Token::Month(11)),
    ("now", Token::Reserved(Reserved::Now)),
    ("oct", Token::Month(10)),
    ("october", Token::Month(10)),
    ("on", Token::Ignore),
    ("pm", Token::AmPm(true)),
    ("s", Token::Units(Unit::Second)),
    ("sat", Token::Dow),
    ("saturday", Token::Dow),
    ("sep", Token::Month(9)),
    ("sept", Token::Month(9)),
    ("september", Token::Month(9)),
    ("sun", Token::Dow),
    ("sunday", Token::Dow),
    ("t", Token::IsoTime),
    ("thu", Token::Dow),
    ("thur", Token::Dow),
    ("thurs", Token::Dow),
    ("thursday", Token::Dow),
    ("today", Token::Reserved(Reserved::Today)),
    ("tomorrow", Token::Reserved(Reserved::Tomorrow)),
    ("tue", Token::Dow),
    ("tues", Token::Dow),
    ("tuesday", Token::Dow),
    ("wed", Token::Dow),
    ("wednesday", Token::Dow),
    ("weds", Token::Dow),
    ("y", Token::Units(Unit::Year)),
    ("yesterday", Token::Reserved(Reserved::Yesterday)),
];

/// A keyword of PostgreSQL's `deltatktbl` (interval units).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Delta {
    /// `@`: ignored.
    Ignore,
    /// `ago`: negates the interval.
    Ago,
    /// A unit.
    Units(Unit),
}

/// PostgreSQL 15's `deltatktbl`, sorted.
const DELTA_TOKENS: &[(&str, Delta)] = &[
    ("@", Delta::Ignore),
    ("ago", Delta::Ago),
    ("c", Delta::Units(Unit::Century)),
    ("cent", Delta::Units(Unit::Century)),
    ("centuries", Delta::Units(Unit::Century)),
    ("century", Delta::Units(Unit::Century)),
    ("d", Delta::Units(Unit::Day)),
    ("day", Delta::Units(Unit::Day)),
    ("days", Delta::Units(Unit::Day)),
    ("dec", Delta::Units(Unit::Decade)),
    ("decade", Delta::Units(Unit::Decade)),
    ("decades", Delta::Units(Unit::Decade)),
    ("decs", Delta::Units(Unit::Decade)),
    ("h", Delta::Units(Unit::Hour)),
    ("hour", Delta::Units(Unit::Hour)),
    ("hours", Delta::Units(Unit::Hour)),
    ("hr", Delta::Units(Unit::Hour)),
    ("hrs", Delta::Units(Unit::Hour)),
    ("m", Delta::Units(Unit::Minute)),
    ("microsecon", Delta::Units(Unit::Microsec)),
    ("mil", Delta::Units(Unit::Millennium)),
    ("millennia", Delta::Units(Unit::Millennium)),
    ("millennium", Delta::Units(Unit::Millennium)),
    ("millisecon", Delta::Units(Unit::Millisec)),
    ("mils", Delta::Units(Unit::Millennium)),
    ("min", Delta::Units(Unit::Minute)),
    ("mins", Delta::Units(Unit::Minute)),
    ("minute", Delta::Units(Unit::Minute)),
    ("minutes", Delta::Units(Unit::Minute)),
    ("mon", Delta::Units(Unit::Month)),
    ("mons", Delta::Units(Unit::Month)),
    ("month", Delta::Units(Unit::Month)),
    ("months", Delta::Units(Unit::Month)),
    ("ms", Delta::Units(Unit::Millisec)),
    ("msec", Delta::Units(Unit::Millisec)),
    ("msecond", Delta::Units(Unit::Millisec)),
    ("mseconds", Delta::Units(Unit::Millisec)),
    ("msecs", Delta::Units(Unit::Millisec)),
    ("qtr", Delta::Units(Unit::Quarter)),
    ("quarter", Delta::Units(Unit::Quarter)),
    ("s", Delta::Units(Unit::Second)),
    ("sec", Delta::Units(Unit::Second)),
    ("second", Delta::Units(Unit::Second)),
    ("seconds", Delta::Units(Unit::Second)),
    ("secs", Delta::Units(Unit::Second)),
    ("timezone", Delta::Units(Unit::Other)),
    ("timezone_h", Delta::Units(Unit::Other)),
    ("timezone_m", Delta::Units(Unit::Other)),
    ("us", Delta::Units(Unit::Microsec)),
    ("usec", Delta::Units(Unit::Microsec)),
    ("usecond", Delta::Units(Unit::Microsec)),
    ("useconds", Delta::Units(Unit::Microsec)),
    ("usecs", Delta::Units(Unit::Microsec)),
    ("w", Delta::Units(Unit::Week)),
    ("week", Delta::Units(Unit::Week)),
    ("weeks", Delta::Units(Unit::Week)),
    ("y", Delta::Units(Unit::Year)),
    ("year", Delta::Units(Unit::Year)),
    ("years", Delta::Units(Unit::Year)),
    ("yr", Delta::Units(Unit::Year)),
    ("yrs", Delta::Units(Unit::Year)),
];

/// PostgreSQL compares keywords on their first 10 characters (`TOKMAXLEN`).
const TOKMAXLEN: usize = 10;

/// Finds `key` in a keyword table as PostgreSQL's `datebsearch` does.
fn lookup<T: Copy>(table: &[(&str, T)], key: &[u8]) -> Option<T> {
    table.iter().find_map(|&(token, value)| {
        let token = token.as_bytes();
        let hit = if token.len() >= TOKMAXLEN {
            key.get(..TOKMAXLEN) == token.get(..TOKMAXLEN)
        } else {
            key == token
        };
        hit.then_some(value)
    })
}

/// A date/time keyword.
fn date_token(key: &[u8]) -> Option<Token> {
    lookup(DATE_TOKENS, key)
}

/// An interval keyword.
pub(crate) fn delta_token(key: &[u8]) -> Option<Delta> {
    lookup(DELTA_TOKENS, key)
}

// ---------------------------------------------------------------------------------------------
// Decoding.

/// Broken-down date and time, PostgreSQL's `struct pg_tm` (astronomical years).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tm {
    /// Year (0 is 1 BC).
    pub year: i64,
    /// Month, 1..=12.
    pub mon: i64,
    /// Day of month.
    pub mday: i64,
    /// Hour.
    pub hour: i64,
    /// Minute.
    pub min: i64,
    /// Second.
    pub sec: i64,
    /// Microseconds.
    pub usec: i64,
    /// Day of year, while a `yyyy.ddd` date is read.
    yday: i64,
}

impl Tm {
    /// The fields of `year-mon-mday hour:min:sec.usec`.
    pub(crate) fn new(date: (i64, i64, i64), time: (i64, i64, i64, i64)) -> Self {
        let ((year, mon, mday), (hour, min, sec, usec)) = (date, time);
        Self {
            year,
            mon,
            mday,
            hour,
            min,
            sec,
            usec,
            yday: 0,
        }
    }

    /// Microseconds since midnight (`time2t`), whose seconds PostgreSQL computes in a C `int`
    /// (wrapping for absurd hours such as `h2147483647`).
    pub(crate) fn time_of_day(&self) -> i64 {
        let secs = (self.hour as i32)
            .wrapping_mul(60)
            .wrapping_add(self.min as i32)
            .wrapping_mul(60)
            .wrapping_add(self.sec as i32);
        i64::from(secs) * USECS_PER_SEC + self.usec
    }
}

/// What a date/time input denotes (PostgreSQL's `dtype`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Special {
    /// An ordinary date and time.
    None,
    /// `epoch`.
    Epoch,
    /// `infinity`.
    Late,
    /// `-infinity`.
    Early,
}

/// A decoded date/time input.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Decoded {
    /// Ordinary or special.
    pub special: Special,
    /// The fields.
    pub tm: Tm,
    /// The zone, in seconds west of UTC (PostgreSQL's sign); 0 (UTC) when none was given;
    /// `None` for a zone whose offset needs the time zone database.
    pub tz: Option<i64>,
}

/// Which of PostgreSQL's two decoders runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// `DecodeDateTime` (date, timestamp, timestamptz).
    DateTime,
    /// `DecodeTimeOnly` (time, timetz).
    TimeOnly,
}

/// The decoder's working state (PostgreSQL's local variables, flags included).
#[allow(clippy::struct_excessive_bools)]
struct Decoder<'a> {
    /// The fields.
    fields: &'a Fields,
    /// Which decoder.
    mode: Mode,
    /// Fields seen so far.
    fmask: u32,
    /// A unit prefix waiting for its number.
    ptype: Option<Unit>,
    /// `am` (Some(false)), `pm` (Some(true)) or 24-hour (None).
    meridian: Option<bool>,
    /// A month was named in letters.
    text_month: bool,
    /// The date came from a Julian day.
    julian: bool,
    /// The year had one or two digits.
    two_digit_year: bool,
    /// `BC` was given.
    bc: bool,
    /// A full zone name.
    named_tz: Option<Zone>,
    /// A zone abbreviation whose offset depends on the date (`msk`).
    dynamic_abbrev: bool,
    /// A keyword needing the clock was used.
    needs_clock: bool,
    /// The result so far.
    out: Decoded,
}

/// Decodes a date or timestamp (PostgreSQL 15's `DecodeDateTime`).
pub(crate) fn decode_datetime(fields: &Fields) -> Result<Decoded, DtErr> {
    Decoder::new(fields, Mode::DateTime).run()
}

/// Decodes a time of day (PostgreSQL 15's `DecodeTimeOnly`).
pub(crate) fn decode_time_only(fields: &Fields) -> Result<Decoded, DtErr> {
    Decoder::new(fields, Mode::TimeOnly).run()
}

/// PostgreSQL's `time_overflows`: the fields are out of range or past 24:00:00.
fn time_overflows(hour: i64, min: i64, sec: i64, usec: i64) -> bool {
    if !(0..=24).contains(&hour)
        || !(0..60).contains(&min)
        || !(0..=60).contains(&sec)
        || !(0..=USECS_PER_SEC).contains(&usec)
    {
        return true;
    }
    ((hour * 60 + min) * 60 + sec) * USECS_PER_SEC + usec > USECS_PER_DAY
}

impl<'a> Decoder<'a> {
    /// A fresh state.
    fn new(fields: &'a Fields, mode: Mode) -> Self {
        Self {
            fields,
            mode,
            fmask: 0,
            ptype: None,
            meridian: None,
            text_month: false,
            julian: false,
            two_digit_year: false,
            bc: false,
            named_tz: None,
            dynamic_abbrev: false,
            needs_clock: false,
            out: Decoded {
                special: Special::None,
                tm: Tm::default(),
                tz: Some(0),
            },
        }
    }

    /// Runs over every field, then validates.
    fn run(mut self) -> Result<Decoded, DtErr> {
        for i in 0..self.fields.len() {
            let tmask = match self.fields.kind(i) {
                Kind::Date => self.date_field(i)?,
                Kind::Time => self.time_field(i)?,
                Kind::Tz => {
                    self.out.tz = Some(decode_timezone(self.fields.text(i))?);
                    bit::TZ
                }
                Kind::Number => self.number_field(i)?,
                Kind::Str | Kind::Special => match self.word_field(i)? {
                    Some(tmask) => tmask,
                    None => continue,
                },
            };
            if tmask & self.fmask != 0 {
                return Err(DtErr::BadFormat);
            }
            self.fmask |= tmask;
        }
        match self.mode {
            Mode::DateTime => self.finish_datetime()?,
            Mode::TimeOnly => self.finish_time()?,
        }
        if self.needs_clock {
            return Err(DtErr::NeedsClock);
        }
        Ok(self.out)
    }

    /// A `Kind::Date` field.
    fn date_field(&mut self, i: usize) -> Result<u32, DtErr> {
        let field = self.fields.text(i);
        if self.mode == Mode::DateTime && self.ptype == Some(Unit::Julian) {
            // A Julian day with a zone attached (`j2451545-08`).
            let (jday, end, overflow) = strtoint(field);
            if overflow || jday < 0 {
                return Err(DtErr::FieldOverflow);
            }
            self.set_julian(jday);
            self.out.tz = Some(decode_timezone(field.get(end..).unwrap_or_default())?);
            self.ptype = None;
            return Ok(bit::DATE | bit::TIME | bit::TZ);
        }
        let date_here = match self.mode {
            Mode::DateTime => {
                self.ptype.is_none()
                    && self.fmask & (bit::MONTH | bit::DAY) != (bit::MONTH | bit::DAY)
            }
            Mode::TimeOnly => {
                let n = self.fields.len();
                i == 0
                    && n >= 2
                    && (self.fields.kind(n - 1) == Kind::Date || self.fields.kind(1) == Kind::Time)
            }
        };
        if date_here {
            return decode_date(
                field,
                self.fmask,
                &mut self.two_digit_year,
                &mut self.out.tm,
            );
        }
        let starts_with_digit = field.first().is_some_and(u8::is_ascii_digit);
        if starts_with_digit || (self.mode == Mode::DateTime && self.ptype.is_some()) {
            // A run-together time with a zone (`134500-08`), perhaps after `t`.
            if self.mode == Mode::DateTime {
                if let Some(unit) = self.ptype.take() {
                    if unit != Unit::Time {
                        return Err(DtErr::BadFormat);
                    }
                }
            }
            if self.fmask & bit::TIME == bit::TIME {
                return Err(DtErr::BadFormat);
            }
            let dash = field
                .iter()
                .position(|&b| b == b'-')
                .ok_or(DtErr::BadFormat)?;
            self.out.tz = Some(decode_timezone(field.get(dash..).unwrap_or_default())?);
            let fmask = match self.mode {
                Mode::DateTime => self.fmask,
                Mode::TimeOnly => self.fmask | bit::DATE,
            };
            let (tmask, _) = decode_number_field(
                field.get(..dash).unwrap_or_default(),
                fmask,
                &mut self.out.tm,
                &mut self.two_digit_year,
            )?;
            return Ok(tmask | bit::TZ);
        }
        self.named_tz = Some(zones::named_zone(field).ok_or(DtErr::BadTimezone)?);
        Ok(bit::TZ)
    }

    /// A `Kind::Time` field.
    fn time_field(&mut self, i: usize) -> Result<u32, DtErr> {
        // After `t`, a time is expected; PostgreSQL 15's DecodeTimeOnly leaves the prefix set.
        if self.mode == Mode::DateTime {
            if let Some(unit) = self.ptype.take() {
                if unit != Unit::Time {
                    return Err(DtErr::BadFormat);
                }
            }
        }
        let (hour, min, sec, usec) = decode_time_common(self.fields.text(i))?;
        if hour > i64::from(i32::MAX) {
            return Err(DtErr::FieldOverflow);
        }
        let tm = &mut self.out.tm;
        (tm.hour, tm.min, tm.sec, tm.usec) = (hour, min, sec, usec);
        if self.mode == Mode::DateTime && time_overflows(hour, min, sec, usec) {
            return Err(DtErr::FieldOverflow);
        }
        Ok(bit::TIME)
    }

    /// A `Kind::Number` field.
    fn number_field(&mut self, i: usize) -> Result<u32, DtErr> {
        let field = self.fields.text(i);
        if let Some(unit) = self.ptype {
            return self.labelled_number(field, unit);
        }
        let dot = field.iter().position(|&b| b == b'.');
        let flen = field.len();
        match self.mode {
            Mode::DateTime => {
                if dot.is_some() && self.fmask & bit::DATE == 0 {
                    decode_date(
                        field,
                        self.fmask,
                        &mut self.two_digit_year,
                        &mut self.out.tm,
                    )
                } else if dot.is_some_and(|d| d > 2)
                    || (flen >= 6 && (self.fmask & bit::DATE == 0 || self.fmask & bit::TIME == 0))
                {
                    Ok(decode_number_field(
                        field,
                        self.fmask,
                        &mut self.out.tm,
                        &mut self.two_digit_year,
                    )?
                    .0)
                } else {
                    decode_number(
                        field,
                        self.text_month,
                        self.fmask,
                        &mut self.out.tm,
                        &mut self.two_digit_year,
                    )
                }
            }
            Mode::TimeOnly => {
                let n = self.fields.len();
                if let Some(d) = dot {
                    if i == 0 && n >= 2 && self.fields.kind(n - 1) == Kind::Date {
                        decode_date(
                            field,
                            self.fmask,
                            &mut self.two_digit_year,
                            &mut self.out.tm,
                        )
                    } else if d > 2 {
                        Ok(decode_number_field(
                            field,
                            self.fmask | bit::DATE,
                            &mut self.out.tm,
                            &mut self.two_digit_year,
                        )?
                        .0)
                    } else {
                        Err(DtErr::BadFormat)
                    }
                } else if flen > 4 {
                    Ok(decode_number_field(
                        field,
                        self.fmask | bit::DATE,
                        &mut self.out.tm,
                        &mut self.two_digit_year,
                    )?
                    .0)
                } else {
                    decode_number(
                        field,
                        false,
                        self.fmask | bit::DATE,
                        &mut self.out.tm,
                        &mut self.two_digit_year,
                    )
                }
            }
        }
    }

    /// A number after a unit prefix (`y2024`, `h10`, `j2451545`, `t134500`).
    fn labelled_number(&mut self, field: &[u8], unit: Unit) -> Result<u32, DtErr> {
        let (value, end, overflow) = strtoint(field);
        if overflow {
            return Err(DtErr::FieldOverflow);
        }
        let rest = field.get(end..).unwrap_or_default();
        if rest.first() == Some(&b'.') {
            if !matches!(unit, Unit::Julian | Unit::Time | Unit::Second) {
                return Err(DtErr::BadFormat);
            }
        } else if !rest.is_empty() {
            return Err(DtErr::BadFormat);
        }
        let tm = &mut self.out.tm;
        let tmask = match unit {
            Unit::Year => {
                tm.year = value;
                bit::YEAR
            }
            Unit::Month => {
                // With a month and an hour already, `m` means minutes.
                if self.fmask & bit::MONTH != 0 && self.fmask & bit::HOUR != 0 {
                    tm.min = value;
                    bit::MINUTE
                } else {
                    tm.mon = value;
                    bit::MONTH
                }
            }
            Unit::Day => {
                tm.mday = value;
                bit::DAY
            }
            Unit::Hour => {
                tm.hour = value;
                bit::HOUR
            }
            Unit::Minute => {
                tm.min = value;
                bit::MINUTE
            }
            Unit::Second => {
                tm.sec = value;
                if rest.first() == Some(&b'.') {
                    tm.usec = parse_fractional_second(rest)?;
                    bit::ALL_SECS
                } else {
                    bit::SECOND
                }
            }
            Unit::Julian => {
                if value < 0 {
                    return Err(DtErr::FieldOverflow);
                }
                self.set_julian(value);
                let mut tmask = bit::DATE;
                if rest.first() == Some(&b'.') {
                    let (frac, end, range_error) = strtod(rest);
                    if end != rest.len() || range_error {
                        return Err(DtErr::BadFormat);
                    }
                    // dt2time() of the fraction of a day, truncated to whole microseconds.
                    let micros = frac * 86_400_000_000.0;
                    let micros = if micros.is_nan() { 0 } else { micros as i64 };
                    let tm = &mut self.out.tm;
                    tm.hour = micros / USECS_PER_HOUR;
                    tm.min = micros % USECS_PER_HOUR / USECS_PER_MINUTE;
                    tm.sec = micros % USECS_PER_MINUTE / USECS_PER_SEC;
                    tm.usec = micros % USECS_PER_SEC;
                    tmask |= bit::TIME;
                }
                tmask
            }
            Unit::Time => {
                let (tmask, _) = decode_number_field(
                    field,
                    self.fmask | bit::DATE,
                    &mut self.out.tm,
                    &mut self.two_digit_year,
                )?;
                if tmask != bit::TIME {
                    return Err(DtErr::BadFormat);
                }
                tmask
            }
            _ => return Err(DtErr::BadFormat),
        };
        self.ptype = None;
        self.out.special = Special::None;
        Ok(tmask)
    }

    /// Sets the date from a Julian day number (0 ..= i32::MAX).
    fn set_julian(&mut self, jday: i64) {
        let (y, m, d) = j2date(jday);
        (self.out.tm.year, self.out.tm.mon, self.out.tm.mday) = (y, m, d);
        self.julian = true;
    }

    /// A word: a zone abbreviation or a keyword. `None` for ignored words.
    fn word_field(&mut self, i: usize) -> Result<Option<u32>, DtErr> {
        let field = self.fields.text(i);
        // Zone abbreviations take precedence over keywords.
        match zones::abbrev(field) {
            Some(Abbrev::Std(east)) => {
                self.out.tz = Some(-i64::from(east));
                return Ok(Some(bit::TZ));
            }
            Some(Abbrev::Dst(east)) => {
                self.out.tz = Some(-i64::from(east));
                return Ok(Some(bit::DTZ | bit::TZ));
            }
            Some(Abbrev::Dynamic) => {
                self.dynamic_abbrev = true;
                return Ok(Some(bit::DYNTZ | bit::TZ));
            }
            None => {}
        }
        let Some(token) = date_token(field) else {
            // Perhaps an all-letters zone name.
            self.named_tz = Some(zones::named_zone(field).ok_or(DtErr::BadFormat)?);
            return Ok(Some(bit::TZ));
        };
        let tmask = match token {
            Token::Ignore => return Ok(None),
            Token::Reserved(word) => self.reserved(word)?,
            Token::Month(month) if self.mode == Mode::DateTime => {
                let tm = &mut self.out.tm;
                let mut tmask = bit::MONTH;
                // A numeric month already? Then it was the day.
                if self.fmask & bit::MONTH != 0
                    && !self.text_month
                    && self.fmask & bit::DAY == 0
                    && (1..=31).contains(&tm.mon)
                {
                    tm.mday = tm.mon;
                    tmask = bit::DAY;
                }
                self.text_month = true;
                tm.mon = month;
                tmask
            }
            Token::Dow if self.mode == Mode::DateTime => bit::DOW,
            Token::Month(_) | Token::Dow => return Err(DtErr::BadFormat),
            Token::DstMod => {
                self.out.tz = self.out.tz.map(|tz| tz - 3600);
                bit::DTZMOD | bit::DTZ
            }
            Token::AmPm(pm) => {
                self.meridian = Some(pm);
                bit::AMPM
            }
            Token::AdBc(bc) => {
                self.bc = bc;
                bit::ADBC
            }
            Token::Units(unit) => {
                self.ptype = Some(unit);
                0
            }
            Token::IsoTime => {
                if self.mode == Mode::DateTime && self.fmask & bit::DATE != bit::DATE {
                    return Err(DtErr::BadFormat);
                }
                // A time must follow: hhmmss, hh:mm:ss or hhmmss-zz.
                if i + 1 >= self.fields.len()
                    || !matches!(
                        self.fields.kind(i + 1),
                        Kind::Number | Kind::Time | Kind::Date
                    )
                {
                    return Err(DtErr::BadFormat);
                }
                self.ptype = Some(Unit::Time);
                0
            }
        };
        Ok(Some(tmask))
    }

    /// A reserved word; returns its field mask.
    fn reserved(&mut self, word: Reserved) -> Result<u32, DtErr> {
        let tm = &mut self.out.tm;
        match (self.mode, word) {
            (Mode::DateTime, Reserved::Now) => {
                self.needs_clock = true;
                self.out.special = Special::None;
                (tm.year, tm.mon, tm.mday) = (2000, 1, 1);
                Ok(bit::DATE | bit::TIME | bit::TZ)
            }
            (Mode::DateTime, Reserved::Today | Reserved::Tomorrow | Reserved::Yesterday) => {
                self.needs_clock = true;
                self.out.special = Special::None;
                (tm.year, tm.mon, tm.mday) = (2000, 1, 1);
                Ok(bit::DATE)
            }
            (Mode::DateTime, Reserved::Zulu) => {
                self.out.special = Special::None;
                (tm.hour, tm.min, tm.sec) = (0, 0, 0);
                self.out.tz = Some(0);
                Ok(bit::TIME | bit::TZ)
            }
            (Mode::DateTime, Reserved::Epoch) => {
                self.out.special = Special::Epoch;
                Ok(bit::RESERV)
            }
            (Mode::DateTime, Reserved::Late) => {
                self.out.special = Special::Late;
                Ok(bit::RESERV)
            }
            (Mode::DateTime, Reserved::Early) => {
                self.out.special = Special::Early;
                Ok(bit::RESERV)
            }
            (Mode::TimeOnly, Reserved::Now) => {
                self.needs_clock = true;
                Ok(bit::TIME)
            }
            (Mode::TimeOnly, Reserved::Zulu) => {
                (tm.hour, tm.min, tm.sec) = (0, 0, 0);
                Ok(bit::TIME | bit::TZ)
            }
            (Mode::TimeOnly, _) => Err(DtErr::BadFormat),
        }
    }

    /// Validates the date fields and applies AM/PM (both decoders).
    fn validate(&mut self) -> Result<(), DtErr> {
        validate_date(
            self.fmask,
            self.julian,
            self.two_digit_year,
            self.bc,
            &mut self.out.tm,
        )?;
        let tm = &mut self.out.tm;
        if let Some(pm) = self.meridian {
            if tm.hour > 12 {
                return Err(DtErr::FieldOverflow);
            }
            if !pm && tm.hour == 12 {
                tm.hour = 0;
            } else if pm && tm.hour != 12 {
                tm.hour += 12;
            }
        }
        Ok(())
    }

    /// The end of `DecodeDateTime`.
    fn finish_datetime(&mut self) -> Result<(), DtErr> {
        self.validate()?;
        if self.out.special != Special::None {
            return Ok(());
        }
        if self.fmask & bit::DATE != bit::DATE {
            // A time alone is an error for these types too (`DecodeDateTime` returns 1).
            return Err(DtErr::BadFormat);
        }
        self.apply_zone()
    }

    /// The end of `DecodeTimeOnly`.
    fn finish_time(&mut self) -> Result<(), DtErr> {
        self.validate()?;
        let tm = &self.out.tm;
        if time_overflows(tm.hour, tm.min, tm.sec, tm.usec) {
            return Err(DtErr::FieldOverflow);
        }
        if self.fmask & bit::TIME != bit::TIME {
            return Err(DtErr::BadFormat);
        }
        self.apply_zone()
    }

    /// A named zone's offset, or the session's (UTC) when no zone was given.
    fn apply_zone(&mut self) -> Result<(), DtErr> {
        let has_dst_mod = self.fmask & bit::DTZMOD != 0;
        let date = self.fmask & bit::DATE;
        // DecodeTimeOnly needs the whole date, or none, to resolve a zone.
        let partial_date = self.mode == Mode::TimeOnly && date != 0 && date != bit::DATE;
        if let Some(zone) = self.named_tz {
            if has_dst_mod {
                return Err(DtErr::BadFormat);
            }
            self.out.tz = match zone {
                Zone::Fixed(west) => Some(west),
                Zone::Dynamic if self.mode == Mode::TimeOnly && date != bit::DATE => {
                    return Err(DtErr::BadFormat)
                }
                Zone::Dynamic => None,
            };
        }
        if self.dynamic_abbrev {
            if has_dst_mod || partial_date {
                return Err(DtErr::BadFormat);
            }
            self.out.tz = None;
        }
        if self.fmask & bit::TZ == 0 {
            if has_dst_mod || partial_date {
                return Err(DtErr::BadFormat);
            }
            self.out.tz = Some(0);
        }
        Ok(())
    }
}

/// PostgreSQL's `DecodeDate`: a date with delimiters (`2024-02-29`, `feb-29-2024`, `2024.060`).
/// Returns the fields it set.
fn decode_date(
    s: &[u8],
    outer_fmask: u32,
    two_digit_year: &mut bool,
    tm: &mut Tm,
) -> Result<u32, DtErr> {
    let mut parts = [(0usize, 0usize); MAX_FIELDS];
    let mut count = 0;
    let mut i = 0;
    while i < s.len() && count < MAX_FIELDS {
        while i < s.len() && !at(s, i).is_ascii_alphanumeric() {
            i += 1;
        }
        if i >= s.len() {
            return Err(DtErr::BadFormat);
        }
        let start = i;
        if at(s, i).is_ascii_digit() {
            while at(s, i).is_ascii_digit() {
                i += 1;
            }
        } else {
            while at(s, i).is_ascii_alphabetic() {
                i += 1;
            }
        }
        if let Some(p) = parts.get_mut(count) {
            *p = (start, i);
        }
        count += 1;
        // PostgreSQL overwrites the byte after each part with its terminator.
        if i < s.len() {
            i += 1;
        }
    }
    let parts = parts.get(..count).unwrap_or_default();
    let part = |p: &(usize, usize)| s.get(p.0..p.1).unwrap_or_default();
    let mut fmask = outer_fmask;
    let mut tmask = 0;
    let mut text_month = false;
    let mut done = [false; MAX_FIELDS];
    // Month names first: they are unambiguous.
    for (k, p) in parts.iter().enumerate() {
        let text = part(p);
        if !text.first().is_some_and(u8::is_ascii_alphabetic) {
            continue;
        }
        let dmask = match date_token(text) {
            Some(Token::Ignore) => continue,
            Some(Token::Month(m)) => {
                tm.mon = m;
                text_month = true;
                bit::MONTH
            }
            _ => return Err(DtErr::BadFormat),
        };
        if fmask & dmask != 0 {
            return Err(DtErr::BadFormat);
        }
        fmask |= dmask;
        tmask |= dmask;
        if let Some(d) = done.get_mut(k) {
            *d = true;
        }
    }
    for (k, p) in parts.iter().enumerate() {
        if done.get(k).copied().unwrap_or(true) {
            continue;
        }
        let text = part(p);
        if text.is_empty() {
            return Err(DtErr::BadFormat);
        }
        let dmask = decode_number(text, text_month, fmask, tm, two_digit_year)?;
        if fmask & dmask != 0 {
            return Err(DtErr::BadFormat);
        }
        fmask |= dmask;
        tmask |= dmask;
    }
    if fmask & !(bit::DOY | bit::TZ) != bit::DATE {
        return Err(DtErr::BadFormat);
    }
    Ok(tmask)
}

/// PostgreSQL's `ValidateDate`: BC and two-digit years, day of year, month and day ranges.
fn validate_date(
    fmask: u32,
    julian: bool,
    two_digit_year: bool,
    bc: bool,
    tm: &mut Tm,
) -> Result<(), DtErr> {
    if fmask & bit::YEAR != 0 && !julian {
        if bc {
            if tm.year <= 0 {
                return Err(DtErr::FieldOverflow);
            }
            // 1 BC is year 0, 2 BC is -1, …
            tm.year = -(tm.year - 1);
        } else if two_digit_year {
            if tm.year < 0 {
                return Err(DtErr::FieldOverflow);
            }
            if tm.year < 70 {
                tm.year += 2000;
            } else if tm.year < 100 {
                tm.year += 1900;
            }
        } else if tm.year <= 0 {
            return Err(DtErr::FieldOverflow);
        }
    }
    if fmask & bit::DOY != 0 {
        let (y, m, d) = j2date(date2j(tm.year, 1, 1) + tm.yday - 1);
        (tm.year, tm.mon, tm.mday) = (y, m, d);
    }
    if fmask & bit::MONTH != 0 && !(1..=12).contains(&tm.mon) {
        return Err(DtErr::FieldOverflow);
    }
    if fmask & bit::DAY != 0 && !(1..=31).contains(&tm.mday) {
        return Err(DtErr::FieldOverflow);
    }
    if fmask & bit::DATE == bit::DATE && tm.mday > days_in_month(tm.year, tm.mon) {
        return Err(DtErr::FieldOverflow);
    }
    Ok(())
}

/// PostgreSQL's `DecodeNumber`: a plain number, read in context as a year, month, day, day of
/// year or run-together date/time. Returns the fields it set.
fn decode_number(
    s: &[u8],
    text_month: bool,
    fmask: u32,
    tm: &mut Tm,
    two_digit_year: &mut bool,
) -> Result<u32, DtErr> {
    let flen = s.len();
    let (val, end, overflow) = strtoint(s);
    if overflow {
        return Err(DtErr::FieldOverflow);
    }
    if end == 0 {
        return Err(DtErr::BadFormat);
    }
    let rest = s.get(end..).unwrap_or_default();
    if rest.first() == Some(&b'.') {
        // More than two digits before the point: a run-together date or time.
        if end > 2 {
            return Ok(decode_number_field(s, fmask | bit::DATE, tm, two_digit_year)?.0);
        }
        tm.usec = parse_fractional_second(rest)?;
    } else if !rest.is_empty() {
        return Err(DtErr::BadFormat);
    }
    // A day of year (`2024.060`).
    if flen == 3 && fmask & bit::DATE == bit::YEAR && (1..=366).contains(&val) {
        tm.yday = val;
        return Ok(bit::DOY | bit::MONTH | bit::DAY);
    }
    let tmask = match fmask & bit::DATE {
        0 => {
            // YYYY-MM-DD needs three or more year digits; else DateStyle's MDY order.
            if flen >= 3 {
                tm.year = val;
                bit::YEAR
            } else {
                tm.mon = val;
                bit::MONTH
            }
        }
        bit::YEAR => {
            tm.mon = val;
            bit::MONTH
        }
        bit::MONTH => {
            if text_month && flen >= 3 {
                tm.year = val;
                bit::YEAR
            } else {
                tm.mday = val;
                bit::DAY
            }
        }
        m if m == bit::YEAR | bit::MONTH => {
            if text_month && flen >= 3 && *two_digit_year {
                // DD-MON-YYYY: the first number was the day.
                tm.mday = tm.year;
                tm.year = val;
                *two_digit_year = false;
            } else {
                tm.mday = val;
            }
            bit::DAY
        }
        bit::DAY => {
            tm.mon = val;
            bit::MONTH
        }
        m if m == bit::MONTH | bit::DAY => {
            tm.year = val;
            bit::YEAR
        }
        bit::DATE => {
            return Ok(decode_number_field(s, fmask, tm, two_digit_year)?.0);
        }
        _ => return Err(DtErr::BadFormat),
    };
    if tmask == bit::YEAR {
        *two_digit_year = flen <= 2;
    }
    Ok(tmask)
}

/// PostgreSQL's `DecodeNumberField`: a run-together date (`20240229`, `240229`) or time
/// (`134500`, `1345`, `134500.5`). Returns the fields set and whether it was a date.
fn decode_number_field(
    s: &[u8],
    fmask: u32,
    tm: &mut Tm,
    two_digit_year: &mut bool,
) -> Result<(u32, bool), DtErr> {
    let mut s = s;
    if let Some(dot) = s.iter().position(|&b| b == b'.') {
        let frac = s.get(dot..).unwrap_or_default();
        if frac.len() == 1 {
            tm.usec = 0;
        } else {
            let (v, _, range_error) = strtod(frac);
            if range_error {
                return Err(DtErr::BadFormat);
            }
            tm.usec = rint(v * 1_000_000.0) as i64;
        }
        s = s.get(..dot).unwrap_or_default();
    } else if fmask & bit::DATE != bit::DATE && s.len() >= 6 {
        // The last two digits are the day, the two before the month, the rest the year.
        let len = s.len();
        tm.mday = atoi(s.get(len - 2..).unwrap_or_default());
        tm.mon = atoi(s.get(len - 4..len - 2).unwrap_or_default());
        tm.year = atoi(s.get(..len - 4).unwrap_or_default());
        if len - 4 == 2 {
            *two_digit_year = true;
        }
        return Ok((bit::DATE, true));
    }
    if fmask & bit::TIME != bit::TIME {
        if s.len() == 6 {
            tm.sec = atoi(s.get(4..).unwrap_or_default());
            tm.min = atoi(s.get(2..4).unwrap_or_default());
            tm.hour = atoi(s.get(..2).unwrap_or_default());
            return Ok((bit::TIME, false));
        }
        if s.len() == 4 {
            tm.sec = 0;
            tm.min = atoi(s.get(2..).unwrap_or_default());
            tm.hour = atoi(s.get(..2).unwrap_or_default());
            return Ok((bit::TIME, false));
        }
    }
    Err(DtErr::BadFormat)
}

/// PostgreSQL's `DecodeTimeCommon`: `h:m`, `h:m:s`, `h:m:s.f` or `m:s.f`. Returns hours,
/// minutes, seconds and microseconds; the caller checks the hour's range.
pub(crate) fn decode_time_common(s: &[u8]) -> Result<(i64, i64, i64, i64), DtErr> {
    let (mut hour, end, overflow) = strtol(s);
    if overflow {
        return Err(DtErr::FieldOverflow);
    }
    let rest = s.get(end..).unwrap_or_default();
    if rest.first() != Some(&b':') {
        return Err(DtErr::BadFormat);
    }
    let after = rest.get(1..).unwrap_or_default();
    let (mut min, end, overflow) = strtoint(after);
    if overflow {
        return Err(DtErr::FieldOverflow);
    }
    let rest = after.get(end..).unwrap_or_default();
    let mut sec = 0;
    let mut usec = 0;
    match rest.first() {
        None => {}
        Some(b'.') => {
            // Always mm:ss.fff.
            usec = parse_fractional_second(rest)?;
            if i32::try_from(hour).is_err() {
                return Err(DtErr::FieldOverflow);
            }
            sec = min;
            min = hour;
            hour = 0;
        }
        Some(b':') => {
            let after = rest.get(1..).unwrap_or_default();
            let (s2, end, overflow) = strtoint(after);
            if overflow {
                return Err(DtErr::FieldOverflow);
            }
            sec = s2;
            let rest = after.get(end..).unwrap_or_default();
            match rest.first() {
                None => {}
                Some(b'.') => usec = parse_fractional_second(rest)?,
                Some(_) => return Err(DtErr::BadFormat),
            }
        }
        Some(_) => return Err(DtErr::BadFormat),
    }
    if hour < 0
        || !(0..60).contains(&min)
        || !(0..=60).contains(&sec)
        || !(0..=USECS_PER_SEC).contains(&usec)
    {
        return Err(DtErr::FieldOverflow);
    }
    Ok((hour, min, sec, usec))
}

/// PostgreSQL's `DecodeTimezone`: `+hh`, `+hhmm`, `+hh:mm`, `+hh:mm:ss`. Returns seconds WEST
/// of UTC (PostgreSQL's sign).
pub(crate) fn decode_timezone(s: &[u8]) -> Result<i64, DtErr> {
    let (negative, body) = match s.split_first() {
        Some((b'+', body)) => (false, body),
        Some((b'-', body)) => (true, body),
        _ => return Err(DtErr::BadFormat),
    };
    let (mut hr, end, overflow) = strtoint(body);
    if overflow {
        return Err(DtErr::TzDispOverflow);
    }
    let mut rest = body.get(end..).unwrap_or_default();
    let mut min = 0;
    let mut sec = 0;
    if rest.first() == Some(&b':') {
        let after = rest.get(1..).unwrap_or_default();
        let (m, end, overflow) = strtoint(after);
        if overflow {
            return Err(DtErr::TzDispOverflow);
        }
        min = m;
        rest = after.get(end..).unwrap_or_default();
        if rest.first() == Some(&b':') {
            let after = rest.get(1..).unwrap_or_default();
            let (sc, end, overflow) = strtoint(after);
            if overflow {
                return Err(DtErr::TzDispOverflow);
            }
            sec = sc;
            rest = after.get(end..).unwrap_or_default();
        }
    } else if rest.is_empty() && s.len() > 3 {
        min = hr % 100;
        hr /= 100;
    }
    if !(0..=super::calendar::MAX_TZDISP_HOUR).contains(&hr)
        || !(0..60).contains(&min)
        || !(0..60).contains(&sec)
    {
        return Err(DtErr::TzDispOverflow);
    }
    let east = (hr * 60 + min) * 60 + sec;
    if !rest.is_empty() {
        return Err(DtErr::BadFormat);
    }
    Ok(if negative { east } else { -east })
}

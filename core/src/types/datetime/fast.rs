//! The fast path for the ISO text clients send: `YYYY-MM-DD`, and for timestamps
//! `YYYY-MM-DD HH:MM:SS[.ffffff]` (or `T` for the space) with an optional zone `Z`, `±HH` or
//! `±HH:MM`.
//!
//! It reads only what it is sure of (real dates of years 0001..=9999, hours below 24, seconds
//! below 60, one to six fraction digits, zones within ±15:59) and answers `None` for anything
//! else, so that the caller runs PostgreSQL's general parser. Where it answers, the general
//! parser gives the same result (the tests below compare them on generated inputs).

use super::calendar::{days_in_month, MAX_TZDISP_HOUR};
use super::parse::Tm;

/// Year, month and day.
type Ymd = (i64, i64, i64);
/// Hour, minute, second and microseconds.
type Hmsu = (i64, i64, i64, i64);

/// The value of ASCII digits, or `None` if a byte is not one.
fn number(digits: &[u8]) -> Option<i64> {
    digits.iter().try_fold(0, |n, &b| {
        b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0'))
    })
}

/// `YYYY-MM-DD` at the start of `s`, if it is a real date of a year 1..=9999, and the rest.
fn split_date(s: &[u8]) -> Option<(Ymd, &[u8])> {
    let &[y0, y1, y2, y3, b'-', m0, m1, b'-', d0, d1, ref rest @ ..] = s else {
        return None;
    };
    let year = number(&[y0, y1, y2, y3])?;
    let month = number(&[m0, m1])?;
    let day = number(&[d0, d1])?;
    // `days_in_month` is 0 for a month outside 1..=12.
    let real = year >= 1 && (1..=days_in_month(year, month)).contains(&day);
    real.then_some(((year, month, day), rest))
}

/// `HH:MM:SS[.f]` at the start of `s`, before 24:00:00, as hour, minute, second and
/// microseconds, and the rest.
fn split_time(s: &[u8]) -> Option<(Hmsu, &[u8])> {
    let &[h0, h1, b':', m0, m1, b':', s0, s1, ref rest @ ..] = s else {
        return None;
    };
    let hour = number(&[h0, h1])?;
    let min = number(&[m0, m1])?;
    let sec = number(&[s0, s1])?;
    if hour > 23 || min > 59 || sec > 59 {
        return None;
    }
    let (usec, rest) = split_fraction(rest)?;
    Some(((hour, min, sec, usec), rest))
}

/// An optional `.` and one to six digits at the start of `s`, as microseconds, and the rest.
fn split_fraction(s: &[u8]) -> Option<(i64, &[u8])> {
    let Some(after) = s.strip_prefix(b".") else {
        return Some((0, s));
    };
    let len = after.iter().take_while(|b| b.is_ascii_digit()).count();
    if !(1..=6).contains(&len) {
        return None;
    }
    let (digits, rest) = after.split_at(len);
    // The general parser's `rint(strtod(".f") * 1e6)` is within 1e-9 of this exact value.
    let scale = 10_i64.pow(6 - len as u32);
    Some((number(digits)? * scale, rest))
}

/// A zone that ends the text: none (UTC), `Z`, `±HH` or `±HH:MM`, in seconds west of UTC.
fn zone(s: &[u8]) -> Option<i64> {
    let (sign, hour, min) = match *s {
        [] | [b'Z'] => return Some(0),
        [sign, h0, h1] => (sign, number(&[h0, h1])?, 0),
        [sign, h0, h1, b':', m0, m1] => (sign, number(&[h0, h1])?, number(&[m0, m1])?),
        _ => return None,
    };
    if hour > MAX_TZDISP_HOUR || min > 59 {
        return None;
    }
    let east = hour * 3600 + min * 60;
    match sign {
        b'+' => Some(-east),
        b'-' => Some(east),
        _ => None,
    }
}

/// Exactly `YYYY-MM-DD`, as year, month and day.
pub(crate) fn date(s: &[u8]) -> Option<Ymd> {
    match split_date(s)? {
        (ymd, []) => Some(ymd),
        _ => None,
    }
}

/// `YYYY-MM-DD` (midnight) or `YYYY-MM-DD HH:MM:SS[.f][zone]`, as fields and the zone in
/// seconds west of UTC (0 when none is given, as the general parser answers).
pub(crate) fn timestamp(s: &[u8]) -> Option<(Tm, i64)> {
    let (date, rest) = split_date(s)?;
    let (time, zone_text) = match rest {
        [] => ((0, 0, 0, 0), rest),
        [b' ' | b'T', after @ ..] => split_time(after)?,
        _ => return None,
    };
    Some((Tm::new(date, time), zone(zone_text)?))
}

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::super::timestamp::decode_general;
    use super::super::{Date, Timestamp, TimestampTz};
    use super::{date, days_in_month, timestamp};
    use crate::types::Codec;
    use alloc::format;
    use alloc::string::String;
    use proptest::prelude::*;

    /// Each type's decoding (through the fast path where it applies) equals the general
    /// parser's answer.
    fn agree(text: &str) -> Result<(), TestCaseError> {
        prop_assert_eq!(
            Timestamp::decode_text(text).map(|t| t.0),
            decode_general(text, false, "timestamp"),
            "timestamp {:?}",
            text
        );
        prop_assert_eq!(
            TimestampTz::decode_text(text).map(|t| t.0),
            decode_general(text, true, "timestamp with time zone"),
            "timestamptz {:?}",
            text
        );
        prop_assert_eq!(
            Date::decode_text(text),
            Date::decode_general(text),
            "date {:?}",
            text
        );
        Ok(())
    }

    /// A number shown with two digits, usually below `limit`, sometimes with another length.
    fn two(limit: u32) -> impl Strategy<Value = String> {
        prop_oneof![
            9 => (0..limit).prop_map(|v| format!("{v:02}")),
            1 => "[0-9]{1,3}",
        ]
    }

    /// A year of four digits, sometimes 0000 or of another length.
    fn year() -> impl Strategy<Value = String> {
        prop_oneof![
            8 => (0..10_000_u32).prop_map(|v| format!("{v:04}")),
            1 => Just(String::from("0000")),
            1 => "[0-9]{1,6}",
        ]
    }

    /// A nearly ISO date: fields one past their range, other lengths, other separators.
    fn nearly_date() -> impl Strategy<Value = String> {
        (year(), two(14), two(33), "(-|/|)").prop_map(|(y, m, d, dash)| format!("{y}{dash}{m}-{d}"))
    }

    /// Nearly ISO text: a nearly ISO date, times past their range, fraction digits and zones
    /// beyond the fast path's, trailing words.
    fn nearly_iso() -> impl Strategy<Value = String> {
        let time = (two(26), two(62), two(62), "(|\\.|\\.[0-9]{1,8})")
            .prop_map(|(h, m, s, f)| format!("{h}:{m}:{s}{f}"));
        let zone = "(|[Zz]|[+-][0-9]{2}|[+-][0-9]{2}:[0-9]{2}|[+-][0-9]{1,5}| ?(UTC|\\+02|bc|BC))";
        prop_oneof![
            1 => (nearly_date(), "(| |T)").prop_map(|(d, tail)| format!("{d}{tail}")),
            4 => (nearly_date(), "( |T|t|  |-|)", time, zone).prop_map(|(d, sep, t, z)| {
                format!("{d}{sep}{t}{z}")
            }),
        ]
    }

    /// A real date of a year 0001..=9999, `YYYY-MM-DD`.
    fn valid_date() -> impl Strategy<Value = String> {
        (1..10_000_i64, 1..=12_i64, 0..31_i64).prop_map(|(y, m, d)| {
            let day = d % days_in_month(y, m) + 1;
            format!("{y:04}-{m:02}-{day:02}")
        })
    }

    /// ISO text the fast path must take: a real date, a time before 24:00, up to six fraction
    /// digits, a zone within ±15:59.
    fn valid_iso() -> impl Strategy<Value = String> {
        let fraction = (0..=6_usize, 0..1_000_000_u32).prop_map(|(len, digits)| {
            let all = format!("{digits:06}");
            if len == 0 {
                String::new()
            } else {
                format!(".{}", &all[..len])
            }
        });
        let time = (0..24_u32, 0..60_u32, 0..60_u32, fraction)
            .prop_map(|(h, m, s, f)| format!("{h:02}:{m:02}:{s:02}{f}"));
        let zone = prop_oneof![
            Just(String::new()),
            Just(String::from("Z")),
            ("[+-]", 0..16_u32).prop_map(|(sign, h)| format!("{sign}{h:02}")),
            ("[+-]", 0..16_u32, 0..60_u32).prop_map(|(sign, h, m)| format!("{sign}{h:02}:{m:02}")),
        ];
        prop_oneof![
            1 => valid_date(),
            4 => (valid_date(), "[ T]", time, zone).prop_map(|(d, sep, t, z)| format!("{d}{sep}{t}{z}")),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Valid ISO text takes the fast path and gets the general parser's answer.
        #[test]
        fn valid_iso_takes_the_fast_path(text in valid_iso()) {
            prop_assert!(timestamp(text.as_bytes()).is_some(), "{:?}", text);
            if text.len() == 10 {
                prop_assert!(date(text.as_bytes()).is_some(), "{:?}", text);
            }
            agree(&text)?;
        }

        /// Nearly ISO text gets the general parser's answer, whichever path reads it.
        #[test]
        fn nearly_iso_agrees_with_the_general_parser(text in nearly_iso()) {
            agree(&text)?;
        }
    }

    #[test]
    fn edges_agree_with_the_general_parser() {
        for text in [
            "2024-02-29",
            "2023-02-29",
            "1900-02-29",
            "2000-02-29",
            "2024-04-31",
            "2024-13-01",
            "2024-00-10",
            "0000-01-01",
            "0001-01-01 00:00:00",
            "9999-12-31 23:59:59.999999+15:59",
            "2024-01-01 24:00:00",
            "2024-01-01 23:60:00",
            "2024-01-01 23:59:60",
            "2024-01-01 12:00:00.1234567",
            "2024-01-01 12:00:00.",
            "2024-01-01 12:00:00+16",
            "2024-01-01 12:00:00-15:60",
            "2024-01-01 12:00:00Z",
            "2024-01-01T12:00:00-03:30",
            "2024-01-01 12:00:00 BC",
            "12024-01-01 12:00:00",
        ] {
            agree(text).unwrap();
        }
    }
}

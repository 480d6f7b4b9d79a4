//! PostgreSQL's date/time types: [`Date`], [`Time`], [`TimeTz`], [`Timestamp`], [`TimestampTz`]
//! and [`Interval`], each a small `Copy` value with PostgreSQL 15's text and binary forms.
//!
//! * Binary forms are the integer-datetime ones: microseconds and days counted from
//!   2000-01-01, `infinity` and `-infinity` as the extreme integers.
//! * Text output is DateStyle `ISO`, IntervalStyle `postgres`, TimeZone `UTC`
//!   (`2024-02-29 13:45:00.5+00`, `1 year 2 mons -3 days +04:05:06`).
//! * Text input is PostgreSQL's own parser, re-expressed without allocation: ISO and
//!   traditional forms, `BC`/`AD`, `infinity`, `epoch`, `allballs`, numeric zones and the
//!   `Default` zone abbreviations, intervals in postgres and ISO 8601 syntax. Errors carry
//!   PostgreSQL's SQLSTATE and message.
//!
//! Not available without a clock or a time zone database: `now`, `today`, `tomorrow`,
//! `yesterday` (rejected with 0A000), and full zone names such as `Europe/Paris` (22023).
//! UTC's aliases (`Etc/UTC`, `GMT0`, …) and POSIX offsets (`UTC+3`) are read; a zone whose
//! offset depends on the date (`MSK`, `EST5EDT`) is dropped by `date`, `time` and `timestamp`
//! as PostgreSQL drops it, and rejected (22023) by `timetz` and `timestamptz`.

mod calendar;
mod date;
mod fast;
mod format;
mod interval;
mod parse;
mod time;
mod timestamp;
mod zones;

pub use date::Date;
pub use interval::Interval;
pub use time::{Time, TimeTz};
pub use timestamp::{Timestamp, TimestampTz};

use crate::types::TypeError;
use parse::DtErr;

/// The `TypeError` PostgreSQL raises for a date/time input error of type `type_name`.
///
/// `time zone "…" not recognized` names the zone in PostgreSQL's message; this error's
/// `{input}` is the whole input instead.
fn input_error(err: DtErr, type_name: &'static str) -> TypeError {
    match err {
        DtErr::BadFormat => TypeError::datetime_syntax(type_name),
        DtErr::FieldOverflow => TypeError::datetime_field(type_name),
        DtErr::TzDispOverflow => TypeError::new(
            "22009",
            "time zone displacement out of range: \"{input}\"",
            type_name,
        ),
        DtErr::BadTimezone => {
            TypeError::new("22023", "time zone \"{input}\" not recognized", type_name)
        }
        DtErr::NeedsClock => TypeError::new(
            "0A000",
            "date/time value \"{input}\" needs the current time, which is not available here",
            type_name,
        ),
    }
}

#[cfg(all(test, feature = "alloc"))]
mod pg15_cases;

#[cfg(all(test, feature = "alloc"))]
mod tests {
    use super::pg15_cases::CASES;
    use super::*;
    use crate::types::Codec;
    use alloc::string::{String, ToString};
    use alloc::vec::Vec;
    use core::fmt::{self, Write as _};

    /// Lower-case hex of some bytes.
    fn hex(bytes: &[u8]) -> String {
        bytes.iter().fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
    }

    /// Bytes of a hex string.
    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    /// The binary form of a value.
    fn binary<T: Codec>(value: &T) -> Vec<u8> {
        let mut out = Vec::new();
        value.encode_binary(&mut out).unwrap();
        out
    }

    /// A result as the PostgreSQL test query prints it: `text | hex` or `ERR code message`.
    fn show<T: Codec + fmt::Display>(input: &str, result: Result<T, TypeError>) -> String {
        match result {
            Ok(v) => alloc::format!("{v} | {}", hex(&binary(&v))),
            Err(e) => alloc::format!("ERR {} {}", e.code, e.message(input)),
        }
    }

    /// Decodes `input` as `T` and compares with PostgreSQL's answer; accepted values must
    /// come back unchanged through both formats.
    fn check<T>(ty: &str, input: &str, want: &str)
    where
        T: Codec + fmt::Display + fmt::Debug + PartialEq + Copy,
    {
        let result = T::decode_text(input);
        let got = show(input, result);
        if want.starts_with("ERR 22023 ") {
            // PostgreSQL names the zone alone in this message; the code is what matters.
            assert!(got.starts_with("ERR 22023 "), "{ty} {input:?}: {got}");
            return;
        }
        assert_eq!(got, want, "{ty} {input:?}");
        let Ok(value) = result else { return };
        match T::decode_binary(&binary(&value)) {
            Ok(back) => assert_eq!(back, value, "{ty} {input:?} binary"),
            // Only a zone beyond ±16h (from a POSIX zone name) has no binary form PostgreSQL
            // would read back.
            Err(e) => assert_eq!((ty, e.code), ("timetz", "22009"), "{input:?}"),
        }
        let text = value.to_string();
        match T::decode_text(&text) {
            Ok(back) => assert_eq!(back, value, "{ty} {input:?} text {text:?}"),
            // PostgreSQL cannot read back its own output for these either.
            Err(e) => assert!(
                matches!(
                    (ty, e.code),
                    ("interval", "22015" | "22007") | ("timetz", "22009")
                ),
                "{ty} {input:?} text {text:?}: {e}"
            ),
        }
    }

    #[test]
    fn text_forms_match_postgresql() {
        for &(ty, input, want) in CASES {
            match ty {
                "date" => check::<Date>(ty, input, want),
                "time" => check::<Time>(ty, input, want),
                "timetz" => check::<TimeTz>(ty, input, want),
                "timestamp" => check::<Timestamp>(ty, input, want),
                "timestamptz" => check::<TimestampTz>(ty, input, want),
                "interval" => check::<Interval>(ty, input, want),
                _ => panic!("unknown type {ty}"),
            }
        }
    }

    /// A binary input, as PostgreSQL's receive function (through `COPY … FORMAT binary`)
    /// answered it.
    fn check_binary<T: Codec + fmt::Display>(hex_input: &str, want: &str) {
        let got = match T::decode_binary(&unhex(hex_input)) {
            Ok(v) => v.to_string(),
            Err(e) => alloc::format!("ERR {} {}", e.code, e),
        };
        assert_eq!(got, want, "{hex_input}");
    }

    #[test]
    fn binary_input_matches_postgresql() {
        check_binary::<Date>("7fda970c", "5874897-12-31");
        check_binary::<Date>("7fda970d", "ERR 22008 date out of range");
        check_binary::<Date>("ffda97a7", "4714-11-24 BC");
        check_binary::<Date>("ffda97a6", "ERR 22008 date out of range");
        check_binary::<Date>("7fffffff", "infinity");
        check_binary::<Date>("80000000", "-infinity");
        check_binary::<Date>("0001", "ERR 08P01 insufficient data left in message");
        check_binary::<Date>("0000000000000001", "ERR 22P03 incorrect binary data format");
        check_binary::<Timestamp>("7fffff5bb3b29fff", "294276-12-31 23:59:59.999999");
        check_binary::<Timestamp>("7fffff5bb3b2a000", "ERR 22008 timestamp out of range");
        check_binary::<Timestamp>("fd0f7cc1411fa000", "4714-11-24 00:00:00 BC");
        check_binary::<Timestamp>("fd0f7cc1411f9fff", "ERR 22008 timestamp out of range");
        check_binary::<Timestamp>("7fffffffffffffff", "infinity");
        check_binary::<TimestampTz>("8000000000000000", "-infinity");
        check_binary::<TimestampTz>("7fffff5bb3b2a000", "ERR 22008 timestamp out of range");
        check_binary::<Time>("000000141dd76000", "24:00:00");
        check_binary::<Time>("000000141dd76001", "ERR 22008 time out of range");
        check_binary::<Time>("ffffffffffffffff", "ERR 22008 time out of range");
        check_binary::<TimeTz>("000000141dd7600100000000", "ERR 22008 time out of range");
        check_binary::<TimeTz>(
            "00000000000000000000e100",
            "ERR 22009 time zone displacement out of range",
        );
        check_binary::<TimeTz>(
            "0000000000000000ffff1f00",
            "ERR 22009 time zone displacement out of range",
        );
        check_binary::<TimeTz>("0000000000000000ffff1f01", "00:00:00+15:59:59");
        check_binary::<TimeTz>("00000000000000000000e0ff", "00:00:00-15:59:59");
        check_binary::<Interval>(
            "80000000000000008000000080000000",
            "-178956970 years -8 mons -2147483648 days -2562047788:00:54.775808",
        );
        check_binary::<Interval>(
            "7fffffffffffffff7fffffff7fffffff",
            "178956970 years 7 mons 2147483647 days 2562047788:00:54.775807",
        );
        check_binary::<Interval>("00", "ERR 08P01 insufficient data left in message");
    }

    #[test]
    fn words_that_need_a_clock_are_rejected() {
        for input in [
            "now",
            "today",
            "tomorrow",
            "yesterday",
            "today 10:00",
            "2024-01-01 now",
        ] {
            let e = Timestamp::decode_text(input).unwrap_err();
            // PostgreSQL reads them (or, for the last, rejects the repeated date: 22007).
            assert!(matches!(e.code, "0A000" | "22007"), "{input}: {e}");
        }
        assert_eq!(Date::decode_text("today").unwrap_err().code, "0A000");
        assert_eq!(TimestampTz::decode_text("now").unwrap_err().code, "0A000");
        assert_eq!(Time::decode_text("now").unwrap_err().code, "0A000");
        assert_eq!(TimeTz::decode_text("now").unwrap_err().code, "0A000");
        // Other errors come first, as PostgreSQL finds them.
        assert_eq!(
            Date::decode_text("today 2024-13-01").unwrap_err().code,
            "22007"
        );
    }

    #[test]
    fn zones_without_a_database() {
        // Offsets that depend on the date cannot be resolved: 22023.
        for input in [
            "2024-01-01 10:00 Europe/Paris",
            "2024-01-01 10:00 MSK",
            "2024-01-01 10:00 EST5EDT",
        ] {
            assert_eq!(
                TimestampTz::decode_text(input).unwrap_err().code,
                "22023",
                "{input}"
            );
        }
        // Where the zone is read and dropped, a known dynamic abbreviation is fine.
        assert_eq!(
            Timestamp::decode_text("2024-01-01 10:00 MSK")
                .unwrap()
                .to_string(),
            "2024-01-01 10:00:00"
        );
        assert_eq!(
            Date::decode_text("2024-01-01 est5edt").unwrap().to_string(),
            "2024-01-01"
        );
        // A name no database has: 22023 everywhere, as in PostgreSQL.
        assert_eq!(
            Timestamp::decode_text("2024-01-01 Foo/Bar")
                .unwrap_err()
                .code,
            "22023"
        );
        // Fixed offsets need no database.
        for (input, want) in [
            ("2024-01-01 10:00 Etc/UTC", "2024-01-01 10:00:00+00"),
            ("2024-01-01 10:00 UTC+3", "2024-01-01 13:00:00+00"),
            ("2024-01-01 10:00 Etc/GMT-14", "2023-12-31 20:00:00+00"),
            ("2024-01-01 10:00 CEST", "2024-01-01 08:00:00+00"),
            ("2024-01-01 10:00 CET DST", "2024-01-01 08:00:00+00"),
        ] {
            assert_eq!(
                TimestampTz::decode_text(input).unwrap().to_string(),
                want,
                "{input}"
            );
        }
    }

    #[test]
    fn conversions() {
        let leap = Date::from_ymd(2024, 2, 29).unwrap();
        assert_eq!(leap, Date(8825));
        assert_eq!(leap.ymd(), Some((2024, 2, 29)));
        assert_eq!(Date::from_ymd(2023, 2, 29), None);
        assert_eq!(Date::from_ymd(1900, 2, 29), None);
        assert_eq!(Date::from_ymd(-4713, 11, 24), Some(Date::MIN));
        assert_eq!(Date::from_ymd(-4713, 11, 23), None);
        assert_eq!(Date::from_ymd(5_874_897, 12, 31), Some(Date::MAX));
        assert_eq!(Date::from_ymd(5_874_898, 1, 1), None);
        assert_eq!(
            Date::from_ymd(0, 12, 31).unwrap().to_string(),
            "0001-12-31 BC"
        );
        assert_eq!(Date::INFINITY.ymd(), None);
        assert_eq!(Date::UNIX_EPOCH.to_string(), "1970-01-01");

        let t = Time::from_hms_micro(13, 45, 0, 123_456).unwrap();
        assert_eq!(t.to_string(), "13:45:00.123456");
        assert_eq!(t.hms_micro(), (13, 45, 0, 123_456));
        assert_eq!(Time::from_hms_micro(24, 0, 0, 0), Some(Time::MAX));
        assert_eq!(Time::from_hms_micro(24, 0, 0, 1), None);

        let ts = Timestamp::from_parts(leap, t).unwrap();
        assert_eq!(ts.to_string(), "2024-02-29 13:45:00.123456");
        assert_eq!(ts.to_parts(), Some((leap, t)));
        assert_eq!(Timestamp::from_parts(Date::MAX, Time::MAX), None);
        assert_eq!(Timestamp::from_parts(Date::INFINITY, t), None);
        assert_eq!(Timestamp::MAX.to_string(), "294276-12-31 23:59:59.999999");
        assert_eq!(Timestamp::MIN.to_string(), "4714-11-24 00:00:00 BC");
        assert_eq!(Timestamp::UNIX_EPOCH.to_string(), "1970-01-01 00:00:00");

        let tz = TimestampTz::from_utc_parts(leap, t).unwrap();
        assert_eq!(tz.to_string(), "2024-02-29 13:45:00.123456+00");
        assert_eq!(
            tz.display_at_offset(7200).to_string(),
            "2024-02-29 15:45:00.123456+02"
        );
        assert_eq!(
            tz.display_at_offset(-19800).to_string(),
            "2024-02-29 08:15:00.123456-05:30"
        );
        assert_eq!(
            TimestampTz::INFINITY.display_at_offset(3600).to_string(),
            "infinity"
        );

        let ttz = TimeTz::from_utc_offset(t, 7200);
        assert_eq!(ttz.offset, -7200);
        assert_eq!(ttz.utc_offset(), 7200);
        assert_eq!(ttz.to_string(), "13:45:00.123456+02");

        assert_eq!(
            Interval::new(14, 3, 4 * 3_600_000_000).to_string(),
            "1 year 2 mons 3 days 04:00:00"
        );
        assert_eq!(Interval::ZERO.to_string(), "00:00:00");
        assert_eq!("1 day".parse::<Interval>(), Ok(Interval::new(0, 1, 0)));
        assert_eq!("2024-02-29".parse::<Date>(), Ok(leap));
    }

    #[test]
    fn date_is_a_discrete_range_subtype() {
        use crate::types::range::Subtype;
        let next = |d: Date| d.successor().map_err(|e| e.code);
        assert_eq!(next(Date(0)), Ok(Some(Date(1))));
        assert_eq!(next(Date::MAX), Err("22008"));
        assert_eq!(next(Date::INFINITY), Ok(None));
        assert_eq!(next(Date::NEG_INFINITY), Ok(None));
        assert_eq!(
            Date::NEG_INFINITY.compare(&Date::MIN),
            core::cmp::Ordering::Less
        );
    }

    #[test]
    fn output_of_any_value_does_not_panic() {
        for bits in [
            i64::MIN,
            i64::MIN + 1,
            -1,
            0,
            1,
            i64::MAX - 1,
            i64::MAX,
            1 << 62,
            -(1 << 62),
        ] {
            let narrow = bits as i32;
            let _ = Timestamp(bits).to_string();
            let _ = TimestampTz(bits).to_string();
            let _ = TimestampTz(bits).display_at_offset(narrow).to_string();
            let _ = Time(bits).to_string();
            let _ = TimeTz {
                time: Time(bits),
                offset: narrow,
            }
            .to_string();
            let _ = Date(narrow).to_string();
            let _ = Interval::new(narrow, narrow, bits).to_string();
        }
    }

    /// A small deterministic generator (xorshift) for the no-panic test.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    #[test]
    fn any_input_is_answered_without_panic() {
        const PIECES: &[&str] = &[
            "0",
            "1",
            "9",
            "12",
            "24",
            "60",
            "2024",
            "99999999999999999999",
            "20240229",
            "134500",
            "-",
            "+",
            ":",
            ".",
            "/",
            " ",
            ",",
            "t",
            "T",
            "P",
            "Y",
            "M",
            "D",
            "H",
            "S",
            "W",
            "e",
            "bc",
            "am",
            "pm",
            "j",
            "y",
            "m",
            "d",
            "h",
            "mm",
            "s",
            "dst",
            "utc",
            "msk",
            "feb",
            "ago",
            "day",
            "hours",
            "@",
            "infinity",
            "epoch",
            "allballs",
            "é",
            "\0",
            "inf",
            "nan",
        ];
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut input = String::new();
        for _ in 0..20_000 {
            input.clear();
            for _ in 0..rng.next() % 12 {
                input.push_str(PIECES[(rng.next() % PIECES.len() as u64) as usize]);
            }
            let _ = Date::decode_text(&input);
            let _ = Time::decode_text(&input);
            let _ = TimeTz::decode_text(&input);
            let _ = Timestamp::decode_text(&input);
            let _ = TimestampTz::decode_text(&input);
            let _ = Interval::decode_text(&input);
        }
        let long = "9".repeat(300) + " 1:1:1 " + &"-".repeat(300);
        assert!(Interval::decode_text(&long).is_err());
        assert!(Timestamp::decode_text(&long).is_err());
    }
}

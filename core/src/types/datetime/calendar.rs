//! Calendar arithmetic shared by the date/time types: Julian day numbers, month lengths, the
//! PostgreSQL epoch (2000-01-01) and the ranges PostgreSQL 15 accepts.

/// Microseconds in a second.
pub(crate) const USECS_PER_SEC: i64 = 1_000_000;
/// Microseconds in a minute.
pub(crate) const USECS_PER_MINUTE: i64 = 60 * USECS_PER_SEC;
/// Microseconds in an hour.
pub(crate) const USECS_PER_HOUR: i64 = 60 * USECS_PER_MINUTE;
/// Microseconds in a day.
pub(crate) const USECS_PER_DAY: i64 = 24 * USECS_PER_HOUR;
/// Julian day number of 2000-01-01, PostgreSQL's epoch.
pub(crate) const POSTGRES_EPOCH_JDATE: i64 = 2_451_545;
/// Julian day number of 1970-01-01, the Unix epoch (`epoch` in input).
pub(crate) const UNIX_EPOCH_JDATE: i64 = 2_440_588;
/// First Julian day past the `date` range: 5874898-01-01.
pub(crate) const DATE_END_JULIAN: i64 = 2_147_483_494;
/// First timestamp (µs since 2000-01-01) of the range: 4714-11-24 00:00:00 BC.
pub(crate) const MIN_TIMESTAMP: i64 = -211_813_488_000_000_000;
/// First timestamp past the range: 294277-01-01 00:00:00.
pub(crate) const END_TIMESTAMP: i64 = 9_223_371_331_200_000_000;
/// Largest time zone displacement in hours (`+15:59:59`).
pub(crate) const MAX_TZDISP_HOUR: i64 = 15;
/// A time zone displacement must be strictly inside ±this many seconds.
pub(crate) const TZDISP_LIMIT: i64 = (MAX_TZDISP_HOUR + 1) * 3600;

/// Whether `year` (astronomical: 0 is 1 BC) is a Gregorian leap year.
pub(crate) fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in `month` (1..=12) of `year`; 0 for a month outside 1..=12.
pub(crate) fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Julian day number of a proleptic Gregorian date, by PostgreSQL's `date2j` formula.
///
/// Callers keep `year` within a few billion, so the `i64` arithmetic cannot overflow.
pub(crate) fn date2j(year: i64, month: i64, day: i64) -> i64 {
    let (y, m) = if month > 2 {
        (year + 4800, month + 1)
    } else {
        (year + 4799, month + 13)
    };
    let century = y / 100;
    y * 365 - 32167 + y / 4 - century + century / 4 + 7834 * m / 256 + day
}

/// The proleptic Gregorian date of a Julian day number, for any day in ±2^40.
///
/// Equal to PostgreSQL's `j2date` over its domain (0 ..= i32::MAX) and continued past it.
pub(crate) fn j2date(jd: i64) -> (i64, i64, i64) {
    // Days since 0000-03-01, split into 400-year eras (146097 days each).
    let z = jd - 1_721_120;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// PostgreSQL's `IS_VALID_JULIAN`: the date lies in 4714-11-01 BC .. 5874898-06-01.
pub(crate) fn is_valid_julian(year: i64, month: i64) -> bool {
    (year > -4713 || (year == -4713 && month >= 11))
        && (year < 5_874_898 || (year == 5_874_898 && month < 6))
}

/// Splits microseconds of a day (or of an interval) into hours, minutes, seconds, microseconds,
/// each truncated toward zero as C's division does.
pub(crate) fn split_time(micros: i64) -> (i64, i64, i64, i64) {
    let hour = micros / USECS_PER_HOUR;
    let rest = micros - hour * USECS_PER_HOUR;
    let min = rest / USECS_PER_MINUTE;
    let rest = rest - min * USECS_PER_MINUTE;
    let sec = rest / USECS_PER_SEC;
    (hour, min, sec, rest - sec * USECS_PER_SEC)
}

/// Rounds to the nearest integer, ties to even, as C's `rint` does in the default rounding mode.
pub(crate) fn rint(x: f64) -> f64 {
    const TWO_52: f64 = 4_503_599_627_370_496.0;
    if x.is_nan() {
        x
    } else if x >= 0.0 {
        if x >= TWO_52 {
            x
        } else {
            (x + TWO_52) - TWO_52
        }
    } else if x <= -TWO_52 {
        x
    } else {
        -((-x + TWO_52) - TWO_52)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn julian_round_trip() {
        assert_eq!(date2j(2000, 1, 1), POSTGRES_EPOCH_JDATE);
        assert_eq!(date2j(1970, 1, 1), UNIX_EPOCH_JDATE);
        assert_eq!(date2j(5_874_898, 1, 1), DATE_END_JULIAN);
        assert_eq!(date2j(-4713, 11, 24), 0);
        assert_eq!(j2date(0), (-4713, 11, 24));
        assert_eq!(j2date(i64::from(i32::MAX)), (5_874_898, 6, 3));
        for jd in (0..2_200_000_000_i64)
            .step_by(9_999_991)
            .chain(2_451_000..2_452_000)
        {
            let (y, m, d) = j2date(jd);
            assert_eq!(date2j(y, m, d), jd, "{y}-{m}-{d}");
            assert!((1..=days_in_month(y, m)).contains(&d));
        }
    }

    #[test]
    fn rint_ties_to_even() {
        for (x, want) in [
            (0.5, 0.0_f64),
            (1.5, 2.0),
            (2.5, 2.0),
            (-2.5, -2.0),
            (-2.6, -3.0),
            (123_456.7, 123_457.0),
            (1e300, 1e300),
        ] {
            assert_eq!(rint(x).to_bits(), want.to_bits(), "{x}");
        }
    }
}

//! chrono's `NaiveDate`, `NaiveTime`, `NaiveDateTime` and `DateTime<Utc>` ⇄ [`Date`], [`Time`],
//! [`Timestamp`] and [`TimestampTz`]. Sub-microsecond digits are dropped on the way in; values
//! one side cannot hold (the infinities, `24:00:00`, years beyond either range) are errors.

use ::chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};

use crate::types::datetime::{Date, Time, Timestamp, TimestampTz};
use crate::types::TypeError;

/// 2000-01-01 counted from 0001-01-01 as day 1 (chrono's `num_days_from_ce`).
const PG_EPOCH_DAYS_FROM_CE: i32 = 730_120;

/// A value the other side has no room for.
const fn out_of_range(type_name: &'static str) -> TypeError {
    TypeError::new("22008", "{type} out of range", type_name)
}

/// Microseconds since 1970-01-01 of a PostgreSQL timestamp, if finite.
fn unix_micros(pg: i64, finite: bool) -> Option<i64> {
    finite
        .then(|| pg.checked_sub(Timestamp::UNIX_EPOCH.0))
        .flatten()
}

/// A PostgreSQL timestamp from microseconds since 1970, inside PostgreSQL's range.
fn pg_micros(unix: i64) -> Option<i64> {
    unix.checked_add(Timestamp::UNIX_EPOCH.0)
        .filter(|m| (Timestamp::MIN.0..=Timestamp::MAX.0).contains(m))
}

impl TryFrom<NaiveDate> for Date {
    type Error = TypeError;

    fn try_from(d: NaiveDate) -> Result<Self, TypeError> {
        let days = d.num_days_from_ce() - PG_EPOCH_DAYS_FROM_CE;
        let date = Date(days);
        if (Date::MIN.0..=Date::MAX.0).contains(&days) {
            Ok(date)
        } else {
            Err(out_of_range("date"))
        }
    }
}

impl TryFrom<Date> for NaiveDate {
    type Error = TypeError;

    fn try_from(d: Date) -> Result<Self, TypeError> {
        d.0.checked_add(PG_EPOCH_DAYS_FROM_CE)
            .filter(|_| d.is_finite())
            .and_then(NaiveDate::from_num_days_from_ce_opt)
            .ok_or(out_of_range("date"))
    }
}

impl From<NaiveTime> for Time {
    fn from(t: NaiveTime) -> Self {
        // A leap second (nanosecond ≥ 1e9) is held as the last microsecond of its second.
        let micros = i64::from(t.nanosecond().min(999_999_999) / 1000);
        Time(i64::from(t.num_seconds_from_midnight()) * 1_000_000 + micros)
    }
}

impl TryFrom<Time> for NaiveTime {
    type Error = TypeError;

    fn try_from(t: Time) -> Result<Self, TypeError> {
        let secs = u32::try_from(t.0.div_euclid(1_000_000)).map_err(|_| out_of_range("time"))?;
        let nanos = (t.0.rem_euclid(1_000_000) * 1000) as u32;
        NaiveTime::from_num_seconds_from_midnight_opt(secs, nanos).ok_or(out_of_range("time"))
    }
}

impl TryFrom<NaiveDateTime> for Timestamp {
    type Error = TypeError;

    fn try_from(t: NaiveDateTime) -> Result<Self, TypeError> {
        pg_micros(t.and_utc().timestamp_micros())
            .map(Timestamp)
            .ok_or(out_of_range("timestamp"))
    }
}

impl TryFrom<Timestamp> for NaiveDateTime {
    type Error = TypeError;

    fn try_from(t: Timestamp) -> Result<Self, TypeError> {
        unix_micros(t.0, t.is_finite())
            .and_then(DateTime::from_timestamp_micros)
            .map(|d| d.naive_utc())
            .ok_or(out_of_range("timestamp"))
    }
}

impl TryFrom<DateTime<Utc>> for TimestampTz {
    type Error = TypeError;

    fn try_from(t: DateTime<Utc>) -> Result<Self, TypeError> {
        pg_micros(t.timestamp_micros())
            .map(TimestampTz)
            .ok_or(out_of_range("timestamp"))
    }
}

impl TryFrom<TimestampTz> for DateTime<Utc> {
    type Error = TypeError;

    fn try_from(t: TimestampTz) -> Result<Self, TypeError> {
        unix_micros(t.0, t.is_finite())
            .and_then(DateTime::from_timestamp_micros)
            .ok_or(out_of_range("timestamp"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Codec;

    #[test]
    fn same_instants() {
        let d = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
        assert_eq!(
            Date::try_from(d).unwrap(),
            Date::decode_text("2024-02-29").unwrap()
        );
        assert_eq!(
            NaiveDate::try_from(Date::decode_text("0001-01-01 BC").unwrap()).unwrap(),
            NaiveDate::from_ymd_opt(0, 1, 1).unwrap()
        );
        let t = d.and_hms_micro_opt(13, 45, 0, 123_456).unwrap();
        let ours = Timestamp::decode_text("2024-02-29 13:45:00.123456").unwrap();
        assert_eq!(Timestamp::try_from(t).unwrap(), ours);
        assert_eq!(NaiveDateTime::try_from(ours).unwrap(), t);
        let tz = TimestampTz::decode_text("2024-02-29 15:45:00.123456+02").unwrap();
        assert_eq!(DateTime::<Utc>::try_from(tz).unwrap(), t.and_utc());
        assert_eq!(
            Time::from(t.time()),
            Time::decode_text("13:45:00.123456").unwrap()
        );
        assert!(NaiveTime::try_from(Time::decode_text("24:00:00").unwrap()).is_err());
        assert!(NaiveDateTime::try_from(Timestamp::INFINITY).is_err());
        assert!(NaiveDate::try_from(Date::INFINITY).is_err());
    }
}

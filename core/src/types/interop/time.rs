//! The time crate's `Date`, `Time`, `PrimitiveDateTime` and `OffsetDateTime` ⇄ [`Date`],
//! [`Time`], [`Timestamp`] and [`TimestampTz`]. Sub-microsecond digits are dropped on the way
//! in; values one side cannot hold (the infinities, `24:00:00`, years beyond either range) are
//! errors.

use ::time::{OffsetDateTime, PrimitiveDateTime};

use crate::types::datetime::{Date, Time, Timestamp, TimestampTz};
use crate::types::TypeError;

/// The Julian day of 2000-01-01.
const PG_EPOCH_JULIAN_DAY: i32 = 2_451_545;

/// A value the other side has no room for.
const fn out_of_range(type_name: &'static str) -> TypeError {
    TypeError::new("22008", "{type} out of range", type_name)
}

impl From<::time::Date> for Date {
    fn from(d: ::time::Date) -> Self {
        // The time crate's years (at most ±999,999) are inside PostgreSQL's date range.
        Date(d.to_julian_day() - PG_EPOCH_JULIAN_DAY)
    }
}

impl TryFrom<Date> for ::time::Date {
    type Error = TypeError;

    fn try_from(d: Date) -> Result<Self, TypeError> {
        d.0.checked_add(PG_EPOCH_JULIAN_DAY)
            .filter(|_| d.is_finite())
            .and_then(|jd| ::time::Date::from_julian_day(jd).ok())
            .ok_or(out_of_range("date"))
    }
}

impl From<::time::Time> for Time {
    fn from(t: ::time::Time) -> Self {
        let (h, m, s, micro) = t.as_hms_micro();
        Time(
            ((i64::from(h) * 60 + i64::from(m)) * 60 + i64::from(s)) * 1_000_000 + i64::from(micro),
        )
    }
}

impl TryFrom<Time> for ::time::Time {
    type Error = TypeError;

    fn try_from(t: Time) -> Result<Self, TypeError> {
        let (h, m, s, micro) = t.hms_micro();
        ::time::Time::from_hms_micro(h as u8, m as u8, s as u8, micro)
            .map_err(|_| out_of_range("time"))
    }
}

impl TryFrom<PrimitiveDateTime> for Timestamp {
    type Error = TypeError;

    fn try_from(t: PrimitiveDateTime) -> Result<Self, TypeError> {
        Timestamp::from_parts(t.date().into(), t.time().into()).ok_or(out_of_range("timestamp"))
    }
}

impl TryFrom<Timestamp> for PrimitiveDateTime {
    type Error = TypeError;

    fn try_from(t: Timestamp) -> Result<Self, TypeError> {
        let (date, time) = t.to_parts().ok_or(out_of_range("timestamp"))?;
        Ok(PrimitiveDateTime::new(date.try_into()?, time.try_into()?))
    }
}

impl TryFrom<OffsetDateTime> for TimestampTz {
    type Error = TypeError;

    fn try_from(t: OffsetDateTime) -> Result<Self, TypeError> {
        let utc = t.to_offset(::time::UtcOffset::UTC);
        TimestampTz::from_utc_parts(utc.date().into(), utc.time().into())
            .ok_or(out_of_range("timestamp"))
    }
}

impl TryFrom<TimestampTz> for OffsetDateTime {
    type Error = TypeError;

    fn try_from(t: TimestampTz) -> Result<Self, TypeError> {
        let (date, time) = t.to_utc_parts().ok_or(out_of_range("timestamp"))?;
        Ok(PrimitiveDateTime::new(date.try_into()?, time.try_into()?).assume_utc())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Codec;

    #[test]
    fn same_instants() {
        let d = ::time::Date::from_calendar_date(2024, ::time::Month::February, 29).unwrap();
        assert_eq!(Date::from(d), Date::decode_text("2024-02-29").unwrap());
        let t =
            PrimitiveDateTime::new(d, ::time::Time::from_hms_micro(13, 45, 0, 123_456).unwrap());
        let ours = Timestamp::decode_text("2024-02-29 13:45:00.123456").unwrap();
        assert_eq!(Timestamp::try_from(t).unwrap(), ours);
        assert_eq!(PrimitiveDateTime::try_from(ours).unwrap(), t);
        let tz = TimestampTz::decode_text("2024-02-29 15:45:00.123456+02").unwrap();
        assert_eq!(OffsetDateTime::try_from(tz).unwrap(), t.assume_utc());
        assert_eq!(
            TimestampTz::try_from(t.assume_offset(::time::UtcOffset::from_hms(2, 0, 0).unwrap()))
                .unwrap(),
            TimestampTz::decode_text("2024-02-29 13:45:00.123456+02").unwrap()
        );
        assert!(::time::Time::try_from(Time::decode_text("24:00:00").unwrap()).is_err());
        assert!(PrimitiveDateTime::try_from(Timestamp::NEG_INFINITY).is_err());
    }
}

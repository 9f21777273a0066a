//! Dates for `format_date` / `format_day`: the accepted inputs and the arithmetic that
//! Python's `datetime` does for Tornado.

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, FixedOffset, NaiveDateTime, SubsecRound, TimeDelta, TimeZone, Utc};

use crate::error::{Error, Result};

/// Something [`Locale::format_date`](crate::Locale::format_date) accepts as a date, as
/// Tornado accepts a `datetime` or a Unix timestamp:
///
/// - [`DateTime`] in any time zone (an aware `datetime`): compared by instant; its
///   fields (hour, day...) are read in its own offset, as Python does;
/// - [`NaiveDateTime`]: taken as UTC (a naive `datetime`);
/// - `i64`, `i32`, `u32`, `u64`, `f64`: seconds since the Unix epoch, in UTC;
/// - [`SystemTime`].
///
/// Dates carry microseconds, as Python's do: finer digits are dropped (a float
/// timestamp is rounded to the nearest microsecond, half to even, as Python rounds it).
pub trait IntoDate {
    /// The date as an instant with its UTC offset.
    fn into_date(self) -> Result<DateTime<FixedOffset>>;
}

impl<Tz: TimeZone> IntoDate for DateTime<Tz> {
    fn into_date(self) -> Result<DateTime<FixedOffset>> {
        Ok(self.fixed_offset().trunc_subsecs(6))
    }
}

impl<Tz: TimeZone> IntoDate for &DateTime<Tz> {
    fn into_date(self) -> Result<DateTime<FixedOffset>> {
        self.clone().into_date()
    }
}

impl IntoDate for NaiveDateTime {
    fn into_date(self) -> Result<DateTime<FixedOffset>> {
        self.and_utc().into_date()
    }
}

impl IntoDate for &NaiveDateTime {
    fn into_date(self) -> Result<DateTime<FixedOffset>> {
        (*self).into_date()
    }
}

impl IntoDate for i64 {
    fn into_date(self) -> Result<DateTime<FixedOffset>> {
        DateTime::from_timestamp(self, 0)
            .map(|d| d.fixed_offset())
            .ok_or_else(|| Error::date(format!("timestamp {self}")))
    }
}

impl IntoDate for i32 {
    fn into_date(self) -> Result<DateTime<FixedOffset>> {
        i64::from(self).into_date()
    }
}

impl IntoDate for u32 {
    fn into_date(self) -> Result<DateTime<FixedOffset>> {
        i64::from(self).into_date()
    }
}

impl IntoDate for u64 {
    fn into_date(self) -> Result<DateTime<FixedOffset>> {
        i64::try_from(self)
            .map_err(|_| Error::date(format!("timestamp {self}")))?
            .into_date()
    }
}

impl IntoDate for f64 {
    fn into_date(self) -> Result<DateTime<FixedOffset>> {
        let out_of_range = || Error::date(format!("timestamp {self}"));
        if !self.is_finite() || self.abs() > 1e15 {
            return Err(out_of_range());
        }
        let secs = self.floor();
        let frac = self - secs;
        // Python rounds the fraction to microseconds, half to even.
        let mut micros = (frac * 1e6).round_ties_even() as i64;
        let mut secs = secs as i64;
        if micros >= 1_000_000 {
            secs += 1;
            micros -= 1_000_000;
        }
        DateTime::from_timestamp(secs, (micros * 1000) as u32)
            .map(|d| d.fixed_offset())
            .ok_or_else(out_of_range)
    }
}

impl IntoDate for SystemTime {
    fn into_date(self) -> Result<DateTime<FixedOffset>> {
        let utc: DateTime<Utc> = match self.duration_since(UNIX_EPOCH) {
            Ok(after) => TimeDelta::from_std(after)
                .ok()
                .and_then(|d| DateTime::UNIX_EPOCH.checked_add_signed(d)),
            Err(before) => TimeDelta::from_std(before.duration())
                .ok()
                .and_then(|d| DateTime::UNIX_EPOCH.checked_sub_signed(d)),
        }
        .ok_or_else(|| Error::date(format!("{self:?}")))?;
        utc.into_date()
    }
}

/// Python's `timedelta` fields of `later - earlier`: whole days (floored) and the
/// seconds left over (0 to 86399).
pub(crate) fn days_and_seconds(later: DateTime<Utc>, earlier: DateTime<FixedOffset>) -> (i64, i64) {
    let delta = later.signed_duration_since(earlier);
    let micros =
        i128::from(delta.num_seconds()) * 1_000_000 + i128::from(delta.subsec_nanos() / 1000);
    const DAY: i128 = 86_400_000_000;
    // `micros / DAY` is at most a few hundred million: it fits an i64.
    let days = micros.div_euclid(DAY) as i64;
    let seconds = (micros.rem_euclid(DAY) / 1_000_000) as i64;
    (days, seconds)
}

/// `date`'s wall clock in its own offset, moved back by `gmt_offset` minutes (Tornado's
/// `date - timedelta(minutes=gmt_offset)`).
pub(crate) fn shift(date: &DateTime<FixedOffset>, gmt_offset: i64) -> Result<NaiveDateTime> {
    TimeDelta::try_minutes(gmt_offset)
        .and_then(|d| date.naive_local().checked_sub_signed(d))
        .ok_or_else(|| Error::date(format!("{date} with gmt_offset {gmt_offset}")))
}

/// Python's `round(a / b)` for non-negative integers: halves go to the even neighbour.
pub(crate) fn round_half_even(a: i64, b: i64) -> i64 {
    let (q, r) = (a / b, a % b);
    match (2 * r).cmp(&b) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q % 2),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, Timelike};

    #[test]
    fn inputs() {
        let naive = NaiveDate::from_ymd_opt(2013, 4, 28)
            .and_then(|d| d.and_hms_micro_opt(18, 35, 0, 5))
            .unwrap();
        let from_naive = naive.into_date().unwrap();
        assert_eq!(from_naive.offset().local_minus_utc(), 0);
        assert_eq!(from_naive.naive_local(), naive);
        assert_eq!(
            1_367_174_100_i64.into_date().unwrap().naive_utc().hour(),
            18
        );
        let f = 1.5e-6_f64.into_date().unwrap();
        assert_eq!(f.timestamp_subsec_micros(), 2);
        let f = 2.5e-6_f64.into_date().unwrap();
        assert_eq!(f.timestamp_subsec_micros(), 2);
        let f = (-0.25_f64).into_date().unwrap();
        assert_eq!((f.timestamp(), f.timestamp_subsec_micros()), (-1, 750_000));
        assert!(f64::NAN.into_date().unwrap_err().is_date());
        assert!(1e300_f64.into_date().is_err());
        assert!(i64::MAX.into_date().is_err());
        assert!(u64::MAX.into_date().is_err());
        let sys = UNIX_EPOCH + std::time::Duration::from_nanos(1_500);
        assert_eq!(sys.into_date().unwrap().timestamp_subsec_nanos(), 1_000);
        let east = FixedOffset::east_opt(7200).unwrap();
        let aware = east.with_ymd_and_hms(2020, 1, 1, 1, 0, 0).unwrap();
        assert_eq!((&aware).into_date().unwrap().naive_local().hour(), 1);
    }

    #[test]
    fn timedelta_fields() {
        let now = Utc.with_ymd_and_hms(2020, 1, 2, 0, 0, 0).unwrap();
        let ago = |s: i64| (now - TimeDelta::seconds(s)).fixed_offset();
        assert_eq!(days_and_seconds(now, ago(5)), (0, 5));
        assert_eq!(days_and_seconds(now, ago(86_405)), (1, 5));
        assert_eq!(days_and_seconds(now, ago(-5)), (-1, 86_395));
        let half = (now - TimeDelta::microseconds(500_000)).fixed_offset();
        assert_eq!(days_and_seconds(now, half), (0, 0));
        let future = (now + TimeDelta::microseconds(500_000)).fixed_offset();
        assert_eq!(days_and_seconds(now, future), (-1, 86_399));
    }

    #[test]
    fn rounding() {
        assert_eq!(round_half_even(90, 60), 2);
        assert_eq!(round_half_even(150, 60), 2);
        assert_eq!(round_half_even(89, 60), 1);
        assert_eq!(round_half_even(5400, 3600), 2);
        assert_eq!(round_half_even(9000, 3600), 2);
        assert_eq!(round_half_even(9001, 3600), 3);
    }

    #[test]
    fn shifting() {
        let d = 0_i64.into_date().unwrap();
        assert_eq!(shift(&d, 90).unwrap().hour(), 22);
        assert!(shift(&d, i64::MAX).is_err());
    }
}

//! `format_timestamp`: dates in the form HTTP uses (`Sun, 27 Jan 2013 18:43:20 GMT`).

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, NaiveDateTime, TimeZone, Timelike, Utc};

/// A point in time for [`format_timestamp`], as whole seconds since the Unix epoch.
///
/// Converts from what Tornado accepts: a number of seconds (`i64`, `u32`, `f64`, ...;
/// fractions are floored, as Python's `time.gmtime` floors them), a [`SystemTime`], a
/// `chrono` [`DateTime`] in any time zone (converted to UTC) and a [`NaiveDateTime`]
/// (taken to be UTC, as Tornado takes a naive `datetime`). Python's `struct_time` and
/// 9-tuples are UTC calendar fields: build a `NaiveDateTime` from them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

impl Timestamp {
    /// The seconds since the Unix epoch.
    pub fn seconds(self) -> i64 {
        self.0
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Timestamp {
            fn from(secs: $t) -> Self {
                Timestamp(i64::try_from(secs).unwrap_or(i64::MAX))
            }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32, u64, isize, usize);

impl From<f64> for Timestamp {
    /// Floors the seconds; NaN counts as the epoch, infinities saturate.
    fn from(secs: f64) -> Self {
        // `as` saturates at the ends of i64 and turns NaN into 0.
        Timestamp(secs.floor() as i64)
    }
}

impl From<f32> for Timestamp {
    fn from(secs: f32) -> Self {
        Timestamp::from(f64::from(secs))
    }
}

impl From<SystemTime> for Timestamp {
    fn from(time: SystemTime) -> Self {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => Timestamp::from(after.as_secs()),
            Err(before) => {
                let d = before.duration();
                let secs = i64::try_from(d.as_secs()).unwrap_or(i64::MAX);
                // Floor: 1.5 s before the epoch is second -2.
                Timestamp(-secs - i64::from(d.subsec_nanos() > 0))
            }
        }
    }
}

impl<Tz: TimeZone> From<DateTime<Tz>> for Timestamp {
    fn from(time: DateTime<Tz>) -> Self {
        Timestamp(time.timestamp())
    }
}

impl From<NaiveDateTime> for Timestamp {
    fn from(time: NaiveDateTime) -> Self {
        Timestamp(time.and_utc().timestamp())
    }
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// The first and last seconds Python's `datetime` can show (years 1 to 9999).
const MIN_SECS: i64 = -62_135_596_800;
const MAX_SECS: i64 = 253_402_300_799;

/// Formats a time as HTTP dates are written (RFC 7231 IMF-fixdate), always in GMT:
/// Tornado's `format_timestamp` (Python's `email.utils.formatdate(t, usegmt=True)`).
///
/// A time before year 1 or after year 9999, where Python raises, is clamped to that
/// range.
///
/// ```
/// use tornado_httputil::format_timestamp;
/// assert_eq!(format_timestamp(1359312200), "Sun, 27 Jan 2013 18:43:20 GMT");
/// assert_eq!(format_timestamp(1359312200.503611), "Sun, 27 Jan 2013 18:43:20 GMT");
/// let aware = chrono::DateTime::parse_from_rfc3339("2013-01-27T14:43:20-04:00").unwrap();
/// assert_eq!(format_timestamp(aware), "Sun, 27 Jan 2013 18:43:20 GMT");
/// ```
pub fn format_timestamp(ts: impl Into<Timestamp>) -> String {
    let secs = ts.into().0.clamp(MIN_SECS, MAX_SECS);
    let Some(t) = Utc.timestamp_opt(secs, 0).single() else {
        return String::new();
    };
    let day = DAYS
        .get(t.weekday().num_days_from_monday() as usize)
        .copied()
        .unwrap_or_default();
    let month = MONTHS.get(t.month0() as usize).copied().unwrap_or_default();
    format!(
        "{day}, {:02} {month} {:04} {:02}:{:02}:{:02} GMT",
        t.day(),
        t.year(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn inputs() {
        let expected = "Sun, 27 Jan 2013 18:43:20 GMT";
        let t = UNIX_EPOCH + Duration::from_micros(1_359_312_200_503_611);
        assert_eq!(format_timestamp(t), expected);
        let naive = DateTime::from_timestamp(1_359_312_200, 0)
            .unwrap()
            .naive_utc();
        assert_eq!(format_timestamp(naive), expected);
        assert_eq!(format_timestamp(0u8), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(format_timestamp(-0.5), "Wed, 31 Dec 1969 23:59:59 GMT");
        assert_eq!(
            format_timestamp(UNIX_EPOCH - Duration::from_millis(1500)),
            "Wed, 31 Dec 1969 23:59:58 GMT"
        );
        assert_eq!(format_timestamp(f64::NAN), "Thu, 01 Jan 1970 00:00:00 GMT");
    }

    #[test]
    fn clamped_years() {
        assert_eq!(format_timestamp(i64::MAX), "Fri, 31 Dec 9999 23:59:59 GMT");
        assert_eq!(format_timestamp(i64::MIN), "Mon, 01 Jan 0001 00:00:00 GMT");
        assert_eq!(
            format_timestamp(-61_000_000_000i64),
            "Fri, 26 Dec 0036 11:33:20 GMT"
        );
    }
}

//! The `Date` header value, rendered once per second and cached per thread.

use std::cell::RefCell;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The date of the current second, and the time it stops being current.
struct Cached {
    until: SystemTime,
    text: String,
}

thread_local! {
    static CACHE: RefCell<Cached> = const {
        RefCell::new(Cached { until: UNIX_EPOCH, text: String::new() })
    };
}

/// Calls `f` with the current time as an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`),
/// formatted at most once per second per thread.
pub fn with_http_date<R>(f: impl FnOnce(&str) -> R) -> R {
    with_http_date_at(SystemTime::now(), f)
}

/// [`with_http_date`] for a time already read from the clock (a time before the last
/// one of the thread may give that one's second).
pub fn with_http_date_at<R>(now: SystemTime, f: impl FnOnce(&str) -> R) -> R {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        // Within the second, a comparison is all it costs.
        if now >= cache.until || cache.text.is_empty() {
            let secs = now.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
            let date = format_http_date(secs);
            cache.text.clear();
            cache.text.extend(date.iter().map(|&b| char::from(b)));
            cache.until = UNIX_EPOCH + Duration::from_secs(secs + 1);
        }
        f(&cache.text)
    })
}

/// The current time as an HTTP date, as an owned string.
pub fn http_date() -> String {
    with_http_date(str::to_owned)
}

/// Formats seconds since the epoch as an IMF-fixdate.
fn format_http_date(secs: u64) -> [u8; 29] {
    const DAYS: [&[u8; 3]; 7] = [b"Thu", b"Fri", b"Sat", b"Sun", b"Mon", b"Tue", b"Wed"];
    const MONTHS: [&[u8; 3]; 12] = [
        b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov",
        b"Dec",
    ];
    let days = secs / 86400;
    let second_of_day = secs % 86400;
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    let mut out = [0u8; 29];
    out[..3].copy_from_slice(DAYS[(days % 7) as usize]);
    out[3..5].copy_from_slice(b", ");
    two_digits(&mut out[5..7], day as u64);
    out[7] = b' ';
    out[8..11].copy_from_slice(MONTHS[(month - 1) as usize]);
    out[11] = b' ';
    let year = year.clamp(0, 9999) as u64;
    two_digits(&mut out[12..14], year / 100);
    two_digits(&mut out[14..16], year % 100);
    out[16] = b' ';
    two_digits(&mut out[17..19], second_of_day / 3600);
    out[19] = b':';
    two_digits(&mut out[20..22], second_of_day % 3600 / 60);
    out[22] = b':';
    two_digits(&mut out[23..25], second_of_day % 60);
    out[25..29].copy_from_slice(b" GMT");
    out
}

fn two_digits(out: &mut [u8], n: u64) {
    out[0] = b'0' + (n / 10 % 10) as u8;
    out[1] = b'0' + (n % 10) as u8;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_match_tornado_format_timestamp() {
        for secs in [0u64, 784_111_777, 1_359_312_200, 951_782_400, 4_102_444_799] {
            let ours = String::from_utf8(format_http_date(secs).to_vec()).unwrap();
            let theirs = tornado_httputil::format_timestamp(secs as f64);
            assert_eq!(ours, theirs, "{secs}");
        }
        assert_eq!(
            String::from_utf8(format_http_date(1_359_312_200).to_vec()).unwrap(),
            "Sun, 27 Jan 2013 18:43:20 GMT"
        );
    }

    #[test]
    fn the_cached_date_is_now() {
        let date = http_date();
        assert_eq!(date.len(), 29);
        assert!(date.ends_with(" GMT"));
    }
}

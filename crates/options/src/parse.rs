//! Parsing option values from strings, as Tornado's `_Option.parse` does for each type.

use std::sync::LazyLock;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeDelta};
use regex::Regex;

use crate::value::{Type, Value, py_repr_str};

/// The most values one `multiple` option may receive from one string (ranges such as
/// `1:1000000000` would otherwise allocate without bound).
pub const MAX_LIST_LEN: usize = 1_000_000;

/// Parses `text` as a value of `ty` (or a comma-separated list of them when `multiple`;
/// integer lists also accept inclusive ranges `lo:hi`).
pub(crate) fn parse_value(ty: &Type, multiple: bool, text: &str) -> Result<Value, String> {
    if !multiple {
        return parse_one(ty, text);
    }
    let mut items = Vec::new();
    for part in text.split(',') {
        if *ty == Type::Int {
            let (lo, hi) = part.split_once(':').unwrap_or((part, ""));
            let lo = parse_int(lo)?;
            let hi = if hi.is_empty() { lo } else { parse_int(hi)? };
            if hi >= lo {
                let count = (i128::from(hi) - i128::from(lo) + 1) as u128;
                if count > (MAX_LIST_LEN - items.len().min(MAX_LIST_LEN)) as u128 {
                    return Err(format!(
                        "the range {lo}:{hi} gives more than {MAX_LIST_LEN} values"
                    ));
                }
                items.extend((lo..=hi).map(Value::Int));
            }
        } else {
            if items.len() >= MAX_LIST_LEN {
                return Err(format!("more than {MAX_LIST_LEN} values"));
            }
            items.push(parse_one(ty, part)?);
        }
    }
    Ok(Value::List(items))
}

fn parse_one(ty: &Type, text: &str) -> Result<Value, String> {
    Ok(match ty {
        Type::Str => Value::Str(text.to_owned()),
        Type::Int => Value::Int(parse_int(text)?),
        Type::Float => Value::Float(parse_float(text)?),
        Type::Bool => Value::Bool(parse_bool(text)),
        Type::DateTime => Value::DateTime(parse_datetime(text)?),
        Type::TimeDelta => Value::TimeDelta(parse_timedelta(text)?),
        Type::Custom(c) => c.parse(text)?,
    })
}

/// Python's `bool` parsing of option strings: anything but `false`, `0` and `f`
/// (in any case) is true.
pub fn parse_bool(text: &str) -> bool {
    !matches!(text.to_lowercase().as_str(), "false" | "0" | "f")
}

/// Removes the underscores Python allows between digits (`1_000`); `None` if one is
/// misplaced.
fn strip_underscores(s: &str) -> Option<String> {
    if !s.contains('_') {
        return Some(s.to_owned());
    }
    let chars: Vec<char> = s.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        if *c == '_' {
            let before = i.checked_sub(1).and_then(|j| chars.get(j));
            let after = chars.get(i + 1);
            if !before.is_some_and(char::is_ascii_digit) || !after.is_some_and(char::is_ascii_digit)
            {
                return None;
            }
        }
    }
    Some(s.replace('_', ""))
}

/// Python's `int(text)`: surrounding whitespace, a sign, decimal digits with single
/// underscores between them.
pub fn parse_int(text: &str) -> Result<i64, String> {
    let err = || {
        format!(
            "invalid literal for int() with base 10: {}",
            py_repr_str(text)
        )
    };
    let t = text.trim();
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    if body.is_empty() || !body.chars().all(|c| c.is_ascii_digit() || c == '_') {
        return Err(err());
    }
    let clean = strip_underscores(t).ok_or_else(err)?;
    clean
        .parse::<i64>()
        .map_err(|_| format!("integer out of the 64-bit range: {}", py_repr_str(text)))
}

/// Python's `float(text)`: decimal and scientific forms, `inf`, `nan`, underscores
/// between digits, surrounding whitespace.
pub fn parse_float(text: &str) -> Result<f64, String> {
    let err = || format!("could not convert string to float: {}", py_repr_str(text));
    let t = text.trim();
    let clean = strip_underscores(t).ok_or_else(err)?;
    let ok_chars = clean
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '+' | '-'));
    if !ok_chars {
        return Err(err());
    }
    clean.parse::<f64>().map_err(|_| err())
}

/// The formats Tornado tries, in order, with the regular expression Python's `strptime`
/// builds for each (`\s+` for a space, case-insensitive names).
const DATETIME_FORMATS: [&str; 10] = [
    "%a %b %d %H:%M:%S %Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%dT%H:%M",
    "%Y%m%d %H:%M:%S",
    "%Y%m%d %H:%M",
    "%Y-%m-%d",
    "%Y%m%d",
    "%H:%M:%S",
    "%H:%M",
];

fn strptime_regex(format: &str) -> String {
    let mut re = String::from("(?i)^");
    let mut chars = format.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => re.push_str(match chars.next() {
                Some('a') => "(?P<a>mon|tue|wed|thu|fri|sat|sun)",
                Some('b') => "(?P<b>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)",
                Some('d') => "(?P<d>3[01]|[12][0-9]|0[1-9]|[1-9]| [1-9])",
                Some('H') => "(?P<H>2[0-3]|[0-1][0-9]|[0-9])",
                Some('M') => "(?P<M>[0-5][0-9]|[0-9])",
                Some('S') => "(?P<S>6[0-1]|[0-5][0-9]|[0-9])",
                Some('Y') => "(?P<Y>[0-9]{4})",
                Some('m') => "(?P<m>1[0-2]|0[1-9]|[1-9])",
                _ => "",
            }),
            ' ' => re.push_str(r"\s+"),
            other => re.push_str(&regex::escape(&other.to_string())),
        }
    }
    re.push('$');
    re
}

static DATETIME_REGEXES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    DATETIME_FORMATS
        .iter()
        .filter_map(|f| Regex::new(&strptime_regex(f)).ok())
        .collect()
});

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn datetime_from_captures(caps: &regex::Captures<'_>) -> Option<NaiveDateTime> {
    let num = |name: &str| -> Option<u32> {
        caps.name(name).and_then(|m| m.as_str().trim().parse().ok())
    };
    let year = caps
        .name("Y")
        .map_or(Some(1900), |m| m.as_str().parse::<i32>().ok())?;
    let month = match caps.name("b") {
        Some(b) => {
            let b = b.as_str().to_ascii_lowercase();
            MONTHS.iter().position(|m| *m == b)? as u32 + 1
        }
        None => num("m").unwrap_or(1),
    };
    let day = num("d").unwrap_or(1);
    if year < 1 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year, month, day)?;
    let time = NaiveTime::from_hms_opt(
        num("H").unwrap_or(0),
        num("M").unwrap_or(0),
        num("S").unwrap_or(0),
    )?;
    Some(NaiveDateTime::new(date, time))
}

/// Tornado's datetime parsing: the first of its ten `strptime` formats that reads the
/// whole text and gives a valid date (`2013-04-28 05:16`, `20130428`, `05:16`,
/// `Sun Apr 28 05:16:00 2013`...).
pub fn parse_datetime(text: &str) -> Result<NaiveDateTime, String> {
    for re in DATETIME_REGEXES.iter() {
        if let Some(dt) = re.captures(text).and_then(|c| datetime_from_captures(&c)) {
            return Ok(dt);
        }
    }
    Err(format!(
        "Unrecognized date/time format: {}",
        py_repr_str(text)
    ))
}

static TIMEDELTA_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)^\s*([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?)\s*(\w*)\s*")
        .ok()
});

/// Microseconds in one unit of each name Tornado (and Python's `timedelta`) accepts.
fn unit_micros(unit: &str) -> Option<f64> {
    Some(match unit {
        "" | "s" | "sec" | "seconds" => 1e6,
        "h" | "hours" => 3600e6,
        "m" | "min" | "minutes" => 60e6,
        "ms" | "milliseconds" => 1e3,
        "us" | "microseconds" => 1.0,
        "d" | "days" => 86400e6,
        "w" | "weeks" => 7.0 * 86400e6,
        _ => return None,
    })
}

/// Python's largest timedelta, in microseconds (999999999 days, 23:59:59.999999).
const MAX_TIMEDELTA_MICROS: i128 = 1_000_000_000 * 86_400_000_000 - 1;

/// Rounds microseconds as Python's `timedelta` does (half to even) and checks the range.
pub(crate) fn micros_from_f64(micros: f64) -> Result<i128, String> {
    if !micros.is_finite() || micros.abs() > 1e20 {
        return Err("timedelta out of range".into());
    }
    Ok(micros.round_ties_even() as i128)
}

/// Builds a `TimeDelta` from microseconds inside Python's range.
pub(crate) fn timedelta_from_micros(total: i128) -> Result<TimeDelta, String> {
    if !(-(MAX_TIMEDELTA_MICROS + 1)..=MAX_TIMEDELTA_MICROS).contains(&total) {
        return Err("timedelta out of range: days must have magnitude <= 999999999".into());
    }
    let secs = total.div_euclid(1_000_000) as i64;
    let nanos = (total.rem_euclid(1_000_000) * 1000) as u32;
    TimeDelta::new(secs, nanos).ok_or_else(|| "timedelta out of range".into())
}

/// Tornado's timedelta parsing: a sequence of `<number><unit>` with optional spaces
/// (`45s`, `1h 30m`, `1.5 hours`, `-5s`); a number without unit counts seconds.
pub fn parse_timedelta(text: &str) -> Result<TimeDelta, String> {
    let err = || format!("Unrecognized timedelta format: {}", py_repr_str(text));
    let re = TIMEDELTA_RE.as_ref().ok_or_else(err)?;
    let mut total: i128 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let caps = re.captures(rest).ok_or_else(err)?;
        let (Some(whole), Some(num), unit) = (caps.get(0), caps.get(1), caps.get(2)) else {
            return Err(err());
        };
        let num: f64 = num.as_str().parse().map_err(|_| err())?;
        let unit = unit.map_or("", |u| u.as_str());
        let per = unit_micros(unit).ok_or_else(|| {
            format!(
                "Unrecognized timedelta unit {} in {}",
                py_repr_str(unit),
                py_repr_str(text)
            )
        })?;
        total = total.saturating_add(micros_from_f64(num * per)?);
        rest = &rest[whole.end()..];
    }
    timedelta_from_micros(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> String {
        parse_datetime(s).map_or_else(|e| e, |d| d.to_string())
    }

    #[test]
    fn datetimes_like_tornado() {
        assert_eq!(dt("2013-04-28 05:16"), "2013-04-28 05:16:00");
        assert_eq!(dt("Sun apr  8 05:16:00 2013"), "2013-04-08 05:16:00");
        assert_eq!(dt("20130428 5:6"), "2013-04-28 05:06:00");
        assert_eq!(dt("2013-04-28t05:16"), "2013-04-28 05:16:00");
        assert_eq!(dt("5:16"), "1900-01-01 05:16:00");
        assert_eq!(dt("2013-4-8"), "2013-04-08 00:00:00");
        assert_eq!(dt("20130428"), "2013-04-28 00:00:00");
        assert!(dt("0000-01-01 00:00").starts_with("Unrecognized"));
        assert!(dt("2013-04-28 05:16:60").starts_with("Unrecognized"));
        assert!(dt("2013-02-30").starts_with("Unrecognized"));
        assert!(dt("").starts_with("Unrecognized"));
    }

    fn td(s: &str) -> Result<i64, String> {
        parse_timedelta(s).map(|d| d.num_microseconds().unwrap_or(i64::MAX))
    }

    #[test]
    fn timedeltas_like_tornado() {
        assert_eq!(td("45s"), Ok(45_000_000));
        assert_eq!(td("1h 30m"), Ok(5_400_000_000));
        assert_eq!(td("1.5 hours"), Ok(5_400_000_000));
        assert_eq!(td("-5s"), Ok(-5_000_000));
        assert_eq!(td("1e3ms"), Ok(1_000_000));
        assert_eq!(td(" 2 w "), Ok(14 * 86_400_000_000));
        assert_eq!(td("3 min 2sec"), Ok(182_000_000));
        assert_eq!(td("1 s 2"), Ok(3_000_000));
        assert_eq!(td(""), Ok(0));
        assert_eq!(td("0.0000005s"), Ok(0));
        assert_eq!(td("0.0000015s"), Ok(2));
        assert!(td("1h30m").is_err());
        assert!(td("1 day").is_err());
        assert!(td("x").is_err());
        assert!(td("1000000000d").is_err());
    }

    #[test]
    fn ints_floats_bools() {
        assert_eq!(parse_int(" 1_000 "), Ok(1000));
        assert_eq!(parse_int("-7"), Ok(-7));
        assert!(parse_int("1__0").is_err());
        assert!(parse_int("0x10").is_err());
        assert!(parse_int("").is_err());
        assert!(parse_int("99999999999999999999").is_err());
        assert_eq!(parse_float("1.5"), Ok(1.5));
        assert_eq!(parse_float(" .5 "), Ok(0.5));
        assert_eq!(parse_float("1_0.5e1"), Ok(105.0));
        assert!(parse_float("inf").is_ok_and(f64::is_infinite));
        assert!(parse_float("1.5f").is_err());
        assert!(parse_bool("true") && parse_bool("") && parse_bool("yes"));
        assert!(!parse_bool("False") && !parse_bool("0") && !parse_bool("F"));
    }

    #[test]
    fn lists_and_ranges() {
        assert_eq!(
            parse_value(&Type::Int, true, "1,3,5:7"),
            Ok(Value::from(vec![1, 3, 5, 6, 7]))
        );
        assert_eq!(
            parse_value(&Type::Int, true, "3:1"),
            Ok(Value::List(vec![]))
        );
        assert_eq!(
            parse_value(&Type::Str, true, "a,b,c"),
            Ok(Value::from(vec!["a", "b", "c"]))
        );
        assert!(parse_value(&Type::Int, true, "1:100000000000").is_err());
        assert!(parse_value(&Type::Int, true, "1:x").is_err());
    }

    proptest::proptest! {
        #[test]
        fn timedelta_never_panics(s in "\\PC{0,40}") {
            let _ = parse_timedelta(&s);
        }

        #[test]
        fn datetime_never_panics(s in "[0-9a-zA-Z :T-]{0,30}") {
            let _ = parse_datetime(&s);
        }

        #[test]
        fn int_round_trips(i in proptest::num::i64::ANY) {
            proptest::prop_assert_eq!(parse_int(&i.to_string()), Ok(i));
        }

        #[test]
        fn int_list_never_panics(s in "[0-9:, -]{0,30}") {
            let _ = parse_value(&Type::Int, true, &s);
        }
    }
}

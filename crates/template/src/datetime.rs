//! The `datetime` module of Tornado's default namespace: `datetime.datetime` (`now`,
//! `utcnow`, `strptime`, `fromtimestamp`, construction, `strftime`, `isoformat`,
//! `replace`, comparison, arithmetic with `timedelta`), `datetime.date`,
//! `datetime.timedelta` and `datetime.timezone.utc`.

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::rc::Rc;

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Timelike};

use crate::error::{Error, Result};
use crate::value::{Args, Object, Value};

/// A `datetime.datetime`: a naive date and time, or one with a UTC offset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DateTime {
    /// The local date and time.
    pub naive: NaiveDateTime,
    /// The UTC offset in seconds, for aware datetimes.
    pub offset: Option<i32>,
}

impl DateTime {
    /// A naive datetime.
    pub fn new(naive: NaiveDateTime) -> DateTime {
        DateTime {
            naive,
            offset: None,
        }
    }

    /// As a template value.
    pub fn into_value(self) -> Value {
        Value::Object(Rc::new(self))
    }
}

/// A `datetime.timedelta`.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Delta(TimeDelta);

#[derive(Debug, Clone, Copy, PartialEq)]
enum Class {
    Module,
    DateTime,
    Date,
    TimeDelta,
    Timezone,
    Utc,
}

#[derive(Debug)]
struct Thing(Class);

/// The `datetime` module value.
pub(crate) fn module() -> Value {
    Value::Object(Rc::new(Thing(Class::Module)))
}

fn int_arg(args: &Args<'_>, i: usize, name: &str, default: Option<i64>) -> Result<i64> {
    match args.arg(i, name) {
        Some(v) => v.as_int().ok_or_else(|| {
            Error::type_error(format!(
                "'{}' object cannot be interpreted as an integer",
                v.type_name()
            ))
        }),
        None => default.ok_or_else(|| {
            Error::type_error(format!("function missing required argument '{name}'"))
        }),
    }
}

fn num_arg(args: &Args<'_>, i: usize, name: &str) -> Result<f64> {
    match args.arg(i, name) {
        Some(v) => v.as_float().ok_or_else(|| {
            Error::type_error(format!(
                "unsupported type for timedelta {name} component: {}",
                v.type_name()
            ))
        }),
        None => Ok(0.0),
    }
}

fn make_datetime(args: &Args<'_>) -> Result<DateTime> {
    let y = int_arg(args, 0, "year", None)?;
    let mo = int_arg(args, 1, "month", None)?;
    let d = int_arg(args, 2, "day", None)?;
    let h = int_arg(args, 3, "hour", Some(0))?;
    let mi = int_arg(args, 4, "minute", Some(0))?;
    let s = int_arg(args, 5, "second", Some(0))?;
    let us = int_arg(args, 6, "microsecond", Some(0))?;
    let date = NaiveDate::from_ymd_opt(y as i32, mo as u32, d as u32)
        .ok_or_else(|| Error::value_error("day is out of range for month"))?;
    let time = NaiveTime::from_hms_micro_opt(h as u32, mi as u32, s as u32, us as u32)
        .ok_or_else(|| Error::value_error("hour, minute, second or microsecond out of range"))?;
    let offset = match args.arg(7, "tzinfo") {
        Some(Value::Object(o)) if o.type_name() == "datetime.timezone" => Some(0),
        _ => None,
    };
    Ok(DateTime {
        naive: NaiveDateTime::new(date, time),
        offset,
    })
}

fn now(utc: bool, tz: Option<&Value>) -> DateTime {
    let aware = matches!(tz, Some(Value::Object(o)) if o.type_name() == "datetime.timezone");
    if utc || aware {
        DateTime {
            naive: chrono::Utc::now().naive_utc(),
            offset: if aware { Some(0) } else { None },
        }
    } else {
        DateTime::new(chrono::Local::now().naive_local())
    }
}

/// Python's `strftime` over chrono: `%f` is microseconds, `%z`/`%Z` are empty for naive values.
fn strftime(dt: &DateTime, fmt: &str) -> Result<String> {
    let mut out = String::new();
    let mut chars = fmt.chars().peekable();
    let mut pending = String::new();
    let flush = |pending: &mut String, out: &mut String| -> Result<()> {
        if !pending.is_empty() {
            let items: Vec<chrono::format::Item<'_>> =
                chrono::format::StrftimeItems::new(pending).collect();
            if items
                .iter()
                .any(|i| matches!(i, chrono::format::Item::Error))
            {
                return Err(Error::value_error(format!(
                    "Invalid format string '{pending}'"
                )));
            }
            write!(out, "{}", dt.naive.format_with_items(items.into_iter()))
                .map_err(|_| Error::value_error("Invalid format string"))?;
            pending.clear();
        }
        Ok(())
    };
    while let Some(c) = chars.next() {
        if c != '%' {
            pending.push(c);
            continue;
        }
        match chars.next() {
            Some('f') => {
                flush(&mut pending, &mut out)?;
                write!(out, "{:06}", dt.naive.and_utc().timestamp_subsec_micros()).ok();
            }
            Some('z') => {
                flush(&mut pending, &mut out)?;
                if let Some(o) = dt.offset {
                    let sign = if o < 0 { '-' } else { '+' };
                    let a = o.unsigned_abs();
                    write!(out, "{sign}{:02}{:02}", a / 3600, a / 60 % 60).ok();
                }
            }
            Some('Z') => {
                flush(&mut pending, &mut out)?;
                if dt.offset == Some(0) {
                    out.push_str("UTC");
                }
            }
            Some(other) => {
                pending.push('%');
                pending.push(other);
            }
            None => pending.push('%'),
        }
    }
    flush(&mut pending, &mut out)?;
    Ok(out)
}

fn strptime(s: &str, fmt: &str) -> Result<DateTime> {
    let bad = || {
        Error::value_error(format!(
            "time data {} does not match format {}",
            Value::from(s).repr(),
            Value::from(fmt).repr()
        ))
    };
    let f = fmt.replace("%f", "%6f");
    if let Ok(n) = NaiveDateTime::parse_from_str(s, &f) {
        return Ok(DateTime::new(n));
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, &f) {
        return Ok(DateTime::new(d.and_time(NaiveTime::MIN)));
    }
    Err(bad())
}

fn isoformat(dt: &DateTime, sep: &str) -> String {
    let mut s = format!(
        "{}{sep}{}",
        dt.naive.format("%Y-%m-%d"),
        dt.naive.format("%H:%M:%S")
    );
    let us = dt.naive.and_utc().timestamp_subsec_micros();
    if us != 0 {
        write!(s, ".{us:06}").ok();
    }
    if let Some(o) = dt.offset {
        let sign = if o < 0 { '-' } else { '+' };
        let a = o.unsigned_abs();
        write!(s, "{sign}{:02}:{:02}", a / 3600, a / 60 % 60).ok();
    }
    s
}

impl Object for Thing {
    fn type_name(&self) -> &str {
        match self.0 {
            Class::Module => "module",
            Class::Timezone => "type",
            Class::Utc => "datetime.timezone",
            _ => "type",
        }
    }

    fn get_attr(&self, name: &str) -> Result<Option<Value>> {
        let t = |c| Some(Value::Object(Rc::new(Thing(c))));
        Ok(match (self.0, name) {
            (Class::Module, "datetime") => t(Class::DateTime),
            (Class::Module, "date") => t(Class::Date),
            (Class::Module, "timedelta") => t(Class::TimeDelta),
            (Class::Module, "timezone") => t(Class::Timezone),
            (Class::Module, "MINYEAR") => Some(Value::Int(1)),
            (Class::Module, "MAXYEAR") => Some(Value::Int(9999)),
            (Class::Timezone, "utc") => t(Class::Utc),
            _ => None,
        })
    }

    fn call(&self, args: &Args<'_>) -> Result<Value> {
        match self.0 {
            Class::DateTime => Ok(make_datetime(args)?.into_value()),
            Class::Date => {
                let dt = make_datetime(&Args {
                    positional: args.positional.get(..3).unwrap_or(args.positional),
                    keywords: args.keywords,
                })?;
                Ok(Value::Object(Rc::new(DateOnly(dt.naive.date()))))
            }
            Class::TimeDelta => {
                let secs = num_arg(args, 0, "days")? * 86400.0
                    + num_arg(args, 1, "seconds")?
                    + num_arg(args, 2, "microseconds")? / 1e6
                    + num_arg(args, 3, "milliseconds")? / 1e3
                    + num_arg(args, 4, "minutes")? * 60.0
                    + num_arg(args, 5, "hours")? * 3600.0
                    + num_arg(args, 6, "weeks")? * 604800.0;
                let us = (secs * 1e6).round();
                if !us.is_finite() || us.abs() > 8.64e19 {
                    return Err(Error::new(
                        crate::ErrorKind::Overflow,
                        "timedelta out of range",
                    ));
                }
                Ok(Value::Object(Rc::new(Delta(TimeDelta::microseconds(
                    us as i64,
                )))))
            }
            _ => Err(Error::type_error(format!(
                "'{}' object is not callable",
                self.type_name()
            ))),
        }
    }

    fn call_method(&self, name: &str, args: &Args<'_>) -> Result<Value> {
        match (self.0, name) {
            (Class::DateTime, "now") => Ok(now(false, args.arg(0, "tz")).into_value()),
            (Class::DateTime, "utcnow") => Ok(now(true, None).into_value()),
            (Class::DateTime, "strptime") => {
                let s = args.required(0, "date_string", name)?.as_text()?;
                let f = args.required(1, "format", name)?.as_text()?;
                Ok(strptime(&s, &f)?.into_value())
            }
            (Class::DateTime, "fromtimestamp" | "utcfromtimestamp") => {
                let ts = args
                    .required(0, "timestamp", name)?
                    .as_float()
                    .ok_or_else(|| Error::type_error("a number is required"))?;
                let utc = chrono::DateTime::from_timestamp(
                    (ts.floor()) as i64,
                    ((ts - ts.floor()) * 1e9) as u32,
                )
                .ok_or_else(|| Error::value_error("year is out of range"))?;
                let aware = matches!(args.arg(1, "tz"), Some(Value::Object(o)) if o.type_name() == "datetime.timezone");
                if name == "utcfromtimestamp" || aware {
                    Ok(DateTime {
                        naive: utc.naive_utc(),
                        offset: aware.then_some(0),
                    }
                    .into_value())
                } else {
                    Ok(DateTime::new(utc.with_timezone(&chrono::Local).naive_local()).into_value())
                }
            }
            (Class::Date, "today") => Ok(Value::Object(Rc::new(DateOnly(
                chrono::Local::now().date_naive(),
            )))),
            _ => match self.get_attr(name)? {
                Some(v) => v.call(args),
                None => Err(crate::builtins::no_attr(
                    &Value::Object(Rc::new(Thing(self.0))),
                    name,
                )),
            },
        }
    }

    fn to_str(&self) -> String {
        match self.0 {
            Class::Module => "<module 'datetime'>".into(),
            Class::DateTime => "<class 'datetime.datetime'>".into(),
            Class::Date => "<class 'datetime.date'>".into(),
            Class::TimeDelta => "<class 'datetime.timedelta'>".into(),
            Class::Timezone => "<class 'datetime.timezone'>".into(),
            Class::Utc => "UTC".into(),
        }
    }

    fn repr(&self) -> String {
        match self.0 {
            Class::Utc => "datetime.timezone.utc".into(),
            _ => self.to_str(),
        }
    }

    fn eq(&self, other: &Value) -> Option<bool> {
        Some(
            matches!(other, Value::Object(o) if o.as_any().and_then(|a| a.downcast_ref::<Thing>()).is_some_and(|t| t.0 == self.0)),
        )
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

fn as_datetime(v: &Value) -> Option<DateTime> {
    match v {
        Value::Object(o) => o.as_any()?.downcast_ref::<DateTime>().copied(),
        _ => None,
    }
}

fn as_delta(v: &Value) -> Option<TimeDelta> {
    match v {
        Value::Object(o) => o.as_any()?.downcast_ref::<Delta>().map(|d| d.0),
        _ => None,
    }
}

impl Object for DateTime {
    fn type_name(&self) -> &str {
        "datetime.datetime"
    }

    fn get_attr(&self, name: &str) -> Result<Option<Value>> {
        let n = &self.naive;
        Ok(Some(Value::Int(match name {
            "year" => i64::from(n.year()),
            "month" => i64::from(n.month()),
            "day" => i64::from(n.day()),
            "hour" => i64::from(n.hour()),
            "minute" => i64::from(n.minute()),
            "second" => i64::from(n.second()),
            "microsecond" => i64::from(n.and_utc().timestamp_subsec_micros()),
            "tzinfo" => {
                return Ok(Some(match self.offset {
                    Some(_) => Value::Object(Rc::new(Thing(Class::Utc))),
                    None => Value::None,
                }));
            }
            _ => return Ok(None),
        })))
    }

    fn call_method(&self, name: &str, args: &Args<'_>) -> Result<Value> {
        match name {
            "strftime" => Ok(Value::from(strftime(
                self,
                &args.required(0, "format", name)?.as_text()?,
            )?)),
            "isoformat" => {
                let sep = args
                    .arg(0, "sep")
                    .map(Value::to_str)
                    .unwrap_or_else(|| "T".into());
                Ok(Value::from(isoformat(self, &sep)))
            }
            "replace" => {
                let mut dt = *self;
                for (k, v) in args.keywords {
                    let i = v.as_int();
                    let n = dt.naive;
                    dt.naive = match (&**k, i) {
                        ("tzinfo", _) => {
                            dt.offset = match v {
                                Value::None => None,
                                _ => Some(0),
                            };
                            n
                        }
                        ("year", Some(i)) => n.with_year(i as i32).unwrap_or(n),
                        ("month", Some(i)) => n.with_month(i as u32).unwrap_or(n),
                        ("day", Some(i)) => n.with_day(i as u32).unwrap_or(n),
                        ("hour", Some(i)) => n.with_hour(i as u32).unwrap_or(n),
                        ("minute", Some(i)) => n.with_minute(i as u32).unwrap_or(n),
                        ("second", Some(i)) => n.with_second(i as u32).unwrap_or(n),
                        ("microsecond", Some(i)) => n.with_nanosecond(i as u32 * 1000).unwrap_or(n),
                        (k, _) => {
                            return Err(Error::type_error(format!(
                                "'{k}' is an invalid keyword argument for replace()"
                            )));
                        }
                    };
                }
                Ok(dt.into_value())
            }
            "date" => Ok(Value::Object(Rc::new(DateOnly(self.naive.date())))),
            "timestamp" => {
                let secs = self.naive.and_utc().timestamp() as f64
                    + f64::from(self.naive.and_utc().timestamp_subsec_micros()) / 1e6
                    - f64::from(self.offset.unwrap_or(0));
                Ok(Value::Float(secs))
            }
            "weekday" => Ok(Value::Int(i64::from(
                self.naive.weekday().num_days_from_monday(),
            ))),
            "isoweekday" => Ok(Value::Int(i64::from(
                self.naive.weekday().number_from_monday(),
            ))),
            "__format__" => Ok(Value::from(self.to_str())),
            _ => Err(crate::builtins::no_attr(&self.into_value(), name)),
        }
    }

    fn to_str(&self) -> String {
        isoformat(self, " ")
    }

    fn repr(&self) -> String {
        let n = &self.naive;
        let us = n.and_utc().timestamp_subsec_micros();
        let mut s = format!(
            "datetime.datetime({}, {}, {}, {}, {}",
            n.year(),
            n.month(),
            n.day(),
            n.hour(),
            n.minute()
        );
        if n.second() != 0 || us != 0 {
            write!(s, ", {}", n.second()).ok();
        }
        if us != 0 {
            write!(s, ", {us}").ok();
        }
        if self.offset.is_some() {
            s.push_str(", tzinfo=datetime.timezone.utc");
        }
        s.push(')');
        s
    }

    fn eq(&self, other: &Value) -> Option<bool> {
        Some(
            as_datetime(other).is_some_and(|o| {
                o.naive == self.naive && o.offset.is_some() == self.offset.is_some()
            }),
        )
    }

    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        let o = as_datetime(other)?;
        (o.offset.is_some() == self.offset.is_some()).then(|| self.naive.cmp(&o.naive))
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

/// `datetime - datetime`, `datetime ± timedelta`, `timedelta ± timedelta`.
pub(crate) fn arithmetic(add: bool, a: &Value, b: &Value) -> Option<Value> {
    match (as_datetime(a), as_delta(b), as_datetime(b), as_delta(a)) {
        (Some(dt), Some(d), _, _) => {
            let d = if add { d } else { -d };
            Some(
                DateTime {
                    naive: dt.naive.checked_add_signed(d)?,
                    offset: dt.offset,
                }
                .into_value(),
            )
        }
        (Some(x), None, Some(y), _) if !add => {
            Some(Value::Object(Rc::new(Delta(x.naive - y.naive))))
        }
        (None, Some(d2), _, Some(d1)) => Some(Value::Object(Rc::new(Delta(if add {
            d1 + d2
        } else {
            d1 - d2
        })))),
        (None, None, Some(dt), Some(d)) if add => Some(
            DateTime {
                naive: dt.naive.checked_add_signed(d)?,
                offset: dt.offset,
            }
            .into_value(),
        ),
        _ => None,
    }
}

#[derive(Debug)]
struct DateOnly(NaiveDate);

impl Object for DateOnly {
    fn type_name(&self) -> &str {
        "datetime.date"
    }
    fn get_attr(&self, name: &str) -> Result<Option<Value>> {
        Ok(match name {
            "year" => Some(Value::Int(i64::from(self.0.year()))),
            "month" => Some(Value::Int(i64::from(self.0.month()))),
            "day" => Some(Value::Int(i64::from(self.0.day()))),
            _ => None,
        })
    }
    fn call_method(&self, name: &str, args: &Args<'_>) -> Result<Value> {
        match name {
            "strftime" => {
                let dt = DateTime::new(self.0.and_time(NaiveTime::MIN));
                Ok(Value::from(strftime(
                    &dt,
                    &args.required(0, "format", name)?.as_text()?,
                )?))
            }
            "isoformat" => Ok(Value::from(self.to_str())),
            _ => Err(Error::new(
                crate::ErrorKind::Attribute,
                format!("'datetime.date' object has no attribute '{name}'"),
            )),
        }
    }
    fn to_str(&self) -> String {
        self.0.format("%Y-%m-%d").to_string()
    }
    fn repr(&self) -> String {
        format!(
            "datetime.date({}, {}, {})",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(
            matches!(other, Value::Object(o) if o.as_any().and_then(|a| a.downcast_ref::<DateOnly>()).is_some_and(|d| d.0 == self.0)),
        )
    }
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        match other {
            Value::Object(o) => o
                .as_any()?
                .downcast_ref::<DateOnly>()
                .map(|d| self.0.cmp(&d.0)),
            _ => None,
        }
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

impl Object for Delta {
    fn type_name(&self) -> &str {
        "datetime.timedelta"
    }
    fn get_attr(&self, name: &str) -> Result<Option<Value>> {
        let us = self.0.num_microseconds().unwrap_or(0);
        let days = us.div_euclid(86_400_000_000);
        let rest = us.rem_euclid(86_400_000_000);
        Ok(match name {
            "days" => Some(Value::Int(days)),
            "seconds" => Some(Value::Int(rest / 1_000_000)),
            "microseconds" => Some(Value::Int(rest % 1_000_000)),
            _ => None,
        })
    }
    fn call_method(&self, name: &str, _args: &Args<'_>) -> Result<Value> {
        match name {
            "total_seconds" => Ok(Value::Float(
                self.0.num_microseconds().unwrap_or(0) as f64 / 1e6,
            )),
            _ => Err(Error::new(
                crate::ErrorKind::Attribute,
                format!("'datetime.timedelta' object has no attribute '{name}'"),
            )),
        }
    }
    fn to_str(&self) -> String {
        let us = self.0.num_microseconds().unwrap_or(0);
        let days = us.div_euclid(86_400_000_000);
        let rest = us.rem_euclid(86_400_000_000);
        let secs = rest / 1_000_000;
        let mut s = String::new();
        if days != 0 {
            write!(s, "{days} day{}, ", if days.abs() == 1 { "" } else { "s" }).ok();
        }
        write!(s, "{}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60).ok();
        if rest % 1_000_000 != 0 {
            write!(s, ".{:06}", rest % 1_000_000).ok();
        }
        s
    }
    fn truthy(&self) -> bool {
        !self.0.is_zero()
    }
    fn eq(&self, other: &Value) -> Option<bool> {
        Some(as_delta(other) == Some(self.0))
    }
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        as_delta(other).map(|o| self.0.cmp(&o))
    }
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> DateTime {
        DateTime::new(NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S").unwrap())
    }

    #[test]
    fn formatting() {
        let d = dt("2024-03-05 07:08:09");
        assert_eq!(d.to_str(), "2024-03-05 07:08:09");
        assert_eq!(
            strftime(&d, "%Y-%m-%dT%H:%M:%SZ").unwrap(),
            "2024-03-05T07:08:09Z"
        );
        assert_eq!(strftime(&d, "%f|%z|%Z|%%").unwrap(), "000000|||%");
        assert_eq!(d.repr(), "datetime.datetime(2024, 3, 5, 7, 8, 9)");
        let p = strptime("2012-01-02T03:04:05+0000", "%Y-%m-%dT%H:%M:%S+0000").unwrap();
        assert_eq!(p.to_str(), "2012-01-02 03:04:05");
        assert!(strptime("x", "%Y").is_err());
    }

    #[test]
    fn comparison_and_arithmetic() {
        let a = dt("2024-03-05 07:08:09").into_value();
        let b = dt("2024-03-06 07:08:09").into_value();
        assert_eq!(a.py_cmp(&b, "<").unwrap(), Ordering::Less);
        let d = arithmetic(false, &b, &a).unwrap();
        assert_eq!(d.to_str(), "1 day, 0:00:00");
        assert_eq!(arithmetic(true, &a, &d).unwrap(), b);
    }
}

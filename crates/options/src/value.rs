//! Option values and option types: the dynamic [`Value`], the [`Type`] of an option,
//! user types through [`CustomOption`], and typed reads through [`FromValue`].

use std::any::{Any, TypeId};
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{NaiveDateTime, TimeDelta, Timelike};

/// The value of an option, as Tornado's options hold Python objects.
///
/// `Display` prints what Python's `str()` prints for the same value (the help text shows
/// defaults that way): `True`, `1.5`, `0:00:45`, `2013-04-28 05:16:00`, `['a', 'b']`.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// Python's `None`: an option without a default that was never set.
    None,
    /// A `str` option.
    Str(String),
    /// An `int` option (Python's ints are unbounded; ours are 64-bit).
    Int(i64),
    /// A `float` option.
    Float(f64),
    /// A `bool` option.
    Bool(bool),
    /// A `datetime` option (naive, as Tornado's `strptime` results are).
    DateTime(NaiveDateTime),
    /// A `timedelta` option (may be negative, microsecond precision).
    TimeDelta(TimeDelta),
    /// The value of a `multiple` option.
    List(Vec<Value>),
    /// A value of a user type (see [`CustomOption`]).
    Custom(CustomValue),
}

impl Value {
    /// Wraps a value of a user type.
    pub fn custom<T: CustomOption>(value: T) -> Value {
        Value::Custom(CustomValue(Arc::new(value)))
    }

    /// The Python name of this value's type, as Tornado's error messages print it
    /// (`str`, `int`, `NoneType`, ... or [`CustomOption::TYPE_NAME`]).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "NoneType",
            Value::Str(_) => "str",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Bool(_) => "bool",
            Value::DateTime(_) => "datetime",
            Value::TimeDelta(_) => "timedelta",
            Value::List(_) => "list",
            Value::Custom(c) => c.type_name(),
        }
    }

    /// True for `Value::None`.
    pub fn is_none(&self) -> bool {
        matches!(self, Value::None)
    }

    /// The string, for a `Str` value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// What Python's `repr()` prints: strings are quoted, everything else as `Display`.
    pub fn repr(&self) -> String {
        match self {
            Value::Str(s) => py_repr_str(s),
            other => other.to_string(),
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::None => f.write_str("None"),
            Value::Str(s) => f.write_str(s),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&py_float_repr(*x)),
            Value::Bool(true) => f.write_str("True"),
            Value::Bool(false) => f.write_str("False"),
            Value::DateTime(dt) => f.write_str(&py_datetime_str(dt)),
            Value::TimeDelta(td) => f.write_str(&py_timedelta_str(td)),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&item.repr())?;
                }
                f.write_str("]")
            }
            Value::Custom(c) => fmt::Display::fmt(c, f),
        }
    }
}

macro_rules! value_from {
    ($($t:ty => $v:ident $(as $conv:ty)?),* $(,)?) => {$(
        impl From<$t> for Value {
            fn from(x: $t) -> Value {
                Value::$v(x $(as $conv)?)
            }
        }
    )*};
}

value_from! {
    i64 => Int, i32 => Int as i64, u32 => Int as i64, u16 => Int as i64, u8 => Int as i64,
    f64 => Float, bool => Bool, String => Str,
    NaiveDateTime => DateTime, TimeDelta => TimeDelta,
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_owned())
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Value {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(x: Option<T>) -> Value {
        x.map_or(Value::None, Into::into)
    }
}

/// A user type that options can hold, like the `Email` class of Tornado's tests.
///
/// Tornado calls the type on the string (`Email("a@b")`); here [`parse_option`] does
/// that, and an `Err` becomes the option error.
///
/// ```
/// use tornado_options::{CustomOption, Opt, OptionParser};
///
/// #[derive(Clone, Debug, PartialEq)]
/// struct Email(String);
///
/// impl std::fmt::Display for Email {
///     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
///         f.write_str(&self.0)
///     }
/// }
///
/// impl CustomOption for Email {
///     const TYPE_NAME: &'static str = "Email";
///     fn parse_option(text: &str) -> Result<Self, String> {
///         if text.contains('@') { Ok(Email(text.to_owned())) } else { Err("not an address".into()) }
///     }
/// }
///
/// let options = OptionParser::new();
/// options.define(Opt::new("email").custom::<Email>()).unwrap();
/// options.parse_command_line(["main", "--email=tornado@web.com"], true).unwrap();
/// assert_eq!(options.get::<Email>("email").unwrap(), Email("tornado@web.com".into()));
/// ```
///
/// [`parse_option`]: CustomOption::parse_option
pub trait CustomOption:
    Clone + PartialEq + fmt::Debug + fmt::Display + Send + Sync + 'static
{
    /// The name errors and `type_name` use (Tornado prints the class name).
    const TYPE_NAME: &'static str;

    /// Builds a value from its command-line (or config-file string) form.
    fn parse_option(text: &str) -> Result<Self, String>;
}

trait DynCustom: fmt::Debug + fmt::Display + Send + Sync {
    fn as_any(&self) -> &dyn Any;
    fn dyn_eq(&self, other: &dyn DynCustom) -> bool;
    fn type_name(&self) -> &'static str;
}

impl<T: CustomOption> DynCustom for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
    fn dyn_eq(&self, other: &dyn DynCustom) -> bool {
        other.as_any().downcast_ref::<T>() == Some(self)
    }
    fn type_name(&self) -> &'static str {
        T::TYPE_NAME
    }
}

/// A value of a user type inside a [`Value`]; cheap to clone.
#[derive(Clone)]
pub struct CustomValue(Arc<dyn DynCustom>);

impl CustomValue {
    /// The value as `T`, if it is one.
    pub fn downcast_ref<T: CustomOption>(&self) -> Option<&T> {
        self.0.as_any().downcast_ref::<T>()
    }

    /// [`CustomOption::TYPE_NAME`] of the value's type.
    pub fn type_name(&self) -> &'static str {
        self.0.type_name()
    }

    fn type_id(&self) -> TypeId {
        self.0.as_any().type_id()
    }
}

impl PartialEq for CustomValue {
    fn eq(&self, other: &Self) -> bool {
        self.0.dyn_eq(&*other.0)
    }
}

impl fmt::Debug for CustomValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for CustomValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

/// The type of an option: Tornado's `type=` argument of `define`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Type {
    /// `str`.
    Str,
    /// `int`.
    Int,
    /// `float`.
    Float,
    /// `bool`.
    Bool,
    /// `datetime.datetime`.
    DateTime,
    /// `datetime.timedelta`.
    TimeDelta,
    /// A user type (see [`Type::of`]).
    Custom(CustomType),
}

impl Type {
    /// The type of a user type.
    pub fn of<T: CustomOption>() -> Type {
        Type::Custom(CustomType {
            name: T::TYPE_NAME,
            type_id: TypeId::of::<T>(),
            parse: |text| T::parse_option(text).map(Value::custom),
        })
    }

    /// Python's name of the type (`str`, `int`, `float`, `bool`, `datetime`, `timedelta`).
    pub fn name(&self) -> &'static str {
        match self {
            Type::Str => "str",
            Type::Int => "int",
            Type::Float => "float",
            Type::Bool => "bool",
            Type::DateTime => "datetime",
            Type::TimeDelta => "timedelta",
            Type::Custom(c) => c.name,
        }
    }

    /// The type Tornado infers from a default value (`None` for `None` and lists).
    pub fn of_value(value: &Value) -> Option<Type> {
        Some(match value {
            Value::None | Value::List(_) => return None,
            Value::Str(_) => Type::Str,
            Value::Int(_) => Type::Int,
            Value::Float(_) => Type::Float,
            Value::Bool(_) => Type::Bool,
            Value::DateTime(_) => Type::DateTime,
            Value::TimeDelta(_) => Type::TimeDelta,
            Value::Custom(c) => {
                return Some(Type::Custom(CustomType {
                    name: c.type_name(),
                    type_id: c.type_id(),
                    parse: |_| {
                        Err("this custom type was inferred from a default and cannot parse strings; give .custom::<T>()".into())
                    },
                }));
            }
        })
    }

    /// Whether `value` is an instance of this type (Python's `isinstance`).
    pub fn accepts(&self, value: &Value) -> bool {
        match (self, value) {
            (Type::Str, Value::Str(_))
            | (Type::Int, Value::Int(_))
            | (Type::Float, Value::Float(_))
            | (Type::Bool, Value::Bool(_))
            | (Type::DateTime, Value::DateTime(_))
            | (Type::TimeDelta, Value::TimeDelta(_)) => true,
            (Type::Custom(t), Value::Custom(c)) => t.type_id == c.type_id(),
            _ => false,
        }
    }
}

/// A user type registered with [`Type::of`].
#[derive(Clone)]
pub struct CustomType {
    name: &'static str,
    type_id: TypeId,
    parse: fn(&str) -> Result<Value, String>,
}

impl CustomType {
    pub(crate) fn parse(&self, text: &str) -> Result<Value, String> {
        (self.parse)(text)
    }
}

impl PartialEq for CustomType {
    fn eq(&self, other: &Self) -> bool {
        self.type_id == other.type_id
    }
}

impl Eq for CustomType {}

impl fmt::Debug for CustomType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CustomType").field(&self.name).finish()
    }
}

/// Conversion out of a [`Value`] for typed reads: `options.get::<u16>("port")`.
///
/// Implemented for `String`, `PathBuf`, the integer types (range-checked), `f64`
/// (ints are widened), `bool`, `NaiveDateTime`, `TimeDelta`, `std::time::Duration`
/// (non-negative deltas), `Vec<T>` for `multiple` options, `Option<T>` (`None` for
/// `Value::None`), `Value` itself, and every [`CustomOption`].
pub trait FromValue: Sized {
    /// The value as `Self`, or `None` when it is of another type.
    fn from_value(value: &Value) -> Option<Self>;
}

impl<T: CustomOption> FromValue for T {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Custom(c) => c.downcast_ref::<T>().cloned(),
            _ => None,
        }
    }
}

impl FromValue for Value {
    fn from_value(value: &Value) -> Option<Self> {
        Some(value.clone())
    }
}

impl FromValue for String {
    fn from_value(value: &Value) -> Option<Self> {
        value.as_str().map(str::to_owned)
    }
}

impl FromValue for PathBuf {
    fn from_value(value: &Value) -> Option<Self> {
        value.as_str().map(PathBuf::from)
    }
}

macro_rules! from_value_int {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            fn from_value(value: &Value) -> Option<Self> {
                match value {
                    Value::Int(i) => <$t>::try_from(*i).ok(),
                    _ => None,
                }
            }
        }
    )*};
}

from_value_int!(i64, i32, i16, i8, u64, u32, u16, u8, usize, isize);

impl FromValue for f64 {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Float(x) => Some(*x),
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

impl FromValue for NaiveDateTime {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::DateTime(d) => Some(*d),
            _ => None,
        }
    }
}

impl FromValue for TimeDelta {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::TimeDelta(d) => Some(*d),
            _ => None,
        }
    }
}

impl FromValue for std::time::Duration {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::TimeDelta(d) => d.to_std().ok(),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::List(items) => items.iter().map(T::from_value).collect(),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::None => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// Python's `repr()` of a `str`: single quotes unless the text holds a single quote and
/// no double quote; backslash escapes for quotes, backslashes and unprintable characters.
pub fn py_repr_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if !is_printable(c) => {
                let n = u32::from(c);
                if n < 0x100 {
                    out.push_str(&format!("\\x{n:02x}"));
                } else if n < 0x10000 {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// An approximation of Python's `str.isprintable` for one character: controls, the
/// Latin-1 non-breaking space and soft hyphen, and whitespace other than the space are
/// not printable. (Python also escapes unassigned and other format characters; we would
/// need Unicode tables for those.)
fn is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    !(c.is_control() || c.is_whitespace() || c == '\u{ad}')
}

/// Python's `repr()` (and `str()`) of a float: the shortest text that reads back the
/// same, in fixed notation for exponents from -4 to 15 and scientific notation beyond.
pub fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf".into() } else { "-inf".into() };
    }
    if x == 0.0 {
        return if x.is_sign_negative() {
            "-0.0".into()
        } else {
            "0.0".into()
        };
    }
    // `{:e}` gives the shortest round-trip digits, e.g. "1.5e0" or "-1.2345e-7".
    let sci = format!("{x:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let n = digits.len() as i32;
    let decpt = exp + 1;
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    if -4 < decpt && decpt <= 16 {
        if decpt <= 0 {
            out.push_str("0.");
            out.extend(std::iter::repeat_n('0', (-decpt) as usize));
            out.push_str(&digits);
        } else if decpt >= n {
            out.push_str(&digits);
            out.extend(std::iter::repeat_n('0', (decpt - n) as usize));
            out.push_str(".0");
        } else {
            let (a, b) = digits.split_at(decpt as usize);
            out.push_str(a);
            out.push('.');
            out.push_str(b);
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        let sign = if exp < 0 { '-' } else { '+' };
        out.push_str(&format!("e{sign}{:02}", exp.abs()));
    }
    out
}

/// Python's `str()` of a naive datetime: `2013-04-28 05:16:00`, plus `.ffffff` when the
/// microseconds are not zero.
pub fn py_datetime_str(dt: &NaiveDateTime) -> String {
    let micros = dt.nanosecond() / 1000;
    if micros == 0 {
        dt.format("%Y-%m-%d %H:%M:%S").to_string()
    } else {
        format!("{}.{micros:06}", dt.format("%Y-%m-%d %H:%M:%S"))
    }
}

/// Python's `str()` of a timedelta: `0:00:45`, `1 day, 2:00:00`, `-1 day, 23:59:55`,
/// with `.ffffff` when the microseconds are not zero.
pub fn py_timedelta_str(td: &TimeDelta) -> String {
    let total = i128::from(td.num_seconds()) * 1_000_000 + i128::from(td.subsec_nanos() / 1000);
    let day = 86_400_000_000i128;
    let days = total.div_euclid(day);
    let rest = total.rem_euclid(day);
    let secs = rest / 1_000_000;
    let micros = rest % 1_000_000;
    let mut out = String::new();
    if days != 0 {
        let plural = if days.abs() != 1 { "s" } else { "" };
        out.push_str(&format!("{days} day{plural}, "));
    }
    out.push_str(&format!(
        "{}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ));
    if micros != 0 {
        out.push_str(&format!(".{micros:06}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        let cases = [
            (1.5, "1.5"),
            (100.0, "100.0"),
            (0.1, "0.1"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5e-7, "-2.5e-07"),
            (123456789.125, "123456789.125"),
            (f64::INFINITY, "inf"),
            (-0.0, "-0.0"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
        ];
        for (x, want) in cases {
            assert_eq!(py_float_repr(x), want, "{x}");
        }
    }

    #[test]
    fn repr_str_matches_python() {
        assert_eq!(py_repr_str("abc"), "'abc'");
        assert_eq!(py_repr_str("it's"), "\"it's\"");
        assert_eq!(py_repr_str("'\""), "'\\'\"'");
        assert_eq!(py_repr_str("a\nb\\"), "'a\\nb\\\\'");
        assert_eq!(py_repr_str("\u{1}\u{7f}é李"), "'\\x01\\x7fé李'");
    }

    #[test]
    fn timedelta_str_matches_python() {
        let s = |us: i64| py_timedelta_str(&TimeDelta::microseconds(us));
        assert_eq!(s(45_000_000), "0:00:45");
        assert_eq!(s(5_400_000_000), "1:30:00");
        assert_eq!(s(-5_000_000), "-1 day, 23:59:55");
        assert_eq!(s(14 * 86_400_000_000), "14 days, 0:00:00");
        assert_eq!(s(2), "0:00:00.000002");
        assert_eq!(s(86_400_000_000 + 1), "1 day, 0:00:00.000001");
    }

    #[test]
    fn list_display_uses_reprs() {
        let v = Value::from(vec!["a", "b"]);
        assert_eq!(v.to_string(), "['a', 'b']");
        assert_eq!(Value::from(vec![1, 2]).to_string(), "[1, 2]");
        assert_eq!(Value::List(vec![]).to_string(), "[]");
    }

    #[test]
    fn typed_reads() {
        assert_eq!(u16::from_value(&Value::Int(443)), Some(443));
        assert_eq!(u16::from_value(&Value::Int(-1)), None);
        assert_eq!(f64::from_value(&Value::Int(2)), Some(2.0));
        assert_eq!(Option::<i64>::from_value(&Value::None), Some(None));
        assert_eq!(
            Vec::<i64>::from_value(&Value::from(vec![1, 2])),
            Some(vec![1, 2])
        );
        assert_eq!(Vec::<i64>::from_value(&Value::from(vec!["x"])), None);
    }
}

//! The dynamic [`Value`] that template expressions compute with: Python's `None`, `bool`,
//! `int`, `float`, `str`, `bytes`, `list`, `tuple`, `dict`, `range`, functions, and host
//! objects through the [`Object`] trait.

use std::cmp::Ordering;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::format;

mod dict;
mod object;

pub use dict::Dict;
pub(crate) use dict::Hint;
pub(crate) use object::FnRepr;
pub use object::{Args, Function, Object};

/// A template value. Cheap to clone: strings and bytes are `Arc`s, containers `Rc`s.
///
/// Lists and dicts are shared immutably; the mutating methods (`append`, `update`,
/// `{% set d[k] = v %}`...) change the container held by the name they are called on,
/// copying it first if another name shares it (see "Differences from Tornado").
#[derive(Clone, Default)]
pub enum Value {
    /// `None`.
    #[default]
    None,
    /// `True` / `False`.
    Bool(bool),
    /// `int` (64-bit; arithmetic that overflows raises `OverflowError`).
    Int(i64),
    /// `float`.
    Float(f64),
    /// `str`.
    Str(Arc<str>),
    /// `bytes`.
    Bytes(Arc<[u8]>),
    /// `list`.
    List(Rc<Vec<Value>>),
    /// `tuple`.
    Tuple(Rc<Vec<Value>>),
    /// `dict`, in insertion order.
    Dict(Rc<Dict>),
    /// `range(start, stop, step)`.
    Range(Rc<PyRange>),
    /// A callable: a builtin, a Rust closure, or a bound method.
    Function(Function),
    /// A host object (the handler, the request, a locale, UI modules...).
    Object(Rc<dyn Object>),
}

/// Python's `range`: a lazy arithmetic sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PyRange {
    /// First value.
    pub start: i64,
    /// End (exclusive).
    pub stop: i64,
    /// Step (never 0).
    pub step: i64,
}

impl PyRange {
    /// Number of values.
    pub fn len(&self) -> usize {
        let (lo, hi, step) = if self.step > 0 {
            (self.start as i128, self.stop as i128, self.step as i128)
        } else {
            (self.stop as i128, self.start as i128, -(self.step as i128))
        };
        if hi <= lo {
            0
        } else {
            usize::try_from((hi - lo - 1) / step + 1).unwrap_or(usize::MAX)
        }
    }

    /// Whether the range is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The `i`th value.
    pub fn get(&self, i: usize) -> i64 {
        (self.start as i128 + i as i128 * self.step as i128) as i64
    }
}

impl Value {
    /// A `str` value.
    pub fn str(s: &str) -> Value {
        Value::Str(Arc::from(s))
    }

    /// A `list` value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    /// A `tuple` value.
    pub fn tuple(items: Vec<Value>) -> Value {
        Value::Tuple(Rc::new(items))
    }

    /// A `dict` value.
    pub fn dict(d: Dict) -> Value {
        Value::Dict(Rc::new(d))
    }

    /// A host object.
    pub fn object(o: impl Object + 'static) -> Value {
        Value::Object(Rc::new(o))
    }

    /// A function value from a closure (see [`Function::new`]).
    pub fn function(name: &str, f: impl Fn(&Args<'_>) -> Result<Value> + 'static) -> Value {
        Value::Function(Function::new(name, f))
    }

    /// Converts anything `serde::Serialize` (structs and maps become dicts, sequences
    /// lists, tuples tuples, `Option::None` and `()` become `None`).
    ///
    /// ```
    /// #[derive(serde::Serialize)]
    /// struct Team { name: &'static str, score: u8 }
    /// let v = tornado_template::Value::from_serialize(&vec![Team { name: "Jiangsu", score: 43 }]).unwrap();
    /// assert_eq!(v.to_str(), "[{'name': 'Jiangsu', 'score': 43}]");
    /// ```
    pub fn from_serialize<T: serde::Serialize + ?Sized>(value: &T) -> Result<Value> {
        value.serialize(crate::ser::ValueSerializer)
    }

    /// Python's class name: `"int"`, `"str"`, `"list"`...
    pub fn type_name(&self) -> &str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::Bytes(_) => "bytes",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
            Value::Range(_) => "range",
            Value::Function(f) => match f.0 {
                FnRepr::Method(_) => "method",
                FnRepr::Builtin(_) => "builtin_function_or_method",
                _ => "function",
            },
            Value::Object(o) => o.type_name(),
        }
    }

    /// Python's truth value.
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::Bytes(b) => !b.is_empty(),
            Value::List(l) | Value::Tuple(l) => !l.is_empty(),
            Value::Dict(d) => !d.is_empty(),
            Value::Range(r) => !r.is_empty(),
            Value::Function(_) => true,
            Value::Object(o) => o.truthy(),
        }
    }

    /// The integer, for `int` and `bool`.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            Value::Bool(b) => Some(i64::from(*b)),
            _ => None,
        }
    }

    /// The number as a float, for `int`, `bool` and `float`.
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Bool(b) => Some(f64::from(u8::from(*b))),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// The text, for `str`.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The text, for `str` or UTF-8 `bytes` (Tornado's `to_unicode`).
    pub fn as_text(&self) -> Result<std::borrow::Cow<'_, str>> {
        match self {
            Value::Str(s) => Ok(std::borrow::Cow::Borrowed(s)),
            Value::Bytes(b) => match std::str::from_utf8(b) {
                Ok(s) => Ok(std::borrow::Cow::Borrowed(s)),
                Err(e) => Err(Error::new(
                    ErrorKind::UnicodeDecode,
                    format!(
                        "'utf-8' codec can't decode byte 0x{:02x} in position {}: invalid start byte",
                        b.get(e.valid_up_to()).copied().unwrap_or(0),
                        e.valid_up_to()
                    ),
                )),
            },
            other => Err(Error::type_error(format!(
                "Expected bytes, unicode, or None; got {}",
                other.class_repr()
            ))),
        }
    }

    /// `<class 'int'>`, as Python prints a type.
    pub(crate) fn class_repr(&self) -> String {
        format!("<class '{}'>", self.type_name())
    }

    /// Python's `str(value)`.
    pub fn to_str(&self) -> String {
        let mut s = String::new();
        self.write_str(&mut s);
        s
    }

    /// Python's `repr(value)`.
    pub fn repr(&self) -> String {
        let mut s = String::new();
        self.write_repr(&mut s);
        s
    }

    /// Appends `str(value)` to `out`.
    pub fn write_str(&self, out: &mut String) {
        match self {
            Value::Str(s) => out.push_str(s),
            Value::Object(o) => out.push_str(&o.to_str()),
            other => other.write_repr(out),
        }
    }

    /// Appends `repr(value)` to `out`.
    pub fn write_repr(&self, out: &mut String) {
        match self {
            Value::None => out.push_str("None"),
            Value::Bool(true) => out.push_str("True"),
            Value::Bool(false) => out.push_str("False"),
            Value::Int(i) => {
                let mut buf = itoa_buf();
                out.push_str(itoa(*i, &mut buf));
            }
            Value::Float(f) => format::write_float_repr(*f, out),
            Value::Str(s) => format::write_str_repr(s, out),
            Value::Bytes(b) => format::write_bytes_repr(b, out),
            Value::List(items) => {
                out.push('[');
                write_items(items, out);
                out.push(']');
            }
            Value::Tuple(items) => {
                out.push('(');
                write_items(items, out);
                if items.len() == 1 {
                    out.push(',');
                }
                out.push(')');
            }
            Value::Dict(d) => {
                out.push('{');
                for (i, (k, v)) in d.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    k.write_repr(out);
                    out.push_str(": ");
                    v.write_repr(out);
                }
                out.push('}');
            }
            Value::Range(r) => {
                if r.step == 1 {
                    out.push_str(&format!("range({}, {})", r.start, r.stop));
                } else {
                    out.push_str(&format!("range({}, {}, {})", r.start, r.stop, r.step));
                }
            }
            Value::Function(f) => match &f.0 {
                FnRepr::Builtin(b) => out.push_str(&format!("<built-in function {}>", b.name())),
                FnRepr::Method(m) => out.push_str(&format!(
                    "<built-in method {} of {} object>",
                    m.1,
                    m.0.type_name()
                )),
                _ => out.push_str(&format!("<function {}>", f.name())),
            },
            Value::Object(o) => out.push_str(&o.repr()),
        }
    }

    /// Calls a callable value.
    pub fn call(&self, args: &Args<'_>) -> Result<Value> {
        match self {
            Value::Function(f) => f.call(args),
            Value::Object(o) => o.call(args),
            other => Err(Error::type_error(format!(
                "'{}' object is not callable",
                other.type_name()
            ))),
        }
    }

    /// Python's `==`.
    pub fn py_eq(&self, other: &Value) -> bool {
        use Value::*;
        match (self, other) {
            (None, None) => true,
            (Str(a), Str(b)) => a == b,
            (Int(a), Int(b)) => a == b,
            (Bytes(a), Bytes(b)) => a == b,
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.py_eq(y))
            }
            (Dict(a), Dict(b)) => {
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| matches!(b.get(k), Ok(Some(w)) if v.py_eq(w)))
            }
            (Range(a), Range(b)) => a == b,
            (Function(a), Function(b)) => a.ptr_eq(b),
            (Object(a), b) => a.eq(b).unwrap_or_else(|| match b {
                Object(b) => std::ptr::addr_eq(Rc::as_ptr(a), Rc::as_ptr(b)),
                _ => false,
            }),
            (a, Object(b)) => b.eq(a).unwrap_or(false),
            (a, b) => match (a.as_number(), b.as_number()) {
                (Some(x), Some(y)) => x.eq(&y),
                _ => false,
            },
        }
    }

    pub(crate) fn as_number(&self) -> Option<Number> {
        match self {
            Value::Int(i) => Some(Number::Int(*i)),
            Value::Bool(b) => Some(Number::Int(i64::from(*b))),
            Value::Float(f) => Some(Number::Float(*f)),
            _ => None,
        }
    }

    /// Python's ordering (`<`, `sorted`, `max`): numbers, strings, bytes, and lists or
    /// tuples of those; a `TypeError` for anything else.
    pub fn py_cmp(&self, other: &Value, op: &str) -> Result<Ordering> {
        use Value::*;
        let ord = match (self, other) {
            (Str(a), Str(b)) => Some(a.cmp(b)),
            (Bytes(a), Bytes(b)) => Some(a.cmp(b)),
            (List(a), List(b)) | (Tuple(a), Tuple(b)) => {
                for (x, y) in a.iter().zip(b.iter()) {
                    if !x.py_eq(y) {
                        return x.py_cmp(y, op);
                    }
                }
                Some(a.len().cmp(&b.len()))
            }
            (Object(a), b) => a.partial_cmp(b),
            (a, Object(b)) => b.partial_cmp(a).map(Ordering::reverse),
            (a, b) => match (a.as_number(), b.as_number()) {
                (Some(x), Some(y)) => x.partial_cmp(&y).or(Some(Ordering::Equal)),
                _ => Option::None,
            },
        };
        ord.ok_or_else(|| {
            Error::type_error(format!(
                "'{op}' not supported between instances of '{}' and '{}'",
                self.type_name(),
                other.type_name()
            ))
        })
    }
}

/// An `int` or `float` operand.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }

    fn eq(&self, other: &Number) -> bool {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a == b,
            (a, b) => a.as_f64() == b.as_f64(),
        }
    }

    fn partial_cmp(&self, other: &Number) -> Option<Ordering> {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => Some(a.cmp(b)),
            (a, b) => a.as_f64().partial_cmp(&b.as_f64()),
        }
    }
}

fn write_items(items: &[Value], out: &mut String) {
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        v.write_repr(out);
    }
}

/// Byte equality of short keys (names, struct fields) with fixed-size word loads
/// instead of a call to `memcmp`.
#[inline(always)]
pub(crate) fn short_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    fn w4(s: &[u8], at: usize) -> u32 {
        let mut w = [0u8; 4];
        w.copy_from_slice(&s[at..at + 4]);
        u32::from_le_bytes(w)
    }
    fn w8(s: &[u8], at: usize) -> u64 {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_le_bytes(w)
    }
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=7 => w4(a, 0) == w4(b, 0) && w4(a, n - 4) == w4(b, n - 4),
        8..=16 => w8(a, 0) == w8(b, 0) && w8(a, n - 8) == w8(b, n - 8),
        _ => a == b,
    }
}

/// A stack buffer for [`itoa`].
pub(crate) fn itoa_buf() -> [u8; 20] {
    [0u8; 20]
}

/// Two decimal digits for each of 0..100.
pub(crate) const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// Formats an integer without allocating.
pub(crate) fn itoa(n: i64, buf: &mut [u8; 20]) -> &str {
    std::str::from_utf8(itoa_bytes(n, buf)).unwrap_or("0")
}

/// Formats an integer without allocating, as ASCII bytes.
#[inline]
pub(crate) fn itoa_bytes(n: i64, buf: &mut [u8; 20]) -> &[u8] {
    let mut i = buf.len();
    let neg = n < 0;
    let mut m = n.unsigned_abs();
    while m >= 100 {
        let d = (m % 100) as usize * 2;
        m /= 100;
        i -= 2;
        buf[i] = PAIRS[d];
        buf[i + 1] = PAIRS[d + 1];
    }
    if m >= 10 {
        let d = m as usize * 2;
        i -= 2;
        buf[i] = PAIRS[d];
        buf[i + 1] = PAIRS[d + 1];
    } else {
        i -= 1;
        buf[i] = b'0' + m as u8;
    }
    if neg {
        // i64::MIN has 19 digits, so there is always room for the sign.
        i -= 1;
        buf[i] = b'-';
    }
    &buf[i..]
}

impl fmt::Debug for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.repr())
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_str())
    }
}

/// Equality is Python's `==` (so `Value::Int(1) == Value::Float(1.0)`).
impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        self.py_eq(other)
    }
}

macro_rules! from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value { Value::Int(i64::from(v)) }
        }
    )*};
}
from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<usize> for Value {
    fn from(v: usize) -> Value {
        i64::try_from(v).map_or(Value::Float(v as f64), Value::Int)
    }
}

impl From<u64> for Value {
    fn from(v: u64) -> Value {
        i64::try_from(v).map_or(Value::Float(v as f64), Value::Int)
    }
}

impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Bool(v)
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float(v)
    }
}

impl From<f32> for Value {
    fn from(v: f32) -> Value {
        Value::Float(f64::from(v))
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Str(Arc::from(v))
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Str(Arc::from(v))
    }
}

impl From<Arc<str>> for Value {
    fn from(v: Arc<str>) -> Value {
        Value::Str(v)
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Value {
        Value::Bytes(Arc::from(v))
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Value {
        Value::Bytes(Arc::from(v))
    }
}

impl From<Vec<Value>> for Value {
    fn from(v: Vec<Value>) -> Value {
        Value::list(v)
    }
}

impl From<Dict> for Value {
    fn from(v: Dict) -> Value {
        Value::dict(v)
    }
}

impl From<Function> for Value {
    fn from(v: Function) -> Value {
        Value::Function(v)
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::None, Into::into)
    }
}

impl From<()> for Value {
    fn from((): ()) -> Value {
        Value::None
    }
}

impl From<&serde_json::Value> for Value {
    fn from(v: &serde_json::Value) -> Value {
        Value::from_serialize(v).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn str_follows_python() {
        let v = Value::list(vec![
            Value::from("a"),
            Value::Int(1),
            Value::None,
            Value::Bool(true),
        ]);
        assert_eq!(v.to_str(), "['a', 1, None, True]");
        assert_eq!(Value::tuple(vec![Value::Int(1)]).to_str(), "(1,)");
        assert_eq!(Value::tuple(vec![]).to_str(), "()");
        let mut d = Dict::new();
        d.set("k", "it's");
        d.insert(Value::Int(2), Value::Float(1.5)).unwrap();
        assert_eq!(Value::dict(d).to_str(), "{'k': \"it's\", 2: 1.5}");
        assert_eq!(Value::from(&b"a'\x00"[..]).to_str(), "b\"a'\\x00\"");
        assert_eq!(Value::Int(i64::MIN).to_str(), "-9223372036854775808");
    }

    #[test]
    fn equality_and_order_cross_numeric_types() {
        assert_eq!(Value::Int(1), Value::Float(1.0));
        assert_eq!(Value::Bool(true), Value::Int(1));
        assert_ne!(Value::from("1"), Value::Int(1));
        assert_eq!(
            Value::Int(1).py_cmp(&Value::Float(1.5), "<").unwrap(),
            Ordering::Less
        );
        assert!(Value::Int(1).py_cmp(&Value::from("a"), "<").is_err());
    }

    #[test]
    fn dict_keys_use_python_equality() {
        let mut d = Dict::new();
        d.insert(Value::Int(1), Value::from("one")).unwrap();
        assert_eq!(d.get(&Value::Float(1.0)).unwrap().unwrap().to_str(), "one");
        assert_eq!(d.get(&Value::Bool(true)).unwrap().unwrap().to_str(), "one");
        assert!(d.insert(Value::list(vec![]), Value::None).is_err());
        for i in 0..20 {
            d.set(&format!("k{i}"), i);
        }
        assert_eq!(d.get_str("k13"), Some(&Value::Int(13)));
        assert_eq!(d.get(&Value::from("k13")).unwrap(), Some(&Value::Int(13)));
    }

    #[test]
    fn range_len() {
        let r = PyRange {
            start: 0,
            stop: 10,
            step: 3,
        };
        assert_eq!(r.len(), 4);
        assert_eq!(r.get(3), 9);
        assert_eq!(
            PyRange {
                start: 10,
                stop: 0,
                step: -2
            }
            .len(),
            5
        );
        assert_eq!(
            PyRange {
                start: 0,
                stop: -1,
                step: 1
            }
            .len(),
            0
        );
    }
}

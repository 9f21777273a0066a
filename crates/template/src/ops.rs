//! Python's operators over [`Value`]s: arithmetic, comparisons, `in`, subscripts and
//! slices, with Python's results and error messages.

use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::expr::{BinOp, CmpOp, UnaryOp};
use crate::format::percent_format;
use crate::value::{Dict, Number, Value};

fn unsupported(op: BinOp, a: &Value, b: &Value) -> Error {
    Error::type_error(format!(
        "unsupported operand type(s) for {}: '{}' and '{}'",
        op.symbol(),
        a.type_name(),
        b.type_name()
    ))
}

fn overflow() -> Error {
    Error::new(
        ErrorKind::Overflow,
        "integer result does not fit in 64 bits",
    )
}

fn zero_div(msg: &str) -> Error {
    Error::new(ErrorKind::ZeroDivision, msg)
}

/// Python's floor division and modulo for ints.
fn int_divmod(a: i64, b: i64) -> Result<(i64, i64)> {
    if b == 0 {
        return Err(zero_div("integer division or modulo by zero"));
    }
    let q = a.checked_div(b).ok_or_else(overflow)?;
    let r = a - q * b;
    if r != 0 && ((r < 0) != (b < 0)) {
        Ok((q - 1, r + b))
    } else {
        Ok((q, r))
    }
}

fn float_mod(a: f64, b: f64) -> f64 {
    let r = a % b;
    if r != 0.0 && ((r < 0.0) != (b < 0.0)) {
        r + b
    } else if r == 0.0 {
        0.0f64.copysign(b)
    } else {
        r
    }
}

fn repeat<T: Clone>(items: &[T], n: i64) -> Result<Vec<T>> {
    let n = usize::try_from(n.max(0)).unwrap_or(0);
    if items.len().saturating_mul(n) > 100_000_000 {
        return Err(Error::new(
            ErrorKind::Overflow,
            "repeated sequence too large",
        ));
    }
    let mut out = Vec::with_capacity(items.len() * n);
    for _ in 0..n {
        out.extend_from_slice(items);
    }
    Ok(out)
}

/// `a <op> b`.
pub(crate) fn binary(op: BinOp, a: &Value, b: &Value) -> Result<Value> {
    use Value::*;
    // Sequences and text first.
    match (op, a, b) {
        (BinOp::Add, Str(x), Str(y)) => {
            let mut s = String::with_capacity(x.len() + y.len());
            s.push_str(x);
            s.push_str(y);
            return Ok(Value::from(s));
        }
        (BinOp::Add, Bytes(x), Bytes(y)) => return Ok(Value::from([&x[..], &y[..]].concat())),
        (BinOp::Add, List(x), List(y)) => {
            return Ok(Value::list(x.iter().chain(y.iter()).cloned().collect()));
        }
        (BinOp::Add, Tuple(x), Tuple(y)) => {
            return Ok(Value::tuple(x.iter().chain(y.iter()).cloned().collect()));
        }
        (BinOp::Mul, Str(s), n) | (BinOp::Mul, n, Str(s)) if n.as_int().is_some() => {
            let n = n.as_int().unwrap_or(0);
            let chars: Vec<u8> = repeat(s.as_bytes(), n)?;
            return Ok(Value::from(String::from_utf8(chars).unwrap_or_default()));
        }
        (BinOp::Mul, Bytes(s), n) | (BinOp::Mul, n, Bytes(s)) if n.as_int().is_some() => {
            return Ok(Value::from(repeat(s, n.as_int().unwrap_or(0))?));
        }
        (BinOp::Mul, List(s), n) | (BinOp::Mul, n, List(s)) if n.as_int().is_some() => {
            return Ok(Value::list(repeat(s, n.as_int().unwrap_or(0))?));
        }
        (BinOp::Mul, Tuple(s), n) | (BinOp::Mul, n, Tuple(s)) if n.as_int().is_some() => {
            return Ok(Value::tuple(repeat(s, n.as_int().unwrap_or(0))?));
        }
        (BinOp::Mod, Str(fmt), args) => return Ok(Value::from(percent_format(fmt, args)?)),
        (BinOp::Mod, Bytes(fmt), args) => {
            let text = String::from_utf8_lossy(fmt);
            return Ok(Value::from(percent_format(&text, args)?.into_bytes()));
        }
        (BinOp::BitOr, Dict(x), Dict(y)) => {
            let mut d: crate::value::Dict = (**x).clone();
            for (k, v) in y.iter() {
                d.insert(k.clone(), v.clone())?;
            }
            return Ok(Value::dict(d));
        }
        _ => {}
    }
    let (Some(x), Some(y)) = (a.as_number(), b.as_number()) else {
        if let (BinOp::Add, Str(_) | List(_) | Tuple(_)) = (op, a) {
            let what = a.type_name();
            return Err(Error::type_error(format!(
                "can only concatenate {what} (not \"{}\") to {what}",
                b.type_name()
            )));
        }
        return Err(unsupported(op, a, b));
    };
    match (x, y) {
        (Number::Int(x), Number::Int(y)) => int_op(op, x, y),
        (x, y) => {
            let (x, y) = (x.as_f64(), y.as_f64());
            Ok(Value::Float(match op {
                BinOp::Add => x + y,
                BinOp::Sub => x - y,
                BinOp::Mul => x * y,
                BinOp::Div => {
                    if y == 0.0 {
                        return Err(zero_div("float division by zero"));
                    }
                    x / y
                }
                BinOp::FloorDiv => {
                    if y == 0.0 {
                        return Err(zero_div("float floor division by zero"));
                    }
                    ((x - float_mod(x, y)) / y).round()
                }
                BinOp::Mod => {
                    if y == 0.0 {
                        return Err(zero_div("float modulo by zero"));
                    }
                    float_mod(x, y)
                }
                BinOp::Pow => {
                    if x == 0.0 && y < 0.0 {
                        return Err(zero_div("0.0 cannot be raised to a negative power"));
                    }
                    x.powf(y)
                }
                _ => return Err(unsupported(op, a, b)),
            }))
        }
    }
}

fn int_op(op: BinOp, x: i64, y: i64) -> Result<Value> {
    let v = match op {
        BinOp::Add => x.checked_add(y).ok_or_else(overflow)?,
        BinOp::Sub => x.checked_sub(y).ok_or_else(overflow)?,
        BinOp::Mul => x.checked_mul(y).ok_or_else(overflow)?,
        BinOp::Div => {
            if y == 0 {
                return Err(zero_div("division by zero"));
            }
            return Ok(Value::Float(x as f64 / y as f64));
        }
        BinOp::FloorDiv => int_divmod(x, y)?.0,
        BinOp::Mod => {
            if y == 0 {
                return Err(zero_div("integer modulo by zero"));
            }
            int_divmod(x, y)?.1
        }
        BinOp::Pow => {
            if y < 0 {
                if x == 0 {
                    return Err(zero_div("0.0 cannot be raised to a negative power"));
                }
                return Ok(Value::Float((x as f64).powf(y as f64)));
            }
            let e = u32::try_from(y).map_err(|_| overflow())?;
            x.checked_pow(e).ok_or_else(overflow)?
        }
        BinOp::BitAnd => x & y,
        BinOp::BitOr => x | y,
        BinOp::BitXor => x ^ y,
        BinOp::Shl => {
            if y < 0 {
                return Err(Error::value_error("negative shift count"));
            }
            let s = u32::try_from(y).map_err(|_| overflow())?;
            let r = x.checked_shl(s).ok_or_else(overflow)?;
            if r >> s != x {
                return Err(overflow());
            }
            r
        }
        BinOp::Shr => {
            if y < 0 {
                return Err(Error::value_error("negative shift count"));
            }
            x >> y.min(63)
        }
    };
    Ok(Value::Int(v))
}

/// `-a`, `+a`, `~a`.
pub(crate) fn unary(op: UnaryOp, a: &Value) -> Result<Value> {
    match (op, a.as_number()) {
        (UnaryOp::Neg, Some(Number::Int(i))) => {
            Ok(Value::Int(i.checked_neg().ok_or_else(overflow)?))
        }
        (UnaryOp::Neg, Some(Number::Float(f))) => Ok(Value::Float(-f)),
        (UnaryOp::Pos, Some(Number::Int(i))) => Ok(Value::Int(i)),
        (UnaryOp::Pos, Some(Number::Float(f))) => Ok(Value::Float(f)),
        (UnaryOp::Invert, Some(Number::Int(i))) => Ok(Value::Int(!i)),
        _ => {
            let sym = match op {
                UnaryOp::Neg => "-",
                UnaryOp::Pos => "+",
                UnaryOp::Invert => "~",
            };
            Err(Error::type_error(format!(
                "bad operand type for unary {sym}: '{}'",
                a.type_name()
            )))
        }
    }
}

/// `item in container`.
pub(crate) fn contains(container: &Value, item: &Value) -> Result<bool> {
    match container {
        Value::Str(s) => match item {
            Value::Str(i) => Ok(s.contains(&**i)),
            other => Err(Error::type_error(format!(
                "'in <string>' requires string as left operand, not {}",
                other.type_name()
            ))),
        },
        Value::Bytes(b) => match item {
            Value::Bytes(i) => Ok(i.is_empty() || b.windows(i.len()).any(|w| w == &i[..])),
            Value::Int(i) => Ok(b.iter().any(|c| i64::from(*c) == *i)),
            other => Err(Error::type_error(format!(
                "a bytes-like object is required, not '{}'",
                other.type_name()
            ))),
        },
        Value::List(items) | Value::Tuple(items) => Ok(items.iter().any(|v| v.py_eq(item))),
        Value::Dict(d) => Ok(d.get(item)?.is_some()),
        Value::Range(r) => Ok(match item.as_number() {
            Some(Number::Int(i)) => {
                let (lo, hi) = if r.step > 0 {
                    (r.start, r.stop)
                } else {
                    (r.stop + 1, r.start + 1)
                };
                i >= lo && i < hi && (i - r.start) % r.step == 0
            }
            Some(Number::Float(f)) => (0..r.len()).any(|k| r.get(k) as f64 == f),
            None => false,
        }),
        Value::Object(o) => match o.iterate() {
            Some(items) => Ok(items?.iter().any(|v| v.py_eq(item))),
            None => Err(Error::type_error(format!(
                "argument of type '{}' is not iterable",
                o.type_name()
            ))),
        },
        other => Err(Error::type_error(format!(
            "argument of type '{}' is not iterable",
            other.type_name()
        ))),
    }
}

fn same_object(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::None, Value::None) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Int(x), Value::Int(y)) => x == y && (-5..=256).contains(x),
        (Value::Str(x), Value::Str(y)) => Arc::ptr_eq(x, y) || (x.is_empty() && y.is_empty()),
        (Value::List(x), Value::List(y)) | (Value::Tuple(x), Value::Tuple(y)) => Rc::ptr_eq(x, y),
        (Value::Dict(x), Value::Dict(y)) => Rc::ptr_eq(x, y),
        (Value::Object(x), Value::Object(y)) => std::ptr::addr_eq(Rc::as_ptr(x), Rc::as_ptr(y)),
        (Value::Function(_), Value::Function(_)) => a.py_eq(b),
        _ => false,
    }
}

/// One comparison `a <op> b`.
pub(crate) fn compare(op: CmpOp, a: &Value, b: &Value) -> Result<bool> {
    let sym = match op {
        CmpOp::Lt => "<",
        CmpOp::Le => "<=",
        CmpOp::Gt => ">",
        CmpOp::Ge => ">=",
        _ => "",
    };
    Ok(match op {
        CmpOp::Eq => a.py_eq(b),
        CmpOp::Ne => !a.py_eq(b),
        CmpOp::In => contains(b, a)?,
        CmpOp::NotIn => !contains(b, a)?,
        CmpOp::Is => same_object(a, b),
        CmpOp::IsNot => !same_object(a, b),
        CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => {
            // NaN compares false with everything.
            if let (Some(x), Some(y)) = (a.as_float(), b.as_float())
                && (x.is_nan() || y.is_nan())
            {
                return Ok(false);
            }
            let o = a.py_cmp(b, sym)?;
            match op {
                CmpOp::Lt => o == Ordering::Less,
                CmpOp::Le => o != Ordering::Greater,
                CmpOp::Gt => o == Ordering::Greater,
                _ => o != Ordering::Less,
            }
        }
    })
}

fn index_of(len: usize, i: i64, what: &str) -> Result<usize> {
    let n = len as i64;
    let j = if i < 0 { i + n } else { i };
    if j < 0 || j >= n {
        return Err(Error::new(
            ErrorKind::Index,
            format!("{what} index out of range"),
        ));
    }
    Ok(j as usize)
}

fn int_index(key: &Value, what: &str) -> Result<i64> {
    key.as_int().ok_or_else(|| {
        Error::type_error(format!(
            "{what} indices must be integers or slices, not {}",
            key.type_name()
        ))
    })
}

/// A borrowed `container[key]` for lists, tuples and dicts (the hot path of templates).
pub(crate) fn get_item_ref<'a>(container: &'a Value, key: &Value) -> Result<Option<&'a Value>> {
    match container {
        Value::Dict(d) => match d.get(key)? {
            Some(v) => Ok(Some(v)),
            None => Err(Error::new(ErrorKind::Key, key.repr())),
        },
        Value::List(items) => Ok(Some(
            &items[index_of(items.len(), int_index(key, "list")?, "list")?],
        )),
        Value::Tuple(items) => Ok(Some(
            &items[index_of(items.len(), int_index(key, "tuple")?, "tuple")?],
        )),
        _ => Ok(None),
    }
}

/// `container[key]`.
pub(crate) fn get_item(container: &Value, key: &Value) -> Result<Value> {
    if let Some(v) = get_item_ref(container, key)? {
        return Ok(v.clone());
    }
    match container {
        Value::Str(s) => {
            let i = int_index(key, "string")?;
            if s.is_ascii() {
                let j = index_of(s.len(), i, "string")?;
                return Ok(Value::from(&s[j..=j]));
            }
            let chars: Vec<char> = s.chars().collect();
            let j = index_of(chars.len(), i, "string")?;
            Ok(Value::from(chars[j].to_string()))
        }
        Value::Bytes(b) => {
            let j = index_of(b.len(), int_index(key, "byte")?, "index")?;
            Ok(Value::Int(i64::from(b[j])))
        }
        Value::Range(r) => {
            let j = index_of(r.len(), int_index(key, "range")?, "range object")?;
            Ok(Value::Int(r.get(j)))
        }
        Value::Object(o) => o.get_item(key),
        other => Err(Error::type_error(format!(
            "'{}' object is not subscriptable",
            other.type_name()
        ))),
    }
}

/// Python's `slice.indices(len)`, as a list of positions.
fn slice_positions(
    len: usize,
    start: Option<i64>,
    stop: Option<i64>,
    step: Option<i64>,
) -> Result<Vec<usize>> {
    let step = step.unwrap_or(1);
    if step == 0 {
        return Err(Error::value_error("slice step cannot be zero"));
    }
    let n = len as i64;
    let clamp = |v: i64, lo: i64, hi: i64| v.max(lo).min(hi);
    let norm = |v: i64| if v < 0 { v + n } else { v };
    let mut out = Vec::new();
    if step > 0 {
        let s = start.map_or(0, |v| clamp(norm(v), 0, n));
        let e = stop.map_or(n, |v| clamp(norm(v), 0, n));
        let mut i = s;
        while i < e {
            out.push(i as usize);
            i += step;
        }
    } else {
        let s = start.map_or(n - 1, |v| clamp(norm(v), -1, n - 1));
        let e = stop.map_or(-1, |v| clamp(norm(v), -1, n - 1));
        let mut i = s;
        while i > e {
            out.push(i as usize);
            i += step;
        }
    }
    Ok(out)
}

fn slice_bound(v: &Option<Value>) -> Result<Option<i64>> {
    match v {
        None | Some(Value::None) => Ok(None),
        Some(v) => v.as_int().map(Some).ok_or_else(|| {
            Error::type_error("slice indices must be integers or None or have an __index__ method")
        }),
    }
}

/// `container[start:stop:step]`.
pub(crate) fn slice(container: &Value, parts: &[Option<Value>; 3]) -> Result<Value> {
    let (a, b, c) = (
        slice_bound(&parts[0])?,
        slice_bound(&parts[1])?,
        slice_bound(&parts[2])?,
    );
    match container {
        Value::List(items) => {
            let pos = slice_positions(items.len(), a, b, c)?;
            Ok(Value::list(
                pos.into_iter().map(|i| items[i].clone()).collect(),
            ))
        }
        Value::Tuple(items) => {
            let pos = slice_positions(items.len(), a, b, c)?;
            Ok(Value::tuple(
                pos.into_iter().map(|i| items[i].clone()).collect(),
            ))
        }
        Value::Str(s) => {
            let chars: Vec<char> = s.chars().collect();
            let pos = slice_positions(chars.len(), a, b, c)?;
            Ok(Value::from(
                pos.into_iter().map(|i| chars[i]).collect::<String>(),
            ))
        }
        Value::Bytes(bytes) => {
            let pos = slice_positions(bytes.len(), a, b, c)?;
            Ok(Value::from(
                pos.into_iter().map(|i| bytes[i]).collect::<Vec<u8>>(),
            ))
        }
        Value::Range(r) => {
            let pos = slice_positions(r.len(), a, b, c)?;
            Ok(Value::list(
                pos.into_iter().map(|i| Value::Int(r.get(i))).collect(),
            ))
        }
        other => Err(Error::type_error(format!(
            "'{}' object is not subscriptable",
            other.type_name()
        ))),
    }
}

/// `container[key] = value` on a container held by a name.
pub(crate) fn set_item(container: &mut Value, key: Value, value: Value) -> Result<()> {
    match container {
        Value::Dict(d) => Rc::make_mut(d).insert(key, value),
        Value::List(items) => {
            let j = index_of(items.len(), int_index(&key, "list")?, "list assignment")?;
            Rc::make_mut(items)[j] = value;
            Ok(())
        }
        other => Err(Error::type_error(format!(
            "'{}' object does not support item assignment",
            other.type_name()
        ))),
    }
}

impl Dict {
    /// Builds a dict from `(key, value)` pairs.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (Value, Value)>) -> Result<Dict> {
        let mut d = Dict::new();
        for (k, v) in pairs {
            d.insert(k, v)?;
        }
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(op: BinOp, x: Value, y: Value) -> Result<Value> {
        binary(op, &x, &y)
    }

    #[test]
    fn arithmetic_follows_python() {
        assert_eq!(
            b(BinOp::Add, Value::Int(2), Value::Int(2)).unwrap(),
            Value::Int(4)
        );
        assert_eq!(
            b(BinOp::Div, Value::Int(1), Value::Int(2))
                .unwrap()
                .to_str(),
            "0.5"
        );
        assert_eq!(
            b(BinOp::FloorDiv, Value::Int(-7), Value::Int(2)).unwrap(),
            Value::Int(-4)
        );
        assert_eq!(
            b(BinOp::Mod, Value::Int(-7), Value::Int(2)).unwrap(),
            Value::Int(1)
        );
        assert_eq!(
            b(BinOp::Mod, Value::Float(-7.5), Value::Int(2))
                .unwrap()
                .to_str(),
            "0.5"
        );
        assert_eq!(
            b(BinOp::Pow, Value::Int(2), Value::Int(10)).unwrap(),
            Value::Int(1024)
        );
        assert_eq!(
            b(BinOp::Pow, Value::Int(2), Value::Int(-1))
                .unwrap()
                .to_str(),
            "0.5"
        );
        assert_eq!(
            b(BinOp::Mul, Value::from("ab"), Value::Int(2))
                .unwrap()
                .to_str(),
            "abab"
        );
        let e = b(BinOp::Div, Value::Int(1), Value::Int(0)).unwrap_err();
        assert_eq!(e.to_string(), "ZeroDivisionError: division by zero");
        assert!(
            b(BinOp::Add, Value::from("a"), Value::Int(1))
                .unwrap_err()
                .message()
                .contains("can only concatenate str (not \"int\") to str")
        );
        assert!(b(BinOp::Pow, Value::Int(10), Value::Int(30)).is_err());
        assert!(b(BinOp::Mul, Value::from("a"), Value::Int(1 << 40)).is_err());
    }

    #[test]
    fn subscripts_and_slices() {
        let l = Value::list((0..5).map(Value::Int).collect());
        assert_eq!(get_item(&l, &Value::Int(-1)).unwrap(), Value::Int(4));
        assert!(
            get_item(&l, &Value::Int(5))
                .unwrap_err()
                .message()
                .contains("list index out of range")
        );
        let s = slice(&l, &[Some(Value::Int(1)), None, Some(Value::Int(2))]).unwrap();
        assert_eq!(s.to_str(), "[1, 3]");
        let s = slice(&l, &[None, None, Some(Value::Int(-1))]).unwrap();
        assert_eq!(s.to_str(), "[4, 3, 2, 1, 0]");
        let t = slice(
            &Value::from("héllo"),
            &[Some(Value::Int(1)), Some(Value::Int(-1)), None],
        )
        .unwrap();
        assert_eq!(t.to_str(), "éll");
        assert_eq!(
            get_item(&Value::from("héllo"), &Value::Int(1))
                .unwrap()
                .to_str(),
            "é"
        );
        assert!(contains(&Value::from("abc"), &Value::from("b")).unwrap());
        assert!(compare(CmpOp::In, &Value::Int(3), &l).unwrap());
        let r = Value::Range(Rc::new(crate::value::PyRange {
            start: 0,
            stop: 10,
            step: 3,
        }));
        assert!(contains(&r, &Value::Int(9)).unwrap());
        assert!(!contains(&r, &Value::Int(10)).unwrap());
    }
}

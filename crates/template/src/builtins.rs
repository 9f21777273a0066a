//! Python's builtins that templates use (`len`, `range`, `enumerate`, `sorted`...), the
//! functions of Tornado's default namespace (`escape`, `url_escape`, `json_encode`...),
//! and attribute access on values.

use std::rc::Rc;

use crate::error::{Error, ErrorKind, Result};
use crate::value::{Args, Dict, Function, PyRange, Value};

macro_rules! builtins {
    ($($variant:ident => $name:literal,)*) => {
        /// A builtin function.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Builtin { $($variant,)* }

        impl Builtin {
            pub(crate) fn name(self) -> &'static str {
                match self { $(Builtin::$variant => $name,)* }
            }

            /// The builtin called `name` in Python's `builtins` module.
            pub(crate) fn by_name(name: &str) -> Option<Builtin> {
                match name { $($name => Some(Builtin::$variant),)* _ => None }
            }
        }
    };
}

builtins! {
    Len => "len",
    Range => "range",
    Enumerate => "enumerate",
    Zip => "zip",
    Str => "str",
    Int => "int",
    Float => "float",
    Bool => "bool",
    List => "list",
    Tuple => "tuple",
    Dict => "dict",
    Set => "set",
    Sorted => "sorted",
    Reversed => "reversed",
    Min => "min",
    Max => "max",
    Sum => "sum",
    Abs => "abs",
    Round => "round",
    Repr => "repr",
    Any => "any",
    All => "all",
    Map => "map",
    Filter => "filter",
    Isinstance => "isinstance",
    Getattr => "getattr",
    Hasattr => "hasattr",
    Chr => "chr",
    Ord => "ord",
    Hex => "hex",
    Divmod => "divmod",
    Format => "format",
    Bytes => "bytes",
    Callable => "callable",
    Pow => "pow",
    Iter => "iter",
    Next => "next",
    // Tornado's default namespace (tornado.escape).
    XhtmlEscape => "xhtml_escape",
    XhtmlUnescape => "xhtml_unescape",
    UrlEscape => "url_escape",
    UrlUnescape => "url_unescape",
    JsonEncode => "json_encode",
    JsonDecode => "json_decode",
    Squeeze => "squeeze",
    Linkify => "linkify",
    Utf8 => "utf8",
    ToUnicode => "to_unicode",
    // Python exception classes, so that `{% except KeyError %}` has names to use.
    Exception => "Exception",
}

/// Collects the values `for x in v` iterates over.
pub(crate) fn iterate(v: &Value) -> Result<Vec<Value>> {
    match v {
        Value::List(items) | Value::Tuple(items) => Ok(items.to_vec()),
        Value::Dict(d) => Ok(d.keys().cloned().collect()),
        Value::Range(r) => {
            if r.len() > 100_000_000 {
                return Err(Error::new(ErrorKind::Overflow, "range too large to expand"));
            }
            Ok((0..r.len()).map(|i| Value::Int(r.get(i))).collect())
        }
        Value::Str(s) => Ok(s.chars().map(|c| Value::from(c.to_string())).collect()),
        Value::Bytes(b) => Ok(b.iter().map(|&c| Value::Int(i64::from(c))).collect()),
        Value::Object(o) => match o.iterate() {
            Some(r) => r,
            None => Err(not_iterable(v)),
        },
        other => Err(not_iterable(other)),
    }
}

fn not_iterable(v: &Value) -> Error {
    Error::type_error(format!("'{}' object is not iterable", v.type_name()))
}

fn arg<'a>(args: &Args<'a>, i: usize, func: &str) -> Result<&'a Value> {
    args.positional.get(i).ok_or_else(|| {
        Error::type_error(format!(
            "{func}() missing required argument (pos {})",
            i + 1
        ))
    })
}

fn text_arg(v: &Value) -> Result<std::borrow::Cow<'_, str>> {
    v.as_text()
}

fn int_of(v: &Value, func: &str) -> Result<i64> {
    v.as_int().ok_or_else(|| {
        Error::type_error(format!(
            "'{}' object cannot be interpreted as an integer ({func})",
            v.type_name()
        ))
    })
}

fn key_fn<'a>(args: &Args<'a>) -> Option<&'a Value> {
    args.kwarg("key").filter(|k| !matches!(k, Value::None))
}

fn keyed(items: Vec<Value>, key: Option<&Value>) -> Result<Vec<(Value, Value)>> {
    items
        .into_iter()
        .map(|v| {
            let k = match key {
                Some(f) => f.call(&Args::new(std::slice::from_ref(&v)))?,
                None => v.clone(),
            };
            Ok((k, v))
        })
        .collect()
}

fn min_max(args: &Args<'_>, want: std::cmp::Ordering, name: &str) -> Result<Value> {
    let items = if args.positional.len() == 1 {
        iterate(&args.positional[0])?
    } else {
        args.positional.to_vec()
    };
    if items.is_empty() {
        return match args.kwarg("default") {
            Some(d) => Ok(d.clone()),
            None => Err(Error::value_error(format!(
                "{name}() arg is an empty sequence"
            ))),
        };
    }
    let mut best: Option<(Value, Value)> = None;
    for (k, v) in keyed(items, key_fn(args))? {
        best = Some(match best {
            None => (k, v),
            Some((bk, bv)) => {
                let op = if want == std::cmp::Ordering::Less {
                    "<"
                } else {
                    ">"
                };
                if k.py_cmp(&bk, op)? == want {
                    (k, v)
                } else {
                    (bk, bv)
                }
            }
        });
    }
    Ok(best.map(|(_, v)| v).unwrap_or_default())
}

/// Sorts with Python's ordering (stable); the first comparison error wins.
pub(crate) fn sort_values(
    items: Vec<Value>,
    key: Option<&Value>,
    reverse: bool,
) -> Result<Vec<Value>> {
    let mut pairs = keyed(items, key)?;
    let mut err = None;
    pairs.sort_by(|a, b| {
        let o = a.0.py_cmp(&b.0, "<").unwrap_or_else(|e| {
            err.get_or_insert(e);
            std::cmp::Ordering::Equal
        });
        if reverse { o.reverse() } else { o }
    });
    match err {
        Some(e) => Err(e),
        None => Ok(pairs.into_iter().map(|(_, v)| v).collect()),
    }
}

fn parse_int(s: &str, base: u32) -> Result<i64> {
    let t = s.trim().replace('_', "");
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d.to_string()),
        None => (false, t.strip_prefix('+').unwrap_or(&t).to_string()),
    };
    let digits = if base == 16 {
        digits
            .trim_start_matches("0x")
            .trim_start_matches("0X")
            .to_string()
    } else {
        digits
    };
    i64::from_str_radix(&digits, base)
        .map(|v| if neg { -v } else { v })
        .map_err(|_| {
            Error::value_error(format!(
                "invalid literal for int() with base {base}: {}",
                Value::from(s).repr()
            ))
        })
}

fn parse_float(s: &str) -> Result<f64> {
    let t = s.trim().to_ascii_lowercase().replace('_', "");
    let v = match t.trim_start_matches(['+', '-']) {
        "inf" | "infinity" => Some(f64::INFINITY),
        "nan" => Some(f64::NAN),
        _ => None,
    };
    if let Some(v) = v {
        return Ok(if t.starts_with('-') { -v } else { v });
    }
    t.parse::<f64>().map_err(|_| {
        Error::value_error(format!(
            "could not convert string to float: {}",
            Value::from(s).repr()
        ))
    })
}

fn round_value(x: &Value, ndigits: Option<&Value>) -> Result<Value> {
    let nd = match ndigits {
        None | Some(Value::None) => None,
        Some(v) => Some(int_of(v, "round")?),
    };
    match (x, nd) {
        (Value::Int(i), None) => Ok(Value::Int(*i)),
        (Value::Int(i), Some(n)) if n >= 0 => Ok(Value::Int(*i)),
        (Value::Int(i), Some(n)) => {
            let p = 10i64
                .checked_pow(u32::try_from(-n).unwrap_or(u32::MAX))
                .unwrap_or(i64::MAX);
            let f = (*i as f64 / p as f64).round_ties_even();
            Ok(Value::Int((f as i64).saturating_mul(p)))
        }
        (Value::Float(f), None) => {
            if !f.is_finite() {
                return Err(Error::new(
                    ErrorKind::Overflow,
                    "cannot convert float infinity to integer",
                ));
            }
            Ok(Value::Int(f.round_ties_even() as i64))
        }
        (Value::Float(f), Some(n)) => {
            if n >= 0 {
                let s = format!("{:.*}", usize::try_from(n).unwrap_or(0).min(300), f);
                Ok(Value::Float(s.parse().unwrap_or(*f)))
            } else {
                let p = 10f64.powi(i32::try_from(-n).unwrap_or(400));
                Ok(Value::Float((f / p).round_ties_even() * p))
            }
        }
        (Value::Bool(b), _) => Ok(Value::Int(i64::from(*b))),
        (other, _) => Err(Error::type_error(format!(
            "type {} doesn't define __round__ method",
            other.type_name()
        ))),
    }
}

fn isinstance(v: &Value, class: &Value) -> Result<bool> {
    match class {
        Value::Tuple(items) => {
            for c in items.iter() {
                if isinstance(v, c)? {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        Value::Function(f) => {
            let name = f.name();
            Ok(match name {
                "int" => matches!(v, Value::Int(_) | Value::Bool(_)),
                "float" => matches!(v, Value::Float(_)),
                "str" => matches!(v, Value::Str(_)),
                "bytes" => matches!(v, Value::Bytes(_)),
                "bool" => matches!(v, Value::Bool(_)),
                "list" => matches!(v, Value::List(_)),
                "tuple" => matches!(v, Value::Tuple(_)),
                "dict" => matches!(v, Value::Dict(_)),
                "range" => matches!(v, Value::Range(_)),
                _ => v.type_name() == name,
            })
        }
        _ => Err(Error::type_error(
            "isinstance() arg 2 must be a type or tuple of types",
        )),
    }
}

impl Builtin {
    /// Calls the builtin.
    pub(crate) fn call(self, args: &Args<'_>) -> Result<Value> {
        use Builtin as B;
        let name = self.name();
        match self {
            B::Len => {
                let v = arg(args, 0, name)?;
                let n = match v {
                    Value::Str(s) => {
                        if s.is_ascii() {
                            s.len()
                        } else {
                            s.chars().count()
                        }
                    }
                    Value::Bytes(b) => b.len(),
                    Value::List(l) | Value::Tuple(l) => l.len(),
                    Value::Dict(d) => d.len(),
                    Value::Range(r) => r.len(),
                    Value::Object(o) => o.len().ok_or_else(|| {
                        Error::type_error(format!(
                            "object of type '{}' has no len()",
                            o.type_name()
                        ))
                    })?,
                    other => {
                        return Err(Error::type_error(format!(
                            "object of type '{}' has no len()",
                            other.type_name()
                        )));
                    }
                };
                Ok(Value::from(n))
            }
            B::Range => {
                let ints: Vec<i64> = args
                    .positional
                    .iter()
                    .map(|v| int_of(v, name))
                    .collect::<Result<_>>()?;
                let (start, stop, step) = match ints.as_slice() {
                    [stop] => (0, *stop, 1),
                    [start, stop] => (*start, *stop, 1),
                    [start, stop, step] => (*start, *stop, *step),
                    _ => return Err(Error::type_error("range expected 1 to 3 arguments")),
                };
                if step == 0 {
                    return Err(Error::value_error("range() arg 3 must not be zero"));
                }
                Ok(Value::Range(Rc::new(PyRange { start, stop, step })))
            }
            B::Enumerate => {
                let items = iterate(args.required(0, "iterable", name)?)?;
                let start = match args.arg(1, "start") {
                    Some(v) => int_of(v, name)?,
                    None => 0,
                };
                Ok(Value::list(
                    items
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| Value::tuple(vec![Value::Int(start + i as i64), v]))
                        .collect(),
                ))
            }
            B::Zip => {
                let lists: Vec<Vec<Value>> =
                    args.positional.iter().map(iterate).collect::<Result<_>>()?;
                let n = lists.iter().map(Vec::len).min().unwrap_or(0);
                Ok(Value::list(
                    (0..n)
                        .map(|i| Value::tuple(lists.iter().map(|l| l[i].clone()).collect()))
                        .collect(),
                ))
            }
            B::Str => match args.positional {
                [] => Ok(Value::from("")),
                [v] => Ok(match v {
                    Value::Str(_) => v.clone(),
                    other => Value::from(other.to_str()),
                }),
                [Value::Bytes(b), ..] => {
                    Ok(Value::from(Value::Bytes(b.clone()).as_text()?.into_owned()))
                }
                _ => Err(Error::type_error(
                    "str() takes at most 1 argument unless decoding bytes",
                )),
            },
            B::Int => match args.positional {
                [] => Ok(Value::Int(0)),
                [v] => match v {
                    Value::Int(_) => Ok(v.clone()),
                    Value::Bool(b) => Ok(Value::Int(i64::from(*b))),
                    Value::Float(f) => {
                        if !f.is_finite() {
                            return Err(Error::new(
                                ErrorKind::Overflow,
                                "cannot convert float infinity to integer",
                            ));
                        }
                        Ok(Value::Int(f.trunc() as i64))
                    }
                    Value::Str(_) | Value::Bytes(_) => {
                        Ok(Value::Int(parse_int(&text_arg(v)?, 10)?))
                    }
                    other => Err(Error::type_error(format!(
                        "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                        other.type_name()
                    ))),
                },
                [v, base] => {
                    let b = u32::try_from(int_of(base, name)?).unwrap_or(0);
                    if !(2..=36).contains(&b) {
                        return Err(Error::value_error(
                            "int() base must be >= 2 and <= 36, or 0",
                        ));
                    }
                    Ok(Value::Int(parse_int(&text_arg(v)?, b)?))
                }
                _ => Err(Error::type_error("int() takes at most 2 arguments")),
            },
            B::Float => match args.positional {
                [] => Ok(Value::Float(0.0)),
                [v] => match v {
                    Value::Str(_) | Value::Bytes(_) => {
                        Ok(Value::Float(parse_float(&text_arg(v)?)?))
                    }
                    other => other.as_float().map(Value::Float).ok_or_else(|| {
                        Error::type_error(format!(
                            "float() argument must be a string or a real number, not '{}'",
                            other.type_name()
                        ))
                    }),
                },
                _ => Err(Error::type_error("float expected at most 1 argument")),
            },
            B::Bool => Ok(Value::Bool(args.get(0).is_some_and(Value::truthy))),
            B::List => Ok(Value::list(match args.get(0) {
                Some(v) => iterate(v)?,
                None => Vec::new(),
            })),
            B::Tuple => Ok(Value::tuple(match args.get(0) {
                Some(v) => iterate(v)?,
                None => Vec::new(),
            })),
            B::Set => {
                let mut out: Vec<Value> = Vec::new();
                if let Some(v) = args.get(0) {
                    for item in iterate(v)? {
                        if !out.iter().any(|o| o.py_eq(&item)) {
                            out.push(item);
                        }
                    }
                }
                Ok(Value::list(out))
            }
            B::Dict => {
                let mut d = Dict::new();
                if let Some(v) = args.get(0) {
                    match v {
                        Value::Dict(src) => d = (**src).clone(),
                        other => {
                            for pair in iterate(other)? {
                                let kv = iterate(&pair)?;
                                if kv.len() != 2 {
                                    return Err(Error::value_error(format!(
                                        "dictionary update sequence element has length {}; 2 is required",
                                        kv.len()
                                    )));
                                }
                                let mut kv = kv.into_iter();
                                let (k, v) =
                                    (kv.next().unwrap_or_default(), kv.next().unwrap_or_default());
                                d.insert(k, v)?;
                            }
                        }
                    }
                }
                for (k, v) in args.keywords {
                    d.insert(Value::Str(k.clone()), v.clone())?;
                }
                Ok(Value::dict(d))
            }
            B::Sorted => {
                let items = iterate(arg(args, 0, name)?)?;
                let reverse = args.kwarg("reverse").is_some_and(Value::truthy);
                Ok(Value::list(sort_values(items, key_fn(args), reverse)?))
            }
            B::Reversed => {
                let mut items = iterate(arg(args, 0, name)?)?;
                items.reverse();
                Ok(Value::list(items))
            }
            B::Min => min_max(args, std::cmp::Ordering::Less, name),
            B::Max => min_max(args, std::cmp::Ordering::Greater, name),
            B::Sum => {
                let mut total = args.arg(1, "start").cloned().unwrap_or(Value::Int(0));
                for v in iterate(arg(args, 0, name)?)? {
                    total = crate::ops::binary(crate::expr::BinOp::Add, &total, &v)?;
                }
                Ok(total)
            }
            B::Abs => match arg(args, 0, name)? {
                Value::Int(i) => Ok(Value::Int(i.checked_abs().ok_or_else(|| {
                    Error::new(
                        ErrorKind::Overflow,
                        "integer result does not fit in 64 bits",
                    )
                })?)),
                Value::Bool(b) => Ok(Value::Int(i64::from(*b))),
                Value::Float(f) => Ok(Value::Float(f.abs())),
                other => Err(Error::type_error(format!(
                    "bad operand type for abs(): '{}'",
                    other.type_name()
                ))),
            },
            B::Round => round_value(arg(args, 0, name)?, args.arg(1, "ndigits")),
            B::Repr => Ok(Value::from(arg(args, 0, name)?.repr())),
            B::Any => Ok(Value::Bool(
                iterate(arg(args, 0, name)?)?.iter().any(Value::truthy),
            )),
            B::All => Ok(Value::Bool(
                iterate(arg(args, 0, name)?)?.iter().all(Value::truthy),
            )),
            B::Map => {
                let f = arg(args, 0, name)?;
                let lists: Vec<Vec<Value>> = args.positional[1..]
                    .iter()
                    .map(iterate)
                    .collect::<Result<_>>()?;
                let n = lists.iter().map(Vec::len).min().unwrap_or(0);
                let mut out = Vec::with_capacity(n);
                for i in 0..n {
                    let a: Vec<Value> = lists.iter().map(|l| l[i].clone()).collect();
                    out.push(f.call(&Args::new(&a))?);
                }
                Ok(Value::list(out))
            }
            B::Filter => {
                let f = arg(args, 0, name)?;
                let mut out = Vec::new();
                for v in iterate(arg(args, 1, name)?)? {
                    let keep = match f {
                        Value::None => v.truthy(),
                        f => f.call(&Args::new(std::slice::from_ref(&v)))?.truthy(),
                    };
                    if keep {
                        out.push(v);
                    }
                }
                Ok(Value::list(out))
            }
            B::Isinstance => Ok(Value::Bool(isinstance(
                arg(args, 0, name)?,
                arg(args, 1, name)?,
            )?)),
            B::Getattr => {
                let obj = arg(args, 0, name)?;
                let attr = arg(args, 1, name)?
                    .as_str()
                    .ok_or_else(|| Error::type_error("attribute name must be string"))?;
                match get_attr(obj, attr) {
                    Ok(v) => Ok(v),
                    Err(e) if *e.kind() == ErrorKind::Attribute => args.get(2).cloned().ok_or(e),
                    Err(e) => Err(e),
                }
            }
            B::Hasattr => {
                let obj = arg(args, 0, name)?;
                let attr = arg(args, 1, name)?.as_str().unwrap_or("");
                match get_attr(obj, attr) {
                    Ok(_) => Ok(Value::Bool(true)),
                    Err(e) if *e.kind() == ErrorKind::Attribute => Ok(Value::Bool(false)),
                    Err(e) => Err(e),
                }
            }
            B::Chr => {
                let i = int_of(arg(args, 0, name)?, name)?;
                u32::try_from(i)
                    .ok()
                    .and_then(char::from_u32)
                    .map(|c| Value::from(c.to_string()))
                    .ok_or_else(|| Error::value_error("chr() arg not in range(0x110000)"))
            }
            B::Ord => {
                let s = arg(args, 0, name)?;
                let t = text_arg(s)?;
                let mut chars = t.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None) => Ok(Value::Int(i64::from(c as u32))),
                    _ => Err(Error::type_error(format!(
                        "ord() expected a character, but string of length {} found",
                        t.chars().count()
                    ))),
                }
            }
            B::Hex => {
                let i = int_of(arg(args, 0, name)?, name)?;
                Ok(Value::from(if i < 0 {
                    format!("-0x{:x}", i.unsigned_abs())
                } else {
                    format!("0x{i:x}")
                }))
            }
            B::Divmod => {
                let (a, b) = (arg(args, 0, name)?, arg(args, 1, name)?);
                let q = crate::ops::binary(crate::expr::BinOp::FloorDiv, a, b)?;
                let r = crate::ops::binary(crate::expr::BinOp::Mod, a, b)?;
                Ok(Value::tuple(vec![q, r]))
            }
            B::Format => {
                let spec = args.get(1).and_then(Value::as_str).unwrap_or("");
                Ok(Value::from(crate::format::format_value(
                    arg(args, 0, name)?,
                    spec,
                )?))
            }
            B::Bytes => match args.positional {
                [] => Ok(Value::from(Vec::<u8>::new())),
                [Value::Str(s), ..] => Ok(Value::from(s.as_bytes().to_vec())),
                [Value::Int(n)] => Ok(Value::from(vec![
                    0u8;
                    usize::try_from(*n)
                        .unwrap_or(0)
                        .min(1 << 24)
                ])),
                [other] => Ok(Value::from(
                    iterate(other)?
                        .iter()
                        .map(|v| v.as_int().and_then(|i| u8::try_from(i).ok()))
                        .collect::<Option<Vec<u8>>>()
                        .ok_or_else(|| Error::value_error("bytes must be in range(0, 256)"))?,
                )),
                _ => Err(Error::type_error("bytes() takes at most 3 arguments")),
            },
            B::Callable => Ok(Value::Bool(matches!(
                arg(args, 0, name)?,
                Value::Function(_) | Value::Object(_)
            ))),
            B::Pow => crate::ops::binary(
                crate::expr::BinOp::Pow,
                arg(args, 0, name)?,
                arg(args, 1, name)?,
            ),
            B::Iter => Ok(Value::list(iterate(arg(args, 0, name)?)?)),
            B::Next => {
                let items = iterate(arg(args, 0, name)?)?;
                match items.into_iter().next() {
                    Some(v) => Ok(v),
                    None => args
                        .get(1)
                        .cloned()
                        .ok_or_else(|| Error::custom("StopIteration", "")),
                }
            }
            B::Exception => Ok(Value::from(
                args.get(0).map(Value::to_str).unwrap_or_default(),
            )),
            _ => crate::namespace::call_escape_builtin(self, args),
        }
    }
}

/// `value.name` (not called): dict keys first (Tornado's `ObjectDict` style, so
/// serialized structs read naturally), then methods as bound functions.
pub(crate) fn get_attr(value: &Value, name: &str) -> Result<Value> {
    if let Some(v) = get_attr_ref(value, name) {
        return Ok(v.clone());
    }
    match value {
        Value::Object(o) => o.get_attr(name)?.ok_or_else(|| no_attr(value, name)),
        Value::Float(f) if name == "real" => Ok(Value::Float(*f)),
        Value::Float(_) if name == "imag" => Ok(Value::Float(0.0)),
        Value::Int(i) if name == "real" || name == "numerator" => Ok(Value::Int(*i)),
        Value::Int(_) if name == "imag" => Ok(Value::Int(0)),
        Value::Int(_) if name == "denominator" => Ok(Value::Int(1)),
        Value::Range(r) if matches!(name, "start" | "stop" | "step") => {
            Ok(Value::Int(match name {
                "start" => r.start,
                "stop" => r.stop,
                _ => r.step,
            }))
        }
        v if crate::methods::has_method(v, name) => Ok(Value::Function(Function::method(
            v.clone(),
            std::sync::Arc::from(name),
        ))),
        _ => Err(no_attr(value, name)),
    }
}

/// A borrowed `value.name` when `value` is a dict holding key `name`.
#[inline]
pub(crate) fn get_attr_ref<'a>(value: &'a Value, name: &str) -> Option<&'a Value> {
    match value {
        Value::Dict(d) => d.get_str(name),
        _ => None,
    }
}

pub(crate) fn no_attr(value: &Value, name: &str) -> Error {
    Error::new(
        ErrorKind::Attribute,
        format!("'{}' object has no attribute '{name}'", value.type_name()),
    )
}

/// `container[key]`.
pub(crate) fn get_item(container: &Value, key: &Value) -> Result<Value> {
    crate::ops::get_item(container, key)
}

/// `value.name(*args)`.
pub(crate) fn call_method(value: &Value, name: &str, args: &Args<'_>) -> Result<Value> {
    match value {
        Value::Object(o) => o.call_method(name, args),
        Value::Dict(d) if !crate::methods::has_method(value, name) => match d.get_str(name) {
            Some(f) => f.call(args),
            None => Err(no_attr(value, name)),
        },
        _ => crate::methods::call(value, name, args),
    }
}

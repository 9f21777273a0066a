//! The common methods of `str`, `bytes`, `list`, `dict`, `int` and `float`.

use std::rc::Rc;

use crate::builtins::{iterate, sort_values};
use crate::error::{Error, ErrorKind, Result};
use crate::value::{Args, Dict, Value};

const STR_METHODS: &[&str] = &[
    "upper",
    "lower",
    "strip",
    "lstrip",
    "rstrip",
    "split",
    "rsplit",
    "join",
    "replace",
    "startswith",
    "endswith",
    "find",
    "rfind",
    "index",
    "rindex",
    "count",
    "format",
    "title",
    "capitalize",
    "isdigit",
    "isalpha",
    "isspace",
    "isalnum",
    "isupper",
    "islower",
    "isnumeric",
    "isdecimal",
    "zfill",
    "center",
    "ljust",
    "rjust",
    "splitlines",
    "encode",
    "decode",
    "partition",
    "rpartition",
    "casefold",
    "swapcase",
    "removeprefix",
    "removesuffix",
    "expandtabs",
];
const LIST_METHODS: &[&str] = &[
    "index", "count", "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse",
    "copy",
];
const DICT_METHODS: &[&str] = &[
    "get",
    "keys",
    "values",
    "items",
    "pop",
    "setdefault",
    "update",
    "copy",
    "clear",
    "popitem",
];
/// Methods that change their receiver.
const MUTATING: &[&str] = &[
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "clear",
    "sort",
    "reverse",
    "setdefault",
    "update",
    "popitem",
];

/// Whether `v` has a method called `name`.
pub(crate) fn has_method(v: &Value, name: &str) -> bool {
    match v {
        Value::Str(_) | Value::Bytes(_) => STR_METHODS.contains(&name),
        Value::List(_) => LIST_METHODS.contains(&name),
        Value::Tuple(_) => matches!(name, "index" | "count"),
        Value::Dict(_) => DICT_METHODS.contains(&name),
        Value::Int(_) | Value::Bool(_) => matches!(name, "bit_length" | "conjugate"),
        Value::Float(_) => matches!(name, "is_integer" | "conjugate"),
        _ => false,
    }
}

/// Whether calling `name` on `v` changes `v`.
pub(crate) fn is_mutating(v: &Value, name: &str) -> bool {
    matches!(v, Value::List(_) | Value::Dict(_)) && MUTATING.contains(&name)
}

/// Calls a method on a value that is not held by a name: a mutating method works on a
/// copy (only its result is seen).
pub(crate) fn call(v: &Value, name: &str, args: &Args<'_>) -> Result<Value> {
    if is_mutating(v, name) {
        let mut copy = v.clone();
        return call_mut(&mut copy, name, args);
    }
    match v {
        Value::Str(s) => str_method(s, name, args).map(|r| r.into_value(false)),
        Value::Bytes(b) => {
            if name == "decode" {
                return Ok(Value::from(v.as_text()?.into_owned()));
            }
            let text = String::from_utf8_lossy(b);
            str_method(&text, name, args).map(|r| r.into_value(true))
        }
        Value::List(items) | Value::Tuple(items) => match name {
            "index" => {
                let x = req(args, 0, name)?;
                items
                    .iter()
                    .position(|i| i.py_eq(x))
                    .map(Value::from)
                    .ok_or_else(|| Error::value_error(format!("{} is not in list", x.repr())))
            }
            "count" => {
                let x = req(args, 0, name)?;
                Ok(Value::from(items.iter().filter(|i| i.py_eq(x)).count()))
            }
            "copy" => Ok(Value::list(items.to_vec())),
            _ => Err(crate::builtins::no_attr(v, name)),
        },
        Value::Dict(d) => match name {
            "get" => {
                let k = req(args, 0, name)?;
                Ok(d.get(k)?
                    .cloned()
                    .unwrap_or_else(|| args.get(1).cloned().unwrap_or_default()))
            }
            "keys" => Ok(Value::list(d.keys().cloned().collect())),
            "values" => Ok(Value::list(d.values().cloned().collect())),
            "items" => Ok(Value::list(
                d.iter()
                    .map(|(k, v)| Value::tuple(vec![k.clone(), v.clone()]))
                    .collect(),
            )),
            "copy" => Ok(Value::dict((**d).clone())),
            _ => Err(crate::builtins::no_attr(v, name)),
        },
        Value::Int(i) => match name {
            "bit_length" => Ok(Value::Int(i64::from(64 - i.unsigned_abs().leading_zeros()))),
            _ => Ok(Value::Int(*i)),
        },
        Value::Bool(b) => Ok(Value::Int(i64::from(*b))),
        Value::Float(f) => match name {
            "is_integer" => Ok(Value::Bool(f.is_finite() && f.fract() == 0.0)),
            _ => Ok(Value::Float(*f)),
        },
        _ => Err(crate::builtins::no_attr(v, name)),
    }
}

fn req<'a>(args: &Args<'a>, i: usize, name: &str) -> Result<&'a Value> {
    args.get(i)
        .ok_or_else(|| Error::type_error(format!("{name}() takes at least {} argument", i + 1)))
}

/// Calls a method on a value held by a name, changing it in place for mutating methods.
pub(crate) fn call_mut(v: &mut Value, name: &str, args: &Args<'_>) -> Result<Value> {
    match v {
        Value::List(items) => {
            let items = Rc::make_mut(items);
            match name {
                "append" => {
                    items.push(req(args, 0, name)?.clone());
                    Ok(Value::None)
                }
                "extend" => {
                    items.extend(iterate(req(args, 0, name)?)?);
                    Ok(Value::None)
                }
                "insert" => {
                    let n = items.len() as i64;
                    let i = req(args, 0, name)?.as_int().unwrap_or(0);
                    let i = if i < 0 { (i + n).max(0) } else { i.min(n) } as usize;
                    items.insert(i, req(args, 1, name)?.clone());
                    Ok(Value::None)
                }
                "pop" => {
                    if items.is_empty() {
                        return Err(Error::new(ErrorKind::Index, "pop from empty list"));
                    }
                    let n = items.len() as i64;
                    let i = args.get(0).and_then(Value::as_int).unwrap_or(-1);
                    let j = if i < 0 { i + n } else { i };
                    if j < 0 || j >= n {
                        return Err(Error::new(ErrorKind::Index, "pop index out of range"));
                    }
                    Ok(items.remove(j as usize))
                }
                "remove" => {
                    let x = req(args, 0, name)?;
                    match items.iter().position(|i| i.py_eq(x)) {
                        Some(p) => {
                            items.remove(p);
                            Ok(Value::None)
                        }
                        None => Err(Error::value_error("list.remove(x): x not in list")),
                    }
                }
                "clear" => {
                    items.clear();
                    Ok(Value::None)
                }
                "sort" => {
                    let key = args.kwarg("key").filter(|k| !matches!(k, Value::None));
                    let reverse = args.kwarg("reverse").is_some_and(Value::truthy);
                    *items = sort_values(std::mem::take(items), key, reverse)?;
                    Ok(Value::None)
                }
                "reverse" => {
                    items.reverse();
                    Ok(Value::None)
                }
                _ => call(v, name, args),
            }
        }
        Value::Dict(d) => {
            let d = Rc::make_mut(d);
            match name {
                "pop" => {
                    let k = req(args, 0, name)?;
                    match d.remove(k)? {
                        Some(x) => Ok(x),
                        None => args
                            .get(1)
                            .cloned()
                            .ok_or_else(|| Error::new(ErrorKind::Key, k.repr())),
                    }
                }
                "setdefault" => {
                    let k = req(args, 0, name)?;
                    if let Some(x) = d.get(k)? {
                        return Ok(x.clone());
                    }
                    let dv = args.get(1).cloned().unwrap_or_default();
                    d.insert(k.clone(), dv.clone())?;
                    Ok(dv)
                }
                "update" => {
                    if let Some(src) = args.get(0) {
                        match src {
                            Value::Dict(s) => {
                                for (k, x) in s.iter() {
                                    d.insert(k.clone(), x.clone())?;
                                }
                            }
                            other => {
                                for pair in iterate(other)? {
                                    let kv = iterate(&pair)?;
                                    if let [k, x] = kv.as_slice() {
                                        d.insert(k.clone(), x.clone())?;
                                    } else {
                                        return Err(Error::value_error(
                                            "dictionary update sequence element has the wrong length",
                                        ));
                                    }
                                }
                            }
                        }
                    }
                    for (k, x) in args.keywords {
                        d.insert(Value::Str(k.clone()), x.clone())?;
                    }
                    Ok(Value::None)
                }
                "clear" => {
                    d.clear();
                    Ok(Value::None)
                }
                "popitem" => d
                    .pop_last()
                    .map(|(k, x)| Value::tuple(vec![k, x]))
                    .ok_or_else(|| Error::new(ErrorKind::Key, "'popitem(): dictionary is empty'")),
                _ => call(v, name, args),
            }
        }
        other => call(other, name, args),
    }
}

/// A method result that is text (converted back to bytes for a bytes receiver).
enum StrResult {
    Text(String),
    List(Vec<String>),
    Tuple(Vec<String>),
    Other(Value),
}

impl StrResult {
    fn into_value(self, bytes: bool) -> Value {
        let conv = |s: String| {
            if bytes {
                Value::from(s.into_bytes())
            } else {
                Value::from(s)
            }
        };
        match self {
            StrResult::Text(s) => conv(s),
            StrResult::List(v) => Value::list(v.into_iter().map(conv).collect()),
            StrResult::Tuple(v) => Value::tuple(v.into_iter().map(conv).collect()),
            StrResult::Other(v) => v,
        }
    }
}

fn text(v: &Value) -> Result<String> {
    Ok(v.as_text()?.into_owned())
}

fn opt_text(args: &Args<'_>, i: usize) -> Result<Option<String>> {
    match args.get(i) {
        None | Some(Value::None) => Ok(None),
        Some(v) => Ok(Some(text(v)?)),
    }
}

fn py_split(s: &str, sep: Option<&str>, maxsplit: i64, from_right: bool) -> Result<Vec<String>> {
    let max = if maxsplit < 0 {
        usize::MAX
    } else {
        maxsplit as usize
    };
    match sep {
        Some("") => Err(Error::value_error("empty separator")),
        Some(sep) => {
            let parts: Vec<String> = if from_right {
                let mut v: Vec<String> = s
                    .rsplitn(max.saturating_add(1), sep)
                    .map(String::from)
                    .collect();
                v.reverse();
                v
            } else {
                s.splitn(max.saturating_add(1), sep)
                    .map(String::from)
                    .collect()
            };
            Ok(parts)
        }
        None => {
            let mut out = Vec::new();
            let mut rest = s.trim_start();
            if from_right {
                let mut r = s.trim_end();
                while !r.is_empty() {
                    if out.len() == max {
                        out.push(r.to_string());
                        break;
                    }
                    match r.rfind(char::is_whitespace) {
                        Some(i) => {
                            let ch = r[i..].chars().next().map_or(1, char::len_utf8);
                            out.push(r[i + ch..].to_string());
                            r = r[..i].trim_end();
                        }
                        None => {
                            out.push(r.to_string());
                            break;
                        }
                    }
                }
                out.reverse();
                return Ok(out);
            }
            while !rest.is_empty() {
                if out.len() == max {
                    out.push(rest.to_string());
                    break;
                }
                match rest.find(char::is_whitespace) {
                    Some(i) => {
                        out.push(rest[..i].to_string());
                        rest = rest[i..].trim_start();
                    }
                    None => {
                        out.push(rest.to_string());
                        break;
                    }
                }
            }
            Ok(out)
        }
    }
}

fn affix_match(s: &str, arg: &Value, prefix: bool) -> Result<bool> {
    let test = |p: &str| {
        if prefix {
            s.starts_with(p)
        } else {
            s.ends_with(p)
        }
    };
    match arg {
        Value::Tuple(items) => {
            for i in items.iter() {
                if test(&text(i)?) {
                    return Ok(true);
                }
            }
            Ok(false)
        }
        other => Ok(test(&text(other)?)),
    }
}

fn title(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_cased = false;
    for c in s.chars() {
        if prev_cased {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        prev_cased = c.is_alphabetic();
    }
    out
}

fn pad(s: &str, width: i64, fill: char, align: char) -> String {
    let len = s.chars().count() as i64;
    if width <= len {
        return s.to_string();
    }
    let n = (width - len) as usize;
    let f = |k: usize| fill.to_string().repeat(k);
    match align {
        '<' => format!("{s}{}", f(n)),
        '>' => format!("{}{s}", f(n)),
        _ => {
            // Python's center puts the extra fill on the right when the string is even.
            let left = n / 2 + (n & usize::from(width % 2 == 1 && len % 2 == 0));
            let left = left.min(n);
            format!("{}{s}{}", f(left), f(n - left))
        }
    }
}

fn strip_chars<'a>(s: &'a str, chars: &Option<String>, left: bool, right: bool) -> &'a str {
    let pred = |c: char| match chars {
        Some(set) => set.contains(c),
        None => c.is_whitespace(),
    };
    let mut r = s;
    if left {
        r = r.trim_start_matches(pred);
    }
    if right {
        r = r.trim_end_matches(pred);
    }
    r
}

fn str_method(s: &str, name: &str, args: &Args<'_>) -> Result<StrResult> {
    use StrResult::*;
    let int_arg = |i: usize, default: i64| args.get(i).and_then(Value::as_int).unwrap_or(default);
    Ok(match name {
        "upper" => Text(s.to_uppercase()),
        "lower" | "casefold" => Text(s.to_lowercase()),
        "swapcase" => Text(
            s.chars()
                .flat_map(|c| {
                    if c.is_uppercase() {
                        c.to_lowercase().collect::<Vec<_>>()
                    } else {
                        c.to_uppercase().collect()
                    }
                })
                .collect(),
        ),
        "strip" => Text(strip_chars(s, &opt_text(args, 0)?, true, true).to_string()),
        "lstrip" => Text(strip_chars(s, &opt_text(args, 0)?, true, false).to_string()),
        "rstrip" => Text(strip_chars(s, &opt_text(args, 0)?, false, true).to_string()),
        "split" | "rsplit" => {
            let sep = match args.arg(0, "sep") {
                None | Some(Value::None) => None,
                Some(v) => Some(text(v)?),
            };
            let max = args
                .arg(1, "maxsplit")
                .and_then(Value::as_int)
                .unwrap_or(-1);
            List(py_split(s, sep.as_deref(), max, name == "rsplit")?)
        }
        "splitlines" => List(s.lines().map(String::from).collect()),
        "join" => {
            let items = iterate(req(args, 0, name)?)?;
            let mut parts = Vec::with_capacity(items.len());
            for (i, it) in items.iter().enumerate() {
                match it {
                    Value::Str(t) => parts.push(t.to_string()),
                    Value::Bytes(_) => parts.push(text(it)?),
                    other => {
                        return Err(Error::type_error(format!(
                            "sequence item {i}: expected str instance, {} found",
                            other.type_name()
                        )));
                    }
                }
            }
            Text(parts.join(s))
        }
        "replace" => {
            let (old, new) = (text(req(args, 0, name)?)?, text(req(args, 1, name)?)?);
            let count = int_arg(2, -1);
            if count < 0 {
                Text(s.replace(&old, &new))
            } else {
                Text(s.replacen(&old, &new, count as usize))
            }
        }
        "startswith" => Other(Value::Bool(affix_match(s, req(args, 0, name)?, true)?)),
        "endswith" => Other(Value::Bool(affix_match(s, req(args, 0, name)?, false)?)),
        "find" | "index" | "rfind" | "rindex" => {
            let sub = text(req(args, 0, name)?)?;
            let pos = if name.starts_with('r') {
                s.rfind(&sub)
            } else {
                s.find(&sub)
            };
            match pos {
                Some(p) => Other(Value::from(s[..p].chars().count())),
                None if name.ends_with("index") => {
                    return Err(Error::value_error("substring not found"));
                }
                None => Other(Value::Int(-1)),
            }
        }
        "count" => {
            let sub = text(req(args, 0, name)?)?;
            let n = if sub.is_empty() {
                s.chars().count() + 1
            } else {
                s.matches(&sub).count()
            };
            Other(Value::from(n))
        }
        "format" => Text(crate::format::str_format(s, args)?),
        "title" => Text(title(s)),
        "capitalize" => {
            let mut c = s.chars();
            Text(match c.next() {
                Some(f) => f
                    .to_uppercase()
                    .chain(c.flat_map(char::to_lowercase))
                    .collect(),
                None => String::new(),
            })
        }
        "isdigit" | "isnumeric" | "isdecimal" => Other(Value::Bool(
            !s.is_empty() && s.chars().all(|c| c.is_numeric()),
        )),
        "isalpha" => Other(Value::Bool(
            !s.is_empty() && s.chars().all(char::is_alphabetic),
        )),
        "isalnum" => Other(Value::Bool(
            !s.is_empty() && s.chars().all(char::is_alphanumeric),
        )),
        "isspace" => Other(Value::Bool(
            !s.is_empty() && s.chars().all(char::is_whitespace),
        )),
        "isupper" => Other(Value::Bool(
            s.chars().any(char::is_uppercase) && !s.chars().any(char::is_lowercase),
        )),
        "islower" => Other(Value::Bool(
            s.chars().any(char::is_lowercase) && !s.chars().any(char::is_uppercase),
        )),
        "zfill" => {
            let w = int_arg(0, 0);
            let (sign, rest) = if s.starts_with(['-', '+']) {
                s.split_at(1)
            } else {
                ("", s)
            };
            let n = (w - s.chars().count() as i64).max(0) as usize;
            Text(format!("{sign}{}{rest}", "0".repeat(n)))
        }
        "center" | "ljust" | "rjust" => {
            let w = int_arg(0, 0);
            let fill = opt_text(args, 1)?
                .and_then(|f| f.chars().next())
                .unwrap_or(' ');
            let align = match name {
                "ljust" => '<',
                "rjust" => '>',
                _ => '^',
            };
            Text(pad(s, w, fill, align))
        }
        "encode" => Other(Value::from(s.as_bytes().to_vec())),
        "decode" => Text(s.to_string()),
        "partition" | "rpartition" => {
            let sep = text(req(args, 0, name)?)?;
            let found = if name == "partition" {
                s.find(&sep)
            } else {
                s.rfind(&sep)
            };
            match found {
                Some(p) => Tuple(vec![
                    s[..p].to_string(),
                    sep.clone(),
                    s[p + sep.len()..].to_string(),
                ]),
                None if name == "partition" => {
                    Tuple(vec![s.to_string(), String::new(), String::new()])
                }
                None => Tuple(vec![String::new(), String::new(), s.to_string()]),
            }
        }
        "removeprefix" => {
            let p = text(req(args, 0, name)?)?;
            Text(s.strip_prefix(p.as_str()).unwrap_or(s).to_string())
        }
        "removesuffix" => {
            let p = text(req(args, 0, name)?)?;
            Text(s.strip_suffix(p.as_str()).unwrap_or(s).to_string())
        }
        "expandtabs" => Text(s.replace('\t', &" ".repeat(int_arg(0, 8).max(0) as usize))),
        _ => return Err(crate::builtins::no_attr(&Value::from(s), name)),
    })
}

impl Dict {
    /// `dict(pairs)` from string keys.
    pub fn from_str_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, Value)>) -> Dict {
        let mut d = Dict::new();
        for (k, v) in pairs {
            d.set(k, v);
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: &str, name: &str, args: &[Value]) -> String {
        call(&Value::from(v), name, &Args::new(args))
            .unwrap()
            .to_str()
    }

    #[test]
    fn str_methods() {
        assert_eq!(m(" a b  c ", "split", &[]), "['a', 'b', 'c']");
        assert_eq!(
            m("a,b,,c", "split", &[Value::from(","), Value::Int(1)]),
            "['a', 'b,,c']"
        );
        assert_eq!(
            m("a b c", "rsplit", &[Value::None, Value::Int(1)]),
            "['a b', 'c']"
        );
        assert_eq!(
            m(
                "-",
                "join",
                &[Value::list(vec![Value::from("x"), Value::from("y")])]
            ),
            "x-y"
        );
        assert_eq!(m("hello world", "title", &[]), "Hello World");
        assert_eq!(m("abc", "center", &[Value::Int(6)]), " abc  ");
        assert_eq!(m("ab", "center", &[Value::Int(5)]), "  ab ");
        assert_eq!(m("xxhixx", "strip", &[Value::from("x")]), "hi");
        assert_eq!(
            m("a=b=c", "partition", &[Value::from("=")]),
            "('a', '=', 'b=c')"
        );
        assert_eq!(m("-5", "zfill", &[Value::Int(4)]), "-005");
        assert_eq!(m("héllo", "find", &[Value::from("l")]), "2");
        assert_eq!(
            m("{}-{}", "format", &[Value::Int(1), Value::from("a")]),
            "1-a"
        );
    }

    #[test]
    fn mutating_methods_change_the_named_value() {
        let mut l = Value::list(vec![Value::Int(3), Value::Int(1)]);
        let shared = l.clone();
        call_mut(&mut l, "append", &Args::new(&[Value::Int(2)])).unwrap();
        call_mut(&mut l, "sort", &Args::new(&[])).unwrap();
        assert_eq!(l.to_str(), "[1, 2, 3]");
        assert_eq!(shared.to_str(), "[3, 1]");
        let mut d = Value::dict(Dict::new());
        call_mut(
            &mut d,
            "setdefault",
            &Args::new(&[Value::from("k"), Value::Int(1)]),
        )
        .unwrap();
        assert_eq!(d.to_str(), "{'k': 1}");
        let items = call(&d, "items", &Args::new(&[])).unwrap();
        assert_eq!(items.to_str(), "[('k', 1)]");
    }
}

//! Python's text forms of values: `repr` of floats, strings and bytes, `%`-formatting
//! (`'%(url)s' % {...}`) and `str.format`.

use crate::error::{Error, ErrorKind, Result};
use crate::value::{Args, Value};

/// Appends Python's `repr(f)` (the shortest text that reads back as `f`).
pub(crate) fn write_float_repr(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("nan");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "inf" } else { "-inf" });
        return;
    }
    let (neg, digits, exp) = shortest_digits(f);
    if neg {
        out.push('-');
    }
    if (-4..16).contains(&exp) {
        write_fixed(&digits, exp, out);
    } else {
        write_sci(&digits, exp, out);
    }
}

/// The shortest round-trip digits of `f` and the decimal exponent of the first digit.
fn shortest_digits(f: f64) -> (bool, String, i32) {
    let s = format!("{:e}", f.abs());
    let (mant, exp) = s.split_once('e').unwrap_or((&s, "0"));
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    (f.is_sign_negative(), digits, exp.parse().unwrap_or(0))
}

fn write_fixed(digits: &str, exp: i32, out: &mut String) {
    if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
}

fn write_sci(digits: &str, exp: i32, out: &mut String) {
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    push_exponent(exp, out);
}

fn push_exponent(exp: i32, out: &mut String) {
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let a = exp.unsigned_abs();
    if a < 10 {
        out.push('0');
    }
    out.push_str(&a.to_string());
}

fn is_printable(c: char) -> bool {
    let u = c as u32;
    !(u < 0x20
        || (0x7f..=0xa0).contains(&u)
        || u == 0xad
        || u == 0x1680
        || (0x2000..=0x200f).contains(&u)
        || (0x2028..=0x202f).contains(&u)
        || (0x205f..=0x2064).contains(&u)
        || u == 0x3000
        || u == 0xfeff
        || (0xe000..=0xf8ff).contains(&u)
        || (0xfff9..=0xfffb).contains(&u))
}

/// Appends Python's `repr(s)` for a `str`.
pub(crate) fn write_str_repr(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c => {
                let u = c as u32;
                if u < 0x100 {
                    out.push_str(&format!("\\x{u:02x}"));
                } else if u < 0x10000 {
                    out.push_str(&format!("\\u{u:04x}"));
                } else {
                    out.push_str(&format!("\\U{u:08x}"));
                }
            }
        }
    }
    out.push(quote);
}

/// Appends Python's `repr(b)` for `bytes`.
pub(crate) fn write_bytes_repr(b: &[u8], out: &mut String) {
    let quote = if b.contains(&b'\'') && !b.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    out.push('b');
    out.push(char::from(quote));
    for &c in b {
        match c {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(char::from(c));
            }
            0x20..=0x7e => out.push(char::from(c)),
            c => out.push_str(&format!("\\x{c:02x}")),
        }
    }
    out.push(char::from(quote));
}

/// A parsed format specification (the common part of `%` and `format` specs).
#[derive(Default, Clone, Copy)]
struct Spec {
    fill: Option<char>,
    align: Option<char>,
    sign: Option<char>,
    alt: bool,
    zero: bool,
    width: usize,
    grouping: Option<char>,
    precision: Option<usize>,
    kind: Option<char>,
}

fn pad(body: String, spec: &Spec, default_align: char) -> String {
    let len = body.chars().count();
    if len >= spec.width {
        return body;
    }
    let n = spec.width - len;
    let fill = spec.fill.unwrap_or(' ');
    match spec.align.unwrap_or(default_align) {
        '<' => body + &fill.to_string().repeat(n),
        '^' => {
            let left = n / 2;
            fill.to_string().repeat(left) + &body + &fill.to_string().repeat(n - left)
        }
        '=' => {
            let (sign, rest) = split_sign(&body);
            sign.to_string() + &fill.to_string().repeat(n) + rest
        }
        _ => fill.to_string().repeat(n) + &body,
    }
}

fn split_sign(s: &str) -> (&str, &str) {
    if s.starts_with(['-', '+', ' ']) {
        s.split_at(1)
    } else {
        (s.get(..0).unwrap_or(""), s)
    }
}

fn group(int_digits: &str, sep: char) -> String {
    let mut out = String::new();
    let n = int_digits.len();
    for (i, c) in int_digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

fn format_number(v: &Value, spec: &Spec, kind: char) -> Result<String> {
    let sign_of = |neg: bool| -> &str {
        if neg {
            "-"
        } else {
            match spec.sign {
                Some('+') => "+",
                Some(' ') => " ",
                _ => "",
            }
        }
    };
    let body = match kind {
        'd' | 'i' | 'u' | 'x' | 'X' | 'o' | 'b' | 'c' | 'n' => {
            let i = match v {
                Value::Float(f) if kind == 'd' || kind == 'i' || kind == 'u' => {
                    if f.is_finite() {
                        f.trunc() as i64
                    } else {
                        return Err(Error::new(
                            ErrorKind::Overflow,
                            "cannot convert float infinity to integer",
                        ));
                    }
                }
                other => other.as_int().ok_or_else(|| {
                    Error::type_error(format!(
                        "%{kind} format: a real number is required, not {}",
                        other.type_name()
                    ))
                })?,
            };
            if kind == 'c' {
                return Ok(char::from_u32(u32::try_from(i).unwrap_or(0xfffd))
                    .unwrap_or('\u{fffd}')
                    .to_string());
            }
            let a = i.unsigned_abs();
            let digits = match kind {
                'x' => format!("{a:x}"),
                'X' => format!("{a:X}"),
                'o' => format!("{a:o}"),
                'b' => format!("{a:b}"),
                _ => a.to_string(),
            };
            let prefix = if spec.alt {
                match kind {
                    'x' => "0x",
                    'X' => "0X",
                    'o' => "0o",
                    'b' => "0b",
                    _ => "",
                }
            } else {
                ""
            };
            let digits = match spec.grouping {
                Some(sep) => group(&digits, sep),
                None => digits,
            };
            format!("{}{prefix}{digits}", sign_of(i < 0))
        }
        'f' | 'F' | 'e' | 'E' | 'g' | 'G' | '%' => {
            let f = v.as_float().ok_or_else(|| {
                Error::type_error(format!("must be real number, not {}", v.type_name()))
            })?;
            let neg = f.is_sign_negative() && !(f == 0.0 && kind == '%');
            let a = f.abs();
            let p = spec.precision.unwrap_or(6);
            let mut s = if !a.is_finite() {
                let t = if a.is_nan() { "nan" } else { "inf" };
                if kind.is_ascii_uppercase() {
                    t.to_uppercase()
                } else {
                    t.to_string()
                }
            } else {
                match kind {
                    'f' | 'F' => format!("{a:.p$}"),
                    '%' => format!("{:.p$}%", a * 100.0),
                    'e' | 'E' => sci(a, p, kind == 'E'),
                    _ => general(a, p, spec.alt, kind == 'G'),
                }
            };
            if let Some(sep) = spec.grouping {
                let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
                s = group(&s[..end], sep) + &s[end..];
            }
            format!("{}{s}", sign_of(neg && !(a.is_nan())))
        }
        _ => {
            return Err(Error::value_error(format!(
                "Unknown format code '{kind}' for object of type '{}'",
                v.type_name()
            )));
        }
    };
    if spec.zero && spec.align.is_none() {
        let z = Spec {
            fill: Some('0'),
            align: Some('='),
            ..*spec
        };
        return Ok(pad(body, &z, '>'));
    }
    Ok(pad(body, spec, '>'))
}

fn sci(a: f64, p: usize, upper: bool) -> String {
    let s = format!("{a:.p$e}");
    let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
    let mut out = m.to_string();
    push_exponent(e.parse().unwrap_or(0), &mut out);
    if upper {
        out = out.to_uppercase();
    }
    out
}

fn general(a: f64, p: usize, alt: bool, upper: bool) -> String {
    let p = p.max(1);
    if a == 0.0 {
        return if alt {
            format!("{:.*}", p - 1, 0.0)
        } else {
            "0".to_string()
        };
    }
    let s = format!("{:.*e}", p - 1, a);
    let exp: i32 = s
        .split_once('e')
        .and_then(|(_, e)| e.parse().ok())
        .unwrap_or(0);
    let mut out = if exp >= -4 && exp < p as i32 {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        let mut t = format!("{a:.decimals$}");
        if !alt && t.contains('.') {
            t = t.trim_end_matches('0').trim_end_matches('.').to_string();
        }
        t
    } else {
        let t = sci(a, p - 1, false);
        if alt {
            t
        } else {
            let (m, e) = t.split_once('e').unwrap_or((&t, ""));
            let m = if m.contains('.') {
                m.trim_end_matches('0').trim_end_matches('.')
            } else {
                m
            };
            format!("{m}e{e}")
        }
    };
    if upper {
        out = out.to_uppercase();
    }
    out
}

fn format_text(s: &str, spec: &Spec) -> String {
    let s = match spec.precision {
        Some(p) => s.chars().take(p).collect(),
        None => s.to_string(),
    };
    pad(s, spec, '<')
}

/// `fmt % args` for `str` (and bytes, through their text).
pub(crate) fn percent_format(fmt: &str, args: &Value) -> Result<String> {
    let (positional, mapping): (Vec<Value>, Option<&Value>) = match args {
        Value::Tuple(items) => (items.to_vec(), None),
        Value::Dict(_) => (vec![args.clone()], Some(args)),
        Value::Object(_) => (vec![args.clone()], Some(args)),
        other => (vec![other.clone()], None),
    };
    let mut next = 0usize;
    let mut used_mapping = false;
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut chars = fmt.char_indices().peekable();
    let incomplete = || Error::value_error("incomplete format");
    while let Some((_, c)) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut spec = Spec::default();
        let mut key: Option<String> = None;
        if let Some(&(_, '(')) = chars.peek() {
            chars.next();
            let mut depth = 1;
            let mut k = String::new();
            for (_, c) in chars.by_ref() {
                if c == '(' {
                    depth += 1;
                } else if c == ')' {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                k.push(c);
            }
            if depth != 0 {
                return Err(Error::value_error("incomplete format key"));
            }
            key = Some(k);
        }
        while let Some(&(_, f)) = chars.peek() {
            match f {
                '-' => spec.align = Some('<'),
                '+' => spec.sign = Some('+'),
                ' ' => {
                    if spec.sign.is_none() {
                        spec.sign = Some(' ')
                    }
                }
                '#' => spec.alt = true,
                '0' => spec.zero = true,
                _ => break,
            }
            chars.next();
        }
        let take_num = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>| {
            let mut n: Option<usize> = None;
            while let Some(&(_, d)) = chars.peek() {
                if let Some(v) = d.to_digit(10) {
                    n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(v as usize));
                    chars.next();
                } else {
                    break;
                }
            }
            n
        };
        spec.width = take_num(&mut chars).unwrap_or(0);
        if let Some(&(_, '.')) = chars.peek() {
            chars.next();
            spec.precision = Some(take_num(&mut chars).unwrap_or(0));
        }
        while let Some(&(_, 'l' | 'h' | 'L')) = chars.peek() {
            chars.next();
        }
        let (_, kind) = chars.next().ok_or_else(incomplete)?;
        if kind == '%' && key.is_none() {
            out.push('%');
            continue;
        }
        let value = match &key {
            Some(k) => {
                used_mapping = true;
                let m = mapping.ok_or_else(|| Error::type_error("format requires a mapping"))?;
                crate::builtins::get_item(m, &Value::from(k.as_str()))?
            }
            None => {
                let v = positional
                    .get(next)
                    .cloned()
                    .ok_or_else(|| Error::type_error("not enough arguments for format string"))?;
                next += 1;
                v
            }
        };
        if spec.zero && spec.align == Some('<') {
            spec.zero = false;
        }
        let piece = match kind {
            's' => format_text(
                &value.to_str(),
                &Spec {
                    align: spec.align.or(Some('>')),
                    ..spec
                },
            ),
            'r' | 'a' => format_text(
                &value.repr(),
                &Spec {
                    align: spec.align.or(Some('>')),
                    ..spec
                },
            ),
            '%' => pad("%".to_string(), &spec, '>'),
            k => {
                if let Value::Str(_) = value {
                    return Err(Error::type_error(format!(
                        "%{k} format: a real number is required, not str"
                    )));
                }
                format_number(&value, &spec, k).map_err(|e| {
                    if e.message().starts_with("Unknown format code") {
                        Error::value_error(format!(
                            "unsupported format character '{k}' (0x{:x})",
                            k as u32
                        ))
                    } else {
                        e
                    }
                })?
            }
        };
        out.push_str(&piece);
    }
    if !used_mapping && mapping.is_none() && next < positional.len() {
        return Err(Error::type_error(
            "not all arguments converted during string formatting",
        ));
    }
    Ok(out)
}

fn parse_format_spec(s: &str) -> Result<Spec> {
    let mut spec = Spec::default();
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    let is_align = |c: char| matches!(c, '<' | '>' | '^' | '=');
    if chars.len() >= 2 && is_align(chars[1]) {
        spec.fill = Some(chars[0]);
        spec.align = Some(chars[1]);
        i = 2;
    } else if !chars.is_empty() && is_align(chars[0]) {
        spec.align = Some(chars[0]);
        i = 1;
    }
    if let Some(&c) = chars.get(i)
        && matches!(c, '+' | '-' | ' ')
    {
        spec.sign = Some(c);
        i += 1;
    }
    if chars.get(i) == Some(&'#') {
        spec.alt = true;
        i += 1;
    }
    if chars.get(i) == Some(&'0') {
        spec.zero = true;
        i += 1;
    }
    let mut width = String::new();
    while let Some(c) = chars.get(i).filter(|c| c.is_ascii_digit()) {
        width.push(*c);
        i += 1;
    }
    spec.width = width.parse().unwrap_or(0);
    if let Some(&c) = chars.get(i)
        && (c == ',' || c == '_')
    {
        spec.grouping = Some(c);
        i += 1;
    }
    if chars.get(i) == Some(&'.') {
        i += 1;
        let mut p = String::new();
        while let Some(c) = chars.get(i).filter(|c| c.is_ascii_digit()) {
            p.push(*c);
            i += 1;
        }
        spec.precision = Some(
            p.parse()
                .map_err(|_| Error::value_error("Format specifier missing precision"))?,
        );
    }
    if let Some(&c) = chars.get(i) {
        spec.kind = Some(c);
        i += 1;
    }
    if i != chars.len() {
        return Err(Error::value_error("Invalid format specifier"));
    }
    Ok(spec)
}

/// `format(value, spec)`.
pub(crate) fn format_value(value: &Value, spec: &str) -> Result<String> {
    let spec = parse_format_spec(spec)?;
    match (value, spec.kind) {
        (Value::Str(s), None | Some('s')) => Ok(format_text(s, &spec)),
        (Value::Int(_) | Value::Bool(_), None) => {
            if matches!(value, Value::Bool(_)) && spec.width == 0 {
                return Ok(value.to_str());
            }
            format_number(value, &spec, 'd')
        }
        (Value::Float(f), None) => {
            if spec.precision.is_some() {
                let mut s = format_number(value, &spec, 'g')?;
                if !s.contains(['.', 'e', 'n', 'i']) {
                    s.push_str(".0");
                }
                Ok(s)
            } else {
                let mut r = String::new();
                if !f.is_sign_negative() && spec.sign == Some('+') {
                    r.push('+');
                }
                write_float_repr(*f, &mut r);
                Ok(pad(r, &spec, '>'))
            }
        }
        (Value::Int(_) | Value::Float(_) | Value::Bool(_), Some(k)) => {
            format_number(value, &spec, k)
        }
        (Value::Object(o), _) => {
            if let Ok(v) = o.call_method("__format__", &Args::new(&[Value::from(String::new())])) {
                return Ok(v.to_str());
            }
            Ok(format_text(&value.to_str(), &spec))
        }
        (other, None) => Ok(format_text(&other.to_str(), &spec)),
        (other, Some(k)) => Err(Error::value_error(format!(
            "Unknown format code '{k}' for object of type '{}'",
            other.type_name()
        ))),
    }
}

/// `fmt.format(*args, **kwargs)`.
pub(crate) fn str_format(fmt: &str, args: &Args<'_>) -> Result<String> {
    let mut out = String::with_capacity(fmt.len() + 16);
    let mut auto = 0usize;
    let mut rest = fmt;
    while let Some(i) = rest.find(['{', '}']) {
        out.push_str(&rest[..i]);
        let c = rest.as_bytes()[i];
        let after = &rest[i + 1..];
        if c == b'}' {
            if let Some(r) = after.strip_prefix('}') {
                out.push('}');
                rest = r;
                continue;
            }
            return Err(Error::value_error(
                "Single '}' encountered in format string",
            ));
        }
        if let Some(r) = after.strip_prefix('{') {
            out.push('{');
            rest = r;
            continue;
        }
        let end = after
            .find('}')
            .ok_or_else(|| Error::value_error("Single '{' encountered in format string"))?;
        let field = &after[..end];
        rest = &after[end + 1..];
        let (field, spec) = match field.find(':') {
            Some(j) => (&field[..j], &field[j + 1..]),
            None => (field, ""),
        };
        let (field, conv) = match field.find('!') {
            Some(j) => (&field[..j], Some(&field[j + 1..])),
            None => (field, None),
        };
        let name_end = field.find(['.', '[']).unwrap_or(field.len());
        let name = &field[..name_end];
        let mut value = if name.is_empty() {
            let v = args.get(auto).cloned().ok_or_else(|| {
                Error::new(
                    ErrorKind::Index,
                    format!("Replacement index {auto} out of range for positional args tuple"),
                )
            })?;
            auto += 1;
            v
        } else if let Ok(n) = name.parse::<usize>() {
            args.get(n).cloned().ok_or_else(|| {
                Error::new(
                    ErrorKind::Index,
                    format!("Replacement index {n} out of range for positional args tuple"),
                )
            })?
        } else {
            args.kwarg(name)
                .cloned()
                .ok_or_else(|| Error::new(ErrorKind::Key, format!("'{name}'")))?
        };
        let mut path = &field[name_end..];
        while !path.is_empty() {
            if let Some(p) = path.strip_prefix('.') {
                let e = p.find(['.', '[']).unwrap_or(p.len());
                value = crate::builtins::get_attr(&value, &p[..e])?;
                path = &p[e..];
            } else if let Some(p) = path.strip_prefix('[') {
                let e = p
                    .find(']')
                    .ok_or_else(|| Error::value_error("Missing ']' in format string"))?;
                let k = &p[..e];
                let key = k.parse::<i64>().map_or_else(|_| Value::from(k), Value::Int);
                value = crate::builtins::get_item(&value, &key)?;
                path = &p[e + 1..];
            } else {
                return Err(Error::value_error(
                    "Only '.' or '[' may follow ']' in format field specifier",
                ));
            }
        }
        match conv {
            Some("r") | Some("a") => value = Value::from(value.repr()),
            Some("s") => value = Value::from(value.to_str()),
            None => {}
            Some(c) => {
                return Err(Error::value_error(format!(
                    "Unknown conversion specifier {c}"
                )));
            }
        }
        out.push_str(&format_value(&value, spec)?);
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repr(f: f64) -> String {
        let mut s = String::new();
        write_float_repr(f, &mut s);
        s
    }

    #[test]
    fn float_repr_matches_python() {
        assert_eq!(repr(1.0), "1.0");
        assert_eq!(repr(0.1), "0.1");
        assert_eq!(repr(-0.0), "-0.0");
        assert_eq!(repr(1e16), "1e+16");
        assert_eq!(repr(1234567890123456.0), "1234567890123456.0");
        assert_eq!(repr(0.0001), "0.0001");
        assert_eq!(repr(0.00001), "1e-05");
        assert_eq!(repr(1.5e-7), "1.5e-07");
        assert_eq!(repr(2.5e100), "2.5e+100");
        assert_eq!(repr(f64::NAN), "nan");
        assert_eq!(repr(f64::NEG_INFINITY), "-inf");
        assert_eq!(repr(1.0 / 3.0), "0.3333333333333333");
    }

    #[test]
    fn string_repr_quotes_like_python() {
        let r = |s: &str| {
            let mut o = String::new();
            write_str_repr(s, &mut o);
            o
        };
        assert_eq!(r("a"), "'a'");
        assert_eq!(r("it's"), "\"it's\"");
        assert_eq!(r("'\""), "'\\'\"'");
        assert_eq!(r("a\nb\\\u{1}"), "'a\\nb\\\\\\x01'");
        assert_eq!(r("é"), "'é'");
    }

    #[test]
    fn percent_formatting() {
        let mut d = crate::Dict::new();
        d.set("url", "/x");
        let v = Value::dict(d);
        assert_eq!(
            percent_format("<a href=\"%(url)s\">", &v).unwrap(),
            "<a href=\"/x\">"
        );
        let t = Value::tuple(vec![Value::Int(5), Value::Float(2.5), Value::from("s")]);
        assert_eq!(
            percent_format("%03d|%.2f|%-3s|%%", &t).unwrap(),
            "005|2.50|s  |%"
        );
        assert_eq!(percent_format("%s", &Value::Int(1)).unwrap(), "1");
        assert_eq!(
            percent_format(
                "%x %r",
                &Value::tuple(vec![Value::Int(255), Value::from("a")])
            )
            .unwrap(),
            "ff 'a'"
        );
        assert!(percent_format("%s %s", &Value::Int(1)).is_err());
        assert!(percent_format("%s", &Value::tuple(vec![Value::Int(1), Value::Int(2)])).is_err());
        assert_eq!(
            percent_format("%e", &Value::Float(12345.678)).unwrap(),
            "1.234568e+04"
        );
        assert_eq!(
            percent_format("%g", &Value::Float(0.00001)).unwrap(),
            "1e-05"
        );
        assert_eq!(percent_format("%g", &Value::Float(123.0)).unwrap(), "123");
    }

    #[test]
    fn str_format_fields() {
        let pos = [Value::from("a"), Value::Int(42)];
        let kw = [(std::sync::Arc::from("x"), Value::Float(1.23456))];
        let args = Args {
            positional: &pos,
            keywords: &kw,
        };
        assert_eq!(str_format("{} {} {{}}", &args).unwrap(), "a 42 {}");
        assert_eq!(
            str_format("{1:>5}|{0!r}|{x:.2f}", &args).unwrap(),
            "   42|'a'|1.23"
        );
        assert_eq!(
            str_format("{1:,}", &Args::new(&[Value::None, Value::Int(1234567)])).unwrap(),
            "1,234,567"
        );
        assert_eq!(
            str_format("{:^7}", &Args::new(&[Value::from("mid")])).unwrap(),
            "  mid  "
        );
        assert_eq!(
            str_format("{:05.1f}", &Args::new(&[Value::Float(-2.25)])).unwrap(),
            "-02.2"
        );
        assert!(str_format("{2}", &args).is_err());
    }
}

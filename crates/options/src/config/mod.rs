//! Config files: Tornado executes them as Python; we read the subset of Python that
//! config files use, and run no code. See the crate docs, "Config files".

mod lexer;

use std::collections::HashMap;
use std::rc::Rc;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

use self::lexer::{ConfigError, Tok, Token, tokenize};
use crate::parse::{micros_from_f64, timedelta_from_micros};
use crate::value::Value;

/// Deepest nesting of brackets and unary operators.
const MAX_DEPTH: usize = 100;
/// How much `+` on strings, bytes, lists and tuples may build in one file, in bytes or
/// items: this plus 16 times the file's size. Keeps `a = a + a` lines from taking
/// exponential, and long runs of `b = a + 'x'` quadratic, time and memory.
const CONCAT_ALLOWANCE: usize = 1 << 20;

/// A value computed from a config file.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lit {
    None,
    Bool(bool),
    Int(i128),
    Float(f64),
    Str(Rc<str>),
    Bytes(Rc<[u8]>),
    List(Rc<[Lit]>),
    Tuple(Rc<[Lit]>),
    DateTime(NaiveDateTime),
    TimeDelta(chrono::TimeDelta),
}

impl Lit {
    pub(crate) fn as_str(&self) -> Option<&str> {
        match self {
            Lit::Str(s) => Some(s),
            _ => None,
        }
    }

    pub(crate) fn is_list(&self) -> bool {
        matches!(self, Lit::List(_) | Lit::Tuple(_))
    }

    fn type_name(&self) -> &'static str {
        match self {
            Lit::None => "NoneType",
            Lit::Bool(_) => "bool",
            Lit::Int(_) => "int",
            Lit::Float(_) => "float",
            Lit::Str(_) => "str",
            Lit::Bytes(_) => "bytes",
            Lit::List(_) => "list",
            Lit::Tuple(_) => "tuple",
            Lit::DateTime(_) => "datetime",
            Lit::TimeDelta(_) => "timedelta",
        }
    }

    /// The option value; tuples become lists.
    pub(crate) fn to_value(&self) -> Result<Value, String> {
        Ok(match self {
            Lit::None => Value::None,
            Lit::Bool(b) => Value::Bool(*b),
            Lit::Int(i) => Value::Int(
                i64::try_from(*i)
                    .map_err(|_| format!("the integer {i} does not fit in 64 bits"))?,
            ),
            Lit::Float(x) => Value::Float(*x),
            Lit::Str(s) => Value::Str(s.to_string()),
            Lit::Bytes(_) => return Err("bytes values are not supported; use a str".into()),
            Lit::List(items) | Lit::Tuple(items) => {
                Value::List(items.iter().map(Lit::to_value).collect::<Result<_, _>>()?)
            }
            Lit::DateTime(d) => Value::DateTime(*d),
            Lit::TimeDelta(d) => Value::TimeDelta(*d),
        })
    }
}

enum Num {
    I(i128),
    F(f64),
}

fn num(l: &Lit) -> Option<Num> {
    match l {
        Lit::Int(i) => Some(Num::I(*i)),
        Lit::Bool(b) => Some(Num::I(i128::from(*b))),
        Lit::Float(x) => Some(Num::F(*x)),
        _ => None,
    }
}

fn py_div_floor(x: i128, y: i128) -> Option<i128> {
    let q = x.checked_div(y)?;
    if x % y != 0 && ((x < 0) != (y < 0)) {
        q.checked_sub(1)
    } else {
        Some(q)
    }
}

fn py_mod(x: i128, y: i128) -> Option<i128> {
    let r = x.checked_rem(y)?;
    if r != 0 && ((r < 0) != (y < 0)) {
        Some(r + y)
    } else {
        Some(r)
    }
}

fn float_mod(x: f64, y: f64) -> f64 {
    let r = x % y;
    if r != 0.0 && ((r < 0.0) != (y < 0.0)) {
        r + y
    } else {
        r
    }
}

fn arith(op: &str, a: &Lit, b: &Lit, budget: &mut usize) -> Result<Lit, String> {
    let unsupported = || {
        format!(
            "unsupported operand types for {op}: '{}' and '{}'",
            a.type_name(),
            b.type_name()
        )
    };
    if op == "+" {
        let len = match (a, b) {
            (Lit::Str(x), Lit::Str(y)) => Some(x.len() + y.len()),
            (Lit::Bytes(x), Lit::Bytes(y)) => Some(x.len() + y.len()),
            (Lit::List(x), Lit::List(y)) | (Lit::Tuple(x), Lit::Tuple(y)) => {
                Some(x.len() + y.len())
            }
            _ => None,
        };
        if let Some(len) = len {
            *budget = budget.checked_sub(len).ok_or_else(|| {
                "the values this config file builds with + are too large".to_owned()
            })?;
            return Ok(match (a, b) {
                (Lit::Str(x), Lit::Str(y)) => Lit::Str(format!("{x}{y}").into()),
                (Lit::Bytes(x), Lit::Bytes(y)) => Lit::Bytes([&x[..], &y[..]].concat().into()),
                (Lit::List(x), Lit::List(y)) => Lit::List([&x[..], &y[..]].concat().into()),
                (Lit::Tuple(x), Lit::Tuple(y)) => Lit::Tuple([&x[..], &y[..]].concat().into()),
                _ => return Err(unsupported()),
            });
        }
    }
    let (Some(x), Some(y)) = (num(a), num(b)) else {
        return Err(unsupported());
    };
    let overflow = || "integer overflow".to_owned();
    let zero = || "division by zero".to_owned();
    match (x, y) {
        (Num::I(x), Num::I(y)) => Ok(match op {
            "+" => Lit::Int(x.checked_add(y).ok_or_else(overflow)?),
            "-" => Lit::Int(x.checked_sub(y).ok_or_else(overflow)?),
            "*" => Lit::Int(x.checked_mul(y).ok_or_else(overflow)?),
            "/" if y == 0 => return Err(zero()),
            "/" => Lit::Float(x as f64 / y as f64),
            "//" if y == 0 => return Err(zero()),
            "//" => Lit::Int(py_div_floor(x, y).ok_or_else(overflow)?),
            "%" if y == 0 => return Err(zero()),
            "%" => Lit::Int(py_mod(x, y).ok_or_else(overflow)?),
            "**" if y < 0 => Lit::Float((x as f64).powf(y as f64)),
            "**" => Lit::Int(
                u32::try_from(y)
                    .ok()
                    .and_then(|e| x.checked_pow(e))
                    .ok_or_else(overflow)?,
            ),
            _ => return Err(unsupported()),
        }),
        (x, y) => {
            let f = |n: Num| match n {
                Num::I(i) => i as f64,
                Num::F(f) => f,
            };
            let (x, y) = (f(x), f(y));
            if y == 0.0 && matches!(op, "/" | "//" | "%") {
                return Err(zero());
            }
            Ok(Lit::Float(match op {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "/" => x / y,
                "//" => (x / y).floor(),
                "%" => float_mod(x, y),
                "**" => x.powf(y),
                _ => return Err(unsupported()),
            }))
        }
    }
}

/// Python's keywords that start statements we do not run.
const STATEMENT_KEYWORDS: [&str; 22] = [
    "if", "elif", "else", "for", "while", "def", "class", "with", "try", "except", "finally",
    "del", "global", "nonlocal", "return", "raise", "assert", "lambda", "async", "await", "yield",
    "break",
];

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    depth: usize,
    file: &'a str,
    /// What `+` may still build (see [`CONCAT_ALLOWANCE`]).
    budget: usize,
    assigned: Vec<(String, Lit, usize)>,
    index: HashMap<String, usize>,
}

type PResult<T> = Result<T, ConfigError>;

impl Parser<'_> {
    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).map_or(&Tok::End, |t| &t.tok)
    }

    fn peek_at(&self, k: usize) -> &Tok {
        self.toks.get(self.pos + k).map_or(&Tok::End, |t| &t.tok)
    }

    fn line(&self) -> usize {
        self.toks
            .get(self.pos)
            .or(self.toks.last())
            .map_or(1, |t| t.line)
    }

    fn next(&mut self) -> Tok {
        let tok = self.peek().clone();
        self.pos += 1;
        tok
    }

    fn err<T>(&self, message: impl Into<String>) -> PResult<T> {
        Err((self.line(), message.into()))
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn expect(&mut self, op: &str) -> PResult<()> {
        if self.is_op(op) {
            self.pos += 1;
            Ok(())
        } else {
            self.err(format!("expected '{op}', found {}", describe(self.peek())))
        }
    }

    fn at_statement_end(&self) -> bool {
        matches!(self.peek(), Tok::Newline | Tok::End) || self.is_op(";")
    }

    fn file(&mut self) -> PResult<()> {
        loop {
            match self.peek() {
                Tok::End => return Ok(()),
                Tok::Newline => self.pos += 1,
                _ => {
                    self.statement()?;
                    if self.is_op(";") || matches!(self.peek(), Tok::Newline) {
                        self.pos += 1;
                    } else if !matches!(self.peek(), Tok::End) {
                        return self.err(format!(
                            "expected the end of the statement, found {}",
                            describe(self.peek())
                        ));
                    }
                }
            }
        }
    }

    fn statement(&mut self) -> PResult<()> {
        let line = self.line();
        if matches!(self.peek(), Tok::Indent) {
            return self.err(
                "unexpected indent: a config statement must start at the beginning of its line",
            );
        }
        if let Tok::Name(n) = self.peek() {
            match n.as_str() {
                // `import x` and `from x import y` are skipped: they bind nothing we read.
                "import" | "from" => {
                    while !self.at_statement_end() {
                        self.pos += 1;
                    }
                    return Ok(());
                }
                "pass" => {
                    self.pos += 1;
                    return Ok(());
                }
                k if STATEMENT_KEYWORDS.contains(&k) => {
                    return self.err(format!(
                        "'{k}' statements are not supported: config files hold assignments of literal values"
                    ));
                }
                _ => {}
            }
        }
        let mut targets = Vec::new();
        while let (Tok::Name(n), Tok::Op("=")) = (self.peek(), self.peek_at(1)) {
            if matches!(n.as_str(), "True" | "False" | "None") {
                return self.err(format!("cannot assign to {n}"));
            }
            targets.push(n.clone());
            self.pos += 2;
        }
        let value = self.expr_list()?;
        if self.is_op("=") {
            return self.err("only plain names can be assigned to");
        }
        for name in targets {
            self.assign(name, value.clone(), line);
        }
        Ok(())
    }

    fn assign(&mut self, name: String, value: Lit, line: usize) {
        match self.index.get(&name) {
            Some(&i) => {
                if let Some(slot) = self.assigned.get_mut(i) {
                    slot.1 = value;
                    slot.2 = line;
                }
            }
            None => {
                self.index.insert(name.clone(), self.assigned.len());
                self.assigned.push((name, value, line));
            }
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err("the expression is nested too deeply");
        }
        Ok(())
    }

    /// `a, b, c` without brackets is a tuple.
    fn expr_list(&mut self) -> PResult<Lit> {
        let first = self.expr()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.is_op(",") {
            self.pos += 1;
            if self.at_statement_end() || self.is_op("=") {
                break;
            }
            items.push(self.expr()?);
        }
        Ok(Lit::Tuple(items.into()))
    }

    fn binary(&mut self, ops: &[&str], operand: fn(&mut Self) -> PResult<Lit>) -> PResult<Lit> {
        let mut left = operand(self)?;
        loop {
            let op = match self.peek() {
                Tok::Op(o) if ops.contains(o) => *o,
                _ => return Ok(left),
            };
            let line = self.line();
            self.pos += 1;
            let right = operand(self)?;
            left = arith(op, &left, &right, &mut self.budget).map_err(|e| (line, e))?;
        }
    }

    fn expr(&mut self) -> PResult<Lit> {
        self.binary(&["+", "-"], |p| {
            p.binary(&["*", "/", "//", "%"], Self::factor)
        })
    }

    fn factor(&mut self) -> PResult<Lit> {
        if let Tok::Op(op @ ("-" | "+")) = self.peek() {
            let op = *op;
            self.enter()?;
            self.pos += 1;
            let v = self.factor()?;
            self.depth -= 1;
            return match (op, num(&v)) {
                ("+", Some(Num::I(i))) => Ok(Lit::Int(i)),
                ("+", Some(Num::F(f))) => Ok(Lit::Float(f)),
                ("-", Some(Num::I(i))) => {
                    Ok(Lit::Int(i.checked_neg().ok_or_else(|| {
                        (self.line(), "integer overflow".to_owned())
                    })?))
                }
                ("-", Some(Num::F(f))) => Ok(Lit::Float(-f)),
                _ => self.err(format!(
                    "bad operand type for unary {op}: '{}'",
                    v.type_name()
                )),
            };
        }
        let base = self.primary()?;
        if self.is_op("**") {
            let line = self.line();
            self.pos += 1;
            let exp = self.factor()?;
            return arith("**", &base, &exp, &mut self.budget).map_err(|e| (line, e));
        }
        Ok(base)
    }

    fn primary(&mut self) -> PResult<Lit> {
        let line = self.line();
        match self.next() {
            Tok::Int(i) => Ok(Lit::Int(i)),
            Tok::Float(x) => Ok(Lit::Float(x)),
            Tok::Str(s) => {
                let mut s = s;
                while let Tok::Str(more) = self.peek() {
                    s.push_str(more);
                    self.pos += 1;
                }
                if matches!(self.peek(), Tok::Bytes(_)) {
                    return self.err("cannot mix bytes and nonbytes literals");
                }
                Ok(Lit::Str(s.into()))
            }
            Tok::Bytes(b) => {
                let mut b = b;
                while let Tok::Bytes(more) = self.peek() {
                    b.extend_from_slice(more);
                    self.pos += 1;
                }
                if matches!(self.peek(), Tok::Str(_)) {
                    return self.err("cannot mix bytes and nonbytes literals");
                }
                Ok(Lit::Bytes(b.into()))
            }
            Tok::Name(n) => self.name(n, line),
            Tok::Op("(") => {
                self.enter()?;
                let v = if self.is_op(")") {
                    Lit::Tuple(Rc::from([]))
                } else {
                    let first = self.expr()?;
                    if self.is_op(",") {
                        let mut items = vec![first];
                        items.extend(self.items(")")?);
                        Lit::Tuple(items.into())
                    } else {
                        first
                    }
                };
                self.expect(")")?;
                self.depth -= 1;
                Ok(v)
            }
            Tok::Op("[") => {
                self.enter()?;
                let mut items = Vec::new();
                if !self.is_op("]") {
                    items.push(self.expr()?);
                    items.extend(self.items("]")?);
                }
                self.expect("]")?;
                self.depth -= 1;
                Ok(Lit::List(items.into()))
            }
            Tok::Op("{") => Err((
                line,
                "dicts and sets are not supported in config files".into(),
            )),
            other => Err((
                line,
                format!("expected a value, found {}", describe(&other)),
            )),
        }
    }

    /// `, x, y [,]` up to (not including) `close`.
    fn items(&mut self, close: &str) -> PResult<Vec<Lit>> {
        let mut items = Vec::new();
        while self.is_op(",") {
            self.pos += 1;
            if self.is_op(close) {
                break;
            }
            items.push(self.expr()?);
        }
        Ok(items)
    }

    fn name(&mut self, name: String, line: usize) -> PResult<Lit> {
        if self.is_op(".") || self.is_op("(") {
            let mut path = vec![name];
            while self.is_op(".") {
                self.pos += 1;
                match self.next() {
                    Tok::Name(n) => path.push(n),
                    other => {
                        return Err((
                            line,
                            format!("expected a name after '.', found {}", describe(&other)),
                        ));
                    }
                }
            }
            if !self.is_op("(") {
                return Err((
                    line,
                    format!(
                        "attribute access ({}) is not supported in config files",
                        path.join(".")
                    ),
                ));
            }
            let callee = path.join(".");
            return match callee.as_str() {
                "datetime" | "datetime.datetime" => self.call_datetime(line),
                "timedelta" | "datetime.timedelta" => self.call_timedelta(line),
                _ => Err((
                    line,
                    format!(
                        "cannot call {callee}(): config files may call only datetime() and timedelta(), and no other code"
                    ),
                )),
            };
        }
        match name.as_str() {
            "True" => Ok(Lit::Bool(true)),
            "False" => Ok(Lit::Bool(false)),
            "None" => Ok(Lit::None),
            "__file__" => Ok(Lit::Str(self.file.into())),
            _ => match self.index.get(&name).and_then(|&i| self.assigned.get(i)) {
                Some((_, v, _)) => Ok(v.clone()),
                None => Err((
                    line,
                    format!(
                        "name '{name}' is not defined (only names assigned earlier in the file can be used)"
                    ),
                )),
            },
        }
    }

    /// The arguments of a call: positional, then keyword.
    fn call_args(&mut self, params: &[&str], line: usize) -> PResult<Vec<Option<Lit>>> {
        self.expect("(")?;
        self.enter()?;
        let mut args: Vec<Option<Lit>> = vec![None; params.len()];
        let mut positional = 0;
        while !self.is_op(")") {
            if let (Tok::Name(n), Tok::Op("=")) = (self.peek(), self.peek_at(1)) {
                let n = n.clone();
                self.pos += 2;
                let Some(slot) = params.iter().position(|p| *p == n) else {
                    return Err((line, format!("'{n}' is an invalid keyword argument")));
                };
                if args[slot].is_some() {
                    return Err((line, format!("argument '{n}' given twice")));
                }
                args[slot] = Some(self.expr()?);
            } else {
                let Some(slot) = args.get_mut(positional) else {
                    return Err((
                        line,
                        format!("too many arguments (at most {})", params.len()),
                    ));
                };
                *slot = Some(self.expr()?);
                positional += 1;
            }
            if !self.is_op(",") {
                break;
            }
            self.pos += 1;
        }
        self.expect(")")?;
        self.depth -= 1;
        Ok(args)
    }

    fn call_datetime(&mut self, line: usize) -> PResult<Lit> {
        const PARAMS: [&str; 7] = [
            "year",
            "month",
            "day",
            "hour",
            "minute",
            "second",
            "microsecond",
        ];
        let args = self.call_args(&PARAMS, line)?;
        let mut v = [0u32; 7];
        for (i, arg) in args.iter().enumerate() {
            v[i] = match arg {
                Some(Lit::Int(n)) => u32::try_from(*n)
                    .map_err(|_| (line, format!("datetime {} out of range", PARAMS[i])))?,
                Some(other) => {
                    return Err((
                        line,
                        format!(
                            "datetime() {} must be an int, not {}",
                            PARAMS[i],
                            other.type_name()
                        ),
                    ));
                }
                None if i < 3 => {
                    return Err((line, format!("datetime() missing argument '{}'", PARAMS[i])));
                }
                None => 0,
            };
        }
        let year = i32::try_from(v[0]).ok().filter(|y| (1..=9999).contains(y));
        let date = year.and_then(|y| NaiveDate::from_ymd_opt(y, v[1], v[2]));
        let time = NaiveTime::from_hms_micro_opt(v[3], v[4], v[5], v[6])
            .filter(|_| v[5] < 60 && v[6] < 1_000_000);
        match (date, time) {
            (Some(d), Some(t)) => Ok(Lit::DateTime(NaiveDateTime::new(d, t))),
            _ => Err((line, "datetime() arguments out of range".into())),
        }
    }

    fn call_timedelta(&mut self, line: usize) -> PResult<Lit> {
        const PARAMS: [&str; 7] = [
            "days",
            "seconds",
            "microseconds",
            "milliseconds",
            "minutes",
            "hours",
            "weeks",
        ];
        const MICROS: [i128; 7] = [
            86_400_000_000,
            1_000_000,
            1,
            1_000,
            60_000_000,
            3_600_000_000,
            604_800_000_000,
        ];
        let args = self.call_args(&PARAMS, line)?;
        let mut total: i128 = 0;
        for (i, arg) in args.iter().enumerate() {
            let micros = match arg.as_ref().map(num) {
                None => 0,
                Some(Some(Num::I(n))) => n
                    .checked_mul(MICROS[i])
                    .ok_or_else(|| (line, "timedelta out of range".to_owned()))?,
                Some(Some(Num::F(f))) => {
                    micros_from_f64(f * MICROS[i] as f64).map_err(|e| (line, e))?
                }
                Some(None) => {
                    return Err((line, format!("timedelta() {} must be a number", PARAMS[i])));
                }
            };
            total = total
                .checked_add(micros)
                .ok_or_else(|| (line, "timedelta out of range".to_owned()))?;
        }
        timedelta_from_micros(total)
            .map(Lit::TimeDelta)
            .map_err(|e| (line, e))
    }
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::Name(n) => format!("'{n}'"),
        Tok::Int(_) | Tok::Float(_) => "a number".into(),
        Tok::Str(_) | Tok::Bytes(_) => "a string".into(),
        Tok::Op(o) => format!("'{o}'"),
        Tok::Indent => "an indent".into(),
        Tok::Newline => "the end of the line".into(),
        Tok::End => "the end of the file".into(),
    }
}

/// Reads a config file's statements; returns every assigned name with its final value
/// and the line of its last assignment, in order of first assignment (as Python's
/// globals dict). `file` is the value of `__file__`.
pub(crate) fn parse(source: &str, file: &str) -> Result<Vec<(String, Lit, usize)>, ConfigError> {
    let toks = tokenize(source)?;
    let mut parser = Parser {
        toks: &toks,
        pos: 0,
        depth: 0,
        file,
        budget: CONCAT_ALLOWANCE.saturating_add(source.len().saturating_mul(16)),
        assigned: Vec::new(),
        index: HashMap::new(),
    };
    parser.file()?;
    Ok(parser.assigned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(src: &str) -> Result<Vec<(String, Lit)>, ConfigError> {
        parse(src, "/etc/x.cfg").map(|v| v.into_iter().map(|(n, l, _)| (n, l)).collect())
    }

    fn one(src: &str) -> Lit {
        eval(src)
            .ok()
            .and_then(|v| v.into_iter().last())
            .map_or(Lit::Str("ERROR".into()), |(_, l)| l)
    }

    #[test]
    fn literals() {
        assert_eq!(one("x = 'a' \"b\""), Lit::Str("ab".into()));
        assert_eq!(
            one("x = [1, 2.5, None, True,]"),
            Lit::List(vec![Lit::Int(1), Lit::Float(2.5), Lit::None, Lit::Bool(true)].into())
        );
        assert_eq!(one("x = (1,)"), Lit::Tuple(vec![Lit::Int(1)].into()));
        assert_eq!(
            one("x = 1, 2"),
            Lit::Tuple(vec![Lit::Int(1), Lit::Int(2)].into())
        );
        assert_eq!(one("x = ()"), Lit::Tuple(Rc::from([])));
        assert_eq!(one("x = (3)"), Lit::Int(3));
        assert_eq!(one("x = __file__"), Lit::Str("/etc/x.cfg".into()));
    }

    #[test]
    fn arithmetic() {
        assert_eq!(one("x = 100 * 1000 * 1000"), Lit::Int(100_000_000));
        assert_eq!(one("x = -7 // 2"), Lit::Int(-4));
        assert_eq!(one("x = -7 % 3"), Lit::Int(2));
        assert_eq!(one("x = 7 / 2"), Lit::Float(3.5));
        assert_eq!(one("x = 2 ** 10"), Lit::Int(1024));
        assert_eq!(one("x = -2 ** 2"), Lit::Int(-4));
        assert_eq!(one("x = 1 + 2 * 3"), Lit::Int(7));
        assert_eq!(one("x = (1 + 2) * 3"), Lit::Int(9));
        assert_eq!(one("a = 'x'\nb = a + 'y'"), Lit::Str("xy".into()));
        assert!(eval("x = 1 / 0").is_err());
        assert!(eval("x = 'a' + 1").is_err());
        assert!(eval("x = 2 ** 1000").is_err());
    }

    #[test]
    fn statements() {
        let v = eval("import os\nfrom datetime import (datetime,\n timedelta)\na = b = 1; c = 2\npass\n'doc'\na = 3").unwrap_or_default();
        let names: Vec<&str> = v.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["a", "b", "c"]);
        assert_eq!(v[0].1, Lit::Int(3));
    }

    #[test]
    fn calls() {
        assert_eq!(
            one("x = datetime(2013, 4, 28, 5, 16)")
                .to_value()
                .map(|v| v.to_string()),
            Ok("2013-04-28 05:16:00".into())
        );
        assert_eq!(
            one("x = datetime.timedelta(0, 45)")
                .to_value()
                .map(|v| v.to_string()),
            Ok("0:00:45".into())
        );
        assert_eq!(
            one("x = timedelta(hours=1.5)")
                .to_value()
                .map(|v| v.to_string()),
            Ok("1:30:00".into())
        );
        assert!(eval("x = datetime(2013, 2, 30)").is_err());
        assert!(eval("x = Email('a@b')").is_err());
        assert!(eval("x = os.path.join('a')").is_err());
        assert!(eval("x = os.sep").is_err());
    }

    #[test]
    fn errors_have_lines() {
        assert_eq!(eval("a = 1\nb = undefined").map_err(|e| e.0), Err(2));
        assert_eq!(eval("a = 1\n\nif a:\n  b = 2").map_err(|e| e.0), Err(3));
        assert_eq!(eval("a = {1: 2}").map_err(|e| e.0), Err(1));
        assert_eq!(eval("a = [\n1,\n2 3]").map_err(|e| e.0), Err(3));
        assert_eq!(eval("a + 1 = 2").map_err(|e| e.0), Err(1));
        assert_eq!(eval("True = 2").map_err(|e| e.0), Err(1));
    }

    #[test]
    fn hostile_input_is_an_error() {
        let deep = format!("x = {}1{}", "[".repeat(5000), "]".repeat(5000));
        assert!(eval(&deep).is_err());
        let minus = format!("x = {}1", "-".repeat(5000));
        assert!(eval(&minus).is_err());
        let mut doubling = String::from("a = 'xxxxxxxxxxxxxxxx'\n");
        for _ in 0..40 {
            doubling.push_str("a = a + a\n");
        }
        assert!(eval(&doubling).is_err());
        // Growing by a little on each of many lines is quadratic: stopped too.
        let mut growing = format!("a = '{}'\n", "x".repeat(1 << 16));
        for _ in 0..10_000 {
            growing.push_str("b = a + a\n");
        }
        let started = std::time::Instant::now();
        assert!(eval(&growing).is_err());
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(s in "[a-z0-9 =+*/()\\[\\],.'\"\\\\\n#-]{0,60}") {
            let _ = eval(&s);
        }
    }
}

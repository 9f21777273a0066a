//! `Plural-Forms` expressions: the C expressions a gettext catalogue uses to pick a
//! plural form for a count (`plural=(n%10==1 && n%100!=11 ? 0 : ...)`).
//!
//! Python evaluates them through `gettext.c2py`, which rewrites the C expression into
//! Python source and runs it. This module parses the same token language and
//! evaluates it with the same results as that Python code, including the places where
//! it differs from C (see [`PluralRule`]).

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// The longest expression accepted, in characters (as Python's `c2py`).
const MAX_LEN: usize = 1000;
/// The deepest parenthesis nesting accepted in the rewritten expression (as `c2py`).
const MAX_PAREN_DEPTH: usize = 20;
/// A recursion guard for the parser; never reached by an expression `c2py` accepts.
const MAX_RECURSION: usize = 1100;

/// A parsed `Plural-Forms` expression: maps a count `n` to the index of a plural form.
///
/// The language is gettext's: the variable `n`, decimal integers, parentheses, `!`,
/// `* / % + -`, `< > <= >=`, `== !=`, `&&`, `||` and `? :`, with C's precedence.
/// Evaluation follows Python's `gettext.c2py` exactly, which matters only in corners
/// that real catalogues never reach:
///
/// - integers are mathematical (no `unsigned long` wrap-around): `/` rounds toward
///   negative infinity and `%` takes the sign of the divisor, as in Python;
/// - `a || b` and `a && b` yield an operand, not 0 or 1 (`0 || 5` is 5);
/// - `!` applies to the whole comparison or arithmetic that follows it at the same
///   level (`!n % 10` is `!(n % 10)`), and a `!` in the right operand of a comparison
///   or arithmetic operator is rejected, because Python rejects the code `c2py` writes
///   for it;
/// - expressions longer than 1000 characters or nested more than 20 parentheses deep
///   are rejected.
///
/// ```
/// use tornado_locale::PluralRule;
///
/// let russian: PluralRule =
///     "n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2"
///         .parse()?;
/// assert_eq!(russian.eval(1), Some(0));
/// assert_eq!(russian.eval(3), Some(1));
/// assert_eq!(russian.eval(11), Some(2));
/// assert_eq!(russian.eval(22), Some(1));
/// # Ok::<(), tornado_locale::Error>(())
/// ```
#[derive(Clone)]
pub struct PluralRule {
    source: String,
    expr: Expr,
}

#[derive(Clone, Debug, PartialEq)]
enum Expr {
    N,
    Num(i128),
    /// `!e` applied an odd number of times.
    Not(Box<Expr>),
    /// `!!e` (an even, non-zero number of `!`): the truth value of `e`.
    Truth(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Op {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl Op {
    /// Binding strength, as in C (and `c2py`): 1 is the loosest.
    fn priority(self) -> i32 {
        match self {
            Op::Or => 1,
            Op::And => 2,
            Op::Eq | Op::Ne => 3,
            Op::Lt | Op::Gt | Op::Le | Op::Ge => 4,
            Op::Add | Op::Sub => 5,
            Op::Mul | Op::Div | Op::Rem => 6,
        }
    }

    /// The operator in the Python code `c2py` writes.
    fn python(self) -> &'static str {
        match self {
            Op::Or => "or",
            Op::And => "and",
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Gt => ">",
            Op::Le => "<=",
            Op::Ge => ">=",
            Op::Add => "+",
            Op::Sub => "-",
            Op::Mul => "*",
            Op::Div => "//",
            Op::Rem => "%",
        }
    }
}

impl PluralRule {
    /// Parses a `Plural-Forms` expression (the text after `plural=`).
    pub fn parse(source: &str) -> Result<PluralRule> {
        if source.chars().count() > MAX_LEN {
            return Err(Error::plural(source, "expression is too long"));
        }
        let tokens = tokenize(source).map_err(|d| Error::plural(source, d))?;
        let mut parser = Parser {
            tokens,
            pos: 0,
            depth: 0,
        };
        let (expr, python) = parser.parse(-1).map_err(|d| Error::plural(source, d))?;
        if let Some(tok) = parser.peek() {
            return Err(Error::plural(source, format!("unexpected token {tok:?}")));
        }
        let mut depth = 0usize;
        for c in python.chars() {
            if c == '(' {
                depth += 1;
                if depth > MAX_PAREN_DEPTH {
                    return Err(Error::plural(source, "expression is too complex"));
                }
            } else if c == ')' {
                depth = depth.saturating_sub(1);
            }
        }
        Ok(PluralRule {
            source: source.to_owned(),
            expr,
        })
    }

    /// The rule of a catalogue without a `Plural-Forms` header: `n != 1`
    /// (one singular form, one plural form, as in English or German).
    pub fn germanic() -> PluralRule {
        PluralRule {
            source: "n != 1".to_owned(),
            expr: Expr::Binary(Op::Ne, Box::new(Expr::N), Box::new(Expr::Num(1))),
        }
    }

    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The plural form index for the count `n`.
    ///
    /// `None` where Python's evaluation raises: a division or remainder by zero, or
    /// (beyond Python) an intermediate result that overflows 128 bits. Callers treat
    /// it like a form that the catalogue does not have.
    pub fn eval(&self, n: i64) -> Option<i128> {
        match eval::<i64>(&self.expr, n) {
            Ok(v) => Some(i128::from(v)),
            Err(Stop::DivideByZero) => None,
            Err(Stop::Overflow) => eval::<i128>(&self.expr, i128::from(n)).ok(),
        }
    }
}

impl FromStr for PluralRule {
    type Err = Error;

    fn from_str(s: &str) -> Result<PluralRule> {
        PluralRule::parse(s)
    }
}

impl fmt::Debug for PluralRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PluralRule").field(&self.source).finish()
    }
}

impl PartialEq for PluralRule {
    fn eq(&self, other: &PluralRule) -> bool {
        self.expr == other.expr
    }
}

/// Why an evaluation stopped.
enum Stop {
    /// Division or remainder by zero: Python raises.
    DivideByZero,
    /// The integer type is too narrow: retry with a wider one.
    Overflow,
}

/// The integer types evaluation runs in: `i64` first (fast), `i128` on overflow.
trait Int: Copy + Ord + TryFrom<i128> {
    const ZERO: Self;
    fn bool(b: bool) -> Self;
    fn add(self, o: Self) -> Option<Self>;
    fn sub(self, o: Self) -> Option<Self>;
    fn mul(self, o: Self) -> Option<Self>;
    fn div(self, o: Self) -> Option<Self>;
    fn rem(self, o: Self) -> Option<Self>;
}

macro_rules! int_impl {
    ($t:ty) => {
        impl Int for $t {
            const ZERO: Self = 0;
            fn bool(b: bool) -> Self {
                <$t>::from(b)
            }
            fn add(self, o: Self) -> Option<Self> {
                self.checked_add(o)
            }
            fn sub(self, o: Self) -> Option<Self> {
                self.checked_sub(o)
            }
            fn mul(self, o: Self) -> Option<Self> {
                self.checked_mul(o)
            }
            fn div(self, o: Self) -> Option<Self> {
                self.checked_div_euclid(o).map(|q| {
                    // Euclidean to floor division: they differ for a negative divisor
                    // with a remainder.
                    if o < 0 && self.rem_euclid(o) != 0 {
                        q - 1
                    } else {
                        q
                    }
                })
            }
            fn rem(self, o: Self) -> Option<Self> {
                self.checked_rem_euclid(o)
                    .map(|r| if o < 0 && r != 0 { r + o } else { r })
            }
        }
    };
}
int_impl!(i64);
int_impl!(i128);

fn eval<T: Int>(expr: &Expr, n: T) -> std::result::Result<T, Stop> {
    let lift = |v: Option<T>| v.ok_or(Stop::Overflow);
    Ok(match expr {
        Expr::N => n,
        Expr::Num(v) => T::try_from(*v).map_err(|_| Stop::Overflow)?,
        Expr::Not(e) => T::bool(eval(e, n)? == T::ZERO),
        Expr::Truth(e) => T::bool(eval(e, n)? != T::ZERO),
        Expr::Cond(c, t, f) => {
            if eval(c, n)? != T::ZERO {
                eval(t, n)?
            } else {
                eval(f, n)?
            }
        }
        Expr::Binary(op, l, r) => {
            let a = eval(l, n)?;
            match op {
                // Python's `or` / `and` return one of their operands.
                Op::Or if a != T::ZERO => a,
                Op::And if a == T::ZERO => a,
                Op::Or | Op::And => eval(r, n)?,
                _ => {
                    let b = eval(r, n)?;
                    if matches!(op, Op::Div | Op::Rem) && b == T::ZERO {
                        return Err(Stop::DivideByZero);
                    }
                    match op {
                        Op::Eq => T::bool(a == b),
                        Op::Ne => T::bool(a != b),
                        Op::Lt => T::bool(a < b),
                        Op::Gt => T::bool(a > b),
                        Op::Le => T::bool(a <= b),
                        Op::Ge => T::bool(a >= b),
                        Op::Add => lift(a.add(b))?,
                        Op::Sub => lift(a.sub(b))?,
                        Op::Mul => lift(a.mul(b))?,
                        Op::Div => lift(a.div(b))?,
                        Op::Rem => lift(a.rem(b))?,
                        Op::Or | Op::And => unreachable_operator(a),
                    }
                }
            }
        }
    })
}

/// `Or` and `And` are handled before; keeps the match total without a panic.
fn unreachable_operator<T>(a: T) -> T {
    a
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    N,
    Num(String),
    LParen,
    RParen,
    Not,
    Question,
    Colon,
    Op(Op),
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::N => f.write_str("n"),
            Token::Num(s) => f.write_str(s),
            Token::LParen => f.write_str("("),
            Token::RParen => f.write_str(")"),
            Token::Not => f.write_str("!"),
            Token::Question => f.write_str("?"),
            Token::Colon => f.write_str(":"),
            Token::Op(op) => f.write_str(match op {
                Op::Or => "||",
                Op::And => "&&",
                Op::Div => "/",
                other => other.python(),
            }),
        }
    }
}

/// A "word" character in the sense of Python's `\w` on `str`.
fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits the expression into tokens with the rules of `c2py`'s regular expression.
fn tokenize(src: &str) -> std::result::Result<Vec<Token>, String> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let word_run = |from: usize| -> String {
        chars[from..]
            .iter()
            .take_while(|c| is_word(**c))
            .collect::<String>()
    };
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        let (token, len) = match c {
            ' ' | '\t' => {
                i += 1;
                continue;
            }
            '0'..='9' => {
                let digits = chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
                if chars.get(i + digits).is_some_and(|c| is_word(*c)) {
                    return Err(format!("invalid token {:?}", word_run(i)));
                }
                (Token::Num(chars[i..i + digits].iter().collect()), digits)
            }
            'n' if !next.is_some_and(is_word) => (Token::N, 1),
            '(' => (Token::LParen, 1),
            ')' => (Token::RParen, 1),
            '?' => (Token::Question, 1),
            ':' => (Token::Colon, 1),
            '-' => (Token::Op(Op::Sub), 1),
            '+' => (Token::Op(Op::Add), 1),
            '*' => (Token::Op(Op::Mul), 1),
            '/' => (Token::Op(Op::Div), 1),
            '%' => (Token::Op(Op::Rem), 1),
            '<' if next == Some('=') => (Token::Op(Op::Le), 2),
            '<' => (Token::Op(Op::Lt), 1),
            '>' if next == Some('=') => (Token::Op(Op::Ge), 2),
            '>' => (Token::Op(Op::Gt), 1),
            '!' if next == Some('=') => (Token::Op(Op::Ne), 2),
            '!' => (Token::Not, 1),
            '=' if next == Some('=') => (Token::Op(Op::Eq), 2),
            '&' if next == Some('&') => (Token::Op(Op::And), 2),
            '|' if next == Some('|') => (Token::Op(Op::Or), 2),
            c if is_word(c) => return Err(format!("invalid token {:?}", word_run(i))),
            c => return Err(format!("invalid token {c:?}")),
        };
        out.push(token);
        i += len;
    }
    Ok(out)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let tok = self.tokens.get(self.pos).cloned();
        if tok.is_some() {
            self.pos += 1;
        }
        tok
    }

    fn unexpected(tok: Option<&Token>) -> String {
        match tok {
            Some(tok) => format!("unexpected token {:?}", tok.to_string()),
            None => "unexpected end of expression".to_owned(),
        }
    }

    /// Parses one (sub)expression whose binary operators bind at least as tightly as
    /// `priority`; returns it with the Python code `c2py` would write for it.
    fn parse(&mut self, priority: i32) -> std::result::Result<(Expr, String), String> {
        self.depth += 1;
        if self.depth > MAX_RECURSION {
            return Err("expression is too complex".to_owned());
        }
        let result = self.parse_inner(priority);
        self.depth -= 1;
        result
    }

    fn parse_inner(&mut self, priority: i32) -> std::result::Result<(Expr, String), String> {
        let mut nots = 0usize;
        while self.peek() == Some(&Token::Not) {
            self.pos += 1;
            nots += 1;
        }
        // `c2py` writes `not` here; Python refuses it as the right operand of a
        // comparison or an arithmetic operator.
        if nots > 0 && priority >= 4 {
            return Err("'!' is not allowed in an operand of a comparison or arithmetic".into());
        }
        let (mut acc, primary) = match self.next() {
            Some(Token::LParen) => {
                let (inner, code) = self.parse(-1)?;
                if self.next() != Some(Token::RParen) {
                    return Err("unbalanced parenthesis".to_owned());
                }
                (inner, format!("({code})"))
            }
            Some(Token::N) => (Expr::N, "n".to_owned()),
            Some(Token::Num(digits)) => match digits.parse::<i128>() {
                Ok(v) => (Expr::Num(v), v.to_string()),
                Err(_) => return Err(format!("number {digits} is too large")),
            },
            other => return Err(Self::unexpected(other.as_ref())),
        };
        let mut code = format!("{}{primary}", "not ".repeat(nots));
        let mut pending_nots = nots;
        let mut last = 100;
        while let Some(Token::Op(op)) = self.peek() {
            let op = *op;
            let i = op.priority();
            if i < priority {
                break;
            }
            self.pos += 1;
            if matches!(i, 3 | 4) && matches!(last, 3 | 4) {
                // `c2py` parenthesises the left side to break Python's comparison
                // chaining; a pending `not` ends inside those parentheses.
                code = format!("({code})");
                acc = apply_nots(acc, pending_nots);
                pending_nots = 0;
            } else if i <= 2 {
                // Python's `not` binds tighter than `and` / `or`.
                acc = apply_nots(acc, pending_nots);
                pending_nots = 0;
            }
            let (right, right_code) = self.parse(i + 1)?;
            code = format!("{code} {} {right_code}", op.python());
            acc = Expr::Binary(op, Box::new(acc), Box::new(right));
            last = i;
        }
        acc = apply_nots(acc, pending_nots);
        if last == priority && priority == 4 {
            code = format!("({code})");
        }
        if self.peek() == Some(&Token::Question) && priority <= 0 {
            self.pos += 1;
            let (if_true, true_code) = self.parse(0)?;
            match self.next() {
                Some(Token::Colon) => {}
                other => return Err(Self::unexpected(other.as_ref())),
            }
            let (if_false, false_code) = self.parse(-1)?;
            code = format!("{true_code} if {code} else {false_code}");
            if priority == 0 {
                code = format!("({code})");
            }
            acc = Expr::Cond(Box::new(acc), Box::new(if_true), Box::new(if_false));
        }
        Ok((acc, code))
    }
}

fn apply_nots(expr: Expr, nots: usize) -> Expr {
    match nots {
        0 => expr,
        n if n % 2 == 1 => Expr::Not(Box::new(expr)),
        _ => Expr::Truth(Box::new(expr)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(s: &str) -> PluralRule {
        match PluralRule::parse(s) {
            Ok(r) => r,
            Err(e) => panic!("{s:?} should parse: {e}"),
        }
    }

    fn forms(s: &str, counts: &[i64]) -> Vec<i128> {
        let r = rule(s);
        counts.iter().map(|&n| r.eval(n).unwrap_or(-99)).collect()
    }

    #[test]
    fn real_catalogue_rules() {
        let ns = [
            0, 1, 2, 3, 4, 5, 10, 11, 12, 14, 21, 22, 25, 101, 102, 111, 112,
        ];
        // French: 0 and 1 are singular.
        assert_eq!(
            forms("(n > 1)", &ns),
            [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
        );
        // Japanese: one form.
        assert_eq!(forms("0", &ns), [0; 17]);
        // Russian.
        assert_eq!(
            forms(
                "(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
                &ns
            ),
            [2, 0, 1, 1, 1, 2, 2, 2, 2, 2, 0, 1, 2, 0, 1, 2, 2]
        );
        // Polish.
        assert_eq!(
            forms(
                "(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2)",
                &ns
            ),
            [2, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 1, 2, 2]
        );
        // Czech.
        assert_eq!(
            forms("(n==1) ? 0 : (n>=2 && n<=4) ? 1 : 2", &ns),
            [2, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
        );
        // Irish.
        assert_eq!(
            forms(
                "n==1 ? 0 : n==2 ? 1 : (n>2 && n<7) ? 2 :(n>6 && n<11) ? 3 : 4",
                &ns
            ),
            [4, 0, 1, 2, 2, 2, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4]
        );
        // Slovenian.
        assert_eq!(
            forms(
                "(n%100==1 ? 0 : n%100==2 ? 1 : n%100==3 || n%100==4 ? 2 : 3)",
                &ns
            ),
            [3, 0, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 0, 1, 3, 3]
        );
        // Arabic.
        assert_eq!(
            forms(
                "(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5)",
                &ns
            ),
            [0, 1, 2, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 5, 5, 4, 4]
        );
    }

    #[test]
    fn python_semantics_in_the_corners() {
        // `or` / `and` yield operands.
        assert_eq!(rule("n || 5").eval(0), Some(5));
        assert_eq!(rule("n || 5").eval(3), Some(3));
        assert_eq!(rule("n && 5").eval(3), Some(5));
        assert_eq!(rule("n && 5").eval(0), Some(0));
        // `!` covers the arithmetic and comparison after it.
        assert_eq!(rule("!n % 10").eval(5), Some(0));
        assert_eq!(rule("!n % 10").eval(10), Some(1));
        assert_eq!(rule("!n % 10 == 1").eval(11), Some(0));
        assert_eq!(rule("!n == 1 == 0").eval(1), Some(1));
        assert_eq!(rule("!!n").eval(7), Some(1));
        assert_eq!(rule("!n && 1 || 2").eval(0), Some(1));
        // Floor division and modulo.
        assert_eq!(rule("n - 7").eval(3), Some(-4));
        assert_eq!(rule("n % 7 - 1").eval(-3), Some(3));
        assert_eq!(rule("(n - 10) / 3").eval(2), Some(-3));
        assert_eq!(rule("n % (0 - 3)").eval(7), Some(-2));
        assert_eq!(rule("n / (0 - 2)").eval(7), Some(-4));
        assert_eq!(rule("n / (0 - 2)").eval(-7), Some(3));
        assert_eq!(rule("n / (0 - 2)").eval(8), Some(-4));
        assert_eq!(rule("n % (0 - 2)").eval(-7), Some(-1));
        // Beyond 64 bits the evaluation continues in 128 bits.
        assert_eq!(
            rule("n * 1000000000000 % 1000000007").eval(i64::MAX),
            Some(795_993_273)
        );
        assert_eq!(
            rule("n / (0 - 1)").eval(i64::MIN),
            Some(-i128::from(i64::MIN))
        );
        // Comparisons do not chain.
        assert_eq!(rule("1 < 2 < 3").eval(0), Some(1));
        assert_eq!(rule("3 > 2 > 1").eval(0), Some(0));
        assert_eq!(rule("0 == 1 < 2").eval(0), Some(0));
        // Division by zero is no form.
        assert_eq!(rule("n / 0").eval(1), None);
        assert_eq!(rule("n % (n - 1)").eval(1), None);
        assert_eq!(rule("n ? 1 : n / 0").eval(1), Some(1));
    }

    #[test]
    fn rejects_what_c2py_rejects() {
        for bad in [
            "",
            "n +",
            "(n",
            "n)",
            "n ? 1",
            "n = 1",
            "x",
            "nn",
            "10n",
            "n & 1",
            "n == !n",
            "n + !1",
            "-1",
            "n\n",
            "n ? 1 : 2 : 3",
            "99999999999999999999999999999999999999999",
        ] {
            assert!(
                PluralRule::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
        let deep = format!("{}n{}", "(".repeat(21), ")".repeat(21));
        assert!(PluralRule::parse(&deep).is_err());
        let ok = format!("{}n{}", "(".repeat(20), ")".repeat(20));
        assert_eq!(rule(&ok).eval(3), Some(3));
        let long = format!("n{}", " ".repeat(1000));
        assert!(PluralRule::parse(&long).is_err());
        assert!(PluralRule::parse("n && !n").is_ok());
        let err = PluralRule::parse("n ==").unwrap_err();
        assert!(err.is_plural());
        assert!(err.to_string().contains("n =="), "{err}");
    }

    #[test]
    fn germanic_default() {
        let g = PluralRule::germanic();
        assert_eq!(g.eval(1), Some(0));
        assert_eq!(g.eval(0), Some(1));
        assert_eq!(g, rule("n != 1"));
    }

    #[test]
    fn long_chains_do_not_overflow_the_stack() {
        let chain = format!("n{}", "+n".repeat(490));
        assert_eq!(rule(&chain).eval(1), Some(491));
        let ternaries = format!("{}0", "n?1:".repeat(249));
        assert_eq!(rule(&ternaries).eval(0), Some(0));
        let nots = format!("{}n", "!".repeat(999));
        assert_eq!(rule(&nots).eval(0), Some(1));
    }

    proptest::proptest! {
        #[test]
        fn never_panics(src in "[n0-9 ()!?:<>=&|%*/+-]{0,60}", n in proptest::num::i64::ANY) {
            if let Ok(r) = PluralRule::parse(&src) {
                let _ = r.eval(n);
            }
        }

        #[test]
        fn narrow_and_wide_evaluation_agree(
            src in "(n|[0-9]{1,20}|[()!?:<>=&|%*/+ -]){0,30}",
            n in proptest::num::i64::ANY,
        ) {
            if let Ok(r) = PluralRule::parse(&src) {
                let wide = eval::<i128>(&r.expr, i128::from(n)).ok();
                proptest::prop_assert_eq!(r.eval(n), wide);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(src in "\\PC{0,80}") {
            let _ = PluralRule::parse(&src);
        }
    }
}

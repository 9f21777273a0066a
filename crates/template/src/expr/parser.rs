//! A recursive-descent parser following Python's grammar and operator precedence.

use std::sync::Arc;

use super::{
    Arg, BinOp, CmpOp, CompClause, CompKind, Comprehension, Const, Expr, Import, ImportName,
    PResult, Statement, Target, UnaryOp,
};
use crate::lexer::{Tok, tokenize};

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

/// How deeply expressions may nest (parentheses, unary operators, `not`).
const MAX_EXPR_DEPTH: usize = 48;

fn describe(t: &Tok) -> String {
    match t {
        Tok::Name(n) => format!("'{n}'"),
        Tok::Int(i) => format!("'{i}'"),
        Tok::Float(f) => format!("'{f}'"),
        Tok::Str(_) | Tok::Bytes(_) => "string literal".into(),
        Tok::Op(o) => format!("'{o}'"),
        Tok::End => "end of expression".into(),
    }
}

const KEYWORDS: &[&str] = &[
    "and", "or", "not", "in", "is", "if", "else", "for", "lambda", "None", "True", "False",
    "import", "from", "as", "def", "class", "return", "yield", "while", "with", "pass", "del",
    "global", "nonlocal", "try", "except", "finally", "raise", "assert", "break", "continue",
    "elif", "async", "await",
];

impl Parser {
    fn new(src: &str) -> PResult<Parser> {
        Ok(Parser {
            toks: tokenize(src)?,
            pos: 0,
            depth: 0,
        })
    }

    fn peek(&self) -> &Tok {
        self.toks.get(self.pos).unwrap_or(&Tok::End)
    }

    fn peek_at(&self, n: usize) -> &Tok {
        self.toks.get(self.pos + n).unwrap_or(&Tok::End)
    }

    fn next(&mut self) -> Tok {
        let t = self.peek().clone();
        if self.pos < self.toks.len() {
            self.pos += 1;
        }
        t
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(self.peek(), Tok::Op(o) if *o == op)
    }

    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Name(n) if &**n == kw)
    }

    fn eat_op(&mut self, op: &str) -> bool {
        if self.is_op(op) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_op(&mut self, op: &str) -> PResult<()> {
        if self.eat_op(op) {
            Ok(())
        } else {
            Err(format!("expected '{op}', found {}", describe(self.peek())))
        }
    }

    fn expect_kw(&mut self, kw: &str) -> PResult<()> {
        if self.eat_kw(kw) {
            Ok(())
        } else {
            Err(format!("expected '{kw}', found {}", describe(self.peek())))
        }
    }

    fn expect_end(&self) -> PResult<()> {
        match self.peek() {
            Tok::End => Ok(()),
            t => Err(format!("unexpected {}", describe(t))),
        }
    }

    fn name(&mut self) -> PResult<Arc<str>> {
        match self.next() {
            Tok::Name(n) if !KEYWORDS.contains(&&*n) => Ok(n),
            t => Err(format!("expected a name, found {}", describe(&t))),
        }
    }

    /// `testlist`: one expression, or a tuple of them.
    fn testlist(&mut self) -> PResult<Expr> {
        let first = self.test()?;
        if !self.is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.at_testlist_end() {
                break;
            }
            items.push(self.test()?);
        }
        Ok(Expr::Tuple(items))
    }

    fn at_testlist_end(&self) -> bool {
        matches!(self.peek(), Tok::End)
            || matches!(self.peek(), Tok::Op(o) if matches!(*o, ")" | "]" | "}" | "=" | ":"))
            || matches!(self.peek(), Tok::Op(o) if o.ends_with('=') && o.len() > 1 && !matches!(*o, "==" | "!=" | "<=" | ">="))
            || self.is_kw("in")
    }

    /// `test`: a conditional expression.
    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_EXPR_DEPTH {
            return Err("expression nested too deeply".into());
        }
        Ok(())
    }

    fn test(&mut self) -> PResult<Expr> {
        self.enter()?;
        let r = self.test_inner();
        self.depth -= 1;
        r
    }

    fn test_inner(&mut self) -> PResult<Expr> {
        if self.is_kw("lambda") {
            return Err("lambda expressions are not supported".into());
        }
        let e = self.or_test()?;
        if self.eat_kw("if") {
            let cond = self.or_test()?;
            self.expect_kw("else")?;
            let other = self.test()?;
            return Ok(Expr::IfElse(Box::new([cond, e, other])));
        }
        Ok(e)
    }

    fn or_test(&mut self) -> PResult<Expr> {
        let mut e = self.and_test()?;
        while self.eat_kw("or") {
            let r = self.and_test()?;
            e = Expr::Or(Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn and_test(&mut self) -> PResult<Expr> {
        let mut e = self.not_test()?;
        while self.eat_kw("and") {
            let r = self.not_test()?;
            e = Expr::And(Box::new(e), Box::new(r));
        }
        Ok(e)
    }

    fn not_test(&mut self) -> PResult<Expr> {
        if self.eat_kw("not") {
            self.enter()?;
            let e = self.not_test();
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e?)));
        }
        self.comparison()
    }

    fn comp_op(&mut self) -> Option<CmpOp> {
        let op = match self.peek() {
            Tok::Op("==") => CmpOp::Eq,
            Tok::Op("!=") => CmpOp::Ne,
            Tok::Op("<") => CmpOp::Lt,
            Tok::Op("<=") => CmpOp::Le,
            Tok::Op(">") => CmpOp::Gt,
            Tok::Op(">=") => CmpOp::Ge,
            Tok::Name(n) if &**n == "in" => CmpOp::In,
            Tok::Name(n) if &**n == "is" => {
                if matches!(self.peek_at(1), Tok::Name(m) if &**m == "not") {
                    self.pos += 2;
                    return Some(CmpOp::IsNot);
                }
                CmpOp::Is
            }
            Tok::Name(n) if &**n == "not" => {
                if matches!(self.peek_at(1), Tok::Name(m) if &**m == "in") {
                    self.pos += 2;
                    return Some(CmpOp::NotIn);
                }
                return None;
            }
            _ => return None,
        };
        self.pos += 1;
        Some(op)
    }

    fn comparison(&mut self) -> PResult<Expr> {
        let first = self.bitor()?;
        let mut rest = Vec::new();
        while let Some(op) = self.comp_op() {
            rest.push((op, self.bitor()?));
        }
        if rest.is_empty() {
            Ok(first)
        } else {
            Ok(Expr::Compare(Box::new(first), rest))
        }
    }

    fn binary_level(
        &mut self,
        ops: &[(&str, BinOp)],
        next: fn(&mut Parser) -> PResult<Expr>,
    ) -> PResult<Expr> {
        let mut e = next(self)?;
        'outer: loop {
            for (sym, op) in ops {
                if self.is_op(sym) {
                    self.pos += 1;
                    let r = next(self)?;
                    e = Expr::Binary(*op, Box::new(e), Box::new(r));
                    continue 'outer;
                }
            }
            return Ok(e);
        }
    }

    fn bitor(&mut self) -> PResult<Expr> {
        self.binary_level(&[("|", BinOp::BitOr)], Parser::bitxor)
    }

    fn bitxor(&mut self) -> PResult<Expr> {
        self.binary_level(&[("^", BinOp::BitXor)], Parser::bitand)
    }

    fn bitand(&mut self) -> PResult<Expr> {
        self.binary_level(&[("&", BinOp::BitAnd)], Parser::shift)
    }

    fn shift(&mut self) -> PResult<Expr> {
        self.binary_level(&[("<<", BinOp::Shl), (">>", BinOp::Shr)], Parser::arith)
    }

    fn arith(&mut self) -> PResult<Expr> {
        self.binary_level(&[("+", BinOp::Add), ("-", BinOp::Sub)], Parser::term)
    }

    fn term(&mut self) -> PResult<Expr> {
        self.binary_level(
            &[
                ("*", BinOp::Mul),
                ("//", BinOp::FloorDiv),
                ("/", BinOp::Div),
                ("%", BinOp::Mod),
            ],
            Parser::factor,
        )
    }

    fn factor(&mut self) -> PResult<Expr> {
        let op = match self.peek() {
            Tok::Op("-") => UnaryOp::Neg,
            Tok::Op("+") => UnaryOp::Pos,
            Tok::Op("~") => UnaryOp::Invert,
            _ => return self.power(),
        };
        self.pos += 1;
        self.enter()?;
        let e = self.factor();
        self.depth -= 1;
        let e = e?;
        // Fold negative literals so `-9223372036854775808`-style constants stay ints.
        if let (UnaryOp::Neg, Expr::Const(Const::Int(i))) = (op, &e)
            && let Some(n) = i.checked_neg()
        {
            return Ok(Expr::Const(Const::Int(n)));
        }
        if let (UnaryOp::Neg, Expr::Const(Const::Float(f))) = (op, &e) {
            return Ok(Expr::Const(Const::Float(-f)));
        }
        Ok(Expr::Unary(op, Box::new(e)))
    }

    fn power(&mut self) -> PResult<Expr> {
        let base = self.primary()?;
        if self.eat_op("**") {
            self.enter()?;
            let exp = self.factor();
            self.depth -= 1;
            let exp = exp?;
            return Ok(Expr::Binary(BinOp::Pow, Box::new(base), Box::new(exp)));
        }
        Ok(base)
    }

    fn primary(&mut self) -> PResult<Expr> {
        let mut e = self.atom()?;
        loop {
            if self.eat_op(".") {
                let n = self.name()?;
                e = Expr::Attr(Box::new(e), n);
            } else if self.eat_op("(") {
                let args = self.call_args()?;
                e = Expr::Call(Box::new(e), args);
            } else if self.eat_op("[") {
                e = self.subscript(e)?;
            } else {
                return Ok(e);
            }
        }
    }

    fn subscript(&mut self, base: Expr) -> PResult<Expr> {
        let mut items = Vec::new();
        let mut is_tuple = false;
        loop {
            items.push(self.slice_item()?);
            if self.eat_op(",") {
                is_tuple = true;
                if self.is_op("]") {
                    break;
                }
            } else {
                break;
            }
        }
        self.expect_op("]")?;
        if !is_tuple && let Some(item) = items.pop() {
            return Ok(match item {
                SliceItem::Index(i) => Expr::Item(Box::new(base), Box::new(i)),
                SliceItem::Slice(parts) => Expr::Slice(Box::new(base), Box::new(parts)),
            });
        }
        let mut tuple = Vec::new();
        for item in items {
            match item {
                SliceItem::Index(i) => tuple.push(i),
                SliceItem::Slice(_) => return Err("extended slicing is not supported".into()),
            }
        }
        Ok(Expr::Item(Box::new(base), Box::new(Expr::Tuple(tuple))))
    }

    fn slice_item(&mut self) -> PResult<SliceItem> {
        let start = if self.is_op(":") {
            None
        } else {
            Some(self.test()?)
        };
        if !self.eat_op(":") {
            return start
                .map(SliceItem::Index)
                .ok_or_else(|| "expected an index".to_string());
        }
        let stop = if self.is_op(":") || self.is_op("]") || self.is_op(",") {
            None
        } else {
            Some(self.test()?)
        };
        let step = if self.eat_op(":") {
            if self.is_op("]") || self.is_op(",") {
                None
            } else {
                Some(self.test()?)
            }
        } else {
            None
        };
        Ok(SliceItem::Slice([start, stop, step]))
    }

    fn call_args(&mut self) -> PResult<Vec<Arg>> {
        let mut args = Vec::new();
        loop {
            if self.eat_op(")") {
                return Ok(args);
            }
            if self.eat_op("**") {
                args.push(Arg::StarStar(self.test()?));
            } else if self.eat_op("*") {
                args.push(Arg::Star(self.test()?));
            } else if matches!(self.peek(), Tok::Name(_)) && matches!(self.peek_at(1), Tok::Op("="))
            {
                let n = self.name()?;
                self.pos += 1;
                args.push(Arg::Kw(n, self.test()?));
            } else {
                let e = self.test()?;
                if self.is_kw("for") {
                    // A generator expression as the argument: `max(e.x for e in items)`.
                    let comp = self.comprehension(CompKind::Gen, e, None)?;
                    args.push(Arg::Pos(comp));
                } else {
                    args.push(Arg::Pos(e));
                }
            }
            if !self.eat_op(",") {
                self.expect_op(")")?;
                return Ok(args);
            }
        }
    }

    fn comprehension(&mut self, kind: CompKind, elt: Expr, value: Option<Expr>) -> PResult<Expr> {
        let mut clauses = Vec::new();
        while self.eat_kw("for") {
            let target = self.target_list()?;
            self.expect_kw("in")?;
            let iter = self.or_test()?;
            let mut conds = Vec::new();
            while self.eat_kw("if") {
                conds.push(self.or_test()?);
            }
            clauses.push(CompClause {
                target,
                iter,
                conds,
            });
            if clauses.len() > 16 {
                return Err("too many 'for' clauses in one comprehension".into());
            }
        }
        Ok(Expr::Comp(Box::new(Comprehension {
            kind,
            elt,
            value,
            clauses,
        })))
    }

    /// The targets of `for` (`x`, `a, b`, `(a, b)`), parsed below comparisons so that
    /// `in` ends them.
    fn target_list(&mut self) -> PResult<Target> {
        let first = self.bitor()?;
        if !self.is_op(",") {
            return to_target(first);
        }
        let mut items = vec![to_target(first)?];
        while self.eat_op(",") {
            if self.is_kw("in") || self.is_op("=") {
                break;
            }
            items.push(to_target(self.bitor()?)?);
        }
        Ok(Target::Tuple(items))
    }

    fn atom(&mut self) -> PResult<Expr> {
        match self.next() {
            Tok::Int(i) => Ok(Expr::Const(Const::Int(i))),
            Tok::Float(f) => Ok(Expr::Const(Const::Float(f))),
            Tok::Str(s) => Ok(Expr::Const(Const::Str(Arc::from(s)))),
            Tok::Bytes(b) => Ok(Expr::Const(Const::Bytes(Arc::from(b)))),
            Tok::Name(n) => match &*n {
                "None" => Ok(Expr::Const(Const::None)),
                "True" => Ok(Expr::Const(Const::Bool(true))),
                "False" => Ok(Expr::Const(Const::Bool(false))),
                k if KEYWORDS.contains(&k) => Err(format!("unexpected '{k}'")),
                _ => Ok(Expr::Name(n)),
            },
            Tok::Op("(") => {
                if self.eat_op(")") {
                    return Ok(Expr::Tuple(Vec::new()));
                }
                let first = self.test()?;
                if self.is_kw("for") {
                    let e = self.comprehension(CompKind::Gen, first, None)?;
                    self.expect_op(")")?;
                    return Ok(e);
                }
                if self.eat_op(")") {
                    return Ok(first);
                }
                let mut items = vec![first];
                while self.eat_op(",") {
                    if self.is_op(")") {
                        break;
                    }
                    items.push(self.test()?);
                }
                self.expect_op(")")?;
                Ok(Expr::Tuple(items))
            }
            Tok::Op("[") => {
                if self.eat_op("]") {
                    return Ok(Expr::List(Vec::new()));
                }
                let first = self.test()?;
                if self.is_kw("for") {
                    let e = self.comprehension(CompKind::List, first, None)?;
                    self.expect_op("]")?;
                    return Ok(e);
                }
                let mut items = vec![first];
                while self.eat_op(",") {
                    if self.is_op("]") {
                        break;
                    }
                    items.push(self.test()?);
                }
                self.expect_op("]")?;
                Ok(Expr::List(items))
            }
            Tok::Op("{") => {
                if self.eat_op("}") {
                    return Ok(Expr::Dict(Vec::new()));
                }
                let first = self.test()?;
                if self.eat_op(":") {
                    let v = self.test()?;
                    if self.is_kw("for") {
                        let e = self.comprehension(CompKind::Dict, first, Some(v))?;
                        self.expect_op("}")?;
                        return Ok(e);
                    }
                    let mut pairs = vec![(first, v)];
                    while self.eat_op(",") {
                        if self.is_op("}") {
                            break;
                        }
                        let k = self.test()?;
                        self.expect_op(":")?;
                        pairs.push((k, self.test()?));
                    }
                    self.expect_op("}")?;
                    return Ok(Expr::Dict(pairs));
                }
                if self.is_kw("for") {
                    let e = self.comprehension(CompKind::Set, first, None)?;
                    self.expect_op("}")?;
                    return Ok(e);
                }
                let mut items = vec![first];
                while self.eat_op(",") {
                    if self.is_op("}") {
                        break;
                    }
                    items.push(self.test()?);
                }
                self.expect_op("}")?;
                Ok(Expr::Set(items))
            }
            t => Err(format!("unexpected {}", describe(&t))),
        }
    }
}

enum SliceItem {
    Index(Expr),
    Slice([Option<Expr>; 3]),
}

fn to_target(e: Expr) -> PResult<Target> {
    match e {
        Expr::Name(n) => Ok(Target::Name(n)),
        Expr::Tuple(items) | Expr::List(items) => Ok(Target::Tuple(
            items.into_iter().map(to_target).collect::<PResult<_>>()?,
        )),
        Expr::Item(base, key) => Ok(Target::Item(*base, *key)),
        Expr::Attr(base, name) => Ok(Target::Attr(*base, name)),
        _ => Err("cannot assign to expression".into()),
    }
}

/// Parses an expression (a tuple when commas separate several).
pub(crate) fn parse_expr(src: &str) -> PResult<Expr> {
    let mut p = Parser::new(src)?;
    if matches!(p.peek(), Tok::End) {
        return Err("empty expression".into());
    }
    let e = p.testlist()?;
    p.expect_end()?;
    Ok(e)
}

/// Parses the statement of `{% set %}`: `x = expr`, `a, b = expr`, `x += expr`,
/// `d[k] = expr`, or an expression evaluated for its effect.
pub(crate) fn parse_statement(src: &str) -> PResult<Statement> {
    let mut p = Parser::new(src)?;
    let first = p.testlist()?;
    const AUG: &[(&str, BinOp)] = &[
        ("+=", BinOp::Add),
        ("-=", BinOp::Sub),
        ("*=", BinOp::Mul),
        ("/=", BinOp::Div),
        ("//=", BinOp::FloorDiv),
        ("%=", BinOp::Mod),
        ("**=", BinOp::Pow),
        ("&=", BinOp::BitAnd),
        ("|=", BinOp::BitOr),
        ("^=", BinOp::BitXor),
        ("<<=", BinOp::Shl),
        (">>=", BinOp::Shr),
    ];
    for (sym, op) in AUG {
        if p.eat_op(sym) {
            let target = to_target(first)?;
            if matches!(target, Target::Tuple(_)) {
                return Err("illegal expression for augmented assignment".into());
            }
            let value = p.testlist()?;
            p.expect_end()?;
            return Ok(Statement::AugAssign(target, *op, value));
        }
    }
    if !p.is_op("=") {
        p.expect_end()?;
        return Ok(Statement::Expr(first));
    }
    let mut exprs = vec![first];
    while p.eat_op("=") {
        exprs.push(p.testlist()?);
    }
    p.expect_end()?;
    let value = exprs.pop().ok_or("missing value")?;
    let targets = exprs.into_iter().map(to_target).collect::<PResult<_>>()?;
    Ok(Statement::Assign(targets, value))
}

/// Parses `TARGETS in EXPR` (the text after `for`).
pub(crate) fn parse_for(src: &str) -> PResult<(Target, Expr)> {
    let mut p = Parser::new(src)?;
    let target = p.target_list()?;
    p.expect_kw("in")?;
    let iter = p.testlist()?;
    p.expect_end()?;
    Ok((target, iter))
}

/// Parses the text after `except`: `[CLASSES [as NAME]]`.
pub(crate) fn parse_except(src: &str) -> PResult<(Option<Expr>, Option<Arc<str>>)> {
    let mut p = Parser::new(src)?;
    if matches!(p.peek(), Tok::End) {
        return Ok((None, None));
    }
    let classes = p.test()?;
    let name = if p.eat_kw("as") {
        Some(p.name()?)
    } else {
        None
    };
    p.expect_end()?;
    Ok((Some(classes), name))
}

fn dotted(p: &mut Parser) -> PResult<String> {
    let mut path = p.name()?.to_string();
    while p.eat_op(".") {
        path.push('.');
        path.push_str(&p.name()?);
    }
    Ok(path)
}

/// Parses a whole `import …` or `from … import …` statement.
pub(crate) fn parse_import(src: &str) -> PResult<Import> {
    let mut p = Parser::new(src)?;
    if p.eat_kw("import") {
        let mut names = Vec::new();
        loop {
            let path = dotted(&mut p)?;
            let (bind, top_package) = if p.eat_kw("as") {
                (p.name()?, false)
            } else {
                let top = path.split('.').next().unwrap_or(&path).to_string();
                (Arc::from(top), path.contains('.'))
            };
            names.push(ImportName {
                path: Arc::from(path),
                bind: Target::Name(bind),
                top_package,
            });
            if !p.eat_op(",") {
                break;
            }
        }
        p.expect_end()?;
        return Ok(Import { from: None, names });
    }
    p.expect_kw("from")?;
    if p.is_op(".") {
        return Err("relative imports are not supported".into());
    }
    let module = dotted(&mut p)?;
    p.expect_kw("import")?;
    if p.is_op("*") {
        return Err("'from … import *' is not supported".into());
    }
    let paren = p.eat_op("(");
    let mut names = Vec::new();
    loop {
        let attr = p.name()?;
        let bind = if p.eat_kw("as") {
            p.name()?
        } else {
            attr.clone()
        };
        names.push(ImportName {
            path: attr,
            bind: Target::Name(bind),
            top_package: false,
        });
        if !p.eat_op(",") || (paren && p.is_op(")")) {
            break;
        }
    }
    if paren {
        p.expect_op(")")?;
    }
    p.expect_end()?;
    Ok(Import {
        from: Some(Arc::from(module)),
        names,
    })
}

//! The expression language: its syntax tree and a recursive-descent parser following
//! Python's grammar and operator precedence.

use std::sync::Arc;

/// A literal, kept in a form that can be shared between threads.
#[derive(Debug, Clone)]
pub(crate) enum Const {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Arc<str>),
    Bytes(Arc<[u8]>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    Mod,
    Pow,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
}

impl BinOp {
    pub(crate) fn symbol(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::FloorDiv => "//",
            BinOp::Mod => "%",
            BinOp::Pow => "** or pow()",
            BinOp::BitAnd => "&",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum UnaryOp {
    Neg,
    Pos,
    Invert,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Is,
    IsNot,
}

/// An expression. Names start as `Name` and become `Local`/`Global` slots when the
/// template is compiled.
#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Const(Const),
    Name(Arc<str>),
    Local(u32, Arc<str>),
    Global(u32, Arc<str>),
    Attr(Box<Expr>, Arc<str>),
    Item(Box<Expr>, Box<Expr>),
    Slice(Box<Expr>, Box<[Option<Expr>; 3]>),
    Call(Box<Expr>, Vec<Arg>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinOp, Box<Expr>, Box<Expr>),
    Compare(Box<Expr>, Vec<(CmpOp, Expr)>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    IfElse(Box<[Expr; 3]>),
    List(Vec<Expr>),
    Tuple(Vec<Expr>),
    Set(Vec<Expr>),
    Dict(Vec<(Expr, Expr)>),
    Comp(Box<Comprehension>),
}

#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Pos(Expr),
    Kw(Arc<str>, Expr),
    Star(Expr),
    StarStar(Expr),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CompKind {
    List,
    Gen,
    Set,
    Dict,
}

#[derive(Debug, Clone)]
pub(crate) struct Comprehension {
    pub kind: CompKind,
    pub elt: Expr,
    /// The value expression of a dict comprehension.
    pub value: Option<Expr>,
    pub clauses: Vec<CompClause>,
}

#[derive(Debug, Clone)]
pub(crate) struct CompClause {
    pub target: Target,
    pub iter: Expr,
    pub conds: Vec<Expr>,
}

/// The left side of an assignment or a `for`.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Name(Arc<str>),
    Local(u32, Arc<str>),
    Tuple(Vec<Target>),
    Item(Expr, Expr),
    Attr(Expr, Arc<str>),
}

/// A `{% set %}` statement.
#[derive(Debug, Clone)]
pub(crate) enum Statement {
    Assign(Vec<Target>, Expr),
    AugAssign(Target, BinOp, Expr),
    Expr(Expr),
}

/// One name of an `import` or `from … import` statement.
#[derive(Debug, Clone)]
pub(crate) struct ImportName {
    /// The dotted module path (`import a.b`) or attribute name (`from m import x`).
    pub path: Arc<str>,
    /// The name bound in the template.
    pub bind: Target,
    /// For `import a.b` without `as`: bind the top package `a`, not `a.b`.
    pub top_package: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Import {
    /// `Some(module)` for `from module import ...`.
    pub from: Option<Arc<str>>,
    pub names: Vec<ImportName>,
}

pub(crate) type PResult<T> = Result<T, String>;

mod parser;

pub(crate) use parser::{parse_except, parse_expr, parse_for, parse_import, parse_statement};

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(src: &str) -> String {
        format!("{:?}", parse_expr(src).unwrap())
    }

    #[test]
    fn precedence() {
        let s = shape("1 + 2 * 3 ** -1");
        assert!(
            s.starts_with("Binary(Add, Const(Int(1)), Binary(Mul"),
            "{s}"
        );
        let s = shape("not a == b and c or d");
        assert!(s.starts_with("Or(And(Not(Compare"), "{s}");
        let s = shape("a if b else c");
        assert!(s.starts_with("IfElse"), "{s}");
        let s = shape("x not in y is not z");
        assert!(s.contains("NotIn") && s.contains("IsNot"), "{s}");
        assert!(shape("-2").contains("Int(-2)"));
    }

    #[test]
    fn postfix_and_displays() {
        let s = shape("a.b[1:2]['k'](x, y=2, *z, **w)");
        assert!(s.starts_with("Call(Item(Slice(Attr"), "{s}");
        assert!(shape("max(e.u for e in es)").contains("Gen"));
        assert!(shape("[x for x in y if x]").contains("List"));
        assert!(shape("{k: v for k, v in d}").contains("Dict"));
        assert!(shape("{'a': 1, 'b': [2, (3,)]}").starts_with("Dict"));
        assert!(shape("a, b").starts_with("Tuple"));
        assert!(shape("()").starts_with("Tuple([])"));
    }

    #[test]
    fn errors() {
        assert!(parse_expr("").is_err());
        assert!(parse_expr("1 +").is_err());
        assert!(parse_expr("a b").is_err());
        assert!(parse_expr("lambda x: x").is_err());
        assert!(parse_expr("(1, 2").is_err());
        assert!(parse_expr("x.if").is_err());
        assert!(parse_expr(&format!("{}1{}", "(".repeat(500), ")".repeat(500))).is_err());
        assert!(parse_expr(&"not ".repeat(500)).is_err());
        assert!(parse_expr(&format!("{}1", "-".repeat(500))).is_err());
        assert!(parse_expr(&"2 ** ".repeat(500)).is_err());
    }

    #[test]
    fn statements() {
        assert!(
            matches!(parse_statement("x = 1").unwrap(), Statement::Assign(t, _) if t.len() == 1)
        );
        assert!(matches!(
            parse_statement("a, b = 1, 2").unwrap(),
            Statement::Assign(..)
        ));
        assert!(matches!(
            parse_statement("x += 1").unwrap(),
            Statement::AugAssign(..)
        ));
        assert!(matches!(
            parse_statement("l.append(1)").unwrap(),
            Statement::Expr(_)
        ));
        assert!(
            matches!(parse_statement("a = b = 3").unwrap(), Statement::Assign(t, _) if t.len() == 2)
        );
        assert!(parse_statement("1 = x").is_err());
        let (t, _) = parse_for("i, (a, b) in enumerate(x)").unwrap();
        assert!(matches!(t, Target::Tuple(v) if v.len() == 2));
        let imp = parse_import("import tornado.escape").unwrap();
        assert!(imp.names[0].top_package);
        let imp = parse_import("from a.b import (c as d, e,)").unwrap();
        assert_eq!(imp.names.len(), 2);
        assert!(parse_except("").unwrap().0.is_none());
        assert!(
            parse_except("(KeyError, ValueError) as e")
                .unwrap()
                .1
                .is_some()
        );
    }
}

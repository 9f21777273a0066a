//! Expressions and statements: evaluation of [`Expr`] trees, calls, assignment,
//! `{% set %}` and `{% import %}`.

use std::borrow::Cow;
use std::rc::Rc;
use std::sync::Arc;

use super::{Frame, is_path, unbound, undefined};
use crate::builtins::{get_attr, get_attr_ref, iterate};
use crate::error::{Error, ErrorKind, Result};
use crate::expr::{Arg, CompKind, Comprehension, Expr, Import, Statement, Target};
use crate::namespace::find_module;
use crate::ops;
use crate::value::{Args, Dict, Value};

impl<'p> Frame<'p, '_> {
    /// Evaluates `e`, borrowing when `e` is a name or a chain of dict lookups on one.
    pub(crate) fn eval_cow<'a>(&'a mut self, e: &'p Expr) -> Result<Cow<'a, Value>> {
        if is_path(e) {
            return self.path(e);
        }
        Ok(Cow::Owned(self.eval(e)?))
    }

    pub(super) fn path<'a>(&'a self, e: &'p Expr) -> Result<Cow<'a, Value>> {
        match e {
            Expr::Local(slot, name) => match &self.locals[*slot as usize] {
                Some(v) => Ok(Cow::Borrowed(v)),
                None => Err(unbound(name)),
            },
            Expr::Global(id, name) => match &self.locals[self.globals + *id as usize] {
                Some(v) => Ok(Cow::Borrowed(v)),
                None => Err(undefined(name)),
            },
            Expr::Attr(base, name) => match self.path(base)? {
                Cow::Borrowed(b) => match get_attr_ref(b, name) {
                    Some(v) => Ok(Cow::Borrowed(v)),
                    None => get_attr(b, name).map(Cow::Owned),
                },
                Cow::Owned(b) => get_attr(&b, name).map(Cow::Owned),
            },
            Expr::Item(base, key) => {
                let Expr::Const(k) = &**key else {
                    return Err(Error::type_error("bad path"));
                };
                let k = k.to_value();
                match self.path(base)? {
                    Cow::Borrowed(b) => match ops::get_item_ref(b, &k)? {
                        Some(v) => Ok(Cow::Borrowed(v)),
                        None => ops::get_item(b, &k).map(Cow::Owned),
                    },
                    Cow::Owned(b) => ops::get_item(&b, &k).map(Cow::Owned),
                }
            }
            _ => Err(Error::type_error("bad path")),
        }
    }

    pub(crate) fn eval(&mut self, e: &'p Expr) -> Result<Value> {
        match e {
            Expr::Const(c) => Ok(c.to_value()),
            Expr::Local(..) | Expr::Global(..) => Ok(self.path(e)?.into_owned()),
            Expr::Name(n) => Err(undefined(n)),
            Expr::Attr(base, name) => {
                if is_path(base) {
                    return Ok(self.path(e)?.into_owned());
                }
                let b = self.eval(base)?;
                get_attr(&b, name)
            }
            Expr::Item(base, key) => {
                let k = self.eval(key)?;
                let b = self.eval_cow(base)?;
                ops::get_item(&b, &k)
            }
            Expr::Slice(base, parts) => {
                let mut vals: [Option<Value>; 3] = [None, None, None];
                for (i, p) in parts.iter().enumerate() {
                    if let Some(p) = p {
                        vals[i] = Some(self.eval(p)?);
                    }
                }
                let b = self.eval_cow(base)?;
                ops::slice(&b, &vals)
            }
            Expr::Call(f, args) => self.call(f, args),
            Expr::Unary(op, a) => {
                let a = self.eval_cow(a)?;
                ops::unary(*op, &a)
            }
            Expr::Binary(op, a, b) => {
                let a = self.eval_cow(a)?.into_owned();
                let b = self.eval_cow(b)?;
                if matches!((&a, &*b), (Value::Object(_), _) | (_, Value::Object(_))) {
                    let add = *op == crate::expr::BinOp::Add;
                    if (add || *op == crate::expr::BinOp::Sub)
                        && let Some(v) = crate::datetime::arithmetic(add, &a, &b)
                    {
                        return Ok(v);
                    }
                }
                ops::binary(*op, &a, &b)
            }
            Expr::Compare(first, rest) => {
                let mut left = self.eval(first)?;
                for (op, right) in rest {
                    let r = self.eval(right)?;
                    if !ops::compare(*op, &left, &r)? {
                        return Ok(Value::Bool(false));
                    }
                    left = r;
                }
                Ok(Value::Bool(true))
            }
            Expr::And(a, b) => {
                let a = self.eval(a)?;
                if !a.truthy() {
                    return Ok(a);
                }
                self.eval(b)
            }
            Expr::Or(a, b) => {
                let a = self.eval(a)?;
                if a.truthy() {
                    return Ok(a);
                }
                self.eval(b)
            }
            Expr::Not(a) => Ok(Value::Bool(!self.truth(a)?)),
            Expr::IfElse(parts) => {
                let [cond, then, other] = &**parts;
                if self.truth(cond)? {
                    self.eval(then)
                } else {
                    self.eval(other)
                }
            }
            Expr::List(items) | Expr::Set(items) => {
                let mut v = Vec::with_capacity(items.len());
                for i in items {
                    v.push(self.eval(i)?);
                }
                if matches!(e, Expr::Set(_)) {
                    let mut uniq: Vec<Value> = Vec::with_capacity(v.len());
                    for x in v {
                        if !uniq.iter().any(|u| u.py_eq(&x)) {
                            uniq.push(x);
                        }
                    }
                    return Ok(Value::list(uniq));
                }
                Ok(Value::list(v))
            }
            Expr::Tuple(items) => {
                let mut v = Vec::with_capacity(items.len());
                for i in items {
                    v.push(self.eval(i)?);
                }
                Ok(Value::tuple(v))
            }
            Expr::Dict(pairs) => {
                let mut d = Dict::new();
                for (k, v) in pairs {
                    let k = self.eval(k)?;
                    let v = self.eval(v)?;
                    d.insert(k, v)?;
                }
                Ok(Value::dict(d))
            }
            Expr::Comp(c) => self.comprehension(c),
        }
    }

    pub(super) fn comprehension(&mut self, c: &'p Comprehension) -> Result<Value> {
        let mut items = Vec::new();
        let mut dict = Dict::new();
        self.comp_clause(c, 0, &mut items, &mut dict)?;
        Ok(match c.kind {
            CompKind::Dict => Value::dict(dict),
            CompKind::Set => {
                let mut uniq: Vec<Value> = Vec::with_capacity(items.len());
                for x in items {
                    if !uniq.iter().any(|u| u.py_eq(&x)) {
                        uniq.push(x);
                    }
                }
                Value::list(uniq)
            }
            _ => Value::list(items),
        })
    }

    pub(super) fn comp_clause(
        &mut self,
        c: &'p Comprehension,
        i: usize,
        items: &mut Vec<Value>,
        dict: &mut Dict,
    ) -> Result<()> {
        let Some(clause) = c.clauses.get(i) else {
            if c.kind == CompKind::Dict {
                let k = self.eval(&c.elt)?;
                let v = match &c.value {
                    Some(v) => self.eval(v)?,
                    None => Value::None,
                };
                dict.insert(k, v)?;
            } else {
                items.push(self.eval(&c.elt)?);
            }
            return Ok(());
        };
        let seq = self.eval(&clause.iter)?;
        let values = match seq {
            Value::List(l) | Value::Tuple(l) => l,
            other => Rc::new(iterate(&other)?),
        };
        'items: for v in values.iter() {
            self.assign(&clause.target, v.clone())?;
            for cond in &clause.conds {
                if !self.truth(cond)? {
                    continue 'items;
                }
            }
            self.comp_clause(c, i + 1, items, dict)?;
        }
        Ok(())
    }

    /// Pushes the arguments of a call onto the argument stacks.
    pub(super) fn push_args(&mut self, args: &'p [Arg]) -> Result<()> {
        for a in args {
            match a {
                Arg::Pos(x) => {
                    let v = self.eval(x)?;
                    self.stack.push(v);
                }
                Arg::Kw(name, x) => {
                    let v = self.eval(x)?;
                    self.kw_stack.push((name.clone(), v));
                }
                Arg::Star(x) => {
                    let v = self.eval(x)?;
                    self.stack.extend(iterate(&v)?);
                }
                Arg::StarStar(x) => match self.eval(x)? {
                    Value::Dict(d) => {
                        for (k, v) in d.iter() {
                            let k = k
                                .as_str()
                                .ok_or_else(|| Error::type_error("keywords must be strings"))?;
                            self.kw_stack.push((Arc::from(k), v.clone()));
                        }
                    }
                    other => {
                        return Err(Error::type_error(format!(
                            "argument after ** must be a mapping, not {}",
                            other.type_name()
                        )));
                    }
                },
            }
        }
        Ok(())
    }

    pub(super) fn call(&mut self, f: &'p Expr, args: &'p [Arg]) -> Result<Value> {
        let (base, kw_base) = (self.stack.len(), self.kw_stack.len());
        let r = self.call_inner(f, args, base, kw_base);
        self.stack.truncate(base);
        self.kw_stack.truncate(kw_base);
        r
    }

    pub(super) fn call_inner(
        &mut self,
        f: &'p Expr,
        args: &'p [Arg],
        base: usize,
        kw_base: usize,
    ) -> Result<Value> {
        if let Expr::Attr(recv, name) = f {
            // A method call: `x.append(1)` changes the list held by `x`.
            let recv_value = self.eval_cow(recv)?.into_owned();
            if crate::methods::is_mutating(&recv_value, name)
                && let Expr::Local(..) | Expr::Global(..) = &**recv
            {
                drop(recv_value);
                self.push_args(args)?;
                let pos = self.stack.split_off(base);
                let kws = self.kw_stack.split_off(kw_base);
                let slot = match &**recv {
                    Expr::Local(s, n) => self.locals[*s as usize]
                        .as_mut()
                        .ok_or_else(|| unbound(n))?,
                    Expr::Global(s, n) => self.locals[self.globals + *s as usize]
                        .as_mut()
                        .ok_or_else(|| undefined(n))?,
                    _ => return Err(Error::type_error("unreachable")),
                };
                return crate::methods::call_mut(
                    slot,
                    name,
                    &Args {
                        positional: &pos,
                        keywords: &kws,
                    },
                );
            }
            self.push_args(args)?;
            let a = Args {
                positional: &self.stack[base..],
                keywords: &self.kw_stack[kw_base..],
            };
            return crate::builtins::call_method(&recv_value, name, &a);
        }
        let func = self.eval_cow(f)?.into_owned();
        self.push_args(args)?;
        let a = Args {
            positional: &self.stack[base..],
            keywords: &self.kw_stack[kw_base..],
        };
        func.call(&a)
    }

    pub(super) fn assign(&mut self, t: &'p Target, v: Value) -> Result<()> {
        match t {
            Target::Local(slot, _) => {
                self.locals[*slot as usize] = Some(v);
                Ok(())
            }
            Target::Name(n) => Err(undefined(n)),
            Target::Tuple(parts) => {
                let items: Rc<Vec<Value>> = match v {
                    Value::List(l) | Value::Tuple(l) => l,
                    other => Rc::new(iterate(&other)?),
                };
                if items.len() != parts.len() {
                    return Err(Error::value_error(if items.len() < parts.len() {
                        format!(
                            "not enough values to unpack (expected {}, got {})",
                            parts.len(),
                            items.len()
                        )
                    } else {
                        format!("too many values to unpack (expected {})", parts.len())
                    }));
                }
                for (p, item) in parts.iter().zip(items.iter()) {
                    self.assign(p, item.clone())?;
                }
                Ok(())
            }
            Target::Item(base, key) => {
                let k = self.eval(key)?;
                let slot = match base {
                    Expr::Local(s, n) => self.locals[*s as usize]
                        .as_mut()
                        .ok_or_else(|| unbound(n))?,
                    Expr::Global(s, n) => self.locals[self.globals + *s as usize]
                        .as_mut()
                        .ok_or_else(|| undefined(n))?,
                    _ => {
                        return Err(Error::type_error(
                            "item assignment is supported on a name only (`{% set d[k] = v %}`)",
                        ));
                    }
                };
                ops::set_item(slot, k, v)
            }
            Target::Attr(_, name) => Err(Error::type_error(format!(
                "cannot set attribute {name:?}: attribute assignment is not supported in templates"
            ))),
        }
    }

    pub(super) fn statement(&mut self, st: &'p Statement) -> Result<()> {
        match st {
            Statement::Assign(targets, value) => {
                let v = self.eval(value)?;
                for t in targets {
                    self.assign(t, v.clone())?;
                }
                Ok(())
            }
            Statement::AugAssign(t, op, value) => {
                let r = self.eval(value)?;
                let cur = match t {
                    Target::Local(s, n) => {
                        self.locals[*s as usize].clone().ok_or_else(|| unbound(n))?
                    }
                    Target::Item(base, key) => {
                        let k = self.eval(key)?;
                        let b = self.eval_cow(base)?;
                        ops::get_item(&b, &k)?
                    }
                    _ => return Err(Error::type_error("illegal target for augmented assignment")),
                };
                let new = if let (Some(v), true) = (
                    crate::datetime::arithmetic(*op == crate::expr::BinOp::Add, &cur, &r),
                    matches!(op, crate::expr::BinOp::Add | crate::expr::BinOp::Sub),
                ) {
                    v
                } else {
                    ops::binary(*op, &cur, &r)?
                };
                self.assign(t, new)
            }
            Statement::Expr(e) => self.eval(e).map(drop),
        }
    }

    pub(super) fn import(&mut self, imp: &'p Import) -> Result<()> {
        match &imp.from {
            None => {
                for n in &imp.names {
                    let path = if n.top_package {
                        n.path.split('.').next().unwrap_or(&n.path).to_string()
                    } else {
                        n.path.to_string()
                    };
                    // Check the full path exists even when only the package is bound.
                    find_module(&n.path, self.modules)?;
                    let m = find_module(&path, self.modules)?;
                    self.assign(&n.bind, m)?;
                }
            }
            Some(module) => {
                let m = find_module(module, self.modules)?;
                for n in &imp.names {
                    let v = get_attr(&m, &n.path).map_err(|_| {
                        Error::new(
                            ErrorKind::Other("ImportError".into()),
                            format!("cannot import name '{}' from '{module}'", n.path),
                        )
                    })?;
                    self.assign(&n.bind, v)?;
                }
            }
        }
        Ok(())
    }
}

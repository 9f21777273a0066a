//! The interpreter: runs a compiled program over one render's locals and globals,
//! writing into one output buffer.

use std::rc::Rc;
use std::sync::Arc;

use crate::builtins::{Builtin, iterate};
use crate::compile::Short;
use crate::compile::{Branch, CHandler, FastCond, FastValue, Node, OutFast, Program};
use crate::error::{Error, ErrorKind, Result};
use crate::expr::{Arg, Const, Expr, Target};
use crate::namespace::SharedNamespace;
use crate::ops;
use crate::out::{Out, needs_escape};
use crate::value::{Args, Value};

mod expr;
mod write;

use write::{
    append_utf8, four_digits, int_between, push_int, str_between, write_escaped, write_value,
};

/// What a statement did to the enclosing loop.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    Normal,
    Break,
    Continue,
}

pub(crate) struct Frame<'p, 's> {
    pub prog: &'p Program,
    pub locals: &'s mut [Option<Value>],
    /// Where the globals start in `locals` (one vector holds both).
    pub globals: usize,
    /// Bit `g` is set when global `g` (of the first 64) holds the builtin `xhtml_escape`.
    escape_bits: u64,
    pub modules: &'p Arc<SharedNamespace>,
    /// Reused argument buffers, so a call allocates nothing.
    stack: Vec<Value>,
    kw_stack: Vec<(Arc<str>, Value)>,
}

impl Const {
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Const::None => Value::None,
            Const::Bool(b) => Value::Bool(*b),
            Const::Int(i) => Value::Int(*i),
            Const::Float(f) => Value::Float(*f),
            Const::Str(s) => Value::Str(s.clone()),
            Const::Bytes(b) => Value::Bytes(b.clone()),
        }
    }
}

fn unbound(name: &str) -> Error {
    Error::new(
        ErrorKind::UnboundLocal,
        format!("cannot access local variable '{name}' where it is not associated with a value"),
    )
}

fn undefined(name: &str) -> Error {
    Error::new(ErrorKind::Name, format!("name '{name}' is not defined"))
}

/// Whether `e` can be read by reference (names, and attribute/constant-key chains on them).
fn is_path(e: &Expr) -> bool {
    match e {
        Expr::Local(..) | Expr::Global(..) => true,
        Expr::Attr(b, _) => is_path(b),
        Expr::Item(b, k) => matches!(**k, Expr::Const(_)) && is_path(b),
        _ => false,
    }
}

/// Stores `item` in a local slot; numbers and `None` are copied without the general
/// clone-and-drop.
#[inline(always)]
fn store(cell: &mut Option<Value>, item: &Value) {
    match (cell.as_mut(), item) {
        (Some(Value::Int(d)), Value::Int(s)) => *d = *s,
        (Some(Value::Float(d)), Value::Float(s)) => *d = *s,
        (Some(Value::Dict(d)), Value::Dict(s)) => *d = Rc::clone(s),
        (Some(Value::List(d)), Value::List(s)) => *d = Rc::clone(s),
        (Some(Value::Str(d)), Value::Str(s)) => *d = Arc::clone(s),
        _ => *cell = Some(item.clone()),
    }
}

/// Stores an int in a local slot.
#[inline(always)]
fn store_int(cell: &mut Option<Value>, i: i64) {
    match cell {
        Some(Value::Int(d)) => *d = i,
        _ => *cell = Some(Value::Int(i)),
    }
}

/// The value of a name, without going through the general path walk.
#[inline(always)]
fn slot<'a>(frame: &'a Frame<'_, '_>, e: &Expr) -> Option<&'a Value> {
    match e {
        Expr::Local(s, _) => frame.locals.get(*s as usize)?.as_ref(),
        Expr::Global(s, _) => frame.locals.get(frame.globals + *s as usize)?.as_ref(),
        _ => None,
    }
}

/// Whether `v` is the builtin function `b`.
#[inline(always)]
fn is_builtin(v: &Value, b: Builtin) -> bool {
    matches!(v, Value::Function(f) if f.as_builtin() == Some(b))
}

/// A name, or an attribute of a dict held by a name (`team.name`), by reference.
#[inline(always)]
fn slot_or_attr<'a>(frame: &'a Frame<'_, '_>, e: &Expr) -> Option<&'a Value> {
    match e {
        Expr::Attr(base, name) => match slot(frame, base)? {
            Value::Dict(d) => d.get_str(name),
            _ => None,
        },
        _ => slot(frame, e),
    }
}

fn loc_err(prog: &Program, loc: u32) -> impl Fn(Error) -> Error + '_ {
    move |mut e| {
        if let Some(l) = prog.locations.get(loc as usize) {
            e.push_trace(l);
        }
        e
    }
}

impl<'p, 's> Frame<'p, 's> {
    /// A frame over `slots` (the locals, then the globals); bit `g` of `escape_bits` is
    /// set when global `g` holds the builtin `xhtml_escape`.
    pub(crate) fn new(
        prog: &'p Program,
        slots: &'s mut [Option<Value>],
        escape_bits: u64,
        modules: &'p Arc<SharedNamespace>,
    ) -> Frame<'p, 's> {
        Frame {
            prog,
            escape_bits,
            locals: slots,
            globals: prog.n_locals,
            modules,
            stack: Vec::new(),
            kw_stack: Vec::new(),
        }
    }

    /// Ends the render: the frame's argument buffers are dropped only when a call
    /// used them.
    pub(crate) fn finish(self) {
        if self.stack.capacity() == 0 && self.kw_stack.capacity() == 0 {
            // Nothing to free: skip the drop glue.
            std::mem::forget(self);
        }
    }

    pub(crate) fn exec(&mut self, nodes: &'p [Node], out: &mut Out) -> Result<Flow> {
        for node in nodes {
            match node {
                Node::Text(t) => t.write(out),
                Node::OutFast(f) => self.out_fast(f, out)?,
                Node::CondText {
                    prefix,
                    fast,
                    branch,
                    text,
                } => self.cond_text(prefix, *fast, branch, text, out)?,
                Node::Output { .. } => self.output_node(node, out)?,
                Node::Break => return Ok(Flow::Break),
                Node::Continue => return Ok(Flow::Continue),
                Node::If { branches, orelse } => {
                    let mut taken: &'p [Node] = orelse;
                    for b in branches {
                        if self.cond(b.fast, b)? {
                            taken = &b.body;
                            break;
                        }
                    }
                    if let [Node::Text(t)] = taken {
                        t.write(out);
                    } else if !taken.is_empty() {
                        let f = self.exec(taken, out)?;
                        if f != Flow::Normal {
                            return Ok(f);
                        }
                    }
                }
                Node::For {
                    target,
                    iter,
                    body,
                    orelse,
                    loc,
                    simple,
                } => {
                    if !self.for_loop(target, iter, body, *simple, *loc, out)? && !orelse.is_empty()
                    {
                        let f = self.exec(orelse, out)?;
                        if f != Flow::Normal {
                            return Ok(f);
                        }
                    }
                }
                other => {
                    let f = self.exec_other(other, out)?;
                    if f != Flow::Normal {
                        return Ok(f);
                    }
                }
            }
        }
        Ok(Flow::Normal)
    }

    /// `exec` for a simple body (see `Node::For::simple`).
    #[inline(always)]
    fn exec_simple(&mut self, nodes: &'p [Node], out: &mut Out) -> Result<()> {
        for node in nodes {
            match node {
                Node::OutFast(f) => self.out_fast(f, out)?,
                Node::Text(t) => t.write(out),
                Node::CondText {
                    prefix,
                    fast,
                    branch,
                    text,
                } => self.cond_text(prefix, *fast, branch, text, out)?,
                Node::Output { .. } => self.output_node(node, out)?,
                Node::If { branches, orelse } => {
                    let mut taken: &'p [Node] = orelse;
                    for b in branches {
                        if self.cond(b.fast, b)? {
                            taken = &b.body;
                            break;
                        }
                    }
                    match taken {
                        [] => {}
                        [Node::Text(t)] => t.write(out),
                        body => self.exec_simple_outlined(body, out)?,
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// A `CondText` node.
    #[inline(always)]
    fn cond_text(
        &mut self,
        prefix: &Short,
        fast: Option<FastCond>,
        branch: &'p Branch,
        text: &Short,
        out: &mut Out,
    ) -> Result<()> {
        match self.cond(fast, branch) {
            Ok(on) => {
                out.short_if(prefix, on, text);
                Ok(())
            }
            Err(e) => {
                // The text before the `if` was written before the error, as in Tornado.
                out.short(prefix);
                Err(e)
            }
        }
    }

    /// An `OutFast` node: the shortcut when the value is an int or a string, else its
    /// general node.
    #[inline(always)]
    fn out_fast(&mut self, f: &'p OutFast, out: &mut Out) -> Result<()> {
        if f.escape_mask & !self.escape_bits == 0 {
            let v = match &f.value {
                FastValue::Slot(i) => self.locals.get(*i).and_then(Option::as_ref),
                FastValue::Attr(i, name, hint) => match self.locals.get(*i) {
                    Some(Some(Value::Dict(d))) => d.get_str_hinted(name, hint),
                    _ => None,
                },
            };
            match v {
                Some(Value::Int(n)) => {
                    if (0..100).contains(n) {
                        out.two_digits_between(&f.prefix, *n as u8, &f.suffix);
                    } else if (0..10_000).contains(n) {
                        let (digits, skip) = four_digits(*n);
                        let digits = digits.get(skip..).unwrap_or_default();
                        out.short_between(&f.prefix, digits, &f.suffix);
                    } else {
                        int_between(out, &f.prefix, *n, &f.suffix);
                    }
                    return Ok(());
                }
                Some(Value::Str(s)) => {
                    let s = s.as_bytes();
                    if s.len() <= 16 && (f.escape_mask == 0 || !needs_escape(s)) {
                        out.short_between(&f.prefix, s, &f.suffix);
                    } else {
                        str_between(out, &f.prefix, s, f.escape_mask != 0, &f.suffix);
                    }
                    return Ok(());
                }
                _ => {}
            }
        }
        self.output_node(&f.general, out)
    }

    /// An `Output` node: its text, and its value through the general path.
    #[inline(never)]
    fn output_node(&mut self, node: &'p Node, out: &mut Out) -> Result<()> {
        let Node::Output {
            prefix,
            suffix,
            expr,
            escape,
            loc,
        } = node
        else {
            return Ok(());
        };
        if let Some(p) = prefix {
            p.write(out);
        }
        if let Err(e) = self.output(expr, escape.as_ref(), out) {
            return Err(loc_err(self.prog, *loc)(e));
        }
        if let Some(s) = suffix {
            s.write(out);
        }
        Ok(())
    }

    /// A loop over `items` into `slot` (and the index into `index`, for `enumerate`)
    /// whose body is simple: a small function of its own, so the loop keeps its state
    /// in registers.
    #[inline(never)]
    fn simple_loop(
        &mut self,
        index: Option<usize>,
        slot: usize,
        items: &[Value],
        body: &'p [Node],
        out: &mut Out,
    ) -> Result<()> {
        for (i, item) in items.iter().enumerate() {
            if let Some(a) = index
                && let Some(cell) = self.locals.get_mut(a)
            {
                store_int(cell, i as i64);
            }
            let Some(cell) = self.locals.get_mut(slot) else {
                break;
            };
            store(cell, item);
            self.exec_simple(body, out)?;
        }
        Ok(())
    }

    /// A loop over `items` into `slot` whose body is one `{{ }}` between texts (a list
    /// written out item by item): the smallest loop.
    #[inline(never)]
    fn output_loop(
        &mut self,
        slot: usize,
        items: &[Value],
        f: &'p OutFast,
        out: &mut Out,
    ) -> Result<()> {
        for item in items {
            let Some(cell) = self.locals.get_mut(slot) else {
                break;
            };
            store(cell, item);
            self.out_fast(f, out)?;
        }
        Ok(())
    }

    /// `exec_simple` as a function of its own (for the bodies of `{% if %}`s).
    #[inline(never)]
    fn exec_simple_outlined(&mut self, nodes: &'p [Node], out: &mut Out) -> Result<()> {
        self.exec_simple(nodes, out)
    }

    /// Every node but text and output, kept out of `exec` so that the loop over the
    /// common nodes stays small.
    #[inline(never)]
    fn exec_other(&mut self, node: &'p Node, out: &mut Out) -> Result<Flow> {
        let prog = self.prog;
        match node {
            Node::Text(_)
            | Node::Output { .. }
            | Node::OutFast(_)
            | Node::CondText { .. }
            | Node::Break
            | Node::Continue => Ok(Flow::Normal),
            Node::Statement(st, loc) => {
                self.statement(st).map_err(loc_err(prog, *loc))?;
                Ok(Flow::Normal)
            }
            Node::Import(imp, loc) => {
                self.import(imp).map_err(loc_err(prog, *loc))?;
                Ok(Flow::Normal)
            }
            Node::If { .. } => Ok(Flow::Normal),
            Node::For {
                target,
                iter,
                body,
                orelse,
                loc,
                simple,
            } => {
                if self.for_loop(target, iter, body, *simple, *loc, out)? {
                    Ok(Flow::Normal)
                } else {
                    self.exec(orelse, out)
                }
            }
            Node::While {
                cond,
                body,
                orelse,
                loc,
            } => {
                while self.truth(cond).map_err(loc_err(prog, *loc))? {
                    if self.exec(body, out)? == Flow::Break {
                        return Ok(Flow::Normal);
                    }
                }
                self.exec(orelse, out)
            }
            Node::Try {
                body,
                handlers,
                orelse,
                finally,
                loc,
            } => self.try_block(body, handlers, orelse, finally, *loc, out),
            Node::Apply {
                func,
                body,
                loc,
                slots,
            } => {
                let f = self.eval(func).map_err(loc_err(prog, *loc))?;
                // A fresh call of the nested function: its locals start unbound.
                for s in slots.0..slots.1 {
                    self.locals[s] = None;
                }
                let mut inner = Out::from_vec(Vec::new());
                self.exec(body, &mut inner)?;
                let inner = inner.into_vec();
                let r = f
                    .call(&Args::new(&[Value::from(inner)]))
                    .map_err(loc_err(prog, *loc))?;
                append_utf8(&r, out).map_err(loc_err(prog, *loc))?;
                Ok(Flow::Normal)
            }
        }
    }

    #[inline(never)]
    fn try_block(
        &mut self,
        body: &'p [Node],
        handlers: &'p [CHandler],
        orelse: &'p [Node],
        finally: &'p [Node],
        loc: u32,
        out: &mut Out,
    ) -> Result<Flow> {
        let mut result = match self.exec(body, out) {
            Ok(Flow::Normal) => self.exec(orelse, out),
            Ok(f) => Ok(f),
            Err(e) => {
                // Output written before the error stays, as in Tornado.
                let mut handled = None;
                for h in handlers {
                    if self.matches(h, &e).map_err(loc_err(self.prog, h.loc))? {
                        if let Some(t) = &h.name {
                            let ev = Value::object(crate::template::ExceptionValue(e.clone()));
                            self.assign(t, ev).map_err(loc_err(self.prog, h.loc))?;
                        }
                        handled = Some(self.exec(&h.body, out));
                        break;
                    }
                }
                handled.unwrap_or(Err(e))
            }
        };
        let _ = loc;
        if !finally.is_empty() {
            match self.exec(finally, out) {
                Ok(Flow::Normal) => {}
                other => result = other,
            }
        }
        result
    }

    fn matches(&mut self, h: &CHandler, e: &Error) -> Result<bool> {
        let Some(classes) = &h.classes else {
            return Ok(true);
        };
        let mut names = Vec::new();
        fn collect(e: &Expr, out: &mut Vec<Arc<str>>) {
            match e {
                Expr::Global(_, n) | Expr::Local(_, n) | Expr::Attr(_, n) => out.push(n.clone()),
                Expr::Tuple(items) => items.iter().for_each(|i| collect(i, out)),
                _ => {}
            }
        }
        collect(classes, &mut names);
        Ok(names.iter().any(|n| e.kind().is_instance_of(n)))
    }

    /// Runs a `for`; returns whether it ended with `break`.
    #[inline(never)]
    fn for_loop(
        &mut self,
        target: &'p Target,
        iter: &'p Expr,
        body: &'p [Node],
        simple: bool,
        loc: u32,
        out: &mut Out,
    ) -> Result<bool> {
        let prog = self.prog;
        // `for i, x in enumerate(seq)`: no tuple per item.
        if let (Expr::Call(f, args), Target::Tuple(parts)) = (iter, target)
            && let ([Arg::Pos(seq)], [t_index, t_item]) = (args.as_slice(), parts.as_slice())
        {
            let is_enumerate = match slot(self, f) {
                Some(v) => is_builtin(v, Builtin::Enumerate),
                None => matches!(self.eval_cow(f), Ok(v) if is_builtin(&v, Builtin::Enumerate)),
            };
            if is_enumerate {
                let seq = match slot(self, seq) {
                    Some(v) => v.clone(),
                    None => self.eval(seq).map_err(loc_err(prog, loc))?,
                };
                let items = match seq {
                    Value::List(items) | Value::Tuple(items) => items,
                    other => Rc::new(iterate(&other).map_err(loc_err(prog, loc))?),
                };
                if simple && let (Target::Local(a, _), Target::Local(b, _)) = (t_index, t_item) {
                    self.simple_loop(Some(*a as usize), *b as usize, &items, body, out)?;
                    return Ok(false);
                }
                for (i, item) in items.iter().enumerate() {
                    if let (Target::Local(a, _), Target::Local(b, _)) = (t_index, t_item) {
                        store_int(&mut self.locals[*a as usize], i as i64);
                        store(&mut self.locals[*b as usize], item);
                    } else {
                        self.assign(t_index, Value::Int(i as i64))
                            .map_err(loc_err(prog, loc))?;
                        self.assign(t_item, item.clone())
                            .map_err(loc_err(prog, loc))?;
                    }
                    if self.exec(body, out)? == Flow::Break {
                        return Ok(true);
                    }
                }
                return Ok(false);
            }
        }
        let seq = self.eval(iter).map_err(loc_err(prog, loc))?;
        match seq {
            Value::List(items) | Value::Tuple(items) => {
                if let Target::Local(slot, _) = target {
                    let slot = *slot as usize;
                    if let [Node::OutFast(f)] = body {
                        self.output_loop(slot, &items, f, out)?;
                        return Ok(false);
                    }
                    if simple {
                        self.simple_loop(None, slot, &items, body, out)?;
                        return Ok(false);
                    }
                    for item in items.iter() {
                        store(&mut self.locals[slot], item);
                        if self.exec(body, out)? == Flow::Break {
                            return Ok(true);
                        }
                    }
                } else {
                    for item in items.iter() {
                        self.assign(target, item.clone())
                            .map_err(loc_err(prog, loc))?;
                        if self.exec(body, out)? == Flow::Break {
                            return Ok(true);
                        }
                    }
                }
            }
            Value::Range(r) => {
                for i in 0..r.len() {
                    self.assign(target, Value::Int(r.get(i)))
                        .map_err(loc_err(prog, loc))?;
                    if self.exec(body, out)? == Flow::Break {
                        return Ok(true);
                    }
                }
            }
            other => {
                for item in iterate(&other).map_err(loc_err(prog, loc))? {
                    self.assign(target, item).map_err(loc_err(prog, loc))?;
                    if self.exec(body, out)? == Flow::Break {
                        return Ok(true);
                    }
                }
            }
        }
        Ok(false)
    }

    /// `{{ expr }}`: the common case (a name holding a number or a string, escaped by
    /// the builtin `xhtml_escape`) inline, everything else in `output_general`.
    #[inline(always)]
    fn output(&mut self, expr: &'p Expr, escape: Option<&'p Expr>, out: &mut Out) -> Result<()> {
        if let (Some(Value::Function(f)), Some(v)) =
            (escape.and_then(|e| slot(self, e)), slot_or_attr(self, expr))
            && f.as_builtin() == Some(Builtin::XhtmlEscape)
        {
            match v {
                Value::Int(i) => {
                    push_int(out, *i);
                    return Ok(());
                }
                Value::Str(s) => {
                    out.extend_escaped(s.as_bytes());
                    return Ok(());
                }
                _ => {}
            }
        }
        self.output_general(expr, escape, out)
    }

    #[inline(never)]
    fn output_general(
        &mut self,
        expr: &'p Expr,
        escape: Option<&'p Expr>,
        out: &mut Out,
    ) -> Result<()> {
        let Some(esc) = escape else {
            if let Some(v) = slot(self, expr) {
                write_value(v, out);
                return Ok(());
            }
            let v = self.eval_cow(expr)?;
            write_value(&v, out);
            return Ok(());
        };
        let fast = match slot(self, esc) {
            Some(v) => {
                matches!(v, Value::Function(f) if f.as_builtin() == Some(Builtin::XhtmlEscape))
            }
            None => {
                matches!(&*self.eval_cow(esc)?, Value::Function(f) if f.as_builtin() == Some(Builtin::XhtmlEscape))
            }
        };
        if fast {
            if let Some(v) = slot(self, expr) {
                return write_escaped(v, out);
            }
            let v = self.eval_cow(expr)?;
            return write_escaped(&v, out);
        }
        let f = self.eval(esc)?;
        let v = self.eval_cow(expr)?;
        let mut bytes = Out::from_vec(Vec::new());
        write_value(&v, &mut bytes);
        let bytes = bytes.into_vec();
        drop(v);
        let r = f.call(&Args::new(&[Value::from(bytes)]))?;
        append_utf8(&r, out)
    }

    /// Whether the condition of an `{% if %}` branch holds (`fast`: its shortcut).
    #[inline(always)]
    fn cond(&mut self, fast: Option<FastCond>, b: &'p Branch) -> Result<bool> {
        if let Some(FastCond::IntIn {
            slot,
            lo,
            hi,
            negate,
        }) = fast
            && let Some(Some(Value::Int(a))) = self.locals.get(slot)
        {
            return Ok((lo..=hi).contains(a) != negate);
        }
        self.truth(&b.cond).map_err(loc_err(self.prog, b.loc))
    }

    fn truth(&mut self, e: &'p Expr) -> Result<bool> {
        match e {
            // `x == 0`-style tests of a name against an integer literal.
            Expr::Compare(first, rest)
                if rest.len() == 1 && matches!(rest[0].1, Expr::Const(Const::Int(_))) =>
            {
                if let (Some(Value::Int(a)), Expr::Const(Const::Int(b))) =
                    (slot(self, first), &rest[0].1)
                {
                    let (a, b) = (*a, *b);
                    return Ok(match rest[0].0 {
                        crate::expr::CmpOp::Eq => a == b,
                        crate::expr::CmpOp::Ne => a != b,
                        crate::expr::CmpOp::Lt => a < b,
                        crate::expr::CmpOp::Le => a <= b,
                        crate::expr::CmpOp::Gt => a > b,
                        crate::expr::CmpOp::Ge => a >= b,
                        _ => return self.truth_general(e),
                    });
                }
                self.truth_general(e)
            }
            _ => self.truth_general(e),
        }
    }

    fn truth_general(&mut self, e: &'p Expr) -> Result<bool> {
        match e {
            Expr::Compare(first, rest) if rest.len() == 1 => {
                let a = self.eval_cow(first)?.into_owned();
                let b = self.eval_cow(&rest[0].1)?;
                ops::compare(rest[0].0, &a, &b)
            }
            _ => Ok(self.eval_cow(e)?.truthy()),
        }
    }
}

#[cfg(test)]
mod tests;

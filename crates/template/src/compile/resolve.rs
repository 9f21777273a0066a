//! Name resolution: every name of a linked program becomes a local slot or a global.

use std::collections::HashMap;
use std::sync::Arc;

use super::Node;
use crate::expr::{Arg, CompClause, Expr, Statement, Target};

/// Assigns slots: Python's rule that a name assigned anywhere in a function is local to
/// all of it; `apply` bodies are nested functions and comprehensions their own scopes.
pub(super) struct Resolver {
    pub(super) scopes: Vec<HashMap<Arc<str>, u32>>,
    pub(super) n_locals: usize,
    pub(super) globals: Vec<Arc<str>>,
    pub(super) global_ids: HashMap<Arc<str>, u32>,
}

fn target_names(t: &Target, out: &mut Vec<Arc<str>>) {
    match t {
        Target::Name(n) | Target::Local(_, n) => out.push(n.clone()),
        Target::Tuple(items) => items.iter().for_each(|i| target_names(i, out)),
        Target::Item(..) | Target::Attr(..) => {}
    }
}

fn assigned_names(nodes: &[Node], out: &mut Vec<Arc<str>>) {
    for n in nodes {
        match n {
            Node::Statement(Statement::Assign(targets, _), _) => {
                targets.iter().for_each(|t| target_names(t, out))
            }
            Node::Statement(Statement::AugAssign(t, _, _), _) => target_names(t, out),
            Node::Import(imp, _) => imp.names.iter().for_each(|n| target_names(&n.bind, out)),
            Node::For {
                target,
                body,
                orelse,
                ..
            } => {
                target_names(target, out);
                assigned_names(body, out);
                assigned_names(orelse, out);
            }
            Node::While { body, orelse, .. } => {
                assigned_names(body, out);
                assigned_names(orelse, out);
            }
            Node::If { branches, orelse } => {
                branches.iter().for_each(|b| assigned_names(&b.body, out));
                assigned_names(orelse, out);
            }
            Node::Try {
                body,
                handlers,
                orelse,
                finally,
                ..
            } => {
                assigned_names(body, out);
                for h in handlers {
                    if let Some(t) = &h.name {
                        target_names(t, out);
                    }
                    assigned_names(&h.body, out);
                }
                assigned_names(orelse, out);
                assigned_names(finally, out);
            }
            _ => {}
        }
    }
}

impl Resolver {
    fn new_slot(&mut self) -> u32 {
        self.n_locals += 1;
        (self.n_locals - 1) as u32
    }

    /// Opens a function scope over `nodes`; returns the slot range of its locals.
    pub(super) fn function(&mut self, nodes: &mut [Node], _apply: Option<()>) -> (usize, usize) {
        let mut names = Vec::new();
        assigned_names(nodes, &mut names);
        let first = self.n_locals;
        let mut scope = HashMap::new();
        for n in names {
            scope.entry(n).or_insert_with(|| self.new_slot());
        }
        self.scopes.push(scope);
        for n in nodes.iter_mut() {
            self.node(n);
        }
        self.scopes.pop();
        (first, self.n_locals)
    }

    fn lookup(&mut self, name: &Arc<str>) -> Expr {
        for scope in self.scopes.iter().rev() {
            if let Some(&s) = scope.get(name) {
                return Expr::Local(s, name.clone());
            }
        }
        let id = match self.global_ids.get(name) {
            Some(&id) => id,
            None => {
                let id = self.globals.len() as u32;
                self.globals.push(name.clone());
                self.global_ids.insert(name.clone(), id);
                id
            }
        };
        Expr::Global(id, name.clone())
    }

    fn target(&mut self, t: &mut Target) {
        match t {
            Target::Name(n) => {
                let n = n.clone();
                if let Expr::Local(s, _) = self.lookup(&n) {
                    *t = Target::Local(s, n);
                }
            }
            Target::Local(..) => {}
            Target::Tuple(items) => items.iter_mut().for_each(|i| self.target(i)),
            Target::Item(base, key) => {
                self.expr(base);
                self.expr(key);
            }
            Target::Attr(base, _) => self.expr(base),
        }
    }

    fn nodes(&mut self, nodes: &mut [Node]) {
        for n in nodes {
            self.node(n);
        }
    }

    fn node(&mut self, n: &mut Node) {
        match n {
            // `OutFast` nodes are made after names are resolved.
            Node::Text(_)
            | Node::OutFast(_)
            | Node::CondText { .. }
            | Node::Break
            | Node::Continue => {}
            Node::Output { expr, escape, .. } => {
                self.expr(expr);
                if let Some(e) = escape {
                    self.expr(e);
                }
            }
            Node::Statement(st, _) => match st {
                Statement::Assign(targets, value) => {
                    self.expr(value);
                    targets.iter_mut().for_each(|t| self.target(t));
                }
                Statement::AugAssign(t, _, value) => {
                    self.expr(value);
                    self.target(t);
                }
                Statement::Expr(e) => self.expr(e),
            },
            Node::Import(imp, _) => imp.names.iter_mut().for_each(|n| self.target(&mut n.bind)),
            Node::If { branches, orelse } => {
                for b in branches {
                    self.expr(&mut b.cond);
                    self.nodes(&mut b.body);
                }
                self.nodes(orelse);
            }
            Node::For {
                target,
                iter,
                body,
                orelse,
                ..
            } => {
                self.expr(iter);
                self.target(target);
                self.nodes(body);
                self.nodes(orelse);
            }
            Node::While {
                cond, body, orelse, ..
            } => {
                self.expr(cond);
                self.nodes(body);
                self.nodes(orelse);
            }
            Node::Try {
                body,
                handlers,
                orelse,
                finally,
                ..
            } => {
                self.nodes(body);
                for h in handlers {
                    if let Some(c) = &mut h.classes {
                        self.expr(c);
                    }
                    if let Some(t) = &mut h.name {
                        self.target(t);
                    }
                    self.nodes(&mut h.body);
                }
                self.nodes(orelse);
                self.nodes(finally);
            }
            Node::Apply {
                func, body, slots, ..
            } => {
                self.expr(func);
                *slots = self.function(body, Some(()));
            }
        }
    }

    fn expr(&mut self, e: &mut Expr) {
        match e {
            Expr::Name(n) => {
                let n = n.clone();
                *e = self.lookup(&n);
            }
            Expr::Const(_) | Expr::Local(..) | Expr::Global(..) => {}
            Expr::Attr(b, _) | Expr::Unary(_, b) | Expr::Not(b) => self.expr(b),
            Expr::Item(a, b) | Expr::Binary(_, a, b) | Expr::And(a, b) | Expr::Or(a, b) => {
                self.expr(a);
                self.expr(b);
            }
            Expr::Slice(b, parts) => {
                self.expr(b);
                for p in parts.iter_mut().flatten() {
                    self.expr(p);
                }
            }
            Expr::Call(f, args) => {
                self.expr(f);
                for a in args {
                    match a {
                        Arg::Pos(x) | Arg::Kw(_, x) | Arg::Star(x) | Arg::StarStar(x) => {
                            self.expr(x)
                        }
                    }
                }
            }
            Expr::Compare(first, rest) => {
                self.expr(first);
                rest.iter_mut().for_each(|(_, x)| self.expr(x));
            }
            Expr::IfElse(parts) => parts.iter_mut().for_each(|x| self.expr(x)),
            Expr::List(items) | Expr::Tuple(items) | Expr::Set(items) => {
                items.iter_mut().for_each(|x| self.expr(x))
            }
            Expr::Dict(pairs) => {
                for (k, v) in pairs {
                    self.expr(k);
                    self.expr(v);
                }
            }
            Expr::Comp(c) => {
                // The first iterable is evaluated in the enclosing scope; everything else
                // sees the comprehension's own targets.
                let mut clauses = std::mem::take(&mut c.clauses);
                if let Some(first) = clauses.first_mut() {
                    self.expr(&mut first.iter);
                }
                let mut names = Vec::new();
                for CompClause { target, .. } in &clauses {
                    target_names(target, &mut names);
                }
                let mut scope = HashMap::new();
                for n in names {
                    scope.entry(n).or_insert_with(|| self.new_slot());
                }
                self.scopes.push(scope);
                for (i, cl) in clauses.iter_mut().enumerate() {
                    if i > 0 {
                        self.expr(&mut cl.iter);
                    }
                    self.target(&mut cl.target);
                    cl.conds.iter_mut().for_each(|x| self.expr(x));
                }
                self.expr(&mut c.elt);
                if let Some(v) = &mut c.value {
                    self.expr(v);
                }
                self.scopes.pop();
                c.clauses = clauses;
            }
        }
    }
}

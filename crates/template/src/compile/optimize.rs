//! Rewrites of a linked program that make it cheaper to run: text fused into the
//! outputs around it, and the shortcut of each `{{ }}` decided once.

use std::sync::Arc;

use super::{Node, Piece};
use crate::expr::Expr;
use crate::expr::{CmpOp, Const};
use crate::value::Hint;

/// Moves each `Text` that precedes an `Output` into the output's prefix: one node less
/// to dispatch per `text{{ expr }}` pair.
pub(super) fn fuse(nodes: &mut Vec<Node>) {
    let old = std::mem::take(nodes);
    let mut pending: Option<Piece> = None;
    for mut n in old {
        match &mut n {
            Node::If { branches, orelse } => {
                branches.iter_mut().for_each(|b| fuse(&mut b.body));
                fuse(orelse);
            }
            Node::For { body, orelse, .. } | Node::While { body, orelse, .. } => {
                fuse(body);
                fuse(orelse);
            }
            Node::Try {
                body,
                handlers,
                orelse,
                finally,
                ..
            } => {
                fuse(body);
                handlers.iter_mut().for_each(|h| fuse(&mut h.body));
                fuse(orelse);
                fuse(finally);
            }
            Node::Apply { body, .. } => fuse(body),
            _ => {}
        }
        match n {
            Node::Text(t) => {
                if let Some(p) = pending.take() {
                    nodes.push(Node::Text(p));
                }
                pending = Some(t);
            }
            Node::Output {
                prefix: None,
                suffix: None,
                expr,
                escape,
                loc,
            } => {
                nodes.push(Node::Output {
                    prefix: pending.take(),
                    suffix: None,
                    expr,
                    escape,
                    loc,
                });
            }
            other => {
                flush_text(nodes, pending.take());
                nodes.push(other);
            }
        }
    }
    flush_text(nodes, pending);
}

/// Where a shortcut `{{ }}` finds its value: a slot (locals, then globals, in one
/// vector), or a key of a dict held in a slot.
#[derive(Debug, Clone)]
pub(crate) enum FastValue {
    Slot(usize),
    Attr(usize, Arc<str>, Hint),
}

/// Text of at most 16 bytes, written with one 16-byte copy.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Short {
    pub bytes: [u8; 16],
    pub len: u8,
}

/// `{{ name }}` or `{{ name.key }}` with short text around it: the interpreter writes
/// the text and an int or a string directly; for anything else it runs `general`.
#[derive(Debug)]
pub(crate) struct OutFast {
    pub prefix: Short,
    pub value: FastValue,
    /// `0`: raw. Else the bit of the global holding the escape function: the shortcut
    /// applies when that global holds the builtin `xhtml_escape`.
    pub escape_mask: u64,
    pub suffix: Short,
    /// The same output as an `Output` node.
    pub general: Box<Node>,
}

/// The shortcut of a condition: a name compared with an integer.
#[derive(Debug, Clone, Copy)]
pub(crate) enum FastCond {
    /// `slot OP k` (`OP` one of `== != < <= > >=`), when the slot holds an int: true
    /// when the int is in `lo..=hi`, or when it is not if `negate`.
    IntIn {
        slot: usize,
        lo: i64,
        hi: i64,
        negate: bool,
    },
}

fn slot_index(e: &Expr, n_locals: usize) -> Option<usize> {
    match e {
        Expr::Local(s, _) => Some(*s as usize),
        Expr::Global(g, _) => Some(n_locals + *g as usize),
        _ => None,
    }
}

fn fast_cond(cond: &Expr, n_locals: usize) -> Option<FastCond> {
    let Expr::Compare(first, rest) = cond else {
        return None;
    };
    match rest.as_slice() {
        [(op, Expr::Const(Const::Int(k)))]
            if matches!(
                op,
                CmpOp::Eq | CmpOp::Ne | CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge
            ) =>
        {
            let k = *k;
            let (lo, hi, negate) = match op {
                CmpOp::Eq => (k, k, false),
                CmpOp::Ne => (k, k, true),
                CmpOp::Lt => (i64::MIN, k.checked_sub(1)?, false),
                CmpOp::Le => (i64::MIN, k, false),
                CmpOp::Gt => (k.checked_add(1)?, i64::MAX, false),
                _ => (k, i64::MAX, false),
            };
            Some(FastCond::IntIn {
                slot: slot_index(first, n_locals)?,
                lo,
                hi,
                negate,
            })
        }
        _ => None,
    }
}

/// The shortcut of an output node's value and escape mask, when it has one.
fn fast_output(expr: &Expr, escape: Option<&Expr>, n_locals: usize) -> Option<(FastValue, u64)> {
    let value = match expr {
        Expr::Attr(base, name) => {
            FastValue::Attr(slot_index(base, n_locals)?, name.clone(), Hint::default())
        }
        e => FastValue::Slot(slot_index(e, n_locals)?),
    };
    let mask = match escape {
        None => 0,
        Some(Expr::Global(g, _)) if *g < 64 => 1u64 << g,
        Some(_) => return None,
    };
    Some((value, mask))
}

/// Splits a piece into the short text an `OutFast` writes and the long text that
/// needs a `Text` node of its own.
fn split(p: Option<Piece>) -> (Short, Option<Piece>) {
    match p {
        Some(Piece::Small(bytes, len)) => (Short { bytes, len }, None),
        other => (Short::default(), other),
    }
}

/// Turns every output node that can take a shortcut into an `OutFast` (with `Text`
/// nodes around it for long text) and sets the shortcut of every condition.
pub(super) fn specialize(nodes: &mut Vec<Node>, n_locals: usize) {
    let old = std::mem::take(nodes);
    for n in old {
        let mut n = match n {
            Node::Output {
                prefix,
                suffix,
                expr,
                escape,
                loc,
            } => match fast_output(&expr, escape.as_ref(), n_locals) {
                Some((value, escape_mask)) => {
                    let (prefix, long_prefix) = split(prefix);
                    let (suffix, long_suffix) = split(suffix);
                    if let Some(t) = long_prefix {
                        nodes.push(Node::Text(t));
                    }
                    let general = Box::new(Node::Output {
                        prefix: (prefix.len > 0).then_some(Piece::Small(prefix.bytes, prefix.len)),
                        suffix: (suffix.len > 0).then_some(Piece::Small(suffix.bytes, suffix.len)),
                        expr,
                        escape,
                        loc,
                    });
                    nodes.push(Node::OutFast(OutFast {
                        prefix,
                        value,
                        escape_mask,
                        suffix,
                        general,
                    }));
                    if let Some(t) = long_suffix {
                        nodes.push(Node::Text(t));
                    }
                    continue;
                }
                None => Node::Output {
                    prefix,
                    suffix,
                    expr,
                    escape,
                    loc,
                },
            },
            other => other,
        };
        match &mut n {
            Node::If { branches, orelse } => {
                for b in branches.iter_mut() {
                    b.fast = fast_cond(&b.cond, n_locals);
                    specialize(&mut b.body, n_locals);
                }
                specialize(orelse, n_locals);
            }
            Node::For {
                body,
                orelse,
                simple,
                ..
            } => {
                specialize(body, n_locals);
                specialize(orelse, n_locals);
                *simple = is_simple(body);
            }
            Node::While { body, orelse, .. } => {
                specialize(body, n_locals);
                specialize(orelse, n_locals);
            }
            Node::Try {
                body,
                handlers,
                orelse,
                finally,
                ..
            } => {
                specialize(body, n_locals);
                handlers
                    .iter_mut()
                    .for_each(|h| specialize(&mut h.body, n_locals));
                specialize(orelse, n_locals);
                specialize(finally, n_locals);
            }
            Node::Apply { body, .. } => specialize(body, n_locals),
            _ => {}
        }
        let n = match n {
            Node::If {
                mut branches,
                orelse,
            } if branches.len() == 1
                && orelse.is_empty()
                && matches!(branches[0].body.as_slice(), [Node::Text(Piece::Small(..))]) =>
            {
                // `text{% if c %}text{% end %}`: one node, the text before it included.
                let prefix = match nodes.last() {
                    Some(Node::Text(Piece::Small(bytes, len))) => {
                        let p = Short {
                            bytes: *bytes,
                            len: *len,
                        };
                        nodes.pop();
                        p
                    }
                    _ => Short::default(),
                };
                let mut branch = branches.swap_remove(0);
                let text = match branch.body.pop() {
                    Some(Node::Text(Piece::Small(bytes, len))) => Short { bytes, len },
                    _ => Short::default(),
                };
                Node::CondText {
                    prefix,
                    fast: branch.fast,
                    branch: Box::new(branch),
                    text,
                }
            }
            n => n,
        };
        nodes.push(n);
    }
}

/// Whether `nodes` are only text, output, and `{% if %}`s whose bodies are simple.
fn is_simple(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Text(_) | Node::Output { .. } | Node::OutFast(_) | Node::CondText { .. } => true,
        Node::If { branches, orelse } => {
            branches.iter().all(|b| is_simple(&b.body)) && is_simple(orelse)
        }
        _ => false,
    })
}

/// Text that no output follows becomes the suffix of the output just before it.
fn flush_text(nodes: &mut Vec<Node>, text: Option<Piece>) {
    let Some(t) = text else { return };
    if let Some(Node::Output {
        suffix: suffix @ None,
        ..
    }) = nodes.last_mut()
    {
        *suffix = Some(t);
    } else {
        nodes.push(Node::Text(t));
    }
}

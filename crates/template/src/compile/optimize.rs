//! Rewrites of a linked program that make it cheaper to run: text fused into the
//! outputs around it, and the shortcut of each `{{ }}` decided once.

use std::sync::Arc;

use super::{Node, Piece};
use crate::expr::Expr;

/// Moves each `Text` that precedes an `Output` into the output's prefix: one node less
/// to dispatch per `text{{ expr }}` pair.
pub(super) fn fuse(nodes: &mut Vec<Node>) {
    let old = std::mem::take(nodes);
    let mut pending: Option<Piece> = None;
    for mut n in old {
        match &mut n {
            Node::If { branches, orelse } => {
                branches.iter_mut().for_each(|(_, b, _)| fuse(b));
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
                fast,
                expr,
                escape,
                loc,
            } => {
                nodes.push(Node::Output {
                    prefix: pending.take(),
                    suffix: None,
                    fast,
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
    Attr(usize, Arc<str>),
}

/// The shortcut of an output node: its value and its escape function (`None`: raw;
/// `Some(g)`: the global `g`, used when it holds the builtin `xhtml_escape`).
#[derive(Debug, Clone)]
pub(crate) struct Fast {
    pub value: FastValue,
    pub escape: Option<usize>,
}

fn slot_index(e: &Expr, n_locals: usize) -> Option<usize> {
    match e {
        Expr::Local(s, _) => Some(*s as usize),
        Expr::Global(g, _) => Some(n_locals + *g as usize),
        _ => None,
    }
}

/// Fills in the shortcut of every output node that can take it.
pub(super) fn set_fast(nodes: &mut [Node], n_locals: usize) {
    for n in nodes {
        match n {
            Node::Output {
                fast, expr, escape, ..
            } => {
                let value = match expr {
                    Expr::Attr(base, name) => {
                        slot_index(base, n_locals).map(|i| FastValue::Attr(i, name.clone()))
                    }
                    e => slot_index(e, n_locals).map(FastValue::Slot),
                };
                let esc = match escape {
                    None => Some(None),
                    Some(Expr::Global(g, _)) => Some(Some(*g as usize)),
                    Some(_) => None,
                };
                if let (Some(value), Some(escape)) = (value, esc) {
                    *fast = Some(Fast { value, escape });
                }
            }
            Node::If { branches, orelse } => {
                branches
                    .iter_mut()
                    .for_each(|(_, b, _)| set_fast(b, n_locals));
                set_fast(orelse, n_locals);
            }
            Node::For { body, orelse, .. } | Node::While { body, orelse, .. } => {
                set_fast(body, n_locals);
                set_fast(orelse, n_locals);
            }
            Node::Try {
                body,
                handlers,
                orelse,
                finally,
                ..
            } => {
                set_fast(body, n_locals);
                handlers
                    .iter_mut()
                    .for_each(|h| set_fast(&mut h.body, n_locals));
                set_fast(orelse, n_locals);
                set_fast(finally, n_locals);
            }
            Node::Apply { body, .. } => set_fast(body, n_locals),
            _ => {}
        }
    }
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

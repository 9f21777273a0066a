//! Linking: turns a parsed file plus its ancestors (`{% extends %}`), the blocks that
//! override theirs and the files it includes into one program, as Tornado's code
//! generator does, then resolves every name to a local slot or a global.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::expr::{Arg, CompClause, Expr, Import, Statement, Target};
use crate::loader::BaseLoader;
use crate::parse::{Chunk, Handler};
use crate::template::Template;

/// A compiled template body.
#[derive(Debug)]
pub(crate) struct Program {
    pub nodes: Vec<Node>,
    pub n_locals: usize,
    /// Global names, in slot order.
    pub globals: Vec<Arc<str>>,
    /// `name:line (via …)` of every position that can raise.
    pub locations: Vec<Arc<str>>,
}

/// A piece of template text. Short pieces (most text between tags) live inline and are
/// written with one fixed-size copy.
#[derive(Debug, Clone)]
pub(crate) enum Piece {
    Small([u8; 16], u8),
    Large(Arc<[u8]>),
}

impl Piece {
    pub(crate) fn new(bytes: &[u8]) -> Piece {
        if bytes.len() <= 16 {
            let mut a = [0u8; 16];
            a[..bytes.len()].copy_from_slice(bytes);
            Piece::Small(a, bytes.len() as u8)
        } else {
            Piece::Large(Arc::from(bytes))
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Piece::Small(a, n) => &a[..usize::from(*n)],
            Piece::Large(b) => b,
        }
    }

    #[inline(always)]
    pub(crate) fn write(&self, out: &mut crate::out::Out) {
        match self {
            Piece::Small(a, n) => out.write16(a, usize::from(*n)),
            Piece::Large(b) => out.extend(b),
        }
    }

    fn concat(&self, more: &[u8]) -> Piece {
        Piece::new(&[self.bytes(), more].concat())
    }
}

#[derive(Debug)]
pub(crate) enum Node {
    Text(Piece),
    /// `{{ expr }}` (with the autoescape function of its file) or `{% raw %}`/`{% module %}`.
    Output {
        /// Text written just before (a `Text` node fused into this one).
        prefix: Option<Piece>,
        /// Text written just after (a `Text` node fused into this one).
        suffix: Option<Piece>,
        /// Set when `expr` is a name (or a name's attribute) and the escape function a
        /// global or none: the interpreter's shortcut.
        fast: Option<Fast>,
        expr: Expr,
        escape: Option<Expr>,
        loc: u32,
    },
    Statement(Statement, u32),
    Import(Import, u32),
    Break,
    Continue,
    If {
        branches: Vec<(Expr, Vec<Node>, u32)>,
        orelse: Vec<Node>,
    },
    For {
        target: Target,
        iter: Expr,
        body: Vec<Node>,
        orelse: Vec<Node>,
        loc: u32,
    },
    While {
        cond: Expr,
        body: Vec<Node>,
        orelse: Vec<Node>,
        loc: u32,
    },
    Try {
        body: Vec<Node>,
        handlers: Vec<CHandler>,
        orelse: Vec<Node>,
        finally: Vec<Node>,
        loc: u32,
    },
    Apply {
        func: Expr,
        body: Vec<Node>,
        loc: u32,
        slots: (usize, usize),
    },
}

#[derive(Debug)]
pub(crate) struct CHandler {
    pub classes: Option<Expr>,
    pub name: Option<Target>,
    pub body: Vec<Node>,
    pub loc: u32,
}

/// The per-file facts the generator needs while walking a file's chunks.
#[derive(Clone)]
struct FileCtx {
    name: Arc<str>,
    autoescape: Option<Expr>,
}

struct Linker<'a> {
    loader: Option<&'a dyn BaseLoader>,
    blocks: HashMap<String, (FileCtx, Vec<Chunk>)>,
    include_stack: Vec<(Arc<str>, u32)>,
    current: FileCtx,
    locations: Vec<Arc<str>>,
    location_ids: HashMap<Arc<str>, u32>,
    loop_depth: usize,
    depth: usize,
}

const MAX_INCLUDE_DEPTH: usize = 100;

fn ctx_of(t: &Template) -> FileCtx {
    FileCtx {
        name: t.name_arc(),
        autoescape: t.autoescape_expr().cloned(),
    }
}

impl Linker<'_> {
    fn loc(&mut self, line: u32) -> u32 {
        let mut s = format!("{}:{}", self.current.name, line);
        if !self.include_stack.is_empty() {
            let via: Vec<String> = self
                .include_stack
                .iter()
                .rev()
                .map(|(n, l)| format!("{n}:{l}"))
                .collect();
            s.push_str(&format!(" (via {})", via.join(", ")));
        }
        let s: Arc<str> = Arc::from(s);
        if let Some(&id) = self.location_ids.get(&s) {
            return id;
        }
        let id = self.locations.len() as u32;
        self.locations.push(s.clone());
        self.location_ids.insert(s, id);
        id
    }

    fn load(&self, name: &str, parent: &str, what: &str) -> Result<Arc<Template>> {
        let loader = self.loader.ok_or_else(|| {
            Error::parse(
                format!("{{% {what} %}} block found, but no template loader"),
                parent,
                0,
            )
        })?;
        crate::loader::load(loader, name, Some(parent))
    }

    /// Tornado's `find_named_blocks`: the last definition of a name wins.
    fn find_blocks(&mut self, file: &FileCtx, chunks: &[Chunk], depth: usize) -> Result<()> {
        if depth > MAX_INCLUDE_DEPTH {
            return Err(Error::new(
                ErrorKind::Recursion,
                "includes nested too deeply",
            ));
        }
        for c in chunks {
            match c {
                Chunk::Block { name, body, .. } => {
                    self.blocks
                        .insert(name.clone(), (file.clone(), body.clone()));
                    self.find_blocks(file, body, depth)?;
                }
                Chunk::Include { name, .. } => {
                    let t = self.load(name, &file.name, "include")?;
                    self.find_blocks(&ctx_of(&t), t.chunks(), depth + 1)?;
                }
                Chunk::Apply { body, .. } | Chunk::For { body, .. } | Chunk::While { body, .. } => {
                    self.find_blocks(file, body, depth)?;
                    if let Chunk::For { orelse, .. } | Chunk::While { orelse, .. } = c {
                        self.find_blocks(file, orelse, depth)?;
                    }
                }
                Chunk::If { branches, orelse } => {
                    for (_, b, _) in branches {
                        self.find_blocks(file, b, depth)?;
                    }
                    self.find_blocks(file, orelse, depth)?;
                }
                Chunk::Try {
                    body,
                    handlers,
                    orelse,
                    finally,
                    ..
                } => {
                    self.find_blocks(file, body, depth)?;
                    for h in handlers {
                        self.find_blocks(file, &h.body, depth)?;
                    }
                    self.find_blocks(file, orelse, depth)?;
                    self.find_blocks(file, finally, depth)?;
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn with_file<T>(
        &mut self,
        file: FileCtx,
        line: u32,
        f: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        self.depth += 1;
        if self.depth > MAX_INCLUDE_DEPTH {
            return Err(Error::new(
                ErrorKind::Recursion,
                "includes and blocks nested too deeply",
            ));
        }
        let outer = std::mem::replace(&mut self.current, file);
        self.include_stack.push((outer.name.clone(), line));
        let r = f(self);
        self.include_stack.pop();
        self.current = outer;
        self.depth -= 1;
        r
    }

    fn emit(&mut self, chunks: &[Chunk], out: &mut Vec<Node>) -> Result<()> {
        for c in chunks {
            match c {
                Chunk::Text(t) => match out.last_mut() {
                    Some(Node::Text(prev)) => *prev = prev.concat(t),
                    _ => out.push(Node::Text(Piece::new(t))),
                },
                Chunk::Expr { expr, line, raw } => {
                    let loc = self.loc(*line);
                    let escape = if *raw {
                        None
                    } else {
                        self.current.autoescape.clone()
                    };
                    out.push(Node::Output {
                        prefix: None,
                        suffix: None,
                        fast: None,
                        expr: expr.clone(),
                        escape,
                        loc,
                    });
                }
                Chunk::Statement(st, line) => {
                    let loc = self.loc(*line);
                    out.push(Node::Statement(st.clone(), loc));
                }
                Chunk::Import(imp, line) => {
                    let loc = self.loc(*line);
                    out.push(Node::Import(imp.clone(), loc));
                }
                Chunk::Break(line) | Chunk::Continue(line) => {
                    if self.loop_depth == 0 {
                        let what = if matches!(c, Chunk::Break(_)) {
                            "break"
                        } else {
                            "continue"
                        };
                        return Err(Error::parse(
                            format!("'{what}' outside loop"),
                            &self.current.name,
                            *line,
                        ));
                    }
                    out.push(if matches!(c, Chunk::Break(_)) {
                        Node::Break
                    } else {
                        Node::Continue
                    });
                }
                Chunk::Extends { line, .. } => {
                    return Err(Error::parse(
                        "{% extends %} is only allowed at the top level of a template",
                        &self.current.name,
                        *line,
                    ));
                }
                Chunk::Include { name, line } => {
                    let t = self.load(name, &self.current.name.clone(), "include")?;
                    let mut nodes = Vec::new();
                    self.with_file(ctx_of(&t), *line, |l| l.emit(t.chunks(), &mut nodes))?;
                    append(out, nodes);
                }
                Chunk::Block { name, line, .. } => {
                    let (file, body) = self
                        .blocks
                        .get(name)
                        .cloned()
                        .ok_or_else(|| Error::new(ErrorKind::Key, format!("'{name}'")))?;
                    let mut nodes = Vec::new();
                    self.with_file(file, *line, |l| l.emit(&body, &mut nodes))?;
                    append(out, nodes);
                }
                Chunk::Apply { func, body, line } => {
                    let loc = self.loc(*line);
                    let depth = std::mem::replace(&mut self.loop_depth, 0);
                    let mut nodes = Vec::new();
                    let r = self.emit(body, &mut nodes);
                    self.loop_depth = depth;
                    r?;
                    out.push(Node::Apply {
                        func: func.clone(),
                        body: nodes,
                        loc,
                        slots: (0, 0),
                    });
                }
                Chunk::If { branches, orelse } => {
                    let mut bs = Vec::new();
                    for (cond, body, line) in branches {
                        let loc = self.loc(*line);
                        let mut nodes = Vec::new();
                        self.emit(body, &mut nodes)?;
                        bs.push((cond.clone(), nodes, loc));
                    }
                    let mut e = Vec::new();
                    self.emit(orelse, &mut e)?;
                    out.push(Node::If {
                        branches: bs,
                        orelse: e,
                    });
                }
                Chunk::For {
                    target,
                    iter,
                    body,
                    orelse,
                    line,
                } => {
                    let loc = self.loc(*line);
                    let (b, e) = self.gen_loop(body, orelse)?;
                    out.push(Node::For {
                        target: target.clone(),
                        iter: iter.clone(),
                        body: b,
                        orelse: e,
                        loc,
                    });
                }
                Chunk::While {
                    cond,
                    body,
                    orelse,
                    line,
                } => {
                    let loc = self.loc(*line);
                    let (b, e) = self.gen_loop(body, orelse)?;
                    out.push(Node::While {
                        cond: cond.clone(),
                        body: b,
                        orelse: e,
                        loc,
                    });
                }
                Chunk::Try {
                    body,
                    handlers,
                    orelse,
                    finally,
                    line,
                } => {
                    let loc = self.loc(*line);
                    let mut b = Vec::new();
                    self.emit(body, &mut b)?;
                    let mut hs = Vec::new();
                    for Handler {
                        classes,
                        name,
                        body,
                        line,
                    } in handlers
                    {
                        let hloc = self.loc(*line);
                        let mut nodes = Vec::new();
                        self.emit(body, &mut nodes)?;
                        hs.push(CHandler {
                            classes: classes.clone(),
                            name: name.clone(),
                            body: nodes,
                            loc: hloc,
                        });
                    }
                    let mut e = Vec::new();
                    self.emit(orelse, &mut e)?;
                    let mut f = Vec::new();
                    self.emit(finally, &mut f)?;
                    out.push(Node::Try {
                        body: b,
                        handlers: hs,
                        orelse: e,
                        finally: f,
                        loc,
                    });
                }
            }
        }
        Ok(())
    }

    fn gen_loop(&mut self, body: &[Chunk], orelse: &[Chunk]) -> Result<(Vec<Node>, Vec<Node>)> {
        self.loop_depth += 1;
        let mut b = Vec::new();
        let r = self.emit(body, &mut b);
        self.loop_depth -= 1;
        r?;
        let mut e = Vec::new();
        self.emit(orelse, &mut e)?;
        Ok((b, e))
    }
}

fn append(out: &mut Vec<Node>, nodes: Vec<Node>) {
    for n in nodes {
        match (out.last_mut(), n) {
            (Some(Node::Text(prev)), Node::Text(t)) => *prev = prev.concat(t.bytes()),
            (_, n) => out.push(n),
        }
    }
}

/// Moves each `Text` that precedes an `Output` into the output's prefix: one node less
/// to dispatch per `text{{ expr }}` pair.
fn fuse(nodes: &mut Vec<Node>) {
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
fn set_fast(nodes: &mut [Node], n_locals: usize) {
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

/// Builds the program of `template`: its ancestors' code with blocks overridden and
/// includes inlined.
pub(crate) fn link(template: &Template, loader: Option<&dyn BaseLoader>) -> Result<Program> {
    // The chain of ancestors: this file, its parent, the parent's parent...
    let mut ancestors: Vec<Arc<Template>> = Vec::new();
    let mut linker = Linker {
        loader,
        blocks: HashMap::new(),
        include_stack: Vec::new(),
        current: ctx_of(template),
        locations: Vec::new(),
        location_ids: HashMap::new(),
        loop_depth: 0,
        depth: 0,
    };
    let mut files: Vec<FileCtx> = vec![ctx_of(template)];
    let mut chunk_lists: Vec<Vec<Chunk>> = vec![template.chunks().to_vec()];
    let mut queue: Vec<(Arc<str>, Vec<Chunk>)> =
        vec![(template.name_arc(), template.chunks().to_vec())];
    while let Some((name, chunks)) = queue.pop() {
        for c in &chunks {
            if let Chunk::Extends { name: parent, .. } = c {
                let t = linker.load(parent, &name, "extends")?;
                if ancestors.len() > MAX_INCLUDE_DEPTH {
                    return Err(Error::new(
                        ErrorKind::Recursion,
                        "templates extend each other too deeply",
                    ));
                }
                ancestors.push(t.clone());
                files.push(ctx_of(&t));
                chunk_lists.push(t.chunks().to_vec());
                queue.push((t.name_arc(), t.chunks().to_vec()));
            }
        }
    }
    // Blocks: the base first, so that the most derived definition wins.
    for (file, chunks) in files.iter().zip(&chunk_lists).rev() {
        linker.find_blocks(file, chunks, 0)?;
    }
    let (root_file, root_chunks) = match (files.last(), chunk_lists.last()) {
        (Some(f), Some(c)) => (f.clone(), c.clone()),
        _ => return Err(Error::new(ErrorKind::Parse, "empty template chain")),
    };
    linker.current = root_file;
    let mut nodes = Vec::new();
    let top: Vec<Chunk> = root_chunks
        .into_iter()
        .filter(|c| !matches!(c, Chunk::Extends { .. }))
        .collect();
    linker.emit(&top, &mut nodes)?;
    let mut resolver = Resolver {
        scopes: Vec::new(),
        n_locals: 0,
        globals: Vec::new(),
        global_ids: HashMap::new(),
    };
    resolver.function(&mut nodes, None);
    fuse(&mut nodes);
    set_fast(&mut nodes, resolver.n_locals);
    Ok(Program {
        nodes,
        n_locals: resolver.n_locals,
        globals: resolver.globals,
        locations: linker.locations,
    })
}

/// Assigns slots: Python's rule that a name assigned anywhere in a function is local to
/// all of it; `apply` bodies are nested functions and comprehensions their own scopes.
struct Resolver {
    scopes: Vec<HashMap<Arc<str>, u32>>,
    n_locals: usize,
    globals: Vec<Arc<str>>,
    global_ids: HashMap<Arc<str>, u32>,
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
                branches.iter().for_each(|(_, b, _)| assigned_names(b, out));
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
    fn function(&mut self, nodes: &mut [Node], _apply: Option<()>) -> (usize, usize) {
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
            Node::Text(_) | Node::Break | Node::Continue => {}
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
                for (c, b, _) in branches {
                    self.expr(c);
                    self.nodes(b);
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

//! Linking: turns a parsed file plus its ancestors (`{% extends %}`), the blocks that
//! override theirs and the files it includes into one program, as Tornado's code
//! generator does, then resolves every name to a local slot or a global.

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::expr::{Expr, Import, Statement, Target};
use crate::loader::BaseLoader;
use crate::parse::{Chunk, Handler};
use crate::template::Template;

mod optimize;
mod resolve;

pub(crate) use optimize::{FastCond, FastValue, OutFast, Short};
use optimize::{fuse, specialize};
use resolve::Resolver;

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
    /// The text zero-padded to a multiple of 16 bytes, and its length.
    Large(Arc<[u8]>, usize),
}

impl Piece {
    pub(crate) fn new(bytes: &[u8]) -> Piece {
        if bytes.len() <= 16 {
            let mut a = [0u8; 16];
            a[..bytes.len()].copy_from_slice(bytes);
            Piece::Small(a, bytes.len() as u8)
        } else {
            let mut padded = bytes.to_vec();
            padded.resize(bytes.len().div_ceil(16) * 16, 0);
            Piece::Large(Arc::from(padded), bytes.len())
        }
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        match self {
            Piece::Small(a, n) => &a[..usize::from(*n)],
            Piece::Large(b, n) => b.get(..*n).unwrap_or_default(),
        }
    }

    #[inline(always)]
    pub(crate) fn write(&self, out: &mut crate::out::Out) {
        match self {
            Piece::Small(a, n) => out.write16(a, usize::from(*n)),
            Piece::Large(b, n) => out.write_padded(b, *n),
        }
    }

    fn concat(&self, more: &[u8]) -> Piece {
        Piece::new(&[self.bytes(), more].concat())
    }
}

#[derive(Debug)]
#[repr(u8)] // a plain tag byte: cheaper to dispatch on than a niche
pub(crate) enum Node {
    Text(Piece),
    /// `{{ expr }}` (with the autoescape function of its file) or `{% raw %}`/`{% module %}`.
    Output {
        /// Text written just before (a `Text` node fused into this one).
        prefix: Option<Piece>,
        /// Text written just after (a `Text` node fused into this one).
        suffix: Option<Piece>,
        expr: Expr,
        escape: Option<Expr>,
        loc: u32,
    },
    /// `{{ name }}` / `{{ name.key }}` between short texts, with its shortcut.
    OutFast(OutFast),
    /// `prefix{% if cond %}text{% end %}` with short texts (the branch's body is
    /// empty: its text is `text`).
    CondText {
        prefix: Short,
        /// The branch's shortcut, kept here to spare a load.
        fast: Option<FastCond>,
        branch: Box<Branch>,
        text: Short,
    },
    Statement(Statement, u32),
    Import(Import, u32),
    Break,
    Continue,
    If {
        branches: Vec<Branch>,
        orelse: Vec<Node>,
    },
    For {
        target: Target,
        iter: Expr,
        body: Vec<Node>,
        orelse: Vec<Node>,
        loc: u32,
        /// The body is only text, output and `{% if %}`s of those: it cannot
        /// `break`, and runs without the general dispatch.
        simple: bool,
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

/// An `{% if %}` or `{% elif %}` branch.
#[derive(Debug)]
pub(crate) struct Branch {
    pub cond: Expr,
    pub body: Vec<Node>,
    pub loc: u32,
    /// The interpreter's shortcut for `cond`, set once names are resolved.
    pub fast: Option<FastCond>,
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
                        bs.push(Branch {
                            cond: cond.clone(),
                            body: nodes,
                            loc,
                            fast: None,
                        });
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
                        simple: false,
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
    specialize(&mut nodes, resolver.n_locals);
    Ok(Program {
        nodes,
        n_locals: resolver.n_locals,
        globals: resolver.globals,
        locations: linker.locations,
    })
}

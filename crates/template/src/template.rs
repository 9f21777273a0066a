//! [`Template`]: one compiled template, and how it renders.

use std::fmt;
use std::mem::ManuallyDrop;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::builtins::Builtin;
use crate::compile::{Program, link};
use crate::error::{Error, ErrorKind, Result};
use crate::eval::Frame;
use crate::expr::{Expr, parse_expr};
use crate::loader::BaseLoader;
use crate::namespace::{Fallback, Namespace, SharedNamespace, name_bit};
use crate::parse::{Chunk, Whitespace, parse_file};
use crate::value::{Hint, Object, Value};

/// Tornado's default autoescape function.
pub const DEFAULT_AUTOESCAPE: &str = "xhtml_escape";

/// How a [`Template`] is built when it is not loaded by a loader (Tornado's
/// `Template(template_string, name, loader, autoescape, whitespace)`).
#[derive(Debug, Clone)]
pub struct TemplateOptions {
    /// The name used in error messages and for the default whitespace mode.
    pub name: String,
    /// `None`: the loader's setting, else `xhtml_escape`. `Some(None)`: no
    /// autoescaping. `Some(Some(f))`: the function called `f` in the namespace.
    pub autoescape: Option<Option<String>>,
    /// `None`: the loader's setting, else by file name (`single` for `.html` and
    /// `.js`, `all` otherwise).
    pub whitespace: Option<Whitespace>,
    /// Names added to every render (for templates made without a loader).
    pub namespace: SharedNamespace,
}

impl Default for TemplateOptions {
    fn default() -> Self {
        TemplateOptions {
            name: "<string>".into(),
            autoescape: None,
            whitespace: None,
            namespace: SharedNamespace::new(),
        }
    }
}

/// A compiled template: parsed once, its `{% extends %}` and `{% include %}` resolved,
/// every name bound to a slot. `Send + Sync`, so a [`Loader`](crate::Loader) and its
/// templates can be shared by threads; the values of each render are per render.
pub struct Template {
    name: Arc<str>,
    autoescape: Option<String>,
    autoescape_expr: Option<Expr>,
    chunks: Vec<Chunk>,
    program: Program,
    namespace: Arc<SharedNamespace>,
    /// For each global of the program, how a render finds its value.
    globals: Vec<GlobalInfo>,
    size_hint: AtomicUsize,
}

/// How a render finds the value of one global name.
struct GlobalInfo {
    name: Arc<str>,
    /// The name's bit in a [`Namespace`]'s signature.
    bit: u64,
    /// Where the name was in the arguments of the last render.
    hint: Hint,
    /// Where the value comes from when the arguments lack the name.
    fallback: Fallback,
}

/// Room beyond the last byte that fixed-size writes may need (see `out.rs`): part of
/// the size reserved for the next render.
const SLACK: usize = 64;

/// Renders whose locals and globals fit in this many slots keep them on the stack.
const STACK_SLOTS: usize = 16;

/// The slots of a small render. A render uses the first `n` (the others stay `None`),
/// so only those are dropped.
struct StackSlots {
    slots: ManuallyDrop<[Option<Value>; STACK_SLOTS]>,
    n: usize,
}

impl Drop for StackSlots {
    fn drop(&mut self) {
        for s in self.slots.iter_mut().take(self.n) {
            // Numbers and builtins need no drop.
            if !matches!(
                s,
                None | Some(Value::None | Value::Bool(_) | Value::Int(_) | Value::Float(_))
            ) && !matches!(s, Some(Value::Function(f)) if f.as_builtin().is_some())
            {
                *s = None;
            }
        }
    }
}

impl fmt::Debug for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Template")
            .field("name", &self.name)
            .field("autoescape", &self.autoescape)
            .finish_non_exhaustive()
    }
}

impl Template {
    /// Compiles `source` with the default options (name `<string>`, autoescape
    /// `xhtml_escape`, whitespace `all`).
    ///
    /// ```
    /// use tornado_template::{Namespace, Template};
    /// let t = Template::new("{{ 2 + 2 }} {{ '<b>' }}").unwrap();
    /// assert_eq!(t.generate(&Namespace::new()).unwrap(), b"4 &lt;b&gt;");
    /// ```
    pub fn new(source: &str) -> Result<Template> {
        Template::with_options(source.as_bytes(), TemplateOptions::default())
    }

    /// Compiles `source` (UTF-8 text) with `options`. `{% extends %}` and
    /// `{% include %}` need a loader: use [`Loader`](crate::Loader) or
    /// [`DictLoader`](crate::DictLoader).
    pub fn with_options(source: impl AsRef<[u8]>, options: TemplateOptions) -> Result<Template> {
        Template::compile(
            source.as_ref(),
            &options.name,
            None,
            options.autoescape,
            options.whitespace,
            Arc::new(options.namespace),
        )
    }

    pub(crate) fn compile(
        source: &[u8],
        name: &str,
        loader: Option<&dyn BaseLoader>,
        autoescape: Option<Option<String>>,
        whitespace: Option<Whitespace>,
        namespace: Arc<SharedNamespace>,
    ) -> Result<Template> {
        let text = std::str::from_utf8(source).map_err(|e| {
            Error::new(
                ErrorKind::UnicodeDecode,
                format!(
                    "{name}: 'utf-8' codec can't decode byte at position {}",
                    e.valid_up_to()
                ),
            )
        })?;
        let whitespace = whitespace
            .or_else(|| loader.and_then(|l| l.options().whitespace))
            .unwrap_or_else(|| Whitespace::for_name(name));
        let mut autoescape = match autoescape {
            Some(a) => a,
            None => match loader {
                Some(l) => l.options().autoescape.clone(),
                None => Some(DEFAULT_AUTOESCAPE.to_string()),
            },
        };
        let parsed = parse_file(name, text, whitespace).inspect_err(|e| {
            // Tornado logs the generated code when Python cannot compile it (a syntax
            // error inside an expression); the counterpart here logs the error.
            if e.message().starts_with("invalid syntax") {
                log::error!(target: "tornado.application", "{name}: {e}");
            }
        })?;
        if let Some(a) = parsed.autoescape {
            autoescape = a;
        }
        let autoescape_expr = match &autoescape {
            Some(f) => Some(parse_expr(f).map_err(|e| {
                Error::parse(format!("invalid autoescape function '{f}': {e}"), name, 0)
            })?),
            None => None,
        };
        let mut t = Template {
            name: Arc::from(name),
            autoescape,
            autoescape_expr,
            chunks: parsed.chunks,
            program: Program {
                nodes: Vec::new(),
                n_locals: 0,
                globals: Vec::new(),
                locations: Vec::new(),
            },
            namespace,
            globals: Vec::new(),
            size_hint: AtomicUsize::new(0),
        };
        t.program = link(&t, loader)?;
        t.globals = t
            .program
            .globals
            .iter()
            .map(|n| GlobalInfo {
                name: n.clone(),
                bit: name_bit(n),
                hint: Hint::default(),
                fallback: Fallback::of(n, &t.namespace),
            })
            .collect();
        Ok(t)
    }

    /// The template's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The autoescape function's name, or `None` when autoescaping is off.
    pub fn autoescape(&self) -> Option<&str> {
        self.autoescape.as_deref()
    }

    pub(crate) fn name_arc(&self) -> Arc<str> {
        self.name.clone()
    }

    pub(crate) fn autoescape_expr(&self) -> Option<&Expr> {
        self.autoescape_expr.as_ref()
    }

    pub(crate) fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }

    /// Renders the template with `args` (Tornado's `generate(**kwargs)`), returning the
    /// bytes (UTF-8 unless `bytes` values were written raw).
    ///
    /// Names resolve, in order, to what the template assigns (`{% set %}`, `{% for %}`),
    /// `args`, the loader's namespace, Tornado's default namespace (`escape`,
    /// `xhtml_escape`, `url_escape`, `json_encode`, `squeeze`, `linkify`, `datetime`), and
    /// Python's builtins.
    pub fn generate(&self, args: &Namespace) -> Result<Vec<u8>> {
        let mut o = crate::out::Out::with_capacity(self.size_hint.load(Ordering::Relaxed));
        self.render(args, &mut o)?;
        let out = o.into_vec();
        self.size_hint
            .store(out.len() + out.len() / 8 + SLACK, Ordering::Relaxed);
        Ok(out)
    }

    /// Renders the template, appending to `out`.
    pub fn generate_into(&self, args: &Namespace, out: &mut Vec<u8>) -> Result<()> {
        let mut o = crate::out::Out::from_vec(std::mem::take(out));
        let r = self.render(args, &mut o);
        *out = o.into_vec();
        r
    }

    fn render(&self, args: &Namespace, out: &mut crate::out::Out) -> Result<()> {
        // One slice holds the locals (unbound at the start), then the globals: on the
        // stack when it is small.
        let n_locals = self.program.n_locals;
        let n = n_locals + self.globals.len();
        let mut stack: StackSlots;
        let mut heap: Vec<Option<Value>>;
        let slots: &mut [Option<Value>] = if n <= STACK_SLOTS {
            stack = StackSlots {
                slots: ManuallyDrop::new(Default::default()),
                n,
            };
            stack.slots.get_mut(..n).unwrap_or_default()
        } else {
            heap = vec![None; n];
            &mut heap
        };
        // Bit `g` set: global `g` (of the first 64) holds the builtin `xhtml_escape`.
        let mut escape_bits = 0u64;
        for (g, (info, slot)) in self.globals.iter().zip(&mut slots[n_locals..]).enumerate() {
            let v = match args.get_hinted(&info.name, info.bit, &info.hint) {
                Some(v) => {
                    if let Value::Function(f) = v
                        && f.as_builtin() == Some(Builtin::XhtmlEscape)
                    {
                        escape_bits |= 1u64.checked_shl(g as u32).unwrap_or(0);
                    }
                    Some(v.clone())
                }
                None => match info.fallback {
                    Fallback::Shared => self.namespace.get(&info.name),
                    Fallback::Builtin(Builtin::XhtmlEscape) => {
                        escape_bits |= 1u64.checked_shl(g as u32).unwrap_or(0);
                        info.fallback.value()
                    }
                    f => f.value(),
                },
            };
            *slot = v;
        }
        let mut frame = Frame::new(&self.program, slots, escape_bits, &self.namespace);
        let r = frame.exec(&self.program.nodes, out);
        frame.finish();
        r.map(drop)
    }
}

/// The value an `{% except X as e %}` binds: `str(e)` is the message.
#[derive(Debug)]
pub(crate) struct ExceptionValue(pub Error);

impl Object for ExceptionValue {
    fn type_name(&self) -> &str {
        self.0.kind().name()
    }
    fn get_attr(&self, name: &str) -> Result<Option<Value>> {
        Ok(match name {
            "args" => Some(Value::tuple(vec![Value::from(self.0.message())])),
            "message" => Some(Value::from(self.0.message())),
            _ => None,
        })
    }
    fn to_str(&self) -> String {
        self.0.message().to_string()
    }
    fn repr(&self) -> String {
        format!(
            "{}({})",
            self.0.kind().name(),
            Value::from(self.0.message()).repr()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn compiled_templates_are_send_and_sync() {
        assert_send_sync::<Template>();
        assert_send_sync::<crate::Loader>();
        assert_send_sync::<crate::DictLoader>();
    }

    #[test]
    fn render_basics() {
        let t = Template::new("Hello {{ name }}! {{ 1/2 }} {{ [1, 'a'] }} {{ None }}").unwrap();
        let mut ns = Namespace::new();
        ns.set("name", "<Ben>");
        assert_eq!(
            t.generate(&ns).unwrap(),
            b"Hello &lt;Ben&gt;! 0.5 [1, &#x27;a&#x27;] None"
        );
    }
}

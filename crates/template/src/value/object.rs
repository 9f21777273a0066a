//! Callables and host objects: [`Args`], [`Function`] and the [`Object`] trait.

use std::cmp::Ordering;
use std::fmt;
use std::rc::Rc;
use std::sync::Arc;

use super::Value;
use crate::builtins::Builtin;
use crate::error::{Error, ErrorKind, Result};

/// The arguments of a call: positional values, then `name=value` pairs in call order.
#[derive(Debug, Clone, Copy)]
pub struct Args<'a> {
    /// Positional arguments.
    pub positional: &'a [Value],
    /// Keyword arguments.
    pub keywords: &'a [(Arc<str>, Value)],
}

impl<'a> Args<'a> {
    /// Arguments with only positional values.
    pub fn new(positional: &'a [Value]) -> Args<'a> {
        Args {
            positional,
            keywords: &[],
        }
    }

    /// The `i`th positional argument, if given.
    pub fn get(&self, i: usize) -> Option<&'a Value> {
        self.positional.get(i)
    }

    /// The keyword argument `name`, if given.
    pub fn kwarg(&self, name: &str) -> Option<&'a Value> {
        self.keywords
            .iter()
            .find(|(k, _)| &**k == name)
            .map(|(_, v)| v)
    }

    /// Argument `name`, given at position `i` or as a keyword.
    pub fn arg(&self, i: usize, name: &str) -> Option<&'a Value> {
        self.get(i).or_else(|| self.kwarg(name))
    }

    /// Argument `name` (position `i`), or a `TypeError` naming `func` when missing.
    pub fn required(&self, i: usize, name: &str, func: &str) -> Result<&'a Value> {
        self.arg(i, name).ok_or_else(|| {
            Error::type_error(format!("{func}() missing required argument: '{name}'"))
        })
    }

    /// A `TypeError` unless there are at most `max` positional arguments and no keywords
    /// outside `allowed`.
    pub fn check(&self, func: &str, max: usize, allowed: &[&str]) -> Result<()> {
        if self.positional.len() > max {
            return Err(Error::type_error(format!(
                "{func}() takes at most {max} arguments ({} given)",
                self.positional.len()
            )));
        }
        for (k, _) in self.keywords {
            if !allowed.contains(&&**k) {
                return Err(Error::type_error(format!(
                    "{func}() got an unexpected keyword argument '{k}'"
                )));
            }
        }
        Ok(())
    }
}

type LocalFn = dyn Fn(&Args<'_>) -> Result<Value>;
type SharedFn = dyn Fn(&Args<'_>) -> Result<Value> + Send + Sync;

/// A callable value.
#[derive(Clone)]
pub struct Function(pub(crate) FnRepr);

#[derive(Clone)]
pub(crate) enum FnRepr {
    Builtin(Builtin),
    Local(Rc<(Arc<str>, Box<LocalFn>)>),
    Shared(Arc<(Arc<str>, Box<SharedFn>)>),
    /// `obj.method` taken without calling it.
    Method(Rc<(Value, Arc<str>)>),
}

impl Function {
    /// A function from a Rust closure (which may hold `!Send` state).
    ///
    /// ```
    /// use tornado_template::{Function, Value, Args};
    /// let inc = Function::new("inc", |a: &Args| Ok(Value::Int(a.get(0).and_then(Value::as_int).unwrap_or(0) + 1)));
    /// assert_eq!(inc.call(&Args::new(&[Value::Int(5)])).unwrap(), Value::Int(6));
    /// ```
    pub fn new(
        name: impl Into<Arc<str>>,
        f: impl Fn(&Args<'_>) -> Result<Value> + 'static,
    ) -> Function {
        Function(FnRepr::Local(Rc::new((name.into(), Box::new(f)))))
    }

    /// A function from a `Send + Sync` closure, for a [`Namespace`](crate::Namespace)
    /// shared by threads.
    pub fn new_shared(
        name: impl Into<Arc<str>>,
        f: impl Fn(&Args<'_>) -> Result<Value> + Send + Sync + 'static,
    ) -> Function {
        Function(FnRepr::Shared(Arc::new((name.into(), Box::new(f)))))
    }

    pub(crate) fn builtin(b: Builtin) -> Function {
        Function(FnRepr::Builtin(b))
    }

    pub(crate) fn method(receiver: Value, name: Arc<str>) -> Function {
        Function(FnRepr::Method(Rc::new((receiver, name))))
    }

    pub(crate) fn as_builtin(&self) -> Option<Builtin> {
        match self.0 {
            FnRepr::Builtin(b) => Some(b),
            _ => None,
        }
    }

    /// The function's name.
    pub fn name(&self) -> &str {
        match &self.0 {
            FnRepr::Builtin(b) => b.name(),
            FnRepr::Local(f) => &f.0,
            FnRepr::Shared(f) => &f.0,
            FnRepr::Method(m) => &m.1,
        }
    }

    /// Calls the function.
    pub fn call(&self, args: &Args<'_>) -> Result<Value> {
        match &self.0 {
            FnRepr::Builtin(b) => b.call(args),
            FnRepr::Local(f) => (f.1)(args),
            FnRepr::Shared(f) => (f.1)(args),
            FnRepr::Method(m) => crate::builtins::call_method(&m.0, &m.1, args),
        }
    }

    pub(super) fn ptr_eq(&self, other: &Function) -> bool {
        match (&self.0, &other.0) {
            (FnRepr::Builtin(a), FnRepr::Builtin(b)) => a == b,
            (FnRepr::Local(a), FnRepr::Local(b)) => Rc::ptr_eq(a, b),
            (FnRepr::Shared(a), FnRepr::Shared(b)) => Arc::ptr_eq(a, b),
            (FnRepr::Method(a), FnRepr::Method(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl fmt::Debug for Function {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<function {}>", self.name())
    }
}

/// A host object seen by templates: attributes (`handler.settings`), items
/// (`request.arguments["x"]`), calls (`modules.Entry(entry)`), method calls
/// (`locale.format_date(d)`), `str()`, iteration, truth and comparison.
///
/// Every method has a default that raises the `TypeError`/`AttributeError` Python would.
///
/// ```
/// use std::rc::Rc;
/// use tornado_template::{Object, Value, Result, Template, Namespace};
///
/// #[derive(Debug)]
/// struct Request { path: String }
/// impl Object for Request {
///     fn type_name(&self) -> &str { "HTTPServerRequest" }
///     fn get_attr(&self, name: &str) -> Result<Option<Value>> {
///         Ok(match name { "path" => Some(Value::from(self.path.as_str())), _ => None })
///     }
/// }
/// let t = Template::new("{{ request.path }}").unwrap();
/// let mut ns = Namespace::new();
/// ns.set("request", Value::Object(Rc::new(Request { path: "/a&b".into() })));
/// assert_eq!(t.generate(&ns).unwrap(), b"/a&amp;b");
/// ```
#[allow(clippy::len_without_is_empty)] // `len` is optional; truth is `truthy`
pub trait Object: fmt::Debug {
    /// Python's class name, for error messages.
    fn type_name(&self) -> &str {
        "object"
    }

    /// `obj.name`: `Ok(None)` raises `AttributeError`.
    fn get_attr(&self, name: &str) -> Result<Option<Value>> {
        let _ = name;
        Ok(None)
    }

    /// `obj[key]`.
    fn get_item(&self, key: &Value) -> Result<Value> {
        let _ = key;
        Err(Error::type_error(format!(
            "'{}' object is not subscriptable",
            self.type_name()
        )))
    }

    /// `obj(...)`.
    fn call(&self, args: &Args<'_>) -> Result<Value> {
        let _ = args;
        Err(Error::type_error(format!(
            "'{}' object is not callable",
            self.type_name()
        )))
    }

    /// `obj.name(...)`; by default `get_attr(name)` then a call of the result.
    fn call_method(&self, name: &str, args: &Args<'_>) -> Result<Value> {
        match self.get_attr(name)? {
            Some(v) => v.call(args),
            None => Err(Error::new(
                ErrorKind::Attribute,
                format!("'{}' object has no attribute '{name}'", self.type_name()),
            )),
        }
    }

    /// `str(obj)`.
    fn to_str(&self) -> String {
        format!("<{} object>", self.type_name())
    }

    /// `repr(obj)`; by default `str(obj)`.
    fn repr(&self) -> String {
        self.to_str()
    }

    /// `bool(obj)`.
    fn truthy(&self) -> bool {
        true
    }

    /// `len(obj)`, if the object has a length.
    fn len(&self) -> Option<usize> {
        None
    }

    /// The values `for x in obj` iterates over, if the object is iterable.
    fn iterate(&self) -> Option<Result<Vec<Value>>> {
        None
    }

    /// `obj == other`; `None` falls back to identity.
    fn eq(&self, other: &Value) -> Option<bool> {
        let _ = other;
        None
    }

    /// `obj < other` and friends; `None` raises `TypeError`.
    fn partial_cmp(&self, other: &Value) -> Option<Ordering> {
        let _ = other;
        None
    }

    /// Access to the concrete type, for objects that compare with their own kind.
    fn as_any(&self) -> Option<&dyn std::any::Any> {
        None
    }
}

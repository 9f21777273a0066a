//! Namespaces: the per-render arguments ([`Namespace`], Tornado's `**kwargs`), the
//! shareable namespace of a loader ([`SharedNamespace`]), Tornado's default namespace,
//! and the modules `{% import %}` can name.

use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;
use std::sync::Arc;

use tornado_escape as esc;

use crate::builtins::Builtin;
use crate::error::{Error, ErrorKind, Result};
use crate::value::{Args, Dict, FnRepr, Function, Hint, Object, Value};

/// A small fast hasher for names (FxHash's mixing); names come from the application,
/// not from requests.
#[derive(Default, Clone, Copy)]
pub(crate) struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut h = self.0;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            h = (h.rotate_left(5) ^ u64::from_le_bytes(w)).wrapping_mul(K);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type NameMap<V> = HashMap<Arc<str>, V, BuildHasherDefault<NameHasher>>;

/// The arguments of one render (Tornado's `generate(**kwargs)`): names and values.
///
/// ```
/// use tornado_template::{Namespace, Template, Value};
/// let mut ns = Namespace::new();
/// ns.set("name", "Ben");
/// assert_eq!(Template::new("Hello {{ name }}!").unwrap().generate(&ns).unwrap(), b"Hello Ben!");
/// #[derive(serde::Serialize)]
/// struct Ctx { year: u16 }
/// let ns = Namespace::from_serialize(&Ctx { year: 2015 }).unwrap();
/// assert_eq!(ns.get("year"), Some(&Value::Int(2015)));
/// ```
#[derive(Clone, Default)]
pub struct Namespace {
    /// The entries, in the order they were first set.
    entries: Vec<(Arc<str>, Value)>,
    /// Positions by name, kept once the namespace is large; small ones are scanned.
    index: Option<NameMap<usize>>,
    /// The union of [`name_bit`] of every name: a lookup whose bit is clear misses
    /// without scanning.
    sig: u64,
}

/// One bit of a 64-bit signature for `name` (from its length and two of its bytes).
#[inline]
pub(crate) fn name_bit(name: &str) -> u64 {
    let b = name.as_bytes();
    let (first, last) = match (b.first(), b.last()) {
        (Some(&f), Some(&l)) => (usize::from(f), usize::from(l)),
        _ => (0, 0),
    };
    1u64 << ((b.len().wrapping_mul(7) ^ first.wrapping_mul(3) ^ last) & 63)
}

/// Past this many names, lookups go through a hash index.
const SCAN_LIMIT: usize = 24;

impl Namespace {
    /// An empty namespace.
    pub fn new() -> Namespace {
        Namespace::default()
    }

    fn position(&self, name: &str) -> Option<usize> {
        match &self.index {
            Some(index) => index.get(name).copied(),
            None => self
                .entries
                .iter()
                .position(|(k, _)| crate::value::short_eq(k.as_bytes(), name.as_bytes())),
        }
    }

    fn reindex(&mut self) {
        self.sig = self.entries.iter().fold(0, |sig, (k, _)| sig | name_bit(k));
        self.index = (self.entries.len() > SCAN_LIMIT).then(|| {
            self.entries
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .collect()
        });
    }

    /// Sets `name` (replacing an earlier value).
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> &mut Namespace {
        let value = value.into();
        match self.position(name) {
            Some(i) => self.entries[i].1 = value,
            None => {
                let key: Arc<str> = Arc::from(name);
                if let Some(index) = &mut self.index {
                    index.insert(key.clone(), self.entries.len());
                }
                self.sig |= name_bit(&key);
                self.entries.push((key, value));
                if self.index.is_none() && self.entries.len() > SCAN_LIMIT {
                    self.reindex();
                }
            }
        }
        self
    }

    /// The value of `name`.
    #[inline]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.position(name).map(|i| &self.entries[i].1)
    }

    /// The value of `name`, where `bit` is its [`name_bit`] and `hint` the position
    /// it had in the namespace of an earlier render (updated when it moved).
    #[inline]
    pub(crate) fn get_hinted(&self, name: &str, bit: u64, hint: &Hint) -> Option<&Value> {
        if self.sig & bit == 0 {
            return None;
        }
        if let Some((k, v)) = self.entries.get(hint.get())
            && crate::value::short_eq(k.as_bytes(), name.as_bytes())
        {
            return Some(v);
        }
        let i = self.position(name)?;
        hint.set(i);
        self.entries.get(i).map(|(_, v)| v)
    }

    /// Removes `name`.
    pub fn remove(&mut self, name: &str) -> Option<Value> {
        let i = self.position(name)?;
        let (_, v) = self.entries.remove(i);
        self.reindex();
        Some(v)
    }

    /// The names and values, in the order they were first set.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    /// Copies every entry of `other` over this one (Python's `dict.update`).
    pub fn extend(&mut self, other: &Namespace) {
        for (k, v) in &other.entries {
            self.set(k, v.clone());
        }
    }

    /// A namespace from a JSON object (each key becomes a name).
    ///
    /// ```
    /// let ns = tornado_template::Namespace::from_json(r#"{"name": "Ben", "n": [1, 2]}"#).unwrap();
    /// assert_eq!(ns.get("n").unwrap().to_str(), "[1, 2]");
    /// ```
    pub fn from_json(text: &str) -> Result<Namespace> {
        let json: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::custom("JSONDecodeError", e.to_string()))?;
        Namespace::from_serialize(&json)
    }

    /// A namespace from a struct or map (each field becomes a name).
    pub fn from_serialize<T: serde::Serialize + ?Sized>(value: &T) -> Result<Namespace> {
        match Value::from_serialize(value)? {
            Value::Dict(d) => {
                let mut ns = Namespace::new();
                for (k, v) in d.iter() {
                    let name = k.as_str().ok_or_else(|| {
                        Error::type_error(format!(
                            "keywords must be strings, not {}",
                            k.type_name()
                        ))
                    })?;
                    ns.set(name, v.clone());
                }
                Ok(ns)
            }
            other => Err(Error::type_error(format!(
                "a namespace needs a struct or a map, not {}",
                other.type_name()
            ))),
        }
    }
}

impl fmt::Debug for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

type SharedFnArc = Arc<(
    Arc<str>,
    Box<dyn Fn(&Args<'_>) -> Result<Value> + Send + Sync>,
)>;

#[derive(Clone)]
enum SharedEntry {
    Function(SharedFnArc),
    Builtin(Builtin),
    Data(serde_json::Value),
}

/// A namespace that threads can share: what a [`Loader`](crate::Loader) adds to every
/// template it loads (Tornado's `Loader(namespace=...)`), and the modules that
/// `{% import %}` and `{% from … import … %}` find.
///
/// Entries are `Send + Sync` functions and plain data (anything `Serialize`, converted
/// into a fresh [`Value`] for each render that uses it).
///
/// ```
/// use tornado_template::{DictLoader, LoaderOptions, Namespace, SharedNamespace, Value};
/// let mut ns = SharedNamespace::new();
/// ns.function("inc", |a| Ok(Value::Int(a.get(0).and_then(Value::as_int).unwrap_or(0) + 1)));
/// let loader = DictLoader::new([("test.html", "{{ inc(5) }}")], LoaderOptions { namespace: ns, ..Default::default() });
/// assert_eq!(loader.load("test.html").unwrap().generate(&Namespace::new()).unwrap(), b"6");
/// ```
#[derive(Clone, Default)]
pub struct SharedNamespace {
    entries: HashMap<String, SharedEntry>,
    modules: HashMap<String, Arc<SharedNamespace>>,
}

impl SharedNamespace {
    /// An empty namespace.
    pub fn new() -> SharedNamespace {
        SharedNamespace::default()
    }

    /// Adds a function.
    pub fn function(
        &mut self,
        name: &str,
        f: impl Fn(&Args<'_>) -> Result<Value> + Send + Sync + 'static,
    ) -> &mut SharedNamespace {
        let arc: SharedFnArc = Arc::new((Arc::from(name), Box::new(f)));
        self.entries
            .insert(name.to_string(), SharedEntry::Function(arc));
        self
    }

    /// Adds a [`Function`] made with [`Function::new_shared`] (or a builtin); other
    /// functions hold `!Send` state and are refused with a `TypeError`.
    pub fn add_function(&mut self, name: &str, f: &Function) -> Result<&mut SharedNamespace> {
        let entry = match &f.0 {
            FnRepr::Shared(a) => SharedEntry::Function(a.clone()),
            FnRepr::Builtin(b) => SharedEntry::Builtin(*b),
            _ => {
                return Err(Error::type_error(format!(
                    "function {} is not shareable between threads; make it with Function::new_shared",
                    f.name()
                )));
            }
        };
        self.entries.insert(name.to_string(), entry);
        Ok(self)
    }

    /// Adds data: anything `Serialize` (converted into a [`Value`] when a render uses it).
    pub fn value<T: serde::Serialize + ?Sized>(
        &mut self,
        name: &str,
        value: &T,
    ) -> Result<&mut SharedNamespace> {
        let json = serde_json::to_value(value).map_err(|e| Error::type_error(e.to_string()))?;
        self.entries
            .insert(name.to_string(), SharedEntry::Data(json));
        Ok(self)
    }

    /// Registers a module for `{% import NAME %}` / `{% from NAME import … %}`; `name`
    /// may be dotted (`"myapp.helpers"`).
    pub fn module(&mut self, name: &str, module: SharedNamespace) -> &mut SharedNamespace {
        self.modules.insert(name.to_string(), Arc::new(module));
        self
    }

    /// Whether the namespace has no names.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `name` is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// The value of `name`, made for one render.
    pub fn get(&self, name: &str) -> Option<Value> {
        self.entries.get(name).map(|e| match e {
            SharedEntry::Function(f) => Value::Function(Function(FnRepr::Shared(f.clone()))),
            SharedEntry::Builtin(b) => Value::Function(Function::builtin(*b)),
            SharedEntry::Data(j) => Value::from(j),
        })
    }

    pub(crate) fn find_module(&self, name: &str) -> Option<&Arc<SharedNamespace>> {
        self.modules.get(name)
    }

    pub(crate) fn has_package(&self, prefix: &str) -> bool {
        self.modules.keys().any(|k| {
            k.len() > prefix.len() && k.starts_with(prefix) && k.as_bytes()[prefix.len()] == b'.'
        })
    }
}

impl fmt::Debug for SharedNamespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&String> = self.entries.keys().collect();
        names.sort();
        let mut modules: Vec<&String> = self.modules.keys().collect();
        modules.sort();
        f.debug_struct("SharedNamespace")
            .field("names", &names)
            .field("modules", &modules)
            .finish()
    }
}

/// Where a global name's value comes from when a render's arguments lack it, decided
/// once when the template is compiled.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Fallback {
    /// The loader's [`SharedNamespace`].
    Shared,
    Builtin(Builtin),
    DatetimeModule,
    Undefined,
}

impl Fallback {
    pub(crate) fn of(name: &str, shared: &SharedNamespace) -> Fallback {
        if shared.contains(name) {
            return Fallback::Shared;
        }
        default_kind(name).unwrap_or(Fallback::Undefined)
    }

    #[inline]
    pub(crate) fn value(self) -> Option<Value> {
        match self {
            Fallback::Builtin(b) => Some(Value::Function(Function::builtin(b))),
            Fallback::DatetimeModule => Some(crate::datetime::module()),
            Fallback::Shared | Fallback::Undefined => None,
        }
    }
}

fn default_kind(name: &str) -> Option<Fallback> {
    let b = match name {
        "escape" => Builtin::XhtmlEscape,
        "xhtml_escape" => Builtin::XhtmlEscape,
        "url_escape" => Builtin::UrlEscape,
        "json_encode" => Builtin::JsonEncode,
        "squeeze" => Builtin::Squeeze,
        "linkify" => Builtin::Linkify,
        "datetime" => return Some(Fallback::DatetimeModule),
        "_tt_utf8" => Builtin::Utf8,
        "xhtml_unescape" | "url_unescape" | "json_decode" | "utf8" | "to_unicode" => return None,
        other => Builtin::by_name(other)?,
    };
    Some(Fallback::Builtin(b))
}

/// A module object (`tornado.escape`, `datetime`, or a registered one).
#[derive(Debug)]
pub(crate) struct Module {
    pub name: String,
    pub kind: ModuleKind,
}

#[derive(Debug)]
pub(crate) enum ModuleKind {
    /// A registered module, with the registry for its submodules.
    Shared(Arc<SharedNamespace>, Option<Arc<SharedNamespace>>),
    /// A package prefix of registered or builtin modules.
    Package(Option<Arc<SharedNamespace>>),
    TornadoEscape,
}

const ESCAPE_NAMES: &[(&str, Builtin)] = &[
    ("xhtml_escape", Builtin::XhtmlEscape),
    ("xhtml_unescape", Builtin::XhtmlUnescape),
    ("url_escape", Builtin::UrlEscape),
    ("url_unescape", Builtin::UrlUnescape),
    ("json_encode", Builtin::JsonEncode),
    ("json_decode", Builtin::JsonDecode),
    ("squeeze", Builtin::Squeeze),
    ("linkify", Builtin::Linkify),
    ("utf8", Builtin::Utf8),
    ("to_unicode", Builtin::ToUnicode),
    ("to_basestring", Builtin::ToUnicode),
    ("native_str", Builtin::ToUnicode),
];

impl Object for Module {
    fn type_name(&self) -> &str {
        "module"
    }

    fn get_attr(&self, name: &str) -> Result<Option<Value>> {
        let sub = format!("{}.{name}", self.name);
        match &self.kind {
            ModuleKind::TornadoEscape => Ok(ESCAPE_NAMES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, b)| Value::Function(Function::builtin(*b)))),
            ModuleKind::Shared(ns, registry) => {
                if let Some(v) = ns.get(name) {
                    return Ok(Some(v));
                }
                Ok(registry.as_ref().and_then(|r| find_module(&sub, r).ok()))
            }
            ModuleKind::Package(registry) => match registry {
                Some(r) => Ok(find_module(&sub, r).ok()),
                None => Ok(find_module(&sub, &Arc::new(SharedNamespace::new())).ok()),
            },
        }
    }

    fn to_str(&self) -> String {
        format!("<module '{}'>", self.name)
    }
}

/// The module (or package) called `path`: registered ones first, then the builtin
/// `tornado.escape`, `tornado` and `datetime`.
pub(crate) fn find_module(path: &str, registry: &Arc<SharedNamespace>) -> Result<Value> {
    if let Some(m) = registry.find_module(path) {
        return Ok(Value::Object(Rc::new(Module {
            name: path.to_string(),
            kind: ModuleKind::Shared(m.clone(), Some(registry.clone())),
        })));
    }
    match path {
        "tornado.escape" => {
            return Ok(Value::Object(Rc::new(Module {
                name: path.into(),
                kind: ModuleKind::TornadoEscape,
            })));
        }
        "datetime" => return Ok(crate::datetime::module()),
        _ => {}
    }
    if path == "tornado" || registry.has_package(path) {
        return Ok(Value::Object(Rc::new(Module {
            name: path.to_string(),
            kind: ModuleKind::Package(Some(registry.clone())),
        })));
    }
    Err(Error::new(
        ErrorKind::ModuleNotFound,
        format!("No module named '{path}'"),
    ))
}

fn text_of<'a>(
    args: &Args<'a>,
    i: usize,
    name: &str,
    func: &str,
) -> Result<std::borrow::Cow<'a, str>> {
    args.required(i, name, func)?.as_text()
}

fn flag(args: &Args<'_>, i: usize, name: &str, default: bool) -> bool {
    args.arg(i, name).map_or(default, Value::truthy)
}

/// The functions of `tornado.escape`.
pub(crate) fn call_escape_builtin(b: Builtin, args: &Args<'_>) -> Result<Value> {
    let func = b.name();
    match b {
        Builtin::XhtmlEscape => {
            let v = args.required(0, "value", func)?;
            Ok(Value::from(esc::xhtml_escape(&v.as_text()?).into_owned()))
        }
        Builtin::XhtmlUnescape => Ok(Value::from(
            esc::xhtml_unescape(&text_of(args, 0, "value", func)?).into_owned(),
        )),
        Builtin::UrlEscape => {
            let v = args.required(0, "value", func)?;
            let plus = flag(args, 1, "plus", true);
            let bytes: &[u8] = match v {
                Value::Str(s) => s.as_bytes(),
                Value::Bytes(b) => b,
                other => {
                    return Err(Error::type_error(format!(
                        "quote_from_bytes() expected bytes, got {}",
                        other.type_name()
                    )));
                }
            };
            Ok(Value::from(esc::url_escape(bytes, plus)))
        }
        Builtin::UrlUnescape => {
            let v = args.required(0, "value", func)?;
            let plus = flag(args, 2, "plus", true);
            let bytes: &[u8] = match v {
                Value::Str(s) => s.as_bytes(),
                Value::Bytes(b) => b,
                other => {
                    return Err(Error::type_error(format!(
                        "expected str or bytes, got {}",
                        other.type_name()
                    )));
                }
            };
            if matches!(args.arg(1, "encoding"), Some(Value::None)) {
                return Ok(Value::from(esc::url_unescape_bytes(bytes, plus)));
            }
            Ok(Value::from(esc::url_unescape(bytes, plus)))
        }
        Builtin::JsonEncode => {
            let v = args.required(0, "value", func)?;
            esc::json_encode(v)
                .map(Value::from)
                .map_err(|e| Error::type_error(e.to_string()))
        }
        Builtin::JsonDecode => {
            let v = args.required(0, "value", func)?;
            let bytes: &[u8] = match v {
                Value::Str(s) => s.as_bytes(),
                Value::Bytes(b) => b,
                other => {
                    return Err(Error::type_error(format!(
                        "the JSON object must be str or bytes, not {}",
                        other.type_name()
                    )));
                }
            };
            let j = esc::json_decode(bytes)
                .map_err(|e| Error::custom("JSONDecodeError", e.to_string()))?;
            Ok(Value::from(&j))
        }
        Builtin::Squeeze => match args.required(0, "value", func)? {
            Value::Str(s) => Ok(Value::from(esc::squeeze(s))),
            Value::Bytes(_) => Err(Error::type_error(
                "cannot use a string pattern on a bytes-like object",
            )),
            other => Err(Error::type_error(format!(
                "expected string or bytes-like object, got '{}'",
                other.type_name()
            ))),
        },
        Builtin::Linkify => {
            let text = text_of(args, 0, "text", func)?;
            let mut opts = esc::LinkifyOptions {
                shorten: flag(args, 1, "shorten", false),
                require_protocol: flag(args, 3, "require_protocol", false),
                ..Default::default()
            };
            if let Some(p) = args.arg(4, "permitted_protocols") {
                opts.permitted_protocols = crate::builtins::iterate(p)?
                    .iter()
                    .map(|v| Ok(std::borrow::Cow::Owned(v.as_text()?.into_owned())))
                    .collect::<Result<_>>()?;
            }
            let callable;
            match args.arg(2, "extra_params") {
                Some(f @ (Value::Function(_) | Value::Object(_))) => {
                    let f = f.clone();
                    callable = move |href: &str| -> String {
                        f.call(&Args::new(&[Value::from(href)]))
                            .map(|v| v.to_str())
                            .unwrap_or_default()
                    };
                    opts.extra_params = esc::ExtraParams::Callable(&callable);
                    Ok(Value::from(esc::linkify(&text, &opts)))
                }
                Some(v) => {
                    opts.extra_params = esc::ExtraParams::from(v.as_text()?.into_owned());
                    Ok(Value::from(esc::linkify(&text, &opts)))
                }
                None => Ok(Value::from(esc::linkify(&text, &opts))),
            }
        }
        Builtin::Utf8 => match args.required(0, "value", func)? {
            Value::Str(s) => Ok(Value::from(s.as_bytes().to_vec())),
            v @ (Value::Bytes(_) | Value::None) => Ok(v.clone()),
            other => Err(Error::type_error(format!(
                "Expected bytes, unicode, or None; got {}",
                other.class_repr()
            ))),
        },
        Builtin::ToUnicode => match args.required(0, "value", func)? {
            v @ (Value::Str(_) | Value::None) => Ok(v.clone()),
            v => Ok(Value::from(v.as_text()?.into_owned())),
        },
        other => Err(Error::type_error(format!(
            "{} is not an escape function",
            other.name()
        ))),
    }
}

impl Dict {
    /// A dict of string keys from a [`Namespace`].
    pub fn from_namespace(ns: &Namespace) -> Dict {
        let mut d = Dict::new();
        for (k, v) in ns.iter() {
            d.set(k, v.clone());
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_functions() {
        let call =
            |b: Builtin, a: &[Value]| call_escape_builtin(b, &Args::new(a)).unwrap().to_str();
        assert_eq!(
            call(Builtin::XhtmlEscape, &[Value::from("<'&\">")]),
            "&lt;&#x27;&amp;&quot;&gt;"
        );
        assert_eq!(
            call(Builtin::XhtmlEscape, &[Value::from(&b"a<"[..])]),
            "a&lt;"
        );
        assert_eq!(call(Builtin::UrlEscape, &[Value::from("a b/")]), "a+b%2F");
        assert_eq!(
            call(
                Builtin::UrlEscape,
                &[Value::from("a b"), Value::Bool(false)]
            ),
            "a%20b"
        );
        assert_eq!(
            call(Builtin::JsonEncode, &[Value::from("</script>")]),
            "\"<\\/script>\""
        );
        assert_eq!(call(Builtin::Squeeze, &[Value::from("  a \n b ")]), "a b");
        assert!(
            call(Builtin::Linkify, &[Value::from("see http://x.com")])
                .contains("<a href=\"http://x.com\">")
        );
        assert!(call_escape_builtin(Builtin::XhtmlEscape, &Args::new(&[Value::Int(1)])).is_err());
    }

    #[test]
    fn modules() {
        let mut reg = SharedNamespace::new();
        let mut m = SharedNamespace::new();
        m.function("twice", |a| {
            crate::ops::binary(
                crate::expr::BinOp::Mul,
                a.get(0).unwrap_or(&Value::None),
                &Value::Int(2),
            )
        });
        reg.module("app.helpers", m);
        let reg = Arc::new(reg);
        let app = find_module("app", &reg).unwrap();
        let helpers = crate::builtins::get_attr(&app, "helpers").unwrap();
        let twice = crate::builtins::get_attr(&helpers, "twice").unwrap();
        assert_eq!(
            twice.call(&Args::new(&[Value::Int(4)])).unwrap(),
            Value::Int(8)
        );
        assert!(find_module("nope", &reg).is_err());
        let esc = find_module("tornado", &reg).unwrap();
        let esc = crate::builtins::get_attr(&esc, "escape").unwrap();
        assert!(crate::builtins::get_attr(&esc, "linkify").is_ok());
    }
}

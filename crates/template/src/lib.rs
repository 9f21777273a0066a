//! # tornado-template
//!
//! Tornado's template language in Rust. Templates are Tornado's, unchanged: `{{ expr }}`,
//! `{% for %}`, `{% if %}`, `{% extends %}`/`{% block %}`, `{% include %}`, `{% apply %}`,
//! `{% autoescape %}`, `{% whitespace %}`... Where Tornado embeds Python, the expressions
//! here are a Python subset evaluated over a dynamic [`Value`] (see "The expression
//! language" below), and a template renders to the same bytes as Python Tornado 6.5.
//!
//! ```
//! use tornado_template::{DictLoader, LoaderOptions, Namespace, Value};
//!
//! let loader = DictLoader::new(
//!     [
//!         ("base.html", "<title>{% block title %}Default{% end %}</title>\n{% block body %}{% end %}"),
//!         ("list.html", "{% extends \"base.html\" %}\
//!                        {% block title %}{{ len(items) }} items{% end %}\
//!                        {% block body %}{% for i, item in enumerate(items) %}\
//!                        <li class=\"{{ 'first' if i == 0 else '' }}\">{{ item.name }}</li>{% end %}{% end %}"),
//!     ],
//!     LoaderOptions::default(),
//! );
//! #[derive(serde::Serialize)]
//! struct Item { name: &'static str }
//! let mut ns = Namespace::new();
//! ns.set("items", Value::from_serialize(&[Item { name: "a<b" }, Item { name: "c" }]).unwrap());
//! let html = loader.load("list.html").unwrap().generate(&ns).unwrap();
//! assert_eq!(
//!     String::from_utf8(html).unwrap(),
//!     "<title>2 items</title>\n<li class=\"first\">a&lt;b</li><li class=\"\">c</li>"
//! );
//! ```
//!
//! ## Map from Tornado
//!
//! | Tornado | here |
//! |---|---|
//! | `Template(source, name, loader, autoescape, whitespace)` | [`Template::new`], [`Template::with_options`] + [`TemplateOptions`] |
//! | `template.generate(**kwargs)` → bytes | [`Template::generate`]`(&`[`Namespace`]`)` → `Vec<u8>`, [`Template::generate_into`] |
//! | `Loader(root, autoescape, namespace, whitespace)` | [`Loader::new`]`(root, `[`LoaderOptions`]`)`; `load`, `reset` |
//! | `DictLoader(dict, ...)` | [`DictLoader::new`] |
//! | `BaseLoader` | the [`BaseLoader`] trait and [`load`] |
//! | `ParseError` | [`Error`] with [`Error::is_parse`], `filename()`, `lineno()` |
//! | `filter_whitespace(mode, text)` | [`filter_whitespace`] with [`Whitespace`] |
//! | the `namespace` of a loader | [`SharedNamespace`] (thread-safe functions and data, and modules for `{% import %}`) |
//! | objects passed to templates | [`Value`]: from any `serde::Serialize` ([`Value::from_serialize`]), [`Function`]s, and host objects through [`Object`] |
//!
//! ## The expression language
//!
//! Literals (strings with escapes and prefixes `r`/`b`, ints, floats, `True`, `False`,
//! `None`, lists, tuples, dicts), names, attributes, subscripts and slices, calls with
//! positional, keyword, `*args` and `**kwargs` arguments, `+ - * / // % **`, bitwise
//! operators, `%`-formatting with a tuple or a dict and `str.format`, chained
//! comparisons, `in`, `not in`, `is`, `is not`, `and`, `or`, `not`, conditional
//! expressions, list/dict/set comprehensions and generator expressions
//! (`max(e.updated for e in entries)`). Builtins: `len`, `range`, `enumerate`, `zip`,
//! `str`, `int`, `float`, `bool`, `list`, `tuple`, `dict`, `set`, `sorted`, `reversed`,
//! `min`, `max`, `sum`, `abs`, `round`, `repr`, `any`, `all`, `map`, `filter`,
//! `isinstance`, `getattr`, `hasattr`, `chr`, `ord`, `hex`, `divmod`, `format`, `bytes`,
//! `callable`, `pow`; the common methods of `str`, `bytes`, `list` and `dict`.
//! `{% set %}` takes Python assignment statements: `x = 1`, `a, b = pair`, `x += 1`,
//! `d[k] = v`, or an expression such as `items.append(x)`.
//!
//! `str()` follows Python (`['a', 1]`, `True`, `None`, `1e+16`), and so does every error:
//! a runtime error is an [`Error`] whose [`ErrorKind`] is Python's exception class
//! (`ZeroDivisionError`...), which `{% try %}…{% except ZeroDivisionError %}` catches,
//! and whose message names the template position as Tornado's generated code does:
//! `ZeroDivisionError: division by zero at sub.html:4 (via base.html:1)`.
//!
//! Tornado's default namespace is here: `escape`/`xhtml_escape`, `url_escape`,
//! `json_encode`, `squeeze`, `linkify` (from `tornado-escape`) and `datetime`
//! ([`datetime`]: `datetime.datetime(...)`, `now`, `utcnow`, `strptime`,
//! `fromtimestamp`, `strftime`, `isoformat`, `replace`, comparisons and arithmetic with
//! `timedelta`, `datetime.date`, `datetime.timezone.utc`). Host values (the handler, the
//! request, a locale, UI modules) implement [`Object`]; functions are [`Function`]s made
//! from closures that take positional and keyword arguments ([`Args`]).
//!
//! `{% import mod %}` and `{% from mod import name %}` bind modules registered with
//! [`SharedNamespace::module`], plus the builtin `tornado.escape` and `datetime`.
//! `{% module expr %}` evaluates `_tt_modules.expr` unescaped, as Tornado does: the web
//! layer passes `_tt_modules`.
//!
//! ## Threads and speed
//!
//! A compiled [`Template`] (and so a [`Loader`] and its cache) is `Send + Sync`: threads
//! that each run their own loop may share one loader. The values of a render are
//! `!Send` (`Rc` inside, so the handler, the request and UI modules can be host objects
//! holding `Rc`/`RefCell` state). Names are bound to slots when a template is compiled
//! and a render keeps them on the stack; global names are looked up once per render
//! (where they were the last time first); `{{ name }}` and `{{ name.key }}` holding an
//! int or a short string are written with the text around them in one step; loops of
//! text, output and `if`s run without the general dispatch; and everything is written
//! into one output buffer sized from the previous render (see `benches/README.md`).
//!
//! ## Differences from Tornado
//!
//! - Expressions are the Python subset above, not Python: no `lambda`, f-strings,
//!   walrus, `await`, or arbitrary imports. Integers are 64-bit (overflow raises
//!   `OverflowError`).
//! - Lists and dicts are values shared by reference count: a mutating method or item
//!   assignment changes the container held by the name it is called on, copying it if
//!   another name shares it. Mutation through one name is not seen through another.
//! - `enumerate`, `zip`, `reversed`, `map`, `filter`, `dict.items()`/`keys()`/`values()`
//!   and generator expressions produce lists; `set(...)` and set displays produce
//!   lists without duplicates.
//! - Attribute access on a dict reads its key when it has one (as Tornado's
//!   `ObjectDict`), so structs converted with serde read as `entry.title`; a dict method
//!   of the same name wins when called.
//! - A syntax error inside an expression is a [`ErrorKind::Parse`] error naming the
//!   template and line (Python raises `SyntaxError` from its compiler).
//! - The sets in `"else outside {'if', 'for', 'while', 'try'} block"` print in a fixed
//!   order (Python's order depends on string hashing).
//! - Includes or extends that loop are a `RecursionError` when loading, not a crash.
//! - `{% except %}` matches exception classes by name.
//! - A runtime error reports its template positions in its message
//!   ([`Error::trace`]) instead of a Python traceback through generated code.
//! - Python's builtins and modules not listed above are missing (`datetime` is the subset
//!   templates use); a name that is not defined raises `NameError` when it is read.

#![forbid(unsafe_code)]

mod builtins;
mod compile;
pub mod datetime;
mod error;
mod eval;
mod expr;
mod format;
mod lexer;
mod loader;
mod methods;
mod namespace;
mod ops;
mod out;
mod parse;
mod ser;
mod template;
mod value;

pub use error::{Error, ErrorKind, Result};
pub use loader::{BaseLoader, DictLoader, Loader, LoaderOptions, TemplateCache, load};
pub use namespace::{Namespace, SharedNamespace};
pub use parse::{Whitespace, filter_whitespace};
pub use template::{DEFAULT_AUTOESCAPE, Template, TemplateOptions};
pub use value::{Args, Dict, Function, Object, PyRange, Value};

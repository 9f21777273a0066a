//! [`OptionParser`]: the registry of defined options, their values, and the parsers of
//! command lines, config files and the environment.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;
use std::io::Write;
use std::panic::Location;
use std::path::Path;
use std::sync::{Arc, PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::error::{Error, Result};
use crate::help::{HelpEntry, format_help};
use crate::parse::parse_value;
use crate::value::{FromValue, Type, Value, py_repr_str};

/// A callback run with the new value whenever an option changes (Tornado's `callback=`).
/// It receives the parser too, so that a `--config` option can load a file into it.
pub type OptionCallback = Arc<dyn Fn(&OptionParser, &Value) -> Result<()> + Send + Sync>;

/// A callback run when a parse is final (Tornado's `add_parse_callback`).
pub type ParseCallback = Arc<dyn Fn(&OptionParser) -> Result<()> + Send + Sync>;

/// The definition of one option: Tornado's keyword arguments of `define`, as a builder.
///
/// ```
/// use tornado_options::{Opt, OptionParser, Type};
///
/// let options = OptionParser::new();
/// options.define(Opt::new("port").default(8888).help("run on the given port")).unwrap();
/// options.define(Opt::new("backends").ty(Type::Int).multiple(true).group("servers")).unwrap();
/// ```
#[must_use = "an Opt does nothing until it is given to define()"]
pub struct Opt {
    name: String,
    default: Value,
    ty: Option<Type>,
    help: Option<String>,
    metavar: Option<String>,
    multiple: bool,
    group: Option<String>,
    callback: Option<OptionCallback>,
}

impl Opt {
    /// An option named `name` (`-` and `_` are interchangeable), of type `str` and
    /// default `None` until told otherwise.
    pub fn new(name: impl Into<String>) -> Opt {
        Opt {
            name: name.into(),
            default: Value::None,
            ty: None,
            help: None,
            metavar: None,
            multiple: false,
            group: None,
            callback: None,
        }
    }

    /// The default value; without [`ty`](Opt::ty), the type is the default's type.
    pub fn default(mut self, value: impl Into<Value>) -> Opt {
        self.default = value.into();
        self
    }

    /// The type (Tornado's `type=`).
    pub fn ty(mut self, ty: Type) -> Opt {
        self.ty = Some(ty);
        self
    }

    /// A user type: shorthand for `.ty(Type::of::<T>())`.
    pub fn custom<T: crate::CustomOption>(self) -> Opt {
        self.ty(Type::of::<T>())
    }

    /// The help text shown by `--help`.
    pub fn help(mut self, help: impl Into<String>) -> Opt {
        self.help = Some(help.into());
        self
    }

    /// The placeholder shown after `=` in the help (`--log-file-prefix=PATH`).
    pub fn metavar(mut self, metavar: impl Into<String>) -> Opt {
        self.metavar = Some(metavar.into());
        self
    }

    /// Whether the option holds a list (comma-separated on the command line).
    pub fn multiple(mut self, multiple: bool) -> Opt {
        self.multiple = multiple;
        self
    }

    /// The help group (by default, the file that called `define`).
    pub fn group(mut self, group: impl Into<String>) -> Opt {
        self.group = Some(group.into());
        self
    }

    /// A callback run with each new value.
    pub fn callback(
        mut self,
        f: impl Fn(&OptionParser, &Value) -> Result<()> + Send + Sync + 'static,
    ) -> Opt {
        self.callback = Some(Arc::new(f));
        self
    }
}

impl fmt::Debug for Opt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Opt")
            .field("name", &self.name)
            .field("default", &self.default)
            .field("ty", &self.ty)
            .field("multiple", &self.multiple)
            .field("group", &self.group)
            .finish_non_exhaustive()
    }
}

/// A defined option.
struct OptionDef {
    name: String,
    ty: Type,
    default: Value,
    /// `None` until set (Tornado's `_Option.UNSET`).
    value: Option<Value>,
    help: Option<String>,
    metavar: Option<String>,
    multiple: bool,
    /// Where `define` was called, `file:line`.
    defined_at: String,
    group: String,
    callback: Option<OptionCallback>,
}

impl OptionDef {
    fn value(&self) -> &Value {
        self.value.as_ref().unwrap_or(&self.default)
    }
}

#[derive(Default)]
struct Inner {
    options: Vec<OptionDef>,
    index: HashMap<String, usize>,
    parse_callbacks: Vec<ParseCallback>,
}

impl Inner {
    fn find(&self, name: &str) -> Option<&OptionDef> {
        self.index
            .get(&normalize(name))
            .and_then(|&i| self.options.get(i))
    }

    fn find_mut(&mut self, name: &str) -> Option<&mut OptionDef> {
        let i = *self.index.get(&normalize(name))?;
        self.options.get_mut(i)
    }
}

/// Dashes and underscores are the same in option names; the canonical form uses dashes.
pub(crate) fn normalize(name: &str) -> String {
    name.replace('_', "-")
}

fn unrecognized(name: &str) -> Error {
    Error::Option(format!(
        "Unrecognized option {}",
        py_repr_str(&normalize(name))
    ))
}

/// Checks `value` against an option's type, as Tornado's `_Option.set` does (no string
/// parsing); an int given to a float option is widened.
fn check_type(def: &OptionDef, value: Value) -> Result<Value> {
    let widen = |v: Value| match (&def.ty, v) {
        (Type::Float, Value::Int(i)) => Value::Float(i as f64),
        (_, v) => v,
    };
    if def.multiple {
        let list_err = || {
            Error::Option(format!(
                "Option {} is required to be a list of {}",
                py_repr_str(&def.name),
                def.ty.name()
            ))
        };
        let Value::List(items) = value else {
            return Err(list_err());
        };
        let mut checked = Vec::with_capacity(items.len());
        for item in items {
            let item = widen(item);
            if !item.is_none() && !def.ty.accepts(&item) {
                return Err(list_err());
            }
            checked.push(item);
        }
        return Ok(Value::List(checked));
    }
    let value = widen(value);
    if value.is_none() || def.ty.accepts(&value) {
        Ok(value)
    } else {
        Err(Error::Option(format!(
            "Option {} is required to be a {} ({} given)",
            py_repr_str(&def.name),
            def.ty.name(),
            value.type_name()
        )))
    }
}

/// A set of options: Tornado's `OptionParser`.
///
/// Most programs use the process-global one, [`options()`](crate::options); separate
/// parsers suit subcommands and tests. A parser is `Sync`: values sit behind an
/// `RwLock` (they are read at start-up, not per request), and callbacks run with the lock
/// released, so a callback may read, set, or parse into the same parser.
pub struct OptionParser {
    inner: RwLock<Inner>,
}

impl fmt::Debug for OptionParser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.items()).finish()
    }
}

impl Default for OptionParser {
    fn default() -> Self {
        OptionParser::new()
    }
}

impl OptionParser {
    /// A parser with only the `help` option defined (as Tornado's).
    pub fn new() -> OptionParser {
        let parser = OptionParser {
            inner: RwLock::new(Inner::default()),
        };
        let help = OptionDef {
            name: "help".into(),
            ty: Type::Bool,
            default: Value::None,
            value: None,
            help: Some("show this help information".into()),
            metavar: None,
            multiple: false,
            defined_at: String::new(),
            group: String::new(),
            callback: None,
        };
        {
            let mut inner = parser.write();
            inner.index.insert("help".into(), 0);
            inner.options.push(help);
        }
        parser
    }

    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// Defines an option. The calling file is the option's default group, and
    /// `file:line` of the call is named if the option is defined again.
    ///
    /// Errors: a name already defined (in either spelling), a list default for an option
    /// that is not `multiple`, or a default that is not of the option's type.
    #[track_caller]
    pub fn define(&self, opt: Opt) -> Result<()> {
        let caller = Location::caller();
        self.define_at(opt, caller.file(), caller.line())
    }

    fn define_at(&self, opt: Opt, file: &str, line: u32) -> Result<()> {
        let normalized = normalize(&opt.name);
        let mut inner = self.write();
        if let Some(existing) = inner.find(&normalized) {
            return Err(Error::Option(format!(
                "Option {} already defined in {} (defined again in {file}:{line})",
                py_repr_str(&normalized),
                existing.defined_at
            )));
        }
        let ty = match opt.ty {
            Some(ty) => ty,
            None if opt.multiple => Type::Str,
            None => match (&opt.default, Type::of_value(&opt.default)) {
                (Value::List(_), _) => {
                    return Err(Error::Option(format!(
                        "Option {}: a list default needs multiple(true)",
                        py_repr_str(&opt.name)
                    )));
                }
                (_, ty) => ty.unwrap_or(Type::Str),
            },
        };
        let mut def = OptionDef {
            name: opt.name,
            ty,
            default: Value::None,
            value: None,
            help: opt.help,
            metavar: opt.metavar,
            multiple: opt.multiple,
            defined_at: format!("{file}:{line}"),
            group: opt
                .group
                .filter(|g| !g.is_empty())
                .unwrap_or_else(|| file.to_owned()),
            callback: opt.callback,
        };
        let default = match opt.default {
            Value::None if def.multiple => Value::List(Vec::new()),
            d => d,
        };
        def.default =
            check_type(&def, default).map_err(|e| Error::Option(format!("default of {e}")))?;
        let index = inner.options.len();
        inner.index.insert(normalized, index);
        inner.options.push(def);
        Ok(())
    }

    /// Whether an option of that name (either spelling) is defined.
    pub fn contains(&self, name: &str) -> bool {
        self.read().find(name).is_some()
    }

    /// The current value of an option (its default until set).
    pub fn value(&self, name: &str) -> Result<Value> {
        self.read()
            .find(name)
            .map(|d| d.value().clone())
            .ok_or_else(|| unrecognized(name))
    }

    /// The current value as `T`: `options.get::<u16>("port")`.
    pub fn get<T: FromValue>(&self, name: &str) -> Result<T> {
        let value = self.value(name)?;
        T::from_value(&value).ok_or_else(|| {
            Error::Option(format!(
                "Option {} holds {} (a {}), which is not a {}",
                py_repr_str(&normalize(name)),
                value.repr(),
                value.type_name(),
                std::any::type_name::<T>()
            ))
        })
    }

    /// Sets an option to a value of its type (no string parsing), then runs its callback:
    /// Tornado's `options.name = value`.
    pub fn set(&self, name: &str, value: impl Into<Value>) -> Result<()> {
        let (callback, value) = {
            let mut inner = self.write();
            let def = inner.find_mut(name).ok_or_else(|| unrecognized(name))?;
            let value = check_type(def, value.into())?;
            def.value = Some(value.clone());
            (def.callback.clone(), value)
        };
        match callback {
            Some(cb) => cb(self, &value),
            None => Ok(()),
        }
    }

    /// Parses `text` as the option's type (as on the command line), stores it and runs
    /// the callback. Returns the new value.
    pub fn parse_option(&self, name: &str, text: &str) -> Result<Value> {
        let (callback, value) = {
            let mut inner = self.write();
            let def = inner.find_mut(name).ok_or_else(|| unrecognized(name))?;
            let value = parse_value(&def.ty, def.multiple, text)
                .map_err(|e| Error::Option(format!("Option {}: {e}", py_repr_str(&def.name))))?;
            def.value = Some(value.clone());
            (def.callback.clone(), value)
        };
        if let Some(cb) = callback {
            cb(self, &value)?;
        }
        Ok(value)
    }

    /// The original names of all options, in definition order (Tornado's `iter(options)`).
    pub fn names(&self) -> Vec<String> {
        self.read().options.iter().map(|d| d.name.clone()).collect()
    }

    /// `(name, value)` of every option, in definition order.
    pub fn items(&self) -> Vec<(String, Value)> {
        self.read()
            .options
            .iter()
            .map(|d| (d.name.clone(), d.value().clone()))
            .collect()
    }

    /// The set of group names (`""` is the group of `help`).
    pub fn groups(&self) -> BTreeSet<String> {
        self.read()
            .options
            .iter()
            .map(|d| d.group.clone())
            .collect()
    }

    /// Names and values of the options in `group`; an empty group name means all.
    pub fn group_dict(&self, group: &str) -> BTreeMap<String, Value> {
        self.read()
            .options
            .iter()
            .filter(|d| group.is_empty() || d.group == group)
            .map(|d| (d.name.clone(), d.value().clone()))
            .collect()
    }

    /// Names and values of all options.
    pub fn as_dict(&self) -> BTreeMap<String, Value> {
        self.group_dict("")
    }

    /// Adds a callback run by every final parse.
    pub fn add_parse_callback(
        &self,
        f: impl Fn(&OptionParser) -> Result<()> + Send + Sync + 'static,
    ) {
        self.write().parse_callbacks.push(Arc::new(f));
    }

    /// Runs the parse callbacks, in the order they were added; stops at the first error.
    pub fn run_parse_callbacks(&self) -> Result<()> {
        let callbacks = self.read().parse_callbacks.clone();
        callbacks.iter().try_for_each(|cb| cb(self))
    }

    /// Parses a command line: `args[0]` (the program) is skipped; `--name=value` and,
    /// for bools, bare `--name`; parsing stops at the first argument not starting with
    /// `-` or after `--`. Returns the remaining arguments. When `final_`, the parse
    /// callbacks run.
    ///
    /// This never prints or exits: `--help` returns [`Error::Help`] with the help text
    /// (with `args[0]` as the program name), an unknown option [`Error::Unrecognized`].
    /// The module-level [`parse_command_line`](crate::parse_command_line) prints and exits
    /// as Tornado does.
    pub fn parse_command_line<I, S>(&self, args: I, final_: bool) -> Result<Vec<String>>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let args: Vec<String> = args.into_iter().map(|a| a.as_ref().to_owned()).collect();
        let program = args.first().map_or("", String::as_str);
        let mut remaining = Vec::new();
        for (i, arg) in args.iter().enumerate().skip(1) {
            if !arg.starts_with('-') {
                remaining = args[i..].to_vec();
                break;
            }
            if arg == "--" {
                remaining = args[i + 1..].to_vec();
                break;
            }
            let stripped = arg.trim_start_matches('-');
            let (name, value) = match stripped.split_once('=') {
                Some((n, v)) => (normalize(n), Some(v)),
                None => (normalize(stripped), None),
            };
            let ty = self.read().find(&name).map(|d| d.ty.clone());
            let Some(ty) = ty else {
                return Err(Error::Unrecognized(name));
            };
            let value = match value {
                Some(v) => v,
                None if ty == Type::Bool => "true",
                None => {
                    return Err(Error::Option(format!(
                        "Option {} requires a value",
                        py_repr_str(&name)
                    )));
                }
            };
            let parsed = self.parse_option(&name, value)?;
            if name == "help" && parsed == Value::Bool(true) {
                return Err(Error::Help(self.help_text(program)));
            }
        }
        if final_ {
            self.run_parse_callbacks()?;
        }
        Ok(remaining)
    }

    /// Loads a config file: Python-syntax `name = value` lines, read as the literal
    /// subset described in the [crate docs](crate#config-files) (no code runs). Every
    /// name that is a defined option sets it: strings are parsed as on the command line
    /// for options that are not plain `str`, other values are type-checked. When
    /// `final_`, the parse callbacks run. Errors carry the path and line.
    pub fn parse_config_file(&self, path: impl AsRef<Path>, final_: bool) -> Result<()> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io {
            path: path.to_owned(),
            source,
        })?;
        let source = match String::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) => {
                let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
                let line = good.iter().filter(|b| **b == b'\n').count() + 1;
                return Err(Error::Config {
                    path: path.to_owned(),
                    line,
                    message: "the file is not valid UTF-8".into(),
                });
            }
        };
        self.parse_config_source(&source, path, final_)
    }

    /// [`parse_config_file`](OptionParser::parse_config_file) on text already read;
    /// `path` gives `__file__` (made absolute) and the path in errors.
    pub fn parse_config_source(&self, source: &str, path: &Path, final_: bool) -> Result<()> {
        let file = crate::help::normpath(
            &std::path::absolute(path)
                .unwrap_or_else(|_| path.to_owned())
                .to_string_lossy(),
        );
        let config_err = |line: usize, message: String| Error::Config {
            path: path.to_owned(),
            line,
            message,
        };
        let assignments =
            crate::config::parse(source, &file).map_err(|(line, msg)| config_err(line, msg))?;
        for (name, lit, line) in assignments {
            let (multiple, ty, display) = match self.read().find(&name) {
                Some(d) => (d.multiple, d.ty.clone(), d.name.clone()),
                None => continue,
            };
            let result = match lit.as_str() {
                Some(text) if ty != Type::Str || multiple => {
                    self.parse_option(&name, text).map(|_| ())
                }
                _ if multiple && !lit.is_list() => Err(Error::Option(format!(
                    "Option {} is required to be a list of {} or a comma-separated string",
                    py_repr_str(&display),
                    ty.name()
                ))),
                _ => match lit.to_value() {
                    Ok(v) => self.set(&name, v),
                    Err(msg) => Err(Error::Option(format!(
                        "Option {}: {msg}",
                        py_repr_str(&display)
                    ))),
                },
            };
            match result {
                Err(Error::Option(msg)) => return Err(config_err(line, msg)),
                Err(e) => return Err(e),
                Ok(()) => {}
            }
            if normalize(&name) == "help" && self.value("help")? == Value::Bool(true) {
                return Err(Error::Help(self.help_text(&program_name())));
            }
        }
        if final_ {
            self.run_parse_callbacks()?;
        }
        Ok(())
    }

    /// Sets options from environment variables named `prefix` + the option name in upper
    /// case with `_` for `-` (`TORNADO_PORT` for `port` with prefix `TORNADO_`), parsed as
    /// on the command line. Not in Tornado. When `final_`, the parse callbacks run.
    pub fn parse_environment(&self, prefix: &str, final_: bool) -> Result<()> {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        self.parse_environment_from(vars, prefix, final_)
    }

    /// [`parse_environment`](OptionParser::parse_environment) over given variables.
    pub fn parse_environment_from<I>(&self, vars: I, prefix: &str, final_: bool) -> Result<()>
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let vars: HashMap<String, String> = vars.into_iter().collect();
        let names: Vec<String> = self
            .read()
            .index
            .keys()
            .filter(|n| *n != "help")
            .cloned()
            .collect();
        let mut found: Vec<(String, String, &String)> = names
            .into_iter()
            .filter_map(|n| {
                let var = format!("{prefix}{}", n.to_uppercase().replace('-', "_"));
                let value = vars.get(&var)?;
                Some((n, var, value))
            })
            .collect();
        found.sort();
        for (name, var, value) in found {
            self.parse_option(&name, value).map_err(|e| match e {
                Error::Option(msg) => Error::Option(format!("environment variable {var}: {msg}")),
                other => other,
            })?;
        }
        if final_ {
            self.run_parse_callbacks()?;
        }
        Ok(())
    }

    /// The help text, laid out as Tornado's `print_help`, with `program` on the usage line.
    pub fn help_text(&self, program: &str) -> String {
        let inner = self.read();
        let defaults: Vec<Option<String>> = inner
            .options
            .iter()
            .map(|d| match &d.default {
                Value::None => None,
                Value::Str(s) if s.is_empty() => None,
                v => Some(v.to_string()),
            })
            .collect();
        let mut entries: Vec<HelpEntry<'_>> = inner
            .options
            .iter()
            .zip(defaults)
            .map(|(d, default)| HelpEntry {
                name: &d.name,
                group: &d.group,
                metavar: d.metavar.as_deref(),
                help: d.help.as_deref(),
                default,
            })
            .collect();
        format_help(program, &mut entries)
    }

    /// Writes the help text to `out`, with this process's `argv[0]` as the program.
    pub fn print_help(&self, out: &mut dyn Write) -> std::io::Result<()> {
        out.write_all(self.help_text(&program_name()).as_bytes())
    }

    /// A guard for tests: values set through it are restored when it is dropped (Tornado's
    /// `mock.patch.object(options.mockable(), name, value)`).
    ///
    /// ```
    /// use tornado_options::{Opt, OptionParser};
    ///
    /// let options = OptionParser::new();
    /// options.define(Opt::new("foo").default(1)).unwrap();
    /// {
    ///     let mut mock = options.mockable();
    ///     mock.set("foo", 3).unwrap();
    ///     assert_eq!(options.get::<i64>("foo").unwrap(), 3);
    /// }
    /// assert_eq!(options.get::<i64>("foo").unwrap(), 1);
    /// ```
    pub fn mockable(&self) -> Mockable<'_> {
        Mockable {
            parser: self,
            originals: Vec::new(),
        }
    }
}

/// The program name for help texts: `argv[0]`, as Python's `sys.argv[0]`.
pub(crate) fn program_name() -> String {
    std::env::args_os()
        .next()
        .map(|a| a.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// Values set through a `Mockable` go back to what they were when it is dropped; see
/// [`OptionParser::mockable`].
pub struct Mockable<'a> {
    parser: &'a OptionParser,
    originals: Vec<(String, Value)>,
}

impl Mockable<'_> {
    /// Sets an option (as [`OptionParser::set`]), remembering the value to restore.
    pub fn set(&mut self, name: &str, value: impl Into<Value>) -> Result<()> {
        let key = normalize(name);
        if !self.originals.iter().any(|(n, _)| *n == key) {
            let original = self.parser.value(name)?;
            self.originals.push((key, original));
        }
        self.parser.set(name, value)
    }
}

impl Drop for Mockable<'_> {
    fn drop(&mut self) {
        for (name, value) in self.originals.drain(..).rev() {
            // The original passed the type check once; a callback error cannot be reported
            // from a destructor.
            let _ = self.parser.set(&name, value);
        }
    }
}

impl fmt::Debug for Mockable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mockable")
            .field("originals", &self.originals)
            .finish_non_exhaustive()
    }
}

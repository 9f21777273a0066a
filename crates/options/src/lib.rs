//! Tornado's `tornado.options`: options that any module defines for itself, read from
//! the command line, a config file or the environment.
//!
//! Options are defined once, usually at start-up, in a process-global [`OptionParser`]
//! ([`options()`]) or in a parser of your own; then a parse fills in their values, and
//! any code reads them by name:
//!
//! ```
//! use tornado_options::{Opt, OptionParser};
//!
//! let options = OptionParser::new(); // or tornado_options::options(), the global one
//! options.define(Opt::new("port").default(8888).help("run on the given port"))?;
//! options.define(Opt::new("memcache_hosts").default(vec!["127.0.0.1:11011"]).multiple(true))?;
//!
//! let rest = options.parse_command_line(["server", "--port=443", "--memcache-hosts=a:1,b:2", "extra"], true)?;
//! assert_eq!(rest, ["extra"]);
//! assert_eq!(options.get::<u16>("port")?, 443);
//! assert_eq!(options.get::<Vec<String>>("memcache_hosts")?, ["a:1", "b:2"]);
//! # Ok::<(), tornado_options::Error>(())
//! ```
//!
//! Everything Tornado's module offers is here under the same names: `define` (with
//! `default`, `type`, `help`, `metavar`, `multiple`, `group`, `callback` as the methods
//! of [`Opt`]), `parse_command_line`, `parse_config_file`, `print_help`,
//! `add_parse_callback`, `run_parse_callbacks`, `mockable`, `items`, `groups`,
//! `group_dict`, `as_dict`. Types are `str`, `int`, `float`, `bool`, `datetime`
//! (Tornado's ten formats, such as `2013-04-28 05:16`), `timedelta` (`45s`, `1h 30m`,
//! `1.5 hours`) and user types through [`CustomOption`]. `-` and `_` are the same in
//! names. Multiple-valued options take comma-separated values, and integer ones
//! inclusive ranges (`1,3,5:7`).
//!
//! # The command line
//!
//! [`OptionParser::parse_command_line`] returns the arguments after the options. It never
//! prints or exits: `--help` comes back as [`Error::Help`] holding Tornado's help text
//! (the same bytes as Python Tornado's `print_help`), an unknown option as
//! [`Error::Unrecognized`]. The module-level [`parse_command_line`] is the Tornado-like
//! wrapper for `main`: it parses `std::env::args` into the global options and, on
//! `--help`, prints the help to stderr and exits with status 0; on an unknown option it
//! prints the help and the error and exits with status 1; on any other error it prints
//! the error and exits with status 1 (where Python would end with a traceback).
//!
//! # Config files
//!
//! Tornado runs a config file as Python and then reads its global variables. We never run
//! code: [`OptionParser::parse_config_file`] reads the subset of Python that config files
//! are written in, so existing files load unchanged as long as they keep to it:
//!
//! - `name = value` assignments (also `a = b = value` and `;` between statements); names
//!   that are not options are ignored, as Tornado ignores other globals;
//! - strings in every quoting (`'…'`, `"…"`, triple quotes, `r`/`u`/`b` prefixes, Python's
//!   escapes, adjacent literals joined), integers (with `_`, `0x`/`0o`/`0b`), floats,
//!   `True`, `False`, `None`, lists and tuples (a tuple counts as a list), brackets spread
//!   over several lines, `\` line continuations, comments, blank lines;
//! - arithmetic on numbers (`100 * 1000 * 1000`), `+` on strings and lists, and names
//!   assigned earlier in the file; `__file__` is the absolute path of the file;
//! - `datetime(...)` and `timedelta(...)` calls with literal arguments (from the
//!   `datetime` module), and the string forms that the command line takes;
//! - `import …` and `from … import …` lines are skipped (they bind nothing here).
//!
//! Anything else (other calls, attribute access, `if`, `def`, f-strings, dicts) is an
//! error naming the path and line. Values are applied as Tornado applies them: a string
//! given to an option that is not a plain `str` option is parsed as on the command line
//! (`timedelta = '45s'`), other values must have the option's type.
//!
//! # Differences from Tornado
//!
//! - Config files are read, not executed (above). A file that computes values with
//!   other Python code must be rewritten in the string forms.
//! - `define` takes an [`Opt`] builder; the default group is the Rust source file that
//!   called `define` (through `#[track_caller]`), and a second definition names both
//!   places (`file:line`).
//! - `--help` and errors are values ([`Error::Help`]); only the module-level
//!   [`parse_command_line`] prints and exits.
//! - Option callbacks receive the parser with the value, and return a [`Result`]; parse
//!   callbacks receive the parser. Errors in them stop the parse and come back to the
//!   caller.
//! - Integers are 64-bit; an `int` given to a `float` option is accepted (Python would
//!   refuse it); a default must have the option's type; a list default needs
//!   `multiple(true)`; an integer range may give at most [`MAX_LIST_LEN`] values.
//! - The global parser defines only `help`. Tornado also defines its logging options
//!   there, but that needs `tornado-log`, a crate above this one: call
//!   `tornado_log::define_logging_options` (or use `tornado_log::options()`).
//! - New: [`OptionParser::parse_environment`] reads options from environment variables,
//!   and typed reads with [`OptionParser::get`].
#![forbid(unsafe_code)]

mod config;
mod error;
mod help;
mod parse;
mod parser;
mod value;

use std::sync::LazyLock;

pub use crate::error::{Error, Result};
pub use crate::help::{normpath, wrap};
pub use crate::parse::{
    MAX_LIST_LEN, parse_bool, parse_datetime, parse_float, parse_int, parse_timedelta,
};
pub use crate::parser::{Mockable, Opt, OptionCallback, OptionParser, ParseCallback};
pub use crate::value::{
    CustomOption, CustomType, CustomValue, FromValue, Type, Value, py_datetime_str, py_float_repr,
    py_repr_str, py_timedelta_str,
};

static OPTIONS: LazyLock<OptionParser> = LazyLock::new(OptionParser::new);

/// The process-global options (Tornado's `tornado.options.options`). Usable from any
/// thread.
pub fn options() -> &'static OptionParser {
    &OPTIONS
}

/// Defines an option in the global options; see [`OptionParser::define`].
///
/// ```
/// tornado_options::define(tornado_options::Opt::new("doc_example_port").default(8080)).unwrap();
/// assert_eq!(tornado_options::options().get::<i64>("doc-example-port").unwrap(), 8080);
/// ```
#[track_caller]
pub fn define(opt: Opt) -> Result<()> {
    options().define(opt)
}

/// Parses this process's command line into the global options and runs the parse
/// callbacks; returns the remaining arguments. As Tornado: `--help` prints the help to
/// stderr and exits with status 0; errors print to stderr and exit with status 1 (an
/// unknown option prints the help first). Use [`OptionParser::parse_command_line`] to
/// handle these yourself.
pub fn parse_command_line() -> Vec<String> {
    let args: Vec<String> = std::env::args_os()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    match options().parse_command_line(&args, true) {
        Ok(rest) => rest,
        Err(Error::Help(text)) => {
            eprint!("{text}");
            std::process::exit(0)
        }
        Err(e) => {
            if e.is_unrecognized() {
                eprint!(
                    "{}",
                    options().help_text(args.first().map_or("", String::as_str))
                );
            }
            eprintln!("{e}");
            std::process::exit(1)
        }
    }
}

/// Loads a config file into the global options; see [`OptionParser::parse_config_file`].
pub fn parse_config_file(path: impl AsRef<std::path::Path>, final_: bool) -> Result<()> {
    options().parse_config_file(path, final_)
}

/// Prints the global options' help to stderr.
pub fn print_help() {
    // Nothing sensible can be done if stderr is closed.
    let _ = options().print_help(&mut std::io::stderr());
}

/// Adds a parse callback to the global options; see [`OptionParser::add_parse_callback`].
pub fn add_parse_callback(f: impl Fn(&OptionParser) -> Result<()> + Send + Sync + 'static) {
    options().add_parse_callback(f);
}

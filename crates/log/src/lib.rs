//! Tornado's `tornado.log`: the three log targets every crate writes to, Tornado's log
//! line layout, and the logging options that configure it.
//!
//! tornado-rs logs through the [`log`] crate with Tornado's logger names as targets:
//! [`ACCESS_LOG`] (`tornado.access`, one line per request), [`APP_LOG`]
//! (`tornado.application`, errors from application code) and [`GEN_LOG`]
//! (`tornado.general`, everything else from Tornado itself). This crate is the `log::Log`
//! that prints them the Tornado way:
//!
//! ```text
//! [I 240101 12:00:00 web:2250] 200 GET / (127.0.0.1) 0.45ms
//! ```
//!
//! with the bracketed prefix coloured by level when stderr is a terminal. A program sets
//! it up as Tornado's do, by parsing the options:
//!
//! ```no_run
//! // In main: the global options, with --logging, --log-file-prefix, ... defined.
//! let _options = tornado_log::options();
//! // Parsing runs enable_pretty_logging, which installs the logger.
//! let _rest = tornado_options::parse_command_line();
//! log::info!(target: tornado_log::GEN_LOG, "ready");
//! ```
//!
//! or directly: `tornado_log::enable_pretty_logging(tornado_log::options())`.
//!
//! The pieces: [`LogFormatter`] (the layout, with Tornado's `%`-style format and date
//! format), handlers ([`StreamHandler`] for stderr, [`RotatingFileHandler`] rotating by
//! size with backups `.1`, `.2`..., [`TimedRotatingFileHandler`] rotating at `S`, `M`,
//! `H`, `D`, `midnight` or `W0`–`W6` with date-suffixed backups, as Python's handlers),
//! and [`Logger`], a level plus handlers, whose process-wide instance [`root_logger`] is
//! what [`install`] gives to `log::set_logger`.
//!
//! # Differences from Tornado
//!
//! - `env_logger` is not used: Tornado's layout, its file handlers and the options need
//!   a `log::Log` of our own, and one logger per process is all `log` allows.
//! - `log` has no exception info. A message that spans lines (an error chain, a
//!   backtrace you put in it) is indented as Tornado indents tracebacks: four spaces
//!   after every newline.
//! - `log` messages are always UTF-8, so the "bytes in messages" cases become
//!   [`safe_unicode`]: for bytes from the network, it gives the text when they are UTF-8
//!   and Python's `repr` (`b'\xe9'`) when not.
//! - `module:line` is the last segment of the record's module path and its line.
//! - Levels are `log`'s: `TRACE` exists (shown as `T`, uncoloured); there is no
//!   `CRITICAL` (`--logging=critical` means errors only).
//! - Colours are Tornado's ANSI fallback codes (`ESC[2;3<n>m`, `ESC[0m`), used when stderr
//!   is a terminal and `TERM` is set and not `dumb`; Tornado asks curses for the codes.
//! - Time rotation finds midnights on the local calendar (Python computes with seconds
//!   and corrects daylight-saving shifts by an hour; the results agree).
//! - Tornado defines the logging options on the global parser when `tornado.options` is
//!   imported; here [`options()`] does it on first call (tornado-options sits below this
//!   crate and cannot). Without a logger installed, `log` drops records, where Python
//!   prints warnings and errors through its last-resort handler.
#![forbid(unsafe_code)]

mod error;
mod formatter;
mod handlers;
mod logger;
mod options;

pub use crate::error::{Error, Result};
pub use crate::formatter::{
    DEFAULT_COLORS, LogFormatter, bytes_repr, levelname, levelno, safe_unicode,
    stderr_supports_color,
};
pub use crate::handlers::{
    Handler, RotatingFileHandler, StreamHandler, TimedRotatingFileHandler, When,
};
pub use crate::logger::{Logger, install, root_logger};
pub use crate::options::{
    define_logging_options, enable_pretty_logging, enable_pretty_logging_to, level_from_name,
    options,
};

/// Per-request lines from the HTTP servers (Tornado's `access_log`).
pub const ACCESS_LOG: &str = "tornado.access";
/// Errors from application code, such as a failing handler (Tornado's `app_log`).
pub const APP_LOG: &str = "tornado.application";
/// Everything else Tornado itself reports: protocol errors, warnings (Tornado's `gen_log`).
pub const GEN_LOG: &str = "tornado.general";

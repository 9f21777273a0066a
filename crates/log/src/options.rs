//! The logging options (`--logging`, `--log-file-prefix`, ...) and
//! [`enable_pretty_logging`], which applies them.

use std::sync::Once;

use log::LevelFilter;
use tornado_options::{Opt, OptionParser, Type};

use crate::error::{Error, Result};
use crate::formatter::LogFormatter;
use crate::handlers::{RotatingFileHandler, StreamHandler, TimedRotatingFileHandler};
use crate::logger::{Logger, install, root_logger};

/// Defines Tornado's logging options on `options` and adds a parse callback that calls
/// [`enable_pretty_logging`] (so a final parse configures logging):
///
/// | option | type | default |
/// |---|---|---|
/// | `logging` | str (`debug\|info\|warning\|error\|none`) | `info` |
/// | `log_to_stderr` | bool | None (stderr when nothing else is configured) |
/// | `log_file_prefix` | str (`PATH`) | None |
/// | `log_file_max_size` | int | 100 000 000 |
/// | `log_file_num_backups` | int | 10 |
/// | `log_rotate_when` | str | `midnight` |
/// | `log_rotate_interval` | int | 1 |
/// | `log_rotate_mode` | str (`size` or `time`) | `size` |
///
/// Their help texts are Tornado's, word for word.
pub fn define_logging_options(options: &OptionParser) -> tornado_options::Result<()> {
    options.define(
        Opt::new("logging")
            .default("info")
            .help("Set the Python log level. If 'none', tornado won't touch the logging configuration.")
            .metavar("debug|info|warning|error|none"),
    )?;
    options.define(Opt::new("log_to_stderr").ty(Type::Bool).help(
        "Send log output to stderr (colorized if possible). By default use stderr if \
         --log_file_prefix is not set and no other logging is configured.",
    ))?;
    options.define(Opt::new("log_file_prefix").ty(Type::Str).metavar("PATH").help(
        "Path prefix for log files. Note that if you are running multiple tornado processes, \
         log_file_prefix must be different for each of them (e.g. include the port number)",
    ))?;
    options.define(
        Opt::new("log_file_max_size")
            .ty(Type::Int)
            .default(100 * 1000 * 1000)
            .help("max size of log files before rollover"),
    )?;
    options.define(
        Opt::new("log_file_num_backups")
            .ty(Type::Int)
            .default(10)
            .help("number of log files to keep"),
    )?;
    options.define(Opt::new("log_rotate_when").ty(Type::Str).default("midnight").help(
        "specify the type of TimedRotatingFileHandler interval other options:('S', 'M', 'H', 'D', 'W0'-'W6')",
    ))?;
    options.define(
        Opt::new("log_rotate_interval")
            .ty(Type::Int)
            .default(1)
            .help("The interval value of timed rotating"),
    )?;
    options.define(
        Opt::new("log_rotate_mode")
            .ty(Type::Str)
            .default("size")
            .help("The mode of rotating files(time or size)"),
    )?;
    options.add_parse_callback(|opts| {
        enable_pretty_logging(opts).map_err(tornado_options::Error::callback)
    });
    Ok(())
}

/// The process-global options of `tornado-options` with the logging options defined (on
/// the first call), as importing `tornado.options` gives in Python.
///
/// ```
/// let options = tornado_log::options();
/// assert!(options.contains("log_file_prefix"));
/// assert!(std::ptr::eq(options, tornado_options::options()));
/// ```
pub fn options() -> &'static OptionParser {
    static DEFINE: Once = Once::new();
    let options = tornado_options::options();
    DEFINE.call_once(|| {
        // Fails only if someone defined these names first; theirs stay.
        let _ = define_logging_options(options);
    });
    options
}

/// The level a `logging` value names (case-insensitive): `debug`, `info`, `warning` (or
/// `warn`), `error`, `critical` (or `fatal`, both `Error` here), `trace`, `notset`
/// (everything, as Python's root logger at `NOTSET`).
pub fn level_from_name(name: &str) -> Result<LevelFilter> {
    Ok(match name.to_ascii_lowercase().as_str() {
        "debug" => LevelFilter::Debug,
        "info" => LevelFilter::Info,
        "warning" | "warn" => LevelFilter::Warn,
        "error" | "critical" | "fatal" => LevelFilter::Error,
        "trace" | "notset" => LevelFilter::Trace,
        _ => return Err(Error::InvalidLevel(name.to_owned())),
    })
}

/// Configures the root logger from the logging options, as Tornado does after a final
/// parse; installs it as `log`'s logger. See [`enable_pretty_logging_to`].
pub fn enable_pretty_logging(options: &OptionParser) -> Result<()> {
    let logger = root_logger();
    if !logging_enabled(options)? {
        return Ok(());
    }
    install()?;
    enable_pretty_logging_to(options, logger)
}

fn logging_enabled(options: &OptionParser) -> Result<bool> {
    let logging: Option<String> = options.get("logging")?;
    Ok(logging.is_some_and(|l| !l.eq_ignore_ascii_case("none")))
}

/// Configures `logger` from the logging options (Tornado's `enable_pretty_logging(options,
/// logger)`): nothing when `logging` is `None` or `none`; otherwise its level; a file
/// handler when `log_file_prefix` is set (rotated by size or by time, uncoloured); a
/// stderr handler when `log_to_stderr` is true, or unset and the logger has no handler.
///
/// Like Tornado, each call adds handlers: parse with `final_ = false` all but once.
pub fn enable_pretty_logging_to(options: &OptionParser, logger: &Logger) -> Result<()> {
    if !logging_enabled(options)? {
        return Ok(());
    }
    let name: String = options.get("logging")?;
    logger.set_level(level_from_name(&name)?);
    let prefix: Option<String> = options.get("log_file_prefix")?;
    if let Some(prefix) = prefix.filter(|p| !p.is_empty()) {
        let backups: u32 = options.get("log_file_num_backups")?;
        let mode: String = options.get("log_rotate_mode")?;
        let formatter = LogFormatter::with_color(false);
        match mode.as_str() {
            "size" => {
                let max: u64 = options.get("log_file_max_size")?;
                logger.add_handler(
                    RotatingFileHandler::new(prefix, max, backups)?.with_formatter(formatter),
                );
            }
            "time" => {
                let when: String = options.get("log_rotate_when")?;
                let interval: u32 = options.get("log_rotate_interval")?;
                logger.add_handler(
                    TimedRotatingFileHandler::new(prefix, &when, interval, backups)?
                        .with_formatter(formatter),
                );
            }
            other => return Err(Error::RotateMode(other.to_owned())),
        }
    }
    let to_stderr: Option<bool> = options.get("log_to_stderr")?;
    if to_stderr == Some(true) || (to_stderr.is_none() && logger.handler_count() == 0) {
        logger.add_handler(StreamHandler::stderr());
    }
    Ok(())
}

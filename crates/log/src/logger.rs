//! [`Logger`]: the `log::Log` that sends records to handlers.

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, PoisonError, RwLock};

use log::{LevelFilter, Log, Metadata, Record};

use crate::error::{Error, Result};
use crate::handlers::Handler;

const FILTERS: [LevelFilter; 6] = [
    LevelFilter::Off,
    LevelFilter::Error,
    LevelFilter::Warn,
    LevelFilter::Info,
    LevelFilter::Debug,
    LevelFilter::Trace,
];

/// A level and a list of handlers: Python's `logging.Logger`, as a `log::Log`.
///
/// The process has one [`root_logger`], which [`install`] hands to `log::set_logger`;
/// other `Logger`s serve tests and programs that dispatch records themselves.
pub struct Logger {
    level: AtomicUsize,
    handlers: RwLock<Vec<Arc<dyn Handler>>>,
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger")
            .field("level", &self.level())
            .field("handlers", &self.handler_count())
            .finish()
    }
}

impl Default for Logger {
    fn default() -> Self {
        Logger::new()
    }
}

impl Logger {
    /// A logger at level `Warn` (Python's default) without handlers.
    pub const fn new() -> Logger {
        Logger {
            level: AtomicUsize::new(2),
            handlers: RwLock::new(Vec::new()),
        }
    }

    /// The level below which records are dropped.
    pub fn level(&self) -> LevelFilter {
        FILTERS
            .get(self.level.load(Ordering::Relaxed))
            .copied()
            .unwrap_or(LevelFilter::Trace)
    }

    /// Sets the level. For the [`root_logger`] this also sets `log::set_max_level`.
    pub fn set_level(&self, level: LevelFilter) {
        self.level.store(level as usize, Ordering::Relaxed);
        if std::ptr::eq(self, root_logger()) {
            log::set_max_level(level);
        }
    }

    /// Adds a handler (records go to every handler, in order).
    pub fn add_handler(&self, handler: impl Handler + 'static) {
        self.add_shared_handler(Arc::new(handler));
    }

    /// Adds a handler that is shared with other code.
    pub fn add_shared_handler(&self, handler: Arc<dyn Handler>) {
        self.handlers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .push(handler);
    }

    /// How many handlers there are.
    pub fn handler_count(&self) -> usize {
        self.handlers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// Removes every handler.
    pub fn clear_handlers(&self) {
        self.handlers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

impl Log for Logger {
    fn enabled(&self, metadata: &Metadata<'_>) -> bool {
        metadata.level() <= self.level()
    }

    fn log(&self, record: &Record<'_>) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let handlers = self
            .handlers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for handler in handlers {
            if let Err(e) = handler.emit(record) {
                // Python's Handler.handleError: say so on stderr and go on.
                let _ = writeln!(std::io::stderr(), "--- Logging error ---\n{handler:?}: {e}");
            }
        }
    }

    fn flush(&self) {
        let handlers = self
            .handlers
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        for handler in handlers {
            let _ = handler.flush();
        }
    }
}

static ROOT: Logger = Logger::new();

/// The process's root logger (Python's `logging.getLogger()`), which [`install`] makes
/// `log`'s logger.
pub fn root_logger() -> &'static Logger {
    &ROOT
}

/// Makes the [`root_logger`] the `log` crate's logger (once per process; later calls are
/// no-ops) and sets `log`'s maximum level to its level. Fails if another logger was
/// installed first.
pub fn install() -> Result<&'static Logger> {
    match log::set_logger(&ROOT) {
        Ok(()) => {
            log::set_max_level(ROOT.level());
            Ok(&ROOT)
        }
        Err(_) if std::ptr::addr_eq(log::logger(), &ROOT) => Ok(&ROOT),
        Err(_) => Err(Error::LoggerAlreadySet),
    }
}

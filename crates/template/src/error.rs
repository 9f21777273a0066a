//! The crate's one error type: syntax errors (Tornado's `ParseError`), errors raised while
//! rendering (Python's exception classes, by name), and I/O errors of a [`Loader`](crate::Loader).

use std::fmt;

/// What went wrong, in Python's terms: a template syntax error or the class of the
/// exception Python would raise for the same expression.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A template syntax error (Tornado's `ParseError`), including Python syntax errors
    /// inside `{{ }}` and `{% %}`.
    Parse,
    /// A template file could not be read (Python's `OSError`/`FileNotFoundError`).
    Io,
    /// `NameError`: a name is neither assigned in the template nor in the namespace.
    Name,
    /// `UnboundLocalError`: a name assigned somewhere in the template was read before.
    UnboundLocal,
    /// `TypeError`.
    Type,
    /// `ValueError`.
    Value,
    /// `KeyError`.
    Key,
    /// `IndexError`.
    Index,
    /// `AttributeError`.
    Attribute,
    /// `ZeroDivisionError`.
    ZeroDivision,
    /// `OverflowError` (integers are 64-bit here).
    Overflow,
    /// `ModuleNotFoundError`: `{% import %}` of a module that is not registered.
    ModuleNotFound,
    /// `UnicodeDecodeError`: bytes that are not UTF-8 where text is needed.
    UnicodeDecode,
    /// `RecursionError`: includes or extends that loop, or nesting past the limit.
    Recursion,
    /// Any other exception class, by name (raised by host functions).
    Other(String),
}

impl ErrorKind {
    /// The Python exception class name (`"TypeError"`, `"ParseError"`...).
    pub fn name(&self) -> &str {
        match self {
            ErrorKind::Parse => "ParseError",
            ErrorKind::Io => "OSError",
            ErrorKind::Name => "NameError",
            ErrorKind::UnboundLocal => "UnboundLocalError",
            ErrorKind::Type => "TypeError",
            ErrorKind::Value => "ValueError",
            ErrorKind::Key => "KeyError",
            ErrorKind::Index => "IndexError",
            ErrorKind::Attribute => "AttributeError",
            ErrorKind::ZeroDivision => "ZeroDivisionError",
            ErrorKind::Overflow => "OverflowError",
            ErrorKind::ModuleNotFound => "ModuleNotFoundError",
            ErrorKind::UnicodeDecode => "UnicodeDecodeError",
            ErrorKind::Recursion => "RecursionError",
            ErrorKind::Other(name) => name,
        }
    }

    /// Whether `{% except NAME %}` catches this kind: the class itself or one of its
    /// Python base classes (`Exception`, `LookupError`, `ArithmeticError`...).
    pub fn is_instance_of(&self, class: &str) -> bool {
        if class == self.name() || class == "Exception" || class == "BaseException" {
            return true;
        }
        matches!(
            (self, class),
            (ErrorKind::Key | ErrorKind::Index, "LookupError")
                | (
                    ErrorKind::ZeroDivision | ErrorKind::Overflow,
                    "ArithmeticError"
                )
                | (ErrorKind::UnboundLocal, "NameError")
                | (ErrorKind::ModuleNotFound, "ImportError")
                | (ErrorKind::UnicodeDecode, "ValueError" | "UnicodeError")
                | (ErrorKind::Io, "IOError" | "EnvironmentError")
                | (ErrorKind::Recursion, "RuntimeError")
        )
    }
}

/// A template error: a syntax error found while compiling, or an exception raised while
/// rendering, with the template position(s) it happened at.
///
/// `Display` follows Tornado: a syntax error reads `Missing end expression }} at
/// foo.html:3`; a runtime error reads `ZeroDivisionError: division by zero at
/// sub.html:4 (via base.html:1)`, where the `(via …)` chain lists the templates that
/// included or extended the failing one, innermost first, as the comments of Tornado's
/// generated code do. When one template renders another (a UI module), each render adds
/// its own position: `... at sub.html:1, called from base.html:1`.
#[derive(Clone)]
pub struct Error(Box<Inner>);

#[derive(Clone)]
struct Inner {
    kind: ErrorKind,
    message: String,
    filename: Option<String>,
    lineno: u32,
    trace: Vec<String>,
}

/// `std::result::Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error of `kind` with `message` (Python's `str(exception)`), without a position.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            filename: None,
            lineno: 0,
            trace: Vec::new(),
        }))
    }

    /// A `ParseError` at `filename:lineno`, as Tornado's `ParseError(message, filename, lineno)`.
    pub fn parse(message: impl Into<String>, filename: &str, lineno: u32) -> Error {
        let mut e = Error::new(ErrorKind::Parse, message);
        e.0.filename = Some(filename.to_string());
        e.0.lineno = lineno;
        e
    }

    /// A `TypeError`.
    pub fn type_error(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Type, message)
    }

    /// A `ValueError`.
    pub fn value_error(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Value, message)
    }

    /// An exception of any class name, for host functions (`Error::custom("HTTPError", "...")`).
    pub fn custom(class: impl Into<String>, message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Other(class.into()), message)
    }

    pub(crate) fn io(path: &str, err: &std::io::Error) -> Error {
        Error::new(ErrorKind::Io, format!("{path}: {err}"))
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.0.kind
    }

    /// The message alone, without position (Python's `str(e)` for runtime errors,
    /// `ParseError.message` for syntax errors).
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// True for template syntax errors (Tornado's `ParseError`).
    pub fn is_parse(&self) -> bool {
        self.0.kind == ErrorKind::Parse
    }

    /// True when a template file could not be read.
    pub fn is_io(&self) -> bool {
        self.0.kind == ErrorKind::Io
    }

    /// For a syntax error, the template name (`ParseError.filename`).
    pub fn filename(&self) -> Option<&str> {
        self.0.filename.as_deref()
    }

    /// For a syntax error, the line (`ParseError.lineno`, 1-based; 0 when unknown).
    pub fn lineno(&self) -> u32 {
        self.0.lineno
    }

    /// For a runtime error, the template positions it passed through, innermost first,
    /// each as Tornado writes them: `"sub.html:4 (via base.html:1)"`.
    pub fn trace(&self) -> &[String] {
        &self.0.trace
    }

    pub(crate) fn push_trace(&mut self, location: &str) {
        self.0.trace.push(location.to_string());
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.0;
        if inner.kind == ErrorKind::Parse {
            // Tornado: "%s at %s:%d" % (message, filename, lineno)
            let name = inner.filename.as_deref().unwrap_or("None");
            write!(f, "{} at {}:{}", inner.message, name, inner.lineno)?;
        } else {
            write!(f, "{}: {}", inner.kind.name(), inner.message)?;
        }
        for (i, loc) in inner.trace.iter().enumerate() {
            let sep = if i == 0 { " at " } else { ", called from " };
            write!(f, "{sep}{loc}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Error({self})")
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_display_matches_tornado() {
        let e = Error::parse("Missing end expression }}", "foo.html", 3);
        assert_eq!(e.to_string(), "Missing end expression }} at foo.html:3");
        assert!(e.is_parse());
        assert_eq!(e.filename(), Some("foo.html"));
        assert_eq!(e.lineno(), 3);
        let mut legacy = Error::new(ErrorKind::Parse, "asdf");
        assert_eq!(legacy.to_string(), "asdf at None:0");
        legacy.push_trace("x.html:1");
        assert!(legacy.to_string().ends_with("at x.html:1"));
    }

    #[test]
    fn runtime_error_display_lists_the_trace() {
        let mut e = Error::new(ErrorKind::ZeroDivision, "division by zero");
        e.push_trace("sub.html:1");
        e.push_trace("base.html:1");
        assert_eq!(
            e.to_string(),
            "ZeroDivisionError: division by zero at sub.html:1, called from base.html:1"
        );
        assert!(e.kind().is_instance_of("ArithmeticError"));
        assert!(e.kind().is_instance_of("Exception"));
        assert!(!e.kind().is_instance_of("KeyError"));
    }
}

//! [`LogFormatter`]: Tornado's log line layout, with colours on a terminal.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::{self, Write as _};
use std::io::IsTerminal;

use chrono::{DateTime, Local};
use log::{Level, Record};

/// Tornado's default colours: `(level, ANSI colour number)` (blue, green, yellow, red).
pub const DEFAULT_COLORS: [(Level, u8); 4] = [
    (Level::Debug, 4),
    (Level::Info, 2),
    (Level::Warn, 3),
    (Level::Error, 1),
];

/// Whether stderr can show colours: it is a terminal and `TERM` is set and not `dumb`
/// (Tornado asks curses whether the terminal has colours).
pub fn stderr_supports_color() -> bool {
    std::io::stderr().is_terminal()
        && std::env::var_os("TERM").is_some_and(|t| !t.is_empty() && t != "dumb")
}

/// Python's `logging` level number for a `log` level (`TRACE` is 5, below `DEBUG`).
pub fn levelno(level: Level) -> u32 {
    match level {
        Level::Error => 40,
        Level::Warn => 30,
        Level::Info => 20,
        Level::Debug => 10,
        Level::Trace => 5,
    }
}

/// Python's level name (`WARNING`, not `WARN`).
pub fn levelname(level: Level) -> &'static str {
    match level {
        Level::Error => "ERROR",
        Level::Warn => "WARNING",
        Level::Info => "INFO",
        Level::Debug => "DEBUG",
        Level::Trace => "TRACE",
    }
}

/// Text for bytes that may not be UTF-8, as Tornado's `_safe_unicode`: the decoded text
/// when the bytes are UTF-8, else Python's `repr` of the bytes (`b'\xe9'`). Use it to log
/// bytes from the network: `log::error!("{}", safe_unicode(data))`.
pub fn safe_unicode(bytes: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(bytes_repr(bytes)),
    }
}

/// Python's `repr()` of a bytes object.
pub fn bytes_repr(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        b'"'
    } else {
        b'\''
    };
    let mut out = String::with_capacity(bytes.len() + 3);
    out.push('b');
    out.push(quote as char);
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b if b == quote => {
                out.push('\\');
                out.push(b as char);
            }
            0x20..=0x7e => out.push(b as char),
            b => {
                let _ = write!(out, "\\x{b:02x}");
            }
        }
    }
    out.push(quote as char);
    out
}

/// The parts of a record the format refers to.
struct Fields<'a> {
    record: &'a Record<'a>,
    message: &'a str,
    asctime: &'a str,
    time: DateTime<Local>,
    color: &'a str,
    end_color: &'a str,
}

impl Fields<'_> {
    fn module(&self) -> Cow<'_, str> {
        if let Some(path) = self.record.module_path() {
            return Cow::Borrowed(path.rsplit("::").next().unwrap_or(path));
        }
        match self.record.file() {
            Some(file) => Cow::Owned(
                std::path::Path::new(file)
                    .file_stem()
                    .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
            ),
            None => Cow::Borrowed("?"),
        }
    }

    /// The value of `%(key)s`; `None` for keys we do not know.
    fn get(&self, key: &str) -> Option<Cow<'_, str>> {
        let level = self.record.level();
        Some(match key {
            "message" => Cow::Borrowed(self.message),
            "asctime" => Cow::Borrowed(self.asctime),
            "color" => Cow::Borrowed(self.color),
            "end_color" => Cow::Borrowed(self.end_color),
            "levelname" => Cow::Borrowed(levelname(level)),
            "levelno" => Cow::Owned(levelno(level).to_string()),
            "name" => Cow::Borrowed(self.record.target()),
            "module" => self.module(),
            "lineno" => Cow::Owned(self.record.line().unwrap_or(0).to_string()),
            "pathname" => Cow::Borrowed(self.record.file().unwrap_or("")),
            "filename" => Cow::Borrowed(
                self.record
                    .file()
                    .map_or("", |f| f.rsplit('/').next().unwrap_or(f)),
            ),
            "created" => Cow::Owned(format!("{:.6}", self.time.timestamp_micros() as f64 / 1e6)),
            "msecs" => Cow::Owned(self.time.timestamp_subsec_millis().to_string()),
            "process" => Cow::Owned(std::process::id().to_string()),
            "threadName" => Cow::Owned(std::thread::current().name().unwrap_or("?").to_owned()),
            _ => return None,
        })
    }
}

/// Expands a Python `%`-style logging format: `%(key)[-][width][.precision](s|d)` and `%%`.
fn expand(fmt: &str, fields: &Fields<'_>) -> String {
    let mut out = String::with_capacity(fmt.len() + fields.message.len() + 32);
    let mut rest = fmt;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let spec = &rest[at + 1..];
        if let Some(after) = spec.strip_prefix('%') {
            out.push('%');
            rest = after;
            continue;
        }
        let parsed = spec.strip_prefix('(').and_then(|s| {
            let close = s.find(')')?;
            let key = &s[..close];
            let tail = &s[close + 1..];
            let flags_len = tail
                .find(|c: char| !matches!(c, '-' | '0' | ' ' | '+' | '#'))
                .unwrap_or(tail.len());
            let flags = &tail[..flags_len];
            let tail = &tail[flags_len..];
            let width_len = tail
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(tail.len());
            let width: usize = tail[..width_len].parse().unwrap_or(0);
            let mut tail = &tail[width_len..];
            let mut precision = None;
            if let Some(p) = tail.strip_prefix('.') {
                let n = p.find(|c: char| !c.is_ascii_digit()).unwrap_or(p.len());
                precision = Some(p[..n].parse().unwrap_or(0));
                tail = &p[n..];
            }
            let conv = tail.chars().next().filter(|c| c.is_ascii_alphabetic())?;
            let used = spec.len() - tail.len() + conv.len_utf8();
            Some((key, flags, width, precision, conv, used))
        });
        let Some((key, flags, width, precision, conv, used)) = parsed else {
            out.push('%');
            rest = spec;
            continue;
        };
        match fields.get(key) {
            Some(value) => {
                let mut value: String = value.into_owned();
                if let (Some(p), 's' | 'r') = (precision, conv) {
                    value = value.chars().take(p).collect();
                }
                let len = value.chars().count();
                if len < width {
                    let pad = width - len;
                    if flags.contains('-') {
                        value.extend(std::iter::repeat_n(' ', pad));
                    } else {
                        let fill = if flags.contains('0') && conv == 'd' {
                            '0'
                        } else {
                            ' '
                        };
                        value.insert_str(0, &fill.to_string().repeat(pad));
                    }
                }
                out.push_str(&value);
            }
            None => out.push_str(&rest[at..at + 1 + used]),
        }
        rest = &spec[used..];
    }
    out.push_str(rest);
    out
}

/// Tornado's `LogFormatter`: `[I 240101 12:00:00 module:123] message`, the bracketed
/// prefix coloured by level on a terminal, every newline of the message indented by four
/// spaces.
///
/// ```
/// use tornado_log::LogFormatter;
///
/// let formatter = LogFormatter::with_color(false);
/// let record = log::Record::builder()
///     .args(format_args!("hello\nworld"))
///     .level(log::Level::Warn)
///     .target("tornado.general")
///     .module_path(Some("tornado_web::handler"))
///     .line(Some(42))
///     .build();
/// let line = formatter.format(&record);
/// assert!(line.starts_with("[W "));
/// assert!(line.ends_with(" handler:42] hello\n    world"));
/// ```
#[derive(Clone, Debug)]
pub struct LogFormatter {
    fmt: String,
    datefmt: String,
    colors: BTreeMap<Level, String>,
    normal: String,
}

impl Default for LogFormatter {
    fn default() -> Self {
        LogFormatter::new()
    }
}

impl LogFormatter {
    /// Tornado's `DEFAULT_FORMAT`.
    pub const DEFAULT_FORMAT: &'static str =
        "%(color)s[%(levelname)1.1s %(asctime)s %(module)s:%(lineno)d]%(end_color)s %(message)s";
    /// Tornado's `DEFAULT_DATE_FORMAT` (`strftime`).
    pub const DEFAULT_DATE_FORMAT: &'static str = "%y%m%d %H:%M:%S";

    /// The default formatter, coloured when stderr supports it (Tornado's `color=True`).
    pub fn new() -> LogFormatter {
        LogFormatter::with_color(true)
    }

    /// The default format, with colours only if `color` and stderr supports them.
    pub fn with_color(color: bool) -> LogFormatter {
        let mut f = LogFormatter {
            fmt: Self::DEFAULT_FORMAT.into(),
            datefmt: Self::DEFAULT_DATE_FORMAT.into(),
            colors: BTreeMap::new(),
            normal: String::new(),
        };
        if color && stderr_supports_color() {
            f.set_colors(DEFAULT_COLORS);
        }
        f
    }

    /// Sets the format: Python `%`-style, with the keys `message`, `asctime`, `levelname`,
    /// `levelno`, `name` (the target), `module`, `lineno`, `pathname`, `filename`,
    /// `created`, `msecs`, `process`, `threadName`, `color` and `end_color`; width and
    /// precision as in Python (`%(levelname)1.1s`).
    pub fn fmt(mut self, fmt: impl Into<String>) -> LogFormatter {
        self.fmt = fmt.into();
        self
    }

    /// Sets the `strftime` format of `%(asctime)s`.
    pub fn datefmt(mut self, datefmt: impl Into<String>) -> LogFormatter {
        self.datefmt = datefmt.into();
        self
    }

    /// Uses ANSI colours (`ESC[2;3<n>m` ... `ESC[0m`, Tornado's fallback codes) for the
    /// given levels, whatever stderr is.
    pub fn set_colors(&mut self, colors: impl IntoIterator<Item = (Level, u8)>) {
        self.colors = colors
            .into_iter()
            .map(|(l, n)| (l, format!("\x1b[2;3{n}m")))
            .collect();
        self.normal = "\x1b[0m".into();
    }

    /// Uses these exact strings around the prefix (tests use visible markers).
    pub fn set_color_codes(
        &mut self,
        colors: impl IntoIterator<Item = (Level, String)>,
        normal: impl Into<String>,
    ) {
        self.colors = colors.into_iter().collect();
        self.normal = normal.into();
    }

    /// Whether any level is coloured.
    pub fn has_color(&self) -> bool {
        !self.colors.is_empty()
    }

    /// Formats a record, stamped now.
    pub fn format(&self, record: &Record<'_>) -> String {
        self.format_at(record, Local::now())
    }

    /// Formats a record with the given time.
    pub fn format_at(&self, record: &Record<'_>, time: DateTime<Local>) -> String {
        let mut message = String::new();
        if fmt::write(&mut message, *record.args()).is_err() {
            message = format!(
                "Bad message (a Display implementation failed): target={} file={:?} line={:?}",
                record.target(),
                record.file(),
                record.line()
            );
        }
        let mut asctime = String::new();
        if write!(asctime, "{}", time.format(&self.datefmt)).is_err() {
            asctime = time.format(Self::DEFAULT_DATE_FORMAT).to_string();
        }
        let (color, end_color) = match self.colors.get(&record.level()) {
            Some(c) => (c.as_str(), self.normal.as_str()),
            None => ("", ""),
        };
        let fields = Fields {
            record,
            message: &message,
            asctime: &asctime,
            time,
            color,
            end_color,
        };
        expand(&self.fmt, &fields).replace('\n', "\n    ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn record_line(formatter: &LogFormatter, level: Level, msg: &str) -> String {
        let time = Local
            .with_ymd_and_hms(2024, 1, 2, 3, 4, 5)
            .single()
            .unwrap_or_else(Local::now);
        formatter.format_at(
            &Record::builder()
                .args(format_args!("{msg}"))
                .level(level)
                .target("tornado.application")
                .module_path(Some("crate::web"))
                .file(Some("src/web.rs"))
                .line(Some(7))
                .build(),
            time,
        )
    }

    #[test]
    fn default_layout() {
        let f = LogFormatter::with_color(false);
        assert_eq!(
            record_line(&f, Level::Info, "hi"),
            "[I 240102 03:04:05 web:7] hi"
        );
        assert_eq!(
            record_line(&f, Level::Warn, "a\nb"),
            "[W 240102 03:04:05 web:7] a\n    b"
        );
        assert_eq!(
            record_line(&f, Level::Trace, "t"),
            "[T 240102 03:04:05 web:7] t"
        );
    }

    #[test]
    fn colours() {
        let mut f = LogFormatter::with_color(false);
        f.set_colors(DEFAULT_COLORS);
        assert_eq!(
            record_line(&f, Level::Error, "x"),
            "\x1b[2;31m[E 240102 03:04:05 web:7]\x1b[0m x"
        );
        assert_eq!(
            record_line(&f, Level::Debug, "x"),
            "\x1b[2;34m[D 240102 03:04:05 web:7]\x1b[0m x"
        );
        assert_eq!(
            record_line(&f, Level::Trace, "x"),
            "[T 240102 03:04:05 web:7] x"
        );
    }

    #[test]
    fn custom_formats() {
        let f = LogFormatter::with_color(false)
            .fmt("%(levelname)-8s|%(name)s|%(lineno)03d|%%|%(bogus)s|%(message)s")
            .datefmt("%H");
        assert_eq!(
            record_line(&f, Level::Warn, "m"),
            "WARNING |tornado.application|007|%|%(bogus)s|m"
        );
        let f = LogFormatter::with_color(false).fmt("%(asctime)s %(filename)s %(levelno)d 100%");
        assert_eq!(
            record_line(&f, Level::Info, "m"),
            "240102 03:04:05 web.rs 20 100%"
        );
    }

    #[test]
    fn bytes_reprs() {
        assert_eq!(safe_unicode(b"\xe9"), "b'\\xe9'");
        assert_eq!(safe_unicode("\u{e9}".as_bytes()), "\u{e9}");
        assert_eq!(bytes_repr(b"it's\n\\"), "b\"it's\\n\\\\\"");
        assert_eq!(bytes_repr(b"\x00\x7f'\""), "b'\\x00\\x7f\\'\"'");
    }

    proptest::proptest! {
        #[test]
        fn expand_never_panics(fmt in "[%()a-z0-9.-]{0,30}") {
            let f = LogFormatter::with_color(false).fmt(fmt);
            let _ = record_line(&f, Level::Info, "m");
        }
    }
}

//! Port of the `LogFormatterTest` and `EnablePrettyLoggingTest` parts of Tornado's
//! `tornado/test/log_test.py` (`LoggingOptionTest` runs processes: `tests/log_options.rs`).
//! Nothing here installs a global logger: records go to `Logger` values.

use std::fs;
use std::path::{Path, PathBuf};

use log::{Level, Log, Record};
use tornado_log::{
    Logger, RotatingFileHandler, define_logging_options, enable_pretty_logging_to, safe_unicode,
};
use tornado_options::OptionParser;

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir =
            std::env::temp_dir().join(format!("tornado-log-test-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }

    fn files(&self, prefix: &str) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
            .collect();
        v.sort();
        v
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn error(logger: &Logger, msg: &str) {
    logger.log(
        &Record::builder()
            .args(format_args!("{msg}"))
            .level(Level::Error)
            .target("LogFormatterTest")
            .module_path(Some(module_path!()))
            .file(Some(file!()))
            .line(Some(line!()))
            .build(),
    );
}

/// A logger writing to `log.out` in a temp dir with Tornado's formatter, its colours
/// replaced by visible markers (as the Python test patches `_colors`/`_normal`).
struct FormatterFixture {
    dir: TempDir,
    logger: Logger,
}

impl FormatterFixture {
    fn new(name: &str) -> FormatterFixture {
        let dir = TempDir::new(name);
        let mut formatter = tornado_log::LogFormatter::with_color(false);
        formatter.set_color_codes([(Level::Error, "\u{1}".to_owned())], "\u{2}");
        let handler = RotatingFileHandler::new(dir.0.join("log.out"), 0, 0)
            .unwrap()
            .with_formatter(formatter);
        let logger = Logger::new();
        logger.add_handler(handler);
        FormatterFixture { dir, logger }
    }

    /// The message part of the one line written, after checking the prefix.
    fn output(&self) -> String {
        let text = fs::read_to_string(self.dir.0.join("log.out")).unwrap();
        let line = text.trim();
        let re = regex_lite(line);
        re.unwrap_or_else(|| panic!("output didn't match the layout: {line:?}"))
    }
}

/// Checks `\x01[E dddddd dd:dd:dd log:N]\x02 ` at the start and returns the rest.
fn regex_lite(line: &str) -> Option<String> {
    let rest = line.strip_prefix("\u{1}[E ")?;
    let (date, rest) = rest.split_at_checked(6)?;
    let rest = rest.strip_prefix(' ')?;
    let (time, rest) = rest.split_at_checked(8)?;
    let rest = rest.strip_prefix(" log:")?;
    let digits = rest.find(|c: char| !c.is_ascii_digit())?;
    let rest = rest[digits..].strip_prefix("]\u{2} ")?;
    let time_ok = time.len() == 8
        && time.bytes().enumerate().all(|(i, b)| {
            if i % 3 == 2 {
                b == b':'
            } else {
                b.is_ascii_digit()
            }
        });
    (date.bytes().all(|b| b.is_ascii_digit()) && time_ok && digits > 0).then(|| rest.to_owned())
}

#[test]
fn test_basic_logging() {
    let f = FormatterFixture::new("basic");
    error(&f.logger, "foo");
    assert_eq!(f.output(), "foo");
}

#[test]
fn test_bytes_logging() {
    // Bytes that are not UTF-8 are shown as Python's repr.
    let f = FormatterFixture::new("bytes");
    error(&f.logger, &safe_unicode(b"\xe9"));
    assert_eq!(f.output(), "b'\\xe9'");
}

#[test]
fn test_utf8_logging() {
    // UTF-8 bytes are shown as their text (Tornado's `_safe_unicode`).
    let f = FormatterFixture::new("utf8");
    error(&f.logger, &safe_unicode("\u{e9}".as_bytes()));
    assert_eq!(f.output(), "\u{e9}");
}

#[test]
fn test_bytes_exception_logging() {
    // A message with a traceback-like tail: the lines are kept, and indented.
    let f = FormatterFixture::new("exception");
    let failure = format!("Exception: {}", safe_unicode(b"\xe9"));
    error(
        &f.logger,
        &format!(
            "caught exception\nTraceback (most recent call last):\n  File \"x\", line 1\n{failure}"
        ),
    );
    let output = f.output();
    assert!(output.contains("Exception: b'\\xe9'"), "{output}");
    assert!(!output.contains("\\n"), "{output}");
    assert_eq!(output.lines().count(), 4);
    assert!(
        output.lines().skip(1).all(|l| l.starts_with("    ")),
        "{output}"
    );
}

#[test]
fn test_unicode_logging() {
    let f = FormatterFixture::new("unicode");
    error(&f.logger, "\u{e9}");
    assert_eq!(f.output(), "\u{e9}");
}

fn logging_options() -> OptionParser {
    let options = OptionParser::new();
    define_logging_options(&options).unwrap();
    options
}

fn assert_single_hello(path: &Path) {
    let text = fs::read_to_string(path).unwrap();
    assert!(text.starts_with("[E "), "{text:?}");
    assert!(text.ends_with("] hello\n"), "{text:?}");
    assert_eq!(text.lines().count(), 1);
    assert!(!text.contains('\u{1b}'), "file output is never coloured");
}

#[test]
fn test_log_file() {
    let dir = TempDir::new("file");
    let options = logging_options();
    let logger = Logger::new();
    options
        .set(
            "log_file_prefix",
            dir.0.join("test_log").to_string_lossy().into_owned(),
        )
        .unwrap();
    enable_pretty_logging_to(&options, &logger).unwrap();
    assert_eq!(logger.handler_count(), 1);
    error(&logger, "hello");
    logger.flush();
    let files = dir.files("test_log");
    assert_eq!(files.len(), 1);
    assert_single_hello(&files[0]);
}

#[test]
fn test_log_file_with_timed_rotating() {
    let dir = TempDir::new("timed");
    let options = logging_options();
    let logger = Logger::new();
    options
        .set(
            "log_file_prefix",
            dir.0.join("test_log").to_string_lossy().into_owned(),
        )
        .unwrap();
    options.set("log_rotate_mode", "time").unwrap();
    enable_pretty_logging_to(&options, &logger).unwrap();
    error(&logger, "hello");
    logger.flush();
    let files = dir.files("test_log");
    assert_eq!(files.len(), 1);
    assert_single_hello(&files[0]);
}

#[test]
fn test_wrong_rotate_mode_value() {
    let dir = TempDir::new("wrongmode");
    let options = logging_options();
    let logger = Logger::new();
    options
        .set(
            "log_file_prefix",
            dir.0.join("some_path").to_string_lossy().into_owned(),
        )
        .unwrap();
    options.set("log_rotate_mode", "wrong_mode").unwrap();
    let err = enable_pretty_logging_to(&options, &logger).unwrap_err();
    assert!(err.is_rotate_mode());
    assert_eq!(
        err.to_string(),
        "The value of log_rotate_mode option should be \"size\" or \"time\", not \"wrong_mode\"."
    );
}

// ---- Beyond log_test.py ----

#[test]
fn size_rotation_through_options() {
    let dir = TempDir::new("sizeopts");
    let options = logging_options();
    let logger = Logger::new();
    options
        .set(
            "log_file_prefix",
            dir.0.join("app.log").to_string_lossy().into_owned(),
        )
        .unwrap();
    options.set("log_file_max_size", 200).unwrap();
    options.set("log_file_num_backups", 3).unwrap();
    enable_pretty_logging_to(&options, &logger).unwrap();
    for i in 0..40 {
        error(&logger, &format!("message number {i:02}"));
    }
    let names: Vec<String> = dir
        .files("app.log")
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["app.log", "app.log.1", "app.log.2", "app.log.3"]);
    for path in dir.files("app.log") {
        assert!(
            fs::metadata(&path).unwrap().len() < 200,
            "{path:?} is too big"
        );
    }
    let newest = fs::read_to_string(dir.0.join("app.log")).unwrap();
    assert!(newest.contains("message number 39"));
}

#[test]
fn levels_and_none() {
    let options = logging_options();
    let logger = Logger::new();
    options.set("logging", "warning").unwrap();
    options.set("log_to_stderr", false).unwrap();
    enable_pretty_logging_to(&options, &logger).unwrap();
    assert_eq!(logger.level(), log::LevelFilter::Warn);
    assert_eq!(logger.handler_count(), 0);

    // `none` in any case, or None, leaves the logger alone.
    let untouched = Logger::new();
    for value in [Some("none"), Some("NONE"), None] {
        options.set("logging", value).unwrap();
        enable_pretty_logging_to(&options, &untouched).unwrap();
        assert_eq!(untouched.level(), log::LevelFilter::Warn);
        assert_eq!(untouched.handler_count(), 0);
    }
    options.set("logging", "loud").unwrap();
    assert!(
        enable_pretty_logging_to(&options, &logger)
            .unwrap_err()
            .is_invalid_level()
    );
}

#[test]
fn logging_help_matches_python() {
    // The `logging` vector of tornado-options' help vectors: the logging options' help,
    // byte for byte as Python Tornado prints it.
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../options/tests/data/help_vectors.json");
    let vectors: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    let case = vectors
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "logging")
        .unwrap();
    let options = logging_options();
    assert_eq!(
        options.help_text("main.py"),
        case["expected"].as_str().unwrap()
    );
}

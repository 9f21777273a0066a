//! Handlers: where formatted records go. Stderr (or any writer), a file rotated by size
//! (Python's `RotatingFileHandler`), a file rotated by time (`TimedRotatingFileHandler`).

use std::ffi::OsString;
use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, Days, Local, NaiveTime, Offset, TimeZone, Utc};
use log::Record;

use crate::error::{Error, Result};
use crate::formatter::LogFormatter;

/// A destination for records (Python's `logging.Handler`). Each handler owns its
/// formatter.
pub trait Handler: Send + Sync + fmt::Debug {
    /// Formats and writes one record.
    fn emit(&self, record: &Record<'_>) -> io::Result<()>;

    /// Flushes buffered output.
    fn flush(&self) -> io::Result<()> {
        Ok(())
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Writes each record, and a newline, to a writer: Python's `StreamHandler`.
pub struct StreamHandler<W: Write + Send> {
    writer: Mutex<W>,
    formatter: LogFormatter,
}

impl StreamHandler<io::Stderr> {
    /// Writes to stderr with Tornado's formatter (coloured when stderr is a terminal).
    pub fn stderr() -> Self {
        StreamHandler::new(io::stderr(), LogFormatter::new())
    }
}

impl<W: Write + Send> StreamHandler<W> {
    /// Writes to `writer` with `formatter`.
    pub fn new(writer: W, formatter: LogFormatter) -> Self {
        StreamHandler {
            writer: Mutex::new(writer),
            formatter,
        }
    }

    /// The formatter.
    pub fn formatter(&self) -> &LogFormatter {
        &self.formatter
    }

    /// Gives the writer back.
    pub fn into_inner(self) -> W {
        self.writer
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

impl<W: Write + Send> fmt::Debug for StreamHandler<W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StreamHandler")
            .field("formatter", &self.formatter)
            .finish_non_exhaustive()
    }
}

impl<W: Write + Send> Handler for StreamHandler<W> {
    fn emit(&self, record: &Record<'_>) -> io::Result<()> {
        let mut line = self.formatter.format(record);
        line.push('\n');
        let mut w = lock(&self.writer);
        w.write_all(line.as_bytes())?;
        w.flush()
    }

    fn flush(&self) -> io::Result<()> {
        lock(&self.writer).flush()
    }
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

/// `path` with `.suffix` appended to its last component, as Python's `"%s.%d" % (name, i)`.
fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s: OsString = path.as_os_str().to_owned();
    s.push(".");
    s.push(suffix);
    PathBuf::from(s)
}

/// Python's rule: never roll over something that exists and is not a regular file
/// (`/dev/null`, a FIFO).
fn is_special(path: &Path) -> bool {
    fs::metadata(path).is_ok_and(|m| !m.is_file())
}

fn rename_if_exists(from: &Path, to: &Path) -> io::Result<()> {
    if from.exists() {
        fs::rename(from, to)
    } else {
        Ok(())
    }
}

fn remove_if_exists(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        other => other,
    }
}

struct SizeState {
    file: Option<File>,
}

/// A file that rolls over when it would reach `max_bytes`: Python's
/// `RotatingFileHandler`. The full file is renamed `path.1`, `path.1` becomes `path.2`,
/// and so on up to `path.<backup_count>`; with `max_bytes` 0 it never rolls over, with
/// `backup_count` 0 it is reopened and grows on (as in Python).
pub struct RotatingFileHandler {
    path: PathBuf,
    max_bytes: u64,
    backup_count: u32,
    formatter: LogFormatter,
    state: Mutex<SizeState>,
}

impl fmt::Debug for RotatingFileHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RotatingFileHandler")
            .field("path", &self.path)
            .field("max_bytes", &self.max_bytes)
            .field("backup_count", &self.backup_count)
            .finish_non_exhaustive()
    }
}

impl RotatingFileHandler {
    /// Opens (creating, appending to) `path`, with an uncoloured formatter.
    pub fn new(path: impl Into<PathBuf>, max_bytes: u64, backup_count: u32) -> Result<Self> {
        let path = path.into();
        let file = open_append(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        Ok(RotatingFileHandler {
            path,
            max_bytes,
            backup_count,
            formatter: LogFormatter::with_color(false),
            state: Mutex::new(SizeState { file: Some(file) }),
        })
    }

    /// Replaces the formatter.
    pub fn with_formatter(mut self, formatter: LogFormatter) -> Self {
        self.formatter = formatter;
        self
    }

    /// The base file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn should_rollover(&self, state: &mut SizeState, len: usize) -> io::Result<bool> {
        if is_special(&self.path) {
            return Ok(false);
        }
        if self.max_bytes == 0 {
            return Ok(false);
        }
        let file = match &mut state.file {
            Some(f) => f,
            None => state.file.insert(open_append(&self.path)?),
        };
        Ok(file.metadata()?.len() + len as u64 >= self.max_bytes)
    }

    fn do_rollover(&self, state: &mut SizeState) -> io::Result<()> {
        state.file = None;
        if self.backup_count > 0 {
            for i in (1..self.backup_count).rev() {
                let src = with_suffix(&self.path, &i.to_string());
                let dst = with_suffix(&self.path, &(i + 1).to_string());
                if src.exists() {
                    remove_if_exists(&dst)?;
                    fs::rename(&src, &dst)?;
                }
            }
            let dst = with_suffix(&self.path, "1");
            remove_if_exists(&dst)?;
            rename_if_exists(&self.path, &dst)?;
        }
        state.file = Some(open_append(&self.path)?);
        Ok(())
    }
}

impl Handler for RotatingFileHandler {
    fn emit(&self, record: &Record<'_>) -> io::Result<()> {
        let mut line = self.formatter.format(record);
        line.push('\n');
        let mut state = lock(&self.state);
        if self.should_rollover(&mut state, line.len())? {
            self.do_rollover(&mut state)?;
        }
        let file = match &mut state.file {
            Some(f) => f,
            None => state.file.insert(open_append(&self.path)?),
        };
        file.write_all(line.as_bytes())
    }
}

/// When a [`TimedRotatingFileHandler`] rolls over (Python's `when`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// `S`: every `interval` seconds.
    Seconds,
    /// `M`: every `interval` minutes.
    Minutes,
    /// `H`: every `interval` hours.
    Hours,
    /// `D`: every `interval` days (counted from the start, not at midnight).
    Days,
    /// `midnight`: at local midnight.
    Midnight,
    /// `W0`..`W6`: at the midnight that starts this weekday (0 is Monday).
    Weekday(u8),
}

impl When {
    /// Reads Python's spellings, in any case: `S`, `M`, `H`, `D`, `midnight`, `W0`–`W6`.
    pub fn parse(when: &str) -> Result<When> {
        let upper = when.to_uppercase();
        Ok(match upper.as_str() {
            "S" => When::Seconds,
            "M" => When::Minutes,
            "H" => When::Hours,
            "D" => When::Days,
            "MIDNIGHT" => When::Midnight,
            w if w.starts_with('W') => {
                if w.chars().count() != 2 {
                    return Err(Error::InvalidRotation(format!(
                        "You must specify a day for weekly rollover from 0 to 6 (0 is Monday): {upper}"
                    )));
                }
                match w.as_bytes().get(1) {
                    Some(d @ b'0'..=b'6') => When::Weekday(d - b'0'),
                    _ => {
                        return Err(Error::InvalidRotation(format!(
                            "Invalid day specified for weekly rollover: {upper}"
                        )));
                    }
                }
            }
            _ => {
                return Err(Error::InvalidRotation(format!(
                    "Invalid rollover interval specified: {upper}"
                )));
            }
        })
    }

    fn seconds(self) -> i64 {
        match self {
            When::Seconds => 1,
            When::Minutes => 60,
            When::Hours => 3600,
            When::Days | When::Midnight => 86_400,
            When::Weekday(_) => 7 * 86_400,
        }
    }

    /// The `strftime` suffix of backups.
    fn suffix(self) -> &'static str {
        match self {
            When::Seconds => "%Y-%m-%d_%H-%M-%S",
            When::Minutes => "%Y-%m-%d_%H-%M",
            When::Hours => "%Y-%m-%d_%H",
            _ => "%Y-%m-%d",
        }
    }

    /// The shape of a backup suffix, `9` standing for a digit (Python's `extMatch`).
    fn suffix_shape(self) -> &'static str {
        match self {
            When::Seconds => "9999-99-99_99-99-99",
            When::Minutes => "9999-99-99_99-99",
            When::Hours => "9999-99-99_99",
            _ => "9999-99-99",
        }
    }
}

fn matches_shape(part: &str, shape: &str) -> bool {
    part.len() == shape.len()
        && part.bytes().zip(shape.bytes()).all(|(p, s)| {
            if s == b'9' {
                p.is_ascii_digit()
            } else {
                p == s
            }
        })
}

fn unix_now(now: SystemTime) -> i64 {
    match now.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

struct TimedState {
    file: Option<File>,
    rollover_at: i64,
}

/// A file that rolls over at times: Python's `TimedRotatingFileHandler`. The old file is
/// renamed with the start of its period as suffix (`app.log.2024-01-01`, or
/// `_%H-%M-%S` forms for `S`, `M`, `H`) and the oldest backups beyond `backup_count` are
/// deleted. Times are local unless [`utc`](TimedRotatingFileHandler::utc) is set.
pub struct TimedRotatingFileHandler {
    path: PathBuf,
    when: When,
    interval: i64,
    backup_count: u32,
    utc: bool,
    formatter: LogFormatter,
    state: Mutex<TimedState>,
}

impl fmt::Debug for TimedRotatingFileHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TimedRotatingFileHandler")
            .field("path", &self.path)
            .field("when", &self.when)
            .field("interval", &self.interval)
            .field("backup_count", &self.backup_count)
            .finish_non_exhaustive()
    }
}

impl TimedRotatingFileHandler {
    /// Opens (creating, appending to) `path`; `when` as in Python (`midnight`, `H`, `W6`...),
    /// `interval` multiplies the period. The first rollover counts from the file's
    /// modification time if it exists, as Python does.
    pub fn new(
        path: impl Into<PathBuf>,
        when: &str,
        interval: u32,
        backup_count: u32,
    ) -> Result<Self> {
        let path = path.into();
        let when = When::parse(when)?;
        let start = fs::metadata(&path)
            .and_then(|m| m.modified())
            .unwrap_or_else(|_| SystemTime::now());
        let file = open_append(&path).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
        let mut handler = TimedRotatingFileHandler {
            path,
            when,
            interval: when.seconds() * i64::from(interval.max(1)),
            backup_count,
            utc: false,
            formatter: LogFormatter::with_color(false),
            state: Mutex::new(TimedState {
                file: Some(file),
                rollover_at: 0,
            }),
        };
        let at = handler.compute_rollover(unix_now(start));
        lock(&handler.state).rollover_at = at;
        handler.formatter = LogFormatter::with_color(false);
        Ok(handler)
    }

    /// Uses UTC instead of local time for midnights and suffixes.
    pub fn utc(mut self, utc: bool) -> Self {
        self.utc = utc;
        let start = fs::metadata(&self.path)
            .and_then(|m| m.modified())
            .unwrap_or_else(|_| SystemTime::now());
        let at = self.compute_rollover(unix_now(start));
        lock(&self.state).rollover_at = at;
        self
    }

    /// Replaces the formatter.
    pub fn with_formatter(mut self, formatter: LogFormatter) -> Self {
        self.formatter = formatter;
        self
    }

    /// The base file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// When the next rollover is due.
    pub fn rollover_at(&self) -> SystemTime {
        let at = lock(&self.state).rollover_at;
        UNIX_EPOCH + std::time::Duration::from_secs(u64::try_from(at).unwrap_or(0))
    }

    /// The UTC offset in force at `t` (seconds east), in this handler's zone.
    fn offset(&self, t: i64) -> i64 {
        if self.utc {
            return 0;
        }
        Local
            .timestamp_opt(t, 0)
            .single()
            .map_or(0, |d| i64::from(d.offset().fix().local_minus_utc()))
    }

    /// The start of the day after the one holding `t`, `extra_days` later still.
    fn next_midnight(&self, t: i64, extra_days: u64) -> Option<i64> {
        if self.utc {
            let date = DateTime::<Utc>::from_timestamp(t, 0)?.date_naive();
            let day = date.checked_add_days(Days::new(1 + extra_days))?;
            return Some(day.and_time(NaiveTime::MIN).and_utc().timestamp());
        }
        let date = Local.timestamp_opt(t, 0).single()?.date_naive();
        let day = date.checked_add_days(Days::new(1 + extra_days))?;
        Some(
            Local
                .from_local_datetime(&day.and_time(NaiveTime::MIN))
                .earliest()?
                .timestamp(),
        )
    }

    /// Python's `computeRollover`, on the calendar: midnights are the real local
    /// midnights (Python gets the same by correcting for daylight saving by an hour).
    fn compute_rollover(&self, t: i64) -> i64 {
        let plain = t.saturating_add(self.interval);
        let weekday = |t: i64| -> u32 {
            if self.utc {
                DateTime::<Utc>::from_timestamp(t, 0)
                    .map_or(0, |d| d.weekday().num_days_from_monday())
            } else {
                Local
                    .timestamp_opt(t, 0)
                    .single()
                    .map_or(0, |d| d.weekday().num_days_from_monday())
            }
        };
        match self.when {
            When::Midnight => self.next_midnight(t, 0).unwrap_or(plain),
            When::Weekday(dow) => {
                let day = weekday(t);
                let dow = u32::from(dow);
                // As Python: the rollover is the midnight that ends day `dow`, so that
                // many days after tomorrow's midnight.
                let wait = if day == dow {
                    0
                } else if day < dow {
                    dow - day
                } else {
                    6 - day + dow + 1
                };
                self.next_midnight(t, u64::from(wait)).unwrap_or(plain)
            }
            _ => plain,
        }
    }

    fn local_suffix(&self, t: i64) -> String {
        let fmt = self.when.suffix();
        if self.utc {
            return DateTime::<Utc>::from_timestamp(t, 0)
                .map_or_else(String::new, |d| d.format(fmt).to_string());
        }
        Local
            .timestamp_opt(t, 0)
            .single()
            .map_or_else(String::new, |d| d.format(fmt).to_string())
    }

    fn files_to_delete(&self) -> io::Result<Vec<PathBuf>> {
        let dir = match self.path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
            _ => PathBuf::from("."),
        };
        let Some(base) = self
            .path
            .file_name()
            .map(|b| b.to_string_lossy().into_owned())
        else {
            return Ok(Vec::new());
        };
        // Python's os.path.splitext: the extension is from the last dot not leading the name.
        let stem = match base.rfind('.') {
            Some(i) if base[..i].chars().any(|c| c != '.') => &base[..i],
            _ => base.as_str(),
        };
        let prefix = format!("{stem}.");
        let mut found = Vec::new();
        for entry in fs::read_dir(&dir)? {
            let name = entry?.file_name().to_string_lossy().into_owned();
            if !name.starts_with(&base) {
                continue;
            }
            if let Some(suffix) = name.strip_prefix(&prefix)
                && suffix
                    .split('.')
                    .any(|part| matches_shape(part, self.when.suffix_shape()))
            {
                found.push(dir.join(&name));
            }
        }
        if found.len() < self.backup_count as usize {
            return Ok(Vec::new());
        }
        found.sort();
        found.truncate(found.len() - self.backup_count as usize);
        Ok(found)
    }

    fn do_rollover(&self, state: &mut TimedState, now: i64) -> io::Result<()> {
        state.file = None;
        let mut t = state.rollover_at - self.interval;
        let shift = self.offset(now) - self.offset(t);
        if shift != 0 {
            t += shift;
        }
        let dst = with_suffix(&self.path, &self.local_suffix(t));
        remove_if_exists(&dst)?;
        rename_if_exists(&self.path, &dst)?;
        if self.backup_count > 0 {
            for old in self.files_to_delete()? {
                remove_if_exists(&old)?;
            }
        }
        state.file = Some(open_append(&self.path)?);
        let mut next = self.compute_rollover(now);
        while next <= now {
            next += self.interval;
        }
        state.rollover_at = next;
        Ok(())
    }

    /// Emits a record as if the time were `now` (rollover decisions use `now`; the line
    /// itself is stamped with the real time). For tests and replays.
    pub fn emit_at(&self, record: &Record<'_>, now: SystemTime) -> io::Result<()> {
        let mut line = self.formatter.format(record);
        line.push('\n');
        let now = unix_now(now);
        let mut state = lock(&self.state);
        if now >= state.rollover_at {
            if is_special(&self.path) {
                state.rollover_at = self.compute_rollover(now);
            } else {
                self.do_rollover(&mut state, now)?;
            }
        }
        let file = match &mut state.file {
            Some(f) => f,
            None => state.file.insert(open_append(&self.path)?),
        };
        file.write_all(line.as_bytes())
    }
}

impl Handler for TimedRotatingFileHandler {
    fn emit(&self, record: &Record<'_>) -> io::Result<()> {
        self.emit_at(record, SystemTime::now())
    }
}

/// Midnight-relative seconds of a local time (used by tests).
#[cfg(test)]
fn seconds_of_day(t: i64) -> u32 {
    use chrono::Timelike;
    Local
        .timestamp_opt(t, 0)
        .single()
        .map_or(0, |d| d.num_seconds_from_midnight())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("tornado-log-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_default();
        dir
    }

    fn record(h: &dyn Handler, msg: &str) {
        h.emit(
            &Record::builder()
                .args(format_args!("{msg}"))
                .level(log::Level::Error)
                .build(),
        )
        .unwrap_or_default();
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    #[test]
    fn when_parsing() {
        assert_eq!(When::parse("midnight").ok(), Some(When::Midnight));
        assert_eq!(When::parse("w6").ok(), Some(When::Weekday(6)));
        assert_eq!(When::parse("s").ok(), Some(When::Seconds));
        assert_eq!(
            When::parse("W7").err().map(|e| e.to_string()),
            Some("Invalid day specified for weekly rollover: W7".into())
        );
        assert_eq!(
            When::parse("W").err().map(|e| e.to_string()),
            Some("You must specify a day for weekly rollover from 0 to 6 (0 is Monday): W".into())
        );
        assert_eq!(
            When::parse("x").err().map(|e| e.to_string()),
            Some("Invalid rollover interval specified: X".into())
        );
    }

    #[test]
    fn size_rotation_renames_like_python() {
        let dir = tempdir("size");
        let path = dir.join("app.log");
        // Each line is "[E yymmdd hh:mm:ss ?:0] msgN\n": 26 bytes for one-digit N.
        let h = RotatingFileHandler::new(&path, 60, 2).unwrap_or_else(|e| panic!("{e}"));
        for i in 0..7 {
            record(&h, &format!("msg{i}"));
        }
        assert_eq!(names(&dir), ["app.log", "app.log.1", "app.log.2"]);
        let read = |n: &str| fs::read_to_string(dir.join(n)).unwrap_or_default();
        assert!(read("app.log").contains("msg6"));
        assert!(read("app.log.1").contains("msg4") && read("app.log.1").contains("msg5"));
        assert!(read("app.log.2").contains("msg2") && read("app.log.2").contains("msg3"));
        assert_eq!(read("app.log.2").lines().count(), 2);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn size_zero_never_rotates() {
        let dir = tempdir("size0");
        let h = RotatingFileHandler::new(dir.join("a.log"), 0, 3).unwrap_or_else(|e| panic!("{e}"));
        for _ in 0..50 {
            record(&h, "x");
        }
        assert_eq!(names(&dir), ["a.log"]);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn time_rotation_names_and_pruning() {
        let dir = tempdir("time");
        let path = dir.join("t.log");
        let h = TimedRotatingFileHandler::new(&path, "S", 10, 2)
            .unwrap_or_else(|e| panic!("{e}"))
            .utc(true);
        let start = unix_now(SystemTime::now());
        let first = lock(&h.state).rollover_at;
        assert!((start + 9..=start + 10).contains(&first));
        let at = |t: i64| UNIX_EPOCH + std::time::Duration::from_secs(t as u64);
        let r = Record::builder()
            .args(format_args!("x"))
            .level(log::Level::Info)
            .build();
        // Three rollovers, ten seconds apart, each backup named for the start of its
        // period; only the two newest remain.
        for k in 0..3 {
            h.emit_at(&r, at(first + 10 * k)).unwrap_or_default();
        }
        let backups: Vec<String> = names(&dir).into_iter().filter(|n| n != "t.log").collect();
        assert_eq!(backups.len(), 2, "{backups:?}");
        let want = |t: i64| {
            format!(
                "t.log.{}",
                DateTime::<Utc>::from_timestamp(t, 0)
                    .map(|d| d.format("%Y-%m-%d_%H-%M-%S").to_string())
                    .unwrap_or_default()
            )
        };
        assert_eq!(
            backups,
            [want(first), want(first + 10)].map(|s| s.to_string())
        );
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn midnight_and_weekday_rollover_times() {
        let dir = tempdir("midnight");
        let h = TimedRotatingFileHandler::new(dir.join("m.log"), "midnight", 1, 0)
            .unwrap_or_else(|e| panic!("{e}"));
        let now = unix_now(SystemTime::now());
        let at = h.compute_rollover(now);
        assert!(at > now && at - now <= 86_400 + 3600);
        assert_eq!(seconds_of_day(at), 0);
        let w = TimedRotatingFileHandler::new(dir.join("w.log"), "W0", 1, 0)
            .unwrap_or_else(|e| panic!("{e}"));
        let at = w.compute_rollover(now);
        assert!(at > now && at - now <= 7 * 86_400 + 3600);
        assert_eq!(seconds_of_day(at), 0);
        // The midnight that ends Monday, as Python's W0.
        assert_eq!(
            Local
                .timestamp_opt(at, 0)
                .single()
                .map(|d| d.weekday().num_days_from_monday()),
            Some(1)
        );
        let _ = fs::remove_dir_all(&dir);
    }
}

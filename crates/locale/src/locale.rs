//! [`Locale`]: one language's translations and formatting of dates, lists and numbers.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDateTime, TimeDelta, Timelike, Utc};

use crate::csv::CsvTable;
use crate::date::{IntoDate, days_and_seconds, round_half_even, shift};
use crate::error::{Error, Result};
use crate::format::{Arg, interpolate};
use crate::gettext::{CONTEXT_SEPARATOR, GettextChain};
use crate::names::locale_name;

const LOG_TARGET: &str = "tornado.general";

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Where a locale's translations come from.
#[derive(Clone, Debug)]
pub(crate) enum Source {
    /// Tornado's `CSVLocale`: a CSV table (empty when the locale has no file).
    Csv(Arc<CsvTable>),
    /// Tornado's `GettextLocale`: `.mo` catalogues.
    Gettext(Arc<GettextChain>),
}

/// Which kind of translations a [`Locale`] uses (Tornado's `CSVLocale` and
/// `GettextLocale` classes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LocaleKind {
    /// CSV translations, or none at all (Tornado's `CSVLocale`).
    Csv,
    /// gettext catalogues (Tornado's `GettextLocale`).
    Gettext,
}

/// A locale: translations for one language plus its formatting of dates, lists and
/// numbers. Cheap to clone (an [`Arc`]) and `Send + Sync`.
///
/// Get one with [`Locale::get`] / [`Locale::get_closest`] (from the process-wide
/// translations that [`load_translations`](crate::load_translations) fills) or from an
/// explicit [`Translations`](crate::Translations) value.
///
/// ```
/// use tornado_locale::Locale;
///
/// let locale = Locale::get("en_US");
/// assert_eq!(locale.translate("Sign out", None, 0), "Sign out");
/// assert_eq!(locale.list(&["A", "B", "C"])?, "A, B and C");
/// assert_eq!(locale.friendly_number(1_000_000), "1,000,000");
/// # Ok::<(), tornado_locale::Error>(())
/// ```
#[derive(Clone)]
pub struct Locale {
    inner: Arc<Inner>,
}

struct Inner {
    code: String,
    name: &'static str,
    rtl: bool,
    months: [String; 12],
    weekdays: [String; 7],
    source: Source,
}

impl fmt::Debug for Locale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Locale")
            .field("code", &self.inner.code)
            .field("name", &self.inner.name)
            .field("kind", &self.kind())
            .finish()
    }
}

impl Locale {
    pub(crate) fn new(code: &str, source: Source) -> Locale {
        let mut locale = Inner {
            code: code.to_owned(),
            name: locale_name(code).map_or("Unknown", |n| n.name),
            rtl: ["fa", "ar", "he"].iter().any(|p| code.starts_with(p)),
            months: Default::default(),
            weekdays: Default::default(),
            source,
        };
        let months = MONTHS.map(|m| locale.gettext(m).to_owned());
        let weekdays = WEEKDAYS.map(|d| locale.gettext(d).to_owned());
        locale.months = months;
        locale.weekdays = weekdays;
        Locale {
            inner: Arc::new(locale),
        }
    }

    /// The closest supported locale to `code` among the process-wide translations
    /// (Tornado's `tornado.locale.get(code)`): `"fr_FR"`, else `"fr"`, else the
    /// default locale. See [`Translations::get_closest`](crate::Translations::get_closest).
    pub fn get(code: &str) -> Locale {
        crate::registry::with_global(|t| t.get(code))
    }

    /// The closest supported locale to the first of `codes` that has one, among the
    /// process-wide translations (Tornado's `Locale.get_closest(*codes)`).
    pub fn get_closest<I, S>(codes: I) -> Locale
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        crate::registry::with_global(|t| t.get_closest(codes))
    }

    /// The locale's code, e.g. `"fr_FR"`.
    pub fn code(&self) -> &str {
        &self.inner.code
    }

    /// The locale's name in its own language (`"Français"`), from [`crate::LOCALE_NAMES`];
    /// `"Unknown"` for a code not in that table.
    pub fn name(&self) -> &str {
        self.inner.name
    }

    /// Whether the language is written right to left: the code starts with `fa`, `ar`
    /// or `he`.
    pub fn rtl(&self) -> bool {
        self.inner.rtl
    }

    /// Whether the translations are CSV (or none) or gettext.
    pub fn kind(&self) -> LocaleKind {
        match self.inner.source {
            Source::Csv(_) => LocaleKind::Csv,
            Source::Gettext(_) => LocaleKind::Gettext,
        }
    }

    /// The translated month names, January first (Tornado's `_months`).
    pub fn months(&self) -> &[String; 12] {
        &self.inner.months
    }

    /// The translated weekday names, Monday first (Tornado's `_weekdays`).
    pub fn weekdays(&self) -> &[String; 7] {
        &self.inner.weekdays
    }

    /// The translation of `message`; with `plural_message`, the form for `count`.
    ///
    /// Without `plural_message`, `count` is not used. Untranslated messages come back
    /// unchanged: `message`, or for a plural `plural_message` when `count != 1` (with
    /// gettext, the catalogue's plural rule picks the form).
    ///
    /// Tornado's `translate(message, plural_message=None, count=None)`; see also the
    /// shorthands [`gettext`](Locale::gettext) and [`ngettext`](Locale::ngettext).
    pub fn translate<'a>(
        &'a self,
        message: &'a str,
        plural_message: Option<&'a str>,
        count: i64,
    ) -> &'a str {
        match plural_message {
            Some(plural) => self.ngettext(message, plural, count),
            None => self.gettext(message),
        }
    }

    /// The translation of `message` (Tornado's `translate(message)`).
    pub fn gettext<'a>(&'a self, message: &'a str) -> &'a str {
        self.inner.gettext(message)
    }

    /// The translation of `message` / `plural_message` for `count` (Tornado's
    /// `translate(message, plural_message, count)`).
    pub fn ngettext<'a>(
        &'a self,
        message: &'a str,
        plural_message: &'a str,
        count: i64,
    ) -> &'a str {
        match &self.inner.source {
            Source::Csv(table) => {
                let (dict, key) = if count != 1 {
                    (&table.plural, plural_message)
                } else {
                    (&table.singular, message)
                };
                dict.get(key).map_or(key, String::as_str)
            }
            Source::Gettext(chain) => chain.ngettext(message, plural_message, count),
        }
    }

    /// The translation of `message` in `context` (a gettext `msgctxt`, such as "law"
    /// for "right"); with `plural_message`, the form for `count`.
    ///
    /// As Tornado: a singular message without a translation in its context comes back
    /// as `message`; a plural one falls back to its translation without context. CSV
    /// translations have no contexts: the context is ignored, with a warning on
    /// `tornado.general` when the locale has any translation.
    pub fn pgettext<'a>(
        &'a self,
        context: &str,
        message: &'a str,
        plural_message: Option<&'a str>,
        count: i64,
    ) -> String {
        match &self.inner.source {
            Source::Csv(table) => {
                if !table.is_empty() {
                    log::warn!(target: LOG_TARGET, "pgettext is not supported by CSVLocale");
                }
                self.translate(message, plural_message, count).to_owned()
            }
            Source::Gettext(chain) => match plural_message {
                Some(plural) => {
                    let key = format!("{context}{CONTEXT_SEPARATOR}{message}");
                    let plural_key = format!("{context}{CONTEXT_SEPARATOR}{plural}");
                    let found = chain.ngettext(&key, &plural_key, count);
                    if found.contains(CONTEXT_SEPARATOR) {
                        chain.ngettext(message, plural, count).to_owned()
                    } else {
                        found.to_owned()
                    }
                }
                None => {
                    let key = format!("{context}{CONTEXT_SEPARATOR}{message}");
                    let found = chain.gettext(&key);
                    if found.contains(CONTEXT_SEPARATOR) {
                        message.to_owned()
                    } else {
                        found.to_owned()
                    }
                }
            },
        }
    }

    /// Formats a date the way Tornado does: "2 minutes ago", "yesterday at 3:05 pm",
    /// "Monday at 18:00", "April 28 at 6:35 pm", "April 28, 2013 at 6:35 pm"...
    ///
    /// - `gmt_offset`: the reader's offset in minutes *west* of UTC (Tornado's sign:
    ///   `300` for UTC−5), used for the wall-clock parts;
    /// - `relative`: say "N seconds/minutes/hours ago" and "yesterday" for recent dates;
    /// - `shorter`: leave out the time of day ("yesterday", "Monday", "April 28");
    /// - `full_format`: always the full "Month D, YYYY at time" form.
    ///
    /// Dates in the future get the full form, except those less than a minute ahead in
    /// relative mode, which count as now. Times use a 12-hour clock with "am"/"pm" for
    /// `en` and `en_US`, `上午`/`下午` and a 12-hour clock for `zh_CN`, a 24-hour clock
    /// otherwise. Every phrase goes through the locale's translations.
    ///
    /// Errors: a date or offset out of range, or a translated format that does not
    /// fit its placeholders (where Python raises).
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use tornado_locale::Locale;
    ///
    /// let locale = Locale::get("en_US");
    /// let date = Utc.with_ymd_and_hms(2013, 4, 28, 18, 35, 0).unwrap();
    /// assert_eq!(locale.format_date(date, 0, true, false, true)?, "April 28, 2013 at 6:35 pm");
    /// let now = Utc.with_ymd_and_hms(2013, 4, 28, 18, 37, 0).unwrap();
    /// assert_eq!(locale.format_date_at(date, now, 0, true, false, false)?, "2 minutes ago");
    /// # Ok::<(), tornado_locale::Error>(())
    /// ```
    pub fn format_date(
        &self,
        date: impl IntoDate,
        gmt_offset: i64,
        relative: bool,
        shorter: bool,
        full_format: bool,
    ) -> Result<String> {
        self.format_date_at(date, Utc::now(), gmt_offset, relative, shorter, full_format)
    }

    /// [`format_date`](Locale::format_date) with "now" given rather than read from the
    /// clock, for reproducible output.
    pub fn format_date_at(
        &self,
        date: impl IntoDate,
        now: DateTime<Utc>,
        gmt_offset: i64,
        relative: bool,
        shorter: bool,
        mut full_format: bool,
    ) -> Result<String> {
        use chrono::SubsecRound;
        let mut date = date.into_date()?;
        let now = now.trunc_subsecs(6);
        if date > now {
            // Python looks at the `seconds` field of the difference only (not its days).
            let (_, ahead) = days_and_seconds(date.with_timezone(&Utc), now.fixed_offset());
            if relative && ahead < 60 {
                date = now.fixed_offset();
            } else {
                full_format = true;
            }
        }
        let local_date = shift(&date, gmt_offset)?;
        let local_now = shift(&now.fixed_offset(), gmt_offset)?;
        let local_yesterday = local_now
            .checked_sub_signed(TimeDelta::hours(24))
            .ok_or_else(|| Error::date(format!("{now}")))?;
        let (days, seconds) = days_and_seconds(now, date);

        let mut format = None;
        if !full_format {
            if relative && days == 0 {
                let (singular, plural, n, key) = if seconds < 50 {
                    (
                        "1 second ago",
                        "%(seconds)d seconds ago",
                        seconds,
                        "seconds",
                    )
                } else if seconds < 50 * 60 {
                    let minutes = round_half_even(seconds, 60);
                    (
                        "1 minute ago",
                        "%(minutes)d minutes ago",
                        minutes,
                        "minutes",
                    )
                } else {
                    let hours = round_half_even(seconds, 3600);
                    ("1 hour ago", "%(hours)d hours ago", hours, "hours")
                };
                return interpolate(self.ngettext(singular, plural, n), &[(key, n.into())]);
            }
            format = if days == 0 {
                Some("%(time)s")
            } else if days == 1 && local_date.day() == local_yesterday.day() && relative {
                Some(if shorter {
                    "yesterday"
                } else {
                    "yesterday at %(time)s"
                })
            } else if days < 5 {
                Some(if shorter {
                    "%(weekday)s"
                } else {
                    "%(weekday)s at %(time)s"
                })
            } else if days < 334 {
                // Eleven months: the same month last year would read ambiguously.
                Some(if shorter {
                    "%(month_name)s %(day)s"
                } else {
                    "%(month_name)s %(day)s at %(time)s"
                })
            } else {
                None
            };
        }
        let format = format.unwrap_or(if shorter {
            "%(month_name)s %(day)s, %(year)s"
        } else {
            "%(month_name)s %(day)s, %(year)s at %(time)s"
        });
        self.fill_date(self.gettext(format), &local_date)
    }

    fn clock(&self, local: &NaiveDateTime) -> String {
        let (hour, minute) = (local.hour(), local.minute());
        let twelve = match hour % 12 {
            0 => 12,
            h => h,
        };
        match self.code() {
            "en" | "en_US" => {
                format!(
                    "{twelve}:{minute:02} {}",
                    if hour >= 12 { "pm" } else { "am" }
                )
            }
            "zh_CN" => {
                let half = if hour >= 12 {
                    "\u{4e0b}\u{5348}"
                } else {
                    "\u{4e0a}\u{5348}"
                };
                format!("{half}{twelve}:{minute:02}")
            }
            _ => format!("{hour}:{minute:02}"),
        }
    }

    fn fill_date(&self, format: &str, local: &NaiveDateTime) -> Result<String> {
        let month = self.month_name(local);
        let weekday = self.weekday_name(local);
        interpolate(
            format,
            &[
                ("month_name", month.into()),
                ("weekday", weekday.into()),
                ("day", local.day().to_string().into()),
                ("year", local.year().to_string().into()),
                ("time", self.clock(local).into()),
            ],
        )
    }

    fn month_name(&self, local: &NaiveDateTime) -> &str {
        let months = &self.inner.months;
        months
            .get(local.month0() as usize)
            .map_or("", String::as_str)
    }

    fn weekday_name(&self, local: &NaiveDateTime) -> &str {
        let days = &self.inner.weekdays;
        let i = local.weekday().num_days_from_monday() as usize;
        days.get(i).map_or("", String::as_str)
    }

    /// Formats a date as a day: "Monday, January 22", or "January 22" without the day
    /// of the week (`dow = false`). `gmt_offset` is in minutes west of UTC, as for
    /// [`format_date`](Locale::format_date).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use tornado_locale::Locale;
    ///
    /// let date = NaiveDate::from_ymd_opt(2013, 4, 28).unwrap().and_hms_opt(18, 35, 0).unwrap();
    /// assert_eq!(Locale::get("en_US").format_day(date, 0, true)?, "Sunday, April 28");
    /// # Ok::<(), tornado_locale::Error>(())
    /// ```
    pub fn format_day(&self, date: impl IntoDate, gmt_offset: i64, dow: bool) -> Result<String> {
        let date: DateTime<FixedOffset> = date.into_date()?;
        let local = shift(&date, gmt_offset)?;
        let month = self.month_name(&local);
        let day = local.day().to_string();
        if dow {
            interpolate(
                self.gettext("%(weekday)s, %(month_name)s %(day)s"),
                &[
                    ("month_name", month.into()),
                    ("weekday", self.weekday_name(&local).into()),
                    ("day", day.into()),
                ],
            )
        } else {
            interpolate(
                self.gettext("%(month_name)s %(day)s"),
                &[("month_name", month.into()), ("day", day.into())],
            )
        }
    }

    /// Joins `parts` as a sentence: "" / "A" / "A and B" / "A, B and C" (the "and"
    /// phrase translated; Persian locales separate with " و " instead of ", ").
    pub fn list<S: AsRef<str>>(&self, parts: &[S]) -> Result<String> {
        match parts {
            [] => Ok(String::new()),
            [one] => Ok(one.as_ref().to_owned()),
            [init @ .., last] => {
                let comma = if self.code().starts_with("fa") {
                    " \u{0648} "
                } else {
                    ", "
                };
                let commas = init
                    .iter()
                    .map(AsRef::as_ref)
                    .collect::<Vec<_>>()
                    .join(comma);
                interpolate(
                    self.gettext("%(commas)s and %(last)s"),
                    &[
                        ("commas", Arg::from(commas)),
                        ("last", last.as_ref().into()),
                    ],
                )
            }
        }
    }

    /// The integer with thousands separators for `en` and `en_US` ("1,000,000"), as is
    /// for every other locale. (As Tornado, the grouping counts the minus sign as a
    /// digit: `-100` becomes "-,100".)
    pub fn friendly_number(&self, value: impl Into<i128>) -> String {
        let digits = value.into().to_string();
        if !matches!(self.code(), "en" | "en_US") {
            return digits;
        }
        let bytes = digits.as_bytes();
        let mut out = String::with_capacity(bytes.len() + bytes.len() / 3);
        for (i, b) in bytes.iter().enumerate() {
            if i > 0 && (bytes.len() - i) % 3 == 0 {
                out.push(',');
            }
            out.push(char::from(*b));
        }
        out
    }
}

impl Inner {
    fn gettext<'a>(&'a self, message: &'a str) -> &'a str {
        match &self.source {
            Source::Csv(table) => table.unknown.get(message).map_or(message, String::as_str),
            Source::Gettext(chain) => chain.gettext(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(code: &str) -> Locale {
        Locale::new(code, Source::Csv(Arc::default()))
    }

    #[test]
    fn attributes() {
        let fa = plain("fa_IR");
        assert!(fa.rtl());
        assert_eq!(fa.name(), "فارسی");
        assert_eq!(plain("fr").name(), "Unknown");
        assert!(!plain("fr").rtl());
        assert_eq!(plain("en_US").months()[4], "May");
        assert_eq!(plain("en_US").weekdays()[6], "Sunday");
        assert_eq!(plain("de_DE").kind(), LocaleKind::Csv);
        assert!(format!("{:?}", plain("de_DE")).contains("de_DE"));
    }

    #[test]
    fn friendly_numbers() {
        let en = plain("en");
        assert_eq!(en.friendly_number(0), "0");
        assert_eq!(en.friendly_number(999), "999");
        assert_eq!(en.friendly_number(1000), "1,000");
        assert_eq!(en.friendly_number(-1000), "-1,000");
        assert_eq!(en.friendly_number(-100), "-,100");
        assert_eq!(en.friendly_number(u64::MAX), "18,446,744,073,709,551,615");
        assert_eq!(plain("en_GB").friendly_number(1000), "1000");
    }

    #[test]
    fn lists() {
        let fa = plain("fa_IR");
        assert_eq!(fa.list(&["a", "b", "c"]).unwrap(), "a \u{0648} b and c");
        let en = plain("en_US");
        let none: [&str; 0] = [];
        assert_eq!(en.list(&none).unwrap(), "");
        assert_eq!(en.list(&[String::from("x")]).unwrap(), "x");
    }

    #[test]
    fn send_sync_clone() {
        fn assert_send_sync<T: Send + Sync + Clone>() {}
        assert_send_sync::<Locale>();
    }
}

//! # tornado-locale
//!
//! Tornado's `tornado.locale` module in Rust: translations loaded from Tornado's CSV
//! files or from GNU gettext `.mo` catalogues (with their plural rules and message
//! contexts), and the locale-aware formatting that Tornado's templates use: relative
//! dates ("2 minutes ago", "yesterday at 3:05 pm"), days, lists ("A, B and C") and
//! numbers. It also carries Tornado's table of 62 locale names.
//!
//! ```
//! use tornado_locale::Locale;
//!
//! // As in Tornado: load once at start-up, then look locales up per request.
//! tornado_locale::load_translations("tests/data/csv_translations")?;
//! let locale = Locale::get("fr_FR");
//! assert_eq!(locale.translate("school", None, 0), "école");
//!
//! // Unknown codes fall back to the language, then to the default locale.
//! assert_eq!(tornado_locale::get(["fr-CA", "de"]).code(), "en_US");
//!
//! // Plurals: the form is chosen by the count.
//! let people = ["Ana", "Ben"];
//! let message = locale.translate("%(list)s is online", Some("%(list)s are online"), 2);
//! let text = tornado_locale::interpolate(message, &[("list", locale.list(&people)?.into())])?;
//! assert_eq!(text, "Ana and Ben are online");
//! # Ok::<(), tornado_locale::Error>(())
//! ```
//!
//! The module-level functions ([`load_translations`], [`load_gettext_translations`],
//! [`set_default_locale`], [`get`], [`get_supported_locales`], and [`Locale::get`])
//! use one process-wide [`Translations`] value, as Tornado's module globals do. A
//! [`Translations`] built by hand does the same without globals, for tests or for
//! several applications in one process. [`Locale`]s are `Arc`s: cheap to clone and
//! `Send + Sync`.
//!
//! ## Differences from Tornado
//!
//! - Optional arguments are explicit: `translate(message, plural_message, count)` takes
//!   `Option<&str>` and an `i64` count (ignored without a plural message), with the
//!   shorthands [`Locale::gettext`] and [`Locale::ngettext`]; `format_date` takes
//!   `gmt_offset`, `relative`, `shorter`, `full_format` in Tornado's order.
//! - Python's `message % {"name": value}` is [`interpolate`]: the conversions `s`, `d`,
//!   `i`, `u`, `x`, `X`, `o`, `c`, `f`, `F`, `r`, `a` with flags, width and precision,
//!   but not `e` or `g`, nor `%r` of a string holding non-ASCII symbols (`€`), nor a
//!   bare `%s` that Python would fill with the whole mapping.
//! - `format_date`, `format_day` and `list` return a `Result`: an out-of-range date or
//!   a translated format whose placeholders do not fit is an error where Python
//!   raises. `format_date_at` takes "now" as an argument. `format_day` accepts the same
//!   dates as `format_date` (Tornado's needs a `datetime`).
//! - `Locale::get(code)` returns the closest supported locale; Tornado's asserts that
//!   the code is supported.
//! - Loading is atomic: on error nothing changes (Tornado may leave the translations
//!   half-replaced). Each CSV file's encoding is sniffed on its own (Tornado reuses the
//!   first file's), a file name with two dots is logged and skipped (Tornado raises),
//!   and CSV line numbers in messages are physical lines (Tornado counts rows).
//!   A missing gettext directory is an error (Tornado silently loads nothing).
//! - Locales are rebuilt whenever translations are loaded; Tornado keeps the locales it
//!   built before (a class-level cache) and serves them stale.
//! - gettext fallbacks: `ll_CC` falls back to `ll` only. Python's `gettext.translation`
//!   also tries the aliases of `locale.normalize` (so in Python a directory `fr` may
//!   first use `fr_FR`'s catalogue when both exist). Charsets are UTF-8, ASCII and
//!   ISO-8859-1. A plural expression that fails for a count (a division by zero) counts
//!   as a missing translation; Python raises `ZeroDivisionError`. Numbers in plural
//!   expressions are limited to 128 bits.
//! - A `.mo` file whose table entries point at the same bytes over and over (more
//!   than eight times the file's size in all) is refused rather than copied.

#![forbid(unsafe_code)]

mod csv;
mod date;
mod error;
mod format;
mod gettext;
mod locale;
mod names;
mod plural;
mod registry;

pub use crate::csv::Encoding;
pub use crate::date::IntoDate;
pub use crate::error::{Error, Result};
pub use crate::format::{Arg, interpolate};
pub use crate::gettext::{CONTEXT_SEPARATOR, Catalog};
pub use crate::locale::{Locale, LocaleKind};
pub use crate::names::{LOCALE_NAMES, LocaleName, locale_name};
pub use crate::plural::PluralRule;
pub use crate::registry::{
    DEFAULT_LOCALE, Translations, get, get_supported_locales, install, load_gettext_translations,
    load_translations, load_translations_with_encoding, set_default_locale, translations,
};

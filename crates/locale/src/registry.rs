//! [`Translations`]: loaded translations plus the default locale (what Tornado keeps in
//! module globals), and the process-wide instance behind the module-level functions.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, LazyLock, PoisonError, RwLock};

use crate::csv::{self, Encoding};
use crate::error::Result;
use crate::gettext;
use crate::locale::{Locale, Source};

const LOG_TARGET: &str = "tornado.general";

/// The locale used when no better match exists, until changed (Tornado's `en_US`).
pub const DEFAULT_LOCALE: &str = "en_US";

#[derive(Clone, Debug, Default)]
enum Loaded {
    /// Nothing loaded: every locale is untranslated.
    #[default]
    Nothing,
    Csv(BTreeMap<String, Arc<csv::CsvTable>>),
    Gettext(BTreeMap<String, Arc<gettext::GettextChain>>),
}

/// A set of translations and a default locale: everything Tornado keeps in the
/// `tornado.locale` module's globals, as a value.
///
/// The module-level functions ([`load_translations`], [`get`], [`set_default_locale`]...)
/// work on one process-wide `Translations`, as Tornado's do; build your own value to
/// keep several sets apart (tests, several applications in one process) or to load
/// without touching the global one, and [`install`] it to make it the global one.
///
/// The supported locales are the default locale plus one per translation file; the
/// [`Locale`] of each is built once, when the set changes, so [`get`](Translations::get)
/// is a map look-up and an `Arc` clone.
///
/// ```
/// use tornado_locale::Translations;
///
/// let mut translations = Translations::new();
/// translations.load_translations("tests/data/csv_translations")?;
/// let fr = translations.get("fr_FR");
/// assert_eq!(fr.translate("school", None, 0), "école");
/// assert_eq!(translations.get("fr").code(), "en_US"); // no `fr` translations
/// # Ok::<(), tornado_locale::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Translations {
    default_locale: String,
    loaded: Loaded,
    locales: Arc<HashMap<String, Locale>>,
}

impl Default for Translations {
    fn default() -> Self {
        Translations::new()
    }
}

impl Translations {
    /// No translations, with `en_US` as the default locale.
    pub fn new() -> Translations {
        let mut t = Translations {
            default_locale: DEFAULT_LOCALE.to_owned(),
            loaded: Loaded::Nothing,
            locales: Arc::default(),
        };
        t.rebuild();
        t
    }

    /// Loads CSV translations from `dir`, replacing any loaded before; see
    /// [`load_translations`](crate::load_translations) for the format.
    ///
    /// On error (the directory or a file cannot be read, a file is not valid in its
    /// encoding), nothing changes.
    pub fn load_translations(&mut self, dir: impl AsRef<Path>) -> Result<()> {
        self.load_csv(dir.as_ref(), None)
    }

    /// [`load_translations`](Translations::load_translations) with every file read in
    /// `encoding` rather than sniffed from its byte-order mark.
    pub fn load_translations_with_encoding(
        &mut self,
        dir: impl AsRef<Path>,
        encoding: Encoding,
    ) -> Result<()> {
        self.load_csv(dir.as_ref(), Some(encoding))
    }

    fn load_csv(&mut self, dir: &Path, encoding: Option<Encoding>) -> Result<()> {
        let tables = csv::load_dir(dir, encoding)?;
        let tables = tables.into_iter().map(|(k, v)| (k, Arc::new(v))).collect();
        self.loaded = Loaded::Csv(tables);
        self.rebuild();
        Ok(())
    }

    /// Loads gettext catalogues `{dir}/{lang}/LC_MESSAGES/{domain}.mo`, replacing any
    /// translations loaded before; see
    /// [`load_gettext_translations`](crate::load_gettext_translations).
    ///
    /// Fails only when `dir` cannot be read; a catalogue that fails to load is logged
    /// on `tornado.general` and left out.
    pub fn load_gettext_translations(&mut self, dir: impl AsRef<Path>, domain: &str) -> Result<()> {
        let chains = gettext::load_dir(dir.as_ref(), domain)?;
        let chains = chains.into_iter().map(|(k, v)| (k, Arc::new(v))).collect();
        self.loaded = Loaded::Gettext(chains);
        self.rebuild();
        Ok(())
    }

    /// Sets the default locale: the language the messages in the code are written in,
    /// returned when nothing closer matches. It needs no translation file.
    pub fn set_default_locale(&mut self, code: &str) {
        self.default_locale = code.to_owned();
        self.rebuild();
    }

    /// The default locale's code.
    pub fn default_locale(&self) -> &str {
        &self.default_locale
    }

    /// The codes of the supported locales (the default and every loaded one), sorted.
    pub fn get_supported_locales(&self) -> Vec<String> {
        let mut codes: Vec<String> = self.locales.keys().cloned().collect();
        codes.sort();
        codes
    }

    /// Whether the translations come from gettext catalogues (rather than CSV files or
    /// nothing).
    pub fn uses_gettext(&self) -> bool {
        matches!(self.loaded, Loaded::Gettext(_))
    }

    /// The closest supported locale to `code` (see [`get_closest`](Translations::get_closest)).
    pub fn get(&self, code: &str) -> Locale {
        self.get_closest([code])
    }

    /// The closest match for the first of `codes` that has one, else the default locale.
    ///
    /// Each code is tried in turn: `-` becomes `_`; a code of more than two parts is
    /// skipped; a two-part code is normalised to `ll_CC`; it matches if it is
    /// supported, or if its language part alone is (`fr` for `fr_CA`).
    pub fn get_closest<I, S>(&self, codes: I) -> Locale
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for code in codes {
            let code = code.as_ref();
            if code.is_empty() {
                continue;
            }
            // Fast path, without allocating: a code already in `ll` or `ll_CC` form.
            if let Some((full, lang)) = already_normal(code) {
                if let Some(locale) = self.locales.get(full) {
                    return locale.clone();
                }
                if let Some(locale) = self.locales.get(lang) {
                    return locale.clone();
                }
                continue;
            }
            let code = code.replace('-', "_");
            let parts: Vec<&str> = code.split('_').collect();
            let full = match parts.as_slice() {
                [_] => code.clone(),
                [lang, country] => format!("{}_{}", lang.to_lowercase(), country.to_uppercase()),
                _ => continue,
            };
            if let Some(locale) = self.locales.get(&full) {
                return locale.clone();
            }
            let lang = parts.first().map(|l| l.to_lowercase()).unwrap_or_default();
            if let Some(locale) = self.locales.get(&lang) {
                return locale.clone();
            }
        }
        self.default()
    }

    /// The default locale's [`Locale`].
    fn default(&self) -> Locale {
        match self.locales.get(&self.default_locale) {
            Some(locale) => locale.clone(),
            // `rebuild` always builds the default locale; stay total regardless.
            None => Locale::new(&self.default_locale, Source::Csv(Arc::default())),
        }
    }

    fn rebuild(&mut self) {
        let mut locales = HashMap::new();
        match &self.loaded {
            Loaded::Nothing => {}
            Loaded::Csv(tables) => {
                for (code, table) in tables {
                    locales.insert(code.clone(), Locale::new(code, Source::Csv(table.clone())));
                }
            }
            Loaded::Gettext(chains) => {
                for (code, chain) in chains {
                    locales.insert(
                        code.clone(),
                        Locale::new(code, Source::Gettext(chain.clone())),
                    );
                }
            }
        }
        locales
            .entry(self.default_locale.clone())
            .or_insert_with(|| Locale::new(&self.default_locale, Source::Csv(Arc::default())));
        let mut codes: Vec<&String> = locales.keys().collect();
        codes.sort();
        log::debug!(target: LOG_TARGET, "Supported locales: {codes:?}");
        self.locales = Arc::new(locales);
    }
}

/// `code` and its language part when normalising would not change them: ASCII
/// lower-case letters, optionally `_` and ASCII upper-case letters.
fn already_normal(code: &str) -> Option<(&str, &str)> {
    let (lang, country) = match code.split_once('_') {
        Some((lang, country)) => (lang, Some(country)),
        None => (code, None),
    };
    let lower = |s: &str| s.bytes().all(|b| b.is_ascii_lowercase());
    let upper = |s: &str| s.bytes().all(|b| b.is_ascii_uppercase());
    (lower(lang) && country.is_none_or(upper)).then_some((code, lang))
}

static GLOBAL: LazyLock<RwLock<Translations>> = LazyLock::new(|| RwLock::new(Translations::new()));

pub(crate) fn with_global<T>(f: impl FnOnce(&Translations) -> T) -> T {
    let guard = GLOBAL.read().unwrap_or_else(PoisonError::into_inner);
    f(&guard)
}

fn update_global(f: impl FnOnce(&mut Translations)) {
    let mut guard = GLOBAL.write().unwrap_or_else(PoisonError::into_inner);
    f(&mut guard);
}

/// Loads CSV translations from `dir` into the process-wide set, replacing any
/// loaded before (Tornado's `load_translations(directory)`).
///
/// The directory holds one file per locale, named `LOCALE.csv` (`es_GT.csv`, `fr.csv`:
/// lower-case language, optional `_` and upper-case country; other `.csv` names are
/// logged on `tornado.general` and skipped). Each row is
/// `"message","translation"` with an optional third cell: `plural` or `singular` for
/// the two forms of a message with a count, `unknown` or empty (or absent) otherwise.
/// Rows with fewer than two cells are ignored; a row with another third cell is logged
/// with its file and line and skipped. The format is CSV's "excel" dialect (no space
/// after the commas); cells are trimmed.
///
/// ```text
/// "I love you","Te amo"
/// "%(name)s liked this","A %(name)s les gustó esto","plural"
/// "%(name)s liked this","A %(name)s le gustó esto","singular"
/// ```
///
/// Files are UTF-8, optionally with a byte-order mark, or UTF-16 with a byte-order
/// mark. Errors name the file (and the line for bad text); the process-wide set is
/// left unchanged on error.
pub fn load_translations(dir: impl AsRef<Path>) -> Result<()> {
    let mut fresh = Translations::new();
    fresh.load_csv(dir.as_ref(), None)?;
    update_global(|t| t.replace_loaded(fresh));
    Ok(())
}

/// [`load_translations`] with every file read in `encoding` (Tornado's
/// `load_translations(directory, encoding)`).
pub fn load_translations_with_encoding(dir: impl AsRef<Path>, encoding: Encoding) -> Result<()> {
    let mut fresh = Translations::new();
    fresh.load_csv(dir.as_ref(), Some(encoding))?;
    update_global(|t| t.replace_loaded(fresh));
    Ok(())
}

/// Loads gettext catalogues into the process-wide set, replacing any translations
/// loaded before (Tornado's `load_gettext_translations(directory, domain)`).
///
/// The tree is the one of `/usr/share/locale`: `{dir}/{lang}/LC_MESSAGES/{domain}.mo`,
/// made with GNU gettext's tools:
///
/// ```text
/// xgettext --language=Python --keyword=_:1,2 --keyword=pgettext:1c,2 --keyword=pgettext:1c,2,3 -d mydomain *.py *.html
/// msgmerge old.po mydomain.po > new.po
/// msgfmt mydomain.po -o {dir}/pt_BR/LC_MESSAGES/mydomain.mo
/// ```
///
/// A locale `ll_CC` falls back to the catalogue of its language `ll` when there is one.
/// A catalogue that fails to load is logged on `tornado.general` and left out; the
/// result is an error only when `dir` cannot be read.
pub fn load_gettext_translations(dir: impl AsRef<Path>, domain: &str) -> Result<()> {
    let mut fresh = Translations::new();
    fresh.load_gettext_translations(dir.as_ref(), domain)?;
    update_global(|t| t.replace_loaded(fresh));
    Ok(())
}

impl Translations {
    /// Takes `other`'s translations, keeping this set's default locale.
    fn replace_loaded(&mut self, other: Translations) {
        self.loaded = other.loaded;
        self.rebuild();
    }
}

/// Sets the process-wide default locale (Tornado's `set_default_locale(code)`); see
/// [`Translations::set_default_locale`].
pub fn set_default_locale(code: &str) {
    update_global(|t| t.set_default_locale(code));
}

/// The process-wide supported locale codes, sorted (Tornado's `get_supported_locales()`).
pub fn get_supported_locales() -> Vec<String> {
    with_global(Translations::get_supported_locales)
}

/// The closest process-wide locale to the first of `codes` that has one (Tornado's
/// `tornado.locale.get(*codes)`); see [`Translations::get_closest`].
///
/// ```
/// let locale = tornado_locale::get(["xx_XX", "en-us"]);
/// assert_eq!(locale.code(), "en_US");
/// ```
pub fn get<I, S>(codes: I) -> Locale
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    with_global(|t| t.get_closest(codes))
}

/// Makes `translations` the process-wide set.
pub fn install(translations: Translations) {
    update_global(|t| *t = translations);
}

/// A copy of the process-wide set (cheap: its contents are shared).
pub fn translations() -> Translations {
    with_global(Translations::clone)
}

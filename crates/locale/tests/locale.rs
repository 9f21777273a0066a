//! Port of Tornado's `tornado/test/locale_test.py`, plus the process-wide registry,
//! errors, logging, encodings and threads.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use chrono::{Datelike, NaiveDate, TimeDelta, Utc};
use tornado_locale::{
    Catalog, Encoding, LOCALE_NAMES, Locale, LocaleKind, Translations, locale_name,
};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

/// Tests that touch the process-wide translations run one at a time and start from
/// a fresh set (Tornado's `TranslationLoaderTest` saves and restores the globals).
fn global() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(PoisonError::into_inner);
    tornado_locale::install(Translations::new());
    guard
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("tornado-locale-test-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

// ---- A logger that keeps what the crate logs, for the tests that check it. ----

struct Capture(Mutex<Vec<(log::Level, String, String)>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let mut logs = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        logs.push((
            record.level(),
            record.target().to_owned(),
            record.args().to_string(),
        ));
    }
    fn flush(&self) {}
}

fn capture() -> &'static Capture {
    static CAPTURE: OnceLock<&'static Capture> = OnceLock::new();
    CAPTURE.get_or_init(|| {
        let capture: &'static Capture = Box::leak(Box::new(Capture(Mutex::new(Vec::new()))));
        log::set_logger(capture).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
        capture
    })
}

/// The messages logged at `level` on `tornado.general` that contain `needle`.
fn logged(level: log::Level, needle: &str) -> Vec<String> {
    let logs = capture().0.lock().unwrap_or_else(PoisonError::into_inner);
    logs.iter()
        .filter(|(l, target, msg)| {
            *l == level && target == "tornado.general" && msg.contains(needle)
        })
        .map(|(_, _, msg)| msg.clone())
        .collect()
}

// ---- TranslationLoaderTest ----

#[test]
fn test_csv() {
    let _g = global();
    tornado_locale::load_translations(data("csv_translations")).unwrap();
    let locale = tornado_locale::get(["fr_FR"]);
    assert_eq!(locale.kind(), LocaleKind::Csv);
    assert_eq!(locale.translate("school", None, 0), "\u{e9}cole");
    assert_eq!(Locale::get("fr_FR").gettext("school"), "école");
}

#[test]
fn test_csv_bom() {
    let source = std::fs::read_to_string(data("csv_translations/fr_FR.csv")).unwrap();
    let utf8_sig = [b"\xef\xbb\xbf".as_slice(), source.as_bytes()].concat();
    let utf16 = |be: bool| -> Vec<u8> {
        let mut out = if be {
            vec![0xfe, 0xff]
        } else {
            vec![0xff, 0xfe]
        };
        for unit in source.encode_utf16() {
            out.extend(if be {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    };
    for (name, bytes) in [
        ("utf8sig", utf8_sig),
        ("utf16le", utf16(false)),
        ("utf16be", utf16(true)),
    ] {
        let dir = temp_dir(name);
        std::fs::write(dir.join("fr_FR.csv"), bytes).unwrap();
        let mut t = Translations::new();
        t.load_translations(&dir).unwrap();
        let locale = t.get("fr_FR");
        assert_eq!(locale.kind(), LocaleKind::Csv);
        assert_eq!(locale.translate("school", None, 0), "\u{e9}cole", "{name}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

fn check_tornado_test_catalog(locale: &Locale) {
    assert_eq!(locale.kind(), LocaleKind::Gettext);
    assert_eq!(locale.translate("school", None, 0), "\u{e9}cole");
    assert_eq!(locale.pgettext("law", "right", None, 0), "le droit");
    assert_eq!(locale.pgettext("good", "right", None, 0), "le bien");
    assert_eq!(
        locale.pgettext("organization", "club", Some("clubs"), 1),
        "le club"
    );
    assert_eq!(
        locale.pgettext("organization", "club", Some("clubs"), 2),
        "les clubs"
    );
    assert_eq!(
        locale.pgettext("stick", "club", Some("clubs"), 1),
        "le b\u{e2}ton"
    );
    assert_eq!(
        locale.pgettext("stick", "club", Some("clubs"), 2),
        "les b\u{e2}tons"
    );
}

#[test]
fn test_gettext() {
    let _g = global();
    tornado_locale::load_gettext_translations(data("gettext_translations"), "tornado_test")
        .unwrap();
    check_tornado_test_catalog(&tornado_locale::get(["fr_FR"]));
}

#[test]
fn test_gettext_big_endian() {
    let mut t = Translations::new();
    t.load_gettext_translations(data("gettext_translations"), "tornado_test_be")
        .unwrap();
    check_tornado_test_catalog(&t.get("fr_FR"));
    let dir = data("gettext_translations/fr_FR/LC_MESSAGES");
    let le = std::fs::read(dir.join("tornado_test.mo")).unwrap();
    let be = std::fs::read(dir.join("tornado_test_be.mo")).unwrap();
    assert_eq!(&le[..4], b"\xde\x12\x04\x95");
    assert_eq!(&be[..4], b"\x95\x04\x12\xde");
    let (le, be) = (Catalog::parse(&le).unwrap(), Catalog::parse(&be).unwrap());
    for n in 0..5 {
        assert_eq!(le.ngettext("apple", n), be.ngettext("apple", n));
    }
    assert_eq!(be.plural_rule().source(), "(n > 1)");
    assert_eq!(be.charset(), Some("UTF-8"));
}

// ---- LocaleDataTest ----

#[test]
fn test_non_ascii_name() {
    let name = locale_name("es_LA").unwrap().name;
    assert_eq!(name, "Espa\u{f1}ol");
    assert_eq!(name.as_bytes(), b"Espa\xc3\xb1ol");
    assert_eq!(LOCALE_NAMES.len(), 62);
}

// ---- EnglishTest ----

#[test]
fn test_format_date() {
    let locale = Translations::new().get("en_US");
    let date = NaiveDate::from_ymd_opt(2013, 4, 28)
        .and_then(|d| d.and_hms_opt(18, 35, 0))
        .unwrap();
    assert_eq!(
        locale.format_date(date, 0, true, false, true).unwrap(),
        "April 28, 2013 at 6:35 pm"
    );

    let aware = Utc::now();
    let naive = aware.naive_utc();
    // The same checks for an aware and a naive "now", as Tornado's subtests.
    let fmt = |ago: TimeDelta, shorter: bool, aware_date: bool| -> String {
        if aware_date {
            locale
                .format_date(aware - ago, 0, true, shorter, false)
                .unwrap()
        } else {
            locale
                .format_date(naive - ago, 0, true, shorter, false)
                .unwrap()
        }
    };
    for is_aware in [true, false] {
        assert_eq!(fmt(TimeDelta::seconds(2), false, is_aware), "2 seconds ago");
        assert_eq!(fmt(TimeDelta::minutes(2), false, is_aware), "2 minutes ago");
        assert_eq!(fmt(TimeDelta::hours(2), false, is_aware), "2 hours ago");
        assert_eq!(fmt(TimeDelta::days(1), true, is_aware), "yesterday");

        let date = naive - TimeDelta::days(2);
        let weekday = &locale.weekdays()[date.weekday().num_days_from_monday() as usize];
        assert_eq!(&fmt(TimeDelta::days(2), true, is_aware), weekday);

        let date = naive - TimeDelta::days(300);
        let month = &locale.months()[date.month0() as usize];
        assert_eq!(
            fmt(TimeDelta::days(300), true, is_aware),
            format!("{month} {}", date.day())
        );

        let date = naive - TimeDelta::days(500);
        let month = &locale.months()[date.month0() as usize];
        assert_eq!(
            fmt(TimeDelta::days(500), true, is_aware),
            format!("{month} {}, {}", date.day(), date.year())
        );
    }
}

#[test]
fn test_friendly_number() {
    let locale = Translations::new().get("en_US");
    assert_eq!(locale.friendly_number(1_000_000), "1,000,000");
}

#[test]
fn test_list() {
    let locale = Translations::new().get("en_US");
    let empty: [&str; 0] = [];
    assert_eq!(locale.list(&empty).unwrap(), "");
    assert_eq!(locale.list(&["A"]).unwrap(), "A");
    assert_eq!(locale.list(&["A", "B"]).unwrap(), "A and B");
    assert_eq!(locale.list(&["A", "B", "C"]).unwrap(), "A, B and C");
}

#[test]
fn test_format_day() {
    let locale = Translations::new().get("en_US");
    let date = NaiveDate::from_ymd_opt(2013, 4, 28)
        .and_then(|d| d.and_hms_opt(18, 35, 0))
        .unwrap();
    assert_eq!(
        locale.format_day(date, 0, true).unwrap(),
        "Sunday, April 28"
    );
    assert_eq!(locale.format_day(date, 0, false).unwrap(), "April 28");
}

// ---- Beyond locale_test.py ----

#[test]
fn process_wide_registry() {
    let _g = global();
    assert_eq!(tornado_locale::get_supported_locales(), ["en_US"]);
    assert_eq!(Locale::get("fr_FR").code(), "en_US");

    tornado_locale::load_translations(data("csv_dates")).unwrap();
    assert_eq!(
        tornado_locale::get_supported_locales(),
        ["de_DE", "en_US", "eo", "fr_FR"]
    );
    assert_eq!(Locale::get("fr-fr").code(), "fr_FR");
    assert_eq!(Locale::get_closest(["xx", "", "de-de"]).code(), "de_DE");
    assert_eq!(Locale::get_closest(["de-AT", "eo-XX"]).code(), "eo");

    tornado_locale::set_default_locale("fr_FR");
    assert_eq!(
        tornado_locale::get_supported_locales(),
        ["de_DE", "eo", "fr_FR"]
    );
    assert_eq!(Locale::get("zz").code(), "fr_FR");
    assert_eq!(Locale::get("en_US").code(), "fr_FR");

    // Loading again keeps the default locale, and replaces the translations.
    tornado_locale::load_gettext_translations(data("gettext_translations"), "tornado_test")
        .unwrap();
    assert_eq!(tornado_locale::get_supported_locales(), ["fr_FR"]);
    assert_eq!(Locale::get("de_DE").kind(), LocaleKind::Gettext);
    assert!(tornado_locale::translations().uses_gettext());

    // A failed load leaves everything as it was.
    assert!(tornado_locale::load_translations(data("no such dir")).is_err());
    assert_eq!(tornado_locale::get_supported_locales(), ["fr_FR"]);

    let mut own = Translations::new();
    own.set_default_locale("zh_CN");
    tornado_locale::install(own);
    assert_eq!(Locale::get("fr_FR").code(), "zh_CN");
    assert_eq!(tornado_locale::translations().default_locale(), "zh_CN");
}

#[test]
fn locales_are_shared_across_threads() {
    let mut t = Translations::new();
    t.load_translations(data("csv_dates")).unwrap();
    let fr = t.get("fr_FR");
    let again = t.get("fr_FR");
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let fr = fr.clone();
            std::thread::spawn(move || {
                let date = NaiveDate::from_ymd_opt(2013, 4, 28 - i)
                    .and_then(|d| d.and_hms_opt(18, 35, 0))
                    .unwrap();
                fr.format_day(date, 0, true).unwrap()
            })
        })
        .collect();
    let days: Vec<String> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        days,
        [
            "dimanche 28 avril",
            "samedi 27 avril",
            "vendredi 26 avril",
            "jeudi 25 avril"
        ]
    );
    // The same locale value, not a rebuilt one.
    assert_eq!(format!("{fr:?}"), format!("{again:?}"));
}

#[test]
fn load_errors_name_the_file_and_line() {
    let missing = data("does-not-exist");
    let err = Translations::new().load_translations(&missing).unwrap_err();
    assert!(err.is_io());
    assert_eq!(err.path(), Some(missing.as_path()));
    assert!(err.to_string().contains("does-not-exist"), "{err}");
    let err = Translations::new()
        .load_gettext_translations(&missing, "x")
        .unwrap_err();
    assert!(err.is_io());

    let dir = temp_dir("bad-utf8");
    std::fs::write(
        dir.join("fr.csv"),
        b"\"a\",\"b\"\n\"c\",\"d\"\n\"e\",\"\xff\"\n",
    )
    .unwrap();
    let mut t = Translations::new();
    t.load_translations(data("csv_translations")).unwrap();
    let err = t.load_translations(&dir).unwrap_err();
    assert!(err.is_decode());
    assert_eq!(err.line(), Some(3));
    assert_eq!(err.path(), Some(dir.join("fr.csv").as_path()));
    assert!(err.to_string().contains("fr.csv line 3"), "{err}");
    // Nothing changed.
    assert_eq!(t.get("fr_FR").gettext("school"), "école");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn explicit_encodings() {
    let dir = temp_dir("latin1");
    std::fs::write(dir.join("fr.csv"), b"school,\xe9cole\n").unwrap();
    let mut t = Translations::new();
    assert!(t.load_translations(&dir).unwrap_err().is_decode());
    t.load_translations_with_encoding(&dir, "latin-1".parse().unwrap())
        .unwrap();
    assert_eq!(t.get("fr").gettext("school"), "école");

    // Plain UTF-8 keeps a byte-order mark as a character of the first cell.
    std::fs::write(dir.join("fr.csv"), b"\xef\xbb\xbfschool,\xc3\xa9cole\n").unwrap();
    t.load_translations_with_encoding(&dir, Encoding::Utf8)
        .unwrap();
    assert_eq!(t.get("fr").gettext("school"), "school");
    assert_eq!(t.get("fr").gettext("\u{feff}school"), "école");
    t.load_translations_with_encoding(&dir, Encoding::Utf8Sig)
        .unwrap();
    assert_eq!(t.get("fr").gettext("school"), "école");
    assert!("ebcdic".parse::<Encoding>().unwrap_err().is_encoding());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn logs_what_tornado_logs() {
    capture();
    let mut t = Translations::new();
    t.load_translations(data("csv_dates")).unwrap();
    let bad_name = logged(log::Level::Error, "Unrecognized locale 'German'");
    assert!(
        bad_name.iter().any(|m| m.contains("German.csv")),
        "{bad_name:?}"
    );
    let bad_plural = logged(log::Level::Error, "Unrecognized plural indicator 'dual'");
    assert!(
        bad_plural.iter().any(|m| m.contains("de_DE.csv line 10")),
        "{bad_plural:?}"
    );

    assert_eq!(t.get("fr_FR").pgettext("ctx", "school", None, 0), "école");
    assert!(!logged(log::Level::Warn, "pgettext is not supported by CSVLocale").is_empty());

    let mut g = Translations::new();
    g.load_gettext_translations(data("gettext_fallback"), "fallback")
        .unwrap();
    let cannot = logged(log::Level::Error, "Cannot load translation for 'de_DE'");
    assert!(
        cannot.iter().any(|m| m.contains("bad magic number")),
        "{cannot:?}"
    );
    assert_eq!(g.get_supported_locales(), ["en_US", "fr", "fr_CA"]);
    assert!(!logged(log::Level::Debug, "Supported locales").is_empty());
}

#[test]
fn gettext_fallback_to_the_language() {
    let mut t = Translations::new();
    t.load_gettext_translations(data("gettext_fallback"), "fallback")
        .unwrap();
    let ca = t.get("fr_CA");
    assert_eq!(ca.gettext("colour"), "couleur (CA)");
    // Only in `fr`; `fr`'s own rule (n != 1) picks the form.
    assert_eq!(ca.ngettext("apple", "apples", 0), "pommes");
    assert_eq!(t.get("fr").ngettext("apple", "apples", 1), "pomme");
    assert_eq!(ca.pgettext("fruit", "date", None, 0), "datte");
    assert_eq!(ca.gettext("unknown"), "unknown");
    assert_eq!(t.get("fr_BE").code(), "fr");
}

#[test]
fn translated_formats_that_do_not_fit_are_errors() {
    let mut t = Translations::new();
    t.load_translations(data("csv_dates")).unwrap();
    let eo = t.get("eo");
    // At noon, 25 hours back is always yesterday (near midnight it is the day before).
    let now = NaiveDate::from_ymd_opt(2026, 1, 15)
        .and_then(|d| d.and_hms_opt(12, 0, 0))
        .unwrap()
        .and_utc();
    let err = eo
        .format_date_at(now - TimeDelta::hours(25), now, 0, true, false, false)
        .unwrap_err();
    assert!(err.is_format());
    assert!(err.to_string().contains("%(tiem)s"), "{err}");
    assert_eq!(eo.list(&["a", "b"]).unwrap(), "a kaj b");
    let err = eo
        .format_date(i64::MAX / 1_000_000, 0, true, false, false)
        .unwrap_err();
    assert!(err.is_date(), "{err}");
    let err = eo.format_day(0, i64::MAX, true).unwrap_err();
    assert!(err.is_date(), "{err}");
}

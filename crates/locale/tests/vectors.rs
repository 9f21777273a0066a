//! Vectors generated with Python Tornado 6.5.2 by `tests/data/gen_vectors.py`:
//! format_date across relative spans, format_day, list, friendly_number, translate and
//! pgettext after CSV and gettext loads, closest-match look-ups, plural expressions
//! (Python's `gettext.c2py`), `%` formatting and CSV loading.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDateTime};
use serde_json::Value;
use tornado_locale::{Arg, Locale, LocaleKind, PluralRule, Translations, interpolate};

fn data(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(rel)
}

fn vectors(name: &str) -> Value {
    let path = data(&format!("vectors/{name}"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn i(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

/// The translations of a vector setup, as the generator loads them.
fn setup(kind: &str) -> Translations {
    let mut t = Translations::new();
    let result = match kind {
        "none" => Ok(()),
        "csv" => t.load_translations(data("csv_dates")),
        "gettext" => t.load_gettext_translations(data("gettext_dates"), "dates"),
        "tornado_test" | "tornado_test_be" => {
            t.load_gettext_translations(data("gettext_translations"), kind)
        }
        "fallback" => t.load_gettext_translations(data("gettext_fallback"), "fallback"),
        other => panic!("unknown setup {other}"),
    };
    result.unwrap_or_else(|e| panic!("setup {kind}: {e}"));
    t
}

/// Setups are built once per kind; "none" locales are untranslated ones of any code.
struct Locales {
    setups: HashMap<String, Translations>,
}

impl Locales {
    fn new() -> Locales {
        Locales {
            setups: HashMap::new(),
        }
    }

    fn get(&mut self, kind: &str, code: &str) -> Locale {
        if kind == "none" {
            let mut t = Translations::new();
            t.set_default_locale(code);
            return t.get(code);
        }
        let t = self
            .setups
            .entry(kind.to_owned())
            .or_insert_with(|| setup(kind));
        t.get(code)
    }
}

/// A date as the generator wrote it: `n:` naive, `a:` aware, `t:` int, `f:` float.
enum Date {
    Naive(NaiveDateTime),
    Aware(DateTime<chrono::FixedOffset>),
    Int(i64),
    Float(f64),
}

fn parse_date(spec: &str) -> Date {
    let (kind, text) = spec.split_at(2);
    match kind {
        "n:" => Date::Naive(
            NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
                .unwrap_or_else(|e| panic!("{spec}: {e}")),
        ),
        "a:" => Date::Aware(
            DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{spec}: {e}")),
        ),
        "t:" => Date::Int(text.parse().unwrap_or_else(|e| panic!("{spec}: {e}"))),
        "f:" => Date::Float(text.parse().unwrap_or_else(|e| panic!("{spec}: {e}"))),
        _ => panic!("bad date {spec}"),
    }
}

/// The expected output: a string, or `{"error": ...}` where Python raised.
fn expected(v: &Value) -> Option<&str> {
    match v {
        Value::String(text) => Some(text),
        Value::Object(map) if map.contains_key("error") => None,
        other => panic!("bad expectation {other}"),
    }
}

fn check(what: String, got: tornado_locale::Result<String>, want: &Value) {
    match (expected(want), got) {
        (Some(want), Ok(got)) => assert_eq!(got, want, "{what}"),
        (None, Err(e)) => assert!(e.is_format() || e.is_date(), "{what}: {e}"),
        (want, got) => panic!("{what}: expected {want:?}, got {got:?}"),
    }
}

#[test]
fn format_date() {
    let v = vectors("format_date.json");
    let nows: Vec<DateTime<chrono::Utc>> = v["nows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| DateTime::parse_from_rfc3339(s(n)).unwrap().to_utc())
        .collect();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() > 4000, "{}", cases.len());
    let mut locales = Locales::new();
    for case in cases {
        let (kind, code) = (s(&case[0]), s(&case[1]));
        let now = nows[i(&case[2]) as usize];
        let offset = i(&case[4]);
        let flags = i(&case[5]);
        let (relative, shorter, full) = (flags & 4 != 0, flags & 2 != 0, flags & 1 != 0);
        let locale = locales.get(kind, code);
        let got = match parse_date(s(&case[3])) {
            Date::Naive(d) => locale.format_date_at(d, now, offset, relative, shorter, full),
            Date::Aware(d) => locale.format_date_at(d, now, offset, relative, shorter, full),
            Date::Int(d) => locale.format_date_at(d, now, offset, relative, shorter, full),
            Date::Float(d) => locale.format_date_at(d, now, offset, relative, shorter, full),
        };
        check(format!("{case}"), got, &case[6]);
    }
}

#[test]
fn format_day() {
    let v = vectors("format_day.json");
    let mut locales = Locales::new();
    for case in v["cases"].as_array().unwrap() {
        let locale = locales.get(s(&case[0]), s(&case[1]));
        let spec = s(&case[2]);
        let (offset, dow) = (i(&case[3]), case[4].as_bool().unwrap());
        let got = match parse_date(spec) {
            Date::Naive(d) => locale.format_day(d, offset, dow),
            Date::Aware(d) => locale.format_day(d, offset, dow),
            _ => panic!("{spec}"),
        };
        check(format!("{case}"), got, &case[5]);
    }
}

#[test]
fn list() {
    let v = vectors("list.json");
    let mut locales = Locales::new();
    for case in v["cases"].as_array().unwrap() {
        let locale = locales.get(s(&case[0]), s(&case[1]));
        let parts: Vec<&str> = case[2].as_array().unwrap().iter().map(s).collect();
        check(format!("{case}"), locale.list(&parts), &case[3]);
    }
}

#[test]
fn friendly_number() {
    let v = vectors("friendly_number.json");
    let mut locales = Locales::new();
    for case in v["cases"].as_array().unwrap() {
        let locale = locales.get("none", s(&case[0]));
        let value: i128 = s(&case[1]).parse().unwrap();
        assert_eq!(locale.friendly_number(value), s(&case[2]), "{case}");
    }
}

#[test]
fn translate_and_pgettext() {
    let v = vectors("translate.json");
    let mut setups = HashMap::new();
    for entry in v["cases"].as_array().unwrap() {
        let kind = s(&entry["setup"]);
        let t = setups.entry(kind.to_owned()).or_insert_with(|| setup(kind));
        let what = format!("{kind}/{}", s(&entry["code"]));
        let locale = t.get(s(&entry["code"]));
        assert_eq!(locale.code(), s(&entry["got_code"]), "{what}");
        let kind_want = if entry["gettext"].as_bool().unwrap() {
            LocaleKind::Gettext
        } else {
            LocaleKind::Csv
        };
        assert_eq!(locale.kind(), kind_want, "{what}");
        assert_eq!(locale.name(), s(&entry["name"]), "{what}");
        assert_eq!(locale.rtl(), entry["rtl"].as_bool().unwrap(), "{what}");
        let months: Vec<&str> = entry["months"].as_array().unwrap().iter().map(s).collect();
        assert_eq!(locale.months().as_slice(), months.as_slice(), "{what}");
        let days: Vec<&str> = entry["weekdays"]
            .as_array()
            .unwrap()
            .iter()
            .map(s)
            .collect();
        assert_eq!(locale.weekdays().as_slice(), days.as_slice(), "{what}");
        let supported: Vec<&str> = entry["supported"]
            .as_array()
            .unwrap()
            .iter()
            .map(s)
            .collect();
        assert_eq!(t.get_supported_locales(), supported, "{what}");
        for call in entry["translate"].as_array().unwrap() {
            let got = locale.translate(s(&call[0]), call[1].as_str(), i(&call[2]));
            assert_eq!(got, s(&call[3]), "{what} {call}");
        }
        for call in entry["pgettext"].as_array().unwrap() {
            let got = locale.pgettext(s(&call[0]), s(&call[1]), call[2].as_str(), i(&call[3]));
            assert_eq!(got, s(&call[4]), "{what} {call}");
        }
    }
}

#[test]
fn closest() {
    let v = vectors("closest.json");
    let mut t = setup("csv");
    let cases = v["cases"].as_array().unwrap();
    // The generator moves the default to de_DE before its last two queries.
    let (before, after) = cases.split_at(cases.len() - 2);
    for case in before {
        let codes: Vec<&str> = case[0].as_array().unwrap().iter().map(s).collect();
        assert_eq!(t.get_closest(&codes).code(), s(&case[1]), "{case}");
    }
    t.set_default_locale("de_DE");
    for case in after {
        let codes: Vec<&str> = case[0].as_array().unwrap().iter().map(s).collect();
        assert_eq!(t.get_closest(&codes).code(), s(&case[1]), "{case}");
    }
    let supported: Vec<&str> = v["supported"].as_array().unwrap().iter().map(s).collect();
    assert_eq!(t.get_supported_locales(), supported);
}

#[test]
fn plural_rules() {
    let v = vectors("plural.json");
    let ns: Vec<i64> = v["ns"].as_array().unwrap().iter().map(i).collect();
    let rules = v["rules"].as_object().unwrap();
    assert!(rules.len() >= 30);
    for (name, rule) in rules {
        let expr = s(&rule["expr"]);
        let parsed = PluralRule::parse(expr).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (n, want) in ns.iter().zip(rule["values"].as_array().unwrap()) {
            let want = want.as_i64().map(i128::from);
            assert_eq!(parsed.eval(*n), want, "{name} ({expr}) at n = {n}");
        }
    }
    for bad in v["bad"].as_array().unwrap() {
        assert!(
            PluralRule::parse(s(bad)).is_err(),
            "{bad} should be rejected"
        );
    }
}

#[test]
fn percent_formatting() {
    let v = vectors("interpolate.json");
    let args: Vec<(&str, Arg<'_>)> = vec![
        ("s", "héllo".into()),
        ("n", 42.into()),
        ("neg", (-7).into()),
        ("z", 0.into()),
        ("big", Arg::Int(100_000_000_000_000_000_000)),
        ("e", "".into()),
        ("q", "it's \\ \"x\"".into()),
        ("dq", "say \"hi\"".into()),
        ("ctl", "a\tb\n\x01\x7f\u{e9}\u{20ac}\u{1f600}".into()),
        ("(s)", "nested".into()),
        ("", "empty".into()),
    ];
    for case in v["cases"].as_array().unwrap() {
        let got = interpolate(s(&case[0]), &args);
        match case[1].as_str() {
            Some(want) => assert_eq!(got.as_deref().ok(), Some(want), "{case}"),
            None => assert!(got.is_err(), "{case}: got {got:?}"),
        }
    }
}

/// A fresh empty directory under the target's temporary directory.
fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tornado-locale-{}-{tag}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn b64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c).unwrap() as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[test]
fn csv_loading() {
    let v = vectors("csv_load.json");
    for (n, case) in v["cases"].as_array().unwrap().iter().enumerate() {
        let raw = b64(s(&case[0]));
        let dir = temp_dir(&format!("csv{n}"));
        std::fs::write(dir.join("xx.csv"), &raw).unwrap();
        let mut t = Translations::new();
        let result = t.load_translations(&dir);
        let want = case[1].as_object().unwrap();
        if want.contains_key("error") {
            let err = result.expect_err(&format!("{raw:?} should fail"));
            assert!(err.is_decode(), "{err}");
            assert_eq!(err.path(), Some(dir.join("xx.csv").as_path()));
        } else {
            result.unwrap_or_else(|e| panic!("{raw:?}: {e}"));
            let locale = t.get("xx");
            assert_eq!(locale.code(), "xx");
            for (kind, table) in want {
                for (message, translation) in table.as_object().unwrap() {
                    let got = match kind.as_str() {
                        "unknown" => locale.translate(message, None, 0),
                        "singular" => locale.translate(message, Some("\u{1}"), 1),
                        "plural" => locale.translate("\u{1}", Some(message), 2),
                        other => panic!("{other}"),
                    };
                    assert_eq!(got, s(translation), "{raw:?} {kind} {message:?}");
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn locale_names() {
    let v = vectors("locale_names.json");
    let table = v.as_object().unwrap();
    assert_eq!(table.len(), tornado_locale::LOCALE_NAMES.len());
    for (code, names) in table {
        let name = tornado_locale::locale_name(code).unwrap_or_else(|| panic!("{code}"));
        assert_eq!(name.name_en, s(&names[0]), "{code}");
        assert_eq!(name.name, s(&names[1]), "{code}");
    }
}

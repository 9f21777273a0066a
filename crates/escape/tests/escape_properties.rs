//! Property tests: round trips and robustness on arbitrary input.

use proptest::prelude::*;
use serde_json::Value;
use tornado_escape::{
    LinkifyOptions, json_decode, json_encode, linkify, parse_qs_bytes, squeeze, url_escape,
    url_unescape, url_unescape_bytes, xhtml_escape, xhtml_escape_bytes, xhtml_escape_into,
    xhtml_unescape,
};

/// Any JSON value whose numbers are finite (the only ones JSON can hold).
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::String),
        "[<>/\\\\\"'&a-z\u{e9}\u{1F600}\u{0}-\u{1f}]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((any::<String>(), inner), 0..6)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn unescape_undoes_escape(s in any::<String>()) {
        let escaped = xhtml_escape(&s);
        prop_assert_eq!(xhtml_unescape(&escaped), s.as_str());
    }

    #[test]
    fn unescape_undoes_escape_on_markup(s in "[&#;<>\"'a-zA-Z0-9 \u{e9}]{0,40}") {
        let escaped = xhtml_escape(&s);
        prop_assert_eq!(xhtml_unescape(&escaped), s.as_str());
    }

    #[test]
    fn escape_forms_agree(s in any::<String>(), prefix in "[a-z<]{0,3}") {
        let escaped = xhtml_escape(&s);
        prop_assert_eq!(&*xhtml_escape_bytes(s.as_bytes()), escaped.as_bytes());
        let mut out = prefix.clone();
        xhtml_escape_into(&s, &mut out);
        prop_assert_eq!(out, format!("{prefix}{escaped}"));
        prop_assert!(!escaped.contains(['<', '>', '"', '\'']));
    }

    #[test]
    fn unescape_never_panics(s in "[&#xX;0-9a-fA-Fmplt \u{e9}\u{1F600}]{0,60}") {
        let _ = xhtml_unescape(&s);
    }

    #[test]
    fn json_round_trip(v in json_value()) {
        let text = json_encode(&v).unwrap();
        prop_assert!(text.is_ascii());
        prop_assert!(!text.contains("</"));
        prop_assert_eq!(json_decode(&text).unwrap(), v);
    }

    #[test]
    fn url_round_trip_text(s in any::<String>(), plus in any::<bool>()) {
        let escaped = url_escape(&s, plus);
        prop_assert!(escaped.bytes().all(|b| b.is_ascii_alphanumeric() || b"%+_.-~/".contains(&b)));
        prop_assert_eq!(url_unescape(&escaped, plus), s);
    }

    #[test]
    fn url_round_trip_bytes(b in prop::collection::vec(any::<u8>(), 0..64), plus in any::<bool>()) {
        prop_assert_eq!(url_unescape_bytes(url_escape(&b, plus), plus), b);
    }

    #[test]
    fn parse_qs_round_trip(
        pairs in prop::collection::vec(
            (prop::collection::vec(any::<u8>(), 0..8), prop::collection::vec(any::<u8>(), 0..8)),
            0..8,
        )
    ) {
        let qs: Vec<String> = pairs
            .iter()
            .map(|(name, value)| format!("{}={}", url_escape(name, true), url_escape(value, true)))
            .collect();
        let parsed = parse_qs_bytes(qs.join("&"), true, true).unwrap();
        let mut expected: indexmap::IndexMap<String, Vec<Vec<u8>>> = Default::default();
        for (name, value) in pairs {
            let name: String = name.iter().map(|&b| char::from(b)).collect();
            expected.entry(name).or_default().push(value);
        }
        prop_assert_eq!(parsed, expected);
    }

    #[test]
    fn parse_qs_never_panics(qs in prop::collection::vec(any::<u8>(), 0..80),
                             keep in any::<bool>(), strict in any::<bool>()) {
        let _ = parse_qs_bytes(&qs, keep, strict);
    }

    #[test]
    fn squeeze_is_idempotent(s in "[ \t\n\u{0}\u{1f}\u{a0}\u{3000}a-c\u{e9}]{0,30}") {
        let once = squeeze(&s);
        prop_assert_eq!(squeeze(&once), once.clone());
        prop_assert!(!once.contains("  "));
    }

    #[test]
    fn linkify_without_urls_only_escapes(s in "[a-vx-z .,()<>&\"'\u{e9}]{0,40}") {
        prop_assert_eq!(linkify(&s, &LinkifyOptions::default()), xhtml_escape(&s));
    }

    #[test]
    fn linkify_never_panics(
        s in "(http://|www\\.|-|x:/|[a-z]{1,5}|[&()./?=!;:\u{e9}\u{301}\u{1F600}<> ]){0,20}",
        shorten in any::<bool>(),
    ) {
        let options = LinkifyOptions { shorten, ..LinkifyOptions::default() };
        let out = linkify(&s, &options);
        prop_assert!(out.len() >= xhtml_escape(&s).len() / 2);
    }
}

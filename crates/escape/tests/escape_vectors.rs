//! Checks tornado-escape against vectors made with Python Tornado 6.5.2
//! (`tests/vectors/generate.py` says how to re-make them).

use std::borrow::Cow;
use std::path::Path;

use serde_json::Value;
use tornado_escape::{
    ExtraParams, LinkifyOptions, json_decode, json_encode, linkify, parse_qs_bytes, squeeze,
    url_escape, url_unescape, url_unescape_bytes, xhtml_escape, xhtml_escape_bytes, xhtml_unescape,
};

fn cases(name: &str) -> Vec<Value> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(name);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
    let file: Value = serde_json::from_str(&text).expect("vector file is JSON");
    let cases = file["cases"].as_array().expect("a list of cases").clone();
    assert!(cases.len() > 100, "{name} has only {} cases", cases.len());
    cases
}

fn text<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key]
        .as_str()
        .unwrap_or_else(|| panic!("no string {key:?} in {case}"))
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn xhtml_escape_vectors() {
    for case in cases("xhtml_escape.json") {
        let input = text(&case, "input");
        let expected = text(&case, "output");
        assert_eq!(xhtml_escape(input), expected, "{input:?}");
        assert_eq!(&*xhtml_escape_bytes(input.as_bytes()), expected.as_bytes());
    }
}

#[test]
fn xhtml_unescape_vectors() {
    for case in cases("xhtml_unescape.json") {
        let input = text(&case, "input");
        assert_eq!(xhtml_unescape(input), text(&case, "output"), "{input:?}");
    }
}

#[test]
fn url_escape_vectors() {
    for case in cases("url_escape.json") {
        let input: Vec<u8> = match case.get("input_hex") {
            Some(h) => hex(h.as_str().unwrap_or_default()),
            None => text(&case, "input").as_bytes().to_vec(),
        };
        assert_eq!(url_escape(&input, true), text(&case, "plus"), "{case}");
        assert_eq!(url_escape(&input, false), text(&case, "path"), "{case}");
    }
}

#[test]
fn url_unescape_vectors() {
    for case in cases("url_unescape.json") {
        let input = text(&case, "input");
        assert_eq!(
            url_unescape(input, true),
            text(&case, "text_plus"),
            "{case}"
        );
        assert_eq!(
            url_unescape(input, false),
            text(&case, "text_path"),
            "{case}"
        );
        assert_eq!(
            url_unescape_bytes(input, true),
            hex(text(&case, "bytes_plus_hex")),
            "{case}"
        );
        assert_eq!(
            url_unescape_bytes(input, false),
            hex(text(&case, "bytes_path_hex")),
            "{case}"
        );
    }
}

#[test]
fn parse_qs_bytes_vectors() {
    for case in cases("parse_qs_bytes.json") {
        let input = hex(text(&case, "input_hex"));
        for keep in [false, true] {
            for strict in [false, true] {
                let key = format!("keep{}_strict{}", u8::from(keep), u8::from(strict));
                let expected = &case[&key];
                let got = parse_qs_bytes(&input, keep, strict);
                if let Some(message) = expected.get("error") {
                    let err = got.expect_err(&key);
                    assert!(err.is_query());
                    // Python: "bad query field: 'x'"; ours quotes the same field.
                    let message = message.as_str().unwrap_or_default();
                    assert!(message.starts_with("bad query field"), "{message}");
                    continue;
                }
                let got = got.unwrap_or_else(|err| panic!("{case} {key}: {err}"));
                let got: Vec<(String, Vec<Vec<u8>>)> = got.into_iter().collect();
                let want: Vec<(String, Vec<Vec<u8>>)> = expected
                    .as_array()
                    .expect("list of pairs")
                    .iter()
                    .map(|pair| {
                        let name = pair[0].as_str().unwrap_or_default().to_string();
                        let values = pair[1]
                            .as_array()
                            .expect("values")
                            .iter()
                            .map(|v| hex(v.as_str().unwrap_or_default()))
                            .collect();
                        (name, values)
                    })
                    .collect();
                assert_eq!(got, want, "{case} {key}");
            }
        }
    }
}

#[test]
fn json_encode_vectors() {
    for case in cases("json_encode.json") {
        let value = json_decode(text(&case, "input")).expect("decodes");
        assert_eq!(
            json_encode(&value).unwrap(),
            text(&case, "output"),
            "{case}"
        );
    }
}

#[test]
fn json_float_vectors() {
    for case in cases("json_floats.json") {
        let bits = u64::from_str_radix(text(&case, "bits"), 16).expect("hex bits");
        let value = f64::from_bits(bits);
        assert_eq!(
            json_encode(&value).unwrap(),
            text(&case, "output"),
            "{value:e}"
        );
    }
}

#[test]
fn json_decode_vectors() {
    for case in cases("json_decode.json") {
        let input = text(&case, "input");
        if case.get("error").is_some() {
            let err = json_decode(input).expect_err(input);
            assert!(err.is_json());
            continue;
        }
        let value = json_decode(input).unwrap_or_else(|err| panic!("{input:?}: {err}"));
        assert_eq!(
            json_encode(&value).unwrap(),
            text(&case, "output"),
            "{input:?}"
        );
    }
}

#[test]
fn squeeze_vectors() {
    for case in cases("squeeze.json") {
        let input = text(&case, "input");
        assert_eq!(squeeze(input), text(&case, "output"), "{input:?}");
    }
}

/// The same function as `extra_params_callable` in generate.py.
fn extra_params_callable(href: &str) -> String {
    if href.starts_with("http://www") {
        "  class=\"internal\"  ".to_string()
    } else {
        // Python's len() counts characters.
        format!(" rel=\"nofollow\" data-len=\"{}\"", href.chars().count())
    }
}

#[test]
fn linkify_vectors() {
    for case in cases("linkify.json") {
        let input = text(&case, "input");
        let opts = &case["options"];
        let mut options = LinkifyOptions {
            shorten: opts["shorten"].as_bool().unwrap_or(false),
            require_protocol: opts["require_protocol"].as_bool().unwrap_or(false),
            ..LinkifyOptions::default()
        };
        if let Some(list) = opts["permitted_protocols"].as_array() {
            options.permitted_protocols = list
                .iter()
                .map(|p| Cow::Owned(p.as_str().unwrap_or_default().to_string()))
                .collect();
        }
        match opts["extra_params"].as_str() {
            Some("callable") => {
                options.extra_params = ExtraParams::Callable(&extra_params_callable)
            }
            Some(params) => options.extra_params = params.into(),
            None => {}
        }
        assert_eq!(
            linkify(input, &options),
            text(&case, "output"),
            "{input:?} {opts}"
        );
    }
}

//! Vectors made with Python Tornado 6.5.2 by `tests/data/generate.py`: every case of
//! every file must give here what it gave there.
//!
//! Known, intended differences from 6.5.2 are asserted where they occur (each names
//! the Tornado release that changed the behaviour).

use std::fs;
use std::path::PathBuf;

use bytes::Bytes;
use serde_json::Value;
use tornado_httputil::{
    Arguments, Files, HTTPHeaders, Timestamp, format_timestamp, parse_cookie, parse_header_params,
    parse_multipart_form_data, parse_request_range, parse_request_start_line,
    parse_response_start_line, split_host_and_port, url_concat,
};

fn cases(name: &str) -> Vec<Value> {
    let path: PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "data", name]
        .iter()
        .collect();
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: Value = serde_json::from_str(&text).unwrap();
    let cases = value.as_array().unwrap().clone();
    assert!(cases.len() > 100, "{name} has too few cases");
    cases
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap()
}

fn latin1_bytes(v: &Value) -> Vec<u8> {
    text(v)
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect()
}

fn latin1_text(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|p| (text(&p[0]).to_owned(), text(&p[1]).to_owned()))
        .collect()
}

fn is_error(case: &Value) -> bool {
    case.get("error").is_some()
}

#[test]
fn parse_cookie_vectors() {
    for case in cases("parse_cookie.json") {
        let got: Vec<(String, String)> = parse_cookie(text(&case["input"])).into_iter().collect();
        assert_eq!(got, pairs(&case["output"]), "{}", case["input"]);
    }
}

#[test]
fn url_concat_vectors() {
    for case in cases("url_concat.json") {
        let args = pairs(&case["args"]);
        let got = url_concat(text(&case["url"]), args.iter().map(|(k, v)| (k, v)));
        if is_error(&case) {
            assert!(got.is_err(), "{case}");
        } else {
            assert_eq!(got.unwrap(), text(&case["output"]), "{case}");
        }
    }
}

#[test]
fn format_timestamp_vectors() {
    for case in cases("format_timestamp.json") {
        let ts: Timestamp = if let Some(t) = case.get("timestamp") {
            match t.as_i64() {
                Some(i) => i.into(),
                None => t.as_f64().unwrap().into(),
            }
        } else if let Some(naive) = case.get("naive") {
            chrono::NaiveDateTime::parse_from_str(text(naive), "%Y-%m-%dT%H:%M:%S")
                .unwrap()
                .into()
        } else {
            chrono::DateTime::parse_from_str(text(&case["aware"]), "%Y-%m-%dT%H:%M:%S%:z")
                .unwrap()
                .into()
        };
        assert_eq!(format_timestamp(ts), text(&case["output"]), "{case}");
    }
}

#[test]
fn header_parse_vectors() {
    for case in cases("headers_parse.json") {
        let input = text(&case["input"]);
        let got = HTTPHeaders::parse(input);
        if is_error(&case) {
            let err = got.expect_err(input);
            assert!(err.is_input());
            assert_eq!(err.message(), text(&case["message"]), "{input:?}");
            continue;
        }
        let h = got.unwrap_or_else(|e| panic!("{input:?}: {e}"));
        let all: Vec<(String, String)> = h
            .get_all()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(all, pairs(&case["all"]), "{input:?}");
        let items: Vec<(String, String)> = h
            .items()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(items, pairs(&case["items"]), "{input:?}");
        assert_eq!(h.to_string(), text(&case["str"]), "{input:?}");
        // The wire form of the same text gives the same headers.
        let bytes: Vec<u8> = input.chars().map(|c| c as u8).collect();
        assert_eq!(HTTPHeaders::parse_bytes(&bytes).unwrap(), h);
    }
}

#[test]
fn parse_header_vectors() {
    for case in cases("parse_header.json") {
        let input = text(&case["input"]);
        let got = parse_header_params(input);
        if is_error(&case) {
            assert!(got.is_err(), "{input:?}");
            continue;
        }
        let (key, params) = got.unwrap();
        assert_eq!(key, text(&case["key"]), "{input:?}");
        let params: Vec<(String, String)> = params.into_iter().collect();
        assert_eq!(params, pairs(&case["params"]), "{input:?}");
    }
}

#[test]
fn multipart_vectors() {
    for case in cases("multipart.json") {
        let boundary = latin1_bytes(&case["boundary_latin1"]);
        let data = Bytes::from(latin1_bytes(&case["data_latin1"]));
        let (mut args, mut files) = (Arguments::new(), Files::new());
        let got = parse_multipart_form_data(&boundary, &data, &mut args, &mut files);
        if is_error(&case) {
            let err = got.expect_err(&case.to_string());
            assert!(err.is_input());
            // Tornado 6.5.2 lets other exceptions through (TypeError, ...); its
            // HTTPInputError and UnicodeDecodeError messages are kept here.
            if matches!(
                text(&case["error"]),
                "HTTPInputError" | "UnicodeDecodeError"
            ) {
                assert_eq!(err.message(), text(&case["message"]), "{case}");
            }
            assert!(args.is_empty() && files.is_empty(), "{case}");
            continue;
        }
        got.unwrap_or_else(|e| panic!("{case}: {e}"));
        let got_args: Vec<(String, Vec<String>)> = args
            .iter()
            .map(|(k, vs)| (k.clone(), vs.iter().map(|v| latin1_text(v)).collect()))
            .collect();
        let want_args: Vec<(String, Vec<String>)> = case["arguments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let values = a[1].as_array().unwrap().iter().map(|v| text(v).to_owned());
                (text(&a[0]).to_owned(), values.collect())
            })
            .collect();
        assert_eq!(got_args, want_args, "{case}");
        let got_files: Vec<(String, Vec<[String; 3]>)> = files
            .iter()
            .map(|(k, fs)| {
                let fs = fs.iter().map(|f| {
                    [
                        f.filename.clone(),
                        latin1_text(&f.body),
                        f.content_type.clone(),
                    ]
                });
                (k.clone(), fs.collect())
            })
            .collect();
        let want_files: Vec<(String, Vec<[String; 3]>)> = case["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                let fs = a[1].as_array().unwrap().iter().map(|f| {
                    [
                        text(&f[0]).to_owned(),
                        text(&f[1]).to_owned(),
                        text(&f[2]).to_owned(),
                    ]
                });
                (text(&a[0]).to_owned(), fs.collect())
            })
            .collect();
        assert_eq!(got_files, want_files, "{case}");
    }
}

#[test]
fn request_start_line_vectors() {
    for case in cases("request_start_line.json") {
        let input = text(&case["input"]);
        match parse_request_start_line(input) {
            Ok(line) => {
                assert!(!is_error(&case), "{input:?} parsed: {line:?}");
                assert_eq!(line.method.as_str(), text(&case["method"]));
                assert_eq!(line.path, text(&case["path"]));
                assert_eq!(line.version.as_str(), text(&case["version"]));
            }
            Err(err) => {
                assert!(is_error(&case), "{input:?}: {err}");
                assert_eq!(err.message(), text(&case["message"]), "{input:?}");
            }
        }
    }
}

#[test]
fn response_start_line_vectors() {
    for case in cases("response_start_line.json") {
        let input = text(&case["input"]);
        match parse_response_start_line(input) {
            Ok(line) => {
                assert!(!is_error(&case), "{input:?} parsed: {line:?}");
                assert_eq!(line.version.as_str(), text(&case["version"]));
                assert_eq!(u64::from(line.code), case["code"].as_u64().unwrap());
                assert_eq!(line.reason, case["reason"].as_str().unwrap_or(""));
            }
            Err(err) => {
                assert!(is_error(&case), "{input:?}: {err}");
                assert_eq!(err.message(), text(&case["message"]), "{input:?}");
            }
        }
    }
}

#[test]
fn split_host_and_port_vectors() {
    for case in cases("split_host_and_port.json") {
        let input = text(&case["input"]);
        let (host, port) = split_host_and_port(input);
        assert_eq!(host, text(&case["host"]), "{input:?}");
        assert_eq!(port.map(u64::from), case["port"].as_u64(), "{input:?}");
    }
}

#[test]
fn request_range_vectors() {
    for case in cases("request_range.json") {
        let input = text(&case["input"]);
        let want = case["output"]
            .as_array()
            .map(|pair| (pair[0].as_i64(), pair[1].as_i64()));
        assert_eq!(parse_request_range(input), want, "{input:?}");
    }
}

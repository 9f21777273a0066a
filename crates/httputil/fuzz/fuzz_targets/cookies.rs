//! `Cookie` headers: never a panic (and, with `-timeout`, never slow).
#![no_main]

use libfuzzer_sys::fuzz_target;
use tornado_httputil::{parse_cookie, request_cookies};

fuzz_target!(|data: &str| {
    let all = parse_cookie(data);
    let legal = request_cookies(data);
    assert!(legal.len() <= all.len());
});

//! `url_concat`, `split_host_and_port` and the `Range` parser on any text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tornado_httputil::{parse_request_range, split_host_and_port, url_concat};

fuzz_target!(|data: &str| {
    let (url, arg) = data.split_once('\u{0}').unwrap_or((data, ""));
    let _ = url_concat(url, [("a", arg)]);
    let (host, _) = split_host_and_port(data);
    assert!(data.starts_with(host));
    let _ = parse_request_range(data);
});

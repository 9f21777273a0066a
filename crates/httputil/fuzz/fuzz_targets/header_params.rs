//! `Content-Disposition`-style values with parameters and RFC 2231 sections.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tornado_httputil::parse_header_params;

fuzz_target!(|data: &str| {
    let _ = parse_header_params(data);
});

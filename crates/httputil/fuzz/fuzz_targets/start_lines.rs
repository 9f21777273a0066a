//! Request and response start lines: never a panic; a parsed request line prints back
//! as the same line.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tornado_httputil::{parse_request_start_line_bytes, parse_response_start_line_bytes};

fuzz_target!(|data: &[u8]| {
    if let Ok(line) = parse_request_start_line_bytes(data) {
        let printed: Vec<u8> = line.to_string().chars().map(|c| c as u8).collect();
        assert_eq!(printed, data);
    }
    let _ = parse_response_start_line_bytes(data);
});

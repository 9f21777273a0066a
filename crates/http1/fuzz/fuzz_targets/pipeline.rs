//! cargo-fuzz entry for [`tornado_http1_fuzz::pipeline::run`]: see that function for the
//! input format and the properties checked.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| tornado_http1_fuzz::pipeline::run(data));

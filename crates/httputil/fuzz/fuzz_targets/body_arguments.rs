//! Form bodies of any content type: the text before the first NUL is the
//! `Content-Type`, the rest the body.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use tornado_httputil::{Arguments, Files, ParseBodyConfig, parse_body_arguments_with_config};

fuzz_target!(|data: &[u8]| {
    let split = data.iter().position(|&b| b == 0).unwrap_or(data.len());
    let (content_type, body) = data.split_at(split);
    let content_type = String::from_utf8_lossy(content_type);
    let body = Bytes::copy_from_slice(body.get(1..).unwrap_or_default());
    let (mut args, mut files) = (Arguments::new(), Files::new());
    let config = ParseBodyConfig::DEFAULT;
    let _ = parse_body_arguments_with_config(
        &content_type,
        &body,
        &mut args,
        &mut files,
        None,
        &config,
    );
});

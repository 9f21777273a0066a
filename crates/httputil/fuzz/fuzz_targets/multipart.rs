//! `multipart/form-data` bodies: the first byte is the boundary's length.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use tornado_httputil::{
    Arguments, Files, ParseMultipartConfig, parse_multipart_form_data_with_config,
};

fuzz_target!(|data: &[u8]| {
    let Some((&len, rest)) = data.split_first() else {
        return;
    };
    let (boundary, body) = rest.split_at(usize::from(len).min(rest.len()));
    let body = Bytes::copy_from_slice(body);
    let (mut args, mut files) = (Arguments::new(), Files::new());
    let config = ParseMultipartConfig::DEFAULT;
    let result =
        parse_multipart_form_data_with_config(boundary, &body, &mut args, &mut files, &config);
    if result.is_err() {
        assert!(args.is_empty() && files.is_empty());
    }
    let parts: usize =
        args.values().map(Vec::len).sum::<usize>() + files.values().map(Vec::len).sum::<usize>();
    assert!(parts <= config.max_parts);
});

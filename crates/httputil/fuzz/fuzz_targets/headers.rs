//! Header blocks from the wire: parsing never panics, and what parses survives the
//! trip to text, back through the parser, and through `http::HeaderMap`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tornado_httputil::{HTTPHeaders, HTTPVersion, validate_host_header};

fuzz_target!(|data: &[u8]| {
    let Ok(headers) = HTTPHeaders::parse_bytes(data) else {
        return;
    };
    let _ = validate_host_header(&headers, HTTPVersion::HTTP_11);
    let map = headers
        .to_header_map()
        .expect("parsed headers are ISO-8859-1");
    assert_eq!(HTTPHeaders::from_header_map(&map).len(), headers.len());
    // A folded line can leave a space at either end of a value, which the text form
    // does not keep (in Tornado neither); other headers come back the same.
    let trimmed = |v: &str| v.trim_matches([' ', '\t']) == v;
    if headers.get_all().all(|(_, v)| trimmed(v)) {
        let again = HTTPHeaders::parse(&headers.to_string()).expect("text form parses");
        assert_eq!(headers, again);
    }
});

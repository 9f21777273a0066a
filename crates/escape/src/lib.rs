//! # tornado-escape
//!
//! Tornado's `tornado.escape` in Rust: escaping and unescaping for HTML, URLs and JSON,
//! query-string parsing, and the small text helpers (`squeeze`, `linkify`, `utf8`,
//! `to_unicode`, `recursive_unicode`). Every function gives the same bytes as Python
//! Tornado 6.5 on the same input; the test suite checks that against vectors made with
//! Python itself.
//!
//! ```
//! use tornado_escape::{json_encode, linkify, url_escape, xhtml_escape, LinkifyOptions};
//!
//! assert_eq!(xhtml_escape("<b>Tom & 'Jerry'</b>"), "&lt;b&gt;Tom &amp; &#x27;Jerry&#x27;&lt;/b&gt;");
//! assert_eq!(url_escape("a b/\u{e9}", true), "a+b%2F%C3%A9");
//! assert_eq!(json_encode(&serde_json::json!({"x": [1.0, "\u{e9}"]})).unwrap(), r#"{"x": [1.0, "\u00e9"]}"#);
//! assert_eq!(
//!     linkify("see http://example.com/!", &LinkifyOptions::default()),
//!     r#"see <a href="http://example.com/">http://example.com/</a>!"#
//! );
//! ```
//!
//! ## Map from Tornado
//!
//! | Tornado | here |
//! |---|---|
//! | `xhtml_escape(s)` | [`xhtml_escape`] (`Cow`, borrows when nothing changes), [`xhtml_escape_into`], [`xhtml_escape_bytes`], [`xhtml_escape_bytes_into`] |
//! | `xhtml_unescape(s)` | [`xhtml_unescape`] |
//! | `url_escape(s, plus=True)` | [`url_escape`]`(s, plus)`, [`url_escape_into`] |
//! | `url_unescape(s, encoding="utf-8", plus=True)` | [`url_unescape`]`(s, plus)` → `String` |
//! | `url_unescape(s, encoding=None, plus=True)` | [`url_unescape_bytes`]`(s, plus)` → `Vec<u8>` |
//! | `parse_qs_bytes(qs, keep_blank_values, strict_parsing)` | [`parse_qs_bytes`] → [`QueryArguments`] |
//! | `json_encode(value)` | [`json_encode`] for any `serde::Serialize` |
//! | `json_decode(s)` | [`json_decode`] → `serde_json::Value`, [`json_decode_as`] → any `T` |
//! | `squeeze(s)` | [`squeeze`] |
//! | `utf8(s)` | [`utf8`] |
//! | `to_unicode(s)`, `_unicode`, `native_str`, `to_basestring` | [`to_unicode`], [`native_str`], [`to_basestring`] |
//! | `recursive_unicode(obj)` | [`recursive_unicode`] over [`RecursiveUnicode`] types |
//! | `linkify(text, shorten, extra_params, require_protocol, permitted_protocols)` | [`linkify`]`(text, &`[`LinkifyOptions`]`)` |
//!
//! ## Differences from Tornado
//!
//! - Text is `&str` and bytes are `&[u8]`; functions that accept both in Python take
//!   `impl AsRef<[u8]>` here. Tornado's `None` passthrough is `Option::map`; its
//!   `TypeError` for other types is a compile error.
//! - `url_unescape` decodes only UTF-8 (with U+FFFD for bad bytes, as Python's default
//!   `errors="replace"`); for another encoding, decode the bytes of
//!   [`url_unescape_bytes`] yourself. Input bytes that are not UTF-8 are not an error.
//! - [`xhtml_escape_bytes`] does not check that its input is UTF-8 (Tornado decodes it
//!   first and raises); it escapes the five ASCII bytes and copies the rest.
//! - `json_decode` is serde_json's parser: it does not accept `NaN`, `Infinity` or
//!   `-Infinity` (which Python's accepts and `json_encode` writes for non-finite
//!   floats), lone surrogate escapes such as `"\ud800"`, or nesting deeper than 128;
//!   integers beyond 64 bits become floats; `-0` becomes the float `-0.0` (Python: the
//!   integer `0`); UTF-16 and UTF-32 input is not detected; a leading UTF-8 byte-order
//!   mark is skipped for text as for bytes (Python refuses it in a `str`).
//! - `json_encode` writes a `serde_bytes` value as an array of numbers (Python refuses
//!   `bytes`) and an `f32` with the shortest digits of the `f32` (Python has no `f32`).
//! - `xhtml_unescape` turns `&#` followed by more than 4300 digits into U+FFFD, where
//!   Python 3.11 raises `ValueError` (its limit on integer string conversion).
//! - `parse_qs_bytes` returns an insertion-ordered map (an `IndexMap`), as Python's
//!   `dict` is.

#![forbid(unsafe_code)]

mod error;
mod html;
mod json;
mod linkify;
#[rustfmt::skip]
mod tables;
mod text;
mod url;

pub use error::{Error, Result};
pub use html::{
    xhtml_escape, xhtml_escape_bytes, xhtml_escape_bytes_into, xhtml_escape_into, xhtml_unescape,
};
pub use json::{json_decode, json_decode_as, json_encode};
pub use linkify::{ExtraParams, LinkifyOptions, linkify};
pub use text::{RecursiveUnicode, recursive_unicode, squeeze, to_unicode, utf8};
pub use url::{
    QueryArguments, parse_qs_bytes, url_escape, url_escape_into, url_unescape, url_unescape_bytes,
};

/// Tornado's `native_str`: the same function as [`to_unicode`].
pub use text::to_unicode as native_str;
/// Tornado's `to_basestring`: the same function as [`to_unicode`].
pub use text::to_unicode as to_basestring;

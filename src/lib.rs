//! # tornado
//!
//! The umbrella crate of tornado-rs: every module of Python Tornado, re-exported under the
//! name a Tornado user knows (`tornado::ioloop`, `tornado::web`, ...). Each module is its
//! own crate in `crates/`; this one only gathers them.

pub use tornado_template as template;
pub use tornado_util as util;

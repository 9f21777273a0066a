//! Engine registry.  Adding an engine = one module in this folder with two setup functions
//! (`big_table`, `teams`: do all parsing/compiling and context building there, return a
//! closure that renders once and returns the output) + one line in `ENGINES` below.
use crate::data::Data;

pub mod askama_engine;
pub mod minijinja_engine;
pub mod tera_engine;
pub mod tornado_rs_engine;

/// Renders the workload once, returns the rendered page as bytes (what a server writes
/// out): the engines that build a `String` hand over its bytes (`String::into_bytes`,
/// free), tornado-rs returns the bytes of `generate`, as Python Tornado does. Setup cost
/// is not timed.
pub type Render = Box<dyn FnMut() -> Vec<u8>>;

pub struct Entry {
    pub name: &'static str,
    /// "compiled" (codegen at build time) or "runtime" (templates parsed at run time).
    pub kind: &'static str,
    pub big_table: fn(&Data) -> Render,
    pub teams: fn(&Data) -> Render,
}

pub const ENGINES: &[Entry] = &[
    Entry { name: "askama", kind: "compiled", big_table: askama_engine::big_table, teams: askama_engine::teams },
    Entry { name: "minijinja", kind: "runtime", big_table: minijinja_engine::big_table, teams: minijinja_engine::teams },
    Entry { name: "tera", kind: "runtime", big_table: tera_engine::big_table, teams: tera_engine::teams },
    // Templates in Tornado syntax: ../tpl/tornado/{big-table,teams}.html, the files python/bench_tornado.py uses.
    Entry { name: "tornado-rs", kind: "runtime", big_table: tornado_rs_engine::big_table, teams: tornado_rs_engine::teams },
];

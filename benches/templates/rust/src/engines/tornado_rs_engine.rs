//! tornado-rs's `tornado-template` on the Tornado-syntax templates (../tpl/tornado), the
//! same files Python's tornado.template renders in python/bench_tornado.py. Autoescape is
//! on (Tornado's default `xhtml_escape`) and `.html` templates get Tornado's `single`
//! whitespace mode, as in Python.
use tornado_template::{Loader, LoaderOptions, Namespace, Value};

use super::Render;
use crate::data::Data;

fn loader() -> Loader {
    Loader::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../tpl/tornado"), LoaderOptions::default())
}

pub fn big_table(d: &Data) -> Render {
    let t = loader().load("big-table.html").unwrap();
    // Convert the context to template values once (like the other engines' setup).
    let mut ns = Namespace::new();
    ns.set("table", Value::from_serialize(&d.table).unwrap());
    Box::new(move || t.generate(&ns).unwrap())
}

pub fn teams(d: &Data) -> Render {
    let t = loader().load("teams.html").unwrap();
    let mut ns = Namespace::new();
    ns.set("year", d.year);
    ns.set("teams", Value::from_serialize(&d.teams).unwrap());
    Box::new(move || t.generate(&ns).unwrap())
}

//! Renders a Tornado template from the command line, to compare with Python Tornado.
//!
//! ```sh
//! cargo run --example render_template -- DIR NAME CONTEXT.json > out.html
//! ```
//!
//! `DIR` is the template directory (a `tornado::template::Loader` root), `NAME` the
//! template to render, and `CONTEXT.json` a JSON object whose keys become the names the
//! template sees (Tornado's `generate(**kwargs)`). The rendered bytes go to stdout; a
//! syntax or runtime error goes to stderr (naming the template and line) with exit
//! status 1. The same render in Python:
//!
//! ```python
//! import json, sys, tornado.template
//! ctx = json.load(open(sys.argv[3]))
//! sys.stdout.buffer.write(tornado.template.Loader(sys.argv[1]).load(sys.argv[2]).generate(**ctx))
//! ```

use std::io::Write;
use std::process::ExitCode;

use tornado::template::{Loader, LoaderOptions, Namespace};

fn run(dir: &str, name: &str, context_path: &str) -> Result<Vec<u8>, String> {
    // The context: a JSON object, each key a name for the template.
    let text = std::fs::read_to_string(context_path)
        .map_err(|e| format!("cannot read {context_path}: {e}"))?;
    let args = Namespace::from_json(&text).map_err(|e| format!("{context_path}: {e}"))?;
    // A loader with Tornado's defaults: autoescape with xhtml_escape, whitespace by
    // file extension, names in {% include %} and {% extends %} relative to the includer.
    let loader = Loader::new(dir, LoaderOptions::default());
    let template = loader.load(name).map_err(|e| e.to_string())?;
    template.generate(&args).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().collect();
    let [_, dir, name, context] = argv.as_slice() else {
        eprintln!("usage: render_template DIR NAME CONTEXT.json");
        return ExitCode::from(2);
    };
    match run(dir, name, context) {
        Ok(bytes) => {
            if std::io::stdout().write_all(&bytes).is_err() {
                return ExitCode::FAILURE;
            }
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("render_template: {message}");
            ExitCode::FAILURE
        }
    }
}

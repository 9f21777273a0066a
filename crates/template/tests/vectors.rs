//! Runs every vector of `tests/vectors/cases.json` (made by `tests/vectors/gen_vectors.py`
//! with Python Tornado 6.5.2): the templates of Tornado's template_test.py, the expression
//! language, error messages, the benchmark templates and the demos' templates must render
//! to the same bytes (or fail with the same error) as in Python.

use std::cell::RefCell;
use std::path::Path;
use std::rc::Rc;

use serde_json::Value as Json;
use tornado_template::datetime::DateTime;
use tornado_template::{
    Args, BaseLoader, Dict, DictLoader, Error, Function, Loader, LoaderOptions, Namespace, PyRange,
    Value, Whitespace, load,
};

const XSRF: &str = r#"<input type="hidden" name="_xsrf" value="2|0a1b2c3d|e4f5a6b7|1700000000"/>"#;

fn arg(a: &Args, i: usize) -> Value {
    a.get(i).cloned().unwrap_or_default()
}

/// The stub functions of gen_vectors.py, with the same behaviour.
fn stub(name: &str) -> Value {
    let f = match name {
        "upper" => Function::new("upper", |a: &Args| match arg(a, 0) {
            Value::Bytes(b) => Ok(Value::from(b.to_ascii_uppercase())),
            v => Ok(Value::from(v.to_str().to_uppercase())),
        }),
        "_" => Function::new("_", |a: &Args| Ok(arg(a, 0))),
        "static_url" => Function::new("static_url", |a: &Args| {
            Ok(Value::from(format!(
                "/static/{}?v=0123abcd",
                arg(a, 0).to_str()
            )))
        }),
        "xsrf_form_html" => Function::new("xsrf_form_html", |_: &Args| Ok(Value::from(XSRF))),
        "format_date" => Function::new("format_date", |a: &Args| {
            let date = arg(a, 0);
            let Value::Object(o) = &date else {
                return Err(Error::type_error("not a date"));
            };
            let text = o.call_method("strftime", &Args::new(&[Value::from("%Y-%m-%d %H:%M")]))?;
            let flag = |i: usize, name: &str| {
                a.arg(i, name)
                    .cloned()
                    .unwrap_or(Value::Bool(false))
                    .to_str()
            };
            Ok(Value::from(format!(
                "{}|full={}|shorter={}",
                text.to_str(),
                flag(4, "full_format"),
                flag(3, "shorter")
            )))
        }),
        "full_url" => Function::new("full_url", |_: &Args| {
            Ok(Value::from("http://blog.example.com/feed"))
        }),
        "py_escape" => Function::new("py_escape", |a: &Args| match arg(a, 0) {
            v @ Value::Bytes(_) => Ok(Value::from(Value::from(v.as_text()?.into_owned()).repr())),
            other => Err(Error::type_error(format!(
                "py_escape got {}",
                other.type_name()
            ))),
        }),
        "inc" => Function::new("inc", |a: &Args| {
            Ok(Value::Int(arg(a, 0).as_int().unwrap_or(0) + 1))
        }),
        other => panic!("unknown stub {other}"),
    };
    Value::Function(f)
}

type SharedLoader = Rc<dyn BaseLoader>;
type Ctx = Rc<RefCell<Namespace>>;

fn render_with(
    loader: &SharedLoader,
    ctx: &Ctx,
    path: &str,
    extra: &[(String, Value)],
) -> tornado_template::Result<Value> {
    let mut ns = ctx.borrow().clone();
    for (k, v) in extra {
        ns.set(k, v.clone());
    }
    Ok(Value::from(load(&**loader, path, None)?.generate(&ns)?))
}

/// UI-module stand-ins, as `make_modules` in gen_vectors.py.
fn modules(spec: &serde_json::Map<String, Json>, loader: &SharedLoader, ctx: &Ctx) -> Value {
    let mut d = Dict::new();
    for (name, how) in spec {
        let (loader, ctx) = (loader.clone(), ctx.clone());
        let f = match how {
            Json::String(s) if s == "Template" => Function::new("Template", move |a: &Args| {
                let path = arg(a, 0).to_str();
                let kw: Vec<(String, Value)> = a
                    .keywords
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect();
                render_with(&loader, &ctx, &path, &kw)
            }),
            Json::String(s) if s == "xsrf_form_html" => {
                Function::new("xsrf_form_html", |_: &Args| Ok(Value::from(XSRF)))
            }
            Json::String(s) if s == "linkify" => {
                let linkify = Value::Function(Function::new("linkify", |a: &Args| {
                    let t = tornado_template::Template::new("{% raw linkify(text) %}")?;
                    let mut ns = Namespace::new();
                    ns.set("text", arg(a, 0));
                    Ok(Value::from(t.generate(&ns)?))
                }));
                match linkify {
                    Value::Function(f) => f,
                    _ => unreachable!(),
                }
            }
            Json::Object(m) => {
                let template = m["template"].as_str().unwrap_or_default().to_string();
                let names: Vec<String> = m["args"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .map(|n| n.as_str().unwrap_or_default().to_string())
                            .collect()
                    })
                    .unwrap_or_default();
                Function::new(name.as_str(), move |a: &Args| {
                    let kw: Vec<(String, Value)> = names
                        .iter()
                        .cloned()
                        .zip(a.positional.iter().cloned())
                        .collect();
                    render_with(&loader, &ctx, &template, &kw)
                })
            }
            other => panic!("bad module spec {other}"),
        };
        d.set(name, f);
    }
    Value::dict(d)
}

fn convert(v: &Json, loader: &SharedLoader, ctx: &Ctx) -> Value {
    match v {
        Json::Array(items) => Value::list(items.iter().map(|x| convert(x, loader, ctx)).collect()),
        Json::Object(m) => {
            if m.len() == 1 {
                let (tag, body) = m.iter().next().unwrap();
                match tag.as_str() {
                    "$datetime" => {
                        let n = chrono::NaiveDateTime::parse_from_str(
                            body.as_str().unwrap(),
                            "%Y-%m-%dT%H:%M:%S",
                        )
                        .unwrap();
                        return DateTime::new(n).into_value();
                    }
                    "$bytes" => return Value::from(body.as_str().unwrap().as_bytes().to_vec()),
                    "$tuple" => {
                        return Value::tuple(
                            body.as_array()
                                .unwrap()
                                .iter()
                                .map(|x| convert(x, loader, ctx))
                                .collect(),
                        );
                    }
                    "$range" => {
                        return Value::Range(Rc::new(PyRange {
                            start: 0,
                            stop: body.as_i64().unwrap(),
                            step: 1,
                        }));
                    }
                    "$obj" => return convert(body, loader, ctx),
                    "$func" => return stub(body.as_str().unwrap()),
                    "$modules" => return modules(body.as_object().unwrap(), loader, ctx),
                    _ => {}
                }
            }
            let mut d = Dict::new();
            for (k, x) in m {
                d.set(k, convert(x, loader, ctx));
            }
            Value::dict(d)
        }
        other => Value::from(other),
    }
}

fn describe(e: &Error) -> String {
    if e.is_parse() {
        e.to_string()
    } else {
        format!("{}: {}", e.kind().name(), e.message())
    }
}

fn run(case: &Json, base: &Path) -> Result<String, String> {
    let name = case["name"].as_str().unwrap();
    let mut options = LoaderOptions::default();
    if let Some(lo) = case.get("loader").and_then(Json::as_object) {
        if let Some(a) = lo.get("autoescape") {
            options.autoescape = a.as_str().map(String::from);
        }
        if let Some(w) = lo.get("whitespace").and_then(Json::as_str) {
            options.whitespace = Some(Whitespace::from_name(w).unwrap());
        }
    }
    let loader: SharedLoader = match case.get("dir").and_then(Json::as_str) {
        Some(dir) => Rc::new(Loader::new(base.join(dir), options)),
        None => {
            let t = case["templates"].as_object().unwrap();
            Rc::new(DictLoader::new(
                t.iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())),
                options,
            ))
        }
    };
    let ctx: Ctx = Rc::new(RefCell::new(Namespace::new()));
    if let Some(c) = case.get("context").and_then(Json::as_object) {
        for (k, v) in c {
            let value = convert(v, &loader, &ctx);
            ctx.borrow_mut().set(k, value);
        }
    }
    let ns = ctx.borrow().clone();
    let result =
        load(&*loader, case["render"].as_str().unwrap(), None).and_then(|t| t.generate(&ns));
    match (
        result,
        case.get("expected").and_then(Json::as_str),
        case.get("error").and_then(Json::as_str),
    ) {
        (Ok(out), Some(want), _) if out == want.as_bytes() => Ok(name.to_string()),
        (Ok(out), Some(want), _) => Err(format!(
            "{name}: output differs\n  want: {want:?}\n  got:  {:?}",
            String::from_utf8_lossy(&out)
        )),
        (Ok(out), None, Some(err)) => Err(format!(
            "{name}: expected error {err:?}, got {:?}",
            String::from_utf8_lossy(&out)
        )),
        (Err(e), _, Some(err)) if describe(&e) == err => Ok(name.to_string()),
        (Err(e), _, err) => Err(format!(
            "{name}: error {:?} (full: {e}), want {err:?}",
            describe(&e)
        )),
        (Ok(_), None, None) => Err(format!("{name}: case has no expectation")),
    }
}

#[test]
fn python_tornado_vectors() {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors");
    let text = std::fs::read_to_string(base.join("cases.json")).unwrap();
    let doc: Json = serde_json::from_str(&text).unwrap();
    let cases = doc["cases"].as_array().unwrap();
    assert!(cases.len() > 150, "expected the full set of vectors");
    let failures: Vec<String> = cases.iter().filter_map(|c| run(c, &base).err()).collect();
    assert!(
        failures.is_empty(),
        "{} of {} vectors differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

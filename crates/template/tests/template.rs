//! Tornado's `tornado/test/template_test.py`, ported: every test of its four classes,
//! plus tests of what the Rust port adds (host objects, modules, errors).

use std::rc::Rc;

use tornado_template::{
    Args, DictLoader, Error, ErrorKind, Function, Loader, LoaderOptions, Namespace, Object,
    SharedNamespace, Template, TemplateOptions, Value, Whitespace,
};

fn ns(pairs: &[(&str, Value)]) -> Namespace {
    let mut n = Namespace::new();
    for (k, v) in pairs {
        n.set(k, v.clone());
    }
    n
}

fn render(src: &str, args: &[(&str, Value)]) -> Vec<u8> {
    Template::new(src).unwrap().generate(&ns(args)).unwrap()
}

fn dict_loader(pairs: &[(&str, &str)]) -> DictLoader {
    DictLoader::new(pairs.iter().copied(), LoaderOptions::default())
}

fn load(l: &DictLoader, name: &str, args: &[(&str, Value)]) -> Vec<u8> {
    l.load(name).unwrap().generate(&ns(args)).unwrap()
}

fn load_err(l: &DictLoader, name: &str) -> Error {
    l.load(name)
        .unwrap()
        .generate(&Namespace::new())
        .unwrap_err()
}

fn upper() -> Value {
    Value::function("upper", |a: &Args| match a.get(0) {
        Some(Value::Bytes(b)) => Ok(Value::from(
            String::from_utf8_lossy(b).to_uppercase().into_bytes(),
        )),
        Some(Value::Str(s)) => Ok(Value::from(s.to_uppercase())),
        _ => Err(Error::type_error("upper needs text")),
    })
}

// ---- TemplateTest ----

#[test]
fn test_simple() {
    assert_eq!(
        render("Hello {{ name }}!", &[("name", Value::from("Ben"))]),
        b"Hello Ben!"
    );
}

#[test]
fn test_bytes() {
    assert_eq!(
        render("Hello {{ name }}!", &[("name", Value::from(&b"Ben"[..]))]),
        b"Hello Ben!"
    );
}

#[test]
fn test_expressions() {
    assert_eq!(render("2 + 2 = {{ 2 + 2 }}", &[]), b"2 + 2 = 4");
}

#[test]
fn test_comment() {
    assert_eq!(
        render(
            "Hello{# TODO i18n #} {{ name }}!",
            &[("name", Value::from("Ben"))]
        ),
        b"Hello Ben!"
    );
}

#[test]
fn test_include() {
    let l = dict_loader(&[
        ("index.html", "{% include \"header.html\" %}\nbody text"),
        ("header.html", "header text"),
    ]);
    assert_eq!(load(&l, "index.html", &[]), b"header text\nbody text");
}

#[test]
fn test_extends() {
    let l = dict_loader(&[
        (
            "base.html",
            "<title>{% block title %}default title{% end %}</title>\n<body>{% block body %}default body{% end %}</body>\n",
        ),
        (
            "page.html",
            "{% extends \"base.html\" %}\n{% block title %}page title{% end %}\n{% block body %}page body{% end %}\n",
        ),
    ]);
    assert_eq!(
        load(&l, "page.html", &[]),
        b"<title>page title</title>\n<body>page body</body>\n"
    );
}

#[test]
fn test_relative_load() {
    let l = dict_loader(&[
        ("a/1.html", "{% include '2.html' %}"),
        ("a/2.html", "{% include '../b/3.html' %}"),
        ("b/3.html", "ok"),
    ]);
    assert_eq!(load(&l, "a/1.html", &[]), b"ok");
}

#[test]
fn test_escaping() {
    assert!(Template::new("{{").unwrap_err().is_parse());
    assert!(Template::new("{%").unwrap_err().is_parse());
    assert_eq!(render("{{!", &[]), b"{{");
    assert_eq!(render("{%!", &[]), b"{%");
    assert_eq!(render("{#!", &[]), b"{#");
    assert_eq!(
        render("{{ 'expr' }} {{!jquery expr}}", &[]),
        b"expr {{jquery expr}}"
    );
}

#[test]
fn test_unicode_template() {
    assert_eq!(render("\u{e9}", &[]), "\u{e9}".as_bytes());
}

#[test]
fn test_unicode_literal_expression() {
    assert_eq!(render("{{ \"\u{e9}\" }}", &[]), "\u{e9}".as_bytes());
}

#[test]
fn test_custom_namespace() {
    let mut shared = SharedNamespace::new();
    shared.function("inc", |a| {
        Ok(Value::Int(
            a.get(0).and_then(Value::as_int).unwrap_or(0) + 1,
        ))
    });
    let l = DictLoader::new(
        [("test.html", "{{ inc(5) }}")],
        LoaderOptions {
            namespace: shared,
            ..Default::default()
        },
    );
    assert_eq!(load(&l, "test.html", &[]), b"6");
}

#[test]
fn test_apply() {
    assert_eq!(
        render("{% apply upper %}foo{% end %}", &[("upper", upper())]),
        b"FOO"
    );
}

#[test]
fn test_unicode_apply() {
    assert_eq!(
        render(
            "{% apply upper %}foo \u{e9}{% end %}",
            &[("upper", upper())]
        ),
        "FOO \u{c9}".as_bytes()
    );
}

#[test]
fn test_bytes_apply() {
    let to_bytes = Value::function("upper", |a: &Args| {
        let t = a
            .get(0)
            .map(|v| v.as_text().map(|t| t.to_uppercase()))
            .transpose()?
            .unwrap_or_default();
        Ok(Value::from(t.into_bytes()))
    });
    assert_eq!(
        render(
            "{% apply upper %}foo \u{e9}{% end %}",
            &[("upper", to_bytes)]
        ),
        "FOO \u{c9}".as_bytes()
    );
}

#[test]
fn test_if() {
    let t = Template::new("{% if x > 4 %}yes{% else %}no{% end %}").unwrap();
    assert_eq!(t.generate(&ns(&[("x", Value::Int(5))])).unwrap(), b"yes");
    assert_eq!(t.generate(&ns(&[("x", Value::Int(3))])).unwrap(), b"no");
}

#[test]
fn test_if_empty_body() {
    assert_eq!(render("{% if True %}{% else %}{% end %}", &[]), b"");
}

#[test]
fn test_try() {
    let t = Template::new(
        "{% try %}\ntry{% set y = 1/x %}\n{% except %}-except\n{% else %}-else\n{% finally %}-finally\n{% end %}",
    )
    .unwrap();
    assert_eq!(
        t.generate(&ns(&[("x", Value::Int(1))])).unwrap(),
        b"\ntry\n-else\n-finally\n"
    );
    assert_eq!(
        t.generate(&ns(&[("x", Value::Int(0))])).unwrap(),
        b"\ntry-except\n-finally\n"
    );
}

#[test]
fn test_comment_directive() {
    assert_eq!(render("{% comment blah blah %}foo", &[]), b"foo");
}

#[test]
fn test_break_continue() {
    let src = "{% for i in range(10) %}\n    {% if i == 2 %}\n        {% continue %}\n    {% end %}\n    {{ i }}\n    {% if i == 6 %}\n        {% break %}\n    {% end %}\n{% end %}";
    let out: Vec<u8> = render(src, &[])
        .into_iter()
        .filter(|b| !b.is_ascii_whitespace())
        .collect();
    assert_eq!(out, b"013456");
}

#[test]
fn test_break_outside_loop() {
    assert!(Template::new("{% break %}").unwrap_err().is_parse());
}

#[test]
fn test_break_in_apply() {
    let e =
        Template::new("{% for i in [] %}{% apply foo %}{% break %}{% end %}{% end %}").unwrap_err();
    assert!(e.is_parse());
}

#[test]
fn test_no_inherit_future() {
    // Tornado skips this test (no testable future imports); division is true division.
    assert_eq!(render("{{ 1 / 2 }}", &[]), b"0.5");
}

#[test]
fn test_non_ascii_name() {
    let l = dict_loader(&[("t\u{e9}st.html", "hello")]);
    assert_eq!(load(&l, "t\u{e9}st.html", &[]), b"hello");
}

// ---- StackTraceTest ----

fn trace_of(e: &Error) -> String {
    e.to_string()
}

#[test]
fn test_error_line_number_expression() {
    let l = dict_loader(&[("test.html", "one\ntwo{{1/0}}\nthree\n        ")]);
    let e = load_err(&l, "test.html");
    assert_eq!(*e.kind(), ErrorKind::ZeroDivision);
    assert_eq!(e.trace(), ["test.html:2"]);
}

#[test]
fn test_error_line_number_directive() {
    let l = dict_loader(&[("test.html", "one\ntwo{%if 1/0%}\nthree{%end%}\n        ")]);
    assert!(trace_of(&load_err(&l, "test.html")).contains("test.html:2"));
}

#[test]
fn test_error_line_number_module() {
    // `{% module Template('sub.html') %}` renders another template of the same loader.
    let l = Rc::new(std::cell::OnceCell::<DictLoader>::new());
    let loader = DictLoader::new(
        [
            ("base.html", "{% module Template('sub.html') %}"),
            ("sub.html", "{{1/0}}"),
        ],
        LoaderOptions::default(),
    );
    assert!(l.set(loader).is_ok());
    let l2 = l.clone();
    let template_fn = Function::new("Template", move |a: &Args| {
        let name = a
            .get(0)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let loader = l2.get().ok_or_else(|| Error::type_error("no loader"))?;
        Ok(Value::from(
            loader.load(&name)?.generate(&Namespace::new())?,
        ))
    });
    let mut modules = tornado_template::Dict::new();
    modules.set("Template", template_fn);
    let args = ns(&[("_tt_modules", Value::dict(modules))]);
    let e = l
        .get()
        .unwrap()
        .load("base.html")
        .unwrap()
        .generate(&args)
        .unwrap_err();
    assert_eq!(e.trace(), ["sub.html:1", "base.html:1"]);
    assert_eq!(
        e.to_string(),
        "ZeroDivisionError: division by zero at sub.html:1, called from base.html:1"
    );
}

#[test]
fn test_error_line_number_include() {
    let l = dict_loader(&[
        ("base.html", "{% include 'sub.html' %}"),
        ("sub.html", "{{1/0}}"),
    ]);
    assert!(trace_of(&load_err(&l, "base.html")).contains("sub.html:1 (via base.html:1)"));
}

#[test]
fn test_error_line_number_extends_base_error() {
    let l = dict_loader(&[
        ("base.html", "{{1/0}}"),
        ("sub.html", "{% extends 'base.html' %}"),
    ]);
    assert!(trace_of(&load_err(&l, "sub.html")).contains("base.html:1"));
}

#[test]
fn test_error_line_number_extends_sub_error() {
    let l = dict_loader(&[
        ("base.html", "{% block 'block' %}{% end %}"),
        (
            "sub.html",
            "\n{% extends 'base.html' %}\n{% block 'block' %}\n{{1/0}}\n{% end %}\n            ",
        ),
    ]);
    assert!(trace_of(&load_err(&l, "sub.html")).contains("sub.html:4 (via base.html:1)"));
}

#[test]
fn test_multi_includes() {
    let l = dict_loader(&[
        ("a.html", "{% include 'b.html' %}"),
        ("b.html", "{% include 'c.html' %}"),
        ("c.html", "{{1/0}}"),
    ]);
    assert!(trace_of(&load_err(&l, "a.html")).contains("c.html:1 (via b.html:1, a.html:1)"));
}

// ---- ParseErrorDetailTest ----

#[test]
fn test_details() {
    let l = dict_loader(&[("foo.html", "\n\n{{")]);
    let e = l.load("foo.html").unwrap_err();
    assert_eq!(e.to_string(), "Missing end expression }} at foo.html:3");
    assert_eq!(e.filename(), Some("foo.html"));
    assert_eq!(e.lineno(), 3);
}

#[test]
fn test_custom_parse_error() {
    assert_eq!(
        Error::new(ErrorKind::Parse, "asdf").to_string(),
        "asdf at None:0"
    );
}

// ---- AutoEscapeTest ----

fn autoescape_templates() -> Vec<(&'static str, &'static str)> {
    vec![
        ("escaped.html", "{% autoescape xhtml_escape %}{{ name }}"),
        ("unescaped.html", "{% autoescape None %}{{ name }}"),
        ("default.html", "{{ name }}"),
        (
            "include.html",
            "escaped: {% include 'escaped.html' %}\nunescaped: {% include 'unescaped.html' %}\ndefault: {% include 'default.html' %}\n",
        ),
        (
            "escaped_block.html",
            "{% autoescape xhtml_escape %}{% block name %}base: {{ name }}{% end %}",
        ),
        (
            "unescaped_block.html",
            "{% autoescape None %}{% block name %}base: {{ name }}{% end %}",
        ),
        (
            "escaped_extends_unescaped.html",
            "{% autoescape xhtml_escape %}{% extends \"unescaped_block.html\" %}",
        ),
        (
            "escaped_overrides_unescaped.html",
            "{% autoescape xhtml_escape %}{% extends \"unescaped_block.html\" %}{% block name %}extended: {{ name }}{% end %}",
        ),
        (
            "unescaped_extends_escaped.html",
            "{% autoescape None %}{% extends \"escaped_block.html\" %}",
        ),
        (
            "unescaped_overrides_escaped.html",
            "{% autoescape None %}{% extends \"escaped_block.html\" %}{% block name %}extended: {{ name }}{% end %}",
        ),
        (
            "raw_expression.html",
            "{% autoescape xhtml_escape %}expr: {{ name }}\nraw: {% raw name %}",
        ),
    ]
}

fn autoescape_loader(autoescape: Option<&str>) -> DictLoader {
    DictLoader::new(
        autoescape_templates(),
        LoaderOptions {
            autoescape: autoescape.map(String::from),
            ..Default::default()
        },
    )
}

#[test]
fn test_default_off() {
    let l = autoescape_loader(None);
    let name = [("name", Value::from("Bobby <table>s"))];
    assert_eq!(load(&l, "escaped.html", &name), b"Bobby &lt;table&gt;s");
    assert_eq!(load(&l, "unescaped.html", &name), b"Bobby <table>s");
    assert_eq!(load(&l, "default.html", &name), b"Bobby <table>s");
    assert_eq!(
        load(&l, "include.html", &name),
        b"escaped: Bobby &lt;table&gt;s\nunescaped: Bobby <table>s\ndefault: Bobby <table>s\n"
    );
}

#[test]
fn test_default_on() {
    let l = autoescape_loader(Some("xhtml_escape"));
    let name = [("name", Value::from("Bobby <table>s"))];
    assert_eq!(load(&l, "escaped.html", &name), b"Bobby &lt;table&gt;s");
    assert_eq!(load(&l, "unescaped.html", &name), b"Bobby <table>s");
    assert_eq!(load(&l, "default.html", &name), b"Bobby &lt;table&gt;s");
    assert_eq!(
        load(&l, "include.html", &name),
        b"escaped: Bobby &lt;table&gt;s\nunescaped: Bobby <table>s\ndefault: Bobby &lt;table&gt;s\n"
    );
}

#[test]
fn test_unextended_block() {
    let l = autoescape_loader(Some("xhtml_escape"));
    let name = [("name", Value::from("<script>"))];
    assert_eq!(
        load(&l, "escaped_block.html", &name),
        b"base: &lt;script&gt;"
    );
    assert_eq!(load(&l, "unescaped_block.html", &name), b"base: <script>");
}

#[test]
fn test_extended_block() {
    let l = autoescape_loader(Some("xhtml_escape"));
    let name = [("name", Value::from("<script>"))];
    assert_eq!(
        load(&l, "escaped_extends_unescaped.html", &name),
        b"base: <script>"
    );
    assert_eq!(
        load(&l, "escaped_overrides_unescaped.html", &name),
        b"extended: &lt;script&gt;"
    );
    assert_eq!(
        load(&l, "unescaped_extends_escaped.html", &name),
        b"base: &lt;script&gt;"
    );
    assert_eq!(
        load(&l, "unescaped_overrides_escaped.html", &name),
        b"extended: <script>"
    );
}

#[test]
fn test_raw_expression() {
    let l = autoescape_loader(Some("xhtml_escape"));
    let name = [("name", Value::from("<>&\""))];
    assert_eq!(
        load(&l, "raw_expression.html", &name),
        b"expr: &lt;&gt;&amp;&quot;\nraw: <>&\""
    );
}

#[test]
fn test_custom_escape() {
    let l = dict_loader(&[("foo.py", "{% autoescape py_escape %}s = {{ name }}\n")]);
    let py_escape = Value::function("py_escape", |a: &Args| match a.get(0) {
        // Tornado hands the escape function bytes.
        Some(v @ Value::Bytes(_)) => Ok(Value::from(Value::from(v.as_text()?.into_owned()).repr())),
        other => Err(Error::type_error(format!("expected bytes, got {other:?}"))),
    });
    let run = |name: Value| {
        load(
            &l,
            "foo.py",
            &[("py_escape", py_escape.clone()), ("name", name)],
        )
    };
    assert_eq!(run(Value::from("<html>")), b"s = '<html>'\n");
    assert_eq!(run(Value::from("';sys.exit()")), b"s = \"';sys.exit()\"\n");
    assert_eq!(
        run(Value::list(vec![Value::from("not a string")])),
        b"s = \"['not a string']\"\n"
    );
}

#[test]
fn test_manual_minimize_whitespace() {
    let l = dict_loader(&[(
        "foo.txt",
        "{% for i in items\n  %}{% if i > 0 %}, {% end %}{#\n  #}{{i\n  }}{% end\n%}",
    )]);
    let items = Value::list((0..5).map(Value::Int).collect());
    assert_eq!(load(&l, "foo.txt", &[("items", items)]), b"0, 1, 2, 3, 4");
}

#[test]
fn test_whitespace_by_filename() {
    let l = dict_loader(&[
        ("foo.html", "   \n\t\n asdf\t   "),
        ("bar.js", " \n\n\n\t qwer     "),
        ("baz.txt", "\t    zxcv\n\n"),
        ("include.html", "  {% include baz.txt %} \n "),
        ("include.txt", "\t\t{% include foo.html %}    "),
    ]);
    assert_eq!(load(&l, "foo.html", &[]), b"\nasdf ");
    assert_eq!(load(&l, "bar.js", &[]), b"\nqwer ");
    assert_eq!(load(&l, "baz.txt", &[]), b"\t    zxcv\n\n");
    assert_eq!(load(&l, "include.html", &[]), b" \t    zxcv\n\n\n");
    assert_eq!(load(&l, "include.txt", &[]), b"\t\t\nasdf     ");
}

#[test]
fn test_whitespace_by_loader() {
    let templates = [("foo.html", "\t\tfoo\n\n"), ("bar.txt", "\t\tbar\n\n")];
    let with = |w| {
        DictLoader::new(
            templates,
            LoaderOptions {
                whitespace: Some(w),
                ..Default::default()
            },
        )
    };
    let l = with(Whitespace::All);
    assert_eq!(load(&l, "foo.html", &[]), b"\t\tfoo\n\n");
    assert_eq!(load(&l, "bar.txt", &[]), b"\t\tbar\n\n");
    let l = with(Whitespace::Single);
    assert_eq!(load(&l, "foo.html", &[]), b" foo\n");
    assert_eq!(load(&l, "bar.txt", &[]), b" bar\n");
    let l = with(Whitespace::Oneline);
    assert_eq!(load(&l, "foo.html", &[]), b" foo ");
    assert_eq!(load(&l, "bar.txt", &[]), b" bar ");
}

#[test]
fn test_whitespace_directive() {
    let l = dict_loader(&[(
        "foo.html",
        "{% whitespace oneline %}\n    {% for i in range(3) %}\n        {{ i }}\n    {% end %}\n{% whitespace all %}\n    pre\tformatted\n",
    )]);
    assert_eq!(
        load(&l, "foo.html", &[]),
        b"  0  1  2  \n    pre\tformatted\n"
    );
}

// ---- TemplateLoaderTest ----

#[test]
fn test_utf8_in_file() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/templates");
    let loader = Loader::new(&dir, LoaderOptions::default());
    let out = loader
        .load("utf8.html")
        .unwrap()
        .generate(&Namespace::new())
        .unwrap();
    assert_eq!(String::from_utf8(out).unwrap().trim(), "H\u{e9}llo");
}

// ---- Beyond template_test.py ----

#[test]
fn loader_resolves_relative_names_inside_the_root_and_resets() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/templates");
    let loader = Loader::new(&dir, LoaderOptions::default());
    let out = loader
        .load("sub/page.html")
        .unwrap()
        .generate(&Namespace::new())
        .unwrap();
    assert_eq!(out, b"[sub/part.html][H\xc3\xa9llo\n]");
    let first = loader.load("utf8.html").unwrap();
    assert!(std::sync::Arc::ptr_eq(
        &first,
        &loader.load("utf8.html").unwrap()
    ));
    loader.reset();
    assert!(!std::sync::Arc::ptr_eq(
        &first,
        &loader.load("utf8.html").unwrap()
    ));
    assert!(loader.load("missing.html").unwrap_err().is_io());
}

#[derive(Debug)]
struct Handler {
    title: String,
}

impl Object for Handler {
    fn type_name(&self) -> &str {
        "BlogHandler"
    }
    fn get_attr(&self, name: &str) -> tornado_template::Result<Option<Value>> {
        Ok(match name {
            "settings" => {
                let mut d = tornado_template::Dict::new();
                d.set("blog_title", self.title.as_str());
                Some(Value::dict(d))
            }
            _ => None,
        })
    }
    fn call_method(&self, name: &str, args: &Args) -> tornado_template::Result<Value> {
        match name {
            "shout" => Ok(Value::from(format!(
                "{}!",
                args.get(0).map(Value::to_str).unwrap_or_default()
            ))),
            _ => Err(Error::new(
                ErrorKind::Attribute,
                format!("no method {name}"),
            )),
        }
    }
}

#[test]
fn host_objects_expose_attributes_and_methods() {
    let h = Value::object(Handler {
        title: "A & B".into(),
    });
    let out = render(
        "{{ handler.settings['blog_title'] }}|{{ handler.shout('hi') }}|{% try %}{{ handler.nope }}{% except AttributeError as e %}{{ e }}{% end %}",
        &[("handler", h)],
    );
    assert_eq!(
        out,
        b"A &amp; B|hi!|&#x27;BlogHandler&#x27; object has no attribute &#x27;nope&#x27;"
    );
}

#[test]
fn python_expression_subset() {
    let cases: &[(&str, &str)] = &[
        ("{{ [x * 2 for x in range(5) if x % 2] }}", "[2, 6]"),
        ("{{ {k: v for k, v in [('a', 1)]} }}", "{&#x27;a&#x27;: 1}"),
        ("{{ sum(x for x in [1, 2, 3]) }}", "6"),
        (
            "{{ '%s-%05.1f-%(x)s' % ('a', 2.25, ) if False else '%(x)s' % {'x': 'y'} }}",
            "y",
        ),
        ("{{ '{0}/{name}'.format(1, name='n') }}", "1/n"),
        ("{{ 1 < 2 < 3 }} {{ 3 > 2 > 2 }}", "True False"),
        ("{{ 'a' in 'cat' and not None }}", "True"),
        ("{{ None or [] or 'x' }}", "x"),
        ("{{ [1, 2, 3][::-1] }} {{ 'hello'[1:3] }}", "[3, 2, 1] el"),
        (
            "{{ 7 // 2 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 10 / 4 }}",
            "3 2 1024 2.5",
        ),
        ("{{ sorted([3, 1, 2], reverse=True) }}", "[3, 2, 1]"),
        (
            "{{ max([1, 5, 3]) }} {{ min(4, 2, key=None) }} {{ abs(-3) }} {{ round(2.5) }}",
            "5 2 3 2",
        ),
        (
            "{{ list(zip([1, 2], 'ab')) }}",
            "[(1, &#x27;a&#x27;), (2, &#x27;b&#x27;)]",
        ),
        (
            "{{ ', '.join(str(i) for i in reversed(range(3))) }}",
            "2, 1, 0",
        ),
        (
            "{{ int('42') + float('0.5') }} {{ bool(0) }} {{ repr('x') }}",
            "42.5 False &#x27;x&#x27;",
        ),
        (
            "{{ 'Hello World'.lower().split() }}",
            "[&#x27;hello&#x27;, &#x27;world&#x27;]",
        ),
        ("{{ {'a': 1}.get('b', 2) }} {{ len({'a': 1}) }}", "2 1"),
        (
            "{% set x = [] %}{% set x.append(1) %}{% set x += [2] %}{{ x }}",
            "[1, 2]",
        ),
        (
            "{% set d = {} %}{% set d['k'] = 'v' %}{{ d }}",
            "{&#x27;k&#x27;: &#x27;v&#x27;}",
        ),
        ("{% set a, b = 1, 2 %}{{ a + b }}", "3"),
        ("{% for i in range(3) %}{{ i }}{% else %}!{% end %}", "012!"),
        (
            "{% set i = 0 %}{% while i < 3 %}{% set i += 1 %}{{ i }}{% end %}",
            "123",
        ),
        ("{% if 0 %}a{% elif 1 %}b{% else %}c{% end %}", "b"),
        (
            "{{ 1e16 }} {{ 0.1 + 0.2 }} {{ 1/3 }}",
            "1e+16 0.30000000000000004 0.3333333333333333",
        ),
        (
            "{{ True + 1 }} {{ 'x' * 3 }} {{ (1,) }} {{ () }}",
            "2 xxx (1,) ()",
        ),
        (
            "{% from tornado.escape import url_escape as u %}{{ u('a b') }}",
            "a+b",
        ),
        (
            "{% import tornado.escape %}{{ tornado.escape.squeeze(' a  b ') }}",
            "a b",
        ),
        (
            "{{ datetime.datetime(2024, 1, 2, 3, 4, 5).strftime('%Y/%m/%d %H:%M') }}",
            "2024/01/02 03:04",
        ),
        (
            "{{ json_encode({'a': [1, '</x>']}) }}",
            "{&quot;a&quot;: [1, &quot;&lt;\\/x&gt;&quot;]}",
        ),
    ];
    for (src, want) in cases {
        let got = render(src, &[]);
        assert_eq!(String::from_utf8_lossy(&got), *want, "template {src}");
    }
}

#[test]
fn runtime_errors_are_pythons() {
    let cases: &[(&str, &str)] = &[
        (
            "{{ nope }}",
            "NameError: name 'nope' is not defined at <string>:1",
        ),
        (
            "{{ x }}{% set x = 1 %}",
            "UnboundLocalError: cannot access local variable 'x' where it is not associated with a value at <string>:1",
        ),
        (
            "{{ [][0] }}",
            "IndexError: list index out of range at <string>:1",
        ),
        ("{{ {}['k'] }}", "KeyError: 'k' at <string>:1"),
        (
            "{{ 'a' + 1 }}",
            "TypeError: can only concatenate str (not \"int\") to str at <string>:1",
        ),
        (
            "\n{{ len(1) }}",
            "TypeError: object of type 'int' has no len() at <string>:2",
        ),
        (
            "{% import nope %}",
            "ModuleNotFoundError: No module named 'nope' at <string>:1",
        ),
        (
            "{% set a, b = [1] %}",
            "ValueError: not enough values to unpack (expected 2, got 1) at <string>:1",
        ),
    ];
    for (src, want) in cases {
        let e = Template::new(src)
            .unwrap()
            .generate(&Namespace::new())
            .unwrap_err();
        assert_eq!(e.to_string(), *want, "template {src}");
    }
}

#[test]
fn try_except_by_class() {
    let src = "{% try %}{{ {}['k'] }}{% except ZeroDivisionError %}zero{% except LookupError as e %}lookup {{ e }}{% end %}";
    assert_eq!(render(src, &[]), b"lookup &#x27;k&#x27;");
    let e = Template::new("{% try %}{{ 1/0 }}{% except KeyError %}k{% end %}")
        .unwrap()
        .generate(&Namespace::new())
        .unwrap_err();
    assert_eq!(*e.kind(), ErrorKind::ZeroDivision);
}

#[test]
fn apply_scope_is_a_nested_function() {
    let src = "{% set x = 1 %}{% apply upper %}{% set x = 'inner' %}{{ x }}{% end %}{{ x }}";
    assert_eq!(render(src, &[("upper", upper())]), b"INNER1");
}

#[test]
fn options_name_autoescape_and_whitespace() {
    let t = Template::with_options(
        "  <b>{{ v }}</b>\n\n",
        TemplateOptions {
            name: "x.html".into(),
            autoescape: Some(None),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(t.name(), "x.html");
    assert_eq!(t.autoescape(), None);
    assert_eq!(
        t.generate(&ns(&[("v", Value::from("<i>"))])).unwrap(),
        b" <b><i></b>\n"
    );
    let e = Template::with_options(
        "{{ x }}",
        TemplateOptions {
            autoescape: Some(Some("my esc".into())),
            ..Default::default()
        },
    );
    assert!(e.unwrap_err().is_parse());
}

#[test]
fn serde_contexts() {
    #[derive(serde::Serialize)]
    struct Team {
        name: String,
        score: u8,
    }
    #[derive(serde::Serialize)]
    struct Ctx {
        year: u16,
        teams: Vec<Team>,
    }
    let ctx = Ctx {
        year: 2015,
        teams: vec![
            Team {
                name: "Jiangsu".into(),
                score: 43,
            },
            Team {
                name: "Beijing".into(),
                score: 27,
            },
        ],
    };
    let t = Template::new("{{ year }}:{% for i, t in enumerate(teams) %}{% if i == 0 %}*{% end %}{{ t.name }}={{ t.score }};{% end %}").unwrap();
    let out = t
        .generate(&Namespace::from_serialize(&ctx).unwrap())
        .unwrap();
    assert_eq!(out, b"2015:*Jiangsu=43;Beijing=27;");
}

#[test]
fn shared_namespace_modules_for_import() {
    let mut helpers = SharedNamespace::new();
    helpers.function("shout", |a| {
        Ok(Value::from(format!(
            "{}!",
            a.get(0).map(Value::to_str).unwrap_or_default()
        )))
    });
    helpers.value("version", &"1.0").unwrap();
    let mut shared = SharedNamespace::new();
    shared.module("app.helpers", helpers);
    let l = DictLoader::new(
        [(
            "t.html",
            "{% import app.helpers %}{% from app.helpers import version %}{{ app.helpers.shout('hi') }} {{ version }}",
        )],
        LoaderOptions {
            namespace: shared,
            ..Default::default()
        },
    );
    assert_eq!(load(&l, "t.html", &[]), b"hi! 1.0");
}

#[test]
fn templates_share_across_threads() {
    let l = std::sync::Arc::new(dict_loader(&[("t.html", "{{ n * 2 }}")]));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let l = l.clone();
            std::thread::spawn(move || load(&l, "t.html", &[("n", Value::Int(i))]))
        })
        .collect();
    let outs: Vec<Vec<u8>> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        outs,
        vec![b"0".to_vec(), b"2".to_vec(), b"4".to_vec(), b"6".to_vec()]
    );
}

//! Property tests of the template reader and the expression parser: any input gives a
//! template or an error, never a panic or a hang, and plain text renders unchanged.

use proptest::prelude::*;
use tornado_template::{Namespace, Template, TemplateOptions, Value};

fn opts(name: &str) -> TemplateOptions {
    TemplateOptions {
        name: name.into(),
        ..Default::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Arbitrary text made of template punctuation and words: compiling and rendering
    /// either succeed or fail with an error. (`for` and `while` are left out: a template
    /// may loop as long as Python's would, which is not what this test is about.)
    #[test]
    fn any_template_compiles_or_errors(src in "([{}%#!]|[a-z0-9 ._()\\[\\],'\"+*/<>=-]|\\n|if |end|in |set |else|try|except|block |include |extends |apply |break|continue|raw |module |autoescape |whitespace ){0,40}") {
        if let Ok(t) = Template::with_options(src.as_bytes(), opts("p.txt")) {
            let mut ns = Namespace::new();
            ns.set("x", Value::list(vec![Value::Int(1), Value::from("a")]));
            let _ = t.generate(&ns);
        }
    }

    /// Any expression text inside `{{ }}` parses or is a syntax error.
    #[test]
    fn any_expression_parses_or_errors(expr in "[a-z0-9 ._()\\[\\]{},:'\"+*/%<>=!&|^~-]{1,30}") {
        let src = format!("{{{{ {expr} }}}}");
        if let Ok(t) = Template::with_options(src.as_bytes(), opts("e.txt")) {
            let _ = t.generate(&Namespace::new());
        }
    }

    /// Text without braces comes out byte for byte (whitespace mode `all` for `.txt`).
    #[test]
    fn plain_text_is_unchanged(text in "[^{}]{0,200}") {
        let t = Template::with_options(text.as_bytes(), opts("plain.txt")).unwrap();
        prop_assert_eq!(t.generate(&Namespace::new()).unwrap(), text.as_bytes());
    }

    /// `{{ s }}` writes `s` escaped: the unescaped output round-trips.
    #[test]
    fn expressions_escape_their_text(s in "\\PC{0,40}") {
        let t = Template::new("{{ s }}").unwrap();
        let mut ns = Namespace::new();
        ns.set("s", s.as_str());
        let out = String::from_utf8(t.generate(&ns).unwrap()).unwrap();
        prop_assert!(!out.contains(['<', '>', '"', '\'']));
        let back = out.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#x27;", "'").replace("&amp;", "&");
        prop_assert_eq!(back, s);
    }

    /// Integers print as Python does.
    #[test]
    fn integers_print_like_python(n in any::<i64>()) {
        let t = Template::new("{{ n }}|{% raw n %}|{{ [n] }}").unwrap();
        let mut ns = Namespace::new();
        ns.set("n", n);
        prop_assert_eq!(String::from_utf8(t.generate(&ns).unwrap()).unwrap(), format!("{n}|{n}|[{n}]"));
    }
}

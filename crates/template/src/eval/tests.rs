//! The interpreter's shortcuts (`OutFast`, fast conditions, hinted lookups) give the
//! same output and errors as the general path. Expected outputs come from Python
//! Tornado 6.5 (dict attributes aside: Tornado's plain dicts have none).

use crate::{Function, Namespace, Template, Value};

fn render(src: &str, args: &[(&str, Value)]) -> String {
    let mut ns = Namespace::new();
    for (k, v) in args {
        ns.set(k, v.clone());
    }
    let t = Template::new(src).unwrap();
    match t.generate(&ns) {
        Ok(b) => String::from_utf8(b).unwrap(),
        Err(e) => format!("{}: {}", e.kind().name(), e.message()),
    }
}

fn ints() -> Value {
    Value::list(
        [
            -5,
            0,
            9,
            10,
            99,
            100,
            999,
            1000,
            9999,
            10000,
            i64::MIN,
            i64::MAX,
        ]
        .into_iter()
        .map(Value::Int)
        .collect(),
    )
}

#[test]
fn integers_between_short_and_long_text() {
    assert_eq!(
        render(
            "{% for n in ns %}<td>{{ n }}</td>{% end %}",
            &[("ns", ints())]
        ),
        "<td>-5</td><td>0</td><td>9</td><td>10</td><td>99</td><td>100</td><td>999</td>\
         <td>1000</td><td>9999</td><td>10000</td><td>-9223372036854775808</td>\
         <td>9223372036854775807</td>"
    );
    let long = render(
        "{% for n in ns %}<a long prefix of text>{{ n }}<and a long suffix too!>{% end %}",
        &[("ns", ints())],
    );
    let want: String = [
        "-5",
        "0",
        "9",
        "10",
        "99",
        "100",
        "999",
        "1000",
        "9999",
        "10000",
        "-9223372036854775808",
        "9223372036854775807",
    ]
    .iter()
    .map(|n| format!("<a long prefix of text>{n}<and a long suffix too!>"))
    .collect();
    assert_eq!(long, want);
}

#[test]
fn other_values_take_the_general_path() {
    let vs = Value::list(vec![
        Value::Float(1.5),
        Value::None,
        Value::Bool(true),
        Value::list(vec![Value::Int(1), Value::from("<")]),
        Value::from("a<b'&\"c>"),
        Value::Bytes(b"x<y".to_vec().into()),
    ]);
    assert_eq!(
        render("{% for v in vs %}[{{ v }}]{% end %}", &[("vs", vs)]),
        "[1.5][None][True][[1, &#x27;&lt;&#x27;]][a&lt;b&#x27;&amp;&quot;c&gt;][x&lt;y]"
    );
}

#[test]
fn dict_keys_move_between_items() {
    let d = |pairs: &[(&str, Value)]| {
        let mut d = crate::Dict::new();
        for (k, v) in pairs {
            d.set(k, v.clone());
        }
        Value::dict(d)
    };
    let ds = Value::list(vec![
        d(&[("a", Value::Int(1)), ("b", Value::Int(2))]),
        d(&[("b", Value::Int(3)), ("a", Value::from("<x>"))]),
        d(&[("a", Value::Float(2.5))]),
        d(&[("a", Value::Int(4))]),
    ]);
    assert_eq!(
        render(
            "{% for d in ds %}({{ d.a }}){% end %}",
            &[("ds", ds.clone())]
        ),
        "(1)(&lt;x&gt;)(2.5)(4)"
    );
    let missing = d(&[("a", Value::Int(1))]);
    assert!(
        render("{{ d.missing }}", &[("d", missing)]).starts_with("AttributeError: "),
        "a missing key is the general path's error"
    );
}

#[test]
fn fast_conditions() {
    let ds = Value::from("abcd");
    assert_eq!(
        render(
            "{% for i, d in enumerate(ds) %}{% if i == 0 %}first{% elif i >= 2 %}late\
             {% else %}mid{% end %}{{ i }}{% end %}",
            &[("ds", ds)]
        ),
        "first0mid1late2late3"
    );
    let xs = Value::list(vec![
        Value::Int(0),
        Value::Float(0.0),
        Value::Bool(false),
        Value::from("0"),
        Value::None,
        Value::Int(-1),
    ]);
    assert_eq!(
        render(
            "{% for i in xs %}{% if i == 0 %}zero{% end %}{% if i != 0 %}nz{% end %}|{% end %}",
            &[("xs", xs)]
        ),
        "zero|zero|zero|nz|nz|nz|"
    );
}

#[test]
fn unbound_locals_and_escape_functions() {
    assert_eq!(
        render("{% if False %}{% set x = 1 %}{% end %}{{ x }}", &[]),
        "UnboundLocalError: cannot access local variable 'x' where it is not associated with a value"
    );
    assert_eq!(
        render(
            "{% autoescape None %}{{ s }}{% raw s %}",
            &[("s", Value::from("<b>"))]
        ),
        "<b><b>"
    );
    let brackets = Value::Function(Function::new("brackets", |a| {
        Ok(Value::from(
            format!("[{}]", a.get(0).map(Value::to_str).unwrap_or_default()).as_str(),
        ))
    }));
    assert_eq!(
        render(
            "{{ n }}{{ s }}",
            &[
                ("n", Value::Int(5)),
                ("s", Value::from("<")),
                ("xhtml_escape", brackets)
            ]
        ),
        "[b'5'][b'<']"
    );
}

#[test]
fn namespaces_in_other_orders_and_many_slots() {
    let t = Template::new("{{ a }}{{ b }}{{ c }}").unwrap();
    let mut one = Namespace::new();
    one.set("a", 1).set("b", 2).set("c", 3);
    let mut two = Namespace::new();
    two.set("c", "z").set("b", "y").set("a", "x");
    for _ in 0..2 {
        assert_eq!(t.generate(&one).unwrap(), b"123");
        assert_eq!(t.generate(&two).unwrap(), b"xyz");
    }
    let mut partial = Namespace::new();
    partial.set("a", 1).set("c", 3);
    let e = t.generate(&partial).unwrap_err();
    assert_eq!(e.message(), "name 'b' is not defined");
    // More locals and globals than fit on the stack.
    let names: Vec<String> = (0..40).map(|i| format!("v{i}")).collect();
    let src: String = names.iter().map(|n| format!("{{{{ {n} }}}}")).collect();
    let mut ns = Namespace::new();
    for (i, n) in names.iter().enumerate() {
        ns.set(n, i as i64);
    }
    let want: String = (0..40).map(|i| i.to_string()).collect();
    assert_eq!(
        String::from_utf8(Template::new(&src).unwrap().generate(&ns).unwrap()).unwrap(),
        want
    );
}

#[test]
fn comparisons_at_the_ends_of_the_integers() {
    let xs = Value::list(vec![
        Value::Int(i64::MIN),
        Value::Int(-1),
        Value::Int(0),
        Value::Int(i64::MAX),
    ]);
    let src = "{% for x in xs %}{% if x < -9223372036854775807 %}a{% end %}\
               {% if x <= -1 %}b{% end %}{% if x > 9223372036854775807 %}c{% end %}\
               {% if x >= 0 %}d{% end %}{% if x != 0 %}e{% end %}|{% end %}";
    assert_eq!(render(src, &[("xs", xs)]), "abe|be|d|de|");
}

#[test]
fn texts_and_strings_of_every_length() {
    // Text pieces around the 16-byte and 256-byte boundaries, strings up to 40 bytes
    // with and without characters to escape, in loops and at the top level.
    for n in [0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 255, 256, 257, 300] {
        let text = "t".repeat(n);
        let src = format!("{text}{{% for s in ss %}}{text}{{{{ s }}}}{text}{{% end %}}{text}");
        let strings: Vec<String> = (0..40)
            .flat_map(|m| ["x".repeat(m), format!("{}<", "y".repeat(m))])
            .collect();
        let ss = Value::list(strings.iter().map(|s| Value::from(s.as_str())).collect());
        let body: String = strings
            .iter()
            .map(|s| format!("{text}{}{text}", s.replace('<', "&lt;")))
            .collect();
        assert_eq!(
            render(&src, &[("ss", ss)]),
            format!("{text}{body}{text}"),
            "{n}"
        );
    }
}

#[test]
fn nested_conditions_in_simple_loops() {
    let xs = Value::list((0..6).map(Value::Int).collect());
    let src = "{% for i, x in enumerate(xs) %}<{% if x == 1 %}one{{ x }}!{% elif x > 3 %}\
               {% if x == 4 %}four{% else %}{{ x * 10 }}{% end %}{% else %}{{ i }}{% end %}>{% end %}";
    assert_eq!(render(src, &[("xs", xs)]), "<0><one1!><2><3><four><50>");
}

#[test]
fn conditional_texts() {
    let xs = Value::list(vec![
        Value::Int(1),
        Value::Int(0),
        Value::from("a"),
        Value::from(""),
        Value::None,
    ]);
    assert_eq!(
        render(
            "{% for x in xs %}<li class=\"{% if x %}on{% end %}\">{% end %}",
            &[("xs", xs)]
        ),
        "<li class=\"on\"><li class=\"\"><li class=\"on\"><li class=\"\"><li class=\"\">"
    );
    // The text before a condition that raises is written, as in Tornado.
    assert_eq!(
        render(
            "{% try %}a{% if 1/0 %}b{% end %}{% except %}c{% end %}",
            &[]
        ),
        "ac"
    );
    let xs = Value::list([1, 2, 0, 3].into_iter().map(Value::Int).collect());
    assert_eq!(
        render(
            "{% try %}{% for x in xs %}<{% if 1/x %}ok{% end %}>{% end %}\
             {% except ZeroDivisionError %}!{% end %}",
            &[("xs", xs)]
        ),
        "<ok><ok><!"
    );
    let xs = Value::list([1, 2].into_iter().map(Value::Int).collect());
    assert_eq!(
        render(
            "{% for x in xs %}{% if x == 1 %}one{% else %}other{% end %}|{% end %}",
            &[("xs", xs.clone())]
        ),
        "one|other|"
    );
    assert_eq!(
        render(
            "{% for x in xs %}-{% if x == 1 %}a text longer than sixteen bytes{% end %}|{% end %}",
            &[("xs", xs)]
        ),
        "-a text longer than sixteen bytes|-|"
    );
    assert_eq!(
        render("{% if y == 1 %}one{% end %}", &[]),
        "NameError: name 'y' is not defined"
    );
}

#[test]
fn generate_into_appends_and_sizes_the_next_render() {
    let t = Template::new("{% for x in xs %}<{{ x }}>{% end %}").unwrap();
    let mut ns = Namespace::new();
    ns.set("xs", Value::list((0..50).map(Value::Int).collect()));
    let mut out = b"head:".to_vec();
    t.generate_into(&ns, &mut out).unwrap();
    let body: String = (0..50).map(|i| format!("<{i}>")).collect();
    assert_eq!(out, format!("head:{body}").into_bytes());
    // Renders after the first start from the size of the last one; the output is the
    // same whatever the reserved size.
    for _ in 0..3 {
        assert_eq!(t.generate(&ns).unwrap(), body.as_bytes());
    }
    ns.set("xs", Value::list((0..500).map(Value::Int).collect()));
    let long: String = (0..500).map(|i| format!("<{i}>")).collect();
    assert_eq!(t.generate(&ns).unwrap(), long.as_bytes());
}

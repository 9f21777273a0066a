//! Port of Tornado's `tornado/test/options_test.py`, plus the `--help` vectors made with
//! Python Tornado (`tests/gen_help_vectors.py`) and tests of what we add.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use chrono::{NaiveDate, TimeDelta};
use tornado_options::{CustomOption, Error, Opt, OptionParser, Type, Value};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

#[derive(Clone, Debug, PartialEq)]
struct Email(String);

impl std::fmt::Display for Email {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl CustomOption for Email {
    const TYPE_NAME: &'static str = "Email";
    fn parse_option(text: &str) -> Result<Self, String> {
        if text.contains('@') {
            Ok(Email(text.to_owned()))
        } else {
            Err(format!("not an email address: {text}"))
        }
    }
}

#[test]
fn test_parse_command_line() {
    let options = OptionParser::new();
    options.define(Opt::new("port").default(80)).unwrap();
    options
        .parse_command_line(["main.py", "--port=443"], true)
        .unwrap();
    assert_eq!(options.get::<i64>("port").unwrap(), 443);
}

#[test]
fn test_parse_config_file() {
    let options = OptionParser::new();
    options.define(Opt::new("port").default(80)).unwrap();
    options.define(Opt::new("username").default("foo")).unwrap();
    options.define(Opt::new("my_path")).unwrap();
    let config_path = data("options_test.cfg");
    options.parse_config_file(&config_path, true).unwrap();
    assert_eq!(options.get::<i64>("port").unwrap(), 443);
    assert_eq!(options.get::<String>("username").unwrap(), "李康");
    assert_eq!(options.get::<PathBuf>("my_path").unwrap(), config_path);
}

#[test]
fn test_parse_callbacks() {
    let options = OptionParser::new();
    let called = Arc::new(Mutex::new(false));
    let flag = called.clone();
    options.add_parse_callback(move |_| {
        *flag.lock().unwrap() = true;
        Ok(())
    });
    // A non-final parse does not run the callbacks...
    options.parse_command_line(["main.py"], false).unwrap();
    assert!(!*called.lock().unwrap());
    // ...a final one does...
    options.parse_command_line(["main.py"], true).unwrap();
    assert!(*called.lock().unwrap());
    // ...and again on every final parse.
    *called.lock().unwrap() = false;
    options.parse_command_line(["main.py"], true).unwrap();
    assert!(*called.lock().unwrap());
}

#[test]
fn test_help() {
    let options = OptionParser::new();
    let err = options
        .parse_command_line(["main.py", "--help"], true)
        .unwrap_err();
    assert!(err.is_help());
    assert!(err.help_text().unwrap().contains("Usage:"));
    assert!(
        err.help_text()
            .unwrap()
            .starts_with("Usage: main.py [OPTIONS]\n")
    );
    // `--help=false` asks for nothing.
    assert!(
        options
            .parse_command_line(["main.py", "--help=false"], true)
            .is_ok()
    );
}

#[test]
fn test_subcommand() {
    let base_options = OptionParser::new();
    base_options
        .define(Opt::new("verbose").default(false))
        .unwrap();
    let sub_options = OptionParser::new();
    sub_options.define(Opt::new("foo").ty(Type::Str)).unwrap();
    let rest = base_options
        .parse_command_line(["main.py", "--verbose", "subcommand", "--foo=bar"], true)
        .unwrap();
    assert_eq!(rest, ["subcommand", "--foo=bar"]);
    assert!(base_options.get::<bool>("verbose").unwrap());
    let rest2 = sub_options.parse_command_line(&rest, true).unwrap();
    assert!(rest2.is_empty());
    assert_eq!(sub_options.get::<String>("foo").unwrap(), "bar");

    // The two option sets are distinct.
    let err = sub_options
        .parse_command_line(["subcommand", "--verbose"], true)
        .unwrap_err();
    assert!(err.is_unrecognized());
    assert_eq!(
        err.to_string(),
        "Unrecognized command line option: 'verbose'"
    );
}

#[test]
fn test_setattr() {
    let options = OptionParser::new();
    options
        .define(Opt::new("foo").default(1).ty(Type::Int))
        .unwrap();
    options.set("foo", 2).unwrap();
    assert_eq!(options.get::<i64>("foo").unwrap(), 2);
}

#[test]
fn test_setattr_type_check() {
    // set() requires the right type and does not parse strings.
    let options = OptionParser::new();
    options
        .define(Opt::new("foo").default(1).ty(Type::Int))
        .unwrap();
    let err = options.set("foo", "2").unwrap_err();
    assert_eq!(
        err.to_string(),
        "Option 'foo' is required to be a int (str given)"
    );
}

#[test]
fn test_setattr_with_callback() {
    let values = Arc::new(Mutex::new(Vec::new()));
    let sink = values.clone();
    let options = OptionParser::new();
    options
        .define(
            Opt::new("foo")
                .default(1)
                .ty(Type::Int)
                .callback(move |_, v| {
                    sink.lock().unwrap().push(v.clone());
                    Ok(())
                }),
        )
        .unwrap();
    options.set("foo", 2).unwrap();
    assert_eq!(*values.lock().unwrap(), [Value::Int(2)]);
}

fn sample_options() -> OptionParser {
    let options = OptionParser::new();
    options.define(Opt::new("a").default(1)).unwrap();
    options.define(Opt::new("b").default(2)).unwrap();
    options
}

#[test]
fn test_iter() {
    let options = sample_options();
    // Parsers always define `help`.
    assert_eq!(options.names(), ["help", "a", "b"]);
}

#[test]
fn test_getitem() {
    let options = sample_options();
    assert_eq!(options.value("a").unwrap(), Value::Int(1));
}

#[test]
fn test_setitem() {
    let options = OptionParser::new();
    options
        .define(Opt::new("foo").default(1).ty(Type::Int))
        .unwrap();
    options.set("foo", 2).unwrap();
    assert_eq!(options.value("foo").unwrap(), Value::Int(2));
}

#[test]
fn test_items() {
    let options = sample_options();
    let mut items = options.items();
    items.sort_by(|a, b| a.0.cmp(&b.0));
    let help = options.value("help").unwrap();
    assert_eq!(
        items,
        [
            ("a".into(), Value::Int(1)),
            ("b".into(), Value::Int(2)),
            ("help".into(), help)
        ]
    );
}

#[test]
fn test_as_dict() {
    let options = sample_options();
    let dict = options.as_dict();
    assert_eq!(dict.len(), 3);
    assert_eq!(dict["a"], Value::Int(1));
    assert_eq!(dict["b"], Value::Int(2));
    assert_eq!(dict["help"], Value::None);
}

#[test]
fn test_group_dict() {
    let options = OptionParser::new();
    options.define(Opt::new("a").default(1)).unwrap();
    options
        .define(Opt::new("b").group("b_group").default(2))
        .unwrap();

    let this_file = file!();
    let groups: Vec<String> = options.groups().into_iter().collect();
    let mut want = vec!["b_group".to_owned(), String::new(), this_file.to_owned()];
    want.sort();
    assert_eq!(groups, want);

    let b_group = options.group_dict("b_group");
    assert_eq!(
        b_group.into_iter().collect::<Vec<_>>(),
        [("b".into(), Value::Int(2))]
    );
    assert!(options.group_dict("nonexistent").is_empty());
}

#[test]
fn test_mock_patch() {
    let options = OptionParser::new();
    options.define(Opt::new("foo").default(1)).unwrap();
    options
        .parse_command_line(["main.py", "--foo=2"], true)
        .unwrap();
    assert_eq!(options.get::<i64>("foo").unwrap(), 2);

    {
        let mut mock = options.mockable();
        mock.set("foo", 3).unwrap();
        assert_eq!(options.get::<i64>("foo").unwrap(), 3);
    }
    assert_eq!(options.get::<i64>("foo").unwrap(), 2);

    // Nested patches mixed with explicit sets.
    {
        let mut outer = options.mockable();
        outer.set("foo", 4).unwrap();
        assert_eq!(options.get::<i64>("foo").unwrap(), 4);
        options.set("foo", 5).unwrap();
        assert_eq!(options.get::<i64>("foo").unwrap(), 5);
        {
            let mut inner = options.mockable();
            inner.set("foo", 6).unwrap();
            assert_eq!(options.get::<i64>("foo").unwrap(), 6);
        }
        assert_eq!(options.get::<i64>("foo").unwrap(), 5);
    }
    assert_eq!(options.get::<i64>("foo").unwrap(), 2);
}

fn define_options() -> OptionParser {
    let options = OptionParser::new();
    options.define(Opt::new("str").ty(Type::Str)).unwrap();
    options
        .define(Opt::new("basestring").ty(Type::Str))
        .unwrap();
    options.define(Opt::new("int").ty(Type::Int)).unwrap();
    options.define(Opt::new("float").ty(Type::Float)).unwrap();
    options
        .define(Opt::new("datetime").ty(Type::DateTime))
        .unwrap();
    options
        .define(Opt::new("timedelta").ty(Type::TimeDelta))
        .unwrap();
    options.define(Opt::new("email").custom::<Email>()).unwrap();
    options
        .define(Opt::new("list-of-int").ty(Type::Int).multiple(true))
        .unwrap();
    options
        .define(Opt::new("list-of-str").ty(Type::Str).multiple(true))
        .unwrap();
    options
}

fn check_options_values(options: &OptionParser) {
    assert_eq!(options.get::<String>("str").unwrap(), "asdf");
    assert_eq!(options.get::<String>("basestring").unwrap(), "qwer");
    assert_eq!(options.get::<i64>("int").unwrap(), 42);
    assert_eq!(options.get::<f64>("float").unwrap(), 1.5);
    let when = NaiveDate::from_ymd_opt(2013, 4, 28)
        .unwrap()
        .and_hms_opt(5, 16, 0)
        .unwrap();
    assert_eq!(
        options.get::<chrono::NaiveDateTime>("datetime").unwrap(),
        when
    );
    assert_eq!(
        options.get::<TimeDelta>("timedelta").unwrap(),
        TimeDelta::seconds(45)
    );
    assert_eq!(
        options.get::<Email>("email").unwrap(),
        Email("tornado@web.com".into())
    );
    assert_eq!(options.get::<Vec<i64>>("list_of_int").unwrap(), [1, 2, 3]);
    assert_eq!(
        options.get::<Vec<String>>("list_of_str").unwrap(),
        ["a", "b", "c"]
    );
}

#[test]
fn test_types() {
    let options = define_options();
    options
        .parse_command_line(
            [
                "main.py",
                "--str=asdf",
                "--basestring=qwer",
                "--int=42",
                "--float=1.5",
                "--datetime=2013-04-28 05:16",
                "--timedelta=45s",
                "--email=tornado@web.com",
                "--list-of-int=1,2,3",
                "--list-of-str=a,b,c",
            ],
            true,
        )
        .unwrap();
    check_options_values(&options);
}

#[test]
fn test_types_with_conf_file() {
    for name in ["options_test_types.cfg", "options_test_types_str.cfg"] {
        let options = define_options();
        options.parse_config_file(data(name), true).unwrap();
        check_options_values(&options);
    }
}

#[test]
fn test_multiple_string() {
    let options = OptionParser::new();
    options
        .define(Opt::new("foo").ty(Type::Str).multiple(true))
        .unwrap();
    options
        .parse_command_line(["main.py", "--foo=a,b,c"], true)
        .unwrap();
    assert_eq!(options.get::<Vec<String>>("foo").unwrap(), ["a", "b", "c"]);
}

#[test]
fn test_multiple_int() {
    let options = OptionParser::new();
    options
        .define(Opt::new("foo").ty(Type::Int).multiple(true))
        .unwrap();
    options
        .parse_command_line(["main.py", "--foo=1,3,5:7"], true)
        .unwrap();
    assert_eq!(options.get::<Vec<i64>>("foo").unwrap(), [1, 3, 5, 6, 7]);
}

#[test]
fn test_error_redefine() {
    let options = OptionParser::new();
    options.define(Opt::new("foo")).unwrap();
    let first_line = line!() - 1;
    let err = options.define(Opt::new("foo")).unwrap_err();
    let second_line = line!() - 1;
    let msg = err.to_string();
    assert!(msg.starts_with("Option 'foo' already defined in "), "{msg}");
    // Both places are named.
    assert!(msg.contains(&format!("{}:{first_line}", file!())), "{msg}");
    assert!(msg.contains(&format!("{}:{second_line}", file!())), "{msg}");
}

#[test]
fn test_error_redefine_underscore() {
    // The dash/underscore normalisation does not hide a redefinition.
    for (a, b) in [
        ("foo-bar", "foo-bar"),
        ("foo_bar", "foo_bar"),
        ("foo-bar", "foo_bar"),
        ("foo_bar", "foo-bar"),
    ] {
        let options = OptionParser::new();
        options.define(Opt::new(a)).unwrap();
        let msg = options.define(Opt::new(b)).unwrap_err().to_string();
        assert!(
            msg.starts_with("Option 'foo-bar' already defined"),
            "{a} {b}: {msg}"
        );
    }
}

#[test]
fn test_dash_underscore_cli() {
    for defined_name in ["foo-bar", "foo_bar"] {
        for flag in ["--foo-bar=a", "--foo_bar=a"] {
            let options = OptionParser::new();
            options.define(Opt::new(defined_name)).unwrap();
            options.parse_command_line(["main.py", flag], true).unwrap();
            assert_eq!(options.get::<String>("foo_bar").unwrap(), "a");
            assert_eq!(options.get::<String>("foo-bar").unwrap(), "a");
        }
    }
}

#[test]
fn test_dash_underscore_file() {
    // However an option was defined, a config file sets it with underscores.
    for defined_name in ["foo-bar", "foo_bar"] {
        let options = OptionParser::new();
        options.define(Opt::new(defined_name)).unwrap();
        options
            .parse_config_file(data("options_test.cfg"), true)
            .unwrap();
        assert_eq!(options.get::<String>("foo_bar").unwrap(), "a");
    }
}

#[test]
fn test_dash_underscore_introspection() {
    // Introspection keeps the original names.
    let options = OptionParser::new();
    options.define(Opt::new("with-dash").group("g")).unwrap();
    options
        .define(Opt::new("with_underscore").group("g"))
        .unwrap();
    let all = ["help", "with-dash", "with_underscore"];
    let mut names = options.names();
    names.sort();
    assert_eq!(names, all);
    let mut item_names: Vec<String> = options.items().into_iter().map(|(k, _)| k).collect();
    item_names.sort();
    assert_eq!(item_names, all);
    assert_eq!(options.as_dict().keys().collect::<Vec<_>>(), all);
    assert_eq!(
        options.group_dict("g").keys().collect::<Vec<_>>(),
        ["with-dash", "with_underscore"]
    );

    // --help shows command-line names, with dashes.
    let mut buf = Vec::new();
    options.print_help(&mut buf).unwrap();
    let help = String::from_utf8(buf).unwrap();
    assert!(help.contains("--with-dash"));
    assert!(help.contains("--with-underscore"));
}

// ---- The help text, byte for byte against Python Tornado. ----

fn default_from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::None,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::Int(i),
            None => Value::Float(n.as_f64().unwrap()),
        },
        serde_json::Value::String(s) => Value::Str(s.clone()),
        serde_json::Value::Array(items) => {
            Value::List(items.iter().map(default_from_json).collect())
        }
        serde_json::Value::Object(map) => {
            if let Some(s) = map.get("datetime") {
                Value::DateTime(tornado_options::parse_datetime(s.as_str().unwrap()).unwrap())
            } else {
                Value::TimeDelta(TimeDelta::microseconds(
                    map["timedelta_us"].as_i64().unwrap(),
                ))
            }
        }
    }
}

fn type_from_name(name: &str) -> Type {
    match name {
        "str" => Type::Str,
        "int" => Type::Int,
        "float" => Type::Float,
        "bool" => Type::Bool,
        "datetime" => Type::DateTime,
        "timedelta" => Type::TimeDelta,
        other => panic!("unknown type {other}"),
    }
}

/// Defines the options of one vector; an option without a group goes into `""`, the
/// group of `help`, which `define` offers only through the vector's explicit group.
fn define_from_json(options: &OptionParser, d: &serde_json::Value) {
    let s = |k: &str| d.get(k).and_then(|v| v.as_str());
    let mut opt = Opt::new(s("name").unwrap()).default(default_from_json(
        d.get("default").unwrap_or(&serde_json::Value::Null),
    ));
    if let Some(t) = s("type") {
        opt = opt.ty(type_from_name(t));
    }
    if let Some(h) = s("help") {
        opt = opt.help(h);
    }
    if let Some(m) = s("metavar") {
        opt = opt.metavar(m);
    }
    if d.get("multiple").and_then(|v| v.as_bool()) == Some(true) {
        opt = opt.multiple(true);
    }
    match s("group") {
        Some(g) => options.define(opt.group(g)).unwrap(),
        None => tornado_options_test_define_ungrouped(options, opt),
    }
}

/// Tornado's `help` sits in the group `""` (options defined by `options.py` itself), which
/// `define` cannot give (an empty group means "the calling file"); the vectors' options
/// without a group go into a stand-in group that sorts just after it.
fn tornado_options_test_define_ungrouped(options: &OptionParser, opt: Opt) {
    options.define(opt.group("\u{0}ungrouped")).unwrap();
}

#[test]
fn help_vectors_match_python() {
    let text = std::fs::read_to_string(data("help_vectors.json")).unwrap();
    let cases: serde_json::Value = serde_json::from_str(&text).unwrap();
    let cases = cases.as_array().unwrap();
    assert_eq!(cases.len(), 5);
    for case in cases {
        let name = case["name"].as_str().unwrap();
        if name == "logging" {
            continue; // checked in tornado-log's tests, which define those options
        }
        let options = OptionParser::new();
        for d in case["defines"].as_array().unwrap() {
            define_from_json(&options, d);
        }
        // Our stand-in group sorts right after "" (the group of `help`): removing its
        // header puts its options where Python has them.
        let got = options
            .help_text(case["program"].as_str().unwrap())
            .replace("\n\u{0}ungrouped options:\n\n", "");
        assert_eq!(got, case["expected"].as_str().unwrap(), "vector {name}");
    }
}

// ---- Beyond options_test.py ----

#[test]
fn unknown_and_valueless_options() {
    let options = OptionParser::new();
    options.define(Opt::new("port").default(80)).unwrap();
    let err = options
        .parse_command_line(["main.py", "--nope=1"], true)
        .unwrap_err();
    assert_eq!(err.to_string(), "Unrecognized command line option: 'nope'");
    let err = options
        .parse_command_line(["main.py", "--port"], true)
        .unwrap_err();
    assert_eq!(err.to_string(), "Option 'port' requires a value");
    let err = options
        .parse_command_line(["main.py", "--port=x"], true)
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "Option 'port': invalid literal for int() with base 10: 'x'"
    );
    // `--` ends the options; `-x` style single dashes are options too.
    let rest = options
        .parse_command_line(["main.py", "-port=1", "--", "--port=2"], true)
        .unwrap();
    assert_eq!(rest, ["--port=2"]);
    assert_eq!(options.get::<u16>("port").unwrap(), 1);
}

#[test]
fn typed_get_errors() {
    let options = sample_options();
    let err = options.get::<String>("a").unwrap_err();
    assert!(
        err.to_string().contains("Option 'a' holds 1 (a int)"),
        "{err}"
    );
    assert!(
        options
            .get::<i64>("missing")
            .unwrap_err()
            .to_string()
            .contains("Unrecognized option 'missing'")
    );
}

#[test]
fn define_checks_defaults() {
    let options = OptionParser::new();
    assert!(
        options
            .define(Opt::new("x").default("a").ty(Type::Int))
            .is_err()
    );
    assert!(options.define(Opt::new("y").default(vec![1])).is_err());
    options
        .define(Opt::new("z").default(1).ty(Type::Float))
        .unwrap();
    assert_eq!(options.value("z").unwrap(), Value::Float(1.0));
    options
        .define(Opt::new("w").ty(Type::Int).multiple(true))
        .unwrap();
    assert_eq!(options.value("w").unwrap(), Value::List(vec![]));
}

#[test]
fn config_callback_loads_file() {
    // Tornado's `--config` pattern: an option whose callback loads a config file.
    let options = OptionParser::new();
    options.define(Opt::new("port").default(80)).unwrap();
    options
        .define(
            Opt::new("config")
                .ty(Type::Str)
                .callback(|opts, v| match v {
                    Value::Str(path) => opts.parse_config_file(path, false),
                    _ => Ok(()),
                }),
        )
        .unwrap();
    let cfg = data("options_test.cfg");
    options
        .parse_command_line(["main.py", &format!("--config={}", cfg.display())], true)
        .unwrap();
    assert_eq!(options.get::<i64>("port").unwrap(), 443);
    // Later flags override the file.
    options
        .parse_command_line(
            [
                "main.py",
                &format!("--config={}", cfg.display()),
                "--port=1",
            ],
            true,
        )
        .unwrap();
    assert_eq!(options.get::<i64>("port").unwrap(), 1);
}

#[test]
fn callback_errors_stop_the_parse() {
    let options = OptionParser::new();
    options
        .define(
            Opt::new("n")
                .default(1)
                .callback(|_, _| Err(Error::callback("no way"))),
        )
        .unwrap();
    let err = options
        .parse_command_line(["main.py", "--n=2"], true)
        .unwrap_err();
    assert_eq!(err.to_string(), "no way");
    options.add_parse_callback(|_| Err(Error::callback("late")));
    let err = options.parse_command_line(["main.py"], true).unwrap_err();
    assert_eq!(err.to_string(), "late");
}

fn config_error(options: &OptionParser, source: &str) -> Error {
    options
        .parse_config_source(source, Path::new("/etc/app.cfg"), true)
        .unwrap_err()
}

#[test]
fn config_errors_name_path_and_line() {
    let options = define_options();
    let err = config_error(&options, "int = 1\n\nint = 'x'\n");
    assert_eq!(err.line(), Some(3));
    assert_eq!(
        err.to_string(),
        "/etc/app.cfg:3: Option 'int': invalid literal for int() with base 10: 'x'"
    );
    let err = config_error(&options, "str = 1\n");
    assert_eq!(
        err.to_string(),
        "/etc/app.cfg:1: Option 'str' is required to be a str (int given)"
    );
    let err = config_error(&options, "list_of_int = 3\n");
    assert_eq!(
        err.to_string(),
        "/etc/app.cfg:1: Option 'list-of-int' is required to be a list of int or a comma-separated string"
    );
    let err = config_error(&options, "list_of_int = ['1']\n");
    assert_eq!(
        err.to_string(),
        "/etc/app.cfg:1: Option 'list-of-int' is required to be a list of int"
    );
    let err = config_error(&options, "import os\nstr = os.path.join('a', 'b')\n");
    assert_eq!(err.line(), Some(2));
    assert!(
        err.to_string().contains("cannot call os.path.join()"),
        "{err}"
    );
    let err = config_error(&options, "str = b'x'\n");
    assert!(
        err.to_string().contains("bytes values are not supported"),
        "{err}"
    );
    let err = options
        .parse_config_file("/nonexistent/file.cfg", true)
        .unwrap_err();
    assert!(err.is_io());
    assert!(err.to_string().starts_with("/nonexistent/file.cfg: "));
}

#[test]
fn config_not_utf8() {
    let dir = std::env::temp_dir().join(format!("tornado-options-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("bad.cfg");
    std::fs::write(&path, b"a = 1\nb = '\xff'\n").unwrap();
    let err = OptionParser::new()
        .parse_config_file(&path, true)
        .unwrap_err();
    assert_eq!(err.line(), Some(2));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn config_values_and_python_forms() {
    let options = OptionParser::new();
    options.define(Opt::new("size").default(1)).unwrap();
    options
        .define(Opt::new("hosts").ty(Type::Str).multiple(true))
        .unwrap();
    options.define(Opt::new("ratio").default(0.5)).unwrap();
    options.define(Opt::new("name").default("x")).unwrap();
    options.define(Opt::new("flag").default(false)).unwrap();
    options.define(Opt::new("nothing").default("y")).unwrap();
    let source = "\
# A Tornado config file.
import os
size = 100 * 1000 * 1000
hosts = ('a:1',
         'b:2',)  # a tuple counts as a list
ratio = 2
name = u'''multi
line'''
flag = True; nothing = None
unrelated = {}.get if False else 0
";
    // Python would run that last line; we refuse it, naming the line.
    let err = options
        .parse_config_source(source, Path::new("app.cfg"), true)
        .unwrap_err();
    assert_eq!(err.line(), Some(10));
    let source = source.replace(
        "unrelated = {}.get if False else 0\n",
        "unrelated = [1, 2]\n",
    );
    options
        .parse_config_source(&source, Path::new("app.cfg"), true)
        .unwrap();
    assert_eq!(options.get::<i64>("size").unwrap(), 100_000_000);
    assert_eq!(options.get::<Vec<String>>("hosts").unwrap(), ["a:1", "b:2"]);
    assert_eq!(options.get::<f64>("ratio").unwrap(), 2.0);
    assert_eq!(options.get::<String>("name").unwrap(), "multi\nline");
    assert!(options.get::<bool>("flag").unwrap());
    assert_eq!(options.value("nothing").unwrap(), Value::None);
}

#[test]
fn config_help_is_reported() {
    let options = OptionParser::new();
    let err = options
        .parse_config_source("help = True\n", Path::new("x.cfg"), true)
        .unwrap_err();
    assert!(err.is_help());
}

#[test]
fn environment_source() {
    let options = OptionParser::new();
    options.define(Opt::new("port").default(80)).unwrap();
    options
        .define(Opt::new("log-file_prefix").ty(Type::Str))
        .unwrap();
    options.define(Opt::new("debug").default(false)).unwrap();
    let vars = [
        ("APP_PORT".to_owned(), "8080".to_owned()),
        ("APP_LOG_FILE_PREFIX".to_owned(), "/var/log/app".to_owned()),
        ("APP_DEBUG".to_owned(), "1".to_owned()),
        ("OTHER_PORT".to_owned(), "1".to_owned()),
    ];
    options.parse_environment_from(vars, "APP_", true).unwrap();
    assert_eq!(options.get::<i64>("port").unwrap(), 8080);
    assert_eq!(
        options.get::<String>("log_file_prefix").unwrap(),
        "/var/log/app"
    );
    assert!(options.get::<bool>("debug").unwrap());
    let err = options
        .parse_environment_from([("APP_PORT".to_owned(), "x".to_owned())], "APP_", true)
        .unwrap_err();
    assert!(
        err.to_string()
            .starts_with("environment variable APP_PORT: Option 'port'"),
        "{err}"
    );
}

#[test]
fn global_options_from_threads() {
    tornado_options::define(Opt::new("threaded_test_value").default(0)).unwrap();
    let handles: Vec<_> = (0..4)
        .map(|i| {
            std::thread::spawn(move || {
                let opts = tornado_options::options();
                opts.set("threaded_test_value", i).unwrap();
                opts.get::<i64>("threaded-test-value").unwrap()
            })
        })
        .collect();
    for h in handles {
        assert!((0..4).contains(&h.join().unwrap()));
    }
    // The global group is this file.
    assert!(tornado_options::options().groups().contains(file!()));
}

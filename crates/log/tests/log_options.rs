//! Port of `LoggingOptionTest` of Tornado's `tornado/test/log_test.py`: whether parsing the
//! options turns logging on, checked in child processes (the `log` logger can be set once
//! per process). This binary has no libtest harness: run without `TORNADO_LOG_CHILD` it
//! runs each case by starting itself with `TORNADO_LOG_CHILD=<case>`, and reports.

use std::process::Command;

const CHILD: &str = "TORNADO_LOG_CHILD";
const ARGS: &str = "TORNADO_LOG_CHILD_ARGS";

/// What a child does before logging "hello" at INFO (the Python test's `statement`).
fn child(case: &str) {
    let mut argv = vec!["main".to_owned()];
    argv.extend(
        std::env::var(ARGS)
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_owned),
    );
    let options = tornado_log::options();
    match case {
        "pass" => {}
        "parse" => {}
        "code_none" => options.set("logging", None::<String>).unwrap(),
        "code_string" => options.set("logging", "none").unwrap(),
        "stderr_and_file" => {}
        other => panic!("unknown case {other}"),
    }
    if case != "pass" {
        options.parse_command_line(&argv, true).unwrap();
    }
    log::info!(target: tornado_log::GEN_LOG, "hello");
    log::debug!("debug line");
    log::warn!("two\nlines");
}

struct Output {
    stderr: String,
}

fn run(case: &str, args: &str) -> Output {
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(exe)
        .env(CHILD, case)
        .env(ARGS, args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "child {case} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Output {
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn logs_present(case: &str, args: &str) -> bool {
    run(case, args).stderr.contains("hello")
}

fn test_default() {
    // Without a parse nothing is installed, and `log` drops the records.
    assert!(!logs_present("pass", ""));
}

fn test_tornado_default() {
    let out = run("parse", "");
    assert!(out.stderr.contains("hello"));
    // The layout, uncoloured since stderr is a pipe; the level is info.
    let line = out.stderr.lines().find(|l| l.contains("hello")).unwrap();
    assert!(
        line.starts_with("[I ") && line.contains(" log_options:") && line.ends_with("] hello"),
        "{line:?}"
    );
    assert!(!out.stderr.contains('\u{1b}'));
    assert!(!out.stderr.contains("debug line"));
    assert!(
        out.stderr.contains("] two\n    lines\n"),
        "{:?}",
        out.stderr
    );
}

fn test_disable_command_line() {
    assert!(!logs_present("parse", "--logging=none"));
}

fn test_disable_command_line_case_insensitive() {
    assert!(!logs_present("parse", "--logging=None"));
}

fn test_disable_code_string() {
    assert!(!logs_present("code_string", ""));
}

fn test_disable_code_none() {
    assert!(!logs_present("code_none", ""));
}

fn test_disable_override() {
    // The command line beats defaults set in code.
    assert!(logs_present("code_none", "--logging=info"));
}

fn test_debug_level() {
    assert!(
        run("parse", "--logging=debug")
            .stderr
            .contains("debug line")
    );
}

fn test_file_and_stderr() {
    let dir = std::env::temp_dir().join(format!("tornado-log-options-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let prefix = dir.join("app.log");
    // With a file and log_to_stderr unset, stderr stays quiet...
    let out = run(
        "stderr_and_file",
        &format!("--log_file_prefix={}", prefix.display()),
    );
    assert!(!out.stderr.contains("hello"));
    assert!(
        std::fs::read_to_string(&prefix)
            .unwrap()
            .contains("] hello\n")
    );
    // ...unless asked for.
    let out = run(
        "stderr_and_file",
        &format!("--log_file_prefix={} --log-to-stderr", prefix.display()),
    );
    assert!(out.stderr.contains("hello"));
    assert_eq!(
        std::fs::read_to_string(&prefix)
            .unwrap()
            .matches("] hello\n")
            .count(),
        2
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

fn main() {
    if let Ok(case) = std::env::var(CHILD) {
        child(&case);
        return;
    }
    let tests: [(&str, fn()); 9] = [
        ("test_default", test_default),
        ("test_tornado_default", test_tornado_default),
        ("test_disable_command_line", test_disable_command_line),
        (
            "test_disable_command_line_case_insensitive",
            test_disable_command_line_case_insensitive,
        ),
        ("test_disable_code_string", test_disable_code_string),
        ("test_disable_code_none", test_disable_code_none),
        ("test_disable_override", test_disable_override),
        ("test_debug_level", test_debug_level),
        ("test_file_and_stderr", test_file_and_stderr),
    ];
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let mut passed = 0;
    let mut failed = 0;
    for (name, test) in tests {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        match std::panic::catch_unwind(test) {
            Ok(()) => {
                println!("test {name} ... ok");
                passed += 1;
            }
            Err(_) => {
                println!("test {name} ... FAILED");
                failed += 1;
            }
        }
    }
    let status = if failed == 0 { "ok" } else { "FAILED" };
    println!(
        "\ntest result: {status}. {passed} passed; {failed} failed; 0 ignored; 0 measured; 0 filtered out\n"
    );
    if failed > 0 {
        std::process::exit(101);
    }
}

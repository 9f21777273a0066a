//! Hostile inputs take time linear in their size.
//!
//! Each test times the same parser on an input of size `n` and of size `10 n` (the
//! best of several runs of each, interleaved) and requires the larger to take less
//! than 30 times as long: a linear parser takes about 10 times as long, a quadratic
//! one about 100 times. The ratio, not a wall-clock limit, is what is checked, and
//! the time is the thread's CPU time: on a loaded machine a long run is preempted more
//! often than a short one, which would skew a wall-clock ratio.

use std::hint::black_box;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use bytes::Bytes;
use tornado_httputil::{
    Arguments, Files, HTTPHeaders, ParseMultipartConfig, parse_cookie, parse_header_params,
    parse_multipart_form_data_with_config, url_concat,
};

/// The CPU time the current thread spends in `f`; wall-clock time where the
/// thread clock is unavailable.
fn time(f: &mut impl FnMut()) -> Duration {
    match cpu_time::ThreadTime::try_now() {
        Ok(start) => {
            f();
            start.try_elapsed().unwrap_or_default()
        }
        Err(_) => {
            let start = Instant::now();
            f();
            start.elapsed()
        }
    }
}

/// The best time of `runs` runs of `f`.
fn best_of(runs: usize, mut f: impl FnMut()) -> Duration {
    (0..runs).map(|_| time(&mut f)).min().unwrap_or_default()
}

/// One timing at a time: the tests of this file would otherwise share the cores.
static TIMING: Mutex<()> = Mutex::new(());

/// Asserts that `run(make(10 n))` takes less than 30 times `run(make(n))`.
fn assert_linear<T>(what: &str, n: usize, make: impl Fn(usize) -> T, run: impl Fn(&T)) {
    let _one_at_a_time = TIMING.lock().unwrap_or_else(|e| e.into_inner());
    let small = make(n);
    let big = make(10 * n);
    run(&small); // warm up
    // A burst of load elsewhere can spoil one measurement; a quadratic parser fails
    // every attempt.
    let mut report = String::new();
    for _attempt in 0..3 {
        let (mut t_small, mut t_big) = (Duration::MAX, Duration::MAX);
        for _ in 0..3 {
            t_small = t_small.min(best_of(3, || run(&small)));
            t_big = t_big.min(best_of(2, || run(&big)));
        }
        let ratio = t_big.as_secs_f64() / t_small.as_secs_f64().max(1e-9);
        println!("{what}: ratio {ratio:.1}");
        if ratio < 30.0 {
            return;
        }
        report = format!(
            "{what}: {n} -> {t_small:?}, {} -> {t_big:?} (ratio {ratio:.1}, linear is ~10)",
            10 * n
        );
    }
    panic!("{report}");
}

#[test]
fn cookie_with_many_backslashes() {
    for escape in ["\\\\", "\\134", "\\"] {
        assert_linear(
            "cookie backslashes",
            10_000,
            |n| format!("a=\"b={}\"", escape.repeat(n)),
            |s| {
                black_box(parse_cookie(s));
            },
        );
    }
}

#[test]
fn cookie_with_many_pieces() {
    assert_linear(
        "cookie pieces",
        5_000,
        |n| {
            (0..n)
                .map(|i| format!("c{}={i}; ", i % 977))
                .collect::<String>()
        },
        |s| {
            black_box(parse_cookie(s));
        },
    );
}

#[test]
fn disposition_with_many_semicolons_in_quotes() {
    // CVE-2025-67726: Tornado re-counted the quotes before every `;`.
    for filler in [";", "\";", "\\\";", ";\""] {
        assert_linear(
            "parse_header_params",
            2_000,
            |n| format!("form-data; name=\"{}\"; filename=\"a\"", filler.repeat(n)),
            |s| {
                black_box(parse_header_params(s).unwrap());
            },
        );
    }
}

#[test]
fn multipart_part_with_hostile_disposition() {
    let config = ParseMultipartConfig {
        max_part_header_size: usize::MAX,
        ..ParseMultipartConfig::DEFAULT
    };
    assert_linear(
        "multipart disposition",
        2_000,
        |n| {
            Bytes::from(format!(
                "--b\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\nx\r\n--b--",
                ";".repeat(n)
            ))
        },
        |data| {
            let (mut args, mut files) = (Arguments::new(), Files::new());
            parse_multipart_form_data_with_config(b"b", data, &mut args, &mut files, &config)
                .unwrap();
            black_box(args);
        },
    );
}

#[test]
fn multipart_hostile_boundary() {
    // A boundary that almost matches everywhere: a naive search is O(body × boundary).
    assert_linear(
        "multipart boundary search",
        20_000,
        |n| (vec![b'a'; n / 10], Bytes::from(vec![b'a'; n])),
        |(boundary, data)| {
            let mut boundary = boundary.clone();
            boundary.push(b'b');
            let (mut args, mut files) = (Arguments::new(), Files::new());
            let config = ParseMultipartConfig::DEFAULT;
            let r = parse_multipart_form_data_with_config(
                &boundary, data, &mut args, &mut files, &config,
            );
            assert!(r.is_err());
        },
    );
}

#[test]
fn multipart_many_parts() {
    let config = ParseMultipartConfig {
        max_parts: usize::MAX,
        ..ParseMultipartConfig::DEFAULT
    };
    assert_linear(
        "multipart parts",
        500,
        |n| {
            let mut body = String::new();
            for i in 0..n {
                body.push_str(&format!(
                    "--b\r\nContent-Disposition: form-data; name=\"f{}\"\r\n\r\n{i}\r\n",
                    i % 50
                ));
            }
            body.push_str("--b--");
            Bytes::from(body)
        },
        |data| {
            let (mut args, mut files) = (Arguments::new(), Files::new());
            parse_multipart_form_data_with_config(b"b", data, &mut args, &mut files, &config)
                .unwrap();
            black_box(args);
        },
    );
}

#[test]
fn repeated_header_lines() {
    // CVE-2025-67725: Tornado joined the values again on every repeated line.
    assert_linear(
        "repeated headers",
        2_000,
        |n| "X-Repeated: some value\r\n".repeat(n).into_bytes(),
        |block| {
            let h = HTTPHeaders::parse_bytes(block).unwrap();
            black_box(h.get("X-Repeated").map(str::len));
            black_box(h.get("x-repeated").map(str::len));
        },
    );
}

#[test]
fn many_distinct_header_names() {
    assert_linear(
        "distinct headers",
        1_000,
        |n| {
            (0..n)
                .map(|i| format!("X-Header-{i}: {i}\r\n"))
                .collect::<String>()
                .into_bytes()
        },
        |block| {
            let h = HTTPHeaders::parse_bytes(block).unwrap();
            black_box(h.get("X-Header-7"));
        },
    );
}

#[test]
fn long_folded_header() {
    assert_linear(
        "continuation lines",
        2_000,
        |n| format!("A: x\r\n{}", " more\r\n".repeat(n)).into_bytes(),
        |block| {
            black_box(HTTPHeaders::parse_bytes(block).unwrap());
        },
    );
}

#[test]
fn headers_set_and_remove_churn() {
    assert_linear(
        "set/remove churn",
        2_000,
        |n| n,
        |&n| {
            let mut h = HTTPHeaders::new();
            for i in 0..n {
                h.set("X-A", &i.to_string()).unwrap();
                h.add("X-B", "v").unwrap();
                if i.is_multiple_of(7) {
                    h.remove("X-B");
                }
            }
            black_box(h.len());
        },
    );
}

#[test]
fn url_concat_long_query() {
    assert_linear(
        "url_concat",
        2_000,
        |n| format!("/p?{}", "a=1&b=%41+c&".repeat(n)),
        |url| {
            black_box(url_concat(url, [("x", "y")]).unwrap());
        },
    );
}

//! Benchmarks of `xhtml_escape`, the function the template engine calls for every
//! `{{ expression }}`, on text with nothing to escape and on text full of specials.
//!
//! `cargo bench -p tornado-escape --bench escape`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tornado_escape::{xhtml_escape, xhtml_escape_bytes_into, xhtml_unescape};

fn inputs() -> Vec<(&'static str, String)> {
    let clean = "The quick brown fox jumps over the lazy dog, again and again. ".repeat(16);
    let dirty = "<a href=\"x\">Tom & 'Jerry'</a> ".repeat(32);
    vec![
        ("short clean", "Hello, world".to_string()),
        ("short dirty", "<b>&</b>".to_string()),
        ("1k clean", clean),
        ("1k dirty", dirty),
    ]
}

fn bench_escape(c: &mut Criterion) {
    let mut group = c.benchmark_group("xhtml_escape");
    for (name, text) in inputs() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(name, |b| b.iter(|| xhtml_escape(black_box(&text)).len()));
    }
    group.finish();

    let mut group = c.benchmark_group("xhtml_escape_bytes_into");
    for (name, text) in inputs() {
        group.throughput(Throughput::Bytes(text.len() as u64));
        let mut out = Vec::with_capacity(4 * text.len());
        group.bench_function(name, |b| {
            b.iter(|| {
                out.clear();
                xhtml_escape_bytes_into(black_box(text.as_bytes()), &mut out);
                out.len()
            })
        });
    }
    group.finish();

    let mut group = c.benchmark_group("xhtml_unescape");
    for (name, text) in inputs() {
        let escaped = xhtml_escape(&text).into_owned();
        group.throughput(Throughput::Bytes(escaped.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| xhtml_unescape(black_box(&escaped)).len())
        });
    }
    group.finish();
}

criterion_group!(benches, bench_escape);
criterion_main!(benches);

//! Benchmarks of the IOLoop (filled in below).

fn main() {}

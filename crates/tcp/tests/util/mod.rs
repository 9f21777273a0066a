//! Helpers shared by the integration tests of tornado-tcp.

#![allow(dead_code)]

use std::future::Future;
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Output};
use std::rc::Rc;
use std::sync::{Mutex, Once, PoisonError};
use std::thread::ThreadId;
use std::time::Duration;

use socket2::{Domain, SockAddr, Socket, Type};
use tornado_ioloop::IOLoop;
use tornado_tcp::netutil::{AddressFamily, ResolveFuture, Resolver};

/// Every test's upper bound: a test that would hang fails after this instead.
pub const LIMIT: Duration = Duration::from_secs(10);

/// Runs `future` on a new `IOLoop::new()` (the backend CI picks with `TORNADO_POLLER`),
/// bounded by [`LIMIT`], then closes the loop.
pub fn run<F: Future + 'static>(future: F) -> F::Output {
    install_logger();
    let io_loop = IOLoop::new().expect("create the IOLoop");
    let output = io_loop
        .run_sync(future, Some(LIMIT))
        .expect("the future finishes within the limit");
    io_loop.close(false).unwrap();
    output
}

// ----- IPv6 -----

/// This machine has the IPv6 loopback address (`::1` on `lo` in `/proc/net/if_inet6`).
pub fn ipv6_configured() -> bool {
    std::fs::read_to_string("/proc/net/if_inet6")
        .map(|text| {
            text.lines()
                .any(|l| l.starts_with("00000000000000000000000000000001"))
        })
        .unwrap_or(false)
}

/// Judges a failure to use `::1`: a test failure when the machine has IPv6, else it must
/// be the error of a machine without IPv6. Returns normally only in the second case, so
/// the caller then stops (having checked that much).
pub fn expect_no_ipv6(err: &dyn std::fmt::Display, kind: Option<i32>) {
    assert!(
        !ipv6_configured(),
        "this machine has ::1 (see /proc/net/if_inet6) but it cannot be used: {err}"
    );
    assert!(
        matches!(kind, Some(libc::EADDRNOTAVAIL | libc::EAFNOSUPPORT)),
        "without IPv6, ::1 should fail with EADDRNOTAVAIL or EAFNOSUPPORT, not: {err}"
    );
    eprintln!("no IPv6 on this machine: checked that ::1 fails with {err}");
}

// ----- addresses that never answer -----

/// A listener whose accept queue is full, so that a connection to it is never answered
/// (the kernel drops the SYNs): "an address that never answers", on loopback.
pub struct BlackHole {
    _listener: Socket,
    _filler: Vec<Socket>,
    pub address: SocketAddr,
}

pub fn black_hole(ip: &str) -> BlackHole {
    let address: SocketAddr = format!("{}:0", bracket(ip)).parse().unwrap();
    let listener = Socket::new(Domain::for_address(address), Type::STREAM, None).unwrap();
    listener.bind(&SockAddr::from(address)).unwrap();
    listener.listen(0).unwrap();
    let address = listener.local_addr().unwrap().as_socket().unwrap();
    // A backlog of 0 admits one connection; fill it.
    let filler = Socket::new(Domain::for_address(address), Type::STREAM, None).unwrap();
    filler
        .connect_timeout(&SockAddr::from(address), Duration::from_secs(5))
        .unwrap();
    BlackHole {
        _listener: listener,
        _filler: vec![filler],
        address,
    }
}

fn bracket(ip: &str) -> String {
    if ip.contains(':') {
        format!("[{ip}]")
    } else {
        ip.to_owned()
    }
}

/// A port on `ip` where nobody listens (bound, then closed).
pub fn refusing_port(ip: &str) -> SocketAddr {
    let listener = std::net::TcpListener::bind(format!("{}:0", bracket(ip))).unwrap();
    listener.local_addr().unwrap()
}

/// Connects a plain blocking client.
pub fn connect(address: SocketAddr) -> TcpStream {
    TcpStream::connect_timeout(&address, LIMIT).expect("connect")
}

// ----- resolvers for tests -----

/// Answers every name with fixed addresses (with the port asked for when theirs is 0),
/// filtered by family.
#[derive(Debug)]
pub struct FixedResolver(pub Vec<SocketAddr>);

impl Resolver for FixedResolver {
    fn resolve(&self, _host: &str, port: u16, family: AddressFamily) -> ResolveFuture {
        let found: Vec<SocketAddr> = self
            .0
            .iter()
            .filter(|a| family.admits(a))
            .map(|a| {
                let mut a = *a;
                if a.port() == 0 {
                    a.set_port(port);
                }
                a
            })
            .collect();
        Box::pin(std::future::ready(Ok(found)))
    }
}

pub fn fixed(addresses: &[&str]) -> Rc<dyn Resolver> {
    Rc::new(FixedResolver(
        addresses.iter().map(|a| a.parse().unwrap()).collect(),
    ))
}

/// Never answers (Tornado's `TimeoutResolver`).
#[derive(Debug)]
pub struct NeverResolver;

impl Resolver for NeverResolver {
    fn resolve(&self, _host: &str, _port: u16, _family: AddressFamily) -> ResolveFuture {
        Box::pin(std::future::pending())
    }
}

// ----- logs -----

/// A log record seen by the test logger.
#[derive(Clone, Debug)]
pub struct Record {
    pub thread: ThreadId,
    pub target: String,
    pub level: log::Level,
    pub message: String,
}

static RECORDS: Mutex<Vec<Record>> = Mutex::new(Vec::new());

struct TestLogger;

impl log::Log for TestLogger {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        if record.target().starts_with("tornado") {
            RECORDS
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(Record {
                    thread: std::thread::current().id(),
                    target: record.target().to_owned(),
                    level: record.level(),
                    message: record.args().to_string(),
                });
        }
    }
    fn flush(&self) {}
}

/// Installs the logger that [`logs`] reads (once per process).
pub fn install_logger() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = log::set_logger(&TestLogger);
        log::set_max_level(log::LevelFilter::Debug);
    });
}

/// The records logged so far by this thread (tests run their loop on their own thread).
pub fn logs() -> Vec<Record> {
    let me = std::thread::current().id();
    RECORDS
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .filter(|r| r.thread == me)
        .cloned()
        .collect()
}

/// This thread's records at `level` or worse whose message contains `needle`.
pub fn logged(level: log::Level, needle: &str) -> Vec<Record> {
    logs()
        .into_iter()
        .filter(|r| r.level <= level && r.message.contains(needle))
        .collect()
}

// ----- child processes -----

/// The variable that tells a test binary it runs as a child of one of its own tests.
pub const CHILD_VAR: &str = "TORNADO_TCP_TEST_CHILD";

/// This process is the child that runs `test` for its parent.
pub fn is_child(test: &str) -> bool {
    std::env::var(CHILD_VAR).is_ok_and(|v| v == test)
}

/// Re-runs this test binary, exactly test `test`, through `sh -c script` (the script
/// ends with `exec "$0" "$@"`, with whatever it does first), with `env` set; returns its
/// output after checking that the child's test passed.
pub fn run_child(test: &str, script: &str, env: &[(&str, String)]) -> Output {
    let exe = std::env::current_exe().unwrap();
    let mut command = Command::new("sh");
    command
        .arg("-c")
        .arg(script)
        .arg(exe)
        .args([test, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_VAR, test);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().expect("run the child test");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "child {test} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    output
}

/// Reads the CPU time this process has used (user + system) from `/proc/self/stat`,
/// through a file opened once, so that reading needs no new descriptor.
pub struct CpuClock(std::fs::File);

impl CpuClock {
    pub fn open() -> CpuClock {
        CpuClock(std::fs::File::open("/proc/self/stat").expect("open /proc/self/stat"))
    }

    pub fn now(&mut self) -> Duration {
        use std::io::{Read, Seek};
        self.0.rewind().unwrap();
        let mut stat = String::new();
        self.0.read_to_string(&mut stat).unwrap();
        // Fields after the command name (which may hold spaces) start after the last ')'.
        let rest = stat.rsplit_once(')').expect("malformed /proc/self/stat").1;
        let fields: Vec<u64> = rest
            .split_whitespace()
            .skip(1)
            .map(|f| f.parse().unwrap_or(0))
            .collect();
        // utime and stime are fields 14 and 15 of the line: 10 and 11 after the state.
        let ticks = fields[10] + fields[11];
        // USER_HZ is 100 on Linux.
        Duration::from_millis(ticks * 10)
    }
}

// ----- TLS fixtures -----

/// A file of `tests/data`.
pub fn data(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Server options with the test certificate (for localhost, foo.example.com, 127.0.0.1).
#[cfg(feature = "tls")]
pub fn server_ssl() -> tornado_tcp::netutil::SslOptions {
    tornado_tcp::netutil::SslOptions::server(data("server.crt"), data("server.key"))
}

/// Client options trusting the test CA.
#[cfg(feature = "tls")]
pub fn client_ssl() -> tornado_tcp::netutil::SslOptions {
    tornado_tcp::netutil::SslOptions {
        ca_certs: Some(data("ca.crt")),
        ..Default::default()
    }
}

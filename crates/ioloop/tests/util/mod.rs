//! Helpers shared by the integration tests of tornado-ioloop.

#![allow(dead_code)]

use std::future::Future;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use tornado_ioloop::{IOLoop, PollerKind};

/// Every test's upper bound: a test that would hang fails after this instead.
pub const LIMIT: Duration = Duration::from_secs(10);

/// Tests that open descriptors by the thousand run alone: the tests of the same binary
/// run on parallel threads of one process, and a select loop created meanwhile would
/// get descriptors above `FD_SETSIZE` and refuse them.
static DESCRIPTORS: RwLock<()> = RwLock::new(());

/// What [`descriptors`] holds for the length of a test.
#[derive(Debug)]
pub enum DescriptorGuard {
    /// An ordinary test: any number run together.
    Shared(RwLockReadGuard<'static, ()>),
    /// A test that opens thousands of descriptors: it runs alone.
    Alone(RwLockWriteGuard<'static, ()>),
}

/// The guard the test `name` holds while it runs.
pub fn descriptors(name: &str) -> DescriptorGuard {
    if name.contains("thousand") {
        DescriptorGuard::Alone(DESCRIPTORS.write().unwrap_or_else(PoisonError::into_inner))
    } else {
        DescriptorGuard::Shared(DESCRIPTORS.read().unwrap_or_else(PoisonError::into_inner))
    }
}

/// A loop on the given backend.
pub fn new_loop(kind: PollerKind) -> IOLoop {
    IOLoop::with_poller(kind).expect("create the IOLoop")
}

/// Runs `future` to completion on `io_loop`, bounded by [`LIMIT`].
pub fn run<F: Future + 'static>(io_loop: &IOLoop, future: F) -> F::Output {
    io_loop
        .run_sync(future, Some(LIMIT))
        .expect("the future finishes within the limit")
}

/// A connected pair of non-blocking Unix stream sockets.
pub fn socketpair() -> (UnixStream, UnixStream) {
    let (a, b) = UnixStream::pair().expect("socketpair");
    a.set_nonblocking(true).unwrap();
    b.set_nonblocking(true).unwrap();
    (a, b)
}

/// Raises the soft limit on open descriptors to the hard limit; returns the new limit.
pub fn raise_fd_limit() -> u64 {
    tornado_ioloop::raise_fd_limit().expect("raise the descriptor limit")
}

/// The descriptor is open.
pub fn is_open(fd: &impl AsRawFd) -> bool {
    is_open_raw(fd.as_raw_fd())
}

/// The raw descriptor is open.
pub fn is_open_raw(fd: i32) -> bool {
    // SAFETY: F_GETFD only reads a descriptor's flags; EBADF for a closed one.
    unsafe { libc::fcntl(fd, libc::F_GETFD) != -1 }
}

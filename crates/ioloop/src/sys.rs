//! Thin wrappers over the few system calls the reactor makes, in mio's manner: `-1` becomes
//! `io::Error::last_os_error()`, descriptors are `OwnedFd`s, everything is `CLOEXEC`.

use std::io;
use std::os::fd::{FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// Calls a libc function and turns a `-1` result into the thread's last OS error.
macro_rules! syscall {
    ($fn: ident ( $($arg: expr),* $(,)* ) ) => {{
        // SAFETY: every use passes arguments that are valid for the named call (each
        // call site says why); the return value is checked for the error sentinel here.
        let res = unsafe { libc::$fn($($arg, )*) };
        if res == -1 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(res)
        }
    }};
}
pub(crate) use syscall;

/// A timeout in whole milliseconds for epoll_wait(2) and poll(2): `-1` for none, and
/// rounded *up*, so that a timer due in 0.4 ms does not make the loop spin until it is due.
pub(crate) fn timeout_millis(timeout: Option<Duration>) -> libc::c_int {
    match timeout {
        None => -1,
        Some(t) => {
            let ms = t.as_nanos().div_ceil(1_000_000);
            ms.min(libc::c_int::MAX as u128) as libc::c_int
        }
    }
}

/// An eventfd(2): the cheapest way to wake a thread sleeping in a poller.
pub(crate) fn eventfd() -> io::Result<OwnedFd> {
    // eventfd takes an initial count and flags; no pointers are involved.
    let fd = syscall!(eventfd(0, libc::EFD_CLOEXEC | libc::EFD_NONBLOCK))?;
    // SAFETY: eventfd returned a new descriptor that nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// Adds one to an eventfd's counter, waking whoever polls it. A full counter (EAGAIN) means a
/// wake-up is already pending, which is all we want.
pub(crate) fn eventfd_write(fd: RawFd) -> io::Result<()> {
    let one: u64 = 1;
    // SAFETY: writes 8 bytes from a live local u64, as eventfd requires.
    let res = unsafe { libc::write(fd, (&one as *const u64).cast(), 8) };
    if res == -1 {
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::WouldBlock {
            return Err(err);
        }
    }
    Ok(())
}

/// Resets an eventfd's counter to zero.
pub(crate) fn eventfd_drain(fd: RawFd) {
    let mut count: u64 = 0;
    // SAFETY: reads at most 8 bytes into a live local u64. EAGAIN (already zero) is fine.
    unsafe { libc::read(fd, (&mut count as *mut u64).cast(), 8) };
}

/// The descriptor's `fstat` succeeds: it is open.
pub(crate) fn fd_is_open(fd: RawFd) -> bool {
    // SAFETY: F_GETFD only reads the descriptor's flags; an invalid fd gives EBADF.
    unsafe { libc::fcntl(fd, libc::F_GETFD) != -1 }
}

/// Closes a raw descriptor the caller owns (`IOLoop::close(all_fds)`).
pub(crate) fn close_fd(fd: RawFd) {
    // SAFETY: the caller hands over a descriptor it owns and will not use again.
    unsafe { libc::close(fd) };
}

/// Raises this process's soft limit on open descriptors (`RLIMIT_NOFILE`) to its hard
/// limit, and returns the new soft limit.
///
/// A server that holds thousands of connections needs more than the usual default of 1024
/// descriptors; this is what `ulimit -n` would do from the shell, limited to what the hard
/// limit allows without privileges.
pub fn raise_fd_limit() -> std::io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // getrlimit writes into the struct we pass.
    syscall!(getrlimit(libc::RLIMIT_NOFILE, &mut limit))?;
    if limit.rlim_cur < limit.rlim_max {
        let raised = libc::rlimit {
            rlim_cur: limit.rlim_max,
            rlim_max: limit.rlim_max,
        };
        // setrlimit reads the struct we pass.
        syscall!(setrlimit(libc::RLIMIT_NOFILE, &raised))?;
        limit = raised;
    }
    Ok(limit.rlim_cur)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::fd::AsRawFd;

    #[test]
    fn timeouts_round_up_to_the_next_millisecond() {
        assert_eq!(timeout_millis(None), -1);
        assert_eq!(timeout_millis(Some(Duration::ZERO)), 0);
        assert_eq!(timeout_millis(Some(Duration::from_micros(1))), 1);
        assert_eq!(timeout_millis(Some(Duration::from_micros(1000))), 1);
        assert_eq!(timeout_millis(Some(Duration::from_micros(1001))), 2);
        assert_eq!(
            timeout_millis(Some(Duration::from_secs(u64::MAX))),
            libc::c_int::MAX
        );
    }

    #[test]
    fn fd_limit_can_be_raised_to_the_hard_limit() {
        let raised = raise_fd_limit().unwrap();
        assert!(raised >= 1024);
        assert_eq!(raise_fd_limit().unwrap(), raised, "idempotent");
    }

    #[test]
    fn eventfd_counts_and_drains() {
        let fd = eventfd().unwrap();
        eventfd_write(fd.as_raw_fd()).unwrap();
        eventfd_write(fd.as_raw_fd()).unwrap();
        eventfd_drain(fd.as_raw_fd());
        let mut count = 0u64;
        // SAFETY: reads 8 bytes into a live u64 from an eventfd we own.
        let res = unsafe { libc::read(fd.as_raw_fd(), (&mut count as *mut u64).cast(), 8) };
        assert_eq!(res, -1, "the counter was drained");
        assert!(fd_is_open(fd.as_raw_fd()));
    }
}

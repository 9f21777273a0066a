//! The select(2) backend, level-triggered.
//!
//! select takes bit sets indexed by descriptor number, copied in and out of the kernel on
//! every call, and scanned up to the highest descriptor: the cost of a `wait` grows with
//! the highest descriptor number. The sets hold `FD_SETSIZE` (1024) bits, so a descriptor
//! at or above it is refused with an error: writing past the end of an `fd_set` would be
//! memory corruption.
//!
//! A watched descriptor closed behind the poller's back makes select(2) fail with `EBADF`;
//! the backend then reports [`Events::ERROR`] for each such descriptor once and stops
//! passing it to the kernel.

use std::io;
use std::mem::MaybeUninit;
use std::os::fd::RawFd;
use std::sync::Arc;
use std::time::Duration;

use super::{Event, Events, NOTIFY_TOKEN, Notifier, Poller, PollerKind};
use crate::sys::{self, syscall};

/// The number of descriptors an `fd_set` holds.
pub const FD_SETSIZE: usize = libc::FD_SETSIZE;

#[derive(Clone, Copy, Debug)]
struct Watch {
    token: u64,
    interest: Events,
    /// Closed behind our back: reported once, no longer given to select(2).
    dead: bool,
}

/// Readiness through select(2). See the [module documentation](super).
pub struct SelectPoller {
    notifier: Arc<Notifier>,
    /// What each descriptor is watched for, indexed by descriptor.
    watches: Vec<Option<Watch>>,
    read: FdSet,
    write: FdSet,
    /// One more than the highest descriptor in either set.
    nfds: usize,
}

impl std::fmt::Debug for SelectPoller {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SelectPoller")
            .field("watched", &self.watches.iter().flatten().count())
            .field("nfds", &self.nfds)
            .finish()
    }
}

/// A `libc::fd_set` that only accepts descriptors it can hold.
#[derive(Clone, Copy)]
struct FdSet(libc::fd_set);

impl FdSet {
    fn new() -> FdSet {
        let mut set = MaybeUninit::<libc::fd_set>::uninit();
        // SAFETY: FD_ZERO initialises every bit of the set it is given.
        unsafe { libc::FD_ZERO(set.as_mut_ptr()) };
        // SAFETY: FD_ZERO above initialised the whole value.
        FdSet(unsafe { set.assume_init() })
    }

    fn insert(&mut self, fd: RawFd) {
        debug_assert!((0..FD_SETSIZE as RawFd).contains(&fd));
        // SAFETY: every caller has checked 0 <= fd < FD_SETSIZE, so the bit is inside the set.
        unsafe { libc::FD_SET(fd, &mut self.0) };
    }

    fn remove(&mut self, fd: RawFd) {
        debug_assert!((0..FD_SETSIZE as RawFd).contains(&fd));
        // SAFETY: as for `insert`, fd is within the set.
        unsafe { libc::FD_CLR(fd, &mut self.0) };
    }

    fn contains(&self, fd: RawFd) -> bool {
        debug_assert!((0..FD_SETSIZE as RawFd).contains(&fd));
        // SAFETY: as for `insert`, fd is within the set.
        unsafe { libc::FD_ISSET(fd, &self.0) }
    }
}

impl SelectPoller {
    /// A new poller watching only its own notifier.
    pub fn new() -> io::Result<SelectPoller> {
        let notifier = Notifier::new()?;
        let mut poller = SelectPoller {
            notifier,
            watches: Vec::new(),
            read: FdSet::new(),
            write: FdSet::new(),
            nfds: 0,
        };
        let fd = poller.notifier.raw_fd();
        poller.add(fd, NOTIFY_TOKEN, Events::READ)?;
        Ok(poller)
    }

    fn check_fd(fd: RawFd) -> io::Result<usize> {
        if fd < 0 {
            return Err(io::Error::from_raw_os_error(libc::EBADF));
        }
        let index = fd as usize;
        if index >= FD_SETSIZE {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "fd {fd} is at or above FD_SETSIZE ({FD_SETSIZE}): select(2) cannot watch it; \
                     use the epoll or poll backend"
                ),
            ));
        }
        Ok(index)
    }

    fn set_interest(&mut self, fd: RawFd, interest: Events) {
        if interest.is_readable() {
            self.read.insert(fd);
        } else {
            self.read.remove(fd);
        }
        if interest.is_writable() {
            self.write.insert(fd);
        } else {
            self.write.remove(fd);
        }
    }

    fn recompute_nfds(&mut self) {
        while self.nfds > 0 && self.watches[self.nfds - 1].is_none() {
            self.nfds -= 1;
        }
        self.watches.truncate(self.nfds);
    }

    /// After select(2) failed with EBADF: finds the watched descriptors that were closed,
    /// reports each as an error once and stops giving it to the kernel.
    fn report_closed(&mut self, events: &mut Vec<Event>) {
        for fd in 0..self.nfds {
            let Some(watch) = self.watches[fd].as_mut() else {
                continue;
            };
            if watch.dead || sys::fd_is_open(fd as RawFd) {
                continue;
            }
            watch.dead = true;
            events.push(Event {
                token: watch.token,
                events: Events::ERROR,
            });
            self.read.remove(fd as RawFd);
            self.write.remove(fd as RawFd);
        }
    }
}

impl Poller for SelectPoller {
    fn kind(&self) -> PollerKind {
        PollerKind::Select
    }

    fn add(&mut self, fd: RawFd, token: u64, interest: Events) -> io::Result<()> {
        let index = Self::check_fd(fd)?;
        if self.watches.get(index).is_some_and(Option::is_some) {
            return Err(io::Error::from_raw_os_error(libc::EEXIST));
        }
        if !sys::fd_is_open(fd) {
            return Err(io::Error::from_raw_os_error(libc::EBADF));
        }
        if self.watches.len() <= index {
            self.watches.resize(index + 1, None);
        }
        self.watches[index] = Some(Watch {
            token,
            interest,
            dead: false,
        });
        self.set_interest(fd, interest);
        self.nfds = self.nfds.max(index + 1);
        Ok(())
    }

    fn modify(&mut self, fd: RawFd, token: u64, interest: Events) -> io::Result<()> {
        let index = Self::check_fd(fd)?;
        let Some(Some(watch)) = self.watches.get_mut(index) else {
            return Err(io::Error::from_raw_os_error(libc::ENOENT));
        };
        watch.token = token;
        watch.interest = interest;
        if !watch.dead {
            self.set_interest(fd, interest);
        }
        Ok(())
    }

    fn delete(&mut self, fd: RawFd) -> io::Result<()> {
        let index = Self::check_fd(fd)?;
        match self.watches.get_mut(index) {
            Some(slot @ Some(_)) => *slot = None,
            _ => {
                return Err(io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("fd {fd} is not registered with this poller"),
                ));
            }
        }
        self.read.remove(fd);
        self.write.remove(fd);
        self.recompute_nfds();
        Ok(())
    }

    fn wait(&mut self, events: &mut Vec<Event>, timeout: Option<Duration>) -> io::Result<()> {
        events.clear();
        let mut read = self.read;
        let mut write = self.write;
        // A closed descriptor is reported through `except` on some systems; on Linux it
        // makes the call fail with EBADF, handled below.
        let mut timeval = timeout.map(|t| {
            // Round up to the next microsecond, as the other backends round up to the
            // next millisecond.
            let micros = t.as_nanos().div_ceil(1000);
            libc::timeval {
                tv_sec: (micros / 1_000_000).min(libc::time_t::MAX as u128) as libc::time_t,
                tv_usec: (micros % 1_000_000) as libc::suseconds_t,
            }
        });
        let timeval_ptr = timeval
            .as_mut()
            .map_or(std::ptr::null_mut(), |t| t as *mut libc::timeval);
        // select reads and writes the two local copies of our sets (nfds <= FD_SETSIZE
        // by construction) and reads the timeval, all alive on this frame.
        let res = syscall!(select(
            self.nfds as libc::c_int,
            &mut read.0,
            &mut write.0,
            std::ptr::null_mut(),
            timeval_ptr,
        ));
        match res {
            Ok(0) => return Ok(()),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EBADF) => {
                self.report_closed(events);
                return Ok(());
            }
            Err(e) => return Err(e),
        }
        for fd in 0..self.nfds {
            let Some(watch) = self.watches[fd] else {
                continue;
            };
            if watch.dead {
                continue;
            }
            let mut ready = Events::NONE;
            if read.contains(fd as RawFd) {
                ready |= Events::READ;
            }
            if write.contains(fd as RawFd) {
                ready |= Events::WRITE;
            }
            if ready.is_empty() {
                continue;
            }
            if watch.token == NOTIFY_TOKEN {
                self.notifier.acknowledge();
                continue;
            }
            events.push(Event {
                token: watch.token,
                events: ready,
            });
        }
        Ok(())
    }

    fn notifier(&self) -> &Arc<Notifier> {
        &self.notifier
    }
}

//! The epoll(7) backend, level-triggered: the default on Linux.
//!
//! The kernel keeps the interest set, so a `wait` costs in proportion to the descriptors
//! that are ready, not to those that are watched: ten thousand idle connections cost
//! nothing per iteration.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::sync::Arc;
use std::time::Duration;

use super::{Event, Events, NOTIFY_TOKEN, Notifier, Poller, PollerKind};
use crate::sys::{self, syscall};

/// How many events one `epoll_wait` may return; the buffer is allocated once.
const EVENTS_CAPACITY: usize = 1024;

/// Readiness through epoll(7). See the [module documentation](super).
#[derive(Debug)]
pub struct EpollPoller {
    epfd: OwnedFd,
    notifier: Arc<Notifier>,
    buffer: Vec<libc::epoll_event>,
}

impl EpollPoller {
    /// A new epoll instance watching only its own notifier.
    pub fn new() -> io::Result<EpollPoller> {
        // epoll_create1 takes only flags.
        let fd = syscall!(epoll_create1(libc::EPOLL_CLOEXEC))?;
        // SAFETY: epoll_create1 returned a new descriptor that nothing else owns.
        let epfd = unsafe { OwnedFd::from_raw_fd(fd) };
        let mut poller = EpollPoller {
            epfd,
            notifier: Notifier::new()?,
            buffer: Vec::with_capacity(EVENTS_CAPACITY),
        };
        let notify_fd = poller.notifier.raw_fd();
        poller.ctl(libc::EPOLL_CTL_ADD, notify_fd, NOTIFY_TOKEN, Events::READ)?;
        Ok(poller)
    }

    fn ctl(&mut self, op: libc::c_int, fd: RawFd, token: u64, interest: Events) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: to_epoll(interest),
            u64: token,
        };
        // epoll_ctl reads the event we pass by pointer; it lives on this stack frame.
        syscall!(epoll_ctl(self.epfd.as_raw_fd(), op, fd, &mut event))?;
        Ok(())
    }
}

fn to_epoll(interest: Events) -> u32 {
    let mut bits = 0;
    if interest.is_readable() {
        bits |= libc::EPOLLIN | libc::EPOLLPRI;
    }
    if interest.is_writable() {
        bits |= libc::EPOLLOUT;
    }
    // EPOLLERR and EPOLLHUP are always reported; EPOLLRDHUP is not needed because a
    // half-closed socket is readable (read returns 0).
    bits as u32
}

fn from_epoll(bits: u32) -> Events {
    let bits = bits as libc::c_int;
    let mut events = Events::NONE;
    if bits & (libc::EPOLLIN | libc::EPOLLPRI) != 0 {
        events |= Events::READ;
    }
    if bits & libc::EPOLLOUT != 0 {
        events |= Events::WRITE;
    }
    if bits & (libc::EPOLLERR | libc::EPOLLHUP) != 0 {
        events |= Events::ERROR;
    }
    events
}

impl Poller for EpollPoller {
    fn kind(&self) -> PollerKind {
        PollerKind::Epoll
    }

    fn add(&mut self, fd: RawFd, token: u64, interest: Events) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_ADD, fd, token, interest)
    }

    fn modify(&mut self, fd: RawFd, token: u64, interest: Events) -> io::Result<()> {
        self.ctl(libc::EPOLL_CTL_MOD, fd, token, interest)
    }

    fn delete(&mut self, fd: RawFd) -> io::Result<()> {
        match self.ctl(libc::EPOLL_CTL_DEL, fd, 0, Events::NONE) {
            // A descriptor closed before it was removed has already left the set.
            Err(e) if e.raw_os_error() == Some(libc::EBADF) => Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("fd {fd} is not registered with this poller"),
            )),
            other => other,
        }
    }

    fn wait(&mut self, events: &mut Vec<Event>, timeout: Option<Duration>) -> io::Result<()> {
        events.clear();
        self.buffer.clear();
        // epoll_wait writes at most `capacity` events into the buffer we own.
        let n = match syscall!(epoll_wait(
            self.epfd.as_raw_fd(),
            self.buffer.as_mut_ptr(),
            self.buffer.capacity() as libc::c_int,
            sys::timeout_millis(timeout),
        )) {
            Ok(n) => n as usize,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
            Err(e) => return Err(e),
        };
        // SAFETY: epoll_wait initialised the first `n` entries, and n <= capacity.
        unsafe { self.buffer.set_len(n) };
        for raw in &self.buffer {
            let token = raw.u64;
            if token == NOTIFY_TOKEN {
                self.notifier.acknowledge();
                continue;
            }
            events.push(Event {
                token,
                events: from_epoll(raw.events),
            });
        }
        Ok(())
    }

    fn notifier(&self) -> &Arc<Notifier> {
        &self.notifier
    }
}

//! The poll(2) backend, level-triggered.
//!
//! The interest set lives here, in an array of `pollfd`s handed to the kernel on every
//! `wait`: each call costs in proportion to every watched descriptor, which is what makes
//! poll slow with many idle connections. The notifier sits at index 0. Removal swaps the
//! last entry into the hole, so every operation but `wait` is O(1).

use std::collections::HashMap;
use std::io;
use std::os::fd::RawFd;
use std::sync::Arc;
use std::time::Duration;

use super::{Event, Events, NOTIFY_TOKEN, Notifier, Poller, PollerKind};
use crate::sys::{self, syscall};

/// Readiness through poll(2). See the [module documentation](super).
#[derive(Debug)]
pub struct PollPoller {
    notifier: Arc<Notifier>,
    /// The array given to poll(2); `fds[0]` is the notifier.
    fds: Vec<libc::pollfd>,
    /// The token of each entry of `fds`, at the same index.
    tokens: Vec<u64>,
    /// Where each watched descriptor sits in `fds`.
    index: HashMap<RawFd, usize>,
}

impl PollPoller {
    /// A new poller watching only its own notifier.
    pub fn new() -> io::Result<PollPoller> {
        let notifier = Notifier::new()?;
        let notify = libc::pollfd {
            fd: notifier.raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        Ok(PollPoller {
            notifier,
            fds: vec![notify],
            tokens: vec![NOTIFY_TOKEN],
            index: HashMap::new(),
        })
    }
}

fn to_poll(interest: Events) -> libc::c_short {
    let mut bits = 0;
    if interest.is_readable() {
        bits |= libc::POLLIN | libc::POLLPRI;
    }
    if interest.is_writable() {
        bits |= libc::POLLOUT;
    }
    bits
}

fn from_poll(bits: libc::c_short) -> Events {
    let mut events = Events::NONE;
    if bits & (libc::POLLIN | libc::POLLPRI) != 0 {
        events |= Events::READ;
    }
    if bits & libc::POLLOUT != 0 {
        events |= Events::WRITE;
    }
    if bits & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0 {
        events |= Events::ERROR;
    }
    events
}

impl Poller for PollPoller {
    fn kind(&self) -> PollerKind {
        PollerKind::Poll
    }

    fn add(&mut self, fd: RawFd, token: u64, interest: Events) -> io::Result<()> {
        if fd < 0 {
            return Err(io::Error::from_raw_os_error(libc::EBADF));
        }
        if self.index.contains_key(&fd) {
            return Err(io::Error::from_raw_os_error(libc::EEXIST));
        }
        if !sys::fd_is_open(fd) {
            return Err(io::Error::from_raw_os_error(libc::EBADF));
        }
        self.index.insert(fd, self.fds.len());
        self.fds.push(libc::pollfd {
            fd,
            events: to_poll(interest),
            revents: 0,
        });
        self.tokens.push(token);
        Ok(())
    }

    fn modify(&mut self, fd: RawFd, token: u64, interest: Events) -> io::Result<()> {
        let Some(&i) = self.index.get(&fd) else {
            return Err(io::Error::from_raw_os_error(libc::ENOENT));
        };
        self.fds[i].events = to_poll(interest);
        self.tokens[i] = token;
        Ok(())
    }

    fn delete(&mut self, fd: RawFd) -> io::Result<()> {
        let Some(i) = self.index.remove(&fd) else {
            return Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("fd {fd} is not registered with this poller"),
            ));
        };
        self.fds.swap_remove(i);
        self.tokens.swap_remove(i);
        if let Some(moved) = self.fds.get(i) {
            self.index.insert(moved.fd, i);
        }
        Ok(())
    }

    fn wait(&mut self, events: &mut Vec<Event>, timeout: Option<Duration>) -> io::Result<()> {
        events.clear();
        // poll reads `len` entries of the array we own and writes their `revents`.
        let n = match syscall!(poll(
            self.fds.as_mut_ptr(),
            self.fds.len() as libc::nfds_t,
            sys::timeout_millis(timeout),
        )) {
            Ok(n) => n as usize,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut remaining = n;
        for (pollfd, &token) in self.fds.iter().zip(&self.tokens) {
            if remaining == 0 {
                break;
            }
            if pollfd.revents == 0 {
                continue;
            }
            remaining -= 1;
            if token == NOTIFY_TOKEN {
                self.notifier.acknowledge();
                continue;
            }
            events.push(Event {
                token,
                events: from_poll(pollfd.revents),
            });
        }
        Ok(())
    }

    fn notifier(&self) -> &Arc<Notifier> {
        &self.notifier
    }
}

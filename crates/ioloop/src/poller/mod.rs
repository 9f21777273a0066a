//! Readiness backends: one file per system call, behind one small [`Poller`] trait.
//!
//! **All three backends are level-triggered**: while a descriptor stays readable (or
//! writable), every [`Poller::wait`] reports it again, exactly as Tornado's `PollIOLoop`
//! behaved on epoll, poll and select. Code that does not want repeated reports must stop
//! watching for the event ([`Poller::modify`]) once it has been told.
//!
//! | backend | system call | cost of one `wait` | limit |
//! |---|---|---|---|
//! | [`EpollPoller`] | epoll(7) | proportional to the *ready* descriptors | none |
//! | [`PollPoller`] | poll(2) | proportional to the *watched* descriptors | none |
//! | [`SelectPoller`] | select(2) | proportional to the highest descriptor | fd < `FD_SETSIZE` (1024) |
//!
//! Every backend owns a [`Notifier`] (an eventfd) that it watches itself: another thread
//! calls [`Notifier::notify`] to interrupt a `wait`, and the backend swallows that event
//! instead of reporting it.

mod epoll;
mod poll;
mod select;

pub use epoll::EpollPoller;
pub use poll::PollPoller;
pub use select::SelectPoller;

use std::fmt;
use std::io;
use std::ops::{BitAnd, BitOr, BitOrAssign, Not};
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::sys;

/// A set of I/O events: what a handler watches for and what a poller reports.
///
/// The values are Tornado's (`IOLoop.READ == 0x001`, `WRITE == 0x004`, `ERROR == 0x018`).
/// [`Events::ERROR`] (hang-up or error on the descriptor) is always reported, whether or not
/// it was asked for.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Events(u32);

impl Events {
    /// No event.
    pub const NONE: Events = Events(0);
    /// The descriptor is readable (or at end of file).
    pub const READ: Events = Events(0x001);
    /// The descriptor is writable.
    pub const WRITE: Events = Events(0x004);
    /// An error or a hang-up on the descriptor.
    pub const ERROR: Events = Events(0x018);

    /// The raw bits, Tornado's integer value.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// The set with these bits (unknown bits are dropped).
    pub const fn from_bits(bits: u32) -> Events {
        Events(bits & (Self::READ.0 | Self::WRITE.0 | Self::ERROR.0))
    }

    /// No event at all.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Every event of `other` is in `self`.
    pub const fn contains(self, other: Events) -> bool {
        self.0 & other.0 == other.0 && other.0 != 0
    }

    /// Some event of `other` is in `self`.
    pub const fn intersects(self, other: Events) -> bool {
        self.0 & other.0 != 0
    }

    /// [`READ`](Self::READ) is set.
    pub const fn is_readable(self) -> bool {
        self.intersects(Self::READ)
    }

    /// [`WRITE`](Self::WRITE) is set.
    pub const fn is_writable(self) -> bool {
        self.intersects(Self::WRITE)
    }

    /// An [`ERROR`](Self::ERROR) bit is set.
    pub const fn is_error(self) -> bool {
        self.intersects(Self::ERROR)
    }
}

impl BitOr for Events {
    type Output = Events;
    fn bitor(self, rhs: Events) -> Events {
        Events(self.0 | rhs.0)
    }
}

impl BitOrAssign for Events {
    fn bitor_assign(&mut self, rhs: Events) {
        self.0 |= rhs.0;
    }
}

impl BitAnd for Events {
    type Output = Events;
    fn bitand(self, rhs: Events) -> Events {
        Events(self.0 & rhs.0)
    }
}

impl Not for Events {
    type Output = Events;
    fn not(self) -> Events {
        Events::from_bits(!self.0)
    }
}

impl fmt::Debug for Events {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("NONE");
        }
        let mut parts = Vec::new();
        if self.is_readable() {
            parts.push("READ");
        }
        if self.is_writable() {
            parts.push("WRITE");
        }
        if self.is_error() {
            parts.push("ERROR");
        }
        f.write_str(&parts.join(" | "))
    }
}

/// One readiness report: the token a descriptor was registered with, and what happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// The token given to [`Poller::add`].
    pub token: u64,
    /// What is ready.
    pub events: Events,
}

/// A readiness backend: epoll, poll or select.
///
/// A poller watches descriptors for [`Events`] and reports them level-triggered. It is
/// driven from one thread; only its [`Notifier`] is shared with others.
pub trait Poller: fmt::Debug {
    /// Which backend this is.
    fn kind(&self) -> PollerKind;

    /// Starts watching `fd` for `interest`; events are reported with `token`.
    /// Watching a descriptor twice is an error.
    fn add(&mut self, fd: RawFd, token: u64, interest: Events) -> io::Result<()>;

    /// Changes what a watched descriptor is watched for (and its token).
    fn modify(&mut self, fd: RawFd, token: u64, interest: Events) -> io::Result<()>;

    /// Stops watching `fd`. A descriptor that is not watched is an error
    /// (`ErrorKind::NotFound`); one already closed is forgotten without error.
    fn delete(&mut self, fd: RawFd) -> io::Result<()>;

    /// Waits until a watched descriptor is ready, the notifier is notified, or `timeout`
    /// passes (`None`: no limit), and replaces the contents of `events` with what is ready.
    /// A wait interrupted by a signal returns `Ok` with no events.
    fn wait(&mut self, events: &mut Vec<Event>, timeout: Option<Duration>) -> io::Result<()>;

    /// The handle that interrupts [`wait`](Self::wait) from any thread.
    fn notifier(&self) -> &Arc<Notifier>;

    /// Interrupts a [`wait`](Self::wait) in progress, or makes the next one return at once.
    fn notify(&self) -> io::Result<()> {
        self.notifier().notify()
    }
}

/// Wakes a poller from any thread: an eventfd with a flag that skips the system call when a
/// wake-up is already on its way.
#[derive(Debug)]
pub struct Notifier {
    fd: OwnedFd,
    pending: AtomicBool,
}

impl Notifier {
    pub(crate) fn new() -> io::Result<Arc<Notifier>> {
        Ok(Arc::new(Notifier {
            fd: sys::eventfd()?,
            pending: AtomicBool::new(false),
        }))
    }

    /// Wakes the poller. Safe from any thread; cheap when a wake-up is already pending.
    pub fn notify(&self) -> io::Result<()> {
        if self.pending.swap(true, Ordering::AcqRel) {
            return Ok(());
        }
        sys::eventfd_write(self.fd.as_raw_fd())
    }

    pub(crate) fn raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }

    /// Called by a backend when its wait saw the notifier: resets it, so that the next
    /// `notify` writes again. Whoever was notified must look at what was sent *after* this.
    pub(crate) fn acknowledge(&self) {
        sys::eventfd_drain(self.fd.as_raw_fd());
        self.pending.store(false, Ordering::Release);
    }
}

/// The token backends use internally for their notifier; never handed out.
pub(crate) const NOTIFY_TOKEN: u64 = u64::MAX;

/// The readiness backends, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PollerKind {
    /// epoll(7): the default on Linux.
    Epoll,
    /// poll(2).
    Poll,
    /// select(2): refuses descriptors at or above `FD_SETSIZE`.
    Select,
}

impl PollerKind {
    /// Every backend, default first.
    pub const ALL: [PollerKind; 3] = [PollerKind::Epoll, PollerKind::Poll, PollerKind::Select];

    /// The name used by `TORNADO_POLLER` and `IOLoop::configure_by_name`.
    pub fn name(self) -> &'static str {
        match self {
            PollerKind::Epoll => "epoll",
            PollerKind::Poll => "poll",
            PollerKind::Select => "select",
        }
    }

    /// Builds a poller of this kind.
    pub fn build(self) -> io::Result<Box<dyn Poller>> {
        Ok(match self {
            PollerKind::Epoll => Box::new(EpollPoller::new()?),
            PollerKind::Poll => Box::new(PollPoller::new()?),
            PollerKind::Select => Box::new(SelectPoller::new()?),
        })
    }

    /// The backend named by the `TORNADO_POLLER` environment variable, if it is set.
    /// A value that names no backend is an error that says which values are allowed.
    pub fn from_env() -> io::Result<Option<PollerKind>> {
        match std::env::var("TORNADO_POLLER") {
            Ok(value) if value.trim().is_empty() => Ok(None),
            Ok(value) => value.parse().map(Some),
            Err(std::env::VarError::NotPresent) => Ok(None),
            Err(std::env::VarError::NotUnicode(raw)) => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("TORNADO_POLLER={raw:?}: expected epoll, poll or select"),
            )),
        }
    }
}

impl fmt::Display for PollerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for PollerKind {
    type Err = io::Error;

    fn from_str(s: &str) -> io::Result<PollerKind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "epoll" => Ok(PollerKind::Epoll),
            "poll" => Ok(PollerKind::Poll),
            "select" => Ok(PollerKind::Select),
            _ => Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("unknown poller {s:?}: expected epoll, poll or select"),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_algebra_and_debug() {
        let rw = Events::READ | Events::WRITE;
        assert!(rw.is_readable() && rw.is_writable() && !rw.is_error());
        assert!(rw.contains(Events::READ));
        assert!(!Events::READ.contains(Events::NONE));
        assert_eq!(rw & Events::WRITE, Events::WRITE);
        assert_eq!(!Events::READ, Events::WRITE | Events::ERROR);
        assert_eq!(format!("{:?}", rw | Events::ERROR), "READ | WRITE | ERROR");
        assert_eq!(format!("{:?}", Events::NONE), "NONE");
        assert_eq!(Events::from_bits(0xffff_ffff).bits(), 0x1d);
        assert_eq!(Events::ERROR.bits(), 0x18);
    }

    #[test]
    fn kinds_parse_by_name() {
        for kind in PollerKind::ALL {
            assert_eq!(kind.name().parse::<PollerKind>().unwrap(), kind);
            assert_eq!(kind.to_string(), kind.name());
        }
        assert_eq!(" EPOLL ".parse::<PollerKind>().unwrap(), PollerKind::Epoll);
        let err = "kqueue".parse::<PollerKind>().unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("expected epoll, poll or select"));
    }
}

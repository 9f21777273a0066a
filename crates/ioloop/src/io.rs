//! The loop's table of watched descriptors.
//!
//! Two kinds of entry share one slab: Tornado-style handlers ([`IOLoop::add_handler`]: a
//! callback run while the descriptor is ready, level-triggered) and [`Registration`]s, which
//! wake tasks (what `IOStream` builds on). Tokens pack the slot index and a generation, so
//! an event for an entry removed earlier in the same iteration is dropped, even if its slot
//! or its descriptor number was reused meanwhile.
//!
//! A registration asks the poller only for what a task is waiting for. An event clears
//! that interest and wakes the task; the difference between what is wanted and what the
//! poller was told is settled once, just before the next wait. A connection that is read,
//! answered and read again within one iteration therefore costs no `epoll_ctl` at all.
//!
//! [`IOLoop::add_handler`]: crate::IOLoop::add_handler

use std::cell::RefCell;
use std::fmt;
use std::future::poll_fn;
use std::io;
use std::os::fd::RawFd;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::IOLoop;
use crate::poller::{Events, Poller};

pub(crate) type Token = u64;

fn token(index: u32, generation: u32) -> Token {
    (u64::from(generation) << 32) | u64::from(index)
}

fn index_of(token: Token) -> usize {
    (token & 0xffff_ffff) as usize
}

fn generation_of(token: Token) -> u32 {
    (token >> 32) as u32
}

/// A Tornado-style handler: `callback(fd, events)`.
pub(crate) type HandlerFn = Rc<RefCell<dyn FnMut(RawFd, Events)>>;

pub(crate) enum Watch {
    Handler {
        callback: HandlerFn,
        interest: Events,
        /// Added by the loop itself (signals): never closed by `close(all_fds)`.
        internal: bool,
    },
    Source(SourceState),
}

/// The readiness state of a [`Registration`].
pub(crate) struct SourceState {
    /// What the poller was last told; `None` when the descriptor is not in its set.
    registered: Option<Events>,
    /// What the waiting tasks want.
    desired: Events,
    /// Readiness seen and not yet consumed.
    ready: Events,
    read_waker: Option<Waker>,
    write_waker: Option<Waker>,
    /// Queued in `IoTable::dirty`.
    dirty: bool,
}

pub(crate) struct Entry {
    pub(crate) fd: RawFd,
    pub(crate) watch: Watch,
}

struct Slot {
    generation: u32,
    entry: Option<Entry>,
}

/// What the loop must do for one event, decided under the table's borrow and carried out
/// after it is released.
pub(crate) enum Dispatch {
    Nothing,
    Call(HandlerFn, RawFd, Events),
    Wake(Option<Waker>, Option<Waker>),
}

#[derive(Default)]
pub(crate) struct IoTable {
    slots: Vec<Slot>,
    free: Vec<u32>,
    /// The token watching each descriptor, indexed by descriptor number.
    by_fd: Vec<Option<Token>>,
    /// Sources whose wanted interest may differ from what the poller was told.
    dirty: Vec<Token>,
}

impl IoTable {
    pub(crate) fn token_of(&self, fd: RawFd) -> Option<Token> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.by_fd.get(i).copied().flatten())
    }

    pub(crate) fn insert(&mut self, fd: RawFd, watch: Watch) -> io::Result<Token> {
        let Ok(fd_index) = usize::try_from(fd) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("fd {fd} is not a valid descriptor"),
            ));
        };
        if self.token_of(fd).is_some() {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("fd {fd} is already registered with this IOLoop"),
            ));
        }
        let index = match self.free.pop() {
            Some(index) => index,
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    entry: None,
                });
                (self.slots.len() - 1) as u32
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.entry = Some(Entry { fd, watch });
        let token = token(index, slot.generation);
        if self.by_fd.len() <= fd_index {
            self.by_fd.resize(fd_index + 1, None);
        }
        self.by_fd[fd_index] = Some(token);
        Ok(token)
    }

    pub(crate) fn get_mut(&mut self, token: Token) -> Option<&mut Entry> {
        let slot = self.slots.get_mut(index_of(token))?;
        if slot.generation != generation_of(token) {
            return None;
        }
        slot.entry.as_mut()
    }

    pub(crate) fn remove(&mut self, token: Token) -> Option<Entry> {
        let slot = self.slots.get_mut(index_of(token))?;
        if slot.generation != generation_of(token) {
            return None;
        }
        let entry = slot.entry.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(index_of(token) as u32);
        if let Some(by_fd) = usize::try_from(entry.fd)
            .ok()
            .and_then(|i| self.by_fd.get_mut(i))
        {
            *by_fd = None;
        }
        Some(entry)
    }

    pub(crate) fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Decides what an event means: which callback to run or which tasks to wake.
    pub(crate) fn dispatch(&mut self, token: Token, events: Events) -> Dispatch {
        let Some(entry) = self.get_mut(token) else {
            return Dispatch::Nothing;
        };
        let fd = entry.fd;
        match &mut entry.watch {
            Watch::Handler {
                callback, interest, ..
            } => {
                let events = events & (*interest | Events::ERROR);
                if events.is_empty() {
                    return Dispatch::Nothing;
                }
                Dispatch::Call(callback.clone(), fd, events)
            }
            Watch::Source(source) => {
                source.ready |= events;
                let error = events.is_error();
                let read = if events.is_readable() || error {
                    source.read_waker.take()
                } else {
                    None
                };
                let write = if events.is_writable() || error {
                    source.write_waker.take()
                } else {
                    None
                };
                // What was wanted has arrived: stop asking for it until a task waits again.
                source.desired = if error {
                    Events::NONE
                } else {
                    source.desired & !events
                };
                let mark = !source.dirty;
                source.dirty = true;
                if mark {
                    self.dirty.push(token);
                }
                Dispatch::Wake(read, write)
            }
        }
    }

    /// Tells the poller what each changed source now wants. Called just before a wait.
    /// Tasks waiting on a descriptor that cannot be watched are put in `to_wake`.
    pub(crate) fn sync(&mut self, poller: &mut dyn Poller, to_wake: &mut Vec<Waker>) {
        if self.dirty.is_empty() {
            return;
        }
        let dirty = std::mem::take(&mut self.dirty);
        for &token in &dirty {
            let Some(entry) = self.get_mut(token) else {
                continue;
            };
            let fd = entry.fd;
            let Watch::Source(source) = &mut entry.watch else {
                continue;
            };
            source.dirty = false;
            let result = match source.registered {
                // An error seen while nothing was wanted: leave the set, or a
                // level-triggered poller would report the hang-up on every iteration.
                Some(_) if source.desired.is_empty() && source.ready.is_error() => {
                    source.registered = None;
                    poller.delete(fd)
                }
                Some(registered) if registered == source.desired => Ok(()),
                Some(_) => {
                    source.registered = Some(source.desired);
                    poller.modify(fd, token, source.desired)
                }
                None if source.desired.is_empty() => Ok(()),
                None => {
                    source.registered = Some(source.desired);
                    poller.add(fd, token, source.desired)
                }
            };
            if let Err(err) = result {
                // The descriptor cannot be watched (closed, or beyond select's limit):
                // report it as an error to whoever waits, rather than hang them.
                log::debug!(target: "tornado.general", "cannot watch fd {fd}: {err}");
                source.registered = None;
                source.desired = Events::NONE;
                source.ready |= Events::ERROR;
                to_wake.extend(source.read_waker.take());
                to_wake.extend(source.write_waker.take());
            }
        }
        // Reuse the allocation; entries added meanwhile (none can be) are kept.
        let mut dirty = dirty;
        dirty.clear();
        dirty.append(&mut self.dirty);
        self.dirty = dirty;
    }

    /// Every entry, for closing the loop.
    pub(crate) fn drain(&mut self) -> Vec<Entry> {
        let mut entries = Vec::new();
        for (index, slot) in self.slots.iter_mut().enumerate() {
            if let Some(entry) = slot.entry.take() {
                slot.generation = slot.generation.wrapping_add(1);
                self.free.push(index as u32);
                entries.push(entry);
            }
        }
        self.by_fd.clear();
        self.dirty.clear();
        entries
    }
}

/// A descriptor registered with an [`IOLoop`] so that tasks can wait for it to become
/// readable or writable: the building block of `IOStream`.
///
/// A new registration assumes the descriptor is ready both ways, so the first read or write
/// is simply attempted. When an attempt fails with `WouldBlock`, call
/// [`clear_ready`](Self::clear_ready) and wait with [`poll_ready`](Self::poll_ready); the
/// loop watches the descriptor only while someone waits.
///
/// The registration does not own the descriptor. Drop it *before* closing the descriptor
/// (declare it before the socket in a struct: fields drop in order).
pub struct Registration {
    io_loop: IOLoop,
    token: Token,
    fd: RawFd,
}

impl Registration {
    /// Registers `fd` with `io_loop`. No system call is made until a task waits.
    pub fn new(io_loop: &IOLoop, fd: RawFd) -> io::Result<Registration> {
        let source = SourceState {
            registered: None,
            desired: Events::NONE,
            ready: Events::READ | Events::WRITE,
            read_waker: None,
            write_waker: None,
            dirty: false,
        };
        let token = io_loop
            .core()
            .io
            .borrow_mut()
            .insert(fd, Watch::Source(source))?;
        Ok(Registration {
            io_loop: io_loop.clone(),
            token,
            fd,
        })
    }

    /// The registered descriptor.
    pub fn fd(&self) -> RawFd {
        self.fd
    }

    /// The loop this registration belongs to.
    pub fn io_loop(&self) -> &IOLoop {
        &self.io_loop
    }

    /// Ready when the descriptor may be `interest` (readable, writable, or either), or has
    /// failed ([`Events::ERROR`]); gives the readiness seen. Otherwise registers the task to
    /// be woken.
    pub fn poll_ready(&self, cx: &mut Context<'_>, interest: Events) -> Poll<io::Result<Events>> {
        let mut io = self.io_loop.core().io.borrow_mut();
        let table = &mut *io;
        let Some(entry) = table.get_mut(self.token) else {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the IOLoop this descriptor was registered with is closed",
            )));
        };
        let Watch::Source(source) = &mut entry.watch else {
            return Poll::Ready(Err(io::Error::other("not a registration")));
        };
        let ready = source.ready & (interest | Events::ERROR);
        if !ready.is_empty() {
            return Poll::Ready(Ok(ready));
        }
        if interest.is_readable() {
            set_waker(&mut source.read_waker, cx.waker());
        }
        if interest.is_writable() {
            set_waker(&mut source.write_waker, cx.waker());
        }
        let desired = source.desired | (interest & (Events::READ | Events::WRITE));
        if desired != source.desired {
            source.desired = desired;
            if !source.dirty {
                source.dirty = true;
                table.dirty.push(self.token);
            }
        }
        Poll::Pending
    }

    /// Forgets readiness that an attempt found to be gone (the call returned `WouldBlock`).
    /// An error, once seen, is never forgotten.
    pub fn clear_ready(&self, events: Events) {
        let mut io = self.io_loop.core().io.borrow_mut();
        if let Some(Entry {
            watch: Watch::Source(source),
            ..
        }) = io.get_mut(self.token)
        {
            source.ready = source.ready & !(events & (Events::READ | Events::WRITE));
        }
    }

    /// Waits until the descriptor may be readable.
    pub async fn readable(&self) -> io::Result<Events> {
        poll_fn(|cx| self.poll_ready(cx, Events::READ)).await
    }

    /// Waits until the descriptor may be writable.
    pub async fn writable(&self) -> io::Result<Events> {
        poll_fn(|cx| self.poll_ready(cx, Events::WRITE)).await
    }
}

fn set_waker(slot: &mut Option<Waker>, waker: &Waker) {
    match slot {
        Some(old) if old.will_wake(waker) => {}
        _ => *slot = Some(waker.clone()),
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let core = self.io_loop.core();
        let entry = core.io.borrow_mut().remove(self.token);
        if let Some(Entry {
            fd,
            watch: Watch::Source(source),
        }) = entry
        {
            if source.registered.is_some() {
                // A descriptor closed first has already left the set: nothing to undo.
                let _ = core.poller.borrow_mut().delete(fd);
            }
            // Wakers are dropped here, outside the table's borrow.
            drop(source);
        }
    }
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("fd", &self.fd)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::poller::PollerKind;
    use std::os::fd::AsRawFd;
    use std::os::unix::net::UnixStream;

    fn source(desired: Events) -> Watch {
        Watch::Source(SourceState {
            registered: None,
            desired,
            ready: Events::NONE,
            read_waker: None,
            write_waker: None,
            dirty: true,
        })
    }

    /// A source nobody waits on must not keep a level-triggered poller reporting its
    /// hang-up: after at most two reports it leaves the set.
    #[test]
    fn a_hangup_nobody_waits_for_stops_being_reported() {
        for kind in PollerKind::ALL {
            let mut poller = kind.build().unwrap();
            let mut table = IoTable::default();
            let (a, b) = UnixStream::pair().unwrap();
            let token = table.insert(a.as_raw_fd(), source(Events::READ)).unwrap();
            table.dirty.push(token);
            let mut to_wake = Vec::new();
            table.sync(&mut *poller, &mut to_wake);
            drop(b);
            let mut events = Vec::new();
            let mut reports = 0;
            for _ in 0..5 {
                poller
                    .wait(&mut events, Some(std::time::Duration::from_millis(50)))
                    .unwrap();
                if events.is_empty() {
                    break;
                }
                reports += 1;
                for event in &events {
                    assert!(matches!(
                        table.dispatch(event.token, event.events),
                        Dispatch::Wake(None, None)
                    ));
                }
                table.sync(&mut *poller, &mut to_wake);
            }
            assert!((1..=2).contains(&reports), "{kind}: {reports} reports");
            assert!(to_wake.is_empty());
            // The readiness is kept for the next task that looks.
            let entry = table.get_mut(token).unwrap();
            let Watch::Source(state) = &entry.watch else {
                panic!("not a source")
            };
            assert!(state.ready.is_readable() || state.ready.is_error());
        }
    }

    #[test]
    fn stale_tokens_are_ignored() {
        let mut table = IoTable::default();
        let (a, _b) = UnixStream::pair().unwrap();
        let token = table.insert(a.as_raw_fd(), source(Events::NONE)).unwrap();
        assert!(table.remove(token).is_some());
        let again = table.insert(a.as_raw_fd(), source(Events::NONE)).unwrap();
        assert_ne!(token, again, "the slot is reused with a new generation");
        assert!(matches!(
            table.dispatch(token, Events::READ),
            Dispatch::Nothing
        ));
        assert!(table.remove(token).is_none());
        assert_eq!(table.len(), 1);
        assert!(table.insert(-3, source(Events::NONE)).is_err());
    }
}

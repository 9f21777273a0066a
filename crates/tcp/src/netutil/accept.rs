//! `add_accept_handler`: accepting connections on a listener, in batches, with a pause
//! instead of a busy loop when the process runs out of descriptors.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io;
use std::rc::Rc;
use std::time::Duration;

use tornado_ioloop::{Events, IOLoop, TimeoutHandle};

use crate::netutil::bind::DEFAULT_BACKLOG;
use crate::netutil::socket::{Address, Connection, Listener};

/// How long accepting pauses after `accept` fails for want of descriptors or memory.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

type Callback = Box<dyn FnMut(Connection, Address)>;

struct AcceptState {
    io_loop: IOLoop,
    listener: Listener,
    callback: RefCell<Callback>,
    /// `remove_handler` was called: never accept again.
    removed: Cell<bool>,
    /// The owner asked for a pause ([`AcceptHandler::hold`]).
    held: Cell<bool>,
    /// A back-off after running out of descriptors is in progress.
    backoff: Cell<Option<TimeoutHandle>>,
    /// The listener is in the loop's set.
    registered: Cell<bool>,
    /// Back-offs since the last successful accept (0: not in a burst of failures).
    failures: Cell<u32>,
}

/// Accepts connections on `listener` from the current loop, calling
/// `callback(connection, address)` for each (Tornado's `add_accept_handler`).
///
/// When the listener is readable, up to 128 connections are accepted before the loop
/// moves on, so other work is not starved. Connections are non-blocking and close-on-exec.
/// A connection aborted while in the queue (`ECONNABORTED`) is skipped. When `accept`
/// fails because the process or the system is out of descriptors (`EMFILE`, `ENFILE`) or
/// memory, accepting pauses for [`ACCEPT_BACKOFF`] instead of spinning on a listener that
/// stays readable; the error is logged once per burst on `tornado.general`, and pending
/// connections wait in the listen backlog meanwhile.
///
/// The returned [`AcceptHandler`] stops accepting with
/// [`remove_handler`](AcceptHandler::remove_handler). Dropping it does not: the loop keeps
/// the listener until the handler is removed (or the loop closed), and the listener is
/// closed once both are gone.
///
/// # Panics
///
/// Outside a running loop (use [`add_accept_handler_on`] there).
pub fn add_accept_handler(
    listener: Listener,
    callback: impl FnMut(Connection, Address) + 'static,
) -> io::Result<AcceptHandler> {
    add_accept_handler_on(&IOLoop::current(), listener, callback)
}

/// [`add_accept_handler`] on a given loop.
pub fn add_accept_handler_on(
    io_loop: &IOLoop,
    listener: Listener,
    callback: impl FnMut(Connection, Address) + 'static,
) -> io::Result<AcceptHandler> {
    listener.socket().set_nonblocking(true)?;
    let state = Rc::new(AcceptState {
        io_loop: io_loop.clone(),
        listener,
        callback: RefCell::new(Box::new(callback)),
        removed: Cell::new(false),
        held: Cell::new(false),
        backoff: Cell::new(None),
        registered: Cell::new(false),
        failures: Cell::new(0),
    });
    register(&state)?;
    Ok(AcceptHandler { state })
}

/// Puts the listener in the loop's set.
fn register(state: &Rc<AcceptState>) -> io::Result<()> {
    let for_handler = state.clone();
    state.io_loop.add_handler(
        state.listener.fileno(),
        move |_fd, _events| accept_ready(&for_handler),
        Events::READ,
    )?;
    state.registered.set(true);
    Ok(())
}

/// Watches the listener exactly when nothing stops accepting.
fn sync(state: &Rc<AcceptState>) {
    let wanted = !state.removed.get() && !state.held.get() && state.backoff.get().is_none();
    if wanted == state.registered.get() {
        return;
    }
    if wanted {
        if let Err(err) = register(state) {
            log::error!(
                target: "tornado.general",
                "cannot watch listening socket {}: {err}",
                state.listener.fileno()
            );
        }
    } else {
        state.registered.set(false);
        state.io_loop.remove_handler(state.listener.fileno());
    }
}

/// The listener is readable: accept what is waiting, up to a batch.
fn accept_ready(state: &Rc<AcceptState>) {
    for _ in 0..DEFAULT_BACKLOG {
        if !state.registered.get() {
            // Removed or paused by a callback of this very batch.
            return;
        }
        match state.listener.accept() {
            Ok((connection, address)) => {
                let failures = state.failures.replace(0);
                if failures > 0 {
                    log::warn!(
                        target: "tornado.general",
                        "accepting again on fd {} after {failures} pause(s)",
                        state.listener.fileno()
                    );
                }
                (state.callback.borrow_mut())(connection, address);
            }
            Err(err) => match classify(&err) {
                AcceptError::Empty => return,
                AcceptError::Retry => continue,
                AcceptError::Exhausted | AcceptError::Other => {
                    back_off(state, &err);
                    return;
                }
            },
        }
    }
}

enum AcceptError {
    /// Nothing more to accept now.
    Empty,
    /// This connection is lost; try the next one.
    Retry,
    /// Out of descriptors or memory: pause.
    Exhausted,
    /// Anything else: log and pause too, rather than spin.
    Other,
}

fn classify(err: &io::Error) -> AcceptError {
    if err.kind() == io::ErrorKind::WouldBlock {
        return AcceptError::Empty;
    }
    match err.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE | libc::ENOBUFS | libc::ENOMEM) => AcceptError::Exhausted,
        // accept(2): errors of the pending connection, to be treated like EAGAIN by
        // retrying; EINTR is harmless.
        Some(
            libc::ECONNABORTED
            | libc::EINTR
            | libc::EPROTO
            | libc::EPERM
            | libc::ENETDOWN
            | libc::ENOPROTOOPT
            | libc::EHOSTDOWN
            | libc::ENONET
            | libc::EHOSTUNREACH
            | libc::EOPNOTSUPP
            | libc::ENETUNREACH,
        ) => AcceptError::Retry,
        _ => AcceptError::Other,
    }
}

/// Stops watching the listener for [`ACCEPT_BACKOFF`]; logs the first failure of a burst.
fn back_off(state: &Rc<AcceptState>, err: &io::Error) {
    let failures = state.failures.get();
    state.failures.set(failures.saturating_add(1));
    if failures == 0 {
        let exhausted = matches!(classify(err), AcceptError::Exhausted);
        log::error!(
            target: "tornado.general",
            "accept() failed on fd {}: {err}; {}pausing accepts for {} ms",
            state.listener.fileno(),
            if exhausted { "out of resources, " } else { "" },
            ACCEPT_BACKOFF.as_millis()
        );
    }
    let weak = Rc::downgrade(state);
    let timer = state.io_loop.call_later(ACCEPT_BACKOFF, move || {
        if let Some(state) = weak.upgrade() {
            state.backoff.set(None);
            sync(&state);
        }
    });
    if let Some(old) = state.backoff.replace(Some(timer)) {
        state.io_loop.remove_timeout(old);
    }
    sync(state);
}

/// What [`add_accept_handler`] returns: stops accepting, pauses and resumes.
pub struct AcceptHandler {
    state: Rc<AcceptState>,
}

impl AcceptHandler {
    /// Stops accepting for good (the callable Tornado's `add_accept_handler` returns).
    /// Calling it again does nothing. Safe from inside the callback: no connection is
    /// accepted after it.
    pub fn remove_handler(&self) {
        let state = &self.state;
        if state.removed.replace(true) {
            return;
        }
        if let Some(timer) = state.backoff.take() {
            state.io_loop.remove_timeout(timer);
        }
        sync(state);
    }

    /// Pauses accepting (connections wait in the listen backlog) until
    /// [`resume`](Self::resume). `TCPServer` does this at its connection limit.
    pub fn hold(&self) {
        if !self.state.held.replace(true) {
            sync(&self.state);
        }
    }

    /// Resumes accepting after [`hold`](Self::hold).
    pub fn resume(&self) {
        if self.state.held.replace(false) {
            sync(&self.state);
        }
    }

    /// The listener is being watched: not removed, held or backing off.
    pub fn is_accepting(&self) -> bool {
        self.state.registered.get()
    }

    /// The listener.
    pub fn listener(&self) -> &Listener {
        &self.state.listener
    }
}

impl fmt::Debug for AcceptHandler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AcceptHandler")
            .field("listener", &self.state.listener)
            .field("accepting", &self.state.registered.get())
            .field("removed", &self.state.removed.get())
            .finish()
    }
}

//! Unix signals delivered to a loop's thread: [`IOLoop::add_signal_handler`].
//!
//! A signal handler may do almost nothing safely, so the process-wide handler only writes a
//! byte to a socket (signal-hook's self-pipe); the loop watches the other end and runs the
//! callback on its own thread, between iterations, where it may do anything.

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::rc::Rc;

use crate::IOLoop;
use crate::poller::Events;

/// The signals a loop handles, by number.
#[derive(Default)]
pub(crate) struct Signals {
    entries: HashMap<libc::c_int, SignalEntry>,
}

struct SignalEntry {
    id: signal_hook::SigId,
    fd: std::os::fd::RawFd,
}

impl Drop for SignalEntry {
    fn drop(&mut self) {
        signal_hook::low_level::unregister(self.id);
    }
}

impl IOLoop {
    /// Runs `callback` on this loop's thread whenever the process receives `signum`
    /// (`libc::SIGTERM`, `libc::SIGHUP`...). A second handler for the same signal replaces
    /// the first. Signals that cannot be caught (`SIGKILL`, `SIGSTOP`) or that must not be
    /// (`SIGSEGV`, `SIGILL`, `SIGFPE`) are refused with an error.
    ///
    /// Several arrivals of a signal between two iterations may run the callback once.
    pub fn add_signal_handler(
        &self,
        signum: libc::c_int,
        mut callback: impl FnMut() + 'static,
    ) -> io::Result<()> {
        if signal_hook::consts::FORBIDDEN.contains(&signum) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "signal {signum} cannot be handled (SIGKILL, SIGSTOP, SIGSEGV, SIGILL and SIGFPE are refused)"
                ),
            ));
        }
        self.remove_signal_handler(signum);
        let (mut reader, writer) = UnixStream::pair()?;
        reader.set_nonblocking(true)?;
        let fd = reader.as_raw_fd();
        let id = signal_hook::low_level::pipe::register(signum, writer)?;
        let entry = SignalEntry { id, fd };
        let handler = move |_fd, _events| {
            let mut buffer = [0u8; 64];
            while matches!(reader.read(&mut buffer), Ok(n) if n > 0) {}
            callback();
        };
        self.insert_handler(fd, Rc::new(RefCell::new(handler)), Events::READ, true)?;
        self.core()
            .signals
            .borrow_mut()
            .entries
            .insert(signum, entry);
        Ok(())
    }

    /// Stops handling `signum` on this loop; returns whether it was handled.
    ///
    /// The signal's default disposition does not come back: once no loop handles it, the
    /// process ignores it (signal-hook cannot safely reinstall the previous handler).
    pub fn remove_signal_handler(&self, signum: libc::c_int) -> bool {
        let entry = self.core().signals.borrow_mut().entries.remove(&signum);
        match entry {
            Some(entry) => {
                let fd = entry.fd;
                drop(entry);
                self.remove_handler(fd);
                true
            }
            None => false,
        }
    }
}

//! Signals delivered to a loop's thread (`add_signal_handler`). Signals are process-wide,
//! so this binary holds one test that walks through every backend in turn.

mod util;

use std::cell::Cell;
use std::rc::Rc;

use tornado_ioloop::{IOLoop, PollerKind};
use util::LIMIT;

fn raise(signum: libc::c_int) {
    // SAFETY: kill(2) with our own pid and a signal we handle.
    assert_eq!(unsafe { libc::kill(libc::getpid(), signum) }, 0);
}

#[test]
fn signal_handlers_run_on_the_loop_on_every_backend() {
    for kind in PollerKind::ALL {
        let io_loop = IOLoop::with_poller(kind).unwrap();
        let count = Rc::new(Cell::new(0));
        let counter = count.clone();
        io_loop
            .add_signal_handler(libc::SIGUSR1, move || counter.set(counter.get() + 1))
            .unwrap();
        let probe = count.clone();
        io_loop
            .run_sync(
                async move {
                    raise(libc::SIGUSR1);
                    while probe.get() == 0 {
                        tornado_ioloop::sleep(std::time::Duration::from_millis(1)).await;
                    }
                },
                Some(LIMIT),
            )
            .unwrap();
        assert_eq!(count.get(), 1, "{kind}");
        assert!(io_loop.remove_signal_handler(libc::SIGUSR1));
        assert!(!io_loop.remove_signal_handler(libc::SIGUSR1));
        assert_eq!(io_loop.watched_fds(), 0);
        // Signals that must not be caught are refused.
        assert!(io_loop.add_signal_handler(libc::SIGKILL, || {}).is_err());
        assert!(io_loop.add_signal_handler(libc::SIGSEGV, || {}).is_err());
        let err = io_loop.add_signal_handler(4242, || {}).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{err}");
        // Closing the loop unregisters its handlers.
        io_loop.add_signal_handler(libc::SIGUSR2, || {}).unwrap();
        io_loop.close(true).unwrap();
    }
}

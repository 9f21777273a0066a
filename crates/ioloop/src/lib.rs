//! # tornado-ioloop
//!
//! Tornado's event loop for Rust: one thread's reactor and executor. An [`IOLoop`] watches
//! file descriptors with a **level-triggered** poller — epoll, poll or select, chosen per
//! loop, like Tornado 5's `EPollIOLoop`, `PollIOLoop` and `SelectIOLoop` — runs callbacks
//! and timers, and drives `std::future::Future`s. Tornado's `gen`, `concurrent`, `locks`
//! and `queues` modules live here too, as they all stand on the loop.
//!
//! Level-triggered means: while a watched descriptor stays ready, every iteration reports
//! it again, on all three backends. A handler that does not consume the readiness is
//! called again on the next iteration.
//!
//! ```
//! use std::time::Duration;
//! use tornado_ioloop::{IOLoop, sleep};
//!
//! let io_loop = IOLoop::new()?; // epoll, or the backend named by TORNADO_POLLER
//! io_loop.call_later(Duration::from_millis(1), || println!("a timer fired"));
//! let answer = io_loop.run_sync(async {
//!     sleep(Duration::from_millis(2)).await;
//!     42
//! }, None)?;
//! assert_eq!(answer, 42);
//! io_loop.close(false)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## The model
//!
//! - Everything on one loop runs on one thread. Tasks need not be `Send`, so `Rc` and
//!   `RefCell` are the normal tools inside them, and no lock is needed between tasks.
//! - [`IOLoop::current`] is the loop running on this thread. Nothing makes a global loop
//!   behind your back: create one with [`IOLoop::new`] and run it with
//!   [`IOLoop::start`] or [`IOLoop::run_sync`].
//! - From other threads, a [`LoopHandle`] (`Send + Sync`) adds callbacks and wakes the
//!   loop; wakers of tasks may be woken from any thread too.
//! - Each iteration runs the callbacks, due timers and woken tasks that were ready when it
//!   began; whatever they schedule runs on the next iteration, after the poller has been
//!   asked, so a busy task cannot starve I/O or timers.
//! - A panic in a callback or a task is caught and logged on `tornado.application`, and
//!   the loop goes on.
//! - [`clock::instant`] and [`clock::system_time`] read their clock once per iteration
//!   on a loop's thread (as nginx's cached time does), for the many timestamps a server
//!   takes per request that need no better precision.
//!
//! ## Choosing the backend
//!
//! [`IOLoop::new`] builds the configured implementation ([`tornado_util::Configurable`]):
//! the backend named by the `TORNADO_POLLER` environment variable (`epoll`, `poll`,
//! `select`), else epoll. `IOLoop::configure_by_name("poll", ())` changes it for the
//! process; [`IOLoop::with_poller`] picks one for a single loop. The [`poller`] module
//! documents what each costs. select refuses descriptors at or above `FD_SETSIZE` (1024)
//! with an error.
//!
//! ## Differences from Tornado
//!
//! - Tornado 6 runs on asyncio; this crate re-creates Tornado 5's own reactor with
//!   Tornado 6.5's `IOLoop` API. There is no asyncio and so no `AsyncIOLoop` class name.
//! - `IOLoop::current()` panics outside a running loop instead of creating one;
//!   [`IOLoop::try_current`] returns an `Option`. `make_current`, `clear_current`,
//!   `instance` and `install` are gone.
//! - Coroutines are `async` blocks. `run_sync` takes a future (not a function returning
//!   one); `spawn` (asyncio's `create_task`) returns a [`JoinHandle`] that can cancel.
//! - `add_callback` on an `IOLoop` is for the loop's own thread; other threads use
//!   [`LoopHandle::add_callback`]. Callbacks are closures, so `*args` and `**kwargs` are
//!   captured instead of passed.
//! - `add_handler` takes a raw descriptor (Python's integer fd); `close(all_fds = true)`
//!   closes the descriptors that have handlers, so give the loop only descriptors it may
//!   close. [`Registration`] is the task-waking counterpart that `IOStream` uses.
//! - `gen` is `r#gen` (a reserved word in Rust 2024); its functions are exported at the
//!   crate root as well. [`multi`] takes futures of `Result`; [`join_all`] is the
//!   variant for futures that cannot fail. [`timeout`] is a cancelling `with_timeout`.
//! - Deadlines are [`Deadline`]s: an `f64` on `IOLoop::time()`'s wall clock (as Tornado's
//!   floats), a `Duration` from now (as `timedelta`), or an `Instant`.
//! - Removing the last handler of a signal leaves the process ignoring that signal.

mod error;
mod executor;
mod io;
mod ioloop;
mod periodic;
pub mod poller;
mod signals;
mod sys;
mod task;
mod timer;

pub mod clock;
pub mod concurrent;
pub mod r#gen;
pub mod locks;
pub mod queues;

pub use crate::error::{Error, Result, TimeoutError};
pub use crate::executor::ThreadPoolExecutor;
pub use crate::r#gen::{
    Moment, Sleep, WaitIterator, join_all, moment, multi, multi_keyed, sleep, sleep_until, timeout,
    with_timeout,
};
pub use crate::io::Registration;
pub use crate::ioloop::{IOLoop, LoopHandle};
pub use crate::periodic::PeriodicCallback;
pub use crate::poller::{Events, PollerKind};
pub use crate::sys::raise_fd_limit;
pub use crate::task::{JoinError, JoinHandle};
pub use crate::timer::{Deadline, TimeoutHandle};

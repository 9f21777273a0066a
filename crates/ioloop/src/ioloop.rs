//! The `IOLoop`: one thread's reactor and executor.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::fmt;
use std::future::Future;
use std::io;
use std::os::fd::RawFd;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Waker};
use std::time::{Duration, Instant};

use tornado_util::{Configurable, Configuration, Implementation};

use crate::clock;
use crate::concurrent;
use crate::error::Error;
use crate::executor::ThreadPoolExecutor;
use crate::io::{Dispatch, IoTable, Watch};
use crate::poller::{Event, Events, Notifier, Poller, PollerKind};
use crate::signals::Signals;
use crate::task::{
    self, Discard, JoinError, JoinHandle, JoinState, ReadyQueue, Runnable, Task, TaskKey, TaskTable,
};
use crate::timer::{Deadline, TimeoutHandle, TimerAction, Timers, wall_time};

/// Gives every loop of the process a distinct id, so wakers know their loop.
static NEXT_LOOP_ID: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// The loop running on this thread.
    static CURRENT: RefCell<Option<IOLoop>> = const { RefCell::new(None) };
}

/// The part of a loop that other threads may touch: its remote queue and its notifier.
pub(crate) struct Shared {
    pub(crate) id: usize,
    remote: Mutex<Remote>,
    has_remote: AtomicBool,
    notifier: Arc<Notifier>,
    closed: AtomicBool,
}

#[derive(Default)]
struct Remote {
    callbacks: Vec<Box<dyn FnOnce() + Send>>,
    wakes: Vec<TaskKey>,
}

impl Shared {
    fn send(&self, f: impl FnOnce(&mut Remote)) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        f(&mut self.remote.lock().unwrap_or_else(PoisonError::into_inner));
        self.has_remote.store(true, Ordering::Release);
        if let Err(err) = self.notifier.notify() {
            log::error!(target: "tornado.general", "cannot wake the IOLoop: {err}");
        }
    }

    pub(crate) fn push_remote_wake(&self, key: TaskKey) {
        self.send(|remote| remote.wakes.push(key));
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Idle,
    Running,
    Closed,
}

/// The state of one loop. Every `RefCell` here is borrowed only briefly: never across a
/// user callback, a task's poll, or a drop that might run user code.
pub(crate) struct Core {
    pub(crate) shared: Arc<Shared>,
    pub(crate) poller: RefCell<Box<dyn Poller>>,
    pub(crate) io: RefCell<IoTable>,
    pub(crate) timers: RefCell<Timers>,
    callbacks: RefCell<VecDeque<Box<dyn FnOnce()>>>,
    tasks: RefCell<TaskTable>,
    ready: ReadyQueue,
    /// Reused buffers: events from the poller, wakers to wake.
    events: RefCell<Vec<Event>>,
    to_wake: RefCell<Vec<Waker>>,
    state: Cell<State>,
    stopping: Cell<bool>,
    executor: RefCell<Option<Arc<ThreadPoolExecutor>>>,
    pub(crate) signals: RefCell<Signals>,
}

impl Core {
    pub(crate) fn cancel_task(&self, key: TaskKey) {
        let cancelled = self.tasks.borrow_mut().cancel(key);
        if let Some(Some(task)) = cancelled {
            task.drop_future();
            task.fail(JoinError::Cancelled);
        }
    }
}

/// An event loop: Tornado's `IOLoop`, one per thread.
///
/// It watches descriptors with a level-triggered [`Poller`] (epoll, poll or select), runs
/// callbacks and timers, and drives `Future`s spawned on it. Everything on one loop runs on
/// one thread, so tasks need not be `Send`: `Rc` and `RefCell` are fine inside them.
///
/// `IOLoop` is a cheap handle (an `Rc`); clones refer to the same loop. It is not `Send`:
/// to reach a loop from another thread, take a [`LoopHandle`] with [`handle`](Self::handle).
///
/// ```
/// use std::cell::Cell;
/// use std::rc::Rc;
/// use std::time::Duration;
/// use tornado_ioloop::IOLoop;
///
/// let io_loop = IOLoop::new().unwrap();
/// let count = Rc::new(Cell::new(0)); // not Send, and that is fine
/// let total = io_loop
///     .run_sync(
///         {
///             let count = count.clone();
///             async move {
///                 for _ in 0..3 {
///                     tornado_ioloop::sleep(Duration::from_millis(1)).await;
///                     count.set(count.get() + 1);
///                 }
///                 count.get()
///             }
///         },
///         None,
///     )
///     .unwrap();
/// assert_eq!(total, 3);
/// io_loop.close(false).unwrap();
/// ```
///
/// A future that is not `Send` cannot go to another thread's loop through a
/// [`LoopHandle`]:
///
/// ```compile_fail
/// use std::rc::Rc;
/// use tornado_ioloop::IOLoop;
///
/// let io_loop = IOLoop::new().unwrap();
/// let handle = io_loop.handle();
/// let shared = Rc::new(1);
/// std::thread::spawn(move || {
///     handle.spawn_callback(async move { drop(shared) });
/// });
/// ```
#[derive(Clone)]
pub struct IOLoop {
    core: Rc<Core>,
}

impl IOLoop {
    /// The loop is readable.
    pub const READ: Events = Events::READ;
    /// The loop is writable.
    pub const WRITE: Events = Events::WRITE;
    /// An error or hang-up.
    pub const ERROR: Events = Events::ERROR;
    /// No event.
    pub const NONE: Events = Events::NONE;

    /// A new loop, built by the configured implementation (see [`Configurable`]): the
    /// backend named by `TORNADO_POLLER` if it is set, else epoll.
    pub fn new() -> io::Result<IOLoop> {
        <IOLoop as Configurable>::instantiate()
    }

    /// A new loop on the given backend, whatever is configured.
    pub fn with_poller(kind: PollerKind) -> io::Result<IOLoop> {
        Ok(IOLoop::from_poller(kind.build()?))
    }

    /// A new loop around any [`Poller`].
    pub fn from_poller(poller: Box<dyn Poller>) -> IOLoop {
        let shared = Arc::new(Shared {
            id: NEXT_LOOP_ID.fetch_add(1, Ordering::Relaxed),
            remote: Mutex::new(Remote::default()),
            has_remote: AtomicBool::new(false),
            notifier: poller.notifier().clone(),
            closed: AtomicBool::new(false),
        });
        IOLoop {
            core: Rc::new(Core {
                shared,
                poller: RefCell::new(poller),
                io: RefCell::new(IoTable::default()),
                timers: RefCell::new(Timers::default()),
                callbacks: RefCell::new(VecDeque::new()),
                tasks: RefCell::new(TaskTable::default()),
                ready: Rc::new(RefCell::new(VecDeque::new())),
                events: RefCell::new(Vec::with_capacity(1024)),
                to_wake: RefCell::new(Vec::new()),
                state: Cell::new(State::Idle),
                stopping: Cell::new(false),
                executor: RefCell::new(None),
                signals: RefCell::new(Signals::default()),
            }),
        }
    }

    pub(crate) fn core(&self) -> &Rc<Core> {
        &self.core
    }

    /// The loop running on this thread.
    ///
    /// # Panics
    ///
    /// When no loop is running on this thread: there is no implicit global loop. Use
    /// [`try_current`](Self::try_current) where that can happen.
    #[track_caller]
    pub fn current() -> IOLoop {
        match IOLoop::try_current() {
            Some(io_loop) => io_loop,
            None => panic!(
                "IOLoop::current() called outside a running IOLoop: start one with \
                 IOLoop::new()?.run_sync(...) or .start()"
            ),
        }
    }

    /// The loop running on this thread, if any.
    pub fn try_current() -> Option<IOLoop> {
        CURRENT.try_with(|c| c.borrow().clone()).ok().flatten()
    }

    /// Which backend this loop polls with.
    pub fn poller_kind(&self) -> PollerKind {
        self.core.poller.borrow().kind()
    }

    /// A handle for other threads: `add_callback`, `stop`, waking the loop.
    pub fn handle(&self) -> LoopHandle {
        LoopHandle {
            shared: self.core.shared.clone(),
        }
    }

    /// Seconds since the Unix epoch, the clock of [`call_at`](Self::call_at) (Tornado's
    /// `IOLoop.time()`, which is `time.time()`).
    pub fn time(&self) -> f64 {
        wall_time()
    }

    /// The loop is running (inside [`start`](Self::start) or [`run_sync`](Self::run_sync)).
    pub fn is_running(&self) -> bool {
        self.core.state.get() == State::Running
    }

    /// The loop was closed.
    pub fn is_closed(&self) -> bool {
        self.core.state.get() == State::Closed
    }

    fn check_open(&self) -> io::Result<()> {
        if self.is_closed() {
            return Err(io::Error::new(
                io::ErrorKind::NotConnected,
                "the IOLoop is closed",
            ));
        }
        Ok(())
    }

    // ----- callbacks and tasks -----

    /// Runs `callback` on the next iteration of the loop. From another thread, use
    /// [`LoopHandle::add_callback`]. Callbacks added while the loop is closing are dropped.
    pub fn add_callback(&self, callback: impl FnOnce() + 'static) {
        if self.is_closed() {
            return;
        }
        self.core
            .callbacks
            .borrow_mut()
            .push_back(Box::new(callback));
    }

    /// Runs a future on the loop, with no handle to its result (Tornado's
    /// `spawn_callback`). A panic inside it is logged and the loop goes on.
    pub fn spawn_callback(&self, future: impl Future<Output = ()> + 'static) {
        let task = Task::new(future, Discard);
        if self.spawn_task(task.clone()).is_none() {
            task.drop_future();
        }
    }

    /// Runs a future on the loop and returns a [`JoinHandle`]: a future of its output that
    /// can also cancel it. The future need not be `Send`.
    pub fn spawn<F>(&self, future: F) -> JoinHandle<F::Output>
    where
        F: Future + 'static,
    {
        let task = Task::new(future, JoinState::new());
        let key = self.spawn_task(task.clone());
        if key.is_none() {
            task.drop_future();
            task.fail(JoinError::Cancelled);
        }
        JoinHandle {
            cell: task,
            key: key.unwrap_or(0),
            core: Rc::downgrade(&self.core),
        }
    }

    /// Schedules a task's first poll; `None` (and the task untouched) if the loop is closed.
    pub(crate) fn spawn_task(&self, task: Rc<dyn Runnable>) -> Option<TaskKey> {
        if self.is_closed() {
            return None;
        }
        let key = self.core.tasks.borrow_mut().insert(&self.core.shared, task);
        self.core.ready.borrow_mut().push_back(key);
        Some(key)
    }

    /// Calls `callback` with the output of `future` once it is ready (Tornado's
    /// `add_future`, which hands the callback the finished future).
    pub fn add_future<F>(&self, future: F, callback: impl FnOnce(F::Output) + 'static)
    where
        F: Future + 'static,
    {
        self.spawn_callback(async move { callback(future.await) });
    }

    // ----- timers -----

    /// Runs `callback` at `deadline`: an absolute time on [`time`](Self::time)'s clock
    /// (`f64`), a `Duration` from now, or an `Instant` (Tornado's `add_timeout`, which takes
    /// a float or a `timedelta`).
    pub fn add_timeout(
        &self,
        deadline: impl Into<Deadline>,
        callback: impl FnOnce() + 'static,
    ) -> TimeoutHandle {
        let at = deadline.into().to_instant();
        self.core
            .timers
            .borrow_mut()
            .insert(at, TimerAction::Callback(Box::new(callback)))
    }

    /// Runs `callback` after `delay`.
    pub fn call_later(&self, delay: Duration, callback: impl FnOnce() + 'static) -> TimeoutHandle {
        self.add_timeout(Deadline::After(delay), callback)
    }

    /// Runs `callback` at `when`, seconds since the epoch on [`time`](Self::time)'s clock.
    /// A time in the past runs on the next iteration.
    pub fn call_at(&self, when: f64, callback: impl FnOnce() + 'static) -> TimeoutHandle {
        self.add_timeout(Deadline::At(when), callback)
    }

    /// Cancels a timer. Removing one that already fired, or twice, does nothing.
    pub fn remove_timeout(&self, handle: TimeoutHandle) {
        let removed = self.core.timers.borrow_mut().remove(handle);
        drop(removed);
    }

    /// The number of pending timers.
    pub fn pending_timeouts(&self) -> usize {
        self.core.timers.borrow().len()
    }

    /// Schedules a wake-up of `waker` at `at`; for futures that wait on time.
    pub(crate) fn add_waker_timer(&self, at: Instant, waker: &Waker) -> TimeoutHandle {
        self.core
            .timers
            .borrow_mut()
            .insert(at, TimerAction::Wake(waker.clone()))
    }

    // ----- descriptors -----

    /// Calls `handler(fd, events)` whenever `fd` is ready for `events` (level-triggered:
    /// again on every iteration while it stays ready). [`Events::ERROR`] is always watched.
    /// A descriptor can have one handler; adding a second is an error.
    pub fn add_handler(
        &self,
        fd: RawFd,
        handler: impl FnMut(RawFd, Events) + 'static,
        events: Events,
    ) -> io::Result<()> {
        self.insert_handler(fd, Rc::new(RefCell::new(handler)), events, false)
    }

    pub(crate) fn insert_handler(
        &self,
        fd: RawFd,
        callback: crate::io::HandlerFn,
        events: Events,
        internal: bool,
    ) -> io::Result<()> {
        self.check_open()?;
        let token = self.core.io.borrow_mut().insert(
            fd,
            Watch::Handler {
                callback,
                interest: events,
                internal,
            },
        )?;
        let added = self.core.poller.borrow_mut().add(fd, token, events);
        if let Err(err) = added {
            let entry = self.core.io.borrow_mut().remove(token);
            drop(entry);
            return Err(err);
        }
        Ok(())
    }

    /// Changes the events a handler's descriptor is watched for.
    pub fn update_handler(&self, fd: RawFd, events: Events) -> io::Result<()> {
        let mut io = self.core.io.borrow_mut();
        let token = io.token_of(fd);
        let entry = token.and_then(|t| io.get_mut(t));
        match entry.map(|e| &mut e.watch) {
            Some(Watch::Handler { interest, .. }) => {
                *interest = events;
                drop(io);
                self.core
                    .poller
                    .borrow_mut()
                    .modify(fd, token.unwrap_or_default(), events)
            }
            _ => Err(io::Error::new(
                io::ErrorKind::NotFound,
                format!("fd {fd} has no handler on this IOLoop"),
            )),
        }
    }

    /// Stops watching `fd` and drops its handler. Removing a descriptor that has no
    /// handler does nothing. May be called from inside the handler itself.
    pub fn remove_handler(&self, fd: RawFd) {
        let entry = {
            let mut io = self.core.io.borrow_mut();
            match io.token_of(fd) {
                Some(token)
                    if matches!(
                        io.get_mut(token).map(|e| &e.watch),
                        Some(Watch::Handler { .. })
                    ) =>
                {
                    io.remove(token)
                }
                _ => None,
            }
        };
        if entry.is_some() {
            // Already closed descriptors have left the set; nothing to report.
            let _ = self.core.poller.borrow_mut().delete(fd);
        }
        drop(entry);
    }

    /// The number of descriptors watched (handlers and registrations).
    pub fn watched_fds(&self) -> usize {
        self.core.io.borrow().len()
    }

    // ----- running -----

    /// Runs the loop until [`stop`](Self::stop) is called. It is an error to start a loop
    /// that is closed, or while any loop is running on this thread.
    pub fn start(&self) -> io::Result<()> {
        self.check_open()?;
        if IOLoop::try_current().is_some() {
            return Err(io::Error::other(
                "an IOLoop is already running on this thread",
            ));
        }
        CURRENT.with(|c| *c.borrow_mut() = Some(self.clone()));
        task::set_running(Some((self.core.shared.id, self.core.ready.clone())));
        clock::set_running(true);
        self.core.state.set(State::Running);
        let result = self.run();
        self.core.state.set(State::Idle);
        self.core.stopping.set(false);
        clock::set_running(false);
        task::set_running(None);
        CURRENT.with(|c| *c.borrow_mut() = None);
        result
    }

    /// Makes the loop return from [`start`](Self::start) once the current iteration ends.
    /// Called before `start`, the next `start` runs one iteration and returns. From another
    /// thread use [`LoopHandle::stop`].
    pub fn stop(&self) {
        self.core.stopping.set(true);
    }

    fn run(&self) -> io::Result<()> {
        loop {
            self.run_ready_work();
            if self.core.stopping.get() {
                return Ok(());
            }
            self.poll_io()?;
        }
    }

    /// Runs what was ready when this iteration began: callbacks, due timers, woken tasks.
    /// Anything these schedule runs on the next iteration, after the poller has been
    /// checked, so a busy task cannot starve I/O or timers.
    fn run_ready_work(&self) {
        let core = &*self.core;
        let ncallbacks = core.callbacks.borrow().len();
        let ntasks = core.ready.borrow().len();
        clock::new_iteration();
        {
            // No clock read when no timer is scheduled (a server with no timeouts). The
            // reading is the iteration's, shared with whatever runs in it.
            let mut timers = core.timers.borrow_mut();
            if timers.is_scheduled() {
                timers.take_due(clock::instant());
            }
        }

        for _ in 0..ncallbacks {
            let callback = core.callbacks.borrow_mut().pop_front();
            match callback {
                Some(callback) => run_guarded(callback),
                None => break,
            }
        }
        loop {
            let action = core.timers.borrow_mut().pop_due();
            match action {
                Some(TimerAction::Callback(callback)) => run_guarded(callback),
                Some(TimerAction::Wake(waker)) => waker.wake(),
                None => break,
            }
        }
        for _ in 0..ntasks {
            let key = core.ready.borrow_mut().pop_front();
            match key {
                Some(key) => self.poll_task(key),
                None => break,
            }
        }
    }

    fn poll_task(&self, key: TaskKey) {
        let core = &*self.core;
        let Some((task, waker)) = core.tasks.borrow_mut().begin_poll(key) else {
            return;
        };
        let mut cx = Context::from_waker(&waker);
        match catch_unwind(AssertUnwindSafe(|| task.poll_task(&mut cx))) {
            Ok(ready) => {
                let ended = core.tasks.borrow_mut().end_poll(key, task, waker, ready);
                if let Err(task) = ended {
                    if !ready {
                        // Cancelled while it was being polled.
                        run_guarded(|| task.drop_future());
                    }
                    drop_guarded(task);
                }
            }
            Err(payload) => {
                let message = task::panic_message(&*payload);
                log::error!(target: "tornado.application", "Exception in task: panicked at {message:?}");
                core.tasks.borrow_mut().panicked(key);
                run_guarded(|| task.drop_future());
                task.fail(JoinError::Panicked(message));
                drop_guarded((task, waker));
            }
        }
    }

    /// Waits for I/O (not at all if work is pending) and dispatches what is ready.
    fn poll_io(&self) -> io::Result<()> {
        let core = &*self.core;
        let busy = !core.callbacks.borrow().is_empty() || !core.ready.borrow().is_empty();
        let timeout = if busy {
            Some(Duration::ZERO)
        } else {
            core.timers
                .borrow_mut()
                .next_deadline()
                .map(|at| at.saturating_duration_since(Instant::now()))
        };

        let mut events = std::mem::take(&mut *core.events.borrow_mut());
        let mut to_wake = std::mem::take(&mut *core.to_wake.borrow_mut());
        let waited = {
            let mut poller = core.poller.borrow_mut();
            core.io.borrow_mut().sync(&mut **poller, &mut to_wake);
            poller.wait(&mut events, timeout)
        };
        to_wake.drain(..).for_each(Waker::wake);
        *core.to_wake.borrow_mut() = to_wake;

        if core.shared.has_remote.swap(false, Ordering::AcqRel) {
            let remote = std::mem::take(
                &mut *core
                    .shared
                    .remote
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner),
            );
            let mut callbacks = core.callbacks.borrow_mut();
            for callback in remote.callbacks {
                callbacks.push_back(callback);
            }
            core.ready.borrow_mut().extend(remote.wakes);
        }

        for event in &events {
            let dispatch = core.io.borrow_mut().dispatch(event.token, event.events);
            match dispatch {
                Dispatch::Nothing => {}
                Dispatch::Call(handler, fd, ready) => {
                    run_guarded(|| (handler.borrow_mut())(fd, ready));
                }
                Dispatch::Wake(read, write) => {
                    read.into_iter().chain(write).for_each(Waker::wake);
                }
            }
        }
        events.clear();
        *core.events.borrow_mut() = events;
        waited
    }

    /// Runs the loop until `future` finishes, and returns its output (Tornado's
    /// `run_sync`). With a `timeout`, the future is cancelled when it passes and
    /// [`Error::Timeout`] is returned. If the loop is stopped first the future is cancelled
    /// and [`Error::Stopped`] returned; a panic inside it gives [`Error::Panicked`].
    pub fn run_sync<F>(&self, future: F, timeout: Option<Duration>) -> Result<F::Output, Error>
    where
        F: Future + 'static,
    {
        self.check_open()?;
        let handle = self.spawn(future);
        let outcome = Rc::new(RefCell::new(None));
        let watcher = {
            let outcome = outcome.clone();
            let io_loop = self.clone();
            let handle_ref = handle.clone_ref();
            self.spawn(async move {
                let result = handle_ref.await;
                *outcome.borrow_mut() = Some(result);
                io_loop.stop();
            })
        };
        let timed_out = Rc::new(Cell::new(false));
        let timer = timeout.map(|after| {
            let timed_out = timed_out.clone();
            let handle = handle.clone_ref();
            self.call_later(after, move || {
                timed_out.set(true);
                handle.cancel();
            })
        });
        let started = self.start();
        if let Some(timer) = timer {
            self.remove_timeout(timer);
        }
        started?;
        let result = outcome.borrow_mut().take();
        match result {
            Some(Ok(output)) => Ok(output),
            Some(Err(JoinError::Cancelled)) if timed_out.get() => {
                Err(Error::Timeout(timeout.unwrap_or_default()))
            }
            Some(Err(err)) => Err(err.into()),
            None => {
                handle.cancel();
                watcher.cancel();
                Err(Error::Stopped)
            }
        }
    }

    /// Closes the loop: drops every task, callback, timer and handler, and stops
    /// answering other threads. With `all_fds`, also closes each descriptor that has a
    /// handler (give the loop only descriptors it may close, e.g. from `into_raw_fd`).
    /// Closing a running loop is an error; closing twice does nothing.
    pub fn close(&self, all_fds: bool) -> io::Result<()> {
        if self.is_running() {
            return Err(io::Error::other("cannot close a running IOLoop"));
        }
        if self.is_closed() {
            return Ok(());
        }
        let core = &*self.core;
        core.state.set(State::Closed);
        core.shared.closed.store(true, Ordering::Release);
        // Take everything out under short borrows, then drop it all with none held: the
        // drops may run user code that calls back into the loop.
        let signals = std::mem::take(&mut *core.signals.borrow_mut());
        drop(signals);
        let tasks = core.tasks.borrow_mut().drain();
        let callbacks = std::mem::take(&mut *core.callbacks.borrow_mut());
        let timers = core.timers.borrow_mut().drain();
        let entries = core.io.borrow_mut().drain();
        core.ready.borrow_mut().clear();
        let remote = std::mem::take(
            &mut *core
                .shared
                .remote
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        for entry in &entries {
            let _ = core.poller.borrow_mut().delete(entry.fd);
            if all_fds
                && matches!(
                    entry.watch,
                    Watch::Handler {
                        internal: false,
                        ..
                    }
                )
            {
                crate::sys::close_fd(entry.fd);
            }
        }
        for task in &tasks {
            run_guarded(|| task.drop_future());
        }
        drop_guarded((tasks, callbacks, timers, entries, remote));
        core.executor.borrow_mut().take();
        Ok(())
    }

    // ----- executors -----

    /// Runs a blocking function on the loop's thread pool and resolves, on the loop, with
    /// its result (Tornado's `run_in_executor(None, f)`). The pool is made on first use
    /// with five threads per CPU, as Tornado's default executor.
    pub fn run_in_executor<T, F>(&self, f: F) -> concurrent::Future<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let executor = self
            .core
            .executor
            .borrow_mut()
            .get_or_insert_with(|| Arc::new(ThreadPoolExecutor::with_default_size()))
            .clone();
        executor.submit(f)
    }

    /// Replaces the pool used by [`run_in_executor`](Self::run_in_executor).
    pub fn set_default_executor(&self, executor: Arc<ThreadPoolExecutor>) {
        *self.core.executor.borrow_mut() = Some(executor);
    }
}

/// Runs a callback, logging a panic instead of unwinding through the loop.
fn run_guarded(callback: impl FnOnce()) {
    if let Err(payload) = catch_unwind(AssertUnwindSafe(callback)) {
        let message = task::panic_message(&*payload);
        log::error!(target: "tornado.application", "Exception in callback: panicked at {message:?}");
    }
}

/// Drops a value whose destructor might panic, logging instead of unwinding.
fn drop_guarded<T>(value: T) {
    run_guarded(move || drop(value));
}

impl fmt::Debug for IOLoop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IOLoop")
            .field("poller", &self.poller_kind())
            .field("state", &self.core.state.get())
            .field("tasks", &self.core.tasks.borrow().len())
            .field("timers", &self.core.timers.borrow().len())
            .field("fds", &self.core.io.borrow().len())
            .finish()
    }
}

/// A `Send + Sync` handle to an [`IOLoop`], for other threads: Tornado's thread-safe
/// `add_callback`.
#[derive(Clone)]
pub struct LoopHandle {
    shared: Arc<Shared>,
}

impl LoopHandle {
    /// Runs `callback` on the loop's thread, on its next iteration, waking the loop if it
    /// sleeps. Safe from any thread (and from the loop's own). Callbacks sent to a closed
    /// loop are dropped.
    pub fn add_callback(&self, callback: impl FnOnce() + Send + 'static) {
        self.shared
            .send(|remote| remote.callbacks.push(Box::new(callback)));
    }

    /// Runs a `Send` future on the loop (its output is dropped).
    pub fn spawn_callback(&self, future: impl Future<Output = ()> + Send + 'static) {
        self.add_callback(move || IOLoop::current().spawn_callback(future));
    }

    /// Stops the loop from another thread.
    pub fn stop(&self) {
        self.add_callback(|| IOLoop::current().stop());
    }

    /// The loop was closed.
    pub fn is_closed(&self) -> bool {
        self.shared.closed.load(Ordering::Acquire)
    }
}

impl fmt::Debug for LoopHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LoopHandle")
            .field("loop", &self.shared.id)
            .finish()
    }
}

// ----- the Configurable factory -----

static IOLOOP_CONFIGURATION: Configuration<IOLoop> = Configuration::new();

fn build_epoll(_: &()) -> io::Result<IOLoop> {
    IOLoop::with_poller(PollerKind::Epoll)
}

fn build_poll(_: &()) -> io::Result<IOLoop> {
    IOLoop::with_poller(PollerKind::Poll)
}

fn build_select(_: &()) -> io::Result<IOLoop> {
    IOLoop::with_poller(PollerKind::Select)
}

fn build_from_bad_env(_: &()) -> io::Result<IOLoop> {
    // Only reached when TORNADO_POLLER names no backend: report what it says.
    match PollerKind::from_env() {
        Err(err) => Err(err),
        Ok(kind) => IOLoop::with_poller(kind.unwrap_or(PollerKind::Epoll)),
    }
}

impl IOLoop {
    /// The implementation that builds loops on `kind`.
    pub fn implementation(kind: PollerKind) -> Implementation<IOLoop> {
        match kind {
            PollerKind::Epoll => Implementation::new("epoll", build_epoll),
            PollerKind::Poll => Implementation::new("poll", build_poll),
            PollerKind::Select => Implementation::new("select", build_select),
        }
    }
}

/// `IOLoop::new()` builds the configured backend, as Tornado 5's `IOLoop()` built
/// `EPollIOLoop`, `KQueueIOLoop` or `SelectIOLoop`. The default is the backend named by
/// `TORNADO_POLLER` (`epoll`, `poll` or `select`), else epoll.
///
/// ```
/// use tornado_ioloop::{IOLoop, PollerKind};
/// use tornado_util::Configurable;
///
/// let saved = IOLoop::save_configuration();
/// IOLoop::configure_by_name("poll", ()).unwrap();
/// assert_eq!(IOLoop::new().unwrap().poller_kind(), PollerKind::Poll);
/// IOLoop::restore_configuration(saved);
/// ```
impl Configurable for IOLoop {
    type Instance = io::Result<IOLoop>;
    type Options = ();

    fn configuration() -> &'static Configuration<Self> {
        &IOLOOP_CONFIGURATION
    }

    fn configurable_default() -> Implementation<Self> {
        match PollerKind::from_env() {
            Ok(kind) => IOLoop::implementation(kind.unwrap_or(PollerKind::Epoll)),
            Err(_) => Implementation::new("TORNADO_POLLER (invalid)", build_from_bad_env),
        }
    }

    fn implementations() -> Vec<Implementation<Self>> {
        PollerKind::ALL
            .into_iter()
            .map(IOLoop::implementation)
            .collect()
    }
}

//! A pool of threads for blocking work: Python's `ThreadPoolExecutor`, behind
//! [`IOLoop::run_in_executor`](crate::IOLoop::run_in_executor).
//!
//! Threads are started on demand, up to `max_workers`, and leave after a minute without
//! work. Each job's result travels back through a [`concurrent::Future`], which wakes the
//! loop that awaits it from the worker's thread.

use std::collections::VecDeque;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use crate::concurrent::{self, future_pair};
use crate::error::Error;
use crate::task::panic_message;

type Job = Box<dyn FnOnce() + Send>;

/// How long an idle worker waits for a job before its thread ends.
const IDLE_TIMEOUT: Duration = Duration::from_secs(60);

struct PoolState {
    jobs: VecDeque<Job>,
    threads: usize,
    idle: usize,
    shutdown: bool,
}

struct Pool {
    state: Mutex<PoolState>,
    available: Condvar,
    max_workers: usize,
}

/// A bounded pool of worker threads. Cheap to share (`Arc`); dropping the last reference
/// lets queued jobs finish and then the workers leave.
pub struct ThreadPoolExecutor {
    pool: Arc<Pool>,
}

impl ThreadPoolExecutor {
    /// A pool of at most `max_workers` threads (at least one).
    pub fn new(max_workers: usize) -> ThreadPoolExecutor {
        ThreadPoolExecutor {
            pool: Arc::new(Pool {
                state: Mutex::new(PoolState {
                    jobs: VecDeque::new(),
                    threads: 0,
                    idle: 0,
                    shutdown: false,
                }),
                available: Condvar::new(),
                max_workers: max_workers.max(1),
            }),
        }
    }

    /// Tornado's default size: five threads per CPU.
    pub fn with_default_size() -> ThreadPoolExecutor {
        let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
        ThreadPoolExecutor::new(cpus * 5)
    }

    /// The most threads this pool runs at once.
    pub fn max_workers(&self) -> usize {
        self.pool.max_workers
    }

    /// Runs `f` on a worker thread. The returned future resolves with its result, or with
    /// [`Error::Panicked`] if it panicked. Await it on any loop.
    pub fn submit<T, F>(&self, f: F) -> concurrent::Future<T>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        let (promise, future) = future_pair();
        let job: Job = Box::new(move || {
            if promise.is_cancelled() {
                return;
            }
            match catch_unwind(AssertUnwindSafe(f)) {
                Ok(value) => {
                    promise.set_result(value);
                }
                Err(payload) => {
                    promise.set_error(Error::Panicked(panic_message(&*payload)));
                }
            }
        });
        let mut state = self
            .pool
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.jobs.push_back(job);
        if state.idle == 0 && state.threads < self.pool.max_workers {
            let pool = self.pool.clone();
            let spawned = std::thread::Builder::new()
                .name("tornado-executor".into())
                .spawn(move || work(&pool));
            match spawned {
                Ok(_) => state.threads += 1,
                Err(err) => {
                    log::error!(target: "tornado.general", "cannot start an executor thread: {err}");
                }
            }
        } else {
            self.pool.available.notify_one();
        }
        future
    }
}

fn work(pool: &Pool) {
    let mut state = pool.state.lock().unwrap_or_else(PoisonError::into_inner);
    loop {
        if let Some(job) = state.jobs.pop_front() {
            drop(state);
            job();
            state = pool.state.lock().unwrap_or_else(PoisonError::into_inner);
            continue;
        }
        if state.shutdown {
            break;
        }
        state.idle += 1;
        let (next, timeout) = pool
            .available
            .wait_timeout(state, IDLE_TIMEOUT)
            .unwrap_or_else(PoisonError::into_inner);
        state = next;
        state.idle -= 1;
        if timeout.timed_out() && state.jobs.is_empty() {
            break;
        }
    }
    state.threads -= 1;
}

impl Drop for ThreadPoolExecutor {
    fn drop(&mut self) {
        let mut state = self
            .pool
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        state.shutdown = true;
        self.pool.available.notify_all();
    }
}

impl fmt::Debug for ThreadPoolExecutor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = self
            .pool
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("ThreadPoolExecutor")
            .field("max_workers", &self.pool.max_workers)
            .field("threads", &state.threads)
            .field("queued", &state.jobs.len())
            .finish()
    }
}

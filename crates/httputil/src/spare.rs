//! Per-thread spares: what a dropped object gives back for the next one to take (header
//! stores, request targets), so that a server allocates nothing for them per request.

use std::cell::RefCell;
use std::thread::LocalKey;

/// At most this many spares of one kind are kept per thread.
const MAX_KEPT: usize = 64;

/// The spares of one kind, in a `thread_local!`.
pub(crate) type Spares<T> = RefCell<Vec<T>>;

/// A spare, if the thread has one (none while the thread is being torn down).
#[inline]
pub(crate) fn take<T>(spares: &'static LocalKey<Spares<T>>) -> Option<T> {
    spares.try_with(|s| s.borrow_mut().pop()).ok().flatten()
}

/// Keeps `value` for [`take`], unless the thread already keeps enough.
#[inline]
pub(crate) fn keep<T>(spares: &'static LocalKey<Spares<T>>, value: T) {
    let _ = spares.try_with(|s| {
        let mut s = s.borrow_mut();
        if s.len() < MAX_KEPT {
            s.push(value);
        }
    });
}

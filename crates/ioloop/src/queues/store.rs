//! Where a queue keeps its items: first in first out, last in first out, or a binary
//! heap that pops the smallest (Tornado's `_init`/`_put`/`_get` hooks).

use std::collections::VecDeque;
use std::fmt;

/// Whether `a` sorts before `b` (the heap's only comparison, Python's `<`).
type Less<T> = fn(&T, &T) -> bool;

pub(super) enum Store<T> {
    Fifo(VecDeque<T>),
    Lifo(Vec<T>),
    Priority { heap: Vec<T>, less: Less<T> },
}

impl<T> Store<T> {
    pub(super) fn priority() -> Store<T>
    where
        T: Ord,
    {
        Store::Priority {
            heap: Vec::new(),
            less: |a, b| a < b,
        }
    }

    /// The Tornado class this store makes a queue of.
    pub(super) fn class_name(&self) -> &'static str {
        match self {
            Store::Fifo(_) => "Queue",
            Store::Lifo(_) => "LifoQueue",
            Store::Priority { .. } => "PriorityQueue",
        }
    }

    pub(super) fn len(&self) -> usize {
        match self {
            Store::Fifo(items) => items.len(),
            Store::Lifo(items) => items.len(),
            Store::Priority { heap, .. } => heap.len(),
        }
    }

    pub(super) fn push(&mut self, item: T) {
        match self {
            Store::Fifo(items) => items.push_back(item),
            Store::Lifo(items) => items.push(item),
            Store::Priority { heap, less } => heap_push(heap, *less, item),
        }
    }

    pub(super) fn pop(&mut self) -> Option<T> {
        match self {
            Store::Fifo(items) => items.pop_front(),
            Store::Lifo(items) => items.pop(),
            Store::Priority { heap, less } => heap_pop(heap, *less),
        }
    }

    /// Puts back an item just popped, so that it comes out next (a getter that went away
    /// without taking it).
    pub(super) fn unpop(&mut self, item: T) {
        match self {
            Store::Fifo(items) => items.push_front(item),
            Store::Lifo(_) | Store::Priority { .. } => self.push(item),
        }
    }

    /// The items as Python prints the container: `deque([1, 2])` or `[1, 2]` (a heap in
    /// its array order).
    pub(super) fn fmt_items(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result
    where
        T: fmt::Debug,
    {
        fn list<'a, T: fmt::Debug + 'a>(
            f: &mut fmt::Formatter<'_>,
            items: impl Iterator<Item = &'a T>,
        ) -> fmt::Result {
            f.write_str("[")?;
            for (i, item) in items.enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{item:?}")?;
            }
            f.write_str("]")
        }
        match self {
            Store::Fifo(items) => {
                f.write_str("deque(")?;
                list(f, items.iter())?;
                f.write_str(")")
            }
            Store::Lifo(items) => list(f, items.iter()),
            Store::Priority { heap, .. } => list(f, heap.iter()),
        }
    }
}

// The heap is Python's `heapq`, comparison for comparison, so that items that compare
// equal come out in the order Tornado's PriorityQueue gives them, and `Debug` shows the
// same array.

fn heap_push<T>(heap: &mut Vec<T>, less: Less<T>, item: T) {
    heap.push(item);
    let last = heap.len() - 1;
    sift_down(heap, less, 0, last);
}

fn heap_pop<T>(heap: &mut Vec<T>, less: Less<T>) -> Option<T> {
    let last = heap.pop()?;
    if heap.is_empty() {
        return Some(last);
    }
    let top = std::mem::replace(&mut heap[0], last);
    sift_up(heap, less, 0);
    Some(top)
}

/// Moves the item at `pos` towards the root (`start`) while it sorts before its parent
/// (heapq's `_siftdown`).
fn sift_down<T>(heap: &mut [T], less: Less<T>, start: usize, mut pos: usize) {
    while pos > start {
        let parent = (pos - 1) / 2;
        if less(&heap[pos], &heap[parent]) {
            heap.swap(pos, parent);
            pos = parent;
        } else {
            break;
        }
    }
}

/// Moves the item at `pos` down to a leaf along the smaller children, then back up to its
/// place (heapq's `_siftup`, which compares fewer times than a classic sift).
fn sift_up<T>(heap: &mut [T], less: Less<T>, start: usize) {
    let end = heap.len();
    let mut pos = start;
    let mut child = 2 * pos + 1;
    while child < end {
        let right = child + 1;
        if right < end && !less(&heap[child], &heap[right]) {
            child = right;
        }
        heap.swap(pos, child);
        pos = child;
        child = 2 * pos + 1;
    }
    sift_down(heap, less, start, pos);
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Items<'a>(&'a Store<i32>);

    impl fmt::Debug for Items<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.fmt_items(f)
        }
    }

    #[test]
    fn heap_matches_python_heapq() {
        // python3 -c "import heapq; h=[]; [heapq.heappush(h, x) for x in [5,3,8,1,9,2,7]]; print(h); print(heapq.heappop(h), h)"
        // [1, 3, 2, 5, 9, 8, 7]
        // 1 [2, 3, 7, 5, 9, 8]
        let mut store = Store::priority();
        for x in [5, 3, 8, 1, 9, 2, 7] {
            store.push(x);
        }
        assert_eq!(format!("{:?}", Items(&store)), "[1, 3, 2, 5, 9, 8, 7]");
        assert_eq!(store.pop(), Some(1));
        assert_eq!(format!("{:?}", Items(&store)), "[2, 3, 7, 5, 9, 8]");
        let mut sorted = Vec::new();
        while let Some(x) = store.pop() {
            sorted.push(x);
        }
        assert_eq!(sorted, [2, 3, 5, 7, 8, 9]);
        assert_eq!(store.pop(), None);
    }

    #[test]
    fn unpop_makes_the_item_next() {
        let mut fifo = Store::Fifo(VecDeque::new());
        fifo.push(1);
        fifo.push(2);
        let first = fifo.pop();
        assert_eq!(first, Some(1));
        fifo.unpop(1);
        assert_eq!(format!("{:?}", Items(&fifo)), "deque([1, 2])");
        let mut lifo = Store::Lifo(Vec::new());
        lifo.push(1);
        lifo.push(2);
        let top = lifo.pop();
        assert_eq!(top, Some(2));
        lifo.unpop(2);
        assert_eq!(lifo.pop(), Some(2));
        assert_eq!(lifo.class_name(), "LifoQueue");
    }
}

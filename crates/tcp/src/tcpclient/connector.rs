//! Tornado's `_Connector`: "Happy Eyeballs" (RFC 6555) as a small state machine without
//! I/O, so that it can be driven by real connections or by a test.
//!
//! The addresses are split by family: the family of the first address is the primary,
//! the rest the secondary. One attempt runs per family at a time. The first primary
//! address is tried at once; when it fails, or when the caller's short timer
//! ([`INITIAL_CONNECT_TIMEOUT`]) fires first, the secondary family starts too. A failed
//! attempt moves on to the next address of its family. The first success wins and every
//! other attempt is cancelled; when every address has failed, the result lists every
//! error. The caller's overall deadline cancels everything.
//!
//! The machine says what to do through [`Command`]s; the caller starts and cancels
//! attempts and reports back with [`Connector::on_connect_done`],
//! [`Connector::on_timeout`] and [`Connector::on_connect_timeout`].

use std::collections::VecDeque;
use std::time::Duration;

/// How long the primary family has before the secondary one is tried in parallel
/// (Tornado's `_INITIAL_CONNECT_TIMEOUT`, 0.3 s).
pub const INITIAL_CONNECT_TIMEOUT: Duration = Duration::from_millis(300);

/// Something with an address family, to split addresses by.
pub(crate) trait HasFamily {
    /// A value equal for addresses of one family.
    type Family: PartialEq + Copy;
    fn family(&self) -> Self::Family;
}

impl HasFamily for std::net::SocketAddr {
    type Family = bool;
    fn family(&self) -> bool {
        self.is_ipv4()
    }
}

/// What the caller must do.
#[derive(Debug, PartialEq)]
pub(crate) enum Command<A, S> {
    /// Start attempt `id` to `address`; report with `on_connect_done(id, ...)`.
    Connect { id: usize, address: A },
    /// Abandon attempt `id` (its connection, if any, is closed with it).
    Cancel { id: usize },
    /// Close a connection that succeeded after the race was decided.
    Close(S),
}

/// How the race ended.
#[derive(Debug, PartialEq)]
pub(crate) enum Outcome<A, S, E> {
    /// Connected to `A`.
    Connected(A, S),
    /// Every address failed; the errors in the order they came.
    Failed(Vec<(A, E)>),
    /// The overall deadline passed; the errors so far.
    TimedOut(Vec<(A, E)>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Queue {
    Primary,
    Secondary,
}

struct Attempt<A> {
    id: usize,
    address: A,
    queue: Queue,
}

pub(crate) struct Connector<A, S, E> {
    primary: VecDeque<A>,
    secondary: VecDeque<A>,
    /// The secondary family was started (by the timer or by a primary failure).
    secondary_started: bool,
    /// The short timer is still meaningful (Tornado's `self.timeout is not None`).
    timer_armed: bool,
    in_flight: Vec<Attempt<A>>,
    next_id: usize,
    /// Attempts not yet reported.
    remaining: usize,
    errors: Vec<(A, E)>,
    decided: bool,
    outcome: Option<Outcome<A, S, E>>,
    commands: Vec<Command<A, S>>,
}

impl<A: HasFamily + Clone, S, E> Connector<A, S, E> {
    /// A connector over `addresses`, in resolver order.
    pub(crate) fn new(addresses: Vec<A>) -> Self {
        let remaining = addresses.len();
        let (primary, secondary) = split(addresses);
        Connector {
            primary: primary.into(),
            secondary: secondary.into(),
            secondary_started: false,
            timer_armed: false,
            in_flight: Vec::new(),
            next_id: 0,
            remaining,
            errors: Vec::new(),
            decided: false,
            outcome: None,
            commands: Vec::new(),
        }
    }

    /// Starts the first primary attempt; the caller arms its short timer (Tornado's
    /// `start`).
    pub(crate) fn start(&mut self) {
        self.timer_armed = true;
        self.try_connect(Queue::Primary);
    }

    /// There are addresses of a second family, for the short timer to start.
    pub(crate) fn has_secondary(&self) -> bool {
        !self.secondary.is_empty()
    }

    /// The short timer should still fire; once false the caller may drop it.
    pub(crate) fn timer_armed(&self) -> bool {
        self.timer_armed && !self.decided
    }

    /// The commands to carry out, in order.
    pub(crate) fn take_commands(&mut self) -> std::vec::Drain<'_, Command<A, S>> {
        self.commands.drain(..)
    }

    /// The outcome, once decided (given once).
    pub(crate) fn take_outcome(&mut self) -> Option<Outcome<A, S, E>> {
        self.outcome.take()
    }

    fn try_connect(&mut self, queue: Queue) {
        let next = match queue {
            Queue::Primary => self.primary.pop_front(),
            Queue::Secondary => self.secondary.pop_front(),
        };
        let Some(address) = next else {
            // This family is exhausted; the race fails only when the other one is too.
            if self.remaining == 0 && !self.decided {
                let errors = std::mem::take(&mut self.errors);
                self.decide(Outcome::Failed(errors));
            }
            return;
        };
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight.push(Attempt {
            id,
            address: address.clone(),
            queue,
        });
        self.commands.push(Command::Connect { id, address });
    }

    /// Attempt `id` finished (Tornado's `on_connect_done`).
    pub(crate) fn on_connect_done(&mut self, id: usize, result: Result<S, E>) {
        self.remaining = self.remaining.saturating_sub(1);
        let attempt = self
            .in_flight
            .iter()
            .position(|a| a.id == id)
            .map(|i| self.in_flight.remove(i));
        match result {
            Err(err) => {
                let Some(attempt) = attempt else { return };
                if self.decided {
                    return;
                }
                self.errors.push((attempt.address, err));
                self.try_connect(attempt.queue);
                if self.timer_armed {
                    // A failure need not wait for the timer to try the other family.
                    self.on_timeout();
                }
            }
            Ok(stream) => {
                self.timer_armed = false;
                match attempt {
                    Some(attempt) if !self.decided => {
                        self.decide(Outcome::Connected(attempt.address, stream));
                    }
                    // A late arrival: the race is over.
                    _ => self.commands.push(Command::Close(stream)),
                }
            }
        }
    }

    /// The short timer fired: start the secondary family (Tornado's `on_timeout`).
    pub(crate) fn on_timeout(&mut self) {
        self.timer_armed = false;
        if !self.decided && !self.secondary_started {
            self.secondary_started = true;
            self.try_connect(Queue::Secondary);
        }
    }

    /// The overall deadline passed (Tornado's `on_connect_timeout`).
    pub(crate) fn on_connect_timeout(&mut self) {
        if !self.decided {
            let errors = std::mem::take(&mut self.errors);
            self.decide(Outcome::TimedOut(errors));
        }
    }

    /// Ends the race and cancels every attempt still in flight.
    fn decide(&mut self, outcome: Outcome<A, S, E>) {
        self.decided = true;
        self.timer_armed = false;
        self.outcome = Some(outcome);
        for attempt in self.in_flight.drain(..) {
            self.commands.push(Command::Cancel { id: attempt.id });
        }
    }
}

/// Splits addresses into the family of the first one and the others (Tornado's
/// `_Connector.split`).
pub(crate) fn split<A: HasFamily>(addresses: Vec<A>) -> (Vec<A>, Vec<A>) {
    let Some(first) = addresses.first().map(HasFamily::family) else {
        return (Vec::new(), Vec::new());
    };
    addresses.into_iter().partition(|a| a.family() == first)
}

#[cfg(test)]
mod tests {
    //! Tornado's `TestConnectorSplit` and `ConnectorTest`, with fake addresses
    //! `(family, name)` and fake streams.

    use super::*;

    type Addr = (u8, &'static str);

    impl HasFamily for Addr {
        type Family = u8;
        fn family(&self) -> u8 {
            self.0
        }
    }

    const AF1: u8 = 1;
    const AF2: u8 = 2;

    /// A fake stream: the name of the address it connected to.
    type Stream = &'static str;

    /// Drives a connector and records what it asked for.
    struct Harness {
        conn: Connector<Addr, Stream, &'static str>,
        /// Attempts started and not cancelled: `address -> id`.
        pending: Vec<(Addr, usize)>,
        cancelled: Vec<Addr>,
        closed: Vec<Stream>,
        outcome: Option<Outcome<Addr, Stream, &'static str>>,
    }

    impl Harness {
        fn start(addresses: &[Addr]) -> Harness {
            let mut h = Harness {
                conn: Connector::new(addresses.to_vec()),
                pending: Vec::new(),
                cancelled: Vec::new(),
                closed: Vec::new(),
                outcome: None,
            };
            h.conn.start();
            h.apply();
            h
        }

        fn apply(&mut self) {
            let commands: Vec<_> = self.conn.take_commands().collect();
            for command in commands {
                match command {
                    Command::Connect { id, address } => self.pending.push((address, id)),
                    Command::Cancel { id } => {
                        let i = self.pending.iter().position(|(_, p)| *p == id).unwrap();
                        self.cancelled.push(self.pending.remove(i).0);
                    }
                    Command::Close(stream) => self.closed.push(stream),
                }
            }
            if let Some(outcome) = self.conn.take_outcome() {
                assert!(self.outcome.is_none(), "decided twice");
                self.outcome = Some(outcome);
            }
        }

        fn assert_pending(&self, expected: &[Addr]) {
            let mut pending: Vec<Addr> = self.pending.iter().map(|(a, _)| *a).collect();
            pending.sort();
            let mut expected = expected.to_vec();
            expected.sort();
            assert_eq!(pending, expected);
        }

        /// Finishes the attempt to `address` (which must be pending, or cancelled when
        /// `late`).
        fn resolve(&mut self, address: Addr, success: bool) {
            let id = match self.pending.iter().position(|(a, _)| *a == address) {
                Some(i) => self.pending.remove(i).1,
                None => panic!("{address:?} is not pending"),
            };
            self.finish(id, address, success);
        }

        fn finish(&mut self, id: usize, address: Addr, success: bool) {
            let result = if success {
                Ok(address.1)
            } else {
                Err("refused")
            };
            self.conn.on_connect_done(id, result);
            self.apply();
        }

        fn timeout(&mut self) {
            self.conn.on_timeout();
            self.apply();
        }

        fn connect_timeout(&mut self) {
            self.conn.on_connect_timeout();
            self.apply();
        }

        fn connected(&self) -> Option<(Addr, Stream)> {
            match &self.outcome {
                Some(Outcome::Connected(a, s)) => Some((*a, *s)),
                _ => None,
            }
        }

        fn failed(&self) -> bool {
            matches!(self.outcome, Some(Outcome::Failed(_)))
        }

        fn timed_out(&self) -> bool {
            matches!(self.outcome, Some(Outcome::TimedOut(_)))
        }
    }

    fn four() -> Vec<Addr> {
        vec![(AF1, "a"), (AF1, "b"), (AF2, "c"), (AF2, "d")]
    }

    #[test]
    fn split_one_family() {
        let (primary, secondary) = split(vec![(AF1, "a"), (AF1, "b")]);
        assert_eq!(primary, [(AF1, "a"), (AF1, "b")]);
        assert!(secondary.is_empty());
    }

    #[test]
    fn split_mixed() {
        let (primary, secondary) = split(vec![(AF1, "a"), (AF2, "b"), (AF1, "c"), (AF2, "d")]);
        assert_eq!(primary, [(AF1, "a"), (AF1, "c")]);
        assert_eq!(secondary, [(AF2, "b"), (AF2, "d")]);
        assert_eq!(split::<Addr>(vec![]), (vec![], vec![]));
    }

    #[test]
    fn immediate_success() {
        let mut h = Harness::start(&four());
        h.assert_pending(&[(AF1, "a")]);
        h.resolve((AF1, "a"), true);
        assert_eq!(h.connected(), Some(((AF1, "a"), "a")));
        assert!(h.cancelled.is_empty() && h.closed.is_empty());
    }

    #[test]
    fn immediate_failure() {
        let mut h = Harness::start(&[(AF1, "a")]);
        h.assert_pending(&[(AF1, "a")]);
        h.resolve((AF1, "a"), false);
        assert_eq!(
            h.outcome,
            Some(Outcome::Failed(vec![((AF1, "a"), "refused")]))
        );
    }

    #[test]
    fn one_family_second_try() {
        let mut h = Harness::start(&[(AF1, "a"), (AF1, "b")]);
        h.assert_pending(&[(AF1, "a")]);
        h.resolve((AF1, "a"), false);
        h.assert_pending(&[(AF1, "b")]);
        h.resolve((AF1, "b"), true);
        assert_eq!(h.connected(), Some(((AF1, "b"), "b")));
    }

    #[test]
    fn one_family_second_try_failure() {
        let mut h = Harness::start(&[(AF1, "a"), (AF1, "b")]);
        h.resolve((AF1, "a"), false);
        h.assert_pending(&[(AF1, "b")]);
        h.resolve((AF1, "b"), false);
        // Every error is kept, in order.
        assert_eq!(
            h.outcome,
            Some(Outcome::Failed(vec![
                ((AF1, "a"), "refused"),
                ((AF1, "b"), "refused")
            ]))
        );
    }

    #[test]
    fn one_family_second_try_timeout() {
        let mut h = Harness::start(&[(AF1, "a"), (AF1, "b")]);
        // The timer fires while the first attempt is pending: nothing to start.
        h.timeout();
        h.assert_pending(&[(AF1, "a")]);
        h.resolve((AF1, "a"), false);
        h.assert_pending(&[(AF1, "b")]);
        h.resolve((AF1, "b"), true);
        assert_eq!(h.connected(), Some(((AF1, "b"), "b")));
    }

    #[test]
    fn two_families_immediate_failure() {
        let mut h = Harness::start(&four());
        h.resolve((AF1, "a"), false);
        // The failure starts the other family without waiting for the timer.
        h.assert_pending(&[(AF1, "b"), (AF2, "c")]);
        assert!(!h.conn.timer_armed());
        h.resolve((AF1, "b"), false);
        h.resolve((AF2, "c"), true);
        assert_eq!(h.connected(), Some(((AF2, "c"), "c")));
    }

    #[test]
    fn two_families_timeout() {
        let mut h = Harness::start(&four());
        h.timeout();
        h.assert_pending(&[(AF1, "a"), (AF2, "c")]);
        h.resolve((AF2, "c"), true);
        assert_eq!(h.connected(), Some(((AF2, "c"), "c")));
        // The losing attempt is cancelled, and 'b' is never started.
        assert_eq!(h.cancelled, [(AF1, "a")]);
        h.assert_pending(&[]);
    }

    #[test]
    fn success_after_timeout() {
        let mut h = Harness::start(&four());
        h.timeout();
        h.assert_pending(&[(AF1, "a"), (AF2, "c")]);
        h.resolve((AF1, "a"), true);
        assert_eq!(h.connected(), Some(((AF1, "a"), "a")));
        assert_eq!(h.cancelled, [(AF2, "c")]);
        // Should 'c' still succeed (its cancellation raced with it), it is closed.
        h.finish(1, (AF2, "c"), true);
        assert_eq!(h.closed, ["c"]);
    }

    #[test]
    fn all_fail() {
        let mut h = Harness::start(&four());
        h.timeout();
        h.assert_pending(&[(AF1, "a"), (AF2, "c")]);
        h.resolve((AF2, "c"), false);
        h.assert_pending(&[(AF1, "a"), (AF2, "d")]);
        h.resolve((AF2, "d"), false);
        // One family is exhausted; the other goes on.
        h.assert_pending(&[(AF1, "a")]);
        h.resolve((AF1, "a"), false);
        h.assert_pending(&[(AF1, "b")]);
        assert!(h.outcome.is_none());
        h.resolve((AF1, "b"), false);
        match &h.outcome {
            Some(Outcome::Failed(errors)) => {
                let order: Vec<_> = errors.iter().map(|(a, _)| a.1).collect();
                assert_eq!(order, ["c", "d", "a", "b"]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn one_family_timeout_after_connect_timeout() {
        let mut h = Harness::start(&[(AF1, "a"), (AF1, "b")]);
        h.connect_timeout();
        // Every attempt is cancelled on the overall timeout.
        assert_eq!(h.cancelled, [(AF1, "a")]);
        h.timeout();
        // Once timed out, no other address is tried.
        h.assert_pending(&[]);
        assert!(h.timed_out());
    }

    #[test]
    fn one_family_success_before_connect_timeout() {
        let mut h = Harness::start(&[(AF1, "a"), (AF1, "b")]);
        h.resolve((AF1, "a"), true);
        h.connect_timeout();
        h.assert_pending(&[]);
        assert!(h.cancelled.is_empty() && h.closed.is_empty());
        assert_eq!(h.connected(), Some(((AF1, "a"), "a")));
    }

    #[test]
    fn one_family_second_try_after_connect_timeout() {
        let mut h = Harness::start(&[(AF1, "a"), (AF1, "b")]);
        h.resolve((AF1, "a"), false);
        h.assert_pending(&[(AF1, "b")]);
        h.connect_timeout();
        assert_eq!(h.cancelled, [(AF1, "b")]);
        h.assert_pending(&[]);
        assert_eq!(
            h.outcome,
            Some(Outcome::TimedOut(vec![((AF1, "a"), "refused")]))
        );
    }

    #[test]
    fn one_family_second_try_failure_before_connect_timeout() {
        let mut h = Harness::start(&[(AF1, "a"), (AF1, "b")]);
        h.resolve((AF1, "a"), false);
        h.resolve((AF1, "b"), false);
        h.connect_timeout();
        h.assert_pending(&[]);
        assert!(h.failed(), "the failure came first");
    }

    #[test]
    fn two_family_timeout_before_connect_timeout() {
        let mut h = Harness::start(&four());
        h.timeout();
        h.assert_pending(&[(AF1, "a"), (AF2, "c")]);
        h.connect_timeout();
        h.assert_pending(&[]);
        let mut cancelled = h.cancelled.clone();
        cancelled.sort();
        assert_eq!(cancelled, [(AF1, "a"), (AF2, "c")]);
        assert!(h.timed_out());
    }

    #[test]
    fn two_family_success_after_timeout() {
        let mut h = Harness::start(&four());
        h.timeout();
        h.resolve((AF1, "a"), true);
        // The winner cancels every other attempt.
        assert_eq!(h.cancelled, [(AF2, "c")]);
        h.assert_pending(&[]);
        assert_eq!(h.connected(), Some(((AF1, "a"), "a")));
    }

    #[test]
    fn two_family_timeout_after_connect_timeout() {
        let mut h = Harness::start(&four());
        h.connect_timeout();
        assert_eq!(h.cancelled, [(AF1, "a")]);
        h.timeout();
        // Timed out: the secondary family is not started.
        h.assert_pending(&[]);
        assert!(h.timed_out());
    }

    #[test]
    fn a_late_failure_after_success_changes_nothing() {
        let mut h = Harness::start(&four());
        h.timeout();
        h.resolve((AF2, "c"), true);
        h.finish(0, (AF1, "a"), false);
        h.assert_pending(&[]);
        assert_eq!(h.connected(), Some(((AF2, "c"), "c")));
        assert!(h.closed.is_empty());
    }

    #[test]
    fn no_addresses_fail_at_once() {
        let mut h = Harness::start(&[]);
        assert_eq!(h.outcome, Some(Outcome::Failed(vec![])));
        h.timeout();
        h.assert_pending(&[]);
    }
}

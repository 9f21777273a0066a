//! `IOLoop` as a `Configurable`, and `TORNADO_POLLER`. The configuration is process-wide,
//! so this binary holds a single test.

use tornado_ioloop::{IOLoop, PollerKind};
use tornado_util::Configurable;

#[test]
fn configure_and_environment_choose_the_backend() {
    // What the environment says, if anything, is the default.
    let from_env = PollerKind::from_env().unwrap().unwrap_or(PollerKind::Epoll);
    assert_eq!(IOLoop::configured_class().name(), from_env.name());
    assert_eq!(IOLoop::new().unwrap().poller_kind(), from_env);

    let saved = IOLoop::save_configuration();
    for kind in PollerKind::ALL {
        IOLoop::configure_by_name(kind.name(), ()).unwrap();
        assert_eq!(IOLoop::configured_class().name(), kind.name());
        let io_loop = IOLoop::new().unwrap();
        assert_eq!(io_loop.poller_kind(), kind);
        assert_eq!(io_loop.run_sync(async { 1 }, None).unwrap(), 1);
        io_loop.close(false).unwrap();
    }
    let err = IOLoop::configure_by_name("kqueue", ()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "IOLoop has no implementation named \"kqueue\" (known: epoll, poll, select)"
    );
    IOLoop::configure(IOLoop::implementation(PollerKind::Select), ());
    assert_eq!(IOLoop::new().unwrap().poller_kind(), PollerKind::Select);
    IOLoop::restore_configuration(saved);
    assert_eq!(IOLoop::new().unwrap().poller_kind(), from_env);

    // A value naming no backend is an error that says what is allowed.
    let previous = std::env::var_os("TORNADO_POLLER");
    // SAFETY: this binary runs one test, on one thread: nothing reads the environment
    // concurrently.
    unsafe { std::env::set_var("TORNADO_POLLER", "kqueue") };
    let err = IOLoop::new().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(
        err.to_string().contains("expected epoll, poll or select"),
        "{err}"
    );
    // SAFETY: as above.
    unsafe { std::env::set_var("TORNADO_POLLER", "poll") };
    assert_eq!(IOLoop::new().unwrap().poller_kind(), PollerKind::Poll);
    // SAFETY: as above.
    unsafe {
        match previous {
            Some(value) => std::env::set_var("TORNADO_POLLER", value),
            None => std::env::remove_var("TORNADO_POLLER"),
        }
    }
}

//! What the loop logs, and where: panics on `tornado.application`, as Tornado's
//! "Exception in callback". This binary installs a capturing logger (one per process).

mod util;

use std::sync::{Mutex, Once};
use std::time::Duration;

use tornado_ioloop::{IOLoop, PeriodicCallback, multi, sleep};
use util::LIMIT;

static RECORDS: Mutex<Vec<(String, log::Level, String)>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        RECORDS.lock().unwrap().push((
            record.target().to_owned(),
            record.level(),
            record.args().to_string(),
        ));
    }
    fn flush(&self) {}
}

fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        log::set_logger(&Capture).unwrap();
        log::set_max_level(log::LevelFilter::Trace);
    });
}

/// The records whose message contains `needle`.
fn logged(needle: &str) -> Vec<(String, log::Level, String)> {
    RECORDS
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, _, message)| message.contains(needle))
        .cloned()
        .collect()
}

#[test]
fn panics_are_logged_on_tornado_application() {
    install();
    let io_loop = IOLoop::new().unwrap();
    io_loop.add_callback(|| panic!("unique-callback-panic"));
    io_loop.spawn_callback(async { panic!("unique-task-panic") });
    let periodic =
        PeriodicCallback::new(|| panic!("unique-periodic-panic"), Duration::from_millis(1))
            .unwrap();
    periodic.start_on(&io_loop);
    io_loop
        .run_sync(
            async {
                while logged("unique-periodic-panic").len() < 2 {
                    sleep(Duration::from_millis(1)).await;
                }
            },
            Some(LIMIT),
        )
        .unwrap();
    periodic.stop();
    for needle in [
        "unique-callback-panic",
        "unique-task-panic",
        "unique-periodic-panic",
    ] {
        let records = logged(needle);
        assert!(!records.is_empty(), "{needle} was not logged");
        for (target, level, message) in records {
            assert_eq!(target, "tornado.application");
            assert_eq!(level, log::Level::Error);
            assert!(message.starts_with("Exception in"), "{message}");
        }
    }
    io_loop.close(false).unwrap();
}

#[test]
fn errors_after_the_first_in_multi_are_logged() {
    install();
    let io_loop = IOLoop::new().unwrap();
    let first = io_loop
        .run_sync(
            async {
                let outcome = multi((0..3u64).map(|i| async move {
                    sleep(Duration::from_millis(3 * i)).await;
                    Err::<(), String>(format!("unique-multi-error-{i}"))
                }))
                .await;
                sleep(Duration::from_millis(20)).await;
                outcome
            },
            Some(LIMIT),
        )
        .unwrap();
    assert_eq!(first, Err("unique-multi-error-0".to_owned()));
    for i in 1..3 {
        let records = logged(&format!("unique-multi-error-{i}"));
        assert_eq!(records.len(), 1, "error {i} logged once");
        assert_eq!(records[0].0, "tornado.application");
        assert!(
            records[0]
                .2
                .starts_with("Multiple exceptions in yield list")
        );
    }
    io_loop.close(false).unwrap();
}

//! A thread kept for the analysis of frames: [`Worker::join`] runs one closure on it while the
//! caller runs another, as `std::thread::scope` with one spawned thread would, without starting
//! a thread (or allocating) per call.

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// A closure on the stack of a [`Worker::join`] call.
struct Job(*mut (dyn FnMut() + Send + 'static));

// SAFETY: the closure is `Send`; `join` keeps it alive and untouched until the worker is done.
unsafe impl Send for Job {}

/// The kept thread, started at the first [`Worker::join`].
#[derive(Debug, Default)]
pub struct Worker {
    thread: Option<Thread>,
}

/// What the two threads hand each other. A mutex and a condition variable rather than
/// channels: waiting on them allocates nothing, while a channel allocates a thread's waiting
/// context the first time it blocks, at whichever frame that happens.
#[derive(Default)]
struct Slots {
    job: Option<Job>,
    report: Option<std::thread::Result<()>>,
    closed: bool,
}

#[derive(Default)]
struct Shared {
    slots: Mutex<Slots>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slots> {
        // Nothing panics while holding the lock; a poisoned lock still holds consistent slots.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Waits until `ready` takes something out of the slots.
    fn wait_for<R>(&self, mut ready: impl FnMut(&mut Slots) -> Option<R>) -> R {
        let mut slots = self.lock();
        loop {
            if let Some(r) = ready(&mut slots) {
                return r;
            }
            slots = self.changed.wait(slots).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn put(&self, fill: impl FnOnce(&mut Slots)) {
        fill(&mut self.lock());
        self.changed.notify_all();
    }
}

struct Thread {
    shared: Arc<Shared>,
    handle: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Thread {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thread").finish_non_exhaustive()
    }
}

impl Thread {
    fn start() -> Thread {
        let shared = Arc::new(Shared::default());
        let theirs = Arc::clone(&shared);
        let handle = std::thread::Builder::new()
            .name("sharpmeter-analysis".into())
            .spawn(move || {
                while let Some(job) =
                    theirs.wait_for(|s| s.job.take().map(Some).or(s.closed.then_some(None)))
                {
                    // SAFETY: `join` keeps the closure alive until it takes this report.
                    let result = catch_unwind(AssertUnwindSafe(|| unsafe { (*job.0)() }));
                    theirs.put(|s| s.report = Some(result));
                }
            })
            .expect("cannot start the analysis thread");
        Thread {
            shared,
            handle: Some(handle),
        }
    }
}

impl Drop for Thread {
    fn drop(&mut self) {
        self.shared.put(|s| s.closed = true);
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

/// Waits for the worker's report, also when the caller's closure unwinds, so the job's
/// borrows outlive its use.
struct Report<'a> {
    shared: &'a Shared,
    received: bool,
}

impl Report<'_> {
    fn wait(mut self) -> std::thread::Result<()> {
        self.received = true;
        self.shared.wait_for(|s| s.report.take())
    }
}

impl Drop for Report<'_> {
    fn drop(&mut self) {
        if !self.received {
            // The caller is unwinding already; a panic of the worker too is dropped.
            let _ = self.shared.wait_for(|s| s.report.take());
        }
    }
}

impl Worker {
    /// Runs `other` on the kept thread and `here` on this one; returns both results. A panic
    /// of either resumes here, after both are done.
    pub fn join<H, O, RH, RO>(&mut self, here: H, other: O) -> (RH, RO)
    where
        H: FnOnce() -> RH,
        O: FnOnce() -> RO + Send,
        RO: Send,
    {
        let thread = self.thread.get_or_insert_with(Thread::start);
        let mut other = Some(other);
        let mut result = None;
        let mut task = || result = other.take().map(|f| f());
        let task: &mut (dyn FnMut() + Send + '_) = &mut task;
        // SAFETY: only the lifetime is erased. The worker calls the closure once and reports;
        // this function neither returns nor unwinds before that report arrives (`Report`), so
        // the closure and what it borrows outlive its use.
        let job = Job(unsafe {
            std::mem::transmute::<*mut (dyn FnMut() + Send + '_), *mut (dyn FnMut() + Send)>(task)
        });
        thread.shared.put(|s| s.job = Some(job));
        let report = Report {
            shared: &thread.shared,
            received: false,
        };
        let mine = here();
        if let Err(panic) = report.wait() {
            resume_unwind(panic);
        }
        (mine, result.expect("the job ran"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_closures_run_with_borrowed_data_on_two_threads() {
        let mut worker = Worker::default();
        let data: Vec<u64> = (0..1000).collect();
        let mut seen = Vec::new();
        for round in 0..3 {
            let (a, (b, id)) = worker.join(
                || data[..500].iter().sum::<u64>() + round,
                || {
                    seen.push(round);
                    (data[500..].iter().sum::<u64>(), std::thread::current().id())
                },
            );
            assert_eq!((a, b), (124_750 + round, 374_750));
            assert_ne!(id, std::thread::current().id());
        }
        assert_eq!(seen, vec![0, 1, 2]);
    }

    #[test]
    fn a_panic_on_either_thread_resumes_here_and_the_worker_goes_on() {
        let mut worker = Worker::default();
        let other = catch_unwind(AssertUnwindSafe(|| {
            worker.join(|| 1, || -> u8 { panic!("on the worker") })
        }));
        assert!(other.is_err());
        let mut finished = false;
        let here = catch_unwind(AssertUnwindSafe(|| {
            worker.join(
                || -> u8 { panic!("here") },
                || {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    finished = true;
                },
            )
        }));
        assert!(here.is_err());
        assert!(
            finished,
            "the caller waited for the worker before unwinding"
        );
        assert_eq!(worker.join(|| 2, || 3), (2, 3));
    }
}

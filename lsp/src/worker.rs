//! The lint thread: takes jobs, keeps only the newest per document when they
//! pile up, and hands back analyses. A panic in the engine is caught and
//! reported; the thread goes on.

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::thread::JoinHandle;

use crossbeam_channel::{Receiver, Sender, unbounded};
use lsp_types::Uri;

use crate::analysis::{Analysis, Job, analyse};

pub struct Done {
    pub uri: Uri,
    pub version: i32,
    /// `Err`: the engine failed on this text (the message says how).
    pub result: Result<Arc<Analysis>, String>,
}

pub struct Worker {
    jobs: Option<Sender<Job>>,
    pub results: Receiver<Done>,
    thread: Option<JoinHandle<()>>,
}

impl Worker {
    pub fn spawn() -> Worker {
        let (jobs, inbox) = unbounded::<Job>();
        let (outbox, results) = unbounded::<Done>();
        let thread = std::thread::Builder::new()
            .name("gklint-lint".into())
            .spawn(move || run(inbox, outbox))
            .expect("spawn the lint thread");
        Worker {
            jobs: Some(jobs),
            results,
            thread: Some(thread),
        }
    }

    pub fn submit(&self, job: Job) {
        if let Some(s) = &self.jobs {
            let _ = s.send(job);
        }
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(inbox: Receiver<Job>, outbox: Sender<Done>) {
    while let Ok(first) = inbox.recv() {
        // Jobs that queued up while the last one ran: only the newest of each document counts.
        let mut batch: Vec<Job> = vec![first];
        batch.extend(inbox.try_iter());
        let mut newest: HashMap<&str, usize> = HashMap::new();
        for (i, j) in batch.iter().enumerate() {
            newest.insert(j.uri.as_str(), i);
        }
        let keep: Vec<bool> = (0..batch.len())
            .map(|i| newest.get(batch[i].uri.as_str()) == Some(&i))
            .collect();
        for (job, keep) in batch.into_iter().zip(keep) {
            if !keep {
                continue;
            }
            let done = lint_guarded(job);
            if outbox.send(done).is_err() {
                return;
            }
        }
    }
}

/// Lints a job, turning a panic into an error message.
pub fn lint_guarded(job: Job) -> Done {
    let uri = job.uri.clone();
    let version = job.version;
    let result = catch_unwind(AssertUnwindSafe(|| analyse(job)))
        .map(Arc::new)
        .map_err(|p| {
            let why = p
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| p.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            crate::log(&format!(
                "linting {} (version {version}) failed: {why}",
                uri.as_str()
            ));
            why
        });
    Done {
        uri,
        version,
        result,
    }
}

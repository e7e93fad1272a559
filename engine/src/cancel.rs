//! Cooperative cancellation: the caller (which owns the clock) says when a
//! file has taken too long, and the engine stops at its next checkpoint
//! (every few thousand steps of the Word, HTML and PDF readers: XML events,
//! parser chunks, tree nodes, glyphs; between model-building stages, table
//! layouts and rules, and every few hundred hits within a rule:
//! `rules::findings`). The engine itself never reads a clock, so it can
//! also run where there is none.

use std::sync::Arc;

/// Asked at each checkpoint whether to stop; `Cancel::default()` never stops.
#[derive(Clone, Default)]
pub struct Cancel(Option<Arc<dyn Fn() -> bool + Send + Sync>>);

impl Cancel {
    pub fn new(stop: impl Fn() -> bool + Send + Sync + 'static) -> Cancel {
        Cancel(Some(Arc::new(stop)))
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.as_ref().is_some_and(|f| f())
    }
}

impl std::fmt::Debug for Cancel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Cancel(set)"
        } else {
            "Cancel(never)"
        })
    }
}

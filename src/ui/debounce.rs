//! A call that runs once a burst of calls has settled.

use leptos::prelude::*;

/// Runs the last of a burst of calls once none has come for a while (each call drops the one still waiting).
#[derive(Clone, Copy)]
pub struct Debounce {
    pending: StoredValue<Option<TimeoutHandle>>,
    after: std::time::Duration,
}

impl Debounce {
    pub fn new(after: std::time::Duration) -> Debounce {
        Debounce {
            pending: StoredValue::new(None),
            after,
        }
    }
    /// Drops the call still waiting, if any.
    pub fn cancel(&self) {
        if let Some(h) = self.pending.try_update_value(|p| p.take()).flatten() {
            h.clear();
        }
    }
    /// Runs `f` after the wait, unless another call comes first.
    pub fn call(&self, f: impl FnOnce() + 'static) {
        self.cancel();
        let pending = self.pending;
        let h = set_timeout_with_handle(
            move || {
                pending.set_value(None);
                f();
            },
            self.after,
        );
        self.pending.set_value(h.ok());
    }
}

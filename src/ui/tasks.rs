//! Work split into tasks, so that the page answers input while a large trace is handed over. A scheduler only: it
//! holds closures until their turn, and nothing about a load.

use std::cell::RefCell;
use std::collections::VecDeque;

use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// Work done per task on the page before input gets a turn, in ms.
pub const SLICE_MS: f64 = 35.0;

/// The port [`next_task`] posts to, and the handler of the other end.
type Channel = (web_sys::MessagePort, Closure<dyn FnMut()>);

thread_local! {
    /// Work queued by [`next_task`], and the channel that schedules it.
    static QUEUE: RefCell<VecDeque<Box<dyn FnOnce()>>> = RefCell::new(VecDeque::new());
    static CHANNEL: RefCell<Option<Channel>> = const { RefCell::new(None) };
}

/// Runs `f` in a new task, after input and rendering waiting now. A message to ourselves, not `setTimeout(0)`, which
/// browsers hold back by 4 ms once timeouts nest five deep (a large decode takes many tasks).
pub fn next_task(f: impl FnOnce() + 'static) {
    QUEUE.with(|q| q.borrow_mut().push_back(Box::new(f)));
    let posted = CHANNEL.with(|c| {
        let mut c = c.borrow_mut();
        if c.is_none() {
            let ch = web_sys::MessageChannel::new().ok()?;
            let run = Closure::<dyn FnMut()>::new(run_next_task);
            ch.port1().set_onmessage(Some(run.as_ref().unchecked_ref()));
            *c = Some((ch.port2(), run));
        }
        c.as_ref()
            .map(|(port, _)| port.post_message(&JsValue::NULL).is_ok())
    });
    if posted != Some(true) {
        // No channel: a timeout does the same, a little later.
        set_timeout(run_next_task, std::time::Duration::from_millis(0));
    }
}

/// Runs the oldest work queued by [`next_task`].
fn run_next_task() {
    if let Some(f) = QUEUE.with(|q| q.borrow_mut().pop_front()) {
        f();
    }
}

/// Runs `work` (a bounded piece per call, `Some` when finished) in tasks of about [`SLICE_MS`] each; stops as soon as
/// `wanted` says the result is no longer wanted (a newer load has started).
pub fn in_tasks<T: 'static>(
    mut work: impl FnMut() -> Option<T> + 'static,
    wanted: impl Fn() -> bool + Copy + 'static,
    done: impl FnOnce(T) + 'static,
) {
    next_task(move || {
        if !wanted() {
            return;
        }
        let start = js_sys::Date::now();
        loop {
            if let Some(out) = work() {
                return done(out);
            }
            if js_sys::Date::now() - start >= SLICE_MS {
                return in_tasks(work, wanted, done);
            }
        }
    });
}

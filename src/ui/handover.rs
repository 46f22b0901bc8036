//! The hand-over of a parsed trace to the page: the engine's transfer chunks are decoded and the analysis finished in
//! tasks (the page answers input meanwhile), then the trace is drawn. A load started meanwhile wins.

use std::sync::Arc;

use js_sys::{Array, Object, Reflect, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::{JsCast, JsValue};

use super::loader;
use super::tasks::{in_tasks, next_task};
use super::{Session, State};
use crate::loading::{LoadId, Phase};
use crate::transfer;

/// Shows the parsed result of load `id`: decodes the chunks and finishes the analysis in tasks, then draws, with the
/// "Drawing" state painted first.
pub fn take_over(
    state: State,
    id: LoadId,
    chunks: Array,
    worker_memory: f64,
    timings: JsValue,
    sent_at: f64,
) {
    // From posting the load to the worker starting on it (its start-up and warm-up, if not done yet).
    if let Some(started) = Reflect::get(&timings, &"startedAt".into())
        .ok()
        .and_then(|s| s.as_f64())
    {
        let _ = Reflect::set(&timings, &"wait".into(), &(started - sent_at).into());
        let _ = Reflect::delete_property(timings.unchecked_ref::<Object>(), &"startedAt".into());
    }
    let Some((name, owner)) = loader::name_and_owner(state, id) else {
        return;
    };
    state.loader.update_value(|l| {
        if let Some(a) = l.loads.get_mut(id) {
            a.attached.touched = Vec::new();
        }
    });
    loader::update(state, id, |p| p.enter(Phase::Show));
    let clock = Clock::new(timings);
    let wanted = move || loader::is_current(state, id);
    let mut receiver = transfer::Receiver::new(JsChunks {
        list: chunks,
        next: 0,
    });
    let decode_clock = clock.clone();
    let work = move || {
        let was_decoding = !receiver.decoded();
        let out = receiver.step().transpose();
        if was_decoding && receiver.decoded() {
            decode_clock.mark("decode");
        }
        out
    };
    in_tasks(work, wanted, move |result| {
        clock.mark("analyze");
        let read = match result {
            Ok(read) => read,
            Err(e) => return loader::fail(state, id, format!("{name}: {e}")),
        };
        // Drawn in a task of its own, after the "Drawing" state has had a chance to paint.
        next_task(move || {
            clock.mark("queue3");
            if let Some(why) = loader::refusal(state, id, &read) {
                return loader::fail(state, id, why);
            }
            let Some(mut attached) = loader::finish(state, id) else {
                return;
            };
            let session = match attached.batch.take() {
                None => Session::new(read.0, read.1, read.2, owner),
                Some(batch) => match batch.add(state, read, owner.clone(), &mut attached.then) {
                    Some(merged) => Session::merged(merged, owner),
                    None => return,
                },
            };
            state.show_loaded(Arc::new(session), false);
            clock.mark("show");
            record(worker_memory, &clock.timings);
            if let Some(then) = attached.then {
                then(state);
            }
        });
    });
}

/// The milliseconds of each step of a hand-over, for `make bench`.
#[derive(Clone)]
struct Clock {
    timings: JsValue,
    mark: std::rc::Rc<std::cell::Cell<f64>>,
}

impl Clock {
    fn new(timings: JsValue) -> Clock {
        let timings = if timings.is_object() {
            timings
        } else {
            Object::new().into()
        };
        Clock {
            timings,
            mark: std::rc::Rc::new(std::cell::Cell::new(js_sys::Date::now())),
        }
    }

    /// `what` ended now.
    fn mark(&self, what: &str) {
        let now = js_sys::Date::now();
        let _ = Reflect::set(&self.timings, &what.into(), &(now - self.mark.get()).into());
        self.mark.set(now);
    }
}

/// Keeps the worker's peak memory and the time of each step of the last load where `make bench` reads them
/// (`window.__stitchWorkerMemory`, `window.__stitchLoadTimings`).
fn record(worker_memory: f64, timings: &JsValue) {
    if let Some(w) = web_sys::window() {
        let _ = Reflect::set(&w, &"__stitchWorkerMemory".into(), &worker_memory.into());
        let _ = Reflect::set(&w, &"__stitchLoadTimings".into(), timings);
    }
}

/// Page memory touched ahead of a hand-over, at most.
const PREFAULT_MAX: usize = 64 << 20;
/// Files up to this size have page memory touched ahead of their hand-over.
const PREFAULT_FILES: f64 = 256.0 * 1024.0 * 1024.0;

/// While the worker parses load `id`, touches as much fresh page memory as the file's size (at most
/// [`PREFAULT_MAX`]), a megabyte at a time in tasks of 8 MB, kept with the load; the hand-over frees it and reuses it.
/// The first write to fresh wasm memory costs about as much as the decoding itself (`make bench` measures the
/// hand-over). Stops when the load is over or memory runs out. Not for files over [`PREFAULT_FILES`]: there the parse
/// dominates, and the page's touched memory would add to the worker's peak.
pub fn prefault(state: State, id: LoadId, size: f64) {
    let blocks = (size as usize).min(PREFAULT_MAX) / BLOCK;
    if blocks > 0 && size <= PREFAULT_FILES {
        next_task(move || touch_more(state, id, blocks));
    }
}

const BLOCK: usize = 1 << 20;

fn touch_more(state: State, id: LoadId, blocks: usize) {
    let again = state.loader.try_update_value(|l| {
        let Some(a) = l.loads.get_mut(id) else {
            return false;
        };
        // Only while the worker parses: the hand-over clears the list.
        if a.progress.phase == Phase::Show {
            return false;
        }
        let t = &mut a.attached.touched;
        for _ in 0..8 {
            if t.len() >= blocks {
                return false;
            }
            let Some(block) = transfer::touched_block(BLOCK) else {
                *t = Vec::new();
                return false;
            };
            t.push(block);
        }
        t.len() < blocks
    });
    if again == Some(true) {
        next_task(move || touch_more(state, id, blocks));
    }
}

/// Chunks transferred from the engine, copied into wasm memory one at a time.
struct JsChunks {
    list: Array,
    next: u32,
}

impl transfer::Source for JsChunks {
    fn next_chunk(&mut self) -> Option<Vec<u8>> {
        if self.next >= self.list.length() {
            return None;
        }
        let buf = self.list.get(self.next);
        // Drop the page's reference so the chunk can be collected once copied.
        self.list.set(self.next, JsValue::UNDEFINED);
        self.next += 1;
        buf.dyn_into::<js_sys::ArrayBuffer>()
            .ok()
            .map(|b| Uint8Array::new(&b).to_vec())
    }
}

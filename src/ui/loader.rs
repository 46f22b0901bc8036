//! The page's one owner of loads. It drives the core's state machine ([`crate::loading::Loads`]) and the two engines
//! ([`super::engine`]); the ways in (drop, picker, paste, `?url=`, `stitch:load`) only call [`open`] or
//! [`super::download::load_url`]. Everything about a load lives in [`Loader`], kept in `State::loader`.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use super::engine::{chunks_of, field, header_of, Engine, Input, PageEngine, WorkerEngine};
use super::State;
use crate::access::Owner;
use crate::analysis::merge::{FileRead, MergedLoad};
use crate::loading::protocol::{FromEngine, TIMINGS};
use crate::loading::{self, End, Ended, LoadId, Loads, Phase, Route};

/// Runs after a load is shown (e.g. `?trace=` and the deep link of `?url=`).
pub type Then = Box<dyn FnOnce(State)>;

/// What the page keeps with a load under way.
#[derive(Default)]
pub struct Attached {
    pub then: Option<Then>,
    /// Stops the download, while the load is one.
    pub download: Option<web_sys::AbortController>,
    /// The input, while an engine parses it (kept to fall back on the page if the worker cannot start).
    input: Option<Input>,
    /// The engine it went to.
    route: Option<Route>,
    /// When it was posted to the worker (epoch ms; for `make bench`).
    sent_at: f64,
    /// Page memory touched ahead of the hand-over (see `super::handover::prefault`).
    pub touched: Vec<Vec<u8>>,
    /// The other files of a load of several: read one after another, then joined.
    pub batch: Option<Batch>,
}

/// A load of several files: each is read as a load of its own, in turn; the last one's hand-over joins them all
/// ([`crate::analysis::merge`]). A failure, a cancel or a newer load ends the whole batch, and what was on screen
/// stays.
pub struct Batch {
    /// The files not read yet, in order.
    waiting: std::collections::VecDeque<(String, Input)>,
    /// The files read.
    read: Vec<FileRead>,
}

impl Batch {
    /// Whether files of the load remain to be read.
    pub fn has_more(&self) -> bool {
        !self.waiting.is_empty()
    }

    /// Why the load must stop once `file` is read with the others: their spans together pass what a tab can hold.
    pub fn refusal(&self, file: &FileRead) -> Option<String> {
        let spans = |f: &FileRead| f.2.iter().map(|m| u64::from(m.summary.spans)).sum::<u64>();
        let total = self.read.iter().map(spans).sum::<u64>() + spans(file);
        let files = self.read.len() + 1;
        (total > crate::formats::MAX_SPANS)
            .then(|| crate::formats::files_too_many_spans(files, total))
    }

    /// The file just read: joins every file when it was the last, else starts reading the next and returns `None`
    /// (the hand-over has nothing to show yet); `then` goes with the next file's load.
    pub fn add(
        mut self,
        state: State,
        file: FileRead,
        owner: Owner,
        then: &mut Option<Then>,
    ) -> Option<MergedLoad> {
        self.read.push(file);
        let Some((name, input)) = self.waiting.pop_front() else {
            return Some(crate::analysis::merge::merge_files(self.read));
        };
        let attached = Attached {
            batch: Some(self),
            ..Attached::new(then.take())
        };
        let id = start(state, &name, owner, Phase::Read, attached);
        parse(state, id, input);
        None
    }
}

impl Attached {
    pub fn new(then: Option<Then>) -> Attached {
        Attached {
            then,
            ..Attached::default()
        }
    }

    /// A download, stopped by `controller`.
    pub fn download(then: Then, controller: Option<web_sys::AbortController>) -> Attached {
        Attached {
            download: controller,
            ..Attached::new(Some(then))
        }
    }
}

/// The loads of the page and the engines that parse them.
#[derive(Default)]
pub struct Loader {
    pub loads: Loads<Attached>,
    worker: WorkerEngine,
    pub page: PageEngine,
}

/// Starts a load of `name` for `owner` in `phase`; the load under way, if any, ends (its owner is told).
pub fn start(state: State, name: &str, owner: Owner, phase: Phase, attached: Attached) -> LoadId {
    let (id, superseded) = state
        .loader
        .try_update_value(|l| l.loads.start(name, owner, phase, attached))
        .unwrap_or((0, None));
    if let Some(e) = superseded {
        report(state, e, false);
    }
    publish(state);
    id
}

/// Opens `input` for `owner`: in the worker when it is large or gzipped, on the page otherwise. `then` runs once it is
/// shown.
pub fn open(state: State, name: String, input: Input, owner: Owner, then: Option<Then>) {
    let id = start(state, &name, owner, Phase::Read, Attached::new(then));
    parse(state, id, input);
}

/// Opens several files as one load (see [`Batch`]); one file opens as [`open`] does.
pub fn open_files(state: State, mut files: Vec<(String, Input)>, owner: Owner) {
    if files.len() < 2 {
        if let Some((name, input)) = files.pop() {
            open(state, name, input, owner, None);
        }
        return;
    }
    let size: f64 = files.iter().map(|(_, input)| input.size()).sum();
    let count = files.len();
    let mut waiting: std::collections::VecDeque<_> = files.into();
    let Some((name, input)) = waiting.pop_front() else {
        return;
    };
    if size > crate::formats::MAX_INPUT_BYTES as f64 {
        let id = start(state, &name, owner, Phase::Read, Attached::new(None));
        return fail(state, id, crate::formats::files_too_large(count, size));
    }
    let attached = Attached {
        batch: Some(Batch {
            waiting,
            read: Vec::new(),
        }),
        ..Attached::new(None)
    };
    let id = start(state, &name, owner, Phase::Read, attached);
    parse(state, id, input);
}

/// Opens text (dropped or pasted) like a file.
pub fn open_text(state: State, name: &str, text: &str) {
    let buf = js_sys::Uint8Array::from(text.as_bytes()).buffer();
    open(
        state,
        name.to_string(),
        Input::Buffer(buf),
        Owner::Local,
        None,
    );
}

/// Load `id` has its input (a file, or a finished download): sends it to the engine that should parse it.
pub fn parse(state: State, id: LoadId, input: Input) {
    let size = input.size();
    let name = name_of(state, id);
    if size > crate::formats::MAX_INPUT_BYTES as f64 {
        return fail(state, id, crate::formats::too_large(&name, size));
    }
    let live = update(state, id, |p| {
        p.enter(Phase::Read);
        p.at(0.0, size, 0.0);
    });
    if !live {
        return;
    }
    match &input {
        Input::Buffer(b) => {
            let head =
                js_sys::Uint8Array::new_with_byte_offset_and_length(b, 0, b.byte_length().min(2));
            let gzip = loading::is_gzip(&head.to_vec());
            run(state, id, input, gzip);
        }
        // A small file may still be gzipped (and then inflate to anything): its first bytes decide.
        Input::Blob(blob) if size < loading::SMALL => {
            let head = blob.slice_with_i32_and_i32(0, 2).map(|b| b.array_buffer());
            leptos::task::spawn_local(async move {
                let head = match head {
                    Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await.ok(),
                    Err(_) => None,
                };
                let gzip =
                    head.is_some_and(|h| loading::is_gzip(&js_sys::Uint8Array::new(&h).to_vec()));
                run(state, id, input, gzip);
            });
        }
        Input::Blob(_) => run(state, id, input, false),
    }
}

/// Sends load `id` to the worker or parses it on the page, as [`loading::route`] says.
fn run(state: State, id: LoadId, input: Input, gzip: bool) {
    let no_worker = state.config.with_value(|c| c.no_worker);
    let name = name_of(state, id);
    let sent = state.loader.try_update_value(|l| {
        let usable = !no_worker && !l.worker.broken;
        let mut route = loading::route(input.size(), gzip, usable);
        if route == Route::Worker && !l.worker.run(state, id, &name, &input) {
            route = Route::Page;
        }
        if route == Route::Page {
            l.page.run(state, id, &name, &input);
        }
        let a = l.loads.get_mut(id)?;
        a.attached.route = Some(route);
        a.attached.sent_at = js_sys::Date::now();
        a.attached.input = Some(input.clone());
        Some(route)
    });
    if sent.flatten() == Some(Route::Worker) {
        super::handover::prefault(state, id, input.size());
    }
}

/// Starts the worker ahead of a likely load (see [`WorkerEngine::warm`]).
pub fn warm(state: State) {
    if state.config.with_value(|c| c.no_worker) {
        return;
    }
    let end_if_idle = move || {
        state.loader.update_value(|l| {
            if l.loads.active().is_none() {
                l.worker.stop();
            }
        })
    };
    state
        .loader
        .update_value(|l| l.worker.warm(state, end_if_idle));
}

/// The user stops the load under way; the trace on screen stays.
pub fn cancel(state: State) {
    if let Some(e) = state
        .loader
        .try_update_value(|l| l.loads.cancel())
        .flatten()
    {
        report(state, e, false);
    }
    publish(state);
}

/// Load `id` failed: the message shows, the trace on screen stays, and its owner is told.
pub fn fail(state: State, id: LoadId, message: String) {
    if let Some(e) = state
        .loader
        .try_update_value(|l| l.loads.fail(id, message))
        .flatten()
    {
        report(state, e, true);
    }
    publish(state);
}

/// Load `id` is on screen: hands back what was attached to it. `None` if it had ended meanwhile.
pub fn finish(state: State, id: LoadId) -> Option<Attached> {
    let e = state
        .loader
        .try_update_value(|l| l.loads.finish(id))
        .flatten()?;
    publish(state);
    Some(e.attached)
}

/// Why load `id`, a file of a load of several, must stop now that `file` is read (see [`Batch::refusal`]).
pub fn refusal(state: State, id: LoadId, file: &FileRead) -> Option<String> {
    state.loader.with_value(|l| {
        let batch = l.loads.get(id)?.attached.batch.as_ref()?;
        batch.refusal(file)
    })
}

pub fn is_current(state: State, id: LoadId) -> bool {
    state.loader.with_value(|l| l.loads.is_current(id))
}

/// Updates load `id`'s progress bar; returns whether it is still under way.
pub fn update(state: State, id: LoadId, f: impl FnOnce(&mut loading::Progress)) -> bool {
    let live = state.loader.try_update_value(|l| l.loads.update(id, f)) == Some(true);
    if live {
        publish(state);
    }
    live
}

/// Load `id`'s name and owner.
pub fn name_and_owner(state: State, id: LoadId) -> Option<(String, Owner)> {
    state.loader.with_value(|l| {
        l.loads
            .get(id)
            .map(|a| (a.progress.name.clone(), a.owner.clone()))
    })
}

fn name_of(state: State, id: LoadId) -> String {
    name_and_owner(state, id)
        .map(|(n, _)| n)
        .unwrap_or_default()
}

/// A load ended without being shown: stops what still works on it and tells those who may hear of it; the banner
/// shows the message unless the user asked for the end (a cancel, or a newer load).
fn report(state: State, e: Ended<Attached>, banner: bool) {
    if let Some(c) = &e.attached.download {
        c.abort();
    }
    // A load of several files may have kept the worker for its next file.
    if e.attached.route == Some(Route::Worker) || e.attached.batch.is_some() {
        state.loader.update_value(|l| l.worker.stop());
    }
    if let End::Failed(message) = e.end {
        if banner {
            state.error.set(Some(message.clone()));
        }
        super::messages::post_load_error(state, &e.owner, &e.name, &message);
    }
}

/// Shows the load under way (or none) in the progress bar.
fn publish(state: State) {
    let p = state.loader.with_value(|l| l.loads.progress().cloned());
    if state.progress.with_untracked(|old| old != &p) {
        state.progress.set(p);
    }
}

/// A message from an engine (the worker's, or the page engine's answer).
pub fn on_engine(state: State, js: JsValue) {
    let Ok(msg) = serde_wasm_bindgen::from_value::<FromEngine>(header_of(&js)) else {
        return;
    };
    match msg {
        FromEngine::Ready => state.loader.update_value(|l| l.worker.on_ready()),
        FromEngine::Fatal { message } | FromEngine::Crash { message } => {
            worker_failed(state, &message)
        }
        FromEngine::Progress {
            id,
            phase,
            done,
            total,
            spans,
        } => {
            update(state, id, |p| {
                if p.phase != phase {
                    p.enter(phase);
                }
                p.at(done, total, spans);
            });
        }
        FromEngine::Error { id, message } => fail(state, id, message),
        FromEngine::Done { id, memory, .. } => {
            let sent_at = state.loader.try_update_value(|l| {
                let a = l.loads.get_mut(id)?;
                a.attached.input = None;
                // Wasm memory never shrinks: end the worker to give its memory back (the next load starts a new one),
                // unless the next file of the same load is about to use it.
                let batch = a.attached.batch.as_ref();
                let kept = batch.is_some_and(Batch::has_more);
                if (a.attached.route == Some(Route::Worker) || batch.is_some()) && !kept {
                    l.worker.stop();
                }
                l.loads.get(id).map(|a| a.attached.sent_at)
            });
            if let Some(sent_at) = sent_at.flatten() {
                let timings = field(&js, TIMINGS);
                super::handover::take_over(state, id, chunks_of(&js), memory, timings, sent_at);
            }
        }
    }
}

/// The worker failed. If it never started, it cannot start in this browser: the load waiting for it and every later
/// one are parsed on the page. If it failed on the load it was given, that load fails: the same bytes could take the
/// page down too. The next load starts a fresh worker.
fn worker_failed(state: State, why: &str) {
    let started = state.loader.with_value(|l| l.worker.started());
    state.loader.update_value(|l| {
        l.worker.stop();
        l.worker.broken |= !started;
    });
    let waiting = state.loader.with_value(|l| {
        l.loads
            .active()
            .filter(|a| a.attached.route == Some(Route::Worker))
            .map(|a| (a.id, a.progress.name.clone(), a.attached.input.clone()))
    });
    let Some((id, name, input)) = waiting else {
        return;
    };
    if !started {
        let warning = format!(
            "Stitch: the parse worker could not start ({why}); parsing on the page instead"
        );
        web_sys::console::warn_1(&warning.into());
        if let Some(input) = input {
            state.loader.update_value(|l| {
                l.page.run(state, id, &name, &input);
                if let Some(a) = l.loads.get_mut(id) {
                    a.attached.route = Some(Route::Page);
                }
            });
        }
        return;
    }
    let message = format!(
        "{name}: the parser failed on this file ({why}); it was not retried on the page, which the same file could freeze"
    );
    fail(state, id, message);
}

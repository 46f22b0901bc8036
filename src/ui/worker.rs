//! The page's side of the parse worker (`src/bin/worker.rs`): starts it on the first large load, sends it the file or
//! buffer, shows its progress, takes the result over chunk by chunk, and cancels by terminating it.
//!
//! The page's binary has no parsers: they live in the worker's build only. Inputs under [`SMALL`] are parsed by that
//! same build loaded on the page's thread (the "engine", `src/bin/engine-boot.js`): they take a few milliseconds and
//! need no worker start. If the worker cannot start, or with `?worker=0`, large inputs go to the engine too. Either way
//! the result arrives as transfer chunks and takes the same path to the screen.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::{LoadPhase, LoadProgress, Session, State};
use crate::access::Owner;
use crate::transfer;

/// Inputs at least this large are parsed in the worker.
pub const SMALL: f64 = 1024.0 * 1024.0;

/// What to load.
#[derive(Clone)]
pub enum Input {
    /// A file, or a download.
    Blob(web_sys::Blob),
    Buffer(js_sys::ArrayBuffer),
}

impl Input {
    fn size(&self) -> f64 {
        match self {
            Input::Blob(f) => f.size(),
            Input::Buffer(b) => b.byte_length() as f64,
        }
    }
}

/// Gzip's magic bytes: how much a gzipped input holds is known only once it is decompressed, so it is never parsed
/// on the page's thread while a worker can take it.
fn is_gzip(bytes: &Uint8Array) -> bool {
    bytes.length() >= 2 && bytes.get_index(0) == 0x1f && bytes.get_index(1) == 0x8b
}

/// Runs after a load succeeded (e.g. `?trace=` and the deep link of `?url=`).
pub type Then = Box<dyn FnOnce(State)>;

struct Pending {
    id: u32,
    name: String,
    input: Input,
    /// Who started the load: who may hear about it (see `crate::access`).
    owner: Owner,
    then: Option<Then>,
}

struct Client {
    worker: web_sys::Worker,
    ready: bool,
    /// A load waiting for "ready" (messages sent earlier are lost).
    queued: Option<JsValue>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

thread_local! {
    static CLIENT: RefCell<Option<Client>> = const { RefCell::new(None) };
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
    /// When the last load was posted to the worker (epoch ms; for `make bench`).
    static SENT_AT: Cell<f64> = const { Cell::new(0.0) };
    /// The worker failed to start once: use the page's thread from then on.
    static BROKEN: Cell<bool> = const { Cell::new(false) };
    /// The engine on the page: a promise of worker.js's `wasm_bindgen` object, once asked for.
    static ENGINE: RefCell<Option<Promise>> = const { RefCell::new(None) };
    /// Work queued by [`next_task`], and the channel that schedules it.
    static QUEUE: RefCell<std::collections::VecDeque<Box<dyn FnOnce()>>> = RefCell::new(Default::default());
    static CHANNEL: RefCell<Option<Channel>> = const { RefCell::new(None) };
}

/// The port [`next_task`] posts to, and the handler of the other end.
type Channel = (web_sys::MessagePort, Closure<dyn FnMut()>);

/// Runs `f` in a new task, after input and rendering waiting now. A message to ourselves, not `setTimeout(0)`, which
/// browsers hold back by 4 ms once timeouts nest five deep (a 1M-span decode takes about thirty tasks).
fn next_task(f: impl FnOnce() + 'static) {
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

/// Opens `input` for `owner`: in the worker when it is large or gzipped, on the page otherwise. `then` runs after a
/// successful load.
pub fn open(state: State, name: String, input: Input, owner: Owner, then: Option<Then>) {
    let size = input.size();
    if size > crate::formats::MAX_INPUT_BYTES as f64 {
        super::load::fail(state, &name, &owner, crate::formats::too_large(&name, size));
        return;
    }
    // A new load replaces one in progress (and a download, which would otherwise replace this one when it ends).
    super::download::abort();
    stop_worker();
    let id = NEXT_ID.with(|n| {
        let id = n.get();
        n.set(id.wrapping_add(1));
        id
    });
    PENDING.with(|p| {
        *p.borrow_mut() = Some(Pending {
            id,
            name: name.clone(),
            input: input.clone(),
            owner,
            then,
        })
    });
    let gzip = matches!(&input, Input::Buffer(b) if is_gzip(&Uint8Array::new_with_byte_offset_and_length(b, 0, b.byte_length().min(2))));
    if size < SMALL && !gzip {
        on_page(state);
        return;
    }
    to_worker(state, id, name, input);
}

/// Sends the pending load `id` to the worker, or parses it on the page when no worker can take it.
fn to_worker(state: State, id: u32, name: String, input: Input) {
    let size = input.size();
    let no_worker = state.config.with_value(|c| c.no_worker);
    state.progress.set(Some(LoadProgress {
        name: name.clone(),
        phase: LoadPhase::Read,
        done: 0.0,
        total: Some(size),
        spans: 0.0,
        cancellable: true,
    }));
    if no_worker || BROKEN.with(Cell::get) {
        on_page(state);
        return;
    }
    let msg = Object::new();
    let _ = Reflect::set(&msg, &"type".into(), &"load".into());
    let _ = Reflect::set(&msg, &"id".into(), &id.into());
    let _ = Reflect::set(&msg, &"name".into(), &name.as_str().into());
    // A buffer is copied, not transferred: the page keeps the bytes to fall back on if the worker fails.
    let data: &JsValue = match &input {
        Input::Blob(f) => f,
        Input::Buffer(b) => b,
    };
    let _ = Reflect::set(&msg, &"data".into(), data);
    SENT_AT.with(|t| t.set(js_sys::Date::now()));
    if !ensure_client(state) {
        fall_back(state);
        return;
    }
    CLIENT.with(|c| {
        if let Some(c) = c.borrow_mut().as_mut() {
            if c.ready {
                let _ = c.worker.post_message(&msg);
            } else {
                c.queued = Some(msg.into());
            }
        }
    });
    prefault(id, size);
}

/// Starts the worker ahead of a load that is likely to come (a drag over the page, a click on "Open trace…", a
/// download), so that its start-up and warm-up are off the load's path.
pub fn warm(state: State) {
    if !BROKEN.with(Cell::get) && !state.config.with_value(|c| c.no_worker) && ensure_client(state)
    {
        end_when_idle();
    }
}

/// A worker started for a load that does not come (the file picker was cancelled, the drag left) is ended this long
/// after the last [`warm`]: it holds the memory it touched for the load (see `SPARE` in `src/bin/worker.rs`).
const IDLE_END: std::time::Duration = std::time::Duration::from_secs(60);

/// Ends the worker [`IDLE_END`] from now unless a load is under way then (a finished load ends it anyway).
fn end_when_idle() {
    thread_local! {
        static TIMER: RefCell<Option<leptos::prelude::TimeoutHandle>> = const { RefCell::new(None) };
    }
    if let Some(h) = TIMER.with(|t| t.borrow_mut().take()) {
        h.clear();
    }
    let end = || {
        if pending_id().is_none() {
            terminate();
        }
    };
    if let Ok(h) = set_timeout_with_handle(end, IDLE_END) {
        TIMER.with(|t| *t.borrow_mut() = Some(h));
    }
}

/// Stops the load in progress, if any; the trace on screen stays.
pub fn cancel(state: State) {
    if let Some(name) = super::download::abort() {
        let msg = format!("{name}: loading cancelled");
        super::messages::post_load_error(state, &Owner::Local, &name, &msg);
    }
    let pending = PENDING.with(|p| p.borrow_mut().take());
    state.progress.set(None);
    if let Some(p) = pending {
        terminate();
        let msg = format!("{}: loading cancelled", p.name);
        super::messages::post_load_error(state, &p.owner, &p.name, &msg);
    }
}

/// Drops a load in progress (a new one replaces it).
fn stop_worker() {
    if PENDING.with(|p| p.borrow_mut().take()).is_some() {
        terminate();
    }
}

/// Terminates the worker (the only way to stop a parse); the next large load starts a fresh one.
fn terminate() {
    if let Some(c) = CLIENT.with(|c| c.borrow_mut().take()) {
        c.worker.terminate();
    }
}

fn ensure_client(state: State) -> bool {
    if CLIENT.with(|c| c.borrow().is_some()) {
        return true;
    }
    let worker = match web_sys::Worker::new("./worker-boot.js") {
        Ok(w) => w,
        Err(_) => return false,
    };
    let on_message =
        Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
            on_message(state, ev.data())
        });
    let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
        ev.prevent_default();
        let why = Reflect::get(&ev, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| "it stopped with an error".to_string());
        worker_failed(state, &why);
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    CLIENT.with(|c| {
        *c.borrow_mut() = Some(Client {
            worker,
            ready: false,
            queued: None,
            _on_message: on_message,
            _on_error: on_error,
        })
    });
    true
}

fn field(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED)
}

fn pending_id() -> Option<u32> {
    PENDING.with(|p| p.borrow().as_ref().map(|p| p.id))
}

fn on_message(state: State, data: JsValue) {
    let ty = field(&data, "type").as_string().unwrap_or_default();
    let id = field(&data, "id").as_f64().unwrap_or(-1.0) as u32;
    match ty.as_str() {
        "ready" => CLIENT.with(|c| {
            if let Some(c) = c.borrow_mut().as_mut() {
                c.ready = true;
                if let Some(msg) = c.queued.take() {
                    let _ = c.worker.post_message(&msg);
                }
            }
        }),
        "fatal" | "crash" => worker_failed(
            state,
            &field(&data, "message").as_string().unwrap_or_default(),
        ),
        _ if pending_id() != Some(id) => {} // a load that was replaced or cancelled
        "progress" => {
            let phase = match field(&data, "phase").as_string().as_deref() {
                Some("read") => LoadPhase::Read,
                Some("decompress") => LoadPhase::Decompress,
                Some("parse") => LoadPhase::Parse,
                Some("tree") => LoadPhase::Tree,
                _ => LoadPhase::Send,
            };
            let num = |k| field(&data, k).as_f64().unwrap_or(0.0);
            state.progress.update(|p| {
                if let Some(p) = p.as_mut() {
                    p.phase = phase;
                    p.done = num("done");
                    let total = num("total");
                    p.total = (total > 0.0).then_some(total);
                    p.spans = num("spans").max(p.spans);
                }
            });
        }
        "error" => {
            let Some(p) = PENDING.with(|p| p.borrow_mut().take()) else {
                return;
            };
            // As at the end of a load that succeeded: give the worker's memory back.
            terminate();
            let msg = field(&data, "message").as_string().unwrap_or_default();
            super::load::fail(state, &p.name, &p.owner, msg);
        }
        "done" => {
            let Some(p) = PENDING.with(|p| p.borrow_mut().take()) else {
                return;
            };
            let chunks: Array = field(&data, "chunks").unchecked_into();
            let worker_memory = field(&data, "memory").as_f64().unwrap_or(0.0);
            // Wasm memory never shrinks: end the worker to give its memory back (the next large load starts a new one).
            terminate();
            take_over(state, p, chunks, worker_memory, field(&data, "timings"));
        }
        _ => {}
    }
}

/// Page memory touched ahead of a hand-over, at most.
const PREFAULT_MAX: usize = 64 << 20;
/// Files up to this size have page memory touched ahead of their hand-over.
const PREFAULT_FILES: f64 = 256.0 * 1024.0 * 1024.0;

thread_local! {
    /// Blocks of memory being touched by [`prefault`].
    static TOUCHED: RefCell<Vec<Vec<u8>>> = const { RefCell::new(Vec::new()) };
}

/// While the worker parses, touches as much fresh page memory as the file's size (at most [`PREFAULT_MAX`]), a
/// megabyte at a time in tasks of 8 MB, then frees it for the hand-over to reuse: the first write to fresh wasm memory
/// costs about as much as the decoding itself (100k spans: decode 66 ms without, 38 with, medians of five). Stops when
/// the load is over or replaced, or memory runs out. Not for files over [`PREFAULT_FILES`]: there the parse dominates,
/// and the page's touched memory would add to the worker's peak (at 1M spans, 1.5 GB for both).
fn prefault(id: u32, size: f64) {
    const BLOCK: usize = 1 << 20;
    fn more(id: u32, blocks: usize) {
        let again = TOUCHED.with(|t| {
            let mut t = t.borrow_mut();
            if pending_id() == Some(id) {
                let mut room = true;
                for _ in 0..8 {
                    if t.len() >= blocks {
                        break;
                    }
                    let Some(block) = transfer::touched_block(BLOCK) else {
                        room = false;
                        break;
                    };
                    t.push(block);
                }
                if room && t.len() < blocks {
                    return true;
                }
            }
            *t = Vec::new();
            false
        });
        if again {
            next_task(move || more(id, blocks));
        }
    }
    let blocks = (size as usize).min(PREFAULT_MAX) / BLOCK;
    if blocks > 0 && size <= PREFAULT_FILES {
        next_task(move || more(id, blocks));
    }
}

/// Work done per task on the page before input gets a turn.
const SLICE_MS: f64 = 35.0;

/// Shows the parsed result: decodes the chunks and finishes the analysis in tasks of about [`SLICE_MS`], then draws,
/// with the "Drawing" state painted first. A load started meanwhile wins.
fn take_over(state: State, p: Pending, chunks: Array, worker_memory: f64, timings: JsValue) {
    // From posting the load to the worker starting on it (its start-up and warm-up, if not done yet).
    if let Some(started) = field(&timings, "startedAt").as_f64() {
        let wait = started - SENT_AT.with(Cell::get);
        let _ = Reflect::set(&timings, &"wait".into(), &wait.into());
        let _ = Reflect::delete_property(timings.unchecked_ref::<Object>(), &"startedAt".into());
    }
    TOUCHED.with(|t| *t.borrow_mut() = Vec::new());
    let timings_out = timings.clone();
    let mark = std::rc::Rc::new(Cell::new(js_sys::Date::now()));
    let step = move |what: &str| {
        let now = js_sys::Date::now();
        let _ = Reflect::set(&timings, &what.into(), &(now - mark.get()).into());
        mark.set(now);
    };
    state.progress.update(|pr| {
        if let Some(pr) = pr.as_mut() {
            pr.phase = LoadPhase::Show;
            pr.cancellable = false;
        }
    });
    let id = p.id;
    let latest = move || NEXT_ID.with(Cell::get) == id.wrapping_add(1);
    let mut receiver = transfer::Receiver::new(JsChunks {
        list: chunks,
        next: 0,
    });
    let step2 = step.clone();
    let work = move || {
        let was_decoding = !receiver.decoded();
        let out = receiver.step().transpose();
        if was_decoding && receiver.decoded() {
            step2("decode");
        }
        out
    };
    in_tasks(work, latest, move |result| {
        step("analyze");
        let s = match result {
            Ok((name, format, traces)) => {
                Arc::new(Session::new(name, format, traces.into_iter(), p.owner))
            }
            Err(e) => {
                return super::load::fail(state, &p.name, &p.owner, format!("{}: {e}", p.name))
            }
        };
        // Drawn in a task of its own, after the "Drawing" state has had a chance to paint.
        next_task(move || {
            if !latest() {
                return;
            }
            step("queue3");
            state.progress.set(None);
            state.show_loaded(s, false);
            step("show");
            record(worker_memory, &timings_out);
            if let Some(then) = p.then {
                then(state);
            }
        });
    });
}

/// Runs `work` (a bounded piece per call, `Some` when finished) in tasks of about [`SLICE_MS`] each, so that the
/// page answers input while a large trace is handed over and analysed; stops if a newer load has started.
fn in_tasks<T: 'static>(
    mut work: impl FnMut() -> Option<T> + 'static,
    latest: impl Fn() -> bool + Copy + 'static,
    done: impl FnOnce(T) + 'static,
) {
    next_task(move || {
        if !latest() {
            return;
        }
        let start = js_sys::Date::now();
        loop {
            if let Some(out) = work() {
                return done(out);
            }
            if js_sys::Date::now() - start >= SLICE_MS {
                return in_tasks(work, latest, done);
            }
        }
    });
}

/// Keeps the worker's peak memory and the time of each step of the last load where `make bench` reads them
/// (`window.__stitchWorkerMemory`, `window.__stitchLoadTimings`).
fn record(worker_memory: f64, timings: &JsValue) {
    if let Some(w) = web_sys::window() {
        let _ = Reflect::set(&w, &"__stitchWorkerMemory".into(), &worker_memory.into());
        let _ = Reflect::set(&w, &"__stitchLoadTimings".into(), timings);
    }
}

/// The worker failed. If it never started, it cannot start in this browser: the pending load and every later one are
/// parsed on the page. If it failed on the load it was given, that load fails: the same bytes could take the page
/// down too. The next load starts a fresh worker.
fn worker_failed(state: State, why: &str) {
    let started = CLIENT.with(|c| c.borrow().as_ref().is_some_and(|c| c.ready));
    terminate();
    if !started {
        web_sys::console::warn_1(
            &format!(
                "Stitch: the parse worker could not start ({why}); parsing on the page instead"
            )
            .into(),
        );
        BROKEN.with(|b| b.set(true));
        return fall_back(state);
    }
    let Some(p) = PENDING.with(|p| p.borrow_mut().take()) else {
        return;
    };
    let msg = format!(
        "{}: the parser failed on this file ({why}); it was not retried on the page, which the same file could freeze",
        p.name
    );
    super::load::fail(state, &p.name, &p.owner, msg);
}

fn fall_back(state: State) {
    if pending_id().is_some() {
        on_page(state);
    }
}

/// Opens text (dropped or pasted) like a file.
pub fn open_text(state: State, name: &str, text: &str) {
    let buf = Uint8Array::from(text.as_bytes()).buffer();
    open(
        state,
        name.to_string(),
        Input::Buffer(buf),
        Owner::Local,
        None,
    );
}

/// Parses the pending load on the page's thread with the engine, then shows it like a worker's result.
fn on_page(state: State) {
    let Some((id, name, input)) = PENDING.with(|p| {
        p.borrow()
            .as_ref()
            .map(|p| (p.id, p.name.clone(), p.input.clone()))
    }) else {
        return;
    };
    leptos::task::spawn_local(async move {
        let timings = Object::new();
        let t0 = js_sys::Date::now();
        let data = match &input {
            Input::Buffer(b) => Ok(Uint8Array::new(b)),
            Input::Blob(f) => wasm_bindgen_futures::JsFuture::from(f.array_buffer())
                .await
                .map(|b| Uint8Array::new(&b))
                .map_err(|_| format!("{name}: the browser could not read the file")),
        };
        // A small gzipped file may hold anything: the worker takes it, if there is one.
        let can_send = !BROKEN.with(Cell::get) && !state.config.with_value(|c| c.no_worker);
        if can_send && pending_id() == Some(id) && data.as_ref().is_ok_and(is_gzip) {
            return to_worker(state, id, name, input);
        }
        let _ = Reflect::set(&timings, &"read".into(), &(js_sys::Date::now() - t0).into());
        let parse = engine().await;
        // A load started or cancelled meanwhile wins.
        if pending_id() != Some(id) {
            return;
        }
        let t1 = js_sys::Date::now();
        let result = data.and_then(|data| {
            let parse =
                parse.map_err(|e| format!("{name}: the parser could not be loaded ({e})"))?;
            parse
                .call2(&JsValue::NULL, &name.as_str().into(), &data)
                .map_err(|e| {
                    e.as_string()
                        .unwrap_or_else(|| format!("{name}: the parser failed"))
                })
        });
        let _ = Reflect::set(
            &timings,
            &"parse".into(),
            &(js_sys::Date::now() - t1).into(),
        );
        let Some(p) = PENDING.with(|p| p.borrow_mut().take()) else {
            return;
        };
        match result {
            Ok(chunks) => take_over(state, p, chunks.unchecked_into(), 0.0, timings.into()),
            Err(msg) => super::load::fail(state, &p.name, &p.owner, msg),
        }
    });
}

/// The engine's `parse` function, loading the engine on first use (worker.js, then engine-boot.js).
async fn engine() -> Result<Function, String> {
    let promise = ENGINE.with(|e| e.borrow_mut().get_or_insert_with(load_engine).clone());
    let engine = wasm_bindgen_futures::JsFuture::from(promise).await;
    let parse = engine
        .map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))
        .and_then(|engine| {
            field(&engine, "parse")
                .dyn_into::<Function>()
                .map_err(|_| "worker.js has no parse function".to_string())
        });
    if parse.is_err() {
        // Try again on the next load (the failure may have been the network).
        ENGINE.with(|e| e.borrow_mut().take());
    }
    parse
}

fn load_engine() -> Promise {
    Promise::new(&mut |resolve, reject| {
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            let _ = reject.call1(&JsValue::NULL, &"no document".into());
            return;
        };
        let Some(head) = doc.head() else {
            let _ = reject.call1(&JsValue::NULL, &"no document head".into());
            return;
        };
        for src in ["./worker.js", "./engine-boot.js"] {
            let Ok(el) = doc.create_element("script") else {
                continue;
            };
            let el: web_sys::HtmlScriptElement = el.unchecked_into();
            el.set_src(src);
            // Run in order: engine-boot.js uses what worker.js defines.
            el.set_async(false);
            let fail = reject.clone();
            let on_error = Closure::once_into_js(move || {
                let _ = fail.call1(&JsValue::NULL, &format!("{src} did not load").into());
            });
            el.set_onerror(Some(on_error.unchecked_ref()));
            if src == "./engine-boot.js" {
                let done = resolve.clone();
                let on_load = Closure::once_into_js(move || {
                    let engine = web_sys::window()
                        .map(|w| field(&w, "__stitchEngine"))
                        .unwrap_or(JsValue::UNDEFINED);
                    let _ = done.call1(&JsValue::NULL, &engine);
                });
                el.set_onload(Some(on_load.unchecked_ref()));
            }
            let _ = head.append_child(&el);
        }
    })
}

/// Chunks transferred from the worker, copied into wasm memory one at a time.
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

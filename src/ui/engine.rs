//! The two engines that parse a trace: the worker (`src/bin/worker.rs`, started by `worker-boot.js`) and the same build
//! loaded on the page's own thread (`engine-boot.js`), for small inputs and when no worker can start. The page's own
//! binary has no parsers. Both take a load as a [`ToEngine`] message and answer with [`FromEngine`] messages, which go
//! to [`super::loader::on_engine`]: what happens next does not depend on which engine parsed.

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::State;
use crate::loading::protocol::{FromEngine, ToEngine, CHUNKS, DATA, TIMINGS};
use crate::loading::LoadId;

/// What to load.
#[derive(Clone)]
pub enum Input {
    /// A file, a download, or a host page's string or object.
    Blob(web_sys::Blob),
    Buffer(js_sys::ArrayBuffer),
}

impl Input {
    pub fn size(&self) -> f64 {
        match self {
            Input::Blob(f) => f.size(),
            Input::Buffer(b) => b.byte_length() as f64,
        }
    }

    fn as_js(&self) -> &JsValue {
        match self {
            Input::Blob(f) => f,
            Input::Buffer(b) => b,
        }
    }
}

/// A parse engine.
pub trait Engine {
    /// Starts parsing load `id`. `false` when this engine cannot run here.
    fn run(&mut self, state: State, id: LoadId, name: &str, input: &Input) -> bool;
    /// Stops whatever it is parsing (its answers about it are ignored from then on).
    fn stop(&mut self);
}

/// A message as the JS object an engine posts: the header, plus the bytes under their own key.
pub fn message<T: serde::Serialize>(header: &T, key: &str, bytes: &JsValue) -> JsValue {
    let o = serde_wasm_bindgen::to_value(header).unwrap_or_else(|_| Object::new().into());
    let _ = Reflect::set(&o, &key.into(), bytes);
    o
}

/// The header of a message: a shallow copy without the bytes, which serde need not walk.
pub fn header_of(msg: &JsValue) -> JsValue {
    let header = Object::assign(&Object::new(), msg.unchecked_ref());
    for key in [DATA, CHUNKS, TIMINGS] {
        let _ = Reflect::delete_property(&header, &key.into());
    }
    header.into()
}

pub fn field(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &k.into()).unwrap_or(JsValue::UNDEFINED)
}

/// The worker: one per load (ending it is the only way to stop a parse, and gives its memory back).
#[derive(Default)]
pub struct WorkerEngine {
    client: Option<Client>,
    /// It failed to start once: it is not tried again.
    pub broken: bool,
    /// Ends a worker started for a load that did not come (see [`WorkerEngine::warm`]).
    idle_end: Option<TimeoutHandle>,
}

struct Client {
    worker: web_sys::Worker,
    ready: bool,
    /// A load waiting for "ready" (messages sent earlier are lost).
    queued: Option<JsValue>,
    _on_message: Closure<dyn FnMut(web_sys::MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::Event)>,
}

/// A worker started for a load that does not come (the file picker was cancelled, the drag left) is ended this long
/// after the last [`WorkerEngine::warm`]: it holds the memory it touched while it waited.
const IDLE_END: std::time::Duration = std::time::Duration::from_secs(60);

impl WorkerEngine {
    /// The worker has started and takes loads.
    pub fn started(&self) -> bool {
        self.client.as_ref().is_some_and(|c| c.ready)
    }

    /// Starts the worker ahead of a load that is likely to come (a drag over the page, a click on "Open trace…", a
    /// download), so that its start-up and warm-up are off the load's path; `idle_end` ends it [`IDLE_END`] later
    /// unless a load is under way then.
    pub fn warm(&mut self, state: State, idle_end: impl FnOnce() + 'static) {
        if self.broken || !self.ensure_client(state) {
            return;
        }
        if let Some(h) = self.idle_end.take() {
            h.clear();
        }
        self.idle_end = set_timeout_with_handle(idle_end, IDLE_END).ok();
    }

    /// The worker became ready: sends the load that waited for it.
    pub fn on_ready(&mut self) {
        if let Some(c) = self.client.as_mut() {
            c.ready = true;
            if let Some(msg) = c.queued.take() {
                let _ = c.worker.post_message(&msg);
            }
        }
    }

    fn ensure_client(&mut self, state: State) -> bool {
        if self.client.is_some() {
            return true;
        }
        let Ok(worker) = web_sys::Worker::new("./worker-boot.js") else {
            return false;
        };
        let on_message =
            Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |ev: web_sys::MessageEvent| {
                super::loader::on_engine(state, ev.data())
            });
        let on_error = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            ev.prevent_default();
            let message = field(&ev, "message")
                .as_string()
                .unwrap_or_else(|| "it stopped with an error".to_string());
            super::loader::on_engine(state, message_of(&FromEngine::Crash { message }));
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        self.client = Some(Client {
            worker,
            ready: false,
            queued: None,
            _on_message: on_message,
            _on_error: on_error,
        });
        true
    }
}

fn message_of(m: &FromEngine) -> JsValue {
    serde_wasm_bindgen::to_value(m).unwrap_or(JsValue::UNDEFINED)
}

impl Engine for WorkerEngine {
    fn run(&mut self, state: State, id: LoadId, name: &str, input: &Input) -> bool {
        if self.broken || !self.ensure_client(state) {
            return false;
        }
        let header = ToEngine::Load {
            id,
            name: name.to_string(),
        };
        // A buffer is copied, not transferred: the page keeps the bytes to fall back on if the worker cannot start.
        let msg = message(&header, DATA, input.as_js());
        if let Some(c) = self.client.as_mut() {
            if c.ready {
                let _ = c.worker.post_message(&msg);
            } else {
                c.queued = Some(msg);
            }
        }
        true
    }

    fn stop(&mut self) {
        if let Some(c) = self.client.take() {
            c.worker.terminate();
        }
    }
}

/// The worker's build, loaded on the page's own thread on first use.
#[derive(Default)]
pub struct PageEngine {
    /// A promise of worker.js's `wasm_bindgen` object, once asked for.
    engine: Option<Promise>,
}

impl Engine for PageEngine {
    fn run(&mut self, state: State, id: LoadId, name: &str, input: &Input) -> bool {
        let promise = self.engine.get_or_insert_with(load_engine).clone();
        let (name, input) = (name.to_string(), input.clone());
        leptos::task::spawn_local(async move {
            let answer = parse_on_page(state, id, &name, &input, promise).await;
            if let Some(answer) = answer {
                super::loader::on_engine(state, answer);
            }
        });
        true
    }

    /// Nothing to stop: a parse on the page runs to its end in one call; its answer is dropped as stale.
    fn stop(&mut self) {}
}

impl PageEngine {
    /// The engine failed to load: try again on the next load (the failure may have been the network).
    pub fn forget(&mut self) {
        self.engine = None;
    }
}

/// Reads `input`, parses it with the engine, and returns the answer the worker would have posted; `None` if the load
/// ended meanwhile.
async fn parse_on_page(
    state: State,
    id: LoadId,
    name: &str,
    input: &Input,
    promise: Promise,
) -> Option<JsValue> {
    let timings = Object::new();
    let t0 = js_sys::Date::now();
    let data = match input {
        Input::Buffer(b) => Ok(Uint8Array::new(b)),
        Input::Blob(f) => wasm_bindgen_futures::JsFuture::from(f.array_buffer())
            .await
            .map(|b| Uint8Array::new(&b))
            .map_err(|_| format!("{name}: the browser could not read the file")),
    };
    let _ = Reflect::set(&timings, &"read".into(), &(js_sys::Date::now() - t0).into());
    let parse = engine_parse(promise).await;
    if !super::loader::is_current(state, id) {
        return None;
    }
    if parse.is_err() {
        state.loader.update_value(|l| l.page.forget());
    }
    let t1 = js_sys::Date::now();
    let result = data.and_then(|data| {
        let parse = parse.map_err(|e| format!("{name}: the parser could not be loaded ({e})"))?;
        parse
            .call2(&JsValue::NULL, &name.into(), &data)
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
    Some(match result {
        Ok(chunks) => {
            let done = FromEngine::Done {
                id,
                spans: 0.0,
                memory: 0.0,
            };
            let msg = message(&done, CHUNKS, &chunks);
            let _ = Reflect::set(&msg, &TIMINGS.into(), &timings);
            msg
        }
        Err(message) => message_of(&FromEngine::Error { id, message }),
    })
}

/// The engine's `parse` function.
async fn engine_parse(promise: Promise) -> Result<Function, String> {
    let engine = wasm_bindgen_futures::JsFuture::from(promise).await;
    engine
        .map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))
        .and_then(|engine| {
            field(&engine, "parse")
                .dyn_into::<Function>()
                .map_err(|_| "worker.js has no parse function".to_string())
        })
}

/// Loads worker.js, then engine-boot.js, as scripts of the page.
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

/// The chunks of a [`FromEngine::Done`] message.
pub fn chunks_of(msg: &JsValue) -> Array {
    field(msg, CHUNKS).dyn_into().unwrap_or_default()
}

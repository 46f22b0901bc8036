//! The parse worker: reads, decompresses and parses a trace file and builds its span trees off the page's thread,
//! then hands the result over as transferred byte chunks (see `stitch::transfer`).
//!
//! It speaks `stitch::loading::protocol`: in, one `ToEngine::Load` with its bytes; out, `FromEngine::Ready` once, then
//! `Progress` messages, and finally `Done` with the transfer chunks, or `Error`. Cancelling is the page terminating
//! the worker.
//!
//! The same build also runs on the page's own thread, as a library (`parse`), for small inputs and when no worker can
//! start: the page's binary has no parsers in it (see `src/ui/worker.rs`).

#![warn(clippy::too_many_lines)]

#[cfg(target_arch = "wasm32")]
mod worker {
    use js_sys::{Array, Object, Reflect, Uint8Array};
    use stitch::formats;
    use stitch::loading::protocol::{FromEngine, ToEngine, CHUNKS, DATA, TIMINGS};
    use stitch::loading::{LoadId, Phase};
    use stitch::transfer::{self, Prepared};
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{Blob, DedicatedWorkerGlobalScope, MessageEvent};

    /// Slices of a file read at once (the browser serves them in parallel: about 1.3x one whole read), and their size
    /// for large files (small ones are read in `IN_FLIGHT` equal slices). Large files are read in bounded slices so
    /// that no big temporary buffer waits for collection beside the copy (the 1M-span peak stays under 1.5 GB).
    const IN_FLIGHT: usize = 4;
    const SLICE: f64 = 16.0 * 1024.0 * 1024.0;

    fn scope() -> DedicatedWorkerGlobalScope {
        js_sys::global().unchecked_into()
    }

    fn post(m: &FromEngine) {
        if let Ok(o) = serde_wasm_bindgen::to_value(m) {
            let _ = scope().post_message(&o);
        }
    }

    fn set(o: &JsValue, k: &str, v: impl Into<JsValue>) {
        let _ = Reflect::set(o, &k.into(), &v.into());
    }

    fn progress(id: LoadId, phase: Phase, done: f64, total: f64, spans: f64) {
        post(&FromEngine::Progress {
            id,
            phase,
            done,
            total,
            spans,
        });
    }

    fn error(id: LoadId, message: &str) {
        post(&FromEngine::Error {
            id,
            message: message.to_string(),
        });
    }

    /// Reads a `Blob` in slices with progress, or copies an `ArrayBuffer`.
    async fn read(id: LoadId, name: &str, data: &JsValue) -> Result<Vec<u8>, String> {
        if let Some(blob) = data.dyn_ref::<Blob>() {
            let size = blob.size();
            if size > formats::MAX_INPUT_BYTES as f64 {
                return Err(formats::too_large(name, size));
            }
            let total = size as usize;
            // A file that fits takes the memory touched at start-up, and the parse's output what it leaves; a larger
            // one is read into fresh memory, and its parse's output takes that memory.
            if total <= SPARE_MB << 20 {
                release_spare();
            }
            let mut bytes: Vec<u8> = Vec::new();
            bytes
                .try_reserve_exact(total)
                .map_err(|_| format!("{name}: not enough memory to read {:.0} MB", size / 1e6))?;
            release_spare();
            let step = (size / IN_FLIGHT as f64).ceil().clamp(1.0, SLICE);
            let failed = || format!("{name}: the browser could not read the file");
            let fetch = |off: f64| {
                let part = blob.slice_with_f64_and_f64(off, (off + step).min(size));
                part.map(|p| wasm_bindgen_futures::JsFuture::from(p.array_buffer()))
            };
            let mut reads = std::collections::VecDeque::new();
            let mut next = 0.0;
            let mut filled = 0;
            while filled < total {
                while next < size && reads.len() < IN_FLIGHT {
                    reads.push_back(fetch(next).map_err(|_| failed())?);
                    next += step;
                }
                // Touch the memory the reads in flight will fill while the browser reads (the first write to fresh
                // wasm memory costs about as much as the read itself).
                let ahead = (next as usize).min(total);
                if bytes.len() < ahead {
                    bytes.resize(ahead, 0);
                }
                let buf = reads
                    .pop_front()
                    .ok_or_else(failed)?
                    .await
                    .map_err(|_| failed())?;
                let arr = Uint8Array::new(&buf);
                let n = arr.length() as usize;
                let dst = bytes
                    .get_mut(filled..filled + n)
                    .filter(|_| n == (total - filled).min(step as usize))
                    .ok_or_else(|| format!("{name}: the file changed while it was read"))?;
                arr.copy_to(dst);
                filled += n;
                progress(id, Phase::Read, filled as f64, size, 0.0);
            }
            Ok(bytes)
        } else if let Some(buf) = data.dyn_ref::<js_sys::ArrayBuffer>() {
            let arr = Uint8Array::new(buf);
            if arr.length() as usize > formats::MAX_INPUT_BYTES {
                return Err(formats::too_large(name, arr.length() as f64));
            }
            release_spare();
            Ok(arr.to_vec())
        } else {
            Err(format!("{name}: nothing to read"))
        }
    }

    /// Parses `bytes` and builds the span trees; the result as transfer chunks. `step` marks the end of each step.
    fn pipeline(
        name: &str,
        bytes: Vec<u8>,
        hook: Box<dyn FnMut(formats::Phase)>,
        mut step: impl FnMut(&str, usize),
    ) -> Result<Vec<Vec<u8>>, String> {
        let loaded = formats::load_with_progress(name, &bytes, hook);
        drop(bytes);
        let loaded = loaded.map_err(|e| e.to_string())?;
        let spans: usize = loaded.traces.iter().map(|t| t.spans.len()).sum();
        step("parse", spans);
        let prepared = Prepared::new(loaded);
        step("tree", spans);
        let chunks = transfer::encode(&prepared, transfer::CHUNK);
        step("encode", spans);
        Ok(chunks)
    }

    /// Copies chunks out of wasm memory, each into its own `ArrayBuffer` (a view of wasm memory would copy all of it).
    fn buffers(chunks: Vec<Vec<u8>>) -> Array {
        let list = Array::new();
        for c in chunks {
            let arr = Uint8Array::new_with_length(c.len() as u32);
            arr.copy_from(&c);
            list.push(&arr.buffer());
        }
        list
    }

    /// The engine's entry point on the page's own thread (small inputs, or when no worker can start): parses `data`
    /// and returns the transfer chunks as `ArrayBuffer`s, or throws the error message.
    #[wasm_bindgen]
    pub fn parse(name: String, data: Uint8Array) -> Result<Array, JsValue> {
        if data.length() as usize > formats::MAX_INPUT_BYTES {
            return Err(formats::too_large(&name, data.length() as f64).into());
        }
        let bytes = data.to_vec();
        drop(data);
        pipeline(&name, bytes, Box::new(|_| {}), |_, _| {})
            .map(buffers)
            .map_err(JsValue::from)
    }

    async fn load(id: LoadId, name: String, data: JsValue) {
        // Milliseconds per step, sent with the result (for `make bench`).
        let timings: JsValue = Object::new().into();
        let mut mark = js_sys::Date::now();
        set(&timings, "startedAt", mark);
        let mut step = |what: &str| {
            let now = js_sys::Date::now();
            set(&timings, what, now - mark);
            mark = now;
        };
        let bytes = match read(id, &name, &data).await {
            Ok(b) => b,
            Err(e) => return error(id, &e),
        };
        drop(data);
        let hook = Box::new(move |p: formats::Phase| match p {
            formats::Phase::Decompressing => progress(id, Phase::Decompress, 0.0, 0.0, 0.0),
            formats::Phase::Parsing { spans, done, total } => {
                progress(id, Phase::Parse, done as f64, total as f64, spans as f64)
            }
        });
        step("read");
        let mut spans = 0;
        let chunks = pipeline(&name, bytes, hook, |what, n| {
            step(what);
            spans = n;
            match what {
                "parse" => progress(id, Phase::Tree, 0.0, 0.0, n as f64),
                "tree" => progress(id, Phase::Send, 0.0, 0.0, n as f64),
                _ => {}
            }
        });
        let chunks = match chunks {
            Ok(c) => c,
            Err(e) => return error(id, &e),
        };
        let list = buffers(chunks);
        step("copy");
        let memory = wasm_bindgen::memory()
            .dyn_into::<js_sys::WebAssembly::Memory>()
            .map(|m| {
                m.buffer()
                    .unchecked_into::<js_sys::ArrayBuffer>()
                    .byte_length() as f64
            })
            .unwrap_or(0.0);
        let done = FromEngine::Done {
            id,
            spans: spans as f64,
            memory,
        };
        let Ok(o) = serde_wasm_bindgen::to_value(&done) else {
            return error(id, &format!("{name}: the result could not be sent"));
        };
        set(&o, TIMINGS, &timings);
        set(&o, CHUNKS, &list);
        let _ = scope().post_message_with_transfer(&o, &list);
    }

    fn on_message(ev: MessageEvent) {
        let data = ev.data();
        let bytes = Reflect::get(&data, &DATA.into()).unwrap_or(JsValue::UNDEFINED);
        // The header without the bytes, which serde need not walk.
        let header = Object::assign(&Object::new(), data.unchecked_ref());
        let _ = Reflect::delete_property(&header, &DATA.into());
        let Ok(ToEngine::Load { id, name }) = serde_wasm_bindgen::from_value(header.into()) else {
            return;
        };
        // One load per worker: the page ends the worker when a load is cancelled or replaced.
        LOADING.with(|l| l.set(true));
        wasm_bindgen_futures::spawn_local(load(id, name, bytes));
    }

    pub fn start() {
        console_error_panic_hook::set_once();
        // On the page (loaded by src/bin/engine-boot.js) only `parse` is used.
        if js_sys::global()
            .dyn_ref::<DedicatedWorkerGlobalScope>()
            .is_none()
        {
            return;
        }
        let handler = Closure::<dyn FnMut(MessageEvent)>::new(on_message);
        scope().set_onmessage(Some(handler.as_ref().unchecked_ref()));
        handler.forget();
        post(&FromEngine::Ready);
        warm_up();
        wasm_bindgen_futures::spawn_local(touch_spare());
    }

    /// Fills [`SPARE`] a megabyte at a time, with a turn for messages every 8 MB; stops when a load has begun (so a
    /// load that starts the worker waits for one step at most) or memory runs out.
    async fn touch_spare() {
        for i in 0..SPARE_MB {
            if LOADING.with(std::cell::Cell::get) {
                return;
            }
            let Some(block) = transfer::touched_block(1 << 20) else {
                return;
            };
            SPARE.with(|s| s.borrow_mut().push(block));
            if i % 8 == 7 {
                next_turn().await;
            }
        }
    }

    /// Resolves in a later task, after messages waiting now.
    async fn next_turn() {
        let p = js_sys::Promise::new(&mut |resolve, _| {
            let g = js_sys::global();
            let timeout = Reflect::get(&g, &"setTimeout".into())
                .ok()
                .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
            match timeout {
                Some(f) => {
                    let _ = f.call2(&g, &resolve, &0.into());
                }
                None => {
                    let _ = resolve.call0(&JsValue::NULL);
                }
            }
        });
        let _ = wasm_bindgen_futures::JsFuture::from(p).await;
    }

    /// Memory touched at start-up, in MB (see [`SPARE`]).
    const SPARE_MB: usize = 128;

    thread_local! {
        /// Memory touched at start-up, while the worker waits for its file (it is started when a load is likely: see
        /// `ui::engine::WorkerEngine::warm`): the first write to fresh wasm memory costs about as much as the writing
        /// itself. A file that fits is read into it and the parse's output takes what it leaves, so both skip that
        /// cost; a larger file is read into fresh memory and its parse's output takes this, so its peak stays what it
        /// was. A small file's worker peaks at this size; the worker ends after the load. `make bench` measures the
        /// read, the parse and the peak.
        static SPARE: std::cell::RefCell<Vec<Vec<u8>>> = const { std::cell::RefCell::new(Vec::new()) };
        /// A load has begun: [`touch_spare`] stops.
        static LOADING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    }

    fn release_spare() {
        SPARE.with(|s| drop(std::mem::take(&mut *s.borrow_mut())));
    }

    /// Runs the whole pipeline on the built-in demo trace a few times (a few milliseconds), so that the engine has
    /// optimised the parser before a real file arrives: a wasm function that is running cannot be swapped for its
    /// optimised version, and the parse of a large file is one long call.
    fn warm_up() {
        for _ in 0..WARM_UP_RUNS {
            for d in &stitch::demo::DEMOS {
                if let Ok(l) = formats::load(d.name, d.json.as_bytes()) {
                    let _ = transfer::encode(&Prepared::new(l), transfer::CHUNK);
                }
            }
        }
    }

    const WARM_UP_RUNS: usize = 20;
}

fn main() {
    #[cfg(target_arch = "wasm32")]
    worker::start();
}

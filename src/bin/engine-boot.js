// Loads the parse engine on the page's own thread, for small inputs and when no worker can start (src/ui/worker.rs).
// The engine is the worker's build (worker.js + worker_bg.wasm); worker.js has run just before this file.
self.__stitchEngine = wasm_bindgen({ module_or_path: './worker_bg.wasm' }).then(function () {
  return wasm_bindgen;
});

// Starts the parse worker (src/bin/worker.rs). Trunk builds worker.js and worker_bg.wasm next to this file.
// A failure to start is reported to the page, which then parses on its own thread ("fatal"); a failure while parsing
// ("crash") fails that load, and the page starts a fresh worker for the next one.
self.addEventListener('unhandledrejection', function (e) {
  postMessage({ type: 'crash', message: String(e.reason) });
});
try {
  importScripts('./worker.js');
  wasm_bindgen({ module_or_path: './worker_bg.wasm' }).catch(function (e) {
    postMessage({ type: 'fatal', message: String(e) });
  });
} catch (e) {
  postMessage({ type: 'fatal', message: String(e) });
}

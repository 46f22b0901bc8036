// What tests/bench/set.mjs puts in each page before the app starts (page.addInitScript), as `window.__probe`: the
// long tasks, the time an input was made, watches that resolve when the page shows a condition, and the floors
// (JSON.parse of the same bytes) measured in the same page. Everything here runs in the page.
export function installProbes() {
  const raf = () => new Promise((res) => requestAnimationFrame(() => res(performance.now())));
  // The end of the next frame: a message posted from a frame's requestAnimationFrame callback is delivered after
  // that frame's style, layout and paint (a task never runs inside a frame).
  const painted = async () => {
    await raf();
    return new Promise((res) => {
      const c = new MessageChannel();
      c.port1.onmessage = () => { c.port1.close(); res(performance.now()); };
      c.port2.postMessage(0);
    });
  };
  const text = (id) => document.querySelector(`[data-testid=${id}]`)?.textContent ?? '';
  const probe = {
    longtasks: [],
    inputAt: null,
    watches: {},
    painted,
    raf,
    // What the page shows, by the app's test IDs (src/ui/browser.rs, set_insight.rs, compare.rs, header.rs).
    is: {
      browser: () => !!document.querySelector('[data-testid=trace-browser] [data-testid=trace-row]') && text('browser-count').trim() !== '',
      compare: () => text('compare-summary').trim() !== '' && !!document.querySelector('[data-testid=pair-row]'),
      trace: (id) => text('trace-id') === id && !!document.querySelector('g.row') && !document.querySelector('.main.hidden'),
      insight: () => text('set-summary').trim() !== '',
      listChanged: (signature) => probe.listSignature() !== signature,
      sentenceChanged: (sentence) => text('set-summary') !== sentence,
      rowAt: (index) => !!document.querySelector(`[data-testid=trace-row][aria-rowindex="${index}"]`),
    },
    // The list as shown: its count and the IDs of its first rows, in order.
    listSignature: () => text('browser-count') + '|' + [...document.querySelectorAll('[data-testid=trace-row]')]
      .slice(0, 20).map((r) => r.dataset.traceId).join(','),
    sentence: () => text('set-summary'),
  };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) probe.longtasks.push(e.duration); })
    .observe({ type: 'longtask', buffered: true });
  probe.longestTask = () => Math.max(0, ...probe.longtasks);
  // Remembers when the next event of `type` happens (capture phase, before the app's handler): its timeStamp, the
  // time the browser took the input, on performance.now()'s clock.
  probe.armInput = (type) => {
    probe.inputAt = null;
    addEventListener(type, (e) => {
      const now = performance.now();
      probe.inputAt = e.timeStamp > 0 && e.timeStamp <= now ? e.timeStamp : now;
      probe.inputSeenAt = now;
    }, { capture: true, once: true });
  };
  // Starts watching: `cond` is checked now and after every change of the document; once it holds, the watch ends
  // with the time of the end of the frame that shows it. An error banner, or `timeoutMs` without it, fails it.
  probe.watch = (name, cond, timeoutMs) => {
    probe.watches[name] = new Promise((resolve, reject) => {
      let done = false;
      const finish = (fn) => { if (!done) { done = true; observer.disconnect(); clearTimeout(timer); fn(); } };
      const check = () => {
        const error = document.querySelector('.error-banner')?.textContent;
        if (error) finish(() => reject(new Error(`${name}: the page shows an error: ${error}`)));
        else if (cond()) finish(() => painted().then((at) => resolve({ at })));
      };
      const observer = new MutationObserver(check);
      const timer = setTimeout(() => finish(() => reject(new Error(`${name}: not shown within ${timeoutMs} ms`))), timeoutMs);
      observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
      check();
    });
    probe.watches[name].catch(() => {}); // read later by `settled`; an unread failure must not be reported twice
  };
  // The result of a watch: the time from `from` (a number, or the last input) to the frame that showed it.
  probe.settled = async (name, from) => {
    const { at } = await probe.watches[name];
    const start = typeof from === 'number' ? from : probe.inputAt;
    if (start == null) throw new Error(`${name}: the input was not seen by the page`);
    return at - start;
  };
  // Resolves once the document has not changed for `quietMs` (the app's deferred work is done), or fails.
  probe.quiet = (quietMs, timeoutMs) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    let last = t0;
    const observer = new MutationObserver(() => { last = performance.now(); });
    observer.observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
    const tick = () => {
      const now = performance.now();
      if (now - last >= quietMs) { observer.disconnect(); resolve(now - t0); } else if (now - t0 > timeoutMs) {
        observer.disconnect(); reject(new Error(`the page kept changing for ${timeoutMs} ms`));
      } else setTimeout(tick, 50);
    };
    setTimeout(tick, 50);
  });
  // Frame-to-frame times of `n` frames with nothing to do: the browser's own pace, the baseline of an interaction.
  probe.idleFrames = async (n) => {
    const out = [];
    let last = await raf();
    for (let i = 0; i < n; i++) { const now = await raf(); out.push(now - last); last = now; }
    return out;
  };
  probe.elements = (selector) => (selector ? document.querySelector(selector)?.getElementsByTagName('*').length ?? 0
    : document.getElementsByTagName('*').length);
  // The floor of a file of JSON Lines: fetch the bytes, then (timed) decode them and JSON.parse each line, keeping
  // every parsed line as a viewer must keep what it read. After a collection of what the page left, as bench.mjs's
  // floor does (the browser runs with --expose-gc). Spans are counted after the clock stops, to check the reading.
  probe.floorLines = async (url) => {
    const buf = await (await fetch(url)).arrayBuffer();
    await new Promise((res) => setTimeout(res, 300));
    if (typeof gc === 'function') gc();
    const t = performance.now();
    const parsed = [];
    for (const line of new TextDecoder().decode(buf).split('\n')) if (line.trim()) parsed.push(JSON.parse(line));
    const ms = performance.now() - t;
    let spans = 0;
    for (const req of parsed) for (const rs of req.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) spans += ss.spans?.length ?? 0;
    return { bytes: buf.byteLength, floorMs: ms, lines: parsed.length, spans };
  };
  // The floor of single-trace Jaeger files: decode and JSON.parse each whole file, one after the other.
  probe.floorFiles = async (urls) => {
    const bufs = [];
    for (const url of urls) bufs.push(await (await fetch(url)).arrayBuffer());
    await new Promise((res) => setTimeout(res, 300));
    if (typeof gc === 'function') gc();
    const t = performance.now();
    const parsed = bufs.map((b) => JSON.parse(new TextDecoder().decode(b)));
    const ms = performance.now() - t;
    const spans = parsed.reduce((n, p) => n + (p.data?.[0]?.spans?.length ?? 0), 0);
    return { bytes: bufs.reduce((n, b) => n + b.byteLength, 0), floorMs: ms, spans };
  };
  window.__probe = probe;
}

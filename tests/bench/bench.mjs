// make bench: load, scroll, zoom, collapse, search and select in headless Chromium at 10k, 100k and 1M spans.
// Every figure is reported with a baseline measured in the same page: JS JSON.parse of the same bytes.
// Writes target/bench/results.json and target/bench/report.md (the tables it prints, which the README quotes).
import { chromium } from '@playwright/test';
import { spawn, exec } from 'node:child_process';
import { promisify } from 'node:util';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const PORT = 4180;
const sizes = (process.env.BENCH_SIZES || '10k,100k,1m').split(',');
const server = spawn('node', [path.join(root, 'tests/e2e/server.mjs'), String(PORT)], { stdio: 'ignore' });
await new Promise((r) => setTimeout(r, 500));

// Total page memory: the resident size of Chromium's renderer process, which holds the page and its parse worker
// (a dedicated worker is a thread of its page's renderer). Sampled every 50 ms; the peak is kept.
const execAsync = promisify(exec);
// Resident size of the renderer processes (page and worker live in one), in MB. The sampler reads /proc directly:
// running `ps` every 50 ms during a timed load took CPU from the load on this 2-core machine.
async function rendererPids() {
  try {
    const { stdout } = await execAsync('ps -eo pid=,args=', { maxBuffer: 16 << 20 });
    return stdout.split('\n').filter((l) => l.includes('--type=renderer')).map((l) => parseInt(l.trim(), 10)).filter((p) => p > 0);
  } catch { return []; }
}
function rssMB(pids) {
  let max = 0;
  for (const pid of pids) {
    try { max = Math.max(max, (parseInt(fs.readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1], 10) * 4096) / 1048576); } catch { /* exited */ }
  }
  return max;
}
async function rendererMB() {
  return rssMB(await rendererPids());
}
function sampleMemory(pids) {
  const s = { peak: 0, stop: false };
  const timer = setInterval(() => { if (s.stop) clearInterval(timer); else s.peak = Math.max(s.peak, rssMB(pids)); }, 50);
  return s;
}

// A load of the file in a fresh page, as the first one is loaded (click "Open trace…", pick the file half a second
// later), with `query` in the page's URL; with `floor`, JSON.parse of the same bytes in that page right after, so that
// the pair sees the same load on the shared machine.
async function timedLoad(size, { query = '', floor = false } = {}) {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await ctx.newPage();
    await page.addInitScript(() => {
      window.__longtasks = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longtasks.push(e.duration); })
        .observe({ type: 'longtask', buffered: true });
    });
    await page.goto(`http://127.0.0.1:${PORT}/stitch/${query}`);
    await page.waitForSelector('[data-testid=trace-title]');
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByText('Open trace…').click()]);
    await page.waitForTimeout(500);
    await page.evaluate(() => {
      window.__longtasks.length = 0;
      window.__before = document.querySelector('[data-testid=trace-id]').textContent;
      window.__t0 = performance.now();
    });
    await chooser.setFiles(path.join(root, 'target', 'bench', `jaeger-${size}.json`));
    const load = await page.evaluate(async () => {
      const raf = () => new Promise((res) => requestAnimationFrame(() => res(performance.now())));
      for (;;) {
        const t = document.querySelector('[data-testid=trace-id]')?.textContent;
        if ((t !== window.__before && document.querySelector('g.row')) || document.querySelector('.error-banner')) break;
        await new Promise((r) => setTimeout(r, 0));
      }
      await raf();
      return {
        loadMs: performance.now() - window.__t0, longestTaskMs: Math.max(0, ...window.__longtasks), steps: window.__stitchLoadTimings ?? {},
        error: document.querySelector('.error-banner')?.textContent,
      };
    });
    if (load.error) throw new Error(`jaeger-${size}.json did not load: ${load.error}`);
    if (!floor) return load;
    const f = await page.evaluate(floorIn, `/generated-bench/jaeger-${size}.json`);
    return { ...load, jsonParseMs: f.jsonParseMs };
  } finally {
    await ctx.close();
    await new Promise((res) => setTimeout(res, 2000)); // let the closed page's renderer exit before the next one
  }
}
// JSON.parse of a file's bytes, decoding included (the app reads bytes too). Runs in the page, after a collection of
// what the page left (the browser runs with --expose-gc), so the app's garbage does not slow the floor.
async function floorIn(file) {
  const buf = await (await fetch(file)).arrayBuffer();
  await new Promise((res) => setTimeout(res, 300));
  if (typeof gc === 'function') gc();
  const t = performance.now();
  const parsed = JSON.parse(new TextDecoder().decode(buf));
  return { bytes: buf.byteLength, jsonParseMs: performance.now() - t, spans: parsed.data[0].spans.length };
}
// Loads timed per size by `timedLoad`, each against its own floor, for the load-vs-JSON.parse figures. (The first
// page of each size, which times everything else, loads the file too; its floor comes after all its other figures.)
const LOAD_RUNS = Number(process.env.BENCH_LOAD_RUNS || 5);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };

const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? 0; };
const results = [];
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--enable-precise-memory-info', '--js-flags=--max-old-space-size=4096 --expose-gc'],
});
const browserVersion = browser.version();
try {
  for (const size of sizes) {
    const file = `/generated-bench/jaeger-${size}.json`;
    // A context of its own: its own renderer process, so the memory figures are this page's alone.
    const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await ctx.newPage();
    await page.addInitScript(() => {
      addEventListener('TrunkApplicationStarted', (e) => { window.__wasm = e.detail.wasm; });
      window.__longtasks = [];
      new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__longtasks.push(e.duration); })
        .observe({ type: 'longtask', buffered: true });
    });
    await page.goto(`http://127.0.0.1:${PORT}/stitch/`);
    await page.waitForSelector('[data-testid=trace-title]');
    // Load to first painted waterfall, through the file picker (a disk-backed File, as a user's would be).
    await page.evaluate(() => {
      window.__longtasks.length = 0;
      window.__before = document.querySelector('[data-testid=trace-id]').textContent;
      window.__t0 = performance.now();
    });
    const pids = await rendererPids();
    const before = rssMB(pids);
    const mem = sampleMemory(pids);
    // As a user does it: click "Open trace…" (which starts the parse worker), pick the file half a second later.
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByText('Open trace…').click()]);
    await page.waitForTimeout(500);
    await page.evaluate(() => { window.__longtasks.length = 0; window.__t0 = performance.now(); });
    await chooser.setFiles(path.join(root, 'target', 'bench', `jaeger-${size}.json`));
    const r = await page.evaluate(async () => {
      const raf = () => new Promise((res) => requestAnimationFrame(() => res(performance.now())));
      const until = async (cond) => { for (;;) { if (cond()) return raf(); await new Promise((r) => setTimeout(r, 0)); } };
      const text = (id) => document.querySelector(`[data-testid=${id}]`)?.textContent ?? '';
      // A frame's main-thread work: from applying an input to the end of the frame that shows it. A message posted
      // now is delivered after that frame's script, style, layout and paint (a task never runs inside a frame).
      // This holds because each timed loop body starts right after `await raf()`, i.e. inside a frame's rendering.
      const mc = new MessageChannel();
      let delivered = null;
      mc.port1.onmessage = () => delivered(performance.now());
      const frameDone = () => new Promise((res) => { delivered = res; mc.port2.postMessage(0); });
      const out = {};
      let t;
      await until(() => (text('trace-id') !== window.__before && document.querySelector('g.row')) || document.querySelector('.error-banner'));
      out.loadMs = performance.now() - window.__t0;
      out.error = document.querySelector('.error-banner')?.textContent;
      out.longestTaskMs = Math.max(0, ...window.__longtasks);
      out.workerPeakMB = (window.__stitchWorkerMemory ?? 0) / 1e6;
      out.steps = window.__stitchLoadTimings ?? {};
      // Baseline in the same page: 60 frames with nothing to do (the browser's own frame-to-frame jitter).
      const idle = [];
      let last = await raf();
      for (let i = 0; i < 60; i++) { const now = await raf(); idle.push(now - last); last = now; }
      out.idleFrames = idle;
      // Scroll: 200 steps across the whole tree, one per frame, like dragging the scrollbar (at 1M, ~25 rows a frame).
      const sc = document.querySelector('[data-testid=rows-scroll]');
      const frames = [];
      last = await raf();
      const dragWork = [];
      for (let i = 1; i <= 200; i++) {
        const t0 = performance.now();
        sc.scrollTop = (i / 200) * (sc.scrollHeight - sc.clientHeight);
        sc.dispatchEvent(new Event('scroll'));
        const done = frameDone();
        const now = await raf();
        dragWork.push((await done) - t0);
        frames.push(now - last);
        last = now;
      }
      out.dragWork = dragWork;
      out.scrollP50 = frames.slice().sort((a, b) => a - b)[99];
      // Scroll at a mouse wheel's pace: 100 px (about 4 rows) per frame, 120 frames from the top.
      const wf = [];
      const wheelWork = [];
      sc.scrollTop = 0; sc.dispatchEvent(new Event('scroll')); last = await raf();
      for (let i = 1; i <= 120; i++) {
        const t0 = performance.now();
        sc.scrollTop = i * 100;
        sc.dispatchEvent(new Event('scroll'));
        const done = frameDone();
        const now = await raf();
        wheelWork.push((await done) - t0);
        wf.push(now - last);
        last = now;
      }
      out.wheelWork = wheelWork;
      out.wheelFrames = wf;
      out.scrollFrames = frames;
      // Zoom: 40 key presses (in and out), one per frame.
      const zf = [];
      last = await raf();
      const zoomWork = [];
      for (let i = 0; i < 40; i++) {
        const t0 = performance.now();
        window.dispatchEvent(new KeyboardEvent('keydown', { key: i < 20 ? 'ArrowUp' : 'ArrowDown', bubbles: true }));
        const done = frameDone();
        const now = await raf();
        zoomWork.push((await done) - t0);
        zf.push(now - last);
        last = now;
      }
      out.zoomFrames = zf;
      out.zoomWork = zoomWork;
      // Collapse all, expand all.
      const rc = () => text('row-count');
      let b = rc(); t = performance.now();
      document.querySelector('[data-testid=collapse-all]').click();
      await until(() => rc() !== b); out.collapseAllMs = performance.now() - t;
      b = rc(); t = performance.now();
      document.querySelector('[data-testid=expand-all]').click();
      await until(() => rc() !== b); out.expandAllMs = performance.now() - t;
      // Search (one keystroke's worth: the whole query at once).
      const input = document.querySelector('[data-testid=search]');
      b = text('match-count'); t = performance.now();
      input.value = 'postgresql'; input.dispatchEvent(new Event('input', { bubbles: true }));
      await until(() => text('match-count') !== b); out.searchMs = performance.now() - t; out.searchResult = text('match-count');
      input.value = ''; input.dispatchEvent(new Event('input', { bubbles: true }));
      await raf();
      // Select a span and open its detail.
      sc.scrollTop = 0; sc.dispatchEvent(new Event('scroll')); await raf();
      const row = document.querySelectorAll('g.row')[5];
      t = performance.now();
      row.dispatchEvent(new MouseEvent('click', { bubbles: true }));
      await until(() => document.querySelector('[data-testid=detail]')); out.selectMs = performance.now() - t;
      // stitch:analyze: the whole analysis as a message (the page posts to itself when not framed).
      t = performance.now();
      const answer = new Promise((res) => addEventListener('message', (e) => { if (e.data?.type === 'stitch:analysis') res(); }));
      postMessage({ type: 'stitch:analyze' }, '*');
      await answer;
      out.analyzeMs = performance.now() - t;
      // Memory.
      out.jsHeapMB = (performance.memory?.usedJSHeapSize ?? 0) / 1e6;
      out.wasmMB = (window.__wasm?.memory?.buffer?.byteLength ?? 0) / 1e6;
      return out;
    });
    mem.stop = true;
    r.rendererBeforeMB = before;
    r.rendererPeakMB = mem.peak;
    r.rendererAfterMB = await rendererMB();
    // Floor: JSON.parse of the same bytes in the same page (decode included: the app reads bytes too), measured
    // last so that its garbage does not count in the app's memory or slow the app's load.
    const floor = await page.evaluate(floorIn, file);
    Object.assign(r, floor);
    r.size = size;
    // Frames that missed a vsync: more than 1.5 frames (25 ms) from the one before.
    const missed = (xs) => xs.filter((x) => x > 25).length;
    r.missed = { idle: missed(r.idleFrames), drag: missed(r.scrollFrames), wheel: missed(r.wheelFrames), zoom: missed(r.zoomFrames) };
    r.scrollP95 = pct(r.scrollFrames, 0.95);
    r.zoomP95 = pct(r.zoomFrames, 0.95);
    r.idleP95 = pct(r.idleFrames, 0.95);
    delete r.idleFrames;
    for (const k of ['drag', 'wheel', 'zoom']) { r[k + 'WorkP95'] = pct(r[k + 'Work'], 0.95); delete r[k + 'Work']; }
    r.wheelP50 = pct(r.wheelFrames, 0.5);
    r.wheelP95 = pct(r.wheelFrames, 0.95);
    delete r.wheelFrames;
    delete r.scrollFrames; delete r.zoomFrames;
    r.bytesPerSpanWasm = (r.wasmMB * 1e6) / r.spans;
    r.bytesPerSpanPage = ((r.rendererAfterMB - r.rendererBeforeMB) * 1048576) / r.spans;
    await ctx.close();
    await new Promise((res) => setTimeout(res, 2000)); // let the closed page's renderer exit before the next one
    // Same file parsed on the page's thread (?worker=0), as before the worker: load time and longest task only.
    const r2 = await timedLoad(size, { query: '?worker=0' });
    r.pageThreadLoadMs = r2.loadMs;
    r.pageThreadLongestTaskMs = r2.longestTaskMs;
    if (r.error) throw new Error(`jaeger-${size}.json did not load: ${r.error}`);
    // Loads, each against its own floor; the figures reported are medians, and the ratio the median of the pairs'.
    r.first = { loadMs: r.loadMs, jsonParseMs: r.jsonParseMs, longestTaskMs: r.longestTaskMs, steps: r.steps };
    r.runs = [];
    for (let i = 0; i < LOAD_RUNS; i++) r.runs.push(await timedLoad(size, { floor: true }));
    for (const x of r.runs) x.ratio = x.loadMs / x.jsonParseMs;
    r.loadMs = median(r.runs.map((x) => x.loadMs));
    r.jsonParseMs = median(r.runs.map((x) => x.jsonParseMs));
    r.loadVsParse = median(r.runs.map((x) => x.ratio));
    r.longestTaskMs = Math.max(r.first.longestTaskMs, ...r.runs.map((x) => x.longestTaskMs));
    results.push(r);
  }
} finally {
  await browser.close();
  server.kill();
}
fs.mkdirSync(path.join(root, 'target', 'bench'), { recursive: true });
fs.writeFileSync(path.join(root, 'target', 'bench', 'results.json'), JSON.stringify(results, null, 2));
// Everything printed below also goes to target/bench/report.md, which the README quotes.
const report = [];
const out = (...parts) => {
  const line = parts.join(' ');
  report.push(line);
  console.log(line);
};
const f = (x, d = 1) => (typeof x === 'number' ? x.toFixed(d) : String(x));
out(`\nload, JSON.parse and their ratio: medians of ${LOAD_RUNS} loads; longest task: the longest in all ${LOAD_RUNS + 1} loads`);
out('size  spans    MB    JSON.parse  load(ms)  load/parse  longest task  scroll p50/p95  zoom p95  collapse/expand all  search  select  analyze');
for (const r of results) {
  out([r.size.padEnd(5), String(r.spans).padEnd(8), f(r.bytes / 1e6, 0).padEnd(5), f(r.jsonParseMs).padEnd(11), f(r.loadMs).padEnd(9),
    (f(r.loadVsParse, 2) + 'x').padEnd(11), f(r.longestTaskMs).padEnd(13), `${f(r.scrollP50)}/${f(r.scrollP95)}`.padEnd(15),
    f(r.zoomP95).padEnd(9), `${f(r.collapseAllMs)}/${f(r.expandAllMs)}`.padEnd(20), f(r.searchMs).padEnd(7), f(r.selectMs).padEnd(7),
    f(r.analyzeMs)].join(' '));
}
out('\nframes (ms)  idle p95 (baseline, same page)  scroll drag p95  wheel (100 px per frame) p50/p95  zoom p95');
for (const r of results) {
  out([r.size.padEnd(12), f(r.idleP95).padEnd(32), f(r.scrollP95).padEnd(16), `${f(r.wheelP50)}/${f(r.wheelP95)}`.padEnd(32),
    f(r.zoomP95)].join(' '));
}
out('\nframe work p95 (ms): script, style, layout and paint of the frame that shows each input (budget 16.7)');
out('size         scroll drag  wheel  zoom');
for (const r of results) out([r.size.padEnd(12), f(r.dragWorkP95).padEnd(12), f(r.wheelWorkP95).padEnd(6), f(r.zoomWorkP95)].join(' '));
out('\nframes that missed a vsync (over 25 ms): idle of 60, drag of 200, wheel of 120, zoom of 40');
for (const r of results) out(r.size.padEnd(12), `${r.missed.idle} / ${r.missed.drag} / ${r.missed.wheel} / ${r.missed.zoom}`);
out(`\nload vs JSON.parse, ${LOAD_RUNS} loads per size, each in a fresh page with its floor timed in that page right after (ms)`);
out('size   load median  floor median  ratio median  ratio range    each load/floor');
for (const r of results) {
  const rs = r.runs.map((x) => x.ratio);
  out([r.size.padEnd(6), f(r.loadMs).padEnd(12), f(r.jsonParseMs).padEnd(13), (f(r.loadVsParse, 2) + 'x').padEnd(13),
    `${f(Math.min(...rs), 2)}-${f(Math.max(...rs), 2)}x`.padEnd(14), r.runs.map((x) => `${f(x.loadMs, 0)}/${f(x.jsonParseMs, 0)}`).join(' ')].join(' '));
}
out('\nworker vs page thread  load (worker, median)  longest task (worker)  load (page thread)  longest task (page thread)');
for (const r of results) {
  out([r.size.padEnd(22), f(r.loadMs).padEnd(13), f(r.longestTaskMs).padEnd(22), f(r.pageThreadLoadMs).padEnd(19),
    f(r.pageThreadLongestTaskMs)].join(' '));
}
out('\nworker load, ms per step: read, parse, tree, encode, copy (worker); wait (posted to started); decode, analyze (each in tasks of ~35 ms, with the gaps between them), queue3, show (page)');
for (const r of results) r.runs.forEach((x, i) => out(r.size.padEnd(6), `run ${i + 1}`, JSON.stringify(x.steps)));
out('\nmemory (MB)  page JS heap  page wasm  worker wasm peak  renderer before/peak/after  page bytes/span after load');
for (const r of results) {
  out([r.size.padEnd(12), f(r.jsHeapMB, 0).padEnd(13), f(r.wasmMB, 0).padEnd(10), f(r.workerPeakMB, 0).padEnd(17),
    `${f(r.rendererBeforeMB, 0)}/${f(r.rendererPeakMB, 0)}/${f(r.rendererAfterMB, 0)}`.padEnd(27), f(r.bytesPerSpanPage, 0)].join(' '));
}
fs.writeFileSync(
  path.join(root, 'target', 'bench', 'report.md'),
  `# make bench, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC\n\n` +
    `Chromium ${browserVersion}, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}).\n\n` +
    '```\n' + report.join('\n').trim() + '\n```\n',
);

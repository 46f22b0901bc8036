// make bench, the views of one trace (#19) on the 1M-span Jaeger file: switching to the flame graph (the moment the
// trace shows, and later) and its zoom frames, sorting the span table, building the service graph, and focusing a subtree. Each figure is measured in a
// fresh page whose first act is the load, against a baseline in the same page (its idle frames), and is reported
// beside the target as a ratio. Medians of VIEWS_RUNS pages (3). Writes target/bench/results-views.json and
// appends its table to target/bench/report.md (replacing the one of a former run).
// Usage: node tests/bench/views.mjs (after make bench's gen; BENCH_VIEWS_SIZE=100k for a quicker run).
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const BENCH = path.join(root, 'target', 'bench');
const PORT = 4182;
const RUNS = Number(process.env.VIEWS_RUNS || 3);
const SIZE = process.env.BENCH_VIEWS_SIZE || '1m';
const FILE = path.join(BENCH, `jaeger-${SIZE}.json`);
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? 0; };

if (!fs.existsSync(FILE)) throw new Error(`${FILE} is missing: run make bench (its gen writes target/bench)`);
const server = spawn('node', [path.join(root, 'tests/e2e/server.mjs'), String(PORT)], { stdio: 'ignore' });
for (let until = Date.now() + 10_000; ;) {
  try { if ((await fetch(`http://127.0.0.1:${PORT}/stitch/`)).ok) break; } catch { /* not yet */ }
  if (Date.now() > until) throw new Error(`the server on port ${PORT} did not answer`);
  await new Promise((r) => setTimeout(r, 100));
}
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--js-flags=--max-old-space-size=4096'],
});

// In the page: timing helpers. `frameWork` is one input's main-thread work, from applying it to the end of the
// frame that shows it (a message posted inside a frame is delivered after that frame's rendering).
function probes() {
  const raf = () => new Promise((res) => requestAnimationFrame(() => res(performance.now())));
  const until = async (cond, timeout = 120000) => {
    const t0 = performance.now();
    for (;;) {
      if (cond()) return raf();
      if (performance.now() - t0 > timeout) throw new Error(`timed out: ${cond}`);
      await new Promise((r) => setTimeout(r, 0));
    }
  };
  const mc = new MessageChannel();
  let delivered = null;
  mc.port1.onmessage = () => delivered(performance.now());
  const frameDone = () => new Promise((res) => { delivered = res; mc.port2.postMessage(0); });
  const key = (k) => window.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
  const q = (sel) => document.querySelector(sel);
  const text = (id) => q(`[data-testid=${id}]`)?.textContent ?? '';
  // How long `act` takes to show what `done` waits for, to the end of that frame.
  const timed = async (act, done) => { await raf(); const t0 = performance.now(); act(); await until(done); return performance.now() - t0; };
  window.__views = { raf, until, frameDone, key, q, text, timed };
}

async function onePage() {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  await page.addInitScript(probes);
  await page.goto(`http://127.0.0.1:${PORT}/stitch/`);
  await page.waitForSelector('[data-testid=trace-title]', { timeout: 60_000 });
  const before = await page.getByTestId('trace-id').textContent();
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByText('Open trace…').click()]);
  await page.waitForTimeout(500);
  await chooser.setFiles(FILE);
  await page.waitForFunction((b) => document.querySelector('[data-testid=trace-id]')?.textContent !== b
    && document.querySelector('g.row'), before, { timeout: 300_000, polling: 100 });
  // Cold: the flame graph the moment the trace shows, before its structure is built in the background.
  const cold = await page.evaluate(async () => {
    const { key, q, timed, until } = window.__views;
    const rects = () => Number(q('[data-testid=flame-canvas]')?.getAttribute('data-rects') || 0);
    const ms = await timed(() => key('2'), () => rects() > 0);
    key('1'); await until(() => document.querySelector('g.row'));
    return ms;
  });
  await page.waitForTimeout(1500); // the search index and other after-load work settle
  const r = await page.evaluate(measure);
  r.flameColdMs = cold;
  await ctx.close();
  await new Promise((res) => setTimeout(res, 2000));
  return r;
}

// Runs in the page, on the loaded trace.
async function measure() {
  const { raf, until, frameDone, key, q, text, timed } = window.__views;
  const out = {};
  // Baseline: the page's idle frames.
  const idle = [];
  let last = await raf();
  for (let i = 0; i < 60; i++) { const now = await raf(); idle.push(now - last); last = now; }
  out.idleFrames = idle;
  // Focus on a subtree, by its row's context action: collapse all and open one level (a collapsed row says "+N").
  key(']'); await until(() => document.querySelectorAll('g.row').length === 1);
  key('o'); await until(() => document.querySelectorAll('g.row').length > 1);
  // The smallest subtree of at least 100,000 spans among the root and its children (the root, if no child has that
  // many): the case, or a larger one.
  let best = null;
  for (const row of document.querySelectorAll('g.row')) {
    const n = Number((row.querySelector('.hidden-count')?.textContent ?? '').replace(/[^0-9]/g, '')) + 1;
    const better = !best || (n >= 100000 && (best.n < 100000 || n < best.n)) || (best.n < 100000 && n > best.n);
    if (n > 1 && better) best = { row, n };
  }
  key('['); await until(() => text('row-count') !== '' && !text('row-count').includes('of'));
  if (best) {
    // Expanded again: find the same row (by span ID) and focus on it.
    const id = best.row.getAttribute('data-span-id');
    const before = text('row-count');
    const row = [...document.querySelectorAll('g.row')].find((r) => r.getAttribute('data-span-id') === id);
    out.focusSpans = best.n;
    out.focusMs = await timed(
      () => row.dispatchEvent(new MouseEvent('contextmenu', { bubbles: true, cancelable: true })),
      () => text('row-count') !== before && q('[data-testid=breadcrumb]'),
    );
    key('Escape'); await until(() => !q('[data-testid=breadcrumb]'));
  }
  // The flame graph: switch to it (to its first drawn frame), then 40 wheel zooms over it, one per frame.
  const rects = () => Number(q('[data-testid=flame-canvas]')?.getAttribute('data-rects') || 0);
  out.flameSwitchMs = await timed(() => key('2'), () => rects() > 0);
  const flame = q('[data-testid=flame-scroll]');
  const box = flame.getBoundingClientRect();
  const zoomWork = [];
  await raf();
  for (let i = 0; i < 40; i++) {
    const t0 = performance.now();
    flame.dispatchEvent(new WheelEvent('wheel', {
      deltaY: i < 20 ? -100 : 100, clientX: box.left + box.width * 0.4, clientY: box.top + 40, bubbles: true, cancelable: true,
    }));
    const done = frameDone();
    await raf();
    zoomWork.push((await done) - t0);
  }
  out.flameZoomWork = zoomWork;
  key('0'); key('1'); await until(() => document.querySelector('g.row'));
  // The span table: switch to it, then sort by duration (longest first).
  out.tableSwitchMs = await timed(() => key('3'), () => q('[data-testid=span-row]'));
  // The rows drawn (the root leads both the start order and the longest-first order, so the first row alone can stay).
  const first = () => q('[data-testid=span-table] tbody')?.textContent;
  let b = first();
  out.tableSortMs = await timed(() => q('[data-testid="sort-Duration"]').click(), () => first() !== b);
  b = first();
  out.tableSortBackMs = await timed(() => q('[data-testid="sort-Duration"]').click(), () => first() !== b);
  // The service graph: switch to it (the graph is built and laid out), then split it into operations.
  out.graphMs = await timed(() => key('4'), () => q('[data-testid=graph-node]'));
  out.graphNodes = document.querySelectorAll('[data-testid=graph-node]').length;
  b = document.querySelectorAll('[data-testid=graph-node]').length;
  out.graphOpsMs = await timed(() => q('[data-testid=graph-operations]').click(),
    () => document.querySelectorAll('[data-testid=graph-node]').length !== b);
  out.graphOpNodes = document.querySelectorAll('[data-testid=graph-node]').length;
  key('1'); await until(() => document.querySelector('g.row'));
  return out;
}

const runs = [];
try {
  for (let i = 0; i < RUNS; i++) runs.push(await onePage());
} finally {
  await browser.close();
  server.kill();
}
const figures = {};
for (const k of Object.keys(runs[0])) {
  if (k === 'idleFrames' || k === 'flameZoomWork') continue;
  figures[k] = median(runs.map((r) => r[k]).filter((x) => typeof x === 'number'));
}
figures.idleP95 = median(runs.map((r) => pct(r.idleFrames, 0.95)));
figures.flameZoomP95 = median(runs.map((r) => pct(r.flameZoomWork, 0.95)));
fs.writeFileSync(path.join(BENCH, 'results-views.json'), JSON.stringify({ size: SIZE, runs, figures }, null, 2));
const f = (x) => (typeof x === 'number' ? x.toFixed(0) : '—');
const ratio = (x, target) => (typeof x === 'number' ? `${(x / target).toFixed(2)} of the target` : '—');
const rows = [
  ['switch to the flame graph, the moment the trace shows (cold)', `${f(figures.flameColdMs)} ms`, '≤ 50 ms', ratio(figures.flameColdMs, 50)],
  ['switch to the flame graph, a moment later (its structure built)', `${f(figures.flameSwitchMs)} ms`, '≤ 50 ms', ratio(figures.flameSwitchMs, 50)],
  ['a zoom frame in the flame graph (work p95)', `${figures.flameZoomP95.toFixed(1)} ms`, '≤ 16.7 ms', ratio(figures.flameZoomP95, 16.7)],
  ['focus a subtree', `${f(figures.focusMs)} ms (${f(figures.focusSpans)} spans)`, '≤ 100 ms', ratio(figures.focusMs, 100)],
  ['switch to the span table', `${f(figures.tableSwitchMs)} ms`, '—', `${(figures.tableSwitchMs / figures.idleP95).toFixed(1)} idle frames`],
  ['build the service graph (switch to it)', `${f(figures.graphMs)} ms (${f(figures.graphNodes)} services)`, '≤ 300 ms', ratio(figures.graphMs, 300)],
  ['the same, by operation', `${f(figures.graphOpsMs)} ms (${f(figures.graphOpNodes)} operations)`, '≤ 300 ms', ratio(figures.graphOpsMs, 300)],
  ['sort the span table by duration', `${f(figures.tableSortMs)} ms (back: ${f(figures.tableSortBackMs)} ms)`, '≤ 200 ms', ratio(figures.tableSortMs, 200)],
];
const table = [
  `## The views of one trace (tests/bench/views.mjs; jaeger-${SIZE}.json; medians of ${runs.length} fresh pages; idle frame p95 ${figures.idleP95.toFixed(1)} ms)`,
  '',
  '| what | measured | target | ratio |',
  '|---|---|---|---|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
  '',
].join('\n');
console.log(table);
const reportFile = path.join(BENCH, 'report.md');
const old = fs.existsSync(reportFile) ? fs.readFileSync(reportFile, 'utf8') : '';
const kept = old.split('\n## The views of one trace')[0].replace(/\s*$/, '\n');
fs.writeFileSync(reportFile, `${kept}\n${table}`);

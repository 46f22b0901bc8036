// make bench, files of many traces: the trace browser, its sort and filters, the set-wide "where the time went", the
// comparison of two traces, switching between the list and a trace, and the list's size in elements at 100k traces.
// Every figure is measured in a fresh browser context, the load being the first thing its page does, against a
// baseline in the same page: JSON.parse of the same bytes (each line of a JSON Lines file), or the page's idle frames.
// Medians of SET_RUNS loads (3). Writes target/bench/results-set.json and target/bench/report-set.md, and puts the
// same tables in target/bench/report.md (bench.mjs's report) as its last section, replacing the one of a former run.
// The in-page instruments are tests/bench/set-probes.mjs. Usage: node tests/bench/set.mjs (after make bench's gen).
import { chromium } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import os from 'node:os';
import { installProbes } from './set-probes.mjs';
import { writeReport } from './set-report.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const BENCH = path.join(root, 'target', 'bench');
const PORT = 4181;
const RUNS = Number(process.env.SET_RUNS || 3);
const LOAD_TIMEOUT_MS = 240_000;
const STEP_TIMEOUT_MS = 30_000;
// The service filter: in examples/gen/set.rs only the POST /v1/charges requests call `fraud`, so the list shrinks.
const FILTER_SERVICE = 'fraud';
// The set's insight is recomputed this long after the list settles (src/ui/set_insight.rs, SETTLE).
const INSIGHT_DEBOUNCE_MS = 120;

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const pct = (xs, p) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] ?? 0; };

for (const f of ['set-10k.jsonl', 'set-5k.jsonl', 'set-20k.jsonl', 'set-100k.jsonl', 'compare-a.json', 'compare-b.json']) {
  if (!fs.existsSync(path.join(BENCH, f))) throw new Error(`${f} is missing: run make bench (its gen writes target/bench)`);
}
if (!fs.existsSync(path.join(root, 'dist', 'index.html'))) throw new Error('dist/ is missing: trunk build --release first');
const server = spawn('node', [path.join(root, 'tests/e2e/server.mjs'), String(PORT)], { stdio: 'ignore' });
await serverUp();
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', '--js-flags=--max-old-space-size=4096 --expose-gc'],
});

async function serverUp() {
  const until = Date.now() + 10_000;
  for (;;) {
    try { if ((await fetch(`http://127.0.0.1:${PORT}/stitch/`)).ok) return; } catch { /* not yet */ }
    if (Date.now() > until) throw new Error(`the server on port ${PORT} did not answer within 10 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

// A fresh context (its own renderer process) with the probes in, on the app's first screen (the demo trace).
async function freshPage() {
  const ctx = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await ctx.newPage();
  await page.addInitScript(installProbes);
  await page.goto(`http://127.0.0.1:${PORT}/stitch/`);
  await page.waitForSelector('[data-testid=trace-title]', { timeout: 60_000 });
  return { ctx, page };
}
async function closeContext(ctx) {
  await ctx.close();
  await new Promise((res) => setTimeout(res, 2000)); // let the closed page's renderer exit before the next one
}

// Opens `files` with the file chooser, as a user does (click "Open trace…", which starts the parse worker; pick the
// files half a second later), and times setFiles to the end of the first frame that shows `shown` (a probe's `is`).
async function openFiles(page, files, shown) {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser', { timeout: STEP_TIMEOUT_MS }), page.getByText('Open trace…').click(),
  ]);
  await page.waitForTimeout(500);
  await page.evaluate(([shown, timeout]) => {
    const p = window.__probe;
    p.longtasks.length = 0;
    p.watch('load', () => p.is[shown](), timeout);
    if (shown === 'browser') p.watch('insight', () => p.is.insight(), timeout);
    p.loadStart = performance.now();
  }, [shown, LOAD_TIMEOUT_MS]);
  await chooser.setFiles(files.map((f) => path.join(BENCH, f)));
  return page.evaluate(async () => {
    const p = window.__probe;
    const loadMs = await p.settled('load', p.loadStart);
    return { loadMs, longestTaskMs: p.longestTask(), elementsShown: p.elements(), steps: window.__stitchLoadTimings ?? {} };
  });
}

// Waits until the app's deferred work is done (the document unchanged for 400 ms).
const quiet = (page) => page.evaluate((t) => window.__probe.quiet(400, t), LOAD_TIMEOUT_MS);

// An input made by `act` (of DOM event type `input`), timed from the event to the end of the first frame showing
// each watch: `watches` is a list of [name, condition (a probe's `is`), argument]; the conditions listChanged and
// sentenceChanged compare with the list or the sentence as they are once the page is quiet, right before the input.
// Also the longest task meanwhile.
async function timed(page, input, watches, act) {
  await quiet(page);
  await page.evaluate(([input, watches, timeout]) => {
    const p = window.__probe;
    const before = { listChanged: p.listSignature(), sentenceChanged: p.sentence() };
    p.longtasks.length = 0;
    p.armInput(input);
    for (const [name, kind, arg] of watches) p.watch(name, () => p.is[kind](arg ?? before[kind]), timeout);
  }, [input, watches, STEP_TIMEOUT_MS]);
  await act();
  return page.evaluate(async (names) => {
    const out = {};
    for (const n of names) out[n] = await window.__probe.settled(n);
    out.longestTaskMs = window.__probe.longestTask();
    out.inputToHandlerMs = window.__probe.inputSeenAt - window.__probe.inputAt; // in results-set.json only
    return out;
  }, watches.map((w) => w[0]));
}

// The floor of a JSON Lines file, measured in the page; then the page's heap is collected again.
async function linesFloor(page, file, expectSpans) {
  const f = await page.evaluate((u) => window.__probe.floorLines(u), `/generated-bench/${file}`);
  await page.evaluate(() => typeof gc === 'function' && gc());
  if (f.spans !== expectSpans) throw new Error(`${file}: the floor read ${f.spans} spans, not ${expectSpans}`);
  return f;
}

// Cases 1–3, one load of set-10k.jsonl: the load, then the sort and the filters and the set-wide insight after them.
async function set10kRun() {
  const { ctx, page } = await freshPage();
  try {
    const r = await openFiles(page, ['set-10k.jsonl'], 'browser');
    r.count = await page.getByTestId('browser-count').textContent();
    await quiet(page);
    r.insightAfterLoadMs = await page.evaluate(() => window.__probe.settled('insight', window.__probe.loadStart));
    r.elementsSettled = await page.evaluate(() => window.__probe.elements());
    Object.assign(r, await linesFloor(page, 'set-10k.jsonl', 10_000 * 50));
    r.ratio = r.loadMs / r.floorMs;
    r.idleP95 = pct(await page.evaluate(() => window.__probe.idleFrames(60)), 0.95);
    const header = page.locator('[data-testid=trace-table] th button.sort', { hasText: /^Duration/ });
    r.sort = await timed(page, 'click', [['list', 'listChanged']], () => header.click());
    const select = page.getByTestId('filter-service');
    if (!(await select.locator(`option[value="${FILTER_SERVICE}"]`).count())) throw new Error(`no service ${FILTER_SERVICE} in the filter`);
    r.service = await timed(page, 'change', [['list', 'listChanged'], ['insight', 'sentenceChanged']],
      () => select.selectOption(FILTER_SERVICE));
    r.serviceCount = await page.getByTestId('browser-count').textContent();
    // The minimum: the listed traces' median root latency, as the insight panel shows it (keeps about half).
    await quiet(page);
    r.minTyped = (await page.locator('[data-testid=set-insight] .set-facts .latency b').first().textContent()).trim();
    const min = page.getByTestId('filter-min');
    await min.fill(r.minTyped);
    r.min = await timed(page, 'keydown', [['list', 'listChanged'], ['insight', 'sentenceChanged']],
      () => min.press('Enter'));
    r.minCount = await page.getByTestId('browser-count').textContent();
    return r;
  } finally {
    await closeContext(ctx);
  }
}

// Case 4, one load of the two files of one trace each: (a) they open on their comparison; (b) back to the list,
// pick the two rows and compare them.
async function compareRun() {
  const { ctx, page } = await freshPage();
  try {
    const r = await openFiles(page, ['compare-a.json', 'compare-b.json'], 'compare');
    r.summary = await page.getByTestId('compare-summary').textContent();
    await quiet(page);
    Object.assign(r, await page.evaluate((u) => window.__probe.floorFiles(u), ['/generated-bench/compare-a.json', '/generated-bench/compare-b.json']));
    await page.evaluate(() => typeof gc === 'function' && gc());
    r.ratio = r.loadMs / r.floorMs;
    r.back = await timed(page, 'click', [['list', 'browser']], () => page.locator('[data-testid=compare] a.all-traces').click());
    const picks = page.getByTestId('pick');
    if ((await picks.count()) !== 2) throw new Error(`the list of the two files shows ${await picks.count()} rows, not 2`);
    await picks.nth(0).check();
    await picks.nth(1).check();
    const button = page.getByTestId('compare-picked');
    await button.waitFor({ state: 'visible', timeout: STEP_TIMEOUT_MS });
    if (await button.isDisabled()) throw new Error('compare-picked stays disabled with two rows picked');
    r.warm = await timed(page, 'click', [['compare', 'compare']], () => button.click());
    return r;
  } finally {
    await closeContext(ctx);
  }
}

// Case 5, one load of a file of many traces: the load, then open a trace from the list, back, and open another.
async function switchRun(file, spans) {
  const { ctx, page } = await freshPage();
  try {
    const r = await openFiles(page, [file], 'browser');
    await quiet(page);
    r.elementsSettled = await page.evaluate(() => window.__probe.elements());
    Object.assign(r, await linesFloor(page, file, spans));
    r.ratio = r.loadMs / r.floorMs;
    const rows = page.getByTestId('trace-row');
    const ids = await rows.evaluateAll((rs) => rs.slice(0, 2).map((x) => x.dataset.traceId));
    if (ids.length < 2 || ids[0] === ids[1]) throw new Error(`${file}: the list shows no two distinct traces`);
    r.open = await timed(page, 'click', [['trace', 'trace', ids[0]]], () => rows.nth(0).click());
    r.back = await timed(page, 'click', [['list', 'browser']], () => page.getByTestId('all-traces').click());
    r.openAnother = await timed(page, 'click', [['trace', 'trace', ids[1]]], () => rows.nth(1).click());
    return r;
  } finally {
    await closeContext(ctx);
  }
}

// Scrolls the trace table to `fraction` of its height and waits for the row there; the page's elements then.
async function scrollTable(page, fraction) {
  return page.evaluate(async ([fraction, timeout]) => {
    const p = window.__probe;
    const sc = document.getElementById('trace-table-scroll');
    const n = Number(document.querySelector('[data-testid=trace-table]').getAttribute('aria-rowcount'));
    const top = Math.round(fraction * (sc.scrollHeight - sc.clientHeight));
    const header = sc.querySelector('thead')?.offsetHeight ?? 0;
    const index = fraction >= 1 ? n : Math.min(n, Math.floor(Math.max(0, top - header) / 30) + 1);
    p.watch('scroll', () => p.is.rowAt(index), timeout);
    const t0 = performance.now();
    sc.scrollTop = top;
    const ms = await p.settled('scroll', t0);
    return { index, ms, page: p.elements(), list: p.elements('[data-testid=trace-table]'), rows: document.querySelectorAll('[data-testid=trace-row]').length };
  }, [fraction, STEP_TIMEOUT_MS]);
}

// Case 6, one load of 100,000 traces: the elements of the page and of the list at the top, middle and end.
async function elementsRun() {
  const { ctx, page } = await freshPage();
  try {
    const r = await openFiles(page, ['set-100k.jsonl'], 'browser');
    r.count = await page.getByTestId('browser-count').textContent();
    await quiet(page);
    r.top = await page.evaluate(() => ({ page: window.__probe.elements(), list: window.__probe.elements('[data-testid=trace-table]'),
      rows: document.querySelectorAll('[data-testid=trace-row]').length }));
    r.middle = await scrollTable(page, 0.5);
    r.end = await scrollTable(page, 1);
    Object.assign(r, await linesFloor(page, 'set-100k.jsonl', 100_000 * 3));
    r.ratio = r.loadMs / r.floorMs;
    return r;
  } finally {
    await closeContext(ctx);
  }
}

async function repeat(label, run) {
  const runs = [];
  for (let i = 0; i < RUNS; i++) {
    runs.push(await run());
    console.log(`${label}: run ${i + 1} of ${RUNS}, load ${runs[i].loadMs.toFixed(0)} ms`);
  }
  return runs;
}

const results = { runs: RUNS, debounceMs: INSIGHT_DEBOUNCE_MS, filterService: FILTER_SERVICE };
try {
  results.browserVersion = browser.version();
  results.set10k = await repeat('set-10k', set10kRun);
  results.compare = await repeat('compare', compareRun);
  results.switching = {};
  for (const [file, spans] of [['set-5k.jsonl', 5_000 * 20], ['set-20k.jsonl', 20_000 * 20]]) {
    results.switching[file] = await repeat(file, () => switchRun(file, spans));
  }
  results.elements = await repeat('set-100k', elementsRun);
} finally {
  await browser.close();
  server.kill();
}
results.cpus = `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'})`;
fs.writeFileSync(path.join(BENCH, 'results-set.json'), JSON.stringify(results, null, 2));
writeReport(results, BENCH, { median });

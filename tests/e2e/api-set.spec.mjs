// The host-page API over a whole file: stitch:analyze with scope "set", and stitch:compare, on the 300 traces that
// tests/e2e/otel-set.mjs writes with the OpenTelemetry SDK (`make e2e-data`). Expected values come from its ground
// truth (target/e2e/otel-set-truth.json) and from the spans it wrote, read here; never from what Stitch printed.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './helpers.mjs';

const HOST = 'http://127.0.0.1:4178'; // listed in no stitch.config.json: it may learn only about what it sent itself
const APP = 'http://127.0.0.1:4173';
const FILE = '/generated/otel-set.jsonl';
const truth = JSON.parse(fs.readFileSync(path.join(root, 'target/e2e/otel-set-truth.json'), 'utf8'));

/** Per trace ID, from the file the producer wrote: its duration (latest end − earliest start), the name of its root
 * span and the duration of its ledger insert (absent when it has none), all in ns. */
function readTraces() {
  const traces = {};
  for (const line of fs.readFileSync(path.join(root, 'target/e2e/otel-set.jsonl'), 'utf8').split('\n')) {
    if (!line) continue;
    for (const rs of JSON.parse(line).resourceSpans) {
      for (const s of rs.scopeSpans.flatMap((ss) => ss.spans)) {
        const [start, end] = [BigInt(s.startTimeUnixNano), BigInt(s.endTimeUnixNano)];
        const t = (traces[s.traceId] ??= { start, end });
        if (start < t.start) t.start = start;
        if (end > t.end) t.end = end;
        if (!s.parentSpanId) t.root = s.name;
        if (s.name === 'INSERT ledger_entries') t.insertNs = Number(end - start);
      }
    }
  }
  for (const t of Object.values(traces)) t.durationNs = Number(t.end - t.start);
  return traces;
}
const spans = readTraces();

// The traces compared: a POST /v1/charges that went as usual, a slow one, and one whose fraud check failed (it makes
// no ledger insert).
const slowIds = new Set(truth.slow.trace_ids);
const failedIds = new Set(truth.error_trace_ids);
const charges = Object.keys(spans).filter((id) => spans[id].root === truth.slow.kind);
const NORMAL = charges.find((id) => !slowIds.has(id) && !failedIds.has(id));
const SLOW = truth.slow.trace_ids[0];
const FAILED = charges.find((id) => failedIds.has(id));
const UNKNOWN = '0123456789abcdef0123456789abcdef';

let host;
async function until(check) {
  for (;;) {
    try { if (await check()) return; } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
}
test.beforeAll(async () => {
  host = spawn('node', [path.join(root, 'tests/e2e/server.mjs'), '4178'], { stdio: 'ignore' });
  await until(async () => (await fetch(`${HOST}/pages/host.html`)).ok);
});
test.afterAll(() => host?.kill());

/** Opens the test host page (tests/e2e/pages/host.html) framing Stitch at `stitchPath`. */
async function frameStitch(page, stitchPath) {
  await page.goto(`${HOST}/pages/host.html?stitch=${encodeURIComponent(APP + stitchPath)}`);
  await expect.poll(() => ofType(page, 'stitch:ready').then((r) => r.length)).toBe(1);
  return page.frameLocator('#stitch');
}
const ofType = (page, type) => page.evaluate((t) => window.events.filter((e) => e.type === t), type);

/** Sends `msg` and waits for the next message of type `answer` or `stitch:error`, which it returns. */
async function ask(page, msg, answer) {
  const answers = () => page.evaluate((t) => window.events.filter((e) => e.type === t || e.type === 'stitch:error'), answer);
  const before = (await answers()).length;
  await page.evaluate((m) => window.send(m), msg);
  await expect.poll(async () => (await answers()).length).toBe(before + 1);
  return (await answers()).at(-1);
}

test('the producer wrote what these tests rely on', () => {
  // Otherwise a comparison below would compare the wrong kinds of trace.
  expect(Object.keys(spans)).toHaveLength(truth.traces);
  expect([NORMAL, SLOW, FAILED].every(Boolean)).toBe(true);
  expect(spans[SLOW].insertNs).toBe(truth.slow.slow_ns[SLOW]);
  const { min, max } = truth.slow.usual_ns_observed;
  expect(spans[NORMAL].insertNs).toBeGreaterThanOrEqual(min);
  expect(spans[NORMAL].insertNs).toBeLessThanOrEqual(max);
  expect(spans[FAILED].insertNs).toBeUndefined();
});

test('a host that sent the file learns where the time went across it, and how two of its traces differ', async ({ page }) => {
  await frameStitch(page, '/stitch/');
  await page.evaluate((f) => window.loadTrace(f, 'otel-set.jsonl'), FILE);
  await expect.poll(() => ofType(page, 'stitch:loaded').then((l) => l.length)).toBe(1);

  const set = await ask(page, { type: 'stitch:analyze', scope: 'set' }, 'stitch:analysis');
  expect(set.type).toBe('stitch:analysis');
  expect(set.scope).toBe('set');
  expect(set.traces).toBe(truth.traces);
  expect(set.summary).toMatch(new RegExp(`^Across ${truth.traces} traces, `));
  expect(set.contributors).toContainEqual(expect.objectContaining({ service: 'ledger-db', operation: 'INSERT ledger_entries' }));
  // Every span of the file is in exactly one statistics row; every charge that did not fail made one insert.
  expect(set.stats.reduce((n, s) => n + s.count, 0)).toBe(truth.spans);
  const insert = set.stats.find((s) => s.service === 'ledger-db' && s.operation === 'INSERT ledger_entries');
  expect(insert.count).toBe(truth.slow.usual_ns_observed.count + truth.slow.trace_ids.length);
  const longest = Math.max(truth.slow.usual_ns_observed.max, ...Object.values(truth.slow.slow_ns));
  expect(insert.maxUs).toBe(Math.floor(longest / 1000));
  // Nearest rank: p99 of 300 roots is the 297th shortest, so the 4 longest are at or above it. Each slow trace's
  // root holds its insert, so with at least 4 slow traces p99 is at least the shortest slow insert.
  const { p50Us, p90Us, p99Us } = set.latency;
  expect(p50Us).toBeGreaterThan(0);
  expect(p50Us).toBeLessThanOrEqual(p90Us);
  expect(p90Us).toBeLessThanOrEqual(p99Us);
  const aboveP99 = truth.traces - Math.ceil(0.99 * truth.traces) + 1;
  expect(truth.slow.trace_ids.length).toBeGreaterThanOrEqual(aboveP99);
  expect(p99Us).toBeGreaterThanOrEqual(Math.floor(Math.min(...Object.values(truth.slow.slow_ns)) / 1000));

  // A usual charge (A) against a slow one (B): the slow insert is the largest difference, by exactly its extra time.
  const c = await ask(page, { type: 'stitch:compare', a: NORMAL, b: SLOW }, 'stitch:comparison');
  expect(c).toMatchObject({ type: 'stitch:comparison', a: NORMAL, b: SLOW });
  expect(Math.abs(c.deltaUs - (spans[SLOW].durationNs - spans[NORMAL].durationNs) / 1000)).toBeLessThanOrEqual(1);
  expect(c.summary).toMatch(/^B is /);
  expect(c.summary).toContain('ledger-db');
  const [top] = c.differences;
  expect(top).toMatchObject({ service: 'ledger-db', operation: 'INSERT ledger_entries' });
  expect(Math.abs(top.deltaUs - (truth.slow.slow_ns[SLOW] - spans[NORMAL].insertNs) / 1000)).toBeLessThanOrEqual(1);
  expect(Math.abs(top.bUs - truth.slow.slow_ns[SLOW] / 1000)).toBeLessThanOrEqual(1);
  // Sorted by the size of the self-time change; both traces have the same spans, so no difference is in one alone.
  const sizes = c.differences.map((d) => Math.abs(d.deltaUs));
  expect(sizes).toEqual([...sizes].sort((x, y) => y - x));
  for (const d of c.differences) expect(d).not.toHaveProperty('only');

  // A charge whose fraud check failed has no insert: it is only in A, and nothing is only in B.
  const f = await ask(page, { type: 'stitch:compare', a: NORMAL, b: FAILED }, 'stitch:comparison');
  const gone = f.differences.filter((d) => d.only);
  expect(gone).toHaveLength(1);
  expect(gone[0]).toMatchObject({ service: 'ledger-db', operation: 'INSERT ledger_entries', only: 'a', bUs: 0, bSelfUs: 0 });
  expect(Math.abs(gone[0].aUs - spans[NORMAL].insertNs / 1000)).toBeLessThanOrEqual(1);

  // A trace the file does not have, on either side.
  for (const [a, b] of [[NORMAL, UNKNOWN], [UNKNOWN, SLOW]]) {
    const e = await ask(page, { type: 'stitch:compare', a, b }, 'stitch:comparison');
    expect(e).toEqual({ type: 'stitch:error', name: '', message: `stitch:compare: no trace ${UNKNOWN} is loaded` });
  }
  // Without a scope the answer is about one trace, as before.
  const one = await ask(page, { type: 'stitch:analyze', traceId: SLOW }, 'stitch:analysis');
  expect(one).toMatchObject({ scope: 'trace', traceId: SLOW, durationUs: Math.floor(spans[SLOW].durationNs / 1000) });
});

test('a host that did not send the file is refused alike for a trace that exists and one that does not', async ({ page }) => {
  const frame = await frameStitch(page, `/stitch/?url=${encodeURIComponent(FILE)}`);
  await expect(frame.getByTestId('browser-count')).toHaveText(`${truth.traces} traces in otel-set.jsonl`);
  const known = await ask(page, { type: 'stitch:compare', a: NORMAL, b: SLOW }, 'stitch:comparison');
  const unknown = await ask(page, { type: 'stitch:compare', a: UNKNOWN, b: UNKNOWN }, 'stitch:comparison');
  const set = await ask(page, { type: 'stitch:analyze', scope: 'set' }, 'stitch:analysis');
  expect(known).toEqual(unknown);
  expect(known.type).toBe('stitch:error');
  expect(known.message).toContain(`stitch:compare: refused: ${HOST} may only ask about traces it sent with stitch:load`);
  expect(set.message).toContain(`stitch:analyze: refused: ${HOST} may only ask about traces it sent with stitch:load`);
  // It heard nothing else, and no trace ID of the file.
  const heard = await page.evaluate(() => window.events);
  expect(heard.map((e) => e.type).filter((t) => t !== 'stitch:error')).toEqual(['stitch:ready']);
  for (const id of [NORMAL, SLOW]) expect(JSON.stringify(heard)).not.toContain(id);
});

// Several files as one load: one Zipkin file per service, written by the OpenTelemetry JS SDK's Zipkin exporter
// (tests/e2e/otel-set.mjs, `make e2e-data`), joined into whole traces; two files of one trace each, compared; and
// `stitch:load` with several buffers. Expected values come from the producer's ground truth and the files it wrote.
import { test, expect } from '@playwright/test';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openApp, dropFiles, readFixture, rows, root } from './helpers.mjs';

const truth = JSON.parse(fs.readFileSync(path.join(root, 'target/e2e/otel-set-truth.json'), 'utf8'));
const FILES = Object.keys(truth.zipkin.files);
const zipkin = FILES.map((name) => ({ name, content: fs.readFileSync(path.join(root, 'target/e2e', name), 'utf8') }));

/** Per trace ID: the files (in FILES order) that hold its spans, and how many spans in all, read from the files. */
function byTrace() {
  const out = {};
  zipkin.forEach(({ content }, k) => {
    for (const s of JSON.parse(content)) {
      const t = (out[s.traceId] ??= { files: new Set(), spans: 0 });
      t.files.add(k);
      t.spans += 1;
    }
  });
  return out;
}

test('one Zipkin file per service opens as whole traces, each naming its files', async ({ page }) => {
  const errors = await openApp(page);
  const traces = byTrace();
  expect(Object.keys(traces).sort()).toEqual([...truth.zipkin.trace_ids].sort());
  await dropFiles(page, zipkin);
  await expect(page.getByTestId('browser-count'))
    .toHaveText(`${truth.zipkin.trace_ids.length} traces in ${FILES[0]} + ${FILES.length - 1} more files`);
  // A trace in every file is one row, not one per file; its chip says so, and its tooltip names the files.
  const whole = Object.keys(traces).find((id) => traces[id].files.size === FILES.length);
  const row = page.locator(`[data-testid="trace-row"][data-trace-id="${whole}"]`);
  await expect(row.getByTestId('trace-files')).toHaveText(`all ${FILES.length} files`);
  await expect(row.getByTestId('trace-files')).toHaveAttribute('title', FILES.join('\n'));
  // The failed charge made no ledger insert: its row names the three files that hold it.
  const partial = Object.keys(traces).find((id) => traces[id].files.size < FILES.length);
  const names = [...traces[partial].files].sort().map((k) => FILES[k]);
  const chip = page.locator(`[data-testid="trace-row"][data-trace-id="${partial}"]`).getByTestId('trace-files');
  await expect(chip).toHaveText(`${names.length} of ${FILES.length} files`);
  await expect(chip).toHaveAttribute('title', names.join('\n'));
  // Opened, it is one tree: every span, a single root (the gateway's POST /v1/charges), and no missing parent.
  await row.click();
  await expect(rows(page)).toHaveCount(traces[whole].spans);
  await expect(page.locator('g.row[aria-level="1"]')).toHaveCount(1);
  await expect(page.locator('g.row[aria-level="1"]')).toContainText(truth.slow.kind);
  await expect(page.getByTestId('warnings')).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('two files of one trace each open on their comparison, the shorter as A', async ({ page }) => {
  await openApp(page);
  // ascend.json lasts 38,793 µs; skew.json 161,718 µs (servicea's get ends last: 1470150004071068 + 99411 µs), so
  // B is 122,925 µs slower, written to three figures.
  await dropFiles(page, [
    { name: 'skew.json', content: readFixture('zipkin/skew.json') },
    { name: 'ascend.json', content: readFixture('zipkin/ascend.json') },
  ]);
  await expect(page.getByTestId('compare')).toBeVisible();
  await expect(page.getByTestId('compare-summary')).toContainText('B is 123ms slower');
  await expect.poll(() => page.url()).toContain('#compare=');
});

test('a file that cannot be read ends the whole load, names itself, and keeps the trace shown', async ({ page }) => {
  await openApp(page);
  await expect(page.getByTestId('trace-title')).toBeVisible();
  const before = await page.getByTestId('trace-title').textContent();
  await dropFiles(page, [
    { name: 'ascend.json', content: readFixture('zipkin/ascend.json') },
    { name: 'broken.json', content: '[{"traceId": "ab", "id": ' },
  ]);
  await expect(page.getByRole('alert')).toContainText('broken.json');
  await expect(page.getByRole('alert')).toContainText(/line 1, column \d+/);
  await expect(page.getByTestId('trace-title')).toHaveText(before);
});

const HOST = 'http://127.0.0.1:4178';
test('stitch:load with several buffers is one set', async ({ page }) => {
  const host = spawn('node', [path.join(root, 'tests/e2e/server.mjs'), '4178'], { stdio: 'ignore' });
  try {
    await expect.poll(async () => (await fetch(`${HOST}/pages/host.html`).catch(() => ({ ok: false }))).ok).toBe(true);
    await page.goto(`${HOST}/pages/host.html?stitch=${encodeURIComponent('http://127.0.0.1:4173/stitch/')}`);
    await expect.poll(() => page.evaluate(() => window.events.filter((e) => e.type === 'stitch:ready').length)).toBe(1);
    await page.evaluate((files) => window.send({ type: 'stitch:load', files: files.map((f) => ({ name: f.name, data: f.content })) }), zipkin);
    await expect.poll(() => page.evaluate(() => window.events.filter((e) => e.type === 'stitch:loaded').length)).toBe(1);
    const loaded = await page.evaluate(() => window.events.find((e) => e.type === 'stitch:loaded'));
    expect(loaded.name).toBe(`${FILES[0]} + ${FILES.length - 1} more files`);
    expect(loaded.traces.map((t) => t.traceId).sort()).toEqual([...truth.zipkin.trace_ids].sort());
  } finally {
    host.kill();
  }
});

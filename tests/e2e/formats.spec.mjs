// One file of each format loads into the page; a real OpenTelemetry JS client's output has the right tree.
import { test, expect } from '@playwright/test';
import { openApp, dropFile, dropUrl, readFixture, rows } from './helpers.mjs';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './helpers.mjs';

const cases = [
  // file, format label, spans, services (counted by hand; see tests/fixtures_test.rs)
  ['jaeger/spansAmongEachOther.json', 'Jaeger JSON', '12', '2'],
  ['zipkin/yelp.json', 'Zipkin v2 JSON', '16', '6'],
  ['otlp/jaeger-example_trace.json', 'OTLP JSON', '5', '3'],
  ['otlp/file-exporter-lines.jsonl', 'OTLP JSON', '4', '1'],
  ['jaeger-v3/GetTrace.json', 'OTLP JSON', '1', '1'],
  ['quirks/tempo-batches-base64.json', 'OTLP JSON', '2', '2'],
  ['chrome/multiprocess.json', 'Chrome Trace Event JSON', '8', '8'],
];

for (const [file, label, spans, services] of cases) {
  test(`${file} loads as ${label}`, async ({ page }) => {
    const errors = await openApp(page);
    await dropFile(page, path.basename(file), readFixture(file));
    await expect(page.locator('.format-badge')).toHaveText(label);
    await expect(page.getByTestId('span-count')).toHaveText(spans);
    await expect(page.getByTestId('service-count')).toHaveText(services);
    expect(errors).toEqual([]);
  });
}

test('a gzipped file with three traces opens on the trace browser, sorted by start', async ({ page }) => {
  await openApp(page);
  const gz = fs.readFileSync(path.join(root, 'tests/fixtures/quirks/jaeger-three-traces.json.gz'));
  await dropFile(page, 'three.json.gz', gz);
  await expect(page.getByTestId('browser-count')).toHaveText('3 traces in three.json.gz');
  const list = page.getByTestId('trace-row');
  // early at 1000µs, mid at 3000µs, late at 5000µs.
  await expect(list.locator('td.name .root')).toHaveText(['svc-a: op-e1', 'svc-c: op-m1', 'svc-b: op-l1']);
  await list.nth(2).click();
  await expect(page.getByTestId('trace-id')).toHaveText('late');
  await expect(page.getByTestId('error-count')).toHaveText('1');
});

for (const [file, label] of [['otel-js-otlp.json', 'OTLP JSON'], ['otel-js-zipkin.json', 'Zipkin v2 JSON']]) {
  test(`the OpenTelemetry JS SDK's ${label} has the right tree`, async ({ page }) => {
    await openApp(page);
    await dropUrl(page, `/generated/${file}`, file);
    await expect(page.locator('.format-badge')).toHaveText(label);
    await expect(page.getByTestId('span-count')).toHaveText('4');
    await expect(page.getByTestId('error-count')).toHaveText('1');
    // GET /checkout > cart.Get > SELECT cart, and GET /checkout > render: levels 1, 2, 3, 2 in start order.
    const r = rows(page);
    await expect(r).toHaveCount(4);
    await expect(r.nth(0)).toContainText('GET /checkout');
    await expect(r.nth(0)).toHaveAttribute('aria-level', '1');
    await expect(r.nth(1)).toContainText('cart.Get');
    await expect(r.nth(1)).toHaveAttribute('aria-level', '2');
    await expect(r.nth(2)).toContainText('SELECT cart');
    await expect(r.nth(2)).toHaveAttribute('aria-level', '3');
    await expect(r.nth(3)).toContainText('render');
    await expect(r.nth(3)).toHaveAttribute('aria-level', '2');
    await r.nth(2).click();
    await expect(page.getByTestId('detail')).toContainText('deadlock detected');
  });
}

test('the summary names the slow call built into the demo', async ({ page }) => {
  await openApp(page);
  await expect(page.getByTestId('summary')).toContainText('geo-index: GET /v1/nearby');
  await expect(page.getByTestId('summary')).toContainText('SELECT drivers');
  // Contributors: clicking one highlights its spans.
  await page.getByTestId('contributors').locator('summary').click();
  await page.locator('.contrib').filter({ hasText: 'SELECT drivers' }).first().click();
  await expect(page.locator('g.row.highlight')).toHaveCount(1);
  // The statistics table filters the waterfall to a row's spans: routing.ComputeETA is called 8 times.
  await page.getByTestId('stats-toggle').click();
  await page.locator('.stat-row').filter({ hasText: 'routing.v1.Routing/ComputeETA' }).click();
  // The 8 server spans, their 8 routing.ComputeETA client parents in dispatch, and dispatch's server span,
  // dispatch.RequestRide and POST /v1/rides above them: 19 rows.
  await expect(page.getByTestId('row-count')).toHaveText('19 of 60 spans shown');
});

test('clock skew is reported, and adjusting it on request moves the server subtree', async ({ page }) => {
  await openApp(page);
  await dropFile(page, 'skew.json', readFixture('zipkin/skew.json'));
  const toggle = page.getByTestId('skew-toggle');
  await expect(toggle).toContainText('Adjust clock skew');
  await expect(toggle.locator('input')).not.toBeChecked();
  // From serviceb's server at 4008761 µs to servicea's root ending at 4170479 µs: 161.7 ms.
  await expect(page.getByTestId('window-label')).toHaveText('0 – 162ms');
  await toggle.locator('input').check();
  // Adjusted, the root (99411 µs) holds everything, and the view fits it.
  await expect(page.getByTestId('window-label')).toHaveText('0 – 99.4ms');
  await expect(page.getByTestId('reset-zoom')).toBeDisabled();
  // serviceb's shared server span and its child "async" move into servicea's client span.
  await expect(toggle).toContainText('(2 spans moved)');
  // Before: one clock-skew warning and the child-outside-parent it causes. After: the server (93.6 ms) sits centred
  // in its client (94.5 ms) and async ends inside it, so no warning is left.
  await expect(page.getByTestId('warnings')).toHaveCount(0);
  await toggle.locator('input').uncheck();
  await expect(page.getByTestId('warnings')).toContainText('2 warnings');
  await expect(page.getByTestId('window-label')).toHaveText('0 – 162ms');
});

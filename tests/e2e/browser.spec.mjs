// The trace browser: a file of several traces opens on a list of them; filters, sorting, the keyboard, and Back.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { openApp, dropFile, root } from './helpers.mjs';

const three = () => fs.readFileSync(path.join(root, 'tests/fixtures/quirks/jaeger-three-traces.json'), 'utf8');
const listed = (page) => page.getByTestId('trace-row');
const ids = (page) => listed(page).evaluateAll((rows) => rows.map((r) => r.dataset.traceId));

test('open a trace from the browser, go Back, and find the filters intact', async ({ page }) => {
  const errors = await openApp(page);
  await dropFile(page, 'three.json', three());
  await expect(page.getByTestId('browser-count')).toHaveText('3 traces in three.json');
  // Only late has an error (l2's error tag).
  await page.getByTestId('filter-errors').check();
  await expect(page.getByTestId('browser-count')).toHaveText('1 of 3 traces in three.json');
  expect(await ids(page)).toEqual(['late']);
  await listed(page).first().click();
  await expect(page.getByTestId('trace-id')).toHaveText('late');
  await expect.poll(() => page.url()).toContain('#trace=late');
  await page.goBack();
  await expect(page.getByTestId('trace-browser')).toBeVisible();
  await expect(page.getByTestId('filter-errors')).toBeChecked();
  expect(await ids(page)).toEqual(['late']);
  // Forward opens the trace again; "All traces" is the other way back.
  await page.goForward();
  await expect(page.getByTestId('trace-id')).toHaveText('late');
  await page.getByTestId('all-traces').click();
  await expect(page.getByTestId('trace-browser')).toBeVisible();
  expect(errors).toEqual([]);
});

test('the table sorts by a column, and the keyboard moves through it and opens a trace', async ({ page }) => {
  await openApp(page);
  await dropFile(page, 'three.json', three());
  // Durations: early 300µs, late 100µs, mid 50µs.
  await page.getByRole('button', { name: 'Duration' }).click();
  await expect.poll(() => ids(page)).toEqual(['early', 'late', 'mid']);
  await page.getByRole('button', { name: /Duration/ }).click();
  await expect.poll(() => ids(page)).toEqual(['mid', 'late', 'early']);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await expect(listed(page).nth(2)).toHaveAttribute('aria-selected', 'true');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('trace-id')).toHaveText('early');
});

test('service, operation and duration filters', async ({ page }) => {
  await openApp(page);
  await dropFile(page, 'three.json', three());
  await page.getByTestId('filter-service').selectOption('svc-c');
  await expect.poll(() => ids(page)).toEqual(['mid']);
  await page.getByTestId('filter-service').selectOption('');
  await page.getByTestId('filter-operation').selectOption('op-l2');
  await expect.poll(() => ids(page)).toEqual(['late']);
  await page.getByTestId('filter-operation').selectOption('');
  // At least 0.06 ms: early (300µs) and late (100µs).
  await page.getByTestId('filter-min').fill('0.06');
  await page.getByTestId('filter-min').press('Enter');
  await expect.poll(() => ids(page)).toEqual(['early', 'late']);
  await page.getByTestId('filter-max').fill('200us');
  await page.getByTestId('filter-max').press('Enter');
  await expect.poll(() => ids(page)).toEqual(['late']);
});

// Written by the OpenTelemetry JS SDK (tests/e2e/otel-set.mjs): 300 traces, of which some POST /v1/charges are slow
// because of one ledger-db INSERT ledger_entries call. What is expected comes from the producer's truth file.
const truth = () => JSON.parse(fs.readFileSync(path.join(root, 'target/e2e/otel-set-truth.json'), 'utf8'));

test('in a set written by a real SDK, the table, the scatter plot and the set-wide summary find the slow call', async ({ page }) => {
  const t = truth();
  const slow = Object.keys(t.slow.slow_ns).sort();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto('?url=/generated/otel-set.jsonl');
  await expect(page.getByTestId('browser-count')).toHaveText(`${t.traces} traces in otel-set.jsonl`);
  // The table: sorted by duration, the slowest traces are the ones the producer made slow (their insert alone takes
  // 40–60 ms; every other request of the set takes well under that).
  await page.getByRole('button', { name: 'Duration' }).click();
  const top = (await ids(page)).slice(0, slow.length).sort();
  expect(top).toEqual(slow);
  // The scatter plot: brush everything above the 20ms line, and the list is those traces.
  const plot = page.locator('.scatter-over');
  const box = await plot.boundingBox();
  const line = await page.locator('.scatter-tick', { hasText: /^20ms$/ }).boundingBox();
  await page.mouse.move(box.x + 70, box.y + 1);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width - 2, line.y + line.height / 2, { steps: 4 });
  await page.mouse.up();
  await expect(page.getByTestId('browser-count')).toHaveText(`${slow.length} of ${t.traces} traces in otel-set.jsonl`);
  expect((await ids(page)).sort()).toEqual(slow);
  // The set-wide summary over those traces names the call.
  await expect(page.getByTestId('set-summary')).toContainText(`Across ${slow.length} POST /v1/charges traces`);
  await expect(page.getByTestId('set-summary')).toContainText('is ledger-db: INSERT ledger_entries');
  // The slowest insert of all is at the top of its operation's calls: its row carries the badge, and the panel
  // says where it sits among the inserts of the set.
  const slowest = Object.entries(t.slow.slow_ns).sort((a, b) => b[1] - a[1])[0][0];
  await page.locator(`[data-testid="trace-row"][data-trace-id="${slowest}"]`).click();
  const insert = page.locator('g.row', { hasText: 'INSERT ledger_entries' });
  await expect(insert.locator('.slow-badge')).toHaveText('slow · p100');
  await insert.click();
  const inserts = t.slow.usual_ns_observed.count + slow.length;
  await expect(page.getByTestId('detail-rank')).toContainText(`p100 of ${inserts} calls of ledger-db INSERT ledger_entries in this set`);
  await page.screenshot({ path: path.join(root, 'test-results', 'set-trace.png') });
  expect(errors).toEqual([]);
});

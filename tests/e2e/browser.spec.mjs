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

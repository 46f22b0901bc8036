// The first slice: demo, loading by drop and picker, header counts, detail, collapse, errors, zoom.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { openApp, dropFile, readFixture, fixture, rows, root } from './helpers.mjs';

// tests/fixtures/jaeger/single-trace-object.json, read by hand: 11 spans; services service1 and service2;
// span-2 has error=true; the longest chain span-1 > span-3 > span-4 > span-5 is 4 levels; it starts at
// 1542666452979000 µs and span-7 (FOLLOWS_FROM) ends last at 1542666453779000 + 200000 = +1,000,000 µs = 1s.
const SINGLE = 'jaeger/single-trace-object.json';

test('the demo trace shows a waterfall', async ({ page }) => {
  const errors = await openApp(page);
  await expect(page.getByTestId('trace-title')).toContainText('api-gateway');
  await expect(page.getByTestId('trace-title')).toContainText('POST /v1/rides');
  await expect(page.getByTestId('span-count')).toHaveText('60');
  await expect(page.getByTestId('service-count')).toHaveText('8');
  // The rows in view, then (150 ms after a trace is shown) the overscan below them.
  await expect.poll(() => rows(page).count()).toBeGreaterThan(20);
  await expect(page.locator('.axis .tick-label').first()).toHaveText('0');
  await page.screenshot({ path: path.join(root, 'test-results', 'waterfall-light.png') });
  expect(errors).toEqual([]);
});

test('the other demo can be picked', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('demo-select').selectOption({ index: 1 });
  await expect(page.getByTestId('trace-title')).toContainText('payments-gateway');
  await expect(page.getByTestId('error-count')).toHaveText('1');
});

test('a Jaeger file loads through a drop, with the right header counts', async ({ page }) => {
  const errors = await openApp(page);
  await dropFile(page, 'single-trace-object.json', readFixture(SINGLE));
  await expect(page.getByTestId('trace-title')).toHaveText('service1: op1');
  await expect(page.getByTestId('trace-id')).toHaveText('trace-123');
  await expect(page.getByTestId('span-count')).toHaveText('11');
  await expect(page.getByTestId('service-count')).toHaveText('2');
  await expect(page.getByTestId('depth')).toHaveText('4');
  await expect(page.getByTestId('error-count')).toHaveText('1');
  await expect(page.getByTestId('duration')).toHaveText('1s');
  await expect(rows(page)).toHaveCount(11);
  expect(errors).toEqual([]);
});

test('a Jaeger file loads through the file picker', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('file-input').setInputFiles(fixture(SINGLE));
  await expect(page.getByTestId('trace-title')).toHaveText('service1: op1');
  await expect(rows(page)).toHaveCount(11);
});

test('clicking a row opens its detail with its tags', async ({ page }) => {
  await openApp(page);
  await dropFile(page, 'single.json', readFixture(SINGLE));
  await page.locator('g.row[data-span-id="span-2"]').click();
  const detail = page.getByTestId('detail');
  await expect(detail).toBeVisible();
  await expect(detail).toContainText('op2');
  await expect(detail.getByTestId('detail-duration')).toHaveText('33ms');
  const attrs = detail.getByTestId('span-attrs');
  await expect(attrs).toContainText('span.kind');
  await expect(attrs).toContainText('client');
  await expect(attrs).toContainText('error');
  await expect(detail.getByTestId('resource-attrs')).toContainText('foobar.org');
});

test('collapsing a row hides its descendants and expanding brings them back', async ({ page }) => {
  await openApp(page);
  await dropFile(page, 'single.json', readFixture(SINGLE));
  await expect(rows(page)).toHaveCount(11);
  // span-3 has span-4 > span-5 below it.
  await page.locator('g.row[data-span-id="span-3"] [data-testid=chevron]').click();
  await expect(rows(page)).toHaveCount(9);
  await expect(page.locator('g.row[data-span-id="span-5"]')).toHaveCount(0);
  await expect(page.locator('g.row[data-span-id="span-3"] .hidden-count')).toHaveText('+2');
  await page.locator('g.row[data-span-id="span-3"] [data-testid=chevron]').click();
  await expect(rows(page)).toHaveCount(11);
  await expect(page.locator('g.row[data-span-id="span-5"]')).toHaveCount(1);
});

test('an invalid file shows the error and keeps the trace on screen', async ({ page }) => {
  const errors = await openApp(page);
  await dropFile(page, 'single.json', readFixture(SINGLE));
  await expect(page.getByTestId('trace-title')).toHaveText('service1: op1');
  await dropFile(page, 'broken.json', '{"data": [{"traceID": "x", "spans": [}]}');
  const banner = page.getByRole('alert');
  await expect(banner).toContainText('broken.json');
  await expect(banner).toContainText('Jaeger');
  await expect(banner).toContainText('line 1, column 38');
  await expect(page.getByTestId('trace-title')).toHaveText('service1: op1');
  await expect(rows(page)).toHaveCount(11);
  expect(errors).toEqual([]);
});

test('the wheel over the timeline zooms the time axis', async ({ page }) => {
  await openApp(page);
  const before = await page.locator('.axis .tick-label').allTextContents();
  const box = await page.getByTestId('rows-scroll').boundingBox();
  await page.mouse.move(box.x + box.width * 0.6, box.y + 100);
  for (let i = 0; i < 3; i++) await page.mouse.wheel(0, -300);
  await expect.poll(async () => (await page.locator('.axis .tick-label').allTextContents()).join(','))
    .not.toBe(before.join(','));
  await expect(page.getByTestId('reset-zoom')).toBeEnabled();
  await page.getByTestId('reset-zoom').click();
  await expect.poll(async () => (await page.locator('.axis .tick-label').allTextContents()).join(','))
    .toBe(before.join(','));
});

test('dragging across the axis zooms to that range', async ({ page }) => {
  await openApp(page);
  const axis = await page.getByTestId('axis').boundingBox();
  await page.mouse.move(axis.x + 500, axis.y + 15);
  await page.mouse.down();
  await page.mouse.move(axis.x + 700, axis.y + 15, { steps: 5 });
  await page.mouse.up();
  await expect(page.getByTestId('window-label')).not.toHaveText(/^0 – /);
});

test('the tab names the trace, the theme picked is kept, and the demo menu stops naming a demo once a file is open', async ({ page }) => {
  await openApp(page);
  await expect(page).toHaveTitle('api-gateway: POST /v1/rides — Stitch');
  await expect(page.getByTestId('demo-select')).toHaveValue('0');
  const dark = await page.locator('html').getAttribute('data-theme') === 'dark';
  await page.getByTestId('theme-toggle').click();
  const picked = dark ? 'light' : 'dark';
  await expect(page.locator('html')).toHaveAttribute('data-theme', picked);
  await page.reload();
  await expect(page.getByTestId('trace-title')).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', picked);
  await dropFile(page, 'single-trace-object.json', readFixture(SINGLE));
  await expect(page).toHaveTitle('service1: op1 — Stitch');
  await expect(page.getByTestId('demo-select')).toHaveValue('none');
  // The root has no parent: nothing to copy beside "—".
  await rows(page).first().click();
  const parentRow = page.getByTestId('detail').locator('tr').filter({ hasText: 'Parent ID' });
  await expect(parentRow).toContainText('—');
  await expect(parentRow.getByRole('button')).toHaveCount(0);
});

test('a ?url= that fails shows the error and no empty waterfall', async ({ page }) => {
  await page.goto(`?url=${encodeURIComponent('/fixtures/missing.json')}`);
  await expect(page.getByRole('alert')).toContainText('HTTP 404');
  await expect(page.getByTestId('empty-state')).toContainText('No trace is shown');
  // No demo is on screen, so the menu names none (and picking the first demo is a change).
  await expect(page.getByTestId('demo-select')).toHaveValue('none');
  await expect(page.getByTestId('window-label')).toHaveCount(0);
  await page.getByTestId('empty-state').getByRole('button', { name: 'Show the demo trace' }).click();
  await expect(page.getByTestId('span-count')).toHaveText('60');
});

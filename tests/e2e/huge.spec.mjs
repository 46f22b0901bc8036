// Huge traces: a generated 200k-span Jaeger file (about 100 MB) is parsed in the worker while the page stays usable,
// with a progress bar and a Cancel button; and a file over the size limit is refused with its size and the limit.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { openApp, root } from './helpers.mjs';

const BIG = path.join(root, 'target', 'e2e', 'jaeger-200k.json');

test('a 200k-span file loads in the worker: progress, a responsive page, Cancel stops it', async ({ page }) => {
  test.setTimeout(120_000);
  const errors = await openApp(page);
  const title = await page.getByTestId('trace-title').textContent();

  // Every text the progress bar shows, in order (polling would miss a phase that passes between two polls).
  await page.evaluate(() => {
    window.__progress = [];
    new MutationObserver(() => {
      const t = document.querySelector('[data-testid=progress-text]')?.textContent;
      if (t && window.__progress.at(-1) !== t) window.__progress.push(t);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
  const shown = (re) => page.evaluate((src) => window.__progress.some((t) => new RegExp(src).test(t)), re.source);

  // First load: cancelled.
  await page.getByTestId('file-input').setInputFiles(BIG);
  const progress = page.getByTestId('progress');
  await expect(progress).toBeVisible();
  // The page answers a click while the file is read and parsed: selecting a span of the trace on screen opens it.
  await page.locator('g.row').nth(2).click();
  await expect(page.getByTestId('detail')).toBeVisible();
  await expect(progress).toBeVisible(); // ... and the load was still going on
  // Progress says how far it is, in bytes, while reading and while parsing, and counts spans once parsing has begun.
  await expect.poll(() => shown(/Parsing jaeger-200k\.json… [\d.]+ MB of 10\d\.\d MB · [\d,]+ spans/), { timeout: 30_000, intervals: [50] }).toBe(true);
  expect(await shown(/Reading jaeger-200k\.json… [\d.]+ MB of 10\d\.\d MB/)).toBe(true);
  await page.getByTestId('cancel-load').click();
  await expect(progress).toBeHidden();
  // The trace that was shown stays, and nothing arrives later: the parse was stopped (its worker is gone).
  await expect.poll(() => page.workers().length, { timeout: 10_000 }).toBe(0);
  await expect(page.getByTestId('trace-title')).toHaveText(title);
  await expect(page.locator('.error-banner')).toHaveCount(0);

  // Second load: runs to the end, and the whole trace is there.
  await page.getByTestId('file-input').setInputFiles(BIG);
  await expect(page.getByTestId('trace-title')).not.toHaveText(title, { timeout: 60_000 });
  await expect(page.getByTestId('span-count')).toContainText('200,000');
  await expect(progress).toBeHidden();
  await expect(page.locator('g.row').first()).toBeVisible();
  expect(errors).toEqual([]);
});

test('a file over the size limit is refused with its size and the limit, and the trace shown stays', async ({ page }) => {
  const errors = await openApp(page);
  const title = await page.getByTestId('trace-title').textContent();
  // A sparse 1.2 GB file: it takes no disk space, and Stitch must refuse it from its size alone.
  const huge = path.join(root, 'target', 'e2e', 'huge-1200MB.json');
  fs.mkdirSync(path.dirname(huge), { recursive: true });
  const fd = fs.openSync(huge, 'w');
  fs.ftruncateSync(fd, 1_200_000_000);
  fs.closeSync(fd);
  await page.getByTestId('file-input').setInputFiles(huge);
  const banner = page.locator('.error-banner');
  await expect(banner).toContainText('huge-1200MB.json: the file is 1200 MB, more than the 1074 MB Stitch can hold');
  await expect(page.getByTestId('trace-title')).toHaveText(title);
  fs.unlinkSync(huge);
  expect(errors).toEqual([]);
});

const TEN_K = path.join(root, 'target', 'e2e', 'jaeger-10k.json');

test('the first paint needs no parser, and a large file is parsed in the worker', async ({ page }) => {
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname.split('/').pop()));
  const errors = await openApp(page);
  // The demo is shown from its built-in encoding: the parsers (worker_bg.wasm) are not downloaded for it.
  await expect(page.getByTestId('span-count')).toHaveText('60');
  expect(fetched.filter((f) => f.startsWith('worker'))).toEqual([]);
  await page.getByTestId('file-input').setInputFiles(TEN_K); // 5 MB: parsed in the worker
  await expect(page.getByTestId('span-count')).toHaveText('10,000', { timeout: 30_000 });
  expect(fetched).toContain('worker-boot.js');
  expect(fetched).not.toContain('engine-boot.js');
  expect(errors).toEqual([]);
});

test('when the worker cannot start, a large file is parsed on the page instead', async ({ page }) => {
  // The worker's start script fails to load, so the worker dies before it is ready.
  await page.route('**/worker-boot.js', (r) => r.fulfill({ status: 404, body: '' }));
  const fetched = [];
  page.on('request', (r) => fetched.push(new URL(r.url()).pathname.split('/').pop()));
  await openApp(page);
  await page.getByTestId('file-input').setInputFiles(TEN_K);
  await expect(page.getByTestId('span-count')).toHaveText('10,000', { timeout: 30_000 });
  await expect(page.locator('.error-banner')).toHaveCount(0);
  expect(fetched).toContain('engine-boot.js');
});
